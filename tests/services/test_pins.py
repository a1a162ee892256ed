"""PINs (issue 16, item 4): a growing wait after 5 wrong ones, counted in the database and
audited; new PINs of 6–8 digits that are no pattern; old short PINs changed at the next login."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from rumah_perisai.app import App, open_app
from rumah_perisai.db.models import AuditEntry, LoginGuard, Volunteer
from rumah_perisai.errors import UserError
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    AccountSetup,
    Actor,
    accounts,
    attempt_login,
    change_own_pin,
    check_pin,
    create_account,
    log_in,
    reset_pin,
)
from tests.children import Child
from tests.conftest import FakeClock

PIN = "482913"


@pytest.fixture
def dewi(app: App, post: PostSummary) -> Actor:
    create_account(app.db, AccountSetup("Dewi Lestari", PIN), ROLE_COORDINATOR, None)
    return log_in(app.db, "Dewi Lestari", PIN)


def _refusal(app: App, pin: str, name: str = "Dewi Lestari") -> UserError:
    with pytest.raises(UserError) as refused:
        log_in(app.db, name, pin)
    return refused.value


@pytest.mark.parametrize(
    "pin",
    [
        "1357", "24680",  # too short: what the program took before
        "111111", "00000000",  # one digit
        "123456", "987654", "34567890", "890123", "210987",  # runs, also round 9→0
        "121212", "123123", "12341234", "909090",  # a group repeated
        "12a456", "", "123456789",  # not 6–8 digits
    ],
)  # fmt: skip
def test_a_new_pin_that_is_short_or_a_pattern_is_refused_saying_what_is_allowed(
    pin: str,
) -> None:
    with pytest.raises(UserError) as refused:
        check_pin(pin)
    assert refused.value.message() == (
        "PIN harus 6–8 angka, dan bukan satu angka yang diulang (111111), bukan angka berurutan "
        "(123456, 987654), bukan pula kelompok angka yang diulang (121212, 123123)."
    )


@pytest.mark.parametrize("pin", ["482913", "135790", "112233", "24681357", "1234560", "908172"])
def test_a_good_new_pin_is_taken(pin: str) -> None:
    assert check_pin(f" {pin} ") == pin


def test_five_wrong_pins_make_the_next_try_wait_30_s_then_twice_as_long_each_time(
    app: App, dewi: Actor, clock: FakeClock
) -> None:
    for _ in range(4):
        assert _refusal(app, "000001").message() == "Nama atau PIN salah."
    fifth = _refusal(app, "000001")
    assert (fifth.key, fifth.params["seconds"]) == ("pin_locked", 30)
    assert fifth.message() == (
        "Terlalu banyak PIN salah untuk nama ini. Tunggu 30 detik sebelum mencoba lagi."
    )
    # While it waits even the right PIN is not looked at, and the wait is not made longer.
    clock.advance(seconds=20)
    assert _refusal(app, PIN).params["seconds"] == 10
    clock.advance(seconds=10)
    assert _refusal(app, "000001").params["seconds"] == 60  # the 6th wrong one: twice as long
    clock.advance(seconds=60)
    third = _refusal(app, "000001")
    assert third.message().endswith("Tunggu 2 menit sebelum mencoba lagi.")
    for seconds in (240, 480, 900, 900):  # doubling up to 15 minutes
        clock.advance(seconds=third.params["seconds"])
        third = _refusal(app, "000001")
        assert third.params["seconds"] == seconds
    clock.advance(minutes=15)
    assert log_in(app.db, "dewi lestari", PIN).name == "Dewi Lestari"  # a right PIN: count anew
    for _ in range(4):
        assert _refusal(app, "000001").key == "bad_login"
    assert _refusal(app, "000001").params["seconds"] == 30


def test_the_count_survives_a_restart_and_each_lock_out_is_in_the_audit(
    app: App, dewi: Actor, clock: FakeClock
) -> None:
    for _ in range(5):
        _refusal(app, "000001")
    app.close()
    reopened = open_app(app.folder, app.db.engine.url.render_as_string(False), clock=clock)
    try:
        assert _refusal(reopened, PIN).key == "pin_locked"
        with reopened.db.reading() as session:
            entries = session.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "login_guards")
                .order_by(AuditEntry.id)
            ).all()
        assert [e.entity_key for e in entries] == ["pin:RP3209A-V001"] * 5
        assert {e.actor for e in entries} == {"app:login"}
        last = json.loads(entries[-1].changes_json)
        assert last["_reason"] == "locked out for 30 s after 5 wrong PINs in a row"
        assert last["failures"] == [4, 5] and last["lockouts"] == [0, 1]
        assert all("_reason" not in json.loads(e.changes_json) for e in entries[:-1])
        # The coordinator's list shows it.
        (account,) = accounts(reopened.db)
        assert (account.wrong_pins, account.lockouts) == (5, 1)
        assert account.last_lockout_at == clock.now
        assert account.locked_until == clock.now + timedelta(seconds=30)
    finally:
        reopened.close()


def test_a_wrong_name_is_not_counted_and_says_no_more_than_before(app: App, dewi: Actor) -> None:
    for _ in range(8):
        assert _refusal(app, PIN, name="Dewi Lestary").message() == "Nama atau PIN salah."
    with app.db.reading() as session:
        assert session.scalars(select(LoginGuard)).all() == []
    assert log_in(app.db, "Dewi Lestari", PIN).name == "Dewi Lestari"


def test_what_no_account_can_have_as_pin_is_not_counted(app: App, dewi: Actor) -> None:
    """Letters, one digit repeated, 3 or 9 digits: the program never took such a PIN, so it
    cannot match; trying one tells nothing and costs no try."""
    for pin in ("1111", "abcdef", "123", "123456789", "\udcff") * 2:
        assert _refusal(app, pin).message() == "Nama atau PIN salah."
    with app.db.reading() as session:
        assert session.scalars(select(LoginGuard)).all() == []


def test_two_logins_at_once_get_no_more_tries_than_one(app: App, dewi: Actor) -> None:
    """Eight threads try wrong PINs at once, 5 each: only 5 PINs are ever checked before the
    wait; every other try is told to wait (the clock does not move)."""
    answers: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def guess(worker: int) -> None:
        start.wait()
        for attempt in range(5):
            try:
                log_in(app.db, "Dewi Lestari", f"{worker}{attempt}4829")
                key = "in"
            except UserError as error:
                key = error.key
            with lock:
                answers.append(key)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(answers) == ["bad_login"] * 4 + ["pin_locked"] * 36
    (account,) = accounts(app.db)
    assert (account.wrong_pins, account.lockouts) == (5, 1)


def test_a_coordinators_new_pin_for_an_account_ends_its_wait(app: App, dewi: Actor) -> None:
    ujang = create_account(app.db, AccountSetup("Ujang Hidayat", "570264"), ROLE_VOLUNTEER, dewi)
    for _ in range(5):
        _refusal(app, "000001", name="Ujang Hidayat")
    assert _refusal(app, "570264", name="Ujang Hidayat").key == "pin_locked"
    with pytest.raises(UserError) as refused:
        reset_pin(app.db, ujang.id, "1357", dewi)
    assert refused.value.key == "pin_rule"
    reset_pin(app.db, ujang.id, "864209", dewi)
    assert log_in(app.db, "Ujang Hidayat", "864209").name == "Ujang Hidayat"
    assert [a.wrong_pins for a in accounts(app.db)] == [0, 0]


def test_an_old_short_pin_logs_in_but_must_be_changed(app: App, coordinator: Actor) -> None:
    """``coordinator`` was made before issue 16, with PIN 1357."""
    login = attempt_login(app.db, "Dewi Lestari", "1357")
    assert login.must_change_pin and login.actor == coordinator
    assert coordinator.volunteer_id is not None
    with pytest.raises(UserError) as refused:
        change_own_pin(app.db, coordinator.volunteer_id, "1357", "123456")
    assert refused.value.key == "pin_rule"
    change_own_pin(app.db, coordinator.volunteer_id, "1357", "570264")
    assert attempt_login(app.db, "Dewi Lestari", "570264") == attempt_login(
        app.db, "Dewi Lestari", "570264"
    )
    assert not attempt_login(app.db, "Dewi Lestari", "570264").must_change_pin
    assert _refusal(app, "1357").key == "bad_login"
    with app.db.reading() as session:
        change = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "volunteers")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).one()
    assert change.actor == "volunteer:RP3209A-V001 Dewi Lestari"  # the owner changed it
    assert "pin_hash" in json.loads(change.changes_json)


def test_changing_an_old_pin_checks_the_old_one_again_as_a_try(
    app: App, coordinator: Actor
) -> None:
    assert coordinator.volunteer_id is not None
    with pytest.raises(UserError) as refused:
        change_own_pin(app.db, coordinator.volunteer_id, "1358", "570264")
    assert refused.value.key == "bad_login"
    (account,) = accounts(app.db)
    assert account.wrong_pins == 1


def test_the_clock_behind_the_newest_record_tries_no_pin(
    app: App, dewi: Actor, clock: FakeClock
) -> None:
    """A wrong try could not be recorded then: setting the clock back must not buy guesses."""
    clock.advance(hours=-2)
    assert _refusal(app, PIN).key == "clock_behind"
    assert _refusal(app, "000001").key == "clock_behind"
    clock.advance(hours=2)
    assert accounts(app.db)[0].wrong_pins == 0


_GUESSER = """
import sys, time
from datetime import datetime
from pathlib import Path
from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.errors import UserError
from rumah_perisai.services.volunteers import log_in

