"""The branch: its keys, the posts it knows, and importing their batches (issue 9).

A branch is a data folder with the branch's keys (``branch init``) and a database — PostgreSQL
in real use, SQLite for trying — holding the records of many posts in the same tables a post
uses. Each record keeps its id at the post (``source_id``), so a changed record is an upsert and
references are mapped by joins.

``import_batch`` checks a file (whole, signed by the post it names, a known and active post,
demo only at a training branch, encrypted to this branch, next in the post's sequence, following
the previous batch and the post's receipt chain), then imports it **in one transaction**, and
writes the signed acknowledgement beside it. A batch already imported changes nothing; a batch
after a gap is held until the gap is filled.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Connection, Date, Table, func, insert, select, text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, ProgrammingError
from sqlalchemy.orm import Session, aliased

from rumah_perisai import formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.encrypted import SQLITE_ERRORS
from rumah_perisai.db.engine import refusal_for
from rumah_perisai.db.models import (
    AuditEntry,
    BatchImport,
    BranchConflict,
    BranchRejection,
    Counter,
    Participant,
    Post,
)
from rumah_perisai.db.types import UTCDateTime
from rumah_perisai.db.uow import CHANGE_COUNTER, Database, begin_operation, operation_time
from rumah_perisai.domain.receipts import GENESIS_HASH
from rumah_perisai.domain.receipts import follows as follows_number
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import (
    Ack,
    Pending,
    Rejection,
    ack_bytes,
    ack_file_name,
    duplicate_prefix,
)
from rumah_perisai.exchange.batchfile import (
    BatchFileError,
    PartOpener,
    SealedBatch,
    check_signer,
    open_batch,
)
from rumah_perisai.exchange.safe_write import same_bytes, write_failed
from rumah_perisai.files import write_new
from rumah_perisai.i18n import tr
from rumah_perisai.keys import format_fingerprint
from rumah_perisai.keys.files import (
    BRANCH_PUBLIC_FILE,
    BranchKeys,
    PostPublicKey,
    create_branch_keys,
    load_branch_keys,
    read_post_key_file,
)
from rumah_perisai.services.batch_holding import Holding, holding
from rumah_perisai.services.batches import AUDIT_PART, CARRIED
from rumah_perisai.services.posts import local_post
from rumah_perisai.services.receipt_chain import stored_receipts
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import Progress, SilentProgress

# What a value from the file that SQLite cannot take raises while it is staged.
_BAD_VALUE_ERRORS: tuple[type[Exception], ...] = (
    *SQLITE_ERRORS,
    OverflowError,
    TypeError,
    ValueError,
)

log = logging.getLogger(__name__)

# The order records are imported in: everything a record refers to comes before it. A void
# refers to the receipt it voids, possibly in the same batch: that link is set in a second pass.
IMPORT_ORDER = (
    "volunteers", "participants", "receipts", "receipt_gaps", "cover_periods", "receipt_months",
    "card_issues", "daily_closes", "daily_close_lines", "deposits", "deposit_closes",
)  # fmt: skip
# Parts a batch of an older program does not have: read as empty.
LATER_PARTS = {"receipt_gaps"}
MODELS: dict[str, Any] = dict(CARRIED)
SELF_LINKS = {("receipts", "voids_receipt_id")}
# Unique within a post, and changeable there (a NIK corrected, a login renamed).
SHUFFLED = {"participants": "nik", "volunteers": "login"}
# Natural keys that begin with the post's code: checked, so no post can take another's.
OWN_NUMBERS = {"participants": ("registration_no",), "receipts": ("number",),
               "receipt_months": ("receipt_number",), "receipt_gaps": ("number",)}  # fmt: skip
# Columns the branch fills, not the post: a post's later batch never empties them.
BRANCH_OWNED = {("participants", "kpj")}
# From this many rows a part is joined with hash or merge joins only (``_Importer._hash_joins``).
HASH_JOINS_FROM = 1_000
HELD_FOLDER = "held"
# A batch numbered further beyond the newest the branch has from its post is refused: ten
# years of weekly batches. A signed file cannot make the branch list millions of "missing".
MAX_AHEAD = 520
# The advisory lock every import takes (``_begin_import``): any number of this program's own.
IMPORT_LOCK = 0x52500E14
IMPORT_LOCK_WAIT = 10  # seconds a non-import writer holding the change counter is waited for
CLIENT_CHECK_MS = 2_000  # how often the server looks whether an import's client is still there
# The server's TCP keepalives on an import's connection: a client that vanished without closing
# its connection (power cut, cable) is given up after 30 + 3 × 10 s.
SERVER_KEEPALIVES = {"tcp_keepalives_idle": 30, "tcp_keepalives_interval": 10,
                     "tcp_keepalives_count": 3}  # fmt: skip
DUPLICATE_REASON = "duplicate_nik"
CONFLICT_REASON = "nik_conflict_pending"
DECIDED_REASON = "nik_conflict_decided"


# --- the branch's keys and posts -----------------------------------------------------------------


def is_branch(folder: DataFolder) -> bool:
    return (folder.keys / BRANCH_PUBLIC_FILE).exists()


def branch_keys(folder: DataFolder) -> BranchKeys:
    if not is_branch(folder):
        raise UserError("not_a_branch", path=str(folder.root))
    return load_branch_keys(folder.keys)


def init_branch(db: Database, folder: DataFolder, code: str, name: str, *, demo: bool) -> Path:
    """Make the branch's keys; returns its public key file (for the posts)."""
    code, name = code.strip().upper(), " ".join(name.split())
    if not code or len(code) > 16 or not name:
        raise UserError("branch_name_bad")
    with db.reading() as session:
        post = local_post(session)
    if post is not None:
        raise UserError("branch_in_post_folder", code=post.code)
    create_branch_keys(folder.keys, code, name, demo=demo)
    return folder.keys / BRANCH_PUBLIC_FILE


@dataclass(frozen=True)
class AddedPost:
    key: PostPublicKey
    unchanged: bool


def add_post(db: Database, folder: DataFolder, data: bytes, actor: Actor) -> AddedPost:
    """Register a post's public key file (its fingerprint compared by phone beforehand)."""
    branch = branch_keys(folder).public
    key = read_post_key_file(data)
    if key.demo != branch.demo:
        raise UserError("post_demo_at_real_branch" if key.demo else "post_real_at_training_branch")
    with db.unit_of_work(actor.label) as session:
        existing = session.scalars(select(Post).where(Post.code == key.code)).first()
        if existing is not None:
            if existing.signing_public_key == key.signing_key:
                return AddedPost(key, unchanged=True)
            raise UserError(
                "post_key_differs",
                code=key.code,
                fingerprint=format_fingerprint(existing.key_fingerprint),
            )
        session.add(
            Post(
                code=key.code,
                name=key.name,
                kabupaten_code=key.kabupaten_code,
                timezone=key.timezone,
                is_local=False,
                is_demo=key.demo,
                signing_public_key=key.signing_key,
                key_fingerprint=key.fingerprint,
                created_at=operation_time(session),
            )
        )
    return AddedPost(key, unchanged=False)


def set_suspended(db: Database, code: str, reason: str | None, actor: Actor) -> None:
    """Suspend a post (``reason`` given: its batches are refused) or let it send again (None)."""
    with db.unit_of_work(actor.label) as session:
        post = _known_post(session, code.strip().upper())
        if reason is not None:
            reason = " ".join(reason.split())
            if not reason:
                raise UserError("reason_needed")
            post.suspended_at = operation_time(session)
            post.suspended_reason = reason
        else:
            post.suspended_at = None
            post.suspended_reason = None


