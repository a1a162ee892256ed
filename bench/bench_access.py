"""Who looked (issue 19): what recording a look adds to opening a participant, and whether
a few hundred thousand access records change the search-as-you-type figure.

    .venv/bin/python bench/bench_access.py [--data-dir bench/out/demo200k] [--records 300000]

Works on a copy of the 200k demo post (``bench/bench_demo.py``; made here if missing). Opening
a participant is timed as the window does it: ``participant_detail`` alone (a reload, which
records nothing) against ``view_participant`` (the same, and the look queued for the looks'
writer thread), interleaved on the same random participants so the disk cache treats both
alike; and what a synchronous commit of one look (``record_access``) would have cost instead.
SQLite in WAL with synchronous=FULL, as at a post: every commit waits for the WAL to reach
the disk.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication
from sqlalchemy import func, insert, select

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import AccessRecord, AccessSubject, Participant, Volunteer
from rumah_perisai.services.access import (
    Doc,
    Look,
    flush_looks,
    record_access,
    record_access_soon,
)
from rumah_perisai.services.participant_view import participant_detail, view_participant
from rumah_perisai.services.volunteers import Actor, log_in
from rumah_perisai.ui.main_window import SEARCH_PAUSE_MS, MainWindow

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_registration import keystroke_to_results, p50_p95  # noqa: E402

WORDS = ["siti", "nurh", "asep", "komala", "3209141", "ujang s", "dede", "rahayu"]


def ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2] * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def make_demo(folder: DataFolder) -> None:
    from rumah_perisai.demo import DemoRequest, create_demo_post

    print(f"making the 200k demo post in {folder.root} (about a minute or two)", flush=True)
    app = open_app(folder, folder.sqlite_url)
    try:
        create_demo_post(app.db, folder, DemoRequest(200_000, seed=1), "bench", None)
    finally:
        app.close()


def opening(app: App, actor: Actor, ids: list[int], today: date) -> dict[str, list[float]]:
    """Per participant: the detail alone, the detail with its look queued, the queueing
    alone, and a synchronous commit of one look (what the queue saves the window)."""
    times: dict[str, list[float]] = {"plain": [], "viewed": [], "queued": [], "commit": []}

    def timed(name: str, call: Callable[[], object]) -> None:
        start = time.perf_counter()
        call()
        times[name].append(time.perf_counter() - start)
        flush_looks(app.db)  # the queue written, so the next figure is timed alone

    for pid in ids:
        timed("plain", lambda pid=pid: participant_detail(app.db, pid, today))
        timed("viewed", lambda pid=pid: view_participant(app.db, pid, today, actor))
        timed(
            "queued",
            lambda pid=pid: record_access_soon(app.db, actor, Look.VIEW, [pid], Doc.WINDOW),
        )
        timed("commit", lambda pid=pid: record_access(app.db, actor, Look.VIEW, [pid], Doc.WINDOW))
    return times


def fill_access(app: App, count: int, rng: random.Random) -> None:
    """``count`` looks over the last two years: mostly single views, one in fifty a list of
    a hundred people, by the post's accounts, written in one transaction (a bench shortcut)."""
    with app.db.reading() as session:
        top = session.scalar(select(func.max(Participant.id))) or 1
        volunteers = list(session.scalars(select(Volunteer.id)))
    start = datetime.now(UTC) - timedelta(days=730)
    step = timedelta(days=730) / count
    with app.db.unit_of_work("bench") as session:
        first = (session.scalar(select(func.max(AccessRecord.id))) or 0) + 1
        records, subjects = [], []
        for n in range(count):
            listing = n % 50 == 0
            people = rng.sample(range(1, top + 1), 100) if listing else [rng.randint(1, top)]
            records.append(
                {"id": first + n, "at": start + step * n, "actor": "bench",
                 "volunteer_id": rng.choice(volunteers), "action": "list" if listing else "view",
                 "what": None, "subjects": len(people)}
            )  # fmt: skip
            subjects += [{"access_id": first + n, "participant_id": p} for p in people]
            if len(subjects) > 50_000:
                session.execute(insert(AccessRecord), records)
                session.execute(insert(AccessSubject), subjects)
                records, subjects = [], []
        if records:
            session.execute(insert(AccessRecord), records)
            session.execute(insert(AccessSubject), subjects)
    # Years of looks arrive a few at a time, each checkpointed in passing: not one huge WAL.
    with app.db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def search_p95(window: MainWindow, qt_app: QApplication) -> list[float]:
    return keystroke_to_results(window, qt_app, WORDS * 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=str(HERE / "out" / "demo200k"))
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--opens", type=int, default=500)
    args = parser.parse_args()
    source = DataFolder(Path(args.data_dir))
    if not source.database.exists():
        make_demo(source)
    work = DataFolder(Path(tempfile.mkdtemp()) / "post")
    shutil.copytree(source.root, work.root, ignore=shutil.ignore_patterns(".in-use"))
    qt_app = QApplication([])
    app = open_app(work, work.sqlite_url)
    rng = random.Random(19)
    try:
        actor = log_in(app.db, "Euis Komalasari", "1357")
        with app.db.reading() as session:
            top = session.scalar(select(func.max(Participant.id))) or 1
            synchronous = session.connection().exec_driver_sql("PRAGMA synchronous").scalar()
            journal = session.connection().exec_driver_sql("PRAGMA journal_mode").scalar()
        print(f"{top:,} participants; journal_mode={journal} synchronous={synchronous} (2=FULL)")
        today = date.today()
        ids = [rng.randint(1, top) for _ in range(args.opens)]
        opening(app, actor, ids[:20], today)  # warm the cache and the connection pool
        report("no access records yet", opening(app, actor, ids, today))

        window = MainWindow(app, actor)
        window.show()
        before = search_p95(window, qt_app)
        started = time.perf_counter()
        fill_access(app, args.records, rng)
        with app.db.reading() as session:
            held = session.scalar(select(func.count()).select_from(AccessRecord)) or 0
            shown = session.scalar(select(func.count()).select_from(AccessSubject)) or 0
        print(f"\n{held:,} access records ({shown:,} subjects) written in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        after = search_p95(window, qt_app)
        print(f"search-as-you-type ({len(before)} keys, {SEARCH_PAUSE_MS} ms pause)")
        print(f"  no access records        {p50_p95(before)}")
        print(f"  {held:,} records     {p50_p95(after)}")
        window.close()
        report(f"{held:,} access records", opening(app, actor, ids, today))
    finally:
        app.close()
        shutil.rmtree(work.root.parent, ignore_errors=True)
    sys.stdout.flush()
    # Past here only the interpreter's shutdown, where PySide6's shiboken on Python 3.11 can
    # abort on a freed None (see bench_registration's note): the figures are all printed.
    os._exit(0)


def report(label: str, times: dict[str, list[float]]) -> None:
    rows = (
        ("participant_detail (a reload: no look)", "plain"),
        ("view_participant (opening: look queued)", "viewed"),
        ("queueing the look alone (what opening adds)", "queued"),
        ("a synchronous commit of the look instead", "commit"),
    )
    print(f"\nopening a participant, {label} ({len(times['plain'])} opens)")
    for text, key in rows:
        p50, p95 = ms(times[key])
        print(f"  {text:45s} p50 {p50:7.3f} ms  p95 {p95:7.3f} ms")


if __name__ == "__main__":
    main()
