"""Taking dues: what a payment pays for, the numbered receipt, voids and refunds (issue 6).

Rules (DOMAIN.md, "Paying dues" and "Rules this program follows"):

* a payment is for 1, 3, 6 or 12 months; unpaid months in the arrears window come first, oldest
  first; nothing is owed for promotion months; a lapsed membership must rejoin first;
* each month is priced with the participant's income and programmes under the rate table (and
  relief) in force on the month's first day;
* a receipt is committed before anything is printed: its number is gapless per post and year,
  and it is linked into the post's hash chain (``domain.receipts.chain_hash``);
* a wrong receipt is voided by a coordinator with a reason: a new receipt of kind ``void`` in the
  chain, its months withdrawn. If the voided receipt was already counted in a daily close (or is
  from another day), the void is a **refund** paid out of today's cash.

Receipts are never changed: a void marks the months it withdraws (``receipt_months``), never the
receipt. Cash closes and deposits live in ``services.cash``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rumah_perisai.db.models import (
    CoverPeriod,
    DailyClose,
    Participant,
    Post,
    Receipt,
    ReceiptMonth,
    Volunteer,
)
from rumah_perisai.db.status import store_conversion, store_summary
from rumah_perisai.db.uow import Database, next_number, operation_time
from rumah_perisai.domain.coverage import (
    PAYABLE_MONTH_COUNTS,
    CoverHistory,
    Status,
    next_payable_months,
    status_label,
    status_on,
    summarize,
)
from rumah_perisai.domain.dues import monthly_dues
from rumah_perisai.domain.errors import RuleError
from rumah_perisai.domain.months import first_of_month, month_end
from rumah_perisai.domain.personal_data import shown_name
from rumah_perisai.domain.receipts import (
    CHAIN_COUNTER,
    ReceiptContent,
    ReceiptLine,
    chain_hash,
    receipt_counter,
    receipt_number,
)
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.services.posts import local_post, the_post
from rumah_perisai.services.receipt_chain import chain_end
from rumah_perisai.services.registration import add_cover_period, cover_history, programmes
from rumah_perisai.services.restore_state import refuse_while_held
from rumah_perisai.services.volunteers import Actor, require_coordinator

PAYMENT, VOID = "payment", "void"
# Change handed back must stay below the largest banknote: more means a typing slip (an extra 0).
MAX_CHANGE = 100_000
MAX_REASON = 500


@dataclass(frozen=True)
class MonthDue:
    month: date
    jkk: int
    jkm: int
    jht: int
    total: int
    rates_version: str
    arrears: bool  # the month has already ended unpaid (paid back now)


@dataclass(frozen=True)
class PaymentPlan:
    """What a payment of ``month_count`` months would pay for, and what it would cost."""

    participant_id: int
    month_count: int
    months: tuple[MonthDue, ...]
    jkk: int
    jkm: int
    jht: int
    total: int
    cover_until: date  # last covered day once paid

    @property
    def first_month(self) -> date:
        return self.months[0].month

    @property
    def last_month(self) -> date:
        return self.months[-1].month

    @property
    def arrears_count(self) -> int:
        return sum(1 for month in self.months if month.arrears)


@dataclass(frozen=True)
class PaymentOptions:
    """What the payment dialog shows: who, their status, and each payable plan (1/3/6/12)."""

    participant_id: int
    name: str
    registration_no: str
    status: Status
    status_text: str
    cover_until: date | None
    with_jht: bool
    income: int
    plans: tuple[PaymentPlan, ...]
    refusal: str | None  # why nothing can be paid (lapsed: rejoin first), in the user's language

    def plan(self, month_count: int) -> PaymentPlan:
        return next(plan for plan in self.plans if plan.month_count == month_count)


@dataclass(frozen=True)
class Paid:
    receipt_id: int
    number: str
    total: int
    cash_received: int
    change: int
    plan: PaymentPlan


@dataclass(frozen=True)
class VoidPreview:
    """What voiding a receipt would do, shown before the coordinator confirms."""

    receipt_id: int
    number: str
    participant_name: str
    issued_on: date
    total: int
    months: tuple[date, ...]
    refund: bool  # paid back out of today's cash (its day was closed, or is not today)
    earlier_day: bool  # the receipt is from an earlier day (else: today, already counted)
    status_now: Status
    status_after: Status
    cover_until_after: date | None
    # Paid months after the voided ones stay paid but stop counting as cover (payments never
    # skip an unpaid month) until the voided months are paid again; the dialog warns of them.
    stranded_months: tuple[date, ...] = ()


@dataclass(frozen=True)
class Voided:
    receipt_id: int
    number: str  # the void's own receipt number
    voided_number: str
    total: int
    refund: bool


# --- reading ---------------------------------------------------------------------------------


def _today(session: Session) -> tuple[Post, datetime, date]:
    post = the_post(session)
    now = operation_time(session)
    return post, now, local_date(now, post.timezone)


def _participant(session: Session, post: Post, participant_id: int) -> Participant:
    participant = session.get(Participant, participant_id)
    if participant is None or participant.post_id != post.id:
        raise UserError("participant_missing", ref=participant_id)
    return participant


def _plan(
    participant: Participant, history: CoverHistory, today: date, month_count: int
) -> PaymentPlan:
    months = next_payable_months(history, today, month_count)
    chosen = programmes(participant.with_jht)
    current = first_of_month(today)
    dues = []
    for month in months:
        d = monthly_dues(participant.income, chosen, month)
        dues.append(MonthDue(month, d.jkk, d.jkm, d.jht, d.total, d.rates_version, month < current))
    after = CoverHistory(
        history.standing,
        history.membership_start,
        history.promotion_end,
        history.paid_months | frozenset(months),
    )
    cover_until = summarize(after).cover_until
    assert cover_until is not None
    return PaymentPlan(
        participant_id=participant.id,
        month_count=month_count,
        months=tuple(dues),
        jkk=sum(m.jkk for m in dues),
        jkm=sum(m.jkm for m in dues),
        jht=sum(m.jht for m in dues),
        total=sum(m.total for m in dues),
        cover_until=cover_until,
    )


def _refusal(status: Status, participant: Participant) -> str | None:
    from rumah_perisai.i18n import tr
    from rumah_perisai.messages import MESSAGES

    name = shown_name(participant.name)  # an erased person: "dihapus atas permintaan"
    if status is Status.LAPSED:
        return tr(MESSAGES["pay_lapsed"], name=name)
    if status in (Status.WITHDRAWN, Status.REJECTED, Status.ENDED):
        return tr(MESSAGES["pay_not_member"], name=name, status=status_label(status))
    return None


def _held_refusal(session: Session) -> str | None:
    """Why no payment can be taken while paper receipts after a restore are not entered yet."""
    try:
        refuse_while_held(session)
    except UserError as error:
        return error.message()
    return None


def payment_options(db: Database, participant_id: int) -> PaymentOptions:
    """Everything the payment dialog needs, computed for today in the post's time zone."""
    with db.reading() as session:
        post, _now, today = _today(session)
        participant = _participant(session, post, participant_id)
        history = cover_history(session, participant)
        status = status_on(history, today)
        refusal = _refusal(status, participant) or _held_refusal(session)
        plans = (
            ()
            if refusal
            else tuple(_plan(participant, history, today, count) for count in PAYABLE_MONTH_COUNTS)
        )
        return PaymentOptions(
            participant_id=participant.id,
            name=shown_name(participant.name),
            registration_no=participant.registration_no,
            status=status,
            status_text=status_label(status),
            cover_until=participant.cover_until,
            with_jht=participant.with_jht,
            income=participant.income,
            plans=plans,
            refusal=refusal,
        )


