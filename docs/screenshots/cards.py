"""Render the card pictures in this folder from the program's own PDFs (QtPdf, on white paper):
one card's front and back at 300 dpi, a sheet of ten demo cards at 300 dpi, and the card's
front as the card dialog prints it (``pdf_preview.print_document`` on Qt's PDF printer at its
1200 dpi: the printer's page the card's own size, not an A4 page).

    .venv/bin/python docs/screenshots/cards.py

A 40-participant demo post in a temporary folder (its cards say CONTOH), so nothing real shows.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["RUMAH_PERISAI_KEY_STORE"] = "file"  # the demo's key: a throw-away file, no OS store
os.environ["RUMAH_PERISAI_KEY_DIR"] = tempfile.mkdtemp(prefix="rp-shots-keys-")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.printing.cards import prepare_cards
from rumah_perisai.tasks import SilentProgress
from rumah_perisai.ui.pdf_preview import prepare_printer, print_document

OUT = Path(__file__).resolve().parent
DPI = 300


def load(pdf: bytes) -> tuple[QPdfDocument, QBuffer]:
    """The PDF as Qt reads it (the buffer kept alive beside it)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    return document, buffer


def render(pdf: bytes, names: list[str]) -> None:
    """Each page of ``pdf`` to the PNG of the same place in ``names``."""
    document, _buffer = load(pdf)
    for page, name in zip(range(document.pageCount()), names, strict=False):
        size = document.pagePointSize(page)
        pixels = QSize(round(size.width() / 72 * DPI), round(size.height() / 72 * DPI))
        paper = QImage(pixels, QImage.Format.Format_RGB888)
        paper.fill(QColor("white"))
        painter = QPainter(paper)
        painter.drawImage(0, 0, document.render(page, pixels))
        painter.end()
        paper.save(str(OUT / name))


def main() -> None:
    _qt = QApplication([])
    folder = DataFolder(Path(tempfile.mkdtemp(prefix="rp-shots-")) / "data")
    app = open_app(folder, folder.sqlite_url)
    try:
        request = DemoRequest(participants=40)
        create_demo_post(
            app.db, folder, request, "cli:shots", SilentProgress(), today=date(2026, 12, 6)
        )
        one = prepare_cards(app.db, folder, [1]).pdf
        render(one, ["card-front.png", "card-back.png"])
        printed = folder.root / "printed.pdf"
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        document, _buffer = load(one)
        prepare_printer(printer, document)
        assert print_document(document, printer)
        render(printed.read_bytes(), ["card-printed.png"])
        render(
            prepare_cards(app.db, folder, list(range(1, 11)), sheet=True).pdf, ["card-sheet.png"]
        )
    finally:
        app.close()


if __name__ == "__main__":
    main()
