"""A post's data requests at the branch (issue 19): an erasure or a withdrawal travels post →
branch → ACK → post; a batch made before the erasure, imported after it, brings nothing back; the
same NIK registered again anywhere is recognised. Posts on SQLite; the branch on SQLite and on
PostgreSQL (``DATABASE_URL``)."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rumah_perisai.app import App
from rumah_perisai.branch import branch_keys, import_batch
from rumah_perisai.branch.requests import erasure_key
from rumah_perisai.db.models import AuditEntry, Batch, DataRequest, Erasure, Participant
from rumah_perisai.db.uow import operation_time
from rumah_perisai.domain.personal_data import keyed_nik, personal_data_rules
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import read_ack
from rumah_perisai.services.acks import take_ack
from rumah_perisai.services.batches import write_again
from rumah_perisai.services.erasure import erase_participant_row, record_erasure, scrub_audit
from tests.branch.branch_world import (  # branch, branch_url, post: fixtures, used by name
    CLI,
    PostSide,
    branch,
    branch_url,
    make_post,
    post,
    request_at_post,
)
from tests.conftest import FakeClock

SITI_NIK = "3209144101910001"  # as branch_world makes the first: born 1991
SITI_PHONE = "081311112222"


def _person(app: App, registration_no: str) -> Participant:
    with app.db.reading() as session:
        return session.scalars(
            select(Participant).where(Participant.registration_no == registration_no)
        ).one()


def _audit_mentions(app: App, registration_no: str, *values: str) -> list[str]:
    with app.db.reading() as session:
        texts = session.scalars(
            select(AuditEntry.changes_json).where(AuditEntry.entity_key == registration_no)
        ).all()
    return [t for t in texts if any(v in t for v in values)]


def test_an_erasure_travels_to_the_branch_and_its_ack_back(branch: App, post: PostSide) -> None:
    siti = post.register(nik=SITI_NIK, name="Siti Rahayu")
    first = import_batch(branch.db, branch.folder, post.export().path, CLI)
    with post.app.db.unit_of_work(post.coordinator.label) as session:
        person = session.get(Participant, siti)
        assert person is not None
        person.phone = SITI_PHONE  # an update: its old and new value travel in the audit log
    second = import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert _audit_mentions(branch, "RP3209A-000001", SITI_PHONE)  # the branch held it
    for week in (first, second):  # the post takes each week's ACK in, as it comes back
        assert week.ack_path is not None
        take_ack(post.app.db, week.ack_path.read_bytes(), week.ack_path.name, CLI, post.app.folder)

    key = request_at_post(post, siti, "erase")
    result = import_batch(branch.db, branch.folder, post.export().path, CLI)

    assert result.state == "imported" and result.requests_done == [key] == ["RP3209A-REQ1"]
    person = _person(branch, "RP3209A-000001")
    assert person.name == "" and person.phone is None and person.nik == "X000000000000001"
    assert person.erased_at is not None and person.standing == "ended"
    assert person.nik_prefix is None and person.birth_date.month == 1
    # Keyed with the branch's own key, never the post's: only the branch can compare.
    branch_key = erasure_key(branch_keys(branch.folder))
    assert person.nik_keyed == keyed_nik(branch_key, SITI_NIK)
    assert person.nik_keyed != keyed_nik(b"post-own-key", SITI_NIK)
    with branch.db.reading() as session:
        listed = session.get(Erasure, "RP3209A-000001")
        assert listed is not None and listed.nik_keyed == person.nik_keyed
        assert listed.request_key == "RP3209A-REQ1"
    assert _audit_mentions(branch, "RP3209A-000001", SITI_PHONE, "Siti Rahayu", SITI_NIK) == []

    assert result.ack_path is not None
    ack = read_ack(result.ack_path.read_bytes(), branch_keys(branch.folder).public, "x")
    assert ack.requests_done == ["RP3209A-REQ1"]
    assert ack.duplicate_prefixes == []
    # The post takes the ACK in with its data folder, as the window and `batch ack` do: the
    # kept copies of the two batches that carried Siti before her erasure go, the third stays.
    taken = take_ack(
        post.app.db, result.ack_path.read_bytes(), result.ack_path.name, CLI, post.app.folder
    )
    assert taken.requests_done == 1
    with post.app.db.reading() as session:
        request = session.scalars(select(DataRequest)).one()
        assert request.branch_done_at is not None
        removed = dict(session.execute(select(Batch.seq, Batch.copy_removed_at)).all())
    assert [seq for seq, at in sorted(removed.items()) if at is not None] == [1, 2]
    assert [p.name[:18] for p in post.app.folder.batches.glob("*.rpb")] == ["RP3209A-batch-0003"]
    with pytest.raises(UserError) as refused:
        write_again(post.app.db, post.app.folder, 1, post.stick, CLI)
    assert refused.value.key == "batch_copy_erased"


def test_the_spreadsheet_for_bpjs_gives_an_erased_person_no_nik_and_no_name(
    branch: App, post: PostSide, tmp_path: Path
) -> None:
    """The NIK column of an erased person holds a placeholder, never a NIK: BPJS gets none."""
    from openpyxl import load_workbook

    from rumah_perisai.branch.xlsx import branch_export

    siti = post.register(nik=SITI_NIK, name="Siti Rahayu")
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    request_at_post(post, siti, "erase")
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    out = tmp_path / "bpjs.xlsx"
    branch_export(branch.db, out)
    sheet = load_workbook(out, read_only=True)["Pendaftaran"]
    (row,) = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "RP3209A-000001"]
    assert row[3] is None and row[4] == "dihapus atas permintaan"
    assert not any(str(v).startswith("X0") for v in row if v is not None)


def test_a_withdrawal_is_applied_and_acknowledged(branch: App, post: PostSide) -> None:
    siti = post.register()
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    request_at_post(post, siti, "withdraw")
    result = import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert result.requests_done == ["RP3209A-REQ1"]
    person = _person(branch, "RP3209A-000001")
    assert person.standing == "ended" and person.ended_on is not None
    assert person.name and person.erased_at is None  # withdrawn, not erased


def test_a_batch_made_before_the_erasure_imported_after_it_brings_nothing_back(
    branch: App, post: PostSide
) -> None:
    siti = post.register(nik=SITI_NIK, name="Siti Rahayu")
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    with post.app.db.unit_of_work(post.coordinator.label) as session:
        person = session.get(Participant, siti)
        assert person is not None
        person.phone = SITI_PHONE
    late = post.export()  # left in a drawer
    request_at_post(post, siti, "erase")
    erasing = post.export()
    import_batch(branch.db, branch.folder, erasing.path, CLI, gap_reason="flashdisk tertinggal")

    result = import_batch(branch.db, branch.folder, late.path, CLI)

    assert result.state == "imported" and result.late
    person = _person(branch, "RP3209A-000001")
    assert person.name == "" and person.phone is None and person.nik == "X000000000000001"
    assert _audit_mentions(branch, "RP3209A-000001", SITI_PHONE, "Siti Rahayu", SITI_NIK) == []


def test_a_row_holding_data_again_is_erased_again_after_an_import(
    branch: App, post: PostSide
) -> None:
    """Whatever put the data back (a row from before the branch noted versions, a repair by
    hand), the next import of the post's batch applies the erasure list again."""
    siti = post.register(nik=SITI_NIK, name="Siti Rahayu")
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    request_at_post(post, siti, "erase")
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    with branch.db.unit_of_work("test") as session:
        person = session.scalars(select(Participant)).one()
        person.name, person.nik, person.erased_at = "Siti Rahayu", SITI_NIK, None
    post.register()
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    person = _person(branch, "RP3209A-000001")
    assert person.name == "" and person.nik == "X000000000000001"
    assert person.erased_at is not None
    assert _audit_mentions(branch, "RP3209A-000001", "Siti Rahayu", SITI_NIK) == []


