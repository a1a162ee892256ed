"""Volunteer and coordinator accounts, logging in, and who is doing what (``Actor``).

PINs are stored only as slow argon2 hashes: a copied database must not give the PINs away.
What a new PIN may be, and the wait after wrong ones, are in ``domain/pins.py``; the count of
wrong ones is kept per account in the database (``services/pin_guard.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from rumah_perisai.db.models import LoginGuard, Post, Volunteer
from rumah_perisai.db.uow import Database, next_number, operation_time
from rumah_perisai.domain.pins import could_be_a_pin, weakness
from rumah_perisai.errors import UserError
from rumah_perisai.services.pin_guard import (
    account_guard_key,
    locked,
    record_failure,
    record_success,
    refuse_while_locked,
    start_guarded_try,
)

ROLE_VOLUNTEER = "volunteer"
ROLE_COORDINATOR = "coordinator"
LOGIN_ACTOR = "app:login"  # who records a wrong try when the caller names nobody
_hasher = PasswordHasher()


@dataclass(frozen=True)
class AccountSetup:
    name: str
    pin: str
    # The PIN's own argon2 hash made beforehand by ``hash_pin`` (the demo makes its nine on a
    # thread while it makes its people); None: hashed when the account is added.
    pin_hash: str | None = field(default=None, repr=False, compare=False)


def hash_pin(pin: str) -> str:
    """A new argon2 hash of ``pin`` (as ``check_pin`` returns it), with its own salt."""
    return _hasher.hash(pin)


def tidy_name(name: str) -> str:
    """The name with its spaces tidied; raises ``UserError`` for an empty or overlong one."""
    tidy = " ".join(name.split())
    if not tidy or len(tidy) > 100:
        raise UserError("bad_volunteer_name")
    return tidy


def check_pin(pin: str, *, demo: bool = False) -> str:
    """A new PIN by the rule of ``domain/pins.py``; raises ``UserError("pin_rule")`` otherwise.

    ``demo``: the demo post's documented PINs (1357, 2468) as the rule was before issue 16; only
    the demo's own set-up passes it."""
    pin = pin.strip()
    if demo:
        if not could_be_a_pin(pin):
            raise UserError("bad_pin")
        return pin
    if weakness(pin) is not None:
        raise UserError("pin_rule")
    return pin


def check_account(setup: AccountSetup, *, demo: bool = False) -> AccountSetup:
    """Both checks, before anything is stored."""
    return AccountSetup(tidy_name(setup.name), check_pin(setup.pin, demo=demo), setup.pin_hash)


def login_name(name: str) -> str:
    """The case- and space-insensitive form a person logs in with."""
    return " ".join(name.split()).casefold()[:40]


def add_account(
    session: Session, post: Post, setup: AccountSetup, role: str, *, demo_pin: bool = False
) -> Volunteer:
    """Add an account to ``post`` inside the caller's unit of work. ``demo_pin``: one of the
    demo post's documented logins (``check_pin``), on a demo post only."""
    if demo_pin and not post.is_demo:
        raise ValueError("demo PINs are for demo posts only")
    account = check_account(setup, demo=demo_pin)
    volunteer = Volunteer(
        post_id=post.id,
        post_code=post.code,
        number=next_number(session, post.code, "volunteer"),
        login=login_name(account.name),
        name=account.name,
        role=role,
        pin_hash=account.pin_hash or hash_pin(account.pin),
        active=True,
        created_at=operation_time(session),
    )
    session.add(volunteer)
    return volunteer


def pin_matches(volunteer: Volunteer, pin: str) -> bool:
    if volunteer.pin_hash is None:
        return False
    try:
        return _hasher.verify(volunteer.pin_hash, pin.strip())
    except Exception:  # argon2 raises VerifyMismatchError and friends; all mean "no"
        return False


