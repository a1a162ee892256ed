"""The weekly batch (issue 8): keys, export, incremental content, writing again, verifying, and
every bad input — on SQLite and PostgreSQL. Files are real, read back and decrypted with the
branch's real keys."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from rumah_perisai.app import App
from rumah_perisai.db.models import Batch, Participant, Setting
from rumah_perisai.errors import UserError
from rumah_perisai.exchange import safe_write
from rumah_perisai.exchange.batchfile import (
    BatchFileError,
    PlainPart,
    decrypt_parts,
    open_batch,
    seal,
)
from rumah_perisai.keys import load_post_key
from rumah_perisai.keys.files import (
    BranchKeys,
    branch_key_file,
    create_branch_keys,
    read_post_key_file,
)
from rumah_perisai.keys.installed import (
    install_branch_key,
    installed_branch_key,
    post_key_file_bytes,
)
from rumah_perisai.services.batches import (
    batches,
    export_batch,
    pending,
    verify_file,
    write_again,
)
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.registration import withdraw
from rumah_perisai.services.volunteers import Actor

# Their SQL differs by dialect: also on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.postgresql

CLI = Actor(label="cli:test")


@pytest.fixture
def branch(tmp_path: Path) -> BranchKeys:
    return create_branch_keys(
        tmp_path / "branch" / "keys", "KC-CRB", "BPJS Ketenagakerjaan Cirebon", demo=False
    )


@pytest.fixture
def linked(app: App, post: PostSummary, branch: BranchKeys) -> BranchKeys:
    """The test post with the branch's key installed."""
    install_branch_key(app.db, branch_key_file(branch.public, branch.signing), CLI)
    return branch


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    path = tmp_path / "stick"
    path.mkdir()
    return path


def _pay(app: App, who: int, months: int, actor: Actor) -> int:
    plan = payment_options(app.db, who).plan(months)
    return take_payment(
        app.db, who, months, plan.total, actor, expect_months=[m.month for m in plan.months]
    ).receipt_id


def _in_arrears(add_participant: Callable[..., int], **fields: Any) -> int:
    from rumah_perisai.domain.coverage import CoverHistory, Standing

    start = date(2026, 6, 10)
    history = CoverHistory(Standing.MEMBER, start, date(2026, 9, 30), frozenset())
    return add_participant(registered_on=start, history=history, **fields)


