"""Decode the QR codes on PDF pages (wine-check reads back what the Windows program wrote).

    .venv/bin/python packaging/windows/decode_qr.py FILE.pdf...

Prints one line per file: its name and how many QR codes were read; exit 1 when a file has none.
Renders with QtPdf off-screen, as the tests do, and reads with zxing-cpp.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import zxingcpp
from PIL import Image
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtPdf import QPdfDocument

DPI = 200


def page_images(path: Path) -> list[Image.Image]:
    document = QPdfDocument()
    document.load(str(path))
    images = []
    for page in range(document.pageCount()):
        size = document.pagePointSize(page)
        pixels = QSize(round(size.width() / 72 * DPI), round(size.height() / 72 * DPI))
        paper = QImage(pixels, QImage.Format.Format_RGB888)
        paper.fill(QColor("white"))  # QtPdf renders onto transparency
        painter = QPainter(paper)
        painter.drawImage(0, 0, document.render(page, pixels))
        painter.end()
        data = bytes(paper.constBits())[: paper.sizeInBytes()]
        size_px = (paper.width(), paper.height())
        images.append(Image.frombytes("RGB", size_px, data, "raw", "RGB", paper.bytesPerLine()))
    return images


def main() -> int:
    _app = QGuiApplication([])
    status = 0
    for name in sys.argv[1:]:
        codes = [
            result.text
            for image in page_images(Path(name))
            for result in zxingcpp.read_barcodes(image)
            if result.format.name == "QRCode"
        ]
        print(f"{Path(name).name}: {len(codes)} QR")
        status |= not codes
    return status


if __name__ == "__main__":
    sys.exit(main())
