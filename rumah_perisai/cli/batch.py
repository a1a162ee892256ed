"""``batch``: the post's weekly batch for the branch, and the branch's acknowledgements."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from rumah_perisai.cli.common import (
    ACK_FILE_LIMIT,
    Commands,
    Context,
    Parser,
    TerminalProgress,
    coordinator_option,
    path_text,
    regular_files,
    whole_number,
)
from rumah_perisai.errors import EXIT_OK
from rumah_perisai.files import read_input_file
from rumah_perisai.i18n import tr


def cmd_batch_export(args: argparse.Namespace, ctx: Context) -> int:
    """Write the next batch (or batch ``--again SEQ``) into ``--out DIR``; its path alone on
    stdout's last line."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.batches import export_batch, write_again

    progress = TerminalProgress(ctx.err)
    with open_app(ctx.folder, ctx.database_url) as app:
        actor = ctx.acting(app.db)
        try:
            if args.again is not None:
                written = write_again(app.db, ctx.folder, args.again, Path(args.out), actor)
            else:
                written = export_batch(app.db, ctx.folder, Path(args.out), actor, progress)
        finally:
            progress.finish()
    info = written.info
    print(
        tr(
            "Batch {seq} holds {holding} {size} bytes.",
            seq=info.seq,
            holding=info.holding.text(),
            size=info.file_size,
        ),
        file=ctx.err,
    )
    if written.backup is not None:
        print(tr("The post's backup is beside it: {path}", path=written.backup), file=ctx.err)
    elif written.backup_error is not None:
        print(tr("The batch is whole, but the post's backup could not be written beside it: "
                 "{reason}", reason=written.backup_error), file=ctx.err)  # fmt: skip
    print(written.path, file=ctx.out)
    return EXIT_OK


def cmd_batch_verify(args: argparse.Namespace, ctx: Context) -> int:
    """Whether a batch file is whole and whose it is, from its manifest; exit 1 with why not."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.batches import verify_file

    (path,) = regular_files([args.file])
    with open_app(ctx.folder, ctx.database_url) as app:
        verified = verify_file(app.db, path)
    manifest = verified.manifest
    if args.json:
        ctx.emit_json(
            {
                "whole": True,
                "file": str(verified.path),
                "file_sha256": verified.sealed.file_hash,
                "signer_known": verified.signer_known,
                "recorded_here": verified.recorded_here,
                "manifest": manifest,
            }
        )
        return EXIT_OK
    from rumah_perisai.services.batch_holding import part_text

    # In words a volunteer knows, the time in the post's zone (issue 17): the JSON stays as it
    # was, for scripts.
    for line in verified.lines():
        ctx.say(line)
    ctx.say(tr("Rows in each part of the file:"))
    for part in manifest.get("parts", []):
        ctx.say(f"  {part_text(part['name'])}: {part['records']}")
    return EXIT_OK


def cmd_batch_import_ack(args: argparse.Namespace, ctx: Context) -> int:
    """Take in the branch's acknowledgement of a batch."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.acks import take_ack

    path = Path(args.file).expanduser()
    data = read_input_file(path, ACK_FILE_LIMIT)
    with open_app(ctx.folder, ctx.database_url) as app:
        taken = take_ack(app.db, data, path.name, ctx.acting(app.db), ctx.folder)
    if taken.already:
        ctx.say(tr("Batch {seq} was acknowledged already; nothing changed.", seq=taken.seq))
        return EXIT_OK
    ctx.say(
        tr(
            "Batch {seq} acknowledged by the branch: {rejected} rejected so far, {kpj} new KPJ "
            "numbers, {posts} other posts known.",
            seq=taken.seq,
            rejected=taken.rejected,
            kpj=taken.kpj_numbers,
            posts=taken.posts,
        )
    )
    for number in taken.newly_rejected:
        ctx.say(
            tr("Rejected by the branch: {regno} (its cards are no longer valid).", regno=number)
        )
    if taken.bpjs_known:
        ctx.say(
            tr(
                "{count} registration(s) were already registered with BPJS before; their "
                "KPJ numbers were attached.",
                count=taken.bpjs_known,
            )
        )
    return EXIT_OK


def cmd_batch_refunds(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.services.acks import refunds_due

    with open_app(ctx.folder, ctx.database_url) as app:
        rows = refunds_due(app.db)
    if args.json:
        ctx.emit_json([asdict(row) for row in rows])
        return EXIT_OK
    for row in rows:
        ctx.say(f"{row.receipt}\t{row.registration_no}\t{row.name}\t{row.total}\t{row.reason}")
    return EXIT_OK


def cmd_batch_list(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.services.acks import branch_view
    from rumah_perisai.services.batches import batches

    with open_app(ctx.folder, ctx.database_url) as app:
        rows = batches(app.db)
        lacking = set(branch_view(app.db).missing)
    # A batch the branch said it never received (a later one's acknowledgement): write it again.
    if args.json:
        ctx.emit_json(
            [asdict(row) | {"missing_at_branch": row.seq in lacking and row.state != "acknowledged"}
             for row in rows]
        )  # fmt: skip
        return EXIT_OK
    for row in rows:
        state = (
            "missing_at_branch"
            if row.seq in lacking and row.state != "acknowledged"
            else (row.state)
        )
        ctx.say(f"{row.seq}\t{row.created_on.isoformat()}\t{state}\t{row.records}\t{row.file_name}")
    return EXIT_OK


def register(commands: Commands) -> None:
    batch = commands.add_parser("batch", help=tr("the weekly batch for the branch"))
    batch_commands = batch.add_subparsers(dest="batch_command", required=True, parser_class=Parser)
    batch_export = batch_commands.add_parser(
        "export",
        help=tr(
            "write what is new since the last batch as one file in DIR; its path on the last line"
        ),
    )
    batch_export.add_argument("--out", type=path_text, required=True, metavar="DIR")
    batch_export.add_argument(
        "--again",
        type=whole_number(1, 999_999),
        metavar="SEQ",
        help=tr("write batch SEQ again, byte for byte the same"),
    )
    coordinator_option(batch_export, required=True)
    batch_export.set_defaults(handler=cmd_batch_export)
    batch_verify = batch_commands.add_parser(
        "verify", help=tr("check that a batch file is whole and whose it is (exit 1 with why not)")
    )
    batch_verify.add_argument("file", type=path_text, metavar="FILE")
    batch_verify.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    batch_verify.set_defaults(handler=cmd_batch_verify)
    import_ack = batch_commands.add_parser(
        "import-ack", help=tr("take in the branch's acknowledgement of a batch")
    )
    import_ack.add_argument("file", type=path_text, metavar="FILE")
    import_ack.set_defaults(handler=cmd_batch_import_ack)
    refunds = batch_commands.add_parser(
        "refunds", help=tr("dues paid for registrations the branch rejected, to pay back")
    )
    refunds.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    refunds.set_defaults(handler=cmd_batch_refunds)
    batch_list = batch_commands.add_parser("list", help=tr("this post's batches, newest first"))
    batch_list.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    batch_list.set_defaults(handler=cmd_batch_list)
