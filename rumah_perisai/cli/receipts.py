"""``receipts verify``, ``receipts reenter`` and ``receipt print`` (``cli/documents.py``): the
post's chain of dues receipts."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from rumah_perisai.cli import documents
from rumah_perisai.cli.common import (
    PAPER_FILE_LIMIT,
    Commands,
    Context,
    Parser,
    coordinator_option,
    path_text,
)
from rumah_perisai.errors import EXIT_OK, EXIT_REFUSED, UserError
from rumah_perisai.files import read_input_file
from rumah_perisai.i18n import tr


def cmd_receipts_verify(args: argparse.Namespace, ctx: Context) -> int:
    """Check the post's receipt chain: exit 0 when whole, 1 naming the first receipt wrong.

    A full check that finds it whole is recorded (how far it reached): ``--quick`` checks the
    anchors and only the receipts after that record (``services.chain_quick``)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.chain_quick import QuickReport, quick_check, record_checked
    from rumah_perisai.services.receipt_chain import verify_chain

    with open_app(ctx.folder, ctx.database_url) as app:
        found = quick_check(app.db) if args.quick else QuickReport(verify_chain(app.db), None)
        if found.since is None:  # the full check ran: remember how far it found all whole
            # Busy, disk full: the check stands; the next full check records.
            with contextlib.suppress(UserError):
                record_checked(app.db, found.report, ctx.actor())
    report = found.report
    if args.json:
        ctx.emit_json(
            {
                "whole": report.whole,
                "post": report.post_code,
                "receipts": report.receipts,
                "problem": report.problem,
                "receipt": report.number,
                "newest_hash": report.newest_hash,
                "explained_gaps": [{"number": g.number, "reason": g.reason} for g in report.gaps],
                "checked_after": found.since,
                "message": found.message(),
            }
        )
    if report.whole:
        if not args.json:
            ctx.say(found.message())
        return EXIT_OK
    print(found.message(), file=ctx.err)
    return EXIT_REFUSED


def cmd_receipts_reenter(args: argparse.Namespace, ctx: Context) -> int:
    """After a restore: the receipts printed after the backup, entered again from a file of
    their paper halves (all or nothing), or re-entry finished with the highest number printed
    (``--done``; ``none`` when nothing was printed since the backup)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.paper_receipts import (
        Entered,
        enter_all,
        finish,
        paper_status,
        read_paper_file,
    )

    entered: list[Entered] = []
    if args.file is not None:
        entries, lines = read_paper_file(read_input_file(Path(args.file), PAPER_FILE_LIMIT))
    with open_app(ctx.folder, ctx.database_url) as app:
        actor = ctx.acting(app.db)
        if args.file is not None:
            entered = enter_all(app.db, entries, actor, lines)
        else:
            done = args.done.strip()
            finish(app.db, None if done.lower() in ("none", "-", "") else done, actor)
        status = paper_status(app.db)
    if args.json:
        ctx.emit_json(
            {
                "entered": [
                    {"number": e.number, "lost": e.lost, "day": e.day, "total": e.total}
                    for e in entered
                ],
                "held": status.held,
                "next": list(status.expected),
                "last": status.last_entered,
            }
        )
        return EXIT_OK
    if args.file is not None:
        receipts = sum(1 for e in entered if not e.lost)
        ctx.say(
            tr(
                "Entered again: {receipts} paper receipts and {lost} lost numbers, {first} to "
                "{last}. Next: {next}. When every paper half is in: receipts reenter --done "
                "<the highest number printed>.",
                receipts=receipts,
                lost=len(entered) - receipts,
                first=entered[0].number,
                last=entered[-1].number,
                next=" / ".join(status.expected) or "-",
            )
        )
    else:
        ctx.say(
            tr(
                "Paper receipts after the restore are finished: new receipts follow {number}.",
                number=status.last_entered or "-",
            )
        )
    return EXIT_OK


def register(commands: Commands) -> None:
    receipts = commands.add_parser(
        "receipts",
        aliases=["receipt"],
        help=tr(
            "the post's dues receipts: print one, check them all, enter them again after a restore"
        ),
    )
    receipt_commands = receipts.add_subparsers(
        dest="receipts_command", required=True, parser_class=Parser
    )
    receipts_verify = receipt_commands.add_parser(
        "verify",
        help=tr("check that no receipt was altered, removed or reordered; exit 1 naming the first"),
    )
    receipts_verify.add_argument(
        "--quick",
        action="store_true",
        help=tr(
            "check only the receipts after the last full check, and that every daily close and "
            "batch still matches the chain; it does not catch a receipt before that check "
            "altered with its hash left as it was (run without --quick for that)"
        ),
    )
    receipts_verify.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    receipts_verify.set_defaults(handler=cmd_receipts_verify)
    reenter = receipt_commands.add_parser(
        "reenter",
        help=tr(
            "after a restore: enter again the receipts printed after the backup (a CSV file of "
            "their paper halves), or finish with --done HIGHEST"
        ),
    )
    what = reenter.add_mutually_exclusive_group(required=True)
    what.add_argument("file", nargs="?", type=path_text, metavar="FILE.csv")
    what.add_argument(
        "--done",
        metavar="HIGHEST",
        help=tr("the highest receipt number printed since the backup (none: nothing printed)"),
    )
    reenter.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    coordinator_option(reenter, required=True)
    reenter.set_defaults(handler=cmd_receipts_reenter)
    documents.register_receipt_print(receipt_commands)
