"""The exchange under real conditions (issue 14, items 1, 2, 5 and 8): a batch passed over stays
open until it comes; no post can knock out another post's member by what it claims; two runs of
one file; a batch that declares more than it holds. Real posts, a real branch, real files."""

# ruff: noqa: F401, F811
from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from rumah_perisai.app import App, open_app
from rumah_perisai.branch import (
    ImportResult,
    branch_keys,
    branch_posts,
    decide_conflict,
    import_batch,
    pending_conflicts,
)
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import BatchImport, BranchConflict, Participant
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import read_ack
from rumah_perisai.exchange.batchfile import open_batch, seal
from rumah_perisai.services.acks import branch_view, take_ack
from rumah_perisai.services.batches import export_batch
from rumah_perisai.services.registration import correct
from tests.branch.branch_world import (  # branch, branch_url, post: fixtures, used by name
    CLI,
    PostSide,
    branch,
    branch_url,
    make_post,
    post,
)
from tests.conftest import FakeClock
from tests.dbfiles import engine_for, open_raw


def _standing(branch: App, regno: str) -> str:
    with branch.db.reading() as session:
        return str(
            session.scalars(
                select(Participant.standing).where(Participant.registration_no == regno)
            ).one()
        )


def _ack(branch: App, result: ImportResult) -> dict[str, Any]:
    assert result.ack_path is not None
    data = result.ack_path.read_bytes()
    return read_ack(data, branch_keys(branch.folder).public, result.ack_path.name).content()


def _take(post: PostSide, result: ImportResult) -> None:
    assert result.ack_path is not None
    take_ack(post.app.db, result.ack_path.read_bytes(), result.ack_path.name, CLI)


# The change number the post's next operation takes: a row edited behind the program's back is
# given it, so the next batch carries the row (the post's own edit, not noticed by the program).
NEXT = "(SELECT value + 1 FROM counters WHERE scope = '' AND name = 'change')"


def _raw(post: PostSide, clock: FakeClock, sql: str, *params: Any) -> None:
    """The post edits its own database file behind the program's back."""
    post.app.close()
    with open_raw(post.app.folder) as raw:
        raw.execute(sql, params)
    post.app = open_app(post.app.folder, post.app.folder.sqlite_url, clock=clock)


# --- 1. a batch passed over is not lost --------------------------------------------------------


def test_a_batch_passed_over_is_imported_when_it_comes_and_the_post_is_told_meanwhile(
    branch: App, post: PostSide, clock: FakeClock
) -> None:
    first = post.register()
    one = post.export()
    clock.advance(days=7)
    second = post.register()
    two = post.export()  # the stick is lost on the way
    clock.advance(days=7)
    post.register()
    correct(post.app.db, second, {"phone": "081300000002"}, post.coordinator, "nomor baru")
    three = post.export()

    import_batch(branch.db, branch.folder, one.path, CLI)
    passed = import_batch(branch.db, branch.folder, three.path, CLI, gap_reason="stick hilang")
    assert passed.state == "imported"
    assert _ack(branch, passed)["missing_batches"] == [2]
    assert branch_posts(branch.db)[0].missing == [2]
    _take(post, passed)
    assert branch_view(post.app.db).missing == [2]  # the batches page says: write it again

    late = import_batch(branch.db, branch.folder, two.path, CLI)

    assert late.state == "imported" and late.late
    assert _ack(branch, late)["missing_batches"] == []
    with branch.db.reading() as session:
        regnos = set(session.scalars(select(Participant.registration_no)))
        phone = session.scalars(
            select(Participant.phone).where(Participant.source_id == second)
        ).one()
    assert regnos == {"RP3209A-000001", "RP3209A-000002", "RP3209A-000003"}
    assert phone == "081300000002"  # batch 3's newer version was not overwritten by batch 2's
    assert first  # registered in batch 1
    _take(post, late)
    assert branch_view(post.app.db).missing == []
    assert branch_posts(branch.db)[0].missing == []


