"""Demo data at full size: time, rows and file size of a demo post with 200,000 participants.

Run: ``.venv/bin/python bench/bench_demo.py [--participants N] [--seed S] [--db URL]``.
Writes nothing outside a temporary folder (or the database given with --db, which must be empty).
The argon2 hashing of the nine demo accounts (about 2 s) is part of the time, as in real use.
"""

from __future__ import annotations

import argparse
import functools
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import (
    AuditEntry,
    Counter,
    CoverPeriod,
    DailyClose,
    DailyCloseLine,
    Deposit,
    DepositClose,
    Participant,
    Post,
    Receipt,
    ReceiptMonth,
    Volunteer,
)
from rumah_perisai.demo import DemoRequest, bulk, create_demo_post, writer

_TABLES = (
    Post, Volunteer, Participant, CoverPeriod, Receipt, ReceiptMonth, DailyClose, DailyCloseLine,
    Deposit, DepositClose, Counter, AuditEntry,
)  # fmt: skip


class PrintedProgress:
    """Prints each tenth of the way, with the time since the start, and notes when each step
    (its text) began: the phases' times."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.next_tenth = 0
        self.phases: dict[str, float] = {}  # step text -> seconds from the start to its first
        self.last_step = 0.0

    def step(self, done: int, total: int, text: str = "") -> None:
        seconds = time.perf_counter() - self.started
        self.phases.setdefault(text, seconds)
        self.last_step = seconds
        if total and done * 10 >= self.next_tenth * total:
            print(f"  {done * 100 // total:3d}%  {seconds:6.1f} s  {text}", flush=True)
            self.next_tenth = done * 10 // total + 1

    def breakdown(self, seconds: float) -> str:
        """Seconds of each phase: before the first step (the post, its accounts and their PIN
        hashes), each step, and after the last (cash, indexes, name index, commit)."""
        names = ["start", *self.phases, "end"]
        marks = [0.0, *self.phases.values(), self.last_step, seconds]
        return ", ".join(
            f"{name}: {end - begin:.1f} s"
            for name, begin, end in zip(names, marks, marks[1:], strict=False)
        )


class ThreadSplit:
    """The wall-clock split between the main thread and the writing thread (``demo.bulk``):
    how long the writing thread worked, and how long the main thread waited for it (a full
    queue, and the end of the block). Wraps the writer's private methods: a bench's view."""

    def __init__(self, *, jobs: bool = False) -> None:
        self.busy = self.busy_cpu = self.waited = 0.0
        self.closed = 0.0  # perf_counter when the writing thread's last job was done
        # job label -> [count, wall seconds, processor seconds] (``--jobs``)
        self.jobs: dict[str, list[float]] = {}
        run, put, close = bulk._Behind._run, bulk._Behind.put, bulk._Behind.close
        split = self

        def timed_run(behind: bulk._Behind) -> None:
            wall, cpu = time.perf_counter(), time.thread_time()
            run(behind)
            split.busy_cpu += time.thread_time() - cpu
            split.busy += time.perf_counter() - wall  # less its idle waits, below

        def timed_put(behind: bulk._Behind, job: Any) -> None:
            started = time.perf_counter()
            put(behind, split._timed(job) if jobs else job)
            split.waited += time.perf_counter() - started

        def timed_close(behind: bulk._Behind, *, drop: bool) -> BaseException | None:
            started = time.perf_counter()
            try:
                return close(behind, drop=drop)
            finally:
                split.closed = time.perf_counter()
                split.waited += split.closed - started

        get = bulk.queue.Queue.get

        def idle_get(jobs: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return get(jobs, *args, **kwargs)
            finally:
                if threading.current_thread().name == "demo-bulk-writer":
                    split.busy -= time.perf_counter() - started

        wait = getattr(bulk._Behind, "wait", None)  # the code before 959ba4c read in the middle
        if wait is not None:

            def timed_wait(behind: bulk._Behind) -> None:
                started = time.perf_counter()
                wait(behind)
                split.waited += time.perf_counter() - started

            bulk._Behind.wait = timed_wait  # type: ignore[attr-defined]
        bulk._Behind._run = timed_run  # type: ignore[method-assign]
        bulk._Behind.put = timed_put  # type: ignore[method-assign]
        bulk._Behind.close = timed_close  # type: ignore[method-assign]
        bulk.queue.Queue.get = idle_get  # type: ignore[method-assign]

    def time_indexes(self) -> None:
        """Each index made again timed on its own (the writer's jobs make several at once)."""

        def make_indexes(connection: Any, indexes: Any) -> None:
            for sql in indexes:
                wall, cpu = time.perf_counter(), time.thread_time()
                connection.exec_driver_sql(sql)
                words = sql.split()
                head = " ".join(words[: 4 if words[1] == "UNIQUE" else 3])
                line = self.jobs.setdefault(head, [0, 0.0, 0.0])
                line[0] += 1
                line[1] += time.perf_counter() - wall
                line[2] += time.thread_time() - cpu

        writer.make_indexes = make_indexes  # type: ignore[assignment]

    def _timed(self, job: Any) -> Any:
        label = _label(job)
        if label.endswith("make_indexes"):
            return job  # timed index by index (``time_indexes``)

        def timed() -> None:
            wall, cpu = time.perf_counter(), time.thread_time()
            job()
            line = self.jobs.setdefault(label, [0, 0.0, 0.0])
            line[0] += 1
            line[1] += time.perf_counter() - wall
            line[2] += time.thread_time() - cpu

        return timed

    def job_lines(self) -> str:
        ordered = sorted(self.jobs.items(), key=lambda item: -item[1][2])
        return "\n".join(
            f"  {cpu:6.2f} s cpu {wall:6.2f} s wall {int(count):4d}x  {label}"
            for label, (count, wall, cpu) in ordered
        )

    def __str__(self) -> str:
        return (
            f"writing thread busy {self.busy:.1f} s (processor {self.busy_cpu:.1f} s);"
            f" main thread waited for it {self.waited:.1f} s"
        )


def _label(job: Any) -> str:
    """What a writing thread's job does, for ``--jobs``: its INSERT's table, or its function."""
    while isinstance(job, functools.partial):
        if job.args and isinstance(job.args[0], str):
            return " ".join(job.args[0].split()[:3])
        job = job.func
    return str(getattr(job, "__qualname__", job))


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="an EMPTY database URL (default: SQLite in a temp folder)")
    parser.add_argument(
        "--jobs", action="store_true", help="time each of the writing thread's jobs (by kind)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = DataFolder(Path(tmp) / "data")
        app = open_app(folder, args.db or folder.sqlite_url)
        try:
            request = DemoRequest(args.participants, seed=args.seed)
            progress = PrintedProgress()
            split = ThreadSplit(jobs=args.jobs)
            if args.jobs:
                split.time_indexes()
            started = time.perf_counter()
            cpu, main_cpu = time.process_time(), time.thread_time()
            summary = create_demo_post(app.db, folder, request, "bench", progress)
            ended = time.perf_counter()
            seconds = ended - started
            cpu, main_cpu = time.process_time() - cpu, time.thread_time() - main_cpu
            with app.db.reading() as session:
                rows = {
                    model.__tablename__: session.scalar(select(func.count()).select_from(model))
                    for model in _TABLES
                }
        finally:
            app.close()
        database = folder.database
        print(f"\n{args.participants:,} participants in {seconds:.1f} s")
        print("phases:", progress.breakdown(seconds))
        # On a machine shared with other work the time above is mostly waiting for a core; the
        # processor time is steadier. With the writing thread, the main thread's own share is
        # about what the command needs on two free cores (plus the waits for the writer).
        print(f"processor time: {cpu:.1f} s, of which the main thread {main_cpu:.1f} s")
        print("threads:", split)
        print(f"after the writing thread's last job (the commit): {ended - split.closed:.1f} s")
        if args.jobs:
            print("the writing thread's jobs, by processor time:")
            print(split.job_lines())
        print("rows:", json.dumps(rows))
        print("statuses:", json.dumps(summary.statuses), f"rejoined: {summary.rejoined:,}")
        if not args.db:
            wal = database.with_name(database.name + "-wal")
            size, left = _size(database) / 1e6, _size(wal) / 1e6
            print(f"database file: {size:.1f} MB (WAL left over: {left:.1f} MB)")


if __name__ == "__main__":
    main()
