"""The branch's spreadsheets with BPJS's systems (issue 9): KPJ numbers in — and on to the posts
in the next acknowledgement — and registrations and dues out. Posts on SQLite; the branch on
SQLite and on PostgreSQL (``DATABASE_URL``)."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import io
import json
import tracemalloc
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from rumah_perisai.app import App, open_app
from rumah_perisai.branch import add_post, branch_keys, build_ack, import_batch
from rumah_perisai.branch.xlsx import (
    RECEIPT_HEADINGS,
    REGISTRATION_HEADINGS,
    branch_export,
    kpj_import,
)
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import AuditEntry, Participant
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import read_ack
from rumah_perisai.keys.installed import install_branch_key, post_key_file_bytes
from rumah_perisai.services.acks import take_ack
from rumah_perisai.services.batches import export_batch
from rumah_perisai.services.dues import void_receipt
from rumah_perisai.services.registration import withdraw
from tests.branch.branch_world import (  # branch, branch_url, post: fixtures, used by name
    CLI,
    PostSide,
    branch,
    branch_url,
    make_branch,
    make_post,
    post,
)
from tests.conftest import FakeClock
from tests.test_cli import run


def _workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _at_branch(branch: App, post_code: str, source_id: int) -> Participant:
    with branch.db.reading() as session:
        return session.scalars(
            select(Participant).where(
                Participant.post_code == post_code, Participant.source_id == source_id
            )
        ).one()


def _kpj_at_branch(branch: App) -> dict[str, str | None]:
    with branch.db.reading() as session:
        return dict(session.execute(select(Participant.registration_no, Participant.kpj)).all())


# --- KPJ numbers in ----------------------------------------------------------------------------


def test_kpj_numbers_from_bpjs_reach_the_post_in_the_next_ack(
    tmp_path: Path, branch: App, post: PostSide
) -> None:
    ids = [post.register() for _ in range(4)]
    written = post.export()
    import_batch(branch.db, branch.folder, written.path, CLI)
    a, b, c, d = (_at_branch(branch, "RP3209A", i) for i in ids)

    # d got its number in an earlier file; this one says another number for d.
    first = kpj_import(branch.db, _workbook(tmp_path / "kpj-1.xlsx", [
        ["NIK", "KPJ"], [d.nik, "31000000004"],
    ]), CLI)  # fmt: skip
    assert (first.set, first.unchanged, first.matched) == (1, 0, 1)

    # As BPJS's system might write it: a title, blank rows, headings in other words and case,
    # extra columns, a NIK stored as a number, a NIK typed in groups behind an apostrophe.
    path = _workbook(tmp_path / "kpj-bpjs.xlsx", [
        ["Daftar KPJ peserta BPU — Kantor Cabang Cirebon"],
        [],
        [],
        ["No", " Nik ", "Nama", "No. KPJ", "Keterangan"],
        [1, int(a.nik), a.name, "31000000001", "baru"],
        [2, f"'{b.nik[:4]} {b.nik[4:8]} {b.nik[8:12]} {b.nik[12:]}", b.name, 31000000002, ""],
        [3, "3209144101990999", "Orang lain", "31000000009", ""],
        [4, c.nik, c.name, "3100", ""],
        [],
        [6, d.nik, d.name, "31000000044", ""],
        [7, "12345", "Salah ketik", "31000000007", ""],
        [8, None, "Tanpa NIK", "31000000008", ""],
    ])  # fmt: skip
    result = kpj_import(branch.db, path, CLI)

    assert (result.set, result.unchanged) == (2, 0)
    assert result.unknown == ["3209144101990999"]
    assert [(r.row, r.code, r.value) for r in result.invalid] == [
        (8, "kpj_bad", "3100"), (11, "nik_bad", "12345"), (12, "nik_missing", ""),
    ]  # fmt: skip
    assert "3100" in result.invalid[0].message()
    (conflict,) = result.conflicts
    assert (conflict.row, conflict.registration_no) == (10, d.registration_no)
    assert (conflict.current, conflict.offered, conflict.holder) == ("31000000004", "31000000044",
                                                                    None)  # fmt: skip
    assert "31000000004" in conflict.message() and "31000000044" in conflict.message()
    assert _kpj_at_branch(branch) == {
        a.registration_no: "31000000001", b.registration_no: "31000000002",
        c.registration_no: None, d.registration_no: "31000000004",
    }  # fmt: skip
    with branch.db.reading() as session:  # audited as the change it is
        audited = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_key == a.registration_no, AuditEntry.action == "update"
            )
        ).all()
    assert [e.actor for e in audited] == ["cli:test"] and "31000000001" in audited[0].changes_json

    again = kpj_import(branch.db, path, CLI)
    assert (again.set, again.unchanged, len(again.conflicts)) == (0, 2, 1)

    # The next acknowledgement (here: the batch brought again) carries the numbers to the post.
    ack = build_ack(branch.db, branch_keys(branch.folder), a.post_id, 1)
    assert ack.kpj == {
        a.registration_no: "31000000001", b.registration_no: "31000000002",
        d.registration_no: "31000000004",
    }  # fmt: skip
    result_again = import_batch(branch.db, branch.folder, written.path, CLI)
    assert result_again.state == "already_imported" and result_again.ack_path is not None
    data = result_again.ack_path.read_bytes()
    assert read_ack(data, branch_keys(branch.folder).public, "x").kpj == ack.kpj

    taken = take_ack(post.app.db, data, result_again.ack_path.name, CLI)
    assert taken.kpj_numbers == 3
    with post.app.db.reading() as session:
        stored = dict(session.execute(select(Participant.id, Participant.kpj)).all())
    assert stored == dict(zip(ids, ["31000000001", "31000000002", None, "31000000004"],
                              strict=True))  # fmt: skip


def test_a_nik_at_two_posts_gets_its_number_on_the_registration_that_stands(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        theirs = other.register(name="Siti Aminah")  # the same generated NIK as ``mine``
        someone = other.register()
        import_batch(branch.db, branch.folder, other.export().path, CLI)
        clock.advance(hours=2)
        mine = post.register(name="Siti Aminah")
        import_batch(branch.db, branch.folder, post.export().path, CLI)
    finally:
        other.app.close()
    standing, rejected = _at_branch(branch, "RP3209B", theirs), _at_branch(branch, "RP3209A", mine)
    assert standing.nik == rejected.nik and rejected.standing == "rejected"
    second = _at_branch(branch, "RP3209B", someone)

    result = kpj_import(branch.db, _workbook(tmp_path / "kpj.xlsx", [
        ["KPJ", "NIK"], ["31000000001", standing.nik], ["31000000001", second.nik],
    ]), CLI)  # fmt: skip

    assert result.set == 1
    (conflict,) = result.conflicts  # one number, two people: the second is not given it
    assert (conflict.row, conflict.holder, conflict.current) == (3, standing.registration_no,
                                                                 None)  # fmt: skip
    assert standing.registration_no in conflict.message()
    assert _kpj_at_branch(branch) == {
        standing.registration_no: "31000000001", rejected.registration_no: None,
        second.registration_no: None,
    }  # fmt: skip


def test_an_unusable_file_changes_nothing(tmp_path: Path, branch: App, post: PostSide) -> None:
    who = post.register()
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    nik = _at_branch(branch, "RP3209A", who).nik

    text = tmp_path / "kpj.csv"
    text.write_text(f"NIK;KPJ\n{nik};31000000001\n")
    disguised = tmp_path / "kpj.xlsx"
    disguised.write_bytes(b"PK\x03\x04 not really a workbook")
    for path in (text, disguised):
        with pytest.raises(UserError) as refused:
            kpj_import(branch.db, path, CLI)
        assert refused.value.key == "kpj_file_not_spreadsheet"
        assert str(path) in refused.value.message()

    no_columns = _workbook(tmp_path / "names.xlsx", [["NIK", "Nama"], [nik, "Siti"]])
    with pytest.raises(UserError) as refused:
        kpj_import(branch.db, no_columns, CLI)
    assert refused.value.key == "kpj_file_no_columns"

    with pytest.raises(UserError) as refused:
        kpj_import(branch.db, tmp_path / "missing.xlsx", CLI)
    assert refused.value.key == "file_unreadable"
    assert set(_kpj_at_branch(branch).values()) == {None}


@pytest.mark.slow
def test_a_big_kpj_file_is_stored_in_one_go_in_little_memory(
    tmp_path: Path, branch_url: str, clock: FakeClock
) -> None:
    """Issue 14, item 9: a 760 KB file took 160 s and 0.9 GB (a whole ORM record, with its
    change history, for every row). 2,000 rows now take a few MB of Python memory."""
    branch = make_branch(tmp_path / "branch", branch_url, clock, demo=True)
    try:
        post = DataFolder(tmp_path / "post")
        with open_app(post, post.sqlite_url, clock=clock) as app:
            create_demo_post(app.db, post, DemoRequest(participants=2000), CLI.label)
            install_branch_key(
                app.db, (branch.folder.keys / "branch-public-key.json").read_bytes(), CLI
            )
            add_post(branch.db, branch.folder, post_key_file_bytes(app.db, post.keys), CLI)
            (tmp_path / "stick").mkdir()
            written = export_batch(app.db, post, tmp_path / "stick", CLI)
        import_batch(branch.db, branch.folder, written.path, CLI)
        with branch.db.reading() as session:
            niks = list(session.scalars(select(Participant.nik).order_by(Participant.id)))
        numbers = [f"{31_000_000_000 + i:011d}" for i in range(len(niks))]
        sheet = _workbook(tmp_path / "kpj.xlsx", [
            ["No", "NIK", "Nama", "No. KPJ"],
            *([i, nik, "x", kpj] for i, (nik, kpj) in enumerate(zip(niks, numbers, strict=True))),
            [0, niks[0], "again, another number", "31999999999"],
            [0, niks[1], "again, the same number", numbers[1]],
        ])  # fmt: skip

        tracemalloc.start()
        try:
            result = kpj_import(branch.db, sheet, CLI)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

        assert (result.set, result.unchanged, result.unknown) == (2000, 1, [])
        (conflict,) = result.conflicts  # a number given twice in one file: the first stands
        assert (conflict.row, conflict.current, conflict.offered) == (2002, numbers[0],
                                                                      "31999999999")  # fmt: skip
        assert peak < 10_000_000, f"{peak / 1e6:.1f} MB of Python memory for 2,000 rows"
        with branch.db.reading() as session:
            stored = dict(session.execute(select(Participant.nik, Participant.kpj)).all())
            changes = set(session.scalars(select(Participant.change_no)))
            numbered = session.execute(select(Participant.registration_no, Participant.kpj)).all()
            audited = session.scalars(
                select(AuditEntry).where(
                    AuditEntry.actor == CLI.label, AuditEntry.entity == "participants"
                )
            ).all()
        assert stored == dict(zip(niks, numbers, strict=True))
        assert len(changes) == 1  # one operation, one change number
        assert len(audited) == 2000 and {e.change_no for e in audited} == changes
        assert {e.entity_key: json.loads(e.changes_json) for e in audited} == {
            regno: {"_reason": "KPJ numbers from kpj.xlsx", "kpj": [None, kpj]}
            for regno, kpj in numbered
        }
    finally:
        branch.close()


# --- registrations and dues out ------------------------------------------------------------------


def test_the_export_for_bpjs_has_registrations_and_dues_in_typed_cells(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    siti = post.register(name="Siti Rahayu")
    gone = post.register()
    refused = post.register()
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    clock.advance(days=100)  # the free cover has ended: dues are owed
    first = post.pay(siti, 3)
    void_receipt(post.app.db, first, "salah jumlah", post.coordinator)
    post.pay(siti, 1)
    withdraw(post.app.db, gone, "terdaftar dua kali", post.coordinator)
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    with branch.db.unit_of_work("cli:test") as session:  # as a duplicate at another post would
        person = session.scalars(select(Participant).where(Participant.source_id == refused)).one()
        person.standing = "rejected"
        person.kpj = None
        session.scalars(
            select(Participant).where(Participant.source_id == siti)
        ).one().kpj = "31000000001"

    out = tmp_path / "out" / "bpjs-cirebon.xlsx"
    out.parent.mkdir()
    counts = branch_export(branch.db, out)

    assert (counts.path, counts.registrations, counts.receipts) == (out, 2, 3)
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left
    book = load_workbook(io.BytesIO(out.read_bytes()))
    assert book.sheetnames == ["Pendaftaran", "Iuran"]
    sheet = book["Pendaftaran"]
    heads = [c.value for c in sheet[1]]
    assert heads == [h for h, _w in REGISTRATION_HEADINGS]
    assert heads[:4] == ["Pos", "No. registrasi", "KPJ", "NIK"]
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width == 28
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    with branch.db.reading() as session:
        by_source = {
            p.source_id: p for p in session.scalars(select(Participant).order_by(Participant.id))
        }
    registered = by_source[siti]
    assert sorted(rows) == sorted([registered.registration_no, by_source[gone].registration_no])
    row = {h: cell for h, cell in zip(heads, rows[registered.registration_no], strict=True)}
    assert row["Pos"].value == "RP3209A" and row["KPJ"].value == "31000000001"
    assert row["KPJ"].data_type == "s" and row["KPJ"].number_format == "@"
    assert row["NIK"].value == registered.nik and row["NIK"].data_type == "s"
    assert row["NIK"].number_format == "@"
    assert row["Nama"].value == "Siti Rahayu" and row["Jenis kelamin"].value == "P"
    assert row["Tanggal lahir"].is_date
    assert row["Tanggal lahir"].value == datetime.combine(
        registered.birth_date, datetime.min.time()
    )
    assert row["Tanggal daftar"].value.date() == registered.registered_on
    assert row["Penghasilan"].value == 1_000_000 and row["Penghasilan"].data_type == "n"
    assert row["JHT"].value == "Tidak" and row["Kode desa"].value == "32.09.14.2001"
    assert row["RT"].value == "001" and row["Alamat"].value == "Jl. Pantura"
    assert row["Status"].value == "Aktif"
    assert rows[by_source[gone].registration_no][-1].value == "Dibatalkan"

    dues = book["Iuran"]
    heads = [c.value for c in dues[1]]
    assert heads == [h for h, _w in RECEIPT_HEADINGS] and dues.freeze_panes == "A2"
    lines = [dict(zip(heads, r, strict=True)) for r in dues.iter_rows(min_row=2)]
    assert [line["Jenis"].value for line in lines] == ["Bayar", "Batal", "Bayar"]
    paid, void, kept = lines
    assert void["Membatalkan"].value == paid["No. kuitansi"].value
    assert paid["Membatalkan"].value is None
    assert void["Total"].value == -paid["Total"].value < 0
    assert paid["Jumlah bulan"].value == 3 and kept["Jumlah bulan"].value == 1
    for line in lines:
        assert line["NIK"].value == registered.nik and line["NIK"].data_type == "s"
        assert line["No. registrasi"].value == registered.registration_no
        assert line["Tanggal"].is_date and line["Bulan dari"].is_date
        assert line["Bulan dari"].value.day == 1 and line["Bulan dari"].number_format == "MM-YYYY"
        parts = line["JKK"].value + line["JKM"].value + line["JHT"].value
        assert parts == line["Total"].value
    assert sum(line["Total"].value for line in lines) == kept["Total"].value > 0
    assert kept["Bulan sampai"].value == kept["Bulan dari"].value
    first_month, last_month = paid["Bulan dari"].value, paid["Bulan sampai"].value
    assert (last_month.year * 12 + last_month.month) - (
        first_month.year * 12 + first_month.month
    ) == 2

    older = tmp_path / "out" / "older.xlsx"
    older.write_bytes(b"last week's export")
    with pytest.raises(UserError) as refused_again:  # another file is never overwritten
        branch_export(branch.db, older)
    assert refused_again.value.key == "file_exists_different"
    assert older.read_bytes() == b"last week's export"
    with pytest.raises(UserError) as nowhere:
        branch_export(branch.db, tmp_path / "no-such-folder" / "x.xlsx")
    assert nowhere.value.key == "export_folder_missing"


# --- the commands --------------------------------------------------------------------------------


def test_the_kpj_import_and_export_commands(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "branch"
    root.mkdir()
    branch = make_branch(root, DataFolder(root).sqlite_url, clock)
    side = make_post(tmp_path, branch, clock, "RP3209A")
    try:
        who = side.register()
        import_batch(branch.db, branch.folder, side.export().path, CLI)
        nik = _at_branch(branch, "RP3209A", who).nik
    finally:
        side.app.close()
        branch.close()

    # English, so the lines can be read here whatever the catalogue says.
    assert run("--data-dir", str(root), "settings", "language", "en")[0] == 0
    good = _workbook(tmp_path / "kpj.xlsx", [["NIK", "KPJ"], [nik, "31000000001"],
                                             ["3209144101990999", "31000000009"]])  # fmt: skip
    code, out, err = run("--data-dir", str(root), "branch", "kpj-import", str(good))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "KPJ numbers from kpj.xlsx: 1 stored, 0 already stored, 1 unknown NIKs, 0 unusable rows,"
        " 0 not overwritten.",
        "No participant with NIK 3209144101990999 at this branch.",
    ]

    stranger = _workbook(tmp_path / "lain.xlsx", [["NIK", "KPJ"], ["3209144101990999", "1"]])
    code, out, err = run("--data-dir", str(root), "branch", "kpj-import", str(stranger))
    assert code == 1 and out.splitlines()[1:] == ["Row 2: KPJ number 1 is not 11 digits"]
    assert err == (
        "No NIK in lain.xlsx matched a participant at this branch; nothing was stored.\n"
    )
    code, out, err = run("--data-dir", str(root), "branch", "kpj-import", str(tmp_path / "x.xlsx"))
    assert (code, out) == (1, "") and "x.xlsx" in err
    (root / "not-a-workbook.xlsx").write_text("NIK,KPJ")
    code, out, err = run(
        "--data-dir", str(root), "branch", "kpj-import", str(root / "not-a-workbook.xlsx")
    )
    assert (code, out) == (1, "") and "not an Excel workbook" in err

    target = tmp_path / "bpjs.xlsx"
    code, out, err = run("--data-dir", str(root), "branch", "export", "--out", str(target))
    assert (code, out, err) == (0, f"{target}\n", "1 registrations and 0 receipts written.\n")
    registration = load_workbook(target)["Pendaftaran"]
    assert [c.value for c in registration[2]][2:4] == ["31000000001", nik]

    post_dir = tmp_path / "RP3209A"  # a post's folder is not a branch
    code, out, err = run("--data-dir", str(post_dir), "branch", "export", "--out", str(target))
    assert (code, out) == (1, "") and str(post_dir) in err


def test_a_later_batch_keeps_the_kpj_number_the_branch_stored(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    """The post's changed registration comes back before the post took in the ACK with the
    number: the post's empty KPJ must not wipe the branch's."""
    who = post.register()
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    nik = _at_branch(branch, "RP3209A", who).nik
    sheet = _workbook(tmp_path / "kpj.xlsx", [["NIK", "KPJ"], [nik, "31000000001"]])
    assert kpj_import(branch.db, sheet, CLI).set == 1
    clock.advance(days=100)
    post.pay(who, 3)  # changes the registration's cover dates: it travels again
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    assert _at_branch(branch, "RP3209A", who).kpj == "31000000001"
