"""The demo's bulk path (issue 21): rows through the driver, indexes made once a table is filled,
inserts written by a second thread. It must make the very same post as before, leave the schema
exactly as the migrations made it, and leave nothing behind when it stops half way.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection, exc, func, select

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Participant, Post, Receipt, Volunteer
from rumah_perisai.db.models_tally import EndedCount, PromotionCount
from rumah_perisai.db.status import conversion_day
from rumah_perisai.demo import DEMO_LOGINS, DemoRequest, create_demo_post
from rumah_perisai.demo.people import People
from rumah_perisai.demo.writer import PARTICIPANT_COLUMNS, Writer
from rumah_perisai.services import volunteers
from rumah_perisai.tasks import Cancelled

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

# Rows (count, first 16 hex digits of a SHA-256 over every stored value with its type) of each
# table of the demo of 3,000 participants, seed 11, made on TODAY, as the demo wrote them before
# issue 21 (SQLAlchemy Core inserts with every index in place). Everything a demo stores but the
# post's own keys, the PIN hashes and the audit rows that quote them (random by design). If a
# change to the demo means to change its data, make it on purpose and say why in the commit.
BEFORE_ISSUE_21 = {
    "counters": (8, "a883e1770a186dd5"),
    "cover_periods": (4443, "6f8b892312bdf64b"),
    "daily_close_lines": (626, "2a49a2826581864c"),
    "daily_closes": (119, "37006195c2a13608"),
    "deposit_closes": (115, "1f427b4d960636db"),
    "deposits": (21, "1999759142d9d650"),
    "participants": (3000, "7b02066140ff3642"),
    "participants_fts": (3000, "0b819860769dc63f"),
    "participants_fts_config": (1, "a8b2b0af8b6c9a95"),
    "participants_fts_data": (45, "a1c4d116dc90b0c3"),
    "participants_fts_docsize": (3000, "c35e40f5c8118b03"),
    "participants_fts_idx": (43, "65e1f8f0d423e791"),
    "receipt_months": (3215, "7557783c65d2ab5b"),
    "receipts": (1448, "b1bae4bd3fe9d259"),
}
_RANDOM_BY_DESIGN = {"posts", "volunteers", "audit_log"}
# Not the demo's rows: the schema's revision, and the dashboard's tally (migration 0018, after
# these digests were taken), which is counted from the rows and proven equal to a recount in
# tests/services/test_dashboard_tally.py.
_NOT_THE_DEMOS = {"alembic_version", "promotion_counts", "promotion_ended_counts"}


@pytest.fixture(autouse=True)
def _cheap_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(volunteers, "_hasher", CHEAP_HASHER)


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[App]:
    """The demo's bulk path is SQLite's: the post's own encrypted file."""
    folder = DataFolder(tmp_path / "data")
    app = open_app(folder, folder.sqlite_url, clock=lambda: NOW)
    yield app
    app.close()


def _raw(connection: Connection) -> Any:
    raw = connection.connection.driver_connection
    assert raw is not None
    return raw


def _digests(app: App) -> dict[str, tuple[int, str]]:
    """Each table's rows and a digest of their stored values (text, integer or NULL as stored)."""
    with app.db.engine.connect() as connection:
        raw = _raw(connection)
        tables = [
            name
            for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name not in _RANDOM_BY_DESIGN | _NOT_THE_DEMOS
        ]
        digests = {}
        for table in tables:
            rows = sorted(repr(row) for row in raw.execute(f'SELECT * FROM "{table}"'))
            digest = hashlib.sha256("".join(rows).encode()).hexdigest()[:16]
            digests[table] = (len(rows), digest)
    return {table: found for table, found in digests.items() if found[0]}


def _schema(app: App) -> list[tuple[str, str, str, str | None]]:
    """Every index and trigger with its SQL, and the tables' names. (A table's own SQL lists
    its constraints in an order that differs between two fresh databases: Alembic's batch
    migrations rebuild tables from sets. The demo never touches a table's definition.)"""
    with app.db.engine.connect() as connection:
        return [
            (kind, name, table, None if kind == "table" else sql)
            for kind, name, table, sql in _raw(connection).execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
            )
        ]


def _migrated_schema(tmp_path: Path) -> list[tuple[str, str, str, str | None]]:
    folder = DataFolder(tmp_path / "migrated")
    app = open_app(folder, folder.sqlite_url, clock=lambda: NOW)
    try:
        return _schema(app)
    finally:
        app.close()


def _participants(app: App) -> int:
    with app.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Participant)) or 0


