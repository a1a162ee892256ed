"""The weekly batch page, as a coordinator uses it on a Friday: install the branch's key, write the
week's batch onto the stick, write it again onto another, check a file from the stick. Files
and keys are real; only the file dialogs answer by themselves (the folder or file chosen). The
fake clock stands at 27 Nov 2026 09:30 WIB."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.db.uow import begin_operation
from rumah_perisai.i18n import tr
from rumah_perisai.keys import format_fingerprint
from rumah_perisai.keys.files import (
    BranchKeys,
    branch_key_file,
    create_branch_keys,
    read_post_key_file,
)
from rumah_perisai.keys.installed import (
    install_branch_key,
    installed_branch_key,
    post_public_key,
)
from rumah_perisai.services.batches import BatchInfo, batches, export_batch, pending
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.batches_dialog import (
    COL_RECORDS,
    COL_REGISTRATIONS,
    COL_SEQ,
    COL_STATE,
    COL_TO,
    NEVER_WRITTEN,
    NOT_ACKNOWLEDGED,
    BatchesDialog,
)
from rumah_perisai.ui.main_window import MainWindow
from tests.conftest import FakeClock


class Chooser:
    """What the file dialogs answer: the next folder or file the user picks ("" for Cancel)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folders: list[str] = []
        self.files: list[str] = []
        self.save_as: list[str] = []
        self.asked: list[str] = []
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", self._folder)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", self._open)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self._save)

    def _folder(self, _parent: Any, caption: str = "", _dir: str = "", *_a: Any) -> str:
        self.asked.append(caption)
        return self.folders.pop(0)

    def _open(self, _parent: Any, caption: str = "", *_a: Any) -> tuple[str, str]:
        self.asked.append(caption)
        return self.files.pop(0), ""

    def _save(self, _parent: Any, caption: str = "", *_a: Any) -> tuple[str, str]:
        self.asked.append(caption)
        return self.save_as.pop(0), ""


@pytest.fixture
def choose(monkeypatch: pytest.MonkeyPatch) -> Chooser:
    return Chooser(monkeypatch)


@pytest.fixture
def branch(tmp_path: Path) -> BranchKeys:
    return create_branch_keys(
        tmp_path / "branch", "KC-CRB", "BPJS Ketenagakerjaan Cirebon", demo=False
    )


@pytest.fixture
def key_file(tmp_path: Path, branch: BranchKeys) -> Path:
    path = tmp_path / "from-branch" / "kunci-cabang.json"
    path.parent.mkdir()
    path.write_bytes(branch_key_file(branch.public, branch.signing))
    return path


@pytest.fixture
def linked(app: App, post: PostSummary, key_file: Path) -> None:
    install_branch_key(app.db, key_file.read_bytes(), Actor(label="cli:test"))


def _stick(tmp_path: Path, name: str = "stick") -> Path:
    path = tmp_path / name
    path.mkdir()
    return path


def _files(directory: Path) -> list[str]:
    """The batch files on a stick (the post's backup written beside a batch aside)."""
    return sorted(p.name for p in directory.iterdir() if p.suffix != ".rpbackup")


def _window(qtbot: QtBot, app: App, actor: Actor) -> MainWindow:
    window = MainWindow(app, actor)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    return window


