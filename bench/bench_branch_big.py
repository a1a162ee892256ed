"""A big import at the branch (issue 14, item 3): the 200,000-participant demo post's first
batch into PostgreSQL, beside a plain COPY of the same rows in the same run; and the same import
while ``VACUUM ANALYZE participants`` runs over and over on a second connection (what autovacuum
does to a busy branch, forced).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:54329/postgres \
        .venv/bin/python bench/bench_branch_big.py [--runs 1] [--no-vacuum] [--explain]

The batch is made once in ``bench/out/branch200k`` from a copy of ``bench/out/demo200k``
(``rumah-perisai demo --participants 200000`` makes it, ~1 min). Each import goes into a fresh
database ``bench14`` on the server of ``DATABASE_URL`` (dropped and made again): a training
branch, the post's key registered, then ``import_files`` over the one file — checked,
decrypted, every part staged and upserted with its references mapped, the receipt chain
recomputed, duplicates looked for, the signed ACK written beside it.

``--explain`` prints at the end the plan, with the rows each step really gave (auto_explain),
of every statement of the imports that took more than a second.

``--no-table-lock`` runs the imports without the lock that keeps VACUUM and ANALYZE off the
imported tables meanwhile, and without the duplicate check (whose self-join of participants,
left as it was, becomes a scan per row once the table is recorded as empty): what remains are
the import's own statements, whose plans must hold under the VACUUM loop by themselves.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from rumah_perisai.app import open_app
from rumah_perisai.branch import add_post, import_files, importer, locks
from rumah_perisai.config import DataFolder
from rumah_perisai.exchange.batchfile import decrypt_parts, open_batch
from rumah_perisai.keys.files import (
    BRANCH_PUBLIC_FILE,
    create_branch_keys,
    load_branch_keys,
)
from rumah_perisai.keys.installed import install_branch_key, post_key_file_bytes
from rumah_perisai.services.batches import export_batch
from rumah_perisai.services.volunteers import Actor

HERE = Path(__file__).parent
OUT = HERE / "out" / "branch200k"
DEMO = HERE / "out" / "demo200k"
CLI = Actor(label="cli:bench")
DATABASE = "bench14"


def make_batch() -> Path:
    """The branch's keys, the post's key file and its first batch, made once."""
    OUT.mkdir(parents=True, exist_ok=True)
    keys = OUT / "branch-keys"
    if not (keys / BRANCH_PUBLIC_FILE).exists():
        create_branch_keys(keys, "LATIH", "Cabang latihan", demo=True)
    stick = OUT / "stick"
    made = sorted(stick.glob("*.rpb")) if stick.exists() else []
    if made and (OUT / "post.key.json").exists():
        return made[0]
    if not (DEMO / "rumah-perisai.sqlite3").exists():
        print("making bench/out/demo200k (200,000 participants)…", flush=True)
        subprocess.run(
            [sys.executable, "-m", "rumah_perisai", "--data-dir", str(DEMO), "demo",
             "--participants", "200000"],
            check=True,
        )  # fmt: skip
    with tempfile.TemporaryDirectory(dir=OUT) as scratch:
        folder = DataFolder(Path(scratch) / "post")
        shutil.copytree(DEMO, folder.root)
        with open_app(folder, folder.sqlite_url) as app:
            install_branch_key(app.db, (keys / BRANCH_PUBLIC_FILE).read_bytes(), CLI)
            stick.mkdir(exist_ok=True)
            written = export_batch(app.db, folder, stick, CLI)
            (OUT / "post.key.json").write_bytes(post_key_file_bytes(app.db, folder.keys))
    print(f"batch made: {written.info.records:,} records, {written.info.file_size / 1e6:.1f} MB")
    return written.path


def fresh_database(url: str) -> str:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    return make_url(url).set(database=DATABASE).render_as_string(hide_password=False)


class VacuumLoop:
    """``VACUUM ANALYZE participants`` again and again on its own connection, as autovacuum
    would on a busy branch, until stopped; counts the rounds that completed."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT")
        self.stop = threading.Event()
        self.rounds = 0
        self.longest = 0.0  # seconds, the longest round (one that waited for the import)
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        with self.engine.connect() as connection:
            while not self.stop.is_set():
                started = time.perf_counter()
                connection.execute(text("VACUUM ANALYZE participants"))
                self.longest = max(self.longest, time.perf_counter() - started)
                self.rounds += 1
                self.stop.wait(0.2)

    def __enter__(self) -> VacuumLoop:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.engine.dispose()


