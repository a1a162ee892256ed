"""Shared fixtures: a real data folder, a real database (SQLite always, PostgreSQL when
``DATABASE_URL`` is set), and a clock the tests control."""

from __future__ import annotations

import os
import shutil
import tempfile

# Before anything imports Qt: the suite runs headless, on the screen a post's laptop gives a
# window — 1366×768 at 125 % is 1093×614 logical pixels, less the taskbar.
_SCREEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "laptop-screen.json")
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN}")
# The suite's files in memory where the machine has a RAM disk (Linux's /dev/shm): the tests
# write thousands of small files, each commit synced, and on a virtual machine's disk a test
# waited for it 1.3–1.5 times its processor time (the same 90 tests in one process: 15–17 s on
# the disk, 11–12 s in memory). What is tested is the same: real SQLite files, real renames and
# syncs, which memory takes at once. PYTEST_DEBUG_TEMPROOT is pytest's own setting for where
# ``tmp_path`` lives; one the developer gives wins. Only a RAM disk with room for a run (a few
# hundred MB at most): a container's /dev/shm is often 64 MB, and a full one would fail tests.
if (
    os.path.isdir("/dev/shm")
    and os.access("/dev/shm", os.W_OK)
    and shutil.disk_usage("/dev/shm").free >= 2 << 30
):
    os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", "/dev/shm")
_TEMP_ROOT = os.environ.get("PYTEST_DEBUG_TEMPROOT")
# The suite must never read or write the developer's real post.
for _variable in ("RUMAH_PERISAI_HOME", "RUMAH_PERISAI_DB", "RUMAH_PERISAI_LANG"):
    os.environ.pop(_variable, None)
# ... nor the developer's key store: database keys go to key files in a folder of the run's own
# (what a computer without an OS key store does; tests of the OS store say so themselves).
os.environ["RUMAH_PERISAI_KEY_STORE"] = "file"
_KEY_DIR = os.environ["RUMAH_PERISAI_KEY_DIR"] = tempfile.mkdtemp(
    prefix="rp-test-keys-", dir=_TEMP_ROOT
)

import inspect
import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db import engine as _engine_module
from rumah_perisai.db.models import CoverPeriod, Participant
from rumah_perisai.db.status import store_summary
from rumah_perisai.db.uow import next_number
from rumah_perisai.domain.coverage import CoverHistory, Standing, summarize
from rumah_perisai.domain.months import add_months, month_end
from rumah_perisai.i18n import set_language
from rumah_perisai.services import volunteers as _volunteers
from rumah_perisai.services.posts import PostSetup, PostSummary, set_up_post, the_post
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    AccountSetup,
    Actor,
    add_account,
    log_in,
)

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


# argon2 at the program's cost takes 0.1–0.6 s a hash on a 2-core machine, and an account fixture
# made and logged in three of them: a third of the suite's time went to hashing PINs. The suite
# hashes at the lowest cost argon2 allows; a stored hash carries its own parameters, so checking
# a PIN runs the same code. Tests marked ``real_pin_hashing`` keep the program's cost (one checks
# that cost itself, tests/services/test_pins.py). Cheap from the start, not only inside a test:
# a demo post made once for a module (``scope="module"``) hashed its accounts at the full cost,
# and each PIN typed into it cost 50–100 ms to check (16 s of the suite's processor time).
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_PROGRAMS_HASHER = _volunteers._hasher
_volunteers._hasher = CHEAP_HASHER


# The same for the recovery code's scrypt (n = 2**15: 0.1–0.2 s a wrap or unwrap, ~100 of them
# in the suite). A wrap carries its own n, which an unwrap checks against the program's list:
# in the suite's own process that list also takes the cheap n, so a template's or an earlier
# test's wrap still opens in a ``real_pin_hashing`` test. A program started as a child process
# knows only its own list: tests that hand a wrap to one are marked ``real_pin_hashing``.
CHEAP_SCRYPT_N = 2**4


