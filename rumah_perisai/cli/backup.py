"""``backup`` and ``restore``: the post's backup written, and the post restored from one."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from rumah_perisai.cli.common import (
    Commands,
    Context,
    TerminalProgress,
    coordinator_option,
    path_text,
    regular_files,
)
from rumah_perisai.errors import EXIT_OK, UserError
from rumah_perisai.i18n import tr


def cmd_backup(args: argparse.Namespace, ctx: Context) -> int:
    """A coordinator's backup of the post into DIR; its path alone on stdout's last line."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.backup import write_backup

    progress = TerminalProgress(ctx.err)
    with open_app(ctx.folder, ctx.database_url) as app:
        ctx.acting(app.db)  # a coordinator's PIN, checked (the option is required)
        try:
            info = write_backup(app, Path(args.out), "manual", progress)
        finally:
            progress.finish()
    print(tr("Backup written and checked: {size} bytes.", size=info.size), file=ctx.err)
    print(info.path, file=ctx.out)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, ctx: Context) -> int:
    """Restore the post from a backup into the data folder with the recovery (or one-time) code,
    read at the terminal unseen or as one line of stdin."""
    from rumah_perisai.services.backup import read_backup_header, restore_backup

    (path,) = regular_files([args.file])
    read_backup_header(path)  # a damaged file is said before the code is asked
    code = _read_code(ctx)
    result = restore_backup(ctx.folder, path, code)
    if args.json:
        ctx.emit_json(
            {
                "post_code": result.post_code,
                "post_name": result.post_name,
                "backup_created_at": result.backup_created_at.isoformat(),
                "restored_at": result.restored_at.isoformat(),
                "kind": result.kind,
                "last_receipt": result.last_receipt,
                "last_batch_seq": result.last_batch_seq,
                "new_recovery_code": result.new_recovery_code,
                "not_held": result.not_held,
                "set_aside": str(result.set_aside) if result.set_aside else None,
            }
        )
        return EXIT_OK
    ctx.say(tr("Post {code} ({name}) restored.", code=result.post_code, name=result.post_name))
    ctx.say(result.not_held)
    if result.set_aside is not None:
        ctx.say(tr("What this folder held before is kept in {path}.", path=result.set_aside))
    if result.new_recovery_code is not None:
        ctx.say(tr("NEW RECOVERY CODE (shown only now; write it on the sheet for the envelope, "
                   "the old code and the one-time code no longer open this post):"))  # fmt: skip
        ctx.say(f"    {result.new_recovery_code}")
    return EXIT_OK


def _read_code(ctx: Context) -> str:
    """The recovery code: at a terminal unseen, else one line of stdin (as a PIN is read)."""
    if ctx.stdin.isatty():
        text = getpass.getpass(tr("Recovery code (or the branch's one-time code): "))
    else:
        try:
            text = ctx.stdin.readline(200)
        except UnicodeDecodeError as error:
            raise UserError("recovery_code_bad_form") from error
    if not text.strip():
        raise UserError("restore_code_missing")
    return text.strip()


def register(commands: Commands) -> None:
    backup = commands.add_parser(
        "backup", help=tr("write a backup of the post into DIR (a coordinator); its path last")
    )
    backup.add_argument("--out", type=path_text, required=True, metavar="DIR")
    coordinator_option(backup, required=True)
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser(
        "restore",
        help=tr("restore the post from a backup file (the recovery code is asked, or read from "
                "stdin)"),
    )  # fmt: skip
    restore.add_argument("file", type=path_text, metavar="FILE")
    restore.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    restore.set_defaults(handler=cmd_restore)
