"""The call list (issue 7): who to phone because their cover ends soon or is in arrears.

On a day ``day``, a participant of the post whose registration stands is on the list when

* their cover (the free promotion, or paid months) is running and ends within ``within_days``
  days: ``day <= cover_until <= day + within_days`` (while only the promotion covers,
  ``cover_until`` is the promotion's last day), or
* they are in arrears (DOMAIN.md, "Cover status"): the last covered month M has ended and
  ``day`` is in M+1 .. M+3, i.e. ``cover_until < day <= arrears_until``.

Lapsed, withdrawn, rejected and not-yet-covered participants are not on it. The database does
the selection, the order and the last call of each row in one query; only the listed rows are
read into Python, where each gets its ready Indonesian WhatsApp message.

Days are counted so that a row reads plainly:

* ``days_left`` = ``cover_until - day`` in days: 0 means the cover ends today, 5 in five days;
  negative in arrears: -10 means the cover ended 10 days ago;
* ``days_to_lapse`` (arrears only) = ``arrears_until - day``: the days left to pay the missed
  months before the membership lapses (0 = today is the last day).

Most urgent first: arrears before running cover, arrears closest to lapsing first, then the
fewest days of cover left; ties by name.

A call's outcome is recorded as a new ``CallOutcome`` (never changed); the newest one is shown
with the row the next time the list is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote

from sqlalchemy import and_, case, func, select

from rumah_perisai import areas, formats
from rumah_perisai.db.models import CallOutcome, Participant, Volunteer
from rumah_perisai.db.status import status_on
from rumah_perisai.db.uow import Database, next_number, operation_time
from rumah_perisai.domain.coverage import Standing, Status, status_label
from rumah_perisai.domain.dues import monthly_dues
from rumah_perisai.domain.errors import RuleError
from rumah_perisai.domain.months import add_months
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, speaking, tr
from rumah_perisai.services.posts import the_post
from rumah_perisai.services.registration import programmes
from rumah_perisai.services.volunteers import Actor

DEFAULT_WITHIN_DAYS = 14
MAX_WITHIN_DAYS = 366
MAX_NOTE = 500
CALL_COUNTER = "call"
WHATSAPP = "https://wa.me/"

# Why a row is on the list: which message it gets.
FREE_ENDING, PAID_ENDING, ARREARS = "free_ending", "paid_ending", "arrears"

OUTCOMES = ("reached", "promised", "wrong_number", "no_answer")
_OUTCOME_LABELS = {
    "reached": N_("Reached"),
    "promised": N_("Promised to pay"),
    "wrong_number": N_("Wrong number"),
    "no_answer": N_("No answer"),
}

_GREETING = N_("Hello {name}, this is {post}.")
_FREE_ENDS = N_("Your free BPJS Ketenagakerjaan cover ends on {end}.")
_PAID_ENDS = N_("Your BPJS Ketenagakerjaan cover is paid until {end}.")
_ARREARS_TEXT = N_(
    "Your BPJS Ketenagakerjaan cover ended on {end}. It can still be continued by paying "
    "the missed dues until {last_day}."
)
_AMOUNT = N_("The dues are {amount} a month.")
_COME = N_("Please come to the post to pay so that you stay protected. Thank you.")

# The spreadsheet's columns (always Indonesian, like printed papers).


@dataclass(frozen=True)
class CallRow:
    participant_id: int
    name: str
    registration_no: str
    phone: str | None  # as stored: 08…
    desa_code: str
    desa_name: str
    status: Status  # promotion, active or arrears
    status_text: str  # in the user's language
    reason: str  # FREE_ENDING, PAID_ENDING or ARREARS
    cover_until: date
    days_left: int  # cover_until - day; negative in arrears (days since the cover ended)
    pay_until: date  # arrears_until: the last day missed months can be paid
    days_to_lapse: int | None  # arrears only: pay_until - day
    monthly_dues: int | None  # what 1 month costs now (the next month payable); None: no rates
    last_outcome: str | None  # one of OUTCOMES
    last_outcome_text: str | None  # in the user's language
    last_called_at: datetime | None  # UTC
    last_note: str | None
    post_name: str

    # Made when asked for, not for every row: a big post's list has tens of thousands of rows,
    # and the window shows one message at a time (the spreadsheet asks for all).
    @property
    def message(self) -> str:
        """Indonesian, ready to send."""
        return reminder_message(
            name=self.name,
            post_name=self.post_name,
            reason=self.reason,
            cover_until=self.cover_until,
            pay_until=self.pay_until,
            monthly_dues=self.monthly_dues,
        )

    @property
    def whatsapp_url(self) -> str | None:
        """``https://wa.me/628…?text=…``; None without a phone number."""
        return whatsapp_url(self.phone, self.message) if self.phone else None


