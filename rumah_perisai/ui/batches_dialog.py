"""The weekly batch (issue 8): the keys shared with the branch, what is waiting to be sent, the
batches written so far, and checking a batch file.

* At the top, the branch whose key is installed (its fingerprint, to compare by phone) or a
  warning that none is, with "Install branch key file…"; and the post's own fingerprint with
  "Save post key file…" (the file the branch installs).
* What the next batch would carry: "N change(s) since batch K (date)", or nothing new.
* "Write this week's batch…" (the default button: Enter) asks for the USB stick's folder and
  writes the batch there off the GUI thread, with progress and Cancel (``services.batches``).
* Every batch: those not acknowledged by the branch yet stand out (amber), one saved but never
  written to a stick is red, acknowledged ones are green; "Write again…" puts the selected one on
  a stick again, byte for byte the same.
* "Verify a file…": whether a ``.rpb`` file is a whole batch, whose, and recorded here or not.
* "Take in acknowledgement…": the branch's signed ``.ack.json`` from the stick
  (``services.acks``): the batch becomes acknowledged; registrations the branch rejected, KPJ
  numbers and the branch's duplicate list come with it. When an acknowledgement lies beside an
  unacknowledged batch on the stick it was written to, a line above the list offers it.
* "Refunds due (N)…": dues paid for registrations the branch rejected, to pay back.

The coordinator writes batches; a volunteer sees the page, installs the first branch key and
checks files. Every rule is the services': the window shows their answers and refusals.
"""

from __future__ import annotations

import html
from pathlib import Path, PureWindowsPath
from typing import Any

from babel.numbers import format_decimal
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import changes, formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import ACK_SUFFIX
from rumah_perisai.exchange.batchfile import FILE_SUFFIX
from rumah_perisai.i18n import babel_locale, tr
from rumah_perisai.services.acks import RefundDue, branch_view
from rumah_perisai.services.batch_holding import records_text
from rumah_perisai.services.batches import (
    BatchInfo,
    Pending,
    Verified,
    WrittenBatch,
    batches,
    export_batch,
    pending,
    verify_file,
    write_again,
)
from rumah_perisai.services.posts import post_summary
from rumah_perisai.services.updates import Found, Launcher
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import Progress
from rumah_perisai.ui.batch_ack import OFFER_STYLE, AckPart, RefundsDialog
from rumah_perisai.ui.batch_keys import KeysPart
from rumah_perisai.ui.changes import listen
from rumah_perisai.ui.file_dialogs import documents_folder
from rumah_perisai.ui.keyboard_help import FocusHint, fit_columns
from rumah_perisai.ui.look import (
    AMBER,
    ERROR_STYLE,
    GOOD_STYLE,
    GREEN,
    GREEN_TEXT,
    NUMBER,
    RED,
    RED_TEXT,
)
from rumah_perisai.ui.operations import Outcome, run_op_in_background

NOT_ACKNOWLEDGED = AMBER  # still waiting for the branch
ACKNOWLEDGED = GREEN  # the branch has it
ACKNOWLEDGED_TEXT = GREEN_TEXT
NEVER_WRITTEN = RED  # saved here, never put on a stick
NEVER_WRITTEN_TEXT = RED_TEXT

COLUMNS = 8
COL_SEQ, COL_DATE, COL_RECORDS, COL_REGISTRATIONS, COL_PAYMENTS, COL_SIZE, COL_STATE, COL_TO = (
    range(COLUMNS)
)


def file_size(size: int) -> str:
    """``812 B``, ``12,4 KB``, ``3,1 MB``, as the language writes decimals."""
    if size < 1024:
        return f"{formats.number(size)} B"
    value, unit = size / 1024, "KB"
    if value >= 1024:
        value, unit = value / 1024, "MB"
    return f"{format_decimal(value, format='#,##0.0', locale=babel_locale())} {unit}"


def state_text(info: BatchInfo) -> str:
    return tr("acknowledged") if info.state == "acknowledged" else tr("written")


