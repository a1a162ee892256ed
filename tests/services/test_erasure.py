"""A person's erasure at the post (issue 19): what goes, what stays, what is refused, and that
erased data does not come back (the database file, a restore, the list kept apart)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import AuditEntry, CallOutcome, DataRequest, Erasure, Participant
from rumah_perisai.errors import UserError
from rumah_perisai.services.call_list import record_call
from rumah_perisai.services.erasure_cleanup import list_path, read_list
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.requests import erase, participant_id_of, requests_of
from rumah_perisai.services.volunteers import Actor

DAY = date(2026, 11, 27)


def _erase(app: App, coordinator: Actor, regno: str) -> None:
    erase(app.db, app.folder, participant_id_of(app.db, regno), DAY, "in_person", coordinator)


def test_erasure_empties_the_person_and_keeps_the_registration(
    app: App, post: PostSummary, add_participant: Callable[..., int], coordinator: Actor
) -> None:
    pid = add_participant(name="Siti Rahmawati", phone="081234567890", heir_name="Budi Santoso")
    record_call(app.db, pid, "reached", coordinator, note="Siti minta ditelepon sore")
    _erase(app, coordinator, "RP3209A-000001")
    with app.db.reading() as session:
        person = session.get(Participant, pid)
        assert person is not None
        assert (person.name, person.phone, person.heir_name, person.street) == ("", None, None, "")
        assert person.nik == "X000000000000001"
        assert person.birth_date == date(1990, 1, 1)  # the year kept
        assert person.registration_no == "RP3209A-000001" and person.standing == "ended"
        assert person.nik_keyed and len(person.nik_keyed) == 64
        log = " ".join(session.scalars(select(AuditEntry.changes_json)))
        assert "Siti" not in log and "081234567890" not in log and "3209140101900001" not in log
        assert all(c.note is None for c in session.scalars(select(CallOutcome)))
        erasure = session.scalars(select(Erasure)).one()
        request = session.scalars(select(DataRequest)).one()
    assert erasure.request_key == request.natural_key() == "RP3209A-REQ1"
    assert (request.kind, request.state, request.rules_version) == ("erase", "done", "pdp-2026-12")
    listed = read_list(app.folder)
    assert list(listed) == ["RP3209A-000001"]
    assert listed["RP3209A-000001"].nik_keyed == erasure.nik_keyed
    assert "Siti" not in list_path(app.folder).read_text()
    assert [r.kind for r in requests_of(app.db, "RP3209A-000001")] == ["erase"]


def test_a_second_erasure_a_stranger_and_a_volunteer_are_refused(
    app: App,
    post: PostSummary,
    add_participant: Callable[..., int],
    coordinator: Actor,
    volunteer: Actor,
) -> None:
    pid = add_participant()
    with pytest.raises(UserError) as refused:
        erase(app.db, app.folder, pid, DAY, "in_person", volunteer)
    assert refused.value.key == "coordinator_only"
    with pytest.raises(UserError) as refused:
        participant_id_of(app.db, "RP3209A-000099")
    assert refused.value.key == "participant_missing"
    _erase(app, coordinator, "RP3209A-000001")
    with pytest.raises(UserError) as refused:
        _erase(app, coordinator, "RP3209A-000001")
    assert refused.value.key == "request_already_erased"
    with app.db.reading() as session:
        assert len(session.scalars(select(DataRequest)).all()) == 1
