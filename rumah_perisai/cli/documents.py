"""The documents the window prints, written by the command line (issue 18, item 3).

``receipt print NUMBER --out F``, ``cash summary DATE --out F``, ``calls --out F.xlsx|F.pdf`` and
``incentives statement MONTH --volunteer NAME --out F``: the same bytes the window shows, made by
the same ``printing`` entry points (``stored_receipt``, ``daily_summary``, ``call_list_file``,
``volunteer_statement``). Each follows the convention in ``cli``: the written path alone on
stdout, a refusal in one line on stderr, and a file already at ``--out`` is never overwritten
(as ``card print``): nothing is written and nothing changed on a refusal. None of them changes
the database, so none needs ``--coordinator``: the window lets any volunteer print them.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rumah_perisai.cli.common import Commands, Context, path_text, whole_number
from rumah_perisai.domain.receipts import RECEIPT_LAYOUTS
from rumah_perisai.errors import EXIT_OK, UserError
from rumah_perisai.i18n import tr

if TYPE_CHECKING:
    from rumah_perisai.db.uow import Database

CALL_LIST_SUFFIXES = {".xlsx": "xlsx", ".pdf": "pdf"}


# --- argument types -------------------------------------------------------------------------------


def _day(text: str) -> date:
    """``2026-11-27``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text[:24]!r}: YYYY-MM-DD") from error


def _month(text: str) -> date:
    """``2026-11``: the month's first day."""
    try:
        year, month = text.strip().split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return date(int(year), int(month), 1)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text[:24]!r}: YYYY-MM") from error


def _out(args: argparse.Namespace) -> Path:
    """``--out`` as an absolute path (what is printed is what was written); a file already
    there is refused before anything is read or drawn."""
    path = Path(args.out).absolute()
    if path.exists() or path.is_symlink():
        raise UserError("out_exists" if path.is_file() else "out_not_a_file", path=str(path))
    return path


def _written(ctx: Context, path: Path, data: bytes) -> int:
    from rumah_perisai.printing.output import write_document

    write_document(path, data)
    print(path, file=ctx.out)
    return EXIT_OK


def _volunteer_id(db: Database, name: str) -> int:
    """The account of the post called ``name`` (any case, spaces as typed in the window)."""
    from rumah_perisai.services.volunteers import accounts

    wanted = " ".join(name.split()).casefold()
    for account in accounts(db):
        if " ".join(account.name.split()).casefold() == wanted:
            return account.id
    raise UserError("volunteer_missing", ref=name.strip())


def _post_today(db: Database) -> date:
    """Today at the post, in its own time zone (the dashboard's day)."""
    from rumah_perisai.domain.timezones import local_date
    from rumah_perisai.services.posts import post_summary

    summary = post_summary(db)
    if summary is None:
        raise UserError("no_post")
    return local_date(db.clock(), summary.timezone)


# --- commands -------------------------------------------------------------------------------------


def cmd_receipt_print(args: argparse.Namespace, ctx: Context) -> int:
    """Receipt NUMBER (a payment or a void) as the window reprints it: marked SALINAN, since
    the original was printed when it was made; in the post's receipt layout or ``--layout``."""
    from rumah_perisai.app import open_app
    from rumah_perisai.printing.receipts import stored_receipt
    from rumah_perisai.services.access import record_receipt_print
    from rumah_perisai.services.dues import find_receipt
    from rumah_perisai.services.settings import RECEIPT_LAYOUT, get_setting

    out = _out(args)
    with open_app(ctx.folder, ctx.database_url) as app:
        receipt_id = find_receipt(app.db, args.number)
        layout = args.layout or str(get_setting(app.db, RECEIPT_LAYOUT))
        paper = stored_receipt(app.db, app.folder.keys, receipt_id, layout, copy=True)
        # Recorded before the file is written: an export is never left unrecorded (a write
        # that then fails leaves a record of a look at data that was drawn, not a gap).
        record_receipt_print(app.db, ctx.acting(app.db), receipt_id)
    return _written(ctx, out, paper.pdf)


