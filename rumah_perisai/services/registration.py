"""Registering a walk-in, correcting, withdrawing and reactivating a registration.

Every check of the form runs here (the window only shows what comes back), so the command line,
the window and the tests get the same answers. Checks come in three kinds:

* field errors (``InvalidRegistration.fields``): bad NIK, empty name, phone that is not
  Indonesian, ... — one message per field, nothing saved;
* the same NIK already registered at this post: refused (``DuplicateNik``, with the record to open);
* a similar name with the same birth date: a warning (``PossibleDuplicates``) that only an
  explicit confirmation with a reason gets past; the reason is stored and goes to the branch;
* a NIK the branch's list flags (``possibly_registered_elsewhere``): possibly registered at
  another post. Only a hint — the list is of truncated hashes shared by many NIKs, and the branch
  decides — so it never blocks; the registration records that it was flagged (``ELSEWHERE_NOTE``
  in ``duplicate_override_reason``, which goes to the branch).
A NIK whose birth date or sex disagrees with the KTP is registered only by a coordinator, with a
reason (stored, and flagged in the batch).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rumah_perisai import areas
from rumah_perisai.db.models import CoverPeriod, Participant, Post, ReceiptMonth
from rumah_perisai.db.status import store_summary
from rumah_perisai.db.uow import Database, next_number, next_numbers, operation_time
from rumah_perisai.domain.coverage import (
    CoverHistory,
    Standing,
    Status,
    status_label,
    status_on,
    summarize,
)
from rumah_perisai.domain.dues import DuesBreakdown, DuesError, monthly_dues
from rumah_perisai.domain.errors import RuleError
from rumah_perisai.domain.months import add_months, first_of_month
from rumah_perisai.domain.names import likely_same_person
from rumah_perisai.domain.nik import InvalidNik, normalize_nik, validate_nik
from rumah_perisai.domain.personal_data import keyed_nik
from rumah_perisai.domain.promotion import PromotionCover, promotion_cover
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.domain.working_age import check_working_age
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, tr
from rumah_perisai.keys import POST_KEY_FILE
from rumah_perisai.services.acks import possibly_elsewhere
from rumah_perisai.services.posts import local_post
from rumah_perisai.services.volunteers import Actor, require_coordinator

_PHONE = re.compile(r"08[0-9]{8,11}")
_RT_RW = re.compile(r"[0-9]{1,3}")
_NIK = re.compile(r"[0-9]{16}")
MAX_NAME = 100

FIELD_MESSAGES = {
    "required": N_("Fill this in."),
    "too_long": N_("At most {limit} characters."),
    "sex": N_("Choose L (male) or P (female)."),
    "rt_rw": N_("A number of up to 3 digits."),
    "desa": N_("Choose the desa from the list."),
    "phone": N_("An Indonesian mobile number: 08… or +62 8…, 10–13 digits."),
    "future": N_("The birth date is in the future."),
}
# Recorded with a registration whose NIK the branch's list flagged (in the language of the screen,
# as the branch's own reasons are): the branch sees the post was warned and registered anyway.
ELSEWHERE_NOTE = N_(
    "The branch's list said: possibly registered at another post. Registered anyway, for the "
    "branch to decide."
)


@dataclass(frozen=True)
class RegistrationForm:
    """What the volunteer typed. Strings as typed; the service tidies and checks them."""

    nik: str
    name: str
    birth_place: str
    birth_date: date | None
    sex: str
    street: str
    rt: str
    rw: str
    desa_code: str
    phone: str
    occupation: str
    income: int
    with_jht: bool
    heir_name: str
    heir_relation: str
    consent: bool
    # Set only after the form showed the matching warning and a person decided:
    nik_override_reason: str = ""  # a coordinator registers a NIK that disagrees with the KTP
    duplicate_reason: str = ""  # "not the same person" after a possible-duplicate warning


class InvalidRegistration(UserError):
    """One message per field that needs correcting."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("registration_invalid", fields=", ".join(fields))
        self.fields = fields