def parse_cash(text: str) -> int:
    """Cash as typed: "50000", "50.000", "Rp 50.000" → 50000. Raises ``UserError`` otherwise."""
    cleaned = text.strip().removeprefix("Rp").removeprefix("rp").strip().replace(".", "")
    cleaned = cleaned.replace(" ", "")
    if cleaned.startswith("-"):
        raise UserError("cash_negative")
    if not cleaned.isdigit() or not cleaned.isascii():
        raise UserError("cash_not_a_number", text=text.strip())
    return int(cleaned)


def check_cash(cash_received: int, total: int) -> int:
    """The change to give back; refuses a negative, too small or implausibly large amount."""
    if cash_received < 0:
        raise UserError("cash_negative")
    if cash_received < total:
        from rumah_perisai.formats import money

        raise UserError("cash_too_small", cash=money(cash_received), total=money(total))
    change = cash_received - total
    if change >= MAX_CHANGE:
        from rumah_perisai.formats import money

        raise UserError("cash_change_too_big", change=money(change), limit=money(MAX_CHANGE))
    return change


# --- the chain ---------------------------------------------------------------------------------


def _volunteer_key(session: Session, volunteer_id: int | None) -> str | None:
    if volunteer_id is None:
        return None
    volunteer = session.get(Volunteer, volunteer_id)
    return None if volunteer is None else volunteer.natural_key()


