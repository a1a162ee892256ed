"""The import tests' spreadsheets are what they claim to be (issue 20): a test that feeds the
import a "formula without a cached value" or a "password-protected workbook" proves nothing if
the file is something else. Checked with the program's own rules and with openpyxl."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rumah_perisai import areas
from rumah_perisai.domain.nik import InvalidNik, validate_nik
from rumah_perisai.domain.working_age import age_on
from rumah_perisai.services.registration import normalize_phone
from tests.sheet_files import (
    POST_COLUMNS,
    excel_rounded_nik,
    excel_scientific_nik,
    good_rows,
    phone_variants,
    with_accents,
    with_mangled_niks,
    write_big_xlsx,
    write_blank_formatted_tail,
    write_csv_mixed_encoding,
    write_formulas,
    write_merged,
    write_xlsx,
)

DATA = Path(__file__).parent / "data" / "sheets"
TODAY = date(2026, 12, 7)
CFB = bytes.fromhex("D0CF11E0A1B11AE1")


def test_good_rows_pass_every_rule_a_registration_checks() -> None:
    rows = good_rows("32.09", 300, seed=4, today=TODAY)
    assert len({r["nik"] for r in rows}) == 300
    for row in rows:
        info = validate_nik(row["nik"], row["birth_date"], row["sex"], today=TODAY)
        assert info.regency_code == "32.09"
        assert 18 <= age_on(row["birth_date"], TODAY) <= 60
        assert age_on(row["birth_date"], row["registered_on"]) >= 15
        village = areas.area(row["desa_code"])
        assert village is not None and village.name == row["desa"]
        assert village.code.startswith("32.09.")
        assert normalize_phone(row["phone"]) == row["phone"]


def test_phone_spellings_are_one_number() -> None:
    *texts, number = phone_variants("081234567890")
    assert texts == ["+62 812-3456-7890", "6281234567890", "0812 3456 7890"]
    assert {normalize_phone(t) for t in texts} == {"081234567890"}
    assert number == 81234567890  # the numeric cell lost its leading 0


def test_mangled_niks_are_what_excel_leaves() -> None:
    rows = good_rows("32.09", 2, seed=5, today=TODAY)
    mangled, indexes = with_mangled_niks(rows, [0, 1])
    assert indexes == {0, 1}
    assert mangled[0]["nik"] == excel_scientific_nik(rows[0]["nik"])
    assert mangled[0]["nik"].startswith("3.209") and mangled[0]["nik"].endswith("E+15")
    assert mangled[1]["nik"] == excel_rounded_nik(rows[1]["nik"])
    assert str(mangled[1]["nik"])[:15] == rows[1]["nik"][:15]
    assert str(mangled[1]["nik"]).endswith("0")


def test_dates_and_niks_are_written_as_asked(tmp_path: Path) -> None:
    rows = good_rows("32.09", 6, seed=6, today=TODAY)
    write_xlsx(tmp_path / "a.xlsx", POST_COLUMNS, rows, dates_as="mixed", nik_as="number")
    sheet = load_workbook(tmp_path / "a.xlsx").active
    birth = [sheet.cell(r, 5).value for r in range(2, 8)]
    assert [type(v).__name__ for v in birth[:3]] == ["datetime", "str", "int"]
    assert birth[1] == rows[1]["birth_date"].strftime("%d/%m/%Y")
    assert birth[2] == (rows[2]["birth_date"] - date(1899, 12, 30)).days
    assert sheet.cell(2, 2).value == excel_rounded_nik(rows[0]["nik"])


def test_formulas_have_results_only_when_cached(tmp_path: Path) -> None:
    rows = good_rows("32.09", 3, seed=7, today=TODAY)
    write_formulas(tmp_path / "bare.xlsx", POST_COLUMNS, rows, cached=False)
    write_formulas(tmp_path / "cached.xlsx", POST_COLUMNS, rows, cached=True)
    formulas = load_workbook(tmp_path / "bare.xlsx").active
    assert formulas.cell(2, 3).value.startswith("=PROPER(")
    bare = load_workbook(tmp_path / "bare.xlsx", data_only=True).active
    assert [bare.cell(2, 1).value, bare.cell(2, 3).value] == [None, None]
    cached = load_workbook(tmp_path / "cached.xlsx", data_only=True).active
    assert [cached.cell(4, 1).value, cached.cell(4, 3).value] == [3, rows[2]["name"].title()]


def test_merged_cells_hold_their_value_in_the_top_cell_only(tmp_path: Path) -> None:
    rows = good_rows("32.09", 7, seed=8, today=TODAY)
    expected = write_merged(tmp_path / "m.xlsx", POST_COLUMNS, rows, title="DAFTAR PESERTA")
    sheet = load_workbook(tmp_path / "m.xlsx").active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:N1", "J3:J5", "J6:J8", "M3:M5"} <= merged
    assert sheet.cell(1, 1).value == "DAFTAR PESERTA" and sheet.cell(2, 2).value == "NIK"
    assert [sheet.cell(r, 10).value for r in (3, 4, 5)] == [expected[0]["desa"], None, None]
    assert expected[1]["desa"] == expected[0]["desa"]


def test_blank_formatted_tail_reaches_row_100_000(tmp_path: Path) -> None:
    rows = good_rows("32.09", 5, seed=9, today=TODAY)
    path = write_blank_formatted_tail(tmp_path / "t.xlsx", POST_COLUMNS, rows)
    sheet = load_workbook(path, read_only=True).active
    assert sheet.max_row == 100_006
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="N100006" s="' in xml and "<v>" not in xml.split('r="A8"')[1]


def test_mixed_encoding_csv_is_utf8_with_windows_lines(tmp_path: Path) -> None:
    rows = with_accents(good_rows("32.09", 5, seed=10, today=TODAY))
    data = write_csv_mixed_encoding(tmp_path / "m.csv", POST_COLUMNS, rows).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    lines = data.split(b"\r\n")
    assert "Ma’ruf" in lines[1].decode("utf-8") and b"Ma\x92ruf" in lines[2]


def test_big_workbook_is_a_valid_workbook_of_its_size(tmp_path: Path) -> None:
    rows = write_big_xlsx(tmp_path / "big.xlsx", megabytes=2)
    assert (tmp_path / "big.xlsx").stat().st_size >= 2_000_000
    sheet = load_workbook(tmp_path / "big.xlsx", read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("No", "NIK", "Nama Lengkap") and len(values) == rows + 1


def _stream_names(path: Path) -> bytes:
    """The raw bytes of a CFB file, where its directory holds stream names in UTF-16."""
    data = path.read_bytes()
    assert data[:8] == CFB
    return data


def test_committed_files_are_what_the_readme_says() -> None:
    assert all(p.stat().st_size < 50_000 for p in DATA.iterdir())
    protected = _stream_names(DATA / "protected.xlsx")
    assert "EncryptionInfo".encode("utf-16-le") in protected
    assert "EncryptedPackage".encode("utf-16-le") in protected
    legacy = _stream_names(DATA / "legacy.xls")
    assert "Workbook".encode("utf-16-le") in legacy
    assert "EncryptionInfo".encode("utf-16-le") not in legacy
    assert (DATA / "pdf-renamed.xlsx").read_bytes().startswith(b"%PDF")
    with zipfile.ZipFile(DATA / "zip-not-workbook.xlsx") as archive:
        assert "[Content_Types].xml" not in archive.namelist()
    windows = (DATA / "excel-windows.csv").read_bytes()
    assert "Ma’ruf".encode("cp1252") in windows
    with pytest.raises(UnicodeDecodeError):
        (DATA / "mixed-encoding.csv").read_bytes().decode("utf-8")


def test_committed_rows_are_good_people() -> None:
    text = (DATA / "excel-windows.csv").read_bytes().decode("cp1252").splitlines()
    assert text[0].split(";")[:3] == ["No", "NIK", "Nama Lengkap"]
    for line in text[1:]:
        fields = line.split(";")
        day, month, year = map(int, fields[4].split("/"))
        try:
            validate_nik(fields[1], date(year, month, day), fields[5], today=TODAY)
        except InvalidNik as error:  # pragma: no cover - the message says which row
            raise AssertionError(line) from error
