"""The main window. For now it shows which post this is; the participant list comes next."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from rumah_perisai.app import App
from rumah_perisai.i18n import tr
from rumah_perisai.services.posts import post_summary


class MainWindow(QMainWindow):
    def __init__(self, app: App) -> None:
        super().__init__()
        self._app = app
        self._state = QSettings(str(app.folder.window_state), QSettings.Format.IniFormat)
        self.status_text = QLabel()
        self.status_text.setObjectName("postStatus")
        self.status_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status_text.setWordWrap(True)
        self.status_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.status_text.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.status_text.setFont(font)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.status_text)
        self.setCentralWidget(central)
        self.resize(1000, 640)  # fits 1366x768 at 125% (1093x614 logical) with the taskbar
        self.setMinimumSize(640, 400)
        geometry = self._state.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.refresh()

    def refresh(self) -> None:
        summary = post_summary(self._app.db)
        title = tr("Rumah Perisai")
        if summary is None:
            self.status_text.setText(
                tr(
                    "This data folder holds no post yet.\n\nSet one up with:\n"
                    'rumah-perisai --data-dir "{folder}" init --post-code CODE '
                    "--post-name NAME --kabupaten CODE",
                    folder=str(self._app.folder.root),
                )
            )
        else:
            title = f"{title} — {summary.name} ({summary.code})"
            if summary.is_demo:
                demo = tr("DEMO — training post")
                title = f"{title} — {demo}"
            self.status_text.setText(
                tr(
                    "Post {code} — {name}\n{kabupaten} · time zone {tz}\n"
                    "{participants} registered participants",
                    code=summary.code,
                    name=summary.name,
                    kabupaten=summary.kabupaten_name,
                    tz=summary.timezone,
                    participants=summary.participants,
                )
            )
        self.setWindowTitle(title)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._state.setValue("main/geometry", self.saveGeometry())
        self._state.sync()
        super().closeEvent(event)
