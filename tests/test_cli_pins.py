"""``--coordinator NAME`` obeys the PIN rules of issue 16 (item 4): the same wait after 5 wrong
PINs as the window, and a PIN made before the rule refused until it is changed in the window."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from rumah_perisai.app import App
from rumah_perisai.config import DataFolder
from rumah_perisai.services.volunteers import Actor
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
