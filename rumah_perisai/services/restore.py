"""Restoring a post from a backup file (issue 16), whole or not at all.

``restore`` puts a backup into a data folder: an empty one (a new laptop), or one holding the
same post in an older state. Everything is first laid out and checked in a staging folder inside
the data folder (``.restore-<id>/``): the file whole and signed, made by a program this one can
read, for this folder's post and newer than what the folder holds, opened with the recovery code
(or the branch's one-time code), the database integrity-checked and holding the post the header
names, the Setting ``restore.last`` recorded (audited) in it, the key installed on this computer
and the folder's recovery record (``vault.json``) made. Any refusal up to here removes the
staging folder: nothing changed.

Then a mark (``RESTORING``) is written in the staging folder: from that moment the restore is
decided. The folder's database (with its WAL), ``keys/``, ``settings.json`` and ``vault.json``
are moved into the staging folder's ``old/`` and the restored ones take their place, each by a
rename. A stop at any moment (kill -9, power) is finished at the next start
(``finish_interrupted_restore``, run by ``open_app`` before the database is opened): with the mark
the swap is completed, without it the staging folder is removed. So the folder is either as it
was or fully restored. What the folder held before is kept in ``backups/before-restore-<time>/``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from rumah_perisai import formats, vault
from rumah_perisai.config import DataFolder
from rumah_perisai.db import encrypted
from rumah_perisai.db.engine import make_engine
from rumah_perisai.db.models import Setting
from rumah_perisai.db.uow import Database, operation_time, utc_now
from rumah_perisai.errors import UserError
from rumah_perisai.exchange import safe_write
from rumah_perisai.exchange.backupfile import (
    BackupFileError,
    BackupHeader,
    decrypt_content,
    moment_text,
    parse_moment,
)
from rumah_perisai.i18n import tr
from rumah_perisai.keys import POST_KEY_FILE, load_post_key, public_bytes
from rumah_perisai.keys.files import BRANCH_PUBLIC_FILE, read_branch_key_file
from rumah_perisai.presence import sole_user
from rumah_perisai.services.backup import (
    RESTORE_MARK,
    RESTORE_PREFIX,
    RestoreResult,
    _Facts,
    _facts,
    read_backup_header,
)
from rumah_perisai.services.restore_state import RESTORE_SETTING
from rumah_perisai.tasks import Progress, SilentProgress

log = logging.getLogger(__name__)

ACTOR = "restore"
_SWAPPED = ("database", "keys", "settings.json", "vault.json")
_DB_COMPANIONS = ("-wal", "-shm", "-journal")


def restore(
    folder: DataFolder,
    path: Path,
    code: str,
    progress: Progress | None = None,
    *,
    clock: Any = utc_now,
) -> RestoreResult:
    """Restore the backup ``path`` into ``folder`` with the recovery (or one-time) ``code``.

    Refused in one line, nothing changed: a damaged, cut or altered file; a file of a newer
    program (format or schema); another post's backup (the folder holds a different post); a
    backup older than the one restored here before, or not newer than what the folder holds; a
    wrong code."""
    progress = progress or SilentProgress()
    progress.step(0, 5, "check")
    header = read_backup_header(path)
    _check_program(header)
    if folder.root.is_dir():
        _check_folder(folder, header)  # said first, even while the folder is open elsewhere
    progress.step(1, 5, "code")
    record = dict(header.wraps)
    key = vault.unlock_with_code(record, code)
    with sole_user(folder):  # never under a window or command that has the post open
        finish_interrupted_restore(folder)
        _check_folder(folder, header)  # again, now that nothing else can change it
        return _restore(folder, header, record, key, progress, clock)


def _restore(
    folder: DataFolder,
    header: BackupHeader,
    record: dict[str, Any],
    key: bytes,
    progress: Progress,
    clock: Any,
) -> RestoreResult:
    folder.root.mkdir(parents=True, exist_ok=True)
    staging = folder.root / f"{RESTORE_PREFIX}{secrets.token_hex(6)}"
    try:
        progress.step(2, 5, "decrypt")
        decrypt_content(header, key, staging)
        progress.step(3, 5, "database")
        facts = _check_staged(staging, header, key)
        restored_at = _record_restore(staging, header, facts, key, clock)
        new_code = vault.new_recovery_code() if header.recovered else None
        if new_code is not None:  # the branch's one-time code is spent: the post gets its own
            record = vault.rewrap_record(record, key, new_code)
        vault.install_database_key(DataFolder(staging), key, record)
        _sync_tree(staging)
        # The last moment a cancel is heard: once the mark is written the restore is decided
        # (the next start would finish it), so the caller must not be told it was cancelled.
        progress.step(4, 5, "swap")
        _mark(staging, header)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    set_aside = _swap(folder, staging)
    _erasures_again(folder, key, clock)
    log.info("restored post %s from a %s backup", header.post_code, header.kind)
    return RestoreResult(
        post_code=header.post_code,
        post_name=header.post_name,
        backup_created_at=header.created_at,
        kind=header.kind,
        new_recovery_code=new_code,
        restored_at=restored_at,
        last_receipt=facts.last_receipt,
        last_batch_seq=facts.last_batch_seq,
        not_held=not_held_message(header.created_at, header.timezone),
        set_aside=set_aside,
    )


def not_held_message(created_at: datetime, zone: str) -> str:
    """ "Cadangan ini dibuat Sabtu 5 Des 2026 pukul 16.02. ..." in the post's time zone."""
    return tr(
        "This backup was made on {when}. Anything recorded after that is not in it: receipts "
        "printed since then are on the post's paper halves and are entered again with their "
        "numbers.",
        when=formats.weekday_moment(created_at, zone),
    )


