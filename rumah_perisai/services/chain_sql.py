"""The receipt chain check's common case, done mostly by SQLite (issue 21).

At a million receipts the check spent its time turning rows into Python values (about 50 a
receipt: its fields and its months), not hashing (``docs/benchmarks.md``); then SQLite built
each whole text, about 40 expression steps a month line. Here SQLite hands over, per receipt,
the few values that change from one receipt to the next (its number, links, moment, day,
participant) as they are stored, and everything else that its hash covers (kind, the voided
receipt's number, volunteers, months and amounts, and every month line) as one JSON text,
which keeps each value's type. Those JSON texts repeat (the same months and rates for many
receipts): each distinct one is read and formatted once (``Pieces``) and the receipt's text
is put together from the pieces. Ranges of the chain are checked side by side in separate
processes (each hash depends only on stored values; ``chain_ranges``), their seams in the end.

This path can only say "whole"; it never names a problem. Every value is taken only with the
type ``chain_text`` formats as the Python path does (text or none where it writes a text, an
integer where it writes a number, a refund flag of 0 or 1, every month of the receipt of this
post, in month order, the number the walk expects at its place); anything else (a BLOB
anywhere in the JSON, which SQLite would read as the JSON it holds, or a text that is not
UTF-8), a NUL in a text, a text that does not hash to the stored hash, a broken link or number
anywhere makes this path give up, and the Python walk (``receipt_chain._walk``) checks the
whole chain again and gives the verdict. The lookups are
the walk's own (the post's participants and every volunteer by id, the voided receipt's
number by id). So when this path says whole, each receipt's text here is the very text the
Python path hashes (equal texts, or SHA-256 would differ), and the verdict is the one the
Python path gives.

Only what the standard library and the database driver hold is imported here: a process of
its own checking ranges (``chain_ranges``) starts with nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from rumah_perisai.domain.receipts import CHAIN_FORMAT, GENESIS_HASH

# The pieces below are format 2's (``chain_text``): another format keeps the Python path until
# they are written for it.
SQL_FORMAT = 2
# The JSON functions are built in from 3.38; kept at the 3.44 this path first asked for (tested
# on 3.51, the sqlcipher3 driver's). An older SQLite (the standard library's sqlite3 on some
# systems) keeps the Python path.
MIN_SQLITE = (3, 44, 0)

Key = tuple[int, int]  # (year, seq): a member's place in the chain

# What repeats from receipt to receipt, in ``CONTENT_FIELDS`` order without the number, the
# participant, the moment and the day, then the month lines. Two JSON texts one after the
# other (no value's JSON subtype has to survive the subquery); each field's type kept as stored.
# A BLOB must never reach the JSON functions: one that is valid JSONB would be read as the
# JSON it holds (the walk reads bytes), any other stops the statement. So each receipt's and
# each month line's values are first tested together with scalar max(), which returns a BLOB
# when any is one (BLOBs sort after every other type) and NULL when any is NULL (hence the
# ifnull() around the columns that may be NULL): the test passes only on a TEXT (kind and
# month are texts), and a failed one turns the JSON into NULL (no text: the walk decides).
# The months come in the order of the (receipt_id, month) index; ``Pieces`` checks that order
# rather than trusting it.
_HEAD_VALUES = (
    "r.kind, v.number, r.issued_by_id, r.month_count, r.first_month, r.last_month, r.jkk,"
    " r.jkm, r.jht, r.total, r.cash_received, r.reason, r.cash_volunteer_id, r.refund"
)
_HEAD_NO_BLOB = (
    "typeof(max(r.kind, r.month_count, r.jkk, r.jkm, r.jht, r.total, r.refund,"
    " ifnull(v.number, ''), ifnull(r.issued_by_id, 0), ifnull(r.first_month, ''),"
    " ifnull(r.last_month, ''), ifnull(r.cash_received, 0), ifnull(r.reason, ''),"
    " ifnull(r.cash_volunteer_id, 0))) = 'text'"
)
_LINE_VALUES = "m.month, m.jkk, m.jkm, m.jht, m.total, m.rates_version, m.post_id"
_SHARED = f"""CASE WHEN {_HEAD_NO_BLOB} THEN json_array({_HEAD_VALUES}) END
|| CASE WHEN r.kind = 'payment' THEN (SELECT json_group_array(CASE
  WHEN typeof(max({_LINE_VALUES})) = 'text' THEN json_array({_LINE_VALUES}) END)
  FROM receipt_months m WHERE m.receipt_id = r.id) ELSE '[]' END"""
_RECEIPTS = f"""
SELECT r.year, r.seq, r.prev_hash, r.hash,
  CASE WHEN r.number IS printf('%s-%d-%06d', ?2, r.year, r.seq) THEN r.number END,
  r.participant_id, r.issued_at, r.issued_on, {_SHARED}
