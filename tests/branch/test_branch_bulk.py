"""The branch's bulk path (issue 21): a post's first batch goes in by plain INSERTs, with fewer
round trips, and what it leaves — every table, every acknowledgement — is what the general
upsert left; its checks still refuse what they refused, changing nothing."""

# ruff: noqa: F401, F811  (pytest fixtures imported from branch_world are used by name)

from __future__ import annotations

import copy
import json
import random
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from rumah_perisai.app import App, open_app
from rumah_perisai.branch import add_post, import_files, upsert
from rumah_perisai.config import DataFolder
from rumah_perisai.exchange.canonical import Fixed, canonical_json, indented_json
from rumah_perisai.keys.installed import post_key_file_bytes
from rumah_perisai.services.dues import void_receipt
from tests.branch.branch_world import CLI, PostSide, branch_url, make_branch, make_post
from tests.conftest import _postgres_database

CODES = ("RP3209A", "RP3209B", "RP3209C")


@pytest.fixture
def second_url(tmp_path: Path, branch_url: str) -> Iterator[str]:
    """A second, empty database on the branch's server."""
    if branch_url.startswith("sqlite"):
        (tmp_path / "again").mkdir()
        yield DataFolder(tmp_path / "again").sqlite_url
    else:
        yield from _postgres_database()


def _week_at_posts(posts: list[PostSide], week: int) -> None:
    """Registrations, payments and a void at each post; in week 1 a NIK registered at post A
    is registered at post B too (the branch rejects B's), in week 2 more of the same."""
    first, second, third = posts
    people = {side.code: [side.register() for _ in range(3)] for side in posts}
    for side in posts:
        for who in people[side.code][:2]:
            side.pay(who, months=1)
    receipt = first.pay(people[first.code][2])
    void_receipt(first.app.db, receipt, "salah orang", first.coordinator)
    if week == 1:
        second.register(nik="3209144101940777", name="Siti Aminah")
        first.register(nik="3209144101940777", name="Siti Aminah")
    third.pay(people[third.code][0], months=3)


def twin_branches(
    tmp_path: Path, branch_url: str, second_url: str, clock: Any, name: str
) -> tuple[App, list[PostSide], App]:
    """A branch, the posts ``CODES`` that know it, and a second branch at ``second_url`` with
    the same keys that knows the same posts (folder ``branch-<name>``): the same files can be
    imported into both and the outcomes compared."""
    branch = make_branch(tmp_path / "branch", branch_url, clock)
    posts = [make_post(tmp_path, branch, clock, code) for code in CODES]
    twin_folder = DataFolder(tmp_path / f"branch-{name}")
    shutil.copytree(branch.folder.keys, twin_folder.keys)
    twin = open_app(twin_folder, second_url, clock=clock)
    for side in posts:
        key_file = post_key_file_bytes(side.app.db, side.app.folder.keys)
        add_post(twin.db, twin_folder, key_file, CLI)
    return branch, posts, twin


