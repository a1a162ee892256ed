"""One participant: who they are, their cover and what changes next, and every change made.

From here a registration is corrected (the registration form, filled), withdrawn by a
coordinator with a reason, or — when lapsed — reactivated on the same record. Dues are taken
here (Pay dues…, Ctrl+B), receipts reprinted (marked SALINAN) and, by a coordinator, voided.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import areas, changes, formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.coverage import Status, status_label
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.access import access_history
from rumah_perisai.services.cards import CARD_STATE_TEXT, REASON_TEXT
from rumah_perisai.services.dues import PAYMENT, ReceiptRow, participant_receipts
from rumah_perisai.services.participant_view import (
    ParticipantDetail,
    participant_detail,
    view_participant,
)
from rumah_perisai.services.registration import rejoin, withdraw
from rumah_perisai.services.settings import RECEIPT_LAYOUT, get_setting
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.access_view import access_table, fill_access_table
from rumah_perisai.ui.changes import listen
from rumah_perisai.ui.operations import run_op, run_op_in_background
from rumah_perisai.ui.participant_model import STATUS_COLOURS
from rumah_perisai.ui.refusals import refusing

AMOUNT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def receipt_state(receipt: ReceiptRow) -> str:
    """A receipt's state in words: paid, voided by X, void of X, refund of X."""
    if receipt.kind == PAYMENT:
        if receipt.voided_by:
            return tr("voided by {number}", number=receipt.voided_by)
        return tr("paid")
    if receipt.refund:
        return tr("refund of {number}", number=receipt.voids_number or "?")
    return tr("void of {number}", number=receipt.voids_number or "?")


# What each recorded change is called on screen; other columns (ids, the summary columns the
# program keeps for speed) are not shown: they repeat what the cover and status say in words.
HISTORY_FIELDS = {
    "name": N_("Name"),
    "nik": "NIK",
    "kpj": "KPJ",
    "birth_place": N_("Place of birth"),
    "birth_date": N_("Date of birth"),
    "sex": N_("Sex"),
    "street": N_("Street"),
    "rt": "RT",
    "rw": "RW",
    "desa_code": N_("Desa"),
    "phone": N_("Phone"),
    "occupation": N_("Occupation"),
    "income": N_("Declared income"),
    "with_jht": "JHT",
    "heir_name": N_("Heir"),
    "heir_relation": N_("Heir's relation"),
    "standing": N_("Registration"),
    "rejoin_count": N_("Rejoined"),
}
STANDING_TEXT = {
    "member": N_("member"),
    "withdrawn": N_("withdrawn"),
    "rejected": N_("rejected by the branch"),
}


