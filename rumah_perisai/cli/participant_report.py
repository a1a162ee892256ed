"""Commands of the ``participant`` group (``cli/participant.py``): filled in by issue 19."""

from __future__ import annotations

import argparse

from rumah_perisai.cli.common import Parser


def register(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add this module's commands to the ``participant`` group."""
