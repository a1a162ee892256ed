"""The post under load (issue 14, items 5 and 6): a big first batch written to a slow stick while
the counter goes on taking payments. How long each payment waited, and how long the export held
the write lock.

    .venv/bin/python bench/bench_post_under_load.py [--participants 50000] [--stick-mb-s 4]

A demo post is made in a temporary folder (``create_demo_post``); its first batch is exported on
a thread to a "stick" whose writes are throttled to ``--stick-mb-s`` (``safe_write.write_chunk``
slowed down), while the main thread takes one-month payments one after another. Figures go to
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import Connection, Engine, event, select

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.engine import SQLITE_BEGIN
from rumah_perisai.db.models import Participant
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.errors import UserError
from rumah_perisai.exchange import safe_write
from rumah_perisai.keys.files import branch_key_file, create_branch_keys
from rumah_perisai.keys.installed import install_branch_key
from rumah_perisai.services.batches import export_batch
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import SilentProgress

CLI = Actor(label="cli:bench")


def throttle(stick: Path, bytes_per_second: float) -> None:
    """Writes into ``stick`` go at most this fast (the computer's own disk is left alone)."""
    real = safe_write.write_chunk

    def slow(fd: int, chunk: memoryview) -> int:
        written = real(fd, chunk)
        try:
            on_stick = Path(os.readlink(f"/proc/self/fd/{fd}")).parent == stick
        except OSError:
            on_stick = True
        if on_stick:
            time.sleep(written / bytes_per_second)
        return written

    safe_write.write_chunk = slow


class LockWatch:
    """How long each transaction of the exporting thread lasted (on SQLite a writer's
    ``BEGIN IMMEDIATE`` … ``COMMIT`` is the time it holds the post's write lock)."""

    def __init__(self, engine: Engine) -> None:
        self.exporter = -1
        self.held: list[str] = []
        self._started: dict[int, tuple[str, float]] = {}
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _begin(self, conn: Connection) -> None:
        if threading.get_ident() == self.exporter:
            writes = conn.get_execution_options().get(SQLITE_BEGIN) == "BEGIN IMMEDIATE"
            self._started[id(conn)] = ("write" if writes else "read", time.perf_counter())

    def _end(self, conn: Connection) -> None:
        begun = self._started.pop(id(conn), None)
        if begun is not None:
            self.held.append(f"{begun[0]} {time.perf_counter() - begun[1]:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=50_000)
    parser.add_argument("--stick-mb-s", type=float, default=4.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = DataFolder(Path(scratch) / "post")
        stick = Path(scratch) / "stick"
        stick.mkdir()
        branch = create_branch_keys(Path(scratch) / "b", "LATIH", "Cabang latihan", demo=True)
        with open_app(folder, folder.sqlite_url) as app:
            started = time.perf_counter()
            request = DemoRequest(participants=args.participants)
            create_demo_post(app.db, folder, request, CLI.label, SilentProgress())
            print(f"demo post made in {time.perf_counter() - started:.0f} s", flush=True)
            install_branch_key(app.db, branch_key_file(branch.public, branch.signing), CLI)
            with app.db.reading() as session:
                people = list(session.scalars(select(Participant.id).limit(2000)))
            throttle(stick.resolve(), args.stick_mb_s * 1e6)
            watch = LockWatch(app.db.engine)
            outcome: list[object] = []

            def export() -> None:
                watch.exporter = threading.get_ident()
                began = time.perf_counter()
                try:
                    written = export_batch(app.db, folder, stick, CLI)
                    outcome.append((time.perf_counter() - began, written.info.file_size))
                except UserError as error:
                    outcome.append(error.key)

            exporter = threading.Thread(target=export)
            exporter.start()
            waits, refusals = [], []
            index = 0
            while exporter.is_alive() and index < len(people):
                who = people[index]
                index += 1
                try:
                    plan = payment_options(app.db, who).plan(1)
                except (UserError, StopIteration):
                    continue
                began = time.perf_counter()
                try:
                    take_payment(
                        app.db, who, 1, plan.total, CLI,
                        expect_months=[m.month for m in plan.months],
                    )  # fmt: skip
                except UserError as error:
                    refusals.append(error.key)
                    continue
                waits.append(time.perf_counter() - began)
            exporter.join()
        print(f"export: {outcome}")
        print(
            f"export's transactions: {watch.held}; "
            f"payments during it: {len(waits)} taken, refused {refusals}; wait median "
            f"{statistics.median(waits) if waits else 0:.3f} s, longest "
            f"{max(waits) if waits else 0:.3f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
