"""``--coordinator NAME`` obeys the PIN rules of issue 16 (item 4): the same wait after 5 wrong
PINs as the window, and a PIN made before the rule refused until it is changed in the window."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from rumah_perisai import vault
from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.errors import UserError
from rumah_perisai.services.volunteers import Actor, log_in
from tests.dbfiles import open_raw
from tests.test_cli import INIT, run


def _export(data_dir: Path, name: str, pin: str, stick: Path) -> tuple[int, str, str]:
    return run("--data-dir", str(data_dir), "batch", "export", "--coordinator", name,
               "--out", str(stick), stdin=f"{pin}\n")  # fmt: skip


def test_after_five_wrong_pins_the_command_line_waits_too_in_one_line(tmp_path: Path) -> None:
    data_dir, stick = tmp_path / "post", tmp_path / "stick"
    stick.mkdir()
    assert run("--data-dir", str(data_dir), *INIT, "--coordinator", "Siti Aminah",
               stdin="482913\n")[0] == 0  # fmt: skip
    for _ in range(4):
        assert _export(data_dir, "Siti Aminah", "482914", stick) == (
            1, "", "Nama atau PIN salah.\n"
        )  # fmt: skip
    waiting = "Terlalu banyak PIN salah untuk nama ini. Tunggu 30 detik sebelum mencoba lagi.\n"
    assert _export(data_dir, "Siti Aminah", "482914", stick) == (1, "", waiting)
    code, out, err = _export(data_dir, "siti aminah", "482913", stick)  # right, but too soon
    assert (code, out) == (1, "")
    assert err.startswith("Terlalu banyak PIN salah untuk nama ini. Tunggu ")
    assert err.count("\n") == 1
    database = open_raw(DataFolder(data_dir))
    try:
        rows = database.execute(
            "SELECT actor, entity_key FROM audit_log WHERE entity = 'login_guards'"
        ).fetchall()
    finally:
        database.close()
    assert rows == [(f"cli:{getpass.getuser()}", "pin:RP3209A-V001")] * 5
    assert list(stick.iterdir()) == []


def test_a_coordinator_pin_made_before_the_rule_is_refused_saying_where_to_change_it(
    app: App, coordinator: Actor, tmp_path: Path
) -> None:
    """A command cannot ask for a new PIN: the window does, at the next login."""
    if app.db.engine.dialect.name != "sqlite":
        pytest.skip("the command line opens the data folder's own SQLite file")
    stick = tmp_path / "stick"
    stick.mkdir()
    assert _export(app.folder.root, "Dewi Lestari", "1357", stick) == (
        1,
        "",
        "PIN Dewi Lestari terlalu pendek atau terlalu mudah ditebak: masuklah sekali lewat "
        "jendela program (di sana diminta PIN baru), lalu coba lagi.\n",
    )
    assert list(stick.iterdir()) == []


def _init_with_coordinator(data_dir: Path) -> str:
    """A post set up on the command line; its recovery code as ``init`` showed it once."""
    code, out, err = run("--data-dir", str(data_dir), *INIT, "--coordinator", "Siti Aminah",
                         stdin="482913\n")  # fmt: skip
    assert code == 0, err
    return out.splitlines()[-1].rsplit(" ", 1)[-1]


def _reset_pin(data_dir: Path, stdin: str, name: str = "Siti Aminah") -> tuple[int, str, str]:
    return run("--data-dir", str(data_dir), "accounts", "reset-pin", name, stdin=stdin)


def test_accounts_reset_pin_reads_the_recovery_code_then_the_new_pin(tmp_path: Path) -> None:
    data_dir = tmp_path / "post"
    recovery_code = _init_with_coordinator(data_dir)
    assert _reset_pin(data_dir, f"{recovery_code}\n570264\n") == (
        0, "PIN Siti Aminah sudah diganti; masuklah dengan PIN yang baru.\n", ""
    )  # fmt: skip
    folder = DataFolder(data_dir)
    with open_app(folder, folder.sqlite_url) as app:
        assert log_in(app.db, "Siti Aminah", "570264").is_coordinator
        with pytest.raises(UserError):
            log_in(app.db, "Siti Aminah", "482913")


def test_accounts_reset_pin_refuses_in_one_line_and_waits_after_five_wrong_codes(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "post"
    recovery_code = _init_with_coordinator(data_dir)
    wrong = vault.new_recovery_code()
    assert _reset_pin(data_dir, "") == (1, "", (
        "Kode pemulihan tidak diberikan (ketik di terminal, atau kirim sebagai baris pertama "
        "di stdin).\n"
    ))  # fmt: skip
    code, out, err = _reset_pin(data_dir, f"{recovery_code}\n")
    assert (code, out) == (1, "") and err.startswith("PIN koordinator tidak diberikan")
    assert _reset_pin(data_dir, f"{recovery_code}\n1357\n")[2].startswith("PIN harus 6–8 angka")
    for _ in range(4):
        assert _reset_pin(data_dir, f"{wrong}\n570264\n") == (
            1, "", "Itu bukan kode pemulihan pos ini; tidak ada PIN yang diganti.\n"
        )  # fmt: skip
    code, out, err = _reset_pin(data_dir, f"{wrong}\n570264\n")
    assert (code, out) == (1, "")
    assert err == (
        "Terlalu banyak kode pemulihan yang salah. Tunggu 30 detik sebelum mencoba lagi; "
        "tidak ada PIN yang diganti.\n"
    )
    assert _reset_pin(data_dir, f"{recovery_code}\n570264\n")[0] == 1  # right, too soon
