"""Where the shipped data files (rate tables, area codes, fonts) are.

In a source checkout or an editable install they are in the top-level ``resources/`` folder; a
wheel carries the same folder as ``rumah_perisai/_resources`` (see ``pyproject.toml``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def resources_dir() -> Path:
    for candidate in (_PACKAGE / "_resources", _PACKAGE.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the resources folder of rumah_perisai is missing")


@cache
def migrations_dir() -> Path:
    for candidate in (_PACKAGE / "_migrations", _PACKAGE.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("the migrations folder of rumah_perisai is missing")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
