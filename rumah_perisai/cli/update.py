"""``update``: a new version of the program from the stick, checked and installed."""

from __future__ import annotations

import argparse
from pathlib import Path

from rumah_perisai.cli.common import (
    Commands,
    Context,
    Parser,
    coordinator_option,
    path_text,
)
from rumah_perisai.errors import EXIT_OK
from rumah_perisai.i18n import tr


def cmd_update_check(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.services.updates import check_update

    with open_app(ctx.folder, ctx.database_url) as app:
        update = check_update(app.db, Path(args.file).expanduser())
    ctx.say(tr("{name}: version {version}, signed by branch {branch}; ready to install.",
               name=update.path.name, version=update.version, branch=update.branch))  # fmt: skip
    return EXIT_OK


def cmd_update_install(args: argparse.Namespace, ctx: Context) -> int:
    """Check the installer again and start it silently; this program exits so it can be
    replaced (the installer waits for it, then opens the new version)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.updates import install_update

    with open_app(ctx.folder, ctx.database_url) as app:
        actor = ctx.acting(app.db)
        update = install_update(app.db, ctx.folder.root, Path(args.file).expanduser(), actor)
    ctx.say(tr("Version {version} is being installed; the program opens again when it is done.",
               version=update.version))  # fmt: skip
    return EXIT_OK


def register(commands: Commands) -> None:
    update = commands.add_parser("update", help=tr("a new version of the program from the stick"))
    update_commands = update.add_subparsers(
        dest="update_command", required=True, parser_class=Parser
    )
    update_check = update_commands.add_parser(
        "check", help=tr("whether SETUP.EXE is a newer version signed by this post's branch")
    )
    update_check.add_argument("file", metavar="SETUP.EXE")
    update_check.set_defaults(handler=cmd_update_check)
    update_install = update_commands.add_parser(
        "install", help=tr("check SETUP.EXE and install it (a coordinator)")
    )
    update_install.add_argument("file", metavar="SETUP.EXE", type=path_text)
    coordinator_option(update_install, required=True)
    update_install.set_defaults(handler=cmd_update_install)
