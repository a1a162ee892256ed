"""The main window: the post's participants, found with one search box.

Keyboard first: the search box has focus at start and on Ctrl+F; typing searches after a short
pause, Enter (what a barcode scanner sends) searches at once, Down moves into the list, Esc
clears the box. Everything fits 1366×768 at 125% scaling.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import __version__, formats
from rumah_perisai.app import App
from rumah_perisai.config import LANGUAGES
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.i18n import language, set_language, tr
from rumah_perisai.services.participant_search import ParticipantSearch
from rumah_perisai.services.posts import PostSummary, local_post_id, post_summary
from rumah_perisai.ui.participant_model import COL_NAME, COL_STATUS, ParticipantTableModel

SEARCH_PAUSE_MS = 200  # typing pause before searching; Enter searches at once
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


class MainWindow(QMainWindow):
    language_changed = Signal(str)

    def __init__(self, app: App) -> None:
        super().__init__()
        self._app = app
        summary = post_summary(app.db)
        post_id = local_post_id(app.db)
        if summary is None or post_id is None:
            raise RuntimeError("the main window needs a post; the first-run screen comes first")
        self.summary: PostSummary = summary
        self._state = QSettings(str(app.folder.window_state), QSettings.Format.IniFormat)
        self.model = ParticipantTableModel(app.db, ParticipantSearch(post_id), self.today)
        self._build()
        self._build_menus()
        self.retranslate()
        self._restore_geometry()
        self.search_now()
        self.search_box.setFocus()

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 4)
        self.demo_banner = QLabel()
        self.demo_banner.setObjectName("demoBanner")
        self.demo_banner.setStyleSheet(
            "#demoBanner { background: #ffb300; color: #000; font-weight: bold; padding: 4px 8px; }"
        )
        self.demo_banner.setVisible(self.summary.is_demo)
        layout.addWidget(self.demo_banner)

        bar = QHBoxLayout()
        self.search_label = QLabel()
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setClearButtonEnabled(True)
        self.search_label.setBuddy(self.search_box)
        self.result_count = QLabel()
        self.result_count.setObjectName("resultCount")
        bar.addWidget(self.search_label)
        bar.addWidget(self.search_box, 1)
        bar.addWidget(self.result_count)
        layout.addLayout(bar)

        self.table = QTableView()
        self.table.setObjectName("participantTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((150, 0, 150, 170, 140, 110)):
            if width:
                self.table.setColumnWidth(column, width)
        layout.addWidget(self.table, 1)
        self.setCentralWidget(central)

        self.post_label = QLabel()
        self.statusBar().addPermanentWidget(self.post_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self.search_now)
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_box.returnPressed.connect(self.search_now)
        self.search_box.installEventFilter(self)
        self.setMinimumSize(760, 480)

    def _build_menus(self) -> None:
        self.file_menu = self.menuBar().addMenu("")
        self.find_action = QAction(self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.focus_search)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.find_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.settings_menu = self.menuBar().addMenu("")
        self.language_menu = self.settings_menu.addMenu("")
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code in LANGUAGES:
            action = QAction(LANGUAGE_NAMES[code], self, checkable=True)
            action.setChecked(code == language())
            action.triggered.connect(lambda _checked=False, c=code: self.change_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action

        self.help_menu = self.menuBar().addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)

    def retranslate(self) -> None:
        """Every visible text again, in the current language (also after switching it)."""
        title = tr(
            "Rumah Perisai — {name} ({code})", name=self.summary.name, code=self.summary.code
        )
        if self.summary.is_demo:
            title = tr("{title} — DEMO", title=title)
        self.setWindowTitle(title)
        self.demo_banner.setText(
            tr("DEMO POST for training: the people and payments here are made up.")
        )
        self.search_label.setText(tr("&Search:"))
        self.search_box.setPlaceholderText(
            tr("NIK or its start, name, registration number, KPJ or phone (Ctrl+F)")
        )
        self.post_label.setText(
            tr(
                "Post {code} · {name} · {kabupaten} · {tz}",
                code=self.summary.code,
                name=self.summary.name,
                kabupaten=self.summary.kabupaten_name,
                tz=self.summary.timezone,
            )
        )
        self.file_menu.setTitle(tr("&File"))
        self.find_action.setText(tr("&Find participant"))
        self.quit_action.setText(tr("&Quit"))
        self.settings_menu.setTitle(tr("S&ettings"))
        self.language_menu.setTitle(tr("&Language"))
        self.help_menu.setTitle(tr("&Help"))
        self.about_action.setText(tr("&About Rumah Perisai"))
        self.model.refresh_texts()
        self._show_count(self.model.rowCount())

    # --- behaviour ---------------------------------------------------------------------------
    def today(self) -> date:
        return local_date(self._app.db.clock(), self.summary.timezone)

    def search_now(self) -> None:
        self._search_timer.stop()
        count = self.model.set_query(self.search_box.text())
        self._show_count(count)
        if count:
            self.table.selectRow(0)
            self.table.scrollToTop()

    def _show_count(self, count: int) -> None:
        if self.search_box.text().strip():
            text = tr("{count} found", count=formats.number(count))
        else:
            text = tr("{count} participants", count=formats.number(count))
        self.result_count.setText(text)

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_box and isinstance(event, QKeyEvent):
            if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
                self.table.setFocus()
                return True
            if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
                self.search_box.clear()
                self.search_now()
                return True
        return super().eventFilter(watched, event)

    def change_language(self, code: str) -> None:
        """Switch and remember the language; the window is redrawn at once."""
        self._app.settings.language = code
        self._app.settings.save(self._app.folder)
        set_language(code)
        self.retranslate()
        self.language_changed.emit(code)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            tr("About Rumah Perisai"),
            tr(
                "Rumah Perisai {version}\n\nRegistration, cards, dues and weekly batches for "
                "BPJS Ketenagakerjaan's Perisai village posts.\n\nData folder: {folder}\n"
                "Area codes: idn-area-data (ODbL).",
                version=__version__,
                folder=str(self._app.folder.root),
            ),
        )

    # --- window state ------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self._state.value("main/geometry")
        if geometry is not None and self.restoreGeometry(geometry):
            return
        screen = self.screen().availableGeometry()
        width = min(1200, int(screen.width() * 0.95))
        height = min(760, int(screen.height() * 0.92))
        self.resize(width, height)
        self.move(screen.center().x() - width // 2, screen.center().y() - height // 2)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._state.setValue("main/geometry", self.saveGeometry())
        self._state.sync()
        super().closeEvent(event)


__all__ = ["COL_STATUS", "MainWindow"]
