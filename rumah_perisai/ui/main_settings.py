"""The main window's settings questions: idle lock, the card printer's offset, the receipt
layout. ``SettingsQuestions`` is a part of ``MainWindow`` (a mixin); a saved setting reaches
whoever shows it by the change notices ("settings")."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QInputDialog,
    QMainWindow,
)

from rumah_perisai.app import App
from rumah_perisai.i18n import tr
from rumah_perisai.services.settings import (
    CARD_OFFSET_MM,
    IDLE_MINUTES,
    RECEIPT_LAYOUT,
    get_setting,
    set_setting,
)
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.question import ask


class SettingsQuestions(QMainWindow):
    """One-field questions whose answer is a setting, for ``MainWindow``."""

    idle_minutes_changed: Signal
    _app: App
    actor: Actor
    last_question: QDialog | None

    def ask_idle_minutes(self) -> None:
        current = int(get_setting(self._app.db, IDLE_MINUTES))
        question = self.question(
            tr("Lock after idle time"),
            tr("Ask who is working after this many &minutes without use:"),
            tr("&Save"),
        )
        question.setIntRange(1, 240)
        question.setIntValue(current)
        if question.exec():
            self.set_idle_minutes(question.intValue())

    def card_offset(self) -> tuple[float, float]:
        x, y = get_setting(self._app.db, CARD_OFFSET_MM)
        return float(x), float(y)

    def ask_card_offset(self) -> None:
        x, y = self.card_offset()
        right = self._offset_question(tr("Move to the &right by (mm, negative: left):"), x)
        right.setOkButtonText(tr("&Next"))
        if not right.exec():
            return
        down = self._offset_question(tr("Move &down by (mm, negative: up):"), y)
        if down.exec():
            offset = [right.doubleValue(), down.doubleValue()]
            set_setting(self._app.db, CARD_OFFSET_MM, offset, self.actor)

    def _offset_question(self, label: str, value: float) -> QInputDialog:
        question = self.question(tr("Card printer offset"), label, tr("&Save"))
        question.setDoubleDecimals(1)
        question.setDoubleRange(-20, 20)
        question.setDoubleValue(value)
        return question

    def question(self, title: str, label: str, action: str) -> QInputDialog:
        """A one-field question whose button says its action ("Simpan", "Cetak ulang"), not
        "OK", and whose label carries the field's Alt key. Kept as ``last_question`` (tests)."""
        question = ask(self, title, label, action)
        self.last_question = question
        return question

    def ask_receipt_layout(self) -> None:
        """The paper receipts are printed on: one Alt letter per layout, Enter saves."""
        from rumah_perisai.ui.receipt_dialog import ReceiptLayoutDialog

        asked = ReceiptLayoutDialog(str(get_setting(self._app.db, RECEIPT_LAYOUT)), self)
        self.last_question = asked
        if asked.exec():
            self.set_receipt_layout(asked.layout_code)

    def set_receipt_layout(self, layout: str) -> None:
        set_setting(self._app.db, RECEIPT_LAYOUT, layout, self.actor)

    def set_idle_minutes(self, minutes: int) -> None:
        set_setting(self._app.db, IDLE_MINUTES, minutes, self.actor)
        self.idle_minutes_changed.emit(minutes)