@pytest.fixture(autouse=True)
def _cheap_pin_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    from rumah_perisai import vault

    monkeypatch.setattr(vault, "_SCRYPT_N_ALLOWED", {*vault._SCRYPT_N_ALLOWED, CHEAP_SCRYPT_N})
    if request.node.get_closest_marker("real_pin_hashing") is None:
        monkeypatch.setattr(vault, "_SCRYPT", {**vault._SCRYPT, "n": CHEAP_SCRYPT_N})
    else:  # the cheap hasher is the suite's own from its start (above)
        monkeypatch.setattr(_volunteers, "_hasher", _PROGRAMS_HASHER)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 27, 2, 30, tzinfo=UTC))  # 09:30 WIB


@pytest.fixture
def folder(tmp_path: Path) -> DataFolder:
    return DataFolder(tmp_path / "data")


_admin_engine: Any = None
_copy_strategy: str | None = None


def _admin(*statements: str) -> Any:
    """Run ``statements`` one by one outside a transaction, on the worker's one admin engine
    (a new engine and connection a statement cost 10–20 ms more); the last one's first value,
    if it returns rows."""
    global _admin_engine
    assert POSTGRES_URL is not None
    if _admin_engine is None:
        _admin_engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", pool_size=1)
    result = None
    with _admin_engine.connect() as connection:
        for statement in statements:
            result = connection.execute(text(statement))
        return result.scalar() if result is not None and result.returns_rows else None


def _strategy() -> str:
    """How a test's database is copied from its template. PostgreSQL 15's default (WAL_LOG)
    writes every page of the template to the WAL, 0.2–0.4 s a test; copying the files costs a
    tenth of that. Older servers only copy files, and know no STRATEGY word."""
    global _copy_strategy
    if _copy_strategy is None:
        version = int(_admin("SHOW server_version_num"))
        _copy_strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
    return _copy_strategy


def _postgres_url(name: str) -> str:
    assert POSTGRES_URL is not None
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _create_postgres(name: str, template: str = "template1") -> str:
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{_strategy()}')
    return _postgres_url(name)