def _known_post(session: Session, code: str) -> Post:
    post = session.scalars(select(Post).where(Post.code == code, Post.is_local.is_(False))).first()
    if post is None:
        raise UserError("post_unknown", code=code)
    return post


@dataclass(frozen=True)
class BranchPost:
    code: str
    name: str
    fingerprint: str
    demo: bool
    suspended_reason: str | None
    last_seq: int  # the newest batch imported, 0 for none
    held: list[int]  # batches waiting behind a gap
    participants: int
    missing: list[int] = field(default_factory=list)  # passed over or not yet come, below newest
    conflicts: int = 0  # NIK conflicts of its registrations waiting for an officer


def branch_posts(db: Database) -> list[BranchPost]:
    with db.reading() as session:
        rows = []
        for post in session.scalars(
            select(Post).where(Post.is_local.is_(False)).order_by(Post.code)
        ):
            imports = session.execute(
                select(BatchImport.seq, BatchImport.state).where(BatchImport.post_id == post.id)
            ).all()
            count = session.scalar(
                select(func.count()).select_from(Participant).where(Participant.post_id == post.id)
            )
            rows.append(
                BranchPost(
                    code=post.code,
                    name=post.name,
                    fingerprint=post.key_fingerprint,
                    demo=post.is_demo,
                    suspended_reason=post.suspended_reason,
                    last_seq=max((s for s, state in imports if state == "imported"), default=0),
                    held=sorted(s for s, state in imports if state == "held"),
                    participants=int(count or 0),
                    missing=_missing(session, post.id),
                    conflicts=len(_pending_for(session, post.id)),
                )
            )
        return rows


# --- NIK conflicts held for a branch officer ---------------------------------------------------


@dataclass(frozen=True)
class ConflictSide:
    post_code: str
    registration_no: str
    name: str  # shown to the branch officer, who must tell the two apart
    birth_date: str
    registered_on: str
    first_seen: str  # when the branch first imported it (UTC day)


@dataclass(frozen=True)
class Conflict:
    id: int
    found_on: str
    first: ConflictSide  # seen first by the branch
    second: ConflictSide


def pending_conflicts(db: Database) -> list[Conflict]:
    """NIK conflicts between two accepted members, waiting for a branch officer's decision."""
    with db.reading() as session:
        first, second = aliased(Participant), aliased(Participant)
        seen = {
            change_no: at
            for change_no, at in session.execute(
                select(BatchImport.change_no, BatchImport.imported_at).where(
                    BatchImport.state == "imported"
                )
            )
        }

        def side(person: Participant) -> ConflictSide:
            at = seen.get(person.first_change or -1)
            return ConflictSide(
                person.post_code, person.registration_no, person.name,
                person.birth_date.isoformat(), person.registered_on.isoformat(),
                at.astimezone(UTC).date().isoformat() if at else "",
            )  # fmt: skip

        return [
            Conflict(c.id, c.found_at.astimezone(UTC).date().isoformat(), side(a), side(b))
            for c, a, b in session.execute(
                select(BranchConflict, first, second)
                .join(first, first.id == BranchConflict.first_id)
                .join(second, second.id == BranchConflict.second_id)
                .where(BranchConflict.state == "pending")
                .order_by(BranchConflict.id)
            )
        ]


def decide_conflict(db: Database, conflict_id: int, keep: str, note: str, actor: Actor) -> str:
    """A branch officer decides a NIK conflict: registration ``keep`` stands, the other is
    rejected (its post hears it in its next acknowledgement, as any rejection). Returns the
    registration number rejected."""
    note = " ".join(note.split())
    if not note:
        raise UserError("reason_needed")
    with db.unit_of_work(actor.label) as session:
        begin_operation(session)  # read under the write lock: two officers cannot both decide
        conflict = session.get(BranchConflict, conflict_id, populate_existing=True)
        if conflict is None or conflict.state != "pending":
            raise UserError("conflict_unknown", id=conflict_id)
        one = session.get(Participant, conflict.first_id, populate_existing=True)
        other = session.get(Participant, conflict.second_id, populate_existing=True)
        assert one is not None and other is not None
        if one.nik != other.nik or one.standing != "member" or other.standing != "member":
            raise UserError("conflict_unknown", id=conflict_id)  # settled meanwhile
        keep = keep.strip().upper()
        if keep not in (one.registration_no, other.registration_no):
            raise UserError("conflict_keep_bad", id=conflict_id, regno=keep,
                            first=one.registration_no, second=other.registration_no)  # fmt: skip
        kept, lost = (one, other) if keep == one.registration_no else (other, one)
        now = operation_time(session)
        # The officer's note stays at the branch (it may name the other post's member): the
        # post is told whose registration stands.
        reason = tr(
            "The same NIK is registered at post {post} ({regno}); the branch decided that "
            "registration stands.",
            post=kept.post_code, regno=kept.registration_no,
        )  # fmt: skip
        lost.standing = "rejected"
        lost.standing_reason = reason
        session.add(
            BranchRejection(
                post_id=lost.post_id, batch_seq=_last_imported(session, lost.post_id),
                entity="participants", entity_key=lost.registration_no,
                reason_code=DECIDED_REASON, reason=reason, decided_at=now,
            )
        )  # fmt: skip
        conflict.state = "decided"
        conflict.kept_id = kept.id
        conflict.decided_by = actor.label
        conflict.decided_at = now
        conflict.decision_note = note
        session.flush()
        _settle_conflicts(session, lost.post_id)  # its other conflicts end with it
        session.info["reason"] = f"NIK conflict {conflict_id}: {note}"
        return lost.registration_no


# --- importing -----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What became of one batch file at the branch."""

    file: Path
    post_code: str
    seq: int
    state: str  # "imported", "already_imported" or "held"
    ack_path: Path | None = None
    records: dict[str, int] = field(default_factory=dict)
    summary: dict[str, int] = field(default_factory=dict)  # the manifest's: splits the records
    rejected: list[Rejection] = field(default_factory=list)
    missing_seq: int | None = None  # held: the batch still missing
    late: bool = False  # imported: it fills a gap passed over before
    release_note: str | None = None  # why held batches behind it could not follow yet
    followed: list[ImportResult] = field(default_factory=list)  # held batches imported after it

    def message(self) -> str:
        text = self._message()
        if self.release_note:
            text += " " + tr(
                "Batches held behind it still wait ({reason}): import this post's files again.",
                reason=self.release_note,
            )
        return text

    def _message(self) -> str:
        if self.state == "held":
            return tr(
                "Batch {seq} of post {post} is held: batch {missing} has not been imported yet.",
                seq=self.seq,
                post=self.post_code,
                missing=self.missing_seq,
            )
        if self.state == "already_imported":
            return tr(
                "Batch {seq} of post {post} was already imported; nothing changed.",
                seq=self.seq,
                post=self.post_code,
            )
        # What the batch holds, counted and said as at the post (issue 17, item 8).
        return tr(
            "Batch {seq} of post {post} imported; it holds {holding} Rejected: {rejected}.",
            seq=self.seq,
            post=self.post_code,
            holding=self.holding.text(),
            rejected=formats.number(len(self.rejected)),
        )

    @property
    def holding(self) -> Holding:
        return holding(self.records, self.summary)


