"""The branch under load (issue 14, item 3): a second import is told at once that another one is
running, and an import whose program was killed stops holding the branch up within seconds.

The first import is made to stand still in the middle of its work by a row lock the test holds
(on a participant its batch changes): it stands for a statement that runs for minutes, as the
tester saw, but for exactly as long as the test wants. Posts on SQLite; the branch on
PostgreSQL (``DATABASE_URL``), and on SQLite where the case exists there."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, select, text

from rumah_perisai.app import App
from rumah_perisai.branch import ImportResult, import_batch, import_files
from rumah_perisai.config import DataFolder
from rumah_perisai.db import engine as engine_module
from rumah_perisai.db.models import BatchImport, Participant, Post
from rumah_perisai.errors import UserError
from rumah_perisai.services.registration import withdraw
from tests.branch.branch_world import CLI, PostSide, make_branch, make_post
from tests.conftest import POSTGRES_URL, FakeClock, _postgres_database
from tests.dbfiles import open_raw

needs_postgres = pytest.mark.skipif(POSTGRES_URL is None, reason="needs DATABASE_URL")
QUICK = 5.0  # seconds: "within seconds"


class Attempt:
    """An import run in a thread, so a test can bound how long it waits for it."""

    def __init__(self, branch: App, path: Path) -> None:
        self.result: ImportResult | None = None
        self.error: BaseException | None = None
        self.took = 0.0
        self.thread = threading.Thread(target=self._run, args=(branch, path), daemon=True)
        self.thread.start()

    def _run(self, branch: App, path: Path) -> None:
        started = time.monotonic()
        try:
            self.result = import_batch(branch.db, branch.folder, path, CLI)
        except BaseException as error:  # handed to the test
            self.error = error
        self.took = time.monotonic() - started

    def finished(self, within: float) -> bool:
        self.thread.join(within)
        return not self.thread.is_alive()

    @property
    def refused_as_running(self) -> bool:
        return isinstance(self.error, UserError) and self.error.key == "import_running"


def _wait_for(condition: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {within} s"
        time.sleep(0.1)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if POSTGRES_URL is None:
        pytest.skip("needs DATABASE_URL")
    yield from _postgres_database()


@pytest.fixture
def world(
    tmp_path: Path, postgres_url: str, clock: FakeClock
) -> Iterator[tuple[App, PostSide, PostSide]]:
    branch = make_branch(tmp_path / "branch", postgres_url, clock)
    first = make_post(tmp_path, branch, clock, "RP3209A")
    second = make_post(tmp_path, branch, clock, "RP3209B")
    yield branch, first, second
    first.app.close()
    second.app.close()
    branch.close()


def _changing_batch(branch: App, post: PostSide) -> tuple[Path, int]:
    """A post's batch 1 imported, and its batch 2, which changes a participant the branch has:
    the path of batch 2, and the branch's id of that participant."""
    who = post.register()
    post.register()
    import_batch(branch.db, branch.folder, post.export().path, CLI)
    withdraw(post.app.db, who, "terdaftar dua kali", post.coordinator)
    with branch.db.reading() as session:
        row = session.scalars(
            select(Participant.id).where(
                Participant.post_code == post.code, Participant.source_id == who
            )
        ).one()
    return post.export().path, row


class RowHold:
    """A participant's row locked by another connection, as long as the test wants."""

    def __init__(self, url: str, participant_id: int) -> None:
        self.engine = create_engine(url)
        self.connection: Connection = self.engine.connect()
        self.connection.execute(
            text("SELECT id FROM participants WHERE id = :id FOR UPDATE"), {"id": participant_id}
        )

    def waiting_on_it(self) -> bool:
        """Some backend of this database waits for a lock (the import, stopped)."""
        # Asked in a transaction of its own: within one, the activity view never changes.
        with self.engine.connect() as connection:
            count = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        return bool(count)

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()
        self.engine.dispose()


def _imported(branch: App, code: str) -> list[int]:
    with branch.db.reading() as session:
        return sorted(
            session.scalars(
                select(BatchImport.seq)
                .join(Post, Post.id == BatchImport.post_id)
                .where(BatchImport.state == "imported", Post.code == code)
            )
        )


