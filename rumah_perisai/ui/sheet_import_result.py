"""What the check found, row by row, and what the import did, in words.

* ``ResultTable``: every row of the file (its spreadsheet row number, the name as read, the
  status, the reason), refused rows first, then possible duplicates: what the coordinator must
  fix or decide comes before what simply goes in. A filter shows one status only.
* ``DuplicatesPart``: one line per possible duplicate, an "import anyway" box and the reason it
  is another person (required when ticked). An unticked one is not imported: a person
  decides, never the program.
* Both are models under a view, not a widget per cell: a file of 5,000 rows (or thousands of
  namesakes) is a few calls into Qt, and the filter swaps the rows shown, never hides 5,000.
* ``summary_text`` / ``imported_text``: the counts as sentences, with the service's notes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from rumah_perisai import formats
from rumah_perisai.i18n import tr
from rumah_perisai.services.sheet_import import (
    Checked,
    Imported,
    RowResult,
    RowStatus,
    status_label,
)
from rumah_perisai.ui.look import AMBER, RED, RED_TEXT

COL_ROW, COL_NAME, COL_STATUS, COL_REASON = range(4)
DUP_REASON, COL_ANYWAY, COL_WHY = 2, 3, 4  # of the possible duplicates
WHY_WIDTH = 240  # a short reason shows whole; a long one scrolls in its cell as it is typed
MEASURED = 25  # rows measured for a column's width (the first ones: refused, duplicates)
PADDING = 24
Index = QModelIndex | QPersistentModelIndex
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


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


def _view(view: QTableView) -> None:
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)


def _size(view: QTableView, stretch: int, texts: dict[int, list[str]]) -> None:
    """Each column as wide as its heading or the texts given for it; ``stretch`` takes the rest."""
    header = view.horizontalHeader()
    heading, cells = header.fontMetrics(), view.fontMetrics()
    model = view.model()
    for column in range(model.columnCount()):
        if column == stretch:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            continue
        title = str(model.headerData(column, Qt.Orientation.Horizontal))
        width = max(
            [heading.horizontalAdvance(title), *map(cells.horizontalAdvance, texts.get(column, []))]
        )
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width + PADDING)


class ResultModel(QAbstractTableModel):
    """The checked rows (refused first), those of one status when filtered."""

    def __init__(self) -> None:
        super().__init__()
        self.all: list[RowResult] = []
        self.shown: list[RowResult] = []

    def show(self, rows: list[RowResult], status: RowStatus | None) -> None:
        self.beginResetModel()
        self.all = rows
        self.shown = [r for r in rows if status is None or r.status is status]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (tr("Row"), tr("Name"), tr("Status"), tr("Reason"))[section]
        return None

    def text(self, row: int, column: int) -> str:
        result = self.shown[row]
        return (str(result.row), result.name, status_label(result.status), result.reason)[column]

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        result = self.shown[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == COL_ROW:
            return RIGHT
        if role == Qt.ItemDataRole.BackgroundRole:
            if result.status is RowStatus.REFUSED:
                return RED
            if result.status is RowStatus.POSSIBLE_DUPLICATE:
                return AMBER
        if role == Qt.ItemDataRole.ForegroundRole and result.status is RowStatus.REFUSED:
            return RED_TEXT
        return None


class ResultTable(QTableView):
    """Every checked row, refused first; ``show_only`` filters by status."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultTable")
        self.results = ResultModel()
        self.setModel(self.results)
        _view(self)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    @property
    def rows(self) -> list[RowResult]:
        return self.results.all

    def show_rows(self, checked: Checked) -> None:
        self.results.show(checked.ordered(), None)
        first = self.results.shown[:MEASURED]
        statuses = {r.status for r in self.results.all}  # every one the filter may bring
        _size(
            self,
            COL_REASON,
            {
                COL_ROW: [str(r.row) for r in first],
                COL_NAME: [r.name for r in first],
                COL_STATUS: [status_label(s) for s in statuses],
            },
        )

    def show_only(self, status: RowStatus | None) -> None:
        self.results.show(self.results.all, status)

    def shown_rows(self) -> list[RowResult]:
        return list(self.results.shown)

    def text(self, row: int, column: int) -> str:
        return self.results.text(row, column)


class DuplicatesModel(QAbstractTableModel):
    """The possible duplicates with the person's decision on each: ticked, and why."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[RowResult] = []
        self.ticked: set[int] = set()
        self.why: dict[int, str] = {}

    def show(self, rows: list[RowResult]) -> None:
        self.beginResetModel()
        self.rows, self.ticked, self.why = rows, set(), {}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            titles = (
                tr("Row"),
                tr("Name"),
                tr("Reason"),
                tr("Import anyway"),
                tr("Why another person"),
            )
            return titles[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_ANYWAY:
            return flags | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == COL_WHY:
            return flags | Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        result, column = self.rows[index.row()], index.column()
        if column == COL_ANYWAY:
            if role == Qt.ItemDataRole.CheckStateRole:
                on = result.row in self.ticked
                return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            texts = (str(result.row), result.name, result.reason, "", self.why.get(result.row, ""))
            return texts[column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (COL_NAME, DUP_REASON, COL_WHY):
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_ROW:
            return RIGHT
        return None

    def setData(self, index: Index, value: Any, role: int = 2) -> bool:
        if not index.isValid():
            return False
        row = self.rows[index.row()].row
        if index.column() == COL_ANYWAY and role == Qt.ItemDataRole.CheckStateRole:
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
            (self.ticked.add if checked else self.ticked.discard)(row)
        elif index.column() == COL_WHY and role == Qt.ItemDataRole.EditRole:
            self.why[row] = str(value or "")
        else:
            return False
        self.dataChanged.emit(index, index, [role])
        self.changed.emit()
        return True


class DuplicatesPart(QTableView):
    """A row per possible duplicate: its row, name and whom it resembles; "import anyway" (a
    box: Space ticks it) and the reason it is another person (F2 or typing edits the cell;
    required when ticked)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicates")
        self.decided = DuplicatesModel()
        self.setModel(self.decided)
        _view(self)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.decided.changed.connect(self.changed)  # signal to signal

    @property
    def rows(self) -> list[int]:
        return [r.row for r in self.decided.rows]

    def show_rows(self, rows: list[RowResult]) -> None:
        self.decided.show(rows)
        first = rows[:MEASURED]
        _size(
            self,
            DUP_REASON,  # whom the row resembles: read whole
            {COL_ROW: [str(r.row) for r in first], COL_NAME: [r.name for r in first]},
        )
        self.horizontalHeader().resizeSection(COL_WHY, WHY_WIDTH)
        if rows:
            self.setCurrentIndex(self.decided.index(0, COL_ANYWAY))

    def decisions(self) -> dict[int, str]:
        """Row → reason for the ticked ones that have a reason."""
        why = self.decided.why
        return {
            row: why[row].strip()
            for row in self.rows
            if row in self.decided.ticked and why.get(row, "").strip()
        }

    def without_reason(self) -> list[int]:
        """Rows ticked but not yet given their reason."""
        why = self.decided.why
        return [
            row for row in self.rows if row in self.decided.ticked and not why.get(row, "").strip()
        ]


__all__ = [
    "DuplicatesPart",
    "ResultTable",
    "imported_text",
    "summary_text",
]