def import_files(
    db: Database,
    folder: DataFolder,
    paths: Sequence[Path],
    actor: Actor,
    *,
    gap_reason: str | None = None,
    progress: Progress | None = None,
    on_result: Callable[[ImportResult], None] | None = None,
    on_backup: Callable[[Any], None] | None = None,
) -> list[ImportResult]:
    """Import several files in each post's sequence order, whatever order they were given in.
    Stops at the first file refused (``UserError``); those imported before it stay imported and
    were each handed to ``on_result`` as they were done (the command line prints their ACKs).

    First, the posts' backups found beside the batches are kept, the newest of each post
    (``branch_backups.keep_backups_beside``, each handed to ``on_backup``): a hostile one is
    refused on its own and stops nothing."""
    from rumah_perisai.services.branch_backups import keep_backups_beside

    for kept in keep_backups_beside(db, folder, paths):
        if on_backup is not None:
            on_backup(kept)
    progress = progress or SilentProgress()
    opened = []
    for path in paths:
        sealed = _open(path)
        opened.append((sealed.post_code, sealed.seq, path))
    results = []
    for index, (_post, _seq, path) in enumerate(sorted(opened)):
        progress.step(index, len(opened), path.name)
        result = import_batch(db, folder, path, actor, gap_reason=gap_reason)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def _open(path: Path) -> SealedBatch:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UserError("file_unreadable", path=str(path), reason=error.strerror) from error
    return open_batch(data, path.name)


def import_batch(
    db: Database,
    folder: DataFolder,
    path: Path,
    actor: Actor,
    *,
    gap_reason: str | None = None,
) -> ImportResult:
    """Import one batch file and write its acknowledgement beside it (see the module).

    Where the batch stands in its post's sequence (already imported, replayed, next, filling a
    gap passed over, or behind a gap) is decided before anything is decrypted, and again once
    the import holds the branch's write lock (a second run of the same file meanwhile)."""
    keys = branch_keys(folder)
    sealed = _open(path)
    name = path.name
    if sealed.manifest["demo"] != keys.public.demo:  # said first: the post is not known here
        raise UserError("batch_demo_at_real_branch" if sealed.manifest["demo"] else
                        "batch_real_at_training_branch", name=name)  # fmt: skip
    with db.reading() as session:
        post = session.scalars(select(Post).where(Post.code == sealed.post_code)).first()
        if post is None or post.is_local:
            raise UserError("post_unknown_batch", name=name, code=sealed.post_code)
        check_signer(sealed, post.signing_public_key, name)
        if post.suspended_at is not None:
            raise UserError("post_suspended", code=post.code, reason=post.suspended_reason)
        place = _place(session, post, sealed, name, gap_reason)
        post_id = post.id
    if place.already:
        return _already(db, folder, keys, post_id, sealed, path, actor)
    if place.missing is not None:
        if not place.held:
            _hold(db, folder, sealed, path, actor)
        held = ImportResult(path, sealed.post_code, sealed.seq, "held", missing_seq=place.missing)
        # Its predecessor may have been imported by another run meanwhile: then it goes in now.
        held.followed = _release_quietly(db, folder, held, actor)
        return held
    try:
        result = _import(db, folder, keys, sealed, path, actor, gap_reason, held=place.held)
    except _ImportedMeanwhile:  # the same file, imported by another run while this one waited
        return _already(db, folder, keys, post_id, sealed, path, actor)
    result.ack_path = _write_ack(db, folder, keys, post_id, sealed.seq, path.parent, name)
    result.followed = _release_quietly(db, folder, result, actor)
    return result


def _release_quietly(
    db: Database, folder: DataFolder, result: ImportResult, actor: Actor
) -> list[ImportResult]:
    """The held batches that can follow ``result`` now; a refusal while releasing them (another
    import running) is said with ``result``, which itself went through."""
    try:
        return _release_held(db, folder, result.post_code, actor)
    except UserError as error:
        log.info("held batches of %s still wait: %s", result.post_code, error.key)
        result.release_note = error.message()
        return []


def _already(
    db: Database,
    folder: DataFolder,
    keys: BranchKeys,
    post_id: int,
    sealed: SealedBatch,
    path: Path,
    actor: Actor,
) -> ImportResult:
    ack = _write_ack(db, folder, keys, post_id, sealed.seq, path.parent, path.name)
    done = ImportResult(path, sealed.post_code, sealed.seq, "already_imported", ack)
    # Held batches behind it may have missed their turn (an interrupted run): now.
    done.followed = _release_quietly(db, folder, done, actor)
    return done


class _ImportedMeanwhile(Exception):
    """The very file was imported by another run while this one waited for the lock."""


@dataclass(frozen=True)
class _Place:
    already: bool = False  # this very file was imported
    held: bool = False  # this very file waits behind a gap already
    missing: int | None = None  # to be held: the batch before it has not arrived
    late: bool = False  # fills a gap passed over: a later batch was imported already


def _place(
    session: Session, post: Post, sealed: SealedBatch, name: str, gap_reason: str | None
) -> _Place:
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
        return _Place(already=True)
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
        return _Place(held=same is not None, late=late)
    missing = max((seq for seq in imported if seq < sealed.seq), default=0) + 1
    return _Place(held=same is not None, missing=missing, late=late)


def _post_id(db: Database, code: str) -> int:
    with db.reading() as session:
        return int(session.scalars(select(Post.id).where(Post.code == code)).one())


def _last_imported(session: Session, post_id: int) -> int:
    value = session.scalar(
        select(func.max(BatchImport.seq)).where(
            BatchImport.post_id == post_id, BatchImport.state == "imported"
        )
    )
    return int(value or 0)


def _keep(folder: DataFolder, sealed: SealedBatch, name: str) -> Path:
    """The branch's own copy, named by its hash too: a refused file of the same name (kept
    before its transaction failed) never stands in the way of the right one."""
    directory = folder.root / "imported" / sealed.post_code
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{sealed.file_hash[:16]}-{name}"
    if not same_bytes(path, sealed.data):
        # Named by its hash: the same bytes, whoever writes them. On the branch's own disk.
        _replace(path, sealed.data, computer=True)
    return path


def _hold(db: Database, folder: DataFolder, sealed: SealedBatch, path: Path, actor: Actor) -> None:
    kept = _keep(folder, sealed, path.name)
    with db.unit_of_work(actor.label) as session:
        post_id = session.scalars(select(Post.id).where(Post.code == sealed.post_code)).one()
        session.add(
            BatchImport(
                post_id=post_id, seq=sealed.seq, file_hash=sealed.file_hash, file_name=path.name,
                file_size=len(sealed.data), state="held",
                manifest_json=json.dumps(sealed.manifest, sort_keys=True),
                received_at=operation_time(session), kept_path=str(kept),
                source_dir=str(path.parent),
            )
        )  # fmt: skip


