"""Pieces of the dashboards window: loading off the GUI thread, the figure tiles, the list of
participants behind a figure, and the dialog recording a call's outcome."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.coverage import status_label
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.call_list import MAX_NOTE, OUTCOMES, outcome_label
from rumah_perisai.services.participant_search import ParticipantListRow, ParticipantSearch
from rumah_perisai.ui.buttons import cancel_and
from rumah_perisai.ui.participant_model import STATUS_COLOURS

AnyIndex = QModelIndex | QPersistentModelIndex


# --- loading off the GUI thread ------------------------------------------------------------------


class _Delivery(QObject):
    done = QtSignal(str, int, object, object)  # key, generation, value, error


class Loader:
    """Runs work on worker threads and hands each result back on the GUI thread.

    Work started again under the same key makes the earlier result stale (it is dropped), so a
    slow refresh never overwrites a newer one. ``pending`` counts work not yet handed back.
    What the work raised is handed to ``done`` as its error; the dashboard sorts it with
    ``errors.as_refusal`` (a refusal in its status line, a bug on to the crash hook).
    """

    def __init__(self) -> None:
        self._delivery = _Delivery()
        self._delivery.done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._generation: dict[str, int] = {}
        self._callbacks: dict[tuple[str, int], Callable[[Any, BaseException | None], None]] = {}
        self._threads: list[threading.Thread] = []
        self.pending = 0
        self.closed = False

    def run(
        self,
        key: str,
        work: Callable[[], Any],
        done: Callable[[Any, BaseException | None], None],
    ) -> None:
        generation = self._generation.get(key, 0) + 1
        self._generation[key] = generation
        self._callbacks[(key, generation)] = done
        self.pending += 1

        def run() -> None:
            value: Any = None
            error: BaseException | None = None
            try:
                value = work()
            except BaseException as failure:  # handed to the GUI thread, which shows it
                error = failure
            self._delivery.done.emit(key, generation, value, error)

        thread = threading.Thread(target=run, name=f"dashboard: {key}", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def _deliver(self, key: str, generation: int, value: Any, error: Any) -> None:
        self.pending -= 1
        done = self._callbacks.pop((key, generation), None)
        if done is None or self.closed or self._generation.get(key) != generation:
            return
        done(value, error)

    def busy(self, key: str) -> bool:
        return any(k == key for k, _g in self._callbacks)

    def close(self, timeout: float = 30.0) -> None:
        """No more results are shown; waits for running work (it holds the database)."""
        self.closed = True
        for thread in self._threads:
            thread.join(timeout)


def fit_columns(table: QTableView, columns: Iterable[int]) -> None:
    """Columns as wide as their texts (the header's and the rows' measured) and a little more,
    so no word is cut even where a style draws wider margins than it measures."""
    for column in columns:
        table.resizeColumnToContents(column)
        table.setColumnWidth(column, table.columnWidth(column) + COLUMN_SLACK)


COLUMN_SLACK = 10  # pixels


# --- figure tiles ------------------------------------------------------------------------------

TILE_STYLE = """
QPushButton#tile { text-align: left; border: 1px solid #b0bec5; border-radius: 4px;
    background: #fafafa; padding: 2px 6px; }
