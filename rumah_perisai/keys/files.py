"""Public key files exchanged once between a post and its branch, and the branch's own keys.

* The **branch key file** (made by ``branch init``) holds the branch's X25519 key, to which posts
  encrypt their batches, and its Ed25519 key, with which it signs acknowledgements.
* The **post key file** (``keys export-post``) holds a post's Ed25519 key, with which it signs its
  batches, cards and receipts.

Both are small JSON files that sign themselves, so a file damaged on the way is refused rather
than installed. A self-signature proves nothing about *who* made the file: that is what the
fingerprint is for, read aloud over the phone and compared before the key is trusted.

A file format and cryptography only (no database): the batch and acknowledgement formats of
``exchange/`` read the keys from here, and this module uses only ``exchange``'s byte-level
helpers (``canonical``, and ``safe_write`` through ``files``), so the two never import in a
circle.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from rumah_perisai.domain.timezones import ZONES
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.canonical import b64, canonical_json, load_json, unb64
from rumah_perisai.files import rename_new, write_new
from rumah_perisai.keys.post import fingerprint, load_private_key, private_pem, public_bytes

BRANCH_KEY_FORMAT = "rumah-perisai-branch-key"
POST_KEY_FORMAT = "rumah-perisai-post-key"
KEY_FILE_VERSION = 1
KEY_SIZE = 32

_POST_CODE = re.compile(r"[A-Z0-9]{3,12}")
_KABUPATEN = re.compile(r"[0-9]{2}\.[0-9]{2}")

BRANCH_PUBLIC_FILE = "branch-public-key.json"
BRANCH_ENCRYPTION_FILE = "branch-encryption-x25519.pem"
BRANCH_SIGNING_FILE = "branch-signing-ed25519.pem"


@dataclass(frozen=True)
class BranchPublicKey:
    """What a post knows of its branch: who it is and its two public keys."""

    code: str
    name: str
    demo: bool
    encryption_key: bytes  # X25519, raw
    signing_key: bytes  # Ed25519, raw

    @property
    def fingerprint(self) -> str:
        """SHA-256 over both keys: one number to compare by phone covers both."""
        return hashlib.sha256(self.encryption_key + self.signing_key).hexdigest()

    def content(self) -> dict[str, Any]:
        return {
            "format": BRANCH_KEY_FORMAT,
            "version": KEY_FILE_VERSION,
            "branch": {"code": self.code, "name": self.name},
            "demo": self.demo,
            "encryption_key": b64(self.encryption_key),
            "signing_key": b64(self.signing_key),
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class PostPublicKey:
    """What the branch (and other posts) know of a post: its code, name and signing key."""

    code: str
    name: str
    kabupaten_code: str
    timezone: str
    demo: bool
    signing_key: bytes  # Ed25519, raw

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_key)

    def content(self) -> dict[str, Any]:
        return {
            "format": POST_KEY_FORMAT,
            "version": KEY_FILE_VERSION,
            "post": {
                "code": self.code,
                "name": self.name,
                "kabupaten": self.kabupaten_code,
                "timezone": self.timezone,
            },
            "demo": self.demo,
            "signing_key": b64(self.signing_key),
            "fingerprint": self.fingerprint,
        }


def _signed_file(content: dict[str, Any], signer: Ed25519PrivateKey) -> bytes:
    signed = dict(content, signature=b64(signer.sign(canonical_json(content))))
    return (json.dumps(signed, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _read_signed(data: bytes, expected_format: str, what: str) -> tuple[dict[str, Any], bytes]:
    """The file's content (without its signature) and its signing key, or ``UserError``."""
    try:
        document = load_json(data)
    except ValueError as error:
        raise UserError("key_file_bad", what=what, reason="not JSON") from error
    if not isinstance(document, dict) or document.get("format") != expected_format:
        raise UserError("key_file_bad", what=what, reason=f"not a {expected_format} file")
    if document.get("version") != KEY_FILE_VERSION:
        raise UserError("key_file_newer", what=what, version=document.get("version"))
    content = {k: v for k, v in document.items() if k != "signature"}
    try:
        signing_key = unb64(document.get("signing_key"), KEY_SIZE)
        signature = unb64(document.get("signature"), 64)
        Ed25519PublicKey.from_public_bytes(signing_key).verify(signature, canonical_json(content))
    except (ValueError, InvalidSignature) as error:
        raise UserError("key_file_bad", what=what, reason="damaged (signature)") from error
    return content, signing_key