def _chain_tip(session: Session, post: Post) -> str:
    """The hash of the post's newest receipt or explained gap (call after taking the chain
    counter)."""
    return chain_end(session, post.id).hash


def _issue(
    session: Session, post: Post, content: ReceiptContent, receipt: Receipt, year: int, seq: int
) -> Receipt:
    prev_hash = _chain_tip(session, post)
    receipt.prev_hash = prev_hash
    receipt.hash = chain_hash(content, prev_hash)
    receipt.year, receipt.seq = year, seq
    session.add(receipt)
    session.flush()
    return receipt


def _next_receipt_number(session: Session, post: Post, issued_on: date) -> tuple[int, str]:
    # The chain counter first: every writer of this post's chain queues on the same row (on
    # PostgreSQL too, where SQLite's BEGIN IMMEDIATE is not there to serialise them), so the tip
    # read next is the one this receipt follows, across a year's end as well.
    next_number(session, post.code, CHAIN_COUNTER)
    seq = next_number(session, post.code, receipt_counter(issued_on.year))
    return seq, receipt_number(post.code, issued_on.year, seq)


def take_payment(
    db: Database,
    participant_id: int,
    month_count: int,
    cash_received: int,
    actor: Actor,
    *,
    expect_months: Sequence[date] | None = None,
) -> Paid:
    """Record a payment and its receipt in one operation; nothing is printed here.

    ``expect_months``: the months the dialog showed. If another payment meanwhile changed what
    is owed, nothing is recorded and the user is told (``months_changed`` / ``month_paid``).
    """
    if month_count not in PAYABLE_MONTH_COUNTS:
        raise UserError("bad_month_count")
    with db.unit_of_work(actor.label) as session:
        post, now, today = _today(session)
        refuse_while_held(session)  # after a restore: paper receipts may hold the next numbers
        participant = _participant(session, post, participant_id)
        history = cover_history(session, participant)
        status = status_on(history, today)
        refusal = _refusal(status, participant)
        if refusal:
            key = "pay_lapsed" if status is Status.LAPSED else "pay_not_member"
            raise UserError(key, name=shown_name(participant.name), status=status_label(status))
        try:
            plan = _plan(participant, history, today, month_count)
        except RuleError as error:
            raise UserError("rule_refused", detail=str(error)) from error
        if expect_months is not None and tuple(expect_months) != tuple(
            m.month for m in plan.months
        ):
            _refuse_changed_months(session, participant, expect_months)
        change = check_cash(cash_received, plan.total)
        seq, number = _next_receipt_number(session, post, today)
        issuer = _volunteer_key(session, actor.volunteer_id)
        lines = tuple(
            ReceiptLine(m.month, m.jkk, m.jkm, m.jht, m.total, m.rates_version) for m in plan.months
        )
        content = ReceiptContent(
            number=number,
            kind=PAYMENT,
            participant=participant.registration_no,
            voids=None,
            issued_at=now,
            issued_on=today,
            issued_by=issuer,
            month_count=len(lines),
            first_month=plan.first_month,
            last_month=plan.last_month,
            jkk=plan.jkk,
            jkm=plan.jkm,
            jht=plan.jht,
            total=plan.total,
            cash_received=cash_received,
            reason=None,
            cash_holder=issuer,
            refund=False,
            lines=lines,
        )
        receipt = _issue(
            session, post, content, _receipt_row(post, participant, content, actor, actor),
            today.year, seq,
        )  # fmt: skip
        for line in lines:
            session.add(_month_row(post, receipt, participant, line))
        add_cover_period(
            session, post, participant, "paid", plan.first_month, month_end(plan.last_month),
            programmes(participant.with_jht), receipt_id=receipt.id,
        )  # fmt: skip
        session.flush()
        store_summary(participant, summarize(cover_history(session, participant)))
        store_conversion(session, participant)
        return Paid(receipt.id, number, plan.total, cash_received, change, plan)


