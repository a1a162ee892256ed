"""After a lost laptop (issue 19, item 4): ``branch post-subjects CODE --on DATE --out F.xlsx``
lists whose data the post held that day. Read back with openpyxl; the branch on SQLite and on
PostgreSQL (``DATABASE_URL``)."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from rumah_perisai.app import App
from rumah_perisai.branch import import_batch
from rumah_perisai.branch.subjects import write_post_subjects
from rumah_perisai.config import DataFolder
from rumah_perisai.errors import UserError
from tests.branch.branch_world import (  # branch, branch_url, post: fixtures, used by name
    CLI,
    PostSide,
    branch,
    branch_url,
    make_branch,
    make_post,
    post,
    request_at_post,
)
from tests.conftest import FakeClock
from tests.test_cli import run

DAY = date(2026, 11, 28)


def _a_week_at_the_post(branch: App, post: PostSide, clock: FakeClock) -> None:
    """27 Nov: Siti (pays a month), Ani (erased that afternoon), Budi (erased on the 29th);
    1 Dec: Citra. Every batch imported at the branch."""
    siti = post.register(name="Siti Rahayu")
    post.pay(siti)
    ani = post.register(name="Ani Lestari")
    budi = post.register(name="Budi Santoso")
    clock.advance(hours=3)
    request_at_post(post, ani, "erase")
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    clock.advance(days=2)  # 29 Nov
    request_at_post(post, budi, "erase")
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    clock.advance(days=2)  # 1 Dec
    post.register(name="Citra Dewi")
    import_batch(branch.db, branch.folder, post.export().path, CLI)


def _rows(path: Path, sheet: str) -> list[list[Any]]:
    return [list(row) for row in load_workbook(path)[sheet].iter_rows(values_only=True)]


def test_the_list_holds_who_was_on_the_laptop_that_day(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    _a_week_at_the_post(branch, post, clock)

    summary = write_post_subjects(branch.db, "rp3209a", DAY, tmp_path / "hilang.xlsx")

    rows = _rows(tmp_path / "hilang.xlsx", "Subjek data")
    assert rows[0][:4] == ["No. registrasi", "KPJ", "Nama", "NIK"]
    listed = {row[0]: row for row in rows[1:]}
    # Ani was erased before the day, Citra registered after it: neither was on the laptop.
    assert sorted(listed) == ["RP3209A-000001", "RP3209A-000003"]
    siti, budi = listed["RP3209A-000001"], listed["RP3209A-000003"]
    assert siti[2] == "Siti Rahayu" and siti[3] == "3209144101910001"
    assert siti[6:12] == ["ya", "ya", "ya", "tidak", 1, "Peserta"] and siti[12] is None
    # Erased since: listed, what was held said, the values gone; a member that day.
    assert budi[2] == "(dihapus atas permintaan)" and budi[3] is None and budi[4] is None
    assert budi[8] == "tidak diketahui" and budi[11] == "Peserta"
    assert budi[12].date() == date(2026, 11, 29)
    totals = dict((row[0], row[1]) for row in _rows(tmp_path / "hilang.xlsx", "Ringkasan"))
    assert totals["Peserta"] == 2 and totals["Dihapus sejak tanggal itu"] == 1
    assert totals["Kuitansi"] == 1 and totals["Status: Peserta"] == 2
    assert (summary.participants, summary.erased_since, summary.receipts) == (2, 1, 1)

    # On the 27th itself Ani was still there (erased that day, not before it).
    on_27 = write_post_subjects(branch.db, "RP3209A", date(2026, 11, 27), tmp_path / "27.xlsx")
    assert on_27.participants == 3 and on_27.erased_since == 2


def test_bad_input_writes_nothing(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    post.register()
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    out = tmp_path / "list.xlsx"
    cases = [
        ("RP9999Z", DAY, out, "post_unknown"),
        ("RP3209A", date(2026, 11, 28), out, "subjects_future_day"),  # the clock: 27 Nov
        ("RP3209A", date(2026, 11, 27), tmp_path / "gone" / "list.xlsx", "export_folder_missing"),
        ("RP3209A", date(2026, 11, 27), tmp_path / "list.csv", "subjects_out_kind"),
    ]
    for code, day, path, key in cases:
        with pytest.raises(UserError) as refused:
            write_post_subjects(branch.db, code, day, path)
        assert refused.value.key == key
    assert list(tmp_path.glob("list*")) == []


def test_the_post_subjects_command(tmp_path: Path, clock: FakeClock) -> None:
    root = tmp_path / "branch"
    root.mkdir()
    branch = make_branch(root, DataFolder(root).sqlite_url, clock)
    side = make_post(tmp_path, branch, clock, "RP3209A")
    try:
        _a_week_at_the_post(branch, side, clock)
    finally:
        side.app.close()
        branch.close()
    assert run("--data-dir", str(root), "settings", "language", "en")[0] == 0
    target = tmp_path / "notice.xlsx"
    args = ["--data-dir", str(root), "branch", "post-subjects", "RP3209A", "--on", "2026-11-28"]

    code, out, err = run(*args, "--out", str(target))
    assert (code, out) == (0, f"{target}\n")
    assert err == (
        "2 participants whose data post RP3209A held on 2026-11-28 (1 erased since) written.\n"
    )
    code, out, _err = run(*args, "--out", str(tmp_path / "notice-2.xlsx"), "--json")
    assert code == 0 and json.loads(out)["participants"] == 2
    assert json.loads(out)["path"] == str(tmp_path / "notice-2.xlsx")
    # A file already there with other content is never overwritten (as every export).
    target.write_bytes(b"another file")
    code, out, err = run(*args, "--out", str(target))
    assert (code, out, target.read_bytes()) == (1, "", b"another file")

    bad = [
        (["RP9999Z", "--on", "2026-11-28"], 1),
        (["RP3209A", "--on", "2999-01-01"], 1),
        (["RP3209A", "--on", "28-11-2026"], 2),
    ]
    for words, expected in bad:
        fresh = tmp_path / "fresh.xlsx"
        code, out, err = run("--data-dir", str(root), "branch", "post-subjects", *words,
                             "--out", str(fresh))  # fmt: skip
        assert (code, out, fresh.exists()) == (expected, "", False)
        assert len(err.strip().splitlines()) == 1 or expected == 2
    code, out, err = run(*args, "--out", str(tmp_path / "no" / "x.xlsx"))
    assert (code, out) == (1, "") and len(err.strip().splitlines()) == 1

    logs = "".join(p.read_text(encoding="utf-8") for p in (root / "logs").glob("*"))
    for personal in ("Siti", "Budi", "3209144101910001", "081234567890"):
        assert personal not in logs
