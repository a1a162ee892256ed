"""Erased data must not come back (issue 19; docs/personal-data.md "Erasure").

* **The erasure list kept apart from the data**: ``erasures.json`` in the data folder holds,
  for every erasure, the registration number, the keyed NIK and when; no personal data. It is
  written (atomically) after every erasure, and applied again — every listed participant whose
  row still holds data is erased again — after every restore and at every start whose database
  lacks an erasure the file lists (a database put back by hand, a restore killed before its
  end). The file is not part of a restore's swap, so a backup from before an erasure cannot
  take it away.
* **Copies made before an erasure** (``forget_copies``): once the branch has confirmed an
  erasure (``DataRequest.branch_done_at``), the kept copies of acknowledged batches that carried
  the person are removed (``Batch.copy_removed_at``; ``batch export --again`` then refuses them)
  and so are the local backups made before it. Backups are removed, not rewritten: a backup is
  a signed, whole snapshot of one moment, and one rewritten later would claim a state the post
  never had; a fresh backup is made first, so the post is never left without one.

Every step is idempotent: a file removed but not yet recorded (a stop halfway) is simply
recorded on the next run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Row, String, cast, exists, func, select
from sqlalchemy.orm import Session

from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import AuditEntry, Batch, DataRequest, Erasure, Participant
from rumah_perisai.db.uow import Database, operation_time
from rumah_perisai.domain.personal_data import is_erased_nik, keyed_nik
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.backupfile import parse_name
from rumah_perisai.exchange.safe_write import sync_directory
from rumah_perisai.services.posts import local_post

log = logging.getLogger(__name__)

LIST_FILE = "erasures.json"
LIST_FORMAT = "rumah-perisai erasures v1"
ACTOR = "erasures"


@dataclass(frozen=True)
class Listed:
    registration_no: str
    nik_keyed: str
    erased_at: datetime


@dataclass(frozen=True)
class Forgotten:
    """What ``forget_copies`` removed this time."""

    batches: tuple[int, ...]
    backups: tuple[str, ...]  # file names (no personal data in them)


# --- the list kept apart ------------------------------------------------------------------------


def list_path(folder: DataFolder) -> Path:
    return folder.root / LIST_FILE


def read_list(folder: DataFolder) -> dict[str, Listed]:
    """The erasure list, by registration number; empty when there is none yet."""
    path = list_path(folder)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise UserError("erasure_list_unreadable", path=str(path)) from error
    if not isinstance(raw, dict) or raw.get("format") != LIST_FORMAT:
        raise UserError("erasure_list_unreadable", path=str(path))
    listed = {}
    try:
        for row in raw.get("erasures", []):
            entry = Listed(
                str(row["registration_no"]), str(row["nik_keyed"]), _moment(row["erased_at"])
            )
            listed[entry.registration_no] = entry
    except (KeyError, TypeError, ValueError) as error:
        raise UserError("erasure_list_unreadable", path=str(path)) from error
    return listed


LEFT_BEHIND_AFTER = 600  # seconds


def write_list(folder: DataFolder, listed: dict[str, Listed]) -> None:
    """Replace the list whole: a temporary file synced, then renamed over the old one."""
    rows = [
        {
            "registration_no": e.registration_no,
            "nik_keyed": e.nik_keyed,
            "erased_at": e.erased_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for e in sorted(listed.values(), key=lambda e: (e.erased_at, e.registration_no))
    ]
    data = json.dumps({"format": LIST_FORMAT, "erasures": rows}, indent=1).encode("utf-8")
    path = list_path(folder)
    # Its own temporary name: two processes opening the folder at once (a start and a command)
    # each write the list, and with one shared name one renamed the other's file away.
    temporary = path.with_name(f".{LIST_FILE}.{os.getpid()}-{secrets.token_hex(4)}.partial")
    try:
        with open(temporary, "wb") as handle:  # closed before the rename (Windows)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sweep_left_behind(path)
    sync_directory(path.parent)


def _sweep_left_behind(path: Path) -> None:
    """Remove what a writer killed mid-write left (its own ``.partial``): one older than
    ``LEFT_BEHIND_AFTER`` is no writer's at work any more (a write takes milliseconds)."""
    now = datetime.now(UTC).timestamp()
    for left in path.parent.glob(f".{LIST_FILE}.*.partial"):
        with contextlib.suppress(OSError):  # gone meanwhile, or held open on Windows
            if now - left.stat().st_mtime > LEFT_BEHIND_AFTER:
                left.unlink()


