"""F1 and the Help menu open an offline help in Indonesian at the page of the window in front;
Qt's own dialogs speak Indonesian too."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.help import HelpWindow, help_folder, topics
from rumah_perisai.ui.main_window import MainWindow
from tests.ui.window_audit import english_texts

UI = Path(__file__).resolve().parents[2] / "rumah_perisai" / "ui"


def _help_window() -> HelpWindow | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, HelpWindow)]
    return next((w for w in found if w.isVisible()), None)


def test_f1_in_the_registration_form_opens_its_page_and_esc_returns_to_the_typing(
    qtbot: QtBot, app: App, post: PostSummary, volunteer: Actor
) -> None:
    window = MainWindow(app, volunteer)
    qtbot.addWidget(window)
    window.show()
    window.register_walk_in()
    form = window.registration_dialog
    form.nik.setFocus()
    QTest.keyClicks(form.nik, "3209145203")
    QTest.keyClick(form.nik, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: _help_window() is not None)
    shown = _help_window()
    assert shown is not None
    assert shown.current_topic == "registration"
    assert "Tanggal lahir" in shown.text.toPlainText()
    assert "12031978" in shown.text.toPlainText()
    QTest.keyClick(shown.pages, Qt.Key.Key_Down)  # the next page, by keyboard
    assert shown.current_topic != "registration"
    QTest.keyClick(shown.pages, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: _help_window() is None)
    assert form.isVisible()
    assert form.nik.text() == "3209145203"


def test_the_help_menu_opens_the_guide_of_the_main_window(
    qtbot: QtBot, app: App, post: PostSummary, volunteer: Actor
) -> None:
    window = MainWindow(app, volunteer)
    qtbot.addWidget(window)
    window.show()
    assert window.guide_action.text() == "&Panduan"
    window.guide_action.trigger()
    qtbot.waitUntil(lambda: _help_window() is not None)
    shown = _help_window()
    assert shown is not None and shown.current_topic == "main"
    assert "Ctrl+N" in shown.text.toPlainText()


def test_every_window_that_names_a_help_page_has_one_and_every_page_is_listed() -> None:
    named = set()
    for source in UI.glob("*.py"):
        named.update(re.findall(r'"help_topic", "(\w+)"', source.read_text(encoding="utf-8")))
    listed = {topic for topic, _title in topics()}
    assert named, "no window names its help page"
    assert named <= listed, f"windows name pages the help lacks: {sorted(named - listed)}"
    for topic in listed:
        page = help_folder() / f"{topic}.md"
        assert page.is_file(), f"{page.name} is listed but missing"
        assert page.read_text(encoding="utf-8").startswith("# ")


def _shown_texts(qtbot: QtBot, make: Callable[[], QFileDialog | QMessageBox]) -> list[str]:
    dialog = make()
    qtbot.addWidget(dialog)
    dialog.show()
    return english_texts(dialog)


def test_qts_file_dialog_and_message_buttons_speak_indonesian(qtbot: QtBot, app: App) -> None:
    def file_dialog() -> QFileDialog:
        dialog = QFileDialog(None, "Simpan kartu")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        return dialog

    def question() -> QMessageBox:
        return QMessageBox(
            QMessageBox.Icon.Question,
            "Tanya",
            "Lanjut?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
        )

    assert _shown_texts(qtbot, file_dialog) == []
    assert _shown_texts(qtbot, question) == []
    box = question()
    assert box.button(QMessageBox.StandardButton.Cancel).text() == "Batal"
    assert box.button(QMessageBox.StandardButton.Save).text() == "Simpan"
    # What the program does not translate stays Qt's own (an empty text would blank it).
    assert QCoreApplication.translate("QPageSize", "A4") == "A4"
