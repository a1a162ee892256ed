"""Typed work is never lost on Escape or Back without asking ("Buang isian formulir ini?")."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from rumah_perisai.i18n import tr


def ask_discard(parent: QWidget, discard: Callable[[], None]) -> QMessageBox:
    """ "Discard what was typed?" (window-modal, not blocking): *Buang isian* runs ``discard``,
    *Lanjut mengisi* (the default, and Escape) keeps the form as it is."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        tr("Discard what was typed?"),
        tr("Discard what was typed in this form?"),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    # The answers say what they do, each with its Alt letter (never a bare Yes / No).
    box.button(QMessageBox.StandardButton.Yes).setText(tr("&Discard"))
    box.button(QMessageBox.StandardButton.No).setText(tr("&Keep filling in"))
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.buttonClicked.connect(
        lambda button: (
            discard() if box.standardButton(button) == QMessageBox.StandardButton.Yes else None
        )
    )
    box.finished.connect(lambda _result: _forget_box(parent))
    box.open()
    return box


def _forget_box(parent: QWidget) -> None:
    if hasattr(parent, "discard_box"):
        setattr(parent, "discard_box", None)  # noqa: B010  (any dialog that keeps its box)


def closed_by_program(dialog: QDialog, event: QCloseEvent) -> bool:
    """A close the program asked for (the screen locks, another person logs in) closes at once:
    QDialog would call ``reject`` and stay open to ask, in front of the next person. The window's
    own close button (a spontaneous close) still asks, like Escape."""
    if event.spontaneous():
        return False
    dialog.done(QDialog.DialogCode.Rejected)
    event.accept()
    return True


class AsksBeforeDiscarding(QDialog):
    """A form that asks before Escape, Back or its close button throws typed work away
    (``ask_discard``), and closes at once when the program closes it (``closed_by_program``).
    The form says what counts as typed work in ``has_typed_work``."""

    discard_box: QMessageBox | None = None

    def has_typed_work(self) -> bool:
        raise NotImplementedError

    def closeEvent(self, event: QCloseEvent) -> None:
        if not closed_by_program(self, event):
            super().closeEvent(event)

    def reject(self) -> None:
        if self.has_typed_work():
            if self.discard_box is None:
                self.discard_box = ask_discard(self, super().reject)
            return
        super().reject()
