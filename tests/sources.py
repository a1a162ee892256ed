"""The program's source files parsed once per test process: the architecture and packaging rules
read every module, and parsing ~200 files cost 1–2.5 s each time a rule did it."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path


@cache
def _parsed(source: str) -> ast.Module:
    return ast.parse(source)


def tree(path: Path) -> ast.Module:
    """``path`` parsed (read again each call, parsed again only when its text changed). The
    tree is shared: read it, never change it."""
    return _parsed(path.read_text(encoding="utf-8"))
