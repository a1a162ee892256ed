"""Erasure at a post (issue 19): one erasure (row, audit log, call notes, the name index
optimised, the erasure list written, the WAL checkpointed) on a demo post, and the start-up
check of the erasure list.

    .venv/bin/python bench/bench_erasure.py [--participants 20000] [--erasures 10]

Uses ``bench/out/demo<N>`` (made here if missing), copied to a temporary folder.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import select

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Participant
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.errors import UserError
from rumah_perisai.services.requests import erase
from rumah_perisai.services.volunteers import Actor

OUT = Path(__file__).parent / "out"
BOSS = Actor(label="bench", role="coordinator")


def demo_folder(participants: int) -> DataFolder:
    folder = DataFolder(OUT / f"demo{participants // 1000}k")
    if not folder.database.exists():
        print(f"making {folder.root.name}…", flush=True)
        folder.root.mkdir(parents=True, exist_ok=True)
        with open_app(folder, folder.sqlite_url) as app:
            create_demo_post(app.db, app.folder, DemoRequest(participants=participants), "bench")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--erasures", type=int, default=10)
    args = parser.parse_args()
    source = demo_folder(args.participants)
    with tempfile.TemporaryDirectory() as temp:
        folder = DataFolder(Path(temp) / "data")
        shutil.copytree(source.root, folder.root)
        samples = []
        with open_app(folder, folder.sqlite_url) as app:
            with app.db.reading() as session:
                ids = list(session.scalars(select(Participant.id).order_by(Participant.id)))
            today = app.db.clock().date()
            for pid in ids[:: max(1, len(ids) // (args.erasures * 3))]:
                if len(samples) == args.erasures:
                    break
                start = time.perf_counter()
                try:
                    erase(app.db, folder, pid, min(today, date.today()), "in_person", BOSS)
                except UserError:
                    continue  # a receipt of today not yet closed
                samples.append(time.perf_counter() - start)
        start = time.perf_counter()
        with open_app(folder, folder.sqlite_url):
            opened = time.perf_counter() - start
    ordered = sorted(samples)
    print(f"erasure on {args.participants:,} participants, {len(samples)} erasures:")
    print(f"  one erasure   p50 {statistics.median(ordered) * 1000:6.1f} ms   "
          f"max {ordered[-1] * 1000:6.1f} ms")  # fmt: skip
    print(f"  opening the post (erasure list checked) {opened * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
