"""Whose data a post held on a day (issue 19, item 4; UU PDP Art. 46: the notice of a breach
within 3×24 hours): after a lost or stolen laptop the branch lists, from its own copy, every
participant whose data were on that post's computer that day (``branch post-subjects``).

Who is listed: the participants the post registered **on or before** the day — by
``registered_on``, the post's own local date of the registration, which is the day the record
first stood on that laptop (a UTC time could fall on the day before for a post in WITA or WIT) —
whatever their standing (a registration withdrawn or rejected still held the data), except those
erased **before** the day: their data were no longer on the laptop. A person erased on or after
the day is listed, marked erased since then, with the kinds of data that were held (their values
are gone from the branch too: the notice goes to them through their KPJ and registration number).

The standing is told as of the day: an ``ended`` membership (consent withdrawn) or a rejection
decided after the day was still a membership then. A withdrawal (registered by mistake) carries
no date at the branch and is told as it stands now.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from rumah_perisai.db.models import BranchRejection, Participant, Post, Receipt
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.safe_write import write_file

SUBJECTS_SHEET = "Subjek data"
SUMMARY_SHEET = "Ringkasan"
HEADINGS = (
    ("No. registrasi", 18), ("KPJ", 13), ("Nama", 28), ("NIK", 19), ("Telepon", 15),
    ("Kode desa", 15), ("Identitas", 10), ("Alamat", 8), ("Telepon dipegang", 10),
    ("Ahli waris", 10), ("Kuitansi", 9), ("Status pada tanggal", 18), ("Dihapus sejak", 14),
)  # fmt: skip
STANDING_LABELS = {
    "member": "Peserta",
    "ended": "Persetujuan dicabut",
    "withdrawn": "Dibatalkan (salah daftar)",
    "rejected": "Ditolak cabang",
}
ERASED_NAME = "(dihapus atas permintaan)"
YES, NO, UNKNOWN = "ya", "tidak", "tidak diketahui"
TEXT_FORMAT = "@"
DATE_FORMAT = "DD-MM-YYYY"


@dataclass(frozen=True)
class Subject:
    """One person whose data the post held on the day; values empty once erased."""

    registration_no: str
    kpj: str | None
    name: str
    nik: str | None
    phone: str | None
    desa_code: str
    identity: bool
    address: bool
    phone_held: bool | None  # None: erased since, no longer known
    heir_held: bool | None
    receipts: int  # issued on or before the day (kept after an erasure: financial records)
    standing: str  # as of the day
    erased_since: date | None


@dataclass(frozen=True)
class SubjectsSummary:
    """What ``post-subjects`` wrote: counts only, never a person's data (logged, printed)."""

    post: str
    on: str
    path: str
    participants: int
    erased_since: int
    with_phone: int
    with_heir: int
    receipts: int
    standing: dict[str, int] = field(default_factory=dict)


def post_subjects(db: Database, code: str, on: date) -> tuple[str, list[Subject]]:
    """The post's data subjects as of ``on`` (see the module); the post's time zone too."""
    code = code.strip().upper()
    with db.reading() as session:
        post = session.scalars(select(Post).where(Post.code == code)).first()
        if post is None or post.is_local:
            raise UserError("post_unknown", code=code)
        today = local_date(db.clock(), post.timezone)
        if on > today:
            raise UserError("subjects_future_day", day=on.isoformat())
        zone = post.timezone
        receipts = dict(
            session.execute(
                select(Receipt.participant_id, func.count())
                .where(Receipt.post_id == post.id, Receipt.issued_on <= on)
                .group_by(Receipt.participant_id)
            ).all()
        )
        rejected = {
            key: local_date(at, zone)
            for key, at in session.execute(
                select(BranchRejection.entity_key, BranchRejection.decided_at).where(
                    BranchRejection.post_id == post.id, BranchRejection.entity == "participants"
                )
            )
        }
        subjects = []
        for person in session.scalars(
            select(Participant)
            .where(Participant.post_id == post.id, Participant.registered_on <= on)
            .order_by(Participant.number)
        ):
            erased = _day(person.erased_at, zone)
            if erased is not None and erased < on:
                continue  # no longer on the laptop that day
            subjects.append(_subject(person, on, erased, receipts.get(person.id, 0), rejected))
    return zone, subjects


def _day(moment: datetime | None, zone: str) -> date | None:
    return None if moment is None else local_date(moment, zone)


