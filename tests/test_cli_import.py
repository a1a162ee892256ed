"""``import participants FILE`` (issue 20): the dry run's JSON, the import a coordinator
confirms, and the one-line refusals — as a script at a post would use them."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from rumah_perisai.cli import main
from rumah_perisai.config import DataFolder
from tests.dbfiles import open_raw
from tests.services.test_sheet_import import nik

COORDINATOR = ["--coordinator", "Euis Komalasari"]
PIN = "1357\n"


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def demo_post(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("import") / "post"
    code, _out, err = run(
        ["--data-dir", str(folder), "demo", "--participants", "20", "--seed", "4"]
    )
    assert code == 0, err
    return folder


@pytest.fixture
def post(demo_post: Path, tmp_path: Path) -> Path:
    """A copy of the demo post for one test (importing changes it)."""
    import shutil

    copy = tmp_path / "post"
    shutil.copytree(demo_post, copy)
    return copy


def sheet(path: Path) -> Path:
    book = Workbook()
    rows = book.active
    rows.append(["NIK", "Nama", "Tgl Lahir", "JK", "Kelurahan", "HP"])
    rows.append([nik(date(1980, 3, 12), "L", 1), "Budi Santoso", "12-03-1980", "L",
                 "Suranenggala Kulon", "0812 3456 7890"])  # fmt: skip
    rows.append([nik(date(1985, 7, 1), "P", 2), "Siti Aminah", "01/07/1985", "P",
                 "Suranenggala Kulon", "12"])  # fmt: skip
    book.save(path)
    return path


def count(post: Path) -> int:
    database = open_raw(DataFolder(post))
    try:
        return int(database.execute("SELECT count(*) FROM participants").fetchone()[0])
    finally:
        database.close()


def test_a_dry_run_prints_every_row_as_json_and_saves_nothing(post: Path, tmp_path: Path) -> None:
    path = sheet(tmp_path / "daftar.xlsx")
    before = count(post)
    argv = ["--data-dir", str(post), "import", "participants", str(path), "--dry-run", "--json"]
    code, out, err = run([*argv, *COORDINATOR], PIN)
    assert code == 0, err
    document = json.loads(out)
    assert document["rows"][0] == {"row": 2, "status": "new", "reason": ""}
    assert document["rows"][1]["row"] == 3 and document["rows"][1]["status"] == "refused"
    assert "Nomor HP" in document["rows"][1]["reason"]
    assert document["summary"] == {
        "new": 1, "update": 0, "possible_duplicate": 0, "refused": 1, "unchanged": 0
    }  # fmt: skip
    assert count(post) == before


def test_an_import_needs_the_consent_confirmed_then_imports_and_says_so(
    post: Path, tmp_path: Path
) -> None:
    path = sheet(tmp_path / "daftar.xlsx")
    argv = ["--data-dir", str(post), "import", "participants", str(path), *COORDINATOR]
    code, out, err = run(argv, PIN)
    assert (code, out) == (1, "") and err.count("\n") == 1 and "persetujuan" in err
    before = count(post)
    result = tmp_path / "hasil.xlsx"
    code, out, err = run([*argv, "--consent-confirmed", "--result", str(result)], PIN)
    assert code == 0, err
    assert "1 didaftarkan" in out and str(result) in out
    assert count(post) == before + 1
    first = list(load_workbook(result).worksheets[0].iter_rows(values_only=True))[1]
    assert first[0] == "ditolak"
    code, out, _err = run([*argv, "--consent-confirmed"], PIN)
    assert code == 0 and "Tidak ada yang diimpor" in out
    assert count(post) == before + 1


def test_a_mapping_file_names_the_columns_a_guess_would_miss(post: Path, tmp_path: Path) -> None:
    book = Workbook()
    rows = book.active
    rows.append(["Kolom 1", "Kolom 2", "Kolom 3", "Kolom 4", "Kolom 5"])
    rows.append([nik(date(1980, 3, 12), "L", 1), "Budi", "12-03-1980", "L", "3209142001"])
    path = tmp_path / "tanpa-judul.xlsx"
    book.save(path)
    mapping = tmp_path / "kolom.json"
    mapping.write_text(json.dumps({"Kolom 2": "name", "C": "birth_date", "Kolom 4": "sex",
                                   "Kolom 5": "desa", "A": "nik"}))  # fmt: skip
    argv = ["--data-dir", str(post), "import", "participants", str(path), "--dry-run", "--json"]
    code, out, err = run([*argv, "--mapping", str(mapping), *COORDINATOR], PIN)
    assert code == 0, err
    assert json.loads(out)["summary"]["new"] == 1
    code, out, err = run([*argv, *COORDINATOR], PIN)  # remembered for the same headers
    assert code == 0 and json.loads(out)["summary"]["new"] == 1, err
    mapping.write_text(json.dumps({"Kolom 9": "name"}))
    code, out, err = run([*argv, "--mapping", str(mapping), *COORDINATOR], PIN)
    assert (code, out) == (1, "") and "Kolom 9" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "kosong"),
        (b"%PDF-1.4 not a list", "bukan berkas spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"), "kata sandi"),
    ],
    ids=["empty", "pdf", "password"],
)
def test_a_file_that_is_no_list_is_one_line_and_changes_nothing(
    post: Path, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "daftar.xlsx"
    path.write_bytes(content)
    before = count(post)
    argv = ["--data-dir", str(post), "import", "participants", str(path), "--consent-confirmed"]
    code, out, err = run([*argv, *COORDINATOR], PIN)
    assert (code, out) == (1, "") and err.count("\n") == 1 and expected in err
    assert count(post) == before


def test_a_result_file_that_cannot_be_written_is_said_before_anything_is_imported(
    post: Path, tmp_path: Path
) -> None:
    path = sheet(tmp_path / "daftar.xlsx")
    before = count(post)
    argv = ["--data-dir", str(post), "import", "participants", str(path), "--consent-confirmed",
            "--result", str(tmp_path / "tidak-ada" / "hasil.xlsx"), *COORDINATOR]  # fmt: skip
    code, out, err = run(argv, PIN)
    assert (code, out) == (1, "") and "tidak-ada" in err and err.count("\n") == 1
    assert count(post) == before


def test_a_folder_named_as_the_result_file_is_refused_before_anything_is_imported(
    post: Path, tmp_path: Path
) -> None:
    path = sheet(tmp_path / "daftar.xlsx")
    (tmp_path / "hasil.xlsx").mkdir()
    before = count(post)
    argv = ["--data-dir", str(post), "import", "participants", str(path), "--consent-confirmed",
            "--result", str(tmp_path / "hasil.xlsx"), *COORDINATOR]  # fmt: skip
    code, out, err = run(argv, PIN)
    assert (code, out) == (1, "") and "bukan berkas" in err and err.count("\n") == 1
    assert count(post) == before
