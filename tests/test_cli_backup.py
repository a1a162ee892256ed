"""``backup``, ``restore`` and ``branch recover-post`` (issue 16) follow the command-line
convention: paths and codes alone on stdout, one line on stderr when refused, codes read as one
line of stdin when it is not a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rumah_perisai import vault
from rumah_perisai.config import DataFolder
from rumah_perisai.exchange.backupfile import read_header
from rumah_perisai.keys.files import BranchKeys
from tests.test_cli import run
from tests.test_cli_batches import (  # fixtures, used by name
    COORDINATOR,
    PIN,
    branch,
    branch_file,
    post_dir,
    stick,
)

_FIXTURES = (branch, branch_file, post_dir, stick)


@pytest.fixture
def code(post_dir: Path) -> str:
    made = vault.new_recovery_code()
    vault.set_recovery_code(DataFolder(post_dir), made)
    return made


def test_backup_needs_a_coordinator_and_prints_its_path_last(
    post_dir: Path, stick: Path, code: str
) -> None:
    status, out, err = run("--data-dir", str(post_dir), "backup", "--out", str(stick))
    assert status == 1 and out == "" and "koordinator" in err
    assert list(stick.iterdir()) == []
    status, out, err = run(
        "--data-dir", str(post_dir), "backup", *COORDINATOR, "--out", str(stick), stdin=PIN
    )
    assert status == 0, err
    path = Path(out.splitlines()[-1])
    assert path.parent == stick and path.name.endswith("-manual.rpbackup")
    assert read_header(path).post_code == "RP3209A"
    status, out, err = run(
        "--data-dir", str(post_dir), "backup", *COORDINATOR, "--out", str(stick / "gone"),
        stdin=PIN,
    )  # fmt: skip
    assert (status, out) == (1, "") and len(err.splitlines()) == 1


def test_restore_reads_the_code_from_stdin_and_says_what_the_backup_lacks(
    post_dir: Path, stick: Path, tmp_path: Path, code: str
) -> None:
    _status, out, _err = run(
        "--data-dir", str(post_dir), "backup", *COORDINATOR, "--out", str(stick), stdin=PIN
    )
    path = Path(out.splitlines()[-1])
    new = tmp_path / "new-laptop"
    status, out, err = run("--data-dir", str(new), "restore", str(path), stdin="WRONG\n")
    assert status == 1 and out == "" and len(err.splitlines()) == 1
    assert not (new / "rumah-perisai.sqlite3").exists()
    status, out, err = run("--data-dir", str(new), "restore", str(path), stdin=code.lower() + "\n")
    assert status == 0, err
    assert "Pos RP3209A" in out and "Cadangan ini dibuat " in out and " pukul " in out
    status, out, err = run("--data-dir", str(new), "receipts", "verify")
    assert status == 0, err
    status, out, err = run("--data-dir", str(new), "restore", str(path), "--json", stdin=code)
    assert status == 1 and out == "" and len(err.splitlines()) == 1  # not newer: refused


def test_recover_post_prints_the_file_then_the_code_and_restore_gives_a_new_code(
    post_dir: Path, stick: Path, tmp_path: Path, branch: BranchKeys, code: str
) -> None:
    # The branch whose key the post installed (the fixture's keys) gets its data folder:
    branch_dir = tmp_path / "branch-folder"
    (branch_dir / "keys").mkdir(parents=True)
    for name in ("branch-encryption-x25519.pem", "branch-signing-ed25519.pem",
                 "branch-public-key.json"):  # fmt: skip
        (branch_dir / "keys" / name).write_bytes((tmp_path / "branch" / name).read_bytes())
    key_file = tmp_path / "post-key.json"
    run("--data-dir", str(post_dir), "keys", "export-post", "--out", str(key_file))
    status, _out, err = run("--data-dir", str(branch_dir), "branch", "add-post", str(key_file))
    assert status == 0, err
    _status, out, _err = run(
        "--data-dir", str(post_dir), "backup", *COORDINATOR, "--out", str(stick), stdin=PIN
    )
    backup = Path(out.splitlines()[-1])
    out_dir = tmp_path / "for-the-post"
    out_dir.mkdir()
    status, out, err = run(
        "--data-dir", str(branch_dir), "branch", "recover-post", str(backup), "--out", str(out_dir)
    )
    assert status == 0, err
    recovered, one_time = out.splitlines()
    assert Path(recovered).parent == out_dir.resolve()
    vault.normalise_code(one_time)
    new = tmp_path / "new-laptop"
    status, out, err = run(
        "--data-dir", str(new), "restore", recovered, "--json", stdin=one_time + "\n"
    )
    assert status == 0, err
    result = json.loads(out)
    assert result["post_code"] == "RP3209A" and result["new_recovery_code"]
    assert vault.check_recovery_code(DataFolder(new), result["new_recovery_code"])
