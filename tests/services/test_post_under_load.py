"""The post under load (issue 14, items 5 and 6): writers at the same moment, a slow stick, a busy
database. Real threads on a real SQLite file (and PostgreSQL when ``DATABASE_URL`` is set), with
the real clock: the false refusals happened only because real time moves while a writer waits.

* Two exports at once, or an export while payments are taken, are never told that a correct
  clock is behind (the clock is read once the operation holds the write lock).
* A payment goes through while a batch is being written to a slow stick (the stick is written
  after the batch is recorded and the lock released).
* A payment that cannot get the write lock is a ``db_busy`` refusal, not a raw driver error.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import Receipt
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.errors import UserError
from rumah_perisai.exchange import safe_write
from rumah_perisai.keys.files import BranchKeys, branch_key_file, create_branch_keys
from rumah_perisai.keys.installed import install_branch_key
from rumah_perisai.services.batches import batches, export_batch
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor
from tests.services.load_world import RealClock, hold_write_lock, shorten_waits

# Their SQL differs by dialect: also on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.postgresql

CLI = Actor(label="cli:test")
ROUNDS = 10  # the tester saw the false refusal in 4 of 10 races
WAIT = 10.0  # no thread here may wait longer than this for another (the test would hang)


@pytest.fixture
def clock() -> RealClock:
    return RealClock()


@pytest.fixture
def linked(app: App, post: PostSummary, tmp_path: Path) -> BranchKeys:
    branch = create_branch_keys(tmp_path / "branch", "KC-CRB", "Cabang Cirebon", demo=False)
    install_branch_key(app.db, branch_key_file(branch.public, branch.signing), CLI)
    return branch


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    path = tmp_path / "stick"
    path.mkdir()
    return path


@pytest.fixture
def short_waits(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    undo = shorten_waits(app, monkeypatch)
    yield
    undo()


def _in_arrears(add_participant: Callable[..., int]) -> int:
    start = date(2026, 6, 10)
    history = CoverHistory(Standing.MEMBER, start, date(2026, 9, 30), frozenset())
    return add_participant(registered_on=start, history=history)


def _pay(app: App, who: int, actor: Actor) -> int:
    plan = payment_options(app.db, who).plan(1)
    expect = [m.month for m in plan.months]
    return take_payment(app.db, who, 1, plan.total, actor, expect_months=expect).receipt_id


def _export(app: App, stick: Path) -> str:
    """``written`` or the refusal's key."""
    try:
        export_batch(app.db, app.folder, stick, CLI)
    except UserError as error:
        return error.key
    return "written"


