"""Importing posts' batch files at the branch (issue 9).

``import_batch`` checks a file (whole, signed by the post it names, a known and active post,
demo only at a training branch, encrypted to this branch, next in the post's sequence, following
the previous batch and the post's receipt chain: ``checks``), then imports it **in one
transaction** (``upsert``, under the import lock: ``locks``), and writes the signed
acknowledgement beside it (``acks``). A batch already imported changes nothing; a batch after a
gap is held until the gap is filled, and follows by itself once it is. Each record keeps its id
at the post (``source_id``), so a changed record is an upsert and references are mapped by joins.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import cast

from sqlalchemy import Connection, Table, select
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, ProgrammingError
from sqlalchemy.orm import Session

from rumah_perisai import formats
from rumah_perisai.branch.ack_process import AckProcess, writing_acks
from rumah_perisai.branch.acks import (
    RunPrefixes,
    build_ack,
    duplicate_salt,
    note_prefixes_sql,
    replace_file,
    with_prefixes,
    write_ack,
    write_built_ack,
)
from rumah_perisai.branch.ahead import Prepared, part_reader, reading_ahead
from rumah_perisai.branch.audit import import_audit
from rumah_perisai.branch.backups import KeptBackup, keep_backups_beside
from rumah_perisai.branch.checks import (
    Place,
    check_receipts,
    previous_manifest,
    sequence_place,
    time_window,
)
from rumah_perisai.branch.conflicts import reject_duplicates, rejoin_erased
from rumah_perisai.branch.due import due_after_parts
from rumah_perisai.branch.folder import branch_keys
from rumah_perisai.branch.locks import begin_import
from rumah_perisai.branch.members import attach_listed_kpj
from rumah_perisai.branch.requests import (
    apply_requests,
    erasure_key,
    keep_keyed,
    keep_keyed_niks,
)
from rumah_perisai.branch.upsert import (
    IMPORT_ORDER,
    LATER_PARTS,
    PartImporter,
    StagedPart,
    update_post,
)
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import BatchImport, NikPrefix, Post
from rumah_perisai.db.uow import Database, operation_time
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import Rejection, ack_file_name
from rumah_perisai.exchange.batchfile import SealedBatch, check_signer, open_batch
from rumah_perisai.exchange.safe_write import same_bytes
from rumah_perisai.i18n import tr
from rumah_perisai.keys.files import BranchKeys
from rumah_perisai.services.batch_holding import Holding, holding
from rumah_perisai.services.batches import AUDIT_PART
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import Progress, SilentProgress

log = logging.getLogger(__name__)


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
    requests_done: list[str] = field(default_factory=list)  # the post's data requests applied
    # Imported: whether its post had batches held when it went in (read under the import
    # lock). None held then, none waits for it now: one held since was held after it committed
    # (holding takes the change counter too), saw it imported and went in by itself
    # (``import_batch``'s held path); so none is looked for (``_release_quietly``).
    held_behind: bool = True
    post_id: int = field(default=0, repr=False)  # imported: the post's id here

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
    on_backup: Callable[[KeptBackup], None] | None = None,
    helpers: bool = True,
) -> list[ImportResult]:
    """Import several files in each post's sequence order, whatever order they were given in.
    Stops at the first file refused (``UserError``); those imported before it stay imported and
    were each handed to ``on_result`` as they were done (the command line prints their ACKs).

    First, the posts' backups found beside the batches are kept, the newest of each post
    (``backups.keep_backups_beside``, each handed to ``on_backup``): a hostile one is
    refused on its own and stops nothing.

    On PostgreSQL more processes help a run of several files: one reads each next file ahead
    while one is imported (``ahead``); for a long run, one writes the ACKs (``ack_process``).
    ``helpers=False`` does everything here, as tests compare."""
    for kept in keep_backups_beside(db, folder, paths):
        if on_backup is not None:
            on_backup(kept)
    progress = progress or SilentProgress()
    opened = []
    for path in paths:
        sealed = _open(path)
        opened.append((sealed.post_code, sealed.seq, path))
    ordered = [path for _post, _seq, path in sorted(opened)]
    results = []
    encoding = copy_encoding(db) if helpers and len(ordered) > 1 else None
    # One file: its first ACK asks the database, which leaves the post's own prefixes out
    # itself (a 200,000-participant post's first batch would read its own 200,000 here).
    run = _Run(RunPrefixes() if len(ordered) > 1 else None, on_result)
    with (
        reading_ahead(ordered, folder, encoding) as ahead,
        writing_acks(db, folder, ahead.keys if ahead else None, len(ordered)) as run.acker,
    ):
        for index, path in enumerate(ordered):
            try:  # a step cancelled, too, leaves the previous batch's ACK written and said
                progress.step(index, len(opened), path.name)
                prepared = ahead.take(index) if ahead is not None else None
                result = import_batch(db, folder, path, actor, gap_reason=gap_reason,
                                      prepared=prepared, run=run)  # fmt: skip
            except BaseException:
                run.settle()  # the previous batch's ACK: its failure, if any, came first
                raise
            results.append(result)
            if run.writing is None or run.writing.result is not result:
                run.hand_on(result)  # held, or imported before: its ACK is written already
        run.settle()
    return results


# The threads that write a batch's own copy and its ACK while the import's statements run
# (``_Keeping``, ``_AckWriting``; one of each at a time in a run), kept for the
# program's life: a thread started for each, twice a batch, was waited for until it ran
# (~2 ms each with the other thread busy: ~1.5 s of a week's 400 batches).
_WRITERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="branch-write")


class _AckWriting:
    """A batch's ACK signed and written on a thread (``acks.write_built_ack``) while the next
    batch's statements run: its text, signature and two synced files were ~8 % of a run of
    first batches, with the server idle. On PostgreSQL what it says is read there too
    (``acks.write_ack``, on a connection of its own), after its batch committed and before the
    next one can (``_Run``); on SQLite it was read before (``build_ack``)."""

    def __init__(self, result: ImportResult, write: Callable[[], Path]) -> None:
        self.result = result
        self._error: BaseException | None = None
        self._done = _WRITERS.submit(self._write, write)

    def _write(self, write: Callable[[], Path]) -> None:
        try:
            self.result.ack_path = write()
        except BaseException as error:  # raised on the import's own thread by ``join``
            self._error = error

    def join(self) -> None:
        self._done.result()
        if self._error is not None:
            raise self._error


@dataclass
class _Run:
    """What ``import_files`` keeps from one batch to the next: the prefixes read for new posts'
    ACKs (``acks.RunPrefixes``), and the previous batch's ACK still being written.

    That ACK is waited for before anything of the next batch is committed (``settle``, called
    in its transaction, or before a held batch is released or recorded): a failed ACK still
    stops the run with nothing after it imported, as when it was written in turn. Its result
    is handed to ``on_result`` once its ACK is written."""

    run_prefixes: RunPrefixes | None
    on_result: Callable[[ImportResult], None] | None
    writing: _AckWriting | None = None
    keys: BranchKeys | None = None
    acker: AckProcess | None = None  # PostgreSQL: the process writing the ACKs

    def keys_of(self, folder: DataFolder) -> BranchKeys:
        """The branch's keys, read from their files once for the run (as its read-ahead
        process does): ~4 ms a batch, a week's 400 times."""
        if self.keys is None:
            self.keys = branch_keys(folder)
        return self.keys

    def joined(self) -> None:
        """The ACK written, or its failure raised."""
        if self.writing is not None:
            self.writing.join()

    def settle(self) -> None:
        """``joined``, then its result handed on (once)."""
        writing, self.writing = self.writing, None
        if writing is not None:
            writing.join()
            self.hand_on(writing.result)

    def hand_on(self, result: ImportResult) -> None:
        if self.on_result is not None:
            self.on_result(result)


