"""Everything the post holds about one person, and the record of its processing (UU PDP Art. 32
access, Art. 13 a portable copy; docs/personal-data.md "A person's report").

``personal_report`` gathers, as plain data and from ONE read snapshot, every field of the
participant, their cover periods, receipts (with their months and voids), cards, call outcomes,
their own data requests, the weekly batches that carried their records to the branch, the
history of changes (the audit log of the participant and of their records) and who looked
(``access_subjects``). ``printing.personal_report`` draws it in Indonesian; ``report_json``
gives it with English snake_case keys and ISO dates for another system.

Which batch carried what: a batch takes every record whose change number falls in
``(change_from, change_to]``; the audit log keeps every change number a record ever had, so the
participant's and their records' audit entries, found through ``ix_audit_log_entity`` in one
query, name the batches (read in one query of the post's batches, a small table).

The person's report never shows a volunteer's PIN hash, and call outcomes' audit entries are not
part of the history (their notes stay at the post and are forgotten on erasure).
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field, is_dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from rumah_perisai import areas
from rumah_perisai.db.models import (
    AccessRecord,
    AccessSubject,
    AuditEntry,
    Batch,
    CallOutcome,
    CardIssue,
    CoverPeriod,
    DataRequest,
    Participant,
    Post,
    Receipt,
    ReceiptMonth,
    Volunteer,
)
from rumah_perisai.db.status import status_on as sql_status_on
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.personal_data import personal_data_rules
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_
from rumah_perisai.services.erasure import erased_columns
from rumah_perisai.services.volunteers import Actor, require_coordinator

FORMAT_VERSION = 1
# The tables whose records a batch carries for a participant (call outcomes stay at the post).
CARRIED = (
    "participants",
    "cover_periods",
    "receipts",
    "receipt_months",
    "card_issues",
    "data_requests",
)
# Never shown, whatever record the audit log names: a volunteer's PIN hash.
NEVER_SHOWN = frozenset({"pin_hash"})

# The participant's fields, in the order the report lists them, with their labels (msgids).
# Left out: ids and the branch's own columns (source_id, nik_prefix, first_change, change_no).
FIELDS: tuple[tuple[str, str], ...] = (
    ("registration_no", N_("Registration no.")),
    ("kpj", N_("KPJ (BPJS membership no.)")),
    ("nik", N_("NIK")),
    ("name", N_("Name")),
    ("birth_place", N_("Place of birth")),
    ("birth_date", N_("Date of birth")),
    ("sex", N_("Sex")),
    ("street", N_("Street")),
    ("rt", N_("RT")),
    ("rw", N_("RW")),
    ("desa_code", N_("Desa/kelurahan")),
    ("phone", N_("Phone")),
    ("occupation", N_("Occupation")),
    ("income", N_("Declared income")),
    ("with_jht", N_("With JHT")),
    ("heir_name", N_("Heir")),
    ("heir_relation", N_("Heir's relation")),
    ("consent_at", N_("Consent given")),
    ("registered_on", N_("Registered on")),
    ("registered_at", N_("Registered at")),
    ("registered_by", N_("Registered by")),
    ("nik_override_reason", N_("Why the NIK check was overridden")),
    ("duplicate_override_reason", N_("Why it is not a duplicate")),
    ("standing", N_("Registration")),
    ("standing_reason", N_("Reason")),
    ("status", N_("Status today")),
    ("membership_start", N_("Membership start")),
    ("rejoin_count", N_("Times rejoined")),
    ("promotion_code", N_("Promotion")),
    ("promo_until", N_("Free cover until")),
    ("cover_from", N_("Paid cover from")),
    ("cover_until", N_("Covered until")),
    ("arrears_until", N_("Can pay arrears until")),
    ("promotion_end", N_("Promotion ended")),
    ("converted_on", N_("First paid after the promotion")),
    ("ended_on", N_("Processing ended (consent withdrawn)")),
    ("erased_at", N_("Erased at the person's request")),
    ("nik_keyed", N_("NIK kept as a keyed one-way value")),
)


@dataclass(frozen=True)
class FieldRow:
    key: str  # the column (English snake_case)
    label: str  # msgid, translated when shown
    value: Any  # date, datetime, int, bool, str or None
    erased: bool = False  # emptied at the person's request


@dataclass(frozen=True)
class CoverItem:
    number: int
    kind: str  # promotion | paid
    start_date: date
    end_date: date
    programmes: str
    campaign_code: str | None
    receipt_number: str | None
    voided_by: str | None  # the void receipt's number


@dataclass(frozen=True)
class MonthItem:
    month: date
    jkk: int
    jkm: int
    jht: int
    total: int
    voided_by: str | None


@dataclass(frozen=True)
class ReceiptItem:
    number: str
    kind: str  # payment | void
    issued_at: datetime
    issued_on: date
    issued_by: str | None
    month_count: int
    first_month: date | None
    last_month: date | None
    jkk: int
    jkm: int
    jht: int
    total: int
    cash_received: int | None
    refund: bool
    reason: str | None  # a void's reason
    voids: str | None  # the payment a void cancels
    voided_by: str | None  # the void that cancelled this payment
    months: tuple[MonthItem, ...]


@dataclass(frozen=True)
class CardItem:
    serial: int
    reason: str
    reason_note: str | None
    issued_on: date
    issued_at: datetime
    issued_by: str | None
    state: str
    replaced_at: datetime | None
    handed_over_at: datetime | None


@dataclass(frozen=True)
class CallItem:
    number: int
    called_at: datetime
    called_by: str | None
    outcome: str
    note: str | None


@dataclass(frozen=True)
class RequestItem:
    key: str
    kind: str
    made_on: date
    made_how: str
    note: str | None
    state: str
    outcome: str | None
    recorded_at: datetime
    recorded_by: str | None
    branch_done_at: datetime | None


@dataclass(frozen=True)
class BatchItem:
    seq: int
    file_name: str
    created_at: datetime
    state: str  # written | acknowledged
    acknowledged_at: datetime | None
    carried: dict[str, int]  # table -> how many of the person's changes it carried


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    who: str
    action: str  # create | update
    entity: str
    key: str  # the record's natural key (registration or receipt number ...)
    changes: dict[str, Any]  # created: every value; updated: [old, new]
    change_no: int


@dataclass(frozen=True)
class AccessItem:
    at: datetime
    who: str
    action: str
    what: str | None


@dataclass(frozen=True)
class PersonalReport:
    participant_id: int
    registration_no: str
    post_code: str
    post_name: str
    wadah: str | None
    timezone: str
    is_demo: bool
    made_at: datetime
    made_by: str
    erased_at: datetime | None
    desa_name: str
    fields: tuple[FieldRow, ...]
    cover: tuple[CoverItem, ...]
    receipts: tuple[ReceiptItem, ...]
    cards: tuple[CardItem, ...]
    calls: tuple[CallItem, ...]
    requests: tuple[RequestItem, ...]
    batches: tuple[BatchItem, ...]
    history: tuple[HistoryItem, ...]
    accesses: tuple[AccessItem, ...]
    erased_keys: frozenset[str] = field(default_factory=frozenset)


def actor_name(label: str, volunteer: str | None = None) -> str:
    """Who did it, as a person reads it: the volunteer's name
    ("cli:root as volunteer:RP3209A-V001 Dewi Lestari" -> "Dewi Lestari"), else the label."""
    if volunteer:
        return volunteer
    acting = label.rpartition(" as ")[2] if " as volunteer:" in label else label
    kind, _, rest = acting.partition(":")
    if kind == "volunteer":
        return rest.partition(" ")[2] or rest
    return label


def find_participant(db: Database, registration_no: str) -> int:
    """The id of the participant this post holds under ``registration_no`` (any case)."""
    wanted = registration_no.strip().upper()
    with db.reading() as session:
        found = session.execute(
            select(Participant.id)
            .join(Post, Post.id == Participant.post_id)
            .where(Participant.registration_no == wanted, Post.is_local.is_(True))
        ).scalar_one_or_none()
    if found is None:
        raise UserError("participant_missing", ref=registration_no.strip()[:40])
    return int(found)


def personal_report(db: Database, participant_id: int, actor: Actor) -> PersonalReport:
    """The person's report, read from one snapshot; only a coordinator may make it."""
    require_coordinator(actor)
    made_at = db.clock()
    with db.reading() as session:
        post = session.scalars(select(Post).where(Post.is_local.is_(True))).first()
        person = session.get(Participant, participant_id)
        if post is None or person is None or person.post_id != post.id:
            raise UserError("participant_missing", ref=participant_id)
        return _gather(session, post, person, made_at, actor.name or actor_name(actor.label))


