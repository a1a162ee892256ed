"""Everything the participant view shows: the person, their cover, what happens next, and the
history of every change made to the record."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rumah_perisai import areas
from rumah_perisai.db.models import (
    AuditEntry,
    CardIssue,
    CoverPeriod,
    Participant,
    Receipt,
    Volunteer,
)
from rumah_perisai.db.status import status_on as sql_status_on
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.coverage import CoverSummary, Standing, Status, status_from_summary
from rumah_perisai.domain.dues import DuesError, monthly_dues
from rumah_perisai.domain.nik import mask_nik
from rumah_perisai.domain.personal_data import shown_name
from rumah_perisai.domain.promotion import load_campaigns
from rumah_perisai.errors import UserError
from rumah_perisai.services.access import Doc, Look, record_access_soon
from rumah_perisai.services.acks import pending_at_branch
from rumah_perisai.services.posts import local_post
from rumah_perisai.services.registration import programmes
from rumah_perisai.services.volunteers import Actor


@dataclass(frozen=True)
class CoverRow:
    kind: str  # promotion or paid
    start: date
    end: date
    programmes: str
    source: str  # campaign code or receipt number
    voided: bool


@dataclass(frozen=True)
class CardRow:
    serial: int
    issued_on: date
    reason: str
    state: str  # valid or replaced
    handed_over: bool


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor: str
    action: str  # create / update
    entity: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class ParticipantDetail:
    id: int
    registration_no: str
    kpj: str | None
    nik: str
    nik_masked: str
    name: str
    birth_place: str
    birth_date: date
    sex: str
    address: str
    desa_code: str
    desa_full_name: str
    phone: str | None
    occupation: str
    income: int
    with_jht: bool
    heir_name: str | None
    heir_relation: str | None
    registered_on: date
    registered_by: str | None
    standing: str
    standing_reason: str | None
    rejoin_count: int
    status: Status
    cover_until: date | None
    next_change: tuple[date, Status] | None  # the day the status changes by itself, and to what
    nik_override_reason: str | None
    duplicate_override_reason: str | None
    cover: list[CoverRow]
    history: list[HistoryRow]
    cards: list[CardRow]
    # The branch holds this registration in a NIK conflict with another post's member, to be
    # decided by an officer (from the newest acknowledgement); None when nothing is pending.
    branch_pending: str | None = None
    # The month to pay next to stay covered, and its dues, when the cover ends by itself (the
    # free cover or the paid months run out): the view says what to pay, not "arrears from…".
    next_dues: tuple[date, int] | None = None


def campaign_name(code: str) -> str:
    """A promotion's name as the campaigns file gives it (never its code on screen)."""
    for campaign in load_campaigns():
        if campaign.code == code:
            return campaign.name
    return code


def _source(session: Session, period: CoverPeriod) -> str:
    """Where a cover period comes from, as a volunteer knows it: the promotion's name, or the
    number of the receipt that paid it (what the participant holds on paper)."""
    if period.campaign_code:
        return campaign_name(period.campaign_code)
    if period.receipt_id is not None:
        receipt = session.get(Receipt, period.receipt_id)
        return receipt.number if receipt is not None else ""
    return ""


def _next_dues(
    participant: Participant, change: tuple[date, Status] | None
) -> tuple[date, int] | None:
    if change is None or change[1] is not Status.ARREARS:
        return None
    month = change[0].replace(day=1)
    try:
        dues = monthly_dues(participant.income, programmes(participant.with_jht), month)
    except DuesError:  # an income outside the rate table: the payment dialog says so
        return None
    return month, dues.total


def _masked(changes: dict[str, Any]) -> dict[str, Any]:
    """The history shows NIKs masked like the rest of the view."""
    nik = changes.get("nik")
    if isinstance(nik, list):
        changes["nik"] = [mask_nik(v) if isinstance(v, str) and len(v) == 16 else v for v in nik]
    elif isinstance(nik, str) and len(nik) == 16:
        changes["nik"] = mask_nik(nik)
    return changes


