"""Window titles show in the taskbar, the window switcher and screen-sharing lists: they never
carry a participant's name, NIK or phone (issue 14, item 11)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.services.volunteers import Actor
from tests.ui.test_payment_ui import _in_promotion, _view


def test_the_participant_and_payment_windows_are_titled_by_number_only(
    qtbot: QtBot, app: App, volunteer: Actor, add_participant: Callable[..., int]
) -> None:
    siti = _in_promotion(add_participant, name="Siti Aminah", phone="081234567890")
    view = _view(qtbot, app, volunteer, siti)
    assert view.windowTitle() == "RP3209A-000001"
    assert "Siti Aminah" in view.heading.text()  # the name is on the page, not in the title
    qtbot.mouseClick(view.pay_button, Qt.MouseButton.LeftButton)
    pay = view.payment_dialog
    assert pay.windowTitle() == "Terima iuran — RP3209A-000001"
    for title in (view.windowTitle(), pay.windowTitle()):
        assert "Siti" not in title and "32091401019" not in title and "0812" not in title
