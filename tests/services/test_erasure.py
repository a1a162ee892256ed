"""A person's erasure at the post (issue 19): what goes, what stays, what is refused, and that
erased data does not come back (the database file, a restore, the list kept apart)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import AuditEntry, CallOutcome, DataRequest, Erasure, Participant
from rumah_perisai.errors import UserError
from rumah_perisai.services.call_list import record_call
from rumah_perisai.services.erasure_cleanup import list_path, read_list
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.requests import erase, participant_id_of, requests_of
from rumah_perisai.services.volunteers import Actor

# Their SQL differs by dialect: also on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.postgresql

DAY = date(2026, 11, 27)


def _erase(app: App, coordinator: Actor, regno: str) -> None:
    erase(app.db, app.folder, participant_id_of(app.db, regno), DAY, "in_person", coordinator)


def test_erasure_empties_the_person_and_keeps_the_registration(
    app: App, post: PostSummary, add_participant: Callable[..., int], coordinator: Actor
) -> None:
    pid = add_participant(name="Siti Rahmawati", phone="081234567890", heir_name="Budi Santoso")
    record_call(app.db, pid, "reached", coordinator, note="Siti minta ditelepon sore")
    _erase(app, coordinator, "RP3209A-000001")
    with app.db.reading() as session:
        person = session.get(Participant, pid)
        assert person is not None
        assert (person.name, person.phone, person.heir_name, person.street) == ("", None, None, "")
        assert person.nik == "X000000000000001"
        assert person.birth_date == date(1990, 1, 1)  # the year kept
        assert person.registration_no == "RP3209A-000001" and person.standing == "ended"
        assert person.nik_keyed and len(person.nik_keyed) == 64
        log = " ".join(session.scalars(select(AuditEntry.changes_json)))
        assert "Siti" not in log and "081234567890" not in log and "3209140101900001" not in log
        assert all(c.note is None for c in session.scalars(select(CallOutcome)))
        erasure = session.scalars(select(Erasure)).one()
        request = session.scalars(select(DataRequest)).one()
    assert erasure.request_key == request.natural_key() == "RP3209A-REQ1"
    assert (request.kind, request.state, request.rules_version) == ("erase", "done", "pdp-2026-12")
    listed = read_list(app.folder)
    assert list(listed) == ["RP3209A-000001"]
    assert listed["RP3209A-000001"].nik_keyed == erasure.nik_keyed
    assert "Siti" not in list_path(app.folder).read_text()
    assert [r.kind for r in requests_of(app.db, "RP3209A-000001")] == ["erase"]


def test_a_second_erasure_a_stranger_and_a_volunteer_are_refused(
    app: App,
    post: PostSummary,
    add_participant: Callable[..., int],
    coordinator: Actor,
    volunteer: Actor,
) -> None:
    pid = add_participant()
    with pytest.raises(UserError) as refused:
        erase(app.db, app.folder, pid, DAY, "in_person", volunteer)
    assert refused.value.key == "coordinator_only"
    with pytest.raises(UserError) as refused:
        participant_id_of(app.db, "RP3209A-000099")
    assert refused.value.key == "participant_missing"
    _erase(app, coordinator, "RP3209A-000001")
    with pytest.raises(UserError) as refused:
        _erase(app, coordinator, "RP3209A-000001")
    assert refused.value.key == "request_already_erased"
    with app.db.reading() as session:
        assert len(session.scalars(select(DataRequest)).all()) == 1


def test_the_same_person_registering_again_is_recognised(
    app: App, post: PostSummary, coordinator: Actor
) -> None:
    from dataclasses import replace

    from rumah_perisai.services.erasure import post_erasure_key
    from rumah_perisai.services.registration import PossibleDuplicates, register
    from rumah_perisai.services.requests import withdraw_consent
    from tests.services.test_registration import walk_in

    first = register(app.db, walk_in(), coordinator)
    _erase(app, coordinator, first.registration_no)
    # The post's own SQLite file finds its key by itself (the window's way); another database
    # is given it.
    key = None if app.db.engine.dialect.name == "sqlite" else post_erasure_key(app.folder.keys)
    with pytest.raises(PossibleDuplicates) as warned:
        register(app.db, walk_in(), coordinator, erased_key=key)
    assert warned.value.candidates[0].registration_no == first.registration_no
    assert "pernah terdaftar dan datanya dihapus atas permintaan" in warned.value.message()
    again = register(
        app.db,
        walk_in(duplicate_reason="orang yang sama, daftar ulang"),
        coordinator,
        erased_key=key,
    )
    assert again.registration_no != first.registration_no

    other = register(
        app.db, replace(walk_in(), nik=walk_in().nik[:-1] + "9", name="Dewi Sartika"), coordinator
    )
    withdraw_consent(app.db, other.participant_id, DAY, "letter", coordinator)
    with pytest.raises(UserError) as refused:
        register(
            app.db,
            replace(walk_in(), nik=walk_in().nik[:-1] + "9", name="Dewi Sartika"),
            coordinator,
        )
    assert refused.value.key == "nik_ended"


def test_the_list_kept_apart_erases_again_a_database_put_back_from_before(
    app: App, post: PostSummary, add_participant: Callable[..., int], coordinator: Actor
) -> None:
    """A database from before the erasure (a restore): the next start erases the person again."""
    _post_folder_only(app)
    from rumah_perisai.app import open_app
    from rumah_perisai.services.erasure_cleanup import write_list

    add_participant(name="Siti Rahmawati", phone="081234567890")
    _erase(app, coordinator, "RP3209A-000001")
    listed = read_list(app.folder)
    # What a database from before the erasure holds: the person whole, no erasure recorded.
    with app.db.unit_of_work("cli:test") as session:
        person = session.scalars(select(Participant)).one()
        person.name, person.nik, person.erased_at = "Siti Rahmawati", "3209140101900001", None
    with app.db.engine.begin() as connection:  # the erasure list of that older database: empty
        connection.exec_driver_sql("DELETE FROM erasures")
    write_list(app.folder, listed)
    app.close()
    reopened = open_app(app.folder, app.folder.sqlite_url)
    try:
        with reopened.db.reading() as session:
            person = session.scalars(select(Participant)).one()
            assert (person.name, person.nik) == ("", "X000000000000001")
            assert (
                session.scalars(select(Erasure)).one().nik_keyed
                == listed["RP3209A-000001"].nik_keyed
            )
    finally:
        reopened.close()


def test_erased_data_is_not_in_the_database_file(folder: Any, clock: Any, tmp_path: Path) -> None:
    """A plain SQLite file (as named with --db): after the erasure and its checkpoint, neither
    the file nor its WAL holds the name, NIK or phone, the full-text index included."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.posts import set_up_post
    from rumah_perisai.services.registration import register
    from rumah_perisai.services.volunteers import (
        ROLE_COORDINATOR,
        AccountSetup,
        create_account,
        log_in,
    )
    from tests.conftest import CIREBON_POST
    from tests.services.test_registration import walk_in

    plain = tmp_path / "plain.sqlite3"
    app = open_app(folder, f"sqlite:///{plain}", clock=clock)
    try:
        set_up_post(app.db, app.folder, CIREBON_POST, "cli:test")
        create_account(app.db, AccountSetup("Dewi Lestari", "482913"), ROLE_COORDINATOR, None)
        boss = log_in(app.db, "Dewi Lestari", "482913")
        form = walk_in(name="Zubaidah Kartikasari", phone="0812-9988-7766")
        done = register(app.db, form, boss, erased_key=b"k" * 32)
        record_call(app.db, done.participant_id, "reached", boss, note="Zubaidah janji bayar")
        before = plain.read_bytes() + Path(f"{plain}-wal").read_bytes()
        assert b"Zubaidah" in before
        _erase(app, boss, done.registration_no)
        after = plain.read_bytes()
        wal = Path(f"{plain}-wal")
        after += wal.read_bytes() if wal.exists() else b""
        for secret in (
            b"Zubaidah",
            b"Kartikasari",
            form.nik.encode(),
            b"81299887766",
            b"Pantura Blok",
        ):
            assert secret not in after, secret
    finally:
        app.close()


