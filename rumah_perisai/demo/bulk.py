"""Bulk loading, counters and ids: the demo's own path to its tables."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, partial
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Table,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlalchemy.types import TypeDecorator, TypeEngine

from rumah_perisai.db.models import (
    Counter,
    DailyClose,
    Deposit,
    Participant,
    Receipt,
)
from rumah_perisai.db.types import UTCDateTime
from rumah_perisai.db.uow import note_written
from rumah_perisai.domain.receipts import canonical_moment

_ID_TABLES: tuple[type[DeclarativeBase], ...] = (Participant, Receipt, DailyClose, Deposit)
CHUNK = 2_000  # participants per progress step; rows per bulk insert are a few times that

_Convert = Callable[[Any], Any]
_Row = TypeVar("_Row", dict[str, Any], tuple[Any, ...])


class BulkRows:
    """Inserts plain rows in bulk on the demo's one connection.

    On SQLite as the driver's ``executemany`` of SQL text, each row a tuple of values in the
    form SQLAlchemy would store them (``_driver_statement``): SQLAlchemy's own executemany
    spent more time building and converting its parameters (some 2 million rows, 30 columns
    each) than SQLite spent writing them. Elsewhere with Core ``insert()``.

    Inside ``writing_behind`` every write (``_insert``, ``_later``) runs on a second thread, in
    the order given, while this one makes the next rows. Nothing is read there: what the rows
    need of the database (their first ids) is read before.
    """

    connection: Connection
    _behind: _Behind | None = None

    def _insert(self, model: type[DeclarativeBase], rows: list[dict[str, Any]]) -> None:
        if rows:
            names = tuple(rows[0])
            self._write(model, names, rows, lambda statement: statement.values, lambda: rows)

    def _insert_rows(
        self, model: type[DeclarativeBase], names: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> None:
        """As ``_insert``, of rows made as tuples of the columns ``names`` (no dictionary to
        make and take apart again for each of 200,000 participants)."""
        if rows:
            self._write(
                model, names, rows,
                lambda statement: lambda row: row + statement.constants,
                lambda: [dict(zip(names, row, strict=True)) for row in rows],
            )  # fmt: skip

    def _write(
        self,
        model: type[DeclarativeBase],
        names: tuple[str, ...],
        rows: Sequence[_Row],
        values: Callable[[_DriverInsert], Callable[[Any], tuple[Any, ...]]],
        as_dicts: Callable[[], list[dict[str, Any]]],
    ) -> None:
        """SQLite: the rows as SQL text and plain tuples through the driver (``values`` of the
        statement takes a row to its tuple); elsewhere, or for a column only SQLAlchemy can
        fill, Core's ``insert()`` of the rows as dictionaries."""
        table = model.__table__
        assert isinstance(table, Table)
        statement = None
        if self.connection.dialect.name == "sqlite":
            statement = _driver_statement(table, names)
        if statement is None:
            self._later(self.connection.execute, insert(model), as_dicts())
            return
        params = _converted(rows, values(statement), statement.converters)
        document = _as_json(params)
        if document is None:
            self._later(self.connection.exec_driver_sql, statement.sql, params)
        else:
            sql = statement.jsonb_sql if _reads_jsonb(self.connection) else statement.json_sql
            self._later(self.connection.exec_driver_sql, sql, (document,))
        note_written(self.connection, table.name)  # the statement listener sees no SQL text

    def _later(self, write: Callable[..., object], *args: Any) -> None:
        """``write(*args)``: on the writing thread after the writes before it, or now."""
        if self._behind is None:
            write(*args)
        else:
            self._behind.put(partial(write, *args))

    @contextmanager
    def writing_behind(self) -> Iterator[None]:
        """SQLite: the block's writes are made by a second thread, in order, while this one
        makes the next rows (SQLite lets go of Python's lock while it writes, sorts an index or
        fills the name index, so on two cores that work costs little time of its own). Inside
        the block the connection is used only through ``_insert`` and ``_later``. Its
        end waits for the last write; a write's error is raised here (at the next write or
        at the end) as SQLAlchemy raised it. After an error of the block's own (a
        cancel), the writes still queued are dropped: the transaction is rolled back anyway.
        """
        if self.connection.dialect.name != "sqlite":
            yield
            return
        behind = _Behind()
        self._behind = behind
        whole = False
        try:
            yield
            whole = True
        finally:
            self._behind = None
            error = behind.close(drop=not whole)
        if error is not None:
            raise error


