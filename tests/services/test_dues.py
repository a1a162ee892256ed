"""Taking dues: what a payment pays for and costs, receipts, voids (issue 6), on SQLite and
PostgreSQL. The fake clock stands at 27 Nov 2026 09:30 WIB."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import CoverPeriod, Participant, Receipt, ReceiptMonth
from rumah_perisai.domain import dues as dues_rules
from rumah_perisai.domain.coverage import CoverHistory, Standing, Status
from rumah_perisai.errors import UserError
from rumah_perisai.services.dues import (
    check_cash,
    parse_cash,
    payment_options,
    take_payment,
    void_preview,
    void_receipt,
)
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock

# Their SQL differs by dialect: also on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.postgresql

BASIC, WITH_JHT = 16_800, 36_800


def _in_promotion(add_participant: Callable[..., int], **fields: object) -> int:
    """Registered 1 Oct 2026: free cover to 31 Jan 2027; the first dues month is Feb 2027."""
    start = date(2026, 10, 1)
    history = CoverHistory(Standing.MEMBER, start, date(2027, 1, 31), frozenset())
    return add_participant(registered_on=start, history=history, **fields)


def _in_arrears(add_participant: Callable[..., int]) -> int:
    """Free cover ended 30 Sep 2026: October and November unpaid (arrears, not lapsed)."""
    start = date(2026, 6, 10)
    history = CoverHistory(Standing.MEMBER, start, date(2026, 9, 30), frozenset())
    return add_participant(registered_on=start, history=history)


def _pay(app: App, who: int, months: int, actor: Actor, cash: int | None = None) -> int:
    options = payment_options(app.db, who)
    plan = options.plan(months)
    paid = take_payment(
        app.db,
        who,
        months,
        plan.total if cash is None else cash,
        actor,
        expect_months=[m.month for m in plan.months],
    )
    return paid.receipt_id


@pytest.mark.parametrize("months", [1, 3, 6, 12])
@pytest.mark.parametrize(("with_jht", "per_month"), [(False, BASIC), (True, WITH_JHT)])
def test_amounts_for_each_month_count_start_after_the_promotion(
    app: App,
    add_participant: Callable[..., int],
    volunteer: Actor,
    months: int,
    with_jht: bool,
    per_month: int,
) -> None:
    who = _in_promotion(add_participant, with_jht=with_jht)
    options = payment_options(app.db, who)
    assert options.status is Status.PROMOTION and options.refusal is None
    plan = options.plan(months)
    assert plan.first_month == date(2027, 2, 1)  # nothing owed for promotion months
    assert len(plan.months) == months
    assert plan.total == months * per_month
    assert plan.jkk == months * 10_000 and plan.jkm == months * 6_800
    assert plan.jht == (months * 20_000 if with_jht else 0)

    paid = take_payment(app.db, who, months, plan.total, volunteer)
    assert paid.total == plan.total and paid.change == 0
    with app.db.reading() as session:
        participant = session.get(Participant, who)
        assert participant is not None
        assert participant.cover_until == plan.cover_until
        receipt = session.get(Receipt, paid.receipt_id)
        assert receipt is not None
        assert (receipt.number, receipt.total, receipt.month_count) == (
            "RP3209A-2026-000001",
            plan.total,
            months,
        )


def test_arrears_are_paid_first_oldest_first(
    app: App, add_participant: Callable[..., int], volunteer: Actor
) -> None:
    who = _in_arrears(add_participant)
    options = payment_options(app.db, who)
    assert options.status is Status.ARREARS
    plan = options.plan(3)
    assert [m.month for m in plan.months] == [
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
    ]
    assert plan.arrears_count == 1  # October has ended; November is the current month

    _pay(app, who, 1, volunteer)
    after = payment_options(app.db, who)
    assert after.status is Status.ARREARS  # October paid; November still owed
    assert after.plan(1).first_month == date(2026, 11, 1)
    _pay(app, who, 1, volunteer)
    assert payment_options(app.db, who).status is Status.ACTIVE


def test_a_lapsed_membership_is_refused_with_the_way_back(
    app: App, add_participant: Callable[..., int], volunteer: Actor
) -> None:
    who = add_participant()  # free cover ended 30 Apr 2026: lapsed from 1 Sep
    options = payment_options(app.db, who)
    assert options.status is Status.LAPSED and not options.plans
    assert (
        options.refusal is not None
        and "Aktifkan kembali" in options.refusal
        and "daftar ulang" in options.refusal
    )
    with pytest.raises(UserError) as refused:
        take_payment(app.db, who, 1, BASIC, volunteer)
    assert refused.value.key == "pay_lapsed"
    with app.db.reading() as session:
        assert session.scalar(select(Receipt.id)) is None


def test_a_month_paid_meanwhile_is_refused(
    app: App, add_participant: Callable[..., int], volunteer: Actor, coordinator: Actor
) -> None:
    who = _in_promotion(add_participant)
    shown = payment_options(app.db, who).plan(1)  # the dialog shows February
    take_payment(app.db, who, 1, BASIC, coordinator)  # another volunteer pays February first
    with pytest.raises(UserError) as refused:
        take_payment(
            app.db, who, 1, BASIC, volunteer, expect_months=[m.month for m in shown.months]
        )
    assert refused.value.key == "month_paid"
    assert "Februari 2027" in refused.value.message()
    with app.db.reading() as session:
        assert len(session.scalars(select(Receipt)).all()) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("50000", 50_000), ("50.000", 50_000), ("Rp 50.000", 50_000), (" 16800 ", 16_800)],
)
def test_cash_as_typed(text: str, expected: int) -> None:
    assert parse_cash(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("lima puluh", "cash_not_a_number"),
        ("", "cash_not_a_number"),
        ("-5000", "cash_negative"),
        ("5,5", "cash_not_a_number"),
    ],
)
def test_bad_cash_text(text: str, key: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_cash(text)
    assert refused.value.key == key


def test_cash_checks() -> None:
    assert check_cash(20_000, BASIC) == 3_200
    bad = [(10_000, "cash_too_small"), (-1, "cash_negative"), (500_000, "cash_change_too_big")]
    for cash, key in bad:
        with pytest.raises(UserError) as refused:
            check_cash(cash, BASIC)
        assert refused.value.key == key


def test_too_little_cash_records_nothing(
    app: App, add_participant: Callable[..., int], volunteer: Actor
) -> None:
    who = _in_promotion(add_participant)
    with pytest.raises(UserError) as refused:
        take_payment(app.db, who, 3, 50_000, volunteer)
    assert refused.value.key == "cash_too_small"
    assert "Rp 50.400" in refused.value.message()
    with app.db.reading() as session:
        assert session.scalar(select(Receipt.id)) is None
        assert session.scalar(select(ReceiptMonth.id)) is None
        participant = session.get(Participant, who)
        assert participant is not None and participant.cover_until == date(2027, 1, 31)


@pytest.fixture
def december_2020(clock: FakeClock) -> None:
    """The post is set up, and everything happens, on 10 Dec 2020."""
    from datetime import UTC, datetime

    clock.now = datetime(2020, 12, 10, 2, 0, tzinfo=UTC)


def test_relief_period_prices_each_month_under_its_own_rules(
    december_2020: None, app: App, add_participant: Callable[..., int], volunteer: Actor
) -> None:
    """PP 49/2020: JKK and JKM at 1 % for dues months Aug 2020 – Jan 2021 (JHT unchanged)."""
    start = date(2020, 6, 4)
    history = CoverHistory(Standing.MEMBER, start, date(2020, 9, 30), frozenset())
    who = add_participant(registered_on=start, history=history, with_jht=True)
    plan = payment_options(app.db, who).plan(6)  # Oct 2020 – Mar 2021, October in arrears
    by_month = {m.month: (m.jkk, m.jkm, m.jht, m.total) for m in plan.months}
    assert by_month[date(2020, 10, 1)] == (100, 68, 20_000, 20_168)
    assert by_month[date(2021, 1, 1)] == (100, 68, 20_000, 20_168)
    assert by_month[date(2021, 2, 1)] == (10_000, 6_800, 20_000, 36_800)
    assert plan.total == 4 * 20_168 + 2 * 36_800
    assert {m.rates_version for m in plan.months} == {
        "BPU-PP44-2015+PP49-2020",
        "BPU-PP44-2015",
    }
    _pay(app, who, 6, volunteer)
    with app.db.reading() as session:
        months = session.scalars(select(ReceiptMonth).order_by(ReceiptMonth.month)).all()
        assert [m.total for m in months] == [20_168] * 4 + [36_800] * 2


def test_a_rate_change_prices_months_on_both_sides(
    app: App,
    add_participant: Callable[..., int],
    volunteer: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new table from March 2027 (JKM Rp 8.000): a 3-month payment Feb–Apr straddles it."""
    shipped = json.loads(dues_rules.rules_file(dues_rules.RATES_FILE).read_text("utf-8"))
    old = shipped["tables"][0]
    old["valid_to"] = "2027-02-28"
    shipped["tables"].append(old | {"version": "TEST-2027", "valid_from": "2027-03-01",
                                    "valid_to": None, "jkm_flat": 8000})  # fmt: skip
    rates = tmp_path / "dues_rates.json"
    rates.write_text(json.dumps(shipped), "utf-8")
    rules = dues_rules.load_dues_rules(rates)
    monkeypatch.setattr(dues_rules, "_shipped_rules", lambda: rules)

    who = _in_promotion(add_participant)
    plan = payment_options(app.db, who).plan(3)
    assert [m.total for m in plan.months] == [16_800, 18_000, 18_000]
    assert [m.rates_version for m in plan.months] == ["BPU-PP44-2015", "TEST-2027", "TEST-2027"]
    assert plan.total == 52_800


