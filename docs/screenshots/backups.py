"""Take the backup and recovery screenshots in this folder (issue 16), as a post's laptop shows
them: 1366×768 at 125%.

    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=1.25 .venv/bin/python docs/screenshots/backups.py \\
        [--english] [--out DIR]

A throwaway post is set up under /tmp through the services a post uses, on a clock standing at
Saturday 5 Dec 2026 16.02 WIB: a dozen registrations, the place off the laptop set to a "stick"
folder, the daily close's backup written there. Then:

* ``recovery-code.png``: the recovery code as the set-up shows it, once;
* ``recovery-sheet.png``: its sheet for the envelope (the PDF, drawn at 100 dpi);
* ``restore.png``: a new laptop's first-run screen restoring that backup, the code half typed;
* ``backup-dialog.png`` and ``banner.png``: the old laptop on Tuesday 8 Dec 10.15, three days
  after its newest backup off the laptop, with File › Backup and recovery… open, then the main
  window's banners alone.

The main window is 1093×592 (1366×740 pixels: the screen less the taskbar); a dialog is drawn
at its own size over the middle of what it opens from, as the screen shows it, so a dialog too
big for the screen, or cut, would show.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.i18n import set_language
from rumah_perisai.printing.recovery_sheet import RecoverySheet, recovery_sheet_pdf
from rumah_perisai.services.backup import after_daily_close, set_off_laptop_target
from rumah_perisai.services.posts import PostSetup, PostSummary, set_up_post
from rumah_perisai.services.registration import RegistrationForm, register
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    AccountSetup,
    Actor,
    create_account,
    log_in,
)
from rumah_perisai.ui.first_run import FirstRunDialog, recovery_code_dialog
from rumah_perisai.ui.main_window import MainWindow
from rumah_perisai.ui.restore_dialog import RestoreDialog

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
        self.now = datetime(2026, 12, 5, 9, 2, tzinfo=UTC)  # Sat 5 Dec 2026 16.02 WIB

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: date, hour: int, minute: int) -> None:
        """``day`` at ``hour``:``minute`` WIB."""
        wib = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
        self.now = wib - timedelta(hours=7)


SCREEN = QSize(1093, 592)  # 1366×740 pixels at 125 %


def grab(name: str, *widgets: QWidget) -> None:
    """``widgets`` drawn each over the middle of the one before, on the screen's size."""
    QApplication.processEvents()
    QTest.qWait(300)
    screen = QImage(SCREEN * 1.25, QImage.Format.Format_RGB32)
    screen.fill(QColor("#3b6e8f"))  # the desktop around a smaller first-run screen
    painter = QPainter(screen)
    for widget in widgets:
        image = widget.grab().toImage()
        image.setDevicePixelRatio(1.0)  # drawn pixel for pixel, as the screen shows it
        if image.width() > screen.width() or image.height() > screen.height():
            print(f"{name}: {widget.objectName()} is larger than the screen", file=sys.stderr)
        left = (screen.width() - image.width()) // 2
        top = (screen.height() - image.height()) // 2
        painter.fillRect(left + 4, top + 4, image.width(), image.height(), QColor(0, 0, 0, 90))
        painter.drawImage(left, top, image)
    painter.end()
    screen.save(str(OUT / name))
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


def build_post(clock: Clock, work: Path) -> tuple[App, PostSummary, Actor, Path]:
    folder = DataFolder(work / "old-laptop")
    app = open_app(folder, folder.sqlite_url, clock=clock)
    setup = PostSetup(
        code="RP3209A",
        name="Rumah Perisai Suranenggala",
        kabupaten_code="32.09",
        wadah="Koperasi Mitra Nelayan",
    )
    summary = set_up_post(app.db, folder, setup, "cli:screenshots")
    create_account(app.db, AccountSetup("Dewi Lestari", "135790"), ROLE_COORDINATOR, None)
    coordinator = log_in(app.db, "Dewi Lestari", "135790")
    for index in range(len(NAMES)):
        register(app.db, _walk_in(index), coordinator)
    stick = work / "E-backup-stick"
    stick.mkdir()
    set_off_laptop_target(app, stick, coordinator)
    after_daily_close(app.db, coordinator.label)  # as the daily close does
    return app, summary, coordinator, stick


def recovery_code(app: App, summary: PostSummary) -> None:
    first = FirstRunDialog(app)  # the set-up just done, behind
    dialog = recovery_code_dialog(app, summary, first)
    first.show()
    dialog.show()
    grab("recovery-code.png", first, dialog)
    dialog.close()
    first.close()


def recovery_sheet(summary: PostSummary, clock: Clock) -> None:
    assert summary.recovery_code is not None
    sheet = RecoverySheet(
        summary.code, summary.name, summary.recovery_code, clock(), summary.timezone
    )
    data = QByteArray(recovery_sheet_pdf(sheet))
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    size = document.pagePointSize(0)
    pixels = QSize(round(size.width() / 72 * 100), round(size.height() / 72 * 100))
    paper = QImage(pixels, QImage.Format.Format_RGB32)
    paper.fill(QColor("white"))
    painter = QPainter(paper)
    painter.drawImage(0, 0, document.render(0, pixels))
    painter.end()
    paper.save(str(OUT / "recovery-sheet.png"))
    print(OUT / "recovery-sheet.png")


def restore(work: Path, stick: Path, summary: PostSummary, clock: Clock) -> None:
    folder = DataFolder(work / "new-laptop")
    app = open_app(folder, folder.sqlite_url, clock=clock)
    try:
        first = FirstRunDialog(app)
        first.show()
        first.open_restore()
        dialog = first.restore_dialog
        assert isinstance(dialog, RestoreDialog)
        dialog.set_file(next(stick.glob("*.rpbackup")))
        assert summary.recovery_code is not None
        QTest.keyClicks(dialog.code, summary.recovery_code[:12])
        grab("restore.png", first, dialog)
        dialog.close()
        first.close()
    finally:
        app.close()


def backups_page(app: App, coordinator: Actor, clock: Clock) -> None:
    clock.set(date(2026, 12, 8), 10, 15)
    window = MainWindow(app, coordinator)
    window.show()
    window.resize(SCREEN)
    QTest.qWait(200)
    window.open_backups()
    grab("backup-dialog.png", window, window.backup_dialog)
    window.backup_dialog.close()
    window.search_box.setFocus()
    grab("banner.png", window)
    window.close()


def main() -> None:
    global OUT
    if "--english" in sys.argv:
        set_language("en")
    if "--out" in sys.argv:
        OUT = Path(sys.argv[sys.argv.index("--out") + 1])
    qt_app = QApplication(sys.argv[:1])
    work = Path(tempfile.mkdtemp(prefix="rp-backups-"))
    # Keys in files under the throwaway folder, as on a computer without a key store (so the
    # banner that says so shows, and nothing lands in the real store of whoever runs this).
    os.environ["RUMAH_PERISAI_KEY_STORE"] = "file"
    os.environ["RUMAH_PERISAI_KEY_DIR"] = str(work / "keys")
    clock = Clock()
    app, summary, coordinator, stick = build_post(clock, work)
    try:
        recovery_code(app, summary)
        recovery_sheet(summary, clock)
        restore(work, stick, summary, clock)
        backups_page(app, coordinator, clock)
        del qt_app
    finally:
        app.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # skip the interpreter's teardown of Qt objects (it can crash at exit)
