"""The weekly batch: everything new or changed since the previous batch, for the branch.

``export_batch`` reads every record whose change number is above the previous batch's, up to
the highest one committed, from one snapshot and without the write lock (payments go on), seals
them (``exchange.batchfile``) and then:

1. keeps its bytes in the data folder (``batches/``) and records the batch, "never written out",
   in one short unit of work (another export that recorded the same number first makes it read
   again);
2. writes the file to the stick under a temporary name, synced, read back and checked, outside
   any transaction: a slow stick keeps nobody waiting;
3. gives it its final name, and records where it was written;
4. writes the post's encrypted full backup beside it (``services.backup``); a stick that fails
   there leaves the batch as it is.

So a file under a final batch name always verifies and is always a batch this post recorded; a
stick that fails at step 2 or 3 leaves a recorded batch to write again (``write_again``), byte
for byte the same, from the kept copy.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, LargeBinary, Table, func, select
from sqlalchemy.orm import Session

from rumah_perisai import __version__, formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import (
    AuditEntry,
    Batch,
    CardIssue,
    Counter,
    CoverPeriod,
    DailyClose,
    DailyCloseLine,
    DataRequest,
    Deposit,
    DepositClose,
    Participant,
    Post,
    Receipt,
    ReceiptGap,
    ReceiptMonth,
    Volunteer,
)
from rumah_perisai.db.raw import driver_all
from rumah_perisai.db.types import UTCDateTime
from rumah_perisai.db.uow import (
    CHANGE_COUNTER,
    Database,
    begin_operation,
    check_clock,
    operation_time,
)
from rumah_perisai.domain.receipts import CHAIN_COUNTER
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.batchfile import (
    FILE_SUFFIX,
    BatchFileError,
    PlainPart,
    SealedBatch,
    check_signer,
    open_batch,
    seal,
)
from rumah_perisai.exchange.canonical import b64
from rumah_perisai.exchange.safe_write import stage, write_failed, write_file
from rumah_perisai.i18n import tr
from rumah_perisai.keys import fingerprint, format_fingerprint, load_post_key
from rumah_perisai.keys.installed import branch_key
from rumah_perisai.services.batch_holding import Holding, held_total, holding
from rumah_perisai.services.posts import the_post
from rumah_perisai.services.receipt_chain import chain_end
from rumah_perisai.services.restore_state import refuse_while_held
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import Progress, SilentProgress

# What a batch carries, in this order (docs/batch-format.md). Settings and call notes stay at the
# post; a volunteer's PIN hash never leaves it.
CARRIED: tuple[tuple[str, Any], ...] = (
    ("posts", Post),
    ("volunteers", Volunteer),
    ("participants", Participant),
    ("cover_periods", CoverPeriod),
    ("receipts", Receipt),
    ("receipt_months", ReceiptMonth),
    # Numbers explained without a receipt after a restore (issue 16): new in December 2026; a
    # branch reads a batch without this part as one without gaps.
    ("receipt_gaps", ReceiptGap),
    ("card_issues", CardIssue),
    ("daily_closes", DailyClose),
    ("daily_close_lines", DailyCloseLine),
    ("deposits", Deposit),
    ("deposit_closes", DepositClose),
    # A person's requests about their data (issue 19): new in December 2026, read as none from
    # a batch without this part. The branch does what each asked to its own copy.
    ("data_requests", DataRequest),
)
AUDIT_PART = "audit_log"
LEFT_AT_POST = {
    "posts": {"is_local", "suspended_at", "suspended_reason"},
    "volunteers": {"pin_hash"},
    # Keyed with this post's own key: the branch keys its own (docs/personal-data.md).
    "participants": {"nik_keyed"},
    "data_requests": {"branch_done_at"},  # the post's note of the branch's ACK
}
SECRET_AUDIT_FIELDS = ("pin_hash",)
# The branch's own notes on a record (where it came from, which version it holds, when the
# branch first saw it): empty at a post, never carried.
BRANCH_NOTES = {"source_id", "source_change", "nik_prefix", "first_change"}


@dataclass(frozen=True)
class BatchInfo:
    """One row of the batches page."""

    seq: int
    file_name: str
    created_at: datetime
    created_on: date
    change_from: int
    change_to: int
    counts: dict[str, int]
    summary: dict[str, int]
    file_size: int
    file_hash: str
    state: str  # written | acknowledged
    copied_at: datetime | None
    copied_to: str | None
    acknowledged_at: datetime | None

    @property
    def holding(self) -> Holding:
        """What it holds, in the words the branch and ``batch verify`` use (issue 17)."""
        return holding(self.counts, self.summary)

    @property
    def records(self) -> int:
        return self.holding.total

    @property
    def never_written_out(self) -> bool:
        return self.copied_at is None


@dataclass(frozen=True)
class WrittenBatch:
    info: BatchInfo
    path: Path
    # The post's full backup written beside the batch (issue 16), or why it could not be: the
    # batch is whole and valid either way.
    backup: Path | None = None
    backup_error: str | None = None


def batch_file_name(post_code: str, seq: int, day: date) -> str:
    """``<post>-batch-<seq>-<date>.rpb``: post, sequence number and the post's date."""
    return f"{post_code}-batch-{seq:04d}-{day.isoformat()}{FILE_SUFFIX}"


