"""The weekly batch page's acknowledgements: the branch's answer taken in (found beside the
batch on the stick, or chosen), what it says, the refunds it leaves, and a new version of the
program the branch put beside it (issue 15). ``AckPart`` is a part of ``BatchesDialog``."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import ACK_SUFFIX, ack_file_name
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.acks import AckTaken, RefundDue, refunds_due, take_ack
from rumah_perisai.services.batches import (
    BatchInfo,
)
from rumah_perisai.services.updates import Found, Launcher, install_update, update_beside
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.keyboard_help import fit_columns
from rumah_perisai.ui.look import (
    ERROR_STYLE,
    GOOD_STYLE,
    NUMBER,
    WARNING_STYLE,
)
from rumah_perisai.ui.operations import run_op

OFFER_STYLE = "#ackOffer { background: #e3f2fd; border: 1px solid #90caf9; }"


class BatchesPart(QDialog):
    """What a part of ``BatchesDialog`` uses of the window it is part of."""

    _db: Database
    _folder: DataFolder
    _actor: Actor
    last_folder: str
    report: QLabel
    message_box: QMessageBox | None
    if TYPE_CHECKING:  # the window's own, for the type checker only

        def show_message(self, title: str, text: str) -> QMessageBox: ...
        def refused(self, error: UserError) -> None: ...
        def say(self, text: str, *, good: bool) -> None: ...


class AckPart(BatchesPart):
    """Taking in the branch's acknowledgement, for ``BatchesDialog``."""

    rows: list[BatchInfo]
    table: QTableWidget
    found_ack: tuple[BatchInfo, Path] | None
    ack_offer: QFrame
    ack_offer_label: QLabel
    refunds: list[RefundDue]
    refunds_button: QPushButton
    refunds_dialog: RefundsDialog | None
    found_update: Found
    launch_update: Launcher | None
    quit_for_update: Callable[[], object]

    # --- the branch's acknowledgement --------------------------------------------------------
    def ack_on_stick(self) -> tuple[BatchInfo, Path] | None:
        """The newest batch not acknowledged yet whose acknowledgement lies beside it on the
        stick it was written to (the branch writes it there), if any."""
        for info in self.rows:  # newest first
            if info.state == "acknowledged" or not info.copied_to:
                continue
            path = Path(info.copied_to) / ack_file_name(info.file_name)
            try:
                if path.is_file():
                    return info, path
            except OSError:  # a stick that is not there, or not readable: nothing to offer
                continue
        return None

    def show_found_ack(self) -> None:
        self.found_ack = found = self.ack_on_stick()
        if found is None:
            self.ack_offer.hide()
            return
        info, path = found
        self.ack_offer_label.setText(
            "<b>"
            + html.escape(
                tr("The branch's acknowledgement of batch {seq} is on the stick.", seq=info.seq),
                quote=False,
            )
            + "</b><br>"
            + html.escape(str(path), quote=False)
        )
        self.ack_offer.show()

    def ack_folder(self) -> str:
        """Where the last batch was written: the branch puts its acknowledgement beside it."""
        written = [(info.copied_at, info.copied_to) for info in self.rows if info.copied_at]
        if not written:
            return self.last_folder
        _when, folder = max(written, key=lambda pair: pair[0])
        return folder or self.last_folder

    def ask_ack(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            tr("Take in the branch's acknowledgement"),
            self.ack_folder(),
            tr("Acknowledgement files (*{suffix})", suffix=ACK_SUFFIX),
        )
        if path:
            self.last_folder = str(Path(path).parent)
            self.take_ack_file(Path(path))

    def take_found_ack(self) -> None:
        if self.found_ack is not None:
            self.take_ack_file(self.found_ack[1])

    def take_ack_file(self, path: Path) -> AckTaken | None:
        """Take in the acknowledgement in ``path``; its refusal is said, nothing changes then."""
        done = run_op(
            self,
            lambda: take_ack(self._db, read_chosen(path), path.name, self._actor, self._folder),
            failure=lambda error: self.say(error.message(), good=False),
            wait=False,
        )
        if done.value is None:
            self.message_box = done.box
            return None
        taken = done.value
        seqs = [info.seq for info in self.rows]  # shown again already (the notice)
        if taken.seq in seqs:
            self.table.selectRow(seqs.index(taken.seq))
        self.show_taken(taken)
        self.show_update_beside(path)
        return taken

    def show_taken(self, taken: AckTaken) -> None:
        if taken.already:
            self.say(
                tr("Batch {seq} was acknowledged already; nothing changed.", seq=taken.seq),
                good=True,
            )
            return
        lines = [tr("Batch {seq} acknowledged by the branch.", seq=taken.seq)]
        if taken.newly_rejected:
            lines.append(
                tr(
                    "{count} registration(s) rejected by the branch: {numbers}. Their cards are "
                    "no longer valid; dues they paid are on the refund list.",
                    count=formats.number(len(taken.newly_rejected)),
                    numbers=", ".join(taken.newly_rejected),
                )
            )
        else:
            lines.append(tr("No registration rejected."))
        lines.append(tr("KPJ numbers stored: {count}.", count=formats.number(taken.kpj_numbers)))
        if taken.bpjs_known:
            lines.append(
                tr(
                    "{count} registration(s) were already registered with BPJS before; their "
                    "KPJ numbers were attached.",
                    count=formats.number(taken.bpjs_known),
                )
            )
        self.report.setText("\n".join(lines))
        self.report.setStyleSheet(WARNING_STYLE if taken.newly_rejected else GOOD_STYLE)

    def show_refunds_button(self) -> None:
        self.refunds = refunds_due(self._db)
        count = len(self.refunds)
        self.refunds_button.setText(tr("Re&funds due ({count})…", count=formats.number(count)))
        self.refunds_button.setEnabled(count > 0)
        self.refunds_button.setToolTip(
            tr("Dues paid for registrations the branch rejected, to pay back.")
            if count
            else tr("No dues to pay back.")
        )

    def show_refunds(self) -> None:
        self.refunds_dialog = RefundsDialog(self.refunds, self)
        self.refunds_dialog.open()

    # --- a new version on the stick (issue 15) ------------------------------------------------
    def _build_update_offer(self) -> None:
        self.update_offer = QFrame()
        self.update_offer.setObjectName("updateOffer")
        self.update_offer.setStyleSheet(OFFER_STYLE.replace("#ackOffer", "#updateOffer"))
        self.update_label = QLabel()
        self.update_label.setObjectName("updateText")
        self.update_label.setWordWrap(True)
        self.update_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.update_button = QPushButton(tr("Install the new &version"))
        self.update_button.setObjectName("installUpdate")
        self.update_button.setAutoDefault(False)
        self.update_button.clicked.connect(self.install_found_update)
        row = QHBoxLayout(self.update_offer)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.update_label, 1)
        row.addWidget(self.update_button)
        self.update_offer.hide()

    def show_update_beside(self, ack_path: Path) -> None:
        """After an acknowledgement: a signed newer installer beside it is offered; one that
        is there but refused is said (unsigned, altered, older, another branch's)."""
        self.found_update = found = update_beside(self._db, ack_path)
        if found.update is not None:
            update = found.update
            self.update_label.setText(
                tr("A new version of Rumah Perisai ({version}) is ready on the stick, signed by "
                   "branch {branch}.", version=update.version, branch=update.branch)
            )  # fmt: skip
            self.update_label.setStyleSheet("")
            self.update_button.setVisible(True)
            self.update_button.setEnabled(self._actor.is_coordinator)
            self.update_button.setToolTip(
                "" if self._actor.is_coordinator else tr("Only a coordinator can install it.")
            )
            self.update_offer.show()
        elif found.refused is not None:
            self.update_label.setText(found.refused)
            self.update_label.setStyleSheet(ERROR_STYLE)
            self.update_button.setVisible(False)
            self.update_offer.show()
        else:
            self.update_offer.hide()

    def install_found_update(self) -> None:
        """Check the installer again, start it and close the program: the installer waits for
        it to close, replaces it, keeps the data folder and opens the new version."""
        update = self.found_update.update
        if update is None:
            return
        done = run_op(
            self,
            lambda: install_update(
                self._db, self._folder.root, update.path, self._actor, launch=self.launch_update
            ),
            failure=self._update_refused,
            wait=False,
        )
        if done.value is None:
            self.message_box = done.box
            return
        started = done.value
        self.say(
            tr("Version {version} is being installed; the program opens again when it is done.",
               version=started.version),
            good=True,
        )  # fmt: skip
        self.quit_for_update()

    def _update_refused(self, error: UserError) -> None:
        self.update_offer.hide()
        self.say(error.message(), good=False)


