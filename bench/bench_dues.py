"""Dues: saving a payment with its receipt PDF on the 200,000-participant demo post, and the
receipt chain check of 1,000,000 receipts beside hashing the same bytes.

    .venv/bin/python bench/bench_dues.py [--payments 200] [--receipts 1000000] [--runs 3]
        [--only payments|chain|quick] [--chain-dir bench/out/chain1000k-copy]

The payment figures use a copy of ``bench/out/demo200k`` (made by ``bench/bench_demo.py``; made
here if missing). The chain figures use ``bench/out/chain1000k`` (or ``--chain-dir``, e.g. a copy
the program may upgrade): a demo post of 20,000 participants
with synthetic receipts appended to its chain until it holds a million (made once, ~1 min).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.encrypted import open_raw
from rumah_perisai.db.models import Participant, Volunteer
from rumah_perisai.db.status import status_on
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.domain.coverage import Status
from rumah_perisai.domain.months import add_months
from rumah_perisai.domain.receipts import (
    CHAIN_COUNTER,
    canonical_moment,
    chain_hash_raw,
    receipt_counter,
    receipt_number,
)
from rumah_perisai.services.chain_quick import quick_check
from rumah_perisai.services.chain_sql import check_range
from rumah_perisai.services.dues import payment_options, receipt_document, take_payment
from rumah_perisai.services.receipt_chain import (
    _MONTHS,
    _RECEIPTS,
    _walk,
    chain_rows,
    verify_chain,
)
from rumah_perisai.services.volunteers import actor_for

OUT = Path(__file__).parent / "out"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"


def demo_folder(name: str, participants: int) -> DataFolder:
    folder = DataFolder(OUT / name)
    if not folder.database.exists():
        print(f"making {name} ({participants:,} participants)…", flush=True)
        folder.root.mkdir(parents=True, exist_ok=True)
        with open_app(folder, folder.sqlite_url) as app:
            create_demo_post(app.db, app.folder, DemoRequest(participants=participants), "bench")
    return folder


# --- saving a payment with its receipt ---------------------------------------------------------


def bench_payments(count: int) -> None:
    source = demo_folder("demo200k", 200_000)
    with tempfile.TemporaryDirectory() as temp:
        folder = DataFolder(Path(temp) / "data")
        shutil.copytree(source.root, folder.root)
        save, document, draw, whole = payment_samples(folder, folder.sqlite_url, count)
    print(f"payment on the 200k demo, {count} payments (1/3/6/12 months):")
    print(f"  plan + save (one operation)     {percentiles(save)}")
    print(f"  receipt contents + signed QR    {percentiles(document)}")
    print(f"  receipt PDF (A5 halves)         {percentiles(draw)}")
    print(f"  whole: plan, save, PDF          {percentiles(whole)}   aim p95 <= 200 ms")


def payment_samples(
    folder: DataFolder, url: str, count: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Seconds for each of ``count`` payments taken in ``open_app(folder, url)`` (which they
    change): plan + save, receipt contents, receipt PDF, and the whole."""
    from rumah_perisai.printing.receipts import receipt_pdf

    with open_app(folder, url) as app:
        with app.db.reading() as session:
            today = date.today()
            payable = session.scalars(
                select(Participant.id)
                .where(status_on(today).in_([Status.ACTIVE.value, Status.ARREARS.value,
                                             Status.PROMOTION.value]))
                .order_by(Participant.id)
            ).all()  # fmt: skip
            volunteer = session.scalars(select(Volunteer).where(Volunteer.active)).first()
            assert volunteer is not None
            actor = actor_for(volunteer)
        chosen = random.Random(7).sample(list(payable), count)
        save, document, draw, whole = [], [], [], []
        for who in chosen:
            months = random.Random(who).choice([1, 3, 6, 12])
            started = time.perf_counter()
            plan = payment_options(app.db, who).plan(months)
            paid = take_payment(
                app.db, who, months, plan.total, actor,
                expect_months=[m.month for m in plan.months],
            )  # fmt: skip
            saved = time.perf_counter()
            doc = receipt_document(app.db, app.folder.keys, paid.receipt_id)
            documented = time.perf_counter()
            pdf = receipt_pdf(doc, "a5")
            done = time.perf_counter()
            assert pdf.startswith(b"%PDF")
            save.append(saved - started)
            document.append(documented - saved)
            draw.append(done - documented)
            whole.append(done - started)
    return save, document, draw, whole


