"""The cash window, as a coordinator uses it at the end of the day: count each volunteer's cash,
explain a difference, close the day, print its summary, record the bank deposit. The fake
clock stands at 27 Nov 2026 09:30 WIB."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.services.cash import cash_position, close_document, closes
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.cash_dialog import CashDialog, CountRow
from rumah_perisai.ui.main_window import MainWindow
from tests.conftest import FakeClock

BASIC = 16_800


def _in_promotion(add_participant: Callable[..., int], name: str) -> int:
    start = date(2026, 10, 1)
    history = CoverHistory(Standing.MEMBER, start, date(2027, 1, 31), frozenset())
    return add_participant(registered_on=start, history=history, name=name)


def _pay(app: App, who: int, months: int, actor: Actor) -> None:
    plan = payment_options(app.db, who).plan(months)
    expect = [m.month for m in plan.months]
    take_payment(app.db, who, months, plan.total, actor, expect_months=expect)


def _window(qtbot: QtBot, app: App, actor: Actor) -> MainWindow:
    window = MainWindow(app, actor)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    return window


def _row(dialog: CashDialog, name: str) -> CountRow:
    return next(row for row in dialog.count_rows if row.line.name == name)


def test_close_the_day_with_a_difference_then_deposit_it(
    qtbot: QtBot,
    app: App,
    coordinator: Actor,
    volunteer: Actor,
    add_participant: Callable[..., int],
) -> None:
    _pay(app, _in_promotion(add_participant, "Siti Aminah"), 3, volunteer)  # 50.400
    _pay(app, _in_promotion(add_participant, "Muhammad Rizki"), 1, volunteer)  # 16.800
    _pay(app, _in_promotion(add_participant, "Dede Sunarya"), 1, coordinator)  # 16.800
    window = _window(qtbot, app, coordinator)
    qtbot.keyClick(window.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = window.cash_dialog
    assert dialog.isVisible()
    assert "Rp 84.000" in dialog.held.text()  # all of it still in the open till
    assert dialog.chosen_day == date(2026, 11, 27)
    ujang, dewi = _row(dialog, "Ujang Hidayat"), _row(dialog, "Dewi Lestari")
    assert (ujang.line.payments_count, ujang.line.expected) == (2, 67_200)
    assert dewi.line.expected == 16_800

    qtbot.keyClicks(ujang.counted, "67.000")  # 200 short
    assert ujang.difference.text() == "− Rp 200"
    assert "b71c1c" in ujang.difference.styleSheet()  # in red
    qtbot.keyClick(ujang.counted, Qt.Key.Key_Return)  # Enter: the next volunteer's field
    assert dialog.focusWidget() is dewi.counted or not dialog.isActiveWindow()
    qtbot.keyClicks(dewi.counted, "16800")
    assert dewi.difference.text() == "Rp 0"
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert "catatan" in dialog.close_error.text()  # the service's message: a note is needed
    assert closes(app.db) == []

    qtbot.keyClicks(dialog.note, "Uang kembalian kurang")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)  # Enter in the note closes the day
    (close,) = closes(app.db)
    assert (close.expected, close.counted, close.difference) == (84_000, 83_800, -200)
    lines = {line.name: (line.expected, counted, diff) for line, counted, diff in
             close_document(app.db, close.id).lines}  # fmt: skip
    assert lines == {"Ujang Hidayat": (67_200, 67_000, -200), "Dewi Lestari": (16_800, 16_800, 0)}
    assert close_document(app.db, close.id).note == "Uang kembalian kurang"
    summary = dialog.summary_dialog  # the daily summary, to print and sign
    assert summary.isVisible() and close.key in summary.windowTitle()
    assert summary.document.pageCount() >= 1
    assert close.key in summary.document.getAllText(0).text()
    assert dialog.till is not None and dialog.till.is_empty  # nothing left to count today
    assert not dialog.close_button.isEnabled()
    assert "Rp 83.800" in dialog.held.text()  # counted, not deposited yet
    summary.close()

    dialog.tabs.setCurrentIndex(1)
    assert dialog.closes_table.rowCount() == 1
    dialog.closes_table.selectRow(0)
    assert dialog.deposit_button.isEnabled()
    qtbot.mouseClick(dialog.deposit_button, Qt.MouseButton.LeftButton)
    deposit = dialog.deposit_dialog
    assert deposit.amount.text() == "Rp 83.800"  # the sum counted
    assert deposit.deposited_on.date() == date(2026, 11, 27)
    deposit.bank.setCurrentIndex(deposit.bank.findData("bni"))
    qtbot.mouseClick(deposit.save_button, Qt.MouseButton.LeftButton)
    assert "referensi" in deposit.error.text() or "reference" in deposit.error.text()
    qtbot.keyClicks(deposit.reference, "BNI 0042 7781")
    for typed, said in (("3102", "12-03-1978"), ("31022026", "12-03-1978")):
        deposit.deposited_on.setText(typed)  # unfinished, then a day that does not exist
        qtbot.mouseClick(deposit.save_button, Qt.MouseButton.LeftButton)
        assert deposit.isVisible() and said in deposit.error.text()
        assert deposit.focusWidget() is deposit.deposited_on
        assert closes(app.db)[0].deposit_key is None  # nothing recorded
    deposit.deposited_on.setDate(date(2026, 11, 27))
    qtbot.mouseClick(deposit.save_button, Qt.MouseButton.LeftButton)
    assert not deposit.isVisible()
    (close,) = closes(app.db)
    assert close.deposit_key is not None
    # the deposit as its bank slip says it, not the post's internal number (issue 17, item 4)
    shown = dialog.closes_table.item(0, 6).text()
    assert shown == "BNI, 27 Nov 2026 (slip BNI 0042 7781)"
    assert close.deposit_key not in shown
    assert cash_position(app.db).held == 0
    assert "Rp 0" in dialog.held.text()


def test_an_empty_till_says_so_and_an_older_open_day_can_be_chosen(
    qtbot: QtBot,
    app: App,
    coordinator: Actor,
    add_participant: Callable[..., int],
    clock: FakeClock,
) -> None:
    _pay(app, _in_promotion(add_participant, "Siti Aminah"), 1, coordinator)
    clock.advance(days=1)  # the next morning: yesterday was never closed
    window = _window(qtbot, app, coordinator)
    window.open_cash()
    dialog = window.cash_dialog
    assert dialog.chosen_day == date(2026, 11, 28)
    assert dialog.till is not None and dialog.till.is_empty
    assert dialog.till_summary.text() != "" and not dialog.close_button.isEnabled()
    assert "27 Nov 2026" in dialog.older_open.text()
    dialog.day.setCurrentIndex(dialog.day.findData("2026-11-27"))
    (row,) = dialog.count_rows
    assert row.line.expected == BASIC
    qtbot.keyClicks(row.counted, "16800")
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    (close,) = closes(app.db)
    assert (close.day, close.difference) == (date(2026, 11, 27), 0)


def test_a_volunteer_sees_the_till_but_the_coordinator_closes_and_deposits(
    qtbot: QtBot,
    app: App,
    volunteer: Actor,
    coordinator: Actor,
    add_participant: Callable[..., int],
) -> None:
    _pay(app, _in_promotion(add_participant, "Siti Aminah"), 1, volunteer)
    window = _window(qtbot, app, volunteer)
    window.open_cash()
    (row,) = window.cash_dialog.count_rows
    assert not window.cash_dialog.close_button.isEnabled()
    assert window.cash_dialog.close_button.toolTip() != ""  # says why
    window.cash_dialog.close()
    window = _window(qtbot, app, coordinator)
    window.open_cash()
    dialog = window.cash_dialog
    (row,) = dialog.count_rows
    qtbot.keyClicks(row.counted, "abc")
    assert row.difference.text() != "" and "b71c1c" in row.difference.styleSheet()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert "abc" in dialog.close_error.text()  # not a number: nothing recorded
    assert closes(app.db) == []
    row.counted.clear()
    qtbot.keyClicks(row.counted, "16800")
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert len(closes(app.db)) == 1
    dialog.tabs.setCurrentIndex(1)
    dialog.closes_table.selectRow(0)
    assert dialog.deposit_button.isEnabled()
