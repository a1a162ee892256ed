"""The branch's spreadsheets with BPJS's own systems (issue 9): KPJ numbers in, registrations and
dues out.

``kpj_import`` reads the spreadsheet BPJS's system gives the branch (a header row with the
columns NIK and KPJ somewhere near the top of the first sheet, other columns ignored) and stores
each KPJ number on the participant with that NIK, in one operation. A participant that already
has a different KPJ number keeps it: the row is listed as a conflict, never overwritten. Once
stored, the next acknowledgement of each post's batch carries the numbers to the post.

``branch_export`` writes the accepted registrations (sheet "Pendaftaran") and their receipts
(sheet "Iuran") as a workbook for BPJS's systems: fixed Indonesian headings, NIK as text, dates
as date cells, money as whole rupiah numbers. A void ("Batal") shows its amounts as negative
numbers, so a column's sum is what was collected.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session, aliased

from rumah_perisai.db.models import AuditEntry, Participant, Post, Receipt
from rumah_perisai.db.uow import Database, begin_operation, note_written, operation_time
from rumah_perisai.domain.coverage import CoverSummary, Standing, status_from_summary, status_label
from rumah_perisai.domain.personal_data import is_erased_nik, shown_name
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.safe_write import write_file
from rumah_perisai.i18n import N_, speaking, tr
from rumah_perisai.services.sheet_import import values as sheet_values
from rumah_perisai.services.volunteers import Actor

log = logging.getLogger(__name__)

NIK_LENGTH = 16
KPJ_LENGTH = 11
# How far down the first sheet the header row is looked for (title rows, blank rows above it).
HEADER_SEARCH_ROWS = 30

_ROW_REASONS = {
    "nik_missing": N_("no NIK"),
    "nik_bad": N_("NIK {value} is not 16 digits"),
    "kpj_missing": N_("no KPJ number"),
    "kpj_bad": N_("KPJ number {value} is not 11 digits"),
    "nik_rejected": N_("the registration with NIK {value} was rejected"),
    "nik_ambiguous": N_("NIK {value} is registered at several posts"),
}


# --- KPJ numbers in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvalidRow:
    """A row of the spreadsheet that could not be used, and why (``code``: see _ROW_REASONS)."""

    row: int  # the spreadsheet's own row number
    code: str
    value: str = ""

    def message(self) -> str:
        return tr(_ROW_REASONS[self.code], value=self.value)


@dataclass(frozen=True)
class KpjConflict:
    """A KPJ number that was not stored because it disagrees with what the branch has: the
    participant has another number already, or the number belongs to someone else
    (``holder``)."""

    row: int
    nik: str
    registration_no: str
    offered: str  # the number in the file
    current: str | None  # the participant's number now
    holder: str | None = None  # the registration that has the offered number already

    def message(self) -> str:
        if self.holder is not None:
            return tr(
                "KPJ {offered} already belongs to {holder}; it was not given to {regno} "
                "(NIK {nik}).",
                offered=self.offered,
                holder=self.holder,
                regno=self.registration_no,
                nik=self.nik,
            )
        return tr(
            "{regno} (NIK {nik}) already has KPJ {current}; the file says {offered}. "
            "Not overwritten.",
            regno=self.registration_no,
            nik=self.nik,
            current=self.current,
            offered=self.offered,
        )


@dataclass
class KpjImport:
    """What became of a KPJ spreadsheet."""

    file: Path
    set: int = 0  # numbers stored now
    unchanged: int = 0  # the participant had this number already
    unknown: list[str] = field(default_factory=list)  # NIKs no participant here has
    invalid: list[InvalidRow] = field(default_factory=list)
    conflicts: list[KpjConflict] = field(default_factory=list)

    @property
    def matched(self) -> int:
        """Rows whose NIK found a participant (stored, unchanged or in conflict)."""
        return self.set + self.unchanged + len(self.conflicts)


@dataclass(frozen=True, slots=True)
class KpjRow:
    row: int
    nik: str | None  # None: not a NIK (``raw_nik`` is what the cell said)
    kpj: str | None  # None: not a KPJ number
    raw_nik: str
    raw_kpj: str


class _Person(NamedTuple):
    """A participant as the KPJ import needs it. Not a whole ORM record: a file of 27,000 rows
    made 27,000 of those, flushed one UPDATE and one audit entry at a time — a quarter of a GB
    and most of the time (``bench/bench_kpj.py``)."""

    id: int
    registration_no: str
    standing: str
    kpj: str | None


def kpj_import(db: Database, path: Path, actor: Actor, *, data: bytes | None = None) -> KpjImport:
    """Store the KPJ numbers of a BPJS spreadsheet (see the module). ``data``: the file's bytes,
    when the caller has read them already. An unusable file changes nothing (``UserError``).

    Set-based: the file's NIK and KPJ pairs are staged in a temporary table, the participants
    they concern read in two statements, each row decided in the file's order, and the numbers
    stored with one UPDATE joined to the decisions (their audit rows in one insert)."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise UserError("file_unreadable", path=str(path), reason=error.strerror) from error
    rows = _read_kpj_rows(data, path)
    result = KpjImport(file=path)
    reason = f"KPJ numbers from {path.name}"[:200]
    with db.unit_of_work(actor.label) as session:
        change_no = begin_operation(session)  # first: no other writer changes a KPJ meanwhile
        give_kpj(session, change_no, rows, reason, result)
    return result


