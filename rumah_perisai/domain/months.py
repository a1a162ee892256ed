"""Calendar-month arithmetic on plain ``date`` values.

Dues, promotion cover and arrears are all counted in calendar months (DOMAIN.md, "Rules this
program follows": a dues month is a calendar month), so every module works with the first day of a
month as the month's name. Results are always plain ``date`` objects, even when a ``datetime`` is
passed in, so that they compare safely with stored dates.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date
from functools import cache


def month_index(d: date) -> int:
    """A running month number (``year * 12 + month - 1``): consecutive months differ by one."""
    return d.year * 12 + d.month - 1


@cache
def _from_index(index: int) -> date:
    """Cached: a demo or an import asks for the same few hundred months millions of times
    (a ``date`` cannot change, so handing out the same one is safe)."""
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, 1)


def first_of_month(d: date) -> date:
    """The first day of ``d``'s month."""
    return date(d.year, d.month, 1)


def month_end(d: date) -> date:
    """The last day of ``d``'s month (29 February in leap years)."""
    return _month_end(d.year, d.month)


@cache
def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, n: int) -> date:
    """The FIRST day of the month ``n`` months after ``d``'s month (``n`` may be negative).

    Returning the first day avoids the "31 January + 1 month" problem: callers that need a month's
    last day take :func:`month_end` of the result.
    """
    return _from_index(month_index(d) + n)


def months_between(a: date, b: date) -> int:
    """How many months ``b``'s month lies after ``a``'s month (negative if before)."""
    return month_index(b) - month_index(a)


def iter_months(first: date, last: date) -> Iterator[date]:
    """First-of-month dates from ``first``'s month to ``last``'s month, both included."""
    for index in range(month_index(first), month_index(last) + 1):
        yield _from_index(index)
