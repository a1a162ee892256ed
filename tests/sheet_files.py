"""Spreadsheets for the import tests (issue 20), written on the fly into a test's folder.

No pytest here: tests, ``bench/make_sheets.py`` and ``python tests/sheet_files.py DIR`` (which
remakes the committed files of ``tests/data/sheets/``) all use it.

Rows are dicts keyed by the import's field names (``nik``, ``name``, ``birth_date``, ``sex``,
``desa``, ``phone`` ...; see ``FIELDS`` in ``services.sheet_import``) plus ``no`` for a row number.
A file's columns are ``(header, key)`` pairs, e.g. :data:`POST_COLUMNS`, the headers a post
writes. Values are written as they are (a string stays text, an int a number, ``None`` an empty
cell) except dates, written as ``dates_as`` says, and NIKs, as ``nik_as`` says, because those two
are what Excel mangles.

Every hostile writer returns what the import is expected to make of it where that is more than
"one clear line", so a test asserts outcomes, not this module's guesses.
"""

from __future__ import annotations

import csv
import io
import random
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from rumah_perisai import areas
from rumah_perisai.resources import resource_path

Row = dict[str, Any]
Columns = Sequence[tuple[str, str]]
NikAs = Literal["text", "number", "scientific", "spaced"]
DatesAs = Literal["date", "text", "serial", "mixed"]

# The headers of an old post list as posts write them (issue 20), and the key each one holds.
POST_COLUMNS: Columns = (
    ("No", "no"),
    ("NIK", "nik"),
    ("Nama Lengkap", "name"),
    ("Tempat Lahir", "birth_place"),
    ("Tgl Lahir", "birth_date"),
    ("L/P", "sex"),
    ("Alamat", "street"),
    ("RT", "rt"),
    ("RW", "rw"),
    ("Desa", "desa"),
    ("No HP", "phone"),
    ("Pekerjaan", "occupation"),
    ("Petugas", "volunteer"),
    ("Tgl Daftar", "registered_on"),
)
# The same list as an English-speaking export would head it, in another order.
ENGLISH_COLUMNS: Columns = (
    ("Full name", "name"),
    ("ID number", "nik"),
    ("Date of birth", "birth_date"),
    ("Sex", "sex"),
    ("Village", "desa"),
    ("Phone", "phone"),
    ("Place of birth", "birth_place"),
    ("Address", "street"),
    ("Occupation", "occupation"),
)
# Only what the import requires (NIK, name, birth date, sex, desa).
REQUIRED_COLUMNS: Columns = (
    ("NIK", "nik"),
    ("Nama", "name"),
    ("Tanggal Lahir", "birth_date"),
    ("Jenis Kelamin", "sex"),
    ("Desa", "desa"),
)

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 in its 1900 date system (after its 1900 bug)
_TEXT_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d")
_DEMO_VOLUNTEERS = ("Asep Saepudin", "Dedeh Kurniasih", "Carsim", "Neneng Hasanah", "Warsih")
_OCCUPATIONS = {
    "L": ("Petani", "Buruh tani", "Nelayan", "Pedagang", "Pengemudi ojek", "Tukang bangunan"),
    "P": ("Pedagang", "Buruh tani", "Pemilik warung", "Penjahit", "Pengrajin batik", "Petani"),
}
_PHONE_PREFIXES = ("0812", "0813", "0821", "0852", "0857", "0878", "0895", "0838")


# -- good rows ---------------------------------------------------------------------------------


def _lines(file_name: str) -> list[str]:
    with resource_path("demo", file_name).open(encoding="utf-8") as handle:
        stripped = (line.strip() for line in handle)
        return [line for line in stripped if line and not line.startswith("#")]


