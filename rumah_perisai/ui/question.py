"""A one-field question (QInputDialog) whose button says its action and whose label carries the
field's Alt key (issue 17: "Simpan", "Cetak ulang", "Batalkan pendaftaran" — never a bare OK)."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QWidget,
)

from rumah_perisai.i18n import tr


class Question(QInputDialog):
    """QInputDialog whose label is the buddy of the field shown: Qt makes it the buddy of the
    line edit it starts with, also when a list or a number is asked."""

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fields = [
            w
            for w in self.findChildren(QWidget)
            if isinstance(w, (QComboBox, QAbstractSpinBox, QLineEdit))
            and w.isVisible()
            and not isinstance(w.parent(), (QComboBox, QAbstractSpinBox))
        ]
        if fields:
            for label in self.findChildren(QLabel):
                label.setBuddy(fields[0])


def ask(parent: QWidget, title: str, label: str, action: str) -> Question:
    """The question, not shown yet: the caller sets its field (items, a range) and runs it."""
    question = Question(parent)
    question.setWindowTitle(title)
    question.setLabelText(label)
    question.setOkButtonText(action)
    question.setCancelButtonText(tr("&Cancel"))
    return question
