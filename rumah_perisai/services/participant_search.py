"""Finding participants: one search box for NIK (or its start), name fragment, registration
number, KPJ or phone, answered by the database in two steps — the ids that match, in list
order, then the columns of only the rows on screen (Anki's browser does the same).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    column,
    func,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from rumah_perisai import areas
from rumah_perisai.db.models import Participant
from rumah_perisai.db.raw import Prepared, driver_date
from rumah_perisai.db.status import status_on
from rumah_perisai.domain.coverage import Status
from rumah_perisai.domain.nik import mask_nik

_FTS = table("participants_fts", column("rowid"))
# The table's own columns, not the mapped class's: the search statements are compiled on every
# search (for the driver), and an ORM statement takes twice as long to compile as a Core one.
_P = Participant.__table__.c
_TRIGRAM = 3  # the FTS5 trigram index answers fragments of three characters or more
_REGISTRATION = re.compile(r"[A-Z0-9]+-[0-9]*")
# Issue 17: names match without their apostrophes and hyphens, straight or typographic
# (Ma'ruf, Ma’ruf and Maruf are one name to a volunteer). The name index holds each name without
# them (migration 0015 copies these marks); a query drops its apostrophes and reads a hyphen as a
# space between two fragments (so "abdul-rahman" finds Abdulrahman and Abdul Rahman too).
APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc\u02bb\u2032"  # ' ’ ‘ ` ´ ʼ ʻ ′
HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2212"  # - ‐ ‑ ‒ – — −
_QUERY_MARKS = str.maketrans({**dict.fromkeys(APOSTROPHES, ""), **dict.fromkeys(HYPHENS, " ")})


def name_key(name: Any) -> ColumnElement[str]:
    """A name column (or value) without its marks, in SQL: the same on SQLite and PostgreSQL."""
    expression = name
    for mark in APOSTROPHES + HYPHENS:
        expression = func.replace(expression, mark, "")
    return cast(ColumnElement[str], expression)


class SearchKind(Enum):
    ALL = "all"
    DIGITS = "digits"  # NIK or KPJ start
    PHONE = "phone"
    REGISTRATION = "registration"
    NAME = "name"


@dataclass(frozen=True)
class SearchQuery:
    kind: SearchKind
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListFilter:
    """The list's filters beside the search box: a status on a day, and a desa."""

    today: date
    status: Status | None = None
    desa_code: str | None = None


@dataclass(frozen=True)
class ParticipantListRow:
    id: int
    registration_no: str
    name: str
    nik_masked: str
    desa_code: str
    desa_name: str
    status: Status
    cover_until: date | None
    kpj: str | None
    phone: str | None


@dataclass(frozen=True)
class FirstScreen:
    """A search as the list first shows it."""

    ids: list[int] | None  # every match in list order; None for a large result (paged instead)
    count: int
    rows: list[ParticipantListRow]  # the first screen's rows


def parse_query(text_: str) -> SearchQuery:
    """What the user (or a barcode scanner) typed, read as the kind of search it must be."""
    raw = " ".join(text_.split())
    if not raw:
        return SearchQuery(SearchKind.ALL)
    compact = raw.replace(" ", "").replace("-", "")
    if compact.startswith("+62") and compact[1:].isdigit():
        return SearchQuery(SearchKind.PHONE, ("0" + compact[3:],))
    if compact.isascii() and compact.isdigit():
        if compact.startswith("0"):  # NIKs start with a province code (11–96), phones with 08
            return SearchQuery(SearchKind.PHONE, (compact,))
        return SearchQuery(SearchKind.DIGITS, (compact[:16],))
    upper = raw.upper().replace(" ", "")
    if _REGISTRATION.fullmatch(upper) and any(c.isdigit() for c in upper):
        return SearchQuery(SearchKind.REGISTRATION, (upper,))
    terms = tuple(raw.casefold().translate(_QUERY_MARKS).split())
    if not terms:  # only marks: searched as typed (finds nothing, says nothing surprising)
        terms = tuple(raw.casefold().split())
    return SearchQuery(SearchKind.NAME, terms)


