"""A dues receipt (payment or void) before it goes to paper: preview, Print…, Save as PDF….

The receipt is already recorded when this opens (``services.dues`` commits it first), so a
printer that fails loses nothing: the dialog says the receipt is saved and where to print it
again — a second print of a receipt is marked SALINAN (copy).
"""

from __future__ import annotations

import logging

from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget

from rumah_perisai import formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.access import record_receipt_print
from rumah_perisai.services.dues import VOID, ReceiptDoc, receipt_document
from rumah_perisai.services.settings import RECEIPT_LAYOUTS
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.choice_dialog import ChoiceDialog
from rumah_perisai.ui.pdf_preview import PdfDialog

log = logging.getLogger(__name__)

LAYOUT_A5 = "a5"
# Each layout as a radio button with its Alt key.
LAYOUT_CHOICES = {
    "a5": N_("&A5 halves on an A4 sheet (participant's and post's copy)"),
    "thermal58": N_("58 mm receipt &roll (thermal printer)"),
}


class ReceiptLayoutDialog(ChoiceDialog):
    """Which paper dues receipts are printed on; ``layout_code`` once accepted (the caller
    stores it with ``services.settings.set_setting``)."""

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(
            title=tr("Receipt layout"),
            question=tr("Print dues receipts on:"),
            answers=[(code, tr(LAYOUT_CHOICES[code])) for code in RECEIPT_LAYOUTS],
            current=current,
            action=tr("&Save"),
            parent=parent,
        )
        self.setObjectName("receiptLayoutDialog")
        self.setProperty("help_topic", "receipt")
        self.save_button = self.action_button

    @property
    def layout_code(self) -> str:
        return self.chosen


class ReceiptDialog(PdfDialog):
    """Shows receipt ``receipt_id`` in ``layout`` ("a5" or "thermal58"); ``copy``: a reprint."""

    def __init__(
        self,
        db: Database,
        folder: DataFolder,
        receipt_id: int,
        layout: str,
        copy: bool,
        parent: QWidget | None = None,
        *,
        actor: Actor | None = None,
    ) -> None:
        super().__init__(tr("Receipt"), parent, kind="receipt")
        if actor is not None:  # printing or saving it is a look at the participant
            self.on_output = lambda: record_receipt_print(db, actor, receipt_id)
        self.setObjectName("receiptDialog")
        self.setProperty("help_topic", "receipt")
        self.receipt_id = receipt_id
        self.layout_name = layout
        self.copy = copy
        self.number = ""
        self.doc: ReceiptDoc | None = None
        try:
            from rumah_perisai.printing.receipts import receipt_paper

            # Two steps (not ``printing.receipts.stored_receipt``): a receipt that cannot be
            # drawn is still named by its number in the failure.
            self.doc = receipt_document(db, folder.keys, receipt_id)
            self.number = self.doc.number
            paper = receipt_paper(self.doc, layout, copy=copy)
        except Exception as error:  # the receipt is saved whatever went wrong in drawing it
            if not isinstance(error, UserError):
                log.exception("receipt %s could not be drawn", receipt_id)
            reason = error.message() if isinstance(error, UserError) else str(error)
            self.show_failure(
                self.failure_text(tr("It could not be drawn: {reason}", reason=reason))
            )
            return
        self.show_pdf(paper.pdf, paper.file_name)
        self._show_info(self.doc)

    def _show_info(self, doc: ReceiptDoc) -> None:
        if self.copy:
            title = tr("Receipt {number} — copy (SALINAN)", number=doc.number)
            text = tr("A reprint of receipt {number}: it is marked SALINAN.", number=doc.number)
        elif doc.kind == VOID:
            title = tr("Void {number}", number=doc.number)
            text = tr(
                "<b>Void {number} is saved.</b> Print it and keep it with the voided receipt "
                "{voided}.",
                number=doc.number,
                voided=doc.voids_number or "",
            )
            if doc.refund:
                text += "<br>" + tr(
                    "Pay {amount} back to the participant out of today's cash.",
                    amount=formats.money(doc.total),
                )
        else:
            title = tr("Receipt {number}", number=doc.number)
            text = tr("<b>Receipt {number} is saved.</b>", number=doc.number) + " "
            if self.layout_name == LAYOUT_A5:
                text += tr(
                    "Print it: the top half is the participant's, the bottom half the post's."
                )
            else:
                text += tr("Print it and give it to the participant.")
            if doc.change:
                text += (
                    "<br><span style='font-size: 14pt'>"
                    + tr("Give back change: <b>{amount}</b>", amount=formats.money(doc.change))
                    + "</span>"
                )
        self.setWindowTitle(title)
        self.info.setText(text)
        self.info.show()

    def print_to(self, printer: QPrinter) -> bool:
        """A failed print of the original may have put part of it on paper: from then on this
        dialog shows and prints the receipt marked SALINAN, like any later reprint."""
        printed = super().print_to(printer)
        if not printed and not self.copy and self.doc is not None:
            from rumah_perisai.printing.receipts import receipt_paper

            message = self.message.text()
            self.copy = True
            paper = receipt_paper(self.doc, self.layout_name, copy=True)
            self.show_pdf(paper.pdf, paper.file_name)
            self._show_info(self.doc)
            self.say(message, error=True)
        return printed

    def failure_text(self, reason: str) -> str:
        number = self.number or str(self.receipt_id)
        return (
            reason
            + " "
            + tr(
                "Receipt {number} is saved; print it again from the participant's receipts "
                "(it will be marked SALINAN).",
                number=number,
            )
        )
