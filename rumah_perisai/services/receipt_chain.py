"""Checking a post's receipt chain: nothing altered, removed or reordered (issue 6).

Each receipt stores the hash of the one before it and its own hash over every stored field
(``domain.receipts``). The check walks the post's receipts in number order and names the first
one that is wrong:

* **altered** — its stored fields no longer give its stored hash;
* **removed** — a number is missing (numbers are gapless per year), or the receipt's "previous
  hash" is not the hash of the receipt before it while its own hash is right;
* **reordered** — two receipts swapped places: each still hashes right, but the links do not;
* **newest removed** — fewer receipts than the post's counters, or than a daily close recorded,
  or the newest hash a close recorded is not in the chain.

A number whose paper half was lost after a restore (issue 16) is in the chain as a **gap**
(``receipt_gaps``): hashed and linked like a receipt, with the coordinator's reason. The check
walks it in its number's place and reports it as an explained gap, never as a removal.

It reads the rows straight from the database driver (no ORM, no SQLAlchemy rows): at a million
receipts, turning rows into Python objects is most of the time (``bench/bench_dues.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from hashlib import sha256
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from rumah_perisai.db.models import Receipt, ReceiptGap
from rumah_perisai.db.raw import driver_all, driver_results, driver_rows
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.receipts import (
    CHAIN_COUNTER,
    GENESIS_HASH,
    canonical_moment,
    chain_text,
    gap_chain_text,
    receipt_number,
)
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services import chain_ranges, chain_sql

ALTERED, REMOVED, REORDERED, NEWEST_REMOVED = "altered", "removed", "reordered", "newest_removed"

_PROBLEMS = {
    ALTERED: N_("Receipt {number} was altered: its contents no longer match its hash."),
    REMOVED: N_("Receipt {number} is missing: it was removed from the chain."),
    REORDERED: N_("Receipt {number} is out of order: receipts were swapped or moved."),
    NEWEST_REMOVED: N_(
        "The newest receipts were removed: the chain ends at {number}, but {expected} receipts "
        "were recorded."
    ),
}


@dataclass(frozen=True)
class ExplainedGap:
    """A number in the chain without its receipt: the paper half was lost after a restore."""

    number: str
    reason: str


@dataclass(frozen=True)
class ChainReport:
    post_code: str
    receipts: int  # checked
    problem: str | None  # ALTERED, REMOVED, REORDERED or NEWEST_REMOVED; None when whole
    number: str | None  # the first receipt concerned
    newest_hash: str
    expected: int | None = None  # NEWEST_REMOVED: how many receipts were recorded
    gaps: tuple[ExplainedGap, ...] = ()  # numbers explained without a receipt, in order

    @property
    def whole(self) -> bool:
        return self.problem is None

    def message(self) -> str:
        if self.problem is None:
            text = tr(
                "All {count} receipts of post {post} are whole; newest hash {hash}.",
                count=self.receipts,
                post=self.post_code,
                hash=self.newest_hash[:16],
            )
            if self.gaps:
                text += " " + tr(
                    "{count} numbers have no receipt, each with its recorded reason: {numbers}.",
                    count=len(self.gaps),
                    numbers=", ".join(gap.number for gap in self.gaps),
                )
            return text
        return tr(_PROBLEMS[self.problem], number=self.number or "-", expected=self.expected)


_RECEIPTS = """
SELECT r.id, r.year, r.seq, r.number, r.kind, r.participant_id, r.voids_receipt_id,
       r.issued_at, r.issued_on, r.issued_by_id, r.month_count, r.first_month, r.last_month,
       r.jkk, r.jkm, r.jht, r.total, r.cash_received, r.reason, r.cash_volunteer_id, r.refund,
       r.prev_hash, r.hash
