"""``receipts verify --quick``: the receipts since the last full check, and every anchor (issue 21).

A full check that finds the chain whole records how long the chain was and its newest hash
(the setting ``receipts.chain_checked``, written by the command, audited like every setting).
The quick check then:

* checks the **anchors**: that record, every daily close (chain length and newest hash) and
  every batch (newest hash). Each recorded hash must be in the chain, a close's and the record's
  at their recorded place (that many receipts and explained gaps up to it, counted in the
  index), closes longer or as long as the close before, batches in the chain's order;
* walks, hashing each, only the receipts after the record (as the full check does: numbers,
  links, hashes, then the newest against the counters and the newest close).

When anything is not plainly right it runs the full check and gives its verdict, and names the
anchor the chain no longer matches when the full check finds the receipts themselves whole (a
close or batch record changed, or the chain rewritten with new hashes before the newest close).

On a database other than SQLite (a post's is SQLite; PostgreSQL only in tests) it is the full
check.

What it does not catch: a receipt before the record altered with its stored hash left as it was
(its fields are not hashed again; the full check finds it). Removing, adding, reordering or
re-hashing receipts before the record moves the anchors and is caught.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from rumah_perisai.db.uow import Database
from rumah_perisai.domain.receipts import GENESIS_HASH, receipt_number
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services import chain_sql
from rumah_perisai.services.receipt_chain import (
    ChainReport,
    ExplainedGap,
    _check_newest,
    _checked_gaps,
    _volunteers,
    verify_chain,
)
from rumah_perisai.services.restore_state import put_setting

CHECKED_SETTING = "receipts.chain_checked"
ANCHOR = "anchor"  # a ChainReport problem: an anchor the chain no longer matches

ANCHOR_MESSAGE = N_(
    "The receipt chain no longer matches what {number} recorded (the number of receipts then "
    "and the newest hash): receipts before it were changed, or the record was."
)


@dataclass(frozen=True)
class QuickReport:
    report: ChainReport
    since: str | None  # the number the walk started after; None: the full check ran
    checked_at: str | None = None  # when the full check it starts from ran (UTC, ISO)
    anchors: int = 0

    def message(self) -> str:
        if self.report.problem == ANCHOR:
            return tr(ANCHOR_MESSAGE, number=self.report.number or "-")
        if self.since is None or not self.report.whole:
            return self.report.message()
        return tr(
            "The {count} receipts after {since} are whole and {anchors} closes and batches match "
            "the chain; the receipts before were found whole by the full check of {at} "
            "(run without --quick to check them all again).",
            count=self.report.receipts,
            since=self.since,
            anchors=self.anchors,
            at=(self.checked_at or "-")[:16].replace("T", " ") + " UTC",
        )


def record_checked(db: Database, report: ChainReport, actor: str) -> None:
    """After a full check found the chain whole: remember how far (never moved back)."""
    if not report.whole:
        return
    length = report.receipts + len(report.gaps)
    with db.unit_of_work(actor) as session:
        stored = _checked(session.connection())
        if stored is not None and stored[0] >= length:
            return
        at = db.clock().isoformat()
        put_setting(
            session, CHECKED_SETTING, {"length": length, "hash": report.newest_hash, "at": at}
        )


def _checked(connection: Connection) -> tuple[int, str, str] | None:
    row = connection.execute(
        text("SELECT value_json FROM settings WHERE key = :key"), {"key": CHECKED_SETTING}
    ).first()
    try:
        value = json.loads(row[0]) if row is not None else None
        if not isinstance(value, dict):
            return None
        return int(value["length"]), str(value["hash"]), str(value["at"])
    except (ValueError, KeyError, TypeError):
        return None


def quick_check(db: Database) -> QuickReport:
    """The quick check; the full check's verdict whenever it is not plainly whole."""
    with db.reading() as session:
        connection = session.connection()
        found, anchor = _quick(connection)
    if found is not None:
        return found
    full = verify_chain(db)
    if full.whole and anchor is not None:
        full = replace(full, problem=ANCHOR, number=anchor)
    return QuickReport(full, None)


