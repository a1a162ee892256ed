"""Take the main window and participant view screenshots without a display server.

    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=1.25 \\
        .venv/bin/python docs/screenshots/main_window.py DEMO_DATA_DIR

Issue 17: each window is grabbed at most 1093×592 logical pixels (1366×768 at 125 % minus the
taskbar), widget by widget (``take.py`` grabs a whole X screen, which needs xcb). DEMO_DATA_DIR
holds a demo post (``rumah-perisai --data-dir DIR demo --participants 200000``); it is copied
first, so the demo post is not changed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parent


def grab(widget: QWidget, name: str) -> None:
    QTest.qWait(300)
    widget.grab().save(str(OUT / name))
    print(OUT / name)


def main(data_dir: str) -> None:
    work = Path(tempfile.mkdtemp()) / "post"
    shutil.copytree(data_dir, work)
    folder = DataFolder(work)
    app = open_app(folder, folder.sqlite_url)
    window = MainWindow(
        app, Actor(label="volunteer:bench", role="coordinator", name="Euis Komalasari")
    )
    window.resize(1093, 592)
    window.show()
    grab(window, "main-window-200k.png")
    QTest.keyClicks(window.search_box, "siti nur")
    QTest.keyClick(window.search_box, Qt.Key.Key_Return)
    grab(window, "main-window-search.png")
    window.search_box.clear()
    window.search_now()
    window.open_participant(window.model.participant_id(0))  # the newest walk-in
    grab(window.participant_dialog, "participant-view.png")
    window.participant_dialog.close()
    window.scan_card("RPK1" + "A" * 140)  # a damaged or altered card: the banner stays
    if window.card_warning is not None:
        window.card_warning.hide()
    grab(window, "main-window-card-warning.png")
    window.close()
    app.close()
    shutil.rmtree(work.parent)


if __name__ == "__main__":
    qt_app = QApplication(sys.argv[:1])
    main(sys.argv[1])
