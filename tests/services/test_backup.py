# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)
"""Backups and restore (issue 16, items 1 and 2, and its faults): real posts on their own
encrypted SQLite files, a real branch (SQLite, and PostgreSQL when DATABASE_URL is set), sticks
as folders, files read back byte for byte."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from rumah_perisai import presence, vault
from rumah_perisai.app import App, open_app
from rumah_perisai.branch import import_batch, import_files, set_suspended
from rumah_perisai.branch.backups import kept_folder, recover_post
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import AuditEntry, Batch, Receipt, Setting
from rumah_perisai.errors import UserError
from rumah_perisai.exchange import safe_write
from rumah_perisai.exchange.backupfile import NamedBackup, read_header
from rumah_perisai.i18n import set_language
from rumah_perisai.keys.files import BRANCH_PUBLIC_FILE
from rumah_perisai.services import backup as backup_service
from rumah_perisai.services.backup import (
    backup_status,
    keep_set,
    local_backup,
    set_off_laptop_target,
    write_backup,
)
from rumah_perisai.services.cash import close_day, till
from rumah_perisai.services.paper_receipts import finish as finish_paper_receipts
from rumah_perisai.services.receipt_chain import verify_chain
from rumah_perisai.services.restore import restore
from rumah_perisai.services.restore_state import RESTORE_SETTING
from rumah_perisai.services.volunteers import log_in
from tests.branch.branch_world import CLI, PostSide, branch, branch_url, make_post


def _with_code(side: PostSide) -> str:
    """The post's recovery code, known to the test (set-up makes one and shows it once). The
    branch wrap is the backup writer's to make, from the branch key the post installed."""
    code = vault.new_recovery_code()
    vault.set_recovery_code(side.app.folder, code)
    return code


def _state(root: Path) -> dict[str, str]:
    """Every file under ``root`` (logs aside) by its SHA-256: "nothing changed" is this equal."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "logs" not in path.relative_to(root).parts:
            if path.name == ".vault-lock":
                continue
            found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture
def side(tmp_path: Path, branch: App, clock: Any) -> Any:
    side = make_post(tmp_path, branch, clock, "RP3209A")
    side.code_text = _with_code(side)  # type: ignore[attr-defined]
    yield side
    side.app.close()


# --- item 1: the file ----------------------------------------------------------------------------


def test_a_backup_is_one_checked_file_that_names_no_one(side: PostSide, tmp_path: Path) -> None:
    who = side.register(name="Siti Nuraini Wulandari")
    side.pay(who)
    out = tmp_path / "out"
    out.mkdir()
    info = write_backup(side.app, out, "manual")
    assert info.path.parent == out
    assert info.path.name.startswith("RP3209A-") and info.path.name.endswith("-manual.rpbackup")
    assert ":" not in info.path.name
    assert [p.name for p in out.iterdir()] == [info.path.name]  # no temporary left
    header = read_header(info.path)
    assert header.post_code == "RP3209A" and header.kind == "manual"
    assert header.last_receipt == {"year": 2026, "seq": 1}
    assert header.wraps["recovery"] is not None and header.wraps["branch"] is not None
    data = info.path.read_bytes()
    for secret in (b"3209144101910001", b"Siti Nuraini", b"081234567890", b"PRIVATE KEY"):
        assert secret not in data


def test_a_cut_or_altered_backup_is_refused_by_its_check(side: PostSide, tmp_path: Path) -> None:
    info = write_backup(side.app, tmp_path, "manual")
    data = info.path.read_bytes()
    cut = tmp_path / "cut.rpbackup"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(UserError) as cut_error:
        read_header(cut)
    assert cut_error.value.key == "backup_cut"
    altered = tmp_path / "altered.rpbackup"
    altered.write_bytes(data[:-200] + bytes([data[-200] ^ 1]) + data[-199:])
    with pytest.raises(UserError) as altered_error:
        read_header(altered)
    assert altered_error.value.key == "backup_damaged"


def test_rotation_keeps_seven_days_and_four_weeks() -> None:
    """The newest backup of each of the last 7 days, and of each of the last 4 ISO weeks (the
    days' weeks among them): four weeks back, never more than 11 files."""
    start = datetime(2026, 9, 1, 3, tzinfo=UTC)  # Tue 1 Sep 10.00 WIB; day 59: Fri 30 Oct
    made = [
        NamedBackup(Path(f"b{n}-{k}"), "RP3209A", start + timedelta(days=n, hours=k), "daily")
        for n in range(60)
        for k in (0, 5)
    ]
    kept = keep_set(made, "WIB")
    days = {Path(f"b{n}-5") for n in range(53, 60)}  # Sat 24 Oct .. Fri 30 Oct
    weeks = {Path("b47-5"), Path("b40-5")}  # Sun 18 Oct, Sun 11 Oct (weeks 44, 43 in days)
    assert kept == days | weeks


def test_the_daily_close_backs_up_here_and_off_the_laptop(
    side: PostSide, tmp_path: Path, clock: Any
) -> None:
    drive = tmp_path / "second-drive"
    drive.mkdir()
    set_off_laptop_target(side.app, drive, side.coordinator)
    assert backup_status(side.app).off_laptop_stale  # nothing off the laptop yet
    side.pay(side.register())
    current = till(side.app.db)
    counted = {line.volunteer_key: line.expected for line in current.lines}
    close_day(side.app.db, current.day, counted, side.coordinator,
              through_seq=current.through_seq)  # fmt: skip
    local = sorted(side.app.folder.backups.glob("*.rpbackup"))
    there = sorted(drive.glob("*.rpbackup"))
    assert len(local) == 1 and local[0].name.endswith("-daily.rpbackup")
    assert [p.name for p in there] == [local[0].name]
    assert there[0].read_bytes() == local[0].read_bytes()
    status = backup_status(side.app)
    assert not status.off_laptop_stale and status.off_laptop_target == drive.resolve()
    clock.advance(days=1, minutes=1)
    assert backup_status(side.app).off_laptop_stale  # over a day old: the window says so
    with side.app.db.reading() as session:  # the target is a coordinator's audited setting
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_key == backup_service.OFF_LAPTOP_SETTING)
        ).all()
    assert audited and "Dewi Lestari" in audited[0].actor