def _quick(connection: Connection) -> tuple[QuickReport | None, str | None]:
    """The report when all is plainly whole, else None and the first anchor that disagrees."""
    post = connection.execute(text("SELECT id, code FROM posts WHERE is_local")).first()
    checked = _checked(connection)
    raw = connection.connection.driver_connection
    if post is None or checked is None or connection.dialect.name != "sqlite" or raw is None:
        return None, None
    if not chain_sql.available(raw):
        return None, None
    post_id, code = int(post[0]), str(post[1])
    anchors = Anchors(raw, post_id)
    disagreeing = anchors.first_disagreeing(code, checked[:2])
    if disagreeing is not None:
        return None, disagreeing
    start = anchors.key_of(checked[1])
    if start is None:
        return None, None
    gaps = _checked_gaps(connection, post_id, code, _volunteers(connection))
    if gaps is None:
        return None, None
    low = (start[0], start[1] + 1)
    tail = chain_sql.check_range(
        raw, post_id, code, low, None, chain_sql.gaps_in(gaps, low, None), few=True
    )
    if tail is None or not _follows(tail, start, checked[1]):
        return None, None
    last = tail.last or (*start, checked[1])
    walked = tail.receipts + len(tail.gaps)
    number = receipt_number(code, last[0], last[1])
    report = _check_newest(connection, post_id, code, checked[0] + walked, number, last[2])
    if not report.whole:
        return None, None
    explained = tuple(ExplainedGap(gap.number, gap.reason) for gap in tail.gaps)
    report = replace(report, receipts=tail.receipts, gaps=explained)
    since = receipt_number(code, start[0], start[1])
    return QuickReport(report, since, checked[2], anchors.count), None


def _follows(tail: chain_sql.Span, start: chain_sql.Key, start_hash: str) -> bool:
    if tail.first is None:
        return True
    year, seq, prev_hash = tail.first
    return seq == (start[1] + 1 if year == start[0] else 1) and prev_hash == start_hash


class Anchors:
    """The records that name a place in the chain, checked against it."""

    def __init__(self, raw: Any, post_id: int) -> None:
        self.raw = raw
        self.post_id = post_id
        self.count = 0

    def key_of(self, digest: str) -> chain_sql.Key | None:
        """The (year, seq) of the one member with this hash; None when none or odd."""
        rows = self.raw.execute(
            "SELECT year, seq FROM receipts WHERE post_id = ?1 AND hash = ?2"
            " UNION ALL SELECT year, seq FROM receipt_gaps WHERE post_id = ?1 AND hash = ?2",
            (self.post_id, digest),
        ).fetchall()
        if len(rows) != 1 or type(rows[0][0]) is not int or type(rows[0][1]) is not int:
            return None
        return int(rows[0][0]), int(rows[0][1])

    def first_disagreeing(self, code: str, checked: tuple[int, str]) -> str | None:
        """The name of the first anchor that is not where it says in the chain, if any."""
        placed: list[tuple[str, int, str]] = [(tr("the last full check"), *checked)]
        closes = self.raw.execute(
            "SELECT number, chain_length, newest_receipt_hash FROM daily_closes"
            " WHERE post_id = ? ORDER BY number",
            (self.post_id,),
        ).fetchall()
        placed += [(f"{code}-T{n:05d}", int(length), str(h)) for n, length, h in closes]
        for before, after in zip(placed[1:], placed[2:], strict=False):
            if after[1] < before[1]:  # a close records no fewer receipts than the one before
                return after[0]
        self.count = len(closes)
        wrong = self._misplaced(placed)
        if wrong is not None:
            return wrong
        return self._batches_out_of_order()

    def _misplaced(self, placed: list[tuple[str, int, str]]) -> str | None:
        keyed: list[tuple[chain_sql.Key, int, str]] = []
        for name, length, digest in placed:
            if digest == GENESIS_HASH and length == 0:
                continue
            key = self.key_of(digest)
            if key is None:
                return name
            keyed.append((key, length, name))
        keyed.sort()
        position, since = 0, None
        for key, length, name in keyed:
            position += self._members(since, key)
            since = key
            if position != length:
                return name
        return None

    def _members(self, after: chain_sql.Key | None, upto: chain_sql.Key) -> int:
        """Receipts and explained gaps in (after, upto], counted in the (post, year, seq)
        indexes."""
        total = 0
        for table in ("receipts", "receipt_gaps"):
            sql = f"SELECT count(*) FROM {table} WHERE post_id = ? AND (year, seq) <= (?, ?)"
            params: tuple[int, ...] = (self.post_id, *upto)
            if after is not None:
                sql += " AND (year, seq) > (?, ?)"
                params += after
            total += int(self.raw.execute(sql, params).fetchone()[0])
        return total

    def _batches_out_of_order(self) -> str | None:
        rows = self.raw.execute(
            "SELECT seq, newest_receipt_hash, file_name FROM batches WHERE post_id = ?"
            " ORDER BY seq",
            (self.post_id,),
        ).fetchall()
        self.count += len(rows)
        before: chain_sql.Key = (0, 0)
        for _seq, digest, name in rows:
            if digest is None or digest == GENESIS_HASH:
                continue
            key = self.key_of(str(digest))
            if key is None or key < before:
                return str(name)
            before = key
        return None
