"""Take the screenshots in this folder, as a post's laptop shows them: 1366×768 at 125%.

    QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.25 xvfb-run -a -s "-screen 0 1366x768x24" \
        .venv/bin/python docs/screenshots/take.py DEMO_DATA_DIR

DEMO_DATA_DIR holds a demo post (``rumah-perisai --data-dir DIR demo --participants 200000``).
The whole screen is grabbed, so what does not fit 1366×768 would show cut off.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.services.volunteers import Actor, log_in
from rumah_perisai.ui.first_run import FirstRunDialog
from rumah_perisai.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parent


def grab_screen(name: str) -> None:
    QApplication.processEvents()
    QTest.qWait(300)
    screen = QApplication.primaryScreen()
    screen.grabWindow(0).save(str(OUT / name))
    print(OUT / name)


def first_run() -> None:
    folder = DataFolder(Path(tempfile.mkdtemp()) / "new-post")
    app = open_app(folder, folder.sqlite_url)
    dialog = FirstRunDialog(app)
    dialog.show()
    QTest.keyClicks(dialog.code, "RP3209A")
    QTest.keyClicks(dialog.name, "Rumah Perisai Suranenggala")
    dialog.kabupaten.setFocus()
    QTest.keyClicks(dialog.kabupaten, "cire")
    grab_screen("first-run.png")
    dialog.close()
    app.close()


def registration(data_dir: str) -> None:
    """The form empty, with errors, filled; then the participant view of the saved walk-in."""
    import shutil

    work = DataFolder(Path(tempfile.mkdtemp()) / "post")
    shutil.copytree(data_dir, work.root)  # the demo post is not changed
    app = open_app(work, work.sqlite_url)
    actor = log_in(app.db, "Asep Saepudin", "2468")
    window = MainWindow(app, actor)
    window.showMaximized()
    window.register_walk_in()
    form = window.registration_dialog
    grab_screen("registration-empty.png")
    QTest.keyClicks(form.nik, "32091452039")
    QTest.keyClicks(form.phone, "021-555-1234")
    form.save()
    grab_screen("registration-errors.png")
    form.nik.setText("3209145203900001")
    form.name.setText("Siti Nur'aini")
    form.birth_place.setText("Cirebon")
    form.street.setText("Blok Kliwon")
    form.rt.setText("3")
    form.rw.setText("12")
    form.desa.setText("Sampiran")
    form.phone.setText("0812 3456 7890")
    form.occupation.setCurrentText("Pedagang")
    form.heir_name.setText("Dede Sunarya")
    form.heir_relation.setCurrentText("Suami")
    form.consent.setChecked(True)
    form.check_duplicates()
    grab_screen("registration-filled.png")
    form.confirm_reason.setText("Orang berbeda: NIK dan ibu kandung lain")
    form.save()
    grab_screen("participant-view.png")
    window.print_card(window.participant_dialog.detail.id)
    grab_screen("card-preview.png")
    window.card_dialog.close()
    window.participant_dialog.close()
    window.close()
    app.close()
    shutil.rmtree(work.root.parent)


def main_window(data_dir: str) -> None:
    folder = DataFolder(Path(data_dir))
    app = open_app(folder, folder.sqlite_url)
    window = MainWindow(
        app, Actor(label="volunteer:bench", role="coordinator", name="Euis Komalasari")
    )
    window.showMaximized()
    grab_screen("main-window-200k.png")
    QTest.keyClicks(window.search_box, "siti nur")
    QTest.keyClick(window.search_box, Qt.Key.Key_Return)
    grab_screen("main-window-search.png")
    window.close()
    app.close()


if __name__ == "__main__":
    qt_app = QApplication(sys.argv[:1])
    first_run()
    main_window(sys.argv[1])
    registration(sys.argv[1])
