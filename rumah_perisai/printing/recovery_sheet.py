"""The recovery sheet (issue 16): one A4 page for the sealed envelope.

It carries the post's recovery code in large, clear type with the post it belongs to and when it
was issued, what the code is for, how to keep it, and what to do when the laptop is lost or
broken. It holds no participant's data: the code alone opens nothing without a backup file.
Printed papers are Indonesian whatever the screen's language.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from rumah_perisai import formats
from rumah_perisai.i18n import N_, speaking, tr
from rumah_perisai.printing.cards import _fonts
from rumah_perisai.printing.pages import numbered_canvas
from rumah_perisai.services.recovery import RecoverySheet

# The code in a base-14 monospace font: every character the same width, present in every PDF
# reader; the code's alphabet (Crockford base32) has no I, L, O or U to mistake for 1 or 0.
CODE_FONT = "Courier-Bold"
CODE_SIZE = 26
_GREEN = Color(0.0, 0.47, 0.25)
_PALE = Color(0.95, 0.97, 0.95)

_TITLE = N_("RECOVERY CODE")
_POST = N_("Post {code} · {name}")
_ISSUED = N_("Issued {when}")
_TYPING = N_("When typing it, capitals and dashes do not matter.")
_KEEP_SEALED = N_("Keep this sheet in a sealed envelope. Do not photograph it or send it by chat.")
_WHAT_HEAD = N_("What the code is for")
_WHAT = N_(
    "The post's backups are encrypted. This code opens them: with it, the post's data can be "
    "restored on a new laptop when this one is lost, stolen or broken. A coordinator who forgot "
    "their PIN can also set a new one with it."
)
_KEEP_HEAD = N_("How to keep it")
_KEEP = N_(
    "Keep the envelope in a safe place away from the post's laptop and away from the backup "
    "stick: whoever holds both the code and a backup can read the participants' data. When a "
    "coordinator issues a new code, this one stops working: destroy this sheet then."
)
_LOST_HEAD = N_("If the laptop is lost or broken")
_LOST_STEPS = (
    N_("If it was lost or stolen, tell the BPJS Ketenagakerjaan branch office the same day."),
    N_("Install Rumah Perisai on the new laptop and choose “Restore from a backup”."),
    N_(
        "Choose the newest backup file (on the post's backup stick, or ask the branch for the "
        "one it keeps) and type this code."
    ),
    N_(
        "Receipts printed after that backup are on the post's paper halves: enter them again "
        "with their printed numbers."
    ),
    N_(
        "If this code is lost too, the branch can open the backup and give a one-time code; "
        "afterwards print a new sheet."
    ),
)
_KEPT_BY = N_("Kept by (name and signature)")
_DATE = N_("Date")
_FOOTER = N_("Recovery sheet · post {code}")
_DEMO = N_("Demo post: this code opens only made-up data.")


def recovery_sheet_pdf(sheet: RecoverySheet) -> bytes:
    """The sheet, ready to print or save; always one page."""
    with speaking("id"):
        return _render(sheet)


def _styles() -> dict[str, ParagraphStyle]:
    fonts = _fonts()
    base = ParagraphStyle("base", fontName=fonts.regular, fontSize=10.5, leading=14)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=fonts.bold, fontSize=20, leading=24, textColor=_GREEN
        ),
        "post": ParagraphStyle("post", parent=base, fontName=fonts.bold, fontSize=13, leading=17),
        "head": ParagraphStyle(
            "head", parent=base, fontName=fonts.bold, fontSize=11.5, leading=15, spaceBefore=8
        ),
        "warn": ParagraphStyle("warn", parent=base, fontName=fonts.bold, alignment=1),
        "step": ParagraphStyle("step", parent=base, leftIndent=7 * mm, firstLineIndent=-5 * mm),
        "hint": ParagraphStyle(
            "hint", parent=base, fontSize=9, leading=13, alignment=1, spaceBefore=4
        ),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code_box(code: str) -> Table:
    """The code alone in a box, large: what is typed on the new laptop."""
    box = Table([[code]], colWidths=[170 * mm], rowHeights=[22 * mm])
    box.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), CODE_FONT, CODE_SIZE),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 1.5, black),
                ("BACKGROUND", (0, 0), (-1, -1), _PALE),
            ]
        )
    )
    return box


def _kept_by() -> Table:
    """Lines to write on by hand: who keeps the envelope, and since when."""
    table = Table(
        [["", "", ""], [tr(_KEPT_BY), "", tr(_DATE)]],
        colWidths=[105 * mm, 15 * mm, 50 * mm],
        rowHeights=[14 * mm, None],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), _fonts().regular, 9),
                ("LINEABOVE", (0, 1), (0, 1), 0.5, black),
                ("LINEABOVE", (2, 1), (2, 1), 0.5, black),
            ]
        )
    )
    return table


def _story(sheet: RecoverySheet) -> list[Any]:
    styles = _styles()
    post = tr(_POST, code=sheet.post_code, name=_escape(sheet.post_name))
    issued = tr(_ISSUED, when=formats.weekday_moment(sheet.issued_at, sheet.timezone))
    story: list[Any] = [
        Paragraph(tr(_TITLE), styles["title"]),
        Paragraph(post, styles["post"]),
        Paragraph(f"{issued} {sheet.timezone}", styles["base"]),
        Spacer(1, 6 * mm),
        _code_box(sheet.code),
        Paragraph(tr(_TYPING), styles["hint"]),
        Spacer(1, 3 * mm),
        Paragraph(tr(_KEEP_SEALED), styles["warn"]),
    ]
    if sheet.is_demo:
        story.append(Paragraph(tr(_DEMO), styles["warn"]))
    story += [
        Paragraph(tr(_WHAT_HEAD), styles["head"]),
        Paragraph(tr(_WHAT), styles["base"]),
        Paragraph(tr(_KEEP_HEAD), styles["head"]),
        Paragraph(tr(_KEEP), styles["base"]),
        Paragraph(tr(_LOST_HEAD), styles["head"]),
    ]
    story += [
        Paragraph(f"{number}.&nbsp;&nbsp;{tr(step)}", styles["step"])
        for number, step in enumerate(_LOST_STEPS, start=1)
    ]
    story += [Spacer(1, 8 * mm), _kept_by()]
    return story


def _render(sheet: RecoverySheet) -> bytes:
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{tr(_TITLE)} {sheet.post_code}",
        author=sheet.post_name,
    )
    footer = tr(_FOOTER, code=sheet.post_code)
    template.build(_story(sheet), canvasmaker=numbered_canvas(A4, footer, demo=sheet.is_demo))
    return buffer.getvalue()
