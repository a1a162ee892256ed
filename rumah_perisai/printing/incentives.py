"""A volunteer's monthly incentive statement on paper (issue 7), A4 portrait.

What the volunteer earned in a month under the scheme in force: new participants, the dues
counted, each line of the scheme, the gross, the wadah's share and the net paid out, with room
for the volunteer's and the coordinator's signatures. A month without a scheme in force says so
plainly. Printed papers are Indonesian whatever the screen's language; the statement's lines
carry their text already, so make the statement while speaking Indonesian too
(``with speaking("id"): volunteer_month(...)``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from rumah_perisai import formats
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.incentives import PART_NOTE, scheme_for_month
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, speaking, tr
from rumah_perisai.printing.cards import _fonts
from rumah_perisai.printing.pages import signature_row
from rumah_perisai.services.incentives import IncentiveStatement, volunteer_month
from rumah_perisai.services.posts import post_summary

_GREEN = Color(0.0, 0.47, 0.25)
_GREY = Color(0.92, 0.92, 0.92)

_TITLE = N_("VOLUNTEER INCENTIVE STATEMENT")
_MONTH = N_("Month")
_VOLUNTEER = N_("Volunteer")
_SCHEME = N_("Scheme")
_NO_SCHEME = N_("No incentive scheme was in force this month: nothing is owed.")
_NEW = N_("New participants registered")
_NEW_VALUE = N_("{count} (with JHT: {jht})")
_DUES_BASE = N_("Dues counted (voids subtracted)")
_HEAD_WHAT = N_("Incentive")
_HEAD_AMOUNT = N_("Amount")
_GROSS = N_("Gross incentive")
_WADAH = N_("Wadah share ({percent}%)")
_WADAH_PLAIN = N_("Wadah share")
_NET = N_("Net to the volunteer")
_SIGN_VOLUNTEER = N_("Received by (volunteer)")
_SIGN_COORDINATOR = N_("Checked by (coordinator)")
_DEMO_NOTE = N_("CONTOH — demo post, not a real statement")


def statement_pdf(
    statement: IncentiveStatement,
    post_name: str,
    *,
    wadah: str | None = None,
    is_demo: bool = False,
) -> bytes:
    """The statement, ready to print or save."""
    with speaking("id"):
        return _render(statement, post_name, wadah, is_demo)


@dataclass(frozen=True)
class PrintedStatement:
    """A volunteer's monthly statement as the dashboard and ``incentives statement`` write it."""

    statement: IncentiveStatement
    pdf: bytes
    file_name: str  # which month and which account, never the volunteer's name


def volunteer_statement(db: Database, volunteer_id: int, month: date) -> PrintedStatement:
    """Volunteer ``volunteer_id``'s statement for ``month`` (any day of it), its lines in
    Indonesian as the paper is, drawn for the post."""
    with speaking("id"):  # the paper is Indonesian, its lines too
        statement = volunteer_month(db, volunteer_id, month)
    summary = post_summary(db)
    if summary is None:
        raise UserError("no_post")
    pdf = statement_pdf(statement, summary.name, wadah=summary.wadah, is_demo=summary.is_demo)
    name = f"insentif-{summary.code}-{statement.month:%Y-%m}-relawan-{statement.volunteer_id}"
    return PrintedStatement(statement, pdf, f"{name}.pdf")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _styles() -> dict[str, ParagraphStyle]:
    fonts = _fonts()
    base = ParagraphStyle("base", fontName=fonts.regular, fontSize=10, leading=13)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=fonts.bold, fontSize=15, leading=18, textColor=_GREEN
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12),
        "note": ParagraphStyle("note", parent=base, fontSize=9, leading=11.5),
    }


def _percent(statement: IncentiveStatement) -> str | None:
    scheme = scheme_for_month(statement.month)
    if scheme is None or scheme.code != statement.scheme_code:
        return None
    return format(scheme.wadah_percent.normalize(), "f").replace(".", ",")


