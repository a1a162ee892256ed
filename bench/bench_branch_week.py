"""The branch's week in steady state: 400 posts' weekly batches (50 registrations and 200
payments each) into a branch already holding 0, 0.5 M or 2 M participants.

    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/bench_branch_week.py \\
        [--posts 400] [--sizes 0,500000,2000000] [--runs 3] [--profile] [--statements]

Made once in ``bench/out/week<posts>``: the branch's keys, each post's key, key file and its first
two weekly batches (``week_batches``: synthetic records as the export writes them, each receipt in
the post's chain, sealed by the real batch writer and signed with the post's key).

For each size a template database is made once (kept, named by size and the schema it was made
at): a training branch, the posts' keys registered as ``branch add-post`` does, every post's
first batch imported by ``import_files``, then the branch filled set-based in SQL to the size —
participants of the same posts (with their duplicate-warning prefixes), one payment each
(receipt, month, cover period) and the audit entries of both — and analysed, as autovacuum
leaves a branch. Each run copies the template (``CREATE DATABASE … TEMPLATE``; opening it
migrates it to the program's schema: that upgrade is timed and printed too), then times
``import_files`` over the posts' second batches: total, per batch p50/p95 (each batch checked,
decrypted, imported in its own transaction, its ACK written beside it).

``--profile`` writes a cProfile of one run's import (``bench/out/week<posts>/profile-<size>.txt``),
``--statements`` adds up the time of each SQL statement the import sends through SQLAlchemy
(COPY and the chain's raw reads go past it: they show in the profile). Every run prints the
processor time of this process, its read-ahead worker and the import's server backend (from
``/proc``: the server must run on this machine); ``--blocks`` the blocks each table and index
read into PostgreSQL's shared buffers and found there, per batch; ``WEEK_EXPLAIN=1`` in the
environment has ``auto_explain`` write every statement's plan (analysed, with its buffers) to
the server's log.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))

from bench_branch import ProcessorTimes
from week_batches import PostState, week_batch

from rumah_perisai.app import open_app
from rumah_perisai.branch import add_post, import_files
from rumah_perisai.branch.acks import duplicate_salt
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import SCHEMA_REVISION
from rumah_perisai.keys.files import (
    BRANCH_PUBLIC_FILE,
    create_branch_keys,
    load_branch_keys,
    post_key_file,
)
from rumah_perisai.services.volunteers import Actor

CLI = Actor(label="cli:bench")


def out_dir(posts: int) -> Path:
    return Path(__file__).parent / "out" / f"week{posts}"


# --- the posts and their batches, made once -------------------------------------------------------


def make_batches(posts: int) -> None:
    out = out_dir(posts)
    if (out / "made").exists():
        return
    started = time.perf_counter()
    keys_dir = out / "branch-keys"
    if not (keys_dir / BRANCH_PUBLIC_FILE).exists():
        create_branch_keys(keys_dir, "LATIH", "Cabang latihan", demo=True)
    branch = load_branch_keys(keys_dir).public
    for folder in ("posts", "week1", "week2"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for index in range(posts):
        state = PostState(index, Ed25519PrivateKey.generate())
        (out / "posts" / f"{state.code}.key.json").write_bytes(
            post_key_file(state.public(), state.key)
        )
        for week in (1, 2):
            name, data = week_batch(state, posts, branch)
            (out / f"week{week}" / name).write_bytes(data)
    (out / "made").write_text("ok\n")
    print(f"made {posts} posts' two weeks in {time.perf_counter() - started:.1f} s", flush=True)


# --- databases ---------------------------------------------------------------------------------


def admin(url: str) -> Any:
    return create_engine(url, isolation_level="AUTOCOMMIT")


def exists(url: str, name: str) -> bool:
    engine = admin(url)
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
    engine.dispose()
    return found is not None


def sql_admin(url: str, statement: str) -> None:
    engine = admin(url)
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def url_of(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def copy_keys(posts: int, folder: DataFolder) -> None:
    shutil.copytree(out_dir(posts) / "branch-keys", folder.keys, dirs_exist_ok=True)


def template(url: str, posts: int, size: int, revision: str) -> str:
    """The branch at ``size`` participants after every post's first batch (made once)."""
    name = f"rp_weekb_{revision}_{posts}_{size}"
    if exists(url, name):
        return name
    started = time.perf_counter()
    partial = f"{name}_partial"
    sql_admin(url, f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)')
    smaller = _smaller_template(url, posts, size, revision)
    if smaller is not None:  # its first batches imported already: filled further
        sql_admin(url, f'CREATE DATABASE "{partial}" TEMPLATE "{smaller[1]}"')
        salt = duplicate_salt(load_branch_keys(out_dir(posts) / "branch-keys"))
        fill(url_of(url, partial), posts, size, salt, start=smaller[0] // posts)
        sql_admin(url, f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
        print(f"template {name} made in {time.perf_counter() - started:.1f} s", flush=True)
        return name
    if revision != SCHEMA_REVISION:
        raise SystemExit(f"no template at {revision} to start from: run the program of that schema")
    sql_admin(url, f'CREATE DATABASE "{partial}"')
    out = out_dir(posts)
    with tempfile.TemporaryDirectory() as scratch:
        folder = DataFolder(Path(scratch) / "branch")
        copy_keys(posts, folder)
        with open_app(folder, url_of(url, partial)) as app:
            for key_file in sorted((out / "posts").glob("*.key.json")):
                add_post(app.db, folder, key_file.read_bytes(), CLI)
            stick = Path(scratch) / "stick"
            shutil.copytree(out / "week1", stick)
            import_files(app.db, folder, sorted(stick.glob("*.rpb")), CLI)
            salt = duplicate_salt(load_branch_keys(folder.keys))
        print(f"  {posts} first batches imported in {time.perf_counter() - started:.1f} s")
        fill(url_of(url, partial), posts, size, salt)
    sql_admin(url, f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
    print(f"template {name} made in {time.perf_counter() - started:.1f} s", flush=True)
    return name


def _smaller_template(url: str, posts: int, size: int, revision: str) -> tuple[int, str] | None:
    engine = admin(url)
    with engine.connect() as connection:
        names = connection.execute(
            text("SELECT datname FROM pg_database WHERE datname LIKE :like"),
            {"like": f"rp_weekb_{revision}_{posts}_%"},
        ).scalars()
        sizes = [int(n.rsplit("_", 1)[1]) for n in names if n.rsplit("_", 1)[1].isdigit()]
    engine.dispose()
    # The 0 template (the posts' first weeks imported) is a start as good as any smaller one.
    below = [s for s in sizes if 0 <= s < size]
    return (max(below), f"rp_weekb_{revision}_{posts}_{max(below)}") if below else None


def fill(url: str, posts: int, size: int, salt: str, start: int = 0) -> None:
    """``size`` participants more, shared by the posts, each with one payment (receipt, month,
    cover period) and the audit entries of both: copied set-based from each post's first
    registration and payment, with their own keys, numbers, NIKs and prefixes."""
    started = time.perf_counter()
    each = size // posts - start
    engine = create_engine(url)
    with engine.begin() as connection:
        if each:
            _fill_rows(connection, start, each, salt)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    took = time.perf_counter() - started
    print(f"  filled with {each * posts:,} more participants in {took:.1f} s")


FILLER = 1_000_000  # filler rows' ids at their post: above any the posts' batches use
# The filler was imported long before the week: a change number below every post's previous
# batch (a branch in steady state). Copied from the first week's rows, it sat inside every
# ACK's range and every ACK listed the whole filler (the first runs at 0.5 M and 2 M did).
LONG_AGO = {"change_no": "1"}


def _columns(connection: Any, table: str) -> list[str]:
    rows = connection.execute(
        text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = :t"
            " ORDER BY ordinal_position"
        ),
        {"t": table},
    )
    return [r[0] for r in rows if r[0] != "id"]


def _copy_of(
    connection: Any, table: str, source: str, overrides: dict[str, str], joins: str = ""
) -> None:
    """Rows copied from each post's record ``source_id = 1`` of ``table``, once per k."""
    columns = _columns(connection, table)
    values = ", ".join(overrides.get(c, f"t.{c}") for c in columns)
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values}"
        f" FROM {table} t JOIN posts po ON po.id = t.post_id"
        f" CROSS JOIN generate_series(%(first)s::int, %(last)s::int) k {joins}"
        f" WHERE t.source_id = 1 {source}",
        dict(zip(("first", "last"), _copy_of.range, strict=True)),  # type: ignore[attr-defined]
    )


