"""The branch writing its signed acknowledgements (ACKs): what one says about a post's batch
(its parts, every rejection, KPJ numbers, the other posts' keys, duplicate-warning prefixes,
missing batches, pending conflicts) and the file written beside the batch and kept at the branch.
The post reading an ACK is ``services.acks``; the format is ``exchange.ack``."""

from __future__ import annotations

import collections
import json
import os
import secrets
from bisect import bisect_left, insort
from datetime import UTC
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, case, func, literal, select, text
from sqlalchemy.orm import Session

from rumah_perisai.branch.checks import missing_of
from rumah_perisai.branch.conflicts import pending_for
from rumah_perisai.branch.requests import erased_of, requests_done
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import (
    BatchImport,
    BpjsMember,
    BranchRejection,
    Counter,
    NikPrefix,
    Participant,
    Post,
)
from rumah_perisai.db.uow import CHANGE_COUNTER, Database
from rumah_perisai.domain.personal_data import is_erased_nik
from rumah_perisai.exchange.ack import Ack, Rejection, ack_bytes, ack_file_name, duplicate_prefix
from rumah_perisai.exchange.canonical import Fixed
from rumah_perisai.exchange.safe_write import same_bytes, write_failed
from rumah_perisai.files import write_new
from rumah_perisai.keys.files import BranchKeys, PostPublicKey


def duplicate_salt(keys: BranchKeys) -> str:
    return f"rumah-perisai-dup-1|{keys.public.code}"


def build_ack(
    db: Database,
    keys: BranchKeys,
    post_id: int,
    seq: int,
    run_prefixes: RunPrefixes | None = None,
) -> Ack:
    """The acknowledgement of batch ``seq`` of a post; the same content whenever it is made.
    ``run_prefixes``: the prefixes an import run has read so far (``RunPrefixes``)."""
    with db.reading() as session:
        post = session.get(Post, post_id)
        assert post is not None
        # The post's batch records, read once: this one, the change of the newest imported
        # before it, and the numbers still missing (``checks.missing_of``).
        batches = session.execute(
            select(BatchImport.seq, BatchImport.state, BatchImport.change_no,
                   BatchImport.file_hash, BatchImport.imported_at, BatchImport.received_at,
                   # only this batch's manifest: a post sends one a week for years
                   case((BatchImport.seq == seq, BatchImport.manifest_json)).label("manifest_json"))
            .where(BatchImport.post_id == post_id)
        ).all()  # fmt: skip
        row = next(r for r in batches if r.seq == seq)
        earlier = max(
            (r.change_no for r in batches if r.seq < seq and r.state == "imported"
             and r.change_no is not None),
            default=None,
        )  # fmt: skip
        manifest = json.loads(row.manifest_json)
        rejections = [
            Rejection(r.entity, r.entity_key, r.reason_code, r.reason, r.batch_seq)
            for r in session.scalars(
                select(BranchRejection)
                .where(BranchRejection.post_id == post_id)
                .order_by(BranchRejection.id)
            )
        ]
        rejected_in = {r.key for r in rejections if r.batch_seq == seq}
        parts = {
            part["name"]: {
                "records": int(part["records"]),
                "rejected": sum(
                    1 for r in rejections if r.entity == part["name"] and r.key in rejected_in
                ),  # fmt: skip
            }
            for part in manifest["parts"]
        }
        kpj: dict[str, str | None] = {
            regno: number
            for regno, number in session.execute(
                select(Participant.registration_no, Participant.kpj)
                .where(Participant.post_id == post_id, Participant.kpj.is_not(None))
                .order_by(Participant.registration_no)
            )
        }
        posts = _other_posts(session, post_id)
        salt = duplicate_salt(keys)
        upto = row.change_no or 0
        # A post's first ACK lists every prefix of the branch, a later one those since its
        # batch before: from the run's rows when it has them (``RunPrefixes``), else asked of
        # the database.
        prefixes = None
        if run_prefixes is not None:
            prefixes = (run_prefixes.since(session, post_id, earlier, upto) if earlier
                        else run_prefixes.listed(session, post_id, upto))  # fmt: skip
        if prefixes is None:
            prefixes = _new_prefixes(session, post_id, earlier or 0, upto)
        missing = missing_of([r.seq for r in batches])
        pending = pending_for(session, post_id)
        done = requests_done(session, post_id)
        erased = erased_of(session, post.code)
        known = _bpjs_known(session, post_id, row.change_no or 0)
        as_of = session.scalar(
            select(Counter.value).where(Counter.scope == CHANGE_COUNTER[0],
                                        Counter.name == CHANGE_COUNTER[1])
        )  # fmt: skip
    imported_at = row.imported_at or row.received_at
    return Ack(
        branch_code=keys.public.code,
        branch_fingerprint=keys.public.fingerprint,
        post_code=post.code,
        seq=seq,
        batch_file_hash=row.file_hash,
        imported_at=imported_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        parts=parts,
        rejections=rejections,
        kpj={k: v for k, v in kpj.items() if v},
        posts=posts,
        duplicate_salt=salt,
        duplicate_prefixes=prefixes,
        demo=keys.public.demo,
        missing=missing,
        pending=pending,
        as_of=int(as_of or 0),
        requests_done=done,
        erased=erased,
        bpjs_known=known,
    )


