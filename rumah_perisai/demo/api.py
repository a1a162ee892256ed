"""The demo's public face: ``create_demo_post`` with its request and summary."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, tzinfo
from itertools import chain

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from rumah_perisai import vault
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import (
    AuditEntry,
    Participant,
    Post,
    Volunteer,
)
from rumah_perisai.db.uow import Database, operation_time
from rumah_perisai.demo.dice import Dice
from rumah_perisai.demo.logins import DEMO_LOGINS
from rumah_perisai.demo.people import People, Person
from rumah_perisai.demo.pools import Pools
from rumah_perisai.demo.tally import Counts, Steps
from rumah_perisai.demo.writer import Writer
from rumah_perisai.domain.timezones import ZONES
from rumah_perisai.errors import UserError
from rumah_perisai.services.posts import PostSetup, create_post, local_post, normalise_setup
from rumah_perisai.services.volunteers import (
    AccountSetup,
    add_account,
    hash_pin,
)
from rumah_perisai.tasks import Progress

MAX_PARTICIPANTS = 999_999  # registration numbers have six digits
_AUDIT_ENTITY = "demo_data"


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
    """Set up a demo post in an empty data folder and fill it; see the package's docstring.

    ``today`` (default: the post's date on ``db.clock``) is the day the demo is made on: every
    registration and payment lies before it. It must not be later than the clock's date.
    Raises ``UserError`` for a folder that holds a post or participants, ``Cancelled`` when
    ``progress`` says so; either way nothing is kept.
    """
    started = time.perf_counter()
    if not 0 <= request.participants <= MAX_PARTICIPANTS:
        raise UserError("demo_bad_count", maximum=MAX_PARTICIPANTS)
    setup = _post_setup(request)  # a bad post code or kabupaten is refused before anything
    with db.unit_of_work(actor) as session, ThreadPoolExecutor(1, "demo-pins") as pins:
        _refuse_unless_empty(session)
        # The nine accounts' PIN hashes (argon2, slow by design, each with its own salt) on a
        # thread, while the first people are made: argon2 lets go of Python's lock.
        hashes = pins.submit(_hash_pins)
        rng = Dice(request.seed)
        pools = Pools.build(rng, setup.kabupaten_code)
        setup = replace(setup, name=f"{setup.name} {pools.area.home_name}")
        assert setup.timezone is not None  # normalise_setup gives one
        zone = ZONES[setup.timezone]
        day = _demo_day(session, zone, today)
        people = People(rng, pools, len(DEMO_LOGINS), day, zone)
        persons = people.everyone(request.participants)
        ahead = _made_while(persons, busy=lambda: not hashes.done())
        post, volunteers = _create_post(folder, session, setup, hashes.result())
        steps = Steps(progress, request.participants)
        # Voids, refunds and the cash draw from their own generator, so the payments and the
        # people are the same as in a demo without them.
        writer = Writer(session, post, volunteers, steps, Dice(f"cash-{request.seed}"))
        counts = writer.write(people, chain(ahead, persons), request.participants)
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


def _hash_pins() -> list[str]:
    """The demo accounts' PIN hashes, in ``DEMO_LOGINS`` order: nine separate argon2 hashes
    with their own salts (accounts sharing a PIN must not share a stored hash)."""
    return [hash_pin(login.pin) for login in DEMO_LOGINS]


def _made_while(persons: Iterator[Person], busy: Callable[[], bool]) -> list[Person]:
    """The next people, made while ``busy()`` (the PIN hashes), kept in order for the writer."""
    made: list[Person] = []
    while busy() and (person := next(persons, None)) is not None:
        made.append(person)
    return made


def _create_post(
    folder: DataFolder, session: Session, setup: PostSetup, pin_hashes: Sequence[str]
) -> tuple[Post, list[Volunteer]]:
    """The post (with its coordinator) by the one set-up code path, then the volunteers, with
    their PIN hashes made beforehand (``_hash_pins``).

    In the demo's own unit of work, so a cancelled demo leaves no post behind.
    """
    assert setup.coordinator is not None
    coordinator = replace(setup.coordinator, pin_hash=pin_hashes[0])
    post = create_post(session, folder, replace(setup, coordinator=coordinator))
    accounts = list(
        session.scalars(
            select(Volunteer).where(Volunteer.post_id == post.id).order_by(Volunteer.number)
        )
    )
    for login, pin_hash in list(zip(DEMO_LOGINS, pin_hashes, strict=True))[len(accounts) :]:
        setup_ = AccountSetup(login.name, login.pin, pin_hash)
        accounts.append(add_account(session, post, setup_, login.role, demo_pin=True))
    session.flush()  # the accounts get their ids
    return post, accounts


def _demo_day(session: Session, zone: tzinfo, today: date | None) -> date:
    now = operation_time(session).astimezone(zone).date()
    if today is None:
        return now
    if today > now:
        raise ValueError(f"the demo's day {today} is after the clock's date {now}")
    return today


def _record_demo(
    session: Session, post: Post, request: DemoRequest, day: date, counts: Counts
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