def give_kpj(
    session: Session, change_no: int, rows: list[KpjRow], reason: str, result: KpjImport
) -> None:
    """Store the KPJ numbers of ``rows`` on the participants with their NIKs, inside the
    caller's operation (``change_no``): never over another number, never one another person
    holds; what became of each row goes into ``result``. Also used for BPJS's member list
    (``branch.members``), so both follow the same rules."""
    connection = session.connection()
    pairs = sorted({(r.nik, r.kpj) for r in rows if r.nik and r.kpj})
    temporary_table(connection, "kpj_file", "nik VARCHAR(16), kpj VARCHAR(11)", pairs)
    by_nik, holders = _lookups(connection)
    given = _decide(rows, by_nik, holders, result)
    _store(session, connection, given, change_no, reason)
    connection.exec_driver_sql("DROP TABLE kpj_file")


def _lookups(
    connection: Connection,
) -> tuple[dict[str, list[_Person]], dict[str, tuple[str, str]]]:
    """The participants with the file's NIKs (in id order), and who holds each of the file's
    KPJ numbers already (by NIK: the same person at two posts is one holder)."""
    by_nik: dict[str, list[_Person]] = {}
    for nik, *person in connection.exec_driver_sql(
        "SELECT nik, id, registration_no, standing, kpj FROM participants"
        " WHERE nik IN (SELECT nik FROM kpj_file) ORDER BY id"
    ):
        by_nik.setdefault(nik, []).append(_Person(*person))
    holders: dict[str, tuple[str, str]] = {}
    for kpj, nik, regno in connection.exec_driver_sql(
        "SELECT kpj, nik, registration_no FROM participants"
        " WHERE kpj IN (SELECT kpj FROM kpj_file) ORDER BY id"
    ):
        holders.setdefault(kpj, (nik, regno))
    return by_nik, holders


def _decide(
    rows: list[KpjRow],
    by_nik: dict[str, list[_Person]],
    holders: dict[str, tuple[str, str]],
    result: KpjImport,
) -> list[_Person]:
    """Each row in the file's order: stored (returned, with the number to store as ``kpj``),
    already stored, unknown, unusable, or refused as a conflict (``result``)."""
    given: dict[int, _Person] = {}  # by participant: the number this file gives
    unknown: dict[str, None] = {}
    for row in rows:
        if row.nik is None:
            code = "nik_missing" if not row.raw_nik else "nik_bad"
            result.invalid.append(InvalidRow(row.row, code, row.raw_nik))
            continue
        if row.kpj is None:
            code = "kpj_missing" if not row.raw_kpj else "kpj_bad"
            result.invalid.append(InvalidRow(row.row, code, row.raw_kpj))
            continue
        candidates = by_nik.get(row.nik)
        if not candidates:
            unknown.setdefault(row.nik)
            continue
        target = _choose(candidates)
        if isinstance(target, str):
            result.invalid.append(InvalidRow(row.row, target, row.nik))
            continue
        current = given[target.id].kpj if target.id in given else target.kpj
        holder = holders.get(row.kpj)
        if holder is not None and holder[0] != row.nik:
            conflict = KpjConflict(
                row.row, row.nik, target.registration_no, row.kpj, current, holder[1]
            )
            result.conflicts.append(conflict)
            continue
        if current == row.kpj:
            result.unchanged += 1
            continue
        if current is not None:
            result.conflicts.append(
                KpjConflict(row.row, row.nik, target.registration_no, row.kpj, current)
            )
            continue
        given[target.id] = target._replace(kpj=row.kpj)
        holders[row.kpj] = (row.nik, target.registration_no)
        result.set += 1
    result.unknown = list(unknown)
    return list(given.values())


