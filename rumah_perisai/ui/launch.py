"""Starting the window: the only place the command line hands over to Qt.

Flow: open the data folder's database (a refusal is a dialog, not a traceback); a branch's data
folder opens the branch's window (no login: the computer's user is recorded); with no post yet,
the first-run screen sets one up, restores it from a backup (then the database is opened
afresh: the restore replaced it and its key), or switches to the demo post; ``--demo`` goes
straight to the demo post, creating it (off the GUI thread, with progress and Cancel) the first
time. Closing the main window writes a local backup (``MainWindow(backup_at_close=True)``).
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from rumah_perisai import __version__
from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder, resolve_data_folder
from rumah_perisai.errors import EXIT_OK, EXIT_REFUSED, UserError
from rumah_perisai.i18n import set_language, tr
from rumah_perisai.resources import resource_path
from rumah_perisai.services.posts import post_summary
from rumah_perisai.services.settings import IDLE_MINUTES, get_setting
from rumah_perisai.services.volunteers import Actor, has_coordinator
from rumah_perisai.ui.first_run import FirstRunChoice, FirstRunDialog, app_actor
from rumah_perisai.ui.help import install_help
from rumah_perisai.ui.login import FirstCoordinatorDialog, IdleWatch, LoginDialog
from rumah_perisai.ui.qt_texts import apply_qt_locale, install_qt_texts
from rumah_perisai.ui.refusals import install_crash_hook
from rumah_perisai.ui.tasks import run_with_progress

if TYPE_CHECKING:
    from rumah_perisai.ui.branch import BranchWindow

log = logging.getLogger(__name__)

# A demo made from the window is small enough to appear in seconds; the command line's
# `demo --participants 200000` makes the big one.
WINDOW_DEMO_PARTICIPANTS = 5_000


def _application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    qt_app = QApplication(sys.argv[:1])
    qt_app.setApplicationName("Rumah Perisai")
    qt_app.setApplicationVersion(__version__)
    # The same shield as the installer's shortcuts, on every window and the taskbar.
    qt_app.setWindowIcon(QIcon(str(resource_path("icons", "rumah-perisai.png"))))
    install_qt_texts()
    install_help()
    return qt_app


def _install_crash_hook(log_file: str, database_url: str = "") -> None:
    """A bug is logged with its traceback and shown in a dialog; the program is not left hanging.
    A refusal (a rule not met, a busy database, a full disk) however it got here is no bug: its
    one-line message. The sorting is ``errors.as_refusal``'s, the same as the command line's."""
    install_crash_hook(log_file, database_url)


def ensure_demo_post(app: App, parent: QWidget | None = None) -> bool:
    """Fill an empty demo folder with a demo post; False if cancelled or refused."""
    from rumah_perisai.demo import DemoRequest, create_demo_post

    if post_summary(app.db) is not None:
        return True
    request = DemoRequest(participants=WINDOW_DEMO_PARTICIPANTS)
    result = run_with_progress(
        parent,
        tr("Making the demo post…"),
        lambda progress: create_demo_post(app.db, app.folder, request, app_actor(), progress),
    )
    if result.error is not None:
        if isinstance(result.error, UserError):
            QMessageBox.warning(parent, tr("Cannot continue"), result.error.message())
            return False
        raise result.error
    return not result.cancelled


def _open(folder: DataFolder, database_url: str) -> App | None:
    try:
        app = open_app(folder, database_url)
    except UserError as error:
        if error.key == "db_key_missing":  # a new Windows profile, a cleared key store
            return _open(folder, database_url) if offer_restore(folder, error.message()) else None
        QMessageBox.critical(None, tr("Cannot continue"), error.message())
        return None
    set_language(app.settings.language)
    apply_qt_locale()
    return app


def offer_restore(folder: DataFolder, message: str, parent: QWidget | None = None) -> bool:
    """The post's data is locked on this computer (its key is gone): the way back is a restore
    from a backup with the recovery code, offered at once. True when the post was restored."""
    from rumah_perisai.ui.restore_dialog import RestoreDialog

    box = QMessageBox(QMessageBox.Icon.Warning, tr("The data is locked"), message, parent=parent)
    box.setObjectName("lockedBox")
    restore = box.addButton(tr("Restore from a backup…"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(tr("Quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    if box.clickedButton() is not restore:
        return False
    dialog = RestoreDialog(folder, lambda: None, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted


def branch_window(app: App) -> BranchWindow | None:
    """The branch's window when the data folder is a branch (``branch init``), else None (a
    post's folder). Nobody logs in at a branch: the computer's user is the one recorded."""
    from rumah_perisai.branch import is_branch

    if not is_branch(app.folder):
        return None
    from rumah_perisai.ui.branch import BranchWindow, branch_actor

    return BranchWindow(app, branch_actor())


def launch(folder: DataFolder, database_url: str, *, demo: bool = False) -> int:
    """Open the window on this data folder; returns the exit code when it is closed."""
    from rumah_perisai.ui.main_window import MainWindow

    qt_app = _application()
    _install_crash_hook(str(folder.log_file), database_url)
    app = _open(folder, database_url)
    if app is None:
        return EXIT_REFUSED
    try:
        branch = branch_window(app)  # before --demo: a branch never becomes a demo post
    except UserError as error:
        QMessageBox.critical(None, tr("Cannot continue"), error.message())
        app.close()
        return EXIT_REFUSED
    if branch is not None:
        branch.show()
        try:
            qt_app.exec()
        finally:
            app.close()
        return EXIT_OK
    if demo and not ensure_demo_post(app):
        app.close()
        return EXIT_REFUSED
    if post_summary(app.db) is None:
        dialog = FirstRunDialog(app)
        dialog.exec()
        if dialog.choice is FirstRunChoice.QUIT:
            app.close()
            return EXIT_OK
        if dialog.choice is FirstRunChoice.RESTORED:
            # The restore replaced the database and its key: open them afresh.
            app.close()
            app = _open(folder, database_url)
            if app is None:
                return EXIT_REFUSED
        if dialog.choice is FirstRunChoice.DEMO:
            app.close()
            demo_folder = resolve_data_folder(None, demo=True)
            app = _open(demo_folder, demo_folder.sqlite_url)
            if app is None or not ensure_demo_post(app):
                return EXIT_REFUSED
    actor = _log_in(app)
    if actor is None:
        app.close()
        return EXIT_OK
    window = MainWindow(app, actor, backup_at_close=True)
    idle = IdleWatch(int(get_setting(app.db, IDLE_MINUTES)))

    def lock() -> None:
        window.lock()
        idle.timer.start()

    idle.timer.timeout.connect(lock)
    window.idle_minutes_changed.connect(lambda minutes: idle.timer.setInterval(minutes * 60_000))
    qt_app.installEventFilter(idle)
    window.show()
    try:
        qt_app.exec()
    finally:
        qt_app.removeEventFilter(idle)
        app.close()
    return EXIT_OK


def _log_in(app: App) -> Actor | None:
    """A post with no coordinator yet makes one (that person is then working); else log in."""
    if not has_coordinator(app.db):
        first = FirstCoordinatorDialog(app.db)
        return first.actor if first.exec() else None
    login = LoginDialog(app.db, folder=app.folder)
    return login.actor if login.exec() else None
