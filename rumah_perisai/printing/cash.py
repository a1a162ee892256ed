"""The daily cash summary (*rekap kas harian*) as PDF, A4 portrait (issue 6).

Printed when a day is closed and kept in the post's folder of papers: who held how much cash,
what was counted and the difference, then every receipt the close counted — payments, voids and
refunds — and the newest receipt hash, so a later removal of receipts shows on paper too. Long
days run over several pages with the table header repeated and "page n of m" at the foot.
Printed papers are Indonesian documents whatever the screen's language.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from rumah_perisai import formats
from rumah_perisai.db.uow import Database
from rumah_perisai.i18n import N_, speaking, tr
from rumah_perisai.printing.cards import _fonts
from rumah_perisai.printing.pages import numbered_canvas, signature_row
from rumah_perisai.services.cash import CloseDoc, TillReceipt, close_document

_GREEN = Color(0.0, 0.47, 0.25)
_GREY = Color(0.92, 0.92, 0.92)
_RED = Color(0.75, 0.05, 0.05)

_TITLE = N_("DAILY CASH SUMMARY")
_SUBTITLE = N_("Dues collected at the post — close {key}")
_DAY = N_("Day")
_CLOSED = N_("Closed")
_BY = N_("by {name}")
_PER_VOLUNTEER = N_("Cash per volunteer")
_HEAD_VOLUNTEER = N_("Volunteer")
_HEAD_PAYMENTS = N_("Payments")
_HEAD_VOIDS = N_("Voided")
_HEAD_REFUNDS = N_("Refunded")
_HEAD_EXPECTED = N_("Expected")
_HEAD_COUNTED = N_("Counted")
_HEAD_DIFFERENCE = N_("Difference")
_TOTAL = N_("Total")
_RECEIPTS = N_("Receipts counted ({count})")
_HEAD_NUMBER = N_("Receipt no.")
_HEAD_TIME = N_("Time")
_HEAD_PARTICIPANT = N_("Participant")
_HEAD_WHAT = N_("Kind")
_HEAD_AMOUNT = N_("Amount")
_KIND_PAYMENT = N_("payment")
_KIND_VOID = N_("void of {number}")
_KIND_REFUND = N_("refund of {number}")
_NOTE = N_("Note: {note}")
_CHAIN = N_("Receipts in the post's chain: {count}; newest receipt hash: {hash}")
_DEPOSITED = N_("Deposited: {deposit}")
_NOT_DEPOSITED = N_("Not yet deposited at the bank.")
_SIGN_COUNTED = N_("Counted by")
_SIGN_CHECKED = N_("Checked by (coordinator)")
_DEMO_NOTE = N_("CONTOH — demo post, not a real cash record")


def daily_summary_pdf(doc: CloseDoc) -> bytes:
    """The summary of one close, ready to print or save."""
    with speaking("id"):
        return _render(doc)


def summary_file_name(day: date) -> str:
    """``rekap-harian-2026-11-27.pdf``: by its day (year first, so the files sort by day)."""
    return f"rekap-harian-{day.isoformat()}.pdf"


@dataclass(frozen=True)
class PrintedSummary:
    """A close's daily summary as the cash window and ``cash summary`` write it."""

    doc: CloseDoc
    pdf: bytes
    file_name: str


def daily_summary(db: Database, close_id: int) -> PrintedSummary:
    """Close ``close_id``'s daily summary: the service's data, drawn (the window and the command
    line both come here)."""
    doc = close_document(db, close_id)
    return PrintedSummary(doc, daily_summary_pdf(doc), summary_file_name(doc.close.day))


def _styles() -> dict[str, ParagraphStyle]:
    fonts = _fonts()
    base = ParagraphStyle("base", fontName=fonts.regular, fontSize=9, leading=11.5)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=fonts.bold, fontSize=15, leading=18, textColor=_GREEN
        ),
        "head": ParagraphStyle("head", parent=base, fontName=fonts.bold, fontSize=11, leading=14),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10),
    }


def _money(amount: int) -> str:
    return formats.money(amount)


def _signed(amount: int) -> str:
    return ("+" if amount > 0 else "") + formats.money(amount) if amount else formats.money(0)


def _kind(receipt: TillReceipt) -> str:
    if receipt.kind == "payment":
        return tr(_KIND_PAYMENT)
    text = _KIND_REFUND if receipt.refund else _KIND_VOID
    return tr(text, number=receipt.voids_number or "-")


