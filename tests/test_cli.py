"""The command-line convention: exit codes, stdout only for machine output, audited changes,
messages in the user's language, and bad input that changes nothing."""

from __future__ import annotations

import getpass
import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from rumah_perisai.app import open_app
from rumah_perisai.cli import main
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import AuditEntry, Post, Setting
from rumah_perisai.keys import post_key_path

INIT = [
    "init",
    "--post-code",
    "rp3209a",
    "--post-name",
    "Rumah Perisai  Suranenggala",
    "--kabupaten",
    "32.09",
    "--wadah",
    "Koperasi Mitra Nelayan",
]


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "post"


def test_init_creates_the_post_and_its_key_and_audits_the_os_login(data_dir: Path) -> None:
    code, out, err = run("--data-dir", str(data_dir), *INIT, "--json")
    assert (code, err) == (0, "")
    summary = json.loads(out)  # stdout holds the JSON alone
    assert summary["code"] == "RP3209A"
    assert summary["name"] == "Rumah Perisai Suranenggala"
    assert summary["kabupaten_name"] == "Kabupaten Cirebon"
    assert summary["timezone"] == "WIB"
    key_file = post_key_path(data_dir / "keys")
    assert key_file.stat().st_mode & 0o777 == 0o600
    folder = DataFolder(data_dir)
    app = open_app(folder, folder.sqlite_url)
    try:
        with app.db.reading() as session:
            entry = session.scalars(select(AuditEntry)).one()
            post = session.scalars(select(Post)).one()
    finally:
        app.close()
    assert entry.actor == f"cli:{getpass.getuser()}"
    assert post.key_fingerprint == summary["key_fingerprint"]


def test_init_refuses_to_overwrite_a_post(data_dir: Path) -> None:
    assert run("--data-dir", str(data_dir), *INIT)[0] == 0
    key_before = post_key_path(data_dir / "keys").read_bytes()
    code, out, err = run(
        "--data-dir", str(data_dir), "init", "--post-code", "OTHER1", "--post-name", "Lain",
        "--kabupaten", "32.09",
    )  # fmt: skip
    assert code == 1
    assert out == ""
    assert err.strip() == (
        "Folder data ini sudah berisi pos RP3209A (Rumah Perisai Suranenggala); tidak ditimpa."
    )
    assert post_key_path(data_dir / "keys").read_bytes() == key_before


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--kabupaten", "32.99"], "Kode kabupaten/kota 32.99 tidak dikenal"),
        (["--kabupaten", "32"], "Kode kabupaten/kota 32 tidak dikenal"),
        (["--post-code", "R P"], "Kode pos Perisai R P tidak valid"),
        (["--post-name", "   "], "Nama pos tidak boleh kosong"),
    ],
)
def test_bad_set_up_input_is_one_line_and_creates_nothing(
    data_dir: Path, argv: list[str], expected: str
) -> None:
    args = dict(zip(INIT[1::2], INIT[2::2], strict=True))
    args.update(dict(zip(argv[::2], argv[1::2], strict=True)))
    flat = [part for pair in args.items() for part in pair]
    code, out, err = run("--data-dir", str(data_dir), "init", *flat)
    assert code == 1
    assert out == ""
    assert err.startswith(expected)
    assert err.count("\n") == 1
    assert not (data_dir / "rumah-perisai.sqlite3").exists()
    assert not (data_dir / "keys").exists()


def test_wrong_usage_is_exit_2_in_indonesian(data_dir: Path) -> None:
    code, out, err = run("--data-dir", str(data_dir), "init", "--post-code", "RP1")
    assert code == 2
    assert out == ""
    assert err.startswith("Perintah salah:")
    assert run("--data-dir", str(data_dir), "no-such-command")[0] == 2


def test_messages_follow_the_language_setting(data_dir: Path) -> None:
    assert run("--data-dir", str(data_dir), "settings", "language", "en")[0] == 0
    assert run("--data-dir", str(data_dir), *INIT)[0] == 0
    code, _, err = run("--data-dir", str(data_dir), *INIT)
    assert code == 1
    assert err.startswith("This data folder already holds post RP3209A")
    assert run("--data-dir", str(data_dir), "settings", "language")[1].strip() == "en"


def test_an_unwritable_data_folder_is_refused_clearly(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, out, err = run("--data-dir", str(blocker / "post"), *INIT)
    assert code == 1
    assert out == ""
    assert err.startswith(f"Folder data {blocker / 'post'} tidak bisa ditulis")


def test_two_programs_starting_at_once_both_find_the_folder_writable(tmp_path: Path) -> None:
    """The window and a command started together once refused each other: both wrote and removed
    the same probe file, and the slower one found it gone ("tidak bisa ditulis")."""
    folder = DataFolder(tmp_path / "post")

    def start_many(_: int) -> None:
        for _ in range(200):
            folder.ensure_writable()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(start_many, range(4)))
    assert sorted(p.name for p in folder.root.iterdir()) == ["logs"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "Alamat database not a url tidak valid"),
        ("oracle+nosuchdriver://x/y", "Alamat database oracle+nosuchdriver://x/y tidak valid"),
        (
            "postgresql+psycopg://nobody:secret@127.0.0.1:1/none",
            "Database postgresql+psycopg://nobody:***@127.0.0.1:1/none tidak bisa dibuka",
        ),
    ],
)
def test_a_wrong_db_url_is_a_clear_message_without_the_password(
    data_dir: Path, url: str, expected: str
) -> None:
    code, out, err = run("--data-dir", str(data_dir), "--db", url, "info")
    assert code == 1
    assert out == ""
    assert err.startswith(expected)
    assert "secret" not in err
    assert "Traceback" not in err


