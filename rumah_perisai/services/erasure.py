"""What an erasure does to one participant's rows, at a post and at the branch alike
(UU PDP Art. 8, 16; docs/personal-data.md "Erasure").

The columns ``resources/rules/personal_data.json`` names are emptied, the birth date kept to its
year, the NIK replaced by ``domain.personal_data.erased_nik`` and kept only as a keyed one-way
value, and the same values are taken out of the audit log's copies of the row. What the rules
keep (the registration number, receipts, cover periods, dates) stays: the receipt chain hashes
the registration number, never the person's data, so it still verifies.

The request, the unit of work and the checks around it are the callers' (``services.requests``
at a post, ``branch.requests`` at the branch); this module only changes rows it is given.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rumah_perisai.db.models import AuditEntry, CallOutcome, Erasure, Participant
from rumah_perisai.domain.coverage import Standing
from rumah_perisai.domain.personal_data import PersonalDataRules, erased_nik, keyed_nik

# Free text typed about the person (why a NIK or a likely duplicate was let through): it may
# name them, so it goes with the rest.
FREE_TEXT = ("nik_override_reason", "duplicate_override_reason")
# Not personal in itself, but derived from the NIK (a truncated hash the branch shares).
DERIVED = ("nik_prefix",)
NOT_NULL_TEXT = {"name", "birth_place", "street", "occupation"}


def erased_columns(rules: PersonalDataRules) -> tuple[str, ...]:
    """Every participant column an erasure empties or changes (the audit log's too)."""
    return (*sorted(rules.erase), *FREE_TEXT, *DERIVED, *rules.reduce)


def erase_participant_row(
    participant: Participant,
    *,
    key: bytes,
    rules: PersonalDataRules,
    at: datetime,
    day: date,
    reason: str,
) -> str:
    """Empty what ``rules`` erase from ``participant``; returns the keyed NIK kept instead.

    Membership ends too (``Standing.ENDED``) if it had not already."""
    nik_kept = participant.nik_keyed or keyed_nik(key, participant.nik)
    for column in rules.erase:
        if column == "nik":
            continue
        setattr(participant, column, "" if column in NOT_NULL_TEXT else None)
    for column in (*FREE_TEXT, *DERIVED):
        setattr(participant, column, None)
    if rules.reduce.get("birth_date") == "year":
        participant.birth_date = date(participant.birth_date.year, 1, 1)
    participant.nik = erased_nik(participant.number)
    participant.nik_keyed = nik_kept
    participant.erased_at = at
    if participant.standing == Standing.MEMBER.value:
        participant.standing = Standing.ENDED.value
        participant.standing_reason = reason
        participant.ended_on = day
    return nik_kept


def scrub_audit(
    session: Session, entity_ids: list[str], rules: PersonalDataRules, registration_no: str
) -> int:
    """Take the erased values out of the audit log's entries of the participant (by their
    ``entity_id``s in this database); returns how many entries changed."""
    columns = set(erased_columns(rules))
    changed = 0
    entries = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == Participant.__tablename__,
            AuditEntry.entity_id.in_(entity_ids),
        )
    ).all()
    for entry in entries:
        if entry.entity_key != registration_no:
            continue
        values: dict[str, Any] = json.loads(entry.changes_json)
        cleaned = {
            name: (_blank(value) if name in columns else value) for name, value in values.items()
        }
        if cleaned != values:
            entry.changes_json = json.dumps(cleaned)
            changed += 1
    return changed


def _blank(value: Any) -> Any:
    """An audited value with the person taken out: ``[old, new]`` for an update."""
    if isinstance(value, list):
        return [None for _ in value]
    return None


def forget_call_notes(session: Session, participant_id: int) -> None:
    """Call notes are free text about the person (they stay at the post): emptied."""
    for call in session.scalars(
        select(CallOutcome).where(
            CallOutcome.participant_id == participant_id, CallOutcome.note.is_not(None)
        )
    ):
        call.note = None


def record_erasure(
    session: Session, participant: Participant, nik_kept: str, at: datetime, request_key: str | None
) -> Erasure:
    """The erasure list's entry (kept apart from the data; applied again after a restore)."""
    entry = Erasure(
        registration_no=participant.registration_no,
        post_code=participant.post_code,
        nik_keyed=nik_kept,
        erased_at=at,
        request_key=request_key,
    )
    session.add(entry)
    return entry