FROM receipts r WHERE r.post_id = ? {only} ORDER BY r.year, r.seq
"""
_MONTHS = """
SELECT m.receipt_id, m.month, m.jkk, m.jkm, m.jht, m.total, m.rates_version
FROM receipt_months m WHERE m.post_id = ? {only} ORDER BY m.receipt_id, m.month
"""
# A branch checks the receipts one import brought (``stored_receipts(..., change_no=)``).
_ONLY_RECEIPTS = "AND r.change_no = ?"
_ONLY_MONTHS = "AND m.receipt_id IN (SELECT id FROM receipts WHERE post_id = ? AND change_no = ?)"
# On PostgreSQL the months of those receipts are asked for by the receipts' ids, sent as one
# array: a lookup in one table, no join for the planner to choose. The sub-select above was
# planned there, on rows just imported and without statistics, as a scan of the post's months
# for every receipt: a 200,000-participant first batch ran for more than 8 minutes.
_IMPORTED_IDS = "SELECT id FROM receipts WHERE post_id = ? AND change_no = ?"
_MONTHS_OF_IDS = """
SELECT m.receipt_id, m.month, m.jkk, m.jkm, m.jht, m.total, m.rates_version
FROM receipt_months m WHERE m.receipt_id = ANY(?) ORDER BY m.receipt_id, m.month
"""
_GAPS = """
SELECT g.id, g.year, g.seq, g.number, g.reason, g.recorded_at, g.recorded_by_id, g.prev_hash,
       g.hash
FROM receipt_gaps g WHERE g.post_id = :post {only} ORDER BY g.year, g.seq
"""
_MONTHS_OF = """
SELECT m.receipt_id, m.month, m.jkk, m.jkm, m.jht, m.total, m.rates_version
FROM receipt_months m WHERE m.receipt_id = :receipt ORDER BY m.month
"""


def _iso(value: Any) -> Any:
    """Dates as ISO text and moments as canonical text, whichever way the driver returns them."""
    if isinstance(value, datetime):
        return canonical_moment(value if value.tzinfo else value.replace(tzinfo=UTC))
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Months:
    """The post's receipt months in receipt-id order, handed out receipt by receipt."""

    def __init__(
        self,
        connection: Connection,
        post_id: int,
        convert: bool,
        change_no: int | None = None,
        rows: list[Any] | None = None,
    ) -> None:
        self.connection = connection
        self.convert = convert
        if rows is not None:  # read already (``_imported``)
            self.rows = iter(rows)
        elif change_no is None:
            self.rows = driver_rows(connection, _MONTHS.format(only=""), (post_id,))
        elif connection.dialect.name == "postgresql":
            ids = [row[0] for row in driver_all(connection, _IMPORTED_IDS, (post_id, change_no))]
            self.rows = driver_rows(connection, _MONTHS_OF_IDS, (ids,))
        else:
            sql = _MONTHS.format(only=_ONLY_MONTHS)
            self.rows = driver_rows(connection, sql, (post_id, post_id, change_no))
        self.next: Any = next(self.rows, None)

    def of(self, receipt_id: int) -> list[tuple[Any, ...]]:
        while self.next is not None and self.next[0] < receipt_id:
            self.next = next(self.rows, None)
        if self.next is None or self.next[0] > receipt_id:
            # Receipt ids out of chain order (never in this program's writes): ask directly.
            rows = list(self.connection.execute(text(_MONTHS_OF), {"receipt": receipt_id}))
        else:
            rows = []
            while self.next is not None and self.next[0] == receipt_id:
                rows.append(self.next)
                self.next = next(self.rows, None)
        if self.convert:
            return [(_iso(r[1]), r[2], r[3], r[4], r[5], r[6]) for r in rows]
        return [tuple(r)[1:] for r in rows]


@dataclass(frozen=True)
class ChainEnd:
    """The newest member of a post's chain (a receipt, or an explained gap): what the next
    receipt links to and follows."""

    hash: str  # GENESIS_HASH for an empty chain
    year: int | None = None
    seq: int | None = None
    number: str | None = None
    issued_at: datetime | None = None  # a receipt's; None for a gap or an empty chain