@needs_postgres
def test_a_second_import_is_told_at_once_that_another_is_running(
    world: tuple[App, PostSide, PostSide], postgres_url: str
) -> None:
    branch, first, second = world
    long_one, locked = _changing_batch(branch, first)
    second.register()
    other = second.export().path
    hold = RowHold(postgres_url, locked)
    try:
        running = Attempt(branch, long_one)
        _wait_for(hold.waiting_on_it, 20, "the first import never reached the held row")

        meanwhile = Attempt(branch, other)
        assert meanwhile.finished(within=QUICK), "the second import waited for the first"
        assert meanwhile.refused_as_running, meanwhile.error
        assert "Impor lain sedang berjalan" in str(meanwhile.error)
        assert not running.finished(within=0)
    finally:
        hold.release()
    assert running.finished(within=30) and running.error is None
    assert running.result is not None and running.result.state == "imported"
    # Refused, not half-done: the same file goes in now.
    assert import_batch(branch.db, branch.folder, other, CLI).state == "imported"
    assert _imported(branch, "RP3209B") == [1]


_CHILD = """
import sys
from pathlib import Path
from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.branch import import_batch
from rumah_perisai.services.volunteers import Actor

root, url, path = sys.argv[1:4]
with open_app(DataFolder(Path(root)), url) as app:
    import_batch(app.db, app.folder, Path(path), Actor(label="cli:killed"))
"""


@needs_postgres
@pytest.mark.slow  # a program of its own is started and killed
def test_an_import_killed_mid_statement_stops_holding_up_the_branch_within_seconds(
    world: tuple[App, PostSide, PostSide], postgres_url: str
) -> None:
    branch, first, second = world
    long_one, locked = _changing_batch(branch, first)
    second.register()
    other = second.export().path
    hold = RowHold(postgres_url, locked)
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(branch.folder.root), postgres_url, str(long_one)]
        )
        try:
            _wait_for(
                lambda: hold.waiting_on_it() or child.poll() is not None,
                60,
                "the import to be killed never reached the held row",
            )
            assert child.poll() is None, "the import to be killed ended by itself"
        finally:
            child.kill()  # SIGKILL: nothing of the importing program runs after this
            child.wait()
        killed = time.monotonic()

        # The dead program's statement would wait on the held row for as long as it is held;
        # the branch must not: each try answers quickly, and one soon gets through.
        tries: list[Attempt] = []
        while True:
            attempt = Attempt(branch, other)
            tries.append(attempt)
            assert attempt.finished(within=QUICK + 10), "an import waited for the killed one"
            if attempt.result is not None:
                break
            assert attempt.refused_as_running, attempt.error
            assert time.monotonic() - killed < 20, "the killed import held the branch for 20 s"
            time.sleep(0.5)
        assert attempt.result.state == "imported"
        assert all(t.took < QUICK + 10 for t in tries)
    finally:
        hold.release()
    # Nothing of the killed import was kept: its batch goes in whole now.
    assert import_batch(branch.db, branch.folder, long_one, CLI).state == "imported"
    assert _imported(branch, "RP3209A") == [1, 2]


def test_on_sqlite_a_second_import_is_told_another_is_running(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite has one writer at a time: the import waits out the busy timeout (here shortened),
    then gives the same message, not a raw "database is locked"."""
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 500)
    root = tmp_path / "branch"
    root.mkdir()
    branch = make_branch(root, DataFolder(root).sqlite_url, clock)
    post = make_post(tmp_path, branch, clock, "RP3209A")
    try:
        post.register()
        path = post.export().path
        writer = open_raw(DataFolder(root))
        try:
            writer.execute("BEGIN IMMEDIATE")  # another import, in the middle of its work
            with pytest.raises(UserError) as refused:
                import_batch(branch.db, branch.folder, path, CLI)
            assert refused.value.key == "import_running"
            with pytest.raises(UserError) as refused:  # a run, which places it under the lock
                import_files(branch.db, branch.folder, [path], CLI)
            assert refused.value.key == "import_running"
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert import_batch(branch.db, branch.folder, path, CLI).state == "imported"
    finally:
        post.app.close()
        branch.close()
