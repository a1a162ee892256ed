"""Registering walk-ins: checks by the field, duplicates refused or confirmed, overrides by a
coordinator, numbers never reused, corrections audited, nothing ever deleted."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import AuditEntry, CoverPeriod, Participant
from rumah_perisai.errors import UserError
from rumah_perisai.services.posts import PostSummary, local_post
from rumah_perisai.services.registration import (
    DuplicateNik,
    InvalidRegistration,
    PossibleDuplicates,
    RegistrationForm,
    correct,
    register,
    rejoin,
    withdraw,
)
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    AccountSetup,
    Actor,
    actor_for,
    add_account,
)

# Their SQL differs by dialect: also on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.postgresql


def make_nik(birth: date, sex: str, serial: int = 1, region: str = "320914") -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def walk_in(**changes: Any) -> RegistrationForm:
    form = RegistrationForm(
        nik=make_nik(date(1990, 3, 12), "P"),
        name="Siti Aminah",
        birth_place="Cirebon",
        birth_date=date(1990, 3, 12),
        sex="P",
        street="Jl. Pantura Blok Kidul",
        rt="3",
        rw="12",
        desa_code="32.09.14.2001",
        phone="0812-3456-7890",
        occupation="Pedagang",
        income=1_000_000,
        with_jht=False,
        heir_name="Dede Sunarya",
        heir_relation="Suami",
        consent=True,
    )
    return replace(form, **changes)


@pytest.fixture
def accounts(app: App, post: PostSummary) -> dict[str, Actor]:
    with app.db.unit_of_work("cli:test") as session:
        the_post = local_post(session)
        assert the_post is not None
        coordinator = add_account(
            session, the_post, AccountSetup("Dewi Lestari", "482913"), ROLE_COORDINATOR
        )
        volunteer = add_account(
            session, the_post, AccountSetup("Ujang Hidayat", "570264"), ROLE_VOLUNTEER
        )
    return {"coordinator": actor_for(coordinator), "volunteer": actor_for(volunteer)}


def _participants(app: App) -> list[Participant]:
    with app.db.reading() as session:
        return list(session.scalars(select(Participant).order_by(Participant.id)))


def test_a_walk_in_gets_a_number_the_promotion_and_the_dues(
    app: App, accounts: dict[str, Actor]
) -> None:
    done = register(app.db, walk_in(), accounts["volunteer"])
    assert done.registration_no == "RP3209A-000001"
    assert done.promotion is not None
    # Registered 27 Nov 2026: free JKK + JKM to the end of February 2027.
    assert (done.promotion.start, done.promotion.end) == (date(2026, 11, 27), date(2027, 2, 28))
    assert (done.monthly_dues.jkk, done.monthly_dues.jkm, done.monthly_dues.total) == (
        10_000,
        6_800,
        16_800,
    )
    (stored,) = _participants(app)
    assert (stored.phone, stored.rt, stored.rw) == ("081234567890", "003", "012")
    assert stored.registered_by_id == accounts["volunteer"].volunteer_id
    assert (stored.promo_until, stored.cover_until) == (date(2027, 2, 28), date(2027, 2, 28))
    with app.db.reading() as session:
        cover = session.scalars(select(CoverPeriod)).one()
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "participants")
        ).all()
    assert (cover.kind, cover.programmes) == ("promotion", "JKK JKM")
    assert [e.actor for e in entries] == ["volunteer:RP3209A-V002 Ujang Hidayat"]


def test_numbers_are_never_reused(app: App, accounts: dict[str, Actor]) -> None:
    first = register(app.db, walk_in(), accounts["volunteer"])
    withdraw(app.db, first.participant_id, "salah input", accounts["coordinator"])
    second = register(
        app.db,
        walk_in(
            nik=make_nik(date(1985, 7, 1), "L"),
            name="Asep Saepudin",
            sex="L",
            birth_date=date(1985, 7, 1),
        ),
        accounts["volunteer"],
    )
    assert second.registration_no == "RP3209A-000002"
    assert [p.standing for p in _participants(app)] == ["withdrawn", "member"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"nik": "32091452039O0001"}, "nik", "NIK harus 16 angka."),
        ({"nik": "320914520390001"}, "nik", "NIK harus 16 angka."),
        ({"nik": "32091452039000011"}, "nik", "NIK harus 16 angka."),
        (
            {"nik": "3209147203900001"},
            "nik",
            "Tanggal lahir di NIK (720390) bukan tanggal yang ada.",
        ),
        ({"nik": "9909145203900001"}, "nik", "Kode provinsi NIK (99) tidak dikenal."),
        ({"birth_date": date(1990, 3, 13)}, "nik", "Tanggal lahir di NIK (12 Mar 1990) tidak sama"),
        ({"sex": "L"}, "nik", "Jenis kelamin di NIK (P) tidak sama dengan yang diisi (L)."),
        ({"birth_date": date(2027, 1, 1)}, "birth_date", "Tanggal lahir ada di masa depan."),
        (
            {"birth_date": date(2015, 3, 12), "nik": make_nik(date(2015, 3, 12), "P")},
            "birth_date",
            "Umur 11 tahun",
        ),
        ({"name": "   "}, "name", "Isi bagian ini."),
        ({"name": "A" * 101}, "name", "Paling banyak 100 huruf."),
        ({"phone": "021-5551234"}, "phone", "Nomor HP Indonesia"),
        ({"phone": "+1 555 0100 200"}, "phone", "Nomor HP Indonesia"),
        ({"desa_code": "32.09.14"}, "desa_code", "Pilih desa dari daftar."),
        ({"rt": "12a"}, "rt", "Angka paling banyak 3 digit."),
        ({"income": 1_050_000}, "income", "Penghasilan Rp 1.050.000 tidak ada dalam daftar"),
        ({"consent": False}, "consent", "Peserta harus menyetujui"),
    ],
)
def test_bad_input_is_a_message_by_the_field_and_saves_nothing(
    app: App, accounts: dict[str, Actor], changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidRegistration) as refused:
        register(app.db, walk_in(**changes), accounts["volunteer"])
    assert refused.value.fields[field].startswith(message), refused.value.fields
    assert _participants(app) == []


def test_names_are_stored_exactly_as_typed(app: App, accounts: dict[str, Actor]) -> None:
    name = "Nur'aini Siti Ḥalimah O'Brien-Sæther " + "x" * 63
    register(app.db, walk_in(name=f"  {name}  "), accounts["volunteer"])
    assert _participants(app)[0].name == name


def test_the_same_nik_is_refused_with_the_record_to_open(
    app: App, accounts: dict[str, Actor]
) -> None:
    first = register(app.db, walk_in(), accounts["volunteer"])
    with pytest.raises(DuplicateNik) as refused:
        register(app.db, walk_in(name="Siti Aminah Lestari"), accounts["coordinator"])
    assert refused.value.participant_id == first.participant_id
    assert "sudah terdaftar di sini sebagai RP3209A-000001" in refused.value.message()
    assert len(_participants(app)) == 1


def test_a_similar_name_with_the_same_birth_date_needs_a_confirmed_reason(
    app: App, accounts: dict[str, Actor]
) -> None:
    born = date(1999, 4, 12)
    register(
        app.db,
        walk_in(nik=make_nik(born, "L", 3), name="Muhammad Rizki", sex="L", birth_date=born),
        accounts["volunteer"],
    )
    twin = walk_in(nik=make_nik(born, "L", 7), name="Muhamad Rizky", sex="L", birth_date=born)
    with pytest.raises(PossibleDuplicates) as warned:
        register(app.db, twin, accounts["volunteer"])
    assert [c.name for c in warned.value.candidates] == ["Muhammad Rizki"]
    assert len(_participants(app)) == 1
    done = register(
        app.db, replace(twin, duplicate_reason="Kembar, KTP berbeda"), accounts["volunteer"]
    )
    stored = _participants(app)[-1]
    assert (stored.id, stored.duplicate_override_reason) == (
        done.participant_id,
        "Kembar, KTP berbeda",
    )


def test_a_nik_that_disagrees_with_the_ktp_needs_a_coordinator_and_a_reason(
    app: App, accounts: dict[str, Actor]
) -> None:
    odd = walk_in(
        birth_date=date(1990, 3, 13), nik_override_reason="KTP asli diperiksa; NIK salah cetak"
    )
    with pytest.raises(UserError) as refused:
        register(app.db, odd, accounts["volunteer"])
    assert refused.value.key == "nik_override_needs_coordinator"
    register(app.db, odd, accounts["coordinator"])
    (stored,) = _participants(app)
    assert stored.nik_override_reason == "KTP asli diperiksa; NIK salah cetak"
    assert stored.birth_date == date(1990, 3, 13)


def test_a_correction_is_audited_with_before_and_after(
    app: App, accounts: dict[str, Actor]
) -> None:
    done = register(app.db, walk_in(), accounts["volunteer"])
    changed = correct(
        app.db,
        done.participant_id,
        {"phone": "+62 857 1111 2222", "street": "Jl. Baru"},
        accounts["volunteer"],
    )
    assert sorted(changed) == ["phone", "street"]
    with app.db.reading() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None
    assert last.action == "update"
    assert json.loads(last.changes_json) == {
        "phone": ["081234567890", "085711112222"],
        "street": ["Jl. Pantura Blok Kidul", "Jl. Baru"],
    }


def test_a_nik_change_needs_a_reason(app: App, accounts: dict[str, Actor]) -> None:
    done = register(app.db, walk_in(), accounts["volunteer"])
    new_nik = make_nik(date(1990, 3, 12), "P", 9)
    with pytest.raises(InvalidRegistration) as refused:
        correct(app.db, done.participant_id, {"nik": new_nik}, accounts["volunteer"])
    assert "nik" in refused.value.fields
    correct(
        app.db, done.participant_id, {"nik": new_nik}, accounts["volunteer"], reason="Salah ketik"
    )
    assert _participants(app)[0].nik == new_nik


def test_withdrawn_registrations_stay_visible(app: App, accounts: dict[str, Actor]) -> None:
    done = register(app.db, walk_in(), accounts["volunteer"])
    with pytest.raises(UserError):
        withdraw(app.db, done.participant_id, "  ", accounts["coordinator"])
    withdraw(app.db, done.participant_id, "Daftar dua kali", accounts["coordinator"])
    (stored,) = _participants(app)
    assert (stored.standing, stored.standing_reason) == ("withdrawn", "Daftar dua kali")


def test_a_lapsed_participant_rejoins_on_the_same_record_without_a_second_promotion(
    app: App, accounts: dict[str, Actor], clock: Any
) -> None:
    done = register(app.db, walk_in(), accounts["volunteer"])  # free cover to 28 Feb 2027
    with pytest.raises(UserError) as refused:
        rejoin(app.db, done.participant_id, accounts["volunteer"])
    assert refused.value.key == "not_lapsed"
    clock.advance(days=200)  # 15 Jun 2027: arrears ended 31 May, lapsed since 1 Jun
    start = rejoin(app.db, done.participant_id, accounts["volunteer"])
    assert start == date(2027, 6, 1)
    (stored,) = _participants(app)
    assert (stored.rejoin_count, stored.membership_start, stored.promo_until) == (
        1,
        date(2027, 6, 1),
        None,
    )
    assert stored.cover_until is None  # not yet covered until the first payment


def test_the_history_of_a_new_registration_starts_with_its_creation(
    app: App, accounts: dict[str, Actor]
) -> None:
    from rumah_perisai.services.participant_view import participant_detail

    done = register(app.db, walk_in(), accounts["volunteer"])
    history = participant_detail(app.db, done.participant_id, date(2026, 11, 27)).history
    assert [(h.entity, h.action) for h in history] == [
        ("participants", "create"),
        ("cover_periods", "create"),
    ]
    assert history[0].changes["nik"] == "3209********0001"  # masked in the view


def test_reasons_are_stored_only_where_they_apply(app: App, accounts: dict[str, Actor]) -> None:
    form = walk_in(nik_override_reason="typed by habit", duplicate_reason="nobody similar")
    register(app.db, form, accounts["coordinator"])
    (stored,) = _participants(app)
    assert (stored.nik_override_reason, stored.duplicate_override_reason) == (None, None)


def test_a_correction_that_makes_a_likely_duplicate_needs_a_reason(
    app: App, accounts: dict[str, Actor]
) -> None:
    born = date(1999, 4, 12)
    rizki = walk_in(nik=make_nik(born, "L", 3), name="Muhammad Rizki", sex="L", birth_date=born)
    register(app.db, rizki, accounts["volunteer"])
    other = register(app.db, walk_in(), accounts["volunteer"])
    change = {
        "name": "Muhamad Rizky",
        "nik": make_nik(born, "L", 8),
        "sex": "L",
        "birth_date": born,
    }
    with pytest.raises(PossibleDuplicates):
        correct(app.db, other.participant_id, change, accounts["volunteer"], reason="KTP baru")
    correct(
        app.db, other.participant_id, change, accounts["volunteer"], reason="KTP baru",
        duplicate_reason="Orang lain, alamat berbeda",
    )  # fmt: skip
    stored = _participants(app)[-1]
    assert (stored.name, stored.duplicate_override_reason) == (
        "Muhamad Rizky",
        "Orang lain, alamat berbeda",
    )
    with app.db.reading() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and json.loads(last.changes_json)["_reason"] == "KTP baru"


def test_a_volunteer_cannot_correct_into_a_nik_that_disagrees(
    app: App, accounts: dict[str, Actor]
) -> None:
    odd = walk_in(birth_date=date(1990, 3, 13), nik_override_reason="NIK salah cetak")
    done = register(app.db, odd, accounts["coordinator"])
    with pytest.raises((UserError, InvalidRegistration)):  # the old override does not carry over
        correct(
            app.db, done.participant_id, {"birth_date": date(1990, 3, 14)}, accounts["volunteer"]
        )
    correct(app.db, done.participant_id, {"phone": "085711112222"}, accounts["volunteer"])
    assert _participants(app)[0].nik_override_reason == "NIK salah cetak"  # untouched: kept
    correct(app.db, done.participant_id, {"birth_date": date(1990, 3, 12)}, accounts["volunteer"])
    assert _participants(app)[0].nik_override_reason is None  # agrees now: no flag


def test_only_a_coordinator_withdraws(app: App, accounts: dict[str, Actor]) -> None:
    done = register(app.db, walk_in(), accounts["volunteer"])
    with pytest.raises(UserError) as refused:
        withdraw(app.db, done.participant_id, "salah", accounts["volunteer"])
    assert refused.value.key == "coordinator_only"