def _gather(
    session: Session, post: Post, person: Participant, made_at: datetime, made_by: str
) -> PersonalReport:
    pid = person.id
    names: dict[int, str] = {
        vid: name
        for vid, name in session.execute(
            select(Volunteer.id, Volunteer.name).where(Volunteer.post_id == post.id)
        )
    }
    today = local_date(made_at, post.timezone)
    status = session.scalars(select(sql_status_on(today)).where(Participant.id == pid)).one()
    erased = _erased_keys(person)
    receipts, receipt_ids, month_ids = _receipts(session, pid, names)
    cover = _cover(session, pid)
    cards = _cards(session, pid, names)
    requests = _requests(session, pid, names)
    ids = {
        "participants": [pid],
        "cover_periods": [c[0] for c in cover],
        "receipts": receipt_ids,
        "receipt_months": month_ids,
        "card_issues": [c[0] for c in cards],
        "data_requests": [r[0] for r in requests],
    }
    history = _history(session, ids)
    return PersonalReport(
        participant_id=pid,
        registration_no=person.registration_no,
        post_code=post.code,
        post_name=post.name,
        wadah=post.wadah,
        timezone=post.timezone,
        is_demo=bool(post.is_demo),
        made_at=made_at,
        made_by=made_by,
        erased_at=person.erased_at,
        desa_name=areas.full_name(person.desa_code),
        fields=_fields(person, names, str(status), erased),
        cover=tuple(c[1] for c in cover),
        receipts=receipts,
        cards=tuple(c[1] for c in cards),
        calls=_calls(session, pid, names),
        requests=tuple(r[1] for r in requests),
        batches=_batches(session, post.id, history),
        history=tuple(history),
        accesses=_accesses(session, pid),
        erased_keys=erased,
    )


