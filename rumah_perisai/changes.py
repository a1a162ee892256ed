"""Change notices: what kind of data an operation changed, announced once it is committed.

The core knows nothing of windows; it only says *what changed*, in a few named topics. Every
committed unit of work announces the topics of the tables it wrote (``db.uow`` records them
as it executes, so no service can forget), and work that changes something outside the
database (the backup status file) calls ``announce`` itself. Whoever cares subscribes: the
window's one bridge (``ui.changes``) turns announcements into a Qt signal.

Subscribers are called on the thread that committed, after the commit; a subscriber that
fails is logged and does not undo or stop anything (the change is already made).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)

# The topics, each a kind of thing a view shows.
PARTICIPANTS = "participants"  # registrations, corrections, withdrawals, cover periods
RECEIPTS = "receipts"  # dues paid, receipts voided, paper receipts entered after a restore
CARDS = "cards"  # cards printed, handed over, replaced
CASH = "cash"  # the day's close, bank deposits
BATCHES = "batches"  # weekly batches written, acknowledgements read, branch imports
CALLS = "calls"  # call-list outcomes
ACCOUNTS = "accounts"  # volunteers, PINs, login guards, the post itself
SETTINGS = "settings"  # the post's settings
BACKUPS = "backups"  # backups made or failed (a file beside the database, not a table)

TOPICS = frozenset(
    (PARTICIPANTS, RECEIPTS, CARDS, CASH, BATCHES, CALLS, ACCOUNTS, SETTINGS, BACKUPS)
)

# Which topic a write to each table concerns. Tables not named here (the counters, the audit
# log, duplicate hashes) are bookkeeping of other writes and announce nothing of their own.
#
# The branch has no topics of its own: what its window shows is already one of these. Its
# posts' list (``posts``: a post's key added, a post suspended or resumed) hears ACCOUNTS, as
# the post itself is at a post; an import writes ``batch_imports`` (BATCHES, also a held batch)
# and the posts' records it carries (PARTICIPANTS, RECEIPTS, CARDS, CASH, and ACCOUNTS for
# their volunteers), a NIK conflict found or decided ``branch_conflicts`` and
# ``branch_rejections`` (BATCHES, the registration rejected PARTICIPANTS), a KPJ file
# PARTICIPANTS. A "conflicts" topic would add nothing: a conflict is only found by an import,
# which announces BATCHES anyway, so the conflicts' count listens to BATCHES. The branch writes
# through ``db.unit_of_work`` like every service (an import's own transaction is one); its
# staged upserts are SQL text, so they name their tables with ``db.uow.note_written``.
TABLE_TOPICS: dict[str, str] = {
    "participants": PARTICIPANTS,
    "cover_periods": PARTICIPANTS,
    "receipts": RECEIPTS,
    "receipt_gaps": RECEIPTS,
    "receipt_months": RECEIPTS,
    "card_issues": CARDS,
    "daily_closes": CASH,
    "daily_close_lines": CASH,
    "deposits": CASH,
    "deposit_closes": CASH,
    "batches": BATCHES,
    "batch_imports": BATCHES,
    "branch_rejections": BATCHES,
    "branch_conflicts": BATCHES,
    "call_outcomes": CALLS,
    "posts": ACCOUNTS,
    "volunteers": ACCOUNTS,
    "login_guards": ACCOUNTS,
    "settings": SETTINGS,
}

Listener = Callable[[frozenset[str]], None]

_listeners: list[Listener] = []
_lock = threading.Lock()


def topics_of(tables: Iterable[str]) -> frozenset[str]:
    """The topics that writes to ``tables`` concern."""
    return frozenset(TABLE_TOPICS[name] for name in tables if name in TABLE_TOPICS)


def subscribe(listener: Listener) -> Callable[[], None]:
    """Call ``listener`` with the topics of every announcement; returns how to stop."""
    with _lock:
        _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


def announce(*topics: str) -> None:
    """Say that data of these topics changed (and is committed)."""
    unknown = set(topics) - TOPICS
    if unknown:
        raise ValueError(f"unknown change topics: {sorted(unknown)}")
    if not topics:
        return
    chosen = frozenset(topics)
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(chosen)
        except Exception:  # the change is made; a listener's bug must not look like its failure
            log.exception("a change listener failed")
