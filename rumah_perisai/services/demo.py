"""Demo data: a training post filled with realistic, made-up participants (issue 3, item 1).

A demo post lets a new volunteer practise, and lets developers and the benchmarks see the
program with a season's worth of data. It is made only in an empty data folder, as a post marked
``is_demo``, through the same set-up as a real post (``services.posts.create_post``).

What it holds, in the shape the real services will write (DOMAIN.md, "Rules this program
follows"): participants from the post's kabupaten with NIKs that agree with their birth date and
sex, registered in weekly promotion drives over the last 8 months, each with the free promotion
cover; after the promotion some pay 1, 3, 6 or 12 months at a time (never skipping a month), some
fall into arrears, some lapse, and some lapsed ones rejoin. Every payment has a numbered receipt
in the post's hash chain.

The cash as ``services.dues`` and ``services.cash`` keep it: about 0.5 % of payments are voided
by the coordinator minutes later, the same day (out of the collector's cash; most are followed
by a new receipt for the same months, the rest were the participant's last payment and their
cover is recomputed without it), and about 0.1 % are refunded on a later day (out of the
coordinator's cash, with a new receipt). Every business day with receipts before ``today`` is
closed at about four o'clock (a few counts are a little off, with a note), and each Monday the
coordinator takes the closes of the week before to the bank; this week's closes stay at the post.

Everything comes from ``random.Random(seed)`` (and a second one for the voids and the cash, so
those leave the rest as it was): the same seed and day give the same rows (only the post's
signing key and the PIN hashes differ, being random by design). The whole demo
is one unit of work, so a cancel or an error leaves no trace in the database (only the post's key
file, which the next set-up adopts). Its rows are written with bulk Core inserts in chunks, and on
SQLite the name search index is filled once at the end (``_bulk_loading``): 200,000 participants
take 75-90 s on a 2-core laptop (``bench/bench_demo.py``).
"""

from __future__ import annotations

import bisect
import json
import random
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from itertools import accumulate
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.orm import DeclarativeBase, Session

from rumah_perisai import areas, vault
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import (
    AuditEntry,
    Counter,
    CoverPeriod,
    DailyClose,
    DailyCloseLine,
    Deposit,
    DepositClose,
    Participant,
    Post,
    Receipt,
    ReceiptMonth,
    Volunteer,
)
from rumah_perisai.db.status import fill_conversions
from rumah_perisai.db.uow import Database, operation_time
from rumah_perisai.domain.coverage import (
    ARREARS_MONTHS,
    CoverHistory,
    CoverSummary,
    Standing,
    next_payable_months,
    status_from_summary,
    summarize,
)
from rumah_perisai.domain.dues import JHT, JKK, JKM, DuesBreakdown, income_brackets, monthly_dues
from rumah_perisai.domain.errors import RuleError
from rumah_perisai.domain.months import add_months, first_of_month, month_end
from rumah_perisai.domain.nik import SEX_FEMALE, SEX_MALE
from rumah_perisai.domain.promotion import PromotionCover, promotion_cover
from rumah_perisai.domain.receipts import (
    CHAIN_COUNTER,
    GENESIS_HASH,
    ReceiptContent,
    ReceiptLine,
    chain_hash,
    receipt_counter,
    receipt_number,
)
from rumah_perisai.domain.timezones import ZONES
from rumah_perisai.domain.working_age import rule_on
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, tr
from rumah_perisai.resources import resource_path
from rumah_perisai.services.posts import PostSetup, create_post, local_post, normalise_setup
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    AccountSetup,
    add_account,
)
from rumah_perisai.tasks import Progress

# Texts this module shows, by key (English; Indonesian in the report that came with this module).
# They are not marked for gettext yet, so the catalogue test stays green until they are added to
# rumah_perisai/messages.py (the errors) and the Indonesian catalogue (all of them).
# Progress texts (the refusals are in rumah_perisai.messages).
DEMO_STEPS: dict[str, str] = {
    "demo_step_people": N_("Making demo participants…"),
    "demo_step_receipts": N_("Making dues receipts…"),
    "demo_step_cover": N_("Saving cover periods…"),
}

MAX_PARTICIPANTS = 999_999  # registration numbers have six digits
WINDOW_MONTHS = 8  # registrations spread over this many months before today
COORDINATOR_PIN = "1357"
VOLUNTEER_PIN = "2468"
# Tables whose ids the demo assigns itself: it links rows by id before inserting them.
_ID_TABLES: tuple[type[DeclarativeBase], ...] = (Participant, Receipt, DailyClose, Deposit)
_CHUNK = 2_000  # participants per progress step; rows per bulk insert are a few times that
_AUDIT_ENTITY = "demo_data"


# --- who logs in ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    """An account of the demo post, with its fixed PIN (documented: it is a training post)."""

    name: str
    role: str
    pin: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("Euis Komalasari", ROLE_COORDINATOR, COORDINATOR_PIN),
    DemoLogin("Asep Saepudin", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Dedeh Kurniasih", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Carsim", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Neneng Hasanah", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Ujang Sopandi", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Warsih", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Dadang Suhendar", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Iis Nurjanah", ROLE_VOLUNTEER, VOLUNTEER_PIN),
)
# How much each account above registers and collects: volunteers differ a lot in practice, and
# the incentive screens should show it.
_ACTIVITY = (0.4, 1.6, 1.3, 1.0, 1.2, 0.7, 0.9, 1.1, 0.5)


# --- the public API -------------------------------------------------------------------------------


# The demo posts' recovery code, listed in the README beside the demo logins (made-up data only).
DEMO_RECOVERY_CODE = "DEM0P-0ST12-34567-890AB-CDEFN"


@dataclass(frozen=True)
class DemoRequest:
    participants: int
    seed: int = 1
    post_code: str = "DEMO3209"
    kabupaten_code: str = "32.09"  # Kabupaten Cirebon, West Java


@dataclass(frozen=True)
class DemoSummary:
    """What was made, for the command line's ``--json`` and the window."""

    post_code: str
    participants: int
    volunteers: int
    receipts: int  # payments, voids and refunds
    receipt_months: int
    cover_periods: int
    rejoined: int
    voids: int  # same-day voids (not refunds)
    refunds: int  # voids on a later day, paid back out of that day's cash
    daily_closes: int
    deposits: int
    statuses: dict[str, int]  # status value -> participants, on ``today``
    today: date
    seed: int
    seconds: float


