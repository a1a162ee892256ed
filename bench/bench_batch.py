"""The weekly batch: exporting 5,000 registrations and 20,000 payments, signed and encrypted,
beside zip + AES of the same bytes in the same run; and the first batch of the 200,000-participant
demo post.

    .venv/bin/python bench/bench_batch.py [--runs 5] [--no-demo]

The 25k post is made once through the real services (``register`` 5,000 times, ``take_payment``
20,000 times: every record, counter and audit row as a post makes them) in ``bench/out/batch25k``
(~10 min); each run exports from a fresh copy of it. Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import func, select

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import AuditEntry, Participant, Receipt
from rumah_perisai.db.uow import begin_operation
from rumah_perisai.exchange.batchfile import seal
from rumah_perisai.keys import load_post_key
from rumah_perisai.keys.files import branch_key_file, create_branch_keys
from rumah_perisai.keys.installed import branch_key, install_branch_key
from rumah_perisai.services.batches import _read_parts, export_batch
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.posts import PostSetup, set_up_post, the_post
from rumah_perisai.services.registration import RegistrationForm, register
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    AccountSetup,
    Actor,
    create_account,
    log_in,
)
from rumah_perisai.tasks import SilentProgress

OUT = Path(__file__).parent / "out"
REGISTRATIONS, PAYMENTS = 5_000, 20_000
CLI = Actor(label="cli:bench")


def _form(index: int) -> RegistrationForm:
    born = date(1970, 1, 1) + timedelta(days=index)  # one person a day: never a likely duplicate
    sex = "P" if index % 2 else "L"
    day = born.day + (40 if sex == "P" else 0)
    return RegistrationForm(
        nik=f"320914{day:02d}{born.month:02d}{born.year % 100:02d}{index % 9000 + 1:04d}",
        name=f"Peserta Bangku {index}", birth_place="Cirebon", birth_date=born, sex=sex,
        street=f"Jl. Pantura {index}", rt="001", rw="002", desa_code="32.09.14.2001",
        phone=f"0812{index:08d}", occupation="Nelayan", income=1_000_000,
        with_jht=index % 5 == 0, heir_name="Ahli Waris", heir_relation="Istri/Suami",
        consent=True,
    )  # fmt: skip


def make_post(folder: DataFolder) -> None:
    """5,000 registrations and 20,000 payments through the services (one month each, four per
    participant, after the free cover)."""
    folder.root.mkdir(parents=True, exist_ok=True)
    branch = create_branch_keys(folder.root / "branch-keys", "KC-CRB", "Cabang Cirebon", demo=False)
    with open_app(folder, folder.sqlite_url) as app:
        setup = PostSetup(code="RP3209B", name="Rumah Perisai Bangku", kabupaten_code="32.09")
        set_up_post(app.db, folder, setup, CLI.label)
        create_account(app.db, AccountSetup("Dewi Lestari", "1357"), ROLE_COORDINATOR, None)
        coordinator = log_in(app.db, "Dewi Lestari", "1357")
        install_branch_key(app.db, branch_key_file(branch.public, branch.signing), CLI)
        started = time.perf_counter()
        ids = []
        for index in range(REGISTRATIONS):
            ids.append(register(app.db, _form(index), coordinator).participant_id)
            if index % 500 == 499:
                print(f"  {index + 1:,} registered", flush=True)
        for round_ in range(PAYMENTS // REGISTRATIONS):
            for count, who in enumerate(ids):
                plan = payment_options(app.db, who).plan(1)
                take_payment(
                    app.db, who, 1, plan.total, coordinator,
                    expect_months=[m.month for m in plan.months],
                )  # fmt: skip
                if count % 1000 == 999:
                    print(f"  round {round_ + 1}: {count + 1:,} paid", flush=True)
        print(f"made in {time.perf_counter() - started:.0f} s", flush=True)


def fresh_copy(source: DataFolder, into: Path) -> DataFolder:
    shutil.copytree(source.root, into, dirs_exist_ok=True)
    return DataFolder(into)


def measure(folder: DataFolder, runs: int) -> None:
    with open_app(folder, folder.sqlite_url) as app, app.db.reading() as session:
        people = session.scalar(select(func.count()).select_from(Participant))
        receipts = session.scalar(select(func.count()).select_from(Receipt))
        audit = session.scalar(select(func.count()).select_from(AuditEntry))
    print(f"post: {people:,} participants, {receipts:,} receipts, {audit:,} audit rows")
    export_s, read_s, seal_s, zip_s, sizes = [], [], [], [], []
    for run in range(runs):
        with tempfile.TemporaryDirectory(dir=OUT) as scratch:
            copy = fresh_copy(folder, Path(scratch) / "post")
            stick = Path(scratch) / "stick"
            stick.mkdir()
            with open_app(copy, copy.sqlite_url) as app:
                started = time.perf_counter()
                written = export_batch(app.db, copy, stick, CLI)
                export_s.append(time.perf_counter() - started)
                sizes.append(written.info.file_size)
                # The same work in pieces, and zip + AES of the very same bytes.
                with app.db.unit_of_work(CLI.label) as session:
                    change_to = begin_operation(session)
                    post = the_post(session)
                    started = time.perf_counter()
                    read = _read_parts(session, post, 0, change_to, 0, SilentProgress())
                    read_s.append(time.perf_counter() - started)
                    branch = branch_key(session)
                    assert branch is not None
                    manifest = {"post": {"code": post.code}, "seq": 1, "demo": False}
                    key = load_post_key(copy.keys)
                    started = time.perf_counter()
                    seal(manifest, read.parts, post_key=key, branch=branch, compress_level=1)
                    seal_s.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    buffer = io.BytesIO()
                    # The same deflate level the export uses (1), for a like-for-like figure.
                    with zipfile.ZipFile(
                        buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1
                    ) as archive:
                        for part in read.parts:
                            archive.writestr(part.name + ".json", part.data)
                    AESGCM(AESGCM.generate_key(bit_length=256)).encrypt(
                        os.urandom(12), buffer.getvalue(), None
                    )
                    zip_s.append(time.perf_counter() - started)
                    session.rollback()
        print(
            f"run {run + 1}: export {export_s[-1]:.2f} s (read {read_s[-1]:.2f}, seal "
            f"{seal_s[-1]:.2f}); zip+AES {zip_s[-1]:.2f} s; file {sizes[-1] / 1e6:.1f} MB",
            flush=True,
        )
    print(
        f"export median {statistics.median(export_s):.2f} s, best {min(export_s):.2f} s; "
        f"read {statistics.median(read_s):.2f}; seal {statistics.median(seal_s):.2f}; "
        f"zip+AES of the same bytes {statistics.median(zip_s):.2f} s"
    )


def demo_first_batch() -> None:
    source = DataFolder(OUT / "demo200k")
    if not source.database.exists():
        print("no bench/out/demo200k (bench/bench_demo.py makes it); skipped")
        return
    with tempfile.TemporaryDirectory(dir=OUT) as scratch:
        copy = fresh_copy(source, Path(scratch) / "post")
        stick = Path(scratch) / "stick"
        stick.mkdir()
        branch = create_branch_keys(Path(scratch) / "b", "LATIH", "Cabang latihan", demo=True)
        with open_app(copy, copy.sqlite_url) as app:
            install_branch_key(app.db, branch_key_file(branch.public, branch.signing), CLI)
            started = time.perf_counter()
            written = export_batch(app.db, copy, stick, CLI)
            took = time.perf_counter() - started
        print(
            f"demo200k first batch: {written.info.records:,} records, "
            f"{written.info.file_size / 1e6:.1f} MB in {took:.1f} s"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-demo", action="store_true")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    random.seed(1)
    folder = DataFolder(OUT / "batch25k")
    if not folder.database.exists():
        print("making bench/out/batch25k through the services…", flush=True)
        try:
            make_post(folder)
        except BaseException:
            shutil.rmtree(folder.root, ignore_errors=True)
            raise
    measure(folder, args.runs)
    if not args.no_demo:
        demo_first_batch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
