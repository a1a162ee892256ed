"""Helpers for the tests of a post under load (issue 14): the real clock, short waits for the
write lock, and another program holding it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlcipher3
from sqlalchemy import event

from rumah_perisai.app import App
from rumah_perisai.db import engine as engine_module

SHORT_WAIT_MS = 300


class RealClock:
    """The computer's own clock: races need time that moves by itself."""

    def __call__(self) -> datetime:
        return datetime.now(UTC)


def shorten_waits(app: App, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """A writer gives up after 0.3 s instead of 10 (SQLite busy timeout, PostgreSQL lock
    timeout): what a real post sees after 10 s, seen at once. Returns the undo."""
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", SHORT_WAIT_MS)
    engine = app.db.engine

    def lock_timeout(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = '{SHORT_WAIT_MS}ms'")
        cursor.close()
        dbapi_connection.commit()

    postgresql = engine.dialect.name == "postgresql"
    if postgresql:
        event.listen(engine, "connect", lock_timeout)
    engine.dispose()  # the pooled connections still wait 10 s

    def undo() -> None:
        if postgresql:
            event.remove(engine, "connect", lock_timeout)

    return undo


def hold_write_lock(app: App) -> Callable[[], None]:
    """Another program takes the write lock (and keeps it until the returned call)."""
    url = app.db.engine.url
    if url.get_backend_name() == "sqlite":
        other = sqlcipher3.connect(str(url.database), isolation_level=None)
        if url.password:  # the post's own file is encrypted: the same key
            other.execute(f'PRAGMA key = "{url.password}"')
        other.execute("BEGIN IMMEDIATE")

        def release_sqlite() -> None:
            other.execute("ROLLBACK")
            other.close()

        return release_sqlite
    import psycopg

    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    holder = psycopg.connect(conninfo)
    holder.execute("SELECT value FROM counters WHERE scope = '' AND name = 'change' FOR UPDATE")

    def release_postgresql() -> None:
        holder.rollback()
        holder.close()

    return release_postgresql
