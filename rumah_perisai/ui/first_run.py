"""The first-run screen: set up this computer's post, restore it from a backup (a new laptop
after the old one was lost or broken), or look around a demo post first.

A post just set up shows its recovery code once, with the sheet for the envelope to print,
before the program goes on."""

from __future__ import annotations

import enum
import getpass
import re

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import areas
from rumah_perisai.app import App
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.posts import PostSetup, PostSummary, set_up_post

# Also named on the recovery sheet ("choose “Restore from a backup”").
RESTORE_BUTTON = N_("&Restore from a backup…")
_CODE_IN_TEXT = re.compile(r"\b(\d{2}\.\d{2})\b")


POST_CODE_HINT = N_(
    "The code the branch gave the post, e.g. RP3209A: 3–12 letters and digits, no spaces or "
    "hyphens."
)


ZONE_NAMES = (
    ("WIB", N_("Western Indonesia Time")),
    ("WITA", N_("Central Indonesia Time")),
    ("WIT", N_("Eastern Indonesia Time")),
)
DESA_HINT = N_("Optional. Offered first for every new participant; it can still be changed.")


class PostCodeValidator(QValidator):
    """What saving accepts (services/posts.py: 3–12 capital letters or digits), said while
    typing: a hyphen or space is not taken, small letters become capitals."""

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        upper = text.upper()
        if not all(char.isascii() and char.isalnum() for char in upper) or len(upper) > 12:
            return QValidator.State.Invalid, text, pos
        if len(upper) < 3:
            return QValidator.State.Intermediate, upper, pos
        return QValidator.State.Acceptable, upper, pos


def _desa_name(label: str) -> str:
    """``Sampiran — Kec. Talun`` → ``sampiran``: the name a volunteer may type in full."""
    return label.split(" — ")[0].casefold()


class FirstRunChoice(enum.Enum):
    SET_UP = "set_up"
    RESTORED = "restored"
    DEMO = "demo"
    QUIT = "quit"


def app_actor() -> str:
    """Who the window records changes as, until volunteers log in."""
    try:
        return f"app:{getpass.getuser()}"
    except (KeyError, OSError):
        return "app:unknown"


def regency_choices() -> list[str]:
    return [f"{a.name} ({a.code})" for a in areas.regencies().values()]


def regency_code_from(text: str) -> str:
    """``Kabupaten Cirebon (32.09)``, ``32.09`` or an exact name → ``32.09`` (else the text)."""
    found = _CODE_IN_TEXT.search(text)
    if found:
        return found.group(1)
    wanted = " ".join(text.split()).casefold()
    for regency in areas.regencies().values():
        if regency.name.casefold() == wanted:
            return regency.code
    return text.strip()


def recovery_code_dialog(app: App, summary: PostSummary, parent: QWidget) -> QDialog:
    """The code of a post just set up, shown once, with its sheet to print."""
    from rumah_perisai.services.recovery import RecoverySheet
    from rumah_perisai.ui.recovery_dialog import RecoveryCodeDialog

    assert summary.recovery_code is not None
    sheet = RecoverySheet(
        post_code=summary.code,
        post_name=summary.name,
        code=summary.recovery_code,
        issued_at=app.db.clock(),
        timezone=summary.timezone,
        is_demo=summary.is_demo,
    )
    intro = tr(
        "Post {code} is set up. This is its recovery code: with it, a backup of the post "
        "opens on a new laptop if this one is lost or broken.",
        code=summary.code,
    )
    return RecoveryCodeDialog(sheet, intro, parent)