# --- reading the records -------------------------------------------------------------------------


def _wire(column: Any, dialect: str) -> str:
    """The SELECT expression giving ``column`` as it goes into a batch, the same text from SQLite
    and PostgreSQL: moments ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC), dates ``YYYY-MM-DD``, booleans
    0/1 (the database does the formatting: a million values are too many for Python)."""
    name = f'"{column.name}"'
    kind = column.type
    sqlite = dialect == "sqlite"
    if isinstance(kind, UTCDateTime):
        # SQLAlchemy stores SQLite moments as "YYYY-MM-DD HH:MM:SS.ffffff" (always 6 digits).
        return (
            f"replace({name}, ' ', 'T') || 'Z'"
            if sqlite
            else (f'to_char({name}, \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\')')
        )
    if isinstance(kind, Date):
        return name if sqlite else f"to_char({name}, 'YYYY-MM-DD')"
    if isinstance(kind, Boolean):
        return name if sqlite else f"CAST({name} AS INTEGER)"
    return name


def _part(
    session: Session,
    name: str,
    table: Table,
    where: str,
    params: tuple[Any, ...],
    expressions: dict[str, str] | None = None,
) -> tuple[PlainPart, list[Any]]:
    connection = session.connection()
    dialect = connection.dialect.name
    columns = _carried_columns(name, table)
    chosen = expressions or {}
    selected = ", ".join(chosen.get(c.name) or _wire(c, dialect) for c in columns)
    sql = f"SELECT {selected} FROM {table.name} WHERE {where} ORDER BY id"
    rows = driver_all(connection, sql, params)
    binary = [i for i, c in enumerate(columns) if isinstance(c.type, LargeBinary)]
    if binary:  # the post's public key: one row
        rows = [
            [b64(bytes(v)) if i in binary and v is not None else v for i, v in enumerate(row)]
            for row in rows
        ]
    return _plain(name, [c.name for c in columns], rows), rows


def _carried_columns(name: str, table: Table) -> list[Any]:
    left = LEFT_AT_POST.get(name, set()) | BRANCH_NOTES
    return [c for c in table.columns if c.name not in left]


def _plain(name: str, columns: list[str], rows: list[Any]) -> PlainPart:
    document = {"table": name, "columns": columns, "rows": rows}
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return PlainPart(name=name, records=len(rows), data=data)