def copy_encoding(db: Database) -> str | None:
    """The encoding COPY's text is written in on this database's connections (PostgreSQL's
    client encoding); None where parts are not staged by COPY (SQLite)."""
    if db.engine.dialect.name != "postgresql":
        return None
    with db.engine.connect() as connection:
        return _driver_encoding(connection)


def _driver_encoding(connection: Connection) -> str | None:
    if connection.dialect.name != "postgresql":
        return None
    return str(connection.connection.driver_connection.info.encoding)  # type: ignore[union-attr]


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
    prepared: Prepared | None = None,
    run: _Run | None = None,
) -> ImportResult:
    """Import one batch file and write its acknowledgement beside it (see the module).
    ``prepared``: what a second process read ahead of this file (``ahead``), if any;
    ``run``: ``import_files``'s, whose previous ACK is waited for before this batch commits
    anything, and which writes this one's ACK on a thread (``_Run``).

    Where the batch stands in its post's sequence (already imported, replayed, next, filling a
    gap passed over, or behind a gap) is decided before anything is decrypted, once the import
    holds the branch's write lock. One file alone is placed before the lock is asked for too
    (and again under it: a second run of the same file meanwhile); in a run that first look is
    left out — a transaction and two queries a batch, ~5 % of a week — and taken only when
    another import holds the lock, so that what is wrong with the file is still said first."""
    keys = run.keys_of(folder) if run is not None else branch_keys(folder)
    sealed = _open(path)
    name = path.name
    if sealed.manifest["demo"] != keys.public.demo:  # said first: the post is not known here
        raise UserError("batch_demo_at_real_branch" if sealed.manifest["demo"] else
                        "batch_real_at_training_branch", name=name)  # fmt: skip
    result, running = None, None
    if run is not None:  # placed under the lock only: one transaction a batch, not two
        try:
            result = _import(db, folder, keys, sealed, path, actor, gap_reason, prepared=prepared,
                             run=run, placed=False)  # fmt: skip
        except _NotNext as not_next:
            return _not_next(db, folder, keys, sealed, path, actor, not_next, run)
        except UserError as error:
            if error.key != "import_running":
                raise
            # Another import holds the lock: what is wrong with the file itself, if anything,
            # is said first, as when it was placed before the lock was asked for.
            running = error
    if result is None:
        with db.reading() as session:
            post = session.scalars(select(Post).where(Post.code == sealed.post_code)).first()
            place, post_id = _placed(session, post, sealed, name, gap_reason)
        if place.already or place.missing is not None:
            return _not_next(db, folder, keys, sealed, path, actor, _NotNext(place, post_id), run)
        if running is not None:  # not asked for again (SQLite would wait its timeout again)
            raise running
        try:
            result = _import(db, folder, keys, sealed, path, actor, gap_reason, prepared=prepared,
                             run=run)  # fmt: skip
        except _NotNext as not_next:  # the same file, imported by another run meanwhile
            return _not_next(db, folder, keys, sealed, path, actor, not_next, run)
    post_id = result.post_id
    if run is None:
        result.ack_path = write_ack(db, folder, keys, post_id, sealed.seq, path.parent, name)
        result.followed = _release_quietly(db, folder, result, actor)
        return result
    run.settle()  # in its transaction already; only if that one had nothing to write
    result.ack_path = path.parent / ack_file_name(name)
    if db.engine.dialect.name == "postgresql":
        # Read, too, on the thread, on a connection of its own, while the next batch's
        # statements run: nothing else of this run commits before it is joined (``_Run``),
        # so it reads what it would have read now. ~20 % of a week's batch (its prefix list
        # alone ~10 ms of the server), with the other core idle; made by a process of its own
        # where the run has one (``ack_process``). SQLite: read now (a reader beside the
        # writer's transaction is not what a post's file is used to).
        write = partial(write_ack, db, folder, keys, post_id, sealed.seq, path.parent, name,
                        run.run_prefixes)  # fmt: skip
        if run.acker is not None:
            write = partial(run.acker.write, write, post_id, sealed.seq, path.parent, name)
    else:
        ack = build_ack(db, keys, post_id, sealed.seq, run.run_prefixes)
        write = partial(write_built_ack, folder, keys, ack, path.parent, name)
    run.writing = _AckWriting(result, write)
    result.followed = _release_quietly(db, folder, result, actor, before=run.joined)
    return result