def test_another_file_cannot_fill_the_gap_in_place_of_the_batch_the_post_wrote(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    post.register()
    one = post.export()
    post.app.close()
    copy_root = tmp_path / "copy"
    shutil.copytree(post.app.folder.root, copy_root)
    post.app = open_app(post.app.folder, post.app.folder.sqlite_url, clock=clock)
    clock.advance(days=1)
    post.register()
    post.export()  # the real batch 2, lost
    clock.advance(days=1)
    post.register()
    three = post.export()
    copied = open_app(DataFolder(copy_root), DataFolder(copy_root).sqlite_url, clock=clock)
    try:  # a copy of the data folder writes its own "batch 2"
        side = PostSide(copied, "RP3209A", post.coordinator, tmp_path / "copy-stick")
        side.stick.mkdir()
        side.register(nik="3209144101910009", name="Budi Salinan")
        forged = export_batch(copied.db, copied.folder, side.stick, CLI)
    finally:
        copied.close()
    import_batch(branch.db, branch.folder, one.path, CLI)
    import_batch(branch.db, branch.folder, three.path, CLI, gap_reason="stick hilang")

    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, forged.path, CLI)

    assert refused.value.key == "batch_not_the_one"
    with branch.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(BatchImport)) == 2
        assert session.scalar(select(func.count()).select_from(Participant)) == 2


# --- 2. what the branch saw decides, never what a post claims -----------------------------------


def test_a_registration_dated_in_the_past_cannot_knock_out_an_accepted_member(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        other.register(name="Siti Aminah")  # the genuine member, accepted first
        import_batch(branch.db, branch.folder, other.export().path, CLI)
        clock.advance(hours=2)
        post.register(name="Siti Aminah")  # the same NIK, claimed a year earlier below
        _raw(post, clock, "UPDATE participants SET registered_at = '2025-11-01 00:00:00.000000'")
        result = import_batch(branch.db, branch.folder, post.export().path, CLI)
    finally:
        other.app.close()

    assert [r.key for r in result.rejected] == ["RP3209A-000001"]
    assert _standing(branch, "RP3209B-000001") == "member"
    assert _standing(branch, "RP3209A-000001") == "rejected"


def test_a_nik_changed_onto_an_accepted_member_is_held_for_an_officer_and_both_posts_told(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        mine = post.register(nik="3209144101910001")
        import_batch(branch.db, branch.folder, post.export().path, CLI)
        clock.advance(hours=1)
        other.register(nik="3209144101910002")
        import_batch(branch.db, branch.folder, other.export().path, CLI)
        clock.advance(days=1)
        # Post A "corrects" its member onto B's member's NIK (a stolen laptop, or a mistake).
        _raw(post, clock, "UPDATE participants SET nik = '3209144101910002', "
             "birth_date = '1991-01-01', change_no = " + NEXT)  # fmt: skip
        post.register()  # a change after it, so the export reaches the edited row
        result = import_batch(branch.db, branch.folder, post.export().path, CLI)
        assert result.rejected == []
        assert _standing(branch, "RP3209A-000001") == "member"
        assert _standing(branch, "RP3209B-000001") == "member"
        (conflict,) = pending_conflicts(branch.db)
        assert conflict.first.registration_no == "RP3209A-000001"  # seen first by the branch
        assert conflict.second.registration_no == "RP3209B-000001"
        assert [p["key"] for p in _ack(branch, result)["pending"]] == ["RP3209A-000001"]
        _take(post, result)
        assert "RP3209A-000001" in branch_view(post.app.db).pending
        other.register()
        theirs = import_batch(branch.db, branch.folder, other.export().path, CLI)
        assert [p["key"] for p in _ack(branch, theirs)["pending"]] == ["RP3209B-000001"]

        with pytest.raises(UserError) as refused:
            decide_conflict(branch.db, conflict.id, "RP3209C-000001", "KTP dilihat", CLI)
        assert refused.value.key == "conflict_keep_bad"
        lost = decide_conflict(branch.db, conflict.id, "RP3209B-000001", "KTP asli di pos B", CLI)
        assert lost == "RP3209A-000001"
        assert pending_conflicts(branch.db) == []
        post.register()
        after = import_batch(branch.db, branch.folder, post.export().path, CLI)
        ack = _ack(branch, after)
        assert ack["pending"] == []
        assert [r["key"] for r in ack["rejections"]] == ["RP3209A-000001"]
        _take(post, after)
        assert branch_view(post.app.db).pending == {}
        with post.app.db.reading() as session:
            person = session.get(Participant, mine)
            assert person is not None and person.standing == "rejected"
    finally:
        other.app.close()


def test_a_correction_that_undoes_the_clash_settles_the_conflict_without_a_rejection(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        post.register(nik="3209144101910001")
        import_batch(branch.db, branch.folder, post.export().path, CLI)
        other.register(nik="3209144101910002")
        import_batch(branch.db, branch.folder, other.export().path, CLI)
        clock.advance(days=1)
        _raw(post, clock, "UPDATE participants SET nik = '3209144101910002', "
             "birth_date = '1991-01-01', change_no = " + NEXT)  # fmt: skip
        post.register()
        import_batch(branch.db, branch.folder, post.export().path, CLI)
        assert len(pending_conflicts(branch.db)) == 1
        clock.advance(days=1)
        _raw(post, clock, "UPDATE participants SET nik = '3209144101900001', "
             "birth_date = '1991-01-01', change_no = " + NEXT + " WHERE number = 1")  # fmt: skip
        post.register()
        result = import_batch(branch.db, branch.folder, post.export().path, CLI)
    finally:
        other.app.close()
    assert pending_conflicts(branch.db) == [] and result.rejected == []
    assert _ack(branch, result)["pending"] == []
    with branch.db.reading() as session:
        assert session.scalars(select(BranchConflict.state)).one() == "decided"


def test_times_later_than_the_batch_or_earlier_than_the_previous_one_are_refused(
    branch: App, post: PostSide, clock: FakeClock
) -> None:
    post.register()
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    clock.advance(days=7)
    post.register()
    # A new registration claiming to be older than batch 1 (which the branch has imported).
    _raw(post, clock, "UPDATE participants SET registered_at = '2020-01-01 00:00:00.000000' "
         "WHERE number = 2")  # fmt: skip
    early = post.export()
    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, early.path, CLI)
    assert refused.value.key == "batch_time_outside"

    # A time after the batch was written.
    _raw(post, clock, "UPDATE participants SET registered_at = consent_at WHERE number = 2")
    post.register()
    _raw(post, clock, "UPDATE participants SET consent_at = '2030-01-01 00:00:00.000000' "
         "WHERE number = 3")  # fmt: skip
    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, early.path, CLI)
    assert refused.value.key == "batch_time_outside"
    with branch.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Participant)) == 1


