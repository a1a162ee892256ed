"""Long work as plain functions that report progress and stop when asked.

A long operation (demo data, batch export, card sheets) takes a ``Progress`` and calls
``progress.step(done, total, text)`` now and then; ``step`` raises ``Cancelled`` once the user
asked to stop, so the operation's unit of work rolls back and nothing half-done is kept. The UI
passes one that drives a progress dialog from a worker thread; the command line and the tests
pass their own (Orange3's ``run(data, state)`` pattern).
"""

from __future__ import annotations

import threading
from typing import Protocol


class Cancelled(Exception):
    """The user stopped the operation; whatever it did is rolled back."""


class Progress(Protocol):
    def step(self, done: int, total: int, text: str = "") -> None:
        """Report progress; raises ``Cancelled`` if the user asked to stop."""


class SilentProgress:
    """Reports nowhere; can still be cancelled from another thread."""

    def __init__(self) -> None:
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def step(self, done: int, total: int, text: str = "") -> None:
        if self._cancel.is_set():
            raise Cancelled()
