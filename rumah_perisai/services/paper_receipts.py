"""Entering again the receipts printed after the backup a post was restored from (issue 16).

A restored post has everything up to its backup; receipts printed after it exist only on their
paper halves. A coordinator enters each one with what it says — its printed number, date and
time, participant (registration number or KPJ), first month, number of months, amount and
collector — or, when a paper half is lost, records its number as lost with a reason. Rules:

* only after a restore (``restore.last``), and only numbers after the backup's last receipt,
  each **the next one** in the post's chain (the next in its year, or the first of a later
  year): a number already used, one skipped or one out of order is refused; a skipped number
  is recorded as lost first (``record_lost_number``), never left as a hole;
* not when the branch holds a batch newer than the backup (see ``services.restore_state``),
  nor once a batch was written since the restore (the branch would take the paper receipts
  for records older than that batch);
* the paper is checked as a new payment would be, on its printed day: the participant is one
  of the restored post's and could pay then; the months are the ones owed then, in order; the
  amount is what the rate table asks for them; the collector is one of the post's accounts.
  What the paper says wins where it can be true (its time, collector, cash); a contradiction
  is refused with one line and nothing is recorded;
* the printed time lies after the backup and after the receipt before it (to the printed
  minute), and before the restore;
* a receipt entered again is a receipt like any other in the chain (hashed over what it
  says), marked with who entered it and when (``paper_entered_*``); its cash belongs to the
  till of its printed day. A day closed before the backup is never changed: the receipt comes
  after that close, so the day shows again among the open tills, where the coordinator closes
  it once more against the cash counted then (the printed daily summary, or the bank slip);
* ``finish`` needs the highest number printed since the backup: every number up to it must
  be entered or recorded as lost. Until then payments, voids and batches wait
  (``restore_state.refuse_while_held``); after it, the next receipt follows the highest number
  entered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rumah_perisai.db.models import (
    Participant,
    Post,
    Receipt,
    ReceiptGap,
    Volunteer,
)
from rumah_perisai.db.status import store_conversion, store_summary
from rumah_perisai.db.uow import Database, next_number, operation_time
from rumah_perisai.domain.coverage import PAYABLE_MONTH_COUNTS, Status, status_on, summarize
from rumah_perisai.domain.errors import RuleError
from rumah_perisai.domain.months import first_of_month, month_end
from rumah_perisai.domain.personal_data import shown_name
from rumah_perisai.domain.receipt_qr import read_receipt_qr
from rumah_perisai.domain.receipts import (
    CHAIN_COUNTER,
    ReceiptContent,
    ReceiptLine,
    follows,
    gap_hash,
    receipt_counter,
    receipt_number,
)
from rumah_perisai.domain.timezones import local_date, local_time, zone
from rumah_perisai.errors import UserError
from rumah_perisai.services.dues import (
    MAX_REASON,
    PAYMENT,
    _issue,
    _month_row,
    _plan,
    _receipt_row,
    check_cash,
)
from rumah_perisai.services.posts import the_post
from rumah_perisai.services.receipt_chain import ChainEnd, chain_end
from rumah_perisai.services.registration import add_cover_period, cover_history, programmes
from rumah_perisai.services.restore_state import (
    PAPER_SETTING,
    RestoreNote,
    RestoreState,
    put_setting,
    restore_state,
)
from rumah_perisai.services.volunteers import Actor, actor_for, require_coordinator

_NUMBER = re.compile(r"(?P<post>[A-Z0-9]{3,12})-(?P<year>[0-9]{4})-(?P<seq>[0-9]{6,9})")
PAPER_REASON = "entered again from its paper half after a restore"


@dataclass(frozen=True)
class PaperReceipt:
    """One paper half as the coordinator reads it."""

    number: str  # as printed: RP3209A-2026-000123 (or the scanned QR text)
    printed_on: date  # the printed date and time, in the post's time zone
    printed_time: time
    participant: str  # registration number or KPJ, as printed
    first_month: date  # the first month it pays (any day of that month)
    month_count: int
    total: int  # rupiah
    collector: str  # the volunteer's name as printed (or the account key, RP3209A-V002)
    cash_received: int | None = None  # "Tunai", when legible
    qr_text: str | None = None  # the QR as a scanner read it, when there is one


@dataclass(frozen=True)
class Entered:
    """What one entry recorded."""

    number: str
    lost: bool  # a number recorded as lost (no receipt)
    receipt_id: int | None
    day: date | None  # the till the cash went to (a receipt)
    total: int


@dataclass(frozen=True)
class PaperRow:
    """A receipt or lost number entered since the restore, as the dialog lists them."""

    number: str
    lost: bool
    printed_at: datetime | None  # in the post's time zone (a receipt)
    registration_no: str
    participant_name: str
    months_text: str
    total: int
    collector: str
    reason: str | None  # a lost number's
    entered_by: str
    entered_at: datetime  # in the post's time zone


@dataclass(frozen=True)
class PaperStatus:
    """Everything the dialog (and ``receipts reenter``) shows."""

    restored: bool
    held: bool  # payments, voids and batches wait
    finished: bool
    branch_ahead: int | None
    batches_since: int
    backup_created_at: datetime | None  # in the post's time zone
    restored_at: datetime | None
    backup_last: str | None  # the backup's last receipt number (None: it had none)
    expected: tuple[str, ...]  # the number(s) the next entry may carry
    last_entered: str | None  # the chain's newest number now
    rows: tuple[PaperRow, ...]
    open_days: tuple[date, ...]  # days whose re-entered cash is in a till not closed yet
    timezone: str


# --- reading ------------------------------------------------------------------------------------


def _backup_last_number(post: Post, note: RestoreNote) -> str | None:
    if note.last_receipt is None:
        return None
    return receipt_number(post.code, *note.last_receipt)


def _expected(post: Post, end: ChainEnd, today: date) -> tuple[str, ...]:
    """The numbers the next entry may carry: the next in the newest number's year, and the
    first of each later year up to this one (a paper printed after New Year)."""
    if end.year is None or end.seq is None:
        return (receipt_number(post.code, today.year, 1),)
    out = [receipt_number(post.code, end.year, end.seq + 1)]
    out += [receipt_number(post.code, y, 1) for y in range(end.year + 1, today.year + 1)]
    return tuple(out)


def paper_status(db: Database) -> PaperStatus:
    with db.reading() as session:
        post = the_post(session)
        state = restore_state(session)
        note = state.note
        now = operation_time(session)
        end = chain_end(session, post.id)
        tz = post.timezone
        rows = _rows(session, post, note) if note is not None else ()
        return PaperStatus(
            restored=note is not None,
            held=state.held,
            finished=state.finished is not None,
            branch_ahead=state.branch_ahead,
            batches_since=state.batches_since,
            backup_created_at=local_time(note.backup_created_at, tz) if note else None,
            restored_at=local_time(note.restored_at, tz) if note else None,
            backup_last=_backup_last_number(post, note) if note else None,
            expected=_expected(post, end, local_date(now, tz)) if state.held else (),
            last_entered=end.number,
            rows=rows,
            open_days=_open_paper_days(session, post, note) if note else (),
            timezone=tz,
        )


@dataclass(frozen=True)
class PaperPerson:
    """Who a printed registration number or KPJ names, and their status on the printed day."""

    registration_no: str
    name: str
    status_text: str


def find_participant(db: Database, reference: str, day: date) -> PaperPerson | None:
    from rumah_perisai.domain.coverage import status_label

    with db.reading() as session:
        post = the_post(session)
        try:
            person = _participant(session, post, reference)
        except UserError:
            return None
        status = status_on(cover_history(session, person), day)
        return PaperPerson(person.registration_no, shown_name(person.name), status_label(status))


def _after_backup(note: RestoreNote) -> tuple[int, int]:
    return note.last_receipt or (0, 0)


def _rows(session: Session, post: Post, note: RestoreNote) -> tuple[PaperRow, ...]:
    from rumah_perisai import formats

    names = {v.id: v.name for v in session.scalars(select(Volunteer))}
    tz = post.timezone
    # Entered since this restore (a post restored twice keeps the first time's entries).
    receipts = session.execute(
        select(Receipt, Participant)
        .join(Participant, Participant.id == Receipt.participant_id)
        .where(Receipt.post_id == post.id, Receipt.paper_entered_at >= note.restored_at)
    ).all()
    out: list[tuple[tuple[int, int], PaperRow]] = []
    for r, p in receipts:
        assert r.paper_entered_at is not None
        first, last = r.first_month, r.last_month
        months = formats.month_range(first, last) if first and last else ""
        row = PaperRow(
            r.number, False, local_time(r.issued_at, tz), p.registration_no, shown_name(p.name),
            months, r.total, names.get(r.issued_by_id or 0, "-"), None,
            names.get(r.paper_entered_by_id or 0, "-"), local_time(r.paper_entered_at, tz),
        )  # fmt: skip
        out.append(((r.year, r.seq), row))
    for g in session.scalars(
        select(ReceiptGap).where(
            ReceiptGap.post_id == post.id, ReceiptGap.recorded_at >= note.restored_at
        )
    ):
        row = PaperRow(
            g.number, True, None, "", "", "", 0, "", g.reason,
            names.get(g.recorded_by_id or 0, "-"), local_time(g.recorded_at, tz),
        )  # fmt: skip
        out.append(((g.year, g.seq), row))
    return tuple(row for _key, row in sorted(out, key=lambda item: item[0]))


def _open_paper_days(session: Session, post: Post, note: RestoreNote) -> tuple[date, ...]:
    """The printed days of re-entered receipts whose till has not been closed since."""
    from rumah_perisai.services.cash import _closed_through

    days = session.execute(
        select(Receipt.issued_on, func.max(Receipt.seq))
        .where(Receipt.post_id == post.id, Receipt.paper_entered_at.is_not(None))
        .group_by(Receipt.issued_on)
        .order_by(Receipt.issued_on)
    ).all()
    after = _after_backup(note)
    return tuple(
        day
        for day, newest in days
        if (day.year, newest) > after and _closed_through(session, post, day)[0] < newest
    )


# --- the checks every entry makes -------------------------------------------------------------


def _open_for_entry(session: Session) -> RestoreNote:
    """Re-entry is open: after a restore, not finished, the branch not ahead, no batch since."""
    state: RestoreState = restore_state(session)
    if state.note is None:
        raise UserError("paper_no_restore")
    if state.branch_ahead is not None:
        raise UserError("paper_branch_ahead", seq=state.branch_ahead)
    if state.finished is not None:
        raise UserError("paper_finished")
    if state.batches_since:
        raise UserError("paper_batch_since")
    return state.note


def parse_number(text: str, post: Post) -> tuple[int, int, str]:
    """A receipt number as printed (spaces and case forgiven): (year, seq, number)."""
    cleaned = "".join(text.split()).upper()
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        raise UserError("paper_number_bad", number=text.strip()[:40])
    if match["post"] != post.code:
        raise UserError("paper_number_other_post", number=cleaned, post=post.code)
    return int(match["year"]), int(match["seq"]), cleaned


def _check_next(
    session: Session, post: Post, note: RestoreNote, year: int, seq: int, number: str
) -> ChainEnd:
    """``number`` is new and the very next in the chain; the chain's end is returned."""
    if (year, seq) <= _after_backup(note):
        raise UserError("paper_number_in_backup", number=number)
    used = session.scalar(
        select(Receipt.id).where(Receipt.post_id == post.id, Receipt.number == number)
    ) or session.scalar(
        select(ReceiptGap.id).where(ReceiptGap.post_id == post.id, ReceiptGap.number == number)
    )
    if used:
        raise UserError("paper_number_used", number=number)
    end = chain_end(session, post.id)
    if not follows(year, seq, end.year, end.seq):
        today = local_date(operation_time(session), post.timezone)
        expected = " / ".join(_expected(post, end, today)[:2])
        raise UserError("paper_number_out_of_order", number=number, expected=expected)
    return end


