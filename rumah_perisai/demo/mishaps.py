"""The few payments a coordinator voids the same day or refunds on a later day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from rumah_perisai.demo.dice import Dice, Weighted
from rumah_perisai.demo.people import Membership
from rumah_perisai.domain.coverage import (
    CoverHistory,
    Standing,
    next_payable_months,
)
from rumah_perisai.domain.errors import RuleError
from rumah_perisai.domain.months import first_of_month

# Chances per payment of being voided the same day, or refunded on a later day. A little above the
# shares aimed at (0.5 % and 0.1 %): some payments cannot be voided the way the plan says (see
# ``Mishaps``) and are left alone.
_SAME_DAY_VOID_CHANCE = 0.0058
_REFUND_CHANCE = 0.0012
_REISSUE_CHANCE = 0.7  # of the same-day voids that may stay voided (a participant's last payment)
_VOIDS_BEFORE = 15  # o'clock: a mistake is seen while the participant is still at the post
# Reasons, as a coordinator types them. A void followed by a new receipt for the same months:
_REISSUED_REASONS = Weighted(
    [("Salah jumlah bulan", 3.0), ("Salah input peserta", 3.0), ("Salah ketik uang diterima", 2.0),
     ("Struk tercetak rusak", 1.0), ("Uang palsu", 1.0)]
)  # fmt: skip
_CANCELLED_REASONS = Weighted([("Peserta membatalkan", 3.0), ("Uang palsu", 1.0)])
_REFUND_REASONS = Weighted(
    [("Salah input peserta", 3.0), ("Salah jumlah bulan", 2.0), ("Data di struk salah", 1.0)]
)


@dataclass(frozen=True, slots=True)
class VoidPlan:
    """A payment the coordinator voids: the same day (a void) or a later day (a refund)."""

    payment: int  # index into the participant's payments
    moment: datetime  # the void's, in the post's time zone
    refund: bool
    reason: str
    reissue_at: datetime | None  # the same months paid again on a new receipt, or not


class Mishaps:
    """Chooses the few payments that are voided, so that the rest of the demo stays true.

    A void followed by a new receipt for the same months (most of them, and every refund)
    leaves the participant's cover as it was, provided no other payment of theirs comes in
    between and the dues rule would pay those same months again then. A void that is not
    followed by one takes back a participant's last payment only (nothing later was paid on top
    of it), and never leaves a membership without any cover (a "not yet covered" member).
    """

    def __init__(self, rng: Dice, today: date, zone: tzinfo) -> None:
        self.rng, self.today, self.zone = rng, today, zone

    def plan(self, membership: Membership) -> tuple[VoidPlan, ...]:
        payments = membership.payments
        start = first_of_month(membership.start)
        plans: list[VoidPlan] = []
        for index, payment in enumerate(payments):
            roll = self.rng.random()
            if roll >= _SAME_DAY_VOID_CHANCE + _REFUND_CHANCE or payment.months[0] < start:
                continue  # not chosen, or paid in a membership before a rejoin
            following = payments[index + 1].moment if index + 1 < len(payments) else None
            if roll < _SAME_DAY_VOID_CHANCE:
                plan = self._same_day(membership, index, following)
            else:
                plan = self._refund(membership, index, following)
            if plan is not None:
                plans.append(plan)
        return tuple(plans)

    def _same_day(
        self, membership: Membership, index: int, following: datetime | None
    ) -> VoidPlan | None:
        rng, payment = self.rng, membership.payments[index]
        if payment.moment.hour >= _VOIDS_BEFORE:
            return None
        moment = payment.moment + timedelta(minutes=rng.between(3, 40))
        covered = membership.promotion_end is not None or bool(
            set(membership.paid) - set(payment.months)
        )
        if following is None and covered and rng.random() >= _REISSUE_CHANCE:
            return VoidPlan(index, moment, False, _CANCELLED_REASONS.pick(rng), None)
        reissue = moment + timedelta(minutes=rng.between(1, 4))
        if following is not None and following <= reissue:
            return None
        return VoidPlan(index, moment, False, _REISSUED_REASONS.pick(rng), reissue)

    def _refund(
        self, membership: Membership, index: int, following: datetime | None
    ) -> VoidPlan | None:
        rng, payment = self.rng, membership.payments[index]
        day = payment.moment.date() + timedelta(days=rng.between(1, 10))
        if day.weekday() == 6:
            day += timedelta(days=1)
        moment = datetime(day.year, day.month, day.day, 8, tzinfo=self.zone) + timedelta(
            seconds=rng.below(7 * 3600)
        )
        reissue = moment + timedelta(minutes=rng.between(1, 5))
        if day >= self.today or (following is not None and following <= reissue):
            return None
        # The new receipt is what the dues service would take that day, once the old is voided.
        start = first_of_month(membership.start)
        earlier = frozenset(
            month for p in membership.payments[:index] for month in p.months if month >= start
        )
        history = CoverHistory(Standing.MEMBER, membership.start, membership.promotion_end, earlier)
        try:
            months = next_payable_months(history, day, len(payment.months))
        except RuleError:
            return None
        if tuple(months) != payment.months:
            return None
        return VoidPlan(index, moment, True, _REFUND_REASONS.pick(rng), reissue)
