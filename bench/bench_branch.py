"""The branch: importing 100 batches, about 500,000 rows in all, into PostgreSQL, beside a plain
COPY of the same rows in the same run.

    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/bench_branch.py [--posts 100]
        [--runs 1] [--profile FILE] [--sql]

The batches are made once in ``bench/out/branch100``: 100 demo posts of 1,190 participants each
(``rumah_perisai.demo``, deterministic), each writing its first batch (~5,000 records: participants,
cover periods, receipts, months, cards, closes, deposits, and the audit entries). Each run makes
a fresh PostgreSQL database, a training branch, registers the 100 post keys, then times
``import_files`` over the 100 files (each batch checked, decrypted, imported in its own
transaction, receipts' chain recomputed, duplicates looked for, ACK written beside it). The
baseline COPYs the very same decrypted rows into plain tables of the same columns.

``--profile FILE`` writes a cProfile of the imports (``python -m pstats FILE``); ``--sql`` prints
the time the import's statements took, summed by the statement's first words (statements sent
through SQLAlchemy; the COPYs and the chain's driver-level reads are in the profile).
``--explain FILE`` writes the plan of every statement of the import's that took 20 ms or more,
as run (``auto_explain`` with ANALYZE, BUFFERS and the triggers' times: the foreign keys' checks
per constraint) — the server must be one the bench's user may ``LOAD`` into, and the timing
slows the run.

Every run also says where the processor time of the import went: this process (Python, its
threads included), its worker processes, and the database server's backends serving the bench's
database (read from ``/proc``: the server must run on this machine, else it says nothing). On a
shared machine the wall-clock time moves with the others' load; these CPU seconds move less.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from rumah_perisai.app import open_app
from rumah_perisai.branch import add_post, import_files
from rumah_perisai.config import DataFolder
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.exchange.batchfile import decrypt_parts, open_batch
from rumah_perisai.keys.files import (
    BRANCH_PUBLIC_FILE,
    create_branch_keys,
    load_branch_keys,
)
from rumah_perisai.keys.installed import install_branch_key, post_key_file_bytes
from rumah_perisai.services.batches import export_batch
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import SilentProgress

OUT = Path(__file__).parent / "out" / "branch100"
CLI = Actor(label="cli:bench")
PARTICIPANTS = 1_190


def make_batches(posts: int) -> None:
    """The branch's keys, and each post's key file and first batch, made once."""
    OUT.mkdir(parents=True, exist_ok=True)
    keys = OUT / "branch-keys"
    if not (keys / BRANCH_PUBLIC_FILE).exists():
        create_branch_keys(keys, "LATIH", "Cabang latihan", demo=True)
    branch_file = (keys / BRANCH_PUBLIC_FILE).read_bytes()
    for index in range(posts):
        code = f"DM{index:04d}"
        done = OUT / "posts" / f"{code}.key.json"
        if done.exists():
            continue
        with tempfile.TemporaryDirectory() as scratch:
            folder = DataFolder(Path(scratch) / code)
            with open_app(folder, folder.sqlite_url) as app:
                request = DemoRequest(participants=PARTICIPANTS, seed=index + 1, post_code=code)
                create_demo_post(app.db, folder, request, CLI.label, SilentProgress())
                install_branch_key(app.db, branch_file, CLI)
                sticks = OUT / "stick"
                sticks.mkdir(exist_ok=True)
                export_batch(app.db, folder, sticks, CLI)
                key = post_key_file_bytes(app.db, folder.keys)
        done.parent.mkdir(parents=True, exist_ok=True)
        done.write_bytes(key)
        print(f"  {code} made", flush=True)


def fresh_database(url: str) -> tuple[str, str]:
    name = f"rp_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, name: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _ticks(pid: int) -> float | None:
    """A process's processor seconds so far (user + system), from ``/proc``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ProcessorTimes:
    """Processor seconds of the import: this process, its children, the server's backends."""

    def __init__(self, url: str) -> None:
        # A connection of its own, not the import's pool's: its own backend is left out.
        self.engine = create_engine(url, poolclass=NullPool)
        self.backends = self._backends()
        self.own = time.process_time()
        self.children = _children_seconds()

    def _backends(self) -> dict[int, float]:
        with self.engine.connect() as connection:
            pids = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid()"
                )
            ).scalars()
            found = {int(pid): _ticks(int(pid)) for pid in pids}
        return {pid: seconds for pid, seconds in found.items() if seconds is not None}

    def report(self, wall: float) -> None:
        own = time.process_time() - self.own
        children = _children_seconds() - self.children
        now = self._backends()
        server = sum(seconds - self.backends.get(pid, 0.0) for pid, seconds in now.items())
        print(
            f"processor time: this process {own:.1f} s, its workers {children:.1f} s, "
            f"the server's backends {server:.1f} s ({len(now)}), wall {wall:.1f} s",
            flush=True,
        )
        self.engine.dispose()


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class StatementTimes:
    """Seconds spent in each kind of statement (its first words, numbers blanked)."""

    def __init__(self, engine: Engine) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)
        event.listen(engine, "before_cursor_execute", self.before)
        event.listen(engine, "after_cursor_execute", self.after)

    def before(self, _conn: Any, _cursor: Any, _sql: str, _p: Any, context: Any, _m: Any) -> None:
        context._bench_started = time.perf_counter()

    def after(self, _conn: Any, _cursor: Any, sql: str, _p: Any, context: Any, _m: Any) -> None:
        kind = re.sub(r"\d+", "N", " ".join(sql.split())[:90])
        self.seconds[kind] += time.perf_counter() - context._bench_started
        self.count[kind] += 1

    def report(self) -> None:
        total = sum(self.seconds.values())
        print(f"statements through SQLAlchemy: {total:.1f} s in {sum(self.count.values())}")
        verbs: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
        for kind, seconds in self.seconds.items():
            verb = " ".join(kind.split()[:2])
            verbs[verb][0] += seconds
            verbs[verb][1] += self.count[kind]
        for verb, (seconds, count) in sorted(verbs.items(), key=lambda kv: -kv[1][0])[:12]:
            print(f"  {seconds:6.2f} s {int(count):6d}x  {verb} …")
        for kind, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])[:30]:
            print(f"  {seconds:6.2f} s {self.count[kind]:6d}x  {kind}", flush=True)