def _erased_keys(person: Participant) -> frozenset[str]:
    """The columns emptied by the person's erasure (by the rules in force that day)."""
    if person.erased_at is None:
        return frozenset()
    rules = personal_data_rules(person.erased_at.date())
    return frozenset(erased_columns(rules))


def _fields(
    person: Participant, names: dict[int, str], status: str, erased: frozenset[str]
) -> tuple[FieldRow, ...]:
    rows = []
    for key, label in FIELDS:
        if key == "registered_by":
            value: Any = names.get(person.registered_by_id or 0)
        elif key == "status":
            value = status
        else:
            value = getattr(person, key)
        if key == "nik" and person.erased_at is not None:
            value = None  # the column holds a placeholder, never the NIK
        if key == "birth_date" and "birth_date" in erased:
            value = value.year  # kept to its year
        if key in ("nik_keyed", "erased_at", "ended_on") and value is None:
            continue  # only for those it concerns
        rows.append(FieldRow(key, label, value, key in erased and key != "birth_date"))
    return tuple(rows)


def _receipts(
    session: Session, pid: int, names: dict[int, str]
) -> tuple[tuple[ReceiptItem, ...], list[int], list[int]]:
    receipts = session.scalars(
        select(Receipt).where(Receipt.participant_id == pid).order_by(Receipt.issued_at, Receipt.id)
    ).all()
    number_of = {r.id: r.number for r in receipts}
    voided_by = {r.voids_receipt_id: r.number for r in receipts if r.voids_receipt_id}
    months: dict[int, list[MonthItem]] = {}
    month_ids: list[int] = []
    for m in session.scalars(
        select(ReceiptMonth)
        .where(ReceiptMonth.participant_id == pid)
        .order_by(ReceiptMonth.participant_id, ReceiptMonth.month)
    ):
        month_ids.append(m.id)
        months.setdefault(m.receipt_id, []).append(
            MonthItem(
                m.month,
                m.jkk,
                m.jkm,
                m.jht,
                m.total,
                number_of.get(m.voided_by_receipt_id or 0),
            )
        )
    items = tuple(
        ReceiptItem(
            number=r.number,
            kind=r.kind,
            issued_at=r.issued_at,
            issued_on=r.issued_on,
            issued_by=names.get(r.issued_by_id or 0),
            month_count=r.month_count,
            first_month=r.first_month,
            last_month=r.last_month,
            jkk=r.jkk,
            jkm=r.jkm,
            jht=r.jht,
            total=r.total,
            cash_received=r.cash_received,
            refund=bool(r.refund),
            reason=r.reason,
            voids=number_of.get(r.voids_receipt_id or 0),
            voided_by=voided_by.get(r.id),
            months=tuple(months.get(r.id, ())),
        )
        for r in receipts
    )
    return items, [r.id for r in receipts], month_ids


