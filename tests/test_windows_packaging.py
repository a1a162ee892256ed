"""The Windows installer's inputs, checked fast and without network or Wine (issue 15).

The installer itself is built by ``packaging/windows/build`` and proved under Wine by
``packaging/windows/wine-check`` before a release (minutes; not in CI). These tests keep its
inputs honest on every run: the lock file covers every third-party import of the program, with
a hash each; every Qt module the code imports is bundled; the NSIS script installs per user,
speaks Indonesian and never touches the data folder."""

from __future__ import annotations

import ast
import importlib.util
import io
import re
import sys
import zipfile
from importlib.metadata import (
    PackageNotFoundError,
    distribution,
    distributions,
    packages_distributions,
)
from pathlib import Path
from types import ModuleType

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

from tests.sources import tree

ROOT = Path(__file__).resolve().parents[1]
WINDOWS = ROOT / "packaging" / "windows"
LOCK = WINDOWS / "requirements-win.lock"
NSIS = WINDOWS / "installer.nsi"
# The installer's Python, as packaging's environment markers see it.
WINDOWS_MARKERS = {
    "sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
    "platform_machine": "AMD64", "python_version": "3.13", "python_full_version": "3.13.0",
    "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": "",
}  # fmt: skip
# Needed on Windows by a locked package but left out on purpose (requirements-win.in says why):
# each serves only that package's own command-line script, which the program never runs.
NOT_LOCKED = {"docopt", "colorama"}


def _bundle() -> ModuleType:
    spec = importlib.util.spec_from_file_location("windows_bundle", WINDOWS / "bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _imports() -> set[str]:
    """Every module name the program's code imports (absolute imports)."""
    names: set[str] = set()
    files = [*(ROOT / "rumah_perisai").rglob("*.py"), ROOT / "migrations" / "env.py"]
    for path in files:
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return names


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, str]:
    """name -> the rest of its entry, from the lock file."""
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    entries = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return {_normal(line.split("==")[0]): line for line in entries}


