"""The branch announces what it changed (``rumah_perisai.changes``) once it is committed, and only
then: its window's views (the posts' list, the NIK conflicts) listen for these notices. An
import writes most of its rows as SQL text, which the unit of work's listener cannot read, so
each upsert names its table (``db.uow.note_written``). Real posts, a real branch on SQLite and
PostgreSQL, real files."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rumah_perisai import changes
from rumah_perisai.app import App, open_app
from rumah_perisai.branch import (
    add_post,
    branch_posts,
    decide_conflict,
    import_batch,
    import_files,
    kpj_import,
    pending_conflicts,
    set_suspended,
)
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import BatchImport, Participant
from rumah_perisai.errors import UserError
from rumah_perisai.keys.installed import post_key_file_bytes
from rumah_perisai.services.posts import PostSetup, set_up_post
from tests.branch.branch_world import (  # branch, branch_url, post: fixtures, used by name
    CLI,
    PostSide,
    branch,
    branch_url,
    make_post,
    post,
)
from tests.branch.test_branch_conditions import NEXT, _raw, _sealed_with
from tests.branch.test_branch_xlsx import _workbook
from tests.conftest import FakeClock


@pytest.fixture
def heard() -> Iterator[list[frozenset[str]]]:
    """Every announcement made while the test runs, in order."""
    announcements: list[frozenset[str]] = []
    stop = changes.subscribe(announcements.append)
    yield announcements
    stop()


def _all(heard: list[frozenset[str]]) -> frozenset[str]:
    return frozenset().union(*heard)


def _participants(branch: App) -> int:
    with branch.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Participant)) or 0)


def test_an_import_announces_the_records_it_brought_once_they_are_committed(
    branch: App, post: PostSide, heard: list[frozenset[str]]
) -> None:
    post.pay(post.register())
    post.register()
    path = post.export().path
    heard.clear()  # the post's own work, in this same process, is heard too
    seen: list[int] = []  # what a view reading the database on the notice finds

    def view(topics: frozenset[str]) -> None:
        if changes.PARTICIPANTS in topics:
            seen.append(branch_posts(branch.db)[0].participants)

    stop = changes.subscribe(view)
    try:
        import_batch(branch.db, branch.folder, path, CLI)
    finally:
        stop()
    # The upserts (SQL text) are named as the ORM's writes are: the posts' list, its counts and
    # the batches' state are all heard, receipts and the volunteer who registered too.
    assert _all(heard) >= {
        changes.BATCHES, changes.PARTICIPANTS, changes.RECEIPTS, changes.ACCOUNTS,
    }  # fmt: skip
    assert seen == [2]  # announced after the commit: the reader sees the import whole

    heard.clear()
    import_batch(branch.db, branch.folder, path, CLI)  # already imported: nothing changes
    assert heard == []


def test_a_held_batch_and_a_post_key_or_suspension_are_announced(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock, heard: list[frozenset[str]]
) -> None:
    post.register()
    post.export()  # stays at the post
    post.register()
    second = post.export().path
    heard.clear()  # the post's own work, in this same process, is heard too
    assert import_batch(branch.db, branch.folder, second, CLI).state == "held"
    assert heard == [frozenset({changes.BATCHES})]

    heard.clear()
    set_suspended(branch.db, post.code, "laptop dicuri", CLI)
    set_suspended(branch.db, post.code, None, CLI)
    assert heard == [frozenset({changes.ACCOUNTS})] * 2
    folder = DataFolder(tmp_path / "RP3209B")  # a new post, its key file not yet added
    with open_app(folder, folder.sqlite_url, clock=clock) as newcomer:
        set_up_post(newcomer.db, folder, PostSetup("RP3209B", "Rumah Perisai B", "32.09"), "x")
        key = post_key_file_bytes(newcomer.db, folder.keys)
    heard.clear()
    assert not add_post(branch.db, branch.folder, key, CLI).unchanged
    assert heard == [frozenset({changes.ACCOUNTS})]

    heard.clear()  # the same key again changes nothing
    add_post(branch.db, branch.folder, post_key_file_bytes(post.app.db, post.app.folder.keys), CLI)
    assert heard == []


def test_a_refused_import_announces_nothing_even_after_writing(
    branch: App, post: PostSide, heard: list[frozenset[str]]
) -> None:
    post.register()
    written = post.export().path
    damaged = written.with_name("damaged" + written.suffix)
    damaged.write_bytes(written.read_bytes()[: len(written.read_bytes()) // 2])
    with pytest.raises(UserError):
        import_files(branch.db, branch.folder, [damaged], CLI)

    # Signed by the post, yet a value the database cannot take: the volunteers are upserted
    # first, then the participants fail, and the whole transaction is rolled back.
    forged = _sealed_with(
        written, post, branch, rows=lambda rows: [[*row[:-1], 2**70] for row in rows]
    )
    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, forged, CLI)
    assert refused.value.key == "batch_data_bad"

    set_suspended(branch.db, post.code, "laptop dicuri", CLI)
    heard.clear()
    with pytest.raises(UserError) as suspended:
        import_batch(branch.db, branch.folder, written, CLI)
    assert suspended.value.key == "post_suspended"
    with pytest.raises(UserError):
        set_suspended(branch.db, post.code, "   ", CLI)  # no reason
    assert heard == []
    assert _participants(branch) == 0
    with branch.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(BatchImport)) == 0


def test_deciding_a_conflict_and_a_kpj_file_are_announced(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock, heard: list[frozenset[str]]
) -> None:
    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        post.register(nik="3209144101910001")
        import_batch(branch.db, branch.folder, post.export().path, CLI)
        other.register(nik="3209144101910002")
        import_batch(branch.db, branch.folder, other.export().path, CLI)
        _raw(post, clock, "UPDATE participants SET nik = '3209144101910002', change_no = " + NEXT)
        post.register()
        heard.clear()
        import_batch(branch.db, branch.folder, post.export().path, CLI)  # finds the conflict
    finally:
        other.app.close()
    assert changes.BATCHES in _all(heard)  # what the conflicts' count listens to
    (conflict,) = pending_conflicts(branch.db)

    heard.clear()
    with pytest.raises(UserError):
        decide_conflict(branch.db, conflict.id, "RP3209C-000001", "KTP dilihat", CLI)
    assert heard == []
    decide_conflict(branch.db, conflict.id, "RP3209B-000001", "KTP asli di pos B", CLI)
    assert heard == [frozenset({changes.BATCHES, changes.PARTICIPANTS})]

    heard.clear()
    sheet = _workbook(tmp_path / "kpj.xlsx", [["NIK", "KPJ"], ["3209144101910002", "31000000001"]])
    assert kpj_import(branch.db, sheet, CLI).set == 1  # stored by SQL text: named all the same
    assert heard == [frozenset({changes.PARTICIPANTS})]
