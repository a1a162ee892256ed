"""Starting the window: the only place the command line hands over to Qt."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from rumah_perisai import __version__
from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.errors import EXIT_OK, EXIT_REFUSED, UserError
from rumah_perisai.i18n import tr

log = logging.getLogger(__name__)


def _application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    qt_app = QApplication(sys.argv[:1])
    qt_app.setApplicationName("Rumah Perisai")
    qt_app.setApplicationVersion(__version__)
    return qt_app


def _install_crash_hook() -> None:
    """A bug is logged with its traceback and shown in a dialog; the program is not left hanging."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("internal error\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if isinstance(value, UserError):
            QMessageBox.warning(None, tr("Cannot continue"), value.message())
            return
        QMessageBox.critical(
            None,
            tr("Program error"),
            tr(
                "The program hit an internal error. Details were logged to {log}.",
                log="rumah-perisai.log",
            ),
        )

    sys.excepthook = hook


def launch(folder: DataFolder, database_url: str, *, demo: bool = False) -> int:
    """Open the window on this data folder; returns the exit code when it is closed."""
    from rumah_perisai.ui.main_window import MainWindow

    qt_app = _application()
    try:
        app = open_app(folder, database_url)
    except UserError as error:
        QMessageBox.critical(None, tr("Cannot continue"), error.message())
        return EXIT_REFUSED
    _install_crash_hook()
    window = MainWindow(app)
    window.show()
    try:
        qt_app.exec()
    finally:
        app.close()
    return EXIT_OK