def test_gapless_numbers_under_concurrent_payments(
    app: App, add_participant: Callable[..., int], volunteer: Actor, coordinator: Actor
) -> None:
    people = [_in_promotion(add_participant) for _ in range(12)]
    errors: list[BaseException] = []

    def pay(group: list[int], actor: Actor) -> None:
        for who in group:
            try:
                take_payment(app.db, who, 1, BASIC, actor)
            except BaseException as error:  # reported below
                errors.append(error)

    threads = [
        threading.Thread(target=pay, args=(people[i::3], actor))
        for i, actor in enumerate([volunteer, coordinator, volunteer])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    from rumah_perisai.services.receipt_chain import verify_chain

    with app.db.reading() as session:
        numbers = session.scalars(select(Receipt.seq).order_by(Receipt.seq)).all()
    assert numbers == list(range(1, 13))
    report = verify_chain(app.db)
    assert report.whole and report.receipts == 12


# --- voids -----------------------------------------------------------------------------------


def test_only_a_coordinator_voids_and_only_with_a_reason(
    app: App, add_participant: Callable[..., int], volunteer: Actor, coordinator: Actor
) -> None:
    who = _in_promotion(add_participant)
    receipt = _pay(app, who, 3, volunteer)
    with pytest.raises(UserError) as refused:
        void_receipt(app.db, receipt, "Salah orang", volunteer)
    assert refused.value.key == "coordinator_only"
    with pytest.raises(UserError) as refused:
        void_receipt(app.db, receipt, "   ", coordinator)
    assert refused.value.key == "void_reason_needed"
    with app.db.reading() as session:
        assert len(session.scalars(select(Receipt)).all()) == 1


def test_a_void_withdraws_the_months_and_is_a_receipt_in_the_chain(
    app: App, add_participant: Callable[..., int], volunteer: Actor, coordinator: Actor
) -> None:
    who = _in_arrears(add_participant)
    receipt = _pay(app, who, 3, volunteer)  # Oct, Nov, Dec: active
    assert payment_options(app.db, who).status is Status.ACTIVE

    preview = void_preview(app.db, receipt)
    assert preview.status_now is Status.ACTIVE and preview.status_after is Status.ARREARS
    assert preview.refund is False  # same day, not yet counted
    assert preview.months == (date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1))

    voided = void_receipt(app.db, receipt, "Salah nominal", coordinator)
    assert voided.number == "RP3209A-2026-000002" and voided.voided_number == "RP3209A-2026-000001"
    assert payment_options(app.db, who).status is Status.ARREARS
    with app.db.reading() as session:
        void = session.get(Receipt, voided.receipt_id)
        assert void is not None
        assert (void.kind, void.total, void.reason, void.refund) == (
            "void",
            50_400,
            "Salah nominal",
            False,
        )
        assert void.cash_volunteer_id == volunteer.volunteer_id  # back out of the collector's cash
        months = session.scalars(select(ReceiptMonth)).all()
        assert {m.voided_by_receipt_id for m in months} == {void.id}
        period = session.scalars(select(CoverPeriod).where(CoverPeriod.kind == "paid")).one()
        assert period.voided_by_receipt_id == void.id
        original = session.get(Receipt, receipt)
        assert original is not None and original.total == 50_400  # the receipt itself unchanged

    with pytest.raises(UserError) as again:
        void_receipt(app.db, receipt, "Lagi", coordinator)
    assert again.value.key == "already_voided"
    with pytest.raises(UserError) as of_void:
        void_receipt(app.db, voided.receipt_id, "Lagi", coordinator)
    assert of_void.value.key == "void_of_void"
    # The months can be paid again.
    _pay(app, who, 3, volunteer)
    assert payment_options(app.db, who).status is Status.ACTIVE


