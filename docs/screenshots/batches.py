"""Take the weekly batch page's screenshot in this folder, as a post's laptop shows it: 1366×768
at 125%.

    QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.25 xvfb-run -a -s "-screen 0 1366x768x24" \\
        .venv/bin/python docs/screenshots/batches.py [--english]

A throwaway post is set up under /tmp through the services a post uses (set-up, accounts, the
branch's key, registrations, payments), on a clock that moves through November 2026: batch 1
(6 Nov) and batch 2 (13 Nov) are written to the stick; batch 3 (20 Nov) is saved but the stick
was pulled out before it got its name (never written out); this week's registrations wait for
batch 4. The page opens as the coordinator, with batch 2 checked from the stick.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.keyfiles import branch_key_file, create_branch_keys
from rumah_perisai.i18n import set_language
from rumah_perisai.services.batches import export_batch
from rumah_perisai.services.branch_keys import install_branch_key
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.posts import PostSetup, set_up_post
from rumah_perisai.services.registration import RegistrationForm, register
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    AccountSetup,
    Actor,
    create_account,
    log_in,
)
from rumah_perisai.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parent
NAMES = [
    ("Siti Nur'aini", "P"), ("Dede Sunarya", "L"), ("Muhammad Rizki", "L"),
    ("Euis Komalasari", "P"), ("Ahmad Fauzi", "L"), ("Nining Rohaeni", "P"),
    ("Ujang Suherman", "L"), ("Tati Suryati", "P"), ("Asep Hidayat", "L"),
    ("Yayah Mulyati", "P"), ("Dadang Kurnia", "L"), ("Imas Masitoh", "P"),
]  # fmt: skip


class Clock:
    """The post's clock, moved by hand (aware UTC)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: date, hour: int = 9, minute: int = 30) -> None:
        """``day`` at ``hour``:``minute`` WIB."""
        self.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(
            hours=7
        )


def grab_screen(name: str) -> None:
    QApplication.processEvents()
    QTest.qWait(400)
    QApplication.primaryScreen().grabWindow(0).save(str(OUT / name))
    print(OUT / name)


def _register(app: App, index: int, actor: Actor) -> int:
    name, sex = NAMES[index % len(NAMES)]
    born = date(1980 + index % 20, 1 + index % 12, 1 + index % 27)
    day = born.day + (40 if sex == "P" else 0)  # a woman's NIK adds 40 to her birth day
    nik = f"320914{day:02d}{born:%m%y}{index + 1:04d}"
    form = RegistrationForm(
        nik=nik, name=name, birth_place="Cirebon", birth_date=born, sex=sex,
        street="Blok Kliwon", rt="3", rw="12", desa_code="32.09.14.2001",
        phone="0812 3456 7890", occupation="Nelayan" if sex == "L" else "Pedagang",
        income=1_000_000, with_jht=False, heir_name="Dede Sunarya", heir_relation="Anak",
        consent=True, duplicate_reason="Orang berbeda",
    )  # fmt: skip
    return register(app.db, form, actor).participant_id


def _pay(app: App, who: int, months: int, actor: Actor) -> None:
    plan = payment_options(app.db, who).plan(months)
    take_payment(
        app.db, who, months, plan.total, actor, expect_months=[m.month for m in plan.months]
    )


@contextmanager
def pulled_out(stick: Path) -> Iterator[None]:
    """The stick goes away just as the batch file is given its name (the laptop's disk stays)."""
    real_replace = os.replace

    def replace(source: str, target: str) -> None:
        if Path(target).parent == stick:
            raise OSError(5, "Input/output error")
        real_replace(source, target)

    setattr(os, "replace", replace)  # noqa: B010 (a function cannot be assigned to)
    try:
        yield
    finally:
        setattr(os, "replace", real_replace)  # noqa: B010


def build_post(clock: Clock, work: Path) -> tuple[App, Path]:
    """The post, its batches, and the stick (a folder) holding batches 1 and 2."""
    folder = DataFolder(work / "post")
    folder.root.mkdir(parents=True)
    app = open_app(folder, folder.sqlite_url, clock=clock)
    setup = PostSetup("RP3209A", "Rumah Perisai Suranenggala", "32.09", "Koperasi Mitra Nelayan")
    set_up_post(app.db, app.folder, setup, "cli:screenshots")
    create_account(app.db, AccountSetup("Dewi Lestari", "1357"), ROLE_COORDINATOR, None)
    dewi = log_in(app.db, "Dewi Lestari", "1357")
    create_account(app.db, AccountSetup("Ujang Hidayat", "2468"), ROLE_VOLUNTEER, dewi)
    ujang = log_in(app.db, "Ujang Hidayat", "2468")
    branch = create_branch_keys(
        work / "branch", "KC-CRB", "BPJS Ketenagakerjaan Cirebon", demo=False
    )
    install_branch_key(app.db, branch_key_file(branch.public, branch.signing), dewi)
    stick = work / "media" / "dewi" / "PERISAI-USB"
    stick.mkdir(parents=True)

    people: list[int] = []
    weeks = (date(2026, 11, 6), date(2026, 11, 13), date(2026, 11, 20), date(2026, 11, 27))
    for week, friday in enumerate(weeks):
        clock.set(friday - timedelta(days=3), 10)
        for index in range(week * 3, week * 3 + 3):
            people.append(_register(app, index, ujang))
        clock.set(friday - timedelta(days=1), 11)
        for who in people[-5:-2]:
            _pay(app, who, 1, ujang)
        if week == 3:
            break  # this week's changes wait for batch 4
        clock.set(friday, 15, 30)
        if week < 2:
            export_batch(app.db, app.folder, stick, dewi)
            continue
        # 20 Nov: the stick was pulled out before the file got its name.
        try:
            with pulled_out(stick):
                export_batch(app.db, app.folder, stick, dewi)
        except UserError as error:
            print("batch 3:", error.message())
    clock.set(date(2026, 11, 27), 15, 45)
    return app, stick


def main() -> None:
    if "--english" in sys.argv:
        set_language("en")
    qt_app = QApplication(sys.argv[:1])
    work = Path(tempfile.mkdtemp(prefix="rp-batches-"))
    clock = Clock()
    app, stick = build_post(clock, work)
    try:
        window = MainWindow(app, log_in(app.db, "Dewi Lestari", "1357"))
        window.showMaximized()
        QTest.qWait(200)
        window.open_batches()
        dialog = window.batches_dialog
        dialog.table.selectRow(1)
        dialog.verify(next(stick.glob("*-0002-*.rpb")))
        grab_screen("batches.png")
        dialog.close()
        window.close()
        del qt_app
    finally:
        app.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # skip the interpreter's teardown of Qt objects (it can crash at exit)