class DuplicateNik(UserError):
    def __init__(self, participant_id: int, registration_no: str, name: str, nik: str) -> None:
        super().__init__("duplicate_nik", nik=nik, registration_no=registration_no, name=name)
        self.participant_id = participant_id


@dataclass(frozen=True)
class Candidate:
    participant_id: int
    registration_no: str
    name: str
    birth_date: date
    desa_name: str


class PossibleDuplicates(UserError):
    def __init__(self, candidates: list[Candidate]) -> None:
        super().__init__("possible_duplicate", names=", ".join(c.name for c in candidates))
        self.candidates = candidates


@dataclass(frozen=True)
class Registered:
    participant_id: int
    registration_no: str
    name: str
    promotion: PromotionCover | None
    monthly_dues: DuesBreakdown


@dataclass
class _Checked:
    form: RegistrationForm
    errors: dict[str, str] = field(default_factory=dict)


# --- checks --------------------------------------------------------------------------------------


def _text(checked: _Checked, name: str, value: str, *, required: bool, limit: int) -> str:
    tidy = value.strip()
    if required and not tidy:
        checked.errors[name] = tr(FIELD_MESSAGES["required"])
    elif len(tidy) > limit:
        checked.errors[name] = tr(FIELD_MESSAGES["too_long"], limit=limit)
    return tidy


def normalize_phone(value: str) -> str | None:
    """``+62 812-3456-7890`` → ``081234567890``; None if it is not an Indonesian mobile number."""
    digits = re.sub(r"[\s\-().]", "", value)
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits if _PHONE.fullmatch(digits) else None


def _check_nik(checked: _Checked, registered_on: date) -> str:
    form = checked.form
    nik = normalize_nik(form.nik)
    try:
        validate_nik(nik, form.birth_date, form.sex or None, today=registered_on)
    except InvalidNik as error:
        mismatch = error.code in ("birth_date_mismatch", "sex_mismatch")
        if not (mismatch and form.nik_override_reason.strip()):
            checked.errors["nik"] = str(error)
    except RuleError as error:
        checked.errors["sex"] = str(error)
    return nik


def _check_person(checked: _Checked, registered_on: date) -> None:
    form = checked.form
    if form.birth_date is None:
        checked.errors["birth_date"] = tr(FIELD_MESSAGES["required"])
    elif form.birth_date > registered_on:
        checked.errors["birth_date"] = tr(FIELD_MESSAGES["future"])
    else:
        try:
            check_working_age(form.birth_date, registered_on)
        except RuleError as error:
            checked.errors["birth_date"] = str(error)
    if form.sex not in ("L", "P"):
        checked.errors["sex"] = tr(FIELD_MESSAGES["sex"])


def _check_address(checked: _Checked, post: Post) -> None:
    form = checked.form
    for name, value in (("rt", form.rt), ("rw", form.rw)):
        if value.strip() and not _RT_RW.fullmatch(value.strip()):
            checked.errors[name] = tr(FIELD_MESSAGES["rt_rw"])
    desa = areas.area(form.desa_code.strip())
    if desa is None or len(desa.code) != 13:
        checked.errors["desa_code"] = tr(FIELD_MESSAGES["desa"])
    if form.phone.strip() and normalize_phone(form.phone) is None:
        checked.errors["phone"] = tr(FIELD_MESSAGES["phone"])


def _check_dues(checked: _Checked, month: date) -> DuesBreakdown | None:
    form = checked.form
    try:
        return monthly_dues(form.income, programmes(form.with_jht), month)
    except DuesError as error:
        checked.errors["income"] = str(error)
        return None


def first_dues_month(registered_on: date) -> date:
    """The first month the participant pays for: after the promotion, or this month."""
    promotion = promotion_cover(registered_on)
    return add_months(promotion.end, 1) if promotion else first_of_month(registered_on)


