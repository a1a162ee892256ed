"""``init``: a new post set up in the data folder, its first coordinator and branch key."""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import asdict
from pathlib import Path

from rumah_perisai.cli.common import (
    KEY_FILE_LIMIT,
    Commands,
    Context,
    path_text,
    read_pin,
)
from rumah_perisai.errors import EXIT_OK, UserError
from rumah_perisai.files import read_input_file
from rumah_perisai.i18n import tr


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.keys import format_fingerprint
    from rumah_perisai.services.posts import PostSetup, normalise_setup, set_up_post
    from rumah_perisai.services.volunteers import AccountSetup, check_pin, tidy_name

    request = PostSetup(
        code=args.post_code,
        name=args.post_name,
        kabupaten_code=args.kabupaten,
        wadah=args.wadah,
        timezone=args.timezone,
    )
    normalise_setup(request)  # bad input is refused before anything is created
    branch_key = Path(args.branch_key) if args.branch_key else None
    branch_file = read_input_file(branch_key, KEY_FILE_LIMIT) if branch_key else None
    if branch_file is not None:
        from rumah_perisai.keys.files import read_branch_key_file

        if read_branch_key_file(branch_file).demo:
            raise UserError("branch_key_demo")
    if args.coordinator is not None:
        name = tidy_name(args.coordinator)  # a bad name is refused before the PIN is asked
        coordinator = AccountSetup(name, check_pin(read_pin(name, ctx)))
        request = dataclasses.replace(request, coordinator=coordinator)
    with open_app(ctx.folder, ctx.database_url) as app:
        summary = set_up_post(app.db, ctx.folder, request, ctx.actor())
        if branch_file is not None:
            from rumah_perisai.keys.installed import install_branch_key
            from rumah_perisai.services.volunteers import Actor

            install_branch_key(app.db, branch_file, Actor(label=ctx.actor()))
    if args.json:
        ctx.emit_json(asdict(summary))
    else:
        ctx.say(
            tr(
                "Post {code} ({name}) is ready. Post key fingerprint: {fingerprint}",
                code=summary.code,
                name=summary.name,
                fingerprint=format_fingerprint(summary.key_fingerprint),
            )
        )
        ctx.say(
            tr(
                "Recovery code (shown only now; write it on the recovery sheet and keep it "
                "sealed away from the laptop): {code}",
                code=summary.recovery_code,
            )
        )
    return EXIT_OK


def register(commands: Commands) -> None:
    init = commands.add_parser("init", help=tr("set up a new post in the data folder"))
    init.add_argument("--post-code", required=True, metavar="CODE")
    init.add_argument("--post-name", required=True, metavar="NAME")
    init.add_argument(
        "--kabupaten",
        required=True,
        metavar="CODE",
        help=tr(
            "kabupaten/kota code, e.g. 32.09 (find it with: rumah-perisai areas kabupaten NAME)"
        ),
    )
    init.add_argument("--wadah", metavar="NAME")
    init.add_argument("--timezone", choices=["WIB", "WITA", "WIT"], type=str.upper)
    init.add_argument(
        "--coordinator",
        metavar="NAME",
        help=tr(
            "create the first coordinator account with this name; the PIN is asked at the "
            "terminal (or read from stdin)"
        ),
    )
    init.add_argument(
        "--branch-key",
        type=path_text,
        metavar="FILE",
        help=tr("the branch's public key file, installed at once"),
    )
    init.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    init.set_defaults(handler=cmd_init)
