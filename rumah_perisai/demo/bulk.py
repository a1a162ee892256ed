"""Bulk loading, counters and ids: the demo's own path to its tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.orm import DeclarativeBase, Session

from rumah_perisai.db.models import (
    Counter,
    DailyClose,
    Deposit,
    Participant,
    Receipt,
)

_ID_TABLES: tuple[type[DeclarativeBase], ...] = (Participant, Receipt, DailyClose, Deposit)
CHUNK = 2_000  # participants per progress step; rows per bulk insert are a few times that


class BulkRows:
    """Inserts plain rows in bulk with Core ``insert()`` on the demo's one connection."""

    connection: Connection

    def _insert(self, model: type[DeclarativeBase], rows: list[dict[str, Any]]) -> None:
        if rows:
            self.connection.execute(insert(model), rows)


_SQLITE_CACHE_KIB = 256 * 1024  # while loading: the participants' 14 indexes stay in memory
_NAME_INDEX = "participants_fts"  # SQLite FTS5 trigram index of names (migration 0002)


@contextmanager
def bulk_loading(connection: Connection) -> Iterator[None]:
    """SQLite: a bigger page cache, and the name index filled once at the end, not row by row.

    Row by row through its triggers, the trigram index costs more than every other write of the
    demo together (about 30 s of 200,000 participants); rebuilt once it takes 2 s. The triggers
    are dropped and re-created from their own SQL inside the demo's transaction, so a cancel or
    an error brings them back with the rollback. Only for a database without participants
    (``api._refuse_unless_empty``): the rebuild indexes every row of the table.
    """
    if connection.dialect.name != "sqlite":
        yield
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
        yield
        for _name, sql in triggers:
            connection.exec_driver_sql(sql)
        if triggers:
            connection.exec_driver_sql(
                f"INSERT INTO {_NAME_INDEX}({_NAME_INDEX}) VALUES ('rebuild')"
            )
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
