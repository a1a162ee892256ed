"""A coordinator's list of the post's accounts: add, deactivate or bring back, reset a PIN; and
each account's wrong PINs and lock-outs (issue 16), from the database and its audit."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import changes, formats
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.timezones import local_time
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.pin_guard import (
    account_guard_key,
    guard_state,
    lockouts_in_audit,
    recovery_guard_key,
)
from rumah_perisai.services.posts import post_summary
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
from rumah_perisai.ui.access_view import VolunteerAccessDialog
from rumah_perisai.ui.changes import listen
from rumah_perisai.ui.look import ERROR_STYLE, NUMBER, RED_TEXT
from rumah_perisai.ui.operations import run_op

# The list's columns; the last two say who could not log in (issue 16, item 4).
COLUMNS = (
    N_("Name"),
    N_("Role"),
    N_("State"),
    N_("Wrong PINs"),
    N_("Last locked out"),
)
WRONG_PINS, LOCKED_OUT = 3, 4


def _state(account: Account, now: datetime, zone: str) -> str:
    if not account.active:
        return tr("deactivated")
    if account.locked_until is not None and account.locked_until > now:
        shown = local_time(account.locked_until, zone)  # a wait of seconds: to the second
        return tr("waiting until {time}", time=f"{shown:%H.%M.%S} {zone}")
    return tr("active")


def _last_lockout(account: Account, zone: str) -> str:
    if account.last_lockout_at is None:
        return "–"
    return tr(
        "{moment} (lock-outs: {count})",
        moment=formats.moment(account.last_lockout_at, zone),
        count=formats.number(account.lockouts),
    )


def pin_rule_hint() -> QLabel:
    """What a new PIN may be, under the fields where one is chosen (``domain/pins.py``)."""
    label = QLabel(
        tr(
            "6–8 digits. Not one digit repeated (111111), not a run (123456, 987654), "
            "not a group repeated (121212)."
        )
    )
    label.setObjectName("pinRule")
    label.setWordWrap(True)
    label.setStyleSheet("color: #555555;")
    return label


def role_label(role: str) -> str:
    return tr("Coordinator") if role == ROLE_COORDINATOR else tr("Volunteer")


class NewAccountDialog(QDialog):
    """Name, role and PIN twice. With no ``actor`` it makes a post's first coordinator."""

    def __init__(self, db: Database, actor: Actor | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self.setWindowTitle(tr("New account"))
        self.setProperty("help_topic", "accounts")
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
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        save = QPushButton(tr("&Create account"))
        save.setDefault(True)
        save.clicked.connect(self.make)
        form = QFormLayout()
        form.addRow(tr("&Name:"), self.name)
        form.addRow(tr("&Role:"), self.role)
        form.addRow(tr("&PIN (6–8 digits):"), self.pin)
        form.addRow(tr("PIN &again:"), self.pin_again)
        form.addRow("", pin_rule_hint())
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
        setup, role = AccountSetup(self.name.text(), self.pin.text()), str(self.role.currentData())
        run_op(
            self,
            lambda: create_account(self._db, setup, role, self._actor),
            success=lambda _id: self.accept(),  # the list shows it by the change notice
            failure=lambda error: self.error.setText(error.message()),
            boxed=False,  # under the form, in red
        )


class AccountsDialog(QDialog):
    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._accounts: list[Account] = []
        self.setWindowTitle(tr("Volunteer accounts"))
        self.setProperty("help_topic", "accounts")
        self.resize(820, 420)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("accounts")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        add = QPushButton(tr("&Add…"))
        add.clicked.connect(self.add)
        self.toggle_button = QPushButton(tr("&Deactivate / activate"))
        self.toggle_button.clicked.connect(self.toggle)
        reset = QPushButton(tr("&Reset PIN…"))
        reset.clicked.connect(self.reset)
        looks = QPushButton(tr("Access &history…"))
        looks.setObjectName("accessHistory")
        looks.clicked.connect(self.show_looks)
        looks.setVisible(actor.is_coordinator)  # who looked at whom: a coordinator's
        close = QPushButton(tr("Close &window"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (add, self.toggle_button, reset, looks):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        # Wrong recovery codes ("Forgot PIN?") are counted per post: said under the list.
        self.recovery_note = QLabel()
        self.recovery_note.setObjectName("recoveryNote")
        self.recovery_note.setWordWrap(True)
        self.recovery_note.setStyleSheet(ERROR_STYLE)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.recovery_note)
        layout.addLayout(buttons)
        self.refresh()
        # Accounts added, switched or unlocked, here or at a login: the list again.
        listen(self, (changes.ACCOUNTS,), self.refresh)

    def refresh(self) -> None:
        self._accounts = accounts(self._db)
        summary = post_summary(self._db)
        zone = summary.timezone if summary is not None else "WIB"
        now = self._db.clock()
        self.table.setHorizontalHeaderLabels([tr(title) for title in COLUMNS])
        wrong_pins = self.table.horizontalHeaderItem(WRONG_PINS)
        if wrong_pins is not None:
            wrong_pins.setToolTip(tr("Wrong PINs in a row, since the last right one"))
        self.table.setRowCount(len(self._accounts))
        for row, account in enumerate(self._accounts):
            texts = (
                account.name,
                role_label(account.role),
                _state(account, now, zone),
                formats.number(account.wrong_pins),
                _last_lockout(account, zone),
            )
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if column == WRONG_PINS:
                    item.setTextAlignment(NUMBER)
                if account.wrong_pins and column in (WRONG_PINS, LOCKED_OUT):
                    item.setForeground(RED_TEXT)
                if account.lockouts and column == LOCKED_OUT:
                    item.setToolTip(self._lockout_history(account, zone))
                self.table.setItem(row, column, item)
        if self._accounts:
            self.table.selectRow(0)
        self._show_recovery_tries(summary.code if summary is not None else None, zone)

    def _show_recovery_tries(self, post_code: str | None, zone: str) -> None:
        state = guard_state(self._db, recovery_guard_key(post_code)) if post_code else None
        if state is None or not (state.failures or state.lockouts):
            self.recovery_note.hide()
            return
        text = tr("Wrong recovery codes in a row: {count}.", count=formats.number(state.failures))
        if state.last_lockout_at is not None:
            text += " " + tr(
                "Last locked out: {moment} (lock-outs: {count}).",
                moment=formats.moment(state.last_lockout_at, zone),
                count=formats.number(state.lockouts),
            )
        self.recovery_note.setText(text)
        self.recovery_note.show()

    def _lockout_history(self, account: Account, zone: str) -> str:
        moments = lockouts_in_audit(self._db, account_guard_key(account.key))
        lines = [formats.moment(moment, zone) for moment in moments]
        return tr("Locked out after wrong PINs:") + "\n" + "\n".join(lines)

    def _selected(self) -> Account | None:
        row = self.table.currentRow()
        return self._accounts[row] if 0 <= row < len(self._accounts) else None

    def show_looks(self) -> None:
        """What the selected account opened, printed or exported (issue 19)."""
        account = self._selected()
        if account is None:
            return
        summary = post_summary(self._db)
        zone = summary.timezone if summary is not None else "WIB"
        self.access_dialog = VolunteerAccessDialog(self._db, self._actor, account, zone, self)
        self.access_dialog.open()

    def add(self) -> None:
        NewAccountDialog(self._db, self._actor, self).exec()

    def toggle(self) -> None:
        account = self._selected()
        if account is None:
            return
        run_op(self, lambda: set_active(self._db, account.id, not account.active, self._actor))

    def reset(self) -> None:
        account = self._selected()
        if account is None:
            return
        pin, ok = QInputDialog.getText(
            self,
            tr("Reset PIN"),
            tr("New PIN for {name} (6–8 digits):", name=account.name),
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return
        run_op(self, lambda: reset_pin(self._db, account.id, pin, self._actor))
