"""The encrypted database beside the plain one (issue 16): the same 200,000-participant demo post
measured side by side in one run, with the other bench scripts' own measurements.

    .venv/bin/python bench/bench_encryption.py [--participants 200000] [--rounds 4]

The plain post is made once with ``demo`` into a SQLite file that is *not* the data folder's
own (``open_app(folder, "sqlite:///…/plain.sqlite3")`` leaves such a file plain), then
VACUUMed. The encrypted post is a copy of it put in the folder's own place and opened as the
program opens it (``open_app(folder, folder.sqlite_url)``), which converts it the way an older
post is converted at its first start (an encrypted copy made with ``sqlcipher_export``, which
writes the pages afresh as VACUUM does: hence the VACUUM of the plain one, so both files are laid
out alike). Both are kept in ``bench/out/enc200k`` (later runs skip making them), the key in a
key file in ``bench/out/enc200k/keys``.

Each round works on fresh copies of both and measures each kind of figure on one right after the
other (plain first in even rounds, encrypted first in odd ones: the machine is shared and its load
drifts); the samples of all rounds are pooled. "% slower" compares the medians (p50) and the p95s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # starts measured with .pyc, as installed
sys.path.insert(0, str(HERE))

import bench_dashboard  # noqa: E402
import bench_dues  # noqa: E402
import bench_first_window  # noqa: E402
import bench_registration  # noqa: E402

from rumah_perisai.app import open_app  # noqa: E402
from rumah_perisai.config import DataFolder  # noqa: E402
from rumah_perisai.db.encrypted import is_plain  # noqa: E402
from rumah_perisai.demo import DemoRequest, create_demo_post  # noqa: E402
from rumah_perisai.services.dashboard import (  # noqa: E402
    cohorts,
    dues_figures,
    promotion_dashboard,
    promotion_figures,
)
from rumah_perisai.services.volunteers import log_in  # noqa: E402

PLAIN_FILE = "plain.sqlite3"
Samples = dict[str, list[float]]
Results = dict[str, Samples]  # "plain" / "encrypted" -> figure -> samples


class Variant:
    """One of the two posts: where it is and the database URL the program opens it with."""

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.root = root

    def url(self, root: Path | None = None) -> str:
        folder = DataFolder(root or self.root)
        if self.name == "plain":
            return f"sqlite:///{folder.root / PLAIN_FILE}"
        return folder.sqlite_url

    def database(self) -> Path:
        return self.root / PLAIN_FILE if self.name == "plain" else DataFolder(self.root).database


# --- making the two posts ------------------------------------------------------------------------


def make_posts(out: Path, participants: int) -> tuple[Variant, Variant]:
    """The two posts in ``out``, made if missing (the time it took kept in ``made.json``)."""
    plain = Variant("plain", out / "plain")
    encrypted = Variant("encrypted", out / "encrypted")
    made_file = out / "made.json"
    made: dict[str, float] = json.loads(made_file.read_text()) if made_file.exists() else {}
    if not plain.database().exists():
        print(f"making the plain demo post ({participants:,} participants)…", flush=True)
        shutil.rmtree(plain.root, ignore_errors=True)
        started = time.perf_counter()
        with open_app(DataFolder(plain.root), plain.url()) as app:
            create_demo_post(app.db, app.folder, DemoRequest(participants=participants), "bench")
        made["demo (plain)"] = time.perf_counter() - started
        vacuum = sqlite3.connect(plain.database(), isolation_level=None)  # a plain file by design
        vacuum.execute("VACUUM")
        vacuum.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        vacuum.close()
        shutil.rmtree(encrypted.root, ignore_errors=True)
    if not encrypted.database().exists():
        print("converting a copy to the encrypted post (as at an older post's first start)…")
        building = out / "encrypted.tmp"
        shutil.rmtree(building, ignore_errors=True)
        shutil.copytree(plain.root, building)
        folder = DataFolder(building)
        (building / PLAIN_FILE).rename(folder.database)
        started = time.perf_counter()
        with open_app(folder, folder.sqlite_url):
            made["conversion at first start"] = time.perf_counter() - started
        assert not is_plain(folder.database)
        building.rename(encrypted.root)
    made_file.write_text(json.dumps(made))
    for label, seconds in made.items():
        print(f"{label}: {seconds:.1f} s")
    return plain, encrypted


# --- one round of measurements on a fresh copy ---------------------------------------------------


def measure_round(order: tuple[Variant, ...], args: argparse.Namespace, results: Results) -> None:
    """Each kind of figure for one post right after the other: the machine's load, which drifts
    over minutes, weighs on both alike."""
    with tempfile.TemporaryDirectory() as temp:
        copies = []
        for variant in order:
            root = Path(temp) / variant.name
            shutil.copytree(variant.root, root)
            copies.append((variant.name, root, variant.url(root)))
        for phase in (measure_start, measure_search, measure_dashboard, measure_writes):
            for name, root, url in copies:
                phase(root, url, args, results[name])


def measure_start(root: Path, url: str, args: argparse.Namespace, into: Samples) -> None:
    bench_first_window._start(["child-app", str(root), url])  # warm-up: the OS file cache
    for _ in range(args.starts):
        seconds, memory = bench_first_window._start(["child-app", str(root), url])
        into["start: open_app + main window shown"].append(seconds)
        into["peak memory, list shown (MB)"].append(memory)


def measure_search(root: Path, url: str, _args: argparse.Namespace, into: Samples) -> None:
    """The first window bench's search: its p50 and p95 per kind of query, per round (it
    keeps no samples), so these rows pool the rounds' percentiles."""
    for figures in bench_first_window.bench_search(root, url):
        into[f"search p50: {figures.label}"].append(figures.p50 / 1000)
        into[f"search p95: {figures.label}"].append(figures.p95 / 1000)
        into[f"raw SQL p50: {figures.label}"].append(figures.raw50 / 1000)


