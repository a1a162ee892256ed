"""A person's report (issue 19): the service, its PDF and its JSON for a participant with five
years of monthly receipts, inside the 200,000-participant demo post — p50/p95, beside the ≤ 1 s
aim, and the query plan of every statement the report runs (each must use an index, so the
post's size does not matter).

    .venv/bin/python bench/bench_report.py [--data-dir bench/out/demo200k] [--runs 20]

Works on a copy of the demo database (made with ``rumah-perisai demo --participants 200000`` if
missing). The person is given, each change in a unit of work of its own as the services make
them (so each has its change number and its audit entries): 60 monthly receipts with their
months and cover periods from Dec 2021 (a weekly batch after each), 3 cards, 5 calls, 20
corrections, 300 looks at them and 40 exported lists of 5,000 participants each.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import (
    AuditEntry,
    Batch,
    CallOutcome,
    CardIssue,
    CoverPeriod,
    Participant,
    Receipt,
    ReceiptMonth,
)
from rumah_perisai.domain.months import add_months, month_end
from rumah_perisai.printing.personal_report import personal_report_pdf, save_personal_report
from rumah_perisai.services.access import Look, record_access
from rumah_perisai.services.personal_report import personal_report, report_json
from rumah_perisai.services.volunteers import Actor, log_in

HERE = Path(__file__).resolve().parent
FIRST_MONTH = date(2021, 12, 1)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def _batch(app: App, seq: int) -> None:
    with app.db.unit_of_work("cli:bench") as session:
        newest = session.scalar(select(func.max(AuditEntry.change_no))) or 0
        before = session.scalar(select(func.max(Batch.change_to))) or 0
        session.add(
            Batch(
                post_id=1, seq=seq, created_at=app.db.clock(), change_from=before,
                change_to=newest, file_hash=hashlib.sha256(b"%d" % seq).hexdigest(),
                file_name=f"batch-{seq:04d}.rpb", counts_json="{}", state="acknowledged",
                acknowledged_at=app.db.clock(),
            )
        )  # fmt: skip


def give_history(app: App, who: int, actor: Actor) -> None:
    """Five years of the person's life at the post (see the module's doc)."""
    with app.db.reading() as session:
        person = session.get(Participant, who)
        assert person is not None
        code = person.post_code
    seq = 1
    for _ in range(200):  # the post's earlier weeks
        _batch(app, seq)
        seq += 1
    for i in range(60):
        month = add_months(FIRST_MONTH, i)
        issued = datetime(month.year, month.month, 5, 3, 0, tzinfo=UTC)
        with app.db.unit_of_work(actor.label) as session:
            number = f"{code}-{month.year}-{900000 + i:06d}"
            receipt = Receipt(
                post_id=1, post_code=code, year=month.year, seq=900000 + i, number=number,
                kind="payment", participant_id=who, month_count=1, first_month=month,
                last_month=month, jkk=10000, jkm=6800, jht=0, total=16800,
                cash_received=20000, issued_at=issued, issued_on=issued.date(),
                issued_by_id=actor.volunteer_id, cash_volunteer_id=actor.volunteer_id,
                refund=False, prev_hash="0" * 64, hash=hashlib.sha256(number.encode()).hexdigest(),
            )  # fmt: skip
            session.add(receipt)
            session.flush()
            session.add(
                ReceiptMonth(
                    post_id=1, receipt_id=receipt.id, receipt_number=number, participant_id=who,
                    month=month, jkk=10000, jkm=6800, jht=0, total=16800, rates_version="bench",
                )
            )  # fmt: skip
            session.add(
                CoverPeriod(
                    post_id=1, post_code=code, number=900000 + i, participant_id=who,
                    kind="paid", start_date=month, end_date=month_end(month),
                    programmes="JKK JKM", receipt_id=receipt.id,
                )
            )  # fmt: skip
        _batch(app, seq)
        seq += 1
    for i in range(20):
        with app.db.unit_of_work(actor.label) as session:
            person = session.get(Participant, who)
            assert person is not None
            person.phone = f"08123450{i:04d}"
    with app.db.unit_of_work(actor.label) as session:
        for i in range(3):
            session.add(
                CardIssue(
                    post_id=1, post_code=code, serial=9_000_000 + i, participant_id=who,
                    reason="first" if i == 0 else "lost", issued_on=date(2022 + i, 1, 10),
                    issued_at=datetime(2022 + i, 1, 10, 3, tzinfo=UTC),
                    issued_by_id=actor.volunteer_id, state="valid" if i == 2 else "replaced",
                )
            )  # fmt: skip
        for i in range(5):
            session.add(
                CallOutcome(
                    post_id=1, post_code=code, number=9_000_000 + i, participant_id=who,
                    outcome="promised", note="akan bayar minggu depan",
                    called_at=datetime(2026, 1 + i, 3, 2, tzinfo=UTC),
                    called_by_id=actor.volunteer_id,
                )
            )  # fmt: skip
    _batch(app, seq)
    for i in range(300):
        record_access(app.db, actor, (Look.VIEW, Look.CARD, Look.RECEIPT)[i % 3], [who])
    with app.db.reading() as session:
        ids = list(session.scalars(select(Participant.id).order_by(Participant.id)))
    for i in range(40):
        start = (i * 5000) % max(1, len(ids) - 5000)
        record_access(app.db, actor, Look.LIST, [*ids[start : start + 5000], who], what="calls")


def statements_of(app: App, work: Any) -> list[tuple[str, Any]]:
    """Every SQL statement ``work()`` sends, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        seen.append((statement, parameters))

    event.listen(app.db.engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        event.remove(app.db.engine, "before_cursor_execute", note)
    return seen


def query_plans(app: App, statements: list[tuple[str, Any]]) -> None:
    with app.db.engine.connect() as connection:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            first = " ".join(statement.split())[:90]
            print(f"  {first}…")
            for row in rows:
                print(f"      {row[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=str(HERE / "out" / "demo200k"))
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    source = DataFolder(Path(args.data_dir))
    if not source.database.exists():
        print(f"making {source.root} (200,000 participants)…", flush=True)
        command = [sys.executable, "-m", "rumah_perisai", "--data-dir", str(source.root), "demo",
                   "--participants", "200000"]  # fmt: skip
        subprocess.run(command, check=True)
    work = DataFolder(Path(tempfile.mkdtemp()) / "post")
    shutil.copytree(source.root, work.root)
    app = open_app(work, work.sqlite_url)
    try:
        actor = log_in(app.db, "Euis Komalasari", "1357")
        with app.db.reading() as session:
            total = session.scalar(select(func.count(Participant.id)))
            who = session.scalar(select(Participant.id).order_by(Participant.id.desc()).limit(1))
        assert who is not None
        start = time.perf_counter()
        give_history(app, who, actor)
        print(f"post of {total:,} participants; the person's history made in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        report = personal_report(app.db, who, actor)
        print(f"report: {len(report.receipts)} receipts, {len(report.cover)} cover periods, "
              f"{len(report.cards)} cards, {len(report.calls)} calls, "
              f"{len(report.batches)} batches, {len(report.history)} history entries, "
              f"{len(report.accesses)} looks")  # fmt: skip

        def timed(run: Any) -> list[float]:
            samples = []
            for _ in range(args.runs):
                begin = time.perf_counter()
                run()
                samples.append(time.perf_counter() - begin)
            return samples

        out = work.root.parent / "reports"
        out.mkdir()
        counter = iter(range(10_000))
        pdf = personal_report_pdf(report)
        rows = [
            ("service (one snapshot)", timed(lambda: personal_report(app.db, who, actor))),
            ("PDF drawn from it", timed(lambda: personal_report_pdf(report))),
            ("JSON from it", timed(lambda: json.dumps(report_json(report), ensure_ascii=False))),
            (
                "whole --out: report + PDF + file + recorded",
                timed(
                    lambda: save_personal_report(app.db, who, actor, out / f"r{next(counter)}.pdf")
                ),
            ),
            (
                "whole --json: report + JSON + recorded",
                timed(
                    lambda: (
                        json.dumps(report_json(personal_report(app.db, who, actor))),
                        record_access(app.db, actor, Look.REPORT, [who], what="report"),
                    )
                ),
            ),
        ]
        for label, samples in rows:
            print(f"{label:<46} {percentiles(samples)}   (aim ≤ 1000 ms)")
        print(f"PDF: {len(pdf):,} bytes")
        print("query plans of the report's statements:")
        query_plans(app, statements_of(app, lambda: personal_report(app.db, who, actor)))
    finally:
        app.close()
        shutil.rmtree(work.root.parent)


if __name__ == "__main__":
    main()
