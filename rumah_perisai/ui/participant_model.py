"""The participant list's table model: all matching ids, but rows only for what is on screen.

A search keeps the ids of every match (200,000 ints are a few MB); the columns are fetched from
the database in blocks around the rows the view asks for, and a bounded cache keeps recent
blocks, so scrolling 200,000 rows never loads 200,000 rows.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from rumah_perisai import formats
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.coverage import Status, status_label
from rumah_perisai.domain.personal_data import shown_name
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.participant_search import (
    ListFilter,
    ParticipantListRow,
    ParticipantSearch,
)

AnyIndex = QModelIndex | QPersistentModelIndex

COLUMNS = (
    N_("Reg. no."),
    N_("Name"),
    N_("NIK"),
    N_("Desa"),
    N_("Status"),
    N_("Covered until"),
)
COL_REGISTRATION, COL_NAME, COL_NIK, COL_DESA, COL_STATUS, COL_COVER = range(len(COLUMNS))

# Text and background of each status: readable on a cheap screen, not colour alone (the words
# are always there too).
STATUS_COLOURS: dict[Status, tuple[str, str]] = {
    Status.PROMOTION: ("#0d47a1", "#e3f2fd"),
    Status.ACTIVE: ("#1b5e20", "#e8f5e9"),
    Status.ARREARS: ("#8a4b00", "#fff3e0"),
    Status.LAPSED: ("#b71c1c", "#ffebee"),
    Status.NOT_YET_COVERED: ("#424242", "#f5f5f5"),
    Status.WITHDRAWN: ("#616161", "#eeeeee"),
    Status.REJECTED: ("#880e4f", "#fce4ec"),
    Status.ENDED: ("#616161", "#eeeeee"),
}

BLOCK = 100  # rows fetched at once around the row the view asks for
MATERIALIZE = 10_000  # up to this many matches the ids are kept; more are read page by page
CACHED_BLOCKS = 40


class ParticipantTableModel(QAbstractTableModel):
    def __init__(self, db: Database, search: ParticipantSearch, today: Callable[[], date]) -> None:
        super().__init__()
        self._db = db
        self._search = search
        self._today = today
        # The matching ids, in list order — or None for a large result (the whole list, "32"),
        # which is read a page at a time instead: fetching 200,000 ids costs a third of a second.
        self._ids: list[int] | None = []
        self._filters: ListFilter | None = None
        self._count = 0
        self._blocks: OrderedDict[int, list[ParticipantListRow]] = OrderedDict()
        self.rows_fetched = 0  # for tests and benchmarks: how many rows came from the database
        self.query = ""

    # --- searching -------------------------------------------------------------------------
    def set_query(
        self, query: str, status: Status | None = None, desa_code: str | None = None
    ) -> int:
        """Show the participants matching ``query`` and the filters; returns how many."""
        filters = ListFilter(self._today(), status, desa_code)
        with self._db.reading() as session:
            found = self._search.first_screen(session, query, filters, MATERIALIZE, BLOCK)
        self.beginResetModel()
        self.query = query
        self._filters = filters
        self._ids = found.ids
        self._count = found.count
        self._blocks.clear()
        if found.count:
            self._blocks[0] = found.rows
            self.rows_fetched += len(found.rows)
        self.endResetModel()
        return found.count

    def participant_id(self, row: int) -> int:
        if self._ids is not None:
            return self._ids[row]
        found = self._row(row)
        assert found is not None
        return found.id

    def row_of(self, participant_id: int) -> int | None:
        if self._ids is None:
            if self.query.strip() or self._filters is None or self._filters.status:
                return None  # a large search result: not worth locating
            with self._db.reading() as session:
                return self._search.position(session, participant_id)
        try:
            return self._ids.index(participant_id)
        except ValueError:
            return None

    def forget_rows(self) -> None:
        """After a change: fetch the rows again when drawn (the ids and order stay)."""
        self._blocks.clear()
        self._all_changed()

    def refresh_texts(self) -> None:
        """After a language switch: headers and status words are drawn again."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        self._all_changed()

    def _all_changed(self) -> None:
        if self._count:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(COLUMNS) - 1))

    # --- Qt model ----------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return tr(COLUMNS[section])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._count:
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self.participant_id(index.row())
        if role not in _ROLES:
            return None
        row = self._row(index.row())
        if row is None:
            return None
        return _ROLES[role](row, index.column())

    # --- fetching ----------------------------------------------------------------------------
    def _row(self, number: int) -> ParticipantListRow | None:
        start = number - number % BLOCK
        block = self._blocks.get(start)
        if block is None:
            with self._db.reading() as session:
                if self._ids is None:
                    ids = self._search.page(session, self.query, self._filters, start, BLOCK)
                else:
                    ids = self._ids[start : start + BLOCK]
                block = self._search.rows(session, ids, self._today())
            self.rows_fetched += len(block)
            self._blocks[start] = block
            if len(self._blocks) > CACHED_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(start)
        offset = number - start
        return block[offset] if offset < len(block) else None


def _display(row: ParticipantListRow, column: int) -> str:
    if column == COL_REGISTRATION:
        return row.kpj and f"{row.registration_no} · {row.kpj}" or row.registration_no
    if column == COL_NAME:
        return shown_name(row.name)
    if column == COL_NIK:
        return row.nik_masked
    if column == COL_DESA:
        return row.desa_name
    if column == COL_STATUS:
        return status_label(row.status)
    if column == COL_COVER:
        return formats.day(row.cover_until) if row.cover_until else "—"
    return ""


def _foreground(row: ParticipantListRow, column: int) -> QBrush | None:
    return QBrush(QColor(STATUS_COLOURS[row.status][0])) if column == COL_STATUS else None


def _background(row: ParticipantListRow, column: int) -> QBrush | None:
    return QBrush(QColor(STATUS_COLOURS[row.status][1])) if column == COL_STATUS else None


def _tooltip(row: ParticipantListRow, column: int) -> str | None:
    if column != COL_STATUS:
        return None
    if row.cover_until is None:
        return status_label(row.status)
    return tr(
        "{status} — covered until {day}",
        status=status_label(row.status),
        day=formats.day(row.cover_until),
    )


def _alignment(row: ParticipantListRow, column: int) -> int:
    return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)


_ROLES: dict[int, Callable[[ParticipantListRow, int], Any]] = {
    Qt.ItemDataRole.DisplayRole: _display,
    Qt.ItemDataRole.ForegroundRole: _foreground,
    Qt.ItemDataRole.BackgroundRole: _background,
    Qt.ItemDataRole.ToolTipRole: _tooltip,
    Qt.ItemDataRole.TextAlignmentRole: _alignment,
}
