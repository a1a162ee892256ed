"""“Permintaan atas data…”: a coordinator records a person's request about their own data
(UU PDP 27/2022; issue 19), from the participant's view.

Three steps on one dialog: the request (which right, the day it was made, how, a note that
must hold no personal data); for a withdrawal or an erasure, a page saying plainly what will
happen (for an erasure: which fields go, what is kept, for how long and why, from the rules
data) with the action on its button; then what was done, with the printed confirmation for
the person offered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.requests import (
    HOW_LABELS,
    HOWS,
    KIND_LABELS,
    KINDS,
    RequestDone,
    erase,
    record_request,
    what_erasure_does,
    withdraw_consent,
)
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.date_field import DateField
from rumah_perisai.ui.operations import run_op

_TITLE = N_("Request about personal data")
_NOTE_HINT = N_(
    "The note goes to the branch: never write a name, NIK, address or phone number in it."
)
_WITHDRAW_TEXT = N_(
    "<b>Membership ends at the person's request.</b> From today they leave every list, call "
    "list and count; no more dues can be taken; their NIK stays registered here (a new "
    "registration of it is refused). Their data stays as it is, and the branch is told in the "
    "next weekly batch."
)
_ERASE_HEAD = N_(
    "<b>The person's data is erased at their request. This cannot be undone.</b> Membership "
    "ends too. The branch is told in the next weekly batch and does the same."
)
_ERASED = N_("Erased:")
_KEPT = N_("Kept, because a law requires it:")
_KEPT_ROW = N_("{what}: {years} years {start} ({source})")
_AFTER = N_("Request {key} recorded. {outcome}")


class DataRequestDialog(QDialog):
    """The request, the confirmation of what will happen, then what was done."""

    def __init__(
        self,
        db: Database,
        folder: DataFolder,
        actor: Actor,
        participant_id: int,
        registration_no: str,
        today: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._db, self._folder, self._actor = db, folder, actor
        self._id = participant_id
        self._today = today
        self.done_request: RequestDone | None = None
        # The number only in the title: it shows in the taskbar (never the name).
        self.setWindowTitle(f"{tr(_TITLE)} · {registration_no}")
        self.setProperty("help_topic", "participant")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._form_page())
        self.pages.addWidget(self._confirm_page())
        self.pages.addWidget(self._done_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.resize(620, 460)
        self._kind_changed()

    # --- step 1: the request ---------------------------------------------------------------
    def _form_page(self) -> QWidget:
        page = QWidget()
        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        for kind in KINDS:
            self.kind.addItem(tr(KIND_LABELS[kind]), kind)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.made_on = DateField()
        self.made_on.setObjectName("madeOn")
        self.made_on.setDate(self._today())
        self.how = QComboBox()
        self.how.setObjectName("how")
        for how in HOWS:
            self.how.addItem(tr(HOW_LABELS[how]), how)
        self.note = QLineEdit()
        self.note.setObjectName("note")
        self.note.setMaxLength(200)
        hint = QLabel(tr(_NOTE_HINT))
        hint.setWordWrap(True)
        hint.setObjectName("noteHint")
        form = QFormLayout()
        form.addRow(tr("&Right asked for:"), self.kind)
        form.addRow(tr("&Asked on:"), self.made_on)
        form.addRow(tr("&How:"), self.how)
        form.addRow(tr("N&ote or reason:"), self.note)
        form.addRow("", hint)
        self.form_message = QLabel()
        self.form_message.setObjectName("formMessage")
        self.form_message.setWordWrap(True)
        self.next_button = QPushButton()
        self.next_button.setObjectName("next")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.go_on)
        back = QPushButton(tr("&Back"))
        back.setObjectName("back")
        back.setAutoDefault(False)
        back.clicked.connect(self.reject)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(self.form_message)
        layout.addStretch(1)
        layout.addLayout(_buttons(back, self.next_button))
        return page

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.next_button.setText(
            tr("&Continue…") if kind in ("withdraw", "erase") else tr("&Record request")
        )

    def go_on(self) -> None:
        made_on = self.made_on.date()
        if made_on is None:
            self.form_message.setText(self.made_on.problem() or tr("Type the day it was asked."))
            return
        kind = self.kind.currentData()
        if kind in ("withdraw", "erase"):
            self._explain(kind, made_on)
            self.pages.setCurrentIndex(1)
            self.confirm_button.setFocus()
            return
        note, how = self.note.text(), self._how()
        self._run(lambda: record_request(self._db, self._id, kind, made_on, how, self._actor, note))

    # --- step 2: what will happen ----------------------------------------------------------
    def _confirm_page(self) -> QWidget:
        page = QWidget()
        self.explanation = QLabel()
        self.explanation.setObjectName("explanation")
        self.explanation.setWordWrap(True)
        self.confirm_button = QPushButton()
        self.confirm_button.setObjectName("confirm")
        self.confirm_button.clicked.connect(self.confirm)
        back = QPushButton(tr("&Back"))
        back.setObjectName("confirmBack")
        back.setAutoDefault(False)
        back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        layout = QVBoxLayout(page)
        layout.addWidget(self.explanation, 1)
        layout.addLayout(_buttons(back, self.confirm_button))
        return page

    def _explain(self, kind: str, made_on: date) -> None:
        if kind == "withdraw":
            self.explanation.setText(tr(_WITHDRAW_TEXT))
            self.confirm_button.setText(tr("&End membership"))
            return
        erased, kept = what_erasure_does(made_on)
        rows = "".join(
            "<li>"
            + tr(_KEPT_ROW, what=k.what, years=k.years, start=k.start, source=_short(k.source))
            + "</li>"
            for k in kept
        )
        self.explanation.setText(
            f"{tr(_ERASE_HEAD)}<p>{tr(_ERASED)} {', '.join(erased)}.</p>"
            f"<p>{tr(_KEPT)}</p><ul>{rows}</ul>"
        )
        self.confirm_button.setText(tr("&Erase data"))

    def confirm(self) -> None:
        made_on = self.made_on.date()
        assert made_on is not None
        how = self._how()
        if self.kind.currentData() == "erase":
            self._run(lambda: erase(self._db, self._folder, self._id, made_on, how, self._actor))
        else:
            reason = self.note.text()
            self._run(
                lambda: withdraw_consent(self._db, self._id, made_on, how, self._actor, reason)
            )

    # --- step 3: what was done -------------------------------------------------------------
    def _done_page(self) -> QWidget:
        page = QWidget()
        self.outcome_text = QLabel()
        self.outcome_text.setObjectName("result")
        self.outcome_text.setWordWrap(True)
        self.print_button = QPushButton(tr("&Print the confirmation…"))
        self.print_button.setObjectName("printConfirmation")
        self.print_button.clicked.connect(self.show_confirmation)
        close = QPushButton(tr("&Close"))
        close.setObjectName("close")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(page)
        layout.addWidget(self.outcome_text, 1)
        layout.addLayout(_buttons(close, self.print_button))
        return page

    def _run(self, work: Callable[[], RequestDone]) -> None:
        run_op(self, work, success=self._recorded, failure=self._refused)

    def _refused(self, error: UserError) -> None:
        self.pages.setCurrentIndex(0)

    def _recorded(self, done: RequestDone) -> None:
        self.done_request = done
        self.outcome_text.setText(
            tr(_AFTER, key=done.key, outcome=done.outcome)
            + "<br>"
            + tr("Asked on {day}.", day=formats.day(done.made_on))
        )
        self.pages.setCurrentIndex(2)
        self.print_button.setFocus()

    def show_confirmation(self) -> None:
        from rumah_perisai.printing.request_confirmation import request_confirmation_pdf
        from rumah_perisai.services.requests import confirmation
        from rumah_perisai.ui.pdf_preview import PdfDialog

        done = self.done_request
        if done is None:
            return
        self.preview = PdfDialog(tr(_TITLE), self, kind="request")
        self.preview.show_pdf(
            request_confirmation_pdf(confirmation(self._db, done.number)),
            f"permintaan-{done.key}.pdf",
        )
        self.preview.open()

    def _how(self) -> str:
        return str(self.how.currentData())


def _short(source: str) -> str:
    """The law a kept item rests on, to its first clause (the printed confirmation has it all)."""
    return source.split(":")[0]


def _buttons(left: QPushButton, right: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(left)
    row.addStretch(1)
    row.addWidget(right)
    return row