def test_the_erased_person_reads_well_in_the_view_and_the_list(
    app: App, post: PostSummary, add_participant: Callable[..., int], coordinator: Actor
) -> None:
    from rumah_perisai.services.participant_search import ParticipantSearch, parse_query
    from rumah_perisai.services.participant_view import participant_detail

    pid = add_participant(name="Siti Rahmawati")
    _erase(app, coordinator, "RP3209A-000001")
    detail = participant_detail(app.db, pid, DAY)
    assert (detail.name, detail.nik_masked) == ("dihapus atas permintaan", "—")
    assert "Siti" not in repr(detail)
    search = ParticipantSearch(post_id=1)
    with app.db.reading() as session:
        (row,) = search.rows(session, [pid], DAY)
        assert not search.ids(session, parse_query("siti"))  # the name index forgot it too
    assert (row.registration_no, row.nik_masked) == ("RP3209A-000001", "—")


def test_a_restore_from_before_the_erasure_erases_the_person_again(
    app: App, post: PostSummary, add_participant: Callable[..., int], coordinator: Actor
) -> None:
    """The database broke after the erasure; the newest backup is from before it: restored,
    and the erasure list kept apart (not part of the backup) erases the person again at once."""
    _post_folder_only(app)
    from rumah_perisai.app import open_app
    from rumah_perisai.services.backup import _local, restore_backup

    add_participant(name="Siti Rahmawati", phone="081234567890")
    backup = _local(app.db, app.folder, "daily").path
    app.db.clock.advance(minutes=5)  # type: ignore[attr-defined]
    _erase(app, coordinator, "RP3209A-000001")
    app.close()
    for suffix in ("", "-wal", "-shm"):  # the database file is lost (a broken disk)
        Path(f"{app.folder.database}{suffix}").unlink(missing_ok=True)
    assert post.recovery_code is not None
    restore_backup(app.folder, backup, post.recovery_code)
    reopened = open_app(app.folder, app.folder.sqlite_url)
    try:
        with reopened.db.reading() as session:
            person = session.scalars(select(Participant)).one()
            assert (person.name, person.phone, person.nik[:1]) == ("", None, "X")
            assert session.scalars(select(Erasure.registration_no)).all() == ["RP3209A-000001"]
            # The request is recorded again, so the emptied row travels with the request the
            # branch needs to accept it.
            (again,) = session.scalars(select(DataRequest)).all()
            assert (again.kind, again.made_how) == ("erase", "other")
            listed = session.get(Erasure, "RP3209A-000001")
            assert listed is not None and listed.request_key == again.natural_key()
    finally:
        reopened.close()


