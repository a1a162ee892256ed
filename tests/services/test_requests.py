"""A person's requests at the post (issue 19): recorded with a gapless number and the rules'
version; withdrawal of consent ends processing (lists, counts, payments) and keeps the NIK
taken; an erasure waits for the day's receipts to be counted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import DataRequest, Participant
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.errors import UserError
from rumah_perisai.services.call_list import call_list
from rumah_perisai.services.cash import close_day, closes, till
from rumah_perisai.services.dashboard import promotion_figures
from rumah_perisai.services.dues import payment_options, receipt_document, take_payment
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.receipt_chain import verify_chain
from rumah_perisai.services.requests import (
    erase,
    record_request,
    requests_of,
    withdraw_consent,
)
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock

DAY = date(2026, 11, 27)


def test_access_copy_correct_are_recorded_as_done_with_gapless_numbers(
    app: App, post: PostSummary, add_participant: Callable[..., int], coordinator: Actor
) -> None:
    pid = add_participant()
    for right in ("access", "copy", "correct"):
        record_request(app.db, pid, right, DAY, "in_person", coordinator, note="di pos")
    with pytest.raises(UserError) as refused:
        record_request(app.db, pid, "copy", date(2026, 11, 28), "letter", coordinator)
    assert refused.value.key == "request_made_on_future"
    with pytest.raises(UserError) as refused:
        record_request(app.db, pid, "copy", DAY, "telegram", coordinator)
    assert refused.value.key == "request_how_unknown"
    rows = requests_of(app.db)
    assert [(r.number, r.kind, r.state) for r in rows] == [
        (1, "access", "done"),
        (2, "copy", "done"),
        (3, "correct", "done"),
    ]
    assert rows[1].outcome == "Salinan datanya sudah diberikan kepada yang bersangkutan."
    assert {r.rules_version for r in rows} == {"pdp-2026-12"}


def test_withdrawal_ends_processing_but_keeps_the_person_recognised(
    app: App,
    post: PostSummary,
    add_participant: Callable[..., int],
    coordinator: Actor,
    volunteer: Actor,
) -> None:
    # Both in arrears (cover ended 30 Sep): both on the call list before.
    ids = [
        add_participant(
            registered_on=date(2026, 6, 10),
            history=CoverHistory(
                Standing.MEMBER, date(2026, 6, 10), date(2026, 9, 30), frozenset()
            ),
            phone="0812000000" + str(i),
        )
        for i in range(2)
    ]
    before = promotion_figures(app.db, DAY)
    assert {r.participant_id for r in call_list(app.db, DAY)} == set(ids)
    with pytest.raises(UserError) as refused:
        withdraw_consent(app.db, ids[0], DAY, "phone", volunteer)
    assert refused.value.key == "coordinator_only"
    withdraw_consent(app.db, ids[0], DAY, "phone", coordinator, reason="tidak ingin lanjut")
    with app.db.reading() as session:
        person = session.get(Participant, ids[0])
        assert person is not None
        assert (person.standing, person.ended_on) == ("ended", DAY)
    assert {r.participant_id for r in call_list(app.db, DAY)} == {ids[1]}
    after = promotion_figures(app.db, DAY)
    assert after.registered_with_promotion == before.registered_with_promotion - 1
    options = payment_options(app.db, ids[0])
    assert options.refusal is not None and "Berhenti atas permintaan" in options.refusal
    with pytest.raises(UserError):
        take_payment(app.db, ids[0], 1, 100_000, coordinator)
    with pytest.raises(UserError) as refused:
        withdraw_consent(app.db, ids[0], DAY, "phone", coordinator)
    assert refused.value.key == "request_already_ended"
    with app.db.reading() as session:
        assert len(session.scalars(select(DataRequest)).all()) == 1


def test_an_erasure_waits_for_the_days_receipts_to_be_counted(
    app: App, post: PostSummary, add_participant: Callable[..., int], coordinator: Actor
) -> None:
    pid = add_participant(
        registered_on=date(2026, 6, 10),
        history=CoverHistory(Standing.MEMBER, date(2026, 6, 10), date(2026, 9, 30), frozenset()),
    )
    take_payment(app.db, pid, 1, 100_000, coordinator)
    with pytest.raises(UserError) as refused:
        erase(app.db, app.folder, pid, DAY, "in_person", coordinator)
    assert refused.value.key == "request_erase_open_receipt"
    assert "tutup kas" in refused.value.message()
    with app.db.reading() as session:
        person = session.get(Participant, pid)
        assert person is not None and person.name == "Peserta 1" and person.erased_at is None
        assert session.scalars(select(DataRequest)).all() == []
    # The day counted, the erasure goes through: the receipt stays, the person shows as erased,
    # and the chain still verifies (it hashes the registration number, never the person).
    today = till(app.db)
    counted = {line.volunteer_key: line.expected for line in today.lines}
    close_day(app.db, today.day, counted, coordinator, through_seq=today.through_seq)
    erase(app.db, app.folder, pid, DAY, "in_person", coordinator)
    (receipt,) = till(app.db, DAY).receipts or closes_receipts(app)
    assert receipt.participant_name == "dihapus atas permintaan"
    doc = receipt_document(app.db, app.folder.keys, 1)
    assert (doc.participant_name, doc.registration_no) == (
        "dihapus atas permintaan",
        "RP3209A-000001",
    )
    assert verify_chain(app.db).whole


def closes_receipts(app: App) -> tuple[Any, ...]:
    from rumah_perisai.services.cash import close_document

    return close_document(app.db, closes(app.db)[0].id).receipts


def test_a_possible_duplicate_who_ended_their_membership_is_said_so(
    app: App, post: PostSummary, coordinator: Actor
) -> None:
    from rumah_perisai.services.registration import PossibleDuplicates, register
    from tests.services.test_registration import make_nik, walk_in

    first = register(app.db, walk_in(), coordinator)
    withdraw_consent(app.db, first.participant_id, DAY, "in_person", coordinator)
    other_nik = make_nik(date(1990, 3, 12), "P", serial=77)
    with pytest.raises(PossibleDuplicates) as warned:
        register(app.db, walk_in(nik=other_nik), coordinator)
    (candidate,) = warned.value.candidates
    assert candidate.name == "Siti Aminah (Berhenti atas permintaan)"


def test_an_erasure_waits_for_an_earlier_day_left_unclosed_too(
    app: App,
    post: PostSummary,
    add_participant: Callable[..., int],
    coordinator: Actor,
    clock: FakeClock,
) -> None:
    """Yesterday's till was never counted: the person's receipt of yesterday still has to show
    them as they paid, so the erasure waits for that close too."""
    pid = add_participant(
        registered_on=date(2026, 6, 10),
        history=CoverHistory(Standing.MEMBER, date(2026, 6, 10), date(2026, 9, 30), frozenset()),
    )
    take_payment(app.db, pid, 1, 100_000, coordinator)
    clock.advance(days=1)
    with pytest.raises(UserError) as refused:
        erase(app.db, app.folder, pid, DAY + timedelta(days=1), "in_person", coordinator)
    assert refused.value.key == "request_erase_open_receipt"
    with app.db.reading() as session:
        assert session.scalars(select(DataRequest)).all() == []
