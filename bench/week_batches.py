"""Synthetic weekly batches of many posts for ``bench_branch_week.py``: each post's records
written as the export writes them (the carried columns, moments and dates as the wire gives
them, each receipt hashed into the post's chain, the audit entries of each change), sealed with
the real batch writer (``exchange.batchfile.seal``) and signed with the post's own key.

A post's week: 50 registrations (one of them, at every tenth post, a NIK another post
registered the week before: a cross-post duplicate the branch rejects) and 200 one-month
payments, each with its cover period and month, the participant's cover kept in step (a changed
participant row), and the audit entries of every change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rumah_perisai import __version__
from rumah_perisai.domain.receipts import GENESIS_HASH, canonical_moment, chain_hash_raw
from rumah_perisai.exchange.batchfile import PlainPart, seal
from rumah_perisai.keys.files import BranchPublicKey, PostPublicKey
from rumah_perisai.services.batches import _plain

REGISTRATIONS = 50
PAYMENTS = 200
FIRST_WEEK = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)  # a Monday, 08:00 WIB
JKK, JKM = 10_000, 6_800
RATES = "2026-01"


def post_code(index: int) -> str:
    return f"WK{index:04d}"


def nik_of(index: int, number: int) -> str:
    """The NIK of a post's registration: unique across posts (the duplicates are chosen)."""
    return f"3209{index:04d}{number:08d}"


