"""The branch's NIK conflicts dialog: two posts' accepted members with the same NIK, both shown,
and the officer keeps one with a reason (``branch.decide_conflict``, an operation). The list is
read again when the branch announces a change of its batches (``ui.changes.listen``); the
window's count of conflicts listens for itself, the dialog never refreshes it."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import changes, formats
from rumah_perisai.app import App
from rumah_perisai.branch import decide_conflict, pending_conflicts
from rumah_perisai.i18n import tr
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.changes import listen
from rumah_perisai.ui.keyboard_help import fit_columns
from rumah_perisai.ui.operations import run_op

CONFLICT_COLUMNS = 7


def _day(iso: str) -> str:
    """A day the service gives as ISO text (its JSON's form), shown as every day is shown."""
    try:
        return formats.day(date.fromisoformat(iso))
    except ValueError:
        return iso


class ConflictsDialog(QDialog):
    """NIK conflicts between two posts' accepted members: the officer sees both registrations
    (post, number, name, birth date, registered, first seen here) and keeps one, with a reason.
    The other is rejected; its post hears it in its next acknowledgement."""

    def __init__(self, app: App, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.actor = actor
        self.decided = 0
        self.setObjectName("conflicts")
        self.setProperty("help_topic", "branch")
        self.setWindowTitle(tr("NIK conflicts"))
        layout = QVBoxLayout(self)
        self.label = QLabel(
            tr("Each pair holds the same NIK at two posts. Check the person's KTP with the posts, "
               "then keep the registration that stands; the other is rejected.")
        )  # fmt: skip
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.table = QTableWidget(0, CONFLICT_COLUMNS)
        self.table.setObjectName("conflictsTable")
        self.table.setHorizontalHeaderLabels([
            tr("No."), tr("Post"), tr("Registration"), tr("Name"), tr("Born"),
            tr("Registered"), tr("First seen here"),
        ])  # fmt: skip
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.keep_button = QPushButton(tr("&Keep the chosen registration…"))
        self.keep_button.setObjectName("keep")
        self.keep_button.clicked.connect(self.keep_chosen)
        close = QPushButton(tr("Close &window"))
        close.clicked.connect(self.reject)
        buttons.addWidget(self.keep_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.rows: list[tuple[int, str]] = []  # (conflict id, registration number) per row
        self.load()
        listen(self, (changes.BATCHES,), self.load)  # a conflict found or decided
        self.resize(900, 360)

    def load(self) -> None:
        self.rows = []
        conflicts = pending_conflicts(self._app.db)
        self.table.setRowCount(2 * len(conflicts))
        for index, conflict in enumerate(conflicts):
            for offset, side in enumerate((conflict.first, conflict.second)):
                row = 2 * index + offset
                cells = (str(conflict.id) if offset == 0 else "", side.post_code,
                         side.registration_no, side.name, _day(side.birth_date),
                         _day(side.registered_on), _day(side.first_seen))  # fmt: skip
                for column, text in enumerate(cells):
                    self.table.setItem(row, column, QTableWidgetItem(text))
                self.rows.append((conflict.id, side.registration_no))
        fit_columns(self.table)
        self.keep_button.setEnabled(bool(conflicts))
        self.label.setText(
            tr("Each pair holds the same NIK at two posts. Check the person's KTP with the posts, "
               "then keep the registration that stands; the other is rejected.")
            if conflicts
            else tr("No NIK conflict is waiting for a decision.")
        )  # fmt: skip
        if conflicts:
            self.table.selectRow(0)
            self.table.setFocus()

    def keep_chosen(self) -> None:
        model = self.table.selectionModel()
        chosen = model.selectedRows() if model is not None else []
        if not chosen:
            return
        conflict_id, regno = self.rows[chosen[0].row()]
        note, ok = QInputDialog.getText(
            self,
            tr("Keep {regno}", regno=regno),
            tr("Why does {regno} stand (e.g. the KTP seen at which post)?", regno=regno),
        )
        if not ok:
            return
        self.keep(conflict_id, regno, note)

    def keep(self, conflict_id: int, regno: str, note: str) -> None:
        db, actor = self._app.db, self.actor
        run_op(
            self,
            lambda: decide_conflict(db, conflict_id, regno, note, actor),
            success=self._decided,
            title=tr("NIK conflicts"),
        )

    def _decided(self, _rejected: str) -> None:
        self.decided += 1
        if not self.isVisible():  # a shown list is read again by the notice; one not shown
            self.load()  # yet would be only when shown: its rows are made true now


__all__ = ["ConflictsDialog"]
