"""Paper receipts after a restore: a coordinator enters again, one paper half at a time, the
receipts printed after the backup, or records a number whose half is lost (issue 16).

The dialog says what the backup holds and which number comes next (the number field is filled
with it: the paper in hand must carry it, or that paper is lost). Every check is the service's
(``services.paper_receipts``): a refusal is one line under the form, and nothing is recorded.
The form keeps the date and the collector for the next paper. "Finished" needs the highest
number printed since the backup; until then the main window says payments are held.

Keyboard first: the number field has focus (a USB scanner types a paper's QR code into it);
Enter saves the receipt.
"""

from __future__ import annotations

from datetime import date, time

from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.coverage import PAYABLE_MONTH_COUNTS
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import language, tr
from rumah_perisai.services.dues import parse_cash
from rumah_perisai.services.paper_receipts import (
    Entered,
    PaperReceipt,
    PaperStatus,
    enter_paper_receipt,
    find_participant,
    finish,
    paper_status,
    record_lost_number,
)
from rumah_perisai.services.volunteers import Actor, accounts
from rumah_perisai.ui.look import ERROR_STYLE, GOOD_STYLE, NUMBER, WARNING_STYLE
from rumah_perisai.ui.operations import run_op
from rumah_perisai.ui.paper_banner import HOLD_STYLE

COLUMNS = 5  # number, printed, participant, amount, collector (or why lost)


def _when(status: PaperStatus, moment: object) -> str:
    from datetime import datetime

    assert isinstance(moment, datetime)
    return formats.moment(moment, status.timezone)


