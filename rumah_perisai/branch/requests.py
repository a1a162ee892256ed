"""A post's data requests applied at the branch (issue 19; UU PDP Art. 8, 9, 16;
docs/personal-data.md "At the branch").

A post that records a withdrawal of consent sends the participant ``ended``; one that erases sends
the row already emptied (``services.erasure``) with the erase request (part ``data_requests``).
Inside the batch's one transaction the branch:

* before the emptied row overwrites its copy, keeps the NIK it held as a keyed one-way value under
  **its own key** (``erasure_key``: HKDF-SHA256 of the branch's private X25519 key), so the key of
  no post is ever needed here and a later registration of the same NIK at any post is recognised;
* refuses a batch whose emptied row has no erase request (in the batch or already here);
* empties its own copy and the audit log's copies (the post's entries it imported, keyed by the
  post's ids, and its own), and writes the ``erasures`` list, kept apart from the data;
* marks each applied request ``branch_done_at`` (the ACK lists them: ``requests_done``);
* after every import applies the ``erasures`` list again: a batch made before the erasure that
  arrives after it (held, passed over, or its audit entries) never brings the data back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rumah_perisai.branch.due import EVERYTHING, Due
from rumah_perisai.db.models import AuditEntry, DataRequest, Erasure, Participant, Post
from rumah_perisai.db.uow import operation_time
from rumah_perisai.domain.personal_data import (
    erased_nik,
    is_erased_nik,
    keyed_nik,
    personal_data_rules,
)
from rumah_perisai.errors import UserError
from rumah_perisai.keys.files import BranchKeys
from rumah_perisai.services.erasure import (
    erase_participant_row,
    record_erasure,
    scrub_audit,
    scrub_typed_notes,
)

ERASED_NIK_INFO = b"rumah-perisai erased nik v1"
# The kinds of request the branch does something about: the others (see, copy, correct) are
# answered at the post, and a correction travels as the row itself.
APPLIED_KINDS = ("withdraw", "erase")
BRANCH_REASON = "erased at the person's request (data request at the post)"


def erasure_key(keys: BranchKeys) -> bytes:
    """The branch's key for erased NIKs, derived from its own private key: never written down,
    made again from the key file whenever needed, and no post knows it."""
    raw = keys.encryption.private_bytes_raw()
    return HKDF(hashes.SHA256(), 32, salt=None, info=ERASED_NIK_INFO).derive(raw)


def keep_keyed_niks(session: Session, post_id: int, document: dict[str, Any], key: bytes) -> int:
    """Before the participants part overwrites the branch's copies: each row arriving erased
    whose copy here still holds a NIK keeps that NIK keyed (the row brings only ``X…``)."""
    return keep_keyed(session, post_id, erased_sources(document), key)


def erased_sources(document: dict[str, Any]) -> list[Any]:
    """The post's ids of the participants part's rows that arrive erased (``keep_keyed_niks``);
    worked out ahead of the import, in a second process, for a batch read ahead."""
    columns = document["columns"]
    if "erased_at" not in columns or "id" not in columns:
        return []
    ident, erased = columns.index("id"), columns.index("erased_at")
    return [row[ident] for row in document["rows"] if row[erased] is not None]


def keep_keyed(session: Session, post_id: int, sources: list[Any], key: bytes) -> int:
    """``keep_keyed_niks`` for the rows ``sources`` names."""
    kept = 0
    for start in range(0, len(sources), 500):
        for person in session.scalars(
            select(Participant).where(
                Participant.post_id == post_id,
                Participant.source_id.in_(sources[start : start + 500]),
                Participant.nik_keyed.is_(None),
            )
        ):
            if _real_nik(person.nik):
                person.nik_keyed = keyed_nik(key, person.nik)
                kept += 1
    session.flush()  # before the part's SQL upsert reads and overwrites the rows
    return kept


def _real_nik(nik: str) -> bool:
    # "#…" is a NIK set aside for a moment by the upsert (``PartImporter._make_room``).
    return bool(nik) and not is_erased_nik(nik) and not nik.startswith("#")


@dataclass(frozen=True)
class Applied:
    requests: list[str]  # natural keys of the requests applied by this import
    erased: list[str]  # registration numbers erased again (data a late batch brought back)


def apply_requests(
    session: Session, post: Post, change_no: int, key: bytes, name: str, due: Due = EVERYTHING
) -> Applied:
    """After the batch's parts are in: check its erased rows, apply the requests not applied
    yet, and apply the erasure list again to what the batch brought. ``due``: which of these
    have anything to look at (``branch.due``)."""
    # The parts went in as SQL: the rows loaded before are stale. Flushed first: expiring drops
    # a change not flushed yet (a post's new name from its batch was lost that way).
    session.flush()
    session.expire_all()
    if due.unexplained:
        _refuse_unexplained(session, post, change_no, name)
    now = operation_time(session)
    done = _apply_done(session, post, key, now) if due.requests else []
    # A request applied puts its registration on the erasure list: looked at then, too.
    listed = due.erased_here or due.requests
    again = erase_again(session, post.code, key, now) if listed else []
    session.flush()
    return Applied(done, again)


def _apply_done(session: Session, post: Post, key: bytes, now: datetime) -> list[str]:
    """The post's requests done there and not yet applied here, applied: their natural keys."""
    done = []
    for request in session.scalars(
        select(DataRequest)
        .where(
            DataRequest.post_id == post.id,
            DataRequest.kind.in_(APPLIED_KINDS),
            DataRequest.state == "done",
            DataRequest.branch_done_at.is_(None),
        )
        .order_by(DataRequest.number)
    ).all():
        person = session.get(Participant, request.participant_id)
        assert person is not None  # a request's participant is checked while it is imported
        if request.kind == "erase":
            _erase(session, person, key, request.natural_key(), now)
        elif person.standing != "ended" and person.erased_at is None:
            continue  # a withdrawal whose row says otherwise: a later batch brings it
        request.branch_done_at = now
        done.append(request.natural_key())
    return done


