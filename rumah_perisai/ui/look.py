"""What the windows share: the colours that say good, waiting and wrong, the language names, the
About box, and remembering where a window was."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMessageBox, QWidget

from rumah_perisai import __version__
from rumah_perisai.i18n import tr

ERROR_STYLE = "color: #b71c1c;"
GOOD_STYLE = "color: #1b5e20;"
WARNING_STYLE = "background: #fff3cd; color: #5d4037; padding: 6px; font-weight: bold;"
NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
AMBER = QColor("#ffecb3")  # waiting: not acknowledged yet, held behind a gap
RED = QColor("#ffcdd2")  # refused or never done: suspended, never written to a stick
RED_TEXT = QColor("#8e0000")
GREEN = QColor("#dcedc8")  # done: acknowledged
GREEN_TEXT = QColor("#1b5e20")
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def show_about(parent: QWidget, folder: Path) -> None:
    QMessageBox.about(
        parent,
        tr("About Rumah Perisai"),
        tr(
            "Rumah Perisai {version}\n\nRegistration, cards, dues and weekly batches for "
            "BPJS Ketenagakerjaan's Perisai village posts.\n\nData folder: {folder}\n"
            "Area codes: idn-area-data (ODbL).",
            version=__version__,
            folder=str(folder),
        ),
    )


def restore_geometry(window: QWidget, state: QSettings, key: str) -> None:
    """Where the window was last time; else nearly the whole screen, centred (1366×768 laptops
    at 125 % get a window that fits)."""
    geometry = state.value(key)
    if geometry is not None and window.restoreGeometry(geometry):
        return
    screen = window.screen().availableGeometry()
    width = min(1200, int(screen.width() * 0.95))
    height = min(760, int(screen.height() * 0.92))
    window.resize(width, height)
    window.move(screen.center().x() - width // 2, screen.center().y() - height // 2)


def remember_geometry(window: QWidget, state: QSettings, key: str) -> None:
    state.setValue(key, window.saveGeometry())
    state.sync()