class _StepTexts:
    """The export's steps in words for the progress dialog (the service names its parts)."""

    def __init__(self, inner: Progress) -> None:
        self._inner = inner

    def step(self, done: int, total: int, text: str = "") -> None:
        if text == "seal":
            label = tr("Sealing the batch for the branch…")
        elif text == "write":
            label = tr("Writing to the stick and reading it back…")
        else:
            label = tr("Reading the records…") if text else ""
        self._inner.step(done, total, label)


class BatchesDialog(AckPart, KeysPart):
    """The weekly batch page (Ctrl+M in the main window; Settings, Branch key… opens it too)."""

    written = Signal(int)  # a batch was written (its sequence number)

    def __init__(
        self,
        db: Database,
        folder: DataFolder,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        keys_first: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("batchesDialog")
        self.setProperty("help_topic", "batches")
        self._db = db
        self._folder = folder
        self._actor = actor
        summary = post_summary(db)
        if summary is None:
            raise RuntimeError("the batches page needs a post")
        self._zone = summary.timezone
        self.rows: list[BatchInfo] = []
        self.missing: set[int] = set()  # batches the branch said it never received
        self.state: Pending | None = None
        self.refunds: list[RefundDue] = []
        self.found_ack: tuple[BatchInfo, Path] | None = None  # offered above the list
        self.refunds_dialog: RefundsDialog | None = None
        # Where the stick was last time: the next file dialog opens there; at first the user's
        # Documents, never the program's own folder (issue 17).
        self.last_folder = str(documents_folder())
        self.message_box: QMessageBox | None = None
        self.found_update = Found()  # a new version beside the last acknowledgement taken in
        self.launch_update: Launcher | None = None  # tests start no installer
        self.quit_for_update = QApplication.quit  # the program must be closed while replaced
        self.setWindowTitle(tr("Weekly batch"))
        self._build()
        self.refresh()
        # Its own batches, acknowledgements and keys (and whatever the pending count counts)
        # are shown again by the change notices, also after a write on the worker thread.
        listen(self, changes.TOPICS - {changes.BACKUPS}, self.refresh)
        if keys_first:
            self.install_button.setFocus()
        elif self.write_button.isEnabled():
            self.write_button.setFocus()
        else:
            self.table.setFocus()

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.keys_box = QGroupBox(tr("Keys shared with the branch"))
        self.keys_box.setObjectName("keys")
        self.branch_label = QLabel()
        self.branch_label.setObjectName("branch")
        self.branch_label.setWordWrap(True)
        self.branch_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.install_button = QPushButton(tr("&Install branch key file…"))
        self.install_button.setObjectName("installKey")
        self.install_button.setAutoDefault(False)
        self.install_button.clicked.connect(self.ask_branch_key)
        self.post_label = QLabel()
        self.post_label.setObjectName("post")
        self.post_label.setWordWrap(True)
        self.post_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_key_button = QPushButton(tr("&Save post key file…"))
        self.save_key_button.setObjectName("savePostKey")
        self.save_key_button.setAutoDefault(False)
        self.save_key_button.clicked.connect(self.ask_save_post_key)
        self.key_message = QLabel()
        self.key_message.setObjectName("keyMessage")
        self.key_message.setWordWrap(True)
        self.key_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_message.hide()
        grid = QGridLayout(self.keys_box)
        grid.setContentsMargins(8, 4, 8, 6)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.branch_label, 0, 0)
        grid.addWidget(self.install_button, 0, 1)
        grid.addWidget(self.post_label, 1, 0)
        grid.addWidget(self.save_key_button, 1, 1)
        grid.addWidget(self.key_message, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)

        self.pending_label = QLabel()
        self.pending_label.setObjectName("pending")
        self.pending_label.setWordWrap(True)
        self.write_button = QPushButton(tr("&Write this week's batch…"))
        self.write_button.setObjectName("write")
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.write_batch)
        if not self._actor.is_coordinator:
            self.write_button.setEnabled(False)
            self.write_button.setToolTip(tr("Only a coordinator writes the weekly batch."))
        top = QHBoxLayout()
        top.addWidget(self.pending_label, 1)
        top.addWidget(self.write_button)
        # Why the coordinator's buttons are greyed out, said where a volunteer sees it.
        self.role_note = QLabel(
            tr(
                "Only a coordinator writes the weekly batch, writes it again, installs the "
                "branch key or a new version. You can check a file and take in an "
                "acknowledgement."
            )
        )
        self.role_note.setObjectName("roleNote")
        self.role_note.setWordWrap(True)
        self.role_note.setVisible(not self._actor.is_coordinator)

        # An acknowledgement found on the stick beside an unacknowledged batch: offered, not
        # taken in behind the user's back.
        self.ack_offer = QFrame()
        self.ack_offer.setObjectName("ackOffer")
        self.ack_offer.setStyleSheet(OFFER_STYLE)
        self.ack_offer_label = QLabel()
        self.ack_offer_label.setObjectName("ackOfferText")
        self.ack_offer_label.setWordWrap(True)
        self.ack_offer_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.take_found_button = QPushButton(tr("Take it in &now"))
        self.take_found_button.setObjectName("takeFoundAck")
        self.take_found_button.setAutoDefault(False)
        self.take_found_button.clicked.connect(self.take_found_ack)
        offer = QHBoxLayout(self.ack_offer)
        offer.setContentsMargins(8, 4, 8, 4)
        offer.addWidget(self.ack_offer_label, 1)
        offer.addWidget(self.take_found_button)
        self.ack_offer.hide()
        self._build_update_offer()

        self.table = QTableWidget(0, COLUMNS)
        self.table.setObjectName("batches")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setHorizontalHeaderLabels(
            [
                tr("No."),
                tr("Date"),
                tr("Records"),
                tr("Registrations"),
                tr("Payments"),
                tr("Size"),
                tr("State"),
                tr("Written to"),
            ]
        )
        fit_columns(self.table, COL_TO)
        self.table.itemSelectionChanged.connect(self._selected)

        # What a row's tooltip says, shown for the selected row: the keyboard's way to it.
        self.details_label = QLabel()
        self.details_label.setObjectName("details")
        self.details_label.setWordWrap(True)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.report = QLabel()
        self.report.setObjectName("report")
        self.report.setWordWrap(True)
        self.report.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.again_button = QPushButton(tr("Write &again…"))
        self.again_button.setObjectName("writeAgain")
        self.again_button.setAutoDefault(False)
        self.again_button.clicked.connect(self.write_selected_again)
        self.verify_button = QPushButton(tr("&Verify a file…"))
        self.verify_button.setObjectName("verify")
        self.verify_button.setAutoDefault(False)
        self.verify_button.clicked.connect(self.ask_verify)
        self.ack_button = QPushButton(tr("Take in ac&knowledgement…"))
        self.ack_button.setObjectName("takeAck")
        self.ack_button.setAutoDefault(False)
        self.ack_button.setToolTip(
            tr("The branch's acknowledgement file ({suffix}) from the stick.", suffix=ACK_SUFFIX)
        )
        self.ack_button.clicked.connect(self.ask_ack)
        self.refunds_button = QPushButton()
        self.refunds_button.setObjectName("refunds")
        self.refunds_button.setAutoDefault(False)
        self.refunds_button.clicked.connect(self.show_refunds)
        close = QPushButton(tr("Close &window"))
        close.setObjectName("closeWindow")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.again_button)
        bottom.addWidget(self.verify_button)
        bottom.addWidget(self.ack_button)
        bottom.addWidget(self.refunds_button)
        bottom.addStretch(1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.keys_box)
        layout.addLayout(top)
        layout.addWidget(self.role_note)
        layout.addWidget(self.ack_offer)
        layout.addWidget(self.update_offer)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details_label)
        layout.addWidget(self.report)
        self.focus_hint = FocusHint(self)
        layout.addWidget(self.focus_hint)
        layout.addLayout(bottom)
        self.setTabOrder(self.write_button, self.take_found_button)
        self.setTabOrder(self.take_found_button, self.table)
        self.setTabOrder(self.table, self.again_button)
        self.setTabOrder(self.again_button, self.verify_button)
        self.setTabOrder(self.verify_button, self.ack_button)
        self.setTabOrder(self.ack_button, self.refunds_button)
        self.setTabOrder(self.refunds_button, close)
        self.setTabOrder(close, self.install_button)
        self.setTabOrder(self.install_button, self.save_key_button)
        self.resize(940, 540)

    # --- reading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Everything again: the keys, what is pending, the batches, an acknowledgement waiting
        on the stick, the refunds due."""
        self.show_keys()
        self.missing = set(branch_view(self._db).missing)
        self.show_pending()
        self.show_batches(batches(self._db))
        self.show_found_ack()
        self.show_refunds_button()

    def show_pending(self) -> None:
        self.state = current = pending(self._db)
        last = current.last
        # The same count and words as the batch will show once written (issue 17, item 8).
        records = records_text(current.holds)
        if last is None:
            text = (
                tr("No batch written yet: {records} to send.", records=records)
                if current.changes
                else tr("Nothing to send yet.")
            )
        elif current.changes and not current.holds:
            text = tr(
                "Only the post's own details changed since batch {seq} ({day}).",
                seq=last.seq,
                day=formats.day(last.created_on),
            )
        elif current.changes:
            text = tr(
                "{records} to send since batch {seq} ({day}).",
                records=records,
                seq=last.seq,
                day=formats.day(last.created_on),
            )
        else:
            text = tr(
                "Nothing new since batch {seq} ({day}).",
                seq=last.seq,
                day=formats.day(last.created_on),
            )
        html_text = f"<b style='font-size: 12pt'>{html.escape(text)}</b>"
        lacking = sorted(self.missing - {i.seq for i in self.rows if i.state == "acknowledged"})
        if lacking:
            html_text += "<br><b style='color: #b00020'>" + html.escape(
                tr("The branch has not received batch {seq}: select it, press Write again and "
                   "send the stick.", seq=", ".join(str(seq) for seq in lacking))
            ) + "</b>"  # fmt: skip
        self.pending_label.setText(html_text)

    def show_batches(self, rows: list[BatchInfo]) -> None:
        keep = self.selected_batch()
        self.rows = rows
        self.table.setRowCount(len(rows))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for row, info in enumerate(rows):
            cells: tuple[tuple[str, Any], ...] = (
                (str(info.seq), NUMBER),
                (formats.day(info.created_on), None),
                (formats.number(info.records), NUMBER),
                (formats.number(info.holding.count("registrations")), NUMBER),
                (formats.number(info.holding.count("payments")), NUMBER),
                (file_size(info.file_size), NUMBER),
                (self.state_of(info), None),
                (self.written_to_text(info), None),
            )
            tip = self.row_tip(info)
            for column, (text, align) in enumerate(cells):
                item = QTableWidgetItem(text)
                if align is not None:
                    item.setTextAlignment(align)
                item.setToolTip(tip)
                if info.never_written_out or self.lacking(info):
                    item.setBackground(QBrush(NEVER_WRITTEN))
                    item.setForeground(QBrush(NEVER_WRITTEN_TEXT))
                elif info.state != "acknowledged":
                    item.setBackground(QBrush(NOT_ACKNOWLEDGED))
                else:
                    item.setBackground(QBrush(ACKNOWLEDGED))
                    if column == COL_STATE:
                        item.setForeground(QBrush(ACKNOWLEDGED_TEXT))
                if info.state != "acknowledged" and column in (COL_STATE, COL_TO):
                    item.setFont(bold)
                self.table.setItem(row, column, item)
        fit_columns(self.table, COL_TO)
        if rows:
            seqs = [info.seq for info in rows]
            self.table.selectRow(seqs.index(keep.seq) if keep and keep.seq in seqs else 0)
        self._selected()

    def lacking(self, info: BatchInfo) -> bool:
        """The branch said (in a later batch's acknowledgement) it never received this one."""
        return info.state != "acknowledged" and info.seq in self.missing

    def state_of(self, info: BatchInfo) -> str:
        return tr("not received by the branch") if self.lacking(info) else state_text(info)

    def written_to_text(self, info: BatchInfo, *, whole: bool = False) -> str:
        """Where and when: in the list the stick's folder by its name alone (``E:\\``, or
        ``PERISAI-USB``) so the column fits; the whole path in the selected row's details."""
        if info.copied_at is None:
            return tr("not written to a stick")
        where = info.copied_to or ""
        if not whole and where:
            folder = PureWindowsPath(where) if "\\" in where else Path(where)
            where = folder.name or folder.anchor or where
        return f"{where} · {formats.moment(info.copied_at, self._zone)}"

    def row_tip(self, info: BatchInfo) -> str:
        lines = [info.file_name]
        if info.copied_at is not None:
            lines.append(tr("Written to {where}", where=self.written_to_text(info, whole=True)))
        if self.lacking(info):
            lines.append(
                tr("The branch has not received this batch: select it and use Write again, "
                   "then send the stick.")
            )  # fmt: skip
        if info.never_written_out:
            lines.append(
                tr("Saved on this computer but never written to a stick: use Write again.")
            )
        elif info.state == "acknowledged" and info.acknowledged_at is not None:
            lines.append(
                tr(
                    "Acknowledged by the branch on {moment}.",
                    moment=formats.moment(info.acknowledged_at, self._zone),
                )
            )
        elif info.state != "acknowledged":
            lines.append(tr("Not acknowledged by the branch yet."))
        lines.append(self.summary_text(info))
        return "\n".join(lines)

    @staticmethod
    def summary_text(info: BatchInfo) -> str:
        summary = info.summary
        paper = ""
        if "paper_receipts" in summary:  # after a restore (issue 16)
            paper = " " + tr(
                "Of the payments, {paper} entered again from paper; {lost} number(s) recorded "
                "as lost.",
                paper=summary.get("paper_receipts", 0),
                lost=summary.get("receipt_gaps", 0),
            )
        return info.holding.text() + paper

    def selected_batch(self) -> BatchInfo | None:
        model = self.table.selectionModel()
        chosen = model.selectedRows() if model is not None else []
        if not chosen or not 0 <= chosen[0].row() < len(self.rows):
            return None
        return self.rows[chosen[0].row()]

    def _selected(self) -> None:
        chosen = self.selected_batch()
        self.details_label.setText(self.row_tip(chosen) if chosen else "")
        if not self._actor.is_coordinator:
            self.again_button.setEnabled(False)
            self.again_button.setToolTip(tr("Only a coordinator writes the weekly batch."))
            return
        self.again_button.setEnabled(chosen is not None)
        self.again_button.setToolTip(
            tr("Write batch {seq} onto a stick again, byte for byte the same.", seq=chosen.seq)
            if chosen
            else ""
        )

    # --- messages ----------------------------------------------------------------------------
    def show_message(self, title: str, text: str) -> QMessageBox:
        """A warning that does not block (window-modal, opened with ``open``)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self
        )
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()
        self.message_box = box
        return box

    def refused(self, error: UserError) -> None:
        self.say(error.message(), good=False)
        self.show_message(tr("Cannot continue"), error.message())

    def _said(self, outcome: Outcome[WrittenBatch]) -> None:
        """An operation's refusal, its box (shown by the operation) kept for the tests."""
        if outcome.refusal is not None:
            self.message_box = outcome.box

    def say(self, text: str, *, good: bool) -> None:
        self.report.setText(text)
        self.report.setStyleSheet(GOOD_STYLE if good else ERROR_STYLE)

    def _ask_folder(self, title: str) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, title, self.last_folder)
        if not chosen:
            return None
        self.last_folder = chosen
        return Path(chosen)

    # --- the batch ---------------------------------------------------------------------------
    def write_batch(self) -> None:
        """Write this week's batch onto the stick the user chooses (Enter)."""
        if not self._actor.is_coordinator:
            self.refused(UserError("coordinator_only"))
            return
        self.show_pending()
        current = self.state
        if current is not None and current.branch_fingerprint is None:
            self.refused(UserError("no_branch_key"))
            return
        if current is not None and current.last is not None and not current.changes:
            last = current.last
            seqs = [info.seq for info in self.rows]
            if last.seq in seqs:  # ready for Write again
                self.table.selectRow(seqs.index(last.seq))
            text = tr(
                "Nothing has changed since batch {seq} ({day}): there is no new batch to write. "
                "To put that batch on a stick again, choose it in the list and press Write "
                "again.",
                seq=last.seq,
                day=formats.day(last.created_on),
            )
            self.say(text, good=False)
            self.show_message(tr("Nothing new"), text)
            return
        out_dir = self._ask_folder(tr("Choose the USB stick for the weekly batch"))
        if out_dir is None:
            return
        db, folder, actor = self._db, self._folder, self._actor
        before = {info.seq for info in self.rows}
        outcome = run_op_in_background(
            self,
            tr("Writing the weekly batch…"),
            lambda progress: export_batch(db, folder, out_dir, actor, _StepTexts(progress)),
            success=lambda written: self._written(written, again=False),
            failure=lambda error: self.say(error.message(), good=False),
            wait=False,
        )
        self._said(outcome)
        if outcome.cancelled:
            recorded = [info for info in self.rows if info.seq not in before]
            if recorded:  # Cancel came after the batch was saved: say so, never "nothing"
                self.refused(
                    UserError(
                        "batch_saved_not_written",
                        seq=recorded[0].seq,
                        reason=tr("Stopped."),
                    )
                )
            else:
                self.say(tr("Stopped: no batch was written."), good=False)

    def write_selected_again(self) -> None:
        chosen = self.selected_batch()
        if chosen is None or not self._actor.is_coordinator:
            return
        out_dir = self._ask_folder(
            tr("Choose the USB stick to write batch {seq} again", seq=chosen.seq)
        )
        if out_dir is None:
            return
        db, folder, actor, seq = self._db, self._folder, self._actor, chosen.seq
        outcome = run_op_in_background(
            self,
            tr("Writing batch {seq} again…", seq=seq),
            lambda _progress: write_again(db, folder, seq, out_dir, actor),
            success=lambda written: self._written(written, again=True),
            failure=lambda error: self.say(error.message(), good=False),
            wait=False,
        )
        self._said(outcome)

    def _written(self, written: WrittenBatch, *, again: bool) -> None:
        info = written.info
        head = (
            tr("Batch {seq} written again: {path}", seq=info.seq, path=str(written.path))
            if again
            else tr("Batch {seq} written: {path}", seq=info.seq, path=str(written.path))
        )
        self.say(f"{head}\n{self.summary_text(info)} ({file_size(info.file_size)})", good=True)
        seqs = [row.seq for row in self.rows]
        if info.seq in seqs:
            self.table.selectRow(seqs.index(info.seq))
        self.written.emit(info.seq)

    # --- verifying ---------------------------------------------------------------------------
    def ask_verify(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            tr("Verify a batch file"),
            self.last_folder,
            tr("Batch files (*{suffix})", suffix=FILE_SUFFIX),
        )
        if path:
            self.last_folder = str(Path(path).parent)
            self.verify(Path(path))

    def verify(self, path: Path) -> Verified | None:
        try:
            verified = verify_file(self._db, path)
        except UserError as error:
            self.say(tr("Not a whole batch: {reason}", reason=error.message()), good=False)
            self.show_message(tr("Not a whole batch"), error.message())
            return None
        # Whole, signed by a key known here, and not this post's own batch missing from its list.
        self.say(
            self.verified_text(verified),
            good=verified.signer_known and verified.recorded_here is not False,
        )
        return verified

    def verified_text(self, verified: Verified) -> str:
        return "\n".join(verified.lines())