class FirstRunDialog(QDialog):
    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.choice = FirstRunChoice.QUIT
        self.summary: PostSummary | None = None
        self.restore_dialog: QDialog | None = None
        self.code_dialog: QDialog | None = None
        self.setWindowTitle(tr("Welcome to Rumah Perisai"))
        self.setProperty("help_topic", "first_run")
        self.setMinimumWidth(560)

        intro = QLabel(
            tr(
                "This computer has no post yet. Enter the post's details to set it up, "
                "restore the post from a backup (a new laptop for a lost or broken one), "
                "or look around a demo post full of made-up participants first."
            )
        )
        intro.setWordWrap(True)
        self.code = QLineEdit()
        self.code.setObjectName("postCode")
        self.code.setMaxLength(12)
        self.code.setPlaceholderText("RP3209A")
        self.code.setValidator(PostCodeValidator(self.code))
        self.code_hint = QLabel(tr(POST_CODE_HINT))  # what is allowed, visible while typing
        self.code_hint.setObjectName("postCodeHint")
        self.code_hint.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setObjectName("postName")
        self.name.setMaxLength(100)
        self.kabupaten = QLineEdit()
        self.kabupaten.setObjectName("kabupaten")
        self.kabupaten.setPlaceholderText(tr("Type part of the name, e.g. Cirebon"))
        completer = QCompleter(QStringListModel(regency_choices(), self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(10)
        self.kabupaten.setCompleter(completer)
        self.kabupaten.editingFinished.connect(self._kabupaten_chosen)
        completer.activated.connect(lambda _text: self._kabupaten_chosen())
        self.desa = QLineEdit()
        self.desa.setObjectName("postDesa")
        self.desa.setMaxLength(120)
        self.desa.setPlaceholderText(tr("Type part of the desa's name"))
        self._desa_codes: dict[str, str] = {}
        self._desa_choices = QStringListModel(self)
        desa_completer = QCompleter(self._desa_choices, self)
        desa_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        desa_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.desa.setCompleter(desa_completer)
        self.desa_hint = QLabel(tr(DESA_HINT))
        self.desa_hint.setWordWrap(True)
        self.wadah = QLineEdit()
        self.wadah.setObjectName("wadah")
        self.wadah.setMaxLength(150)
        self.timezone = QComboBox()
        self.timezone.setObjectName("timezone")
        for zone, label in ZONE_NAMES:  # by name, as people say them: no UTC on screen
            self.timezone.addItem(f"{zone} — {tr(label)}", zone)

        form = QFormLayout()
        code_label = QLabel(tr("P&ost code:"))
        code_label.setBuddy(self.code)
        code_box = QVBoxLayout()
        code_box.setSpacing(2)
        code_box.addWidget(self.code)
        code_box.addWidget(self.code_hint)
        form.addRow(code_label, code_box)
        form.addRow(tr("Post &name:"), self.name)
        form.addRow(tr("&Kabupaten/kota:"), self.kabupaten)
        desa_label = QLabel(tr("Post's &desa/kelurahan:"))
        desa_label.setBuddy(self.desa)
        desa_box = QVBoxLayout()
        desa_box.setSpacing(2)
        desa_box.addWidget(self.desa)
        desa_box.addWidget(self.desa_hint)
        form.addRow(desa_label, desa_box)
        form.addRow(tr("&Wadah (organisation):"), self.wadah)
        form.addRow(tr("&Time zone:"), self.timezone)

        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b71c1c;")

        self.set_up_button = QPushButton(tr("&Set up this post"))
        self.set_up_button.setObjectName("setUp")
        self.set_up_button.setDefault(True)
        self.set_up_button.clicked.connect(self.set_up)
        self.demo_button = QPushButton(tr("Look around a demo &post"))
        self.demo_button.setObjectName("demo")
        self.demo_button.setAutoDefault(False)
        self.demo_button.clicked.connect(self.open_demo)
        self.restore_button = QPushButton(tr(RESTORE_BUTTON))
        self.restore_button.setObjectName("restoreFromBackup")
        self.restore_button.setAutoDefault(False)
        self.restore_button.clicked.connect(self.open_restore)
        quit_button = QPushButton(tr("Q&uit"))
        quit_button.setAutoDefault(False)
        quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(quit_button)
        buttons.addWidget(self.set_up_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.code.setFocus()

    def _kabupaten_chosen(self) -> None:
        code = regency_code_from(self.kabupaten.text())
        regency = areas.area(code)
        if regency is not None and len(code) == 5:
            self.kabupaten.setText(f"{regency.name} ({code})")
            self.timezone.setCurrentIndex(self.timezone.findData(areas.default_timezone(code)))
            self._offer_desa(code)

    def _offer_desa(self, kabupaten: str) -> None:
        """The desa of the chosen kabupaten, for the post's own desa's type-ahead."""
        from rumah_perisai.ui.registration_form import desa_label, desa_of

        self._desa_codes = {desa_label(d): d.code for d in desa_of(kabupaten)}
        self._desa_choices.setStringList(list(self._desa_codes))

    def desa_code(self) -> str | None:
        """The post's desa as offered in the list, or a desa name unique in the kabupaten;
        otherwise the text, which setting up refuses; None when left empty."""
        text = self.desa.text().strip()
        if not text:
            return None
        if text in self._desa_codes:
            return self._desa_codes[text]
        wanted = text.casefold()
        named = [c for label, c in self._desa_codes.items() if _desa_name(label) == wanted]
        return named[0] if len(set(named)) == 1 else text

    def request(self) -> PostSetup:
        return PostSetup(
            code=self.code.text(),
            name=self.name.text(),
            kabupaten_code=regency_code_from(self.kabupaten.text()),
            wadah=self.wadah.text() or None,
            timezone=self.timezone.currentData(),
            desa_code=self.desa_code(),
        )

    def set_up(self) -> None:
        """Create the post; bad input is said in the dialog and nothing is created. Then its
        recovery code, once, before the program goes on."""
        try:
            self.summary = set_up_post(self._app.db, self._app.folder, self.request(), app_actor())
        except UserError as error:
            self.error.setText(error.message())
            return
        self.choice = FirstRunChoice.SET_UP
        self.error.clear()
        self.set_up_button.setEnabled(False)
        if self.summary.recovery_code is None:
            self.accept()
            return
        self.code_dialog = recovery_code_dialog(self._app, self.summary, self)
        self.code_dialog.finished.connect(lambda _result: self.accept())
        self.code_dialog.open()

    def open_restore(self) -> None:
        """The restore on its own dialog; once it is done, the restored post opens."""
        from rumah_perisai.ui.restore_dialog import RestoreDialog

        dialog = RestoreDialog(self._app.folder, self._app.close, self)
        dialog.accepted.connect(self._restored)
        self.restore_dialog = dialog
        dialog.open()

    def _restored(self) -> None:
        self.choice = FirstRunChoice.RESTORED
        self.accept()

    def open_demo(self) -> None:
        self.choice = FirstRunChoice.DEMO
        self.accept()
