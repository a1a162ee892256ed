"""The rooms of the program and what each may import, as ``docs/architecture.md`` states them.

Every rule reads the source (``ast``): an import inside a function counts as much as one at the
top, ``from rumah_perisai import branch`` counts as importing the branch, relative imports are
read by their full name. Only imports under ``if TYPE_CHECKING:`` are left out: they are type
names for the checker and never run. Two rules also import the code in a fresh interpreter, to
catch a room pulled in indirectly (through a library, or another module at load time).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.sources import tree

PACKAGE = Path(__file__).resolve().parent.parent / "rumah_perisai"
TOP = "rumah_perisai"


# --- reading the imports --------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    name: str  # the module, e.g. ``rumah_perisai.branch.importer`` or ``sqlalchemy.orm``
    lazy: bool  # inside a function: runs when called, not when the module is loaded


def imports_of(path: Path) -> frozenset[Imported]:
    """Every module ``path`` imports, except under ``if TYPE_CHECKING:``."""
    return _imports_of(path, tree(path))


@cache
def _imports_of(path: Path, module: ast.Module) -> frozenset[Imported]:
    found: set[Imported] = set()

    def visit(node: ast.AST, lazy: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.orelse:
                visit(statement, lazy)
            return
        if isinstance(node, ast.Import):
            found.update(Imported(a.name, lazy) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node.module, node.level)
            found.add(Imported(module, lazy))
            # ``from rumah_perisai import branch`` imports the room ``branch`` too.
            found.update(Imported(f"{module}.{a.name}", lazy) for a in node.names)
        inner = lazy or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(module, False)
    return frozenset(found)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute(path: Path, module: str | None, level: int) -> str:
    """A relative import's module by its full name (``from . import x`` in ``a/b.py``: ``a``)."""
    if level == 0:
        return module or ""
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def within(name: str, room: str) -> bool:
    return name == room or name.startswith(room + ".")


