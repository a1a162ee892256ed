"""Dashboards (issue 7): the free-cover promotion, its cohorts, and dues collected.

Every figure is counted by the database over the stored cover dates (``Participant.promo_until``
and friends) and the stored promotion end and conversion day (``Participant.promotion_end``,
``Participant.converted_on``), all kept in step by the services (``rumah_perisai.db.status``) —
one aggregate query per dashboard over one covering index, no loop over participants
(``recount_promotion_figures``, ``recount_cohorts``). The promotion tab reads the same counts
from a tally kept in the same transaction as every change of a participant (``db.tally``,
issue 21): a few thousand counts instead of 200,000 participants, proven equal to the recount by
``tests/services/test_dashboard_tally.py``. The same SQL condition that counts a figure lists
the participants behind it (:func:`promotion_members`), so a number and its list always agree.

Definitions (DOMAIN.md, "Rules this program follows": Promotion, Cover status, Converted, Voids,
Rejoining):

* A participant **had the promotion** when registered under a campaign (``promotion_code``). The
  promotion's end is the participant's own last free day (terms in force on the registration date,
  so a campaign whose length changed is read per participant), stored as ``promotion_end``. A
  rejoined participant's ``promo_until`` is cleared (no second promotion); ``promotion_end`` stays.
* Only registrations that stand are counted: withdrawn and rejected registrations are left out of
  every figure; so is anyone registered after the day asked about.
* **Converted** (on a day): has a non-voided dues month after the promotion's end, paid by a receipt
  issued on or before that day. A voided payment never converts (whenever it was voided). Stored:
  ``converted_on`` is the issue day of the first such receipt, so converted on ``day`` is
  ``converted_on <= day``.
* The status of a participant is ``rumah_perisai.db.status.status_on`` — the status the participant
  list and ``search --json`` show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from rumah_perisai.db import tally
from rumah_perisai.db.models import Participant, Receipt
from rumah_perisai.db.status import status_on
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.coverage import Standing, Status
from rumah_perisai.domain.months import add_months, first_of_month
from rumah_perisai.i18n import N_
from rumah_perisai.services.cash import cash_position
from rumah_perisai.services.posts import the_post

ENDING_SOON_DAYS = 14
COHORT_WINDOWS = (30, 60, 90)

# Tooltips: exactly what each promotion figure counts (translated where shown).
FIGURE_HELP: dict[str, str] = {
    "registered_with_promotion": N_(
        "Participants registered under a free-cover promotion on or before this day, "
        "not withdrawn or rejected."
    ),
    "registered_without_promotion": N_(
        "Participants registered on or before this day with no promotion in force "
        "(they are not part of the promotion figures), not withdrawn or rejected."
    ),
    "in_free_cover_now": N_(
        "Participants whose free cover includes this day (status: free cover). "
        "Withdrawn and rejected registrations are not counted."
    ),
    "ending_within_14_days": N_(
        "Participants inside their free cover whose last free day is within the next 14 days "
        "(today included)."
    ),
    "ended_total": N_(
        "Participants whose free cover ended before this day: converted plus not converted "
        "(in arrears, lapsed, or other)."
    ),
    "converted": N_(
        "Participants whose free cover has ended and who paid for at least one month after it "
        "with a receipt issued by this day that was not voided."
    ),
    "converted_active": N_("Converted participants whose paid cover includes this day."),
    "converted_in_arrears": N_(
        "Converted participants now in arrears: their last paid month has ended less than "
        "3 months ago, so they can still pay."
    ),
    "converted_lapsed": N_("Converted participants whose membership has since lapsed."),
    "converted_other": N_(
        "Converted participants with another status (for example rejoined and not yet paid)."
    ),
    "ended_in_arrears_not_converted": N_(
        "Participants whose free cover ended less than 3 months ago and who have not paid for a "
        "month after it: they can still pay."
    ),
    "ended_lapsed_not_converted": N_(
        "Participants whose free cover ended and who never paid for a month after it; "
        "more than 3 months have passed, so the membership lapsed."
    ),
    "ended_other_not_converted": N_(
        "Participants whose free cover ended, who have not paid for a month after it, and who "
        "are neither in arrears nor lapsed (for example rejoined, waiting for the first payment)."
    ),
}


@dataclass(frozen=True)
class PromotionFigures:
    """The promotion funnel on ``day``; see :data:`FIGURE_HELP` for each number.

    ``registered_with_promotion = in_free_cover_now + ended_total``;
    ``ended_total = converted + ended_in_arrears_not_converted + ended_lapsed_not_converted
    + ended_other_not_converted``; ``converted = converted_active + converted_in_arrears
    + converted_lapsed + converted_other``; ``ending_within_14_days`` is part of
    ``in_free_cover_now``.
    """

    day: date
    registered_with_promotion: int
    registered_without_promotion: int
    in_free_cover_now: int
    ending_within_14_days: int
    ended_total: int
    converted: int
    converted_active: int
    converted_in_arrears: int
    converted_lapsed: int
    converted_other: int
    ended_in_arrears_not_converted: int
    ended_lapsed_not_converted: int
    ended_other_not_converted: int


FIGURES = tuple(f.name for f in fields(PromotionFigures) if f.name != "day")


@dataclass(frozen=True)
class CohortRow:
    """Participants registered with a promotion in one month or week (``start`` .. ``end``).

    ``converted_within[i]``: converted by a receipt issued no later than ``COHORT_WINDOWS[i]``
    days after their promotion's last day (and on or before the day asked about);
    ``matured[i]``: how many of them have had those days pass entirely, so a young cohort's
    low numbers are not read as failure.
    """

    start: date
    end: date
    registered: int
    converted_within: tuple[int, int, int]
    matured: tuple[int, int, int]


@dataclass(frozen=True)
class DuesPeriod:
    """Receipts issued from ``start`` to ``end`` (by business day)."""

    start: date
    end: date
    payments_count: int
    payments_total: int
    voids_count: int  # voids of receipts in a still-open till: the cash goes back the same day
    voids_total: int
    refunds_count: int  # voids of receipts of a closed day or another day: paid out
    refunds_total: int

    @property
    def collected(self) -> int:
        return self.payments_total - self.voids_total - self.refunds_total


@dataclass(frozen=True)
class DuesFigures:
    day: date
    today: DuesPeriod
    week: DuesPeriod  # Monday to the day
    month: DuesPeriod  # the first of the month to the day
    cash_held: int  # not yet deposited: open tills plus closes not taken to the bank
    open_days: tuple[date, ...]


# --- shared SQL pieces -------------------------------------------------------------------------


def _days_after(session: Session, column: Any, days: int) -> ColumnElement[Any]:
    """``column + days`` for a date column, in the dialect's words."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(ColumnElement[Any], func.date(column, f"+{days} days"))
    return cast(ColumnElement[Any], column + literal_column(str(int(days))))


