"""The recovery code shown once, with its sheet for the envelope: Enter previews the sheet, the
code is printed (to a PDF printer here), and only then does Enter close; Esc before that warns
once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from rumah_perisai.services.recovery import RecoverySheet
from rumah_perisai.ui.recovery_dialog import RecoveryCodeDialog

SHEET = RecoverySheet(
    post_code="RP3209A",
    post_name="Rumah Perisai Suranenggala",
    code="7KQ2M-9XD4H-JBZW8-C1PQR-T6YVK",
    issued_at=datetime(2026, 12, 5, 9, 2, tzinfo=UTC),
    timezone="WIB",
)


def _shown(qtbot: QtBot) -> RecoveryCodeDialog:
    dialog = RecoveryCodeDialog(SHEET, "Pos RP3209A sudah siap.")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_enter_previews_the_sheet_and_a_print_lets_enter_close(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = _shown(qtbot)
    assert dialog.code.text() == "7KQ2M-9XD4H-JBZW8-C1PQR-T6YVK"
    assert not dialog.done_button.isEnabled()
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    sheet = dialog.sheet_dialog
    assert sheet is not None and sheet.isVisible()
    assert not sheet.save_button.isVisible()  # the code is never left in a file
    assert sheet.document.pageCount() == 1
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert sheet.print_to(printer)
    sheet.accept()
    assert (tmp_path / "printed.pdf").stat().st_size > 1000
    assert dialog.written.isChecked() and dialog.done_button.isEnabled()
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert dialog.result() == RecoveryCodeDialog.DialogCode.Accepted
    assert not dialog.isVisible()


def test_esc_before_the_code_is_kept_warns_once_then_closes(qtbot: QtBot) -> None:
    dialog = _shown(qtbot)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert "tidak akan ditampilkan lagi" in dialog.message.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_code_written_by_hand_is_ticked_and_enter_closes(qtbot: QtBot) -> None:
    dialog = _shown(qtbot)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Backtab)  # from Print… back to the box
    assert dialog.focusWidget() is dialog.written
    qtbot.keyClick(dialog.written, Qt.Key.Key_Space)
    assert dialog.written.isChecked()
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert dialog.result() == RecoveryCodeDialog.DialogCode.Accepted
