"""Issue 17 in the print and cash windows: a volunteer's day by keyboard, in Indonesian, without
internal codes. Cards and receipts are saved under their numbers in Documents (or the last
folder used); the reprint reason and the receipt layout have dialogs of their own; the cash
window marks closes with Space; a disabled button says why in visible text; dismiss buttons
say Kembali beside Batalkan/Tutup; dates are typed dd-mm-yyyy; every window's Alt keys are
unique and every field has a label that reaches it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.services.cash import close_day, till
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui import file_dialogs
from rumah_perisai.ui.card_dialog import ReprintReasonDialog
from rumah_perisai.ui.cash_dialog import CashDialog
from rumah_perisai.ui.main_window import MainWindow
from rumah_perisai.ui.payment_dialog import PaymentDialog
from rumah_perisai.ui.receipt_dialog import ReceiptDialog, ReceiptLayoutDialog
from rumah_perisai.ui.void_dialog import VoidDialog, void_unavailable
from tests.conftest import FakeClock

ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture(autouse=True)
def _own_settings_and_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Remembered folders in a file of the test's own; a home whose Documents exists."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(home / "Documents"))
    file_dialogs.use_settings_file(tmp_path / "file-dialogs.ini")
    yield home / "Documents"
    file_dialogs.use_settings_file(None)


def _member(add_participant: Callable[..., int], name: str) -> int:
    start = date(2026, 10, 1)
    history = CoverHistory(Standing.MEMBER, start, date(2027, 1, 31), frozenset())
    return add_participant(registered_on=start, history=history, name=name)


def _pay(app: App, who: int, months: int, actor: Actor) -> int:
    plan = payment_options(app.db, who).plan(months)
    paid = take_payment(
        app.db, who, months, plan.total, actor, expect_months=[m.month for m in plan.months]
    )
    return paid.receipt_id


def _close_today(app: App, actor: Actor) -> int:
    today = till(app.db)
    counted = {line.volunteer_key: line.expected for line in today.lines}
    return close_day(app.db, today.day, counted, actor, through_seq=today.through_seq)


def _mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def _keyboard_problems(window: QWidget) -> list[str]:
    """Two controls sharing an Alt key; a button without one; a field without a label (with
    an Alt key) that reaches it. Visible widgets only, every tab of a tab widget looked at."""
    problems: list[str] = []
    seen: dict[str, str] = {}

    def claim(text: str) -> None:
        key = _mnemonic(text)
        if key is None:
            problems.append(f"no Alt key: {text!r}")
        elif key in seen:
            problems.append(f"Alt+{key.upper()}: {seen[key]!r} and {text!r}")
        else:
            seen[key] = text

    for tabs in window.findChildren(QTabWidget):
        for index in range(tabs.count()):
            claim(tabs.tabText(index))
    buddies = {
        id(label.buddy()): label.text()
        for label in window.findChildren(QLabel)
        if label.buddy() is not None and label.isVisibleTo(window)
    }
    for label_text in buddies.values():
        if _mnemonic(label_text) is not None:  # a form's caption of a shown value has none
            claim(label_text)
    for button in window.findChildren(QAbstractButton):
        shown = button.isVisibleTo(window) and bool(button.text())
        if shown and isinstance(button, (QPushButton, QRadioButton, QCheckBox)):
            claim(button.text())  # not the tab bar's scroll arrows (tool buttons)
    fields: list[QWidget] = []
    for kind in (QLineEdit, QComboBox, QDateEdit):
        fields += window.findChildren(kind)
    for field in fields:
        if not field.isVisibleTo(window) or isinstance(field.parent(), (QComboBox, QDateEdit)):
            continue  # the line edit inside a combo box or a date field is the field itself
        if _mnemonic(buddies.get(id(field), "")) is None:
            problems.append(f"no label with an Alt key for field {field.objectName()!r}")
    return problems


def _window(qtbot: QtBot, app: App, actor: Actor) -> MainWindow:
    window = MainWindow(app, actor)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _active(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)


def _alt(qtbot: QtBot, dialog: QWidget, key: Qt.Key) -> None:
    """Alt+``key`` as a volunteer presses it, in the active window, on the focused field."""
    _active(qtbot, dialog)
    qtbot.keyClick(QApplication.focusWidget() or dialog, key, ALT)


def _answer_file_dialog(qtbot: QtBot, seen: list[str], folder: Path | None) -> None:
    """When the save dialog shows: note what it suggests, then save in ``folder`` (None:
    where it suggests) as a volunteer pressing Enter would."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(50, answer)
            return
        seen.append(dialog.selectedFiles()[0])
        if folder is not None:
            dialog.setDirectory(str(folder))
            dialog.selectFile(Path(seen[-1]).name)
        dialog.accept()

    QTimer.singleShot(50, answer)


