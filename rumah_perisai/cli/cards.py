"""``card print`` and ``card verify``: one participant's card as PDF, a scanned card checked."""

from __future__ import annotations

import argparse

from rumah_perisai.cli.common import (
    Commands,
    Context,
    Parser,
    output_path,
    path_text,
)
from rumah_perisai.errors import EXIT_OK, EXIT_REFUSED, UserError
from rumah_perisai.i18n import tr


def cmd_card_print(args: argparse.Namespace, ctx: Context) -> int:
    from sqlalchemy import select

    from rumah_perisai.app import open_app
    from rumah_perisai.db.models import Participant
    from rumah_perisai.printing.cards import prepare_cards, save_cards
    from rumah_perisai.services.cards import record_cards

    out = output_path(args.out)
    with open_app(ctx.folder, ctx.database_url) as app:
        with app.db.reading() as session:
            participant_id = session.scalar(
                select(Participant.id).where(Participant.registration_no == args.regno.upper())
            )
        if participant_id is None:
            raise UserError("participant_missing", ref=args.regno)
        prepared = prepare_cards(
            app.db, ctx.folder, [participant_id], reason=args.reason or "first", sheet=False
        )
        save_cards(prepared, out)  # recorded only once the file is really there
        try:
            record_cards(app.db, prepared, ctx.acting(app.db))
        except BaseException:
            out.unlink(missing_ok=True)  # a card not recorded must not be printed from a file
            raise
    print(out, file=ctx.out)
    return EXIT_OK


def cmd_card_verify(args: argparse.Namespace, ctx: Context) -> int:
    """What a scanned card is (``--json``: ``{"state": ...}``); exit 0 only for a card to accept:
    this post's current card, or another post's genuine card (see ``CardScan.current``)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.cards import check_card

    with open_app(ctx.folder, ctx.database_url) as app:
        scan = check_card(app.db, args.text)
    message = scan.message()  # names the registration number, never the participant
    if args.json:
        ctx.emit_json(scan.as_json())
    elif scan.current:
        ctx.say(message)
    if not scan.current:
        print(message, file=ctx.err)
        return EXIT_REFUSED
    return EXIT_OK


def register(commands: Commands) -> None:
    card = commands.add_parser("card", help=tr("print a membership card, or check a scanned one"))
    card_commands = card.add_subparsers(dest="card_command", required=True, parser_class=Parser)
    card_print = card_commands.add_parser("print", help=tr("write one participant's card as PDF"))
    card_print.add_argument("regno", metavar="REGNO")
    card_print.add_argument("--out", type=path_text, required=True, metavar="FILE.pdf")
    card_print.add_argument("--reason", choices=["lost", "damaged", "corrected"])
    card_print.set_defaults(handler=cmd_card_print)
    card_verify = card_commands.add_parser(
        "verify", help=tr("check a scanned card code; exit 0 only for a genuine, current card")
    )
    card_verify.add_argument("text", metavar="TEXT")
    card_verify.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    card_verify.set_defaults(handler=cmd_card_verify)
