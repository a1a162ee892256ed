"""The checks a batch passes at the branch before and while it is imported, beyond its seal
and signature (``exchange.batchfile``): where it stands in its post's sequence (already imported,
replayed, next, filling a gap, or held behind one), the times its records may carry, and its
receipts continuing the post's chain. Each refusal is a ``UserError`` naming the file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from rumah_perisai.db.models import AuditEntry, BatchImport, Post
from rumah_perisai.domain.receipts import GENESIS_HASH
from rumah_perisai.domain.receipts import follows as follows_number
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.batchfile import BatchFileError, SealedBatch
from rumah_perisai.services.receipt_chain import stored_receipts

# A batch numbered further beyond the newest the branch has from its post is refused: ten
# years of weekly batches. A signed file cannot make the branch list millions of "missing".
MAX_AHEAD = 520


# --- where a batch stands in its post's sequence -------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a batch stands in its post's sequence (``sequence_place``)."""

    already: bool = False  # this very file was imported
    held: bool = False  # this very file waits behind a gap already
    missing: int | None = None  # to be held: the batch before it has not arrived
    late: bool = False  # fills a gap passed over: a later batch was imported already
    # The post's batch records as read to place it, by number: the import goes on with them
    # (read once a batch, not three times).
    rows: dict[int, BatchImport] = field(default_factory=dict, compare=False, repr=False)


def sequence_place(
    session: Session, post: Post, sealed: SealedBatch, name: str, gap_reason: str | None
) -> Place:
    """Where the batch stands in its post's sequence; refuses a replayed or foreign batch.

    A batch follows the one before it (batch 1 follows nothing) and is imported; one whose
    predecessor has not arrived waits (held) unless passed with a reason. A batch passed over
    stays open: when it comes, it is imported if the batches on both sides of it name it as
    their neighbour (the post signed those links)."""
    rows = {
        row.seq: row
        for row in session.scalars(select(BatchImport).where(BatchImport.post_id == post.id))
    }
    same = rows.get(sealed.seq)
    if same is not None and same.file_hash == sealed.file_hash and same.state == "imported":
        return Place(already=True, rows=rows)
    if same is not None and same.file_hash != sealed.file_hash:
        raise UserError("batch_replayed", name=name, seq=sealed.seq, post=post.code)
    newest = max(rows, default=0)
    if sealed.seq > newest + MAX_AHEAD:
        raise UserError("batch_seq_implausible", name=name, seq=sealed.seq, post=post.code,
                        newest=newest)  # fmt: skip
    imported = {seq: row for seq, row in rows.items() if row.state == "imported"}
    before = imported.get(sealed.seq - 1)
    if before is not None and sealed.manifest["prev_batch_hash"] != before.file_hash:
        raise UserError("batch_not_following", name=name, seq=before.seq, post=post.code)
    after = imported.get(sealed.seq + 1)
    if after is not None and json.loads(after.manifest_json).get("prev_batch_hash") != (
        sealed.file_hash
    ):
        raise UserError("batch_not_the_one", name=name, seq=sealed.seq, post=post.code,
                        next=after.seq)  # fmt: skip
    late = any(seq > sealed.seq for seq in imported)
    if sealed.seq == 1 or before is not None or gap_reason is not None:
        return Place(held=same is not None, late=late, rows=rows)
    missing = max((seq for seq in imported if seq < sealed.seq), default=0) + 1
    return Place(held=same is not None, missing=missing, late=late, rows=rows)


def last_imported(session: Session, post_id: int) -> int:
    value = session.scalar(
        select(func.max(BatchImport.seq)).where(
            BatchImport.post_id == post_id, BatchImport.state == "imported"
        )
    )
    return int(value or 0)


def missing_batches(session: Session, post_id: int) -> list[int]:
    """The post's batches the branch still lacks: passed over, or behind one it received."""
    received = session.scalars(select(BatchImport.seq).where(BatchImport.post_id == post_id))
    return missing_of(list(received))


def missing_of(received: list[int]) -> list[int]:
    """The numbers below the newest of ``received`` (the post's batch records) not among them."""
    have = set(received)
    return [seq for seq in range(1, max(have, default=0)) if seq not in have]


# --- the times its records may carry -------------------------------------------------------------


