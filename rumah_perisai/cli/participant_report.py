"""``participant report REGNO (--out F.pdf | --json) --coordinator NAME``: everything the post
holds about one person and the record of its processing (UU PDP Art. 32; Art. 13 for the JSON),
``services.personal_report``. Only a coordinator (the PIN on stdin), and recorded as a look
(``Look.REPORT``) once the report is made: a refused command writes and records nothing."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from rumah_perisai.cli.common import Context, Parser, coordinator_option, path_text
from rumah_perisai.errors import EXIT_OK, UserError
from rumah_perisai.i18n import tr


def _out(text: str) -> Path:
    """``--out`` checked before anything is read, asked or drawn: not there yet, in a folder
    that exists and can be written."""
    path = Path(text).absolute()
    if path.exists() or path.is_symlink():
        raise UserError("out_exists" if path.is_file() else "out_not_a_file", path=str(path))
    if not path.parent.is_dir():
        raise UserError("out_folder_missing", path=str(path.parent))
    if not os.access(path.parent, os.W_OK):
        raise UserError("out_folder_unwritable", path=str(path.parent))
    return path


def cmd_participant_report(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.printing.personal_report import save_personal_report
    from rumah_perisai.services.access import Look, record_access
    from rumah_perisai.services.personal_report import (
        find_participant,
        personal_report,
        report_json,
    )

    out = _out(args.out) if args.out is not None else None
    with open_app(ctx.folder, ctx.database_url) as app:
        actor = ctx.acting(app.db)  # who asks is known before whom they ask about
        participant_id = find_participant(app.db, args.regno)
        if out is None:
            report = personal_report(app.db, participant_id, actor)
            text = json.dumps(report_json(report), ensure_ascii=False, indent=2)
            record_access(app.db, actor, Look.REPORT, [participant_id], what="report")
            ctx.say(text)
            return EXIT_OK
        save_personal_report(app.db, participant_id, actor, out)
    print(out, file=ctx.out)
    return EXIT_OK


def register(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add this module's commands to the ``participant`` group."""
    report = sub.add_parser(
        "report",
        help=tr(
            "everything held about one person and who changed or looked at it: a PDF in "
            "Indonesian (--out) or JSON on stdout (--json)"
        ),
    )
    report.add_argument("regno", metavar="REGNO", help=tr("the registration number"))
    how = report.add_mutually_exclusive_group(required=True)
    how.add_argument("--out", type=path_text, metavar="FILE.pdf")
    how.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    coordinator_option(report, required=True)
    report.set_defaults(handler=cmd_participant_report)
