"""The row of buttons at the foot of a dialog: Cancel on the left, the action on the right."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton

from rumah_perisai.i18n import tr


def cancel_and(dialog: QDialog, action: QPushButton) -> QHBoxLayout:
    """Cancel (closes ``dialog``, never the default) | stretch | ``action`` (the default)."""
    cancel = QPushButton(tr("&Cancel"))
    cancel.setObjectName("cancel")
    cancel.setAutoDefault(False)
    cancel.clicked.connect(dialog.reject)
    row = QHBoxLayout()
    row.addWidget(cancel)
    row.addStretch(1)
    row.addWidget(action)
    action.setDefault(True)
    return row
