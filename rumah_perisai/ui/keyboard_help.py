"""Help a keyboard reaches, and lists whose text fits (issue 17, items 5 and 6).

* ``FocusHint``: a line under a window's controls saying what the focused control's tooltip
  says, or the current row's tooltip in a list: whoever moves with Tab and the arrow keys reads
  what a mouse user reads by hovering.
* ``fit_columns``: every column of a list at least as wide as its heading and the text of its
  first rows, with room for the cell's padding at 125 %; one column takes what is left.
"""

from __future__ import annotations

import weakref

import shiboken6
from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTreeWidget,
    QWidget,
)

# Room around a heading's and a cell's text (the style's margins, a sort arrow's gap), enough
# for any style at 125 %.
HEADER_PADDING = 14
CELL_PADDING = 12
ROWS_MEASURED = 50
# No column wider than this from its cells alone: a long reason wraps or is elided (its whole
# text in the tooltip and the focus hint) instead of pushing the others off the window.
WIDEST = 360


class FocusHint(QLabel):
    """The tooltip of whatever has the keyboard focus in ``window``, as visible text."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("focusHint")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet("color: #444;")
        self._window = window
        self._views: list[QAbstractItemView] = []
        app = QApplication.instance()
        if isinstance(app, QApplication):
            # A closure holding the label weakly: the application outlives every window, and a
            # signal must not call into a label already deleted with its window.
            hint = weakref.ref(self)

            def focus_changed(old: QObject | None, new: QObject | None) -> None:
                label = hint()
                if label is not None and shiboken6.isValid(label):
                    label._focus_changed(old, new)

            app.focusChanged.connect(focus_changed)

    def follow(self, view: QAbstractItemView) -> None:
        """Say the current row's tooltip as the arrow keys move through ``view``."""
        self._views.append(view)
        model = view.selectionModel()
        if model is not None:
            model.currentChanged.connect(lambda current, _previous: self._current(view, current))
            # (the model lives and dies with the view, a child of the same window)

    def _focus_changed(self, _old: QObject | None, new: QObject | None) -> None:
        if not isinstance(new, QWidget) or not self._window.isAncestorOf(new):
            return
        view = next((v for v in self._views if v is new or v.isAncestorOf(new)), None)
        if view is not None:
            self._current(view, view.currentIndex())
        else:
            self.setText(new.toolTip())

    def _current(self, view: QAbstractItemView, index: QModelIndex) -> None:
        if not view.hasFocus():
            return
        tip = index.data(Qt.ItemDataRole.ToolTipRole) if index.isValid() else None
        self.setText(str(tip) if tip else view.toolTip())


def fit_columns(view: QTableWidget | QTreeWidget, stretch: int | None = None) -> None:
    """Size each column to its heading and its cells' text (measured, padded); ``stretch``
    takes the width left over (else the last column does, never narrower than its heading)."""
    header: QHeaderView = (
        view.horizontalHeader() if isinstance(view, QTableWidget) else view.header()
    )
    model = view.model()
    heading = header.fontMetrics()
    for column in range(model.columnCount()):
        if column == stretch:
            continue
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        width = heading.horizontalAdvance(title) + HEADER_PADDING
        for row in range(min(model.rowCount(), ROWS_MEASURED)):
            index = model.index(row, column)
            text = str(index.data() or "").splitlines()
            if not text:
                continue
            font = index.data(Qt.ItemDataRole.FontRole)
            metrics = QFontMetrics(font) if isinstance(font, QFont) else view.fontMetrics()
            width = max(width, min(WIDEST, metrics.horizontalAdvance(text[0]) + CELL_PADDING))
        if isinstance(view, QTreeWidget) and column == 0:
            width += view.indentation() * 2  # the branch arrow and a child's indent
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)
