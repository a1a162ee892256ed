"""Who looked at whom (UU PDP Art. 32: a person may see how their data was processed).

Opening a participant, printing their card or receipt, and exporting a list or report that holds
them each leave one ``AccessRecord`` (who, when, what) and one ``AccessSubject`` per participant
shown. Nothing else is kept: no name, NIK or phone, only participant ids, and ``what`` is a fixed
kind of document (``Doc``), never free text typed by someone. Recording never takes a change
number and is never refused for the clock rule (``db.uow``: these tables are unaudited, so the
flush neither takes the change counter nor compares the clock with the newest record).

Where an operation already writes (cards recorded after printing), the look is added to that
same transaction (``add_access``): one commit, nothing extra to wait for. A reprint or an
export commits one small transaction of its own (``record_access``): the paper or the file
takes far longer than that commit.

Opening a participant's window must stay quick (issue 19: at most 1 ms added), and a commit
at a post waits for the disk (WAL, synchronous=FULL: 1–4 ms on a laptop, more while another
operation holds the write lock). So that look is queued (``record_access_soon``) with the
moment it happened, and a writer thread of its own commits the queue at once, off the GUI
thread. Whoever reads the looks (``accesses_of``, ``access_history``) and ``close_looks``
(``App.close``, every normal end of the program) first write what is queued, so nothing is
lost on a normal close and no reader misses a look. What a kill -9 (or a power cut) can lose:
the looks queued and not yet committed, normally only the last few milliseconds' (longer
only while another writer holds the database, up to its busy timeout).

Reading the history (``access_history``) is a coordinator's and is not itself recorded: it
shows registration numbers only, and recording it would make every look at the looks a look.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from rumah_perisai.db.models import (
    AccessRecord,
    AccessSubject,
    Participant,
    Receipt,
    Volunteer,
)
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.timezones import zone
from rumah_perisai.errors import UserError
from rumah_perisai.services.posts import local_post
from rumah_perisai.services.volunteers import Actor, require_coordinator


class Look(StrEnum):
    """What kind of look it was."""

    VIEW = "view"  # the participant's window
    CARD = "card"  # a membership card printed (or written to PDF)
    RECEIPT = "receipt"  # a receipt printed again
    LIST = "list"  # a list exported (call list, participants, branch list ...)
    REPORT = "report"  # the person's own report (participant report)


class Doc(StrEnum):
    """Which document or list a look was (``AccessRecord.what``): a kind, never a file name."""

    WINDOW = "participant-window"
    CARD_PDF = "card-pdf"
    RECEIPT_PDF = "receipt-pdf"
    CALL_LIST_XLSX = "call-list-xlsx"
    CALL_LIST_PDF = "call-list-pdf"
    CASH_SUMMARY = "cash-summary-pdf"
    SEARCH = "search"  # the ``search`` command's hits: NIKs and names taken to a terminal or file


log = logging.getLogger(__name__)

# Each record shows at most this many registration numbers in a volunteer's history; a call
# list of hundreds is shown by its count (the numbers stay in the database).
SHOWN_NUMBERS = 20


@dataclass(frozen=True)
class AccessRow:
    """One look, as the coordinator sees it."""

    at: datetime
    actor: str  # the audit log's label: "volunteer:<key> <name>" or "cli:<login>"
    volunteer: str | None  # the volunteer's name, when a volunteer looked
    action: str
    what: str | None
    subjects: int
    registration_nos: tuple[str, ...] = ()  # the first SHOWN_NUMBERS of those it showed

    def as_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "volunteer": self.volunteer,
            "action": self.action,
            "what": self.what,
            "subjects": self.subjects,
            "registration_nos": list(self.registration_nos),
        }


def add_access(
    session: Session,
    at: datetime,
    actor: Actor,
    action: Look | str,
    participant_ids: Iterable[int],
    what: str | None = None,
) -> None:
    """One look added to an operation already open on ``session`` (the same commit)."""
    ids = sorted(set(participant_ids))
    record = AccessRecord(
        at=at,
        actor=actor.label,
        volunteer_id=actor.volunteer_id,
        action=str(action),
        what=None if what is None else str(what),
        subjects=len(ids),
    )
    session.add(record)
    session.flush()
    if ids:
        session.execute(
            insert(AccessSubject),
            [{"access_id": record.id, "participant_id": pid} for pid in ids],
        )


def record_access(
    db: Database,
    actor: Actor,
    action: Look | str,
    participant_ids: Iterable[int],
    what: str | None = None,
) -> None:
    """Record one look at ``participant_ids`` (one entry for a whole list)."""
    with db.unit_of_work(actor.label) as session:
        add_access(session, db.clock(), actor, action, participant_ids, what)


@dataclass(frozen=True)
class _Queued:
    at: datetime
    actor: Actor
    action: str
    participant_ids: tuple[int, ...]
    what: str | None


@dataclass
class _Writer:
    """The queued looks of one database and the thread that commits them."""

    db: Database
    queue: list[_Queued] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)  # guards ``queue``
    writing: threading.Lock = field(default_factory=threading.Lock)  # one commit at a time
    wake: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    stopped: bool = False

    def add(self, look: _Queued) -> None:
        with self.lock:
            self.queue.append(look)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="looks", daemon=True)
                self.thread.start()
        self.wake.set()

    def _run(self) -> None:
        while not self.stopped:
            self.wake.wait()
            self.wake.clear()
            if not self.stopped:
                self.flush()

    def flush(self) -> None:
        """Commit every queued look (one transaction); on a failure they stay queued."""
        with self.writing:
            with self.lock:
                taken, self.queue = self.queue, []
            if not taken:
                return
            try:
                with self.db.unit_of_work(taken[0].actor.label) as session:
                    for look in taken:
                        add_access(
                            session, look.at, look.actor, look.action, look.participant_ids,
                            look.what,
                        )  # fmt: skip
            except Exception:
                log.exception("%d looks could not be recorded yet; kept to try again", len(taken))
                with self.lock:
                    self.queue[:0] = taken

    def stop(self) -> None:
        self.stopped = True
        self.wake.set()
        self.flush()


_writers: weakref.WeakKeyDictionary[Database, _Writer] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()


def record_access_soon(
    db: Database,
    actor: Actor,
    action: Look | str,
    participant_ids: Iterable[int],
    what: str | None = None,
) -> None:
    """Record a look without waiting for the disk: queued with its moment, committed by the
    looks' writer thread at once (see the module's note on what a kill -9 can lose)."""
    look = _Queued(db.clock(), actor, str(action), tuple(sorted(set(participant_ids))), what)
    with _writers_lock:
        writer = _writers.get(db)
        if writer is None or writer.stopped:
            writer = _writers[db] = _Writer(db)
    writer.add(look)


def flush_looks(db: Database) -> None:
    """Write the looks still queued for ``db`` (a reader calls it first)."""
    writer = _writers.get(db)
    if writer is not None:
        writer.flush()


def close_looks(db: Database) -> None:
    """Write the queued looks and stop their thread: before the database is closed."""
    with _writers_lock:
        writer = _writers.pop(db, None)
    if writer is not None:
        writer.stop()


def record_receipt_print(db: Database, actor: Actor, receipt_id: int) -> None:
    """A receipt printed or written to PDF: a look at the participant it names."""
    with db.unit_of_work(actor.label) as session:
        participant_id = session.scalar(
            select(Receipt.participant_id).where(Receipt.id == receipt_id)
        )
        if participant_id is not None:
            add_access(session, db.clock(), actor, Look.RECEIPT, [participant_id], Doc.RECEIPT_PDF)


def record_registration_nos(
    db: Database, actor: Actor, action: Look | str, numbers: Iterable[str], what: str
) -> None:
    """A document that names participants by registration number (the daily summary)."""
    wanted = sorted(set(numbers))
    with db.unit_of_work(actor.label) as session:
        ids = session.scalars(
            select(Participant.id).where(Participant.registration_no.in_(wanted))
        ).all()
        add_access(session, db.clock(), actor, action, ids, what)


def accesses_of(db: Database, participant_id: int) -> list[AccessRow]:
    """Every look at one participant, newest first."""
    flush_looks(db)
    return _participant_rows(db, participant_id, None, None)


def access_history(
    db: Database,
    actor: Actor,
    *,
    participant_id: int | None = None,
    volunteer_id: int | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[AccessRow]:
    """A coordinator's view of who looked: at one participant, or by one volunteer, newest
    first, from day ``first`` to day ``last`` (both included, the post's own days)."""
    require_coordinator(actor)
    if first is not None and last is not None and first > last:
        raise UserError("access_dates_reversed", first=first.isoformat(), last=last.isoformat())
    since, until = _moments(db, first, last)
    flush_looks(db)
    if participant_id is not None:
        return _participant_rows(db, participant_id, since, until)
    if volunteer_id is None:
        raise ValueError("a participant or a volunteer")
    return _volunteer_rows(db, volunteer_id, since, until)


def _moments(
    db: Database, first: date | None, last: date | None
) -> tuple[datetime | None, datetime | None]:
    """The post's days as UTC moments: the start of ``first``, the end of ``last``."""
    with db.reading() as session:
        post = local_post(session)
    where = zone(post.timezone) if post is not None else UTC

    def start(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=where).astimezone(UTC)

    since = start(first) if first is not None else None
    until = start(last + timedelta(days=1)) if last is not None else None
    return since, until


def _between(
    query: Select[AccessRecord, str], since: datetime | None, until: datetime | None
) -> Select[AccessRecord, str]:
    if since is not None:
        query = query.where(AccessRecord.at >= since)
    if until is not None:
        query = query.where(AccessRecord.at < until)
    return query


def _participant_rows(
    db: Database, participant_id: int, since: datetime | None, until: datetime | None
) -> list[AccessRow]:
    query = (
        select(AccessRecord, Volunteer.name)
        .join(AccessSubject, AccessSubject.access_id == AccessRecord.id)
        .outerjoin(Volunteer, Volunteer.id == AccessRecord.volunteer_id)
        .where(AccessSubject.participant_id == participant_id)
        .order_by(AccessRecord.at.desc(), AccessRecord.id.desc())
    )
    with db.reading() as session:
        number = session.scalar(
            select(Participant.registration_no).where(Participant.id == participant_id)
        )
        rows = session.execute(_between(query, since, until)).all()
    shown = (number,) if number else ()
    return [_row(r, name, shown) for r, name in rows]


def _volunteer_rows(
    db: Database, volunteer_id: int, since: datetime | None, until: datetime | None
) -> list[AccessRow]:
    query = (
        select(AccessRecord, Volunteer.name)
        .outerjoin(Volunteer, Volunteer.id == AccessRecord.volunteer_id)
        .where(AccessRecord.volunteer_id == volunteer_id)
        .order_by(AccessRecord.at.desc(), AccessRecord.id.desc())
    )
    with db.reading() as session:
        rows = session.execute(_between(query, since, until)).all()
        numbers = {r.id: _numbers(session, r.id) for r, _name in rows}
    return [_row(r, name, numbers[r.id]) for r, name in rows]


def _numbers(session: Session, access_id: int) -> tuple[str, ...]:
    return tuple(
        session.scalars(
            select(Participant.registration_no)
            .join(AccessSubject, AccessSubject.participant_id == Participant.id)
            .where(AccessSubject.access_id == access_id)
            .order_by(Participant.registration_no)
            .limit(SHOWN_NUMBERS)
        )
    )


def _row(record: AccessRecord, name: str | None, numbers: tuple[str, ...]) -> AccessRow:
    return AccessRow(
        record.at, record.actor, name, record.action, record.what, record.subjects, numbers
    )