def _other_posts(session: Session, post_id: int) -> list[dict[str, Any]]:
    """The branch's other posts' keys, read as plain rows: every ACK lists every post, so at
    400 posts whole ORM objects were 160,000 a week."""
    rows = session.execute(
        select(Post.code, Post.name, Post.kabupaten_code, Post.timezone, Post.is_demo,
               Post.signing_public_key, Post.suspended_at)
        .where(Post.is_local.is_(False), Post.id != post_id)
        .order_by(Post.code)
    )  # fmt: skip
    return [
        _post_entry(code, name, kabupaten, timezone, demo, bytes(key), suspended is not None)
        for code, name, kabupaten, timezone, demo, key, suspended in rows
    ]  # fmt: skip


@lru_cache(maxsize=4096)
def _post_entry(
    code: str, name: str, kabupaten: str, timezone: str, demo: bool, key: bytes, suspended: bool
) -> dict[str, Any]:
    """One post's entry in the ACKs, made once for the same values: a week's 400 ACKs listed
    160,000 entries, each hashing its key for the fingerprint (~4 ms an ACK). The entry is
    only read (serialised), never changed: its texts are kept too (``Fixed``)."""
    return Fixed(PostPublicKey(
        code=code, name=name, kabupaten_code=kabupaten, timezone=timezone, demo=demo,
        signing_key=key,
    ).content() | {"suspended": suspended})  # fmt: skip


def with_prefixes(document: dict[str, Any], salt: str) -> dict[str, Any]:
    """The participants part with each NIK's duplicate-warning prefix added, so the branch
    stores it as the row goes in (an UPDATE afterwards would rewrite every index entry)."""
    columns = list(document["columns"])
    nik = columns.index("nik")
    # An erased row's NIK is gone (``X…``): it has no prefix, and no ACK lists one for it.
    rows = [
        [*row, None if _erased(row[nik]) else duplicate_prefix(salt, row[nik])]
        for row in document["rows"]
    ]
    return {**document, "columns": [*columns, "nik_prefix"], "rows": rows}


def _erased(nik: object) -> bool:
    return isinstance(nik, str) and is_erased_nik(nik)


def _new_prefixes(session: Session, post_id: int, after: int, upto: int) -> list[str]:
    """The prefixes other posts' registrations brought in imports (after, upto]
    (``note_prefixes``), and those of the people BPJS's member list brought in then (issue 20:
    registered before any post existed): all of them the first time a post hears from the
    branch. Read from the table of distinct prefixes by the change that brought each, a few rows
    per registration of the week; the participants themselves are never scanned."""
    union = (
        "SELECT prefix FROM nik_prefixes WHERE post_id <> :post"
        " AND change_no > :after AND change_no <= :upto"
        " UNION SELECT nik_prefix FROM bpjs_members"
        " WHERE change_no > :after AND change_no <= :upto AND nik_prefix IS NOT NULL"
    )
    params = {"post": post_id, "after": after, "upto": upto}
    if session.get_bind().dialect.name == "postgresql":
        # One value, not a row per prefix: a week's ACK lists ~20,000, and the rows cost more
        # to hand over than to find. Sorted as bytes: prefixes are lowercase hex, which every
        # collation orders the same (and the database's own, C.UTF-8 here, sorts slower).
        joined = session.execute(
            text(f"SELECT string_agg(p, ',' ORDER BY p COLLATE \"C\") FROM ({union}) u(p)"),
            params,
        ).scalar()
        return joined.split(",") if joined else []
    rows = session.execute(text(f"{union} ORDER BY 1"), params).scalars()
    return list(rows.all())  # fetchall: a first acknowledgement can list a hundred thousand


