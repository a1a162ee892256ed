"""Importing a 5,000-row post list into the 200,000-participant demo post (issue 20).

    .venv/bin/python bench/bench_sheet_import.py [--runs 3] [--no-cli]

Needs ``bench/out/sheet5000.xlsx`` (``bench/make_sheets.py`` writes it, and the demo post if
missing). Works on copies of ``bench/out/demo200k`` in a temporary folder:

1. through the API, ``--runs`` times: ``read_sheet`` (read), ``guess_mapping`` (guess),
   ``check`` (the dry run's check), and once ``import_checked`` (import, one transaction), then
   the same file checked again (it must now change nothing);
2. the command line end to end on a second copy: ``import participants FILE --dry-run --json``
   and ``import participants FILE --consent-confirmed --json``, each with ``--coordinator
   NAME`` and the PIN on stdin (whole processes: Python's start, the PIN's argon2 included).

The aims (issue 20): dry run (read + guess + check) at most 10 s, import at most 15 s. The check's
statuses are compared with ``sheet5000.expected.json`` kind by kind: a kind whose rows do not
all get the expected status is printed with one of their reasons.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.demo import COORDINATOR_PIN, DEMO_LOGINS
from rumah_perisai.services import sheet_import
from rumah_perisai.services.volunteers import log_in

OUT = Path(__file__).parent / "out"
COORDINATOR = DEMO_LOGINS[0].name  # Euis Komalasari
STATUSES = ("new", "update", "possible_duplicate", "refused", "unchanged")


class CountingProgress:
    """Counts the steps an operation reports (the window's progress bar and cancel ride on
    them): an operation that reports rarely leaves the bar still and cancel deaf."""

    def __init__(self) -> None:
        self.steps = 0
        self.longest_gap = 0.0
        self._last = time.perf_counter()

    def step(self, done: int, total: int, text: str = "") -> None:
        now = time.perf_counter()
        self.steps += 1
        self.longest_gap = max(self.longest_gap, now - self._last)
        self._last = now


def copy_demo(source: DataFolder, temp: Path, name: str) -> DataFolder:
    folder = DataFolder(temp / name)
    start = time.perf_counter()
    shutil.copytree(source.root, folder.root)
    print(f"copied the demo post to {name} in {time.perf_counter() - start:.1f} s", flush=True)
    return folder


def seconds(samples: list[float]) -> str:
    if len(samples) == 1:
        return f"{samples[0]:6.2f} s"
    return f"{statistics.median(samples):6.2f} s (median of {len(samples)}, max {max(samples):.2f})"


def dry_run(
    app: App, folder: DataFolder, path: Path
) -> tuple[sheet_import.Checked, dict[str, float], int]:
    times: dict[str, float] = {}
    start = time.perf_counter()
    sheet = sheet_import.read_sheet(path)
    times["read"] = time.perf_counter() - start
    mark = time.perf_counter()
    mapping = sheet_import.guess_mapping(sheet)
    times["guess"] = time.perf_counter() - mark
    mark = time.perf_counter()
    progress = CountingProgress()
    checked = sheet_import.check(app.db, folder, sheet, mapping, progress=progress)
    times["check"] = time.perf_counter() - mark
    times["dry run"] = time.perf_counter() - start
    return checked, times, progress.steps


def compare(checked: sheet_import.Checked, expected_file: Path) -> None:
    """The check's status of each row against the one ``make_sheets.py`` expects, by kind."""
    expected = {e["row"]: e for e in json.loads(expected_file.read_text("utf-8"))["rows"]}
    got: dict[str, Counter[str]] = defaultdict(Counter)
    reason: dict[tuple[str, str], str] = {}
    for result in checked.rows:
        kind = expected.get(result.row, {"kind": "(row not in the file)"})["kind"]
        got[kind][result.status.value] += 1
        reason.setdefault((kind, result.status.value), result.reason)
    wrong = 0
    for kind, statuses in sorted(got.items()):
        want = next((e["status"] for e in expected.values() if e["kind"] == kind), "?")
        if set(statuses) != {want}:
            wrong += sum(n for s, n in statuses.items() if s != want)
            print(f"  {kind}: expected all {want}, got {dict(statuses)}")
            for status in statuses:
                if status != want:
                    print(f"    {status}: {reason[(kind, status)]}")
    missing = set(expected) - {r.row for r in checked.rows}
    print(f"  rows as expected: {len(expected) - wrong - len(missing)} of {len(expected)}"
          f"{f'; {len(missing)} rows without a result' if missing else ''}")  # fmt: skip


