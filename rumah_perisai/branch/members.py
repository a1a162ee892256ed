"""BPJS's own list of people already registered, at the branch (issue 20,
``branch members-import``).

BPJS's systems give the branch a workbook of the people registered with it — before any post
existed, or through other channels — with at least their NIK and KPJ number (optionally name and
birth date). ``members_import`` stores it in ``bpjs_members``, **in one operation**, whole or not
at all:

* a NIK listed already with the same KPJ is unchanged; with another KPJ, or a KPJ listed already
  for another NIK, the row is a conflict: reported, never overwritten;
* a row without a usable NIK or KPJ, a NIK Excel turned into a number (its last digits are lost
  and cannot be recovered), a NIK or KPJ listed twice in the file: a per-row reason;
* the branch's participants with a listed NIK and no KPJ get it, by the very rules of the KPJ
  spreadsheet (``xlsx.give_kpj``), and the next acknowledgement carries it to their post;
* each new NIK's duplicate-warning prefix is kept with it: the next acknowledgement to every post
  lists it (``acks._new_prefixes``), so a post's "possibly registered elsewhere" warning covers
  BPJS's list too;
* one audit entry for the whole import: its counts and the file's SHA-256 prefix (never its name:
  a file name may name a person).

A post's new registration of a listed NIK is not rejected — a lapsed member may rejoin at a post
— it takes the listed KPJ as the batch is imported (``attach_listed_kpj``) and the batch's
acknowledgement says so (``bpjs_known``).

Set-based like ``xlsx.kpj_import``: a list of a hundred thousand people is staged in temporary
tables and decided with a few statements, never a record at a time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Connection, column, insert, literal, select, table
from sqlalchemy.orm import Session

from rumah_perisai.branch.acks import duplicate_salt
from rumah_perisai.branch.xlsx import (
    HEADER_SEARCH_ROWS,
    KPJ_LENGTH,
    NIK_LENGTH,
    KpjConflict,
    KpjImport,
    KpjRow,
    cell_text,
    exact_digits,
    first_sheet_rows,
    give_kpj,
    temporary_table,
)
from rumah_perisai.db.models import AuditEntry, BpjsMember, Participant, Post
from rumah_perisai.db.types import UTCDateTime
from rumah_perisai.db.uow import Database, begin_operation, operation_time
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import duplicate_prefix
from rumah_perisai.i18n import N_, tr
from rumah_perisai.keys.files import BranchKeys
from rumah_perisai.services.volunteers import Actor

log = logging.getLogger(__name__)

NAME_LENGTH = 100  # bpjs_members.name
# An OLE compound file: what Excel writes for a password-protected workbook (and the old .xls).
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system, as it counts
_SCIENTIFIC = re.compile(r"^[0-9](?:[.,][0-9]+)?e\+?[0-9]+$", re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(r"^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})$")

_REASONS = {
    "nik_missing": N_("no NIK"),
    "nik_bad": N_("NIK {value} is not 16 digits"),
    "nik_excel": N_(
        "NIK {value} was turned into a number by Excel and lost its last digits; it cannot be "
        "recovered: format the column as text and copy the NIKs again"
    ),
    "nik_number": N_(
        "NIK {value} is stored as a number ending in 0: Excel keeps only 15 digits of a number, "
        "so its last digit may be lost; format the column as text and copy the NIKs again"
    ),
    "nik_twice": N_("NIK {value} is listed twice in the file (first in row {first}); not used"),
    "kpj_missing": N_("no KPJ number"),
    "kpj_bad": N_("KPJ number {value} is not 11 digits"),
    "kpj_twice": N_(
        "KPJ {value} is listed twice in the file, for another NIK (first in row {first}); not used"
    ),
}


@dataclass(frozen=True)
class RowProblem:
    """A row of the list that could not be used, and why (``code``: see _REASONS)."""

    row: int  # the spreadsheet's own row number
    code: str
    value: str = ""
    first: int = 0  # a value listed twice: the row that had it first

    def message(self) -> str:
        return tr(_REASONS[self.code], value=self.value, first=self.first)


@dataclass(frozen=True)
class MemberConflict:
    """A row not stored because the branch's list says otherwise: the NIK is listed with
    another KPJ (``listed``), or the KPJ is listed for another NIK (``listed`` is None)."""

    row: int
    nik: str
    offered: str
    listed: str | None

    def message(self) -> str:
        if self.listed is None:
            return tr(
                "KPJ {offered} is already listed for another NIK; NIK {nik} was not listed "
                "with it.",
                offered=self.offered,
                nik=self.nik,
            )
        return tr(
            "NIK {nik} is already listed with KPJ {listed}; the file says {offered}. Not "
            "overwritten.",
            nik=self.nik,
            listed=self.listed,
            offered=self.offered,
        )


@dataclass
class MembersImport:
    """What became of BPJS's member list."""

    file_ref: str  # the file's SHA-256, first 16 hex digits: the audit entry says it
    added: int = 0
    unchanged: int = 0
    conflicts: list[MemberConflict] = field(default_factory=list)
    invalid: list[RowProblem] = field(default_factory=list)
    kpj_attached: int = 0  # participants here that got their KPJ from the list
    kpj_conflicts: list[KpjConflict] = field(default_factory=list)  # participants not given it

    @property
    def used(self) -> int:
        """Rows that stand on the list now (added or already there)."""
        return self.added + self.unchanged

    def counts(self) -> dict[str, int]:
        return {
            "added": self.added,
            "unchanged": self.unchanged,
            "conflicts": len(self.conflicts),
            "invalid": len(self.invalid),
            "kpj_attached": self.kpj_attached,
            "kpj_conflicts": len(self.kpj_conflicts),
        }

    def problems(self) -> list[tuple[int, str]]:
        """Every row not stored as it was, with the reason, in the file's order."""
        rows = [(p.row, p.message()) for p in self.invalid]
        rows += [(c.row, c.message()) for c in self.conflicts]
        rows += [(c.row, c.message()) for c in self.kpj_conflicts]
        return sorted(rows, key=lambda pair: pair[0])


