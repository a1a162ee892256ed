"""The chain check's ranges shared out between processes (issue 21, third round).

Each receipt's hash depends only on stored values, so the chain can be checked in pieces side
by side, their seams checked in the end (``chain_sql.join``). Two fixed halves, one a process,
left a core idle whenever one half cost more than the other or its process started later (a
process of its own first starts Python, opens the file and reads the post's participants):
here the chain is cut into **chunks, large first and small last**, and each process takes the
next one when it is free, so both finish within a small chunk of each other, whatever each
costs and whenever each starts.

The other processes are started as ``python -m`` this module (not through ``multiprocessing``:
spawn would import the program's main script again in each, the command line's or the Windows
launcher's, which runs the command at import); they import only the standard library, the
database driver and ``chain_sql``. Each is started first, before the program reads anything
for the check, and gets the file, its key (the raw key the program opens it with: never a
file, never the command line) and the post through its stdin; it opens the file and reads the
post's participants and volunteers in one read transaction while the program gets the chunks
ready. Then it takes one chunk at a time, a line of JSON each way, and keeps two in hand so it
never waits for the program between chunks.

Nothing is checked less: every receipt is in exactly one chunk (the chunks tile the order of
``(year, seq)`` from an open start to an open end, whatever the numbers stored), each chunk is
checked by ``chain_sql.check_range`` exactly as a range was, and any chunk not plainly whole,
or a process that fails, leaves the verdict to the Python walk.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from rumah_perisai.services.chain_sql import Gap, Key, RangeCheck, Span, gaps_in

# Under this many receipts one process checks them all: starting another costs more than it saves.
SPLIT_FROM = 50_000
MAX_PROCESSES = 4
# The smallest chunk handed out (a chunk is about 0.1 s of a process's time at this size; each
# costs a statement and a line each way).
MIN_CHUNK = 10_000
# Chunks each process has in hand: the one it checks and the next, so it never waits for the
# program (whose thread that hands them out needs the interpreter the range here is using).
IN_HAND = 2

Part = tuple[Key | None, Key | None]  # [low, high) in number order; None: open


@dataclass(frozen=True)
class Source:
    """How a process of its own opens the same database file."""

    path: str
    key: str | None  # SQLCipher's ``PRAGMA key`` value (``x'…'``); None for a plain file


# --- the chunks ---------------------------------------------------------------------------------


def _years(raw: Any, post_id: int) -> list[tuple[int, int]]:
    """Each year of the post's chain with its highest number, from the ``(post, year, seq)``
    index (a seek each). Stops at a year or number that is not an integer: the open end after
    the last chunk holds whatever sorts after, and the check gives up there."""
    years: list[tuple[int, int]] = []
    year: Any = None
    while len(years) < 1_000:
        sql = "SELECT min(year) FROM receipts WHERE post_id = ?"
        params: tuple[Any, ...] = (post_id,)
        if year is not None:
            sql += " AND year > ?"
            params += (year,)
        year = raw.execute(sql, params).fetchone()[0]
        if type(year) is not int:
            break
        top = raw.execute(
            "SELECT max(seq) FROM receipts WHERE post_id = ? AND year = ?", (post_id, year)
        ).fetchone()[0]
        if type(top) is not int or top < 1:
            break
        years.append((year, top))
    return years


def chunks(raw: Any, post_id: int, receipts: int, processes: int) -> list[Part]:
    """[low, high) chunks in number order, the first and the last open, so that together they
    hold every receipt once. Numbers are gapless per year, so a year's numbers 1..highest are
    cut by count: each chunk a share of what is left (large first, ``MIN_CHUNK`` at least),
    so the processes finish close together."""
    if receipts < SPLIT_FROM or processes < 2:
        return [(None, None)]
    bounds: list[Key] = []
    share = 2 * processes
    for year, top in _years(raw, post_id):
        seq = 1
        while top - seq + 1 > MIN_CHUNK:
            seq += max(MIN_CHUNK, (top - seq + 1) // share)
            if seq <= top:
                bounds.append((year, seq))
        bounds.append((year, top + 1))
    lows: list[Key | None] = [None, *bounds]
    highs: list[Key | None] = [*bounds, None]
    return list(zip(lows, highs, strict=True))


class _Queue:
    """The chunks still to check, taken in order by whichever process is free; stopped at the
    first not plainly whole (what is left no longer matters)."""

    def __init__(self, parts: Sequence[Part]) -> None:
        self.parts = list(enumerate(parts))
        self.next = 0
        self.stopped = False
        self.lock = threading.Lock()

    def take(self) -> tuple[int, Part] | None:
        with self.lock:
            if self.stopped or self.next >= len(self.parts):
                return None
            self.next += 1
            return self.parts[self.next - 1]

    def stop(self) -> None:
        with self.lock:
            self.stopped = True


# --- the processes ------------------------------------------------------------------------------


class Helper:
    """A process of its own checking chunks; started before the chunks are known."""

    def __init__(self, source: Source, post_id: int, post_code: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console window
        )
        hello = {"path": source.path, "key": source.key, "post_id": post_id, "post_code": post_code}
        self._send(hello)

    def _send(self, message: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
        self.process.stdin.flush()

    def serve(self, queue: _Queue, gaps: Sequence[Gap], found: list[Span | None]) -> None:
        """Hand this process chunks until none is left, each answer in ``found`` at its
        chunk's place; a chunk not plainly whole, or a process that fails or answers nonsense,
        stops the check (None where no answer came)."""
        held: deque[tuple[int, Part]] = deque()
        whole = True
        try:
            # All the explained gaps first (few: numbers lost after a restore), read while
            # nothing is asked of it; then each chunk and each answer is a short line, at most
            # IN_HAND of them on the way: neither side can wait on a full pipe.
            self._send({"gaps": [_gap(g) for g in gaps]})
            while len(held) < IN_HAND and self._give(queue, held):
                pass
            assert self.process.stdout is not None
            while held and whole:
                index, (low, high) = held.popleft()
                line = self.process.stdout.readline()
                found[index] = span = _span(line, gaps_in(gaps, low, high))
                whole = span is not None
                if whole:
                    self._give(queue, held)
        except Exception:  # any fault of the process or of its answer
            whole = False
        for index, _part in held:  # never answered: not vouched for
            found[index] = None
        if not whole or held:
            queue.stop()

    def _give(self, queue: _Queue, held: deque[tuple[int, Part]]) -> bool:
        taken = queue.take()
        if taken is None:
            return False
        held.append(taken)
        low, high = taken[1]
        self._send({"low": low, "high": high})
        return True

    def close(self, stop: bool) -> None:
        """Let the process end (its stdin closed: it has answered every chunk it had), or end
        it at once (``stop``: what it finds no longer matters)."""
        if stop:
            self.process.kill()
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


_UNSET: Any = object()  # a chunk not answered yet


def _gap(gap: Gap) -> list[Any]:
    return list(vars(gap).values())


def _span(line: bytes, gaps: list[Gap]) -> Span | None:
    """A helper's answer for a chunk; its explained gaps are the chunk's (a whole chunk walks
    every one of them in its place: ``chain_sql._Walk.end``), counted in the answer."""
    found = json.loads(line) if line else None
    if found is None or int(found["gaps"]) != len(gaps):
        return None
    first, last = found["first"], found["last"]
    return Span(
        int(found["receipts"]),
        tuple(gaps),
        (int(first[0]), int(first[1]), str(first[2])) if first else None,
        (int(last[0]), int(last[1]), str(last[2])) if last else None,
    )


def start_helpers(
    source: Source | None, post_id: int, post_code: str, processes: int
) -> list[Helper]:
    """The other processes, started at once so that their start costs nothing of the check's
    time; none when there is no file to share or no interpreter to run (a frozen program)."""
    helpers: list[Helper] = []
    if source is None or not sys.executable:
        return helpers
    for _ in range(max(0, min(processes, MAX_PROCESSES) - 1)):
        try:
            helpers.append(Helper(source, post_id, post_code))
        except OSError:  # could not start: the others (or the program alone) check it all
            break
    return helpers


# SQLite's page cache while chunks are read (KiB). The check reads each page of the receipts
# and their months once, in order: the program's large cache (``db.engine``, 64 MiB, for the
# dashboards' repeated reads) keeps nothing a chunk reads again, and filling it cost 5-7 % more
# CPU than recycling a few pages (docs/benchmarks.md). Every page is still decrypted and its
# HMAC checked as it is read: nothing is checked less.
STREAM_CACHE_KIB = 256


@contextmanager
def small_cache(raw: Any) -> Iterator[None]:
    """The connection's page cache small while chunks stream through it, then as it was."""
    size = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size = -{STREAM_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {int(size)}")


def check_shared(
    raw: Any,
    helpers: Sequence[Helper],
    post_id: int,
    post_code: str,
    parts: Sequence[Part],
    gaps: Sequence[Gap],
) -> list[Span] | None:
    """Every chunk checked whole, here and by the helpers, each taking the next chunk when
    free; the spans in chunk order, or None when any chunk is not plainly whole or a helper
    failed. The helpers are closed in the end."""
    queue = _Queue(parts)
    found: list[Span | None] = [_UNSET] * len(parts)
    threads = [
        threading.Thread(target=helper.serve, args=(queue, gaps, found), daemon=True)
        for helper in helpers
    ]
    stop = True
    try:
        for thread in threads:
            thread.start()
        with small_cache(raw):
            check = RangeCheck(raw, post_id, post_code)
            while (taken := queue.take()) is not None:
                index, (low, high) = taken
                found[index] = check.range(low, high, gaps_in(gaps, low, high))
                if found[index] is None:
                    queue.stop()
                    for helper in helpers:  # what they find no longer matters
                        helper.process.kill()
        for thread in threads:
            thread.join()
        stop = False
    finally:
        for helper in helpers:
            helper.close(stop)
    if any(span is None or span is _UNSET for span in found):
        return None
    return [span for span in found if span is not None]


# --- a helper process ---------------------------------------------------------------------------


def _connect(source: Source) -> Any:
    if source.key is None:
        import sqlite3

        raw: Any = sqlite3.connect(source.path, timeout=10, isolation_level=None)
    else:
        import sqlcipher3

        raw = sqlcipher3.connect(source.path, timeout=10, isolation_level=None)
        raw.execute(f'PRAGMA key = "{source.key}"')
    raw.execute("PRAGMA query_only = 1")
    raw.execute(f"PRAGMA cache_size = -{STREAM_CACHE_KIB}")
    return raw


def _key(value: Any) -> Key | None:
    return None if value is None else (int(value[0]), int(value[1]))


def _answer(out: IO[bytes], span: Span | None) -> None:
    found = None
    if span is not None:
        found = {
            "receipts": span.receipts,
            "gaps": len(span.gaps),
            "first": span.first,
            "last": span.last,
        }
    out.write(json.dumps(found).encode("utf-8") + b"\n")
    out.flush()


def _work() -> int:
    """A helper: the file and post from the first line of stdin, the explained gaps from the
    second, then a chunk a line, each answered with what it found (or null) on a line of
    stdout, until stdin ends."""
    tasks, out = sys.stdin.buffer, sys.stdout.buffer
    hello = json.loads(tasks.readline())
    raw = _connect(Source(hello["path"], hello["key"]))
    try:
        raw.execute("BEGIN")  # one snapshot for all its chunks
        check = RangeCheck(raw, int(hello["post_id"]), str(hello["post_code"]))
        check.prepare()  # while the program gets the chunks ready
        gaps = [Gap(*g) for g in json.loads(tasks.readline())["gaps"]]
        for line in tasks:
            task = json.loads(line)
            low, high = _key(task["low"]), _key(task["high"])
            _answer(out, check.range(low, high, gaps_in(gaps, low, high)))
    finally:
        raw.close()
    return 0


if __name__ == "__main__":
    sys.exit(_work())
