"""Take the branch window's screenshot in this folder, as a branch office's PC shows it: 1366×768
at 125%.

    QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.25 xvfb-run -a -s "-screen 0 1366x768x24" \\
        .venv/bin/python docs/screenshots/branch.py [--english]

A throwaway branch and its posts are made under /tmp through the services they use (branch
init, post set-up, keys exchanged, registrations, payments, batches), on a clock that moves
through November 2026. Post RP3209A sent batches 1 and 2, imported on 16 Nov; its batch 3 stayed
on the post's laptop, so batch 4 is held. Post RP3209B sends its first batch, in which a NIK
already registered at RP3209A is rejected. Post RP3209C is suspended (its laptop was stolen).
The window shows the import of RP3209B's batch 1 and RP3209A's batch 4 from the staff's drive.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from rumah_perisai.app import App, open_app
from rumah_perisai.branch import add_post, import_files, init_branch, set_suspended
from rumah_perisai.config import DataFolder
from rumah_perisai.i18n import set_language
from rumah_perisai.keys.files import BRANCH_PUBLIC_FILE
from rumah_perisai.keys.installed import install_branch_key, post_key_file_bytes
from rumah_perisai.services.batches import export_batch
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.posts import PostSetup, set_up_post
from rumah_perisai.services.registration import RegistrationForm, register
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    AccountSetup,
    Actor,
    create_account,
    log_in,
)
from rumah_perisai.ui.branch import BranchWindow

OUT = Path(__file__).resolve().parent
STAFF = Actor(label="branch:rina.wulandari", name="rina.wulandari")
NAMES = [
    ("Siti Nur'aini", "P"), ("Dede Sunarya", "L"), ("Muhammad Rizki", "L"),
    ("Euis Komalasari", "P"), ("Ahmad Fauzi", "L"), ("Nining Rohaeni", "P"),
    ("Ujang Suherman", "L"), ("Tati Suryati", "P"), ("Asep Hidayat", "L"),
    ("Yayah Mulyati", "P"), ("Dadang Kurnia", "L"), ("Imas Masitoh", "P"),
]  # fmt: skip


class Clock:
    """One clock for the branch and its posts, moved by hand (aware UTC)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: date, hour: int = 9, minute: int = 30) -> None:
        """``day`` at ``hour``:``minute`` WIB."""
        self.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(
            hours=7
        )


class Post:
    """A post's laptop: its database, its coordinator, and where its batches go."""

    def __init__(self, work: Path, branch: App, clock: Clock, setup: PostSetup, desa: str) -> None:
        folder = DataFolder(work / setup.code)
        folder.root.mkdir(parents=True)
        self.app = open_app(folder, folder.sqlite_url, clock=clock)
        self.code = setup.code
        self.desa = desa
        set_up_post(self.app.db, folder, setup, "cli:screenshots")
        create_account(self.app.db, AccountSetup("Dewi Lestari", "482913"), ROLE_COORDINATOR, None)
        self.coordinator = log_in(self.app.db, "Dewi Lestari", "482913")
        branch_file = branch.folder.keys / BRANCH_PUBLIC_FILE
        install_branch_key(self.app.db, branch_file.read_bytes(), self.coordinator)
        key = post_key_file_bytes(self.app.db, folder.keys)
        add_post(branch.db, branch.folder, key, STAFF)
        self.people: list[int] = []

    def register(self, index: int, nik: str | None = None) -> None:
        name, sex = NAMES[index % len(NAMES)]
        born = date(1980 + index % 20, 1 + index % 12, 1 + index % 27)
        day = born.day + (40 if sex == "P" else 0)  # a woman's NIK adds 40 to her birth day
        form = RegistrationForm(
            nik=nik or f"{self.desa[:8].replace('.', '')}{day:02d}{born:%m%y}{index + 1:04d}",
            name=name, birth_place="Cirebon", birth_date=born, sex=sex, street="Blok Kliwon",
            rt="3", rw="12", desa_code=self.desa, phone="0812 3456 7890",
            occupation="Nelayan" if sex == "L" else "Pedagang", income=1_000_000,
            with_jht=False, heir_name="Dede Sunarya", heir_relation="Anak", consent=True,
            duplicate_reason="Orang berbeda",
        )  # fmt: skip
        self.people.append(register(self.app.db, form, self.coordinator).participant_id)

    def pay(self, who: int) -> None:
        plan = payment_options(self.app.db, who).plan(1)
        take_payment(
            self.app.db, who, 1, plan.total, self.coordinator,
            expect_months=[m.month for m in plan.months],
        )  # fmt: skip

    def export(self, stick: Path) -> Path:
        stick.mkdir(parents=True, exist_ok=True)
        return export_batch(self.app.db, self.app.folder, stick, self.coordinator).path