def _open(path: Path, branch: BranchKeys) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Check a file whole and decrypt it as the branch would: (manifest, tables)."""
    sealed = open_batch(path.read_bytes(), path.name)
    plain = decrypt_parts(sealed, branch.public, branch.encryption, path.name)
    tables = {}
    for name, data in plain.items():
        document = json.loads(data)
        tables[name] = {
            "columns": document["columns"],
            "rows": [dict(zip(document["columns"], row, strict=True)) for row in document["rows"]],
        }
    return sealed.manifest, tables


def _files(directory: Path) -> list[str]:
    """The files on a stick but the post's full backup beside the batch (issue 16; its own
    tests are in test_backup.py)."""
    return sorted(p.name for p in directory.iterdir() if not p.name.endswith(".rpbackup"))


# --- keys -----------------------------------------------------------------------------------------


def test_branch_key_installs_once_and_replacing_needs_a_coordinator(
    app: App, post: PostSummary, branch: BranchKeys, tmp_path: Path, volunteer: Actor,
    coordinator: Actor,
) -> None:  # fmt: skip
    first = install_branch_key(app.db, branch_key_file(branch.public, branch.signing), CLI)
    assert first.replaced is None and first.key.fingerprint == branch.public.fingerprint
    again = install_branch_key(app.db, branch_key_file(branch.public, branch.signing), volunteer)
    assert again.unchanged

    other = create_branch_keys(tmp_path / "other", "KC-IDM", "Cabang Indramayu", demo=False)
    other_file = branch_key_file(other.public, other.signing)
    with pytest.raises(UserError) as refused:
        install_branch_key(app.db, other_file, volunteer)
    assert refused.value.key == "branch_key_replace_coordinator"
    assert installed_branch_key(app.db) == branch.public

    replaced = install_branch_key(app.db, other_file, coordinator)
    assert replaced.replaced == branch.public
    assert installed_branch_key(app.db) == other.public


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-40],
        lambda b: b.replace(b'"KC-CRB"', b'"KC-XXX"'),
        lambda b: b"not a key file",
    ],
)
def test_a_damaged_branch_key_file_is_refused(
    app: App, post: PostSummary, branch: BranchKeys, damage: Callable[[bytes], bytes]
) -> None:
    with pytest.raises(UserError) as refused:
        install_branch_key(app.db, damage(branch_key_file(branch.public, branch.signing)), CLI)
    assert refused.value.key == "key_file_bad"
    assert installed_branch_key(app.db) is None


def test_a_training_branch_key_is_refused_at_a_real_post(
    app: App, post: PostSummary, tmp_path: Path
) -> None:
    training = create_branch_keys(tmp_path / "t", "LATIH", "Cabang latihan", demo=True)
    with pytest.raises(UserError) as refused:
        install_branch_key(app.db, branch_key_file(training.public, training.signing), CLI)
    assert refused.value.key == "branch_key_demo"


def test_post_key_file_for_the_branch_carries_the_post_key(app: App, post: PostSummary) -> None:
    key = read_post_key_file(post_key_file_bytes(app.db, app.folder.keys))
    assert key.code == post.code and key.fingerprint == post.key_fingerprint
    assert key.signing_key == load_post_key(app.folder.keys).public_key().public_bytes_raw()


# --- export ---------------------------------------------------------------------------------------


def test_export_round_trip_holds_every_change_and_no_personal_data_in_the_clear(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], volunteer: Actor,
    coordinator: Actor, stick: Path,
) -> None:  # fmt: skip
    who = _in_arrears(add_participant, name="Siti Rahayu", nik="3209144101900001")
    receipt = _pay(app, who, 1, volunteer)
    void_receipt(app.db, receipt, "salah bulan", coordinator)
    _pay(app, who, 3, volunteer)

    written = export_batch(app.db, app.folder, stick, CLI)

    assert written.path.parent == stick and _files(stick) == [written.path.name]
    assert written.path.name == "RP3209A-batch-0001-2026-11-27.rpb"
    data = written.path.read_bytes()
    assert b"Siti Rahayu" not in data and b"3209144101900001" not in data
    manifest, tables = _open(written.path, linked)
    assert manifest["post"]["code"] == "RP3209A" and manifest["seq"] == 1
    assert manifest["prev_batch_hash"] is None and manifest["demo"] is False
    assert manifest["summary"] == {
        "registrations": 1, "participant_changes": 0, "payments": 2, "voids": 1, "refunds": 0,
        "card_issues": 0, "daily_closes": 0, "deposits": 0,
    }  # fmt: skip
    assert manifest["encryption"]["branch_key_fingerprint"] == linked.public.fingerprint
    (person,) = tables["participants"]["rows"]
    assert person["nik"] == "3209144101900001" and person["name"] == "Siti Rahayu"
    assert person["registered_on"] == "2026-06-10"
    assert person["consent_at"] == "2026-01-15T02:00:00.000000Z"
    kinds = sorted(r["kind"] for r in tables["receipts"]["rows"])
    assert kinds == ["payment", "payment", "void"]
    assert len(tables["receipt_months"]["rows"]) == 4
    assert [v["login"] for v in tables["volunteers"]["rows"]] == ["dewi lestari", "ujang hidayat"]
    assert "pin_hash" not in tables["volunteers"]["columns"]
    audit = tables["audit_log"]["rows"]
    assert all('pin_hash": "$' not in (r["changes_json"] or "") for r in audit)
    assert all(r["changes_json"] is None for r in audit if r["action"] == "create")
    assert any(r["changes_json"] for r in audit if r["action"] == "update")  # the void's marks
    assert {p["name"]: p["records"] for p in manifest["parts"]} == {
        name: len(table["rows"]) for name, table in tables.items()
    }
    newest = max(tables["receipts"]["rows"], key=lambda r: r["seq"])
    assert manifest["newest_receipt"] == {"hash": newest["hash"], "chain_length": 3}

    (info,) = batches(app.db)
    assert info.seq == 1 and info.state == "written" and info.copied_to == str(stick)
    assert info.file_hash == hashlib.sha256(data).hexdigest() and info.file_size == len(data)
    assert (app.folder.batches / written.path.name).read_bytes() == data  # kept until the ACK

    report = verify_file(app.db, written.path)
    assert report.signer_known and report.recorded_here and report.seq == 1


def test_a_second_batch_holds_only_what_changed_after_the_first(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], volunteer: Actor,
    coordinator: Actor, stick: Path, clock: Any,
) -> None:  # fmt: skip
    first_person = _in_arrears(add_participant)
    second_person = _in_arrears(add_participant)
    first = export_batch(app.db, app.folder, stick, CLI)
    assert pending(app.db).changes == 0

    with pytest.raises(UserError) as refused:
        export_batch(app.db, app.folder, stick, CLI)
    assert refused.value.key == "batch_nothing_new"
    assert _files(stick) == [first.path.name]

    clock.advance(days=7)
    _pay(app, second_person, 1, volunteer)
    withdraw(app.db, first_person, "terdaftar dua kali", coordinator)
    third_person = _in_arrears(add_participant)
    assert pending(app.db).changes > 0
    second = export_batch(app.db, app.folder, stick, CLI)

    assert second.path.name == "RP3209A-batch-0002-2026-12-04.rpb"
    manifest, tables = _open(second.path, linked)
    assert manifest["seq"] == 2
    assert manifest["prev_batch_hash"] == hashlib.sha256(first.path.read_bytes()).hexdigest()
    assert manifest["changes"]["from"] == first.info.change_to
    people = {r["id"]: r for r in tables["participants"]["rows"]}
    assert set(people) == {first_person, second_person, third_person}
    assert people[first_person]["standing"] == "withdrawn"
    assert manifest["summary"]["registrations"] == 1
    assert manifest["summary"]["participant_changes"] == 2
    assert manifest["summary"]["payments"] == 1 and len(tables["receipts"]["rows"]) == 1
    # Accounts made before the first batch did not change: not sent again.
    assert tables["volunteers"]["rows"] == [] and tables["posts"]["rows"] == []
    assert [b.seq for b in batches(app.db)] == [2, 1]


def test_writing_a_lost_batch_again_gives_the_same_bytes(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], stick: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    _in_arrears(add_participant)
    written = export_batch(app.db, app.folder, stick, CLI)
    original = written.path.read_bytes()
    other_stick = tmp_path / "other-stick"
    other_stick.mkdir()

    again = write_again(app.db, app.folder, 1, other_stick, CLI)

    assert again.path.read_bytes() == original and again.path.name == written.path.name
    assert again.info.copied_to == str(other_stick)
    # Onto the same stick, where the same file is: fine, nothing changes.
    assert write_again(app.db, app.folder, 1, stick, CLI).path.read_bytes() == original
    with pytest.raises(UserError) as unknown:
        write_again(app.db, app.folder, 7, other_stick, CLI)
    assert unknown.value.key == "batch_unknown"


def test_a_kept_copy_that_changed_is_not_written_out(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], stick: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    _in_arrears(add_participant)
    written = export_batch(app.db, app.folder, stick, CLI)
    kept = app.folder.batches / written.path.name
    data = kept.read_bytes()
    kept.write_bytes(data[:-1] + bytes([data[-1] ^ 0x01]))
    other_stick = tmp_path / "s2"
    other_stick.mkdir()
    with pytest.raises(UserError) as refused:
        write_again(app.db, app.folder, 1, other_stick, CLI)
    assert refused.value.key == "batch_copy_damaged" and _files(other_stick) == []


def test_without_a_branch_key_nothing_is_written(
    app: App, post: PostSummary, add_participant: Callable[..., int], stick: Path
) -> None:
    _in_arrears(add_participant)
    with pytest.raises(UserError) as refused:
        export_batch(app.db, app.folder, stick, CLI)
    assert refused.value.key == "no_branch_key"
    assert _files(stick) == [] and batches(app.db) == []


def test_a_volunteer_cannot_write_the_batch(
    app: App, linked: BranchKeys, volunteer: Actor, stick: Path, add_participant: Any
) -> None:
    _in_arrears(add_participant)
    with pytest.raises(UserError) as refused:
        export_batch(app.db, app.folder, stick, volunteer)
    assert refused.value.key == "coordinator_only" and _files(stick) == []


def test_a_missing_stick_folder_is_said_plainly(
    app: App, linked: BranchKeys, tmp_path: Path
) -> None:
    with pytest.raises(UserError) as refused:
        export_batch(app.db, app.folder, tmp_path / "E:", CLI)
    assert refused.value.key == "batch_out_missing"


# --- a stick that fails ---------------------------------------------------------------------------


def _stick_failing_after(stick: Path, limit: int, error: OSError) -> Callable[[Path, bytes], None]:
    """``_write_synced`` for a stick that takes ``limit`` bytes and then fails; the computer's own
    disk (the kept copy) goes on working."""
    real = safe_write._write_synced

    def write(path: Path, data: bytes) -> None:
        if path.parent != stick.resolve():
            real(path, data)
            return
        path.write_bytes(data[:limit])
        raise error

    return write


def _saved_not_written(refused: UserError, seq: int, reason: UserError) -> None:
    """The refusal says the batch is kept here, why the stick failed, and how to write again."""
    assert refused.key == "batch_saved_not_written"
    assert reason.message() in refused.message() and f"--again {seq}" in refused.message()


@pytest.mark.parametrize(
    ("errno_", "key"),
    [(28, "write_failed_full"), (30, "write_failed_read_only"), (5, "write_failed_gone")],
)
def test_a_stick_that_fills_up_is_read_only_or_goes_away_gets_no_batch_file_but_the_batch_is_kept(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], stick: Path,
    monkeypatch: pytest.MonkeyPatch, errno_: int, key: str, tmp_path: Path,
) -> None:  # fmt: skip
    """The batch is recorded before the stick is written (so that nobody waits for the stick):
    a stick that fails leaves no file on it, and the batch to write again, byte for byte."""
    for _ in range(3):
        _in_arrears(add_participant)
    error = OSError(errno_, "x")
    with monkeypatch.context() as patched, pytest.raises(UserError) as refused:
        patched.setattr(safe_write, "_write_synced", _stick_failing_after(stick, 2000, error))
        export_batch(app.db, app.folder, stick, CLI)
    _saved_not_written(refused.value, 1, UserError(key, path=str(stick.resolve()), detail="x"))
    assert _files(stick) == []  # not even the temporary file
    (info,) = batches(app.db)
    assert info.never_written_out
    kept = (app.folder.batches / info.file_name).read_bytes()
    assert hashlib.sha256(kept).hexdigest() == info.file_hash
    again = write_again(app.db, app.folder, 1, stick, CLI)  # the next stick works
    assert again.path.read_bytes() == kept and not again.info.never_written_out


def test_a_stick_failing_at_the_rename_leaves_a_recorded_batch_to_write_again(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], stick: Path,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    _in_arrears(add_participant)

    real_replace = safe_write.os.replace

    def pulled_out(source: Path, target: Path) -> None:
        if Path(target).parent == stick:  # the stick goes; the laptop's own disk does not
            raise OSError(5, "Input/output error")
        real_replace(source, target)

    with monkeypatch.context() as patched, pytest.raises(UserError) as refused:
        patched.setattr(safe_write.os, "replace", pulled_out)
        export_batch(app.db, app.folder, stick, CLI)
    assert refused.value.key == "batch_saved_not_written"
    assert "--again 1" in refused.value.message()
    assert not [n for n in _files(stick) if n.endswith(".rpb")]
    (info,) = batches(app.db)
    assert info.never_written_out
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert write_again(app.db, app.folder, 1, fresh, CLI).info.copied_to == str(fresh)


# --- verify ---------------------------------------------------------------------------------------


@pytest.fixture
def batch_file(app: App, linked: BranchKeys, add_participant: Callable[..., int],
               stick: Path) -> Path:  # fmt: skip
    for _ in range(4):
        _in_arrears(add_participant)
    return export_batch(app.db, app.folder, stick, CLI).path


def _refusal(app: App, path: Path, data: bytes) -> str:
    path.write_bytes(data)
    with pytest.raises(BatchFileError) as refused:
        verify_file(app.db, path)
    return refused.value.key


def test_every_single_byte_change_is_caught(app: App, batch_file: Path, tmp_path: Path) -> None:
    data = batch_file.read_bytes()
    target = tmp_path / batch_file.name
    sealed = open_batch(data, batch_file.name)
    positions = sorted(
        {0, 25, 40, 100, len(data) // 2, len(data) - 65, len(data) - 1}
        | {part.offset for part in sealed.parts}
    )
    for position in positions:
        changed = bytearray(data)
        changed[position] ^= 0x01
        assert _refusal(app, target, bytes(changed)) in {
            "batch_not_batch", "batch_newer", "batch_manifest_bad", "batch_signature_bad",
            "batch_truncated", "batch_extra",
        }, position  # fmt: skip
    assert _refusal(app, target, data[:-64] + bytes(64)) == "batch_signature_bad"


def test_a_truncated_file_is_never_taken_for_whole(
    app: App, batch_file: Path, tmp_path: Path
) -> None:
    data = batch_file.read_bytes()
    target = tmp_path / batch_file.name
    for length in [0, 10, 30, 200, len(data) // 3, len(data) - 64, len(data) - 1]:
        assert _refusal(app, target, data[:length]) in {
            "batch_not_batch", "batch_truncated", "batch_manifest_bad",
        }, length  # fmt: skip
    assert _refusal(app, target, data + b"\0") == "batch_extra"


def test_a_batch_signed_by_another_post_is_refused(
    app: App, batch_file: Path, linked: BranchKeys, tmp_path: Path
) -> None:
    """Another post's key signs a batch claiming to be from this post."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    manifest = dict(open_batch(batch_file.read_bytes(), batch_file.name).manifest)
    manifest = {k: manifest[k] for k in ("post", "seq", "prev_batch_hash", "changes", "demo")}
    forged = seal(
        manifest,
        [PlainPart("participants", 0, b"{}")],
        post_key=Ed25519PrivateKey.generate(),
        branch=linked.public,
    )
    assert _refusal(app, tmp_path / "forged.rpb", forged) == "batch_wrong_key"


