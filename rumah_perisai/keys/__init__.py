"""Keys, one home: every key the program makes, keeps, exchanges or installs.

* ``keys/post.py``: the post's Ed25519 signing key in the data folder's ``keys/``, and what every
  key uses (PEM files readable by their owner only, raw public bytes, fingerprints read aloud).
* ``keys/files.py``: the public key files a post and its branch exchange once, and the branch's
  own key set (made by ``branch init``).
* ``keys/installed.py``: the branch key installed at a post (kept in the database) and the post's
  key file made for the branch from its database row.

Where keys sit among the rooms: below ``services/``, ``branch/``, ``cli/``, ``ui/`` and
``printing/`` (which import keys, never the other way round); ``keys/`` itself uses only
``errors``, ``domain``, ``files``, the byte-level helpers of ``exchange/`` (``canonical``,
``safe_write``) and, for what a post has installed, ``db/``. The file formats of ``exchange/``
(batch, acknowledgement, backup) import keys; keys import none of them.

The post key's names are re-exported here: ``rumah_perisai.keys.load_post_key`` is what scripts
outside the program use.
"""

from rumah_perisai.keys.post import (
    POST_KEY_FILE,
    create_post_key,
    fingerprint,
    format_fingerprint,
    load_post_key,
    load_private_key,
    post_key_path,
    private_pem,
    public_bytes,
    write_private_key,
)

__all__ = [
    "POST_KEY_FILE",
    "create_post_key",
    "fingerprint",
    "format_fingerprint",
    "load_post_key",
    "load_private_key",
    "post_key_path",
    "private_pem",
    "public_bytes",
    "write_private_key",
]
