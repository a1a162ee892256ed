"""The dry run: what importing a list would do to each of its rows, saving nothing.

Every row gets one status and, where it needs one, the reason in the user's language:

* ``new`` — will be registered (with the form's own checks: ``registration.check_form``);
* ``update`` — the same NIK is here already: its empty fields will be filled, nothing else;
  fields that differ are named and left alone (a correction is a person's decision);
* ``unchanged`` — the same NIK is here with nothing to fill (importing a file again);
* ``possible_duplicate`` — the name-and-birth-date matcher of the form (or an erased person's
  NIK, or an earlier row of the file) says it may be someone here already: not imported until a
  person decides in the window;
* ``refused`` — and why: the NIK check's own reason, a NIK Excel mangled, a birth date or sex the
  NIK disagrees with, a missing field, under working age, a phone that is not one, the NIK twice
  in the file (the second row), a registration that ended at the person's request.

The same decisions are made again inside the import's transaction (``importing``), so what is
imported is what the database holds then, not what it held when the file was checked.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rumah_perisai import areas, formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Participant, Post, Volunteer
from rumah_perisai.db.uow import Database, operation_time
from rumah_perisai.domain.coverage import Standing
from rumah_perisai.domain.dues import income_brackets
from rumah_perisai.domain.names import likely_same_person
from rumah_perisai.domain.personal_data import keyed_nik
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.acks import elsewhere_of
from rumah_perisai.services.posts import the_post
from rumah_perisai.services.registration import (
    ERASED_CANDIDATE,
    FIELD_MESSAGES,
    InvalidRegistration,
    RegistrationForm,
    check_form,
    erased_key_of,
    normalize_phone,
    record_values,
)
from rumah_perisai.services.sheet_import import values
from rumah_perisai.services.sheet_import.columns import Mapping, field_label
from rumah_perisai.services.sheet_import.reading import Sheet, SheetRow
from rumah_perisai.tasks import Progress, SilentProgress

UNKNOWN = "tidak diketahui"  # what an old list rarely has, as the issue states it
_DEFAULTED = ("birth_place", "street", "occupation")
_CHUNK = 500  # NIKs or birth dates per lookup
_FORM_FIELDS = {  # the form's field names as the sheet's fields name them
    "nik": "nik", "name": "name", "birth_place": "birth_place", "birth_date": "birth_date",
    "sex": "sex", "street": "street", "rt": "rt", "rw": "rw", "desa_code": "desa",
    "phone": "phone", "occupation": "occupation", "income": "income",
    "heir_name": "heir_name", "heir_relation": "heir_relation",
}  # fmt: skip
_FILLABLE = ("birth_place", "street", "rt", "rw", "phone", "occupation", "heir_name",
             "heir_relation")  # fmt: skip
_COMPARED = ("name", "birth_date", "sex", "desa_code", *_FILLABLE)


class RowStatus(StrEnum):
    NEW = "new"
    UPDATE = "update"
    POSSIBLE_DUPLICATE = "possible_duplicate"
    REFUSED = "refused"
    UNCHANGED = "unchanged"


STATUS_LABELS = {
    RowStatus.NEW: N_("will be registered"),
    RowStatus.UPDATE: N_("already here: empty fields filled"),
    RowStatus.POSSIBLE_DUPLICATE: N_("possible duplicate"),
    RowStatus.REFUSED: N_("refused"),
    RowStatus.UNCHANGED: N_("already here: unchanged"),
}
# Refused first, then what needs a person, then the rest: the order of the result file.
STATUS_ORDER = (
    RowStatus.REFUSED, RowStatus.POSSIBLE_DUPLICATE, RowStatus.NEW, RowStatus.UPDATE,
    RowStatus.UNCHANGED,
)  # fmt: skip


def status_label(status: RowStatus) -> str:
    return tr(STATUS_LABELS[status])


@dataclass(frozen=True)
class RowResult:
    row: int  # the spreadsheet's row number (1 = the header of a plain list)
    status: RowStatus
    reason: str
    name: str  # as read, for showing


@dataclass(frozen=True)
class Plan:
    """What the import does with one row: a new registration, or fields filled."""

    row: int
    form: RegistrationForm | None = None
    registered_on: date | None = None
    registered_by_id: int | None = None
    participant_id: int | None = None
    fill: tuple[tuple[str, Any], ...] = ()
    elsewhere: bool = False  # the branch's list flags the NIK: recorded as the form does


@dataclass(frozen=True)
class Checked:
    """A checked list: each row's status and reason, and the notes for the summary."""

    sheet: Sheet
    mapping: Mapping
    ref: str  # the file's short reference (never its name): stored with what it imports
    rows: tuple[RowResult, ...]
    notes: tuple[str, ...]
    plans: dict[int, Plan] = field(default_factory=dict, repr=False, compare=False)

    def summary(self) -> dict[str, int]:
        counts = {status.value: 0 for status in RowStatus}
        for row in self.rows:
            counts[row.status.value] += 1
        return counts

    def ordered(self) -> list[RowResult]:
        """Refused rows first, then possible duplicates, then the rest; each in file order."""
        rank = {status: i for i, status in enumerate(STATUS_ORDER)}
        return sorted(self.rows, key=lambda r: (rank[r.status], r.row))