def chain_end(session: Session, post_id: int) -> ChainEnd:
    """The newest receipt or gap of the post by number (year, then seq)."""
    receipt = session.execute(
        select(Receipt.hash, Receipt.year, Receipt.seq, Receipt.number, Receipt.issued_at)
        .where(Receipt.post_id == post_id)
        .order_by(Receipt.year.desc(), Receipt.seq.desc())
        .limit(1)
    ).first()
    gap = session.execute(
        select(ReceiptGap.hash, ReceiptGap.year, ReceiptGap.seq, ReceiptGap.number)
        .where(ReceiptGap.post_id == post_id)
        .order_by(ReceiptGap.year.desc(), ReceiptGap.seq.desc())
        .limit(1)
    ).first()
    if gap is not None and (receipt is None or (gap[1], gap[2]) > (receipt[1], receipt[2])):
        return ChainEnd(gap[0], gap[1], gap[2], gap[3])
    if receipt is not None:
        return ChainEnd(receipt[0], receipt[1], receipt[2], receipt[3], receipt[4])
    return ChainEnd(GENESIS_HASH)


def verify_chain(db: Database) -> ChainReport:
    """Check the local post's receipt chain; the first problem found, or that it is whole.

    On SQLite the common case goes the fast way (``chain_sql``): it can only find the chain
    whole; anything else, and every other database, is walked and judged here in Python."""
    with db.reading() as session:
        connection = session.connection()
        post = connection.execute(
            text("SELECT id, code FROM posts WHERE is_local = :yes"), {"yes": True}
        ).first()
        if post is None:
            raise UserError("no_post")
        whole = _sql_walk(connection, post[0], post[1])
        return whole if whole is not None else _walk(connection, post[0], post[1])


def _sql_walk(connection: Connection, post_id: int, post_code: str) -> ChainReport | None:
    """The report when SQLite's texts find every receipt whole (or the newest ones removed,
    judged by ``_check_newest`` on the very walk ``_walk`` makes); None to let ``_walk`` decide."""
    if connection.dialect.name != "sqlite":
        return None
    raw = connection.connection.driver_connection
    if raw is None or not chain_sql.available(raw):
        return None
    recorded = connection.execute(
        text("SELECT value FROM counters WHERE scope = :post AND name = :name"),
        {"post": post_code, "name": CHAIN_COUNTER},
    ).scalar()
    receipts = int(recorded or 0)
    processes = (os.cpu_count() or 1) if receipts >= chain_ranges.SPLIT_FROM else 1
    # Started first: they start Python and read the participants while this process reads on.
    helpers = chain_ranges.start_helpers(_source(connection), post_id, post_code, processes)
    ready = False
    try:
        # Read as the Python walk reads them: it stops with an error on a volunteer it cannot
        # name.
        gaps = _checked_gaps(connection, post_id, post_code, _volunteers(connection))
        if gaps is None:
            return None
        parts = chain_ranges.chunks(raw, post_id, receipts, len(helpers) + 1)
        ready = True
    finally:
        if not ready:
            for helper in helpers:
                helper.close(stop=True)
    spans = chain_ranges.check_shared(raw, helpers, post_id, post_code, parts, gaps)
    joined = None if spans is None else chain_sql.join(spans)
    if joined is None:
        return None
    count, walked, last = joined
    number = None if last is None else receipt_number(post_code, last[0], last[1])
    newest = GENESIS_HASH if last is None else last[2]
    checked = _check_newest(connection, post_id, post_code, count + len(walked), number, newest)
    explained = tuple(ExplainedGap(gap.number, gap.reason) for gap in walked)
    return replace(checked, receipts=count, gaps=explained) if checked.whole else checked


def _source(connection: Connection) -> chain_ranges.Source | None:
    """Where a worker process finds the same file, with its key (None: no file to share)."""
    url = connection.engine.url
    driver = url.get_driver_name()
    if not url.database or url.database == ":memory:" or driver not in ("pysqlcipher", "pysqlite"):
        return None
    return chain_ranges.Source(url.database, url.password if driver == "pysqlcipher" else None)