class _Behind:
    """The thread that makes ``writing_behind``'s writes, a few chunks behind at most."""

    def __init__(self) -> None:
        self.jobs: queue.Queue[Callable[[], object] | None] = queue.Queue(maxsize=3)
        self.error: BaseException | None = None
        self.dropping = False
        self.thread = threading.Thread(target=self._run, name="demo-bulk-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (job := self.jobs.get()) is not None:
            if self.error is None and not self.dropping:  # else only taken off the queue
                try:
                    job()
                except BaseException as error:  # raised again on the main thread
                    self.error = error

    def put(self, job: Callable[[], object]) -> None:
        if self.error is not None:
            raise self.error
        self.jobs.put(job)

    def close(self, *, drop: bool) -> BaseException | None:
        self.dropping = drop
        self.jobs.put(None)
        self.thread.join()
        return self.error


def _converted(
    rows: Sequence[_Row],
    values: Callable[[_Row], tuple[Any, ...]],
    converters: tuple[tuple[int, _Convert], ...],
) -> list[tuple[Any, ...]]:
    if not converters:
        return [values(row) for row in rows]
    converted = []
    for row in rows:
        line = list(values(row))
        for index, convert in converters:
            value = line[index]
            if value is not None:
                line[index] = convert(value)
        converted.append(tuple(line))
    return converted


def _as_json(rows: list[tuple[Any, ...]]) -> str | None:
    """The rows as one JSON array of arrays, for ``_DriverInsert.json_sql``; None if a value
    would not come back from JSON as the same SQL value (bytes, a NUL character in a text), so
    the rows go through ``executemany`` as before.

    Why: ``executemany`` binds each row's values holding Python's lock and lets go of it only
    for that one row's step, so the writing thread and the main thread take turns row by row
    (measured: the participants' inserts 3.2 s of processor in 12.9 s of the writing thread's
    time). One statement over one text lets SQLite parse and insert a whole chunk without
    Python's lock, beside the main thread. ``json.dumps`` is C; JSON keeps each value's SQL
    type: an int stays INTEGER, a str TEXT, None NULL, and the column's affinity applies as for
    a bound value (the digests of ``tests/services/test_demo_bulk.py``)."""
    try:
        document = json.dumps(rows, ensure_ascii=False, allow_nan=False, check_circular=False)
    except (TypeError, ValueError):  # bytes or another type JSON has not; inf or nan
        return None
    # A float never gets here: a column whose values are not int, str or bytes goes through
    # Core (``_converter``). SQLite's JSON may not give back a NUL in a text whole.
    return None if "\\u0000" in document else document


def _naive_moment(value: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME text (always with microseconds) of a naive datetime."""
    return value.isoformat(sep=" ", timespec="microseconds")


class _NotPlain(Exception):
    """A column needs what only SQLAlchemy does: the rows go through Core ``insert()``."""


def _converter(kind: TypeEngine[Any]) -> _Convert | None:
    """How a value of column type ``kind`` is stored on SQLite (None: as it is)."""
    if isinstance(kind, UTCDateTime):
        return canonical_moment  # naive UTC text, as UTCDateTime and SQLite's DATETIME store it
    if isinstance(kind, DateTime):
        return _naive_moment
    if isinstance(kind, Date):
        return date.isoformat
    if isinstance(kind, Boolean):
        return int
    if isinstance(kind, TypeDecorator) or kind.python_type not in (int, str, bytes):
        raise _NotPlain(kind)
    return None


@dataclass(frozen=True)
class _DriverInsert:
    sql: str
    values: Callable[[dict[str, Any]], tuple[Any, ...]]  # a row's values, in the SQL's order
    converters: tuple[tuple[int, _Convert], ...]  # (index, how) of those stored otherwise
    constants: tuple[Any, ...]  # the defaults of the columns not named, after the named ones
    json_sql: str  # the same INSERT of rows given as one JSON array of arrays (``_as_json``)
    jsonb_sql: str  # the same, the JSON read once into SQLite's binary form (``_reads_jsonb``)


@cache
def _driver_statement(table: Table, names: tuple[str, ...]) -> _DriverInsert | None:
    """The INSERT of rows with keys ``names`` as SQL text for the driver; None if a column needs
    what only SQLAlchemy does (an unknown type, a default made by a function)."""
    columns = [table.c[name] for name in names]
    constants: list[Any] = []
    for column in table.c:
        if column.name in names or column.default is None:
            continue
        if not isinstance(column.default, ScalarElementColumnDefault):
            return None
        columns.append(column)
        constants.append(column.default.arg)  # what Core fills in for a missing key
    try:
        converters = tuple(
            (index, convert)
            for index, column in enumerate(columns)
            if (convert := _converter(column.type)) is not None
        )
    except (_NotPlain, NotImplementedError):  # NotImplementedError: a type without python_type
        return None
    quoted = ", ".join(f'"{column.name}"' for column in columns)
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})'
    # json_each walks the array in order: the rows are inserted in the order given.
    picked = ", ".join(f"value ->> {index}" for index in range(len(columns)))
    json_sql = f'INSERT INTO "{table.name}" ({quoted}) SELECT {picked} FROM json_each(?)'
    jsonb_sql = json_sql.replace("json_each(?)", "jsonb_each(?)")
    return _DriverInsert(
        sql, _getter(names, tuple(constants)), converters, tuple(constants), json_sql, jsonb_sql
    )


_JSONB_SINCE = (3, 45)  # SQLite's jsonb_each


def _reads_jsonb(connection: Connection) -> bool:
    """Whether this SQLite has ``jsonb_each``: it parses the chunk's text once into SQLite's
    binary JSON and gives each row as binary, so each ``value ->> i`` reads its value directly;
    ``json_each`` gives each row as text, parsed again to pick its values. Measured on 40,000
    rows of 36 columns: a quarter of ``json_each``'s processor time and a third of
    ``executemany``'s. The post's SQLCipher is 3.51; a plain SQLite older than 3.45 (``--db``)
    reads the text."""
    version = connection.dialect.server_version_info or ()
    return tuple(version) >= _JSONB_SINCE


def _getter(
    names: tuple[str, ...], constants: tuple[Any, ...]
) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A row's values under ``names`` as a tuple, then ``constants``."""
    getter = itemgetter(*names)
    if len(names) > 1 and not constants:
        return getter
    single = len(names) == 1

    def values(row: dict[str, Any]) -> tuple[Any, ...]:
        got = getter(row)
        return ((got,) if single else got) + constants

    return values


def drop_indexes(connection: Connection, *tables: str) -> list[str]:
    """SQLite: drops ``tables``' own indexes (those made with CREATE INDEX) and returns their
    SQL, to make them again once the tables are filled (``make_indexes``), each in one sorted
    pass. Elsewhere nothing.

    Kept up to date row by row, the participants' 17 indexes cost more than writing the rows
    (each new row lands in random places of most of them). Inside the demo's transaction, like
    ``bulk_loading``: a cancel or an error brings them back with the rollback; made again, they
    are what they were (``sqlite_master`` holds the same SQL), and a unique index made again
    still refuses a duplicate. The constraints declared with the tables (primary and unique
    keys, foreign keys) are not touched and keep checking every row as it comes.
    """
    if connection.dialect.name != "sqlite":
        return []
    marks = ", ".join("?" for _ in tables)
    indexes = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({marks}) ORDER BY rowid",
        tables,
    ).all()
    for name, _sql in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _name, sql in indexes]


