"""The chain check's fast way (SQLite builds each receipt's text, ranges checked in processes
of their own, issue 21) never changes a verdict: on a whole chain it gives the Python walk's
report; on a chain tampered with, even by the type of a stored value, the Python walk decides,
and what the check says is what the Python walk alone says."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import text

from rumah_perisai.app import App, open_app
from rumah_perisai.db.encrypted import open_raw
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.services import chain_ranges, chain_sql, receipt_chain
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.paper_receipts import enter_all
from rumah_perisai.services.receipt_chain import ALTERED, ChainReport, verify_chain
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock
from tests.services.paper_world import Restored, as_entered, number
from tests.services.test_paper_receipts import (  # noqa: F401  (fixtures)
    LOST,
    restored,
    sqlite_branch,
)
from tests.services.test_receipt_chain import (  # noqa: F401  (fixtures)
    DELETE_NEWEST,
    Copy,
    _tamper,
    copied,
    five_receipts,
)

SECOND = "RP3209A-2026-000002"


def _both(copy: Copy, clock: FakeClock) -> tuple[ChainReport, ChainReport, ChainReport | None]:
    """What the check says, what the Python walk alone says, and what the fast way found."""
    with open_app(copy.folder, copy.url, clock=clock) as app:
        checked = verify_chain(app.db)
        with app.db.reading() as session:
            connection = session.connection()
            post_id, code = connection.execute(
                text("SELECT id, code FROM posts WHERE is_local")
            ).one()
            walked = receipt_chain._walk(connection, post_id, code)
            fast = receipt_chain._sql_walk(connection, post_id, code)
    return checked, walked, fast


@pytest.fixture
def sqlite_copy(copied: Copy) -> Copy:  # noqa: F811
    if not copied.url.startswith("sqlite"):
        pytest.skip("the fast way is SQLite's; PostgreSQL keeps the Python walk")
    return copied


@pytest.fixture(params=[False, True], ids=["one process", "ranges in processes"])
def split(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Five receipts checked by one process, or cut into chunks of one receipt shared out
    between this process and two of their own (seams between every two receipts)."""
    if request.param:
        monkeypatch.setattr(chain_ranges, "SPLIT_FROM", 1)
        monkeypatch.setattr(chain_ranges, "MIN_CHUNK", 1)
        monkeypatch.setattr(chain_ranges, "MAX_PROCESSES", 3)
        monkeypatch.setattr(receipt_chain.os, "cpu_count", lambda: 3)
    return bool(request.param)


def test_a_whole_chain_is_found_whole_the_fast_way(
    sqlite_copy: Copy, clock: FakeClock, split: bool
) -> None:
    checked, walked, fast = _both(sqlite_copy, clock)
    assert fast is not None, "the fast way should have judged a whole chain"
    assert checked == walked == fast
    assert checked.whole and checked.receipts == 5


