"""The keys that keep a post's data unreadable at rest, and the ways back to them.

* The **database key**: 32 random bytes; the post's SQLite file is encrypted with it (SQLCipher,
  AES-256 per page with an HMAC). It is kept in this computer's protected store for the user
  (Windows' Credential Manager, the Secret Service on Linux, the macOS keychain, through
  ``keyring``). Where there is none (a headless Linux, CI) it is kept in a key file readable only by
  the user, *outside* the data folder (``key_dir``): a copy of the data folder alone then still
  reads nothing, but the window says the data is less protected.
* The data folder's ``vault.json`` holds no secret in clear: the folder's id (which names the key
  in the store) and two **wraps** of the database key: one by the post's **recovery code** (given to
  the coordinator once, scrypt + AES-256-GCM) and one to the **branch's** X25519 key (as batches
  are), so a post whose code is lost can still be recovered with the branch's help. Backups carry
  the same wraps in their header.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from rumah_perisai.config import APP_NAME, DataFolder
from rumah_perisai.errors import UserError

log = logging.getLogger(__name__)

KEY_SIZE = 32
VAULT_FILE = "vault.json"
VAULT_FORMAT = 1
KEYRING_SERVICE = "Rumah Perisai"
ENV_KEY_DIR = "RUMAH_PERISAI_KEY_DIR"  # where key files go when there is no OS store
ENV_KEY_STORE = "RUMAH_PERISAI_KEY_STORE"  # "file": never use the OS store (tests, CI)

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand has no look-alikes.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_RANDOM_CHARS = 24  # 120 bits
CODE_GROUP = 5
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})

# scrypt at 32 MiB and ~0.1 s: a stolen vault.json costs an attacker that per guess of 120 bits.
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_SCRYPT_N_ALLOWED = {2**14, 2**15, 2**16, 2**17}  # a hostile header must not ask for 64 GiB
_RECOVERY_SCHEME = "scrypt-aes-256-gcm"
_BRANCH_SCHEME = "x25519-hkdf-sha256-aes-256-gcm"
_AAD = b"rumah-perisai database key v1|"


class Protection(StrEnum):
    """Where this computer keeps a data folder's database key."""

    OS = "os"  # the operating system's protected store for the user
    FILE = "file"  # a key file outside the data folder: less protected


# --- the key on this computer ----------------------------------------------------------------


def key_dir(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(ENV_KEY_DIR):
        return Path(env[ENV_KEY_DIR]).expanduser()
    config = platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=False)
    return Path(config) / "database-keys"


def _vault_path(folder: DataFolder) -> Path:
    return folder.root / VAULT_FILE


