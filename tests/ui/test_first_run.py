"""The first-run screen sets up the post from the keyboard, or offers the demo post instead."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.services.posts import post_summary
from rumah_perisai.ui.first_run import FirstRunChoice, FirstRunDialog


def _dialog(qtbot: QtBot, app: App) -> FirstRunDialog:
    dialog = FirstRunDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_volunteer_sets_up_the_post_with_the_keyboard(qtbot: QtBot, app: App) -> None:
    dialog = _dialog(qtbot, app)
    assert dialog.focusWidget() is dialog.code
    qtbot.keyClicks(dialog.code, "rp3209a")
    qtbot.keyClick(dialog.code, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.name, "Rumah Perisai Suranenggala")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.kabupaten, "32.09")
    dialog.kabupaten.editingFinished.emit()  # leaving the field
    assert dialog.kabupaten.text() == "Kabupaten Cirebon (32.09)"
    qtbot.keyClicks(dialog.wadah, "Koperasi Mitra Nelayan")
    qtbot.keyClick(dialog.wadah, Qt.Key.Key_Return)  # the default button
    assert dialog.choice is FirstRunChoice.SET_UP
    summary = post_summary(app.db)
    assert summary is not None
    assert (summary.code, summary.kabupaten_code, summary.timezone, summary.wadah) == (
        "RP3209A",
        "32.09",
        "WIB",
        "Koperasi Mitra Nelayan",
    )


def test_choosing_a_kabupaten_by_name_sets_its_time_zone(qtbot: QtBot, app: App) -> None:
    dialog = _dialog(qtbot, app)
    qtbot.keyClicks(dialog.kabupaten, "kota denpasar")
    dialog.kabupaten.editingFinished.emit()
    assert dialog.kabupaten.text() == "Kota Denpasar (51.71)"
    assert dialog.timezone.currentData() == "WITA"


def test_the_kabupaten_type_ahead_offers_matches_anywhere_in_the_name(
    qtbot: QtBot, app: App
) -> None:
    dialog = _dialog(qtbot, app)
    completer = dialog.kabupaten.completer()
    completer.setCompletionPrefix("cirebon")
    offered = [
        completer.completionModel().index(i, 0).data() for i in range(completer.completionCount())
    ]
    assert offered == ["Kabupaten Cirebon (32.09)", "Kota Cirebon (32.74)"]


def test_bad_input_is_said_in_the_dialog_and_creates_nothing(qtbot: QtBot, app: App) -> None:
    dialog = _dialog(qtbot, app)
    qtbot.keyClicks(dialog.code, "RP3209A")
    qtbot.keyClicks(dialog.kabupaten, "Kabupaten Atlantis")
    qtbot.mouseClick(dialog.set_up_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.error.text() == "Nama pos tidak boleh kosong (maksimal 100 huruf)."
    qtbot.keyClicks(dialog.name, "Pos Suranenggala")
    qtbot.mouseClick(dialog.set_up_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text().startswith("Kode kabupaten/kota Kabupaten Atlantis tidak dikenal")
    assert post_summary(app.db) is None
    assert not (app.folder.keys).exists()


def test_the_demo_post_can_be_chosen_instead(qtbot: QtBot, app: App) -> None:
    dialog = _dialog(qtbot, app)
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is FirstRunChoice.DEMO
    assert post_summary(app.db) is None


def test_after_set_up_the_recovery_code_is_shown_once_with_its_sheet(
    qtbot: QtBot, app: App
) -> None:
    from rumah_perisai import vault
    from rumah_perisai.ui.recovery_dialog import RecoveryCodeDialog

    dialog = _dialog(qtbot, app)
    qtbot.keyClicks(dialog.code, "RP3209A")
    qtbot.keyClicks(dialog.name, "Rumah Perisai Suranenggala")
    qtbot.keyClicks(dialog.kabupaten, "32.09")
    qtbot.keyClick(dialog.wadah, Qt.Key.Key_Return)
    shown = dialog.code_dialog
    assert isinstance(shown, RecoveryCodeDialog) and shown.isVisible()
    assert dialog.isVisible()  # the program goes on only once the code is kept
    code = shown.code.text()
    assert dialog.summary is not None and code == dialog.summary.recovery_code
    assert vault.check_recovery_code(app.folder, code)  # the code shown is the one that works
    assert shown.sheet.post_code == "RP3209A" and shown.sheet.timezone == "WIB"
    qtbot.keyClick(shown.focusWidget(), Qt.Key.Key_Return)  # Enter: the sheet's preview
    assert shown.sheet_dialog is not None and shown.sheet_dialog.document.pageCount() == 1
    shown.sheet_dialog.reject()
    assert shown.focusWidget() is shown.print_button
    qtbot.keyClick(shown.print_button, Qt.Key.Key_Backtab)
    qtbot.keyClick(shown.written, Qt.Key.Key_Space)  # written down by hand
    qtbot.keyClick(shown.written, Qt.Key.Key_Return)
    assert not shown.isVisible() and not dialog.isVisible()
    assert dialog.choice is FirstRunChoice.SET_UP