# --- the chain of a million receipts -----------------------------------------------------------


def chain_folder(total: int) -> DataFolder:
    """A demo post whose chain is extended with synthetic payments to ``total`` receipts."""
    folder = DataFolder(OUT / f"chain{total // 1000}k")
    if folder.database.exists():
        return folder
    source = demo_folder("demo20k", 20_000)
    shutil.copytree(source.root, folder.root)
    print(f"appending synthetic receipts up to {total:,}…", flush=True)
    started = time.perf_counter()
    connection = open_raw(folder)  # the post's file is encrypted: SQLCipher with its key
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("BEGIN")
    post_id, code = connection.execute("SELECT id, code FROM posts WHERE is_local").fetchone()
    people = connection.execute(
        "SELECT id, registration_no, income, with_jht FROM participants"
    ).fetchall()
    volunteers = {
        vid: f"{post}-V{number:03d}"
        for vid, post, number in connection.execute("SELECT id, post_code, number FROM volunteers")
    }
    last_id, prev_hash, have, year, seq = connection.execute(
        "SELECT id, hash, (SELECT count(*) FROM receipts), year, seq FROM receipts"
        " ORDER BY year DESC, seq DESC LIMIT 1"
    ).fetchone()
    change_no = connection.execute("SELECT max(change_no) FROM receipts").fetchone()[0]
    rng = random.Random(11)
    moment = datetime(year, 12, 1, 1, 0, tzinfo=UTC)
    receipt_rows, month_rows = [], []
    receipt_id = last_id
    for _ in range(total - have):
        receipt_id += 1
        if seq >= 999_999:
            year, seq = year + 1, 0
            moment = datetime(year, 1, 2, 1, 0, tzinfo=UTC)
        seq += 1
        moment += timedelta(seconds=rng.randint(5, 40))
        person = people[rng.randrange(len(people))]
        holder = rng.choice(list(volunteers))
        count = rng.choice((1, 1, 1, 3, 3, 6, 12))
        first = add_months(date(year, 1, 1), rng.randrange(12))
        per = (10_000, 6_800, 20_000 if person[3] else 0)
        lines = [
            (add_months(first, i).isoformat(), *per, sum(per), "BPU-PP44-2015")
            for i in range(count)
        ]
        number = receipt_number(code, year, seq)
        at, on = canonical_moment(moment), moment.date().isoformat()
        total_amount = sum(per) * count
        row = (
            number, "payment", person[1], None, at, on, volunteers[holder], count, lines[0][0],
            lines[-1][0], per[0] * count, per[1] * count, per[2] * count, total_amount,
            total_amount, None, volunteers[holder], False,
        )  # fmt: skip
        digest = chain_hash_raw(prev_hash, row, lines)
        receipt_rows.append(
            (receipt_id, post_id, code, year, seq, number, "payment", person[0], None, count,
             lines[0][0], lines[-1][0], per[0] * count, per[1] * count, per[2] * count,
             total_amount, total_amount, None, at, on, holder, holder, 0, prev_hash, digest,
             change_no)
        )  # fmt: skip
        month_rows += [
            (post_id, receipt_id, number, person[0], m, a, b, c, t, v, change_no)
            for m, a, b, c, t, v in lines
        ]
        prev_hash = digest
        if len(receipt_rows) >= 50_000:
            _insert(connection, receipt_rows, month_rows)
            receipt_rows, month_rows = [], []
    _insert(connection, receipt_rows, month_rows)
    for name, value in ((receipt_counter(year), seq), (CHAIN_COUNTER, total)):
        connection.execute(
            "INSERT INTO counters (scope, name, value) VALUES (?, ?, ?)"
            " ON CONFLICT (scope, name) DO UPDATE SET value = excluded.value",
            (code, name, value),
        )
    connection.execute("COMMIT")
    connection.close()
    print(f"  made in {time.perf_counter() - started:.0f} s", flush=True)
    return folder