def _store(
    session: Session, connection: Connection, given: list[_Person], change_no: int, reason: str
) -> None:
    """The numbers decided, in one UPDATE joined to them; one audit row each, as the unit of
    work writes for a changed record."""
    if not given:
        return
    temporary_table(
        connection,
        "kpj_given",
        "id INTEGER PRIMARY KEY, kpj VARCHAR(11) NOT NULL",
        [(p.id, p.kpj) for p in given],
    )
    # ``kpj IS NULL``: a stored number is never overwritten, whatever was decided.
    stored = connection.exec_driver_sql(
        f"UPDATE participants SET kpj = g.kpj, change_no = {int(change_no)} FROM kpj_given g"
        " WHERE participants.id = g.id AND participants.kpj IS NULL"
    ).rowcount
    if stored != len(given):
        raise RuntimeError(f"{len(given)} KPJ numbers decided, {stored} stored")
    note_written(connection, "participants")  # SQL text: announced once committed
    connection.exec_driver_sql("DROP TABLE kpj_given")
    now, origin, actor = operation_time(session), session.info["origin"], session.info["actor"]
    connection.execute(
        insert(AuditEntry),
        [
            {
                "change_no": change_no, "at": now, "origin": origin, "actor": actor,
                "action": "update", "entity": "participants", "entity_id": str(p.id),
                "entity_key": p.registration_no,
                "changes_json": json.dumps({"_reason": reason, "kpj": [None, p.kpj]}),
            }
            for p in given
        ],
    )  # fmt: skip


def temporary_table(
    connection: Connection, name: str, columns: str, rows: Sequence[tuple[Any, ...]]
) -> None:
    """A temporary table filled with ``rows`` (COPY on PostgreSQL, then analysed: autovacuum
    never analyses temporary tables, and the planner would guess their size)."""
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({columns})")
    if not rows:
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        if connection.dialect.name == "postgresql":
            with cursor.copy(f"COPY {name} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in rows[0])
            cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
    finally:
        cursor.close()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"ANALYZE {name}")


def _choose(candidates: list[_Person]) -> _Person | str:
    """The registration a NIK's KPJ number belongs to: the one the branch did not reject (a
    member before a withdrawn one); a reason code when there is none or no single one."""
    standing = [c for c in candidates if c.standing != Standing.REJECTED.value]
    if not standing:
        return "nik_rejected"
    members = [c for c in standing if c.standing == Standing.MEMBER.value]
    chosen = members or standing
    if len(chosen) > 1:
        return "nik_ambiguous"
    return chosen[0]


def _read_kpj_rows(data: bytes, path: Path) -> list[KpjRow]:
    """The NIK and KPJ of every non-blank row under the header, checked but not looked up."""
    with first_sheet_rows(data, path, "kpj_file_no_columns") as rows:
        return _rows_of(rows, path)


@contextmanager
def first_sheet_rows(data: bytes, path: Path, no_sheet: str) -> Iterator[Iterator[tuple[Any, ...]]]:
    """The rows of a BPJS workbook's first sheet, read as a stream; a file that is no workbook,
    or a sheet damaged inside a good one, is ``kpj_file_not_spreadsheet`` (``no_sheet``: the
    refusal of a workbook without sheets)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zip, XML or openpyxl errors alike: not a usable workbook
        log.info("not a spreadsheet: %s", type(error).__name__)  # no path: it may name a person
        raise UserError("kpj_file_not_spreadsheet", path=str(path)) from error
    try:
        if not book.worksheets:
            raise UserError(no_sheet, path=str(path))
        sheet = book.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some writers state a wrong size; read what is there
        try:
            yield sheet.iter_rows(values_only=True)
        except UserError:
            raise
        except Exception as error:  # a damaged sheet inside a good zip
            log.info("unreadable sheet: %s", type(error).__name__)  # its text may quote a cell
            raise UserError("kpj_file_not_spreadsheet", path=str(path)) from error
    finally:
        book.close()


def _rows_of(cells: Iterable[Sequence[Any]], path: Path) -> list[KpjRow]:
    columns: tuple[int, int] | None = None
    rows: list[KpjRow] = []
    for number, values in enumerate(cells, start=1):
        if columns is None:
            if number > HEADER_SEARCH_ROWS:
                break
            columns = _header(values)
            continue
        nik_col, kpj_col = columns
        raw_nik = cell_text(values[nik_col] if nik_col < len(values) else None)
        raw_kpj = cell_text(values[kpj_col] if kpj_col < len(values) else None)
        if not raw_nik and not raw_kpj:
            continue
        rows.append(
            KpjRow(
                number,
                exact_digits(raw_nik, NIK_LENGTH),
                exact_digits(raw_kpj, KPJ_LENGTH, "-."),
                raw_nik,
                raw_kpj,
            )  # fmt: skip
        )
    if columns is None:
        raise UserError("kpj_file_no_columns", path=str(path))
    return rows


def _header(values: Sequence[Any]) -> tuple[int, int] | None:
    """The columns of NIK and KPJ when this row is the header: a heading that is the word
    itself ("nik", " NIK ") wins over one that contains it ("No. KPJ", "Nomor KPJ")."""
    found: dict[str, tuple[int, int]] = {}
    for index, value in enumerate(values):
        if not isinstance(value, str):
            continue
        words = re.findall(r"[0-9a-z]+", value.casefold())
        for name in ("nik", "kpj"):
            if name not in words:
                continue
            rank = 0 if words == [name] else 1
            if name not in found or rank < found[name][0]:
                found[name] = (rank, index)
    if "nik" in found and "kpj" in found and found["nik"][1] != found["kpj"][1]:
        return found["nik"][1], found["kpj"][1]
    return None


def cell_text(value: Any) -> str:
    """A cell as the text a person would read (numbers without ``.0``, no apostrophe, Excel's
    ``="…"`` unwrapped): the post's spreadsheet import reads cells the same way."""
    return sheet_values.text(value)


