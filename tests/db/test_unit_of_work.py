"""Every change is numbered, audited with who made it, and refused when the clock went back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import AuditEntry, Counter, Post, Setting
from rumah_perisai.db.uow import next_number
from rumah_perisai.errors import UserError
from rumah_perisai.services.posts import PostSummary


def _audit(app: App) -> list[AuditEntry]:
    with app.db.reading() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_setting_up_a_post_is_audited_with_who_and_what(app: App, post: PostSummary) -> None:
    (entry,) = _audit(app)
    assert (entry.actor, entry.action, entry.entity, entry.entity_key) == (
        "cli:test",
        "create",
        "posts",
        "RP3209A",
    )
    assert entry.origin == "local"
    assert entry.at == datetime(2026, 11, 27, 2, 30, tzinfo=UTC)
    recorded = json.loads(entry.changes_json)
    assert recorded["name"] == "Rumah Perisai Suranenggala"
    assert recorded["kabupaten_code"] == "32.09"


def test_each_operation_gets_the_next_change_number_shared_by_its_records(
    app: App, post: PostSummary
) -> None:
    with app.db.unit_of_work("volunteer:test") as session:
        session.add(Setting(key="receipt.layout", value_json='"a5"'))
        session.add(Setting(key="card.offset_mm", value_json="[0, 0]"))
    with app.db.unit_of_work("volunteer:test") as session:
        session.get_one(Setting, "receipt.layout").value_json = '"thermal58"'
    with app.db.reading() as session:
        numbers = {s.key: s.change_no for s in session.scalars(select(Setting))}
        post_change = session.scalars(select(Post.change_no)).one()
    assert post_change == 1
    assert numbers == {"receipt.layout": 3, "card.offset_mm": 2}
    update = _audit(app)[-1]
    assert update.action == "update"
    assert json.loads(update.changes_json) == {"value_json": ['"a5"', '"thermal58"']}


def test_a_failed_operation_leaves_no_record_no_audit_and_no_gap(
    app: App, post: PostSummary
) -> None:
    with pytest.raises(RuntimeError), app.db.unit_of_work("volunteer:test") as session:
        session.add(Setting(key="x", value_json="1"))
        session.flush()
        raise RuntimeError("power cut")
    with app.db.unit_of_work("volunteer:test") as session:
        session.add(Setting(key="y", value_json="1"))
    with app.db.reading() as session:
        assert [s.key for s in session.scalars(select(Setting))] == ["y"]
        assert session.get_one(Setting, "y").change_no == 2
    assert [e.entity_key for e in _audit(app)] == ["RP3209A", "y"]


def test_records_are_never_deleted(app: App, post: PostSummary) -> None:
    with pytest.raises(RuntimeError, match="never deleted"), app.db.unit_of_work("x") as session:
        session.delete(session.scalars(select(Post)).one())
    with app.db.reading() as session:
        assert session.scalars(select(Post.code)).all() == ["RP3209A"]


def test_reading_cannot_write(app: App, post: PostSummary) -> None:
    with pytest.raises(RuntimeError, match="read-only"), app.db.reading() as session:
        session.add(Setting(key="sneaky", value_json="1"))
        session.flush()


def test_a_clock_earlier_than_the_newest_record_refuses_and_changes_nothing(
    app: App, post: PostSummary, clock: Any
) -> None:
    clock.advance(days=-3)  # the CMOS battery died: the laptop thinks it is three days ago
    with pytest.raises(UserError) as refused, app.db.unit_of_work("volunteer:test") as session:
        session.add(Setting(key="receipt.layout", value_json='"a5"'))
    assert refused.value.key == "clock_behind"
    assert "2026-11-27 02:30 UTC" in refused.value.message()
    with app.db.reading() as session:
        assert session.scalars(select(Setting)).all() == []
    clock.advance(days=3, minutes=1)  # corrected
    with app.db.unit_of_work("volunteer:test") as session:
        session.add(Setting(key="receipt.layout", value_json='"a5"'))
    assert [e.entity_key for e in _audit(app)] == ["RP3209A", "receipt.layout"]


def test_imported_records_do_not_count_for_the_clock(app: App, clock: Any) -> None:
    """At the branch, a post's records carry the post's times; only local work sets the floor."""
    from rumah_perisai.db.uow import Database

    importer = Database(
        app.db.engine, clock=lambda: datetime(2030, 1, 1, tzinfo=UTC), origin="import"
    )
    with importer.unit_of_work("import:batch") as session:
        session.add(Setting(key="imported", value_json="1"))
    with app.db.unit_of_work("volunteer:test") as session:
        session.add(Setting(key="local", value_json="1"))
    assert [e.origin for e in _audit(app)] == ["import", "local"]


def test_gapless_counters_count_per_scope(app: App, post: PostSummary) -> None:
    with app.db.unit_of_work("x") as session:
        first = [next_number(session, "RP3209A", "receipt:2026") for _ in range(3)]
        other = next_number(session, "RP3209A", "receipt:2027")
    assert (first, other) == ([1, 2, 3], 1)
    with app.db.reading() as session:
        values = {c.name: c.value for c in session.scalars(select(Counter))}
    assert values["receipt:2026"] == 3