def _take_number(session: Session, post: Post, year: int, seq: int) -> None:
    """The counters as a new receipt takes them (the chain's first: see ``services.dues``)."""
    next_number(session, post.code, CHAIN_COUNTER)
    taken = next_number(session, post.code, receipt_counter(year))
    if taken != seq:  # the chain's end said otherwise: counters and records disagree
        raise UserError("paper_number_out_of_order", number=receipt_number(post.code, year, seq),
                        expected=receipt_number(post.code, year, taken))  # fmt: skip


def _printed_moment(
    session: Session, post: Post, note: RestoreNote, entry: PaperReceipt, number: str
) -> datetime:
    """The moment to record: the printed minute, no earlier than the backup and the receipt
    before it (the paper shows minutes only); refused when the printed minute lies before them
    or after the restore."""
    printed = datetime.combine(entry.printed_on, entry.printed_time.replace(second=0,
                               microsecond=0), zone(post.timezone)).astimezone(UTC)  # fmt: skip
    newest = session.scalar(select(func.max(Receipt.issued_at)).where(Receipt.post_id == post.id))
    floor = max(note.backup_created_at, *([newest] if newest is not None else []))
    if printed + timedelta(minutes=1) <= floor:
        from rumah_perisai.formats import moment

        raise UserError("paper_time_too_early", number=number,
                        printed=moment(printed, post.timezone),
                        floor=moment(floor, post.timezone))  # fmt: skip
    if printed > note.restored_at or printed > operation_time(session):
        raise UserError("paper_time_after_restore", number=number)
    return max(printed, floor)


