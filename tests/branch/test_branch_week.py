"""A week at the branch (issue 21): the acknowledgements' duplicate-warning prefixes come from the
table of prefixes each post brought (``nik_prefixes``, migration 0019), not from a scan of the
participants changed since the post's previous batch. Every post learns the same prefixes as
before; every other part of the acknowledgement is the same. Posts on SQLite; the branch on
SQLite and on PostgreSQL (``DATABASE_URL``)."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from rumah_perisai.app import App
from rumah_perisai.branch import acks, branch_keys, import_batch
from rumah_perisai.branch.importer import ImportResult
from rumah_perisai.db.migrate import downgrade_to, upgrade_to_head
from rumah_perisai.db.models import BatchImport, NikPrefix, Post
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import Ack, ack_bytes, read_ack
from tests.branch.branch_world import (  # branch, branch_url, post: fixtures, used by name
    CLI,
    PostSide,
    branch,
    branch_url,
    make_post,
    post,
)
from tests.conftest import FakeClock
from tests.dbfiles import engine_for


def _scanned(session: Session, post_id: int, after: int, upto: int) -> list[str]:
    """The listing before issue 21, kept here as the measure: every participant of another
    post changed in (after, upto], and BPJS's list."""
    return list(
        session.execute(
            text(
                "SELECT nik_prefix FROM participants WHERE post_id <> :post"
                " AND standing <> 'rejected' AND change_no > :after AND change_no <= :upto"
                " AND nik_prefix IS NOT NULL"
                " UNION SELECT nik_prefix FROM bpjs_members"
                " WHERE change_no > :after AND change_no <= :upto AND nik_prefix IS NOT NULL"
                " ORDER BY 1"
            ),
            {"post": post_id, "after": after, "upto": upto},
        ).scalars()
    )


def _as_before(branch: App, result: ImportResult) -> tuple[Ack, Ack]:
    """The batch's acknowledgement as made now, and as the scan made it (same moment)."""
    keys = branch_keys(branch.folder)
    with branch.db.reading() as session:
        post_id = session.scalars(select(Post.id).where(Post.code == result.post_code)).one()
    now = acks.build_ack(branch.db, keys, post_id, result.seq)
    original = acks._new_prefixes
    try:
        acks._new_prefixes = _scanned  # type: ignore[assignment]
        before = acks.build_ack(branch.db, keys, post_id, result.seq)
    finally:
        acks._new_prefixes = original  # type: ignore[assignment]
    return now, before


class _World:
    """Three posts registering, paying and sending batches; each ACK kept with the scan's."""

    def __init__(self, branch: App, posts: dict[str, PostSide]) -> None:
        self.branch = branch
        self.posts = posts
        self.made = dict.fromkeys(posts, 0)
        self.acks: list[tuple[str, Ack, Ack]] = []

    def register(self, code: str, nik_of: str | None = None) -> int:
        side = self.posts[code]
        self.made[code] += 1
        n = self.made[code]  # the world's serial: the NIK's birth year follows it
        offset = {"RP3209A": 1000, "RP3209B": 2000, "RP3209C": 3000}[code]
        nik = nik_of or f"3209144101{90 + n % 9:02d}{offset + n:04d}"
        return side.register(nik=nik)

    def send(self, code: str) -> ImportResult:
        result = import_batch(self.branch.db, self.branch.folder, self.posts[code].export().path,
                              CLI)  # fmt: skip
        assert result.state == "imported"
        now, before = _as_before(self.branch, result)
        self.acks.append((code, now, before))
        return result


def test_acks_list_what_the_scan_listed_and_every_post_learns_the_same_prefixes(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock
) -> None:
    others = [make_post(tmp_path, branch, clock, code) for code in ("RP3209B", "RP3209C")]
    try:
        world = _World(branch, {"RP3209A": post, "RP3209B": others[0], "RP3209C": others[1]})
        a1, a2 = world.register("RP3209A"), world.register("RP3209A")
        world.send("RP3209A")  # the first ACK: nothing from others yet
        b1 = world.register("RP3209B")
        b_nik = _nik(others[0], b1)
        world.register("RP3209B")
        world.send("RP3209B")
        clock.advance(hours=1)
        world.register("RP3209C", nik_of=b_nik)  # the same NIK as B's: rejected here
        world.register("RP3209C")
        rejected = world.send("RP3209C")
        assert [r.code for r in rejected.rejected] == ["duplicate_nik"]
        clock.advance(hours=1)
        others[0].pay(b1)  # B's registration changed again: the scan listed it again
        world.register("RP3209B")
        world.send("RP3209B")
        post.pay(a1)
        world.register("RP3209A")
        world.send("RP3209A")
        clock.advance(hours=1)
        others[0].pay(b1)
        world.send("RP3209B")
        post.pay(a2)
        world.send("RP3209A")
        others[1].pay(2)  # its own registration (the first was rejected)
        world.send("RP3209C")
    finally:
        for side in others:
            side.app.close()

    learned_now: dict[str, set[str]] = {}
    learned_before: dict[str, set[str]] = {}
    relisted = 0
    for code, now, before in world.acks:
        # Every other part of the acknowledgement is what it was.
        assert _without_prefixes(now) == _without_prefixes(before)
        assert set(now.duplicate_prefixes) <= set(before.duplicate_prefixes)
        assert now.duplicate_prefixes == sorted(set(now.duplicate_prefixes))
        relisted += len(before.duplicate_prefixes) - len(now.duplicate_prefixes)
        learned_now.setdefault(code, set()).update(now.duplicate_prefixes)
        learned_before.setdefault(code, set()).update(before.duplicate_prefixes)
    # What each post holds after taking in its acknowledgements is the same; only prefixes it
    # had been sent already are no longer sent again (B's registration paid for twice).
    assert learned_now == learned_before
    assert relisted >= 1
    assert all(learned_now[code] for code in ("RP3209A", "RP3209C"))