def _audit_part(session: Session, change_from: int, change_to: int) -> PlainPart:
    """The post's own audit entries for the carried records: who changed what, before/after.

    A ``create`` entry's values are the record's first state, which the record itself and the
    ``update`` entries after it already give: it goes without them (``changes_json`` empty),
    which halves the batch of a busy week."""
    table = AuditEntry.__table__
    assert isinstance(table, Table)
    carried = ", ".join(f"'{name}'" for name, _model in CARRIED)
    where = f"change_no > ? AND change_no <= ? AND origin = 'local' AND entity IN ({carried})"
    only_updates = {"changes_json": "CASE WHEN action = 'create' THEN NULL ELSE changes_json END"}
    part, rows = _part(session, AUDIT_PART, table, where, (change_from, change_to), only_updates)
    columns = [c.name for c in _carried_columns(AUDIT_PART, table)]
    entity, changes = columns.index("entity"), columns.index("changes_json")
    scrubbed = False
    for index, row in enumerate(rows):
        if (
            row[entity] == "volunteers"
            and row[changes] is not None
            and any(f in row[changes] for f in SECRET_AUDIT_FIELDS)
        ):
            values = json.loads(row[changes])
            for secret in SECRET_AUDIT_FIELDS:
                if secret in values:
                    values[secret] = "(kept at the post)"
            rows[index] = [*row[:changes], json.dumps(values), *row[changes + 1 :]]
            scrubbed = True
    return _plain(AUDIT_PART, columns, rows) if scrubbed else part


@dataclass(frozen=True)
class _Read:
    parts: list[PlainPart]
    summary: dict[str, int]
    participants_through: int  # the highest participant number sent so far


def _read_parts(
    session: Session,
    post: Post,
    change_from: int,
    change_to: int,
    participants_before: int,
    progress: Progress,
) -> _Read:
    parts: list[PlainPart] = []
    rows_of: dict[str, tuple[list[str], list[Any]]] = {}
    total = len(CARRIED) + 3
    for index, (name, model) in enumerate(CARRIED):
        progress.step(index, total, name)
        table = model.__table__
        owner = "id = ?" if model is Post else "post_id = ?"
        where = f"{owner} AND change_no > ? AND change_no <= ?"
        part, rows = _part(session, name, table, where, (post.id, change_from, change_to))
        parts.append(part)
        columns = [c.name for c in _carried_columns(name, table)]
        rows_of[name] = (columns, rows)
    progress.step(len(CARRIED), total, AUDIT_PART)
    parts.append(_audit_part(session, change_from, change_to))
    counts = {part.name: part.records for part in parts}
    columns, receipts = rows_of["receipts"]
    kind, refund, paper = (columns.index(n) for n in ("kind", "refund", "paper_entered_at"))
    columns, participants = rows_of["participants"]
    number = columns.index("number")
    # A participant numbered above every one sent before is a new registration; one below is a
    # correction, withdrawal, reactivation or a status kept in step by a payment.
    registrations = sum(1 for row in participants if row[number] > participants_before)
    through = max([participants_before, *(row[number] for row in participants)])
    summary = {
        "registrations": registrations,
        "participant_changes": counts["participants"] - registrations,
        "payments": sum(1 for r in receipts if r[kind] == "payment"),
        "voids": sum(1 for r in receipts if r[kind] == "void" and not r[refund]),
        "refunds": sum(1 for r in receipts if r[kind] == "void" and r[refund]),
        "card_issues": counts["card_issues"],
        "daily_closes": counts["daily_closes"],
        "deposits": counts["deposits"],
    }
    # After a restore (issue 16), and only then: receipts entered again from their paper
    # halves, and numbers whose paper half was lost, each with a coordinator's reason.
    paper_receipts = sum(1 for r in receipts if r[paper] is not None)
    if paper_receipts or counts["receipt_gaps"]:
        summary["paper_receipts"] = paper_receipts
        summary["receipt_gaps"] = counts["receipt_gaps"]
    return _Read(parts, summary, through)


def _newest_receipt(session: Session, post: Post) -> dict[str, Any]:
    newest = chain_end(session, post.id).hash  # a receipt, or a gap explained after a restore
    length = session.scalar(
        select(Counter.value).where(Counter.scope == post.code, Counter.name == CHAIN_COUNTER)
    )
    return {"hash": newest, "chain_length": int(length or 0)}


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sealed:
    """A batch read from one snapshot and sealed, not yet recorded."""

    post_id: int
    post_code: str
    post_key: bytes  # the post's signing key, to check the file read back from the stick
    seq: int
    name: str
    data: bytes
    created_at: datetime
    change_from: int
    change_to: int
    prev_hash: str | None
    counts_json: str
    newest_receipt_hash: str


# Two exports at once: the one that finds its sequence number taken reads again (and then finds
# nothing new, or only what changed since). More than this many in a row cannot happen.
_RECORD_ATTEMPTS = 3