def _placed(
    session: Session, post: Post | None, sealed: SealedBatch, name: str, gap_reason: str | None
) -> tuple[Place, int]:
    """Where the batch stands in its post's sequence (``checks.sequence_place``), once it is
    from a known post (not this one), signed by it, and the post is not suspended."""
    if post is None or post.is_local:
        raise UserError("post_unknown_batch", name=name, code=sealed.post_code)
    check_signer(sealed, post.signing_public_key, name)
    if post.suspended_at is not None:
        raise UserError("post_suspended", code=post.code, reason=post.suspended_reason)
    return sequence_place(session, post, sealed, name, gap_reason), post.id


class _NotNext(Exception):
    """The batch is not to be imported now: already imported (by another run, while this one
    waited), or behind a batch not imported yet (to be held)."""

    def __init__(self, place: Place, post_id: int) -> None:
        super().__init__()
        self.place, self.post_id = place, post_id


def _not_next(
    db: Database,
    folder: DataFolder,
    keys: BranchKeys,
    sealed: SealedBatch,
    path: Path,
    actor: Actor,
    not_next: _NotNext,
    run: _Run | None,
) -> ImportResult:
    """A batch already imported (its ACK written again) or held behind a missing one."""
    place = not_next.place
    if run is not None:
        run.settle()  # nothing of this batch is recorded before the previous ACK is written
    if place.already:
        return _already(db, folder, keys, not_next.post_id, sealed, path, actor)
    if not place.held:
        _hold(db, folder, sealed, path, actor)
    held = ImportResult(path, sealed.post_code, sealed.seq, "held", missing_seq=place.missing)
    # Its predecessor may have been imported by another run meanwhile: then it goes in now.
    held.followed = _release_quietly(db, folder, held, actor)
    return held


