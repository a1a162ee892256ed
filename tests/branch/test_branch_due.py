"""The steps after a batch's parts told what they find to do in one query (issue 21,
``branch.due``): weeks with a NIK registered at two posts, the rejected registration paid for
again, a withdrawal and an erasure leave every table and every ACK as when each step asks for
itself; and a plain week's batch finds nothing to do. The branch on SQLite and on PostgreSQL
(``DATABASE_URL``)."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from rumah_perisai.app import App
from rumah_perisai.branch import import_files, importer
from rumah_perisai.branch.due import EVERYTHING, Due, due_after_parts
from tests.branch.branch_world import CLI, PostSide, branch_url, request_at_post
from tests.branch.test_branch_bulk import _snapshot, second_url, twin_branches

TWICE = "3209144101940777"  # registered at two posts: the second one is rejected


def _weeks(posts: list[PostSide]) -> list[Path]:
    first, second, third = posts
    files = []
    mine = {side.code: [side.register() for _ in range(3)] for side in posts}
    second.register(nik=TWICE, name="Siti Aminah")
    rejected = third.register(nik=TWICE, name="Siti Aminah")
    for side in posts:
        side.pay(mine[side.code][0])
        files.append(side.export().path)
    third.pay(rejected)  # the rejected registration comes again with its payment
    request_at_post(first, mine[first.code][1], "withdraw")
    request_at_post(second, mine[second.code][2], "erase")
    for side in posts:
        side.pay(mine[side.code][1] if side is not first else mine[side.code][0])
        files.append(side.export().path)
    for side in posts:  # a plain week after it
        side.pay(side.register())
        files.append(side.export().path)
    return sorted(files)


def _run(app: App, files: list[Path], into: Path) -> list[Any]:
    into.mkdir()
    copies = []
    for path in files:
        copies.append(into / path.name)
        shutil.copy(path, copies[-1])
    done = import_files(app.db, app.folder, copies, CLI)
    return [(r.post_code, r.seq, r.state, r.records, len(r.rejected), r.requests_done,
             r.ack_path.read_bytes() if r.ack_path else None) for r in done]  # fmt: skip


def test_the_steps_told_what_to_do_leave_every_table_and_ack_as_asking_each(
    tmp_path: Path, branch_url: str, second_url: str, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    branch, posts, asking = twin_branches(tmp_path, branch_url, second_url, clock, "asking")
    told: list[Due] = []

    def noted(*args: Any) -> Due:
        told.append(due_after_parts(*args))
        return told[-1]

    try:
        files = _weeks(posts)
        with monkeypatch.context() as patched:
            patched.setattr(importer, "due_after_parts", noted)
            with_due = _run(branch, files, tmp_path / "told")
        with monkeypatch.context() as patched:
            patched.setattr(importer, "due_after_parts", lambda *_args: EVERYTHING)
            each_asks = _run(asking, files, tmp_path / "asked")
        assert with_due == each_asks
        told_tables = _snapshot(
            branch, {branch.folder.root: "<branch>", tmp_path / "told": "<stick>"}
        )
        asked_tables = _snapshot(
            asking, {asking.folder.root: "<branch>", tmp_path / "asked": "<stick>"}
        )
        assert told_tables == asked_tables
        # The world did what it should: the NIK at two posts rejected, both requests applied.
        assert {row[5] for row in told_tables["branch_rejections"]} == {"duplicate_nik"}
        assert sorted(k for *_r, keys, _a in with_due for k in keys) == [
            "RP3209A-REQ1",
            "RP3209B-REQ1",
        ]
        # In post order: A's three weeks, B's, C's (the posts' first registrations share
        # their NIKs: B's and C's are rejected). A's third is a plain week: nothing to do.
        assert told[2] == Due(*(False,) * 8)
        assert told[4].unexplained and told[4].requests  # B's second week: its erasure
        assert told[5].erased_here and told[5].keyed  # B's third: the erasure list applied again
        assert told[7].rejected_before and told[7].pairs  # C's second: rejected again, and Siti
    finally:
        asking.close()
        branch.close()
        for side in posts:
            side.app.close()