# --- item 4: files named by their number, in Documents or the last folder used ------------------
def test_a_card_is_saved_in_documents_under_its_number_then_in_the_last_folder(
    qtbot: QtBot,
    app: App,
    coordinator: Actor,
    add_participant: Callable[..., int],
    tmp_path: Path,
    _own_settings_and_documents: Path,
) -> None:
    documents = _own_settings_and_documents
    siti = add_participant(name="Siti Aminah")
    window = _window(qtbot, app, coordinator)
    window.print_card(siti)
    seen: list[str] = []
    stick = tmp_path / "usb"
    stick.mkdir()
    _answer_file_dialog(qtbot, seen, stick)
    _alt(qtbot, window.card_dialog, Qt.Key.Key_D)  # Simpan sebagai P&DF…
    qtbot.waitUntil(lambda: bool(seen), timeout=3000)  # a mnemonic clicks animated
    code = _post_code(app)
    assert seen == [str(documents / f"kartu-{code}-000001.pdf")]  # never "kartu.pdf" here
    assert (stick / f"kartu-{code}-000001.pdf").is_file()
    assert "Siti" not in seen[0]

    window.print_card(siti, "lost")
    _answer_file_dialog(qtbot, seen, None)
    _alt(qtbot, window.card_dialog, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=3000)
    assert seen[1] == str(stick / f"kartu-{code}-000002.pdf")  # where the last card went
    assert (stick / f"kartu-{code}-000002.pdf").is_file()


def _post_code(app: App) -> str:
    from rumah_perisai.services.posts import post_summary

    summary = post_summary(app.db)
    assert summary is not None
    return summary.code


def test_a_receipt_is_saved_under_its_number_in_its_own_last_folder(
    qtbot: QtBot,
    app: App,
    volunteer: Actor,
    add_participant: Callable[..., int],
    _own_settings_and_documents: Path,
) -> None:
    receipt_id = _pay(app, _member(add_participant, "Siti Aminah"), 1, volunteer)
    dialog = ReceiptDialog(app.db, app.folder, receipt_id, "a5", False)
    qtbot.addWidget(dialog)
    assert dialog.property("help_topic") == "receipt"
    # a card's folder is not a receipt's: each kind remembers its own
    file_dialogs.remember_folder("card", _own_settings_and_documents.parent)
    start = file_dialogs.save_dialog(dialog, "", dialog.file_name, "PDF (*.pdf)", "receipt")
    assert Path(start.directory().absolutePath()) == _own_settings_and_documents
    assert dialog.file_name == f"kuitansi-{dialog.number}.pdf"
    assert start.selectedFiles() == [str(_own_settings_and_documents / dialog.file_name)]


# --- item 4: the reprint reason and the receipt layout, in dialogs with action buttons -----------
def test_the_reprint_reason_is_chosen_by_alt_key_and_printed_by_enter(qtbot: QtBot) -> None:
    dialog = ReprintReasonDialog("Siti Aminah sudah punya kartu.")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.property("help_topic") == "card"
    assert dialog.reprint_button.text() == "&Cetak ulang kartu"  # the action, not "OK"
    assert dialog.back_button.text() == "Ke&mbali"
    assert _keyboard_problems(dialog) == []
    _alt(qtbot, dialog, Qt.Key.Key_R)  # Kartu &rusak
    qtbot.waitUntil(dialog.choices["damaged"].isChecked, timeout=2000)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.reason == "damaged"


def test_the_receipt_layout_is_chosen_by_alt_key_and_saved_by_enter(qtbot: QtBot) -> None:
    dialog = ReceiptLayoutDialog("a5")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.choices["a5"].isChecked()
    assert dialog.save_button.text() == "&Simpan"
    assert _keyboard_problems(dialog) == []
    _alt(qtbot, dialog, Qt.Key.Key_G)  # &Gulungan kertas 58 mm
    qtbot.waitUntil(dialog.choices["thermal58"].isChecked, timeout=2000)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.layout_code == "thermal58"