def _open_page(qtbot: QtBot, app: App, actor: Actor) -> BatchesDialog:
    """Ctrl+M in the main window, as a volunteer would open it."""
    window = _window(qtbot, app, actor)
    qtbot.keyClick(window.table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    dialog = window.batches_dialog
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


def _press_enter(qtbot: QtBot, dialog: BatchesDialog) -> None:
    focus = dialog.focusWidget() or dialog
    qtbot.keyClick(focus, Qt.Key.Key_Return)


def _cell(dialog: BatchesDialog, row: int, column: int) -> str:
    item = dialog.table.item(row, column)
    assert item is not None
    return item.text()


def test_install_the_branch_key_then_write_the_weeks_batch(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int],
    key_file: Path, branch: BranchKeys, choose: Chooser, tmp_path: Path,
) -> None:  # fmt: skip
    for _ in range(3):
        add_participant()
    dialog = _open_page(qtbot, app, coordinator)
    assert "background" in dialog.branch_label.styleSheet()  # the warning stands out
    assert dialog.table.rowCount() == 0
    post_fp = format_fingerprint(post_public_key(app.db).fingerprint)
    assert post_fp in dialog.post_label.text()

    choose.files.append(str(key_file))
    qtbot.mouseClick(dialog.install_button, Qt.MouseButton.LeftButton)
    installed = installed_branch_key(app.db)
    assert installed is not None and installed.fingerprint == branch.public.fingerprint
    shown = format_fingerprint(branch.public.fingerprint)
    assert shown in dialog.branch_label.text() and "KC-CRB" in dialog.branch_label.text()
    assert shown in dialog.key_message.text()
    assert tr("Compare the fingerprint with the branch by phone before the first batch.") in (
        dialog.key_message.text()
    )
    assert dialog.branch_label.styleSheet() == ""  # no warning any more

    stick = _stick(tmp_path)
    choose.folders.append(str(stick))
    dialog.write_button.setFocus()
    _press_enter(qtbot, dialog)  # the default button: write this week's batch
    (info,) = batches(app.db)
    assert (info.seq, info.state, info.summary["registrations"]) == (1, "written", 3)
    assert info.copied_to == str(stick.resolve())
    assert _files(stick) == [info.file_name] == ["RP3209A-batch-0001-2026-11-27.rpb"]
    # the post's own (encrypted SQLite) database rides along as a backup; a post kept in
    # PostgreSQL (as this test also runs) is the server's to back up
    backups = [p.name for p in stick.glob("*.rpbackup")]
    expected = ["RP3209A-20261127T023000Z-batch.rpbackup"]
    assert backups == (expected if app.db.engine.dialect.name == "sqlite" else [])
    assert info.file_name in dialog.report.text() and str(stick.resolve()) in dialog.report.text()
    assert dialog.message_box is None  # nothing went wrong
    assert dialog.table.rowCount() == 1
    assert _cell(dialog, 0, COL_SEQ) == "1"
    assert _cell(dialog, 0, COL_REGISTRATIONS) == "3"
    assert _cell(dialog, 0, COL_RECORDS) == str(info.records)
    assert _cell(dialog, 0, COL_STATE) == tr("written")
    # The stick's folder by its name in the list (it fits); the whole path in the details.
    assert _cell(dialog, 0, COL_TO).startswith(stick.name + " · ")
    dialog.table.selectRow(0)
    assert str(stick.resolve()) in dialog.details_label.text()
    assert "09.30 WIB" in _cell(dialog, 0, COL_TO)  # when, in the post's time
    item = dialog.table.item(0, COL_STATE)
    assert item is not None and item.background().color() == NOT_ACKNOWLEDGED
    assert tr("Not acknowledged by the branch yet.") in item.toolTip()
    assert tr("Nothing new since batch {seq} ({day}).", seq=1, day="27 Nov 2026") in (
        dialog.pending_label.text()
    )

    # Enter again: nothing new, said so, and nothing asked or written.
    _press_enter(qtbot, dialog)
    assert dialog.message_box is not None and dialog.message_box.isVisible()
    assert "1 (27 Nov 2026)" in dialog.message_box.text()
    assert dialog.selected_batch() == batches(app.db)[0]  # ready for Write again
    assert choose.folders == [] and len(choose.asked) == 2  # the key file, the stick
    assert len(batches(app.db)) == 1 and _files(stick) == [info.file_name]
    dialog.message_box.close()

    # A new registration: the page says so and the next batch carries only that.
    add_participant()
    dialog.refresh()
    waiting = pending(app.db)
    assert waiting.changes == 2  # the participant and their free cover ...
    assert waiting.holds == 1  # ... but one record, counted as the written batch will be
    assert tr("{records} to send since batch {seq} ({day}).", records="1 catatan", seq=1,
              day="27 Nov 2026") in dialog.pending_label.text()  # fmt: skip