def _refuse_changed_months(
    session: Session, participant: Participant, expected: Sequence[date]
) -> None:
    from rumah_perisai.formats import month

    paid = session.execute(
        select(ReceiptMonth.month, ReceiptMonth.receipt_number).where(
            ReceiptMonth.participant_id == participant.id,
            ReceiptMonth.voided_by_receipt_id.is_(None),
            ReceiptMonth.month.in_(list(expected)),
        )
    ).first()
    if paid is not None:
        raise UserError("month_paid", month=month(paid[0]), receipt=paid[1])
    raise UserError("months_changed", name=shown_name(participant.name))


def _receipt_row(
    post: Post,
    participant: Participant,
    content: ReceiptContent,
    issuer: Actor,
    cash_holder: Actor | int | None,
) -> Receipt:
    holder = cash_holder.volunteer_id if isinstance(cash_holder, Actor) else cash_holder
    return Receipt(
        post_id=post.id,
        post_code=post.code,
        number=content.number,
        kind=content.kind,
        participant_id=participant.id,
        month_count=content.month_count,
        first_month=content.first_month,
        last_month=content.last_month,
        jkk=content.jkk,
        jkm=content.jkm,
        jht=content.jht,
        total=content.total,
        cash_received=content.cash_received,
        reason=content.reason,
        issued_at=content.issued_at,
        issued_on=content.issued_on,
        issued_by_id=issuer.volunteer_id,
        cash_volunteer_id=holder,
        refund=content.refund,
    )


def _month_row(
    post: Post, receipt: Receipt, participant: Participant, line: ReceiptLine
) -> ReceiptMonth:
    return ReceiptMonth(
        post_id=post.id,
        receipt_id=receipt.id,
        receipt_number=receipt.number,
        participant_id=participant.id,
        month=line.month,
        jkk=line.jkk,
        jkm=line.jkm,
        jht=line.jht,
        total=line.total,
        rates_version=line.rates_version,
    )


# --- voids ------------------------------------------------------------------------------------


def find_receipt(db: Database, number: str) -> int:
    """The id of receipt ``number`` (as typed or scanned) at this post."""
    with db.reading() as session:
        post = local_post(session)
        found = session.scalar(
            select(Receipt.id).where(
                Receipt.number == number.strip().upper(),
                Receipt.post_id == (post.id if post else -1),
            )
        )
        if found is None:
            raise UserError("receipt_missing", number=number.strip())
        return found


def is_closed(session: Session, receipt: Receipt) -> bool:
    """Whether a daily close already counted ``receipt``."""
    through = session.scalar(
        select(func.max(DailyClose.through_seq)).where(
            DailyClose.post_id == receipt.post_id, DailyClose.day == receipt.issued_on
        )
    )
    return through is not None and receipt.seq <= through  # closes count seqs of their day's year


def _voidable(session: Session, post: Post, receipt_id: int) -> tuple[Receipt, Participant]:
    receipt = session.get(Receipt, receipt_id)
    if receipt is None or receipt.post_id != post.id:
        raise UserError("receipt_missing", number=str(receipt_id))
    if receipt.kind != PAYMENT:
        raise UserError("void_of_void", number=receipt.number)
    done = session.scalar(select(Receipt.number).where(Receipt.voids_receipt_id == receipt.id))
    if done is not None:
        raise UserError("already_voided", number=receipt.number, void=done)
    participant = session.get(Participant, receipt.participant_id)
    assert participant is not None
    return receipt, participant


def _history_without(session: Session, participant: Participant, receipt: Receipt) -> CoverHistory:
    history = cover_history(session, participant)
    withdrawn = set(
        session.scalars(
            select(ReceiptMonth.month).where(
                ReceiptMonth.receipt_id == receipt.id, ReceiptMonth.voided_by_receipt_id.is_(None)
            )
        )
    )
    return CoverHistory(
        history.standing,
        history.membership_start,
        history.promotion_end,
        history.paid_months - withdrawn,
    )


def void_preview(db: Database, receipt_id: int) -> VoidPreview:
    """What a void would do: refund or not, and the participant's status before and after."""
    with db.reading() as session:
        post, _now, today = _today(session)
        receipt, participant = _voidable(session, post, receipt_id)
        before = cover_history(session, participant)
        after = _history_without(session, participant, receipt)
        months = tuple(
            session.scalars(
                select(ReceiptMonth.month)
                .where(ReceiptMonth.receipt_id == receipt.id)
                .order_by(ReceiptMonth.month)
            )
        )
        cover_until_after = summarize(after).cover_until
        stranded = tuple(
            sorted(
                m for m in after.paid_months if cover_until_after is None or m > cover_until_after
            )
        )
        return VoidPreview(
            stranded_months=stranded,
            receipt_id=receipt.id,
            number=receipt.number,
            participant_name=shown_name(participant.name),
            issued_on=receipt.issued_on,
            total=receipt.total,
            months=months,
            refund=_is_refund(session, receipt, today),
            earlier_day=receipt.issued_on != today,
            status_now=status_on(before, today),
            status_after=status_on(after, today),
            cover_until_after=cover_until_after,
        )


