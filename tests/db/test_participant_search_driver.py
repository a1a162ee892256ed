"""The list's search read straight from the driver (issue 21) shows what SQLAlchemy would read:
the same rows, statuses and dates, in the same order, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import bindparam, insert, select

from rumah_perisai.app import App
from rumah_perisai.db.models import Participant
from rumah_perisai.db.raw import Prepared
from rumah_perisai.db.status import status_on
from rumah_perisai.services.participant_search import (
    ROWS_AT_ONCE,
    ListFilter,
    ParticipantSearch,
)
from rumah_perisai.services.posts import PostSummary

MANY = 2 * ROWS_AT_ONCE + 37  # more than one statement's worth (the dashboard reads 200 at once)
DAYS = (date(2026, 3, 1), date(2026, 6, 15), date(2026, 12, 31))
STANDINGS = ("member", "member", "member", "withdrawn", "ended")


@pytest.fixture
def varied(app: App, post: PostSummary) -> list[int]:
    """Participants whose stored dates give every status on one of ``DAYS``."""
    rng = random.Random(21)
    at = datetime(2026, 1, 15, 2, tzinfo=UTC)
    rows = []
    for n in range(1, MANY + 1):
        start = date(2026, 1, 1) + timedelta(days=rng.randrange(200))
        covered = rng.random() < 0.8
        cover_until = start + timedelta(days=rng.randrange(20, 300)) if covered else None
        rows.append({
            "post_id": 1, "post_code": post.code, "number": n,
            "registration_no": f"{post.code}-{n:06d}", "nik": f"{3209140101900000 + n}",
            "name": f"Siti Peserta {n:05d}", "birth_place": "Cirebon",
            "birth_date": date(1990, 1, 1), "sex": "P", "street": "Jl. Pantura",
            "desa_code": rng.choice(("32.09.14.2001", "32.09.14.2002", "32.09.14.9999")),
            "occupation": "Petani", "income": 1_000_000, "with_jht": False, "consent_at": at,
            "registered_on": start, "registered_at": at, "standing": rng.choice(STANDINGS),
            "membership_start": start, "rejoin_count": 0, "change_no": 2,
            "promo_until": start + timedelta(days=90) if rng.random() < 0.4 else None,
            "cover_from": start if covered else None, "cover_until": cover_until,
            "arrears_until": cover_until + timedelta(days=90) if cover_until else None,
            "kpj": f"{26000000000 + n}" if n % 3 else None,
            "phone": f"0812{n:08d}" if n % 2 else None,
        })  # fmt: skip
    with app.db.engine.begin() as connection:
        connection.execute(insert(Participant), rows)
        return list(connection.execute(select(Participant.id)).scalars())


def _as_sqlalchemy_reads(app: App, ids: list[int], day: date) -> list[tuple[object, ...]]:
    """The list's columns as SQLAlchemy's ORM reads them (dates typed, status in SQL)."""
    p = Participant
    with app.db.reading() as session:
        read = {
            row[0]: row
            for row in session.execute(
                select(p.id, p.registration_no, p.name, p.desa_code, status_on(day),
                       p.cover_until, p.kpj, p.phone).where(p.id.in_(ids))
            )
        }  # fmt: skip
    return [tuple(read[i]) for i in ids]


def test_every_row_of_the_list_is_what_sqlalchemy_reads_in_the_order_asked(
    app: App, varied: list[int]
) -> None:
    search = ParticipantSearch(1)
    ids = random.Random(7).sample(varied, len(varied))  # any order, more than one statement
    for day in DAYS:
        with app.db.reading() as session:
            rows = search.rows(session, ids, day)
        shown = [
            (r.id, r.registration_no, r.name, r.desa_code, r.status.value, r.cover_until, r.kpj,
             r.phone)
            for r in rows
        ]  # fmt: skip
        assert shown == _as_sqlalchemy_reads(app, ids, day)
        assert all(isinstance(r.cover_until, date | None) for r in rows)
    assert len({r.status for day in DAYS for r in _rows(app, ids, day)}) >= 6
    unknown = next(r for r in _rows(app, ids, DAYS[0]) if r.desa_code == "32.09.14.9999")
    assert unknown.desa_name == "32.09.14.9999"  # an unknown code is shown as it is


def _rows(app: App, ids: list[int], day: date) -> list[object]:
    with app.db.reading() as session:
        return list(ParticipantSearch(1).rows(session, ids, day))


@pytest.mark.parametrize("typed", ["", "siti", "peserta 001", "32091401019", "0812", "3209"])
def test_the_first_screen_is_the_start_of_the_whole_search(
    app: App, varied: list[int], typed: str
) -> None:
    search = ParticipantSearch(1)
    filters = ListFilter(DAYS[1])
    with app.db.reading() as session:
        every = search.ids(session, typed, filters)
        small = search.first_screen(session, typed, filters, materialize=MANY, screen=50)
        large = search.first_screen(session, typed, filters, materialize=10, screen=50)
        expected = search.rows(session, every[:50], DAYS[1])
    assert every  # each query matches someone
    assert (small.ids, small.count, small.rows) == (every, len(every), expected)
    if len(every) > 10:  # counted and paged instead of fetched whole
        assert (large.ids, large.count, large.rows) == (None, len(every), expected)
    else:
        assert large == small


def test_a_page_anywhere_is_that_slice_of_the_whole_search(app: App, varied: list[int]) -> None:
    search = ParticipantSearch(1)
    with app.db.reading() as session:
        every = search.ids(session, "siti")
        pages = [search.page(session, "siti", None, start, 60) for start in range(0, MANY, 60)]
        counted = search.count(session, "siti")
    assert [i for page in pages for i in page] == every
    assert counted == len(every) == MANY


def test_a_prepared_statement_takes_new_values_and_refuses_wrong_ones(
    app: App, varied: list[int]
) -> None:
    p = Participant
    statement = select(p.id).where(p.cover_until >= bindparam("day"), p.standing == "member")
    with app.db.reading() as session:
        prepared = Prepared(statement.order_by(p.id), session.get_bind().dialect)
        for day in DAYS:
            driver = [row[0] for row in prepared.all(session.connection(), {"day": day})]
            orm = session.scalars(statement.order_by(p.id), {"day": day}).all()
            assert driver == orm and driver
        with pytest.raises(KeyError):
            prepared.params({"days": DAYS[0]})
        with pytest.raises(TypeError):
            prepared.params({"day": datetime(2026, 1, 1, tzinfo=UTC)})