def programmes(with_jht: bool) -> tuple[str, ...]:
    return ("JKK", "JKM", "JHT") if with_jht else ("JKK", "JKM")


def check_form(form: RegistrationForm, post: Post, registered_on: date) -> DuesBreakdown:
    """Every field check at once; raises ``InvalidRegistration`` listing each field's problem."""
    checked = _Checked(form)
    _text(checked, "name", form.name, required=True, limit=MAX_NAME)
    _text(checked, "birth_place", form.birth_place, required=True, limit=60)
    _text(checked, "street", form.street, required=True, limit=150)
    _text(checked, "occupation", form.occupation, required=True, limit=60)
    _text(checked, "heir_name", form.heir_name, required=False, limit=MAX_NAME)
    _text(checked, "heir_relation", form.heir_relation, required=False, limit=30)
    _check_person(checked, registered_on)
    _check_nik(checked, registered_on)
    _check_address(checked, post)
    dues = _check_dues(checked, first_dues_month(registered_on))
    if not form.consent:
        checked.errors["consent"] = tr("The participant must agree to their data being processed.")
    if checked.errors:
        raise InvalidRegistration(checked.errors)
    assert dues is not None
    return dues


def _nik_disagrees(form: RegistrationForm, registered_on: date) -> bool:
    try:
        validate_nik(form.nik, form.birth_date, form.sex, today=registered_on)
    except InvalidNik:
        return True
    return False


def find_duplicates(
    session: Session, post_id: int, name: str, birth_date: date, *, exclude: int | None = None
) -> list[Candidate]:
    """People at this post born the same day whose names are likely the same person's."""
    p = Participant
    rows = session.execute(
        select(p.id, p.registration_no, p.name, p.desa_code, p.standing)
        .where(p.post_id == post_id, p.birth_date == birth_date, p.name != "")
        .order_by(p.id)
    )
    found = []
    for id_, registration_no, other, desa_code, standing in rows:
        if id_ != exclude and likely_same_person(name, other):
            desa = areas.area(desa_code)
            if standing == Standing.ENDED.value:  # said, so nobody takes them for a member
                other = f"{other} ({status_label(Status.ENDED)})"
            found.append(
                Candidate(id_, registration_no, other, birth_date, desa.name if desa else "")
            )
    return found


ERASED_CANDIDATE = N_("previously registered, data erased at their request")


def erased_candidates(
    session: Session, post_id: int, nik: str, key: bytes | None
) -> list[Candidate]:
    """This post's participants erased at their request whose keyed NIK is ``nik``'s."""
    if key is None:
        return []
    keyed = keyed_nik(key, nik)
    found = session.scalars(
        select(Participant).where(Participant.post_id == post_id, Participant.nik_keyed == keyed)
    )
    return [
        Candidate(p.id, p.registration_no, tr(ERASED_CANDIDATE), p.birth_date, "") for p in found
    ]


def erased_key_of(db: Database) -> bytes | None:
    """The post's key for erased NIKs, from the data folder ``db`` is in (None without one)."""
    from rumah_perisai.services.backup import folder_of
    from rumah_perisai.services.erasure import post_erasure_key

    folder = folder_of(db)
    if folder is None or not (folder.keys / POST_KEY_FILE).exists():
        return None
    return post_erasure_key(folder.keys)


def existing_nik(session: Session, post_id: int, nik: str) -> Participant | None:
    return session.scalars(
        select(Participant).where(Participant.post_id == post_id, Participant.nik == nik)
    ).first()


def possibly_registered_elsewhere(session: Session, nik: str) -> bool:
    """Whether the branch's list (from its acknowledgements) flags this NIK as possibly
    registered at another post: a warning to ask the branch, never a refusal. False for anything
    that is not 16 digits, and before the first acknowledgement brought a list."""
    digits = normalize_nik(nik)
    return bool(_NIK.fullmatch(digits)) and possibly_elsewhere(session, digits)