def _release_quietly(
    db: Database,
    folder: DataFolder,
    result: ImportResult,
    actor: Actor,
    before: Callable[[], None] | None = None,
) -> list[ImportResult]:
    """The held batches that can follow ``result`` now; a refusal while releasing them (another
    import running) is said with ``result``, which itself went through. ``before``: called
    before the first of them is imported."""
    if not result.held_behind:  # nothing to look for: a read transaction saved, every batch
        return []
    try:
        return _release_held(db, folder, result.post_code, actor, before)
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
    ack = write_ack(db, folder, keys, post_id, sealed.seq, path.parent, path.name)
    done = ImportResult(path, sealed.post_code, sealed.seq, "already_imported", ack)
    # Held batches behind it may have missed their turn (an interrupted run): now.
    done.followed = _release_quietly(db, folder, done, actor)
    return done


def _keep(folder: DataFolder, sealed: SealedBatch, name: str) -> Path:
    """The branch's own copy, named by its hash too: a refused file of the same name (kept
    before its transaction failed) never stands in the way of the right one."""
    directory = folder.root / "imported" / sealed.post_code
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{sealed.file_hash[:16]}-{name}"
    if not same_bytes(path, sealed.data):
        # Named by its hash: the same bytes, whoever writes them. On the branch's own disk.
        replace_file(path, sealed.data, computer=True)
    return path


class _Keeping:
    """The branch's own copy (``_keep``) written and synced on a thread while the import's
    statements run: a week's batch waited ~15 ms for the disk before its first statement. The
    import waits for it before it commits (``kept``): an imported batch always has its copy,
    and a copy that cannot be written still refuses the batch."""

    def __init__(self, folder: DataFolder, sealed: SealedBatch, name: str) -> None:
        self._error: BaseException | None = None
        self._path: Path | None = None
        self._done = _WRITERS.submit(self._write, folder, sealed, name)

    def _write(self, folder: DataFolder, sealed: SealedBatch, name: str) -> None:
        try:
            self._path = _keep(folder, sealed, name)
        except BaseException as error:  # handed to the import's own thread in ``kept``
            self._error = error

    def join(self) -> None:
        self._done.result()

    def kept(self) -> Path:
        self.join()
        if self._error is not None:
            raise self._error
        assert self._path is not None
        return self._path


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


def _release_held(
    db: Database,
    folder: DataFolder,
    code: str,
    actor: Actor,
    before: Callable[[], None] | None = None,
) -> list[ImportResult]:
    """Import the batches that waited for the one just imported, in order (``before`` first)."""
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
        if before is not None:
            before()
        keys = branch_keys(folder)
        sealed = _open(kept)
        try:
            result = _import(db, folder, keys, sealed, kept, actor, None)
        except _NotNext:  # imported by another run meanwhile
            continue
        target = Path(source) if source and Path(source).is_dir() else kept.parent
        result.file = target / name  # as it came, not the kept copy's hash-prefixed name
        try:
            result.ack_path = write_ack(db, folder, keys, post_id, sealed.seq, target, name)
        except UserError:  # the stick it came on is gone: the ACK goes beside the kept copy
            result.ack_path = write_ack(db, folder, keys, post_id, sealed.seq, kept.parent, name)
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
    prepared: Prepared | None = None,
    run: _Run | None = None,
    placed: bool = True,
) -> ImportResult:
    """The batch imported in one transaction, placed in its post's sequence under the lock
    (``_placed``: it may have been imported since it was placed before, if it was). Already
    imported: ``_NotNext``; behind a missing batch: ``_NotNext`` too when it was not
    ``placed`` before, else refused (its predecessor was passed over meanwhile).

    Its own copy is written on a thread while the statements run, once it is known to be the
    post's next batch (a held batch's was written when it was held)."""
    name = path.name
    keeping = None
    try:
        with db.unit_of_work(actor.label) as session:
            change_no = begin_import(session)  # refused at once while another import runs
            post = session.scalars(select(Post).where(Post.code == sealed.post_code)).first()
            place, post_id = _placed(session, post, sealed, name, gap_reason)
            assert post is not None
            if place.already or (place.missing is not None and not placed):
                raise _NotNext(place, post_id)
            if place.missing is not None:  # its predecessor was passed over meanwhile: rare
                raise UserError("batch_replayed", name=name, seq=sealed.seq, post=post.code)
            if not place.held:
                keeping = _Keeping(folder, sealed, name)
            try:
                result = _import_in(session, change_no, post, keys, sealed, keeping, path,
                                    actor, gap_reason, place, prepared, run)  # fmt: skip
            finally:  # the copy's thread is never left running, whatever became of the import
                if keeping is not None:
                    keeping.join()
    except (DataError, IntegrityError, ProgrammingError, InterfaceError) as error:
        # Signed by the post, yet values the database cannot take (a date that is no date, a
        # duplicate the post's own schema forbids): written wrongly or forged; nothing stays.
        # Only the kind of error is said: the driver's text may quote a value (a name).
        reason = type(getattr(error, "orig", None) or error).__name__
        raise UserError("batch_data_bad", name=name, reason=reason) from error
    return result