def _nik(side: PostSide, participant_id: int) -> str:
    with side.app.db.reading() as session:
        return str(
            session.execute(
                text("SELECT nik FROM participants WHERE id = :id"), {"id": participant_id}
            ).scalar_one()
        )


def _without_prefixes(ack: Ack) -> dict[str, Any]:
    content = ack.content()
    content["duplicates"] = dict(content["duplicates"], prefixes=None)
    return content


def test_a_rejected_registration_brings_no_prefix_and_the_upgrade_fills_the_table(
    tmp_path: Path, branch: App, post: PostSide, clock: FakeClock, branch_url: str
) -> None:
    other = make_post(tmp_path, branch, clock, "RP3209B")
    try:
        first = other.register(nik="3209144101910001")
        import_batch(branch.db, branch.folder, other.export().path, CLI)
        post.register(nik="3209144101910001")  # B's: rejected
        post.register(nik="3209144101920002")
        result = import_batch(branch.db, branch.folder, post.export().path, CLI)
        assert len(result.rejected) == 1
        clock.advance(hours=1)
        other.pay(first)
        import_batch(branch.db, branch.folder, other.export().path, CLI)
    finally:
        other.app.close()
    with branch.db.reading() as session:
        written = _prefix_rows(session)
        kept = session.execute(
            text(
                "SELECT p.post_id, p.nik_prefix FROM participants p"
                " WHERE p.standing <> 'rejected' ORDER BY 1, 2"
            )
        ).all()
    assert [(post_id, prefix) for post_id, prefix, _change in written] == [tuple(r) for r in kept]
    branch.close()
    engine = engine_for(branch.folder, branch_url)
    try:
        downgrade_to(engine, "0017")
        upgrade_to_head(engine)
        with Session(engine) as session:
            filled = _prefix_rows(session)
    finally:
        engine.dispose()
    # The same prefixes, each with the newest change of a row holding it: B's paid registration
    # is listed once more to a post whose previous batch came before that payment, never less.
    assert [row[:2] for row in filled] == [row[:2] for row in written]
    assert all(new[2] >= old[2] for new, old in zip(filled, written, strict=True))


def _prefix_rows(session: Session) -> list[tuple[int, str, int]]:
    rows = session.execute(
        select(NikPrefix.post_id, NikPrefix.prefix, NikPrefix.change_no).order_by(
            NikPrefix.post_id, NikPrefix.prefix
        )
    ).all()
    return [(int(a), str(b), int(c)) for a, b, c in rows]


def test_the_ack_file_is_written_as_before_whatever_its_prefixes() -> None:
    """The acknowledgement is written by ``canonical.indented_json`` (issue 21): the file is
    the very text ``json.dumps(..., indent=1)`` makes, with no prefix, a few or tens of
    thousands."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from rumah_perisai.exchange.canonical import indented_json

    rng = random.Random(21)
    signer = Ed25519PrivateKey.generate()
    for count in (0, 1, 2, 37, 20_000):
        prefixes = sorted({f"{rng.getrandbits(24):06x}" for _ in range(count)})
        ack = Ack(
            branch_code="KC-CRB", branch_fingerprint="ab" * 32, post_code="RP3209A", seq=3,
            batch_file_hash="cd" * 32, imported_at="2026-12-07T10:00:00Z", parts={},
            rejections=[], kpj={"RP3209A-000001": "12345678901"}, posts=[],
            duplicate_salt="rumah-perisai-dup-1|KC-CRB", duplicate_prefixes=prefixes,
            demo=False, missing=[2], pending=[], as_of=9, requests_done=[], erased=[],
            bpjs_known=[],
        )  # fmt: skip
        data = ack_bytes(ack, signer)
        document = json.loads(data)
        assert data == (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1)
                        + "\n").encode()  # fmt: skip
        assert document["duplicates"]["prefixes"] == prefixes
    odd = {"duplicates": {"prefixes": ['"\\é\x00', "x"], "salt": "s"}, "a": [[]], "z": {}}
    assert indented_json(odd) == json.dumps(odd, ensure_ascii=False, sort_keys=True, indent=1)