def _drop_postgres(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _recreate_postgres(name: str, template: str) -> None:
    copy = f'CREATE DATABASE "{name}" TEMPLATE "{template}"{_strategy()}'
    _admin(f'DROP DATABASE "{name}"', copy)


def _postgres_database(*, for_open_fresh: bool = False) -> Iterator[str]:
    """A fresh PostgreSQL database's URL, dropped afterwards. ``for_open_fresh``: the caller
    hands it to ``open_fresh`` (or ``_make_postgres``) before anything else touches it, which
    makes it as a copy of a template — not made empty first only to be dropped and copied
    (0.3 s a test)."""
    name = f"rp_test_{uuid.uuid4().hex[:12]}"
    if for_open_fresh:
        _UNMADE.add(name)
        url = _postgres_url(name)
    else:
        url = _create_postgres(name)
    try:
        yield url
    finally:
        _UNMADE.discard(name)
        _drop_postgres(name)


_UNMADE: set[str] = set()  # databases named for open_fresh and not made yet


def _make_postgres(url: str, template: str = "template1") -> None:
    """The database ``url`` names, as a copy of ``template``: made now if it was left unmade
    for ``open_fresh``, else dropped and made again."""
    name = str(make_url(url).database)
    if name in _UNMADE:
        _UNMADE.discard(name)
        _create_postgres(name, template)
    else:
        _recreate_postgres(name, template)


# PostgreSQL is the branch's database: the tests of the branch, of the database layer and of the
# services whose SQL differs by dialect run on it as well as on SQLite (``DATABASE_URL`` set). The
# windows, printing and the post's other services run on the post's own SQLite only: on
# PostgreSQL they repeated the services' queries at twice the suite's time (issue 21).
_POSTGRES_FOLDERS = ("branch", "db")


def _runs_on_postgres(metafunc: pytest.Metafunc) -> bool:
    if metafunc.definition.get_closest_marker("postgresql") is not None:
        return True
    parts = metafunc.definition.path.relative_to(Path(__file__).parent).parts
    return len(parts) > 1 and parts[0] in _POSTGRES_FOLDERS


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        backends = BACKENDS if _runs_on_postgres(metafunc) else ["sqlite"]
        metafunc.parametrize("database_url", backends, indirect=True)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, folder: DataFolder) -> Iterator[str]:
    """An empty database: the data folder's SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        folder.root.mkdir(parents=True, exist_ok=True)
        yield folder.sqlite_url
    else:
        yield from _postgres_database(for_open_fresh="app" in request.fixturenames)


CIREBON_POST = PostSetup(
    code="RP3209A",
    name="Rumah Perisai Suranenggala",
    kabupaten_code="32.09",
    wadah="Koperasi Mitra Nelayan",
)


@pytest.fixture
def app(
    request: pytest.FixtureRequest, folder: DataFolder, database_url: str, clock: FakeClock
) -> Iterator[App]:
    setup = CIREBON_POST if _post_from_template(request) else None
    opened, made = open_fresh(folder, database_url, clock, setup)
    if made is not None:
        request.node.stash[_TEMPLATE_POST] = made
    yield opened
    opened.close()


# --- templates: the suite migrates a database once, not once a test (issue 21) -----------------
# Alembic's seventeen migrations took 0.7–6 s a test, set_up_post another 0.3–0.6 s. Each worker
# makes a migrated database (and one with a test post set up) once; a test's app starts from a
# copy: the folder's files copied (the same database key, in the worker's own key dir), a
# PostgreSQL database made with ``CREATE DATABASE … TEMPLATE``. What a test sees is what it saw
# before: the same schema, and the same post made at the same clock — a template per moment a
# test's fake clock starts at (the dashboards' tests start in October, most on 27 November).
_COPIED = ("rumah-perisai.sqlite3", "vault.json", "keys")
_TEMPLATE_POST = pytest.StashKey[PostSummary]()


class _Templates:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="rp-test-templates-", dir=_TEMP_ROOT))
        self.made: dict[tuple[str, PostSetup | None, datetime], tuple[DataFolder, str, Any]] = {}

    def _make(
        self, backend: str, setup: PostSetup | None, start: datetime
    ) -> tuple[DataFolder, str, Any]:
        key = (backend, setup, start)
        if key not in self.made:
            folder = DataFolder(self.root / str(len(self.made)))
            folder.root.mkdir(parents=True)
            if backend == "sqlite":
                url = folder.sqlite_url
            else:
                url = _create_postgres(f"rp_tpl_{uuid.uuid4().hex[:12]}")
            made = open_app(folder, url, clock=FakeClock(start))
            summary = None if setup is None else set_up_post(made.db, folder, setup, "cli:test")
            made.close()
            self.made[key] = (folder, url, summary)
        return self.made[key]

    def fill(self, folder: DataFolder, url: str, setup: PostSetup | None, start: datetime) -> Any:
        """Copy the template into the empty ``folder`` (and database ``url``); the post's
        summary as set_up_post gave it, when ``setup`` is given."""
        backend = "sqlite" if url.startswith("sqlite") else "postgresql"
        template, template_url, summary = self._make(backend, setup, start)
        folder.root.mkdir(parents=True, exist_ok=True)
        for name in _COPIED:
            source = template.root / name
            if source.is_dir():
                shutil.copytree(source, folder.root / name)
            elif source.exists():
                shutil.copy2(source, folder.root / name)
        if backend == "postgresql":
            _make_postgres(url, str(make_url(template_url).database))
        return summary

    def drop(self) -> None:
        for _folder, url, _summary in self.made.values():
            if not url.startswith("sqlite"):
                _drop_postgres(str(make_url(url).database))
        shutil.rmtree(self.root, ignore_errors=True)


_templates: _Templates | None = None


def pytest_sessionfinish() -> None:
    if _templates is not None:
        _templates.drop()
    shutil.rmtree(_KEY_DIR, ignore_errors=True)  # this process's own (each worker makes one)
    if _admin_engine is not None:
        _admin_engine.dispose()


def open_fresh(
    folder: DataFolder, url: str, clock: Any, setup: PostSetup | None = None
) -> tuple[App, PostSummary | None]:
    """``open_app`` on a new data folder and an empty database, from the worker's template for
    the clock's start when the test runs on a fake clock with the suite's key store; with the
    post ``setup`` set up (its summary returned) when given."""
    global _templates
    fresh = not folder.root.exists() or not any(folder.root.iterdir())
    usable = (
        fresh
        and isinstance(clock, FakeClock)
        and os.environ.get("RUMAH_PERISAI_KEY_DIR") == _KEY_DIR
    )
    summary = None
    if usable:
        _templates = _templates or _Templates()
        summary = _templates.fill(folder, url, setup, clock.now)
    elif not url.startswith("sqlite") and make_url(url).database in _UNMADE:
        _make_postgres(url)  # empty, for the migrations to fill
    app = open_app(folder, url, clock=clock)
    if setup is not None and summary is None:
        summary = set_up_post(app.db, folder, setup, "cli:test")
    return app, summary


def _post_from_template(request: pytest.FixtureRequest) -> bool:
    """Whether the test's ``post`` is this file's fixture: then its app starts with the post."""
    if "post" not in request.fixturenames:
        return False
    definitions = request._fixturemanager.getfixturedefs("post", request.node)
    if not definitions:
        return False
    return Path(inspect.getfile(definitions[-1].func)) == Path(__file__)


@pytest.fixture
def post(request: pytest.FixtureRequest, app: App) -> PostSummary:
    made = request.node.stash.get(_TEMPLATE_POST, None)  # the app was opened with it set up
    return made if made is not None else set_up_post(app.db, app.folder, CIREBON_POST, "cli:test")


@pytest.fixture
def add_participant(app: App, post: PostSummary) -> Callable[..., int]:
    """Insert a participant of the test post straight into the database; returns its id.

    For tests of lists and queries; registration itself (with its checks) is a service.
    Defaults: a man registered 15 Jan 2026 under the promotion (free cover to 30 Apr 2026).
    """
    counter = itertools.count(1)

    def add(**fields: Any) -> int:
        number = next(counter)
        registered = fields.pop("registered_on", date(2026, 1, 15))
        history = fields.pop(
            "history",
            CoverHistory(
                Standing.MEMBER, registered, month_end(add_months(registered, 3)), frozenset()
            ),
        )
        values: dict[str, Any] = {
            "post_id": 1, "post_code": post.code, "number": number,
            "registration_no": f"{post.code}-{number:06d}", "nik": f"32091401019{number:05d}",
            "name": f"Peserta {number}", "birth_place": "Cirebon", "birth_date": date(1990, 1, 1),
            "sex": "L", "street": "Jl. Pantura", "desa_code": "32.09.14.2001",
            "occupation": "Nelayan", "income": 1_000_000,
            "consent_at": datetime(2026, 1, 15, 2, 0, tzinfo=UTC), "registered_on": registered,
            "registered_at": datetime(2026, 1, 15, 2, 0, tzinfo=UTC),
            "standing": history.standing.value, "membership_start": history.membership_start,
        }  # fmt: skip
        if history.promotion_end is not None:
            values["promotion_code"] = "PERISAI-JKK-JKM-3BLN"
        values.update(fields)
        participant = Participant(**values)
        store_summary(participant, summarize(history))
        with app.db.unit_of_work("cli:test") as session:
            session.add(participant)
            session.flush()
            if history.promotion_end is not None:  # as registration records it
                session.add(
                    CoverPeriod(
                        post_id=1, post_code=post.code, participant_id=participant.id,
                        number=next_number(session, post.code, "cover_period"),
                        kind="promotion", start_date=history.membership_start,
                        end_date=history.promotion_end, programmes="JKK JKM",
                        campaign_code="PERISAI-JKK-JKM-3BLN",
                    )
                )  # fmt: skip
            return participant.id

    return add


def account_made_before_issue_16(app: App, name: str, pin: str, role: str, by: str) -> None:
    """An account as the program made it before the PIN rule of issue 16 (a 4-digit PIN): one
    operation, one create in the audit, as ``create_account`` did then."""
    with app.db.unit_of_work(by) as session:
        account = add_account(session, the_post(session), AccountSetup(name, "482913"), role)
        account.pin_hash = CHEAP_HASHER.hash(pin)  # before the flush: stored as made


@pytest.fixture
def coordinator(app: App, post: PostSummary) -> Actor:
    """The post's first coordinator, logged in (PIN 1357, made before issue 16)."""
    account_made_before_issue_16(
        app, "Dewi Lestari", "1357", ROLE_COORDINATOR, "app:first-coordinator"
    )
    return log_in(app.db, "Dewi Lestari", "1357")