def export_batch(
    db: Database,
    folder: DataFolder,
    out_dir: Path,
    actor: Actor,
    progress: Progress | None = None,
) -> WrittenBatch:
    """Write the next batch to ``out_dir`` (the stick): read, sealed, recorded, then written.

    Refused, with nothing recorded and no file under a batch name: no branch key installed;
    nothing new since the previous batch; ``out_dir`` missing; this computer's disk full. A
    stick that is full, read-only or pulled out leaves the batch recorded but never written
    out (``batch_saved_not_written``): it is written again from the kept copy. A coordinator
    (or the command line) writes batches.
    """
    _require_batch_writer(actor)
    progress = progress or SilentProgress()
    out_dir = _existing_dir(out_dir)
    sealed = _sealed_and_recorded(db, folder, actor, progress)

    # No progress step from here on: the batch is recorded, a Cancel now would only mislead.
    # Nobody waits for the stick: payments go on while it is written (issue 14, item 6).
    def check(back: bytes) -> None:
        _check_own(back, sealed.name, sealed.post_key, sealed.post_code, sealed.seq)

    try:
        path = stage(out_dir, sealed.name, sealed.data, check).publish()
    except UserError as error:
        reason = error.message()
        raise UserError("batch_saved_not_written", seq=sealed.seq, reason=reason) from error
    info = _mark_copied(db, sealed.seq, path, actor)
    backup, backup_error = _backup_beside(db, folder, out_dir)
    return WrittenBatch(info, path, backup, backup_error)


def _backup_beside(
    db: Database, folder: DataFolder, out_dir: Path
) -> tuple[Path | None, str | None]:
    """The post's encrypted full backup on the stick beside the batch, made after the batch is
    recorded (so it holds it). A stick that is full or pulled out meanwhile leaves no half
    backup under a backup's name, and the batch stands."""
    from rumah_perisai.services.backup import backup_beside_batch, folder_of

    if folder_of(db) is None:  # not the post's own database: nothing of it to back up
        return None, None
    try:
        return backup_beside_batch(db, folder, out_dir).path, None
    except UserError as error:
        return None, error.message()


def _sealed_and_recorded(
    db: Database, folder: DataFolder, actor: Actor, progress: Progress
) -> _Sealed:
    for _attempt in range(_RECORD_ATTEMPTS):
        sealed = _read_and_seal(db, folder, progress)
        if _record(db, folder, actor, sealed):
            return sealed
    raise UserError("db_busy")


def _read_and_seal(db: Database, folder: DataFolder, progress: Progress) -> _Sealed:
    """Read everything new from one snapshot, without the write lock, and seal it.

    Every writer takes its change number from the change counter and commits it together with
    its records, one writer at a time (``begin_operation``). So the counter's value in a
    snapshot is a clean cut: every change up to it is in the snapshot, whole, and none after.
    Payments go on meanwhile; they get higher numbers and go into the next batch.
    """
    with db.reading() as session:
        post = the_post(session)  # the first query: the snapshot is taken here
        branch = branch_key(session)
        if branch is None:
            raise UserError("no_branch_key")
        # After a restore: paper receipts entered later would be older than this batch, and
        # the branch takes nothing older than the previous batch (issue 16).
        refuse_while_held(session)
        change_to = _committed_changes(session)
        previous = session.scalars(
            select(Batch).where(Batch.post_id == post.id).order_by(Batch.seq.desc()).limit(1)
        ).first()
        change_from = previous.change_to if previous else 0
        before = _participants_through(previous)
        read = _read_parts(session, post, change_from, change_to, before, progress)
        parts, summary = read.parts, read.summary
        if previous is not None and not any(p.records for p in parts[:-1]):
            raise UserError("batch_nothing_new", seq=previous.seq, name=previous.file_name)
        # Read after the snapshot was taken, so later than everything in it, unless the clock
        # really is behind (refused here as by any writer, before the sealing's work).
        check_clock(session)
        now = operation_time(session)
        seq = previous.seq + 1 if previous else 1
        today = local_date(now, post.timezone)
        newest_receipt = _newest_receipt(session, post)
        manifest = {
            "post": {"code": post.code, "name": post.name},
            "seq": seq,
            "prev_batch_hash": previous.file_hash if previous else None,
            "created_at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "created_on": today.isoformat(),
            "changes": {"from": change_from, "to": change_to},
            "newest_receipt": newest_receipt,
            "summary": summary,
            "demo": post.is_demo,
            "app_version": __version__,
        }
        post_id, post_code, post_key = post.id, post.code, post.signing_public_key
        prev_hash = previous.file_hash if previous else None
    total = len(CARRIED) + 3
    progress.step(total - 2, total, "seal")
    # zlib level 1: a third of level 6's time for a file about a fifth bigger.
    data = seal(
        manifest, parts, post_key=load_post_key(folder.keys), branch=branch, compress_level=1
    )
    # The last moment to cancel: after this step the batch is recorded.
    progress.step(total - 1, total, "write")
    return _Sealed(
        post_id=post_id,
        post_code=post_code,
        post_key=post_key,
        seq=seq,
        name=batch_file_name(post_code, seq, today),
        data=data,
        created_at=now,
        change_from=change_from,
        change_to=change_to,
        prev_hash=prev_hash,
        counts_json=json.dumps(
            {
                "parts": {p.name: p.records for p in parts},
                "summary": summary,
                "participants_through": read.participants_through,
            }
        ),
        newest_receipt_hash=str(newest_receipt["hash"]),
    )