def _cover(session: Session, pid: int) -> list[tuple[int, CoverItem]]:
    periods = session.scalars(
        select(CoverPeriod)
        .where(CoverPeriod.participant_id == pid)
        .order_by(CoverPeriod.start_date, CoverPeriod.number)
    ).all()
    wanted = {p.receipt_id for p in periods} | {p.voided_by_receipt_id for p in periods}
    wanted.discard(None)
    numbers: dict[int, str] = {
        rid: number
        for rid, number in session.execute(
            select(Receipt.id, Receipt.number).where(Receipt.id.in_(wanted))
        )
    }
    return [
        (
            p.id,
            CoverItem(
                p.number,
                p.kind,
                p.start_date,
                p.end_date,
                p.programmes,
                p.campaign_code,
                numbers.get(p.receipt_id or 0),
                numbers.get(p.voided_by_receipt_id or 0),
            ),
        )
        for p in periods
    ]


def _cards(session: Session, pid: int, names: dict[int, str]) -> list[tuple[int, CardItem]]:
    return [
        (
            c.id,
            CardItem(
                c.serial,
                c.reason,
                c.reason_note,
                c.issued_on,
                c.issued_at,
                names.get(c.issued_by_id or 0),
                c.state,
                c.replaced_at,
                c.handed_over_at,
            ),
        )
        for c in session.scalars(
            select(CardIssue).where(CardIssue.participant_id == pid).order_by(CardIssue.serial)
        )
    ]


def _calls(session: Session, pid: int, names: dict[int, str]) -> tuple[CallItem, ...]:
    return tuple(
        CallItem(c.number, c.called_at, names.get(c.called_by_id or 0), c.outcome, c.note)
        for c in session.scalars(
            select(CallOutcome)
            .where(CallOutcome.participant_id == pid)
            .order_by(CallOutcome.called_at, CallOutcome.number)
        )
    )


def _requests(session: Session, pid: int, names: dict[int, str]) -> list[tuple[int, RequestItem]]:
    return [
        (
            r.id,
            RequestItem(
                r.natural_key(),
                r.kind,
                r.made_on,
                r.made_how,
                r.note,
                r.state,
                r.outcome,
                r.recorded_at,
                names.get(r.recorded_by_id or 0),
                r.branch_done_at,
            ),
        )
        for r in session.scalars(
            select(DataRequest)
            .where(DataRequest.participant_id == pid)
            .order_by(DataRequest.made_on, DataRequest.number)
        )
    ]