@pytest.fixture
def volunteer(app: App, coordinator: Actor) -> Actor:
    """A volunteer added by the coordinator, logged in (PIN 2468, made before issue 16)."""
    account_made_before_issue_16(app, "Ujang Hidayat", "2468", ROLE_VOLUNTEER, coordinator.label)
    return log_in(app.db, "Ujang Hidayat", "2468")


@pytest.fixture
def read_codes(qapp: Any) -> Callable[[bytes], list[str]]:
    """Render a PDF's pages at 300 dpi (QtPdf, on white paper) and read every QR code and
    Code128 barcode on them with zxing-cpp, as a scanner would. Only the two kinds the program
    prints: looking for every kind of 1D barcode, zxing once read "0459" in a receipt's text."""
    import zxingcpp
    from PIL import Image
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    printed = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.Code128)

    def read(pdf: bytes) -> list[str]:
        data = QByteArray(pdf)
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document = QPdfDocument()
        document.load(buffer)
        texts = []
        for page in range(document.pageCount()):
            size = document.pagePointSize(page)
            pixels = QSize(round(size.width() / 72 * 300), round(size.height() / 72 * 300))
            paper = QImage(pixels, QImage.Format.Format_RGB888)
            paper.fill(QColor("white"))
            painter = QPainter(paper)
            painter.drawImage(0, 0, document.render(page, pixels))
            painter.end()
            raw = bytes(paper.constBits())[: paper.sizeInBytes()]
            image = Image.frombytes(
                "RGB", (paper.width(), paper.height()), raw, "raw", "RGB", paper.bytesPerLine()
            )
            texts += [result.text for result in zxingcpp.read_barcodes(image, formats=printed)]
        return texts

    return read