def _together(*work: Callable[[], Any]) -> list[Any]:
    """Run each callable on its own thread, all released at the same moment; their results (or
    what they raised)."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(index: int) -> None:
        barrier.wait(timeout=WAIT)
        try:
            results[index] = work[index]()
        except BaseException as error:  # handed to the test, which says what it was
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * WAIT)
        assert not thread.is_alive(), "a writer hung"
    return results


# --- item 5: the clock is read once the write lock is held ---------------------------------------


def test_two_exports_at_once_never_say_a_correct_clock_is_behind(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], stick: Path
) -> None:
    outcomes = []
    for _round in range(ROUNDS):
        _in_arrears(add_participant)  # something new for this round's batch
        outcomes.append(sorted(_together(lambda: _export(app, stick), lambda: _export(app, stick))))
    assert all(isinstance(o, str) for pair in outcomes for o in pair), outcomes
    assert [pair for pair in outcomes if "clock_behind" in pair] == []
    # One of the two writes this round's batch; the other finds nothing new (or a batch of its
    # own when it came late enough to see a change the first one had not).
    assert all("written" in pair for pair in outcomes), outcomes
    assert all(o in {"written", "batch_nothing_new"} for pair in outcomes for o in pair)
    seqs = sorted(info.seq for info in batches(app.db))
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= ROUNDS


def test_exports_while_payments_are_taken_never_say_a_correct_clock_is_behind(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], stick: Path,
    volunteer: Actor,
) -> None:  # fmt: skip
    people = [_in_arrears(add_participant) for _ in range(8)]
    exporting = threading.Event()
    exporting.set()

    def payments() -> list[Any]:
        """A busy day at the counter: one payment after another while the batches are written."""
        taken: list[Any] = []
        while exporting.is_set() and len(taken) < 60:
            try:
                taken.append(_pay(app, people[len(taken) % len(people)], volunteer))
            except UserError as error:
                taken.append(error.key)
        return taken

    def exports() -> list[str]:
        written = []
        try:
            for _round in range(ROUNDS):
                time.sleep(0.05)  # a payment or two in between: something new to write
                written.append(_export(app, stick))
        finally:
            exporting.clear()
        return written

    paid, exported = _together(payments, exports)
    assert isinstance(paid, list) and isinstance(exported, list), (paid, exported)
    assert [p for p in paid if not isinstance(p, int)] == []
    assert "clock_behind" not in exported, exported
    assert set(exported) <= {"written", "batch_nothing_new"}, exported
    assert exported.count("written") >= 2, exported


# --- item 6: the stick is written after the lock is released ------------------------------------


def _path_of(fd: int) -> Path | None:
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return None


def test_a_payment_goes_through_while_the_batch_is_written_to_a_slow_stick(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], stick: Path,
    volunteer: Actor, short_waits: None, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    if _path_of(0) is None:
        pytest.skip("needs /proc/self/fd to tell the stick's writes from the computer's")
    who = _in_arrears(add_participant)
    writing, paid = threading.Event(), threading.Event()
    real_write = safe_write.write_chunk

    def slow_stick(fd: int, chunk: memoryview) -> int:
        path = _path_of(fd)
        if path is not None and path.parent == stick.resolve():
            writing.set()
            paid.wait(timeout=WAIT)  # the stick crawls until the payment is through
        return real_write(fd, chunk)

    monkeypatch.setattr(safe_write, "write_chunk", slow_stick)
    exported: list[Any] = []
    exporter = threading.Thread(target=lambda: exported.append(_export(app, stick)))
    exporter.start()
    try:
        assert writing.wait(timeout=WAIT), "the batch never reached the stick"
        receipt = _pay(app, who, volunteer)  # while the stick is being written
    finally:
        paid.set()
        exporter.join(timeout=3 * WAIT)
    assert exported == ["written"]
    (info,) = batches(app.db)
    assert info.copied_to == str(stick.resolve()) and not info.never_written_out
    with app.db.reading() as session:
        assert session.scalar(select(Receipt.change_no).where(Receipt.id == receipt)) > (
            info.change_to
        ), "the payment made while the stick was written belongs to the next batch"


# --- item 6: a busy database is a refusal the user can act on ------------------------------------


def test_a_payment_while_another_program_writes_is_refused_as_busy_and_goes_through_after(
    app: App, add_participant: Callable[..., int], volunteer: Actor, short_waits: None
) -> None:
    who = _in_arrears(add_participant)
    release = hold_write_lock(app)
    try:
        with pytest.raises(UserError) as refused:
            _pay(app, who, volunteer)
    finally:
        release()
    assert refused.value.key == "db_busy"
    assert "coba lagi" in refused.value.message().lower()
    with app.db.reading() as session:
        assert session.scalars(select(Receipt)).all() == []
    assert _pay(app, who, volunteer) > 0  # tried again: it goes through


def test_the_command_line_says_busy_in_one_line_and_exits_1(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], stick: Path,
    short_waits: None, coordinator: Actor,
) -> None:  # fmt: skip
    if app.db.engine.dialect.name != "sqlite":
        pytest.skip("the command line opens the data folder's own SQLite file")
    from tests.test_cli import run

    _in_arrears(add_participant)
    release = hold_write_lock(app)
    try:
        code, out, err = run("--data-dir", str(app.folder.root), "batch", "export",
                             "--coordinator", "Dewi Lestari", "--out", str(stick),
                             stdin="1357\n")  # fmt: skip
    finally:
        release()
    assert (code, out) == (1, "")
    assert err.strip() == UserError("db_busy").message() and err.count("\n") == 1
    assert batches(app.db) == [] and list(stick.iterdir()) == []
