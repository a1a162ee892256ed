"""The post's cash: closing a day against its receipts, and taking the cash to the bank.

* At the top, the cash the post holds and has not deposited (``services.cash.cash_position``).
* "Close the day": per volunteer, what the day's receipts say they hold (payments in, voids
  and refunds out); the cash counted is typed per volunteer and the difference shown at once.
  A difference needs a note. The close is stored, then its daily summary is shown to print.
* "Closes and deposits": every close; closes not yet deposited are chosen together and a
  coordinator records the bank deposit (bank, slip reference, date, amount).

Every rule is the cash service's: the window shows its numbers and its refusals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import changes, formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.access import Doc, Look, record_registration_nos
from rumah_perisai.services.cash import (
    MAX_NOTE,
    CashPosition,
    CloseRow,
    Till,
    TillLine,
    cash_position,
    close_day,
    closes,
    open_days,
    till,
)
from rumah_perisai.services.dues import parse_cash
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.changes import listen
from rumah_perisai.ui.deposit_dialog import DepositDialog
from rumah_perisai.ui.discard import AsksBeforeDiscarding
from rumah_perisai.ui.look import ERROR_STYLE, GOOD_STYLE, NUMBER, WARNING_STYLE
from rumah_perisai.ui.operations import run_op_in_background
from rumah_perisai.ui.pdf_preview import PdfDialog

log = logging.getLogger(__name__)

AMOUNT = NUMBER


def alt_key(text: str) -> str:
    """``Alt+O`` for a button text ``Catat set&oran bank…`` (its mnemonic), else ""."""
    index = text.replace("&&", "").find("&")
    clean = text.replace("&&", "")
    return f"Alt+{clean[index + 1].upper()}" if 0 <= index < len(clean) - 1 else ""


def _name_label(name: str, index: int, field: QLineEdit) -> QLabel:
    """A volunteer's name, the label of their counted field: ``1  Dewi Lestari`` with Alt+1
    (up to 9; the names themselves would share their letters)."""
    shown = name.replace("&", "&&")
    label = QLabel(f"&{index}  {shown}" if index <= 9 else shown)
    label.setBuddy(field)
    return label


def signed_money(amount: int) -> str:
    """A difference: ``+ Rp 2.000``, ``− Rp 500``, ``Rp 0``."""
    if amount > 0:
        return "+ " + formats.money(amount)
    if amount < 0:
        return "− " + formats.money(-amount)
    return formats.money(0)


def _count_and_total(count: int, total: int) -> str:
    return f"{formats.money(total)} ({count})" if count else "—"


def _amount_label(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setAlignment(AMOUNT)
    if name:
        label.setObjectName(name)
    return label


class CountRow:
    """One volunteer's line in the close: their till, the cash counted, the difference."""

    def __init__(self, line: TillLine) -> None:
        self.line = line
        self.counted = QLineEdit()
        self.counted.setObjectName(f"counted:{line.volunteer_key}")
        self.counted.setPlaceholderText(tr("counted"))
        self.counted.setMaxLength(20)
        self.counted.setAlignment(AMOUNT)
        self.counted.setMinimumWidth(120)
        self.difference = _amount_label(name=f"difference:{line.volunteer_key}")

    def amount(self) -> int | None:
        """The cash counted, or None while empty; raises ``UserError`` if not a number."""
        if not self.counted.text().strip():
            return None
        return parse_cash(self.counted.text())

    def show_difference(self) -> int | None:
        try:
            amount = self.amount()
        except UserError:
            self.difference.setText(tr("not a number"))
            self.difference.setStyleSheet(ERROR_STYLE)
            return None
        if amount is None:
            self.difference.setText("")
            return None
        difference = amount - self.line.expected
        self.difference.setText(signed_money(difference))
        self.difference.setStyleSheet(
            ERROR_STYLE + " font-weight: bold;" if difference else GOOD_STYLE
        )
        return difference


