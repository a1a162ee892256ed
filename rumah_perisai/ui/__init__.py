"""The windows (PySide6): the only room that imports Qt (``docs/architecture.md``).

Importing the package first guards against the Qt binding's reference-count bug on signals
(``ui.binding``), before any window exists.
"""

from rumah_perisai.ui.binding import guard_signal_refcounts

guard_signal_refcounts()