def _prefix(session: Session, column_: Any, start: str) -> ColumnElement[bool]:
    """Values starting with ``start``, answered by the column's plain B-tree index.

    SQLite compares text by code point, so a range works. PostgreSQL may run with a
    language-aware collation (en_US.UTF-8 at a branch) where a range misses or adds rows:
    there ``LIKE 'start%'`` is used, which is always right (and indexed with C collation).
    """
    if session.get_bind().dialect.name == "sqlite":
        return and_(column_ >= start, column_ < start + "\U0010ffff")
    return cast(ColumnElement[bool], column_.like(_like_escape(start) + "%", escape="\\"))


KPJ_DIGITS = 11


def _order_kind(query: SearchQuery) -> str:
    if query.kind is SearchKind.NAME and all(len(t) < _TRIGRAM for t in query.terms):
        return "name_start"
    return query.kind.value


_ORDER: dict[str, tuple[Any, ...]] = {
    "digits": (_P.nik, _P.id),
    "phone": (_P.phone, _P.id),
    "registration": (_P.registration_no.desc(),),
    "name_start": (_P.name, _P.id),
}


def _has_name_index(session: Session) -> bool:
    """SQLite has the FTS5 trigram index of names (migration 0002); PostgreSQL uses ILIKE."""
    return session.get_bind().dialect.name == "sqlite"


