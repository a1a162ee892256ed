"""A guard against a reference-count bug in the Qt binding (PySide6 6.12.0 on Python 3.11).

``SignalInstance.emit()`` and ``SignalInstance.disconnect()`` give back ``True`` (or ``False``)
without the reference they owe. Every call from Python takes one reference from the interpreter's
``True``; after some thousands of signals — a day at the post: progress steps, change notices,
the dialogs' own signals — its count reaches zero and Python aborts the program ("Fatal Python
error: bool_dealloc"), or the test process at its exit.

``guard_signal_refcounts()`` looks once whether the installed binding has the bug (an emit on a
throwaway object, counting ``True``'s references before and after). If it has, ``emit`` and
``disconnect`` are wrapped to give the missing reference back; a binding without the bug is left
as it is, and so is Python 3.12 and later, whose ``True`` is immortal. It runs when the ``ui``
package is first imported, before any window exists.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 20

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    fired = Signal()


def emit_leaks() -> bool:
    """Whether ``emit`` as now installed takes references from ``True``."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.fired.emit()
    return sys.getrefcount(True) < before - _PROBES // 2


def _giving_back(method: Callable[..., Any]) -> Callable[..., Any]:
    def call(self: SignalInstance, *args: Any) -> Any:
        result = method(self, *args)
        if result is True or result is False:
            _incref(result)  # the reference the binding did not take
        return result

    call.__name__ = method.__name__
    call.__doc__ = method.__doc__
    return call


def guard_signal_refcounts() -> bool:
    """Wrap ``emit`` and ``disconnect`` if the binding leaks; True when it did."""
    if getattr(SignalInstance, "_rp_guarded", False) or not emit_leaks():
        return False
    SignalInstance.emit = _giving_back(SignalInstance.emit)  # type: ignore[method-assign]
    SignalInstance.disconnect = _giving_back(SignalInstance.disconnect)  # type: ignore[method-assign]
    SignalInstance._rp_guarded = True  # type: ignore[attr-defined]
    return True