def _participant(session: Session, post: Post, reference: str) -> Participant:
    ref = "".join(reference.split()).upper()
    found = session.scalars(
        select(Participant).where(
            Participant.post_id == post.id,
            (Participant.registration_no == ref) | (Participant.kpj == ref),
        )
    ).first()
    if found is None:
        raise UserError("paper_participant_unknown", ref=reference.strip()[:40])
    return found


def _collector(session: Session, post: Post, name: str) -> Volunteer:
    wanted = " ".join(name.split())
    for volunteer in session.scalars(select(Volunteer).where(Volunteer.post_id == post.id)):
        if volunteer.login == wanted.lower() or volunteer.natural_key() == wanted.upper():
            return volunteer
    raise UserError("paper_collector_unknown", name=wanted[:60])


def _check_qr(post: Post, text: str, number: str) -> str:
    """The scanned QR of the paper half: genuine, this post's, this number. Its digest."""
    qr = read_receipt_qr(text, {post.code: post.signing_public_key})
    if qr is None:
        raise UserError("paper_qr_bad")
    if qr.genuine is not True:
        raise UserError("paper_qr_forged", number=qr.number)
    if qr.number != number:
        raise UserError("paper_qr_other_number", number=number, qr=qr.number)
    return qr.digest


# --- entering ----------------------------------------------------------------------------------