FROM receipts r
LEFT JOIN receipts v ON v.id = r.voids_receipt_id
WHERE r.post_id = ?1 {{range}} ORDER BY r.year, r.seq
"""


def receipts_sql(low: Key | None, high: Key | None) -> tuple[str, tuple[int, ...]]:
    """The receipts query of the range [low, high) (None: open) and its extra parameters."""
    where: list[str] = []
    params: list[int] = []
    if low is not None:
        where.append(f"AND (r.year, r.seq) >= (?{len(params) + 3}, ?{len(params) + 4})")
        params += low
    if high is not None:
        where.append(f"AND (r.year, r.seq) < (?{len(params) + 3}, ?{len(params) + 4})")
        params += high
    return _RECEIPTS.format(range=" ".join(where)), tuple(params)


class GiveUp(Exception):
    """Something this path does not format as the walk does: the walk decides."""


def _text(value: Any) -> str:
    """``domain.receipts._text`` for what the walk can format: none or a text."""
    if value is None:
        return "~"
    if type(value) is not str:
        raise GiveUp
    return f"{len(value)}:{value}"


def _int(value: Any) -> int:
    if type(value) is not int:
        raise GiveUp
    return value


def volunteer_keys(raw: Any) -> dict[Any, str]:
    """Every volunteer's natural key by id, as the walk names them
    (``receipt_chain._volunteers``)."""
    keys: dict[Any, str] = {}
    try:
        for vid, post_code, number in raw.execute("SELECT id, post_code, number FROM volunteers"):
            keys[vid] = f"{post_code}-V{number:03d}"
    except (TypeError, ValueError) as error:  # the walk stops on it: this path gives up
        raise GiveUp from error
    return keys


# The post's participants as the walk reads them; at 200,000 the rows looked up through the
# post's index cost 0.4 s a process. A post's file holds only its own participants: then the
# registration numbers' own index (id and number, no row read) gives the same dict in 0.12 s.
_REGISTRATIONS = "SELECT id, registration_no FROM participants WHERE post_id = ?"
_ALL_REGISTRATIONS = "SELECT id, registration_no FROM participants ORDER BY registration_no"


def _only_this_post(raw: Any, post_id: int) -> bool:
    """Whether every participant in the file is of this post: the lowest and the highest post
    id in index order (NULL first) both this post's."""
    for order in ("ASC", "DESC"):
        row = raw.execute(f"SELECT post_id FROM participants ORDER BY post_id {order} LIMIT 1")
        found = row.fetchone()
        if found is not None and (type(found[0]) is not int or found[0] != post_id):
            return False
    return True


class Registrations(dict[Any, str | None]):
    """The post's participants' registration numbers by id, as the walk looks them up (its
    dict of the post's participants), each already as its text in the chain: ``~`` for an id
    not of the post, ``None`` for one the walk cannot format. All read at once for a long
    range; one by one for a few receipts (``--quick``), where reading 200,000 would cost more
    than the check. A dict: the lookup a million times is the dict's own."""

    def __init__(self, raw: Any, post_id: int, few: bool) -> None:
        super().__init__()
        self.raw, self.post_id, self.few = raw, post_id, few
        if not few:
            if _only_this_post(raw, post_id):
                rows = raw.execute(_ALL_REGISTRATIONS)
            else:
                rows = raw.execute(_REGISTRATIONS, (post_id,))
            self.update((pid, self._format(number)) for pid, number in rows)

    @staticmethod
    def _format(number: Any) -> str | None:
        try:
            return _text(number)
        except GiveUp:
            return None

    def __missing__(self, participant_id: Any) -> str | None:
        if not self.few:
            return "~"  # not one of the post's participants: the walk's get() gives none
        if type(participant_id) is not int:  # SQL would convert what a dict lookup does not
            return None
        row = self.raw.execute(
            "SELECT registration_no FROM participants WHERE id = ? AND post_id = ?",
            (participant_id, self.post_id),
        ).fetchone()
        found = "~" if row is None else self._format(row[0])
        self[participant_id] = found
        return found


