"""The branch's acknowledgement back at the post, as a coordinator takes it in on the batches page:
from the stick through the file dialog, or offered by the page when it lies beside the batch; a
damaged one refused with nothing changed; the refunds it leaves; and the registration form
warning about a NIK the branch's list flags. Everything is real — a branch on its own SQLite
file, another post, sticks as folders — only the file dialogs answer by themselves. The fake
clock starts at 27 Nov 2026 09:30 WIB."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from rumah_perisai import formats
from rumah_perisai.app import App
from rumah_perisai.branch import add_post, import_batch
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Batch, Participant, Receipt
from rumah_perisai.i18n import tr
from rumah_perisai.keys.installed import install_branch_key, post_key_file_bytes
from rumah_perisai.services.acks import take_ack
from rumah_perisai.services.batches import batches
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.registration import ELSEWHERE_NOTE
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.batches_dialog import (
    ACKNOWLEDGED,
    COL_SEQ,
    COL_STATE,
    NEVER_WRITTEN,
    NOT_ACKNOWLEDGED,
    BatchesDialog,
)
from rumah_perisai.ui.main_window import MainWindow
from tests.branch.branch_world import CLI, PostSide, make_branch, make_post
from tests.conftest import FakeClock

# PostSide.register numbers its walk-ins: the n-th is a woman born 1 Jan (1990 + n), NIK …
FIRST_NIK = "3209144101910001"
SECOND_NIK = "3209144101920002"


class Chooser:
    """What the open-file dialog answers (the next file, "" for Cancel), and where it opened."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.files: list[str] = []
        self.folders: list[str] = []
        self.opened_in: list[str] = []
        monkeypatch.setattr(QFileDialog, "getOpenFileName", self._open)
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", self._folder)

    def _open(self, _parent: Any, _caption: str = "", start: str = "", *_a: Any) -> tuple[str, str]:
        self.opened_in.append(start)
        return self.files.pop(0), ""

    def _folder(self, _parent: Any, _caption: str = "", start: str = "", *_a: Any) -> str:
        self.opened_in.append(start)
        return self.folders.pop(0)


@pytest.fixture
def choose(monkeypatch: pytest.MonkeyPatch) -> Chooser:
    return Chooser(monkeypatch)