def enter_paper_receipt(db: Database, entry: PaperReceipt, actor: Actor) -> Entered:
    """Record one paper receipt with its printed number (see the module for the checks)."""
    require_coordinator(actor)
    with db.unit_of_work(actor.label) as session:
        entered = _enter(session, entry, actor)
    return entered


Entry = PaperReceipt | tuple[str, str]  # a paper receipt, or (number, reason) of a lost one


def enter_all(
    db: Database, entries: Sequence[Entry], actor: Actor, lines: Sequence[int] | None = None
) -> list[Entered]:
    """Several paper receipts and lost numbers in order, in one operation: all or nothing (the
    command line's file). A refusal names the entry's line (``lines``, else its place) and
    records nothing."""
    require_coordinator(actor)
    out: list[Entered] = []
    numbered = lines if lines is not None else range(1, len(entries) + 1)
    with db.unit_of_work(actor.label) as session:
        for line, entry in zip(numbered, entries, strict=True):
            try:
                if isinstance(entry, PaperReceipt):
                    out.append(_enter(session, entry, actor))
                else:
                    out.append(_lost(session, entry[0], entry[1], actor))
            except UserError as error:
                raise UserError("paper_line", line=line, reason=error.message()) from error
    return out


def _enter(session: Session, entry: PaperReceipt, actor: Actor) -> Entered:
    session.info["reason"] = PAPER_REASON
    post = the_post(session)
    note = _open_for_entry(session)
    number_text, qr_text = entry.number, entry.qr_text
    scanned = read_receipt_qr(entry.number, {})
    if scanned is not None:  # the number field holds the scanned QR: its number, checked below
        number_text, qr_text = scanned.number, qr_text or entry.number
    year, seq, number = parse_number(number_text, post)
    if entry.printed_on.year != year:
        raise UserError("paper_year_differs", number=number, year=entry.printed_on.year)
    qr_digest = _check_qr(post, qr_text, number) if qr_text is not None else None
    _check_next(session, post, note, year, seq, number)
    issued_at = _printed_moment(session, post, note, entry, number)
    participant = _participant(session, post, entry.participant)
    collector = _collector(session, post, entry.collector)
    if entry.month_count not in PAYABLE_MONTH_COUNTS:
        raise UserError("paper_month_count", number=number)
    day = entry.printed_on
    history = cover_history(session, participant)
    status = status_on(history, day)
    if status in (Status.LAPSED, Status.WITHDRAWN, Status.REJECTED):
        from rumah_perisai.domain.coverage import status_label

        raise UserError("paper_not_payable", number=number, ref=participant.registration_no,
                        status=status_label(status))  # fmt: skip
    try:
        plan = _plan(participant, history, day, entry.month_count)
    except RuleError as error:
        raise UserError("rule_refused", detail=str(error)) from error
    _check_plan(number, entry, plan.first_month, plan.total, [m.month for m in plan.months])
    if entry.cash_received is not None:
        check_cash(entry.cash_received, plan.total)
    _take_number(session, post, year, seq)
    holder = actor_for(collector)
    key = collector.natural_key()
    lines = tuple(
        ReceiptLine(m.month, m.jkk, m.jkm, m.jht, m.total, m.rates_version) for m in plan.months
    )
    content = ReceiptContent(
        number=number, kind=PAYMENT, participant=participant.registration_no, voids=None,
        issued_at=issued_at, issued_on=day, issued_by=key, month_count=len(lines),
        first_month=plan.first_month, last_month=plan.last_month, jkk=plan.jkk, jkm=plan.jkm,
        jht=plan.jht, total=plan.total, cash_received=entry.cash_received, reason=None,
        cash_holder=key, refund=False, lines=lines,
    )  # fmt: skip
    row = _receipt_row(post, participant, content, holder, holder)
    row.paper_entered_at = operation_time(session)
    row.paper_entered_by_id = actor.volunteer_id
    row.paper_qr_digest = qr_digest
    receipt = _issue(session, post, content, row, year, seq)
    for line in lines:
        session.add(_month_row(post, receipt, participant, line))
    add_cover_period(
        session, post, participant, "paid", plan.first_month, month_end(plan.last_month),
        programmes(participant.with_jht), receipt_id=receipt.id,
    )  # fmt: skip
    session.flush()
    store_summary(participant, summarize(cover_history(session, participant)))
    store_conversion(session, participant)
    return Entered(number, False, receipt.id, day, plan.total)