@dataclass(frozen=True, slots=True)
class _Member:
    row: int
    nik: str
    kpj: str
    name: str | None
    birth_date: date | None


# --- the import ----------------------------------------------------------------------------------


def members_import(
    db: Database,
    keys_or_salt: BranchKeys | str,
    path: Path,
    actor: Actor,
    *,
    data: bytes | None = None,
) -> MembersImport:
    """Store BPJS's member list (see the module). ``data``: the file's bytes, when the caller
    has read them already. An unusable file changes nothing (``UserError``, one line); a file
    none of whose rows can be used changes nothing either (the rows' reasons are returned)."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise UserError("file_unreadable", path=str(path), reason=error.strerror) from error
    salt = keys_or_salt if isinstance(keys_or_salt, str) else duplicate_salt(keys_or_salt)
    result = MembersImport(file_ref=hashlib.sha256(data).hexdigest()[:16])
    members = _read_members(data, path, result)
    if not members:
        return result  # nothing to store: no operation, no audit entry
    with db.unit_of_work(actor.label) as session:
        change_no = begin_operation(session)  # first: no other writer changes the list meanwhile
        connection = session.connection()
        temporary_table(
            connection, "members_file", "nik VARCHAR(16), kpj VARCHAR(11)",
            [(m.nik, m.kpj) for m in members],
        )  # fmt: skip
        added = _decide(connection, members, result)
        _store(session, connection, added, salt, change_no)
        connection.exec_driver_sql("DROP TABLE members_file")
        _give_participants_kpj(session, change_no, members, result)
        _audit(session, change_no, result)
    log.info("BPJS member list imported: %s", result.counts())  # counts only: no person
    return result


def _decide(connection: Connection, members: list[_Member], result: MembersImport) -> list[_Member]:
    """Each usable row against the list as stored: added (returned), unchanged, or a conflict."""
    listed: dict[str, str] = dict(
        connection.exec_driver_sql(
            "SELECT nik, kpj FROM bpjs_members WHERE nik IN (SELECT nik FROM members_file)"
        ).all()
    )
    holders: dict[str, str] = dict(
        connection.exec_driver_sql(
            "SELECT kpj, nik FROM bpjs_members WHERE kpj IN (SELECT kpj FROM members_file)"
            " ORDER BY id DESC"  # the first listed wins the dict
        ).all()
    )
    added: list[_Member] = []
    for member in members:
        known = listed.get(member.nik)
        if known == member.kpj:
            result.unchanged += 1
        elif known is not None:
            result.conflicts.append(MemberConflict(member.row, member.nik, member.kpj, known))
        elif holders.get(member.kpj, member.nik) != member.nik:
            result.conflicts.append(MemberConflict(member.row, member.nik, member.kpj, None))
        else:
            added.append(member)
    result.added = len(added)
    return added


def _store(
    session: Session, connection: Connection, added: list[_Member], salt: str, change_no: int
) -> None:
    """The new rows, staged then copied in one INSERT: each with its duplicate-warning prefix
    and the operation's change number (the ACKs list the prefixes of numbers after theirs)."""
    if not added:
        return
    temporary_table(
        connection, "members_new",
        "nik VARCHAR(16), kpj VARCHAR(11), name VARCHAR(100), birth_date DATE,"
        " nik_prefix VARCHAR(8)",
        [
            (m.nik, m.kpj, m.name, m.birth_date.isoformat() if m.birth_date else None,
             duplicate_prefix(salt, m.nik))
            for m in added
        ],
    )  # fmt: skip
    staged = table(
        "members_new", column("nik"), column("kpj"), column("name"), column("birth_date"),
        column("nik_prefix"),
    )  # fmt: skip
    connection.execute(
        insert(BpjsMember).from_select(
            ["nik", "kpj", "name", "birth_date", "nik_prefix", "change_no", "listed_at"],
            select(
                staged.c.nik, staged.c.kpj, staged.c.name, staged.c.birth_date,
                staged.c.nik_prefix, literal(change_no, BigInteger),
                literal(operation_time(session), UTCDateTime()),
            ),
        )
    )  # fmt: skip
    connection.exec_driver_sql("DROP TABLE members_new")


