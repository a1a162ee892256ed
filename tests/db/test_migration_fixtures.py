"""A database of every released schema revision upgrades to the newest, its rows intact.

Two files of each revision, both small posts; their README says how they were made:

* ``tests/data/migrations/by-old-code/<rev>.sqlite3``: made by the program of that time, through
  its own migrations and its own demo (what a post of that time really had; at 0001 a post
  could not register anyone yet, so that one holds the post and its coordinator only);
* ``tests/data/migrations/<rev>.sqlite3``: a fuller post (a dozen participants with receipts,
  a void, cash closes and calls) made at the newest schema and taken down to ``<rev>`` by the
  project's own downgrades: every table of that revision has rows.
 On SQLite the file itself is upgraded; on PostgreSQL (``DATABASE_URL``) a
database is brought to ``<rev>`` by Alembic and the file's rows are copied into it first.
Either way the upgraded database must hold every row it held (every column both revisions
have, unchanged) and agree with the models, as a database made new does.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Boolean, Date, DateTime, Engine, MetaData, text

from rumah_perisai.db.engine import make_engine
from rumah_perisai.db.migrate import alembic_config, head_revision, upgrade_to_head
from rumah_perisai.db.models import Base, is_modelled_table
from rumah_perisai.db.post_indexes import made_on
from rumah_perisai.services.participant_search import ListFilter, ParticipantSearch

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "migrations"
KINDS = {"downgraded": FIXTURES, "by-old-code": FIXTURES / "by-old-code"}
# SQLite's own bookkeeping and the search index's shadow tables (rebuilt, not carried).
NOT_COMPARED = ("sqlite_", "participants_fts", "alembic_version")


def released_revisions() -> list[str]:
    """Every revision but the newest, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))][:-1]


REVISIONS = released_revisions()
FILES = [(kind, revision) for kind in KINDS for revision in REVISIONS]


def _file(kind: str, revision: str) -> Path:
    return KINDS[kind] / f"{revision}.sqlite3"


def _people(kind: str, revision: str) -> int:
    """How many participants each file holds: a dozen, but none in the first release's own."""
    return 0 if (kind, revision) == ("by-old-code", REVISIONS[0]) else 12


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_released_revision_has_its_database_files(kind: str) -> None:
    """A new migration makes the previous head a released revision: add its files
    (``make_fixtures.py`` and ``make_by_old_code.py`` write the missing ones)."""
    assert sorted(p.stem for p in KINDS[kind].glob("*.sqlite3")) == REVISIONS


def _rows(path: Path) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Each table's columns and rows, read with plain sqlite3 (as stored)."""
    connection = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if not name.startswith(NOT_COMPARED)
        ]
        found = {}
        for table in tables:
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            found[table] = ([d[0] for d in cursor.description], cursor.fetchall())
        return found
    finally:
        connection.close()


def _project(
    names: list[str], rows: list[tuple[Any, ...]], common: list[str]
) -> Counter[tuple[Any, ...]]:
    """The rows' values in the ``common`` columns, as a multiset (the order may change)."""
    where = [names.index(c) for c in common]
    return Counter(tuple(row[i] for i in where) for row in rows)


def _kept(
    before: dict[str, tuple[list[str], list[tuple[Any, ...]]]],
    after: dict[str, tuple[list[str], list[tuple[Any, ...]]]],
) -> None:
    """Every table before is there after with the same rows in the columns both have."""
    assert set(before) <= set(after)
    for table, (columns, rows) in before.items():
        later_columns, later_rows = after[table]
        common = [c for c in columns if c in later_columns]
        assert common, table
        assert _project(later_columns, later_rows, common) == _project(columns, rows, common), table


def _agrees_with_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, type_, _p: type_ != "table" or is_modelled_table(name),
                # The post's screens' indexes are SQLite's only (0020).
                "include_object": lambda item, _n, type_, reflected, _to: (
                    reflected or type_ != "index" or made_on(item, engine.dialect.name)
                ),
            },
        )
        assert compare_metadata(context, Base.metadata) == []
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            head_revision()
        )


def _participants_found(engine: Engine, names: list[str]) -> None:
    """The search index holds the old rows (it was built, or rebuilt, by the upgrade)."""
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        search = ParticipantSearch(1)
        for name in names:
            assert search.count(session, name, ListFilter(date(2026, 11, 27))) >= 1, name


