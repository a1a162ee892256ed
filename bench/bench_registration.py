"""Walk-in registration on the 200k demo post: keystroke to results in the list, the duplicate
check while typing, and saving one registration — p50/p95.

    .venv/bin/python bench/bench_registration.py [--data-dir bench/out/demo200k]

Works on a copy of the demo database (saving registrations changes it). Off-screen Qt.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.i18n import tr
from rumah_perisai.services.registration import (
    RegistrationForm,
    find_duplicates,
    register,
)
from rumah_perisai.services.volunteers import Actor, log_in
from rumah_perisai.ui.main_window import SEARCH_PAUSE_MS, MainWindow

HERE = Path(__file__).resolve().parent


def p50_p95(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"


def keystroke_to_results(window: MainWindow, qt_app: QApplication, words: list[str]) -> list[float]:
    """From a key pressed in the search box to the first screen of results painted."""
    samples = []
    for word in words:
        window.search_box.clear()
        window.search_now()
        qt_app.processEvents()
        for char in word:
            fetched = window.model.rows_fetched
            before = window.model.query
            start = time.perf_counter()
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    window.search_box,
                    QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char),
                )
            hint = tr("Type more, or press Enter")
            while True:
                # Wait in 1 ms steps: spinning on processEvents millions of times trips a
                # shiboken reference-count bug on None (Python 3.11) and kills the process.
                qt_app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 1)
                time.sleep(0.0005)
                if window._search_timer.isActive():
                    continue  # the pause after a keystroke has not ended yet
                if window.model.query != before and (
                    not window.model.rowCount() or window.model.rows_fetched > fetched
                ):
                    break  # the results are on screen
                if window.result_count.text() == hint:
                    break  # "type more": the answer for one letter or three digits
            samples.append(time.perf_counter() - start)
    return samples


def walk_in(rng: random.Random, n: int) -> RegistrationForm:
    born = date(1970, 1, 1).toordinal() + rng.randrange(30 * 365)
    birth = date.fromordinal(born)
    nik = f"320914{birth.day + 40:02d}{birth.month:02d}{birth.year % 100:02d}{9000 + n:04d}"
    syllables = ["ra", "di", "ma", "su", "ko", "wi", "na", "ti", "yo", "pe", "lu", "gan"]
    name = " ".join("".join(rng.choice(syllables) for _ in range(3)).capitalize() for _ in range(2))
    return RegistrationForm(
        nik=nik, name=name, birth_place="Cirebon", birth_date=birth, sex="P",
        street="Jl. Pantura", rt="1", rw="2", desa_code="32.09.14.2001", phone="081234567890",
        occupation="Pedagang", income=1_000_000, with_jht=False, heir_name="", heir_relation="",
        consent=True,
    )  # fmt: skip


def save_registrations(app: App, actor: Actor, rng: random.Random, count: int) -> list[float]:
    """Seconds to save each of ``count`` walk-ins (checks, number, cover, audit, name index)."""
    saves = []
    for n in range(count):
        form = walk_in(rng, n)
        start = time.perf_counter()
        register(app.db, form, actor)
        saves.append(time.perf_counter() - start)
    return saves


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=str(HERE / "out" / "demo200k"))
    args = parser.parse_args()
    source = DataFolder(Path(args.data_dir))
    if not source.database.exists():
        sys.exit(f"no demo post in {source.root}: run bench/bench_first_window.py first")
    work = DataFolder(Path(tempfile.mkdtemp()) / "post")
    shutil.copytree(source.root, work.root)
    qt_app = QApplication([])
    app = open_app(work, work.sqlite_url)
    actor = log_in(app.db, "Euis Komalasari", "1357")
    window = MainWindow(app, actor)
    window.show()
    rng = random.Random(3)

    words = ["siti", "nurh", "asep", "komala", "3209141", "ujang s", "dede", "rahayu"]
    typed = keystroke_to_results(window, qt_app, words * 3)
    print(f"keystroke to results shown ({len(typed)} keys, {SEARCH_PAUSE_MS} ms pause)  "
          f"{p50_p95(typed)}")  # fmt: skip

    with app.db.reading() as session:
        people = session.execute(
            __import__("sqlalchemy").text("SELECT name, birth_date FROM participants LIMIT 2000")
        ).all()
    checks = []
    for name, born in rng.sample(people, 200):
        with app.db.reading() as session:
            start = time.perf_counter()
            find_duplicates(session, window.post_id, name, date.fromisoformat(str(born)))
            checks.append(time.perf_counter() - start)
    print(f"duplicate check while typing (200 names)              {p50_p95(checks)}")

    saves = save_registrations(app, actor, rng, 100)
    print(f"save one registration (100 walk-ins)                   {p50_p95(saves)}")
    window.close()
    app.close()
    shutil.rmtree(work.root.parent)


if __name__ == "__main__":
    main()
