"""The call list on paper (issue 7), A4 landscape, for calling without the laptop at hand.

One row per participant, most urgent first, as ``services.call_list.call_list`` ordered them:
name and registration number, phone, desa, status, when the cover ends and the days left, the
last call's outcome, and an empty column for the volunteer to write the call's outcome by hand
(entered afterwards with ``record_call``). Long lists run over several pages with the header
repeated and "page n of m" at the foot. Printed papers are Indonesian whatever the screen's
language.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from rumah_perisai import formats
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.coverage import Status, status_label
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, speaking, tr
from rumah_perisai.printing.cards import _fonts
from rumah_perisai.printing.pages import numbered_canvas
from rumah_perisai.services.call_list import (
    DEFAULT_WITHIN_DAYS,
    OUTCOMES,
    CallRow,
    call_list,
    outcome_label,
)
from rumah_perisai.services.posts import post_summary

PAGE = landscape(A4)
_GREEN = Color(0.0, 0.47, 0.25)
_GREY = Color(0.92, 0.92, 0.92)

_TITLE = N_("CALL LIST")
_SUBTITLE = N_("Participants whose cover ends soon or who are in arrears, on {day}")
_COUNT = N_("{count} participants, most urgent first.")
_LEGEND = N_("Write the outcome of each call: {outcomes}.")
_EMPTY = N_("Nobody to call.")
_HEAD_NO = N_("No.")
_HEAD_PARTICIPANT = N_("Name / registration no.")
_HEAD_PHONE = N_("Phone")
_HEAD_DESA = N_("Desa")
_HEAD_STATUS = N_("Status")
_HEAD_COVER = N_("Cover ends / days left")
_HEAD_LAST = N_("Last call")
_HEAD_OUTCOME = N_("Call outcome")
_NO_PHONE = N_("no phone")
_DAYS_LEFT = N_("{days} days left")
_ENDS_TODAY = N_("ends today")
_ENDED = N_("ended {days} days ago; pay by {day}")


CALL_LIST_KINDS = ("xlsx", "pdf")


@dataclass(frozen=True)
class PrintedCallList:
    """The call list as the dashboard exports or prints it and ``calls --out`` writes it."""

    rows: tuple[CallRow, ...]
    data: bytes
    file_name: str  # daftar-telepon-<post>-<day>.<kind>


def call_list_file(
    db: Database,
    day: date,
    kind: str,
    *,
    within_days: int = DEFAULT_WITHIN_DAYS,
    desa_code: str | None = None,
    volunteer_id: int | None = None,
) -> PrintedCallList:
    """The post's call list on ``day`` with the dashboard's filters, as a spreadsheet
    (``kind`` "xlsx") or on paper ("pdf")."""
    if kind not in CALL_LIST_KINDS:
        raise ValueError(f"unknown call list kind {kind!r}")
    rows = call_list(
        db, day, within_days=within_days, desa_code=desa_code, volunteer_id=volunteer_id
    )
    summary = post_summary(db)
    if summary is None:
        raise UserError("no_post")
    data = call_list_xlsx(rows) if kind == "xlsx" else call_list_pdf(rows, summary.name, day)
    return PrintedCallList(
        tuple(rows), data, f"daftar-telepon-{summary.code}-{day:%Y-%m-%d}.{kind}"
    )


def call_list_pdf(rows: Sequence[CallRow], post_name: str, day: date) -> bytes:
    """The list, ready to print or save."""
    with speaking("id"):
        return _render(rows, post_name, day)


def _styles() -> dict[str, ParagraphStyle]:
    fonts = _fonts()
    base = ParagraphStyle("base", fontName=fonts.regular, fontSize=9, leading=11.5)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=fonts.bold, fontSize=15, leading=18, textColor=_GREEN
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "th": ParagraphStyle("th", parent=base, fontName=fonts.bold, fontSize=8.5, leading=10),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cover(row: CallRow) -> str:
    end = formats.day(row.cover_until)
    if row.days_left > 0:
        return f"{end}<br/>{tr(_DAYS_LEFT, days=row.days_left)}"
    if row.days_left == 0:
        return f"{end}<br/>{tr(_ENDS_TODAY)}"
    ended = tr(_ENDED, days=-row.days_left, day=formats.day(row.pay_until))
    return f"{end}<br/>{ended}"


def _status(row: CallRow) -> str:
    """The status; in arrears in red (those are the calls that cannot wait)."""
    text = status_label(row.status)
    return text if row.days_to_lapse is None else f"<font color='#bf0d0d'><b>{text}</b></font>"


def _last_call(row: CallRow) -> str:
    if row.last_outcome is None:
        return "–"
    text = outcome_label(row.last_outcome)
    if row.last_called_at is not None:
        text += f"<br/>{formats.day(row.last_called_at.date())}"
    if row.last_note:
        text += f"<br/><i>{_escape(row.last_note)}</i>"
    return text


def _table(rows: Sequence[CallRow], styles: dict[str, ParagraphStyle]) -> Table:
    cell, th = styles["cell"], styles["th"]
    heads = [_HEAD_NO, _HEAD_PARTICIPANT, _HEAD_PHONE, _HEAD_DESA, _HEAD_STATUS, _HEAD_COVER,
             _HEAD_LAST, _HEAD_OUTCOME]  # fmt: skip
    data: list[list[Any]] = [[Paragraph(tr(head), th) for head in heads]]
    for number, row in enumerate(rows, start=1):
        data.append(
            [
                str(number),
                Paragraph(f"<b>{_escape(row.name)}</b><br/>{row.registration_no}", cell),
                Paragraph(row.phone or f"<i>{tr(_NO_PHONE)}</i>", cell),
                Paragraph(_escape(row.desa_name), cell),
                Paragraph(_status(row), cell),
                Paragraph(_cover(row), cell),
                Paragraph(_last_call(row), cell),
                "",
            ]
        )
    widths = [11 * mm, 55 * mm, 30 * mm, 31 * mm, 27 * mm, 38 * mm, 31 * mm, 44 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    style: list[Any] = [
        ("FONT", (0, 0), (-1, -1), _fonts().regular, 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), _GREY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (0, 1), (0, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, Color(0.7, 0.7, 0.7)),
        ("BOX", (-1, 0), (-1, -1), 0.5, black),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 8),  # room to write the outcome by hand
        ("BOTTOMPADDING", (0, 0), (-1, 0), 3),
    ]
    table.setStyle(TableStyle(style))
    return table


def _story(rows: Sequence[CallRow], post_name: str, day: date) -> list[Any]:
    styles = _styles()
    outcomes = ", ".join(outcome_label(outcome) for outcome in OUTCOMES)
    story: list[Any] = [
        Paragraph(tr(_TITLE), styles["title"]),
        Paragraph(f"<b>{_escape(post_name)}</b>", styles["base"]),
        Paragraph(tr(_SUBTITLE, day=formats.long_day(day)), styles["base"]),
        Spacer(1, 2 * mm),
    ]
    if not rows:
        story.append(Paragraph(tr(_EMPTY), styles["base"]))
        return story
    story += [
        Paragraph(tr(_COUNT, count=formats.number(len(rows))), styles["base"]),
        Paragraph(tr(_LEGEND, outcomes=outcomes), styles["base"]),
        Spacer(1, 3 * mm),
        _table(rows, styles),
    ]
    return story


def _render(rows: Sequence[CallRow], post_name: str, day: date) -> bytes:
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=16 * mm,
        title=f"{tr(_TITLE)} {formats.long_day(day)}",
        author=post_name,
    )

    footer = f"{post_name} · {tr(_TITLE)} · {formats.long_day(day)}"
    template.build(_story(rows, post_name, day), canvasmaker=numbered_canvas(PAGE, footer))
    return buffer.getvalue()


# --- the spreadsheet (the dashboard's Export…, ``calls --out F.xlsx``) -----------------------

_XLSX_TITLE = N_("Call list")
_XLSX_HEAD_NAME = N_("Name")
_XLSX_HEAD_REGISTRATION = N_("Registration no.")
_XLSX_HEAD_PHONE = N_("Phone")
_XLSX_HEAD_DESA = N_("Desa")
_XLSX_HEAD_STATUS = N_("Status")
_XLSX_HEAD_COVER_END = N_("Cover ends")
_XLSX_HEAD_DAYS_LEFT = N_("Days left")
_XLSX_HEAD_PAY_UNTIL = N_("Can pay until")
_XLSX_HEAD_MONTHLY = N_("Dues a month")
_XLSX_HEAD_LAST_CALL = N_("Last call")
_XLSX_HEAD_MESSAGE = N_("Message")
_XLSX_HEAD_WHATSAPP = N_("WhatsApp")


def export_xlsx(rows: Sequence[CallRow], path: Path) -> None:
    """The list as a spreadsheet written to ``path`` (the window's save dialog has asked before
    one there is replaced), whole or not at all."""
    path = Path(path)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        Path(temp_name).write_bytes(call_list_xlsx(rows))
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def call_list_xlsx(rows: Sequence[CallRow]) -> bytes:
    """The list as a spreadsheet (Indonesian headings)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    with speaking("id"):
        heads = [_XLSX_HEAD_NAME, _XLSX_HEAD_REGISTRATION, _XLSX_HEAD_PHONE, _XLSX_HEAD_DESA,
                 _XLSX_HEAD_STATUS, _XLSX_HEAD_COVER_END, _XLSX_HEAD_DAYS_LEFT,
                 _XLSX_HEAD_PAY_UNTIL, _XLSX_HEAD_MONTHLY, _XLSX_HEAD_LAST_CALL,
                 _XLSX_HEAD_MESSAGE, _XLSX_HEAD_WHATSAPP]  # fmt: skip
        widths = [28, 20, 16, 20, 18, 13, 10, 13, 14, 22, 80, 40]
        book = Workbook()
        sheet = book.active
        sheet.title = tr(_XLSX_TITLE)
        sheet.append([tr(head) for head in heads])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        link_font = Font(color="0563C1", underline="single")
        for row in rows:
            last = ""
            if row.last_outcome:
                last = outcome_label(row.last_outcome)
                if row.last_called_at is not None:
                    last += f" ({formats.day(row.last_called_at.date())})"
            sheet.append(
                [
                    row.name,
                    row.registration_no,
                    row.phone or "",
                    row.desa_name,
                    status_label(row.status),
                    row.cover_until,
                    row.days_left,
                    row.pay_until if row.status is Status.ARREARS else None,
                    row.monthly_dues,
                    last,
                    row.message,
                    row.whatsapp_url or "",
                ]
            )
            current = sheet.max_row
            for column in (6, 8):
                sheet.cell(current, column).number_format = "DD-MM-YYYY"
            sheet.cell(current, 9).number_format = '"Rp" #,##0'
            if row.whatsapp_url:
                link = sheet.cell(current, 12)
                link.hyperlink = row.whatsapp_url
                link.font = link_font
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