def read_record(folder: DataFolder) -> dict[str, Any] | None:
    """The folder's ``vault.json``, or None when there is none (a folder never opened)."""
    try:
        raw = json.loads(_vault_path(folder).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise UserError("vault_unreadable", path=str(_vault_path(folder))) from error
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise UserError("vault_unreadable", path=str(_vault_path(folder)))
    return raw


def _write_record(folder: DataFolder, record: dict[str, Any]) -> None:
    """Replace ``vault.json`` whole: a temporary file, synced, then renamed over."""
    path = _vault_path(folder)
    tmp = path.with_name(f".{VAULT_FILE}.{os.getpid()}.tmp")
    data = (json.dumps(record, indent=2, sort_keys=True) + "\n").encode("utf-8")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _keyring() -> Any | None:
    """The OS store through ``keyring``, or None where there is none usable."""
    if os.environ.get(ENV_KEY_STORE) == "file":
        return None
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception as error:  # a broken store is the same as none: the key file
        # The type only: a store's error text can name the Windows account or its home folder.
        log.warning("no usable key store (%s)", type(error).__name__)
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return backend


def _entry_name(vault_id: str) -> str:
    return f"database-key-{vault_id}"


def _key_file(vault_id: str) -> Path:
    return key_dir() / f"{vault_id}.key"


def _store_key(vault_id: str, key: bytes) -> Protection:
    backend = _keyring()
    if backend is not None:
        try:
            backend.set_password(KEYRING_SERVICE, _entry_name(vault_id), key.hex())
            if backend.get_password(KEYRING_SERVICE, _entry_name(vault_id)) == key.hex():
                return Protection.OS
        except Exception as error:  # e.g. a locked Secret Service: the key file
            log.warning("the key store refused the key (%s); a key file", type(error).__name__)
    path = _key_file(vault_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(OSError):
        os.chmod(path.parent, 0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.hex().encode("ascii"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return Protection.FILE


def _load_key(vault_id: str) -> tuple[bytes, Protection] | None:
    backend = _keyring()
    if backend is not None:
        try:
            text = backend.get_password(KEYRING_SERVICE, _entry_name(vault_id))
        except Exception as error:  # an unreadable store: try the key file
            log.warning("the key store could not be read (%s)", type(error).__name__)
            text = None
        key = _parse_key(text)
        if key is not None:
            return key, Protection.OS
    try:
        text = _key_file(vault_id).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
    key = _parse_key(text)
    return (key, Protection.FILE) if key is not None else None


def _parse_key(text: str | None) -> bytes | None:
    if not text:
        return None
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        return None
    return key if len(key) == KEY_SIZE else None


@contextmanager
def folder_lock(folder: DataFolder) -> Iterator[None]:
    """One process at a time sets up or converts a folder's encryption.

    A lock held by SQLite on a tiny file of its own: it works the same on Windows and Linux and is
    let go by the system when a process dies, so a killed start never blocks the next one.
    """
    folder.root.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(folder.root / ".vault-lock", timeout=60, isolation_level=None)
    try:
        try:
            connection.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as error:  # another start held it for a minute
            raise UserError("db_busy") from error
        yield
    finally:
        connection.close()  # ends the transaction (rollback): the lock is let go


def ensure_database_key(folder: DataFolder) -> bytes:
    """The folder's key, made and stored now if the folder has none yet."""
    record = read_record(folder)
    if record is not None:
        return database_key(folder)
    key = secrets.token_bytes(KEY_SIZE)
    vault_id = uuid.uuid4().hex
    protection = _store_key(vault_id, key)
    # The key is stored before the record that names it: a stop in between leaves an orphan key,
    # never a record whose key is lost.
    _write_record(folder, _new_record(vault_id, protection))
    log.info("database key made (kept in the %s store)", protection.value)
    return key


def _new_record(vault_id: str, protection: Protection) -> dict[str, Any]:
    return {
        "format": VAULT_FORMAT,
        "id": vault_id,
        "store": protection.value,
        "recovery": None,
        "branch": None,
    }


def database_key(folder: DataFolder) -> bytes:
    """The key of this data folder's database on this computer (``db_key_missing`` if none)."""
    record = read_record(folder)
    found = _load_key(record["id"]) if record is not None else None
    if found is None:
        raise UserError("db_key_missing", path=str(folder.root))
    return found[0]


def key_protection(folder: DataFolder) -> Protection:
    """Where this computer keeps the folder's key (FILE: the window says it is less protected)."""
    record = read_record(folder)
    found = _load_key(record["id"]) if record is not None else None
    if found is None:
        return Protection.OS if _keyring() is not None else Protection.FILE
    return found[1]


def install_database_key(folder: DataFolder, key: bytes, record: dict[str, Any]) -> None:
    """Keep ``key`` on this computer for ``folder`` (a restore on a new laptop).

    ``record`` is the restored post's recovery record (``recovery_record``: id and wraps); it
    becomes the folder's ``vault.json``.
    """
    if len(key) != KEY_SIZE:
        raise ValueError("a database key is 32 bytes")
    vault_id = _record_id(record)
    protection = _store_key(vault_id, key)
    new = _new_record(vault_id, protection)
    new["recovery"] = record.get("recovery")
    new["branch"] = record.get("branch")
    _write_record(folder, new)


def _record_id(record: dict[str, Any]) -> str:
    vault_id = record.get("id")
    if not isinstance(vault_id, str) or len(vault_id) != 32:
        raise UserError("backup_damaged")
    try:
        int(vault_id, 16)
    except ValueError as error:
        raise UserError("backup_damaged") from error
    return vault_id


# --- the recovery code --------------------------------------------------------------------------


def new_recovery_code() -> str:
    """24 random characters and a check character, in five groups of five: ``7KQ2M-9XD4A-…``."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_RANDOM_CHARS))
    return _grouped(body + _check_char(body))


def _check_char(body: str) -> str:
    total = sum((i + 1) * CODE_ALPHABET.index(c) for i, c in enumerate(body))
    return CODE_ALPHABET[total % len(CODE_ALPHABET)]


def _grouped(code: str) -> str:
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalise_code(text: str) -> str:
    """A code as typed (spaces, dashes, small letters, O for 0, I or L for 1) in its one form.

    A code with a wrong character or of the wrong length is ``recovery_code_bad_form``: a typo is
    told apart from a wrong code by the check character.
    """
    body = "".join(text.split()).replace("-", "").upper().translate(_LOOK_ALIKES)
    if len(body) != CODE_RANDOM_CHARS + 1 or any(c not in CODE_ALPHABET for c in body):
        raise UserError("recovery_code_bad_form")
    if _check_char(body[:-1]) != body[-1]:
        raise UserError("recovery_code_bad_form")
    return _grouped(body)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object, length: int | None = None) -> bytes:
    if not isinstance(value, str) or len(value) > 200:
        raise UserError("backup_damaged")
    try:
        data = base64.b64decode(value, validate=True)
    except ValueError as error:
        raise UserError("backup_damaged") from error
    if length is not None and len(data) != length:
        raise UserError("backup_damaged")
    return data


def _scrypt(code: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    secret = normalise_code(code).replace("-", "").encode("ascii")
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(secret)


def wrap_with_code(key: bytes, code: str, context: bytes) -> dict[str, Any]:
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    kek = _scrypt(code, salt, **_SCRYPT)
    return {
        "scheme": _RECOVERY_SCHEME,
        **_SCRYPT,
        "salt": _b64(salt),
        "nonce": _b64(nonce),
        "wrapped": _b64(AESGCM(kek).encrypt(nonce, key, _AAD + context)),
    }


def unwrap_with_code(wrap: dict[str, Any], code: str, context: bytes) -> bytes:
    """The key in ``wrap``; ``recovery_code_wrong`` when ``code`` does not open it."""
    code = normalise_code(code)  # a typo is told before the slow part
    if not isinstance(wrap, dict) or wrap.get("scheme") != _RECOVERY_SCHEME:
        raise UserError("backup_damaged")
    n, r, p = wrap.get("n"), wrap.get("r"), wrap.get("p")
    if n not in _SCRYPT_N_ALLOWED or r != 8 or p != 1:
        raise UserError("backup_damaged")
    assert isinstance(n, int)
    kek = _scrypt(code, _unb64(wrap.get("salt"), 16), n, 8, 1)
    return _open(kek, wrap, context, "recovery_code_wrong")


def _open(kek: bytes, wrap: dict[str, Any], context: bytes, wrong: str) -> bytes:
    nonce = _unb64(wrap.get("nonce"), 12)
    sealed = _unb64(wrap.get("wrapped"), KEY_SIZE + 16)
    try:
        return AESGCM(kek).decrypt(nonce, sealed, _AAD + context)
    except InvalidTag as error:
        raise UserError(wrong) from error


def _branch_kek(shared: bytes, ephemeral: bytes, branch_key: bytes) -> bytes:
    info = b"rumah-perisai backup key v1|" + ephemeral + branch_key
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


def wrap_for_branch(key: bytes, branch_encryption_key: bytes, context: bytes) -> dict[str, Any]:
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(branch_encryption_key))
    kek = _branch_kek(shared, ephemeral_public, branch_encryption_key)
    nonce = secrets.token_bytes(12)
    return {
        "scheme": _BRANCH_SCHEME,
        "branch_key": _b64(branch_encryption_key),
        "ephemeral": _b64(ephemeral_public),
        "nonce": _b64(nonce),
        "wrapped": _b64(AESGCM(kek).encrypt(nonce, key, _AAD + context)),
    }


def unwrap_as_branch(wrap: dict[str, Any], branch_key: X25519PrivateKey, context: bytes) -> bytes:
    """The key in ``wrap`` opened with the branch's private key (``backup_not_for_this_branch``
    when it was wrapped for another branch)."""
    if not isinstance(wrap, dict) or wrap.get("scheme") != _BRANCH_SCHEME:
        raise UserError("backup_damaged")
    ours = branch_key.public_key().public_bytes_raw()
    if _unb64(wrap.get("branch_key"), 32) != ours:
        raise UserError("backup_not_for_this_branch")
    ephemeral = _unb64(wrap.get("ephemeral"), 32)
    try:
        shared = branch_key.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    except ValueError as error:  # an all-zero point
        raise UserError("backup_damaged") from error
    return _open(_branch_kek(shared, ephemeral, ours), wrap, context, "backup_not_for_this_branch")


# --- the folder's recovery record ----------------------------------------------------------------


def _context(vault_id: str) -> bytes:
    return vault_id.encode("ascii")


def _require_record(folder: DataFolder) -> dict[str, Any]:
    record = read_record(folder)
    if record is None:
        raise UserError("db_key_missing", path=str(folder.root))
    return record


def set_recovery_code(folder: DataFolder, code: str) -> None:
    """(Re)wrap the folder's key with ``code``: at set-up and when a coordinator re-issues it.
    The old code stops opening this folder's key and every backup made from now on."""
    key = ensure_database_key(folder)
    record = _require_record(folder)
    record["recovery"] = wrap_with_code(key, code, _context(record["id"]))
    _write_record(folder, record)


def check_recovery_code(folder: DataFolder, code: str) -> bool:
    """Whether ``code`` is this post's recovery code (a badly formed one is refused)."""
    record = _require_record(folder)
    wrap = record.get("recovery")
    if not isinstance(wrap, dict):
        return False
    try:
        unwrap_with_code(wrap, code, _context(record["id"]))
    except UserError as error:
        if error.key == "recovery_code_wrong":
            return False
        raise
    return True


def set_branch_wrap(folder: DataFolder, branch_encryption_key: bytes) -> None:
    """Wrap the folder's key for the branch; nothing is written when it already is for this key."""
    key = ensure_database_key(folder)
    record = _require_record(folder)
    current = record.get("branch")
    if isinstance(current, dict) and current.get("branch_key") == _b64(branch_encryption_key):
        return
    record["branch"] = wrap_for_branch(key, branch_encryption_key, _context(record["id"]))
    _write_record(folder, record)


def recovery_record(folder: DataFolder) -> dict[str, Any]:
    """What a backup carries in clear to be opened elsewhere: the id and the two wraps."""
    record = _require_record(folder)
    return {"id": record["id"], "recovery": record.get("recovery"), "branch": record.get("branch")}


def unlock_with_code(record: dict[str, Any], code: str) -> bytes:
    """The database key from a recovery record (e.g. a backup's header) and the recovery code."""
    wrap = record.get("recovery")
    if not isinstance(wrap, dict):
        raise UserError("recovery_code_none")
    return unwrap_with_code(wrap, code, _context(_record_id(record)))


def unlock_as_branch(record: dict[str, Any], branch_key: X25519PrivateKey) -> bytes:
    """The database key from a recovery record with the branch's private key."""
    wrap = record.get("branch")
    if not isinstance(wrap, dict):
        raise UserError("backup_not_for_this_branch")
    return unwrap_as_branch(wrap, branch_key, _context(_record_id(record)))


def rewrap_record(record: dict[str, Any], key: bytes, code: str) -> dict[str, Any]:
    """``record`` with its recovery wrap replaced by one for ``code`` (the branch's one-time code
    for a recovered post); the branch wrap is kept."""
    return {**record, "recovery": wrap_with_code(key, code, _context(_record_id(record)))}