def _is_refund(session: Session, receipt: Receipt, today: date) -> bool:
    return receipt.issued_on != today or is_closed(session, receipt)


def void_receipt(db: Database, receipt_id: int, reason: str, actor: Actor) -> Voided:
    """Void a payment receipt: a coordinator, with a reason. The void is a receipt of its own."""
    require_coordinator(actor)
    reason = " ".join(reason.split())
    if not reason:
        raise UserError("void_reason_needed")
    if len(reason) > MAX_REASON:
        raise UserError("reason_too_long", limit=MAX_REASON)
    with db.unit_of_work(actor.label) as session:
        session.info["reason"] = reason
        post, now, today = _today(session)
        refuse_while_held(session)  # a void takes a receipt number too
        receipt, participant = _voidable(session, post, receipt_id)
        refund = _is_refund(session, receipt, today)
        # A void in the same open till gives the money back out of the collector's cash; a
        # refund comes out of the cash of whoever pays it now.
        holder_id = actor.volunteer_id if refund else receipt.cash_volunteer_id
        seq, number = _next_receipt_number(session, post, today)
        content = ReceiptContent(
            number=number,
            kind=VOID,
            participant=participant.registration_no,
            voids=receipt.number,
            issued_at=now,
            issued_on=today,
            issued_by=_volunteer_key(session, actor.volunteer_id),
            month_count=receipt.month_count,
            first_month=receipt.first_month,
            last_month=receipt.last_month,
            jkk=receipt.jkk,
            jkm=receipt.jkm,
            jht=receipt.jht,
            total=receipt.total,
            cash_received=None,
            reason=reason,
            cash_holder=_volunteer_key(session, holder_id),
            refund=refund,
        )
        row = _receipt_row(post, participant, content, actor, holder_id)
        row.voids_receipt_id = receipt.id
        void = _issue(session, post, content, row, today.year, seq)
        for month_row in session.scalars(
            select(ReceiptMonth).where(ReceiptMonth.receipt_id == receipt.id)
        ):
            month_row.voided_by_receipt_id = void.id
        for period in session.scalars(
            select(CoverPeriod).where(CoverPeriod.receipt_id == receipt.id)
        ):
            period.voided_by_receipt_id = void.id
        session.flush()
        store_summary(participant, summarize(cover_history(session, participant)))
        store_conversion(session, participant)
        return Voided(void.id, number, receipt.number, receipt.total, refund)


# --- a participant's receipts ------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptRow:
    """A receipt as the participant's view lists it, newest first."""

    id: int
    number: str
    kind: str  # PAYMENT or VOID
    issued_at: datetime  # in the post's time zone
    months_text: str
    total: int
    volunteer_name: str
    voided_by: str | None  # a payment's void, if any
    voids_number: str | None  # a void: the receipt it voided
    refund: bool
    reason: str | None = None  # a void's reason


def participant_receipts(db: Database, participant_id: int) -> list[ReceiptRow]:
    """Every receipt of a participant (payments and voids), newest first."""
    from rumah_perisai import formats
    from rumah_perisai.domain.timezones import local_time

    with db.reading() as session:
        post = the_post(session)
        receipts = session.scalars(
            select(Receipt)
            .where(Receipt.participant_id == participant_id, Receipt.post_id == post.id)
            .order_by(Receipt.issued_at.desc(), Receipt.id.desc())
        ).all()
        numbers = {r.id: r.number for r in receipts}
        voided_by = {r.voids_receipt_id: r.number for r in receipts if r.voids_receipt_id}
        names = {v.id: v.name for v in session.scalars(select(Volunteer))}
        return [
            ReceiptRow(
                id=r.id,
                number=r.number,
                kind=r.kind,
                issued_at=local_time(r.issued_at, post.timezone),
                months_text=formats.month_range(r.first_month, r.last_month)
                if r.first_month and r.last_month
                else "",
                total=r.total,
                volunteer_name=names.get(r.issued_by_id or 0, "-"),
                voided_by=voided_by.get(r.id),
                voids_number=numbers.get(r.voids_receipt_id or 0),
                refund=r.refund,
                reason=r.reason,
            )
            for r in receipts
        ]


