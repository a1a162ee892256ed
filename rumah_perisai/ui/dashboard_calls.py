"""The dashboards' call list: whose cover ends soon or who is in arrears, and the calls made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    Qt,
    QUrl,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.domain.coverage import Status
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.i18n import N_, tr
from rumah_perisai.printing.call_list import PrintedCallList, call_list_file
from rumah_perisai.printing.output import write_document
from rumah_perisai.services.access import Doc, Look, record_access
from rumah_perisai.services.call_list import (
    DEFAULT_WITHIN_DAYS,
    MAX_WITHIN_DAYS,
    CallRow,
    call_list,
    calls_of,
    record_call,
)
from rumah_perisai.ui.dashboard_base import (
    AMOUNT,
    CALL_LIST_FILES,
    CALLS,
    HINT_STYLE,
    RESIZE_SAMPLE,
    AnyIndex,
    DashboardBase,
    table_view,
)
from rumah_perisai.ui.dashboard_parts import (
    OutcomeDialog,
    fit_columns,
)
from rumah_perisai.ui.file_dialogs import remember_folder, start_folder
from rumah_perisai.ui.operations import run_op
from rumah_perisai.ui.participant_model import STATUS_COLOURS
from rumah_perisai.ui.pdf_preview import PdfDialog

CALL_COLUMNS = (
    N_("Name"),
    N_("Phone"),
    N_("Desa"),
    N_("Status"),
    N_("Cover ends"),
    N_("Days left"),
    N_("Last call"),
)


def days_shown(row: CallRow) -> str:
    """The days column in words: "5 days left", "ends today", "pay within 30 days"."""
    if row.days_to_lapse is not None:
        return tr("pay within {days} days", days=row.days_to_lapse + 1)
    if row.days_left == 0:
        return tr("ends today")
    return tr("{days} days left", days=row.days_left)


class CallModel(QAbstractTableModel):
    """The call list's rows (the service's, most urgent first)."""

    def __init__(self, zone: str) -> None:
        super().__init__()
        self.rows: list[CallRow] = []
        self.zone = zone  # the post's: a call's day is the post's day, not UTC's

    def set_rows(self, rows: Sequence[CallRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def replace_row(self, number: int, row: CallRow) -> None:
        self.rows[number] = row
        self.dataChanged.emit(self.index(number, 0), self.index(number, len(CALL_COLUMNS) - 1))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CALL_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(CALL_COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return tr(CALL_COLUMNS[section])
        if role == Qt.ItemDataRole.ToolTipRole and section == 5:
            return tr(
                "Days of cover left. In arrears: the days left to pay the missed months before "
                "the membership lapses (today included)."
            )
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            return QBrush(QColor(STATUS_COLOURS[row.status][0]))
        if role == Qt.ItemDataRole.BackgroundRole and column == 3:
            return QBrush(QColor(STATUS_COLOURS[row.status][1]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 5:
            return int(AMOUNT)
        if role == Qt.ItemDataRole.ToolTipRole and column == 6 and row.last_note:
            return row.last_note
        return None

    def _text(self, row: CallRow, column: int) -> str:
        if column == 0:
            return row.name
        if column == 1:
            return row.phone or "—"
        if column == 2:
            return row.desa_name
        if column == 3:
            return row.status_text
        if column == 4:
            return formats.day(row.cover_until)
        if column == 5:
            return days_shown(row)
        if row.last_outcome_text is None:
            return "—"
        if row.last_called_at is None:
            return row.last_outcome_text
        when = formats.day(local_date(row.last_called_at, self.zone))
        return f"{row.last_outcome_text} ({when})"


class CallsTab(DashboardBase):
    """The call list tab: who to call, the message, the outcome, export and print."""

    def _calls_tab(self) -> QWidget:
        tab = QWidget()
        filters = QHBoxLayout()
        self.within = QSpinBox()
        self.within.setObjectName("withinDays")
        self.within.setRange(0, MAX_WITHIN_DAYS)
        self.within.setValue(DEFAULT_WITHIN_DAYS)
        self.within.setSuffix(tr(" days"))
        self.within.setToolTip(
            tr(
                "List the participants whose cover ends within this many days; those in "
                "arrears are always listed."
            )  # fmt: skip
        )
        within_label = QLabel(tr("Cover en&ds within:"))
        within_label.setBuddy(self.within)
        filters.addWidget(within_label)
        filters.addWidget(self.within)
        self.calls_count = QLabel()
        self.calls_count.setObjectName("callsCount")
        self.calls_count.setWordWrap(True)  # never wider than the screen
        filters.addWidget(self.calls_count, 1)
        self.within.editingFinished.connect(self.refresh_calls)
        self.within.valueChanged.connect(lambda _v: self.refresh_calls())

        self.call_model = CallModel(self.summary.timezone)
        self.call_table = table_view("callTable")
        self.call_table.setModel(self.call_model)
        header = self.call_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Sized to the rows read (a sample: a big post lists thousands), never cut (issue 17).
        header.setResizeContentsPrecision(RESIZE_SAMPLE)
        self.call_table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._show_message()
        )
        self.call_table.activated.connect(lambda _i: self.ask_outcome())
        self.message = QPlainTextEdit()
        self.message.setObjectName("message")
        self.message.setReadOnly(True)
        self.message.setMaximumHeight(self.fontMetrics().height() * 3 + 12)
        self.message.setToolTip(tr("The message for the participant chosen, ready to send."))
        message_label = QLabel(tr("Message ready to send:"))
        message_label.setStyleSheet("color: #546e7a;")

        self.copy_button = QPushButton(tr("&Copy the message"))
        self.copy_button.setObjectName("copyMessage")
        self.copy_button.clicked.connect(self.copy_message)
        self.whatsapp_button = QPushButton(tr("Open &WhatsApp"))
        self.whatsapp_button.setObjectName("whatsapp")
        self.whatsapp_button.setToolTip(tr("Opens a WhatsApp chat with the message typed in."))
        self.whatsapp_button.clicked.connect(self.open_whatsapp)
        self.outcome_button = QPushButton(tr("Record the ou&tcome…"))
        self.outcome_button.setObjectName("recordOutcome")
        self.outcome_button.setToolTip(tr("Enter or double-click on a row does the same."))
        self.outcome_button.clicked.connect(self.ask_outcome)
        self.export_button = QPushButton(tr("&Export to a worksheet…"))
        self.export_button.setObjectName("export")
        self.export_button.clicked.connect(self.ask_export)
        self.print_button = QPushButton(tr("Pr&int the list…"))
        self.print_button.setObjectName("printList")
        self.print_button.clicked.connect(self.print_calls)
        self.calls_info = QLabel()
        self.calls_info.setObjectName("callsInfo")
        self.calls_info.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.copy_button, self.whatsapp_button, self.outcome_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addWidget(self.calls_info, 1)
        for button in (self.export_button, self.print_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(filters)
        layout.addWidget(self.call_table, 1)
        layout.addWidget(message_label)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        return tab

    def refresh_calls(self) -> None:
        db, day, within = self._db, self.today(), self.within.value()
        desa, volunteer = self.calls_desa.currentData(), self.calls_volunteer.currentData()

        def work() -> list[CallRow]:
            return call_list(db, day, within_days=within, desa_code=desa, volunteer_id=volunteer)

        self._started()
        self.loader.run(CALLS, work, self._show_calls)

    def _show_calls(self, rows: list[CallRow] | None, error: Any) -> None:
        if not self._finished(error) or rows is None:
            return
        chosen = self.selected_call()
        self.call_model.set_rows(rows)
        fit_columns(self.call_table, range(len(CALL_COLUMNS) - 1))  # the last one stretches
        arrears = sum(1 for r in rows if r.status is Status.ARREARS)
        if rows:
            self.calls_count.setText(
                tr("{count} to call ({arrears} in arrears), most urgent first",
                   count=formats.number(len(rows)), arrears=formats.number(arrears))
            )  # fmt: skip
            self.calls_count.setStyleSheet("")
        else:
            self.calls_count.setText(
                tr("Nobody to call: no cover ends within {days} days and nobody is in arrears.",
                   days=self.within.value())
            )  # fmt: skip
            self.calls_count.setStyleSheet(HINT_STYLE)
        ids = [r.participant_id for r in rows]
        again = ids.index(chosen.participant_id) if chosen and chosen.participant_id in ids else 0
        if rows:
            self.call_table.selectRow(again)
        self._show_message()

    # --- call list -------------------------------------------------------------------------
    def selected_call(self) -> CallRow | None:
        index = self.call_table.currentIndex()
        rows = self.call_model.rows
        return rows[index.row()] if index.isValid() and index.row() < len(rows) else None

    def _show_message(self) -> None:
        row = self.selected_call()
        self.message.setPlainText(row.message if row else "")
        for button in (self.copy_button, self.outcome_button):
            button.setEnabled(row is not None)
        self.whatsapp_button.setEnabled(row is not None and row.whatsapp_url is not None)
        has_rows = bool(self.call_model.rows)
        self.export_button.setEnabled(has_rows)
        self.print_button.setEnabled(has_rows)
        said = []
        if row is not None and row.whatsapp_url is None:  # why the button is disabled, in words
            said.append(tr("No phone number: WhatsApp cannot be opened for this participant."))
        if row is not None and row.last_note:
            said.append(tr("Note of the last call: {note}", note=row.last_note))
        self.calls_info.setText(" ".join(said))

    def copy_message(self) -> None:
        row = self.selected_call()
        if row is None:
            return
        QApplication.clipboard().setText(row.message)
        self.calls_info.setText(tr("Message copied: paste it into WhatsApp or an SMS."))

    def open_whatsapp(self) -> None:
        row = self.selected_call()
        if row is None or row.whatsapp_url is None:
            return
        self.last_url = row.whatsapp_url
        self.open_url(QUrl(row.whatsapp_url, QUrl.ParsingMode.StrictMode))

    def ask_outcome(self) -> None:
        row = self.selected_call()
        if row is None:
            return
        dialog = OutcomeDialog(row.name, row.phone, self)
        dialog.accepted.connect(lambda: self.record_outcome(row, dialog.outcome(),
                                                            dialog.note.text()))  # fmt: skip
        self.outcome_dialog = dialog
        dialog.open()

    def record_outcome(self, row: CallRow, outcome: str, note: str = "") -> None:
        """Record how the call went; the row shows it at once (and the list next time)."""
        run_op(
            self,
            lambda: record_call(self._db, row.participant_id, outcome, self.actor, note),
            success=lambda _done: self._recorded(row),
            failure=lambda error: self.calls_info.setText(error.message()),
            boxed=False,  # the tab's own line
        )

    def _recorded(self, row: CallRow) -> None:
        """The row at once, before the tab is read again after the notice."""
        newest = calls_of(self._db, row.participant_id)[0]
        updated = replace(
            row,
            last_outcome=newest.outcome,
            last_outcome_text=newest.outcome_text,
            last_called_at=newest.called_at,
            last_note=newest.note,
        )
        ids = [r.participant_id for r in self.call_model.rows]
        if row.participant_id in ids:
            self.call_model.replace_row(ids.index(row.participant_id), updated)
        self._show_message()
        self.calls_info.setText(tr("Recorded: {outcome}.", outcome=newest.outcome_text))

    def ask_export(self) -> None:
        name = f"daftar-telepon-{self.summary.code}-{self.today():%Y-%m-%d}.xlsx"
        path, _filter = QFileDialog.getSaveFileName(
            self,
            tr("Export the call list"),
            str(start_folder(CALL_LIST_FILES) / name),  # the last folder used, else Documents
            tr("Spreadsheet (*.xlsx)"),
        )
        if path:
            remember_folder(CALL_LIST_FILES, Path(path).parent)
            self.export_to(Path(path))

    def call_list_paper(self, kind: str) -> PrintedCallList:
        """The list with the filters shown, drawn by the entry point ``calls --out`` uses."""
        return call_list_file(
            self._db,
            self.today(),
            kind,
            within_days=self.within.value(),
            desa_code=self.calls_desa.currentData(),
            volunteer_id=self.calls_volunteer.currentData(),
        )

    def export_to(self, path: Path) -> bool:
        """The spreadsheet to ``path`` (the save dialog has asked before one is replaced)."""
        written = run_op(
            self,
            lambda: self._write_list(path),
            success=lambda _path: self.calls_info.setText(tr("Saved as {path}.", path=str(path))),
            failure=lambda error: self.calls_info.setText(error.message()),
            boxed=False,  # the tab's own line
        )
        return bool(written)

    def _write_list(self, path: Path) -> Path:
        """The spreadsheet written, and the look at everyone on it recorded (one record)."""
        paper = self.call_list_paper("xlsx")
        record_access(
            self._db,
            self.actor,
            Look.LIST,
            [row.participant_id for row in paper.rows],
            Doc.CALL_LIST_XLSX,
        )
        return write_document(path, paper.data, replace=True)

    def print_calls(self) -> None:
        run_op(self, lambda: self.call_list_paper("pdf"), success=self._show_paper)

    def _show_paper(self, paper: PrintedCallList) -> None:
        dialog = PdfDialog(tr("Call list"), self)
        dialog.show_pdf(paper.data, paper.file_name)
        ids = [row.participant_id for row in paper.rows]
        actor = self.actor
        dialog.on_output = lambda: record_access(self._db, actor, Look.LIST, ids, Doc.CALL_LIST_PDF)
        self.pdf_dialog = dialog
        dialog.open()
