"""UI tests: windows close before the database they show goes away."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from rumah_perisai.app import App
from rumah_perisai.ui.help import install_help
from rumah_perisai.ui.qt_texts import install_qt_texts


@pytest.fixture(autouse=True, scope="session")
def _qt_speaks_the_programs_language(qapp: QApplication) -> None:
    """As the program does at start: Qt's own buttons and file dialog in Indonesian."""
    install_qt_texts()
    install_help()


@pytest.fixture(autouse=True)
def _windows_closed_before_the_database(app: App) -> Iterator[None]:
    """Set up after ``app``, so torn down before it: a search or duplicate-check timer still
    pending when a test ends must not reach a database that was already removed."""
    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()
    QApplication.processEvents()