def test_the_demo_stores_the_same_bytes_as_before_issue_21(sqlite_app: App) -> None:
    create_demo_post(
        sqlite_app.db, sqlite_app.folder, DemoRequest(3_000, seed=11), "cli:test", today=TODAY
    )
    assert _digests(sqlite_app) == BEFORE_ISSUE_21


def test_each_conversion_day_is_the_one_the_receipts_give(sqlite_app: App) -> None:
    """The demo writes ``converted_on`` with the participant's row, from the payments and voids
    it is about to make receipts of: it must be the day the stored receipts give
    (``conversion_day``, what the services keep), for every participant — voided payments,
    refunds paid again on a later day and voids never paid again included."""
    create_demo_post(
        sqlite_app.db, sqlite_app.folder, DemoRequest(4_000, seed=5), "cli:test", today=TODAY
    )
    p = Participant
    with sqlite_app.db.reading() as session:
        stored = session.execute(
            select(p.id, p.converted_on, conversion_day(p.id, p.promotion_end)).where(
                p.promotion_end.is_not(None)
            )
        ).all()
        voided = session.scalar(
            select(func.count(func.distinct(Receipt.participant_id))).where(
                Receipt.voids_receipt_id.is_not(None)
            )
        )
    wrong = [(id_, written, given) for id_, written, given in stored if written != given]
    assert wrong == []
    assert sum(written is not None for _id, written, _given in stored) > 500
    assert voided and voided > 10  # the voids' rule is exercised, not only plain payments


def test_the_tally_counted_as_the_rows_are_made_equals_a_recount(sqlite_app: App) -> None:
    """The demo counts the dashboard's tally in Python from the rows it makes
    (``demo.tally.count_members``), a second reading of ``db.tally``'s SQL: every row of both
    tables must be the one ``db.tally.rebuild`` counts from the stored participants — members
    with and without a promotion, converted or not, each volunteer's and the whole post's."""
    # Imported here, not with the module's imports: the killed demo's child process (spawned)
    # imports this module, and that one imports tests.conftest, which would give the child a
    # key folder of its own, so the parent could not open the post the child left.
    from tests.services.test_dashboard_tally import assert_rows_equal_a_fresh_count

    create_demo_post(
        sqlite_app.db, sqlite_app.folder, DemoRequest(4_000, seed=5), "cli:test", today=TODAY
    )
    assert_rows_equal_a_fresh_count(sqlite_app)
    with sqlite_app.db.reading() as session:
        ended = session.scalar(select(func.count()).select_from(EndedCount))
        converted = session.scalar(
            select(func.count()).where(PromotionCount.converted_after.is_not(None))
        )
    assert ended and ended > 500  # the promotions' folding is exercised
    assert converted and converted > 100


def test_indexes_and_triggers_come_back_exactly_as_migrated(
    sqlite_app: App, tmp_path: Path
) -> None:
    create_demo_post(sqlite_app.db, sqlite_app.folder, DemoRequest(400), "cli:test", today=TODAY)
    schema = _schema(sqlite_app)
    assert schema == _migrated_schema(tmp_path)
    assert sum(kind == "index" for kind, *_ in schema) > 40  # indexes were there to drop


class _SlowHasher:
    """The tests' cheap argon2, slowed down as the real one is, noting where each hash is made."""

    def __init__(self) -> None:
        self.threads: list[str] = []  # the thread that made each hash

    def hash(self, pin: str) -> str:
        time.sleep(0.05)
        self.threads.append(threading.current_thread().name)
        return CHEAP_HASHER.hash(pin)

    def verify(self, pin_hash: str, pin: str) -> bool:
        return CHEAP_HASHER.verify(pin_hash, pin)


