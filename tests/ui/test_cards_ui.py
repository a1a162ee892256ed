"""Cards in the window: print from the participant view (recorded only when saved), the day's
sheet, and a scanned card opening its participant with what the card is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import CardIssue
from rumah_perisai.domain.card_payload import is_card_text
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.main_window import MainWindow


def _window(qtbot: QtBot, app: App, actor: Actor) -> MainWindow:
    window = MainWindow(app, actor)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _cards(app: App) -> list[CardIssue]:
    with app.db.reading() as session:
        return list(session.scalars(select(CardIssue).order_by(CardIssue.serial)))


def test_print_a_card_from_the_participant_view_then_scan_it(
    qtbot: QtBot,
    app: App,
    coordinator: Actor,
    add_participant: Callable[..., int],
    read_codes: Callable[[bytes], list[str]],
    tmp_path: Path,
) -> None:
    siti = add_participant(name="Siti Aminah")
    window = _window(qtbot, app, coordinator)
    window.open_participant(siti)
    qtbot.mouseClick(window.participant_dialog.card_button, Qt.MouseButton.LeftButton)
    preview = window.card_dialog
    assert preview.document.pageCount() == 2  # the card and its back
    preview.close()
    assert _cards(app) == []  # looked at, neither printed nor saved: nothing recorded
    window.print_card(siti)
    window.card_dialog.save_to(tmp_path / "kartu.pdf")
    (card,) = _cards(app)
    assert card.serial == 1
    window.participant_dialog.close()

    (qr,) = [t for t in read_codes((tmp_path / "kartu.pdf").read_bytes()) if is_card_text(t)]
    qtbot.keyClicks(window.search_box, qr)  # the scanner types the code, then Enter
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    view = window.participant_dialog
    assert view.detail.name == "Siti Aminah"
    assert view.notice.text() == "Kartu asli no. 1: kartu yang berlaku milik Siti Aminah."

    view.close()
    window.print_card(siti, "lost")  # a reprint, with its reason
    window.card_dialog.save_to(tmp_path / "baru.pdf")
    qtbot.keyClicks(window.search_box, qr)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert "SUDAH DIGANTI" in window.participant_dialog.notice.text()
    assert window.card_warning.isVisible()  # said over everything until the volunteer closes it
    window.card_warning.close()
    window.participant_dialog.close()
    forged = qr[:30] + ("A" if qr[30] != "A" else "B") + qr[31:]
    qtbot.keyClicks(window.search_box, forged)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert "PALSU atau telah diubah" in window.card_banner.text.text()
    assert window.card_warning is not None and window.card_warning.isVisible()


def test_the_days_new_cards_come_on_a_sheet(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int], clock: object
) -> None:
    from datetime import date

    for n in range(3):
        add_participant(name=f"Peserta {n}", registered_on=date(2026, 11, 27))
    add_participant(name="Kemarin", registered_on=date(2026, 11, 26))
    window = _window(qtbot, app, coordinator)
    window.print_cards_of_today()
    preview = window.card_dialog
    assert len(preview.prepared.serials) == 3
    assert preview.document.pageCount() == 2  # one A4 sheet of fronts, one of backs
    assert preview.document.pagePointSize(0).width() > 590  # A4, not CR80


def test_the_participant_view_lists_cards_and_marks_one_handed_over(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int], tmp_path: Path
) -> None:
    from rumah_perisai.services.settings import CARD_OFFSET_MM, set_setting

    set_setting(app.db, CARD_OFFSET_MM, [1.5, -0.5], coordinator)  # calibrated printer
    siti = add_participant(name="Siti Aminah")
    window = _window(qtbot, app, coordinator)
    assert window.card_offset() == (1.5, -0.5)
    window.open_participant(siti)
    window.print_card(siti)
    window.card_dialog.save_to(tmp_path / "kartu.pdf")
    view = window.participant_dialog
    assert view.cards.rowCount() == 1
    assert view.cards.item(0, 3).text() == "berlaku"
    qtbot.mouseClick(view.hand_over_button, Qt.MouseButton.LeftButton)
    assert view.cards.item(0, 3).text() == "berlaku, sudah diserahkan"
    assert not view.hand_over_button.isEnabled()
    assert _cards(app)[0].handed_over_at is not None


@pytest.mark.slow
def test_printing_draws_every_page_on_the_printer(
    qtbot: QtBot,
    app: App,
    coordinator: Actor,
    add_participant: Callable[..., int],
    tmp_path: Path,
    read_codes: Callable[[bytes], list[str]],
) -> None:
    """The print path, on Qt's PDF printer at its 1200 dpi (no physical printer here): each
    page printed at its real size (a card's, not stretched over the printer's A4), and the
    card's signed code scans from the printed page as from the saved file."""
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter

    siti = add_participant(name="Siti Aminah")
    window = _window(qtbot, app, coordinator)
    window.print_card(siti)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert window.card_dialog.print_to(printer)
    assert _cards(app) == []  # the caller records once the printer took it
    printed = QPdfDocument()
    printed.load(str(tmp_path / "printed.pdf"))
    card = window.card_dialog.document
    assert printed.pageCount() == card.pageCount() >= 1
    for page in range(card.pageCount()):
        assert printed.pagePointSize(page).toSize() == card.pagePointSize(page).toSize()
    codes = read_codes((tmp_path / "printed.pdf").read_bytes())
    assert codes and codes == read_codes(window.card_dialog.prepared.pdf)