def _moment(value: object) -> datetime:
    return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _in_database(db: Database) -> dict[str, Listed]:
    with db.reading() as session:
        return {
            e.registration_no: Listed(e.registration_no, e.nik_keyed, e.erased_at)
            for e in session.scalars(select(Erasure))
        }


def after_erasure(db: Database, folder: DataFolder) -> None:
    """Once an erasure is committed: the list gets it, and SQLite's WAL is folded into the
    database file and emptied (it held the pages as they were before)."""
    sync_list(db, folder)
    checkpoint(db)


def sync_list(db: Database, folder: DataFolder) -> list[str]:
    """Make the file and the database agree: the file gets what the database has (an erasure
    committed just before a stop), and every listed participant whose row still holds data is
    erased again. Returns the registration numbers erased again."""
    try:
        listed = read_list(folder)
    except UserError:
        # Damaged (a disk error): set aside, never in the way of opening the post; the
        # database's own list writes it again below.
        _set_aside_damaged(folder)
        listed = {}
    recorded = _in_database(db)
    merged = {**recorded, **listed}
    if merged.keys() != listed.keys():
        write_list(folder, merged)
    again = apply_list(db, folder, merged)
    if again:
        checkpoint(db)
    return again


def _set_aside_damaged(folder: DataFolder) -> None:
    path = list_path(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with contextlib.suppress(OSError):
        os.replace(path, path.with_name(f"{LIST_FILE}.damaged-{stamp}"))
    log.warning("the erasure list was damaged: set aside and written again from the database")


def apply_list(db: Database, folder: DataFolder, listed: dict[str, Listed]) -> list[str]:
    """Erase again every listed participant of this post whose row still holds data."""
    from rumah_perisai.services.erasure import post_erasure_key
    from rumah_perisai.services.requests import erase_in
    from rumah_perisai.services.volunteers import Actor

    if not listed:
        return []
    with db.reading() as session:
        post = local_post(session)
        if post is None:
            return []
        rows = session.execute(
            select(Participant.id, Participant.registration_no, Participant.nik).where(
                Participant.post_id == post.id,
                Participant.registration_no.in_(list(listed)),
            )
        ).all()
        missing = set(listed) - set(session.scalars(select(Erasure.registration_no)))
    todo = [(pid, regno) for pid, regno, nik in rows if not is_erased_nik(nik)]
    if not todo and not missing:
        return []
    key = post_erasure_key(folder.keys)
    with db.unit_of_work(ACTOR) as session:
        post = local_post(session)
        assert post is not None
        for pid, regno in todo:
            participant = session.get(Participant, pid)
            assert participant is not None
            participant.nik_keyed = participant.nik_keyed or listed[regno].nik_keyed
            day = local_date(listed[regno].erased_at, post.timezone)
            erase_in(session, post, participant, key, day, None, Actor(label=ACTOR))
        for regno in missing - {regno for _pid, regno in todo}:
            entry = listed[regno]
            session.add(
                Erasure(
                    registration_no=regno,
                    post_code=post.code,
                    nik_keyed=entry.nik_keyed,
                    erased_at=entry.erased_at,
                    request_key=None,
                )
            )
    if todo:
        log.warning("%d erasure(s) applied again from the erasure list", len(todo))
    return [regno for _pid, regno in todo]


def erase_what_the_branch_erased(
    db: Database, folder: DataFolder, erased: Mapping[str, str]
) -> list[str]:
    """The branch's ACK lists every registration of this post it holds erased. A post put back
    from a backup older than an erasure, on a laptop that never had its erasure list (the old
    one was lost), holds those people's data again: erased again here, and listed. Returns the
    registration numbers erased again."""
    if not erased:
        return []
    with db.reading() as session:
        post = local_post(session)
        if post is None:
            return []
        rows = session.execute(
            select(Participant.registration_no, Participant.nik).where(
                Participant.post_id == post.id,
                Participant.registration_no.in_(list(erased)),
            )
        ).all()
    holding = [(regno, nik) for regno, nik in rows if not is_erased_nik(nik)]
    if not holding:
        return []
    from rumah_perisai.services.erasure import post_erasure_key

    key = post_erasure_key(folder.keys)
    listed = {
        regno: Listed(regno, keyed_nik(key, nik), _moment(erased[regno])) for regno, nik in holding
    }
    try:
        current = read_list(folder)
    except UserError:
        _set_aside_damaged(folder)
        current = {}
    write_list(folder, {**current, **listed})
    again = apply_list(db, folder, listed)
    if again:
        checkpoint(db)
    return again


def checkpoint(db: Database) -> None:
    """Fold SQLite's WAL into the database and empty it (best effort: a reader holding an old
    snapshot keeps it until the next checkpoint)."""
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# --- copies made before an erasure ------------------------------------------------------------


def forget_copies(db: Database, folder: DataFolder) -> Forgotten:
    """Remove the batch copies and local backups made before erasures the branch has
    confirmed (see the module). Idempotent; a stop halfway is finished on the next run."""
    with db.reading() as session:
        post = local_post(session)
        if post is None:
            return Forgotten((), ())
        # Each erasure's own change number: a batch whose last change is older was written
        # before it (times may tie, or a clock be set back; change numbers never do).
        erased_change = (
            select(func.min(AuditEntry.change_no))
            .where(
                AuditEntry.entity == DataRequest.__tablename__,
                AuditEntry.entity_id == cast(DataRequest.id, String),
            )
            .scalar_subquery()
        )
        confirmed = session.execute(
            select(DataRequest.participant_id, DataRequest.recorded_at, erased_change).where(
                DataRequest.post_id == post.id,
                DataRequest.kind == "erase",
                DataRequest.state == "done",
                DataRequest.branch_done_at.is_not(None),
            )
        ).all()
        batches = _batches_carrying(session, post.id, confirmed)
    removed = _remove_batch_copies(db, folder, batches)
    newest = max((at for _pid, at, _change in confirmed), default=None)
    backups = _remove_backups_before(db, folder, newest) if newest is not None else ()
    return Forgotten(tuple(removed), backups)


def _batches_carrying(
    session: Session, post_id: int, confirmed: Sequence[Row[int, datetime, int]]
) -> dict[int, str]:
    """Acknowledged batches, copy still kept, made before an erasure, whose changes held the
    erased participant's record (by the audit log's change numbers): seq -> file name."""
    found: dict[int, str] = {}
    for participant_id, _erased_at, erased_change in confirmed:
        carried = exists().where(
            AuditEntry.entity == Participant.__tablename__,
            AuditEntry.entity_id == str(participant_id),
            AuditEntry.change_no > Batch.change_from,
            AuditEntry.change_no <= Batch.change_to,
        )
        for seq, name in session.execute(
            select(Batch.seq, Batch.file_name).where(
                Batch.post_id == post_id,
                Batch.state == "acknowledged",
                Batch.copy_removed_at.is_(None),
                Batch.change_to < erased_change,
                carried,
            )
        ):
            found[seq] = name
    return found


def _remove_batch_copies(db: Database, folder: DataFolder, batches: dict[int, str]) -> list[int]:
    if not batches:
        return []
    for name in batches.values():
        with contextlib.suppress(FileNotFoundError):
            (folder.batches / name).unlink()
    with db.unit_of_work(ACTOR) as session:
        now = operation_time(session)
        for batch in session.scalars(select(Batch).where(Batch.seq.in_(list(batches)))):
            if batch.copy_removed_at is None:
                batch.copy_removed_at = now
    log.info("kept copies of %d batch(es) removed after confirmed erasures", len(batches))
    return sorted(batches)


def _remove_backups_before(db: Database, folder: DataFolder, moment: datetime) -> tuple[str, ...]:
    """The post's backups in ``backups/`` made before ``moment`` (and the copies a restore or
    an upgrade set aside there), once a backup made after it exists."""
    if not folder.backups.is_dir():
        return ()
    named = [n for p in folder.backups.iterdir() if (n := parse_name(p)) is not None]
    older = [n.path for n in named if n.created_at < moment]
    set_aside = [p for p in folder.backups.iterdir() if _set_aside_before(p, moment)]
    if not older and not set_aside:
        return ()
    if not any(n.created_at >= moment for n in named):
        _fresh_backup(db, folder)
    for path in (*older, *set_aside):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    log.info("%d backup(s) made before a confirmed erasure removed", len(older) + len(set_aside))
    return tuple(sorted(p.name for p in (*older, *set_aside)))


def _set_aside_before(path: Path, moment: datetime) -> bool:
    """A database a restore (``before-restore-…``) or an upgrade (``…-before-upgrade-…``) set
    aside, last changed before ``moment``."""
    if not (path.name.startswith("before-restore-") or "-before-upgrade-" in path.name):
        return False
    with contextlib.suppress(OSError):
        return datetime.fromtimestamp(path.stat().st_mtime, UTC) < moment
    return False


def _fresh_backup(db: Database, folder: DataFolder) -> None:
    from rumah_perisai.services.backup import _local

    _local(db, folder, "manual")
