"""Issue 16, item 3: nothing a post holds is readable at rest.

A real demo post is written, then every file in its data folder is searched for each NIK, name
and phone; the folder copied to "another computer" (another key store) opens nothing; a post left
plain by an older program is converted at its first start with nothing lost, even when the
start is killed half-way.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import func, select

from rumah_perisai import cli, vault
from rumah_perisai.app import open_app
from rumah_perisai.branch import import_batch
from rumah_perisai.config import DataFolder
from rumah_perisai.db.encrypted import PLAIN_HEADER, is_plain
from rumah_perisai.db.engine import make_engine
from rumah_perisai.db.migrate import upgrade_to_head
from rumah_perisai.db.models import Participant
from rumah_perisai.db.uow import Database
from rumah_perisai.demo import DEMO_RECOVERY_CODE, DemoRequest, create_demo_post
from rumah_perisai.errors import UserError
from rumah_perisai.services.backup import local_backup
from rumah_perisai.services.restore import restore
from tests.children import Child, kill_after
from tests.conftest import FakeClock
from tests.dbfiles import open_raw

# --- the recovery code and the wraps -----------------------------------------------------------


def test_a_recovery_code_is_read_back_however_it_is_typed_and_a_typo_is_told_apart() -> None:
    code = vault.new_recovery_code()
    groups = code.split("-")
    assert len(groups) == 5 and all(len(group) == 5 for group in groups)
    sloppy = " ".join(groups).lower().replace("0", "o").replace("1", "l")
    assert vault.normalise_code(sloppy) == code
    typo = code[:-1] + ("A" if code[-1] != "A" else "B")
    with pytest.raises(UserError) as refused:
        vault.normalise_code(typo)
    assert refused.value.key == "recovery_code_bad_form"
    for junk in ("", "1234", code + "X", "Ü" * 25):
        with pytest.raises(UserError):
            vault.normalise_code(junk)


@pytest.mark.real_pin_hashing  # the program's own scrypt cost (the suite's is cheaper)
def test_the_key_comes_back_with_the_right_code_or_the_branch_key_and_never_otherwise() -> None:
    key, code, context = os.urandom(32), vault.new_recovery_code(), b"a" * 32
    wrap = vault.wrap_with_code(key, code, context)
    assert (wrap["n"], wrap["r"], wrap["p"]) == (2**15, 8, 1)  # 32 MiB a guess
    assert vault.unwrap_with_code(wrap, code.lower(), context) == key
    with pytest.raises(UserError) as wrong:
        vault.unwrap_with_code(wrap, vault.new_recovery_code(), context)
    assert wrong.value.key == "recovery_code_wrong"
    with pytest.raises(UserError):  # the same code for another post's key: no
        vault.unwrap_with_code(wrap, code, b"b" * 32)
    branch, other = X25519PrivateKey.generate(), X25519PrivateKey.generate()
    sealed = vault.wrap_for_branch(key, branch.public_key().public_bytes_raw(), context)
    assert vault.unwrap_as_branch(sealed, branch, context) == key
    with pytest.raises(UserError) as foreign:
        vault.unwrap_as_branch(sealed, other, context)
    assert foreign.value.key == "backup_not_for_this_branch"


def test_a_hostile_wrap_is_refused_before_any_costly_work() -> None:
    code = vault.new_recovery_code()
    wrap = vault.wrap_with_code(os.urandom(32), code, b"c")
    for change in ({"n": 2**40}, {"salt": "!!"}, {"wrapped": "A" * 300}, {"scheme": "rot13"}):
        with pytest.raises(UserError) as refused:
            vault.unwrap_with_code({**wrap, **change}, code, b"c")
        assert refused.value.key == "backup_damaged"


# --- a post at rest ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> DataFolder:
    """A demo post of 300 participants, written, backed up, searched from the command line (so
    its log has lines) and closed as a laptop is at night."""
    folder = DataFolder(tmp_path_factory.mktemp("at-rest") / "data")
    with open_app(folder, folder.sqlite_url) as app:
        create_demo_post(app.db, folder, DemoRequest(participants=300), "cli:test")
        local_backup(app, "daily")
        # while the post is open its newest pages sit in the WAL: encrypted as well
        wal = folder.database.with_name(folder.database.name + "-wal")
        with app.db.reading() as session:
            niks = session.scalars(select(Participant.nik)).all()
        assert wal.exists() and wal.stat().st_size > 0
        assert not any(nik.encode() in wal.read_bytes() for nik in niks)
    name = _people(folder)[0][1]
    assert cli.main(["--data-dir", str(folder.root), "search", name, "--json"]) == 0
    assert cli.main(["--data-dir", str(folder.root), "search", "no such person"]) in (0, 1)
    return folder


def _people(folder: DataFolder) -> list[tuple[str, str, str | None]]:
    connection = open_raw(folder, read_only=True)
    try:
        rows = connection.execute("SELECT nik, name, phone FROM participants").fetchall()
    finally:
        connection.close()
    return [(str(nik), str(name), phone) for nik, name, phone in rows]


def test_no_nik_name_or_phone_can_be_read_from_any_file_of_the_data_folder(
    demo_folder: DataFolder,
) -> None:
    people = _people(demo_folder)
    assert len(people) == 300
    needles = set()
    for nik, name, phone in people:
        needles.add(nik.encode())
        if len(name) >= 8:  # a short name could turn up by chance in 10 MB of random bytes
            needles.add(name.encode())
            needles.add(name.upper().encode())
        if phone:
            needles.add(phone.encode())
    files = [path for path in demo_folder.root.rglob("*") if path.is_file()]
    assert demo_folder.database in files
    kinds = {path.suffix for path in files}
    assert {".rpbackup", ".log", ".json"} <= kinds, kinds  # backups, the log, settings/vault
    found = {
        str(path.relative_to(demo_folder.root))
        for path in files
        for needle in needles
        if needle in path.read_bytes()
    }
    assert found == set()
    assert not is_plain(demo_folder.database)
    # ... and the key that opens it is not in the folder either
    key_hex = vault.database_key(demo_folder).hex().encode()
    assert not any(key_hex in path.read_bytes() for path in files)


def test_the_folder_copied_to_another_computer_opens_nothing(
    demo_folder: DataFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stolen = DataFolder(tmp_path / "stolen")
    shutil.copytree(demo_folder.root, stolen.root)
    monkeypatch.setenv(vault.ENV_KEY_DIR, str(tmp_path / "another-computer-keys"))
    with pytest.raises(UserError) as refused:
        open_app(stolen, stolen.sqlite_url)
    assert refused.value.key == "db_key_missing"
    assert refused.value.message().startswith("Data di ")


def test_a_folder_whose_key_store_holds_another_key_is_refused_plainly(
    demo_folder: DataFolder, tmp_path: Path
) -> None:
    copy = DataFolder(tmp_path / "copy")
    shutil.copytree(demo_folder.root, copy.root)
    record = vault.read_record(copy)
    assert record is not None
    key_file = vault.key_dir() / f"{record['id']}.key"
    original = key_file.read_text(encoding="ascii")
    key_file.write_text(os.urandom(32).hex(), encoding="ascii")
    try:
        with pytest.raises(UserError) as refused:
            open_app(copy, copy.sqlite_url)
        assert refused.value.key == "db_key_wrong"
    finally:
        key_file.write_text(original, encoding="ascii")


def test_without_an_os_key_store_the_key_is_a_file_outside_the_data_folder_for_the_user_only(
    demo_folder: DataFolder,
) -> None:
    assert vault.key_protection(demo_folder) is vault.Protection.FILE  # the window says so
    record = vault.read_record(demo_folder)
    assert record is not None
    key_file = vault.key_dir() / f"{record['id']}.key"
    assert key_file.is_file() and demo_folder.root not in key_file.parents
    if os.name == "posix":
        assert key_file.stat().st_mode & 0o077 == 0


# --- a post left plain by an older program ------------------------------------------------------


def _plain_post(folder: DataFolder, participants: int = 40) -> int:
    """A post as the program before issue 16 left it: a plain SQLite file, an upgrade copy."""
    folder.root.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{folder.database}")
    upgrade_to_head(engine)
    db = Database(engine)
    create_demo_post(db, folder, DemoRequest(participants=participants), "cli:old-program")
    engine.dispose()
    folder.backups.mkdir()
    shutil.copy(folder.database, folder.backups / "rumah-perisai-before-upgrade-0010-x.sqlite3")
    return participants


def _count(folder: DataFolder) -> int:
    with open_app(folder, folder.sqlite_url) as app, app.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Participant)) or 0


def test_a_plain_post_is_encrypted_at_its_first_start_with_nothing_lost(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path / "data")
    expected = _plain_post(folder)
    assert folder.database.read_bytes().startswith(PLAIN_HEADER)
    assert _count(folder) == expected
    assert not is_plain(folder.database)
    leftovers = [p.name for p in folder.root.iterdir() if "encrypting" in p.name]
    assert leftovers == []
    old_copy = folder.backups / "rumah-perisai-before-upgrade-0010-x.sqlite3"
    assert not is_plain(old_copy)  # the older program's own copy is no longer readable either
    assert _count(folder) == expected  # and a second start simply opens it


_CONVERT = """
import sys
from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
folder = DataFolder(__import__("pathlib").Path(sys.argv[1]))
print("ready", flush=True)
open_app(folder, folder.sqlite_url).close()
print("done", flush=True)
"""


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() in a threaded test process
def test_a_start_killed_while_converting_leaves_the_plain_post_or_the_whole_encrypted_one(
    tmp_path: Path,
) -> None:
    """kill -9 at 8 moments of the first start's conversion: never half, nothing lost. The
    children are forked where the machine forks (``tests/children.py``), so the moments,
    spread over one conversion measured first, fall in the conversion, not in Python's start."""
    pristine = DataFolder(tmp_path / "pristine")
    expected = _plain_post(pristine, participants=400)
    whole = DataFolder(tmp_path / "whole")
    shutil.copytree(pristine.root, whole.root)
    child = Child(_CONVERT, str(whole.root))
    started = time.monotonic()
    assert child.readline() == "done\n"
    span = 1.25 * (time.monotonic() - started)  # the last moments fall after its end
    child.kill()
    outcomes = set()
    for attempt in range(8):
        folder = DataFolder(tmp_path / f"try{attempt}")
        shutil.copytree(pristine.root, folder.root)
        kill_after(Child(_CONVERT, str(folder.root)), (attempt + 0.5) / 8 * span)
        outcomes.add("plain" if is_plain(folder.database) else "encrypted")
        assert _count(folder) == expected  # the next start finishes (or redoes) the job
        assert not is_plain(folder.database)
    assert outcomes  # which moments were hit depends on the machine; each must be whole


