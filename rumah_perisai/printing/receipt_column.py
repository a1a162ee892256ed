"""The layout engine of a receipt: text fitted to a width, and a column of blocks measured
before anything is drawn (``printing.receipts`` says what goes in it).

A long name or reason is made smaller, then wrapped, then cut with an ellipsis; nothing is
smaller than :data:`MIN_TEXT_SIZE`. A roll's page is exactly as long as its column, and an A5
half is checked to hold its columns before it is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib import units
from reportlab.lib.colors import Color, black
from reportlab.pdfgen.canvas import Canvas

# The card module's fonts, text measuring and QR drawing: receipts look like the cards.
from rumah_perisai.printing.cards import _draw_qr, _Fonts, _width, _wrap
from rumah_perisai.printing.qr import qr_modules

mm: float = units.mm  # reportlab has no type hints

MIN_TEXT_SIZE = 7.0  # points; nothing on a receipt is smaller
GREY = Color(0.33, 0.33, 0.33)
_LEADING = 1.3  # line height, × the text size
_STAMP_PAD: float = 1.2 * mm  # inside a framed mark
LEFT, CENTRE, RIGHT = "left", "centre", "right"


@dataclass(frozen=True)
class Style:
    """Sizes and colours of one layout. A thermal head prints black only: greys would come out
    as speckled dots, so the roll's text and lines are all black (only the watermarks, meant
    to be faint, are not)."""

    body: float
    small: float
    title: float
    number: float
    total: float
    accent: Color
    label: Color
    stamp: Color


# --- fitting text ----------------------------------------------------------------------------


def text_sizes(largest: float, smallest: float) -> list[float]:
    count = max(0, int(round((largest - smallest) / 0.25)))
    return [largest - 0.25 * step for step in range(count + 1)]


def _wrap_pieces(pieces: Sequence[str], font: str, size: float, width: float) -> list[str]:
    """Pieces joined on lines no wider than ``width``, kept whole where they fit, so
    "November 2026 – Januari 2027 (3 bulan)" breaks before "(3 bulan)", not inside a month."""
    lines: list[str] = []
    line = ""
    for piece in pieces:
        candidate = f"{line} {piece}" if line else piece
        if _width(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        wrapped = _wrap(piece, font, size, width) or [""]
        lines.extend(wrapped[:-1])
        line = wrapped[-1]
    if line:
        lines.append(line)
    return lines


def _fit(
    pieces: Sequence[str], font: str, largest: float, width: float, max_lines: int | None
) -> tuple[float, list[str]]:
    """One line if it fits at no less than 85 % of ``largest``; else wrapped at the largest size
    that needs no more than ``max_lines`` (None: any number); else cut with an ellipsis."""
    smallest = min(largest, MIN_TEXT_SIZE)
    for size in text_sizes(largest, max(smallest, largest * 0.85)):
        if _width(" ".join(pieces), font, size) <= width:
            return size, [" ".join(pieces)]
    for size in text_sizes(largest, smallest):
        lines = _wrap_pieces(pieces, font, size, width)
        if max_lines is None or len(lines) <= max_lines:
            return size, lines
    assert max_lines is not None
    lines = _wrap_pieces(pieces, font, smallest, width)[:max_lines]
    last = lines[-1]
    while last and _width(last + "…", font, smallest) > width:
        last = last[:-1].rstrip()
    lines[-1] = last + "…"
    return smallest, lines


def _pieces(text: str | Sequence[str]) -> list[str]:
    return (
        [" ".join(text.split())] if isinstance(text, str) else [" ".join(p.split()) for p in text]
    )


# --- a column of blocks ------------------------------------------------------------------------

_Draw = Callable[[Canvas, float, float], None]  # the canvas, the column's left x and top y


def _nothing(_canvas: Canvas, _x: float, _top: float) -> None:
    pass


class Column:
    """Blocks stacked from the top in a column of fixed width, measured before anything is
    drawn: a roll's page is exactly as long as its content, and an A5 half can be checked to
    hold its content before it is drawn."""

    def __init__(
        self,
        width: float,
        fonts: _Fonts,
        style: Style,
        label_width: float = 0,
        *,
        stack: bool = False,
    ) -> None:
        self.width = width
        self.fonts = fonts
        self.style = style
        self.label_width = label_width
        self.stack = stack  # a value too long for one line goes under its label, full width
        self.blocks: list[tuple[float, _Draw]] = []

    @property
    def height(self) -> float:
        return sum(height for height, _draw in self.blocks)

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        for height, draw in self.blocks:
            draw(canvas, x, top)
            top -= height

    def space(self, height: float) -> None:
        self.blocks.append((height, _nothing))

    def text(
        self,
        text: str | Sequence[str],
        *,
        size: float | None = None,
        bold: bool = False,
        align: str = LEFT,
        colour: Color = black,
        max_lines: int | None = None,
    ) -> None:
        font = self.fonts.bold if bold else self.fonts.regular
        size, lines = _fit(_pieces(text), font, size or self.style.body, self.width, max_lines)
        width = self.width

        def draw(canvas: Canvas, x: float, top: float) -> None:
            _draw_lines(canvas, lines, font, size, colour, x, top, width, align)

        self.blocks.append((len(lines) * size * _LEADING, draw))

    def pair(
        self,
        label: str,
        value: str | Sequence[str],
        *,
        bold: bool = False,
        size: float | None = None,
        max_lines: int | None = None,
    ) -> None:
        """A label in the label column and its value beside it, wrapped if long (or, in a
        narrow column, under the label across the whole width)."""
        style, fonts = self.style, self.fonts
        font = fonts.bold if bold else fonts.regular
        value_width = self.width - self.label_width
        size, lines = _fit(_pieces(value), font, size or style.body, value_width, max_lines)
        if self.stack and len(lines) > 1:
            self.text(label, size=style.small, colour=style.label)
            self.text(value, size=size, bold=bold, max_lines=max_lines)
            return
        label_width = self.label_width

        def draw(canvas: Canvas, x: float, top: float) -> None:
            canvas.setFillColor(style.label)
            canvas.setFont(fonts.regular, style.small)
            canvas.drawString(x, _baseline(top, size), label)
            _draw_lines(canvas, lines, font, size, black, x + label_width, top, value_width, LEFT)

        self.blocks.append((len(lines) * size * _LEADING, draw))

    def amount(
        self, label: str, figure: str, *, bold: bool = False, size: float | None = None
    ) -> None:
        """A label on the left and an amount on the right. A label too long is made smaller;
        still too long, it gets a line of its own above the amount (an amount is never cut)."""
        font = self.fonts.bold if bold else self.fonts.regular
        size = size or self.style.body
        room = self.width - _width(figure, font, size) - 3 * mm
        fitting = [s for s in text_sizes(size, MIN_TEXT_SIZE) if _width(label, font, s) <= room]
        if not fitting:
            self.text(label, size=size, bold=bold)
            label, fitting = "", [size]
        label_size, width = fitting[0], self.width

        def draw(canvas: Canvas, x: float, top: float) -> None:
            baseline = _baseline(top, size)
            canvas.setFillColor(black)
            canvas.setFont(font, label_size)
            canvas.drawString(x, baseline, label)
            canvas.setFont(font, size)
            canvas.drawRightString(x + width, baseline, figure)

        self.blocks.append((size * _LEADING, draw))

    def rule(
        self,
        *,
        weight: float = 0.5,
        dashed: bool = False,
        colour: Color | None = None,
        gap: float = 1.5 * mm,
    ) -> None:
        """A line across the column with ``gap`` above and below it."""
        colour = colour or self.style.accent
        width = self.width

        def draw(canvas: Canvas, x: float, top: float) -> None:
            canvas.saveState()
            canvas.setStrokeColor(colour)
            canvas.setLineWidth(weight)
            if dashed:
                canvas.setDash(2, 1.5)
            canvas.line(x, top - gap, x + width, top - gap)
            canvas.restoreState()

        self.blocks.append((2 * gap, draw))

    def boxed(self, text: str, *, colour: Color, size: float, align: str = CENTRE) -> None:
        """Bold text in a frame, as a stamp: SALINAN, CONTOH, DIBATALKAN."""
        font, pad = self.fonts.bold, _STAMP_PAD
        size, lines = _fit([text], font, size, self.width - 2 * pad - 1, 2)
        box_width = max(_width(line, font, size) for line in lines) + 2 * pad
        height = len(lines) * size * _LEADING + pad
        width = self.width

        def draw(canvas: Canvas, x: float, top: float) -> None:
            left = _aligned(x, width, box_width, align)
            _stamp(canvas, lines, font, size, colour, left, top, box_width)

        self.blocks.append((height + 1.5 * mm, draw))

    def heading(self, text: str, *, size: float, colour: Color, mark: str | None) -> None:
        """A bold title, with ``mark`` (SALINAN) framed right after it; the title is made a
        little smaller for that, else the mark goes under it."""
        if mark is None:
            self.text(text, size=size, bold=True, colour=colour, max_lines=2)
            return
        font, gap = self.fonts.bold, 3 * mm
        for title_size in text_sizes(size, size * 0.85):
            mark_width = _width(mark, font, title_size * 0.65) + _STAMP_PAD * 2
            title_width = _width(text, font, title_size)
            if title_width + gap + mark_width <= self.width:
                self._title_and_mark(text, mark, title_size, colour, title_width + gap)
                return
        self.text(text, size=size, bold=True, colour=colour, max_lines=2)
        self.boxed(mark, colour=GREY, size=size * 0.65, align=LEFT)

    def _title_and_mark(
        self, text: str, mark: str, size: float, colour: Color, mark_left: float
    ) -> None:
        font, mark_size = self.fonts.bold, size * 0.65
        mark_width = _width(mark, font, mark_size) + _STAMP_PAD * 2
        height = size * _LEADING
        mark_height = mark_size * _LEADING + _STAMP_PAD

        def draw(canvas: Canvas, x: float, top: float) -> None:
            _draw_lines(canvas, [text], font, size, colour, x, top, mark_left, LEFT)
            mark_top = top - (height - mark_height) / 2
            _stamp(canvas, [mark], font, mark_size, GREY, x + mark_left, mark_top, mark_width)

        self.blocks.append((height, draw))

    def qr(self, text: str, size: float) -> None:
        """The QR code centred, with its quiet zone (4 modules) above and below."""
        quiet = 4 * size / len(qr_modules(text))
        width = self.width

        def draw(canvas: Canvas, x: float, top: float) -> None:
            _draw_qr(canvas, text, x + (width - size) / 2, top - quiet - size, size)

        self.blocks.append((size + 2 * quiet, draw))

    def signature(self, title: str, name: str, *, room: float) -> None:
        """Who took the money: a line to sign on, ``room`` below the title, the name under it."""
        style, width = self.style, self.width
        line_width = min(width * 0.75, 55 * mm)
        self.text(title, size=style.small, align=CENTRE, colour=style.label)

        def draw(canvas: Canvas, x: float, top: float) -> None:
            canvas.saveState()
            canvas.setStrokeColor(black)
            canvas.setLineWidth(0.5)
            left = x + (width - line_width) / 2
            canvas.line(left, top - room, left + line_width, top - room)
            canvas.restoreState()

        self.blocks.append((room + 0.8 * mm, draw))
        self.text(name, bold=True, align=CENTRE, max_lines=2)


def _stamp(
    canvas: Canvas,
    lines: Sequence[str],
    font: str,
    size: float,
    colour: Color,
    left: float,
    top: float,
    width: float,
) -> None:
    """Lines of text centred in a frame whose top left corner is (left, top)."""
    height = len(lines) * size * _LEADING + _STAMP_PAD
    canvas.saveState()
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(1.2)
    canvas.rect(left, top - height, width, height, stroke=1, fill=0)
    _draw_lines(canvas, lines, font, size, colour, left, top - _STAMP_PAD / 2, width, CENTRE)
    canvas.restoreState()


def _baseline(top: float, size: float) -> float:
    """The baseline of a line whose box (``size × _LEADING`` tall) starts at ``top``: the
    letters sit in the middle of the box."""
    return top - size * _LEADING / 2 - 0.28 * size


def _aligned(x: float, width: float, inner: float, align: str) -> float:
    if align == CENTRE:
        return x + (width - inner) / 2
    if align == RIGHT:
        return x + width - inner
    return x


def _draw_lines(
    canvas: Canvas,
    lines: Sequence[str],
    font: str,
    size: float,
    colour: Color,
    x: float,
    top: float,
    width: float,
    align: str,
) -> None:
    canvas.setFillColor(colour)
    canvas.setFont(font, size)
    for number, line in enumerate(lines):
        baseline = _baseline(top - number * size * _LEADING, size)
        if align == CENTRE:
            canvas.drawCentredString(x + width / 2, baseline, line)
        elif align == RIGHT:
            canvas.drawRightString(x + width, baseline, line)
        else:
            canvas.drawString(x, baseline, line)