def _branch_only() -> set[str]:
    """Modules of the ``postgresql`` extra (the branch's database driver): a post's installer
    does not ship them, so the program imports them only inside the functions that talk to a
    PostgreSQL server (checked below), never when a module is loaded."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = {
        _normal(re.split(r"[<>=;! \[]", requirement, maxsplit=1)[0])
        for requirement in project["optional-dependencies"]["postgresql"]
    }
    return {
        module
        for module, names in packages_distributions().items()
        if {_normal(name) for name in names} & extra
    }


def _module_level_imports() -> set[str]:
    """The top names of what the program imports when its modules are loaded."""
    names: set[str] = set()
    for path in (ROOT / "rumah_perisai").rglob("*.py"):
        for node in tree(path).body:
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def test_the_lock_pins_every_third_party_import_of_the_program_with_a_hash() -> None:
    locked = _locked()
    top = {name.split(".")[0] for name in _imports()}
    branch_only = _branch_only()
    assert not branch_only & _module_level_imports(), "the branch's driver imported on loading"
    third_party = sorted(
        top - set(sys.stdlib_module_names) - {"rumah_perisai", "__future__"} - branch_only
    )
    assert "PySide6" in third_party and "sqlalchemy" in third_party
    providers = packages_distributions()
    for module in third_party:
        distributions = {_normal(name) for name in providers.get(module, [])}
        assert distributions, f"{module} is imported but no installed distribution provides it"
        assert distributions & set(locked), f"{module} ({distributions}) is not in {LOCK.name}"
    for name, entry in locked.items():
        assert re.search(r"==\S+ +--hash=sha256:[0-9a-f]{64}$", entry), f"{name}: {entry}"


def test_every_runtime_dependency_of_the_project_is_locked() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    locked = _locked()
    for requirement in project["dependencies"]:
        name = _normal(re.split(r"[<>=;! \[]", requirement, maxsplit=1)[0])
        assert name in locked, f"{name} (pyproject.toml) is not in {LOCK.name}"


def test_the_lock_holds_what_each_locked_package_needs_on_windows() -> None:
    """keyring and its helpers are locked without their dependencies (pip would evaluate their
    markers for the Linux machine running the lock): what they need on Windows, e.g.
    pywin32-ctypes for the Credential Manager backend, must be locked by hand. Checked for every
    locked package whose metadata is installed here."""
    locked = _locked()
    checked = 0
    for name in sorted(locked):
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            continue  # a Windows-only package (pywin32-ctypes): nothing installed to read
        checked += 1
        for text in requires:
            requirement = Requirement(text)
            marker = requirement.marker or Marker("python_version >= '3'")
            if not marker.evaluate(WINDOWS_MARKERS) or _normal(requirement.name) in NOT_LOCKED:
                continue
            assert _normal(requirement.name) in locked, f"{name} needs {requirement} on Windows"
    assert checked >= 20 and "pywin32-ctypes" in locked and "keyring" in locked


def test_the_bundle_keeps_the_entry_points_keyring_finds_its_backends_by(tmp_path: Path) -> None:
    """keyring finds its backends (the Credential Manager's among them) through the
    ``keyring.backends`` entry points of installed distributions: the bundle must keep each
    wheel's .dist-info, in a folder the embedded Python's path file names."""
    keyring = distribution("keyring")
    wheel = io.BytesIO()
    info = f"keyring-{keyring.version}.dist-info"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in ("METADATA", "entry_points.txt", "RECORD"):
            archive.writestr(f"{info}/{name}", keyring.read_text(name) or "")
    bundle = _bundle()
    site = tmp_path / "app" / "site-packages"
    bundle.unpack_zip(wheel.getvalue(), site)
    found = {
        point.name: point.value
        for dist in distributions(path=[str(site)])
        for point in dist.entry_points.select(group="keyring.backends")
    }
    assert found.get("Windows") == "keyring.backends.Windows", found
    assert "..\\site-packages" in bundle.PTH.split("\r\n")


@pytest.mark.slow
def test_every_qt_module_the_program_imports_is_bundled() -> None:
    imported = {name.split(".")[1] for name in _imports() if name.startswith("PySide6.Qt")} | {
        name for name in _imports() if name.startswith("Qt")
    }
    bundled = set(_bundle().QT_MODULES)
    assert imported, "the program imports no Qt module?"
    assert imported <= bundled, f"imported but not bundled: {sorted(imported - bundled)}"
    # And nothing heavy it does not use.
    assert not bundled & {"QtWebEngineCore", "QtWebEngineWidgets", "QtQuick", "QtQml", "Qt3DCore"}


def test_the_launchers_run_the_bundled_python_beside_them(tmp_path: Path) -> None:
    """distlib's launcher + a shebang relative to the launcher + a zip with __main__.py: the
    install folder may be anywhere (a user name with a space and an apostrophe)."""
    bundle = _bundle()
    stub = b"MZ launcher stub"
    out = tmp_path / "Rumah Perisai.exe"
    bundle.write_launcher(out, stub, "pythonw.exe", "gui_main")
    data = out.read_bytes()
    assert data.startswith(stub)
    assert b"#!<launcher_dir>\\app\\python\\pythonw.exe\r\n" in data
    with zipfile.ZipFile(io.BytesIO(data[data.index(b"PK\x03\x04") :])) as archive:
        main = archive.read("__main__.py").decode()
    assert "from rumah_perisai.cli import gui_main" in main
    assert "sys.exit(gui_main())" in main


def test_the_installer_is_per_user_silent_capable_indonesian_and_keeps_the_data_folder() -> None:
    script = NSIS.read_text(encoding="utf-8")
    assert re.search(r"^RequestExecutionLevel user$", script, re.M)
    assert re.search(r'^InstallDir "\$LOCALAPPDATA\\Programs\\', script, re.M)
    assert '!insertmacro MUI_LANGUAGE "Indonesian"' in script
    assert "${Silent}" in script  # /S: no question asked, waits for the program to close
    for value in ("DisplayName", "DisplayVersion", "UninstallString", "QuietUninstallString"):
        assert re.search(rf'WriteRegStr HKCU "\$\{{UNINSTALL_KEY\}}" "{value}"', script)
    assert "$SMPROGRAMS" in script and "$DESKTOP" in script
    removals = [
        line.strip() for line in script.splitlines() if re.match(r"\s*(RMDir|Delete)\b", line)
    ]
    assert removals
    for line in removals:
        assert "$APPDATA" not in line and 'rumah-perisai"' not in line, line
        # Only what the installer put into its own folder, never the folder itself recursively.
        assert not re.fullmatch(r'RMDir /r "\$INSTDIR"', line), line
    assert "$APPDATA\\rumah-perisai" in script  # the uninstaller says where the data stays
