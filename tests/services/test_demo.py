"""Demo data: a believable post, not just a number of rows.

The distributions are checked on one demo of 2,500 participants made once for the module (on
SQLite: they do not depend on the database); what depends on the database — refusals, cancel,
determinism, sequences — is checked on every backend with smaller demos.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from rumah_perisai import areas
from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import (
    AuditEntry,
    Counter,
    CoverPeriod,
    DailyClose,
    DailyCloseLine,
    Deposit,
    DepositClose,
    Participant,
    Post,
    Receipt,
    ReceiptMonth,
    Volunteer,
)
from rumah_perisai.db.status import status_on
from rumah_perisai.domain.coverage import (
    CoverHistory,
    Standing,
    next_payable_months,
    summarize,
)
from rumah_perisai.domain.dues import monthly_dues
from rumah_perisai.domain.months import add_months, first_of_month, iter_months, month_end
from rumah_perisai.domain.nik import validate_nik
from rumah_perisai.domain.receipts import (
    receipt_number,
)
from rumah_perisai.domain.timezones import ZONES
from rumah_perisai.domain.working_age import age_on, check_working_age
from rumah_perisai.errors import UserError
from rumah_perisai.services import volunteers
from rumah_perisai.services.cash import cash_position, close_day, record_deposit, till
from rumah_perisai.services.demo import (
    DEMO_LOGINS,
    DemoRequest,
    DemoSummary,
    create_demo_post,
)
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.receipt_chain import verify_chain
from rumah_perisai.services.registration import cover_history
from rumah_perisai.services.volunteers import actor_for
from rumah_perisai.tasks import Cancelled
from tests.services.dashboard_check import expected_columns, stored_columns

# Their SQL differs by dialect: also on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.postgresql

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)  # the `clock` fixture's start: 09:30 WIB
WIB = ZONES["WIB"]
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nine real argon2 hashes cost two seconds a demo; the tests need the accounts, not the
    hashing cost (hashes keep their parameters, so checking them still works)."""
    monkeypatch.setattr(volunteers, "_hasher", CHEAP_HASHER)


@dataclass
class Demo:
    app: App
    summary: DemoSummary


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = DataFolder(tmp_path_factory.mktemp("demo") / "data")
    app = open_app(folder, folder.sqlite_url, clock=lambda: NOW)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(volunteers, "_hasher", CHEAP_HASHER)
        summary = create_demo_post(
            app.db, folder, DemoRequest(2_500, seed=7), "cli:test", today=TODAY
        )
    yield Demo(app, summary)
    app.close()


def _all(session: Session, model: type[Any]) -> list[Any]:
    return list(session.scalars(select(model).order_by(model.id)))


def _participants(demo: Demo) -> list[Participant]:
    with demo.app.db.reading() as session:
        return _all(session, Participant)


def _receipts_by_participant(session: Session) -> dict[int, list[tuple[Receipt, list[date]]]]:
    """Each participant's payments that stand (not voided), oldest first, with their months."""
    months: dict[int, list[date]] = defaultdict(list)
    for receipt_id, month in session.execute(
        select(ReceiptMonth.receipt_id, ReceiptMonth.month)
        .where(ReceiptMonth.voided_by_receipt_id.is_(None))
        .order_by(ReceiptMonth.month)
    ):
        months[receipt_id].append(month)
    found: dict[int, list[tuple[Receipt, list[date]]]] = defaultdict(list)
    for receipt in session.scalars(select(Receipt).order_by(Receipt.issued_at, Receipt.id)):
        if receipt.id in months:
            found[receipt.participant_id].append((receipt, months[receipt.id]))
    return found


def _promotion_ends(session: Session) -> dict[int, date]:
    rows = session.execute(
        select(CoverPeriod.participant_id, CoverPeriod.end_date).where(
            CoverPeriod.kind == "promotion"
        )
    )
    return dict(rows.all())


# --- the post and its people ---------------------------------------------------------------------


def test_a_demo_post_with_its_accounts_and_one_audit_entry(demo: Demo) -> None:
    with demo.app.db.reading() as session:
        post = session.scalars(select(Post)).one()
        accounts = _all(session, Volunteer)
        audit = session.scalars(select(AuditEntry).where(AuditEntry.entity == "demo_data")).all()
        change_nos = {
            number
            for model in (
                Participant,
                Receipt,
                ReceiptMonth,
                CoverPeriod,
                Volunteer,
                DailyClose,
                DailyCloseLine,
                Deposit,
                DepositClose,
            )  # fmt: skip
            for number in session.scalars(select(model.change_no).distinct())
        }
    assert post.is_demo and post.is_local and post.code == "DEMO3209"
    assert post.kabupaten_code == "32.09"
    assert [(a.name, a.role) for a in accounts] == [(d.name, d.role) for d in DEMO_LOGINS]
    assert all(volunteers.pin_matches(a, d.pin) for a, d in zip(accounts, DEMO_LOGINS, strict=True))
    assert DEMO_LOGINS[0].pin == "1357" and {d.pin for d in DEMO_LOGINS[1:]} == {"2468"}
    assert change_nos == {post.change_no}  # one operation
    assert len(audit) == 1 and audit[0].changes_json.count('"participants": 2500')
    assert audit[0].changes_json.count(f'"daily_closes": {demo.summary.daily_closes}')
    assert demo.summary.participants == 2_500 and demo.summary.volunteers == len(DEMO_LOGINS)