def _refuse_unexplained(session: Session, post: Post, change_no: int, name: str) -> None:
    """An emptied row (an ``X…`` NIK, an erasure time) is valid only as an erasure the post
    recorded: its time set, its NIK the placeholder of its number, its request here."""
    requested = select(DataRequest.participant_id).where(
        DataRequest.post_id == post.id, DataRequest.kind == "erase", DataRequest.state == "done"
    )
    odd = session.scalars(
        select(Participant).where(
            Participant.post_id == post.id,
            Participant.change_no == change_no,
            or_(Participant.erased_at.is_not(None), Participant.nik.like("X%")),
        )
    ).all()
    explained = set(session.scalars(requested.where(DataRequest.participant_id.in_(
        [p.id for p in odd]))))  # fmt: skip
    for person in odd:
        if (
            person.erased_at is None
            or person.nik != erased_nik(person.number)
            or person.id not in explained
        ):
            raise UserError("batch_erasure_unexplained", name=name, regno=person.registration_no)


def _erase(
    session: Session, person: Participant, key: bytes, request_key: str | None, now: datetime
) -> None:
    at = person.erased_at or now
    rules = personal_data_rules(at.date())
    unknown = person.nik_keyed is None and not _real_nik(person.nik)
    kept = erase_participant_row(
        person, key=key, rules=rules, at=at, day=at.date(), reason=BRANCH_REASON
    )
    if unknown:  # first seen here already erased: the branch never held the NIK to key
        person.nik_keyed, kept = None, ""
    listed = session.get(Erasure, person.registration_no)
    if listed is None:
        record_erasure(session, person, kept, at, request_key)
    elif not listed.nik_keyed and kept:
        listed.nik_keyed = kept
    session.flush()  # the audit entries of this very change are written, then scrubbed
    scrub_audit(session, [str(person.id), str(person.source_id)], rules, person.registration_no)
    scrub_typed_notes(session, person.id)


