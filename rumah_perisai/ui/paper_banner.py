"""The main window's word while payments are held after a restore (issue 16): receipts printed
after the backup are not entered again yet. Light to import: the window shows it at start."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from rumah_perisai import formats
from rumah_perisai.db.uow import Database
from rumah_perisai.i18n import tr
from rumah_perisai.services.restore_state import RestoreState, held
from rumah_perisai.services.volunteers import Actor

HOLD_STYLE = "background: #ffe0b2; color: #4e342e; padding: 6px 8px; font-weight: bold;"


class PaperHoldBanner(QFrame):
    """Why payments wait, and (for a coordinator) the button to the paper receipts."""

    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paperHold")
        self.setStyleSheet(f"#paperHold {{ {HOLD_STYLE} }}")
        self.text = QLabel()
        self.text.setObjectName("paperHoldText")
        self.text.setWordWrap(True)
        self.button = QPushButton()
        self.button.setObjectName("openPaper")
        self.button.clicked.connect(self.open_requested)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        self.setVisible(False)
        self.state: RestoreState | None = None

    def show_state(self, db: Database, actor: Actor, timezone: str) -> None:
        self.state = state = held(db)
        self.setVisible(state.held)
        if state.note is None or not state.held:
            return
        made = formats.moment(state.note.backup_created_at, timezone)
        if state.branch_ahead is not None:
            text = tr(
                "Payments are held: the branch holds batch {seq}, newer than the backup of "
                "{made} this post was restored from. Restore the newer backup.",
                seq=state.branch_ahead,
                made=made,
            )
        else:
            text = tr(
                "Payments are held: receipts printed after the backup of {made} are not "
                "entered again yet.",
                made=made,
            )
        if not actor.is_coordinator:
            text += " " + tr("A coordinator enters them.")
        self.text.setText(text)
        self.button.setText(tr("Enter paper rece&ipts…"))
        self.button.setVisible(actor.is_coordinator)
