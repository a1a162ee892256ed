"""An import's transaction at the branch: the import lock taken at once or refused
(``import_running``), and on PostgreSQL the server told to stop a vanished client's work and to
leave the import's tables' statistics alone until it ends."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from rumah_perisai.branch.upsert import IMPORT_ORDER, MODELS
from rumah_perisai.db.engine import refusal_for
from rumah_perisai.db.models import Counter
from rumah_perisai.db.raw import driver_results
from rumah_perisai.db.uow import (
    begin_operation,
    begin_operation_sql,
    begun_operation,
    note_written,
)
from rumah_perisai.errors import UserError

log = logging.getLogger(__name__)

# The advisory lock every import takes (``begin_import``): any number of this program's own.
IMPORT_LOCK = 0x52500E14
IMPORT_LOCK_WAIT = 10  # seconds a non-import writer holding the change counter is waited for
CLIENT_CHECK_MS = 2_000  # how often the server looks whether an import's client is still there
# The server's TCP keepalives on an import's connection: a client that vanished without closing
# its connection (power cut, cable) is given up after 30 + 3 × 10 s.
SERVER_KEEPALIVES = {"tcp_keepalives_idle": 30, "tcp_keepalives_interval": 10,
                     "tcp_keepalives_count": 3}  # fmt: skip


def begin_import(session: Session) -> int:
    """Start an import's transaction: take the branch's import lock and the change number, or
    refuse within seconds while another import holds them (``import_running``).

    Every writer takes the change-counter row (``begin_operation``) and keeps it to the end, so
    a second import used to wait there for as long as the first one ran — minutes, and longer
    when the first one's program had been killed and the server went on with its statement.
    On PostgreSQL the import first tries an advisory lock of its own (held to the end of the
    transaction; free again the moment the first import ends); a writer that is not an import
    holding the counter row is waited for at most ``IMPORT_LOCK_WAIT``. The server is also told
    to look for a vanished client every few seconds while a statement runs
    (``client_connection_check_interval``, PostgreSQL 14+, and TCP keepalives), so a killed
    import's statement stops and its locks are freed. On SQLite the write lock is taken first
    (``BEGIN IMMEDIATE``), waiting out the busy timeout."""
    try:
        connection = session.connection()  # SQLite: BEGIN IMMEDIATE, or "database is locked"
        if connection.dialect.name != "postgresql":
            return begin_operation(session)
        change_no, newest = _begin_on_postgresql(connection)
    except DBAPIError as error:
        refusal = refusal_for(str(session.get_bind().engine.url), error)
        if refusal is not None and refusal.key == "db_busy":  # a lock another import holds
            raise UserError("import_running") from error
        raise
    return begun_operation(session, change_no, newest)


def _begin_on_postgresql(connection: Connection) -> tuple[int, datetime | None]:
    """The import's first statements, sent as one text (one round trip instead of six; a week
    sends 400): the client watch (``_watch_client``), the advisory lock — not had, the block
    raises ``lock_not_available`` and nothing after it runs, as when it was asked on its own —
    the statistics held (``_hold_statistics``) and the change counter taken within
    ``IMPORT_LOCK_WAIT``, then the newest local record read for the clock rule
    (``uow.begun_operation``), after the counter, as ``begin_operation`` reads it. Returns the
    change number and that record's time."""
    take_change_number, read_newest_local = begin_operation_sql(connection.dialect)
    statements = [
        *_watch_client(connection),
        "DO $$BEGIN IF NOT pg_try_advisory_xact_lock("
        f"{IMPORT_LOCK}) THEN RAISE EXCEPTION 'another import is running'"
        " USING ERRCODE = 'lock_not_available'; END IF; END$$",
        # A manual VACUUM holding a table (autovacuum gives way by itself) is waited for no
        # longer than a writer holding the change counter.
        f"SET LOCAL lock_timeout = '{IMPORT_LOCK_WAIT}s'",
        _hold_statistics(),
        take_change_number,
        "SET LOCAL lock_timeout = DEFAULT",
        read_newest_local,
    ]
    # A driver's error raised as SQLAlchemy's: ``begin_import`` tells a lock not had.
    [(change_no,)], [(newest,)] = driver_results(connection, statements)
    note_written(connection, Counter.__tablename__)  # SQL text: noted as the ORM's would be
    return int(change_no), newest


def _watch_client(connection: Connection) -> list[str]:
    """The settings that have the server stop this transaction's work soon after its client is
    gone (killed, powered off, unplugged): it otherwise notices only when it next sends a
    result."""
    settings = [f"SET LOCAL {name} = {value}" for name, value in SERVER_KEEPALIVES.items()]
    if _checks_client(connection):
        settings.insert(0, f"SET LOCAL client_connection_check_interval = {CLIENT_CHECK_MS}")
    return settings


def _checks_client(connection: Connection) -> bool:
    """Whether the server takes ``client_connection_check_interval`` (PostgreSQL 14+, not on
    Windows): tried once per connection and remembered with it (the server does not change
    under a connection), so an import sends its settings in one round trip."""
    if (connection.dialect.server_version_info or (0,)) < (14,):
        return False
    known = connection.connection.info  # lives as long as the driver's connection
    if _CLIENT_CHECK not in known:
        # A server on a platform that cannot look (Windows) refuses any value but 0: in a
        # savepoint, so its refusal leaves the import's transaction as it was.
        try:
            with connection.begin_nested():
                connection.exec_driver_sql(
                    f"SET LOCAL client_connection_check_interval = {CLIENT_CHECK_MS}"
                )
            known[_CLIENT_CHECK] = True
        except DBAPIError:
            log.info("this server cannot check for a vanished client; TCP keepalives only")
            known[_CLIENT_CHECK] = False
    return bool(known[_CLIENT_CHECK])


_CLIENT_CHECK = "rumah_perisai.client_check"


def _hold_statistics() -> str:
    """The statement that lets no VACUUM or ANALYZE at the tables an import writes until it
    ends (autovacuum skips them; one already running is cancelled by the server within a
    second). They count only
    committed rows, none of those the import has inserted so far, and so record a table full
    of them as nearly empty: the import's later statements were then planned for empty tables
    (in the duplicate check, a scan of the table for each row: minutes instead of seconds).
    Readers and writers are not held up: this lock does not conflict with theirs."""
    names = ", ".join(MODELS[part].__tablename__ for part in IMPORT_ORDER)
    return f"LOCK TABLE {names} IN SHARE UPDATE EXCLUSIVE MODE"


__all__ = [
    "CLIENT_CHECK_MS",
    "IMPORT_LOCK",
    "IMPORT_LOCK_WAIT",
    "SERVER_KEEPALIVES",
    "begin_import",
]
