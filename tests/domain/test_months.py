"""Month arithmetic: the calendar edges every dues and cover date depends on."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from rumah_perisai.domain.months import (
    add_months,
    first_of_month,
    iter_months,
    month_end,
    month_index,
    months_between,
)


def test_first_of_month_is_a_plain_date_even_from_a_datetime() -> None:
    result = first_of_month(datetime(2025, 3, 17, 14, 30))
    assert result == date(2025, 3, 1)
    assert type(result) is date


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (date(2025, 1, 31), date(2025, 1, 31)),
        (date(2025, 4, 1), date(2025, 4, 30)),
        (date(2025, 2, 10), date(2025, 2, 28)),
        (date(2028, 2, 1), date(2028, 2, 29)),  # leap year
        (date(2100, 2, 1), date(2100, 2, 28)),  # divisible by 100, not by 400: not leap
        (date(2000, 2, 1), date(2000, 2, 29)),  # divisible by 400: leap
        (date(2025, 12, 5), date(2025, 12, 31)),
    ],
)
def test_month_end(day: date, end: date) -> None:
    assert month_end(day) == end


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 1)),  # no "31 February" problem
        (date(2025, 1, 15), 3, date(2025, 4, 1)),
        (date(2025, 11, 30), 3, date(2026, 2, 1)),  # across the year end
        (date(2025, 3, 31), -1, date(2025, 2, 1)),
        (date(2025, 1, 1), -1, date(2024, 12, 1)),
        (date(2025, 6, 9), 0, date(2025, 6, 1)),
        (date(2025, 6, 9), 24, date(2027, 6, 1)),
    ],
)
def test_add_months_returns_the_first_day(day: date, n: int, expected: date) -> None:
    assert add_months(day, n) == expected


def test_month_index_orders_months_across_years() -> None:
    assert month_index(date(2025, 1, 31)) + 1 == month_index(date(2025, 2, 1))
    assert month_index(date(2024, 12, 31)) + 1 == month_index(date(2025, 1, 1))


def test_months_between_counts_calendar_months_not_days() -> None:
    assert months_between(date(2025, 1, 31), date(2025, 2, 1)) == 1
    assert months_between(date(2025, 2, 1), date(2025, 2, 28)) == 0
    assert months_between(date(2025, 5, 1), date(2025, 1, 1)) == -4


def test_iter_months_is_inclusive_and_crosses_years() -> None:
    months = list(iter_months(date(2025, 11, 20), date(2026, 2, 3)))
    assert months == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert list(iter_months(date(2025, 3, 9), date(2025, 3, 31))) == [date(2025, 3, 1)]
    assert list(iter_months(date(2025, 4, 1), date(2025, 3, 1))) == []
