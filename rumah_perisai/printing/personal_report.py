"""A person's report on paper (UU PDP Art. 32; issue 19), A4 portrait, in Indonesian.

Everything the post holds about one participant (``services.personal_report``): their fields,
cover periods, receipts, cards, calls, their own requests, the batches that carried their data
to the branch, the history of changes and who looked, each section a table whose header repeats
on every page, "Halaman X dari Y" at the foot. An erased participant's emptied fields read
"dihapus atas permintaan". The file name says the registration number, never the person.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from rumah_perisai import areas, formats
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.coverage import Status, status_label
from rumah_perisai.i18n import N_, speaking, tr
from rumah_perisai.printing.cards import _fonts
from rumah_perisai.printing.output import write_document
from rumah_perisai.printing.pages import numbered_canvas
from rumah_perisai.services.access import Look, record_access
from rumah_perisai.services.call_list import OUTCOMES, outcome_label
from rumah_perisai.services.cards import CARD_STATE_TEXT, REASON_TEXT
from rumah_perisai.services.personal_report import (
    FIELDS,
    HistoryItem,
    PersonalReport,
    personal_report,
)
from rumah_perisai.services.volunteers import Actor

PAGE = A4
WIDTH = 180 * mm
_GREEN = Color(0.0, 0.47, 0.25)
_GREY = Color(0.92, 0.92, 0.92)
_SIZE, _LEADING = 8, 9.8  # table text

_TITLE = N_("PERSONAL DATA REPORT")
_INTRO = N_(
    "Everything this post holds about the participant with registration number {regno}, and "
    "the record of how it was processed: who changed or looked at it, and when (Law 27/2022 "
    "on Personal Data Protection, Article 32)."
)
_MADE = N_("Printed {moment} by {name}.")
_ERASED_NOTE = N_(
    "Erased at the person's request on {moment}: what no rule requires keeping was removed; "
    "what is kept (receipts as financial records, the membership) is listed below."
)
_ERASED = N_("erased on request")
_YEAR_ONLY = N_("{year} (day and month erased on request)")
_NONE = N_("None.")
_YES, _NO = N_("yes"), N_("no")
_MALE, _FEMALE = N_("male"), N_("female")
_SECTIONS = {
    "fields": N_("1. Participant's data"),
    "cover": N_("2. Cover periods"),
    "receipts": N_("3. Receipts"),
    "cards": N_("4. Membership cards"),
    "calls": N_("5. Calls"),
    "requests": N_("6. Requests about their data"),
    "batches": N_("7. Weekly batches that carried the data to the branch"),
    "history": N_("8. History of changes"),
    "accesses": N_("9. Who looked"),
}
_STANDING = {
    "member": N_("member"),
    "withdrawn": N_("withdrawn (registered by mistake)"),
    "rejected": N_("rejected by the branch"),
    "ended": N_("ended (consent withdrawn)"),
}
_COVER_KIND = {"promotion": N_("Free (promotion)"), "paid": N_("Paid")}
_RECEIPT_KIND = {"payment": N_("payment"), "void": N_("void")}
_REQUEST_KIND = {
    "access": N_("see their data"),
    "copy": N_("a copy of their data"),
    "correct": N_("correction"),
    "withdraw": N_("withdraw consent"),
    "erase": N_("erasure"),
}
_MADE_HOW = {
    "in_person": N_("in person"),
    "letter": N_("letter"),
    "phone": N_("phone"),
    "message": N_("message"),
    "other": N_("other"),
}
_REQUEST_STATE = {"done": N_("done"), "refused": N_("refused")}
_LOOK = {
    "view": N_("opened the participant"),
    "card": N_("card printed"),
    "receipt": N_("receipt printed"),
    "list": N_("list exported"),
    "report": N_("this report"),
    "statement": N_("incentive statement"),
}
_ENTITY = {
    "participants": N_("Participant"),
    "cover_periods": N_("Cover period"),
    "receipts": N_("Receipt"),
    "receipt_months": N_("Dues month"),
    "card_issues": N_("Card"),
    "data_requests": N_("Request"),
}
_CREATED, _CHANGED = N_("created"), N_("changed")
_VOIDED_BY = N_("voided by {number}")
_VOIDS = N_("void of {number}")
_REFUND = N_("refund")
_HANDED = N_("handed over {day}")
_ACK = N_("acknowledged {moment}")
_NOT_ACK = N_("not acknowledged yet")
# The audit log's columns that say nothing to the person (ids, hashes, the branch's own).
_TECHNICAL = frozenset(
    {"id", "post_id", "post_code", "source_id", "source_change", "participant_id", "receipt_id",
     "hash", "prev_hash", "nik_prefix", "first_change", "year", "seq", "rates_version",
     "registered_by_id", "issued_by_id", "cash_volunteer_id", "called_by_id", "recorded_by_id",
     "paper_entered_by_id", "voids_receipt_id", "voided_by_receipt_id", "receipt_number"}
)  # fmt: skip
_LABELS = dict(FIELDS)


def personal_report_pdf(report: PersonalReport) -> bytes:
    """The report, ready to print or save (Indonesian whatever the screen's language)."""
    with speaking("id"):
        return _render(report)


def save_personal_report(
    db: Database, participant_id: int, actor: Actor, path: Path, *, replace: bool = False
) -> Path:
    """Make the report, write it to ``path`` whole (``printing.output.write_document``), and
    record the look (``Look.REPORT``). A report whose look could not be recorded is removed:
    none leaves the post unrecorded. ``replace``: the window's save dialog has asked."""
    report = personal_report(db, participant_id, actor)
    write_document(path, personal_report_pdf(report), replace=replace)
    try:
        record_access(db, actor, Look.REPORT, [participant_id], what="report")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def report_file_name(registration_no: str) -> str:
    """``laporan-data-pribadi-RP3209A-000123.pdf``: the number, never the name or the NIK."""
    return f"laporan-data-pribadi-{registration_no}.pdf"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Draw:
    """One report's styles and its time zone, shared by the sections.

    Table cells are plain text wherever the text fits its column (a line break is a new line):
    ReportLab draws those without the paragraph machinery, which the hundreds of rows of a
    five-year history would make slow; only text too wide for its column, and the history's
    changes, become wrapped paragraphs."""

    def __init__(self, report: PersonalReport) -> None:
        fonts = _fonts()
        self.report = report
        self.zone = report.timezone
        self.font = fonts.regular
        base = ParagraphStyle("base", fontName=fonts.regular, fontSize=9.5, leading=12)
        self.base = base
        self.title = ParagraphStyle(
            "title", parent=base, fontName=fonts.bold, fontSize=15, leading=18, textColor=_GREEN
        )
        self.section = ParagraphStyle(
            "section", parent=base, fontName=fonts.bold, fontSize=11, leading=14, spaceBefore=8,
            spaceAfter=3, textColor=_GREEN,
        )  # fmt: skip
        self.cell = ParagraphStyle("cell", parent=base, fontSize=_SIZE, leading=_LEADING)
        self.th = ParagraphStyle("th", parent=self.cell, fontName=fonts.bold)

    def p(self, markup: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(markup, style or self.cell)

    def when(self, value: datetime | None) -> str:
        """A moment in the post's time zone on two lines: the day, then the time."""
        if value is None:
            return "–"
        day, _, time = formats.moment(value, self.zone).rpartition(" ")[0].rpartition(" ")
        return f"{day}\n{time} {self.zone}"

    def moment(self, value: datetime | None) -> str:
        return formats.moment(value, self.zone) if value is not None else "–"

    def fit(self, value: Any, width: float) -> Any:
        """Plain text if every line fits ``width`` (points), else a wrapped paragraph."""
        if not isinstance(value, str):
            return value
        room = width - 6  # the cell's padding
        if all(stringWidth(line, self.font, _SIZE) <= room for line in value.split("\n")):
            return value
        return self.p(_escape(value).replace("\n", "<br/>"))

    def table(self, heads: Sequence[str], rows: list[list[Any]], widths: Sequence[float]) -> Any:
        if not rows:
            return self.p(tr(_NONE), self.base)
        points = [w * mm for w in widths]
        data: list[list[Any]] = [[self.p(tr(h), self.th) for h in heads]]
        data += [[self.fit(cell, points[i]) for i, cell in enumerate(row)] for row in rows]
        table = Table(data, colWidths=points, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), self.font, _SIZE, _LEADING),
                    ("BACKGROUND", (0, 0), (-1, 0), _GREY),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, black),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, Color(0.75, 0.75, 0.75)),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return table


