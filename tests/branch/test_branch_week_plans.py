"""A week at the branch (issue 21, third round): the time check of a batch reads only its post's
previous import's history, however much history the branch holds — at a branch of 2 million
participants it walked every entry imported since (35 ms a batch, the most of what made a week
grow with the branch). On PostgreSQL, whose plan it was."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy import event, func, select

from rumah_perisai.app import App
from rumah_perisai.branch.checks import time_window
from rumah_perisai.db.models import AuditEntry
from tests.branch.branch_world import branch_url, make_branch  # branch_url: a fixture

IMPORTS = 200  # a week's imports, each bringing 450 entries, their times rising with them
EARLIER = 200_000  # entries imported long before (the branch's older history)


def _history(branch: App) -> None:
    """The branch's history: the week's imports' entries, and older ones (change 1, earlier
    times) written after them, as the bench's filler is (the plan depends on the order)."""
    entry = (
        "INSERT INTO audit_log (change_no, at, origin, actor, action, entity, entity_id,"
        " entity_key, changes_json) SELECT {change}, {at}, 'import', 'RP/v', 'create',"
        " 'receipts', k::text, k::text, '{{}}' FROM {rows}"
    )
    with branch.db.engine.begin() as connection:
        connection.exec_driver_sql(
            entry.format(change="c", rows=f"generate_series(2, {IMPORTS + 1}) c,"
                         " generate_series(1, 450) k",
                         at="timestamp '2026-06-01' + (c * 1000 + k) * interval '1 second'")
        )  # fmt: skip
        connection.exec_driver_sql(
            entry.format(change="1", at="timestamp '2025-01-01' + k * interval '1 second'",
                         rows=f"generate_series(1, {EARLIER}) k")
        )  # fmt: skip
        connection.exec_driver_sql("ANALYZE audit_log")  # as autovacuum leaves a branch


def test_the_time_check_reads_only_the_previous_imports_history(
    tmp_path: Path, branch_url: str, clock: Any
) -> None:
    if not branch_url.startswith("postgresql"):
        pytest.skip("the plan in question is PostgreSQL's")  # before a branch is made for it
    branch = make_branch(tmp_path / "branch", branch_url, clock)
    try:
        _earliest_read_by_its_import(branch)
    finally:
        branch.close()


def _earliest_read_by_its_import(branch: App) -> None:
    _history(branch)
    change = 10  # the post's previous batch: an import early in the week
    created = json.dumps({"created_at": "2026-06-01T00:00:00Z"})
    previous = SimpleNamespace(seq=1, change_no=change, manifest_json=created)
    sealed = SimpleNamespace(seq=2, post_code="RP3209A",
                             manifest={"created_at": "2026-07-01T00:00:00Z"})  # fmt: skip
    sent: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if "audit_log" in statement:
            sent.append((statement, parameters))

    event.listen(branch.db.engine, "before_cursor_execute", note)
    try:
        with branch.db.reading() as session:
            window = time_window(session, cast(Any, sealed), {1: cast(Any, previous)}, "b.rpb")
    finally:
        event.remove(branch.db.engine, "before_cursor_execute", note)
    with branch.db.reading() as session:
        newest = session.scalar(
            select(func.max(AuditEntry.at)).where(AuditEntry.change_no == change)
        )
    # The bound is still the newest moment that import brought.
    assert window.earliest == newest
    assert newest is not None and newest.astimezone(UTC) > datetime(2026, 6, 1, tzinfo=UTC)
    # Read from that import's ~450 entries: a few dozen pages, not the ~86,000 entries imported
    # since (the walk down the (origin, at) index read ~1,600 pages here).
    (statement, parameters), = sent  # fmt: skip
    with branch.db.engine.connect() as connection:
        plan = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement}", parameters
        ).scalar_one()
    top = plan[0]["Plan"]
    assert top["Shared Hit Blocks"] + top["Shared Read Blocks"] < 100