def promotion_end() -> ColumnElement[Any]:
    """Each participant's last free day (None without promotion), rejoined ones included."""
    return cast(ColumnElement[Any], Participant.promotion_end)


def _converted_by(day: date) -> ColumnElement[bool]:
    """Converted by a receipt issued on or before ``day`` (given the promotion has ended)."""
    return Participant.converted_on <= day


# Several counts per group in one SUM: count i is packed into bits 21*i .. 21*i+20. One CASE per row
# and no sort (the GROUP BY follows an index) is what keeps a refresh on 200,000 participants fast
# on SQLite. A group of 2**21 participants or more would overflow its field: the caller then runs
# the plain form (one SUM per count) instead.
_FIELD_BITS = 21
_FIELD = 1 << _FIELD_BITS


def _packed(cases: list[tuple[ColumnElement[bool], tuple[int, ...]]]) -> Any:
    """SUM of a CASE whose first true branch adds 1 to each count it lists."""
    whens = [(cond, sum(1 << (_FIELD_BITS * i) for i in counts)) for cond, counts in cases]
    return func.sum(case(*whens, else_=0))


def _unpack(total: Any, fields: int) -> list[int]:
    value = int(total or 0)
    return [(value >> (_FIELD_BITS * i)) & (_FIELD - 1) for i in range(fields)]


def _base(post_id: int, day: date, desa_code: str | None, volunteer_id: int | None) -> list[Any]:
    p = Participant
    where: list[Any] = [
        p.post_id == post_id,
        p.standing == Standing.MEMBER.value,
        p.registered_on <= day,
    ]
    if desa_code:
        where.append(p.desa_code == desa_code)
    if volunteer_id is not None:
        where.append(p.registered_by_id == volunteer_id)
    return where