def sheet_ref(sheet: Sheet, mapping: Mapping) -> str:
    """A short reference of the checked content (never the file's name, which may name a
    person): the same list read the same way has the same one."""
    digest = hashlib.sha256(repr((sheet.headers, mapping.columns)).encode())
    for row in sheet.rows:
        digest.update(repr((row.number, row.cells)).encode())
    return digest.hexdigest()[:12]


def check(
    db: Database,
    folder: DataFolder,
    sheet: Sheet,
    mapping: Mapping,
    *,
    progress: Progress | None = None,
) -> Checked:
    """Each row's status and reason (the module's docstring); nothing is saved."""
    _require_columns(mapping)
    key = erased_key_of(db)
    with db.reading() as session:
        return decide(session, sheet, mapping, key, progress or SilentProgress())


def _require_columns(mapping: Mapping) -> None:
    missing = mapping.missing()
    if missing:
        names = ", ".join(field_label(f) for f in missing)
        raise UserError("import_columns_missing", fields=names)
    twice = mapping.twice()
    if twice:
        raise UserError("import_column_twice", fields=", ".join(field_label(f) for f in twice))


# --- one row as read -----------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    name: str
    problems: list[str] = field(default_factory=list)
    form: RegistrationForm | None = None
    given: set[str] = field(default_factory=set)  # the form's fields the row had
    registered_on: date | None = None
    volunteer: str = ""
    defaulted: list[str] = field(default_factory=list)


@dataclass
class _Context:
    post: Post
    today: date
    lowest_income: int
    volunteers: dict[str, int]
    village_names: dict[str, list[areas.Area]]
    orders: dict[str, str | None] = field(default_factory=dict)  # date columns' day/month order
    sheet_volunteer: str = ""  # the sheet's name, when it is a volunteer's here


def _context(session: Session, post: Post) -> _Context:
    today = local_date(operation_time(session), post.timezone)
    volunteers = {
        _name_key(v.name): v.id
        for v in session.scalars(select(Volunteer).where(Volunteer.post_id == post.id))
    }
    return _Context(post, today, income_brackets(today)[0], volunteers, _villages(post))


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _villages(post: Post) -> dict[str, list[areas.Area]]:
    """The desa of the post's province by their plain name (``Sukamaju`` is in many kabupaten:
    the post's own come first)."""
    found: dict[str, list[areas.Area]] = {}
    for village in areas.province_villages(post.kabupaten_code[:2]).values():
        found.setdefault(_desa_key(village.name), []).append(village)
    home = post.kabupaten_code
    for key in found:
        found[key].sort(key=lambda a: (not a.code.startswith(home), a.code))
    return found


def _desa_key(name: str) -> str:
    words = name.casefold().replace(".", " ").split()
    while words and words[0] in ("desa", "kelurahan", "kel", "ds"):
        words = words[1:]
    return " ".join(words)


def _cell(sheet: Sheet, mapping: Mapping, row: SheetRow, name: str) -> Any:
    column = mapping.column_of(name)
    return None if column is None else sheet.value(row, column)


