"""Membership cards as PDF (issue 5): one CR80 card a page, or A4 sheets of ten with crop marks.

The front shows the participant's name, registration number, KPJ (once the branch has given one),
the NIK with its middle 8 digits hidden, the programmes, the cover start and the post, a signed QR
code (``rumah_perisai.domain.card_payload``) of at least 18 mm and a Code128 barcode of the
registration number, for scanners that read only 1-D codes. The back has a line on each programme
and where to get help. No text is smaller than 6.5 pt; a long name is made smaller, then wrapped.

Everything printed sits at least 2.5 mm inside the card's edge, so a card cut a little off with
scissors loses nothing. The QR code and the barcode are vectors on a white ground.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from reportlab.graphics.barcode.code128 import Code128Auto
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.card_payload import barcode_text
from rumah_perisai.i18n import N_, tr
from rumah_perisai.printing.output import write_document
from rumah_perisai.printing.qr import dark_runs, qr_rows
from rumah_perisai.resources import resources_dir
from rumah_perisai.services.cards import FIRST, CardFace, CardRun, card_run
from rumah_perisai.tasks import Progress

CARD_WIDTH: float = 85.6 * mm  # ISO/IEC 7810 ID-1 (CR80)
CARD_HEIGHT: float = 54 * mm
SHEET_COLUMNS = 2
SHEET_ROWS = 5
CARDS_PER_SHEET = SHEET_COLUMNS * SHEET_ROWS
MIN_TEXT_SIZE = 6.5  # points; nothing on a card is smaller
QR_SIZE: float = 21 * mm  # the symbol without its quiet zone; at least 18 mm (issue 5)
BARCODE_MODULE: float = 0.3 * mm
BARCODE_HEIGHT: float = 7 * mm
DEMO_MARK = "CONTOH"  # a demo post's cards say so, in every language (issue 5)

CARD_TITLE = N_("BPJS Ketenagakerjaan Participant Card — Non-Wage Earners")
_LABEL_REGISTRATION = N_("Reg. no.")
_LABEL_PROGRAMMES = N_("Programmes")
_LABEL_COVER_START = N_("Cover from")
_LABEL_POST = N_("Post")
_CARD_NUMBER = N_("Card no. {serial}")
_BACK_TITLE = N_("About your protection")
_BACK_LINES = (
    ("JKK", N_("Work accident insurance: treatment and benefits after an accident at work.")),
    ("JKM", N_("Death insurance: a benefit for the family if the participant dies.")),
    ("JHT", N_("Old-age savings, paid out later in life (if you have joined it).")),
)
_BACK_DUES = N_("Pay your dues every month to stay protected.")
_BACK_CHECK = N_("Any Rumah Perisai post can check this card by scanning its QR code.")
_BACK_FOUND = N_("Found this card? Please return it to the nearest Rumah Perisai post.")
_BACK_CONTACT = N_("Contact the BPJS Ketenagakerjaan branch office: {contact}")
_BACK_CONTACT_UNKNOWN = N_("Contact your BPJS Ketenagakerjaan branch office.")

_GREEN = Color(0.0, 0.47, 0.25)
_LABEL_GREY = Color(0.33, 0.33, 0.33)
_DEMO_RED = Color(0.85, 0.05, 0.05, alpha=0.3)
_SAFE: float = 2.5 * mm  # nothing printed closer than this to the card's edge
_PAD: float = 3.5 * mm  # where the text starts
_VALUE_SIZE = 7.5
_ROW_LEADING = 8.4


def card_pdf(
    cards: Sequence[CardFace],
    *,
    sheet: bool,
    offset_mm: tuple[float, float] = (0.0, 0.0),
    demo: bool = False,
    backs: bool = True,
) -> bytes:
    """The cards as a PDF.

    ``sheet=False``: one CR80 page a card, each followed by its back (if ``backs``), for card
    printers and single reprints. ``sheet=True``: A4 pages of ten cards (2 × 5) with crop marks,
    each followed by a page of the backs placed for double-sided printing flipped on the long
    edge. ``offset_mm`` moves everything printed (x to the right, y down), to calibrate a printer
    that does not print where it is told. ``demo`` (or a card's own ``demo``) marks cards CONTOH.
    """
    if not cards:
        raise ValueError("no cards to print")
    fonts = _fonts()
    buffer = io.BytesIO()
    page = A4 if sheet else (CARD_WIDTH, CARD_HEIGHT)
    canvas = Canvas(buffer, pagesize=page, invariant=True, pageCompression=1)
    canvas.setTitle(tr(CARD_TITLE))
    canvas.setAuthor("Rumah Perisai")
    canvas.setCreator("Rumah Perisai")
    dx, dy = offset_mm[0] * mm, -offset_mm[1] * mm
    forms = _Forms(canvas)
    if sheet:
        for group in _chunks(cards, CARDS_PER_SHEET):
            _sheet(canvas, group, dx, dy, fonts, demo, forms, back=False)
            if backs:
                _sheet(canvas, group, dx, dy, fonts, demo, forms, back=True)
    else:
        for card in cards:
            for side in ("front", "back") if backs else ("front",):
                canvas.saveState()
                canvas.translate(dx, dy)
                if side == "front":
                    _front(canvas, card, fonts, demo, forms)
                else:
                    _draw_back(canvas, card, fonts, demo, forms)
                canvas.restoreState()
                canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@dataclass(frozen=True)
class PreparedCards(CardRun):
    """Cards drawn: the PDF, and (as a ``CardRun``) what ``services.cards.record_cards``
    records once it was saved or printed."""

    pdf: bytes


def prepare_cards(
    db: Database,
    folder: DataFolder,
    participant_ids: Sequence[int],
    *,
    reason: str = FIRST,
    note: str | None = None,
    sheet: bool = False,
    offset_mm: tuple[float, float] = (0.0, 0.0),
    progress: Progress | None = None,
) -> PreparedCards:
    """Draw the cards of ``participant_ids`` with the next serials; nothing is stored. The one
    composition of the service's faces and the drawing, for the window and the command line."""
    run = card_run(db, folder, participant_ids, reason=reason, note=note, progress=progress)
    pdf = card_pdf(run.faces, sheet=sheet, offset_mm=offset_mm, demo=run.demo)
    fields = {name: getattr(run, name) for name in CardRun.__dataclass_fields__}
    return PreparedCards(**fields, pdf=pdf)


def save_cards(prepared: PreparedCards, path: Path, *, replace: bool = False) -> Path:
    """Write the cards' PDF to ``path``, whole or not at all (``output.write_document``); record
    the cards only after this returns. A failure says no card was recorded."""
    return write_document(path, prepared.pdf, replace=replace, failed="card_write_failed")


def sheet_origin() -> tuple[float, float]:
    """Bottom-left corner of the ten-card block on an A4 sheet, in points (no offset)."""
    width, height = A4
    return (
        (width - SHEET_COLUMNS * CARD_WIDTH) / 2,
        (height - SHEET_ROWS * CARD_HEIGHT) / 2,
    )


def card_origin(index: int, *, back: bool = False) -> tuple[float, float]:
    """Bottom-left corner of card ``index`` (0-9, row by row from the top left) on a sheet.

    On a page of backs the columns swap, so each back lands behind its front when the sheet is
    printed double-sided and flipped on the long edge.
    """
    row, column = divmod(index, SHEET_COLUMNS)
    if back:
        column = SHEET_COLUMNS - 1 - column
    left, bottom = sheet_origin()
    return left + column * CARD_WIDTH, bottom + (SHEET_ROWS - 1 - row) * CARD_HEIGHT


# --- fonts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str


_FONT_CANDIDATES = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    ("arial.ttf", "arialbd.ttf"),
    ("Arial.ttf", "Arial Bold.ttf"),
)
_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/dejavu-sans-fonts",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/liberation-sans",
    "C:/Windows/Fonts",
    "/Library/Fonts",
    "/System/Library/Fonts/Supplemental",
)