def phone_problem(value: str) -> str | None:
    """The phone field's message as saving would give it, for the form to say as the field is
    left; None for an empty or good number."""
    if value.strip() and normalize_phone(value) is None:
        return tr(FIELD_MESSAGES["phone"])
    return None


def agreement_problem(nik: str, birth_date: date | None, sex: str, today: date) -> str | None:
    """Whether a well-formed NIK disagrees with the birth date or sex entered, in the words
    saving would use; None when they agree or the NIK is not complete yet (its own check says
    that)."""
    try:
        validate_nik(nik, today=today)
    except InvalidNik:
        return None
    try:
        validate_nik(nik, birth_date, sex or None, today=today)
    except InvalidNik as error:
        return str(error)
    except RuleError as error:
        return str(error)
    return None


def default_desa(session: Session, post_id: int) -> str | None:
    """The desa a new walk-in most likely lives in: the post's own, if the post knows it, else
    the desa most of the post's participants were registered in (a village post serves its
    village). None before there is either."""
    post = session.get(Post, post_id)
    if post is not None and post.desa_code:
        return post.desa_code
    most = session.execute(
        select(Participant.desa_code, func.count())
        .where(Participant.post_id == post_id)
        .group_by(Participant.desa_code)
        .order_by(func.count().desc(), Participant.desa_code)
        .limit(1)
    ).first()
    return str(most[0]) if most else None


def with_elsewhere_note(reason: str) -> str:
    """``reason`` (a confirmed possible duplicate's, or "") with the note that the branch's list
    flagged the NIK; once only."""
    note = tr(ELSEWHERE_NOTE)
    tidy = reason.strip()
    if note in tidy:
        return tidy
    return f"{tidy}; {note}" if tidy else note


# --- registering ---------------------------------------------------------------------------------


def register(
    db: Database, form: RegistrationForm, actor: Actor, *, erased_key: bytes | None = None
) -> Registered:
    """Register a walk-in: checks, duplicate warnings, number, promotion cover — one operation.

    ``erased_key``: the post's key for erased NIKs (``services.erasure.post_erasure_key``), by
    default the one of the data folder ``db`` is in: a person erased at their request who
    registers again is a possible duplicate, said as such."""
    with db.unit_of_work(actor.label) as session:
        post = local_post(session)
        if post is None:
            raise UserError("no_post")
        now = operation_time(session)
        registered_on = local_date(now, post.timezone)
        check_form(form, post, registered_on)
        nik = normalize_nik(form.nik)
        if _nik_disagrees(form, registered_on) and not actor.is_coordinator:
            raise UserError("nik_override_needs_coordinator")
        same = existing_nik(session, post.id, nik)
        if same is not None and same.standing == Standing.ENDED.value:
            raise UserError("nik_ended", nik=nik, registration_no=same.registration_no)
        if same is not None:
            raise DuplicateNik(same.id, same.registration_no, same.name, nik)
        assert form.birth_date is not None
        candidates = find_duplicates(session, post.id, form.name.strip(), form.birth_date)
        candidates += erased_candidates(session, post.id, nik, erased_key or erased_key_of(db))
        if candidates and not form.duplicate_reason.strip():
            raise PossibleDuplicates(candidates)
        if not _nik_disagrees(form, registered_on):
            form = replace(form, nik_override_reason="")  # nothing to override: no false flag
        if not candidates:
            form = replace(form, duplicate_reason="")
        if possibly_registered_elsewhere(session, nik):  # warned, registered anyway: recorded
            form = replace(form, duplicate_reason=with_elsewhere_note(form.duplicate_reason))
        participant = add_participant(
            session, post, form, registered_on, registered_by_id=actor.volunteer_id
        )
        promotion = promotion_cover(registered_on)
        dues = monthly_dues(form.income, programmes(form.with_jht), first_dues_month(registered_on))
        return Registered(
            participant.id, participant.registration_no, participant.name, promotion, dues
        )


