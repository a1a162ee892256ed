"""Operations and the change-notice bridge (issue 18, item 1).

The bridge brings the core's announcements to the GUI thread, whichever thread committed; an
operation reports success or a refusal in one place; a view listening to a topic refreshes when
shown, a hidden one when it is next shown.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from rumah_perisai import changes
from rumah_perisai.app import App
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.settings import RECEIPT_LAYOUT, get_setting, set_setting
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import Progress
from rumah_perisai.ui.changes import listen, notices
from rumah_perisai.ui.operations import Outcome, run_op, run_op_in_background
from tests.services.load_world import hold_write_lock, shorten_waits

Boxes = list[tuple[str, str]]


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> Boxes:
    shown: Boxes = []

    def warning(_parent: Any, title: str, text: str) -> None:
        shown.append((title, text))

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


def test_an_announcement_from_a_worker_thread_arrives_on_the_gui_thread(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor
) -> None:
    arrived: list[tuple[frozenset[str], bool]] = []

    def heard(topics: frozenset[str]) -> None:
        arrived.append((topics, QThread.currentThread() == notices().thread()))

    notices().changed.connect(heard)
    try:
        worker = threading.Thread(
            target=lambda: set_setting(app.db, RECEIPT_LAYOUT, "thermal58", coordinator)
        )
        worker.start()
        worker.join()
        assert arrived == []  # queued: nothing runs on the worker thread
        qtbot.waitUntil(lambda: bool(arrived))
    finally:
        notices().changed.disconnect(heard)
    assert arrived == [(frozenset({changes.SETTINGS}), True)]


def test_a_burst_from_a_worker_thread_arrives_as_one_notice(qtbot: QtBot) -> None:
    arrived: list[frozenset[str]] = []
    notices().changed.connect(arrived.append)
    try:

        def burst() -> None:
            changes.announce(changes.CASH)
            changes.announce(changes.BATCHES)

        worker = threading.Thread(target=burst)
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: bool(arrived))
        qtbot.wait(20)
    finally:
        notices().changed.disconnect(arrived.append)
    assert arrived == [frozenset({changes.CASH, changes.BATCHES})]


def test_a_hidden_view_refreshes_when_shown_again(qtbot: QtBot) -> None:
    view = QLabel("0")
    qtbot.addWidget(view)
    refreshed: list[str] = []
    listen(view, [changes.RECEIPTS], lambda: refreshed.append("now"))
    view.show()
    changes.announce(changes.RECEIPTS)
    changes.announce(changes.CALLS)  # not its topic
    assert refreshed == ["now"]  # on the GUI thread: at once
    view.hide()
    changes.announce(changes.RECEIPTS)
    changes.announce(changes.RECEIPTS)
    assert refreshed == ["now"]
    view.show()
    assert refreshed == ["now", "now"]  # once, however many notices it missed


def test_an_operation_reports_success_and_its_change_is_heard(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor, boxes: Boxes
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    heard: list[frozenset[str]] = []
    notices().changed.connect(heard.append)
    done: list[object] = []
    try:
        outcome = run_op(
            parent,
            lambda: set_setting(app.db, RECEIPT_LAYOUT, "thermal58", coordinator),
            success=done.append,
        )
    finally:
        notices().changed.disconnect(heard.append)
    assert outcome and done == [None] and boxes == []
    assert heard == [frozenset({changes.SETTINGS})]


def test_a_refusal_through_an_operation_shows_its_one_line_and_changes_nothing(
    qtbot: QtBot, app: App, post: PostSummary, volunteer: Actor, boxes: Boxes
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    before = get_setting(app.db, RECEIPT_LAYOUT)
    heard: list[frozenset[str]] = []
    failed: list[UserError] = []
    notices().changed.connect(heard.append)
    try:
        outcome = run_op(
            parent,
            lambda: set_setting(app.db, RECEIPT_LAYOUT, "thermal58", volunteer),
            success=lambda _v: pytest.fail("refused work has no success"),
            failure=failed.append,
        )
    finally:
        notices().changed.disconnect(heard.append)
    assert not outcome and outcome.refusal is not None
    assert boxes == [(tr("Cannot continue"), outcome.refusal.message())]
    assert "\n" not in outcome.refusal.message()
    assert failed == [outcome.refusal]
    assert get_setting(app.db, RECEIPT_LAYOUT) == before and heard == []


def test_a_background_operation_reports_on_the_gui_thread(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor, boxes: Boxes
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    where: list[bool] = []

    def work(progress: Progress) -> str:
        progress.step(1, 1)
        set_setting(app.db, RECEIPT_LAYOUT, "thermal58", coordinator)
        return "written"

    outcome = run_op_in_background(
        parent,
        "Writing…",
        work,
        success=lambda _v: where.append(QThread.currentThread() == parent.thread()),
    )
    assert outcome.value == "written" and where == [True] and boxes == []

    def refused(_progress: Progress) -> None:
        raise UserError("cannot_deactivate_self")

    assert not run_op_in_background(parent, "Writing…", refused)
    assert boxes == [(tr("Cannot continue"), UserError("cannot_deactivate_self").message())]


def test_a_busy_database_through_an_operation_offers_try_again_which_saves_once(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor, boxes: Boxes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """``retry=``: another program holds the write lock; the box (never the program error) offers
    "Try again", nothing was changed, and trying again once the lock is gone saves once."""
    undo = shorten_waits(app, monkeypatch)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    saved: list[object] = []

    def save() -> Outcome[None]:
        return run_op(
            parent,
            lambda: set_setting(app.db, RECEIPT_LAYOUT, "thermal58", coordinator),
            success=saved.append,
            retry=save,
        )

    release = hold_write_lock(app)
    try:
        outcome = save()
    finally:
        release()
        undo()
    assert not outcome and outcome.refusal is not None and outcome.refusal.key == "db_busy"
    box = outcome.box
    assert box is not None and box.isVisible() and boxes == []  # its own box, not blocking
    assert box.icon() is QMessageBox.Icon.Warning and box.text() == outcome.refusal.message()
    assert get_setting(app.db, RECEIPT_LAYOUT) != "thermal58" and saved == []
    again = next(b for b in box.buttons() if b.text() == tr("Try again"))
    qtbot.mouseClick(again, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: saved == [None], timeout=5000)
    assert get_setting(app.db, RECEIPT_LAYOUT) == "thermal58"


def test_a_refusal_said_in_place_shows_no_box(
    qtbot: QtBot, app: App, post: PostSummary, volunteer: Actor, boxes: Boxes
) -> None:
    """``boxed=False``: the form says the refusal under its field itself (``failure``)."""
    parent = QWidget()
    qtbot.addWidget(parent)
    line = QLabel(parent)
    outcome = run_op(
        parent,
        lambda: set_setting(app.db, RECEIPT_LAYOUT, "thermal58", volunteer),
        failure=lambda error: line.setText(error.message()),
        boxed=False,
    )
    assert not outcome and outcome.refusal is not None and outcome.box is None
    assert boxes == [] and line.text() == outcome.refusal.message()
