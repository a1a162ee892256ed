"""The post's Ed25519 signing key (cards, receipts and batches are signed with it), and what
every key of the program uses: private keys as PEM files readable by their owner only, raw public
bytes, fingerprints.

The private key is created once, at set-up, in the data folder's ``keys/`` and never leaves it;
only the public key goes into the database (and, later, to the branch). Pure cryptography and
files: no database, no other room of the program.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from rumah_perisai.errors import UserError

POST_KEY_FILE = "post-signing-ed25519.pem"


def post_key_path(keys_dir: Path) -> Path:
    return keys_dir / POST_KEY_FILE


def create_post_key(keys_dir: Path) -> Ed25519PrivateKey:
    """Make the post's signing key; refuses to replace one that exists."""
    path = post_key_path(keys_dir)
    if path.exists():
        raise UserError("key_exists", path=str(path))
    key = Ed25519PrivateKey.generate()
    write_private_key(path, key)
    return key


def write_private_key(path: Path, key: Ed25519PrivateKey | X25519PrivateKey) -> None:
    """A private key as PKCS#8 PEM, readable by its owner only, never over an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = private_pem(key)
    # O_EXCL: two set-ups racing can never overwrite each other's key; 0600: owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())


def private_pem(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    """A private key as unencrypted PKCS#8 PEM (the file itself is readable by its owner only)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_post_key(keys_dir: Path) -> Ed25519PrivateKey:
    key = load_private_key(post_key_path(keys_dir))
    if not isinstance(key, Ed25519PrivateKey):
        raise UserError("key_unreadable", path=str(post_key_path(keys_dir)), reason="not Ed25519")
    return key


def load_private_key(path: Path) -> object:
    try:
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise UserError("key_unreadable", path=str(path), reason=str(error)) from error


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public_key: bytes) -> str:
    """SHA-256 of the raw public key in hex; shown grouped by ``format_fingerprint``."""
    return hashlib.sha256(public_key).hexdigest()


def format_fingerprint(hex_digest: str) -> str:
    """The first 128 bits in groups of four, easy to read aloud and compare over the phone."""
    head = hex_digest[:32].upper()
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))
