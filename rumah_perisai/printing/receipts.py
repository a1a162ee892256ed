"""Dues receipts as PDF (issue 6): two A5 halves on an A4 sheet, or a 58 mm thermal roll.

A village post prints on whatever it has. ``"a5"`` is one A4 portrait page cut in two: the top
half is the participant's copy, the bottom half the post's, each a complete receipt, with a
dashed cut line between them. ``"thermal58"`` is one page of a 58 mm roll (48 mm printed), as
long as its content, everything in one column and in black only.

A receipt is an Indonesian document whatever the screen's language: it is drawn inside
``speaking("id")``. It says who paid what for which months, in figures and in words, who took
the money, and carries the receipt's signed QR code (``domain.receipt_qr``), so any post can
tell a genuine paper from a forged one offline. A reprint says SALINAN, a demo post's receipt
CONTOH, and a payment voided later says so. A long name or reason is made smaller, then
wrapped; nothing is smaller than 7 pt.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace
from pathlib import Path

from reportlab.lib import units
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from rumah_perisai import formats
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.receipts import RECEIPT_LAYOUTS
from rumah_perisai.i18n import N_, speaking, tr

# The card module's fonts, text measuring and QR drawing: receipts look like the cards.
from rumah_perisai.printing.cards import _Fonts, _fonts, _width
from rumah_perisai.printing.qr import qr_modules
from rumah_perisai.printing.receipt_column import (
    CENTRE,
    GREY,
    MIN_TEXT_SIZE,
    RIGHT,
    Column,
    Style,
    text_sizes,
)
from rumah_perisai.services.dues import VOID, ReceiptDoc, receipt_document

mm: float = units.mm  # reportlab has no type hints

LAYOUTS = RECEIPT_LAYOUTS
LAYOUT_A5, LAYOUT_THERMAL = LAYOUTS

COPY_MARK = "SALINAN"  # a reprint says so, in every language
DEMO_MARK = "CONTOH"  # a demo post's receipt says so (as its cards do)

HALF_WIDTH: float = A4[0]  # an A5 half, landscape: 210 × 148.5 mm
HALF_HEIGHT: float = A4[1] / 2
A5_MARGIN_X: float = 12 * mm
A5_MARGIN_Y: float = 10 * mm  # from the sheet's edge and from the cut line
A5_QR_SIZE: float = 30 * mm
ROLL_WIDTH: float = 58 * mm
ROLL_PRINTABLE: float = 48 * mm
ROLL_TOP: float = 4 * mm
ROLL_BOTTOM: float = 10 * mm  # room above the tear-off edge
THERMAL_DOT: float = 25.4 / 203 * mm  # a 203 dpi print head
THERMAL_QR_MIN: float = 28 * mm

TITLE_PAYMENT = N_("DUES PAYMENT RECEIPT")
TITLE_VOID = N_("RECEIPT CANCELLATION")
TITLE_REFUND = N_("DUES REFUND")
SUBTITLE = N_("BPJS Ketenagakerjaan — Non-Wage Earners")
PARTICIPANT_COPY = N_("Participant's copy")
POST_COPY = N_("Post's copy")
CUT_HERE = N_("cut here")
DEMO_NOTE = N_("CONTOH — not a valid receipt")
VOIDED_BY = N_("VOIDED by {number}")
_WADAH = N_("Wadah: {name}")
_RECEIPT_NO = N_("Receipt no.")
_NAME = N_("Participant")
_REGISTRATION = N_("Reg. no.")
_KPJ_NONE = N_("none yet")
_MONTHS = N_("Dues for")
_MONTH_COUNT = N_("({count} months)")
_VOIDS = N_("Cancels")
_REASON = N_("Reason")
_PROGRAMME = N_("Programme")
_AMOUNT = N_("Amount")
_PROGRAMMES = (
    ("JKK", N_("Work accident")),
    ("JKM", N_("Death")),
    ("JHT", N_("Old age")),
)
_TOTAL = N_("TOTAL")
_RETURNED = N_("AMOUNT RETURNED")
_IN_WORDS = N_("In words: {words}")
_CASH = N_("Cash received")
_CHANGE = N_("Change")
_MONTH = N_("Month")
_VOLUNTEER = N_("Volunteer,")
_KEEP = N_("Keep this receipt as proof of payment.")

_GREEN = Color(0.0, 0.47, 0.25)
_RED = Color(0.75, 0.05, 0.05)
_COPY_GREY = Color(0.5, 0.5, 0.5, alpha=0.22)
_DEMO_RED = Color(0.85, 0.05, 0.05, alpha=0.22)


_A5 = Style(10, 8, 15, 15, 12, _GREEN, GREY, _RED)
_THERMAL = Style(7.5, 7, 9.5, 11, 9, black, black, black)


def receipt_pdf(doc: ReceiptDoc, layout: str, *, copy: bool = False) -> bytes:
    """The receipt ``doc`` as a PDF in ``layout`` (:data:`LAYOUTS`); ``copy`` marks a reprint."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown receipt layout {layout!r}")
    buffer = io.BytesIO()
    with speaking("id"):
        if layout == LAYOUT_A5:
            _a5_sheet(buffer, doc, copy)
        else:
            _thermal_roll(buffer, doc, copy)
    return buffer.getvalue()


