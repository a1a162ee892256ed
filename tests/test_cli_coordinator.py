"""What the window lets only a coordinator do, the command line does only with ``--coordinator
NAME`` and that coordinator's PIN on stdin (issue 14, item 10). Without it: exit 1 saying a
coordinator is needed; with a wrong PIN or a volunteer's name: exit 1; nothing changed either way.

The commands are found from the parser's declarations (``coordinator_option(required=True)``),
so a command declared later is checked here as soon as it has an example below."""

from __future__ import annotations

import argparse
import hashlib
import io
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rumah_perisai.cli import build_parser, main
from rumah_perisai.config import DataFolder
from tests.dbfiles import open_raw

COORDINATOR = ("Euis Komalasari", "1357")  # every demo post's
VOLUNTEER = ("Asep Saepudin", "2468")


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def _leaves(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[
    tuple[tuple[str, ...], argparse.ArgumentParser]
]:  # fmt: skip
    subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subcommands:
        yield prefix, parser
    for action in subcommands:
        seen: set[int] = set()
        for name, child in action.choices.items():
            if id(child) in seen:  # an alias ("receipt" for "receipts"): the same commands
                continue
            seen.add(id(child))
            yield from _leaves(child, (*prefix, name))


def coordinator_commands() -> set[str]:
    return {
        " ".join(words)
        for words, parser in _leaves(build_parser())
        if parser.get_default("coordinator_required")
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("coordinator")
    branch, post = root / "branch", root / "post"
    assert run(["--data-dir", str(branch), "branch", "init", "--demo"])[0] == 0
    assert run(["--data-dir", str(post), "demo", "--participants", "5"])[0] == 0
    key = str(branch / "keys" / "branch-public-key.json")
    assert run(["--data-dir", str(post), "keys", "set-branch", key])[0] == 0
    (root / "stick").mkdir()
    first = ["--data-dir", str(post), "batch", "export", "--coordinator", COORDINATOR[0]]
    code, _out, err = run([*first, "--out", str(root / "stick")], f"{COORDINATOR[1]}\n")
    assert code == 0, err
    # a change since batch 1, so that a new batch has something to write: a first card
    database = open_raw(DataFolder(post))
    try:
        (regno,) = database.execute(
            "SELECT registration_no FROM participants WHERE standing = 'member' AND id NOT IN"
            " (SELECT participant_id FROM card_issues) ORDER BY id"
        ).fetchone()
    finally:
        database.close()
    card = ["--data-dir", str(post), "card", "print", regno, "--out", str(root / "kartu.pdf")]
    assert run(card)[0] == 0
    return root


@pytest.fixture
def world(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template, tmp_path / "w")
    (tmp_path / "w" / "stick2").mkdir()
    return tmp_path / "w"


# An example of each coordinator-only command, without --coordinator.
EXAMPLES: dict[str, Callable[[Path], list[str]]] = {
    "batch export": lambda w: ["batch", "export", "--out", str(w / "stick2")],
    "batch export --again": lambda w: [
        "batch",
        "export",
        "--again",
        "1",
        "--out",
        str(w / "stick2"),
    ],
    "backup": lambda w: ["backup", "--out", str(w / "stick2")],
    # Refused before the file is looked at; its way through: tests/test_updates.py.
    "update install": lambda w: ["update", "install", str(w / "RumahPerisai-9.9.9-setup.exe")],
    # Paper receipts after a restore (issue 16); its way through: tests/test_cli_paper.py.
    "receipts reenter": lambda w: ["receipts", "reenter", "--done", "none"],
    # A person's report (issue 19); its way through: tests/test_cli_participant_report.py.
    "participant report": lambda w: ["participant", "report", "DEMO3209-000001", "--json"],
    # Who looked at a participant (issue 19); its way through: tests/test_cli_access.py.
    "access list": lambda w: ["access", "list", "--participant", "DEMO3209-000001"],
    # A person's requests about their data (issue 19); their way through:
    # tests/test_cli_participant_requests.py.
    "participant request": lambda w: ["participant", "request", "DEMO3209-000001", "--right",
                                      "access", "--made-on", "2026-11-27", "--how", "in_person"],
    "participant withdraw": lambda w: ["participant", "withdraw", "DEMO3209-000001",
                                       "--made-on", "2026-11-27", "--how", "in_person"],
    "participant erase": lambda w: ["participant", "erase", "DEMO3209-000001",
                                    "--made-on", "2026-11-27", "--how", "in_person"],
    "participant requests": lambda w: ["participant", "requests"],
    # A list kept before this program (issue 20); its way through: tests/test_cli_import.py.
    "import participants": lambda w: ["import", "participants", str(w / "daftar.xlsx"),
                                      "--dry-run"],
}  # fmt: skip
WRITES_A_BATCH = sorted(name for name in EXAMPLES if name.startswith("batch"))


def test_the_coordinator_only_commands_are_the_windows() -> None:
    """Writing the weekly batch (new, or again), a backup, installing an update, entering
    paper receipts again after a restore, a person's report, who looked and a person's requests
    about their data are the coordinator's in the
    window; every other command a post's laptop runs is open to any volunteer there (replacing
    the branch key is refused by the service itself, tested in test_cli_batches)."""
    assert coordinator_commands() == {
        "backup", "batch export", "update install", "receipts reenter", "participant report",
        "access list", "participant request", "participant withdraw", "participant erase",
        "participant requests", "import participants",
    }  # fmt: skip
    assert {name.removesuffix(" --again") for name in EXAMPLES} == coordinator_commands()


def _state(world: Path) -> dict[str, str]:
    return {
        str(p.relative_to(world)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(world.rglob("*"))
        if p.is_file() and "logs" not in p.parts and not p.name.endswith(("-wal", "-shm"))
    }


@pytest.mark.parametrize("example", sorted(EXAMPLES))
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "Hanya koordinator yang boleh melakukan ini: tambahkan --coordinator NAMA"),
        ((COORDINATOR[0], "9999"), "Nama atau PIN salah."),
        (VOLUNTEER, "Hanya koordinator yang boleh melakukan ini.\n"),
    ],
    ids=["no coordinator", "wrong PIN", "a volunteer"],
)
def test_without_a_coordinator_and_pin_nothing_is_done(
    world: Path, example: str, who: tuple[str, str] | None, expected: str
) -> None:
    argv = ["--data-dir", str(world / "post"), *EXAMPLES[example](world)]
    stdin = ""
    if who is not None:
        argv += ["--coordinator", who[0]]
        stdin = f"{who[1]}\n"
    before = _state(world)
    code, out, err = run(argv, stdin)
    assert (code, out) == (1, "")
    assert err.startswith(expected) and err.count("\n") == 1, err
    assert _state(world) == before


@pytest.mark.parametrize("example", WRITES_A_BATCH)
def test_with_the_coordinators_pin_on_stdin_it_is_done_and_audited(
    world: Path, example: str
) -> None:
    argv = ["--data-dir", str(world / "post"), *EXAMPLES[example](world)]
    code, out, err = run([*argv, "--coordinator", "euis  komalasari"], f"{COORDINATOR[1]}\n")
    assert code == 0, err
    assert Path(out.splitlines()[-1]).parent == world / "stick2"
    database = open_raw(DataFolder(world / "post"))
    try:
        (actor,) = database.execute(
            "SELECT actor FROM audit_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        database.close()
    assert actor.endswith(" as volunteer:DEMO3209-V001 Euis Komalasari")
