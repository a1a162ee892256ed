"""File › Import from a spreadsheet… (issue 20) as a coordinator uses it: a real XLSX written
here, the columns corrected, the check, a possible duplicate decided, the paper consent, the
import, and the participants read back from the database. A file that is no spreadsheet is
one line; Cancel during the import stores nothing. Only the file dialogs answer by themselves.

Pictures of each step when RP_SHOTS names a folder (a test never writes outside its own)."""

from __future__ import annotations

import os
import re
import threading
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import Participant
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.registration import register
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import Progress
from rumah_perisai.ui import sheet_import_dialog as dialog_module
from rumah_perisai.ui.main_window import MainWindow
from rumah_perisai.ui.sheet_import_dialog import PAGE_CHECKED, PAGE_DONE, SheetImportDialog
from tests.services.test_registration import make_nik, walk_in
from tests.ui.window_audit import audit

SHOTS = os.environ.get("RP_SHOTS")
BORN = date(1990, 3, 12)
HEADERS = ["No", "NIK", "Nama Lengkap", "Kapan lahir", "L/P", "Desa", "Catatan", "Tgl Daftar"]
LISTED = date(2020, 6, 1)  # registered on paper before the campaign: no promotion


def _shot(widget: QWidget, name: str) -> None:
    QApplication.processEvents()  # the layout after the last change, as the screen shows it
    if SHOTS and not widget.property("no_shots"):
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def _person(no: int, born: date, sex: str, serial: int, name: str, note: str = "") -> list[Any]:
    return [no, make_nik(born, sex, serial), name, born, sex, "Sampiran", note, LISTED]


def _people() -> list[list[Any]]:
    """Three new people, a NIK that fails its check, and a namesake of the walk-in already
    registered (same name and birth date, another NIK): a possible duplicate."""
    return [
        _person(1, date(1985, 7, 1), "L", 11, "Ahmad Fauzi"),
        _person(2, date(1992, 1, 20), "P", 12, "Nur Aisyah"),
        [3, "3209141234", "Budi Santoso", date(1980, 5, 5), "L", "Sampiran", "NIK kurang", LISTED],
        _person(4, BORN, "P", 13, "Siti Aminah", "pindahan"),
        _person(5, date(1978, 11, 2), "L", 14, "Dedi Kurniawan"),
    ]


def _workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Petunjuk"  # a first sheet without rows: the dialog picks the next
    sheet = book.create_sheet("Relawan Ujang")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _participants(app: App) -> list[Participant]:
    with app.db.reading() as session:
        return list(session.scalars(select(Participant).order_by(Participant.name)))


def _names(app: App) -> list[str]:
    return [p.name for p in _participants(app)]


@pytest.fixture
def registered_namesake(app: App, coordinator: Actor) -> None:
    register(app.db, walk_in(), coordinator)


def _dialog(qtbot: QtBot, app: App, actor: Actor) -> SheetImportDialog:
    window = MainWindow(app, actor)
    qtbot.addWidget(window)
    window.show()
    assert window.import_sheet_action.isVisible()
    window.import_sheet_action.trigger()
    dialog = window.sheet_import_dialog
    assert isinstance(dialog, SheetImportDialog) and dialog.isVisible()
    return dialog


def _choose(qtbot: QtBot, dialog: SheetImportDialog, path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(path), ""))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)


def _column(dialog: SheetImportDialog, header: str) -> int:
    return HEADERS.index(header)


def _set_field(dialog: SheetImportDialog, header: str, field: str | None) -> None:
    combo = dialog.mapping_table.combos[_column(dialog, header)]
    combo.setFocus()
    combo.setCurrentIndex(combo.findData(field))


