"""One error path (issue 18, item 2): the window sorts what escapes a slot as the command line
does. A domain rule not met is the user's: its one line in a warning, nothing logged as a bug; a
bug while a dashboard loads reaches the crash dialog, its traceback in the log."""

from __future__ import annotations

import logging
import sys
from datetime import date
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing, next_payable_months
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.messages import MESSAGES
from rumah_perisai.services.volunteers import Actor, accounts
from rumah_perisai.ui import dashboard_dues, launch
from rumah_perisai.ui.accounts_dialog import AccountsDialog
from rumah_perisai.ui.main_window import MainWindow
from rumah_perisai.ui.refusals import refusing

Shown = list[tuple[str, str, str]]


@pytest.fixture
def shown(app: App, monkeypatch: pytest.MonkeyPatch) -> Shown:
    """The window's crash hook installed, its message boxes recorded instead of shown."""
    boxes: Shown = []

    def warning(_parent: Any, title: str, text: str) -> None:
        boxes.append(("warning", title, text))

    def critical(_parent: Any, title: str, text: str) -> None:
        boxes.append(("critical", title, text))

    monkeypatch.setattr(QMessageBox, "warning", warning)
    monkeypatch.setattr(QMessageBox, "critical", critical)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    launch._install_crash_hook(str(app.folder.log_file), app.folder.sqlite_url)
    return boxes


def _pay_five_months() -> None:
    """A slot that breaks a rule of the domain: dues are paid for 1, 3, 6 or 12 months."""
    history = CoverHistory(Standing.MEMBER, date(2026, 1, 5), None, frozenset())
    next_payable_months(history, date(2026, 11, 27), 5)


def test_a_rule_error_escaping_a_slot_is_its_one_line_not_a_program_error(
    qtbot: QtBot, shown: Shown, caplog: pytest.LogCaptureFixture
) -> None:
    button = QPushButton("Bayar")
    qtbot.addWidget(button)
    button.clicked.connect(_pay_five_months)
    with caplog.at_level(logging.INFO):
        button.click()
    assert shown == [
        ("warning", tr("Cannot continue"), tr("Dues are paid for 1, 3, 6 or 12 months."))
    ]
    assert "internal error" not in caplog.text
    assert "refused: bad_month_count" in caplog.text


def test_refusing_shows_a_rule_error_and_lets_a_bug_through(qtbot: QtBot, shown: Shown) -> None:
    parent = QPushButton()
    qtbot.addWidget(parent)
    with refusing(parent) as refused:
        _pay_five_months()
    assert refused and refused.error is not None and refused.error.key == "bad_month_count"
    with refusing(parent, tr("Not saved")) as refused_too:
        raise UserError("no_post")
    assert refused_too
    with refusing(parent) as fine:
        pass
    assert not fine
    with pytest.raises(ZeroDivisionError), refusing(parent):
        _ = 1 / 0
    with refusing(parent, wait=False) as not_waited:  # a window-modal box, opened, not blocking
        raise UserError("no_post")
    assert not_waited.box is not None
    assert not_waited.box.text() == UserError("no_post").message()
    not_waited.box.close()
    assert shown == [
        ("warning", tr("Cannot continue"), tr("Dues are paid for 1, 3, 6 or 12 months.")),
        ("warning", tr("Not saved"), UserError("no_post").message()),
    ]


def test_a_bug_while_a_dashboard_loads_reaches_the_crash_dialog_and_the_log(
    qtbot: QtBot,
    app: App,
    coordinator: Actor,
    shown: Shown,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    main = MainWindow(app, coordinator)
    qtbot.addWidget(main)
    main.open_dashboards()
    window = main.dashboard_window
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    assert shown == []

    def broken(*_args: Any) -> None:
        raise RuntimeError("a bug in the dues figures")

    monkeypatch.setattr(dashboard_dues, "dues_figures", broken)
    with caplog.at_level(logging.INFO):
        window.refresh_dues()
        qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    log_file = str(app.folder.log_file)
    assert shown == [
        ("critical", tr("Program error"), tr(MESSAGES["internal_error"], log=log_file))
    ]
    bug = [r for r in caplog.records if r.getMessage() == "internal error"]
    assert len(bug) == 1 and bug[0].exc_info is not None
    assert "a bug in the dues figures" in caplog.text
    assert "Traceback" in caplog.text and "broken" in caplog.text
    assert "a bug in the dues figures" in window.status.text()  # and said where it happened


def test_a_converted_slot_refuses_in_the_same_box_and_changes_nothing(
    qtbot: QtBot, app: App, coordinator: Actor, shown: Shown, caplog: pytest.LogCaptureFixture
) -> None:
    """Deactivating one's own account is refused: "Cannot continue", the service's line."""
    dialog = AccountsDialog(app.db, coordinator)
    qtbot.addWidget(dialog)
    own = [a.name for a in accounts(app.db)].index(coordinator.name)
    dialog.table.setCurrentCell(own, 0)
    with caplog.at_level(logging.INFO):
        dialog.toggle()
    assert shown == [
        ("warning", tr("Cannot continue"), UserError("cannot_deactivate_self").message())
    ]
    assert all(a.active for a in accounts(app.db) if a.name == coordinator.name)
    assert "refused: cannot_deactivate_self" in caplog.text