OTHER_POST = (
    "INSERT INTO posts (id, code, name, kabupaten_code, desa_code, wadah, timezone, is_local,"
    " is_demo, signing_public_key, key_fingerprint, created_at, change_no)"
    " SELECT 900, 'OTHER01', name, kabupaten_code, desa_code, wadah, timezone, 0, is_demo,"
    " signing_public_key, key_fingerprint, created_at, change_no FROM posts WHERE is_local"
)
# The first month of the second receipt.
_FIRST = f" AND month = (SELECT min(month) FROM receipt_months WHERE receipt_number = '{SECOND}')"
TAMPERED = {
    # A number stored as text (the column's affinity keeps text that is not a number as text).
    "amount as text": f"UPDATE receipts SET total = '168OO' WHERE number = '{SECOND}'",
    "month amount as text": (
        f"UPDATE receipt_months SET jkk = '1OOO' WHERE receipt_number = '{SECOND}'"
        " AND month = (SELECT min(month) FROM receipt_months"
        f" WHERE receipt_number = '{SECOND}')"
    ),
    "refund of 2": f"UPDATE receipts SET refund = 2 WHERE number = '{SECOND}'",
    "text with a NUL": (
        f"UPDATE receipts SET issued_on = issued_on || char(0) WHERE number = '{SECOND}'"
    ),
    "float amount": f"UPDATE receipts SET jkm = jkm + 0.5 WHERE number = '{SECOND}'",
    "a month moved to another receipt": (
        "UPDATE receipt_months SET month = '2031-01-01', receipt_id = (SELECT id FROM receipts"
        f" WHERE number = '{SECOND}') WHERE receipt_number = 'RP3209A-2026-000003'"
        " AND month = (SELECT max(month) FROM receipt_months"
        " WHERE receipt_number = 'RP3209A-2026-000003')"
    ),
    "a month of another post": (
        OTHER_POST,
        "UPDATE receipt_months SET post_id = 900 WHERE receipt_number = 'RP3209A-2026-000002'"
        " AND month = (SELECT max(month) FROM receipt_months"
        " WHERE receipt_number = 'RP3209A-2026-000002')",
    ),
    "receipt deleted at a seam": (
        f"DELETE FROM receipt_months WHERE receipt_number = '{SECOND}'",
        "DELETE FROM cover_periods WHERE receipt_id = (SELECT id FROM receipts"
        f" WHERE number = '{SECOND}')",
        f"DELETE FROM receipts WHERE number = '{SECOND}'",
    ),
    "hash in capitals": f"UPDATE receipts SET hash = upper(hash) WHERE number = '{SECOND}'",
    # Values SQLite's JSON cannot hold (a BLOB stops the statement) or holds with another type
    # than the walk formats: the fast way gives up on each (issue 21, the shared JSON texts).
    "month amount with a fraction": (
        f"UPDATE receipt_months SET jkk = jkk + 0.5 WHERE receipt_number = '{SECOND}'" + _FIRST
    ),
    "month rates as a blob": (
        "UPDATE receipt_months SET rates_version = CAST(rates_version AS BLOB)"
        f" WHERE receipt_number = '{SECOND}'" + _FIRST
    ),
    "month as a number": (
        f"UPDATE receipt_months SET month = 20261001 WHERE receipt_number = '{SECOND}'" + _FIRST
    ),
    "reason as a blob": f"UPDATE receipts SET reason = CAST('x' AS BLOB) WHERE number = '{SECOND}'",
    "moment as a blob": (
        f"UPDATE receipts SET issued_at = CAST(issued_at AS BLOB) WHERE number = '{SECOND}'"
    ),
    # A BLOB that is valid JSONB is read by SQLite's JSON functions as the JSON it holds: the
    # same month or text the walk then reads as bytes. Its hash left as it was, the walk finds
    # the receipt altered; the fast way must not find it whole.
    "month rates as JSONB": (
        "UPDATE receipt_months SET rates_version = jsonb(json_quote(rates_version))"
        f" WHERE receipt_number = '{SECOND}'" + _FIRST
    ),
    "month amount as JSONB": (
        f"UPDATE receipt_months SET jkk = jsonb(jkk) WHERE receipt_number = '{SECOND}'" + _FIRST
    ),
    "month rates with a NUL": (
        "UPDATE receipt_months SET rates_version = rates_version || char(0) || 'x'"
        f" WHERE receipt_number = '{SECOND}'" + _FIRST
    ),
    "first month as JSONB": (
        "UPDATE receipts SET first_month = jsonb(json_quote(first_month))"
        f" WHERE number = '{SECOND}'"
    ),
    "amount as JSONB": f"UPDATE receipts SET jht = jsonb(jht) WHERE number = '{SECOND}'",
    "registration number as a blob": (
        "UPDATE participants SET registration_no = CAST(registration_no AS BLOB)"
        f" WHERE id = (SELECT participant_id FROM receipts WHERE number = '{SECOND}')"
    ),
}


@pytest.mark.parametrize("tampering", list(TAMPERED))
def test_a_tampered_chain_is_judged_by_the_python_walk(
    sqlite_copy: Copy, clock: FakeClock, split: bool, tampering: str
) -> None:
    statements = TAMPERED[tampering]
    _tamper(sqlite_copy, *([statements] if isinstance(statements, str) else statements))
    checked, walked, fast = _both(sqlite_copy, clock)
    assert fast is None, "the fast way must leave a chain it cannot vouch for to the walk"
    assert checked == walked
    assert not checked.whole and checked.number == SECOND


def test_a_refund_flag_of_2_is_left_to_the_walk(sqlite_copy: Copy, clock: FakeClock) -> None:
    """The walk reads a refund flag of 2 as set (bool(2)); the fast way does not guess what it
    means: the flag of a void that was no refund set to 1, back to 0, then to 2, judged each
    time as the walk judges it."""
    refund = "SELECT number FROM receipts WHERE kind = 'void'"
    _tamper(sqlite_copy, f"UPDATE receipts SET refund = 1 WHERE number = ({refund})")
    checked, walked, _fast = _both(sqlite_copy, clock)
    assert checked == walked and checked.problem == ALTERED  # the flag is in the hash
    _tamper(sqlite_copy, f"UPDATE receipts SET refund = 0 WHERE number = ({refund})")
    assert _both(sqlite_copy, clock)[0].whole
    _tamper(sqlite_copy, f"UPDATE receipts SET refund = 2 WHERE number = ({refund})")
    checked, walked, fast = _both(sqlite_copy, clock)
    assert fast is None and checked == walked and checked.problem == ALTERED