def erase_again(session: Session, post_code: str, key: bytes, now: datetime) -> list[str]:
    """The erasure list applied again to the post's participants: a row that holds data again
    (brought by a batch made before the erasure) is emptied again, and the audit entries the
    import brought for an erased participant are scrubbed. Returns the rows emptied again."""
    listed = {
        e.registration_no: e
        for e in session.scalars(select(Erasure).where(Erasure.post_code == post_code))
    }
    if not listed:
        return []
    again = []
    numbers = list(listed)
    for start in range(0, len(numbers), 500):
        for person in session.scalars(
            select(Participant).where(
                Participant.registration_no.in_(numbers[start : start + 500]),
                or_(Participant.erased_at.is_(None), ~Participant.nik.like("X%")),
            )
        ).all():
            entry = listed[person.registration_no]
            if person.nik_keyed is None and entry.nik_keyed:
                person.nik_keyed = entry.nik_keyed
            person.erased_at = person.erased_at or entry.erased_at
            _erase(session, person, key, entry.request_key, now)
            again.append(person.registration_no)
    _scrub_imported(session, post_code, listed, set(again))
    return again


def _scrub_imported(
    session: Session, post_code: str, listed: dict[str, Erasure], done: set[str]
) -> None:
    """The audit entries of erased participants written by this change (a late batch's history
    of the row, with its old values) are scrubbed too."""
    change_no = session.info.get("change_no")
    if change_no is None:
        return
    keys = (
        set(
            session.scalars(
                select(AuditEntry.entity_key).where(
                    AuditEntry.change_no == change_no,
                    AuditEntry.entity == Participant.__tablename__,
                    AuditEntry.entity_key.in_(list(listed)),
                )
            )
        )
        - done
    )
    for registration_no in sorted(keys):
        person = session.scalars(
            select(Participant).where(Participant.registration_no == registration_no)
        ).one()
        rules = personal_data_rules(listed[registration_no].erased_at.date())
        scrub_audit(session, [str(person.id), str(person.source_id)], rules, registration_no)
        scrub_typed_notes(session, person.id)


def erased_matches(
    session: Session, post_id: int, change_no: int, key: bytes
) -> list[tuple[Participant, Erasure]]:
    """Registrations new in this import whose NIK, keyed with the branch's key, is an erased
    person's: the same person registering again (at this post or any other)."""
    known = {
        e.nik_keyed: e for e in session.scalars(select(Erasure).where(Erasure.nik_keyed != ""))
    }
    if not known:
        return []
    found = []
    # Ids and NIKs only: a first batch may bring a hundred thousand registrations.
    for ident, nik in session.execute(
        select(Participant.id, Participant.nik).where(
            Participant.post_id == post_id,
            Participant.first_change == change_no,
            Participant.change_no == change_no,  # written by this import: by its index
            Participant.standing == "member",
            Participant.erased_at.is_(None),
        )
    ):
        entry = known.get(keyed_nik(key, nik)) if _real_nik(nik) else None
        person = session.get(Participant, ident) if entry is not None else None
        if (
            person is not None
            and entry is not None
            and entry.registration_no != person.registration_no
        ):
            found.append((person, entry))
    return found


def requests_done(session: Session, post_id: int) -> list[str]:
    """Every request of the post the branch has applied, to date (the ACK lists them all, so a
    lost acknowledgement is made good by the next)."""
    rows = session.execute(
        select(DataRequest.post_code, DataRequest.number)
        .where(DataRequest.post_id == post_id, DataRequest.branch_done_at.is_not(None))
        .order_by(DataRequest.number)
    ).all()
    return [f"{code}-REQ{number}" for code, number in rows]


def erased_of(session: Session, post_code: str) -> dict[str, str]:
    """The post's registrations the branch holds erased, to date, with when (the ACK lists
    them all: a post restored on a new laptop without its erasure list erases them again)."""
    rows = session.execute(
        select(Erasure.registration_no, Erasure.erased_at).where(Erasure.post_code == post_code)
    ).all()
    return {regno: at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for regno, at in sorted(rows)}


__all__ = [
    "APPLIED_KINDS",
    "ERASED_NIK_INFO",
    "Applied",
    "apply_requests",
    "erase_again",
    "erased_matches",
    "erased_of",
    "erased_sources",
    "erasure_key",
    "keep_keyed",
    "keep_keyed_niks",
    "requests_done",
]
