"""Foundation figures: area type-ahead, rule checks, command start-up, and status counts over
200,000 participants in SQL. Run: ``.venv/bin/python bench/bench_foundation.py [--db URL]``.

Writes nothing outside a temporary folder (or the database given with --db, which must be empty).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from rumah_perisai import areas
from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Participant
from rumah_perisai.db.status import status_on
from rumah_perisai.domain.coverage import CoverHistory, Standing, summarize
from rumah_perisai.domain.dues import monthly_dues
from rumah_perisai.domain.months import add_months, iter_months, month_end
from rumah_perisai.domain.nik import validate_nik
from rumah_perisai.services.posts import PostSetup, set_up_post


def timed(label: str, action: Callable[[], object], repeat: int = 1) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    best = min(samples) if repeat > 1 else samples[0]
    median = statistics.median(samples)
    print(
        f"{label:<58} {best * 1000:9.2f} ms"
        + (f"  (median {median * 1000:.2f})" if repeat > 1 else "")
    )
    return best


def bench_areas() -> None:
    timed("areas: first kabupaten search (loads 7.8k rows)", lambda: areas.search_regencies("cire"))
    timed("areas: kabupaten search, warm", lambda: areas.search_regencies("kab"), repeat=50)
    timed(
        "areas: first desa search in a kabupaten (loads 1 province)",
        lambda: areas.search_villages("sura", "32.09"),
    )
    timed(
        "areas: desa search in a kabupaten, warm",
        lambda: areas.search_villages("ka", "32.09"),
        repeat=50,
    )
    timed(
        "areas: desa search, whole country, warm",
        lambda: areas.search_villages("sukamaju"),
        repeat=10,
    )


def bench_rules() -> None:
    validate_nik("3209145203900001")
    n = 20_000
    per = timed(f"validate_nik x {n}", lambda: [validate_nik("3209145203900001") for _ in range(n)])
    print(f"{'  = per NIK':<58} {per / n * 1e6:9.2f} us")
    monthly_dues(1_000_000, ["JKK", "JKM"], date(2026, 1, 1))
    per = timed(
        f"monthly_dues x {n}",
        lambda: [
            monthly_dues(2_500_000, ["JKK", "JKM", "JHT"], date(2026, 1, 1)) for _ in range(n)
        ],
    )
    print(f"{'  = per month priced':<58} {per / n * 1e6:9.2f} us")


def bench_cli(folder: Path) -> None:
    # Compiled modules, as an installed program has them (this workplace sets
    # PYTHONDONTWRITEBYTECODE, which would make every run compile the program anew).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", "rumah_perisai"], check=True)

    def run() -> None:
        subprocess.run(
            [sys.executable, "-m", "rumah_perisai", "--data-dir", str(folder), "info", "--json"],
            check=True,
            capture_output=True,
            env=env,
        )

    timed("command line: `info --json`, whole process", run, repeat=5)


def _rows(n: int, post_id: int) -> list[dict[str, object]]:
    rng = random.Random(42)
    rows = []
    for number in range(1, n + 1):
        start = date(2026, 3, 1) + timedelta(days=rng.randrange(270))
        promo = month_end(add_months(start, 3))
        paid_to = rng.choice([0, 0, 1, 2, 4, 6, 9])
        paid = (
            frozenset(iter_months(add_months(promo, 1), add_months(promo, paid_to)))
            if paid_to
            else frozenset()
        )
        summary = summarize(CoverHistory(Standing.MEMBER, start, promo, paid))
        at = datetime(2026, 1, 1, tzinfo=UTC)
        rows.append(
            {
                "post_id": post_id, "post_code": "BENCH1", "number": number,
                "registration_no": f"BENCH1-{number:06d}", "nik": f"{3209000000000000 + number}",
                "name": f"Peserta {number}", "birth_place": "Cirebon",
                "birth_date": date(1985, 1, 1), "sex": "L", "street": "Jl. Raya",
                "desa_code": "32.09.14.2001", "occupation": "Petani", "income": 1_000_000,
                "with_jht": False, "consent_at": at, "registered_on": start, "registered_at": at,
                "standing": "member", "membership_start": start, "rejoin_count": 0,
                "promo_until": summary.promo_until, "cover_from": summary.cover_from,
                "cover_until": summary.cover_until, "arrears_until": summary.arrears_until,
                "change_no": 1,
            }
        )  # fmt: skip
    return rows


def bench_status(folder: Path, url: str | None, n: int) -> None:
    app = open_app(DataFolder(folder), url or DataFolder(folder).sqlite_url)
    try:
        set_up_post(app.db, app.folder, PostSetup("BENCH1", "Bench", "32.09"), "bench")
        rows = _rows(n, 1)
        with app.db.engine.begin() as connection:
            timed(
                f"insert {n:,} participants (bulk, one transaction)",
                lambda: connection.execute(insert(Participant), rows),
            )
        day = date(2026, 11, 27)
        query = select(status_on(day), func.count()).group_by(status_on(day))
        with app.db.reading() as session:
            counts = dict(session.execute(query).all())  # type: ignore[arg-type]
            timed(
                f"count {n:,} participants by status on a day (SQL)",
                lambda: session.execute(query).all(),
                repeat=5,
            )
            ending = select(func.count()).where(
                Participant.cover_until.between(day, day + timedelta(days=14))
            )
            timed(
                "count whose cover ends within 14 days (indexed)",
                lambda: session.execute(ending).scalar(),
                repeat=5,
            )
        print("  statuses:", counts)
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="an EMPTY database URL (default: SQLite in a temp folder)")
    parser.add_argument("--participants", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_areas()
        bench_rules()
        bench_status(Path(tmp) / "post", args.db, args.participants)
        bench_cli(Path(tmp) / "post")


if __name__ == "__main__":
    main()