def _insert(connection: Any, receipts: list[tuple], months: list[tuple]) -> None:  # type: ignore[type-arg]
    connection.executemany(
        "INSERT INTO receipts (id, post_id, post_code, year, seq, number, kind, participant_id,"
        " voids_receipt_id, month_count, first_month, last_month, jkk, jkm, jht, total,"
        " cash_received, reason, issued_at, issued_on, issued_by_id, cash_volunteer_id, refund,"
        " prev_hash, hash, change_no) VALUES (" + ", ".join("?" * 26) + ")",
        receipts,
    )
    connection.executemany(
        "INSERT INTO receipt_months (post_id, receipt_id, receipt_number, participant_id, month,"
        " jkk, jkm, jht, total, rates_version, change_no) VALUES (" + ", ".join("?" * 11) + ")",
        months,
    )


def _cpu() -> float:
    """CPU seconds of this process and of its finished child processes (the range workers)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def bench_chain(total: int, runs: int, folder: DataFolder | None = None) -> None:
    """The check as the program runs it (SQLite's values and shared JSON texts, ranges in
    processes; issue 21), the same path in one process, the Python walk it had before (still
    the judge of any chain not plainly whole), and the floors: reading every page of the two
    tables, fetching the rows the Python walk reads, SHA-256 of the same bytes alone."""
    folder = folder or chain_folder(total)
    with open_app(folder, folder.sqlite_url) as app:
        verify_chain(app.db)  # warm the file cache: the figure is the check, not the disk
        after, after_cpu = [], []
        for _ in range(runs):
            started, cpu = time.perf_counter(), _cpu()
            report = verify_chain(app.db)
            after.append(time.perf_counter() - started)
            after_cpu.append(_cpu() - cpu)
        assert report.whole, report.message()
        with app.db.reading() as session:
            connection = session.connection()
            post_id, code = connection.exec_driver_sql(
                "SELECT id, code FROM posts WHERE is_local"
            ).one()
            raw = connection.connection.driver_connection
            started, cpu = time.perf_counter(), _cpu()
            span = check_range(raw, post_id, code, None, None, [])
            one, one_cpu = time.perf_counter() - started, _cpu() - cpu
            assert span is not None and span.receipts == report.receipts
            started = time.perf_counter()
            before = _walk(connection, post_id, code)
            walked = time.perf_counter() - started
            assert before == report
            texts = [row[5].encode("utf-8") for row in chain_rows(connection, post_id)]
    raw = open_raw(folder, read_only=True)
    started, cpu = time.perf_counter(), _cpu()
    for sql in (_RECEIPTS.format(only=""), _MONTHS.format(only="")):
        cursor = raw.execute(sql, (post_id,))
        while cursor.fetchmany(5_000):
            pass
    fetched, fetched_cpu = time.perf_counter() - started, _cpu() - cpu
    started, cpu = time.perf_counter(), _cpu()
    for table, column in (("receipts", "paper_qr_digest"), ("receipt_months", "source_change")):
        # The last column of each row: every page of the table read and decrypted.
        raw.execute(f"SELECT count({column}) FROM {table} NOT INDEXED").fetchone()
    pages, pages_cpu = time.perf_counter() - started, _cpu() - cpu
    raw.close()
    started = time.perf_counter()
    for payload in texts:
        hashlib.sha256(payload).hexdigest()
    hashed = time.perf_counter() - started
    size = sum(map(len, texts))
    spread = f"{min(after):6.2f} – {max(after):.2f} s"
    cpus = f"CPU {min(after_cpu):.2f} – {max(after_cpu):.2f} s"
    command, command_cpu, bare, bare_cpu = whole_commands(folder, runs)
    print(f"receipt chain check, {report.receipts:,} receipts ({size / 1e6:.0f} MB hashed):")
    print(f"  receipts verify (in the program)         {spread}   {cpus}  aim <= 5 s ({runs} runs)")
    print(
        f"  receipts verify, the whole command       {min(command):6.2f} – {max(command):.2f} s"
        f"   CPU {min(command_cpu):.2f} – {max(command_cpu):.2f} s"
    )
    print(
        f"  a bare command (info --json)             {min(bare):6.2f} – {max(bare):.2f} s"
        f"   CPU {min(bare_cpu):.2f} – {max(bare_cpu):.2f} s"
    )
    print(f"  the same path, one process               {one:6.2f} s   CPU {one_cpu:.2f} s")
    print(f"  before: the Python walk, one process     {walked:6.2f} s")
    print(f"  floor: every page of the two tables read {pages:6.2f} s   CPU {pages_cpu:.2f} s")
    print(f"  floor: fetch the Python walk's rows      {fetched:6.2f} s   CPU {fetched_cpu:.2f} s")
    print(f"  floor: SHA-256 of the same bytes alone   {hashed:6.2f} s")


def whole_commands(
    folder: DataFolder, runs: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Wall and CPU seconds (the command's process and its helpers) of ``receipts verify`` as a
    whole process, and of a bare command on the same post, alternating."""
    command = [sys.executable, "-m", "rumah_perisai", "--data-dir", str(folder.root)]
    verify: tuple[list[float], list[float]] = ([], [])
    bare: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for (walls, cpus), args in ((verify, ["receipts", "verify"]), (bare, ["info", "--json"])):
            started, cpu = time.perf_counter(), _cpu()
            done = subprocess.run([*command, *args], capture_output=True, text=True)
            walls.append(time.perf_counter() - started)
            cpus.append(_cpu() - cpu)
            assert done.returncode == 0, done.stderr
    return verify[0], verify[1], bare[0], bare[1]


