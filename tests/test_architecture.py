"""Qt stays in ``rumah_perisai/ui/``: the core serves the command line, the branch and the tests."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rumah_perisai"


def _core_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "ui" not in p.relative_to(PACKAGE).parts]


def _imports_qt(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "PySide6" for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "PySide6":
            return True
    return False


def test_no_module_outside_ui_imports_pyside6() -> None:
    offenders = [str(p.relative_to(PACKAGE)) for p in _core_modules() if _imports_qt(p)]
    assert offenders == []


@pytest.mark.slow
def test_importing_the_whole_core_loads_no_qt() -> None:
    """Also catches Qt pulled in indirectly, through a library or a lazy import at load time."""
    names = [
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in _core_modules()
        if p.name != "__main__.py"
    ]
    code = "import importlib, sys\n"
    code += "".join(f"importlib.import_module({n!r})\n" for n in names)
    code += "print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