@cache
def _fonts() -> _Fonts:
    """A TrueType font with wide Unicode coverage (names with accents and apostrophes), embedded
    in the PDF; the shipped ``resources/fonts`` first, then the system's; else Helvetica."""
    folders: list[Path] = []
    with contextlib.suppress(FileNotFoundError):
        folders.append(resources_dir() / "fonts")
    folders.extend(Path(folder) for folder in _FONT_DIRS)
    for regular, bold in _FONT_CANDIDATES:
        for folder in folders:
            if (folder / regular).is_file() and (folder / bold).is_file():
                try:
                    pdfmetrics.registerFont(TTFont("RPSans", str(folder / regular)))
                    pdfmetrics.registerFont(TTFont("RPSans-Bold", str(folder / bold)))
                except Exception:  # a damaged or unusual font file: try the next one
                    continue
                return _Fonts("RPSans", "RPSans-Bold")
    return _Fonts("Helvetica", "Helvetica-Bold")


# --- text fitting --------------------------------------------------------------------------


def _width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Words on lines no wider than ``width``; a word too long for a line is cut."""
    return list(_wrapped(text, font, size, width))


@lru_cache(maxsize=4096)
def _wrapped(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if _width(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while _width(word, font, size) > width:
            cut = max(1, _fits(word, font, size, width))
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return tuple(lines)


def _fits(text: str, font: str, size: float, width: float) -> int:
    """How many leading characters of ``text`` fit in ``width``."""
    count = 0
    while count < len(text) and _width(text[: count + 1], font, size) <= width:
        count += 1
    return count


def _fit(
    text: str, font: str, largest: float, width: float, max_lines: int, smallest: float
) -> tuple[float, list[str]]:
    """The largest size (down to ``smallest``) at which ``text`` fits ``width`` on one line,
    else on up to ``max_lines``; a text still too long ends with an ellipsis."""
    text = " ".join(text.split())
    sizes = []
    size = largest
    while size >= smallest:
        sizes.append(size)
        size -= 0.25
    for lines_allowed in range(1, max_lines + 1):
        for size in sizes:
            lines = _wrap(text, font, size, width)
            if len(lines) <= lines_allowed:
                return size, lines
    lines = _wrap(text, font, smallest, width)[:max_lines]
    last = lines[-1]
    while last and _width(last + "…", font, smallest) > width:
        last = last[:-1].rstrip()
    lines[-1] = last + "…"
    return smallest, lines


def _fit_box(
    text: str, font: str, largest: float, width: float, height: float, smallest: float
) -> tuple[float, list[str]]:
    """The largest size at which ``text``, wrapped to ``width``, fits ``height`` (line height
    1.1 × size); one line is kept while the size stays above 80 % of ``largest``."""
    text = " ".join(text.split())
    size = largest
    while size >= largest * 0.8:
        if _width(text, font, size) <= width and size * 1.1 <= height:
            return size, [text]
        size -= 0.25
    size = largest
    while size >= smallest:
        lines = _wrap(text, font, size, width)
        if len(lines) * size * 1.1 <= height:
            return size, lines
        size -= 0.25
    return _fit(text, font, smallest, width, max(1, int(height // (smallest * 1.1))), smallest)


# --- drawing -------------------------------------------------------------------------------


def _chunks(cards: Sequence[CardFace], size: int) -> Iterator[Sequence[CardFace]]:
    for start in range(0, len(cards), size):
        yield cards[start : start + size]


class _Forms:
    """What many cards of a document print alike — a front's band and title, a back, the crop
    marks — drawn once as a PDF form and placed wherever it recurs: a sheet of 500 cards draws
    these parts once, not 500 times (issue 21). Nothing transparent goes in a form (see
    ``_draw_back``). The labels stay with their values: in a form of their own (one for each
    height they stand at) they saved 7 % more but were read out of the PDF, and copied from
    it, apart from their values."""

    def __init__(self, canvas: Canvas) -> None:
        self._canvas = canvas
        self._names: dict[Hashable, str] = {}

    def place(
        self,
        key: Hashable,
        draw: Callable[[], None],
        box: tuple[float, float, float, float] = (0, 0, CARD_WIDTH, CARD_HEIGHT),
    ) -> None:
        """Place the form ``key`` here, drawing it first (``draw``, within ``box``) if new."""
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = f"RPCard{len(self._names)}"
            left, bottom, right, top = box
            self._canvas.beginForm(name, lowerx=left, lowery=bottom, upperx=right, uppery=top)
            draw()
            self._canvas.endForm()
        self._canvas.doForm(name)


def _sheet(
    canvas: Canvas,
    cards: Sequence[CardFace],
    dx: float,
    dy: float,
    fonts: _Fonts,
    demo: bool,
    forms: _Forms,
    *,
    back: bool,
) -> None:
    """A page of fronts, or of backs."""
    canvas.saveState()
    canvas.translate(dx, dy)
    forms.place("crop marks", lambda: _crop_marks(canvas), (0, 0, *A4))
    for index, card in enumerate(cards):
        x, y = card_origin(index, back=back)
        canvas.saveState()
        canvas.translate(x, y)
        if back:
            _draw_back(canvas, card, fonts, demo, forms)
        else:
            _front(canvas, card, fonts, demo, forms)
        canvas.restoreState()
    canvas.restoreState()
    canvas.showPage()


def _crop_marks(canvas: Canvas) -> None:
    """Short lines in the margins on every cut line, 2 mm clear of the cards."""
    left, bottom = sheet_origin()
    right = left + SHEET_COLUMNS * CARD_WIDTH
    top = bottom + SHEET_ROWS * CARD_HEIGHT
    gap, length = 2 * mm, 6 * mm
    canvas.setStrokeColor(black)
    canvas.setLineWidth(0.3)
    for column in range(SHEET_COLUMNS + 1):
        x = left + column * CARD_WIDTH
        canvas.line(x, top + gap, x, top + gap + length)
        canvas.line(x, bottom - gap, x, bottom - gap - length)
    for row in range(SHEET_ROWS + 1):
        y = bottom + row * CARD_HEIGHT
        canvas.line(left - gap, y, left - gap - length, y)
        canvas.line(right + gap, y, right + gap + length, y)


def _band(canvas: Canvas, height: float) -> float:
    """The green band at the top of a card; returns its bottom."""
    bottom = CARD_HEIGHT - _SAFE - height
    canvas.setFillColor(_GREEN)
    canvas.roundRect(_SAFE, bottom, CARD_WIDTH - 2 * _SAFE, height, 1.5 * mm, stroke=0, fill=1)
    return bottom


def _title_lines(title: str, font: str, width: float) -> tuple[float, list[str]]:
    """The title on one line if it fits, else broken at its dash, else wrapped."""
    largest = 8.5
    if _width(title, font, largest) <= width:
        return largest, [title]
    head, dash, tail = title.partition(" — ")
    if dash:
        size = largest
        while size >= MIN_TEXT_SIZE:
            if max(_width(head, font, size), _width(tail, font, size)) <= width:
                return size, [head, tail]
            size -= 0.25
    return _fit(title, font, largest, width, 2, MIN_TEXT_SIZE)


_FRONT_BAND = 10 * mm


def _front_band(canvas: Canvas, title: str, fonts: _Fonts) -> None:
    band_bottom = _band(canvas, _FRONT_BAND)
    size, lines = _title_lines(title, fonts.bold, CARD_WIDTH - 2 * _PAD)
    canvas.setFillColor(white)
    _lines_centred_in(canvas, lines, fonts.bold, size, band_bottom, _FRONT_BAND)


def _front(canvas: Canvas, card: CardFace, fonts: _Fonts, demo: bool, forms: _Forms) -> None:
    title = card.title or tr(CARD_TITLE)
    forms.place(("band", title), lambda: _front_band(canvas, title, fonts))
    band_bottom = CARD_HEIGHT - _SAFE - _FRONT_BAND

    qr_left = CARD_WIDTH - _PAD - QR_SIZE
    qr_top = band_bottom - 2.2 * mm  # the quiet zone: 4 modules clear of the band
    barcode_bottom = _SAFE + 0.5 * mm
    column = qr_left - 2.5 * mm - _PAD  # the text column, left of the QR code

    rows = [(tr(_LABEL_REGISTRATION), card.registration_no)]
    if card.kpj:
        rows.append(("KPJ", card.kpj))
    nik = "".join(card.masked_nik.split())
    rows += [
        ("NIK", " ".join(nik[i : i + 4] for i in range(0, 16, 4))),
        (tr(_LABEL_PROGRAMMES), card.programmes),
        (tr(_LABEL_COVER_START), card.cover_start),
        (tr(_LABEL_POST), card.post_name),
    ]
    label_width = max(_width(label, fonts.regular, MIN_TEXT_SIZE) for label, _ in rows) + 2 * mm
    value_width = column - label_width
    fitted = [
        (label, *_fit(value, fonts.regular, _VALUE_SIZE, value_width, 2, MIN_TEXT_SIZE))
        for label, value in rows
    ]
    rows_height = sum(
        _ROW_LEADING + (len(lines) - 1) * size * 1.1 for _label, size, lines in fitted
    )
    # The name gets what the rows leave above the barcode.
    name_box = qr_top - (barcode_bottom + BARCODE_HEIGHT + 2 * mm) - rows_height - 1.2 * mm
    size, lines = _fit_box(card.name, fonts.bold, 11, column, name_box, MIN_TEXT_SIZE)
    y = qr_top + size * 0.1  # the first line's capitals start at the QR code's top
    canvas.setFillColor(black)
    canvas.setFont(fonts.bold, size)
    for line in lines:
        y -= size * 1.1
        canvas.drawString(_PAD, y, line)
    y -= 1.2 * mm

    for label, size, lines in fitted:
        y -= _ROW_LEADING
        canvas.setFillColor(_LABEL_GREY)
        canvas.setFont(fonts.regular, MIN_TEXT_SIZE)
        canvas.drawString(_PAD, y, label)
        canvas.setFillColor(black)
        canvas.setFont(fonts.regular, size)
        for number, line in enumerate(lines):
            if number:
                y -= size * 1.1
            canvas.drawString(_PAD + label_width, y, line)

    if demo or card.demo:
        _demo_mark(canvas, fonts, _PAD + column / 2, (qr_top + barcode_bottom) / 2)
    _draw_qr(canvas, card.qr_text, qr_left, qr_top - QR_SIZE, QR_SIZE)
    _draw_code128(canvas, barcode_text(card.registration_no), _PAD, barcode_bottom)
    if card.serial is not None:
        canvas.setFillColor(_LABEL_GREY)
        canvas.setFont(fonts.regular, MIN_TEXT_SIZE)
        canvas.drawRightString(
            CARD_WIDTH - _PAD, barcode_bottom + 0.5 * mm, tr(_CARD_NUMBER, serial=str(card.serial))
        )


def _lines_centred_in(
    canvas: Canvas, lines: list[str], font: str, size: float, bottom: float, height: float
) -> None:
    leading = size * 1.15
    block = leading * (len(lines) - 1) + size * 0.72  # cap height of the first line to baseline
    y = bottom + (height + block) / 2 - size * 0.72
    canvas.setFont(font, size)
    for line in lines:
        canvas.drawCentredString(CARD_WIDTH / 2, y, line)
        y -= leading


def _demo_mark(canvas: Canvas, fonts: _Fonts, x: float, y: float) -> None:
    """CONTOH, large, light red and slanted across the text, centred on (x, y)."""
    canvas.saveState()
    canvas.setFillColor(_DEMO_RED)
    canvas.translate(x, y)
    canvas.rotate(15)
    canvas.setFont(fonts.bold, 34)
    canvas.drawCentredString(0, -34 * 0.36, DEMO_MARK)
    canvas.restoreState()


_BACK_BAND = 7 * mm


def _draw_back(canvas: Canvas, card: CardFace, fonts: _Fonts, demo: bool, forms: _Forms) -> None:
    """The back: its band, then a demo card's mark, then its text, both drawn once per document
    (PDF forms) and placed for every card that shares them. The mark is not in a form:
    ReportLab leaves a form's transparency out of its resources, so the light-red mark that
    used to be in the back's form printed solid red."""
    band_bottom = CARD_HEIGHT - _SAFE - _BACK_BAND
    forms.place("back band", lambda: _back_band(canvas, fonts))
    if demo or card.demo:
        _demo_mark(canvas, fonts, CARD_WIDTH / 2, band_bottom / 2)
    forms.place(("back", card.branch_contact), lambda: _back(canvas, card, fonts, band_bottom))


