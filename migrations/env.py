"""Alembic environment: used by the program at start-up and by developers' ``alembic`` commands."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from rumah_perisai.db.engine import make_engine
from rumah_perisai.db.models import Base, is_modelled_table
from rumah_perisai.db.post_indexes import made_on

config = context.config
target_metadata = Base.metadata


def _include_name(name: str | None, type_: str, _parent: object) -> bool:
    return type_ != "table" or name is None or is_modelled_table(name)


def _run(connection: Connection) -> None:
    dialect = connection.dialect.name

    def include_object(
        item: object, _name: str | None, type_: str, reflected: bool, _to: object
    ) -> bool:
        # A post-only index the models describe is not missing at the branch (0020).
        return reflected or type_ != "index" or made_on(item, dialect)

    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only change tables by copying them
        compare_type=True,
        include_name=_include_name,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # From the developer's command line: `RUMAH_PERISAI_DB=sqlite:///x.sqlite3 alembic upgrade head`
    url = os.environ.get("RUMAH_PERISAI_DB") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set RUMAH_PERISAI_DB to the database URL")
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported")
run_migrations_online()