def test_a_receipt_of_another_posts_participant_is_caught(
    sqlite_copy: Copy, clock: FakeClock, split: bool
) -> None:
    _tamper(
        sqlite_copy,
        OTHER_POST,
        "UPDATE participants SET post_id = 900 WHERE id = (SELECT participant_id FROM receipts"
        f" WHERE number = '{SECOND}')",
    )
    checked, walked, fast = _both(sqlite_copy, clock)
    assert fast is None
    assert checked == walked and (checked.problem, checked.number) == (ALTERED, SECOND)


def test_the_newest_receipt_removed_is_said_the_same_the_fast_way(
    sqlite_copy: Copy, clock: FakeClock, split: bool
) -> None:
    """The chain walked whole but shorter than the counters say: the same report."""
    _tamper(sqlite_copy, *DELETE_NEWEST)
    checked, walked, _fast = _both(sqlite_copy, clock)
    assert checked == walked and not checked.whole


def test_the_python_walk_is_kept_where_sqlite_cannot_build_the_texts(
    sqlite_copy: Copy, clock: FakeClock
) -> None:
    """A month row whose receipt id is text stops the Python walk with an error: the fast way
    does not run at all there, so it cannot say whole where the walk would not. (Written with
    the foreign keys off, as a raw connection has them.)"""
    raw = open_raw(sqlite_copy.folder)
    raw.execute(
        "UPDATE receipt_months SET receipt_id = 'x' WHERE id = (SELECT max(id) FROM receipt_months)"
    )
    raw.close()
    with (
        open_app(sqlite_copy.folder, sqlite_copy.url, clock=clock) as app,
        app.db.reading() as session,
    ):
        assert not chain_sql.available(session.connection().connection.driver_connection)