def test_a_demo_posts_backup_restores_on_another_computer_with_the_readmes_demo_code(
    demo_folder: DataFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = max(demo_folder.backups.glob("*.rpbackup"))
    expected = sorted(_people(demo_folder))
    monkeypatch.setenv(vault.ENV_KEY_DIR, str(tmp_path / "another-computer-keys"))
    new = DataFolder(tmp_path / "new-laptop")
    result = restore(new, backup, DEMO_RECOVERY_CODE)
    assert result.post_code == "DEMO3209"
    assert sorted(_people(new)) == expected


def test_a_branch_kept_in_sqlite_for_trying_is_encrypted_like_a_post(
    tmp_path: Path, clock: FakeClock
) -> None:
    from tests.branch.branch_world import CLI, make_branch, make_post

    branch_folder = DataFolder(tmp_path / "branch")
    branch = make_branch(branch_folder.root, branch_folder.sqlite_url, clock)
    post = make_post(tmp_path, branch, clock, "RP3209A")
    try:
        post.register(nik="3209144101910001")
        import_batch(branch.db, branch.folder, post.export().path, CLI)
    finally:
        post.app.close()
        branch.close()
    assert not is_plain(branch_folder.database)
    assert b"3209144101910001" not in branch_folder.database.read_bytes()
    connection = open_raw(branch_folder, read_only=True)
    try:
        assert connection.execute("SELECT count(*) FROM participants").fetchone()[0] == 1
    finally:
        connection.close()