def test_write_again_onto_another_stick_gives_the_same_bytes(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int],
    linked: None, choose: Chooser, tmp_path: Path, clock: FakeClock,
) -> None:  # fmt: skip
    add_participant()
    first = export_batch(app.db, app.folder, _stick(tmp_path, "first"), coordinator)
    clock.advance(days=7)
    add_participant()
    export_batch(app.db, app.folder, _stick(tmp_path, "second"), coordinator)
    clock.advance(hours=1)
    dialog = _open_page(qtbot, app, coordinator)
    assert [_cell(dialog, row, COL_SEQ) for row in range(2)] == ["2", "1"]  # newest first
    dialog.table.selectRow(1)
    other = _stick(tmp_path, "other")
    choose.folders.append(str(other))
    qtbot.mouseClick(dialog.again_button, Qt.MouseButton.LeftButton)
    assert _files(other) == [first.info.file_name]
    assert (other / first.info.file_name).read_bytes() == first.path.read_bytes()
    assert str(other / first.info.file_name) in dialog.report.text()
    again = next(info for info in batches(app.db) if info.seq == 1)
    assert again.copied_to == str(other.resolve())
    assert _cell(dialog, 1, COL_SEQ) == "1"  # the same batch still chosen
    assert _cell(dialog, 1, COL_TO).startswith(other.name + " · ")
    dialog.table.selectRow(1)
    assert str(other.resolve()) in dialog.details_label.text()
    assert "10.30 WIB" in _cell(dialog, 1, COL_TO)  # a week and an hour later


def test_a_volunteer_sees_the_batches_but_cannot_write_them(
    qtbot: QtBot, app: App, volunteer: Actor, coordinator: Actor,
    add_participant: Callable[..., int], linked: None, choose: Chooser, tmp_path: Path,
) -> None:  # fmt: skip
    add_participant()
    export_batch(app.db, app.folder, _stick(tmp_path, "first"), coordinator)
    add_participant()
    dialog = _open_page(qtbot, app, volunteer)
    assert dialog.table.rowCount() == 1
    assert not dialog.write_button.isEnabled() and not dialog.again_button.isEnabled()
    assert dialog.write_button.toolTip() == tr("Only a coordinator writes the weekly batch.")
    assert not dialog.install_button.isEnabled()  # replacing the branch key: a coordinator's
    assert dialog.verify_button.isEnabled() and dialog.save_key_button.isEnabled()
    stick = _stick(tmp_path)
    choose.folders.append(str(stick))
    _press_enter(qtbot, dialog)
    dialog.write_batch()  # even when called directly: refused, nothing asked
    assert dialog.message_box is not None and dialog.message_box.text() != ""
    assert choose.asked == [] and _files(stick) == [] and len(batches(app.db)) == 1


def test_without_a_branch_key_the_batch_is_refused_before_asking_for_the_stick(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int],
    choose: Chooser,
) -> None:  # fmt: skip
    add_participant()
    dialog = _open_page(qtbot, app, coordinator)
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    assert dialog.message_box is not None
    assert "kunci cabang" in dialog.message_box.text().lower()
    assert choose.asked == [] and batches(app.db) == []


@contextmanager
def another_writer(app: App) -> Iterator[Callable[[], None]]:
    """Another operation in progress: an export waits for it (``begin_operation``) until the
    returned function ends it, so a Cancel pressed before surely comes before its first step."""
    work = app.db.unit_of_work("test:other")
    begin_operation(work.__enter__())
    ended = False

    def end() -> None:
        nonlocal ended
        if not ended:
            ended = True
            work.__exit__(None, None, None)

    try:
        yield end
    finally:
        end()


def test_cancel_while_writing_leaves_nothing(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int],
    linked: None, choose: Chooser, tmp_path: Path,
) -> None:  # fmt: skip
    add_participant()
    dialog = _open_page(qtbot, app, coordinator)
    stick = _stick(tmp_path)
    choose.folders.append(str(stick))
    with another_writer(app) as end_it:

        def press_cancel() -> None:
            (progress,) = dialog.findChildren(QProgressDialog)
            cancel = progress.findChild(QPushButton)
            assert cancel is not None
            cancel.click()
            end_it()

        QTimer.singleShot(0, press_cancel)
        qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    assert batches(app.db) == [] and _files(stick) == []
    assert list(app.folder.batches.glob("*.rpb")) == []
    assert dialog.report.text() == tr("Stopped: no batch was written.")
    assert dialog.table.rowCount() == 0


