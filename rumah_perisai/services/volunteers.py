"""Volunteer and coordinator accounts. For now: the first coordinator, made at set-up.

PINs are stored only as slow argon2 hashes: a copied database must not give the PINs away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from rumah_perisai.db.models import Post, Volunteer
from rumah_perisai.db.uow import next_number, operation_time
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