def _give_participants_kpj(
    session: Session, change_no: int, members: list[_Member], result: MembersImport
) -> None:
    """The branch's participants with a NIK on the list (as it stands now) and no KPJ take the
    listed one, by the KPJ spreadsheet's rules: never over another number, never one another
    person holds (reported). A NIK no participant has is simply BPJS's, nothing to say."""
    listed = {(c.nik, c.offered) for c in result.conflicts}
    rows = [
        KpjRow(m.row, m.nik, m.kpj, m.nik, m.kpj)
        for m in members
        if (m.nik, m.kpj) not in listed
    ]  # fmt: skip
    given = KpjImport(file=Path("."))
    give_kpj(session, change_no, rows, "KPJ numbers from BPJS's member list", given)
    result.kpj_attached = given.set
    result.kpj_conflicts = given.conflicts


def _audit(session: Session, change_no: int, result: MembersImport) -> None:
    """One entry for the whole list (``bpjs_members`` is not audited row by row)."""
    session.connection().execute(
        insert(AuditEntry),
        [
            {
                "change_no": change_no, "at": operation_time(session),
                "origin": session.info["origin"], "actor": session.info["actor"],
                "action": "create", "entity": "bpjs_members", "entity_id": str(change_no),
                "entity_key": f"sha256:{result.file_ref}",
                "changes_json": json.dumps(
                    {"_reason": "BPJS member list", "file_sha256": result.file_ref}
                    | result.counts(),
                    sort_keys=True,
                ),
            }
        ],
    )  # fmt: skip


# --- a post's new registration of a listed NIK ----------------------------------------------------


