"""The cash a post holds: closing the day, and taking it to the bank (issue 6).

* **Till**: the receipts of one business day that no close counted yet, per volunteer whose cash
  they moved (``Receipt.cash_volunteer_id``): payments in, voids and refunds out.
* **Close**: the volunteer(s) count the cash; the close stores per volunteer what was expected,
  what was counted and the difference, and the newest receipt hash and chain length (so the
  chain check sees receipts removed after it). A close is never changed. A day can be closed
  again if receipts came in after the first count; each close covers only what is new.
* **Deposit**: cash taken to the bank (CIMB Niaga, BNI, or another bank) against one or more
  closes, exactly their counted cash; a close is deposited once.
* **Cash held** = counted cash of closes not yet deposited + expected cash of open tills.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from rumah_perisai import formats
from rumah_perisai.db.models import (
    Counter,
    DailyClose,
    DailyCloseLine,
    Deposit,
    DepositClose,
    Participant,
    Post,
    Receipt,
    Volunteer,
)
from rumah_perisai.db.uow import Database, next_number, operation_time
from rumah_perisai.domain.personal_data import shown_name
from rumah_perisai.domain.receipts import CHAIN_COUNTER
from rumah_perisai.domain.timezones import local_date, local_time
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.backup import after_daily_close
from rumah_perisai.services.posts import the_post
from rumah_perisai.services.receipt_chain import chain_end
from rumah_perisai.services.volunteers import Actor, require_coordinator

BANKS = ("cimb_niaga", "bni", "other")
BANK_NAMES = {"cimb_niaga": "CIMB Niaga", "bni": "BNI"}
NO_VOLUNTEER = "-"  # receipts recorded without a volunteer account (command line)
MAX_NOTE = 500


@dataclass(frozen=True)
class TillLine:
    """One volunteer's cash in a till (or in a close)."""

    volunteer_id: int | None
    volunteer_key: str
    name: str
    payments_count: int = 0
    payments_total: int = 0
    voids_count: int = 0
    voids_total: int = 0
    refunds_count: int = 0
    refunds_total: int = 0

    @property
    def expected(self) -> int:
        return self.payments_total - self.voids_total - self.refunds_total


@dataclass(frozen=True)
class TillReceipt:
    """A receipt as a till or a daily summary lists it."""

    number: str
    kind: str  # payment or void
    refund: bool
    issued_at: datetime  # in the post's time zone
    participant_name: str
    registration_no: str
    total: int
    signed_total: int  # + for payments, - for voids and refunds
    volunteer_name: str  # whose cash
    voids_number: str | None
    reason: str | None