def _check_plan(
    number: str, entry: PaperReceipt, first: date, total: int, months: list[date]
) -> None:
    from rumah_perisai import formats

    if first_of_month(entry.first_month) != first:
        raise UserError("paper_months_differ", number=number,
                        printed=formats.month(first_of_month(entry.first_month)),
                        expected=formats.month(first))  # fmt: skip
    if entry.total != total:
        raise UserError("paper_amount_differs", number=number, printed=formats.money(entry.total),
                        expected=formats.money(total),
                        months=formats.month_range(months[0], months[-1]))  # fmt: skip


def record_lost_number(db: Database, number: str, reason: str, actor: Actor) -> Entered:
    """A number printed after the backup whose paper half is lost: recorded with the
    coordinator's reason, in the chain in its place, so no number is skipped unexplained."""
    require_coordinator(actor)
    with db.unit_of_work(actor.label) as session:
        entered = _lost(session, number, reason, actor)
    return entered


def _lost(session: Session, number_text: str, reason: str, actor: Actor) -> Entered:
    reason = " ".join(reason.split())
    if not reason:
        raise UserError("paper_lost_reason")
    if len(reason) > MAX_REASON:
        raise UserError("reason_too_long", limit=MAX_REASON)
    session.info["reason"] = reason
    post = the_post(session)
    note = _open_for_entry(session)
    year, seq, number = parse_number(number_text, post)
    end = _check_next(session, post, note, year, seq, number)
    _take_number(session, post, year, seq)
    now = operation_time(session)
    by = None
    if actor.volunteer_id is not None:
        volunteer = session.get(Volunteer, actor.volunteer_id)
        by = volunteer.natural_key() if volunteer is not None else None
    gap = ReceiptGap(
        post_id=post.id, post_code=post.code, year=year, seq=seq, number=number, reason=reason,
        recorded_at=now, recorded_by_id=actor.volunteer_id, prev_hash=end.hash,
        hash=gap_hash(end.hash, number, reason, now, by),
    )  # fmt: skip
    session.add(gap)
    session.flush()
    return Entered(number, True, None, None, 0)