def _moment(text: object, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError as error:
        raise BatchFileError("batch_manifest_bad", name=name, reason="created_at") from error
    if moment.tzinfo is None:
        raise BatchFileError("batch_manifest_bad", name=name, reason="created_at")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class TimeWindow:
    """The times a batch's records may carry: none later than the batch was written (to the
    second the manifest gives); none of a record new to the branch earlier than the newest
    change the post's previous batch here carried (the first batch has no lower bound).

    Why the newest change and not the previous batch's ``created_at``: a post's writers read
    the clock only once they hold the write lock, and never record a time earlier than the
    newest record (the clock rule), so its changes' times rise with their change numbers. A
    change still in flight while the previous batch read its snapshot is in this batch, and may
    be a moment older than that batch's ``created_at`` — never older than its newest change."""

    earliest: datetime | None
    latest: datetime

    def wire(self, moment: datetime) -> str:
        """As the batch writes moments (``YYYY-MM-DDTHH:MM:SS.ffffffZ``): compared as text."""
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def time_window(
    session: Session, sealed: SealedBatch, imported: dict[int, BatchImport], name: str
) -> TimeWindow:
    created = _moment(sealed.manifest.get("created_at"), name)
    below = [row for seq, row in imported.items() if seq < sealed.seq]
    above = [row for seq, row in imported.items() if seq > sealed.seq]
    earliest = None
    if below:
        newest = max(below, key=lambda row: row.seq)
        if created < _moment(json.loads(newest.manifest_json).get("created_at"), name):
            raise UserError("batch_time_order", name=name, seq=sealed.seq, post=sealed.post_code)
        earliest = session.scalar(select(func.max(_imported_at(newest.change_no).c.at)))
    if any(
        _moment(json.loads(row.manifest_json).get("created_at"), name) < created for row in above
    ):
        raise UserError("batch_time_order", name=name, seq=sealed.seq, post=sealed.post_code)
    return TimeWindow(earliest, created + timedelta(seconds=1) - timedelta(microseconds=1))


def _imported_at(change_no: int | None) -> Any:
    """The times of the history an import brought, read by the change number's index.

    Fenced (``OFFSET 0``) so that ``max`` cannot be planned as a walk down the index on
    (origin, time) from the newest imported entry until one of this change turns up: that
    walk passed every entry imported since — at a branch of 2 million participants 35 ms a
    batch, the most of what made a week grow with the branch; this reads the ~450 entries of
    the one import."""
    return (
        select(AuditEntry.at)
        .where(AuditEntry.change_no == change_no, AuditEntry.origin == "import")
        .offset(0)
        .subquery()
    )


def previous_manifest(row: BatchImport | None) -> dict[str, Any] | None:
    """The manifest of the batch just before, with its file hash and number; None when that
    batch has not been imported (the first batch, or one past a gap)."""
    if row is None:
        return None
    manifest: dict[str, Any] = json.loads(row.manifest_json)
    manifest["file_hash"] = row.file_hash
    manifest["seq"] = row.seq
    return manifest


# --- its receipts continue the post's chain ------------------------------------------------------


def check_receipts(
    connection: Connection,
    post: Post,
    change_no: int,
    sealed: SealedBatch,
    previous: dict[str, Any] | None,
    name: str,
) -> None:
    """The batch's receipts (and numbers explained without one after a restore) continue the
    post's chain: each linked to the one before, each hash over what it says, each number the
    next (none twice, none skipped), the last one the newest the manifest names, none
    missing."""
    # Past a gap (imported with an override) the receipts before are not here to follow.
    follows = (previous is None and sealed.seq == 1) or (
        previous is not None and previous["seq"] == sealed.seq - 1
    )
    newest = (previous or {}).get("newest_receipt") or {}
    tip: str | None = newest.get("hash", GENESIS_HASH) if follows else None
    before = int(newest.get("chain_length", 0))
    number = _chain_number(connection, post.id, tip) if tip is not None else None
    count = 0
    for receipt in stored_receipts(connection, post.id, change_no=change_no):
        if tip is not None and receipt.prev_hash != tip:
            raise UserError("batch_chain_broken", name=name, number=receipt.number)
        if sha256(receipt.text().encode("utf-8")).hexdigest() != receipt.hash:
            raise UserError("batch_chain_altered", name=name, number=receipt.number)
        if number is not None and not follows_number(receipt.year, receipt.seq, *number):
            raise UserError("batch_chain_numbers", name=name, number=receipt.number)
        tip, number = receipt.hash, (receipt.year, receipt.seq)
        count += 1
    claimed = sealed.manifest.get("newest_receipt") or {}
    if count and tip != claimed.get("hash"):
        raise UserError("batch_chain_incomplete", name=name)
    if follows and before + count != claimed.get("chain_length", 0):
        raise UserError("batch_chain_incomplete", name=name)
    _refuse_number_twice(connection, post.id, change_no, name)


def _chain_number(
    connection: Connection, post_id: int, chain_hash: str
) -> tuple[int | None, int | None]:
    """The number (year, seq) of the post's chain member with this hash; (None, None) before
    the first receipt."""
    if chain_hash == GENESIS_HASH:
        return None, None
    found = connection.execute(
        text(
            "SELECT year, seq FROM receipts WHERE post_id = :post AND hash = :hash"
            " UNION ALL SELECT year, seq FROM receipt_gaps WHERE post_id = :post AND hash = :hash"
        ),
        {"post": post_id, "hash": chain_hash},
    ).first()
    return (int(found[0]), int(found[1])) if found is not None else (None, None)


def _refuse_number_twice(connection: Connection, post_id: int, change_no: int, name: str) -> None:
    """A number is a receipt or an explained gap, never both (a batch past a gap is not
    checked link by link with what the branch has)."""
    twice = connection.execute(
        text(
            "SELECT g.number FROM receipt_gaps g JOIN receipts r ON r.post_id = g.post_id"
            " AND r.year = g.year AND r.seq = g.seq WHERE g.post_id = :post"
            " AND (g.change_no = :change OR r.change_no = :change) LIMIT 1"
        ),
        {"post": post_id, "change": change_no},
    ).first()
    if twice is not None:
        raise UserError("batch_chain_numbers", name=name, number=twice[0])


__all__ = [
    "MAX_AHEAD",
    "Place",
    "TimeWindow",
    "check_receipts",
    "last_imported",
    "missing_batches",
    "missing_of",
    "previous_manifest",
    "sequence_place",
    "time_window",
]
