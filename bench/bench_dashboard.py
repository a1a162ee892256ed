"""Dashboards on the 200,000-participant demo post: the promotion funnel, cohorts, dues figures
and the month's incentive statements (p50 / p95 over 20 runs each).

    .venv/bin/python bench/bench_dashboard.py [--runs 20]

Uses a copy of ``bench/out/demo200k`` (made by ``bench/bench_demo.py``) in a temporary folder.
The aim (issue 7): the promotion dashboard refreshes in at most 300 ms.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Participant, Receipt
from rumah_perisai.services.dashboard import (
    cohorts,
    dues_figures,
    promotion_dashboard,
    promotion_figures,
)
from rumah_perisai.services.incentives import post_month

OUT = Path(__file__).parent / "out"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def measure(runs: int, call: Callable[[], Any]) -> tuple[Any, list[float]]:
    """The last result of ``call`` and the seconds of each of ``runs`` calls after a warm-up."""
    result = call()  # warm the page cache once
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - start)
    return result, samples


def timed(label: str, runs: int, call: Callable[[], Any]) -> Any:
    result, samples = measure(runs, call)
    print(f"{label:<34} {percentiles(samples)}", flush=True)
    return result


def dashboard_day(app: App) -> tuple[int, date, str | None]:
    """The number of participants, the day the dashboards are drawn for (the newest receipt's)
    and the desa with the most participants."""
    with app.db.reading() as session:
        participants = session.scalar(select(func.count(Participant.id))) or 0
        day = session.scalar(select(func.max(Receipt.issued_on))) or date.today()
        desa = session.scalar(
            select(Participant.desa_code)
            .group_by(Participant.desa_code)
            .order_by(func.count().desc())
            .limit(1)
        )
    return participants, day, desa


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    source = DataFolder(OUT / "demo200k")
    if not source.database.exists():
        raise SystemExit("bench/out/demo200k is missing: run bench/bench_demo.py first")
    with tempfile.TemporaryDirectory() as temp:
        folder = DataFolder(Path(temp) / "data")
        shutil.copytree(source.root, folder.root)
        with open_app(folder, folder.sqlite_url) as app:
            participants, day, desa = dashboard_day(app)
            print(f"{participants:,} participants; dashboard day {day}", flush=True)
            figures = timed("promotion_figures", args.runs, lambda: promotion_figures(app.db, day))
            print(f"  {figures}")
            timed(
                "promotion_figures (one desa)",
                args.runs,
                lambda: promotion_figures(app.db, day, desa_code=desa),
            )
            rows = timed("cohorts by month", args.runs, lambda: cohorts(app.db, day, "month"))
            timed(
                "promotion tab refresh (figures + cohorts by month)",
                args.runs,
                lambda: (promotion_figures(app.db, day), cohorts(app.db, day, "month")),
            )
            timed(
                "promotion tab refresh as the window does it (side by side)",
                args.runs,
                lambda: promotion_dashboard(app.db, day, "month"),
            )
            print(f"  {len(rows)} cohorts; newest {rows[-1] if rows else None}")
            timed("cohorts by week", args.runs, lambda: cohorts(app.db, day, "week"))
            dues = timed("dues_figures", args.runs, lambda: dues_figures(app.db, day))
            print(f"  month collected {dues.month.collected:,}; cash held {dues.cash_held:,}")
            statements = timed(
                "incentives post_month", max(1, args.runs // 4), lambda: post_month(app.db, day)
            )
            print(f"  {len(statements)} statements")


if __name__ == "__main__":
    main()
