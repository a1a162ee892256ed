"""The promotion dashboard's tally kept in step with the participants (issue 21).

``models_tally`` says what is counted. Every count comes from one SQL definition
(:func:`_count_statements`): the rows of the local post's members, folded to their tally keys,
grouped and added (or, with ``sign = -1``, taken away) by an upsert. Three callers use it:

* the unit of work (``db.uow`` registers :func:`before_flush` and :func:`after_flush`): before a
  flush writes participants whose counted columns changed, their stored rows are taken away;
  after it, the same participants (and the new ones) are added again — so the tally moves in the
  very transaction that moves the participants, and a rollback takes both back;
* writers that bypass the ORM's flush (the demo's bulk rows) call :func:`rebuild` at the end;
* migration 0018 fills the tally of an existing post with the same SQL written out.

Whether the counts equal a recount from the participants is proven by
``tests/services/test_dashboard_tally.py`` (random operations) and ``bench/bench_dashboard.py``
(the 200,000-participant demo).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    inspect,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, UOWTransaction

from rumah_perisai.db.models import Participant, Post
from rumah_perisai.db.models_tally import EARLIEST, NEVER, EndedCount, PromotionCount
from rumah_perisai.domain.coverage import Standing, Status

WHOLE_POST = 0  # ``volunteer_id`` of the counts of every participant of the post

# The participant columns a count depends on: a change to any other column moves nothing.
COUNTED_COLUMNS = frozenset(
    {
        "post_id",
        "standing",
        "registered_by_id",
        "registered_on",
        "promotion_end",
        "converted_on",
        "membership_start",
        "promo_until",
        "cover_from",
        "cover_until",
        "arrears_until",
    }
)

_PENDING = "tally_pending"  # session.info: what the flush under way adds back once written


# --- the counts of some participants, added or taken away ---------------------------------------


def _day_after(dialect: str, column: Any) -> Any:
    if dialect == "sqlite":
        return func.date(column, "+1 day")
    return column + literal_column("1")


def _days_between(dialect: str, first: Any, last: Any) -> Any:
    if dialect == "sqlite":
        return cast(func.julianday(last) - func.julianday(first), Integer)
    return last - first


def _latest(dialect: str, *columns: Any) -> Any:
    """The latest of non-NULL dates (SQLite's many-argument ``max``, PostgreSQL's ``greatest``)."""
    return (func.max if dialect == "sqlite" else func.greatest)(*columns)


def _day(value: date) -> Any:
    return literal(value, Date)


def _members(dialect: str, where: Sequence[Any]) -> Any:
    """The local post's members (and ``where``), with the two dates the tally derives:
    ``status_from`` (before it, another status than active, arrears or lapsed — the same steps
    as ``db.status.status_on``) and ``ended_from`` (the first day the promotion counts as ended
    and the participant as registered)."""
    p = Participant
    start = p.membership_start
    status_from = case(
        (or_(p.cover_until.is_(None), p.arrears_until.is_(None)), _day(NEVER)),
        else_=_latest(
            dialect,
            start,
            func.coalesce(_day_after(dialect, p.promo_until), start),
            func.coalesce(p.cover_from, start),
        ),
    )
    local = select(Post.id).where(Post.is_local.is_(True)).scalar_subquery()
    return (
        select(
            p.registered_by_id.label("volunteer_id"),
            p.registered_on,
            p.promotion_end,
            p.converted_on,
            p.cover_until,
            p.arrears_until,
            status_from.label("status_from"),
            _latest(dialect, p.registered_on, _day_after(dialect, p.promotion_end)).label(
                "ended_from"
            ),
        )
        .where(p.post_id == local, p.standing == Standing.MEMBER.value, *where)
        .subquery("members")
    )


def _scoped(members: Any, keys: list[Any], where: Sequence[Any]) -> Any:
    """Each member's keys twice: counted for the whole post and for its volunteer."""
    whole = select(literal(WHOLE_POST, Integer).label("volunteer_id"), *keys).where(*where)
    mine = select(members.c.volunteer_id, *keys).where(members.c.volunteer_id.is_not(None), *where)
    return union_all(whole, mine).subquery("scoped")


def _upsert(dialect: str, model: Any, grouped: Select[Any]) -> Any:
    names = [c.name for c in model.__table__.columns]
    keys = [c.name for c in model.__table__.primary_key.columns]
    maker = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = maker(model).from_select(names, grouped)
    return statement.on_conflict_do_update(
        index_elements=keys, set_={"n": model.n + statement.excluded.n}
    )


def _grouped(scoped: Any) -> Select[Any]:
    columns = list(scoped.c)
    sign = bindparam("sign", type_=Integer)
    return select(*columns, (func.count() * sign).label("n")).group_by(*columns)


# Built once per dialect (and kind: some participants, or all): building and compiling these
# statements costs milliseconds, executing a built one a fraction of one (a payment runs them
# up to four times).
_BUILT: dict[tuple[str, bool], list[Any]] = {}


def _statements(dialect: str, *, some: bool) -> list[Any]:
    built = _BUILT.get((dialect, some))
    if built is None:
        where = (Participant.id.in_(bindparam("ids", expanding=True)),) if some else ()
        built = _BUILT[(dialect, some)] = _count_statements(dialect, where)
    return built