def _committed_changes(session: Session) -> int:
    """The highest change number committed in this session's snapshot."""
    value = session.scalar(
        select(Counter.value).where(
            Counter.scope == CHANGE_COUNTER[0], Counter.name == CHANGE_COUNTER[1]
        )
    )
    return int(value or 0)


class _SeqTaken(Exception):
    """Another export recorded this sequence number first (rolls the attempt back)."""


def _record(db: Database, folder: DataFolder, actor: Actor, sealed: _Sealed) -> bool:
    """Keep the bytes and record the batch, in one short unit of work; False (nothing done)
    when another export recorded this sequence number meanwhile."""
    try:
        with db.unit_of_work(actor.label) as session:
            begin_operation(session)  # the write lock, and the clock checked under it
            newest = session.scalar(
                select(func.max(Batch.seq)).where(Batch.post_id == sealed.post_id)
            )
            if (newest or 0) != sealed.seq - 1:
                raise _SeqTaken()
            _add_batch(session, folder, sealed)
    except _SeqTaken:
        return False
    return True


def _add_batch(session: Session, folder: DataFolder, sealed: _Sealed) -> None:
    """The kept copy first: every recorded batch has one (a kill between leaves only a copy
    without a record, set aside by the next export)."""
    _keep_copy(folder, sealed.name, sealed.data)
    session.add(
        Batch(
            post_id=sealed.post_id,
            seq=sealed.seq,
            created_at=sealed.created_at,
            change_from=sealed.change_from,
            change_to=sealed.change_to,
            prev_hash=sealed.prev_hash,
            file_hash=hashlib.sha256(sealed.data).hexdigest(),
            file_name=sealed.name,
            counts_json=sealed.counts_json,
            newest_receipt_hash=sealed.newest_receipt_hash,
            file_size=len(sealed.data),
        )
    )
    session.flush()


def write_again(
    db: Database, folder: DataFolder, seq: int, out_dir: Path, actor: Actor
) -> WrittenBatch:
    """Write batch ``seq`` again from the copy kept here: the very same bytes."""
    _require_batch_writer(actor)
    out_dir = _existing_dir(out_dir)
    with db.reading() as session:
        post = the_post(session)
        query = select(Batch).where(Batch.post_id == post.id, Batch.seq == seq)
        batch = session.scalars(query).first()
        if batch is None or batch.copy_removed_at is not None:  # removed: erased person's data
            raise UserError("batch_unknown" if batch is None else "batch_copy_erased", seq=seq)
        name, file_hash = batch.file_name, batch.file_hash
    kept = folder.batches / name
    try:
        data = kept.read_bytes()
    except OSError as error:
        raise UserError("batch_copy_missing", seq=seq, path=str(kept)) from error
    if hashlib.sha256(data).hexdigest() != file_hash:
        raise UserError("batch_copy_damaged", seq=seq, path=str(kept))
    key, code = post.signing_public_key, post.code
    path = stage(out_dir, name, data, lambda back: _check_own(back, name, key, code, seq)).publish()
    return WrittenBatch(_mark_copied(db, seq, path, actor), path)


