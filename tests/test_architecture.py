"""Qt stays in ``rumah_perisai/ui/``: the core serves the command line, the branch and the tests.
The branch has a room of its own (``rumah_perisai/branch/``): the post's rooms never reach into
it, and it never reaches into the window."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rumah_perisai"


def _core_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "ui" not in p.relative_to(PACKAGE).parts]


def _imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at load time or inside a function (a lazy import counts)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node.module, node.level)
            names.add(module)
            # ``from rumah_perisai import branch`` imports the room too.
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _absolute(path: Path, module: str | None, level: int) -> str:
    """A relative import's module by its full name (``from . import x`` in ``a/b.py``: ``a``)."""
    if level == 0:
        return module or ""
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def _reaches(path: Path, room: str) -> bool:
    return any(name == room or name.startswith(f"{room}.") for name in _imported(path))


def _imports_qt(path: Path) -> bool:
    return _reaches(path, "PySide6")


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


# The post's rooms: what runs at a post. The branch program is built on them, never the reverse.
POST_ROOMS = ("services", "db", "domain", "exchange", "printing")


def test_the_posts_rooms_never_import_the_branch() -> None:
    modules = [p for room in POST_ROOMS for p in (PACKAGE / room).rglob("*.py")]
    assert len(modules) > 40  # the rooms are where this test looks for them
    offenders = [
        str(p.relative_to(PACKAGE)) for p in modules if _reaches(p, "rumah_perisai.branch")
    ]
    assert offenders == []


def test_the_branch_never_imports_the_window() -> None:
    modules = list((PACKAGE / "branch").rglob("*.py"))
    assert len(modules) > 5
    offenders = [str(p.relative_to(PACKAGE)) for p in modules if _reaches(p, "rumah_perisai.ui")]
    assert offenders == []


def test_the_rule_sees_a_lazy_import_of_the_branch(tmp_path: Path) -> None:
    """The rules above find an import inside a function and one of the room by name."""
    lazy = tmp_path / "lazy.py"
    lazy.write_text("def f():\n    from rumah_perisai.branch.importer import import_batch\n")
    by_name = tmp_path / "by_name.py"
    by_name.write_text("from rumah_perisai import branch\n")
    unrelated = tmp_path / "unrelated.py"
    unrelated.write_text("from rumah_perisai.services.branch_keys import install_branch_key\n")
    assert _reaches(lazy, "rumah_perisai.branch")
    assert _reaches(by_name, "rumah_perisai.branch")
    assert not _reaches(unrelated, "rumah_perisai.branch")
    # A relative import is read by its full name: ``from ..branch import acks`` in services/.
    assert _absolute(PACKAGE / "services" / "x.py", "branch", 2) == "rumah_perisai.branch"
    assert _absolute(PACKAGE / "services" / "x.py", None, 1) == "rumah_perisai.services"