def _release_held(db: Database, folder: DataFolder, code: str, actor: Actor) -> list[ImportResult]:
    """Import the batches that waited for the one just imported, in order."""
    released: list[ImportResult] = []
    while True:
        with db.reading() as session:
            post = session.scalars(select(Post).where(Post.code == code)).one()
            if post.suspended_at is not None:
                return released  # a post suspended meanwhile: its held batches wait too
            post_id = post.id
            rows = session.execute(
                select(BatchImport.seq, BatchImport.state, BatchImport.kept_path,
                       BatchImport.source_dir, BatchImport.file_name)
                .where(BatchImport.post_id == post_id)
                .order_by(BatchImport.seq)
            ).all()  # fmt: skip
            imported = {row.seq for row in rows if row.state == "imported"}
            ready = [r for r in rows if r.state == "held" and r.seq - 1 in imported]
            if not ready:
                return released
            kept, source, name = Path(ready[0].kept_path), ready[0].source_dir, ready[0].file_name
        keys = branch_keys(folder)
        sealed = _open(kept)
        try:
            result = _import(db, folder, keys, sealed, kept, actor, None, held=True)
        except _ImportedMeanwhile:
            continue
        target = Path(source) if source and Path(source).is_dir() else kept.parent
        result.file = target / name  # as it came, not the kept copy's hash-prefixed name
        try:
            result.ack_path = _write_ack(db, folder, keys, post_id, sealed.seq, target, name)
        except UserError:  # the stick it came on is gone: the ACK goes beside the kept copy
            result.ack_path = _write_ack(db, folder, keys, post_id, sealed.seq, kept.parent, name)
        released.append(result)


def _import(
    db: Database,
    folder: DataFolder,
    keys: BranchKeys,
    sealed: SealedBatch,
    path: Path,
    actor: Actor,
    gap_reason: str | None,
    *,
    held: bool = False,
) -> ImportResult:
    name = path.name
    kept = Path(path) if held else _keep(folder, sealed, name)
    try:
        with db.unit_of_work(actor.label) as session:
            change_no = _begin_import(session)  # refused at once while another import runs
            post = session.scalars(select(Post).where(Post.code == sealed.post_code)).one()
            # Placed again now that no other import can run: it may have been imported since.
            place = _place(session, post, sealed, name, gap_reason)
            if place.already:
                raise _ImportedMeanwhile
            if place.missing is not None:  # its predecessor was passed over meanwhile: rare
                raise UserError("batch_replayed", name=name, seq=sealed.seq, post=post.code)
            result = _import_in(session, change_no, post, keys, sealed, kept, path, actor,
                                gap_reason, place)  # fmt: skip
    except (DataError, IntegrityError, ProgrammingError, InterfaceError) as error:
        # Signed by the post, yet values the database cannot take (a date that is no date, a
        # duplicate the post's own schema forbids): written wrongly or forged; nothing stays.
        # Only the kind of error is said: the driver's text may quote a value (a name).
        reason = type(getattr(error, "orig", None) or error).__name__
        raise UserError("batch_data_bad", name=name, reason=reason) from error
    return result


def _begin_import(session: Session) -> int:
    """Start an import's transaction: take the branch's import lock and the change number, or
    refuse within seconds while another import holds them (``import_running``).

    Every writer takes the change-counter row (``begin_operation``) and keeps it to the end, so
    a second import used to wait there for as long as the first one ran — minutes, and longer
    when the first one's program had been killed and the server went on with its statement.
    On PostgreSQL the import first tries an advisory lock of its own (held to the end of the
    transaction; free again the moment the first import ends); a writer that is not an import
    holding the counter row is waited for at most ``IMPORT_LOCK_WAIT``. The server is also told
    to look for a vanished client every few seconds while a statement runs
    (``client_connection_check_interval``, PostgreSQL 14+, and TCP keepalives), so a killed
    import's statement stops and its locks are freed. On SQLite the write lock is taken first
    (``BEGIN IMMEDIATE``), waiting out the busy timeout."""
    try:
        connection = session.connection()  # SQLite: BEGIN IMMEDIATE, or "database is locked"
        if connection.dialect.name == "postgresql":
            _watch_client(connection)
            got = connection.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({IMPORT_LOCK})")
            if not got.scalar_one():
                raise UserError("import_running")
            # A manual VACUUM holding a table (autovacuum gives way by itself) is waited for
            # no longer than a writer holding the change counter.
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{IMPORT_LOCK_WAIT}s'")
            _hold_statistics(connection)
        change_no = begin_operation(session)
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL lock_timeout = DEFAULT")
    except DBAPIError as error:
        refusal = refusal_for(str(session.get_bind().engine.url), error)
        if refusal is not None and refusal.key == "db_busy":  # a lock another import holds
            raise UserError("import_running") from error
        raise
    return change_no


def _watch_client(connection: Connection) -> None:
    """Have the server stop this transaction's work soon after its client is gone (killed,
    powered off, unplugged): it otherwise notices only when it next sends a result."""
    version = connection.dialect.server_version_info or (0,)
    if version >= (14,):
        # A server on a platform that cannot look (Windows) refuses any value but 0: in a
        # savepoint, so its refusal leaves the import's transaction as it was.
        try:
            with connection.begin_nested():
                connection.exec_driver_sql(
                    f"SET LOCAL client_connection_check_interval = {CLIENT_CHECK_MS}"
                )
        except DBAPIError:
            log.info("this server cannot check for a vanished client; TCP keepalives only")
    for name, value in SERVER_KEEPALIVES.items():
        connection.exec_driver_sql(f"SET LOCAL {name} = {value}")


def _hold_statistics(connection: Connection) -> None:
    """No VACUUM or ANALYZE of the tables an import writes until it ends (autovacuum skips
    them; one already running is cancelled by the server within a second). They count only
    committed rows, none of those the import has inserted so far, and so record a table full
    of them as nearly empty: the import's later statements were then planned for empty tables
    (in the duplicate check, a scan of the table for each row: minutes instead of seconds).
    Readers and writers are not held up: this lock does not conflict with theirs."""
    names = ", ".join(MODELS[part].__tablename__ for part in IMPORT_ORDER)
    connection.exec_driver_sql(f"LOCK TABLE {names} IN SHARE UPDATE EXCLUSIVE MODE")


def _import_in(
    session: Session,
    change_no: int,
    post: Post,
    keys: BranchKeys,
    sealed: SealedBatch,
    kept: Path,
    path: Path,
    actor: Actor,
    gap_reason: str | None,
    place: _Place,
) -> ImportResult:
    """The import itself, inside the transaction: each part decrypted, checked and upserted in
    turn (one part in memory at a time), then the receipts, duplicates and history."""
    name = path.name
    imported = {
        row.seq: row
        for row in session.scalars(
            select(BatchImport).where(
                BatchImport.post_id == post.id, BatchImport.state == "imported"
            )
        )
    }
    previous = _previous_manifest(imported.get(sealed.seq - 1))
    window = _time_window(session, sealed, imported, name)
    connection = session.connection()
    importer = _Importer(
        connection, post.id, change_no, name, lenient=previous is None and sealed.seq > 1,
        post_code=post.code, window=window,
    )  # fmt: skip
    reader = _PartReader(sealed, keys, name)
    counts = {}
    for part in IMPORT_ORDER:
        document = reader.optional(part) if part in LATER_PARTS else reader.read(part)
        if document is None:
            counts[part] = 0
            continue
        if part == "participants":
            document = _with_prefixes(document, _duplicate_salt(keys))
        counts[part] = importer.upsert(part, document)
    _update_post(connection, post, reader.optional("posts"))
    _check_receipts(connection, post, change_no, sealed, previous, name)
    rejected = _reject_duplicates(session, post, sealed.seq, change_no)
    _import_audit(connection, post.code, change_no, reader.optional(AUDIT_PART),
                  actor, window, name)  # fmt: skip
    now = operation_time(session)
    held_row = session.scalars(
        select(BatchImport).where(BatchImport.file_hash == sealed.file_hash)
    ).first()
    row = held_row or BatchImport(
        post_id=post.id, seq=sealed.seq, file_hash=sealed.file_hash, file_name=name,
        file_size=len(sealed.data), manifest_json=json.dumps(sealed.manifest, sort_keys=True),
        received_at=now, kept_path=str(kept), source_dir=str(path.parent),
    )  # fmt: skip
    row.state = "imported"
    row.imported_at = now
    row.change_no = change_no
    row.counts_json = json.dumps({"records": counts, "rejected": len(rejected)})
    if previous is None and sealed.seq > 1:
        below = max((seq for seq in imported if seq < sealed.seq), default=0)
        row.gap_override = f"{actor.label}: {gap_reason} (batches {below + 1}–{sealed.seq - 1})"
    session.info["reason"] = row.gap_override
    session.add(row)
    summary = sealed.manifest.get("summary")
    return ImportResult(path, sealed.post_code, sealed.seq, "imported", records=counts,
                        summary=dict(summary) if isinstance(summary, dict) else {},
                        rejected=rejected, late=place.late)  # fmt: skip


