"""The made-up participants: who they are, when they registered and how they paid."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from rumah_perisai.demo.dice import Dice, Weighted
from rumah_perisai.demo.logins import ACTIVITY
from rumah_perisai.demo.pools import HIGHER_INCOMES, JHT_SHARE, PHONE_PREFIXES, Pools, age_weight
from rumah_perisai.domain.coverage import (
    ARREARS_MONTHS,
    CoverHistory,
    Standing,
    next_payable_months,
)
from rumah_perisai.domain.dues import JHT, JKK, JKM, income_brackets
from rumah_perisai.domain.months import add_months, first_of_month, month_end
from rumah_perisai.domain.nik import SEX_FEMALE, SEX_MALE
from rumah_perisai.domain.promotion import PromotionCover, promotion_cover
from rumah_perisai.domain.working_age import rule_on

WINDOW_MONTHS = 8  # registrations spread over this many months before today


@dataclass(frozen=True)
class _Habit:
    """How a participant pays once the free cover ends."""

    lateness: Weighted[int]  # months after the due month that the payment comes (0-2)
    counts: Weighted[int]  # months paid at a time (1, 3, 6 or 12)
    stop_chance: float  # chance of stopping for good after each payment
    max_payments: int | None = None
    early: bool = False  # pays in the first days of the month


_NEVER = _Habit(Weighted([(0, 1.0)]), Weighted([(1, 1.0)]), 1.0, max_payments=0)
_STEADY = _Habit(
    Weighted([(0, 0.9), (1, 0.1)]),
    Weighted([(1, 0.55), (3, 0.30), (6, 0.10), (12, 0.05)]),
    stop_chance=0.03,
    early=True,
)
_IRREGULAR = _Habit(
    Weighted([(0, 0.4), (1, 0.4), (2, 0.2)]), Weighted([(1, 0.6), (3, 0.4)]), stop_chance=0.10
)
_STOPPER = _Habit(
    Weighted([(0, 0.6), (1, 0.3), (2, 0.1)]),
    Weighted([(1, 0.8), (3, 0.2)]),
    stop_chance=0.5,
    max_payments=2,
)
# Conversion after a free promotion is low (DOMAIN.md: sustaining dues is the stated goal).
_HABITS = Weighted([(_NEVER, 0.45), (_STEADY, 0.30), (_IRREGULAR, 0.17), (_STOPPER, 0.08)])
_REJOIN_CHANCE = 0.3  # of those lapsed before today: the post's call list brings some back
_REJOIN_COUNTS = Weighted([(1, 0.6), (3, 0.4)])


@dataclass(frozen=True, slots=True)
class Payment:
    moment: datetime  # aware, in the post's time zone
    months: tuple[date, ...]


@dataclass(slots=True)
class Membership:
    """A participant's cover as it is simulated: the current membership and every payment."""

    start: date
    promotion_end: date | None
    paid: list[date] = field(default_factory=list)  # months paid in the current membership
    payments: list[Payment] = field(default_factory=list)  # all of them, oldest first
    rejoined: bool = False

    def history(self) -> CoverHistory:
        return CoverHistory(Standing.MEMBER, self.start, self.promotion_end, frozenset(self.paid))

    def last_covered(self) -> date | None:
        if self.paid:
            return self.paid[-1]
        return first_of_month(self.promotion_end) if self.promotion_end else None

    def pay(self, moment: datetime, count: int) -> None:
        """Pay ``count`` months the way the dues service will: oldest unpaid month first."""
        months = next_payable_months(self.history(), moment.date(), count)
        self.paid.extend(months)
        self.payments.append(Payment(moment, tuple(months)))

    def rejoin(self, moment: datetime) -> None:
        """DOMAIN.md, "Rejoining": same record, membership from the current month, no promotion."""
        self.start, self.promotion_end, self.paid = first_of_month(moment.date()), None, []
        self.rejoined = True


