"""One unit of work per operation, with change numbers, the audit log and the clock rule built in.

Every service operation that changes data runs inside ``Database.unit_of_work(actor)``: one
session, committed at the end or rolled back on any error, then closed. The session stamps every
created or changed record with the operation's change number and writes one audit row per
record, so no service can forget either. Records are never deleted through it.

It also notes which tables an operation wrote (every INSERT and UPDATE it executes: the ORM's
flushes and Core statements alike; SQL text sent with ``exec_driver_sql``, which no listener
sees, names its table with ``note_written``) and, once the operation is committed and only
then, announces their topics (``rumah_perisai.changes``): a refused or failed operation, or a
mere read, announces nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, event, func, insert, inspect, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction, sessionmaker
from sqlalchemy.sql.dml import UpdateBase

from rumah_perisai import changes
from rumah_perisai.db import tally
from rumah_perisai.db.engine import refusal_for, snapshot, writer
from rumah_perisai.db.models import (
    AccessRecord,
    AccessSubject,
    AuditEntry,
    Base,
    Counter,
    DuplicateHash,
    Tracked,
)
from rumah_perisai.errors import UserError

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
CHANGE_COUNTER = ("", "change")
# Who looked (``AccessRecord``) is itself the record of an access: auditing it would only copy it.
_UNAUDITED = (AuditEntry, Counter, DuplicateHash, AccessRecord, AccessSubject)


# The tables written through each connection a unit of work holds: filled by the engine's
# statement listener below, read once the unit of work ends. Keyed by the Connection object
# itself, so a statement on any other connection (a read, another thread's work) is not counted.
_written_on: dict[Connection, set[str]] = {}


def utc_now() -> datetime:
    return datetime.now(UTC)


class TrackedSession(Session):
    """A session whose flushes are numbered and audited (see the listeners below)."""


def next_number(session: Session, scope: str, name: str) -> int:
    """The next gapless number of counter ``(scope, name)``, inside the caller's transaction.

    One upsert: a counter's first use by two writers at once must not fail on PostgreSQL (an
    UPDATE that finds no row, then two INSERTs); the second waits for the first and continues.
    """
    return next_numbers(session, scope, name, 1)


def next_numbers(session: Session, scope: str, name: str, count: int) -> int:
    """The first of the next ``count`` gapless numbers of counter ``(scope, name)``, taken in one
    statement (an import of thousands of registrations numbers them at once)."""
    if count < 1:
        raise ValueError("count must be positive")
    connection = session.connection()  # Core statements: no identity map, no autoflush
    statement = _taking(connection.dialect.name, scope, name, count)
    return int(connection.execute(statement).scalar_one()) - count + 1


def _taking(dialect: str, scope: str, name: str, count: int) -> UpdateBase:
    """The upsert that takes ``count`` numbers of counter ``(scope, name)``, returning the
    counter's new value."""
    upsert_insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    first_use = upsert_insert(Counter).values(scope=scope, name=name, value=count)
    return first_use.on_conflict_do_update(
        index_elements=[Counter.scope, Counter.name],
        set_={"value": Counter.value + count},
    ).returning(Counter.value)


def _newest_local() -> Any:
    return select(func.max(AuditEntry.at)).where(AuditEntry.origin == "local")


def begin_operation_sql(dialect: Dialect) -> tuple[str, str]:
    """``begin_operation``'s two statements as SQL text of ``dialect``, for a writer that sends
    them with others in one round trip (the branch's import on PostgreSQL: ``branch.locks``):
    the change number taken (returning it), and the newest local record's time (naive UTC, as
    stored). Compiled from the very statements ``begin_operation`` runs, so the two never
    differ; once a dialect."""
    made = _BEGIN_SQL.get(dialect.name)
    if made is None:
        literal = {"literal_binds": True}
        take = _taking(dialect.name, *CHANGE_COUNTER, 1).compile(
            dialect=dialect, compile_kwargs=literal
        )
        newest = _newest_local().compile(dialect=dialect, compile_kwargs=literal)
        made = _BEGIN_SQL[dialect.name] = (str(take), str(newest))
    return made


_BEGIN_SQL: dict[str, tuple[str, str]] = {}


def newest_local_record(session: Session) -> datetime | None:
    """When the newest record made on this computer was made (the clock rule's reference)."""
    return session.execute(_newest_local()).scalar_one_or_none()


def operation_time(session: Session) -> datetime:
    """The moment of the current operation, the same for every record it touches.

    An operation that may write reads the clock only once it holds the write lock
    (``begin_operation``): a moment read before waiting for the lock could be earlier than
    what the writer it waited for recorded meanwhile, and the clock rule would then refuse a
    correct clock (issue 14, item 5)."""
    now = session.info.get("now")
    if now is None:
        if _writes(session):
            begin_operation(session)
            now = session.info["now"]
        else:
            now = session.info["clock"]()
            session.info["now"] = now
    assert isinstance(now, datetime)
    return now


