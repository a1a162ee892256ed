"""Importing a checked list: all of it in one transaction, or nothing.

The rows are decided again inside the transaction (``checking.decide``): someone may have been
registered at the desk since the file was checked. Then each ``new`` row is registered as the form
registers (``registration.add_participant``: number, record, the promotion of its registration
date, audited by the unit of work), by the volunteer the file names where that volunteer has an
account here, else by the coordinator importing; each ``update`` row gets its empty fields filled.
A possible duplicate is registered only when a person decided it is someone else and said why
(``duplicates``). No receipt is made up. A cancel or any error rolls everything back.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from rumah_perisai import formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Participant
from rumah_perisai.db.uow import Database, operation_time
from rumah_perisai.domain.coverage import CoverHistory, Standing, Status, status_label, status_on
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.posts import local_post
from rumah_perisai.services.registration import (
    NewRegistration,
    add_participants,
    erased_key_of,
    with_elsewhere_note,
)
from rumah_perisai.services.sheet_import.checking import (
    Checked,
    Plan,
    RowStatus,
    decide,
    with_reason,
)
from rumah_perisai.services.volunteers import Actor, require_coordinator
from rumah_perisai.tasks import Progress, SilentProgress

log = logging.getLogger(__name__)

_CHUNK = 250  # registrations stored at a time: the progress bar moves, a cancel is heard
IMPORT_REASON = "Impor dari spreadsheet {ref} (persetujuan di kertas dikonfirmasi koordinator)"


@dataclass(frozen=True)
class Imported:
    """What an import did."""

    registered: int
    updated: int
    not_imported: int  # refused, and possible duplicates nobody decided
    unchanged: int
    statuses: dict[str, int]  # the registered ones' status today (``Status`` values)
    notes: tuple[str, ...]
    checked: Checked  # the rows as decided inside the transaction


def import_checked(
    db: Database,
    folder: DataFolder,
    checked: Checked,
    actor: Actor,
    *,
    consent_confirmed: bool,
    duplicates: Mapping[int, str] | None = None,
    progress: Progress | None = None,
) -> Imported:
    """Register the new rows and fill the empty fields of the ones already here, in one
    transaction. ``duplicates``: row → the reason a person gave for registering a possible
    duplicate anyway. Only a coordinator; only once they confirmed the people on the list
    signed their consent on paper."""
    require_coordinator(actor)
    if not consent_confirmed:
        raise UserError("import_consent_needed")
    decided_dupes = {row: reason.strip() for row, reason in (duplicates or {}).items()}
    if any(not reason for reason in decided_dupes.values()):
        raise UserError("import_duplicate_reason_needed")
    progress = progress or SilentProgress()
    accepted = {r.row for r in checked.rows if r.status in (RowStatus.NEW, RowStatus.UPDATE)} | {
        r.row for r in checked.rows if r.status is RowStatus.POSSIBLE_DUPLICATE
    } & set(decided_dupes)
    if not accepted:  # the same file again, or nothing accepted: not even a change number
        return _nothing(checked)
    key = erased_key_of(db)
    with db.unit_of_work(actor.label) as session:
        post = local_post(session)
        if post is None:
            raise UserError("no_post")
        session.info["reason"] = IMPORT_REASON.format(ref=checked.ref)
        fresh = decide(session, checked.sheet, checked.mapping, key, _FirstThird(progress))
        # What was accepted when the person looked, and still is: a row that became a possible
        # duplicate since (someone registered at the desk meanwhile) waits for a person again.
        todo = [
            fresh.plans[r.row]
            for r in fresh.rows
            if r.row in accepted
            and (
                r.status in (RowStatus.NEW, RowStatus.UPDATE)
                or (r.status is RowStatus.POSSIBLE_DUPLICATE and r.row in decided_dupes)
            )
        ]
        today = local_date(operation_time(session), post.timezone)
        fills = [plan for plan in todo if plan.form is None]
        for plan in fills:
            _fill(session, plan)
        new = [
            _registration(with_reason(p, decided_dupes[p.row]) if p.row in decided_dupes else p,
                          actor, fresh.ref)
            for p in todo
            if p.form is not None
        ]  # fmt: skip
        statuses: Counter[Status] = Counter()
        for start in range(0, len(new), _CHUNK):
            progress.step(len(todo) + start * 2, len(todo) * 3, tr("Importing"))
            people = add_participants(session, post, new[start : start + _CHUNK])
            statuses.update(_status(person, today) for person in people)
        progress.step(len(todo) * 3, len(todo) * 3, tr("Saving"))
        registered, updated = len(new), len(fills)
    summary = fresh.summary()
    skipped_dupes = sum(
        1
        for r in fresh.rows
        if r.status is RowStatus.POSSIBLE_DUPLICATE and r.row not in decided_dupes
    )
    log.info("sheet import %s: %d registered, %d updated", fresh.ref, registered, updated)
    return Imported(
        registered=registered,
        updated=updated,
        not_imported=summary[RowStatus.REFUSED.value] + skipped_dupes,
        unchanged=summary[RowStatus.UNCHANGED.value],
        statuses={status.value: count for status, count in statuses.items()},
        notes=_notes(registered, updated, statuses),
        checked=fresh,
    )


def _nothing(checked: Checked) -> Imported:
    summary = checked.summary()
    return Imported(
        registered=0,
        updated=0,
        not_imported=summary[RowStatus.REFUSED.value] + summary[RowStatus.POSSIBLE_DUPLICATE.value],
        unchanged=summary[RowStatus.UNCHANGED.value],
        statuses={},
        notes=_notes(0, 0, Counter()),
        checked=checked,
    )


def _status(person: Participant, today: date) -> Status:
    """Without receipts (none is made up): the promotion of the registration date, or nothing."""
    history = CoverHistory(
        Standing.MEMBER, person.membership_start, person.promotion_end, frozenset()
    )
    return status_on(history, today)


def _registration(plan: Plan, actor: Actor, ref: str) -> NewRegistration:
    assert plan.form is not None and plan.registered_on is not None
    form = plan.form
    if plan.elsewhere:  # warned, imported anyway: recorded as the form records it
        form = replace(form, duplicate_reason=with_elsewhere_note(form.duplicate_reason))
    by = plan.registered_by_id if plan.registered_by_id is not None else actor.volunteer_id
    return NewRegistration(form, plan.registered_on, by, import_ref=ref)


def _fill(session: Session, plan: Plan) -> None:
    assert plan.participant_id is not None
    person = session.get(Participant, plan.participant_id)
    assert person is not None
    for name, value in plan.fill:
        if getattr(person, name) in (None, "", "tidak diketahui"):
            setattr(person, name, value)


def _notes(registered: int, updated: int, statuses: Counter[Status]) -> tuple[str, ...]:
    if not registered and not updated:
        return (tr("Nothing was imported: every row is here already, or was not accepted."),)
    notes = [
        tr(
            "{count} registered, {updated} updated.",
            count=formats.number(registered),
            updated=formats.number(updated),
        )
    ]
    for status in (Status.PROMOTION, Status.NOT_YET_COVERED, Status.ARREARS, Status.LAPSED):
        if statuses[status]:
            notes.append(
                tr(
                    "{count} of them are \u201c{status}\u201d today.",
                    count=formats.number(statuses[status]),
                    status=status_label(status),
                )
            )
    notes.append(
        tr(
            "No receipts were made up: earlier payments are not in a list of names; a person's "
            "cover shows once someone pays at the post."
        )
    )
    return tuple(notes)


class _FirstThird:
    """Deciding again is the first third of an import's progress bar."""

    def __init__(self, whole: Progress) -> None:
        self.whole = whole

    def step(self, done: int, total: int, text: str = "") -> None:
        self.whole.step(done, max(total, 1) * 3, text)