def _subject(
    person: Participant, on: date, erased: date | None, receipts: int, rejected: dict[str, date]
) -> Subject:
    standing = person.standing
    if standing == "ended" and (person.ended_on is None or person.ended_on > on):
        standing = "member"  # ended after the day (an erasure ends it too)
    decided = rejected.get(person.registration_no)
    if standing == "rejected" and decided is not None and decided > on:
        standing = "member"
    return Subject(
        registration_no=person.registration_no,
        kpj=person.kpj,
        name=ERASED_NAME if erased else person.name,
        nik=None if erased else person.nik,
        phone=None if erased else person.phone,
        desa_code=person.desa_code,
        identity=True,  # NIK, name and birth date are asked of everyone who registers
        address=True,  # street and desa, likewise
        phone_held=None if erased else bool(person.phone),
        heir_held=None if erased else bool(person.heir_name),
        receipts=receipts,
        standing=standing,
        erased_since=erased,
    )


def write_post_subjects(db: Database, code: str, on: date, path: Path) -> SubjectsSummary:
    """The list as a spreadsheet at ``path``, whole or not at all; a summary sheet with counts."""
    if path.suffix.lower() != ".xlsx" or path.is_dir():
        raise UserError("subjects_out_kind", path=str(path))
    if not path.parent.is_dir():
        raise UserError("export_folder_missing", path=str(path.parent))
    _zone, subjects = post_subjects(db, code, on)
    code = code.strip().upper()
    summary = SubjectsSummary(
        post=code,
        on=on.isoformat(),
        path="",
        participants=len(subjects),
        erased_since=sum(1 for s in subjects if s.erased_since is not None),
        with_phone=sum(1 for s in subjects if s.phone_held),
        with_heir=sum(1 for s in subjects if s.heir_held),
        receipts=sum(s.receipts for s in subjects),
        standing=dict(sorted(Counter(s.standing for s in subjects).items())),
    )
    data = _book(summary, subjects, db.clock())
    written = write_file(path.parent, path.name, data, computer=True)
    return SubjectsSummary(**{**summary.__dict__, "path": str(written)})


def _book(summary: SubjectsSummary, subjects: list[Subject], now: datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet: Any = book.active
    sheet.title = SUBJECTS_SHEET
    sheet.append([heading for heading, _width in HEADINGS])
    for index, (_heading, width) in enumerate(HEADINGS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.cell(row=1, column=index).font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for s in subjects:
        sheet.append([
            s.registration_no, s.kpj, s.name, s.nik, s.phone, s.desa_code, _yes(s.identity),
            _yes(s.address), _yes(s.phone_held), _yes(s.heir_held), s.receipts,
            STANDING_LABELS.get(s.standing, s.standing), s.erased_since,
        ])  # fmt: skip
        row = sheet.max_row
        for column in (2, 4, 5):  # digits kept as text: a NIK as a number loses its last digit
            sheet.cell(row=row, column=column).number_format = TEXT_FORMAT
        sheet.cell(row=row, column=13).number_format = DATE_FORMAT
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADINGS))}{len(subjects) + 1}"
    totals = book.create_sheet(SUMMARY_SHEET)
    totals.column_dimensions["A"].width = 34
    totals.column_dimensions["B"].width = 22
    rows: list[tuple[str, Any]] = [
        ("Pos", summary.post),
        ("Data yang dipegang pos pada tanggal", date.fromisoformat(summary.on)),
        ("Dibuat (UTC)", now.strftime("%Y-%m-%d %H:%M")),
        ("Peserta", summary.participants),
        ("Dihapus sejak tanggal itu", summary.erased_since),
        ("Dengan telepon", summary.with_phone),
        ("Dengan ahli waris", summary.with_heir),
        ("Kuitansi", summary.receipts),
        *((f"Status: {STANDING_LABELS.get(k, k)}", n) for k, n in summary.standing.items()),
    ]
    for label, value in rows:
        totals.append([label, value])
        totals.cell(row=totals.max_row, column=1).font = Font(bold=True)
    totals.cell(row=2, column=2).number_format = DATE_FORMAT
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _yes(value: bool | None) -> str:
    return UNKNOWN if value is None else YES if value else NO


__all__ = ["Subject", "SubjectsSummary", "post_subjects", "write_post_subjects"]