@pytest.fixture
def branch(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    root = tmp_path / "branch"
    root.mkdir()
    office = make_branch(root, DataFolder(root).sqlite_url, clock)
    yield office
    office.close()


@pytest.fixture
def here(app: App, post: PostSummary, coordinator: Actor, branch: App, tmp_path: Path) -> PostSide:
    """The post under test, its branch's key installed and its key known at the branch."""
    install_branch_key(app.db, (branch.folder.keys / "branch-public-key.json").read_bytes(), CLI)
    add_post(branch.db, branch.folder, post_key_file_bytes(app.db, app.folder.keys), CLI)
    stick = tmp_path / "stick"
    stick.mkdir()
    return PostSide(app, post.code, coordinator, stick)


@pytest.fixture
def other(tmp_path: Path, branch: App, clock: FakeClock) -> Iterator[PostSide]:
    """Another post of the same branch, whose registrations reach the branch first."""
    side = make_post(tmp_path, branch, clock, "RP3209B")
    yield side
    side.app.close()


def _first_at_other_post(branch: App, other: PostSide, walk_ins: int = 1) -> None:
    for _ in range(walk_ins):
        other.register()
    import_batch(branch.db, branch.folder, other.export().path, CLI)


def _ack_path(branch: App, batch: Path) -> Path:
    result = import_batch(branch.db, branch.folder, batch, CLI)
    assert result.ack_path is not None and result.ack_path.parent == batch.parent
    return result.ack_path


def _open_page(qtbot: QtBot, app: App, actor: Actor) -> BatchesDialog:
    """Ctrl+M in the main window, as the coordinator opens it."""
    window = MainWindow(app, actor)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window.table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    dialog = window.batches_dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


def _cell(dialog: BatchesDialog, row: int, column: int) -> str:
    item = dialog.table.item(row, column)
    assert item is not None
    return item.text()


def _row_of(dialog: BatchesDialog, seq: int) -> int:
    return [_cell(dialog, row, COL_SEQ) for row in range(dialog.table.rowCount())].index(str(seq))


def _nik(app: App, participant_id: int) -> str:
    with app.db.reading() as session:
        person = session.get(Participant, participant_id)
        assert person is not None
        return person.nik


def _standing(app: App, registration_no: str) -> str:
    with app.db.reading() as session:
        person = session.scalars(
            select(Participant).where(Participant.registration_no == registration_no)
        ).one()
        return person.standing


def test_take_in_the_acknowledgement_from_the_stick(
    qtbot: QtBot, app: App, coordinator: Actor, branch: App, here: PostSide, other: PostSide,
    choose: Chooser, clock: FakeClock,
) -> None:  # fmt: skip
    _first_at_other_post(branch, other)
    clock.advance(hours=1)
    here.register()  # the other post's NIK: the branch rejects this later registration
    here.register()
    written = here.export()
    _ack_path(branch, written.path)
    # Later the branch gives the second one a KPJ number and writes the acknowledgement again.
    with branch.db.unit_of_work("cli:test") as session:
        kept = session.scalars(
            select(Participant).where(Participant.registration_no == "RP3209A-000002")
        ).one()
        kept.kpj = "12345678901"
    ack = _ack_path(branch, written.path)
    clock.advance(minutes=30)

    dialog = _open_page(qtbot, app, coordinator)
    row = _row_of(dialog, 1)
    assert _cell(dialog, row, COL_STATE) == tr("written")
    assert not dialog.refunds_button.isEnabled()  # nothing paid, nothing to refund
    choose.files.append(str(ack))
    qtbot.mouseClick(dialog.ack_button, Qt.MouseButton.LeftButton)

    # The file dialog opened where the batch was written: the acknowledgement lies beside it.
    assert [Path(start).resolve() for start in choose.opened_in] == [here.stick.resolve()]
    report = dialog.report.text()
    assert tr("Batch {seq} acknowledged by the branch.", seq=1) in report
    assert "RP3209A-000001" in report and "RP3209A-000002" not in report
    assert tr("KPJ numbers stored: {count}.", count="1") in report
    assert dialog.message_box is None
    row = _row_of(dialog, 1)
    assert _cell(dialog, row, COL_STATE) == tr("acknowledged")
    item = dialog.table.item(row, COL_STATE)
    assert item is not None and item.background().color() == ACKNOWLEDGED
    acknowledged = tr("Acknowledged by the branch on {moment}.", moment="27 Nov 2026 11.00 WIB")
    assert acknowledged in item.toolTip()  # when the post took it in, in the post's time
    assert not dialog.ack_offer.isVisible()  # nothing left to offer
    assert (_standing(app, "RP3209A-000001"), _standing(app, "RP3209A-000002")) == (
        "rejected",
        "member",
    )
    (info,) = batches(app.db)
    assert info.state == "acknowledged"

    # The same file again: said, nothing changes.
    choose.files.append(str(ack))
    qtbot.mouseClick(dialog.ack_button, Qt.MouseButton.LeftButton)
    assert dialog.report.text() == tr(
        "Batch {seq} was acknowledged already; nothing changed.", seq=1
    )


def test_a_person_on_bpjss_list_is_said_and_gets_the_kpj(
    qtbot: QtBot, app: App, coordinator: Actor, branch: App, here: PostSide, choose: Chooser,
    tmp_path: Path,
) -> None:  # fmt: skip
    """Issue 20: the branch holds BPJS's own member list; the post registers a lapsed member on
    it. The acknowledgement's summary says so in plain Indonesian and the KPJ is stored."""
    import os

    from openpyxl import Workbook

    from rumah_perisai.branch import branch_keys
    from rumah_perisai.branch.members import members_import

    listed = Workbook()
    listed.active.append(["NIK", "KPJ"])
    listed.active.append([FIRST_NIK, "26010000001"])
    listed.save(tmp_path / "bpjs.xlsx")
    members_import(branch.db, branch_keys(branch.folder), tmp_path / "bpjs.xlsx", CLI)
    mine = here.register()
    here.register()
    ack = _ack_path(branch, here.export().path)

    dialog = _open_page(qtbot, app, coordinator)
    choose.files.append(str(ack))
    qtbot.mouseClick(dialog.ack_button, Qt.MouseButton.LeftButton)

    report = dialog.report.text()
    assert tr("No registration rejected.") in report
    assert "1 pendaftaran sudah terdaftar di BPJS sebelumnya; nomor KPJ-nya dipasang." in report
    with app.db.reading() as session:
        person = session.get(Participant, mine)
        assert person is not None and (person.kpj, person.standing) == ("26010000001", "member")
    if shots := os.environ.get("RP_SHOTS"):  # pictures only when asked for
        qtbot.wait(100)  # the layout gives the longer report its lines first
        dialog.grab().save(str(Path(shots) / "ack-bpjs-known.png"))


def test_an_acknowledgement_on_the_stick_is_offered_after_writing_and_on_opening(
    qtbot: QtBot, app: App, coordinator: Actor, branch: App, here: PostSide, choose: Chooser,
    clock: FakeClock,
) -> None:  # fmt: skip
    here.register()
    first = here.export()
    dialog = _open_page(qtbot, app, coordinator)
    assert not dialog.ack_offer.isVisible()  # the branch has not seen the stick yet
    _ack_path(branch, first.path)  # the stick went to the branch and came back
    clock.advance(days=7)
    here.register()

    # This week's batch onto the same stick (Enter): the page sees last week's acknowledgement.
    choose.folders.append(str(here.stick))
    dialog.write_button.setFocus()
    qtbot.keyClick(dialog.write_button, Qt.Key.Key_Return)
    assert [info.seq for info in batches(app.db)] == [2, 1]
    assert dialog.ack_offer.isVisible()
    offer = dialog.ack_offer_label.text()
    assert tr("The branch's acknowledgement of batch {seq} is on the stick.", seq=1) in offer
    assert first.info.file_name.removesuffix(".rpb") + ".ack.json" in offer
    assert dialog.found_ack is not None and dialog.found_ack[0].seq == 1

    qtbot.mouseClick(dialog.take_found_button, Qt.MouseButton.LeftButton)
    assert [info.state for info in batches(app.db)] == ["written", "acknowledged"]
    assert not dialog.ack_offer.isVisible()
    assert len(choose.opened_in) == 1  # only the stick was asked for, no file
    newest = dialog.table.item(_row_of(dialog, 2), COL_STATE)
    assert newest is not None and newest.background().color() == NOT_ACKNOWLEDGED
    dialog.close()

    # Opened again with both on the stick: nothing more to offer; with the second's ACK, offered.
    _ack_path(branch, here.stick / batches(app.db)[0].file_name)
    dialog = _open_page(qtbot, app, coordinator)
    assert dialog.ack_offer.isVisible() and dialog.found_ack is not None
    assert dialog.found_ack[0].seq == 2


def test_a_damaged_acknowledgement_is_refused_and_changes_nothing(
    qtbot: QtBot, app: App, coordinator: Actor, branch: App, here: PostSide, other: PostSide,
    choose: Chooser, tmp_path: Path,
) -> None:  # fmt: skip
    _first_at_other_post(branch, other)
    here.register()  # rejected by the branch…
    ack = _ack_path(branch, here.export().path)
    # …but someone took the rejection out of the file on the way back.
    document = json.loads(ack.read_bytes())
    assert document["rejections"] != []
    document["rejections"] = []
    damaged = tmp_path / "copied" / ack.name
    damaged.parent.mkdir()
    damaged.write_text(json.dumps(document, indent=1), encoding="utf-8")

    dialog = _open_page(qtbot, app, coordinator)
    choose.files.append(str(damaged))
    qtbot.mouseClick(dialog.ack_button, Qt.MouseButton.LeftButton)
    assert dialog.message_box is not None and dialog.message_box.isVisible()
    assert ack.name in dialog.message_box.text()
    assert "b71c1c" in dialog.report.styleSheet()
    assert ack.name in dialog.report.text()
    (info,) = batches(app.db)
    assert info.state == "written" and info.acknowledged_at is None
    assert _cell(dialog, 0, COL_STATE) == tr("written")
    assert _standing(app, "RP3209A-000001") == "member"
    with app.db.reading() as session:
        assert session.scalars(select(Batch.ack_file_hash)).one() is None
    # The whole file, still on the stick, is offered and goes in.
    assert dialog.ack_offer.isVisible()
    dialog.message_box.close()
    qtbot.mouseClick(dialog.take_found_button, Qt.MouseButton.LeftButton)
    assert _standing(app, "RP3209A-000001") == "rejected"


def test_dues_paid_by_a_rejected_registration_are_listed_to_refund(
    qtbot: QtBot, app: App, coordinator: Actor, branch: App, here: PostSide, other: PostSide,
    clock: FakeClock,
) -> None:  # fmt: skip
    _first_at_other_post(branch, other)
    clock.advance(minutes=5)
    late = here.register()  # the same NIK, a little later
    assert _nik(app, late) == FIRST_NIK
    clock.advance(days=100)  # past the free cover (to 28 Feb 2027): the first dues
    receipt_id = here.pay(late)
    _ack_path(branch, here.export().path)

    dialog = _open_page(qtbot, app, coordinator)
    assert not dialog.refunds_button.isEnabled()
    assert "(0)" in dialog.refunds_button.text()
    assert dialog.ack_offer.isVisible()
    qtbot.mouseClick(dialog.take_found_button, Qt.MouseButton.LeftButton)
    assert dialog.refunds_button.isEnabled()
    assert "(1)" in dialog.refunds_button.text()
    assert "RP3209A-000001" in dialog.report.text()

    qtbot.mouseClick(dialog.refunds_button, Qt.MouseButton.LeftButton)
    refunds = dialog.refunds_dialog
    assert refunds is not None and refunds.isVisible()
    with app.db.reading() as session:
        receipt = session.get(Receipt, receipt_id)
        assert receipt is not None
        number, issued_on, total = receipt.number, receipt.issued_on, receipt.total
    table = refunds.table
    assert table.rowCount() == 1
    cells = [table.item(0, column).text() for column in range(table.columnCount())]  # type: ignore[union-attr]
    assert cells[:5] == [
        number,
        "RP3209A-000001",
        f"Peserta {here.code} 1",
        formats.day(issued_on),
        formats.money(total),
    ]
    assert formats.day(issued_on) == "7 Mar 2027" and total > 0
    assert "RP3209B" in cells[5]  # the branch's reason: registered first at the other post
    assert formats.money(total) in refunds.total.text()
    qtbot.keyClick(refunds.table, Qt.Key.Key_Escape)
    assert not refunds.isVisible()


def _registration_form(qtbot: QtBot, app: App, actor: Actor) -> Any:
    window = MainWindow(app, actor)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window.search_box, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = window.registration_dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form, timeout=2000)
    return form