def explain_into(engine: Engine, out: Path) -> None:
    """Each connection of the import logs its slow statements' plans as run (``--explain``),
    said as warnings (the stages turn notices off while they are made)."""
    written = out.open("w")

    def connected(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.add_notice_handler(
            lambda diagnostic: written.write(f"{diagnostic.message_primary}\n\n")
        )
        cursor = dbapi_connection.cursor()
        cursor.execute(
            "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 20;"
            " SET auto_explain.log_analyze = on; SET auto_explain.log_buffers = on;"
            " SET auto_explain.log_triggers = on; SET auto_explain.log_level = warning"
        )
        cursor.close()
        dbapi_connection.commit()

    engine.pool.dispose()
    event.listen(engine, "connect", connected)


def measure(
    url: str,
    posts: int,
    profile: Path | None = None,
    sql: bool = False,
    *,
    helpers: bool = True,
    explain: Path | None = None,
) -> None:
    files = sorted((OUT / "stick").glob("*.rpb"))[:posts]
    name, branch_url = fresh_database(url)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            folder = DataFolder(Path(scratch) / "branch")
            shutil.copytree(OUT / "branch-keys", folder.keys)
            with open_app(folder, branch_url) as app:
                for key_file in sorted((OUT / "posts").glob("*.key.json"))[:posts]:
                    add_post(app.db, folder, key_file.read_bytes(), CLI)
                # The files are read from a copy (the ACKs are written beside them).
                stick = Path(scratch) / "stick"
                stick.mkdir()
                copies = []
                for path in files:
                    shutil.copy(path, stick / path.name)
                    copies.append(stick / path.name)
                times = StatementTimes(app.db.engine) if sql else None
                if explain is not None:
                    explain_into(app.db.engine, explain)
                profiler = cProfile.Profile() if profile else None
                processor = ProcessorTimes(branch_url)
                started = time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                results = import_files(app.db, folder, copies, CLI, helpers=helpers)
                took = time.perf_counter() - started
                if profiler is not None and profile is not None:
                    profiler.disable()
                    profiler.dump_stats(profile)
                rows = sum(sum(r.records.values()) for r in results)
                rejected = sum(len(r.rejected) for r in results)
                print(
                    f"import: {len(results)} batches, {rows:,} records (+ audit entries), "
                    f"{rejected} rejected as cross-post duplicates, in {took:.1f} s",
                    flush=True,
                )
                processor.report(took)
                if times is not None:
                    times.report()
            copy_baseline(branch_url, files, folder)
    finally:
        drop_database(url, name)


def copy_baseline(branch_url: str, files: list[Path], folder: DataFolder) -> None:
    """COPY of the same decrypted rows into plain tables with the same columns."""
    keys = load_branch_keys(folder.keys)
    documents = []
    for path in files:
        sealed = open_batch(path.read_bytes(), path.name)
        for part, data in decrypt_parts(sealed, keys.public, keys.encryption, path.name).items():
            documents.append((part, json.loads(data)))
    engine = create_engine(branch_url)
    with engine.begin() as connection:
        made: set[str] = set()
        started = time.perf_counter()
        total = 0
        raw = connection.connection.driver_connection
        assert raw is not None
        cursor = raw.cursor()
        for part, document in documents:
            table = f"copy_{part}"
            if table not in made:
                columns = ", ".join(f"{c} TEXT" for c in document["columns"])
                cursor.execute(f"CREATE TABLE {table} ({columns})")
                made.add(table)
            with cursor.copy(f"COPY {table} ({', '.join(document['columns'])}) FROM STDIN") as copy:
                for row in document["rows"]:
                    copy.write_row(row)
            total += len(document["rows"])
        took = time.perf_counter() - started
    engine.dispose()
    print(f"plain COPY of the same {total:,} rows (audit included): {took:.1f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the imports here")
    parser.add_argument("--sql", action="store_true", help="sum the statements' times by kind")
    parser.add_argument(
        "--no-helpers",
        action="store_true",
        help="no processes reading batches ahead or writing ACKs",
    )
    parser.add_argument("--explain", type=Path, help="write slow statements' plans here")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("set DATABASE_URL to a PostgreSQL server (a database is made and dropped)")
        return 2
    make_batches(args.posts)
    for _run in range(args.runs):
        measure(url, args.posts, args.profile, args.sql, helpers=not args.no_helpers,
                explain=args.explain)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
