"""Receipt numbers and the receipt hash chain (DOMAIN.md "Voids"; issue "Dues collection").

Numbers are gapless per post and year: ``<post>-<year>-<seq:06d>``. Each receipt's hash covers
every stored field of the receipt (with its months, by natural keys, never database ids) and the
hash of the post's previous receipt, so a receipt deleted or altered anywhere in the chain shows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime

GENESIS_HASH = "0" * 64  # the "previous hash" of a post's first receipt
CHAIN_FORMAT = 1


def receipt_number(post_code: str, year: int, seq: int) -> str:
    return f"{post_code}-{year}-{seq:06d}"


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
    lines: Sequence[ReceiptLine] = ()


_CONTENT_FIELDS = tuple(f.name for f in fields(ReceiptContent) if f.name != "lines")
_LINE_FIELDS = tuple(f.name for f in fields(ReceiptLine))


def _canonical(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def chain_hash(content: ReceiptContent, prev_hash: str) -> str:
    """SHA-256 (hex) of the canonical JSON of the receipt and the previous receipt's hash.

    Built field by field (``dataclasses.asdict`` deep-copies every date: it made hashing a
    post's 100,000 receipts several times slower).
    """
    document: dict[str, object] = {
        name: _canonical(getattr(content, name)) for name in _CONTENT_FIELDS
    }
    document["lines"] = [
        {name: _canonical(getattr(line, name)) for name in _LINE_FIELDS} for line in content.lines
    ]
    document["format"] = CHAIN_FORMAT
    document["prev_hash"] = prev_hash
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