class SummaryDialog(PdfDialog):
    """A close's daily summary (``printing.cash``): preview, Print…, Save as PDF…."""

    def __init__(
        self,
        db: Database,
        close_id: int,
        key: str,
        parent: QWidget | None = None,
        *,
        actor: Actor | None = None,
    ) -> None:
        super().__init__(tr("Daily summary {key}", key=key), parent, kind="summary")
        self.setObjectName("summaryDialog")
        self.setProperty("help_topic", "cash")
        self.key = key
        try:
            from rumah_perisai.printing.cash import daily_summary  # reportlab: when used

            paper = daily_summary(db, close_id)
        except ModuleNotFoundError:
            self.show_failure(self.failure_text(tr("The daily summary cannot be printed yet.")))
            return
        except Exception as error:  # the close is stored whatever went wrong in drawing it
            if not isinstance(error, UserError):
                log.exception("daily summary %s could not be drawn", close_id)
            reason = error.message() if isinstance(error, UserError) else str(error)
            self.show_failure(self.failure_text(reason))
            return
        self.show_pdf(paper.pdf, paper.file_name)
        if actor is not None:  # it names the day's payers: printing it is a look at them
            numbers = [receipt.registration_no for receipt in paper.doc.receipts]
            self.on_output = lambda: record_registration_nos(
                db, actor, Look.LIST, numbers, Doc.CASH_SUMMARY
            )
        self.info.setText(
            tr("<b>Close {key} is saved.</b> Print the daily summary and sign it.", key=key)
        )
        self.info.show()

    def failure_text(self, reason: str) -> str:
        return (
            reason
            + " "
            + tr(
                'Close {key} is saved; print its summary again from "Closes and deposits".',
                key=self.key,
            )
        )


