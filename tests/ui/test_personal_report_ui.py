"""A person's report from the participant view (issue 19, item 1): a coordinator's button, a save
dialog suggesting the registration number (never the name), the PDF written off the GUI thread,
recorded as a look, then offered to be opened."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.services.access import accesses_of
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui import file_dialogs
from rumah_perisai.ui.main_window import MainWindow
from rumah_perisai.ui.participant_dialog import ParticipantDialog


def _view(qtbot: QtBot, app: App, actor: Actor, who: int) -> ParticipantDialog:
    window = MainWindow(app, actor)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_participant(who)
    return window.participant_dialog


def test_only_a_coordinator_sees_the_button(
    qtbot: QtBot, app: App, volunteer: Actor, add_participant: Callable[..., int]
) -> None:
    who = add_participant(name="Siti Aminah")
    view = _view(qtbot, app, volunteer, who)
    assert not view.report_button.isVisibleTo(view)


def test_the_save_dialog_suggests_the_number_never_the_name(
    qtbot: QtBot,
    app: App,
    coordinator: Actor,
    add_participant: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    who = add_participant(name="Siti Aminah")
    view = _view(qtbot, app, coordinator, who)
    asked: list[str] = []

    def chosen(_parent: Any, _title: str, suggested: str, _filter: str, _kind: str) -> None:
        asked.append(suggested)  # and the coordinator goes back

    monkeypatch.setattr(file_dialogs, "save_path", chosen)
    assert view.report_button.isVisibleTo(view)
    assert view.report_button.text() == "Lap&oran data pribadi…"
    view.report_button.click()
    assert asked == ["laporan-data-pribadi-RP3209A-000001.pdf"]
    # Going back writes and records nothing: opening the view is the only look.
    assert [a.action for a in accesses_of(app.db, who)] == ["view"]


def test_the_report_is_written_recorded_and_offered_to_open(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int], tmp_path: Path
) -> None:
    who = add_participant(name="Siti Aminah")
    view = _view(qtbot, app, coordinator, who)
    opened: list[QUrl] = []
    view.open_url = opened.append
    target = tmp_path / "laporan.pdf"
    view.save_report(target)
    document = QPdfDocument()
    document.load(str(target))
    text = " ".join(document.getAllText(p).text() for p in range(document.pageCount()))
    assert "LAPORAN DATA PRIBADI" in " ".join(text.split()) and "Siti Aminah" in text
    looks = [(a.action, a.what) for a in accesses_of(app.db, who)]
    assert looks == [("report", "report"), ("view", "participant-window")]  # newest first
    box = view.report_box
    qtbot.waitUntil(box.isVisible, timeout=2000)
    assert str(target) in box.text()
    (open_button,) = [b for b in box.buttons() if b.text() == "&Buka"]
    open_button.click()
    assert opened == [QUrl.fromLocalFile(str(target))]
