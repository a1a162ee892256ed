"""F1 anywhere: the offline help, opened at the page of the window in front.

Each window names its page with ``setProperty("help_topic", "<page>")``; the pages are Markdown
files under ``resources/help/<language>/`` (Indonesian always; another language falls back to
it). The help window lists the pages on the left (arrow keys move, Enter shows) and shows one on
the right; Esc closes it. Nothing needs the internet or a mouse.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from rumah_perisai.i18n import language, tr
from rumah_perisai.resources import resource_path

HELP_PROPERTY = "help_topic"
START_TOPIC = "main"


def help_folder() -> Path:
    chosen = resource_path("help", language())
    return chosen if chosen.is_dir() else resource_path("help", "id")


def topics() -> list[tuple[str, str]]:
    """(topic, title) of every page, in the order of ``index.txt`` (``topic = title`` lines)."""
    pages = []
    for line in (help_folder() / "index.txt").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            topic, title = (part.strip() for part in line.split("=", 1))
            pages.append((topic, title))
    return pages


def page_text(topic: str) -> str:
    path = help_folder() / f"{topic}.md"
    if not path.is_file():
        path = help_folder() / f"{START_TOPIC}.md"
    return path.read_text(encoding="utf-8")


def topic_of(widget: QWidget | None) -> str:
    """The help page of ``widget``'s window, or of the nearest window beneath it that has one."""
    while widget is not None:
        topic = widget.property(HELP_PROPERTY)
        if isinstance(topic, str) and topic:
            return topic
        widget = widget.parentWidget()
    return START_TOPIC


class HelpWindow(QDialog):
    """Pages on the left, one page on the right."""

    def __init__(self, topic: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Help — Rumah Perisai"))
        self.setProperty(HELP_PROPERTY, "help")
        self._topics = topics()
        self.pages = QListWidget()
        self.pages.setObjectName("helpPages")
        for _topic, title in self._topics:
            self.pages.addItem(title)
        self.pages.setMaximumWidth(260)
        pages_label = QLabel(tr("&Pages:"))
        pages_label.setBuddy(self.pages)
        self.text = QTextBrowser()
        self.text.setObjectName("helpText")
        self.text.setOpenLinks(False)
        self.text.anchorClicked.connect(lambda url: self.show_topic(url.toString()))
        text_label = QLabel(tr("&Text:"))
        text_label.setBuddy(self.text)
        close = QPushButton(tr("&Close help"))
        close.clicked.connect(self.accept)
        close.setAutoDefault(False)

        left = QVBoxLayout()
        left.addWidget(pages_label)
        left.addWidget(self.pages, 1)
        right = QVBoxLayout()
        right.addWidget(text_label)
        right.addWidget(self.text, 1)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addLayout(right, 1)
        foot = QHBoxLayout()
        foot.addWidget(QLabel(tr("Arrow keys choose a page; Esc closes the help.")), 1)
        foot.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(foot)
        self.pages.currentRowChanged.connect(self._show_row)
        self.resize(900, 540)
        self.show_topic(topic)
        self.pages.setFocus()

    def show_topic(self, topic: str) -> None:
        names = [name for name, _title in self._topics]
        row = names.index(topic) if topic in names else names.index(START_TOPIC)
        self.pages.setCurrentRow(row)
        self._show_row(row)

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self._topics):
            self.text.setMarkdown(page_text(self._topics[row][0]))
            self.current_topic = self._topics[row][0]


class HelpKey(QObject):
    """F1 in any window of the program opens the help at that window's page."""

    def __init__(self) -> None:
        super().__init__()
        self.window: HelpWindow | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_F1
            and not event.modifiers()
        ):
            event.accept()  # F1 is ours, not a shortcut of the window
            return False
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() != Qt.Key.Key_F1 or event.modifiers():
            return False
        # The key goes to the widget with the keyboard focus: its window names the page.
        target = watched if isinstance(watched, QWidget) else QApplication.focusWidget()
        front = target.window() if target is not None else QApplication.activeWindow()
        self.open_help(topic_of(target or front), front)
        return True

    def open_help(self, topic: str, parent: QWidget | None = None) -> HelpWindow:
        if self.window is not None and not isValid(self.window):
            self.window = None  # closed with the window it belonged to
        if self.window is not None and self.window.isVisible():
            self.window.show_topic(topic)
        else:
            self.window = HelpWindow(topic, parent)
            self.window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.window.destroyed.connect(self._forget)
            self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        return self.window

    def _forget(self) -> None:
        self.window = None


_help_key: list[HelpKey] = []


def install_help() -> HelpKey:
    """Once per application: F1 everywhere."""
    if not _help_key:
        key = HelpKey()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(key)
        _help_key.append(key)
    return _help_key[0]


def open_help(topic: str, parent: QWidget | None = None) -> HelpWindow:
    """The help at ``topic`` (the Help menu's entry)."""
    return install_help().open_help(topic, parent)