# --- checks before anything is written -----------------------------------------------------------


def _check_program(header: BackupHeader) -> None:
    """A backup of a schema this program does not know was made by a newer program."""
    if header.schema_revision not in _known_revisions():
        raise UserError(
            "backup_newer_schema", name=header.path.name, version=header.program_version
        )


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from rumah_perisai.db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


@dataclass(frozen=True)
class _Held:
    """What the folder holds now, as far as it can be read here."""

    post_key: bytes | None
    facts: _Facts | None


def _check_folder(folder: DataFolder, header: BackupHeader) -> None:
    if (folder.keys / BRANCH_PUBLIC_FILE).exists():
        raise UserError("restore_into_branch", path=str(folder.root))
    held = _held(folder)
    if held.post_key is not None and held.post_key != header.post_key:
        raise UserError("backup_other_post", name=header.path.name, post=header.post_code,
                        here=held.facts.code if held.facts else "?")  # fmt: skip
    facts = held.facts
    if facts is None:
        return
    if facts.code != header.post_code or facts.signing_key != header.post_key:
        raise UserError("backup_other_post", name=header.path.name, post=header.post_code,
                        here=facts.code)  # fmt: skip
    restored = facts.restore_last or {}
    before = restored.get("backup_created_at")
    if isinstance(before, str) and parse_moment(before) > header.created_at:
        made = formats.weekday_moment(parse_moment(before), header.timezone)
        raise UserError("backup_older_than_restored", name=header.path.name, made=made)
    if facts.change_no >= header.change_no:
        raise UserError("backup_not_newer", name=header.path.name)


def _held(folder: DataFolder) -> _Held:
    key_file = folder.keys / POST_KEY_FILE
    post_key = public_bytes(load_post_key(folder.keys)) if key_file.exists() else None
    if not folder.database.exists() or folder.database.stat().st_size == 0:
        return _Held(post_key, None)
    try:
        connection = _open_held(folder)
    except UserError:  # no key here for it (a reinstalled computer): it is set aside, kept
        return _Held(post_key, None)
    try:
        return _Held(post_key, _facts(connection))
    except UserError:  # a folder with a database but no post yet
        return _Held(post_key, None)
    except encrypted.SQLITE_ERRORS:
        return _Held(post_key, None)
    finally:
        connection.close()


def _open_held(folder: DataFolder) -> Any:
    # Opened as the program opens it, not read-only: closing the last connection then removes
    # the WAL files it made, and the folder is left exactly as it was.
    if encrypted.is_plain(folder.database):  # left by an older program: read as it is
        import sqlite3

        return sqlite3.connect(folder.database)
    connection = encrypted.open_raw(folder)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except encrypted.SQLITE_ERRORS as error:
        connection.close()
        raise UserError("db_key_wrong", path=str(folder.database)) from error
    return connection


# --- the staged copy -----------------------------------------------------------------------------


def _check_staged(staging: Path, header: BackupHeader, key: bytes) -> _Facts:
    """The restored database opens with the key, is whole, and holds the post the header names
    (with the signing key of the restored ``keys/``); a backup the branch re-issued is signed by
    the branch this very post trusted."""
    database = staging / "database"
    if not database.is_file():
        raise BackupFileError("backup_damaged", name=header.path.name)
    connection = encrypted.connect(database, key)
    try:
        try:
            whole = connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            facts = _facts(connection)
        except encrypted.SQLITE_ERRORS as error:
            raise BackupFileError("backup_damaged", name=header.path.name) from error
    finally:
        connection.close()
    if not whole or facts.code != header.post_code or facts.signing_key != header.post_key:
        raise BackupFileError("backup_damaged", name=header.path.name)
    if public_bytes(load_post_key(staging / "keys")) != header.post_key:
        raise BackupFileError("backup_damaged", name=header.path.name)
    if header.recovered:
        _check_branch_signer(header, facts)
    return facts


def _check_branch_signer(header: BackupHeader, facts: _Facts) -> None:
    from rumah_perisai.exchange.canonical import unb64

    trusted = (
        read_branch_key_file(json.loads(facts.branch_key_json).encode())
        if (facts.branch_key_json)
        else None
    )
    signer = unb64(header.signer.get("signing_key"), 32)
    if trusted is None or trusted.signing_key != signer:
        raise UserError("backup_signer_unknown", name=header.path.name)