@dataclass(frozen=True)
class CallRecord:
    id: int
    key: str
    outcome: str
    outcome_text: str
    note: str | None
    called_at: datetime
    called_by: str | None  # the volunteer's name


def outcome_label(outcome: str) -> str:
    """An outcome in words, in the current language ("Berjanji membayar")."""
    return tr(_OUTCOME_LABELS[outcome])


def whatsapp_number(phone: str) -> str | None:
    """A stored ``08…`` number as WhatsApp wants it: ``628…``; None if it is not one."""
    digits = "".join(c for c in phone if c.isdigit())
    if digits.startswith("62"):
        return digits
    if digits.startswith("0") and len(digits) > 1:
        return "62" + digits[1:]
    return None


def whatsapp_url(phone: str | None, message: str) -> str | None:
    """``https://wa.me/628…?text=…``: opens a chat with the message typed in, ready to send."""
    number = whatsapp_number(phone) if phone else None
    if number is None:
        return None
    return f"{WHATSAPP}{number}?text={quote(message, safe='')}"


def reminder_message(
    *,
    name: str,
    post_name: str,
    reason: str,
    cover_until: date,
    pay_until: date,
    monthly_dues: int | None,
) -> str:
    """The WhatsApp message, always in Indonesian (the participant reads it, not the user)."""
    with speaking("id"):
        parts = [tr(_GREETING, name=name, post=post_name)]
        end = _long_day_id(cover_until)
        if reason == FREE_ENDING:
            parts.append(tr(_FREE_ENDS, end=end))
        elif reason == PAID_ENDING:
            parts.append(tr(_PAID_ENDS, end=end))
        else:
            parts.append(tr(_ARREARS_TEXT, end=end, last_day=_long_day_id(pay_until)))
        if monthly_dues is not None:
            parts.append(tr(_AMOUNT, amount=_money_id(monthly_dues)))
        parts.append(tr(_COME))
        return " ".join(parts)


# Babel formatting costs ~100 µs a call; a list repeats few dates and amounts.
@lru_cache(maxsize=4096)
def _long_day_id(day: date) -> str:
    with speaking("id"):
        return formats.long_day(day)


@lru_cache(maxsize=4096)
def _money_id(amount: int) -> str:
    with speaking("id"):
        return formats.money(amount)


# --- the list ----------------------------------------------------------------------------------