@dataclass(frozen=True)
class Actor:
    """Who is doing something: the audit label, and the account behind it if any."""

    label: str  # written to the audit log: "volunteer:RP3209A-V002 Siti Aminah", "cli:root"
    volunteer_id: int | None = None
    role: str | None = None
    name: str = ""

    @property
    def is_coordinator(self) -> bool:
        return self.role == ROLE_COORDINATOR


def actor_for(volunteer: Volunteer) -> Actor:
    return Actor(
        label=f"volunteer:{volunteer.natural_key()} {volunteer.name}",
        volunteer_id=volunteer.id,
        role=volunteer.role,
        name=volunteer.name,
    )


@dataclass(frozen=True)
class Login:
    """Who logged in, and whether their PIN is one made before the rule of issue 16 (too short
    or too easy): the window then asks for a new one before the work starts."""

    actor: Actor
    must_change_pin: bool


def log_in(db: Database, name: str, pin: str, *, by: str = LOGIN_ACTOR) -> Actor:
    """Check a name and PIN (``attempt_login``) and return who it is."""
    return attempt_login(db, name, pin, by=by).actor


def attempt_login(db: Database, name: str, pin: str, *, by: str = LOGIN_ACTOR) -> Login:
    """Check a name and PIN; the same answer for a wrong name and a wrong PIN.

    After 5 wrong PINs in a row for an account its next try waits (``pin_locked``, saying how
    long), counted in the database and recorded in the audit as ``by`` (the window or the
    command line). A right PIN starts the count again. A name no active account has is only
    ``bad_login``: there is no account to count for, and the window lists the names anyway. So
    is a PIN no account can have (``could_be_a_pin``), without a try counted. With the clock
    behind the newest record nothing is tried (``clock_behind``, see ``start_guarded_try``)."""
    if not could_be_a_pin(pin.strip()):  # "abc", "1111", hostile bytes: no PIN is one
        raise UserError("bad_login")
    with db.unit_of_work(by) as session:
        outcome, recorded = _check_login(session, name, pin)
        if not recorded:
            session.rollback()  # nothing to keep: not even the change number taken
    if isinstance(outcome, UserError):
        raise outcome
    return outcome


def _active_account(session: Session, name: str) -> Volunteer | None:
    return session.scalars(
        select(Volunteer).where(Volunteer.login == login_name(name), Volunteer.active.is_(True))
    ).first()


def _check_login(session: Session, name: str, pin: str) -> tuple[Login | UserError, bool]:
    """The login's outcome, and whether it changed the count (then it is committed)."""
    now = start_guarded_try(session)
    volunteer = _active_account(session, name)
    if volunteer is None:
        return UserError("bad_login"), False
    key = account_guard_key(volunteer.natural_key())
    refuse_while_locked(session, key, now, "pin_locked")
    if not pin_matches(volunteer, pin):
        wait = record_failure(session, key, now, "PINs")
        return (locked_error(wait) if wait else UserError("bad_login")), True
    recorded = record_success(session, key)
    post = session.get_one(Post, volunteer.post_id)
    must_change = not post.is_demo and weakness(pin.strip()) is not None
    return Login(actor_for(volunteer), must_change), recorded


def locked_error(wait: timedelta) -> UserError:
    return locked("pin_locked", wait)


def change_own_pin(
    db: Database, account_id: int, old_pin: str, new_pin: str, *, by: str = LOGIN_ACTOR
) -> None:
    """Someone who just logged in with a PIN made before the rule chooses a new one.

    The old PIN is checked again, as a try like any other: the service does not take the
    window's word for it."""
    new_hash = _hasher.hash(check_pin(new_pin))
    with db.unit_of_work(by) as session:
        now = start_guarded_try(session)
        volunteer = session.get_one(Volunteer, account_id)
        key = account_guard_key(volunteer.natural_key())
        refuse_while_locked(session, key, now, "pin_locked")
        if not volunteer.active or not pin_matches(volunteer, old_pin):
            wait = record_failure(session, key, now, "PINs")
            outcome: UserError | None = locked_error(wait) if wait else UserError("bad_login")
        else:
            session.info["actor"] = actor_for(volunteer).label  # the owner changes their own
            volunteer.pin_hash = new_hash
            record_success(session, key)
            outcome = None
    if outcome is not None:
        raise outcome


