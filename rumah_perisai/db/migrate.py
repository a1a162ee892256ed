"""Schema changes happen only through Alembic, and at start-up.

``upgrade_to_head`` brings any database this program made up to the program's schema, backs up
an embedded database before changing it, and refuses — changing nothing — a database that is
newer than the program, damaged, or not ours.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, exc, inspect, text

from rumah_perisai.db.engine import describe_operational_error
from rumah_perisai.db.models import SCHEMA_REVISION
from rumah_perisai.errors import UserError
from rumah_perisai.resources import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)


def alembic_config() -> Config:
    # Alembic takes a third of a second to import: only loaded when a database needs upgrading.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _is_current(engine: Engine) -> bool:
    """The fast path of every start: the database is at this program's schema already."""
    with engine.connect() as connection:
        return current_revision(connection) == SCHEMA_REVISION


def upgrade_to_head(engine: Engine, *, backup_dir: Path | None = None) -> str | None:
    """Upgrade ``engine``'s database to the newest schema; returns the revision it was at."""
    url = engine.url.render_as_string(hide_password=True)
    try:
        if _is_current(engine):
            return SCHEMA_REVISION
        from alembic import command
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(alembic_config())
        head = script.get_current_head()
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            current = current_revision(connection) if "alembic_version" in tables else None
            if current is None and tables - {"alembic_version"}:
                raise UserError("db_foreign", url=url)
            if current is not None and current not in {r.revision for r in script.walk_revisions()}:
                raise UserError("db_newer", revision=current)
            connection.rollback()
        if current == head:
            return current
        if current is not None and backup_dir is not None:
            _backup_sqlite(engine, backup_dir, current)
        with (
            engine.connect() as connection,
            _sqlite_foreign_keys_off(connection),
            connection.begin(),
        ):
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            _refuse_broken_references(connection)
        log.info("database %s upgraded from %s to %s", url, current, head)
        return current
    except exc.DBAPIError as error:
        raise describe_operational_error(str(engine.url), error) from error


def downgrade_to(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (tests, fixtures, a developer's bisect), as the
    upgrade changes it: with SQLite's foreign keys off while tables are copied."""
    from alembic import command

    with (
        engine.connect() as connection,
        _sqlite_foreign_keys_off(connection),
        connection.begin(),
    ):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        _refuse_broken_references(connection)


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's recipe for changing a table: foreign keys off outside the transaction, checked
    before it commits, on again after.

    Alembic changes a SQLite table by copying it and dropping the old one; with foreign keys on,
    dropping a table other rows refer to (receipts, from their months) is refused, so a database
    of 0004 or older with receipts could not be upgraded.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    # On the driver's connection: through SQLAlchemy the PRAGMA would start a transaction, in
    # which SQLite ignores it.
    with closing(raw.cursor()) as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        with closing(raw.cursor()) as cursor:
            cursor.execute("PRAGMA foreign_keys = ON")


def _refuse_broken_references(connection: Connection) -> None:
    """With foreign keys off, the upgrade itself checks that every reference still holds."""
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the upgrade broke references: {broken[:5]}")


def _backup_sqlite(engine: Engine, backup_dir: Path, revision: str) -> None:
    """Copy an embedded database aside before its schema changes (a consistent online copy)."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return
    source = Path(engine.url.database)
    if not source.exists():
        return
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backup_dir / f"{source.stem}-before-upgrade-{revision}-{stamp}.sqlite3"
    # The copy is made by the same driver and key as the database (SQLCipher's backup copies
    # between databases with the same key), so a post's copy is encrypted as the post is.
    password = engine.url.password
    module = engine.dialect.dbapi
    assert module is not None
    with closing(module.connect(str(source))) as src, closing(module.connect(str(target))) as dst:
        if password:
            for connection in (src, dst):
                connection.execute(f'PRAGMA key = "{password}"')
        src.backup(dst)
    log.info("backed up %s to %s before upgrading", source, target)