def room_of(path: Path) -> str:
    """``rumah_perisai/services/dues.py`` → ``services``; a top-level module is its own name;
    ``ui/branch/…`` is in ``ui``."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def modules(room: str | None = None) -> list[Path]:
    every = sorted(PACKAGE.rglob("*.py"))
    return every if room is None else [p for p in every if room_of(p) == room]


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


# --- the rooms and what each must never import ---------------------------------------------------
#
# Lowest first. A room may import the rooms before it (the foundation's small modules — errors,
# messages, i18n, formats, config, files, logs, resources, areas, presence, vault, tasks,
# changes — from anywhere); these are the imports that would turn the order round.

ABOVE_THE_CORE = ("services", "printing", "demo", "branch", "cli", "ui", "app")
FOUNDATION = (
    "errors", "messages", "i18n", "formats", "config", "files", "logs", "resources", "areas",
    "presence", "vault", "tasks", "changes",
)  # fmt: skip

NEVER: dict[str, tuple[str, ...]] = {
    **{module: ("keys", *ABOVE_THE_CORE) for module in FOUNDATION},
    "domain": ("db", "exchange", "keys", *ABOVE_THE_CORE),
    "db": ("keys", *ABOVE_THE_CORE),
    "exchange": ("db", *ABOVE_THE_CORE),
    "keys": ("services", "printing", "demo", "branch", "cli", "ui", "app"),
    "services": ("printing", "demo", "branch", "cli", "ui", "app"),
    "demo": ("printing", "branch", "cli", "ui", "app"),
    "printing": ("demo", "branch", "cli", "ui", "app"),
    "branch": ("printing", "demo", "cli", "ui", "app"),
    "ui": ("cli",),
    "app": ("printing", "demo", "branch", "cli", "ui"),
}

# The named exceptions, each with its reason (``docs/architecture.md``).
ALLOWED: dict[str, set[str]] = {
    # Scripts import the demo from its old address; the program itself never does.
    "services/demo.py": {"rumah_perisai.demo"},
}


def test_every_room_of_the_program_has_a_rule() -> None:
    rooms = {room_of(p) for p in modules()} - {"__init__", "__main__", "cli", "ui"}
    assert rooms <= set(NEVER), sorted(rooms - set(NEVER))


@pytest.mark.parametrize("room", sorted(NEVER))
def test_no_room_imports_a_room_above_it(room: str) -> None:
    offenders = {
        _rel(path): sorted(
            i.name
            for i in imports_of(path)
            if any(within(i.name, f"{TOP}.{above}") for above in NEVER[room])
            and not any(within(i.name, ok) for ok in ALLOWED.get(_rel(path), ()))
        )
        for path in modules(room)
    }
    assert {path: names for path, names in offenders.items() if names} == {}


# --- Qt stays in ui/ ----------------------------------------------------------------------------


def test_no_module_outside_ui_imports_pyside6() -> None:
    offenders = [
        _rel(p)
        for p in modules()
        if room_of(p) != "ui" and any(within(i.name, "PySide6") for i in imports_of(p))
    ]
    assert offenders == []


@pytest.mark.slow
def test_importing_the_whole_core_loads_no_qt_and_the_services_no_printing() -> None:
    """Also catches Qt or ReportLab pulled in at load time through another module."""
    names = [
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in modules()
        if room_of(p) != "ui" and p.name != "__main__.py"
    ]
    services = [n for n in names if within(n, f"{TOP}.services")]
    code = "import importlib, sys\n"
    code += "".join(f"importlib.import_module({n!r})\n" for n in services)
    code += "print(sorted(m for m in sys.modules if m.startswith('rumah_perisai.printing')))\n"
    code += "".join(f"importlib.import_module({n!r})\n" for n in names)
    code += "print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "[]"]


# --- the window writes no SQL; the command line loads no window ---------------------------------


def test_the_window_reaches_the_database_only_through_services() -> None:
    """``ui/`` holds a ``Database`` handle to pass to services (``db.uow``), nothing more: no
    SQLAlchemy, no models, no raw connections."""
    offenders = {
        _rel(path): sorted(
            i.name
            for i in imports_of(path)
            if within(i.name, "sqlalchemy")
            or (within(i.name, f"{TOP}.db") and not within(i.name, f"{TOP}.db.uow"))
        )
        for path in modules("ui")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_command_line_imports_no_window_when_loaded() -> None:
    """``cli/`` works without Qt: only ``main`` opens the window (``ui.launch``), inside the
    function, when no command was given."""
    offenders = [
        _rel(path)
        for path in modules("cli")
        if any(within(i.name, f"{TOP}.ui") and not i.lazy for i in imports_of(path))
    ]
    assert offenders == []


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
        _rel(path)
        for path in modules()
        if room_of(path) not in ("cli", "__main__")
        and any(within(i.name, f"{TOP}.cli") for i in imports_of(path))
    ]
    assert users == []


# --- keys: below the services -------------------------------------------------------------------

# Of ``exchange/`` only the byte-level helpers: the batch, ACK and backup formats there import
# keys, so keys importing them would be a circle.
KEYS_MAY_IMPORT = (
    f"{TOP}.keys",
    f"{TOP}.errors",
    f"{TOP}.domain",
    f"{TOP}.files",
    f"{TOP}.exchange.canonical",
    f"{TOP}.exchange.safe_write",
    f"{TOP}.db",  # keys/installed.py only, see the next test
)


def test_keys_import_only_what_lies_below_them() -> None:
    offenders = {
        _rel(path): sorted(
            i.name
            for i in imports_of(path)
            if within(i.name, TOP) and not any(within(i.name, ok) for ok in KEYS_MAY_IMPORT)
        )
        for path in modules("keys")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_only_the_installed_keys_touch_the_database() -> None:
    """The post's key and the key files are cryptography and files (the exchange formats and the
    branch read them with no database); what a post has installed is kept in the database."""
    with_database = [
        path.name
        for path in modules("keys")
        if any(
            within(i.name, f"{TOP}.db") or within(i.name, "sqlalchemy") for i in imports_of(path)
        )
    ]
    assert with_database == ["installed.py"]


# --- the branch: its own room, the post never reaches into it -----------------------------------


def test_the_posts_rooms_never_import_the_branch() -> None:
    post_rooms = ("services", "db", "domain", "exchange", "printing", "keys", "demo")
    found = [p for room in post_rooms for p in modules(room)]
    assert len(found) > 40  # the rooms are where this test looks for them
    offenders = [
        _rel(p) for p in found if any(within(i.name, f"{TOP}.branch") for i in imports_of(p))
    ]
    assert offenders == []


def test_only_the_branchs_window_and_the_launcher_use_the_branch_in_the_window() -> None:
    users = sorted(
        _rel(p)
        for p in modules("ui")
        if any(within(i.name, f"{TOP}.branch") for i in imports_of(p))
    )
    assert users and all(u.startswith("ui/branch/") or u == "ui/launch.py" for u in users), users


# --- change notices: one bridge -------------------------------------------------------------------


def test_only_the_bridge_subscribes_to_the_cores_change_notices() -> None:
    """Views ``listen`` through ``ui.changes``; no window subscribes to the core itself."""
    subscribers = sorted(
        _rel(p)
        for p in modules()
        if room_of(p) != "changes" and "changes.subscribe(" in p.read_text(encoding="utf-8")
    )
    assert subscribers == ["ui/changes.py"]


# --- the rules see what they must -----------------------------------------------------------------


def test_the_rules_see_lazy_imports_by_name_and_relative_and_skip_type_checking(
    tmp_path: Path,
) -> None:
    services = PACKAGE / "services"
    lazy = tmp_path / "lazy.py"
    lazy.write_text("def f():\n    from rumah_perisai.branch.importer import import_batch\n")
    by_name = tmp_path / "by_name.py"
    by_name.write_text("from rumah_perisai import branch\n")
    typed = tmp_path / "typed.py"
    typed.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from rumah_perisai.app import App\n"
    )
    assert Imported("rumah_perisai.branch.importer", True) in imports_of(lazy)
    assert any(within(i.name, "rumah_perisai.branch") for i in imports_of(by_name))
    assert not any(within(i.name, "rumah_perisai.app") for i in imports_of(typed))
    assert _absolute(services / "x.py", "branch", 2) == "rumah_perisai.branch"
    assert _absolute(services / "x.py", None, 1) == "rumah_perisai.services"


# --- small modules -------------------------------------------------------------------------------


MAX_LINES = 800


def test_no_module_is_over_800_lines() -> None:
    """A module a newcomer can read whole; split along a real seam when one grows past it."""
    long = {
        _rel(p): n
        for p in modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