def _shown_value(name: str, value: object) -> str:
    """A recorded value in words: dates as formats.day, codes as what they mean."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if name == "sex":
        return tr("male") if value == "L" else tr("female")
    if name == "desa_code":
        desa = areas.area(str(value))
        return desa.name if desa else str(value)
    if name == "standing":
        return tr(STANDING_TEXT.get(str(value), str(value)))
    if name == "income" and isinstance(value, int):
        return formats.money(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return formats.day(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _cover_text(changes: dict[str, object], action: str) -> str:
    """A cover period added (free or paid months) or voided, in words."""
    if action != "create":
        return tr("paid months voided") if "voided_by_receipt_id" in changes else ""
    kind = tr("Free cover") if changes.get("kind") == "promotion" else tr("Paid cover")
    start, end = changes.get("start_date"), changes.get("end_date")
    return f"{kind}: {_shown_value('start', start)} – {_shown_value('end', end)}"


def _who(actor: str) -> str:
    """A recorded actor in words: a volunteer's name, else the program's own name for it
    ("volunteer:RP3209A/asep Asep Saepudin" → "Asep Saepudin"; "cli:…" → "command line")."""
    kind, _, rest = actor.partition(":")
    if kind == "volunteer":
        return rest.partition(" ")[2] or rest
    if kind == "cli":
        return tr("command line")
    if kind == "branch":
        return tr("branch")
    return actor


def _history_text(changes: dict[str, object], action: str, entity: str = "participants") -> str:
    if entity == "cover_periods":
        return _cover_text(changes, action)
    if action == "create":
        return tr("registered")
    parts = []
    for name, value in changes.items():
        label = HISTORY_FIELDS.get(name)
        if label is not None and isinstance(value, list) and len(value) == 2:
            old, new = (_shown_value(name, v) for v in value)
            parts.append(f"{tr(label)}: {old} → {new}")
    if changes.get("_reason"):
        parts.append(tr("reason: {reason}", reason=changes["_reason"]))
    return "; ".join(parts)


def next_step(d: ParticipantDetail) -> str:
    """What happens next, said as what to do: the end of the cover and what keeps it going,
    never a bare "From 1 Apr 2027: In arrears" that reads like a debt to a new walk-in."""
    assert d.next_change is not None
    day, later = d.next_change
    ends = formats.day(day - timedelta(days=1))
    if later is Status.ARREARS and d.status in (Status.PROMOTION, Status.ACTIVE):
        if d.status is Status.PROMOTION:
            text = tr("The free cover ends on {day}.", day=ends)
        else:
            text = tr("Dues are paid up to {day}.", day=ends)
        if d.next_dues is None:
            return (
                text
                + " "
                + tr("To stay covered, pay the dues from {month}.", month=formats.month(day))
            )
        month, amount = d.next_dues
        return (
            text
            + " "
            + tr(
                "To stay covered, pay the dues from {month}: {amount} a month.",
                month=formats.month(month),
                amount=formats.money(amount),
            )
        )
    if later is Status.LAPSED and d.status is Status.ARREARS:
        return tr(
            "Not covered now. The unpaid months can be paid up to {day}; after that the "
            "membership lapses and is started again with a rejoin.",
            day=ends,
        )
    if later is Status.ACTIVE and d.status is Status.NOT_YET_COVERED:
        return tr("Covered from {day}, the first paid month.", day=formats.day(day))
    return tr("From {day}: {status}", day=formats.day(day), status=status_label(later))


def _born(d: ParticipantDetail) -> str:
    # Erased at their request: the place is gone and only the year of birth is kept.
    if not d.birth_place:
        return str(d.birth_date.year)
    return f"{d.birth_place}, {formats.day(d.birth_date)}"


class ParticipantDialog(QDialog):
    correct_requested = Signal(int)
    card_requested = Signal(int)

    def __init__(
        self,
        db: Database,
        participant_id: int,
        actor: Actor,
        today: Callable[[], date],
        zone: str,
        parent: QWidget | None = None,
        *,
        folder: DataFolder | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._folder = folder
        self.receipt_rows: list[ReceiptRow] = []
        self._id = participant_id
        self._actor = actor
        self._today = today
        self._zone = zone
        # Opening the window is a look at the person (services.access); reloads are not.
        self.detail: ParticipantDetail = view_participant(db, participant_id, today(), actor)
        self.setProperty("help_topic", "participant")
        self.resize(900, 540)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self.status = QLabel()
        self.status.setObjectName("status")
        self.facts = QFormLayout()
        self.cover = QTableWidget(0, 4)
        self.cover.setObjectName("cover")
        self.history = QTableWidget(0, 3)
        self.history.setObjectName("history")
        self.cards = QTableWidget(0, 4)
        self.cards.setObjectName("cards")
        self.cards.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.receipts = QTableWidget(0, 6)
        self.receipts.setObjectName("receipts")
        self.receipts.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.receipts.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for table in (self.cover, self.history, self.cards, self.receipts):
            table.verticalHeader().setVisible(False)
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.horizontalHeader().setStretchLastSection(True)
        self.tabs = tabs = QTabWidget()
        facts_widget = QWidget()
        facts_widget.setLayout(self.facts)
        tabs.addTab(facts_widget, tr("&Details"))
        tabs.addTab(self.cover, tr("&Cover"))
        tabs.addTab(self.history, tr("&History"))
        cards_page = QWidget()
        cards_layout = QVBoxLayout(cards_page)
        cards_layout.addWidget(self.cards, 1)
        self.hand_over_button = QPushButton(tr("Card ha&nded over"))
        self.hand_over_button.setObjectName("handOver")
        self.hand_over_button.clicked.connect(self.mark_handed_over)
        cards_layout.addWidget(self.hand_over_button, 0, Qt.AlignmentFlag.AlignLeft)
        tabs.addTab(cards_page, tr("C&ards"))
        dues_page = QWidget()
        dues_layout = QVBoxLayout(dues_page)
        dues_layout.addWidget(self.receipts, 1)
        dues_buttons = QHBoxLayout()
        self.reprint_button = QPushButton(tr("Reprin&t (SALINAN)"))
        self.reprint_button.setObjectName("reprint")
        self.reprint_button.setAutoDefault(False)
        self.reprint_button.clicked.connect(self.reprint)
        self.void_button = QPushButton(tr("&Void…"))
        self.void_button.setObjectName("void")
        self.void_button.setAutoDefault(False)
        self.void_button.clicked.connect(self.ask_void)
        # Why the void button is (not) available, in visible text: a tooltip needs a mouse.
        self.void_reason = QLabel()
        self.void_reason.setObjectName("voidReason")
        self.void_reason.setWordWrap(True)
        dues_buttons.addWidget(self.reprint_button)
        dues_buttons.addWidget(self.void_button)
        dues_buttons.addWidget(self.void_reason, 1)
        dues_layout.addLayout(dues_buttons)
        self.dues_tab = tabs.addTab(dues_page, tr("D&ues"))
        self.looks: QTableWidget | None = None
        if actor.is_coordinator:  # who looked at this person: a coordinator's (issue 19)
            self.looks = access_table("looks")
            self.looks_tab = tabs.addTab(self.looks, tr("Access histor&y"))
            tabs.currentChanged.connect(self._tab_shown)
        self.receipts.itemSelectionChanged.connect(self._receipt_selected)
        self.receipts.doubleClicked.connect(lambda _index: self.reprint())
        self.pay_button = QPushButton(tr("&Pay dues… (Ctrl+B)"))
        self.pay_button.setObjectName("pay")
        self.pay_button.clicked.connect(self.pay)
        QShortcut(QKeySequence("Ctrl+B"), self, self.pay)
        self.correct_button = QPushButton(tr("C&orrect data"))
        self.correct_button.setObjectName("correct")
        self.correct_button.clicked.connect(lambda: self.correct_requested.emit(self._id))
        self.card_button = QPushButton(tr("Print ca&rd…"))
        self.card_button.setObjectName("card")
        self.card_button.clicked.connect(lambda: self.card_requested.emit(self._id))
        self.withdraw_button = QPushButton(tr("&Withdraw registration…"))
        self.withdraw_button.setObjectName("withdraw")
        self.withdraw_button.clicked.connect(self.ask_withdraw)
        # A person's report (UU PDP Art. 32): the coordinator's, as the command line's is.
        self.report_button = QPushButton(tr("P&ersonal data report…"))
        self.report_button.setObjectName("personalReport")
        self.report_button.setAutoDefault(False)
        self.report_button.setVisible(actor.is_coordinator)
        self.report_button.clicked.connect(self.ask_report)
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.rejoin_button = QPushButton(tr("Reactivate (re&join)"))
        self.rejoin_button.setObjectName("rejoin")
        self.rejoin_button.clicked.connect(self.do_rejoin)
        self.requests_button = QPushButton(tr("Re&quest about data…"))
        self.requests_button.setObjectName("dataRequest")
        self.requests_button.clicked.connect(self.open_data_request)
        # "Kembali", not "Tutup": beside "Batalkan pendaftaran" a dismiss button must not
        # read like an action (issue 17, design: dismiss vs action).
        close = QPushButton(tr("&Back"))
        close.setObjectName("back")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (
            self.pay_button,
            self.correct_button,
            self.card_button,
            self.withdraw_button,
            self.rejoin_button,
            self.report_button,
            self.requests_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.heading)
        layout.addWidget(self.status)
        layout.addWidget(tabs, 1)
        layout.addLayout(buttons)
        self.show_detail()
        close.setFocus()
        # Whoever changed them (a payment, a card, a correction): shown again, never by hand.
        listen(self, (changes.PARTICIPANTS, changes.RECEIPTS, changes.CARDS), self.reload)

    def _tab_shown(self, index: int) -> None:
        """Read only when shown: opening the view stays as quick as for a volunteer."""
        if self.looks is not None and index == self.looks_tab:
            self.show_looks()

    def show_looks(self) -> None:
        looks = self.looks
        if looks is None:
            return
        run_op(
            self,
            lambda: access_history(self._db, self._actor, participant_id=self._id),
            success=lambda rows: fill_access_table(looks, rows, self._zone),
        )

    def reload(self) -> None:
        self.detail = participant_detail(self._db, self._id, self._today())
        self.show_detail()

    def show_detail(self) -> None:
        d = self.detail
        # The title shows in the taskbar and window switcher: the number only, never the name.
        self.setWindowTitle(d.registration_no)
        kpj = f" · KPJ {d.kpj}" if d.kpj else ""
        self.heading.setText(f"<h2>{d.name}</h2>{d.registration_no}{kpj} · NIK {d.nik_masked}")
        foreground, background = STATUS_COLOURS[d.status]
        text = f"<b>{status_label(d.status)}</b>"
        if d.cover_until:
            text += " — " + tr("covered until {day}", day=formats.day(d.cover_until))
        if d.next_change:
            text += "<br>" + next_step(d)
        if d.standing_reason:
            text += "<br>" + tr("Reason: {reason}", reason=d.standing_reason)
        if d.branch_pending:
            text += "<br>" + tr("Waiting for the branch: {reason}", reason=d.branch_pending)
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {foreground}; background: {background}; padding: 6px;")
        self._show_facts(d)
        self._show_cover(d)
        self._show_history(d)
        self._show_cards(d)
        self._show_receipts()
        is_member = d.standing == "member"
        self.pay_button.setEnabled(is_member and self._folder is not None)
        self.correct_button.setEnabled(is_member)
        self.card_button.setEnabled(is_member)
        self.withdraw_button.setVisible(self._actor.is_coordinator and is_member)
        self.rejoin_button.setVisible(d.status is Status.LAPSED)
        # A person's requests about their data are recorded by a coordinator (UU PDP; issue 19).
        self.requests_button.setVisible(self._actor.is_coordinator and self._folder is not None)

    def _show_facts(self, d: ParticipantDetail) -> None:
        while self.facts.rowCount():
            self.facts.removeRow(0)
        programmes = "JKK + JKM + JHT" if d.with_jht else "JKK + JKM"
        sex = tr("male") if d.sex == "L" else tr("female")
        rows = [
            (tr("Born:"), f"{_born(d)} ({sex})"),
            # An erased person has no street (docs/personal-data.md): the desa alone.
            (tr("Address:"), "<br>".join(filter(None, (d.address, d.desa_full_name)))),
            (tr("Phone:"), d.phone or "—"),
            (tr("Occupation:"), d.occupation or "—"),
            (tr("Declared income:"), formats.money(d.income)),
            (tr("Programmes:"), programmes),
            (tr("Heir:"), f"{d.heir_name} ({d.heir_relation})" if d.heir_name else "—"),
            (tr("Registered:"), f"{formats.day(d.registered_on)} · {d.registered_by or '—'}"),
        ]
        if d.rejoin_count:
            rows.append((tr("Rejoined:"), str(d.rejoin_count)))
        if d.nik_override_reason:
            rows.append((tr("NIK check overridden:"), d.nik_override_reason))
        if d.duplicate_override_reason:
            rows.append((tr("Not a duplicate because:"), d.duplicate_override_reason))
        for label, value in rows:
            shown = QLabel(value)
            shown.setWordWrap(True)
            self.facts.addRow(label, shown)

    def _show_cover(self, d: ParticipantDetail) -> None:
        self.cover.setHorizontalHeaderLabels([tr("Kind"), tr("From"), tr("To"), tr("Source")])
        self.cover.setRowCount(len(d.cover))
        for row, period in enumerate(d.cover):
            kind = tr("Promotion") if period.kind == "promotion" else tr("Paid")
            if period.voided:
                kind += " " + tr("(voided)")
            for column, text in enumerate(
                (kind, formats.day(period.start), formats.day(period.end), period.source)
            ):
                self.cover.setItem(row, column, QTableWidgetItem(text))

    def _show_history(self, d: ParticipantDetail) -> None:
        self.history.setHorizontalHeaderLabels([tr("When"), tr("Who"), tr("What")])
        shown = [
            (entry, what)
            for entry in reversed(d.history)
            if (what := _history_text(entry.changes, entry.action, entry.entity))
        ]
        self.history.setRowCount(len(shown))
        for row, (entry, what) in enumerate(shown):
            texts = (formats.moment(entry.at, self._zone), _who(entry.actor), what)
            for column, text in enumerate(texts):
                self.history.setItem(row, column, QTableWidgetItem(text))

    def set_notice(self, text: str, good: bool) -> None:
        """What a scanned card said, above everything else."""
        colours = ("#1b5e20", "#e8f5e9") if good else ("#b71c1c", "#ffebee")
        self.notice.setStyleSheet(
            f"color: {colours[0]}; background: {colours[1]}; padding: 8px; font-weight: bold;"
        )
        self.notice.setText(text)
        self.notice.show()

    def _show_cards(self, d: ParticipantDetail) -> None:
        self.cards.setHorizontalHeaderLabels([tr("No."), tr("Made"), tr("Reason"), tr("State")])
        self.cards.setRowCount(len(d.cards))
        for row, card in enumerate(d.cards):
            state = tr(CARD_STATE_TEXT[card.state])
            if card.handed_over:
                state += ", " + tr("handed over")
            texts = (
                str(card.serial),
                formats.day(card.issued_on),
                tr(REASON_TEXT[card.reason]),
                state,
            )
            for column, text in enumerate(texts):
                self.cards.setItem(row, column, QTableWidgetItem(text))
        if d.cards:
            self.cards.selectRow(0)
        current = next((c for c in d.cards if c.state == "valid"), None)
        self.hand_over_button.setEnabled(current is not None and not current.handed_over)

    def mark_handed_over(self) -> None:
        """The newest card was given to the participant."""
        from rumah_perisai.services.cards import hand_over

        current = next((c for c in self.detail.cards if c.state == "valid"), None)
        if current is not None:
            run_op(self, lambda: hand_over(self._db, current.serial, self._actor))

    def ask_withdraw(self) -> None:
        from rumah_perisai.ui.question import ask

        # The action on its button; "Kembali" beside it, not "Batal" (which reads as the action).
        question = ask(
            self,
            tr("Withdraw registration"),
            tr("&Why is this registration withdrawn?"),
            tr("&Withdraw registration"),
        )
        question.setCancelButtonText(tr("&Back"))
        self.withdraw_question = question
        if question.exec():
            self.withdraw_with(question.textValue())

    def open_data_request(self) -> None:
        from rumah_perisai.ui.data_request_dialog import DataRequestDialog

        if self._folder is None or not self._actor.is_coordinator:
            return
        self.data_request = DataRequestDialog(
            self._db, self._folder, self._actor, self._id, self.detail.registration_no,
            self._today, self,
        )  # fmt: skip
        self.data_request.finished.connect(lambda _result: self.reload())
        self.data_request.open()

    def withdraw_with(self, reason: str) -> None:
        run_op(self, lambda: withdraw(self._db, self._id, reason, self._actor))

    def do_rejoin(self) -> None:
        run_op(self, lambda: rejoin(self._db, self._id, self._actor), success=self._rejoined)

    def _rejoined(self, start: date) -> None:
        """Shown again already (the notice); what to do next is added."""
        self.status.setText(
            self.status.text()
            + "<br>"
            + tr("Rejoined from {day}: take the first payment.", day=formats.day(start))
        )

    # --- dues ----------------------------------------------------------------------------------
    def _show_receipts(self) -> None:
        self.receipt_rows = participant_receipts(self._db, self._id)
        self.receipts.setHorizontalHeaderLabels(
            [tr("Receipt no."), tr("When"), tr("Months"), tr("Total"), tr("By"), tr("State")]
        )
        self.receipts.setRowCount(len(self.receipt_rows))
        for row, receipt in enumerate(self.receipt_rows):
            total = formats.money(receipt.total)
            if receipt.kind != PAYMENT:
                total = "− " + total
            texts = (
                receipt.number,
                formats.moment(receipt.issued_at, self._zone),
                receipt.months_text,
                total,
                receipt.volunteer_name,
                receipt_state(receipt),
            )
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setTextAlignment(AMOUNT)
                if receipt.voided_by or receipt.kind != PAYMENT:
                    item.setForeground(Qt.GlobalColor.darkGray)
                self.receipts.setItem(row, column, item)
        if self.receipt_rows:
            self.receipts.selectRow(0)
        self._receipt_selected()

    def selected_receipt(self) -> ReceiptRow | None:
        rows = self.receipts.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self.receipt_rows):
            return None
        return self.receipt_rows[rows[0].row()]

    def _receipt_selected(self) -> None:
        receipt = self.selected_receipt()
        self.reprint_button.setEnabled(receipt is not None and self._folder is not None)
        voidable = receipt is not None and receipt.kind == PAYMENT and not receipt.voided_by
        if not self._actor.is_coordinator:
            self.void_button.setEnabled(False)
            why = tr("Only a coordinator can void a receipt.")
        elif not voidable:
            self.void_button.setEnabled(False)
            why = tr("Choose a payment that is not voided yet.")
        else:
            self.void_button.setEnabled(self._folder is not None)
            why = tr("Void this payment, with a reason; the void is printed.")
        self.void_button.setToolTip(why)
        self.void_reason.setText(why)

    def focus_pay(self) -> None:
        """Paying one keystroke away (after a card scan): Enter opens the payment."""
        if self.pay_button.isEnabled():
            self.pay_button.setDefault(True)
            self.pay_button.setFocus()

    def pay(self) -> None:
        from rumah_perisai.ui.payment_dialog import PaymentDialog

        if self._folder is None or not self.pay_button.isEnabled():
            return
        with refusing(self, wait=False) as refused:
            dialog = PaymentDialog(self._db, self._folder, self._actor, self._id, self)
        if refused:
            self.message_box = refused.box
            return
        dialog.paid.connect(lambda _id: self._paid())
        self.payment_dialog = dialog
        dialog.open()

    def _paid(self) -> None:
        """After its own payment or void: the receipts, already shown again by the notice."""
        self.tabs.setCurrentIndex(self.dues_tab)

    def reprint(self) -> None:
        from rumah_perisai.ui.receipt_dialog import ReceiptDialog

        receipt = self.selected_receipt()
        if receipt is None or self._folder is None:
            return
        layout = str(get_setting(self._db, RECEIPT_LAYOUT))
        self.receipt_dialog = ReceiptDialog(
            self._db, self._folder, receipt.id, layout, True, self, actor=self._actor
        )
        self.receipt_dialog.open()

    def ask_void(self) -> None:
        from rumah_perisai.ui.void_dialog import VoidDialog

        receipt = self.selected_receipt()
        if receipt is None or self._folder is None or not self.void_button.isEnabled():
            return
        with refusing(self, wait=False) as refused:
            dialog = VoidDialog(self._db, self._folder, self._actor, receipt.id, self)
        if refused:
            self.message_box = refused.box
            return
        dialog.voided.connect(lambda _id: self._paid())
        self.void_dialog = dialog
        dialog.open()

    # --- the person's report ---------------------------------------------------------------------
    def ask_report(self) -> None:
        """Where to save the person's report: the name says the registration number only."""
        from rumah_perisai.printing.personal_report import report_file_name
        from rumah_perisai.ui.file_dialogs import save_path

        if not self._actor.is_coordinator:
            return
        path = save_path(
            self,
            tr("Save the personal data report"),
            report_file_name(self.detail.registration_no),
            "PDF (*.pdf)",
            "personal_report",
        )
        if path is not None:
            self.save_report(path)

    def save_report(self, path: Path) -> None:
        """Draw and write the report off the GUI thread; recorded as a look once written."""
        from rumah_perisai.printing.personal_report import save_personal_report

        db, participant_id, actor = self._db, self._id, self._actor
        run_op_in_background(
            self,
            tr("Writing the personal data report…"),
            # replace: the save dialog has asked before an existing file is overwritten
            lambda _progress: save_personal_report(db, participant_id, actor, path, replace=True),
            success=self._report_saved,
            cancellable=False,
        )

    def _report_saved(self, path: Path) -> None:
        """Say where it is, and offer to open it."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(tr("Personal data report"))
        box.setText(tr("The report was saved as {path}.", path=str(path)))
        opening = box.addButton(tr("&Open it"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("&Back"), QMessageBox.ButtonRole.RejectRole)
        opening.clicked.connect(lambda: self.open_url(QUrl.fromLocalFile(str(path))))
        self.report_box = box
        box.open()