@dataclass(frozen=True)
class PrintedReceipt:
    """A receipt as the receipt window and ``receipt print`` write it."""

    doc: ReceiptDoc
    pdf: bytes
    file_name: str  # kuitansi-<number>.pdf, a reprint kuitansi-<number>-salinan.pdf


def receipt_paper(doc: ReceiptDoc, layout: str, *, copy: bool) -> PrintedReceipt:
    """The receipt drawn in ``layout``, a reprint (``copy``) marked SALINAN, with its file name
    (by its number, never the participant's name)."""
    suffix = "-salinan" if copy else ""
    return PrintedReceipt(
        doc, receipt_pdf(doc, layout, copy=copy), f"kuitansi-{doc.number}{suffix}.pdf"
    )


def stored_receipt(
    db: Database, keys_dir: Path, receipt_id: int, layout: str, *, copy: bool
) -> PrintedReceipt:
    """Stored receipt ``receipt_id`` (payment or void) as it prints: the service's data with
    its signed QR (the post's key in ``keys_dir``), drawn."""
    return receipt_paper(receipt_document(db, keys_dir, receipt_id), layout, copy=copy)


def thermal_qr_size(text: str) -> float:
    """The QR code's width on the roll: whole print-head dots a module, at least 28 mm, so a
    cheap 203 dpi printer draws every module the same width."""
    count = len(qr_modules(text))
    dots = math.ceil(THERMAL_QR_MIN / (count * THERMAL_DOT))
    return count * dots * THERMAL_DOT


# --- what a receipt says -----------------------------------------------------------------------


def _title(doc: ReceiptDoc) -> str:
    if doc.kind != VOID:
        return tr(TITLE_PAYMENT)
    return tr(TITLE_REFUND) if doc.refund else tr(TITLE_VOID)


def _subtitle() -> list[str]:
    """The subtitle in two pieces, so a narrow column breaks it at the dash."""
    head, dash, tail = tr(SUBTITLE).partition(" — ")
    return [head + dash.rstrip(), tail] if dash else [head]


def _when(doc: ReceiptDoc) -> str:
    """``27 November 2026 09.30 WIB``: the post's local time and its zone."""
    local = doc.issued_at
    return f"{formats.long_day(local.date())} {local:%H.%M} {doc.timezone}"


def _post_line(doc: ReceiptDoc) -> list[str]:
    """The post's code and its kabupaten/kota, broken before the province in a narrow column."""
    regency, comma, province = doc.post_place.partition(", ")
    return (
        [f"{doc.post_code} · {regency}{comma.rstrip()}", province]
        if comma
        else [f"{doc.post_code} · {regency}"]
    )


def _nik(doc: ReceiptDoc) -> str:
    nik = "".join(doc.masked_nik.split())
    return " ".join(nik[i : i + 4] for i in range(0, len(nik), 4))


def _months(doc: ReceiptDoc) -> list[str]:
    return [doc.months_text, tr(_MONTH_COUNT, count=doc.month_count)]


