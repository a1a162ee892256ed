"""Reading the files posts really have (issue 20, "Bad input"): each hostile file gets one clear
line, never a crash; what Excel and people do to a list (title rows, merged cells, formulas,
blank formatted rows, mixed encodings) is read as a person reading the sheet would."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from rumah_perisai.errors import UserError
from rumah_perisai.i18n import set_language
from rumah_perisai.services.sheet_import import guess_mapping, read_sheet

HEADERS = ["NIK", "Nama", "Tgl Lahir", "L/P", "Desa", "Petugas"]
ROWS = [
    ["3209141203800001", "Budi", "12-03-1980", "L", "Suranenggala Kulon", "Asep"],
    ["3209145107850002", "Siti", "11-07-1985", "P", "Suranenggala Kulon", "Asep"],
]


def xlsx(path: Path, rows: list[list[object]], *, title: str = "Sheet") -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for values in rows:
        sheet.append(values)
    book.save(path)
    return path


def refusal(path: Path) -> str:
    with pytest.raises(UserError) as caught:
        read_sheet(path)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


@pytest.fixture(autouse=True)
def _indonesian() -> None:
    set_language("id")


def test_files_that_are_no_list_get_one_line_each(tmp_path: Path) -> None:
    empty = tmp_path / "kosong.xlsx"
    empty.write_bytes(b"")
    assert "kosong" in refusal(empty)
    headers = xlsx(tmp_path / "judul.xlsx", [HEADERS])
    assert "tidak berisi baris peserta" in refusal(headers)
    pdf = tmp_path / "scan.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 10)
    assert "bukan berkas spreadsheet" in refusal(pdf)
    other_zip = tmp_path / "arsip.xlsx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("foto.jpg", b"\xff\xd8" + b"x" * 100)
    assert "bukan berkas spreadsheet" in refusal(other_zip)
    ods = tmp_path / "daftar.ods"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert ".ods" in refusal(ods)
    broken = tmp_path / "rusak.xlsx"
    data = xlsx(tmp_path / "utuh.xlsx", [HEADERS, *ROWS]).read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    assert "bukan berkas spreadsheet" in refusal(broken)


def test_a_password_protected_workbook_and_an_old_xls_say_what_to_do(tmp_path: Path) -> None:
    # Both are OLE compound files: an encrypted workbook holds an "EncryptionInfo" stream.
    cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    locked = tmp_path / "terkunci.xlsx"
    locked.write_bytes(cfb + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 4096)
    assert "kata sandi" in refusal(locked)
    old = tmp_path / "lama.xls"
    old.write_bytes(cfb + "Workbook".encode("utf-16-le") + b"\x00" * 4096)
    assert ".xls" in refusal(old) and "kata sandi" not in refusal(old)


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "besar.csv"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: made at once, never read
    message = refusal(huge)
    assert "50 MB" in message and "Pecah" in message


def test_title_rows_merged_cells_and_a_chosen_sheet(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Catatan"
    book.active.append(["bukan daftar"])
    sheet = book.create_sheet("Asep")
    sheet.append(["DAFTAR PESERTA BPU DESA SURANENGGALA KULON"])
    sheet.merge_cells("A1:F1")  # a title across the page
    sheet.append([])
    sheet.append(HEADERS)
    sheet.append(ROWS[0])
    sheet.append([*ROWS[1][:4], None, None])
    sheet.merge_cells("E4:E5")  # the desa written once for both people
    sheet.merge_cells("F4:F5")  # and the volunteer
    path = tmp_path / "per-relawan.xlsx"
    book.save(path)
    read = read_sheet(path, "asep")
    assert (read.names, read.others) == (("Catatan", "Asep"), ("Catatan",))
    assert (read.name, read.header_row, list(read.headers)) == ("Asep", 3, HEADERS)
    assert [row.number for row in read.rows] == [4, 5]
    assert read.rows[1].cells[4:] == ("Suranenggala Kulon", "Asep")
    assert guess_mapping(read).missing() == []
    with pytest.raises(UserError, match="Catatan, Asep"):
        read_sheet(path, "Dedeh")


def test_formulas_without_a_saved_result_are_said_once(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "rumus.xlsx", [HEADERS, [*ROWS[0][:1], '=PROPER("budi")', *ROWS[0][2:]]])
    read = read_sheet(path)
    assert read.rows[0].cells[1] is None  # never the formula's text as a name
    assert len(read.notes) == 1 and "1 sel berisi rumus" in read.notes[0]


def test_a_hundred_thousand_blank_formatted_rows_at_the_end_are_skipped(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "format.xlsx", [HEADERS, *ROWS])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    name = "xl/worksheets/sheet1.xml"
    blank = "".join(f'<row r="{n}"><c r="A{n}" s="0"/><c r="B{n}" s="0"/></row>'
                    for n in range(4, 100_004))  # fmt: skip
    parts[name] = re.sub(rb"</sheetData>", blank.encode() + b"</sheetData>", parts[name])
    parts[name] = re.sub(
        rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:F100003"/>', parts[name]
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    path.write_bytes(out.getvalue())
    read = read_sheet(path)
    assert [row.number for row in read.rows] == [2, 3]


def test_csv_files_in_any_separator_and_the_code_pages_excel_writes(tmp_path: Path) -> None:
    lines = [";".join(HEADERS)] + [";".join(row) for row in ROWS]
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(("\ufeff" + "\r\n".join(lines)).encode("utf-8"))
    assert [r.cells[1] for r in read_sheet(utf8).rows] == ["Budi", "Siti"]
    windows = tmp_path / "windows.csv"
    windows.write_bytes(
        "\r\n".join(lines).replace("Siti", "Sïti").replace(";", ",").encode("cp1252")
    )
    assert [r.cells[1] for r in read_sheet(windows).rows] == ["Budi", "Sïti"]
    mixed = tmp_path / "campur.csv"
    mixed.write_bytes(
        "\n".join(lines).encode("utf-8").replace(b"Siti", "Sïti".encode("cp1252"))
    )  # one line pasted from another computer
    read = read_sheet(mixed)
    assert read.rows[1].cells[1] == "Sïti"
    assert len(read.notes) == 1 and "baris 3" in read.notes[0]
    utf16 = tmp_path / "unicode.csv"
    utf16.write_bytes("\r\n".join(lines).replace(";", "\t").encode("utf-16"))
    assert read_sheet(utf16).rows[0].cells[2] == "12-03-1980"


def test_too_many_rows_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "banyak.csv"
    body = "\n".join(f"32091412038{n:05d};Orang {n};12-03-1980;L;Desa" for n in range(50_001))
    path.write_text(";".join(HEADERS[:5]) + "\n" + body, encoding="utf-8")
    assert "50,000" in refusal(path) or "50.000" in refusal(path)


def test_dates_kept_as_dates_stay_dates(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "tgl.xlsx", [HEADERS, [*ROWS[0][:2], date(1980, 3, 12), *ROWS[0][3:]]])
    cell = read_sheet(path).rows[0].cells[2]
    assert cell.date() == date(1980, 3, 12)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("protected.xlsx", "kata sandi"),  # really encrypted (msoffcrypto-tool; see the README)
        ("legacy.xls", "Excel lama"),  # written by xlwt
        ("pdf-renamed.xlsx", "bukan berkas spreadsheet"),
        ("zip-not-workbook.xlsx", "bukan berkas spreadsheet"),
    ],
)
def test_the_real_files_a_post_may_pick_each_get_their_line(name: str, expected: str) -> None:
    path = Path(__file__).parents[1] / "data" / "sheets" / name
    assert expected in refusal(path)


def test_a_folder_a_device_or_a_pipe_named_as_the_list_is_refused_unread(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "daftar.xlsx"
    folder.mkdir()
    named = [folder]
    if hasattr(os, "mkfifo"):  # a pipe would be read forever
        os.mkfifo(tmp_path / "pipa.csv")
        named.append(tmp_path / "pipa.csv")
    if Path("/dev/zero").exists():  # and so would this device
        named.append(Path("/dev/zero"))
    for path in named:
        assert "bukan berkas" in refusal(path)
