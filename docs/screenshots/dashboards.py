"""Take the dashboards' screenshots in this folder, on the 200,000-participant demo post, as a
post's laptop shows them: 1366×768 at 125%.

    QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.25 xvfb-run -a -s "-screen 0 1366x768x24" \\
        .venv/bin/python docs/screenshots/dashboards.py [DEMO_DATA_DIR]

DEMO_DATA_DIR (default ``bench/out/demo200k``) is copied to a temporary folder first: the demo
post is not changed. The window opens as the demo's coordinator, and the screen is grabbed on
each tab once its figures are read.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.services.volunteers import log_in
from rumah_perisai.ui.dashboard_window import DashboardWindow
from rumah_perisai.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parent
ROOT = OUT.parent.parent
SHOTS = ("dashboard-promotion.png", "dashboard-calls.png", "dashboard-dues.png",
         "dashboard-incentives.png")  # fmt: skip


def grab_screen(name: str) -> None:
    QApplication.processEvents()
    QTest.qWait(400)
    QApplication.primaryScreen().grabWindow(0).save(str(OUT / name))
    print(OUT / name)


def settle(window: DashboardWindow, timeout: float = 300.0) -> None:
    """Wait (the window painting meanwhile) until every figure is read."""
    deadline = time.monotonic() + timeout
    QTest.qWait(50)
    while window.loading and time.monotonic() < deadline:
        QTest.qWait(50)


def main(source: Path) -> None:
    work = DataFolder(Path(tempfile.mkdtemp(prefix="rp-dashboards-")) / "post")
    shutil.copytree(source, work.root)
    app = open_app(work, work.sqlite_url)
    try:
        actor = log_in(app.db, "Euis Komalasari", "1357")
        window = MainWindow(app, actor)
        window.showMaximized()
        QTest.qWait(300)
        window.open_dashboards()
        dashboards = window.dashboard_window
        dashboards.showMaximized()
        for index, name in enumerate(SHOTS):
            started = time.monotonic()
            dashboards.tabs.setCurrentIndex(index)
            settle(dashboards)
            print(f"{name}: read in {time.monotonic() - started:.1f} s")
            if index == 1 and dashboards.call_model.rowCount():
                dashboards.call_table.selectRow(0)
            if index == 3 and dashboards.incentive_table.rowCount() > 1:
                dashboards.incentive_table.selectRow(1)
            grab_screen(name)
            if index == 0:  # the same, grouped by week of registration (issue 17, item 10)
                dashboards.by.setCurrentIndex(dashboards.by.findData("week"))
                settle(dashboards)
                grab_screen("dashboard-promotion-weeks.png")
        dashboards.close()
        window.close()
        dashboards.deleteLater()
        window.deleteLater()
        QTest.qWait(100)
    finally:
        app.close()
        shutil.rmtree(work.root.parent, ignore_errors=True)


if __name__ == "__main__":
    QT = QApplication(sys.argv)
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "out" / "demo200k")
    sys.stdout.flush()
    os._exit(0)  # skip the interpreter's teardown of Qt objects (it can crash at exit)
