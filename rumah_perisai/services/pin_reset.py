"""A coordinator who forgot their PIN sets a new one with the post's recovery code (issue 16).

The recovery code is the one the coordinator was given when the post was set up (the sealed
recovery sheet); ``vault.check_recovery_code`` tells whether it is this folder's. Wrong codes are
counted per post like wrong PINs per account (``pin_guard``): after 5 the next try waits, and
every try and lock-out is in the audit. A code that is not even one in form (the check character
catches a typo) costs no try; neither does a weak new PIN or a name that is no coordinator's,
which are refused first. Only coordinators: a volunteer's PIN is a coordinator's to reset.
"""

from __future__ import annotations

from sqlalchemy import select

from rumah_perisai import vault
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Volunteer
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.services.pin_guard import (
    account_guard_key,
    locked,
    record_failure,
    record_success,
    recovery_guard_key,
    refuse_while_locked,
    start_guarded_try,
)
from rumah_perisai.services.posts import the_post
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    Actor,
    actor_for,
    check_pin,
    hash_pin,
    login_name,
    tidy_name,
)


def reset_pin_with_recovery_code(
    db: Database, folder: DataFolder, code: str, name: str, new_pin: str, *, by: str
) -> Actor:
    """Give coordinator ``name`` the PIN ``new_pin`` when ``code`` is the post's recovery code;
    returns who it was (the PIN's owner, to log in with it). Audited as ``by`` with the reason.
    A wait from wrong PINs on that account ends with it."""
    new_hash = hash_pin(check_pin(new_pin))  # the accounts' own hasher and cost
    typed = vault.normalise_code(code)
    record = vault.read_record(folder)
    if record is None or not isinstance(record.get("recovery"), dict):
        raise UserError("pin_reset_no_code")
    with db.unit_of_work(by) as session:
        now = start_guarded_try(session)
        guard = recovery_guard_key(the_post(session).code)
        refuse_while_locked(session, guard, now, "recovery_locked")
        coordinator = session.scalars(
            select(Volunteer).where(
                Volunteer.login == login_name(name),
                Volunteer.active.is_(True),
                Volunteer.role == ROLE_COORDINATOR,
            )
        ).first()
        if coordinator is None:
            raise UserError("pin_reset_not_coordinator", name=tidy_name(name))
        if not vault.check_recovery_code(folder, typed):
            wait = record_failure(session, guard, now, "recovery codes")
            outcome: Actor | UserError = (
                locked("recovery_locked", wait) if wait else UserError("pin_reset_code_wrong")
            )
        else:
            record_success(session, guard)
            record_success(session, account_guard_key(coordinator.natural_key()))
            session.info["reason"] = "PIN reset with the post's recovery code"
            coordinator.pin_hash = new_hash
            session.flush()
            outcome = actor_for(coordinator)
    if isinstance(outcome, UserError):
        raise outcome
    return outcome