def test_the_same_nik_registered_again_at_another_post_is_recognised(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    """The erased person joins again at another post: recognised by the keyed NIK, not
    rejected (their membership ended at their request), and given back the KPJ the rules keep."""
    siti = post.register(nik=SITI_NIK, name="Siti Rahayu")
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    with branch.db.engine.begin() as connection:  # BPJS gave her a KPJ number meanwhile
        connection.exec_driver_sql(
            "UPDATE participants SET kpj = '12345678901' WHERE registration_no = 'RP3209A-000001'"
        )
    request_at_post(post, siti, "erase")
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        clock.advance(hours=2)
        other.register(nik=SITI_NIK, name="Siti R.")
        result = import_batch(branch.db, branch.folder, other.export().path, CLI)
    finally:
        other.app.close()
    assert result.rejected == []
    again = _person(branch, "RP3209B-000001")
    assert again.standing == "member" and again.kpj == "12345678901"
    assert result.ack_path is not None
    ack = json.loads(result.ack_path.read_text(encoding="utf-8"))
    assert ack["rejections"] == [] and ack["kpj"] == {"RP3209B-000001": "12345678901"}


def test_an_emptied_row_without_its_request_is_refused(branch: App, post: PostSide) -> None:
    siti = post.register(nik=SITI_NIK, name="Siti Rahayu")
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    with post.app.db.unit_of_work(post.coordinator.label) as session:
        person = session.get(Participant, siti)
        assert person is not None
        rules = personal_data_rules(date(2026, 11, 27))
        erase_participant_row(person, key=b"k", rules=rules, at=operation_time(session),
                              day=date(2026, 11, 27), reason="no request")  # fmt: skip
    with pytest.raises(UserError) as refused:
        import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert refused.value.key == "batch_erasure_unexplained"
    assert _person(branch, "RP3209A-000001").name == "Siti Rahayu"  # nothing imported


def test_a_person_registered_and_erased_within_one_batch_arrives_erased(
    branch: App, post: PostSide
) -> None:
    """The branch never held the NIK: it lists the erasure without a keyed value (it has none
    to make) and imports the emptied row as it is."""
    siti = post.register(nik=SITI_NIK, name="Siti Rahayu")
    request_at_post(post, siti, "erase")
    result = import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert result.requests_done == ["RP3209A-REQ1"]
    person = _person(branch, "RP3209A-000001")
    assert person.name == "" and person.nik_keyed is None and person.erased_at is not None
    with branch.db.reading() as session:
        listed = session.get(Erasure, "RP3209A-000001")
        assert listed is not None and listed.nik_keyed == ""


def test_a_post_put_back_from_before_an_erasure_on_a_new_laptop_erases_again_from_the_ack(
    branch: App, post: PostSide
) -> None:
    """The laptop was lost after an erasure; the post is put back on a new one from a backup
    made before it, without the old laptop's erasure list. The branch's acknowledgement of the
    batch that carried the erasure lists the post's erased registrations: the restored post
    refuses that ACK (it is past the restore), but erases the person again first."""
    from rumah_perisai.services.erasure_cleanup import list_path

    siti = post.register(nik=SITI_NIK, name="Siti Rahayu")
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    request_at_post(post, siti, "erase")
    carried = import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert carried.ack_path is not None
    # What the backup from before the erasure holds, on a laptop that never had the list: the
    # person whole, no request, no erasure, no second batch.
    with post.app.db.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE participants SET name = 'Siti Rahayu', nik = ?, phone = ?, erased_at = NULL"
            " WHERE id = ?",
            (SITI_NIK, SITI_PHONE, siti),
        )
        for table in ("erasures", "data_requests"):
            connection.exec_driver_sql(f"DELETE FROM {table}")
        connection.exec_driver_sql("DELETE FROM batches WHERE seq = 2")
    list_path(post.app.folder).unlink()

    with pytest.raises(UserError) as refused:
        take_ack(post.app.db, carried.ack_path.read_bytes(), carried.ack_path.name, CLI,
                 post.app.folder)  # fmt: skip
    # A real restore says "after the restore"; this stand-in, "a batch this post never wrote".
    assert refused.value.key in ("ack_after_restore", "ack_unknown_batch")
    with post.app.db.reading() as session:
        person = session.get(Participant, siti)
        assert person is not None
        assert (person.name, person.phone, person.nik[:1]) == ("", None, "X")
        # recorded again, so the emptied row travels with its request
        assert session.scalars(select(DataRequest.kind)).all() == ["erase"]
    assert "RP3209A-000001" in list_path(post.app.folder).read_text(encoding="utf-8")


def test_an_ack_naming_a_reused_request_number_does_not_confirm_an_erasure(
    branch: App, post: PostSide
) -> None:
    """A post put back from a backup numbers its requests again, so the branch may hold another
    person's request under the same key. An erasure counts as done at the branch only when the
    ACK also lists the person as erased: nothing is removed on the word of a number alone."""
    from dataclasses import replace

    from rumah_perisai.branch.acks import build_ack
    from rumah_perisai.exchange.ack import ack_bytes

    siti = post.register(nik=SITI_NIK, name="Siti Rahayu")
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    key = request_at_post(post, siti, "erase")  # not yet sent to the branch
    keys = branch_keys(branch.folder)
    with branch.db.reading() as session:
        post_id = session.scalars(select(Participant.post_id)).first()
    assert post_id is not None
    ack = replace(build_ack(branch.db, keys, post_id, 1), requests_done=[key])
    assert ack.erased == {}
    take_ack(post.app.db, ack_bytes(ack, keys.signing), "ack-1", CLI, post.app.folder)
    with post.app.db.reading() as session:
        assert session.scalars(select(DataRequest.branch_done_at)).all() == [None]
