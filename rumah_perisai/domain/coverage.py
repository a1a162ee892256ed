"""A participant's cover status on a given day, and which months a payment pays for.

The rules are DOMAIN.md's "Rules this program follows" (Promotion, Cover status, Rejoining,
Voids) and "Paying dues" (1, 3, 6 or 12 months; arrears at most 3 months; lapse after that).

How cover is counted (decided here, where DOMAIN.md is silent):

* Cover is one contiguous run of months. With a promotion it starts with the promotion and the
  paid run continues from the first month after the promotion's last month. Without one, it
  starts with the earliest paid month on or after the membership's month ("cover starts with the
  first paid month"); days of the membership before that are "not yet covered".
* Payments never skip an unpaid month, so a month that is no longer paid (its receipt was voided)
  ends the run: paid months after such a gap do not count as cover until the gap is paid. The
  next payment pays the gap first and then skips months that are already paid.
* ``CoverHistory`` describes the current membership only: days before ``membership_start`` are
  "not yet covered" (a rejoined participant's old membership is not part of it).

:func:`summarize` reduces a history to a few dates so that SQL can compute the status of many
participants on any day with plain comparisons; :func:`status_from_summary` is that comparison
and :func:`status_on` the direct month-by-month reading. Tests prove they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from rumah_perisai.domain.errors import RuleError
from rumah_perisai.domain.months import add_months, first_of_month, month_end, months_between
from rumah_perisai.i18n import N_, tr

ARREARS_MONTHS = 3
PAYABLE_MONTH_COUNTS = (1, 3, 6, 12)


class Status(StrEnum):
    PROMOTION = "promotion"
    ACTIVE = "active"
    ARREARS = "arrears"
    LAPSED = "lapsed"
    NOT_YET_COVERED = "not_yet_covered"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    ENDED = "ended"


_STATUS_LABELS: dict[Status, str] = {
    Status.PROMOTION: N_("Free cover (promotion)"),
    Status.ACTIVE: N_("Active"),
    Status.ARREARS: N_("In arrears"),
    Status.LAPSED: N_("Lapsed"),
    Status.NOT_YET_COVERED: N_("Not yet covered"),
    Status.WITHDRAWN: N_("Withdrawn"),
    Status.REJECTED: N_("Rejected by branch"),
    Status.ENDED: N_("Ended at the person's request"),
}


def status_label(status: Status) -> str:
    """The status in words, in the user's language ("Menunggak")."""
    return tr(_STATUS_LABELS[status])


class Standing(StrEnum):
    """Whether the registration stands: withdrawn (registered by mistake), rejected (by the
    branch) and ended (the person withdrew consent, UU PDP Art. 8-9) override."""

    MEMBER = "member"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    ENDED = "ended"


_STANDING_STATUS = {
    Standing.WITHDRAWN: Status.WITHDRAWN,
    Standing.REJECTED: Status.REJECTED,
    Standing.ENDED: Status.ENDED,
}


@dataclass(frozen=True)
class CoverHistory:
    """What decides a membership's cover.

    ``membership_start`` is the registration date, or the first day of the rejoin month;
    ``promotion_end`` the last free day, a month end (None without promotion); ``paid_months`` the
    first days of months paid by receipts that are not voided (months before the membership or
    inside the promotion are ignored).
    """

    standing: Standing
    membership_start: date
    promotion_end: date | None
    paid_months: frozenset[date]

    def __post_init__(self) -> None:
        end = self.promotion_end
        if end is not None and end < self.membership_start:
            raise RuleError(
                "bad_cover_history", tr("The promotion ends before the membership starts.")
            )
        # Paid cover resumes with the next whole month; a promotion ending mid-month would leave
        # days that are neither free nor payable. The only campaign end rule is "month_end".
        if end is not None and end != month_end(end):
            raise RuleError(
                "bad_cover_history", tr("A promotion must end on the last day of a month.")
            )
        if any(month.day != 1 for month in self.paid_months):
            raise RuleError("bad_cover_history", tr("A dues month is written as its first day."))


@dataclass(frozen=True)
class CoverSummary:
    """Stored dates from which the status on any day follows (see :func:`status_from_summary`).

    ``cover_until``: last covered day (end of the last month of the contiguous run, or the
    promotion's end); ``arrears_until``: last day of M+3 where M is ``cover_until``'s month;
    ``promo_until``: last promotion day. ``cover_from``: first covered day; it differs from the
    membership start only without a promotion, when the first paid month came later.
    """

    cover_until: date | None
    arrears_until: date | None
    promo_until: date | None
    cover_from: date | None = None


def _first_payable_month(history: CoverHistory) -> date:
    """The first month dues can be paid for: never a month inside the promotion."""
    if history.promotion_end is not None:
        return add_months(history.promotion_end, 1)
    return first_of_month(history.membership_start)