def create_demo_post(
    db: Database,
    folder: DataFolder,
    request: DemoRequest,
    actor: str,
    progress: Progress | None = None,
    *,
    today: date | None = None,
) -> DemoSummary:
    """Set up a demo post in an empty data folder and fill it; see the module's docstring.

    ``today`` (default: the post's date on ``db.clock``) is the day the demo is made on: every
    registration and payment lies before it. It must not be later than the clock's date.
    Raises ``UserError`` for a folder that holds a post or participants, ``Cancelled`` when
    ``progress`` says so; either way nothing is kept.
    """
    started = time.perf_counter()
    if not 0 <= request.participants <= MAX_PARTICIPANTS:
        raise UserError("demo_bad_count", maximum=MAX_PARTICIPANTS)
    setup = _post_setup(request)  # a bad post code or kabupaten is refused before anything
    with db.unit_of_work(actor) as session:
        _refuse_unless_empty(session)
        rng = _Dice(request.seed)
        pools = _Pools.build(rng, setup.kabupaten_code)
        setup = replace(setup, name=f"{setup.name} {pools.area.home_name}")
        post, volunteers = _create_post(folder, session, setup)
        day = _demo_day(session, post, today)
        people = _People(rng, pools, volunteers, day, ZONES[post.timezone])
        steps = _Steps(progress, request.participants)
        # Voids, refunds and the cash draw from their own generator, so the payments and the
        # people are the same as in a demo without them.
        writer = _Writer(session, post, volunteers, steps, _Dice(f"cash-{request.seed}"))
        counts = writer.write(people, request.participants)
        _record_demo(session, post, request, day, counts)
        # Every demo post has the same recovery code (README), so a trainer can show a restore.
        vault.set_recovery_code(folder, DEMO_RECOVERY_CODE)
    return DemoSummary(
        post_code=post.code,
        participants=request.participants,
        volunteers=len(volunteers),
        receipts=counts.receipts,
        receipt_months=counts.receipt_months,
        cover_periods=counts.cover_periods,
        rejoined=counts.rejoined,
        voids=counts.voids,
        refunds=counts.refunds,
        daily_closes=counts.daily_closes,
        deposits=counts.deposits,
        statuses=dict(sorted(counts.statuses.items())),
        today=day,
        seed=request.seed,
        seconds=round(time.perf_counter() - started, 3),
    )


# --- the post and its accounts --------------------------------------------------------------------


def _refuse_unless_empty(session: Session) -> None:
    """A demo never mixes with real work: refuse any folder that holds a post or participants."""
    existing = local_post(session) or session.scalars(select(Post).order_by(Post.id)).first()
    if existing is not None:
        key = "demo_post_exists" if existing.is_demo else "demo_refuses_real_post"
        raise UserError(key, code=existing.code, name=existing.name)
    count = session.scalar(select(func.count()).select_from(Participant))
    if count:
        raise UserError("demo_database_not_empty", count=count)


def _post_setup(request: DemoRequest) -> PostSetup:
    """The demo post's set-up, checked; its name gets the post's kecamatan later."""
    coordinator = DEMO_LOGINS[0]
    return normalise_setup(
        PostSetup(
            code=request.post_code,
            name="Rumah Perisai Contoh",
            kabupaten_code=request.kabupaten_code,
            wadah="Koperasi Contoh Sejahtera Bersama",
            is_demo=True,
            coordinator=AccountSetup(coordinator.name, coordinator.pin),
        )
    )


def _create_post(
    folder: DataFolder, session: Session, setup: PostSetup
) -> tuple[Post, list[Volunteer]]:
    """The post (with its coordinator) by the one set-up code path, then the volunteers.

    In the demo's own unit of work, so a cancelled demo leaves no post behind.
    """
    post = create_post(session, folder, setup)
    accounts = list(
        session.scalars(
            select(Volunteer).where(Volunteer.post_id == post.id).order_by(Volunteer.number)
        )
    )
    for login in DEMO_LOGINS[len(accounts) :]:
        accounts.append(
            add_account(
                session, post, AccountSetup(login.name, login.pin), login.role, demo_pin=True
            )
        )
    session.flush()  # the accounts get their ids
    return post, accounts


def _demo_day(session: Session, post: Post, today: date | None) -> date:
    now = operation_time(session).astimezone(ZONES[post.timezone]).date()
    if today is None:
        return now
    if today > now:
        raise ValueError(f"the demo's day {today} is after the clock's date {now}")
    return today


def _record_demo(
    session: Session, post: Post, request: DemoRequest, day: date, counts: _Counts
) -> None:
    """One audit row for the whole demo.

    The bulk rows are written with Core ``insert()``, which bypasses the session's per-record
    audit hook on purpose: a million audit rows would say nothing more than this one.
    """
    changes = {
        "seed": request.seed,
        "today": day.isoformat(),
        "participants": request.participants,
        "receipts": counts.receipts,
        "receipt_months": counts.receipt_months,
        "cover_periods": counts.cover_periods,
        "rejoined": counts.rejoined,
        "voids": counts.voids,
        "refunds": counts.refunds,
        "daily_closes": counts.daily_closes,
        "deposits": counts.deposits,
    }
    session.connection().execute(
        insert(AuditEntry).values(
            change_no=session.info["change_no"],
            at=operation_time(session),
            origin=session.info.get("origin", "local"),
            actor=session.info["actor"],
            action="create",
            entity=_AUDIT_ENTITY,
            entity_id=str(post.id),
            entity_key=post.code,
            changes_json=json.dumps(changes, sort_keys=True),
        )
    )


# --- weighted choices and the data files ----------------------------------------------------------

T = TypeVar("T")


class _Dice(random.Random):
    """``random.Random`` with quicker draws: one ``random()`` each, where ``randrange`` and
    ``choice`` make several calls (it adds up over millions of draws)."""

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def one_of(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]


class _Weighted(Generic[T]):
    """A weighted choice that costs one ``random()`` and a bisect (``choices`` builds lists)."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: _Dice) -> T:
        index = bisect.bisect_right(self.cumulative, rng.random() * self.total)
        return self.values[min(index, len(self.values) - 1)]


def _lines(file_name: str) -> list[str]:
    """The non-comment lines of ``resources/demo/<file_name>``."""
    path = resource_path("demo", file_name)
    with path.open(encoding="utf-8") as handle:
        stripped = (line.strip() for line in handle)
        return [line for line in stripped if line and not line.startswith("#")]


@dataclass(frozen=True)
class _NameLists:
    given: dict[str, tuple[str, ...]]  # by sex
    second: dict[str, tuple[str, ...]]  # family / second names fitting each sex
    variants: dict[str, tuple[str, ...]]  # common spelling -> other spellings
    streets: tuple[str, ...]


@cache
def _name_lists() -> _NameLists:
    second: dict[str, list[str]] = {SEX_MALE: [], SEX_FEMALE: []}
    for line in _lines("family_names.txt"):
        name, _, sex = line.partition(" ")
        for key in [sex] if sex else [SEX_MALE, SEX_FEMALE]:
            second[key].append(name)
    variants = {
        words[0]: tuple(words[1:]) for words in map(str.split, _lines("spelling_variants.txt"))
    }
    return _NameLists(
        given={
            SEX_MALE: tuple(_lines("given_names_male.txt")),
            SEX_FEMALE: tuple(_lines("given_names_female.txt")),
        },
        second={sex: tuple(names) for sex, names in second.items()},
        variants=variants,
        streets=tuple(_lines("streets.txt")),
    )


def _short_area_name(name: str) -> str:
    """Kabupaten Cirebon -> Cirebon: how people write their place of birth."""
    for prefix in ("Kabupaten ", "Kota "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@dataclass(frozen=True)
class _AreaPool:
    """Where the demo's people live, were born and got their NIK."""

    home_name: str  # the post's kecamatan
    desa: _Weighted[areas.Area]
    districts: tuple[str, ...]  # kecamatan codes of the kabupaten
    birth_places: _Weighted[str]

    @classmethod
    def build(cls, rng: _Dice, kabupaten: str) -> _AreaPool:
        villages = sorted(
            (
                a
                for a in areas.province_villages(kabupaten[:2]).values()
                if a.parent_code[:5] == kabupaten
            ),
            key=lambda a: a.code,
        )
        districts = tuple(sorted({a.parent_code for a in villages}))
        if not districts:
            raise UserError("demo_no_villages", code=kabupaten)
        home = rng.randrange(len(districts))
        # Kemendagri numbers kecamatan roughly in geographic order, so the codes next to the
        # post's own stand in for its neighbours.
        near = set(districts[max(0, home - 2) : home + 3]) - {districts[home]}
        home_villages = [a for a in villages if a.parent_code == districts[home]]
        busy = {a.code for a in rng.sample(home_villages, min(3, len(home_villages)))}
        weights = [
            (a, 12.0 if a.code in busy else 3.0 if a.parent_code == districts[home] else
             1.0 if a.parent_code in near else 0.05)
            for a in villages
        ]  # fmt: skip
        return cls(
            home_name=_area_name(districts[home]),
            desa=_Weighted(weights),
            districts=districts,
            birth_places=_birth_places(kabupaten, districts[home]),
        )


