"""``areas``, ``nik`` and ``settings``: look-ups and settings that need no post."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import date

from rumah_perisai import areas
from rumah_perisai.cli.common import (
    Commands,
    Context,
    Parser,
    whole_number,
)
from rumah_perisai.config import LANGUAGES, LocalSettings
from rumah_perisai.errors import EXIT_OK
from rumah_perisai.i18n import set_language, tr
from rumah_perisai.messages import MESSAGES


def cmd_areas(args: argparse.Namespace, ctx: Context) -> int:
    if args.level == "kabupaten":
        found = areas.search_regencies(args.query, limit=args.limit)
    else:
        found = areas.search_villages(args.query, regency_code=args.kabupaten, limit=args.limit)
    if args.json:
        ctx.emit_json(
            [{"code": a.code, "name": a.name, "full_name": areas.full_name(a.code)} for a in found]
        )
        return EXIT_OK
    if not found:  # like `search`: nothing found is an answer, not a failure
        print(tr(MESSAGES["no_area_match"], query=args.query), file=ctx.err)
        return EXIT_OK
    for found_area in found:
        ctx.say(f"{found_area.code}\t{areas.full_name(found_area.code)}")
    return EXIT_OK


def cmd_nik(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.domain.nik import validate_nik

    info = validate_nik(args.nik, birth_date=args.birth_date, sex=args.sex)
    result = asdict(info)
    region = areas.area(info.district_code) or areas.area(info.regency_code)
    result["region"] = areas.full_name(region.code) if region else None
    if args.json:
        ctx.emit_json(result)
    else:
        for key, value in result.items():
            ctx.say(f"{key}: {value}")
    return EXIT_OK


def cmd_settings(args: argparse.Namespace, ctx: Context) -> int:
    settings = LocalSettings.load(ctx.folder, environ={})
    if args.value is None:
        ctx.say(settings.language)
        return EXIT_OK
    settings.language = args.value
    ctx.folder.ensure_writable()
    settings.save(ctx.folder)
    set_language(settings.language)
    ctx.say(tr("Language set to {language}.", language=settings.language))
    return EXIT_OK


def _birth_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: YYYY-MM-DD") from error


def register(commands: Commands) -> None:
    area_cmd = commands.add_parser(
        "areas", help=tr("look up Kemendagri area codes (kabupaten or desa)")
    )
    area_cmd.add_argument("level", choices=["kabupaten", "desa"])
    area_cmd.add_argument("query")
    area_cmd.add_argument(
        "--kabupaten",
        metavar="CODE",
        help=tr(
            "kabupaten/kota code, e.g. 32.09 (find it with: rumah-perisai areas kabupaten NAME)"
        ),
    )
    area_cmd.add_argument("--limit", type=whole_number(1, 1000), default=20)
    area_cmd.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    area_cmd.set_defaults(handler=cmd_areas)

    nik = commands.add_parser("nik", help=tr("check a NIK"))
    nik.add_argument("nik")
    nik.add_argument("--birth-date", type=_birth_date, metavar="YYYY-MM-DD")
    nik.add_argument("--sex", choices=["L", "P"], type=str.upper)
    nik.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    nik.set_defaults(handler=cmd_nik)

    settings = commands.add_parser("settings", help=tr("show or change settings"))
    settings_commands = settings.add_subparsers(dest="setting", required=True, parser_class=Parser)
    language = settings_commands.add_parser("language", help=tr("message language: id or en"))
    language.add_argument("value", nargs="?", choices=LANGUAGES)
    settings.set_defaults(handler=cmd_settings)