def _paid_run(history: CoverHistory) -> list[date]:
    """The contiguous paid months that count as cover, oldest first."""
    first = _first_payable_month(history)
    if history.promotion_end is None:
        # Without a promotion, cover starts with the first paid month, whenever that is.
        later = [month for month in history.paid_months if month >= first]
        if not later:
            return []
        first = min(later)
    run: list[date] = []
    month = first
    while month in history.paid_months:
        run.append(month)
        month = add_months(month, 1)
    return run


def summarize(history: CoverHistory) -> CoverSummary:
    """Reduce a history to the dates :func:`status_from_summary` needs."""
    run = _paid_run(history)
    promo_until = history.promotion_end
    if run:
        cover_until: date | None = month_end(run[-1])
    else:
        cover_until = promo_until
    if cover_until is None:
        return CoverSummary(None, None, None, None)
    if promo_until is not None:
        cover_from = history.membership_start
    else:
        cover_from = max(history.membership_start, run[0])
    arrears_until = month_end(add_months(cover_until, ARREARS_MONTHS))
    return CoverSummary(cover_until, arrears_until, promo_until, cover_from)


def status_from_summary(
    standing: Standing, summary: CoverSummary, membership_start: date, day: date
) -> Status:
    """The status on ``day`` from stored dates only: each test is one SQL comparison."""
    if standing in _STANDING_STATUS:
        return _STANDING_STATUS[standing]
    if day < membership_start:
        return Status.NOT_YET_COVERED
    if summary.promo_until is not None and day <= summary.promo_until:
        return Status.PROMOTION
    if summary.cover_until is None or summary.arrears_until is None:
        return Status.NOT_YET_COVERED
    if summary.cover_from is not None and day < summary.cover_from:
        return Status.NOT_YET_COVERED
    if day <= summary.cover_until:
        return Status.ACTIVE
    if day <= summary.arrears_until:
        return Status.ARREARS
    return Status.LAPSED


def status_on(history: CoverHistory, day: date) -> Status:
    """The status on ``day``, read month by month (DOMAIN.md, "Cover status").

    promotion: inside the free cover; active: a paid month of the run covers the day; arrears:
    the last covered month M has ended and the day is in M+1 .. M+3; lapsed: from the first day
    of M+4; not yet covered: nothing covered yet.
    """
    if history.standing in _STANDING_STATUS:
        return _STANDING_STATUS[history.standing]
    if day < history.membership_start:
        return Status.NOT_YET_COVERED
    promotion_end = history.promotion_end
    if promotion_end is not None and day <= promotion_end:
        return Status.PROMOTION
    run = _paid_run(history)
    month = first_of_month(day)
    if month in run:
        return Status.ACTIVE
    if run:
        last_covered = run[-1]
    elif promotion_end is not None:
        last_covered = first_of_month(promotion_end)
    else:
        return Status.NOT_YET_COVERED
    if month < last_covered:
        # Before the first paid month of a membership without promotion.
        return Status.NOT_YET_COVERED
    months_after = months_between(last_covered, month)
    return Status.ARREARS if months_after <= ARREARS_MONTHS else Status.LAPSED


def rejoin_start(day: date) -> date:
    """A rejoined membership starts with the current month (DOMAIN.md, "Rejoining")."""
    return first_of_month(day)


def next_payable_months(history: CoverHistory, day: date, count: int) -> list[date]:
    """The months a payment of ``count`` months made on ``day`` pays for, oldest first.

    Arrears first (oldest month first), then the months after; already-paid months are skipped,
    unpaid ones never. Months inside the promotion are never payable. Not yet covered without a
    promotion: the current month first. Lapsed: the participant must rejoin first.
    """
    if count not in PAYABLE_MONTH_COUNTS:
        raise RuleError("bad_month_count", tr("Dues are paid for 1, 3, 6 or 12 months."))
    status = status_on(history, day)
    if status is Status.ENDED:
        raise RuleError("membership_closed", tr("This membership ended at the person's request."))
    if status in (Status.WITHDRAWN, Status.REJECTED):
        raise RuleError(
            "membership_closed", tr("This registration was withdrawn or rejected by the branch.")
        )
    if status is Status.LAPSED:
        raise RuleError(
            "lapsed_rejoin_needed",
            tr("The membership has lapsed; rejoin (from this month) before paying."),
        )
    cover_until = summarize(history).cover_until
    if cover_until is not None:
        month = add_months(cover_until, 1)
    else:
        month = max(first_of_month(day), first_of_month(history.membership_start))
    months: list[date] = []
    while len(months) < count:
        if month not in history.paid_months:
            months.append(month)
        month = add_months(month, 1)
    return months
