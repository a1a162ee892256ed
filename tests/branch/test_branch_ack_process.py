"""A long run's ACKs written by a process of their own (issue 21, ``branch.ack_process``): every
ACK of such a run into PostgreSQL comes from it, byte for byte what the import writes itself; a
process that dies halfway leaves the rest to the import, with nothing lost or changed; and no
process is left running after the run. (Runs here are made long by lowering the bar.)"""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.branch import ack_process, branch_keys, import_files, importer, pipes
from rumah_perisai.branch.importer import ImportResult
from rumah_perisai.db.models import BatchImport, Post
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import ack_file_name, read_ack
from tests.branch.branch_world import CLI, branch_url
from tests.branch.test_branch_ahead import _weeks
from tests.branch.test_branch_bulk import _snapshot, twin_branches
from tests.conftest import _postgres_database

ACKS = "rumah_perisai.branch.ack_process"


@pytest.fixture
def second_url(branch_url: str) -> Iterator[str]:
    if branch_url.startswith("sqlite"):
        pytest.skip("a run's ACKs are written by a process of their own only on PostgreSQL")
    yield from _postgres_database()


@pytest.fixture
def world(
    tmp_path: Path, branch_url: str, second_url: str, clock: Any
) -> Iterator[tuple[App, App, list[Path]]]:
    """A branch, its twin at the second database (the same keys and posts), and three posts'
    two weeks of batches, in import order (a NIK the branch rejects at a second post)."""
    branch, posts, plain = twin_branches(tmp_path, branch_url, second_url, clock, "plain")
    try:
        weeks = _weeks(posts)
        yield branch, plain, [weeks[key] for key in sorted(weeks)]
    finally:
        plain.close()
        branch.close()
        for side in posts:
            side.app.close()


class Watched:
    """The helper processes a run starts, and the ACKs the import wrote itself."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.here: list[str] = []
        start, write_here = pipes.start, importer.write_ack

        def started(module: str) -> subprocess.Popen[bytes]:
            worker = start(module)
            self.started.append((module, worker))
            return worker

        def written_here(*args: Any) -> Path:
            self.here.append(args[6])  # the batch's name
            return write_here(*args)

        monkeypatch.setattr(pipes, "start", started)
        monkeypatch.setattr(importer, "write_ack", written_here)  # the import's own
        monkeypatch.setattr(ack_process, "ACK_PROCESS_FROM", 2)  # a run of six has one

    def acks_process(self) -> subprocess.Popen[bytes]:
        [worker] = [worker for module, worker in self.started if module == ACKS]
        return worker


def _run(app: App, files: list[Path], into: Path, **options: Any) -> list[ImportResult]:
    into.mkdir()
    copies = []
    for path in files:
        copies.append(into / path.name)
        shutil.copy(path, copies[-1])
    return import_files(app.db, app.folder, copies, CLI, **options)


def _acks(app: App, results: list[ImportResult]) -> list[bytes]:
    """Each result's ACK, checked as a post checks it (signed by the branch), and its bytes;
    the branch's own copy the same."""
    public = branch_keys(app.folder).public
    found = []
    for result in results:
        assert result.ack_path is not None
        data = result.ack_path.read_bytes()
        read_ack(data, public, result.ack_path.name)
        assert (app.folder.root / "acks" / result.ack_path.name).read_bytes() == data
        found.append(data)
    return found


def test_every_ack_of_a_run_comes_from_its_process_as_the_import_writes_it(
    tmp_path: Path, world: tuple[App, App, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    branch, plain, files = world
    watched = Watched(monkeypatch)
    helped = _run(branch, files, tmp_path / "helped")
    worker = watched.acks_process()
    assert watched.here == []  # not one ACK written by the import itself
    assert worker.poll() == 0  # told to end after the run, and ended by itself
    alone = _run(plain, files, tmp_path / "alone", helpers=False)
    assert [r.state for r in helped] == ["imported"] * len(files)
    assert _acks(branch, helped) == _acks(plain, alone)
    assert sum(len(r.rejected) for r in helped) > 0  # the NIK registered at two posts
    places = {tmp_path / "helped": "<stick>", tmp_path / "alone": "<stick>"}
    assert _snapshot(branch, {branch.folder.root: "<branch>", **places}) == _snapshot(
        plain, {plain.folder.root: "<branch>", **places}
    )
    assert not list(tmp_path.rglob("*.partial"))


def test_a_process_that_dies_halfway_leaves_the_rest_of_the_acks_to_the_import(
    tmp_path: Path, world: tuple[App, App, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed (by the system, a person) after the run's second ACK: the third and every one
    after are written by the import, the same bytes, and the run goes on to its end."""
    branch, plain, files = world
    watched = Watched(monkeypatch)
    handed: list[ImportResult] = []

    def kill_after_the_second(result: ImportResult) -> None:
        handed.append(result)
        if len(handed) == 2:
            worker = watched.acks_process()
            worker.kill()
            # What a process killed between writing the third's ACK and renaming it leaves:
            # removed when the import takes that ACK over.
            name = ack_file_name(files[2].name)
            for folder in (tmp_path / "helped", branch.folder.root / "acks"):
                (folder / f".{name}.{worker.pid}-0badc0de.partial").write_bytes(b"half an ACK")

    helped = _run(branch, files, tmp_path / "helped", on_result=kill_after_the_second)
    assert handed == helped
    assert [r.state for r in helped] == ["imported"] * len(files)
    # The second batch's ACK is handed on once written, as the third batch commits; the
    # process killed then, the import wrote the third's and every one after itself.
    assert watched.here == [path.name for path in files[2:]]
    alone = _run(plain, files, tmp_path / "alone", helpers=False)
    assert _acks(branch, helped) == _acks(plain, alone)
    assert not list(tmp_path.rglob("*.partial"))


def test_an_ack_the_process_cannot_write_still_stops_the_run_before_the_next_batch(
    tmp_path: Path, world: tuple[App, App, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process answers that it failed; the import tries that ACK itself, meets the same
    fault and says it in one line: the batch stays imported, nothing after it is, and every
    batch before it was handed on with its ACK."""
    branch, _plain, files = world
    watched = Watched(monkeypatch)
    # Where the branch keeps the third batch's ACK stands a folder: writing it fails.
    (branch.folder.root / "acks" / ack_file_name(files[2].name)).mkdir(parents=True)
    handed: list[ImportResult] = []
    with pytest.raises(UserError) as refused:
        _run(branch, files, tmp_path / "helped", on_result=handed.append)
    assert refused.value.key == "write_failed_other"
    assert [r.seq for r in handed] == [1, 2]  # the first post's two batches
    assert watched.here == [files[2].name]  # tried once more by the import itself
    assert watched.acks_process().poll() is not None  # and the process is gone
    with branch.db.reading() as session:
        imported = session.execute(
            select(Post.code, BatchImport.seq).join(BatchImport, BatchImport.post_id == Post.id)
            .where(BatchImport.state == "imported").order_by(Post.code, BatchImport.seq)
        ).all()  # fmt: skip
    assert [tuple(row) for row in imported] == [("RP3209A", 1), ("RP3209A", 2), ("RP3209B", 1)]
    assert not list(tmp_path.rglob("*.partial"))