class PaperReceiptsDialog(QDialog):
    """The paper receipts printed after the backup, entered again. What is recorded here
    reaches the main window's hold banner by the change notice."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paperReceiptsDialog")
        self.setProperty("help_topic", "paper_receipts")
        self._db = db
        self._actor = actor
        self.status: PaperStatus = paper_status(db)
        self._build()
        self.retranslate()
        if self.status.backup_created_at is not None:
            made = self.status.backup_created_at
            self.set_printed(made.date(), made.time())
            self.set_first_month(made.date())
        self.show_status()
        self.number.setFocus()

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.intro = QLabel()
        self.intro.setObjectName("intro")
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.RichText)
        self.next_label = QLabel()
        self.next_label.setObjectName("next")
        self.next_label.setStyleSheet(HOLD_STYLE)

        self.number = QLineEdit()
        self.number.setObjectName("number")
        # The month as the receipt prints it ("Juli 2027"), in its language; the day typed as
        # every date is (dd-mm-yyyy).
        locale = QLocale(QLocale.Language.Indonesian if language() == "id" else
                         QLocale.Language.English, QLocale.Country.Indonesia)  # fmt: skip
        self.printed = QDateTimeEdit()
        self.printed.setObjectName("printed")
        self.printed.setLocale(locale)
        self.printed.setDisplayFormat("dd-MM-yyyy  HH.mm")  # typed as every date is
        self.printed.setCalendarPopup(True)
        self.participant = QLineEdit()
        self.participant.setObjectName("participant")
        self.person = QLabel()
        self.person.setObjectName("person")
        self.first_month = QDateEdit()
        self.first_month.setObjectName("firstMonth")
        self.first_month.setLocale(locale)
        self.first_month.setDisplayFormat("MMMM yyyy")
        self.month_count = QComboBox()
        self.month_count.setObjectName("monthCount")
        for count in PAYABLE_MONTH_COUNTS:
            self.month_count.addItem(str(count), count)
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount.setAlignment(NUMBER)
        self.cash = QLineEdit()
        self.cash.setObjectName("cash")
        self.cash.setAlignment(NUMBER)
        self.collector = QComboBox()
        self.collector.setObjectName("collector")
        for account in accounts(self._db):
            self.collector.addItem(account.name, account.key)
        self.save_button = QPushButton()
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form_labels = [QLabel() for _ in range(8)]
        widgets: list[QWidget] = [
            self.number, self.printed, self.participant, self.person, self.first_month,
            self.month_count, self.amount, self.cash,
        ]  # fmt: skip
        for label, widget in zip(self.form_labels, widgets, strict=True):
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.collector_label = QLabel()
        self.collector_label.setBuddy(self.collector)
        form.addRow(self.collector_label, self.collector)
        form.addRow("", self.save_button)
        self.receipt_box = QGroupBox()
        self.receipt_box.setLayout(form)

        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.lost_button = QPushButton()
        self.lost_button.setObjectName("lost")
        self.lost_button.setAutoDefault(False)
        self.lost_button.clicked.connect(self.record_lost)
        lost = QFormLayout()
        self.reason_label = QLabel()
        self.reason_label.setBuddy(self.reason)
        lost.addRow(self.reason_label, self.reason)
        lost.addRow("", self.lost_button)
        self.lost_box = QGroupBox()
        self.lost_box.setLayout(lost)

        left_side = QWidget()
        left_side.setMaximumWidth(450)  # the list beside it gets the rest (1366×768 at 125 %)
        left = QVBoxLayout(left_side)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.receipt_box)
        left.addWidget(self.lost_box)
        left.addStretch(1)

        self.table = QTableWidget(0, COLUMNS)
        self.table.setObjectName("entered")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # One row at a time, by keyboard too: what its tooltips say shows under the list.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The name and the collector (or why lost) share what is left, elided; the full text
        # is in the tooltip.
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.cash_note = QLabel()
        self.cash_note.setObjectName("cashNote")
        self.cash_note.setWordWrap(True)
        self.cash_note.setStyleSheet(WARNING_STYLE)
        self.row_detail = QLabel()
        self.row_detail.setObjectName("rowDetail")
        self.row_detail.setWordWrap(True)
        self.table.currentCellChanged.connect(lambda row, *_: self.show_row_detail(row))
        right = QVBoxLayout()
        self.table_label = QLabel()
        self.table_label.setBuddy(self.table)
        right.addWidget(self.table_label)
        right.addWidget(self.table, 1)
        right.addWidget(self.row_detail)
        right.addWidget(self.cash_note)

        middle = QHBoxLayout()
        middle.addWidget(left_side, 0)
        middle.addLayout(right, 1)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.highest = QLineEdit()
        self.highest.setObjectName("highest")
        self.highest_label = QLabel()
        self.highest_label.setBuddy(self.highest)
        self.finish_button = QPushButton()
        self.finish_button.setObjectName("finish")
        self.finish_button.setAutoDefault(False)
        self.finish_button.clicked.connect(self.finish)
        self.close_button = QPushButton()
        self.close_button.setObjectName("close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        foot = QHBoxLayout()
        foot.addWidget(self.highest_label)
        foot.addWidget(self.highest, 1)
        foot.addWidget(self.finish_button)
        foot.addStretch(1)
        foot.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.next_label)
        layout.addLayout(middle, 1)
        layout.addWidget(self.message)
        layout.addWidget(line)
        layout.addLayout(foot)
        self.participant.textChanged.connect(lambda _text: self.show_person())
        self.printed.dateTimeChanged.connect(lambda _moment: self.show_person())
        self.resize(1000, 560)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Paper receipts after the restore"))
        self.receipt_box.setTitle(tr("A paper receipt, as printed"))
        texts = [
            tr("Receipt &number:"), tr("Printed &on:"), tr("&Participant (reg. no. / KPJ):"),
            "", tr("&First month:"), tr("Number of &months:"), tr("&Amount (Rp):"),
            tr("Cash &received (Rp):"),
        ]  # fmt: skip
        for label, text in zip(self.form_labels, texts, strict=True):
            label.setText(text)
        self.number.setPlaceholderText(tr("as printed, or scan its QR code"))
        self.cash.setPlaceholderText(tr("if legible on the paper"))
        self.collector_label.setText(tr("Co&llector:"))
        self.save_button.setText(tr("&Save this receipt"))
        self.lost_box.setTitle(tr("This number's paper half is lost"))
        self.reason_label.setText(tr("W&hy:"))
        self.reason.setPlaceholderText(tr("what happened to it, and what the participant says"))
        self.lost_button.setText(tr("Record the number as l&ost"))
        self.table_label.setText(tr("&Entered since the restore:"))
        self.table.setHorizontalHeaderLabels(
            [
                tr("Number"),
                tr("Printed"),
                tr("Participant"),
                tr("Amount"),
                tr("Collector / why lost"),
            ]  # fmt: skip
        )
        self.highest_label.setText(tr("Highest number &printed since the backup:"))
        self.finish_button.setText(tr("Finished: &take payments again"))
        self.close_button.setText(tr("Close this &window"))

    # --- what is shown -----------------------------------------------------------------------
    def show_status(self) -> None:
        s = self.status
        if not s.restored:
            self.intro.setText(tr("This post was not restored from a backup: there are no paper "
                                  "receipts to enter again."))  # fmt: skip
        else:
            self.intro.setText(self._intro(s))
        self.next_label.setText(self._next_text(s))
        self.next_label.setVisible(s.restored)
        open_ = s.held and s.branch_ahead is None
        for widget in (self.receipt_box, self.lost_box, self.highest, self.finish_button):
            widget.setEnabled(open_)
        if open_ and s.expected and not self.number.text().strip():
            self.number.setText(s.expected[0])
        if not self.highest.isModified():  # what the coordinator typed there stays
            self.highest.setText(s.last_entered or "")
        self.show_rows()
        if s.open_days:
            days = ", ".join(formats.day(day) for day in s.open_days)
            self.cash_note.setText(
                tr(
                    "The cash of these receipts belongs to {days}, not closed since: close that "
                    "day again in File, Cash and daily close, with the cash counted then (the "
                    "printed daily summary, or the bank slip).",
                    days=days,
                )
            )
        self.cash_note.setVisible(bool(s.open_days))

    def _intro(self, s: PaperStatus) -> str:
        assert s.backup_created_at is not None and s.restored_at is not None
        text = tr(
            "This post was restored from a backup made <b>{made}</b> (restored {restored}). "
            "Its last receipt is <b>{last}</b>. Receipts printed after the backup exist only "
            "on their paper halves: enter each one in number order, as printed. Until you "
            "finish, payments, voids and the weekly batch are held.",
            made=_when(s, s.backup_created_at),
            restored=_when(s, s.restored_at),
            last=s.backup_last or tr("none"),
        )
        if s.branch_ahead is not None:
            text += "<br><span style='color:#b71c1c'>" + UserError(
                "paper_branch_ahead", seq=s.branch_ahead
            ).message() + "</span>"  # fmt: skip
        return text

    def _next_text(self, s: PaperStatus) -> str:
        if not s.held:
            return tr("Finished: new receipts follow {number}.", number=s.last_entered or "-")
        if s.branch_ahead is not None:
            return tr("Payments are held: restore the newer backup.")
        return tr(
            "Next number: {number}. If its paper half is lost, record it as lost below.",
            number=" / ".join(s.expected),
        )

    def show_rows(self) -> None:
        rows = self.status.rows
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            if row.lost:
                cells = [row.number, "—", tr("lost"), "", row.reason or ""]
                tips = ["", "", "", "", row.reason or ""]
            else:
                at = row.printed_at
                printed = f"{formats.day(at.date())} {at:%H.%M}" if at else ""
                cells = [row.number, printed, row.participant_name, formats.money(row.total),
                         row.collector]  # fmt: skip
                tips = ["", "", f"{row.participant_name} · {row.registration_no}",
                        row.months_text, tr("entered by {name}", name=row.entered_by)]  # fmt: skip
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tips[column])
                if column == 3:
                    item.setTextAlignment(NUMBER)
                if row.lost:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(index, column, item)
        self.table.scrollToBottom()
        self.show_row_detail(self.table.currentRow())

    def show_row_detail(self, row: int) -> None:
        """The full texts of row ``row`` (elided in the list; its tooltips need a mouse)."""
        rows = self.status.rows
        if not 0 <= row < len(rows):
            self.row_detail.clear()
            return
        entry = rows[row]
        if entry.lost:
            text = tr("{number}: lost — {reason}", number=entry.number, reason=entry.reason or "")
        else:
            text = tr(
                "{number}: {name} · {registration} · {months} · {amount} · collected by "
                "{collector}, entered by {entered_by}",
                number=entry.number,
                name=entry.participant_name,
                registration=entry.registration_no,
                months=entry.months_text,
                amount=formats.money(entry.total),
                collector=entry.collector,
                entered_by=entry.entered_by,
            )
        self.row_detail.setText(text)

    def show_person(self) -> None:
        text = self.participant.text().strip()
        found = find_participant(self._db, text, self._printed_date()) if text else None
        if found is None:
            self.person.setText(tr("not found at this post") if text else "")
            self.person.setStyleSheet(ERROR_STYLE if text else "")
            return
        self.person.setText(f"{found.name} · {found.registration_no} · {found.status_text}")
        self.person.setStyleSheet(GOOD_STYLE)

    def _printed_date(self) -> date:
        value = self.printed.date()
        return date(value.year(), value.month(), value.day())

    # --- doing -------------------------------------------------------------------------------
    def set_printed(self, day: date, at: time) -> None:
        self.printed.setDateTime(
            QDateTime(QDate(day.year, day.month, day.day), QTime(at.hour, at.minute))
        )

    def set_first_month(self, month: date) -> None:
        self.first_month.setDate(QDate(month.year, month.month, 1))

    def _entry(self) -> PaperReceipt:
        moment = self.printed.dateTime()
        first = self.first_month.date()
        cash = self.cash.text().strip()
        return PaperReceipt(
            number=self.number.text(),
            printed_on=self._printed_date(),
            printed_time=time(moment.time().hour(), moment.time().minute()),
            participant=self.participant.text(),
            first_month=date(first.year(), first.month(), 1),
            month_count=int(self.month_count.currentData()),
            total=parse_cash(self.amount.text()),
            collector=str(self.collector.currentData() or ""),
            cash_received=parse_cash(cash) if cash else None,
        )

    def save(self) -> None:
        run_op(
            self,
            lambda: enter_paper_receipt(self._db, self._entry(), self._actor),
            success=self._entered,
            failure=self._refused,
            boxed=False,  # the line under the form, in red
        )

    def _entered(self, entered: Entered) -> None:
        # The date and the collector stay: the next paper is often the same day's, same hand.
        for field in (self.number, self.participant, self.amount, self.cash):
            field.clear()
        self._done(tr("Receipt {number} entered again ({amount}).", number=entered.number,
                      amount=formats.money(entered.total)))  # fmt: skip

    def record_lost(self) -> None:
        number, reason = self.number.text(), self.reason.text()
        run_op(
            self,
            lambda: record_lost_number(self._db, number, reason, self._actor),
            success=self._lost,
            failure=self._refused,
            boxed=False,
        )

    def _lost(self, entered: Entered) -> None:
        self.number.clear()
        self.reason.clear()
        self._done(tr("Number {number} recorded as lost.", number=entered.number))

    def finish(self) -> None:
        text = self.highest.text().strip()
        run_op(
            self,
            lambda: finish(self._db, text or None, self._actor),
            success=lambda _done: self._done(tr("Finished: payments can be taken again.")),
            failure=self._refused,
            boxed=False,
        )

    def _refused(self, error: UserError) -> None:
        self.message.setText(error.message())
        self.message.setStyleSheet(ERROR_STYLE)

    def _done(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(GOOD_STYLE)
        self.status = paper_status(self._db)
        self.show_status()
        self.number.setFocus()