def _figure_conditions(day: date) -> dict[str, ColumnElement[bool]]:
    """The SQL condition of each figure (over the base rows): what lists the members."""
    end = promotion_end()
    status = status_on(day)
    had = end.is_not(None)
    inside = and_(had, end >= day)
    ended = and_(had, end < day)
    converted = and_(ended, _converted_by(day))
    not_converted = and_(ended, or_(Participant.converted_on.is_(None), not_(_converted_by(day))))
    known = (Status.ACTIVE.value, Status.ARREARS.value, Status.LAPSED.value)
    return {
        "registered_with_promotion": had,
        "registered_without_promotion": not_(had),
        "in_free_cover_now": inside,
        "ending_within_14_days": and_(inside, end <= day + timedelta(days=ENDING_SOON_DAYS - 1)),
        "ended_total": ended,
        "converted": converted,
        "converted_active": and_(converted, status == Status.ACTIVE.value),
        "converted_in_arrears": and_(converted, status == Status.ARREARS.value),
        "converted_lapsed": and_(converted, status == Status.LAPSED.value),
        "converted_other": and_(converted, status.not_in(known)),
        "ended_in_arrears_not_converted": and_(not_converted, status == Status.ARREARS.value),
        "ended_lapsed_not_converted": and_(not_converted, status == Status.LAPSED.value),
        "ended_other_not_converted": and_(
            not_converted, status.not_in((Status.ARREARS.value, Status.LAPSED.value))
        ),
    }


# --- promotion ----------------------------------------------------------------------------------


_NONE, _ENDING, _INSIDE, _CONVERTED, _NOT_CONVERTED = range(5)


def _category(day: date, end: date | None, converted_on: date | None) -> int:
    """A group's category, from its stored promotion end and conversion day (the same partition
    as :func:`_figure_conditions`)."""
    if end is None:
        return _NONE
    if end >= day + timedelta(days=ENDING_SOON_DAYS):
        return _INSIDE
    if end >= day:
        return _ENDING
    if converted_on is not None and converted_on <= day:
        return _CONVERTED
    return _NOT_CONVERTED


_COUNTED_STATUSES = (Status.ACTIVE.value, Status.ARREARS.value, Status.LAPSED.value)


def _figures_from_groups(day: date, groups: dict[tuple[int, str], int]) -> PromotionFigures:
    def count(category: int, *statuses: str, other: bool = False) -> int:
        return sum(
            n
            for (cat, status), n in groups.items()
            if cat == category and (not statuses or (status in statuses) != other)
        )

    known = (Status.ACTIVE.value, Status.ARREARS.value, Status.LAPSED.value)
    arrears, lapsed = Status.ARREARS.value, Status.LAPSED.value
    converted = count(_CONVERTED)
    not_converted = count(_NOT_CONVERTED)
    ending = count(_ENDING)
    inside = ending + count(_INSIDE)
    return PromotionFigures(
        day=day,
        registered_with_promotion=inside + converted + not_converted,
        registered_without_promotion=count(_NONE),
        in_free_cover_now=inside,
        ending_within_14_days=ending,
        ended_total=converted + not_converted,
        converted=converted,
        converted_active=count(_CONVERTED, Status.ACTIVE.value),
        converted_in_arrears=count(_CONVERTED, arrears),
        converted_lapsed=count(_CONVERTED, lapsed),
        converted_other=count(_CONVERTED, *known, other=True),
        ended_in_arrears_not_converted=count(_NOT_CONVERTED, arrears),
        ended_lapsed_not_converted=count(_NOT_CONVERTED, lapsed),
        ended_other_not_converted=count(_NOT_CONVERTED, arrears, lapsed, other=True),
    )


def promotion_figures(
    db: Database, day: date, *, desa_code: str | None = None, volunteer_id: int | None = None
) -> PromotionFigures:
    """The promotion funnel on ``day``, optionally for one desa or volunteer.

    From the tally (``db.tally``: a few thousand counts) for the whole post or one volunteer;
    counted from the participants (:func:`recount_promotion_figures`) for one desa, or where
    the tally is not kept."""
    if desa_code is None:
        with db.reading() as session:
            the_post(session)
            rows = _tally_rows(session, day, volunteer_id)
            if rows is not None:
                return _tallied_figures(session, day, volunteer_id, rows)
    return recount_promotion_figures(db, day, desa_code=desa_code, volunteer_id=volunteer_id)


_TallyRows = list[tuple[date, date | None, int, list[int]]]


