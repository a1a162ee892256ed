"""Taking dues: how many months, what they cost, the cash handed over and the change.

Keyboard first: Alt+1, Alt+3, Alt+6, Alt+2 (12) or the arrow keys choose the months; the cash
field has focus; Enter saves once the cash is enough. Every rule is the dues service's: the
dialog shows its plan (arrears first, each month at its own rates) and its refusals. The
receipt is committed before anything is printed; then its preview opens.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.coverage import PAYABLE_MONTH_COUNTS, Status
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.dues import (
    PaymentOptions,
    PaymentPlan,
    check_cash,
    parse_cash,
    payment_options,
    take_payment,
)
from rumah_perisai.services.registration import rejoin
from rumah_perisai.services.settings import RECEIPT_LAYOUT, get_setting
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.discard import AsksBeforeDiscarding
from rumah_perisai.ui.look import ERROR_STYLE, NUMBER
from rumah_perisai.ui.operations import run_op
from rumah_perisai.ui.participant_model import STATUS_COLOURS

PLAN_HEIGHT = 470  # logical pixels: fits 1366×768 at 125% with room to spare
REFUSAL_HEIGHT = 240
AMOUNT = NUMBER


def month_count_label(count: int) -> str:
    """The radio button of a month count, with its Alt key (12: Alt+2)."""
    return {
        1: tr("&1 month"),
        3: tr("&3 months"),
        6: tr("&6 months"),
        12: tr("1&2 months"),
    }[count]


def _item(text: str, align: Qt.AlignmentFlag | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if align is not None:
        item.setTextAlignment(align)
    return item


class PaymentDialog(AsksBeforeDiscarding):
    """One participant's dues. ``paid`` carries the participant's id once a receipt is saved
    (the window that opened it shows its receipts next); other views learn of the payment, or
    of a rejoin, from the change notices."""

    paid = Signal(int)

    def __init__(
        self,
        db: Database,
        folder: DataFolder,
        actor: Actor,
        participant_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("paymentDialog")
        self.setProperty("help_topic", "payment")
        self._db = db
        self._folder = folder
        self._actor = actor
        self._id = participant_id
        self.options: PaymentOptions = payment_options(db, participant_id)
        self.saved_receipt_id: int | None = None
        self.message_box: QMessageBox | None = None
        self.confirm_box: QMessageBox | None = None
        self._build()
        self.show_options()
        # No change notice redraws the plan under the volunteer's eyes: the months shown are
        # the ones confirmed (``expect_months``); a month paid meanwhile is refused, then shown
        # again (``save``). Its own rejoin shows the new plan (``do_rejoin``).

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setWindowTitle(tr("Take dues"))
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)

        self.refusal = QLabel()
        self.refusal.setObjectName("refusal")
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet(
            "#refusal { color: #b71c1c; background: #ffebee; padding: 10px; font-size: 11pt; }"
        )
        self.rejoin_button = QPushButton(tr("&Reactivate (rejoin)"))
        self.rejoin_button.setObjectName("rejoin")
        self.rejoin_button.setAutoDefault(False)
        self.rejoin_button.clicked.connect(self.ask_rejoin)
        self.refusal_box = QWidget()
        refusal_layout = QVBoxLayout(self.refusal_box)
        refusal_layout.setContentsMargins(0, 0, 0, 0)
        refusal_layout.addWidget(self.refusal)
        refusal_layout.addWidget(self.rejoin_button, 0, Qt.AlignmentFlag.AlignLeft)
        refusal_layout.addStretch(1)

        self.plan_box = QWidget()
        plan_layout = QVBoxLayout(self.plan_box)
        plan_layout.setContentsMargins(0, 0, 0, 0)
        counts = QHBoxLayout()
        counts.addWidget(QLabel(tr("Pay for:")))
        self.count_group = QButtonGroup(self)
        self.count_buttons: dict[int, QRadioButton] = {}
        for count in PAYABLE_MONTH_COUNTS:
            button = QRadioButton(month_count_label(count))
            button.setObjectName(f"months{count}")
            self.count_group.addButton(button, count)
            self.count_buttons[count] = button
            counts.addWidget(button)
        counts.addStretch(1)
        self.count_buttons[PAYABLE_MONTH_COUNTS[0]].setChecked(True)
        self.count_group.idToggled.connect(self._count_toggled)
        plan_layout.addLayout(counts)

        middle = QHBoxLayout()
        self.months = QTableWidget(0, 6)
        self.months.setObjectName("months")
        self.months.verticalHeader().setVisible(False)
        self.months.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.months.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.months.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.months.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.months.horizontalHeader().setStretchLastSection(True)
        middle.addWidget(self.months, 3)

        summary = QFrame()
        summary.setObjectName("summary")
        summary.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(summary)
        self.summary_labels: dict[str, tuple[QLabel, QLabel]] = {}
        names = (
            ("jkk", tr("JKK (work accident)")),
            ("jkm", tr("JKM (death)")),
            ("jht", tr("JHT (old age)")),
        )
        for row, (key, text) in enumerate(names):
            label, amount = QLabel(text), QLabel()
            amount.setAlignment(AMOUNT)
            amount.setObjectName(f"{key}Amount")
            grid.addWidget(label, row, 0)
            grid.addWidget(amount, row, 1)
            self.summary_labels[key] = (label, amount)
        total_caption = QLabel(tr("Total"))
        self.total = QLabel()
        self.total.setObjectName("total")
        self.total.setAlignment(AMOUNT)
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.8)
        big.setBold(True)
        self.total.setFont(big)
        total_caption.setFont(big)
        grid.addWidget(total_caption, len(names), 0)
        grid.addWidget(self.total, len(names), 1)
        self.cover_after = QLabel()
        self.cover_after.setObjectName("coverAfter")
        self.cover_after.setWordWrap(True)
        grid.addWidget(self.cover_after, len(names) + 1, 0, 1, 2)
        self.arrears_note = QLabel()
        self.arrears_note.setObjectName("arrearsNote")
        self.arrears_note.setWordWrap(True)
        self.arrears_note.setStyleSheet("color: #8a4b00;")
        grid.addWidget(self.arrears_note, len(names) + 2, 0, 1, 2)
        grid.setRowStretch(len(names) + 3, 1)
        middle.addWidget(summary, 2)
        plan_layout.addLayout(middle, 1)

        cash_row = QHBoxLayout()
        cash_label = QLabel(tr("&Cash received:"))
        self.cash = QLineEdit()
        self.cash.setObjectName("cash")
        self.cash.setPlaceholderText(tr("e.g. 50000"))
        self.cash.setMaxLength(20)
        cash_font = QFont(self.font())
        cash_font.setPointSizeF(cash_font.pointSizeF() * 1.4)
        self.cash.setFont(cash_font)
        self.cash.setMinimumWidth(180)
        cash_label.setBuddy(self.cash)
        self.change = QLabel()
        self.change.setObjectName("change")
        self.change.setFont(big)
        self.change.setStyleSheet("color: #1b5e20;")
        cash_row.addWidget(cash_label)
        cash_row.addWidget(self.cash)
        cash_row.addSpacing(16)
        cash_row.addWidget(self.change, 1)
        plan_layout.addLayout(cash_row)
        self.cash_error = QLabel()
        self.cash_error.setObjectName("cashError")
        self.cash_error.setWordWrap(True)
        self.cash_error.setStyleSheet(ERROR_STYLE)
        plan_layout.addWidget(self.cash_error)
        self.cash.textChanged.connect(lambda _text: self.check())

        self.save_button = QPushButton(tr("&Save and print receipt (Enter)"))
        self.save_button.setObjectName("save")
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(tr("Ca&ncel"))
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.status)
        layout.addWidget(self.refusal_box, 1)
        layout.addWidget(self.plan_box, 1)
        layout.addLayout(buttons)
        self.save_button.setDefault(True)
        self.resize(860, PLAN_HEIGHT)

    # --- what is shown -----------------------------------------------------------------------
    @property
    def plan(self) -> PaymentPlan | None:
        if not self.options.plans:
            return None
        return self.options.plan(self.month_count)

    @property
    def month_count(self) -> int:
        count = self.count_group.checkedId()
        return count if count in PAYABLE_MONTH_COUNTS else PAYABLE_MONTH_COUNTS[0]

    def reload(self) -> None:
        self.options = payment_options(self._db, self._id)
        self.show_options()

    def show_options(self) -> None:
        o = self.options
        # The title shows in the taskbar and window switcher: the number only, never the name.
        self.setWindowTitle(tr("Take dues — {number}", number=o.registration_no))
        programmes = "JKK + JKM + JHT" if o.with_jht else "JKK + JKM"
        self.heading.setText(
            f"<span style='font-size: 15pt; font-weight: bold'>{o.name}</span>"
            f"&nbsp;&nbsp; {o.registration_no} · {programmes} · "
            + tr("income {amount}", amount=formats.money(o.income))
        )
        foreground, background = STATUS_COLOURS[o.status]
        text = f"<b>{o.status_text}</b>"
        if o.cover_until is not None:
            text += " — " + tr("covered until {day}", day=formats.day(o.cover_until))
        else:
            text += " — " + tr("not covered yet")
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {foreground}; background: {background}; padding: 6px;")
        payable = bool(o.plans)
        self.plan_box.setVisible(payable)
        self.refusal_box.setVisible(not payable)
        self.save_button.setVisible(payable)
        if not payable:
            self.refusal.setText(o.refusal or "")
            self.rejoin_button.setVisible(o.status is Status.LAPSED)
            self.cancel_button.setText(tr("&Close"))
            if o.status is Status.LAPSED:
                self.rejoin_button.setFocus()
            else:
                self.cancel_button.setFocus()
            self.resize(self.width(), REFUSAL_HEIGHT)
            return
        self.cancel_button.setText(tr("Ca&ncel"))
        self.resize(self.width(), max(self.height(), PLAN_HEIGHT))
        self.show_plan()
        self.cash.setFocus()

    def _count_toggled(self, _count: int, checked: bool) -> None:
        if checked:
            self.show_plan()

    def show_plan(self) -> None:
        plan = self.plan
        if plan is None:
            return
        with_jht = self.options.with_jht
        self.months.setHorizontalHeaderLabels(
            [tr("Month"), "JKK", "JKM", "JHT", tr("Amount"), tr("Note")]
        )
        self.months.setColumnHidden(3, not with_jht)
        self.months.setRowCount(len(plan.months))
        for row, due in enumerate(plan.months):
            note = tr("arrears") if due.arrears else ""
            cells = (
                _item(formats.month(due.month)),
                _item(formats.money(due.jkk), AMOUNT),
                _item(formats.money(due.jkm), AMOUNT),
                _item(formats.money(due.jht), AMOUNT),
                _item(formats.money(due.total), AMOUNT),
                _item(note),
            )
            for column, item in enumerate(cells):
                if due.arrears:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.months.setItem(row, column, item)
        for key, amount in (("jkk", plan.jkk), ("jkm", plan.jkm), ("jht", plan.jht)):
            label, value = self.summary_labels[key]
            value.setText(formats.money(amount))
            label.setVisible(key != "jht" or with_jht)
            value.setVisible(key != "jht" or with_jht)
        self.total.setText(formats.money(plan.total))
        self.cover_after.setText(
            tr(
                "Once paid: <b>{months}</b>, covered until <b>{day}</b>.",
                months=formats.month_range(plan.first_month, plan.last_month),
                day=formats.day(plan.cover_until),
            )
        )
        arrears = plan.arrears_count
        self.arrears_note.setVisible(bool(arrears))
        self.arrears_note.setText(
            tr(
                "{count} month(s) in arrears are paid first (months already ended unpaid).",
                count=arrears,
            )
        )
        self.check()

    def check(self) -> int | None:
        """The cash as typed against the total: the change, or the error inline (in red)."""
        plan = self.plan
        text = self.cash.text()
        self.change.clear()
        self.cash_error.clear()
        if plan is None or not text.strip():
            self.save_button.setEnabled(False)
            return None
        try:
            change = check_cash(parse_cash(text), plan.total)
        except UserError as error:
            self.cash_error.setText(error.message())
            self.save_button.setEnabled(False)
            return None
        self.change.setText(tr("Change: {amount}", amount=formats.money(change)))
        self.save_button.setEnabled(True)
        return change

    def has_typed_work(self) -> bool:
        """Escape or Cancel: the cash already typed is not thrown away unasked."""
        return self.plan_box.isVisible() and bool(self.cash.text().strip())

    # --- saving ------------------------------------------------------------------------------
    def save(self) -> None:
        plan = self.plan
        if plan is None or self.check() is None:
            return
        cash = parse_cash(self.cash.text())
        months = [m.month for m in plan.months]
        done = run_op(
            self,
            lambda: take_payment(
                self._db, self._id, plan.month_count, cash, self._actor, expect_months=months
            ),
            success=lambda paid: self._saved(paid.receipt_id),
            # A busy database changed nothing: the same payment can simply be tried again.
            retry=self.save,
            failure=lambda _error: self.reload(),  # what is owed may have changed meanwhile
            title=tr("Not saved"),
        )
        if not done:
            self.message_box = done.box

    def _saved(self, receipt_id: int) -> None:
        self.saved_receipt_id = receipt_id
        self.accept()
        self.paid.emit(self._id)
        self.open_receipt(receipt_id)

    def open_receipt(self, receipt_id: int) -> None:
        """The new receipt's preview, on the window that opened this dialog."""
        from rumah_perisai.ui.receipt_dialog import ReceiptDialog

        layout = str(get_setting(self._db, RECEIPT_LAYOUT))
        self.receipt_dialog = ReceiptDialog(
            self._db,
            self._folder,
            receipt_id,
            layout,
            False,
            self.parentWidget(),
            actor=self._actor,
        )
        self.receipt_dialog.open()

    # --- a lapsed membership -----------------------------------------------------------------
    def ask_rejoin(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("Reactivate membership"),
            tr(
                "Reactivate {name}'s membership? It starts again this month, without a new "
                "free promotion; then take the first payment.",
                name=self.options.name,
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.buttonClicked.connect(
            lambda button: (
                self.do_rejoin()
                if box.standardButton(button) == QMessageBox.StandardButton.Yes
                else None
            )
        )
        self.confirm_box = box
        box.open()

    def do_rejoin(self) -> None:
        done = run_op(
            self,
            lambda: rejoin(self._db, self._id, self._actor),
            success=lambda _start: self.reload(),
            wait=False,
        )
        if not done:
            self.message_box = done.box
