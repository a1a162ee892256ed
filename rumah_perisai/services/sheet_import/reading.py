"""Reading a participant list a post kept before this program: XLSX or CSV, as it is.

Everything here treats the file as hostile until read: its kind is told from its bytes, never
its name (a PDF renamed ``.xlsx``, an old ``.xls``, a password-protected workbook — which is an
OLE file, not a zip — each get their own one-line refusal); its size and its number of rows are
bounded before they cost memory; a CSV may be UTF-8, UTF-16 or the Windows code page Excel
writes, line by line if it must (a list pasted together from two computers); merged cells give
their value to every cell they cover, as a person reading the sheet sees it; blank rows — a
hundred thousand formatted ones at the end, as Excel leaves them — are skipped. No cell is
interpreted here: that is ``values`` and ``checking``.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rumah_perisai import formats
from rumah_perisai.errors import UserError
from rumah_perisai.files import read_input_file
from rumah_perisai.i18n import tr

log = logging.getLogger(__name__)

MAX_BYTES = 25 * 1024 * 1024  # a list of 100,000 people is a few MB; 25 MB is something else
MAX_ROWS = 50_000  # non-blank rows: a post's list, not a province's
HEADER_SEARCH_ROWS = 30  # title rows above the header
MAX_COLUMNS = 100  # a list of people has a few dozen columns; a stray cell at XFD1 is not one
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or an encrypted .xlsx
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})([0-9]+):([A-Z]{1,3})([0-9]+)"')
# A formula cell with no saved result (``<c><f>…</f></c>``: written by a program, never opened
# in Excel): read as empty, and said so once for the file.
_UNSAVED_FORMULA = re.compile(
    rb"(?:</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>)\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?"
    rb"\s*</(?:\w+:)?c>"
)


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One non-blank row under the header: its row number in the spreadsheet (1-based, as Excel
    shows it) and its cells as read (text, numbers, dates; None for an empty cell)."""

    number: int
    cells: tuple[Any, ...]


@dataclass(frozen=True)
class Sheet:
    """The table of one sheet (or a CSV file): headers, rows, and what the reader noticed."""

    name: str
    headers: tuple[str, ...]
    header_row: int
    rows: tuple[SheetRow, ...]
    notes: tuple[str, ...] = ()
    kind: str = "xlsx"  # or "csv"
    names: tuple[str, ...] = ()  # every sheet of the workbook, in order (none for a CSV)

    @property
    def others(self) -> tuple[str, ...]:
        """The workbook's other sheets, for the summary and the choice of another."""
        return tuple(name for name in self.names if name != self.name)

    def value(self, row: SheetRow, column: int) -> Any:
        return row.cells[column] if column < len(row.cells) else None


def read_sheet(path: Path, sheet: str | None = None, *, data: bytes | None = None) -> Sheet:
    """The table in ``path`` (``sheet``: a workbook's sheet by name; by default the first with
    data), with the names of all the workbook's sheets. ``UserError`` in one line for anything
    that is not a readable list."""
    data = _read_bytes(path) if data is None else data
    kind = _kind(data, path)
    if kind == "csv":
        return _csv_sheet(data, path)
    return _xlsx_sheet(data, path, sheet)


# --- what the file is ----------------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    return read_input_file(
        path,
        MAX_BYTES,
        too_big=lambda size: UserError(
            "sheet_too_big", path=str(path), size=_megabytes(size), limit=_megabytes(MAX_BYTES)
        ),
    )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def _kind(data: bytes, path: Path) -> str:
    if len(data) > MAX_BYTES:
        raise UserError(
            "sheet_too_big", path=str(path), size=_megabytes(len(data)), limit=_megabytes(MAX_BYTES)
        )
    if not data.strip():
        raise UserError("sheet_empty", path=str(path))
    if data.startswith(_CFB):
        key = "sheet_password" if _ENCRYPTED in data else "sheet_old_excel"
        raise UserError(key, path=str(path))
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if path.suffix.casefold() in (".xlsx", ".xlsm"):  # named a workbook, and it is none
        raise UserError("sheet_not_a_list", path=str(path))
    head = data[:65536]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv"
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8")):
        raise UserError("sheet_not_a_list", path=str(path))
    return "csv"


# --- XLSX ----------------------------------------------------------------------------------------