def _area_name(code: str) -> str:
    found = areas.area(code)
    return found.name if found else code


def _birth_places(kabupaten: str, home: str) -> _Weighted[str]:
    """Mostly the kabupaten itself; some the kecamatan's name; some another kabupaten nearby."""
    others = sorted(
        _short_area_name(a.name)
        for code, a in areas.regencies().items()
        if a.parent_code == kabupaten[:2] and code != kabupaten
    )
    pairs = [(_short_area_name(_area_name(kabupaten)), 70.0), (_area_name(home), 10.0)]
    pairs += [(name, 20.0 / len(others)) for name in others]
    return _Weighted(pairs)


# Occupations of BPU workers (DOMAIN.md, "Who and where"), with rough shares in a coastal and
# farming kabupaten like Cirebon.
_OCCUPATIONS: dict[str, tuple[tuple[str, float], ...]] = {
    SEX_MALE: (
        ("Petani", 16), ("Buruh tani", 12), ("Nelayan", 10), ("Pedagang", 9),
        ("Pengemudi ojek", 9), ("Buruh harian lepas", 12), ("Peternak", 5),
        ("Pengrajin rotan", 5), ("Tukang bangunan", 8), ("Sopir", 3), ("Pedagang keliling", 5),
        ("Montir", 2), ("Pembudidaya ikan", 2), ("Penjahit", 1), ("Guru ngaji", 1),
    ),
    SEX_FEMALE: (
        ("Pedagang", 15), ("Petani", 9), ("Buruh tani", 12), ("Pengrajin batik", 6),
        ("Pengrajin rotan", 5), ("Penjahit", 6), ("Pemilik warung", 12),
        ("Buruh harian lepas", 9), ("Pedagang keliling", 6), ("Peternak", 3),
        ("Pekerja rumah tangga", 5), ("Pengolah ikan", 5), ("Penjual makanan", 7),
        ("Buruh cuci", 3),
    ),
}  # fmt: skip
# Declared incomes above the minimum, with their weight against the minimum's 80: most informal
# workers declare the lowest bracket.
_HIGHER_INCOMES = (
    (1_200_000, 2.0), (1_500_000, 5.0), (2_000_000, 5.0), (2_500_000, 3.0), (3_000_000, 3.0),
    (3_500_000, 1.0), (4_000_000, 0.6), (5_000_000, 0.4),
)  # fmt: skip
_JHT_SHARE = {True: 0.08, False: 0.45}  # by "declares the minimum income": ~15% in all
_PHONE_PREFIXES = (
    "0811", "0812", "0813", "0821", "0822", "0823", "0852", "0853", "0814", "0815", "0816",
    "0855", "0856", "0857", "0858", "0817", "0818", "0819", "0859", "0877", "0878", "0831",
    "0832", "0833", "0838", "0895", "0896", "0897", "0898", "0899", "0881", "0882", "0887",
)  # fmt: skip


def _age_weight(age: int) -> float:
    """Working age 15-65, most registrations between 20 and 55."""
    if age < 20:
        return 0.35
    if age < 25:
        return 0.8
    if age <= 45:
        return 1.1 if age >= 30 else 1.0
    if age <= 55:
        return 0.9
    return 0.45 if age <= 60 else 0.25


@dataclass(frozen=True)
class _Pools:
    """Everything the generator chooses from, fixed before the first person is made."""

    names: _NameLists
    area: _AreaPool
    occupations: dict[str, _Weighted[str]]

    @classmethod
    def build(cls, rng: _Dice, kabupaten: str) -> _Pools:
        return cls(
            names=_name_lists(),
            area=_AreaPool.build(rng, kabupaten),
            occupations={sex: _Weighted(pairs) for sex, pairs in _OCCUPATIONS.items()},
        )


# --- how people pay after the promotion -----------------------------------------------------------


@dataclass(frozen=True)
class _Habit:
    """How a participant pays once the free cover ends."""

    lateness: _Weighted[int]  # months after the due month that the payment comes (0-2)
    counts: _Weighted[int]  # months paid at a time (1, 3, 6 or 12)
    stop_chance: float  # chance of stopping for good after each payment
    max_payments: int | None = None
    early: bool = False  # pays in the first days of the month


_NEVER = _Habit(_Weighted([(0, 1.0)]), _Weighted([(1, 1.0)]), 1.0, max_payments=0)
_STEADY = _Habit(
    _Weighted([(0, 0.9), (1, 0.1)]),
    _Weighted([(1, 0.55), (3, 0.30), (6, 0.10), (12, 0.05)]),
    stop_chance=0.03,
    early=True,
)
_IRREGULAR = _Habit(
    _Weighted([(0, 0.4), (1, 0.4), (2, 0.2)]), _Weighted([(1, 0.6), (3, 0.4)]), stop_chance=0.10
)
_STOPPER = _Habit(
    _Weighted([(0, 0.6), (1, 0.3), (2, 0.1)]),
    _Weighted([(1, 0.8), (3, 0.2)]),
    stop_chance=0.5,
    max_payments=2,
)
# Conversion after a free promotion is low (DOMAIN.md: sustaining dues is the stated goal).
_HABITS = _Weighted([(_NEVER, 0.45), (_STEADY, 0.30), (_IRREGULAR, 0.17), (_STOPPER, 0.08)])
_REJOIN_CHANCE = 0.3  # of those lapsed before today: the post's call list brings some back
_REJOIN_COUNTS = _Weighted([(1, 0.6), (3, 0.4)])


@dataclass(frozen=True, slots=True)
class _Payment:
    moment: datetime  # aware, in the post's time zone
    months: tuple[date, ...]


@dataclass(slots=True)
class _Membership:
    """A participant's cover as it is simulated: the current membership and every payment."""

    start: date
    promotion_end: date | None
    paid: list[date] = field(default_factory=list)  # months paid in the current membership
    payments: list[_Payment] = field(default_factory=list)  # all of them, oldest first
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
        self.payments.append(_Payment(moment, tuple(months)))

    def rejoin(self, moment: datetime) -> None:
        """DOMAIN.md, "Rejoining": same record, membership from the current month, no promotion."""
        self.start, self.promotion_end, self.paid = first_of_month(moment.date()), None, []
        self.rejoined = True


# --- the people -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Person:
    columns: dict[str, Any]  # the participant's own columns (who, where, registration)
    income: int
    programmes: tuple[str, ...]
    registered_by: int  # index into the accounts
    cover: PromotionCover | None
    membership: _Membership


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return date(day.year - years, 2, 28)


