"""The demo's progress steps and the counts it reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from rumah_perisai.db.models_tally import EARLIEST, NEVER
from rumah_perisai.db.tally import WHOLE_POST
from rumah_perisai.domain.coverage import Standing
from rumah_perisai.i18n import N_, tr
from rumah_perisai.tasks import Progress

# Progress texts (the refusals are in rumah_perisai.messages).
DEMO_STEPS: dict[str, str] = {
    "demo_step_people": N_("Making demo participants…"),
    "demo_step_receipts": N_("Making dues receipts…"),
    "demo_step_cover": N_("Saving cover periods…"),
}


class Steps:
    """Reports three phases of equal length (people, receipts, cover periods) to a Progress."""

    PHASES = 3

    def __init__(self, progress: Progress | None, participants: int) -> None:
        self.progress = progress
        self.unit = max(participants, 1)

    def report(self, phase: int, done: int, of: int, key: str) -> None:
        if self.progress is not None:
            share = self.unit * done // max(of, 1)
            total = self.PHASES * self.unit
            self.progress.step(phase * self.unit + share, total, tr(DEMO_STEPS[key]))


@dataclass
class Counts:
    receipts: int = 0
    receipt_months: int = 0
    cover_periods: int = 0
    rejoined: int = 0
    voids: int = 0
    refunds: int = 0
    daily_closes: int = 0
    deposits: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


# --- the dashboard's tally, counted as the rows are made ------------------------------------------

# The participant columns the tally reads (``db.tally._members``), in this order.
TALLY_COLUMNS = (
    "standing", "registered_by_id", "registered_on", "promotion_end", "converted_on",
    "membership_start", "promo_until", "cover_from", "cover_until", "arrears_until",
)  # fmt: skip
PROMOTION_COUNT_COLUMNS = (
    "volunteer_id", "registered_on", "promotion_end", "converted_on", "converted_after", "n",
)  # fmt: skip
ENDED_COUNT_COLUMNS = (
    "volunteer_id", "ended_from", "converted_from", "status_from", "cover_until",
    "arrears_until", "n",
)  # fmt: skip
_Day = date | None


def count_members(
    members: Iterable[tuple[Any, ...]],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows of ``promotion_counts`` and ``promotion_ended_counts`` for ``members`` (the
    local post's participants, each its ``TALLY_COLUMNS``; only members count), as
    ``db.tally.rebuild`` would count them from the stored rows — the same folding, written out
    in Python so that the demo's main thread, which waits for the writing thread anyway, counts
    them instead of the writing thread's one connection (1.2–1.4 s of SQLite for 200,000
    participants).

    A second reading of ``db.tally``'s SQL: ``tests/services/test_demo_bulk.py`` proves the
    rows equal to what ``rebuild`` counts from the stored participants, row for row."""
    promotion: Counter[tuple[Any, ...]] = Counter()
    ended: Counter[tuple[Any, ...]] = Counter()
    for standing, volunteer, registered_on, end, converted_on, start, promo_until, cover_from, \
            cover_until, arrears_until in members:  # fmt: skip
        if standing != MEMBER:
            continue
        after = None if end is None or converted_on is None else (converted_on - end).days
        key = (registered_on, end or EARLIEST, converted_on or NEVER, after)
        promotion[(WHOLE_POST, *key)] += 1
        if volunteer is not None:
            promotion[(volunteer, *key)] += 1
        if end is None:
            continue
        ended_from = max(registered_on, end + _ONE_DAY)
        if cover_until is None or arrears_until is None:
            status_from = NEVER
        else:
            status_from = max(
                start,
                start if promo_until is None else promo_until + _ONE_DAY,
                cover_from or start,
            )
        folded = (
            ended_from,
            NEVER if converted_on is None else _after(converted_on, ended_from, strictly=True),
            _after(status_from, ended_from, strictly=True),
            _after(cover_until, ended_from),
            _after(arrears_until, ended_from),
        )
        ended[(WHOLE_POST, *folded)] += 1
        if volunteer is not None:
            ended[(volunteer, *folded)] += 1
    return (
        [(*key, n) for key, n in promotion.items()],
        [(*key, n) for key, n in ended.items()],
    )


_ONE_DAY = timedelta(days=1)
MEMBER = Standing.MEMBER.value


def _after(day: _Day, ended_from: date, *, strictly: bool = False) -> date:
    """``day`` if it still matters from ``ended_from`` on, else EARLIEST (``db.tally``'s CASE)."""
    if day is None or day < ended_from or (strictly and day == ended_from):
        return EARLIEST
    return day