class Pieces(dict[Any, tuple[str, str, str]]):
    """The text around a receipt's own values for each distinct shared JSON (``_SHARED``),
    made once: ``|kind|``, ``|voided number|`` and the rest from the issuing volunteer to the
    last month line. ``GiveUp`` for one the walk does not format alike."""

    LIMIT = 100_000  # distinct texts kept; a chain of all different ones only costs the parsing

    def __init__(self, post_id: int, volunteers: dict[Any, str]) -> None:
        super().__init__()
        self.post_id = post_id
        self.volunteers = volunteers
        self._decode = json.JSONDecoder().raw_decode

    def __missing__(self, shared: Any) -> tuple[str, str, str]:
        made = self._make(shared)
        if len(self) >= self.LIMIT:
            self.clear()
        self[shared] = made
        return made

    def _make(self, shared: Any) -> tuple[str, str, str]:
        if type(shared) is not str:
            raise GiveUp
        try:
            head, end = self._decode(shared)
            lines, end = self._decode(shared, end)
        except ValueError as error:
            raise GiveUp from error
        if end != len(shared) or type(head) is not list or len(head) != 14:
            raise GiveUp
        (kind, voids, issued_by, month_count, first_month, last_month, jkk, jkm, jht, total,
         cash, reason, holder, refund) = head  # fmt: skip
        if refund not in (0, 1) or type(refund) is not int:
            raise GiveUp
        cash_text = "~" if cash is None else _int(cash)
        rest = (
            f"|{_text(self.volunteers.get(issued_by))}|{_int(month_count)}|{_text(first_month)}"
            f"|{_text(last_month)}|{_int(jkk)}|{_int(jkm)}|{_int(jht)}|{_int(total)}"
            f"|{cash_text}|{_text(reason)}|{_text(self.volunteers.get(holder))}"
            f"|{'T' if refund else 'F'}{self._lines(lines)}"
        )
        return f"|{_text(kind)}|", f"|{_text(voids)}|", rest

    def _lines(self, lines: Any) -> str:
        """The month lines as ``chain_text`` writes them, each month of this post, the months
        strictly rising (the walk's ``ORDER BY month``: texts compare alike in both)."""
        if type(lines) is not list:
            raise GiveUp
        out: list[str] = []
        before = ""
        for line in lines:
            if type(line) is not list or len(line) != 7:
                raise GiveUp
            month, jkk, jkm, jht, total, rates, post_id = line
            if type(month) is not str or type(rates) is not str or not month > before:
                raise GiveUp
            if type(post_id) is not int or post_id != self.post_id:
                raise GiveUp
            out.append(
                f"|{month}|{_int(jkk)}|{_int(jkm)}|{_int(jht)}|{_int(total)}|{len(rates)}:{rates}"
            )
            before = month
        return "".join(out)


@dataclass(frozen=True)
class Gap:
    """An explained gap as a range walks it: its hash already checked by the caller."""

    year: int
    seq: int
    number: str
    prev_hash: str
    hash: str
    reason: str


@dataclass(frozen=True)
class Span:
    """What a range found, all of it whole: its first and last members, for the seams."""

    receipts: int
    gaps: tuple[Gap, ...]
    first: tuple[int, int, str] | None  # year, seq, prev hash
    last: tuple[int, int, str] | None  # year, seq, hash


