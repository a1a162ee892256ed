"""The receipt chain check catches a receipt altered, removed (in the middle or the newest) or
swapped — in a copy of the database, as someone with the file could do — and the command line
says so with exit 1."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from rumah_perisai import cli
from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.services.cash import close_day, till
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.receipt_chain import (
    ALTERED,
    NEWEST_REMOVED,
    REMOVED,
    REORDERED,
    verify_chain,
)
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock
from tests.dbfiles import engine_for

# Their SQL differs by dialect: also on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.postgresql


@pytest.fixture
def five_receipts(
    app: App,
    add_participant: Callable[..., int],
    volunteer: Actor,
    coordinator: Actor,
) -> App:
    """Four payments and a void: RP3209A-2026-000001 … 000005."""
    start = date(2026, 10, 1)
    for _ in range(4):
        history = CoverHistory(Standing.MEMBER, start, date(2027, 1, 31), frozenset())
        who = add_participant(registered_on=start, history=history)
        total = payment_options(app.db, who).plan(3).total
        paid = take_payment(app.db, who, 3, total, volunteer)
    void_receipt(app.db, paid.receipt_id, "Salah input peserta", coordinator)
    return app


def test_a_whole_chain_passes(five_receipts: App) -> None:
    report = verify_chain(five_receipts.db)
    assert report.whole and report.receipts == 5
    assert "5" in report.message() and "utuh" in report.message()


@dataclass(frozen=True)
class Copy:
    """The post's database as someone with the file (or database access) finds it."""

    folder: DataFolder
    url: str


def _copy(app: App, tmp_path: Path, database_url: str) -> Copy:
    """SQLite: a copy of the data folder, as a copied laptop file. PostgreSQL: the test's own
    throwaway database, changed in place."""
    app.close()
    if not database_url.startswith("sqlite"):
        return Copy(app.folder, database_url)
    copy = DataFolder(tmp_path / "copy")
    shutil.copytree(app.folder.root, copy.root)
    return Copy(copy, copy.sqlite_url)


@pytest.fixture
def copied(five_receipts: App, tmp_path: Path, database_url: str) -> Copy:
    return _copy(five_receipts, tmp_path, database_url)


