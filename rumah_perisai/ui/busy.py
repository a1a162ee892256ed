"""A refusal in a dialog, with "Try again" when the database was only busy.

A busy database (another window or program saving; ``UserError("db_busy")`` from the unit of
work) is no fault of the user nor a bug: nothing was changed, and an operation that can simply be
repeated is offered again with one button. A driver's busy or disk-full error that reaches the
window's last-resort error hook is the same refusal (``errors.as_refusal``), never a program
error.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr

BUSY = "db_busy"


def refusal_box(
    parent: QWidget | None,
    title: str,
    error: UserError,
    retry: Callable[[], object] | None = None,
) -> QMessageBox:
    """A window-modal warning, opened without blocking (tests see it too). For a busy database,
    with ``retry``: "Try again" runs ``retry`` once the box is closed; Cancel does nothing."""
    no_buttons = QMessageBox.StandardButton.NoButton
    box = QMessageBox(QMessageBox.Icon.Warning, title, error.message(), no_buttons, parent)
    box.setObjectName("refusalBox")
    if retry is not None and error.key == BUSY:
        again = box.addButton(tr("Try again"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(again)
        box.finished.connect(lambda _result: retry() if box.clickedButton() is again else None)
    else:
        box.addButton(QMessageBox.StandardButton.Ok)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    return box