def _read_row(sheet: Sheet, mapping: Mapping, row: SheetRow, ctx: _Context) -> _Row:
    def cell(name: str) -> Any:
        return _cell(sheet, mapping, row, name)

    def given(name: str) -> bool:  # a cell with only spaces is an empty one
        return values.text(cell(name)) != ""

    read = _Row(row.number, values.text(cell("name"))[:100])
    problems = read.problems

    def take(name: str, reader: Any, **kwargs: Any) -> Any:
        try:
            return reader(cell(name), **kwargs)
        except values.CellProblem as problem:
            problems.append(f"{field_label(name)}: {problem.reason}")
            return None

    place, ttl_date = values.place_and_date(cell("ttl")) if given("ttl") else ("", None)
    nik = take("nik", values.nik)
    hint = _nik_birth(nik, ctx.today)
    birth_value = cell("birth_date") if given("birth_date") else ttl_date
    birth = _read_date(
        birth_value, "birth_date", problems, hint=hint, today=ctx.today,
        order=ctx.orders.get("birth_date"),
    )  # fmt: skip
    sex = take("sex", values.sex)
    desa_code = _desa(cell("desa"), cell("kecamatan"), ctx, problems)
    registered_on: date | None = ctx.today
    if given("registered_on"):
        registered_on = _read_date(
            cell("registered_on"), "registered_on", problems, today=ctx.today,
            order=ctx.orders.get("registered_on"),
        )  # fmt: skip
        if registered_on is not None and registered_on > ctx.today:
            problems.append(f"{field_label('registered_on')}: {tr('in the future')}")
    rt, rw = values.text(cell("rt")), values.text(cell("rw"))
    if given("rt_rw"):
        rt, rw = values.rt_rw(cell("rt_rw"))
    income = ctx.lowest_income
    if given("income"):
        income = take("income", values.rupiah) or ctx.lowest_income
    with_jht = bool(given("with_jht") and take("with_jht", values.yes_no))
    texts = {name: values.text(cell(name)) for name in ("birth_place", "street", "occupation")}
    if not texts["birth_place"] and place:
        texts["birth_place"] = place
    for name in _DEFAULTED:
        if not texts[name]:
            texts[name] = UNKNOWN
            read.defaulted.append(name)
    phone = values.phone(cell("phone")) if given("phone") else ""
    read.form = RegistrationForm(
        nik=nik or "",
        name=read.name,
        birth_place=texts["birth_place"],
        birth_date=birth,
        sex=sex or "",
        street=texts["street"],
        rt=rt,
        rw=rw,
        desa_code=desa_code or "",
        phone=phone,
        occupation=texts["occupation"],
        income=income,
        with_jht=with_jht,
        heir_name=values.text(cell("heir_name")),
        heir_relation=values.text(cell("heir_relation")),
        consent=True,  # confirmed once per file by the coordinator, at the import
    )
    read.given = {
        name for name in ("name", *_FILLABLE) if values.text(getattr(read.form, name))
    } - set(read.defaulted)
    read.given |= {
        name for name, value in (("birth_date", birth), ("sex", sex), ("desa_code", desa_code))
        if value
    }  # fmt: skip
    read.registered_on = registered_on
    # No volunteer column: a workbook kept one sheet per volunteer, named after them.
    read.volunteer = (
        values.text(cell("volunteer"))
        if mapping.column_of("volunteer") is not None
        else ctx.sheet_volunteer
    )
    if not read.name:
        problems.append(f"{field_label('name')}: {tr(FIELD_MESSAGES['required'])}")
    return read


def _nik_birth(nik: str | None, today: date) -> date | None:
    """The birth date a NIK states (20YY unless that is still to come, as the NIK check reads
    it), to read an ambiguous date the way it agrees; None if the NIK does not state one."""
    if nik is None or not re.fullmatch(r"[0-9]{16}", nik):
        return None
    day, month, yy = int(nik[6:8]) % 40, int(nik[8:10]), int(nik[10:12])
    try:
        born = date(2000 + yy, month, day)
        return born if born <= today else date(1900 + yy, month, day)
    except ValueError:
        return None


def _read_date(
    value: Any,
    name: str,
    problems: list[str],
    *,
    hint: date | None = None,
    today: date,
    order: str | None = None,
) -> date | None:
    try:
        found = values.a_date(value, hint=hint, today=today, order=order)
    except values.CellProblem as problem:
        problems.append(f"{field_label(name)}: {problem.reason}")
        return None
    return found