def _participants_through(previous: Batch | None) -> int:
    if previous is None:
        return 0
    return int(json.loads(previous.counts_json).get("participants_through", 0))


def _require_batch_writer(actor: Actor) -> None:
    # The coordinator writes the weekly batch (PRODUCT.md, "Users"); the command line is run by
    # whoever holds the laptop's own account, as for every other command.
    if actor.volunteer_id is not None and not actor.is_coordinator:
        raise UserError("coordinator_only")


def _existing_dir(path: Path) -> Path:
    path = path.expanduser()
    if not path.is_dir():
        raise UserError("batch_out_missing", path=str(path))
    return path.resolve()


def _check_own(data: bytes, name: str, post_key: bytes, post_code: str, seq: int) -> None:
    sealed = open_batch(data, name)
    check_signer(sealed, post_key, name)
    if sealed.seq != seq or sealed.post_code != post_code:
        raise BatchFileError("batch_manifest_bad", name=name, reason="seq")


def _keep_copy(folder: DataFolder, name: str, data: bytes) -> None:
    """Keep the bytes until the branch acknowledges them. A file of that name can only be left
    by an export killed before its commit (the batch was never recorded): it is set aside,
    not overwritten."""
    try:
        folder.batches.mkdir(parents=True, exist_ok=True)
        existing = folder.batches / name
        if existing.exists() and existing.read_bytes() != data:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            os.replace(existing, folder.batches / f"{name}.unrecorded-{stamp}")
    except OSError as error:
        raise write_failed(folder.batches, error, computer=True) from error
    # This computer's own disk: full is "the computer's disk is full", never "the stick".
    write_file(folder.batches, name, data, computer=True)


def _mark_copied(db: Database, seq: int, path: Path, actor: Actor) -> BatchInfo:
    with db.unit_of_work(actor.label) as session:
        post = the_post(session)
        batch = session.scalars(
            select(Batch).where(Batch.post_id == post.id, Batch.seq == seq)
        ).one()
        batch.copied_at = operation_time(session)
        batch.copied_to = str(path.parent)
        session.flush()
        return _info(batch, post.timezone)


# --- looking -------------------------------------------------------------------------------------


def _info(batch: Batch, timezone: str) -> BatchInfo:
    counts = json.loads(batch.counts_json)
    return BatchInfo(
        seq=batch.seq,
        file_name=batch.file_name,
        created_at=batch.created_at,
        created_on=local_date(batch.created_at, timezone),
        change_from=batch.change_from,
        change_to=batch.change_to,
        counts=dict(counts.get("parts", {})),
        summary=dict(counts.get("summary", {})),
        file_size=batch.file_size,
        file_hash=batch.file_hash,
        state=batch.state,
        copied_at=batch.copied_at,
        copied_to=batch.copied_to,
        acknowledged_at=batch.acknowledged_at,
    )


def batches(db: Database) -> list[BatchInfo]:
    """This post's batches, newest first."""
    with db.reading() as session:
        post = the_post(session)
        rows = session.scalars(
            select(Batch).where(Batch.post_id == post.id).order_by(Batch.seq.desc())
        )
        return [_info(batch, post.timezone) for batch in rows]


@dataclass(frozen=True)
class Pending:
    """What the next batch would carry: changes since the last one, and the branch key."""

    changes: int  # rows of every carried table: whether there is anything to write at all
    holds: int  # what the batch would hold, counted as the batches page counts a batch
    last: BatchInfo | None
    branch_fingerprint: str | None
    branch_name: str | None


