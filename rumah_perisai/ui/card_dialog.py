"""Card preview, printing and saving. The cards are recorded only after the print or the file
was made (``services.cards.record_cards``); closing the preview records nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, tr
from rumah_perisai.printing.cards import PreparedCards, save_cards
from rumah_perisai.services.cards import REPRINT_REASONS, record_cards
from rumah_perisai.services.posts import post_summary
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.choice_dialog import ChoiceDialog
from rumah_perisai.ui.file_dialogs import save_path
from rumah_perisai.ui.operations import run_op
from rumah_perisai.ui.pdf_preview import prepare_printer, print_document

# The reasons as radio buttons, each with its Alt key (the card service's REASON_TEXT has none).
REASON_CHOICES = {
    "lost": N_("The card is &lost"),
    "damaged": N_("The card is &damaged"),
    "corrected": N_("The data was co&rrected"),
}


def card_file_name(post_code: str, serials: tuple[int, ...]) -> str:
    """``kartu-RP3209A-000123.pdf`` (a sheet: ``kartu-RP3209A-000123-000132.pdf``): the card
    numbers printed on the cards, never a person's name."""
    if not serials:
        return f"kartu-{post_code}.pdf"
    first, last = min(serials), max(serials)
    numbers = f"{first:06d}" if first == last else f"{first:06d}-{last:06d}"
    return f"kartu-{post_code}-{numbers}.pdf" if post_code else f"kartu-{numbers}.pdf"


class ReprintReasonDialog(ChoiceDialog):
    """Why a participant who has a card gets a new one. ``reason`` is the chosen code
    (``lost``, ``damaged``, ``corrected``) once accepted. ``explanation``: the service's
    refusal (``reprint_needs_reason``), which says whose card it is."""

    def __init__(self, explanation: str, parent: QWidget | None = None) -> None:
        super().__init__(
            title=tr("Reprint a card"),
            question=explanation,
            answers=[(code, tr(REASON_CHOICES[code])) for code in REPRINT_REASONS],
            current=REPRINT_REASONS[0],
            action=tr("Re&print the card"),
            parent=parent,
        )
        self.setObjectName("reprintReasonDialog")
        self.setProperty("help_topic", "card")
        self.reprint_button = self.action_button

    @property
    def reason(self) -> str:
        return self.chosen


class CardDialog(QDialog):
    """Shows the drawn cards; Print… or Save as PDF… makes them, then records them."""

    def __init__(
        self, db: Database, prepared: PreparedCards, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self.prepared = prepared
        self.setObjectName("cardDialog")
        self.setProperty("help_topic", "card")
        summary = post_summary(db)
        self.file_name = card_file_name(summary.code if summary else "", prepared.serials)
        self.setWindowTitle(tr("Card preview"))
        self.resize(760, 560)
        self._bytes = QByteArray(prepared.pdf)
        self._buffer = QBuffer(self._bytes)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.print_button = QPushButton(tr("&Print…"))
        self.print_button.setObjectName("print")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_cards)
        self.save_button = QPushButton(tr("Save as P&DF…"))
        self.save_button.setObjectName("savePdf")
        self.save_button.clicked.connect(self.ask_file)
        close = QPushButton(tr("&Close"))
        close.setObjectName("close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(close)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        count = len(prepared.serials)
        layout.addWidget(
            QLabel(tr("{count} card(s); nothing is recorded until printed or saved.", count=count))
        )
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    def ask_file(self) -> None:
        path = save_path(self, tr("Save cards as PDF"), self.file_name, "PDF (*.pdf)", "card")
        if path is not None:
            self.save_to(path)

    def save_to(self, path: Path) -> None:
        """Write the PDF, then record the cards (a file that failed records nothing)."""
        saved = run_op(
            self,
            # replace: the save dialog has asked before an existing file is overwritten
            lambda: save_cards(self.prepared, path, replace=True),
            failure=self._refused,
            boxed=False,
        )
        if saved and not self._record():
            # Not recorded (another card made meanwhile, a busy database): a file of cards
            # never recorded would scan as forged; it goes, as on the command line.
            path.unlink(missing_ok=True)

    def print_cards(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, self.document)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        if not self.print_to(printer):
            self.message.setText(tr("The printer did not accept the cards; nothing was recorded."))
            return
        self._record()

    def print_to(self, printer: QPrinter) -> bool:
        """Each sheet at its real size on the sheet's paper (a card's size is a card's), drawn
        on white at the printer's resolution or lower for a large one, as every printed PDF
        (``pdf_preview.print_document``): a sheet rendered whole at a 1200 dpi printer's
        resolution took ~560 MB. False if the printer failed."""
        prepare_printer(printer, self.document)
        return print_document(self.document, printer)

    def _record(self) -> bool:
        """Record the cards printed or saved; the participant view shows them by the notice."""
        done = run_op(
            self,
            lambda: record_cards(self._db, self.prepared, self._actor),
            success=lambda _ids: self.accept(),
            failure=self._refused,
            boxed=False,
        )
        return bool(done)

    def _refused(self, error: UserError) -> None:
        self.message.setText(error.message())  # beside the buttons


__all__ = ["CardDialog", "Qt", "ReprintReasonDialog", "card_file_name"]
