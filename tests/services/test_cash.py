"""Closing the day and depositing the cash (issue 6): per volunteer, what the receipts say is
held, what was counted, the difference; a closed day never changes; deposits match closes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select

from rumah_perisai.app import App
from rumah_perisai.db.models import DailyClose, DailyCloseLine, Deposit
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.errors import UserError
from rumah_perisai.services.cash import (
    cash_position,
    close_day,
    close_document,
    closes,
    open_days,
    record_deposit,
    till,
)
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock

TODAY = date(2026, 11, 27)


@pytest.fixture
def pay(app: App, add_participant: Callable[..., int]) -> Callable[[Actor, int], int]:
    """A new participant in the promotion pays ``months`` months; returns the receipt id."""

    def pay(actor: Actor, months: int) -> int:
        start = date(2026, 10, 1)
        history = CoverHistory(Standing.MEMBER, start, date(2027, 1, 31), frozenset())
        who = add_participant(registered_on=start, history=history)
        total = payment_options(app.db, who).plan(months).total
        return take_payment(app.db, who, months, total, actor).receipt_id

    return pay


def _close(app: App, actor: Actor, counted: dict[str, int], note: str = "") -> int:
    today = till(app.db)
    return close_day(app.db, today.day, counted, actor, through_seq=today.through_seq, note=note)


def test_the_till_per_volunteer_and_a_close_with_a_difference(
    app: App, pay: Callable[[Actor, int], int], volunteer: Actor, coordinator: Actor
) -> None:
    pay(volunteer, 3)  # 50.400
    pay(volunteer, 1)  # 16.800
    wrong = pay(coordinator, 12)  # 201.600
    void_receipt(app.db, wrong, "Salah jumlah bulan", coordinator)  # same day: a void
    current = till(app.db)
    by_name = {line.name: line for line in current.lines}
    ujang, dewi = by_name["Ujang Hidayat"], by_name["Dewi Lestari"]
    assert (ujang.payments_count, ujang.payments_total, ujang.expected) == (2, 67_200, 67_200)
    assert (dewi.payments_total, dewi.voids_total, dewi.refunds_total) == (201_600, 201_600, 0)
    assert dewi.expected == 0 and current.expected == 67_200
    assert len(current.receipts) == 4 and [r.signed_total for r in current.receipts][-1] == -201_600

    counted = {ujang.volunteer_key: 62_200, dewi.volunteer_key: 0}
    with pytest.raises(UserError) as refused:
        _close(app, coordinator, counted)
    assert refused.value.key == "close_needs_note"
    with pytest.raises(UserError) as volunteer_closes:
        _close(app, volunteer, counted, note="Uang kembalian kurang")
    assert volunteer_closes.value.key == "coordinator_only"
    with pytest.raises(UserError) as missing:
        _close(app, coordinator, {ujang.volunteer_key: 67_200})
    assert missing.value.key == "count_missing"

    close_id = _close(app, coordinator, counted, note="Uang kembalian kurang")
    document = close_document(app.db, close_id)
    assert (document.close.expected, document.close.counted, document.close.difference) == (
        67_200,
        62_200,
        -5_000,
    )
    lines = {line.name: (counted, difference) for line, counted, difference in document.lines}
    assert lines == {"Ujang Hidayat": (62_200, -5_000), "Dewi Lestari": (0, 0)}
    assert len(document.receipts) == 4 and document.note == "Uang kembalian kurang"
    assert document.chain_length == 4
    assert till(app.db).is_empty
    with pytest.raises(UserError) as again:
        _close(app, coordinator, counted)
    assert again.value.key == "nothing_to_close"


def test_a_receipt_after_the_close_is_counted_in_a_second_close(
    app: App, pay: Callable[[Actor, int], int], volunteer: Actor, coordinator: Actor
) -> None:
    pay(volunteer, 1)
    key = till(app.db).lines[0].volunteer_key
    first = _close(app, coordinator, {key: 16_800})
    pay(volunteer, 3)
    second_till = till(app.db)
    assert second_till.earlier_closes == 1 and second_till.expected == 50_400
    second = _close(app, coordinator, {key: 50_400})
    rows = {row.id: row for row in closes(app.db)}
    assert (rows[first].receipt_count, rows[first].counted) == (1, 16_800)
    assert (rows[second].receipt_count, rows[second].counted) == (1, 50_400)
    with app.db.reading() as session:
        assert session.scalar(select(func.count(DailyCloseLine.id))) == 2


def test_a_count_made_while_a_receipt_came_in_is_refused(
    app: App, pay: Callable[[Actor, int], int], volunteer: Actor, coordinator: Actor
) -> None:
    pay(volunteer, 1)
    seen = till(app.db)
    pay(volunteer, 1)  # another volunteer takes a payment meanwhile
    with pytest.raises(UserError) as refused:
        close_day(
            app.db,
            seen.day,
            {seen.lines[0].volunteer_key: 16_800},
            coordinator,
            through_seq=seen.through_seq,
        )
    assert refused.value.key == "till_changed"
    with app.db.reading() as session:
        assert session.scalar(select(func.count(DailyClose.id))) == 0


def test_a_void_after_the_close_is_a_refund_from_todays_cash(
    app: App,
    pay: Callable[[Actor, int], int],
    volunteer: Actor,
    coordinator: Actor,
) -> None:
    receipt = pay(volunteer, 3)
    key = till(app.db).lines[0].volunteer_key
    close_id = _close(app, coordinator, {key: 50_400})
    voided = void_receipt(app.db, receipt, "Peserta membatalkan", coordinator)
    assert voided.refund
    # The closed day is unchanged; the refund is in today's new till, out of the coordinator's cash.
    assert close_document(app.db, close_id).close.expected == 50_400
    refund_till = till(app.db)
    (line,) = refund_till.lines
    assert (line.name, line.refunds_count, line.refunds_total, line.expected) == (
        "Dewi Lestari",
        1,
        50_400,
        -50_400,
    )


def test_open_days_and_cash_held(
    app: App,
    pay: Callable[[Actor, int], int],
    volunteer: Actor,
    coordinator: Actor,
    clock: FakeClock,
) -> None:
    pay(volunteer, 1)
    clock.advance(days=1)
    pay(volunteer, 3)
    assert open_days(app.db) == [TODAY, date(2026, 11, 28)]
    position = cash_position(app.db)
    assert position.open_expected == 67_200 and position.held == 67_200
    old = till(app.db, TODAY)
    close_day(
        app.db,
        TODAY,
        {old.lines[0].volunteer_key: 16_800},
        coordinator,
        through_seq=old.through_seq,
    )
    assert open_days(app.db) == [date(2026, 11, 28)]
    position = cash_position(app.db)
    assert (position.open_expected, position.undeposited_counted, position.held) == (
        50_400,
        16_800,
        67_200,
    )
    with pytest.raises(UserError) as future:
        close_day(app.db, date(2026, 12, 1), {}, coordinator, through_seq=0)
    assert future.value.key == "close_future_day"


def test_deposits_match_the_closes_they_take(
    app: App,
    pay: Callable[[Actor, int], int],
    volunteer: Actor,
    coordinator: Actor,
    clock: FakeClock,
) -> None:
    pay(volunteer, 1)
    key = till(app.db).lines[0].volunteer_key
    first = _close(app, coordinator, {key: 16_800})
    clock.advance(days=1)
    pay(volunteer, 3)
    second = _close(app, coordinator, {key: 50_400})

    def deposit(**changes: object) -> int:
        values: dict[str, object] = {
            "bank": "bni",
            "reference": "BNI-0412-001234",
            "deposited_on": date(2026, 11, 28),
            "amount": 67_200,
            "close_ids": [first, second],
            "actor": coordinator,
        } | changes
        return record_deposit(app.db, **values)  # type: ignore[arg-type]

    for changes, key in [
        ({"actor": volunteer}, "coordinator_only"),
        ({"amount": 60_000}, "deposit_amount"),
        ({"bank": "other"}, "deposit_bank_name"),
        ({"bank": "mandiri"}, "deposit_bank"),
        ({"reference": "  "}, "deposit_reference"),
        ({"close_ids": []}, "deposit_no_closes"),
        ({"deposited_on": date(2026, 11, 27)}, "deposit_date"),
        ({"deposited_on": date(2026, 11, 30)}, "deposit_date"),
        ({"amount": 0}, "deposit_amount_positive"),
    ]:
        with pytest.raises(UserError) as refused:
            deposit(**changes)
        assert refused.value.key == key, changes
    with app.db.reading() as session:
        assert session.scalar(select(func.count(Deposit.id))) == 0

    deposit()
    assert cash_position(app.db).held == 0
    assert {row.deposit_key for row in closes(app.db)} == {"RP3209A-D00001"}
    with pytest.raises(UserError) as twice:
        deposit(close_ids=[second], amount=50_400)
    assert twice.value.key == "close_deposited"
