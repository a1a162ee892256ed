"""A run's acknowledgements read and written on a thread while the next batch is imported
(issue 21, ``importer._AckWriting``): each ACK says what it says when the branch makes it
alone, right after its batch — the same bytes, and the branch holds the same rows."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rumah_perisai.branch import import_batch, import_files
from tests.branch.branch_world import CLI, branch_url
from tests.branch.test_branch_ahead import _weeks
from tests.branch.test_branch_bulk import _snapshot, twin_branches
from tests.conftest import _postgres_database


@pytest.fixture
def second_url(branch_url: str) -> Iterator[str]:
    if branch_url.startswith("sqlite"):
        pytest.skip("only PostgreSQL's ACKs are read on the thread (SQLite's before it)")
    yield from _postgres_database()


def _copies(files: list[Path], into: Path) -> list[Path]:
    into.mkdir()
    copies = [into / path.name for path in files]
    for path, copy in zip(files, copies, strict=True):
        shutil.copy(path, copy)
    return copies


def test_acks_made_beside_the_next_batch_say_what_each_says_alone(
    tmp_path: Path, branch_url: str, second_url: str, clock: Any
) -> None:
    branch, posts, alone = twin_branches(tmp_path, branch_url, second_url, clock, "alone")
    try:
        weeks = _weeks(posts)  # three posts' two weeks; a NIK the branch rejects at a post
        files = [weeks[key] for key in sorted(weeks)]
        beside = import_files(branch.db, branch.folder, _copies(files, tmp_path / "run"), CLI)
        # One file at a time: each ACK read and written after its batch, before the next one.
        one_by_one = [
            import_batch(alone.db, alone.folder, path, CLI)
            for path in _copies(files, tmp_path / "one")
        ]
        assert [r.state for r in beside] == ["imported"] * len(files)
        for ran, single in zip(beside, one_by_one, strict=True):
            assert ran.ack_path is not None and single.ack_path is not None
            assert ran.ack_path.name == single.ack_path.name
            assert ran.ack_path.read_bytes() == single.ack_path.read_bytes()
            assert (branch.folder.root / "acks" / ran.ack_path.name).read_bytes() == (
                ran.ack_path.read_bytes()
            )
        rejected = [len(r.rejected) for r in beside]
        assert rejected == [len(r.rejected) for r in one_by_one]
        assert sum(rejected) > 0  # the NIK registered at two posts
        places = {tmp_path / "run": "<stick>", tmp_path / "one": "<stick>"}
        assert _snapshot(branch, {branch.folder.root: "<branch>", **places}) == _snapshot(
            alone, {alone.folder.root: "<branch>", **places}
        )
    finally:
        alone.close()
        branch.close()
        for side in posts:
            side.app.close()
