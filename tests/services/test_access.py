"""Who looked (issue 19, item 2): opening a participant, printing their card or receipt and
exporting a list that holds them each leave one record of who, when and what, with nothing of
the person but their id; only a coordinator reads them, per participant or per volunteer."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from rumah_perisai.app import App, open_app
from rumah_perisai.db.models import AccessRecord, AccessSubject
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.errors import UserError
from rumah_perisai.printing.cards import prepare_cards
from rumah_perisai.services.access import (
    Doc,
    Look,
    access_history,
    accesses_of,
    flush_looks,
    record_access,
    record_receipt_print,
)
from rumah_perisai.services.cards import record_cards
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.participant_view import participant_detail, view_participant
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock

TODAY = date(2026, 11, 27)
# A person whose every personal field is unmistakable, to look for it where it must not be.
NAME, NIK, PHONE = "Zulaikha Kembangsari", "3209144509870077", "081299887766"


def _rows(app: App) -> list[tuple[object, ...]]:
    """Every column of every access record and subject, as stored."""
    flush_looks(app.db)
    with app.db.reading() as session:
        records = [
            tuple(getattr(r, c.key) for c in AccessRecord.__table__.columns)
            for r in session.scalars(select(AccessRecord).order_by(AccessRecord.id))
        ]
        subjects = [(s.access_id, s.participant_id) for s in session.scalars(select(AccessSubject))]
    return records + subjects


def _zulaikha(add_participant: Callable[..., int]) -> int:
    return add_participant(name=NAME, nik=NIK, phone=PHONE, heir_name="Kembangsari Ayu")


def test_opening_a_participant_records_one_look_with_no_personal_data(
    app: App, volunteer: Actor, add_participant: Callable[..., int]
) -> None:
    zulaikha = _zulaikha(add_participant)
    detail = view_participant(app.db, zulaikha, TODAY, volunteer)
    assert detail.name == NAME
    participant_detail(app.db, zulaikha, TODAY)  # shown again after a notice: not a new look
    (look,) = accesses_of(app.db, zulaikha)
    assert (look.action, look.what, look.subjects) == ("view", "participant-window", 1)
    assert look.volunteer == "Ujang Hidayat" and look.actor == volunteer.label
    stored = repr(_rows(app))
    for personal in (NAME, NIK, PHONE, "Kembangsari", NIK[-6:], PHONE[-6:]):
        assert personal not in stored


def test_a_look_is_recorded_with_the_clock_behind_the_newest_record(
    app: App, volunteer: Actor, add_participant: Callable[..., int], clock: FakeClock
) -> None:
    """The clock rule refuses changes, never a look: the tables take no change number."""
    zulaikha = _zulaikha(add_participant)
    clock.advance(hours=-3)  # earlier than the participant's own record
    with pytest.raises(UserError) as refused:
        take_payment(app.db, zulaikha, 1, 1, volunteer)
    assert refused.value.key == "clock_behind"
    view_participant(app.db, zulaikha, TODAY, volunteer)
    (look,) = accesses_of(app.db, zulaikha)
    assert look.at == clock.now


def test_a_card_batch_is_one_look_listing_all_its_participants(
    app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    people = [add_participant() for _ in range(3)]
    record_cards(app.db, prepare_cards(app.db, app.folder, people), coordinator)
    with app.db.reading() as session:
        (record,) = session.scalars(select(AccessRecord))
        shown = set(session.scalars(select(AccessSubject.participant_id)))
    assert (record.action, record.what, record.subjects) == ("card", "card-pdf", 3)
    assert shown == set(people)


def test_a_card_not_recorded_leaves_no_look(
    app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    """Drawn twice, the older drawing is refused when recorded: its look goes with it."""
    people = [add_participant()]
    older = prepare_cards(app.db, app.folder, people)
    record_cards(app.db, prepare_cards(app.db, app.folder, people), coordinator)
    with pytest.raises(UserError):
        record_cards(app.db, older, coordinator)
    assert len(accesses_of(app.db, people[0])) == 1


def test_a_receipt_printed_is_a_look_at_its_payer(
    app: App, volunteer: Actor, add_participant: Callable[..., int]
) -> None:
    start = date(2026, 10, 1)
    who = add_participant(
        registered_on=start,
        history=CoverHistory(Standing.MEMBER, start, date(2027, 1, 31), frozenset()),
    )
    total = payment_options(app.db, who).plan(1).total
    receipt = take_payment(app.db, who, 1, total, volunteer).receipt_id
    assert accesses_of(app.db, who) == []  # paying is not looking; printing is
    record_receipt_print(app.db, volunteer, receipt)
    (look,) = accesses_of(app.db, who)
    assert (look.action, look.what) == ("receipt", "receipt-pdf")


def test_a_coordinator_reads_the_looks_per_participant_and_per_volunteer(
    app: App,
    coordinator: Actor,
    volunteer: Actor,
    add_participant: Callable[..., int],
    clock: FakeClock,
) -> None:
    one, two, three = (add_participant() for _ in range(3))
    view_participant(app.db, one, TODAY, volunteer)
    clock.advance(days=2)
    record_access(app.db, volunteer, Look.LIST, [one, two, three], Doc.CALL_LIST_XLSX)
    view_participant(app.db, two, TODAY, coordinator)
    by_ujang = access_history(app.db, coordinator, volunteer_id=volunteer.volunteer_id)
    assert [(r.action, r.subjects) for r in by_ujang] == [("list", 3), ("view", 1)]
    assert by_ujang[0].registration_nos == (
        "RP3209A-000001",
        "RP3209A-000002",
        "RP3209A-000003",
    )
    at_one = access_history(app.db, coordinator, participant_id=one)
    assert [(r.action, r.volunteer) for r in at_one] == [
        ("list", "Ujang Hidayat"),
        ("view", "Ujang Hidayat"),
    ]
    # The post's days (WIB): 27 Nov 09:30 is the first look, 29 Nov the two others.
    only_first = access_history(
        app.db, coordinator, participant_id=one, first=date(2026, 11, 27), last=date(2026, 11, 28)
    )
    assert [r.action for r in only_first] == ["view"]
    assert only_first[0].at == datetime(2026, 11, 27, 2, 30, tzinfo=UTC)


def test_only_a_coordinator_reads_the_looks_and_dates_must_be_in_order(
    app: App, coordinator: Actor, volunteer: Actor, add_participant: Callable[..., int]
) -> None:
    one = add_participant()
    view_participant(app.db, one, TODAY, volunteer)
    with pytest.raises(UserError) as refused:
        access_history(app.db, volunteer, participant_id=one)
    assert refused.value.key == "coordinator_only"
    with pytest.raises(UserError) as reversed_days:
        access_history(app.db, coordinator, participant_id=one, first=TODAY, last=date(2026, 11, 1))
    assert reversed_days.value.key == "access_dates_reversed"
    access_history(app.db, coordinator, participant_id=one)
    assert len(accesses_of(app.db, one)) == 1  # reading the looks is not itself a look


def test_opening_does_not_wait_for_a_writer_and_a_normal_close_keeps_the_look(
    app: App, volunteer: Actor, add_participant: Callable[..., int], clock: FakeClock
) -> None:
    """The view's look is queued and committed off the caller's thread: while another
    operation holds the database for writing, the participant still opens at once; the look
    is written once it can be, and closing the program writes whatever is still queued."""
    zulaikha = _zulaikha(add_participant)
    with app.db.unit_of_work("cli:test") as session:
        session.connection()  # the write lock taken (SQLite: BEGIN IMMEDIATE)
        started = time.perf_counter()
        view_participant(app.db, zulaikha, TODAY, volunteer)
        waited = time.perf_counter() - started
    assert waited < 0.5  # the busy timeout is seconds: the view did not queue behind it
    url = app.db.engine.url.render_as_string(hide_password=False)
    view_participant(app.db, zulaikha, TODAY, volunteer)
    app.close()  # a normal close: the queue is written before the database closes
    again = open_app(app.folder, url, clock=clock)
    try:
        assert [look.action for look in accesses_of(again.db, zulaikha)] == ["view", "view"]
    finally:
        again.close()
