"""Updates on the stick (issue 15): the branch signs an installer (``branch sign-update``), the
post checks it against its installed branch key (``update check``) and a coordinator starts it
(``update install``). Real key files, real data folders, a real process started; every refusal
is one line on stderr, exit 1, and leaves nothing changed (no copy, nothing started)."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import sys
import time
from pathlib import Path

import pytest

from rumah_perisai import __version__
from rumah_perisai.cli import main
from rumah_perisai.services.updates import UPDATES_FOLDER, version_key
from tests.test_cli import INIT, run

COORDINATOR, PIN = "Dewi Lestari", "482913"
NEWER = ".".join(str(part + 1) if i == 1 else str(part)
                 for i, part in enumerate(version_key(__version__)))  # fmt: skip


def _branch(folder: Path, code: str) -> Path:
    """A branch data folder made by ``branch init``; returns its public key file."""
    code_, out, err = run("--data-dir", str(folder), "branch", "init", "--code", code,
                          "--name", f"BPJS TK {code}")  # fmt: skip
    assert code_ == 0, err
    return Path(out.strip())


@pytest.fixture(scope="module")
def made_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A branch and a post that knows its key, made once a module by the commands themselves;
    each test gets a copy (two inits from scratch cost a second a test)."""
    root = tmp_path_factory.mktemp("updates")
    _branch(root / "branch", "KC-CRB")
    key_file = root / "branch" / "keys" / "branch-public-key.json"
    err = io.StringIO()
    code = main(
        ["--data-dir", str(root / "post"), *INIT, "--branch-key", str(key_file),
         "--coordinator", COORDINATOR],
        out=io.StringIO(), err=err, stdin=io.StringIO(f"{PIN}\n"),
    )  # fmt: skip
    assert code == 0, err.getvalue()
    return root


@pytest.fixture
def branch_dir(tmp_path: Path, made_once: Path) -> Path:
    shutil.copytree(made_once / "branch", tmp_path / "branch")
    return tmp_path / "branch"


@pytest.fixture
def post_dir(tmp_path: Path, branch_dir: Path, made_once: Path) -> Path:
    shutil.copytree(made_once / "post", tmp_path / "post")
    return tmp_path / "post"


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    path = tmp_path / "stick"
    path.mkdir()
    return path


