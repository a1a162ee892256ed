"""The checked list as a workbook to fix and import again (issue 20).

The original rows with two columns added in front — *Status impor* and *Alasan* — refused rows
first, then possible duplicates, then the rest, each in the file's order; the header as the file
had it, so the corrected workbook is read the same way (the import knows its own two columns and
leaves them out). Every cell is written as text where it was text: a NIK stays sixteen digits,
never a number Excel would round. A second sheet holds the summary and the notes.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from rumah_perisai.i18n import tr
from rumah_perisai.printing.output import write_document
from rumah_perisai.services.sheet_import import Checked, RowStatus, status_label

STATUS_HEADER = "Status impor"
REASON_HEADER = "Alasan"
_FILLS = {
    RowStatus.REFUSED: "F8D7DA",
    RowStatus.POSSIBLE_DUPLICATE: "FFF3CD",
}


def result_workbook(checked: Checked) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = tr("Result")[:31]
    bold = Font(bold=True)
    sheet.append([STATUS_HEADER, REASON_HEADER, *(_kept(h) for h in checked.sheet.headers)])
    for cell in sheet[1]:
        cell.font = bold
    by_number = {row.number: row for row in checked.sheet.rows}
    for result in checked.ordered():
        original = by_number[result.row]
        sheet.append(
            [status_label(result.status), _kept(result.reason), *map(_kept, original.cells)]
        )
        fill = _FILLS.get(result.status)
        if fill is not None:
            for cell in sheet[sheet.max_row][:2]:
                cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            if cell.data_type == "f":  # "=HYPERLINK(…)" in a list is text, never a live formula
                cell.data_type = "s"
            if isinstance(cell.value, str) and cell.row > 1:
                cell.number_format = "@"  # text stays text: a NIK is never rounded
            elif isinstance(cell.value, date | datetime):
                cell.number_format = "DD-MM-YYYY"
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 60
    sheet.freeze_panes = "C2"
    _summary(book.create_sheet(tr("Summary")[:31]), checked, bold)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _kept(value: Any) -> Any:
    """A cell as it came, but a whole number of more than 15 digits as text (Excel keeps 15),
    and text without the control characters a workbook cannot hold."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(" ", value)
    return value


def _summary(sheet: Any, checked: Checked, bold: Any) -> None:
    sheet.append([tr("Status"), tr("Rows")])
    for cell in sheet[1]:
        cell.font = bold
    counts = checked.summary()
    for status in RowStatus:
        sheet.append([status_label(status), counts[status.value]])
    sheet.append([])
    for note in checked.notes:
        sheet.append([note])
    sheet.column_dimensions["A"].width = 40


def write_result(path: Path, checked: Checked, *, replace: bool = False) -> Path:
    return write_document(path, result_workbook(checked), replace=replace)