def read_chosen(path: Path) -> bytes:
    """A file the user chose, or the refusal saying why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise UserError("file_unreadable", path=str(path), reason=error.strerror) from error


class RefundsDialog(QDialog):
    """Dues paid for registrations the branch rejected: each to pay back, then void."""

    HEADERS = (
        N_("Receipt"), N_("Registration no."), N_("Name"), N_("Date"), N_("Amount"), N_("Reason"),
    )  # fmt: skip

    def __init__(self, rows: list[RefundDue], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refundsDialog")
        self.setProperty("help_topic", "batches")
        self.setWindowTitle(tr("Refunds due"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        intro = QLabel(
            tr(
                "Dues paid for registrations the branch rejected. Pay each amount back to the "
                "person, then void the receipt (a coordinator, with the reason): it then leaves "
                "this list."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(rows), len(self.HEADERS))
        self.table.setObjectName("refundsTable")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)  # the branch's reason, whole
        self.table.setHorizontalHeaderLabels([tr(h) for h in self.HEADERS])
        for row, due in enumerate(rows):
            cells = (
                due.receipt, due.registration_no, due.name, formats.day(due.issued_on),
                formats.money(due.total), due.reason,
            )  # fmt: skip
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 4:
                    item.setTextAlignment(NUMBER)
                item.setToolTip(due.reason)
                self.table.setItem(row, column, item)
        fit_columns(self.table, len(self.HEADERS) - 1)
        rows_header = self.table.verticalHeader()
        rows_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.total = QLabel(
            "<b>"
            + html.escape(
                tr(
                    "{count} receipt(s), {amount} to pay back.",
                    count=formats.number(len(rows)),
                    amount=formats.money(sum(due.total for due in rows)),
                )
            )
            + "</b>"
        )
        self.total.setObjectName("refundsTotal")
        close = QPushButton(tr("Close &window"))
        close.setObjectName("closeRefunds")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.total, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.table.setFocus()
        self.resize(860, 320)