def _text(content: dict[str, Any], section: str, field: str, longest: int = 100) -> str:
    # Self-signed files can be made by anyone: every field is checked for its type and size.
    part = content.get(section)
    value = part.get(field) if isinstance(part, dict) else None
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > longest:
        raise UserError("key_file_bad", what=section, reason=f"{section}.{field}")
    return value.strip()


def _post_fields(content: dict[str, Any]) -> tuple[str, str, str, str]:
    """Code, name, kabupaten code and time zone, each as a post can have them."""
    code = _text(content, "post", "code", 12)
    kabupaten = _text(content, "post", "kabupaten", 5)
    timezone = _text(content, "post", "timezone", 4)
    if not _POST_CODE.fullmatch(code) or not _KABUPATEN.fullmatch(kabupaten):
        raise UserError("key_file_bad", what="post", reason="post.code")
    if timezone not in ZONES:
        raise UserError("key_file_bad", what="post", reason="post.timezone")
    return code, _text(content, "post", "name"), kabupaten, timezone


def branch_key_file(key: BranchPublicKey, signer: Ed25519PrivateKey) -> bytes:
    return _signed_file(key.content(), signer)


def read_branch_key_file(data: bytes) -> BranchPublicKey:
    content, signing_key = _read_signed(data, BRANCH_KEY_FORMAT, "branch")
    try:
        encryption_key = unb64(content.get("encryption_key"), KEY_SIZE)
    except ValueError as error:
        raise UserError("key_file_bad", what="branch", reason="encryption key") from error
    key = BranchPublicKey(
        code=_text(content, "branch", "code", 16),
        name=_text(content, "branch", "name", 200),
        demo=content.get("demo") is True,
        encryption_key=encryption_key,
        signing_key=signing_key,
    )
    if content.get("fingerprint") != key.fingerprint:
        raise UserError("key_file_bad", what="branch", reason="fingerprint")
    return key


def post_key_file(key: PostPublicKey, signer: Ed25519PrivateKey) -> bytes:
    if public_bytes(signer) != key.signing_key:
        raise ValueError("a post key file is signed with the post's own key")
    return _signed_file(key.content(), signer)


def read_post_key_file(data: bytes) -> PostPublicKey:
    content, signing_key = _read_signed(data, POST_KEY_FORMAT, "post")
    return _post_key(content, signing_key)


def post_key_from_content(content: object) -> PostPublicKey:
    """A post's key as another signed file carries it (an acknowledgement lists the branch's
    posts), checked as its own key file would be; ``UserError`` otherwise."""
    if not isinstance(content, dict):
        raise UserError("key_file_bad", what="post", reason="not a post key")
    try:
        signing_key = unb64(content.get("signing_key"), KEY_SIZE)
    except ValueError as error:
        raise UserError("key_file_bad", what="post", reason="signing key") from error
    return _post_key(content, signing_key)


def _post_key(content: dict[str, Any], signing_key: bytes) -> PostPublicKey:
    code, name, kabupaten, timezone = _post_fields(content)
    key = PostPublicKey(
        code=code,
        name=name,
        kabupaten_code=kabupaten,
        timezone=timezone,
        demo=content.get("demo") is True,
        signing_key=signing_key,
    )
    if content.get("fingerprint") != key.fingerprint:
        raise UserError("key_file_bad", what="post", reason="fingerprint")
    return key