@dataclass(frozen=True)
class Till:
    day: date
    lines: tuple[TillLine, ...]
    receipts: tuple[TillReceipt, ...]
    through_seq: int  # the newest receipt seq in it (what a close of it records)
    earlier_closes: int  # closes of this day already made

    @property
    def expected(self) -> int:
        return sum(line.expected for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.receipts


@dataclass(frozen=True)
class CloseRow:
    id: int
    key: str
    day: date
    closed_at: datetime  # in the post's time zone
    closed_by: str
    receipt_count: int
    expected: int
    counted: int
    difference: int
    deposit_key: str | None
    deposit_text: str | None = None  # the bank, the day and the slip's reference, as shown


@dataclass(frozen=True)
class CloseDoc:
    """A daily summary as it prints (``printing.cash``)."""

    post_code: str
    post_name: str
    is_demo: bool
    timezone: str
    close: CloseRow
    lines: tuple[tuple[TillLine, int, int], ...]  # (line, counted, difference)
    receipts: tuple[TillReceipt, ...]
    payments_total: int
    voids_total: int
    refunds_total: int
    newest_receipt_hash: str
    chain_length: int
    note: str | None


@dataclass(frozen=True)
class CashPosition:
    """Cash held at the post and not yet deposited."""

    open_days: tuple[date, ...]  # days with receipts no close counted
    open_expected: int  # expected cash of those open tills
    undeposited: tuple[CloseRow, ...]
    undeposited_counted: int

    @property
    def held(self) -> int:
        return self.open_expected + self.undeposited_counted


# --- reading ------------------------------------------------------------------------------------


def _closed_through(session: Session, post: Post, day: date) -> tuple[int, int]:
    """(highest receipt seq counted for ``day``, closes of ``day``)."""
    through, closes = session.execute(
        select(func.max(DailyClose.through_seq), func.count(DailyClose.id)).where(
            DailyClose.post_id == post.id, DailyClose.day == day
        )
    ).one()
    return int(through or 0), int(closes)


def _receipts_between(
    post: Post, day: date, after_seq: int, through_seq: int | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Receipt.post_id == post.id,
        Receipt.issued_on == day,
        Receipt.year == day.year,
        Receipt.seq > after_seq,
    ]
    if through_seq is not None:
        conditions.append(Receipt.seq <= through_seq)
    return conditions


def _names(session: Session) -> dict[int, tuple[str, str]]:
    return {v.id: (v.natural_key(), v.name) for v in session.scalars(select(Volunteer))}


def _till_lines(
    receipts: Sequence[Receipt], names: Mapping[int, tuple[str, str]]
) -> tuple[TillLine, ...]:
    totals: dict[int | None, dict[str, int]] = {}
    for receipt in receipts:
        bucket = totals.setdefault(receipt.cash_volunteer_id, {})
        kind = "payments" if receipt.kind == "payment" else "refunds" if receipt.refund else "voids"
        bucket[f"{kind}_count"] = bucket.get(f"{kind}_count", 0) + 1
        bucket[f"{kind}_total"] = bucket.get(f"{kind}_total", 0) + receipt.total
    lines = []
    for volunteer_id, values in totals.items():
        key, name = names.get(volunteer_id or 0, (NO_VOLUNTEER, "-"))
        lines.append(TillLine(volunteer_id, key, name, **values))
    return tuple(sorted(lines, key=lambda line: line.name.casefold()))


def _till_receipts(
    session: Session, post: Post, receipts: Sequence[Receipt], names: Mapping[int, tuple[str, str]]
) -> tuple[TillReceipt, ...]:
    people = {
        row.id: (shown_name(row.name), row.registration_no)
        for row in session.execute(
            select(Participant.id, Participant.name, Participant.registration_no).where(
                Participant.id.in_({r.participant_id for r in receipts})
            )
        )
    }
    voided_ids = {r.voids_receipt_id for r in receipts if r.voids_receipt_id is not None}
    voided: dict[int, str] = {
        row[0]: row[1]
        for row in session.execute(
            select(Receipt.id, Receipt.number).where(Receipt.id.in_(voided_ids))
        )
    }
    out = []
    for r in receipts:
        name, registration_no = people[r.participant_id]
        holder = names.get(r.cash_volunteer_id, ("", "-"))[1] if r.cash_volunteer_id else "-"
        sign = 1 if r.kind == "payment" else -1
        out.append(
            TillReceipt(
                number=r.number,
                kind=r.kind,
                refund=r.refund,
                issued_at=local_time(r.issued_at, post.timezone),
                participant_name=name,
                registration_no=registration_no,
                total=r.total,
                signed_total=sign * r.total,
                volunteer_name=holder,
                voids_number=voided.get(r.voids_receipt_id) if r.voids_receipt_id else None,
                reason=r.reason,
            )
        )
    return tuple(out)


def _till(session: Session, post: Post, day: date) -> Till:
    through, closes = _closed_through(session, post, day)
    receipts = list(
        session.scalars(
            select(Receipt)
            .where(*_receipts_between(post, day, through, None))
            .order_by(Receipt.seq)
        )
    )
    names = _names(session)
    return Till(
        day=day,
        lines=_till_lines(receipts, names),
        receipts=_till_receipts(session, post, receipts, names),
        through_seq=receipts[-1].seq if receipts else through,
        earlier_closes=closes,
    )


def till(db: Database, day: date | None = None) -> Till:
    """The receipts of ``day`` (default: today at the post) that no close counted yet."""
    with db.reading() as session:
        post = the_post(session)
        today = local_date(db.clock(), post.timezone)
        return _till(session, post, day or today)


def _open_days(session: Session, post: Post) -> list[date]:
    newest = (
        select(Receipt.issued_on, func.max(Receipt.seq).label("newest"))
        .where(Receipt.post_id == post.id)
        .group_by(Receipt.issued_on)
        .subquery()
    )
    counted = (
        select(DailyClose.day, func.max(DailyClose.through_seq).label("through"))
        .where(DailyClose.post_id == post.id)
        .group_by(DailyClose.day)
        .subquery()
    )
    rows = session.execute(
        select(newest.c.issued_on)
        .outerjoin(counted, counted.c.day == newest.c.issued_on)
        .where(and_(newest.c.newest > func.coalesce(counted.c.through, 0)))
        .order_by(newest.c.issued_on)
    )
    return [row[0] for row in rows]


def open_days(db: Database) -> list[date]:
    """Business days with receipts that no close counted yet, oldest first."""
    with db.reading() as session:
        return _open_days(session, the_post(session))


def deposit_text(deposit: Deposit) -> str:
    """``BNI, 27 Nov 2026 (slip BNI 0042 7781)``: the deposit as its bank slip shows it."""
    bank = deposit.bank_name or BANK_NAMES.get(deposit.bank) or deposit.bank
    return tr(
        "{bank}, {day} (slip {reference})",
        bank=bank,
        day=formats.day(deposit.deposited_on),
        reference=deposit.reference,
    )


def _close_rows(session: Session, post: Post, closes: Sequence[DailyClose]) -> list[CloseRow]:
    names = _names(session)
    found = session.execute(
        select(DepositClose.close_id, Deposit)
        .join(Deposit, Deposit.id == DepositClose.deposit_id)
        .where(DepositClose.close_id.in_([c.id for c in closes]))
    ).all()
    deposits = {close_id: deposit.natural_key() for close_id, deposit in found}
    # What a volunteer reads on the bank slip, not the post's internal deposit number.
    deposit_texts = {close_id: deposit_text(deposit) for close_id, deposit in found}
    return [
        CloseRow(
            id=c.id,
            key=c.natural_key(),
            day=c.day,
            closed_at=local_time(c.closed_at, post.timezone),
            closed_by=names.get(c.closed_by_id, ("", "-"))[1] if c.closed_by_id else "-",
            receipt_count=c.receipt_count,
            expected=c.expected,
            counted=c.counted,
            difference=c.difference,
            deposit_key=deposits.get(c.id),
            deposit_text=deposit_texts.get(c.id),
        )
        for c in closes
    ]


def closes(db: Database, limit: int = 200) -> list[CloseRow]:
    """The newest closes first."""
    with db.reading() as session:
        post = the_post(session)
        rows = session.scalars(
            select(DailyClose)
            .where(DailyClose.post_id == post.id)
            .order_by(DailyClose.number.desc())
            .limit(limit)
        ).all()
        return _close_rows(session, post, rows)


def cash_position(db: Database) -> CashPosition:
    with db.reading() as session:
        post = the_post(session)
        days = _open_days(session, post)
        open_expected = sum(_till(session, post, day).expected for day in days)
        undeposited = session.scalars(
            select(DailyClose)
            .where(
                DailyClose.post_id == post.id,
                ~DailyClose.id.in_(select(DepositClose.close_id)),
            )
            .order_by(DailyClose.number)
        ).all()
        rows = _close_rows(session, post, undeposited)
        return CashPosition(
            open_days=tuple(days),
            open_expected=open_expected,
            undeposited=tuple(rows),
            undeposited_counted=sum(row.counted for row in rows),
        )


# --- closing --------------------------------------------------------------------------------------


def _lock_chain(session: Session, post: Post) -> int:
    """Queue behind any receipt being written (they take the same counter row first, see
    ``services.dues``) and return the chain's length. SQLite writers are serialised anyway."""
    value = session.scalar(
        select(Counter.value)
        .where(Counter.scope == post.code, Counter.name == CHAIN_COUNTER)
        .with_for_update()
    )
    return int(value or 0)


def close_day(
    db: Database,
    day: date,
    counted: Mapping[str, int],
    actor: Actor,
    *,
    through_seq: int,
    note: str = "",
) -> int:
    """Close ``day``'s open till with the cash counted per volunteer key; returns the close id.

    ``through_seq`` is the newest receipt the counter saw: if another receipt came in since,
    nothing is recorded (``till_changed``). A difference needs a note saying why. The post's
    coordinator closes the day (PRODUCT.md, "Users"). Once committed, the post is backed up
    (``backup.after_daily_close``: local and off the laptop; a failed backup never undoes the
    close, ``backup_status`` says so).
    """
    require_coordinator(actor)
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise UserError("reason_too_long", limit=MAX_NOTE)
    with db.unit_of_work(actor.label) as session:
        post = the_post(session)
        now = operation_time(session)
        today = local_date(now, post.timezone)
        if day > today:
            raise UserError("close_future_day")
        chain_length = _lock_chain(session, post)
        current = _till(session, post, day)
        if current.is_empty:
            raise UserError("nothing_to_close")
        if current.through_seq != through_seq:
            raise UserError("till_changed")
        lines = []
        for line in current.lines:
            amount = counted.get(line.volunteer_key)
            if amount is None:
                raise UserError("count_missing", name=line.name)
            if amount < 0:
                raise UserError("cash_negative")
            lines.append((line, amount, amount - line.expected))
        difference = sum(diff for _line, _amount, diff in lines)
        if any(diff for *_rest, diff in lines) and not note:
            raise UserError("close_needs_note")
        newest = chain_end(session, post.id).hash  # a gap explained after a restore, too
        close = DailyClose(
            post_id=post.id,
            post_code=post.code,
            number=next_number(session, post.code, "daily_close"),
            day=day,
            through_seq=through_seq,
            receipt_count=len(current.receipts),
            payments_total=sum(line.payments_total for line in current.lines),
            voids_total=sum(line.voids_total for line in current.lines),
            refunds_total=sum(line.refunds_total for line in current.lines),
            expected=current.expected,
            counted=sum(amount for _line, amount, _diff in lines),
            difference=difference,
            chain_length=chain_length,
            newest_receipt_hash=newest,
            note=note or None,
            closed_at=now,
            closed_by_id=actor.volunteer_id,
        )
        session.add(close)
        session.flush()
        for line, amount, diff in lines:
            session.add(
                DailyCloseLine(
                    post_id=post.id,
                    close_id=close.id,
                    close_key=close.natural_key(),
                    volunteer_id=line.volunteer_id,
                    volunteer_key=line.volunteer_key,
                    payments_count=line.payments_count,
                    payments_total=line.payments_total,
                    voids_count=line.voids_count,
                    voids_total=line.voids_total,
                    refunds_count=line.refunds_count,
                    refunds_total=line.refunds_total,
                    expected=line.expected,
                    counted=amount,
                    difference=diff,
                )
            )
        close_id = close.id
    # After the commit, never inside it: the close stands whatever becomes of its backup
    # (issue 16: a backup at every daily close, here and off the laptop).
    after_daily_close(db, actor.label)
    return close_id


def close_document(db: Database, close_id: int) -> CloseDoc:
    """A close as its daily summary prints: per volunteer, and every receipt it counted."""
    with db.reading() as session:
        post = the_post(session)
        close = session.get(DailyClose, close_id)
        if close is None or close.post_id != post.id:
            raise UserError("close_missing", ref=close_id)
        earlier = session.scalar(
            select(func.max(DailyClose.through_seq)).where(
                DailyClose.post_id == post.id,
                DailyClose.day == close.day,
                DailyClose.number < close.number,
            )
        )
        receipts = list(
            session.scalars(
                select(Receipt)
                .where(*_receipts_between(post, close.day, int(earlier or 0), close.through_seq))
                .order_by(Receipt.seq)
            )
        )
        names = _names(session)
        stored = session.scalars(
            select(DailyCloseLine).where(DailyCloseLine.close_id == close.id)
        ).all()
        lines = tuple(
            (
                TillLine(
                    line.volunteer_id,
                    line.volunteer_key,
                    names.get(line.volunteer_id or 0, (NO_VOLUNTEER, "-"))[1],
                    line.payments_count,
                    line.payments_total,
                    line.voids_count,
                    line.voids_total,
                    line.refunds_count,
                    line.refunds_total,
                ),
                line.counted,
                line.difference,
            )
            for line in sorted(stored, key=lambda line: line.volunteer_key)
        )
        return CloseDoc(
            post_code=post.code,
            post_name=post.name,
            is_demo=post.is_demo,
            timezone=post.timezone,
            close=_close_rows(session, post, [close])[0],
            lines=lines,
            receipts=_till_receipts(session, post, receipts, names),
            payments_total=close.payments_total,
            voids_total=close.voids_total,
            refunds_total=close.refunds_total,
            newest_receipt_hash=close.newest_receipt_hash,
            chain_length=close.chain_length,
            note=close.note,
        )


def close_of_day(db: Database, day: date) -> int:
    """The id of ``day``'s newest close (a day closed twice: the second counted the receipts
    after the first); a day not closed is refused."""
    with db.reading() as session:
        post = the_post(session)
        found = session.scalar(
            select(DailyClose.id)
            .where(DailyClose.post_id == post.id, DailyClose.day == day)
            .order_by(DailyClose.number.desc())
            .limit(1)
        )
        if found is None:
            raise UserError("day_not_closed", day=formats.day(day))
        return int(found)


# --- deposits -------------------------------------------------------------------------------------


def record_deposit(
    db: Database,
    *,
    bank: str,
    reference: str,
    deposited_on: date,
    amount: int,
    close_ids: Sequence[int],
    actor: Actor,
    bank_name: str = "",
) -> int:
    """A coordinator records cash taken to the bank against closes; returns the deposit id.

    The amount must be exactly the cash those closes counted: a deposit that differs is a
    mistake in the slip or in the count, and either must be looked at, not hidden.
    """
    require_coordinator(actor)
    reference, bank_name = " ".join(reference.split()), " ".join(bank_name.split())
    if bank not in BANKS:
        raise UserError("deposit_bank")
    if bank == "other" and not bank_name:
        raise UserError("deposit_bank_name")
    if not reference or len(reference) > 60:
        raise UserError("deposit_reference")
    if not close_ids:
        raise UserError("deposit_no_closes")
    if amount <= 0:
        raise UserError("deposit_amount_positive")
    with db.unit_of_work(actor.label) as session:
        post = the_post(session)
        today = local_date(operation_time(session), post.timezone)
        chosen = session.scalars(
            select(DailyClose).where(
                DailyClose.id.in_(list(close_ids)), DailyClose.post_id == post.id
            )
        ).all()
        if len(chosen) != len(set(close_ids)):
            raise UserError("close_missing", ref=", ".join(map(str, close_ids)))
        done = session.execute(
            select(DailyClose.post_code, DailyClose.number)
            .join(DepositClose, DepositClose.close_id == DailyClose.id)
            .where(DailyClose.id.in_(list(close_ids)))
        ).first()
        if done is not None:
            raise UserError("close_deposited", close=f"{done[0]}-T{done[1]:05d}")
        if deposited_on > today or deposited_on < max(c.day for c in chosen):
            raise UserError("deposit_date")
        counted = sum(c.counted for c in chosen)
        if amount != counted:
            from rumah_perisai.formats import money

            raise UserError("deposit_amount", amount=money(amount), counted=money(counted))
        deposit = Deposit(
            post_id=post.id,
            post_code=post.code,
            number=next_number(session, post.code, "deposit"),
            bank=bank,
            bank_name=bank_name or BANK_NAMES.get(bank),
            reference=reference,
            deposited_on=deposited_on,
            amount=amount,
            recorded_at=operation_time(session),
            recorded_by_id=actor.volunteer_id,
        )
        session.add(deposit)
        session.flush()
        for close in sorted(chosen, key=lambda c: c.number):
            session.add(
                DepositClose(
                    post_id=post.id,
                    deposit_id=deposit.id,
                    close_id=close.id,
                    key=f"{deposit.natural_key()}/{close.natural_key()}",
                )
            )
        return deposit.id