def _installer(stick: Path, version: str, marker: Path | None = None) -> Path:
    """An "installer": on Linux a small script that records how it was started, so that
    ``update install`` really starts a process here."""
    path = stick / f"RumahPerisai-{version}-setup.exe"
    target = marker or stick / "never-started"
    path.write_text(f'#!/bin/sh\necho "$0 $*" > "{target}"\n', encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _sign(branch_dir: Path, installer: Path) -> Path:
    code, out, err = run("--data-dir", str(branch_dir), "branch", "sign-update", str(installer))
    assert (code, err) == (0, ""), err
    return Path(out.strip())


def _refused(code: int, out: str, err: str, *words: str) -> None:
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word in err, err


def _nothing_changed(post_dir: Path, stick: Path) -> None:
    assert not (post_dir / UPDATES_FOLDER).exists()
    assert not (stick / "never-started").exists()


def test_sign_update_writes_a_signed_json_beside_the_installer_and_prints_its_path(
    branch_dir: Path, stick: Path
) -> None:
    installer = _installer(stick, NEWER)
    signature = _sign(branch_dir, installer)
    assert signature == stick / f"{installer.name}.sig"
    document = json.loads(signature.read_text(encoding="utf-8"))
    assert document["format"] == "rumah-perisai-update"
    assert document["program"] == {"version": NEWER, "platform": "windows-x86_64"}
    assert document["file"]["name"] == installer.name
    assert document["file"]["size"] == installer.stat().st_size
    assert document["branch"]["code"] == "KC-CRB"
    assert len(document["signature"]) == 88  # 64 bytes, base64


def test_update_check_accepts_a_newer_installer_signed_by_the_post_branch(
    branch_dir: Path, post_dir: Path, stick: Path
) -> None:
    installer = _installer(stick, NEWER)
    _sign(branch_dir, installer)
    code, out, err = run("--data-dir", str(post_dir), "update", "check", str(installer))
    assert (code, err) == (0, "")
    assert NEWER in out and "KC-CRB" in out
    _nothing_changed(post_dir, stick)


def test_update_check_refuses_an_installer_without_signature(post_dir: Path, stick: Path) -> None:
    installer = _installer(stick, NEWER)
    code, out, err = run("--data-dir", str(post_dir), "update", "check", str(installer))
    _refused(code, out, err, installer.name)
    _nothing_changed(post_dir, stick)


def test_update_check_refuses_an_installer_altered_after_signing(
    branch_dir: Path, post_dir: Path, stick: Path
) -> None:
    installer = _installer(stick, NEWER)
    _sign(branch_dir, installer)
    data = bytearray(installer.read_bytes())
    data[-2] ^= 0x01  # one bit, same size
    installer.write_bytes(bytes(data))
    code, out, err = run("--data-dir", str(post_dir), "update", "check", str(installer))
    _refused(code, out, err, installer.name)
    _nothing_changed(post_dir, stick)


def test_update_check_refuses_a_signature_whose_version_was_raised(
    branch_dir: Path, post_dir: Path, stick: Path
) -> None:
    installer = _installer(stick, NEWER)
    signature = _sign(branch_dir, installer)
    document = json.loads(signature.read_text(encoding="utf-8"))
    document["program"]["version"] = "99.0.0"
    signature.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = run("--data-dir", str(post_dir), "update", "check", str(installer))
    _refused(code, out, err, installer.name)
    _nothing_changed(post_dir, stick)


def test_update_check_refuses_an_installer_not_newer_than_the_program(
    branch_dir: Path, post_dir: Path, stick: Path
) -> None:
    installer = _installer(stick, __version__)
    _sign(branch_dir, installer)
    code, out, err = run("--data-dir", str(post_dir), "update", "check", str(installer))
    _refused(code, out, err, installer.name, __version__)
    _nothing_changed(post_dir, stick)


def test_update_check_refuses_an_installer_signed_by_another_branch(
    tmp_path: Path, post_dir: Path, stick: Path
) -> None:
    _branch(tmp_path / "other", "KC-BDG")
    installer = _installer(stick, NEWER)
    _sign(tmp_path / "other", installer)
    code, out, err = run("--data-dir", str(post_dir), "update", "check", str(installer))
    _refused(code, out, err, installer.name, "KC-BDG")
    _nothing_changed(post_dir, stick)


def test_update_install_needs_a_coordinator_and_starts_nothing_otherwise(
    branch_dir: Path, post_dir: Path, stick: Path
) -> None:
    installer = _installer(stick, NEWER)
    _sign(branch_dir, installer)
    code, out, err = run("--data-dir", str(post_dir), "update", "install", str(installer))
    _refused(code, out, err)
    out_, err_ = io.StringIO(), io.StringIO()
    code = main(
        ["--data-dir", str(post_dir), "update", "install", str(installer),
         "--coordinator", COORDINATOR],
        out=out_, err=err_, stdin=io.StringIO("000000\n"),
    )  # fmt: skip
    _refused(code, out_.getvalue(), err_.getvalue())
    _nothing_changed(post_dir, stick)


def test_update_install_refuses_an_altered_installer_and_starts_nothing(
    branch_dir: Path, post_dir: Path, stick: Path
) -> None:
    installer = _installer(stick, NEWER)
    _sign(branch_dir, installer)
    installer.write_bytes(installer.read_bytes() + b"# appended\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["--data-dir", str(post_dir), "update", "install", str(installer),
         "--coordinator", COORDINATOR],
        out=out, err=err, stdin=io.StringIO(f"{PIN}\n"),
    )  # fmt: skip
    _refused(code, out.getvalue(), err.getvalue(), installer.name)
    _nothing_changed(post_dir, stick)


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in installer is a shell script")
def test_update_install_copies_the_checked_installer_off_the_stick_and_starts_it_silently(
    branch_dir: Path, post_dir: Path, stick: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "started"
    installer = _installer(stick, NEWER, marker)
    _sign(branch_dir, installer)
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["--data-dir", str(post_dir), "update", "install", str(installer),
         "--coordinator", COORDINATOR],
        out=out, err=err, stdin=io.StringIO(f"{PIN}\n"),
    )  # fmt: skip
    assert (code, err.getvalue()) == (0, "")
    assert NEWER in out.getvalue()
    copy = post_dir / UPDATES_FOLDER / installer.name
    assert copy.read_bytes() == installer.read_bytes()
    # Started, not awaited: on a loaded machine the installer may take a while to write all of
    # its marker (it was seen mid-write once, the whole suite running on two cores).
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
        marker.exists() and len(marker.read_text(encoding="utf-8").split()) == 3
    ):
        time.sleep(0.05)
    # The copy in the data folder runs (the stick may be pulled out), silently, reopening after.
    assert marker.read_text(encoding="utf-8").split() == [str(copy), "/S", "/RUN"]


def test_the_update_beside_an_acknowledgement_is_found_and_a_bad_one_is_said(
    branch_dir: Path, post_dir: Path, stick: Path
) -> None:
    from rumah_perisai.app import open_app
    from rumah_perisai.config import DataFolder
    from rumah_perisai.services.updates import update_beside

    ack = stick / "RP3209A-batch-000001-2026-12-06.ack.json"
    ack.write_text("{}", encoding="utf-8")
    folder = DataFolder(post_dir)
    with open_app(folder, folder.sqlite_url) as app:
        assert update_beside(app.db, ack).update is None
        assert update_beside(app.db, ack).refused is None
        unsigned = _installer(stick, NEWER)
        found = update_beside(app.db, ack)
        assert found.update is None and found.refused is not None
        assert unsigned.name in found.refused
        _sign(branch_dir, unsigned)
        found = update_beside(app.db, ack)
        assert found.update is not None and found.update.version == NEWER
    assert os.listdir(post_dir).count(UPDATES_FOLDER) == 0