def _digest(doc: ReceiptDoc) -> str:
    return f"Hash: {doc.chain_hash[:16]}"


def _label_width(fonts: _Fonts, style: Style) -> float:
    labels = (_NAME, _REGISTRATION, _MONTHS, _VOIDS, _REASON)
    widest = max(_width(tr(label), fonts.regular, style.small) for label in labels)
    return widest + 2.5 * mm


def _participant_rows(column: Column, doc: ReceiptDoc, name_lines: int | None) -> None:
    column.pair(tr(_NAME), doc.participant_name, bold=True, max_lines=name_lines)
    column.pair(tr(_REGISTRATION), doc.registration_no)
    column.pair("KPJ", doc.kpj or tr(_KPJ_NONE))
    column.pair("NIK", _nik(doc))
    column.pair(tr(_MONTHS), _months(doc))


def _void_rows(column: Column, doc: ReceiptDoc, reason_lines: int | None) -> None:
    if doc.kind != VOID:
        return
    column.pair(tr(_VOIDS), doc.voids_number or "-", bold=True)
    column.pair(tr(_REASON), doc.reason or "-", max_lines=reason_lines)


def _amount_rows(column: Column, doc: ReceiptDoc) -> None:
    """Each programme's amount, the total in figures and in words, then the cash."""
    style = column.style
    column.amount(tr(_PROGRAMME), tr(_AMOUNT), size=style.small)
    column.rule(weight=0.4, gap=0.6 * mm)
    for (code, name), amount in zip(_PROGRAMMES, (doc.jkk, doc.jkm, doc.jht), strict=True):
        if code != "JHT" or amount > 0:
            column.amount(f"{code}  {tr(name)}", formats.money(amount))
    column.rule(weight=0.8, gap=0.8 * mm, colour=black)
    total = tr(_RETURNED) if doc.kind == VOID else tr(_TOTAL)
    column.amount(total, formats.money(doc.total), bold=True, size=style.total)
    column.text(
        tr(_IN_WORDS, words=doc.total_in_words),
        size=max(MIN_TEXT_SIZE, style.body - 1),
        max_lines=3,
    )
    if doc.kind != VOID and doc.cash_received is not None:
        column.space(1 * mm)
        column.amount(tr(_CASH), formats.money(doc.cash_received))
        column.amount(tr(_CHANGE), formats.money(doc.change or 0))


def _month_rows(column: Column, doc: ReceiptDoc) -> None:
    """A line a month, when the receipt covers more than one."""
    style = column.style
    column.amount(tr(_MONTH), tr(_AMOUNT), size=style.small)
    column.rule(weight=0.4, gap=0.6 * mm)
    for line in doc.lines:
        column.amount(formats.month(line.month), formats.money(line.total), size=style.small)


def _qr_rows(column: Column, doc: ReceiptDoc, size: float) -> None:
    column.qr(doc.qr_text, size)
    column.text(doc.number, size=column.style.small, bold=True, align=CENTRE)
    column.text(_digest(doc), size=MIN_TEXT_SIZE, align=CENTRE, colour=column.style.label)


def _voided_mark(column: Column, doc: ReceiptDoc) -> None:
    if doc.voided_by:
        column.boxed(tr(VOIDED_BY, number=doc.voided_by), colour=column.style.stamp, size=10)


# --- marks across the paper ---------------------------------------------------------------------


def _watermarks(
    canvas: Canvas, doc: ReceiptDoc, copy: bool, fonts: _Fonts, area: tuple[float, ...]
) -> None:
    """SALINAN (a reprint) and CONTOH (a demo post), large and light across ``area`` (x, y,
    width, height); when both apply, each gets its own part of it, side by side along its
    longer side, so they never cross each other."""
    marks = [(COPY_MARK, _COPY_GREY)] if copy else []
    if doc.is_demo:
        marks.append((DEMO_MARK, _DEMO_RED))
    x, y, width, height = area
    for index, (text, colour) in enumerate(marks):
        share = 1 / len(marks)
        if width >= height:
            part = (x + index * width * share, y, width * share, height)
        else:
            part = (x, y + height - (index + 1) * height * share, width, height * share)
        _watermark(canvas, text, colour, fonts.bold, part)


