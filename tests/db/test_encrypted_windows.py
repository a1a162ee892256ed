"""Converting a plain post and restoring a backup as Windows runs them (both failed under
packaging/windows/wine-check and a restore tried under Wine).

Windows flushes a file to the disk (FlushFileBuffers, behind ``os.fsync``) only through a handle
opened for writing: through a read-only one it refuses with "Permission denied". Linux syncs
either, so the tests here make ``os.fsync`` refuse a read-only descriptor as Windows does.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path

import pytest

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.encrypted import is_plain
from rumah_perisai.db.engine import make_engine
from rumah_perisai.db.migrate import upgrade_to_head
from rumah_perisai.db.uow import Database
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.services.backup import write_backup
from rumah_perisai.services.posts import PostSetup, set_up_post
from rumah_perisai.services.restore import restore


@pytest.fixture
def windows_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    fcntl = pytest.importorskip("fcntl")
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        # A folder is never synced on Windows (the code skips it there), only a file is.
        read_only = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY
        if read_only and stat.S_ISREG(os.fstat(fd).st_mode):
            raise PermissionError(errno.EACCES, "Permission denied")  # as Windows: no file name
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def test_a_plain_post_is_converted_where_only_a_writable_handle_can_be_synced(
    tmp_path: Path, windows_fsync: None
) -> None:
    folder = DataFolder(tmp_path / "data")
    folder.root.mkdir()
    engine = make_engine(f"sqlite:///{folder.database}")  # as the program before issue 16
    upgrade_to_head(engine)
    create_demo_post(Database(engine), folder, DemoRequest(participants=5), "cli:old-program")
    engine.dispose()
    folder.backups.mkdir()
    shutil.copy(folder.database, folder.backups / "rumah-perisai-before-upgrade-0010-x.sqlite3")

    open_app(folder, folder.sqlite_url).close()

    assert not is_plain(folder.database)
    assert not is_plain(folder.backups / "rumah-perisai-before-upgrade-0010-x.sqlite3")


def test_a_backup_is_restored_where_only_a_writable_handle_can_be_synced(
    tmp_path: Path, windows_fsync: None
) -> None:
    """Under Wine, ``restore`` refused with 'The file - cannot be used: Permission denied': the
    restored files were synced through read-only handles before the swap."""
    folder = DataFolder(tmp_path / "post")
    with open_app(folder, folder.sqlite_url) as app:
        summary = set_up_post(app.db, folder, PostSetup("RP3209C", "Pos Uji", "32.09"), "cli:test")
        backup = write_backup(app, tmp_path)
    assert summary.recovery_code is not None
    new = DataFolder(tmp_path / "new laptop")

    result = restore(new, backup.path, summary.recovery_code)

    assert result.post_code == "RP3209C"
    assert not is_plain(new.database)
