"""Monthly incentive statements per volunteer (issue 7), under the scheme in force.

What the database gives the pure rules (``rumah_perisai.domain.incentives``):

* **New participants** of a volunteer in a month: registrations the volunteer made
  (``registered_by_id``) with ``registered_on`` in the month that still stand (not withdrawn, not
  rejected), and were not brought in from a list kept before this program (``import_ref``,
  issue 20). A rejoin keeps its original registration date, so it is never new in the month it
  rejoined (DOMAIN.md, "Rejoining"). "NIK never registered before" is checked at this post only:
  a post holds one registration per NIK, so each new registration has a new NIK here; the
  branch-wide check (the NIK registered at another post, or BPU before) comes with the branch
  import and is not made yet.
* **Dues lines**: every dues month of a receipt issued in the month (+ its amount, JHT included)
  and every dues month voided by a void receipt issued in the month (− its amount), for the
  participants the volunteer registered, whoever took the cash. The membership month of a dues
  month is the number of months since the membership's first month, plus one (promotion months
  count: a participant registered in January pays May as membership month 5).

Counted by aggregate queries grouped by the few values the rules need; no loop over participants.
The dues queries start from the month's receipts, so their cost follows the month's receipts, not
the post's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from rumah_perisai.db.models import Participant, Receipt, ReceiptMonth, Volunteer
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.coverage import Standing
from rumah_perisai.domain.incentives import (
    DuesLine,
    NewParticipant,
    Scheme,
    StatementLine,
    month_incentive,
    scheme_for_month,
)
from rumah_perisai.domain.months import add_months, first_of_month, months_between
from rumah_perisai.errors import UserError
from rumah_perisai.services.posts import the_post


@dataclass(frozen=True)
class IncentiveStatement:
    """A volunteer's printable monthly statement."""

    volunteer_id: int
    volunteer_name: str
    month: date  # first day
    scheme_code: str | None  # None: no scheme was in force (said in ``lines``)
    scheme_name: str | None
    new_participants: int
    new_with_jht: int
    dues_base: int  # dues counted, net of voids
    lines: tuple[StatementLine, ...]
    gross: int
    wadah_share: int

    @property
    def net(self) -> int:
        return self.gross - self.wadah_share

    @property
    def no_scheme(self) -> bool:
        return self.scheme_code is None


@dataclass
class _Inputs:
    new: list[NewParticipant]
    dues: list[DuesLine]


def _month_bounds(month: date) -> tuple[date, date]:
    start = first_of_month(month)
    return start, add_months(start, 1) - timedelta(days=1)


def _gather(
    session: Session, post_id: int, month: date, volunteer_id: int | None
) -> dict[int, _Inputs]:
    """Per volunteer: the new participants and dues lines of ``month``."""
    start, end = _month_bounds(month)
    p = Participant
    inputs: dict[int, _Inputs] = {}

    def slot(volunteer: int) -> _Inputs:
        return inputs.setdefault(volunteer, _Inputs([], []))

    who: list[Any] = [p.post_id == post_id, p.registered_by_id.is_not(None)]
    if volunteer_id is not None:
        who.append(p.registered_by_id == volunteer_id)

    new_rows = session.execute(
        select(p.registered_by_id, p.with_jht, func.count())
        .where(
            *who,
            p.registered_on >= start,
            p.registered_on <= end,
            # Brought in from a list kept before (issue 20): registered long ago, by whoever
            # the list names, never a volunteer's new participant of any month.
            p.import_ref.is_(None),
            # A person who withdrew consent after the month still counts in it: a statement of
            # a month that has ended never changes (docs/personal-data.md, "from then on").
            or_(
                p.standing == Standing.MEMBER.value,
                and_(p.standing == Standing.ENDED.value, p.ended_on > end),
            ),
        )
        .group_by(p.registered_by_id, p.with_jht)
    )
    for volunteer, with_jht, count in new_rows:
        slot(int(volunteer or 0)).new.extend([NewParticipant(bool(with_jht), True)] * int(count))

    rm = ReceiptMonth
    for sign, receipt_column in ((1, rm.receipt_id), (-1, rm.voided_by_receipt_id)):
        rows = session.execute(
            select(p.registered_by_id, p.membership_start, rm.month, func.sum(rm.total))
            .select_from(rm)
            .join(Receipt, Receipt.id == receipt_column)
            .join(p, p.id == rm.participant_id)
            # Led by the post's receipts of the month (``ix_receipts_post_issued_on``), then their
            # months by receipt or by void (both indexed): never every participant's months.
            .where(
                *who,
                Receipt.post_id == post_id,
                Receipt.issued_on >= start,
                Receipt.issued_on <= end,
            )
            .group_by(p.registered_by_id, p.membership_start, rm.month)
        )
        for volunteer, membership_start, dues_month, total in rows:
            number = months_between(membership_start, dues_month) + 1
            slot(int(volunteer or 0)).dues.append(DuesLine(sign * int(total), number))
    return inputs


def _statement(
    volunteer: Volunteer, month: date, scheme: Scheme | None, inputs: _Inputs | None
) -> IncentiveStatement:
    given = inputs or _Inputs([], [])
    result = month_incentive(scheme, given.new, given.dues)
    return IncentiveStatement(
        volunteer_id=volunteer.id,
        volunteer_name=volunteer.name,
        month=first_of_month(month),
        scheme_code=None if scheme is None else scheme.code,
        scheme_name=None if scheme is None else scheme.name,
        new_participants=len(given.new),
        new_with_jht=sum(1 for n in given.new if n.with_jht),
        dues_base=sum(line.amount for line in given.dues),
        lines=result.lines,
        gross=result.gross,
        wadah_share=result.wadah_share,
    )


def volunteer_month(db: Database, volunteer_id: int, month: date) -> IncentiveStatement:
    """One volunteer's statement for ``month`` (any day of it)."""
    scheme = scheme_for_month(month)
    with db.reading() as session:
        post_id = the_post(session).id
        volunteer = session.get(Volunteer, volunteer_id)
        if volunteer is None or volunteer.post_id != post_id:
            raise UserError("volunteer_missing", ref=volunteer_id)
        inputs = _gather(session, post_id, month, volunteer_id)
        return _statement(volunteer, month, scheme, inputs.get(volunteer_id))


def post_month(db: Database, month: date) -> list[IncentiveStatement]:
    """Statements of every volunteer of the post for ``month``: the active accounts and anyone
    with registrations or dues in the month, in account order."""
    scheme = scheme_for_month(month)
    with db.reading() as session:
        post_id = the_post(session).id
        inputs = _gather(session, post_id, month, None)
        volunteers = session.scalars(
            select(Volunteer).where(Volunteer.post_id == post_id).order_by(Volunteer.number)
        ).all()
        return [
            _statement(v, month, scheme, inputs.get(v.id))
            for v in volunteers
            if v.active or v.id in inputs
        ]