def exact_digits(text: str, length: int, separators: str = "") -> str | None:
    """``text`` as exactly ``length`` ASCII digits (spaces and ``separators`` dropped), or None."""
    cleaned = "".join(text.split())
    for mark in separators:
        cleaned = cleaned.replace(mark, "")
    if len(cleaned) == length and cleaned.isascii() and cleaned.isdecimal():
        return cleaned
    return None


# --- registrations and dues out ------------------------------------------------------------------

REGISTRATION_SHEET = "Pendaftaran"
RECEIPT_SHEET = "Iuran"
# Fixed headings (BPJS's systems read them by name), with column widths.
REGISTRATION_HEADINGS = (
    ("Pos", 11), ("No. registrasi", 18), ("KPJ", 13), ("NIK", 19), ("Nama", 28),
    ("Tempat lahir", 16), ("Tanggal lahir", 13), ("Jenis kelamin", 8), ("Alamat", 32),
    ("RT", 5), ("RW", 5), ("Kode desa", 15), ("Telepon", 15), ("Pekerjaan", 20),
    ("Penghasilan", 13), ("JHT", 6), ("Tanggal daftar", 13), ("Status", 20),
)  # fmt: skip
RECEIPT_HEADINGS = (
    ("Pos", 11), ("No. kuitansi", 22), ("Jenis", 7), ("No. registrasi", 18), ("NIK", 19),
    ("Bulan dari", 10), ("Bulan sampai", 10), ("Jumlah bulan", 7), ("JKK", 11), ("JKM", 11),
    ("JHT", 11), ("Total", 12), ("Tanggal", 12), ("Membatalkan", 22),
)  # fmt: skip
DATE_FORMAT = "DD-MM-YYYY"
MONTH_FORMAT = "MM-YYYY"
MONEY_FORMAT = "#,##0"
TEXT_FORMAT = "@"
RECEIPT_KINDS = {"payment": "Bayar", "void": "Batal"}
_BATCH_ROWS = 2000  # rows fetched at a time while writing


@dataclass(frozen=True)
class ExportCounts:
    path: Path
    registrations: int
    receipts: int


