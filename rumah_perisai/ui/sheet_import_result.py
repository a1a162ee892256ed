"""What the check found, row by row, and what the import did, in words.

* ``ResultTable``: every row of the file (its spreadsheet row number, the name as read, the
  status, the reason), refused rows first, then possible duplicates: what the coordinator must
  fix or decide comes before what simply goes in. A filter shows one status only.
* ``DuplicatesPart``: one line per possible duplicate, a "import anyway" box and the reason it
  is not the same person (required when ticked). An unticked one is not imported: a person
  decides, never the program.
* ``summary_text`` / ``imported_text``: the counts as sentences, with the service's notes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.i18n import tr
from rumah_perisai.services.sheet_import import (
    Checked,
    Imported,
    RowResult,
    RowStatus,
    status_label,
)
from rumah_perisai.ui.keyboard_help import fit_columns
from rumah_perisai.ui.look import AMBER, RED, RED_TEXT

COL_ROW, COL_NAME, COL_STATUS, COL_REASON = range(4)


def summary_text(checked: Checked) -> str:
    """The counts in words, every status named even at zero (a zero says "none refused")."""
    counts = checked.summary()

    def n(status: RowStatus) -> str:
        return formats.number(counts.get(status.value, 0))

    return tr(
        "{rows} rows checked: {new} will be registered, {update} already here will be "
        "updated, {duplicate} possible duplicates to decide, {refused} refused, {unchanged} "
        "already here and unchanged.",
        rows=formats.number(len(checked.rows)),
        new=n(RowStatus.NEW),
        update=n(RowStatus.UPDATE),
        duplicate=n(RowStatus.POSSIBLE_DUPLICATE),
        refused=n(RowStatus.REFUSED),
        unchanged=n(RowStatus.UNCHANGED),
    )


def imported_text(imported: Imported) -> str:
    """What the import did: the service's notes (registered and updated, their status today,
    that no receipts were made up), then what was left out, a line each."""
    lines = list(imported.notes)
    if imported.not_imported:
        lines.append(
            tr(
                "{count} rows not imported (refused, or possible duplicates not chosen).",
                count=formats.number(imported.not_imported),
            )
        )
    if imported.unchanged:
        lines.append(
            tr(
                "{count} rows already here and unchanged.",
                count=formats.number(imported.unchanged),
            )
        )
    return "\n".join(f"• {line}" for line in lines)


class ResultTable(QTableWidget):
    """Every checked row, refused first; ``show_only`` filters by status."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.setObjectName("resultTable")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.rows: list[RowResult] = []

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([tr("Row"), tr("Name"), tr("Status"), tr("Reason")])

    def show_rows(self, checked: Checked) -> None:
        self.retranslate()
        self.rows = checked.ordered()
        self.setRowCount(len(self.rows))
        for line, result in enumerate(self.rows):
            texts = (str(result.row), result.name, status_label(result.status), result.reason)
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == COL_ROW:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if result.status is RowStatus.REFUSED:
                    item.setBackground(RED)
                    item.setForeground(RED_TEXT)
                elif result.status is RowStatus.POSSIBLE_DUPLICATE:
                    item.setBackground(AMBER)
                self.setItem(line, column, item)
        fit_columns(self, stretch=COL_REASON)
        # Measured on the first rows only (all refused, as they come first): wide enough for
        # every status the filter or scrolling may bring.
        metrics = self.fontMetrics()
        present = {r.status for r in self.rows}
        widest = max((metrics.horizontalAdvance(status_label(s)) for s in present), default=0)
        self.setColumnWidth(COL_STATUS, max(self.columnWidth(COL_STATUS), widest + 16))

    def show_only(self, status: RowStatus | None) -> None:
        for line, result in enumerate(self.rows):
            self.setRowHidden(line, status is not None and result.status is not status)

    def shown_rows(self) -> list[RowResult]:
        return [r for line, r in enumerate(self.rows) if not self.isRowHidden(line)]


class DuplicatesPart(QFrame):
    """A line per possible duplicate: the row, its name and whom it resembles; "import anyway"
    and the reason (required when ticked)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicates")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(4, 4, 4, 4)
        self._grid.setColumnStretch(3, 1)
        self.boxes: dict[int, QCheckBox] = {}
        self.reasons: dict[int, QLineEdit] = {}

    def show_rows(self, rows: list[RowResult]) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        self.boxes, self.reasons = {}, {}
        for line, result in enumerate(rows):
            about = QLabel(
                tr(
                    "Row {row} · {name}: {reason}",
                    row=result.row,
                    name=result.name,
                    reason=result.reason,
                )
            )
            about.setWordWrap(True)
            box = QCheckBox(tr("Import &anyway (not the same person)"))
            box.setObjectName(f"anyway{result.row}")
            label = QLabel(tr("Rea&son:"))
            reason = QLineEdit()
            reason.setObjectName(f"reason{result.row}")
            reason.setEnabled(False)
            label.setBuddy(reason)
            box.toggled.connect(lambda on, field=reason: self._ticked(on, field))
            reason.textChanged.connect(lambda _t: self.changed.emit())
            self._grid.addWidget(about, line * 2, 0, 1, 4)
            self._grid.addWidget(box, line * 2 + 1, 1)
            self._grid.addWidget(label, line * 2 + 1, 2)
            self._grid.addWidget(reason, line * 2 + 1, 3)
            self.boxes[result.row] = box
            self.reasons[result.row] = reason
        self._grid.setColumnMinimumWidth(0, 16)

    def _ticked(self, on: bool, field: QLineEdit) -> None:
        field.setEnabled(on)
        if on:
            field.setFocus()
        self.changed.emit()

    def decisions(self) -> dict[int, str]:
        """Row → reason for the ticked ones that have a reason."""
        return {
            row: self.reasons[row].text().strip()
            for row, box in self.boxes.items()
            if box.isChecked() and self.reasons[row].text().strip()
        }

    def without_reason(self) -> list[int]:
        """Rows ticked but not yet given their reason."""
        return [
            row
            for row, box in self.boxes.items()
            if box.isChecked() and not self.reasons[row].text().strip()
        ]


__all__ = [
    "DuplicatesPart",
    "ResultTable",
    "imported_text",
    "summary_text",
]
