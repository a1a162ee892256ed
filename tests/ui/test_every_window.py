"""Every window and dialog of the program, opened as a volunteer or coordinator opens it, on a
demo post; each must have no shared Alt+letter, no field without a label, no English and no text
cut off on a 1366×768 laptop at 125 % (``window_audit``).

Set ``RP_AUDIT_SHOTS=DIR`` to keep a picture of each window as audited.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from rumah_perisai.app import App, open_app
from rumah_perisai.branch import init_branch
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Receipt
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.services.acks import RefundDue
from rumah_perisai.services.recovery import RecoverySheet
from rumah_perisai.services.volunteers import Actor, log_in
from rumah_perisai.ui.accounts_dialog import NewAccountDialog
from rumah_perisai.ui.batch_ack import RefundsDialog
from rumah_perisai.ui.branch import BranchWindow, ConflictsDialog, branch_actor
from rumah_perisai.ui.dashboard_window import DashboardWindow
from rumah_perisai.ui.first_run import FirstRunDialog
from rumah_perisai.ui.help import open_help
from rumah_perisai.ui.login import LoginDialog
from rumah_perisai.ui.main_window import MainWindow
from rumah_perisai.ui.participant_dialog import ParticipantDialog
from rumah_perisai.ui.recovery_dialog import RecoveryCodeDialog
from rumah_perisai.ui.restore_dialog import RestoreDialog
from tests.ui.window_audit import audit, tab_states

COORDINATOR = ("Euis Komalasari", "1357")
VOLUNTEER = ("Asep Saepudin", "2468")


@pytest.fixture(autouse=True)
def _windows_closed_before_the_database() -> Iterator[None]:
    """In place of the UI tests' own, which would open a database per backend for nothing."""
    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()
    QApplication.processEvents()


@pytest.fixture(scope="module")
def demo_post() -> Iterator[App]:
    """One demo post for every window here (made once: about a second)."""
    root = Path(tempfile.mkdtemp(prefix="rp-audit-"))
    folder = DataFolder(root / "post")
    app = open_app(folder, folder.sqlite_url)
    create_demo_post(app.db, folder, DemoRequest(participants=300), "cli:test")
    yield app
    app.close()


def _top_levels() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def _report(name: str, window: QWidget) -> list[str]:
    problems = audit(window)
    shots = os.environ.get("RP_AUDIT_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        for state in tab_states(window):
            suffix = f"-{state}" if state else ""
            window.grab().save(str(Path(shots) / f"{name}{suffix}.png"))
    return problems


def audit_opened(qtbot: QtBot, name: str, open_it: Callable[[], object]) -> list[str]:
    """Open a window with ``open_it`` and audit what appears: a modal dialog while it waits for
    an answer (then closed), or the newest window it left open."""
    found: list[list[str]] = []
    watching = [True]  # the watcher stops with this call, whatever happened
    before = _top_levels()  # the widgets themselves: ids of wrappers are reused

    def check_modal() -> None:
        if not watching[0]:
            return
        modal = QApplication.activeModalWidget()
        if modal is None or modal in before:
            if not found and QApplication.instance() is not None:
                QTimer.singleShot(100, check_modal)
            return
        QApplication.processEvents()
        try:
            found.append(_report(name, modal))
        except Exception as error:  # said as a problem: the dialog must close
            found.append([f"the audit failed: {error!r}"])
        finally:
            if isinstance(modal, QDialog):
                modal.reject()
            else:
                modal.close()

    QTimer.singleShot(200, check_modal)
    try:
        open_it()
        qtbot.wait(300)
    finally:
        watching[0] = False
    if found:
        return found[0]
    opened = [w for w in _top_levels() if w not in before]
    assert opened, f"{name}: nothing opened"
    window = opened[-1]
    problems = _report(name, window)
    window.close()
    return problems


@pytest.fixture
def coordinator_window(qtbot: QtBot, demo_post: App) -> Iterator[MainWindow]:
    yield from _window(qtbot, demo_post, log_in(demo_post.db, *COORDINATOR))


def _window(qtbot: QtBot, app: App, actor: Actor) -> Iterator[MainWindow]:
    window = MainWindow(app, actor)
    qtbot.addWidget(window)
    window.resize(1093, 592)
    window.show()
    qtbot.wait(50)
    yield window
    for widget in QApplication.topLevelWidgets():
        widget.close()


def _paid_participant(app: App) -> int:
    with app.db.reading() as session:
        found = session.scalars(select(Receipt.participant_id).limit(1)).first()
    assert found is not None
    return found


def _dashboards(window: MainWindow, qtbot: QtBot) -> DashboardWindow:
    window.open_dashboards()
    dashboards = window.dashboard_window
    qtbot.waitUntil(lambda: not dashboards.loading, timeout=10_000)
    return dashboards


def _drill_down(window: MainWindow, qtbot: QtBot) -> None:
    dashboards = _dashboards(window, qtbot)
    dashboards.show_members(next(iter(dashboards.tiles)))
    qtbot.waitUntil(lambda: not dashboards.loading, timeout=10_000)


def _call_outcome(window: MainWindow, qtbot: QtBot) -> None:
    dashboards = _dashboards(window, qtbot)
    dashboards.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: not dashboards.loading, timeout=10_000)
    dashboards.call_table.selectRow(0)
    dashboards.ask_outcome()


