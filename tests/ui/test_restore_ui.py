# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)
"""Restoring a post on a new laptop from the first-run screen (issue 16, item 2), as a volunteer
does it: "Restore from a backup", the file's path, the code from the envelope, Enter. The backups
are real files written by the backup service from a real post; the new laptop is a fresh data
folder with its own (empty, encrypted) database, as the first start makes it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from rumah_perisai import vault
from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Setting
from rumah_perisai.services.backup import write_backup
from rumah_perisai.services.posts import PostSummary, post_summary
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.first_run import FirstRunChoice, FirstRunDialog
from rumah_perisai.ui.restore_dialog import RestoreDialog
from tests.branch.branch_world import branch, branch_url
from tests.conftest import FakeClock


@pytest.fixture(autouse=True)
def _sqlite_only(database_url: str, folder: DataFolder) -> None:
    if database_url != folder.sqlite_url:
        pytest.skip("a post's backup is of its own SQLite file")


@pytest.fixture
def backup(app: App, post: PostSummary, coordinator: Actor, tmp_path: Path) -> Path:
    """The post's backup on its stick (a folder here)."""
    stick = tmp_path / "stick"
    stick.mkdir()
    return write_backup(app, stick, "manual").path


@pytest.fixture
def new_laptop(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    folder = DataFolder(tmp_path / "new-laptop")
    opened = open_app(folder, folder.sqlite_url, clock=clock)
    yield opened
    opened.close()


def _state(root: Path) -> dict[str, str]:
    """Every file of a data folder by its hash (logs and the lock file aside)."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "logs" not in path.relative_to(root).parts
        and path.name != ".vault-lock"
    }  # fmt: skip


def _restore_dialog(qtbot: QtBot, laptop: App) -> tuple[FirstRunDialog, RestoreDialog]:
    first = FirstRunDialog(laptop)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    qtbot.mouseClick(first.restore_button, Qt.MouseButton.LeftButton)
    dialog = first.restore_dialog
    assert isinstance(dialog, RestoreDialog) and dialog.isVisible()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.focusWidget() is dialog.file
    return first, dialog


def _type_file(qtbot: QtBot, dialog: RestoreDialog, path: Path) -> None:
    qtbot.keyClicks(dialog.file, str(path))
    qtbot.keyClick(dialog.file, Qt.Key.Key_Tab)  # leaving the field reads the file


def test_a_volunteer_restores_the_post_with_the_recovery_code_and_it_opens(
    qtbot: QtBot, app: App, post: PostSummary, backup: Path, new_laptop: App
) -> None:
    first, dialog = _restore_dialog(qtbot, new_laptop)
    _type_file(qtbot, dialog, backup)
    about = dialog.about.text()
    assert "RP3209A" in about and "Rumah Perisai Suranenggala" in about
    # made at the fake clock's 09:30 WIB on Friday 27 Nov 2026, said as a person would
    assert "Cadangan ini dibuat Jumat 27 Nov 2026 pukul 09.30" in about
    assert "kuitansi" in about  # receipts printed later: on the post's paper halves
    assert dialog.focusWidget() is dialog.code
    assert post.recovery_code is not None
    qtbot.keyClicks(dialog.code, post.recovery_code.lower().replace("-", " "))  # as typed
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert dialog.result_value is not None
    assert "Pos RP3209A sudah dipulihkan" in dialog.message.text()
    assert dialog.code_dialog is None  # the post's own code: no new one
    assert not dialog.findChild(QPushButton, "cancel").isVisible()  # nothing left to cancel
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)  # Open the post
    assert first.choice is FirstRunChoice.RESTORED and not first.isVisible()

    new_laptop.close()  # as the launcher does: the restore replaced the database and its key
    with open_app(new_laptop.folder, new_laptop.folder.sqlite_url) as reopened:
        summary = post_summary(reopened.db)
        assert summary is not None
        assert (summary.code, summary.name, summary.key_fingerprint) == (
            post.code, post.name, post.key_fingerprint,
        )  # fmt: skip
        with reopened.db.reading() as session:
            stored = session.scalars(select(Setting).where(Setting.key == "restore.last")).one()
        assert json.loads(stored.value_json)["post_code"] == "RP3209A"
    assert vault.check_recovery_code(new_laptop.folder, post.recovery_code)


def test_a_wrong_code_is_one_line_in_the_dialog_and_changes_nothing(
    qtbot: QtBot, app: App, post: PostSummary, backup: Path, new_laptop: App
) -> None:
    new_laptop.db.dispose()  # at rest: its WAL folded in, as the restore's first step does
    before = _state(new_laptop.folder.root)
    _first, dialog = _restore_dialog(qtbot, new_laptop)
    _type_file(qtbot, dialog, backup)
    qtbot.keyClicks(dialog.code, vault.new_recovery_code())  # well formed, not this post's
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    message = dialog.message.text()
    assert message and "\n" not in message
    assert dialog.result_value is None and dialog.isVisible()
    assert dialog.focusWidget() is dialog.code and dialog.code.selectedText()  # to type again
    qtbot.keyClicks(dialog.code, "12345")  # a typo: said as such, before any slow work
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert dialog.message.text() and dialog.message.text() != message
    assert _state(new_laptop.folder.root) == before
    assert post_summary(new_laptop.db) is None  # the window's database still opens


def test_a_cut_file_is_said_when_it_is_chosen_and_nothing_is_restored(
    qtbot: QtBot, app: App, post: PostSummary, backup: Path, new_laptop: App, tmp_path: Path
) -> None:
    cut = tmp_path / "cut" / backup.name
    cut.parent.mkdir()
    cut.write_bytes(backup.read_bytes()[:-1000])
    new_laptop.db.dispose()
    before = _state(new_laptop.folder.root)
    _first, dialog = _restore_dialog(qtbot, new_laptop)
    _type_file(qtbot, dialog, cut)
    assert backup.name in dialog.message.text() and "\n" not in dialog.message.text()
    assert dialog.about.text() == ""
    assert post.recovery_code is not None
    dialog.code.setText(post.recovery_code)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.result_value is None
    assert _state(new_laptop.folder.root) == before


def test_esc_cancels_the_restore_and_the_first_run_screen_stays(
    qtbot: QtBot, new_laptop: App
) -> None:
    first, dialog = _restore_dialog(qtbot, new_laptop)
    qtbot.keyClick(dialog.file, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert first.isVisible() and first.choice is FirstRunChoice.QUIT


def test_a_file_the_branch_prepared_opens_with_its_one_time_code_and_a_new_code_is_shown(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock, new_laptop: App, branch: App
) -> None:
    from rumah_perisai.branch import import_files
    from rumah_perisai.branch.backups import kept_folder, recover_post
    from rumah_perisai.keys.installed import installed_branch_key
    from tests.branch.branch_world import CLI, make_post

    side = make_post(tmp_path / "old-laptop", branch, clock, "RP3209A")
    try:
        installed = installed_branch_key(side.app.db)
        assert installed is not None
        vault.set_branch_wrap(side.app.folder, installed.encryption_key)
        side.pay(side.register())
        sent = side.export()  # the weekly batch, with the post's backup beside it
        import_files(branch.db, branch.folder, [sent.path], CLI)
    finally:
        side.app.close()
    kept = sorted(kept_folder(branch.folder, "RP3209A").glob("*.rpbackup"))
    out = tmp_path / "from-the-branch"
    out.mkdir()
    recovered = recover_post(branch.db, branch.folder, kept[-1], out)

    _first, dialog = _restore_dialog(qtbot, new_laptop)
    _type_file(qtbot, dialog, recovered.path)
    assert "kode sekali pakai" in dialog.about.text()
    qtbot.keyClicks(dialog.code, recovered.one_time_code)
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert dialog.result_value is not None
    new_code = dialog.result_value.new_recovery_code
    assert new_code is not None
    shown = dialog.code_dialog
    assert shown is not None and shown.isVisible()
    assert shown.code.text() == new_code  # shown once, to print
    assert shown.sheet.post_code == "RP3209A" and shown.sheet.code == new_code
    assert vault.check_recovery_code(new_laptop.folder, new_code)
    assert not vault.check_recovery_code(new_laptop.folder, recovered.one_time_code)


def test_a_computer_that_lost_the_key_offers_the_restore_at_once(
    qtbot: QtBot,
    app: App,
    post: PostSummary,
    backup: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new Windows profile or a cleared key store: the data folder is there but locked. The
    window does not stop at "cannot continue": it offers the restore, and the post opens."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from rumah_perisai.ui import launch

    folder = app.folder
    app.close()
    monkeypatch.setenv(vault.ENV_KEY_DIR, str(tmp_path / "keys-of-a-new-profile"))
    assert post.recovery_code is not None
    seen: list[str] = []

    def act() -> None:  # what the volunteer does with each window as it comes up
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QMessageBox) and "locked" not in seen:
            seen.append("locked")
            assert "kode pemulihan" in modal.text()
            qtbot.keyClick(modal, Qt.Key.Key_Return)  # the default: restore from a backup
        elif isinstance(modal, RestoreDialog) and "restore" not in seen:
            seen.append("restore")
            _type_file(qtbot, modal, backup)
            qtbot.keyClicks(modal.code, post.recovery_code or "")
            qtbot.keyClick(modal.code, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: modal.result_value is not None)
            qtbot.keyClick(modal.focusWidget(), Qt.Key.Key_Return)  # Open the post

    timer = QTimer()
    timer.timeout.connect(act)
    timer.start(50)
    reopened = launch._open(folder, folder.sqlite_url)
    timer.stop()
    assert seen == ["locked", "restore"]
    assert reopened is not None
    try:
        summary = post_summary(reopened.db)
        assert summary is not None and summary.code == "RP3209A"
    finally:
        reopened.close()