def attach_listed_kpj(session: Session, post: Post, change_no: int, listed: bool = True) -> int:
    """A registration new in this batch whose NIK is on BPJS's list is a member of BPJS already
    (a lapsed member rejoining at a post): not rejected, it takes the listed KPJ — unless it has
    one, or another person holds that number — and the ACK's KPJ numbers and ``bpjs_known`` tell
    the post. Beside ``conflicts.rejoin_erased``. Returns how many took one. ``listed``: False
    when none of them is on the list (``branch.due``): nothing is asked."""
    if not listed:
        session.flush()
        return 0
    found = session.execute(
        select(Participant, BpjsMember.kpj, BpjsMember.birth_date)
        .join(BpjsMember, BpjsMember.nik == Participant.nik)
        .where(
            Participant.post_id == post.id,
            Participant.first_change == change_no,
            # Written by this import, so found by the change number's index: not among all of
            # the post's registrations (thousands, for a week's few).
            Participant.change_no == change_no,
            # A member only: a withdrawn registration was a mistake, an ended one is over.
            Participant.standing == "member",
            Participant.kpj.is_(None),
        )
        .order_by(Participant.id)
    ).all()
    attached = 0
    for person, kpj, listed_birth in found:
        if listed_birth is not None and listed_birth != person.birth_date:
            continue  # a NIK typed wrong that is someone else's: never their number
        holder = session.scalars(
            select(Participant.nik).where(Participant.kpj == kpj, Participant.nik != person.nik)
        ).first()
        if holder is not None:
            continue  # the number is another person's here: an officer sorts that out
        person.kpj = kpj
        attached += 1
    session.flush()
    return attached


# --- reading the file ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Read:
    row: int
    nik: Any  # the cells as read
    kpj: Any
    name: Any
    birth_date: Any


@dataclass(frozen=True, slots=True)
class _Columns:
    nik: int
    kpj: int
    name: int | None
    birth_date: int | None


def _read_members(data: bytes, path: Path, result: MembersImport) -> list[_Member]:
    """The usable rows under the header of the first sheet; the others' reasons go into
    ``result``. Read as a stream: a list of a million rows never holds its cells twice."""
    if not data:
        raise UserError("members_file_empty", path=str(path))
    if data.startswith(CFB_MAGIC):
        raise UserError("members_file_protected", path=str(path))
    with first_sheet_rows(data, path, "members_file_no_columns") as rows:
        members = _usable(_rows_of(rows, path), result)
    if not members and not result.invalid:
        raise UserError("members_file_no_rows", path=str(path))
    return members


def _rows_of(cells: Iterable[Sequence[Any]], path: Path) -> Iterator[_Read]:
    """The non-blank rows under the header, as read (not yet checked)."""
    columns: _Columns | None = None
    for number, values in enumerate(cells, start=1):
        if columns is None:
            if number > HEADER_SEARCH_ROWS:
                break
            columns = _header(values)
            continue
        nik, kpj = _at(values, columns.nik), _at(values, columns.kpj)
        if _blank(nik) and _blank(kpj):
            continue  # blank (formatted or not) rows, wherever they are
        yield _Read(number, nik, kpj, _at(values, columns.name), _at(values, columns.birth_date))
    if columns is None:
        raise UserError("members_file_no_columns", path=str(path))


def _at(values: Sequence[Any], index: int | None) -> Any:
    return values[index] if index is not None and index < len(values) else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header(values: Sequence[Any]) -> _Columns | None:
    """The columns when this row is the header: NIK and KPJ (a heading that is the word itself
    wins over one that contains it, as for the KPJ spreadsheet), and if there are, the name
    ("Nama", "Nama Lengkap" before "Nama Ibu Kandung") and birth date ("Tgl Lahir")."""
    found: dict[str, tuple[int, int]] = {}
    for index, value in enumerate(values):
        if not isinstance(value, str):
            continue
        words = re.findall(r"[0-9a-z]+", value.casefold())
        for name, rank in _ranks(words):
            if name not in found or rank < found[name][0]:
                found[name] = (rank, index)
    if "nik" not in found or "kpj" not in found or found["nik"][1] == found["kpj"][1]:
        return None
    named, birth = found.get("name"), found.get("birth_date")
    return _Columns(
        found["nik"][1], found["kpj"][1], named[1] if named else None, birth[1] if birth else None
    )