def _open_book(data: bytes, path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise UserError("sheet_not_a_list", path=str(path)) from error
    if "content.xml" in names and "xl/workbook.xml" not in names:
        raise UserError("sheet_opendocument", path=str(path))
    if "xl/workbook.xml" not in names:
        raise UserError("sheet_not_a_list", path=str(path))
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zip, XML or openpyxl errors alike: not a usable workbook
        log.info("not a workbook: %s", type(error).__name__)  # no path: it may name a person
        raise UserError("sheet_not_a_list", path=str(path)) from error


def _xlsx_sheet(data: bytes, path: Path, wanted: str | None) -> Sheet:
    book = _open_book(data, path)
    try:
        sheets = list(book.worksheets)
        if not sheets:
            raise UserError("sheet_no_rows", path=str(path))
        if wanted is not None:
            chosen = [ws for ws in sheets if ws.title.casefold() == wanted.strip().casefold()]
            if not chosen:
                names = ", ".join(ws.title for ws in sheets)
                raise UserError("sheet_unknown", sheet=wanted, names=names)
            candidates = chosen
        else:
            candidates = sheets
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for worksheet in candidates:
                xml = _sheet_xml(archive, worksheet)
                table = _read_table(
                    _filled(_worksheet_rows(worksheet, path), _merges(xml)), path, worksheet.title
                )
                if table is None and wanted is None:
                    continue
                if table is None:
                    raise UserError("sheet_no_rows", path=str(path))
                notes = _formula_note(xml)
                titles = tuple(ws.title for ws in sheets)
                return Sheet(
                    table.name, table.headers, table.header_row, table.rows, notes, "xlsx", titles
                )
        raise UserError("sheet_no_rows", path=str(path))
    finally:
        book.close()


def _worksheet_rows(worksheet: Any, path: Path) -> Iterator[tuple[Any, ...]]:
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()  # some writers state a wrong size; read what is there
    try:
        yield from worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    except UserError:
        raise
    except Exception as error:  # a damaged sheet inside a good zip
        log.info("unreadable sheet: %s", type(error).__name__)  # its text may quote a cell
        raise UserError("sheet_not_a_list", path=str(path)) from error


def _sheet_xml(archive: zipfile.ZipFile, worksheet: Any) -> bytes:
    name = str(getattr(worksheet, "_worksheet_path", "")).lstrip("/")
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    if info.file_size > 8 * MAX_BYTES:  # a zip bomb: the reader stops it by rows; this skips it
        return b""
    return archive.read(info)


def _merges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """Merged ranges as (first row, first column, last row, last column), 1-based."""
    from openpyxl.utils import column_index_from_string as column

    return [
        (int(r1), column(c1.decode()), int(r2), column(c2.decode()))
        for c1, r1, c2, r2 in _MERGE.findall(xml)
    ]


def _formula_note(xml: bytes) -> tuple[str, ...]:
    count = len(_UNSAVED_FORMULA.findall(xml))
    if not count:
        return ()
    return (
        tr(
            "{count} cells hold a formula with no saved result and were read as empty: open the "
            "file in Excel or LibreOffice, save it, and check it again.",
            count=formats.number(count),
        ),
    )


def _filled(
    rows: Iterable[tuple[Any, ...]], merges: list[tuple[int, int, int, int]]
) -> Iterator[tuple[Any, ...]]:
    """The rows with each merged range's value in every cell it covers (a desa or a volunteer
    merged over their people's rows means each of them). Only ranges of a few columns: a title
    merged across the page is not a value of its columns."""
    if not merges:
        yield from rows
        return
    starts: dict[tuple[int, int], tuple[int, int, int]] = {
        (r1, c1): (r2, c1, c2) for r1, c1, r2, c2 in merges if r2 > r1
    }
    active: list[tuple[int, int, int, Any]] = []  # (last row, first column, last column, value)
    for number, values in enumerate(rows, start=1):
        cells = list(values)
        active = [a for a in active if a[0] >= number]
        for _last, first_col, last_col, value in active:
            for column in range(first_col, last_col + 1):
                _put(cells, column, value)
        for column in range(1, len(cells) + 1):
            start = starts.get((number, column))
            if start is not None:
                last, first_col, last_col = start
                value = cells[column - 1]
                for covered in range(first_col, last_col + 1):
                    _put(cells, covered, value)
                active.append((last, first_col, last_col, value))
        yield tuple(cells)


def _put(cells: list[Any], column: int, value: Any) -> None:
    while len(cells) < column:
        cells.append(None)
    cells[column - 1] = value


# --- CSV -----------------------------------------------------------------------------------------


def _csv_sheet(data: bytes, path: Path) -> Sheet:
    text, notes = _decode(data)
    # Split by the csv module only: str.splitlines() would also break a row at a vertical tab,
    # a form feed or U+2028 inside a cell, and every later row number would be wrong.
    delimiter = _delimiter(text.split("\n", 50)[:50])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = _read_table(reader, path, path.stem)
    except csv.Error as error:
        raise UserError("sheet_not_a_list", path=str(path)) from error
    if table is None:
        raise UserError("sheet_no_rows", path=str(path))
    return Sheet(table.name, table.headers, table.header_row, table.rows, notes, "csv")


def _decode(data: bytes) -> tuple[str, tuple[str, ...]]:
    """The text of a CSV: UTF-16 by its mark, UTF-8 (with or without a mark), else line by line
    UTF-8 or Windows-1252 — the code page Excel writes in Indonesia — said in a note."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), ()
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        pass
    lines: list[str] = []
    other: list[int] = []
    for number, raw in enumerate(data.removeprefix(codecs.BOM_UTF8).splitlines(), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("cp1252", errors="replace"))
            other.append(number)
    if len(other) == len(lines):
        return "\n".join(lines), ()  # the whole file in the Windows code page: nothing to say
    shown = ", ".join(str(n) for n in other[:10]) + (" …" if len(other) > 10 else "")
    note = tr(
        "{count} lines were not UTF-8 and were read as Windows text (lines {lines}): check "
        "their names.",
        count=formats.number(len(other)),
        lines=shown,
    )
    return "\n".join(lines), (note,)


def _delimiter(lines: Sequence[str]) -> str:
    """The separator used the same number of times on most of the first lines."""
    best, best_score = ",", -1
    for candidate in (";", ",", "\t", "|"):
        counts = [line.count(candidate) for line in lines if line.strip()]
        if not counts or max(counts) == 0:
            continue
        common = max(set(counts), key=counts.count)
        score = counts.count(common) * 100 + common if common else 0
        if score > best_score:
            best, best_score = candidate, score
    return best


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    name: str
    headers: tuple[str, ...]
    header_row: int
    rows: tuple[SheetRow, ...]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_table(rows: Iterable[Sequence[Any]], path: Path, name: str) -> _Table | None:
    """Header and non-blank rows; None when there are no rows under a header."""
    from rumah_perisai.services.sheet_import.columns import header_field

    header: tuple[Any, ...] | None = None
    header_row = 0
    first_filled: tuple[int, tuple[Any, ...]] | None = None
    kept: list[SheetRow] = []
    pending: list[tuple[int, tuple[Any, ...]]] = []  # rows seen before the header was sure
    for number, values in enumerate(rows, start=1):
        cells = tuple(values)[:MAX_COLUMNS]
        # A blank formatted row (a sheet's tail of styled empty rows: 100,000 of them) is all
        # None; counted in C before each cell is looked at.
        if cells.count(None) == len(cells) or all(_blank(v) for v in cells):
            continue
        if header is None:
            known = sum(1 for v in cells if isinstance(v, str) and header_field(v) is not None)
            if known >= 2:
                header, header_row, pending = cells, number, []
                continue
            if first_filled is None:
                first_filled = (number, cells)
            if number <= HEADER_SEARCH_ROWS:
                pending.append((number, cells))
                continue
            header_row, header = first_filled  # no row named the columns: the first one does
            if _looks_like_data(header):
                header_row, header = header_row - 1, ()
            kept.extend(SheetRow(n, c) for n, c in pending if n > header_row)
            pending = []
        kept.append(SheetRow(number, cells))
        if len(kept) > MAX_ROWS:
            raise UserError("sheet_too_many_rows", path=str(path), limit=f"{MAX_ROWS:,}")
    if header is None:
        if first_filled is None:
            return None
        header_row, header = first_filled
        if _looks_like_data(header):  # a list with no header row: its first person is a row
            header_row, header = header_row - 1, ()
        kept = [SheetRow(n, c) for n, c in pending if n > header_row]
    if not kept:
        return None
    width = max(
        [_width(header)] + [_width(row.cells) for row in kept],
    )
    headers = tuple(
        _header_text(header[i]) if i < len(header) else "" for i in range(width)
    )  # a list with no header row: empty headers, its columns named by their letters
    rows_out = tuple(
        SheetRow(row.number, tuple(row.cells[:width]) + (None,) * (width - len(row.cells)))
        for row in kept
    )
    return _Table(name, headers, header_row, rows_out)


def _looks_like_data(cells: Sequence[Any]) -> bool:
    """A row that holds a person rather than names of columns: a NIK-like number or a date."""
    for value in cells:
        if isinstance(value, date | datetime):
            return True
        digits = "".join(str(value).split())
        if not isinstance(value, bool) and re.fullmatch(r"[0-9]{15,16}", digits):
            return True
    return False


def _width(cells: Sequence[Any]) -> int:
    for index in range(len(cells) - 1, -1, -1):
        if not _blank(cells[index]):
            return index + 1
    return 0


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())
