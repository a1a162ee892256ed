"""A busy database in the window (issue 14, item 6): another program holds the write lock while a
volunteer saves a payment. The window says so and offers "Coba lagi"; it is never the program
error dialog, and trying again once the other program is done saves the payment."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from rumah_perisai.app import App
from rumah_perisai.db.models import Receipt
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.errors import UserError
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui import launch
from rumah_perisai.ui.payment_dialog import PaymentDialog
from tests.services.load_world import hold_write_lock, shorten_waits


@pytest.fixture
def short_waits(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    undo = shorten_waits(app, monkeypatch)
    yield
    undo()


def _receipts(app: App) -> list[Receipt]:
    with app.db.reading() as session:
        return list(session.scalars(select(Receipt)))


def test_a_busy_database_while_paying_offers_to_try_again_and_is_no_program_error(
    qtbot: QtBot, app: App, volunteer: Actor, add_participant: Callable[..., int],
    short_waits: None,
) -> None:  # fmt: skip
    start = date(2026, 6, 10)
    who = add_participant(
        registered_on=start,
        history=CoverHistory(Standing.MEMBER, start, date(2026, 9, 30), frozenset()),
    )
    pay = PaymentDialog(app.db, app.folder, volunteer, who)
    qtbot.addWidget(pay)
    pay.show()
    qtbot.keyClicks(pay.cash, "50000")
    release = hold_write_lock(app)
    try:
        qtbot.mouseClick(pay.save_button, Qt.MouseButton.LeftButton)
    finally:
        release()

    box = pay.message_box
    assert box is not None and box.isVisible()
    assert box.icon() is QMessageBox.Icon.Warning  # not the program error's critical box
    assert box.text() == UserError("db_busy").message()
    assert "Coba lagi" in [button.text() for button in box.buttons()]
    assert _receipts(app) == []

    again = next(b for b in box.buttons() if b.text() == "Coba lagi")
    qtbot.mouseClick(again, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pay.saved_receipt_id is not None, timeout=5000)
    assert [r.id for r in _receipts(app)] == [pay.saved_receipt_id]


def test_a_busy_database_that_reaches_the_error_hook_is_a_message_not_a_program_error(
    qtbot: QtBot, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wherever a driver's busy error escapes to (a slot with no handling of its own), the last
    resort says the database is busy, and logs no traceback as a bug."""
    shown: list[tuple[str, str]] = []

    def warning(_parent: Any, title: str, text: str) -> None:
        shown.append(("warning", text))

    def critical(_parent: Any, title: str, text: str) -> None:
        shown.append(("critical", text))

    monkeypatch.setattr(QMessageBox, "warning", warning)
    monkeypatch.setattr(QMessageBox, "critical", critical)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    launch._install_crash_hook(str(app.folder.log_file), app.folder.sqlite_url)
    import sqlite3

    busy = OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
    sys.excepthook(OperationalError, busy, None)
    assert shown == [("warning", UserError("db_busy").message())]