def _checked_gaps(
    connection: Connection, post_id: int, post_code: str, volunteers: dict[int, str]
) -> list[chain_sql.Gap] | None:
    """The post's explained gaps, each with its number and hash checked as the walk checks
    them; None when one is not plainly whole (or not of the types the walk formats)."""
    out = []
    for gap in _gaps(connection, post_id, None, volunteers):
        if type(gap.year) is not int or type(gap.seq) is not int:
            return None
        if gap.number != receipt_number(post_code, gap.year, gap.seq):
            return None
        try:
            digest = sha256(gap.text().encode("utf-8")).hexdigest()
        except (TypeError, ValueError):
            return None
        if digest != gap.hash or not isinstance(gap.prev_hash, str):
            return None
        out.append(chain_sql.Gap(gap.year, gap.seq, gap.number, gap.prev_hash, gap.hash,
                                 str(gap.content[1])))  # fmt: skip
    return out


def _volunteers(connection: Connection, post_id: int | None = None) -> dict[int, str]:
    """Volunteers' natural keys by id: every one's, or only the post's (``post_id``: a branch
    holds every post's, 800 for 400 posts, and a batch's records name only its own post's —
    the import maps each reference within the post)."""
    only = "" if post_id is None else " WHERE post_id = :post"
    return {
        row[0]: f"{row[1]}-V{row[2]:03d}"
        for row in connection.execute(
            text(f"SELECT id, post_code, number FROM volunteers{only}"), {"post": post_id}
        )
    }


def _keys(
    connection: Connection, post_id: int, change_no: int | None = None
) -> tuple[dict[int, str], dict[int, str]]:
    """The natural keys a receipt's hash names: volunteers by id, and the post's participants by
    id — only those the receipts of operation ``change_no`` name, when given (a week's batch
    into a branch holding thousands of the post's participants reads a few hundred)."""
    volunteers = _volunteers(connection, None if change_no is None else post_id)
    only = (
        ""
        if change_no is None
        else " AND id IN (SELECT participant_id FROM receipts WHERE post_id = :post"
        " AND change_no = :change)"
    )
    participants: dict[int, str] = {
        row[0]: row[1]
        for row in connection.execute(
            text(f"SELECT id, registration_no FROM participants WHERE post_id = :post{only}"),
            {"post": post_id, "change": change_no},
        )
    }
    return volunteers, participants


@dataclass(frozen=True)
class StoredReceipt:
    """One stored receipt (or explained gap) as the check reads it: where it sits, what it
    says, its links."""

    id: int
    year: int
    seq: int
    number: str
    content: tuple[Any, ...]  # canonical values, ``domain.receipts.CONTENT_FIELDS`` order
    lines: list[tuple[Any, ...]]
    prev_hash: str
    hash: str
    gap: bool = False  # a ``receipt_gaps`` record: content is (number, reason, at, by)

    def text(self) -> str:
        """The text its chain hash must be of."""
        if self.gap:
            return gap_chain_text(self.prev_hash, *self.content)
        return chain_text(self.prev_hash, self.content, self.lines)


