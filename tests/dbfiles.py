"""Looking at a post's database file behind the program's back, as a dishonest owner would.

The folder's own file is encrypted: these open it with the key this computer holds for it, the
way the program does, so a test that edits it edits the real thing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Engine

from rumah_perisai.config import DataFolder
from rumah_perisai.db.encrypted import folder_engine_key, open_raw
from rumah_perisai.db.engine import make_engine

__all__ = ["content_digest", "engine_for", "open_raw"]


def engine_for(folder: DataFolder, url: str, **kwargs: Any) -> Engine:
    """An engine on ``url``: keyed when it is the folder's own (encrypted) file."""
    return make_engine(url, key=folder_engine_key(folder, url), **kwargs)


def content_digest(connection: Any) -> str:
    """A digest of every table's rows (SQLCipher's connection has no ``iterdump``)."""
    digest = hashlib.sha256()
    tables = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ).fetchall()
    for name, sql in tables:
        digest.update(f"{name}\n{sql}\n".encode())
        for row in sorted(repr(row) for row in connection.execute(f'SELECT * FROM "{name}"')):
            digest.update(row.encode())
    return digest.hexdigest()
