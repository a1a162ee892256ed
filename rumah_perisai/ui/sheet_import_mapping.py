"""The spreadsheet's columns with the field each one fills, over the first rows of the file.

One table: the file's own headers across the top, a row of combo boxes under them (the field
the column fills, or "— not used —"), then the first data rows as read, so the coordinator
sees at once whether "Tgl Lahir" really holds birth dates. A field goes to one column only:
choosing it for a second column takes it from the first (the check could not tell which one
was meant). Tab walks the combo boxes left to right and the table scrolls to the one in focus.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.i18n import tr
from rumah_perisai.services.sheet_import import FIELDS, Mapping, Sheet, field_label

PREVIEW_ROWS = 8  # enough to see what a column holds; the check reads every row


def cell_text(value: object) -> str:
    """A cell as the coordinator would see it in the spreadsheet (a whole number without
    ".0", a date as a date); a NIK Excel turned into 3.20915E+15 stays visibly wrong."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return formats.day(value.date())
    if isinstance(value, date):
        return formats.day(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6G}"
    return str(value).strip()


def column_title(headers: tuple[str, ...], column: int) -> str:
    """The file's header; a column without one is named by its letter, as Excel shows it."""
    title = headers[column].strip() if column < len(headers) else ""
    return title or tr("Column {letter}", letter=_letter(column))


def _letter(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def widest_combo_height(combos: list[QComboBox]) -> int:
    return max((combo.sizeHint().height() for combo in combos), default=0)


class MappingTable(QTableWidget):
    """The first rows under a row of combo boxes, one per column of the file."""

    mapping_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mappingTable")
        self.combos: list[QComboBox] = []
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setTabKeyNavigation(False)  # Tab goes from combo box to combo box
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the rows are to see; the boxes take focus
        self.setWordWrap(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def show_sheet(self, sheet: Sheet, mapping: Mapping) -> None:
        count = max(len(sheet.headers), *(len(r.cells) for r in sheet.rows[:PREVIEW_ROWS]), 1)
        rows = sheet.rows[:PREVIEW_ROWS]
        self.clear()
        self.combos = []
        self.setColumnCount(count)
        self.setRowCount(1 + len(rows))
        self.setHorizontalHeaderLabels([column_title(sheet.headers, c) for c in range(count)])
        self.setVerticalHeaderLabels(
            [tr("Fills")] + [str(row.number) for row in rows]
        )  # the spreadsheet's own row numbers, as Excel shows them
        for column in range(count):
            field = mapping.columns[column] if column < len(mapping.columns) else None
            self.setCellWidget(0, column, self._combo(column, sheet, field))
            for line, row in enumerate(rows, start=1):
                value = row.cells[column] if column < len(row.cells) else None
                self.setItem(line, column, self._cell(cell_text(value)))
        self._size(rows=len(rows))

    def _combo(self, column: int, sheet: Sheet, field: str | None) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"field{column}")
        combo.setAccessibleName(column_title(sheet.headers, column))
        # Narrow enough for many columns side by side; the open list shows whole labels.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(11)
        combo.addItem(tr("— not used —"), None)
        for name in FIELDS:
            combo.addItem(field_label(name), name)
        combo.setCurrentIndex(max(0, combo.findData(field)))
        combo.currentIndexChanged.connect(lambda _i, c=column: self._chosen(c))
        combo.installEventFilter(self)
        self.combos.append(combo)
        return combo

    @staticmethod
    def _cell(text: str) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        item.setToolTip(text)
        return item

    def _size(self, *, rows: int) -> None:
        metrics = self.fontMetrics()
        widest_label = max((c.sizeHint().width() for c in self.combos), default=120)
        for column in range(self.columnCount()):
            texts = [self._text(r, column) for r in range(1, rows + 1)]
            title = self.horizontalHeaderItem(column)
            texts.append(title.text() if title is not None else "")
            text = max(texts, key=metrics.horizontalAdvance)
            # The field chosen is read whole ("Desa (nama atau kode)"), its arrow beside it.
            chosen = metrics.horizontalAdvance(self.combos[column].currentText()) + 40
            width = max(widest_label, chosen, min(260, metrics.horizontalAdvance(text) + 24))
            self.setColumnWidth(column, width)
        line = metrics.height() + 8
        self.setRowHeight(0, max(line, widest_combo_height(self.combos)))
        for row in range(1, self.rowCount()):
            self.setRowHeight(row, line)

    def _text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text() if item is not None else ""

    def _chosen(self, column: int) -> None:
        """A field chosen here is taken from any other column that had it."""
        field = self.combos[column].currentData()
        if field is not None:
            for other, combo in enumerate(self.combos):
                if other != column and combo.currentData() == field:
                    combo.blockSignals(True)
                    combo.setCurrentIndex(0)
                    combo.blockSignals(False)
        self.mapping_changed.emit()

    def mapping(self) -> Mapping:
        return Mapping(tuple(combo.currentData() for combo in self.combos))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        focused = event.type() == QEvent.Type.FocusIn and isinstance(watched, QComboBox)
        if focused and watched in self.combos:
            self.scrollTo(self.model().index(0, self.combos.index(watched)))
        return super().eventFilter(watched, event)


__all__ = ["PREVIEW_ROWS", "MappingTable", "cell_text", "column_title"]
