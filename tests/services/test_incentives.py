"""Monthly incentive statements per volunteer (issue 7), on SQLite and PostgreSQL.

Income 1,000,000: JKK + JKM = Rp 16,800 a month. The clock starts on 10 Apr 2025 and moves forward.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.incentives import post_month, volunteer_month
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.registration import rejoin
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock

# Their SQL differs by dialect: also on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.postgresql


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 4, 10, 2, 30, tzinfo=UTC))


def _at(clock: FakeClock, day: date) -> None:
    clock.now = datetime(day.year, day.month, day.day, 2, 30, tzinfo=UTC)


def _pay(app: App, who: int, months: int, actor: Actor) -> int:
    plan = payment_options(app.db, who).plan(months)
    paid = take_payment(
        app.db, who, months, plan.total, actor, expect_months=[m.month for m in plan.months]
    )
    return paid.receipt_id


def _plain(day: date, standing: Standing = Standing.MEMBER) -> CoverHistory:
    return CoverHistory(standing, day, None, frozenset())


def test_dues_incentive_across_the_month_24_25_boundary_and_voids(
    app: App,
    clock: FakeClock,
    add_participant: Callable[..., int],
    volunteer: Actor,
    coordinator: Actor,
) -> None:
    v = volunteer.volunteer_id
    assert v is not None
    # P: registered 2 Dec 2024 (membership month 1 = Dec 2024), free to 31 Mar 2025
    p = add_participant(registered_on=date(2024, 12, 2), registered_by_id=v)
    # Q: registered 6 Apr 2026 (month 1 = Apr 2026), free to 31 Jul 2026
    q = add_participant(registered_on=date(2026, 4, 6), registered_by_id=v)
    _pay(app, p, 12, coordinator)  # 10 Apr 2025: Apr 2025 - Mar 2026 = months 5..16
    _at(clock, date(2026, 3, 10))
    _pay(app, p, 3, coordinator)  # Apr - Jun 2026 = months 17..19
    _at(clock, date(2026, 8, 10))
    _pay(app, p, 12, coordinator)  # Jul 2026 - Jun 2027 = months 20..31
    q_receipt = _pay(app, q, 1, coordinator)  # Aug 2026 = Q's month 5
    _at(clock, date(2026, 9, 2))
    void_receipt(app.db, q_receipt, "salah", coordinator)  # a refund in September

    april = volunteer_month(app.db, v, date(2025, 4, 1))
    # 12 × 16,800 = 201,600 in months 5..16: 15% = 30,240; wadah 3,024; net 27,216
    assert april.scheme_code == "PERDIR-13-2022"
    assert (april.dues_base, april.gross, april.wadah_share, april.net) == (
        201_600,
        30_240,
        3_024,
        27_216,
    )

    august = volunteer_month(app.db, v, date(2026, 8, 20))
    # months 1-24 at 15%: P months 20..24 (5 × 16,800 = 84,000) + Q month 5 (16,800)
    #   = 100,800 -> 15,120
    # months 25-60 at 5%: P months 25..31 (7 × 16,800 = 117,600) -> 5,880
    # no new participants in August -> registration 0
    # gross 21,000; wadah 2,100; net 18,900 (the payments were taken by the coordinator:
    # the incentive still goes to the volunteer who registered them)
    dues = [line.amount for line in august.lines if line.part == "dues"]
    assert dues == [15_120, 5_880]
    assert (august.gross, august.wadah_share, august.net) == (21_000, 2_100, 18_900)

    september = volunteer_month(app.db, v, date(2026, 9, 1))
    # Q's August payment voided in September: -16,800 at 15% = -2,520 (August stays as it was)
    assert (september.dues_base, september.gross, september.wadah_share) == (-16_800, -2_520, -252)
    assert volunteer_month(app.db, v, date(2026, 8, 1)).gross == 21_000

    coordinator_august = volunteer_month(app.db, coordinator.volunteer_id or 0, date(2026, 8, 1))
    assert coordinator_august.gross == 0  # took the cash, registered nobody


def test_2022_threshold_is_per_volunteer_and_counts_no_rejoin_or_withdrawal(
    app: App,
    clock: FakeClock,
    add_participant: Callable[..., int],
    volunteer: Actor,
    coordinator: Actor,
) -> None:
    _at(clock, date(2026, 11, 27))
    v, c = volunteer.volunteer_id, coordinator.volunteer_id
    nov = date(2026, 11, 5)
    for i in range(24):  # the volunteer: 24 new in November, 4 with JHT
        add_participant(registered_on=nov, history=_plain(nov), registered_by_id=v, with_jht=i < 4)
    add_participant(
        registered_on=nov, history=_plain(nov, Standing.WITHDRAWN), registered_by_id=v
    )  # withdrawn: not new
    old = add_participant(registered_on=date(2025, 1, 15), registered_by_id=v)
    rejoin(app.db, old, coordinator)  # rejoined in November: not new
    for i in range(25):  # the coordinator: 25 new, 5 with JHT
        add_participant(registered_on=nov, history=_plain(nov), registered_by_id=c, with_jht=i < 5)

    statements = {s.volunteer_id: s for s in post_month(app.db, date(2026, 11, 1))}
    mine = statements[v or 0]
    assert (mine.new_participants, mine.new_with_jht, mine.gross) == (24, 4, 0)
    theirs = statements[c or 0]
    # 20 × 10,000 + 5 × 15,000 = 275,000; wadah 27,500; net 247,500
    assert (theirs.new_participants, theirs.gross, theirs.wadah_share, theirs.net) == (
        25,
        275_000,
        27_500,
        247_500,
    )


@pytest.mark.parametrize(("count", "gross"), [(49, 0), (50, 500_000), (99, 500_000)])
def test_2018_blocks_of_fifty(
    app: App, add_participant: Callable[..., int], volunteer: Actor, count: int, gross: int
) -> None:
    day = date(2021, 3, 8)
    for _ in range(count):
        add_participant(
            registered_on=day, history=_plain(day), registered_by_id=volunteer.volunteer_id
        )
    statement = volunteer_month(app.db, volunteer.volunteer_id or 0, day)
    assert statement.scheme_code == "PERISAI-2018"
    assert (statement.new_participants, statement.gross) == (count, gross)
    assert statement.wadah_share == gross // 10 and statement.net == gross - gross // 10
    # the remainder does not carry over: the next month starts from nothing
    assert volunteer_month(app.db, volunteer.volunteer_id or 0, date(2021, 4, 1)).gross == 0


def test_a_month_with_no_scheme_says_so(
    app: App, add_participant: Callable[..., int], volunteer: Actor
) -> None:
    day = date(2017, 6, 1)
    add_participant(registered_on=day, history=_plain(day), registered_by_id=volunteer.volunteer_id)
    statement = volunteer_month(app.db, volunteer.volunteer_id or 0, day)
    assert statement.no_scheme and statement.scheme_code is None
    assert (statement.gross, statement.wadah_share, statement.net) == (0, 0, 0)
    assert statement.lines[0].text  # "No incentive scheme was in force in this month."


def test_an_empty_post_gives_zero_statements(
    app: App, post: PostSummary, volunteer: Actor, coordinator: Actor
) -> None:
    statements = post_month(app.db, date(2026, 11, 1))
    assert len(statements) == 2
    assert all(
        (s.gross, s.net, s.new_participants, s.dues_base) == (0, 0, 0, 0) for s in statements
    )


def test_a_withdrawal_of_consent_after_the_month_leaves_its_statement_as_it_was(
    app: App,
    clock: FakeClock,
    add_participant: Callable[..., int],
    volunteer: Actor,
    coordinator: Actor,
) -> None:
    """UU PDP: processing ends from the withdrawal on. November's new participants were
    registered in November; one withdrawing in December changes no November statement, one
    withdrawing in November itself does not count there."""
    from rumah_perisai.services.requests import withdraw_consent

    nov = date(2026, 11, 5)
    _at(clock, nov)
    v = volunteer.volunteer_id
    later = add_participant(registered_on=nov, history=_plain(nov), registered_by_id=v)
    within = add_participant(registered_on=nov, history=_plain(nov), registered_by_id=v)
    _at(clock, date(2026, 11, 20))
    withdraw_consent(app.db, within, date(2026, 11, 20), "in_person", coordinator)
    _at(clock, date(2026, 12, 7))
    withdraw_consent(app.db, later, date(2026, 12, 7), "in_person", coordinator)
    (statement,) = [s for s in post_month(app.db, date(2026, 11, 1)) if s.volunteer_id == v]
    assert statement.new_participants == 1
