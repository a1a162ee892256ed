"""The dashboard's stored columns worked out from scratch, from the records (for the tests).

``Participant.promotion_end``: the end of the promotion's cover period of a participant registered
under a campaign; ``Participant.converted_on``: the issue day of the first payment receipt that
pays a month after it and whose months are not voided. Read here in Python, row by row, so the
services' SQL is checked against an independent reading.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from rumah_perisai.db.models import CoverPeriod, Participant, Receipt, ReceiptMonth


def expected_columns(session: Session) -> dict[int, tuple[date | None, date | None]]:
    ends: dict[int, date] = {}
    for participant_id, end in session.execute(
        select(CoverPeriod.participant_id, CoverPeriod.end_date).where(
            CoverPeriod.kind == "promotion"
        )
    ):
        ends[participant_id] = max(end, ends.get(participant_id, end))
    issued = {i: day for i, day in session.execute(select(Receipt.id, Receipt.issued_on))}
    paid: dict[int, list[tuple[date, date]]] = defaultdict(list)  # (month, receipt day)
    for participant_id, receipt_id, month, voided in session.execute(
        select(
            ReceiptMonth.participant_id,
            ReceiptMonth.receipt_id,
            ReceiptMonth.month,
            ReceiptMonth.voided_by_receipt_id,
        )
    ):
        if voided is None:
            paid[participant_id].append((month, issued[receipt_id]))
    expected: dict[int, tuple[date | None, date | None]] = {}
    for participant_id, code in session.execute(select(Participant.id, Participant.promotion_code)):
        end = ends.get(participant_id) if code is not None else None
        days = [day for month, day in paid[participant_id] if end is not None and month > end]
        expected[participant_id] = (end, min(days) if days else None)
    return expected


def stored_columns(session: Session) -> dict[int, tuple[date | None, date | None]]:
    rows = session.execute(
        select(Participant.id, Participant.promotion_end, Participant.converted_on)
    )
    return {participant_id: (end, converted) for participant_id, end, converted in rows}