# --- item 7 and 6: the void dialog ---------------------------------------------------------------
def test_the_void_dialog_says_kembali_and_keeps_a_typed_reason_on_escape(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    receipt_id = _pay(app, _member(add_participant, "Siti Aminah"), 1, coordinator)
    dialog = VoidDialog(app.db, app.folder, coordinator, receipt_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.property("help_topic") == "void"
    assert dialog.confirm_button.text() == "&Batalkan kuitansi"
    assert dialog.back_button.text() == "Ke&mbali"  # not "Batal" beside "Batalkan"
    assert _keyboard_problems(dialog) == []
    qtbot.keyClicks(dialog.reason, "Salah orang")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Escape)
    box = dialog.discard_box
    assert isinstance(box, QMessageBox) and box.text() == "Buang isian formulir ini?"
    box.button(QMessageBox.StandardButton.No).click()
    assert dialog.isVisible() and dialog.reason.text() == "Salah orang"
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Escape)
    assert dialog.discard_box is not None
    dialog.discard_box.button(QMessageBox.StandardButton.Yes).click()
    assert not dialog.isVisible()

    # The screen locking closes it without asking: nothing stays open for the next person.
    again = VoidDialog(app.db, app.folder, coordinator, receipt_id)
    qtbot.addWidget(again)
    again.show()
    qtbot.keyClicks(again.reason, "Salah orang")
    again.close()
    assert not again.isVisible() and again.discard_box is None


def test_why_a_receipt_cannot_be_voided_is_said_in_words() -> None:
    assert void_unavailable(coordinator=False, voidable=True) == (
        "Hanya koordinator yang dapat membatalkan kuitansi."
    )
    assert void_unavailable(coordinator=True, voidable=False) != ""
    assert void_unavailable(coordinator=True, voidable=True) == ""


# --- items 4, 6, 7: the cash window --------------------------------------------------------------
def test_closes_are_marked_by_space_and_deposited_with_a_typed_date(
    qtbot: QtBot,
    app: App,
    coordinator: Actor,
    volunteer: Actor,
    add_participant: Callable[..., int],
    clock: FakeClock,
) -> None:
    _pay(app, _member(add_participant, "Siti Aminah"), 1, volunteer)
    _close_today(app, coordinator)
    clock.advance(days=1)
    _pay(app, _member(add_participant, "Dede Sunarya"), 3, volunteer)
    _close_today(app, coordinator)
    dialog = CashDialog(app.db, app.folder, coordinator, lambda: date(2026, 11, 29))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.property("help_topic") == "cash"
    back = dialog.findChild(QAbstractButton, "closeWindow")
    assert back is not None and back.text() == "Ke&mbali"  # not "Tutup jendela" by "Tutup kas"
    assert _keyboard_problems(dialog) == []

    _alt(qtbot, dialog, Qt.Key.Key_S)  # the tab Penutupan dan &setoran
    qtbot.waitUntil(lambda: dialog.tabs.currentIndex() == 1, timeout=2000)
    hint = dialog.findChild(QLabel, "closesHint")
    assert hint is not None and "Ctrl" not in hint.text() and "Spasi" in hint.text()
    assert "Alt+O" in hint.text()  # the deposit button's own Alt key
    assert not dialog.deposit_button.isEnabled()
    assert dialog.deposit_why.isVisibleTo(dialog) and "Spasi" in dialog.deposit_why.text()
    _alt(qtbot, dialog, Qt.Key.Key_D)  # &Daftar hari yang sudah ditutup
    table = dialog.closes_table
    qtbot.waitUntil(lambda: dialog.focusWidget() is table, timeout=2000)
    qtbot.keyClick(table, Qt.Key.Key_Home)
    qtbot.keyClick(table, Qt.Key.Key_Space)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert len(dialog.selected_closes()) == 2
    assert dialog.deposit_button.isEnabled() and not dialog.deposit_why.isVisibleTo(dialog)
    _alt(qtbot, dialog, Qt.Key.Key_O)  # Catat set&oran bank…
    qtbot.waitUntil(lambda: hasattr(dialog, "deposit_dialog"), timeout=2000)
    deposit = dialog.deposit_dialog
    assert deposit.property("help_topic") == "cash"
    assert deposit.deposited_on.text() == "29-11-2026"  # typed as dd-mm-yyyy, never 29/11/2026
    assert _keyboard_problems(deposit) == []
    deposit.bank.setCurrentIndex(deposit.bank.findData("bni"))
    qtbot.keyClicks(deposit.reference, "0042")
    qtbot.keyClick(deposit.reference, Qt.Key.Key_Escape)  # typed work is not lost unasked
    assert deposit.isVisible() and deposit.discard_box is not None
    deposit.discard_box.button(QMessageBox.StandardButton.No).click()
    qtbot.keyClick(deposit.reference, Qt.Key.Key_Tab)  # to the date
    assert deposit.focusWidget() is deposit.deposited_on
    deposit.deposited_on.selectAll()
    qtbot.keyClicks(deposit.deposited_on, "28112026")  # the day before, typed straight through
    assert deposit.deposited_on.date() == date(2026, 11, 28)
    qtbot.keyClick(deposit.deposited_on, Qt.Key.Key_Return)
    assert deposit.error.text() == ""
    assert not deposit.isVisible()
    shown = {table.item(row, 6).text() for row in range(table.rowCount())}
    assert shown == {"BNI, 28 Nov 2026 (slip 0042)"}  # the slip, not RP3209A-D00001