def _watermark(
    canvas: Canvas, text: str, colour: Color, font: str, part: tuple[float, float, float, float]
) -> None:
    """``text`` along the diagonal of ``part`` (at most 75° steep), as large as fits in it."""
    x, y, width, height = part
    angle = min(math.atan2(height, width), math.radians(75))
    cos, sin = math.cos(angle), math.sin(angle)
    length, cap = _width(text, font, 1), 0.73  # per point of size
    size = min(
        90.0,
        0.9 * width / (length * cos + cap * sin),
        0.9 * height / (length * sin + cap * cos),
    )
    canvas.saveState()
    canvas.setFillColor(colour)
    canvas.translate(x + width / 2, y + height / 2)
    canvas.rotate(math.degrees(angle))
    canvas.setFont(font, size)
    canvas.drawCentredString(0, -size * cap / 2, text)
    canvas.restoreState()


# --- A5: two halves of an A4 sheet ---------------------------------------------------------------


def _a5_sheet(buffer: io.BytesIO, doc: ReceiptDoc, copy: bool) -> None:
    canvas = _canvas(buffer, doc, A4)
    fonts = _fonts()
    _a5_half(canvas, doc, copy, fonts, HALF_HEIGHT, tr(PARTICIPANT_COPY))
    _a5_half(canvas, doc, copy, fonts, 0, tr(POST_COPY))
    _cut_line(canvas, fonts)
    canvas.showPage()
    canvas.save()


def _canvas(buffer: io.BytesIO, doc: ReceiptDoc, page: tuple[float, float]) -> Canvas:
    canvas = Canvas(buffer, pagesize=page, invariant=True, pageCompression=1)
    canvas.setTitle(f"{_title(doc)} {doc.number}")
    canvas.setAuthor("Rumah Perisai")
    canvas.setCreator("Rumah Perisai")
    return canvas


@dataclass
class _Half:
    """One A5 receipt measured: its header, its title row and its body, in columns."""

    head_left: Column
    head_right: Column
    title_left: Column
    title_right: Column
    body_left: Column
    body_right: Column
    sign: Column

    def height(self) -> float:
        head = max(self.head_left.height, self.head_right.height)
        title = max(self.title_left.height, self.title_right.height)
        body = max(self.body_left.height + self.sign.height + 3 * mm, self.body_right.height)
        return head + title + body + 5 * mm


_A5_INNER: float = HALF_WIDTH - 2 * A5_MARGIN_X
_A5_RIGHT: float = 62 * mm  # the right-hand column: the receipt number, the QR code, the months
_A5_GUTTER: float = 10 * mm
_A5_LEFT: float = _A5_INNER - _A5_RIGHT - _A5_GUTTER


def _a5_half(
    canvas: Canvas, doc: ReceiptDoc, copy: bool, fonts: _Fonts, bottom: float, which: str
) -> None:
    """One complete receipt in the half above ``bottom``; the body's text is made smaller until
    everything fits between the margins (names and reasons have at most a few lines, so it
    always fits before the smallest size)."""
    room = HALF_HEIGHT - 2 * A5_MARGIN_Y
    for body in text_sizes(_A5.body, MIN_TEXT_SIZE + 0.5):
        style = replace(_A5, body=body, small=max(MIN_TEXT_SIZE, min(_A5.small, body - 1)))
        half = _a5_measure(doc, copy, fonts, style, which)
        if half.height() <= room:
            break
    _watermarks(canvas, doc, copy, fonts, (A5_MARGIN_X, bottom + A5_MARGIN_Y, _A5_INNER, room))
    _frame(canvas, bottom)
    _a5_draw(canvas, half, bottom)


def _frame(canvas: Canvas, bottom: float) -> None:
    """A thin green border round the half: the paper reads as one document, even cut crooked."""
    x, y = A5_MARGIN_X - 5 * mm, A5_MARGIN_Y - 4 * mm
    canvas.saveState()
    canvas.setStrokeColor(_A5.accent)
    canvas.setLineWidth(0.8)
    canvas.roundRect(x, bottom + y, HALF_WIDTH - 2 * x, HALF_HEIGHT - 2 * y, 2 * mm)
    canvas.restoreState()


