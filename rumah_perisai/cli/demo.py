"""``demo``: an empty data folder filled with a demo post of made-up participants."""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import asdict

from rumah_perisai.cli.common import (
    Commands,
    Context,
    TerminalProgress,
    whole_number,
)
from rumah_perisai.errors import EXIT_OK
from rumah_perisai.i18n import tr


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.demo import DemoRequest, create_demo_post

    request = DemoRequest(participants=args.participants, seed=args.seed)
    if args.post_code:
        request = dataclasses.replace(request, post_code=args.post_code.upper())
    progress = TerminalProgress(ctx.err)
    with open_app(ctx.folder, ctx.database_url) as app:
        try:
            summary = create_demo_post(app.db, ctx.folder, request, ctx.actor(), progress)
        finally:
            progress.finish()
    if args.json:
        ctx.emit_json(asdict(summary))
    else:
        ctx.say(
            tr(
                "Demo post {code} made: {participants} participants in {seconds:.1f} s.",
                code=summary.post_code,
                participants=summary.participants,
                seconds=summary.seconds,
            )
        )
        ctx.say(
            tr(
                "{receipts} receipts ({voids} voids, {refunds} refunds), {closes} daily closes,"
                " {deposits} deposits.",
                receipts=summary.receipts,
                voids=summary.voids,
                refunds=summary.refunds,
                closes=summary.daily_closes,
                deposits=summary.deposits,
            )
        )
    return EXIT_OK


def register(commands: Commands) -> None:
    demo = commands.add_parser(
        "demo", help=tr("fill an empty data folder with a demo post of made-up participants")
    )
    demo.add_argument("--participants", type=whole_number(1, 999_999), required=True, metavar="N")
    demo.add_argument("--seed", type=whole_number(0, 2**31 - 1), default=1, metavar="S")
    demo.add_argument("--post-code", metavar="CODE")
    demo.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    demo.set_defaults(handler=cmd_demo)
