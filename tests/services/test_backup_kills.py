"""kill -9 during a backup and during a restore, 30 times each (issue 16, "Bad input and faults").

A real child process (``tests/children.py``: forked where the machine forks, ``python -c``
elsewhere, as on Windows) backs up or restores a real encrypted post and is killed at a random
moment (SIGKILL: no clean-up runs). After each kill: every file under a backup's name is whole
and decrypts; the data folder is either as it was or fully restored, never half, once the next
start has looked at it."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import pytest

from rumah_perisai import vault
from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db import encrypted
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.exchange.backupfile import decrypt_content, parse_name, read_header
from rumah_perisai.services.backup import write_backup
from rumah_perisai.services.restore import finish_interrupted_restore
from rumah_perisai.tasks import SilentProgress
from tests.children import Child, kill_after
from tests.dbfiles import content_digest

KILLS = 30

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # fork() in a threaded test process
]

_BACKUP_CHILD = """
import sys
from pathlib import Path
from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.services.backup import local_backup, write_backup
folder = DataFolder(Path(sys.argv[1]))
app = open_app(folder, folder.sqlite_url)
print("ready", flush=True)
while True:
    write_backup(app, Path(sys.argv[2]), "manual")
    local_backup(app, "close")
"""

_RESTORE_CHILD = """
import sys
from pathlib import Path
from rumah_perisai.config import DataFolder
from rumah_perisai.services.restore import restore
print("ready", flush=True)
restore(DataFolder(Path(sys.argv[1])), Path(sys.argv[2]), sys.argv[3])
print("done", flush=True)
"""


def _demo(folder: DataFolder, participants: int) -> str:
    with open_app(folder, folder.sqlite_url) as app:
        create_demo_post(
            app.db, folder, DemoRequest(participants=participants), "cli:test", SilentProgress()
        )
    code = vault.new_recovery_code()
    vault.set_recovery_code(folder, code)
    return code


def _whole_backups(directory: Path, key: bytes) -> int:
    count = 0
    for path in directory.iterdir():
        if parse_name(path) is not None:
            decrypt_content(read_header(path), key, None)  # raises if not whole
            count += 1
    return count


def test_a_backup_killed_at_any_moment_leaves_no_half_file_under_a_backups_name(
    tmp_path: Path,
) -> None:
    folder = DataFolder(tmp_path / "post")
    _demo(folder, 800)
    out = tmp_path / "out"
    out.mkdir()
    key = vault.database_key(folder)
    before = content_digest_of(folder)
    rng = random.Random(16)
    for _kill_no in range(KILLS):
        kill_after(Child(_BACKUP_CHILD, str(folder.root), str(out)), rng.uniform(0.0, 0.4))
        _whole_backups(out, key)
        _whole_backups(folder.backups, key)
    assert content_digest_of(folder) == before  # a backup never changes the post
    with open_app(folder, folder.sqlite_url) as app:  # and the next one just works
        info = write_backup(app, out, "manual")
    assert read_header(info.path).size == info.size
    assert not list(folder.backups.glob(".snapshot-*"))  # leftovers cleared by the next backup


def content_digest_of(folder: DataFolder) -> str:
    connection = encrypted.open_raw(folder)
    try:
        return content_digest(connection)
    finally:
        connection.close()


@pytest.mark.real_pin_hashing  # the restoring child opens the code's wrap at the program's cost
def test_a_restore_killed_at_any_moment_leaves_the_folder_as_it_was_or_fully_restored(
    tmp_path: Path,
) -> None:
    source = DataFolder(tmp_path / "post")
    code = _demo(source, 300)
    older = tmp_path / "older"  # the same post, as it was before the last changes
    shutil.copytree(source.root, older)
    with open_app(source, source.sqlite_url) as app:
        create_more_changes(app)
        backup = write_backup(app, tmp_path, "manual")
    target_change = read_header(backup.path).change_no
    older_digest = content_digest_of(DataFolder(older))
    # The kill moments cover one whole restore as this machine runs it now, measured first:
    # each try's moment falls in its own slice of 1.25 × that time, so every stage of the
    # restore is hit and the last slices fall after its end, however fast or loaded the
    # machine is (fixed moments over 0–0.8 s never reached the end on a loaded machine).
    span = 1.25 * _whole_restore_seconds(tmp_path / "whole", backup.path, code)
    rng = random.Random(1616)
    outcomes = {"as_it_was": 0, "restored": 0}
    for number in range(KILLS):
        folder = DataFolder(tmp_path / f"try-{number}")
        empty = number % 2 == 0  # a new laptop, or a folder holding the older copy
        if empty:
            folder.root.mkdir()
        else:
            shutil.copytree(older, folder.root)
        child = Child(_RESTORE_CHILD, str(folder.root), str(backup.path), code)
        kill_after(child, (number + rng.random()) / KILLS * span)
        finish_interrupted_restore(folder)  # what the next start does first
        outcomes[_state_of(folder, empty, older_digest, target_change)] += 1
        shutil.rmtree(folder.root)
    assert outcomes["as_it_was"] and outcomes["restored"], outcomes


def _whole_restore_seconds(root: Path, backup: Path, code: str) -> float:
    """How long a restore takes here, from the child's "ready" to its "done"."""
    root.mkdir()
    child = Child(_RESTORE_CHILD, str(root), str(backup), code)
    started = time.monotonic()
    line = child.readline()
    seconds = time.monotonic() - started
    kill_after(child, 0.0)
    assert line == "done\n"
    shutil.rmtree(root)
    return seconds


def create_more_changes(app: object) -> None:
    from sqlalchemy import select

    from rumah_perisai.db.models import Participant

    db = app.db  # type: ignore[attr-defined]
    with db.unit_of_work("cli:test") as session:
        for participant in session.scalars(select(Participant).limit(20)):
            participant.occupation = "Nelayan"


def _state_of(folder: DataFolder, empty: bool, older_digest: str, target_change: int) -> str:
    assert not list(folder.root.glob(".restore-*"))  # finished or undone, never left half
    if not folder.database.exists():
        assert empty and not (folder.keys).exists() and not (folder.root / "vault.json").exists()
        return "as_it_was"
    connection = encrypted.open_raw(folder)  # the folder's key opens the folder's database
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        restored = connection.execute(
            "SELECT value_json FROM settings WHERE key = 'restore.last'"
        ).fetchone()
        change = connection.execute(
            "SELECT value FROM counters WHERE scope = '' AND name = 'change'"
        ).fetchone()[0]
        digest = content_digest(connection)
    finally:
        connection.close()
    if restored is None:
        assert not empty and digest == older_digest
        return "as_it_was"
    assert change == target_change + 1  # the backup's state and the restore's own record
    assert (folder.keys / "post-signing-ed25519.pem").exists()
    return "restored"