def _a5_measure(doc: ReceiptDoc, copy: bool, fonts: _Fonts, style: Style, which: str) -> _Half:
    label_width = _label_width(fonts, style)

    def column(width: float) -> Column:
        return Column(width, fonts, style, label_width)

    left, right = _A5_LEFT, _A5_RIGHT
    half = _Half(
        column(left), column(right), column(left), column(right), column(left), column(right),
        sign=column(left * 0.6),
    )  # fmt: skip
    _a5_header(half, doc, which)
    _a5_title(half, doc, copy)
    _voided_mark(half.body_left, doc)
    _participant_rows(half.body_left, doc, name_lines=2)
    _void_rows(half.body_left, doc, reason_lines=6)
    half.body_left.space(1.5 * mm)
    _amount_rows(half.body_left, doc)
    _qr_rows(half.body_right, doc, A5_QR_SIZE)
    if len(doc.lines) > 1:
        half.body_right.space(2 * mm)
        _month_rows(half.body_right, doc)
    half.sign.signature(tr(_VOLUNTEER), doc.volunteer_name, room=10 * mm)
    return half


def _a5_header(half: _Half, doc: ReceiptDoc, which: str) -> None:
    """The post on the left; which copy this is (and CONTOH) on the right."""
    left, right, style = half.head_left, half.head_right, half.head_left.style
    left.text(doc.post_name, size=11, bold=True, max_lines=2)
    left.text(_post_line(doc), size=style.small, colour=style.label, max_lines=2)
    if doc.wadah:
        left.text(tr(_WADAH, name=doc.wadah), size=style.small, colour=style.label, max_lines=1)
    right.boxed(which.upper(), colour=style.accent, size=8, align=RIGHT)
    if doc.is_demo:
        right.text(tr(DEMO_NOTE), size=8, bold=True, align=RIGHT, colour=_RED, max_lines=2)


def _a5_title(half: _Half, doc: ReceiptDoc, copy: bool) -> None:
    """The title on the left (SALINAN beside it); the receipt number and time on the right."""
    left, right, style = half.title_left, half.title_right, half.title_left.style
    mark = COPY_MARK if copy else None
    left.heading(_title(doc), size=style.title, colour=style.accent, mark=mark)
    left.text(_subtitle(), size=style.body, max_lines=2)
    right.text(tr(_RECEIPT_NO), size=style.small, align=RIGHT, colour=style.label)
    right.text(doc.number, size=style.number, bold=True, align=RIGHT, max_lines=1)
    right.text(_when(doc), size=style.body, align=RIGHT, max_lines=1)


def _a5_draw(canvas: Canvas, half: _Half, bottom: float) -> None:
    left = A5_MARGIN_X
    right = left + _A5_INNER - _A5_RIGHT
    top = bottom + HALF_HEIGHT - A5_MARGIN_Y
    style = half.head_left.style
    rows = ((half.head_left, half.head_right, 0.8), (half.title_left, half.title_right, 0.4))
    for on_left, on_right, weight in rows:
        on_left.draw(canvas, left, top)
        on_right.draw(canvas, right, top)
        top -= max(on_left.height, on_right.height) + 1.25 * mm
        _line(canvas, left, top, _A5_INNER, style.accent, weight)
        top -= 1.25 * mm
    half.body_left.draw(canvas, left, top)
    half.body_right.draw(canvas, right, top)
    sign_left = left + (_A5_LEFT - half.sign.width) / 2
    half.sign.draw(canvas, sign_left, bottom + A5_MARGIN_Y + half.sign.height)


def _line(canvas: Canvas, x: float, y: float, width: float, colour: Color, weight: float) -> None:
    canvas.saveState()
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(weight)
    canvas.line(x, y, x + width, y)
    canvas.restoreState()


