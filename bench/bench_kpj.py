"""BPJS's KPJ spreadsheet at the branch (issue 14, item 9): a sheet of 27,000 rows (about the
760 KB file of the issue) into a branch holding those 27,000 participants — time and peak
memory of ``kpj_import``.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:54329/postgres \
        .venv/bin/python bench/bench_kpj.py [--sqlite]

Made once in ``bench/out/kpj27k``: a demo post of 27,000 participants, its first batch and the
spreadsheet (a title row, then No, NIK, Nama, No. KPJ, Tanggal, Keterangan; the NIKs of the
post's participants, in another order, each with a new KPJ number; 50 NIKs the branch does not
know). Each run: a fresh branch database (``bench14`` on the server of ``DATABASE_URL``, or a
SQLite file with ``--sqlite``), the batch imported, then ``kpj_import`` in a child process of
its own, so its peak resident memory (``VmHWM`` of /proc/self/status: Linux's ``ru_maxrss``
carries the parent's peak over ``fork`` and ``exec``, and would report the set-up's) is the
import's; the same child's resident memory just before the call is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from rumah_perisai.app import open_app
from rumah_perisai.branch import add_post, import_batch
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Participant
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.keys.files import BRANCH_PUBLIC_FILE, create_branch_keys
from rumah_perisai.keys.installed import install_branch_key, post_key_file_bytes
from rumah_perisai.services.batches import export_batch
from rumah_perisai.services.volunteers import Actor

OUT = Path(__file__).parent / "out" / "kpj27k"
CLI = Actor(label="cli:bench")
PEOPLE = 27_000
DATABASE = "bench14"

_CHILD = """
import json, sys, time
from pathlib import Path
from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.branch.xlsx import kpj_import
from rumah_perisai.services.volunteers import Actor

def status_mb(field):
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith(field + ":"))
    return int(line.split()[1]) / 1e3

root, url, sheet = sys.argv[1:4]
with open_app(DataFolder(Path(root)), url) as app:
    before = status_mb("VmRSS")
    started = time.perf_counter()
    result = kpj_import(app.db, Path(sheet), Actor(label="cli:bench"))
    took = time.perf_counter() - started
peak = status_mb("VmHWM")
print(json.dumps({"seconds": took, "rss_before_mb": before, "peak_mb": peak,
                  "set": result.set, "unchanged": result.unchanged,
                  "unknown": len(result.unknown), "conflicts": len(result.conflicts),
                  "invalid": len(result.invalid)}))
"""


def make_data() -> None:
    """The branch's keys, the post's key file, its first batch and the spreadsheet."""
    if (OUT / "kpj.xlsx").exists():
        return
    OUT.mkdir(parents=True, exist_ok=True)
    keys = OUT / "branch-keys"
    if not (keys / BRANCH_PUBLIC_FILE).exists():
        create_branch_keys(keys, "LATIH", "Cabang latihan", demo=True)
    with tempfile.TemporaryDirectory(dir=OUT) as scratch:
        folder = DataFolder(Path(scratch) / "post")
        with open_app(folder, folder.sqlite_url) as app:
            create_demo_post(app.db, folder, DemoRequest(participants=PEOPLE, seed=14), CLI.label)
            install_branch_key(app.db, (keys / BRANCH_PUBLIC_FILE).read_bytes(), CLI)
            stick = OUT / "stick"
            stick.mkdir(exist_ok=True)
            export_batch(app.db, folder, stick, CLI)
            (OUT / "post.key.json").write_bytes(post_key_file_bytes(app.db, folder.keys))
            with app.db.reading() as session:
                people = session.execute(select(Participant.nik, Participant.name)).all()
    write_sheet(OUT / "kpj.xlsx", [(nik, name) for nik, name in people])


def write_sheet(path: Path, people: list[tuple[str, str]]) -> None:
    from openpyxl import Workbook

    rng = random.Random(14)
    rows = list(people)
    rng.shuffle(rows)
    rows += [(f"3209{rng.randrange(10**12):012d}", "Tidak dikenal") for _ in range(50)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(["Daftar KPJ peserta BPU — Kantor Cabang Cirebon"])
    sheet.append([])
    sheet.append(["No", "NIK", "Nama", "No. KPJ", "Tanggal", "Keterangan"])
    day = date(2026, 11, 2)
    for number, (nik, name) in enumerate(rows, start=1):
        kpj = f"{31_000_000_000 + number:011d}"
        sheet.append([number, nik, name, kpj, day + timedelta(days=number % 20), "baru"])
    book.save(path)
    print(f"spreadsheet: {len(rows):,} rows, {path.stat().st_size / 1e3:.0f} KB", flush=True)


def branch_database(url: str | None, scratch: Path) -> str:
    if url is None:
        return DataFolder(scratch / "branch").sqlite_url
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    return make_url(url).set(database=DATABASE).render_as_string(hide_password=False)


def measure(url: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        folder = DataFolder(scratch / "branch")
        shutil.copytree(OUT / "branch-keys", folder.keys)
        branch_url = branch_database(url, scratch)
        batch = next((OUT / "stick").glob("*.rpb"))
        stick = scratch / "stick"
        stick.mkdir()
        shutil.copy(batch, stick / batch.name)
        with open_app(folder, branch_url) as app:
            add_post(app.db, folder, (OUT / "post.key.json").read_bytes(), CLI)
            import_batch(app.db, folder, stick / batch.name, CLI)
        child = subprocess.run(
            [sys.executable, "-c", _CHILD, str(folder.root), branch_url, str(OUT / "kpj.xlsx")],
            check=True,
            capture_output=True,
            text=True,
        )
        figures: dict[str, float] = json.loads(child.stdout)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", action="store_true", help="the branch on SQLite")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    url = None if args.sqlite else os.environ.get("DATABASE_URL")
    if not args.sqlite and not url:
        print("set DATABASE_URL to a PostgreSQL server, or use --sqlite")
        return 2
    make_data()
    for run in range(args.runs):
        started = time.perf_counter()
        figures = measure(url)
        print(
            f"run {run + 1} ({'SQLite' if args.sqlite else 'PostgreSQL'}): kpj_import "
            f"{figures['seconds']:.1f} s, peak RSS {figures['peak_mb']:.0f} MB (RSS before the "
            f"call {figures['rss_before_mb']:.0f} MB); stored {figures['set']:,}, unknown "
            f"{figures['unknown']}, conflicts {figures['conflicts']}, unusable "
            f"{figures['invalid']} (run with set-up {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
