"""Reading the next batch ahead in a second process (issue 21, ``branch.ahead``): a run of
several posts' batches — one batch following the one before it, one refused in the middle, one
whose value only the import itself can turn down — leaves every table, every acknowledgement
and every refusal as the same run done wholly in one process."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from rumah_perisai.app import App, open_app
from rumah_perisai.branch import ack_process, add_post, ahead, audit, import_files
from rumah_perisai.branch.folder import branch_keys
from rumah_perisai.config import DataFolder
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.batchfile import PlainPart, decrypt_parts, open_batch, seal
from rumah_perisai.keys import load_post_key
from rumah_perisai.keys.installed import post_key_file_bytes
from rumah_perisai.services.batches import AUDIT_PART
from rumah_perisai.services.dues import void_receipt
from tests.branch.branch_world import CLI, PostSide, branch_url, make_branch, make_post
from tests.branch.test_branch_bulk import (  # every table of a branch, row by row; two branches
    CODES,
    _snapshot,
    twin_branches,
)
from tests.conftest import _postgres_database


@pytest.fixture
def second_url(branch_url: str) -> Iterator[str]:
    if branch_url.startswith("sqlite"):
        pytest.skip("a batch is read ahead only into PostgreSQL (its parts are staged by COPY)")
    yield from _postgres_database()


def _forged(
    path: Path,
    post: PostSide,
    branch: App,
    change: Callable[[dict[str, Any]], None],
    part_name: str = "participants",
) -> Path:
    """The batch with its part ``part_name`` changed by ``change``, sealed again by the post's
    own key (a post writing its own batches, or a stolen key); named to sort where it was."""
    keys = branch_keys(branch.folder)
    sealed = open_batch(path.read_bytes(), path.name)
    plain = decrypt_parts(sealed, keys.public, keys.encryption, path.name)
    parts = []
    for part in sealed.parts:
        data = plain[part.name]
        if part.name == part_name:
            document = json.loads(data)
            change(document)
            data = json.dumps(document).encode()
        parts.append(PlainPart(part.name, part.records, data))
    manifest = {
        k: v
        for k, v in sealed.manifest.items()
        if k not in ("format", "version", "parts", "compression", "encryption")
    }
    forged = seal(manifest, parts, post_key=load_post_key(post.app.folder.keys), branch=keys.public)
    out = path.parent / f"forged-{part_name}" / path.name
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(forged)
    return out


def _runs(app: App, runs: list[list[Path]], into: Path, helpers: bool) -> list[Any]:
    """Each run's files copied to ``into`` and imported together: what became of each batch
    (its state, records, rejections and ACK's bytes), or the refusal that stopped the run."""
    outcomes: list[Any] = []
    for run in runs:
        copies = []
        for path in run:
            copies.append(into / path.name)
            shutil.copy(path, copies[-1])
        done: list[Any] = []
        try:
            import_files(app.db, app.folder, copies, CLI, helpers=helpers,
                         on_result=done.append)  # fmt: skip
            refusal = None
        except UserError as error:
            refusal = (error.key, error.params)
        outcomes.append(
            (
                [
                    (r.post_code, r.seq, r.state, r.records, len(r.rejected),
                     r.ack_path.read_bytes() if r.ack_path else None)
                    for r in done
                ],
                refusal,
            )
        )  # fmt: skip
        for copy in copies:  # the next run brings its own copies (a refused file again, fixed)
            copy.unlink()
    return outcomes


def _weeks(posts: list[PostSide]) -> dict[tuple[str, int], Path]:
    """Two weeks at three posts: registrations, payments, a void, a NIK registered at two
    posts (the branch rejects the second); each post's second batch follows its first."""
    files: dict[tuple[str, int], Path] = {}
    first, second, third = posts
    for week in (1, 2):
        for side in posts:
            people = [side.register() for _ in range(3)]
            side.pay(people[0], months=3)
            side.pay(people[1])
        receipt = first.pay(first.register())
        void_receipt(first.app.db, receipt, "salah orang", first.coordinator)
        if week == 1:
            second.register(nik="3209144101940777", name="Siti Aminah")
            third.register(nik="3209144101940777", name="Siti Aminah")
        for side in posts:
            files[side.code, week] = side.export().path
    return files


def test_reading_ahead_leaves_every_table_ack_and_refusal_as_one_process_does(
    tmp_path: Path,
    branch_url: str,
    second_url: str,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    branch, posts, plain = twin_branches(tmp_path, branch_url, second_url, clock, "plain")
    read_ahead: list[str] = []
    made = ahead.AheadReader.__init__

    def counted(self: ahead.AheadReader, prepared: ahead.Prepared, *args: Any) -> None:
        read_ahead.append(prepared.name)
        made(self, prepared, *args)

    monkeypatch.setattr(ahead.AheadReader, "__init__", counted)
    staged: list[int] = []  # the histories written as staged ahead, by the import's number
    copy_staged = audit._copy_staged_audit

    def copied(connection: Any, change_no: int, *args: Any) -> None:
        staged.append(change_no)
        copy_staged(connection, change_no, *args)

    monkeypatch.setattr(audit, "_copy_staged_audit", copied)
    try:
        files = _weeks(posts)
        b = posts[1]

        def foreign_number(document: dict[str, Any]) -> None:
            column = document["columns"].index("registration_no")
            document["rows"][0][column] = "RP3209A-999999"  # another post's number

        def no_value(document: dict[str, Any]) -> None:
            column = document["columns"].index("name")
            document["rows"][-1][column] = {"not": "a value"}  # only COPY turns it down

        def later_than_written(document: dict[str, Any]) -> None:
            column = document["columns"].index("at")
            document["rows"][-1][column] = "2099-01-01T00:00:00.000000Z"  # a moment, too late

        takes_number = _forged(files[b.code, 2], b, branch, foreign_number)
        unstageable = _forged(files["RP3209C", 2], posts[2], branch, no_value)
        too_late = _forged(files["RP3209C", 2], posts[2], branch, later_than_written, AUDIT_PART)
        runs = [
            # Sorted by post and number: A1, A2, B1, then B2 refused by what was read ahead.
            [files["RP3209C", 1], takes_number, files["RP3209A", 2], files["RP3209A", 1],
             files[b.code, 1]],
            # B2 itself, following B1 (its link, its numbers, the chain's prefix); C1; then C2
            # refused by the import's own COPY after the second process gave up on its part.
            [files[b.code, 2], files["RP3209C", 1], unstageable],
            # C1 again, then C2 whose history was staged ahead, refused at its turn by the
            # window its staged moments are compared with.
            [files["RP3209C", 1], too_late],
            [files["RP3209C", 2]],
        ]  # fmt: skip
        (tmp_path / "ahead").mkdir(), (tmp_path / "alone").mkdir()
        with_ahead = _runs(branch, runs, tmp_path / "ahead", helpers=True)
        # Every batch but each run's first was read ahead: A2, B1, B2 (forged), C1, C2 (forged).
        assert sorted(read_ahead) == sorted(
            [files["RP3209A", 2].name, files[b.code, 1].name, takes_number.name,
             files["RP3209C", 1].name, unstageable.name, too_late.name]
        )  # fmt: skip
        # The history of each batch read ahead and imported went in as staged: A2, B1, C1.
        assert len(staged) == 3
        alone = _runs(plain, runs, tmp_path / "alone", helpers=False)
        assert len(read_ahead) == 6  # none read ahead when asked not to

        assert with_ahead == alone
        refusals = [refusal for _done, refusal in with_ahead]
        assert refusals[0] is not None and refusals[0][0] == "batch_foreign_key_value"
        assert refusals[1] is not None and refusals[1][0] == "batch_data_bad"
        assert refusals[2] is not None and refusals[2][0] == "batch_time_outside"
        assert refusals[3] is None
        states = [(code, seq) for done, _r in with_ahead for code, seq, *_rest in done]
        assert states == [("RP3209A", 1), ("RP3209A", 2), ("RP3209B", 1), ("RP3209B", 2),
                          ("RP3209C", 1), ("RP3209C", 1), ("RP3209C", 2)]  # fmt: skip
        ahead_tables = _snapshot(
            branch, {branch.folder.root: "<branch>", tmp_path / "ahead": "<stick>"}
        )
        plain_tables = _snapshot(
            plain, {plain.folder.root: "<branch>", tmp_path / "alone": "<stick>"}
        )
        assert ahead_tables == plain_tables
        # The world did what it should: NIKs registered at two posts rejected at the second.
        assert {row[5] for row in ahead_tables["branch_rejections"]} == {"duplicate_nik"}
    finally:
        plain.close()
        branch.close()
        for side in posts:
            side.app.close()


def test_a_second_process_that_dies_leaves_the_import_to_do_it_all(
    tmp_path: Path, branch_url: str, second_url: str, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Processes that cannot run their modules (they exit at once: a broken installation,
    killed by the system) cost nothing but the time: every batch is imported, each read here,
    and each ACK written here."""
    import subprocess
    import sys

    def dead(_module: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.stdin.buffer.read(8)"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    monkeypatch.setattr(ahead.pipes, "start", dead)
    monkeypatch.setattr(ack_process, "ACK_PROCESS_FROM", 2)  # this run of three has one too
    branch = make_branch(tmp_path / "branch", branch_url, clock)
    posts = [make_post(tmp_path, branch, clock, code) for code in CODES]
    try:
        for side in posts:
            side.pay(side.register())
        paths = [side.export().path for side in posts]
        results = import_files(branch.db, branch.folder, paths, CLI)
        assert [r.state for r in results] == ["imported"] * 3
        # The ACKs' process died too (``ack_process``): each written by the import itself.
        assert all(r.ack_path is not None and r.ack_path.is_file() for r in results)
        with branch.db.engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM receipts")).scalar_one()
        assert count == 3
    finally:
        branch.close()
        for side in posts:
            side.app.close()