def _tally_rows(session: Session, day: date, volunteer_id: int | None) -> _TallyRows | None:
    """The tally's counts by (registration day, promotion end), None while it is not kept."""
    if not tally.is_kept(session):
        return None
    return tally.promotion_rows(session, day, volunteer_id, COHORT_WINDOWS)


def _tallied_figures(
    session: Session, day: date, volunteer_id: int | None, rows: _TallyRows
) -> PromotionFigures:
    """The figures from the tally, the same partition as the recount: no promotion, inside and
    ending by the promotion's end (``rows``); converted or not, and the status, of those whose
    promotion has ended from the ended counts."""
    groups: dict[tuple[int, str], int] = {}
    for _registered_on, end, n, _converted in rows:
        if end is None or end >= day:
            key = (_category(day, end, None), "")
            groups[key] = groups.get(key, 0) + n
    for converted, status, n in tally.ended_groups(session, day, volunteer_id):
        key = (_CONVERTED if converted else _NOT_CONVERTED, status)
        groups[key] = groups.get(key, 0) + n
    return _figures_from_groups(day, groups)


def recount_promotion_figures(
    db: Database, day: date, *, desa_code: str | None = None, volunteer_id: int | None = None
) -> PromotionFigures:
    """The promotion funnel on ``day`` counted from the participants themselves: the recount
    the tally is checked against, and the figures of one desa.

    One aggregate query that reads only the covering index ``ix_participants_post_dashboard``:
    participants grouped by (promotion end, conversion day) in index order, with how many of each
    group are active, in arrears and lapsed on ``day``. Each group falls in one category (ending,
    inside, converted, ...); the figures are sums of those groups, the same partition
    :func:`promotion_members` lists.
    """
    p = Participant
    status = status_on(day)
    with db.reading() as session:
        post_id = the_post(session).id
        where = _base(post_id, day, desa_code, volunteer_id)
        statement = (
            select(
                p.promotion_end,
                p.converted_on,
                func.count(),
                func.sum(
                    case(
                        {name: 1 << (_FIELD_BITS * i) for i, name in enumerate(_COUNTED_STATUSES)},
                        value=status,  # evaluated once per row
                        else_=0,
                    )
                ),
            )
            .where(*where)
            .group_by(p.promotion_end, p.converted_on)
        )
        rows = [
            (end, conv, int(n), _unpack(packed, 3))
            for end, conv, n, packed in session.execute(statement)
        ]
        if any(n >= _FIELD for _e, _c, n, _s in rows):  # too many in one group to pack
            plain = [func.sum(case((status == name, 1), else_=0)) for name in _COUNTED_STATUSES]
            unpacked = (
                select(p.promotion_end, p.converted_on, func.count(), *plain)
                .where(*where)
                .group_by(p.promotion_end, p.converted_on)
            )
            rows = [
                (end, conv, int(n), [int(x or 0) for x in xs])
                for end, conv, n, *xs in session.execute(unpacked)
            ]
    groups: dict[tuple[int, str], int] = {}
    for end, converted_on, n, by_status in rows:
        category = _category(day, end, converted_on)
        for name, count in (
            *zip(_COUNTED_STATUSES, by_status, strict=True),
            ("", n - sum(by_status)),
        ):
            if count:
                key = (category, name)  # "": any other status
                groups[key] = groups.get(key, 0) + count
    return _figures_from_groups(day, groups)


def promotion_members(
    db: Database,
    day: date,
    figure: str,
    *,
    desa_code: str | None = None,
    volunteer_id: int | None = None,
) -> list[int]:
    """Ids of the participants a figure counts, newest registration first."""
    if figure not in FIGURE_HELP:
        raise ValueError(f"unknown figure: {figure}")
    with db.reading() as session:
        post_id = the_post(session).id
        conditions = _figure_conditions(day)
        statement = (
            select(Participant.id)
            .where(*_base(post_id, day, desa_code, volunteer_id), conditions[figure])
            .order_by(Participant.id.desc())
        )
        return [int(i) for i in session.execute(statement).scalars()]


# --- cohorts --------------------------------------------------------------------------------------


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _period(day: date, by: str) -> tuple[date, date]:
    if by == "week":
        start = _week_start(day)
        return start, start + timedelta(days=6)
    start = first_of_month(day)
    return start, add_months(start, 1) - timedelta(days=1)