def cmd_cash_summary(args: argparse.Namespace, ctx: Context) -> int:
    """The daily summary of DATE's close (the newest, when the day was closed twice)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.printing.cash import daily_summary
    from rumah_perisai.services.access import Doc, Look, record_registration_nos
    from rumah_perisai.services.cash import close_of_day

    out = _out(args)
    with open_app(ctx.folder, ctx.database_url) as app:
        paper = daily_summary(app.db, close_of_day(app.db, args.day))
        numbers = [receipt.registration_no for receipt in paper.doc.receipts]
        record_registration_nos(app.db, ctx.acting(app.db), Look.LIST, numbers, Doc.CASH_SUMMARY)
    return _written(ctx, out, paper.pdf)


def cmd_calls(args: argparse.Namespace, ctx: Context) -> int:
    """Today's call list with the dashboard's filters, a spreadsheet or paper by ``--out``'s
    extension."""
    from rumah_perisai.app import open_app
    from rumah_perisai.printing.call_list import call_list_file
    from rumah_perisai.services.access import Doc, Look, record_access

    out = _out(args)
    kind = CALL_LIST_SUFFIXES.get(out.suffix.lower())
    if kind is None:
        raise UserError("calls_out_kind", path=str(out))
    desa = _desa_code(args.desa)
    with open_app(ctx.folder, ctx.database_url) as app:
        volunteer = _volunteer_id(app.db, args.volunteer) if args.volunteer else None
        paper = call_list_file(
            app.db,
            _post_today(app.db),
            kind,
            within_days=args.within,
            desa_code=desa,
            volunteer_id=volunteer,
        )
        what = Doc.CALL_LIST_XLSX if kind == "xlsx" else Doc.CALL_LIST_PDF
        ids = [row.participant_id for row in paper.rows]
        record_access(app.db, ctx.acting(app.db), Look.LIST, ids, what)
    return _written(ctx, out, paper.data)


def _desa_code(text: str | None) -> str | None:
    """A desa/kelurahan code as the dashboard's filter holds one (``32.09.14.2001``)."""
    from rumah_perisai import areas

    if text is None:
        return None
    code = text.strip()
    if code.count(".") != 3 or areas.area(code) is None:
        raise UserError("desa_unknown", code=code[:40])
    return code


def cmd_incentives_statement(args: argparse.Namespace, ctx: Context) -> int:
    """A volunteer's incentive statement for MONTH, as the dashboard prints it."""
    from rumah_perisai.app import open_app
    from rumah_perisai.printing.incentives import volunteer_statement

    out = _out(args)
    with open_app(ctx.folder, ctx.database_url) as app:
        volunteer = _volunteer_id(app.db, args.volunteer)
        paper = volunteer_statement(app.db, volunteer, args.month)
    return _written(ctx, out, paper.pdf)


# --- the parser -----------------------------------------------------------------------------------


def register_receipt_print(receipt_commands: Any) -> None:
    """``receipt print``: added by the ``receipts`` group (``cli/receipts.py``) to its own
    subcommands, beside ``verify`` and ``reenter``."""
    receipt_print = receipt_commands.add_parser(
        "print",
        help=tr("write a receipt as PDF, marked SALINAN as the window's reprint is"),
    )
    receipt_print.add_argument("number", metavar="NUMBER")
    receipt_print.add_argument("--out", type=path_text, required=True, metavar="FILE.pdf")
    receipt_print.add_argument(
        "--layout", choices=RECEIPT_LAYOUTS, help=tr("paper layout; default: the post's setting")
    )
    receipt_print.set_defaults(handler=cmd_receipt_print)


def register(commands: Commands) -> None:
    """The ``cash``, ``calls`` and ``incentives`` commands (their parser class reports wrong
    usage as exit 2)."""
    from rumah_perisai.services.call_list import DEFAULT_WITHIN_DAYS, MAX_WITHIN_DAYS

    cash = commands.add_parser("cash", help=tr("the daily cash close's papers"))
    cash_commands = cash.add_subparsers(dest="cash_command", required=True, parser_class=type(cash))
    summary = cash_commands.add_parser(
        "summary", help=tr("write the daily summary of a closed day as PDF")
    )
    summary.add_argument("day", type=_day, metavar="DATE", help="YYYY-MM-DD")
    summary.add_argument("--out", type=path_text, required=True, metavar="FILE.pdf")
    summary.set_defaults(handler=cmd_cash_summary)

    calls = commands.add_parser(
        "calls", help=tr("write today's call list as a spreadsheet (.xlsx) or for paper (.pdf)")
    )
    calls.add_argument("--out", type=path_text, required=True, metavar="FILE.xlsx|FILE.pdf")
    calls.add_argument(
        "--within",
        type=whole_number(0, MAX_WITHIN_DAYS),
        default=DEFAULT_WITHIN_DAYS,
        metavar="DAYS",
        help=tr(
            "those whose cover ends within DAYS days (default {days}), and all in arrears",
            days=DEFAULT_WITHIN_DAYS,
        ),  # fmt: skip
    )
    calls.add_argument("--desa", metavar="CODE", help=tr("only this desa/kelurahan"))
    calls.add_argument(
        "--volunteer", metavar="NAME", help=tr("only those this volunteer registered")
    )
    calls.set_defaults(handler=cmd_calls)

    incentives = commands.add_parser("incentives", help=tr("volunteers' monthly incentives"))
    incentive_commands = incentives.add_subparsers(
        dest="incentives_command", required=True, parser_class=type(incentives)
    )
    statement = incentive_commands.add_parser(
        "statement", help=tr("write a volunteer's incentive statement for a month as PDF")
    )
    statement.add_argument("month", type=_month, metavar="MONTH", help="YYYY-MM")
    statement.add_argument("--volunteer", required=True, metavar="NAME")
    statement.add_argument("--out", type=path_text, required=True, metavar="FILE.pdf")
    statement.set_defaults(handler=cmd_incentives_statement)