def pending(db: Database) -> Pending:
    with db.reading() as session:
        post = the_post(session)
        last = session.scalars(
            select(Batch).where(Batch.post_id == post.id).order_by(Batch.seq.desc()).limit(1)
        ).first()
        since = last.change_to if last else 0
        rows: dict[str, int] = {}
        for name, model in CARRIED:
            table = model.__table__
            owner = table.c.id == post.id if model is Post else table.c.post_id == post.id
            rows[name] = int(
                session.scalar(
                    select(func.count()).select_from(table).where(owner, table.c.change_no > since)
                )
                or 0
            )
        key = branch_key(session)
        return Pending(
            changes=sum(rows.values()),
            holds=held_total(rows),
            last=_info(last, post.timezone) if last else None,
            branch_fingerprint=key.fingerprint if key else None,
            branch_name=key.name if key else None,
        )


@dataclass(frozen=True)
class Verified:
    """What ``batch verify`` says of a whole file (from its manifest, without decrypting)."""

    path: Path
    sealed: SealedBatch
    signer_known: bool  # the post's key is known here and matches
    recorded_here: bool | None  # this post's own batch, recorded in this database (None: not ours)
    manifest: dict[str, Any] = field(default_factory=dict)
    zone: str | None = None  # the post's time zone, when the post is known here

    @property
    def holding(self) -> Holding:
        """What the batch holds, from its manifest: the count the batches page shows."""
        parts = {
            str(part.get("name")): int(part.get("records", 0))
            for part in self.manifest.get("parts", [])
            if isinstance(part, dict)
        }
        summary = self.manifest.get("summary", {})
        return holding(parts, summary if isinstance(summary, dict) else {})

    def written_text(self) -> str:
        """When it was written, at the post: its moment in the post's zone, else its day."""
        created = self.manifest.get("created_at")
        if self.zone and isinstance(created, str):
            try:
                moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
            except ValueError:
                moment = None
            if moment is not None:
                return formats.moment(moment.astimezone(UTC), self.zone)
        day = self.manifest.get("created_on")
        try:
            return formats.day(date.fromisoformat(day)) if isinstance(day, str) else "?"
        except ValueError:
            return "?"

    def lines(self) -> list[str]:
        """What the batches page and ``batch verify`` say of the file, in the same words."""
        fp = format_fingerprint(self.key_fingerprint)
        post = self.manifest.get("post", {})
        lines = [
            tr(
                "Whole: batch {seq} of post {post} ({name}), written {created}.",
                seq=self.seq,
                post=self.post_code,
                name=post.get("name", "") if isinstance(post, dict) else "",
                created=self.written_text(),
            ),
            tr("Signed by the post's known key {fp}.", fp=fp)
            if self.signer_known
            else tr(
                "Signed by key {fp}; this post's key is not known here: compare it with the post.",
                fp=fp,
            ),
        ]
        if self.recorded_here is None:
            lines.append(tr("A batch of another post."))
        elif self.recorded_here:
            lines.append(tr("Recorded at this post."))
        else:
            lines.append(tr("NOT recorded at this post."))
        lines.append(tr("It holds {holding}", holding=self.holding.text()))
        if self.manifest.get("demo"):
            lines.append(tr("A training (demo) batch: only a training branch takes it."))
        return lines

    @property
    def post_code(self) -> str:
        return self.sealed.post_code

    @property
    def seq(self) -> int:
        return self.sealed.seq

    @property
    def key_fingerprint(self) -> str:
        return fingerprint(self.sealed.post_key)


def verify_file(db: Database | None, path: Path) -> Verified:
    """Whether ``path`` is a whole batch and whose it is; ``BatchFileError`` says why not."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UserError("file_unreadable", path=str(path), reason=error.strerror) from error
    sealed = open_batch(data, path.name)
    known_key: bytes | None = None
    recorded: bool | None = None
    zone: str | None = None
    if db is not None:
        with db.reading() as session:
            post = session.scalars(select(Post).where(Post.code == sealed.post_code)).first()
            if post is not None:
                known_key = post.signing_public_key
                zone = post.timezone
            check_signer(sealed, known_key, path.name)
            if post is not None and post.is_local:
                recorded = (
                    session.scalar(
                        select(func.count())
                        .select_from(Batch)
                        .where(Batch.post_id == post.id, Batch.file_hash == sealed.file_hash)
                    )
                    or 0
                ) > 0
    return Verified(path, sealed, known_key is not None, recorded, sealed.manifest, zone)
