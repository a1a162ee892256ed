"""One typed field for a date, dd-mm-yyyy, as the program's convention says (issue 17).

A QDateEdit takes a Tab (or arrow keys) between its day, month and year: three fields to a
volunteer who types from a KTP. Here the digits are typed straight through — ``12031978``
fills ``12-03-1978`` — and the hyphens are the mask's. A date that cannot exist (31-02-1990)
is said in one line by ``problem()``, which the form shows next to the field.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from rumah_perisai.i18n import N_, tr

MASK = "00-00-0000"  # digits only; the hyphens are typed by the mask
EMPTY = "--"  # what text() holds when no digit was typed
IMPOSSIBLE = N_("Not a real date: type day-month-year, e.g. 12-03-1978.")
UNFINISHED = N_("Type the whole date: day-month-year, e.g. 12-03-1978.")


class DateField(QLineEdit):
    """A date typed as dd-mm-yyyy in one field; ``date()`` is None until it is a real date."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setInputMask(MASK)
        self.setCursorPosition(0)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("00-00-00000") + 24)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self.is_empty():  # a click anywhere in an empty field starts at the day's first digit
            QTimer.singleShot(0, lambda: self.setCursorPosition(0))

    def digits(self) -> str:
        return "".join(char for char in self.text() if char.isdigit())

    def date(self) -> dt.date | None:
        """The typed date, or None while it is empty, unfinished or impossible."""
        digits = self.digits()
        if len(digits) != 8:
            return None
        try:
            return dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
        except ValueError:
            return None

    def setDate(self, value: dt.date | None) -> None:
        self.setText(value.strftime("%d%m%Y") if value is not None else "")

    def is_empty(self) -> bool:
        return not self.digits()

    def problem(self) -> str | None:
        """One line saying why the text is not a date; None when it is one or is empty."""
        digits = self.digits()
        if not digits or self.date() is not None:
            return None
        return tr(UNFINISHED) if len(digits) != 8 else tr(IMPOSSIBLE)