# --- 5. two runs of the same file ----------------------------------------------------------------


def test_two_runs_importing_the_same_file_at_once_both_end_well(
    branch: App, post: PostSide
) -> None:
    for _ in range(3):
        post.register()
    path = post.export().path
    results: list[Any] = []

    def run() -> None:
        try:
            results.append(import_batch(branch.db, branch.folder, path, CLI).state)
        except UserError as error:
            results.append(error.key)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # The loser waits and finds it imported (SQLite), or is told at once that another import
    # is running (PostgreSQL's import lock); never that "a different batch 1" was imported.
    assert "imported" in results and len(results) == 2
    (loser,) = [r for r in results if r != "imported"] or ["already_imported"]
    assert loser in ("already_imported", "import_running")
    again = import_batch(branch.db, branch.folder, path, CLI)
    assert again.state == "already_imported"
    with branch.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Participant)) == 3


# --- 8. a batch declaring more than it holds ----------------------------------------------------


def _resealed(path: Path, post: PostSide, branch: App, change: Any) -> Path:
    """The batch's parts sealed again by the post's own key, after ``change`` (a post that
    writes its own batches, or a stolen key)."""
    from rumah_perisai.exchange.batchfile import PlainPart, decrypt_parts
    from rumah_perisai.keys import load_post_key

    keys = branch_keys(branch.folder)
    sealed = open_batch(path.read_bytes(), path.name)
    plain = decrypt_parts(sealed, keys.public, keys.encryption, path.name)
    parts = [
        PlainPart(p.name, p.records, plain[p.name]) for p in sealed.parts
    ]  # fmt: skip
    manifest = {
        k: v
        for k, v in sealed.manifest.items()
        if k not in ("format", "version", "parts", "compression", "encryption")
    }
    data = change(manifest, parts, load_post_key(post.app.folder.keys), keys.public)
    out = path.with_name("forged-" + path.name)
    out.write_bytes(data)
    return out