class CashDialog(AsksBeforeDiscarding):
    """The cash window (Ctrl+K in the main window)."""

    def __init__(
        self,
        db: Database,
        folder: DataFolder,
        actor: Actor,
        today: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cashDialog")
        self.setProperty("help_topic", "cash")
        self._db = db
        self._folder = folder
        self._actor = actor
        self._today = today
        self.till: Till | None = None
        self.count_rows: list[CountRow] = []
        self.close_rows: list[CloseRow] = []
        self.position: CashPosition | None = None
        self.setWindowTitle(tr("Cash and daily close"))
        self._build()
        self.refresh()
        listen(self, (changes.CASH,), self._cash_changed)

    def has_typed_work(self) -> bool:
        """Escape or Back: counts or a note typed but not closed are not thrown away unasked."""
        typed = [row.counted.text() for row in self.count_rows] + [self.note.text()]
        return any(text.strip() for text in typed)

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.held = QLabel()
        self.held.setObjectName("held")
        self.held.setWordWrap(True)
        self.held.setStyleSheet("#held { background: #e3f2fd; color: #0d47a1; padding: 8px; }")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_close_page(), tr("&Close the day"))
        self.tabs.addTab(self._build_closes_page(), tr("Closes and &deposits"))
        # "Back", not "Close window": beside "Close the day" a second "Close" confuses.
        close = QPushButton(tr("&Back"))
        close.setObjectName("closeWindow")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)  # asks first if counts are typed
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.held)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self.resize(900, 540)

    def _build_close_page(self) -> QWidget:
        page = QWidget()
        self.day = QComboBox()
        self.day.setObjectName("day")
        day_label = QLabel(tr("Da&y to close:"))
        day_label.setBuddy(self.day)
        self.older_open = QLabel()
        self.older_open.setObjectName("olderOpen")
        self.older_open.setWordWrap(True)
        self.older_open.setStyleSheet("color: #8a4b00;")
        top = QHBoxLayout()
        top.addWidget(day_label)
        top.addWidget(self.day)
        top.addWidget(self.older_open, 1)
        self.till_summary = QLabel()
        self.till_summary.setObjectName("tillSummary")
        self.till_summary.setWordWrap(True)
        self.count_area = QScrollArea()
        self.count_area.setWidgetResizable(True)
        self.count_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.note = QLineEdit()
        self.note.setObjectName("note")
        self.note.setMaxLength(MAX_NOTE)
        self.note.setPlaceholderText(
            tr("required when the cash counted differs, e.g. change given from own pocket")
        )
        note_label = QLabel(tr("&Note:"))
        note_label.setBuddy(self.note)
        note_row = QHBoxLayout()
        note_row.addWidget(note_label)
        note_row.addWidget(self.note, 1)
        self.close_error = QLabel()
        self.close_error.setObjectName("closeError")
        self.close_error.setWordWrap(True)
        self.close_error.setStyleSheet(ERROR_STYLE)
        self.close_button = QPushButton(tr("Close &the day"))
        self.close_button.setObjectName("closeDay")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close_the_day)
        action = QHBoxLayout()
        action.addWidget(self.close_error, 1)
        action.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.till_summary)
        layout.addWidget(self.count_area, 1)
        layout.addLayout(note_row)
        layout.addLayout(action)
        self.day.currentIndexChanged.connect(lambda _i: self.show_till())
        return page

    def _build_closes_page(self) -> QWidget:
        page = QWidget()
        self.closes_table = QTableWidget(0, 7)
        self.closes_table.setObjectName("closes")
        self.closes_table.verticalHeader().setVisible(False)
        self.closes_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.closes_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # MultiSelection: the arrow keys move, Space (or a click) marks or unmarks a day; no
        # Ctrl held down, which a volunteer on a touchpad cannot find.
        self.closes_table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        header = self.closes_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # A bank slip's reference can be long: it wraps in its row rather than being cut.
        self.closes_table.setWordWrap(True)
        self.closes_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.closes_table.itemSelectionChanged.connect(self._closes_selected)
        self.selection_text = QLabel()
        self.selection_text.setObjectName("selectionText")
        self.selection_text.setWordWrap(True)
        # Why the deposit cannot be recorded, in words on the screen (a tooltip needs a mouse).
        self.deposit_why = QLabel()
        self.deposit_why.setObjectName("depositWhy")
        self.deposit_why.setWordWrap(True)
        self.deposit_why.setStyleSheet(WARNING_STYLE)
        self.summary_button = QPushButton(tr("Daily &summary…"))
        self.summary_button.setObjectName("summary")
        self.summary_button.setAutoDefault(False)
        self.summary_button.clicked.connect(self.show_selected_summary)
        self.deposit_button = QPushButton(tr("&Record bank deposit…"))
        self.deposit_button.setObjectName("deposit")
        self.deposit_button.setAutoDefault(False)
        self.deposit_button.clicked.connect(self.ask_deposit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.selection_text, 1)
        buttons.addWidget(self.summary_button)
        buttons.addWidget(self.deposit_button)
        hint = QLabel(
            tr(
                "Mark the closed days whose cash went to the bank together: in the list (Tab), "
                "move with the arrow keys and press Space to mark or unmark a day (or click "
                "it), then record the deposit ({key}).",
                key=alt_key(self.deposit_button.text()),
            )
        )
        hint.setObjectName("closesHint")
        hint.setWordWrap(True)
        self.closes_label = QLabel(tr("C&losed days:"))
        self.closes_label.setBuddy(self.closes_table)
        layout = QVBoxLayout(page)
        layout.addWidget(hint)
        layout.addWidget(self.closes_label)
        layout.addWidget(self.closes_table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.deposit_why)
        return page

    # --- reading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Everything again: the cash held, the open days, the till, the closes."""
        self.show_position()
        self.fill_days()
        self.show_closes()

    def show_position(self) -> None:
        position = cash_position(self._db)
        self.position = position
        self.held.setText(
            "<b>"
            + tr("Cash at the post, not yet deposited:")
            + f" <span style='font-size: 14pt'>{formats.money(position.held)}</span></b><br>"
            + tr(
                "{open} from days not yet closed · {closed} counted in closed days not yet "
                "taken to the bank",
                open=formats.money(position.open_expected),
                closed=formats.money(position.undeposited_counted),
            )
        )

    def fill_days(self, keep: date | None = None) -> None:
        today = self._today()
        days = sorted(set(open_days(self._db)) | {today}, reverse=True)
        self.day.blockSignals(True)
        self.day.clear()
        for day in days:
            if day == today:
                text = tr("{day} (today)", day=formats.day(day))
            else:
                text = tr("{day} (not closed yet)", day=formats.day(day))
            self.day.addItem(text, day.isoformat())
        chosen = keep if keep in days else today
        self.day.setCurrentIndex(days.index(chosen))
        self.day.blockSignals(False)
        older = [d for d in days if d < today]
        self.older_open.setText(
            tr(
                "Older days not closed yet: {days}. Choose them above.",
                days=", ".join(formats.day(d) for d in sorted(older)),
            )
            if older
            else ""
        )
        self.show_till()

    @property
    def chosen_day(self) -> date:
        day = self.day.currentData()
        return date.fromisoformat(day) if isinstance(day, str) else self._today()

    def show_till(self) -> None:
        typed = {row.line.volunteer_key: row.counted.text() for row in self.count_rows}
        self.till = current = till(self._db, self.chosen_day)
        self.close_error.clear()
        self.count_rows = [CountRow(line) for line in current.lines]
        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        headers = (
            tr("Volunteer"),
            tr("Payments"),
            tr("Voids"),
            tr("Refunds"),
            tr("Expected"),
            tr("Counted"),
            tr("Difference"),
        )
        for column, text in enumerate(headers):
            label = QLabel(f"<b>{text}</b>")
            if column:
                label.setAlignment(AMOUNT)
            grid.addWidget(label, 0, column)
        for index, row in enumerate(self.count_rows, start=1):
            line = row.line
            grid.addWidget(_name_label(line.name, index, row.counted), index, 0)
            grid.addWidget(
                _amount_label(_count_and_total(line.payments_count, line.payments_total)),
                index,
                1,
            )
            grid.addWidget(
                _amount_label(_count_and_total(line.voids_count, line.voids_total)), index, 2
            )
            grid.addWidget(
                _amount_label(_count_and_total(line.refunds_count, line.refunds_total)), index, 3
            )
            grid.addWidget(
                _amount_label(
                    f"<b>{formats.money(line.expected)}</b>", f"expected:{line.volunteer_key}"
                ),
                index,
                4,
            )
            grid.addWidget(row.counted, index, 5)
            grid.addWidget(row.difference, index, 6)
            row.counted.setText(typed.get(line.volunteer_key, ""))
            row.counted.textChanged.connect(lambda _text: self.show_differences())
        if len(self.count_rows) > 1:
            last = len(self.count_rows) + 1
            grid.addWidget(QLabel("<b>" + tr("All") + "</b>"), last, 0)
            grid.addWidget(
                _amount_label(f"<b>{formats.money(current.expected)}</b>", "expectedAll"),
                last,
                4,
            )
            self.total_counted = _amount_label(name="countedAll")
            grid.addWidget(self.total_counted, last, 5)
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(len(self.count_rows) + 2, 1)
        self.count_area.setWidget(grid_widget)
        self.count_area.setVisible(not current.is_empty)
        self.note.setEnabled(not current.is_empty)
        self.close_button.setEnabled(not current.is_empty and self._actor.is_coordinator)
        why = "" if self._actor.is_coordinator else tr("Only a coordinator closes the day's cash.")
        self.close_button.setToolTip(why)
        if why and not self.close_error.text():
            # visible beside the disabled button, not only in its tooltip
            self.close_error.setStyleSheet(WARNING_STYLE)
            self.close_error.setText(why)
        self.till_summary.setText(self._till_text(current))
        self.show_differences()
        if self.count_rows:
            self.count_rows[0].counted.setFocus()

    def _till_text(self, current: Till) -> str:
        if current.is_empty:
            if current.earlier_closes:
                return tr("This day is closed: no new receipts since the last count.")
            return tr("No receipts on this day: there is nothing to count.")
        payments = sum(1 for r in current.receipts if r.kind == "payment")
        voids = len(current.receipts) - payments
        text = tr(
            "{count} receipt(s) to count: {payments} payment(s), {voids} void(s) or refund(s). "
            "Count each volunteer's cash and type it below.",
            count=len(current.receipts),
            payments=payments,
            voids=voids,
        )
        if current.earlier_closes:
            text += " " + tr("Only receipts since the day's last close are counted.")
        return text

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter in a counted field: the next volunteer's, then the note; Enter in the note:
        close the day. Nothing else here answers Enter (QDialog would press a default button
        of any open child dialog, such as the summary's Print)."""
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
            return
        event.accept()
        focus = self.focusWidget()
        if focus is self.note:
            self.close_the_day()
            return
        fields = [row.counted for row in self.count_rows]
        if focus in fields:
            index = fields.index(focus) + 1
            (fields[index] if index < len(fields) else self.note).setFocus()

    def show_differences(self) -> None:
        total = 0
        complete = True
        for row in self.count_rows:
            row.show_difference()
            try:
                amount = row.amount()
            except UserError:
                amount = None
            if amount is None:
                complete = False
            else:
                total += amount
        if len(self.count_rows) > 1:
            self.total_counted.setText(f"<b>{formats.money(total)}</b>" if complete else "")

    def show_closes(self) -> None:
        self.close_rows = closes(self._db)
        # Marks go: the rows move when a day is closed, and a mark must not slide onto another day.
        self.closes_table.clearSelection()
        self.closes_table.setHorizontalHeaderLabels(
            [
                tr("Close no."),
                tr("Day"),
                tr("Receipts"),
                tr("Expected"),
                tr("Counted"),
                tr("Difference"),
                tr("Deposited"),
            ]
        )
        self.closes_table.setRowCount(len(self.close_rows))
        for row, close in enumerate(self.close_rows):
            cells = (
                (close.key, None),
                (formats.day(close.day), None),
                (str(close.receipt_count), AMOUNT),
                (formats.money(close.expected), AMOUNT),
                (formats.money(close.counted), AMOUNT),
                (signed_money(close.difference), AMOUNT),
                (close.deposit_text or tr("not yet"), None),
            )
            for column, (text, align) in enumerate(cells):
                item = QTableWidgetItem(text)
                if align is not None:
                    item.setTextAlignment(align)
                if column == 5 and close.difference:
                    item.setForeground(Qt.GlobalColor.red)
                self.closes_table.setItem(row, column, item)
        self._closes_selected()

    def selected_closes(self) -> list[CloseRow]:
        rows = sorted({index.row() for index in self.closes_table.selectionModel().selectedRows()})
        return [self.close_rows[row] for row in rows if 0 <= row < len(self.close_rows)]

    def select_closes(self, close_ids: list[int]) -> None:
        """Select the closes ``close_ids`` in the list (as Ctrl+click does)."""
        from PySide6.QtCore import QItemSelectionModel

        model = self.closes_table.selectionModel()
        model.clearSelection()
        for row, close in enumerate(self.close_rows):
            if close.id in close_ids:
                model.select(
                    self.closes_table.model().index(row, 0),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )

    def _closes_selected(self) -> None:
        chosen = self.selected_closes()
        open_ones = [c for c in chosen if c.deposit_key is None]
        self.summary_button.setEnabled(len(chosen) == 1)
        if not chosen:
            self.selection_text.setText("")
        else:
            self.selection_text.setText(
                tr(
                    "Chosen: {count} close(s), {amount} counted.",
                    count=len(chosen),
                    amount=formats.money(sum(c.counted for c in chosen)),
                )
            )
        why = ""
        if not self._actor.is_coordinator:
            why = tr("Only a coordinator records bank deposits.")
        elif not chosen and self.close_rows:
            why = tr("Mark the closed days whose cash went to the bank (Space).")
        elif open_ones and len(open_ones) != len(chosen):
            why = tr("Some marked days are deposited already: unmark them (Space).")
        elif chosen and not open_ones:
            why = tr("The cash of the marked days is deposited already.")
        self.deposit_button.setEnabled(bool(chosen) and not why)
        # The same words visible under the buttons and in the tooltip (a mouse user's hover).
        self.deposit_why.setText(why)
        self.deposit_why.setVisible(bool(why))
        self.deposit_button.setToolTip(why)

    # --- closing -----------------------------------------------------------------------------
    def close_the_day(self) -> None:
        current = self.till
        if current is None or current.is_empty:
            return
        counted: dict[str, int] = {}
        for row in self.count_rows:
            try:
                amount = row.amount()
            except UserError as error:
                self.close_error.setText(f"{row.line.name}: {error.message()}")
                row.counted.setFocus()
                return
            if amount is not None:
                counted[row.line.volunteer_key] = amount
        # Off the GUI thread: once the close is committed the post is backed up (here and off
        # the laptop), which takes seconds on a big post. The close cannot be stopped half-way.
        db, actor, note = self._db, self._actor, self.note.text()
        run_op_in_background(
            self,
            tr("Closing the day and backing up the post…"),
            lambda _progress: close_day(
                db, current.day, counted, actor, through_seq=current.through_seq, note=note
            ),
            success=self._closed,
            failure=self._close_refused,
            cancellable=False,
            boxed=False,  # under the counts, in red
        )

    def _close_refused(self, refused: UserError) -> None:
        self.close_error.setText(refused.message())
        if refused.key == "till_changed":
            self.show_till()  # the new receipts, with what was typed kept
            self.close_error.setText(refused.message())
        elif refused.key == "close_needs_note":
            self.note.setFocus()

    def _closed(self, close_id: int) -> None:
        """This window shows the close it made, then its summary; other views (the main
        window's banner, the dashboards) by the change notice."""
        self.note.clear()
        self.count_rows = []
        self.refresh()
        self.show_summary(close_id)

    def show_summary(self, close_id: int) -> None:
        """The daily summary of close ``close_id``, to print or save."""
        key = next((c.key for c in self.close_rows if c.id == close_id), str(close_id))
        self.summary_dialog = SummaryDialog(self._db, close_id, key, self, actor=self._actor)
        self.summary_dialog.open()

    def show_selected_summary(self) -> None:
        chosen = self.selected_closes()
        if len(chosen) == 1:
            self.show_summary(chosen[0].id)

    # --- deposits ----------------------------------------------------------------------------
    def ask_deposit(self) -> None:
        chosen = self.selected_closes()
        if not self.deposit_button.isEnabled() or not chosen:
            return
        dialog = DepositDialog(self._db, self._actor, chosen, self._today(), self)
        self.deposit_dialog = dialog
        dialog.open()

    def _cash_changed(self) -> None:
        """A close or deposit made here or elsewhere (the deposit dialog): the cash held and the
        closes again; the till and what was typed in it stay."""
        self.show_position()
        self.show_closes()