def bench_quick(total: int, runs: int, folder: DataFolder | None = None) -> None:
    """Whole processes: ``receipts verify --quick`` beside a bare command on the same post
    (``info --json``), after one full ``receipts verify`` recorded how far it found all whole."""
    folder = folder or chain_folder(total)
    command = [sys.executable, "-m", "rumah_perisai", "--data-dir", str(folder.root)]
    subprocess.run([*command, "receipts", "verify"], check=True, capture_output=True)
    bare: list[float] = []
    quick: list[float] = []
    for _ in range(runs):
        for samples, args in (
            (bare, ["info", "--json"]),
            (quick, ["receipts", "verify", "--quick"]),
        ):
            started = time.perf_counter()
            done = subprocess.run([*command, *args], capture_output=True, text=True)
            samples.append(time.perf_counter() - started)
            assert done.returncode == 0, done.stderr
    print(f"receipts verify --quick on {total:,} receipts, whole processes ({runs} runs each):")
    print(f"  bare command (info --json)      {min(bare):5.2f} – {max(bare):.2f} s")
    print(f"  receipts verify --quick         {min(quick):5.2f} – {max(quick):.2f} s")
    more = statistics.median(quick) - statistics.median(bare)
    print(f"  difference of the medians       {more:+5.2f} s   aim <= +0.3 s")
    with open_app(folder, folder.sqlite_url) as app:
        inside = []
        for _ in range(runs):
            started = time.perf_counter()
            found = quick_check(app.db)
            inside.append(time.perf_counter() - started)
    assert found.since is not None and found.report.whole
    print(
        f"  of which the quick check itself {min(inside):5.2f} – {max(inside):.2f} s"
        f"   ({found.anchors} closes and batches, {found.report.receipts} receipts after)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payments", type=int, default=200)
    parser.add_argument("--receipts", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["payments", "chain", "quick"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--chain-dir", type=Path, help="the chain's data folder (default bench/out/chain<N>k)"
    )
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores", flush=True)
    chain = DataFolder(args.chain_dir) if args.chain_dir else None
    if args.only in (None, "payments"):
        bench_payments(args.payments)
    if args.only in (None, "chain"):
        bench_chain(args.receipts, args.runs, chain)
    if args.only in (None, "quick"):
        bench_quick(args.receipts, args.runs, chain)


if __name__ == "__main__":
    main()