class _People:
    """Makes one made-up participant after another, from one random generator."""

    def __init__(
        self,
        rng: _Dice,
        pools: _Pools,
        volunteers: Sequence[Volunteer],
        today: date,
        zone: tzinfo,
    ) -> None:
        self.rng, self.pools, self.today, self.zone = rng, pools, today, zone
        self.registrars = _Weighted(list(zip(range(len(volunteers)), _ACTIVITY, strict=False)))
        brackets = income_brackets(today)
        higher = [(income, weight) for income, weight in _HIGHER_INCOMES if income in brackets]
        self.minimum_income = brackets[0]
        self.incomes = _Weighted([(brackets[0], 80.0), *higher])
        self.serials: dict[str, int] = {}  # NIK without serial -> last serial given
        self.recent_phones: deque[str] = deque(maxlen=20)
        self._ages: dict[tuple[int, int | None], _Weighted[int]] = {}
        self.covers: dict[date, PromotionCover | None] = {}  # by registration day

    # registrations: weekly sosialisasi drives, a launch, quiet Sundays

    def registration_moments(self, count: int) -> list[datetime]:
        """When each registration happened, oldest first, all before today."""
        first = add_months(self.today, -WINDOW_MONTHS)
        first = first.replace(day=min(self.today.day, month_end(first).day))
        days = [first + timedelta(days=n) for n in range((self.today - first).days)]
        weights, drives = self._day_weights(days)
        picker = _Weighted(list(zip(days, weights, strict=True)))
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

    def person(self, registered: datetime) -> _Person:
        rng, day = self.rng, registered.date()
        sex = SEX_MALE if rng.random() < 0.52 else SEX_FEMALE
        birth_date, age = self._birth_date(day)
        desa = self.pools.area.desa.pick(rng)
        district = (
            desa.parent_code if rng.random() < 0.85 else rng.one_of(self.pools.area.districts)
        )
        income = self.incomes.pick(rng)
        with_jht = rng.random() < _JHT_SHARE[income == self.minimum_income]
        heir_name, heir_relation = self._heir(sex, age)
        street, rt, rw = self._address()
        registered_by = self.registrars.pick(rng)
        columns = {
            "nik": self._nik(district, birth_date, sex),
            "name": self._name(sex),
            "birth_place": self.pools.area.birth_places.pick(rng),
            "birth_date": birth_date,
            "sex": sex,
            "street": street,
            "rt": rt,
            "rw": rw,
            "desa_code": desa.code,
            "phone": self._phone(),
            "occupation": self.pools.occupations[sex].pick(rng),
            "income": income,
            "with_jht": with_jht,
            "heir_name": heir_name,
            "heir_relation": heir_relation,
            "consent_at": registered - timedelta(seconds=rng.between(20, 400)),
            "registered_on": day,
            "registered_at": registered,
        }
        if day not in self.covers:
            self.covers[day] = promotion_cover(day)
        cover = self.covers[day]
        return _Person(
            columns,
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

    def _age_picker(self, registered: date) -> _Weighted[int]:
        rule = rule_on(registered)
        key = (rule.min_age, rule.max_age)
        if key not in self._ages:
            top = 65 if rule.max_age is None else min(65, rule.max_age)
            ages = range(max(15, rule.min_age), top + 1)
            self._ages[key] = _Weighted([(age, _age_weight(age)) for age in ages])
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
        phone = rng.one_of(_PHONE_PREFIXES) + str(rng.between(10 ** (digits - 1), 10**digits - 1))
        self.recent_phones.append(phone)
        return phone

    # paying

    def _membership(self, registered: datetime, cover: PromotionCover | None) -> _Membership:
        """Payments from the end of the free cover up to today, by a habit chosen now."""
        membership = _Membership(registered.date(), cover.end if cover else None)
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

    def _payment_moment(self, habit: _Habit, membership: _Membership, last: datetime) -> datetime:
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

    def _rejoins(self, membership: _Membership) -> bool:
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


# --- voids and refunds ---------------------------------------------------------------------------

# Chances per payment of being voided the same day, or refunded on a later day. A little above the
# shares aimed at (0.5 % and 0.1 %): some payments cannot be voided the way the plan says (see
# ``_Mishaps``) and are left alone.
_SAME_DAY_VOID_CHANCE = 0.0058
_REFUND_CHANCE = 0.0012
_REISSUE_CHANCE = 0.7  # of the same-day voids that may stay voided (a participant's last payment)
_VOIDS_BEFORE = 15  # o'clock: a mistake is seen while the participant is still at the post
_COORDINATOR = 0  # the account that voids, refunds, closes and deposits (DEMO_LOGINS[0])
# Reasons, as a coordinator types them. A void followed by a new receipt for the same months:
_REISSUED_REASONS = _Weighted(
    [("Salah jumlah bulan", 3.0), ("Salah input peserta", 3.0), ("Salah ketik uang diterima", 2.0),
     ("Struk tercetak rusak", 1.0), ("Uang palsu", 1.0)]
)  # fmt: skip
_CANCELLED_REASONS = _Weighted([("Peserta membatalkan", 3.0), ("Uang palsu", 1.0)])
_REFUND_REASONS = _Weighted(
    [("Salah input peserta", 3.0), ("Salah jumlah bulan", 2.0), ("Data di struk salah", 1.0)]
)


@dataclass(frozen=True, slots=True)
class _VoidPlan:
    """A payment the coordinator voids: the same day (a void) or a later day (a refund)."""

    payment: int  # index into the participant's payments
    moment: datetime  # the void's, in the post's time zone
    refund: bool
    reason: str
    reissue_at: datetime | None  # the same months paid again on a new receipt, or not


class _Mishaps:
    """Chooses the few payments that are voided, so that the rest of the demo stays true.

    A void followed by a new receipt for the same months (most of them, and every refund)
    leaves the participant's cover as it was, provided no other payment of theirs comes in
    between and the dues rule would pay those same months again then. A void that is not
    followed by one takes back a participant's last payment only (nothing later was paid on top
    of it), and never leaves a membership without any cover (a "not yet covered" member).
    """

    def __init__(self, rng: _Dice, today: date, zone: tzinfo) -> None:
        self.rng, self.today, self.zone = rng, today, zone

    def plan(self, membership: _Membership) -> tuple[_VoidPlan, ...]:
        payments = membership.payments
        start = first_of_month(membership.start)
        plans: list[_VoidPlan] = []
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
        self, membership: _Membership, index: int, following: datetime | None
    ) -> _VoidPlan | None:
        rng, payment = self.rng, membership.payments[index]
        if payment.moment.hour >= _VOIDS_BEFORE:
            return None
        moment = payment.moment + timedelta(minutes=rng.between(3, 40))
        covered = membership.promotion_end is not None or bool(
            set(membership.paid) - set(payment.months)
        )
        if following is None and covered and rng.random() >= _REISSUE_CHANCE:
            return _VoidPlan(index, moment, False, _CANCELLED_REASONS.pick(rng), None)
        reissue = moment + timedelta(minutes=rng.between(1, 4))
        if following is not None and following <= reissue:
            return None
        return _VoidPlan(index, moment, False, _REISSUED_REASONS.pick(rng), reissue)

    def _refund(
        self, membership: _Membership, index: int, following: datetime | None
    ) -> _VoidPlan | None:
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
        return _VoidPlan(index, moment, True, _REFUND_REASONS.pick(rng), reissue)