def add_participant(
    session: Session,
    post: Post,
    form: RegistrationForm,
    registered_on: date,
    *,
    registered_by_id: int | None,
) -> Participant:
    """Store a checked registration: its number, its record and the promotion's cover (if the
    promotion of ``registered_on`` gives one)."""
    (participant,) = add_participants(
        session, post, [NewRegistration(form, registered_on, registered_by_id)]
    )
    return participant


@dataclass(frozen=True)
class NewRegistration:
    """A checked registration to store (``add_participants``)."""

    form: RegistrationForm
    registered_on: date
    registered_by_id: int | None
    import_ref: str | None = None  # brought in from a spreadsheet (issue 20)


def add_participants(
    session: Session, post: Post, new: Sequence[NewRegistration]
) -> list[Participant]:
    """Store checked registrations as the form does, numbered in their order: the form stores
    one, a spreadsheet import thousands — numbered in one statement and written in one flush
    each for the records and their promotion cover, audited alike by the unit of work."""
    if not new:
        return []
    now = operation_time(session)
    first = next_numbers(session, post.code, "registration", len(new))
    people: list[Participant] = []
    promotions: list[PromotionCover | None] = []
    for offset, item in enumerate(new):
        number = first + offset
        promotion = promotion_cover(item.registered_on)
        participant = Participant(
            post_id=post.id,
            post_code=post.code,
            number=number,
            registration_no=f"{post.code}-{number:06d}",
            **record_values(item.form),
            consent_at=now,
            registered_on=item.registered_on,
            registered_at=now,
            registered_by_id=item.registered_by_id,
            nik_override_reason=item.form.nik_override_reason.strip() or None,
            duplicate_override_reason=item.form.duplicate_reason.strip() or None,
            standing=Standing.MEMBER.value,
            membership_start=item.registered_on,
            rejoin_count=0,
            promotion_code=promotion.campaign_code if promotion else None,
            import_ref=item.import_ref,
        )
        # A new membership: only the promotion (if any) covers it yet; stored before the first
        # flush so the record is created whole (one audit entry, not a create and an update).
        history = CoverHistory(
            Standing.MEMBER, item.registered_on, promotion.end if promotion else None, frozenset()
        )
        store_summary(participant, summarize(history))
        session.add(participant)
        people.append(participant)
        promotions.append(promotion)
    session.flush()
    covered = [(p, promotion) for p, promotion in zip(people, promotions, strict=True) if promotion]
    if covered:
        number = next_numbers(session, post.code, "cover_period", len(covered))
        for offset, (participant, promotion) in enumerate(covered):
            session.add(_cover(post, participant, promotion, number + offset))
        session.flush()
    return people


def add_cover_period(
    session: Session,
    post: Post,
    participant: Participant,
    kind: str,
    start: date,
    end: date,
    programme_names: tuple[str, ...],
    *,
    campaign_code: str | None = None,
    receipt_id: int | None = None,
) -> None:
    """Record a stretch of cover ("promotion" from a campaign, "paid" from a receipt)."""
    session.add(
        CoverPeriod(
            post_id=post.id,
            post_code=post.code,
            number=next_number(session, post.code, "cover_period"),
            participant_id=participant.id,
            kind=kind,
            start_date=start,
            end_date=end,
            programmes=" ".join(programme_names),
            campaign_code=campaign_code,
            receipt_id=receipt_id,
        )
    )


def _cover(
    post: Post, participant: Participant, promotion: PromotionCover, number: int
) -> CoverPeriod:
    return CoverPeriod(
        post_id=post.id, post_code=post.code, number=number, participant_id=participant.id,
        kind="promotion", start_date=promotion.start, end_date=promotion.end,
        programmes=" ".join(promotion.programmes), campaign_code=promotion.campaign_code,
        receipt_id=None,
    )  # fmt: skip