def _fill_rows(connection: Any, start: int, each: int, salt: str) -> None:
    _copy_of.range = (start + 1, start + each)  # type: ignore[attr-defined]
    step = time.perf_counter()

    def said(what: str) -> None:
        nonlocal step
        print(f"    {what}: {time.perf_counter() - step:.1f} s", flush=True)
        step = time.perf_counter()

    nik = "'33' || lpad(po.id::text, 4, '0') || lpad(k::text, 10, '0')"
    _copy_of(
        connection, "participants", "",
        {
            "source_id": f"{FILLER} + k", "number": f"{FILLER} + k",
            "registration_no": "po.code || '-F' || lpad(k::text, 7, '0')", "nik": nik,
            "name": "'Peserta lama ' || k", "nik_prefix":
            f"left(encode(sha256(convert_to('{salt}|' || {nik}, 'UTF8')), 'hex'), 6)",
            "kpj": "NULL", **LONG_AGO, "first_change": "1",
        },
    )  # fmt: skip
    said("participants")
    _copy_of(
        connection, "receipts", "",
        {
            "source_id": f"{FILLER} + k", "year": "2025", "seq": "k", **LONG_AGO,
            "number": "po.code || '-2025-' || lpad(k::text, 6, '0')",
            "participant_id": "f.id",
            "hash": "encode(sha256(convert_to(po.code || ':' || k, 'UTF8')), 'hex')",
            "prev_hash": "encode(sha256(convert_to(po.code || ':' || (k - 1), 'UTF8')), 'hex')",
        },
        f"JOIN participants f ON f.post_id = t.post_id AND f.source_id = {FILLER} + k",
    )  # fmt: skip
    said("receipts")
    for table in ("receipt_months", "cover_periods"):
        overrides = {
            "source_id": f"{FILLER} + k", "participant_id": "f.id", "receipt_id": "r.id",
            **LONG_AGO,
        }  # fmt: skip
        if table == "receipt_months":
            overrides["receipt_number"] = "r.number"
        else:
            overrides["number"] = f"{FILLER} + k"
        _copy_of(
            connection, table, "", overrides,
            f"JOIN participants f ON f.post_id = t.post_id AND f.source_id = {FILLER} + k"
            f" JOIN receipts r ON r.post_id = t.post_id AND r.source_id = {FILLER} + k",
        )  # fmt: skip
        said(table)
    connection.exec_driver_sql(
        "INSERT INTO audit_log (change_no, at, origin, actor, action, entity, entity_id,"
        " entity_key, changes_json) SELECT p.change_no, p.registered_at, 'import',"
        " p.post_code || '/v2', 'create', e.entity, p.source_id::text, p.registration_no, '{}'"
        " FROM participants p CROSS JOIN (VALUES ('participants'), ('receipts')) e(entity)"
        f" WHERE p.source_id > {FILLER} + %(first)s::int - 1",
        {"first": start + 1},
    )
    said("audit_log")
    # The table the ACKs read the prefixes from (0019) holds the filler's too, long ago: its
    # size grows with the branch's as it would in steady state.
    connection.exec_driver_sql(
        "INSERT INTO nik_prefixes (post_id, prefix, change_no)"
        " SELECT DISTINCT post_id, nik_prefix, 1 FROM participants"
        f" WHERE source_id > {FILLER} + %(first)s::int - 1 ON CONFLICT DO NOTHING",
        {"first": start + 1},
    )
    said("nik_prefixes")