@cache
def _names() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Given names and second names by sex, from the demo's lists (made-up people); a second
    name marked `` L`` or `` P`` there fits only men or only women."""
    second: dict[str, list[str]] = {"L": [], "P": []}
    for line in _lines("family_names.txt"):
        name, _, sex = line.partition(" ")
        for key in [sex] if sex else ["L", "P"]:
            second[key].append(name)
    return {
        "L": (tuple(_lines("given_names_male.txt")), tuple(second["L"])),
        "P": (tuple(_lines("given_names_female.txt")), tuple(second["P"])),
    }


@cache
def unique_desa(kabupaten_code: str) -> tuple[areas.Area, ...]:
    """The kabupaten's desa whose name no other desa of the kabupaten has: a row naming one of
    them can only mean that one (the post lists rarely have a kecamatan column)."""
    villages = [
        a
        for a in areas.province_villages(kabupaten_code[:2]).values()
        if a.code.startswith(kabupaten_code + ".")
    ]
    counts: dict[str, int] = {}
    for village in villages:
        counts[village.name.casefold()] = counts.get(village.name.casefold(), 0) + 1
    return tuple(
        sorted((v for v in villages if counts[v.name.casefold()] == 1), key=lambda a: a.code)
    )


def make_nik(district_code: str, birth_date: date, sex: str, serial: int) -> str:
    """A NIK that ``validate_nik`` accepts for this birth date and sex (day + 40 for women)."""
    day = birth_date.day + (40 if sex == "P" else 0)
    return (
        district_code.replace(".", "")
        + f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
    )


def make_phone(rng: random.Random) -> str:
    return rng.choice(_PHONE_PREFIXES) + "".join(rng.choices("0123456789", k=rng.choice((7, 8))))


def good_rows(
    post_kabupaten_code: str,
    n: int,
    seed: int = 1,
    *,
    today: date | None = None,
    first_serial: int = 7001,
) -> list[Row]:
    """``n`` rows that the import registers: a valid NIK agreeing with the birth date and sex,
    aged 18-60 on ``today``, a desa of the kabupaten (by a name no other desa there has), a
    mobile phone as ``08...``, a registration date in the two years before ``today``.

    Birth dates differ from row to row (so no two rows are one person by name and birth date);
    NIK serials run from ``first_serial`` (1-9999) to 9999, far above the demo's, so they do not
    meet a demo NIK of the same day by chance. ``n`` at most about 15,000 (distinct birth dates).
    """
    rng = random.Random(seed)
    today = today or date.today()
    desa = unique_desa(post_kabupaten_code)
    youngest = _years_before(today, 18) - timedelta(days=1)
    span = (youngest - _years_before(today, 60)).days  # so everyone is 18 to 60 today
    offsets = rng.sample(range(span), n)
    # Four digits, never 0000; birth dates differ, so NIKs differ whatever the serial.
    serials = [first_serial + index % (10_000 - first_serial) for index in range(n)]
    rows = []
    for index, offset in enumerate(offsets):
        sex = rng.choice("LP")
        birth_date = youngest - timedelta(days=offset)
        village = rng.choice(desa)
        given, second = _names()[sex]
        name = rng.choice(given) + (" " + rng.choice(second) if rng.random() < 0.8 else "")
        rows.append(
            {
                "no": index + 1,
                "nik": make_nik(village.parent_code, birth_date, sex, serials[index]),
                "name": name,
                "birth_place": rng.choice(("Cirebon", "Indramayu", "Kuningan", "Majalengka")),
                "birth_date": birth_date,
                "sex": sex,
                "street": f"Blok {rng.choice(('Pesisir', 'Kulon', 'Wetan', 'Tengah'))}",
                "rt": f"{rng.randint(1, 12):03d}",
                "rw": f"{rng.randint(1, 6):03d}",
                "desa": village.name,
                "desa_code": village.code,
                "kecamatan": areas.area(village.parent_code).name,  # type: ignore[union-attr]
                "phone": make_phone(rng),
                "occupation": rng.choice(_OCCUPATIONS[sex]),
                "volunteer": rng.choice(_DEMO_VOLUNTEERS),
                "registered_on": today - timedelta(days=rng.randint(1, 730)),
            }
        )
    return rows


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# -- how Excel writes values -------------------------------------------------------------------


def excel_serial(day: date) -> int:
    """The number Excel stores for a date (days since 30 Dec 1899)."""
    return (day - EXCEL_EPOCH).days


def excel_rounded_nik(nik: str) -> int:
    """The number Excel keeps when a NIK is typed into a General cell: 15 significant digits,
    so the 16th becomes 0 and is lost for good."""
    return int(nik[:15] + "0")


def excel_scientific_nik(nik: str) -> str:
    """A NIK as Excel shows it in a General cell, and as it ends up in a CSV saved from there
    or pasted as text: ``3.20915E+15``."""
    return f"{int(nik):.5E}".replace("E+0", "E+")


def _nik_value(nik: Any, nik_as: NikAs) -> Any:
    if not (isinstance(nik, str) and len(nik) == 16 and nik.isdigit()):
        return nik
    if nik_as == "number":
        return excel_rounded_nik(nik)
    if nik_as == "scientific":
        return excel_scientific_nik(nik)
    if nik_as == "spaced":
        return " ".join((nik[:4], nik[4:8], nik[8:12], nik[12:]))
    return nik


def date_value(day: date, dates_as: DatesAs, index: int = 0) -> Any:
    """A date as a cell holds it; ``mixed`` cycles through date cell, text in three orders and
    serial number, by ``index``."""
    if dates_as == "mixed":
        kinds: tuple[DatesAs, ...] = ("date", "text", "serial")
        kind = kinds[index % 3]
        if kind == "text":
            return day.strftime(_TEXT_DATE_FORMATS[(index // 3) % len(_TEXT_DATE_FORMATS)])
        return date_value(day, kind)
    if dates_as == "text":
        return day.strftime("%d/%m/%Y")
    if dates_as == "serial":
        return excel_serial(day)
    return datetime(day.year, day.month, day.day)  # openpyxl writes a datetime as a date cell


def cell_values(
    columns: Columns, row: Row, index: int, nik_as: NikAs, dates_as: DatesAs
) -> list[Any]:
    values = []
    for _, key in columns:
        value = row.get(key, index + 1 if key == "no" else None)
        if key == "nik":
            value = _nik_value(value, nik_as)
        elif isinstance(value, date):
            value = date_value(value, dates_as, index)
        values.append(value)
    return values


# -- writers -----------------------------------------------------------------------------------


def write_xlsx(
    path: Path,
    columns: Columns,
    rows: Iterable[Row],
    *,
    nik_as: NikAs = "text",
    dates_as: DatesAs = "date",
    sheet_title: str = "Peserta",
    title: str | None = None,
    extra_sheets: Sequence[str] = (),
) -> Path:
    """A workbook with one list: an optional title line above the headers, then one row per
    dict. ``extra_sheets`` adds empty sheets after it (a workbook with a sheet per volunteer)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    if title is not None:
        sheet.append([title])
    sheet.append([header for header, _ in columns])
    for index, row in enumerate(rows):
        sheet.append(cell_values(columns, row, index, nik_as, dates_as))
    _date_format(sheet)
    for name in extra_sheets:
        workbook.create_sheet(name)
    workbook.save(path)
    return path