def _like_escape(fragment: str) -> str:
    return fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ParticipantSearch:
    """The participant list's questions to the database, for one post."""

    def __init__(self, post_id: int, *, only_post: bool = True) -> None:
        """``only_post``: the database holds this post's participants only (a post's own
        database). Then a name search needs no post filter and is answered by the name index
        alone; the branch, which holds many posts, passes ``only_post=False``."""
        self._post_id = post_id
        self._only_post = only_post

    @staticmethod
    def _match(terms: Sequence[str]) -> str:
        """An FTS5 query: every term as a quoted string, so nothing typed is FTS syntax."""
        return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)

    def _name_filter(self, session: Session, terms: Sequence[str]) -> list[ColumnElement[bool]]:
        long_terms = [t for t in terms if len(t) >= _TRIGRAM]
        short_terms = [t for t in terms if len(t) < _TRIGRAM]
        filters: list[ColumnElement[bool]] = []
        if long_terms and _has_name_index(session):
            hits = select(_FTS.c.rowid).where(text("participants_fts MATCH :match"))
            filters.append(_P.id.in_(hits.params(match=self._match(long_terms))))
        else:
            short_terms = list(terms)
        if not long_terms:
            # One or two letters: the start of the name (from the name index), as typed,
            # capitalised or in capitals: "si" finds "Siti …", not every name holding "si".
            first = short_terms.pop(0)
            starts = {first, first.capitalize(), first.upper()}
            filters.append(or_(*(_prefix(session, _P.name, start) for start in sorted(starts))))
        for term in short_terms:
            pattern = f"%{_like_escape(term)}%"
            filters.append(name_key(_P.name).ilike(pattern, escape="\\"))
        return filters

    def _filters(self, session: Session, query: SearchQuery) -> list[ColumnElement[bool]]:
        if query.kind is SearchKind.ALL:
            return []
        (first, *_) = query.terms
        if query.kind is SearchKind.DIGITS:
            if len(first) == KPJ_DIGITS:  # a whole KPJ number, or the start of a NIK
                return [or_(_prefix(session, _P.nik, first), _P.kpj == first)]
            return [_prefix(session, _P.nik, first)]
        if query.kind is SearchKind.PHONE:
            return [_prefix(session, _P.phone, first)]
        if query.kind is SearchKind.REGISTRATION:
            return [_prefix(session, _P.registration_no, first)]
        return self._name_filter(session, query.terms)

    def ids_statement(
        self, session: Session, query: SearchQuery, filters: ListFilter | None = None
    ) -> Select[Any]:
        """The statement behind ``ids``, in an order an index gives without sorting.

        The whole list and name fragments: newest registrations first — the order a post needs
        (today's walk-ins, people coming back to pay), answered from the ``post_id`` index and
        the trigram index alone. A NIK, phone or name start: in the order of that index, so
        "32" (every NIK of West Java) is paged through the NIK index like the whole list.
        """
        narrowed = filters is not None and (filters.status is not None or filters.desa_code)
        if query.kind is SearchKind.ALL and not narrowed:
            return select(_P.id).where(_P.post_id == self._post_id).order_by(_P.id.desc())
        if (
            query.kind is SearchKind.NAME
            and self._only_post
            and not narrowed
            and all(len(t) >= _TRIGRAM for t in query.terms)
            and _has_name_index(session)
        ):
            rowid = _FTS.c.rowid
            return (
                select(rowid)
                .where(
                    text("participants_fts MATCH :match").bindparams(match=self._match(query.terms))
                )
                .order_by(rowid.desc())
            )
        statement = select(_P.id).where(*self._filters(session, query))
        if not self._only_post:
            # Only where other posts' participants are present: in a post's database the
            # filter would make SQLite walk the post_id index instead of the NIK index.
            statement = statement.where(_P.post_id == self._post_id)
        if filters is not None and filters.status is not None:
            statement = statement.where(status_on(filters.today) == filters.status.value)
        if filters is not None and filters.desa_code:
            statement = statement.where(_P.desa_code == filters.desa_code)
        return statement.order_by(*_ORDER.get(_order_kind(query), (_P.id.desc(),)))

    def count(
        self, session: Session, query: str | SearchQuery, filters: ListFilter | None = None
    ) -> int:
        """How many match: counted in the index, without fetching them."""
        ((counted,),) = self.count_sql(session, query, filters).all(session.connection())
        return int(counted)

    def count_sql(
        self, session: Session, query: str | SearchQuery, filters: ListFilter | None = None
    ) -> Prepared:
        """The statement ``count`` runs (public for the benchmark, as ``page_sql``)."""
        parsed = parse_query(query) if isinstance(query, str) else query
        inner = self.ids_statement(session, parsed, filters).order_by(None).subquery()
        statement = select(func.count()).select_from(inner)
        return Prepared(statement, session.get_bind().dialect)

    def first_screen(
        self,
        session: Session,
        query: str | SearchQuery,
        filters: ListFilter,
        materialize: int,
        screen: int,
    ) -> FirstScreen:
        """What the list shows right after a search, in one look: the ids of every match (at
        most ``materialize + 1`` fetched tell a small result from a large one, which is then
        counted and read a page at a time) and the rows of the first ``screen``."""
        parsed = parse_query(query) if isinstance(query, str) else query
        fetched = self.page(session, parsed, filters, 0, materialize + 1)
        if len(fetched) > materialize:
            ids, count = None, self.count(session, parsed, filters)
        else:
            ids, count = fetched, len(fetched)
        # The first screen is the start of what was fetched (the list fetches more than a
        # screen to tell small from large).
        if len(fetched) < screen and ids is None:
            fetched = self.page(session, parsed, filters, 0, screen)
        return FirstScreen(ids, count, self.rows(session, fetched[:screen], filters.today))

    def page(
        self,
        session: Session,
        query: str | SearchQuery,
        filters: ListFilter | None,
        offset: int,
        limit: int,
    ) -> list[int]:
        """Ids ``offset`` to ``offset + limit`` of the matches, in list order (for a large
        result, read a screen at a time: a page at the far end of 200,000 takes milliseconds)."""
        prepared = self.page_sql(session, query, filters, offset, limit)
        return [row[0] for row in prepared.all(session.connection())]

    def page_sql(
        self,
        session: Session,
        query: str | SearchQuery,
        filters: ListFilter | None,
        offset: int,
        limit: int,
    ) -> Prepared:
        """The statement ``page`` runs, on the driver: a search matching thousands comes back as
        plain ints (SQLAlchemy's row objects took longer than SQLite's answer). Public so the
        benchmark times the very same SQL through the bare driver."""
        parsed = parse_query(query) if isinstance(query, str) else query
        statement = self.ids_statement(session, parsed, filters).limit(limit).offset(offset)
        return Prepared(statement, session.get_bind().dialect)

    def position(self, session: Session, participant_id: int) -> int:
        """Where a participant stands in the whole list (how many are newer)."""
        statement = select(func.count()).where(
            Participant.post_id == self._post_id, Participant.id > participant_id
        )
        return int(session.connection().execute(statement).scalar_one())

    def ids(
        self, session: Session, query: str | SearchQuery, filters: ListFilter | None = None
    ) -> list[int]:
        """Ids of the matching participants, newest registration first."""
        parsed = parse_query(query) if isinstance(query, str) else query
        # On the driver: 200,000 plain ints come back several times faster than rows.
        statement = self.ids_statement(session, parsed, filters)
        prepared = Prepared(statement, session.get_bind().dialect)
        return [row[0] for row in prepared.all(session.connection())]

    def desa_in_use(self, session: Session) -> list[str]:
        """The desa codes participants live in (for the desa filter), from the desa index."""
        statement = select(Participant.desa_code).distinct().order_by(Participant.desa_code)
        if not self._only_post:
            statement = statement.where(Participant.post_id == self._post_id)
        return list(session.connection().execute(statement).scalars())

    def rows(self, session: Session, ids: Sequence[int], today: date) -> list[ParticipantListRow]:
        """The list columns of ``ids``, in the same order, with each status on ``today``.

        One prepared statement per ``ROWS_AT_ONCE`` ids (the status computed in SQL from the
        stored dates), read on the driver; the desa names from a cache."""
        if not ids:
            return []
        connection = session.connection()
        prepared = rows_sql(session.get_bind().dialect)
        found: dict[int, ParticipantListRow] = {}
        for start in range(0, len(ids), ROWS_AT_ONCE):
            values = rows_values(ids[start : start + ROWS_AT_ONCE], today)
            for id_, reg_no, name, nik, desa_code, status, cover_until, kpj, phone in prepared.all(
                connection, values
            ):
                found[id_] = ParticipantListRow(
                    id=id_,
                    registration_no=reg_no,
                    name=name,
                    nik_masked=mask_nik(nik),
                    desa_code=desa_code,
                    desa_name=desa_name(desa_code),
                    status=_STATUSES[status],
                    cover_until=driver_date(cover_until),
                    kpj=kpj,
                    phone=phone,
                )
        return [found[i] for i in ids if i in found]