def _participant(window: MainWindow, app: App) -> ParticipantDialog:
    window.open_participant(_paid_participant(app))
    return window.participant_dialog


def _receipt_chosen(window: MainWindow, app: App) -> ParticipantDialog:
    view = _participant(window, app)
    view.tabs.setCurrentWidget(view.receipts.parentWidget())
    view.receipts.selectRow(0)
    return view


def _daily_summary(window: MainWindow) -> None:
    window.open_cash()
    window.cash_dialog.show_summary(window.cash_dialog.close_rows[0].id)


def _refunds(window: MainWindow) -> None:
    """The list of dues to pay back after the branch rejected registrations."""
    due = RefundDue(
        receipt="DEMO3209-2026-000101",
        registration_no="DEMO3209-000002",
        name="Muhammad Gunawan Saputra",
        issued_on=date(2026, 11, 12),
        total=50_400,
        reason="NIK sudah terdaftar di pos RP3209B sejak 3 Nov 2026",
    )
    RefundsDialog([due], window).show()


def _deposit(window: MainWindow) -> None:
    window.open_cash()
    cash = window.cash_dialog
    cash.tabs.setCurrentIndex(1)
    cash.select_closes([cash.close_rows[0].id])
    cash.ask_deposit()


POST_WINDOWS: dict[str, Callable[[MainWindow, App, QtBot], object]] = {
    "registration": lambda w, _a, _q: w.register_walk_in(),
    "participant": lambda w, a, _q: w.open_participant(_paid_participant(a)),
    "cash": lambda w, _a, _q: w.open_cash(),
    "dashboards": lambda w, _a, q: _dashboards(w, q),
    "batches": lambda w, _a, _q: w.open_batches(),
    "branch-key": lambda w, _a, _q: w.open_batches(keys=True),
    "accounts": lambda w, _a, _q: w.manage_accounts(),
    "backup": lambda w, _a, _q: w.open_backups(),
    "about": lambda w, _a, _q: w.show_about(),
    "payment": lambda w, a, _q: _participant(w, a).pay(),
    "receipt": lambda w, a, _q: _receipt_chosen(w, a).reprint(),
    "void": lambda w, a, _q: _receipt_chosen(w, a).ask_void(),
    "card": lambda w, a, _q: w.print_card(_paid_participant(a)),
    "deposit": lambda w, _a, _q: _deposit(w),
    "members": lambda w, _a, q: _drill_down(w, q),
    "call-outcome": lambda w, _a, q: _call_outcome(w, q),
    "paper-receipts": lambda w, _a, _q: w.open_paper_receipts(),
    "daily-summary": lambda w, _a, _q: _daily_summary(w),
    "refunds": lambda w, _a, _q: _refunds(w),
    "help": lambda w, _a, _q: open_help("main", w),
    "new-account": lambda w, _a, _q: NewAccountDialog(w._app.db, w.actor, w).exec(),
    "idle-minutes": lambda w, _a, _q: w.ask_idle_minutes(),
    "card-offset": lambda w, _a, _q: w.ask_card_offset(),
    "receipt-layout": lambda w, _a, _q: w.ask_receipt_layout(),
    "data-request": lambda w, a, _q: _participant(w, a).open_data_request(),
}