# --- writing it all -------------------------------------------------------------------------------

REGISTRATION_COUNTER = "registration"
COVER_PERIOD_COUNTER = "cover_period"


class _Steps:
    """Reports three phases of equal length (people, receipts, cover periods) to a Progress."""

    PHASES = 3

    def __init__(self, progress: Progress | None, participants: int) -> None:
        self.progress = progress
        self.unit = max(participants, 1)

    def report(self, phase: int, done: int, of: int, key: str) -> None:
        if self.progress is not None:
            share = self.unit * done // max(of, 1)
            total = self.PHASES * self.unit
            self.progress.step(phase * self.unit + share, total, tr(DEMO_STEPS[key]))


@dataclass
class _Counts:
    receipts: int = 0
    receipt_months: int = 0
    cover_periods: int = 0
    rejoined: int = 0
    voids: int = 0
    refunds: int = 0
    daily_closes: int = 0
    deposits: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Registered:
    """What the receipts and cover periods need of a participant once its row is written."""

    id: int
    registration_no: str
    income: int
    programmes: tuple[str, ...]
    registered_by: int
    registered_at: datetime
    cover: PromotionCover | None
    payments: tuple[_Payment, ...]
    voids: tuple[_VoidPlan, ...]


@dataclass(frozen=True, slots=True)
class _PaidCover:
    moment: datetime
    participant_id: int
    receipt_id: int
    start: date
    end: date
    programmes: str
    voided_by: int | None


# The receipts of the timeline, in the order of a chain step.
_PAY, _VOID, _REISSUE = 0, 1, 2