# --- a run ---------------------------------------------------------------------------------------


class DriverCalls:
    """What the driver sends, COPY and the raw cursors' statements included: round trips
    (each ``execute``, ``executemany``, ``copy`` and the connection's own BEGIN/COMMIT) and SQL
    statements (a text of several, sent at once, counted by its parts)."""

    def __init__(self) -> None:
        import psycopg

        self.trips: dict[str, int] = defaultdict(int)
        self.statements = 0
        self.batches = 0
        calls = self

        def counted(kind: str, original: Any) -> Any:
            def call(this: Any, query: Any = None, *args: Any, **kwargs: Any) -> Any:
                calls.trips[kind] += 1
                text_ = query if isinstance(query, str) else str(query or "")
                pieces = [p for p in text_.split(";") if p.strip()] if kind == "execute" else [1]
                calls.statements += max(1, len(pieces))
                return original(this, query, *args, **kwargs)

            return call

        self._saved = [
            (psycopg.Cursor, "execute", psycopg.Cursor.execute),
            (psycopg.Cursor, "executemany", psycopg.Cursor.executemany),
            (psycopg.Cursor, "copy", psycopg.Cursor.copy),
            (psycopg.Connection, "_exec_command", psycopg.Connection._exec_command),
        ]
        for owner, name, original in self._saved:
            setattr(owner, name, counted(name.strip("_"), original))

    def restore(self) -> None:
        for owner, name, original in self._saved:
            setattr(owner, name, original)

    def report(self) -> str:
        each = max(1, self.batches)
        trips = sum(self.trips.values())
        kinds = ", ".join(f"{k} {v / each:.1f}" for k, v in sorted(self.trips.items()))
        return (
            f"per batch: {trips / each:.1f} round trips ({kinds}),"
            f" {self.statements / each:.1f} SQL statements"
        )