def test_a_clock_earlier_than_the_newest_record_refuses_init(data_dir: Path, clock: Any) -> None:
    folder = DataFolder(data_dir)
    clock.advance(days=400)  # a record made when the clock was right, far ahead of "now"
    app = open_app(folder, folder.sqlite_url, clock=clock)
    with app.db.unit_of_work("volunteer:test") as session:
        session.add(Setting(key="receipt.layout", value_json='"a5"'))
    app.close()
    code, _, err = run("--data-dir", str(data_dir), *INIT)
    assert code == 1
    assert "Jam komputer" in err and "tidak ada yang dicatat" in err
    assert not post_key_path(data_dir / "keys").exists()
    app = open_app(folder, folder.sqlite_url)
    with app.db.reading() as session:
        assert session.scalars(select(Post)).all() == []
    app.close()


def test_nik_command_reports_what_the_nik_encodes(data_dir: Path) -> None:
    code, out, _ = run("--data-dir", str(data_dir), "nik", "3209145203900001", "--json")
    assert code == 0
    info = json.loads(out)
    assert (info["birth_date"], info["sex"]) == ("1990-03-12", "P")
    code, out, err = run("--data-dir", str(data_dir), "nik", "3209141303900000")
    assert (code, out) == (1, "")
    assert "0000" in err


def test_areas_command_finds_a_kabupaten_by_name(data_dir: Path) -> None:
    code, out, _ = run("--data-dir", str(data_dir), "areas", "kabupaten", "cirebon", "--json")
    assert code == 0
    found = {row["code"]: row["name"] for row in json.loads(out)}
    assert found == {"32.09": "Kabupaten Cirebon", "32.74": "Kota Cirebon"}
    code, out, err = run("--data-dir", str(data_dir), "areas", "kabupaten", "zzzz", "--json")
    assert (code, out.strip()) == (0, "[]")
    assert run("--data-dir", str(data_dir), "areas", "kabupaten", "zzzz")[2].startswith(
        "Tidak ada wilayah"
    )
    assert run("--data-dir")[0] == 2  # an option without its value is wrong usage


@pytest.mark.slow
def test_the_installed_command_keeps_logging_off_the_terminal(data_dir: Path) -> None:
    env = {**os.environ, "RUMAH_PERISAI_HOME": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "rumah_perisai", *INIT, "--json"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout)["code"] == "RP3209A"
    assert "command init" in (data_dir / "logs" / "rumah-perisai.log").read_text()
    again = subprocess.run(
        [sys.executable, "-m", "rumah_perisai", "--help"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert again.returncode == 0
    assert "init" in again.stdout


def test_init_with_a_coordinator_reads_the_pin_from_stdin_and_stores_only_a_hash(
    data_dir: Path,
) -> None:
    from rumah_perisai.db.models import Volunteer
    from rumah_perisai.services.volunteers import pin_matches

    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["--data-dir", str(data_dir), *INIT, "--coordinator", "Siti  Aminah"],
        out=out,
        err=err,
        stdin=io.StringIO("482913\n"),
    )
    assert (code, err.getvalue()) == (0, "")
    folder = DataFolder(data_dir)
    app = open_app(folder, folder.sqlite_url)
    try:
        with app.db.reading() as session:
            coordinator = session.scalars(select(Volunteer)).one()
            actions = [(e.entity, e.entity_key) for e in session.scalars(select(AuditEntry))]
    finally:
        app.close()
    assert (coordinator.name, coordinator.login, coordinator.role) == (
        "Siti Aminah",
        "siti aminah",
        "coordinator",
    )
    assert "482913" not in (coordinator.pin_hash or "")
    assert pin_matches(coordinator, "482913") and not pin_matches(coordinator, "482914")
    assert actions == [("posts", "RP3209A"), ("volunteers", "RP3209A-V001")]


@pytest.mark.parametrize(
    ("pin", "expected"),
    [
        ("", "PIN koordinator tidak diberikan"),
        ("1111", "PIN harus 6–8 angka"),
        ("1357", "PIN harus 6–8 angka"),  # issue 16: four digits are no longer a new PIN
        ("234567", "PIN harus 6–8 angka"),
    ],
)
def test_a_missing_or_weak_coordinator_pin_creates_nothing(
    data_dir: Path, pin: str, expected: str
) -> None:
    err = io.StringIO()
    code = main(
        ["--data-dir", str(data_dir), *INIT, "--coordinator", "Siti"],
        out=io.StringIO(),
        err=err,
        stdin=io.StringIO(pin),
    )
    assert code == 1
    assert err.getvalue().startswith(expected)
    assert not (data_dir / "rumah-perisai.sqlite3").exists()


def test_a_bug_is_logged_with_its_traceback_and_reported_in_one_line(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rumah_perisai.cli.post as post_commands

    def broken(args: object, ctx: object) -> int:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(post_commands, "cmd_info", broken)
    code, out, err = run("--data-dir", str(data_dir), "info")
    log_file = data_dir / "logs" / "rumah-perisai.log"
    assert (code, out) == (1, "")
    assert err == f"Terjadi kesalahan program. Rinciannya dicatat di {log_file}.\n"
    assert (
        "Traceback" in log_file.read_text() and "ZeroDivisionError: a bug" in log_file.read_text()
    )