@dataclass(frozen=True)
class BranchKeys:
    """The branch's key pair set, kept in its data folder's ``keys/``."""

    public: BranchPublicKey
    encryption: X25519PrivateKey
    signing: Ed25519PrivateKey


def create_branch_keys(keys_dir: Path, code: str, name: str, *, demo: bool) -> BranchKeys:
    """Make the branch's keys and its public key file; refuses to replace existing ones. All
    three files are made or none (see ``_write_all``)."""
    finals = [keys_dir / name for name in (BRANCH_ENCRYPTION_FILE, BRANCH_SIGNING_FILE)]
    finals.append(keys_dir / BRANCH_PUBLIC_FILE)
    for final in finals:
        if final.exists():
            raise UserError("key_exists", path=str(final))
    encryption = X25519PrivateKey.generate()
    signing = Ed25519PrivateKey.generate()
    public = BranchPublicKey(
        code=code,
        name=name,
        demo=demo,
        encryption_key=encryption.public_key().public_bytes_raw(),
        signing_key=public_bytes(signing),
    )
    contents = [
        (private_pem(encryption), 0o600),  # the private keys: their owner only
        (private_pem(signing), 0o600),
        (branch_key_file(public, signing), 0o644),
    ]
    _write_all(keys_dir, list(zip(finals, contents, strict=True)))
    return BranchKeys(public, encryption, signing)


def _write_all(keys_dir: Path, files: list[tuple[Path, tuple[bytes, int]]]) -> None:
    """Every file or none. Each is written and synced under a temporary name, then each gets
    its final name, the public key file last (it is what makes a folder a branch). A folder
    that fails half-way (full, locked, pulled out) keeps nothing of it, so the command can
    simply be run again."""
    made_folder = not keys_dir.exists()
    # This run's own temporary names: two runs at once never write into, or delete, each
    # other's (the first to place the first file wins; the other finds it and stops).
    mine = f"{os.getpid()}-{secrets.token_hex(4)}"
    temporaries = [final.with_name(f".{final.name}.{mine}.partial") for final, _content in files]
    placed: list[Path] = []
    try:
        keys_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a file in its place, a locked data folder
        reason = error.strerror or str(error)
        raise UserError("data_dir_unwritable", path=str(keys_dir), reason=reason) from error
    try:
        for temporary, (_final, (data, mode)) in zip(temporaries, files, strict=True):
            write_new(temporary, data, mode)
        for temporary, (final, _content) in zip(temporaries, files, strict=True):
            rename_new(temporary, final)
            placed.append(final)
    except BaseException as error:
        for path in (*temporaries, *placed):
            with contextlib.suppress(OSError):
                path.unlink()
        if made_folder:
            with contextlib.suppress(OSError):
                keys_dir.rmdir()
        if isinstance(error, FileExistsError):  # another run made its keys meanwhile
            where = error.filename2 or error.filename  # link and rename name the target second
            raise UserError("key_exists", path=str(where)) from error
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            raise UserError("data_dir_unwritable", path=str(keys_dir), reason=reason) from error
        raise


def load_branch_keys(keys_dir: Path) -> BranchKeys:
    path = keys_dir / BRANCH_PUBLIC_FILE
    try:
        public = read_branch_key_file(path.read_bytes())
    except OSError as error:
        raise UserError("key_unreadable", path=str(path), reason=str(error)) from error
    encryption = load_private_key(keys_dir / BRANCH_ENCRYPTION_FILE)
    signing = load_private_key(keys_dir / BRANCH_SIGNING_FILE)
    if not isinstance(encryption, X25519PrivateKey) or not isinstance(signing, Ed25519PrivateKey):
        raise UserError("key_unreadable", path=str(keys_dir), reason="wrong key type")
    if (
        encryption.public_key().public_bytes_raw() != public.encryption_key
        or public_bytes(signing) != public.signing_key
    ):
        raise UserError("key_unreadable", path=str(keys_dir), reason="keys do not match")
    return BranchKeys(public, encryption, signing)
