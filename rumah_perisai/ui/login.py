"""Who is working: the login at start and after the window was left idle, and the first
coordinator account of a post that has none yet."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.pin_guard import wait_text
from rumah_perisai.services.pin_reset import reset_pin_with_recovery_code
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    Actor,
    Login,
    accounts,
    attempt_login,
    change_own_pin,
    log_in,
    login_name,
)
from rumah_perisai.ui.accounts_dialog import NewAccountDialog, pin_rule_hint
from rumah_perisai.ui.first_run import app_actor
from rumah_perisai.ui.look import ERROR_STYLE, GOOD_STYLE
from rumah_perisai.ui.operations import run_op

DEFAULT_IDLE_MINUTES = 15
PIN_FIELD_LENGTH = 8
LOGIN_MIN_WIDTH = 420  # the wait and the new-PIN texts in two or three lines, not five


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    return label


def _pin_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(PIN_FIELD_LENGTH)
    return field


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-size: 13pt; font-weight: bold;")
    label.setWordWrap(True)
    return label


class LoginDialog(QDialog):
    """Name (chosen from the post's active accounts, or typed) and PIN; Enter logs in.

    After 5 wrong PINs the window says how long to wait, counting down. Someone whose PIN was
    made before the rule of issue 16 chooses a new one (twice) before the work starts; only
    then is ``actor`` set and the dialog accepted. With the data ``folder`` (whose recovery
    record checks the code), "Forgot PIN?" lets a coordinator set a new PIN with the post's
    recovery code."""

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        locked: bool = False,
        folder: DataFolder | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._folder = folder
        self.actor: Actor | None = None
        self._pending: Actor | None = None  # logged in, its new PIN still to be chosen
        self._old_pin = ""
        self._wait_until: datetime | None = None  # when the shown wait ends (the db's clock)
        self._wait_for = ""  # the login name the wait is for
        self._wait_timer = QTimer(self)
        self._wait_timer.setInterval(1000)
        self._wait_timer.timeout.connect(self._show_wait)
        self.setWindowTitle(tr("Who is working?"))
        self.setProperty("help_topic", "login")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._login_page(locked))
        self.pages.addWidget(self._change_page())
        self.pages.addWidget(self._forgot_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.setMinimumWidth(LOGIN_MIN_WIDTH)
        self._show_page(0)
        self.name.setFocus()

    def _show_page(self, index: int) -> None:
        """Show one page, the dialog as big as that page needs: a stack is as big as its
        biggest page, and the login would stand in the empty space of "Forgot PIN"."""
        for number in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if number == index else QSizePolicy.Policy.Ignored
            page = self.pages.widget(number)
            if page is not None:
                page.setSizePolicy(policy, policy)
        self.pages.setCurrentIndex(index)
        self.adjustSize()
        # Wrapped texts: as tall as this page is at this width, no taller (the stack's own
        # height-for-width is its tallest page's).
        page, layout = self.pages.currentWidget(), self.layout()
        if page is not None and layout is not None and page.hasHeightForWidth():
            margins = layout.contentsMargins()
            inner = self.width() - margins.left() - margins.right()
            height = page.heightForWidth(inner) + margins.top() + margins.bottom()
            self.resize(self.width(), max(height, self.minimumSizeHint().height()))

    # --- logging in ------------------------------------------------------------------------

    def _login_page(self, locked: bool) -> QWidget:
        page = QWidget()
        self.name = QComboBox()
        self.name.setObjectName("loginName")
        self.name.setEditable(True)
        self.name.addItems([a.name for a in accounts(self._db) if a.active])
        self.name.setCurrentIndex(-1)
        self.name.currentTextChanged.connect(self._name_changed)
        self.pin = _pin_field("pin")
        self.error = _error_label()
        self.login_button = QPushButton(tr("&Log in"))
        self.login_button.setObjectName("logIn")
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.try_log_in)
        form = QFormLayout()
        form.addRow(tr("&Name:"), self.name)
        form.addRow(tr("&PIN:"), self.pin)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        if locked:
            layout.addWidget(QLabel(tr("The window was locked after a time without use.")))
        layout.addLayout(form)
        layout.addWidget(self.error)
        self.forgot_button = QPushButton(tr("&Forgot PIN?"))
        self.forgot_button.setObjectName("forgotPin")
        self.forgot_button.setFlat(True)
        self.forgot_button.setAutoDefault(False)
        self.forgot_button.setVisible(self._folder is not None)
        self.forgot_button.clicked.connect(self.show_forgot)
        row = QHBoxLayout()
        row.addWidget(self.forgot_button)
        row.addStretch(1)
        row.addWidget(self.login_button)
        layout.addLayout(row)
        return page

    def try_log_in(self) -> None:
        if not self.pin.text():  # Enter in the name field: on to the PIN, no try spent
            self.pin.setFocus()
            return
        pin = self.pin.text()
        self.pin.clear()
        name = self.name.currentText()
        run_op(
            self,
            lambda: attempt_login(self._db, name, pin, by=app_actor()),
            success=lambda login: self._logged_in(login, pin),
            failure=self._refused,
            boxed=False,  # under the PIN
        )

    def _logged_in(self, login: Login, pin: str) -> None:
        if login.must_change_pin:
            self._ask_new_pin(login.actor, pin)
            return
        self.actor = login.actor
        self.accept()

    def _refused(self, error: UserError) -> None:
        self.pin.setFocus()
        self.error.setStyleSheet(ERROR_STYLE)
        if error.key == "pin_locked":
            self._wait_until = self._db.clock() + timedelta(seconds=int(error.params["seconds"]))
            self._wait_for = login_name(self.name.currentText())
            self._wait_timer.start()
            self._show_wait()
            return
        self._wait_timer.stop()
        self.error.setText(error.message())

    def _show_wait(self) -> None:
        """The wait, counting down by the clock the service counts by; when it is over, say so
        (nothing more)."""
        assert self._wait_until is not None
        left = math.ceil((self._wait_until - self._db.clock()).total_seconds())
        if left <= 0:
            self._wait_timer.stop()
            self.error.setText(tr("You can try again now."))
            return
        self.error.setText(UserError("pin_locked", wait=wait_text(left)).message())

    def _name_changed(self, text: str) -> None:
        if self._wait_timer.isActive() and login_name(text) != self._wait_for:
            self._wait_timer.stop()  # the wait was another name's
            self.error.clear()

    # --- a new PIN for one made before the rule --------------------------------------------

    def _change_page(self) -> QWidget:
        page = QWidget()
        self.change_intro = QLabel()
        self.change_intro.setWordWrap(True)
        self.new_pin = _pin_field("newPin")
        self.new_pin_again = _pin_field("newPinAgain")
        self.change_error = _error_label()
        self.change_error.setObjectName("changeError")
        self.back_button = QPushButton(tr("&Back"))
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self._back_to_login)
        self.save_pin_button = QPushButton(tr("&Save the new PIN"))
        self.save_pin_button.setObjectName("saveNewPin")
        self.save_pin_button.clicked.connect(self.save_new_pin)
        form = QFormLayout()
        form.addRow(tr("&New PIN:"), self.new_pin)
        form.addRow(tr("New PIN &again:"), self.new_pin_again)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_pin_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_heading(tr("Choose a new PIN")))
        layout.addWidget(self.change_intro)
        layout.addLayout(form)
        layout.addWidget(pin_rule_hint())
        layout.addWidget(self.change_error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _ask_new_pin(self, actor: Actor, old_pin: str) -> None:
        self._pending = actor
        self._old_pin = old_pin
        self.change_intro.setText(
            tr(
                "{name}, your PIN is too short or too easy to guess. Choose a new PIN before "
                "you start; from now on you log in with it.",
                name=actor.name,
            )
        )
        self.change_error.clear()
        self.new_pin.clear()
        self.new_pin_again.clear()
        self._show_page(1)
        self.save_pin_button.setDefault(True)
        self.new_pin.setFocus()

    def save_new_pin(self) -> None:
        actor = self._pending
        assert actor is not None and actor.volunteer_id is not None
        if not self.new_pin.text():
            self.new_pin.setFocus()
            return
        if self.new_pin.text() != self.new_pin_again.text():
            self.change_error.setText(tr("The two new PINs differ; the PIN was not changed."))
            self.new_pin_again.clear()
            self.new_pin_again.setFocus()
            return
        volunteer_id, old, new = actor.volunteer_id, self._old_pin, self.new_pin.text()
        run_op(
            self,
            lambda: change_own_pin(self._db, volunteer_id, old, new, by=app_actor()),
            success=lambda _done: self._pin_changed(actor),
            failure=self._change_refused,
            boxed=False,  # under the new PIN
        )

    def _pin_changed(self, actor: Actor) -> None:
        self._old_pin = ""
        self.actor = actor
        self.accept()

    def _change_refused(self, error: UserError) -> None:
        self.change_error.setText(error.message())
        self.new_pin.clear()
        self.new_pin_again.clear()
        self.new_pin.setFocus()

    def _back_to_login(self) -> None:
        self._pending = None
        self._old_pin = ""
        self._show_page(0)
        self.login_button.setDefault(True)
        self.pin.setFocus()

    # --- forgot PIN: a coordinator's new PIN with the post's recovery code ------------------

    def _forgot_page(self) -> QWidget:
        page = QWidget()
        intro = QLabel(
            tr(
                "A coordinator who forgot their PIN sets a new one with the post's recovery "
                "code (on the recovery sheet in the sealed envelope). A volunteer asks a "
                "coordinator for a new PIN."
            )
        )
        intro.setWordWrap(True)
        self.recovery_code = QLineEdit()
        self.recovery_code.setObjectName("recoveryCode")
        self.recovery_code.setPlaceholderText("XXXXX-XXXXX-XXXXX-XXXXX-XXXXX")
        self.recovery_code.setMaxLength(60)
        self.reset_name = QComboBox()
        self.reset_name.setObjectName("resetName")
        self.reset_pin = _pin_field("resetPin")
        self.reset_pin_again = _pin_field("resetPinAgain")
        self.reset_error = _error_label()
        self.reset_error.setObjectName("resetError")
        back = QPushButton(tr("&Back"))
        back.setAutoDefault(False)
        back.clicked.connect(self._back_to_login)
        self.reset_button = QPushButton(tr("&Set the new PIN"))
        self.reset_button.setObjectName("setNewPin")
        self.reset_button.clicked.connect(self.reset_with_code)
        form = QFormLayout()
        form.addRow(tr("&Recovery code:"), self.recovery_code)
        form.addRow(tr("&Coordinator:"), self.reset_name)
        form.addRow(tr("&New PIN:"), self.reset_pin)
        form.addRow(tr("New PIN &again:"), self.reset_pin_again)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_heading(tr("Forgot PIN")))
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(pin_rule_hint())
        layout.addWidget(self.reset_error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def show_forgot(self) -> None:
        self._wait_timer.stop()
        self.error.clear()
        self.reset_name.clear()
        names = [a.name for a in accounts(self._db) if a.active and a.role == ROLE_COORDINATOR]
        self.reset_name.addItems(names)
        typed = self.reset_name.findText(self.name.currentText().strip())
        self.reset_name.setCurrentIndex(max(typed, 0))
        for field in (self.recovery_code, self.reset_pin, self.reset_pin_again):
            field.clear()
        self.reset_error.clear()
        self._show_page(2)
        self.reset_button.setDefault(True)
        self.recovery_code.setFocus()

    def reset_with_code(self) -> None:
        folder = self._folder
        assert folder is not None
        if not self.reset_pin_again.text():  # Enter in an earlier field: on to the next one
            self.focusNextChild()
            return
        if self.reset_pin.text() != self.reset_pin_again.text():
            self.reset_error.setText(tr("The two new PINs differ; the PIN was not changed."))
            self.reset_pin_again.clear()
            self.reset_pin_again.setFocus()
            return
        code, name, pin = (
            self.recovery_code.text(),
            self.reset_name.currentText(),
            self.reset_pin.text(),
        )
        run_op(
            self,
            lambda: reset_pin_with_recovery_code(self._db, folder, code, name, pin, by=app_actor()),
            success=self._reset_done,
            failure=self._reset_refused,
            boxed=False,  # under the recovery form
        )

    def _reset_refused(self, error: UserError) -> None:
        self.reset_error.setText(error.message())
        if error.key == "pin_rule":
            self.reset_pin.clear()
            self.reset_pin_again.clear()
            self.reset_pin.setFocus()
        else:
            self.recovery_code.setFocus()
            self.recovery_code.selectAll()

    def _reset_done(self, owner: Actor) -> None:
        self._back_to_login()
        self.name.setCurrentText(owner.name)
        self.error.setStyleSheet(GOOD_STYLE)
        changed = tr("{name}'s PIN was changed; log in with the new one.", name=owner.name)
        self.error.setText(changed)


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
