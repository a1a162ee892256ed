"""The post's windows change data through operations (issue 18, item 1), driven as a volunteer
does it: a void, a day's close and a deposit refused say their one line where the volunteer
looks (no box) and change nothing; what they do change reaches the other views (the main
window's list, the participant view, the dashboards, the cash window) by the change notices,
never by the dialog calling them. The fake clock stands at 27 Nov 2026 09:30 WIB."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from rumah_perisai.app import App
from rumah_perisai.db.models import Receipt
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.errors import UserError
from rumah_perisai.services.cash import cash_position, close_day, closes, record_deposit, till
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.main_window import MainWindow
from rumah_perisai.ui.participant_dialog import ParticipantDialog

TODAY = date(2026, 11, 27)


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every blocking warning or critical box, recorded instead of shown."""
    shown: list[str] = []

    def record(_parent: Any, _title: str, text: str, *_args: Any) -> None:
        shown.append(text)

    monkeypatch.setattr(QMessageBox, "warning", record)
    monkeypatch.setattr(QMessageBox, "critical", record)
    return shown


def _in_promotion(add_participant: Callable[..., int], name: str) -> int:
    start = date(2026, 10, 1)
    history = CoverHistory(Standing.MEMBER, start, date(2027, 1, 31), frozenset())
    return add_participant(registered_on=start, history=history, name=name)


def _pay(app: App, who: int, actor: Actor) -> int:
    plan = payment_options(app.db, who).plan(1)
    expect = [m.month for m in plan.months]
    return take_payment(app.db, who, 1, plan.total, actor, expect_months=expect).receipt_id


def _receipt_count(app: App) -> int:
    with app.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Receipt)) or 0)


def _activate(qtbot: QtBot, widget: QWidget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=2000)


def _window(qtbot: QtBot, app: App, actor: Actor) -> MainWindow:
    window = MainWindow(app, actor)
    qtbot.addWidget(window)
    window.show()
    _activate(qtbot, window)
    return window


def _find(qtbot: QtBot, window: MainWindow, text: str) -> ParticipantDialog:
    qtbot.keyClicks(window.search_box, text)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    return window.participant_dialog


def test_a_void_refused_says_its_line_and_changes_nothing(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int],
    boxes: list[str],
) -> None:  # fmt: skip
    """The receipt was voided at another window while this one was open: the reason field's
    line says so, the dialog stays, no second void is made."""
    who = _in_promotion(add_participant, "Siti Aminah")
    receipt_id = _pay(app, who, coordinator)
    window = _window(qtbot, app, coordinator)
    view = _find(qtbot, window, "RP3209A-000001")
    view.tabs.setCurrentIndex(view.dues_tab)
    qtbot.mouseClick(view.void_button, Qt.MouseButton.LeftButton)
    dialog = view.void_dialog
    qtbot.keyClicks(dialog.reason, "Salah peserta")
    void_receipt(app.db, receipt_id, "Dobel", coordinator)  # another window, meanwhile
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible() and getattr(dialog, "void_id", None) is None
    with app.db.reading() as session:
        payment, void = session.scalars(select(Receipt).order_by(Receipt.id)).all()
    refused = UserError("already_voided", number=payment.number, void=void.number)
    assert dialog.error.text() == refused.message() and "\n" not in refused.message()
    assert boxes == []  # said in the dialog, not in a box
    assert _receipt_count(app) == 2  # the payment and the other window's void only


def test_a_days_close_refused_says_its_line_and_changes_nothing(
    qtbot: QtBot, app: App, coordinator: Actor, volunteer: Actor,
    add_participant: Callable[..., int], boxes: list[str],
) -> None:  # fmt: skip
    """A payment taken while the cash was being counted: the close is refused under the counts
    (the new receipt is shown, what was typed kept) and nothing is closed."""
    _pay(app, _in_promotion(add_participant, "Siti Aminah"), coordinator)
    window = _window(qtbot, app, coordinator)
    window.open_cash()
    dialog = window.cash_dialog
    (row,) = dialog.count_rows
    qtbot.keyClicks(row.counted, "16800")
    _pay(app, _in_promotion(add_participant, "Dede Sunarya"), volunteer)  # meanwhile
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)

    assert dialog.close_error.text() == UserError("till_changed").message()
    assert boxes == [] and closes(app.db) == []
    assert len(dialog.count_rows) == 2  # the new receipt's volunteer is counted too
    assert [r.counted.text() for r in dialog.count_rows if r.line.name == "Dewi Lestari"] == [
        "16800"
    ]  # what was typed is kept


