"""Operations: every change a window makes, in one shape (as Anki's ``CollectionOp``).

A slot that changes data hands the service call to an operation instead of calling it in a
try block of its own::

    done = run_op(self, lambda: pay(db, folder, actor, plan), success=self._show_receipt)

* the work runs on the GUI thread (``run_op``: quick ones, a few database statements) or on a
  worker thread behind a progress dialog with Cancel (``run_op_in_background``: anything that
  may take seconds; the work gets a ``Progress``);
* success calls ``success(value)``: what the window that acted shows next (the receipt after a
  payment). Other views are not refreshed by hand: the unit of work announces what changed and
  they listen (``ui.changes``);
* a refusal (``UserError`` and the rest of ``errors.as_refusal``) is shown in its one line over
  ``parent`` (``ui.refusals.refusing``), then ``failure(error)`` if given; nothing was changed.
  A bug is not caught: it reaches the crash hook (``show_failure``);
* ``retry=``: a busy database (another window or program saving) is no one's fault and nothing
  was changed, so its box offers "Try again", which calls ``retry`` (``ui.busy``; the box never
  blocks); other refusals are shown in the same box with OK;
* ``boxed=False``: no box at all; ``failure`` says the refusal in place (the line under a
  field or under the form), as the registration form, the void and the day's close do.

The returned ``Outcome`` says which it was (and holds the box shown when ``wait=False``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from PySide6.QtWidgets import QMessageBox, QWidget

from rumah_perisai.errors import UserError
from rumah_perisai.tasks import Progress
from rumah_perisai.ui.refusals import refusing
from rumah_perisai.ui.tasks import run_with_progress

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """How an operation ended: done (``value``), refused (``refusal``) or cancelled."""

    value: T | None = None
    done: bool = False
    refusal: UserError | None = None
    cancelled: bool = False
    box: QMessageBox | None = None  # the refusal's box, when shown without waiting

    def __bool__(self) -> bool:
        return self.done


def run_op(
    parent: QWidget,
    work: Callable[[], T],
    *,
    success: Callable[[T], object] | None = None,
    failure: Callable[[UserError], object] | None = None,
    title: str | None = None,
    wait: bool = True,
    retry: Callable[[], object] | None = None,
    boxed: bool = True,
) -> Outcome[T]:
    """Run ``work`` now, on the GUI thread; report its success or refusal in one place."""
    outcome: Outcome[T] = Outcome()
    with refusing(parent, title, wait=wait, retry=retry, boxed=boxed) as refused:
        outcome.value = work()
        outcome.done = True
    return _report(outcome, refused.error, refused.box, success, failure)


def run_op_in_background(
    parent: QWidget,
    label: str,
    work: Callable[[Progress], T],
    *,
    success: Callable[[T], object] | None = None,
    failure: Callable[[UserError], object] | None = None,
    title: str | None = None,
    cancellable: bool = True,
    wait: bool = True,
    retry: Callable[[], object] | None = None,
    boxed: bool = True,
) -> Outcome[T]:
    """Run ``work`` on a worker thread behind a progress dialog (``label``, Cancel); report its
    success, refusal or cancelling here, on the GUI thread."""
    result = run_with_progress(parent, label, work, cancellable=cancellable)
    outcome: Outcome[T] = Outcome(cancelled=result.cancelled)
    with refusing(parent, title, wait=wait, retry=retry, boxed=boxed) as refused:
        if result.error is not None:
            raise result.error
        if not result.cancelled:
            outcome.value = result.value
            outcome.done = True
    return _report(outcome, refused.error, refused.box, success, failure)


def _report(
    outcome: Outcome[T],
    refusal: UserError | None,
    box: QMessageBox | None,
    success: Callable[[T], object] | None,
    failure: Callable[[UserError], object] | None,
) -> Outcome[T]:
    outcome.refusal, outcome.box = refusal, box
    if refusal is not None:
        if failure is not None:
            failure(refusal)
    elif outcome.done and success is not None:
        success(cast(T, outcome.value))  # done: the work's own value, None included
    return outcome