def _history(session: Session, ids: dict[str, list[int]]) -> list[HistoryItem]:
    """The audit entries of the participant and their records, oldest first: one query, each
    branch of its OR an ``ix_audit_log_entity`` lookup."""
    wanted = [
        and_(AuditEntry.entity == entity, AuditEntry.entity_id.in_([str(i) for i in entity_ids]))
        for entity, entity_ids in ids.items()
        if entity_ids
    ]
    entries = session.scalars(select(AuditEntry).where(or_(*wanted))).all()
    entries = sorted(entries, key=lambda e: e.id)
    return [
        HistoryItem(
            at=e.at,
            who=actor_name(e.actor),
            action=e.action,
            entity=e.entity,
            key=e.entity_key,
            changes={k: v for k, v in json.loads(e.changes_json).items() if k not in NEVER_SHOWN},
            change_no=e.change_no,
        )
        for e in entries
    ]


def _batches(session: Session, post_id: int, history: list[HistoryItem]) -> tuple[BatchItem, ...]:
    """The post's batches that carried one of the person's changes (one query: a post writes
    about one batch a week, so the table stays small and is read through its (post, seq) key)."""
    if not history:
        return ()
    batches = session.scalars(
        select(Batch).where(Batch.post_id == post_id).order_by(Batch.post_id, Batch.seq)
    ).all()
    batches = sorted(batches, key=lambda b: b.change_to)
    ends = [b.change_to for b in batches]
    carried: dict[int, dict[str, int]] = {}
    for item in history:
        at = bisect.bisect_left(ends, item.change_no)
        if at < len(batches) and batches[at].change_from < item.change_no:
            counts = carried.setdefault(at, {})
            counts[item.entity] = counts.get(item.entity, 0) + 1
    return tuple(
        BatchItem(
            batches[i].seq,
            batches[i].file_name,
            batches[i].created_at,
            batches[i].state,
            batches[i].acknowledged_at,
            carried[i],
        )
        for i in sorted(carried, key=lambda i: batches[i].seq)
    )


def _accesses(session: Session, pid: int) -> tuple[AccessItem, ...]:
    """Who looked, oldest first: ``services.access.accesses_of``'s query, in this snapshot."""
    rows = session.execute(
        select(AccessRecord, Volunteer.name)
        .join(AccessSubject, AccessSubject.access_id == AccessRecord.id)
        .outerjoin(Volunteer, Volunteer.id == AccessRecord.volunteer_id)
        .where(AccessSubject.participant_id == pid)
        .order_by(AccessRecord.at, AccessRecord.id)
    ).all()
    return tuple(AccessItem(r.at, actor_name(r.actor, name), r.action, r.what) for r, name in rows)


# --- the portable copy (UU PDP Art. 13) ----------------------------------------------------------


def iso(value: Any) -> Any:
    """A date as ``YYYY-MM-DD``, a moment as ISO UTC (``2026-11-27T02:30:00Z``)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _item(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return iso(value)


def _item(obj: Any) -> dict[str, Any]:
    return {k: _plain(v) for k, v in obj.__dict__.items()}


def report_json(report: PersonalReport) -> dict[str, Any]:
    """The report for another system: English snake_case keys, ISO dates, UTC moments."""
    participant = {row.key: _plain(row.value) for row in report.fields}
    participant["desa_name"] = report.desa_name
    return {
        "format": "rumah-perisai/personal-report",
        "format_version": FORMAT_VERSION,
        "post": {"code": report.post_code, "name": report.post_name},
        "made_at": iso(report.made_at),
        "made_by": report.made_by,
        "participant": participant,
        "erased_fields": sorted(row.key for row in report.fields if row.erased),
        "cover_periods": [_item(c) for c in report.cover],
        "receipts": [_item(r) for r in report.receipts],
        "cards": [_item(c) for c in report.cards],
        "calls": [_item(c) for c in report.calls],
        "data_requests": [_item(r) for r in report.requests],
        "batches": [_item(b) for b in report.batches],
        "history": [_item(h) for h in report.history],
        "accesses": [_item(a) for a in report.accesses],
    }
