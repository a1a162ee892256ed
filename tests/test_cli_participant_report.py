"""``participant report REGNO (--out F.pdf | --json) --coordinator NAME`` (issue 19, item 1): a
coordinator's PIN on stdin; the path or the JSON alone on stdout; the report recorded as a look.
Refusals are one line (exit 1, or 2 for wrong usage) and leave nothing written or recorded."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from rumah_perisai.cli import main
from rumah_perisai.config import DataFolder
from tests.dbfiles import open_raw

COORDINATOR = ("Euis Komalasari", "1357")  # every demo post's
VOLUNTEER = ("Asep Saepudin", "2468")
REGNO = "DEMO3209-000001"


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    assert run(["--data-dir", str(root / "post"), "demo", "--participants", "5"])[0] == 0
    return root


@pytest.fixture
def world(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template, tmp_path / "w")
    return tmp_path / "w"


def _report(world: Path, *how: str, who: tuple[str, str] = COORDINATOR, regno: str = REGNO) -> Any:
    argv = ["--data-dir", str(world / "post"), "participant", "report", regno, *how]
    return run([*argv, "--coordinator", who[0]], f"{who[1]}\n")


def _looks(world: Path) -> list[tuple[str, str | None, int]]:
    database = open_raw(DataFolder(world / "post"))
    try:
        return list(
            database.execute(
                "SELECT r.action, r.what, s.participant_id FROM access_records r"
                " JOIN access_subjects s ON s.access_id = r.id ORDER BY r.id"
            ).fetchall()
        )
    finally:
        database.close()


def test_json_alone_on_stdout_with_every_field_and_who_looked(world: Path) -> None:
    code, out, err = _report(world, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["participant"]["registration_no"] == REGNO
    assert data["participant"]["nik"].isdigit() and len(data["participant"]["nik"]) == 16
    assert data["accesses"] == []  # nobody had looked before
    assert _looks(world) == [("report", "report", 1)]
    # The next report shows the first one: who made it and when, in ISO UTC.
    (look,) = json.loads(_report(world, "--json")[1])["accesses"]
    assert look["who"] == "Euis Komalasari" and look["action"] == "report"
    assert look["at"].endswith("Z")


def test_pdf_written_and_its_path_printed(world: Path, qapp: Any) -> None:
    from PySide6.QtPdf import QPdfDocument

    out_file = world / "laporan.pdf"
    code, out, err = _report(world, "--out", str(out_file))
    assert (code, out, err) == (0, f"{out_file}\n", "")
    document = QPdfDocument()
    document.load(str(out_file))
    text = " ".join(document.getAllText(p).text() for p in range(document.pageCount()))
    assert "LAPORAN DATA PRIBADI" in " ".join(text.split())
    assert "Euis Komalasari" in text and REGNO in text
    assert _looks(world) == [("report", "report", 1)]
    assert [p.name for p in world.iterdir() if p.name.startswith(".")] == []  # no partial left


@pytest.mark.parametrize(
    ("how", "who", "regno", "expected"),
    [
        (["--json"], COORDINATOR, "DEMO3209-999999", "Tidak ada peserta DEMO3209-999999 di pos"),
        (["--json"], VOLUNTEER, REGNO, "Hanya koordinator yang boleh melakukan ini."),
        (["--json"], (COORDINATOR[0], "9999"), REGNO, "Nama atau PIN salah."),
        (["--out", "{w}/nowhere/laporan.pdf"], COORDINATOR, REGNO, "Folder {w}/nowhere tidak ada"),
        (["--out", "{w}/post/logs"], COORDINATOR, REGNO, "{w}/post/logs bukan berkas"),
    ],
    ids=["unknown number", "a volunteer", "wrong PIN", "no such folder", "a folder"],
)  # fmt: skip
def test_refused_in_one_line_nothing_written_nothing_recorded(
    world: Path, how: list[str], who: tuple[str, str], regno: str, expected: str
) -> None:
    files = sorted(p for p in world.rglob("*") if "logs" not in p.parts)
    code, out, err = _report(world, *[h.format(w=world) for h in how], who=who, regno=regno)
    assert (code, out) == (1, "")
    assert err.startswith(expected.format(w=world)) and err.count("\n") == 1, err
    assert _looks(world) == []
    after = sorted(p for p in world.rglob("*") if "logs" not in p.parts)
    assert [p for p in after if p not in files and not p.name.endswith(("-wal", "-shm"))] == []


def test_an_existing_file_is_not_overwritten(world: Path) -> None:
    there = world / "laporan.pdf"
    there.write_bytes(b"mine")
    code, _out, err = _report(world, "--out", str(there))
    assert code == 1 and "sudah ada" in err
    assert there.read_bytes() == b"mine" and _looks(world) == []


@pytest.mark.parametrize("how", [[], ["--json", "--out", "x.pdf"]], ids=["neither", "both"])
def test_one_of_out_and_json_is_wrong_usage(world: Path, how: list[str]) -> None:
    code, out, err = _report(world, *how)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert _looks(world) == []


def test_without_coordinator_it_is_refused(world: Path) -> None:
    argv = ["--data-dir", str(world / "post"), "participant", "report", REGNO, "--json"]
    code, out, err = run(argv)
    assert (code, out) == (1, "") and err.startswith("Hanya koordinator")
    assert _looks(world) == []
