"""The demo's bulk rows sent to SQLite as one JSON text (``demo.bulk._as_json``) must be stored
exactly as the driver's ``executemany`` stores them: the same values with the same SQL types,
whatever the text holds, and the rows JSON cannot carry sent the old way."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from sqlalchemy import (
    Column,
    Connection,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
)

from rumah_perisai.demo.bulk import _as_json, _driver_statement, _reads_jsonb

_METADATA = MetaData()
_TABLE = Table(
    "rows_sent",
    _METADATA,
    Column("id", Integer, primary_key=True),
    Column("number", Integer),
    Column("label", String(40)),
    Column("code", String(10)),  # text that looks like a number must stay text
    Column("blob", LargeBinary),
)
_NAMES = ("id", "number", "label", "code", "blob")

_ROWS = [
    (1, 0, "", "007", None),
    (2, -(2**63), "Siti Nurhaliza", "1e3", None),
    (3, 2**63 - 1, 'kutip " dan \\ garis miring', " 12 ", None),
    (4, None, "Ñoño 😀 汉字 ﷽", "0x10", None),
    (5, 42, "baris\nbaru\ttab\u0001", None, None),
    (6, 7, None, "3.50", None),
]


@pytest.fixture(params=["sqlite3", "sqlcipher3"])
def connection(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Connection]:
    """A plain SQLite file through Python's own sqlite3 (older than 3.45 here: ``json_each``)
    and through the post's driver, SQLCipher's SQLite 3.51 (``jsonb_each``)."""
    module = importlib.import_module(request.param)
    engine = create_engine(f"sqlite:///{tmp_path / 'rows.sqlite'}", module=module)
    _METADATA.create_all(engine)
    with engine.begin() as connection:
        yield connection
    engine.dispose()


def _stored(connection: Connection) -> list[tuple[Any, ...]]:
    """Every value with its SQL type, in rowid order."""
    picked = ", ".join(f"{name}, typeof({name})" for name in _NAMES)
    return [tuple(row) for row in connection.exec_driver_sql(f"SELECT {picked} FROM rows_sent")]


def _both_ways(connection: Connection, rows: list[tuple[Any, ...]]) -> tuple[Any, Any]:
    statement = _driver_statement(_TABLE, _NAMES)
    assert statement is not None
    connection.exec_driver_sql(statement.sql, rows)
    by_executemany = _stored(connection)
    connection.exec_driver_sql("DELETE FROM rows_sent")
    document = _as_json(rows)
    assert document is not None
    # The statement the demo sends on this SQLite (``BulkRows._write``).
    sql = statement.jsonb_sql if _reads_jsonb(connection) else statement.json_sql
    connection.exec_driver_sql(sql, (document,))
    return by_executemany, _stored(connection)


def test_the_posts_driver_reads_the_json_in_binary_form(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'post.sqlite'}", module=sqlcipher3)
    with engine.connect() as connection:
        assert _reads_jsonb(connection)
    engine.dispose()


def test_rows_sent_as_json_are_stored_as_executemany_stores_them(connection: Connection) -> None:
    by_executemany, by_json = _both_ways(connection, _ROWS)
    assert by_json == by_executemany
    assert by_json[0][:8] == (1, "integer", 0, "integer", "", "text", "007", "text")
    assert by_json[3][2:4] == (None, "null")


def test_rows_json_cannot_carry_are_sent_the_old_way() -> None:
    assert _as_json([(1, 2, "a", "b", b"\x00\xff")]) is None  # bytes
    assert _as_json([(1, 2, "a\x00b", "c", None)]) is None  # a NUL inside a text
    assert _as_json([(1, 2, "a", "b", None)]) is not None
