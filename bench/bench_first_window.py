"""The first window on the 200k demo post: cold start, search latency, memory — each beside its
limit measured in the same run (a bare PySide6 window with a table; the same search as one raw
SQLite query).

    .venv/bin/python bench/bench_first_window.py [--data-dir D] [--participants 200000]
        [--search-only]

D is made with ``rumah-perisai --data-dir D demo --participants N`` when it has no post yet
(and kept, so later runs skip that). Runs off-screen (QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

from rumah_perisai.config import DataFolder

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent


# --- child processes: one start, measured from outside ---------------------------------------
def child_app(data_dir: str, url: str | None = None) -> None:
    from PySide6.QtWidgets import QApplication

    from rumah_perisai.app import open_app
    from rumah_perisai.services.volunteers import Actor
    from rumah_perisai.ui.main_window import MainWindow

    qt_app = QApplication([])
    folder = DataFolder(Path(data_dir))
    app = open_app(folder, url or folder.sqlite_url)
    window = MainWindow(
        app, Actor(label="volunteer:bench", role="coordinator", name="Euis Komalasari")
    )
    window.show()
    while window.model.rows_fetched == 0:  # until the table has painted its first rows
        qt_app.processEvents()
    print(json.dumps({"rss_mb": _rss_mb(), "rows": window.model.rowCount()}), flush=True)


def child_bare() -> None:
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import (
        QApplication,
        QLineEdit,
        QMainWindow,
        QTableView,
        QVBoxLayout,
        QWidget,
    )

    qt_app = QApplication([])
    model = QStandardItemModel(40, 6)
    for row in range(40):
        for column in range(6):
            model.setItem(row, column, QStandardItem(f"{row}/{column}"))
    window = QMainWindow()
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.addWidget(QLineEdit())
    table = QTableView()
    table.setModel(model)
    layout.addWidget(table)
    window.setCentralWidget(central)
    window.resize(1000, 640)
    window.show()
    qt_app.processEvents()
    print(json.dumps({"rss_mb": _rss_mb(), "rows": 40}), flush=True)


def _rss_mb() -> float:
    """This process's peak memory (MB). Linux's VmHWM, not ru_maxrss: a child started with
    vfork counts its parent's peak in ru_maxrss, and the parent may be a big bench process."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def _start(args: list[str]) -> tuple[float, float]:
    """Seconds from starting the process to the window shown (the child's line arriving), and
    its peak memory then. The child's exit is not counted: nobody waits for it."""
    begin = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - begin
    child.wait()
    return elapsed, json.loads(line)["rss_mb"]


# --- in-process search latency ---------------------------------------------------------------
def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def raw_connection(folder: DataFolder, url: str | None = None) -> Any:
    """The driver's own connection to the database ``open_app(folder, url)`` opens: SQLCipher
    with this computer's key for the folder's own (encrypted) file, plain ``sqlite3`` else."""
    from sqlalchemy.engine import make_url

    from rumah_perisai.db.encrypted import open_raw
    from rumah_perisai.db.engine import ENCRYPTED_CACHE_KIB, is_folder_database

    if url is None or is_folder_database(folder, url):
        # The page cache the program gives its own connections to the encrypted file: without
        # it the raw statement decrypts pages the program's connection keeps decrypted, and the
        # limit would be slower than the program for the same work.
        connection = open_raw(folder)
        connection.execute(f"PRAGMA cache_size = -{ENCRYPTED_CACHE_KIB}")
        return connection
    return sqlite3.connect(make_url(url).database or "", isolation_level=None)


def _queries(connection: Any) -> dict[str, list[str]]:
    rng = random.Random(7)
    niks = [
        r[0] for r in connection.execute("SELECT nik FROM participants ORDER BY random() LIMIT 400")
    ]
    names = [r[0] for r in connection.execute("SELECT name FROM participants")]
    words: dict[str, int] = {}
    for name in names:
        for word in name.casefold().split():
            words[word] = words.get(word, 0) + 1
    common = sorted(words, key=words.__getitem__, reverse=True)[:15]
    # The demo draws names from a few hundred words, so "rare" is the least common words there
    # are, searched whole; plus two-word fragments that match a handful of people.
    by_count = sorted((n, w) for w, n in words.items() if len(w) >= 4)
    rare = [w for _, w in by_count[:30]]
    return {
        "NIK prefix (8 digits)": [n[:8] for n in rng.sample(niks, 60)],
        "NIK prefix (12 digits)": [n[:12] for n in rng.sample(niks, 60)],
        "name, common fragment": [w[:4] for w in common] * 4,
        "name, rare word": rare * 2,
        "name, two fragments": [
            " ".join(part[:4] for part in n.split()[:2]) for n in rng.sample(names, 60)
        ],
        "whole name (two words)": [" ".join(n.split()[:2]) for n in rng.sample(names, 60)],
    }


class SearchFigures(NamedTuple):
    """One kind of query: the window's and the raw statements' times (ms), wall clock and this
    process's CPU time (steadier than the wall clock on a shared machine), and mean matches."""

    label: str
    p50: float
    p95: float
    raw50: float
    raw95: float
    hits: int
    cpu50: float
    cpu95: float
    raw_cpu50: float
    raw_cpu95: float


