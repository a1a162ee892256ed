"""The schema comes only from Alembic, upgrades at start-up, and refuses what it must not touch."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.engine import make_engine
from rumah_perisai.db.migrate import _backup_sqlite, downgrade_to, head_revision, upgrade_to_head
from rumah_perisai.db.models import SCHEMA_REVISION, Base, is_modelled_table
from rumah_perisai.db.post_indexes import POST_ONLY_INDEXES, made_on
from rumah_perisai.errors import UserError
from tests.dbfiles import engine_for


def test_empty_database_upgrades_to_head_with_every_table(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert upgrade_to_head(engine) is None  # it was empty
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert revision == head_revision()
        assert set(Base.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_the_programs_schema_revision_is_the_newest_migration() -> None:
    """Start-up skips Alembic when the database is at SCHEMA_REVISION: it must be the head."""
    assert head_revision() == SCHEMA_REVISION


def test_models_and_migrations_agree(database_url: str) -> None:
    """No autogenerate diff: a model change without its migration fails here."""
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, type_, _p: (
                        type_ != "table" or is_modelled_table(name)
                    ),
                    # The post's screens' indexes are SQLite's only (0020).
                    "include_object": lambda item, _n, type_, reflected, _to: (
                        reflected or type_ != "index" or made_on(item, engine.dialect.name)
                    ),
                },
            )
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def _indexes(engine: Any) -> set[str]:
    with engine.connect() as connection:
        found = inspect(connection)
        return {
            str(index["name"])
            for table in ("participants", "receipts", "receipt_months")
            for index in found.get_indexes(table)
        }


def test_the_branch_writes_none_of_the_post_screens_indexes_and_a_post_keeps_them(
    database_url: str,
) -> None:
    """0020: PostgreSQL (the branch) drops the indexes only a post's screens read, and gets
    them back on a downgrade; SQLite (a post) keeps them all. The keys the branch's own
    queries read stay everywhere."""
    engine = make_engine(database_url)
    branch_keys = {"ix_participants_nik", "ix_participants_kpj", "ix_participants_change_no",
                   "ix_participants_nik_keyed", "ix_receipts_post_source"}  # fmt: skip
    try:
        upgrade_to_head(engine)
        at_head = _indexes(engine)
        assert branch_keys <= at_head
        if engine.dialect.name == "postgresql":
            assert not at_head & POST_ONLY_INDEXES
            downgrade_to(engine, "0017")
            assert _indexes(engine) >= POST_ONLY_INDEXES
            upgrade_to_head(engine)
            assert not _indexes(engine) & POST_ONLY_INDEXES
        else:
            assert at_head >= POST_ONLY_INDEXES
    finally:
        engine.dispose()


def test_upgrading_twice_changes_nothing(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        assert upgrade_to_head(engine) == head_revision()
    finally:
        engine.dispose()


def test_a_database_from_a_newer_program_is_refused_and_left_alone(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        with pytest.raises(UserError) as refused:
            upgrade_to_head(engine)
        assert refused.value.key == "db_newer"
        assert "lebih baru" in refused.value.message()
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert kept == "9999_future"
    finally:
        engine.dispose()


def test_a_database_of_another_program_is_refused(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER)"))
        with pytest.raises(UserError) as refused:
            upgrade_to_head(engine)
        assert refused.value.key == "db_foreign"
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == {"ledger"}
    finally:
        engine.dispose()


def test_a_damaged_database_file_is_a_clear_message(folder: DataFolder) -> None:
    folder.root.mkdir(parents=True)
    garbage = b"this is not sqlite at all " * 400
    folder.database.write_bytes(garbage)
    with pytest.raises(UserError) as refused:
        open_app(folder, folder.sqlite_url)
    assert refused.value.key == "db_corrupt"
    assert str(folder.database) in refused.value.message()
    assert folder.database.read_bytes() == garbage


def test_an_embedded_database_is_backed_up_before_its_schema_changes(tmp_path: Path) -> None:
    source = tmp_path / "rumah-perisai.sqlite3"
    with sqlite3.connect(source) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (42)")
    engine = make_engine(f"sqlite:///{source}")
    try:
        _backup_sqlite(engine, tmp_path / "backups", "0001")
    finally:
        engine.dispose()
    (backup,) = (tmp_path / "backups").iterdir()
    assert "before-upgrade-0001" in backup.name
    with sqlite3.connect(backup) as connection:
        assert connection.execute("SELECT x FROM t").fetchall() == [(42,)]


def test_sqlite_runs_with_wal_full_sync_foreign_keys_and_a_busy_timeout(folder: DataFolder) -> None:
    folder.root.mkdir(parents=True)
    engine = make_engine(folder.sqlite_url)
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
    finally:
        engine.dispose()
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 10000,
    }


def test_0007_fills_the_dashboard_columns_of_existing_rows(
    app: Any, database_url: str, add_participant: Any, coordinator: Any, volunteer: Any
) -> None:
    """A database with payments, a void and a rejoin, taken back to 0006 (the columns go) and
    upgraded again: the columns are filled from the records, as the services keep them."""

    from rumah_perisai.domain.coverage import CoverHistory, Standing
    from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
    from rumah_perisai.services.registration import rejoin
    from tests.services.dashboard_check import expected_columns, stored_columns

    def pay(who: int) -> int:
        plan = payment_options(app.db, who).plan(1)
        return take_payment(app.db, who, 1, plan.total, volunteer).receipt_id

    lapsed = add_participant()  # promotion to 30 Apr 2026: lapsed on 27 Nov 2026
    rejoin(app.db, lapsed, coordinator)
    pay(lapsed)  # rejoined and converted
    june = date(2026, 6, 10)
    voided = add_participant(
        registered_on=june,
        history=CoverHistory(Standing.MEMBER, june, date(2026, 9, 30), frozenset()),
    )
    void_receipt(app.db, pay(voided), "salah", coordinator)
    converted = add_participant(
        registered_on=june,
        history=CoverHistory(Standing.MEMBER, june, date(2026, 9, 30), frozenset()),
    )
    pay(converted)
    add_participant(history=CoverHistory(Standing.MEMBER, date(2026, 1, 15), None, frozenset()))
    with app.db.reading() as session:
        expected = expected_columns(session)
    assert expected[lapsed] == (date(2026, 4, 30), date(2026, 11, 27))
    assert expected[voided] == (date(2026, 9, 30), None)
    assert expected[converted] == (date(2026, 9, 30), date(2026, 11, 27))
    app.close()
    engine = engine_for(app.folder, database_url)
    try:
        downgrade_to(engine, "0006")
        with engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("participants")}
        assert "converted_on" not in columns
        upgrade_to_head(engine)
        with Session(engine) as session:
            assert stored_columns(session) == expected
    finally:
        engine.dispose()