def test_chunks_cover_the_chain_once(
    sqlite_copy: Copy, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut into chunks, every receipt is checked in exactly one of them, in number order, the
    first and the last open (whatever sorts before or after the numbers found is in one)."""
    monkeypatch.setattr(chain_ranges, "SPLIT_FROM", 1)
    monkeypatch.setattr(chain_ranges, "MIN_CHUNK", 2)
    with (
        open_app(sqlite_copy.folder, sqlite_copy.url, clock=clock) as app,
        app.db.reading() as session,
    ):
        raw = session.connection().connection.driver_connection
        post_id, code = raw.execute("SELECT id, code FROM posts WHERE is_local").fetchone()
        assert chain_ranges.chunks(raw, post_id, 5, 1) == [(None, None)]
        parts = chain_ranges.chunks(raw, post_id, 5, 3)
        spans = [chain_sql.check_range(raw, post_id, code, lo, hi, []) for lo, hi in parts]
    assert parts == [
        (None, (2026, 3)), ((2026, 3), (2026, 5)), ((2026, 5), (2026, 6)), ((2026, 6), None)
    ]  # fmt: skip
    assert [span.receipts for span in spans if span is not None] == [2, 2, 1, 0]
    joined = chain_sql.join([span for span in spans if span is not None])
    assert joined is not None and joined[0] == 5
    assert chain_sql.join([span for span in reversed(spans) if span is not None]) is None


def test_a_helper_that_fails_leaves_the_verdict_to_the_walk(
    sqlite_copy: Copy, clock: FakeClock, split: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process of its own that ends without answering (here: one that cannot read its
    task) is no "whole": the check still gives the walk's report, whole or not."""
    real = chain_ranges.Helper._send

    def garbled(helper: chain_ranges.Helper, message: object) -> None:
        assert helper.process.stdin is not None
        helper.process.stdin.write(b"not json\n")
        helper.process.stdin.flush()

    monkeypatch.setattr(chain_ranges.Helper, "_send", garbled)
    checked, walked, fast = _both(sqlite_copy, clock)
    assert checked == walked and checked.whole
    assert (fast is None) == split  # without helpers the fast way needs none
    monkeypatch.setattr(chain_ranges.Helper, "_send", real)
    _tamper(sqlite_copy, f"UPDATE receipts SET total = total + 1 WHERE number = '{SECOND}'")
    checked, walked, fast = _both(sqlite_copy, clock)
    assert fast is None and checked == walked and checked.number == SECOND


def test_a_volunteer_the_walk_cannot_name_stops_the_check_as_before(
    sqlite_copy: Copy, clock: FakeClock
) -> None:
    """A volunteer's number stored as text: the Python walk cannot format it and stops; the
    fast way reads the volunteers the same way first, so it stops the same."""
    _tamper(sqlite_copy, "UPDATE volunteers SET number = 'x' || number")
    with (
        open_app(sqlite_copy.folder, sqlite_copy.url, clock=clock) as app,
        pytest.raises(ValueError),
    ):
        verify_chain(app.db)


def test_texts_json_escapes_are_found_whole_the_fast_way(
    five_receipts: App,  # noqa: F811
    add_participant: Callable[..., int],
    volunteer: Actor,
    coordinator: Actor,
    split: bool,
) -> None:
    """A void's reason with quotes, a backslash, a slash and letters beyond ASCII comes to the
    fast way inside SQLite's JSON text and back: the chain is found whole, as the walk finds
    it (what a coordinator types never makes the full check slow or wrong)."""
    app = five_receipts
    start = date(2026, 10, 1)
    history = CoverHistory(Standing.MEMBER, start, date(2027, 1, 31), frozenset())
    who = add_participant(registered_on=start, history=history)
    paid = take_payment(app.db, who, 3, payment_options(app.db, who).plan(3).total, volunteer)
    reason = 'Salah "input" \\ peserta / C:\\x — ñ 名前 \\u0041'
    void_receipt(app.db, paid.receipt_id, reason, coordinator)
    with app.db.reading() as session:
        connection = session.connection()
        post_id, code = connection.execute(text("SELECT id, code FROM posts WHERE is_local")).one()
        stored = connection.execute(text("SELECT reason FROM receipts WHERE kind = 'void'"))
        assert reason in stored.scalars().all()
        fast = receipt_chain._sql_walk(connection, post_id, code)
        walked = receipt_chain._walk(connection, post_id, code)
    assert fast is not None and fast == walked and fast.whole and fast.receipts == 7


def test_few_receipts_look_up_their_participants_one_by_one_alike(
    sqlite_copy: Copy, clock: FakeClock
) -> None:
    """``--quick`` looks up the participants of its few receipts one by one instead of reading
    the post's 200,000: the same texts, and a participant moved to another post is still not
    this post's (the walk's lookup is of the post's participants)."""
    with (
        open_app(sqlite_copy.folder, sqlite_copy.url, clock=clock) as app,
        app.db.reading() as session,
    ):
        raw = session.connection().connection.driver_connection
        post_id, code = raw.execute("SELECT id, code FROM posts WHERE is_local").fetchone()
        all_read = chain_sql.check_range(raw, post_id, code, None, None, [])
        one_by_one = chain_sql.check_range(raw, post_id, code, None, None, [], few=True)
    assert all_read is not None and all_read == one_by_one and all_read.receipts == 5
    _tamper(
        sqlite_copy,
        OTHER_POST,
        "UPDATE participants SET post_id = 900 WHERE id = (SELECT participant_id FROM receipts"
        f" WHERE number = '{SECOND}')",
    )
    with (
        open_app(sqlite_copy.folder, sqlite_copy.url, clock=clock) as app,
        app.db.reading() as session,
    ):
        raw = session.connection().connection.driver_connection
        assert chain_sql.check_range(raw, post_id, code, None, None, [], few=True) is None
        assert chain_sql.check_range(raw, post_id, code, (2026, 3), None, [], few=True)


def test_the_program_keeps_its_large_page_cache_after_a_full_check(
    sqlite_copy: Copy, clock: FakeClock
) -> None:
    """The range read in the program streams through a small page cache, then the connection
    gets back the program's own (the dashboards' repeated reads rely on it)."""
    with open_app(sqlite_copy.folder, sqlite_copy.url, clock=clock) as app:
        with app.db.reading() as session:
            raw = session.connection().connection.driver_connection
            before = raw.execute("PRAGMA cache_size").fetchone()[0]
            assert before != -chain_ranges.STREAM_CACHE_KIB
        assert verify_chain(app.db).whole
        with app.db.reading() as session:
            again = session.connection().connection.driver_connection
            assert again is raw  # the same pooled connection (last in, first out)
            assert raw.execute("PRAGMA cache_size").fetchone()[0] == before


def test_an_explained_gap_is_walked_in_its_place_in_any_chunk(
    restored: Restored,  # noqa: F811
    split: bool,
) -> None:
    """A number lost after a restore (an explained gap) in a chunk of its own, checked by a
    helper or here: the fast way finds it in its place, as the walk does."""
    side, (third, _fourth, fifth) = restored.side, restored.papers
    entered = [as_entered(third), (number(4), LOST), as_entered(fifth)]
    enter_all(side.app.db, entered, side.coordinator)
    with side.app.db.reading() as session:
        connection = session.connection()
        post_id, code = connection.execute(text("SELECT id, code FROM posts WHERE is_local")).one()
        fast = receipt_chain._sql_walk(connection, post_id, code)
        walked = receipt_chain._walk(connection, post_id, code)
    assert fast is not None and fast == walked and fast.whole
    assert [gap.number for gap in fast.gaps] == [number(4)] and fast.receipts == 4
