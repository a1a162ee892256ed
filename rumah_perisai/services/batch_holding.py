"""What a batch *holds*: the one count the batches page, ``batch verify`` and the branch show
(issue 17, item 8).

A batch carries many tables' rows, but most of them only travel with something a volunteer did:
a registration brings its cover periods, a payment the months it paid, a daily close its lines,
and every change its history (the audit log). Counting rows made the same batch "31 records" at
the post, "30" at the branch and "changes 1 to 18" in ``batch verify``. So a batch holds the
records a volunteer or coordinator made or changed, each counted once:

* participants: new registrations, and changes to earlier ones (corrections, withdrawals, …);
* receipts: payments, voids and refunds;
* cards printed, daily closes, bank deposits, receipt numbers recorded as lost after a restore,
  and volunteer accounts added or changed.

The total is the sum of those parts' rows, so it can be had from the row counts alone (before a
batch is written, too); the breakdown splits participants and receipts with the manifest's
summary, computed from the same rows, so it always adds up to the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rumah_perisai import formats
from rumah_perisai.i18n import tr

# The parts whose rows are what a batch holds; the others go along with them.
HELD_PARTS = (
    "volunteers",
    "participants",
    "receipts",
    "receipt_gaps",
    "card_issues",
    "daily_closes",
    "deposits",
)

# The breakdown, in the order it is said: (kind, part it comes from, summary key or None).
# A summary key splits a part (participants, receipts); None takes the part's row count.
KINDS: tuple[tuple[str, str, str | None], ...] = (
    ("registrations", "participants", "registrations"),
    ("participant_changes", "participants", "participant_changes"),
    ("payments", "receipts", "payments"),
    ("voids", "receipts", "voids"),
    ("refunds", "receipts", "refunds"),
    ("card_issues", "card_issues", None),
    ("daily_closes", "daily_closes", None),
    ("deposits", "deposits", None),
    ("receipt_gaps", "receipt_gaps", None),
    ("volunteers", "volunteers", None),
)


def held_total(parts: Mapping[str, int]) -> int:
    """How many records a batch with these part row counts holds."""
    return sum(int(parts.get(name, 0)) for name in HELD_PARTS)


@dataclass(frozen=True)
class Holding:
    """The records a batch holds: each kind's count, in ``KINDS`` order, and their total."""

    kinds: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(count for _kind, count in self.kinds)

    def count(self, kind: str) -> int:
        return dict(self.kinds).get(kind, 0)

    def breakdown(self) -> str:
        """The kinds a batch holds, in words, those it holds none of left out."""
        return ", ".join(kind_text(kind, count) for kind, count in self.kinds if count)

    def text(self) -> str:
        """``12 catatan: 3 pendaftaran baru, 3 pembayaran, …`` — the same words everywhere."""
        total = records_text(self.total)
        if not self.total:
            return tr("{records}.", records=total)
        return tr("{records}: {breakdown}.", records=total, breakdown=self.breakdown())


def holding(parts: Mapping[str, int], summary: Mapping[str, int]) -> Holding:
    """What a batch holds, from its parts' row counts and its manifest's summary.

    A part's rows a summary does not split (an older batch, a damaged summary) are counted
    under the part's first kind, so the breakdown still adds up to the total."""
    kinds: list[tuple[str, int]] = []
    for part in dict.fromkeys(part for _kind, part, _key in KINDS):
        rows = int(parts.get(part, 0))
        split = [(kind, key) for kind, of, key in KINDS if of == part]
        counts = [(kind, int(summary.get(key, 0)) if key else rows) for kind, key in split]
        told = sum(count for _kind, count in counts)
        if told != rows:  # never trust a split that does not add up: put the rest first
            first, count = counts[0]
            counts[0] = (first, max(0, count + rows - told))
            if sum(count for _kind, count in counts) != rows:
                counts = [(first, rows)] + [(kind, 0) for kind, _count in counts[1:]]
        kinds.extend(counts)
    return Holding(tuple(kinds))


def records_text(count: int) -> str:
    return tr("{count} record(s)", count=formats.number(count))


def kind_text(kind: str, count: int) -> str:
    n = formats.number(count)
    texts = {
        "registrations": lambda: tr("{n} new registration(s)", n=n),
        "participant_changes": lambda: tr("{n} change(s) to participants", n=n),
        "payments": lambda: tr("{n} payment(s)", n=n),
        "voids": lambda: tr("{n} voided receipt(s)", n=n),
        "refunds": lambda: tr("{n} refund(s)", n=n),
        "card_issues": lambda: tr("{n} card(s) printed", n=n),
        "daily_closes": lambda: tr("{n} daily cash close(s)", n=n),
        "deposits": lambda: tr("{n} bank deposit(s)", n=n),
        "receipt_gaps": lambda: tr("{n} receipt number(s) recorded as lost", n=n),
        "volunteers": lambda: tr("{n} volunteer account(s) added or changed", n=n),
    }
    return texts[kind]()


def part_text(part: str) -> str:
    """A batch file's part (a table) in words a volunteer knows, for ``batch verify``."""
    texts = {
        "posts": lambda: tr("the post's details"),
        "volunteers": lambda: tr("volunteer accounts"),
        "participants": lambda: tr("participants"),
        "cover_periods": lambda: tr("periods of cover"),
        "receipts": lambda: tr("receipts"),
        "receipt_months": lambda: tr("months paid by the receipts"),
        "receipt_gaps": lambda: tr("receipt numbers recorded as lost"),
        "card_issues": lambda: tr("cards printed"),
        "daily_closes": lambda: tr("daily cash closes"),
        "daily_close_lines": lambda: tr("lines of the daily closes"),
        "deposits": lambda: tr("bank deposits"),
        "deposit_closes": lambda: tr("daily closes each deposit took"),
        "audit_log": lambda: tr("history of the changes (who changed what)"),
    }
    text = texts.get(part)
    return text() if text else part
