"""What the A4 papers (daily summary, call list, incentive statement) share: "page n of m" at
the foot with a footer line, an optional CONTOH mark for demo posts, and the signature row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table, TableStyle

from rumah_perisai.i18n import N_, tr
from rumah_perisai.printing.cards import _fonts

DEMO_MARK = "CONTOH"
_DEMO_RED = Color(0.85, 0.05, 0.05, alpha=0.25)
_PAGE = N_("Page {page} of {pages}")


def numbered_canvas(
    page_size: tuple[float, float], footer: str, *, demo: bool = False
) -> type[Canvas]:
    """A canvas class for ``SimpleDocTemplate.build(canvasmaker=...)`` that writes ``footer``
    and "page n of m" on every page once the number of pages is known (and CONTOH if ``demo``)."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            fonts = _fonts()
            width, height = page_size
            self.setFont(fonts.regular, 7.5)
            self.setFillColor(black)
            self.drawString(15 * mm, 10 * mm, footer)
            self.drawRightString(width - 15 * mm, 10 * mm, tr(_PAGE, page=number, pages=total))
            if demo:
                self.saveState()
                self.setFillColor(_DEMO_RED)
                self.setFont(fonts.bold, 90)
                self.translate(width / 2, height / 2)
                self.rotate(45)
                self.drawCentredString(0, 0, DEMO_MARK)
                self.restoreState()

    return NumberedCanvas


def signature_row(
    left: str, right: str, *, under: Sequence[str] = (), space: float = 12 * mm, size: float = 8.5
) -> Table:
    """Two signature lines with their captions (and ``under`` them, e.g. a name)."""
    rows: list[list[str]] = [["", "", ""], [left, "", right]]
    if under:
        rows.append([under[0], "", under[1] if len(under) > 1 else ""])
    table = Table(
        rows, colWidths=[70 * mm, 40 * mm, 70 * mm], rowHeights=[space] + [None] * (len(rows) - 1)
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), _fonts().regular, size),
                ("LINEABOVE", (0, 1), (0, 1), 0.5, black),
                ("LINEABOVE", (2, 1), (2, 1), 0.5, black),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ]
        )
    )
    return table