def test_a_void_of_an_earlier_day_is_a_refund_from_todays_cash(
    app: App,
    add_participant: Callable[..., int],
    volunteer: Actor,
    coordinator: Actor,
    clock: FakeClock,
) -> None:
    who = _in_promotion(add_participant)
    receipt = _pay(app, who, 1, volunteer)
    clock.advance(days=1)
    assert void_preview(app.db, receipt).refund is True
    voided = void_receipt(app.db, receipt, "Peserta membatalkan", coordinator)
    assert voided.refund is True
    with app.db.reading() as session:
        void = session.get(Receipt, voided.receipt_id)
        assert void is not None
        assert void.refund and void.cash_volunteer_id == coordinator.volunteer_id
        assert void.issued_on == date(2026, 11, 28)


def test_receipts_number_per_year(
    app: App, add_participant: Callable[..., int], volunteer: Actor, clock: FakeClock
) -> None:
    from datetime import UTC, datetime

    first, second = _in_promotion(add_participant), _in_promotion(add_participant)
    _pay(app, first, 1, volunteer)
    clock.now = datetime(2027, 1, 2, 2, 0, tzinfo=UTC)
    _pay(app, second, 1, volunteer)
    with app.db.reading() as session:
        assert session.scalars(select(Receipt.number).order_by(Receipt.id)).all() == [
            "RP3209A-2026-000001",
            "RP3209A-2027-000001",
        ]


