"""Writes the demo's participants, receipts and cover periods in bulk, in one unit of work."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial
from operator import itemgetter
from typing import Any

from sqlalchemy import TextClause, delete, text
from sqlalchemy.orm import Session

from rumah_perisai.db.models import (
    DailyClose,
    Deposit,
    Participant,
    Post,
    Receipt,
    ReceiptMonth,
    Volunteer,
)
from rumah_perisai.db.models_tally import EndedCount, PromotionCount
from rumah_perisai.demo.bulk import (
    CHUNK,
    advance_id_sequences,
    bulk_loading,
    drop_indexes,
    make_indexes,
    next_id,
    set_counter,
)
from rumah_perisai.demo.cash import CashBook, DayTill, Tills
from rumah_perisai.demo.dice import Dice, Weighted
from rumah_perisai.demo.logins import ACTIVITY, COORDINATOR
from rumah_perisai.demo.mishaps import Mishaps, VoidPlan
from rumah_perisai.demo.people import PERSON_COLUMNS, Payment, People, Person
from rumah_perisai.demo.tally import (
    ENDED_COUNT_COLUMNS,
    PROMOTION_COUNT_COLUMNS,
    TALLY_COLUMNS,
    Counts,
    Steps,
    count_members,
)
from rumah_perisai.domain.coverage import (
    Standing,
    status_from_summary,
    summarize,
)
from rumah_perisai.domain.dues import JHT, JKK, JKM, DuesBreakdown, monthly_dues
from rumah_perisai.domain.promotion import PromotionCover
from rumah_perisai.domain.receipts import (
    CHAIN_COUNTER,
    GENESIS_HASH,
    ReceiptContent,
    ReceiptLine,
    chain_hash,
    receipt_counter,
    receipt_number,
)

# --- writing it all -------------------------------------------------------------------------------

REGISTRATION_COUNTER = "registration"
COVER_PERIOD_COUNTER = "cover_period"


@dataclass(frozen=True, slots=True)
class _Registered:
    """What the receipts and cover periods need of a participant once its row is written."""

    id: int
    registration_no: str
    income: int
    programmes: tuple[str, ...]
    registered_by: int
    registered_at: datetime
    cover: PromotionCover | None
    payments: tuple[Payment, ...]
    voids: tuple[VoidPlan, ...]


_BULK_TABLES = ("participants", "receipts", "receipt_months", "cover_periods")
_ID_MODELS = (Participant, Receipt, DailyClose, Deposit)
# The receipts of the timeline, in the order of a chain step.
_PAY, _VOID, _REISSUE = 0, 1, 2


class Writer(CashBook):
    """Writes the demo's rows in bulk, chunk by chunk, inside the caller's unit of work."""

    def __init__(
        self,
        session: Session,
        post: Post,
        volunteers: Sequence[Volunteer],
        steps: Steps,
        cash_rng: Dice,
    ) -> None:
        self.session, self.steps, self.cash_rng = session, steps, cash_rng
        # Plain values, read once: ORM attribute access costs a lot over a million rows.
        self.post_id, self.post_code = post.id, post.code
        self.volunteer_ids = [volunteer.id for volunteer in volunteers]
        self.volunteer_keys = [volunteer.natural_key() for volunteer in volunteers]
        self.volunteer_names = [volunteer.name for volunteer in volunteers]
        self.issuers = Weighted(list(zip(range(len(volunteers)), ACTIVITY, strict=False)))
        self.connection = session.connection()
        self.change_no: int = session.info["change_no"]
        self.counts = Counts()
        self.dues: dict[tuple[int, tuple[str, ...], date], DuesBreakdown] = {}
        self.between: deque[Callable[[], object]] = deque()
        # Each member's TALLY_COLUMNS, for the dashboard's tally (``_tally``); the local post's
        # only: the tally counts no other post's members.
        self.members: list[tuple[Any, ...]] | None = [] if post.is_local else None

    def write(self, people: People, persons: Iterable[Person], count: int) -> Counts:
        """The demo's rows: ``count`` participants (``persons``, in order, made by ``people``),
        then their receipts, cover periods and cash."""
        self.steps.report(0, 0, 1, "demo_step_people")
        connection = self.connection
        # The first ids, read before anything is written: no read waits for the writing thread.
        self.first_ids = {model: next_id(self.session, model) for model in _ID_MODELS}
        with bulk_loading(connection) as names:
            # Each table's indexes are made once it is filled, by the writing thread while this
            # one goes on: the participants' and then the name index while the receipts are
            # made, a job between two chunks (``_between_chunks``).
            later = {table: drop_indexes(connection, table) for table in _BULK_TABLES}
            with self.writing_behind():
                registered = self._participants(people, persons, count)
                # The participants are final as written (converted_on included, ``_converted_on``):
                # their indexes and the name index while the receipts are made.
                self.between = deque(
                    partial(make_indexes, connection, [sql]) for sql in later["participants"]
                )
                self.between.append(names.fill)
                paid, tills = self._receipts(people.rng, registered)
                self._tally()
                self._later(make_indexes, connection, later["receipts"] + later["receipt_months"])
                self._cover_periods(registered, paid)
                self._later(make_indexes, connection, later["cover_periods"])
                self._cash(tills, people.today, people.zone)
                self._later(set_counter, self.session, self.post_code, REGISTRATION_COUNTER, count)
        advance_id_sequences(self.session)
        return self.counts

    def _tally(self) -> None:
        """The dashboard's tally of the participants just written: the bulk rows bypassed the
        flush that keeps it. Counted here, on this thread, which would otherwise wait for the
        writing thread (``count_members``: ``db.tally``'s counts from the rows as made; a recount
        by ``db.tally.rebuild`` on the writing thread cost it 1.2–1.4 s of SQLite; chunk by chunk
        as the flush does, 7 s). Only the writes are the writing thread's."""
        if self.members is None:
            return
        promotion, ended = count_members(self.members)
        self.members = None
        self._later(self.connection.execute, delete(PromotionCount))
        self._later(self.connection.execute, delete(EndedCount))
        self._insert_rows(PromotionCount, PROMOTION_COUNT_COLUMNS, promotion)
        self._insert_rows(EndedCount, ENDED_COUNT_COLUMNS, ended)

    def _between_chunks(self) -> None:
        """One of the jobs waiting for a gap (``write``): queued in small steps, they never
        hold the writing thread so long that this one waits for it with nothing to do."""
        if self.between:
            self._later(self.between.popleft())

    # participants

    def _participants(
        self, people: People, persons: Iterable[Person], count: int
    ) -> list[_Registered]:
        self.mishaps = Mishaps(self.cash_rng, people.today, people.zone)
        first_id = self.first_ids[Participant]
        registered: list[_Registered] = []
        rows: list[tuple[Any, ...]] = []
        for number, person in enumerate(persons, 1):
            row, record = self._participant(first_id + number - 1, number, person, people.today)
            rows.append(row)
            registered.append(record)
            if len(rows) == CHUNK or number == count:
                self._insert_rows(Participant, PARTICIPANT_COLUMNS, rows)
                if self.members is not None:
                    self.members += map(_TALLY_VALUES, rows)
                self.steps.report(0, number, count, "demo_step_people")
                rows = []
        return registered

    def _participant(
        self, id_: int, number: int, person: Person, today: date
    ) -> tuple[tuple[Any, ...], _Registered]:
        membership, cover = person.membership, person.cover
        voids = self.mishaps.plan(membership)
        history = membership.history()
        withdrawn = {
            month
            for plan in voids
            if plan.reissue_at is None
            for month in membership.payments[plan.payment].months
        }
        if withdrawn:  # a void not followed by a new receipt: those months are unpaid again
            history = replace(history, paid_months=history.paid_months - withdrawn)
        summary = summarize(history)
        status = status_from_summary(Standing.MEMBER, summary, membership.start, today).value
        self.counts.statuses[status] = self.counts.statuses.get(status, 0) + 1
        self.counts.rejoined += membership.rejoined
        registration_no = f"{self.post_code}-{number:06d}"
        row = person.columns + (  # in PARTICIPANT_COLUMNS order
            id_,
            self.post_id,
            self.post_code,
            number,
            registration_no,
            None,  # kpj: given by the branch, later
            self.volunteer_ids[person.registered_by],
            None,  # nik_override_reason
            None,  # duplicate_override_reason
            Standing.MEMBER.value,
            None,  # standing_reason
            membership.start,
            int(membership.rejoined),
            cover.campaign_code if cover else None,
            summary.promo_until,
            summary.cover_from,
            summary.cover_until,
            summary.arrears_until,
            # The first membership's promotion, kept after a rejoin.
            cover.end if cover else None,
            _converted_on(membership.payments, voids, cover.end if cover else None),
            self.change_no,
        )
        record = _Registered(
            id_,
            registration_no,
            person.income,
            person.programmes,
            person.registered_by,
            person.registered,
            cover,
            tuple(membership.payments),
            voids,
        )
        return row, record

    # receipts, in issue order: one hash chain for the post

    def _timeline(
        self, registered: Sequence[_Registered]
    ) -> list[tuple[datetime, int, int, int, VoidPlan | None]]:
        """Every receipt to issue, in chain order: (UTC moment, participant index, kind (_PAY,
        _VOID or _REISSUE), index of the payment concerned, the void's plan or None)."""
        events: list[tuple[datetime, int, int, int, VoidPlan | None]] = [
            (payment.moment.astimezone(UTC), index, _PAY, number, None)
            for index, record in enumerate(registered)
            for number, payment in enumerate(record.payments)
        ]
        for index, record in enumerate(registered):
            for plan in record.voids:
                events.append((plan.moment.astimezone(UTC), index, _VOID, plan.payment, plan))
                if plan.reissue_at is not None:
                    moment = plan.reissue_at.astimezone(UTC)
                    events.append((moment, index, _REISSUE, plan.payment, plan))
        events.sort(key=lambda event: (event[0], event[1], event[2]))
        return events

    def _receipts(self, rng: Dice, registered: Sequence[_Registered]) -> tuple[int, list[DayTill]]:
        events = self._timeline(registered)
        chain = Chain(self.post_code)
        first_id = self.first_ids[Receipt]
        voided_by = {
            (index, number): first_id + position
            for position, (_, index, kind, number, _plan) in enumerate(events)
            if kind == _VOID
        }
        voided: dict[tuple[int, int], tuple[int, dict[str, Any]]] = {}  # (collector, receipt)
        tills = Tills()
        paid = 0  # receipts that pay months (not the voids): each gives a cover period
        voided_months: list[dict[str, Any]] = []
        for start in range(0, len(events), CHUNK):
            receipts: list[dict[str, Any]] = []
            months: list[dict[str, Any]] = []
            for offset, (moment, index, kind, number, plan) in enumerate(
                events[start : start + CHUNK]
            ):
                id_, record, key = first_id + start + offset, registered[index], (index, number)
                payment, void_id = record.payments[number], None
                if plan is None:
                    issuer = record.registered_by if rng.random() < 0.5 else self.issuers.pick(rng)
                    void_id = voided_by.get(key)
                    receipt, lines = self._receipt(
                        id_, record, payment, moment, issuer, rng, chain, void_id
                    )
                    if void_id is not None:
                        voided[key] = (issuer, receipt)
                    holder = issuer
                elif kind == _VOID:
                    collector, original = voided[key] if plan.reissue_at else voided.pop(key)
                    holder = COORDINATOR if plan.refund else collector
                    receipt, lines = self._void(id_, record, original, plan, moment, holder, chain)
                    self.counts.refunds += plan.refund
                    self.counts.voids += not plan.refund
                else:  # the same months on a new receipt: by the collector, or with the refund
                    collector, _original = voided.pop(key)
                    holder = COORDINATOR if plan.refund else collector
                    assert plan.reissue_at is not None
                    again = Payment(plan.reissue_at, payment.months)
                    receipt, lines = self._receipt(
                        id_, record, again, moment, holder, self.cash_rng, chain, None
                    )
                receipts.append(receipt)
                if void_id is None:
                    months += lines
                else:  # they name the void, which may come in a later chunk (foreign key)
                    voided_months += lines
                paid += kind != _VOID
                tills.add(receipt, holder, chain.linked)
            self._insert(Receipt, receipts)
            self._insert(ReceiptMonth, months)
            self.counts.receipt_months += len(months)
            self.steps.report(1, start + len(receipts), len(events), "demo_step_receipts")
            self._between_chunks()
        while self.between:
            self._between_chunks()
        self._insert(ReceiptMonth, voided_months)
        self.counts.receipt_months += len(voided_months)
        self.counts.receipts = len(events)
        for year, seq in sorted(chain.last_seq.items()):
            self._later(set_counter, self.session, self.post_code, receipt_counter(year), seq)
        self._later(set_counter, self.session, self.post_code, CHAIN_COUNTER, chain.linked)
        return paid, tills.days

    def _price(self, income: int, programmes: tuple[str, ...], month: date) -> DuesBreakdown:
        key = (income, programmes, month)
        if key not in self.dues:
            self.dues[key] = monthly_dues(income, programmes, month)
        return self.dues[key]

    def _receipt(
        self,
        id_: int,
        record: _Registered,
        payment: Payment,
        moment: datetime,
        issuer: int,
        rng: Dice,
        chain: Chain,
        voided_by: int | None,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        lines = [
            ReceiptLine(month, d.jkk, d.jkm, d.jht, d.total, d.rates_version)
            for month in payment.months
            if (d := self._price(record.income, record.programmes, month))
        ]
        issued_on = payment.moment.date()  # the post's business day
        total = sum(line.total for line in lines)
        content = ReceiptContent(
            number=chain.next_number(issued_on.year),
            kind="payment",
            participant=record.registration_no,
            voids=None,
            issued_at=moment,
            issued_on=issued_on,
            issued_by=self.volunteer_keys[issuer],
            month_count=len(lines),
            first_month=lines[0].month,
            last_month=lines[-1].month,
            jkk=sum(line.jkk for line in lines),
            jkm=sum(line.jkm for line in lines),
            jht=sum(line.jht for line in lines),
            total=total,
            cash_received=_cash_handed_over(rng, total),
            reason=None,
            cash_holder=self.volunteer_keys[issuer],
            refund=False,
            lines=tuple(lines),
        )
        prev_hash, digest = chain.link(content)
        row = {
            "id": id_,
            "post_id": self.post_id,
            "post_code": self.post_code,
            "year": issued_on.year,
            "seq": chain.last_seq[issued_on.year],
            "participant_id": record.id,
            "voids_receipt_id": None,
            "issued_by_id": self.volunteer_ids[issuer],
            "cash_volunteer_id": self.volunteer_ids[issuer],
            "refund": False,
            "prev_hash": prev_hash,
            "hash": digest,
            "change_no": self.change_no,
            **{name: getattr(content, name) for name in _RECEIPT_COLUMNS},
        }
        month_rows = [
            self._month_row(id_, content.number, record.id, line, voided_by) for line in lines
        ]
        return row, month_rows

    def _void(
        self,
        id_: int,
        record: _Registered,
        voided: dict[str, Any],
        plan: VoidPlan,
        moment: datetime,
        holder: int,
        chain: Chain,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A void: the voided receipt's months and amounts, no cash received, no lines
        (``services.dues.void_receipt``)."""
        issued_on = plan.moment.date()
        coordinator = self.volunteer_keys[COORDINATOR]
        content = ReceiptContent(
            number=chain.next_number(issued_on.year),
            kind="void",
            participant=record.registration_no,
            voids=voided["number"],
            issued_at=moment,
            issued_on=issued_on,
            issued_by=coordinator,
            month_count=voided["month_count"],
            first_month=voided["first_month"],
            last_month=voided["last_month"],
            jkk=voided["jkk"],
            jkm=voided["jkm"],
            jht=voided["jht"],
            total=voided["total"],
            cash_received=None,
            reason=plan.reason,
            cash_holder=self.volunteer_keys[holder],
            refund=plan.refund,
        )
        prev_hash, digest = chain.link(content)
        row = {
            "id": id_,
            "post_id": self.post_id,
            "post_code": self.post_code,
            "year": issued_on.year,
            "seq": chain.last_seq[issued_on.year],
            "participant_id": record.id,
            "voids_receipt_id": voided["id"],
            "issued_by_id": self.volunteer_ids[COORDINATOR],
            "cash_volunteer_id": self.volunteer_ids[holder],
            "refund": plan.refund,
            "prev_hash": prev_hash,
            "hash": digest,
            "change_no": self.change_no,
            **{name: getattr(content, name) for name in _RECEIPT_COLUMNS},
        }
        return row, []

    def _month_row(
        self,
        receipt_id: int,
        number: str,
        participant_id: int,
        line: ReceiptLine,
        voided_by: int | None,
    ) -> dict[str, Any]:
        return {
            "post_id": self.post_id,
            "receipt_id": receipt_id,
            "receipt_number": number,
            "participant_id": participant_id,
            "month": line.month,
            "jkk": line.jkk,
            "jkm": line.jkm,
            "jht": line.jht,
            "total": line.total,
            "rates_version": line.rates_version,
            "voided_by_receipt_id": voided_by,
            "change_no": self.change_no,
        }

    # cover periods: promotions and paid stretches, numbered in the order they began to exist

    def _cover_periods(self, registered: Sequence[_Registered], paid: int) -> None:
        """Every cover period from the rows already written, in one ``INSERT … SELECT``
        (``_COVER_PERIODS``): a promotion from its participant's row, a paid stretch from its
        receipt. SQLite makes and numbers the 300,000 rows of the 200,000-participant demo
        itself, with no row bound from Python one by one (and the main thread does not make
        them): the same rows, in the same order, as made here before (digest test)."""
        programmes = {
            record.cover.campaign_code: " ".join(record.cover.programmes)
            for record in registered
            if record.cover is not None
        }
        promotions = sum(record.cover is not None for record in registered)
        total = promotions + paid
        self.steps.report(2, 0, total, "demo_step_cover")
        dialect = self.connection.dialect.name
        statement, params = _cover_periods_statement(dialect, programmes)
        params |= {
            "post_id": self.post_id,
            "post_code": self.post_code,
            "change_no": self.change_no,
            "with_jht": " ".join((JKK, JKM, JHT)),
            "without_jht": " ".join((JKK, JKM)),
        }
        self._later(self.connection.execute, statement, params)
        self.steps.report(2, total, total, "demo_step_cover")
        self.counts.cover_periods = total
        self._later(set_counter, self.session, self.post_code, COVER_PERIOD_COUNTER, total)


# A participant's row as ``_participant`` makes it: the person's own columns, then the rest.
PARTICIPANT_COLUMNS = (
    *PERSON_COLUMNS,
    "id", "post_id", "post_code", "number", "registration_no", "kpj", "registered_by_id",
    "nik_override_reason", "duplicate_override_reason", "standing", "standing_reason",
    "membership_start", "rejoin_count", "promotion_code", "promo_until", "cover_from",
    "cover_until", "arrears_until", "promotion_end", "converted_on", "change_no",
)  # fmt: skip

_TALLY_VALUES = itemgetter(*(PARTICIPANT_COLUMNS.index(name) for name in TALLY_COLUMNS))

# The receipt columns that say the same as the hashed content, under the same names.
_RECEIPT_COLUMNS = (
    "number", "kind", "month_count", "first_month", "last_month", "jkk", "jkm", "jht", "total",
    "cash_received", "reason", "issued_at", "issued_on",
)  # fmt: skip


def _converted_on(
    payments: Sequence[Payment], voids: Sequence[VoidPlan], promotion_end: date | None
) -> date | None:
    """``converted_on`` as ``db.status.conversion_day`` reads it from the receipts the writer
    will make of these payments: the issue day of the first receipt not voided that pays a month
    after the promotion. A voided payment's months count only on the receipt that pays them
    again, on its own day; a void with no new receipt leaves them unpaid.

    Known when the participant's row is made, so the row is written final: no UPDATE of
    200,000 rows through a subquery per participant once the receipts are in. A second
    reading of the same rule: ``tests/services/test_demo_bulk.py`` checks it against
    ``conversion_day`` on every participant of a demo."""
    if promotion_end is None:
        return None
    voided = {plan.payment: plan for plan in voids}
    days = []
    for number, payment in enumerate(payments):
        plan = voided.get(number)
        moment = payment.moment if plan is None else plan.reissue_at
        if moment is not None and any(month > promotion_end for month in payment.months):
            days.append(moment.date())
    return min(days, default=None)


def _cash_handed_over(rng: Dice, total: int) -> int:
    """The exact amount, or a round note the volunteer gives change for."""
    roll = rng.random()
    note = 0 if roll < 0.55 else 10_000 if roll < 0.85 else 50_000
    return total if note == 0 else -(-total // note) * note


# --- the receipt chain ----------------------------------------------------------------------------


class Chain:
    """Receipt numbers (gapless per year) and the post's hash chain, in issue order."""

    def __init__(self, post_code: str) -> None:
        self.post_code = post_code
        self.last_seq: dict[int, int] = {}
        self.prev_hash = GENESIS_HASH
        self.linked = 0

    def next_number(self, year: int) -> str:
        self.last_seq[year] = self.last_seq.get(year, 0) + 1
        return receipt_number(self.post_code, year, self.last_seq[year])

    def link(self, content: ReceiptContent) -> tuple[str, str]:
        """(previous hash, this receipt's hash)."""
        prev_hash, digest = self.prev_hash, chain_hash(content, self.prev_hash)
        self.prev_hash, self.linked = digest, self.linked + 1
        return prev_hash, digest


# --- cover periods in SQL -------------------------------------------------------------------------

# Promotions (from the participants' rows) and paid stretches (from the receipts that pay
# months, their void's id if voided), numbered in the order they began: by the moment (text of
# naive UTC, as stored, sorts as time), a promotion before a payment at the same moment, then
# by participant and receipt. A paid stretch ends on its last month's last day; its programmes
# are the participant's (``people.Person.programmes``, JHT with ``with_jht``).
_COVER_PERIODS = """
INSERT INTO cover_periods (post_id, post_code, number, participant_id, kind, start_date,
    end_date, programmes, campaign_code, receipt_id, voided_by_receipt_id, change_no)
SELECT CAST(:post_id AS INTEGER), CAST(:post_code AS VARCHAR),
    row_number() OVER (ORDER BY moment, paid, participant_id, receipt_id),
    participant_id, kind, start_date, end_date, programmes, campaign_code, receipt_id, voided_by,
    CAST(:change_no AS BIGINT)
FROM (
    SELECT p.registered_at AS moment, 0 AS paid, p.id AS participant_id, 'promotion' AS kind,
        p.registered_on AS start_date, p.promotion_end AS end_date,
        {campaign_programmes} AS programmes, p.promotion_code AS campaign_code,
        NULL AS receipt_id, NULL AS voided_by
    FROM participants AS p
    WHERE p.post_id = :post_id AND p.promotion_code IS NOT NULL
    UNION ALL
    SELECT r.issued_at, 1, r.participant_id, 'paid', r.first_month, {month_end},
        CASE WHEN p.with_jht THEN CAST(:with_jht AS VARCHAR) ELSE CAST(:without_jht AS VARCHAR) END,
        NULL, r.id,
        (SELECT v.id FROM receipts AS v WHERE v.voids_receipt_id = r.id)
    FROM receipts AS r JOIN participants AS p ON p.id = r.participant_id
    WHERE r.post_id = :post_id AND r.kind = 'payment'
) AS periods
ORDER BY moment, paid, participant_id, receipt_id
"""
_MONTH_END = {
    "sqlite": "date(r.last_month, 'start of month', '+1 month', '-1 day')",
    "postgresql": "CAST(date_trunc('month', r.last_month) + interval '1 month - 1 day' AS DATE)",
}


def _cover_periods_statement(
    dialect: str, programmes: dict[str, str]
) -> tuple[TextClause, dict[str, Any]]:
    """``_COVER_PERIODS`` for ``dialect``, with each campaign's programmes (``programmes``:
    campaign code -> programmes text) as a CASE, and its parameters."""
    params: dict[str, Any] = {}
    cases = []
    for number, (code, text_) in enumerate(sorted(programmes.items())):
        cases.append(
            f"WHEN CAST(:campaign_{number} AS VARCHAR) THEN CAST(:programmes_{number} AS VARCHAR)"
        )
        params |= {f"campaign_{number}": code, f"programmes_{number}": text_}
    campaign = f"CASE p.promotion_code {' '.join(cases)} END" if cases else "NULL"
    sql = _COVER_PERIODS.format(campaign_programmes=campaign, month_end=_MONTH_END[dialect])
    return text(sql), params
