"""The branch's duplicate list at the post: a NIK registered at another post of the branch is
flagged ("possibly registered at another post — ask the branch") once an acknowledgement brought
the list; the flag never refuses a registration, and the registration records it. The post on
SQLite and on PostgreSQL (``DATABASE_URL``); the branch and the other post on SQLite files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from rumah_perisai.app import App
from rumah_perisai.branch import add_post, import_batch
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Participant
from rumah_perisai.i18n import set_language, tr
from rumah_perisai.keys.installed import install_branch_key, post_key_file_bytes
from rumah_perisai.services.acks import take_ack
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.registration import (
    ELSEWHERE_NOTE,
    PossibleDuplicates,
    RegistrationForm,
    correct,
    possibly_registered_elsewhere,
    register,
)
from rumah_perisai.services.volunteers import Actor
from tests.branch.branch_world import CLI, PostSide, make_branch, make_post
from tests.conftest import FakeClock

# Their SQL differs by dialect: also on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.postgresql

# The other post's walk-ins (PostSide numbers them): women born 1 Jan 1991, 1992 and 1993.
ELSEWHERE = ["3209144101910001", "3209144101920002", "3209144101930003"]
NOT_LISTED = "3209145203900001"


def walk_in(nik: str, name: str, born: date) -> RegistrationForm:
    return RegistrationForm(
        nik=nik, name=name, birth_place="Cirebon", birth_date=born, sex="P",
        street="Jl. Pantura", rt="1", rw="2", desa_code="32.09.14.2001", phone="",
        occupation="Pedagang", income=1_000_000, with_jht=False, heir_name="", heir_relation="",
        consent=True,
    )  # fmt: skip


@pytest.fixture
def branch(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    root = tmp_path / "branch"
    root.mkdir()
    office = make_branch(root, DataFolder(root).sqlite_url, clock)
    yield office
    office.close()


@pytest.fixture
def listed(
    app: App, post: PostSummary, coordinator: Actor, branch: App, tmp_path: Path,
    clock: FakeClock,
) -> Iterator[None]:  # fmt: skip
    """The other post's three walk-ins reached the branch; this post's first batch came back
    acknowledged, with the branch's list."""
    install_branch_key(app.db, (branch.folder.keys / "branch-public-key.json").read_bytes(), CLI)
    add_post(branch.db, branch.folder, post_key_file_bytes(app.db, app.folder.keys), CLI)
    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        for _ in ELSEWHERE:
            other.register()
        import_batch(branch.db, branch.folder, other.export().path, CLI)
    finally:
        other.app.close()
    stick = tmp_path / "stick"
    stick.mkdir()
    here = PostSide(app, post.code, coordinator, stick)
    here.register(nik="3209144101910055")
    ack = import_batch(branch.db, branch.folder, here.export().path, CLI).ack_path
    assert ack is not None
    assert take_ack(app.db, ack.read_bytes(), ack.name, CLI).prefixes == len(ELSEWHERE)
    yield


def _flagged(app: App, nik: str) -> bool:
    with app.db.reading() as session:
        return possibly_registered_elsewhere(session, nik)


def _stored(app: App, participant_id: int) -> Participant:
    with app.db.reading() as session:
        person = session.get(Participant, participant_id)
        assert person is not None
        return person


def test_nothing_is_flagged_before_the_branch_sent_its_list(
    app: App, post: PostSummary, coordinator: Actor
) -> None:
    assert not _flagged(app, ELSEWHERE[0])
    done = register(app.db, walk_in(ELSEWHERE[0], "Siti Aminah", date(1991, 1, 1)), coordinator)
    assert _stored(app, done.participant_id).duplicate_override_reason is None


def test_a_nik_of_another_post_is_flagged_as_typed(app: App, listed: None) -> None:
    assert all(_flagged(app, nik) for nik in ELSEWHERE)
    assert _flagged(app, "3209 1441 0192 0002")  # typed in groups, as on the KTP
    assert not _flagged(app, NOT_LISTED)
    assert not _flagged(app, "3209144101910055")  # this post's own: not on its list
    for partial in ("", "320914410191", "32091441019100011", "3209x44101910001"):
        assert not _flagged(app, partial)


def test_a_flagged_nik_is_registered_and_the_warning_recorded(
    app: App, listed: None, coordinator: Actor, volunteer: Actor
) -> None:
    done = register(app.db, walk_in(ELSEWHERE[1], "Euis Komalasari", date(1992, 1, 1)), volunteer)
    stored = _stored(app, done.participant_id)
    assert (stored.standing, stored.duplicate_override_reason) == ("member", tr(ELSEWHERE_NOTE))
    assert stored.registered_by_id == volunteer.volunteer_id

    fresh = register(app.db, walk_in(NOT_LISTED, "Nur Aini", date(1990, 3, 12)), volunteer)
    assert _stored(app, fresh.participant_id).duplicate_override_reason is None


def test_a_similar_name_still_needs_its_reason_and_both_are_recorded(
    app: App, listed: None, volunteer: Actor
) -> None:
    born = date(1991, 1, 1)
    register(app.db, walk_in("3209144101910077", "Nurhayati", born), volunteer)
    twin = walk_in(ELSEWHERE[0], "Nur Hayati", born)
    with pytest.raises(PossibleDuplicates):  # the branch's list does not bypass the post's check
        register(app.db, twin, volunteer)
    done = register(app.db, replace(twin, duplicate_reason="Kembar, KTP berbeda"), volunteer)
    assert _stored(app, done.participant_id).duplicate_override_reason == (
        f"Kembar, KTP berbeda; {tr(ELSEWHERE_NOTE)}"
    )


def test_the_note_is_in_the_language_of_the_screen(
    app: App, listed: None, volunteer: Actor
) -> None:
    set_language("en")
    done = register(app.db, walk_in(ELSEWHERE[1], "Euis Komalasari", date(1992, 1, 1)), volunteer)
    assert _stored(app, done.participant_id).duplicate_override_reason == ELSEWHERE_NOTE


def test_a_corrected_nik_the_list_flags_is_recorded_once(
    app: App, listed: None, volunteer: Actor
) -> None:
    born = date(1993, 1, 1)
    done = register(app.db, walk_in("3209144101930099", "Tati Suryati", born), volunteer)
    correct(app.db, done.participant_id, {"nik": ELSEWHERE[2]}, volunteer, "Salah ketik NIK")
    stored = _stored(app, done.participant_id)
    assert (stored.nik, stored.duplicate_override_reason) == (ELSEWHERE[2], tr(ELSEWHERE_NOTE))
    correct(app.db, done.participant_id, {"phone": "081234567890"}, volunteer)
    assert _stored(app, done.participant_id).duplicate_override_reason == tr(ELSEWHERE_NOTE)
