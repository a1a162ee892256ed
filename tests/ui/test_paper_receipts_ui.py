"""The paper receipts dialog (issue 16, item 2), driven as a coordinator uses it after a
restore: the main window says payments are held; the dialog takes each paper half in number
order, a lost one with its reason, refuses a wrong amount in one line, and "finished" lets
payments go on after the highest number. The post on SQLite (its backup is a file)."""

# ruff: noqa: F401, F811  (pytest fixtures imported from the service tests are used by name)

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.services.batches import export_batch
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.receipt_chain import verify_chain
from rumah_perisai.ui.main_window import MainWindow
from rumah_perisai.ui.paper_receipts_dialog import PaperReceiptsDialog
from tests.services.paper_world import Restored, number
from tests.services.test_paper_receipts import LOST, restored, sqlite_branch


def _fill(qtbot: QtBot, dialog: PaperReceiptsDialog, doc: object, amount: str) -> None:
    from rumah_perisai.services.dues import ReceiptDoc

    assert isinstance(doc, ReceiptDoc)
    assert dialog.number.text() == doc.number  # the next number, waiting for its paper
    dialog.set_printed(doc.issued_at.date(), doc.issued_at.time())
    qtbot.keyClicks(dialog.participant, doc.registration_no)
    assert doc.participant_name in dialog.person.text()
    dialog.set_first_month(doc.lines[0].month)
    dialog.month_count.setCurrentIndex(dialog.month_count.findData(doc.month_count))
    dialog.amount.clear()
    qtbot.keyClicks(dialog.amount, amount)
    dialog.collector.setCurrentIndex(dialog.collector.findText(doc.volunteer_name))


def test_a_coordinator_enters_the_paper_halves_and_payments_go_on(
    qtbot: QtBot, app: App, restored: Restored
) -> None:
    side = restored.side
    third, _fourth, fifth = restored.papers
    window = MainWindow(side.app, side.coordinator)
    qtbot.addWidget(window)
    window.show()
    assert window.paper_banner.isVisible()
    assert "ditahan" in window.paper_banner.text.text()
    assert window.paper_action.isVisible()

    qtbot.mouseClick(window.paper_banner.button, Qt.MouseButton.LeftButton)
    dialog = window.paper_dialog
    assert dialog.isVisible() and "RP3209A-2026-000002" in dialog.intro.text()
    _fill(qtbot, dialog, third, f"{third.total}")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # Enter saves
    assert dialog.table.rowCount() == 1, dialog.message.text()
    assert number(3) in dialog.message.text() and "1b5e20" in dialog.message.styleSheet()

    assert dialog.number.text() == number(4)
    qtbot.keyClicks(dialog.reason, LOST)
    qtbot.mouseClick(dialog.lost_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(1, 4).text() == LOST
    # Issue 17: what the list's tooltips say, by keyboard (Alt+E to the list, arrows to a row),
    # and the printed moment typed as every date is (dd-mm-yyyy).
    assert dialog.property("help_topic") == "paper_receipts"
    assert dialog.printed.displayFormat() == "dd-MM-yyyy  HH.mm"
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.table, timeout=2000)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Home)
    detail = dialog.row_detail.text()
    assert detail.startswith(f"{number(3)}: {third.participant_name} · {third.registration_no}")
    assert "dimasukkan oleh" in detail
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    assert dialog.row_detail.text() == f"{number(4)}: hilang — {LOST}"

    _fill(qtbot, dialog, fifth, "1.000")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    refusal = dialog.message.text()
    assert refusal.startswith(f"Kuitansi {number(5)} tertulis Rp 1.000") and "\n" not in refusal
    assert "b71c1c" in dialog.message.styleSheet() and dialog.table.rowCount() == 2
    dialog.amount.clear()
    qtbot.keyClicks(dialog.amount, f"{fifth.total}")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 3
    assert dialog.cash_note.isVisible()  # the day's till: closed? not since these receipts

    assert dialog.highest.text() == number(5)
    qtbot.mouseClick(dialog.finish_button, Qt.MouseButton.LeftButton)
    assert not window.paper_banner.isVisible()
    assert not dialog.receipt_box.isEnabled()
    plan = payment_options(side.app.db, 1).plan(1)
    assert plan.total and payment_options(side.app.db, 1).refusal is None
    take_payment(side.app.db, 1, 1, plan.total, side.coordinator)
    assert verify_chain(side.app.db).whole
    # The weekly batch says what came back from paper.
    from rumah_perisai.ui.batches_dialog import BatchesDialog
    from tests.branch.branch_world import CLI

    written = export_batch(side.app.db, side.app.folder, side.stick, CLI)
    said = BatchesDialog.summary_text(written.info)
    assert "2 dimasukkan lagi dari kertas; 1 nomor dicatat hilang" in said
    dialog.close()
    window.close()
    QApplication.processEvents()


def test_a_volunteer_sees_why_payments_wait_and_cannot_open_the_dialog(
    qtbot: QtBot, app: App, restored: Restored
) -> None:
    side = restored.side
    window = MainWindow(side.app, restored.ujang)  # type: ignore[attr-defined]
    qtbot.addWidget(window)
    window.show()
    assert window.paper_banner.isVisible() and not window.paper_banner.button.isVisible()
    assert "koordinator" in window.paper_banner.text.text().lower()
    assert not window.paper_action.isVisible()
    window.close()