ROWS_AT_ONCE = 100  # ids per statement of ``rows``: a screen of the list, one prepared text
_STATUSES = {status.value: status for status in Status}


@functools.lru_cache(maxsize=8)
def rows_sql(dialect: Dialect) -> Prepared:
    """The statement behind ``ParticipantSearch.rows``, compiled once per database: the list
    columns of ``ROWS_AT_ONCE`` ids (``id_0`` …, unused ones NULL) and the status on ``day``."""
    p = Participant
    slots = [bindparam(f"id_{n}", type_=Integer) for n in range(ROWS_AT_ONCE)]
    statement = select(
        p.id, p.registration_no, p.name, p.nik, p.desa_code,
        status_on(bindparam("day", type_=Date)), p.cover_until, p.kpj, p.phone,
    ).where(p.id.in_(slots))  # fmt: skip
    return Prepared(statement, dialect)


def rows_values(ids: Sequence[int], today: date) -> dict[str, Any]:
    """``rows_sql``'s values for up to ``ROWS_AT_ONCE`` ids."""
    if len(ids) > ROWS_AT_ONCE:
        raise ValueError("more ids than one statement takes")
    values: dict[str, Any] = {f"id_{n}": None for n in range(len(ids), ROWS_AT_ONCE)}
    values.update({f"id_{n}": id_ for n, id_ in enumerate(ids)})
    values["day"] = today
    return values


@functools.lru_cache(maxsize=4096)
def desa_name(code: str) -> str:
    """A desa's name, or its code when the code is unknown (areas change only with a release)."""
    desa = areas.area(code)
    return desa.name if desa else code


@dataclass(frozen=True)
class FoundParticipant:
    """A search hit for the command line: the full NIK, for staff who prepare data."""

    registration_number: str
    nik: str
    name: str
    birth_date: date
    status: str
    cover_until: date | None
    kpj: str | None


def found_participants(session: Session, ids: Sequence[int], today: date) -> list[FoundParticipant]:
    """Details of ``ids`` in the same order (fetched in chunks: a search may match thousands)."""
    p = Participant
    found: dict[int, FoundParticipant] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        statement = select(
            p.id, p.registration_no, p.nik, p.name, p.birth_date, status_on(today),
            p.cover_until, p.kpj,
        ).where(p.id.in_(chunk))  # fmt: skip
        for id_, reg_no, nik, name, birth_date, status, cover_until, kpj in session.execute(
            statement
        ):
            found[id_] = FoundParticipant(reg_no, nik, name, birth_date, status, cover_until, kpj)
    return [found[i] for i in ids if i in found]