def test_a_volunteer_sees_why_the_day_and_the_deposit_are_not_theirs(
    qtbot: QtBot, app: App, volunteer: Actor, add_participant: Callable[..., int]
) -> None:
    _pay(app, _member(add_participant, "Siti Aminah"), 1, volunteer)
    dialog = CashDialog(app.db, app.folder, volunteer, lambda: date(2026, 11, 27))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert _keyboard_problems(dialog) == []  # each counted field has its Alt key (Alt+1…)
    _alt(qtbot, dialog, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.count_rows[0].counted, timeout=2000)
    qtbot.keyClicks(dialog.count_rows[0].counted, "16800")
    qtbot.keyClick(dialog.count_rows[0].counted, Qt.Key.Key_Escape)  # a count is not lost
    assert dialog.isVisible() and dialog.discard_box is not None
    dialog.discard_box.button(QMessageBox.StandardButton.No).click()
    assert dialog.count_rows[0].counted.text() == "16800"
    assert not dialog.close_button.isEnabled()
    assert dialog.close_error.text() == "Hanya koordinator yang menutup kas harian."
    assert dialog.close_error.isVisibleTo(dialog)
    dialog.tabs.setCurrentIndex(1)
    assert dialog.deposit_why.isVisibleTo(dialog)
    assert dialog.deposit_why.text() == "Hanya koordinator yang mencatat setoran bank."


# --- items 2 and 6: the payment dialog and the receipt preview -----------------------------------
def test_payment_and_receipt_windows_have_one_alt_key_each_and_help(
    qtbot: QtBot, app: App, volunteer: Actor, add_participant: Callable[..., int]
) -> None:
    siti = _member(add_participant, "Siti Aminah")
    dialog = PaymentDialog(app.db, app.folder, volunteer, siti)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.property("help_topic") == "payment"
    assert _keyboard_problems(dialog) == []
    qtbot.keyClicks(dialog.cash, "20000")
    qtbot.keyClick(dialog.cash, Qt.Key.Key_Escape)  # the cash typed is not lost unasked
    assert dialog.isVisible() and dialog.discard_box is not None
    dialog.discard_box.button(QMessageBox.StandardButton.No).click()
    qtbot.keyClick(dialog.cash, Qt.Key.Key_Return)
    receipt = dialog.receipt_dialog
    qtbot.addWidget(receipt)
    assert _keyboard_problems(receipt) == []
    assert receipt.close_button.text() == "&Tutup"


# --- item 4: the printed daily summary names the deposit by its bank slip -------------------------
def test_the_daily_summary_names_the_deposit_by_its_slip_and_prints_typed_marks(
    qtbot: QtBot,
    app: App,
    coordinator: Actor,
    volunteer: Actor,
    add_participant: Callable[..., int],
) -> None:
    from rumah_perisai.printing.cash import daily_summary_pdf
    from rumah_perisai.services.cash import close_document, closes, record_deposit

    _pay(app, _member(add_participant, "Siti Aminah"), 1, volunteer)
    today = till(app.db)
    line = today.lines[0]
    close_id = close_day(
        app.db,
        today.day,
        {line.volunteer_key: line.expected - 500},
        coordinator,
        through_seq=today.through_seq,
        note="Kembalian <Rp 500> & uang kecil",
    )
    record_deposit(
        app.db,
        bank="bni",
        bank_name="",
        reference="A&B 0042",
        deposited_on=date(2026, 11, 27),
        amount=line.expected - 500,
        close_ids=[close_id],
        actor=coordinator,
    )
    dialog = CashDialog(app.db, app.folder, coordinator, lambda: date(2026, 11, 27))
    qtbot.addWidget(dialog)
    dialog.show_summary(close_id)
    summary = dialog.summary_dialog
    assert summary.file_name == "rekap-harian-2026-11-27.pdf"  # by its day
    text = " ".join(summary.document.getAllText(0).text().split())
    assert "BNI, 27 Nov 2026 (slip A&B 0042)" in text
    assert "Kembalian <Rp 500> & uang kecil" in text
    (close,) = closes(app.db)
    assert close.deposit_key is not None and close.deposit_key not in text
    assert daily_summary_pdf(close_document(app.db, close_id))  # drawn without the window too