def explain_slow_statements(engine: Engine, plans: list[str]) -> None:
    """Every statement of more than a second on the engine's new connections has its plan,
    with the rows each step really gave, appended to ``plans`` (auto_explain, as notices)."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.add_notice_handler(lambda notice: plans.append(notice.message_primary))
        with dbapi_connection.cursor() as cursor:
            cursor.execute("LOAD 'auto_explain'")
            for name, value in (("log_min_duration", "1s"), ("log_analyze", "on"),
                                ("log_timing", "off"), ("log_level", "notice")):  # fmt: skip
                cursor.execute(f"SET auto_explain.{name} = '{value}'")
        dbapi_connection.commit()

    event.listen(engine, "connect", on_connect)
    engine.dispose()  # connections opened before have no listener


def import_once(
    url: str, batch: Path, *, vacuum: bool, plans: list[str] | None = None
) -> tuple[float, int, int, float]:
    """Seconds for the import, records imported, VACUUM rounds run meanwhile and the longest
    of them in seconds."""
    branch_url = fresh_database(url)
    with tempfile.TemporaryDirectory() as scratch:
        folder = DataFolder(Path(scratch) / "branch")
        shutil.copytree(OUT / "branch-keys", folder.keys)
        stick = Path(scratch) / "stick"
        stick.mkdir()
        copy = stick / batch.name  # the ACK is written beside it
        shutil.copy(batch, copy)
        with open_app(folder, branch_url) as app:
            add_post(app.db, folder, (OUT / "post.key.json").read_bytes(), CLI)
            if plans is not None:
                explain_slow_statements(app.db.engine, plans)
            rounds, longest = 0, 0.0
            started = time.perf_counter()
            if vacuum:
                with VacuumLoop(branch_url) as loop:
                    (result,) = import_files(app.db, folder, [copy], CLI)
                    took = time.perf_counter() - started
                rounds, longest = loop.rounds, loop.longest
            else:
                (result,) = import_files(app.db, folder, [copy], CLI)
                took = time.perf_counter() - started
    return took, sum(result.records.values()), rounds, longest


def copy_baseline(url: str, batch: Path) -> tuple[float, int]:
    """COPY of the same decrypted rows into plain tables with the same columns."""
    keys = load_branch_keys(OUT / "branch-keys")
    sealed = open_batch(batch.read_bytes(), batch.name)
    parts = decrypt_parts(sealed, keys.public, keys.encryption, batch.name)
    documents = [(part, json.loads(data)) for part, data in parts.items()]
    engine = create_engine(make_url(url).set(database=DATABASE))
    total = 0
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        cursor = raw.cursor()
        started = time.perf_counter()
        for part, document in documents:
            columns = ", ".join(f"{c} TEXT" for c in document["columns"])
            cursor.execute(f"CREATE TABLE copy_{part} ({columns})")
            names = ", ".join(document["columns"])
            with cursor.copy(f"COPY copy_{part} ({names}) FROM STDIN") as copy:
                for row in document["rows"]:
                    copy.write_row(row)
            total += len(document["rows"])
        took = time.perf_counter() - started
    engine.dispose()
    return took, total


def main() -> int:
    global DATABASE
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-vacuum", action="store_true")
    parser.add_argument("--no-plain", action="store_true", help="only the import with VACUUM")
    parser.add_argument("--explain", action="store_true", help="plans of statements over 1 s")
    parser.add_argument("--no-table-lock", action="store_true", help="see the module")
    parser.add_argument("--database", default=DATABASE, help="made and dropped (several benches)")
    args = parser.parse_args()
    DATABASE = args.database
    if args.no_table_lock:
        locks._hold_statistics = lambda _connection: None
        importer.reject_duplicates = lambda *_args: []
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("set DATABASE_URL to a PostgreSQL server (database bench14 is made and dropped)")
        return 2
    batch = make_batch()
    plans: list[str] | None = [] if args.explain else None
    for run in range(args.runs):
        if not args.no_plain:
            took, records, _, _ = import_once(url, batch, vacuum=False, plans=plans)
            print(f"run {run + 1}: import of {records:,} records {took:.1f} s", flush=True)
            copied, rows = copy_baseline(url, batch)
            print(f"run {run + 1}: plain COPY of the same {rows:,} rows (audit included) "
                  f"{copied:.1f} s", flush=True)  # fmt: skip
        if not args.no_vacuum:
            took, records, rounds, longest = import_once(url, batch, vacuum=True, plans=plans)
            print(
                f"run {run + 1}: the same import with VACUUM ANALYZE participants looping: "
                f"{took:.1f} s ({rounds} vacuum rounds meanwhile, the longest {longest:.1f} s)",
                flush=True,
            )
    for plan in plans or []:
        print(plan, flush=True)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