def _desa(value: Any, kecamatan: Any, ctx: _Context, problems: list[str]) -> str | None:
    """A desa code (``32.09.14.2001`` or ``3209142001``) or a desa name; by name within the
    kecamatan when the list has one, the post's kabupaten first."""
    label = field_label("desa")
    tidy = values.text(value)
    if not tidy:
        problems.append(f"{label}: {tr(FIELD_MESSAGES['required'])}")
        return None
    digits = re.sub(r"[^0-9]", "", tidy)
    if len(digits) == 10 and len(re.sub(r"[0-9.\s]", "", tidy)) == 0:
        code = f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
        if areas.area(code) is not None:
            return code
        problems.append(f"{label}: {tr('no desa has the code {code}', code=code)}")
        return None
    found = ctx.village_names.get(_desa_key(tidy), [])
    district = values.text(kecamatan).casefold().removeprefix("kec. ").removeprefix("kecamatan ")
    if district:
        found = [v for v in found if _district_name(v.code).casefold() == district.strip()]
    home = [v for v in found if v.code.startswith(ctx.post.kabupaten_code)]
    chosen = home or found
    if len(chosen) == 1:
        return chosen[0].code
    if not chosen:
        problems.append(f"{label}: {tr('no desa {name} in this province', name=tidy[:40])}")
    else:
        problems.append(
            f"{label}: "
            + tr(
                "{name} is the name of {count} desa: give its code, or a Kecamatan column",
                name=tidy[:40],
                count=len(chosen),
            )
        )
    return None


def _district_name(code: str) -> str:
    district = areas.area(code[:8])
    return district.name if district else ""


# --- deciding ------------------------------------------------------------------------------------


def decide(
    session: Session,
    sheet: Sheet,
    mapping: Mapping,
    erased_key: bytes | None,
    progress: Progress,
) -> Checked:
    """Every row's status, from what ``session`` sees (a reading, or the import's transaction)."""
    post = the_post(session)
    ctx = _context(session, post)
    if sheet.kind == "xlsx" and _name_key(sheet.name) in ctx.volunteers:
        ctx.sheet_volunteer = sheet.name
    for name in ("birth_date", "registered_on", "ttl"):
        column = mapping.column_of(name)
        if column is not None:
            cells = [sheet.value(row, column) for row in sheet.rows]
            if name == "ttl":
                cells = [values.place_and_date(cell)[1] for cell in cells]
            ctx.orders["birth_date" if name == "ttl" else name] = values.column_order(cells)
    total = len(sheet.rows) * 2
    read: list[_Row] = []
    for index, sheet_row in enumerate(sheet.rows):
        if index % 250 == 0:
            progress.step(index, total, tr("Reading the rows"))
        read.append(_read_row(sheet, mapping, sheet_row, ctx))
    for index, row in enumerate(read):
        if index % 250 == 0:
            progress.step(len(read) + index // 2, total, tr("Checking the rows"))
        _form_checks(row, ctx, post)
    existing = _existing(session, post.id, [r.form.nik for r in read if r.form])
    results: list[RowResult] = []
    plans: dict[int, Plan] = {}
    seen_nik: dict[str, int] = {}
    newcomers: dict[date, list[tuple[str, int]]] = {}
    births = {r.form.birth_date for r in read if r.form and r.form.birth_date and not r.problems}
    here = _same_birth(session, post.id, births)
    niks = [r.form.nik for r in read if r.form and re.fullmatch(r"[0-9]{16}", r.form.nik)]
    erased = _erased(session, post.id, erased_key, niks)
    elsewhere = elsewhere_of(session, niks)
    for index, row in enumerate(read):
        if index % 250 == 0:
            progress.step(
                len(read) + len(read) // 2 + index // 2, total, tr("Looking for duplicates")
            )
        result, plan = _decide_row(row, ctx, elsewhere, existing, seen_nik, newcomers, here, erased)
        results.append(result)
        if plan is not None:
            plans[row.number] = plan
    progress.step(total, total, tr("Checked"))
    notes = _notes(sheet, read, results, ctx)
    return Checked(sheet, mapping, sheet_ref(sheet, mapping), tuple(results), notes, plans)


def _form_checks(row: _Row, ctx: _Context, post: Post) -> None:
    """The registration form's own checks, with the form's own words."""
    if row.form is None or row.registered_on is None:
        return
    said = {problem.split(":", 1)[0] for problem in row.problems}
    try:
        check_form(row.form, post, row.registered_on)
    except InvalidRegistration as invalid:
        for name, message in invalid.fields.items():
            label = field_label(_FORM_FIELDS.get(name, name))
            if label not in said:  # a cell that could not be read is said once, as read
                row.problems.append(f"{label}: {message}")


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _existing(session: Session, post_id: int, niks: list[str]) -> dict[str, Participant]:
    found: dict[str, Participant] = {}
    unique = sorted(set(niks))
    for chunk in _chunks(unique):
        for person in session.scalars(
            select(Participant).where(Participant.post_id == post_id, Participant.nik.in_(chunk))
        ):
            found.setdefault(person.nik, person)
    return found


@dataclass(frozen=True)
class _Here:
    id: int
    registration_no: str
    name: str
    standing: str


def _same_birth(session: Session, post_id: int, births: set[date]) -> dict[date, list[_Here]]:
    p = Participant
    found: dict[date, list[_Here]] = {}
    for chunk in _chunks(sorted(births)):
        for id_, regno, name, born, standing in session.execute(
            select(p.id, p.registration_no, p.name, p.birth_date, p.standing).where(
                p.post_id == post_id, p.birth_date.in_(chunk), p.name != ""
            )
        ):
            found.setdefault(born, []).append(_Here(id_, regno, name, standing))
    return found


def _erased(session: Session, post_id: int, key: bytes | None, niks: list[str]) -> dict[str, str]:
    """Keyed NIK of the rows' NIKs → the registration erased at the person's request."""
    if key is None:
        return {}
    keyed = {keyed_nik(key, nik): nik for nik in set(niks) if re.fullmatch(r"[0-9]{16}", nik)}
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(keyed)):
        # By the keyed NIK's own index: with the post's too, the planner would walk the post.
        for regno, value, post in session.execute(
            select(Participant.registration_no, Participant.nik_keyed, Participant.post_id).where(
                Participant.nik_keyed.in_(chunk)
            )
        ):
            if value is not None and post == post_id:
                found[keyed[value]] = regno
    return found


