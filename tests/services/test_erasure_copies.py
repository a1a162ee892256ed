"""Erased data must not come back through copies (issue 19): the kept batch copies and local
backups made before a confirmed erasure go, ``--again`` refuses those batches; and an erasure
racing a batch export in another process gives one or the other, never a half-erased record."""
# ruff: noqa: F401, F811  (pytest fixtures imported from the batch tests are used by name)

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import Batch, DataRequest, Participant, Receipt
from rumah_perisai.errors import UserError
from rumah_perisai.keys.files import BranchKeys
from rumah_perisai.services.backup import _local, backup_files
from rumah_perisai.services.batches import export_batch, write_again
from rumah_perisai.services.erasure_cleanup import forget_copies
from rumah_perisai.services.requests import erase
from rumah_perisai.services.volunteers import Actor
from tests.children import Child
from tests.conftest import FakeClock
from tests.services.test_batches import CLI, _open, branch, linked, stick

# Their SQL differs by dialect: also on PostgreSQL (tests/conftest.py).
pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # fork() in a threaded test process
]

BOSS = Actor(label="cli:test", role="coordinator")
PERSON = {"name": "Siti Rahmawati", "phone": "081234567890", "heir_name": "Budi Santoso"}


def _acknowledge_all(app: App) -> None:
    """What taking the branch's acknowledgement does to the batches (the ACK is not this
    test's subject)."""
    with app.db.unit_of_work("cli:test") as session:
        for batch in session.scalars(select(Batch)):
            batch.state, batch.acknowledged_at = "acknowledged", session.info["clock"]()


def _branch_confirms(app: App) -> None:
    with app.db.unit_of_work("cli:test") as session:
        for request in session.scalars(select(DataRequest)):
            request.branch_done_at = session.info["clock"]()


def test_confirmed_erasure_removes_the_copies_made_before_it(
    app: App,
    linked: BranchKeys,
    add_participant: Callable[..., int],
    stick: Path,
    clock: FakeClock,
) -> None:
    pid = add_participant(**PERSON)
    add_participant()
    first = export_batch(app.db, app.folder, stick, CLI)
    embedded = app.db.engine.dialect.name == "sqlite"  # backups are of the folder's own file
    old_backup = _local(app.db, app.folder, "daily").path if embedded else None
    _acknowledge_all(app)
    clock.advance(hours=1)
    erase(app.db, app.folder, pid, date(2026, 11, 27), "in_person", BOSS)
    clock.advance(hours=1)
    assert forget_copies(app.db, app.folder).batches == ()  # the branch has not confirmed yet
    second = export_batch(app.db, app.folder, stick, CLI)  # carries the erasure itself
    _, tables = _open(second.path, linked)
    (row,) = [r for r in tables["participants"]["rows"] if r["registration_no"].endswith("01")]
    assert (row["name"], row["phone"], row["heir_name"]) == ("", None, None)
    _acknowledge_all(app)
    _branch_confirms(app)
    clock.advance(hours=1)

    # A run killed after removing the copy, before recording it: the next run records it.
    (app.folder.batches / first.path.name).unlink()
    forgotten = forget_copies(app.db, app.folder)
    assert forgotten.batches == (1,)
    with app.db.reading() as session:
        removed = {seq: at for seq, at in session.execute(select(Batch.seq, Batch.copy_removed_at))}
    assert removed[1] is not None and removed[2] is None
    assert not (app.folder.batches / first.path.name).exists()
    assert (app.folder.batches / second.path.name).exists()  # made after: kept
    if old_backup is not None:
        assert old_backup.name in forgotten.backups and not old_backup.exists()
        assert len(backup_files(app.folder.backups)) == 1  # a fresh one made first
    try:
        write_again(app.db, app.folder, 1, stick, CLI)
        raise AssertionError("batch 1 written again")
    except UserError as refused:
        assert refused.key == "batch_copy_erased"
        assert "tidak dapat ditulis lagi" in refused.message()
    again = forget_copies(app.db, app.folder)  # idempotent
    assert (again.batches, again.backups) == ((), ())


_ERASER = """
import sys, time
from datetime import date, datetime
from pathlib import Path
from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.errors import UserError
from rumah_perisai.services.volunteers import Actor

folder, url, now, go, job, out = sys.argv[1:]
app = open_app(DataFolder(Path(folder)), url, clock=lambda: datetime.fromisoformat(now))
print("ready", flush=True)
while not Path(go).exists():
    time.sleep(0.005)
try:
    if job == "erase":
        from rumah_perisai.services.requests import erase
        erase(app.db, app.folder, 1, date(2026, 11, 27), "in_person",
              Actor(label="cli:test", role="coordinator"))
        print("erased")
    elif job == "pay":
        from rumah_perisai.services.dues import take_payment
        print(take_payment(app.db, 1, 1, 100_000, Actor(label="cli:test")).number)
    else:
        from rumah_perisai.services.batches import export_batch
        print(export_batch(app.db, app.folder, Path(out), Actor(label="cli:test")).path)
except UserError as error:
    print(error.key)
app.close()
"""


def test_an_erasure_racing_an_export_gives_one_or_the_other(
    app: App,
    linked: BranchKeys,
    add_participant: Callable[..., int],
    stick: Path,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    for _ in range(30):
        add_participant(**PERSON)
    answers = _race(app, clock, tmp_path, stick, "erase", "export")
    assert answers[0] == "erased"
    _, tables = _open(Path(answers[1]), linked)
    (row,) = [r for r in tables["participants"]["rows"] if r["registration_no"].endswith("0001")]
    whole = (row["name"], row["phone"], row["heir_name"], row["nik"][:1])
    assert whole in {
        ("Siti Rahmawati", "081234567890", "Budi Santoso", "3"),  # exported first
        ("", None, None, "X"),  # erased first
    }


def _race(app: App, clock: FakeClock, tmp_path: Path, out_dir: Path, *jobs: str) -> list[str]:
    """The jobs in processes of their own (``tests/children.py``), each with its post open and
    waiting, then set off at once."""
    url = app.db.engine.url.render_as_string(hide_password=False)
    go = tmp_path / "go"
    root, now = str(app.folder.root), clock.now.isoformat()
    running = [Child(_ERASER, root, url, now, str(go), job, str(out_dir)) for job in jobs]
    go.touch()
    answers = []
    for child in running:
        answers.append(child.readline().strip())
        assert child.wait() == 0, answers[-1]
    return answers


def test_an_erasure_racing_a_payment_gives_one_or_the_other(
    app: App, add_participant: Callable[..., int], clock: FakeClock, tmp_path: Path
) -> None:
    """Paid first: the erasure waits for the day's close (refused); erased first: no dues can
    be taken. Never both, never a receipt for a half-erased person."""
    from rumah_perisai.domain.coverage import CoverHistory, Standing

    history = CoverHistory(Standing.MEMBER, date(2026, 6, 10), date(2026, 9, 30), frozenset())
    add_participant(registered_on=date(2026, 6, 10), history=history, **PERSON)
    erased, paid = _race(app, clock, tmp_path, tmp_path, "erase", "pay")
    assert (erased, paid) in {
        ("erased", "pay_not_member"),
        ("request_erase_open_receipt", paid if paid.startswith("RP3209A-") else "?"),
    }
    with app.db.reading() as session:
        receipts = session.scalars(select(Receipt)).all()
        person = session.get(Participant, 1)
        assert person is not None
    assert (len(receipts), person.name) in {(0, ""), (1, PERSON["name"])}
