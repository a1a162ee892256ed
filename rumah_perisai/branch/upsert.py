"""Importing one part of a batch into the branch's tables: the part decrypted and parsed one at a
time (``PartReader``), its rows staged in a temporary table and upserted in one statement, each
reference mapped from the post's ids to the branch's with a join (``PartImporter``); the post's
own row (``update_post``; its history: ``audit``). Every name from the file that goes
into SQL is checked against the model first."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Boolean, Connection, Date, Dialect, Table

from rumah_perisai.branch.checks import TimeWindow
from rumah_perisai.branch.refcheck import (
    dangling,
    foreign_keys,
    replica_tables,
    without_triggers,
)
from rumah_perisai.db.encrypted import SQLITE_ERRORS
from rumah_perisai.db.models import Post
from rumah_perisai.db.types import UTCDateTime
from rumah_perisai.db.uow import note_written
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.batchfile import BatchFileError, PartOpener, SealedBatch
from rumah_perisai.keys.files import BranchKeys
from rumah_perisai.services.batches import CARRIED

# What a value from the file that SQLite cannot take raises while it is staged.
_BAD_VALUE_ERRORS: tuple[type[Exception], ...] = (
    *SQLITE_ERRORS,
    OverflowError,
    TypeError,
    ValueError,
)

# The order records are imported in: everything a record refers to comes before it. A void
# refers to the receipt it voids, possibly in the same batch: that link is set in a second pass.
IMPORT_ORDER = (
    "volunteers", "participants", "receipts", "receipt_gaps", "cover_periods", "receipt_months",
    "card_issues", "daily_closes", "daily_close_lines", "deposits", "deposit_closes",
    "data_requests",
)  # fmt: skip
# Parts a batch of an older program does not have: read as empty.
LATER_PARTS = {"receipt_gaps", "data_requests"}
MODELS: dict[str, Any] = dict(CARRIED)
# The tables an import writes set-based, each statement without the foreign keys' triggers
# where the database allows it (``refcheck``): the parts' and the post's new NIK prefixes.
SET_WRITTEN = sorted([*(model.__table__.name for model in MODELS.values()), "nik_prefixes"])
SELF_LINKS = {("receipts", "voids_receipt_id")}
# Unique within a post, and changeable there (a NIK corrected, a login renamed).
SHUFFLED = {"participants": "nik", "volunteers": "login"}
# Natural keys that begin with the post's code: checked, so no post can take another's.
OWN_NUMBERS = {"participants": ("registration_no",), "receipts": ("number",),
               "receipt_months": ("receipt_number",), "receipt_gaps": ("number",)}  # fmt: skip
# Columns the branch fills, not the post: a post's later batch never empties them.
BRANCH_OWNED = {("participants", "kpj")}
# PostgreSQL's kept stages are truncated once in this many imports on a connection
# (``PartImporter._keep_stages``).
STAGE_TRUNCATE_EVERY = 64
_STAGE_USES = "rumah_perisai.stage_uses"
# ... and a stage that took this many rows since it was last truncated, at the next import: a
# first batch stages thousands a part, and every statement of its part reads the rows deleted
# before (at the 40th first batch in a row, ~1,200 pages of the receipts' stage for 700 rows).
STAGE_TRUNCATE_ROWS = 4_000
_STAGED_ROWS = "rumah_perisai.staged_rows"
# From this many rows a part is joined with hash or merge joins only
# (``PartImporter._nested_loops``).
HASH_JOINS_FROM = 1_000
# From this many rows a first batch's part is analysed before it is joined (``_merge``).
ANALYZE_FROM = 20_000


@lru_cache(maxsize=64)
def _stage_ddl(table: Table, columns: tuple[str, ...], dialect: Dialect) -> str:
    """A stage's columns, as the file sends them (moments and JSON as text): made once a
    process (every transaction of a run asks for every part's, ~1 ms a batch)."""

    def wire_type(column: str) -> str:
        kind = table.c[column].type
        if isinstance(kind, UTCDateTime | Date) or column.endswith("_json"):
            return "TEXT"
        if isinstance(kind, Boolean):
            return "INTEGER"
        return str(kind.compile(dialect=dialect))

    # The post's id is the stage's key: joins and the second pass look rows up by it.
    return ", ".join(f"{c} {wire_type(c)}" + (" PRIMARY KEY" if c == "id" else "") for c in columns)


@dataclass
class StagedPart:
    """A part read, checked and put in COPY's text format ahead of its import, in a second
    process (``branch.ahead``): the same work ``upsert`` does with a parsed part, its outcome
    kept. ``refused``: what ``check_part`` or ``check_own_keys`` refused, raised when the part's
    turn comes, as the in-process path would. ``erased``: the participants' rows arriving
    erased (``requests.erased_sources``)."""

    columns: list[str]
    count: int
    copy: bytes
    refused: UserError | None = None
    erased: list[Any] = field(default_factory=list)


def check_part(part: str, columns: list[Any], rows: Any, name: str) -> None:
    """Names from the file go into SQL: only the model's own columns, each once; every row a
    list of as many values."""
    allowed = set(stage_columns(part))
    if (
        not all(isinstance(c, str) and c in allowed for c in columns)
        or len(set(columns)) != len(columns)
        or "id" not in columns
        or "change_no" not in columns
        or any(not isinstance(row, list) or len(row) != len(columns) for row in rows)
    ):
        raise BatchFileError("batch_manifest_bad", name=name, reason=f"{part} columns")


def check_own_keys(
    part: str, code: str, columns: list[str], rows: list[list[Any]], name: str
) -> None:
    """A post's records carry its own code and numbers: a file signed with one post's key
    (even a stolen one) cannot take another post's registration or receipt numbers."""
    checks: list[tuple[str, str | None]] = [(c, code) for c in ("post_code",) if c in columns]
    checks += [(c, None) for c in OWN_NUMBERS.get(part, ()) if c in columns]
    for column, equal in checks:
        index = columns.index(column)
        for row in rows:
            value = row[index]
            good = (
                value == equal
                if equal is not None
                else (isinstance(value, str) and value.startswith(f"{code}-"))
            )
            if not good:
                raise UserError("batch_foreign_key_value", name=name, part=part,
                                column=column, post=code)  # fmt: skip


def stage_columns(part: str) -> list[str]:
    """The columns a file may send for a part: the model's own, but the branch's notes."""
    table: Table = MODELS[part].__table__
    branch = {"source_id", "source_change", "first_change"}
    return [c.name for c in table.columns if c.name not in branch]


class PartReader:
    """Decrypts, inflates (no further than the manifest allows) and parses one part at a time,
    so a batch never needs all its parts in memory at once."""

    def __init__(self, sealed: SealedBatch, keys: BranchKeys, name: str) -> None:
        self.opener = PartOpener(sealed, keys.public, keys.encryption, name)
        self.name = name

    def read(self, part: str) -> dict[str, Any]:
        document = self.optional(part)
        if document is None:
            raise BatchFileError("batch_manifest_bad", name=self.name, reason=f"no part {part}")
        return document

    def optional(self, part: str) -> dict[str, Any] | None:
        if not self.opener.has(part):
            return None
        try:
            document = json.loads(self.opener.plain(part))
        except (ValueError, RecursionError) as error:  # not JSON, or a 5,000-digit number
            raise BatchFileError("batch_manifest_bad", name=self.name, reason=part) from error
        if (
            not isinstance(document, dict)
            or not isinstance(document.get("columns"), list)
            or not isinstance(document.get("rows"), list)
            or len(document["rows"]) != self.opener.records(part)
        ):
            raise BatchFileError("batch_manifest_bad", name=self.name, reason=part)
        return document


# --- the upsert of one part ---------------------------------------------------------------------


class PartImporter:
    """Stages a part's rows in a temporary table and upserts them in one statement, mapping each
    reference from the post's ids to the branch's with a join."""

    def __init__(
        self,
        connection: Connection,
        post_id: int,
        change_no: int,
        name: str,
        *,
        lenient: bool,
        post_code: str,
        window: TimeWindow,
        fresh: bool = False,
    ) -> None:
        self.post_code = post_code
        # fresh: no record of this post is here yet (its first batch): every row is new, so a
        # plain INSERT, no ON CONFLICT, and nothing to make room for. Were one there after all,
        # the table's unique key on (post, id at the post) refuses the batch: nothing is lost.
        self.fresh = fresh
        self._nestloop: str | None = None  # the transaction's setting, read once
        self._stages_kept = False  # PostgreSQL: the stages asked for in this transaction
        self._keyed = False  # the part's statements read the post's records by key only
        self._replica: frozenset[str] | None = None  # tables written without triggers
        self.window = window
        # lenient: imported past a gap (an override), so an optional reference (who registered,
        # who issued) to a record of a missing batch is left empty instead of refusing the batch.
        self.lenient = lenient
        self.connection = connection
        self.post_id = post_id
        self.change_no = change_no
        self.name = name
        self.postgres = connection.dialect.name == "postgresql"

    def upsert(self, part: str, document: dict[str, Any] | StagedPart) -> int:
        table: Table = MODELS[part].__table__
        if isinstance(document, StagedPart):  # read and checked ahead (``branch.ahead``)
            if document.refused is not None:
                raise document.refused
            columns, rows, count = document.columns, document.copy, document.count
        else:
            columns = list(document["columns"])
            check_part(part, columns, document["rows"], self.name)
            rows, count = document["rows"], len(document["rows"])
            if rows:
                check_own_keys(part, self.post_code, columns, rows, self.name)
        if not count:
            return 0
        stage = f"stage_{part}"
        self._stage(stage, table, columns, rows)
        if self.postgres:
            staged = self.connection.connection.info.setdefault(_STAGED_ROWS, {})
            staged[part] = staged.get(part, 0) + count  # ``_keep_stages`` truncates it
        self._merge(part, stage, table, columns, count)
        if not self.postgres:  # PostgreSQL's stages are kept, emptied (``_keep_stages``)
            self.connection.exec_driver_sql(f"DROP TABLE {stage}")
        return count

    def _merge(self, part: str, stage: str, table: Table, columns: list[str], count: int) -> None:
        """The staged rows into the table: times and references checked, then upserted. On
        PostgreSQL the checks go in one round trip and the writes in another (each a few
        statements sent at once): a batch of a dozen parts no longer waits on a hundred."""
        joins, exprs, links, self_links = [], [], [], []
        big = self.postgres and count >= HASH_JOINS_FROM
        self._keyed = self.postgres and not big  # ``_only_staged``
        for column in columns:
            if column == "id":
                continue
            source = f"s.{column}"
            target = table.c[column]
            refs = [fk.column.table.name for fk in target.foreign_keys]
            if column == "post_id":
                exprs.append((column, str(self.post_id)))
            elif column == "change_no":
                exprs.append((column, str(self.change_no)))
                exprs.append(("source_change", source))
            elif refs and (part, column) in SELF_LINKS:
                exprs.append((column, "NULL"))
                self_links.append((column, refs[0]))
            elif refs:
                alias = f"j_{column}"
                joins.append(
                    f"LEFT JOIN {refs[0]} {alias} ON {alias}.post_id = {self.post_id}"
                    f" AND {alias}.source_id = {source}"
                    + self._only_staged(stage, f"{alias}.source_id", source)
                )
                if not (self.lenient and target.nullable):
                    links.append((column, refs[0], source))
                exprs.append((column, f"{alias}.id"))
            else:
                exprs.append((column, self._convert(target, source)))
        setting = self._nested_loops() if big else ""
        # Temporary tables are never analysed by autovacuum: without this the planner guesses
        # their size, and a guess of a few rows for 200,000 picks nested loops. A big part's
        # statements join with hash or merge joins only (``_nested_loops``). A week's few
        # hundred rows need no ANALYZE: the planner sizes an unanalysed table by its pages, and
        # their statements look rows up by key. Nor does a post's first batch of a few thousand
        # (``ANALYZE_FROM``): its statements hash the stage whatever its statistics say, and
        # the ANALYZE of four or five stages was ~10 % of the batch's statements.
        analyze = big and (count >= ANALYZE_FROM or not self.fresh)
        before = [f"ANALYZE {stage}"] if analyze else []
        before += ["SET LOCAL enable_nestloop = off"] if big else []
        self._check(stage, table, columns, links, before)
        writes = []
        if part in SHUFFLED and not self.fresh:
            writes.append(self._make_room(stage, table.name, SHUFFLED[part]))
        insert = self._upsert_sql(part, stage, table, joins, exprs)
        # The part's upsert without the foreign keys' triggers, the references of the rows it
        # wrote checked after it set-based (``refcheck``); every other write keeps them.
        fast = self._fast(table)
        writes += without_triggers(insert) if fast else [insert]
        after = [f"SET LOCAL enable_nestloop = {setting}"] if big else []
        if not self_links:
            self._finish(part, table, fast, [*writes, *after, *self._emptied(stage)])
        note_written(self.connection, table.name)  # SQL text: announced once committed
        # A part linking to itself (a void to the receipt it voids): its writes go with the
        # links' check, and the links with the part's last statements — the same statements in
        # the same order, in two round trips instead of four.
        pending = writes if self_links else []
        for column, ref in self_links:
            if not self.lenient:
                self._check_links(stage, column, ref, f"s.{column}", own=True, before=pending)
                pending = []
            # Two lookups by key for each row, no join: a join in this sub-select would run
            # again for every row (as a hash join: the post's rows hashed each time).
            pending.append(
                f"UPDATE {table.name} SET {column} = (SELECT r.id FROM {ref} r"
                f" WHERE r.post_id = {self.post_id} AND r.source_id = (SELECT s.{column}"
                f" FROM {stage} s WHERE s.id = {table.name}.source_id))"
                f" WHERE post_id = {self.post_id} AND change_no = {self.change_no}"
                f" AND source_id {self._among(stage, column)}"
            )
        if self_links:
            self._finish(part, table, fast, [*pending, *after, *self._emptied(stage)])

    def _fast(self, table: Table) -> bool:
        """Whether this part's upsert goes without the foreign keys' triggers: on PostgreSQL,
        where ``refcheck.replica_tables`` allows it (asked once a transaction)."""
        if not self.postgres:
            return False
        if self._replica is None:
            raw = self.connection.connection.driver_connection
            self._replica = replica_tables(raw, SET_WRITTEN)
        return table.name in self._replica

    def write_checked(self, part: str, table: Table, statement: str) -> None:
        """One more statement of the import writing ``table`` set-based (the rows it writes
        carry the import's change number), without the foreign keys' triggers where the parts'
        upserts go without them, its references checked after (``_finish``); a reference
        pointing at nothing is said as one of ``part``'s."""
        fast = self._fast(table)
        self._finish(part, table, fast, without_triggers(statement) if fast else [statement])

    def _finish(self, part: str, table: Table, fast: bool, statements: list[str]) -> None:
        """The part's last ``statements``; after a write without triggers (``fast``), in the
        same round trip, every reference of the rows it wrote looked up (``refcheck``): one
        pointing at nothing refuses the batch as a reference the post never sent does."""
        query = None
        if fast:
            # The rows this import wrote: its change number alone says which (one import, one
            # change), found by its index. With the post's id too, the plan ANDed the post's
            # index — every record of the post read, six times for the receipts: ~4 ms a batch
            # at a branch of 2 million participants.
            written = f"t.change_no = {self.change_no}"
            query = dangling(table, written)
        if query is None:
            self._send(statements)
            return
        found = sorted(row[0] for row in self._rows_after(statements, query))
        if found:
            column = foreign_keys(table)[found[0]].columns[0]
            raise UserError("batch_dangling", name=self.name, part=part, column=column)

    def _among(self, stage: str, column: str) -> str:
        """The condition on ``source_id``: among the staged rows whose ``column`` is set. On
        PostgreSQL looked up by key in the post's index: as ``IN (SELECT …)`` it was planned
        as the post's index ANDed with the change number's — a read of all the post's records
        (5,400 receipts of a post at a branch of 2 M: 1 ms a batch for the few voids)."""
        staged = f"SELECT id FROM {stage} WHERE {column} IS NOT NULL"
        return f"= ANY(ARRAY({staged}))" if self.postgres else f"IN ({staged})"

    def _emptied(self, stage: str) -> list[str]:
        """PostgreSQL: the statement emptying a kept stage once its part is in (sent with the
        part's last statements: no round trip of its own)."""
        return [f"DELETE FROM {stage}"] if self.postgres else []

    def _upsert_sql(
        self, part: str, stage: str, table: Table, joins: list[str], exprs: list[tuple[str, str]]
    ) -> str:
        if part == "participants":  # set once, when the branch first sees the registration
            exprs = [*exprs, ("first_change", str(self.change_no))]
        names = ", ".join(["source_id", *(c for c, _e in exprs)])
        values = ", ".join(["s.id", *(e for _c, e in exprs)])
        # In the post's order: the branch's ids then follow the post's, so the chain check's
        # walk (receipts by number) meets their months in the order it reads them (by receipt
        # id) — out of that order it asked for each receipt's months on its own (185 a week).
        insert = (
            f"INSERT INTO {table.name} ({names}) SELECT {values} FROM {stage} s "
            f"{' '.join(joins)} WHERE true ORDER BY s.id"
        )
        if self.fresh:
            return insert
        updates = ", ".join(
            f"{c} = COALESCE({table.name}.{c}, excluded.{c})"
            if (part, c) in BRANCH_OWNED
            else f"{c} = excluded.{c}"
            for c, _e in exprs
            if c not in ("post_id", "first_change")
        )
        # A batch that arrives late (after the one passed over) holds older versions of what a
        # later batch brought already: those rows keep the newer version.
        return (
            f"{insert} ON CONFLICT (post_id, source_id) DO UPDATE SET {updates}"
            f" WHERE {table.name}.source_change IS NULL"
            f" OR {table.name}.source_change <= excluded.source_change"
        )

    def _send(self, statements: list[str]) -> None:
        """Statements without results, in order: on PostgreSQL in one round trip (sent as one
        text without parameters, which psycopg passes as a simple query)."""
        if not statements:
            return
        if self.postgres:
            self.connection.exec_driver_sql("; ".join(statements))
            return
        for statement in statements:
            self.connection.exec_driver_sql(statement)

    def _nested_loops(self) -> str:
        """The transaction's own ``enable_nestloop``, read once: a big part turns it off and
        sets it back. A nested loop is quadratic when the planner thinks the inner side tiny —
        which is what an ANALYZE running meanwhile makes it think (the rows this import
        inserted are invisible to it: the table looks empty). A small part keeps the planner's
        choice (index lookups; at worst ``rows`` times the post's records)."""
        if self._nestloop is None:
            found = self.connection.exec_driver_sql("SELECT current_setting('enable_nestloop')")
            self._nestloop = "off" if str(found.scalar_one()) == "off" else "on"
        return self._nestloop

    def _make_room(self, stage: str, table: str, column: str) -> str:
        """Values unique within a post that a post may swap between two records in one week
        (NIKs corrected, logins renamed): set aside first, so the upsert's row-by-row unique
        check never sees the old and the new value at once."""
        # EXISTS, not ``source_id IN (…)``: a correlated IN stays a sub-plan that scans the
        # stage for every record (250 × 250 rows a week: 3–5 ms); EXISTS becomes a join on the
        # stage's key.
        return (
            f"UPDATE {table} SET {column} = '#' || CAST(id AS VARCHAR(15))"
            f" WHERE post_id = {self.post_id}{self._only_staged(stage, 'source_id', 's.id')}"
            f" AND EXISTS (SELECT 1 FROM {stage} s"
            f" WHERE s.{column} <> {table}.{column} AND s.id = {table}.source_id"
            f" AND ({table}.source_change IS NULL OR {table}.source_change <= s.change_no))"
        )

    def _stage(
        self, stage: str, table: Table, columns: list[str], rows: list[list[Any]] | bytes
    ) -> None:
        if self.postgres:
            self._keep_stages()
        else:
            ddl = self._stage_ddl(table, columns)
            self.connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {stage} ({ddl})")
        with self._driver_cursor() as cursor:
            try:
                self._copy(cursor, stage, columns, rows)
            except _BAD_VALUE_ERRORS as error:
                # Only the file's values flow here: a list where a value belongs, a number too big.
                kind = type(error).__name__
                raise UserError("batch_data_bad", name=self.name, reason=kind) from error

    def _stage_ddl(self, table: Table, columns: list[str]) -> str:
        return _stage_ddl(table, tuple(columns), self.connection.dialect)

    def _keep_stages(self) -> None:
        """PostgreSQL: a stage for every part, made once per connection and kept, each with
        every column a file may send (the rows' own columns are named in the COPY), emptied
        by ``DELETE`` once its part is in (``_emptied``); a refused batch's rows go with its
        rollback. Asked once a transaction, all in one round trip: ``IF NOT EXISTS``, because
        a stage first made in a transaction rolled back went with it.

        No file is made, emptied or removed at commit: a temporary table created and dropped
        (before) or truncated at commit (``ON COMMIT DELETE ROWS``) cost the server a few
        milliseconds of file work per table at every commit — 12 to 30 ms a batch, more than
        all of its statements' planning. What ``DELETE`` leaves (temporary tables are never
        vacuumed) is given back by one ``TRUNCATE`` of them all every ``STAGE_TRUNCATE_EVERY``
        transactions of the connection, and of a stage as soon as it took
        ``STAGE_TRUNCATE_ROWS`` rows (first batches: thousands a part). A truncation rolled back
        leaves its stage's count at zero: it is truncated again a little later, no harm."""
        if self._stages_kept:
            return
        made = [
            f"CREATE TEMPORARY TABLE IF NOT EXISTS stage_{part}"
            f" ({self._stage_ddl(MODELS[part].__table__, stage_columns(part))})"
            for part in IMPORT_ORDER
        ]
        known = self.connection.connection.info  # lives as long as the driver's connection
        uses = int(known.get(_STAGE_USES, 0)) + 1
        known[_STAGE_USES] = uses
        staged = known.setdefault(_STAGED_ROWS, {})
        full = uses % STAGE_TRUNCATE_EVERY == 0
        emptied = [p for p in IMPORT_ORDER if full or staged.get(p, 0) >= STAGE_TRUNCATE_ROWS]
        if emptied:
            made.append("TRUNCATE " + ", ".join(f"stage_{part}" for part in emptied))
            for part in emptied:
                staged.pop(part, None)
        # Without "relation already exists, skipping" a dozen times a batch.
        quiet = ["SET LOCAL client_min_messages = warning"]
        self._send([*quiet, *made, "SET LOCAL client_min_messages = DEFAULT"])
        self._stages_kept = True

    def _copy(
        self, cursor: Any, stage: str, columns: list[str], rows: list[list[Any]] | bytes
    ) -> None:
        """The rows into the stage: COPY on PostgreSQL. A value the stage cannot take (a list
        or an object where a value belongs, a number too big) is the file's fault. ``bytes``:
        the rows already in COPY's text format, made ahead by the driver's own formatter."""
        if self.postgres:
            with cursor.copy(f"COPY {stage} ({', '.join(columns)}) FROM STDIN") as copy:
                if isinstance(rows, bytes):
                    copy.write(rows)
                    return
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {stage} VALUES ({marks})", rows)

    def _check(
        self,
        stage: str,
        table: Table,
        columns: list[str],
        links: list[tuple[str, str, str]],
        before: list[str],
    ) -> None:
        """The part's times (``_times``), then each reference (``_dangling``), asked in one
        query after ``before``; the first problem in that order is said, as when each was
        asked in turn."""
        checks = []
        times = self._times(stage, table, columns)
        if times is not None:
            checks.append(f"SELECT 0 AS found WHERE EXISTS (SELECT 1 FROM {stage} s WHERE {times})")
        for index, (_column, ref, source) in enumerate(links, start=1):
            dangling = self._dangling(stage, ref, source, own=False)
            checks.append(f"SELECT {index} AS found WHERE EXISTS ({dangling})")
        if not checks:
            self._send(before)
            return
        found = sorted(row[0] for row in self._rows_after(before, " UNION ALL ".join(checks)))
        if not found:
            return
        if found[0] == 0:
            raise UserError("batch_time_outside", name=self.name, part=table.name)
        column = links[found[0] - 1][0]
        raise UserError(
            "batch_dangling", name=self.name, part=stage.removeprefix("stage_"), column=column
        )

    def _rows_after(self, before: list[str], query: str) -> list[Any]:
        """The rows of ``query``, run after the statements ``before``: on PostgreSQL all in one
        round trip (the last result of a simple query holding them all)."""
        if not self.postgres or not before:
            self._send(before)
            return list(self.connection.exec_driver_sql(query))
        with self._driver_cursor() as cursor:
            cursor.execute("; ".join([*before, query]))
            while cursor.nextset():
                pass
            return list(cursor.fetchall())

    def _driver_cursor(self) -> Any:
        return driver_cursor(self.connection, self.name)

    def _times(self, stage: str, table: Table, columns: list[str]) -> str | None:
        """Which staged rows carry a time outside the batch's window: none later than the batch
        was written; for a record new to the branch, none earlier than the post's previous
        batch here (``TimeWindow``). Compared as the text the batch writes, which orders as
        time: a value in another shape falls outside. None: the part has no times."""
        moments = [c for c in columns if isinstance(table.c[c].type, UTCDateTime)]
        if not moments:
            return None
        window = self.window
        latest = _moment_literal(window.wire(window.latest))
        condition = " OR ".join(f"s.{c} > {latest} OR length(s.{c}) <> 27" for c in moments)
        if window.earliest is not None:
            earliest = _moment_literal(window.wire(window.earliest))
            early = " OR ".join(f"s.{c} < {earliest}" for c in moments)
            condition += (
                f" OR (({early}) AND NOT EXISTS (SELECT 1 FROM {table.name} t"
                f" WHERE t.post_id = {self.post_id} AND t.source_id = s.id"
                f"{self._only_staged(stage, 't.source_id', 's.id')}))"
            )
        return condition

    def _convert(self, column: Any, source: str) -> str:
        kind = column.type
        if isinstance(kind, UTCDateTime):
            if self.postgres:
                return f"(CAST({source} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"
            return f"replace(replace({source}, 'T', ' '), 'Z', '')"
        if isinstance(kind, Date):
            return f"CAST({source} AS DATE)" if self.postgres else source
        if isinstance(kind, Boolean):
            return f"({source} <> 0)" if self.postgres else source
        return source

    def _check_links(
        self, stage: str, column: str, ref: str, source: str, own: bool, before: list[str]
    ) -> None:
        """Every reference must point at a record this branch has from the same post (or, for a
        link within the part, ``own``, at a record of the same part); asked after the
        statements ``before`` (``_rows_after``)."""
        if self._rows_after(before, self._dangling(stage, ref, source, own)):
            raise UserError(
                "batch_dangling", name=self.name, part=stage.removeprefix("stage_"), column=column
            )

    def _only_staged(self, stage: str, column: str, source: str) -> str:
        """On PostgreSQL, for a part of a few hundred rows: a condition that reads only the
        post's records the stage names (``column`` among the stage's ``source`` values, looked
        up by key), whatever plan the statement gets. Without it the planner hashed all of the
        post's records — 5,000 participants of a post at a branch of 2 million, read for the
        250 of a week — so a week grew with the branch. A big part (a first batch) reads them
        all anyway: ``""``."""
        if not self._keyed:
            return ""
        return f" AND {column} = ANY(ARRAY(SELECT {source} FROM {stage} s))"

    def _dangling(self, stage: str, ref: str, source: str, own: bool) -> str:
        """The query of the staged references that point at no record this branch has from the
        post (``own``: nor at a row of the stage itself).

        A set difference, not a join: each side is read once, so no plan can turn it into a
        scan of the post's records per staged row (a join with ``LIMIT 1`` became one when an
        ANALYZE meanwhile made the table look empty)."""
        return (
            f"SELECT 1 FROM (SELECT {source} FROM {stage} s WHERE {source} IS NOT NULL"
            f" EXCEPT SELECT source_id FROM {ref} WHERE post_id = {self.post_id}"
            + self._only_staged(stage, "source_id", source)
            + (f" EXCEPT SELECT id FROM {stage}" if own else "")
            + ") dangling LIMIT 1"
        )


@contextmanager
def driver_cursor(connection: Connection, name: str) -> Iterator[Any]:
    """A cursor of the driver itself (COPY, several statements in one round trip), closed
    after; an error of PostgreSQL's driver over the file's values is the file's fault."""
    raw = connection.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        yield cursor
    except Exception as error:  # psycopg's own errors (not installed at a post)
        if type(error).__module__.startswith("psycopg"):
            raise UserError("batch_data_bad", name=name,
                            reason=type(error).__name__) from error  # fmt: skip
        raise
    finally:
        cursor.close()


_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def _moment_literal(wire: str) -> str:
    """A moment as an SQL literal: only the window's own times, written by ``TimeWindow``."""
    assert _MOMENT.fullmatch(wire), wire
    return f"'{wire}'"


def update_post(connection: Connection, post: Post, document: dict[str, Any] | None) -> None:
    """A post's changed name or wadah comes with its batch; its key and code never do."""
    if not document or not document["rows"]:
        return
    last = document["rows"][-1]
    if not isinstance(last, list) or len(last) != len(document["columns"]):
        return  # not the post's own row as the program writes it: ignored, as a foreign code
    row = dict(zip(document["columns"], last, strict=True))
    if row.get("code") != post.code:
        return

    def text_or_none(value: object, limit: int) -> str | None:
        return value[:limit] if isinstance(value, str) and value.strip() else None

    post.name = text_or_none(row.get("name"), 100) or post.name
    post.wadah = text_or_none(row.get("wadah"), 150)
    post.desa_code = text_or_none(row.get("desa_code"), 13)


# --- the acknowledgement ------------------------------------------------------------------------


__all__ = [
    "IMPORT_ORDER",
    "LATER_PARTS",
    "MODELS",
    "SET_WRITTEN",
    "PartImporter",
    "PartReader",
    "StagedPart",
    "check_own_keys",
    "check_part",
    "update_post",
]
