"""``branch``: the branch office's commands (keys, posts, imports, KPJ numbers, updates)."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from rumah_perisai import formats
from rumah_perisai.cli.common import (
    KEY_FILE_LIMIT,
    SPREADSHEET_LIMIT,
    Commands,
    Context,
    Parser,
    TerminalProgress,
    path_text,
    regular_files,
)
from rumah_perisai.errors import EXIT_OK, EXIT_REFUSED, UserError
from rumah_perisai.files import read_input_file
from rumah_perisai.i18n import tr


def cmd_branch_init(args: argparse.Namespace, ctx: Context) -> int:
    """Make the branch's keys; the public key file's path alone on stdout."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import branch_keys, init_branch
    from rumah_perisai.keys import format_fingerprint

    with open_app(ctx.folder, ctx.database_url) as app:
        path = init_branch(app.db, ctx.folder, args.code, args.name, demo=args.demo)
        key = branch_keys(ctx.folder).public
    print(path.resolve(), file=ctx.out)
    print(tr("Fingerprint: {fp}", fp=format_fingerprint(key.fingerprint)), file=ctx.err)
    if key.demo:
        print(tr("A training branch: it takes demo posts' batches only."), file=ctx.err)
    return EXIT_OK


def cmd_branch_add_post(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import add_post
    from rumah_perisai.keys import format_fingerprint

    data = read_input_file(Path(args.file), KEY_FILE_LIMIT)
    with open_app(ctx.folder, ctx.database_url) as app:
        added = add_post(app.db, ctx.folder, data, ctx.acting(app.db))
    key = added.key
    fp = format_fingerprint(key.fingerprint)
    if added.unchanged:
        text = tr("Post {code} ({name}) was registered already with this key: {fp}", code=key.code,
                  name=key.name, fp=fp)  # fmt: skip
    else:
        text = tr("Post {code} ({name}) registered. Fingerprint: {fp}", code=key.code,
                  name=key.name, fp=fp)  # fmt: skip
    ctx.say(text)
    ctx.say(tr("Compare the fingerprint with the post by phone before importing its batches."))
    return EXIT_OK


def cmd_branch_suspend(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import set_suspended
    from rumah_perisai.services.volunteers import Actor

    reason = args.reason if args.branch_command == "suspend-post" else None
    with open_app(ctx.folder, ctx.database_url) as app:
        set_suspended(app.db, args.code, reason, Actor(label=ctx.actor()))
    return EXIT_OK


def cmd_branch_posts(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import branch_posts

    with open_app(ctx.folder, ctx.database_url) as app:
        rows = branch_posts(app.db)
    if args.json:
        ctx.emit_json([asdict(row) for row in rows])
        return EXIT_OK
    for row in rows:
        held = ",".join(str(s) for s in row.held) or "-"
        state = row.suspended_reason or "-"
        ctx.say(f"{row.code}\t{row.name}\t{row.last_seq}\t{held}\t{row.participants}\t{state}")
    return EXIT_OK


def cmd_branch_import(args: argparse.Namespace, ctx: Context) -> int:
    """Import batch files; each acknowledgement's path alone on a stdout line. Exit 1 when a
    batch is held behind a gap or a file is refused (those before it stay imported)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import ImportResult, import_files
    from rumah_perisai.services.volunteers import Actor

    progress = TerminalProgress(ctx.err)
    held = False

    def report(result: ImportResult) -> None:
        # Printed as each file is done: a file refused later leaves these lines standing.
        nonlocal held
        progress.finish()
        for done in (result, *result.followed):
            print(done.message(), file=ctx.err)
            if done.ack_path is not None:
                print(done.ack_path, file=ctx.out)
            held = held or done.state == "held"

    def kept(backup: Any) -> None:
        if backup.refusal is not None:
            print(backup.refusal.message(), file=ctx.err)
        elif backup.kept is not None:
            print(tr("Backup of post {post} kept: {path}", post=backup.post_code,
                     path=backup.kept), file=ctx.err)  # fmt: skip

    files = regular_files(args.files)
    with open_app(ctx.folder, ctx.database_url) as app:
        try:
            import_files(
                app.db,
                ctx.folder,
                files,
                Actor(label=ctx.actor()),
                gap_reason=args.allow_gap,
                progress=progress,
                on_result=report,
                on_backup=kept,
            )
        finally:
            progress.finish()
    code = EXIT_REFUSED if held else EXIT_OK
    if args.allow_gap:
        print(tr("Imported past a gap: recorded with the reason given."), file=ctx.err)
    return code


def cmd_branch_recover_post(args: argparse.Namespace, ctx: Context) -> int:
    """A post's backup re-issued for a one-time code: the new file's path, then the code, each
    alone on a line of stdout."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch.backups import recover_post

    _branch_folder(ctx)
    (path,) = regular_files([args.file])
    with open_app(ctx.folder, ctx.database_url) as app:
        recovered = recover_post(app.db, ctx.folder, path, Path(args.out).expanduser())
    print(tr("Give the post this file and, separately (by phone or in person), the one-time "
             "code below; it opens this file only."), file=ctx.err)  # fmt: skip
    print(recovered.path, file=ctx.out)
    print(recovered.one_time_code, file=ctx.out)
    return EXIT_OK


def cmd_branch_conflicts(args: argparse.Namespace, ctx: Context) -> int:
    """NIK conflicts between two posts' accepted members, waiting for an officer."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import pending_conflicts

    _branch_folder(ctx)
    with open_app(ctx.folder, ctx.database_url) as app:
        rows = pending_conflicts(app.db)
    if args.json:
        ctx.emit_json([asdict(row) for row in rows])
        return EXIT_OK
    for row in rows:
        a, b = row.first, row.second
        ctx.say(f"{row.id}\t{a.post_code}\t{a.registration_no}\t{b.post_code}\t"
                f"{b.registration_no}\t{row.found_on}")  # fmt: skip
    return EXIT_OK


def cmd_branch_decide(args: argparse.Namespace, ctx: Context) -> int:
    """An officer's decision on a NIK conflict: the registration kept; the other is rejected."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import decide_conflict
    from rumah_perisai.services.volunteers import Actor

    _branch_folder(ctx)
    with open_app(ctx.folder, ctx.database_url) as app:
        lost = decide_conflict(app.db, args.id, args.keep, args.reason, Actor(label=ctx.actor()))
    print(tr("Registration {regno} is rejected; its post hears it in its next acknowledgement.",
             regno=lost), file=ctx.err)  # fmt: skip
    return EXIT_OK


def _branch_folder(ctx: Context) -> None:
    from rumah_perisai.branch import is_branch

    if not is_branch(ctx.folder):
        raise UserError("not_a_branch", path=str(ctx.folder.root))


def cmd_branch_kpj_import(args: argparse.Namespace, ctx: Context) -> int:
    """Store the KPJ numbers of BPJS's spreadsheet; a summary, then each row not stored. Exit 1
    when no NIK of the file matched a participant, or the file is unusable (nothing changed)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch.xlsx import kpj_import
    from rumah_perisai.services.volunteers import Actor

    path = Path(args.file).expanduser()
    data = read_input_file(path, SPREADSHEET_LIMIT)
    _branch_folder(ctx)
    with open_app(ctx.folder, ctx.database_url) as app:
        result = kpj_import(app.db, path, Actor(label=ctx.actor()), data=data)
    ctx.say(
        tr(
            "KPJ numbers from {name}: {stored} stored, {unchanged} already stored, {unknown} "
            "unknown NIKs, {invalid} unusable rows, {conflicts} not overwritten.",
            name=path.name,
            stored=result.set,
            unchanged=result.unchanged,
            unknown=len(result.unknown),
            invalid=len(result.invalid),
            conflicts=len(result.conflicts),
        )
    )
    for conflict in result.conflicts:
        ctx.say(tr("Row {row}: {reason}", row=conflict.row, reason=conflict.message()))
    for row in result.invalid:
        ctx.say(tr("Row {row}: {reason}", row=row.row, reason=row.message()))
    for nik in result.unknown:
        ctx.say(tr("No participant with NIK {nik} at this branch.", nik=nik))
    if result.matched == 0:
        print(
            tr("No NIK in {name} matched a participant at this branch; nothing was stored.",
               name=path.name),
            file=ctx.err,
        )  # fmt: skip
        return EXIT_REFUSED
    return EXIT_OK


def cmd_branch_members_import(args: argparse.Namespace, ctx: Context) -> int:
    """Store BPJS's list of people already registered (issue 20); a summary, then each row not
    stored with its reason — or with ``--json`` the counts and the rows alone on stdout. Exit 1
    when no row of the file can be used, or the file is unusable (nothing changed)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import branch_keys
    from rumah_perisai.branch.members import members_import
    from rumah_perisai.services.volunteers import Actor

    path = Path(args.file).expanduser()
    data = read_input_file(path, SPREADSHEET_LIMIT)
    _branch_folder(ctx)
    keys = branch_keys(ctx.folder)
    with open_app(ctx.folder, ctx.database_url) as app:
        result = members_import(app.db, keys, path, Actor(label=ctx.actor()), data=data)
    problems = result.problems()
    if args.json:
        ctx.emit_json(
            result.counts() | {"rows": [{"row": row, "reason": why} for row, why in problems]}
        )
    else:
        ctx.say(
            tr(
                "BPJS member list {name}: {added} added, {unchanged} already listed, "
                "{conflicts} not overwritten, {invalid} unusable rows; KPJ numbers given to "
                "{attached} participants here.",
                name=path.name,
                added=formats.number(result.added),
                unchanged=formats.number(result.unchanged),
                conflicts=formats.number(len(result.conflicts)),
                invalid=formats.number(len(result.invalid)),
                attached=formats.number(result.kpj_attached),
            )
        )
        for row, why in problems:
            ctx.say(tr("Row {row}: {reason}", row=row, reason=why))
    if result.used == 0 and not result.conflicts:
        print(
            tr("No row of {name} could be used; nothing was stored.", name=path.name),
            file=ctx.err,
        )
        return EXIT_REFUSED
    return EXIT_OK


def cmd_branch_export(args: argparse.Namespace, ctx: Context) -> int:
    """Write the registrations and dues for BPJS's systems; the file's path alone on stdout."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch.xlsx import branch_export

    _branch_folder(ctx)
    with open_app(ctx.folder, ctx.database_url) as app:
        counts = branch_export(app.db, Path(args.out).expanduser())
    print(
        tr("{registrations} registrations and {receipts} receipts written.",
           registrations=counts.registrations, receipts=counts.receipts),
        file=ctx.err,
    )  # fmt: skip
    print(counts.path, file=ctx.out)
    return EXIT_OK


def cmd_branch_sign_update(args: argparse.Namespace, ctx: Context) -> int:
    """Sign an installer for the posts; the signature file's path alone on stdout."""
    from rumah_perisai.branch import branch_keys
    from rumah_perisai.services.updates import sign_update

    keys = branch_keys(ctx.folder)
    path = sign_update(
        Path(args.file).expanduser(), keys.public, keys.signing, version=args.version
    )
    print(path.resolve(), file=ctx.out)
    return EXIT_OK


def cmd_branch_post_subjects(args: argparse.Namespace, ctx: Context) -> int:
    """Whose data a post held on a day (UU PDP Art. 46, after a lost laptop): the spreadsheet's
    path alone on stdout, or with ``--json`` the counts (never a person's data)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch.subjects import write_post_subjects

    _branch_folder(ctx)
    with open_app(ctx.folder, ctx.database_url) as app:
        summary = write_post_subjects(app.db, args.code, args.on, Path(args.out).expanduser())
    print(
        tr("{count} participants whose data post {post} held on {day} ({erased} erased since) "
           "written.", count=summary.participants, post=summary.post, day=summary.on,
           erased=summary.erased_since),
        file=ctx.err,
    )  # fmt: skip
    if args.json:
        ctx.emit_json(asdict(summary))
    else:
        print(summary.path, file=ctx.out)
    return EXIT_OK


def _day_argument(text: str) -> date:
    """``2026-11-27``; anything else is wrong usage."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text[:24]!r}: YYYY-MM-DD") from error


def _count_argument(text: str) -> int:
    """A whole number argument of sane size (a 5,000-digit number is wrong usage, not a crash)."""
    if not text.isdigit() or len(text) > 12:
        raise argparse.ArgumentTypeError(tr("not a number: {text}", text=text[:20]))
    return int(text)


def register(commands: Commands) -> None:
    branch = commands.add_parser("branch", help=tr("the branch office: keys, posts, imports"))
    branch_commands = branch.add_subparsers(
        dest="branch_command", required=True, parser_class=Parser
    )
    branch_init = branch_commands.add_parser(
        "init", help=tr("make the branch's keys; prints the public key file's path")
    )
    branch_init.add_argument("--code", default="CABANG", metavar="CODE")
    branch_init.add_argument("--name", default="Kantor Cabang BPJS Ketenagakerjaan", metavar="NAME")
    branch_init.add_argument(
        "--demo", action="store_true", help=tr("a training branch: demo posts only")
    )
    branch_init.set_defaults(handler=cmd_branch_init)
    branch_add = branch_commands.add_parser("add-post", help=tr("register a post's key file"))
    branch_add.add_argument("file", type=path_text, metavar="FILE")
    branch_add.set_defaults(handler=cmd_branch_add_post)
    suspend = branch_commands.add_parser(
        "suspend-post", help=tr("refuse a post's batches until it is resumed")
    )
    suspend.add_argument("code", metavar="CODE", type=str.upper)
    suspend.add_argument("--reason", required=True)
    suspend.set_defaults(handler=cmd_branch_suspend)
    resume = branch_commands.add_parser("resume-post", help=tr("take a post's batches again"))
    resume.add_argument("code", metavar="CODE", type=str.upper)
    resume.set_defaults(handler=cmd_branch_suspend)
    branch_list = branch_commands.add_parser("posts", help=tr("the posts this branch knows"))
    branch_list.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    branch_list.set_defaults(handler=cmd_branch_posts)
    branch_import = branch_commands.add_parser(
        "import", help=tr("import batch files; writes each acknowledgement beside its batch")
    )
    branch_import.add_argument("files", type=path_text, nargs="+", metavar="FILE")
    branch_import.add_argument(
        "--allow-gap",
        metavar="REASON",
        help=tr("import past a missing batch (the reason is recorded)"),
    )
    branch_import.set_defaults(handler=cmd_branch_import)
    conflicts = branch_commands.add_parser(
        "conflicts", help=tr("NIK conflicts between posts waiting for an officer's decision")
    )
    conflicts.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    conflicts.set_defaults(handler=cmd_branch_conflicts)
    decide = branch_commands.add_parser(
        "decide", help=tr("decide a NIK conflict: which registration stands")
    )
    decide.add_argument("id", metavar="ID", type=_count_argument)
    decide.add_argument("--keep", required=True, metavar="REGNO")
    decide.add_argument("--reason", required=True)
    decide.set_defaults(handler=cmd_branch_decide)
    branch_kpj = branch_commands.add_parser(
        "kpj-import", help=tr("store KPJ numbers from BPJS's spreadsheet (columns NIK and KPJ)")
    )
    branch_kpj.add_argument("file", type=path_text, metavar="FILE.xlsx")
    branch_kpj.set_defaults(handler=cmd_branch_kpj_import)
    members = branch_commands.add_parser(
        "members-import",
        help=tr("store BPJS's list of people already registered (columns NIK and KPJ)"),
    )
    members.add_argument("file", type=path_text, metavar="FILE.xlsx")
    members.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    members.set_defaults(handler=cmd_branch_members_import)
    branch_export = branch_commands.add_parser(
        "export", help=tr("write registrations and dues to a spreadsheet for BPJS's systems")
    )
    branch_export.add_argument(
        "--out",
        type=path_text,
        required=True,
        metavar="FILE.xlsx",
        help=tr("the spreadsheet file to write"),
    )
    branch_export.set_defaults(handler=cmd_branch_export)

    subjects = branch_commands.add_parser(
        "post-subjects",
        help=tr("whose data a post held on a day (after a lost laptop): a spreadsheet"),
    )
    subjects.add_argument("code", metavar="CODE", type=str.upper)
    subjects.add_argument("--on", required=True, type=_day_argument, metavar="DATE",
                          help="YYYY-MM-DD")  # fmt: skip
    subjects.add_argument("--out", type=path_text, required=True, metavar="FILE.xlsx",
                          help=tr("the spreadsheet file to write"))  # fmt: skip
    subjects.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    subjects.set_defaults(handler=cmd_branch_post_subjects)

    recover = branch_commands.add_parser(
        "recover-post",
        help=tr("re-issue a post's backup for a one-time code (prints the file, then the code)"),
    )
    recover.add_argument("file", type=path_text, metavar="FILE")
    recover.add_argument("--out", type=path_text, required=True, metavar="DIR")
    recover.set_defaults(handler=cmd_branch_recover_post)

    # --- updates on the stick (issue 15) ---
    sign_update = branch_commands.add_parser(
        "sign-update", help=tr("sign an installer for the posts (writes SETUP.EXE.sig beside it)")
    )
    sign_update.add_argument("file", metavar="SETUP.EXE")
    sign_update.add_argument("--version", help=tr("its version, when its name does not say"))
    sign_update.set_defaults(handler=cmd_branch_sign_update)
