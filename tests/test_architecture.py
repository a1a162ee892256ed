"""The rooms of the program and what each may import: Qt stays in ``rumah_perisai/ui/`` (the core
serves the command line, the branch and the tests), the command line loads no window, keys import
nothing above them (issue 18)."""

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


# --- Which room may import which (issue 18) ------------------------------------------------------
#
# ``_imported`` lists the program's own modules a file imports: ``from rumah_perisai import areas``
# counts as ``rumah_perisai.areas``. ``top_level`` leaves out imports inside functions (lazy ones).


def _imported(path: Path, *, top_level: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = _module_level(tree.body) if top_level else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("rumah_perisai"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rumah_perisai"):
            if node.module == "rumah_perisai":
                found.update(f"rumah_perisai.{a.name}" for a in node.names)
            else:
                found.add(str(node.module))
    return found


def _module_level(body: list[ast.stmt]) -> list[ast.AST]:
    """The statements run when the module is imported: its body, and what is inside its ``if``,
    ``try`` and ``with`` blocks, but not function or class bodies."""
    found: list[ast.AST] = []
    for statement in body:
        found.append(statement)
        if isinstance(statement, ast.If | ast.With):
            found.extend(_module_level(statement.body))
            found.extend(_module_level(getattr(statement, "orelse", [])))
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                found.extend(_module_level(block))
            for handler in statement.handlers:
                found.extend(_module_level(handler.body))
    return found


def _within(name: str, rooms: tuple[str, ...]) -> bool:
    return any(name == room or name.startswith(room + ".") for room in rooms)


def _room(room: str) -> list[Path]:
    return sorted((PACKAGE / room).rglob("*.py"))


def test_the_command_line_imports_no_window_when_loaded() -> None:
    """``cli/`` works without Qt: only ``main`` opens the window (``ui.launch``), and only when
    no command was given, so it imports it inside the function."""
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            n for n in _imported(path, top_level=True) if _within(n, ("rumah_perisai.ui",))
        )
        for path in _room("cli")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_loading_the_command_line_and_its_parser_loads_no_window_module() -> None:
    code = (
        "import sys, rumah_perisai.cli\n"
        "rumah_perisai.cli.build_parser()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('rumah_perisai.ui', 'PySide6'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_nothing_in_the_program_runs_the_command_line_but_its_entry_point() -> None:
    """The window, services and the rest never call commands: the command line is a client of
    the core like the window, reached only through ``python -m rumah_perisai``."""
    users = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "cli" not in path.relative_to(PACKAGE).parts
        and path.name != "__main__.py"
        and any(_within(n, ("rumah_perisai.cli",)) for n in _imported(path))
    ]
    assert users == []


# What ``keys/`` may use: it sits below services/, branch/, cli/, ui/ and printing/, which all
# import it. Of ``exchange/`` only the byte-level helpers: the batch, ACK and backup formats there
# import keys, so keys importing them would be a circle.
KEYS_MAY_IMPORT = (
    "rumah_perisai.keys",
    "rumah_perisai.errors",
    "rumah_perisai.domain",
    "rumah_perisai.files",
    "rumah_perisai.exchange.canonical",
    "rumah_perisai.exchange.safe_write",
    "rumah_perisai.db",  # keys/installed.py only, see the next test
)


def test_keys_import_only_what_lies_below_them() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            n for n in _imported(path) if not _within(n, KEYS_MAY_IMPORT)
        )
        for path in _room("keys")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_only_the_installed_keys_touch_the_database() -> None:
    """The post's key and the key files are pure cryptography and files (the exchange formats
    and the branch read them with no database); what a post has installed is the one part kept
    in the database."""
    with_database = [
        path.name
        for path in _room("keys")
        if any(_within(n, ("rumah_perisai.db",)) for n in _imported(path))
        or "sqlalchemy" in path.read_text(encoding="utf-8")
    ]
    assert with_database == ["installed.py"]


# --- documents in one room (issue 18, item 3) -----------------------------------------------------
# Services give plain data; ``printing/`` alone draws. ``printing`` may read services' data types,
# never the other way round.
SERVICES = PACKAGE / "services"
PRINTING = "rumah_perisai.printing"


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
