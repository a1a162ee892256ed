"""A committed operation announces the topics of the tables it wrote; nothing else announces.

Real databases (the SQLite file and PostgreSQL), real services: the notices are what the
window's views listen to, so a missed or a false one is a stale or a needlessly busy window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy import insert, select, update

from rumah_perisai import changes
from rumah_perisai.app import App
from rumah_perisai.db.models import Participant, Setting
from rumah_perisai.db.uow import begin_operation
from rumah_perisai.errors import UserError
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.settings import RECEIPT_LAYOUT, get_setting, set_setting
from rumah_perisai.services.volunteers import Actor


@pytest.fixture
def heard() -> Iterator[list[frozenset[str]]]:
    """Every announcement made while the test runs, in order."""
    announcements: list[frozenset[str]] = []
    stop = changes.subscribe(announcements.append)
    yield announcements
    stop()


def test_a_committed_operation_announces_the_topics_of_the_tables_it_wrote(
    app: App, post: PostSummary, coordinator: Actor, heard: list[frozenset[str]]
) -> None:
    set_setting(app.db, RECEIPT_LAYOUT, "thermal58", coordinator)
    assert heard == [frozenset({changes.SETTINGS})]


def test_orm_flushes_and_core_statements_are_both_counted(
    app: App,
    post: PostSummary,
    add_participant: Callable[..., int],
    heard: list[frozenset[str]],
) -> None:
    # The fixture flushes a participant and its cover period through the ORM.
    participant_id = add_participant(registered_on=date(2026, 2, 1))
    assert heard == [frozenset({changes.PARTICIPANTS})]
    with app.db.unit_of_work("cli:test") as session:  # a Core UPDATE, and a Core INSERT
        session.execute(
            update(Participant).where(Participant.id == participant_id).values(phone="0812")
        )
        number = begin_operation(session)
        session.connection().execute(
            insert(Setting).values(key="k", value_json="1", change_no=number)
        )
    assert heard[-1] == frozenset({changes.PARTICIPANTS, changes.SETTINGS})


def test_a_refused_or_failed_operation_announces_nothing(
    app: App, post: PostSummary, volunteer: Actor, heard: list[frozenset[str]]
) -> None:
    with pytest.raises(UserError):  # only coordinators change settings: refused up front
        set_setting(app.db, RECEIPT_LAYOUT, "thermal58", volunteer)
    with pytest.raises(RuntimeError), app.db.unit_of_work("cli:test") as session:
        session.add(Setting(key="x", value_json="1"))
        session.flush()  # written, then rolled back
        raise RuntimeError("power cut")
    assert heard == []
    with app.db.unit_of_work("cli:test") as session:  # the next one is counted afresh
        session.add(Setting(key="y", value_json="1"))
    assert heard == [frozenset({changes.SETTINGS})]


def test_a_read_or_an_operation_that_wrote_nothing_announces_nothing(
    app: App, post: PostSummary, heard: list[frozenset[str]]
) -> None:
    assert get_setting(app.db, RECEIPT_LAYOUT)
    with app.db.reading() as session:
        session.scalars(select(Participant)).all()
    with app.db.unit_of_work("cli:test") as session:
        session.scalars(select(Setting)).all()
    assert heard == []


def test_explicit_announcements_name_known_topics_only(heard: list[frozenset[str]]) -> None:
    changes.announce(changes.BACKUPS)
    assert heard == [frozenset({changes.BACKUPS})]
    with pytest.raises(ValueError, match="unknown change topics"):
        changes.announce("everything")


def test_a_failing_listener_does_not_stop_the_others(
    app: App, post: PostSummary, coordinator: Actor, heard: list[frozenset[str]]
) -> None:
    def broken(_topics: frozenset[str]) -> None:
        raise RuntimeError("a view's bug")

    stop = changes.subscribe(broken)
    try:
        set_setting(app.db, RECEIPT_LAYOUT, "thermal58", coordinator)
    finally:
        stop()
    assert heard == [frozenset({changes.SETTINGS})]
    assert get_setting(app.db, RECEIPT_LAYOUT) == "thermal58"
