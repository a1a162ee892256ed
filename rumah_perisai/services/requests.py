"""A person's requests about their own data, recorded by a coordinator (UU PDP 27/2022;
docs/personal-data.md): to see it (``access``), take a copy (``copy``), correct it
(``correct``), withdraw consent (``withdraw``) or be erased (``erase``).

Each request that is carried out becomes a ``DataRequest`` numbered without gaps per post, with
the version of the personal-data rules in force on the day it was made; it travels to the
branch in the next batch. A refusal (a person the post does not hold, a second erasure, an
erasure while a receipt of today is not yet in a daily close, a volunteer asking) is one line
and changes nothing: it is not recorded.

* ``access``/``copy``/``correct`` are recorded as done: the report and the correction form are
  elsewhere (``participant report``, the registration form).
* ``withdraw`` ends processing: the participant's standing becomes ``ended`` (every list, call
  list and count reads members only), no payment is taken, and the NIK stays taken.
* ``erase`` does, in one unit of work, what ``services.erasure`` says to the participant's row,
  the audit log and the call notes, adds the erasure list's entry, and then writes the list kept
  apart from the data (``services.erasure_cleanup``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import (
    CallOutcome,
    CardIssue,
    DailyClose,
    DataRequest,
    Erasure,
    Participant,
    Post,
    Receipt,
)
from rumah_perisai.db.uow import Database, next_number, operation_time
from rumah_perisai.domain.coverage import Standing
from rumah_perisai.domain.personal_data import personal_data_rules
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, speaking, tr
from rumah_perisai.services import erasure
from rumah_perisai.services.posts import the_post
from rumah_perisai.services.volunteers import Actor, require_coordinator

log = logging.getLogger(__name__)

KINDS = ("access", "copy", "correct", "withdraw", "erase")
RECORDED_ONLY = ("access", "copy", "correct")
HOWS = ("in_person", "letter", "phone", "message", "other")
REQUEST_COUNTER = "data_request"
MAX_NOTE = 200

# What was done, stored (in Indonesian, the language the branch and the person read) as the
# request's one-line outcome.
OUTCOMES = {
    "access": N_("Their data and the record of its processing were shown to them."),
    "copy": N_("A copy of their data was given to them."),
    "correct": N_("Their data was corrected on the registration form."),
    "withdraw": N_("Consent withdrawn: membership ended, their data is no longer processed."),
    "erase": N_("Erased: name, NIK, address, phone, heir and birth place removed."),
}
# The note of an erasure recorded again when the post was put back from before it.
AGAIN_NOTE = N_("Recorded again from the erasure list after the post was restored.")
KIND_LABELS = {
    "access": N_("see their data"),
    "copy": N_("a copy of their data"),
    "correct": N_("correct their data"),
    "withdraw": N_("withdraw consent"),
    "erase": N_("erase their data"),
}
HOW_LABELS = {
    "in_person": N_("in person"),
    "letter": N_("by letter"),
    "phone": N_("by phone"),
    "message": N_("by message"),
    "other": N_("another way"),
}


@dataclass(frozen=True)
class RequestDone:
    """A request carried out: its number and key, whose, and what was done."""

    number: int
    key: str
    participant_id: int
    registration_no: str
    kind: str
    made_on: date
    outcome: str
    rules_version: str


@dataclass(frozen=True)
class RequestRow:
    number: int
    key: str
    registration_no: str
    kind: str
    made_on: date
    made_how: str
    note: str | None
    state: str
    outcome: str | None
    recorded_at: datetime
    rules_version: str
    branch_done_at: datetime | None


def participant_id_of(db: Database, registration_no: str) -> int:
    """The id of this post's participant ``registration_no``, or the one-line refusal."""
    with db.reading() as session:
        post = the_post(session)
        found = session.scalar(
            select(Participant.id).where(
                Participant.post_id == post.id,
                Participant.registration_no == registration_no.strip().upper(),
            )
        )
    if found is None:
        raise UserError("participant_missing", ref=registration_no.strip())
    return int(found)


def record_request(
    db: Database,
    participant_id: int,
    kind: str,
    made_on: date,
    how: str,
    actor: Actor,
    note: str = "",
) -> RequestDone:
    """Record a request to see, copy or correct one's data (done elsewhere) as done."""
    if kind not in RECORDED_ONLY:
        raise UserError("request_kind_unknown", kind=kind)
    tidy = _check(actor, how, note)
    with db.unit_of_work(actor.label) as session:
        post, participant, _today = _subject(session, participant_id, made_on)
        return _record(session, post, participant, kind, made_on, how, tidy, actor)


