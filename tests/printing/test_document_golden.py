"""Golden files for the call list's spreadsheet and the daily cash summary PDF, as the batch and
the receipts have: what a reader sees (the sheet's cells with their number formats and links; the
PDF's text, page by page) must stay what ``golden/`` holds.

After a deliberate change, write them again and read the diff::

    UPDATE_GOLDEN=1 .venv/bin/pytest -n 0 tests/printing/test_document_golden.py
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.printing.call_list import export_xlsx
from rumah_perisai.printing.cash import daily_summary_pdf
from rumah_perisai.services.call_list import call_list, record_call
from rumah_perisai.services.cash import close_day, close_document, till
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.volunteers import Actor

GOLDEN = Path(__file__).resolve().parent / "golden"
DAY = date(2026, 11, 27)  # the clock's day (conftest)


def _compare(name: str, text: str, *, words_only: bool = False) -> None:
    """``text`` against ``golden/<name>``; ``words_only``: where lines break does not count (a
    PDF's lines break elsewhere with another computer's fonts)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if words_only:
        text, expected = " ".join(text.split()), " ".join(expected.split())
    assert text == expected, (
        f"{name} changed: if on purpose, UPDATE_GOLDEN=1 (see this file's docstring)"
    )


def _promotion(start: date, end: date) -> CoverHistory:
    return CoverHistory(Standing.MEMBER, start, end, frozenset())


def _sheet_text(path: Path) -> str:
    """Every cell that holds something: where, what, its number format, its link; then the
    sheet's title, frozen panes and filter."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    (sheet,) = book.worksheets
    lines = [f"sheet {sheet.title!r} freeze {sheet.freeze_panes} filter {sheet.auto_filter.ref}"]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            line = f"{cell.coordinate}\t{cell.value!r}"
            if cell.number_format != "General":
                line += f"\tformat {cell.number_format}"
            if cell.hyperlink is not None:
                target = cell.hyperlink.target
                line += "\tlink (the value)" if target == cell.value else f"\tlink {target}"
            if cell.font is not None and cell.font.b:
                line += "\tbold"
            lines.append(line)
    return "\n".join(lines) + "\n"


def test_the_call_list_spreadsheet_reads_as_its_golden_file(
    tmp_path: Path, app: App, add_participant: Callable[..., int], volunteer: Actor
) -> None:
    june, end_sep = date(2026, 6, 10), date(2026, 9, 30)
    add_participant(  # free cover ends in three days
        registered_on=date(2026, 8, 3), name="Budi Santoso", phone="081234567890",
        history=_promotion(date(2026, 8, 3), date(2026, 11, 30)),
    )  # fmt: skip
    arrears = add_participant(  # never paid: in arrears, a call recorded
        registered_on=june, name="Cici Paramida", phone="085711112222",
        history=_promotion(june, end_sep),
    )  # fmt: skip
    add_participant(registered_on=june, name="Eko Prasetyo", history=_promotion(june, end_sep))
    record_call(app.db, arrears, "promised", volunteer, "Bayar hari Jumat")
    rows = call_list(app.db, DAY)
    assert len(rows) == 3
    path = tmp_path / "panggilan.xlsx"
    export_xlsx(rows, path)
    _compare("call_list.xlsx.txt", _sheet_text(path))


def test_the_daily_summary_reads_as_its_golden_file(
    qapp: Any,
    app: App,
    add_participant: Callable[..., int],
    volunteer: Actor,
    coordinator: Actor,
) -> None:
    receipts = []
    for number, (actor, months) in enumerate(
        [(volunteer, 1), (coordinator, 3), (volunteer, 1)], start=1
    ):
        start = date(2026, 10, 1)
        who = add_participant(
            registered_on=start,
            history=_promotion(start, date(2027, 1, 31)),
            name=f"Peserta Nomor {number}",
        )
        total = payment_options(app.db, who).plan(months).total
        receipts.append(take_payment(app.db, who, months, total, actor).receipt_id)
    void_receipt(app.db, receipts[0], "Salah input peserta", coordinator)
    today = till(app.db)
    counted = {line.volunteer_key: line.expected for line in today.lines}
    counted[today.lines[0].volunteer_key] -= 2_000
    close_id = close_day(
        app.db, today.day, counted, coordinator, through_seq=today.through_seq, note="Kurang"
    )
    pages = _pdf_lines(daily_summary_pdf(close_document(app.db, close_id)))
    text = "".join(f"--- page {n}\n{page}\n" for n, page in enumerate(pages, start=1))
    # The newest receipt's hash covers the post's key, made new for each test's post.
    text = re.sub(r"\b[0-9a-f]{64}\b", "<hash>", text)
    _compare("daily_summary.pdf.txt", text, words_only=True)


def _pdf_lines(pdf: bytes) -> list[str]:
    """Each page's text, a line as QtPdf reads it, its runs of white space made one space."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument

    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    pages = []
    for page in range(document.pageCount()):
        # A number wrapped at its hyphen comes back with U+FFFE where the line broke.
        text = document.getAllText(page).text().replace("\ufffe", "-")
        pages.append(
            "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
        )
    return pages