# The prefixes ``RunPrefixes.since`` keeps at most between two ACKs (~70 MB): past it, the rows
# of changes before the current ACK's range are let go (a run's batches come in order).
HELD_AT_MOST = 1_000_000


class RunPrefixes:
    """The duplicate-warning prefixes an import run has read — other posts' (``nik_prefixes``)
    and BPJS's list's — kept through the run, so an ACK takes its list from here instead of the
    database unioning and sorting them again for every ACK.

    * A post's first ACK (``listed``) lists every prefix the branch holds: 100 new posts' first
      ACKs read ~6 million rows for ~120,000 prefixes. Only the rows of the changes since the
      last ACK are read (a few thousand).
    * A later ACK (``since``) lists what came in the changes since the post's batch before: a
      week's ~20,000, from the rows of those changes read once for the run.

    Both tables only ever gain rows, each under the change number of the operation that added
    it, and an ACK is made after its import committed: what this holds as of ``upto`` is what
    ``_new_prefixes(post, after, upto)`` finds, the post's own prefixes that no one else
    brought left out."""

    def __init__(self) -> None:
        self.upto = 0  # every row of a change up to this one is counted
        self.holders: dict[str, int] = {}  # prefix -> rows bringing it (a post's, BPJS's list)
        self.ordered: list[str] = []  # the prefixes held, sorted as the query sorts them
        self.own: dict[int, list[str]] = {}  # a post's own prefixes
        # For the ACKs of posts' later batches (``since``): the rows of changes (low, high],
        # by change: who brought them (None: BPJS's list) and the prefixes.
        self.window: tuple[int, int] | None = None
        self.by_change: dict[int, list[tuple[int | None, list[str]]]] = {}
        self.held = 0  # prefixes in ``by_change``
        # The changes the last ``since`` listed (``counted``): how many of their rows bring each
        # prefix (``counts``), and those prefixes sorted (``keys``). A run's ACKs come in
        # order, so the next ACK's changes are these but a few: the few are counted in or out.
        self.counted: set[int] = set()
        self.counts: dict[str, int] = {}
        self.keys: list[str] = []

    def since(self, session: Session, post_id: int, after: int, upto: int) -> list[str]:
        """What ``_new_prefixes(post_id, after, upto)`` finds — the prefixes other posts and
        BPJS's list brought in changes (after, upto], sorted, each once — from the rows this
        run has read: a week's ACK lists ~20,000, and the database's union and sort of them
        was ~24 ms of its processor a batch, the largest single statement of a week. The run's
        batches come in order, so after the first ACK only the rows of the changes since the
        previous one are read (a batch's few dozen)."""
        if self.window is None:
            self._read_changes(session, after, upto)
            self.window = (after, upto)
        low, high = self.window
        if after < low:
            self._read_changes(session, after, low)
        if upto > high:
            self._read_changes(session, high, upto)
        self.window = (min(after, low), max(upto, high))
        wanted = {change for change in self.by_change if after < change <= upto}
        self._count(wanted)
        own: collections.Counter[str] = collections.Counter()  # the post's own rows among them
        for change in wanted:
            for holder, prefixes in self.by_change[change]:
                if holder == post_id:
                    own.update(prefixes)
        if self.held > HELD_AT_MOST:  # a long run: what lies before this ACK's range goes
            for change in [c for c in self.by_change if c <= after]:
                self.held -= sum(len(p) for _h, p in self.by_change.pop(change))
            self.window = (after, self.window[1])
        # Each prefix once, sorted by code point (the bytes' order, as the query's COLLATE
        # "C"), but those only the post's own rows bring: found by bisection and the list
        # copied around them in slices.
        keys = self.keys
        return _without(keys, [bisect_left(keys, p) for p, n in own.items() if self.counts[p] == n])

    def _count(self, wanted: set[int]) -> None:
        """``counts`` and ``keys`` made those of the rows of the changes ``wanted``: the few
        changes in or out since the last ``since`` counted one by one (a prefix put in or taken
        out of the sorted list by bisection), or all counted again when more changed than
        stayed (the run's first ACK)."""
        enter, leave = wanted - self.counted, self.counted - wanted
        if len(enter) + len(leave) > len(wanted) // 2:
            counts: collections.Counter[str] = collections.Counter()
            for change in wanted:
                for _holder, prefixes in self.by_change[change]:
                    counts.update(prefixes)
            self.counts, self.keys = dict(counts), sorted(counts)
        else:
            counts_, keys = self.counts, self.keys
            for change in leave:
                for _holder, prefixes in self.by_change[change]:
                    for prefix in prefixes:
                        if counts_[prefix] > 1:
                            counts_[prefix] -= 1
                        else:
                            del counts_[prefix]
                            del keys[bisect_left(keys, prefix)]
            for change in enter:
                for _holder, prefixes in self.by_change[change]:
                    for prefix in prefixes:
                        if prefix in counts_:
                            counts_[prefix] += 1
                        else:
                            counts_[prefix] = 1
                            insort(keys, prefix)
        self.counted = wanted

    def _read_changes(self, session: Session, after: int, upto: int) -> None:
        """The rows of changes (after, upto] into ``by_change``, one text per post and change."""
        for change, post_id, joined in self._rows(session, after, upto):
            prefixes = joined.split(",")
            self.by_change.setdefault(change, []).append((post_id, prefixes))
            self.held += len(prefixes)

    def listed(self, session: Session, post_id: int, upto: int) -> list[str] | None:
        """The prefixes of a post's first ACK (its batch imported as ``upto``); None when
        ``upto`` lies before what this already holds (an earlier batch's ACK written again):
        then the database is asked."""
        if upto < self.upto:
            return None
        if upto > self.upto:
            self._read(session, upto)
        ordered = self.ordered
        # The post's own prefixes no one else brought are left out: found by bisection and
        # the list copied around them in slices (a comparison per prefix cost ~9 ms an ACK).
        own = self.own.get(post_id, ())
        return _without(ordered, [bisect_left(ordered, p) for p in own if self.holders[p] == 1])

    def _read(self, session: Session, upto: int) -> None:
        """The rows of changes (self.upto, upto], one text per post (BPJS's list: no post)."""
        fresh = []
        for _change, post_id, joined in self._rows(session, self.upto, upto):
            prefixes = joined.split(",")
            if post_id is not None:
                self.own.setdefault(post_id, []).extend(prefixes)
            for prefix in prefixes:
                count = self.holders.get(prefix, 0)
                if not count:
                    fresh.append(prefix)
                self.holders[prefix] = count + 1
        self.ordered.extend(fresh)
        self.ordered.sort()  # sorted run + a short one: merged, not sorted again from scratch
        self.upto = upto

    @staticmethod
    def _rows(session: Session, after: int, upto: int) -> list[tuple[int, int | None, str]]:
        """The prefixes of changes (after, upto], one text per change and post (BPJS's list:
        no post): a change is one operation, so a few rows per import."""
        rows = session.execute(
            select(NikPrefix.change_no, NikPrefix.post_id,
                   func.aggregate_strings(NikPrefix.prefix, ","))
            .where(NikPrefix.change_no > after, NikPrefix.change_no <= upto)
            .group_by(NikPrefix.change_no, NikPrefix.post_id)
            .union_all(
                select(BpjsMember.change_no, literal(None, Integer),
                       func.aggregate_strings(BpjsMember.nik_prefix, ","))
                .where(BpjsMember.change_no > after, BpjsMember.change_no <= upto,
                       BpjsMember.nik_prefix.is_not(None))
                .group_by(BpjsMember.change_no)
            )
        ).all()  # fmt: skip
        return [(change, post, joined) for change, post, joined in rows if joined]


