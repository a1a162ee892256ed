"""``participant ...``: what a coordinator does for one person about their own data (UU PDP;
docs/personal-data.md). The group is made here; its commands live beside it, one module each:
``cli/participant_report.py`` (``participant report``) and ``cli/participant_requests.py``
(``participant request``, ``withdraw``, ``erase``, ``requests``)."""

from __future__ import annotations

from rumah_perisai.cli import participant_report, participant_requests
from rumah_perisai.cli.common import Commands, Parser
from rumah_perisai.i18n import tr


def register(commands: Commands) -> None:
    group = commands.add_parser(
        "participant", help=tr("a person's own data: their report, requests, withdrawal, erasure")
    )
    sub = group.add_subparsers(dest="participant_command", required=True, parser_class=Parser)
    participant_report.register(sub)
    participant_requests.register(sub)
