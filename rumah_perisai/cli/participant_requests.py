"""``participant request|withdraw|erase|requests``: a person's requests about their own data,
recorded by a coordinator (``--coordinator NAME``, the PIN on stdin; UU PDP 27/2022,
docs/personal-data.md). Each prints the request's key alone on stdout (or the confirmation's
path with ``--out``); a refusal is one line on stderr, exit 1, nothing changed."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from rumah_perisai.cli.common import Context, Parser, coordinator_option, path_text
from rumah_perisai.errors import EXIT_OK
from rumah_perisai.i18n import tr

# As ``services.requests`` has them (a test keeps them equal): the services are imported only
# when a command runs, so the program starts as fast as before.
RECORDED_ONLY = ("access", "copy", "correct")
HOWS = ("in_person", "letter", "phone", "message", "other")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text[:24]!r}: YYYY-MM-DD") from error


def cmd_request(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.services.requests import participant_id_of, record_request

    with open_app(ctx.folder, ctx.database_url) as app:
        actor = ctx.acting(app.db)
        pid = participant_id_of(app.db, args.regno)
        done = record_request(app.db, pid, args.right, args.made_on, args.how, actor, args.note)
        return _done(ctx, app.db, done.number, done.key, args.out)


def cmd_withdraw(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.services.requests import participant_id_of, withdraw_consent

    with open_app(ctx.folder, ctx.database_url) as app:
        actor = ctx.acting(app.db)
        pid = participant_id_of(app.db, args.regno)
        done = withdraw_consent(app.db, pid, args.made_on, args.how, actor, args.reason)
        return _done(ctx, app.db, done.number, done.key, args.out)


def cmd_erase(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.services.requests import erase, participant_id_of

    with open_app(ctx.folder, ctx.database_url) as app:
        actor = ctx.acting(app.db)
        pid = participant_id_of(app.db, args.regno)
        done = erase(app.db, app.folder, pid, args.made_on, args.how, actor)
        return _done(ctx, app.db, done.number, done.key, args.out)


def _done(ctx: Context, db: object, number: int, key: str, out: str | None) -> int:
    if out is None:
        ctx.say(key)
        return EXIT_OK
    from rumah_perisai.printing.output import write_document
    from rumah_perisai.printing.request_confirmation import request_confirmation_pdf
    from rumah_perisai.services.requests import confirmation

    path = Path(out)
    write_document(path, request_confirmation_pdf(confirmation(db, number)))  # type: ignore[arg-type]
    ctx.say(str(path))
    return EXIT_OK


def cmd_requests(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.services.requests import requests_of

    with open_app(ctx.folder, ctx.database_url) as app:
        ctx.acting(app.db)
        rows = requests_of(app.db, args.regno)
    if args.json:
        ctx.emit_json(
            [
                {
                    "key": r.key,
                    "registration_no": r.registration_no,
                    "right": r.kind,
                    "made_on": r.made_on.isoformat(),
                    "how": r.made_how,
                    "note": r.note,
                    "state": r.state,
                    "outcome": r.outcome,
                    "recorded_at": r.recorded_at.isoformat(),
                    "rules_version": r.rules_version,
                    "branch_done_at": r.branch_done_at.isoformat() if r.branch_done_at else None,
                }
                for r in rows
            ]
        )
        return EXIT_OK
    for r in rows:
        done = tr("branch done") if r.branch_done_at else ""
        ctx.say(
            f"{r.key}\t{r.registration_no}\t{r.kind}\t{r.made_on.isoformat()}\t{r.state}\t{done}"
        )
    return EXIT_OK


def _common(parser: argparse.ArgumentParser, *, out: bool = True) -> None:
    parser.add_argument("regno", metavar="REGNO", help=tr("the participant's registration number"))
    parser.add_argument("--made-on", type=_day, required=True, metavar="DATE",
                        help=tr("the day the person asked (YYYY-MM-DD)"))  # fmt: skip
    parser.add_argument("--how", choices=HOWS, required=True, help=tr("how the request was made"))
    if out:
        parser.add_argument("--out", type=path_text, metavar="CONFIRMATION.pdf",
                            help=tr("write the printed confirmation for the person"))  # fmt: skip
    coordinator_option(parser, required=True)


def register(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add this module's commands to the ``participant`` group."""
    request = sub.add_parser(
        "request", help=tr("record a request to see, copy or correct one's data (done elsewhere)")
    )
    _common(request)
    request.add_argument("--right", choices=RECORDED_ONLY, required=True, help=tr("the right"))
    request.add_argument("--note", default="", help=tr("a note, never personal data"))
    request.set_defaults(handler=cmd_request)
    withdraw = sub.add_parser(
        "withdraw", help=tr("withdrawal of consent: membership ends, the data is no longer used")
    )
    _common(withdraw)
    withdraw.add_argument("--reason", default="", help=tr("a reason, never personal data"))
    withdraw.set_defaults(handler=cmd_withdraw)
    erase = sub.add_parser(
        "erase", help=tr("erase the person's data where no rule requires keeping it")
    )
    _common(erase)
    erase.set_defaults(handler=cmd_erase)
    listing = sub.add_parser("requests", help=tr("the post's requests about personal data"))
    listing.add_argument("regno", nargs="?", metavar="REGNO", help=tr("only this participant's"))
    listing.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    coordinator_option(listing, required=True)
    listing.set_defaults(handler=cmd_requests)