def _without(ordered: list[str], cuts: list[int]) -> list[str]:
    """``ordered`` but the items at the places ``cuts``, copied around them in slices."""
    listed: list[str] = []
    start = 0
    for cut in sorted(cuts):
        listed += ordered[start:cut]
        start = cut + 1
    listed += ordered[start:]
    return listed


def note_prefixes_sql(post_id: int, change_no: int) -> str:
    """The statement keeping the prefixes the post's registrations written by this import hold
    that the post had not brought before, with this import's change number (``NikPrefix``).
    Run last in the import (``upsert.PartImporter.write_checked``): a registration rejected by
    it (a duplicate, a rejection kept) brings none."""
    return (
        "INSERT INTO nik_prefixes (post_id, prefix, change_no)"
        " SELECT DISTINCT post_id, nik_prefix, change_no FROM participants"
        f" WHERE post_id = {int(post_id)} AND change_no = {int(change_no)}"
        " AND standing <> 'rejected' AND nik_prefix IS NOT NULL"
        " ON CONFLICT (post_id, prefix) DO NOTHING"
    )


def _bpjs_known(session: Session, post_id: int, change_no: int) -> list[str]:
    """The post's registrations new in the batch imported as ``change_no`` whose NIK is on
    BPJS's list and which hold its KPJ (``members.attach_listed_kpj``): the ACK's
    ``bpjs_known``."""
    if not change_no:
        return []
    rows = session.execute(
        text(
            "SELECT p.registration_no FROM participants p JOIN bpjs_members m"
            " ON m.nik = p.nik AND m.kpj = p.kpj WHERE p.post_id = :post"
            # A row's change number never falls below its first: said, the rows written from
            # that import on are found by their index, not among all of the post's.
            " AND p.first_change = :change AND p.change_no >= :change"
            " AND p.standing <> 'rejected' ORDER BY 1"
        ),
        {"post": post_id, "change": change_no},
    ).scalars()
    return list(rows.all())