# --- the people -----------------------------------------------------------------------------------


# A person's own participant columns (who, where, registration), in the order of ``columns``.
PERSON_COLUMNS = (
    "nik", "name", "birth_place", "birth_date", "sex", "street", "rt", "rw", "desa_code", "phone",
    "occupation", "income", "with_jht", "heir_name", "heir_relation", "consent_at",
    "registered_on", "registered_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Person:
    # The participant's own columns (``PERSON_COLUMNS``): a tuple, as the rows are written.
    columns: tuple[Any, ...]
    registered: datetime
    income: int
    programmes: tuple[str, ...]
    registered_by: int  # index into the accounts
    cover: PromotionCover | None
    membership: Membership


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return date(day.year - years, 2, 28)


class People:
    """Makes one made-up participant after another, from one random generator."""

    def __init__(
        self,
        rng: Dice,
        pools: Pools,
        accounts: int,
        today: date,
        zone: tzinfo,
    ) -> None:
        self.rng, self.pools, self.today, self.zone = rng, pools, today, zone
        self.registrars = Weighted(list(zip(range(accounts), ACTIVITY, strict=False)))
        brackets = income_brackets(today)
        higher = [(income, weight) for income, weight in HIGHER_INCOMES if income in brackets]
        self.minimum_income = brackets[0]
        self.incomes = Weighted([(brackets[0], 80.0), *higher])
        self.serials: dict[str, int] = {}  # NIK without serial -> last serial given
        self.recent_phones: deque[str] = deque(maxlen=20)
        self._ages: dict[tuple[int, int | None], Weighted[int]] = {}
        self.covers: dict[date, PromotionCover | None] = {}  # by registration day

    def everyone(self, count: int) -> Iterator[Person]:
        """``count`` people, in the order they registered (the draws: their moments first)."""
        for moment in self.registration_moments(count):
            yield self.person(moment)

    # registrations: weekly sosialisasi drives, a launch, quiet Sundays

    def registration_moments(self, count: int) -> list[datetime]:
        """When each registration happened, oldest first, all before today."""
        first = add_months(self.today, -WINDOW_MONTHS)
        first = first.replace(day=min(self.today.day, month_end(first).day))
        days = [first + timedelta(days=n) for n in range((self.today - first).days)]
        weights, drives = self._day_weights(days)
        picker = Weighted(list(zip(days, weights, strict=True)))
        picked = sorted(picker.pick(self.rng) for _ in range(count))
        moments = [self._office_time(day, drive=day in drives) for day in picked]
        return sorted(moments)

    def _day_weights(self, days: Sequence[date]) -> tuple[list[float], set[date]]:
        weeks: dict[date, tuple[float, int]] = {}  # Monday -> (busyness, drive weekday)
        weights: list[float] = []
        drives: set[date] = set()
        for day in days:
            monday = day - timedelta(days=day.weekday())
            if monday not in weeks:
                launch = 2.2 if len(weeks) < 5 else 1.0  # the first weeks' big launch
                weeks[monday] = (launch * self.rng.uniform(0.6, 1.5), self.rng.below(6))
            busyness, drive_weekday = weeks[monday]
            if day.weekday() == drive_weekday:
                drives.add(day)
                weights.append(busyness * 6.0)
            else:
                weights.append(busyness * {5: 0.8, 6: 0.25}.get(day.weekday(), 1.0))
        return weights, drives

    def _office_time(self, day: date, *, drive: bool = False) -> datetime:
        """A moment in office hours (08:00-16:00; a drive is a morning at the balai desa)."""
        seconds = self.rng.below((4 if drive else 8) * 3600)
        return datetime(day.year, day.month, day.day, 8, tzinfo=self.zone) + timedelta(
            seconds=seconds
        )

    # one person

    def person(self, registered: datetime) -> Person:
        rng, day = self.rng, registered.date()
        sex = SEX_MALE if rng.random() < 0.52 else SEX_FEMALE
        birth_date, age = self._birth_date(day)
        desa = self.pools.area.desa.pick(rng)
        district = (
            desa.parent_code if rng.random() < 0.85 else rng.one_of(self.pools.area.districts)
        )
        income = self.incomes.pick(rng)
        with_jht = rng.random() < JHT_SHARE[income == self.minimum_income]
        heir_name, heir_relation = self._heir(sex, age)
        street, rt, rw = self._address()
        registered_by = self.registrars.pick(rng)
        # In PERSON_COLUMNS order (the draws in the order they were made before).
        columns = (
            self._nik(district, birth_date, sex),
            self._name(sex),
            self.pools.area.birth_places.pick(rng),
            birth_date,
            sex,
            street,
            rt,
            rw,
            desa.code,
            self._phone(),
            self.pools.occupations[sex].pick(rng),
            income,
            with_jht,
            heir_name,
            heir_relation,
            registered - timedelta(seconds=rng.between(20, 400)),
            day,
            registered,
        )
        if day not in self.covers:
            self.covers[day] = promotion_cover(day)
        cover = self.covers[day]
        return Person(
            columns,
            registered,
            income,
            (JKK, JKM, JHT) if with_jht else (JKK, JKM),
            registered_by,
            cover,
            self._membership(registered, cover),
        )

    def _birth_date(self, registered: date) -> tuple[date, int]:
        """A birth date giving an age inside the working-age rule on the registration day."""
        age = self._age_picker(registered).pick(self.rng)
        latest = _years_before(registered, age)
        earliest = _years_before(registered, age + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.below((latest - earliest).days + 1)), age

    def _age_picker(self, registered: date) -> Weighted[int]:
        rule = rule_on(registered)
        key = (rule.min_age, rule.max_age)
        if key not in self._ages:
            top = 65 if rule.max_age is None else min(65, rule.max_age)
            ages = range(max(15, rule.min_age), top + 1)
            self._ages[key] = Weighted([(age, age_weight(age)) for age in ages])
        return self._ages[key]

    def _nik(self, district: str, birth_date: date, sex: str) -> str:
        """``PP KK CC DDMMYY SSSS`` with day + 40 for women and a serial not given before."""
        day = birth_date.day + (40 if sex == SEX_FEMALE else 0)
        stem = (
            f"{district.replace('.', '')}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
        )
        serial = self.serials.get(stem, 0) + self.rng.between(1, 9)
        if serial > 9999:  # some 9,000 people of one kecamatan born on one day: never in practice
            raise RuntimeError(f"NIK serials exhausted for {stem}")
        self.serials[stem] = serial
        return f"{stem}{serial:04d}"

    def _name(self, sex: str) -> str:
        """One, two or three names; an Islamic first name now and then; spellings vary."""
        rng, names = self.rng, self.pools.names
        parts: list[str] = []
        roll = rng.random()
        if roll < 0.12:
            if sex == SEX_MALE:
                parts.append("Muhammad" if roll < 0.08 else "Ahmad")
            else:
                parts.append("Siti" if roll < 0.09 else "Nur")
        parts.append(rng.one_of(names.given[sex]))
        roll = rng.random()
        if roll < 0.55:
            parts.append(rng.one_of(names.second[sex]))
        elif roll < 0.70:
            parts.append(rng.one_of(names.given[sex]))  # two given names: "Asep Saepudin"
        return " ".join(self._spelling(word) for word in dict.fromkeys(parts))

    def _spelling(self, word: str) -> str:
        """Muhamad for Muhammad, Sity for Siti: the variants a duplicate check must see through."""
        others = self.pools.names.variants.get(word)
        if others and self.rng.random() < 0.2:
            return self.rng.one_of(others)
        return word

    def _heir(self, sex: str, age: int) -> tuple[str | None, str | None]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.04:
            return None, None
        if age >= 22 and roll < 0.75:
            spouse = SEX_FEMALE if sex == SEX_MALE else SEX_MALE
            return self._name(spouse), "Istri" if sex == SEX_MALE else "Suami"
        relation = (
            "Anak" if age >= 38 and roll < 0.9 else "Orang tua" if age < 35 else "Saudara kandung"
        )
        return self._name(rng.one_of((SEX_MALE, SEX_FEMALE))), relation

    def _address(self) -> tuple[str, str | None, str | None]:
        rng = self.rng
        street = rng.one_of(self.pools.names.streets)
        if street.startswith(("Jl.", "Gg.")) and rng.random() < 0.45:
            street = f"{street} No. {rng.between(1, 120)}"
        if rng.random() < 0.03:
            return street, None, None
        return street, f"{rng.between(1, 12):03d}", f"{rng.between(1, 6):03d}"

    def _phone(self) -> str | None:
        """Most have a phone; some share one with family who registered just before them."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.15:
            return None
        if roll < 0.19 and self.recent_phones:
            return rng.one_of(self.recent_phones)
        digits = rng.one_of((7, 8, 8, 8, 9))
        phone = rng.one_of(PHONE_PREFIXES) + str(rng.between(10 ** (digits - 1), 10**digits - 1))
        self.recent_phones.append(phone)
        return phone

    # paying

    def _membership(self, registered: datetime, cover: PromotionCover | None) -> Membership:
        """Payments from the end of the free cover up to today, by a habit chosen now."""
        membership = Membership(registered.date(), cover.end if cover else None)
        habit, since, last = _HABITS.pick(self.rng), 0, registered
        while True:
            if self._keeps_paying(habit, since):
                moment = self._payment_moment(habit, membership, last)
                if moment.date() >= self.today:
                    break
                membership.pay(moment, habit.counts.pick(self.rng))
                since, last = since + 1, moment
            elif not membership.rejoined and self._rejoins(membership):
                habit, since, last = _STEADY, 1, membership.payments[-1].moment
            else:
                break
        return membership

    def _keeps_paying(self, habit: _Habit, since: int) -> bool:
        if habit.max_payments is not None and since >= habit.max_payments:
            return False
        return since == 0 or self.rng.random() >= habit.stop_chance

    def _payment_moment(self, habit: _Habit, membership: Membership, last: datetime) -> datetime:
        """A day in the first unpaid month or up to two months later (in arrears, never lapsed),
        never before the previous payment."""
        rng = self.rng
        covered = membership.last_covered()
        if covered is None:  # no promotion: the first month is paid when registering
            return last + timedelta(minutes=rng.between(3, 20))
        month = add_months(covered, 1 + habit.lateness.pick(rng))
        low = 1
        if month <= first_of_month(last.date()):
            month, low = first_of_month(last.date()), last.day
        if habit.early:
            day = max(low, min(27, 1 + int(rng.expovariate(1 / 6))))
        else:
            day = rng.between(low, max(low, 27))
        if date(month.year, month.month, day).weekday() == 6 and day < 28 and rng.random() < 0.8:
            day += 1  # few come on a Sunday
        moment = self._office_time(date(month.year, month.month, day))
        return moment if moment > last else last + timedelta(minutes=rng.between(2, 30))

    def _rejoins(self, membership: Membership) -> bool:
        """Some of those lapsed before today come back on a day after they lapsed."""
        covered = membership.last_covered()
        if covered is None:
            return False
        lapsed_from = add_months(covered, ARREARS_MONTHS + 1)
        days = (self.today - lapsed_from).days
        if days <= 0 or self.rng.random() >= _REJOIN_CHANCE:
            return False
        moment = self._office_time(lapsed_from + timedelta(days=self.rng.below(days)))
        membership.rejoin(moment)
        membership.pay(moment, _REJOIN_COUNTS.pick(self.rng))
        return True