def test_a_part_that_inflates_beyond_what_it_declares_is_refused_before_it_fills_memory(
    branch: App, post: PostSide
) -> None:
    from rumah_perisai.exchange.batchfile import PlainPart

    post.register()
    path = post.export().path

    def bomb(manifest: Any, parts: Any, key: Any, public: Any) -> bytes:
        # 64 MB of spaces in the participants' JSON: declared honestly as 2 records.
        padded = [
            PlainPart(p.name, p.records, p.data + b" " * (64 << 20))
            if p.name == "participants"
            else p
            for p in parts
        ]
        data = seal(manifest, padded, post_key=key, branch=public, compress_level=9)
        return data

    forged = _resealed(path, post, branch, bomb)
    assert forged.stat().st_size < 1 << 20  # a small file ...
    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, forged, CLI)
    assert refused.value.key == "batch_manifest_bad"  # ... declaring more than 2 records can be
    with branch.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(BatchImport)) == 0


def test_a_replayed_batch_is_refused_before_anything_is_decrypted(
    branch: App, post: PostSide
) -> None:
    post.register()
    one = post.export()
    import_batch(branch.db, branch.folder, one.path, CLI)

    def undecryptable(manifest: Any, parts: Any, key: Any, public: Any) -> bytes:
        # Another batch 1 (a replay), its parts sealed to a key that is not the branch's while
        # its manifest names the branch: only decrypting it would tell.
        from dataclasses import replace

        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        stranger = X25519PrivateKey.generate().public_key().public_bytes_raw()
        manifest = dict(manifest, created_at="2026-11-28T00:00:00Z")
        return seal(manifest, parts, post_key=key, branch=replace(public, encryption_key=stranger))

    forged = _resealed(one.path, post, branch, undecryptable)
    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, forged, CLI)
    assert refused.value.key == "batch_replayed"


def test_a_change_in_flight_while_the_previous_batch_was_read_is_not_refused_as_too_early(
    branch: App, post: PostSide, clock: FakeClock
) -> None:
    """A registration whose operation began (lock taken, clock read) just before the export read
    its snapshot, and committed after: it goes in the next batch with a time a moment before the
    previous batch's created_at — never before the previous batch's newest change."""
    post.register()
    clock.advance(minutes=5)
    one = post.export()  # created_at: 5 minutes after the registration
    clock.advance(minutes=10)
    post.register()
    # Its times, as the in-flight operation read them: 1 minute before batch 1 was written.
    moment = "2026-11-27 02:34:00.000000"
    _raw(post, clock, f"UPDATE participants SET registered_at = '{moment}', "
         f"consent_at = '{moment}' WHERE number = 2")  # fmt: skip
    _raw(post, clock, f"UPDATE audit_log SET at = '{moment}' WHERE change_no = "
         "(SELECT max(change_no) FROM audit_log WHERE entity = 'participants')")  # fmt: skip
    two = post.export()
    import_batch(branch.db, branch.folder, one.path, CLI)
    with branch.db.reading() as session:
        created = json.loads(session.scalars(select(BatchImport.manifest_json)).one())
    assert created["created_at"] > "2026-11-27T02:34:00"  # the time is before batch 1 ...
    result = import_batch(branch.db, branch.folder, two.path, CLI)
    assert result.state == "imported"  # ... yet after its newest change: taken


