"""The receipt chain check's common case, done by SQLite (issue 21).

At a million receipts the check spent its time turning rows into Python values (about 50 a
receipt: its fields and its months), not hashing (``docs/benchmarks.md``). Here SQLite builds
each receipt's canonical text (``domain.receipts.chain_text``, format 2) as one value, so Python
fetches six values a receipt, hashes and checks links; ranges of the chain are checked side by
side in separate processes (each hash depends only on stored values), their seams in the end.

This path can only say "whole"; it never names a problem. Every field is guarded in SQL (its
type what ``chain_text`` formats identically, the voided receipt and the volunteers as the
Python path finds them, every month of the receipt of this post): a guard that fails makes the
text NULL, and a NULL text, a text that does not hash to the stored hash, a NUL in a text, a
broken link or number anywhere makes this path give up, and the Python walk
(``receipt_chain._walk``) checks the whole chain again and gives the verdict. So when this path
says whole, each receipt's text here is the very text the Python path hashes (equal texts, or
SHA-256 would differ), and the verdict is the one the Python path gives.

Only what the standard library and the database driver hold is imported here: a worker process
starts with nothing else (``python -m rumah_perisai.services.chain_sql``, its task on stdin).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from rumah_perisai.domain.receipts import CHAIN_FORMAT, GENESIS_HASH

# The texts below are format 2's (``chain_text``): another format keeps the Python path until
# they are written for it.
SQL_FORMAT = 2
# ORDER BY inside group_concat(): SQLite 3.44. An older SQLite (the standard library's sqlite3
# on some systems) keeps the Python path.
MIN_SQLITE = (3, 44, 0)

Key = tuple[int, int]  # (year, seq): a member's place in the chain


def _text(column: str) -> str:
    """``domain.receipts._text`` in SQL: ``~`` for none, else its length, a colon, the text."""
    return f"CASE WHEN {column} IS NULL THEN '~' ELSE length({column}) || ':' || {column} END"


def _text_ok(column: str) -> str:
    return f"typeof({column}) IN ('text', 'null')"


def _label(alias: str) -> str:
    """A volunteer's natural key, ``<post_code>-V<number:03d>`` (``receipt_chain._keys``)."""
    key = f"{alias}.post_code || '-V' || printf('%03d', {alias}.number)"
    return f"CASE WHEN {alias}.id IS NULL THEN '~' ELSE length({key}) || ':' || {key} END"


def _label_ok(alias: str) -> str:
    return (
        f"({alias}.id IS NULL OR (typeof({alias}.post_code) = 'text'"
        f" AND typeof({alias}.number) = 'integer'))"
    )