def test_the_form_warns_about_a_nik_the_branchs_list_flags_but_registers_it(
    qtbot: QtBot, app: App, volunteer: Actor, branch: App, here: PostSide, other: PostSide,
) -> None:  # fmt: skip
    _first_at_other_post(branch, other, walk_ins=2)  # FIRST_NIK and SECOND_NIK, elsewhere
    here.register(nik="3209144101910055")  # someone else, born the same day as the first
    ack = _ack_path(branch, here.export().path)
    taken = take_ack(app.db, ack.read_bytes(), ack.name, CLI)
    assert taken.prefixes == 2

    form = _registration_form(qtbot, app, volunteer)
    warning = tr("Possibly registered at another post or with BPJS already — ask the branch.")
    qtbot.keyClicks(form.nik, "3209 1452 0390 0001")  # a NIK the list does not hold
    assert not form.elsewhere.isVisible()
    form.nik.clear()
    qtbot.keyClicks(form.nik, SECOND_NIK)
    assert form.elsewhere.isVisible() and form.elsewhere.text() == warning
    qtbot.keyClick(form.nik, Qt.Key.Key_Backspace)  # no longer a whole NIK: no warning
    assert not form.elsewhere.isVisible()
    qtbot.keyClicks(form.nik, "2")
    assert form.elsewhere.isVisible()
    assert not form.duplicate_box.isVisible()  # not a duplicate at this post

    # It does not stop the registration; the registration records the warning.
    qtbot.keyClicks(form.name, "Euis Komalasari")
    qtbot.keyClicks(form.birth_place, "Cirebon")
    qtbot.keyClicks(form.street, "Blok Kliwon")
    assert form.desa_code() == "32.09.14.2001"  # the post's desa: most of its walk-ins' (Sampiran)
    qtbot.keyClicks(form.occupation.lineEdit(), "Pedagang")
    qtbot.keyClick(form.consent, Qt.Key.Key_Space)
    qtbot.keyClick(form.consent, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.saved_id is not None, form.message.text()
    with app.db.reading() as session:
        saved = session.get(Participant, form.saved_id)
        assert saved is not None
        assert (saved.nik, saved.standing) == (SECOND_NIK, "member")
        assert saved.duplicate_override_reason == tr(ELSEWHERE_NOTE)


def test_a_batch_the_branch_never_received_stands_out_until_its_own_acknowledgement(
    qtbot: QtBot, app: App, coordinator: Actor, branch: App, here: PostSide,
    choose: Chooser, clock: FakeClock,
) -> None:  # fmt: skip
    """Batch 2's stick was lost; the branch imported batch 3 past the gap. Its acknowledgement
    tells the post batch 2 never came: the page shows it red until it is written again and the
    branch acknowledges it."""
    paths = []
    for _ in range(3):
        here.register()
        paths.append(here.export().path)
        clock.advance(days=1)
    import_batch(branch.db, branch.folder, paths[0], CLI)
    passed = import_batch(branch.db, branch.folder, paths[2], CLI, gap_reason="flashdisk hilang")
    assert passed.ack_path is not None

    dialog = _open_page(qtbot, app, coordinator)
    choose.files.append(str(passed.ack_path))
    qtbot.mouseClick(dialog.ack_button, Qt.MouseButton.LeftButton)
    row = _row_of(dialog, 2)
    assert _cell(dialog, row, COL_STATE) == tr("not received by the branch")
    item = dialog.table.item(row, COL_STATE)
    assert item is not None and item.background().color() == NEVER_WRITTEN
    assert "Tulis lagi" in item.toolTip()  # the button that puts it on a stick again
    assert "Cabang belum menerima batch 2" in dialog.pending_label.text()  # said, not only hinted

    late = import_batch(branch.db, branch.folder, paths[1], CLI)  # written again, it came
    assert late.state == "imported" and late.ack_path is not None
    choose.files.append(str(late.ack_path))
    qtbot.mouseClick(dialog.ack_button, Qt.MouseButton.LeftButton)
    assert _cell(dialog, _row_of(dialog, 2), COL_STATE) == tr("acknowledged")
    assert "Cabang belum menerima" not in dialog.pending_label.text()