def make_indexes(connection: Connection, indexes: Sequence[str]) -> None:
    for sql in indexes:
        connection.exec_driver_sql(sql)


_SQLITE_CACHE_KIB = 256 * 1024  # while loading: the tables being filled stay in memory
_NAME_INDEX = "participants_fts"  # SQLite FTS5 trigram index of names (migration 0002)


class NameIndex:
    """The participants' name index, filled once, from every row, after the bulk rows.

    ``fill`` re-creates its triggers from their own SQL and rebuilds it: on the writing
    thread as soon as the participants' rows and their indexes are in (``writer.Writer``), or
    at the end of ``bulk_loading`` if nothing filled it before."""

    def __init__(self, connection: Connection, triggers: Sequence[str]) -> None:
        self.connection, self.triggers = connection, list(triggers)
        self.filled = not self.triggers  # nothing dropped: nothing to fill (or not SQLite)

    def fill(self) -> None:
        if self.filled:
            return
        for sql in self.triggers:
            self.connection.exec_driver_sql(sql)
        self.connection.exec_driver_sql(
            f"INSERT INTO {_NAME_INDEX}({_NAME_INDEX}) VALUES ('rebuild')"
        )
        self.filled = True


@contextmanager
def bulk_loading(connection: Connection) -> Iterator[NameIndex]:
    """SQLite: a bigger page cache, and the name index filled once from every row, not row by
    row (the ``NameIndex`` yielded fills it, at the latest when the block ends).

    Row by row through its triggers, the trigram index costs more than every other write of the
    demo together (about 30 s of 200,000 participants); rebuilt once it takes 2 s. The triggers
    are dropped and re-created from their own SQL inside the demo's transaction, so a cancel or
    an error brings them back with the rollback. Only for a database without participants
    (``api._refuse_unless_empty``): the rebuild indexes every row of the table. Its rebuild
    reads the names through the indexes there are (its scan has no order): it must run once
    the participants' indexes holding the name are made, as it did when it came last.
    """
    if connection.dialect.name != "sqlite":
        yield NameIndex(connection, [])
        return
    cache = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'participants'"
        f" AND sql LIKE '%{_NAME_INDEX}%' ORDER BY name"
    ).all()
    try:
        for name, _sql in triggers:
            connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
        names = NameIndex(connection, [sql for _name, sql in triggers])
        yield names
        names.fill()
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")


def next_id(
    session: Session,
    model: type[Participant] | type[Receipt] | type[DailyClose] | type[Deposit],
) -> int:
    """The first id the demo gives itself (it needs ids before inserting, to link rows)."""
    return int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


def advance_id_sequences(session: Session) -> None:
    """PostgreSQL's id sequences do not see ids given explicitly: move them past the demo's."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in _ID_TABLES:
        name = model.__tablename__
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"
            ).execution_options(autoflush=False)
        )


def set_counter(session: Session, scope: str, name: str, value: int) -> None:
    """Set counter (scope, name) so that ``next_number`` continues after the demo's numbers."""
    connection = session.connection()
    updated = connection.execute(
        update(Counter).where(Counter.scope == scope, Counter.name == name).values(value=value)
    )
    if updated.rowcount == 0:
        connection.execute(insert(Counter).values(scope=scope, name=name, value=value))