def test_verify_a_good_file_and_a_damaged_one(
    qtbot: QtBot, app: App, volunteer: Actor, coordinator: Actor,
    add_participant: Callable[..., int], linked: None, choose: Chooser, tmp_path: Path,
) -> None:  # fmt: skip
    for _ in range(2):
        add_participant()
    good = export_batch(app.db, app.folder, _stick(tmp_path), coordinator).path
    dialog = _open_page(qtbot, app, volunteer)
    choose.files.append(str(good))
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    text = dialog.report.text()
    assert tr("Whole: batch {seq} of post {post} ({name}), written {created}.", seq=1,
              post="RP3209A", name="Rumah Perisai Suranenggala",
              created="27 Nov 2026 09.30 WIB") in text  # fmt: skip
    assert tr("Recorded at this post.") in text
    fp = format_fingerprint(post_public_key(app.db).fingerprint)
    assert tr("Signed by the post's known key {fp}.", fp=fp) in text
    assert dialog.message_box is None

    damaged = tmp_path / "copied" / good.name
    damaged.parent.mkdir()
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    choose.files.append(str(damaged))
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    assert dialog.message_box is not None and good.name in dialog.message_box.text()
    assert "b71c1c" in dialog.report.styleSheet()
    assert tr("Recorded at this post.") not in dialog.report.text()


def test_replacing_the_branch_key_shows_old_and_new_and_the_post_key_is_saved(
    qtbot: QtBot, app: App, coordinator: Actor, linked: None, branch: BranchKeys,
    choose: Chooser, tmp_path: Path,
) -> None:  # fmt: skip
    new_branch = create_branch_keys(
        tmp_path / "new-branch", "KC-CRB", "BPJS Ketenagakerjaan Cirebon", demo=False
    )
    new_file = tmp_path / "new-branch.json"
    new_file.write_bytes(branch_key_file(new_branch.public, new_branch.signing))
    window = _window(qtbot, app, coordinator)
    window.branch_key_action.trigger()  # Settings, Branch key…: the same page, keys first
    dialog = window.batches_dialog
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.install_button, timeout=2000)
    choose.files.append(str(new_file))
    qtbot.keyClick(dialog.install_button, Qt.Key.Key_Space)
    installed = installed_branch_key(app.db)
    assert installed is not None and installed.fingerprint == new_branch.public.fingerprint
    message = dialog.key_message.text()
    assert format_fingerprint(branch.public.fingerprint) in message  # old…
    assert format_fingerprint(new_branch.public.fingerprint) in message  # …and new
    assert format_fingerprint(new_branch.public.fingerprint) in dialog.branch_label.text()

    target = tmp_path / "for-branch" / "RP3209A-post-public-key.json"
    target.parent.mkdir()
    choose.save_as.append(str(target))
    qtbot.mouseClick(dialog.save_key_button, Qt.MouseButton.LeftButton)
    saved = read_post_key_file(target.read_bytes())
    assert saved.code == "RP3209A"
    assert saved.fingerprint == post_public_key(app.db).fingerprint
    assert format_fingerprint(saved.fingerprint) in dialog.key_message.text()


def test_a_batch_never_written_to_a_stick_is_red(
    qtbot: QtBot, app: App, coordinator: Actor, post: PostSummary
) -> None:
    dialog = BatchesDialog(app.db, app.folder, coordinator)
    qtbot.addWidget(dialog)
    saved = BatchInfo(
        seq=4, file_name="RP3209A-batch-0004-2026-11-27.rpb",
        created_at=datetime(2026, 11, 27, 2, 30, tzinfo=UTC), created_on=date(2026, 11, 27),
        change_from=10, change_to=20, counts={"participants": 2}, summary={"registrations": 2},
        file_size=12_800, file_hash="0" * 64, state="written", copied_at=None, copied_to=None,
        acknowledged_at=None,
    )  # fmt: skip
    dialog.show_batches([saved])
    assert _cell(dialog, 0, COL_TO) == tr("not written to a stick")
    item = dialog.table.item(0, COL_SEQ)
    assert item is not None and item.background().color() == NEVER_WRITTEN
    assert saved.file_name in item.toolTip()
    assert _cell(dialog, 0, 5) == "12,5 KB"
