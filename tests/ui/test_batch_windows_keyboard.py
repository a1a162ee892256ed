"""The batches page, the branch window, the backup and the restore dialogs by keyboard on a
1366×768 laptop at 125 % (issue 17, items 2, 5, 6 and 7): each control its own Alt+letter,
headings and cells that fit, what a tooltip says reachable without a mouse, a greyed-out
button that says why in words, days shown as ``27 Nov 2026``, and a help topic for F1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.branch import init_branch
from rumah_perisai.config import DataFolder
from rumah_perisai.services.volunteers import ROLE_VOLUNTEER, AccountSetup, create_account, log_in
from rumah_perisai.ui.backup_dialog import BackupDialog
from rumah_perisai.ui.batch_ack import RefundsDialog
from rumah_perisai.ui.batches_dialog import BatchesDialog
from rumah_perisai.ui.branch.conflicts import ConflictsDialog, _day
from rumah_perisai.ui.launch import branch_window
from rumah_perisai.ui.restore_dialog import RestoreDialog
from tests.branch.branch_world import PostSide, make_post
from tests.conftest import FakeClock

_MNEMONIC = re.compile(r"(?<!&)&([^&\s])")


@pytest.fixture
def branch(app: App) -> App:
    init_branch(app.db, app.folder, "KC-CRB", "BPJS Ketenagakerjaan Cirebon", demo=False)
    return app


@pytest.fixture
def post_a(tmp_path: Path, branch: App, clock: FakeClock) -> Iterator[PostSide]:
    side = make_post(tmp_path, branch, clock, "RP3209A")
    side.register()
    side.export()
    yield side
    side.app.close()


def _shown(qtbot: QtBot, window: QWidget) -> QWidget:
    qtbot.addWidget(window)
    window.resize(window.size().boundedTo(window.size().__class__(1093, 592)))
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    return window


def _letters(window: QWidget) -> list[str]:
    texts = [w.text() for w in window.findChildren(QAbstractButton) if w.isVisibleTo(window)]
    texts += [  # a label that takes the focus to its field (a form's plain value has none)
        w.text()
        for w in window.findChildren(QLabel)
        if isinstance(w.buddy(), (QLineEdit, QAbstractItemView)) and w.isVisibleTo(window)
    ]
    menu = getattr(window, "menuBar", None)
    if menu is not None:
        texts += [action.text() for action in menu().actions()]
    found = [_MNEMONIC.search(text.replace("&&", "")) for text in texts if text]
    assert all(found), [t for t, f in zip(texts, found, strict=True) if not f]
    return [f.group(1).lower() for f in found if f]


def _fits(window: QWidget) -> None:
    """Every heading and the first rows' cells at least as wide as their text (the lead's
    window check's rule), and every button as wide as it asks to be."""
    views: list[QTableWidget | QTreeWidget] = [
        *window.findChildren(QTableWidget),
        *window.findChildren(QTreeWidget),
    ]
    for view in views:
        header: QHeaderView = (
            view.horizontalHeader() if isinstance(view, QTableWidget) else view.header()
        )
        model = view.model()
        for column in range(model.columnCount()):
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            width = header.sectionSize(column)
            assert header.fontMetrics().horizontalAdvance(title) + 12 <= width, title
            for row in range(min(model.rowCount(), 25)):
                index = model.index(row, column)
                text = str(index.data() or "").split("\n")[0]
                font = index.data(Qt.ItemDataRole.FontRole)  # a fingerprint's is monospaced
                metrics = QFontMetrics(font) if isinstance(font, QFont) else view.fontMetrics()
                if header.sectionResizeMode(column) != QHeaderView.ResizeMode.Stretch:
                    assert metrics.horizontalAdvance(text) + 10 <= width, text
    for button in window.findChildren(QAbstractButton):
        if button.isVisibleTo(window) and button.text():
            assert button.width() >= button.minimumSizeHint().width() - 1, button.text()


