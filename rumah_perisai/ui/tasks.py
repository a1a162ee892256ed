"""Running long work off the GUI thread, with a progress dialog and a Cancel button.

The work is a plain core function taking a ``Progress`` (``rumah_perisai.tasks``); it runs on a
worker thread, reports through a Qt signal (delivered on the GUI thread), and is stopped by
``Cancelled`` raised from its next ``step`` once the user presses Cancel. The window stays
responsive throughout; its own unit of work rolls everything back on cancel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from rumah_perisai.i18n import tr
from rumah_perisai.tasks import Cancelled

T = TypeVar("T")


class QtProgress(QObject):
    """A ``Progress`` for a worker thread: reports by signal, cancelled from the GUI thread."""

    progressed = Signal(int, int, str)

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def step(self, done: int, total: int, text: str = "") -> None:
        self.progressed.emit(done, total, text)
        if self._cancel.is_set():
            raise Cancelled()


@dataclass
class TaskResult(Generic[T]):
    value: T | None = None
    error: BaseException | None = None
    cancelled: bool = False


class _Finished(QObject):
    done = Signal()


def run_with_progress(
    parent: QWidget | None,
    title: str,
    work: Callable[[QtProgress], T],
    *,
    cancellable: bool = True,
) -> TaskResult[T]:
    """Run ``work`` on a worker thread behind a modal progress dialog; wait for it to end.

    Returns the value, or the error it raised (``Cancelled`` becomes ``cancelled=True``). The
    GUI keeps painting meanwhile: a local event loop runs until the worker is done. Work that
    cannot stop part-way (``cancellable=False``) shows no Cancel button that would do nothing.
    """
    progress = QtProgress()
    result: TaskResult[T] = TaskResult()
    finished = _Finished()
    dialog = QProgressDialog(title, tr("Cancel") if cancellable else "", 0, 0, parent)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def on_progress(done: int, total: int, text: str) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        if text:
            dialog.setLabelText(text)

    progress.progressed.connect(on_progress, Qt.ConnectionType.QueuedConnection)
    dialog.canceled.connect(progress.cancel)

    def run() -> None:
        try:
            result.value = work(progress)
        except Cancelled:
            result.cancelled = True
        except BaseException as error:  # handed back to the GUI thread, which decides
            result.error = error
        finally:
            finished.done.emit()

    loop = QEventLoop()
    finished.done.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
    worker = threading.Thread(target=run, name=f"task: {title}", daemon=True)
    worker.start()
    loop.exec()
    worker.join()
    dialog.close()
    return result