def _ranks(words: list[str]) -> list[tuple[str, int]]:
    """Which columns a heading of ``words`` may be, each with its rank (lower is better)."""
    ranks: list[tuple[str, int]] = []
    for name in ("nik", "kpj"):
        if name in words:
            ranks.append((name, 0 if words == [name] else 1))
    if "nik" not in words and "kpj" not in words:
        if words in (["nama"], ["name"]):
            ranks.append(("name", 0))
        elif words[:1] in (["nama"], ["name"]) and len(words) == 2:
            ranks.append(("name", 1))  # "Nama Lengkap", "Nama Peserta"
        elif "nama" in words or "name" in words:
            ranks.append(("name", 2))
        if "lahir" in words and {"tgl", "tanggal", "tanggallahir"} & set(words):
            ranks.append(("birth_date", 0))
        elif ("birth" in words and {"date", "of"} & set(words)) or {
            "tgllahir",
            "birthdate",
            "dob",
        } & set(words):
            ranks.append(("birth_date", 1))
    return ranks


# --- checking the rows ---------------------------------------------------------------------------


def _usable(rows: Iterable[_Read], result: MembersImport) -> list[_Member]:
    """The rows that can be listed, in the file's order; the others' reasons go into
    ``result``. A NIK or KPJ listed twice in the file: the later row is refused."""
    members: list[_Member] = []
    nik_rows: dict[str, int] = {}
    kpj_rows: dict[str, tuple[int, str]] = {}
    for read in rows:
        problem, nik, kpj = _checked(read)
        if problem is None and nik in nik_rows:
            problem = RowProblem(read.row, "nik_twice", nik, nik_rows[nik])
        elif problem is None and kpj in kpj_rows and kpj_rows[kpj][1] != nik:
            problem = RowProblem(read.row, "kpj_twice", kpj, kpj_rows[kpj][0])
        if problem is not None:
            result.invalid.append(problem)
            continue
        nik_rows[nik] = read.row
        kpj_rows.setdefault(kpj, (read.row, nik))
        members.append(_Member(read.row, nik, kpj, _name(read.name), _birth_date(read.birth_date)))
    return members


def _checked(read: _Read) -> tuple[RowProblem | None, str, str]:
    raw_nik, raw_kpj = cell_text(read.nik), cell_text(read.kpj)
    if not raw_nik:
        return RowProblem(read.row, "nik_missing"), "", ""
    if _SCIENTIFIC.match(raw_nik.replace(" ", "")) or _inexact(read.nik):
        return RowProblem(read.row, "nik_excel", raw_nik), "", ""
    if _is_number(read.nik) and raw_nik.endswith("0"):
        # Excel keeps 15 significant digits of a number: a 16-digit NIK stored as one ends in
        # a 0 that was its last digit. A program may have written it exactly — but a wrong
        # NIK would give someone else's KPJ, so it is refused (the others need no guess).
        return RowProblem(read.row, "nik_number", raw_nik), "", ""
    nik = exact_digits(raw_nik, NIK_LENGTH)
    if nik is None:
        return RowProblem(read.row, "nik_bad", raw_nik), "", ""
    if not raw_kpj:
        return RowProblem(read.row, "kpj_missing"), "", ""
    kpj = exact_digits(raw_kpj, KPJ_LENGTH, "-.")
    if kpj is None:
        return RowProblem(read.row, "kpj_bad", raw_kpj), "", ""
    return None, nik, kpj


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _inexact(value: Any) -> bool:
    """A number that cannot be a NIK written exactly: a fraction, or beyond a float's whole
    numbers (what ``3.20915E+15`` is once read)."""
    return isinstance(value, float) and not (value.is_integer() and abs(value) < 2**53)


def _name(value: Any) -> str | None:
    name = cell_text(value)
    return name[:NAME_LENGTH] if name else None


def _birth_date(value: Any) -> date | None:
    """A birth date as BPJS's lists write one: a date cell, an Excel serial number, or text
    (dd-mm-yyyy, dd/mm/yyyy, yyyy-mm-dd). Optional: one that cannot be read is left out, the
    row is not refused for it."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 80_000:  # 1900 to 2119
            return EXCEL_EPOCH + timedelta(days=int(value))
        return None
    text_value = cell_text(value)
    try:
        if match := _DAY_MONTH_YEAR.match(text_value):
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text_value) if len(text_value) == 10 else None
    except ValueError:
        return None


__all__ = [
    "MemberConflict",
    "MembersImport",
    "RowProblem",
    "attach_listed_kpj",
    "members_import",
]