def _decide_row(
    row: _Row,
    ctx: _Context,
    elsewhere: set[str],
    existing: dict[str, Participant],
    seen_nik: dict[str, int],
    newcomers: dict[date, list[tuple[str, int]]],
    here: dict[date, list[_Here]],
    erased: dict[str, str],
) -> tuple[RowResult, Plan | None]:
    def result(status: RowStatus, reason: str) -> RowResult:
        return RowResult(row.number, status, reason, row.name)

    form = row.form
    assert form is not None
    nik = form.nik
    if nik in seen_nik:  # the second row of a NIK, whatever became of the first
        twice = tr("the same NIK is on row {row}", row=seen_nik[nik])
        return result(RowStatus.REFUSED, "; ".join([twice, *row.problems])), None
    if re.fullmatch(r"[0-9]{16}", nik):
        seen_nik[nik] = row.number
    same = existing.get(nik)
    if same is not None:  # someone here: what the row lacks or got wrong is never a refusal
        return _already_here(row, same)
    if row.problems:
        return result(RowStatus.REFUSED, "; ".join(row.problems)), None
    assert form.birth_date is not None and row.registered_on is not None
    candidates = [
        f"{h.registration_no} {h.name}"
        for h in here.get(form.birth_date, [])
        if likely_same_person(form.name, h.name)
    ]
    if nik in erased:
        candidates.append(f"{erased[nik]} ({tr(ERASED_CANDIDATE)})")
    candidates += [
        tr("row {row}", row=number)
        for other, number in newcomers.get(form.birth_date, [])
        if likely_same_person(form.name, other)
    ]
    newcomers.setdefault(form.birth_date, []).append((form.name, row.number))
    volunteer_id = ctx.volunteers.get(_name_key(row.volunteer)) if row.volunteer else None
    notes: list[str] = []
    if row.volunteer and volunteer_id is None:
        notes.append(
            tr(
                "volunteer {name} is not an account here: the coordinator's",
                name=row.volunteer[:40],
            )
        )
    if nik in elsewhere:
        notes.append(
            tr("the branch's list: possibly registered at another post or with BPJS already")
        )
    plan = Plan(row.number, form, row.registered_on, volunteer_id, elsewhere=nik in elsewhere)
    if candidates:
        reason = tr("possibly the same person as {who}", who="; ".join(candidates[:3]))
        return result(RowStatus.POSSIBLE_DUPLICATE, "; ".join([reason, *notes])), plan
    return result(RowStatus.NEW, "; ".join(notes)), plan