def _facts(statement: IncentiveStatement, styles: dict[str, ParagraphStyle]) -> Table:
    scheme = statement.scheme_name or tr(_NO_SCHEME)
    rows = [
        [tr(_VOLUNTEER), Paragraph(f"<b>{_escape(statement.volunteer_name)}</b>", styles["base"])],
        [tr(_MONTH), formats.month(statement.month)],
        [tr(_SCHEME), Paragraph(_escape(scheme), styles["base"])],
        [
            tr(_NEW),
            tr(
                _NEW_VALUE,
                count=formats.number(statement.new_participants),
                jht=formats.number(statement.new_with_jht),
            ),
        ],
        [tr(_DUES_BASE), formats.money(statement.dues_base)],
    ]
    table = Table(rows, colWidths=[72 * mm, 108 * mm])  # "Iuran dihitung (dikurangi pembatalan)"
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), _fonts().regular, 10),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def _lines(statement: IncentiveStatement, styles: dict[str, ParagraphStyle]) -> Table:
    fonts = _fonts()
    data: list[list[Any]] = [[tr(_HEAD_WHAT), tr(_HEAD_AMOUNT)]]
    notes: list[int] = []
    for line in statement.lines:
        if line.part == PART_NOTE or line.amount is None:
            notes.append(len(data))
            data.append([Paragraph(f"<i>{_escape(line.text)}</i>", styles["note"]), ""])
        else:
            data.append([Paragraph(_escape(line.text), styles["cell"]),
                         formats.money(line.amount)])  # fmt: skip
    gross_row = len(data)
    percent = _percent(statement)
    wadah = tr(_WADAH, percent=percent) if percent else tr(_WADAH_PLAIN)
    data += [
        [tr(_GROSS), formats.money(statement.gross)],
        [wadah, "− " + formats.money(statement.wadah_share)],
        [tr(_NET), formats.money(statement.net)],
    ]
    table = Table(data, colWidths=[135 * mm, 45 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.regular, 10),
                ("FONT", (0, 0), (-1, 0), fonts.bold, 10),
                ("BACKGROUND", (0, 0), (-1, 0), _GREY),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, black),
                ("LINEBELOW", (0, 1), (-1, gross_row - 1), 0.25, Color(0.8, 0.8, 0.8)),
                ("LINEABOVE", (0, gross_row), (-1, gross_row), 0.6, black),
                ("FONT", (0, gross_row), (-1, gross_row), fonts.bold, 10),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, black),
                ("FONT", (0, -1), (-1, -1), fonts.bold, 11),
                ("BACKGROUND", (0, -1), (-1, -1), _GREY),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _story(
    statement: IncentiveStatement, post_name: str, wadah: str | None, is_demo: bool
) -> list[Any]:
    styles = _styles()
    heading = f"<b>{_escape(post_name)}</b>"
    if wadah:
        heading += f" · {_escape(wadah)}"
    story: list[Any] = [
        Paragraph(tr(_TITLE), styles["title"]),
        Paragraph(heading, styles["base"]),
    ]
    if is_demo:
        story.append(
            Paragraph(f"<font color='#c00000'><b>{tr(_DEMO_NOTE)}</b></font>", styles["base"])
        )
    story += [Spacer(1, 5 * mm), _facts(statement, styles), Spacer(1, 5 * mm)]
    if statement.no_scheme:
        story += [Paragraph(f"<b>{tr(_NO_SCHEME)}</b>", styles["base"]), Spacer(1, 3 * mm)]
    story += [
        _lines(statement, styles),
        Spacer(1, 16 * mm),
        signature_row(
            tr(_SIGN_VOLUNTEER),
            tr(_SIGN_COORDINATOR),
            under=[statement.volunteer_name],
            space=18 * mm,
            size=9,
        ),
    ]
    return story


def _render(
    statement: IncentiveStatement, post_name: str, wadah: str | None, is_demo: bool
) -> bytes:
    buffer = io.BytesIO()
    title = f"{tr(_TITLE)} {statement.volunteer_name} {formats.month(statement.month)}"
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=post_name,
    )
    footer = f"{post_name} · {tr(_TITLE)} · {formats.month(statement.month)}"

    def decorate(canvas: Any, _doc: Any) -> None:
        canvas.setFont(_fonts().regular, 7.5)
        canvas.setFillColor(black)
        canvas.drawString(15 * mm, 10 * mm, footer)

    template.build(_story(statement, post_name, wadah, is_demo), onFirstPage=decorate,
                   onLaterPages=decorate)  # fmt: skip
    return buffer.getvalue()
