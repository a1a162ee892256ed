"""Dashboards (issue 7): promotion funnel, cohorts and dues figures on a fixed fixture whose every
number is worked out by hand below, on SQLite and PostgreSQL.

The clock starts on Tue 20 Oct 2026 09:30 WIB and is moved forward to Fri 27 Nov 2026 (the day the
dashboards are read). Every participant is 1,000,000 income, JKK + JKM = Rp 16,800 a month (JHT
Rp 36,800). Default promotion: free to the end of the month in which 3 months have passed.

    who  registered   promotion to   what happens                               status 27 Nov
    A    01 Oct 2026  31 Jan 2027    -                                          promotion
    B    03 Aug 2026  30 Nov 2026    pays Dec 2026 on 27 Nov (JHT, 36,800)      promotion, ends <14d
    C    10 Jun 2026  30 Sep 2026    never pays                                 arrears, not conv.
    D    15 Jan 2026  30 Apr 2026    never pays (desa 2002)                     lapsed, not conv.
    E    10 Jun 2026  30 Sep 2026    pays Oct-Dec on 20 Oct (50,400)            active, converted
    F    10 Jun 2026  30 Sep 2026    pays Oct on 24 Nov (16,800)                arrears, converted
    G    10 Jun 2026  30 Sep 2026    pays Oct-Dec on 27 Nov, voided same day    arrears, not conv.
    L    10 Jun 2026  30 Sep 2026    pays Oct on 2 Nov, refunded on 27 Nov      arrears, not conv.
    K    20 Sep 2026  31 Oct 2026    a 1-month campaign (length changed)        arrears, not conv.
    J    15 Jan 2025  30 Apr 2025    lapsed, rejoined 27 Nov (no 2nd promotion) not yet covered
    H    01 Mar 2026  none           registered with no promotion in force      not yet covered
    W    10 Jun 2026  30 Sep 2026    withdrawn                                  (left out)

E, F, G and L are registered by the volunteer; the rest by nobody (command line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import Participant, Receipt
from rumah_perisai.db.status import status_on
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.services.cash import cash_position
from rumah_perisai.services.dashboard import (
    FIGURE_HELP,
    FIGURES,
    CohortRow,
    cohort_members,
    cohorts,
    dues_figures,
    promotion_figures,
    promotion_members,
)
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.participant_search import ParticipantSearch, found_participants
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.registration import rejoin
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock
from tests.services.dashboard_check import expected_columns, stored_columns

# Their SQL differs by dialect: also on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.postgresql

DAY = date(2026, 11, 27)
OTHER_DESA = "32.09.14.2002"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 10, 20, 2, 30, tzinfo=UTC))  # Tue 20 Oct 2026, 09:30 WIB


def _at(clock: FakeClock, day: date) -> None:
    clock.now = datetime(day.year, day.month, day.day, 2, 30, tzinfo=UTC)


def _pay(app: App, who: int, months: int, actor: Actor) -> int:
    plan = payment_options(app.db, who).plan(months)
    paid = take_payment(
        app.db, who, months, plan.total, actor, expect_months=[m.month for m in plan.months]
    )
    return paid.receipt_id


def _promo(start: date, end: date) -> CoverHistory:
    return CoverHistory(Standing.MEMBER, start, end, frozenset())


@pytest.fixture
def people(
    app: App,
    clock: FakeClock,
    add_participant: Callable[..., int],
    volunteer: Actor,
    coordinator: Actor,
) -> dict[str, int]:
    june, end_sep = date(2026, 6, 10), date(2026, 9, 30)
    v = volunteer.volunteer_id
    ids = {
        "A": add_participant(
            registered_on=date(2026, 10, 1), history=_promo(date(2026, 10, 1), date(2027, 1, 31))
        ),
        "B": add_participant(
            registered_on=date(2026, 8, 3),
            history=_promo(date(2026, 8, 3), date(2026, 11, 30)),
            with_jht=True,
        ),
        "C": add_participant(registered_on=june, history=_promo(june, end_sep)),
        "D": add_participant(registered_on=date(2026, 1, 15), desa_code=OTHER_DESA),
        "E": add_participant(registered_on=june, history=_promo(june, end_sep), registered_by_id=v),
        "F": add_participant(registered_on=june, history=_promo(june, end_sep), registered_by_id=v),
        "G": add_participant(registered_on=june, history=_promo(june, end_sep), registered_by_id=v),
        "L": add_participant(registered_on=june, history=_promo(june, end_sep), registered_by_id=v),
        "K": add_participant(
            registered_on=date(2026, 9, 20), history=_promo(date(2026, 9, 20), date(2026, 10, 31))
        ),
        "J": add_participant(registered_on=date(2025, 1, 15)),
        "H": add_participant(
            registered_on=date(2026, 3, 1),
            history=CoverHistory(Standing.MEMBER, date(2026, 3, 1), None, frozenset()),
        ),
        "W": add_participant(
            registered_on=june,
            history=CoverHistory(Standing.WITHDRAWN, june, end_sep, frozenset()),
        ),
    }
    _pay(app, ids["E"], 3, volunteer)  # 20 Oct: Oct-Dec, 50,400
    _at(clock, date(2026, 11, 2))
    refunded = _pay(app, ids["L"], 1, volunteer)  # Mon 2 Nov: Oct, 16,800
    _at(clock, date(2026, 11, 24))
    _pay(app, ids["F"], 1, volunteer)  # Tue 24 Nov: Oct, 16,800
    _at(clock, DAY)
    voided = _pay(app, ids["G"], 3, volunteer)  # 27 Nov: Oct-Dec, 50,400
    void_receipt(app.db, voided, "salah peserta", coordinator)  # same day: a void
    void_receipt(app.db, refunded, "salah bulan", coordinator)  # another day: a refund
    _pay(app, ids["B"], 1, volunteer)  # 27 Nov, in promotion: Dec, 36,800 (JHT)
    rejoin(app.db, ids["J"], coordinator)  # membership from 1 Nov 2026, no promotion
    return ids


EXPECTED = {
    "registered_with_promotion": 10,  # A B C D E F G L K J (W withdrawn, H without)
    "registered_without_promotion": 1,  # H
    "in_free_cover_now": 2,  # A B
    "ending_within_14_days": 1,  # B: last free day 30 Nov, within 27 Nov .. 10 Dec
    "ended_total": 8,  # C D E F G L K J
    "converted": 2,  # E F (B paid ahead but is still inside; G and L voided)
    "converted_active": 1,  # E: Oct-Dec paid
    "converted_in_arrears": 1,  # F: Oct paid, Nov unpaid
    "converted_lapsed": 0,
    "converted_other": 0,
    "ended_in_arrears_not_converted": 4,  # C G L (ended 30 Sep) K (ended 31 Oct)
    "ended_lapsed_not_converted": 1,  # D (ended 30 Apr, lapsed from 1 Aug)
    "ended_other_not_converted": 1,  # J: rejoined, not yet covered
}
MEMBERS = {
    "in_free_cover_now": "AB",
    "ending_within_14_days": "B",
    "converted": "EF",
    "ended_in_arrears_not_converted": "CGLK",
    "ended_lapsed_not_converted": "D",
    "ended_other_not_converted": "J",
    "registered_without_promotion": "H",
}


def test_promotion_figures_by_hand(app: App, people: dict[str, int]) -> None:
    figures = promotion_figures(app.db, DAY)
    got = {name: value for name, value in asdict(figures).items() if name != "day"}
    assert got == EXPECTED
    # the partition adds up
    assert figures.ended_total == (
        figures.converted
        + figures.ended_in_arrears_not_converted
        + figures.ended_lapsed_not_converted
        + figures.ended_other_not_converted
    )
    assert figures.registered_with_promotion == figures.in_free_cover_now + figures.ended_total


def test_every_figure_lists_its_participants(app: App, people: dict[str, int]) -> None:
    assert set(FIGURES) == set(FIGURE_HELP)
    figures = asdict(promotion_figures(app.db, DAY))
    for figure in FIGURES:
        members = promotion_members(app.db, DAY, figure)
        assert len(members) == figures[figure], figure
    for figure, letters in MEMBERS.items():
        assert set(promotion_members(app.db, DAY, figure)) == {people[x] for x in letters}


def test_filters_by_desa_and_volunteer(app: App, people: dict[str, int], volunteer: Actor) -> None:
    by_volunteer = promotion_figures(app.db, DAY, volunteer_id=volunteer.volunteer_id)
    # E F G L: all ended 30 Sep; E F converted; G L in arrears
    assert (by_volunteer.registered_with_promotion, by_volunteer.converted) == (4, 2)
    assert by_volunteer.ended_in_arrears_not_converted == 2
    other_desa = promotion_figures(app.db, DAY, desa_code=OTHER_DESA)
    assert (other_desa.registered_with_promotion, other_desa.ended_lapsed_not_converted) == (1, 1)
    assert promotion_members(app.db, DAY, "converted", desa_code=OTHER_DESA) == []


def test_figures_agree_with_the_statuses_search_reports(app: App, people: dict[str, int]) -> None:
    """The statuses `rumah-perisai search --json` prints for the same participants."""
    with app.db.reading() as session:
        search = ParticipantSearch(1)
        found = found_participants(session, search.ids(session, ""), DAY)
        statuses = {f.registration_number: f.status for f in found}
        by_id = {i: s for i, s in session.execute(select(Participant.id, status_on(DAY)))}
    assert len(statuses) == 12
    figures = promotion_figures(app.db, DAY)
    assert figures.in_free_cover_now == sum(1 for s in statuses.values() if s == "promotion")
    for figure, status in (
        ("in_free_cover_now", "promotion"),
        ("converted_active", "active"),
        ("converted_in_arrears", "arrears"),
        ("ended_in_arrears_not_converted", "arrears"),
        ("ended_lapsed_not_converted", "lapsed"),
    ):
        assert all(by_id[i] == status for i in promotion_members(app.db, DAY, figure)), figure
    arrears = sum(1 for s in statuses.values() if s == "arrears")
    assert arrears == figures.converted_in_arrears + figures.ended_in_arrears_not_converted


def test_cohorts_by_month(app: App, people: dict[str, int]) -> None:
    rows = cohorts(app.db, DAY, "month")
    assert rows == [
        # J: ended 30 Apr 2025, never paid; all windows long passed
        CohortRow(date(2025, 1, 1), date(2025, 1, 31), 1, (0, 0, 0), (1, 1, 1)),
        # D: ended 30 Apr 2026
        CohortRow(date(2026, 1, 1), date(2026, 1, 31), 1, (0, 0, 0), (1, 1, 1)),
        # C E F G L ended 30 Sep: E paid 20 Oct (day 20), F 24 Nov (day 55), G L voided.
        # 30 days passed (30 Oct < 27 Nov); 60 days end 29 Nov, 90 days 29 Dec: not yet
        CohortRow(date(2026, 6, 1), date(2026, 6, 30), 5, (1, 2, 2), (5, 0, 0)),
        # B ends 30 Nov; paid Dec ahead on 27 Nov: within every window, none matured
        CohortRow(date(2026, 8, 1), date(2026, 8, 31), 1, (1, 1, 1), (0, 0, 0)),
        # K ended 31 Oct: 30 days end 30 Nov, not yet
        CohortRow(date(2026, 9, 1), date(2026, 9, 30), 1, (0, 0, 0), (0, 0, 0)),
        # A
        CohortRow(date(2026, 10, 1), date(2026, 10, 31), 1, (0, 0, 0), (0, 0, 0)),
    ]


def test_every_cohort_cell_lists_its_participants(app: App, people: dict[str, int]) -> None:
    for by in ("month", "week"):
        for row in cohorts(app.db, DAY, by):
            assert len(cohort_members(app.db, DAY, row.start, by)) == row.registered
            for window, converted in enumerate(row.converted_within):
                ids = cohort_members(app.db, DAY, row.start, by, window)
                assert len(ids) == converted, (by, row.start, window)
    june = cohort_members(app.db, DAY, date(2026, 6, 1), "month", 0)  # converted in 30 days
    assert june == [people["E"]]


def test_cohorts_by_week(app: App, people: dict[str, int]) -> None:
    rows = cohorts(app.db, DAY, "week")
    assert all(row.start.weekday() == 0 and (row.end - row.start).days == 6 for row in rows)
    june = next(row for row in rows if row.start == date(2026, 6, 8))  # Wed 10 Jun
    assert (june.registered, june.converted_within, june.matured) == (5, (1, 2, 2), (5, 0, 0))
    assert sum(row.registered for row in rows) == 10


def test_dues_figures_by_hand(app: App, people: dict[str, int]) -> None:
    dues = dues_figures(app.db, DAY)
    # today, Fri 27 Nov: G 50,400 + B 36,800 paid; G's void 50,400; L's refund 16,800
    today = dues.today
    assert (today.payments_count, today.payments_total) == (2, 87_200)
    assert (today.voids_count, today.voids_total) == (1, 50_400)
    assert (today.refunds_count, today.refunds_total) == (1, 16_800)
    assert today.collected == 20_000
    # this week, Mon 23 - Fri 27 Nov: + F 16,800 on Tue 24 Nov
    assert (dues.week.start, dues.week.payments_count, dues.week.payments_total) == (
        date(2026, 11, 23),
        3,
        104_000,
    )
    assert dues.week.collected == 36_800
    # this month: + L 16,800 on 2 Nov (E's 20 Oct payment is last month)
    assert (dues.month.payments_count, dues.month.payments_total) == (4, 120_800)
    assert dues.month.collected == 53_600
    # nothing closed or deposited: every till is held. 20 Oct 50,400 + 2 Nov 16,800
    # + 24 Nov 16,800 + 27 Nov (87,200 - 50,400 - 16,800 = 20,000) = 104,000
    assert dues.cash_held == cash_position(app.db).held == 104_000


def test_an_empty_post_shows_zeros(app: App, post: PostSummary) -> None:
    figures = promotion_figures(app.db, DAY)
    assert all(value == 0 for name, value in asdict(figures).items() if name != "day")
    assert cohorts(app.db, DAY) == []
    dues = dues_figures(app.db, DAY)
    assert (dues.today.collected, dues.week.collected, dues.month.collected) == (0, 0, 0)
    assert dues.cash_held == 0
    assert promotion_members(app.db, DAY, "converted") == []


# --- stored columns (participants.promotion_end, converted_on) ---------------------------------


def test_stored_columns_equal_a_reading_from_scratch(
    app: App, clock: FakeClock, people: dict[str, int], volunteer: Actor, coordinator: Actor
) -> None:
    """After payments, a same-day void, a refund and a rejoin (the fixture), and more below."""
    with app.db.reading() as session:
        assert stored_columns(session) == expected_columns(session)
        stored = stored_columns(session)
    assert stored[people["E"]] == (date(2026, 9, 30), date(2026, 10, 20))
    assert stored[people["F"]] == (date(2026, 9, 30), date(2026, 11, 24))
    assert stored[people["G"]] == (date(2026, 9, 30), None)  # voided
    assert stored[people["L"]] == (date(2026, 9, 30), None)  # refunded
    assert stored[people["B"]] == (date(2026, 11, 30), DAY)  # paid ahead, still inside
    assert stored[people["J"]] == (date(2025, 4, 30), None)  # rejoined: the end stays
    assert stored[people["H"]] == (None, None)
    # F pays again and the first of F's receipts is voided: converted from the second one on
    _at(clock, date(2026, 11, 30))
    with app.db.reading() as session:
        f_receipt = session.scalars(
            select(Receipt.id).where(Receipt.participant_id == people["F"])
        ).one()
    _pay(app, people["F"], 1, volunteer)  # Nov, on 30 Nov
    void_receipt(app.db, f_receipt, "salah catat", coordinator)  # Oct unpaid again
    with app.db.reading() as session:
        assert stored_columns(session) == expected_columns(session)
        assert stored_columns(session)[people["F"]] == (date(2026, 9, 30), date(2026, 11, 30))


def test_a_rejoined_participant_who_pays_is_converted(
    app: App, people: dict[str, int], volunteer: Actor, coordinator: Actor
) -> None:
    """J's promotion ended 30 Apr 2025; after rejoining J pays Nov 2026: a month after the
    promotion's end, so J is converted (A's later promotion end does not count for J)."""
    receipt = _pay(app, people["J"], 1, volunteer)
    figures = promotion_figures(app.db, DAY)
    assert (figures.converted, figures.converted_active, figures.ended_other_not_converted) == (
        3,
        2,
        0,
    )
    assert people["J"] in promotion_members(app.db, DAY, "converted_active")
    january_2025 = next(row for row in cohorts(app.db, DAY) if row.start == date(2025, 1, 1))
    assert january_2025.converted_within == (0, 0, 0)  # long after the 90 days
    void_receipt(app.db, receipt, "salah peserta", coordinator)
    assert promotion_figures(app.db, DAY).ended_other_not_converted == 1
    with app.db.reading() as session:
        assert stored_columns(session) == expected_columns(session)


def test_a_past_day_counts_only_receipts_issued_by_then(app: App, people: dict[str, int]) -> None:
    """On 23 Nov only E (paid 20 Oct) had converted; F paid on 24 Nov."""
    day = date(2026, 11, 23)
    figures = promotion_figures(app.db, day)
    assert figures.converted == 1
    assert promotion_members(app.db, day, "converted") == [people["E"]]
    assert len(promotion_members(app.db, day, "ended_total")) == figures.ended_total
    assert (
        sum(asdict(figures)[f] for f in FIGURES if f.startswith("ended_") and f != "ended_total")
        + (figures.converted)
        == figures.ended_total
    )
