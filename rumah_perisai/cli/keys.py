"""``keys``: the post's and the branch's keys as the post holds them."""

from __future__ import annotations

import argparse
from pathlib import Path

from rumah_perisai.cli.common import (
    KEY_FILE_LIMIT,
    Commands,
    Context,
    Parser,
    coordinator_option,
    output_path,
    path_text,
)
from rumah_perisai.errors import EXIT_OK
from rumah_perisai.files import read_input_file
from rumah_perisai.i18n import tr


def cmd_keys_set_branch(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.keys import format_fingerprint
    from rumah_perisai.keys.installed import install_branch_key

    data = read_input_file(Path(args.file), KEY_FILE_LIMIT)
    with open_app(ctx.folder, ctx.database_url) as app:
        installed = install_branch_key(app.db, data, ctx.acting(app.db))
    key = installed.key
    shown = format_fingerprint(key.fingerprint)
    if installed.unchanged:
        ctx.say(
            tr(
                "This branch key was installed already: {name}, fingerprint {fp}",
                name=key.name,
                fp=shown,
            )
        )
    elif installed.replaced is not None:
        ctx.say(
            tr(
                "Branch key of {name} installed in place of {old}. Fingerprint: {fp}",
                name=key.name,
                old=format_fingerprint(installed.replaced.fingerprint),
                fp=shown,
            )
        )
    else:
        ctx.say(tr("Branch key of {name} installed. Fingerprint: {fp}", name=key.name, fp=shown))
    ctx.say(tr("Compare the fingerprint with the branch by phone before the first batch."))
    return EXIT_OK


def cmd_keys_show(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.keys import format_fingerprint
    from rumah_perisai.keys.installed import installed_branch_key, post_public_key

    with open_app(ctx.folder, ctx.database_url) as app:
        post = post_public_key(app.db)
        branch = installed_branch_key(app.db)
    if args.json:
        ctx.emit_json(
            {
                "post": {"code": post.code, "fingerprint": post.fingerprint},
                "branch": {
                    "code": branch.code,
                    "name": branch.name,
                    "fingerprint": branch.fingerprint,
                }
                if branch
                else None,
            }
        )
        return EXIT_OK
    ctx.say(tr("Post {code}: {fp}", code=post.code, fp=format_fingerprint(post.fingerprint)))
    if branch is None:
        ctx.say(tr("Branch: no key installed"))
    else:
        ctx.say(
            tr(
                "Branch {code} ({name}): {fp}",
                code=branch.code,
                name=branch.name,
                fp=format_fingerprint(branch.fingerprint),
            )
        )
    return EXIT_OK


def cmd_keys_export_post(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.exchange.safe_write import write_file
    from rumah_perisai.keys import fingerprint, format_fingerprint
    from rumah_perisai.keys.installed import post_key_file_bytes, post_public_key

    out = output_path(args.out)
    with open_app(ctx.folder, ctx.database_url) as app:
        data = post_key_file_bytes(app.db, ctx.folder.keys)
        post = post_public_key(app.db)
    write_file(out.parent, out.name, data)
    print(
        tr("Fingerprint: {fp}", fp=format_fingerprint(fingerprint(post.signing_key))), file=ctx.err
    )
    print(out, file=ctx.out)
    return EXIT_OK


def register(commands: Commands) -> None:
    keys_cmd = commands.add_parser("keys", help=tr("the post's and the branch's keys"))
    keys_commands = keys_cmd.add_subparsers(dest="keys_command", required=True, parser_class=Parser)
    set_branch = keys_commands.add_parser(
        "set-branch", help=tr("install the branch's public key file (replacing one: --coordinator)")
    )
    set_branch.add_argument("file", type=path_text, metavar="FILE")
    coordinator_option(set_branch, required=False)  # only replacing a key needs one
    set_branch.set_defaults(handler=cmd_keys_set_branch)
    show_keys = keys_commands.add_parser(
        "show", help=tr("show the post's and the branch's fingerprints")
    )
    show_keys.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    show_keys.set_defaults(handler=cmd_keys_show)
    export_post = keys_commands.add_parser(
        "export-post", help=tr("write the post's public key file for the branch")
    )
    export_post.add_argument("--out", type=path_text, required=True, metavar="FILE")
    export_post.set_defaults(handler=cmd_keys_export_post)