# --- one compiled-statement cache per worker (issue 21) ------------------------------------------
# SQLAlchemy compiles a statement once per engine and keeps it in the engine's cache, keyed by the
# engine's dialect object. The program opens one engine and runs for hours; the suite opens a new
# one for nearly every test, so every test compiled each of its statements afresh: 20–30 % of a
# test's processor time (profiles of tests/services). The worker's engines of one driver share the
# first such engine's dialect, once it has met its database (its version read, its features set),
# and its cache: what the program does over a long day, not a different SQL. (The program makes
# every engine in ``db.engine.make_engine`` with no option that changes its dialect, so one
# dialect of a driver compiles for all of them.)
_SHARED_COMPILING: dict[tuple[type, str], tuple[Any, Any]] = {}
_make_sqlalchemy_engine = create_engine  # what rumah_perisai.db.engine calls


def _engine_sharing_compiled(*args: Any, **kwargs: Any) -> Any:
    made = _make_sqlalchemy_engine(*args, **kwargs)
    key = (type(made.dialect), made.url.get_backend_name())
    shared = _SHARED_COMPILING.get(key)
    if shared is not None:
        made.dialect, made._compiled_cache = shared
    else:

        def first_met(_dbapi_connection: Any, _record: Any) -> None:
            _SHARED_COMPILING.setdefault(key, (made.dialect, made._compiled_cache))

        event.listen(made, "first_connect", first_met)
    return made


vars(_engine_module)["create_engine"] = _engine_sharing_compiled