def branch_export(db: Database, path: Path) -> ExportCounts:
    """Write the branch's accepted registrations and their receipts to ``path`` (.xlsx), whole
    or not at all (see the module)."""
    from openpyxl import Workbook

    if not path.parent.is_dir():
        raise UserError("export_folder_missing", path=str(path.parent))
    book = Workbook(write_only=True)
    registrations = book.create_sheet(REGISTRATION_SHEET)
    receipts = book.create_sheet(RECEIPT_SHEET)
    now = db.clock()
    with db.reading() as session, speaking("id"):
        _start(registrations, REGISTRATION_HEADINGS)
        registration_count = 0
        days: dict[str, date] = {}
        person = Participant
        for p in session.execute(
            select(
                person.post_code, person.registration_no, person.kpj, person.nik, person.name,
                person.birth_place, person.birth_date, person.sex, person.street, person.rt,
                person.rw, person.desa_code, person.phone, person.occupation, person.income,
                person.with_jht, person.registered_on, person.standing, person.membership_start,
                person.promo_until, person.cover_from, person.cover_until, person.arrears_until,
                Post.timezone,
            )
            .join(Post, Post.id == person.post_id)
            .where(person.standing != Standing.REJECTED.value)
            .order_by(person.post_code, person.number)
            .execution_options(yield_per=_BATCH_ROWS)
        ):  # fmt: skip
            day = days.setdefault(p.timezone, local_date(now, p.timezone))
            summary = CoverSummary(p.cover_until, p.arrears_until, p.promo_until, p.cover_from)
            status = status_from_summary(Standing(p.standing), summary, p.membership_start, day)
            values: list[Any] = [
                p.post_code, p.registration_no, _as_text(registrations, p.kpj),
                _as_text(registrations, _real(p.nik)), shown_name(p.name), p.birth_place,
                _dated(registrations, p.birth_date), p.sex, p.street, _as_text(registrations, p.rt),
                _as_text(registrations, p.rw), p.desa_code, _as_text(registrations, p.phone),
                p.occupation, _money(registrations, p.income), "Ya" if p.with_jht else "Tidak",
                _dated(registrations, p.registered_on), status_label(status),
            ]  # fmt: skip
            registrations.append(values)
            registration_count += 1
        _finish(registrations, REGISTRATION_HEADINGS, registration_count)

        _start(receipts, RECEIPT_HEADINGS)
        voided = aliased(Receipt)
        receipt_count = 0
        for r in session.execute(
            select(
                Receipt.post_code, Receipt.number, Receipt.kind, Participant.registration_no,
                Participant.nik, Receipt.first_month, Receipt.last_month, Receipt.month_count,
                Receipt.jkk, Receipt.jkm, Receipt.jht, Receipt.total, Receipt.issued_on,
                voided.number.label("voided_number"),
            )
            .join(Participant, Participant.id == Receipt.participant_id)
            .outerjoin(voided, voided.id == Receipt.voids_receipt_id)
            .where(Participant.standing != Standing.REJECTED.value)
            .order_by(Receipt.post_code, Receipt.year, Receipt.seq)
            .execution_options(yield_per=_BATCH_ROWS)
        ):  # fmt: skip
            sign = -1 if r.kind == "void" else 1
            values = [
                r.post_code, r.number, RECEIPT_KINDS.get(r.kind, r.kind), r.registration_no,
                _as_text(receipts, _real(r.nik)), _dated(receipts, r.first_month, MONTH_FORMAT),
                _dated(receipts, r.last_month, MONTH_FORMAT), r.month_count,
                _money(receipts, sign * r.jkk), _money(receipts, sign * r.jkm),
                _money(receipts, sign * r.jht), _money(receipts, sign * r.total),
                _dated(receipts, r.issued_on), r.voided_number,
            ]  # fmt: skip
            receipts.append(values)
            receipt_count += 1
        _finish(receipts, RECEIPT_HEADINGS, receipt_count)

    buffer = io.BytesIO()
    book.save(buffer)
    written = write_file(path.parent, path.name, buffer.getvalue())
    return ExportCounts(written, registration_count, receipt_count)


def _real(nik: str) -> str | None:
    """An erased person's NIK column holds a placeholder, never a NIK: BPJS gets none."""
    return None if is_erased_nik(nik) else nik


def _start(sheet: Any, headings: Sequence[tuple[str, int]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for index, (_heading, width) in enumerate(headings, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, heading, font=bold) for heading, _width in headings])


def _finish(sheet: Any, headings: Sequence[tuple[str, int]], rows: int) -> None:
    from openpyxl.utils import get_column_letter

    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{rows + 1}"


def _cell(sheet: Any, value: Any, *, number_format: str | None = None, font: Any = None) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    if number_format is not None:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def _as_text(sheet: Any, value: str | None) -> Any:
    """Digits kept as text: a NIK as a number would lose its last digit in a spreadsheet, an RT
    its leading zeros."""
    return None if value is None else _cell(sheet, value, number_format=TEXT_FORMAT)


def _dated(sheet: Any, value: date | None, number_format: str = DATE_FORMAT) -> Any:
    return None if value is None else _cell(sheet, value, number_format=number_format)


def _money(sheet: Any, value: int) -> Any:
    return _cell(sheet, int(value), number_format=MONEY_FORMAT)


__all__ = [
    "ExportCounts",
    "InvalidRow",
    "KpjConflict",
    "KpjImport",
    "KpjRow",
    "branch_export",
    "cell_text",
    "exact_digits",
    "give_kpj",
    "kpj_import",
    "temporary_table",
]
