"""Views listen; no window refreshes another by hand (issue 18, item 1), driven as a volunteer
does it: type, Enter, click. The fake clock stands at 27 Nov 2026 09:30 WIB."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import Participant, Receipt
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.main_window import MainWindow
from rumah_perisai.ui.participant_dialog import ParticipantDialog


def _in_promotion(add_participant: Callable[..., int], **fields: object) -> int:
    """Registered 1 Oct 2026: free cover to 31 Jan 2027; the first dues month is Feb 2027."""
    start = date(2026, 10, 1)
    history = CoverHistory(Standing.MEMBER, start, date(2027, 1, 31), frozenset())
    return add_participant(registered_on=start, history=history, **fields)


def _window(qtbot: QtBot, app: App, actor: Actor) -> MainWindow:
    window = MainWindow(app, actor)
    qtbot.addWidget(window)
    window.show()
    _activate(qtbot, window)
    return window


def _activate(qtbot: QtBot, widget: QWidget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=2000)


def _receipts(app: App) -> list[Receipt]:
    with app.db.reading() as session:
        return list(session.scalars(select(Receipt)))


def _find(qtbot: QtBot, window: MainWindow, text: str) -> ParticipantDialog:
    """Type a registration number in the search box and press Enter: its view opens."""
    qtbot.keyClicks(window.search_box, text)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    return window.participant_dialog


def test_a_payment_in_the_participant_view_reaches_the_list_and_the_view(
    qtbot: QtBot, app: App, volunteer: Actor, add_participant: Callable[..., int]
) -> None:
    _in_promotion(add_participant, name="Siti Aminah")
    window = _window(qtbot, app, volunteer)
    assert window.model.index(0, 5).data() == "31 Jan 2027"
    view = _find(qtbot, window, "RP3209A-000001")
    _activate(qtbot, view)
    qtbot.keyClick(view, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    pay = view.payment_dialog
    qtbot.keyClicks(pay.cash, "20000")
    qtbot.keyClick(pay.cash, Qt.Key.Key_Return)
    (receipt,) = _receipts(app)
    # Neither window was told by the other: the payment's unit of work announced "receipts".
    assert view.receipts.rowCount() == 1 and view.receipts.item(0, 0).text() == receipt.number
    assert "28 Feb 2027" in view.status.text()
    assert window.model.index(0, 5).data() == "28 Feb 2027"


def test_the_dashboards_show_a_payment_taken_in_the_main_window(
    qtbot: QtBot, app: App, volunteer: Actor, add_participant: Callable[..., int]
) -> None:
    """Before the notices, the dues tab kept its old figures until F5 or a tab change."""
    _in_promotion(add_participant, name="Siti Aminah")
    window = _window(qtbot, app, volunteer)
    qtbot.keyClick(window.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dashboards = window.dashboard_window
    dashboards.tabs.setCurrentIndex(2)  # Dues
    qtbot.waitUntil(lambda: not dashboards.loading, timeout=10_000)
    assert dashboards.dues_table.item(0, 0).text() == "–"  # no payment today yet

    _activate(qtbot, window)
    window.table.selectRow(0)
    qtbot.keyClick(window.table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    pay = window.payment_dialog
    qtbot.keyClicks(pay.cash, "16800")
    qtbot.keyClick(pay.cash, Qt.Key.Key_Return)
    assert len(_receipts(app)) == 1
    qtbot.waitUntil(lambda: "16.800" in dashboards.dues_table.item(0, 0).text(), timeout=10_000)
    assert dashboards.dues_table.item(0, 0).text() == "Rp 16.800 (1)"


def test_a_closed_view_is_not_read_again_until_it_is_shown(
    qtbot: QtBot, app: App, volunteer: Actor, add_participant: Callable[..., int]
) -> None:
    """A big post's hidden windows cost nothing per change; shown again, they are current."""
    _in_promotion(add_participant, name="Siti Aminah")
    window = _window(qtbot, app, volunteer)
    view = _find(qtbot, window, "RP3209A-000001")
    view.close()
    read: list[int] = []
    original = ParticipantDialog.show_detail

    def counting(self: ParticipantDialog) -> None:
        read.append(1)
        original(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ParticipantDialog, "show_detail", counting)
        _activate(qtbot, window)
        window.table.selectRow(0)
        qtbot.keyClick(window.table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(window.payment_dialog.cash, "16800")
        qtbot.keyClick(window.payment_dialog.cash, Qt.Key.Key_Return)
        assert len(_receipts(app)) == 1 and read == []
        view.show()
        assert read == [1] and view.receipts.rowCount() == 1


def test_a_refusal_through_an_operation_says_its_line_and_changes_nothing(
    qtbot: QtBot,
    app: App,
    volunteer: Actor,
    add_participant: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[tuple[str, str]] = []

    def warning(_parent: Any, title: str, text: str) -> None:
        shown.append((title, text))

    monkeypatch.setattr(QMessageBox, "warning", warning)
    who = _in_promotion(add_participant, name="Siti Aminah")
    window = _window(qtbot, app, volunteer)
    view = _find(qtbot, window, "RP3209A-000001")
    before = view.status.text()
    view.withdraw_with("Moved away")  # a volunteer may not withdraw a registration
    assert shown == [(tr("Cannot continue"), UserError("coordinator_only").message())]
    assert "\n" not in shown[0][1]
    with app.db.reading() as session:
        stored = session.get(Participant, who)
        assert stored is not None and stored.standing == "member"
    assert view.status.text() == before