def measure_dashboard(root: Path, url: str, args: argparse.Namespace, into: Samples) -> None:
    folder = DataFolder(root)
    with open_app(folder, url) as app:
        _participants, day, _desa = bench_dashboard.dashboard_day(app)
        calls: dict[str, Callable[[], object]] = {
            "dashboard: promotion tab refresh (as the window)": lambda: promotion_dashboard(
                app.db, day, "month"
            ),
            "dashboard: promotion figures": lambda: promotion_figures(app.db, day),
            "dashboard: cohorts by month": lambda: cohorts(app.db, day, "month"),
            "dashboard: dues figures": lambda: dues_figures(app.db, day),
        }
        for label, call in calls.items():
            into[label] += bench_dashboard.measure(args.dashboard_runs, call)[1]
    # The decrypted pages the dashboards leave in the connections' caches, in a process of its own.
    child = subprocess.run(
        [sys.executable, __file__, "child-dashboard", str(root), url],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    into["peak memory after the dashboards (MB)"].append(float(child.stdout))


def child_dashboard(root: str, url: str) -> None:
    with open_app(DataFolder(Path(root)), url) as app:
        _participants, day, _desa = bench_dashboard.dashboard_day(app)
        for _ in range(3):
            promotion_dashboard(app.db, day, "month")
            dues_figures(app.db, day)
    print(bench_first_window._rss_mb())


def measure_writes(root: Path, url: str, args: argparse.Namespace, into: Samples) -> None:
    folder = DataFolder(root)
    with open_app(folder, url) as app:
        actor = log_in(app.db, "Euis Komalasari", "1357")
        rng = random.Random(3)
        saves = bench_registration.save_registrations(app, actor, rng, args.registrations)
        into["save one registration"] += saves
    save, _document, _draw, whole = bench_dues.payment_samples(folder, url, args.payments)
    into["take a payment (plan + save)"] += save
    into["take a payment with its receipt PDF"] += whole


# --- the table -----------------------------------------------------------------------------------


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def slower(plain: float, encrypted: float) -> str:
    return f"{(encrypted / plain - 1) * 100:+.0f} %"


def print_table(results: Results) -> None:
    plain, encrypted = results["plain"], results["encrypted"]
    print(f"\n{'what':<52}{'plain p50/p95':>20}{'encrypted p50/p95':>22}{'% slower p50/p95':>20}")
    for label in plain:
        if label.startswith("search p95"):
            continue
        if label.startswith("search p50"):
            kind = label.removeprefix("search p50: ")
            a50, b50 = statistics.median(plain[label]), statistics.median(encrypted[label])
            a95 = statistics.median(plain[f"search p95: {kind}"])
            b95 = statistics.median(encrypted[f"search p95: {kind}"])
            label = f"search: {kind}"
        elif label.startswith("raw SQL"):  # the same statement on the driver: p50 only
            a50 = statistics.median(plain[label])
            b50 = statistics.median(encrypted[label])
            print(f"{label:<52}{a50 * 1000:>9.1f}{'':>11}{b50 * 1000:>11.1f}{'':>11}"
                  f"{slower(a50, b50):>10}")  # fmt: skip
            continue
        elif label.endswith("(MB)"):
            a50, b50 = statistics.median(plain[label]), statistics.median(encrypted[label])
            print(f"{label:<52}{a50:>9.0f} MB{'':>8}{b50:>11.0f} MB{'':>8}{slower(a50, b50):>10}")
            continue
        else:
            a50, a95 = p50_p95(plain[label])
            b50, b95 = p50_p95(encrypted[label])
        print(
            f"{label:<52}{a50 * 1000:>9.1f} /{a95 * 1000:>7.1f} ms"
            f"{b50 * 1000:>11.1f} /{b95 * 1000:>7.1f} ms"
            f"{slower(a50, b50):>10} /{slower(a95, b95):>7}"
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "child-dashboard":
        child_dashboard(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--dashboard-runs", type=int, default=5)
    parser.add_argument("--registrations", type=int, default=50)
    parser.add_argument("--payments", type=int, default=50)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "enc200k")
    args = parser.parse_args()
    # The key in a key file beside the posts: the figures must not depend on whether this
    # computer has a key store (it is read once per start, never per query).
    os.environ["RUMAH_PERISAI_KEY_STORE"] = "file"
    os.environ["RUMAH_PERISAI_KEY_DIR"] = str(args.out / "keys")
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(HERE.parent / "rumah_perisai")], check=True
    )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()}")
    plain, encrypted = make_posts(args.out, args.participants)
    for variant in (plain, encrypted):
        size = variant.database().stat().st_size / 1e6
        print(f"{variant.name}: {variant.database()} ({size:,.0f} MB)")
    results: Results = {"plain": defaultdict(list), "encrypted": defaultdict(list)}
    began = time.perf_counter()
    for round_no in range(args.rounds):
        order = (plain, encrypted) if round_no % 2 == 0 else (encrypted, plain)
        print(f"round {round_no + 1}: {' then '.join(v.name for v in order)}…", flush=True)
        measure_round(order, args, results)
    print(f"measured in {time.perf_counter() - began:.0f} s; load now {os.getloadavg()}")
    print_table(results)
    sys.stdout.flush()
    # Qt's objects torn down at exit trip a shiboken reference-count bug (see
    # bench_registration.py); everything is printed, so leave without the teardown.
    os._exit(0)


if __name__ == "__main__":
    main()