def build_branch(clock: Clock, work: Path) -> tuple[App, list[Path], list[App]]:
    """The branch, its posts, and the files of this Monday's import."""
    folder = DataFolder(work / "branch")
    folder.root.mkdir(parents=True)
    branch = open_app(folder, folder.sqlite_url, clock=clock)
    init_branch(branch.db, folder, "KC-CRB", "BPJS Ketenagakerjaan Cirebon", demo=False)
    a = Post(work, branch, clock, PostSetup("RP3209A", "Rumah Perisai Suranenggala", "32.09",
             "Koperasi Mitra Nelayan"), "32.09.39.2003")  # fmt: skip
    b = Post(work, branch, clock, PostSetup("RP3209B", "Rumah Perisai Gebang", "32.09",
             "Kelompok Tani Sri Mulya"), "32.09.30.2001")  # fmt: skip
    c = Post(work, branch, clock, PostSetup("RP3209C", "Rumah Perisai Kapetakan", "32.09"),
             "32.09.14.2001")  # fmt: skip
    drive = work / "media" / "rina" / "PERISAI-USB"

    fridays = (date(2026, 11, 6), date(2026, 11, 13), date(2026, 11, 20), date(2026, 11, 27))
    for week, friday in enumerate(fridays):
        clock.set(friday - timedelta(days=3), 10)
        for index in range(week * 3, week * 3 + 3):
            a.register(index)
        clock.set(friday - timedelta(days=1), 11)
        for who in a.people[-5:-2]:
            a.pay(who)
        clock.set(friday, 15, 30)
        # Batch 3 stayed on the post's laptop (the stick was forgotten that week).
        a.export(work / "RP3209A-laptop" if week == 2 else drive)
        if week == 1:  # batches 1 and 2 imported on Monday 16 Nov
            clock.set(date(2026, 11, 16), 10)
            import_files(branch.db, folder, sorted(drive.glob("*.rpb")), STAFF)
            for path in drive.iterdir():
                path.unlink()

    clock.set(date(2026, 11, 24), 9)
    for index in range(4):
        b.register(20 + index)
    first_at_a = _nik_of(a.app, a.people[0])
    clock.set(date(2026, 11, 25), 10)
    b.register(0, nik=first_at_a)  # already registered at RP3209A on 3 Nov
    clock.set(date(2026, 11, 27), 14)
    b_batch = b.export(drive)
    set_suspended(branch.db, "RP3209C", "laptop pos dicuri 23 Nov; kunci baru menyusul", STAFF)
    clock.set(date(2026, 11, 30), 9, 15)
    batches = sorted(drive.glob("*.rpb"))
    assert b_batch in batches
    return branch, batches, [a.app, b.app, c.app]


def _nik_of(app: App, participant_id: int) -> str:
    from rumah_perisai.db.models import Participant

    with app.db.reading() as session:
        person = session.get(Participant, participant_id)
        assert person is not None
        return person.nik


def grab_screen(name: str) -> None:
    QApplication.processEvents()
    QTest.qWait(400)
    QApplication.primaryScreen().grabWindow(0).save(str(OUT / name))
    print(OUT / name)


def main() -> None:
    if "--english" in sys.argv:
        set_language("en")
    qt_app = QApplication(sys.argv[:1])
    work = Path(tempfile.mkdtemp(prefix="rp-branch-"))
    clock = Clock()
    branch, batches, posts = build_branch(clock, work)
    try:
        window = BranchWindow(branch, STAFF)
        window.showMaximized()
        QTest.qWait(200)
        window.import_paths(batches)
        window.select_post("RP3209A")
        grab_screen("branch.png")
        window.close()
        del qt_app
    finally:
        branch.close()
        for app in posts:
            app.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # skip the interpreter's teardown of Qt objects (it can crash at exit)