def test_the_pin_hashes_are_made_beside_the_people_and_the_post_is_the_same(
    sqlite_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nine PIN hashes (each its own, with its own salt) are made on a thread while the
    first people are made; the post is byte for byte the one made before issue 21, and every
    account's PIN still opens it."""
    made: list[int] = []  # for each person made: how many hashes were done by then
    hasher = _SlowHasher()
    monkeypatch.setattr(volunteers, "_hasher", hasher)
    person = People.person

    def counted(self: People, registered: datetime) -> Any:
        made.append(len(hasher.threads))
        return person(self, registered)

    monkeypatch.setattr(People, "person", counted)
    create_demo_post(
        sqlite_app.db, sqlite_app.folder, DemoRequest(3_000, seed=11), "cli:test", today=TODAY
    )
    assert _digests(sqlite_app) == BEFORE_ISSUE_21
    assert len(hasher.threads) == len(DEMO_LOGINS)
    assert threading.main_thread().name not in hasher.threads
    assert made[0] < len(DEMO_LOGINS)  # people were made before the last hash was done
    with sqlite_app.db.reading() as session:
        accounts = session.scalars(select(Volunteer).order_by(Volunteer.number)).all()
        stored = [account.pin_hash for account in accounts]
        assert all(
            volunteers.pin_matches(account, login.pin)
            for account, login in zip(accounts, DEMO_LOGINS, strict=True)
        )
    assert len(set(stored)) == len(DEMO_LOGINS)  # nine hashes, nine salts


class _StopAt:
    """Cancels at the first step of the named phase (its progress text)."""

    def __init__(self, phase: int) -> None:
        self.phase, self.seen = phase, 0

    def step(self, done: int, total: int, text: str = "") -> None:
        self.seen += 1
        if done * 3 > total * self.phase:
            raise Cancelled()


@pytest.mark.parametrize("phase", [0, 1, 2])
def test_a_cancel_in_any_phase_leaves_the_schema_as_migrated_and_no_rows(
    sqlite_app: App, tmp_path: Path, phase: int
) -> None:
    """A cancel while the participants', the receipts' or the cover periods' indexes are
    dropped: the rollback brings every index back and keeps no row."""
    with pytest.raises(Cancelled):
        create_demo_post(
            sqlite_app.db, sqlite_app.folder, DemoRequest(5_000), "cli:test", _StopAt(phase),
            today=TODAY,
        )  # fmt: skip
    assert _participants(sqlite_app) == 0
    assert _schema(sqlite_app) == _migrated_schema(tmp_path)


def test_an_insert_that_fails_on_the_writing_thread_is_raised_and_nothing_kept(
    sqlite_app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A participant whose registration number another already has: the table's own unique
    key refuses it on the second thread, the demo stops with SQLAlchemy's error, and the
    rollback keeps nothing (and brings the dropped indexes back)."""
    made = Writer._participant

    def twin(self: Writer, id_: int, number: int, *args: Any) -> Any:
        row, record = made(self, id_, number, *args)
        if number == 2_500:
            at = PARTICIPANT_COLUMNS.index("registration_no")
            row = (*row[:at], f"{self.post_code}-{1:06d}", *row[at + 1 :])
        return row, record

    monkeypatch.setattr(Writer, "_participant", twin)
    with pytest.raises(exc.IntegrityError):
        create_demo_post(
            sqlite_app.db, sqlite_app.folder, DemoRequest(5_000), "cli:test", today=TODAY
        )
    assert _participants(sqlite_app) == 0
    assert _schema(sqlite_app) == _migrated_schema(tmp_path)
    with sqlite_app.db.reading() as session:
        assert session.scalars(select(Post)).first() is None


class _Marks:
    """The child's progress: a file appears once the receipts are being made."""

    def __init__(self, mark: Path) -> None:
        self.mark = mark

    def step(self, done: int, total: int, text: str = "") -> None:
        if done * 3 > total and not self.mark.exists():
            self.mark.write_text(str(done))


def _make_demo(root: str, mark: str) -> None:
    """The child: a demo killed in the middle of its receipts."""
    volunteers._hasher = CHEAP_HASHER  # as in the parent: the accounts, not the hashing cost
    folder = DataFolder(Path(root))
    with open_app(folder, folder.sqlite_url) as app:
        create_demo_post(app.db, folder, DemoRequest(6_000), "cli:test", _Marks(Path(mark)))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_demo_killed_half_way_leaves_no_post(tmp_path: Path) -> None:
    """SIGKILL while the demo writes its receipts (the participants' indexes dropped, the
    second thread writing): the next start finds an empty post folder with the schema as
    migrated, and a new demo just works."""
    folder = DataFolder(tmp_path / "data")
    mark = tmp_path / "receipts-begun"
    child = multiprocessing.get_context("spawn").Process(
        target=_make_demo, args=(str(folder.root), str(mark))
    )
    child.start()
    try:
        deadline = time.monotonic() + 120
        while not mark.exists() and child.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert mark.exists(), "the demo never reached its receipts"
    finally:
        if child.pid is not None and child.is_alive():
            os.kill(child.pid, 9)
        child.join()
    assert child.exitcode == -9  # killed, not finished
    app = open_app(folder, folder.sqlite_url, clock=lambda: NOW)
    try:
        assert _participants(app) == 0
        assert _schema(app) == _migrated_schema(tmp_path)
        summary = create_demo_post(app.db, folder, DemoRequest(50), "cli:test", today=TODAY)
        assert summary.participants == 50
    finally:
        app.close()
