"""A coordinator's list of the post's accounts: add, deactivate or bring back, reset a PIN."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    Account,
    AccountSetup,
    Actor,
    accounts,
    create_account,
    reset_pin,
    set_active,
)


def role_label(role: str) -> str:
    return tr("Coordinator") if role == ROLE_COORDINATOR else tr("Volunteer")


class NewAccountDialog(QDialog):
    """Name, role and PIN twice. With no ``actor`` it makes a post's first coordinator."""

    def __init__(self, db: Database, actor: Actor | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self.setWindowTitle(tr("New account"))
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.role = QComboBox()
        self.role.setObjectName("role")
        if actor is not None:
            self.role.addItem(role_label(ROLE_VOLUNTEER), ROLE_VOLUNTEER)
        self.role.addItem(role_label(ROLE_COORDINATOR), ROLE_COORDINATOR)
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin_again = QLineEdit()
        self.pin_again.setObjectName("pinAgain")
        for field in (self.pin, self.pin_again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMaxLength(8)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b71c1c;")
        self.error.setWordWrap(True)
        save = QPushButton(tr("&Create account"))
        save.setDefault(True)
        save.clicked.connect(self.make)
        form = QFormLayout()
        form.addRow(tr("&Name:"), self.name)
        form.addRow(tr("&Role:"), self.role)
        form.addRow(tr("&PIN (4–8 digits):"), self.pin)
        form.addRow(tr("PIN &again:"), self.pin_again)
        layout = QVBoxLayout(self)
        if actor is None:
            layout.addWidget(
                QLabel(
                    tr("This post has no coordinator yet. Create the first coordinator account.")
                )
            )
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(save)

    def make(self) -> None:
        if self.pin.text() != self.pin_again.text():
            self.error.setText(tr("The two PINs differ; nothing was created."))
            return
        try:
            create_account(
                self._db,
                AccountSetup(self.name.text(), self.pin.text()),
                str(self.role.currentData()),
                self._actor,
            )
        except UserError as error:
            self.error.setText(error.message())
            return
        self.accept()


class AccountsDialog(QDialog):
    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._accounts: list[Account] = []
        self.setWindowTitle(tr("Volunteer accounts"))
        self.resize(620, 420)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("accounts")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        add = QPushButton(tr("&Add…"))
        add.clicked.connect(self.add)
        self.toggle_button = QPushButton(tr("&Deactivate / activate"))
        self.toggle_button.clicked.connect(self.toggle)
        reset = QPushButton(tr("&Reset PIN…"))
        reset.clicked.connect(self.reset)
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (add, self.toggle_button, reset):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self._accounts = accounts(self._db)
        self.table.setHorizontalHeaderLabels([tr("Name"), tr("Role"), tr("State")])
        self.table.setRowCount(len(self._accounts))
        for row, account in enumerate(self._accounts):
            state = tr("active") if account.active else tr("deactivated")
            for column, text in enumerate((account.name, role_label(account.role), state)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        if self._accounts:
            self.table.selectRow(0)

    def _selected(self) -> Account | None:
        row = self.table.currentRow()
        return self._accounts[row] if 0 <= row < len(self._accounts) else None

    def add(self) -> None:
        if NewAccountDialog(self._db, self._actor, self).exec():
            self.refresh()

    def toggle(self) -> None:
        account = self._selected()
        if account is None:
            return
        try:
            set_active(self._db, account.id, not account.active, self._actor)
        except UserError as error:
            QMessageBox.warning(self, tr("Cannot continue"), error.message())
        self.refresh()

    def reset(self) -> None:
        account = self._selected()
        if account is None:
            return
        pin, ok = QInputDialog.getText(
            self,
            tr("Reset PIN"),
            tr("New PIN for {name} (4–8 digits):", name=account.name),
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return
        try:
            reset_pin(self._db, account.id, pin, self._actor)
        except UserError as error:
            QMessageBox.warning(self, tr("Cannot continue"), error.message())
