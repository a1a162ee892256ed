"""The promotion dashboard's tally (issue 21) equals a recount from the participants.

The promotion tab reads its figures and cohorts from counts kept in the same transaction as
every change of a participant (``db.tally``). Here random operations — registrations at the
desk and straight into the table, payments, voids and refunds, withdrawals, consent withdrawn,
rejoins, erasures, spreadsheet imports, refused operations, days passing — run one after the
other, and after each the figures and cohorts from the tally are compared with the ones counted
from the participants (``recount_*``) on days around today (the day a promotion ends, the last
of the 14 days, long before and after), for the whole post and for each volunteer; the tally's
rows are compared with a tally counted again from scratch. The demo's bulk rows and the
migration that fills the tally of an existing post are checked the same way.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from rumah_perisai.app import App, open_app
from rumah_perisai.db import tally
from rumah_perisai.db.migrate import downgrade_to, upgrade_to_head
from rumah_perisai.db.models import EndedCount, Participant, PromotionCount, Receipt
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.domain.months import add_months, month_end
from rumah_perisai.errors import UserError
from rumah_perisai.services.dashboard import (
    cohorts,
    promotion_dashboard,
    promotion_figures,
    recount_cohorts,
    recount_promotion_figures,
)
from rumah_perisai.services.demo import DemoRequest, create_demo_post
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.registration import RegistrationForm, register, rejoin, withdraw
from rumah_perisai.services.requests import erase, withdraw_consent
from rumah_perisai.services.sheet_import import check, guess_mapping, import_checked, read_sheet
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock
from tests.dbfiles import engine_for

START = date(2026, 6, 1)
OTHER_DESA = "32.09.14.2002"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 6, 1, 2, 30, tzinfo=UTC))  # Mon 1 Jun 2026, 09:30 WIB


def _today(clock: FakeClock) -> date:
    return clock.now.date()


def _days_around(today: date) -> list[date]:
    """Today, the edges the figures turn on (a month's end, the 14 days), and far off."""
    month_end = date(today.year + today.month // 12, today.month % 12 + 1, 1) - timedelta(days=1)
    return sorted(
        {
            today,
            today - timedelta(days=13),
            today + timedelta(days=1),
            month_end,
            month_end + timedelta(days=1),
            month_end - timedelta(days=13),
            month_end - timedelta(days=14),
            today - timedelta(days=120),
            today + timedelta(days=100),
            START - timedelta(days=1),
        }
    )


def _volunteers(session: Session) -> list[int]:
    ids = session.scalars(select(Participant.registered_by_id).distinct()).all()
    return sorted(i for i in ids if i is not None)


def assert_tally_equals_recount(
    app: App, days: list[date], *, weeks: bool = False, done: tuple[str, ...] = ()
) -> None:
    with app.db.reading() as session:
        volunteers = _volunteers(session)
        kept = tally.is_kept(session)
    for day in days:
        for volunteer in (None, *volunteers):
            tallied = promotion_figures(app.db, day, volunteer_id=volunteer)
            counted = recount_promotion_figures(app.db, day, volunteer_id=volunteer)
            assert tallied == counted, (day, volunteer, done)
            for by in ("month", "week") if weeks else ("month",):
                rows = cohorts(app.db, day, by, volunteer_id=volunteer)
                assert rows == recount_cohorts(app.db, day, by, volunteer_id=volunteer), (
                    day,
                    volunteer,
                    by,
                    done,
                )
    assert kept  # the figures above came from the tally, not from the recount


def _rows(connection: Connection) -> set[tuple[Any, ...]]:
    found: set[tuple[Any, ...]] = set()
    for model in (PromotionCount, EndedCount):
        columns = list(model.__table__.columns)
        for row in connection.execute(select(*columns).where(model.n != 0)):
            found.add((model.__tablename__, *row))
    return found


def assert_rows_equal_a_fresh_count(app: App) -> None:
    """The counts kept change by change are the counts made again from scratch."""
    with app.db.engine.connect() as connection:
        kept = _rows(connection)
        tally.rebuild(connection)
        fresh = _rows(connection)
        connection.rollback()
    assert kept == fresh


# --- the operations ------------------------------------------------------------------------------


class World:
    """A post where random things happen, each one as the program does it."""

    def __init__(
        self,
        app: App,
        clock: FakeClock,
        add_participant: Callable[..., int],
        actors: list[Actor],
        coordinator: Actor,
        tmp_path: Path,
        rng: random.Random,
    ) -> None:
        self.app, self.clock, self.add_participant = app, clock, add_participant
        self.actors, self.coordinator, self.tmp_path, self.rng = actors, coordinator, tmp_path, rng
        self.serial = 0

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def participants(self, *standing: str) -> list[int]:
        with self.app.db.reading() as session:
            query = select(Participant.id).order_by(Participant.id)
            if standing:
                query = query.where(Participant.standing.in_(standing))
            return list(session.scalars(query))

    def receipts(self) -> list[int]:
        with self.app.db.reading() as session:
            return list(
                session.scalars(
                    select(Receipt.id).where(Receipt.kind == "payment").order_by(Receipt.id)
                )
            )

    def pick(self, ids: list[int]) -> int | None:
        return self.rng.choice(ids) if ids else None

    # each returns what it did, for the assertion messages

    def register_at_the_desk(self) -> str:
        n = self.next_serial()
        born = date(1970 + n % 30, 1 + n % 12, 1 + n % 28)
        form = RegistrationForm(
            nik=f"320914{born.day:02d}{born.month:02d}{born.year % 100:02d}{n:04d}",
            name=f"Peserta Meja {n}",
            birth_place="Cirebon",
            birth_date=born,
            sex="L",
            street="Jl. Pantura",
            rt="1",
            rw="2",
            desa_code=self.rng.choice(("32.09.14.2001", OTHER_DESA)),
            phone="",
            occupation="Nelayan",
            income=1_000_000,
            with_jht=self.rng.random() < 0.3,
            heir_name="",
            heir_relation="",
            consent=True,
        )
        register(self.app.db, form, self.rng.choice(self.actors))
        return "register"

    def register_straight_in(self) -> str:
        """Older registrations, with or without a promotion, by anybody (the fixture's insert)."""
        registered = _today(self.clock) - timedelta(days=self.rng.randrange(0, 400))
        end: date | None = month_end(add_months(registered, self.rng.choice((0, 1, 3))))
        if self.rng.random() < 0.2:
            end = None
        volunteer = self.rng.choice([None, *(a.volunteer_id for a in self.actors)])
        self.add_participant(
            registered_on=registered,
            history=CoverHistory(Standing.MEMBER, registered, end, frozenset()),
            desa_code=self.rng.choice(("32.09.14.2001", OTHER_DESA)),
            registered_by_id=volunteer,
            nik=f"3209140101{self.next_serial():06d}",
            number=100_000 + self.serial,  # apart from the numbers the desk gives
            registration_no=f"RP3209A-9{self.serial:05d}",
        )
        return "insert"

    def pay(self) -> str:
        who = self.pick(self.participants(Standing.MEMBER.value))
        if who is None:
            return "pay: nobody"
        options = payment_options(self.app.db, who)
        if not options.plans:
            return "pay: cannot"  # lapsed: rejoin first
        plan = self.rng.choice([*options.plans, options.plans[0]])
        try:
            take_payment(
                self.app.db, who, plan.month_count, plan.total, self.rng.choice(self.actors)
            )
        except UserError as refused:
            return f"pay refused: {refused.key}"
        return "pay"

    def void(self) -> str:
        receipt = self.pick(self.receipts())
        if receipt is None:
            return "void: nothing"
        try:
            void_receipt(self.app.db, receipt, "salah catat", self.coordinator)
        except UserError as refused:
            return f"void refused: {refused.key}"
        return "void"

    def withdraw(self) -> str:
        who = self.pick(self.participants())
        try:
            if who is not None:
                withdraw(self.app.db, who, "salah daftar", self.coordinator)
        except UserError as refused:
            return f"withdraw refused: {refused.key}"
        return "withdraw"

    def end(self) -> str:
        who = self.pick(self.participants())
        try:
            if who is not None:
                withdraw_consent(self.app.db, who, _today(self.clock), "phone", self.coordinator)
        except UserError as refused:
            return f"end refused: {refused.key}"
        return "end"

    def rejoin(self) -> str:
        who = self.pick(self.participants(Standing.MEMBER.value))
        try:
            if who is not None:
                rejoin(self.app.db, who, self.coordinator)
        except UserError as refused:
            return f"rejoin refused: {refused.key}"
        return "rejoin"

    def erase(self) -> str:
        who = self.pick(self.participants())
        try:
            if who is not None:
                erase(
                    self.app.db, self.app.folder, who, _today(self.clock), "in_person",
                    self.coordinator,
                )  # fmt: skip
        except UserError as refused:
            return f"erase refused: {refused.key}"
        return "erase"

    def import_sheet(self) -> str:
        book = Workbook()
        sheet = book.active
        sheet.append(["No", "NIK", "Nama Lengkap", "Tgl Lahir", "L/P", "Alamat", "Desa",
                      "Pekerjaan", "Tgl Daftar"])  # fmt: skip
        for row in range(1, 4):
            n = self.next_serial()
            born = date(1960 + n % 30, 1 + n % 12, 1 + n % 28)
            registered = _today(self.clock) - timedelta(days=self.rng.randrange(0, 300))
            sheet.append([
                row, f"320914{born.day:02d}{born.month:02d}{born.year % 100:02d}{n:04d}",
                f"Peserta Impor {n}", born.strftime("%d-%m-%Y"), "L", "Jl. Pantura",
                "Suranenggala Kulon", "Nelayan", registered.isoformat(),
            ])  # fmt: skip
        path = self.tmp_path / f"impor-{self.serial}.xlsx"
        book.save(path)
        read = read_sheet(path)
        checked = check(self.app.db, self.app.folder, read, guess_mapping(read))
        done = import_checked(
            self.app.db, self.app.folder, checked, self.coordinator, consent_confirmed=True
        )
        return f"import {done.registered}"

    def days_pass(self) -> str:
        days = self.rng.choice((0, 1, 5, 13, 14, 30))
        self.clock.now += timedelta(days=days)
        return f"+{days} days"

    def step(self) -> str:
        operations: list[tuple[Callable[[], str], int]] = [
            (self.register_at_the_desk, 4),
            (self.register_straight_in, 4),
            (self.pay, 8),
            (self.void, 3),
            (self.withdraw, 1),
            (self.end, 1),
            (self.rejoin, 2),
            (self.days_pass, 5),
        ]
        chosen = self.rng.choices([o for o, _ in operations], [w for _, w in operations])[0]
        return chosen()


@pytest.fixture
def world(
    app: App,
    clock: FakeClock,
    add_participant: Callable[..., int],
    coordinator: Actor,
    volunteer: Actor,
    tmp_path: Path,
) -> World:
    return World(
        app, clock, add_participant, [coordinator, volunteer], coordinator, tmp_path,
        random.Random(21),
    )  # fmt: skip


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_tally_equals_a_recount_after_every_random_operation(world: World) -> None:
    for _ in range(12):  # a post with some history first
        world.register_straight_in()
    world.register_at_the_desk()
    done = []
    for step in range(32):
        done.append(world.step())
        if step % 12 == 5:
            done.append(world.import_sheet())
        if step % 14 == 9:
            done.append(world.erase())
        if step % 16 == 3:
            done.append(world.withdraw())
        if step % 16 == 11:
            done.append(world.end())
        today = _today(world.clock)
        days = world.rng.sample(_days_around(today), 2)
        assert_tally_equals_recount(world.app, [today, *days], done=tuple(done))
    assert_tally_equals_recount(world.app, _days_around(_today(world.clock)), weeks=True)
    assert_rows_equal_a_fresh_count(world.app)
    # What the walk did, so a change of the mix that stops exercising something shows here.
    kinds = {d.split(" ")[0].split(":")[0] for d in done}
    assert {"pay", "void", "rejoin", "import", "erase", "withdraw", "end"} <= kinds, done


def test_a_refused_operation_leaves_the_counts_as_they_were(world: World, volunteer: Actor) -> None:
    for _ in range(6):
        world.register_straight_in()
    with world.app.db.engine.connect() as connection:
        before = _rows(connection)
    who = world.participants()[0]
    with pytest.raises(UserError):  # the amount does not match the plan: nothing is saved
        take_payment(world.app.db, who, 1, 1, volunteer)
    with pytest.raises(RuntimeError), world.app.db.unit_of_work("cli:test") as session:
        participant = session.get(Participant, who)
        assert participant is not None
        participant.standing = Standing.WITHDRAWN.value
        session.flush()  # the counts moved inside the transaction...
        raise RuntimeError("and the operation failed")  # ...and went back with it
    with world.app.db.engine.connect() as connection:
        assert _rows(connection) == before


def test_the_window_reads_figures_and_cohorts_from_the_tally(
    world: World, volunteer: Actor
) -> None:
    for _ in range(10):
        world.register_straight_in()
    for _ in range(10):
        world.pay()
    day = _today(world.clock)
    for who in (None, volunteer.volunteer_id):
        figures, rows = promotion_dashboard(world.app.db, day, "week", volunteer_id=who)
        assert figures == recount_promotion_figures(world.app.db, day, volunteer_id=who)
        assert rows == recount_cohorts(world.app.db, day, "week", volunteer_id=who)
    # One desa is counted from the participants, and agrees with the whole post's split.
    whole = promotion_figures(world.app.db, day)
    by_desa = [
        promotion_figures(world.app.db, day, desa_code=desa)
        for desa in ("32.09.14.2001", OTHER_DESA)
    ]
    assert whole.registered_with_promotion == sum(f.registered_with_promotion for f in by_desa)
    assert whole.converted_active == sum(f.converted_active for f in by_desa)


def test_the_demos_bulk_rows_are_counted(app: App) -> None:
    create_demo_post(app.db, app.folder, DemoRequest(250, seed=3), "cli:test", today=START)
    assert_tally_equals_recount(app, [START], weeks=True)
    assert_tally_equals_recount(app, random.Random(3).sample(_days_around(START), 4))
    assert_rows_equal_a_fresh_count(app)


def test_the_migration_counts_an_existing_post(world: World, database_url: str) -> None:
    """A post with history, taken back to 0017 (no tally) and upgraded: the migration's SQL
    counts what the program kept change by change."""
    for _ in range(15):
        world.register_straight_in()
    world.register_at_the_desk()
    for _ in range(25):
        world.step()
    with world.app.db.engine.connect() as connection:
        kept = _rows(connection)
    assert kept
    day = _today(world.clock)
    figures = promotion_figures(world.app.db, day)
    world.app.close()
    engine = engine_for(world.app.folder, database_url)
    try:
        downgrade_to(engine, "0017")
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert _rows(connection) == kept
    finally:
        engine.dispose()
    with open_app(world.app.folder, database_url, clock=world.clock) as reopened:
        assert promotion_figures(reopened.db, day) == figures