def _checked_up_to_the_result(
    qtbot: QtBot, dialog: SheetImportDialog, path: Path, monkeypatch: Any
) -> None:
    _choose(qtbot, dialog, path, monkeypatch)
    assert dialog.sheet_combo.currentText() == "Relawan Ujang"
    _shot(dialog, "1-columns-guessed")
    # The coordinator says the birth dates are in "Kapan lahir"; until then Check waits.
    _set_field(dialog, "Kapan lahir", None)
    assert not dialog.check_button.isEnabled()
    assert "Tanggal lahir" in dialog.missing.text()
    _shot(dialog, "2-birth-date-missing")
    _set_field(dialog, "Kapan lahir", "birth_date")
    _set_field(dialog, "Catatan", None)
    assert dialog.check_button.isEnabled() and not dialog.missing.isVisible()
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == PAGE_CHECKED


def test_a_coordinator_corrects_the_columns_checks_decides_a_duplicate_and_imports(
    qtbot: QtBot,
    app: App,
    post: PostSummary,
    coordinator: Actor,
    registered_namesake: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _workbook(tmp_path / "peserta lama.xlsx", _people())
    dialog = _dialog(qtbot, app, coordinator)
    _checked_up_to_the_result(qtbot, dialog, path, monkeypatch)
    _shot(dialog, "3-checked")
    # Nothing is saved by the check.
    assert _names(app) == ["Siti Aminah"]
    summary = dialog.summary.text()
    assert "5 baris diperiksa: 3 akan didaftarkan" in summary
    assert "1 mungkin ganda" in summary and "1 ditolak" in summary
    first = dialog.result_table.rows[0]
    assert (first.row, first.name, dialog.result_table.text(0, 2)) == (
        4,
        "Budi Santoso",
        "ditolak",
    )  # refused first; row 4 of the sheet (1 is the headers)
    dialog.status_filter.setCurrentIndex(dialog.status_filter.findData("refused"))
    assert [r.name for r in dialog.result_table.shown_rows()] == ["Budi Santoso"]

    # The result XLSX, to fix and import again: named by the check, never by the file.
    saved: list[str] = []

    def answer(_parent: Any, _title: str, suggested: str, *_a: Any) -> Path:
        saved.append(suggested)
        return tmp_path / suggested

    monkeypatch.setattr(dialog_module, "save_path", answer)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved and "peserta" not in saved[0]
    result = openpyxl.load_workbook(tmp_path / saved[0], read_only=True).worksheets[0]
    first_row = [str(v) for v in next(result.iter_rows(min_row=2, values_only=True))]
    assert "Budi Santoso" in first_row  # the refused row first, ready to fix

    # The namesake: not imported unless ticked, and a tick wants its reason.
    assert dialog.import_button.text() == "&Impor 3 peserta"
    duplicates = dialog.duplicates
    assert duplicates.rows == [5]
    duplicates.setFocus()  # Alt+D; the box of the first one is the current cell
    qtbot.keyClick(duplicates, Qt.Key.Key_Space)
    assert "baris 5" in dialog.import_message.text()
    dialog.consent.setFocus()
    qtbot.keyClick(dialog.consent, Qt.Key.Key_Space)
    assert not dialog.import_button.isEnabled()
    duplicates.setFocus()
    qtbot.keyClick(duplicates, Qt.Key.Key_Right)  # to "why another person"
    qtbot.keyClick(duplicates, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not None and editor is not duplicates
    qtbot.keyClicks(editor, "Lain orang: ibu kandungnya bernama sama")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(duplicates.decisions()))  # the cell takes the text after
    assert dialog.import_button.text() == "&Impor 4 peserta"
    assert dialog.import_button.isEnabled()
    _shot(dialog, "4-duplicate-decided")

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == PAGE_DONE
    _shot(dialog, "5-done")
    stored = _participants(app)
    assert [p.name for p in stored] == [
        "Ahmad Fauzi", "Dedi Kurniawan", "Nur Aisyah", "Siti Aminah", "Siti Aminah"
    ]  # fmt: skip
    # Brought in from the file (its short reference), the walk-in before it untouched.
    assert [p.import_ref is not None for p in stored] == [True, True, True, False, True] or [
        p.import_ref is not None for p in stored
    ] == [True, True, True, True, False]
    assert len({p.import_ref for p in stored if p.import_ref}) == 1
    done = dialog.done_text.text()
    assert "4 didaftarkan, 0 dilengkapi" in done
    assert "4 di antaranya berstatus “Belum terlindungi” hari ini" in done  # no receipts
    assert "Tidak ada kuitansi yang dibuat" in done and "1 baris tidak diimpor" in done
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)

    # The same file again: the columns as chosen last time, nothing to import, and it says so.
    again = _dialog(qtbot, app, coordinator)
    again.setProperty("no_shots", True)
    _choose(qtbot, again, path, monkeypatch)
    assert "seperti terakhir kali" in again.file_message.text()
    qtbot.mouseClick(again.check_button, Qt.MouseButton.LeftButton)
    assert "4 sudah ada dan tidak berubah" in again.summary.text()
    assert not again.import_button.isEnabled()
    assert again.import_message.text() == "Tidak ada yang perlu diimpor dari berkas ini."


