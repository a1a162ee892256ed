"""The main window's cards: a scanned card's answer over the list, and printing cards.

``CardActions`` is a part of ``MainWindow`` (a mixin): a scanned card opens its participant
and says what the card is; a card printed asks a reprint's reason first. The participant
view shows a card recorded by itself (the change notices), never told by this window.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QWidget,
)

from rumah_perisai.app import App
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.volunteers import Actor

if TYPE_CHECKING:
    from rumah_perisai.printing.cards import PreparedCards
    from rumah_perisai.services.cards import CardScan
    from rumah_perisai.ui.participant_dialog import ParticipantDialog


class CardBanner(QFrame):
    """A scanned card's answer over the list, red unless the card may be taken, until the
    volunteer dismisses it (the modal message in front says the same)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardBanner")
        self.text = QLabel()
        self.text.setObjectName("cardBannerText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.button = QPushButton()
        self.button.setObjectName("dismissCard")
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.button.setText(tr("Dis&miss warning"))

    def say(self, message: str, good: bool) -> None:
        colours = ("#0d47a1", "#e3f2fd") if good else ("#b71c1c", "#ffebee")
        self.setStyleSheet(  # the frame's colour does not reach its label: both named
            f"#cardBanner {{ background: {colours[1]}; border: 2px solid {colours[0]}; }} "
            f"#cardBannerText {{ color: {colours[0]}; font-weight: bold; padding: 4px; }}"
        )
        self.text.setText(message)
        self.show()


class CardActions(QMainWindow):
    """Scanning and printing cards, for ``MainWindow``."""

    _app: App
    actor: Actor
    search_box: QLineEdit
    result_count: QLabel
    card_banner: CardBanner
    card_warning: QMessageBox | None
    card_dialog: QDialog
    last_question: QDialog | None
    last_scan: CardScan
    participant_dialog: ParticipantDialog
    if TYPE_CHECKING:  # the window's own, for the type checker only

        def today(self) -> date: ...
        def search_now(self) -> None: ...
        def open_participant(self, participant_id: int) -> None: ...
        def card_offset(self) -> tuple[float, float]: ...

    def scan_card(self, text: str) -> None:
        """A scanned card: a current one opens its participant ready to take dues, as before.
        Any other answer stays on screen until dismissed, saying what the card is and what to
        do; a withdrawn, rejected or replaced card still opens its registration beneath."""
        from rumah_perisai.services.cards import CardState, check_card

        self.search_box.clear()
        self.search_now()  # at once: no search pending behind the answer
        scan = check_card(self._app.db, text)
        self.last_scan = scan
        message = scan.message(scan.name)
        self.dismiss_card_warning()
        if scan.participant_id is not None:
            self.open_participant(scan.participant_id)
            self.participant_dialog.set_notice(message, scan.current)
        if scan.state is CardState.CURRENT:
            self.participant_dialog.focus_pay()  # Enter: take dues
            return
        self.card_banner.say(message, scan.current)
        self.card_warning = self._card_warning(scan, message)

    def dismiss_card_warning(self) -> None:
        """The card banner's button (or the next scan) puts the last card's answer away."""
        self.card_banner.hide()
        if self.card_warning is not None:
            self.card_warning.close()
            self.card_warning = None

    def _card_warning(self, scan: CardScan, message: str) -> QMessageBox:
        """Modal over every window, so it cannot go unseen behind the participant's view;
        another post's card that may be taken is information, anything else a warning."""
        from rumah_perisai.services.cards import STATE_LABEL

        icon = QMessageBox.Icon.Information if scan.current else QMessageBox.Icon.Warning
        title = tr("Card check: {state}", state=tr(STATE_LABEL[scan.state]))
        parent = self.participant_dialog if scan.participant_id is not None else self
        box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, parent)
        box.setWindowModality(Qt.WindowModality.ApplicationModal)
        box.show()
        return box

    def print_card(self, participant_id: int, reason: str = "first", note: str = "") -> None:
        """Draw a participant's card and show the preview; a reprint asks for its reason."""
        from rumah_perisai.printing.cards import prepare_cards
        from rumah_perisai.ui.card_dialog import CardDialog, ReprintReasonDialog

        try:
            prepared = prepare_cards(
                self._app.db,
                self._app.folder,
                [participant_id],
                reason=reason,
                note=note,
                offset_mm=self.card_offset(),
            )
        except UserError as error:
            if error.key == "reprint_needs_reason" and reason == "first":
                asked = ReprintReasonDialog(error.message(), self)
                self.last_question = asked
                if asked.exec():
                    self.print_card(participant_id, asked.reason)
                return
            QMessageBox.warning(self, tr("Cannot continue"), error.message())
            return
        dialog = CardDialog(self._app.db, prepared, self.actor, self)
        self.card_dialog = dialog
        dialog.open()

    def print_cards_of_today(self) -> None:
        """Everyone registered today without a card, on A4 sheets of ten, drawn off the GUI
        thread (with progress and Cancel)."""
        from rumah_perisai.printing.cards import prepare_cards
        from rumah_perisai.services.cards import without_card_registered_on
        from rumah_perisai.ui.card_dialog import CardDialog
        from rumah_perisai.ui.operations import run_op_in_background

        ids = without_card_registered_on(self._app.db, self.today())
        if not ids:
            self.result_count.setText(tr("Everyone registered today has a card."))
            return
        db, folder, offset = self._app.db, self._app.folder, self.card_offset()

        def show(prepared: PreparedCards) -> None:
            self.card_dialog = CardDialog(db, prepared, self.actor, self)
            self.card_dialog.open()

        run_op_in_background(
            self,
            tr("Drawing cards…"),
            lambda progress: prepare_cards(
                db, folder, ids, sheet=True, offset_mm=offset, progress=progress
            ),
            success=show,
        )
