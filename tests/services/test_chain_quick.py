"""``receipts verify --quick``: the receipts after the last full check and every anchor (the
record of that check, the daily closes, the batches). What changed after the check is named as
the full check names it; a close or the record that no longer matches the chain is named; a
receipt altered before the check with its hash left is, as documented, only the full check's."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from rumah_perisai import cli
from rumah_perisai.app import App, open_app
from rumah_perisai.services.cash import close_day, till
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock
from tests.services.test_receipt_chain import (  # noqa: F401  (fixtures)
    Copy,
    _copy,
    _tamper,
    five_receipts,
)


@pytest.fixture(autouse=True)
def _sqlite_only(database_url: str) -> None:
    """A post's database is SQLite; on PostgreSQL --quick is the full check (README)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("--quick reads the anchors from SQLite; PostgreSQL runs the full check")


def _verify(copy: Copy, *options: str) -> tuple[int, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    args = ["--data-dir", str(copy.folder.root), "--db", copy.url, "receipts", "verify"]
    code = cli.main([*args, *options, "--json"], out=out, err=err)
    return code, json.loads(out.getvalue()), err.getvalue()


def _pay(app: App, who: int, volunteer: Actor) -> None:
    total = payment_options(app.db, who).plan(1).total
    take_payment(app.db, who, 1, total, volunteer)


@pytest.fixture
def checked(
    five_receipts: App,  # noqa: F811
    volunteer: Actor,
    coordinator: Actor,
    tmp_path: Path,
    database_url: str,
) -> Copy:
    """Five receipts, the day closed, a full check run; then two more receipts."""
    app = five_receipts
    today = till(app.db)
    counted = {line.volunteer_key: line.expected for line in today.lines}
    close_day(app.db, today.day, counted, coordinator, through_seq=today.through_seq)
    copy = _copy(app, tmp_path, database_url)
    assert _verify(copy)[0] == 0  # the full check, recorded
    # The command line recorded the check with this computer's clock: later work goes on it.
    with open_app(copy.folder, copy.url) as again:
        with again.db.reading() as session:
            people = session.execute(text("SELECT id FROM participants ORDER BY id")).scalars()
            first_two = list(people)[:2]
        for who in first_two:
            _pay(again, who, volunteer)
    return copy


def test_quick_checks_only_what_came_after_the_full_check(checked: Copy) -> None:
    code, found, _err = _verify(checked, "--quick")
    assert code == 0 and found["whole"]
    assert found["checked_after"] == "RP3209A-2026-000005"
    assert found["receipts"] == 2  # the two receipts after the check, hashed again
    assert "RP3209A-2026-000005" in found["message"]


def test_without_a_full_check_quick_runs_the_full_check(
    five_receipts: App,  # noqa: F811
    tmp_path: Path,
    database_url: str,
) -> None:
    copy = _copy(five_receipts, tmp_path, database_url)
    code, found, _err = _verify(copy, "--quick")
    assert code == 0 and found["checked_after"] is None and found["receipts"] == 5
    assert _verify(copy, "--quick")[1]["checked_after"] == "RP3209A-2026-000005"


def test_a_receipt_altered_after_the_check_is_named(checked: Copy) -> None:
    _tamper(checked, "UPDATE receipts SET total = 1 WHERE number = 'RP3209A-2026-000007'")
    code, found, err = _verify(checked, "--quick")
    assert code == 1 and found["problem"] == "altered"
    assert found["receipt"] == "RP3209A-2026-000007" and "RP3209A-2026-000007" in err


def test_a_receipt_removed_before_the_check_moves_the_anchors(checked: Copy) -> None:
    second = "(SELECT id FROM receipts WHERE number = 'RP3209A-2026-000002')"
    _tamper(
        checked,
        f"DELETE FROM receipt_months WHERE receipt_id = {second}",
        f"DELETE FROM cover_periods WHERE receipt_id = {second}",
        f"DELETE FROM receipts WHERE id = {second}",
    )
    code, found, _err = _verify(checked, "--quick")
    assert code == 1 and (found["problem"], found["receipt"]) == (
        "removed",
        "RP3209A-2026-000002",
    )


def test_a_close_that_no_longer_matches_the_chain_is_named(checked: Copy) -> None:
    """The full check looks only at the newest close's hash; quick checks each close's place."""
    _tamper(checked, "UPDATE daily_closes SET chain_length = 4")
    assert _verify(checked)[0] == 0  # the receipts themselves are whole
    code, found, err = _verify(checked, "--quick")
    assert code == 1 and found["problem"] == "anchor"
    assert found["receipt"] == "RP3209A-T00001" and "RP3209A-T00001" in err


def test_what_quick_does_not_catch_is_what_its_help_says(checked: Copy) -> None:
    """A receipt before the full check altered with its stored hash left as it was: only the
    full check hashes it again."""
    _tamper(checked, "UPDATE receipts SET total = 1 WHERE number = 'RP3209A-2026-000002'")
    assert _verify(checked, "--quick")[0] == 0
    code, found, _err = _verify(checked)
    assert code == 1 and (found["problem"], found["receipt"]) == (
        "altered",
        "RP3209A-2026-000002",
    )


def test_the_record_of_the_full_check_is_itself_an_anchor(checked: Copy) -> None:
    _tamper(
        checked,
        "UPDATE settings SET value_json = json_set(value_json, '$.length', 3)"
        " WHERE key = 'receipts.chain_checked'",
    )
    code, found, _err = _verify(checked, "--quick")
    assert code == 1 and found["problem"] == "anchor"


def test_quick_with_the_clock_of_the_test(checked: Copy, clock: FakeClock) -> None:
    with open_app(checked.folder, checked.url, clock=clock) as app:
        from rumah_perisai.services.chain_quick import quick_check

        found = quick_check(app.db)
    assert found.report.whole and found.since == "RP3209A-2026-000005"
