"""The printed confirmation of a person's request about their data (issue 19; UU PDP 27/2022),
A4, Indonesian whatever the screen's language: the request's number, the right, the day it was
made and how, what was done, what is kept for how long and on which law (the rules data), and
that the branch is told in the next batch. Never a NIK; after an erasure no name either, only
the registration number. The PDF's title names the request, never the person.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from rumah_perisai import formats
from rumah_perisai.i18n import N_, speaking, tr
from rumah_perisai.printing.cards import _fonts
from rumah_perisai.printing.pages import numbered_canvas, signature_row
from rumah_perisai.services.requests import Confirmation

_GREEN = Color(0.0, 0.47, 0.25)
_TITLE = N_("CONFIRMATION OF A REQUEST ABOUT PERSONAL DATA")
_POST = N_("Post {code} · {name}")
_NUMBER = N_("Request number")
_REGNO = N_("Registration number")
_NAME = N_("Name")
_RIGHT = N_("Right asked for")
_MADE = N_("Asked on")
_RECORDED = N_("Recorded on")
_DONE_HEAD = N_("What was done")
_ERASED_HEAD = N_("Erased")
_KEPT_HEAD = N_("What is kept, for how long and why")
_KEPT_ROW = N_("{what}: {years} years {start}.")
_BRANCH = N_(
    "The BPJS Ketenagakerjaan branch is told of this request in the post's next weekly batch "
    "and does the same to its own copy of the data."
)
_LAW = N_(
    "Law 27/2022 on Personal Data Protection. Rules version {version}. Keep this sheet: it is "
    "your proof of the request."
)
_SIGNED = N_("Coordinator (name and signature)")
_PERSON = N_("The person, or their representative")
_FOOTER = N_("Request {key}")


def request_confirmation_pdf(sheet: Confirmation) -> bytes:
    """The confirmation, ready to print or save."""
    with speaking("id"):
        return _render(sheet)


def _styles() -> dict[str, ParagraphStyle]:
    fonts = _fonts()
    base = ParagraphStyle("base", fontName=fonts.regular, fontSize=10.5, leading=14)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=fonts.bold, fontSize=15, leading=19, textColor=_GREEN
        ),
        "head": ParagraphStyle(
            "head", parent=base, fontName=fonts.bold, fontSize=11.5, leading=15, spaceBefore=8
        ),
        "item": ParagraphStyle("item", parent=base, leftIndent=6 * mm, firstLineIndent=-4 * mm),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=12),
        "source": ParagraphStyle(
            "source", parent=base, fontSize=8.5, leading=11, leftIndent=6 * mm, spaceAfter=3
        ),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _facts(sheet: Confirmation) -> Table:
    rows = [
        [tr(_NUMBER), sheet.key],
        [tr(_REGNO), sheet.registration_no],
        *([[tr(_NAME), sheet.name]] if sheet.name else []),
        [tr(_RIGHT), sheet.kind_text],
        [tr(_MADE), f"{formats.day(sheet.made_on)} ({sheet.how_text})"],
        [tr(_RECORDED), formats.day(sheet.recorded_on)],
    ]
    table = Table(rows, colWidths=[50 * mm, 120 * mm])
    fonts = _fonts()
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (0, -1), fonts.bold, 10.5),
                ("FONT", (1, 0), (1, -1), fonts.regular, 10.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _story(sheet: Confirmation) -> list[Any]:
    styles = _styles()
    story: list[Any] = [
        Paragraph(tr(_TITLE), styles["title"]),
        Paragraph(tr(_POST, code=sheet.post_code, name=_escape(sheet.post_name)), styles["base"]),
        Spacer(1, 5 * mm),
        _facts(sheet),
        Paragraph(tr(_DONE_HEAD), styles["head"]),
        Paragraph(_escape(sheet.outcome), styles["base"]),
    ]
    if sheet.erased:
        story.append(Paragraph(tr(_ERASED_HEAD), styles["head"]))
        story.append(Paragraph(_escape(", ".join(sheet.erased)) + ".", styles["base"]))
    if sheet.kept:
        story.append(Paragraph(tr(_KEPT_HEAD), styles["head"]))
        for kept in sheet.kept:
            line = tr(_KEPT_ROW, what=kept.what, years=kept.years, start=kept.start)
            story.append(Paragraph(f"•&nbsp;&nbsp;{_escape(line)}", styles["item"]))
            story.append(Paragraph(_escape(kept.source), styles["source"]))
    if sheet.to_branch:
        story += [Spacer(1, 3 * mm), Paragraph(tr(_BRANCH), styles["base"])]
    story += [
        Spacer(1, 3 * mm),
        Paragraph(tr(_LAW, version=sheet.rules_version), styles["small"]),
        Spacer(1, 12 * mm),
        signature_row(tr(_SIGNED), tr(_PERSON)),
    ]
    return story


def _render(sheet: Confirmation) -> bytes:
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=tr(_FOOTER, key=sheet.key),
        author=sheet.post_name,
    )
    footer = tr(_FOOTER, key=sheet.key)
    template.build(_story(sheet), canvasmaker=numbered_canvas(A4, footer))
    return buffer.getvalue()