def _import_in(
    session: Session,
    change_no: int,
    post: Post,
    keys: BranchKeys,
    sealed: SealedBatch,
    keeping: _Keeping | None,
    path: Path,
    actor: Actor,
    gap_reason: str | None,
    place: Place,
    prepared: Prepared | None,
    run: _Run | None = None,
) -> ImportResult:
    """The import itself, inside the transaction: each part decrypted, checked and upserted in
    turn (one part in memory at a time; or as read ahead: ``ahead``), then the receipts,
    duplicates and history."""
    name = path.name
    # The post's batch records as placing the batch read them, under the lock (``_import``).
    imported = {seq: row for seq, row in place.rows.items() if row.state == "imported"}
    # Read now: the rows are expired once the parts are in (``apply_requests``).
    held = any(row.state == "held" for seq, row in place.rows.items() if seq != sealed.seq)
    previous = previous_manifest(imported.get(sealed.seq - 1))
    window = time_window(session, sealed, imported, name)
    connection = session.connection()
    # No batch of this post imported before: none of its records is here (only imports write
    # them), so each part's rows are new.
    importer = PartImporter(
        connection, post.id, change_no, name, lenient=previous is None and sealed.seq > 1,
        post_code=post.code, window=window, fresh=not imported,
    )  # fmt: skip
    reader = part_reader(prepared, sealed, keys, name, _driver_encoding(connection))
    counts = {}
    key = erasure_key(keys)
    for part in IMPORT_ORDER:
        document = reader.optional(part) if part in LATER_PARTS else reader.read(part)
        if document is None:
            counts[part] = 0
            continue
        if part == "participants" and isinstance(document, StagedPart):
            keep_keyed(session, post.id, document.erased, key)  # read ahead: prefixes are in
        elif part == "participants":
            # An erasure's row overwrites the branch's copy: the NIK held here is keyed first.
            keep_keyed_niks(session, post.id, document, key)
            document = with_prefixes(document, duplicate_salt(keys))
        counts[part] = importer.upsert(part, document)
    update_post(connection, post, reader.optional("posts"))
    check_receipts(connection, post, change_no, sealed, previous, name)
    import_audit(connection, post.code, change_no, reader.optional(AUDIT_PART),
                  actor, window, name)  # fmt: skip
    due = due_after_parts(session, post, change_no)  # what the steps below find to do
    # After the audit part: an erasure scrubs the history the batch brought, too.
    applied = apply_requests(session, post, change_no, key, name, due)
    later = due.later()
    rejected = reject_duplicates(session, post, sealed.seq, change_no, later)
    rejoin_erased(session, post, change_no, key, later)
    # Someone on BPJS's own list registered again at a post: not rejected, given their KPJ.
    attach_listed_kpj(session, post, change_no, later.listed)
    session.flush()  # the ORM's changes (rejections, erasures) before the prefixes are read
    # The post's new prefixes (each row the post's own: its reference checked set-based).
    importer.write_checked("participants", cast(Table, NikPrefix.__table__),
                           note_prefixes_sql(post.id, change_no))  # fmt: skip
    if run is not None:
        run.settle()  # the previous batch's ACK written before this one commits (``_Run``)
    now = operation_time(session)
    # This very file's record, when it was held: placing it refused any other file of its
    # number (``sequence_place``).
    held_row = place.rows.get(sealed.seq)
    # A held batch's copy was kept when it was held; the row records where (``held_row``).
    kept = path if keeping is None else keeping.kept()
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
                        rejected=rejected, late=place.late,
                        requests_done=applied.requests, held_behind=held,
                        post_id=post.id)  # fmt: skip


__all__ = ["ImportResult", "import_batch", "import_files"]