def finish(db: Database, highest: str | None, actor: Actor) -> str | None:
    """Re-entry is done: ``highest`` is the highest receipt number printed since the backup
    (None or empty: none was printed). Every number up to it must be entered or recorded as
    lost; then payments, voids and batches go on, the next receipt after the chain's newest.
    Returns the chain's newest number."""
    require_coordinator(actor)
    with db.unit_of_work(actor.label) as session:
        post = the_post(session)
        state = restore_state(session)
        if state.note is None:
            raise UserError("paper_no_restore")
        if state.branch_ahead is not None:
            raise UserError("paper_branch_ahead", seq=state.branch_ahead)
        if state.finished is not None:
            raise UserError("paper_finished")
        end = chain_end(session, post.id)
        if highest is None or not highest.strip():
            if _rows(session, post, state.note):  # "none printed", yet some were entered
                raise UserError("paper_highest_needed", number=end.number or "-")
            stated = None
        else:
            year, seq, stated = parse_number(highest, post)
            if (end.year, end.seq) != (year, seq):
                _refuse_highest(post, end, state.note, year, seq, stated)
        receipts = session.scalar(
            select(func.count()).select_from(Receipt).where(
                Receipt.post_id == post.id, Receipt.paper_entered_at.is_not(None)
            )
        )  # fmt: skip
        gaps = session.scalar(
            select(func.count()).select_from(ReceiptGap).where(ReceiptGap.post_id == post.id)
        )
        put_setting(
            session, PAPER_SETTING,
            {"restored_at": state.note.restored_key, "finished_at": operation_time(session)
             .isoformat(), "finished_by": actor.label, "highest": stated,
             "paper_receipts": int(receipts or 0), "lost_numbers": int(gaps or 0)},
        )  # fmt: skip
        session.info["reason"] = "paper receipts after a restore: re-entry finished"
        return end.number


def _refuse_highest(
    post: Post, end: ChainEnd, note: RestoreNote, year: int, seq: int, stated: str
) -> None:
    after = (end.year or 0, end.seq or 0)
    if (year, seq) < after:
        raise UserError("paper_highest_too_low", number=stated, last=end.number or "-")
    if (year, seq) <= _after_backup(note):
        raise UserError("paper_number_in_backup", number=stated)
    nxt = (
        receipt_number(post.code, end.year, end.seq + 1)
        if end.year is not None and end.seq is not None and end.year == year
        else receipt_number(post.code, year, 1)
    )
    raise UserError("paper_not_all_entered", first=nxt, last=stated)


# --- the command line's file ----------------------------------------------------------------------

FILE_COLUMNS = (
    "number", "date", "time", "participant", "first_month", "months", "amount", "collector",
    "cash", "lost_reason",
)  # fmt: skip
REQUIRED_COLUMNS = ("number",)


def read_paper_file(data: bytes) -> tuple[list[Entry], list[int]]:
    """A CSV file (UTF-8, comma or semicolon, a header row naming ``FILE_COLUMNS``), one paper
    half a line: a receipt, or a lost number (``number`` and ``lost_reason`` only). Returns the
    entries and their line numbers; a line that cannot be read is refused (``paper_line``)."""
    import csv
    import io

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError("paper_file_bad", reason="UTF-8") from error
    first_line = text.split("\n", 1)[0]  # a spreadsheet set to Indonesian writes semicolons
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if "number" not in header:
        raise UserError("paper_file_bad", reason=", ".join(FILE_COLUMNS))
    reader.fieldnames = header
    entries: list[Entry] = []
    lines: list[int] = []
    for row in reader:
        values = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        if not any(values.values()):
            continue
        line = reader.line_num
        try:
            entries.append(_entry(values))
        except UserError as error:
            raise UserError("paper_line", line=line, reason=error.message()) from error
        lines.append(line)
    if not entries:
        raise UserError("paper_file_empty")
    return entries, lines


def _entry(values: dict[str, str]) -> Entry:
    from rumah_perisai.services.dues import parse_cash

    if values.get("lost_reason"):
        return values["number"], values["lost_reason"]
    try:
        printed_on = date.fromisoformat(values.get("date", ""))
        hours, minutes = values.get("time", "").replace(".", ":").split(":")
        printed_time = time(int(hours), int(minutes))
        first = date.fromisoformat(values.get("first_month", "") + "-01")
        count = int(values.get("months", ""))
    except ValueError as error:
        raise UserError("paper_field_bad") from error
    cash = values.get("cash")
    return PaperReceipt(
        number=values["number"], printed_on=printed_on, printed_time=printed_time,
        participant=values.get("participant", ""), first_month=first, month_count=count,
        total=parse_cash(values.get("amount", "")), collector=values.get("collector", ""),
        cash_received=parse_cash(cash) if cash else None,
    )  # fmt: skip
