"""``access list``: who looked at a participant, or what a volunteer looked at (UU PDP Art. 32;
issue 19, item 2). A coordinator's (``--coordinator NAME``, the PIN on stdin), as in the
window. Reading the looks is not itself recorded as a look: it shows registration numbers only.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from rumah_perisai.cli.common import Commands, Context, Parser, coordinator_option
from rumah_perisai.errors import EXIT_OK, UserError
from rumah_perisai.i18n import tr

if TYPE_CHECKING:
    from rumah_perisai.db.uow import Database
    from rumah_perisai.services.access import AccessRow


def _day(text: str) -> date:
    """``2026-11-27``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text[:24]!r}: YYYY-MM-DD") from error


def _participant_id(db: Database, number: str) -> int:
    from sqlalchemy import select

    from rumah_perisai.db.models import Participant

    with db.reading() as session:
        found = session.scalar(
            select(Participant.id).where(Participant.registration_no == number.strip().upper())
        )
    if found is None:
        raise UserError("participant_missing", ref=number.strip()[:40])
    return found


def _volunteer_id(db: Database, name: str) -> int:
    """The account called ``name`` (any case, spaces as typed in the window)."""
    from rumah_perisai.services.volunteers import accounts

    wanted = " ".join(name.split()).casefold()
    for account in accounts(db):
        if " ".join(account.name.split()).casefold() == wanted:
            return account.id
    raise UserError("volunteer_missing", ref=name.strip()[:60])


def _line(row: AccessRow, zone_name: str) -> str:
    from rumah_perisai.domain.timezones import local_time

    at = local_time(row.at, zone_name).strftime("%Y-%m-%d %H:%M")
    numbers = ",".join(row.registration_nos)
    more = "" if len(row.registration_nos) >= row.subjects else ",…"
    return f"{at}\t{row.action}\t{row.what or '-'}\t{row.subjects}\t{row.actor}\t{numbers}{more}"


def cmd_access_list(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.services.access import access_history
    from rumah_perisai.services.posts import post_summary

    with open_app(ctx.folder, ctx.database_url) as app:
        summary = post_summary(app.db)
        if summary is None:
            raise UserError("no_post")
        # Who is asked first, before the PIN: an unknown name is said without trying one.
        participant = _participant_id(app.db, args.participant) if args.participant else None
        volunteer = _volunteer_id(app.db, args.volunteer) if args.volunteer else None
        rows = access_history(
            app.db,
            ctx.acting(app.db),
            participant_id=participant,
            volunteer_id=volunteer,
            first=args.first,
            last=args.last,
        )
    if args.json:
        ctx.emit_json([row.as_json() for row in rows])
        return EXIT_OK
    for row in rows:
        ctx.say(_line(row, summary.timezone))
    return EXIT_OK


def register(commands: Commands) -> None:
    group = commands.add_parser(
        "access", help=tr("who looked at a participant's data (a coordinator)")
    )
    sub = group.add_subparsers(dest="access_command", required=True, parser_class=Parser)
    listing = sub.add_parser(
        "list", help=tr("the looks at one participant, or by one volunteer, newest first")
    )
    whose = listing.add_mutually_exclusive_group(required=True)
    whose.add_argument("--participant", metavar="REGNO", help=tr("a registration number"))
    whose.add_argument("--volunteer", metavar="NAME", help=tr("a volunteer's account name"))
    listing.add_argument("--from", dest="first", type=_day, metavar="DATE", help="YYYY-MM-DD")
    listing.add_argument("--to", dest="last", type=_day, metavar="DATE", help="YYYY-MM-DD")
    listing.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    coordinator_option(listing, required=True)
    listing.set_defaults(handler=cmd_access_list)