class _Writer:
    """Writes the demo's rows in bulk, chunk by chunk, inside the caller's unit of work."""

    def __init__(
        self,
        session: Session,
        post: Post,
        volunteers: Sequence[Volunteer],
        steps: _Steps,
        cash_rng: _Dice,
    ) -> None:
        self.session, self.steps, self.cash_rng = session, steps, cash_rng
        # Plain values, read once: ORM attribute access costs a lot over a million rows.
        self.post_id, self.post_code = post.id, post.code
        self.volunteer_ids = [volunteer.id for volunteer in volunteers]
        self.volunteer_keys = [volunteer.natural_key() for volunteer in volunteers]
        self.volunteer_names = [volunteer.name for volunteer in volunteers]
        self.issuers = _Weighted(list(zip(range(len(volunteers)), _ACTIVITY, strict=False)))
        self.connection = session.connection()
        self.change_no: int = session.info["change_no"]
        self.counts = _Counts()
        self.dues: dict[tuple[int, tuple[str, ...], date], DuesBreakdown] = {}

    def write(self, people: _People, count: int) -> _Counts:
        self.steps.report(0, 0, 1, "demo_step_people")
        with _bulk_loading(self.connection):
            registered = self._participants(people, count)
        paid, tills = self._receipts(people.rng, registered)
        fill_conversions(self.session, self.post_id)
        self._cover_periods(registered, paid)
        self._cash(tills, people.today, people.zone)
        _set_counter(self.session, self.post_code, REGISTRATION_COUNTER, count)
        _advance_id_sequences(self.session)
        return self.counts

    def _insert(self, model: type[DeclarativeBase], rows: list[dict[str, Any]]) -> None:
        if rows:
            self.connection.execute(insert(model), rows)

    # participants

    def _participants(self, people: _People, count: int) -> list[_Registered]:
        self.mishaps = _Mishaps(self.cash_rng, people.today, people.zone)
        moments = people.registration_moments(count)
        first_id = _next_id(self.session, Participant)
        registered: list[_Registered] = []
        for start in range(0, count, _CHUNK):
            rows = []
            for number in range(start + 1, min(start + _CHUNK, count) + 1):
                person = people.person(moments[number - 1])
                row, record = self._participant(first_id + number - 1, number, person, people.today)
                rows.append(row)
                registered.append(record)
            self._insert(Participant, rows)
            self.steps.report(0, start + len(rows), count, "demo_step_people")
        return registered

    def _participant(
        self, id_: int, number: int, person: _Person, today: date
    ) -> tuple[dict[str, Any], _Registered]:
        membership, cover = person.membership, person.cover
        voids = self.mishaps.plan(membership)
        history = membership.history()
        withdrawn = {
            month
            for plan in voids
            if plan.reissue_at is None
            for month in membership.payments[plan.payment].months
        }
        if withdrawn:  # a void not followed by a new receipt: those months are unpaid again
            history = replace(history, paid_months=history.paid_months - withdrawn)
        summary = summarize(history)
        status = status_from_summary(Standing.MEMBER, summary, membership.start, today).value
        self.counts.statuses[status] = self.counts.statuses.get(status, 0) + 1
        self.counts.rejoined += membership.rejoined
        registration_no = f"{self.post_code}-{number:06d}"
        row = {
            **person.columns,
            "id": id_,
            "post_id": self.post_id,
            "post_code": self.post_code,
            "number": number,
            "registration_no": registration_no,
            "kpj": None,  # given by the branch, later
            "registered_by_id": self.volunteer_ids[person.registered_by],
            "nik_override_reason": None,
            "duplicate_override_reason": None,
            "standing": Standing.MEMBER.value,
            "standing_reason": None,
            "membership_start": membership.start,
            "rejoin_count": int(membership.rejoined),
            "promotion_code": cover.campaign_code if cover else None,
            **_summary_columns(summary),
            # The first membership's promotion, kept after a rejoin; converted_on is filled once
            # the receipts are written (``db.status.fill_conversions``).
            "promotion_end": cover.end if cover else None,
            "converted_on": None,
            "change_no": self.change_no,
        }
        record = _Registered(
            id_,
            registration_no,
            person.income,
            person.programmes,
            person.registered_by,
            person.columns["registered_at"],
            cover,
            tuple(membership.payments),
            voids,
        )
        return row, record

    # receipts, in issue order: one hash chain for the post

    def _timeline(
        self, registered: Sequence[_Registered]
    ) -> list[tuple[datetime, int, int, int, _VoidPlan | None]]:
        """Every receipt to issue, in chain order: (UTC moment, participant index, kind (_PAY,
        _VOID or _REISSUE), index of the payment concerned, the void's plan or None)."""
        events: list[tuple[datetime, int, int, int, _VoidPlan | None]] = [
            (payment.moment.astimezone(UTC), index, _PAY, number, None)
            for index, record in enumerate(registered)
            for number, payment in enumerate(record.payments)
        ]
        for index, record in enumerate(registered):
            for plan in record.voids:
                events.append((plan.moment.astimezone(UTC), index, _VOID, plan.payment, plan))
                if plan.reissue_at is not None:
                    moment = plan.reissue_at.astimezone(UTC)
                    events.append((moment, index, _REISSUE, plan.payment, plan))
        events.sort(key=lambda event: (event[0], event[1], event[2]))
        return events

    def _receipts(
        self, rng: _Dice, registered: Sequence[_Registered]
    ) -> tuple[list[_PaidCover], list[_DayTill]]:
        events = self._timeline(registered)
        chain = _Chain(self.post_code)
        first_id = _next_id(self.session, Receipt)
        voided_by = {
            (index, number): first_id + position
            for position, (_, index, kind, number, _plan) in enumerate(events)
            if kind == _VOID
        }
        voided: dict[tuple[int, int], tuple[int, dict[str, Any]]] = {}  # (collector, receipt)
        tills = _Tills()
        paid: list[_PaidCover] = []
        voided_months: list[dict[str, Any]] = []
        for start in range(0, len(events), _CHUNK):
            receipts: list[dict[str, Any]] = []
            months: list[dict[str, Any]] = []
            for offset, (moment, index, kind, number, plan) in enumerate(
                events[start : start + _CHUNK]
            ):
                id_, record, key = first_id + start + offset, registered[index], (index, number)
                payment, void_id = record.payments[number], None
                if plan is None:
                    issuer = record.registered_by if rng.random() < 0.5 else self.issuers.pick(rng)
                    void_id = voided_by.get(key)
                    receipt, lines = self._receipt(
                        id_, record, payment, moment, issuer, rng, chain, void_id
                    )
                    if void_id is not None:
                        voided[key] = (issuer, receipt)
                    holder = issuer
                elif kind == _VOID:
                    collector, original = voided[key] if plan.reissue_at else voided.pop(key)
                    holder = _COORDINATOR if plan.refund else collector
                    receipt, lines = self._void(id_, record, original, plan, moment, holder, chain)
                    self.counts.refunds += plan.refund
                    self.counts.voids += not plan.refund
                else:  # the same months on a new receipt: by the collector, or with the refund
                    collector, _original = voided.pop(key)
                    holder = _COORDINATOR if plan.refund else collector
                    assert plan.reissue_at is not None
                    again = _Payment(plan.reissue_at, payment.months)
                    receipt, lines = self._receipt(
                        id_, record, again, moment, holder, self.cash_rng, chain, None
                    )
                receipts.append(receipt)
                if void_id is None:
                    months += lines
                else:  # they name the void, which may come in a later chunk (foreign key)
                    voided_months += lines
                if kind != _VOID:
                    paid.append(_paid_cover(record, receipt, void_id))
                tills.add(receipt, holder, chain.linked)
            self._insert(Receipt, receipts)
            self._insert(ReceiptMonth, months)
            self.counts.receipt_months += len(months)
            self.steps.report(1, start + len(receipts), len(events), "demo_step_receipts")
        self._insert(ReceiptMonth, voided_months)
        self.counts.receipt_months += len(voided_months)
        self.counts.receipts = len(events)
        for year, seq in sorted(chain.last_seq.items()):
            _set_counter(self.session, self.post_code, receipt_counter(year), seq)
        _set_counter(self.session, self.post_code, CHAIN_COUNTER, chain.linked)
        return paid, tills.days

    def _price(self, income: int, programmes: tuple[str, ...], month: date) -> DuesBreakdown:
        key = (income, programmes, month)
        if key not in self.dues:
            self.dues[key] = monthly_dues(income, programmes, month)
        return self.dues[key]

    def _receipt(
        self,
        id_: int,
        record: _Registered,
        payment: _Payment,
        moment: datetime,
        issuer: int,
        rng: _Dice,
        chain: _Chain,
        voided_by: int | None,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        lines = [
            ReceiptLine(month, d.jkk, d.jkm, d.jht, d.total, d.rates_version)
            for month in payment.months
            if (d := self._price(record.income, record.programmes, month))
        ]
        issued_on = payment.moment.date()  # the post's business day
        total = sum(line.total for line in lines)
        content = ReceiptContent(
            number=chain.next_number(issued_on.year),
            kind="payment",
            participant=record.registration_no,
            voids=None,
            issued_at=moment,
            issued_on=issued_on,
            issued_by=self.volunteer_keys[issuer],
            month_count=len(lines),
            first_month=lines[0].month,
            last_month=lines[-1].month,
            jkk=sum(line.jkk for line in lines),
            jkm=sum(line.jkm for line in lines),
            jht=sum(line.jht for line in lines),
            total=total,
            cash_received=_cash_handed_over(rng, total),
            reason=None,
            cash_holder=self.volunteer_keys[issuer],
            refund=False,
            lines=tuple(lines),
        )
        prev_hash, digest = chain.link(content)
        row = {
            "id": id_,
            "post_id": self.post_id,
            "post_code": self.post_code,
            "year": issued_on.year,
            "seq": chain.last_seq[issued_on.year],
            "participant_id": record.id,
            "voids_receipt_id": None,
            "issued_by_id": self.volunteer_ids[issuer],
            "cash_volunteer_id": self.volunteer_ids[issuer],
            "refund": False,
            "prev_hash": prev_hash,
            "hash": digest,
            "change_no": self.change_no,
            **{name: getattr(content, name) for name in _RECEIPT_COLUMNS},
        }
        month_rows = [
            self._month_row(id_, content.number, record.id, line, voided_by) for line in lines
        ]
        return row, month_rows

    def _void(
        self,
        id_: int,
        record: _Registered,
        voided: dict[str, Any],
        plan: _VoidPlan,
        moment: datetime,
        holder: int,
        chain: _Chain,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A void: the voided receipt's months and amounts, no cash received, no lines
        (``services.dues.void_receipt``)."""
        issued_on = plan.moment.date()
        coordinator = self.volunteer_keys[_COORDINATOR]
        content = ReceiptContent(
            number=chain.next_number(issued_on.year),
            kind="void",
            participant=record.registration_no,
            voids=voided["number"],
            issued_at=moment,
            issued_on=issued_on,
            issued_by=coordinator,
            month_count=voided["month_count"],
            first_month=voided["first_month"],
            last_month=voided["last_month"],
            jkk=voided["jkk"],
            jkm=voided["jkm"],
            jht=voided["jht"],
            total=voided["total"],
            cash_received=None,
            reason=plan.reason,
            cash_holder=self.volunteer_keys[holder],
            refund=plan.refund,
        )
        prev_hash, digest = chain.link(content)
        row = {
            "id": id_,
            "post_id": self.post_id,
            "post_code": self.post_code,
            "year": issued_on.year,
            "seq": chain.last_seq[issued_on.year],
            "participant_id": record.id,
            "voids_receipt_id": voided["id"],
            "issued_by_id": self.volunteer_ids[_COORDINATOR],
            "cash_volunteer_id": self.volunteer_ids[holder],
            "refund": plan.refund,
            "prev_hash": prev_hash,
            "hash": digest,
            "change_no": self.change_no,
            **{name: getattr(content, name) for name in _RECEIPT_COLUMNS},
        }
        return row, []

    def _month_row(
        self,
        receipt_id: int,
        number: str,
        participant_id: int,
        line: ReceiptLine,
        voided_by: int | None,
    ) -> dict[str, Any]:
        return {
            "post_id": self.post_id,
            "receipt_id": receipt_id,
            "receipt_number": number,
            "participant_id": participant_id,
            "month": line.month,
            "jkk": line.jkk,
            "jkm": line.jkm,
            "jht": line.jht,
            "total": line.total,
            "rates_version": line.rates_version,
            "voided_by_receipt_id": voided_by,
            "change_no": self.change_no,
        }

    # cover periods: promotions and paid stretches, numbered in the order they began to exist

    def _cover_periods(self, registered: Sequence[_Registered], paid: list[_PaidCover]) -> None:
        periods: list[tuple[datetime, int, int, dict[str, Any]]] = []
        for record in registered:
            if record.cover is not None:
                periods.append((record.registered_at, 0, record.id, self._promotion_row(record)))
        for cover in paid:
            periods.append((cover.moment, 1, cover.participant_id, self._paid_row(cover)))
        periods.sort(key=lambda period: period[:3])
        for start in range(0, len(periods), _CHUNK * 2):
            rows = [row for *_, row in periods[start : start + _CHUNK * 2]]
            for number, row in enumerate(rows, start + 1):
                row["number"] = number
            self._insert(CoverPeriod, rows)
            self.steps.report(2, start + len(rows), len(periods), "demo_step_cover")
        self.counts.cover_periods = len(periods)
        _set_counter(self.session, self.post_code, COVER_PERIOD_COUNTER, len(periods))

    def _promotion_row(self, record: _Registered) -> dict[str, Any]:
        assert record.cover is not None
        cover = record.cover
        return self._cover_row(
            record.id, "promotion", cover.start, cover.end, " ".join(cover.programmes)
        ) | {"campaign_code": cover.campaign_code}

    def _paid_row(self, cover: _PaidCover) -> dict[str, Any]:
        row = self._cover_row(
            cover.participant_id, "paid", cover.start, cover.end, cover.programmes
        )
        return row | {"receipt_id": cover.receipt_id, "voided_by_receipt_id": cover.voided_by}

    def _cover_row(
        self, participant_id: int, kind: str, start: date, end: date, programmes: str
    ) -> dict[str, Any]:
        return {
            "post_id": self.post_id,
            "post_code": self.post_code,
            "number": 0,  # set once all periods are in order
            "participant_id": participant_id,
            "kind": kind,
            "start_date": start,
            "end_date": end,
            "programmes": programmes,
            "campaign_code": None,
            "receipt_id": None,
            "voided_by_receipt_id": None,
            "change_no": self.change_no,
        }

    # the cash: every past business day closed at about four, deposited on Mondays

    def _cash(self, tills: Sequence[_DayTill], today: date, zone: tzinfo) -> None:
        """One close for each day with receipts before ``today`` (today's till stays open), and
        each Monday before today a deposit of the closes of the days before it."""
        first_id = _next_id(self.session, DailyClose)
        closes: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        for till in (till for till in tills if till.day < today):
            close, close_lines = self._close(first_id + len(closes), len(closes) + 1, till, zone)
            closes.append(close)
            lines += close_lines
        for start in range(0, len(closes), _CHUNK):
            self._insert(DailyClose, closes[start : start + _CHUNK])
        for start in range(0, len(lines), _CHUNK):
            self._insert(DailyCloseLine, lines[start : start + _CHUNK])
        deposits, deposited = self._deposits(closes, today, zone)
        self._insert(Deposit, deposits)
        self._insert(DepositClose, deposited)
        self.counts.daily_closes, self.counts.deposits = len(closes), len(deposits)
        _set_counter(self.session, self.post_code, DAILY_CLOSE_COUNTER, len(closes))
        _set_counter(self.session, self.post_code, DEPOSIT_COUNTER, len(deposits))

    def _close(
        self, id_: int, number: int, till: _DayTill, zone: tzinfo
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.cash_rng
        key = f"{self.post_code}-T{number:05d}"
        rows: list[dict[str, Any]] = []
        notes: list[str] = []
        for holder, line in sorted(till.lines.items()):
            expected = _expected(line)
            difference = 0
            if expected >= 20_000 and rng.random() < _DIFFERENCE_CHANCE:
                difference = _DIFFERENCES.pick(rng)
                why = rng.one_of(_SHORT_NOTES if difference < 0 else _OVER_NOTES)
                word = "kurang" if difference < 0 else "lebih"
                notes.append(
                    f"{self.volunteer_names[holder]} {word} {_rupiah(abs(difference))}: {why}"
                )
            rows.append(
                {
                    "post_id": self.post_id,
                    "close_id": id_,
                    "close_key": key,
                    "volunteer_id": self.volunteer_ids[holder],
                    "volunteer_key": self.volunteer_keys[holder],
                    "payments_count": line[0],
                    "payments_total": line[1],
                    "voids_count": line[2],
                    "voids_total": line[3],
                    "refunds_count": line[4],
                    "refunds_total": line[5],
                    "expected": expected,
                    "counted": expected + difference,
                    "difference": difference,
                    "change_no": self.change_no,
                }
            )
        day = till.day
        closing = datetime(day.year, day.month, day.day, _CLOSING_HOUR, tzinfo=zone)
        closing += timedelta(minutes=rng.between(0, 45))
        assert till.last_moment is not None
        closed_at = max(closing, till.last_moment + timedelta(minutes=rng.between(3, 15)))
        close = {
            "id": id_,
            "post_id": self.post_id,
            "post_code": self.post_code,
            "number": number,
            "day": day,
            "through_seq": till.through_seq,
            "receipt_count": till.receipts,
            "payments_total": sum(line[1] for line in till.lines.values()),
            "voids_total": sum(line[3] for line in till.lines.values()),
            "refunds_total": sum(line[5] for line in till.lines.values()),
            "expected": sum(row["expected"] for row in rows),
            "counted": sum(row["counted"] for row in rows),
            "difference": sum(row["difference"] for row in rows),
            "chain_length": till.chain_length,
            "newest_receipt_hash": till.newest_hash,
            "note": "; ".join(notes) or None,
            "closed_at": closed_at.astimezone(UTC),
            "closed_by_id": self.volunteer_ids[_COORDINATOR],
            "change_no": self.change_no,
        }
        return close, rows

    def _deposits(
        self, closes: Sequence[dict[str, Any]], today: date, zone: tzinfo
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Each Monday before ``today``, the cash of every close not deposited yet (the week
        before it); the closes from the last Monday on stay at the post."""
        weeks: dict[date, list[dict[str, Any]]] = {}
        for close in closes:  # by the Monday after the close's day
            weeks.setdefault(close["day"] + timedelta(days=7 - close["day"].weekday()), []).append(
                close
            )
        first_id = _next_id(self.session, Deposit)
        deposits: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        pending: list[dict[str, Any]] = []
        for monday, week in weeks.items():
            if monday >= today:
                break
            pending += week
            amount = sum(close["counted"] for close in pending)
            if amount <= 0:
                continue  # nothing to take to the bank: it waits for the next Monday
            deposit = self._deposit(
                first_id + len(deposits), len(deposits) + 1, monday, amount, zone
            )
            deposits.append(deposit)
            key = f"{self.post_code}-D{deposit['number']:05d}"
            links += [
                {
                    "post_id": self.post_id,
                    "deposit_id": deposit["id"],
                    "close_id": close["id"],
                    "key": f"{key}/{self.post_code}-T{close['number']:05d}",
                    "change_no": self.change_no,
                }
                for close in pending
            ]
            pending = []
        return deposits, links

    def _deposit(
        self, id_: int, number: int, day: date, amount: int, zone: tzinfo
    ) -> dict[str, Any]:
        rng = self.cash_rng
        bank = _BANKS.pick(rng)
        at = datetime(day.year, day.month, day.day, 10, tzinfo=zone)
        at += timedelta(minutes=rng.between(0, 120))
        reference = f"{_BANK_REFERENCES[bank]}-{day:%Y}-{day:%m%d}-{rng.between(1, 999_999):06d}"
        return {
            "id": id_,
            "post_id": self.post_id,
            "post_code": self.post_code,
            "number": number,
            "bank": bank,
            "bank_name": _BANK_NAMES[bank],
            "reference": reference,
            "deposited_on": day,
            "amount": amount,
            "recorded_at": at.astimezone(UTC),
            "recorded_by_id": self.volunteer_ids[_COORDINATOR],
            "change_no": self.change_no,
        }


# The receipt columns that say the same as the hashed content, under the same names.
_RECEIPT_COLUMNS = (
    "number", "kind", "month_count", "first_month", "last_month", "jkk", "jkm", "jht", "total",
    "cash_received", "reason", "issued_at", "issued_on",
)  # fmt: skip


def _paid_cover(record: _Registered, receipt: dict[str, Any], voided_by: int | None) -> _PaidCover:
    return _PaidCover(
        moment=receipt["issued_at"],
        participant_id=record.id,
        receipt_id=receipt["id"],
        start=receipt["first_month"],
        end=month_end(receipt["last_month"]),
        programmes=" ".join(record.programmes),
        voided_by=voided_by,
    )


def _summary_columns(summary: CoverSummary) -> dict[str, date | None]:
    """``db.status.store_summary``'s four columns, for a bulk row instead of an ORM object."""
    return {
        "promo_until": summary.promo_until,
        "cover_from": summary.cover_from,
        "cover_until": summary.cover_until,
        "arrears_until": summary.arrears_until,
    }


def _cash_handed_over(rng: _Dice, total: int) -> int:
    """The exact amount, or a round note the volunteer gives change for."""
    roll = rng.random()
    note = 0 if roll < 0.55 else 10_000 if roll < 0.85 else 50_000
    return total if note == 0 else -(-total // note) * note


# --- the cash: daily closes and deposits ---------------------------------------------------------

DAILY_CLOSE_COUNTER = "daily_close"
DEPOSIT_COUNTER = "deposit"
_DIFFERENCE_CHANCE = 0.02  # of a close's lines: the cash counted is not what the receipts say
_DIFFERENCES = _Weighted(
    [(-5_000, 3.0), (-2_000, 2.0), (-1_000, 1.0), (-10_000, 1.0), (1_000, 1.0), (2_000, 2.0),
     (5_000, 1.0)]
)  # fmt: skip
_SHORT_NOTES = ("kurang uang kembalian", "salah memberi kembalian", "selisih hitung")
_OVER_NOTES = ("peserta tidak mengambil kembalian", "kembalian belum diberikan")
_BANKS = _Weighted([("bni", 0.5), ("cimb_niaga", 0.4), ("other", 0.1)])
_BANK_NAMES = {"bni": "BNI", "cimb_niaga": "CIMB Niaga", "other": "Bank BJB"}
_BANK_REFERENCES = {"bni": "BNI", "cimb_niaga": "CIMB", "other": "BJB"}
_CLOSING_HOUR = 16


@dataclass(slots=True)
class _DayTill:
    """One business day's receipts as its close counts them."""

    day: date
    # volunteer index -> [payments, their total, voids, total, refunds, total]
    lines: dict[int, list[int]] = field(default_factory=dict)
    receipts: int = 0
    through_seq: int = 0
    chain_length: int = 0
    newest_hash: str = GENESIS_HASH
    last_moment: datetime | None = None


class _Tills:
    """Sums the receipts per business day and cash holder as they are issued (in chain order)."""

    def __init__(self) -> None:
        self.days: list[_DayTill] = []

    def add(self, receipt: dict[str, Any], holder: int, chain_length: int) -> None:
        day: date = receipt["issued_on"]
        if not self.days or self.days[-1].day != day:
            assert not self.days or self.days[-1].day < day, "receipts out of day order"
            self.days.append(_DayTill(day))
        till = self.days[-1]
        slot = 0 if receipt["kind"] == "payment" else 4 if receipt["refund"] else 2
        line = till.lines.get(holder)
        if line is None:
            line = till.lines[holder] = [0] * 6
        line[slot] += 1
        line[slot + 1] += receipt["total"]
        till.receipts += 1
        till.through_seq = receipt["seq"]
        till.chain_length = chain_length
        till.newest_hash = receipt["hash"]
        till.last_moment = receipt["issued_at"]


def _expected(line: Sequence[int]) -> int:
    return line[1] - line[3] - line[5]


def _rupiah(amount: int) -> str:
    """Rp 5.000, as a coordinator writes it in a note (stored text, not shown translated)."""
    return f"Rp {amount:,}".replace(",", ".")


# --- the receipt chain ----------------------------------------------------------------------------


class _Chain:
    """Receipt numbers (gapless per year) and the post's hash chain, in issue order."""

    def __init__(self, post_code: str) -> None:
        self.post_code = post_code
        self.last_seq: dict[int, int] = {}
        self.prev_hash = GENESIS_HASH
        self.linked = 0

    def next_number(self, year: int) -> str:
        self.last_seq[year] = self.last_seq.get(year, 0) + 1
        return receipt_number(self.post_code, year, self.last_seq[year])

    def link(self, content: ReceiptContent) -> tuple[str, str]:
        """(previous hash, this receipt's hash)."""
        prev_hash, digest = self.prev_hash, chain_hash(content, self.prev_hash)
        self.prev_hash, self.linked = digest, self.linked + 1
        return prev_hash, digest


# --- bulk loading, counters and ids ---------------------------------------------------------------


_SQLITE_CACHE_KIB = 256 * 1024  # while loading: the participants' 14 indexes stay in memory
_NAME_INDEX = "participants_fts"  # SQLite FTS5 trigram index of names (migration 0002)


@contextmanager
def _bulk_loading(connection: Connection) -> Iterator[None]:
    """SQLite: a bigger page cache, and the name index filled once at the end, not row by row.

    Row by row through its triggers, the trigram index costs more than every other write of the
    demo together (about 30 s of 200,000 participants); rebuilt once it takes 2 s. The triggers
    are dropped and re-created from their own SQL inside the demo's transaction, so a cancel or
    an error brings them back with the rollback. Only for a database without participants
    (``_refuse_unless_empty``): the rebuild indexes every row of the table.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    cache = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'participants'"
        f" AND sql LIKE '%{_NAME_INDEX}%' ORDER BY name"
    ).all()
    try:
        for name, _sql in triggers:
            connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
        yield
        for _name, sql in triggers:
            connection.exec_driver_sql(sql)
        if triggers:
            connection.exec_driver_sql(
                f"INSERT INTO {_NAME_INDEX}({_NAME_INDEX}) VALUES ('rebuild')"
            )
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")


def _next_id(
    session: Session,
    model: type[Participant] | type[Receipt] | type[DailyClose] | type[Deposit],
) -> int:
    """The first id the demo gives itself (it needs ids before inserting, to link rows)."""
    return int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


def _advance_id_sequences(session: Session) -> None:
    """PostgreSQL's id sequences do not see ids given explicitly: move them past the demo's."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in _ID_TABLES:
        name = model.__tablename__
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"
            ).execution_options(autoflush=False)
        )


def _set_counter(session: Session, scope: str, name: str, value: int) -> None:
    """Set counter (scope, name) so that ``next_number`` continues after the demo's numbers."""
    connection = session.connection()
    updated = connection.execute(
        update(Counter).where(Counter.scope == scope, Counter.name == name).values(value=value)
    )
    if updated.rowcount == 0:
        connection.execute(insert(Counter).values(scope=scope, name=name, value=value))