def _value(key: str, value: Any, draw: _Draw) -> str:
    """A field's value in words (plain text)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return tr(_YES) if value else tr(_NO)
    if key == "sex":
        return tr(_MALE) if value == "L" else tr(_FEMALE)
    if key == "standing":
        return tr(_STANDING.get(str(value), str(value)))
    if key == "status":
        return status_label(Status(str(value)))
    if key == "income" and isinstance(value, int):
        return formats.money(value)
    if key == "desa_code":
        return f"{value}\n{areas.full_name(str(value))}"  # also an old value in the history
    if key == "birth_date" and isinstance(value, int):
        return tr(_YEAR_ONLY, year=value)
    if isinstance(value, datetime):
        return draw.moment(value)
    if isinstance(value, date):
        return formats.day(value)
    return str(value)


def _fields(draw: _Draw) -> Table:
    widths = (62 * mm, 118 * mm)
    rows = []
    for row in draw.report.fields:
        shown = tr(_ERASED) if row.erased else _value(row.key, row.value, draw)
        rows.append([draw.fit(tr(row.label), widths[0]), draw.fit(shown, widths[1])])
    table = Table(rows, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), draw.font, _SIZE, _LEADING),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, Color(0.85, 0.85, 0.85)),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def _cover(draw: _Draw) -> Any:
    rows: list[list[Any]] = []
    for c in draw.report.cover:
        state = tr(_VOIDED_BY, number=c.voided_by) if c.voided_by else "–"
        rows.append(
            [str(c.number), tr(_COVER_KIND.get(c.kind, c.kind)), formats.day(c.start_date),
             formats.day(c.end_date), c.programmes, c.receipt_number or c.campaign_code or "–",
             state]
        )  # fmt: skip
    heads = [N_("No."), N_("Kind"), N_("From"), N_("To"), N_("Programmes"), N_("Source"),
             N_("State")]  # fmt: skip
    return draw.table(heads, rows, [14, 26, 22, 22, 24, 40, 32])


def _receipts(draw: _Draw) -> Any:
    rows: list[list[Any]] = []
    for r in draw.report.receipts:
        months = "–"
        if r.first_month and r.last_month:
            months = formats.month_range(r.first_month, r.last_month)
        notes = []
        if r.voided_by:
            notes.append(tr(_VOIDED_BY, number=r.voided_by))
        if r.voids:
            notes.append(tr(_VOIDS, number=r.voids))
        if r.refund:
            notes.append(tr(_REFUND))
        if r.reason:
            notes.append(r.reason)
        total = formats.money(r.total) if r.kind == "payment" else "− " + formats.money(r.total)
        rows.append(
            [r.number, draw.when(r.issued_at), tr(_RECEIPT_KIND.get(r.kind, r.kind)),
             f"{months} ({r.month_count})", total, r.issued_by or "–",
             "; ".join(notes) or "–"]
        )  # fmt: skip
    heads = [N_("Receipt no."), N_("When"), N_("Kind"), N_("Months"), N_("Amount"), N_("By"),
             N_("Notes")]  # fmt: skip
    return draw.table(heads, rows, [40, 21, 21, 30, 19, 27, 22])


def _cards(draw: _Draw) -> Any:
    rows: list[list[Any]] = []
    for c in draw.report.cards:
        state = tr(CARD_STATE_TEXT.get(c.state, c.state))
        if c.handed_over_at is not None:
            state += ", " + tr(_HANDED, day=formats.day(c.handed_over_at.date()))
        reason = tr(REASON_TEXT.get(c.reason, c.reason))
        if c.reason_note:
            reason += f": {c.reason_note}"
        rows.append([str(c.serial), draw.when(c.issued_at), reason, c.issued_by or "–", state])
    heads = [N_("Card no."), N_("Made"), N_("Reason"), N_("By"), N_("State")]
    return draw.table(heads, rows, [20, 25, 55, 35, 45])


def _calls(draw: _Draw) -> Any:
    rows: list[list[Any]] = [
        [draw.when(c.called_at), c.called_by or "–",
         outcome_label(c.outcome) if c.outcome in OUTCOMES else c.outcome, c.note or "–"]
        for c in draw.report.calls
    ]  # fmt: skip
    return draw.table([N_("When"), N_("By"), N_("Outcome"), N_("Note")], rows, [25, 35, 35, 85])


def _requests(draw: _Draw) -> Any:
    rows: list[list[Any]] = []
    for r in draw.report.requests:
        state = tr(_REQUEST_STATE.get(r.state, r.state))
        if r.outcome:
            state += f": {r.outcome}"
        rows.append(
            [r.key, formats.day(r.made_on), tr(_REQUEST_KIND.get(r.kind, r.kind)),
             tr(_MADE_HOW.get(r.made_how, r.made_how)), state, r.recorded_by or "–",
             draw.when(r.branch_done_at)]
        )  # fmt: skip
    heads = [N_("Request"), N_("Made on"), N_("Right"), N_("How"), N_("Outcome"),
             N_("Recorded by"), N_("Done at the branch")]  # fmt: skip
    return draw.table(heads, rows, [26, 20, 25, 20, 41, 24, 24])


def _batches(draw: _Draw) -> Any:
    rows: list[list[Any]] = []
    for b in draw.report.batches:
        ack = tr(_ACK, moment=draw.moment(b.acknowledged_at)) if b.acknowledged_at else tr(_NOT_ACK)
        carried = ", ".join(
            f"{tr(_ENTITY.get(name, name))} ({count})" for name, count in sorted(b.carried.items())
        )
        rows.append([str(b.seq), draw.when(b.created_at), ack, carried])
    heads = [N_("Batch"), N_("Written"), N_("Branch"), N_("What it carried (changes)")]
    return draw.table(heads, rows, [14, 25, 55, 86])


def _erased() -> str:
    return f"<i>{tr(_ERASED)}</i>"


def _shown(key: str, value: Any, draw: _Draw) -> str:
    """A value of the audit log in words, as paragraph markup."""
    if value is None and key in draw.report.erased_keys:
        return _erased()
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return _escape(value)
        if len(value) == 10:
            return formats.day(moment.date())
        return draw.moment(moment) if moment.tzinfo else _escape(value)
    if isinstance(value, bool) or value is None or key in _LABELS:
        return _escape(_value(key, value, draw))
    return _escape(str(value))


def _changes(item: HistoryItem, draw: _Draw) -> str:
    parts = []
    for key, value in item.changes.items():
        empty = value in (None, "") and key not in draw.report.erased_keys
        if key in _TECHNICAL or (item.action == "create" and empty):
            continue  # what says nothing to the person; a new record's empty fields
        label = _escape(tr(_LABELS[key])) if key in _LABELS else key
        if item.action == "update" and isinstance(value, list) and len(value) == 2:
            parts.append(f"{label}: {_shown(key, value[0], draw)} → {_shown(key, value[1], draw)}")
        else:
            parts.append(f"{label}: {_shown(key, value, draw)}")
    return "; ".join(parts) or "–"


def _history(draw: _Draw) -> Any:
    rows: list[list[Any]] = [
        [draw.when(h.at), h.who,
         f"{tr(_ENTITY.get(h.entity, h.entity))}\n{h.key}\n"
         f"{tr(_CREATED if h.action == 'create' else _CHANGED)}",
         draw.p(_changes(h, draw))]
        for h in draw.report.history
    ]  # fmt: skip
    heads = [N_("When"), N_("By"), N_("Record"), N_("What changed")]
    return draw.table(heads, rows, [25, 30, 40, 85])


def _accesses(draw: _Draw) -> Any:
    rows: list[list[Any]] = [
        [draw.when(a.at), a.who, tr(_LOOK.get(a.action, a.action)), a.what or "–"]
        for a in draw.report.accesses
    ]
    return draw.table([N_("When"), N_("By"), N_("What"), N_("Document")], rows, [25, 60, 55, 40])


def _story(report: PersonalReport) -> list[Any]:
    draw = _Draw(report)
    heading = f"<b>{_escape(report.post_name)}</b> ({report.post_code})"
    if report.wadah:
        heading += f" · {_escape(report.wadah)}"
    story: list[Any] = [
        Paragraph(tr(_TITLE), draw.title),
        Paragraph(heading, draw.base),
        Paragraph(
            tr(_MADE, moment=draw.moment(report.made_at), name=_escape(report.made_by)), draw.base
        ),
        Spacer(1, 2 * mm),
        Paragraph(tr(_INTRO, regno=report.registration_no), draw.base),
    ]
    if report.erased_at is not None:
        note = tr(_ERASED_NOTE, moment=draw.moment(report.erased_at))
        story += [Spacer(1, 1.5 * mm), Paragraph(f"<b>{note}</b>", draw.base)]
    sections = (
        ("fields", _fields), ("cover", _cover), ("receipts", _receipts), ("cards", _cards),
        ("calls", _calls), ("requests", _requests), ("batches", _batches),
        ("history", _history), ("accesses", _accesses),
    )  # fmt: skip
    for name, make in sections:
        # A heading never ends a page alone; a long table then runs on over the pages (kept
        # together with its heading, it would leave a page blank before it).
        story += [CondPageBreak(30 * mm), Paragraph(tr(_SECTIONS[name]), draw.section), make(draw)]
    return story


def _render(report: PersonalReport) -> bytes:
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=17 * mm,
        title=f"{tr(_TITLE)} {report.registration_no}",  # never the person's name
        author=report.post_name,
    )
    footer = f"{report.post_name} · {tr(_TITLE)} · {report.registration_no}"
    canvas = numbered_canvas(PAGE, footer, demo=report.is_demo)
    template.build(_story(report), canvasmaker=canvas)
    return buffer.getvalue()