def cohorts(
    db: Database,
    day: date,
    by: str = "month",
    *,
    desa_code: str | None = None,
    volunteer_id: int | None = None,
) -> list[CohortRow]:
    """Conversion by registration month (or week, Monday to Sunday), oldest first.

    From the tally for the whole post or one volunteer, else counted from the participants
    (:func:`recount_cohorts`)."""
    if by not in ("month", "week"):
        raise ValueError(f"unknown cohort period: {by}")
    if desa_code is None:
        with db.reading() as session:
            the_post(session)
            rows = _tally_rows(session, day, volunteer_id)
        if rows is not None:
            return _tallied_cohorts(day, by, rows)
    return recount_cohorts(db, day, by, desa_code=desa_code, volunteer_id=volunteer_id)


def _tallied_cohorts(day: date, by: str, rows: _TallyRows) -> list[CohortRow]:
    return _fold_cohorts(day, by, [(r, end, n, c) for r, end, n, c in rows if end is not None])


def recount_cohorts(
    db: Database,
    day: date,
    by: str = "month",
    *,
    desa_code: str | None = None,
    volunteer_id: int | None = None,
) -> list[CohortRow]:
    """The cohorts counted from the participants themselves (the recount; one desa).

    The database counts per (registration day, promotion end) over the stored conversion day
    (converted within ``n`` days, by ``day``: ``converted_on <= min(day, end + n)``); the few
    hundred rows that gives are folded into months or weeks here.
    """
    if by not in ("month", "week"):
        raise ValueError(f"unknown cohort period: {by}")
    with db.reading() as session:
        post_id = the_post(session).id
        end = promotion_end()
        converted_on = Participant.converted_on
        # Converted within n days (windows ascending): within every window from the first one
        # whose end is on or after the conversion day.
        windows = [
            (converted_on <= _days_after(session, end, n), tuple(range(i, len(COHORT_WINDOWS))))
            for i, n in enumerate(COHORT_WINDOWS)
        ]
        counted = [(or_(converted_on.is_(None), not_(_converted_by(day))), ()), *windows]
        where = [*_base(post_id, day, desa_code, volunteer_id), end.is_not(None)]
        statement = (
            select(
                Participant.registered_on,
                end,
                func.count(),
                _packed(counted),
            )
            .where(*where)
            .group_by(Participant.registered_on, end)
        )
        rows = [
            (registered_on, promo_end, int(n), _unpack(packed, len(COHORT_WINDOWS)))
            for registered_on, promo_end, n, packed in session.execute(statement)
        ]
        if any(n >= _FIELD for _r, _e, n, _c in rows):  # too many in one group to pack
            plain = [
                func.sum(case((and_(_converted_by(day), condition), 1), else_=0))
                for condition, _counts in windows
            ]
            unpacked = (
                select(Participant.registered_on, end, func.count(), *plain)
                .where(*where)
                .group_by(Participant.registered_on, end)
            )
            rows = [
                (registered_on, promo_end, int(n), [int(x or 0) for x in xs])
                for registered_on, promo_end, n, *xs in session.execute(unpacked)
            ]
    return _fold_cohorts(day, by, rows)


def _fold_cohorts(
    day: date, by: str, rows: list[tuple[date, date, int, list[int]]]
) -> list[CohortRow]:
    """Groups by (registration day, promotion end) folded into months or weeks."""
    folded: dict[date, list[int]] = {}
    for registered_on, promo_end, count, converted in rows:
        start, _ = _period(registered_on, by)
        totals = folded.setdefault(start, [0] * 7)
        totals[0] += int(count)
        for i, n in enumerate(COHORT_WINDOWS):
            totals[1 + i] += int(converted[i])
            if promo_end is not None and promo_end + timedelta(days=n) < day:
                totals[4 + i] += int(count)
    result = []
    for start in sorted(folded):
        t = folded[start]
        result.append(
            CohortRow(
                start=start,
                end=_period(start, by)[1],
                registered=t[0],
                converted_within=(t[1], t[2], t[3]),
                matured=(t[4], t[5], t[6]),
            )
        )
    return result


# --- dues -----------------------------------------------------------------------------------------


