"""The wait after wrong PINs (per account) and wrong recovery codes (per post), in the database.

Every guarded try runs inside one unit of work that first takes the database's write lock
(``start_guarded_try``) and only then reads the count and checks the PIN or code. Two tries at
once, from two windows or a window and the command line, are therefore checked one after the
other: the second sees the count the first left, so together they never get more tries than
one would. The lock is held only while one PIN hash (or recovery code) is checked.

Each wrong try, each lock-out (with its reason) and each reset of the count is a change of a
``LoginGuard`` row, so the audit log has them all with who tried (the window or the command
line) and when.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import format_timedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from rumah_perisai.db.models import AuditEntry, LoginGuard
from rumah_perisai.db.uow import Database, check_clock, operation_time
from rumah_perisai.domain.pins import wait_after
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import babel_locale


def account_guard_key(account_key: str) -> str:
    """The guard of one account, by its natural key (``RP3209A-V002``)."""
    return f"pin:{account_key}"


def recovery_guard_key(post_code: str) -> str:
    return f"recovery:{post_code}"


def start_guarded_try(session: Session) -> datetime:
    """Take the write lock (and check the clock) before anything is read: see the module.

    With the clock behind the newest record a wrong try could not be recorded, so nothing is
    tried at all (``clock_behind``): setting the clock back must not buy free guesses."""
    check_clock(session)
    return operation_time(session)


def refuse_while_locked(session: Session, key: str, now: datetime, refusal: str) -> None:
    """``UserError(refusal, wait=..., seconds=...)`` while ``key`` must still wait."""
    guard = session.get(LoginGuard, key)
    if guard is not None and guard.locked_until is not None and guard.locked_until > now:
        raise locked(refusal, guard.locked_until - now)


def record_failure(session: Session, key: str, now: datetime, what: str) -> timedelta:
    """Count one wrong try; returns the wait it starts (zero while under the limit).

    ``what`` names the kind of try in the audit's reason for a lock-out ("PINs")."""
    guard = session.get(LoginGuard, key)
    if guard is None:
        guard = LoginGuard(key=key, failures=0, lockouts=0)
        session.add(guard)
    guard.failures += 1
    guard.last_failure_at = now
    wait = wait_after(guard.failures)
    if wait:
        guard.locked_until = now + wait
        guard.lockouts += 1
        guard.last_lockout_at = now
        seconds = int(wait.total_seconds())
        session.info["reason"] = (
            f"locked out for {seconds} s after {guard.failures} wrong {what} in a row"
        )
    session.flush()
    session.info.pop("reason", None)
    return wait


def record_success(session: Session, key: str) -> bool:
    """A right PIN or code starts the count again; True when there was one to clear."""
    guard = session.get(LoginGuard, key)
    if guard is None or (guard.failures == 0 and guard.locked_until is None):
        return False
    guard.failures = 0
    guard.locked_until = None
    session.flush()
    return True


def locked(refusal: str, wait: timedelta) -> UserError:
    seconds = max(1, math.ceil(wait.total_seconds()))
    return UserError(refusal, wait=wait_text(seconds), seconds=seconds)


def wait_text(seconds: int) -> str:
    """``45 detik``, ``2 menit``: whole minutes from one minute on, rounded up (a wait said
    shorter than it is would only earn another refusal)."""
    if seconds < 60:
        span = timedelta(seconds=seconds)
    else:
        span = timedelta(minutes=math.ceil(seconds / 60))
    return str(format_timedelta(span, threshold=1, locale=babel_locale()))


def lockouts_in_audit(db: Database, key: str, limit: int = 10) -> list[datetime]:
    """When ``key`` was locked out, newest first, from the audit log (the guard row keeps only
    the last one): what the coordinator's list shows on request."""
    with db.reading() as session:
        rows = session.execute(
            select(AuditEntry.at, AuditEntry.changes_json)
            .where(AuditEntry.entity == LoginGuard.__tablename__, AuditEntry.entity_key == key)
            .order_by(AuditEntry.id.desc())
        )
        moments = [at for at, changes in rows if '"_reason": "locked out' in changes]
    return moments[:limit]


@dataclass(frozen=True)
class GuardState:
    failures: int
    lockouts: int
    last_lockout_at: datetime | None
    locked_until: datetime | None


def guard_state(db: Database, key: str) -> GuardState | None:
    """The count behind ``key`` (e.g. the post's recovery code), or None when never wrong."""
    with db.reading() as session:
        guard = session.get(LoginGuard, key)
        if guard is None:
            return None
        return GuardState(guard.failures, guard.lockouts, guard.last_lockout_at, guard.locked_until)
