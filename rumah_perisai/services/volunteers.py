"""Volunteer and coordinator accounts, logging in, and who is doing what (``Actor``).

PINs are stored only as slow argon2 hashes: a copied database must not give the PINs away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from rumah_perisai.db.models import Post, Volunteer
from rumah_perisai.db.uow import Database, next_number, operation_time
from rumah_perisai.errors import UserError

ROLE_VOLUNTEER = "volunteer"
ROLE_COORDINATOR = "coordinator"
_PIN = re.compile(r"[0-9]{4,8}")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class AccountSetup:
    name: str
    pin: str


def tidy_name(name: str) -> str:
    """The name with its spaces tidied; raises ``UserError`` for an empty or overlong one."""
    tidy = " ".join(name.split())
    if not tidy or len(tidy) > 100:
        raise UserError("bad_volunteer_name")
    return tidy


def check_pin(pin: str) -> str:
    """4–8 digits, not one digit repeated; raises ``UserError`` otherwise."""
    pin = pin.strip()
    if not _PIN.fullmatch(pin) or len(set(pin)) == 1:
        raise UserError("bad_pin")
    return pin


def check_account(setup: AccountSetup) -> AccountSetup:
    """Both checks, before anything is stored."""
    return AccountSetup(tidy_name(setup.name), check_pin(setup.pin))


def login_name(name: str) -> str:
    """The case- and space-insensitive form a person logs in with."""
    return " ".join(name.split()).casefold()[:40]


def add_account(session: Session, post: Post, setup: AccountSetup, role: str) -> Volunteer:
    """Add an account to ``post`` inside the caller's unit of work."""
    account = check_account(setup)
    volunteer = Volunteer(
        post_id=post.id,
        post_code=post.code,
        number=next_number(session, post.code, "volunteer"),
        login=login_name(account.name),
        name=account.name,
        role=role,
        pin_hash=_hasher.hash(account.pin),
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


def log_in(db: Database, name: str, pin: str) -> Actor:
    """Check a name and PIN; the same answer for a wrong name and a wrong PIN."""
    with db.reading() as session:
        volunteer = session.scalars(
            select(Volunteer).where(Volunteer.login == login_name(name), Volunteer.active.is_(True))
        ).first()
        if volunteer is None or not pin_matches(volunteer, pin):
            raise UserError("bad_login")
        return actor_for(volunteer)


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


def accounts(db: Database) -> list[Account]:
    """Every account of the post, active ones first."""
    with db.reading() as session:
        rows = session.scalars(select(Volunteer).order_by(Volunteer.active.desc(), Volunteer.name))
        return [Account(v.id, v.natural_key(), v.name, v.role, v.active) for v in rows]


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
    require_coordinator(actor)
    new_hash = _hasher.hash(check_pin(pin))
    with db.unit_of_work(actor.label) as session:
        session.get_one(Volunteer, account_id).pin_hash = new_hash
