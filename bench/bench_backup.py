"""Backups of the 200,000-participant demo post (issue 16): the local backup (snapshot through
the online backup API, encrypted, written, read back and checked), the same to a "stick" folder
(the copy beside a batch), and a restore into a new data folder.

    .venv/bin/python bench/bench_backup.py [--runs 3] [--demo DIR]

The demo post is made once (``demo --participants 200000``, a few minutes) in
``bench/out/backup200k`` and reused. Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rumah_perisai import vault
from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.services.backup import local_backup, write_backup
from rumah_perisai.services.restore import restore
from rumah_perisai.tasks import SilentProgress

OUT = Path(__file__).parent / "out"
CODE_FILE = "recovery-code.txt"  # the bench's own demo post: its code kept beside it


def _demo(root: Path) -> tuple[DataFolder, str]:
    folder = DataFolder(root)
    code_file = root.parent / f"{root.name}-{CODE_FILE}"
    if folder.database.exists() and code_file.exists():
        return folder, code_file.read_text().strip()
    started = time.perf_counter()
    with open_app(folder, folder.sqlite_url) as app:
        create_demo_post(
            app.db, folder, DemoRequest(participants=200_000), "cli:bench", SilentProgress()
        )
    code = vault.new_recovery_code()
    vault.set_recovery_code(folder, code)
    code_file.write_text(code + "\n")
    print(f"demo post made in {time.perf_counter() - started:.0f} s")
    return folder, code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--demo", type=Path, default=OUT / "backup200k")
    args = parser.parse_args()
    os.environ.setdefault(vault.ENV_KEY_STORE, "file")
    os.environ.setdefault(vault.ENV_KEY_DIR, str(OUT / "keys"))
    folder, code = _demo(args.demo)
    database = folder.database.stat().st_size
    print(f"database file: {database / 1e6:.1f} MB")
    local: list[float] = []
    stick: list[float] = []
    restored: list[float] = []
    size = 0
    with tempfile.TemporaryDirectory(dir=OUT) as scratch:
        for run in range(args.runs):
            with open_app(folder, folder.sqlite_url) as app:
                started = time.perf_counter()
                info = local_backup(app, "close")
                local.append(time.perf_counter() - started)
                target = Path(scratch) / f"stick-{run}"
                target.mkdir()
                started = time.perf_counter()
                on_stick = write_backup(app, target, "batch")
                stick.append(time.perf_counter() - started)
                size = on_stick.size
            new = DataFolder(Path(scratch) / f"new-laptop-{run}")
            started = time.perf_counter()
            restore(new, on_stick.path, code)
            restored.append(time.perf_counter() - started)
            shutil.rmtree(new.root)
            info.path.unlink()
    print(f"backup file: {size / 1e6:.1f} MB ({size / database:.2f} of the database file)")
    for name, times in (("local backup", local), ("stick backup", stick), ("restore", restored)):
        print(f"{name}: median {statistics.median(times):.2f} s of {[round(t, 2) for t in times]}")


if __name__ == "__main__":
    main()
