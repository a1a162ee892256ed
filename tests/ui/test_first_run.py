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


def _mnemonic(text: str) -> str | None:
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].upper() if 0 <= at < len(plain) - 1 else None


def test_no_two_controls_share_a_letter_and_each_field_has_one(qtbot: QtBot, app: App) -> None:
    from collections import Counter

    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit

    dialog = _dialog(qtbot, app)
    labels = [w for w in dialog.findChildren(QLabel) if w.buddy() is not None]
    texts = [w.text() for w in labels] + [b.text() for b in dialog.findChildren(QAbstractButton)]
    letters = Counter(m for m in map(_mnemonic, texts) if m)
    assert [letter for letter, n in letters.items() if n > 1] == []
    for field in [*dialog.findChildren(QLineEdit), *dialog.findChildren(QComboBox)]:
        if field.isVisibleTo(dialog) and not isinstance(field.parent(), QComboBox):
            assert any(w.buddy() is field and _mnemonic(w.text()) for w in labels), field


def test_each_alt_letter_goes_to_its_field(qtbot: QtBot, app: App) -> None:
    from PySide6.QtWidgets import QApplication

    dialog = _dialog(qtbot, app)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    alt = Qt.KeyboardModifier.AltModifier
    for key, field in (
        (Qt.Key.Key_N, dialog.name),
        (Qt.Key.Key_K, dialog.kabupaten),
        (Qt.Key.Key_W, dialog.wadah),
        (Qt.Key.Key_Z, dialog.timezone),
        (Qt.Key.Key_O, dialog.code),
    ):
        qtbot.keyClick(QApplication.focusWidget() or dialog, key, alt)
        assert QApplication.focusWidget() is field, key


def test_the_post_code_takes_only_what_saving_accepts_and_says_so(qtbot: QtBot, app: App) -> None:
    dialog = _dialog(qtbot, app)
    assert dialog.code_hint.isVisible()
    assert "tanpa spasi atau tanda hubung" in dialog.code_hint.text()
    qtbot.keyClicks(dialog.code, "rp-3209 a")  # the hyphen and space are not taken
    assert dialog.code.text() == "RP3209A"
    qtbot.keyClicks(dialog.code, "BCDEFG")  # at most 12
    assert dialog.code.text() == "RP3209ABCDEF"


def test_the_posts_own_desa_is_chosen_at_set_up(qtbot: QtBot, app: App) -> None:
    from rumah_perisai.services.posts import the_post

    dialog = _dialog(qtbot, app)
    qtbot.keyClicks(dialog.code, "RP3209A")
    qtbot.keyClicks(dialog.name, "Rumah Perisai Suranenggala")
    qtbot.keyClicks(dialog.kabupaten, "32.09")
    dialog.kabupaten.editingFinished.emit()  # leaving the field: its desa are offered
    completer = dialog.desa.completer()
    completer.setCompletionPrefix("sampiran")
    assert completer.completionCount() == 1
    qtbot.keyClicks(dialog.desa, "Atlantis")
    qtbot.keyClick(dialog.desa, Qt.Key.Key_Return)
    assert dialog.error.text().startswith("Desa/kelurahan Atlantis tidak ada di kabupaten/kota")
    assert post_summary(app.db) is None
    dialog.desa.setText("sampiran")  # a desa name unique in the kabupaten is enough
    qtbot.keyClick(dialog.desa, Qt.Key.Key_Return)
    assert dialog.choice is FirstRunChoice.SET_UP
    with app.db.reading() as session:
        assert the_post(session).desa_code == "32.09.14.2001"