def test_a_manifest_that_disagrees_with_its_parts_is_refused(
    app: App, post: PostSummary, linked: BranchKeys, tmp_path: Path
) -> None:
    """Signed by the right key, but the manifest lists a part hash that is not the part's."""
    from rumah_perisai.exchange import batchfile

    key = load_post_key(app.folder.keys)
    manifest = {
        "post": {"code": post.code, "name": post.name}, "seq": 1, "prev_batch_hash": None,
        "changes": {"from": 0, "to": 5}, "demo": False,
    }  # fmt: skip
    good = seal(manifest, [PlainPart("participants", 1, b"[]")], post_key=key, branch=linked.public)
    sealed = open_batch(good, "x.rpb")
    wrong = dict(sealed.manifest)
    wrong["parts"] = [dict(wrong["parts"][0], sha256="0" * 64)]
    manifest_bytes = batchfile.canonical_json(wrong)
    body = (
        batchfile.HEADER + len(manifest_bytes).to_bytes(8, "big") + manifest_bytes
        + good[sealed.parts[0].offset : -64]
    )  # fmt: skip
    assert _refusal(app, tmp_path / "x.rpb", body + key.sign(body)) == "batch_part_mismatch"


def test_a_batch_encrypted_to_another_branch_cannot_be_read_by_this_one(
    batch_file: Path, tmp_path: Path
) -> None:
    other = create_branch_keys(tmp_path / "other", "KC-IDM", "Cabang Indramayu", demo=False)
    sealed = open_batch(batch_file.read_bytes(), batch_file.name)
    with pytest.raises(BatchFileError) as refused:
        decrypt_parts(sealed, other.public, other.encryption, batch_file.name)
    assert refused.value.key == "batch_other_branch"


