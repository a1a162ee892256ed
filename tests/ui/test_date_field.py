"""The one-field date of issue 17: dd-mm-yyyy typed straight through."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from rumah_perisai.ui.date_field import DateField


def _field(qtbot: QtBot) -> DateField:
    field = DateField()
    qtbot.addWidget(field)
    field.show()
    qtbot.waitExposed(field)
    return field


def test_digits_fill_the_date_without_moving_between_parts(qtbot: QtBot) -> None:
    field = _field(qtbot)
    assert field.date() is None and field.is_empty() and field.problem() is None
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton, pos=QPoint(field.width() - 5, 5))
    qtbot.wait(10)
    qtbot.keyClicks(field, "12031978")  # a click at the far end still starts with the day
    assert (field.text(), field.date()) == ("12-03-1978", date(1978, 3, 12))


def test_an_impossible_or_unfinished_date_is_said_in_one_line(qtbot: QtBot) -> None:
    field = _field(qtbot)
    qtbot.keyClicks(field, "31021990")
    assert field.date() is None
    assert field.problem() == "Tanggal ini tidak ada: ketik hari-bulan-tahun, mis. 12-03-1978."
    field.clear()
    qtbot.keyClicks(field, "3102")
    assert field.problem() == "Ketik tanggal lengkap: hari-bulan-tahun, mis. 12-03-1978."


def test_set_date_shows_it_as_typed(qtbot: QtBot) -> None:
    field = _field(qtbot)
    field.setDate(date(2000, 2, 29))
    assert field.text() == "29-02-2000" and field.date() == date(2000, 2, 29)
    field.setDate(None)
    assert field.is_empty() and field.date() is None