def next_status_change(participant: Participant, today: date) -> tuple[date, Status] | None:
    """The first day after ``today`` on which the status changes without anyone doing anything."""
    summary = CoverSummary(
        participant.cover_until,
        participant.arrears_until,
        participant.promo_until,
        participant.cover_from,
    )
    standing = Standing(participant.standing)
    now = status_from_summary(standing, summary, participant.membership_start, today)
    edges = [
        d + timedelta(days=1)
        for d in (participant.promo_until, participant.cover_until, participant.arrears_until)
        if d is not None and d >= today
    ]
    if participant.cover_from is not None and participant.cover_from > today:
        edges.append(participant.cover_from)  # a first paid month still to come
    for day in sorted(edges):
        later = status_from_summary(standing, summary, participant.membership_start, day)
        if later is not now:
            return day, later
    return None


def view_participant(
    db: Database, participant_id: int, today: date, actor: Actor
) -> ParticipantDetail:
    """The participant's window opened by ``actor``: what it shows, and a record that they
    looked (``services.access``). Showing it again after a change notice is not a new look and
    calls ``participant_detail`` alone."""
    detail = participant_detail(db, participant_id, today)
    # Queued, committed off this thread: the window opens without waiting for the disk.
    record_access_soon(db, actor, Look.VIEW, [participant_id], Doc.WINDOW)
    return detail


def participant_detail(db: Database, participant_id: int, today: date) -> ParticipantDetail:
    with db.reading() as session:
        post = local_post(session)
        participant = session.get(Participant, participant_id)
        if post is None or participant is None or participant.post_id != post.id:
            raise UserError("participant_missing", ref=participant_id)
        status = Status(
            session.scalars(
                select(sql_status_on(today)).where(Participant.id == participant_id)
            ).one()
        )
        registered_by = (
            session.get(Volunteer, participant.registered_by_id)
            if participant.registered_by_id
            else None
        )
        cover = [
            CoverRow(
                c.kind,
                c.start_date,
                c.end_date,
                c.programmes,
                _source(session, c),
                c.voided_by_receipt_id is not None,
            )
            for c in session.scalars(
                select(CoverPeriod)
                .where(CoverPeriod.participant_id == participant_id)
                .order_by(CoverPeriod.start_date)
            )
        ]
        cover_ids = [
            str(i)
            for i in session.scalars(
                select(CoverPeriod.id).where(CoverPeriod.participant_id == participant_id)
            )
        ]
        history = [
            HistoryRow(e.at, e.actor, e.action, e.entity, _masked(json.loads(e.changes_json)))
            for e in session.scalars(
                select(AuditEntry)
                .where(
                    or_(
                        (AuditEntry.entity == "participants")
                        & (AuditEntry.entity_id == str(participant_id)),
                        (AuditEntry.entity == "cover_periods")
                        & AuditEntry.entity_id.in_(cover_ids),
                    )
                )
                .order_by(AuditEntry.id)
            )
        ]
        cards = [
            CardRow(c.serial, c.issued_on, c.reason, c.state, c.handed_over_at is not None)
            for c in session.scalars(
                select(CardIssue)
                .where(CardIssue.participant_id == participant_id)
                .order_by(CardIssue.serial.desc())
            )
        ]
        address = participant.street
        if participant.rt or participant.rw:
            address += f", RT {participant.rt or '-'}/RW {participant.rw or '-'}"
        return ParticipantDetail(
            id=participant.id,
            registration_no=participant.registration_no,
            kpj=participant.kpj,
            nik=participant.nik,
            nik_masked=mask_nik(participant.nik),
            name=shown_name(participant.name),
            birth_place=participant.birth_place,
            birth_date=participant.birth_date,
            sex=participant.sex,
            address=address,
            desa_code=participant.desa_code,
            desa_full_name=areas.full_name(participant.desa_code),
            phone=participant.phone,
            occupation=participant.occupation,
            income=participant.income,
            with_jht=participant.with_jht,
            heir_name=participant.heir_name,
            heir_relation=participant.heir_relation,
            registered_on=participant.registered_on,
            registered_by=registered_by.name if registered_by else None,
            standing=participant.standing,
            standing_reason=participant.standing_reason,
            rejoin_count=participant.rejoin_count,
            status=status,
            cover_until=participant.cover_until,
            next_change=(change := next_status_change(participant, today)),
            next_dues=_next_dues(participant, change),
            nik_override_reason=participant.nik_override_reason,
            duplicate_override_reason=participant.duplicate_override_reason,
            cover=cover,
            history=history,
            cards=cards,
            branch_pending=pending_at_branch(session, participant.registration_no),
        )