def test_nothing_is_recorded_when_the_export_is_cancelled(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], stick: Path
) -> None:
    from rumah_perisai.tasks import Cancelled, SilentProgress

    _in_arrears(add_participant)
    progress = SilentProgress()
    progress.cancel()
    with pytest.raises(Cancelled):
        export_batch(app.db, app.folder, stick, CLI, progress)
    assert _files(stick) == [] and batches(app.db) == []
    with app.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Batch)) == 0
        assert session.scalar(select(func.count()).select_from(Participant)) == 1


# --- a real small stick (a tmpfs mounted for the test; needs root, as CI has) --------------------


@pytest.fixture
def small_stick(tmp_path: Path) -> Any:
    import subprocess

    mount_point = tmp_path / "usb"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_really_full_stick_gets_no_batch_file(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], small_stick: Path
) -> None:
    for _ in range(40):
        _in_arrears(add_participant)
    free = __import__("shutil").disk_usage(small_stick).free
    (small_stick / "foto-kegiatan.jpg").write_bytes(b"\xff" * (free - 2048))

    with pytest.raises(UserError) as refused:
        export_batch(app.db, app.folder, small_stick, CLI)

    assert refused.value.key == "batch_saved_not_written"
    assert "penuh" in refused.value.message() and "--again 1" in refused.value.message()
    assert _files(small_stick) == ["foto-kegiatan.jpg"]
    (info,) = batches(app.db)
    assert info.never_written_out
    (small_stick / "foto-kegiatan.jpg").unlink()
    assert write_again(app.db, app.folder, 1, small_stick, CLI).info.copied_to == str(small_stick)


