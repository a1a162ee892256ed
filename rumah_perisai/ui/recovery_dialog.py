"""The post's recovery code, shown once, and its sheet for the sealed envelope (issue 16).

The code is shown when the post is set up, after a restore with the branch's one-time code, and
when a coordinator issues a new one; it is never stored in clear, so this is the only time it
can be read. The dialog offers the one-page sheet (preview, then Print…) and will not close on
the first Esc before the code was printed or its keeper says it was written down: a second Esc
closes it anyway.

The sheet cannot be saved as a file: a PDF with the code left on the post's laptop or a stick
would sit beside the very data it opens.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai.i18n import N_, tr
from rumah_perisai.printing.recovery_sheet import recovery_sheet_pdf
from rumah_perisai.services.recovery import RecoverySheet
from rumah_perisai.ui.look import ERROR_STYLE
from rumah_perisai.ui.pdf_preview import PdfDialog

PRINT_SHEET = N_("&Print the recovery sheet…")


class RecoverySheetDialog(PdfDialog):
    """The sheet's preview with Print… (no Save as PDF: see the module's docstring)."""

    def __init__(self, sheet: RecoverySheet, parent: QWidget | None = None) -> None:
        super().__init__(tr("Recovery sheet"), parent)
        self.setObjectName("recoverySheetDialog")
        self.printed = False
        self.save_button.hide()
        self.show_pdf(recovery_sheet_pdf(sheet), f"pemulihan-{sheet.post_code}.pdf")
        self.info.setText(
            tr(
                "Print it, check that the code on paper is readable, and keep it in a sealed "
                "envelope away from the laptop."
            )
        )
        self.info.show()

    def print_to(self, printer: QPrinter) -> bool:
        self.printed = super().print_to(printer)
        return self.printed


class RecoveryCodeDialog(QDialog):
    """The code in large type, Print the recovery sheet… (Enter), and Done."""

    def __init__(self, sheet: RecoverySheet, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryCodeDialog")
        self.sheet = sheet
        self.sheet_dialog: RecoverySheetDialog | None = None
        self._warned = False
        self.setWindowTitle(tr("Recovery code of post {code}", code=sheet.post_code))
        self.setProperty("help_topic", "backup")
        self.setMinimumWidth(620)

        intro_label = QLabel(intro)
        intro_label.setObjectName("intro")
        intro_label.setWordWrap(True)
        self.code = QLabel(sheet.code)
        self.code.setObjectName("recoveryCode")
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(18.0, font.pointSizeF() * 1.8))
        font.setWeight(QFont.Weight.Bold)
        self.code.setFont(font)
        self.code.setStyleSheet(
            "#recoveryCode { border: 2px solid #1b5e20; background: #f1f8e9; padding: 10px; }"
        )
        once = QLabel(
            tr(
                "This code is shown only now. Print the sheet (or write the code down by hand) "
                "and keep it in a sealed envelope away from the laptop."
            )
        )
        once.setWordWrap(True)
        self.written = QCheckBox(tr("I have &written the code down or printed the sheet"))
        self.written.setObjectName("written")
        self.written.toggled.connect(self._update_buttons)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)

        self.print_button = QPushButton(tr(PRINT_SHEET))
        self.print_button.setObjectName("printSheet")
        self.print_button.clicked.connect(self.print_sheet)
        self.done_button = QPushButton(tr("&Done"))
        self.done_button.setObjectName("done")
        self.done_button.clicked.connect(self.finish)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addWidget(self.code)
        layout.addWidget(once)
        layout.addWidget(self.written)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self._update_buttons()
        self.resize(self.width(), layout.totalHeightForWidth(self.width()))
        self.print_button.setFocus()

    @property
    def kept(self) -> bool:
        """Printed, or its keeper says it is written down."""
        return self.written.isChecked() or (
            self.sheet_dialog is not None and self.sheet_dialog.printed
        )

    def _update_buttons(self) -> None:
        """Enter prints the sheet until the code is kept, then it is Done."""
        self.done_button.setEnabled(self.kept)
        default = self.done_button if self.kept else self.print_button
        default.setDefault(True)
        (self.print_button if self.kept else self.done_button).setDefault(False)
        if self.kept:
            self.message.clear()

    def print_sheet(self) -> None:
        self.sheet_dialog = RecoverySheetDialog(self.sheet, self)
        self.sheet_dialog.finished.connect(lambda _result: self._sheet_closed())
        self.sheet_dialog.open()

    def _sheet_closed(self) -> None:
        if self.sheet_dialog is not None and self.sheet_dialog.printed:
            self.written.setChecked(True)
        self._update_buttons()
        (self.done_button if self.kept else self.print_button).setFocus()

    def finish(self) -> None:
        if self.kept:
            self.accept()

    def reject(self) -> None:
        """Esc: closes once the code is kept; before that, the first Esc says what is lost."""
        if self.kept or self._warned:
            super().reject()
            return
        self._warned = True
        self.message.setText(
            tr(
                "The code will not be shown again. Print the sheet or write the code down "
                "first; press Esc once more to close without it."
            )
        )