def test_the_columns_chosen_are_remembered_for_the_next_file_with_the_same_headers(
    qtbot: QtBot,
    app: App,
    post: PostSummary,
    coordinator: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _workbook(tmp_path / "a.xlsx", _people())
    dialog = _dialog(qtbot, app, coordinator)
    dialog.setProperty("no_shots", True)
    _checked_up_to_the_result(qtbot, dialog, path, monkeypatch)
    dialog.close()
    again = _dialog(qtbot, app, coordinator)
    _choose(qtbot, again, _workbook(tmp_path / "b.xlsx", _people()[:2]), monkeypatch)
    assert again.mapping_table.mapping().columns[_column(again, "Kapan lahir")] == "birth_date"
    assert again.mapping_table.mapping().columns[_column(again, "Catatan")] is None


def test_a_file_that_is_no_spreadsheet_is_one_line_and_nothing_else_happens(
    qtbot: QtBot,
    app: App,
    post: PostSummary,
    coordinator: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "daftar.xlsx"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n")  # a PDF renamed
    dialog = _dialog(qtbot, app, coordinator)
    _choose(qtbot, dialog, path, monkeypatch)
    _shot(dialog, "0-refused-file")
    message = dialog.file_message.text()
    assert "bukan berkas spreadsheet" in message and "\n" not in message
    assert dialog.mapping_table.columnCount() == 0
    assert not dialog.check_button.isEnabled()
    assert dialog.pages.currentIndex() != PAGE_CHECKED
    assert _participants(app) == []


def test_cancel_during_the_import_stores_nothing_and_says_so(
    qtbot: QtBot,
    app: App,
    post: PostSummary,
    coordinator: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The import is stopped half-way (after it reported some rows done): the service's one
    transaction rolls back every row."""
    real = dialog_module.import_checked
    halfway = threading.Event()

    def import_until_cancelled(*args: Any, progress: Progress, **kwargs: Any) -> Any:
        class Held:
            def step(self, done: int, total: int, text: str = "") -> None:
                if done >= 2 and not halfway.is_set():
                    halfway.set()
                    for _ in range(500):  # the window's Cancel, pressed on the GUI thread
                        if getattr(progress, "cancelled", False):
                            break
                        threading.Event().wait(0.01)
                progress.step(done, total, text)

        return real(*args, progress=Held(), **kwargs)

    monkeypatch.setattr(dialog_module, "import_checked", import_until_cancelled)
    people = _people()
    del people[2:4]  # no refusal, no duplicate: three to import
    dialog = _dialog(qtbot, app, coordinator)
    dialog.setProperty("no_shots", True)
    _checked_up_to_the_result(qtbot, dialog, _workbook(tmp_path / "c.xlsx", people), monkeypatch)

    def press_cancel() -> None:
        if not halfway.is_set():
            QTimer.singleShot(10, press_cancel)
            return
        bar = dialog.findChildren(QProgressDialog)[-1]  # the import's (the newest)
        cancel = bar.findChild(QPushButton)
        assert cancel is not None
        cancel.click()  # as the coordinator does

    dialog.consent.setFocus()
    qtbot.keyClick(dialog.consent, Qt.Key.Key_Space)
    assert dialog.import_button.isEnabled(), dialog.import_message.text()
    QTimer.singleShot(10, press_cancel)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert halfway.is_set()
    assert dialog.import_message.text() == "Dibatalkan; tidak ada yang disimpan."
    assert dialog.pages.currentIndex() == PAGE_CHECKED
    assert _participants(app) == []


def test_only_a_coordinator_finds_the_import_in_the_file_menu(
    qtbot: QtBot, app: App, post: PostSummary, volunteer: Actor
) -> None:
    window = MainWindow(app, volunteer)
    qtbot.addWidget(window)
    assert window.import_sheet_action in window.file_menu.actions()
    assert not window.import_sheet_action.isVisible()
    window.open_sheet_import()
    assert getattr(window, "sheet_import_dialog", None) is None


def test_a_typed_path_and_enter_read_the_file_and_check_nothing_yet(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, app, coordinator)
    qtbot.keyClicks(dialog.file, str(_workbook(tmp_path / "d.xlsx", _people())))
    qtbot.keyClick(dialog.file, Qt.Key.Key_Return)
    assert dialog.mapping_table.columnCount() == len(HEADERS)
    assert dialog.pages.currentIndex() != PAGE_CHECKED  # Enter read the file; Check is apart
    # Tab walks the columns' boxes left to right, then Close and Check.
    combos = dialog.mapping_table.combos
    assert QApplication.focusWidget() is combos[0]
    for expected in [*combos[1:], dialog.close_columns, dialog.check_button]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is expected
    assert _participants(app) == []


def test_each_step_fits_the_laptop_in_indonesian_with_alt_letters(
    qtbot: QtBot,
    app: App,
    post: PostSummary,
    coordinator: Actor,
    registered_namesake: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The window audit at each step. The combo boxes under the columns are labelled by the
    file's own headers over them (and their accessible names), not by a label with a letter."""
    dialog = _dialog(qtbot, app, coordinator)
    dialog.setProperty("no_shots", True)
    assert audit(dialog) == []
    _checked_up_to_the_result(qtbot, dialog, _workbook(tmp_path / "e.xlsx", _people()), monkeypatch)
    assert audit(dialog) == []
    dialog.back_to_columns()
    combos = re.compile(r"field field\d+ has no label buddy")
    assert [p for p in audit(dialog) if not combos.fullmatch(p)] == []


def test_a_csv_from_excel_shows_its_columns_without_a_sheet_to_choose(
    qtbot: QtBot,
    app: App,
    post: PostSummary,
    coordinator: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Semicolons and the Windows code page, as Excel in Indonesia saves a CSV."""
    lines = ["NIK;Nama;Tgl Lahir;JK;Desa"]
    born = date(1985, 7, 1)
    lines.append(f"{make_nik(born, 'L', 21)};Ahmad Fauzi;01-07-1985;L;Sampiran")
    lines.append(f"{make_nik(born, 'P', 22)};Neneng Sulastri;41-07-1985;P;Sampiran")
    path = tmp_path / "daftar.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    dialog = _dialog(qtbot, app, coordinator)
    dialog.setProperty("no_shots", True)
    _choose(qtbot, dialog, path, monkeypatch)
    assert not dialog.sheet_combo.isVisible()
    assert dialog.mapping_table.mapping().missing() == []  # every required column guessed
    assert "2 baris" in dialog.file_message.text()
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert "1 akan didaftarkan" in dialog.summary.text()
    assert "1 ditolak" in dialog.summary.text()  # 41-07-1985 is no date