def _back_band(canvas: Canvas, fonts: _Fonts) -> None:
    band_bottom = _band(canvas, _BACK_BAND)
    canvas.setFillColor(white)
    _lines_centred_in(canvas, [tr(_BACK_TITLE)], fonts.bold, 8, band_bottom, _BACK_BAND)


def _back(canvas: Canvas, card: CardFace, fonts: _Fonts, band_bottom: float) -> None:
    size, leading = 7.0, 7.0 * 1.2
    inner = CARD_WIDTH - 2 * _PAD
    code_width = max(_width(code, fonts.bold, size) for code, _ in _BACK_LINES) + 1.5 * mm
    y = band_bottom - 2 * mm
    for code, text in _BACK_LINES:
        lines = _wrap(tr(text), fonts.regular, size, inner - code_width)
        y -= leading
        canvas.setFillColor(_GREEN)
        canvas.setFont(fonts.bold, size)
        canvas.drawString(_PAD, y, code)
        canvas.setFillColor(black)
        canvas.setFont(fonts.regular, size)
        for number, line in enumerate(lines):
            if number:
                y -= leading
            canvas.drawString(_PAD + code_width, y, line)
    y -= 1 * mm
    for text in (tr(_BACK_DUES), tr(_BACK_CHECK), tr(_BACK_FOUND)):
        for line in _wrap(text, fonts.regular, size, inner):
            y -= leading
            canvas.drawString(_PAD, y, line)

    contact = (
        tr(_BACK_CONTACT, contact=card.branch_contact)
        if card.branch_contact
        else tr(_BACK_CONTACT_UNKNOWN)
    )
    lines = _wrap(contact, fonts.bold, size, inner)
    bottom = _SAFE + 1 * mm + leading * (len(lines) - 1)
    canvas.setFont(fonts.bold, size)
    canvas.setFillColor(_GREEN)
    for line in lines:
        canvas.drawString(_PAD, bottom, line)
        bottom -= leading