_LINE = (
    "'|' || m.month || '|' || m.jkk || '|' || m.jkm || '|' || m.jht || '|' || m.total"
    " || '|' || length(m.rates_version) || ':' || m.rates_version"
)
# Every month row of the receipt, of this post, each field of the type the line formats as the
# Python path does; one that fails makes the receipt's text NULL (group_concat would skip it).
_LINE_OK = (
    "(typeof(m.month) = 'text' AND typeof(m.jkk) = 'integer' AND typeof(m.jkm) = 'integer'"
    " AND typeof(m.jht) = 'integer' AND typeof(m.total) = 'integer'"
    " AND typeof(m.rates_version) = 'text' AND m.post_id IS ?1)"
)
_LINES = (
    f"(SELECT CASE WHEN count(*) = 0 THEN '' WHEN min({_LINE_OK})"
    f" THEN group_concat({_LINE}, '' ORDER BY m.month) END"
    " FROM receipt_months m WHERE m.receipt_id = r.id)"
)
_HEAD = " || '|' || ".join(
    [
        f"'RPC{SQL_FORMAT}'", "r.prev_hash", _text("r.number"), _text("r.kind"),
        _text("p.registration_no"), _text("v.number"), _text("r.issued_at"),
        _text("r.issued_on"), _label("ib"),
        "r.month_count", _text("r.first_month"), _text("r.last_month"), "r.jkk", "r.jkm",
        "r.jht", "r.total", "ifnull(r.cash_received, '~')", _text("r.reason"), _label("cv"),
        "CASE r.refund WHEN 1 THEN 'T' WHEN 0 THEN 'F' END",
    ]
)  # fmt: skip
_INTEGER = ("r.year", "r.seq", "r.month_count", "r.jkk", "r.jkm", "r.jht", "r.total", "r.refund")
_OK = " AND ".join(
    [
        "typeof(r.prev_hash) = 'text'",
        "typeof(r.number) = 'text'",
        "typeof(r.hash) = 'text'",
        *(f"typeof({column}) = 'integer'" for column in _INTEGER),
        "r.refund IN (0, 1)",
        # The number the walk expects at this place (``receipt_number``), checked here.
        "r.number IS ?2 || '-' || r.year || '-' || printf('%06d', r.seq)",
        *(
            _text_ok(column)
            for column in (
                "r.kind",
                "r.issued_at",
                "r.issued_on",
                "r.first_month",
                "r.last_month",
                "r.reason",
                "p.registration_no",
                "v.number",
            )
        ),  # fmt: skip
        *(
            f"typeof({column}) IN ('integer', 'null')"
            for column in (
                "r.participant_id",
                "r.voids_receipt_id",
                "r.issued_by_id",
                "r.cash_volunteer_id",
                "r.cash_received",
            )
        ),  # fmt: skip
        _label_ok("ib"),
        _label_ok("cv"),
    ]
)
_RECEIPTS = f"""
SELECT r.year, r.seq, r.prev_hash, r.hash,
  CASE WHEN {_OK} THEN {_HEAD} || CASE WHEN r.kind = 'payment' THEN {_LINES} ELSE '' END END
FROM receipts r
LEFT JOIN participants p ON p.id = r.participant_id AND p.post_id = ?1
LEFT JOIN receipts v ON v.id = r.voids_receipt_id
LEFT JOIN volunteers ib ON ib.id = r.issued_by_id
LEFT JOIN volunteers cv ON cv.id = r.cash_volunteer_id
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


def check_range(
    raw: Any, post_id: int, post_code: str, low: Key | None, high: Key | None, gaps: list[Gap]
) -> Span | None:
    """Walk the receipts (and the given explained gaps) of [low, high) in number order; None at
    the first thing that is not plainly whole (the caller then asks the Python walk)."""
    sql, bounds = receipts_sql(low, high)
    cursor = raw.cursor()
    cursor.arraysize = 2_000
    try:
        cursor.execute(sql, (post_id, post_code, *bounds))
        return _walk_rows(_rows(cursor), gaps)
    finally:
        cursor.close()


def _rows(cursor: Any) -> Iterable[tuple[Any, ...]]:
    while rows := cursor.fetchmany():
        yield from rows


def _walk_rows(rows: Iterable[tuple[Any, ...]], gaps: list[Gap]) -> Span | None:
    pending = list(gaps)
    walked: list[Gap] = []
    first: tuple[int, int, str] | None = None
    year, seq, last_hash = 0, 0, ""
    count = 0
    for r_year, r_seq, prev_hash, stored, text in rows:
        while pending and (pending[0].year, pending[0].seq) < (r_year, r_seq):
            gap = pending.pop(0)
            if first is None:
                first = (gap.year, gap.seq, gap.prev_hash)
            elif not _follows(gap.year, gap.seq, gap.prev_hash, year, seq, last_hash):
                return None
            year, seq, last_hash = gap.year, gap.seq, gap.hash
            walked.append(gap)
        if text is None or "\x00" in text:
            return None
        if first is None:
            first = (r_year, r_seq, prev_hash)
        elif not _follows(r_year, r_seq, prev_hash, year, seq, last_hash):
            return None
        if sha256(text.encode("utf-8")).hexdigest() != stored:
            return None
        year, seq, last_hash = r_year, r_seq, stored
        count += 1
    for gap in pending:
        if first is None:
            first = (gap.year, gap.seq, gap.prev_hash)
        elif not _follows(gap.year, gap.seq, gap.prev_hash, year, seq, last_hash):
            return None
        year, seq, last_hash = gap.year, gap.seq, gap.hash
        walked.append(gap)
    if first is None:
        return Span(0, (), None, None)
    return Span(count, tuple(walked), first, (year, seq, last_hash))


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


# --- ranges side by side ------------------------------------------------------------------------

# Under this many receipts one process checks them all: starting another costs more than it saves.
SPLIT_FROM = 50_000
MAX_PROCESSES = 4


@dataclass(frozen=True)
class Source:
    """How a worker process opens the same database file itself."""

    path: str
    key: str | None  # SQLCipher's ``PRAGMA key`` value (``x'…'``); None for a plain file


Part = tuple[Key | None, Key | None]  # [low, high) in number order; None: open


def ranges(raw: Any, post_id: int, receipts: int, processes: int) -> list[Part]:
    """[low, high) ranges of about equal size in number order, the first and last open."""
    parts = max(1, min(processes, MAX_PROCESSES)) if receipts >= SPLIT_FROM else 1
    bounds: list[Key] = []
    for part in range(1, parts):
        row = raw.execute(
            "SELECT year, seq FROM receipts WHERE post_id = ? ORDER BY year, seq LIMIT 1 OFFSET ?",
            (post_id, receipts * part // parts),
        ).fetchone()
        if row is None or type(row[0]) is not int or type(row[1]) is not int:
            return [(None, None)]
        if not bounds or (row[0], row[1]) > bounds[-1]:
            bounds.append((row[0], row[1]))
    lows: list[Key | None] = [None, *bounds]
    highs: list[Key | None] = [*bounds, None]
    return list(zip(lows, highs, strict=True))


def gaps_in(gaps: Sequence[Gap], low: Key | None, high: Key | None) -> list[Gap]:
    return [
        g
        for g in gaps
        if (low is None or (g.year, g.seq) >= low) and (high is None or (g.year, g.seq) < high)
    ]


def check_side_by_side(
    raw: Any,
    source: Source | None,
    post_id: int,
    post_code: str,
    parts: list[Part],
    gaps: Sequence[Gap],
) -> list[Span] | None:
    """Each range checked whole, the first here and the others each in a process of its own;
    None when any is not plainly whole or a process failed."""
    if len(parts) > 1 and (source is None or not sys.executable):
        parts = [(None, None)]
    workers: list[subprocess.Popen[bytes]] = []
    try:
        for low, high in parts[1:]:
            assert source is not None
            workers.append(_start(source, post_id, post_code, low, high, gaps_in(gaps, low, high)))
        low, high = parts[0]
        here = check_range(raw, post_id, post_code, low, high, gaps_in(gaps, low, high))
        # Not whole here: the Python walk decides; what the others find no longer matters.
        spans = [here, *(_result(worker) for worker in workers)] if here is not None else [None]
    except OSError:  # a process that could not start or be spoken to: the walk decides
        return None
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    if any(span is None for span in spans):
        return None
    return [span for span in spans if span is not None]


def _start(
    source: Source, post_id: int, post_code: str, low: Key | None, high: Key | None,
    gaps: list[Gap],
) -> subprocess.Popen[bytes]:  # fmt: skip
    """A process checking one range. Started as ``python -m`` this module, not through
    ``multiprocessing``: spawn would import the program's main script again in each child
    (the command line's, or the Windows launcher's, which runs the command at import); this
    starts only this module. The task, with the database key, goes through the pipe."""
    task = {
        "path": source.path, "key": source.key, "post_id": post_id, "post_code": post_code,
        "low": low, "high": high, "gaps": [list(vars(g).values()) for g in gaps],
    }  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console window
    )
    assert worker.stdin is not None
    worker.stdin.write(json.dumps(task).encode("utf-8"))
    worker.stdin.close()
    return worker


def _result(worker: subprocess.Popen[bytes]) -> Span | None:
    assert worker.stdout is not None
    out = worker.stdout.read()
    if worker.wait() != 0:
        return None
    try:
        found = json.loads(out)
    except ValueError:
        return None
    if found is None:
        return None
    first, last = found["first"], found["last"]
    return Span(
        int(found["receipts"]),
        tuple(Gap(*g) for g in found["gaps"]),
        (int(first[0]), int(first[1]), str(first[2])) if first else None,
        (int(last[0]), int(last[1]), str(last[2])) if last else None,
    )


def _connect(source: Source) -> Any:
    if source.key is None:
        import sqlite3

        raw: Any = sqlite3.connect(source.path, timeout=10, isolation_level=None)
    else:
        import sqlcipher3

        raw = sqlcipher3.connect(source.path, timeout=10, isolation_level=None)
        raw.execute(f'PRAGMA key = "{source.key}"')
    raw.execute("PRAGMA query_only = 1")
    raw.execute("PRAGMA cache_size = -65536")  # as the program's connections (db.engine)
    return raw


def _key(value: Any) -> Key | None:
    return None if value is None else (int(value[0]), int(value[1]))


def _work() -> int:
    """A worker: one range, its task read from stdin, what it found (or null) to stdout."""
    task = json.loads(sys.stdin.buffer.read())
    raw = _connect(Source(task["path"], task["key"]))
    try:
        raw.execute("BEGIN")
        span = check_range(
            raw,
            task["post_id"],
            task["post_code"],
            _key(task["low"]),
            _key(task["high"]),
            [Gap(*g) for g in task["gaps"]],
        )
    finally:
        raw.close()
    found = None
    if span is not None:
        found = {
            "receipts": span.receipts,
            "gaps": [list(vars(g).values()) for g in span.gaps],
            "first": span.first,
            "last": span.last,
        }
    sys.stdout.write(json.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(_work())


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
