"""Take the weekly batch page's screenshot in this folder, as a post's laptop shows it: 1366×768
at 125%.

    QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.25 xvfb-run -a -s "-screen 0 1366x768x24" \\
        .venv/bin/python docs/screenshots/batches.py [--english]

A throwaway post is set up under /tmp through the services a post uses (set-up, accounts, the
branch's key, registrations, payments), on a clock that moves through November 2026, beside a
throwaway branch and another post of it: batch 1 (6 Nov) and batch 2 (13 Nov) are written to
the stick; batch 3 (20 Nov) is saved but the stick was pulled out before it got its name (never
written out); this week's registrations wait for batch 4. The stick went to the branch, which
imported batches 1 and 2 and wrote their acknowledgements beside them; the other post had
registered Siti Nur'aini's NIK first, so the branch rejected her registration here — after she
paid. The page opens as the coordinator, who has just taken in batch 1's acknowledgement: it
is green, the rejection is said, a refund is due, and batch 2's acknowledgement is offered.
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
from sqlalchemy import select

from rumah_perisai.app import App, open_app
from rumah_perisai.branch import add_post, import_batch, init_branch
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Participant
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import ack_file_name
from rumah_perisai.i18n import set_language
from rumah_perisai.keys.installed import install_branch_key, post_key_file_bytes
from rumah_perisai.services.batches import batches, export_batch
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
CLI = Actor(label="cli:screenshots")
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


def _walk_in(index: int) -> RegistrationForm:
    name, sex = NAMES[index % len(NAMES)]
    born = date(1980 + index % 20, 1 + index % 12, 1 + index % 27)
    day = born.day + (40 if sex == "P" else 0)  # a woman's NIK adds 40 to her birth day
    nik = f"320914{day:02d}{born:%m%y}{index + 1:04d}"
    return RegistrationForm(
        nik=nik, name=name, birth_place="Cirebon", birth_date=born, sex=sex,
        street="Blok Kliwon", rt="3", rw="12", desa_code="32.09.14.2001",
        phone="0812 3456 7890", occupation="Nelayan" if sex == "L" else "Pedagang",
        income=1_000_000, with_jht=False, heir_name="Dede Sunarya", heir_relation="Anak",
        consent=True, duplicate_reason="Orang berbeda",
    )  # fmt: skip


def _register(app: App, index: int, actor: Actor) -> int:
    return register(app.db, _walk_in(index), actor).participant_id


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


def _open_post(clock: Clock, work: Path, branch: App, setup: PostSetup) -> tuple[App, Actor]:
    """A post set up, its first coordinator logged in, linked with the branch both ways."""
    folder = DataFolder(work / setup.code)
    folder.root.mkdir(parents=True)
    app = open_app(folder, folder.sqlite_url, clock=clock)
    set_up_post(app.db, app.folder, setup, "cli:screenshots")
    create_account(app.db, AccountSetup("Dewi Lestari", "482913"), ROLE_COORDINATOR, None)
    coordinator = log_in(app.db, "Dewi Lestari", "482913")
    branch_file = branch.folder.keys / "branch-public-key.json"
    install_branch_key(app.db, branch_file.read_bytes(), coordinator)
    add_post(branch.db, branch.folder, post_key_file_bytes(app.db, folder.keys), CLI)
    return app, coordinator


def build_branch(clock: Clock, work: Path) -> App:
    folder = DataFolder(work / "branch")
    folder.root.mkdir(parents=True)
    branch = open_app(folder, folder.sqlite_url, clock=clock)
    init_branch(branch.db, folder, "KC-CRB", "BPJS Ketenagakerjaan Cirebon", demo=False)
    return branch


def other_post_first(clock: Clock, work: Path, branch: App) -> None:
    """Another post of the branch registers Siti Nur'aini (walk-in 0) on 2 Nov, a day before this
    post does, and its batch reaches the branch first. (She pays here on 5 Nov, in batch 1, and
    no later batch carries her record: the branch cannot yet import a re-sent record of a
    registration it rejected.)"""
    clock.set(date(2026, 11, 2), 10)
    setup = PostSetup("RP3209B", "Rumah Perisai Kertasura", "32.09", "BUMDes Kertasura")
    other, coordinator = _open_post(clock, work, branch, setup)
    try:
        register(other.db, _walk_in(0), coordinator)
        stick = work / "media" / "RP3209B"
        stick.mkdir(parents=True)
        written = export_batch(other.db, other.folder, stick, coordinator)
        import_batch(branch.db, branch.folder, written.path, CLI)
    finally:
        other.close()


def give_kpj(branch: App, registration_nos: list[str]) -> None:
    """The branch's KPJ numbers (BPJS's own system gives them; here, made up)."""
    with branch.db.unit_of_work("cli:screenshots") as session:
        for index, number in enumerate(registration_nos):
            person = session.scalars(
                select(Participant).where(Participant.registration_no == number)
            ).one()
            person.kpj = f"2611{index + 1:07d}"


def build_post(clock: Clock, work: Path, branch: App) -> tuple[App, Path]:
    """The post, its batches, and the stick (a folder) holding batches 1 and 2."""
    setup = PostSetup("RP3209A", "Rumah Perisai Suranenggala", "32.09", "Koperasi Mitra Nelayan")
    app, dewi = _open_post(clock, work, branch, setup)
    create_account(app.db, AccountSetup("Ujang Hidayat", "246813"), ROLE_VOLUNTEER, dewi)
    ujang = log_in(app.db, "Ujang Hidayat", "246813")
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
    # The stick went to the branch and came back: batches 1 and 2 imported, each acknowledged;
    # in between, the branch gave batch 1's other two walk-ins their KPJ numbers.
    clock.set(date(2026, 11, 24), 10)
    first, second = sorted(batches(app.db), key=lambda row: row.seq)[:2]
    import_batch(branch.db, branch.folder, stick / first.file_name, CLI)
    give_kpj(branch, ["RP3209A-000002", "RP3209A-000003"])
    import_batch(branch.db, branch.folder, stick / first.file_name, CLI)  # its ACK again
    import_batch(branch.db, branch.folder, stick / second.file_name, CLI)
    clock.set(date(2026, 11, 27), 15, 45)
    return app, stick


def main() -> None:
    if "--english" in sys.argv:
        set_language("en")
    qt_app = QApplication(sys.argv[:1])
    work = Path(tempfile.mkdtemp(prefix="rp-batches-"))
    clock = Clock()
    branch = build_branch(clock, work)
    other_post_first(clock, work, branch)
    app, stick = build_post(clock, work, branch)
    try:
        window = MainWindow(app, log_in(app.db, "Dewi Lestari", "482913"))
        window.showMaximized()
        QTest.qWait(200)
        window.open_batches()
        dialog = window.batches_dialog
        first = next(info for info in dialog.rows if info.seq == 1)
        dialog.take_ack_file(stick / ack_file_name(first.file_name))  # as "Take in…" does
        dialog.table.selectRow(1)  # batch 2, whose acknowledgement is offered above
        grab_screen("batches.png")
        dialog.close()
        window.close()
        del qt_app
    finally:
        app.close()
        branch.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # skip the interpreter's teardown of Qt objects (it can crash at exit)