def _cut_line(canvas: Canvas, fonts: _Fonts) -> None:
    """A dashed line across the middle of the sheet, scissors at its left, "potong di sini" in
    its middle."""
    y, width = HALF_HEIGHT, HALF_WIDTH
    label = tr(CUT_HERE)
    size = MIN_TEXT_SIZE
    gap = _width(label, fonts.regular, size) / 2 + 2 * mm
    canvas.saveState()
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.5)
    canvas.setDash(3, 2)
    canvas.line(14 * mm, y, width / 2 - gap, y)
    canvas.line(width / 2 + gap, y, width - 6 * mm, y)
    canvas.setDash()
    _scissors(canvas, 6 * mm, y)
    canvas.setFillColor(GREY)
    canvas.setFont(fonts.regular, size)
    canvas.drawCentredString(width / 2, y - size * 0.3, label)
    canvas.restoreState()


def _scissors(canvas: Canvas, x: float, y: float) -> None:
    """Open scissors pointing right along the cut line, drawn (no font has them for sure)."""
    ring = 1.1 * mm
    canvas.setLineWidth(0.6)
    canvas.circle(x + ring, y + 1.6 * mm, ring, stroke=1, fill=0)
    canvas.circle(x + ring, y - 1.6 * mm, ring, stroke=1, fill=0)
    pivot = x + 4.2 * mm
    canvas.line(x + 1.8 * ring, y + 0.9 * mm, pivot + 3.5 * mm, y - 1.4 * mm)
    canvas.line(x + 1.8 * ring, y - 0.9 * mm, pivot + 3.5 * mm, y + 1.4 * mm)


# --- a 58 mm thermal roll ---------------------------------------------------------------------


def _thermal_roll(buffer: io.BytesIO, doc: ReceiptDoc, copy: bool) -> None:
    fonts = _fonts()
    column = Column(ROLL_PRINTABLE, fonts, _THERMAL, _label_width(fonts, _THERMAL), stack=True)
    _thermal_content(column, doc, copy)
    height = ROLL_TOP + column.height + ROLL_BOTTOM
    canvas = _canvas(buffer, doc, (ROLL_WIDTH, height))
    margin = (ROLL_WIDTH - ROLL_PRINTABLE) / 2
    _watermarks(canvas, doc, copy, fonts, (margin, ROLL_BOTTOM, ROLL_PRINTABLE, column.height))
    column.draw(canvas, margin, height - ROLL_TOP)
    canvas.showPage()
    canvas.save()


def _thermal_content(column: Column, doc: ReceiptDoc, copy: bool) -> None:
    """Everything in one column, top to bottom, as a shop's till receipt reads."""
    style = column.style
    if doc.is_demo:
        column.boxed(tr(DEMO_NOTE), colour=black, size=style.body)
    column.text(doc.post_name, size=8.5, bold=True, align=CENTRE)
    column.text(_post_line(doc), size=style.small, align=CENTRE)
    if doc.wadah:
        column.text(tr(_WADAH, name=doc.wadah), size=style.small, align=CENTRE)
    column.rule(weight=0.8)
    column.text(_title(doc), size=style.title, bold=True, align=CENTRE)
    column.text(_subtitle(), size=style.small, align=CENTRE)
    if copy:
        column.space(1 * mm)
        column.boxed(COPY_MARK, colour=black, size=style.title)
    column.rule(dashed=True)
    column.text(tr(_RECEIPT_NO), size=style.small, align=CENTRE)
    column.text(doc.number, size=style.number, bold=True, align=CENTRE, max_lines=1)
    column.text(_when(doc), size=style.body, align=CENTRE)
    column.space(1 * mm)
    _voided_mark(column, doc)
    column.rule(dashed=True)
    _participant_rows(column, doc, name_lines=None)
    _void_rows(column, doc, reason_lines=None)
    column.rule(dashed=True)
    _amount_rows(column, doc)
    if len(doc.lines) > 1:
        column.rule(dashed=True)
        _month_rows(column, doc)
    column.rule(dashed=True)
    _qr_rows(column, doc, thermal_qr_size(doc.qr_text))
    column.space(2 * mm)
    column.signature(tr(_VOLUNTEER), doc.volunteer_name, room=10 * mm)
    if doc.kind != VOID:
        column.space(2 * mm)
        column.text(tr(_KEEP), size=style.small, align=CENTRE)
