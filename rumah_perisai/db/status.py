"""A participant's cover status on a day, computed by the database from the stored dates.

The same decision as ``rumah_perisai.domain.coverage.status_from_summary``, written as one SQL
``CASE`` so lists and dashboards filter and count by status without loading participants.
``tests/db/test_status.py`` proves the two agree on generated histories, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, case, or_

from rumah_perisai.db.models import Participant
from rumah_perisai.domain.coverage import CoverSummary, Standing, Status


def status_on(day: date) -> ColumnElement[str]:
    """``Status`` value (as text) of each participant row on ``day``."""
    p = Participant
    return case(
        (p.standing == Standing.WITHDRAWN.value, Status.WITHDRAWN.value),
        (p.standing == Standing.REJECTED.value, Status.REJECTED.value),
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