folder, url, now, go, worker = sys.argv[1:]
app = open_app(DataFolder(Path(folder)), url, clock=lambda: datetime.fromisoformat(now))
print("ready", flush=True)
while not Path(go).exists():
    time.sleep(0.01)
for attempt in range(6):
    try:
        log_in(app.db, "Dewi Lestari", f"{worker}{attempt}0000", by="cli:test")
        print("in")
    except UserError as error:
        print(error.key)
app.close()
"""


@pytest.mark.slow
@pytest.mark.real_pin_hashing  # a forked guesser hashes at the program's cost, as python -c did
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() in a threaded test process
def test_two_processes_at_once_get_no_more_tries_than_one(
    app: App, dewi: Actor, clock: FakeClock, tmp_path: Path
) -> None:
    """As two programs on one laptop (the window and a command) would: each process has its
    own connection and its own argon2 work; the database alone keeps the count. Each guesser
    (``tests/children.py``) says ready once its post is open; then both are set off."""
    url = app.db.engine.url.render_as_string(hide_password=False)
    go = tmp_path / "go"
    root, now = str(app.folder.root), clock.now.isoformat()
    guessers = [Child(_GUESSER, root, url, now, str(go), str(worker)) for worker in (1, 2)]
    go.touch()
    answers = []
    for guesser in guessers:
        out = [guesser.readline() for _ in range(6)]
        assert guesser.wait() == 0, out
        answers += [line.strip() for line in out]
    assert sorted(answers) == ["bad_login"] * 4 + ["pin_locked"] * 8
    (account,) = accounts(app.db)
    assert (account.wrong_pins, account.lockouts) == (5, 1)


@pytest.mark.real_pin_hashing
def test_a_pin_is_stored_at_the_programs_full_argon2_cost(app: App, post: PostSummary) -> None:
    """The suite hashes cheaply (tests/conftest.py); the program itself must not: a copied
    database gives a PIN away only at argon2id's full cost (t=3, 64 MiB, 4 lanes)."""
    from argon2 import Type, extract_parameters

    create_account(app.db, AccountSetup("Dewi Lestari", PIN), ROLE_COORDINATOR, None)
    with app.db.reading() as session:
        stored = session.scalars(select(Volunteer.pin_hash)).one()
    used = extract_parameters(stored)
    assert (used.type, used.time_cost, used.memory_cost, used.parallelism) == (
        Type.ID, 3, 65536, 4,
    )  # fmt: skip
    assert log_in(app.db, "Dewi Lestari", PIN).label