def call_list(
    db: Database,
    day: date,
    *,
    within_days: int = DEFAULT_WITHIN_DAYS,
    desa_code: str | None = None,
    volunteer_id: int | None = None,
) -> list[CallRow]:
    """The post's call list on ``day`` (see the module's docstring), most urgent first.

    ``desa_code`` keeps one desa; ``volunteer_id`` the participants that volunteer registered.
    """
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise UserError("call_days", limit=MAX_WITHIN_DAYS)
    horizon = day + timedelta(days=within_days)
    p = Participant
    status = status_on(day).label("status")
    newest = (
        select(
            CallOutcome.participant_id.label("participant_id"),
            func.max(CallOutcome.number).label("number"),
        )
        .group_by(CallOutcome.participant_id)
        .subquery("newest_call")
    )
    in_arrears = status == Status.ARREARS.value
    urgency = case((in_arrears, p.arrears_until), else_=p.cover_until)
    with db.reading() as session:
        post = the_post(session)
        query = (
            select(
                p.id,
                p.name,
                p.registration_no,
                p.phone,
                p.desa_code,
                p.income,
                p.with_jht,
                p.promo_until,
                p.cover_until,
                p.arrears_until,
                status,
                CallOutcome.outcome,
                CallOutcome.called_at,
                CallOutcome.note,
            )  # fmt: skip
            .outerjoin(newest, newest.c.participant_id == p.id)
            .outerjoin(
                CallOutcome,
                and_(
                    CallOutcome.participant_id == p.id,
                    CallOutcome.post_id == p.post_id,
                    CallOutcome.number == newest.c.number,
                ),
            )
            .where(
                p.post_id == post.id,
                p.standing == Standing.MEMBER.value,
                # Plain comparisons first (indexed); the status then keeps exactly the
                # promotion, active and arrears rows among them.
                p.cover_until <= horizon,
                p.arrears_until >= day,
                status.in_([Status.PROMOTION.value, Status.ACTIVE.value, Status.ARREARS.value]),
            )
            .order_by(case((in_arrears, 0), else_=1), urgency, p.name, p.id)
        )
        if desa_code is not None:
            query = query.where(p.desa_code == desa_code)
        if volunteer_id is not None:
            query = query.where(p.registered_by_id == volunteer_id)
        found = session.execute(query).all()
        post_name = post.name

    prices: dict[tuple[int, bool, date], int | None] = {}
    status_texts = {status: status_label(status) for status in Status}
    rows = []
    for (pid, name, reg_no, phone, desa, income, with_jht, promo_until, cover_until,
         arrears_until, status_value, outcome, called_at, note) in found:  # fmt: skip
        assert cover_until is not None and arrears_until is not None
        row_status = Status(status_value)
        if row_status is Status.ARREARS:
            reason = ARREARS
        elif promo_until is not None and cover_until == promo_until:
            reason = FREE_ENDING
        else:
            reason = PAID_ENDING
        next_month = add_months(cover_until, 1)  # the first month a payment would pay for
        price_key = (income, with_jht, next_month)
        if price_key not in prices:
            prices[price_key] = _price(income, with_jht, next_month)
        monthly = prices[price_key]
        area = areas.area(desa)
        rows.append(
            CallRow(
                participant_id=pid,
                name=name,
                registration_no=reg_no,
                phone=phone or None,
                desa_code=desa,
                desa_name=area.name if area else desa,
                status=row_status,
                status_text=status_texts[row_status],
                reason=reason,
                cover_until=cover_until,
                days_left=(cover_until - day).days,
                pay_until=arrears_until,
                days_to_lapse=(arrears_until - day).days if reason == ARREARS else None,
                monthly_dues=monthly,
                last_outcome=outcome,
                last_outcome_text=outcome_label(outcome) if outcome else None,
                last_called_at=called_at,
                last_note=note,
                post_name=post_name,
            )
        )
    return rows


def _price(income: int, with_jht: bool, month: date) -> int | None:
    try:
        return monthly_dues(income, programmes(with_jht), month).total
    except RuleError:  # no rate table for that month: the message leaves the amount out
        return None


# --- calls -------------------------------------------------------------------------------------


def record_call(
    db: Database, participant_id: int, outcome: str, actor: Actor, note: str = ""
) -> int:
    """Record how a call went (any volunteer); returns the new record's id."""
    if outcome not in OUTCOMES:
        raise UserError("call_outcome_unknown", outcome=outcome)
    tidy = " ".join(note.split())
    if len(tidy) > MAX_NOTE:
        raise UserError("call_note_too_long", limit=MAX_NOTE)
    with db.unit_of_work(actor.label) as session:
        post = the_post(session)
        participant = session.get(Participant, participant_id)
        if participant is None or participant.post_id != post.id:
            raise UserError("participant_missing", ref=participant_id)
        call = CallOutcome(
            post_id=post.id,
            post_code=post.code,
            number=next_number(session, post.code, CALL_COUNTER),
            participant_id=participant.id,
            outcome=outcome,
            note=tidy or None,
            called_at=operation_time(session),
            called_by_id=actor.volunteer_id,
        )
        session.add(call)
        session.flush()
        return call.id


def calls_of(db: Database, participant_id: int) -> list[CallRecord]:
    """Every recorded call to a participant, newest first."""
    with db.reading() as session:
        post = the_post(session)
        found = session.execute(
            select(CallOutcome, Volunteer.name)
            .outerjoin(Volunteer, Volunteer.id == CallOutcome.called_by_id)
            .where(CallOutcome.post_id == post.id, CallOutcome.participant_id == participant_id)
            .order_by(CallOutcome.number.desc())
        ).all()
        return [
            CallRecord(
                id=call.id,
                key=call.natural_key(),
                outcome=call.outcome,
                outcome_text=outcome_label(call.outcome),
                note=call.note,
                called_at=call.called_at,
                called_by=volunteer_name,
            )
            for call, volunteer_name in found
        ]


def days_text(row: CallRow) -> str:
    """Days for lists and paper: ``days_left``, and in arrears ``days_left / days_to_lapse``
    ("-10 / 20": the cover ended 10 days ago, 20 days are left to pay before it lapses)."""
    if row.days_to_lapse is None:
        return str(row.days_left)
    return f"{row.days_left} / {row.days_to_lapse}"