def check_clock(session: Session) -> None:
    """Refuse to record anything while the clock is earlier than the newest local record.

    Runs by itself before the first flush of every operation; an operation that does something
    outside the database first (writing a key file) calls it up front. In an operation that
    may write, it takes the write lock first (``begin_operation``).
    """
    if _writes(session):
        begin_operation(session)
    else:
        _refuse_clock_behind(session)


def _writes(session: Session) -> bool:
    return bool(session.info.get("actor")) and not session.info.get("read_only")


def _refuse_clock_behind(session: Session) -> None:
    if session.info.get("origin", "local") != "local":
        return
    now = operation_time(session)
    with session.no_autoflush:  # pending records are this operation's own, not the floor
        newest = newest_local_record(session)
    _refuse_behind(now, newest)


def _refuse_behind(now: datetime, newest: datetime | None) -> None:
    if newest is not None and newest > now:
        raise UserError("clock_behind", now=_show(now), newest=_show(newest))


def _show(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def begin_operation(session: Session) -> int:
    """Take the write lock and the operation's change number, then read and check the clock.

    Every writer takes this counter row (on SQLite the whole database is already theirs from
    ``BEGIN IMMEDIATE``), so from here on no other operation can commit changes until this one
    ends: everything committed so far has a smaller number and an earlier moment. Only now is
    the clock read, so the comparison with the newest record is between two honest readings.
    """
    if "change_no" not in session.info:
        # Recorded before the clock check: its query may flush, and that flush must find the
        # number taken rather than take a second one.
        session.info["change_no"] = next_number(session, *CHANGE_COUNTER)
        session.info["now"] = session.info["clock"]()
        _refuse_clock_behind(session)
    return int(session.info["change_no"])


def begun_operation(session: Session, change_no: int, newest: datetime | None) -> int:
    """``begin_operation`` where its statements were sent by the caller with others, in one
    round trip (``begin_operation_sql``'s two, in order: ``newest`` as stored, naive
    UTC): the change number recorded, the clock read only now, and checked as there."""
    if "change_no" in session.info:
        raise RuntimeError("the operation has its change number already")
    session.info["change_no"] = change_no
    now = session.info["clock"]()
    session.info["now"] = now
    if session.info.get("origin", "local") == "local":
        _refuse_behind(now, None if newest is None else newest.replace(tzinfo=UTC))
    return change_no


@event.listens_for(TrackedSession, "before_flush")
def _stamp_changes(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    if session.deleted:
        names = ", ".join(sorted({type(o).__name__ for o in session.deleted}))
        raise RuntimeError(f"records are never deleted (tried: {names})")
    changed = _changed_records(session)
    if not changed:
        return
    if "change_no" not in session.info:
        if not session.info.get("actor"):
            raise RuntimeError("a change needs an actor: use Database.unit_of_work(actor)")
        begin_operation(session)
    for record in changed:
        if isinstance(record, Tracked):
            record.change_no = session.info["change_no"]


@event.listens_for(TrackedSession, "after_flush")
def _write_audit(session: Session, _flush: UOWTransaction) -> None:
    rows = []
    for record in _changed_records(session):
        action = "create" if record in session.new else "update"
        rows.append(
            {
                "change_no": session.info["change_no"],
                "at": operation_time(session),
                "origin": session.info.get("origin", "local"),
                "actor": session.info["actor"],
                "action": action,
                "entity": type(record).__tablename__,
                "entity_id": _identity(record),
                "entity_key": _natural_key(record),
                "changes_json": json.dumps(
                    _changes(record, action, session.info.get("reason")), default=_json_default
                ),
            }
        )
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


@event.listens_for(TrackedSession, "after_begin")
def _watch_connection(session: Session, _tx: SessionTransaction, connection: Connection) -> None:
    written = session.info.get("written")
    if written is not None:
        _written_on[connection] = written
        session.info.setdefault("watched", []).append(connection)


def _note_write(
    connection: Connection, statement: Any, _multiparams: Any, _params: Any, _options: Any
) -> None:
    """An engine listener: an INSERT or UPDATE on a watched connection names its table."""
    written = _written_on.get(connection)
    if written is not None and isinstance(statement, UpdateBase):
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None)
        if isinstance(name, str):
            written.add(name)


def note_written(connection: Connection, *tables: str) -> None:
    """Tables written by SQL text on ``connection`` (``exec_driver_sql``: the branch's staged
    upserts, its KPJ numbers), which the statement listener cannot read: announced with the
    rest of the unit of work once it is committed. Outside a unit of work it does nothing."""
    written = _written_on.get(connection)
    if written is not None:
        written.update(tables)


def _unwatch(session: Session) -> None:
    for connection in session.info.pop("watched", []):
        _written_on.pop(connection, None)


@event.listens_for(TrackedSession, "after_commit")
@event.listens_for(TrackedSession, "after_rollback")
def _forget_operation(session: Session) -> None:
    for key in ("change_no", "now"):
        session.info.pop(key, None)


def _changed_records(session: Session) -> list[Base]:
    records = [o for o in session.new if isinstance(o, Base) and not isinstance(o, _UNAUDITED)]
    records += [
        o
        for o in session.dirty
        if isinstance(o, Base)
        and not isinstance(o, _UNAUDITED)
        and session.is_modified(o, include_collections=False)
    ]
    return records


def _changes(record: Base, action: str, reason: str | None = None) -> dict[str, Any]:
    """Created: every column's value. Updated: ``[old, new]`` for each column that changed.
    An operation's stated reason (``session.info["reason"]``) is kept with it as ``_reason``."""
    state = inspect(record)
    out: dict[str, Any] = {"_reason": reason} if reason else {}
    for attr in state.mapper.column_attrs:
        if attr.key == "change_no":
            continue
        history = state.attrs[attr.key].history
        if action == "create":
            out[attr.key] = getattr(record, attr.key)
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            out[attr.key] = [old, new]
    return out


def _identity(record: Base) -> str:
    """The primary key, also of a record inserted in this very flush (whose ``identity`` is
    only set after the flush)."""
    state = inspect(record)
    key = state.identity or state.mapper.primary_key_from_instance(record)
    return "/".join(str(part) for part in key if part is not None)


def _natural_key(record: Base) -> str:
    natural_key = getattr(record, "natural_key", None)
    if natural_key is None:
        return _identity(record)
    try:
        return str(natural_key())
    except NotImplementedError:
        return _identity(record)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot audit a value of type {type(value).__name__}")


class Database:
    """An opened, migrated database and the way to work with it."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now, origin: str = "local") -> None:
        self.engine = engine
        self.clock = clock
        self.origin = origin
        self._writers = sessionmaker(
            bind=writer(engine), class_=TrackedSession, expire_on_commit=False
        )
        self._readers = sessionmaker(bind=snapshot(engine), class_=TrackedSession)
        if not event.contains(engine, "before_execute", _note_write):
            event.listen(engine, "before_execute", _note_write)

    @contextmanager
    def unit_of_work(self, actor: str) -> Iterator[Session]:
        """One operation that may change data: committed at the end, rolled back on error.

        Once committed, the topics of the tables it wrote are announced (``changes``)."""
        session = self._writers()
        written: set[str] = set()
        session.info.update(actor=actor, clock=self.clock, origin=self.origin, written=written)
        try:
            yield session
            session.commit()
        except DBAPIError as error:
            session.rollback()
            refusal = self._refusal(error)
            if refusal is None:
                raise
            raise refusal from error
        except BaseException:
            session.rollback()
            raise
        finally:
            _unwatch(session)
            session.close()
        # Reached only after a successful commit: an error above has left already.
        changes.announce(*changes.topics_of(written))

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only look: a consistent snapshot, nothing can be written.

        On PostgreSQL the transaction is REPEATABLE READ, so every query of one look sees the
        same moment, as SQLite's read transactions do (the weekly batch reads its records, the
        manifest's newest receipt and the change counter from one snapshot)."""
        session = self._readers()
        session.info.update(clock=self.clock, read_only=True)
        try:
            yield session
        except DBAPIError as error:
            refusal = self._refusal(error)
            if refusal is None:
                raise
            raise refusal from error
        finally:
            session.close()  # ends the transaction; loaded objects stay readable, detached

    def _refusal(self, error: DBAPIError) -> UserError | None:
        """A busy database or a full disk is said plainly; anything else stays the driver's
        error (None): a bug, logged with its traceback."""
        return refusal_for(self.engine.url.render_as_string(hide_password=False), error)

    def dispose(self) -> None:
        self.engine.dispose()


@event.listens_for(TrackedSession, "before_flush", insert=True)
def _refuse_writes_when_reading(session: Session, _flush: UOWTransaction, _inst: Any) -> None:
    if session.info.get("read_only") and (session.new or session.dirty or session.deleted):
        raise RuntimeError("Database.reading() is read-only; use unit_of_work(actor)")


# The promotion dashboard's tally moves with the participants it counts, in the same flush and
# transaction (``db.tally``). Registered after the change number is taken (``_stamp_changes``),
# so a writer holds the write lock before it touches a count.
event.listen(TrackedSession, "before_flush", tally.before_flush)
event.listen(TrackedSession, "after_flush", tally.after_flush)