def _draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled path, so no hairline seams show between modules, on white
    with its 4-module quiet zone."""
    rows = qr_rows(text)
    box = size / len(rows)
    quiet = 4 * box
    canvas.setFillColor(white)
    canvas.rect(x - quiet, y - quiet, size + 2 * quiet, size + 2 * quiet, stroke=0, fill=1)
    canvas.saveState()
    canvas.translate(x, y + size)
    canvas.scale(box, -box)  # from here on one unit is one module, rows counted downwards
    canvas.setFillColor(black)
    # One path of whole-module rectangles ("x y w h re"), written directly: ReportLab's path
    # object formats every number as a float, which took longer than the rest of the card.
    rectangles = [
        f"{start} {row_number} {length} 1 re"
        for row_number, row in enumerate(rows)
        for start, length in dark_runs(row)
    ]
    canvas.addLiteral("\n".join(rectangles) + "\nf")
    canvas.restoreState()


def _draw_code128(canvas: Canvas, text: str, x: float, y: float) -> None:
    """ReportLab's Code128 bars on white, written in module units: its own drawing formats
    float coordinates for each of some 50 bars, in pure Python."""
    barcode = Code128Auto(
        text, barWidth=BARCODE_MODULE, barHeight=BARCODE_HEIGHT, humanReadable=False, quiet=0
    )
    canvas.setFillColor(white)
    canvas.rect(x, y, float(barcode.width), BARCODE_HEIGHT, stroke=0, fill=1)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(BARCODE_MODULE, BARCODE_HEIGHT)
    canvas.setFillColor(black)
    canvas.addLiteral(_bars_path(barcode.decompose()))
    canvas.restoreState()


def _bars_path(widths: str) -> str:
    """Code128's bars and spaces — a capital letter a bar, a small one a space, A or a one
    module wide, B or b two, and so on — as rectangles one unit high."""
    left = 0
    bars = []
    for element in widths:
        if "A" <= element <= "Z":
            width = ord(element) - ord("A") + 1
            bars.append(f"{left} 0 {width} 1 re f")  # a path a bar, as ReportLab draws them
            left += width
        elif "a" <= element <= "z":
            left += ord(element) - ord("a") + 1
    return "\n".join(bars)