def test_a_branch_upgraded_from_before_keeps_newer_records_when_the_passed_batch_comes(
    branch: App, post: PostSide, clock: FakeClock
) -> None:
    """Batch 3 was imported past a gap before this program; the branch is upgraded (migration
    0011 gives its records the version of the batch that brought them); batch 2 comes."""
    from alembic import command

    from rumah_perisai.db.engine import make_engine
    from rumah_perisai.db.migrate import downgrade_to, upgrade_to_head

    post.register()
    one = post.export()
    clock.advance(days=7)
    second = post.register()
    two = post.export()
    clock.advance(days=7)
    correct(post.app.db, second, {"phone": "081300000002"}, post.coordinator, "nomor baru")
    three = post.export()
    import_batch(branch.db, branch.folder, one.path, CLI)
    import_batch(branch.db, branch.folder, three.path, CLI, gap_reason="stick hilang")
    url = branch.db.engine.url.render_as_string(hide_password=False)
    branch.db.dispose()
    engine = engine_for(branch.folder, url)
    try:
        downgrade_to(engine, "0010")  # the branch as it was before
        upgrade_to_head(engine)
    finally:
        engine.dispose()

    late = import_batch(branch.db, branch.folder, two.path, CLI)

    assert late.state == "imported"
    with branch.db.reading() as session:
        phone = session.scalars(
            select(Participant.phone).where(Participant.source_id == second)
        ).one()
    assert phone == "081300000002"  # batch 3's version stands


def _sealed_with(
    path: Path, post: PostSide, branch: App, *, manifest: Any = None, rows: Any = None
) -> Path:
    """The batch sealed again by the post's own key with its manifest or participants' rows
    changed: what a dishonest post (or a stolen key) can send."""
    from rumah_perisai.exchange.batchfile import PlainPart

    def change(old: Any, parts: Any, key: Any, public: Any) -> bytes:
        new_parts = []
        for part in parts:
            if part.name == "participants" and rows is not None:
                document = json.loads(part.data)
                document["rows"] = rows(document["rows"])
                data = json.dumps(document).encode()
                part = PlainPart(part.name, len(document["rows"]), data)
            new_parts.append(part)
        return seal(manifest(old) if manifest else old, new_parts, post_key=key, branch=public)

    return _resealed(path, post, branch, change)


@pytest.mark.parametrize(
    ("hostile", "key"),
    [
        ({"rows": lambda rows: [[{"a": 1}, *row[1:]] for row in rows]}, "batch_data_bad"),
        ({"rows": lambda rows: [[*row[:-1], 2**70] for row in rows]}, "batch_data_bad"),
        (
            {"manifest": lambda m: dict(m, seq=10**9, prev_batch_hash="ab" * 32)},
            "batch_seq_implausible",
        ),
    ],
    ids=["an object for a value", "a number too big", "a batch number far ahead"],
)
def test_a_signed_batch_with_hostile_values_is_a_one_line_refusal(
    branch: App, post: PostSide, hostile: dict[str, Any], key: str
) -> None:
    post.register()
    forged = _sealed_with(post.export().path, post, branch, **hostile)
    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, forged, CLI)
    assert refused.value.key == key
    with branch.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Participant)) == 0
        assert session.scalar(select(func.count()).select_from(BatchImport)) == 0


def test_a_conflict_decided_once_cannot_be_decided_again(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        post.register(nik="3209144101910001")
        import_batch(branch.db, branch.folder, post.export().path, CLI)
        other.register(nik="3209144101910002")
        import_batch(branch.db, branch.folder, other.export().path, CLI)
        _raw(post, clock, "UPDATE participants SET nik = '3209144101910002', change_no = " + NEXT)
        post.register()
        import_batch(branch.db, branch.folder, post.export().path, CLI)
    finally:
        other.app.close()
    (conflict,) = pending_conflicts(branch.db)
    decide_conflict(branch.db, conflict.id, "RP3209B-000001", "KTP asli di pos B", CLI)
    with pytest.raises(UserError) as refused:  # a second officer, a moment later
        decide_conflict(branch.db, conflict.id, "RP3209A-000001", "KTP di pos A", CLI)
    assert refused.value.key == "conflict_unknown"
    assert _standing(branch, "RP3209B-000001") == "member"
    assert _standing(branch, "RP3209A-000001") == "rejected"
    with branch.db.reading() as session:
        (reason,) = session.scalars(select(Participant.standing_reason).where(
            Participant.registration_no == "RP3209A-000001"))  # fmt: skip
    assert reason is not None and "KTP" not in reason  # the officer's note stays at the branch
