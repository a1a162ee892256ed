"""Backups of a post and restoring one (issue 16; the file format is ``exchange.backupfile``).

A backup is one file holding the post's whole state: a consistent snapshot of the database
taken through SQLite's online backup API (never a copy of the live file), the post's ``keys/``
and ``settings.json``, encrypted under the post's database key; its header carries the wraps of
that key by the recovery code and by the branch's key. Every backup is written under a
temporary name, synced, read back and checked (signature, size, every chunk decrypts to the
snapshot that passed ``PRAGMA integrity_check``), and only then renamed: a file under a
backup's name is always whole.

Where backups go:

* ``local_backup``: the data folder's ``backups/``, at every daily close and when the window
  closes; kept: the newest backup of each of the last 7 days that have one, and the newest of
  each of the last 4 weeks (ISO weeks, the post's time zone) that have one; the rest deleted.
* the **off-laptop target** (a folder or drive a coordinator sets): the daily close's backup is
  written there too, kept the same way; ``backup_status`` says when the newest backup off the
  laptop (there, or beside a batch on the stick) is more than a day old.
* beside every weekly batch on the stick (``backup_beside_batch``), the older ones of the post
  on that stick removed once the new one is whole; the branch keeps the newest of each post.
* anywhere a coordinator asks (``write_backup``, ``backup --out DIR``).

``restore_backup`` puts a backup into a data folder (see its docstring).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from rumah_perisai import __version__, changes, vault
from rumah_perisai.config import DB_FILE_NAME, DataFolder
from rumah_perisai.db import encrypted
from rumah_perisai.db.models import SCHEMA_REVISION, Post, Setting
from rumah_perisai.db.uow import CHANGE_COUNTER, Database
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.exchange import safe_write
from rumah_perisai.exchange.backupfile import (
    SIGNER_POST,
    BackupFileError,
    BackupHeader,
    Entry,
    backup_file_name,
    decrypt_content,
    moment_text,
    parse_name,
    read_header,
    write_backup_stream,
)
from rumah_perisai.keys import fingerprint, load_post_key
from rumah_perisai.services.restore_state import RESTORE_SETTING
from rumah_perisai.tasks import Cancelled, Progress, SilentProgress

if TYPE_CHECKING:  # the composition root imports services, not the other way round
    from rumah_perisai.app import App

log = logging.getLogger(__name__)

OFF_LAPTOP_SETTING = "backup.off_laptop_target"
STATUS_FILE = "backup-status.json"
KEEP_DAYS = 7
KEEP_WEEKS = 4
STALE_AFTER = timedelta(days=1)
SNAPSHOT_PREFIX = ".snapshot-"
RESTORE_PREFIX = ".restore-"
RESTORE_MARK = "RESTORING"

__all__ = [
    "BackupHeader",
    "BackupInfo",
    "BackupStatus",
    "RestoreResult",
    "backup_beside_batch",
    "backup_status",
    "local_backup",
    "read_backup_header",
    "restore_backup",
    "set_off_laptop_target",
    "write_backup",
]


@dataclass(frozen=True)
class BackupInfo:
    """A backup written and checked."""

    path: Path
    created_at: datetime
    size: int
    kind: str = "manual"


@dataclass(frozen=True)
class BackupStatus:
    """What the main window says about backups."""

    newest_local: datetime | None
    newest_off_laptop: datetime | None
    off_laptop_target: Path | None
    off_laptop_stale: bool  # the newest backup off the laptop is over a day old, or none
    last_error: str | None = None  # the last automatic backup that failed, said plainly


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did; ``not_held`` is the plain sentence on what the backup lacks."""

    post_code: str
    post_name: str
    backup_created_at: datetime
    kind: str
    new_recovery_code: str | None
    restored_at: datetime
    last_receipt: dict[str, int] | None
    last_batch_seq: int
    not_held: str
    set_aside: Path | None = None  # what the folder held before, kept here


Cancel = Callable[[], bool]


# --- writing a backup ----------------------------------------------------------------------------


