"""Who is working: the login at start and after the window was left idle, and the first
coordinator account of a post that has none yet."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    AccountSetup,
    Actor,
    accounts,
    create_account,
    log_in,
)

DEFAULT_IDLE_MINUTES = 15


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b71c1c;")
    return label


class LoginDialog(QDialog):
    """Name (chosen from the post's active accounts, or typed) and PIN; Enter logs in."""

    def __init__(
        self, db: Database, parent: QWidget | None = None, *, locked: bool = False
    ) -> None:
        super().__init__(parent)
        self._db = db
        self.actor: Actor | None = None
        self.setWindowTitle(tr("Who is working?"))
        self.name = QComboBox()
        self.name.setObjectName("loginName")
        self.name.setEditable(True)
        self.name.addItems([a.name for a in accounts(db) if a.active])
        self.name.setCurrentIndex(-1)
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.error = _error_label()
        button = QPushButton(tr("&Log in"))
        button.setDefault(True)
        button.clicked.connect(self.try_log_in)
        self.pin.returnPressed.connect(self.try_log_in)
        form = QFormLayout()
        form.addRow(tr("&Name:"), self.name)
        form.addRow(tr("&PIN:"), self.pin)
        layout = QVBoxLayout(self)
        if locked:
            layout.addWidget(QLabel(tr("The window was locked after a time without use.")))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(button)
        self.name.setFocus()

    def try_log_in(self) -> None:
        try:
            self.actor = log_in(self._db, self.name.currentText(), self.pin.text())
        except UserError as error:
            self.error.setText(error.message())
            self.pin.clear()
            self.pin.setFocus()
            return
        self.accept()


class FirstCoordinatorDialog(QDialog):
    """A post set up from the command line without ``--coordinator`` gets its first account here."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.actor: Actor | None = None
        self.setWindowTitle(tr("First coordinator"))
        self.name = QLineEdit()
        self.name.setObjectName("coordinatorName")
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin_again = QLineEdit()
        self.pin_again.setObjectName("pinAgain")
        for field in (self.pin, self.pin_again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMaxLength(8)
        self.error = _error_label()
        button = QPushButton(tr("&Create account"))
        button.setDefault(True)
        button.clicked.connect(self.make_account)
        form = QFormLayout()
        form.addRow(tr("&Name:"), self.name)
        form.addRow(tr("&PIN (4–8 digits):"), self.pin)
        form.addRow(tr("PIN &again:"), self.pin_again)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(tr("This post has no coordinator yet. Create the first coordinator account."))
        )
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(button)

    def make_account(self) -> None:
        if self.pin.text() != self.pin_again.text():
            self.error.setText(tr("The two PINs differ; nothing was created."))
            return
        try:
            create_account(
                self._db, AccountSetup(self.name.text(), self.pin.text()), ROLE_COORDINATOR, None
            )
            self.actor = log_in(self._db, self.name.text(), self.pin.text())
        except UserError as error:
            self.error.setText(error.message())
            return
        self.accept()


class IdleWatch(QObject):
    """Counts time without keyboard or mouse input anywhere in the program; calls ``on_idle``."""

    def __init__(self, minutes: int) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, minutes) * 60_000)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
        ):
            self.timer.start()
        return False
