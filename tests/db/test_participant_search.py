"""One search box: NIK or its start, a name fragment, a registration number, KPJ or phone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import update

from rumah_perisai.app import App, open_app
from rumah_perisai.db.migrate import downgrade_to
from rumah_perisai.db.models import Participant
from rumah_perisai.domain.coverage import Status
from rumah_perisai.services.participant_search import (
    ParticipantSearch,
    SearchKind,
    parse_query,
)

PEOPLE = [
    ("Siti Aminah", "3209145203900001", "081234567890"),
    ("Sity Nurhayati", "3209140101850002", None),
    ("Muhammad Rizki", "3209151204990003", "085611112222"),
    ("Muhamad Yusuf", "3210010505800004", None),
    ("Dede Sunarya", "3209140707770005", "081299998888"),
    ("Asep 'Ujang' Saepudin", "3209140808880006", None),
    ("100% Ade", "3209140909900007", None),
]


@pytest.fixture
def people(add_participant: Callable[..., int]) -> dict[str, int]:
    return {name: add_participant(name=name, nik=nik, phone=phone) for name, nik, phone in PEOPLE}


def _names(app: App, query: str) -> list[str]:
    """Names found, newest registration first; the post-scoped search (the branch's) agrees."""
    found = []
    for search in (ParticipantSearch(1), ParticipantSearch(1, only_post=False)):
        with app.db.reading() as session:
            ids = search.ids(session, query)
            found.append([row.name for row in search.rows(session, ids, date(2026, 11, 27))])
    assert found[0] == found[1]
    return found[0]


@pytest.mark.parametrize(
    ("typed", "kind", "terms"),
    [
        ("", SearchKind.ALL, ()),
        ("  3209 1452 ", SearchKind.DIGITS, ("32091452",)),
        ("0812-3456", SearchKind.PHONE, ("08123456",)),
        ("+62 812 3456", SearchKind.PHONE, ("08123456",)),
        ("rp3209a-0000", SearchKind.REGISTRATION, ("RP3209A-0000",)),
        ("Siti  AMI", SearchKind.NAME, ("siti", "ami")),
    ],
)
def test_what_was_typed_decides_the_kind_of_search(
    typed: str, kind: SearchKind, terms: tuple[str, ...]
) -> None:
    parsed = parse_query(typed)
    assert (parsed.kind, parsed.terms) == (kind, terms)


def test_everyone_newest_first_when_the_box_is_empty(app: App, people: dict[str, int]) -> None:
    assert _names(app, "") == [name for name, _, _ in reversed(PEOPLE)]


def test_a_name_fragment_anywhere_in_the_name_ignoring_case(
    app: App, people: dict[str, int]
) -> None:
    assert _names(app, "amin") == ["Siti Aminah"]
    assert _names(app, "MUHAM") == ["Muhamad Yusuf", "Muhammad Rizki"]  # newest first
    assert _names(app, "muhammad riz") == ["Muhammad Rizki"]
    # One or two letters: the start of the name, from the name index, in name order.
    assert _names(app, "si") == ["Siti Aminah", "Sity Nurhayati"]
    assert _names(app, "am") == []


def test_quotes_and_wildcards_in_the_box_are_plain_text(app: App, people: dict[str, int]) -> None:
    assert _names(app, "'ujang'") == ["Asep 'Ujang' Saepudin"]
    assert _names(app, "100%") == ["100% Ade"]
    assert _names(app, '"') == []


def test_nik_start_finds_everyone_registered_in_that_region(
    app: App, people: dict[str, int]
) -> None:
    assert _names(app, "32")[:2] == ["Sity Nurhayati", "Dede Sunarya"]  # in NIK order
    assert len(_names(app, "32")) == len(PEOPLE)
    assert _names(app, "320915") == ["Muhammad Rizki"]
    assert _names(app, "3210") == ["Muhamad Yusuf"]
    assert _names(app, "3209145203900001") == ["Siti Aminah"]


def test_phone_and_registration_number(app: App, people: dict[str, int]) -> None:
    assert _names(app, "0856") == ["Muhammad Rizki"]
    assert _names(app, "+62 812 9999") == ["Dede Sunarya"]
    assert _names(app, "rp3209a-000003") == ["Muhammad Rizki"]


def test_rows_show_a_masked_nik_the_desa_and_the_status_today(
    app: App, people: dict[str, int]
) -> None:
    search = ParticipantSearch(post_id=1)
    with app.db.reading() as session:
        (row,) = search.rows(session, [people["Siti Aminah"]], date(2026, 4, 30))
        (later,) = search.rows(session, [people["Siti Aminah"]], date(2026, 5, 1))
    assert row.nik_masked == "3209********0001"
    assert row.desa_name == "Sampiran"
    assert (row.status, later.status) == (Status.PROMOTION, Status.ARREARS)
    assert row.cover_until == date(2026, 4, 30)


def test_an_old_database_gets_the_name_index_when_upgraded(
    app: App, database_url: str, add_participant: Callable[..., int]
) -> None:
    """People registered before the search index existed are found after the upgrade, and an
    embedded database is backed up before its schema changes."""

    # Registered first (the program's models have columns 0001 lacks), then the database goes
    # back to revision 0001 with the row in it: no index, no triggers.
    add_participant(name="Siti Aminah")
    downgrade_to(app.db.engine, "0001")
    app.close()
    upgraded = open_app(app.folder, database_url)
    try:
        assert _names(upgraded, "amin") == ["Siti Aminah"]
    finally:
        upgraded.close()
    if database_url.startswith("sqlite"):
        (backup,) = app.folder.backups.iterdir()
        assert backup.name.startswith("rumah-perisai-before-upgrade-0001")


# --- issue 17, item 9: apostrophes and hyphens, straight or typographic, do not matter ----------

MARKED = [
    ("Ma'ruf Amin", "3209140101900011"),
    ("Abdul-Rahman Hakim", "3209140101900012"),
    ("Nur’aini", "3209140101900013"),
    ("Siti Aminah", "3209140101900014"),
]


@pytest.fixture
def marked(add_participant: Callable[..., int]) -> None:
    for name, nik in MARKED:
        add_participant(name=name, nik=nik)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("maruf", ["Ma'ruf Amin"]),
        ("Ma’ruf", ["Ma'ruf Amin"]),
        ("ma‘ruf amin", ["Ma'ruf Amin"]),
        ("MAʼRUF", ["Ma'ruf Amin"]),
        ("ma`ruf", ["Ma'ruf Amin"]),
        ("ma´ruf", ["Ma'ruf Amin"]),
        ("abdulrahman", ["Abdul-Rahman Hakim"]),
        ("abdul–rahman", ["Abdul-Rahman Hakim"]),
        ("abdul rahman", ["Abdul-Rahman Hakim"]),
        ("nuraini", ["Nur’aini"]),
        ("nur'aini", ["Nur’aini"]),
        ("ma", ["Ma'ruf Amin"]),  # one or two letters: the start of the name
    ],
)
def test_apostrophes_and_hyphens_in_names_do_not_matter(
    app: App, marked: None, typed: str, found: list[str]
) -> None:
    """Was: "maruf" and "Ma’ruf" did not find Ma'ruf."""
    assert _names(app, typed) == found


def test_a_database_of_revision_0014_finds_names_without_their_marks_after_the_upgrade(
    app: App, database_url: str, add_participant: Callable[..., int]
) -> None:

    add_participant(name="Ma'ruf Amin")
    downgrade_to(app.db.engine, "0014")
    app.close()
    upgraded = open_app(app.folder, database_url)
    try:
        assert _names(upgraded, "maruf") == ["Ma'ruf Amin"]
        # A name corrected after the upgrade is found by its new key (the update trigger).
        with upgraded.db.engine.begin() as connection:
            connection.execute(update(Participant).values(name="Nur-Aini Ma’ruf"))
        assert _names(upgraded, "nuraini maruf") == ["Nur-Aini Ma’ruf"]
        assert _names(upgraded, "amin") == []
    finally:
        upgraded.close()
