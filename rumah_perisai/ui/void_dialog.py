"""Voiding a wrong receipt: what it would do first, then a reason, then the void's own receipt.

A receipt is never deleted or edited: a void is a receipt of its own, printed too. The dialog
shows the service's preview (``void_preview``): whether the money comes back out of today's
cash as a refund, and the participant's status now and after. Only a coordinator voids (the
service checks it as well).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.coverage import status_label
from rumah_perisai.i18n import tr
from rumah_perisai.services.dues import MAX_REASON, VoidPreview, void_preview, void_receipt
from rumah_perisai.services.settings import RECEIPT_LAYOUT, get_setting
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.buttons import cancel_and
from rumah_perisai.ui.discard import AsksBeforeDiscarding
from rumah_perisai.ui.operations import run_op
from rumah_perisai.ui.participant_model import STATUS_COLOURS


def _months_text(preview: VoidPreview) -> str:
    if not preview.months:
        return "—"
    first, last = preview.months[0], preview.months[-1]
    return tr(
        "{months} ({count} months)",
        months=formats.month_range(first, last),
        count=len(preview.months),
    )


def void_unavailable(*, coordinator: bool, voidable: bool) -> str:
    """Why the participant view's void button is disabled, to show as visible text beside it
    ("" when it is enabled): a tooltip alone needs a mouse."""
    if not coordinator:
        return tr("Only a coordinator can void a receipt.")
    if not voidable:
        return tr("Choose a payment that is not voided yet.")
    return ""


class VoidDialog(AsksBeforeDiscarding):
    """Void receipt ``receipt_id``. ``voided`` carries the void's receipt id once saved."""

    voided = Signal(int)

    def __init__(
        self,
        db: Database,
        folder: DataFolder,
        actor: Actor,
        receipt_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("voidDialog")
        self.setProperty("help_topic", "void")
        self._db = db
        self._folder = folder
        self._actor = actor
        self.preview: VoidPreview = void_preview(db, receipt_id)
        p = self.preview
        self.setWindowTitle(tr("Void receipt {number}", number=p.number))

        intro = QLabel(
            tr(
                "A voided receipt stays in the records, marked as voided; the void gets a "
                "receipt of its own, which is printed."
            )
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        rows = (
            (tr("Receipt:"), f"<b>{p.number}</b>"),
            (tr("Participant:"), p.participant_name),
            (tr("Date:"), formats.day(p.issued_on)),
            (tr("Months:"), _months_text(p)),
            (tr("Amount:"), f"<b>{formats.money(p.total)}</b>"),
        )
        for label, value in rows:
            shown = QLabel(value)
            shown.setTextFormat(Qt.TextFormat.RichText)
            form.addRow(label, shown)

        self.money = QLabel()
        self.money.setObjectName("money")
        self.money.setWordWrap(True)
        if p.refund:
            if p.earlier_day:
                why = tr("this receipt is from an earlier day, {day}", day=formats.day(p.issued_on))
            else:
                why = tr("today's cash was already counted with this receipt in it")
            self.money.setText(
                tr(
                    "<b>Refund:</b> {why}, so the {amount} is paid back to the participant out "
                    "of today's cash. In today's close it counts against the cash of {name}.",
                    why=why,
                    amount=formats.money(p.total),
                    name=actor.name,
                )
            )
            self.money.setStyleSheet("background: #fff3e0; color: #8a4b00; padding: 6px;")
        else:
            self.money.setText(
                tr(
                    "This receipt is in today's cash, not yet counted: give the {amount} back "
                    "to the participant; today's expected cash goes down by it.",
                    amount=formats.money(p.total),
                )
            )
            self.money.setStyleSheet("background: #f5f5f5; padding: 6px;")
        form.addRow(tr("Money:"), self.money)

        self.status_change = QLabel()
        self.status_change.setObjectName("statusChange")
        self.status_change.setWordWrap(True)
        self.status_change.setTextFormat(Qt.TextFormat.RichText)
        now_fg, now_bg = STATUS_COLOURS[p.status_now]
        after_fg, after_bg = STATUS_COLOURS[p.status_after]
        status_text = (
            f"<span style='color: {now_fg}; background: {now_bg}'>&nbsp;"
            f"{status_label(p.status_now)}&nbsp;</span> → "
            f"<span style='color: {after_fg}; background: {after_bg}'>&nbsp;<b>"
            f"{status_label(p.status_after)}</b>&nbsp;</span>"
        )
        if p.cover_until_after is not None:
            status_text += "<br>" + tr(
                "covered until {day} after the void", day=formats.day(p.cover_until_after)
            )
        else:
            status_text += "<br>" + tr("not covered after the void")
        if p.stranded_months:
            status_text += (
                "<br><span style='color: #8a4b00'>"
                + tr(
                    "{months} stay paid but do not count as cover until the voided months are paid "
                    "again (payments never skip a month).",
                    months=formats.month_range(p.stranded_months[0], p.stranded_months[-1]),
                )
                + "</span>"
            )
        self.status_change.setText(status_text)
        form.addRow(tr("Status:"), self.status_change)

        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setMaxLength(MAX_REASON)
        self.reason.setPlaceholderText(tr("e.g. wrong participant, wrong number of months"))
        reason_label = QLabel(tr("&Reason (required):"))
        reason_label.setBuddy(self.reason)
        form.addRow(reason_label, self.reason)

        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b71c1c;")

        self.confirm_button = QPushButton(tr("&Void the receipt"))
        self.confirm_button.setObjectName("confirm")
        self.confirm_button.setEnabled(False)
        self.confirm_button.clicked.connect(self.confirm)
        buttons = cancel_and(self, self.confirm_button)
        # "Back", not "Cancel", beside "Void the receipt" (in Indonesian: Batal / Batalkan).
        back = _first_widget(buttons)
        assert isinstance(back, QPushButton)
        back.setText(tr("&Back"))
        self.back_button = back

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.reason.textChanged.connect(
            lambda text: self.confirm_button.setEnabled(bool(text.strip()))
        )
        self.reason.setFocus()
        self.resize(640, self.sizeHint().height())

    def has_typed_work(self) -> bool:
        """Escape or Back: a reason already typed is not thrown away unasked."""
        return bool(self.reason.text().strip())

    def confirm(self) -> None:
        if not self.reason.text().strip():
            return
        receipt_id, reason = self.preview.receipt_id, self.reason.text()
        run_op(
            self,
            lambda: void_receipt(self._db, receipt_id, reason, self._actor),
            success=lambda done: self._voided(done.receipt_id),
            failure=lambda error: self.error.setText(error.message()),
            boxed=False,  # under the reason, in red
        )

    def _voided(self, void_id: int) -> None:
        """The void's own receipt; the views of receipts and cash show it by the notice."""
        self.void_id = void_id
        self.accept()
        self.voided.emit(void_id)
        self.open_receipt(void_id)

    def open_receipt(self, receipt_id: int) -> None:
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


def _first_widget(row: QHBoxLayout) -> QWidget | None:
    """The dismiss button ``cancel_and`` put first in ``row``."""
    item = row.itemAt(0)
    return item.widget() if item is not None else None
