"""The post's own database file, encrypted at rest with SQLCipher.

Why SQLCipher (through SQLAlchemy's ``sqlite+pysqlcipher`` dialect and the ``sqlcipher3-wheels``
package): it is SQLite itself with each page encrypted (AES-256) and authenticated (HMAC-SHA512),
so WAL, the online backup API, FTS and every query the program runs stay as they are, and the
package ships wheels for Windows and Linux built against OpenSSL. The key is a raw 32-byte key
(``PRAGMA key = "x'…'"``): no passphrase derivation on every connection.

A post made by an older program has a plain SQLite file; it is converted at the first start: an
encrypted copy is written beside it, checked (integrity, every table's rows), synced, and only then
renamed over the plain file, so a stop at any moment leaves either the plain file or the whole
encrypted one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

import sqlcipher3

from rumah_perisai.config import DataFolder
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.safe_write import sync_directory, sync_file
from rumah_perisai.vault import database_key, ensure_database_key, folder_lock, read_record

log = logging.getLogger(__name__)

PLAIN_HEADER = b"SQLite format 3\x00"
CONVERTING_SUFFIX = ".encrypting"
DRIVER = "sqlite+pysqlcipher"

# Errors of either SQLite module (the plain one of the standard library, SQLCipher's own).
SQLITE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, sqlcipher3.Error)
SQLITE_DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.DatabaseError,
    sqlcipher3.DatabaseError,
)


def key_pragma(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def url_password(key: bytes) -> str:
    """The key as the dialect passes it to ``PRAGMA key`` (a raw key, not a passphrase)."""
    return f"x'{key.hex()}'"


def is_plain(path: Path) -> bool:
    """Whether ``path`` is an unencrypted SQLite database (its first 16 bytes say so)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except OSError:
        return False


def connect(path: Path, key: bytes) -> Any:
    """A raw SQLCipher connection to ``path`` with ``key`` (backups, checks, tests)."""
    connection = sqlcipher3.connect(str(path), timeout=10, isolation_level=None)
    connection.execute(key_pragma(key))
    return connection


def prepare(folder: DataFolder) -> bytes:
    """Get the folder's database ready to open encrypted, and return its key.

    A new folder gets a key; a plain database is converted; an encrypted one needs this
    computer's key (``db_key_missing``) and must open with it (``db_key_wrong``).
    """
    path = folder.database
    with folder_lock(folder):
        _remove(path.with_name(path.name + CONVERTING_SUFFIX))  # left by a stopped conversion
        if not path.exists() or path.stat().st_size == 0:
            return ensure_database_key(folder)
        if is_plain(path):
            key = ensure_database_key(folder)
            convert(path, key)
            _convert_plain_backups(folder, key)
            return key
        if read_record(folder) is None:  # neither plain nor ours: a copied or damaged file
            raise UserError("db_corrupt", path=str(path))
        key = database_key(folder)
        _check_opens(path, key)
        return key


def _check_opens(path: Path, key: bytes) -> None:
    connection = connect(path, key)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as error:
        raise UserError("db_key_wrong", path=str(path)) from error
    finally:
        connection.close()


def convert(path: Path, key: bytes) -> None:
    """Replace the plain database at ``path`` by an encrypted copy, checked before it replaces."""
    target = path.with_name(path.name + CONVERTING_SUFFIX)
    _remove(target)
    plain = sqlcipher3.connect(str(path), timeout=10, isolation_level=None)  # no key: plain
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        expected = _row_counts(plain, "main")
        plain.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(target),))
        plain.execute("SELECT sqlcipher_export('encrypted')")
        version = plain.execute("PRAGMA main.user_version").fetchone()[0]
        plain.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        plain.execute("DETACH DATABASE encrypted")
    finally:
        plain.close()  # the last connection: SQLite folds the WAL in and removes it
    _check_copy(target, key, expected)
    sync_file(target)
    os.replace(target, path)
    for suffix in ("-wal", "-shm", "-journal"):
        _remove(path.with_name(path.name + suffix))
    sync_directory(path.parent)
    log.info("the database was converted to an encrypted one")


def _row_counts(connection: Any, schema: str) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {
        name: connection.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0]
        for name in names
    }


def _check_copy(target: Path, key: bytes, expected: dict[str, int]) -> None:
    copy = connect(target, key)
    try:
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise UserError("db_convert_failed", path=str(target))
        if _row_counts(copy, "main") != expected:
            raise UserError("db_convert_failed", path=str(target))
    finally:
        copy.close()


def _convert_plain_backups(folder: DataFolder, key: bytes) -> None:
    """Copies an older program made before upgrading its schema are plain too: encrypt them."""
    if not folder.backups.is_dir():
        return
    for candidate in sorted(folder.backups.glob("*.sqlite3")):
        if is_plain(candidate):
            convert(candidate, key)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def open_raw(folder: DataFolder, *, read_only: bool = False) -> Any:
    """A raw connection to the folder's own database with this computer's key (checks, tools and
    tests that look at the file behind the program's back)."""
    key = database_key(folder)
    target = f"file:{folder.database.as_posix()}?mode=ro" if read_only else str(folder.database)
    connection = sqlcipher3.connect(target, timeout=10, isolation_level=None, uri=read_only)
    connection.execute(key_pragma(key))
    return connection


def folder_engine_key(folder: DataFolder, url: str) -> bytes | None:
    """The key to open ``url`` with: the folder's when it names the folder's own file."""
    from rumah_perisai.db.engine import is_folder_database

    return database_key(folder) if is_folder_database(folder, url) else None
