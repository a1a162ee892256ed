"""The demo's cash: every past business day closed at about four, deposited on Mondays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from rumah_perisai.db.models import (
    DailyClose,
    DailyCloseLine,
    Deposit,
    DepositClose,
)
from rumah_perisai.demo.bulk import CHUNK, BulkRows, set_counter
from rumah_perisai.demo.dice import Dice, Weighted
from rumah_perisai.demo.logins import COORDINATOR
from rumah_perisai.demo.tally import Counts
from rumah_perisai.domain.receipts import (
    GENESIS_HASH,
)

DAILY_CLOSE_COUNTER = "daily_close"
DEPOSIT_COUNTER = "deposit"
_DIFFERENCE_CHANCE = 0.02  # of a close's lines: the cash counted is not what the receipts say
_DIFFERENCES = Weighted(
    [(-5_000, 3.0), (-2_000, 2.0), (-1_000, 1.0), (-10_000, 1.0), (1_000, 1.0), (2_000, 2.0),
     (5_000, 1.0)]
)  # fmt: skip
_SHORT_NOTES = ("kurang uang kembalian", "salah memberi kembalian", "selisih hitung")
_OVER_NOTES = ("peserta tidak mengambil kembalian", "kembalian belum diberikan")
_BANKS = Weighted([("bni", 0.5), ("cimb_niaga", 0.4), ("other", 0.1)])
_BANK_NAMES = {"bni": "BNI", "cimb_niaga": "CIMB Niaga", "other": "Bank BJB"}
_BANK_REFERENCES = {"bni": "BNI", "cimb_niaga": "CIMB", "other": "BJB"}
_CLOSING_HOUR = 16


@dataclass(slots=True)
class DayTill:
    """One business day's receipts as its close counts them."""

    day: date
    # volunteer index -> [payments, their total, voids, total, refunds, total]
    lines: dict[int, list[int]] = field(default_factory=dict)
    receipts: int = 0
    through_seq: int = 0
    chain_length: int = 0
    newest_hash: str = GENESIS_HASH
    last_moment: datetime | None = None


class Tills:
    """Sums the receipts per business day and cash holder as they are issued (in chain order)."""

    def __init__(self) -> None:
        self.days: list[DayTill] = []

    def add(self, receipt: dict[str, Any], holder: int, chain_length: int) -> None:
        day: date = receipt["issued_on"]
        if not self.days or self.days[-1].day != day:
            assert not self.days or self.days[-1].day < day, "receipts out of day order"
            self.days.append(DayTill(day))
        till = self.days[-1]
        slot = 0 if receipt["kind"] == "payment" else 4 if receipt["refund"] else 2
        line = till.lines.get(holder)
        if line is None:
            line = till.lines[holder] = [0] * 6
        line[slot] += 1
        line[slot + 1] += receipt["total"]
        till.receipts += 1
        till.through_seq = receipt["seq"]
        till.chain_length = chain_length
        till.newest_hash = receipt["hash"]
        till.last_moment = receipt["issued_at"]


def _expected(line: Sequence[int]) -> int:
    return line[1] - line[3] - line[5]


def _rupiah(amount: int) -> str:
    """Rp 5.000, as a coordinator writes it in a note (stored text, not shown translated)."""
    return f"Rp {amount:,}".replace(",", ".")