def _snapshot(app: App, places: dict[Path, str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the branch, each row in full; the folders a run wrote to named by
    ``places`` (the history of the batches' rows quotes them)."""

    def same_places(value: Any) -> Any:
        if isinstance(value, str):
            for place, name in places.items():
                value = value.replace(json.dumps(str(place))[1:-1], name)
        return value

    tables: dict[str, list[tuple[Any, ...]]] = {}
    with app.db.engine.connect() as connection:
        for table in sorted(inspect(connection).get_table_names()):
            if table == "alembic_version":
                continue
            columns = [c["name"] for c in inspect(connection).get_columns(table)]
            if table == "audit_log":
                # One operation's entries in any order: the unit of work writes a flush's
                # records in the order of the session's set of changed ones.
                columns.remove("id")
            query = f"SELECT {', '.join(columns)} FROM {table}"
            rows = connection.execute(text(query))
            tables[table] = sorted(
                (tuple(same_places(value) for value in row) for row in rows), key=repr
            )
    return tables


def _import_copies(app: App, sticks: list[Path], into: Path) -> list[bytes]:
    """The sticks' batches, copied to ``into``, imported; the acknowledgements written."""
    copies = []
    for stick in sticks:
        for batch in sorted(stick.glob("*.rpb")):
            target = into / batch.name
            if not target.exists():
                shutil.copy(batch, target)
                copies.append(target)
    results = import_files(app.db, app.folder, copies, CLI)
    assert [r.state for r in results] == ["imported"] * len(copies)
    return [r.ack_path.read_bytes() for r in results if r.ack_path is not None]


_PLAIN_INIT = upsert.PartImporter.__init__


def _general_only(self: upsert.PartImporter, *args: Any, **kwargs: Any) -> None:
    """Every part through the general upsert (ON CONFLICT), as before issue 21."""
    _PLAIN_INIT(self, *args, **{**kwargs, "fresh": False})


def imported_alike(
    tmp_path: Path,
    clock: Any,
    posts: list[PostSide],
    branch: App,
    twin: App,
    twin_way: Callable[[], AbstractContextManager[Any]],
) -> dict[str, list[tuple[Any, ...]]]:
    """Two weeks of the posts' batches imported into ``branch`` and the same files into
    ``twin`` (inside ``twin_way()``): the same ACKs, byte for byte, and the same tables, which
    are returned."""
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    mine.mkdir(), theirs.mkdir()
    acks: dict[str, list[bytes]] = {"mine": [], "theirs": []}
    for week in (1, 2):
        _week_at_posts(posts, week)
        for side in posts:
            side.export()
            clock.advance(minutes=5)
        sticks = [side.stick for side in posts]
        acks["mine"] += _import_copies(branch, sticks, mine)
        with twin_way():
            acks["theirs"] += _import_copies(twin, sticks, theirs)
    assert acks["mine"] == acks["theirs"]
    tables = _snapshot(branch, {branch.folder.root: "<branch>", mine: "<stick>"})
    assert tables == _snapshot(twin, {twin.folder.root: "<branch>", theirs: "<stick>"})
    return tables


def test_first_batches_by_plain_inserts_leave_what_the_upserts_left(
    tmp_path: Path, branch_url: str, second_url: str, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    branch, posts, again = twin_branches(tmp_path, branch_url, second_url, clock, "again")

    @contextmanager
    def general_only() -> Iterator[None]:  # every part through the general upsert
        with monkeypatch.context() as patched:
            patched.setattr(upsert.PartImporter, "__init__", _general_only)
            yield

    try:
        fast_tables = imported_alike(tmp_path, clock, posts, branch, again, general_only)
        # The world did what it should: the duplicates rejected, the voids linked.
        assert "RP3209B-000004" in {row[4] for row in fast_tables["branch_rejections"]}
        with branch.db.engine.connect() as connection:
            linked = connection.execute(
                text("SELECT count(*) FROM receipts WHERE voids_receipt_id IS NOT NULL")
            ).scalar_one()
        assert linked == 2
    finally:
        again.close()
        branch.close()
        for side in posts:
            side.app.close()


def test_an_acknowledgement_is_written_as_the_standard_library_writes_it() -> None:
    """``indented_json`` and ``canonical_json`` (what the signature covers) are only faster: the
    signed file's bytes stay what they were, whatever the lists of words hold, and an entry
    whose texts are kept (``Fixed``, a post's entry) is written as any object, met again at
    another depth or not."""
    generator = random.Random(21)
    kept: list[Fixed] = []

    def value(depth: int) -> Any:
        roll = generator.random()
        if depth > 4 or roll < 0.35:
            return generator.choice(
                ["a", 'é"\\\n\t\u2028x', "", "😀", None, True, False, 0, -5, 2**40, 1.5]
            )
        if roll < 0.6:
            return [value(depth + 1) for _ in range(generator.randint(0, 4))]
        if roll < 0.7:
            return [f"{generator.getrandbits(24):06x}" for _ in range(generator.randint(0, 9))]
        if roll < 0.75:  # words JSON writes as they are, or nearly: one odd one among them
            words = ["ab", "Z9", " ~", "a-b", "", '"', "\\", "\x7f", "\x1f", "é", 7]
            return [generator.choice(words[: generator.choice((5, 11))])
                    for _ in range(generator.randint(1, 6))]  # fmt: skip
        if roll < 0.8 and kept:
            return generator.choice(kept)
        keys = ["k", "a", "é", "z\n", "", '"q', "duplicate_prefixes"]
        made = {generator.choice(keys): value(depth + 1) for _ in range(generator.randint(0, 5))}
        if roll > 0.95:
            kept.append(Fixed(made))
            return kept[-1]
        return made

    for _ in range(3000):
        document = value(0)
        expected = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1)
        assert indented_json(document) == expected
        compact = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert canonical_json(document) == compact.encode()
        clone = copy.deepcopy(document)  # a kept entry copies (and pickles) as it was made
        assert indented_json(clone) == expected and canonical_json(clone) == compact.encode()
    assert indented_json({1: "a", 2: [1.25]}) == json.dumps(
        {1: "a", 2: [1.25]}, ensure_ascii=False, sort_keys=True, indent=1
    )
