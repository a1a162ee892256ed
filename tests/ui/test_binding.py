"""The program survives a long day of signals on the installed Qt binding (``ui.binding``).

PySide6 6.12.0 takes one reference from Python's ``True`` at every ``emit()`` and
``disconnect()`` from Python; unguarded, a few thousand signals abort the program. These run
more signals than ``True`` has references at start, in a fresh interpreter as the program
starts, and check that it neither aborts nor loses references.
"""

from __future__ import annotations

import subprocess
import sys

DAY_OF_SIGNALS = """
import sys
import rumah_perisai.ui  # the program's windows' package: the guard comes with it
from PySide6.QtCore import QObject, Signal

class Widget(QObject):
    changed = Signal(object)
    plain = Signal()

widget = Widget()
widget.plain.connect(lambda: None)
before = sys.getrefcount(True)
for step in range(before * 3):
    widget.changed.emit(step)
    widget.plain.emit()
for _ in range(200):
    widget.changed.connect(print)
    widget.changed.disconnect(print)
print(sys.getrefcount(True) - before)
"""


def test_thousands_of_signals_leave_true_alive() -> None:
    done = subprocess.run(
        [sys.executable, "-c", DAY_OF_SIGNALS],
        capture_output=True,
        text=True,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-600:]
    assert abs(int(done.stdout.strip())) <= 5


def test_the_guard_leaves_a_sound_binding_alone() -> None:
    """Installed twice (a second import), or on a binding without the bug, it wraps nothing."""
    from rumah_perisai.ui.binding import emit_leaks, guard_signal_refcounts

    assert guard_signal_refcounts() is False
    assert emit_leaks() is False