class CashBook(BulkRows):
    """The writer's cash part: closes and deposits from the tills its receipts filled."""

    # Set by ``writer.Writer.__init__`` before any of the methods below runs.
    session: Session
    post_id: int
    post_code: str
    volunteer_ids: list[int]
    volunteer_keys: list[str]
    volunteer_names: list[str]
    cash_rng: Dice
    change_no: int
    counts: Counts
    first_ids: dict[type[Any], int]  # model -> the first id the demo gives its rows

    def _cash(self, tills: Sequence[DayTill], today: date, zone: tzinfo) -> None:
        """One close for each day with receipts before ``today`` (today's till stays open), and
        each Monday before today a deposit of the closes of the days before it."""
        first_id = self.first_ids[DailyClose]
        closes: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        for till in (till for till in tills if till.day < today):
            close, close_lines = self._close(first_id + len(closes), len(closes) + 1, till, zone)
            closes.append(close)
            lines += close_lines
        for start in range(0, len(closes), CHUNK):
            self._insert(DailyClose, closes[start : start + CHUNK])
        for start in range(0, len(lines), CHUNK):
            self._insert(DailyCloseLine, lines[start : start + CHUNK])
        deposits, deposited = self._deposits(closes, today, zone)
        self._insert(Deposit, deposits)
        self._insert(DepositClose, deposited)
        self.counts.daily_closes, self.counts.deposits = len(closes), len(deposits)
        self._later(set_counter, self.session, self.post_code, DAILY_CLOSE_COUNTER, len(closes))
        self._later(set_counter, self.session, self.post_code, DEPOSIT_COUNTER, len(deposits))

    def _close(
        self, id_: int, number: int, till: DayTill, zone: tzinfo
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.cash_rng
        key = f"{self.post_code}-T{number:05d}"
        rows: list[dict[str, Any]] = []
        notes: list[str] = []
        for holder, line in sorted(till.lines.items()):
            expected = _expected(line)
            difference = 0
            if expected >= 20_000 and rng.random() < _DIFFERENCE_CHANCE:
                difference = _DIFFERENCES.pick(rng)
                why = rng.one_of(_SHORT_NOTES if difference < 0 else _OVER_NOTES)
                word = "kurang" if difference < 0 else "lebih"
                notes.append(
                    f"{self.volunteer_names[holder]} {word} {_rupiah(abs(difference))}: {why}"
                )
            rows.append(
                {
                    "post_id": self.post_id,
                    "close_id": id_,
                    "close_key": key,
                    "volunteer_id": self.volunteer_ids[holder],
                    "volunteer_key": self.volunteer_keys[holder],
                    "payments_count": line[0],
                    "payments_total": line[1],
                    "voids_count": line[2],
                    "voids_total": line[3],
                    "refunds_count": line[4],
                    "refunds_total": line[5],
                    "expected": expected,
                    "counted": expected + difference,
                    "difference": difference,
                    "change_no": self.change_no,
                }
            )
        day = till.day
        closing = datetime(day.year, day.month, day.day, _CLOSING_HOUR, tzinfo=zone)
        closing += timedelta(minutes=rng.between(0, 45))
        assert till.last_moment is not None
        closed_at = max(closing, till.last_moment + timedelta(minutes=rng.between(3, 15)))
        close = {
            "id": id_,
            "post_id": self.post_id,
            "post_code": self.post_code,
            "number": number,
            "day": day,
            "through_seq": till.through_seq,
            "receipt_count": till.receipts,
            "payments_total": sum(line[1] for line in till.lines.values()),
            "voids_total": sum(line[3] for line in till.lines.values()),
            "refunds_total": sum(line[5] for line in till.lines.values()),
            "expected": sum(row["expected"] for row in rows),
            "counted": sum(row["counted"] for row in rows),
            "difference": sum(row["difference"] for row in rows),
            "chain_length": till.chain_length,
            "newest_receipt_hash": till.newest_hash,
            "note": "; ".join(notes) or None,
            "closed_at": closed_at.astimezone(UTC),
            "closed_by_id": self.volunteer_ids[COORDINATOR],
            "change_no": self.change_no,
        }
        return close, rows

    def _deposits(
        self, closes: Sequence[dict[str, Any]], today: date, zone: tzinfo
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Each Monday before ``today``, the cash of every close not deposited yet (the week
        before it); the closes from the last Monday on stay at the post."""
        weeks: dict[date, list[dict[str, Any]]] = {}
        for close in closes:  # by the Monday after the close's day
            weeks.setdefault(close["day"] + timedelta(days=7 - close["day"].weekday()), []).append(
                close
            )
        first_id = self.first_ids[Deposit]
        deposits: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        pending: list[dict[str, Any]] = []
        for monday, week in weeks.items():
            if monday >= today:
                break
            pending += week
            amount = sum(close["counted"] for close in pending)
            if amount <= 0:
                continue  # nothing to take to the bank: it waits for the next Monday
            deposit = self._deposit(
                first_id + len(deposits), len(deposits) + 1, monday, amount, zone
            )
            deposits.append(deposit)
            key = f"{self.post_code}-D{deposit['number']:05d}"
            links += [
                {
                    "post_id": self.post_id,
                    "deposit_id": deposit["id"],
                    "close_id": close["id"],
                    "key": f"{key}/{self.post_code}-T{close['number']:05d}",
                    "change_no": self.change_no,
                }
                for close in pending
            ]
            pending = []
        return deposits, links

    def _deposit(
        self, id_: int, number: int, day: date, amount: int, zone: tzinfo
    ) -> dict[str, Any]:
        rng = self.cash_rng
        bank = _BANKS.pick(rng)
        at = datetime(day.year, day.month, day.day, 10, tzinfo=zone)
        at += timedelta(minutes=rng.between(0, 120))
        reference = f"{_BANK_REFERENCES[bank]}-{day:%Y}-{day:%m%d}-{rng.between(1, 999_999):06d}"
        return {
            "id": id_,
            "post_id": self.post_id,
            "post_code": self.post_code,
            "number": number,
            "bank": bank,
            "bank_name": _BANK_NAMES[bank],
            "reference": reference,
            "deposited_on": day,
            "amount": amount,
            "recorded_at": at.astimezone(UTC),
            "recorded_by_id": self.volunteer_ids[COORDINATOR],
            "change_no": self.change_no,
        }