def wire(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class PostState:
    """What a synthetic post has written so far (its ids, numbers, chain end, change number)."""

    index: int
    key: Ed25519PrivateKey
    participants: int = 0
    receipts: int = 0
    cover_periods: int = 0
    audit: int = 0
    change: int = 0
    chain_hash: str = GENESIS_HASH
    prev_batch_hash: str | None = None
    seq: int = 0
    cover_until: dict[int, date] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return post_code(self.index)

    def public(self) -> PostPublicKey:
        return PostPublicKey(
            code=self.code, name=f"Posko {self.code}", kabupaten_code="32.09", timezone="WIB",
            demo=True, signing_key=self.key.public_key().public_bytes_raw(),
        )  # fmt: skip


class _Week:
    def __init__(self, state: PostState, posts: int) -> None:
        self.s = state
        self.posts = posts
        self.week = state.seq  # 0 for the first
        self.start = FIRST_WEEK + timedelta(days=7 * self.week)
        self.rows: dict[str, list[list[Any]]] = {}
        self.audit: list[list[Any]] = []
        self.change_from = state.change
        self.moment = self.start
        self.paid: dict[int, int] = {}  # participant number -> the change of its last payment

    def tick(self) -> tuple[int, datetime]:
        self.s.change += 1
        self.moment += timedelta(seconds=97)
        return self.s.change, self.moment

    def log(self, change: int, at: datetime, action: str, entity: str, rid: int, key: str,
            changes: str | None) -> None:  # fmt: skip
        self.s.audit += 1
        self.audit.append([self.s.audit, change, wire(at), "local", "v2", action, entity, str(rid),
                           key, changes])  # fmt: skip


PARTICIPANT_COLUMNS = [
    "id", "post_id", "post_code", "number", "registration_no", "kpj", "nik", "name",
    "birth_place", "birth_date", "sex", "street", "rt", "rw", "desa_code", "phone", "occupation",
    "income", "with_jht", "heir_name", "heir_relation", "consent_at", "registered_on",
    "registered_at", "registered_by_id", "nik_override_reason", "duplicate_override_reason",
    "standing", "standing_reason", "membership_start", "rejoin_count", "promotion_code",
    "promo_until", "cover_from", "cover_until", "arrears_until", "promotion_end", "converted_on",
    "ended_on", "erased_at", "import_ref", "change_no",
]  # fmt: skip
RECEIPT_COLUMNS = [
    "id", "post_id", "post_code", "year", "seq", "number", "kind", "participant_id",
    "voids_receipt_id", "month_count", "first_month", "last_month", "jkk", "jkm", "jht", "total",
    "cash_received", "reason", "issued_at", "issued_on", "issued_by_id", "cash_volunteer_id",
    "refund", "prev_hash", "hash", "paper_entered_at", "paper_entered_by_id", "paper_qr_digest",
    "change_no",
]  # fmt: skip
COVER_COLUMNS = [
    "id", "post_id", "post_code", "number", "participant_id", "kind", "start_date", "end_date",
    "programmes", "campaign_code", "receipt_id", "voided_by_receipt_id", "change_no",
]  # fmt: skip
MONTH_COLUMNS = [
    "id", "post_id", "receipt_id", "receipt_number", "participant_id", "month", "jkk", "jkm",
    "jht", "total", "rates_version", "voided_by_receipt_id", "change_no",
]  # fmt: skip
VOLUNTEER_COLUMNS = [
    "id", "post_id", "number", "login", "name", "role", "active", "created_at", "deactivated_at",
    "post_code", "change_no",
]  # fmt: skip
POST_COLUMNS = [
    "id", "code", "name", "kabupaten_code", "desa_code", "wadah", "timezone", "is_demo",
    "signing_public_key", "key_fingerprint", "created_at", "change_no",
]  # fmt: skip
AUDIT_COLUMNS = [
    "id", "change_no", "at", "origin", "actor", "action", "entity", "entity_id", "entity_key",
    "changes_json",
]  # fmt: skip
EMPTY_PARTS = {
    "receipt_gaps": ["id", "post_id", "post_code", "year", "seq", "number", "reason",
                     "recorded_at", "recorded_by_id", "prev_hash", "hash", "change_no"],
    "card_issues": ["id", "post_id", "post_code", "serial", "participant_id", "reason",
                    "reason_note", "issued_on", "issued_at", "issued_by_id", "state",
                    "replaced_at", "handed_over_at", "change_no"],
    "daily_closes": ["id", "post_id", "post_code", "number", "day", "through_seq",
                     "receipt_count", "payments_total", "voids_total", "refunds_total",
                     "expected", "counted", "difference", "chain_length",
                     "newest_receipt_hash", "note", "closed_at", "closed_by_id", "change_no"],
    "daily_close_lines": ["id", "post_id", "close_id", "close_key", "volunteer_id",
                          "volunteer_key", "payments_count", "payments_total", "voids_count",
                          "voids_total", "refunds_count", "refunds_total", "expected",
                          "counted", "difference", "change_no"],
    "deposits": ["id", "post_id", "post_code", "number", "bank", "bank_name", "reference",
                 "deposited_on", "amount", "recorded_at", "recorded_by_id", "change_no"],
    "deposit_closes": ["id", "post_id", "deposit_id", "close_id", "key", "change_no"],
    "data_requests": ["id", "post_id", "post_code", "number", "participant_id", "kind",
                      "made_on", "made_how", "note", "state", "outcome", "recorded_at",
                      "recorded_by_id", "rules_version", "change_no"],
}  # fmt: skip
ORDER = [
    "posts", "volunteers", "participants", "cover_periods", "receipts", "receipt_months",
    "receipt_gaps", "card_issues", "daily_closes", "daily_close_lines", "deposits",
    "deposit_closes", "data_requests",
]  # fmt: skip


def _first_rows(week: _Week) -> None:
    """The post itself and its two volunteers, in its first batch."""
    s = week.s
    change, at = week.tick()
    public = s.public()
    key = _b64(public.signing_key)
    week.rows["posts"] = [[1, s.code, public.name, "32.09", None, None, "WIB", 1, key,
                           public.fingerprint, wire(at), change]]  # fmt: skip
    week.rows["volunteers"] = [
        [n, 1, n, f"v{n}", f"Relawan {n}", "coordinator" if n == 1 else "volunteer", 1,
         wire(at), None, s.code, change]
        for n in (1, 2)
    ]  # fmt: skip


def _b64(data: bytes) -> str:
    from rumah_perisai.exchange.canonical import b64

    return b64(data)


def _register(week: _Week, duplicate_of: str | None) -> None:
    s = week.s
    change, at = week.tick()
    s.participants += 1
    number = s.participants
    day = at.date()
    until = date(day.year, day.month, 1) + timedelta(days=31)
    until = date(until.year, until.month, 1) - timedelta(days=1)
    s.cover_until[number] = until
    regno = f"{s.code}-{number:06d}"
    week.rows.setdefault("participants", []).append([
        number, 1, s.code, number, regno, None, duplicate_of or nik_of(s.index, number),
        f"Peserta {s.index} {number}", "Cirebon", "1990-05-17", "L" if number % 2 else "P",
        f"Jalan Mawar {number}", "001", "002", "32.09.01.2001", None, "Petani", 1_500_000, 0,
        None, None, wire(at), day.isoformat(), wire(at), 2, None, None, "member", None,
        day.isoformat(), 0, None, None, day.isoformat(), until.isoformat(), None, None, None,
        None, None, None, change,
    ])  # fmt: skip
    week.log(change, at, "create", "participants", number, regno, None)


def _pay(week: _Week, number: int) -> None:
    """One month paid for participant ``number``: receipt, month, cover period, cover kept."""
    s = week.s
    change, at = week.tick()
    s.receipts += 1
    s.cover_periods += 1
    rid = s.receipts
    month = s.cover_until[number] + timedelta(days=1)
    end = date(month.year + month.month // 12, month.month % 12 + 1, 1) - timedelta(days=1)
    s.cover_until[number] = end
    receipt_no = f"{s.code}-2026-{rid:06d}"
    regno = f"{s.code}-{number:06d}"
    volunteer = f"{s.code}-V002"
    total = JKK + JKM
    row = (receipt_no, "payment", regno, None, canonical_moment(at), at.date().isoformat(),
           volunteer, 1, month.isoformat(), month.isoformat(), JKK, JKM, 0, total, 20_000, None,
           volunteer, False)  # fmt: skip
    lines = [(month.isoformat(), JKK, JKM, 0, total, RATES)]
    digest = chain_hash_raw(s.chain_hash, row, lines)
    week.rows.setdefault("receipts", []).append([
        rid, 1, s.code, 2026, rid, receipt_no, "payment", number, None, 1, month.isoformat(),
        month.isoformat(), JKK, JKM, 0, total, 20_000, None, wire(at), at.date().isoformat(), 2,
        2, 0, s.chain_hash, digest, None, None, None, change,
    ])  # fmt: skip
    s.chain_hash = digest
    week.rows.setdefault("receipt_months", []).append(
        [
            rid,
            1,
            rid,
            receipt_no,
            number,
            month.isoformat(),
            JKK,
            JKM,
            0,
            total,
            RATES,
            None,
            change,
        ]  # fmt: skip
    )
    week.rows.setdefault("cover_periods", []).append(
        [
            s.cover_periods,
            1,
            s.code,
            s.cover_periods,
            number,
            "paid",
            month.isoformat(),
            end.isoformat(),
            "JKK+JKM",
            None,
            rid,
            None,
            change,
        ]  # fmt: skip
    )
    week.log(change, at, "create", "receipts", rid, receipt_no, None)
    week.log(change, at, "update", "participants", number, regno,
             f'{{"cover_until": ["{month - timedelta(days=1)}", "{end}"]}}')  # fmt: skip
    week.paid[number] = change


def week_batch(
    state: PostState, posts: int, branch: BranchPublicKey, duplicates: bool = True
) -> tuple[str, bytes]:
    """The post's next weekly batch (its name and bytes); ``state`` moves on past it."""
    week = _Week(state, posts)
    if state.seq == 0:
        _first_rows(week)
    for _j in range(REGISTRATIONS):
        number = state.participants + 1
        _register(week, _twin(state.index, number, posts) if duplicates else None)
    payable = [
        n for n in range(1, state.participants + 1)
        if not (duplicates and _twin(state.index, n, posts))
    ]  # fmt: skip
    for i in range(PAYMENTS):
        _pay(week, payable[(i * 7 + week.week) % len(payable)])
    _changed_participants(week, posts)
    return _sealed(week, branch)


def _twin(index: int, number: int, posts: int) -> str | None:
    """At every tenth post, the first registration of each week after the first has the NIK
    the next post registered first the week before: the branch rejects it as a duplicate."""
    week_of, offset = divmod(number - 1, REGISTRATIONS)
    if index % 10 or week_of == 0 or offset:
        return None
    return nik_of((index + 1) % posts, (week_of - 1) * REGISTRATIONS + 1)


def _changed_participants(week: _Week, posts: int) -> None:
    """A participant paid for this week: its row goes again with the cover it has now."""
    rows = {row[0]: row for row in week.rows.get("participants", [])}
    until = PARTICIPANT_COLUMNS.index("cover_until")
    change_at = PARTICIPANT_COLUMNS.index("change_no")
    for number, change in sorted(week.paid.items()):
        row = rows.get(number)
        if row is None:  # from an earlier week: the whole row again
            row = _old_row(week.s, number, posts)
            rows[number] = row
        row[until] = week.s.cover_until[number].isoformat()
        row[change_at] = change
    week.rows["participants"] = [rows[n] for n in sorted(rows)]


def _old_row(s: PostState, number: int, posts: int) -> list[Any]:
    """A participant registered in an earlier week, as the post holds it now."""
    week_of = (number - 1) // REGISTRATIONS
    day = (FIRST_WEEK + timedelta(days=7 * week_of)).date()
    at = wire(FIRST_WEEK + timedelta(days=7 * week_of))
    regno = f"{s.code}-{number:06d}"
    nik = _twin(s.index, number, posts)
    return [
        number, 1, s.code, number, regno, None, nik or nik_of(s.index, number),
        f"Peserta {s.index} {number}", "Cirebon", "1990-05-17", "L" if number % 2 else "P",
        f"Jalan Mawar {number}", "001", "002", "32.09.01.2001", None, "Petani", 1_500_000, 0,
        None, None, at, day.isoformat(), at, 2, None, None, "member", None, day.isoformat(), 0,
        None, None, day.isoformat(), None, None, None, None, None, None, None, 0,
    ]  # fmt: skip


def _sealed(week: _Week, branch: BranchPublicKey) -> tuple[str, bytes]:
    s = week.s
    s.seq += 1
    created = week.moment + timedelta(minutes=5)
    columns = {
        "posts": POST_COLUMNS, "volunteers": VOLUNTEER_COLUMNS,
        "participants": PARTICIPANT_COLUMNS, "cover_periods": COVER_COLUMNS,
        "receipts": RECEIPT_COLUMNS, "receipt_months": MONTH_COLUMNS, **EMPTY_PARTS,
    }  # fmt: skip
    parts: list[PlainPart] = [
        _plain(name, columns[name], week.rows.get(name, [])) for name in ORDER
    ]
    parts.append(_plain("audit_log", AUDIT_COLUMNS, week.audit))
    registrations = sum(1 for r in week.rows["participants"] if r[3] > s.participants - 50)
    manifest = {
        "post": {"code": s.code, "name": f"Posko {s.code}"},
        "seq": s.seq,
        "prev_batch_hash": s.prev_batch_hash,
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "created_on": created.date().isoformat(),
        "changes": {"from": week.change_from, "to": s.change},
        "newest_receipt": {"hash": s.chain_hash, "chain_length": s.receipts},
        "summary": {
            "registrations": registrations,
            "participant_changes": len(week.rows["participants"]) - registrations,
            "payments": len(week.rows["receipts"]), "voids": 0, "refunds": 0,
            "card_issues": 0, "daily_closes": 0, "deposits": 0,
        },
        "demo": True,
        "app_version": __version__,
    }  # fmt: skip
    data = seal(manifest, parts, post_key=s.key, branch=branch, compress_level=1)
    s.prev_batch_hash = hashlib.sha256(data).hexdigest()
    name = f"{s.code}-batch-{s.seq:04d}-{created.date().isoformat()}.rpb"
    return name, data
