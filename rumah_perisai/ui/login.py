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
    Actor,
    accounts,
    log_in,
)
from rumah_perisai.ui.accounts_dialog import NewAccountDialog

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


class FirstCoordinatorDialog(NewAccountDialog):
    """A post set up without ``--coordinator`` gets its first account here; that person is
    then the one working."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, None, parent)
        self.actor: Actor | None = None
        self.setWindowTitle(tr("First coordinator"))

    def make(self) -> None:
        super().make()
        if self.result() == QDialog.DialogCode.Accepted:
            self.actor = log_in(self._db, self.name.text(), self.pin.text())


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
