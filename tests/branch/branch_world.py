"""A small world for the branch tests: posts on their own SQLite files, a branch on SQLite or
PostgreSQL, sticks as folders — everything real, nothing mocked."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rumah_perisai.app import App
from rumah_perisai.branch import add_post, init_branch
from rumah_perisai.config import DataFolder
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.keys.installed import install_branch_key, post_key_file_bytes
from rumah_perisai.services.batches import WrittenBatch, export_batch
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.posts import PostSetup
from rumah_perisai.services.registration import RegistrationForm, register
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    AccountSetup,
    Actor,
    create_account,
    log_in,
)
from tests.conftest import BACKENDS, _postgres_database, open_fresh

CLI = Actor(label="cli:test")


@dataclass
class PostSide:
    app: App
    code: str
    coordinator: Actor
    stick: Path
    _serials: Any = field(default_factory=lambda: itertools.count(1))

    def register(self, nik: str | None = None, name: str | None = None) -> int:
        n = next(self._serials)
        # A woman born 1 Jan 199x: day 41, month 01, the year's two digits, a serial.
        nik = nik or f"3209144101{90 + n % 9:02d}{n:04d}"
        form = RegistrationForm(
            nik=nik, name=name or f"Peserta {self.code} {n}",
            birth_place="Cirebon", birth_date=date(1990 + n % 9, 1, 1), sex="P",
            street="Jl. Pantura", rt="001", rw="002", desa_code="32.09.14.2001",
            phone="081234567890", occupation="Pedagang", income=1_000_000, with_jht=False,
            heir_name="", heir_relation="", consent=True,
        )  # fmt: skip
        return register(self.app.db, form, self.coordinator).participant_id

    def pay(self, who: int, months: int = 1) -> int:
        plan = payment_options(self.app.db, who).plan(months)
        return take_payment(
            self.app.db, who, months, plan.total, self.coordinator,
            expect_months=[m.month for m in plan.months],
        ).receipt_id  # fmt: skip

    def export(self) -> WrittenBatch:
        return export_batch(self.app.db, self.app.folder, self.stick, CLI)


def make_branch(root: Path, url: str, clock: Any, *, demo: bool = False) -> App:
    folder = DataFolder(root)
    app, _none = open_fresh(folder, url, clock)  # from the suite's migrated template
    init_branch(app.db, folder, "KC-CRB", "BPJS Ketenagakerjaan Cirebon", demo=demo)
    return app


def make_post(root: Path, branch: App, clock: Any, code: str, kabupaten: str = "32.09") -> PostSide:
    folder = DataFolder(root / code)
    setup = PostSetup(code=code, name=f"Rumah Perisai {code}", kabupaten_code=kabupaten)
    app, _summary = open_fresh(folder, folder.sqlite_url, clock, setup)
    create_account(app.db, AccountSetup("Dewi Lestari", "482913"), ROLE_COORDINATOR, None)
    coordinator = log_in(app.db, "Dewi Lestari", "482913")
    branch_file = branch.folder.keys / "branch-public-key.json"
    install_branch_key(app.db, branch_file.read_bytes(), CLI)
    add_post(branch.db, branch.folder, post_key_file_bytes(app.db, folder.keys), CLI)
    stick = root / f"stick-{code}"
    stick.mkdir()
    return PostSide(app, code, coordinator, stick)


def in_arrears() -> CoverHistory:
    start = date(2026, 6, 10)
    return CoverHistory(Standing.MEMBER, start, date(2026, 9, 30), frozenset())


# --- fixtures: a branch on each database, and one post that knows it -----------------------------


@pytest.fixture(params=BACKENDS)
def branch_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        (tmp_path / "branch").mkdir()
        yield DataFolder(tmp_path / "branch").sqlite_url
    else:
        # The branch fixture hands it to make_branch first thing, which copies the template.
        yield from _postgres_database(for_open_fresh="branch" in request.fixturenames)


@pytest.fixture
def branch(tmp_path: Path, branch_url: str, clock: Any) -> Iterator[App]:
    app = make_branch(tmp_path / "branch", branch_url, clock)
    yield app
    app.close()


@pytest.fixture
def post(tmp_path: Path, branch: App, clock: Any) -> Iterator[PostSide]:
    side = make_post(tmp_path, branch, clock, "RP3209A")
    yield side
    side.app.close()


# --- a person's requests about their data (issue 19) -------------------------------------------


def request_at_post(side: PostSide, participant_id: int, kind: str) -> str:
    """A coordinator at the post records a withdrawal or an erasure with the post's own request
    service (``services.requests``), as the window and the command do."""
    from rumah_perisai.services.requests import erase, withdraw_consent

    made_on = side.app.db.clock().date()
    if kind == "erase":
        done = erase(side.app.db, side.app.folder, participant_id, made_on, "in_person",
                     side.coordinator)  # fmt: skip
    else:
        done = withdraw_consent(side.app.db, participant_id, made_on, "in_person",
                                side.coordinator)  # fmt: skip
    return done.key