def test_a_read_only_stick_gets_no_batch_file(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], small_stick: Path
) -> None:
    import subprocess

    _in_arrears(add_participant)
    subprocess.run(["mount", "-o", "remount,ro", str(small_stick)], check=True)
    with pytest.raises(UserError) as refused:
        export_batch(app.db, app.folder, small_stick, CLI)
    _saved_not_written(
        refused.value,
        1,
        UserError("write_failed_read_only", path=str(small_stick), detail="Read-only file system"),
    )
    assert _files(small_stick) == [] and batches(app.db)[0].never_written_out


# --- this computer's own disk full (issue 14, item 7) --------------------------------------------


def test_a_full_computer_disk_is_not_called_a_full_stick(
    app: App, linked: BranchKeys, add_participant: Callable[..., int], stick: Path
) -> None:
    """The kept copy cannot be written: the computer's disk is full, not the stick; nothing is
    recorded and nothing is left on the stick."""
    import shutil
    import subprocess

    for _ in range(40):
        _in_arrears(add_participant)
    kept = app.folder.batches
    kept.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(kept)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        (kept / "old-backup.zip").write_bytes(b"\0" * (shutil.disk_usage(kept).free - 2048))
        with pytest.raises(UserError) as refused:
            export_batch(app.db, app.folder, stick, CLI)
        assert refused.value.key == "computer_disk_full"
        assert "stick" not in refused.value.message().lower()
        assert "disk komputer" in refused.value.message().lower()
        assert batches(app.db) == [] and _files(stick) == []
        assert sorted(p.name for p in kept.iterdir()) == ["old-backup.zip"]
    finally:
        subprocess.run(["umount", "-l", str(kept)], check=False)


