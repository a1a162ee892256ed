"""The batch and key commands (issue 8) follow the command-line convention: a written file's path
alone on stdout's last line, exit 1 with one line on stderr when refused, nothing changed then."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest

from rumah_perisai.keys.files import (
    BranchKeys,
    branch_key_file,
    create_branch_keys,
    read_post_key_file,
)
from tests.test_cli import INIT, run

COORDINATOR = ("--coordinator", "Dewi Lestari")  # made with PIN 482913 by the fixtures
PIN = "482913\n"
EXPORT = ("batch", "export", *COORDINATOR, "--out")


@pytest.fixture
def branch(tmp_path: Path) -> BranchKeys:
    return create_branch_keys(tmp_path / "branch", "KC-CRB", "BPJS TK Cirebon", demo=False)


@pytest.fixture
def branch_file(tmp_path: Path, branch: BranchKeys) -> Path:
    path = tmp_path / "branch-public-key.json"
    path.write_bytes(branch_key_file(branch.public, branch.signing))
    return path


@pytest.fixture
def post_dir(tmp_path: Path, branch_file: Path) -> Path:
    from rumah_perisai.cli import main

    data_dir = tmp_path / "post"
    err = io.StringIO()
    code = main(
        ["--data-dir", str(data_dir), *INIT, "--branch-key", str(branch_file),
         "--coordinator", "Dewi Lestari"],
        out=io.StringIO(), err=err, stdin=io.StringIO("482913\n"),
    )  # fmt: skip
    assert code == 0, err.getvalue()
    return data_dir


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    path = tmp_path / "stick"
    path.mkdir()
    return path


def _demo_changes(post_dir: Path) -> None:
    """A few records for the batch: a participant registered through the service."""
    from rumah_perisai.app import open_app
    from rumah_perisai.config import DataFolder
    from rumah_perisai.services.registration import RegistrationForm, register
    from rumah_perisai.services.volunteers import Actor

    folder = DataFolder(post_dir)
    with open_app(folder, folder.sqlite_url) as app:
        form = RegistrationForm(
            nik="3209145708900003", name="Siti Rahayu", birth_place="Cirebon",
            birth_date=date(1990, 8, 17), sex="P", street="Jl. Pantura 3", rt="001", rw="002",
            desa_code="32.09.14.2001", phone="081234567890", occupation="Pedagang",
            income=1_000_000, with_jht=False, heir_name="", heir_relation="", consent=True,
        )  # fmt: skip
        register(app.db, form, Actor(label="cli:test"))


def test_init_installs_the_branch_key_and_keys_show_prints_both_fingerprints(
    post_dir: Path, branch: BranchKeys
) -> None:
    code, out, err = run("--data-dir", str(post_dir), "keys", "show", "--json")
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert shown["branch"] == {
        "code": "KC-CRB", "name": "BPJS TK Cirebon", "fingerprint": branch.public.fingerprint,
    }  # fmt: skip
    assert shown["post"]["code"] == "RP3209A"


def test_export_post_key_prints_the_path_alone(post_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "RP3209A-post-key.json"
    code, out, err = run("--data-dir", str(post_dir), "keys", "export-post", "--out", str(target))
    assert code == 0 and out == f"{target}\n"
    key = read_post_key_file(target.read_bytes())
    assert key.code == "RP3209A"
    assert " ".join([key.fingerprint[i : i + 4].upper() for i in range(0, 8, 4)]) in err


def test_batch_export_verify_again_and_list(post_dir: Path, stick: Path, tmp_path: Path) -> None:
    _demo_changes(post_dir)
    code, out, err = run("--data-dir", str(post_dir), *EXPORT, str(stick), stdin=PIN)
    assert code == 0, err
    path = Path(out.splitlines()[-1])
    assert path.parent == stick and path.name.startswith("RP3209A-batch-0001-")
    backups = [p for p in stick.iterdir() if p.name.endswith("-batch.rpbackup")]
    assert sorted(p.name for p in stick.iterdir()) == sorted([path.name, backups[0].name])
    assert out == f"{path}\n"  # the batch's path alone on stdout, as before
    assert "1 pendaftaran" in err and f"Cadangan pos ada di sebelahnya: {backups[0]}" in err

    code, out, err = run("--data-dir", str(post_dir), "batch", "verify", str(path))
    assert (code, err) == (0, "")
    assert "Utuh: batch 1 dari pos RP3209A" in out and "Tercatat di pos ini." in out
    code, out, _err = run("--data-dir", str(post_dir), "batch", "verify", str(path), "--json")
    report = json.loads(out)
    assert report["whole"] and report["manifest"]["summary"]["registrations"] == 1

    code, _out, err = run("--data-dir", str(post_dir), *EXPORT, str(stick), stdin=PIN)
    assert code == 1 and "Tidak ada perubahan sejak batch 1" in err

    lost = tmp_path / "new-stick"
    lost.mkdir()
    args = ("batch", "export", "--again", "1", *COORDINATOR, "--out", str(lost))
    code, out, err = run("--data-dir", str(post_dir), *args, stdin=PIN)
    assert code == 0, err
    assert Path(out.splitlines()[-1]).read_bytes() == path.read_bytes()

    code, out, _err = run("--data-dir", str(post_dir), "batch", "list", "--json")
    (listed,) = json.loads(out)
    assert listed["seq"] == 1 and listed["state"] == "written"
    assert listed["copied_to"] == str(lost)


def test_verify_says_what_the_batch_holds_in_words_and_the_time_at_the_post(
    post_dir: Path, stick: Path
) -> None:
    """Issue 17: no table names (``cover_periods``, ``audit_log``), no change numbers and no
    UTC time in what a person reads; the JSON, an interface, stays as it was."""
    _demo_changes(post_dir)
    code, out, err = run("--data-dir", str(post_dir), *EXPORT, str(stick), stdin=PIN)
    assert code == 0, err
    path = Path(out.splitlines()[-1])
    code, out, err = run("--data-dir", str(post_dir), "batch", "verify", str(path))
    assert (code, err) == (0, "")
    for code_word in ("cover_periods", "audit_log", "receipt_months", "participants:", "Z."):
        assert code_word not in out
    assert "Perubahan" not in out  # change numbers mean nothing to a volunteer
    # The post's own time, as the batches page says it (the command line runs on the real clock).
    assert re.search(r"ditulis \d{1,2} \w{3} \d{4} \d\d\.\d\d WIB\.", out), out
    assert "Isinya 2 catatan: 1 pendaftaran baru, 1 akun relawan baru atau diubah." in out
    assert "  masa perlindungan: 1" in out and "  riwayat perubahan (siapa mengubah apa): " in out
    code, out, _err = run("--data-dir", str(post_dir), "batch", "verify", str(path), "--json")
    manifest = json.loads(out)["manifest"]
    assert manifest["created_at"].endswith("Z") and manifest["changes"]["from"] == 0
    assert {part["name"] for part in manifest["parts"]} >= {"cover_periods", "audit_log"}


def test_a_damaged_file_fails_verify_with_the_reason(post_dir: Path, stick: Path) -> None:
    _demo_changes(post_dir)
    _code, out, _err = run("--data-dir", str(post_dir), *EXPORT, str(stick), stdin=PIN)
    path = Path(out.splitlines()[-1])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    code, out, err = run("--data-dir", str(post_dir), "batch", "verify", str(path))
    assert (code, out) == (1, "") and "tidak lengkap" in err
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    code, out, err = run("--data-dir", str(post_dir), "batch", "verify", str(path))
    assert code == 1 and "tanda tangannya tidak cocok" in err


def test_export_without_a_branch_key_is_refused_and_writes_nothing(
    tmp_path: Path, stick: Path
) -> None:
    data_dir = tmp_path / "bare"
    assert run("--data-dir", str(data_dir), *INIT, *COORDINATOR, stdin=PIN)[0] == 0
    code, out, err = run("--data-dir", str(data_dir), *EXPORT, str(stick), stdin=PIN)
    assert (code, out) == (1, "") and "Kunci cabang belum terpasang" in err
    assert list(stick.iterdir()) == []


def test_replacing_the_branch_key_needs_a_coordinators_pin(
    post_dir: Path, tmp_path: Path, branch: BranchKeys
) -> None:
    from rumah_perisai.cli import main

    other = create_branch_keys(tmp_path / "other", "KC-IDM", "Cabang Indramayu", demo=False)
    other_file = tmp_path / "other.json"
    other_file.write_bytes(branch_key_file(other.public, other.signing))

    code, _out, err = run("--data-dir", str(post_dir), "keys", "set-branch", str(other_file))
    assert code == 1 and "hanya koordinator" in err

    out, err_stream = io.StringIO(), io.StringIO()
    code = main(
        ["--data-dir", str(post_dir), "keys", "set-branch", str(other_file),
         "--coordinator", "Dewi Lestari"],
        out=out, err=err_stream, stdin=io.StringIO("1111\n"),
    )  # fmt: skip
    assert code == 1  # a wrong PIN
    out, err_stream = io.StringIO(), io.StringIO()
    code = main(
        ["--data-dir", str(post_dir), "keys", "set-branch", str(other_file),
         "--coordinator", "Dewi Lestari"],
        out=out, err=err_stream, stdin=io.StringIO("482913\n"),
    )  # fmt: skip
    assert code == 0, err_stream.getvalue()
    assert "menggantikan" in out.getvalue()
    _code, shown, _err = run("--data-dir", str(post_dir), "keys", "show", "--json")
    assert json.loads(shown)["branch"]["fingerprint"] == other.public.fingerprint


def test_a_damaged_branch_key_file_is_refused_at_init_before_anything_is_made(
    tmp_path: Path, branch_file: Path
) -> None:
    branch_file.write_bytes(branch_file.read_bytes().replace(b"KC-CRB", b"KC-XYZ"))
    data_dir = tmp_path / "p"
    code, _out, err = run("--data-dir", str(data_dir), *INIT, "--branch-key", str(branch_file))
    assert code == 1 and "bukan berkas kunci" in err
    assert not (data_dir / "keys").exists()