def stored_receipts(
    connection: Connection, post_id: int, change_no: int | None = None
) -> Iterator[StoredReceipt]:
    """The post's receipts and explained gaps in number order, each with the canonical values
    its hash covers (only those stored by operation ``change_no``, when given)."""
    convert = connection.dialect.name != "sqlite"  # SQLite hands back the stored text as is
    rows: Iterator[Any]
    if change_no is not None and connection.dialect.name == "postgresql":
        volunteers, participants, gap_rows, month_rows, receipt_rows = _imported(
            connection, post_id, change_no
        )
        gaps = _gap_records(gap_rows, volunteers)
        months = _Months(connection, post_id, convert, change_no, rows=month_rows)
        rows = iter(receipt_rows)
    else:
        volunteers, participants = _keys(connection, post_id, change_no)
        gaps = _gaps(connection, post_id, change_no, volunteers)
        months = _Months(connection, post_id, convert, change_no)
        if change_no is None:
            rows = driver_rows(connection, _RECEIPTS.format(only=""), (post_id,))
        else:
            sql = _RECEIPTS.format(only=_ONLY_RECEIPTS)
            rows = driver_rows(connection, sql, (post_id, change_no))
    numbers = _Numbers(connection)
    for row in rows:
        (rid, year, seq, number, kind, participant_id, voids_id, issued_at, issued_on,
         issued_by_id, month_count, first_month, last_month, jkk, jkm, jht, total, cash, reason,
         holder_id, refund, stored_prev, stored_hash) = row  # fmt: skip
        while gaps and (gaps[0].year, gaps[0].seq) < (year, seq):
            yield gaps.pop(0)
        if convert:
            issued_at, issued_on = _iso(issued_at), _iso(issued_on)
            first_month, last_month = _iso(first_month), _iso(last_month)
        content = (
            number, kind, participants.get(participant_id), numbers.of(voids_id),
            issued_at, issued_on, volunteers.get(issued_by_id), month_count, first_month,
            last_month, jkk, jkm, jht, total, cash, reason, volunteers.get(holder_id),
            bool(refund),
        )  # fmt: skip
        if kind == "payment":
            numbers.known[rid] = number
        lines = months.of(rid) if kind == "payment" else []
        yield StoredReceipt(rid, year, seq, number, content, lines, stored_prev, stored_hash)
    yield from gaps


def _gaps(
    connection: Connection,
    post_id: int,
    change_no: int | None,
    volunteers: dict[int, str],
) -> list[StoredReceipt]:
    """The post's explained gaps in number order: few (only after a restore), read at once.
    A moment comes back as text (SQLite) or a datetime: ``_iso`` takes both."""
    only = "" if change_no is None else "AND g.change_no = :change"
    rows = connection.execute(
        text(_GAPS.format(only=only)), {"post": post_id, "change": change_no}
    ).all()
    return _gap_records(rows, volunteers)


def _gap_records(rows: Sequence[Any], volunteers: dict[int, str]) -> list[StoredReceipt]:
    out = []
    for gid, year, seq, number, reason, at, by_id, prev_hash, gap_hash in rows:
        content = (number, reason, _iso(at), volunteers.get(by_id))
        out.append(StoredReceipt(gid, year, seq, number, content, [], prev_hash, gap_hash, True))
    return out


def _imported(
    connection: Connection, post_id: int, change_no: int
) -> tuple[dict[int, str], dict[int, str], list[Any], list[Any], list[Any]]:
    """On PostgreSQL, what ``stored_receipts`` reads of the receipts one import brought, asked
    in one round trip instead of six (a week: 400 batches): the post's volunteers' keys, the
    keys of the participants those receipts name, the import's explained gaps, its receipts'
    months (by the receipts' ids, as one array: ``_MONTHS_OF_IDS``) and the receipts — each
    the statement read alone before (their ids written into it: two numbers)."""
    post, change = int(post_id), int(change_no)
    # The import's receipts found by its change number's index, the post only checked on them
    # (``+ 0``: not looked up by the post's index). ANDed with it, the plan read every receipt
    # of the post to find a batch's 200 (5,200 at a branch of 2 M participants: ~0.5 s of the
    # server a week, and growing with the branch).
    imported = f"r.post_id + 0 = {post} AND r.change_no = {change}"
    ids = f"ARRAY(SELECT r.id FROM receipts r WHERE {imported})"
    statements = [
        f"SELECT id, post_code, number FROM volunteers WHERE post_id = {post}",
        f"SELECT id, registration_no FROM participants WHERE post_id = {post} AND id IN"
        f" (SELECT r.participant_id FROM receipts r WHERE {imported})",
        _GAPS.format(only=f"AND g.change_no = {change}").replace(":post", str(post)),
        _MONTHS_OF_IDS.replace("ANY(?)", f"ANY({ids})"),
        _RECEIPTS.replace("r.post_id = ?", imported).format(only=""),
    ]
    volunteer_rows, participant_rows, gap_rows, month_rows, receipt_rows = driver_results(
        connection, statements
    )
    volunteers = {row[0]: f"{row[1]}-V{row[2]:03d}" for row in volunteer_rows}
    participants = {row[0]: row[1] for row in participant_rows}
    return volunteers, participants, gap_rows, month_rows, receipt_rows