def write_ack(
    db: Database,
    folder: DataFolder,
    keys: BranchKeys,
    post_id: int,
    seq: int,
    directory: Path,
    batch_name: str,
    run_prefixes: RunPrefixes | None = None,
) -> Path:
    ack = build_ack(db, keys, post_id, seq, run_prefixes)
    return write_built_ack(folder, keys, ack, directory, batch_name)


def write_built_ack(
    folder: DataFolder, keys: BranchKeys, ack: Ack, directory: Path, batch_name: str
) -> Path:
    """An ACK made by ``build_ack`` signed and written (``write_ack``): no database is read,
    so an import can do it on a thread while the next batch's statements run."""
    data = ack_bytes(ack, keys.signing)
    name = ack_file_name(batch_name)
    copy_dir = folder.root / "acks"
    copy_dir.mkdir(parents=True, exist_ok=True)
    replace_file(copy_dir / name, data, computer=True)  # the branch keeps the newest of each
    # An earlier ACK of the same batch (e.g. before KPJ numbers came) is replaced: the newer one
    # wins; the post takes in whichever it gets, each is whole and signed.
    existing = directory / name
    if not same_bytes(existing, data):
        replace_file(existing, data)
    return existing


def replace_file(path: Path, data: bytes, *, computer: bool = False) -> None:
    """Put ``data`` under ``path`` in place of what is there: synced before the rename, so a
    stick pulled out leaves the old file or the new one, never half of either. The temporary
    name is this writer's own: two imports of one file at once never write into each other."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
    try:
        try:
            write_new(temporary, data)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as error:
        raise write_failed(path.parent, error, computer=computer) from error


__all__ = [
    "RunPrefixes",
    "build_ack",
    "duplicate_salt",
    "note_prefixes_sql",
    "replace_file",
    "with_prefixes",
    "write_ack",
    "write_built_ack",
]