def _count_statements(dialect: str, where: Sequence[Any]) -> list[Any]:
    members = _members(dialect, where)
    m = members.c
    promotion = [
        m.registered_on.label("registered_on"),
        func.coalesce(m.promotion_end, _day(EARLIEST)).label("promotion_end"),
        func.coalesce(m.converted_on, _day(NEVER)).label("converted_on"),
        _days_between(dialect, m.promotion_end, m.converted_on).label("converted_after"),
    ]
    ended_from = m.ended_from
    ended = [
        ended_from.label("ended_from"),
        case(
            (m.converted_on.is_(None), _day(NEVER)),
            (m.converted_on > ended_from, m.converted_on),
            else_=_day(EARLIEST),
        ).label("converted_from"),
        case((m.status_from > ended_from, m.status_from), else_=_day(EARLIEST)).label(
            "status_from"
        ),
        case((m.cover_until >= ended_from, m.cover_until), else_=_day(EARLIEST)).label(
            "cover_until"
        ),
        case((m.arrears_until >= ended_from, m.arrears_until), else_=_day(EARLIEST)).label(
            "arrears_until"
        ),
    ]
    return [
        _upsert(dialect, PromotionCount, _grouped(_scoped(members, promotion, ()))),
        _upsert(
            dialect, EndedCount, _grouped(_scoped(members, ended, (m.promotion_end.is_not(None),)))
        ),
    ]


def count_participants(connection: Connection, ids: Sequence[int], sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) the stored rows of participants ``ids``."""
    if not ids:
        return
    params = {"ids": sorted(set(ids)), "sign": sign}
    for statement in _statements(connection.dialect.name, some=True):
        connection.execute(statement, params)


def rebuild(connection: Connection) -> None:
    """Count the local post's members again from scratch (after writes the flush did not see)."""
    connection.execute(delete(PromotionCount))
    connection.execute(delete(EndedCount))
    for statement in _statements(connection.dialect.name, some=False):
        connection.execute(statement, {"sign": 1})


# --- kept in step by the unit of work ----------------------------------------------------------


def _moves_counts(participant: Participant) -> bool:
    state = inspect(participant)
    return any(state.attrs[name].history.has_changes() for name in COUNTED_COLUMNS)


def before_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    """Take away the counts of participants about to be written, as they are stored now."""
    session.info.pop(_PENDING, None)
    moved = [
        identity[0]
        for o in session.dirty
        if isinstance(o, Participant)
        and (identity := inspect(o).identity) is not None
        and _moves_counts(o)
    ]
    new = [o for o in session.new if isinstance(o, Participant)]
    if not moved and not new:
        return
    count_participants(session.connection(), moved, -1)
    session.info[_PENDING] = (moved, new)


def after_flush(session: Session, _flush: UOWTransaction) -> None:
    """Add back the same participants as the flush has just stored them (and the new ones)."""
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    moved, new = pending
    count_participants(session.connection(), [*moved, *(o.id for o in new)], 1)


# --- reading -------------------------------------------------------------------------------------


def is_kept(session: Session) -> bool:
    """Whether the tally holds the post's counts (it holds rows once the post has members)."""
    found = session.scalar(
        select(PromotionCount.n).where(PromotionCount.volunteer_id == WHOLE_POST).limit(1)
    )
    return found is not None


def ended_groups(
    session: Session, day: date, volunteer_id: int | None
) -> list[tuple[bool, str, int]]:
    """Members whose promotion ended before ``day``: (converted by ``day``, status on ``day`` —
    active, arrears, lapsed or "" for another —, how many)."""
    e = EndedCount
    status = case(
        (e.status_from > day, ""),
        (e.cover_until >= day, Status.ACTIVE.value),
        (e.arrears_until >= day, Status.ARREARS.value),
        else_=Status.LAPSED.value,
    )
    converted = case((e.converted_from <= day, 1), else_=0)
    statement = (
        select(converted, status, func.sum(e.n))
        .where(
            e.volunteer_id == (WHOLE_POST if volunteer_id is None else volunteer_id),
            e.ended_from <= day,
        )
        .group_by(converted, status)
    )
    return [(bool(conv), str(name), int(n)) for conv, name, n in session.execute(statement) if n]


def promotion_rows(
    session: Session, day: date, volunteer_id: int | None, windows: Sequence[int]
) -> list[tuple[date, date | None, int, list[int]]]:
    """Members registered by ``day``, by (registration day, promotion end or None): how many,
    and how many of them converted by ``day`` within each of ``windows`` days after their
    promotion's end. One pass over the counts serves the cohorts and who is inside the free
    months (or has none)."""
    c = PromotionCount
    converted = [
        func.sum(case((and_(c.converted_on <= day, c.converted_after <= days), c.n), else_=0))
        for days in windows
    ]
    statement = (
        select(c.registered_on, c.promotion_end, func.sum(c.n), *converted)
        .where(
            c.volunteer_id == (WHOLE_POST if volunteer_id is None else volunteer_id),
            c.registered_on <= day,
        )
        .group_by(c.registered_on, c.promotion_end)
    )
    return [
        (registered_on, None if end == EARLIEST else end, int(n), [int(x or 0) for x in xs])
        for registered_on, end, n, *xs in session.execute(statement)
        if n
    ]