def _tamper(copy: Copy, *statements: str) -> None:
    engine = engine_for(copy.folder, copy.url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def _check(copy: Copy, clock: FakeClock) -> tuple[str | None, str | None, str]:
    with open_app(copy.folder, copy.url, clock=clock) as app:
        report = verify_chain(app.db)
    return report.problem, report.number, report.message()


def _cli(copy: Copy) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = ["--data-dir", str(copy.folder.root), "--db", copy.url, "receipts", "verify"]
    code = cli.main(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_an_altered_amount_is_named(copied: Copy, clock: FakeClock) -> None:
    _tamper(copied, "UPDATE receipts SET total = 16800 WHERE number = 'RP3209A-2026-000002'")
    problem, number, message = _check(copied, clock)
    assert (problem, number) == (ALTERED, "RP3209A-2026-000002")
    assert "RP3209A-2026-000002" in message and "diubah" in message


def test_an_altered_month_is_named(copied: Copy, clock: FakeClock) -> None:
    _tamper(
        copied,
        "UPDATE receipt_months SET total = 0 WHERE receipt_number = 'RP3209A-2026-000003'"
        " AND month = '2027-03-01'",
    )
    assert _check(copied, clock)[:2] == (ALTERED, "RP3209A-2026-000003")


def test_a_receipt_deleted_in_the_middle_is_named(copied: Copy, clock: FakeClock) -> None:
    _tamper(
        copied,
        "DELETE FROM receipt_months WHERE receipt_number = 'RP3209A-2026-000002'",
        "DELETE FROM cover_periods WHERE receipt_id = (SELECT id FROM receipts"
        " WHERE number = 'RP3209A-2026-000002')",
        "DELETE FROM receipts WHERE number = 'RP3209A-2026-000002'",
    )
    problem, number, message = _check(copied, clock)
    assert (problem, number) == (REMOVED, "RP3209A-2026-000002")
    assert "hilang" in message


def test_a_deleted_and_renumbered_receipt_is_caught(copied: Copy, clock: FakeClock) -> None:
    """Hiding the gap by renumbering the later receipts breaks their hashes and links."""
    _tamper(
        copied,
        "DELETE FROM receipt_months WHERE receipt_number = 'RP3209A-2026-000002'",
        "DELETE FROM cover_periods WHERE receipt_id = (SELECT id FROM receipts"
        " WHERE number = 'RP3209A-2026-000002')",
        "DELETE FROM receipts WHERE number = 'RP3209A-2026-000002'",
        *(
            f"UPDATE receipts SET seq = {seq - 1}, number = 'RP3209A-2026-{seq - 1:06d}'"
            f" WHERE seq = {seq}"
            for seq in (3, 4, 5)
        ),
    )
    problem, number, _ = _check(copied, clock)
    assert (problem, number) == (REMOVED, "RP3209A-2026-000002")


NEWEST = "(SELECT id FROM receipts WHERE number = 'RP3209A-2026-000005')"
DELETE_NEWEST = (  # the void: undo what it did to the months, then remove it
    f"UPDATE receipt_months SET voided_by_receipt_id = NULL WHERE voided_by_receipt_id = {NEWEST}",
    f"UPDATE cover_periods SET voided_by_receipt_id = NULL WHERE voided_by_receipt_id = {NEWEST}",
    "DELETE FROM receipts WHERE number = 'RP3209A-2026-000005'",
)


def test_the_newest_receipt_deleted_is_caught(copied: Copy, clock: FakeClock) -> None:
    _tamper(copied, *DELETE_NEWEST)
    problem, number, message = _check(copied, clock)
    assert (problem, number) == (NEWEST_REMOVED, "RP3209A-2026-000004")
    assert "5" in message


def test_newest_receipts_deleted_with_their_counters_are_caught_by_the_daily_close(
    five_receipts: App, coordinator: Actor, tmp_path: Path, database_url: str, clock: FakeClock
) -> None:
    """Someone who also winds the counters back is still caught: the close kept the newest
    hash and the chain length."""
    today = till(five_receipts.db)
    counted = {line.volunteer_key: line.expected for line in today.lines}
    close_day(five_receipts.db, today.day, counted, coordinator, through_seq=today.through_seq)
    copy = _copy(five_receipts, tmp_path, database_url)
    _tamper(
        copy,
        *DELETE_NEWEST,
        "UPDATE counters SET value = value - 1 WHERE name IN ('receipt-chain', 'receipt-2026')",
    )
    problem, _number, _ = _check(copy, clock)
    assert problem == NEWEST_REMOVED


def test_two_swapped_receipts_are_named(copied: Copy, clock: FakeClock) -> None:
    """Receipts 2 and 3 exchange places (numbers and positions), their contents untouched."""
    _tamper(
        copied,
        "UPDATE receipts SET seq = -2, number = 'x' WHERE number = 'RP3209A-2026-000002'",
        "UPDATE receipts SET seq = 2, number = 'RP3209A-2026-000002'"
        " WHERE number = 'RP3209A-2026-000003'",
        "UPDATE receipts SET seq = 3, number = 'RP3209A-2026-000003' WHERE number = 'x'",
    )
    problem, number, message = _check(copied, clock)
    assert (problem, number) == (REORDERED, "RP3209A-2026-000002")
    assert "urutan" in message.lower()


def test_the_command_line_exits_1_naming_the_receipt(copied: Copy) -> None:
    assert _cli(copied)[0] == 0
    _tamper(
        copied, "UPDATE receipts SET reason = 'Tidak jadi' WHERE number = 'RP3209A-2026-000005'"
    )
    code, out, err = _cli(copied)
    assert code == 1 and out == ""
    assert "RP3209A-2026-000005" in err
