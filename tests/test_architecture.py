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


# --- documents in one room (issue 18, item 3) -----------------------------------------------------
# Services give plain data; ``printing/`` alone draws. ``printing`` may read services' data types,
# never the other way round.
SERVICES = PACKAGE / "services"
PRINTING = "rumah_perisai.printing"
# Until the merge of issue 18 only: names other engineers' files still import from the old place,
# loaded lazily by a module ``__getattr__`` (never at import). The lead empties this at merge.
_LAZY_UNTIL_MERGE = {"cards.py", "call_list.py"}


def _printing_imports(path: Path) -> list[str]:
    """Every ``import``/``from ... import`` of ``printing`` in ``path``, and every
    ``importlib.import_module("rumah_perisai.printing...")`` (a lazy import is one too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith(PRINTING)]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.startswith(PRINTING) or (
                module == "rumah_perisai" and any(a.name == "printing" for a in node.names)
            ):
                found.append(module)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith(PRINTING)
        ):
            found.append(f"lazy {node.value}")
    return found


def test_no_service_imports_printing() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): names
        for path in sorted(SERVICES.rglob("*.py"))
        if (names := _printing_imports(path))
        and not (path.name in _LAZY_UNTIL_MERGE and all(n.startswith("lazy") for n in names))
    }
    assert offenders == {}


def test_importing_every_service_loads_no_printing() -> None:
    """Also catches ``printing`` pulled in at load time through another module."""
    names = [
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in sorted(SERVICES.rglob("*.py"))
    ]
    code = "import importlib, sys\n"
    code += "".join(f"importlib.import_module({n!r})\n" for n in names)
    code += f"print(sorted(m for m in sys.modules if m.startswith({PRINTING!r})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
