"""A new post's first acknowledgement lists every other post's duplicate-warning prefixes and
those of BPJS's own list (issue 21): an import run reads them once and keeps them
(``acks.RunPrefixes``) instead of asking the database to union and sort them all again for
each first ACK. Each ACK still lists exactly what the database query finds. And each ACK is
written while the next batch is imported: one that cannot be written still stops the run."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.branch import acks, branch_keys, import_files
from rumah_perisai.branch.importer import ImportResult
from rumah_perisai.branch.members import members_import
from rumah_perisai.db.models import BatchImport, Post
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import ack_file_name, duplicate_prefix, read_ack
from tests.branch.branch_world import CLI, PostSide, branch, branch_url, make_post

# A woman born 1 Jan 1994: each post's fourth registration (``PostSide.register``'s serial 4).
LISTED = "3209144101944777"  # on BPJS's list, and registered again at post B
NUR = "3209144101945555"  # post C's only
ELSEWHERE = "3209144101860888"  # on BPJS's list only
A_LATER = "3209144101950777"  # post A's, in the second run (its fifth: born 1995)
QUERY = acks._new_prefixes  # the database's answer, asked directly


def _members(tmp_path: Path, branch: App) -> None:
    book = Workbook()
    sheet = book.active
    for row in (["NIK", "KPJ"], [LISTED, "26010000001"], [ELSEWHERE, "26010000002"]):
        sheet.append(row)
    book.save(tmp_path / "bpjs.xlsx")
    members_import(branch.db, branch_keys(branch.folder), tmp_path / "bpjs.xlsx", CLI)


def _queried(branch: App, code: str, seq: int) -> tuple[int, list[str]]:
    """What the database query finds for a post's first ACK (``acks._new_prefixes``)."""
    with branch.db.reading() as session:
        post_id = session.scalars(select(Post.id).where(Post.code == code)).one()
        change = session.scalars(
            select(BatchImport.change_no).where(
                BatchImport.post_id == post_id, BatchImport.seq == seq
            )
        ).one()
        assert change is not None
        return change, QUERY(session, post_id, 0, change)


def _queried_since(branch: App, code: str, seq: int) -> list[str]:
    """What the database query finds for a post's later ACK: since its batch before."""
    with branch.db.reading() as session:
        post_id = session.scalars(select(Post.id).where(Post.code == code)).one()
        changes: dict[int, int] = {}
        for number, change in session.execute(
            select(BatchImport.seq, BatchImport.change_no).where(
                BatchImport.post_id == post_id, BatchImport.seq.in_((seq - 1, seq))
            )
        ):
            assert change is not None  # imported
            changes[number] = change
        return QUERY(session, post_id, changes[seq - 1], changes[seq])