class RangeCheck:
    """Ranges of one post's chain checked in one process, one after another (the chunks of
    ``chain_ranges``, or ``--quick``'s one): the volunteers' keys, the post's participants and
    the pieces read and made once for all of them. ``few``: short ranges (``--quick``), whose
    participants are looked up one by one."""

    def __init__(self, raw: Any, post_id: int, post_code: str, few: bool = False) -> None:
        self.raw, self.post_id, self.post_code, self.few = raw, post_id, post_code, few
        self._ready: tuple[Pieces, Registrations] | None = None
        self._failed = False

    def prepare(self) -> bool:
        """The lookups read (before the first range, or ahead of it); False when they cannot
        be read as the walk reads them (the walk decides)."""
        if self._ready is None and not self._failed:
            try:
                pieces = Pieces(self.post_id, volunteer_keys(self.raw))
                self._ready = pieces, Registrations(self.raw, self.post_id, self.few)
            except Exception as error:
                self._failed = True
                _raise_unless_the_drivers(error)
        return self._ready is not None

    def range(self, low: Key | None, high: Key | None, gaps: list[Gap]) -> Span | None:
        """Walk the receipts (and the given explained gaps) of [low, high) in number order;
        None at the first thing that is not plainly whole (the caller then asks the Python
        walk)."""
        if not self.prepare():
            return None
        assert self._ready is not None
        pieces, registrations = self._ready
        sql, bounds = receipts_sql(low, high)
        cursor = self.raw.cursor()
        cursor.arraysize = 2_000
        try:
            walk = _Walk(pieces, gaps)
            cursor.execute(sql, (self.post_id, self.post_code, *bounds))
            while rows := cursor.fetchmany():
                if not walk.receipts(rows, registrations):
                    return None
            return walk.end()
        except Exception as error:
            _raise_unless_the_drivers(error)
            return None
        finally:
            cursor.close()


def _raise_unless_the_drivers(error: Exception) -> None:
    """``GiveUp``, or the driver's own errors (a BLOB in a JSON value, a text that is not
    UTF-8): the walk meets the same rows and decides. Anything else is a fault here: raised."""
    if isinstance(error, GiveUp):
        return
    if type(error).__module__.split(".")[0] in ("sqlite3", "sqlcipher3"):
        return
    raise error


def check_range(
    raw: Any,
    post_id: int,
    post_code: str,
    low: Key | None,
    high: Key | None,
    gaps: list[Gap],
    few: bool = False,
) -> Span | None:
    """One range checked on its own (``RangeCheck``)."""
    return RangeCheck(raw, post_id, post_code, few).range(low, high, gaps)


class _Walk:
    """The walk over one range: each receipt's text put together as ``chain_text`` writes it
    and hashed, its number and link checked, the explained gaps in their places. One loop,
    no generators between the rows and the hash: it runs a million times."""

    def __init__(self, pieces: Pieces, gaps: list[Gap]) -> None:
        self.pieces = pieces
        self.pending = list(gaps)
        self.walked: list[Gap] = []
        self.first: tuple[int, int, str] | None = None
        self.year, self.seq, self.last_hash = 0, 0, ""
        self.count = 0

    def receipts(self, rows: list[tuple[Any, ...]], registrations: Registrations) -> bool:
        """These rows all whole and in order after what came before; False at the first not.
        ``GiveUp`` at a value of a type the walk does not format alike."""
        pieces = self.pieces
        year, seq, last_hash = self.year, self.seq, self.last_hash
        count = 0
        for r_year, r_seq, prev_hash, stored, number, participant_id, at, on, repeated in rows:
            # The number is the one the walk expects here (``receipt_number``: SQLite's printf
            # writes integers as Python's format does) or none.
            if type(r_year) is not int or type(r_seq) is not int or number is None:
                return False
            if type(prev_hash) is not str or type(at) is not str or type(on) is not str:
                return False
            if self.pending and (self.pending[0].year, self.pending[0].seq) < (r_year, r_seq):
                self.year, self.seq, self.last_hash = year, seq, last_hash
                if not self._gaps_before((r_year, r_seq)):
                    return False
                year, seq, last_hash = self.year, self.seq, self.last_hash
            kind, voids, rest = pieces[repeated]
            participant = registrations[participant_id]
            if participant is None:
                return False
            text = (
                f"RPC{SQL_FORMAT}|{prev_hash}|{len(number)}:{number}{kind}{participant}"
                f"{voids}{len(at)}:{at}|{len(on)}:{on}{rest}"
            )
            if "\x00" in text:
                return False
            if self.first is None:
                self.first = (r_year, r_seq, prev_hash)
            elif r_seq != (seq + 1 if r_year == year else 1) or prev_hash != last_hash:
                return False
            if sha256(text.encode("utf-8")).hexdigest() != stored:
                return False
            year, seq, last_hash = r_year, r_seq, stored
            count += 1
        self.year, self.seq, self.last_hash = year, seq, last_hash
        self.count += count
        return True

    def _gaps_before(self, key: Key | None) -> bool:
        while self.pending and (key is None or (self.pending[0].year, self.pending[0].seq) < key):
            gap = self.pending.pop(0)
            if self.first is None:
                self.first = (gap.year, gap.seq, gap.prev_hash)
            elif not _follows(
                gap.year, gap.seq, gap.prev_hash, self.year, self.seq, self.last_hash
            ):
                return False
            self.year, self.seq, self.last_hash = gap.year, gap.seq, gap.hash
            self.walked.append(gap)
        return True

    def end(self) -> Span | None:
        """The range's span once its rows are walked (the gaps after the last receipt too)."""
        if not self._gaps_before(None):
            return None
        if self.first is None:
            return Span(0, (), None, None)
        return Span(
            self.count, tuple(self.walked), self.first, (self.year, self.seq, self.last_hash)
        )


