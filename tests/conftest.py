"""Shared fixtures: a real data folder, a real database (SQLite always, PostgreSQL when
``DATABASE_URL`` is set), and a clock the tests control."""

from __future__ import annotations

import os

# Before anything imports Qt: the suite runs headless, on the screen a post's laptop gives a
# window — 1366×768 at 125 % is 1093×614 logical pixels, less the taskbar.
_SCREEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "laptop-screen.json")
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN}")
# The suite must never read or write the developer's real post.
for _variable in ("RUMAH_PERISAI_HOME", "RUMAH_PERISAI_DB", "RUMAH_PERISAI_LANG"):
    os.environ.pop(_variable, None)
# ... nor the developer's key store: database keys go to key files in a folder of the run's own
# (what a computer without an OS key store does; tests of the OS store say so themselves).
import tempfile

os.environ["RUMAH_PERISAI_KEY_STORE"] = "file"
os.environ["RUMAH_PERISAI_KEY_DIR"] = tempfile.mkdtemp(prefix="rp-test-keys-")

import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import CoverPeriod, Participant
from rumah_perisai.db.status import store_summary
from rumah_perisai.db.uow import next_number
from rumah_perisai.domain.coverage import CoverHistory, Standing, summarize
from rumah_perisai.domain.months import add_months, month_end
from rumah_perisai.i18n import set_language
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
        account.pin_hash = PasswordHasher().hash(pin)  # before the flush: stored as made


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