def test_sexes_balanced_and_ages_spread_over_working_age(demo: Demo) -> None:
    people = _participants(demo)
    men = sum(p.sex == "L" for p in people) / len(people)
    assert 0.42 < men < 0.62
    ages = [age_on(p.birth_date, p.registered_on) for p in people]
    for person in people:
        check_working_age(person.birth_date, person.registered_on)
    assert min(ages) >= 15 and max(ages) <= 65
    assert sum(20 <= age <= 55 for age in ages) / len(ages) > 0.75
    assert {age // 10 for age in ages} >= {1, 2, 3, 4, 5, 6}
    assert 30 < statistics.median(ages) < 45


def test_every_nik_is_valid_unique_and_from_the_kabupaten(demo: Demo) -> None:
    people = _participants(demo)
    kecamatan = {code for code, a in areas.districts().items() if a.parent_code == "32.09"}
    for person in people:
        info = validate_nik(person.nik, person.birth_date, person.sex, today=TODAY)
        assert info.district_code in kecamatan
        assert person.desa_code.startswith("32.09.") and areas.area(person.desa_code)
    assert len({p.nik for p in people}) == len(people)
    desa = Tally(p.desa_code for p in people)
    assert sum(n for _, n in desa.most_common(3)) / len(people) > 0.2  # near the post
    assert len(desa) > 60  # and from all over the kabupaten
    assert sum(p.nik[4:6] == p.desa_code[6:8] for p in people) / len(people) > 0.75


def test_names_contact_and_declarations_look_real(demo: Demo) -> None:
    people = _participants(demo)
    firsts = Tally(p.name.split()[0] for p in people)
    assert len(firsts) > 250
    words = Tally(word for p in people for word in p.name.split())
    assert words["Muhammad"] and (words["Muhamad"] + words["Mohammad"] + words["Mochamad"])
    assert words["Siti"] and (words["Sity"] + words["Sitti"])
    lengths = Tally(len(p.name.split()) for p in people)
    assert lengths[1] > 0.15 * len(people) and lengths[2] > 0.35 * len(people)
    phones = [p.phone for p in people]
    assert 0.05 < phones.count(None) / len(people) < 0.3
    assert all(p.startswith("08") and 11 <= len(p) <= 13 for p in phones if p)
    assert 0.08 < sum(p.with_jht for p in people) / len(people) < 0.25
    assert sum(p.income == 1_000_000 for p in people) / len(people) > 0.65
    assert len({p.occupation for p in people}) >= 10
    assert sum(p.heir_name is not None for p in people) / len(people) > 0.9
    assert all(p.consent_at <= p.registered_at for p in people)


def test_registrations_come_in_weekly_drives_over_eight_months(demo: Demo) -> None:
    people = _participants(demo)
    days = [p.registered_on for p in people]
    assert date(2026, 3, 27) <= min(days) and max(days) < TODAY
    months = Tally(first_of_month(day) for day in days)
    assert len(months) == 9 and min(months.values()) > 50  # 27 Mar to 26 Nov
    by_week: dict[date, Tally[date]] = defaultdict(Tally)
    for day in days:
        by_week[day - timedelta(days=day.weekday())][day] += 1
    peaks = [max(week.values()) / sum(week.values()) for week in by_week.values()]
    assert statistics.median(peaks) > 0.3  # one drive day holds a good part of each week
    per_weekday = Tally(day.weekday() for day in days)
    assert per_weekday[6] < 0.5 * statistics.mean(per_weekday[d] for d in range(5))
    ordered = sorted(people, key=lambda p: p.registered_at)
    assert [p.number for p in ordered] == list(range(1, len(people) + 1))
    assert all(p.registration_no == f"DEMO3209-{p.number:06d}" for p in people)
    assert all(8 <= p.registered_at.astimezone(WIB).hour < 16 for p in people)


# --- cover ---------------------------------------------------------------------------------------


def test_all_four_statuses_in_plausible_shares(demo: Demo) -> None:
    with demo.app.db.reading() as session:
        counts = dict(
            session.execute(select(status_on(TODAY), func.count()).group_by(status_on(TODAY))).all()
        )
    shares = {status: n / 2_500 for status, n in counts.items()}
    assert set(shares) == {"promotion", "active", "arrears", "lapsed"}
    assert 0.25 < shares["promotion"] < 0.6
    assert shares["active"] > 0.12 and shares["arrears"] > 0.1 and shares["lapsed"] > 0.04
    assert counts == demo.summary.statuses


def test_stored_cover_dates_agree_with_the_records(demo: Demo) -> None:
    """The four stored columns are what the cover rules make of the receipts and promotions."""
    with demo.app.db.reading() as session:
        promotions = _promotion_ends(session)
        receipts = _receipts_by_participant(session)
        people = _all(session, Participant)
    for p in people:
        start = first_of_month(p.membership_start)
        paid = {m for _, months in receipts[p.id] for m in months if m >= start}
        promotion_end = promotions[p.id] if p.rejoin_count == 0 else None
        summary = summarize(
            CoverHistory(Standing.MEMBER, p.membership_start, promotion_end, frozenset(paid))
        )
        stored = (p.promo_until, p.cover_from, p.cover_until, p.arrears_until)
        assert stored == (
            summary.promo_until,
            summary.cover_from,
            summary.cover_until,
            summary.arrears_until,
        ), p.registration_no
        assert p.promotion_code == "PERISAI-JKK-JKM-3BLN"


def test_payments_never_skip_a_month_and_come_after_the_promotion(demo: Demo) -> None:
    """Replaying every receipt through the dues rule gives exactly the months it paid."""
    with demo.app.db.reading() as session:
        promotions = _promotion_ends(session)
        receipts = _receipts_by_participant(session)
        people = {p.id: p for p in _all(session, Participant)}
    for participant_id, paid_receipts in receipts.items():
        p = people[participant_id]
        start, promotion_end, paid = p.registered_on, promotions[p.id], list[date]()
        for receipt, months in paid_receipts:
            if (
                p.rejoin_count
                and receipt.issued_on >= p.membership_start
                and start != p.membership_start
            ):
                start, promotion_end, paid = p.membership_start, None, []  # the rejoin
            history = CoverHistory(Standing.MEMBER, start, promotion_end, frozenset(paid))
            assert next_payable_months(history, receipt.issued_on, receipt.month_count) == months
            assert receipt.issued_on >= months[0] and receipt.issued_on < TODAY
            assert 8 <= receipt.issued_at.astimezone(WIB).hour <= 16
            paid += months


def test_some_lapsed_participants_rejoined(demo: Demo) -> None:
    with demo.app.db.reading() as session:
        receipts = _receipts_by_participant(session)
        rejoined = session.scalars(select(Participant).where(Participant.rejoin_count > 0)).all()
    assert 0.01 < len(rejoined) / 2_500 < 0.1 and len(rejoined) == demo.summary.rejoined
    for p in rejoined:
        assert p.rejoin_count == 1 and p.membership_start.day == 1
        assert p.promo_until is None  # no second promotion
        first_new = next(r for r, months in receipts[p.id] if months[0] >= p.membership_start)
        assert first_of_month(first_new.issued_on) == p.membership_start
        old_months = [m for _, months in receipts[p.id] for m in months if m < p.membership_start]
        last_covered = old_months[-1] if old_months else first_of_month(p.registered_on)
        assert p.membership_start >= add_months(last_covered, 4)  # it had lapsed


def test_payment_sizes_mostly_one_or_three_months(demo: Demo) -> None:
    with demo.app.db.reading() as session:
        sizes = Tally(session.scalars(select(Receipt.month_count)))
        payers = session.scalar(select(func.count(Receipt.participant_id.distinct())))
    assert set(sizes) <= {1, 3, 6, 12} and {1, 3, 6} <= set(sizes)
    assert sizes[1] > sizes[3] > sizes[6] and sizes[1] + sizes[3] > 0.8 * sizes.total()
    assert 0.3 < (payers or 0) / 2_500 < 0.6  # converted after the free months


# --- receipts ------------------------------------------------------------------------------------


def test_receipts_are_numbered_gaplessly_and_chained(demo: Demo) -> None:
    report = verify_chain(demo.app.db)
    assert report.whole, report.message()
    assert report.receipts == demo.summary.receipts > 500
    with demo.app.db.reading() as session:
        receipts = session.scalars(select(Receipt).order_by(Receipt.issued_at, Receipt.id)).all()
        counters = dict(
            session.execute(
                select(Counter.name, Counter.value).where(Counter.scope == "DEMO3209")
            ).all()
        )
    by_year: dict[int, list[int]] = defaultdict(list)
    for receipt in receipts:
        by_year[receipt.year].append(receipt.seq)
        assert receipt.number == receipt_number("DEMO3209", receipt.year, receipt.seq)
        assert receipt.issued_on == receipt.issued_at.astimezone(WIB).date()
        assert receipt.year == receipt.issued_on.year
        if receipt.kind == "payment":
            assert receipt.cash_received is not None and receipt.cash_received >= receipt.total
        else:
            assert receipt.kind == "void" and receipt.cash_received is None
    for year, seqs in by_year.items():
        assert seqs == list(range(1, len(seqs) + 1))
        assert counters[f"receipt-{year}"] == len(seqs)
    assert counters["registration"] == 2_500
    assert counters["cover_period"] == demo.summary.cover_periods
    assert counters["volunteer"] == len(DEMO_LOGINS)
    assert counters["receipt-chain"] == len(receipts)
    assert counters["daily_close"] == demo.summary.daily_closes > 100
    assert counters["deposit"] == demo.summary.deposits > 10


def test_every_month_is_priced_by_the_dues_rule(demo: Demo) -> None:
    with demo.app.db.reading() as session:
        people = {p.id: p for p in _all(session, Participant)}
        lines = _all(session, ReceiptMonth)
        receipts = {r.id: r for r in _all(session, Receipt) if r.kind == "payment"}
        paid_cover = {c.receipt_id: c for c in _all(session, CoverPeriod) if c.kind == "paid"}
    totals: dict[int, int] = defaultdict(int)
    for line in lines:
        p = people[line.participant_id]
        programmes = ("JKK", "JKM", "JHT") if p.with_jht else ("JKK", "JKM")
        dues = monthly_dues(p.income, programmes, line.month)
        assert (line.jkk, line.jkm, line.jht, line.total, line.rates_version) == (
            dues.jkk,
            dues.jkm,
            dues.jht,
            dues.total,
            dues.rates_version,
        )
        totals[line.receipt_id] += line.total
    for receipt in receipts.values():
        assert receipt.total == totals[receipt.id] == receipt.jkk + receipt.jkm + receipt.jht
        cover = paid_cover[receipt.id]
        assert receipt.first_month is not None and receipt.last_month is not None
        assert (cover.start_date, cover.end_date) == (
            receipt.first_month,
            month_end(receipt.last_month),
        )
        assert receipt.month_count == len(
            list(iter_months(receipt.first_month, receipt.last_month))
        )
    assert len(paid_cover) == len(receipts)


# --- voids, refunds, closes and deposits ---------------------------------------------------------
# A demo of 10,000 participants (about 5,000 payments): enough for a few refunds at 0.1 %.


@pytest.fixture(scope="module")
def cash_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = DataFolder(tmp_path_factory.mktemp("cash_demo") / "data")
    app = open_app(folder, folder.sqlite_url, clock=lambda: NOW)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(volunteers, "_hasher", CHEAP_HASHER)
        summary = create_demo_post(
            app.db, folder, DemoRequest(10_000, seed=11), "cli:test", today=TODAY
        )
    yield Demo(app, summary)
    app.close()


@dataclass
class CashRows:
    coordinator: Volunteer
    keys: dict[int, str]  # volunteer id -> natural key
    receipts: dict[int, Receipt]
    months: dict[int, list[ReceiptMonth]]  # by receipt id
    covers: dict[int, CoverPeriod]  # paid cover by receipt id
    closes: list[DailyClose]  # by number
    lines: dict[int, list[DailyCloseLine]]  # by close id
    deposits: dict[int, Deposit]
    deposited: list[DepositClose]


def _cash_rows(demo: Demo) -> CashRows:
    with demo.app.db.reading() as session:
        months: dict[int, list[ReceiptMonth]] = defaultdict(list)
        for month in session.scalars(select(ReceiptMonth).order_by(ReceiptMonth.month)):
            months[month.receipt_id].append(month)
        lines: dict[int, list[DailyCloseLine]] = defaultdict(list)
        for line in _all(session, DailyCloseLine):
            lines[line.close_id].append(line)
        return CashRows(
            coordinator=session.scalars(select(Volunteer).where(Volunteer.number == 1)).one(),
            keys={v.id: v.natural_key() for v in _all(session, Volunteer)},
            receipts={r.id: r for r in _all(session, Receipt)},
            months=months,
            covers={c.receipt_id: c for c in _all(session, CoverPeriod) if c.kind == "paid"},
            closes=list(session.scalars(select(DailyClose).order_by(DailyClose.number))),
            lines=lines,
            deposits={d.id: d for d in _all(session, Deposit)},
            deposited=_all(session, DepositClose),
        )


def _void_pairs(rows: CashRows) -> list[tuple[Receipt, Receipt]]:
    """(void, the payment it voids), in chain order."""
    return [
        (r, rows.receipts[r.voids_receipt_id])
        for r in sorted(rows.receipts.values(), key=lambda r: (r.year, r.seq))
        if r.voids_receipt_id is not None
    ]


def _close_of(rows: CashRows, day: date) -> DailyClose:
    return next(c for c in rows.closes if c.day == day)


def test_a_few_payments_are_voided_the_same_day_and_fewer_refunded_later(cash_demo: Demo) -> None:
    rows = _cash_rows(cash_demo)
    payments = [r for r in rows.receipts.values() if r.kind == "payment"]
    pairs = _void_pairs(rows)
    same_day = [(v, p) for v, p in pairs if not v.refund]
    refunds = [(v, p) for v, p in pairs if v.refund]
    assert len(pairs) == sum(r.kind == "void" for r in rows.receipts.values())
    assert 0.0025 < len(same_day) / len(payments) < 0.01
    assert len(refunds) > 0 and len(refunds) / len(payments) < 0.003
    assert (len(same_day), len(refunds)) == (cash_demo.summary.voids, cash_demo.summary.refunds)
    assert len({p.id for _, p in pairs}) == len(pairs)  # a receipt is voided once
    for void, paid in pairs:
        assert paid.kind == "payment" and void.participant_id == paid.participant_id
        assert (void.month_count, void.first_month, void.last_month) == (
            paid.month_count,
            paid.first_month,
            paid.last_month,
        )
        assert (void.jkk, void.jkm, void.jht, void.total) == (
            paid.jkk,
            paid.jkm,
            paid.jht,
            paid.total,
        )
        assert void.issued_by_id == rows.coordinator.id and void.reason
        assert void.cash_received is None and void.issued_at > paid.issued_at
        assert void.id not in rows.months  # a void has no lines of its own
        assert {m.voided_by_receipt_id for m in rows.months[paid.id]} == {void.id}
        assert rows.covers[paid.id].voided_by_receipt_id == void.id
        paid_close = _close_of(rows, paid.issued_on)
        if void.refund:  # a later day, after the payment's day was closed; the coordinator pays
            assert void.issued_on > paid.issued_on and void.issued_at > paid_close.closed_at
            assert void.cash_volunteer_id == rows.coordinator.id
        else:  # minutes later, before the close, out of the collector's cash
            assert void.issued_on == paid.issued_on
            assert void.issued_at - paid.issued_at < timedelta(hours=1)
            assert void.issued_at < paid_close.closed_at and void.seq <= paid_close.through_seq
            assert void.cash_volunteer_id == paid.cash_volunteer_id


def test_most_voids_are_followed_by_a_new_receipt_for_the_same_months(cash_demo: Demo) -> None:
    rows = _cash_rows(cash_demo)
    standing: dict[tuple[int, date], list[Receipt]] = defaultdict(list)
    for receipt_id, months in rows.months.items():
        for month in months:
            if month.voided_by_receipt_id is None:
                standing[(month.participant_id, month.month)].append(rows.receipts[receipt_id])
    assert all(len(receipts) == 1 for receipts in standing.values())  # paid once, never twice
    reissued = {False: 0, True: 0}
    for void, paid in _void_pairs(rows):
        again = {
            receipt.id: receipt
            for month in rows.months[paid.id]
            for receipt in standing.get((paid.participant_id, month.month), [])
        }
        if not again:  # the participant called it off: their last payment, cover recomputed
            assert not void.refund
            continue
        assert len(again) == 1
        new = next(iter(again.values()))
        assert (new.first_month, new.last_month, new.total) == (
            paid.first_month,
            paid.last_month,
            paid.total,
        )
        assert new.issued_on == void.issued_on
        assert timedelta(0) < new.issued_at - void.issued_at < timedelta(minutes=10)
        assert new.cash_volunteer_id == (rows.coordinator.id if void.refund else paid.issued_by_id)
        assert new.cash_received is not None and new.cash_received >= new.total
        reissued[void.refund] += 1
    voids, refunds = cash_demo.summary.voids, cash_demo.summary.refunds
    assert reissued[True] == refunds
    assert 0.6 * voids <= reissued[False] < voids  # some were called off


def test_stored_cover_dates_are_what_the_services_compute(cash_demo: Demo) -> None:
    """For every participant with a void, the dues service's own reading of the records."""
    rows = _cash_rows(cash_demo)
    touched = {paid.participant_id for _, paid in _void_pairs(rows)}
    with cash_demo.app.db.reading() as session:
        for participant_id in sorted(touched):
            p = session.get(Participant, participant_id)
            assert p is not None
            summary = summarize(cover_history(session, p))
            assert (p.promo_until, p.cover_from, p.cover_until, p.arrears_until) == (
                summary.promo_until,
                summary.cover_from,
                summary.cover_until,
                summary.arrears_until,
            ), p.registration_no


def test_every_past_day_with_receipts_is_closed_once(cash_demo: Demo) -> None:
    """Each close recomputed from the receipts table, independently of the demo's sums."""
    rows = _cash_rows(cash_demo)
    by_day: dict[date, list[Receipt]] = defaultdict(list)
    for receipt in sorted(rows.receipts.values(), key=lambda r: (r.year, r.seq)):
        by_day[receipt.issued_on].append(receipt)
    assert [c.day for c in rows.closes] == sorted(day for day in by_day if day < TODAY)
    assert [c.number for c in rows.closes] == list(range(1, len(rows.closes) + 1))
    chain_length = 0
    for close in rows.closes:
        receipts = by_day[close.day]
        chain_length += len(receipts)
        sums: dict[int | None, Tally[str]] = defaultdict(Tally)
        for r in receipts:
            kind = "payments" if r.kind == "payment" else "refunds" if r.refund else "voids"
            sums[r.cash_volunteer_id][kind] += r.total
            sums[r.cash_volunteer_id][f"{kind}_count"] += 1
        total = sum(sums.values(), Tally[str]())
        assert close.receipt_count == len(receipts) and close.through_seq == receipts[-1].seq
        assert close.chain_length == chain_length
        assert close.newest_receipt_hash == receipts[-1].hash
        assert (close.payments_total, close.voids_total, close.refunds_total) == (
            total["payments"],
            total["voids"],
            total["refunds"],
        )
        assert close.expected == total["payments"] - total["voids"] - total["refunds"]
        lines = rows.lines[close.id]
        assert {line.volunteer_id for line in lines} == set(sums)
        for line in lines:
            mine = sums[line.volunteer_id]
            assert line.close_key == f"DEMO3209-T{close.number:05d}"
            assert line.volunteer_key == rows.keys[line.volunteer_id or 0]
            assert (line.payments_count, line.voids_count, line.refunds_count) == (
                mine["payments_count"],
                mine["voids_count"],
                mine["refunds_count"],
            )
            assert (line.payments_total, line.voids_total, line.refunds_total) == (
                mine["payments"],
                mine["voids"],
                mine["refunds"],
            )
            assert line.expected == mine["payments"] - mine["voids"] - mine["refunds"] >= 0
            assert line.difference == line.counted - line.expected and line.counted >= 0
        for column in ("expected", "counted", "difference"):
            assert getattr(close, column) == sum(getattr(line, column) for line in lines)
        assert close.difference == close.counted - close.expected
        assert bool(close.note) == any(line.difference for line in lines)
        closed_at = close.closed_at.astimezone(WIB)
        assert closed_at.date() == close.day and closed_at.hour >= 16
        assert close.closed_at > receipts[-1].issued_at
        assert close.closed_by_id == rows.coordinator.id
    differences = [line.difference for ls in rows.lines.values() for line in ls]
    assert 0 < sum(1 for d in differences if d) < 0.05 * len(differences)
    assert all(-10_000 <= d <= 5_000 for d in differences)


def test_closes_go_to_the_bank_each_monday_and_the_newest_stay_at_the_post(
    cash_demo: Demo,
) -> None:
    rows = _cash_rows(cash_demo)
    closes = {c.id: c for c in rows.closes}
    assert len({link.close_id for link in rows.deposited}) == len(rows.deposited)  # once each
    of_deposit: dict[int, list[DailyClose]] = defaultdict(list)
    for link in rows.deposited:
        of_deposit[link.deposit_id].append(closes[link.close_id])
        deposit = rows.deposits[link.deposit_id]
        close = closes[link.close_id]
        assert link.key == f"DEMO3209-D{deposit.number:05d}/DEMO3209-T{close.number:05d}"
    assert set(of_deposit) == set(rows.deposits) and len(rows.deposits) > 10
    assert [d.number for d in sorted(rows.deposits.values(), key=lambda d: d.id)] == list(
        range(1, len(rows.deposits) + 1)
    )
    banks = Tally(d.bank for d in rows.deposits.values())
    assert set(banks) <= {"bni", "cimb_niaga", "other"} and banks["bni"] and banks["cimb_niaga"]
    for deposit in rows.deposits.values():
        taken = of_deposit[deposit.id]
        assert deposit.amount == sum(c.counted for c in taken) > 0
        assert deposit.deposited_on.weekday() == 0 and deposit.deposited_on < TODAY
        assert max(c.day for c in taken) < deposit.deposited_on
        assert deposit.recorded_at.astimezone(WIB).date() == deposit.deposited_on
        assert deposit.recorded_by_id == rows.coordinator.id
        assert deposit.bank_name == {"bni": "BNI", "cimb_niaga": "CIMB Niaga"}.get(
            deposit.bank, "Bank BJB"
        )
        prefix = {"bni": "BNI", "cimb_niaga": "CIMB", "other": "BJB"}[deposit.bank]
        assert re.fullmatch(
            rf"{prefix}-{deposit.deposited_on:%Y}-{deposit.deposited_on:%m%d}-\d{{6}}",
            deposit.reference,
        )
    deposited = {link.close_id for link in rows.deposited}
    waiting = [c for c in rows.closes if c.id not in deposited]
    assert 1 <= len(waiting) <= 7  # this week's closes (TODAY is a Friday: Monday to Thursday)
    assert min(c.number for c in waiting) > max(closes[i].number for i in deposited)
    assert [c.day for c in waiting] == [date(2026, 11, 23) + timedelta(days=n) for n in range(4)]

    position = cash_position(cash_demo.app.db)
    assert position.open_days == () and position.open_expected == 0  # nothing today yet
    assert [row.key for row in position.undeposited] == [
        f"DEMO3209-T{c.number:05d}" for c in waiting
    ]
    assert position.held == position.undeposited_counted == sum(c.counted for c in waiting) > 0


def test_the_chain_of_payments_voids_and_refunds_is_whole(cash_demo: Demo) -> None:
    report = verify_chain(cash_demo.app.db)
    assert report.whole, report.message()
    assert report.receipts == cash_demo.summary.receipts
    rows = _cash_rows(cash_demo)
    assert report.newest_hash == rows.closes[-1].newest_receipt_hash  # nothing since


# --- on every database ---------------------------------------------------------------------------


class StopAfter:
    """A Progress that records what it is told and cancels at the n-th step."""

    def __init__(self, steps: int | None = None) -> None:
        self.steps = steps
        self.seen: list[tuple[int, int, str]] = []

    def step(self, done: int, total: int, text: str = "") -> None:
        self.seen.append((done, total, text))
        if self.steps is not None and len(self.seen) >= self.steps:
            raise Cancelled()


def _row_counts(session: Session) -> dict[str, int]:
    models = (
        Post, Volunteer, Participant, Receipt, ReceiptMonth, CoverPeriod, AuditEntry, Counter,
        DailyClose, DailyCloseLine, Deposit, DepositClose,
    )  # fmt: skip
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in models
    }