def _already_here(row: _Row, same: Participant) -> tuple[RowResult, Plan | None]:
    def result(status: RowStatus, reason: str) -> RowResult:
        return RowResult(row.number, status, reason, row.name)

    if same.standing == Standing.ENDED.value:
        reason = tr(
            "{regno}: membership ended at the person's request; not registered again",
            regno=same.registration_no,
        )
        return result(RowStatus.REFUSED, reason), None
    if same.standing != Standing.MEMBER.value:
        reason = tr(
            "the NIK is {regno}'s, whose registration was withdrawn or rejected: register them "
            "in the form",
            regno=same.registration_no,
        )
        return result(RowStatus.REFUSED, reason), None
    assert row.form is not None
    wanted = record_values(row.form)
    other = _someone_else(row, same, wanted)
    if other:  # a NIK typed wrong is someone else's: their record is never filled from it
        reason = tr(
            "the NIK is {regno}'s ({name}), whose {fields} differ: check the NIK against the KTP",
            regno=same.registration_no,
            name=same.name,
            fields=", ".join(other),
        )
        return result(RowStatus.REFUSED, reason), None
    fill: list[tuple[str, Any]] = []
    differs: list[str] = []
    for name in _COMPARED:
        if name not in row.given:
            continue
        new, old = wanted[name], getattr(same, name)
        if new in (None, "") or new == old:
            continue
        if old in (None, "", UNKNOWN) and name in _FILLABLE and _fillable(name, new):
            fill.append((name, new))
        else:
            differs.append(field_label(_FORM_FIELDS.get(name, name)))
    said = tr("already here as {regno}", regno=same.registration_no)
    parts = [said]
    if fill:
        filled = ", ".join(field_label(_FORM_FIELDS.get(n, n)) for n, _ in fill)
        parts.append(tr("will fill {fields}", fields=filled))
    if differs:
        parts.append(tr("differs in {fields} (not changed)", fields=", ".join(differs)))
    status = RowStatus.UPDATE if fill else RowStatus.UNCHANGED
    plan = Plan(row.number, participant_id=same.id, fill=tuple(fill)) if fill else None
    return result(status, "; ".join(parts)), plan


def _someone_else(row: _Row, same: Participant, wanted: dict[str, Any]) -> list[str]:
    """The fields that say the row is not the person the NIK belongs to here: another name (by
    the form's matcher), birth date or sex."""
    found = []
    if "name" in row.given and not likely_same_person(wanted["name"], same.name):
        found.append(field_label("name"))
    for name in ("birth_date", "sex"):
        if name in row.given and wanted[name] != getattr(same, name):
            found.append(field_label(name))
    return found


# The form's limits (``registration.check_form``), for what fills an empty field.
_LIMITS = {"birth_place": 60, "street": 150, "occupation": 60, "heir_name": 100,
           "heir_relation": 30}  # fmt: skip


def _fillable(name: str, value: Any) -> bool:
    if name == "phone":
        return normalize_phone(str(value)) is not None
    if name in ("rt", "rw"):
        return re.fullmatch(r"[0-9]{1,3}", str(value)) is not None
    return len(str(value)) <= _LIMITS.get(name, 100)


def _notes(
    sheet: Sheet, read: list[_Row], results: list[RowResult], ctx: _Context
) -> tuple[str, ...]:
    notes: list[str] = list(sheet.notes)
    for name in _DEFAULTED:
        count = sum(1 for r in read if name in r.defaulted)
        if count:
            notes.append(
                tr(
                    "{field}: \u201c{value}\u201d for {count} rows that have none",
                    field=field_label(name),
                    value=UNKNOWN,
                    count=formats.number(count),
                )
            )
    notes.append(
        tr(
            "Income: the lowest bracket and JKK + JKM only, where a row says none.",
        )
    )
    notes.append(
        tr(
            "No receipts are made up: earlier payments are not in a list of names, so whoever "
            "has no free cover is \u201cnot yet covered\u201d until someone pays."
        )
    )
    if ctx.sheet_volunteer:
        notes.append(
            tr(
                "Registered by {name}: the sheet bears that volunteer's name.",
                name=ctx.sheet_volunteer,
            )
        )
    if sheet.others:
        notes.append(
            tr("The workbook has other sheets too: {names}.", names=", ".join(sheet.others))
        )
    return tuple(notes)


def with_reason(plan: Plan, reason: str) -> Plan:
    """A possible duplicate a person decided to register: their reason is stored with it."""
    assert plan.form is not None
    return replace(plan, form=replace(plan.form, duplicate_reason=reason))
