"""``import participants FILE``: a list the post kept before this program, checked and imported
(issue 20; docs/sheet-import.md). A coordinator's (``--coordinator NAME``, the PIN on stdin).

``--dry-run`` checks and saves nothing; without it the command checks and imports at once, and
only with ``--consent-confirmed`` (the people on the list signed their consent on paper).
Possible duplicates are never imported here: a person decides them in the window. ``--json``
puts ``{"rows": [{"row", "status", "reason"}...], "summary": {status: count}}`` alone on
stdout (rows of the spreadsheet, 1 = the header); ``--result FILE.xlsx`` writes the rows with
their status and reason, refused first, to fix and import again. Exit 0 when the file was
read and checked (refused rows are the file's, said per row), 1 when it could not be.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rumah_perisai.cli.common import (
    Commands,
    Context,
    Parser,
    TerminalProgress,
    coordinator_option,
    output_path,
    path_text,
)
from rumah_perisai.errors import EXIT_OK
from rumah_perisai.i18n import tr


def cmd_participants(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.errors import UserError
    from rumah_perisai.services.sheet_import import (
        check,
        guess_mapping,
        import_checked,
        mapping_from_file,
        read_sheet,
        remember_mapping,
        remembered_mapping,
    )

    if not args.dry_run and not args.consent_confirmed:
        raise UserError("import_consent_needed")
    result_path = output_path(args.result) if args.result else None
    if result_path is not None and (result_path.exists() or result_path.is_symlink()):
        key = "out_exists" if result_path.is_file() else "out_not_a_file"
        raise UserError(key, path=str(result_path))
    if result_path is not None and not result_path.parent.is_dir():  # said before, not after
        raise UserError("out_folder_missing", path=str(result_path.parent))
    with open_app(ctx.folder, ctx.database_url) as app:
        actor = ctx.acting(app.db)  # the coordinator first: nobody else's file is even read
        sheet = read_sheet(Path(args.file).expanduser(), args.sheet)
        if args.mapping:
            mapping = mapping_from_file(Path(args.mapping).expanduser(), sheet)
        else:
            mapping = remembered_mapping(app.folder, sheet) or guess_mapping(sheet)
        progress = TerminalProgress(ctx.err)
        try:
            if args.dry_run:
                checked = check(app.db, app.folder, sheet, mapping, progress=progress)
                imported = None
            else:
                imported = import_checked(
                    app.db, app.folder, check(app.db, app.folder, sheet, mapping), actor,
                    consent_confirmed=True, progress=progress,
                )  # fmt: skip
                checked = imported.checked
        finally:
            progress.finish()
        if args.mapping:
            remember_mapping(app.folder, sheet, mapping)
    if result_path is not None:
        from rumah_perisai.printing.import_result import write_result

        try:
            write_result(result_path, checked)
        except UserError as error:
            if imported is None:
                raise
            # The import is committed: say so, not only that the file could not be written.
            raise UserError("import_result_unwritten", reason=str(error)) from error
    if args.json:
        ctx.emit_json(_as_json(checked, imported))
        return EXIT_OK
    _say(ctx, checked, imported, result_path)
    return EXIT_OK


def _as_json(checked: Any, imported: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "rows": [
            {"row": r.row, "status": r.status.value, "reason": r.reason} for r in checked.rows
        ],
        "summary": checked.summary(),
        "columns": checked.mapping.as_json(checked.sheet.headers),
        "sheet": checked.sheet.name,
        "notes": list(checked.notes),
    }
    if imported is not None:
        document["imported"] = {
            "registered": imported.registered,
            "updated": imported.updated,
            "not_imported": imported.not_imported,
            "unchanged": imported.unchanged,
            "statuses": imported.statuses,
        }
    return document


def _say(ctx: Context, checked: Any, imported: Any, result_path: Path | None) -> None:
    from rumah_perisai.services.sheet_import import STATUS_ORDER, field_label, status_label

    columns = ", ".join(
        f"{header or '?'} → {field_label(field)}"
        for header, field in zip(checked.sheet.headers, checked.mapping.columns, strict=True)
        if field is not None
    )
    ctx.say(tr("Columns: {columns}", columns=columns))
    for row in checked.ordered():
        if row.status.value in ("refused", "possible_duplicate"):
            ctx.say(f"{tr('row {row}', row=row.row)}\t{status_label(row.status)}\t{row.reason}")
    counts = checked.summary()
    ctx.say(
        "; ".join(f"{status_label(s)}: {counts[s.value]}" for s in STATUS_ORDER if counts[s.value])
    )
    notes = imported.notes if imported is not None else checked.notes
    for note in notes:
        ctx.say(note)
    if imported is None:
        ctx.say(tr("Dry run: nothing was saved."))
    if counts["possible_duplicate"]:
        ctx.say(tr("Possible duplicates are imported only when a person decides, in the window."))
    if result_path is not None:
        ctx.say(str(result_path))


def register(commands: Commands) -> None:
    group = commands.add_parser("import", help=tr("bring in lists kept before this program"))
    sub = group.add_subparsers(dest="import_command", required=True, parser_class=Parser)
    participants = sub.add_parser(
        "participants",
        help=tr("check and import participants from a spreadsheet (XLSX or CSV)"),
    )
    participants.add_argument(
        "file", metavar="FILE", type=path_text, help=tr("the XLSX or CSV file")
    )
    participants.add_argument("--sheet", metavar="NAME", help=tr("the workbook's sheet to read"))
    participants.add_argument(
        "--mapping", metavar="FILE", type=path_text,
        help=tr('JSON of column to field, e.g. {"No KTP": "nik"}; default: guessed'),
    )  # fmt: skip
    participants.add_argument(
        "--dry-run", action="store_true", help=tr("check every row and save nothing")
    )
    participants.add_argument(
        "--consent-confirmed", action="store_true",
        help=tr("the people on the list signed their consent on paper (needed to import)"),
    )  # fmt: skip
    participants.add_argument(
        "--result", metavar="FILE.xlsx", type=path_text,
        help=tr("write every row with its status and reason, refused first"),
    )  # fmt: skip
    participants.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    coordinator_option(participants, required=True)
    participants.set_defaults(handler=cmd_participants)