def _date_format(sheet: Any) -> None:
    """Date cells shown as Indonesians write them (openpyxl's default is yyyy-mm-dd)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "DD/MM/YYYY"


def write_csv(
    path: Path,
    columns: Columns,
    rows: Iterable[Row],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    nik_as: NikAs = "text",
    dates_as: DatesAs = "text",
) -> Path:
    """A CSV as Excel saves one: ``;`` where the decimal comma is the locale's (Indonesia),
    CRLF line ends, dates as text. ``encoding`` ``cp1252`` is Excel's "CSV" on Windows,
    ``utf-8-sig`` its "CSV UTF-8" (with a byte-order mark)."""
    lines = _csv_lines(columns, rows, delimiter, nik_as, dates_as)
    path.write_bytes("".join(lines).encode(encoding))
    return path


def _csv_lines(
    columns: Columns, rows: Iterable[Row], delimiter: str, nik_as: NikAs, dates_as: DatesAs
) -> list[str]:
    if dates_as == "date":
        dates_as = "text"  # a CSV has no date cells
    lines = [_csv_line([header for header, _ in columns], delimiter)]
    for index, row in enumerate(rows):
        values = cell_values(columns, row, index, nik_as, dates_as)
        lines.append(_csv_line(["" if v is None else v for v in values], delimiter))
    return lines


def _csv_line(values: Sequence[Any], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def write_csv_mixed_encoding(
    path: Path, columns: Columns, rows: Sequence[Row], *, cp1252_rows: Iterable[int] = (1, 3)
) -> Path:
    """A CSV mostly in UTF-8 where the lines of ``cp1252_rows`` (0-based data rows) were pasted
    from a Windows file: their bytes are cp1252 (``’`` is 0x92, ``é`` 0xE9), invalid UTF-8.
    Give those rows a name or street with such a character (see :func:`with_accents`)."""
    lines = _csv_lines(columns, rows, ";", "text", "text")
    windows = {index + 1 for index in cp1252_rows}  # line 0 is the header
    data = b"".join(
        line.encode("cp1252" if number in windows else "utf-8") for number, line in enumerate(lines)
    )
    path.write_bytes(data)
    return path


def with_accents(rows: Sequence[Row], indexes: Iterable[int] = (0, 1, 2, 3)) -> list[Row]:
    """Copies of the rows where those at ``indexes`` have a name with the apostrophe Word and
    Excel curl (``Ma’ruf``) and a street with it and an accent (``Café``): characters that
    cp1252 and UTF-8 write as different bytes."""
    changed = [dict(row) for row in rows]
    for index in indexes:
        changed[index]["name"] = changed[index]["name"].split()[0] + " Ma’ruf"
        changed[index]["street"] = "Gg. Haji Ma’mun, dekat Café Sinar"
    return changed


def write_empty_file(path: Path) -> Path:
    """Zero bytes (a download that failed, a file made by "New > Excel worksheet" in Explorer)."""
    path.write_bytes(b"")
    return path


def write_empty_workbook(path: Path) -> Path:
    """A real workbook whose only sheet has no cell at all."""
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    workbook.save(path)
    return path


def write_headers_only(path: Path, columns: Columns = POST_COLUMNS) -> Path:
    return write_xlsx(path, columns, [])


def write_merged(
    path: Path, columns: Columns, rows: Sequence[Row], *, title: str, run: int = 3
) -> list[Row]:
    """A list as offices lay them out: ``title`` merged across all columns above the headers,
    and the desa and the volunteer (``Petugas``) merged down over each block of ``run`` rows
    (the rows of a block take its first row's desa and volunteer). Only the top cell of a merged
    block holds a value; the import must carry it down to the rows below.
    Returns the rows as the import should read them (desa and volunteer on every row)."""
    blocks = []
    for index, row in enumerate(rows):
        first = rows[index - index % run]
        keep = {k: first[k] for k in ("desa", "desa_code", "kecamatan", "volunteer") if k in first}
        blocks.append(dict(row, **keep))
    write_xlsx(path, columns, blocks, title=title)
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = workbook.active
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    keys = [key for _, key in columns]
    for key in ("desa", "volunteer"):
        if key in keys:
            _merge_runs(sheet, keys.index(key) + 1, [r.get(key) for r in blocks], first_row=3)
    workbook.save(path)
    return blocks


def _merge_runs(sheet: Any, column: int, values: Sequence[Any], first_row: int) -> None:
    start = 0
    for end in range(1, len(values) + 1):
        if end == len(values) or values[end] != values[start]:
            if end - start > 1:
                sheet.merge_cells(
                    start_row=first_row + start,
                    start_column=column,
                    end_row=first_row + end - 1,
                    end_column=column,
                )
            start = end


def write_formulas(path: Path, columns: Columns, rows: Sequence[Row], *, cached: bool) -> Path:
    """The row number as ``=ROW()-1`` and the name as ``=PROPER("lower case name")``, as a list
    tidied in Excel. openpyxl saves formulas without their results, like a file written by a
    program that never opened it in Excel: a reader sees no value. With ``cached`` the results
    are written into the file afterwards (``<v>``), as Excel itself saves them."""
    keys = [key for _, key in columns]
    formulas: dict[str, tuple[str, Any]] = {}  # cell -> (formula, its result)
    written = []
    for index, row in enumerate(rows):
        changed = dict(row)
        excel_row = index + 2
        if "no" in keys:
            ref = f"{get_column_letter(keys.index('no') + 1)}{excel_row}"
            formulas[ref] = ("=ROW()-1", excel_row - 1)
            changed["no"] = "=ROW()-1"
        if "name" in keys:
            ref = f"{get_column_letter(keys.index('name') + 1)}{excel_row}"
            formula = f'=PROPER("{row["name"].lower()}")'
            formulas[ref] = (formula, row["name"].title())
            changed["name"] = formula
        written.append(changed)
    write_xlsx(path, columns, written)
    if cached:
        set_cached_values(path, {ref: result for ref, (_, result) in formulas.items()})
    return path


def set_cached_values(path: Path, results: dict[str, Any]) -> None:
    """Write each formula cell's result (``{"B2": "Siti"}``) into the first sheet's XML, where
    openpyxl leaves ``<v />`` empty."""

    def fill(match: re.Match[str]) -> str:
        ref, attributes, formula = match.group(1), match.group(2), match.group(3)
        if ref not in results:
            return match.group(0)
        value = results[ref]
        kind = "" if isinstance(value, int | float) else ' t="str"'
        text = str(value).replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}"{attributes}{kind}><f>{formula}</f><v>{text}</v></c>'

    pattern = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f><v\s*/></c>')
    _rewrite_member(path, "xl/worksheets/sheet1.xml", lambda xml: pattern.sub(fill, xml))


def _rewrite_member(path: Path, member: str, change: Any) -> None:
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts[member] = change(parts[member].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def write_blank_formatted_tail(
    path: Path, columns: Columns, rows: Sequence[Row], *, blank_rows: int = 100_000
) -> Path:
    """The rows, then ``blank_rows`` rows of cells with a border and a fill but no value (a
    column formatted down to row 100,000 "for later"). The sheet's dimension says so too, as
    Excel writes it. Made by writing the XML directly: openpyxl would take a minute."""
    write_xlsx(path, columns, rows)
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = workbook.active
    marker = sheet.cell(len(rows) + 2, 1)
    thin = Side(style="thin")
    marker.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    marker.fill = PatternFill("solid", fgColor="FFF2CC")
    workbook.save(path)
    last_row = len(rows) + 1 + blank_rows
    width = len(columns)

    def add_tail(xml: str) -> str:
        style = re.search(rf'<c r="A{len(rows) + 2}" s="([0-9]+)"', xml)
        assert style is not None, "the marker cell has its style"
        s = style.group(1)
        cells = [get_column_letter(c) for c in range(1, width + 1)]
        tail = "".join(
            f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="{s}"/>' for c in cells) + "</row>"
            for r in range(len(rows) + 3, last_row + 1)
        )
        xml = xml.replace("</sheetData>", tail + "</sheetData>")
        return re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="A1:{cells[-1]}{last_row}"', xml)

    _rewrite_member(path, "xl/worksheets/sheet1.xml", add_tail)
    return path


# -- not spreadsheets --------------------------------------------------------------------------

_MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def write_pdf_named_xlsx(path: Path) -> Path:
    """A PDF (a scanned list "saved as Excel" by renaming it)."""
    path.write_bytes(_MINIMAL_PDF)
    return path


def write_png_named_xlsx(path: Path) -> Path:
    """A 2 x 2 PNG (a photo of the list sent over WhatsApp, renamed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    pixels = zlib.compress(b"\x00\xff\x00\x00\x00\x00\xff\x00" * 2)
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
    return path


def write_random_bytes(path: Path, size: int = 4096, seed: int = 1) -> Path:
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def write_zip_not_workbook(path: Path) -> Path:
    """A ZIP holding a text file and a photo, not a workbook (a folder zipped and renamed)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("daftar peserta.txt", "NIK;Nama\n")
        archive.writestr("foto/ktp.jpg", b"\xff\xd8\xff\xe0" + bytes(64))
    return path


def write_truncated_xlsx(path: Path, columns: Columns, rows: Sequence[Row]) -> Path:
    """A real workbook cut off half way (a copy to a flash disk pulled out too soon)."""
    write_xlsx(path, columns, rows)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


# -- row changes: what Excel and people do to a list -------------------------------------------


def with_duplicate_niks(rows: Sequence[Row], pairs: Iterable[tuple[int, int]]) -> list[Row]:
    """Copies of the rows where row ``b`` takes row ``a``'s NIK for each ``(a, b)``, ``a < b``:
    the import refuses row ``b`` (the second one) and keeps row ``a``."""
    changed = [dict(row) for row in rows]
    for first, second in pairs:
        assert first < second
        changed[second]["nik"] = changed[first]["nik"]
    return changed


def with_mangled_niks(rows: Sequence[Row], indexes: Iterable[int]) -> tuple[list[Row], set[int]]:
    """Copies of the rows where those at ``indexes`` carry a NIK as Excel mangled it, alternately
    the text ``3.20915E+15`` and the number with its 16th digit turned to 0 (written as a
    number cell even when the other NIKs are text). Returns the rows and the mangled indexes:
    each one is refused (the NIK cannot be recovered)."""
    changed = [dict(row) for row in rows]
    mangled = set()
    for turn, index in enumerate(indexes):
        nik = changed[index]["nik"]
        changed[index]["nik"] = (
            excel_scientific_nik(nik) if turn % 2 == 0 else excel_rounded_nik(nik)
        )
        mangled.add(index)
    return changed, mangled


def phone_variants(phone: str) -> list[Any]:
    """One ``08...`` number as lists hold it: ``+62 812-3456-7890``, ``6281234567890``,
    ``0812 3456 7890`` and the number 81234567890 (a numeric cell lost the leading 0).
    Every one is the same mobile number, ``phone``."""
    rest = phone[1:]
    return [
        f"+62 {rest[:3]}-{rest[3:7]}-{rest[7:]}",
        "62" + rest,
        f"{phone[:4]} {phone[4:8]} {phone[8:]}",
        int(rest),
    ]


def with_phone_variants(rows: Sequence[Row]) -> list[Row]:
    """Copies of the rows whose phones cycle through :func:`phone_variants`; each row keeps its
    ``phone_expected`` (the ``08...`` form the import should store)."""
    changed = []
    for index, row in enumerate(rows):
        copy = dict(row)
        copy["phone_expected"] = row["phone"]
        copy["phone"] = phone_variants(row["phone"])[index % 4]
        changed.append(copy)
    return changed


# -- big files ---------------------------------------------------------------------------------


def write_big_xlsx(path: Path, *, megabytes: float = 50, kabupaten_code: str = "32.09") -> int:
    """A valid workbook of about ``megabytes`` MB of good-looking rows, in well under a second per
    10 MB: the sheet XML is written directly and stored uncompressed (valid ZIP, as some
    exporters write it). Returns the number of data rows (about 1,270 per MB).

    The rows repeat 2,000 people with the NIK serial counting up, so NIKs differ; they are not
    meant to be imported, only to show that a file this big gets one clear answer in time."""
    people = good_rows(kabupaten_code, 2000, seed=50)
    header = "".join(_inline(c, 1, h) for c, (h, _) in enumerate(POST_COLUMNS))
    target = int(megabytes * 1_000_000)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in _workbook_parts().items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_START.encode() + f'<row r="1">{header}</row>'.encode())
            written, number = 0, 0
            while written < target:
                number += 1
                line = _big_row(people[number % len(people)], number).encode()
                sheet.write(line)
                written += len(line)
            sheet.write(b"</sheetData></worksheet>")
    return number


def _big_row(person: Row, number: int) -> str:
    row = dict(person, no=number, nik=person["nik"][:12] + f"{number % 9999 + 1:04d}")
    values = cell_values(POST_COLUMNS, row, number, "text", "text")
    cells = "".join(_inline(column, number + 1, value) for column, value in enumerate(values))
    return f'<row r="{number + 1}">{cells}</row>'


def _inline(column: int, row: int, value: Any) -> str:
    ref = f"{get_column_letter(column + 1)}{row}"
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'


def _workbook_parts() -> dict[str, str]:
    office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType='
            '"application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{office}.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_REL}"><sheets><sheet name="Peserta" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
    }


# -- the committed files (tests/data/sheets/) --------------------------------------------------

PASSWORD = "rahasia"  # of tests/data/sheets/protected.xlsx
COMMITTED_TODAY = date(2026, 12, 1)  # fixed, so the committed rows stay of working age


def write_protected_xlsx(path: Path, rows: Sequence[Row], password: str = PASSWORD) -> Path:
    """A real password-protected workbook (agile encryption, Excel 2010+): a CFB container with
    ``EncryptionInfo`` and ``EncryptedPackage`` streams. Needs ``msoffcrypto-tool`` (not a
    project dependency: only to remake the committed file)."""
    from msoffcrypto.format.ooxml import OOXMLFile  # type: ignore[import-not-found]

    plain = path.with_suffix(".plain.xlsx")
    write_xlsx(plain, POST_COLUMNS, rows)
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt(password, target)
    plain.unlink()
    return path


def write_legacy_xls(path: Path, rows: Sequence[Row]) -> Path:
    """An Excel 97-2003 ``.xls`` (BIFF8 in a CFB container with a ``Workbook`` stream, no
    ``EncryptionInfo``). Needs ``xlwt`` (not a project dependency)."""
    import xlwt  # type: ignore[import-not-found]

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Peserta")
    for column, (header, _) in enumerate(POST_COLUMNS):
        sheet.write(0, column, header)
    for index, row in enumerate(rows):
        for column, value in enumerate(cell_values(POST_COLUMNS, row, index, "text", "text")):
            if value is not None:
                sheet.write(index + 1, column, value)
    book.save(str(path))
    return path


def write_committed(folder: Path) -> None:
    """Remake the committed files of ``tests/data/sheets/`` (see its README)."""
    rows = good_rows("32.09", 5, seed=20, today=COMMITTED_TODAY)
    write_protected_xlsx(folder / "protected.xlsx", rows)
    write_legacy_xls(folder / "legacy.xls", rows)
    write_csv_mixed_encoding(folder / "mixed-encoding.csv", POST_COLUMNS, with_accents(rows))
    write_csv(folder / "excel-windows.csv", POST_COLUMNS, with_accents(rows), encoding="cp1252")
    write_pdf_named_xlsx(folder / "pdf-renamed.xlsx")
    write_zip_not_workbook(folder / "zip-not-workbook.xlsx")


if __name__ == "__main__":
    write_committed(Path(sys.argv[1]))