class Statements:
    """The time of each statement sent through SQLAlchemy, numbers and names taken out."""

    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)
        self.driver = DriverCalls()

    def listen(self, engine: Any) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info.setdefault("week_started", []).append(time.perf_counter())

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        took = time.perf_counter() - conn.info["week_started"].pop()
        shape = re.sub(r"\b\d+\b", "N", " ".join(statement.split()))[:150]
        self.total[shape] += took
        self.count[shape] += 1

    def report(self, top: int = 40) -> str:
        lines = [self.driver.report()]
        for shape, took in sorted(self.total.items(), key=lambda kv: -kv[1])[:top]:
            lines.append(f"{took:8.2f} s {self.count[shape]:6d}x  {shape}")
        return "\n".join(lines)


def _block_reads(url: str) -> dict[str, tuple[int, int]]:
    """Blocks each table and index of the run's database read from outside PostgreSQL's
    shared buffers and found in them, so far (the server's cumulative statistics)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT 'heap ' || relname, heap_blks_read, heap_blks_hit"
                " FROM pg_statio_user_tables"
                " UNION ALL SELECT 'index ' || indexrelname, idx_blks_read, idx_blks_hit"
                " FROM pg_statio_user_indexes"
            )
        ).all()
    engine.dispose()
    return {str(name): (int(read or 0), int(hit or 0)) for name, read, hit in rows}


def block_report(
    before: dict[str, tuple[int, int]],
    after: dict[str, tuple[int, int]],
    batches: int,
    top: int = 25,
) -> str:
    each = max(1, batches)
    moved = {
        name: (read - before.get(name, (0, 0))[0], hit - before.get(name, (0, 0))[1])
        for name, (read, hit) in after.items()
    }
    read = sum(r for r, _h in moved.values())
    hit = sum(h for _r, h in moved.values())
    lines = [f"blocks a batch: {read / each:.1f} read into shared buffers, {hit / each:.1f} hit"]
    for name, (r, h) in sorted(moved.items(), key=lambda kv: -kv[1][0])[:top]:
        lines.append(f"  {r / each:7.1f} read {h / each:8.1f} hit  {name}")
    return "\n".join(lines)


def one_run(
    url: str,
    posts: int,
    size: int,
    base: str,
    profile: bool,
    statements: bool,
    batches: int = 0,
    blocks: bool = False,
) -> dict[str, Any]:
    name = f"rp_week_run_{uuid.uuid4().hex[:8]}"
    sql_admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{base}"')
    if os.environ.get("WEEK_EXPLAIN"):  # every statement's plan in the server's log
        for setting in (
            "session_preload_libraries = 'auto_explain'",
            "auto_explain.log_min_duration = 0",
            "auto_explain.log_analyze = on",
            "auto_explain.log_buffers = on",
            "auto_explain.log_nested_statements = on",
        ):
            sql_admin(url, f'ALTER DATABASE "{name}" SET {setting}')  # fmt: skip
    out = out_dir(posts)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            folder = DataFolder(Path(scratch) / "branch")
            copy_keys(posts, folder)
            opened = time.perf_counter()
            with open_app(folder, url_of(url, name)) as app:
                upgrade = time.perf_counter() - opened
                stick = Path(scratch) / "stick"
                shutil.copytree(out / "week2", stick)
                files = sorted(stick.glob("*.rpb"))[: batches or None]
                counter = Statements() if statements else None
                if counter is not None:
                    counter.listen(app.db.engine)
                times: list[float] = []
                mark = [time.perf_counter()]

                def done(_result: Any) -> None:
                    now = time.perf_counter()
                    times.append(now - mark[0])
                    mark[0] = now

                profiler = cProfile.Profile() if profile else None
                blocks_before = _block_reads(url_of(url, name)) if blocks else None
                processor = ProcessorTimes(url_of(url, name))
                started = time.perf_counter()
                mark[0] = started
                if profiler is not None:
                    profiler.enable()
                results = import_files(app.db, folder, files, CLI, on_result=done)
                if profiler is not None:
                    profiler.disable()
                took = time.perf_counter() - started
                processor.report(took)
                if blocks_before is not None:
                    time.sleep(2)  # the backends' statistics reach the shared ones within a second
                    after = _block_reads(url_of(url, name))
                    print(block_report(blocks_before, after, len(times)), flush=True)
        states = {r.state for r in results}
        assert states == {"imported"}, states
        rejected = sum(len(r.rejected) for r in results)
        records = sum(sum(r.records.values()) for r in results)
        report: dict[str, Any] = {
            "total": took, "times": times, "rejected": rejected, "records": records,
            "upgrade": upgrade,
        }  # fmt: skip
        if profiler is not None:
            stream = io.StringIO()
            pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(60)
            stream.write("\n\n--- by own time ---\n")
            pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(40)
            path = out / f"profile-{SCHEMA_REVISION}-{size}.txt"
            path.write_text(stream.getvalue())
            report["profile"] = str(path)
        if counter is not None:
            counter.driver.restore()
            counter.driver.batches = len(times)
            report["statements"] = counter.report()
        return report
    finally:
        sql_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--sizes", default="0,500000,2000000")
    parser.add_argument("--runs", type=int, default=3)
    # The schema the templates are made at: each run opens a copy, which upgrades it.
    parser.add_argument("--template-revision", default="0020")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--statements", action="store_true")
    # Only the first N posts' second weeks (a quick look at the per-batch figures of a size).
    parser.add_argument("--batches", type=int, default=0)
    parser.add_argument("--templates-only", action="store_true")
    # Blocks read into PostgreSQL's shared buffers and found there, per table and index.
    parser.add_argument("--blocks", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        print("set DATABASE_URL to a PostgreSQL server (databases are made and dropped)")
        return 2
    make_batches(args.posts)
    sizes = [int(s) for s in args.sizes.split(",")]
    revision = args.template_revision
    bases = {size: template(url, args.posts, size, revision) for size in sizes}
    if args.templates_only:
        return 0
    for size in sizes:
        for run in range(args.runs):
            last = run == args.runs - 1
            report = one_run(url, args.posts, size, bases[size], args.profile and last,
                             args.statements and last, args.batches,
                             args.blocks and last)  # fmt: skip
            times = report["times"]
            print(
                f"size {size:>9,}: {len(times)} batches, {report['records']:,} records,"
                f" {report['rejected']} rejected: total {report['total']:.1f} s,"
                f" per batch p50 {statistics.median(times) * 1000:.0f} ms"
                f" p95 {percentile(times, 0.95) * 1000:.0f} ms"
                f" (opening + upgrade from {revision}: {report['upgrade']:.1f} s)",
                flush=True,
            )
            if "statements" in report:
                print(report["statements"], flush=True)
            if "profile" in report:
                print(f"  profile: {report['profile']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