def test_a_missing_off_laptop_drive_never_undoes_the_close(side: PostSide, tmp_path: Path) -> None:
    drive = tmp_path / "stick"
    drive.mkdir()
    set_off_laptop_target(side.app, drive, side.coordinator)
    drive.rmdir()  # pulled out
    side.pay(side.register())
    current = till(side.app.db)
    counted = {line.volunteer_key: line.expected for line in current.lines}
    close_day(side.app.db, current.day, counted, side.coordinator,
              through_seq=current.through_seq)  # fmt: skip
    assert till(side.app.db).is_empty  # closed
    status = backup_status(side.app)
    assert status.newest_local is not None and status.last_error is not None


def test_local_backups_are_thinned_out(side: PostSide, clock: Any) -> None:
    for _day in range(12):
        local_backup(side.app, "close")
        clock.advance(days=1)
    kept = sorted(side.app.folder.backups.glob("*.rpbackup"))
    assert 7 <= len(kept) <= 10


# --- the stick beside the batch ------------------------------------------------------------------


def test_every_batch_carries_a_full_backup_beside_it(side: PostSide, clock: Any) -> None:
    side.pay(side.register())
    first = side.export()
    assert first.backup is not None and first.backup.parent == side.stick
    assert read_header(first.backup).last_batch_seq == 1  # made after the batch was recorded
    clock.advance(days=7)
    side.pay(side.register())
    second = side.export()
    assert second.backup is not None
    assert sorted(side.stick.glob("*.rpbackup")) == [second.backup]  # the older one went


