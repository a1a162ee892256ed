"""The coordinator's backups (issue 16, items 1 and 2) as used from the main window: File › Backup
and recovery… (write one now, set the place off the laptop, issue a new recovery code), the
banners over the list, and the backup when the window closes. Real encrypted SQLite files and
real backup files, read back; only the folder dialogs answer by themselves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from rumah_perisai import vault
from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import AuditEntry, Setting
from rumah_perisai.exchange.backupfile import parse_name
from rumah_perisai.services.backup import (
    after_daily_close,
    backup_status,
    read_backup_header,
    set_off_laptop_target,
)
from rumah_perisai.services.posts import PostSummary, post_summary
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui import main_window as main_window_module
from rumah_perisai.ui.backup_dialog import BackupDialog
from rumah_perisai.ui.main_window import MainWindow
from tests.conftest import FakeClock


@pytest.fixture(autouse=True)
def _sqlite_only(database_url: str, folder: DataFolder) -> None:
    if database_url != folder.sqlite_url:
        pytest.skip("a post's backups are of its own SQLite file")


class Folders:
    """What the folder dialog answers: the next folder the user picks ("" for Cancel)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answers: list[str] = []
        self.asked: list[str] = []
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", self._folder)

    def _folder(self, _parent: Any, caption: str = "", *_a: Any) -> str:
        self.asked.append(caption)
        return self.answers.pop(0)


@pytest.fixture
def folders(monkeypatch: pytest.MonkeyPatch) -> Folders:
    return Folders(monkeypatch)


def _window(qtbot: QtBot, app: App, actor: Actor, **options: Any) -> MainWindow:
    window = MainWindow(app, actor, **options)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    return window


def _open_dialog(qtbot: QtBot, window: MainWindow) -> BackupDialog:
    assert window.backup_action.isVisible()
    assert window.backup_action in window.file_menu.actions()
    window.backup_action.trigger()
    dialog = window.backup_dialog
    assert isinstance(dialog, BackupDialog) and dialog.isVisible()
    return dialog


def test_the_coordinator_writes_a_backup_now_into_the_folder_chosen(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor, folders: Folders,
    tmp_path: Path,
) -> None:  # fmt: skip
    stick = tmp_path / "stick"
    stick.mkdir()
    window = _window(qtbot, app, coordinator)
    dialog = _open_dialog(qtbot, window)
    assert dialog.focusWidget() is dialog.write_button
    folders.answers.append(str(stick))
    qtbot.keyClick(dialog.write_button, Qt.Key.Key_Return)  # Enter: write one now
    written = list(stick.glob("*.rpbackup"))
    assert len(written) == 1
    header = read_backup_header(written[0])
    assert header.post_code == "RP3209A" and header.kind == "manual"
    assert str(written[0]) in dialog.message.text()
    assert "diperiksa" in dialog.message.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_folder_that_cannot_be_written_is_one_line_and_leaves_no_file(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor, folders: Folders,
    tmp_path: Path,
) -> None:  # fmt: skip
    dialog = _open_dialog(qtbot, _window(qtbot, app, coordinator))
    gone = tmp_path / "pulled-out"
    folders.answers.append(str(gone))
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    assert str(gone) in dialog.message.text() and "\n" not in dialog.message.text()
    assert not gone.exists()


def test_the_place_off_the_laptop_is_set_and_cleared_and_audited_as_the_coordinator(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor, folders: Folders,
    tmp_path: Path,
) -> None:  # fmt: skip
    stick = tmp_path / "backup-stick"
    stick.mkdir()
    dialog = _open_dialog(qtbot, _window(qtbot, app, coordinator))
    assert "Belum diatur" in dialog.target.text()
    assert not dialog.clear_target_button.isEnabled()
    folders.answers.append(str(stick))
    qtbot.mouseClick(dialog.set_target_button, Qt.MouseButton.LeftButton)
    assert backup_status(app).off_laptop_target == stick.resolve()
    assert dialog.target.text() == str(stick.resolve())
    qtbot.mouseClick(dialog.clear_target_button, Qt.MouseButton.LeftButton)
    assert backup_status(app).off_laptop_target is None
    with app.db.reading() as session:
        actors = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.entity == "settings")
        ).all()
    assert actors == [coordinator.label, coordinator.label]


def test_a_new_recovery_code_replaces_the_old_one_is_audited_and_shown_once(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor
) -> None:
    old = post.recovery_code
    assert old is not None and vault.check_recovery_code(app.folder, old)
    dialog = _open_dialog(qtbot, _window(qtbot, app, coordinator))
    qtbot.mouseClick(dialog.reissue_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None and box.isVisible()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)  # Enter: no
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert dialog.code_dialog is None and vault.check_recovery_code(app.folder, old)

    qtbot.mouseClick(dialog.reissue_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None
    issue = next(b for b in box.buttons() if b.text() == "Buat kode baru")
    qtbot.mouseClick(issue, Qt.MouseButton.LeftButton)
    shown = dialog.code_dialog
    assert shown is not None and shown.isVisible()
    new = shown.code.text()
    assert new != old
    assert vault.check_recovery_code(app.folder, new)
    assert not vault.check_recovery_code(app.folder, old)  # the old sheet stops working
    assert shown.sheet.post_code == "RP3209A" and shown.sheet.code == new
    with app.db.reading() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_key == "recovery.issued")
        ).one()
        stored = session.get(Setting, "recovery.issued")
    assert entry.actor == coordinator.label
    assert new not in entry.changes_json and new.replace("-", "") not in entry.changes_json
    assert stored is not None and "issued_at" in json.loads(stored.value_json)