def test_the_main_window_as_a_coordinator(qtbot: QtBot, coordinator_window: MainWindow) -> None:
    problems = _report("main-coordinator", coordinator_window)
    assert not problems, "\n".join(problems)


def test_the_main_window_as_a_volunteer(qtbot: QtBot, demo_post: App) -> None:
    for window in _window(qtbot, demo_post, log_in(demo_post.db, *VOLUNTEER)):
        problems = _report("main-volunteer", window)
        assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(POST_WINDOWS))
def test_a_post_window(
    qtbot: QtBot, demo_post: App, coordinator_window: MainWindow, name: str
) -> None:
    problems = audit_opened(
        qtbot, name, lambda: POST_WINDOWS[name](coordinator_window, demo_post, qtbot)
    )
    assert not problems, "\n".join(problems)


def _shown_alone(qtbot: QtBot, name: str, window: QWidget) -> list[str]:
    qtbot.addWidget(window)
    window.show()
    qtbot.wait(50)
    return _report(name, window)


def test_the_login_window_and_its_pages(qtbot: QtBot, demo_post: App) -> None:
    dialog = LoginDialog(demo_post.db, folder=demo_post.folder)
    problems = _shown_alone(qtbot, "login", dialog)
    for page in range(1, dialog.pages.count()):  # a new PIN, a forgotten PIN
        dialog.pages.setCurrentIndex(page)
        qtbot.wait(20)
        problems += [f"page {page}: {p}" for p in _report(f"login-{page}", dialog)]
    assert not problems, "\n".join(problems)


def test_the_first_run_window(qtbot: QtBot, tmp_path: Path) -> None:
    folder = DataFolder(tmp_path / "new-post")
    app = open_app(folder, folder.sqlite_url)
    try:
        problems = _shown_alone(qtbot, "first-run", FirstRunDialog(app))
    finally:
        for widget in QApplication.topLevelWidgets():
            widget.close()
        app.close()
    assert not problems, "\n".join(problems)


def test_the_restore_window(qtbot: QtBot, tmp_path: Path) -> None:
    problems = _shown_alone(qtbot, "restore", RestoreDialog(DataFolder(tmp_path / "new")))
    assert not problems, "\n".join(problems)


def test_the_recovery_code_window(qtbot: QtBot) -> None:
    sheet = RecoverySheet(
        post_code="RP3209A",
        post_name="Rumah Perisai Suranenggala",
        code="7KQ2M-9XD4H-JBZW8-C1PQR-T6YVK",
        issued_at=datetime(2026, 12, 5, 9, 2, tzinfo=UTC),
        timezone="WIB",
    )
    problems = _shown_alone(qtbot, "recovery-code", RecoveryCodeDialog(sheet, "Pos siap."))
    assert not problems, "\n".join(problems)


def test_the_branch_window_and_its_conflicts(qtbot: QtBot, tmp_path: Path) -> None:
    folder = DataFolder(tmp_path / "branch")
    app = open_app(folder, folder.sqlite_url)
    init_branch(app.db, folder, "KC-CRB", "BPJS Ketenagakerjaan Cirebon", demo=False)
    try:
        window = BranchWindow(app, branch_actor())
        problems = _shown_alone(qtbot, "branch", window)
        problems += audit_opened(
            qtbot, "branch-conflicts", lambda: ConflictsDialog(app, window.actor, window).exec()
        )
    finally:
        for widget in QApplication.topLevelWidgets():
            widget.close()
        app.close()
    assert not problems, "\n".join(problems)