def _follows(year: int, seq: int, prev_hash: str, at_year: int, at_seq: int, at: str) -> bool:
    """The walk's rule: the next number of the same year, or the first of another, linked to
    the member before it (``receipt_chain._walk``)."""
    expected = at_seq + 1 if year == at_year else 1
    return seq == expected and prev_hash == at


# --- whether this path may run ------------------------------------------------------------------


def available(raw: Any) -> bool:
    """Whether SQLite can build the texts here exactly as the Python path formats them."""
    if CHAIN_FORMAT != SQL_FORMAT:
        return False
    version = str(raw.execute("SELECT sqlite_version()").fetchone()[0])
    if tuple(int(part) for part in version.split(".")[:3]) < MIN_SQLITE:
        return False
    # length() counts characters as Python's len() does only on UTF-8 text.
    if str(raw.execute("PRAGMA encoding").fetchone()[0]).upper() != "UTF-8":
        return False
    # Two months of one receipt with the same month would come in an order neither side fixes.
    if not _unique(raw, "receipt_months", ("receipt_id", "month")):
        return False
    # The Python path compares month rows' receipt ids with receipt ids as it goes, and stops
    # with an error on one that is not a number (NULL sorts first, text and blobs last).
    for order in ("ASC", "DESC"):
        row = raw.execute(
            f"SELECT typeof(receipt_id) FROM receipt_months ORDER BY receipt_id {order} LIMIT 1"
        ).fetchone()
        if row is not None and row[0] not in ("integer", "real"):
            return False
    return True


def _unique(raw: Any, table: str, columns: tuple[str, ...]) -> bool:
    for _seq, name, unique, _origin, partial in raw.execute(f"PRAGMA index_list({table})"):
        if unique and not partial:
            named = tuple(row[2] for row in raw.execute(f'PRAGMA index_info("{name}")'))
            if named == columns:
                return True
    return False


def gaps_in(gaps: Sequence[Gap], low: Key | None, high: Key | None) -> list[Gap]:
    return [
        g
        for g in gaps
        if (low is None or (g.year, g.seq) >= low) and (high is None or (g.year, g.seq) < high)
    ]


def join(spans: Sequence[Span]) -> tuple[int, list[Gap], tuple[int, int, str] | None] | None:
    """The ranges' seams checked as the walk checks any two members in a row: receipts
    counted, explained gaps in order, the newest member (year, seq, hash); None at a seam
    that does not follow."""
    year: int | None = None
    seq, prev_hash = 0, GENESIS_HASH
    count, last = 0, None
    gaps: list[Gap] = []
    for span in spans:
        if span.first is None or span.last is None:
            continue
        first_year, first_seq, first_prev = span.first
        if first_seq != (seq + 1 if first_year == year else 1) or first_prev != prev_hash:
            return None
        year, seq, prev_hash = span.last
        count += span.receipts
        gaps += span.gaps
        last = span.last
    return count, gaps, last
