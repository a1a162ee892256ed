"""A PDF shown before it goes to paper: preview, Print… and Save as PDF….

Shared by dues receipts and daily cash summaries. What is shown is already recorded (a receipt
is committed before it is drawn), so printing and saving record nothing; a printer or a file
that fails says so plainly, with what to do next.

The printer is set to the PDF's own page size before the print dialog opens: an A4 sheet for
receipts on A5 halves, a 58 mm wide page as long as its content for a thermal roll.
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, QSizeF
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
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

from rumah_perisai.i18n import tr
from rumah_perisai.ui.file_dialogs import save_path

MAX_PIXELS = (
    16_000_000  # a page is drawn for the printer at most this large (memory on old laptops)
)
NARROW_PAGE_PT = 300.0  # narrower than this (a 58 mm roll is 164 pt): shown at a fixed zoom
ERROR_STYLE = "color: #b71c1c; font-weight: bold;"
INFO_STYLE = "color: #1b5e20;"


def page_size_of(document: QPdfDocument, page: int = 0) -> QPageSize:
    """The paper of ``page``: A4 is recognised as A4; anything else is a custom size."""
    points = document.pagePointSize(page)
    return QPageSize(
        QSizeF(points.width(), points.height()),
        QPageSize.Unit.Point,
        "",
        QPageSize.SizeMatchPolicy.FuzzyMatch,
    )


def prepare_printer(printer: QPrinter, document: QPdfDocument) -> None:
    """The PDF's page size, portrait, no margins added (the PDF has its own)."""
    printer.setPageSize(page_size_of(document))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)


def print_document(document: QPdfDocument, printer: QPrinter) -> bool:
    """Draw every page on ``printer`` at its place and real size; False if the printer failed.

    Each page is rendered on white (a thermal driver may print transparency as black), at the
    printer's resolution, or lower for a large page (then scaled up by the printer)."""
    painter = QPainter()
    if not painter.begin(printer):
        return False
    dpi = printer.resolution()
    for page in range(document.pageCount()):
        if page:
            printer.newPage()
        points = document.pagePointSize(page)
        target = QRectF(0, 0, points.width() / 72 * dpi, points.height() / 72 * dpi)
        scale = min(1.0, math.sqrt(MAX_PIXELS / max(1.0, target.width() * target.height())))
        pixels = QSize(
            max(1, round(target.width() * scale)), max(1, round(target.height() * scale))
        )
        paper = QImage(pixels, QImage.Format.Format_RGB32)
        paper.fill(QColor("white"))
        on_paper = QPainter(paper)
        on_paper.drawImage(0, 0, document.render(page, pixels))
        on_paper.end()
        painter.drawImage(target, paper)
    return painter.end()


class PdfDialog(QDialog):
    """Preview of a PDF with Close, Save as PDF… and Print… (the default button)."""

    def __init__(self, title: str, parent: QWidget | None = None, *, kind: str = "pdf") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.pdf = b""
        self.file_name = "dokumen.pdf"
        self.file_kind = kind  # the save dialog starts where the last file of this kind went
        # Called once the document was saved or printed: records the look at the participants
        # it holds (services.access); a preview that only shows records nothing.
        self.on_output: Callable[[], object] | None = None
        self._bytes = QByteArray()
        self._buffer = QBuffer(self)
        self.document = QPdfDocument(self)
        self.info = QLabel()
        self.info.setObjectName("info")
        self.info.setWordWrap(True)
        self.info.hide()
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.print_button = QPushButton(tr("&Print…"))
        self.print_button.setObjectName("print")
        self.print_button.clicked.connect(self.print_pdf)
        self.save_button = QPushButton(tr("Save as P&DF…"))
        self.save_button.setObjectName("savePdf")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.ask_file)
        self.close_button = QPushButton(tr("&Close"))
        self.close_button.setObjectName("close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.print_button.setDefault(True)
        self.resize(760, 540)

    # --- what is shown ---------------------------------------------------------------------
    def show_pdf(self, pdf: bytes, file_name: str) -> None:
        self.pdf = pdf
        self.file_name = file_name
        self.document.close()
        self._buffer.close()
        self._bytes = QByteArray(pdf)
        self._buffer.setData(self._bytes)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        if self.document.pageCount() and self.document.pagePointSize(0).width() < NARROW_PAGE_PT:
            # A roll: at its width it would be huge; show it about as wide as a hand.
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(1.5)
            self.resize(560, self.height())
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.print_button.setEnabled(True)
        self.save_button.setEnabled(True)
        self.print_button.setFocus()

    def show_failure(self, text: str) -> None:
        """Nothing to show (the PDF could not be drawn): say why; printing is not possible."""
        self.view.hide()
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.say(text, error=True)
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.resize(self.width(), 220)

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else INFO_STYLE)
        self.message.setText(text)

    def failure_text(self, reason: str) -> str:
        """What a failed print or save says (subclasses add what to do next)."""
        return reason

    # --- saving ------------------------------------------------------------------------------
    def ask_file(self) -> None:
        path = save_path(self, tr("Save as PDF"), self.file_name, "PDF (*.pdf)", self.file_kind)
        if path is not None:
            self.save_to(path)

    def save_to(self, path: Path) -> bool:
        """Write the PDF to ``path`` (through a temporary name); False and a message if not."""
        # A temporary name of its own, without the person's name in it, gone on any failure.
        tmp = path.with_name(f".rumah-perisai-{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            tmp.write_bytes(self.pdf)
            tmp.replace(path)
        except OSError as error:
            tmp.unlink(missing_ok=True)
            reason = tr("The file could not be written: {reason}", reason=str(error))
            self.say(self.failure_text(reason), error=True)
            return False
        self.say(tr("Saved as {path}.", path=str(path)))
        self._output_done()
        return True

    # --- printing ----------------------------------------------------------------------------
    def print_pdf(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, self.document)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        if self.print_to(printer):
            self.say(tr("Sent to the printer."))
            self.accept()

    def print_to(self, printer: QPrinter) -> bool:
        """Print on ``printer`` (set to the PDF's page size); False and a message if it failed."""
        prepare_printer(printer, self.document)
        if not print_document(self.document, printer):
            self.say(self.failure_text(tr("The printer did not accept it.")), error=True)
            return False
        self._output_done()
        return True

    def _output_done(self) -> None:
        """The document left the program: its look is recorded (a refusal, such as a busy
        database, is said on the dialog's line; the paper is already out)."""
        if self.on_output is None:
            return
        from rumah_perisai.ui.operations import run_op

        look = self.on_output
        run_op(self, look, failure=lambda error: self.say(error.message(), error=True), boxed=False)