def write_backup(
    app: App,
    out_dir: Path,
    kind: str = "manual",
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> BackupInfo:
    """Write one backup of ``app``'s post into the folder ``out_dir``; returns where.

    ``progress.step(done, total)`` is called as it goes (it may raise ``Cancelled``), and so is
    ``cancel()`` (True: stop, ``Cancelled``); a stopped backup leaves nothing under a backup's
    name. ``out_dir`` on this computer's own disk or on a stick: full, read-only or pulled out
    is said plainly (``write_failed_*``)."""
    return _write(app.db, app.folder, out_dir, kind, _Steps(progress, cancel))


class _Steps:
    """Progress in three stages (snapshot, write, read back), with Cancel checked at each."""

    def __init__(self, progress: Progress | None, cancel: Cancel | None) -> None:
        self.progress = progress or SilentProgress()
        self.cancel = cancel

    def step(self, stage: int, done: int, total: int) -> None:
        if self.cancel is not None and self.cancel():
            raise Cancelled()
        span = 1000
        fraction = done / total if total else 1.0
        self.progress.step(int((stage + fraction) * span), 3 * span, "")


def _write(db: Database, folder: DataFolder, out_dir: Path, kind: str, steps: _Steps) -> BackupInfo:
    out_dir = _existing_dir(out_dir)
    key = vault.database_key(folder)
    _clear_leftovers(folder)
    folder.backups.mkdir(parents=True, exist_ok=True)
    snapshot = folder.backups / f"{SNAPSHOT_PREFIX}{secrets.token_hex(6)}.sqlite3"
    try:
        _snapshot(db, snapshot, key, steps)
        facts = _snapshot_facts(snapshot, key)
        created_at = db.clock()
        header = _header(folder, facts, created_at, kind)
        entries = _entries(folder, snapshot)
        name = backup_file_name(facts.code, created_at, kind)
        path = _stage_and_publish(out_dir, name, header, entries, key, folder, steps, out_dir)
    finally:
        _remove(snapshot)
    return BackupInfo(path=path, created_at=created_at, size=path.stat().st_size, kind=kind)


def _existing_dir(path: Path) -> Path:
    path = path.expanduser()
    if not path.is_dir():
        raise UserError("backup_out_missing", path=str(path))
    return path.resolve()


@dataclass(frozen=True)
class _Facts:
    """What the snapshot itself says: whose it is and how far it goes."""

    code: str
    name: str
    timezone: str
    demo: bool
    signing_key: bytes
    change_no: int
    last_receipt: dict[str, int] | None
    last_batch_seq: int
    branch_key_json: str | None
    restore_last: dict[str, Any] | None


def _header(folder: DataFolder, facts: _Facts, created_at: datetime, kind: str) -> dict[str, Any]:
    _wrap_for_branch(folder, facts)
    record = vault.recovery_record(folder)
    return {
        "post": {
            "code": facts.code,
            "name": facts.name,
            "timezone": facts.timezone,
            "demo": facts.demo,
            "signing_key": _b64(facts.signing_key),
            "key_fingerprint": fingerprint(facts.signing_key),
        },
        "created_at": moment_text(created_at),
        "program_version": __version__,
        "schema_revision": SCHEMA_REVISION,
        "kind": kind,
        "state": {
            "change_no": facts.change_no,
            "last_receipt": facts.last_receipt,
            "last_batch_seq": facts.last_batch_seq,
        },
        "wraps": record,
        "signer": {"role": SIGNER_POST},
    }


def _wrap_for_branch(folder: DataFolder, facts: _Facts) -> None:
    """The key wrapped for the branch whose key the post has installed, before the record is
    copied into the header: a post whose code is lost can then still be recovered. Nothing is
    written when it is wrapped for that key already."""
    if facts.branch_key_json is None:
        return
    from rumah_perisai.keys.files import read_branch_key_file

    branch = read_branch_key_file(json.loads(facts.branch_key_json).encode())
    vault.set_branch_wrap(folder, branch.encryption_key)


def _b64(data: bytes) -> str:
    from rumah_perisai.exchange.canonical import b64

    return b64(data)


def _entries(folder: DataFolder, snapshot: Path) -> list[Entry]:
    entries = [Entry("database", snapshot)]
    if folder.keys.is_dir():
        for path in sorted(folder.keys.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                entries.append(Entry(f"keys/{path.name}", path))
    if folder.settings_file.is_file():
        entries.append(Entry("settings.json", folder.settings_file))
    return entries


def _stage_and_publish(
    directory: Path,
    name: str,
    header: dict[str, Any],
    entries: list[Entry],
    key: bytes,
    folder: DataFolder,
    steps: _Steps,
    out_dir: Path,
) -> Path:
    """Write under ``.<name>.partial``, synced; read back and check; rename. On any failure the
    temporary file is removed and nothing is left under the backup's name."""
    temporary = directory / safe_write.partial_name(name)
    computer = _on_this_computer(folder, out_dir)
    try:
        try:
            _write_synced(temporary, header, entries, key, folder, steps)
        except OSError as error:
            raise safe_write.write_failed(directory, error, computer=computer) from error
        checked = _check_written(temporary, key, entries[0].path, steps)
        if checked.post_code != header["post"]["code"]:
            raise UserError("write_failed_mismatch", path=str(directory))
        try:
            os.replace(temporary, directory / name)
            safe_write.sync_directory(directory)
        except OSError as error:
            raise safe_write.write_failed(directory, error, computer=computer) from error
    except BaseException:
        _remove(temporary)
        raise
    return directory / name


def _on_this_computer(folder: DataFolder, out_dir: Path) -> bool:
    with contextlib.suppress(OSError):
        return out_dir.resolve().is_relative_to(folder.root.resolve())
    return False


class _SeamWriter:
    """A file object writing through ``safe_write.write_chunk`` (the seam tests fill up)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        while view:
            view = view[safe_write.write_chunk(self.fd, view) :]
        return len(data)


def _write_synced(
    path: Path,
    header: dict[str, Any],
    entries: list[Entry],
    key: bytes,
    folder: DataFolder,
    steps: _Steps,
) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    try:
        out: Any = _SeamWriter(fd)
        write_backup_stream(
            out, header, entries, key, load_post_key(folder.keys), lambda d, t: steps.step(1, d, t)
        )
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_written(path: Path, key: bytes, snapshot: Path, steps: _Steps) -> BackupHeader:
    """Read the file back from the device and check it whole: signature and size, and that its
    database decrypts to the very snapshot that passed the integrity check."""
    _drop_cache(path)
    checked = read_header(path)
    steps.step(2, 0, 1)
    digests = decrypt_content(checked, key, None)
    if digests.get("database") != _sha256_of(snapshot):
        raise BackupFileError("backup_damaged", name=path.name)
    steps.step(2, 1, 1)
    return checked


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _drop_cache(path: Path) -> None:
    if not hasattr(os, "posix_fadvise"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


def _clear_leftovers(folder: DataFolder) -> None:
    """Snapshots left by a backup that was killed (encrypted, but of no use)."""
    if not folder.backups.is_dir():
        return
    for path in folder.backups.iterdir():
        if path.name.startswith(SNAPSHOT_PREFIX):
            _remove(path)


# --- the snapshot --------------------------------------------------------------------------------


def _snapshot(db: Database, target: Path, key: bytes, steps: _Steps) -> None:
    """A consistent copy of the live database through the online backup API. SQLCipher's
    backup copies between two databases with the same key: the snapshot is encrypted as the
    database is, on this computer's disk as in the backup file."""
    if db.engine.dialect.name != "sqlite" or folder_of(db) is None:
        raise UserError("backup_not_embedded")
    raw = db.engine.raw_connection()
    try:
        source: Any = raw.driver_connection
        destination = encrypted.connect(target, key)
        try:

            def progress(_status: int, remaining: int, total: int) -> None:
                steps.step(0, total - remaining, total)

            source.backup(destination, pages=4096, progress=progress)
        finally:
            destination.close()
    finally:
        raw.close()


def folder_of(db: Database) -> DataFolder | None:
    """The data folder whose own (encrypted) database ``db`` is; None for any other database
    (the branch's PostgreSQL, a file named with ``--db``)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or not url.password:
        return None
    path = Path(url.database)
    if path.name != DB_FILE_NAME:
        return None
    return DataFolder(path.parent)


def _snapshot_facts(path: Path, key: bytes) -> _Facts:
    """Check the snapshot whole (``integrity_check``) and read whose it is and how far it goes."""
    connection = encrypted.connect(path, key)
    try:
        check = connection.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise UserError("backup_snapshot_bad")
        return _facts(connection)
    finally:
        connection.close()


def _facts(connection: Any) -> _Facts:
    post = connection.execute(
        "SELECT id, code, name, timezone, is_demo, signing_public_key FROM posts "
        "WHERE is_local = 1 LIMIT 1"
    ).fetchone()
    if post is None:
        raise UserError("no_post")
    post_id, code, name, timezone, demo, signing_key = post
    change = connection.execute(
        "SELECT value FROM counters WHERE scope = ? AND name = ?", CHANGE_COUNTER
    ).fetchone()
    receipt = connection.execute(
        "SELECT year, seq FROM receipts WHERE post_id = ? ORDER BY year DESC, seq DESC LIMIT 1",
        (post_id,),
    ).fetchone()
    batch = connection.execute(
        "SELECT max(seq) FROM batches WHERE post_id = ?", (post_id,)
    ).fetchone()
    branch = connection.execute(
        "SELECT value_json FROM settings WHERE key = 'branch.key'"
    ).fetchone()
    restored = connection.execute(
        "SELECT value_json FROM settings WHERE key = ?", (RESTORE_SETTING,)
    ).fetchone()
    return _Facts(
        code=str(code),
        name=str(name),
        timezone=str(timezone),
        demo=bool(demo),
        signing_key=bytes(signing_key),
        change_no=int(change[0]) if change else 0,
        last_receipt={"year": int(receipt[0]), "seq": int(receipt[1])} if receipt else None,
        last_batch_seq=int(batch[0] or 0) if batch else 0,
        branch_key_json=str(branch[0]) if branch else None,
        restore_last=json.loads(restored[0]) if restored else None,
    )


# --- where backups go ----------------------------------------------------------------------------


def local_backup(app: App, kind: str) -> BackupInfo:
    """A backup in the data folder's ``backups/`` (``kind``: "daily" at the daily close, "close"
    when the window closes), then the old ones thinned out (see the module)."""
    return _local(app.db, app.folder, kind)


def _local(db: Database, folder: DataFolder, kind: str) -> BackupInfo:
    folder.backups.mkdir(parents=True, exist_ok=True)
    info = _write(db, folder, folder.backups, kind, _Steps(None, None))
    _rotate(folder.backups, info.path, _timezone(db))
    return info


def _timezone(db: Database) -> str:
    with db.reading() as session:
        zone = session.scalar(select(Post.timezone).where(Post.is_local.is_(True)))
    return str(zone or "WIB")


def _rotate(directory: Path, newest: Path, zone: str) -> list[Path]:
    """Keep the newest backup of each of the last ``KEEP_DAYS`` days that have one and of each
    of the last ``KEEP_WEEKS`` ISO weeks that have one (days and weeks in the post's zone);
    delete this post's other backups there. Returns those deleted."""
    named = parse_name(newest)
    if named is None:
        return []
    mine = [
        found
        for path in directory.iterdir()
        if (found := parse_name(path)) is not None and found.post_code == named.post_code
    ]
    keep = keep_set(mine, zone)
    deleted = []
    for found in mine:
        if found.path not in keep and found.path != newest:
            with contextlib.suppress(OSError):
                found.path.unlink()
                deleted.append(found.path)
    return deleted


def keep_set(backups: list[Any], zone: str) -> set[Path]:
    """The backups rotation keeps (see ``_rotate``)."""
    ordered = sorted(backups, key=lambda b: b.created_at, reverse=True)
    by_day: dict[date, Path] = {}
    by_week: dict[tuple[int, int], Path] = {}
    for backup in ordered:
        day = local_date(backup.created_at, zone)
        by_day.setdefault(day, backup.path)
        by_week.setdefault(tuple(day.isocalendar())[:2], backup.path)  # type: ignore[arg-type]
    days = sorted(by_day, reverse=True)[:KEEP_DAYS]
    weeks = sorted(by_week, reverse=True)[:KEEP_WEEKS]
    return {by_day[d] for d in days} | {by_week[w] for w in weeks}


def after_daily_close(db: Database, actor_label: str) -> BackupInfo | None:
    """The daily close's backups: local, then the off-laptop target if one is set. Never
    raises: the close is committed already; a failure is logged and said by ``backup_status``."""
    folder = folder_of(db)
    if folder is None:  # not a post's own database (the branch, a test's other file)
        return None
    try:
        info = _local(db, folder, "daily")
    except Exception as error:  # whatever it was, the close stands
        _record_failure(folder, "daily", error)
        return None
    target = _off_laptop_target(db)
    if target is not None:
        try:
            copied = _copy_to(info, target, folder)
            _rotate(target, copied, _timezone(db))
            _record(folder, "off_laptop", info.created_at, copied)
        except Exception as error:  # the local backup is made; said in the status
            _record_failure(folder, "off_laptop", error)
            return info
    _clear_failure(folder)
    log.info("daily-close backup written (%s bytes) by %s", info.size, actor_label.split(":")[0])
    return info


def _copy_to(info: BackupInfo, target: Path, folder: DataFolder) -> Path:
    """The same backup, byte for byte, written to ``target`` and checked there."""
    target = _existing_target(target)
    key = vault.database_key(folder)
    name = info.path.name
    temporary = target / safe_write.partial_name(name)
    try:
        try:
            _copy_synced(info.path, temporary)
        except OSError as error:
            raise safe_write.write_failed(target, error) from error
        _drop_cache(temporary)
        decrypt_content(read_header(temporary), key, None)
        if _sha256_of(temporary) != _sha256_of(info.path):
            raise UserError("write_failed_mismatch", path=str(target))
        try:
            os.replace(temporary, target / name)
            safe_write.sync_directory(target)
        except OSError as error:
            raise safe_write.write_failed(target, error) from error
    except BaseException:
        _remove(temporary)
        raise
    return target / name


def _existing_target(path: Path) -> Path:
    if not path.is_dir():
        raise UserError("backup_target_missing", path=str(path))
    return path


def _copy_synced(source: Path, temporary: Path) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(temporary, flags, 0o600)
    try:
        writer = _SeamWriter(fd)
        with source.open("rb") as handle:
            while block := handle.read(1 << 20):
                writer.write(block)
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_beside_batch(db: Database, folder: DataFolder, stick: Path) -> BackupInfo:
    """A full backup on the stick beside the batch just written; the post's older backups on
    that stick are removed once this one is whole (a stick is small)."""
    info = _write(db, folder, stick, "batch", _Steps(None, None))
    newest = parse_name(info.path)
    assert newest is not None
    for path in stick.iterdir():
        found = parse_name(path)
        if found is None or found.post_code != newest.post_code:
            continue
        if found.created_at < newest.created_at:
            with contextlib.suppress(OSError):
                path.unlink()
    _record(folder, "stick", info.created_at, info.path)
    return info


# --- the off-laptop target and the status --------------------------------------------------------


def set_off_laptop_target(app: App, path: Path | None, actor: Any) -> None:
    """Set (or with None clear) the folder or drive the daily close also writes to; a
    coordinator's setting, audited with the old and new value."""
    from rumah_perisai.services.volunteers import require_coordinator

    require_coordinator(actor)
    value = None
    if path is not None:
        value = str(_existing_target(path.expanduser()).resolve())
    with app.db.unit_of_work(actor.label) as session:
        stored = session.get(Setting, OFF_LAPTOP_SETTING)
        session.info["reason"] = "off-laptop backup target"
        if stored is None:
            session.add(Setting(key=OFF_LAPTOP_SETTING, value_json=json.dumps(value)))
        else:
            stored.value_json = json.dumps(value)


def _off_laptop_target(db: Database) -> Path | None:
    with db.reading() as session:
        stored = session.get(Setting, OFF_LAPTOP_SETTING)
        value = json.loads(stored.value_json) if stored else None
    return Path(value) if isinstance(value, str) and value else None


def backup_status(app: App) -> BackupStatus:
    """When the newest backups were made, here and off the laptop, and whether the newest off
    the laptop is over a day old (or there is none)."""
    status = _read_status(app.folder)
    local = [
        found.created_at
        for path in (app.folder.backups.iterdir() if app.folder.backups.is_dir() else [])
        if (found := parse_name(path)) is not None
    ]
    off = [_parse_at(status.get(where, {}).get("at")) for where in ("off_laptop", "stick")]
    off_laptop = max((moment for moment in off if moment is not None), default=None)
    now = app.db.clock()
    error = status.get("error")
    return BackupStatus(
        newest_local=max(local, default=None),
        newest_off_laptop=off_laptop,
        off_laptop_target=_off_laptop_target(app.db),
        off_laptop_stale=off_laptop is None or now - off_laptop > STALE_AFTER,
        last_error=str(error.get("message")) if isinstance(error, dict) else None,
    )


def _parse_at(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _status_path(folder: DataFolder) -> Path:
    return folder.backups / STATUS_FILE


def _read_status(folder: DataFolder) -> dict[str, Any]:
    try:
        value = json.loads(_status_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _write_status(folder: DataFolder, status: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        folder.backups.mkdir(parents=True, exist_ok=True)
        temporary = _status_path(folder).with_suffix(".tmp")
        temporary.write_text(json.dumps(status, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, _status_path(folder))
    changes.announce(changes.BACKUPS)  # a file, not a table: the unit of work cannot see it


def _record(folder: DataFolder, where: str, at: datetime, path: Path) -> None:
    status = _read_status(folder)
    status[where] = {"at": at.astimezone(UTC).isoformat(), "folder": str(path.parent)}
    _write_status(folder, status)


def _record_failure(folder: DataFolder, what: str, error: BaseException) -> None:
    if isinstance(error, UserError):
        message = error.message()
        log.warning("%s backup failed: %s", what, error.key)
    else:  # a bug or the system's own failure: its details go to the log, not the window
        message = type(error).__name__
        log.error("%s backup failed", what, exc_info=error)
    status = _read_status(folder)
    status["error"] = {"what": what, "message": message}
    _write_status(folder, status)


def _clear_failure(folder: DataFolder) -> None:
    status = _read_status(folder)
    if status.pop("error", None) is not None:
        _write_status(folder, status)


# --- reading a backup ----------------------------------------------------------------------------


def read_backup_header(path: Path) -> BackupHeader:
    """A backup's header, the file checked whole (size, hash, signature) without any key."""
    if path.exists() and not path.is_file():
        raise UserError("input_not_a_file", path=str(path))
    if not path.exists():
        raise UserError("backup_missing", path=str(path))
    return read_header(path)


def backup_files(directory: Path) -> list[Path]:
    """The backups in a folder, newest first by their names."""
    if not directory.is_dir():
        return []
    found = [named for p in directory.iterdir() if (named := parse_name(p)) is not None]
    return [named.path for named in sorted(found, key=lambda n: n.created_at, reverse=True)]


def restore_backup(
    folder: DataFolder, path: Path, code: str, progress: Progress | None = None
) -> RestoreResult:
    """Restore a backup into ``folder``; see ``services.restore``."""
    from rumah_perisai.services.restore import restore

    return restore(folder, path, code, progress)