def cover_history(session: Session, participant: Participant) -> CoverHistory:
    """The participant's current membership as the cover rules read it (DOMAIN.md)."""
    paid = session.scalars(
        select(ReceiptMonth.month).where(
            ReceiptMonth.participant_id == participant.id,
            ReceiptMonth.voided_by_receipt_id.is_(None),
            ReceiptMonth.month >= first_of_month(participant.membership_start),
        )
    )
    promotion_end = None
    if participant.rejoin_count == 0 and participant.promotion_code is not None:
        promotion_end = session.scalars(
            select(CoverPeriod.end_date).where(
                CoverPeriod.participant_id == participant.id, CoverPeriod.kind == "promotion"
            )
        ).first()
    return CoverHistory(
        Standing(participant.standing),
        participant.membership_start,
        promotion_end,
        frozenset(paid),
    )


# --- after registration --------------------------------------------------------------------------

CORRECTABLE = (
    "nik", "name", "birth_place", "birth_date", "sex", "street", "rt", "rw", "desa_code",
    "phone", "occupation", "income", "with_jht", "heir_name", "heir_relation",
)  # fmt: skip


def _participant(session: Session, participant_id: int) -> tuple[Post, Participant]:
    post = local_post(session)
    participant = session.get(Participant, participant_id)
    if post is None or participant is None or participant.post_id != post.id:
        raise UserError("participant_missing", ref=participant_id)
    return post, participant


def form_of(participant: Participant) -> RegistrationForm:
    """The stored record as the form shows it (for corrections)."""
    return RegistrationForm(
        nik=participant.nik,
        name=participant.name,
        birth_place=participant.birth_place,
        birth_date=participant.birth_date,
        sex=participant.sex,
        street=participant.street,
        rt=participant.rt or "",
        rw=participant.rw or "",
        desa_code=participant.desa_code,
        phone=participant.phone or "",
        occupation=participant.occupation,
        income=participant.income,
        with_jht=participant.with_jht,
        heir_name=participant.heir_name or "",
        heir_relation=participant.heir_relation or "",
        consent=True,
        nik_override_reason=participant.nik_override_reason or "",
    )


IDENTITY_FIELDS = ("nik", "birth_date", "sex")


def correct(
    db: Database,
    participant_id: int,
    changes: dict[str, object],
    actor: Actor,
    reason: str = "",
    *,
    nik_override_reason: str = "",
    duplicate_reason: str = "",
) -> list[str]:
    """Correct fields of a registration; returns the fields that changed.

    The unit of work audits who, when, before and after, with ``reason``. The same checks as at
    registration apply to what changes: a NIK change needs a reason; a NIK, birth date or sex
    that then disagrees needs a coordinator and ``nik_override_reason``; a name or birth date
    that then matches someone else needs ``duplicate_reason``.
    """
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValueError(f"not correctable: {sorted(unknown)}")
    with db.unit_of_work(actor.label) as session:
        post, participant = _participant(session, participant_id)
        if participant.standing != Standing.MEMBER.value:
            raise UserError("already_withdrawn", name=participant.name)
        before = form_of(participant)
        identity_changed = any(name in changes for name in IDENTITY_FIELDS)
        after = replace(before, **changes)  # type: ignore[arg-type]
        if identity_changed:  # a disagreement now needs a fresh, explicit override
            after = replace(after, nik_override_reason=nik_override_reason)
        check_form(after, post, participant.registered_on)
        disagrees = _nik_disagrees(after, participant.registered_on)
        if disagrees and identity_changed and not actor.is_coordinator:
            raise UserError("nik_override_needs_coordinator")
        nik = normalize_nik(after.nik)
        if nik != participant.nik:
            if not reason.strip():
                raise InvalidRegistration({"nik": tr("Give a reason.")})
            same = existing_nik(session, post.id, nik)
            if same is not None:
                raise DuplicateNik(same.id, same.registration_no, same.name, nik)
        candidates: list[Candidate] = []
        if "name" in changes or "birth_date" in changes:
            assert after.birth_date is not None
            candidates = find_duplicates(
                session, post.id, after.name.strip(), after.birth_date, exclude=participant.id
            )
            if candidates and not duplicate_reason.strip():
                raise PossibleDuplicates(candidates)
        elsewhere = nik != participant.nik and possibly_registered_elsewhere(session, nik)
        tidy = record_values(after)
        changed = [name for name, value in tidy.items() if getattr(participant, name) != value]
        session.info["reason"] = reason.strip() or None
        for name in changed:
            setattr(participant, name, tidy[name])
        if not disagrees:
            participant.nik_override_reason = None
        elif identity_changed:
            participant.nik_override_reason = nik_override_reason.strip()
        if candidates:
            participant.duplicate_override_reason = duplicate_reason.strip()
        if elsewhere:  # a new NIK the branch's list flags: recorded as at registration
            participant.duplicate_override_reason = with_elsewhere_note(
                participant.duplicate_override_reason or ""
            )
        return changed


