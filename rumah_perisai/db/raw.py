"""Rows straight from the database driver, for the few reads that handle millions of rows
(the receipt chain check, the weekly batch): SQLAlchemy's row objects alone cost seconds there;
and for the participant list's search, repeated on every pause in typing (``Prepared``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement


def driver_rows(connection: Connection, sql: str, params: tuple[Any, ...]) -> Iterator[Any]:
    """Plain tuples from the driver's cursor. Placeholders are written ``?`` and turned into the
    driver's own style."""
    raw = connection.connection.driver_connection
    assert raw is not None
    if connection.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    cursor = raw.cursor()
    cursor.arraysize = 5_000
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany():
            yield from rows
    finally:
        cursor.close()


def driver_all(connection: Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """All rows at once (``fetchall``): the fastest way to a list."""
    raw = connection.connection.driver_connection
    assert raw is not None
    if connection.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    cursor = raw.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def driver_results(connection: Connection, statements: Sequence[str]) -> list[list[Any]]:
    """``statements`` sent as one text, in one round trip (PostgreSQL's simple query: each
    statement its own result), and the rows of each that returns rows, in order. An error of
    the driver is raised as SQLAlchemy raises it (``DBAPIError``'s kinds, its text hidden of
    values), so callers catch what they catch from a statement sent through SQLAlchemy."""
    raw = connection.connection.driver_connection
    assert raw is not None
    dbapi_error = connection.dialect.loaded_dbapi.Error
    results: list[list[Any]] = []
    cursor = raw.cursor()
    try:
        try:
            cursor.execute("; ".join(statements))
        except dbapi_error as error:
            raise DBAPIError.instance(
                "; ".join(statements), None, error, dbapi_error,
                hide_parameters=True, dialect=connection.dialect,
            ) from error  # fmt: skip
        while True:
            if cursor.description is not None:
                results.append(list(cursor.fetchall()))
            if not cursor.nextset():
                return results
    finally:
        cursor.close()


class Prepared:
    """A SQLAlchemy statement compiled for one dialect and run on the driver's cursor, with its
    own values or new ones for its named parameters.

    For reads a window repeats on every keystroke (the participant list): no row objects
    (SQLAlchemy's cost about 0.2 µs each, a millisecond for a search matching thousands); and,
    for a statement made once and kept (the list's rows), no compiling either and one SQL text,
    which the driver keeps prepared (sqlite3 caches statements by their text). Values are given
    as the driver takes them, except dates on SQLite, stored as ISO text there (as SQLAlchemy's
    ``Date`` stores them); results come back as the driver gives them (dates as that text on
    SQLite: ``driver_date``).
    """

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        self.sql = str(compiled)
        self._sqlite = dialect.name == "sqlite"
        self._constants = {name: self._value(value) for name, value in compiled.params.items()}
        # Positional drivers (sqlite3's "?") take a sequence in this order, a name repeated where
        # the statement uses a parameter twice; named ones (psycopg) a mapping.
        positions: list[str] | None = getattr(compiled, "positiontup", None)
        self._order = tuple(positions or ()) if dialect.positional else None
        if self._order is not None and not set(self._order) <= self._constants.keys():
            raise ValueError("a parameter of the statement has no name")

    def _value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            raise TypeError("datetime parameters are not supported here")
        if self._sqlite and isinstance(value, date):
            return value.isoformat()
        return value

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        """The driver's parameters: the statement's own values, with ``values`` in their place."""
        unknown = values.keys() - self._constants.keys()
        if unknown:
            raise KeyError(f"no such parameter: {sorted(unknown)}")
        merged = {**self._constants, **{name: self._value(v) for name, v in values.items()}}
        if self._order is None:
            return merged
        return [merged[name] for name in self._order]

    def all(self, connection: Connection, values: Mapping[str, Any] | None = None) -> list[Any]:
        """Every row, as the driver's tuples, inside ``connection``'s transaction."""
        raw = connection.connection.driver_connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            cursor.execute(self.sql, self.params(values or {}))
            return list(cursor.fetchall())
        finally:
            cursor.close()


def driver_date(value: date | str | None) -> date | None:
    """A date column as the driver gave it: ISO text on SQLite, a date on PostgreSQL."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
