"""Issue 16, item 2: receipts printed after the backup a post was restored from are entered
again from their paper halves, with their printed numbers; a lost half is a number explained
with a reason; neither the chain nor the branch sees a number twice or a gap unexplained.

The post on SQLite (a post's database is a file: the backup is a copy of it); the branch on
SQLite and on PostgreSQL (``DATABASE_URL``) where it is involved."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from rumah_perisai.app import App
from rumah_perisai.branch import import_batch
from rumah_perisai.db.models import (
    AuditEntry,
    Counter,
    CoverPeriod,
    Participant,
    Receipt,
    ReceiptGap,
    ReceiptMonth,
    Setting,
)
from rumah_perisai.domain.receipt_qr import read_receipt_qr
from rumah_perisai.errors import UserError
from rumah_perisai.services.acks import take_ack
from rumah_perisai.services.batches import export_batch
from rumah_perisai.services.cash import close_day, open_days, till
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.paper_receipts import (
    enter_all,
    enter_paper_receipt,
    finish,
    paper_status,
    record_lost_number,
)
from rumah_perisai.services.receipt_chain import verify_chain
from rumah_perisai.services.volunteers import Actor
from tests.branch.branch_world import (  # branch, branch_url: fixtures, used by name
    CLI,
    PostSide,
    branch,
    branch_url,
    make_branch,
    make_post,
)
from tests.conftest import FakeClock
from tests.services.paper_world import (
    Restored,
    add_volunteer,
    as_entered,
    number,
    paper,
    restore,
    take_backup,
)

LOST = "lembar pos basah kena hujan; peserta menunjukkan lembarnya, tidak difoto"


def _pay(side: PostSide, who: int, months: int, actor: Actor, extra: int = 0) -> int:
    plan = payment_options(side.app.db, who).plan(months)
    return take_payment(side.app.db, who, months, plan.total + extra, actor,
                        expect_months=[m.month for m in plan.months]).receipt_id  # fmt: skip


def _world(branch: App, tmp_path: Path, clock: FakeClock) -> Iterator[Restored]:
    """Batch 1 at the branch; a backup with receipts 1–2; receipts 3–5 printed after it (C for
    3 months by Ujang, A by the coordinator, B by Ujang with Rp 5.000 over); restored a day
    later."""
    side = make_post(tmp_path, branch, clock, "RP3209A")
    ujang = add_volunteer(side)
    a, b, c = side.register(), side.register(), side.register()
    _pay(side, a, 1, side.coordinator)
    _pay(side, b, 1, ujang)
    import_batch(branch.db, branch.folder, side.export().path, CLI)
    clock.advance(hours=1)
    backup = take_backup(side, clock, (2026, 2), 1)
    clock.advance(minutes=30)
    printed = [_pay(side, c, 3, ujang)]
    clock.advance(minutes=7)
    printed.append(_pay(side, a, 1, side.coordinator))
    clock.advance(minutes=1)
    printed.append(_pay(side, b, 1, ujang, extra=5_000))
    papers = [paper(side, rid) for rid in printed]
    covers = _covers(side.app)
    clock.advance(hours=20)
    restore(side, backup, clock)
    world = Restored(side, backup, papers)
    world.covers = covers  # type: ignore[attr-defined]
    world.ujang = ujang  # type: ignore[attr-defined]
    yield world
    side.app.close()


@pytest.fixture
def sqlite_branch(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    (tmp_path / "branch").mkdir()
    from rumah_perisai.config import DataFolder

    app = make_branch(tmp_path / "branch", DataFolder(tmp_path / "branch").sqlite_url, clock)
    yield app
    app.close()


@pytest.fixture
def restored(sqlite_branch: App, tmp_path: Path, clock: FakeClock) -> Iterator[Restored]:
    yield from _world(sqlite_branch, tmp_path, clock)


@pytest.fixture
def restored_at_branch(branch: App, tmp_path: Path, clock: FakeClock) -> Iterator[Restored]:
    yield from _world(branch, tmp_path, clock)


def _covers(app: App) -> dict[str, Any]:
    with app.db.reading() as session:
        return {p.registration_no: p.cover_until for p in session.scalars(select(Participant))}


def _fingerprint(app: App) -> tuple[Any, ...]:
    """Everything an entry could change."""
    with app.db.reading() as session:
        counts = tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Receipt, ReceiptGap, ReceiptMonth, CoverPeriod, AuditEntry, Setting)
        )
        counters = tuple(session.execute(select(Counter.scope, Counter.name, Counter.value)
                                         .order_by(Counter.scope, Counter.name)).all())  # fmt: skip
        return counts, counters, tuple(_covers(app).items())


def _refused(key: str, call: Any, *args: Any) -> UserError:
    with pytest.raises(UserError) as refused:
        call(*args)
    assert refused.value.key == key, refused.value.message()
    assert "\n" not in refused.value.message()
    return refused.value


# --- the hold ------------------------------------------------------------------------------------


def test_after_a_restore_payments_voids_and_batches_wait_for_the_paper_receipts(
    restored: Restored,
) -> None:
    """Receipt 3 of the restored post is printed on a participant's paper already: a new
    payment must not take it (before issue 16 it did)."""
    side = restored.side
    a = 1
    before = _fingerprint(side.app)

    _refused("paper_receipts_pending", take_payment, side.app.db, a, 1, 50_000, side.coordinator)
    _refused("paper_receipts_pending", void_receipt, side.app.db, 1, "salah", side.coordinator)
    _refused("paper_receipts_pending", export_batch, side.app.db, side.app.folder, side.stick, CLI)
    options = payment_options(side.app.db, a)
    assert options.plans == () and options.refusal is not None
    assert "kuitansi" in options.refusal.lower()
    assert _fingerprint(side.app) == before
    status = paper_status(side.app.db)
    assert status.held and not status.finished and status.backup_last == number(2)
    assert status.expected == (number(3),)


def test_a_post_never_restored_takes_payments_as_before(restored: Restored) -> None:
    side = restored.side
    with side.app.db.unit_of_work("cli:test") as session:
        # Settings are never deleted: the note is emptied instead, as on a post never restored.
        note = session.get(Setting, "restore.last")
        assert note is not None
        note.value_json = "null"
    assert _pay(side, 1, 1, side.coordinator)
    assert not paper_status(side.app.db).restored


# --- entering again ------------------------------------------------------------------------------


def test_paper_receipts_come_back_with_their_printed_numbers_and_the_chain_verifies(
    restored: Restored, clock: FakeClock
) -> None:
    side, (third, _fourth, fifth) = restored.side, restored.papers
    coordinator = side.coordinator

    entered = enter_paper_receipt(side.app.db, as_entered(third, qr=True), coordinator)
    assert entered.number == number(3) and entered.day == third.issued_at.date()
    record_lost_number(side.app.db, number(4), LOST, coordinator)
    enter_paper_receipt(side.app.db, as_entered(fifth), coordinator)
    status = paper_status(side.app.db)
    assert [(r.number, r.lost) for r in status.rows] == [
        (number(3), False), (number(4), True), (number(5), False),
    ]  # fmt: skip
    assert status.rows[1].reason == LOST and status.held
    assert finish(side.app.db, number(5), coordinator) == number(5)

    # Payments go on after the highest number entered.
    new = _pay(side, 1, 1, coordinator)
    with side.app.db.reading() as session:
        assert session.get(Receipt, new).number == number(6)  # type: ignore[union-attr]
        back = session.scalars(select(Receipt).where(Receipt.number == number(3))).one()
        assert back.issued_by_id == restored.ujang.volunteer_id  # type: ignore[attr-defined]
        assert back.cash_volunteer_id == restored.ujang.volunteer_id  # type: ignore[attr-defined]
        assert back.paper_entered_by_id == coordinator.volunteer_id
        assert back.paper_entered_at == clock()
        qr = read_receipt_qr(third.qr_text, {})
        assert qr is not None and back.paper_qr_digest == qr.digest
        printed = third.issued_at.replace(second=0, microsecond=0)
        assert back.issued_at.astimezone(third.issued_at.tzinfo) == printed
        assert (back.total, back.month_count) == (third.total, 3)
        fifth_back = session.scalars(select(Receipt).where(Receipt.number == number(5))).one()
        assert fifth_back.cash_received == fifth.total + 5_000
    report = verify_chain(side.app.db)
    assert report.whole, report.message()
    assert report.receipts == 5 and [(g.number, g.reason) for g in report.gaps] == [
        (number(4), LOST)
    ]
    assert number(4) in report.message()
    # The participants' cover is what the paper gave them; A's receipt 4 is lost: A's month
    # is not paid here (the coordinator takes it again or the paper turns up: a new receipt).
    covers = _covers(side.app)
    for regno, cover in restored.covers.items():  # type: ignore[attr-defined]
        if regno != "RP3209A-000001":
            assert covers[regno] == cover


def test_nothing_printed_after_the_backup_finishes_at_once(restored: Restored) -> None:
    side = restored.side
    finish(side.app.db, None, side.coordinator)
    assert _pay(side, 1, 1, side.coordinator)
    with side.app.db.reading() as session:
        newest = session.scalars(select(Receipt).order_by(Receipt.seq.desc()).limit(1)).one()
    assert newest.number == number(3) and verify_chain(side.app.db).whole


def _cases(papers: list[Any]) -> dict[str, tuple[str, Any]]:
    third, _fourth, fifth = papers
    hour = third.issued_at.time()
    return {
        "out of order": ("paper_number_out_of_order", as_entered(fifth)),
        "in the backup": ("paper_number_in_backup", as_entered(third, number=number(2))),
        "another post's": ("paper_number_other_post",
                           as_entered(third, number="RP3209B-2026-000003")),
        "not a number": ("paper_number_bad", as_entered(third, number="3")),
        "wrong amount": ("paper_amount_differs", as_entered(third, total=third.total - 1)),
        "wrong months": ("paper_months_differ", as_entered(third, first_month=date(2027, 4, 1))),
        "wrong count": ("paper_month_count", as_entered(third, month_count=2)),
        "unknown person": ("paper_participant_unknown",
                           as_entered(third, participant="RP3209A-000099")),
        "unknown collector": ("paper_collector_unknown", as_entered(third, collector="Siti")),
        "before the backup": ("paper_time_too_early", as_entered(third, printed_time=time(
            hour.hour - 1, hour.minute))),
        "after the restore": ("paper_time_after_restore", as_entered(
            third, printed_on=third.issued_at.date() + timedelta(days=2))),
        "another year": ("paper_year_differs", as_entered(third, printed_on=date(2027, 1, 2))),
        "too little cash": ("cash_too_small", as_entered(third, cash_received=1_000)),
        "forged QR": ("paper_qr_forged", as_entered(third, qr_text=third.qr_text[:-3] + "AAA")),
        "QR of another": ("paper_qr_other_number", as_entered(third, qr_text=fifth.qr_text)),
    }  # fmt: skip


CASES = [
    "out of order", "in the backup", "another post's", "not a number", "wrong amount",
    "wrong months", "wrong count", "unknown person", "unknown collector", "before the backup",
    "after the restore", "another year", "too little cash", "forged QR", "QR of another",
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_contradiction_is_refused_in_one_line_and_nothing_changes(
    restored: Restored, case: str
) -> None:
    side = restored.side
    key, entry = _cases(restored.papers)[case]
    before = _fingerprint(side.app)
    _refused(key, enter_paper_receipt, side.app.db, entry, side.coordinator)
    assert _fingerprint(side.app) == before


def test_a_number_entered_once_is_never_entered_again_and_finishing_counts(
    restored: Restored,
) -> None:
    side, (third, fourth, fifth) = restored.side, restored.papers
    db, coordinator = side.app.db, side.coordinator
    _refused("coordinator_only", enter_paper_receipt, db, as_entered(third), restored.ujang)  # type: ignore[attr-defined]
    enter_paper_receipt(db, as_entered(third), coordinator)
    before = _fingerprint(side.app)
    _refused("paper_number_used", enter_paper_receipt, db, as_entered(third), coordinator)
    _refused("paper_number_used", record_lost_number, db, number(3), LOST, coordinator)
    _refused("paper_lost_reason", record_lost_number, db, number(4), "  ", coordinator)
    _refused("paper_not_all_entered", finish, db, number(5), coordinator)
    _refused("paper_highest_too_low", finish, db, number(2), coordinator)
    _refused("paper_highest_needed", finish, db, None, coordinator)
    assert _fingerprint(side.app) == before
    # A file's lines: all or nothing, the refusal naming its line.
    refused = _refused("paper_line", enter_all, db,
                       [(number(4), LOST), as_entered(fifth, total=1)], coordinator)  # fmt: skip
    assert "2" in refused.message()
    assert _fingerprint(side.app) == before
    enter_all(db, [(number(4), LOST), as_entered(fifth)], coordinator)
    finish(db, number(5), coordinator)
    _refused("paper_finished", enter_paper_receipt, db, as_entered(fourth), coordinator)
    assert verify_chain(db).whole


def test_the_re_entered_cash_goes_to_its_printed_day_and_a_closed_day_is_never_changed(
    sqlite_branch: App, tmp_path: Path, clock: FakeClock
) -> None:
    """The day was closed before the backup (receipts 1–2) and again after it (receipt 3, the
    close lost with the laptop): receipt 3 comes back after the first close, so the day shows
    among the open tills with exactly its cash, and is closed again; the first close stays."""
    side = make_post(tmp_path, sqlite_branch, clock, "RP3209A")
    a, b = side.register(), side.register()
    _pay(side, a, 1, side.coordinator)
    _pay(side, b, 1, side.coordinator)
    day = till(side.app.db)
    first_close = close_day(side.app.db, day.day, {day.lines[0].volunteer_key: day.expected},
                            side.coordinator, through_seq=day.through_seq)  # fmt: skip
    clock.advance(minutes=10)
    backup = take_backup(side, clock, (2026, 2), None)
    clock.advance(minutes=10)
    third = paper(side, _pay(side, a, 3, side.coordinator))
    after = till(side.app.db)
    close_day(side.app.db, after.day, {after.lines[0].volunteer_key: after.expected},
              side.coordinator, through_seq=after.through_seq)  # fmt: skip
    clock.advance(days=1)
    restore(side, backup, clock)
    assert open_days(side.app.db) == []

    enter_paper_receipt(side.app.db, as_entered(third), side.coordinator)
    finish(side.app.db, number(3), side.coordinator)

    assert open_days(side.app.db) == [day.day]
    assert paper_status(side.app.db).open_days == (day.day,)
    again = till(side.app.db, day.day)
    assert [r.number for r in again.receipts] == [number(3)] and again.expected == third.total
    assert again.earlier_closes == 1
    close_day(side.app.db, day.day, {again.lines[0].volunteer_key: third.total},
              side.coordinator, through_seq=again.through_seq)  # fmt: skip
    assert open_days(side.app.db) == [] and paper_status(side.app.db).open_days == ()
    with side.app.db.reading() as session:
        from rumah_perisai.db.models import DailyClose

        kept = session.get(DailyClose, first_close)
        assert kept is not None and kept.through_seq == 2 and kept.counted == day.expected
    assert verify_chain(side.app.db).whole
    side.app.close()


# --- what the branch has ------------------------------------------------------------------------


def test_an_acknowledgement_of_a_batch_newer_than_the_backup_stops_re_entry(
    sqlite_branch: App, tmp_path: Path, clock: FakeClock
) -> None:
    """Batch 2 was written (and taken in at the branch) after the backup: the branch may hold
    receipts printed after it. Its acknowledgement, shown to the restored post, is refused and
    remembered: paper receipts are not entered here, payments stay held (a newer backup is
    needed: the one written beside batch 2)."""
    side = make_post(tmp_path, sqlite_branch, clock, "RP3209A")
    a = side.register()
    _pay(side, a, 1, side.coordinator)
    import_batch(sqlite_branch.db, sqlite_branch.folder, side.export().path, CLI)
    backup = take_backup(side, clock, (2026, 1), 1)
    clock.advance(minutes=5)
    third = paper(side, _pay(side, a, 1, side.coordinator))
    clock.advance(minutes=5)
    result = import_batch(sqlite_branch.db, sqlite_branch.folder, side.export().path, CLI)
    assert result.ack_path is not None
    clock.advance(days=1)
    restore(side, backup, clock)
    db = side.app.db

    refused = _refused("ack_after_restore", take_ack, db, result.ack_path.read_bytes(),
                       result.ack_path.name, CLI)  # fmt: skip
    assert "2" in refused.message()
    before = _fingerprint(side.app)
    _refused("paper_branch_ahead", enter_paper_receipt, db, replace(as_entered(third)),
             side.coordinator)  # fmt: skip
    _refused("paper_branch_ahead", finish, db, None, side.coordinator)
    _refused("paper_branch_ahead", take_payment, db, a, 1, 50_000, side.coordinator)
    assert _fingerprint(side.app) == before
    assert paper_status(db).branch_ahead == 2
    side.app.close()


def test_a_batch_with_paper_receipts_and_a_lost_number_imports_at_a_real_branch(
    restored_at_branch: Restored, branch: App, clock: FakeClock
) -> None:
    side, (third, _fourth, fifth) = restored_at_branch.side, restored_at_branch.papers
    coordinator = side.coordinator
    enter_paper_receipt(side.app.db, as_entered(third), coordinator)
    record_lost_number(side.app.db, number(4), LOST, coordinator)
    enter_paper_receipt(side.app.db, as_entered(fifth), coordinator)
    finish(side.app.db, number(5), coordinator)
    written = side.export()
    assert written.info.seq == 2
    assert written.info.summary["paper_receipts"] == 2
    assert written.info.summary["receipt_gaps"] == 1

    result = import_batch(branch.db, branch.folder, written.path, CLI)

    assert result.state == "imported" and result.records["receipt_gaps"] == 1
    with branch.db.reading() as session:
        gap = session.scalars(select(ReceiptGap)).one()
        assert (gap.number, gap.reason, gap.post_code) == (number(4), LOST, "RP3209A")
        assert gap.recorded_by_id is not None  # mapped to the branch's volunteer row
        back = session.scalars(select(Receipt).where(Receipt.number == number(5))).one()
        assert back.paper_entered_at is not None and back.paper_entered_by_id is not None
    # And the post goes on: the next batch follows at the branch.
    clock.advance(minutes=5)
    _pay(side, 1, 1, coordinator)
    nxt = import_batch(branch.db, branch.folder, side.export().path, CLI)
    assert nxt.state == "imported"
    with branch.db.reading() as session:
        numbers = sorted(session.scalars(select(Receipt.number)))
    assert numbers == [number(n) for n in (1, 2, 3, 5, 6)]
    taken = take_ack(side.app.db, nxt.ack_path.read_bytes(), nxt.ack_path.name, CLI)  # type: ignore[union-attr]
    assert taken.seq == 3


def test_the_branch_refuses_a_number_skipped_without_a_reason(
    branch: App, tmp_path: Path, clock: FakeClock
) -> None:
    """A post whose chain jumps a number (here: a gap record numbered past the next one,
    written straight into its database) is refused at the branch, nothing imported."""
    from rumah_perisai.db.uow import next_number
    from rumah_perisai.domain.receipts import CHAIN_COUNTER, gap_hash
    from rumah_perisai.services.receipt_chain import chain_end

    side = make_post(tmp_path, branch, clock, "RP3209A")
    a = side.register()
    _pay(side, a, 1, side.coordinator)
    import_batch(branch.db, branch.folder, side.export().path, CLI)
    clock.advance(minutes=5)
    with side.app.db.unit_of_work("cli:test") as session:
        end = chain_end(session, 1)
        next_number(session, "RP3209A", CHAIN_COUNTER)
        now = clock()
        session.add(ReceiptGap(
            post_id=1, post_code="RP3209A", year=2026, seq=3, number=number(3), reason="x",
            recorded_at=now, recorded_by_id=None, prev_hash=end.hash,
            hash=gap_hash(end.hash, number(3), "x", now, None),
        ))  # fmt: skip
    written = side.export()
    with branch.db.reading() as session:
        before = session.scalar(select(func.count()).select_from(ReceiptGap))
    _refused("batch_chain_numbers", import_batch, branch.db, branch.folder, written.path, CLI)
    with branch.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(ReceiptGap)) == before == 0
    side.app.close()


def test_after_a_real_restore_on_a_new_laptop_the_paper_receipts_come_back(
    sqlite_branch: App, tmp_path: Path, clock: FakeClock
) -> None:
    """The restore itself (``services.restore``) from the backup written beside batch 1; the
    paper halves of receipts 2 and 3 entered on the new laptop; batch 2 taken by the branch."""
    from rumah_perisai import vault
    from rumah_perisai.app import open_app
    from rumah_perisai.config import DataFolder
    from rumah_perisai.services.restore import restore as restore_backup
    from rumah_perisai.services.volunteers import log_in

    side = make_post(tmp_path, sqlite_branch, clock, "RP3209A")
    code = vault.new_recovery_code()
    vault.set_recovery_code(side.app.folder, code)
    a, b = side.register(), side.register()
    _pay(side, a, 1, side.coordinator)
    sent = side.export()
    import_batch(sqlite_branch.db, sqlite_branch.folder, sent.path, CLI)
    assert sent.backup is not None
    clock.advance(hours=3)
    papers = [paper(side, _pay(side, b, 1, side.coordinator))]
    clock.advance(minutes=2)
    papers.append(paper(side, _pay(side, a, 3, side.coordinator)))
    side.app.close()

    clock.advance(days=1)
    new = DataFolder(tmp_path / "new-laptop")
    restore_backup(new, sent.backup, code, clock=clock)
    app = open_app(new, new.sqlite_url, clock=clock)
    try:
        coordinator = log_in(app.db, "Dewi Lestari", "482913")
        status = paper_status(app.db)
        assert status.held and status.backup_last == number(1)
        assert status.expected == (number(2),)
        enter_all(app.db, [as_entered(papers[0], qr=True), as_entered(papers[1])], coordinator)
        finish(app.db, number(3), coordinator)
        carried = PostSide(app, "RP3209A", coordinator, side.stick)
        _pay(carried, b, 1, coordinator)
        report = verify_chain(app.db)
        assert report.whole and report.receipts == 4, report.message()
        clock.advance(minutes=5)
        following = carried.export()
        assert following.info.seq == 2 and following.info.summary["paper_receipts"] == 2
        imported = import_batch(sqlite_branch.db, sqlite_branch.folder, following.path, CLI)
        assert imported.state == "imported" and imported.records["receipts"] == 3
    finally:
        app.close()


def test_an_explained_gap_cannot_be_changed_or_removed_unnoticed(restored: Restored) -> None:
    """The lost number sits in the chain: its reason changed is an altered record; the record
    removed is a removed number (the receipt after it links to it)."""
    from sqlalchemy import text

    from rumah_perisai.services.receipt_chain import ALTERED, REMOVED
    from tests.dbfiles import engine_for

    side, (third, _fourth, fifth) = restored.side, restored.papers
    coordinator = side.coordinator
    enter_all(side.app.db, [as_entered(third), (number(4), LOST), as_entered(fifth)], coordinator)
    folder = side.app.folder
    for statement, problem in (
        (f"UPDATE receipt_gaps SET reason = 'hilang' WHERE number = '{number(4)}'", ALTERED),
        (f"DELETE FROM receipt_gaps WHERE number = '{number(4)}'", REMOVED),
    ):
        engine = engine_for(folder, folder.sqlite_url)
        with engine.begin() as connection:
            connection.execute(text(statement))
        engine.dispose()
        report = verify_chain(side.app.db)
        assert (report.problem, report.number) == (problem, number(4)), report.message()


def test_a_receipt_number_follows_the_one_before_across_a_year() -> None:
    from rumah_perisai.domain.receipts import follows, gap_chain_text

    assert follows(2026, 1, None, None) and not follows(2026, 2, None, None)
    assert follows(2026, 8, 2026, 7) and not follows(2026, 9, 2026, 7)
    assert follows(2027, 1, 2026, 130) and not follows(2027, 2, 2026, 130)
    assert not follows(2026, 7, 2026, 7) and not follows(2025, 1, 2026, 7)
    text = gap_chain_text("0" * 64, "RP3209A-2026-000004", "basah", "2026-11-27 03:00:00.000000",
                          None)  # fmt: skip
    assert text == f"RPG1|{'0' * 64}|19:RP3209A-2026-000004|5:basah|26:2026-11-27 03:00:00.000000|~"