class _PartReader:
    """Decrypts, inflates (no further than the manifest allows) and parses one part at a time,
    so a batch never needs all its parts in memory at once."""

    def __init__(self, sealed: SealedBatch, keys: BranchKeys, name: str) -> None:
        self.opener = PartOpener(sealed, keys.public, keys.encryption, name)
        self.name = name

    def read(self, part: str) -> dict[str, Any]:
        document = self.optional(part)
        if document is None:
            raise BatchFileError("batch_manifest_bad", name=self.name, reason=f"no part {part}")
        return document

    def optional(self, part: str) -> dict[str, Any] | None:
        if not self.opener.has(part):
            return None
        try:
            document = json.loads(self.opener.plain(part))
        except (ValueError, RecursionError) as error:  # not JSON, or a 5,000-digit number
            raise BatchFileError("batch_manifest_bad", name=self.name, reason=part) from error
        if (
            not isinstance(document, dict)
            or not isinstance(document.get("columns"), list)
            or not isinstance(document.get("rows"), list)
            or len(document["rows"]) != self.opener.records(part)
        ):
            raise BatchFileError("batch_manifest_bad", name=self.name, reason=part)
        return document


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


def _time_window(
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
        earliest = session.scalar(
            select(func.max(AuditEntry.at)).where(
                AuditEntry.change_no == newest.change_no, AuditEntry.origin == "import"
            )
        )
    if any(
        _moment(json.loads(row.manifest_json).get("created_at"), name) < created for row in above
    ):
        raise UserError("batch_time_order", name=name, seq=sealed.seq, post=sealed.post_code)
    return TimeWindow(earliest, created + timedelta(seconds=1) - timedelta(microseconds=1))


def _previous_manifest(row: BatchImport | None) -> dict[str, Any] | None:
    """The manifest of the batch just before, with its file hash and number; None when that
    batch has not been imported (the first batch, or one past a gap)."""
    if row is None:
        return None
    manifest: dict[str, Any] = json.loads(row.manifest_json)
    manifest["file_hash"] = row.file_hash
    manifest["seq"] = row.seq
    return manifest


# --- the upsert of one part ---------------------------------------------------------------------


class _Importer:
    """Stages a part's rows in a temporary table and upserts them in one statement, mapping each
    reference from the post's ids to the branch's with a join."""

    def __init__(
        self,
        connection: Connection,
        post_id: int,
        change_no: int,
        name: str,
        *,
        lenient: bool,
        post_code: str,
        window: TimeWindow,
    ) -> None:
        self.post_code = post_code
        self.window = window
        # lenient: imported past a gap (an override), so an optional reference (who registered,
        # who issued) to a record of a missing batch is left empty instead of refusing the batch.
        self.lenient = lenient
        self.connection = connection
        self.post_id = post_id
        self.change_no = change_no
        self.name = name
        self.postgres = connection.dialect.name == "postgresql"

    def upsert(self, part: str, document: dict[str, Any]) -> int:
        table: Table = MODELS[part].__table__
        columns: list[str] = list(document["columns"])
        rows: list[list[Any]] = document["rows"]
        # Names from the file go into SQL: only the model's own columns, each once.
        allowed = {c.name for c in table.columns} - {"source_id", "source_change", "first_change"}
        if (
            not all(isinstance(c, str) and c in allowed for c in columns)
            or len(set(columns)) != len(columns)
            or "id" not in columns
            or "change_no" not in columns
            or any(not isinstance(row, list) or len(row) != len(columns) for row in rows)
        ):
            raise BatchFileError("batch_manifest_bad", name=self.name, reason=f"{part} columns")
        if not rows:
            return 0
        self._check_own_keys(part, columns, rows)
        stage = f"stage_{part}"
        self._stage(stage, table, columns, rows)
        self._check_times(stage, table, columns)
        with self._hash_joins(len(rows)):
            self._merge(part, stage, table, columns)
        self.connection.exec_driver_sql(f"DROP TABLE {stage}")
        return len(rows)

    def _merge(self, part: str, stage: str, table: Table, columns: list[str]) -> None:
        """The staged rows into the table: references mapped, checked, upserted."""
        if part in SHUFFLED:
            self._make_room(stage, table.name, SHUFFLED[part])
        joins, exprs = [], []
        self_links = []
        for column in columns:
            if column == "id":
                continue
            source = f"s.{column}"
            target = table.c[column]
            refs = [fk.column.table.name for fk in target.foreign_keys]
            if column == "post_id":
                exprs.append((column, str(self.post_id)))
            elif column == "change_no":
                exprs.append((column, str(self.change_no)))
                exprs.append(("source_change", source))
            elif refs and (part, column) in SELF_LINKS:
                exprs.append((column, "NULL"))
                self_links.append((column, refs[0]))
            elif refs:
                alias = f"j_{column}"
                joins.append(
                    f"LEFT JOIN {refs[0]} {alias} ON {alias}.post_id = {self.post_id}"
                    f" AND {alias}.source_id = {source}"
                )
                if not (self.lenient and target.nullable):
                    self._check_links(stage, column, refs[0], source, own=False)
                exprs.append((column, f"{alias}.id"))
            else:
                exprs.append((column, self._convert(target, source)))
        updates = ", ".join(
            f"{c} = COALESCE({table.name}.{c}, excluded.{c})"
            if (part, c) in BRANCH_OWNED
            else f"{c} = excluded.{c}"
            for c, _e in exprs
            if c != "post_id"
        )
        if part == "participants":  # set once, when the branch first sees the registration
            exprs.append(("first_change", str(self.change_no)))
        names = ", ".join(["source_id", *(c for c, _e in exprs)])
        values = ", ".join(["s.id", *(e for _c, e in exprs)])
        # A batch that arrives late (after the one passed over) holds older versions of what a
        # later batch brought already: those rows keep the newer version.
        self.connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({names}) SELECT {values} FROM {stage} s "
            f"{' '.join(joins)} WHERE true "
            f"ON CONFLICT (post_id, source_id) DO UPDATE SET {updates}"
            f" WHERE {table.name}.source_change IS NULL"
            f" OR {table.name}.source_change <= excluded.source_change"
        )
        for column, ref in self_links:
            if not self.lenient:
                self._check_links(stage, column, ref, f"s.{column}", own=True)
            # Two lookups by key for each row, no join: a join in this sub-select would run
            # again for every row (as a hash join: the post's rows hashed each time).
            self.connection.exec_driver_sql(
                f"UPDATE {table.name} SET {column} = (SELECT r.id FROM {ref} r"
                f" WHERE r.post_id = {self.post_id} AND r.source_id = (SELECT s.{column}"
                f" FROM {stage} s WHERE s.id = {table.name}.source_id))"
                f" WHERE post_id = {self.post_id} AND change_no = {self.change_no}"
                f" AND source_id IN (SELECT id FROM {stage} WHERE {column} IS NOT NULL)"
            )

    @contextmanager
    def _hash_joins(self, rows: int) -> Iterator[None]:
        """A big part's statements join with hash or merge joins only: each reads both sides
        once, whatever the planner believes. A nested loop is quadratic when the planner thinks
        the inner side tiny — which is what an ANALYZE running meanwhile makes it think (the rows
        this import inserted are invisible to it: the table looks empty). A small part keeps
        the planner's choice (index lookups; at worst ``rows`` times the post's records)."""
        if not self.postgres or rows < HASH_JOINS_FROM:
            yield
            return
        before = self.connection.exec_driver_sql("SELECT current_setting('enable_nestloop')")
        setting = str(before.scalar_one())
        self.connection.exec_driver_sql("SELECT set_config('enable_nestloop', 'off', true)")
        yield  # on an error the transaction is rolled back, and the setting with it
        self.connection.exec_driver_sql(f"SELECT set_config('enable_nestloop', '{setting}', true)")

    def _check_own_keys(self, part: str, columns: list[str], rows: list[list[Any]]) -> None:
        """A post's records carry its own code and numbers: a file signed with one post's key
        (even a stolen one) cannot take another post's registration or receipt numbers."""
        code = self.post_code
        checks: list[tuple[str, str | None]] = [(c, code) for c in ("post_code",) if c in columns]
        checks += [(c, None) for c in OWN_NUMBERS.get(part, ()) if c in columns]
        for column, equal in checks:
            index = columns.index(column)
            for row in rows:
                value = row[index]
                good = (
                    value == equal
                    if equal is not None
                    else (isinstance(value, str) and value.startswith(f"{code}-"))
                )
                if not good:
                    raise UserError("batch_foreign_key_value", name=self.name, part=part,
                                    column=column, post=code)  # fmt: skip

    def _make_room(self, stage: str, table: str, column: str) -> None:
        """Values unique within a post that a post may swap between two records in one week
        (NIKs corrected, logins renamed): set aside first, so the upsert's row-by-row unique
        check never sees the old and the new value at once."""
        self.connection.exec_driver_sql(
            f"UPDATE {table} SET {column} = '#' || CAST(id AS VARCHAR(15))"
            f" WHERE post_id = {self.post_id} AND source_id IN (SELECT s.id FROM {stage} s"
            f" WHERE s.{column} <> {table}.{column} AND s.id = {table}.source_id"
            f" AND ({table}.source_change IS NULL OR {table}.source_change <= s.change_no))"
        )

    def _stage(self, stage: str, table: Table, columns: list[str], rows: list[list[Any]]) -> None:
        def wire_type(column: str) -> str:
            kind = table.c[column].type
            if isinstance(kind, UTCDateTime | Date) or column.endswith("_json"):
                return "TEXT"
            if isinstance(kind, Boolean):
                return "INTEGER"
            return str(kind.compile(dialect=self.connection.dialect))

        # The post's id is the stage's key: joins and the second pass look rows up by it.
        ddl = ", ".join(
            f"{c} {wire_type(c)}" + (" PRIMARY KEY" if c == "id" else "") for c in columns
        )
        self.connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {stage} ({ddl})")
        raw = self.connection.connection.driver_connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            self._copy(cursor, stage, columns, rows)
        except _BAD_VALUE_ERRORS as error:
            # Only the file's values flow here: a list where a value belongs, a number too big.
            kind = type(error).__name__
            raise UserError("batch_data_bad", name=self.name, reason=kind) from error
        except Exception as error:  # psycopg's own errors (not installed at a post)
            if type(error).__module__.startswith("psycopg"):
                raise UserError("batch_data_bad", name=self.name,
                                reason=type(error).__name__) from error  # fmt: skip
            raise
        finally:
            cursor.close()
        if self.postgres:
            # Temporary tables are never analysed by autovacuum: without this the planner
            # guesses their size, and a guess of a few rows for 200,000 picks nested loops.
            self.connection.exec_driver_sql(f"ANALYZE {stage}")

    def _copy(self, cursor: Any, stage: str, columns: list[str], rows: list[list[Any]]) -> None:
        """The rows into the stage: COPY on PostgreSQL. A value the stage cannot take (a list
        or an object where a value belongs, a number too big) is the file's fault."""
        if self.postgres:
            with cursor.copy(f"COPY {stage} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {stage} VALUES ({marks})", rows)

    def _check_times(self, stage: str, table: Table, columns: list[str]) -> None:
        """No time later than the batch was written; for a record new to the branch, none
        earlier than the post's previous batch here (``TimeWindow``). Compared as the text the
        batch writes, which orders as time: a value in another shape falls outside."""
        moments = [c for c in columns if isinstance(table.c[c].type, UTCDateTime)]
        if not moments:
            return
        window = self.window
        late = " OR ".join(f"s.{c} > :latest OR length(s.{c}) <> 27" for c in moments)
        params: dict[str, Any] = {"latest": window.wire(window.latest)}
        condition = late
        if window.earliest is not None:
            early = " OR ".join(f"s.{c} < :earliest" for c in moments)
            condition += (
                f" OR (({early}) AND NOT EXISTS (SELECT 1 FROM {table.name} t"
                f" WHERE t.post_id = {self.post_id} AND t.source_id = s.id))"
            )
            params["earliest"] = window.wire(window.earliest)
        found = self.connection.execute(
            text(f"SELECT s.id FROM {stage} s WHERE {condition} LIMIT 1"), params
        ).first()
        if found is not None:
            raise UserError("batch_time_outside", name=self.name, part=table.name)

    def _convert(self, column: Any, source: str) -> str:
        kind = column.type
        if isinstance(kind, UTCDateTime):
            if self.postgres:
                return f"(CAST({source} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"
            return f"replace(replace({source}, 'T', ' '), 'Z', '')"
        if isinstance(kind, Date):
            return f"CAST({source} AS DATE)" if self.postgres else source
        if isinstance(kind, Boolean):
            return f"({source} <> 0)" if self.postgres else source
        return source

    def _check_links(self, stage: str, column: str, ref: str, source: str, own: bool) -> None:
        """Every reference must point at a record this branch has from the same post (or, for a
        link within the part, ``own``, at a record of the same part).

        A set difference, not a join: each side is read once, so no plan can turn it into a
        scan of the post's records per staged row (a join with ``LIMIT 1`` became one when an
        ANALYZE meanwhile made the table look empty)."""
        dangling = self.connection.exec_driver_sql(
            f"SELECT 1 FROM (SELECT {source} FROM {stage} s WHERE {source} IS NOT NULL"
            f" EXCEPT SELECT source_id FROM {ref} WHERE post_id = {self.post_id}"
            + (f" EXCEPT SELECT id FROM {stage}" if own else "")
            + ") dangling LIMIT 1"
        ).first()
        if dangling is not None:
            raise UserError(
                "batch_dangling", name=self.name, part=stage.removeprefix("stage_"), column=column
            )