def api(source: DataFolder, temp: Path, path: Path, runs: int) -> None:
    folder = copy_demo(source, temp, "api")
    with open_app(folder, folder.sqlite_url) as app:
        samples: dict[str, list[float]] = defaultdict(list)
        checked = None
        for _ in range(runs):
            checked, times, steps = dry_run(app, folder, path)
            for label, value in times.items():
                samples[label].append(value)
        assert checked is not None
        for label in ("read", "guess", "check", "dry run"):
            print(f"{label:<28} {seconds(samples[label])}", flush=True)
        print(f"  {len(checked.sheet.rows)} rows; progress steps in the check: {steps}")
        print(f"  summary {checked.summary()}")
        for note in checked.notes:
            print(f"  note: {note}")
        compare(checked, path.with_suffix(".expected.json"))
        actor = log_in(app.db, COORDINATOR, COORDINATOR_PIN)
        progress = CountingProgress()
        start = time.perf_counter()
        imported = sheet_import.import_checked(
            app.db, folder, checked, actor, consent_confirmed=True, progress=progress
        )
        took = time.perf_counter() - start
        print(f"{'import (import_checked)':<28} {took:6.2f} s", flush=True)
        print(
            f"  registered {imported.registered}, updated {imported.updated}, not imported "
            f"{imported.not_imported}, unchanged {imported.unchanged}; {imported.statuses}"
        )
        for note in imported.notes:
            print(f"  note: {note}")
        print(f"  progress steps {progress.steps}, longest gap {progress.longest_gap:.2f} s")
        print(f"{'dry run + import':<28} {statistics.median(samples['dry run']) + took:6.2f} s")
        again, times, _ = dry_run(app, folder, path)
        print(f"{'the same file checked again':<28} {times['dry run']:6.2f} s  {again.summary()}")


def cli(source: DataFolder, temp: Path, path: Path) -> None:
    """Both commands as a coordinator runs them: ``--coordinator NAME``, the PIN on stdin (the
    dry run too: nobody else's file is even read)."""
    folder = copy_demo(source, temp, "cli")
    base = [sys.executable, "-m", "rumah_perisai", "--data-dir", str(folder.root), "import",
            "participants", str(path), "--json", "--coordinator", COORDINATOR]  # fmt: skip
    pin = COORDINATOR_PIN + "\n"
    for label, extra in (("CLI --dry-run --json", ["--dry-run"]),
                         ("CLI import --json", ["--consent-confirmed"])):  # fmt: skip
        took, done = run(base + extra, pin)
        print(f"{label:<28} {took:6.2f} s  exit {done.returncode}", flush=True)
        if done.returncode != 0:
            print(f"  stderr: {done.stderr.strip()[-300:]}")
            continue
        document = json.loads(done.stdout)
        print(f"  summary {document['summary']}")
        if "imported" in document:
            print(f"  imported {document['imported']}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  the larger command's peak memory {peak:.0f} MB")


def run(command: list[str], stdin: str) -> tuple[float, Any]:
    start = time.perf_counter()
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sheet", default=str(OUT / "sheet5000.xlsx"))
    parser.add_argument("--data-dir", default=str(OUT / "demo200k"))
    parser.add_argument("--no-cli", action="store_true")
    args = parser.parse_args()
    source = DataFolder(Path(args.data_dir))
    path = Path(args.sheet)
    if not (source.database.exists() and path.exists()):
        raise SystemExit("run bench/make_sheets.py first (it makes the demo post and the sheet)")
    with tempfile.TemporaryDirectory() as temp:
        api(source, Path(temp), path, args.runs)
        if not args.no_cli:
            cli(source, Path(temp), path)


if __name__ == "__main__":
    main()