QPushButton#tile:hover { background: #e3f2fd; }
QPushButton#tile:focus { border: 2px solid #1565c0; }
"""


TILE_MIN_WIDTH = 150


class FigureTile(QPushButton):
    """A big number with a short label under it; click, Space or Enter opens what it counts."""

    def __init__(self, figure: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure = figure
        self.label = label
        self.setObjectName("tile")
        self.setAutoDefault(False)
        self.number = QLabel("…")
        self.number.setObjectName(f"number:{figure}")
        font = self.number.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.number.setFont(font)
        self.caption = QLabel(label)
        # Two lines at most: five tiles a row must fit 1366 px at 125 % (1093 logical px).
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: #37474f;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 3)
        layout.setSpacing(0)
        layout.addWidget(self.number)
        layout.addWidget(self.caption)
        for label_ in (self.number, self.caption):
            label_.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        line = self.caption.fontMetrics().lineSpacing()
        self.setFixedHeight(self.number.sizeHint().height() + 2 * line + 10)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(TILE_MIN_WIDTH)

    def show_value(self, value: int, extra: str = "") -> None:
        self.value = value
        text = formats.number(value)
        self.number.setText(f"{text} · {extra}" if extra else text)

    def keyPressEvent(self, event: Any) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
            return
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down):  # the figures in reading order
            self.focusNextChild()
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.focusPreviousChild()
            return
        super().keyPressEvent(event)


# --- the participants behind a figure --------------------------------------------------------

MEMBER_COLUMNS = (N_("Name"), N_("Reg. no."), N_("Status"), N_("Covered until"), N_("Phone"))
HELP_TOPIC = "dashboards"
BLOCK = 200
CACHED_BLOCKS = 20


class MembersModel(QAbstractTableModel):
    """The participants of a list of ids, read a block at a time as they are shown."""

    def __init__(
        self, db: Database, search: ParticipantSearch, ids: Sequence[int], day: date
    ) -> None:
        super().__init__()
        self._db = db
        self._search = search
        self.ids = list(ids)
        self._day = day
        self._blocks: OrderedDict[int, list[ParticipantListRow]] = OrderedDict()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(MEMBER_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(MEMBER_COLUMNS[section]) if 0 <= section < len(MEMBER_COLUMNS) else None
        return None

    def row(self, number: int) -> ParticipantListRow | None:
        start = number - number % BLOCK
        block = self._blocks.get(start)
        if block is None:
            with self._db.reading() as session:
                block = self._search.rows(session, self.ids[start : start + BLOCK], self._day)
            self._blocks[start] = block
            if len(self._blocks) > CACHED_BLOCKS:
                self._blocks.popitem(last=False)
        offset = number - start
        return block[offset] if offset < len(block) else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.ids):
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self.ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole):
            return None
        row = self.row(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.ForegroundRole:
            return _status_brush(row) if column == 2 else None
        values = (
            row.name,
            row.registration_no,
            status_label(row.status),
            formats.day(row.cover_until) if row.cover_until else "—",
            row.phone or "—",
        )
        return values[column]


def _status_brush(row: ParticipantListRow) -> Any:
    from PySide6.QtGui import QBrush, QColor

    return QBrush(QColor(STATUS_COLOURS[row.status][0]))


class MembersDialog(QDialog):
    """Who a figure counts: a list of participants; Enter or a double-click opens one."""

    open_participant = QtSignal(int)

    def __init__(
        self,
        db: Database,
        search: ParticipantSearch,
        ids: Sequence[int],
        day: date,
        title: str,
        explanation: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("membersDialog")
        self.setProperty("help_topic", HELP_TOPIC)
        self.setWindowTitle(title)
        self.model = MembersModel(db, search, ids, day)
        heading = QLabel(
            tr("{title}: {count} &participants", title=title, count=formats.number(len(ids)))
        )
        heading.setStyleSheet("font-weight: bold;")
        heading.setWordWrap(True)
        what = QLabel(explanation)
        what.setWordWrap(True)
        self.table = QTableView()
        self.table.setObjectName("members")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        heading.setBuddy(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Columns as wide as their words on the first block of rows, never cut (issue 17).
        header.setResizeContentsPrecision(BLOCK)
        fit_columns(self.table, range(len(MEMBER_COLUMNS) - 1))  # the last one stretches
        self.table.activated.connect(lambda index: self.open_row(index.row()))
        hint = QLabel(tr("Enter (or a double-click) opens the participant chosen."))
        hint.setStyleSheet("color: #546e7a;")
        hint.setWordWrap(True)
        close = QPushButton(tr("&Close the list"))
        close.setObjectName("close")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(what)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        wide = sum(header.sectionSize(c) for c in range(header.count())) + 60
        screen = self.screen().availableGeometry()
        self.resize(min(max(760, wide), int(screen.width() * 0.95)), min(480, screen.height()))
        if ids:
            self.table.selectRow(0)
        self.table.setFocus()

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.model.ids):
            self.open_participant.emit(self.model.ids[row])


# --- a call's outcome ----------------------------------------------------------------------------


class OutcomeDialog(QDialog):
    """How the call went: one of the four outcomes, and a note if there is more to say."""

    def __init__(self, name: str, phone: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcomeDialog")
        self.setProperty("help_topic", HELP_TOPIC)
        self.setWindowTitle(tr("Record the call's outcome"))
        intro = QLabel(tr("How did the call to {name} ({phone}) go?", name=name,
                          phone=phone or tr("no phone")))  # fmt: skip
        intro.setWordWrap(True)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        for number, outcome in enumerate(OUTCOMES, start=1):
            button = QRadioButton(f"&{number} {outcome_label(outcome)}")
            button.setObjectName(f"outcome:{outcome}")
            self.group.addButton(button)
            self.buttons[outcome] = button
            layout.addWidget(button)
        self.buttons[OUTCOMES[0]].setChecked(True)
        self.note = QLineEdit()
        self.note.setObjectName("note")
        self.note.setMaxLength(MAX_NOTE)
        self.note.setPlaceholderText(tr("e.g. will pay on Friday"))
        note_label = QLabel(tr("&Note (may stay empty):"))
        note_label.setBuddy(self.note)
        layout.addWidget(note_label)
        layout.addWidget(self.note)
        self.save_button = QPushButton(tr("&Record"))
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.accept)
        layout.addLayout(cancel_and(self, self.save_button))
        cancel = self.findChild(QPushButton, "cancel")
        if cancel is not None:  # an Alt key of its own, like every button here
            cancel.setText(tr("Canc&el"))

    def outcome(self) -> str:
        return next(o for o, b in self.buttons.items() if b.isChecked())