def _update_post(connection: Connection, post: Post, document: dict[str, Any] | None) -> None:
    """A post's changed name or wadah comes with its batch; its key and code never do."""
    if not document or not document["rows"]:
        return
    last = document["rows"][-1]
    if not isinstance(last, list) or len(last) != len(document["columns"]):
        return  # not the post's own row as the program writes it: ignored, as a foreign code
    row = dict(zip(document["columns"], last, strict=True))
    if row.get("code") != post.code:
        return

    def text_or_none(value: object, limit: int) -> str | None:
        return value[:limit] if isinstance(value, str) and value.strip() else None

    post.name = text_or_none(row.get("name"), 100) or post.name
    post.wadah = text_or_none(row.get("wadah"), 150)
    post.desa_code = text_or_none(row.get("desa_code"), 13)


def _check_receipts(
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


def _reject_duplicates(session: Session, post: Post, seq: int, change_no: int) -> list[Rejection]:
    """The same NIK at two posts (DOMAIN.md): which registration came first is what the branch
    saw first (``first_change``), never a time a post claims. A registration new in this batch
    whose NIK an accepted member holds is rejected; two members both accepted before (a NIK
    changed at a post) are held for a branch officer (``BranchConflict``), neither rejected."""
    # A registration rejected before stays rejected whatever the post sent since (it may come
    # again, e.g. with a payment, before the post has taken in the acknowledgement).
    session.execute(
        text(
            "UPDATE participants SET standing = 'rejected', standing_reason = ("
            " SELECT r.reason FROM branch_rejections r WHERE r.post_id = participants.post_id"
            " AND r.entity = 'participants' AND r.entity_key = participants.registration_no)"
            " WHERE post_id = :post AND change_no = :change AND standing <> 'rejected'"
            " AND registration_no IN (SELECT entity_key FROM branch_rejections"
            " WHERE post_id = :post AND entity = 'participants')"
        ),
        {"post": post.id, "change": change_no},
    )
    _settle_conflicts(session, post.id)
    pairs = session.execute(
        text(
            "SELECT p.id, q.id FROM participants p JOIN participants q"
            " ON q.nik = p.nik AND q.post_id <> p.post_id"
            " WHERE p.post_id = :post AND p.change_no = :change"
            # Only members: a withdrawn registration was a mistake and holds no NIK.
            " AND p.standing = 'member' AND q.standing = 'member'"
        ),
        {"post": post.id, "change": change_no},
    ).all()
    decided: list[Rejection] = []
    now = operation_time(session)
    for mine_id, theirs_id in pairs:
        mine, theirs = session.get(Participant, mine_id), session.get(Participant, theirs_id)
        assert mine is not None and theirs is not None
        if mine.standing != "member" or theirs.standing != "member":
            continue  # decided by an earlier pair of this loop
        if mine.first_change != change_no:
            _hold_conflict(session, theirs, mine, change_no)
            continue
        reason = tr(
            "NIK already registered at post {post} ({regno}, {day}); the later registration "
            "is rejected.",
            post=theirs.post_code,
            regno=theirs.registration_no,
            day=formats.day(theirs.registered_on),  # read by people at both posts (issue 17)
        )
        mine.standing = "rejected"
        mine.standing_reason = reason
        session.add(
            BranchRejection(
                post_id=mine.post_id, batch_seq=seq, entity="participants",
                entity_key=mine.registration_no, reason_code=DUPLICATE_REASON, reason=reason,
                decided_at=now,
            )
        )  # fmt: skip
        decided.append(Rejection("participants", mine.registration_no, DUPLICATE_REASON,
                                 reason, seq))  # fmt: skip
    session.flush()
    return decided


def _hold_conflict(
    session: Session, theirs: Participant, mine: Participant, change_no: int
) -> None:
    """Two accepted members now share a NIK: held for an officer, the first seen named first."""
    first, second = (
        (theirs, mine) if (theirs.first_change or 0) <= (mine.first_change or 0) else (mine, theirs)
    )
    known = session.scalars(
        select(BranchConflict).where(
            BranchConflict.first_id == first.id, BranchConflict.second_id == second.id
        )
    ).first()
    if known is not None:
        if known.state == "decided" and known.kept_id is None:  # settled by a correction, back
            known.state = "pending"
            known.found_change = change_no
            known.found_at = operation_time(session)
            known.decision_note = None
        return
    session.add(
        BranchConflict(
            first_id=first.id, second_id=second.id, state="pending",
            found_at=operation_time(session), found_change=change_no,
        )
    )  # fmt: skip


def _pending_pairs(
    session: Session, post_id: int
) -> list[tuple[BranchConflict, Participant, Participant]]:
    """The pending conflicts a post's registration is part of, with both registrations."""
    first, second = aliased(Participant), aliased(Participant)
    rows = session.execute(
        select(BranchConflict, first, second)
        .join(first, first.id == BranchConflict.first_id)
        .join(second, second.id == BranchConflict.second_id)
        .where(
            BranchConflict.state == "pending",
            (first.post_id == post_id) | (second.post_id == post_id),
        )
        .order_by(BranchConflict.id)
    ).all()
    return [(conflict, one, other) for conflict, one, other in rows]


def _settle_conflicts(session: Session, post_id: int) -> None:
    """A pending conflict ends by itself when a post corrects the NIK (the two differ again) or
    withdraws its registration: recorded as settled, with no one rejected."""
    for conflict, one, other in _pending_pairs(session, post_id):
        if one.nik != other.nik or one.standing != "member" or other.standing != "member":
            conflict.state = "decided"
            conflict.decided_at = operation_time(session)
            conflict.decided_by = "import"
            conflict.decision_note = "settled: the NIKs differ now, or one is no longer a member"


_DAWN = datetime(2000, 1, 1, tzinfo=UTC)


def _import_audit(
    connection: Connection,
    post_code: str,
    change_no: int,
    document: dict[str, Any] | None,
    actor: Actor,
    window: TimeWindow,
    name: str,
) -> None:
    """The post's own history of the records comes along, marked as imported. Every entry is
    new here, so each must lie within the batch's time window."""
    if not document or not document["rows"]:
        return
    columns = document["columns"]
    allowed = {c.name for c in AuditEntry.__table__.columns}
    if not all(isinstance(c, str) and c in allowed for c in columns) or not {"at", "actor"} <= set(
        columns
    ):
        raise UserError("batch_manifest_bad", name=name, reason="audit_log columns")
    at, who = columns.index("at"), columns.index("actor")
    latest, earliest = window.wire(window.latest), window.wire(window.earliest or _DAWN)
    rows = []
    for row in document["rows"]:
        if not isinstance(row, list) or len(row) != len(columns):
            raise UserError("batch_manifest_bad", name=name, reason="audit_log rows")
        moment = row[at]
        if not isinstance(moment, str) or len(moment) != 27 or not earliest <= moment <= latest:
            raise UserError("batch_time_outside", name=name, part="audit_log")
        values = dict(zip(columns, row, strict=True))
        values.pop("id", None)
        values["change_no"] = change_no
        values["origin"] = "import"
        values["actor"] = f"{post_code}/{row[who]}"[:120]
        try:
            values["at"] = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError as error:  # in the window as text, yet no time (a 13th month)
            raise UserError("batch_time_outside", name=name, part="audit_log") from error
        if any(isinstance(v, dict | list) for v in values.values()):
            raise UserError("batch_manifest_bad", name=name, reason="audit_log values")
        # A creation comes without its values (the record itself has them): "{}".
        values["changes_json"] = values.get("changes_json") or "{}"
        rows.append(values)
    connection.execute(insert(AuditEntry), rows)


# --- the acknowledgement ------------------------------------------------------------------------


def _duplicate_salt(keys: BranchKeys) -> str:
    return f"rumah-perisai-dup-1|{keys.public.code}"


def build_ack(db: Database, keys: BranchKeys, post_id: int, seq: int) -> Ack:
    """The acknowledgement of batch ``seq`` of a post; the same content whenever it is made."""
    with db.reading() as session:
        post = session.get(Post, post_id)
        assert post is not None
        row = session.scalars(
            select(BatchImport).where(BatchImport.post_id == post_id, BatchImport.seq == seq)
        ).one()
        earlier = session.scalar(
            select(func.max(BatchImport.change_no)).where(
                BatchImport.post_id == post_id, BatchImport.seq < seq,
                BatchImport.state == "imported",
            )
        )  # fmt: skip
        manifest = json.loads(row.manifest_json)
        rejections = [
            Rejection(r.entity, r.entity_key, r.reason_code, r.reason, r.batch_seq)
            for r in session.scalars(
                select(BranchRejection)
                .where(BranchRejection.post_id == post_id)
                .order_by(BranchRejection.id)
            )
        ]
        rejected_in = {r.key for r in rejections if r.batch_seq == seq}
        parts = {
            part["name"]: {
                "records": int(part["records"]),
                "rejected": sum(
                    1 for r in rejections if r.entity == part["name"] and r.key in rejected_in
                ),  # fmt: skip
            }
            for part in manifest["parts"]
        }
        kpj: dict[str, str | None] = {
            regno: number
            for regno, number in session.execute(
                select(Participant.registration_no, Participant.kpj)
                .where(Participant.post_id == post_id, Participant.kpj.is_not(None))
                .order_by(Participant.registration_no)
            )
        }
        posts = [
            PostPublicKey(
                code=p.code, name=p.name, kabupaten_code=p.kabupaten_code, timezone=p.timezone,
                demo=p.is_demo, signing_key=p.signing_public_key,
            ).content() | {"suspended": p.suspended_at is not None}
            for p in session.scalars(
                select(Post).where(Post.is_local.is_(False), Post.id != post_id).order_by(Post.code)
            )
        ]  # fmt: skip
        salt = _duplicate_salt(keys)
        prefixes = _new_prefixes(session, post_id, earlier or 0, row.change_no or 0)
        missing = _missing(session, post_id)
        pending = _pending_for(session, post_id)
        as_of = session.scalar(
            select(Counter.value).where(Counter.scope == CHANGE_COUNTER[0],
                                        Counter.name == CHANGE_COUNTER[1])
        )  # fmt: skip
    imported_at = row.imported_at or row.received_at
    return Ack(
        branch_code=keys.public.code,
        branch_fingerprint=keys.public.fingerprint,
        post_code=post.code,
        seq=seq,
        batch_file_hash=row.file_hash,
        imported_at=imported_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        parts=parts,
        rejections=rejections,
        kpj={k: v for k, v in kpj.items() if v},
        posts=posts,
        duplicate_salt=salt,
        duplicate_prefixes=prefixes,
        demo=keys.public.demo,
        missing=missing,
        pending=pending,
        as_of=int(as_of or 0),
    )


def _missing(session: Session, post_id: int) -> list[int]:
    """The post's batches the branch still lacks: passed over, or behind one it received."""
    rows = session.execute(
        select(BatchImport.seq, BatchImport.state).where(BatchImport.post_id == post_id)
    ).all()
    received = {seq for seq, _state in rows}
    newest = max(received, default=0)
    return [seq for seq in range(1, newest) if seq not in received]


def _pending_for(session: Session, post_id: int) -> list[Pending]:
    """The post's registrations in a NIK conflict a branch officer has still to decide."""
    pending = []
    for conflict, one, other in _pending_pairs(session, post_id):
        for mine, theirs in ((one, other), (other, one)):
            if mine.post_id == post_id:
                pending.append(
                    Pending(
                        "participants", mine.registration_no, CONFLICT_REASON,
                        tr("The same NIK is registered at post {post}; the branch will decide "
                           "which registration stands. Until then both stay as they are.",
                           post=theirs.post_code),
                        conflict.found_at.astimezone(UTC).strftime("%Y-%m-%d"),
                    )
                )  # fmt: skip
    return pending


def _with_prefixes(document: dict[str, Any], salt: str) -> dict[str, Any]:
    """The participants part with each NIK's duplicate-warning prefix added, so the branch
    stores it as the row goes in (an UPDATE afterwards would rewrite every index entry)."""
    columns = list(document["columns"])
    nik = columns.index("nik")
    rows = [[*row, duplicate_prefix(salt, row[nik])] for row in document["rows"]]
    return {**document, "columns": [*columns, "nik_prefix"], "rows": rows}


def _new_prefixes(session: Session, post_id: int, after: int, upto: int) -> list[str]:
    """The prefixes of the other posts' registrations imported in (after, upto]: all of them
    the first time a post hears from the branch."""
    rows = session.execute(
        text(
            "SELECT DISTINCT nik_prefix FROM participants WHERE post_id <> :post"
            " AND standing <> 'rejected' AND change_no > :after AND change_no <= :upto"
            " AND nik_prefix IS NOT NULL ORDER BY 1"
        ),
        {"post": post_id, "after": after, "upto": upto},
    ).scalars()
    return list(rows.all())  # fetchall: a first acknowledgement can list a hundred thousand


def _write_ack(
    db: Database,
    folder: DataFolder,
    keys: BranchKeys,
    post_id: int,
    seq: int,
    directory: Path,
    batch_name: str,
) -> Path:
    data = ack_bytes(build_ack(db, keys, post_id, seq), keys.signing)
    name = ack_file_name(batch_name)
    copy_dir = folder.root / "acks"
    copy_dir.mkdir(parents=True, exist_ok=True)
    _replace(copy_dir / name, data, computer=True)  # the branch keeps the newest of each
    # An earlier ACK of the same batch (e.g. before KPJ numbers came) is replaced: the newer one
    # wins; the post takes in whichever it gets, each is whole and signed.
    existing = directory / name
    if not same_bytes(existing, data):
        _replace(existing, data)
    return existing


def _replace(path: Path, data: bytes, *, computer: bool = False) -> None:
    """Put ``data`` under ``path`` in place of what is there: synced before the rename, so a
    stick pulled out leaves the old file or the new one, never half of either. The temporary
    name is this writer's own: two imports of one file at once never write into each other."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
    try:
        try:
            write_new(temporary, data)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as error:
        raise write_failed(path.parent, error, computer=computer) from error


__all__ = [
    "AddedPost",
    "BranchPost",
    "ImportResult",
    "add_post",
    "branch_keys",
    "branch_posts",
    "build_ack",
    "decide_conflict",
    "pending_conflicts",
    "import_batch",
    "import_files",
    "init_branch",
    "is_branch",
    "set_suspended",
]
