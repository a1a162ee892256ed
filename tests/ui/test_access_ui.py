"""Who looked, in the window (issue 19, item 2): a volunteer who opens a participant, reprints a
receipt or exports the call list leaves a record; a coordinator sees them in the participant's
"Riwayat akses" tab (a volunteer has no such tab) and per account from the accounts window.
The fake clock starts at 27 Nov 2026 09:30 WIB."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QTableWidget
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.services.access import accesses_of
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.accounts_dialog import AccountsDialog
from rumah_perisai.ui.dashboard_window import DashboardWindow
from rumah_perisai.ui.main_window import MainWindow
from rumah_perisai.ui.participant_dialog import ParticipantDialog

# Pictures only when asked for (RP_SHOTS=folder): a test never writes outside its own folder.
SHOTS = os.environ.get("RP_SHOTS")
NAME, NIK, PHONE = "Zulaikha Kembangsari", "3209144509870077", "081299887766"


def _window(qtbot: QtBot, app: App, actor: Actor) -> MainWindow:
    window = MainWindow(app, actor)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _open_by_search(qtbot: QtBot, window: MainWindow, number: str) -> ParticipantDialog:
    """As a volunteer does: the number typed in the search box, then Enter."""
    window.activateWindow()
    qtbot.keyClicks(window.search_box, number)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(window, "participant_dialog", None) is not None, timeout=5000)
    return window.participant_dialog


def _texts(table: QTableWidget) -> list[list[str]]:
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]
        for r in range(table.rowCount())
    ]


def _shot(widget: object, name: str) -> None:
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / name))  # type: ignore[attr-defined]


def _zulaikha(add_participant: Callable[..., int]) -> int:
    start = date(2026, 10, 1)
    return add_participant(
        name=NAME,
        nik=NIK,
        phone=PHONE,
        registered_on=start,
        history=CoverHistory(Standing.MEMBER, start, date(2027, 1, 31), frozenset()),
    )


def test_a_volunteers_look_is_recorded_and_only_a_coordinator_sees_the_tab(
    qtbot: QtBot,
    app: App,
    volunteer: Actor,
    coordinator: Actor,
    add_participant: Callable[..., int],
    tmp_path: Path,
) -> None:
    zulaikha = _zulaikha(add_participant)
    total = payment_options(app.db, zulaikha).plan(1).total
    take_payment(app.db, zulaikha, 1, total, volunteer)
    ujang = _window(qtbot, app, volunteer)
    view = _open_by_search(qtbot, ujang, "RP3209A-000001")
    assert view.windowTitle() == "RP3209A-000001"
    tabs = [view.tabs.tabText(i) for i in range(view.tabs.count())]
    assert view.looks is None and not any("akses" in t.lower() for t in tabs)
    view.reload()  # shown again after a change notice: not a second look
    # A reprint saved as PDF is a look too
    view.tabs.setCurrentIndex(view.dues_tab)
    view.receipts.selectRow(0)
    view.reprint()
    assert view.receipt_dialog.save_to(tmp_path / "kuitansi.pdf")
    assert [(r.action, r.volunteer) for r in accesses_of(app.db, zulaikha)] == [
        ("receipt", "Ujang Hidayat"),
        ("view", "Ujang Hidayat"),
    ]
    view.receipt_dialog.close()
    view.close()
    ujang.close()

    dewi = _window(qtbot, app, coordinator)
    view = _open_by_search(qtbot, dewi, "RP3209A-000001")
    assert view.looks is not None
    view.tabs.setCurrentIndex(view.looks_tab)  # read when shown
    rows = _texts(view.looks)
    assert [row[1] for row in rows] == ["Dewi Lestari", "Ujang Hidayat", "Ujang Hidayat"]
    assert rows[-1][0] == "27 Nov 2026 09.30 WIB"
    assert all(row[3] == "RP3209A-000001" for row in rows)
    assert "membuka" in rows[-1][2].lower()
    _shot(view, "participant-access-tab.png")
    shown = repr(rows)
    assert NAME not in shown and NIK not in shown and PHONE not in shown
    view.close()
    dewi.close()


def test_the_accounts_window_shows_what_one_account_looked_at(
    qtbot: QtBot,
    app: App,
    volunteer: Actor,
    coordinator: Actor,
    add_participant: Callable[..., int],
    tmp_path: Path,
) -> None:
    _zulaikha(add_participant)
    june = date(2026, 6, 10)
    add_participant(
        registered_on=june,
        history=CoverHistory(Standing.MEMBER, june, date(2026, 9, 30), frozenset()),
    )
    # The call list exported from the dashboard: one record for everyone on it
    dashboard = DashboardWindow(app, volunteer)
    qtbot.addWidget(dashboard)
    qtbot.waitUntil(lambda: not dashboard.loading, timeout=10_000)
    assert dashboard.export_to(tmp_path / "telepon.xlsx")
    dashboard.close()

    listing = AccountsDialog(app.db, coordinator)
    qtbot.addWidget(listing)
    listing.show()
    names = [row[0] for row in _texts(listing.table)]
    row = names.index("Ujang Hidayat")
    listing.table.selectRow(row)
    button = listing.findChild(QPushButton, "accessHistory")
    assert button is not None and button.isVisible()
    _shot(listing, "accounts-window.png")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    looks = listing.access_dialog
    qtbot.waitExposed(looks)
    rows = _texts(looks.table)
    assert len(rows) == 1 and rows[0][1] == "Ujang Hidayat"
    assert "RP3209A-000002" in rows[0][3]
    assert "Ujang" not in looks.windowTitle() and "RP3209A-V" in looks.windowTitle()
    _shot(looks, "volunteer-access.png")
    looks.close()
    listing.close()
