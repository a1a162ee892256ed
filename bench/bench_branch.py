"""The branch: importing 100 batches, about 500,000 rows in all, into PostgreSQL, beside a plain
COPY of the same rows in the same run.

    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/bench_branch.py [--posts 100]

The batches are made once in ``bench/out/branch100``: 100 demo posts of 1,190 participants each
(``rumah_perisai.demo``, deterministic), each writing its first batch (~5,000 records: participants,
cover periods, receipts, months, cards, closes, deposits, and the audit entries). Each run makes
a fresh PostgreSQL database, a training branch, registers the 100 post keys, then times
``import_files`` over the 100 files (each batch checked, decrypted, imported in its own
transaction, receipts' chain recomputed, duplicates looked for, ACK written beside it). The
baseline COPYs the very same decrypted rows into plain tables of the same columns.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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


def measure(url: str, posts: int) -> None:
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
                started = time.perf_counter()
                results = import_files(app.db, folder, copies, CLI)
                took = time.perf_counter() - started
                rows = sum(sum(r.records.values()) for r in results)
                rejected = sum(len(r.rejected) for r in results)
                print(
                    f"import: {len(results)} batches, {rows:,} records (+ audit entries), "
                    f"{rejected} rejected as cross-post duplicates, in {took:.1f} s",
                    flush=True,
                )
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
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("set DATABASE_URL to a PostgreSQL server (a database is made and dropped)")
        return 2
    make_batches(args.posts)
    measure(url, args.posts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