def withdraw_consent(
    db: Database, participant_id: int, made_on: date, how: str, actor: Actor, reason: str = ""
) -> RequestDone:
    """Consent withdrawn (UU PDP Art. 8-9): membership ends with a standing of its own
    (``ended``, not ``withdrawn``, which frees the NIK), on the post's day."""
    tidy = _check(actor, how, reason)
    with db.unit_of_work(actor.label) as session:
        post, participant, today = _subject(session, participant_id, made_on)
        _refuse_erased(participant)
        if participant.standing == Standing.ENDED.value:
            raise UserError("request_already_ended", registration_no=participant.registration_no)
        if participant.standing != Standing.MEMBER.value:
            raise UserError("request_not_member", registration_no=participant.registration_no)
        participant.standing = Standing.ENDED.value
        participant.ended_on = today
        participant.standing_reason = tidy or _in_indonesian(
            N_("Consent withdrawn at the person's request.")
        )
        return _record(session, post, participant, "withdraw", made_on, how, tidy, actor)


def erase(
    db: Database, folder: DataFolder, participant_id: int, made_on: date, how: str, actor: Actor
) -> RequestDone:
    """Erase a participant at their request, in one unit of work (see the module), then write
    the erasure list kept apart from the data and let SQLite forget the old pages."""
    from rumah_perisai.services.erasure_cleanup import after_erasure

    _check(actor, how, "")
    key = erasure.post_erasure_key(folder.keys)  # read before the write lock is taken
    with db.unit_of_work(actor.label) as session:
        post, participant, today = _subject(session, participant_id, made_on)
        _refuse_erased(participant)
        _refuse_open_receipt(session, post, participant)
        done = erase_in(session, post, participant, key, made_on, how, actor)
    after_erasure(db, folder)
    return done


def erase_in(
    session: Session,
    post: Post,
    participant: Participant,
    key: bytes,
    made_on: date,
    how: str | None,
    actor: Actor,
) -> RequestDone:
    """The erasure inside the caller's unit of work; ``how`` None: applied again from the
    erasure list (after a restore), with no new request."""
    rules = personal_data_rules(made_on)
    erasure.forget_on_disk(session)
    now = operation_time(session)
    reason = _in_indonesian(N_("Erased at the person's request."))
    nik_kept = erasure.erase_participant_row(
        participant, key=key, rules=rules, at=now, day=local_date(now, post.timezone), reason=reason
    )
    erasure.forget_call_notes(session, participant.id)
    # The row's and the notes' own audit entries (old and new values) are written by this
    # flush; only then can they be scrubbed too.
    session.flush()
    erasure.scrub_audit(session, [str(participant.id)], rules, participant.registration_no)
    _scrub_call_audit(session, participant.id)
    _forget_typed_text(session, participant.id)
    if how is None:  # applied again: the list's entry may be in the database already
        request = session.scalars(
            select(DataRequest).where(
                DataRequest.participant_id == participant.id, DataRequest.kind == "erase"
            )
        ).first()
        if request is None:
            # Put back from before the erasure: the request is recorded again, so the emptied
            # row travels to the branch with the request it needs (and the post can show it
            # honoured one, UU PDP Pasal 47).
            request_key = _record(session, post, participant, "erase", made_on, "other",
                                  _in_indonesian(AGAIN_NOTE), actor).key  # fmt: skip
        else:
            request_key = request.natural_key()
        if session.get(Erasure, participant.registration_no) is None:
            erasure.record_erasure(session, participant, nik_kept, now, request_key)
        return _done(participant, "erase", made_on, "", rules.version, 0, post.code)
    done = _record(session, post, participant, "erase", made_on, how, None, actor)
    erasure.record_erasure(session, participant, nik_kept, now, done.key)
    return done


def _forget_typed_text(session: Session, participant_id: int) -> None:
    """Notes typed on the person's requests and card reissues may name them (a relative, a
    phone): emptied, with the audit log's copies. A void's reason stays: it is part of the
    receipt the chain hashes and the rules keep."""
    requests = list(
        session.scalars(select(DataRequest).where(DataRequest.participant_id == participant_id))
    )
    cards = list(
        session.scalars(select(CardIssue).where(CardIssue.participant_id == participant_id))
    )
    for request in requests:
        request.note = None
    for card in cards:
        card.reason_note = None
    session.flush()
    erasure.scrub_audit_column(
        session, DataRequest.__tablename__, [str(r.id) for r in requests], "note"
    )
    erasure.scrub_audit_column(
        session, CardIssue.__tablename__, [str(c.id) for c in cards], "reason_note"
    )


