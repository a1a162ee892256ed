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
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from rumah_perisai.db.models import (
    AuditEntry,
    CallOutcome,
    CardIssue,
    DataRequest,
    Erasure,
    Participant,
)
from rumah_perisai.domain.coverage import Standing
from rumah_perisai.domain.personal_data import PersonalDataRules, erased_nik, keyed_nik
from rumah_perisai.keys import load_post_key

# Free text typed about the person (why a NIK or a likely duplicate was let through): it may
# name them, so it goes with the rest.
FREE_TEXT = ("nik_override_reason", "duplicate_override_reason", "standing_reason")
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
        participant.ended_on = day
    # Whatever was typed as the reason (a withdrawal's may name a relative) gives way to ours.
    participant.standing_reason = reason
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


# --- added for the post's erasures (ERASE, issue 19) ---------------------------------------------

ERASED_NIK_INFO = b"rumah-perisai erased nik v1"


def post_erasure_key(keys_dir: Path) -> bytes:
    """The post's secret for keyed NIKs, derived from its own signing key (HKDF-SHA256): stable
    for as long as the post keeps that key (a restore brings the same key back), never stored
    anywhere, and useless for signing. A replaced key gives another secret: the erased NIKs
    kept until then are no longer recognised at a new registration (docs/personal-data.md)."""
    raw = load_post_key(keys_dir).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=ERASED_NIK_INFO).derive(raw)


def forget_on_disk(session: Session) -> None:
    """On SQLite, make the freed bytes of this operation zeros (``secure_delete``) and rebuild
    the name index so its old segments go: an UPDATE otherwise leaves the old row's bytes in
    the page's free space and the full-text index keeps the old name until a merge."""
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(text("PRAGMA secure_delete = ON"))
    session.execute(text("INSERT INTO participants_fts(participants_fts) VALUES ('optimize')"))


def scrub_audit_column(session: Session, entity: str, entity_ids: list[str], column: str) -> int:
    """Take ``column`` out of the audit log's entries of other records about the person (their
    call notes); returns how many entries changed."""
    changed = 0
    for entry in session.scalars(
        select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id.in_(entity_ids))
    ):
        values: dict[str, Any] = json.loads(entry.changes_json)
        if values.get(column) not in (None, [None, None]):
            values[column] = _blank(values[column])
            entry.changes_json = json.dumps(values)
            changed += 1
    return changed


def scrub_typed_notes(session: Session, participant_id: int) -> None:
    """The audit log's copies of notes typed on the person's requests and card reissues (they
    may name a relative or a phone), by the records' ids here and, at the branch, at their post
    (imported audit entries keep the post's ids)."""
    for model, column in ((DataRequest, "note"), (CardIssue, "reason_note")):
        ids = [
            str(i)
            for row in session.execute(
                select(model.id, model.source_id).where(model.participant_id == participant_id)
            )
            for i in row
            if i is not None
        ]
        if ids:
            scrub_audit_column(session, model.__tablename__, ids, column)
