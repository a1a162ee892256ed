"""What every command group shares: the ``Context`` a command runs in, the argparse types and
options (``path_text``, ``whole_number``, ``coordinator_option``), the files the user names
(``regular_files``, ``output_path``; reading one is ``files.read_input_file``, which the
window's services share), the PIN asked (``read_pin``) and the progress bar on stderr.

A group module (``cli/batch.py`` ...) holds its ``cmd_*`` functions and a ``register(commands)``
adding its parsers; ``cli/__init__.py`` calls them in the order ``--help`` lists them.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeAlias

from rumah_perisai.config import DataFolder, resolve_data_folder, resolve_database_url
from rumah_perisai.errors import UsageError, UserError
from rumah_perisai.i18n import tr

if TYPE_CHECKING:
    # What ``register(commands)`` adds its parsers to: the program's subcommands.
    Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
else:  # argparse's class is not subscriptable at run time
    Commands = argparse._SubParsersAction

Handler = Callable[[argparse.Namespace, "Context"], int]


class Context:
    """What a command needs: where the data folder is, which database, and how to print."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> None:
        self.args = args
        self.folder: DataFolder = resolve_data_folder(args.data_dir, demo=args.demo)
        self.database_url = resolve_database_url(self.folder, args.db)
        self.out = out
        self.err = err
        self.stdin = stdin

    @staticmethod
    def actor() -> str:
        try:
            login = getpass.getuser()
        except (KeyError, OSError):  # no user name (a container without /etc/passwd entry)
            login = "unknown"
        return f"cli:{login}"

    def acting(self, db: Any) -> Any:
        """Who does what the command changes: the OS login, or with ``--coordinator NAME`` that
        coordinator, the PIN checked (a volunteer's name is refused). The commands declared
        with ``coordinator_option(required=True)`` were refused before they started without
        one (``require_coordinator``).

        The PIN is a try like one in the window: after 5 wrong ones the account waits, and a
        PIN made before the rule of issue 16 is refused here until its owner has chosen a new
        one in the window (a command cannot ask for one)."""
        from rumah_perisai.services.volunteers import Actor, attempt_login, require_coordinator

        name = getattr(self.args, "coordinator", None)
        if name is None:
            return Actor(label=self.actor())
        login = attempt_login(db, name, read_pin(name, self, confirm=False), by=self.actor())
        require_coordinator(login.actor)
        if login.must_change_pin:
            raise UserError("pin_change_in_window", name=login.actor.name)
        return dataclasses.replace(login.actor, label=f"{self.actor()} as {login.actor.label}")

    def say(self, text: str) -> None:
        print(text, file=self.out)

    def emit_json(self, value: Any) -> None:
        json.dump(value, self.out, ensure_ascii=False, indent=2, default=str)
        self.out.write("\n")


class Parser(argparse.ArgumentParser):
    """argparse that reports wrong usage in the user's language, as exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError("usage_error", detail=message)


def read_pin(name: str, ctx: Context, *, confirm: bool = True) -> str:
    """The one question any command asks: at a terminal unseen (twice when a PIN is made,
    ``confirm``); else one line of stdin."""
    if ctx.stdin.isatty():
        first = getpass.getpass(tr("PIN for {name}: ", name=name))
        if confirm and getpass.getpass(tr("PIN again: ")) != first:
            raise UserError("pin_mismatch")
        return first
    try:
        line = ctx.stdin.readline(64).strip()  # a PIN is 4-8 digits; more is not one
    except UnicodeDecodeError as error:
        raise UserError("pin_rule") from error  # no PIN is anything but digits
    if not line:
        raise UserError("pin_missing")
    return line


class TerminalProgress:
    """A one-line progress bar on stderr, drawn only for a person at a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._shown = stream.isatty()
        self._last = -1

    def step(self, done: int, total: int, text: str = "") -> None:
        if not self._shown or total <= 0:
            return
        percent = min(100, done * 100 // total)
        if percent == self._last:
            return
        self._last = percent
        bar = "#" * (percent // 4)
        self._stream.write(f"\r[{bar:<25}] {percent:3d}% {text[:40]:<40}")
        self._stream.flush()

    def finish(self) -> None:
        if self._shown and self._last >= 0:
            self._stream.write("\n")
            self._stream.flush()


# The largest file each kind of input can be; a bigger one is not one (and is never read whole).
KEY_FILE_LIMIT = 1 << 20
# An ACK is parsed before its signature is checked: 32 MB (a branch of 2 million participants
# sends at most ~22 MB of duplicate-warning prefixes) keeps a forged one from filling memory.
ACK_FILE_LIMIT = 32 << 20
PAPER_FILE_LIMIT = 1 << 20  # a few hundred lines of paper receipts at most
SPREADSHEET_LIMIT = 256 << 20  # BPJS's KPJ list of a whole branch is a few megabytes


def output_path(text: str) -> Path:
    """A file to be written, as an absolute path (what is printed is what was written)."""
    return Path(text).absolute()


def regular_files(texts: Sequence[str]) -> list[Path]:
    """Files the user named for a service to read: one that is a folder, a device or a pipe
    (reading a pipe would wait for ever) is refused before anything is opened."""
    paths = [Path(text) for text in texts]
    for path in paths:
        try:
            usable = path.is_file() or not path.exists()  # a missing one: the service says so
        except OSError as error:
            raise UserError("file_unreadable", path=str(path), reason=error.strerror) from error
        if not usable:
            raise UserError("input_not_a_file", path=str(path))
    return paths


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``. Bounded, so that no number a
    person can type reaches a database column it does not fit (``--again 99999999999999999999``)
    or makes the program count to it."""

    def parse(text: str) -> int:
        digits = text.strip()
        if len(digits) <= 12 and digits.lstrip("+-").isdigit() and low <= int(digits) <= high:
            return int(digits)
        raise argparse.ArgumentTypeError(f"{text[:24]!r}: {low}..{high}")

    return parse


def path_text(text: str) -> str:
    """An argparse type for a file or folder, ``~`` expanded: not empty (an empty path would
    mean "here"), and no ``~user`` of an unknown user."""
    if not text.strip():
        raise argparse.ArgumentTypeError("''")
    expanded = os.path.expanduser(text)
    if expanded.startswith("~"):
        raise argparse.ArgumentTypeError(f"{text[:40]!r}: ~?")
    return expanded


def coordinator_option(parser: argparse.ArgumentParser, *, required: bool) -> None:
    """``--coordinator NAME`` on a command, its PIN asked at the terminal or read as one line
    from stdin: the one way a command is done as a coordinator (``Context.acting``).

    ``required``: the window lets only a coordinator do this (writing the weekly batch, and
    what is to come: backups and restores, participant reports, imports, erasures); without
    ``--coordinator`` the command is refused before it starts. Otherwise the option is for the
    cases the service itself reserves to a coordinator (replacing the branch key)."""
    parser.add_argument(
        "--coordinator",
        metavar="NAME",
        help=tr("a coordinator's name; the PIN is asked at the terminal or read from stdin"),
    )
    parser.set_defaults(coordinator_required=required)


def require_coordinator(args: argparse.Namespace) -> None:
    if getattr(args, "coordinator_required", False) and args.coordinator is None:
        raise UserError("coordinator_needed")
