"""Rows straight from the database driver, for the few reads that handle millions of rows
(the receipt chain check, the weekly batch): SQLAlchemy's row objects alone cost seconds there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection


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