def bench_search(data_dir: Path, url: str | None = None) -> list[SearchFigures]:
    """Per kind of query: the window's search (the ids of every match and the first screen of
    rows, as ``set_query`` and the first row drawn do it) beside its limit, the very statements
    the service runs (``page_sql``, ``rows_sql``; ``count_sql`` for a large result), each run
    once through the raw driver. ``url`` as for ``open_app`` (default: the folder's own file)."""
    from PySide6.QtWidgets import QApplication

    from rumah_perisai.app import open_app
    from rumah_perisai.services.volunteers import Actor
    from rumah_perisai.ui.main_window import MainWindow

    QApplication.instance() or QApplication([])
    folder = DataFolder(data_dir)
    app = open_app(folder, url or folder.sqlite_url)
    window = MainWindow(
        app, Actor(label="volunteer:bench", role="coordinator", name="Euis Komalasari")
    )
    raw = raw_connection(folder, url)
    results = []
    for label, queries in _queries(raw).items():
        wall: list[float] = []
        cpu: list[float] = []
        raw_wall: list[float] = []
        raw_cpu: list[float] = []
        hits = 0
        for query in queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            hits += window.model.set_query(query)
            if window.model.rowCount():
                window.model.index(0, 1).data()  # the first screen's block
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            seconds, cpu_seconds = _raw_search(app, raw, query, window.today())
            raw_wall.append(seconds)
            raw_cpu.append(cpu_seconds)
        results.append(
            SearchFigures(
                label, *_percentiles(wall), *_percentiles(raw_wall), hits // len(queries),
                *_percentiles(cpu), *_percentiles(raw_cpu),
            )
        )  # fmt: skip
    raw.close()
    window.close()
    app.close()
    return results


def _raw_search(app: Any, raw: Any, query: str, today: Any) -> tuple[float, float]:
    """The statements behind one search, as the service makes them, run through the bare
    driver: the time of running them only (wall clock, CPU)."""
    from rumah_perisai.services.participant_search import (
        ROWS_AT_ONCE,
        ListFilter,
        ParticipantSearch,
        rows_sql,
        rows_values,
    )
    from rumah_perisai.ui.participant_model import BLOCK, MATERIALIZE

    assert BLOCK <= ROWS_AT_ONCE  # the first screen is one statement
    search = ParticipantSearch(1)
    filters = ListFilter(today)
    with app.db.reading() as session:
        ids_sql = search.page_sql(session, query, filters, 0, MATERIALIZE + 1)
        count_sql = search.count_sql(session, query, filters)
        rows = rows_sql(session.get_bind().dialect)
    start, start_cpu = time.perf_counter(), time.process_time()
    ids = [row[0] for row in raw.execute(ids_sql.sql, ids_sql.params({})).fetchall()]
    if len(ids) > MATERIALIZE:  # a large result: counted too
        raw.execute(count_sql.sql, count_sql.params({})).fetchall()
    if ids:
        raw.execute(rows.sql, rows.params(rows_values(ids[:BLOCK], today))).fetchall()
    return time.perf_counter() - start, time.process_time() - start_cpu


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "child-app":
        child_app(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
        return
    if len(sys.argv) > 1 and sys.argv[1] == "child-bare":
        child_bare()
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=str(HERE / "out" / "demo200k"))
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument(
        "--search-only", action="store_true", help="only the search table (no starts)"
    )
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    if not (data_dir / "rumah-perisai.sqlite3").exists():
        begin = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rumah_perisai", "--data-dir", str(data_dir), "demo",
             "--participants", str(args.participants)],
            check=True,
        )  # fmt: skip
        print(f"demo post made in {time.perf_counter() - begin:.1f} s (whole command)")

    if not args.search_only:
        measure_starts(data_dir, args.starts)
    print_search(bench_search(data_dir))


def measure_starts(data_dir: Path, count: int) -> None:
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(HERE.parent / "rumah_perisai")], check=True
    )
    _start(["child-app", str(data_dir)])  # warm-up: a schema upgrade, the OS file cache
    starts = [_start(["child-app", str(data_dir)]) for _ in range(count)]
    bare = [_start(["child-bare"]) for _ in range(count)]
    start_ms = [s * 1000 for s, _ in starts]
    bare_ms = statistics.median(s for s, _ in bare) * 1000
    print(f"\n{'':<34}{'median':>10}{'best':>10}   limit: bare PySide6 window + table")
    label = "cold start to main window shown"
    best = min(start_ms)
    print(f"{label:<34}{statistics.median(start_ms):>8.0f}ms{best:>8.0f}ms   {bare_ms:.0f} ms")
    memory = statistics.median(m for _, m in starts)
    bare_memory = statistics.median(m for _, m in bare)
    print(f"{'peak memory, list shown':<34}{memory:>8.0f}MB{'':>10}   {bare_memory:.0f} MB")


def print_search(figures: list[SearchFigures]) -> None:
    print(f"\n{'search (ids + first screen)':<34}{'p50':>8}{'p95':>8}   raw SQLite p50/p95   hits")
    for f in figures:
        row = f"{f.label:<34}{f.p50:>6.1f}ms{f.p95:>6.1f}ms   {f.raw50:>6.1f} / {f.raw95:>5.1f} ms"
        print(f"{row}   {f.hits:>8,}")
    print(f"\n{'the same, CPU time of this process':<34}{'p50':>8}{'p95':>8}   raw SQLite p50/p95")
    for f in figures:
        row = f"{f.label:<34}{f.cpu50:>6.1f}ms{f.cpu95:>6.1f}ms"
        print(f"{row}   {f.raw_cpu50:>6.1f} / {f.raw_cpu95:>5.1f} ms")


if __name__ == "__main__":
    main()
