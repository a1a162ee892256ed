"""The one bridge from the core's change notices (``rumah_perisai.changes``) to Qt.

``notices()`` is the window's single subscriber to the core: its ``changed`` signal carries the
frozenset of topics of each announcement, always on the GUI thread. An announcement made on the
GUI thread (an operation run in a slot) is delivered at once, before the slot goes on, as the
hand-wired refreshes were; one from a worker thread (a batch written behind a progress dialog)
is queued to the GUI thread, and a burst of them arrives as one notice.

Views do not subscribe to the core themselves: they ``listen(widget, topics, refresh)``, which
refreshes a visible widget at once and a hidden one when it is next shown (a closed dialog kept
by its parent costs nothing per notice).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QWidget

from rumah_perisai import changes


class ChangeNotices(QObject):
    """The core's announcements as a signal on the GUI thread."""

    changed = Signal(object)  # frozenset[str] of topics
    _queued = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._queued.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = changes.subscribe(self._heard)
        self.destroyed.connect(self._unsubscribe)

    def _heard(self, topics: frozenset[str]) -> None:
        """Called on the committing thread."""
        if QThread.currentThread() == self.thread():
            self.changed.emit(topics)
            return
        with self._lock:
            first = not self._pending
            self._pending |= topics
        if first:  # later ones in the burst join the notice already on its way
            self._queued.emit()

    def _deliver(self) -> None:
        with self._lock:
            topics = frozenset(self._pending)
            self._pending.clear()
        if topics:
            self.changed.emit(topics)


_bridge: list[ChangeNotices] = []


def notices() -> ChangeNotices:
    """The bridge, made on first use (on the GUI thread) and kept as long as the application."""
    if not _bridge:
        bridge = ChangeNotices()
        application = QCoreApplication.instance()
        if application is not None:
            bridge.moveToThread(application.thread())
        _bridge.append(bridge)
    return _bridge[0]


class _Listener(QObject):
    """Refreshes its widget on a notice of one of ``topics``; a hidden widget once shown."""

    def __init__(self, widget: QWidget, topics: frozenset[str], refresh: Callable[[], None]):
        super().__init__(widget)
        self._widget = widget
        self._topics = topics
        self._refresh = refresh
        self.stale = False
        widget.installEventFilter(self)
        notices().changed.connect(self._changed)

    def _changed(self, topics: frozenset[str]) -> None:
        if not topics & self._topics:
            return
        if self._widget.isVisible():
            self.stale = False
            self._refresh()
        else:
            self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The event's type first: this runs for every event of the widget, including those of
        # its destruction, when a widget collected by Python's cycle collector may already
        # have had this listener's attributes cleared.
        if (
            event.type() == QEvent.Type.Show
            and watched is getattr(self, "_widget", None)
            and getattr(self, "stale", False)
        ):
            self.stale = False
            self._refresh()
        return False


def listen(widget: QWidget, topics: Iterable[str], refresh: Callable[[], None]) -> QObject:
    """Call ``refresh`` when data of ``topics`` changes: at once while ``widget`` is shown,
    else when it is shown next. The listener lives and dies with the widget."""
    chosen = frozenset(topics)
    unknown = chosen - changes.TOPICS
    if unknown:
        raise ValueError(f"unknown change topics: {sorted(unknown)}")
    return _Listener(widget, chosen, refresh)