def _names(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [name for (name,) in connection.execute("SELECT name FROM participants LIMIT 3")]
    finally:
        connection.close()


@pytest.mark.parametrize(("kind", "revision"), FILES)
def test_a_sqlite_file_of_each_revision_upgrades_with_its_rows(
    tmp_path: Path, kind: str, revision: str
) -> None:
    fixture = _file(kind, revision)
    copy = tmp_path / fixture.name
    shutil.copyfile(fixture, copy)
    before = _rows(copy)
    assert len(before["participants"][1]) == _people(kind, revision)
    engine = make_engine(f"sqlite:///{copy.as_posix()}")
    try:
        assert upgrade_to_head(engine, backup_dir=tmp_path / "backups") == revision
        _agrees_with_the_models(engine)
        _participants_found(engine, _names(fixture))
    finally:
        engine.dispose()
    _kept(before, _rows(copy))
    (backup,) = (tmp_path / "backups").iterdir()  # the program's copy of the file as it was
    assert _rows(backup) == before


# --- PostgreSQL ----------------------------------------------------------------------------------


def _stored(value: Any, column: Any) -> Any:
    """A value as SQLite stored it, as PostgreSQL's column takes it."""
    if value is None:
        return None
    if isinstance(column.type, Boolean):
        return bool(value)
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    return value


def _copy_rows(fixture: Path, engine: Engine) -> dict[str, int]:
    """The file's rows into PostgreSQL's tables at the same revision; returns the counts."""
    rows = _rows(fixture)
    metadata = MetaData()
    metadata.reflect(engine)
    counts = {}
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            columns, values = rows[table.name]
            assert set(columns) == set(table.columns.keys()), table.name
            if values:
                connection.execute(
                    table.insert(),
                    [
                        {c: _stored(v, table.columns[c]) for c, v in zip(columns, row, strict=True)}
                        for row in values
                    ],
                )
            counts[table.name] = len(values)
            for column in table.columns:  # the next id follows the copied rows
                if column.autoincrement is True or (
                    column.primary_key and column.server_default is not None
                ):
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', "
                            f"'{column.name}'), COALESCE(MAX(\"{column.name}\"), 0) + 1, false) "
                            f'FROM "{table.name}"'
                        )
                    )
    return counts


def _upgrade(url: str, revision: str) -> None:
    """Alembic brings the database ``url`` up to ``revision``."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgresql_at_revision() -> Iterator[Callable[[str], str]]:
    """The name of an empty PostgreSQL database at a revision, made by Alembic once per worker
    (each from the nearest earlier one already made, then upgraded): a test copies it instead
    of running the chain of migrations up to its revision again (issue 21)."""
    from tests.conftest import _create_postgres, _drop_postgres

    made: dict[str, str] = {}

    def at(revision: str) -> str:
        if revision not in made:
            earlier = [made[r] for r in REVISIONS[: REVISIONS.index(revision)] if r in made]
            name = f"rp_tpl_{revision}_{uuid.uuid4().hex[:8]}"
            _upgrade(_create_postgres(name, earlier[-1] if earlier else "template1"), revision)
            made[revision] = name
        return made[revision]

    yield at
    for name in made.values():
        _drop_postgres(name)


@pytest.mark.parametrize(("kind", "revision"), FILES)
def test_a_postgresql_database_of_each_revision_upgrades_with_its_rows(
    kind: str,
    revision: str,
    request: pytest.FixtureRequest,
    postgresql_at_revision: Callable[[str], str],
) -> None:
    from tests.conftest import POSTGRES_URL, _make_postgres, _postgres_database

    if POSTGRES_URL is None:
        pytest.skip("DATABASE_URL is not set")
    databases = _postgres_database(for_open_fresh=True)
    url = next(databases)
    request.addfinalizer(lambda: next(databases, None))
    _make_postgres(url, postgresql_at_revision(revision))  # as Alembic made it at ``revision``
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            at = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert at == revision
        fixture = _file(kind, revision)
        counts = _copy_rows(fixture, engine)
        assert counts["participants"] == _people(kind, revision)
        with engine.connect() as connection:
            names = set(connection.execute(text("SELECT name FROM participants")).scalars())
        assert upgrade_to_head(engine) == revision
        _agrees_with_the_models(engine)
        _participants_found(engine, _names(fixture))
        with engine.connect() as connection:
            for table, count in counts.items():
                assert connection.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar() == (
                    count
                ), table
            assert set(connection.execute(text("SELECT name FROM participants")).scalars()) == (
                names
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_posts_folder_from_the_first_revision_opens_in_the_program(
    tmp_path: Path, kind: str
) -> None:
    """The whole way a post of the first release takes: its plain file in its data folder is
    encrypted at the first start, then upgraded through SQLCipher, every row kept."""
    from sqlalchemy import func, select

    from rumah_perisai.app import open_app
    from rumah_perisai.config import DataFolder
    from rumah_perisai.db.encrypted import is_plain
    from rumah_perisai.db.models import Participant, Receipt

    first = _file(kind, REVISIONS[0])
    before = _rows(first)
    folder = DataFolder(tmp_path / "data")
    folder.root.mkdir(parents=True)
    shutil.copyfile(first, folder.database)
    app = open_app(folder, folder.sqlite_url)
    try:
        with app.db.reading() as session:
            participants = session.scalar(select(func.count()).select_from(Participant))
            receipts = session.scalar(select(func.count()).select_from(Receipt))
    finally:
        app.close()
    assert (participants, receipts) == (len(before["participants"][1]), len(before["receipts"][1]))
    assert not is_plain(folder.database)
