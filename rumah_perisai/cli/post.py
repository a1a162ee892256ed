"""``search``, ``accounts`` and ``info``: the post's participants, accounts and state."""

from __future__ import annotations

import argparse
import getpass
from dataclasses import asdict

from rumah_perisai import __version__
from rumah_perisai.cli.common import (
    Commands,
    Context,
    Parser,
    read_pin,
)
from rumah_perisai.errors import EXIT_OK, UserError
from rumah_perisai.i18n import tr


def cmd_search(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.domain.timezones import local_date
    from rumah_perisai.services.access import Doc, Look, record_access
    from rumah_perisai.services.participant_search import ParticipantSearch, found_participants
    from rumah_perisai.services.posts import local_post

    with open_app(ctx.folder, ctx.database_url) as app:
        with app.db.reading() as session:
            post = local_post(session)
            if post is None:
                raise UserError("no_post")
            today = local_date(app.db.clock(), post.timezone)
            ids = ParticipantSearch(post.id).ids(session, args.text)
            found = found_participants(session, ids, today)
        # The hits carry full NIKs and names out of the program: a list taken away, recorded
        # as one look with everyone on it (docs/personal-data.md, "Who looked").
        if ids:
            record_access(app.db, ctx.acting(app.db), Look.LIST, ids, Doc.SEARCH)
    if args.json:
        ctx.emit_json([asdict(hit) for hit in found])
        return EXIT_OK
    for hit in found:
        until = hit.cover_until.isoformat() if hit.cover_until else "-"
        ctx.say(f"{hit.registration_number}\t{hit.nik}\t{hit.name}\t{hit.status}\t{until}")
    return EXIT_OK


def cmd_accounts_reset_pin(args: argparse.Namespace, ctx: Context) -> int:
    """A coordinator who forgot their PIN: the post's recovery code, then the new PIN (each one
    line of stdin, or asked unseen at a terminal, the PIN twice)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.pin_reset import reset_pin_with_recovery_code
    from rumah_perisai.services.volunteers import tidy_name

    name = tidy_name(args.name)  # a bad name is refused before anything is asked
    code = _read_secret_line(ctx, tr("Recovery code: "), "recovery_code_missing")
    pin = read_pin(name, ctx)
    with open_app(ctx.folder, ctx.database_url) as app:
        owner = reset_pin_with_recovery_code(app.db, ctx.folder, code, name, pin, by=ctx.actor())
    ctx.say(tr("{name}'s PIN was changed; log in with the new one.", name=owner.name))
    return EXIT_OK


def _read_secret_line(ctx: Context, prompt: str, missing: str) -> str:
    """One secret line: unseen at a terminal, else one line of stdin (``read_pin``'s way)."""
    if ctx.stdin.isatty():
        line = getpass.getpass(prompt)
    else:
        try:
            line = ctx.stdin.readline(200)
        except UnicodeDecodeError as error:
            raise UserError("recovery_code_bad_form") from error
    if not line.strip():
        raise UserError(missing)
    return line.strip()


def cmd_info(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.db.models import SCHEMA_REVISION
    from rumah_perisai.services.posts import post_summary

    with open_app(ctx.folder, ctx.database_url) as app:
        summary = post_summary(app.db)
        url = app.db.engine.url.render_as_string(hide_password=True)
    info = {
        "version": __version__,
        "data_dir": str(ctx.folder.root),
        "database": url,
        "schema": SCHEMA_REVISION,
        "language": app.settings.language,
        "post": asdict(summary) if summary else None,
    }
    if args.json:
        ctx.emit_json(info)
        return EXIT_OK
    for key, value in info.items():
        if key != "post":
            ctx.say(f"{key}: {value}")
    if summary is None:
        ctx.say(tr("There is no post in this data folder yet. Run first: rumah-perisai init ..."))
    else:
        for key, value in asdict(summary).items():
            ctx.say(f"post.{key}: {value}")
    return EXIT_OK


def register(commands: Commands) -> None:
    search = commands.add_parser(
        "search", help=tr("find participants by NIK, name, registration number, KPJ or phone")
    )
    search.add_argument("text")
    search.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    search.set_defaults(handler=cmd_search)

    # --- accounts (issue 16, item 4) ---
    accounts_cmd = commands.add_parser("accounts", help=tr("the post's accounts"))
    accounts_commands = accounts_cmd.add_subparsers(
        dest="accounts_command", required=True, parser_class=Parser
    )
    reset_pin = accounts_commands.add_parser(
        "reset-pin",
        help=tr(
            "a coordinator who forgot their PIN: reads the post's recovery code, then the new "
            "PIN (from stdin, one line each, when it is not a terminal)"
        ),
    )
    reset_pin.add_argument("name", metavar="NAME")
    reset_pin.set_defaults(handler=cmd_accounts_reset_pin)

    info = commands.add_parser("info", help=tr("show the post, database and version"))
    info.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    info.set_defaults(handler=cmd_info)