def _table(rows: list[list[Any]], widths: list[float], numeric_from: int) -> Table:
    """A table whose header row repeats on every page; text headings may wrap."""
    fonts = _fonts()
    left = ParagraphStyle("th", fontName=fonts.bold, fontSize=8.5, leading=10)
    rows = [  # amounts' headings are one word: plain text, never broken inside the word
        [Paragraph(text, left) if i < numeric_from else text for i, text in enumerate(rows[0])],
        *rows[1:],
    ]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.regular, 8.5),
                ("FONT", (0, 0), (-1, 0), fonts.bold, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), _GREY),
                ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, Color(0.8, 0.8, 0.8)),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _volunteer_table(doc: CloseDoc, styles: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[Any]] = [
        [tr(_HEAD_VOLUNTEER), tr(_HEAD_PAYMENTS), tr(_HEAD_VOIDS), tr(_HEAD_REFUNDS),
         tr(_HEAD_EXPECTED), tr(_HEAD_COUNTED), tr(_HEAD_DIFFERENCE)]
    ]  # fmt: skip
    for line, counted, difference in doc.lines:
        rows.append(
            [
                Paragraph(line.name, styles["cell"]),
                f"{_money(line.payments_total)} ({line.payments_count})",
                _money(-line.voids_total) if line.voids_total else "–",
                _money(-line.refunds_total) if line.refunds_total else "–",
                _money(line.expected),
                _money(counted),
                _signed(difference),
            ]
        )
    close = doc.close
    rows.append(
        [tr(_TOTAL), _money(doc.payments_total), _money(-doc.voids_total) if doc.voids_total
         else "–", _money(-doc.refunds_total) if doc.refunds_total else "–",
         _money(close.expected), _money(close.counted), _signed(close.difference)]
    )  # fmt: skip
    table = _table(rows, [30 * mm, 28 * mm, 22 * mm, 27 * mm, 25 * mm, 25 * mm, 23 * mm], 1)
    style: list[Any] = [
        ("FONT", (0, -1), (-1, -1), _fonts().bold, 8.5),
        ("LINEABOVE", (0, -1), (-1, -1), 0.6, black),
    ]
    for row, (_line, _counted, difference) in enumerate(doc.lines, start=1):
        if difference:
            style.append(("TEXTCOLOR", (6, row), (6, row), _RED))
    if close.difference:
        style.append(("TEXTCOLOR", (6, -1), (6, -1), _RED))
    table.setStyle(TableStyle(style))
    return table


def _receipt_table(doc: CloseDoc, styles: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[Any]] = [
        [tr(_HEAD_NUMBER), tr(_HEAD_TIME), tr(_HEAD_PARTICIPANT), tr(_HEAD_WHAT),
         tr(_HEAD_VOLUNTEER), tr(_HEAD_AMOUNT)]
    ]  # fmt: skip
    for receipt in doc.receipts:
        rows.append(
            [
                receipt.number,
                receipt.issued_at.strftime("%H.%M"),
                Paragraph(f"{receipt.participant_name}<br/>{receipt.registration_no}",
                          styles["cell"]),
                Paragraph(_kind(receipt), styles["cell"]),
                Paragraph(receipt.volunteer_name, styles["cell"]),
                _money(receipt.signed_total),
            ]
        )  # fmt: skip
    return _table(rows, [37 * mm, 11 * mm, 46 * mm, 38 * mm, 27 * mm, 21 * mm], 5)


def _story(doc: CloseDoc) -> list[Any]:
    styles = _styles()
    close = doc.close
    closed_at = f"{formats.long_day(close.closed_at.date())} {close.closed_at:%H.%M} {doc.timezone}"
    story: list[Any] = [
        Paragraph(tr(_TITLE), styles["title"]),
        Paragraph(tr(_SUBTITLE, key=close.key), styles["base"]),
        Paragraph(f"<b>{doc.post_name}</b> ({doc.post_code})", styles["base"]),
        Spacer(1, 3 * mm),
        Paragraph(f"{tr(_DAY)}: <b>{formats.long_day(close.day)}</b>", styles["base"]),
        Paragraph(f"{tr(_CLOSED)}: {closed_at}, {tr(_BY, name=close.closed_by)}", styles["base"]),
    ]
    if doc.is_demo:
        story.append(Paragraph(f"<font color='#c00000'><b>{tr(_DEMO_NOTE)}</b></font>",
                               styles["base"]))  # fmt: skip
    story += [
        Spacer(1, 4 * mm),
        Paragraph(tr(_PER_VOLUNTEER), styles["head"]),
        Spacer(1, 1.5 * mm),
        _volunteer_table(doc, styles),
    ]
    # Typed texts are escaped: Paragraph reads markup, and a note or a slip may hold "&" or "<".
    if doc.note:
        note = escape(doc.note)
        story += [Spacer(1, 2 * mm), Paragraph(tr(_NOTE, note=note), styles["base"])]
    # The deposit as its bank slip says it (bank, day, reference), not the post's own number.
    slip = close.deposit_text or close.deposit_key
    deposit = tr(_DEPOSITED, deposit=escape(slip)) if slip else tr(_NOT_DEPOSITED)
    story += [
        Spacer(1, 1.5 * mm),
        Paragraph(deposit, styles["small"]),
        Spacer(1, 4 * mm),
        Paragraph(tr(_RECEIPTS, count=len(doc.receipts)), styles["head"]),
        Spacer(1, 1.5 * mm),
        _receipt_table(doc, styles),
        Spacer(1, 3 * mm),
        Paragraph(
            tr(_CHAIN, count=doc.chain_length, hash=doc.newest_receipt_hash), styles["small"]
        ),
        Spacer(1, 14 * mm),
        signature_row(tr(_SIGN_COUNTED), tr(_SIGN_CHECKED)),
    ]
    return story


def _render(doc: CloseDoc) -> bytes:
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=f"{tr(_TITLE)} {doc.close.key}",
        author=doc.post_name,
    )

    footer = f"{doc.post_code} · {doc.close.key} · {formats.long_day(doc.close.day)}"
    template.build(_story(doc), canvasmaker=numbered_canvas(A4, footer, demo=doc.is_demo))
    return buffer.getvalue()