def _scrub_call_audit(session: Session, participant_id: int) -> None:
    """The audit log's copies of the participant's call notes (free text about them)."""
    ids = [
        str(i)
        for i in session.scalars(
            select(CallOutcome.id).where(CallOutcome.participant_id == participant_id)
        )
    ]
    if ids:
        erasure.scrub_audit_column(session, CallOutcome.__tablename__, ids, "note")


def requests_of(db: Database, registration_no: str | None = None) -> list[RequestRow]:
    """The post's requests, oldest first; only one participant's with ``registration_no``
    (refused in one line when the post does not hold them)."""
    if registration_no is not None:
        participant_id_of(db, registration_no)
    with db.reading() as session:
        post = the_post(session)
        query = (
            select(DataRequest, Participant.registration_no)
            .join(Participant, Participant.id == DataRequest.participant_id)
            .where(DataRequest.post_id == post.id)
            .order_by(DataRequest.number)
        )
        if registration_no is not None:
            query = query.where(Participant.registration_no == registration_no.strip().upper())
        return [_row(request, number) for request, number in session.execute(query)]


def _row(request: DataRequest, registration_no: str) -> RequestRow:
    return RequestRow(
        number=request.number,
        key=request.natural_key(),
        registration_no=registration_no,
        kind=request.kind,
        made_on=request.made_on,
        made_how=request.made_how,
        note=request.note,
        state=request.state,
        outcome=request.outcome,
        recorded_at=request.recorded_at,
        rules_version=request.rules_version,
        branch_done_at=request.branch_done_at,
    )


# --- checks -------------------------------------------------------------------------------------


def _check(actor: Actor, how: str, note: str) -> str:
    """What every request checks before anything is read: who asks, how it was made, the note
    (one line; the window says it must not hold personal data)."""
    require_coordinator(actor)
    if how not in HOWS:
        raise UserError("request_how_unknown", how=how, hows=", ".join(HOWS))
    tidy = " ".join(note.split())
    if len(tidy) > MAX_NOTE:
        raise UserError("request_note_too_long", limit=MAX_NOTE)
    return tidy


def _subject(
    session: Session, participant_id: int, made_on: date
) -> tuple[Post, Participant, date]:
    post = the_post(session)
    participant = session.get(Participant, participant_id)
    if participant is None or participant.post_id != post.id:
        raise UserError("participant_missing", ref=participant_id)
    today = local_date(operation_time(session), post.timezone)
    if made_on > today:
        raise UserError("request_made_on_future", day=made_on.isoformat())
    return post, participant, today


def _refuse_erased(participant: Participant) -> None:
    if participant.erased_at is not None:
        raise UserError("request_already_erased", registration_no=participant.registration_no)


def _refuse_open_receipt(session: Session, post: Post, participant: Participant) -> None:
    """A receipt of the person's not yet counted in a daily close, of today or of a day left
    unclosed: the till count still has to show the receipt's participant as it was paid (close
    that day, then erase). A close counts a year's receipts up to its ``through_seq``."""
    closed: dict[int, int] = {}
    for day, through in session.execute(
        select(DailyClose.day, DailyClose.through_seq).where(DailyClose.post_id == post.id)
    ):
        closed[day.year] = max(closed.get(day.year, 0), through)
    for year, seq, number in session.execute(
        select(Receipt.year, Receipt.seq, Receipt.number)
        .where(Receipt.post_id == post.id, Receipt.participant_id == participant.id)
        .order_by(Receipt.year, Receipt.seq)
    ):
        if seq > closed.get(year, 0):
            raise UserError(
                "request_erase_open_receipt",
                registration_no=participant.registration_no,
                receipt=number,
            )


# --- the record ---------------------------------------------------------------------------------


def _record(
    session: Session,
    post: Post,
    participant: Participant,
    kind: str,
    made_on: date,
    how: str,
    note: str | None,
    actor: Actor,
) -> RequestDone:
    rules = personal_data_rules(made_on)
    request = DataRequest(
        post_id=post.id,
        post_code=post.code,
        number=next_number(session, post.code, REQUEST_COUNTER),
        participant_id=participant.id,
        kind=kind,
        made_on=made_on,
        made_how=how,
        note=note or None,
        state="done",
        outcome=_in_indonesian(OUTCOMES[kind]),
        recorded_at=operation_time(session),
        recorded_by_id=actor.volunteer_id,
        rules_version=rules.version,
    )
    session.add(request)
    session.flush()
    log.info("data request %s (%s) recorded", request.natural_key(), kind)
    return _done(
        participant, kind, made_on, request.outcome or "", rules.version, request.number, post.code
    )