# --- what a printed receipt says ---------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptDocLine:
    month: date
    jkk: int
    jkm: int
    jht: int
    total: int


@dataclass(frozen=True)
class ReceiptDoc:
    """Everything a printed receipt (payment or void) shows; amounts in rupiah, texts ready.

    ``printing.receipts`` lays it out; it reads nothing else. Printed receipts are Indonesian
    documents, so the texts here are in Bahasa Indonesia whatever the screen's language.
    """

    number: str
    kind: str  # PAYMENT or VOID
    is_demo: bool  # printed "CONTOH"
    post_code: str
    post_name: str
    post_place: str  # kabupaten/kota
    wadah: str | None
    issued_at: datetime  # in the post's time zone
    timezone: str  # WIB, WITA, WIT
    participant_name: str
    registration_no: str
    kpj: str | None
    masked_nik: str
    months_text: str  # "Januari – Maret 2027"
    month_count: int
    lines: tuple[ReceiptDocLine, ...]
    jkk: int
    jkm: int
    jht: int
    total: int
    total_in_words: str
    cash_received: int | None
    change: int | None
    volunteer_name: str
    voids_number: str | None  # a void: the receipt it voids
    reason: str | None  # a void's reason
    refund: bool
    voided_by: str | None  # a payment voided later: the void's number
    qr_text: str
    chain_hash: str


def receipt_document(db: Database, keys_dir: Path, receipt_id: int) -> ReceiptDoc:
    """A stored receipt as it prints, with its signed QR (the post's key in ``keys_dir``)."""
    from rumah_perisai import areas, formats
    from rumah_perisai.domain.nik import mask_nik
    from rumah_perisai.domain.receipt_qr import encode_receipt_qr
    from rumah_perisai.domain.timezones import local_time
    from rumah_perisai.i18n import speaking
    from rumah_perisai.keys import load_post_key

    key = load_post_key(keys_dir)
    with db.reading() as session, speaking("id"):
        post = local_post(session)
        receipt = session.get(Receipt, receipt_id)
        if post is None or receipt is None or receipt.post_id != post.id:
            raise UserError("receipt_missing", number=str(receipt_id))
        participant = session.get(Participant, receipt.participant_id)
        assert participant is not None
        source = receipt
        if receipt.voids_receipt_id is not None:
            voided = session.get(Receipt, receipt.voids_receipt_id)
            assert voided is not None
            source = voided
        lines = tuple(
            ReceiptDocLine(m.month, m.jkk, m.jkm, m.jht, m.total)
            for m in session.scalars(
                select(ReceiptMonth)
                .where(ReceiptMonth.receipt_id == source.id)
                .order_by(ReceiptMonth.month)
            )
        )
        volunteer = session.get(Volunteer, receipt.issued_by_id) if receipt.issued_by_id else None
        voided_by = session.scalar(
            select(Receipt.number).where(Receipt.voids_receipt_id == receipt.id)
        )
        first, last = receipt.first_month, receipt.last_month
        change = None
        if receipt.cash_received is not None:
            change = receipt.cash_received - receipt.total
        return ReceiptDoc(
            number=receipt.number,
            kind=receipt.kind,
            is_demo=post.is_demo,
            post_code=post.code,
            post_name=post.name,
            post_place=areas.full_name(post.kabupaten_code),
            wadah=post.wadah,
            issued_at=local_time(receipt.issued_at, post.timezone),
            timezone=post.timezone,
            participant_name=shown_name(participant.name),
            registration_no=participant.registration_no,
            kpj=participant.kpj,
            masked_nik=mask_nik(participant.nik),
            months_text=formats.month_range(first, last) if first and last else "",
            month_count=receipt.month_count,
            lines=lines,
            jkk=receipt.jkk,
            jkm=receipt.jkm,
            jht=receipt.jht,
            total=receipt.total,
            total_in_words=formats.amount_in_words(receipt.total),
            cash_received=receipt.cash_received,
            change=change,
            volunteer_name=volunteer.name if volunteer else "-",
            voids_number=source.number if source is not receipt else None,
            reason=receipt.reason,
            refund=receipt.refund,
            voided_by=voided_by,
            qr_text=encode_receipt_qr(receipt.number, receipt.hash, key),
            chain_hash=receipt.hash,
        )
