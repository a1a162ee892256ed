"""Opening a database: the embedded SQLite file of a post, or the branch's PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from rumah_perisai.config import DataFolder
from rumah_perisai.db.encrypted import SQLITE_DATABASE_ERRORS, SQLITE_ERRORS
from rumah_perisai.errors import UserError

SQLITE_BUSY_TIMEOUT_MS = 10_000

# Execution option naming the statement that starts a transaction on SQLite. Writers use
# "BEGIN IMMEDIATE" so they queue on the busy timeout up front instead of failing half-way.
SQLITE_BEGIN = "sqlite_begin"

CLIENT_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                     "keepalives_count": 3}  # fmt: skip


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions start (the pysqlite driver's
    # own handling defers BEGIN and breaks SAVEPOINT and read consistency).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # WAL: readers (lists, dashboards) never block the writer. synchronous=FULL: a power cut
        # right after a receipt is committed must not lose it (the number is already on paper).
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    conn.exec_driver_sql(conn.get_execution_options().get(SQLITE_BEGIN, "BEGIN"))


def make_engine(url: str, *, key: bytes | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the pragmas and transaction handling this program relies on.

    With ``key``, ``url`` names a SQLite file encrypted with it (SQLCipher; see ``encrypted``).
    A URL that cannot be parsed or names an unknown driver is a ``UserError``.
    """
    try:
        parsed = make_url(url)
        if key is not None:
            parsed, kwargs = _encrypted(parsed, key, kwargs)
        if parsed.get_backend_name() == "postgresql":
            kwargs = _with_keepalives(parsed.query, kwargs)
        # hide_parameters: an error's text then never quotes a NIK or a name into a crash log.
        engine = create_engine(parsed, **{"hide_parameters": True, **kwargs})
    except (exc.ArgumentError, exc.NoSuchModuleError, ValueError) as error:
        raise UserError("db_url_invalid", url=_safe(url), reason=_first_line(error)) from error
    except ImportError as error:  # a dialect whose driver is not installed, e.g. psycopg
        raise UserError("db_url_invalid", url=_safe(url), reason=_first_line(error)) from error
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _encrypted(parsed: URL, key: bytes, kwargs: dict[str, Any]) -> tuple[URL, dict[str, Any]]:
    from rumah_perisai.db.encrypted import DRIVER, url_password

    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise ValueError("only a SQLite file is encrypted with a key")
    url = URL.create(DRIVER, password=url_password(key), database=parsed.database)
    # The dialect would pick a pool of one connection per thread; the program's threads (a
    # worker exporting, the window reading) need the same pool a plain file gets.
    return url, {"poolclass": QueuePool, **kwargs}


def _with_keepalives(query: Mapping[str, Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """libpq's TCP keepalives, unless the address sets its own: a branch whose server vanished
    (network cut, power) gives up in about a minute instead of the system's two hours."""
    connect_args = dict(kwargs.get("connect_args", {}))
    for name, value in CLIENT_KEEPALIVES.items():
        if name not in query:
            connect_args.setdefault(name, value)
    return {**kwargs, "connect_args": connect_args}


def writer(engine: Engine) -> Engine:
    """The same engine, starting its transactions as writers (``BEGIN IMMEDIATE`` on SQLite)."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{SQLITE_BEGIN: "BEGIN IMMEDIATE"})


def snapshot(engine: Engine) -> Engine:
    """The same engine, its transactions each seeing one moment (REPEATABLE READ on
    PostgreSQL; a SQLite read transaction already does)."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="REPEATABLE READ")


def describe_operational_error(url: str, error: exc.DBAPIError) -> UserError:
    """Turn a driver error met while opening a database into a message the user can act on."""
    original = error.orig
    text = _first_line(original) if original is not None else _first_line(error)
    if isinstance(original, SQLITE_DATABASE_ERRORS):
        lowered = text.lower()
        if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
            return UserError("db_corrupt", path=_sqlite_path(url))
    refusal = refusal_for(url, error)
    if refusal is not None:
        return refusal
    return UserError("db_unreachable", url=_safe(url), reason=text)


# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_FULL = 5, 6, 13
# PostgreSQL: a lock not granted within lock_timeout (or NOWAIT).
_PG_LOCK_NOT_AVAILABLE = "55P03"


def refusal_for(url: str, error: exc.DBAPIError) -> UserError | None:
    """The refusal a user can act on for a driver error that is no bug, else None.

    Another writer holding the database past the busy (lock) timeout is ``db_busy``: nothing
    was changed and the same operation can simply be tried again. A full disk under the post's
    SQLite file is ``computer_disk_full``.
    """
    original = error.orig
    if isinstance(original, SQLITE_ERRORS):
        code = getattr(original, "sqlite_errorcode", None)
        text = str(original).lower()
        primary = code & 0xFF if isinstance(code, int) else None
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in text or "busy" in text:
            return UserError("db_busy")
        if primary == _SQLITE_FULL or "disk is full" in text:
            return UserError("computer_disk_full", path=str(_sqlite_folder(url)))
        return None
    if getattr(original, "sqlstate", None) == _PG_LOCK_NOT_AVAILABLE:
        return UserError("db_busy")
    return None


def _sqlite_folder(url: str) -> Path:
    return Path(_sqlite_path(url)).parent


def _sqlite_path(url: str) -> str:
    try:
        return make_url(url).database or url
    except exc.ArgumentError:
        return url


def _safe(url: str) -> str:
    """The URL without its password, fit to print and log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (exc.ArgumentError, ValueError):
        return url


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def is_folder_database(folder: DataFolder, url: str) -> bool:
    """Whether ``url`` names the data folder's own SQLite file (the one kept encrypted)."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        return False
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return False
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return False
    return Path(parsed.database).resolve() == folder.database.resolve()