def _contents(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every demo row, except the post's random signing key and the PIN hashes."""
    with app.db.reading() as session:
        return {
            model.__tablename__: [
                tuple(row)
                for row in session.execute(
                    select(*model.__table__.columns).order_by(*model.__table__.primary_key)
                )
            ]
            for model in (
                Participant,
                Receipt,
                ReceiptMonth,
                CoverPeriod,
                Counter,
                DailyClose,
                DailyCloseLine,
                Deposit,
                DepositClose,
            )  # fmt: skip
        }


def test_same_seed_same_rows_other_seed_other_rows(app: App, tmp_path: Path) -> None:
    create_demo_post(app.db, app.folder, DemoRequest(300, seed=5), "cli:test", today=TODAY)
    others = {}
    for seed in (5, 6):
        folder = DataFolder(tmp_path / f"seed{seed}")
        other = open_app(folder, folder.sqlite_url, clock=lambda: NOW)
        try:
            create_demo_post(other.db, folder, DemoRequest(300, seed=seed), "cli:test", today=TODAY)
            others[seed] = _contents(other)
        finally:
            other.close()
    assert _contents(app) == others[5]
    assert _contents(app)["participants"] != others[6]["participants"]


def test_refuses_a_folder_that_holds_a_real_post_and_changes_nothing(
    app: App, post: PostSummary
) -> None:
    with app.db.reading() as session:
        before = _row_counts(session)
    keys_before = sorted(p.name for p in app.folder.keys.iterdir())
    with pytest.raises(UserError) as refused:
        create_demo_post(app.db, app.folder, DemoRequest(50), "cli:test", today=TODAY)
    assert refused.value.key == "demo_refuses_real_post"
    assert refused.value.params["code"] == post.code
    with app.db.reading() as session:
        assert _row_counts(session) == before
    assert sorted(p.name for p in app.folder.keys.iterdir()) == keys_before


def test_refuses_a_second_demo(app: App) -> None:
    create_demo_post(app.db, app.folder, DemoRequest(20), "cli:test", today=TODAY)
    with pytest.raises(UserError) as refused:
        create_demo_post(app.db, app.folder, DemoRequest(20, seed=2), "cli:test", today=TODAY)
    assert refused.value.key == "demo_post_exists"


def test_refuses_a_bad_count_or_post_code(app: App) -> None:
    for request, key in (
        (DemoRequest(-1), "demo_bad_count"),
        (DemoRequest(5, post_code="x"), "bad_post_code"),
    ):
        with pytest.raises(UserError) as refused:
            create_demo_post(app.db, app.folder, request, "cli:test", today=TODAY)
        assert refused.value.key == key


def test_cancel_leaves_nothing_behind(app: App) -> None:
    progress = StopAfter(steps=3)  # stops in the middle of the receipts
    with pytest.raises(Cancelled):
        create_demo_post(app.db, app.folder, DemoRequest(3_000), "cli:test", progress, today=TODAY)
    with app.db.reading() as session:
        assert set(_row_counts(session).values()) == {0}
    done = [done for done, _total, _text in progress.seen]
    assert done == sorted(done) and all(text for *_, text in progress.seen)
    # The folder is as good as new: the next demo works (and adopts the key file left behind).
    summary = create_demo_post(app.db, app.folder, DemoRequest(30), "cli:test", today=TODAY)
    assert summary.participants == 30


def test_progress_runs_to_the_end(app: App) -> None:
    progress = StopAfter()
    create_demo_post(app.db, app.folder, DemoRequest(500), "cli:test", progress, today=TODAY)
    done, total, _text = progress.seen[-1]
    assert done == total and len(progress.seen) >= 4


def test_later_records_continue_after_the_demo(app: App) -> None:
    """Ids (PostgreSQL sequences) and the search index's triggers work after the bulk load."""
    create_demo_post(app.db, app.folder, DemoRequest(200), "cli:test", today=TODAY)
    with app.db.reading() as session:
        template = session.get(Participant, 1)
        assert template is not None
        values = {c.key: getattr(template, c.key) for c in Participant.__table__.columns}
    values.update(id=None, number=201, registration_no="DEMO3209-000201", nik="3209010101900001")
    values.update(name="Peserta Baru Zulfikar")
    with app.db.unit_of_work("cli:test") as session:
        session.add(Participant(**values))
        session.flush()
        assert session.scalar(select(func.max(Participant.id))) == 201
    if app.db.engine.dialect.name == "sqlite":
        with app.db.reading() as session:
            names = session.scalars(select(Participant.name).order_by(Participant.id)).all()
            fragment = next(w for n in names for w in n.split() if len(w) >= 4)[1:].casefold()
            assert _name_index_hits(session, "zulfikar") == 1  # the triggers are back
            like = session.scalar(
                select(func.count()).where(Participant.name.ilike(f"%{fragment}%"))
            )
            assert _name_index_hits(session, fragment) == like and (like or 0) > 0


def test_the_cash_services_carry_on_after_the_demo(app: App) -> None:
    """On every database: the chain, the close and deposit numbers and ids continue."""
    summary = create_demo_post(app.db, app.folder, DemoRequest(600, seed=3), "cli:test")
    assert summary.daily_closes > 50 and summary.deposits > 10
    assert verify_chain(app.db).whole
    before = cash_position(app.db)
    assert before.open_days == () and before.held == before.undeposited_counted > 0
    with app.db.reading() as session:
        coordinator = actor_for(
            session.scalars(select(Volunteer).where(Volunteer.number == 1)).one()
        )
        payer = session.scalars(
            select(Participant.id)
            .where(Participant.cover_until >= TODAY + timedelta(days=40))
            .order_by(Participant.id)
        ).first()
        assert payer is not None
        total = payment_options(app.db, payer).plan(3).total
        voided = select(Receipt.voids_receipt_id).where(Receipt.voids_receipt_id.is_not(None))
        old = session.scalars(
            select(Receipt.id)
            .where(Receipt.kind == "payment", Receipt.participant_id != payer)
            .where(Receipt.total <= total, ~Receipt.id.in_(voided))
            .order_by(Receipt.id.desc())
        ).first()
        assert old is not None
    take_payment(app.db, payer, 3, total, coordinator)
    refund = void_receipt(app.db, old, "Salah input peserta", coordinator)
    assert refund.refund  # a receipt of a closed day
    open_till = till(app.db)
    assert open_till.day == TODAY and open_till.expected == total - refund.total >= 0
    counted = {line.volunteer_key: line.expected for line in open_till.lines}
    close_id = close_day(app.db, TODAY, counted, coordinator, through_seq=open_till.through_seq)
    after = cash_position(app.db)
    assert after.held == before.held + open_till.expected and after.open_days == ()
    deposit_id = record_deposit(
        app.db,
        bank="bni",
        reference="BNI-2026-1127-000001",
        deposited_on=TODAY,
        amount=after.undeposited_counted,
        close_ids=[row.id for row in after.undeposited],
        actor=coordinator,
    )
    with app.db.reading() as session:
        close = session.get(DailyClose, close_id)
        deposit = session.get(Deposit, deposit_id)
        assert close is not None and deposit is not None
        assert (
            close.number == summary.daily_closes + 1 and close.chain_length == summary.receipts + 2
        )
        assert deposit.number == summary.deposits + 1
    assert cash_position(app.db).held == 0
    assert verify_chain(app.db).whole


def _name_index_hits(session: Session, fragment: str) -> int:
    return int(
        session.execute(
            text("SELECT count(*) FROM participants_fts WHERE participants_fts MATCH :q"),
            {"q": f'"{fragment}"'},
        ).scalar_one()
    )


def test_default_day_is_the_posts_date_on_the_clock(app: App) -> None:
    with pytest.raises(ValueError):  # a demo dated after the clock
        create_demo_post(
            app.db, app.folder, DemoRequest(10), "cli:test", today=TODAY + timedelta(days=1)
        )
    summary = create_demo_post(app.db, app.folder, DemoRequest(10), "cli:test")
    assert summary.today == NOW.astimezone(WIB).date()


def test_stored_dashboard_columns_are_what_the_records_say(cash_demo: Demo) -> None:
    """``promotion_end`` and ``converted_on`` of every participant, rejoined and voided ones too."""
    with cash_demo.app.db.reading() as session:
        stored = stored_columns(session)
        assert stored == expected_columns(session)
    assert sum(1 for _end, converted in stored.values() if converted is not None) > 0


def test_services_demo_still_offers_the_demo_packages_names() -> None:
    """The demo moved to ``rumah_perisai.demo``; scripts import it from ``services.demo``."""
    import rumah_perisai.demo as package
    import rumah_perisai.services.demo as old_home

    assert old_home.__all__ == package.__all__
    for name in package.__all__:
        assert getattr(old_home, name) is getattr(package, name), name
    assert old_home.MAX_PARTICIPANTS == 999_999
    assert (old_home.COORDINATOR_PIN, old_home.VOLUNTEER_PIN) == ("1357", "2468")
    assert set(old_home.DEMO_STEPS) == {
        "demo_step_people",
        "demo_step_receipts",
        "demo_step_cover",
    }