def test_a_stick_that_fills_up_during_the_backup_leaves_the_batch_whole(
    side: PostSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    side.pay(side.register())
    written = {"bytes": 0}
    real = safe_write.write_chunk

    def filling(fd: int, chunk: memoryview) -> int:
        written["bytes"] += len(chunk)
        if written["bytes"] > 400_000:  # the batch fits; the backup does not
            raise OSError(28, "No space left on device")
        return real(fd, chunk)

    monkeypatch.setattr(safe_write, "write_chunk", filling)
    result = side.export()
    assert result.backup is None and result.backup_error is not None
    assert list(side.stick.glob("*.rpbackup")) == []
    assert [p.name for p in side.stick.iterdir()] == [result.path.name]  # no partial either
    from rumah_perisai.services.batches import verify_file

    assert verify_file(side.app.db, result.path).recorded_here


# --- item 2: restore and carry on ----------------------------------------------------------------


def test_restored_on_a_new_laptop_the_post_carries_on(
    side: PostSide, branch: App, tmp_path: Path, clock: Any
) -> None:
    people = [side.register() for _ in range(3)]
    for person in people:
        side.pay(person)
    sent = side.export()
    import_batch(branch.db, branch.folder, sent.path, CLI)
    assert sent.backup is not None
    lost = side.app.folder
    side.app.close()

    new = DataFolder(tmp_path / "new-laptop")
    clock.advance(hours=2)
    result = restore(new, sent.backup, side.code_text, clock=clock)  # type: ignore[attr-defined]
    assert result.post_code == "RP3209A" and result.new_recovery_code is None
    assert result.last_receipt == {"year": 2026, "seq": 3} and result.last_batch_seq == 1
    assert "Cadangan ini dibuat Jumat 27 Nov 2026 pukul 09.30" in result.not_held
    assert (
        new.database.exists()
        and (new.keys / "post-signing-ed25519.pem").read_bytes()
        == (lost.keys / "post-signing-ed25519.pem").read_bytes()
    )

    app = open_app(new, new.sqlite_url, clock=clock)
    try:
        with app.db.reading() as session:
            stored = session.get(Setting, RESTORE_SETTING)
            assert stored is not None
            last = json.loads(stored.value_json)
            audited = session.scalars(
                select(AuditEntry).where(AuditEntry.entity_key == "restore.last")
            ).all()
        assert last["last_receipt"] == {"year": 2026, "seq": 3} and last["last_batch_seq"] == 1
        assert last["backup_created_at"] == "2026-11-27T02:30:00Z" and audited
        coordinator = log_in(app.db, "Dewi Lestari", "482913")
        carried = PostSide(app, "RP3209A", coordinator, side.stick, itertools.count(4))
        # Payments wait until the coordinator says which receipts were printed after the
        # backup (issue 16, paper receipts): none here, the backup is the batch's.
        finish_paper_receipts(app.db, None, coordinator)
        receipt = carried.pay(carried.register())
        with app.db.reading() as session:
            paid = session.get(Receipt, receipt)
            assert paid is not None and (paid.year, paid.seq) == (2026, 4)
        assert verify_chain(app.db).whole
        clock.advance(days=7)
        following = carried.export()
        assert following.info.seq == 2 and following.info.change_from == sent.info.change_to
        imported = import_batch(branch.db, branch.folder, following.path, CLI)
        assert imported.state == "imported" and imported.records["receipts"] == 1
        with app.db.reading() as session:
            assert session.scalars(select(Batch.seq).order_by(Batch.seq)).all() == [1, 2]
    finally:
        app.close()


def test_a_restore_with_the_branchs_one_time_code_gives_a_new_recovery_code(
    side: PostSide, branch: App, tmp_path: Path, clock: Any
) -> None:
    side.pay(side.register())
    sent = side.export()
    assert sent.backup is not None
    import_files(branch.db, branch.folder, [sent.path], CLI)
    kept = sorted(kept_folder(branch.folder, "RP3209A").glob("*.rpbackup"))
    assert [p.name for p in kept] == [sent.backup.name]  # the branch kept it
    out = tmp_path / "for-the-post"
    out.mkdir()
    recovered = recover_post(branch.db, branch.folder, kept[0], out)
    assert read_header(recovered.path).recovered
    new = DataFolder(tmp_path / "new-laptop")
    with pytest.raises(UserError) as wrong:  # the post's old code does not open this copy
        restore(new, recovered.path, side.code_text, clock=clock)  # type: ignore[attr-defined]
    assert wrong.value.key == "recovery_code_wrong"
    result = restore(new, recovered.path, recovered.one_time_code, clock=clock)
    assert result.new_recovery_code is not None
    assert vault.check_recovery_code(new, result.new_recovery_code)
    assert not vault.check_recovery_code(new, recovered.one_time_code)
    with open_app(new, new.sqlite_url, clock=clock) as app:
        assert verify_chain(app.db).whole


# --- refusals: one line each, nothing changed ----------------------------------------------------


def _refused(folder: DataFolder, path: Path, code: str, clock: Any) -> str:
    before = _state(folder.root) if folder.root.exists() else {}
    with pytest.raises(UserError) as refused:
        restore(folder, path, code, clock=clock)
    after = _state(folder.root) if folder.root.exists() else {}
    assert after == before
    message = refused.value.message()
    assert "\n" not in message and message
    return refused.value.key


def test_each_bad_restore_is_refused_in_one_line_with_nothing_changed(
    side: PostSide, branch: App, tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    code: str = side.code_text  # type: ignore[attr-defined]
    older = write_backup(side.app, tmp_path, "manual")
    clock.advance(hours=1)
    side.pay(side.register())
    newer = write_backup(side.app, tmp_path, "manual")
    empty = DataFolder(tmp_path / "empty")
    set_language("id")

    assert _refused(empty, newer.path, vault.new_recovery_code(), clock) == "recovery_code_wrong"
    data = newer.path.read_bytes()
    cut = tmp_path / "cut" / newer.path.name
    cut.parent.mkdir()
    cut.write_bytes(data[: len(data) - 1000])
    assert _refused(empty, cut, code, clock) == "backup_cut"
    tampered = tmp_path / "tampered" / newer.path.name
    tampered.parent.mkdir()
    middle = len(data) // 2
    tampered.write_bytes(data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1 :])
    assert _refused(empty, tampered, code, clock) == "backup_damaged"
    future = tmp_path / "future" / newer.path.name
    future.parent.mkdir()
    future.write_bytes(data.replace(b"RUMAH-PERISAI-BACKUP/1", b"RUMAH-PERISAI-BACKUP/2", 1))
    assert _refused(empty, future, code, clock) == "backup_newer_format"
    with monkeypatch.context() as patched:  # undoes only this (the suite's cheap hashing stays)
        patched.setattr(backup_service, "SCHEMA_REVISION", "9999")
        newer_schema = write_backup(side.app, tmp_path / "future", "manual")
    assert _refused(empty, newer_schema.path, code, clock) == "backup_newer_schema"

    # The folder the backups came from holds more than either: not newer.
    assert _refused(side.app.folder, newer.path, code, clock) == "backup_not_newer"
    # Another post's folder.
    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        assert _refused(other.app.folder, newer.path, code, clock) == "backup_other_post"
    finally:
        other.app.close()
    # Restored from the newer one, the older one is refused.
    restored = DataFolder(tmp_path / "restored")
    restore(restored, newer.path, code, clock=clock)
    assert _refused(restored, older.path, code, clock) == "backup_older_than_restored"
    assert not empty.root.exists() or not any(empty.root.glob(".restore-*"))


def test_a_branch_data_folder_is_never_restored_into(
    side: PostSide, branch: App, clock: Any, tmp_path: Path
) -> None:
    info = write_backup(side.app, tmp_path, "manual")
    assert (branch.folder.keys / BRANCH_PUBLIC_FILE).exists()
    code: str = side.code_text  # type: ignore[attr-defined]
    assert _refused(branch.folder, info.path, code, clock) == "restore_into_branch"


# --- item 4: the branch keeps the newest backup of each post -------------------------------------


def test_the_branch_keeps_the_newest_backup_and_refuses_a_hostile_one(
    side: PostSide, branch: App, tmp_path: Path, clock: Any
) -> None:
    side.pay(side.register())
    first = side.export()
    import_files(branch.db, branch.folder, [first.path], CLI)
    clock.advance(days=7)
    side.pay(side.register())
    second = side.export()
    assert second.backup is not None and first.backup is not None
    # An older backup copied back onto the stick, and a forged one of another key.
    stale = second.path.parent / first.backup.name
    stale.write_bytes((kept_folder(branch.folder, "RP3209A") / first.backup.name).read_bytes())
    forged = second.path.parent / "RP3209A-20261130T000000Z-batch.rpbackup"
    forged.write_bytes(b"RUMAH-PERISAI-BACKUP/1\n" + os.urandom(300))
    seen: list[Any] = []
    results = import_files(branch.db, branch.folder, [second.path], CLI, on_backup=seen.append)
    assert [r.state for r in results] == ["imported"]  # the hostile file stopped nothing
    refused = [kept for kept in seen if kept.refusal is not None]
    assert [r.file.name for r in refused] == [forged.name]
    assert "\n" not in refused[0].refusal.message()
    names = [p.name for p in kept_folder(branch.folder, "RP3209A").iterdir()]
    assert names == [second.backup.name]


def test_a_suspended_posts_backup_never_pushes_its_last_good_one_out(
    side: PostSide, branch: App, clock: Any
) -> None:
    """A stolen laptop still holds the post's key: what it sends after the branch suspended the
    post is refused, and the backup beside it is not kept in place of the last good one."""
    side.pay(side.register())
    first = side.export()
    import_files(branch.db, branch.folder, [first.path], CLI)
    assert first.backup is not None
    set_suspended(branch.db, "RP3209A", "laptop dicuri", CLI)
    clock.advance(days=2)
    side.pay(side.register())
    stolen = side.export()
    with pytest.raises(UserError):
        import_files(branch.db, branch.folder, [stolen.path], CLI)
    names = [p.name for p in kept_folder(branch.folder, "RP3209A").iterdir()]
    assert names == [first.backup.name]


def test_the_next_start_finishes_a_restore_stopped_after_it_was_decided(
    side: PostSide, tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rumah_perisai.services import restore as restore_module

    info = write_backup(side.app, tmp_path, "manual")
    new = DataFolder(tmp_path / "new-laptop")

    def power_cut(_folder: DataFolder, _staging: Path) -> None:
        raise SystemExit("power cut")  # after the mark, before any rename

    with monkeypatch.context() as patched, pytest.raises(SystemExit):
        patched.setattr(restore_module, "_swap", power_cut)
        restore(new, info.path, side.code_text, clock=clock)  # type: ignore[attr-defined]
    assert not new.database.exists() and len(list(new.root.glob(".restore-*"))) == 1
    with open_app(new, new.sqlite_url, clock=clock) as app, app.db.reading() as session:
        assert session.get(Setting, RESTORE_SETTING) is not None  # next start
    assert not list(new.root.glob(".restore-*"))


def test_a_restore_is_refused_while_the_post_is_open_elsewhere_and_opening_waits_for_one(
    side: PostSide, tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second process at the same time: a restore never swaps files under an open post, and
    a post opened while a restore is running waits for it instead of tearing it down."""
    code: str = side.code_text  # type: ignore[attr-defined]
    laptop = DataFolder(tmp_path / "new-laptop")
    restore(laptop, write_backup(side.app, tmp_path, "manual").path, code, clock=clock)
    clock.advance(hours=1)
    side.pay(side.register())
    newer = write_backup(side.app, tmp_path, "manual")
    window = open_app(laptop, laptop.sqlite_url, clock=clock)  # the post is open there
    try:
        before = _state(laptop.root)
        with pytest.raises(UserError) as refused:
            restore(laptop, newer.path, code, clock=clock)
        assert refused.value.key == "post_in_use"
        assert _state(laptop.root) == before
    finally:
        window.close()
    restore(laptop, newer.path, code, clock=clock)  # closed, the same restore goes through
    other = DataFolder(tmp_path / "other-laptop")
    monkeypatch.setattr(presence, "OPEN_WAIT_S", 0.3)
    with presence.sole_user(other):  # a restore in progress there
        started = time.monotonic()
        with pytest.raises(UserError) as waited:
            open_app(other, other.sqlite_url, clock=clock)
        assert waited.value.key == "post_being_restored"
        assert time.monotonic() - started >= 0.3
    open_app(other, other.sqlite_url, clock=clock).close()  # and opens once it is done
