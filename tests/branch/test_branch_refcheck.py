"""A post's batches on PostgreSQL written without the foreign keys' triggers, their references
checked set-based after (issue 21, ``branch.refcheck``): a bad reference is refused as before
with nothing kept; the keys checked are every key the schema has; each one's check finds a row
that points at nothing; and a branch whose import user may not switch the triggers off imports
the same tables and the same ACKs, byte for byte, the old way (first batches and later ones:
two weeks)."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from rumah_perisai.app import App, open_app
from rumah_perisai.branch import import_batch, refcheck, upsert
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import NikPrefix, Participant, Receipt
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.batchfile import PlainPart, seal
from tests.branch.branch_world import (  # branch, branch_url, post: fixtures, used by name
    CLI,
    PostSide,
    branch,
    branch_url,
    post,
)
from tests.branch.test_branch_bulk import imported_alike, second_url, twin_branches
from tests.branch.test_branch_conditions import _resealed
from tests.conftest import _admin

TABLES = upsert.SET_WRITTEN


def _postgres_only(url: str) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("the triggers and the role are PostgreSQL's")


def test_the_keys_checked_are_the_schemas_and_no_other_trigger_is_silenced(branch: App) -> None:
    _postgres_only(str(branch.db.engine.url))
    with branch.db.engine.connect() as connection:
        found = inspect(connection)
        for table in [model.__table__ for model in upsert.MODELS.values()] + [NikPrefix.__table__]:
            in_schema = sorted(
                refcheck.ForeignKey(
                    tuple(key["constrained_columns"]),
                    key["referred_table"],
                    tuple(key["referred_columns"]),
                )
                for key in found.get_foreign_keys(table.name)
            )
            assert sorted(refcheck.foreign_keys(table)) == in_schema, table.name
        # ``replica`` silences every trigger and rule: a table that gains one (a deferrable
        # unique key's recheck is one too) is written the old way, and this test says so.
        assert refcheck.user_triggers(connection, TABLES) == []


def _rows_of_each_key(post: PostSide) -> None:
    """A week at a post that sets every reference a first batch can carry."""
    people = [post.register() for _ in range(3)]
    post.pay(people[0], months=3)
    post.pay(people[1])


def test_each_keys_check_finds_a_row_pointing_at_nothing(branch: App, post: PostSide) -> None:
    _postgres_only(str(branch.db.engine.url))
    _rows_of_each_key(post)
    assert import_batch(branch.db, branch.folder, post.export().path, CLI).state == "imported"
    checked = []
    with branch.db.engine.connect() as connection:
        for table in [model.__table__ for model in upsert.MODELS.values()] + [NikPrefix.__table__]:
            for index, key in enumerate(refcheck.foreign_keys(table)):
                column = key.columns[0]
                # A row told by its id (the NIK prefixes, which have none: by the prefix).
                by = "id" if "id" in table.c else "prefix"
                row = connection.execute(
                    text(f"SELECT {by} FROM {table.name} WHERE {column} IS NOT NULL LIMIT 1")
                ).first()
                if row is None:
                    connection.rollback()
                    continue
                # Written as a batch writes, without the triggers; then rolled back.
                connection.exec_driver_sql(f"SET LOCAL {refcheck.ROLE} = replica")
                connection.exec_driver_sql(
                    f"UPDATE {table.name} SET {column} = -7 WHERE {by} = '{row[0]}'"
                )
                query = refcheck.dangling(table, f"t.{by} = '{row[0]}'")
                assert query is not None
                found = [r[0] for r in connection.exec_driver_sql(query)]
                connection.rollback()
                assert found == [index], (table.name, column)
                checked.append((table.name, column))
    assert {("participants", "post_id"), ("nik_prefixes", "post_id"), *REFERENCES} <= set(checked)


def _pointing_nowhere(part: str, column: str) -> Any:
    """The post's own batch, but the first row of ``part`` with ``column`` set points at a
    record no batch brought."""

    def change(manifest: Any, parts: list[PlainPart], key: Any, public: Any) -> bytes:
        out = []
        for plain in parts:
            if plain.name == part:
                document = json.loads(plain.data)
                index = document["columns"].index(column)
                row = next(r for r in document["rows"] if r[index] is not None)
                row[index] = 999_999
                plain = PlainPart(plain.name, plain.records, json.dumps(document).encode())
            out.append(plain)
        return seal(manifest, out, post_key=key, branch=public, compress_level=9)

    return change


# Every reference a post's batch sends that the branch maps (not the post's own row).
REFERENCES = [("participants", "registered_by_id"), ("receipts", "participant_id"),
              ("receipts", "issued_by_id"), ("cover_periods", "participant_id"),
              ("cover_periods", "receipt_id"), ("receipt_months", "receipt_id"),
              ("receipt_months", "participant_id")]  # fmt: skip


def test_a_bad_reference_in_a_first_or_a_later_batch_is_refused_and_nothing_kept(
    branch: App, post: PostSide
) -> None:
    _rows_of_each_key(post)
    first = post.export().path
    people = [post.register() for _ in range(2)]
    post.pay(people[0])
    later = post.export().path
    for label, batch, participants in (("first", first, 0), ("later", later, 3)):
        for part, column in REFERENCES:
            forged = _resealed(batch, post, branch, _pointing_nowhere(part, column))
            with pytest.raises(UserError) as refused:
                import_batch(branch.db, branch.folder, forged, CLI)
            assert refused.value.key == "batch_dangling", (label, part, column)
            assert refused.value.params == {"name": forged.name, "part": part,
                                            "column": column}  # fmt: skip
            with branch.db.reading() as session:
                stored = session.scalars(select(Participant.id)).all()
            assert len(stored) == participants, (label, part, column)
            forged.unlink()
        assert import_batch(branch.db, branch.folder, batch, CLI).state == "imported"
    with branch.db.reading() as session:
        assert len(session.scalars(select(Receipt.id)).all()) == 3


@pytest.fixture
def unprivileged_url(second_url: str) -> Iterator[str]:
    """``second_url`` as a user who owns nothing and may not set ``session_replication_role``:
    granted what an import writes and reads, no more. The role goes with the test."""
    _postgres_only(second_url)
    role = f"rp_import_{uuid.uuid4().hex[:8]}"
    _admin(f"CREATE ROLE {role} LOGIN")
    try:
        yield make_url(second_url).set(username=role).render_as_string(hide_password=False)
    finally:
        engine = create_engine(second_url)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
        engine.dispose()
        _admin(f'DROP DATABASE IF EXISTS "{make_url(second_url).database}" WITH (FORCE)',
               f"DROP ROLE {role}")  # fmt: skip


def _grant_all(url: str, role: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role};"
            f" GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"
        )
    engine.dispose()


def test_without_the_privilege_the_triggers_check_and_nothing_differs(
    tmp_path: Path, branch_url: str, second_url: str, unprivileged_url: str, clock: Any
) -> None:
    _postgres_only(branch_url)
    branch, posts, twin = twin_branches(tmp_path, branch_url, second_url, clock, "plain")
    role = str(make_url(unprivileged_url).username)
    _grant_all(second_url, role)
    twin.close()
    plain = open_app(DataFolder(tmp_path / "branch-plain"), unprivileged_url, clock=clock)
    try:
        with plain.db.engine.connect() as connection:
            found = refcheck.replica_tables(connection.connection.driver_connection, TABLES)
            assert found == frozenset()  # tried, refused, and the transaction goes on
            assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1
        imported_alike(tmp_path, clock, posts, branch, plain, nullcontext)
        with branch.db.engine.connect() as connection:
            found = refcheck.replica_tables(connection.connection.driver_connection, TABLES)
        assert found == frozenset(TABLES)  # the suite's superuser: the fast way was taken
    finally:
        plain.close()
        branch.close()
        for side in posts:
            side.app.close()
