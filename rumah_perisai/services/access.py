"""Who looked at whom (UU PDP Art. 32: a person may see how their data was processed).

Opening a participant, printing their card or receipt, and exporting a list or report that holds
them each leave one ``AccessRecord`` (who, when, what) and one ``AccessSubject`` per participant
shown. Nothing else is kept: no name, NIK or phone, only participant ids. Recording never takes a
change number and is never refused for the clock rule (``db.uow``: these tables are unaudited).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import insert, select

from rumah_perisai.db.models import AccessRecord, AccessSubject, Volunteer
from rumah_perisai.db.uow import Database
from rumah_perisai.services.volunteers import Actor


class Look(StrEnum):
    """What kind of look it was."""

    VIEW = "view"  # the participant's window
    CARD = "card"  # a membership card printed (or written to PDF)
    RECEIPT = "receipt"  # a receipt printed again
    LIST = "list"  # a list exported (call list, participants, branch list ...)
    REPORT = "report"  # the person's own report (participant report)
    STATEMENT = "statement"  # a volunteer's incentive statement that names them


@dataclass(frozen=True)
class AccessRow:
    """One look, as the coordinator sees it."""

    at: datetime
    actor: str  # the audit log's label: "volunteer:<key> <name>" or "cli:<login>"
    volunteer: str | None  # the volunteer's name, when a volunteer looked
    action: str
    what: str | None
    subjects: int


def record_access(
    db: Database,
    actor: Actor,
    action: Look | str,
    participant_ids: Iterable[int],
    what: str | None = None,
) -> None:
    """Record one look at ``participant_ids`` (one entry for a whole list)."""
    ids = sorted(set(participant_ids))
    with db.unit_of_work(actor.label) as session:
        record = AccessRecord(
            at=db.clock(),
            actor=actor.label,
            volunteer_id=actor.volunteer_id,
            action=str(action),
            what=what,
            subjects=len(ids),
        )
        session.add(record)
        session.flush()
        if ids:
            session.execute(
                insert(AccessSubject),
                [{"access_id": record.id, "participant_id": pid} for pid in ids],
            )


def accesses_of(db: Database, participant_id: int) -> list[AccessRow]:
    """Every look at one participant, newest first."""
    with db.reading() as session:
        rows = session.execute(
            select(AccessRecord, Volunteer.name)
            .join(AccessSubject, AccessSubject.access_id == AccessRecord.id)
            .outerjoin(Volunteer, Volunteer.id == AccessRecord.volunteer_id)
            .where(AccessSubject.participant_id == participant_id)
            .order_by(AccessRecord.at.desc(), AccessRecord.id.desc())
        ).all()
    return [AccessRow(r.at, r.actor, name, r.action, r.what, r.subjects) for r, name in rows]
