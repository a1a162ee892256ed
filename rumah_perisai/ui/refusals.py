"""The window's side of the one error path (``rumah_perisai.errors`` sorts every exception).

* ``install_crash_hook(log_file, database_url)`` — once, at start: whatever escapes a slot
  reaches ``show_failure``.
* ``show_failure(error, parent=None)`` — a refusal (``errors.as_refusal``: a ``UserError``, a
  domain ``RuleError``, a busy or full database, a refused file) in a warning box, in one line;
  a bug logged with its traceback (``internal error``) and shown in the crash dialog. Work done
  off the GUI thread hands a bug here through ``sys.excepthook`` (the dashboard's loader).
* ``with refusing(parent) as refused:`` — a slot's service call whose refusal is shown in a box
  over ``parent`` ("Cannot continue", or ``title``); after the block, ``refused`` is true when it
  was refused. A bug is not caught: it goes on to the crash hook. ``wait=False`` opens the box
  without blocking (window-modal; ``refused.box`` is it, for tests). ``retry=`` offers "Try
  again" when the database was only busy (``busy.refusal_box``, never blocking); ``boxed=False``
  shows nothing: the caller says the refusal in place (a line under a field).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from rumah_perisai.errors import UserError, as_refusal, triage
from rumah_perisai.i18n import tr
from rumah_perisai.messages import MESSAGES
from rumah_perisai.ui import busy

log = logging.getLogger(__name__)


@dataclass
class _Where:
    """Where a bug's details go, and the database a busy error names (set at start)."""

    log_file: str = ""
    database_url: str = ""


_where = _Where()


def install_crash_hook(log_file: str, database_url: str = "") -> None:
    """Anything a slot lets escape is shown by ``show_failure``; the program is not left
    hanging."""
    _where.log_file, _where.database_url = log_file, database_url

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        show_failure(value.with_traceback(tb))

    sys.excepthook = hook


def show_failure(error: BaseException, parent: QWidget | None = None) -> None:
    """A refusal's one line in a warning box, or a bug logged and shown in the crash dialog."""
    refusal = triage(error, _where.database_url)
    if refusal is not None:
        QMessageBox.warning(parent, tr("Cannot continue"), refusal.message())
        return
    QMessageBox.critical(
        parent, tr("Program error"), tr(MESSAGES["internal_error"], log=_where.log_file)
    )


def show_message(parent: QWidget, title: str, text: str) -> QMessageBox:
    """A warning that does not block (window-modal, opened with ``open``): tests see it too."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    return box


@dataclass
class Refused:
    """What ``refusing`` caught: false while nothing was refused."""

    error: UserError | None = None
    box: QMessageBox | None = None  # with wait=False: the box shown

    def __bool__(self) -> bool:
        return self.error is not None


@contextmanager
def refusing(
    parent: QWidget,
    title: str | None = None,
    *,
    wait: bool = True,
    retry: Callable[[], object] | None = None,
    boxed: bool = True,
) -> Iterator[Refused]:
    """Show a refusal raised in the block over ``parent``; a bug passes through."""
    refused = Refused()
    try:
        yield refused
    except Exception as error:
        refusal = as_refusal(error, _where.database_url)
        if refusal is None:
            raise
        log.info("refused: %s", refusal.log_text())
        refused.error = refusal
        heading = tr("Cannot continue") if title is None else title
        if not boxed:
            return
        if retry is not None:
            refused.box = busy.refusal_box(parent, heading, refusal, retry)
        elif wait:
            QMessageBox.warning(parent, heading, refusal.message())
        else:
            refused.box = show_message(parent, heading, refusal.message())