class _Numbers:
    """Receipt numbers by id: those met on the walk, others (a void of a receipt that came in
    an earlier batch) looked up."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.known: dict[int, str] = {}

    def of(self, receipt_id: int | None) -> str | None:
        if receipt_id is None:
            return None
        number = self.known.get(receipt_id)
        if number is None:
            number = self.connection.execute(
                text("SELECT number FROM receipts WHERE id = :id"), {"id": receipt_id}
            ).scalar()
            if number is not None:
                self.known[receipt_id] = number
        return number


ChainRow = tuple[int, int, str, str, str, str]  # year, seq, number, prev hash, hash, text


def chain_rows(connection: Connection, post_id: int) -> Iterator[ChainRow]:
    """Each receipt (and explained gap) in number order with the text its hash must be of."""
    for r in stored_receipts(connection, post_id):
        yield r.year, r.seq, r.number, r.prev_hash, r.hash, r.text()


def _walk(connection: Connection, post_id: int, post_code: str) -> ChainReport:
    prev_hash, count, year, seq = GENESIS_HASH, 0, None, 0
    last_number: str | None = None
    gaps: list[ExplainedGap] = []

    def report(problem: str | None, number: str | None) -> ChainReport:
        return ChainReport(post_code, count, problem, number, prev_hash)

    for r in stored_receipts(connection, post_id):
        expected_seq = seq + 1 if r.year == year else 1
        if r.seq != expected_seq or r.number != receipt_number(post_code, r.year, r.seq):
            missing = receipt_number(post_code, r.year, expected_seq)
            return report(REMOVED, missing if r.seq > expected_seq else r.number)
        if r.prev_hash != prev_hash:
            # Not linked to the receipt before it: that one was removed, or the two moved.
            return report(_link_problem(connection, r.prev_hash), r.number)
        if sha256(r.text().encode("utf-8")).hexdigest() != r.hash:
            return report(ALTERED, r.number)
        prev_hash, year, seq, last_number = r.hash, r.year, r.seq, r.number
        if r.gap:
            gaps.append(ExplainedGap(r.number, str(r.content[1])))
        else:
            count += 1
    checked = _check_newest(
        connection, post_id, post_code, count + len(gaps), last_number, prev_hash
    )
    return replace(checked, receipts=count, gaps=tuple(gaps)) if checked.whole else checked


def _exists(connection: Connection, receipt_hash: str) -> bool:
    """Whether a receipt or an explained gap of the chain has this hash."""
    found = connection.execute(
        text(
            "SELECT 1 FROM receipts WHERE hash = :hash"
            " UNION ALL SELECT 1 FROM receipt_gaps WHERE hash = :hash"
        ),
        {"hash": receipt_hash},
    ).first()
    return found is not None


def _link_problem(connection: Connection, prev_hash: str) -> str:
    """A receipt follows one that is elsewhere in the chain (moved), or nowhere (removed)."""
    return REORDERED if _exists(connection, prev_hash) else REMOVED


def _check_newest(
    connection: Connection,
    post_id: int,
    post_code: str,
    count: int,
    last_number: str | None,
    newest_hash: str,
) -> ChainReport:
    counted = connection.execute(
        text("SELECT value FROM counters WHERE scope = :post AND name = :name"),
        {"post": post_code, "name": CHAIN_COUNTER},
    ).scalar()
    close = connection.execute(
        text(
            "SELECT chain_length, newest_receipt_hash FROM daily_closes WHERE post_id = :post"
            " ORDER BY number DESC LIMIT 1"
        ),
        {"post": post_id},
    ).first()
    expected = max(int(counted or 0), int(close[0]) if close else 0)
    recorded = close is None or close[1] == GENESIS_HASH or _exists(connection, close[1])
    if count < expected or not recorded:
        return ChainReport(post_code, count, NEWEST_REMOVED, last_number, newest_hash, expected)
    return ChainReport(post_code, count, None, None, newest_hash)
