"""The branch (issue 9): posts' batches imported once, in order, checked; acknowledgements back.
Posts on SQLite; the branch on SQLite and on PostgreSQL (``DATABASE_URL``)."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from rumah_perisai.app import App, open_app
from rumah_perisai.branch import (
    branch_keys,
    branch_posts,
    import_batch,
    import_files,
    set_suspended,
)
from rumah_perisai.config import DataFolder
from rumah_perisai.db import engine as engine_module
from rumah_perisai.db.models import BatchImport, Participant, Receipt, ReceiptMonth
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import read_ack
from rumah_perisai.exchange.batchfile import BatchFileError
from rumah_perisai.services.registration import withdraw
from tests.branch.branch_world import (  # branch, branch_url, post: fixtures, used by name
    CLI,
    PostSide,
    branch,
    branch_url,
    make_branch,
    make_post,
    post,
)
from tests.conftest import FakeClock
from tests.dbfiles import open_raw


def _count(app: App, model: Any, **where: Any) -> int:
    with app.db.reading() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def _ack(branch: App, path: Path) -> dict[str, Any]:
    ack = read_ack(path.read_bytes(), branch_keys(branch.folder).public, path.name)
    return ack.content()


def test_a_batch_is_imported_once_and_acknowledged_beside_it(branch: App, post: PostSide) -> None:
    siti = post.register(name="Siti Rahayu")
    post.register()
    written = post.export()

    result = import_batch(branch.db, branch.folder, written.path, CLI)

    assert result.state == "imported" and result.rejected == []
    assert result.records["participants"] == 2
    assert _count(branch, Participant) == 2 and _count(branch, BatchImport, state="imported") == 1
    with branch.db.reading() as session:
        person = session.scalars(select(Participant).where(Participant.name == "Siti Rahayu")).one()
        assert person.source_id == siti and person.post_code == "RP3209A"
        assert person.registered_by_id is not None  # mapped to the branch's volunteer row
    assert result.ack_path == written.path.with_name(written.path.stem + ".ack.json")
    ack = _ack(branch, result.ack_path)
    assert ack["post"] == "RP3209A" and ack["batch"]["seq"] == 1
    assert ack["parts"]["participants"] == {"records": 2, "rejected": 0}
    assert ack["rejections"] == []

    again = import_batch(branch.db, branch.folder, written.path, CLI)
    assert again.state == "already_imported"
    assert _count(branch, Participant) == 2 and _count(branch, BatchImport) == 1
    (listed,) = branch_posts(branch.db)
    assert listed.code == "RP3209A" and listed.last_seq == 1 and listed.participants == 2


def test_changes_and_voids_arrive_in_later_batches(
    branch: App, post: PostSide, clock: FakeClock
) -> None:
    from rumah_perisai.services.dues import void_receipt

    first, second = post.register(), post.register()
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    clock.advance(days=100)  # the free cover has ended: dues are owed
    receipt = post.pay(first, 3)
    void_receipt(post.app.db, receipt, "salah orang", post.coordinator)
    post.pay(first, 1)
    withdraw(post.app.db, second, "terdaftar dua kali", post.coordinator)
    result = import_batch(branch.db, branch.folder, post.export().path, CLI)

    assert result.state == "imported"
    with branch.db.reading() as session:
        standing = session.scalars(
            select(Participant.standing).where(Participant.source_id == second)
        ).one()
        assert standing == "withdrawn"
        void = session.scalars(select(Receipt).where(Receipt.kind == "void")).one()
        voided = session.get(Receipt, void.voids_receipt_id)
        assert voided is not None and voided.source_id == receipt
        months = session.scalars(select(ReceiptMonth).order_by(ReceiptMonth.month)).all()
        assert [m.voided_by_receipt_id is not None for m in months] == [True, False, False, True][
            : len(months)
        ] or len(months) == 4


def test_a_gap_holds_later_batches_until_it_is_filled(
    branch: App, post: PostSide, clock: FakeClock
) -> None:
    post.register()
    one = post.export()
    post.register()
    two = post.export()
    post.register()
    three = post.export()
    import_batch(branch.db, branch.folder, one.path, CLI)

    held = import_batch(branch.db, branch.folder, three.path, CLI)
    assert held.state == "held" and held.missing_seq == 2
    assert "batch 2 belum diimpor" in held.message()
    assert _count(branch, Participant) == 1

    filled = import_batch(branch.db, branch.folder, two.path, CLI)
    assert filled.state == "imported"
    assert [r.seq for r in filled.followed] == [3]
    assert _count(branch, Participant) == 3
    assert three.path.with_name(three.path.stem + ".ack.json").exists()


def test_a_gap_can_be_passed_over_with_a_reason_that_is_recorded(
    branch: App, post: PostSide
) -> None:
    post.register()
    post.export()  # lost on the way
    post.register()
    two = post.export()
    result = import_batch(branch.db, branch.folder, two.path, CLI, gap_reason="flashdisk hilang")
    assert result.state == "imported"
    with branch.db.reading() as session:
        row = session.scalars(select(BatchImport)).one()
        assert row.gap_override is not None and "flashdisk hilang" in row.gap_override
        person = session.scalars(select(Participant)).one()
        assert person.registered_by_id is None  # the volunteer came in the lost batch


def test_files_are_imported_in_sequence_whatever_order_they_come_in(
    branch: App, post: PostSide
) -> None:
    paths = []
    for _ in range(3):
        post.register()
        paths.append(post.export().path)
    results = import_files(branch.db, branch.folder, list(reversed(paths)), CLI)
    assert [(r.seq, r.state) for r in results] == [(1, "imported"), (2, "imported"),
                                                    (3, "imported")]  # fmt: skip


def test_the_same_nik_at_two_posts_rejects_the_later_registration(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        other.register(name="Siti Aminah")  # the same generated NIK as below
        import_batch(branch.db, branch.folder, other.export().path, CLI)
        clock.advance(hours=2)
        later = post.register(name="Siti Aminah")
        result = import_batch(branch.db, branch.folder, post.export().path, CLI)
    finally:
        other.app.close()

    (rejection,) = result.rejected
    assert rejection.code == "duplicate_nik" and rejection.key == "RP3209A-000001"
    assert "RP3209B" in rejection.reason
    with branch.db.reading() as session:
        standing = session.scalars(
            select(Participant.standing).where(
                Participant.post_code == "RP3209A", Participant.source_id == later
            )
        ).one()
    assert standing == "rejected"
    assert result.ack_path is not None
    ack = _ack(branch, result.ack_path)
    assert ack["rejections"][0]["key"] == "RP3209A-000001"
    assert ack["parts"]["participants"]["rejected"] == 1
    assert [p["post"]["code"] for p in ack["posts"]] == ["RP3209B"]
    assert len(ack["duplicates"]["prefixes"]) == 1


# --- refused, nothing imported --------------------------------------------------------------------


def test_a_batch_from_an_unknown_post_is_refused(
    tmp_path: Path, branch: App, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranger = make_post(tmp_path, branch, clock, "RP3209C")
    stranger.register()
    path = stranger.export().path
    stranger.app.close()
    other_branch = make_branch(tmp_path / "b2", DataFolder(tmp_path / "b2").sqlite_url, clock)
    try:
        # Same branch keys, a database that never registered the post.
        shutil.rmtree(other_branch.folder.keys)
        shutil.copytree(branch.folder.keys, other_branch.folder.keys)
        with pytest.raises(UserError) as refused:
            import_batch(other_branch.db, other_branch.folder, path, CLI)
        assert refused.value.key == "post_unknown_batch"
        # The same in a run, where a batch is placed only once it holds the import's lock; and
        # while another import holds it, the file's own fault is still what is said.
        with pytest.raises(UserError) as refused:
            import_files(other_branch.db, other_branch.folder, [path], CLI)
        assert refused.value.key == "post_unknown_batch"
        monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 300)
        writer = open_raw(other_branch.folder)
        try:
            writer.execute("BEGIN IMMEDIATE")  # another import, in the middle of its work
            with pytest.raises(UserError) as refused:
                import_files(other_branch.db, other_branch.folder, [path], CLI)
            assert refused.value.key == "post_unknown_batch"
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert _count(other_branch, Participant) == 0
        assert not (other_branch.folder.root / "imported").exists()  # no copy of it kept
    finally:
        other_branch.close()


def test_a_suspended_posts_batches_are_refused(branch: App, post: PostSide) -> None:
    post.register()
    path = post.export().path
    set_suspended(branch.db, "RP3209A", "laptop dicuri", CLI)
    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, path, CLI)
    assert refused.value.key == "post_suspended" and "laptop dicuri" in refused.value.message()
    assert _count(branch, Participant) == 0
    set_suspended(branch.db, "RP3209A", None, CLI)
    assert import_batch(branch.db, branch.folder, path, CLI).state == "imported"


def test_a_changed_byte_or_a_truncated_file_imports_nothing(
    branch: App, post: PostSide, tmp_path: Path
) -> None:
    post.register()
    data = post.export().path.read_bytes()
    bad = tmp_path / "RP3209A-batch-0001-x.rpb"
    for damaged in (data[:-1] + bytes([data[-1] ^ 1]), data[: len(data) // 2],
                    data[:300] + bytes([data[300] ^ 1]) + data[301:]):  # fmt: skip
        bad.write_bytes(damaged)
        with pytest.raises(BatchFileError):
            import_batch(branch.db, branch.folder, bad, CLI)
    assert _count(branch, Participant) == 0 and _count(branch, BatchImport) == 0


def test_a_batch_encrypted_to_another_branch_is_refused(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    elsewhere = make_branch(tmp_path / "b3", DataFolder(tmp_path / "b3").sqlite_url, clock)
    try:
        from rumah_perisai.branch import add_post
        from rumah_perisai.keys.installed import post_key_file_bytes

        add_post(elsewhere.db, elsewhere.folder,
                 post_key_file_bytes(post.app.db, post.app.folder.keys), CLI)  # fmt: skip
        post.register()
        path = post.export().path
        with pytest.raises(UserError) as refused:
            import_batch(elsewhere.db, elsewhere.folder, path, CLI)
        assert refused.value.key == "batch_other_branch"
        assert _count(elsewhere, Participant) == 0
    finally:
        elsewhere.close()


def test_an_old_batch_replayed_is_refused(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    """Two different files both numbered 1: the data folder was copied and both copies wrote."""
    post.register()
    copy_root = tmp_path / "copy"
    post.app.close()
    shutil.copytree(post.app.folder.root, copy_root)
    post.app = open_app(post.app.folder, post.app.folder.sqlite_url, clock=clock)
    first = post.export()
    copied = open_app(DataFolder(copy_root), DataFolder(copy_root).sqlite_url, clock=clock)
    try:
        clock.advance(minutes=5)
        stick = tmp_path / "stick-copy"
        stick.mkdir()
        from rumah_perisai.services.batches import export_batch

        other_one = export_batch(copied.db, copied.folder, stick, CLI)
    finally:
        copied.close()
    import_batch(branch.db, branch.folder, first.path, CLI)
    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, other_one.path, CLI)
    assert refused.value.key == "batch_replayed"
    assert _count(branch, BatchImport) == 1


def test_an_altered_receipt_is_caught_at_the_branch(
    branch: App, post: PostSide, clock: FakeClock
) -> None:
    who = post.register()
    clock.advance(days=100)
    post.pay(who, 3)
    post.app.close()
    with open_raw(post.app.folder) as raw:  # someone edits the file directly
        raw.execute("UPDATE receipts SET total = total - 1000")
    post.app = open_app(post.app.folder, post.app.folder.sqlite_url, clock=clock)
    path = post.export().path
    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, path, CLI)
    assert refused.value.key == "batch_chain_altered"
    assert _count(branch, Participant) == 0 and _count(branch, Receipt) == 0


def test_a_demo_batch_is_refused_at_a_real_branch(
    tmp_path: Path, branch: App, clock: FakeClock
) -> None:
    from rumah_perisai.branch import add_post
    from rumah_perisai.keys import load_post_key
    from rumah_perisai.keys.files import post_key_file, read_post_key_file

    demo_folder = DataFolder(tmp_path / "demo")
    with open_app(demo_folder, demo_folder.sqlite_url, clock=clock) as demo:
        from rumah_perisai.demo import DemoRequest, create_demo_post
        from rumah_perisai.keys.installed import post_public_key
        from rumah_perisai.tasks import SilentProgress

        create_demo_post(demo.db, demo_folder, DemoRequest(participants=5), "cli:t",
                         SilentProgress())  # fmt: skip
        key = post_public_key(demo.db)
        data = post_key_file(key, load_post_key(demo_folder.keys))
    assert read_post_key_file(data).demo
    with pytest.raises(UserError) as refused:
        add_post(branch.db, branch.folder, data, CLI)
    assert refused.value.key == "post_demo_at_real_branch"


def test_the_ack_is_signed_and_a_changed_ack_is_refused(branch: App, post: PostSide) -> None:
    post.register()
    result = import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert result.ack_path is not None
    data = result.ack_path.read_bytes()
    document = json.loads(data)
    document["kpj"] = {"RP3209A-000001": "12345678901"}
    with pytest.raises(UserError) as refused:
        read_ack(json.dumps(document).encode(), branch_keys(branch.folder).public, "x")
    assert refused.value.key == "ack_bad"


# --- the acknowledgement at the post --------------------------------------------------------------


def test_round_trip_closes_the_loop_at_the_post(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    """Post -> stick -> branch -> ACK -> post: acknowledged, the duplicate rejected at the post
    with its card invalid and its dues on the refund list; the other post's key stored; the
    duplicate list warns about the NIK."""
    from rumah_perisai.db.models import Batch, CardIssue, DuplicateHash
    from rumah_perisai.printing.cards import prepare_cards
    from rumah_perisai.services.acks import possibly_elsewhere, refunds_due, take_ack
    from rumah_perisai.services.cards import record_cards

    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        other.register()
        first_other = import_batch(branch.db, branch.folder, other.export().path, CLI)
        assert first_other.ack_path is not None
        clock.advance(days=100)
        later = post.register()  # the same generated NIK as the other post's first
        prepared = prepare_cards(post.app.db, post.app.folder, [later], reason="first",
                                 sheet=False)  # fmt: skip
        record_cards(post.app.db, prepared, post.coordinator)
        written = post.export()
        result = import_batch(branch.db, branch.folder, written.path, CLI)
        assert result.ack_path is not None

        taken = take_ack(post.app.db, result.ack_path.read_bytes(), result.ack_path.name, CLI)
    finally:
        other.app.close()

    assert not taken.already and taken.newly_rejected == ["RP3209A-000001"]
    assert taken.posts == 1
    with post.app.db.reading() as session:
        batch = session.scalars(select(Batch)).one()
        assert batch.state == "acknowledged" and batch.acknowledged_at is not None
        person = session.get(Participant, later)
        assert person is not None and person.standing == "rejected"
        assert person.standing_reason is not None and "RP3209B" in person.standing_reason
        card = session.scalars(select(CardIssue)).one()
        assert card.state == "invalid"
        assert session.scalar(select(func.count()).select_from(DuplicateHash)) == 1
        assert possibly_elsewhere(session, person.nik)
        assert not possibly_elsewhere(session, "3209144101990999")
    assert refunds_due(post.app.db) == []  # nothing was paid during the free cover

    again = take_ack(post.app.db, result.ack_path.read_bytes(), result.ack_path.name, CLI)
    assert again.already


def test_an_ack_for_another_post_or_from_another_branch_is_refused(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    from rumah_perisai.services.acks import take_ack

    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        other.register()
        theirs = import_batch(branch.db, branch.folder, other.export().path, CLI)
        assert theirs.ack_path is not None
        with pytest.raises(UserError) as refused:
            take_ack(post.app.db, theirs.ack_path.read_bytes(), theirs.ack_path.name, CLI)
        assert refused.value.key == "ack_other_post"
    finally:
        other.app.close()

    elsewhere = make_branch(tmp_path / "b4", DataFolder(tmp_path / "b4").sqlite_url, clock)
    try:
        from rumah_perisai.branch import add_post
        from rumah_perisai.keys.installed import post_key_file_bytes

        post.register()
        written = post.export()
        import_batch(branch.db, branch.folder, written.path, CLI)
        # A look-alike branch acknowledges the same file: the post trusts only its own branch.
        add_post(elsewhere.db, elsewhere.folder,
                 post_key_file_bytes(post.app.db, post.app.folder.keys), CLI)  # fmt: skip
        from rumah_perisai.branch import build_ack
        from rumah_perisai.exchange.ack import ack_bytes

        with branch.db.reading() as session:
            post_id = session.scalars(select(Participant.post_id)).first()
        assert post_id is not None
        forged = ack_bytes(build_ack(branch.db, branch_keys(elsewhere.folder), post_id, 1),
                           branch_keys(elsewhere.folder).signing)  # fmt: skip
        with pytest.raises(UserError) as refused:
            take_ack(post.app.db, forged, "forged.ack.json", CLI)
        assert refused.value.key == "ack_other_branch"
        with pytest.raises(UserError) as refused:
            take_ack(post.app.db, b"{not json", "broken.ack.json", CLI)
        assert refused.value.key == "ack_bad"
    finally:
        elsewhere.close()


def test_a_rejected_registration_sent_again_stays_rejected(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    """The post pays for the person before it has taken in the ACK that rejected her: her
    record comes again, as a member, and must not be rejected twice nor let back in."""
    from rumah_perisai.db.models import BranchRejection

    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        other.register()
        import_batch(branch.db, branch.folder, other.export().path, CLI)
        clock.advance(hours=1)
        later = post.register()
        first = import_batch(branch.db, branch.folder, post.export().path, CLI)
        assert len(first.rejected) == 1
        clock.advance(days=100)
        post.pay(later, 1)
        second = import_batch(branch.db, branch.folder, post.export().path, CLI)
    finally:
        other.app.close()
    assert second.state == "imported" and second.rejected == []
    assert _count(branch, BranchRejection) == 1
    with branch.db.reading() as session:
        standing = session.scalars(
            select(Participant.standing).where(
                Participant.post_code == "RP3209A", Participant.source_id == later
            )
        ).one()
    assert standing == "rejected"
    assert _count(branch, Receipt) == 1  # the money came in: it is on the post's refund list


def test_a_demo_posts_batch_is_refused_at_a_real_branch_as_a_demo_batch(
    tmp_path: Path, branch: App, clock: FakeClock
) -> None:
    from rumah_perisai.demo import DemoRequest, create_demo_post
    from rumah_perisai.keys.installed import install_branch_key
    from rumah_perisai.tasks import SilentProgress

    training = make_branch(tmp_path / "training", DataFolder(tmp_path / "training").sqlite_url,
                           clock, demo=True)  # fmt: skip
    demo_folder = DataFolder(tmp_path / "demo")
    stick = tmp_path / "demo-stick"
    stick.mkdir()
    try:
        with open_app(demo_folder, demo_folder.sqlite_url, clock=clock) as demo:
            create_demo_post(demo.db, demo_folder, DemoRequest(participants=5), "cli:t",
                             SilentProgress())  # fmt: skip
            key_file = training.folder.keys / "branch-public-key.json"
            install_branch_key(demo.db, key_file.read_bytes(), CLI)
            from rumah_perisai.services.batches import export_batch

            path = export_batch(demo.db, demo_folder, stick, CLI).path
    finally:
        training.close()
    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, path, CLI)
    assert refused.value.key == "batch_demo_at_real_branch"
    assert _count(branch, Participant) == 0


# --- found in review -----------------------------------------------------------------------------


def test_a_held_batch_whose_release_was_interrupted_comes_in_when_imported_again(
    branch: App, post: PostSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rumah_perisai.branch import importer as branch_service

    paths = []
    for _ in range(3):
        post.register()
        paths.append(post.export().path)
    import_batch(branch.db, branch.folder, paths[0], CLI)
    assert import_batch(branch.db, branch.folder, paths[2], CLI).state == "held"
    with monkeypatch.context() as patched:  # the run stops right after batch 2's commit
        patched.setattr(branch_service, "_release_held", lambda *_args: [])
        import_batch(branch.db, branch.folder, paths[1], CLI)
    assert _count(branch, Participant) == 2

    again = import_batch(branch.db, branch.folder, paths[2], CLI)
    assert again.state == "imported" and _count(branch, Participant) == 3


def test_a_held_batch_is_released_when_an_already_imported_one_comes_again(
    branch: App, post: PostSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rumah_perisai.branch import importer as branch_service

    paths = []
    for _ in range(3):
        post.register()
        paths.append(post.export().path)
    import_batch(branch.db, branch.folder, paths[0], CLI)
    import_batch(branch.db, branch.folder, paths[2], CLI)
    with monkeypatch.context() as patched:
        patched.setattr(branch_service, "_release_held", lambda *_args: [])
        import_batch(branch.db, branch.folder, paths[1], CLI)
    again = import_batch(branch.db, branch.folder, paths[1], CLI)
    assert again.state == "already_imported" and [r.seq for r in again.followed] == [3]


def test_a_withdrawn_registration_holds_no_nik(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        mistaken = other.register()
        withdraw(other.app.db, mistaken, "salah ketik NIK", other.coordinator)
        import_batch(branch.db, branch.folder, other.export().path, CLI)
        clock.advance(hours=1)
        post.register()  # the real owner of that NIK
        result = import_batch(branch.db, branch.folder, post.export().path, CLI)
    finally:
        other.app.close()
    assert result.rejected == []
    with branch.db.reading() as session:
        rows = session.execute(select(Participant.post_code, Participant.standing))
        standings = {code: standing for code, standing in rows}
    assert standings == {"RP3209A": "member", "RP3209B": "withdrawn"}


def test_two_niks_swapped_by_corrections_import(branch: App, post: PostSide) -> None:
    from rumah_perisai.services.registration import correct

    first, second = post.register(), post.register()
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    with post.app.db.reading() as session:
        nik_1 = session.get(Participant, first).nik  # type: ignore[union-attr]
        nik_2 = session.get(Participant, second).nik  # type: ignore[union-attr]
    parked = "3209144101920999"  # valid for the second person (born 1 Jan 1992)
    correct(post.app.db, second, {"nik": parked}, post.coordinator, "NIK tertukar")
    correct(post.app.db, first, {"nik": nik_2}, post.coordinator, "NIK tertukar",
            nik_override_reason="KTP keluarga tertukar")  # fmt: skip
    correct(post.app.db, second, {"nik": nik_1}, post.coordinator, "NIK tertukar",
            nik_override_reason="KTP keluarga tertukar")  # fmt: skip
    result = import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert result.state == "imported"
    with branch.db.reading() as session:
        got = {
            row[0]: row[1]
            for row in session.execute(select(Participant.source_id, Participant.nik))
        }
    assert got == {first: nik_2, second: nik_1}


def test_a_batch_carrying_another_posts_numbers_is_refused(
    branch: App, post: PostSide, clock: FakeClock
) -> None:
    post.register()
    post.app.close()
    with open_raw(post.app.folder) as raw:  # as a stolen key's owner could
        raw.execute("UPDATE participants SET registration_no = 'RP3209B-000001'")
    post.app = open_app(post.app.folder, post.app.folder.sqlite_url, clock=clock)
    with post.app.db.unit_of_work("cli:test") as session:  # a change, so it is sent
        person = session.scalars(select(Participant)).one()
        person.phone = "081299999999"
    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert refused.value.key == "batch_foreign_key_value"
    assert _count(branch, Participant) == 0


def test_a_posts_new_name_and_wadah_reach_the_branch_with_its_next_batch(
    branch: App, post: PostSide
) -> None:
    """Found in review: the import set the post's new name on its ORM row, then expired every
    row (the parts go in as SQL) before anything flushed — the change was lost, silently."""
    from rumah_perisai.db.models import Post
    from rumah_perisai.services.posts import the_post

    post.register()
    assert import_batch(branch.db, branch.folder, post.export().path, CLI).state == "imported"
    with post.app.db.unit_of_work("cli:test") as session:
        row = the_post(session)
        row.name, row.wadah = "Rumah Perisai Suranenggala Baru", "Koperasi Nelayan Baru"
    post.register()
    assert import_batch(branch.db, branch.folder, post.export().path, CLI).state == "imported"
    with branch.db.reading() as session:
        at_branch = session.scalars(select(Post).where(Post.code == "RP3209A")).one()
        assert (at_branch.name, at_branch.wadah) == (
            "Rumah Perisai Suranenggala Baru",
            "Koperasi Nelayan Baru",
        )