def require_coordinator(actor: Actor) -> None:
    if not actor.is_coordinator:
        raise UserError("coordinator_only")


@dataclass(frozen=True)
class Account:
    id: int
    key: str
    name: str
    role: str
    active: bool
    wrong_pins: int = 0  # wrong PINs in a row since the last right one
    lockouts: int = 0  # times the account had to wait, ever
    last_lockout_at: datetime | None = None
    locked_until: datetime | None = None


def accounts(db: Database) -> list[Account]:
    """Every account of the post, active ones first, with its wrong PINs and lock-outs."""
    with db.reading() as session:
        guards = {g.key: g for g in session.scalars(select(LoginGuard))}
        rows = session.scalars(select(Volunteer).order_by(Volunteer.active.desc(), Volunteer.name))
        return [_account(v, guards.get(account_guard_key(v.natural_key()))) for v in rows]


def _account(volunteer: Volunteer, guard: LoginGuard | None) -> Account:
    account = Account(
        volunteer.id, volunteer.natural_key(), volunteer.name, volunteer.role, volunteer.active
    )
    if guard is None:
        return account
    return replace(
        account,
        wrong_pins=guard.failures,
        lockouts=guard.lockouts,
        last_lockout_at=guard.last_lockout_at,
        locked_until=guard.locked_until,
    )


def has_coordinator(db: Database) -> bool:
    return any(a.active and a.role == ROLE_COORDINATOR for a in accounts(db))


def _local_post(session: Session) -> Post:
    post = session.scalars(select(Post).where(Post.is_local.is_(True))).first()
    if post is None:
        raise UserError("no_post")
    return post


def create_account(db: Database, setup: AccountSetup, role: str, actor: Actor | None) -> Account:
    """A coordinator adds an account. The very first coordinator of a post needs no actor."""
    if role not in (ROLE_VOLUNTEER, ROLE_COORDINATOR):
        raise ValueError(role)
    first = not has_coordinator(db)
    if not first:
        if actor is None:
            raise UserError("coordinator_only")
        require_coordinator(actor)
    if first and role != ROLE_COORDINATOR:
        raise UserError("coordinator_only")
    label = actor.label if actor else "app:first-coordinator"
    with db.unit_of_work(label) as session:
        post = _local_post(session)
        login = login_name(setup.name)
        if session.scalars(select(Volunteer.id).where(Volunteer.login == login)).first():
            raise UserError("account_exists", name=tidy_name(setup.name))
        volunteer = add_account(session, post, setup, role)
        session.flush()
        return Account(volunteer.id, volunteer.natural_key(), volunteer.name, role, True)


def set_active(db: Database, account_id: int, active: bool, actor: Actor) -> None:
    """Deactivate (or bring back) an account; its records keep saying who made them."""
    require_coordinator(actor)
    with db.unit_of_work(actor.label) as session:
        volunteer = session.get_one(Volunteer, account_id)
        if not active and volunteer.id == actor.volunteer_id:
            raise UserError("cannot_deactivate_self")
        volunteer.active = active
        volunteer.deactivated_at = None if active else operation_time(session)


def reset_pin(db: Database, account_id: int, pin: str, actor: Actor) -> None:
    """A coordinator gives an account a new PIN; a wait from wrong PINs ends with it."""
    require_coordinator(actor)
    new_hash = _hasher.hash(check_pin(pin))
    with db.unit_of_work(actor.label) as session:
        volunteer = session.get_one(Volunteer, account_id)
        volunteer.pin_hash = new_hash
        record_success(session, account_guard_key(volunteer.natural_key()))