def promotion_dashboard(
    db: Database,
    day: date,
    by: str = "month",
    *,
    desa_code: str | None = None,
    volunteer_id: int | None = None,
) -> tuple[PromotionFigures, list[CohortRow]]:
    """The promotion tab at once: the figures and the cohorts.

    From the tally, both in one snapshot (a few milliseconds: ``bench/bench_dashboard.py``).
    Counted from the participants (one desa, or no tally), the two aggregates run on two
    connections at the same time: SQLite does the counting without holding Python's lock, so on
    a two-core laptop that refresh takes about as long as the slower of the two.
    """
    from concurrent.futures import ThreadPoolExecutor

    if by not in ("month", "week"):
        raise ValueError(f"unknown cohort period: {by}")
    if desa_code is None:
        with db.reading() as session:  # one snapshot: the figures and cohorts agree
            the_post(session)
            rows = _tally_rows(session, day, volunteer_id)
            if rows is not None:
                return _tallied_figures(session, day, volunteer_id, rows), _tallied_cohorts(
                    day, by, rows
                )
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="dashboard") as pool:
        counted = pool.submit(
            recount_promotion_figures, db, day, desa_code=desa_code, volunteer_id=volunteer_id
        )
        cohort_rows = pool.submit(
            recount_cohorts, db, day, by, desa_code=desa_code, volunteer_id=volunteer_id
        )
        return counted.result(), cohort_rows.result()


def cohort_members(
    db: Database,
    day: date,
    start: date,
    by: str = "month",
    window: int | None = None,
    *,
    desa_code: str | None = None,
    volunteer_id: int | None = None,
) -> list[int]:
    """The ids behind one cohort cell: registered (with free cover) in the period starting on
    ``start``; with ``window`` (an index into ``COHORT_WINDOWS``), only those converted within
    that many days after their promotion ended, by ``day`` — the same rule as :func:`cohorts`."""
    first, last = _period(start, by)
    with db.reading() as session:
        post_id = the_post(session).id
        end = promotion_end()
        where = [
            *_base(post_id, day, desa_code, volunteer_id),
            end.is_not(None),
            Participant.registered_on >= first,
            Participant.registered_on <= last,
        ]
        if window is not None:
            days = COHORT_WINDOWS[window]
            where += [
                _converted_by(day),
                Participant.converted_on <= _days_after(session, end, days),
            ]
        return list(
            session.scalars(select(Participant.id).where(*where).order_by(Participant.id.desc()))
        )


def _dues_period(row: Mapping[str, Any], prefix: str, start: date, end: date) -> DuesPeriod:
    return DuesPeriod(
        start,
        end,
        *(int(row[f"{prefix}_{name}"] or 0) for name in _DUES_PARTS),
    )


_DUES_PARTS = (
    "payments_count",
    "payments_total",
    "voids_count",
    "voids_total",
    "refunds_count",
    "refunds_total",
)


def dues_figures(db: Database, day: date) -> DuesFigures:
    """Dues collected today, this week (from Monday) and this month, by receipt day, in one
    query; and the cash held (``services.cash.cash_position``)."""
    week_start = _week_start(day)
    month_start = first_of_month(day)
    earliest = min(week_start, month_start)
    r = Receipt
    is_payment = r.kind == "payment"
    is_void = and_(r.kind == "void", r.refund.is_(False))
    is_refund = and_(r.kind == "void", r.refund.is_(True))
    kinds: dict[str, ColumnElement[bool]] = {
        "payments": is_payment,
        "voids": is_void,
        "refunds": is_refund,
    }
    columns = []
    for prefix, start in (("today", day), ("week", week_start), ("month", month_start)):
        in_period = and_(r.issued_on >= start, r.issued_on <= day)
        for kind, condition in kinds.items():
            both = and_(in_period, condition)
            columns.append(func.sum(case((both, 1), else_=0)).label(f"{prefix}_{kind}_count"))
            columns.append(func.sum(case((both, r.total), else_=0)).label(f"{prefix}_{kind}_total"))
    with db.reading() as session:
        post_id = the_post(session).id
        statement = select(*columns).where(
            r.post_id == post_id, r.issued_on >= earliest, r.issued_on <= day
        )
        row = dict(session.execute(statement).mappings().one())
    position = cash_position(db)
    return DuesFigures(
        day=day,
        today=_dues_period(row, "today", day, day),
        week=_dues_period(row, "week", week_start, day),
        month=_dues_period(row, "month", month_start, day),
        cash_held=position.held,
        open_days=position.open_days,
    )


# Kept for callers that want the condition of a figure inside their own query (participant lists).
def figure_condition(day: date, figure: str) -> ColumnElement[bool]:
    conditions: Mapping[str, ColumnElement[bool]] = _figure_conditions(day)
    return conditions.get(figure, false())
