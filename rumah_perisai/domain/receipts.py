"""Receipt numbers and the receipt hash chain (DOMAIN.md "Voids"; issue "Dues collection").

Numbers are gapless per post and year: ``<post>-<year>-<seq:06d>``. Each receipt's hash covers
every stored field of the receipt (with its months, by natural keys, never database ids) and the
hash of the post's previous receipt, so a receipt deleted or altered anywhere in the chain shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

GENESIS_HASH = "0" * 64  # the "previous hash" of a post's first receipt
CHAIN_FORMAT = 2  # 2: with the cash holder and the refund flag
GAP_FORMAT = 1  # a number explained without its receipt (``gap_chain_text``)


CHAIN_COUNTER = "receipt-chain"  # a post's receipts of all years: taken first, it orders writers

# The receipt's paper layouts: A4 cut into two A5 halves, or a 58 mm roll. Named here, not in
# ``printing.receipts``: the command line's parser lists them, and every command would otherwise
# load ReportLab and the services to build its parser (~0.15 s of each command's start).
RECEIPT_LAYOUTS = ("a5", "thermal58")


def receipt_number(post_code: str, year: int, seq: int) -> str:
    return f"{post_code}-{year}-{seq:06d}"


def receipt_counter(year: int) -> str:
    """Counter name of a post's receipt numbers in ``year`` (gapless per post and year)."""
    return f"receipt-{year}"


@dataclass(frozen=True)
class ReceiptLine:
    month: date  # first day of the dues month
    jkk: int
    jkm: int
    jht: int
    total: int
    rates_version: str


@dataclass(frozen=True)
class ReceiptContent:
    """Everything a receipt states. ``participant`` and ``issued_by`` are natural keys."""

    number: str
    kind: str  # "payment" or "void"
    participant: str  # registration number
    voids: str | None  # number of the voided receipt, for a void
    issued_at: datetime  # aware; hashed as UTC
    issued_on: date  # the post's business day
    issued_by: str | None  # volunteer natural key, or "cli:<login>"
    month_count: int
    first_month: date | None
    last_month: date | None
    jkk: int
    jkm: int
    jht: int
    total: int
    cash_received: int | None
    reason: str | None
    cash_holder: str | None = None  # whose cash it moves (volunteer natural key)
    refund: bool = False  # a void paid out of the day's cash (its receipt's day was closed)
    lines: Sequence[ReceiptLine] = ()


# The hashed fields, in hashing order (``lines`` come after them).
CONTENT_FIELDS = tuple(f.name for f in fields(ReceiptContent) if f.name != "lines")
LINE_FIELDS = tuple(f.name for f in fields(ReceiptLine))


def canonical_moment(moment: datetime) -> str:
    """A moment as hashed: naive UTC with microseconds, as SQLite stores it (so a raw read of
    the database needs no conversion)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _text(value: str | None) -> str:
    return "~" if value is None else f"{len(value)}:{value}"


def _number(value: int | None) -> str:
    return "~" if value is None else str(value)


def chain_hash_raw(prev_hash: str, row: Sequence[Any], lines: Sequence[Sequence[Any]]) -> str:
    """The chain hash of a receipt given as canonical values (see :func:`chain_text`)."""
    return hashlib.sha256(chain_text(prev_hash, row, lines).encode("utf-8")).hexdigest()


def chain_text(prev_hash: str, row: Sequence[Any], lines: Sequence[Sequence[Any]]) -> str:
    """The text a receipt's chain hash is taken of, from canonical values in ``CONTENT_FIELDS``
    order.

    Dates are ISO text, moments :func:`canonical_moment` text, money int, ``refund`` bool; each
    line is ``LINE_FIELDS`` with the month as ISO text. Format 2 is one line of text: every text
    field prefixed with its length (so no value can pass for two), numbers in decimal, ``~`` for
    none, fields separated by ``|``, hashed with SHA-256. Built with one format string: the
    verification of a million receipts spends most of its time here.
    """
    (number, kind, participant, voids, issued_at, issued_on, issued_by, month_count,
     first_month, last_month, jkk, jkm, jht, total, cash_received, reason, cash_holder,
     refund) = row  # fmt: skip
    head = (
        f"RPC{CHAIN_FORMAT}|{prev_hash}|{_text(number)}|{_text(kind)}|{_text(participant)}"
        f"|{_text(voids)}|{_text(issued_at)}|{_text(issued_on)}|{_text(issued_by)}"
        f"|{month_count}|{_text(first_month)}|{_text(last_month)}|{jkk}|{jkm}|{jht}|{total}"
        f"|{_number(cash_received)}|{_text(reason)}|{_text(cash_holder)}|{'T' if refund else 'F'}"
    )
    body = "".join([f"|{m}|{a}|{b}|{c}|{t}|{len(v)}:{v}" for m, a, b, c, t, v in lines])
    return head + body


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def canonical_row(content: ReceiptContent) -> tuple[object, ...]:
    """``content`` as the canonical values :func:`chain_hash_raw` takes."""
    c = content
    return (
        c.number, c.kind, c.participant, c.voids, canonical_moment(c.issued_at),
        c.issued_on.isoformat(), c.issued_by, c.month_count, _iso(c.first_month),
        _iso(c.last_month), c.jkk, c.jkm, c.jht, c.total, c.cash_received, c.reason,
        c.cash_holder, bool(c.refund),
    )  # fmt: skip


def chain_hash(content: ReceiptContent, prev_hash: str) -> str:
    """SHA-256 (hex) over every field of the receipt, its lines and the previous receipt's hash."""
    lines = [
        (line.month.isoformat(), line.jkk, line.jkm, line.jht, line.total, line.rates_version)
        for line in content.lines
    ]
    return chain_hash_raw(prev_hash, canonical_row(content), lines)


def follows(year: int, seq: int, prev_year: int | None, prev_seq: int | None) -> bool:
    """Whether number ``year``/``seq`` is the one right after ``prev`` in a post's chain: the
    next in the same year, or the first of a later year (None: the chain is empty)."""
    if prev_year is None or prev_seq is None:
        return seq == 1
    return (year == prev_year and seq == prev_seq + 1) or (year > prev_year and seq == 1)


def gap_chain_text(
    prev_hash: str, number: str, reason: str, recorded_at: str, recorded_by: str | None
) -> str:
    """The text a receipt gap's chain hash is taken of (``db.models.ReceiptGap``): the number
    whose paper half was lost, the coordinator's reason, when and by whom it was recorded
    (``recorded_at`` as :func:`canonical_moment` text), linked to the receipt before it. Its
    own prefix: a gap can never hash like a receipt, nor a receipt like a gap."""
    return (
        f"RPG{GAP_FORMAT}|{prev_hash}|{_text(number)}|{_text(reason)}|{_text(recorded_at)}"
        f"|{_text(recorded_by)}"
    )


def gap_hash(
    prev_hash: str, number: str, reason: str, recorded_at: datetime, recorded_by: str | None
) -> str:
    text = gap_chain_text(prev_hash, number, reason, canonical_moment(recorded_at), recorded_by)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
