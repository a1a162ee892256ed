"""Cover status and payable months (DOMAIN.md, "Rules this program follows" > Cover status)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta

import pytest

from rumah_perisai.domain.coverage import (
    CoverHistory,
    CoverSummary,
    Standing,
    Status,
    next_payable_months,
    rejoin_start,
    status_from_summary,
    status_label,
    status_on,
    summarize,
)
from rumah_perisai.domain.dues import monthly_dues
from rumah_perisai.domain.errors import RuleError
from rumah_perisai.domain.months import add_months, iter_months, month_end
from rumah_perisai.domain.promotion import promotion_cover

# Registered 15 Jan 2025 under the default campaign: free until 30 Apr 2025.
REGISTERED = date(2025, 1, 15)
PROMO_END = date(2025, 4, 30)


def months(*pairs: tuple[int, int]) -> frozenset[date]:
    return frozenset(date(year, month, 1) for year, month in pairs)


def span(first: date, last: date) -> frozenset[date]:
    return frozenset(iter_months(first, last))


def history(
    paid: Iterable[date] = (),
    *,
    start: date = REGISTERED,
    promotion_end: date | None = PROMO_END,
    standing: Standing = Standing.MEMBER,
) -> CoverHistory:
    return CoverHistory(standing, start, promotion_end, frozenset(paid))


def both(h: CoverHistory, day: date) -> Status:
    """The status both ways; they must agree (the SQL path and the direct path)."""
    direct = status_on(h, day)
    assert status_from_summary(h.standing, summarize(h), h.membership_start, day) == direct
    return direct


def test_every_status_has_an_indonesian_label() -> None:
    assert {status_label(s) for s in Status} == {
        "Masa promosi", "Aktif", "Menunggak", "Nonaktif", "Belum terlindungi", "Dibatalkan",
        "Ditolak cabang", "Berhenti atas permintaan",
    }  # fmt: skip
    assert str(Status.NOT_YET_COVERED) == "not_yet_covered"


def test_the_default_campaign_matches_the_history_used_here() -> None:
    cover = promotion_cover(REGISTERED)
    assert cover is not None and cover.end == PROMO_END


# --- promotion and what follows it ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (date(2025, 1, 14), Status.NOT_YET_COVERED),  # the day before registering
        (date(2025, 1, 15), Status.PROMOTION),
        (date(2025, 4, 30), Status.PROMOTION),  # last free day
        (date(2025, 5, 1), Status.ARREARS),  # nothing paid after the promotion
        (date(2025, 7, 31), Status.ARREARS),  # last day of M+3 (M = April)
        (date(2025, 8, 1), Status.LAPSED),  # first day of M+4
        (date(2027, 1, 1), Status.LAPSED),
    ],
)
def test_unpaid_after_the_promotion(day: date, status: Status) -> None:
    assert both(history(), day) is status


def test_summary_of_an_unpaid_promotion() -> None:
    assert summarize(history()) == CoverSummary(
        cover_until=PROMO_END,
        arrears_until=date(2025, 7, 31),
        promo_until=PROMO_END,
        cover_from=REGISTERED,
    )


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (date(2025, 5, 1), Status.ACTIVE),
        (date(2025, 5, 31), Status.ACTIVE),  # a 31-day month's last day
        (date(2025, 6, 1), Status.ARREARS),
        (date(2025, 8, 31), Status.ARREARS),  # last day of M+3 (M = May)
        (date(2025, 9, 1), Status.LAPSED),  # first day of M+4
    ],
)
def test_one_paid_month_after_the_promotion(day: date, status: Status) -> None:
    assert both(history(months((2025, 5))), day) is status


def test_paying_catches_up_arrears() -> None:
    # In arrears on 20 July; paying May-July makes the participant active again.
    h = history()
    assert both(h, date(2025, 7, 20)) is Status.ARREARS
    paid = next_payable_months(h, date(2025, 7, 20), 3)
    assert paid == [date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1)]
    assert both(history(paid), date(2025, 7, 20)) is Status.ACTIVE


def test_paid_months_inside_the_promotion_do_not_count() -> None:
    h = history(months((2025, 3), (2025, 4)))
    assert summarize(h).cover_until == PROMO_END
    assert both(h, date(2025, 5, 2)) is Status.ARREARS


# --- leap years and month ends --------------------------------------------------------------------


def test_february_of_a_leap_year_is_covered_through_the_29th() -> None:
    h = history(months((2028, 2)), start=date(2028, 2, 1), promotion_end=None)
    assert both(h, date(2028, 2, 29)) is Status.ACTIVE
    assert both(h, date(2028, 3, 1)) is Status.ARREARS
    assert summarize(h).arrears_until == date(2028, 5, 31)


def test_february_2100_has_28_days() -> None:
    h = history(months((2100, 2)), start=date(2100, 2, 1), promotion_end=None)
    assert summarize(h).cover_until == date(2100, 2, 28)
    assert both(h, date(2100, 3, 1)) is Status.ARREARS


def test_arrears_window_ending_on_a_leap_day() -> None:
    # Last covered month November 2027: arrears through 29 February 2028, lapsed from 1 March.
    h = history(months((2027, 11)), start=date(2027, 11, 1), promotion_end=None)
    assert summarize(h).arrears_until == date(2028, 2, 29)
    assert both(h, date(2028, 2, 29)) is Status.ARREARS
    assert both(h, date(2028, 3, 1)) is Status.LAPSED


def test_promotion_ending_on_a_leap_day() -> None:
    start = date(2027, 11, 30)
    cover = promotion_cover(start)
    assert cover is not None
    h = history(start=start, promotion_end=cover.end)
    assert both(h, date(2028, 2, 29)) is Status.PROMOTION
    assert both(h, date(2028, 3, 1)) is Status.ARREARS
    assert next_payable_months(h, date(2028, 1, 10), 1) == [date(2028, 3, 1)]


# --- no promotion ---------------------------------------------------------------------------------


def test_without_promotion_nothing_is_covered_until_the_first_payment() -> None:
    h = history(start=date(2025, 3, 15), promotion_end=None)
    assert both(h, date(2025, 3, 15)) is Status.NOT_YET_COVERED
    # Nothing was ever covered, so nothing can lapse.
    assert both(h, date(2026, 3, 15)) is Status.NOT_YET_COVERED
    assert summarize(h) == CoverSummary(None, None, None, None)


def test_without_promotion_the_first_payment_starts_with_the_current_month() -> None:
    h = history(start=date(2025, 3, 15), promotion_end=None)
    assert next_payable_months(h, date(2025, 3, 15), 1) == [date(2025, 3, 1)]
    assert next_payable_months(h, date(2025, 5, 10), 3) == [
        date(2025, 5, 1),
        date(2025, 6, 1),
        date(2025, 7, 1),
    ]


def test_a_late_first_payment_does_not_cover_the_months_before_it() -> None:
    h = history(months((2025, 5)), start=date(2025, 3, 15), promotion_end=None)
    assert both(h, date(2025, 4, 30)) is Status.NOT_YET_COVERED
    assert both(h, date(2025, 5, 1)) is Status.ACTIVE
    assert summarize(h).cover_from == date(2025, 5, 1)


def test_cover_in_the_registration_month_starts_on_the_registration_day() -> None:
    h = history(months((2025, 3)), start=date(2025, 3, 15), promotion_end=None)
    assert both(h, date(2025, 3, 14)) is Status.NOT_YET_COVERED
    assert both(h, date(2025, 3, 15)) is Status.ACTIVE
    assert summarize(h).cover_from == date(2025, 3, 15)


# --- voids ----------------------------------------------------------------------------------------


def test_a_voided_month_breaks_the_run_and_later_paid_months_wait_for_it() -> None:
    # May-July paid, then June's receipt voided: cover ends with May.
    h = history(months((2025, 5), (2025, 7)))
    assert summarize(h).cover_until == date(2025, 5, 31)
    assert both(h, date(2025, 7, 15)) is Status.ARREARS
    # The gap is paid first; paid July is skipped, never an unpaid month.
    assert next_payable_months(h, date(2025, 7, 15), 1) == [date(2025, 6, 1)]
    assert next_payable_months(h, date(2025, 7, 15), 3) == [
        date(2025, 6, 1),
        date(2025, 8, 1),
        date(2025, 9, 1),
    ]
    assert summarize(history(months((2025, 5), (2025, 6), (2025, 7)))).cover_until == date(
        2025, 7, 31
    )


def test_voiding_an_old_month_can_end_the_membership() -> None:
    # May-December paid; May voided: last covered month is April (the promotion).
    h = history(span(date(2025, 6, 1), date(2025, 12, 1)))
    assert both(h, date(2025, 7, 31)) is Status.ARREARS
    assert both(h, date(2025, 8, 1)) is Status.LAPSED


def test_voiding_the_first_paid_month_without_promotion() -> None:
    # Paid March-May, March voided: cover starts with April (the first paid month).
    h = history(months((2025, 4), (2025, 5)), start=date(2025, 3, 15), promotion_end=None)
    assert both(h, date(2025, 3, 20)) is Status.NOT_YET_COVERED
    assert both(h, date(2025, 4, 1)) is Status.ACTIVE


# --- withdrawn, rejected, rejoined ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("standing", "status"),
    [
        (Standing.WITHDRAWN, Status.WITHDRAWN),
        (Standing.REJECTED, Status.REJECTED),
        (Standing.ENDED, Status.ENDED),
    ],
)
def test_withdrawn_and_rejected_override_everything(standing: Standing, status: Status) -> None:
    h = history(months((2025, 5)), standing=standing)
    for day in (date(2025, 1, 1), date(2025, 2, 1), date(2025, 5, 10), date(2030, 1, 1)):
        assert both(h, day) is status
    with pytest.raises(RuleError) as caught:
        next_payable_months(h, date(2025, 5, 10), 1)
    assert caught.value.code == "membership_closed"


def test_lapsed_must_rejoin_before_paying() -> None:
    with pytest.raises(RuleError) as caught:
        next_payable_months(history(), date(2025, 8, 1), 1)
    assert caught.value.code == "lapsed_rejoin_needed"


def test_rejoining_starts_a_new_membership_with_the_current_month() -> None:
    day = date(2025, 9, 17)
    assert rejoin_start(day) == date(2025, 9, 1)
    # Months paid in the old membership do not count in the new one; no second promotion.
    assert promotion_cover(day, rejoin=True) is None
    h = history(months((2025, 5)), start=rejoin_start(day), promotion_end=None)
    assert both(h, day) is Status.NOT_YET_COVERED
    assert next_payable_months(h, day, 1) == [date(2025, 9, 1)]
    rejoined = history(months((2025, 5), (2025, 9)), start=rejoin_start(day), promotion_end=None)
    assert both(rejoined, day) is Status.ACTIVE
    assert summarize(rejoined).cover_until == date(2025, 9, 30)
    # Days of the old membership are outside this history.
    assert both(rejoined, date(2025, 5, 10)) is Status.NOT_YET_COVERED


# --- payable months -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 2, 4, 5, 24, -1])
def test_only_1_3_6_or_12_months_can_be_paid(count: int) -> None:
    with pytest.raises(RuleError) as caught:
        next_payable_months(history(), date(2025, 2, 1), count)
    assert caught.value.code == "bad_month_count"


def test_months_inside_the_promotion_are_never_payable() -> None:
    assert next_payable_months(history(), date(2025, 2, 20), 3) == [
        date(2025, 5, 1),
        date(2025, 6, 1),
        date(2025, 7, 1),
    ]


def test_arrears_are_paid_oldest_first_then_ahead() -> None:
    paid = next_payable_months(history(), date(2025, 7, 15), 12)
    assert paid == list(iter_months(date(2025, 5, 1), date(2026, 4, 1)))


def test_an_active_participant_pays_ahead_from_the_month_after_cover() -> None:
    h = history(span(date(2025, 5, 1), date(2025, 7, 1)))
    assert next_payable_months(h, date(2025, 6, 10), 6) == list(
        iter_months(date(2025, 8, 1), date(2026, 1, 1))
    )


def test_paying_arrears_across_the_covid_relief_start() -> None:
    # Promotion-free member covered to June 2020, paying July-September 2020 in September:
    # July at the normal rate, August and September at the PP 49/2020 relief rate.
    h = history(months((2020, 6)), start=date(2020, 6, 1), promotion_end=None)
    due = next_payable_months(h, date(2020, 9, 5), 3)
    assert due == [date(2020, 7, 1), date(2020, 8, 1), date(2020, 9, 1)]
    totals = [monthly_dues(1_000_000, ["JKK", "JKM"], month).total for month in due]
    assert totals == [16_800, 168, 168]


# --- bad histories --------------------------------------------------------------------------------


def test_incoherent_histories_are_refused() -> None:
    with pytest.raises(RuleError):
        history(promotion_end=date(2025, 1, 14))  # ends before it starts
    with pytest.raises(RuleError):
        history(promotion_end=date(2025, 4, 15))  # not a month end
    with pytest.raises(RuleError):
        history([date(2025, 5, 2)])  # paid months are named by their first day


# --- the stored summary agrees with the direct reading --------------------------------------------


def _random_history(rng: random.Random) -> CoverHistory:
    start = date(2024, 1, 1) + timedelta(days=rng.randrange(5 * 365))
    standing = rng.choices(list(Standing), weights=[88, 4, 4, 4])[0]
    if rng.random() < 0.3:
        start = start.replace(day=1)  # a rejoin starts on the first of the month
    promotion_end = month_end(add_months(start, 3)) if rng.random() < 0.6 else None
    window = list(iter_months(add_months(start, -2), add_months(start, 30)))
    density = rng.choice([0.0, 0.3, 0.7, 0.95, 1.0])
    paid = frozenset(month for month in window if rng.random() < density)
    return CoverHistory(standing, start, promotion_end, paid)


def _days_to_try(rng: random.Random, h: CoverHistory) -> list[date]:
    summary = summarize(h)
    edges = [h.membership_start, summary.cover_until, summary.arrears_until, summary.cover_from]
    edges.append(summary.promo_until)
    days = [d + timedelta(days=shift) for d in edges if d is not None for shift in (-1, 0, 1)]
    days += [h.membership_start + timedelta(days=rng.randrange(-60, 3 * 365)) for _ in range(25)]
    return days


def test_status_from_summary_equals_status_on_for_many_histories() -> None:
    rng = random.Random(20250115)
    seen: set[Status] = set()
    for _ in range(1500):
        h = _random_history(rng)
        summary = summarize(h)
        for day in _days_to_try(rng, h):
            expected = status_on(h, day)
            got = status_from_summary(h.standing, summary, h.membership_start, day)
            assert got == expected, (h, day)
            seen.add(expected)
    # The generator reached every status, so the comparison means something.
    assert seen == set(Status)


def test_summary_dates_are_month_ends_three_months_apart() -> None:
    rng = random.Random(7)
    for _ in range(500):
        summary = summarize(_random_history(rng))
        if summary.cover_until is None:
            assert summary.arrears_until is None
            continue
        assert summary.cover_until == month_end(summary.cover_until)
        assert summary.arrears_until == month_end(add_months(summary.cover_until, 3))