def _record_restore(
    staging: Path, header: BackupHeader, facts: _Facts, key: bytes, clock: Any
) -> datetime:
    """``restore.last`` in the restored database, audited like any change (so the window and
    the re-entry of paper receipts know a restore happened and from when)."""
    engine = make_engine(f"sqlite:///{staging / 'database'}", key=key)
    try:
        db = Database(engine, clock=clock)
        with db.unit_of_work(ACTOR) as session:
            now = operation_time(session)
            value = {
                "backup_created_at": moment_text(header.created_at),
                "restored_at": moment_text(now),
                "kind": header.kind,
                "post_code": header.post_code,
                "last_receipt": facts.last_receipt,
                "last_batch_seq": facts.last_batch_seq,
                "recovered_by_branch": header.recovered,
                "file": header.path.name,
            }
            session.info["reason"] = f"restored from backup {header.path.name}"
            stored = session.get(Setting, RESTORE_SETTING)
            if stored is None:
                session.add(Setting(key=RESTORE_SETTING, value_json=json.dumps(value)))
            else:
                stored.value_json = json.dumps(value)
        with engine.connect() as connection:  # fold the WAL into the file: only it is moved
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute(select(1))
    finally:
        engine.dispose()
    for suffix in _DB_COMPANIONS:
        companion = staging / f"database{suffix}"
        if companion.exists() and companion.stat().st_size:
            raise UserError("backup_snapshot_bad")
        with contextlib.suppress(OSError):
            companion.unlink()
    return now


def _sync_tree(root: Path) -> None:
    for directory, _dirs, files in os.walk(root):
        for name in files:
            safe_write.sync_file(Path(directory) / name)
        safe_write.sync_directory(Path(directory))


def _mark(staging: Path, header: BackupHeader) -> None:
    mark = staging / RESTORE_MARK
    temporary = staging / f".{RESTORE_MARK}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(json.dumps({"backup": header.path.name}).encode())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, mark)
    safe_write.sync_directory(staging)


# --- the swap, and finishing one that was stopped ------------------------------------------------


def _target(folder: DataFolder, item: str) -> Path:
    return folder.database if item == "database" else folder.root / item


def _swap(folder: DataFolder, staging: Path) -> Path | None:
    """Move what the folder holds into ``staging/old`` and the restored items into its place;
    every step can be done again after a stop. Returns where the old items are kept."""
    with vault.folder_lock(folder):
        old = staging / "old"
        old.mkdir(exist_ok=True)
        for item in _SWAPPED:
            staged = staging / item
            if not staged.exists():
                continue
            current = _target(folder, item)
            if item == "database":
                for suffix in _DB_COMPANIONS:
                    companion = current.with_name(current.name + suffix)
                    if companion.exists():
                        os.replace(companion, old / f"database{suffix}")
            if current.exists():
                _move(current, old / item)
            _move(staged, current)
        safe_write.sync_directory(folder.root)
        kept = _keep_old(folder, old)
        (staging / RESTORE_MARK).unlink()
        shutil.rmtree(staging, ignore_errors=True)
        return kept


def _move(source: Path, target: Path) -> None:
    if target.exists():  # left by a stop between two moves: the older copy stays
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    os.replace(source, target)


def _keep_old(folder: DataFolder, old: Path) -> Path | None:
    """What the folder held before, kept in ``backups/`` (its database encrypted as it was)."""
    if not any(old.iterdir()):
        return None
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    folder.backups.mkdir(parents=True, exist_ok=True)
    kept = folder.backups / f"before-restore-{stamp}-{secrets.token_hex(3)}"
    os.replace(old, kept)
    return kept


def _erasures_again(folder: DataFolder, key: bytes, clock: Any) -> None:
    """Erased data must not come back: the erasure list kept apart (``erasures.json``, not part
    of the swap) is applied to the restored database at once. A backup of an older schema is
    migrated first by the next start, which applies the list then (``open_app``)."""
    from rumah_perisai.db.migrate import _is_current
    from rumah_perisai.services.erasure_cleanup import sync_list

    engine = make_engine(folder.sqlite_url, key=key)
    try:
        if _is_current(engine):
            sync_list(Database(engine, clock=clock), folder)
    finally:
        engine.dispose()


def finish_interrupted_restore(folder: DataFolder) -> None:
    """A restore stopped half-way: completed when it had been decided (its mark), else its
    staging folder removed. Run before the folder's database is opened."""
    if not folder.root.is_dir():
        return
    for staging in sorted(folder.root.glob(f"{RESTORE_PREFIX}*")):
        if not staging.is_dir():
            continue
        if (staging / RESTORE_MARK).exists():
            log.info("finishing a restore that was stopped")
            _swap(folder, staging)
        else:
            shutil.rmtree(staging, ignore_errors=True)
