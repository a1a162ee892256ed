"""Lists filter by status in SQL: the database's answer equals the domain rule's, every day."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import Participant
from rumah_perisai.db.status import status_on as sql_status_on
from rumah_perisai.db.status import store_summary
from rumah_perisai.domain.coverage import CoverHistory, Standing, Status, status_on, summarize
from rumah_perisai.domain.months import add_months, iter_months, month_end
from rumah_perisai.services.posts import PostSummary


def _history(rng: random.Random) -> CoverHistory:
    start = date(2025, 1, 1) + timedelta(days=rng.randrange(600))
    if rng.random() < 0.3:
        start = start.replace(day=1)  # a rejoin starts on the first of the month
    standing = rng.choices(list(Standing), weights=[88, 4, 4, 4])[0]
    promotion_end = month_end(add_months(start, 3)) if rng.random() < 0.6 else None
    density = rng.choice([0.0, 0.5, 0.9, 1.0])
    window = iter_months(add_months(start, -1), add_months(start, 20))
    return CoverHistory(
        standing, start, promotion_end, frozenset(m for m in window if rng.random() < density)
    )


def _participant(number: int, history: CoverHistory, post_id: int) -> Participant:
    participant = Participant(
        post_id=post_id,
        post_code="RP3209A",
        number=number,
        registration_no=f"RP3209A-{number:06d}",
        nik=f"32091401019{number:05d}",
        name=f"Peserta {number}",
        birth_place="Cirebon",
        birth_date=date(1990, 1, 1),
        sex="L",
        street="Jl. Pantura",
        desa_code="32.09.14.2001",
        occupation="Nelayan",
        income=1_000_000,
        consent_at=datetime(2025, 1, 1, tzinfo=UTC),
        registered_on=history.membership_start,
        registered_at=datetime(2025, 1, 1, tzinfo=UTC),
        standing=history.standing.value,
        membership_start=history.membership_start,
    )
    store_summary(participant, summarize(history))
    return participant


def test_sql_status_agrees_with_the_domain_rule(app: App, post: PostSummary) -> None:
    rng = random.Random(2026)
    histories = {n: _history(rng) for n in range(1, 161)}
    with app.db.unit_of_work("cli:test") as session:
        session.add_all(_participant(n, h, 1) for n, h in histories.items())
    days: set[date] = set()
    for history in rng.sample(list(histories.values()), 25):
        summary = summarize(history)
        for edge in (summary.promo_until, summary.cover_until, summary.arrears_until):
            if edge is not None:
                days |= {edge, edge + timedelta(days=1)}
    days |= {date(2025, 1, 1) + timedelta(days=rng.randrange(900)) for _ in range(10)}
    seen: set[str] = set()
    with app.db.reading() as session:
        for day in sorted(days):
            rows = session.execute(select(Participant.number, sql_status_on(day))).all()
            for number, status in rows:
                assert status == status_on(histories[number], day).value, (number, day)
                seen.add(status)
    assert seen == {s.value for s in Status}


def test_a_status_filter_counts_in_sql(app: App, post: PostSummary) -> None:
    """Registered 15 Jan 2026 with the promotion: free to 30 Apr, arrears May–Jul, lapsed 1 Aug."""
    history = CoverHistory(Standing.MEMBER, date(2026, 1, 15), date(2026, 4, 30), frozenset())
    with app.db.unit_of_work("cli:test") as session:
        session.add(_participant(1, history, 1))
    expected = {
        date(2026, 4, 30): "promotion",
        date(2026, 5, 1): "arrears",
        date(2026, 7, 31): "arrears",
        date(2026, 8, 1): "lapsed",
    }
    with app.db.reading() as session:
        for day, status in expected.items():
            found = session.scalars(
                select(Participant.registration_no).where(sql_status_on(day) == status)
            ).all()
            assert found == ["RP3209A-000001"], day
