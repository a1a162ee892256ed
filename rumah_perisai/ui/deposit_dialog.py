"""Recording cash taken to the bank against closed days (the cash window's Record a bank
deposit…): the slip's bank, reference, date and amount, refused as one line when wrong."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.db.uow import Database
from rumah_perisai.i18n import tr
from rumah_perisai.services.cash import BANK_NAMES, BANKS, CloseRow, record_deposit
from rumah_perisai.services.dues import parse_cash
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.buttons import cancel_and
from rumah_perisai.ui.date_field import UNFINISHED, DateField
from rumah_perisai.ui.discard import AsksBeforeDiscarding
from rumah_perisai.ui.look import ERROR_STYLE
from rumah_perisai.ui.operations import run_op


class DepositDialog(AsksBeforeDiscarding):
    """A coordinator records cash taken to the bank against the chosen closes."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        chosen: list[CloseRow],
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("depositDialog")
        self.setProperty("help_topic", "cash")
        self._db = db
        self._actor = actor
        self.chosen = chosen
        self.setWindowTitle(tr("Record a bank deposit"))
        counted = sum(c.counted for c in chosen)
        days = ", ".join(formats.day(c.day) for c in sorted(chosen, key=lambda c: c.day))
        intro = QLabel(
            tr(
                "Cash of {count} closed day(s) ({days}), counted {amount}. Copy the bank "
                "slip below.",
                count=len(chosen),
                days=days,
                amount=formats.money(counted),
            )
        )
        intro.setWordWrap(True)
        self.bank = QComboBox()
        self.bank.setObjectName("bank")
        for code in BANKS:
            self.bank.addItem(BANK_NAMES.get(code, tr("Other bank")), code)
        self.bank_name = QLineEdit()
        self.bank_name.setObjectName("bankName")
        self.bank_name.setPlaceholderText(tr("name of the other bank"))
        self.bank_name.setEnabled(False)
        self.bank.currentIndexChanged.connect(
            lambda _i: self.bank_name.setEnabled(self.bank.currentData() == "other")
        )
        self.reference = QLineEdit()
        self.reference.setObjectName("reference")
        self.reference.setMaxLength(60)
        self.reference.setPlaceholderText(tr("the number on the bank slip"))
        self.deposited_on = DateField()  # typed dd-mm-yyyy in one go, as every date is
        self.deposited_on.setObjectName("depositedOn")
        self.deposited_on.setDate(today)
        self.amount = QLineEdit(formats.money(counted))
        self.amount.setObjectName("amount")
        self.amount.setMaxLength(20)
        form = QFormLayout()
        form.addRow(tr("&Bank:"), self.bank)
        form.addRow(tr("Other bank's &name:"), self.bank_name)
        form.addRow(tr("&Reference on the slip:"), self.reference)
        form.addRow(tr("&Date deposited:"), self.deposited_on)
        form.addRow(tr("&Amount deposited:"), self.amount)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.save_button = QPushButton(tr("Record the de&posit"))
        self.save_button.setObjectName("save")
        self.save_button.clicked.connect(self.save)
        buttons = cancel_and(self, self.save_button)
        self.cancel_button = _first_widget(buttons)
        assert isinstance(self.cancel_button, QPushButton)
        self.cancel_button.setText(tr("Bac&k"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.reference.setFocus()
        self.resize(540, self.sizeHint().height())

    def has_typed_work(self) -> bool:
        """Escape or Cancel: a slip reference already typed is not thrown away unasked."""
        return bool(self.reference.text().strip())

    def save(self) -> None:
        run_op(
            self,
            self._record,
            success=self._recorded,
            failure=lambda error: self.error.setText(error.message()),
            boxed=False,  # under the form, in red
        )

    def _record(self) -> int | None:
        """The deposit's id; None when the date is not a date yet (said under the form)."""
        amount = parse_cash(self.amount.text())
        picked = self.deposited_on.date()
        if picked is None:
            self.error.setText(self.deposited_on.problem() or tr(UNFINISHED))
            self.deposited_on.setFocus()
            return None
        return record_deposit(
            self._db,
            bank=str(self.bank.currentData()),
            bank_name=self.bank_name.text() if self.bank.currentData() == "other" else "",
            reference=self.reference.text(),
            deposited_on=picked,
            amount=amount,
            close_ids=[c.id for c in self.chosen],
            actor=self._actor,
        )

    def _recorded(self, deposit_id: int | None) -> None:
        """Done: the cash window shows the deposit by the change notice."""
        if deposit_id is not None:
            self.accept()


def _first_widget(row: QHBoxLayout) -> QWidget | None:
    """The dismiss button ``cancel_and`` put first in ``row``."""
    item = row.itemAt(0)
    return item.widget() if item is not None else None