def _post_folder_only(app: App) -> None:
    """A post's database is always the SQLite file of its data folder: what lives beside it
    (the erasure list, backups) is tested there."""
    if app.db.engine.dialect.name != "sqlite":
        pytest.skip("a post's own database is its folder's SQLite file")


def test_a_damaged_erasure_list_never_stops_the_post_and_is_written_again(
    app: App, post: PostSummary, add_participant: Callable[..., int], coordinator: Actor
) -> None:
    from rumah_perisai.app import open_app

    _post_folder_only(app)
    add_participant()
    _erase(app, coordinator, "RP3209A-000001")
    app.close()
    list_path(app.folder).write_text('{"format": "rumah-perisai erasures v1", "erasures": [{}]}')
    reopened = open_app(app.folder, app.folder.sqlite_url)
    reopened.close()
    assert list(read_list(app.folder)) == ["RP3209A-000001"]
    assert len(list(app.folder.root.glob("erasures.json.damaged-*"))) == 1


def test_what_was_typed_about_the_person_goes_with_the_erasure(
    app: App, post: PostSummary, add_participant: Callable[..., int], coordinator: Actor
) -> None:
    """A withdrawal's reason and a request's note are typed by a volunteer and may name a
    relative or a phone, whatever the form warns: the erasure empties them and their audit
    copies, as it does the person's own fields."""
    from rumah_perisai.services.requests import record_request, withdraw_consent

    typed = "ikut anaknya Siti Aminah 081299998888"
    who = add_participant(name="Suparman")
    day = date(2026, 11, 27)
    record_request(app.db, who, "copy", day, "in_person", coordinator, note=typed)
    withdraw_consent(app.db, who, day, "in_person", coordinator, reason=typed)
    _erase(app, coordinator, "RP3209A-000001")
    with app.db.reading() as session:
        person = session.get(Participant, who)
        assert person is not None and "Siti" not in (person.standing_reason or "")
        assert [r.note for r in session.scalars(select(DataRequest))] == [None, None, None]
        audit = " ".join(session.scalars(select(AuditEntry.changes_json)))
    assert "081299998888" not in audit and "Siti Aminah" not in audit


def test_two_writers_of_the_erasure_list_at_once_both_succeed_and_leave_one_whole_list(
    folder: Any,
) -> None:
    """A start and a command in the same folder write the list at the same moment: each must
    finish (one shared temporary name had one rename the other's file away), the list read back
    is one of theirs, whole, and no temporary file is left behind."""
    import threading
    from datetime import UTC, datetime

    from rumah_perisai.services.erasure_cleanup import Listed, write_list

    folder.root.mkdir(parents=True)
    when = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    lists = [
        {f"RP3209A-00000{n}": Listed(f"RP3209A-00000{n}", f"k{n}", when) for n in (1, 2)},
        {"RP3209A-000003": Listed("RP3209A-000003", "k3", when)},
    ]
    failures: list[BaseException] = []

    def write(listed: dict[str, Listed]) -> None:
        try:
            for _ in range(150):
                write_list(folder, listed)
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    writers = [threading.Thread(target=write, args=(listed,)) for listed in lists]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert failures == []
    assert read_list(folder) in lists
    assert [p.name for p in list_path(folder).parent.iterdir() if "partial" in p.name] == []


def test_a_temporary_list_left_by_a_killed_writer_is_removed_by_the_next_write(
    folder: Any,
) -> None:
    """A writer killed mid-write leaves its ``.partial``: the next write removes it once it is
    old enough to be no writer's at work, and leaves a fresh one (another writer's) alone."""
    import os
    import time

    from rumah_perisai.services.erasure_cleanup import LEFT_BEHIND_AFTER, write_list

    folder.root.mkdir(parents=True)
    stale = folder.root / ".erasures.json.4242-deadbeef.partial"
    working = folder.root / ".erasures.json.4343-cafebabe.partial"
    for left in (stale, working):
        left.write_bytes(b'{"format": 1, "erasures": [')  # cut mid-write
    old = time.time() - LEFT_BEHIND_AFTER - 60
    os.utime(stale, (old, old))
    write_list(folder, {})
    assert read_list(folder) == {}
    assert not stale.exists()
    assert working.exists()
