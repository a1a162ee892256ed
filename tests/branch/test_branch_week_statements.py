"""A week at the branch (issue 21, second round): what a weekly batch costs the branch does not
grow with what it holds — the chain check reads the batch's receipt months in one go however
many receipts came (the branch's ids follow the post's order), and the parts' stages kept on
PostgreSQL's connection for the next batch never carry a refused batch's rows into it, emptied
or truncated. Posts on SQLite; the branch on SQLite and on PostgreSQL (``DATABASE_URL``)."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from rumah_perisai.app import App
from rumah_perisai.branch import import_batch, upsert
from rumah_perisai.db.models import Participant, Receipt, ReceiptMonth
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.batchfile import PlainPart, open_batch, seal
from tests.branch.branch_world import (  # branch, branch_url, post: fixtures, used by name
    CLI,
    PostSide,
    branch,
    branch_url,
    post,
)
from tests.branch.test_branch_conditions import _resealed


class _Counted:
    """The statements a block sends through SQLAlchemy."""

    def __init__(self, branch: App) -> None:
        self.engine = branch.db.engine
        self.count = 0

    def _one(self, *_args: Any) -> None:
        self.count += 1

    def __enter__(self) -> _Counted:
        event.listen(self.engine, "before_cursor_execute", self._one)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._one)


def _import_counted(branch: App, path: Path) -> int:
    with _Counted(branch) as counted:
        assert import_batch(branch.db, branch.folder, path, CLI).state == "imported"
    return counted.count


NAMES = ("Adi", "Budi", "Citra", "Dedi", "Eka", "Fajar", "Gita", "Hadi", "Indah", "Joko",
         "Kurnia", "Lestari", "Made", "Nur", "Oki", "Putri", "Rina", "Sari", "Tono", "Umar",
         "Vina", "Wati", "Yusuf", "Zahra")  # fmt: skip


def _receipts_backwards(branch: App, post: PostSide, follows: str) -> Path:
    """The post's next batch with its receipts listed newest first (a file lists its rows in
    any order: nothing orders them but their ids), after the batch ``follows``."""

    def change(manifest: Any, parts: list[PlainPart], key: Any, public: Any) -> bytes:
        manifest["prev_batch_hash"] = follows
        out = []
        for part in parts:
            if part.name == "receipts":
                document = json.loads(part.data)
                document["rows"].reverse()
                part = PlainPart(part.name, part.records, json.dumps(document).encode())
            out.append(part)
        return seal(manifest, out, post_key=key, branch=public, compress_level=9)

    return _resealed(post.export().path, post, branch, change)


def _hash_of(path: Path) -> str:
    return open_batch(path.read_bytes(), path.name).file_hash


def test_a_weeks_statements_do_not_grow_with_its_receipts(branch: App, post: PostSide) -> None:
    people = [post.register(name=f"{name} Wibowo") for name in NAMES]
    first = post.export().path
    _import_counted(branch, first)  # the first batch: its own path (every row new)
    post.pay(people[0])
    start = _receipts_backwards(branch, post, _hash_of(first))
    _import_counted(branch, start)  # the first receipt: the chain starts
    for who in people[1:7]:
        post.pay(who)
    six = _receipts_backwards(branch, post, _hash_of(start))
    six_sent = _import_counted(branch, six)
    for who in people[7:]:
        post.pay(who)
    seventeen_sent = _import_counted(branch, _receipts_backwards(branch, post, _hash_of(six)))
    # The chain check asked for each receipt's months on its own when the branch's receipt ids
    # did not follow the post's order: 11 receipts more were 11 statements more.
    assert seventeen_sent == six_sent
    with branch.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Receipt)) == 24
        assert session.scalar(select(func.count()).select_from(ReceiptMonth)) == 24
        # The branch's ids follow the post's numbers.
        ids = session.scalars(select(Receipt.id).order_by(Receipt.year, Receipt.seq)).all()
        assert list(ids) == sorted(ids)


def _dangling_receipt(manifest: Any, parts: list[PlainPart], key: Any, public: Any) -> bytes:
    """The post's own batch, but its first receipt names a participant no batch brought: the
    branch stages and writes the participants, then refuses the receipts."""
    out = []
    for part in parts:
        if part.name == "receipts":
            document = json.loads(part.data)
            column = document["columns"].index("participant_id")
            document["rows"][0][column] = 999_999
            part = PlainPart(part.name, part.records, json.dumps(document).encode())
        out.append(part)
    return seal(manifest, out, post_key=key, branch=public, compress_level=9)


def test_a_refused_batch_leaves_nothing_behind_for_the_next_one(
    branch: App, post: PostSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kept stages are truncated every other import here (refused ones too), not every 64th.
    monkeypatch.setattr(upsert, "STAGE_TRUNCATE_EVERY", 2)
    first = [post.register() for _ in range(3)]
    assert import_batch(branch.db, branch.folder, post.export().path, CLI).state == "imported"
    later = [post.register() for _ in range(3)]
    for who in first + later:
        post.pay(who)
    honest = post.export().path
    forged = _resealed(honest, post, branch, _dangling_receipt)
    for _attempt in range(2):  # and again on the connection that refused it
        with pytest.raises(UserError) as refused:
            import_batch(branch.db, branch.folder, forged, CLI)
        assert refused.value.key == "batch_dangling"
    with branch.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Participant)) == 3
    # The honest batch of the same number goes in whole, with none of the refused one's rows.
    assert import_batch(branch.db, branch.folder, honest, CLI).state == "imported"
    with branch.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Participant)) == 6
        assert session.scalar(select(func.count()).select_from(Receipt)) == 6
        payers = session.scalars(select(Receipt.participant_id)).all()
        assert None not in payers and len(set(payers)) == 6