def test_a_deposit_refused_says_its_line_and_changes_nothing(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int],
    boxes: list[str],
) -> None:  # fmt: skip
    """The close was deposited at another window while the slip was being typed: refused under
    the form, no second deposit; the cash window already shows the other deposit."""
    _pay(app, _in_promotion(add_participant, "Siti Aminah"), coordinator)
    current = till(app.db, TODAY)
    close_id = close_day(
        app.db, TODAY, {current.lines[0].volunteer_key: 16_800}, coordinator,
        through_seq=current.through_seq,
    )  # fmt: skip
    window = _window(qtbot, app, coordinator)
    window.open_cash()
    dialog = window.cash_dialog
    dialog.tabs.setCurrentIndex(1)
    dialog.closes_table.selectRow(0)
    qtbot.mouseClick(dialog.deposit_button, Qt.MouseButton.LeftButton)
    deposit = dialog.deposit_dialog
    deposit.bank.setCurrentIndex(deposit.bank.findData("bni"))
    qtbot.keyClicks(deposit.reference, "BNI 0042 7781")
    record_deposit(
        app.db,
        bank="cimb_niaga",
        reference="CIMB 77",
        deposited_on=TODAY,
        amount=16_800,
        close_ids=[close_id],
        actor=coordinator,
    )  # at another window, meanwhile
    # The cash window heard of it: nothing held any more, the close shown deposited.
    assert "Rp 0" in dialog.held.text()
    assert "CIMB 77" in dialog.closes_table.item(0, 6).text()
    qtbot.mouseClick(deposit.save_button, Qt.MouseButton.LeftButton)

    (close,) = closes(app.db)
    assert deposit.isVisible() and boxes == []
    assert deposit.error.text() == UserError("close_deposited", close=close.key).message()
    assert "CIMB 77" in dialog.closes_table.item(0, 6).text()  # the first deposit, unchanged
    assert cash_position(app.db).held == 0 and close.deposit_key is not None


def test_a_void_reaches_the_list_the_view_and_the_dashboards_by_the_notices(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    who = _in_promotion(add_participant, "Siti Aminah")
    _pay(app, who, coordinator)
    window = _window(qtbot, app, coordinator)
    assert window.model.index(0, 5).data() == "28 Feb 2027"
    qtbot.keyClick(window.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dashboards = window.dashboard_window
    dashboards.tabs.setCurrentIndex(2)  # Dues
    qtbot.waitUntil(lambda: not dashboards.loading, timeout=10_000)
    assert dashboards.dues_table.item(1, 0).text() == "–"  # no void today yet
    _activate(qtbot, window)
    view = _find(qtbot, window, "RP3209A-000001")
    _activate(qtbot, view)
    view.tabs.setCurrentIndex(view.dues_tab)
    qtbot.mouseClick(view.void_button, Qt.MouseButton.LeftButton)
    dialog = view.void_dialog
    qtbot.keyClicks(dialog.reason, "Salah peserta")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert dialog.void_id is not None
    dialog.receipt_dialog.close()

    assert view.receipts.rowCount() == 2  # the payment and its void
    assert window.model.index(0, 5).data() == "31 Jan 2027"  # the list's cover, back
    qtbot.waitUntil(lambda: dashboards.dues_table.item(1, 0).text() != "–", timeout=10_000)
    assert dashboards.dues_table.item(1, 0).text() == "-Rp 16.800 (1)"


def test_a_days_close_reaches_the_dashboards_by_the_notices(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    _pay(app, _in_promotion(add_participant, "Siti Aminah"), coordinator)
    window = _window(qtbot, app, coordinator)
    qtbot.keyClick(window.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dashboards = window.dashboard_window
    dashboards.tabs.setCurrentIndex(2)  # Dues
    qtbot.waitUntil(lambda: not dashboards.loading, timeout=10_000)
    assert dashboards.held.text() == "Rp 16.800"
    _activate(qtbot, window)
    window.open_cash()
    dialog = window.cash_dialog
    (row,) = dialog.count_rows
    qtbot.keyClicks(row.counted, "16600")  # 200 short
    qtbot.keyClicks(dialog.note, "Kembalian")
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert len(closes(app.db)) == 1
    dialog.summary_dialog.close()

    qtbot.waitUntil(lambda: dashboards.held.text() == "Rp 16.600", timeout=10_000)
