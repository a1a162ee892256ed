"""A participant's cover status on a day, computed by the database from the stored dates.

The same decision as ``rumah_perisai.domain.coverage.status_from_summary``, written as one SQL
``CASE`` so lists and dashboards filter and count by status without loading participants.
``tests/db/test_status.py`` proves the two agree on generated histories, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from rumah_perisai.db.models import Participant, Receipt, ReceiptMonth
from rumah_perisai.domain.coverage import CoverSummary, Standing, Status


def status_on(day: date | ColumnElement[date]) -> ColumnElement[str]:
    """``Status`` value (as text) of each participant row on ``day``."""
    p = Participant
    return case(
        (p.standing == Standing.WITHDRAWN.value, Status.WITHDRAWN.value),
        (p.standing == Standing.REJECTED.value, Status.REJECTED.value),
        (p.standing == Standing.ENDED.value, Status.ENDED.value),
        (p.membership_start > day, Status.NOT_YET_COVERED.value),
        (and_(p.promo_until.is_not(None), p.promo_until >= day), Status.PROMOTION.value),
        (or_(p.cover_until.is_(None), p.arrears_until.is_(None)), Status.NOT_YET_COVERED.value),
        (and_(p.cover_from.is_not(None), p.cover_from > day), Status.NOT_YET_COVERED.value),
        (p.cover_until >= day, Status.ACTIVE.value),
        (p.arrears_until >= day, Status.ARREARS.value),
        else_=Status.LAPSED.value,
    )


def store_summary(participant: Participant, summary: CoverSummary) -> None:
    """Keep the participant's stored cover dates in step with its history (services call this)."""
    participant.promo_until = summary.promo_until
    participant.cover_from = summary.cover_from
    participant.cover_until = summary.cover_until
    participant.arrears_until = summary.arrears_until
    if summary.promo_until is not None:
        # The first membership's promotion; a rejoin clears ``promo_until`` but not this.
        participant.promotion_end = summary.promo_until


def conversion_day(participant_id: Any, promotion_end: Any) -> Any:
    """The issue day of the first non-voided receipt paying a month after ``promotion_end``
    (a scalar subquery; None while there is none). What ``Participant.converted_on`` stores."""
    return (
        select(func.min(Receipt.issued_on))
        .select_from(ReceiptMonth)
        .join(Receipt, Receipt.id == ReceiptMonth.receipt_id)
        .where(
            ReceiptMonth.participant_id == participant_id,
            ReceiptMonth.voided_by_receipt_id.is_(None),
            ReceiptMonth.month > promotion_end,
        )
        .scalar_subquery()
    )


def store_conversion(session: Session, participant: Participant) -> None:
    """Keep ``converted_on`` in step after the participant's receipts changed (pay, void)."""
    if participant.promotion_end is None:
        participant.converted_on = None
        return
    session.flush()
    participant.converted_on = session.scalar(
        select(conversion_day(participant.id, participant.promotion_end))
    )


def fill_conversions(session: Session, post_id: int) -> None:
    """``converted_on`` of every participant of a post, in one statement (bulk-written rows)."""
    p = Participant
    session.execute(
        update(p)
        .where(p.post_id == post_id, p.promotion_end.is_not(None))
        .values(converted_on=conversion_day(p.id, p.promotion_end))
        .execution_options(synchronize_session=False)
    )
