"""Bringing in a list a post kept before this program (issue 20): the dry run's statuses and
reasons, the all-or-nothing import, importing again, and what the import must never do."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from rumah_perisai.app import App
from rumah_perisai.db.models import AuditEntry, Counter, CoverPeriod, Participant
from rumah_perisai.errors import UserError
from rumah_perisai.printing.import_result import write_result
from rumah_perisai.services.incentives import volunteer_month
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.sheet_import import (
    Checked,
    Mapping,
    RowStatus,
    check,
    guess_mapping,
    import_checked,
    read_sheet,
    remember_mapping,
    remembered_mapping,
)
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import Cancelled

HEADERS = ["No", "NIK", "Nama Lengkap", "Tempat Lahir", "Tgl Lahir", "L/P", "Alamat", "Desa",
           "No HP", "Pekerjaan", "Petugas", "Tgl Daftar"]  # fmt: skip
DESA = "Suranenggala Kulon"  # 32.09.39.2009, in the test post's kabupaten


def nik(born: date, sex: str, serial: int) -> str:
    day = born.day + (40 if sex == "P" else 0)
    return f"320914{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def row(serial: int, name: str, born: date, sex: str = "L", **cells: Any) -> list[Any]:
    values = {
        "No": serial, "NIK": nik(born, sex, serial), "Nama Lengkap": name,
        "Tempat Lahir": "Cirebon", "Tgl Lahir": born.strftime("%d-%m-%Y"), "L/P": sex,
        "Alamat": "Jl. Pantura", "Desa": DESA, "No HP": None, "Pekerjaan": "Nelayan",
        "Petugas": None, "Tgl Daftar": None,
    }  # fmt: skip
    values.update(cells)
    return [values[h] for h in HEADERS]


def workbook(path: Path, rows: list[list[Any]], headers: list[str] = HEADERS) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    book.save(path)
    return path


def checked(app: App, path: Path) -> Checked:
    sheet = read_sheet(path)
    return check(app.db, app.folder, sheet, guess_mapping(sheet))


def statuses(result: Checked) -> dict[int, RowStatus]:
    return {r.row: r.status for r in result.rows}


def reasons(result: Checked) -> dict[int, str]:
    return {r.row: r.reason for r in result.rows}


def participants(app: App) -> list[Participant]:
    with app.db.reading() as session:
        return list(session.scalars(select(Participant).order_by(Participant.id)))


def change_number(app: App) -> int:
    with app.db.reading() as session:
        value = session.scalar(select(Counter.value).where(Counter.name == "change"))
        return int(value or 0)


# --- the dry run ---------------------------------------------------------------------------------


def test_every_kind_of_bad_row_gets_its_reason_and_nothing_is_saved(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    good = date(1980, 3, 12)
    path = workbook(
        tmp_path / "daftar.xlsx",
        [
            row(1, "Budi Santoso", good),  # row 2
            row(2, "Ahmad", date(1990, 1, 1), NIK="3.20915E+15"),  # mangled by Excel
            row(3, "Joko", date(1990, 1, 5), **{"Tgl Lahir": "06-01-1990"}),  # disagrees
            row(4, "Sri", date(1991, 4, 4), "P", **{"L/P": "L"}),  # sex disagrees
            row(5, "Anak", date(2015, 1, 5)),  # under working age
            row(6, "Rudi", date(1991, 2, 3), **{"No HP": "12345"}),  # not a phone
            row(1, "Budi S.", good),  # the NIK of row 2 again
            row(8, "", date(1992, 5, 5)),  # no name
            row(9, "Tono", date(1993, 6, 6), NIK="9909140606930009"),  # unknown province
            row(10, "Wati", date(1994, 7, 7), "P", Desa=None),  # no desa
        ],
    )
    before = change_number(app)
    result = checked(app, path)
    got, why = statuses(result), reasons(result)
    assert got[2] is RowStatus.NEW
    assert all(got[n] is RowStatus.REFUSED for n in range(3, 12)), got
    assert "Excel" in why[3] and "3.20915E+15" in why[3]
    assert "Tanggal lahir di NIK" in why[4]
    assert "Jenis kelamin di NIK" in why[5]
    assert "paling muda" in why[6]
    assert "Nomor HP" in why[7]
    assert "baris 2" in why[8]
    assert why[9].startswith("Nama")
    assert "provinsi" in why[10].casefold()
    assert why[11].startswith("Desa")
    assert result.summary() == {
        "new": 1, "update": 0, "possible_duplicate": 0, "refused": 9, "unchanged": 0
    }  # fmt: skip
    assert participants(app) == [] and change_number(app) == before


def test_dates_phones_and_niks_are_read_as_excel_and_people_write_them(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "campur.xlsx",
        [
            row(1, "Satu", date(1980, 3, 12), **{"Tgl Lahir": datetime(1980, 3, 12),
                                                 "No HP": "+62 812-3456-7890"}),
            row(2, "Dua", date(1981, 4, 13), **{"Tgl Lahir": 29689, "No HP": 81234567891}),
            row(3, "Tiga", date(1982, 5, 14),
                **{"Tgl Lahir": "14 Mei 1982", "No HP": "62812 3456 7892"}),
            # month first (US Excel): the NIK says which
            row(4, "Empat", date(1983, 6, 2), **{"Tgl Lahir": "6/2/1983"}),
            row(5, "Lima", date(1984, 7, 15), NIK=int(nik(date(1984, 7, 15), "L", 5))),
            row(6, "Enam", date(1985, 8, 16), NIK=int(nik(date(1985, 8, 16), "L", 10))),
        ],
    )  # fmt: skip
    result = checked(app, path)
    got, why = statuses(result), reasons(result)
    assert [got[n] for n in range(2, 7)] == [RowStatus.NEW] * 5, why
    assert got[7] is RowStatus.REFUSED and "15" in why[7]  # a 16-digit number ending in 0


# --- the import ----------------------------------------------------------------------------------


def test_an_import_registers_like_the_form_and_never_counts_as_a_volunteers_new_participant(
    app: App, post: PostSummary, coordinator: Actor, volunteer: Actor, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "lama.xlsx",
        [
            row(1, "Budi Santoso", date(1980, 3, 12), Petugas="ujang hidayat",
                **{"Tgl Daftar": "2023-06-01"}),  # before the campaign: no promotion
            row(2, "Siti Aminah", date(1985, 7, 1), "P", **{"Tgl Daftar": "2026-11-02",
                                                            "Tempat Lahir": None}),
            row(3, "Rudi", date(2015, 1, 5)),  # refused
        ],
    )  # fmt: skip
    done = import_checked(
        app.db, app.folder, checked(app, path), coordinator, consent_confirmed=True
    )
    assert (done.registered, done.updated, done.not_imported) == (2, 0, 1)
    assert done.statuses == {"not_yet_covered": 1, "promotion": 1}
    budi, siti = participants(app)
    assert budi.registered_on == date(2023, 6, 1) and budi.promotion_code is None
    assert budi.registered_by_id == volunteer.volunteer_id
    assert budi.registered_at == datetime(2026, 11, 27, 2, 30, tzinfo=budi.registered_at.tzinfo)
    assert siti.registered_by_id == coordinator.volunteer_id  # the list names nobody
    assert siti.birth_place == "tidak diketahui" and siti.promo_until is not None
    assert budi.import_ref == siti.import_ref == done.checked.ref
    with app.db.reading() as session:
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "participants")
        ).all()
        covers = session.scalar(select(func.count()).select_from(CoverPeriod))
    assert {a.entity_key for a in audits} == {budi.registration_no, siti.registration_no}
    assert all("Impor dari spreadsheet" in a.changes_json for a in audits)
    assert covers == 1  # Siti's promotion; no receipt made up for anybody
    # Siti (coordinator's) in November, Budi (the volunteer's) in 2023: neither month counts them.
    for who, month in ((volunteer, date(2023, 6, 1)), (coordinator, date(2026, 11, 1))):
        assert volunteer_month(app.db, who.volunteer_id or 0, month).new_participants == 0


def test_the_same_file_again_changes_nothing_and_a_corrected_one_imports_only_what_was_refused(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    rows = [row(1, "Budi", date(1980, 3, 12)), row(2, "Dedi", date(1981, 1, 1), **{"No HP": "12"})]
    path = workbook(tmp_path / "a.xlsx", rows)
    first = import_checked(
        app.db, app.folder, checked(app, path), coordinator, consent_confirmed=True
    )
    assert first.registered == 1
    before = change_number(app)
    again = import_checked(
        app.db, app.folder, checked(app, path), coordinator, consent_confirmed=True
    )
    assert (again.registered, again.updated) == (0, 0)
    assert "Tidak ada yang diimpor" in again.notes[0]
    assert change_number(app) == before
    rows[1] = row(2, "Dedi", date(1981, 1, 1), **{"No HP": "0812 3456 7890"})
    fixed = import_checked(
        app.db, app.folder, checked(app, workbook(tmp_path / "b.xlsx", rows)), coordinator,
        consent_confirmed=True,
    )  # fmt: skip
    assert statuses(fixed.checked) == {2: RowStatus.UNCHANGED, 3: RowStatus.NEW}
    assert [p.name for p in participants(app)] == ["Budi", "Dedi"]


def test_a_nik_already_here_gets_its_empty_fields_filled_and_nothing_else(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "a.xlsx", [row(1, "Budi Santoso", date(1980, 3, 12))])
    import_checked(app.db, app.folder, checked(app, path), coordinator, consent_confirmed=True)
    later = workbook(
        tmp_path / "b.xlsx",
        [row(1, "Budi Santoso, S.Pd", date(1980, 3, 12), **{"No HP": "081234567890"})],
    )
    result = checked(app, later)
    assert statuses(result) == {2: RowStatus.UPDATE}
    assert "Telepon" in reasons(result)[2] and "Nama" in reasons(result)[2]
    import_checked(app.db, app.folder, result, coordinator, consent_confirmed=True)
    (budi,) = participants(app)
    assert (budi.phone, budi.name) == ("081234567890", "Budi Santoso")


def test_possible_duplicates_wait_for_a_person_and_the_reason_is_kept(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "a.xlsx", [row(1, "Muhammad Yusuf", date(1980, 3, 12))])
    import_checked(app.db, app.folder, checked(app, path), coordinator, consent_confirmed=True)
    twin = workbook(
        tmp_path / "b.xlsx",
        [row(7, "M. Yusuf", date(1980, 3, 12)), row(8, "Moh Yusuf", date(1980, 3, 12))],
    )
    result = checked(app, twin)
    assert statuses(result) == {2: RowStatus.POSSIBLE_DUPLICATE, 3: RowStatus.POSSIBLE_DUPLICATE}
    assert "RP3209A-000001" in reasons(result)[2]
    done = import_checked(
        app.db, app.folder, result, coordinator, consent_confirmed=True,
        duplicates={2: "Orang lain: KTP dilihat"},
    )  # fmt: skip
    assert (done.registered, done.not_imported) == (1, 1)
    assert participants(app)[-1].duplicate_override_reason == "Orang lain: KTP dilihat"


def test_only_a_coordinator_imports_and_only_with_consent_confirmed(
    app: App, post: PostSummary, coordinator: Actor, volunteer: Actor, tmp_path: Path
) -> None:
    result = checked(app, workbook(tmp_path / "a.xlsx", [row(1, "Budi", date(1980, 3, 12))]))
    with pytest.raises(UserError, match="persetujuan"):
        import_checked(app.db, app.folder, result, coordinator, consent_confirmed=False)
    with pytest.raises(UserError):
        import_checked(app.db, app.folder, result, volunteer, consent_confirmed=True)
    assert participants(app) == []


def test_a_cancelled_import_keeps_nothing(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    rows = [row(n, f"Orang {n}", date(1980, 1 + n // 28, 1 + n % 28)) for n in range(1, 301)]
    result = checked(app, workbook(tmp_path / "a.xlsx", rows))

    class StopHalfway:
        def step(self, done: int, total: int, text: str = "") -> None:
            if text == "Mengimpor" and done > total // 2:
                raise Cancelled()

    with pytest.raises(Cancelled):
        import_checked(
            app.db, app.folder, result, coordinator, consent_confirmed=True, progress=StopHalfway()
        )
    assert participants(app) == []


# --- the result file and the mapping -------------------------------------------------------------


def test_the_result_file_lists_refused_rows_first_and_imports_again_once_fixed(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    rows = [row(1, "Budi", date(1980, 3, 12)), row(2, "Dedi", date(1981, 1, 1), **{"No HP": "12"})]
    result = checked(app, workbook(tmp_path / "a.xlsx", rows))
    out = write_result(tmp_path / "hasil.xlsx", result)
    sheet = load_workbook(out).worksheets[0]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0][:3] == ["Status impor", "Alasan", "No"]
    assert table[1][0] == "ditolak" and "Nomor HP" in table[1][1]
    assert table[2][0] == "akan didaftarkan"
    assert table[1][3] == nik(date(1981, 1, 1), "L", 2)  # text, never a rounded number
    sheet.cell(row=2, column=2 + HEADERS.index("No HP") + 1, value="081299990000")
    load_path = tmp_path / "diperbaiki.xlsx"
    sheet.parent.save(load_path)
    again = checked(app, load_path)
    assert sorted(r.status for r in again.rows) == [RowStatus.NEW, RowStatus.NEW]


def test_a_mapping_a_person_confirmed_is_remembered_for_the_same_headers(
    app: App, post: PostSummary, tmp_path: Path
) -> None:
    headers = ["Kolom A", "Nama", "Lahir", "Kelamin", "Kelurahan"]
    path = workbook(tmp_path / "a.xlsx", [["x", "Budi", "12-03-1980", "L", DESA]], headers)
    sheet = read_sheet(path)
    guessed = guess_mapping(sheet)
    assert guessed.missing() == ["nik", "birth_date"]
    chosen = Mapping(("nik", "name", "birth_date", "sex", "desa"))
    remember_mapping(app.folder, sheet, chosen)
    again = read_sheet(
        workbook(tmp_path / "b.xlsx", [["y", "Dedi", "1-1-1981", "L", DESA]], headers)
    )
    assert remembered_mapping(app.folder, again) == chosen
    stored = json.loads((app.folder.root / "import-mappings.json").read_text(encoding="utf-8"))
    assert "Budi" not in json.dumps(stored)  # headers and fields only, never a cell


def test_combined_columns_as_forms_print_them_are_split(
    app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    headers = ["NIK", "Nama", "Tempat, Tgl Lahir", "JK", "RT/RW", "Kecamatan", "Desa"]
    born = date(1980, 3, 12)
    path = workbook(
        tmp_path / "ttl.xlsx",
        [[nik(born, "L", 1), "Budi", "Cirebon, 12-03-1980", "Laki-laki", "001/002",
          "Suranenggala", DESA]],
        headers,
    )  # fmt: skip
    sheet = read_sheet(path)
    assert guess_mapping(sheet).columns == (
        "nik", "name", "ttl", "sex", "rt_rw", "kecamatan", "desa"
    )  # fmt: skip
    import_checked(app.db, app.folder, checked(app, path), coordinator, consent_confirmed=True)
    (budi,) = participants(app)
    assert (budi.birth_place, budi.birth_date, budi.sex) == ("Cirebon", born, "L")
    assert (budi.rt, budi.rw, budi.desa_code) == ("001", "002", "32.09.39.2009")


def test_a_sheet_named_after_a_volunteer_is_theirs_when_the_list_names_nobody(
    app: App, post: PostSummary, coordinator: Actor, volunteer: Actor, tmp_path: Path
) -> None:
    book = Workbook()
    book.active.title = "Ujang Hidayat"  # one sheet per volunteer, as posts kept them
    book.active.append(["NIK", "Nama", "Tgl Lahir", "L/P", "Desa"])
    book.active.append([nik(date(1980, 3, 12), "L", 1), "Budi", "12-03-1980", "L", DESA])
    book.save(tmp_path / "relawan.xlsx")
    result = checked(app, tmp_path / "relawan.xlsx")
    assert any("Ujang Hidayat" in note for note in result.notes)
    import_checked(app.db, app.folder, result, coordinator, consent_confirmed=True)
    (budi,) = participants(app)
    assert budi.registered_by_id == volunteer.volunteer_id


def test_a_file_named_xlsx_that_is_plain_text_is_no_workbook(tmp_path: Path) -> None:
    path = tmp_path / "daftar.xlsx"
    path.write_text("NIK;Nama\n3209141203800001;Budi\n", encoding="utf-8")
    with pytest.raises(UserError, match="bukan berkas spreadsheet"):
        read_sheet(path)


def test_a_29_february_against_a_nik_of_another_year_is_a_reason_not_a_crash(
    app: App, post: PostSummary, tmp_path: Path
) -> None:
    nik_born = date(1985, 3, 1)  # the NIK says 1 March 1985; the list says 29 Feb 1984
    path = workbook(
        tmp_path / "kabisat.xlsx", [row(1, "Budi", nik_born, **{"Tgl Lahir": "29-02-1984"})]
    )
    result = checked(app, path)
    assert statuses(result) == {2: RowStatus.REFUSED}
    assert "Tanggal lahir di NIK" in reasons(result)[2]
