"""The command line: ``rumah-perisai [--data-dir DIR] [--db URL] [--demo] [COMMAND [ARGS]]``.

The convention every command follows (scripts and the branch rely on it):

* without a COMMAND the window opens; with one it never does;
* exit 0 done, 1 refused or a check failed (one line saying why, on stderr), 2 wrong usage;
* messages in the language setting (Bahasa Indonesia by default);
* machine-readable output (``--json``, printed paths) goes alone to stdout;
* logging goes to the data folder's log file, never to the terminal, and never carries a
  participant's NIK, name or phone (refusals are logged by their message key);
* no command asks a question but a coordinator's PIN (``--coordinator NAME``); what the window
  lets only a coordinator do needs one here too (``coordinator_option``);
* hostile input (a damaged, huge or wrong kind of file, text that is not UTF-8, a number out of
  range) is a one-line refusal that changes nothing and leaves nothing behind;
* changes made here are audited as ``cli:<OS login>`` (``... as <coordinator>`` with one).

The commands live one group to a module (``cli/batch.py``, ``cli/branch.py`` ...), each with its
``cmd_*`` functions and a ``register(commands)``; what they share is in ``cli/common.py``. This
module parses the command line and runs one command under the convention above.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from rumah_perisai import __version__
from rumah_perisai.cli import (
    access,
    backup,
    batch,
    branch,
    cards,
    demo,
    documents,
    import_sheet,
    keys,
    participant,
    post,
    receipts,
    setup_post,
    tools,
    update,
)
from rumah_perisai.cli.common import (
    Context,
    Handler,
    Parser,
    path_text,
    require_coordinator,
)
from rumah_perisai.config import (
    DataFolder,
    LocalSettings,
    resolve_data_folder,
    resolve_database_url,
)
from rumah_perisai.errors import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    UsageError,
    UserError,
    triage,
)
from rumah_perisai.i18n import set_language, tr
from rumah_perisai.logs import configure_logging
from rumah_perisai.messages import MESSAGES

log = logging.getLogger(__name__)

# The command groups in the order ``--help`` lists them.
GROUPS = (
    setup_post,
    demo,
    cards,
    participant,
    import_sheet,
    access,
    receipts,
    documents,
    keys,
    batch,
    branch,
    update,
    backup,
    post,
    tools,
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="rumah-perisai",
        description=tr(
            "Rumah Perisai: BPU registration, cards, dues and weekly batches. Without a "
            "COMMAND the program's window opens."
        ),
    )
    parser.add_argument("--version", action="version", version=f"rumah-perisai {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        type=path_text,  # empty (a script's unset $DIR) is wrong usage, never the real post
        help=tr(
            "data folder (database, keys, backups, logs); default: $RUMAH_PERISAI_HOME or "
            "the user data folder"
        ),
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help=tr(
            "another database URL (e.g. postgresql+psycopg://...); default: "
            "$RUMAH_PERISAI_DB or SQLite in the data folder"
        ),
    )
    parser.add_argument("--demo", action="store_true", help=tr("use a demo post in its own folder"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for group in GROUPS:
        group.register(commands)
    return parser


def _early_options(argv: Sequence[str]) -> argparse.Namespace:
    """``--data-dir``/``--demo`` before the full parse: they decide the language of the help.
    Mistakes are left for the full parse, which reports them as wrong usage."""
    early = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    early.add_argument("--data-dir")
    early.add_argument("--demo", action="store_true")
    try:
        known, _ = early.parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit):
        known = argparse.Namespace(data_dir=None, demo=False)
    return known


def _start_logging(folder: DataFolder) -> Path:
    """Log to the data folder's log file; where that cannot be (an unwritable folder, a log
    that is a folder), to the system's temporary folder, and failing that nowhere: a command
    never fails because its log cannot be written."""
    fallback = Path(tempfile.gettempdir()) / "rumah-perisai.log"
    for log_file in (folder.log_file, fallback):
        try:
            configure_logging(log_file)
            return log_file
        except OSError:
            continue
    configure_logging(None)
    return fallback


def _not_text(values: Sequence[str]) -> str | None:
    """The first value that is not valid text: POSIX hands arguments that are not UTF-8 over
    with lone surrogates, which no file name, database or log can store."""
    for value in values:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return None


def _data_folder(early: argparse.Namespace) -> DataFolder:
    try:
        return resolve_data_folder(early.data_dir, demo=early.demo)
    except (RuntimeError, OSError) as error:  # ~user of no known user, a symlink loop
        raise UserError("data_dir_unusable", path=str(early.data_dir), reason=str(error)) from error


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # A GUI script on Windows has no console: its streams are None.
    out = out or sys.stdout or io.StringIO()
    err = err or sys.stderr or io.StringIO()
    stdin = stdin or sys.stdin or io.StringIO()
    log_file = Path(tempfile.gettempdir()) / "rumah-perisai.log"
    database_url = ""  # known once the command is: a busy SQLite file's folder is named
    try:
        bad_text = _not_text([*argv, *_environment_values()])
        if bad_text is not None:  # refused before a folder so named is read or made
            raise UsageError("argument_not_text", value=bad_text)
        folder = _data_folder(_early_options(argv))
        set_language(LocalSettings.load(folder).language)
        log_file = _start_logging(folder)
        args = build_parser().parse_args(argv)
        if args.command is None:
            from rumah_perisai.ui.launch import launch

            return launch(folder, resolve_database_url(folder, args.db), demo=args.demo)
        ctx = Context(args, out, err, stdin)
        database_url = ctx.database_url
        # The subcommand's words only: never its arguments, nor the OS login (which may be a name).
        log.info("command %s", _command_name(args))
        require_coordinator(args)
        handler: Handler = args.handler
        return handler(args, ctx)
    except SystemExit as exit_:  # --help and --version
        return int(exit_.code or 0)
    except KeyboardInterrupt:
        print(tr("Interrupted."), file=err)
        return EXIT_REFUSED
    except Exception as error:
        # One taxonomy with the window (``errors.triage``): a refusal in one line, else a bug.
        refusal = triage(error, database_url)
        if refusal is None:
            print(tr(MESSAGES["internal_error"], log=log_file), file=err)
            return EXIT_REFUSED
        print(refusal.message(), file=err)
        return refusal.exit_code


def _environment_values() -> list[str]:
    from rumah_perisai.config import ENV_DB, ENV_HOME

    return [os.environ.get(name, "") for name in (ENV_HOME, ENV_DB)]


def _command_name(args: argparse.Namespace) -> str:
    """``batch export``, not just ``batch``: which subcommand ran, for whoever reads the log."""
    parts = [args.command]
    for name in ("card_command", "receipts_command", "keys_command", "batch_command",
                 "branch_command", "update_command", "accounts_command", "cash_command",
                 "incentives_command", "participant_command",
                 "access_command", "import_command",
                 "setting"):  # fmt: skip
        if getattr(args, name, None) is not None:
            parts.append(getattr(args, name))
    return " ".join(parts)


def gui_main() -> None:
    """Entry point for desktop shortcuts: the window; errors go to dialogs, not a console."""
    sys.exit(main(sys.argv[1:]))


__all__ = [
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "Context",
    "build_parser",
    "gui_main",
    "main",
]
