"""“Permintaan atas data…” (issue 19), driven as a coordinator does it from the participant's
view: choose the right, read what an erasure will do, confirm, print the confirmation. A
volunteer does not see the button. The fake clock stands at 27 Nov 2026 09:30 WIB."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import DataRequest, Participant
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.data_request_dialog import DataRequestDialog
from rumah_perisai.ui.participant_dialog import ParticipantDialog

SHOTS = Path(os.environ.get("RP_SHOTS", "no-pictures"))  # RP_SHOTS=folder: pictures


def _view(qtbot: QtBot, app: App, actor: Actor, pid: int) -> ParticipantDialog:
    view = ParticipantDialog(
        app.db, pid, actor, lambda: app.db.clock().date(), "WIB", folder=app.folder
    )
    qtbot.addWidget(view)
    view.show()
    return view


def _shot(widget: object, name: str) -> None:
    if SHOTS.is_dir():
        widget.grab().save(str(SHOTS / name))  # type: ignore[attr-defined]


def test_a_coordinator_erases_after_reading_what_goes_and_what_stays(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    pid = add_participant(name="Siti Rahmawati", phone="081234567890")
    view = _view(qtbot, app, coordinator, pid)
    assert view.requests_button.isVisible()
    qtbot.mouseClick(view.requests_button, Qt.MouseButton.LeftButton)
    dialog: DataRequestDialog = view.data_request
    assert "RP3209A-000001" in dialog.windowTitle() and "Siti" not in dialog.windowTitle()
    assert "NIK" in dialog.findChild(object, "noteHint").text()  # type: ignore[union-attr]
    dialog.kind.setCurrentIndex(dialog.kind.findData("erase"))
    _shot(dialog, "request-form.png")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    text = dialog.explanation.text()
    assert "tidak dapat dibatalkan" in text
    assert "nama" in text and "nomor telepon" in text and "10 tahun" in text
    assert "UU 8/1997" in text
    _shot(dialog, "request-erase-confirm.png")
    with app.db.reading() as session:  # nothing yet: only the button does it
        assert session.scalars(select(DataRequest)).all() == []
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 2
    assert "RP3209A-REQ1" in dialog.outcome_text.text()
    _shot(dialog, "request-done.png")
    with app.db.reading() as session:
        person = session.get(Participant, pid)
        assert person is not None and person.name == "" and person.erased_at is not None
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert dialog.preview.document.pageCount() == 1
    assert dialog.preview.file_name == "permintaan-RP3209A-REQ1.pdf"
    dialog.preview.accept()
    dialog.accept()
    qtbot.waitUntil(lambda: "dihapus atas permintaan" in view.heading.text(), timeout=2000)
    qtbot.wait(200)
    _shot(view, "participant-erased.png")


def test_a_volunteer_has_no_request_button_and_a_withdrawal_says_what_it_does(
    qtbot: QtBot,
    app: App,
    coordinator: Actor,
    volunteer: Actor,
    add_participant: Callable[..., int],
) -> None:
    pid = add_participant()
    assert not _view(qtbot, app, volunteer, pid).requests_button.isVisible()
    view = _view(qtbot, app, coordinator, pid)
    qtbot.mouseClick(view.requests_button, Qt.MouseButton.LeftButton)
    dialog = view.data_request
    dialog.kind.setCurrentIndex(dialog.kind.findData("withdraw"))
    qtbot.keyClicks(dialog.note, "tidak ingin lanjut")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert "Kepesertaan berakhir" in dialog.explanation.text()
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    with app.db.reading() as session:
        person = session.get(Participant, pid)
        assert person is not None and person.standing == "ended"
        assert person.standing_reason == "tidak ingin lanjut"
    dialog.accept()


def test_the_printed_confirmation_of_an_erasure_names_no_one(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    """Drawn and looked at (QtPdf): the number, the right, what went, what stays and why."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtPdf import QPdfDocument

    from rumah_perisai.printing.request_confirmation import request_confirmation_pdf
    from rumah_perisai.services.requests import confirmation, erase

    pid = add_participant(name="Siti Rahmawati")
    erase(app.db, app.folder, pid, app.db.clock().date(), "letter", coordinator)
    pdf = request_confirmation_pdf(confirmation(app.db, 1))
    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    assert document.pageCount() == 1
    text = " ".join(document.getAllText(0).text().split())
    assert "BUKTI PERMINTAAN ATAS DATA PRIBADI" in text and "RP3209A-REQ1" in text
    assert "menghapus datanya" in text and "dengan surat" in text
    assert "Siti" not in text and "3209140101900001" not in text and "NIK (diganti" in text
    assert "UU 24/2011" in text and "kiriman mingguan" in text
    if SHOTS.is_dir():
        size = document.pagePointSize(0).toSize() * 1.5
        document.render(0, QSize(size.width(), size.height())).save(
            str(SHOTS / "request-confirmation.png")
        )