def test_withdrawn_participant_cannot_pay(
    app: App, add_participant: Callable[..., int], volunteer: Actor, post: PostSummary
) -> None:
    start = date(2026, 10, 1)
    history = CoverHistory(Standing.WITHDRAWN, start, date(2027, 1, 31), frozenset())
    who = add_participant(registered_on=start, history=history)
    options = payment_options(app.db, who)
    assert options.status is Status.WITHDRAWN and options.refusal
    with pytest.raises(UserError) as refused:
        take_payment(app.db, who, 1, BASIC, volunteer)
    assert refused.value.key == "pay_not_member"


def test_voiding_an_older_payment_warns_of_later_months_that_stop_counting(
    app: App, add_participant: Callable[..., int], volunteer: Actor, coordinator: Actor
) -> None:
    who = _in_promotion(add_participant)
    february = _pay(app, who, 1, volunteer)
    _pay(app, who, 3, volunteer)  # March – May
    preview = void_preview(app.db, february)
    assert preview.stranded_months == (date(2027, 3, 1), date(2027, 4, 1), date(2027, 5, 1))
    assert preview.cover_until_after == date(2027, 1, 31)  # the free cover only
    void_receipt(app.db, february, "Salah input peserta", coordinator)
    options = payment_options(app.db, who)
    assert options.plan(1).first_month == date(2027, 2, 1)  # the gap is paid first
    _pay(app, who, 1, volunteer)
    with app.db.reading() as session:
        participant = session.get(Participant, who)
        assert participant is not None and participant.cover_until == date(2027, 5, 31)