def record_values(form: RegistrationForm) -> dict[str, Any]:
    """The stored form of what the form holds (tidied; phone normalised; RT/RW zero-padded)."""
    return {
        "nik": normalize_nik(form.nik),
        "name": form.name.strip(),
        "birth_place": form.birth_place.strip(),
        "birth_date": form.birth_date,
        "sex": form.sex,
        "street": form.street.strip(),
        "rt": form.rt.strip().zfill(3) if form.rt.strip() else None,
        "rw": form.rw.strip().zfill(3) if form.rw.strip() else None,
        "desa_code": form.desa_code.strip(),
        "phone": normalize_phone(form.phone) if form.phone.strip() else None,
        "occupation": form.occupation.strip(),
        "income": form.income,
        "with_jht": form.with_jht,
        "heir_name": form.heir_name.strip() or None,
        "heir_relation": form.heir_relation.strip() or None,
    }


def withdraw(db: Database, participant_id: int, reason: str, actor: Actor) -> None:
    """A registration made by mistake: withdrawn by a coordinator with a reason, kept, visible."""
    require_coordinator(actor)
    if not reason.strip():
        raise UserError("reason_needed")
    with db.unit_of_work(actor.label) as session:
        _post, participant = _participant(session, participant_id)
        if participant.standing != Standing.MEMBER.value:
            raise UserError("already_withdrawn", name=participant.name)
        participant.standing = Standing.WITHDRAWN.value
        participant.standing_reason = reason.strip()


def rejoin(db: Database, participant_id: int, actor: Actor) -> date:
    """Reactivate a lapsed membership on the same record: it starts with the current month, with
    no second promotion, and counts as rejoined (DOMAIN.md, "Rejoining"). Returns the start."""
    with db.unit_of_work(actor.label) as session:
        post, participant = _participant(session, participant_id)
        today = local_date(operation_time(session), post.timezone)
        status = status_on(cover_history(session, participant), today)
        if status is not Status.LAPSED:
            raise UserError("not_lapsed", name=participant.name, status=status_label(status))
        participant.membership_start = first_of_month(today)
        participant.rejoin_count += 1
        # ``promotion_end`` and ``converted_on`` stay: the first membership's promotion and its
        # conversion (store_summary never clears the first; the receipts did not change).
        store_summary(participant, summarize(cover_history(session, participant)))
        return participant.membership_start


def load_form(db: Database, participant_id: int) -> RegistrationForm:
    """The registration as the form shows it, for a correction."""
    with db.reading() as session:
        _post, participant = _participant(session, participant_id)
        return form_of(participant)


def changed_fields(before: RegistrationForm, after: RegistrationForm) -> dict[str, object]:
    """What a correction changes, as ``correct`` takes it (only the correctable fields)."""
    old, new = record_values(before), record_values(after)
    return {name: getattr(after, name) for name in CORRECTABLE if old[name] != new[name]}