def _unique_letters(window: QWidget) -> None:
    letters = _letters(window)
    assert len(letters) == len(set(letters)), letters


def test_the_batches_page_by_keyboard_as_a_volunteer(qtbot: QtBot, post_a: PostSide) -> None:
    create_account(post_a.app.db, AccountSetup("Asep Saepudin", "246813"), ROLE_VOLUNTEER,
                   post_a.coordinator)  # fmt: skip
    volunteer = log_in(post_a.app.db, "Asep Saepudin", "246813")
    page = _shown(qtbot, BatchesDialog(post_a.app.db, post_a.app.folder, volunteer))
    assert isinstance(page, BatchesDialog)
    assert page.property("help_topic") == "batches"
    _unique_letters(page)
    _fits(page)
    # Greyed out for a volunteer, and said so in words on the page, not only in a tooltip.
    assert not page.write_button.isEnabled()
    assert page.role_note.isVisible() and "koordinator" in page.role_note.text()
    # The selected batch's tooltip, in words on the page; the stick's folder, whole, there.
    assert page.details_label.isVisible() and "2 catatan" in page.details_label.text()
    assert "Ditulis ke " + str(post_a.stick) in page.details_label.text()
    # Tab to "Terima tanda terima…": what its tooltip says is on the page too.
    page.ack_button.setFocus()
    qtbot.waitUntil(lambda: page.focus_hint.text() == page.ack_button.toolTip())
    assert page.focus_hint.isVisible() and ".ack.json" in page.focus_hint.text()
    qtbot.keyClick(page, Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)  # Tutup &jendela
    qtbot.waitUntil(lambda: not page.isVisible())


def test_the_refunds_list_fits_and_closes_by_alt_j(qtbot: QtBot, post_a: PostSide) -> None:
    dialog = _shown(qtbot, RefundsDialog([]))
    assert dialog.property("help_topic") == "batches"
    _unique_letters(dialog)
    _fits(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_the_branch_window_says_its_tooltips_by_keyboard(
    qtbot: QtBot, branch: App, post_a: PostSide
) -> None:
    window = branch_window(branch)
    assert window is not None
    _shown(qtbot, window)
    window.resize(1093, 592)
    assert window.property("help_topic") == "branch"
    _unique_letters(window)
    _fits(window)
    window.gap_button.setFocus()
    qtbot.waitUntil(lambda: window.focus_hint.text() == window.gap_button.toolTip())
    assert "alasan" in window.focus_hint.text()
    window.table.setFocus()  # a post's row: its tooltip (code, name, fingerprint) in words
    qtbot.waitUntil(lambda: "RP3209A" in window.focus_hint.text())

    conflicts = _shown(qtbot, ConflictsDialog(branch, window.actor, window))
    assert conflicts.property("help_topic") == "branch"
    _unique_letters(conflicts)
    _fits(conflicts)
    assert _day("2026-11-03") == "3 Nov 2026"  # the dates of both registrations, as days
    qtbot.keyClick(conflicts, Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not conflicts.isVisible())


def test_the_backup_and_restore_dialogs_have_a_letter_for_each_button(
    qtbot: QtBot, post_a: PostSide, tmp_path: Path
) -> None:
    backup = _shown(qtbot, BackupDialog(post_a.app, post_a.coordinator, "WIB"))
    assert backup.property("help_topic") == "backup"
    _unique_letters(backup)
    _fits(backup)
    qtbot.keyClick(backup, Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)  # Tutup &jendela
    qtbot.waitUntil(lambda: not backup.isVisible())

    restore = _shown(qtbot, RestoreDialog(DataFolder(tmp_path / "new-laptop")))
    assert restore.property("help_topic") == "restore"
    _unique_letters(restore)
    _fits(restore)
    qtbot.keyClick(restore, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # Bat&al
    qtbot.waitUntil(lambda: not restore.isVisible())