def test_a_full_computer_disk_under_the_whole_data_folder_is_said_plainly(
    tmp_path: Path, stick: Path
) -> None:
    """The whole data folder (database and kept copies) on a disk that is full: whichever write
    meets it first (the database's or the kept copy's), the computer's disk is full."""
    import shutil
    import subprocess

    from rumah_perisai.app import open_app
    from rumah_perisai.config import DataFolder
    from rumah_perisai.demo import DemoRequest, create_demo_post
    from rumah_perisai.tasks import SilentProgress

    root = tmp_path / "laptop"
    root.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(root)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        folder = DataFolder(root / "data")
        branch = create_branch_keys(tmp_path / "b", "LATIH", "Cabang latihan", demo=True)
        with open_app(folder, folder.sqlite_url) as app:
            create_demo_post(app.db, folder, DemoRequest(participants=200), "cli:test",
                             SilentProgress())  # fmt: skip
            install_branch_key(app.db, branch_key_file(branch.public, branch.signing), CLI)
            (root / "film.mp4").write_bytes(b"\0" * (shutil.disk_usage(root).free - 4096))
            with pytest.raises(UserError) as refused:
                export_batch(app.db, folder, stick, CLI)
            assert refused.value.key == "computer_disk_full", refused.value.message()
            assert batches(app.db) == [] and _files(stick) == []
            # The database itself cannot grow either: the same refusal, not a driver error.
            with pytest.raises(UserError) as full, app.db.unit_of_work("cli:test") as session:
                session.add(Setting(key="notes", value_json=json.dumps("x" * 1_000_000)))
            assert full.value.key == "computer_disk_full"
            assert str(folder.root) in full.value.message()
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)