def test_first_acks_of_a_run_list_what_the_database_finds_read_once(
    tmp_path: Path, branch: App, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sides = [make_post(tmp_path, branch, clock, code) for code in ("RP3209A", "RP3209B", "RP3209C")]
    asked: list[int] = []

    def counted(session: Any, post_id: int, after: int, upto: int) -> list[str]:
        asked.append(post_id)
        return QUERY(session, post_id, after, upto)

    monkeypatch.setattr(acks, "_new_prefixes", counted)

    try:
        _members(tmp_path, branch)
        a, b, c = sides
        for k, side in enumerate(sides, start=1):
            for n in range(1, 4):  # each post's own people: NIKs no other post has
                side.pay(side.register(nik=f"3209144101{90 + n % 9:02d}{k}{n:03d}"))
        b.register(nik=LISTED, name="Siti Aminah")  # BPJS's too: listed in B's own first ACK
        c.register(nik=NUR, name="Nur Aini")
        paths = [side.export().path for side in sides]
        results = import_files(branch.db, branch.folder, paths, CLI)

        assert [r.state for r in results] == ["imported"] * 3
        assert asked == []  # no first ACK asked the database
        keys = branch_keys(branch.folder)
        salt = acks.duplicate_salt(keys)
        listed = {}
        for result in results:
            assert result.ack_path is not None
            ack = read_ack(result.ack_path.read_bytes(), keys.public, result.ack_path.name)
            _change, expected = _queried(branch, result.post_code, 1)
            assert ack.duplicate_prefixes == expected
            listed[result.post_code] = set(ack.duplicate_prefixes)
        # The world did what it should: each lists BPJS's list and the posts before it; a post's
        # own prefix only when someone else brought it too.
        assert duplicate_prefix(salt, ELSEWHERE) in listed["RP3209A"]
        assert duplicate_prefix(salt, LISTED) in listed["RP3209B"]
        nur = duplicate_prefix(salt, NUR)
        assert nur not in listed["RP3209C"] and nur not in listed["RP3209A"]
        assert len(listed["RP3209C"]) > len(listed["RP3209B"]) > len(listed["RP3209A"]) >= 2

        # A second run: each post's next batch lists only what came since (from the run's
        # rows of those changes, as the database finds them), and a new post's first ACK
        # takes everything.
        late = make_post(tmp_path, branch, clock, "RP3209D")
        sides.append(late)
        late.register()
        a.register()
        a.register(nik=A_LATER)  # A's fifth: B's next ACK lists it, A's own does not
        b.register()
        paths = [a.export().path, b.export().path, late.export().path]
        again = import_files(branch.db, branch.folder, paths, CLI)
        assert [(r.post_code, r.seq) for r in again] == [
            ("RP3209A", 2), ("RP3209B", 2), ("RP3209D", 1)
        ]  # fmt: skip
        assert asked == []
        later = {}
        for result in again[:2]:
            assert result.ack_path is not None
            ack = read_ack(result.ack_path.read_bytes(), keys.public, result.ack_path.name)
            assert ack.duplicate_prefixes == _queried_since(branch, result.post_code, 2)
            later[result.post_code] = ack.duplicate_prefixes
        assert duplicate_prefix(salt, A_LATER) in later["RP3209B"]
        assert duplicate_prefix(salt, A_LATER) not in later["RP3209A"]
        ack = read_ack(again[2].ack_path.read_bytes(), keys.public, "d")  # type: ignore[union-attr]
        change, expected = _queried(branch, "RP3209D", 1)
        assert ack.duplicate_prefixes == expected
        assert nur in ack.duplicate_prefixes

        # A list read up to a later change never answers for an earlier one: the database does.
        kept = acks.RunPrefixes()
        with branch.db.reading() as session:
            assert kept.listed(session, 0, change) is not None
            assert kept.listed(session, 0, change - 1) is None
            # Later ACKs asked in any order — a range before, after and around what was read —
            # list what the database finds, whether the rows before are kept or let go.
            ids = session.scalars(select(Post.id).order_by(Post.id)).all()
            for at_most in (acks.HELD_AT_MOST, 0):
                monkeypatch.setattr(acks, "HELD_AT_MOST", at_most)
                kept = acks.RunPrefixes()
                for post_id, after, upto in [(ids[1], change - 3, change - 1),
                                             (ids[0], 1, change - 2), (ids[2], 2, change),
                                             (ids[1], 0, change)]:  # fmt: skip
                    assert kept.since(session, post_id, after, upto) == QUERY(
                        session, post_id, after, upto
                    )
    finally:
        for side in sides:
            side.app.close()


def test_an_ack_that_cannot_be_written_stops_the_run_before_the_next_batch(
    tmp_path: Path, branch: App, clock: Any
) -> None:
    """Each ACK is written on a thread while the next batch is imported (``importer._Run``):
    one that cannot be written still stops the run with its batch imported and nothing after
    it, and every batch before it handed on with its ACK written — as when each was written in
    turn."""
    sides = [make_post(tmp_path, branch, clock, code) for code in ("RP3209A", "RP3209B", "RP3209C")]
    try:
        for k, side in enumerate(sides, start=1):
            side.pay(side.register(nik=f"3209144101910{k}01"))
        paths = [side.export().path for side in sides]
        # Where the branch keeps B's ACK stands a folder: writing it fails.
        (branch.folder.root / "acks" / ack_file_name(paths[1].name)).mkdir(parents=True)
        handed: list[ImportResult] = []
        with pytest.raises(UserError) as refused:
            import_files(branch.db, branch.folder, paths, CLI, on_result=handed.append)
        assert refused.value.key == "write_failed_other"
        assert [(r.post_code, r.state) for r in handed] == [("RP3209A", "imported")]
        assert handed[0].ack_path is not None and handed[0].ack_path.is_file()
        with branch.db.reading() as session:
            imported = session.scalars(
                select(Post.code).join(BatchImport, BatchImport.post_id == Post.id)
                .where(BatchImport.state == "imported").order_by(Post.code)
            ).all()  # fmt: skip
        assert imported == ["RP3209A", "RP3209B"]  # C was never imported
        assert not paths[1].with_name(ack_file_name(paths[1].name)).exists()
        assert not list(branch.folder.root.rglob("*.partial"))

        # The folder gone, the same files again: B's ACK is written, C imported.
        (branch.folder.root / "acks" / ack_file_name(paths[1].name)).rmdir()
        handed.clear()
        again = import_files(branch.db, branch.folder, paths, CLI, on_result=handed.append)
        assert [r.state for r in again] == ["already_imported", "already_imported", "imported"]
        assert all(r.ack_path is not None and r.ack_path.is_file() for r in again)
        assert handed == again  # each handed on, in order, whatever became of it
    finally:
        for side in sides:
            side.app.close()


def test_a_weeks_acks_in_turn_list_what_the_changes_rows_bring() -> None:
    """``RunPrefixes.since`` over a run's ACKs one after another — each range a few changes on
    from the last, as a week's posts come in turn, then jumps back and forth — lists, each
    time, every prefix of the range's rows but those only the post's own rows bring: counted
    change by change in and out, or all again. The rows: posts' registrations (a prefix brought
    by two posts, or twice by BPJS's list) and BPJS's list (no post)."""
    rng = random.Random(21)
    kept = acks.RunPrefixes()
    changes = 300
    pool = [f"{rng.getrandbits(12):03x}" for _ in range(900)]  # few: prefixes shared often
    for change in range(1, changes + 1):
        rows = []
        for holder in rng.sample([None, 1, 2, 3, 4, 5], rng.randint(1, 3)):
            rows.append((holder, [rng.choice(pool) for _ in range(rng.randint(1, 30))]))
        kept.by_change[change] = rows
        kept.held += sum(len(p) for _h, p in rows)
    kept.window = (0, changes)  # every row read: nothing is asked of the database

    def expected(post_id: int, after: int, upto: int) -> list[str]:
        return sorted({p for c in range(after + 1, upto + 1)
                       for holder, prefixes in kept.by_change[c] if holder != post_id
                       for p in prefixes})  # fmt: skip

    ranges = [(rng.randint(1, 5), a, a + 40 + rng.randint(0, 3)) for a in range(0, 250, 2)]
    ranges += [(rng.randint(1, 5), *sorted(rng.sample(range(changes + 1), 2))) for _ in range(40)]
    for post_id, after, upto in ranges:
        assert kept.since(None, post_id, after, upto) == expected(post_id, after, upto)  # type: ignore[arg-type]