def test_a_volunteer_has_no_backup_menu(
    qtbot: QtBot, app: App, post: PostSummary, volunteer: Actor
) -> None:
    window = _window(qtbot, app, volunteer)
    assert not window.backup_action.isVisible()
    window.open_backups()
    assert getattr(window, "backup_dialog", None) is None


def test_the_menu_entry_has_a_mnemonic_of_its_own_in_both_languages(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor
) -> None:
    window = _window(qtbot, app, coordinator)
    for code in ("id", "en"):
        window.change_language(code)
        keys = [
            action.text().split("&")[1][0].lower()
            for action in window.file_menu.actions()
            if "&" in action.text() and action.isVisible()
        ]
        mine = window.backup_action.text().split("&")[1][0].lower()
        assert keys.count(mine) == 1, (code, keys)


# --- the banners -------------------------------------------------------------------------------


def test_the_banner_says_when_no_backup_is_off_the_laptop_then_when_it_is_over_a_day_old(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor, clock: FakeClock,
    tmp_path: Path,
) -> None:  # fmt: skip
    window = _window(qtbot, app, coordinator)
    assert window.backup_banner.isVisible()
    assert "Belum ada tempat cadangan di luar laptop" in window.backup_banner.text()
    stick = tmp_path / "backup-stick"
    stick.mkdir()
    set_off_laptop_target(app, stick, coordinator)
    window.refresh_banners()
    assert "Belum pernah ada cadangan" in window.backup_banner.text()
    after_daily_close(app.db, coordinator.label)  # what the daily close does
    assert list(stick.glob("*.rpbackup"))
    window.refresh_banners()
    assert not window.backup_banner.isVisible()
    clock.advance(hours=25)
    window.refresh_banners()
    assert window.backup_banner.isVisible()
    text = window.backup_banner.text()
    assert "Jumat 27 Nov 2026 pukul 09.30 WIB" in text and "lebih dari sehari" in text
    assert "\n" not in text
    # over the list, not in its way: one thin line, the list keeps nearly all the height
    assert window.backup_banner.height() < window.table.height() / 5


def test_a_computer_without_a_key_store_says_the_data_is_less_protected(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    assert vault.key_protection(app.folder) is vault.Protection.FILE  # the tests' key files
    window = _window(qtbot, app, coordinator)
    assert window.key_banner.isVisible()
    assert "kurang terlindungi" in window.key_banner.text()
    monkeypatch.setattr(main_window_module, "key_protection", lambda _f: vault.Protection.OS)
    window.refresh_banners()
    assert not window.key_banner.isVisible()


# --- the backup at closing ---------------------------------------------------------------------


def test_closing_the_window_makes_a_local_backup(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor
) -> None:
    window = _window(qtbot, app, coordinator, backup_at_close=True)
    assert not list(app.folder.backups.glob("*-close.rpbackup"))
    window.close()
    assert not window.isVisible()
    made = list(app.folder.backups.glob("*-close.rpbackup"))
    assert len(made) == 1
    named = parse_name(made[0])
    assert named is not None and named.kind == "close"
    assert read_backup_header(made[0]).post_code == "RP3209A"
    assert window.close_backup_error is None


def test_a_failed_backup_at_closing_is_said_in_one_line_and_the_window_still_closes(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor,
    monkeypatch: pytest.MonkeyPatch, add_participant: Any,
) -> None:  # fmt: skip
    add_participant(name="Siti Aminah")
    monkeypatch.setattr(main_window_module, "CLOSE_NOTICE_MS", 50)
    window = _window(qtbot, app, coordinator, backup_at_close=True)
    backups = app.folder.backups
    if backups.exists():
        for path in backups.iterdir():
            path.unlink() if path.is_file() else None
        backups.rmdir()
    backups.write_bytes(b"")  # a file where the folder should be: nothing can go there
    window.close()
    assert not window.isVisible()
    error = window.close_backup_error
    assert error is not None and "\n" not in error
    assert error.startswith("Cadangan saat menutup gagal")
    backups.unlink()
    app.db.dispose()
    with open_app(app.folder, app.folder.sqlite_url) as again:  # nothing was lost
        summary = post_summary(again.db)
        assert summary is not None and summary.participants == 1


def test_closing_the_day_in_the_cash_window_backs_up_off_the_laptop_and_the_banner_goes(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor, tmp_path: Path,
    add_participant: Any,
) -> None:  # fmt: skip
    from datetime import date

    from rumah_perisai.domain.coverage import CoverHistory, Standing
    from rumah_perisai.services.dues import payment_options, take_payment

    history = CoverHistory(Standing.MEMBER, date(2026, 10, 1), date(2027, 1, 31), frozenset())
    who = add_participant(registered_on=date(2026, 10, 1), history=history, name="Siti Aminah")
    plan = payment_options(app.db, who).plan(1)
    take_payment(app.db, who, 1, plan.total, coordinator,
                 expect_months=[m.month for m in plan.months])  # fmt: skip
    stick = tmp_path / "backup-stick"
    stick.mkdir()
    set_off_laptop_target(app, stick, coordinator)
    window = _window(qtbot, app, coordinator)
    assert window.backup_banner.isVisible()
    window.open_cash()
    cash = window.cash_dialog
    (row,) = cash.count_rows
    qtbot.keyClicks(row.counted, str(plan.total))
    qtbot.mouseClick(cash.close_button, Qt.MouseButton.LeftButton)  # off the GUI thread
    assert not cash.close_button.isEnabled()  # closed
    assert len(list(stick.glob("*-daily.rpbackup"))) == 1
    assert len(list(app.folder.backups.glob("*-daily.rpbackup"))) == 1
    cash.summary_dialog.close()
    cash.close()
    assert not window.backup_banner.isVisible()
