"""Dashboards on the 200,000-participant demo post: the promotion funnel, cohorts, dues figures
and the month's incentive statements (p50 / p95 over 20 runs each).

    .venv/bin/python bench/bench_dashboard.py [--runs 20]

Uses a copy of ``bench/out/demo200k`` (made by ``bench/bench_demo.py``) in a temporary folder.
The aims: the promotion dashboard refreshes in at most 300 ms (issue 7), then in at most 20 ms
(issue 21), beside the limit measured in the same run: a bare ``count(*)`` over the
participants. The promotion tab reads a tally (``db.tally``); the same figures counted from the
participants (``recount_*``, what the tab did before issue 21) are timed in the same run, and
the two are checked equal on several days, for the whole post and each volunteer. Migration 0018
(which fills the tally) is timed on the copy: taken back to 0017 and upgraded again.
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

from sqlalchemy import func, select, text

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db import tally
from rumah_perisai.db.migrate import downgrade_to, upgrade_to_head
from rumah_perisai.db.models import Participant, Receipt
from rumah_perisai.services.dashboard import (
    cohorts,
    dues_figures,
    promotion_dashboard,
    promotion_figures,
    recount_cohorts,
    recount_promotion_figures,
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
    """Wall time, and this process's CPU time (the machine may be shared: the CPU time says
    what the call itself costs)."""
    cpu_start = time.process_time()
    result, samples = measure(runs, call)
    cpu = (time.process_time() - cpu_start) / (runs + 1) * 1000
    print(f"{label:<52} {percentiles(samples)}   cpu {cpu:7.1f} ms", flush=True)
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


def volunteers_of(app: App) -> list[int]:
    with app.db.reading() as session:
        ids = session.scalars(select(Participant.registered_by_id).distinct()).all()
    return sorted(i for i in ids if i is not None)


def check_tally(app: App, day: date) -> None:
    """The tally's figures and cohorts equal the recount's on days around ``day``, for the whole
    post and for each volunteer (``SystemExit`` if not)."""
    from datetime import timedelta

    days = [day + timedelta(days=n) for n in (-200, -60, -14, -13, -1, 0, 1, 13, 14, 30, 90)]
    with app.db.reading() as session:
        if not tally.is_kept(session):
            raise SystemExit("the post has no tally")
    checked = 0
    for each in days:
        for volunteer in (None, *volunteers_of(app)):
            if promotion_figures(app.db, each, volunteer_id=volunteer) != (
                recount_promotion_figures(app.db, each, volunteer_id=volunteer)
            ):
                raise SystemExit(f"tally and recount differ: figures, {each}, {volunteer}")
            for by in ("month", "week"):
                if cohorts(app.db, each, by, volunteer_id=volunteer) != recount_cohorts(
                    app.db, each, by, volunteer_id=volunteer
                ):
                    raise SystemExit(f"tally and recount differ: cohorts, {each}, {volunteer}")
            checked += 1
    print(f"  tally = recount on {len(days)} days x whole post and each volunteer ({checked})")


def tally_rows(app: App) -> str:
    with app.db.reading() as session:
        counts = [
            session.scalar(text(f"SELECT count(*) FROM {name}"))
            for name in ("promotion_counts", "promotion_ended_counts")
        ]
    return f"{counts[0]:,} + {counts[1]:,} tally rows"


def time_migration(app: App) -> None:
    """Migration 0018 on the copy: back to 0017 (the tally goes), then upgraded again."""
    downgrade_to(app.db.engine, "0017")
    start = time.perf_counter()
    upgrade_to_head(app.db.engine)
    print(f"migration 0018 (fills the tally)   {time.perf_counter() - start:7.2f} s", flush=True)


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
            time_migration(app)
            print(f"  {tally_rows(app)}")
            check_tally(app, day)
            volunteer = volunteers_of(app)[0]

            def bare_count() -> Any:
                with app.db.reading() as session:
                    return session.scalar(select(func.count()).select_from(Participant))

            def member_count() -> Any:
                with app.db.reading() as session:
                    return session.scalar(
                        select(func.count()).where(Participant.standing == "member")
                    )

            timed("limit: count(*) of participants (no WHERE)", args.runs, bare_count)
            timed("limit: count(*) of the members (a scan)", args.runs, member_count)
            timed(
                "promotion tab refresh (the tally)",
                args.runs,
                lambda: promotion_dashboard(app.db, day, "month"),
            )
            timed(
                "promotion tab refresh, one volunteer",
                args.runs,
                lambda: promotion_dashboard(app.db, day, "month", volunteer_id=volunteer),
            )
            timed(
                "promotion tab refresh, one desa",
                args.runs,
                lambda: promotion_dashboard(app.db, day, "month", desa_code=desa),
            )
            figures = timed(
                "promotion_figures (tally)", args.runs, lambda: promotion_figures(app.db, day)
            )
            print(f"  {figures}")
            timed("cohorts by month (tally)", args.runs, lambda: cohorts(app.db, day, "month"))
            timed("cohorts by week (tally)", args.runs, lambda: cohorts(app.db, day, "week"))
            timed(
                "recount: promotion_figures",
                args.runs,
                lambda: recount_promotion_figures(app.db, day),
            )
            timed(
                "recount: promotion_figures (one desa)",
                args.runs,
                lambda: recount_promotion_figures(app.db, day, desa_code=desa),
            )
            rows = timed(
                "recount: cohorts by month",
                args.runs,
                lambda: recount_cohorts(app.db, day, "month"),
            )
            print(f"  {len(rows)} cohorts; newest {rows[-1] if rows else None}")
            timed(
                "recount: cohorts by week", args.runs, lambda: recount_cohorts(app.db, day, "week")
            )
            timed(
                "recount: tab refresh side by side (before issue 21)",
                args.runs,
                lambda: recount_side_by_side(app, day),
            )
            dues = timed("dues_figures", args.runs, lambda: dues_figures(app.db, day))
            print(f"  month collected {dues.month.collected:,}; cash held {dues.cash_held:,}")
            statements = timed(
                "incentives post_month", max(1, args.runs // 4), lambda: post_month(app.db, day)
            )
            print(f"  {len(statements)} statements")


def recount_side_by_side(app: App, day: date) -> Any:
    """The promotion tab as it was read before the tally: both aggregates at once."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        figures = pool.submit(recount_promotion_figures, app.db, day)
        rows = pool.submit(recount_cohorts, app.db, day, "month")
        return figures.result(), rows.result()


if __name__ == "__main__":
    main()