def _done(
    participant: Participant,
    kind: str,
    made_on: date,
    outcome: str,
    version: str,
    number: int,
    post_code: str,
) -> RequestDone:
    return RequestDone(
        number=number,
        key=f"{post_code}-REQ{number}",
        participant_id=participant.id,
        registration_no=participant.registration_no,
        kind=kind,
        made_on=made_on,
        outcome=outcome,
        rules_version=version,
    )


def _in_indonesian(message: str) -> str:
    with speaking("id"):
        return tr(message)


# --- the printed confirmation's content -------------------------------------------------------

FIELD_LABELS = {
    "name": N_("name"),
    "nik": N_("NIK (replaced by a keyed one-way value)"),
    "birth_place": N_("place of birth"),
    "street": N_("address"),
    "rt": N_("RT"),
    "rw": N_("RW"),
    "phone": N_("phone number"),
    "occupation": N_("occupation"),
    "heir_name": N_("heir's name"),
    "heir_relation": N_("heir's relation"),
}
REDUCED_LABELS = {"birth_date": N_("day and month of birth (the year is kept)")}
KEPT_LABELS = {
    "receipts": N_("receipts, dues months, cash counts and deposits"),
    "membership": N_("registration number, membership dates and cover periods"),
    "requests": N_("the record of this request"),
}
KEPT_FROM = {
    "end_of_year": N_("from the end of the year"),
    "end_of_membership": N_("from the end of the membership"),
}


@dataclass(frozen=True)
class Kept:
    what: str
    years: int
    start: str
    source: str


@dataclass(frozen=True)
class Confirmation:
    """What the printed confirmation for the person says (no NIK; no name after an erasure)."""

    post_code: str
    post_name: str
    key: str
    registration_no: str
    name: str | None
    kind: str
    kind_text: str
    made_on: date
    how_text: str
    recorded_on: date
    outcome: str
    erased: tuple[str, ...]
    kept: tuple[Kept, ...]
    rules_version: str
    to_branch: bool


def confirmation(db: Database, number: int) -> Confirmation:
    """The confirmation of request ``number`` of this post, in the language spoken."""
    with db.reading() as session:
        post = the_post(session)
        request = session.scalar(
            select(DataRequest).where(DataRequest.post_id == post.id, DataRequest.number == number)
        )
        if request is None:
            raise UserError("request_missing", number=number)
        person = session.get(Participant, request.participant_id)
        assert person is not None
        rules = personal_data_rules(request.made_on)
        erased = request.kind == "erase"
        return Confirmation(
            post_code=post.code,
            post_name=post.name,
            key=request.natural_key(),
            registration_no=person.registration_no,
            name=None if erased or person.erased_at is not None else person.name,
            kind=request.kind,
            kind_text=tr(KIND_LABELS[request.kind]),
            made_on=request.made_on,
            how_text=tr(HOW_LABELS[request.made_how]),
            recorded_on=local_date(request.recorded_at, post.timezone),
            outcome=tr(OUTCOMES[request.kind]),
            erased=what_erasure_does(request.made_on)[0] if erased else (),
            kept=what_erasure_does(request.made_on)[1]
            if request.kind in ("erase", "withdraw")
            else (),
            rules_version=rules.version,
            to_branch=request.kind in ("erase", "withdraw"),
        )


def what_erasure_does(made_on: date) -> tuple[tuple[str, ...], tuple[Kept, ...]]:
    """What an erasure asked for on ``made_on`` removes and what it keeps (for how long, why),
    from the rules data, in the language spoken: what the window asks to confirm."""
    rules = personal_data_rules(made_on)
    kept = tuple(
        Kept(tr(KEPT_LABELS[k.what]), k.years, tr(KEPT_FROM[k.start]), k.source) for k in rules.keep
    )
    return _erased_labels(rules.erase, rules.reduce), kept


def _erased_labels(erase: frozenset[str], reduce: dict[str, str]) -> tuple[str, ...]:
    order = [c for c in FIELD_LABELS if c in erase]
    return (*(tr(FIELD_LABELS[c]) for c in order), *(tr(REDUCED_LABELS[c]) for c in reduce))
