"""Shared fixtures: a real data folder, a real database (SQLite always, PostgreSQL when
``DATABASE_URL`` is set), and a clock the tests control."""

from __future__ import annotations

import os

# Before anything imports Qt: the suite runs headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The suite must never read or write the developer's real post.
for _variable in ("RUMAH_PERISAI_HOME", "RUMAH_PERISAI_DB", "RUMAH_PERISAI_LANG"):
    os.environ.pop(_variable, None)

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.i18n import set_language
from rumah_perisai.services.posts import PostSetup, PostSummary, set_up_post

POSTGRES_URL = os.environ.get("DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


class FakeClock:
    """A wall clock the test moves by hand (always aware UTC)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def _indonesian_by_default() -> Iterator[None]:
    set_language("id")
    yield
    set_language("id")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 27, 2, 30, tzinfo=UTC))  # 09:30 WIB


@pytest.fixture
def folder(tmp_path: Path) -> DataFolder:
    return DataFolder(tmp_path / "data")


def _postgres_database() -> Iterator[str]:
    assert POSTGRES_URL is not None
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"rp_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, folder: DataFolder) -> Iterator[str]:
    """An empty database: the data folder's SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        folder.root.mkdir(parents=True, exist_ok=True)
        yield folder.sqlite_url
    else:
        yield from _postgres_database()


@pytest.fixture
def app(folder: DataFolder, database_url: str, clock: FakeClock) -> Iterator[App]:
    opened = open_app(folder, database_url, clock=clock)
    yield opened
    opened.close()


CIREBON_POST = PostSetup(
    code="RP3209A",
    name="Rumah Perisai Suranenggala",
    kabupaten_code="32.09",
    wadah="Koperasi Mitra Nelayan",
)


@pytest.fixture
def post(app: App) -> PostSummary:
    return set_up_post(app.db, app.folder, CIREBON_POST, "cli:test")
