"""BPJS's member list at the branch (issue 20): a sheet of 100,000 people into a branch —
time and peak memory of ``members_import``, the first time (all added) and again (all
unchanged).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:54329/postgres \\
        .venv/bin/python bench/bench_members.py [--sqlite] [--rows 100000]

Made once in ``bench/out/members<rows>``: the branch's keys and the spreadsheet (a title row,
then No, NIK, Nama Lengkap, Tgl Lahir, No. KPJ; NIKs as text; birth dates as date cells). Each
run: a fresh branch database (``bench20`` on the server of ``DATABASE_URL``, or a SQLite file
with ``--sqlite``), then the two imports in a child process of its own, so its peak resident
memory (``VmHWM``) is theirs and not the set-up's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rumah_perisai.app import open_app
from rumah_perisai.branch import init_branch
from rumah_perisai.config import DataFolder

OUT = Path(__file__).parent / "out"
DATABASE = "bench20"

_CHILD = """
import json, sys, time
from pathlib import Path
from rumah_perisai.app import open_app
from rumah_perisai.branch import branch_keys
from rumah_perisai.branch.members import members_import
from rumah_perisai.config import DataFolder
from rumah_perisai.services.volunteers import Actor

def status_mb(field):
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith(field + ":"))
    return int(line.split()[1]) / 1e3

root, url, sheet = sys.argv[1:4]
folder = DataFolder(Path(root))
keys = branch_keys(folder)
figures = {}
with open_app(folder, url) as app:
    figures["rss_before_mb"] = status_mb("VmRSS")
    for run in ("first", "again"):
        started = time.perf_counter()
        result = members_import(app.db, keys, Path(sheet), Actor(label="cli:bench"))
        figures[run] = {"seconds": time.perf_counter() - started} | result.counts()
figures["peak_mb"] = status_mb("VmHWM")
print(json.dumps(figures))
"""


def make_sheet(rows: int) -> Path:
    path = OUT / f"members{rows // 1000}k" / "bpjs-members.xlsx"
    if path.exists():
        return path
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Peserta")
    sheet.append(["Daftar peserta BPJS Ketenagakerjaan — Kantor Cabang Cirebon"])
    sheet.append(["No", "NIK", "Nama Lengkap", "Tgl Lahir", "No. KPJ"])
    for number in range(1, rows + 1):
        # Kecamatan and serial repeat every 990,000 rows; the birth year's parity tells those
        # blocks apart, so every NIK is unique and valid (up to 1,980,000 rows).
        block, rest = divmod(number, 990_000)
        born = date(1960 + 2 * rng.randrange(20) + block, 1, 1) + timedelta(rng.randrange(365))
        nik = f"3209{1 + rest // 10_000:02d}{born:%d%m%y}{rest % 10_000:04d}"
        sheet.append([number, nik, f"Peserta {number}", born, f"{26_000_000_000 + number:011d}"])
    book.save(path)
    print(f"spreadsheet: {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB", flush=True)
    return path


def branch_database(url: str | None, scratch: Path) -> str:
    if url is None:
        return DataFolder(scratch / "branch").sqlite_url
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    return make_url(url).set(database=DATABASE).render_as_string(hide_password=False)


def measure(url: str | None, sheet: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        folder = DataFolder(scratch / "branch")
        branch_url = branch_database(url, scratch)
        with open_app(folder, branch_url) as app:
            init_branch(app.db, folder, "LATIH", "Cabang latihan", demo=True)
        child = subprocess.run(
            [sys.executable, "-c", _CHILD, str(folder.root), branch_url, str(sheet)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures: dict[str, object] = json.loads(child.stdout)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", action="store_true", help="the branch on SQLite")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    url = None if args.sqlite else os.environ.get("DATABASE_URL")
    if not args.sqlite and not url:
        print("set DATABASE_URL to a PostgreSQL server, or use --sqlite")
        return 2
    sheet = make_sheet(args.rows)
    started = time.perf_counter()
    figures = measure(url, sheet)
    print(
        f"{'SQLite' if args.sqlite else 'PostgreSQL'}: {json.dumps(figures)} "
        f"(with set-up {time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
