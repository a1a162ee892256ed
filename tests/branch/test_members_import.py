"""BPJS's own list of people already registered, at the branch (issue 20): stored in one
operation with per-row reasons; its people's KPJ numbers reach the participants the branch has;
a post's new registration of a listed NIK is not rejected but gets the KPJ, and the ACK says so;
the posts' duplicate warnings cover the list. Posts on SQLite; the branch on SQLite and on
PostgreSQL (``DATABASE_URL``)."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from rumah_perisai.app import App
from rumah_perisai.branch import branch_keys, build_ack, import_batch
from rumah_perisai.branch.acks import duplicate_salt
from rumah_perisai.branch.members import members_import
from rumah_perisai.branch.xlsx import kpj_import
from rumah_perisai.db.models import AuditEntry, BpjsMember, Participant
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import duplicate_prefix, read_ack
from rumah_perisai.services.acks import possibly_elsewhere, take_ack
from tests.branch.branch_world import (  # branch, branch_url, post: fixtures, used by name
    CLI,
    PostSide,
    branch,
    branch_url,
    make_post,
    post,
)
from tests.conftest import FakeClock

# The NIK PostSide.register gives its first registration (a woman born 1 Jan 1991, serial 1).
FIRST_NIK = "3209144101910001"
LISTED = "3209144101850777"  # a woman born 1 Jan 1985, on BPJS's list only


def _workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _listed(app: App) -> dict[str, tuple[str, str | None, date | None]]:
    with app.db.reading() as session:
        return {
            m.nik: (m.kpj, m.name, m.birth_date) for m in session.scalars(select(BpjsMember))
        }  # fmt: skip


def _audited(app: App) -> list[AuditEntry]:
    with app.db.reading() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.entity == "bpjs_members")).all()
        )


def _at_branch(branch: App, post_code: str, source_id: int) -> Participant:
    with branch.db.reading() as session:
        return session.scalars(
            select(Participant).where(
                Participant.post_code == post_code, Participant.source_id == source_id
            )
        ).one()


def test_the_list_is_stored_once_with_a_reason_for_every_row_not_used(
    tmp_path: Path, branch: App
) -> None:
    keys = branch_keys(branch.folder)
    # As BPJS's system might write it: a title, blank rows, headings in its own words, a NIK as
    # text, as a whole number, typed in groups, and rows that cannot be used.
    path = _workbook(tmp_path / "daftar-peserta-bpjs.xlsx", [
        ["Daftar peserta BPU — Kantor Cabang Cirebon"],
        [],
        ["No", "NIK", "Nama Lengkap", "Nama Ibu Kandung", "Tgl Lahir", "No. KPJ"],
        [1, "3209144101850001", "Siti Aminah", "Ibu A", datetime(1985, 1, 1), "26010000001"],
        [2, 3209144101850002, "Nur Aini", "Ibu B", "01-01-1985", "2601-0000-002"],
        [3, "3209 1441 0185 0003", "Dewi", None, 31048, "26010000003"],
        [4, 3.20914410185e15, "Excel", None, None, "26010000004"],
        [5, "3209144101850001", "Siti lagi", None, None, "26010000005"],
        [6, "3209144101850006", "Tanpa KPJ", None, None, None],
        [7, "3209144101850007", "KPJ pendek", None, None, "2601"],
        [8, "12345", "NIK pendek", None, None, "26010000008"],
        [9, "3209144101850009", "KPJ orang lain", None, None, "26010000001"],
        [10, "3.20914E+15", "Excel teks", None, None, "26010000010"],
        [None, None, "catatan tanpa NIK dan KPJ", None, None, None],
    ])  # fmt: skip

    result = members_import(branch.db, keys, path, CLI)

    assert (result.added, result.unchanged, result.conflicts) == (3, 0, [])
    assert [(p.row, p.code) for p in result.invalid] == [
        (7, "nik_number"), (8, "nik_twice"), (9, "kpj_missing"), (10, "kpj_bad"), (11, "nik_bad"),
        (12, "kpj_twice"), (13, "nik_excel"),
    ]  # fmt: skip
    messages = dict(result.problems())
    assert "Excel" in messages[7] and "15 digit" in messages[7]  # said in Indonesian
    assert "tidak dapat dipulihkan" in messages[13]
    assert "baris 4" in messages[8]  # where the NIK was first
    assert _listed(branch) == {
        "3209144101850001": ("26010000001", "Siti Aminah", date(1985, 1, 1)),
        "3209144101850002": ("26010000002", "Nur Aini", date(1985, 1, 1)),
        "3209144101850003": ("26010000003", "Dewi", date(1985, 1, 1)),  # an Excel serial
    }
    with branch.db.reading() as session:
        prefixes = dict(session.execute(select(BpjsMember.nik, BpjsMember.nik_prefix)).all())
        numbers = set(session.scalars(select(BpjsMember.change_no)).all())
    salt = duplicate_salt(keys)
    assert prefixes == {nik: duplicate_prefix(salt, nik) for nik in prefixes}
    (entry,) = _audited(branch)  # one entry for the whole list, never the file's name
    assert numbers == {entry.change_no} and entry.actor == "cli:test"
    assert "daftar-peserta" not in entry.changes_json
    assert "3209144101850001" not in entry.changes_json
    assert json.loads(entry.changes_json)["added"] == 3
    assert entry.entity_key == f"sha256:{result.file_ref}"

    again = members_import(branch.db, keys, path, CLI)
    assert (again.added, again.unchanged, len(again.invalid)) == (0, 3, 7)

    # A later list: one NIK with another KPJ, and a known KPJ for a new NIK: neither overwritten.
    later = members_import(branch.db, keys, _workbook(tmp_path / "later.xlsx", [
        ["NIK", "KPJ"], ["3209144101850001", "26010000099"], ["3209144101850011", "26010000002"],
        ["3209144101850012", "26010000012"],
    ]), CLI)  # fmt: skip
    assert (later.added, later.unchanged) == (1, 0)
    assert [(c.row, c.listed) for c in later.conflicts] == [(2, "26010000001"), (3, None)]
    assert "26010000001" in later.conflicts[0].message()
    assert _listed(branch)["3209144101850001"][0] == "26010000001"
    assert "3209144101850011" not in _listed(branch)
    assert len(_audited(branch)) == 3


def test_the_participants_here_get_their_listed_kpj_and_the_ack_carries_it(
    tmp_path: Path, branch: App, post: PostSide
) -> None:
    ids = [post.register() for _ in range(3)]
    written = post.export()
    import_batch(branch.db, branch.folder, written.path, CLI)
    a, b, c = (_at_branch(branch, post.code, i) for i in ids)
    kpj_file = _workbook(tmp_path / "kpj.xlsx", [["NIK", "KPJ"], [c.nik, "26010000033"]])
    kpj_import(branch.db, kpj_file, CLI)

    result = members_import(branch.db, branch_keys(branch.folder), _workbook(
        tmp_path / "bpjs.xlsx",
        [["NIK", "KPJ"], [a.nik, "26010000011"], [b.nik, "26010000033"], [c.nik, "26010000034"]],
    ), CLI)  # fmt: skip

    assert (result.added, result.kpj_attached) == (3, 1)
    # b's listed number is c's already; c has another number: neither is overwritten.
    assert sorted((k.row, k.holder is not None) for k in result.kpj_conflicts) == [
        (3, True), (4, False),
    ]  # fmt: skip
    assert build_ack(branch.db, branch_keys(branch.folder), a.post_id, 1).kpj == {
        a.registration_no: "26010000011", c.registration_no: "26010000033",
    }  # fmt: skip


def test_a_post_registering_someone_on_the_list_is_not_rejected_and_hears_so(
    tmp_path: Path, branch: App, post: PostSide
) -> None:
    members_import(branch.db, branch_keys(branch.folder), _workbook(
        tmp_path / "bpjs.xlsx", [["NIK", "KPJ", "Nama"], [FIRST_NIK, "26010000001", "Siti"]],
    ), CLI)  # fmt: skip
    mine = post.register()  # the lapsed member rejoins at the post
    someone = post.register()
    result = import_batch(branch.db, branch.folder, post.export().path, CLI)

    assert result.rejected == []
    person = _at_branch(branch, post.code, mine)
    assert (person.nik, person.standing, person.kpj) == (FIRST_NIK, "member", "26010000001")
    assert _at_branch(branch, post.code, someone).kpj is None
    assert result.ack_path is not None
    data = result.ack_path.read_bytes()
    ack = read_ack(data, branch_keys(branch.folder).public, result.ack_path.name)
    assert ack.bpjs_known == [person.registration_no]
    assert ack.kpj == {person.registration_no: "26010000001"}

    taken = take_ack(post.app.db, data, result.ack_path.name, CLI)
    assert (taken.bpjs_known, taken.kpj_numbers, taken.newly_rejected) == (1, 1, [])
    with post.app.db.reading() as session:
        at_post = session.get(Participant, mine)
        assert at_post is not None and (at_post.kpj, at_post.standing) == ("26010000001",
                                                                          "member")  # fmt: skip

    # The next batch's ACK no longer calls it new: it says each batch's own.
    post.register()
    later = import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert later.ack_path is not None
    later_ack = read_ack(later.ack_path.read_bytes(), branch_keys(branch.folder).public, "x")
    assert later_ack.bpjs_known == []


def test_a_listed_number_another_participant_holds_is_not_given(
    tmp_path: Path, branch: App, post: PostSide
) -> None:
    first = post.register()
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    holder = _at_branch(branch, post.code, first)
    kpj_import(branch.db, _workbook(tmp_path / "kpj.xlsx", [["NIK", "KPJ"],
                                                            [holder.nik, "26010000001"]]),
               CLI)  # fmt: skip
    # BPJS's list says the same number for another person (the list is BPJS's; the branch's
    # participant was given it first): the post's new registration stands without it.
    with branch.db.unit_of_work("test") as session:
        session.add(BpjsMember(nik="3209144101920002", kpj="26010000001", change_no=0,
                               listed_at=datetime(2026, 11, 1, tzinfo=UTC)))  # fmt: skip
    mine = post.register()
    result = import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert result.rejected == []
    person = _at_branch(branch, post.code, mine)
    assert (person.nik, person.kpj, person.standing) == ("3209144101920002", None, "member")


def test_the_posts_duplicate_warning_covers_the_list(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    keys = branch_keys(branch.folder)
    members_import(branch.db, keys, _workbook(
        tmp_path / "bpjs-1.xlsx", [["NIK", "KPJ"], [LISTED, "26010000001"]],
    ), CLI)  # fmt: skip
    post.register()
    first = import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert first.ack_path is not None
    with post.app.db.reading() as session:
        assert not possibly_elsewhere(session, LISTED)  # no ACK taken in yet
    take_ack(post.app.db, first.ack_path.read_bytes(), first.ack_path.name, CLI)
    with post.app.db.reading() as session:
        assert possibly_elsewhere(session, LISTED)

    # A list imported after that batch: its people come with the next batch's ACK, once.
    later_nik = "3209144101860888"
    clock.advance(hours=1)
    members_import(branch.db, keys, _workbook(
        tmp_path / "bpjs-2.xlsx", [["NIK", "KPJ"], [later_nik, "26010000002"]],
    ), CLI)  # fmt: skip
    post.register()
    second = import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert second.ack_path is not None
    ack = read_ack(second.ack_path.read_bytes(), keys.public, "x")
    salt = duplicate_salt(keys)
    assert duplicate_prefix(salt, later_nik) in ack.duplicate_prefixes
    assert duplicate_prefix(salt, LISTED) not in ack.duplicate_prefixes
    take_ack(post.app.db, second.ack_path.read_bytes(), second.ack_path.name, CLI)
    with post.app.db.reading() as session:
        assert possibly_elsewhere(session, later_nik)


# --- bad input: one clear line or a per-row reason, never a crash, nothing half-stored ----------


def _nothing_stored(branch: App) -> None:
    with branch.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(BpjsMember)) == 0
    assert _audited(branch) == []


def test_an_unusable_file_is_refused_in_one_line_and_changes_nothing(
    tmp_path: Path, branch: App
) -> None:
    keys = branch_keys(branch.folder)
    empty = tmp_path / "kosong.xlsx"
    empty.write_bytes(b"")
    protected = tmp_path / "berpassword.xlsx"  # what Excel writes for a password: an OLE file
    protected.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 4096)
    text = tmp_path / "daftar.xlsx"
    text.write_text("NIK;KPJ\n3209144101850001;26010000001\n")
    big = tmp_path / "besar.xlsx"  # 50 MB that is not a workbook
    with big.open("wb") as out:
        out.write(b"PK\x03\x04")
        out.truncate(50 << 20)
    headers = _workbook(tmp_path / "judul.xlsx", [["NIK", "Nama", "KPJ"], [None, None, None]])
    no_columns = _workbook(tmp_path / "tanpa-kolom.xlsx", [["No", "Nama"], [1, "Siti"]])
    cases = {
        empty: "members_file_empty",
        protected: "members_file_protected",
        text: "kpj_file_not_spreadsheet",
        big: "kpj_file_not_spreadsheet",
        headers: "members_file_no_rows",
        no_columns: "members_file_no_columns",
    }
    for path, key in cases.items():
        with pytest.raises(UserError) as refused:
            members_import(branch.db, keys, path, CLI)
        assert refused.value.key == key, path.name
        message = refused.value.message()
        assert str(path) in message and "\n" not in message
    # Rows, none of them usable: their reasons, and nothing stored.
    bad = members_import(branch.db, keys, _workbook(tmp_path / "salah.xlsx", [
        ["NIK", "KPJ"], ["123", "26010000001"], [3.20914410185e15, "26010000002"],
    ]), CLI)  # fmt: skip
    assert [(p.row, p.code) for p in bad.invalid] == [(2, "nik_bad"), (3, "nik_number")]
    assert bad.used == 0
    _nothing_stored(branch)


@pytest.fixture(scope="module")
def blank_tail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two people, then 100,000 formatted but blank rows, as a sheet someone once filled down."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import PatternFill

    path = tmp_path_factory.mktemp("blank") / "daftar.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Peserta")
    sheet.append(["NIK", "KPJ"])
    sheet.append(["3209144101850001", "26010000001"])
    sheet.append(["3209144101850002", "26010000002"])
    fill = PatternFill("solid", fgColor="FFFF00")
    for _ in range(100_000):
        cell = WriteOnlyCell(sheet, None)
        cell.fill = fill
        sheet.append([cell])
    book.save(path)
    return path


def test_a_hundred_thousand_blank_formatted_rows_at_the_end_are_passed_over(
    branch: App, blank_tail: Path
) -> None:
    result = members_import(branch.db, branch_keys(branch.folder), blank_tail, CLI)
    assert (result.added, result.invalid) == (2, [])


def test_a_listed_nik_with_another_birth_date_is_someone_else_and_gets_no_number(
    tmp_path: Path, branch: App, post: PostSide
) -> None:
    # BPJS lists FIRST_NIK born on another day than the post's registration says: a NIK typed
    # wrong at one end, so the number is not given (the registration still stands).
    members_import(branch.db, branch_keys(branch.folder), _workbook(
        tmp_path / "bpjs.xlsx",
        [["NIK", "KPJ", "Tgl Lahir"], [FIRST_NIK, "26010000001", date(1950, 1, 1)]],
    ), CLI)  # fmt: skip
    mine = post.register()
    result = import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert result.rejected == []
    person = _at_branch(branch, post.code, mine)
    assert (person.standing, person.kpj) == ("member", None)
