"""The walk-in registration form: NIK first, one keyboard path to a saved registration.

As the NIK is typed it is checked; birth date and sex are filled from it. The same NIK at this
post, or a similar name with the same birth date, is said while typing, not only at saving; so
is a NIK the branch's list flags as possibly registered at another post (a warning to ask the
branch: it does not stop the registration, which records it).
The monthly dues for the chosen income and programmes, and the free cover the participant
gets, are shown before saving. Every check is the registration service's: the form only shows
its answers, by the field they concern.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import areas, formats
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.dues import DuesError, income_brackets, monthly_dues
from rumah_perisai.domain.errors import RuleError
from rumah_perisai.domain.nik import InvalidNik, normalize_nik, validate_nik
from rumah_perisai.domain.promotion import promotion_cover
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.registration import (
    Candidate,
    DuplicateNik,
    InvalidRegistration,
    PossibleDuplicates,
    RegistrationForm,
    agreement_problem,
    changed_fields,
    correct,
    default_desa,
    existing_nik,
    find_duplicates,
    first_dues_month,
    load_form,
    phone_problem,
    possibly_registered_elsewhere,
    programmes,
    register,
)
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.date_field import DateField
from rumah_perisai.ui.discard import ask_discard
from rumah_perisai.ui.operations import run_op

OCCUPATIONS = (
    N_("Farmer"), N_("Fisher"), N_("Trader"), N_("Ojek driver"), N_("Day labourer"),
    N_("Livestock farmer"), N_("Craftsperson"), N_("Small business owner"), N_("Driver"),
    N_("Construction worker"), N_("Domestic worker"),
)  # fmt: skip
RELATIONS = (
    N_("Husband"), N_("Wife"), N_("Child"), N_("Parent"), N_("Sibling"), N_("Other family"),
)  # fmt: skip
CHECK_PAUSE_MS = 250
ELSEWHERE_STYLE = "background: #fff3e0; color: #5d4037; padding: 6px; font-weight: bold;"


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(f"{name}Error")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b71c1c;")
    label.hide()
    return label


class RegistrationDialog(QDialog):
    """Register one walk-in. ``registered`` carries the new participant's id."""

    registered = Signal(int)
    open_participant = Signal(int)

    def __init__(
        self,
        db: Database,
        post_id: int,
        kabupaten_code: str,
        actor: Actor,
        today: Callable[[], date],
        parent: QWidget | None = None,
        *,
        correcting: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._correcting = correcting
        self._original: RegistrationForm | None = None
        self._db = db
        self._post_id = post_id
        self._kabupaten = kabupaten_code
        self._actor = actor
        self._today = today
        self._nik_filled: tuple[date, str] | None = None
        self._autofill = True
        self._existing_id: int | None = None
        self.candidates: list[Candidate] = []
        self.saved_id: int | None = None
        self._pristine: tuple[object, ...] = ()
        self.discard_box: QMessageBox | None = None
        self.setWindowTitle(tr("Register a walk-in"))
        self._build()
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_PAUSE_MS)
        self._check_timer.timeout.connect(self.check_duplicates)
        self._connect()
        if correcting is not None:
            self._original = load_form(db, correcting)
            self.fill(self._original)
            self.setWindowTitle(tr("Correct a registration"))
            self.save_button.setText(tr("&Save correction (Ctrl+S)"))
            self.consent.hide()
        else:
            self._default_desa()
        self.setProperty("help_topic", "registration")
        self.update_dues()
        self._pristine = self._typed()
        self.nik.setFocus()

    # --- layout --------------------------------------------------------------------------------
    def _line(self, name: str, limit: int) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setMaxLength(limit)
        return field

    def _build(self) -> None:
        self.nik = self._line("nik", 24)
        self.nik.setPlaceholderText(tr("16 digits, from the KTP"))
        self.name = self._line("name", 100)
        self.birth_place = self._line("birthPlace", 60)
        self.birth_date = DateField()  # typed straight through: 12031978
        self.birth_date.setObjectName("birthDate")
        self.sex = QComboBox()
        self.sex.setObjectName("sex")
        self.sex.addItem(tr("L — male"), "L")
        self.sex.addItem(tr("P — female"), "P")
        self.sex.setCurrentIndex(-1)  # from the NIK, or chosen: never a silent default
        self.street = self._line("street", 150)
        self.rt = self._line("rt", 3)
        self.rw = self._line("rw", 3)
        self.desa = self._line("desa", 120)
        self.desa.setPlaceholderText(tr("Type part of the desa's name"))
        self._desa_codes: dict[str, str] = {}
        choices = []
        for desa in desa_of(self._kabupaten):
            choice = desa_label(desa)
            self._desa_codes[choice] = desa.code
            choices.append(choice)
        completer = QCompleter(QStringListModel(choices, self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.desa.setCompleter(completer)
        self.phone = self._line("phone", 20)
        self.phone.setPlaceholderText("08…")
        self.occupation = QComboBox()
        self.occupation.setObjectName("occupation")
        self.occupation.setEditable(True)
        self.occupation.addItems([tr(o) for o in OCCUPATIONS])
        self.occupation.setCurrentIndex(-1)
        self.income = QComboBox()
        self.income.setObjectName("income")
        for amount in income_brackets(self._today()):
            self.income.addItem(formats.money(amount), amount)
        self.with_jht = QCheckBox(tr("&Join JHT too (old-age savings)"))
        self.with_jht.setObjectName("withJht")
        self.heir_name = self._line("heirName", 100)
        self.heir_relation = QComboBox()
        self.heir_relation.setObjectName("heirRelation")
        self.heir_relation.setEditable(True)
        self.heir_relation.addItems([tr(r) for r in RELATIONS])
        self.heir_relation.setCurrentIndex(-1)
        self.consent = QCheckBox(tr("&Yes, the participant agrees to their data being processed"))
        self.consent.setObjectName("consent")

        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        rows = self._rows()
        for row, (key, text, widget, required) in enumerate(rows):
            if text:
                label = QLabel(tr(text) + (" *" if required else ""))
                label.setBuddy(self.rt if key == "rt" else widget)
                self.labels[key] = label
                grid.addWidget(label, row * 2, 0, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(widget, row * 2, 1)
            self.errors[key] = _error_label(key)
            grid.addWidget(self.errors[key], row * 2 + 1, 1)
        self.errors["rw"] = self.errors["rt"]
        self.legend = QLabel(tr("* required"))
        self.legend.setObjectName("legend")
        grid.addWidget(self.legend, len(rows) * 2, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(len(rows) * 2 + 1, 1)  # spare height below the form
        form_widget = QWidget()
        form_widget.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_widget)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.dues = QLabel()
        self.dues.setObjectName("dues")
        self.dues.setWordWrap(True)
        self.promotion = QLabel()
        self.promotion.setObjectName("promotion")
        self.promotion.setWordWrap(True)

        self.duplicate_box = QFrame()
        self.duplicate_box.setObjectName("duplicateBox")
        self.duplicate_box.setStyleSheet("#duplicateBox { background: #fff3e0; }")
        self.duplicate_text = QLabel()
        self.duplicate_text.setObjectName("duplicateText")
        self.duplicate_text.setWordWrap(True)
        self.open_existing = QPushButton(tr("Open &that record"))
        self.open_existing.setObjectName("openExisting")
        self.open_existing.clicked.connect(self._open_existing)
        self.confirm_reason = self._line("duplicateReason", 200)
        # A label, not a placeholder: a placeholder is cut off at 125 % and gone once typing starts.
        self.confirm_label = _wrapped(tr("Not the same person because… (needed to sa&ve)"))
        self.confirm_label.setBuddy(self.confirm_reason)
        box = QVBoxLayout(self.duplicate_box)
        box.addWidget(self.duplicate_text)
        box.addWidget(self.confirm_label)
        box.addWidget(self.confirm_reason)
        box.addWidget(self.open_existing)
        self.duplicate_box.hide()

        # The branch's list: possibly registered at another post. Said, never blocking.
        self.elsewhere = QLabel(
            tr("Possibly registered at another post or with BPJS already — ask the branch.")
        )
        self.elsewhere.setObjectName("elsewhere")
        self.elsewhere.setWordWrap(True)
        self.elsewhere.setStyleSheet(ELSEWHERE_STYLE)
        # What the tooltip said, on screen: help without a mouse.
        self.elsewhere_why = _wrapped(
            tr(
                "Registering is still possible; the branch decides and the registration records "
                "the warning."
            )
        )
        self._show_elsewhere(False)

        self.override_reason = self._line("nikOverrideReason", 200)
        self.override_label = _wrapped(
            tr("Coordinator: why register a NIK that disagrees with the &KTP")
        )
        self.override_label.setBuddy(self.override_reason)
        self.override_label.setVisible(self._actor.is_coordinator)
        self.override_reason.setVisible(self._actor.is_coordinator)
        self.override_reason.setEnabled(False)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b71c1c;")
        self.save_button = QPushButton(tr("&Save registration (Ctrl+S)"))
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(tr("&Cancel"))
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.ask_to_discard)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        side = QVBoxLayout()
        side.addWidget(self.dues)
        side.addWidget(self.promotion)
        side.addWidget(self.duplicate_box)
        side.addWidget(self.elsewhere)
        side.addWidget(self.elsewhere_why)
        side.addWidget(self.override_label)
        side.addWidget(self.override_reason)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(scroll, 3)
        body.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        self._tab_order()
        self.resize(1000, 560)  # fits 1366×768 at 125 % (1093×592) with the taskbar

    def _rows(self) -> list[tuple[str, str, QWidget, bool]]:
        """(field, label, widget, required) in the order of the KTP; the labels' letters are
        unique in the window (Alt+letter goes to the field). Called once: it makes the frames."""
        return [
            ("nik", N_("&NIK"), self.nik, True),
            ("name", N_("Na&me (as on the KTP)"), self.name, True),
            ("birth_place", N_("Birth &place"), self.birth_place, True),
            ("birth_date", N_("&Birth date (dd-mm-yyyy)"), self.birth_date, True),
            ("sex", N_("Se&x"), self.sex, True),
            ("street", N_("&Address (street / dusun)"), self.street, True),
            ("rt", N_("&RT"), self._pair(self.rt, self.rw), False),
            ("desa_code", N_("&Desa / kelurahan"), self.desa, True),
            ("phone", N_("Mobile p&hone"), self.phone, False),
            ("occupation", N_("&Occupation"), self.occupation, True),
            ("income", N_("Declared &income"), self.income, True),
            ("programmes", N_("Programmes"), self._programmes(), False),
            ("heir_name", N_("H&eir"), self.heir_name, False),
            ("heir_relation", N_("Heir's re&lation"), self.heir_relation, False),
            ("consent", "", self.consent, False),
        ]

    def _tab_order(self) -> None:
        """Tab goes down the form, then to what the side asks, then to the buttons."""
        chain: list[QWidget] = [
            self.nik, self.name, self.birth_place, self.birth_date, self.sex, self.street,
            self.rt, self.rw, self.desa, self.phone, self.occupation, self.income,
            self.with_jht, self.heir_name, self.heir_relation, self.consent,
            self.confirm_reason, self.open_existing, self.override_reason,
            self.cancel_button, self.save_button,
        ]  # fmt: skip
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _fields(self) -> dict[str, QWidget]:
        return {
            "nik": self.nik, "name": self.name, "birth_place": self.birth_place,
            "birth_date": self.birth_date, "sex": self.sex, "street": self.street, "rt": self.rt,
            "rw": self.rw, "desa_code": self.desa, "phone": self.phone,
            "occupation": self.occupation, "income": self.income, "heir_name": self.heir_name,
            "heir_relation": self.heir_relation, "consent": self.consent,
        }  # fmt: skip

    def _edited(self, key: str) -> None:
        self.errors[key].hide()
        if not any(label.isVisibleTo(self) for label in self.errors.values()):
            self.message.clear()

    def _pair(self, first: QLineEdit, second: QLineEdit) -> QFrame:
        frame = QFrame()
        row = QHBoxLayout(frame)
        row.setContentsMargins(0, 0, 0, 0)
        second_label = QLabel(tr("R&W"))  # a label of its own: Alt+W goes to the RW
        second_label.setBuddy(second)
        row.addWidget(first)
        row.addWidget(second_label)
        row.addWidget(second)
        row.addStretch(1)
        first.setMaximumWidth(60)
        second.setMaximumWidth(60)
        return frame

    def _programmes(self) -> QWidget:
        frame = QFrame()
        row = QHBoxLayout(frame)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(tr("JKK + JKM")))
        row.addWidget(self.with_jht)
        row.addStretch(1)
        return frame

    def _connect(self) -> None:
        # A field's message goes as soon as the field is edited: what stays red is still wrong.
        for key, widget in self._fields().items():
            signal = getattr(widget, "textChanged", None) or getattr(widget, "toggled", None)
            if isinstance(widget, QComboBox):
                signal = widget.currentTextChanged
            if signal is not None:
                signal.connect(lambda *_args, k=key: self._edited(k))
        self.nik.textChanged.connect(self.nik_changed)
        self.name.textChanged.connect(lambda _t: self._check_timer.start())
        self.birth_date.textChanged.connect(lambda _t: self._check_timer.start())
        # Checked as each is left, as the NIK is as it is typed: not only when saving.
        self.phone.editingFinished.connect(self.check_phone)
        self.birth_date.editingFinished.connect(lambda: self.check_agreement("birth_date"))
        self.nik.editingFinished.connect(lambda: self.check_agreement("nik"))
        self.sex.activated.connect(lambda _i: self.check_agreement("sex"))
        self.income.currentIndexChanged.connect(lambda _i: self.update_dues())
        self.with_jht.toggled.connect(lambda _c: self.update_dues())

    def done(self, result: int) -> None:
        self._check_timer.stop()  # no duplicate check after the form is gone
        super().done(result)

    # --- while typing ----------------------------------------------------------------------------
    def nik_changed(self, text: str) -> None:
        """Check the NIK as it is typed; fill birth date and sex from it."""
        self.errors["nik"].hide()
        digits = normalize_nik(text)
        self._existing_id = None
        self.duplicate_box.hide()
        self._show_elsewhere(False)
        if len(digits) < 16:
            return
        try:
            info = validate_nik(digits, today=self._today())
        except InvalidNik as error:
            self._show_error("nik", str(error))
            return
        # Fill only what the volunteer has not typed (or what the NIK itself filled before).
        if (self._nik_filled is None and self.birth_date.is_empty()) or self._nik_filled == (
            self._birth_date(),
            self.sex.currentData(),
        ):
            self.birth_date.setDate(info.birth_date)
            self.sex.setCurrentIndex(self.sex.findData(info.sex))
            self._nik_filled = (info.birth_date, info.sex)
        with self._db.reading() as session:
            same = existing_nik(session, self._post_id, digits)
            if same is not None and same.id != self._correcting:
                self._show_existing(same.id, same.registration_no, same.name)
            elif self._new_nik(digits) and possibly_registered_elsewhere(session, digits):
                self._show_elsewhere(True)

    def _show_elsewhere(self, shown: bool) -> None:
        self.elsewhere.setVisible(shown)
        self.elsewhere_why.setVisible(shown)

    def _new_nik(self, digits: str) -> bool:
        """A NIK being registered, or a correction's changed NIK (the service records the
        branch list's warning for those only)."""
        return self._original is None or normalize_nik(self._original.nik) != digits

    def check_duplicates(self) -> None:
        """A similar name with the same birth date, said while the form is still being filled."""
        name = self.name.text().strip()
        born = self._birth_date()
        if len(name) < 3 or self._existing_id is not None or born is None:
            return
        with self._db.reading() as session:
            self.candidates = find_duplicates(
                session, self._post_id, name, born, exclude=self._correcting
            )
        self._show_candidates()

    def update_dues(self) -> None:
        month = first_dues_month(self._today())  # what the participant will first pay
        promotion = promotion_cover(self._today())
        try:
            dues = monthly_dues(
                int(self.income.currentData() or 0), programmes(self.with_jht.isChecked()), month
            )
        except (DuesError, RuleError) as error:
            self.dues.setText(str(error))
            return
        parts = [f"JKK {formats.money(dues.jkk)}", f"JKM {formats.money(dues.jkm)}"]
        if dues.jht:
            parts.append(f"JHT {formats.money(dues.jht)}")
        self.dues.setText(
            tr(
                "<b>Monthly dues: {total}</b><br>{parts}",
                total=formats.money(dues.total),
                parts=" + ".join(parts),
            )
        )
        if promotion is None:
            self.promotion.setText(tr("No promotion now: cover starts with the first paid month."))
        else:
            text = tr(
                "Free JKK + JKM from today to {end} (promotion); dues from {first}.",
                end=formats.day(promotion.end),
                first=formats.month(month),  # first_dues_month: the month after it
            )
            self.promotion.setText(text)

    # --- showing answers -----------------------------------------------------------------------
    def _birth_date(self) -> date | None:
        return self.birth_date.date()

    def check_phone(self) -> None:
        """The phone as it is left: the message saving would give, by the field."""
        problem = phone_problem(self.phone.text())
        if problem:
            self._show_error("phone", problem)

    def check_agreement(self, left: str) -> None:
        """The NIK, birth date or sex just left, against each other: a disagreement is said by
        the field left (saving would refuse it), a date that cannot exist too."""
        for key in ("birth_date", "sex"):
            self.errors[key].hide()
        if left == "nik" and self.birth_date.is_empty():
            return  # nothing to disagree with yet; the NIK's own check is said as it is typed
        problem = self.birth_date.problem() if left == "birth_date" else None
        problem = problem or agreement_problem(
            self.nik.text(), self._birth_date(), str(self.sex.currentData() or ""), self._today()
        )
        if problem:
            self._show_error(left, problem)

    def _show_error(self, field: str, text: str) -> None:
        label = self.errors.get(field)
        if label is None:
            self.message.setText(text)
            return
        label.setText(text)
        label.show()

    def _show_existing(self, participant_id: int, registration_no: str, name: str) -> None:
        self._existing_id = participant_id
        self.duplicate_text.setText(
            tr(
                "This NIK is already registered here: {registration_no} — {name}. "
                "It cannot be registered twice.",
                registration_no=registration_no,
                name=name,
            )
        )
        self.confirm_reason.hide()
        self.open_existing.show()
        self.duplicate_box.show()

    def _show_candidates(self) -> None:
        if not self.candidates:
            self.duplicate_box.hide()
            return
        lines = "<br>".join(
            f"{c.registration_no} — {c.name} ({c.desa_name})" for c in self.candidates
        )
        self.duplicate_text.setText(
            tr(
                "<b>Possibly already registered</b> (similar name, same birth date):<br>{lines}",
                lines=lines,
            )
        )
        self.confirm_reason.show()
        self.open_existing.show()
        self.duplicate_box.show()

    def _open_existing(self) -> None:
        target = self._existing_id or (
            self.candidates[0].participant_id if self.candidates else None
        )
        if target is not None:
            self.open_participant.emit(target)
            self.reject()

    def _default_desa(self) -> None:
        """The post's own desa, filled for every walk-in (most live there); still changeable."""
        with self._db.reading() as session:
            code = default_desa(session, self._post_id)
        desa = areas.area(code) if code else None
        if desa is None:
            return
        label = desa_label(desa)
        self._desa_codes.setdefault(label, desa.code)
        self.desa.setText(label)

    # --- leaving -------------------------------------------------------------------------------
    def _typed(self) -> tuple[object, ...]:
        """What the volunteer has typed or chosen, to tell a touched form from an untouched one."""
        texts = tuple(
            w.currentText() if isinstance(w, QComboBox) else w.text()
            for w in self._fields().values()
            if isinstance(w, QComboBox | QLineEdit)
        )
        checks = (self.with_jht.isChecked(), self.consent.isChecked())
        return (*texts, *checks, self.confirm_reason.text(), self.override_reason.text())

    def is_touched(self) -> bool:
        return self._typed() != self._pristine

    def ask_to_discard(self) -> None:
        """Escape, Cancel or the window's close button: an untouched form closes at once; typed
        work is thrown away only when the volunteer says so."""
        if not self.is_touched():
            self.reject()
            return
        if self.discard_box is None:
            self.discard_box = ask_discard(self, self.reject)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.ask_to_discard()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # The close button asks like Escape; the program closing the form (a new person logs in,
        # the idle lock) closes it at once: its data must not stay on screen.
        if event.spontaneous() and self.is_touched():
            event.ignore()
            self.ask_to_discard()
            return
        super().closeEvent(event)

    # --- saving --------------------------------------------------------------------------------
    def desa_code(self) -> str:
        """The chosen desa: a suggestion as offered, or a desa name that is unique in the
        kabupaten (typed in full); otherwise the text, which the check then refuses."""
        text = self.desa.text().strip()
        if text in self._desa_codes:
            return self._desa_codes[text]
        named = [d.code for d in desa_of(self._kabupaten) if d.name.casefold() == text.casefold()]
        return named[0] if len(named) == 1 else text

    def form(self) -> RegistrationForm:
        desa_code = self.desa_code()
        return RegistrationForm(
            nik=self.nik.text(),
            name=self.name.text(),
            birth_place=self.birth_place.text(),
            birth_date=self._birth_date(),
            sex=str(self.sex.currentData() or ""),
            street=self.street.text(),
            rt=self.rt.text(),
            rw=self.rw.text(),
            desa_code=desa_code,
            phone=self.phone.text(),
            occupation=self.occupation.currentText(),
            income=int(self.income.currentData() or 0),
            with_jht=self.with_jht.isChecked(),
            heir_name=self.heir_name.text(),
            heir_relation=self.heir_relation.currentText(),
            consent=self.consent.isChecked(),
            nik_override_reason=self.override_reason.text() if self._actor.is_coordinator else "",
            duplicate_reason=self.confirm_reason.text() if self.candidates else "",
        )

    def fill(self, form: RegistrationForm) -> None:
        """Show a stored registration in the fields (for a correction)."""
        self._autofill = False  # a correction never overwrites stored fields from the NIK
        self.nik.setText(form.nik)
        self.name.setText(form.name)
        self.birth_place.setText(form.birth_place)
        self.birth_date.setDate(form.birth_date)
        self.sex.setCurrentIndex(self.sex.findData(form.sex))
        self.street.setText(form.street)
        self.rt.setText(form.rt)
        self.rw.setText(form.rw)
        desa = areas.area(form.desa_code)
        self.desa.setText(desa_label(desa) if desa else form.desa_code)
        if desa is not None and desa.code not in self._desa_codes.values():
            self._desa_codes[desa_label(desa)] = desa.code  # a desa outside the kabupaten
        self.phone.setText(form.phone)
        self.occupation.setCurrentText(form.occupation)
        if self.income.findData(form.income) < 0:  # a bracket no longer listed: keep it
            self.income.addItem(formats.money(form.income), form.income)
        self.income.setCurrentIndex(self.income.findData(form.income))
        self.with_jht.setChecked(form.with_jht)
        self.heir_name.setText(form.heir_name)
        self.heir_relation.setCurrentText(form.heir_relation)
        self.consent.setChecked(True)
        self.duplicate_box.hide()

    def save(self) -> None:
        for label in self.errors.values():
            label.hide()
        self.message.clear()
        if self._correcting is not None:
            self.save_correction()
            return
        form = self.form()
        run_op(
            self,
            lambda: register(self._db, form, self._actor),
            success=lambda done: self._registered(done.participant_id),
            failure=self._refused_saving,
            boxed=False,  # by the fields and under the form, as before
        )

    def _registered(self, participant_id: int) -> None:
        self.saved_id = participant_id
        self.registered.emit(participant_id)
        self.accept()

    def _refused_saving(self, error: UserError) -> None:
        """A refusal of the registration or the correction, said where it concerns (a
        correction's NIK already registered: in the line under the form, as any refusal)."""
        if isinstance(error, InvalidRegistration):
            self._refused(error)
        elif isinstance(error, DuplicateNik) and self._correcting is None:
            self._show_existing(error.participant_id, *_dup_args(error))
            self.message.setText(error.message())
        elif isinstance(error, PossibleDuplicates):
            self.candidates = error.candidates
            self._show_candidates()
            if self._correcting is None:
                self.confirm_reason.setFocus()
            self.message.setText(error.message())
        else:
            self.message.setText(error.message())

    def _nik_change_reason(self) -> str | None:
        """Why a correction changes the NIK (recorded); None when the volunteer goes back."""
        ask = QInputDialog(self)
        ask.setWindowTitle(tr("NIK change"))
        ask.setLabelText(tr("&Why does the NIK change? (recorded)"))  # Alt+letter: the field
        ask.setOkButtonText(tr("&Save correction"))
        ask.setCancelButtonText(tr("&Back"))
        if not ask.exec():
            return None
        return ask.textValue()

    def _refused(self, error: InvalidRegistration) -> None:
        """Each field's message by the field, and the cursor in the first field at fault."""
        fields = dict(error.fields)
        if "birth_date" in fields and self.birth_date.problem():
            fields["birth_date"] = self.birth_date.problem() or ""  # why it is not a date
        for field, text in fields.items():
            self._show_error(field, text)
        if "nik" in fields and self._actor.is_coordinator:
            self.override_reason.setEnabled(True)
        self.message.setText(tr("Nothing was saved: correct the fields marked in red."))
        widgets = self._fields()
        first = next((key for key in widgets if key in fields), None)
        if first is not None:
            widgets[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def save_correction(self, reason: str | None = None) -> None:
        correcting = self._correcting
        assert correcting is not None and self._original is not None
        changes = changed_fields(self._original, replace(self.form(), consent=True))
        if not changes:
            self.accept()
            return
        if "nik" in changes and reason is None:
            reason = self._nik_change_reason()
            if reason is None:
                return
        nik_override = self.override_reason.text() if self._actor.is_coordinator else ""
        duplicate_reason = self.confirm_reason.text() if self.candidates else ""
        run_op(
            self,
            lambda: correct(
                self._db,
                correcting,
                changes,
                self._actor,
                reason or "",
                nik_override_reason=nik_override,
                duplicate_reason=duplicate_reason,
            ),
            # the participant view shows the correction by the change notice
            success=lambda _done: self.accept(),
            failure=self._refused_saving,
            boxed=False,
        )


def _dup_args(error: DuplicateNik) -> tuple[str, str]:
    return str(error.params["registration_no"]), str(error.params["name"])


def desa_of(kabupaten: str) -> list[areas.Area]:
    """The desa of the post's kabupaten, for the form's type-ahead."""
    prefix = kabupaten + "."
    return [v for v in areas.province_villages(kabupaten[:2]).values() if v.code.startswith(prefix)]


def desa_label(desa: areas.Area) -> str:
    """``Sampiran — Kec. Talun``: desa names repeat across kecamatan, so the kecamatan is shown."""
    district = areas.area(desa.parent_code)
    return f"{desa.name} — Kec. {district.name}" if district else desa.name
