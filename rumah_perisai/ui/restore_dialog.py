"""Restore a post from a backup file on a new laptop (issue 16): the first-run screen's
"Restore from a backup".

The volunteer chooses the file (from the post's backup stick, or the one the branch re-issued),
sees what it is — whose post, made when, and what it cannot hold (receipts printed after it are
on the post's paper halves) — types the recovery code or the branch's one-time code, and presses
Enter. The restore runs off the GUI thread behind a progress bar; every refusal (wrong code,
another post's backup, a damaged or cut file, one from a newer program) is one line in the
dialog and changes nothing. A restore with the branch's one-time code gives the post a new
recovery code, shown once here with its sheet to print.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai.config import DataFolder
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.backup import (
    BackupHeader,
    RestoreResult,
    read_backup_header,
    restore_backup,
)
from rumah_perisai.services.recovery import RecoverySheet
from rumah_perisai.services.restore import not_held_message
from rumah_perisai.tasks import Cancelled, Progress
from rumah_perisai.ui.buttons import cancel_and
from rumah_perisai.ui.look import ERROR_STYLE, GOOD_STYLE
from rumah_perisai.ui.operations import run_op_in_background
from rumah_perisai.ui.recovery_dialog import RecoveryCodeDialog

KIND_NAMES = {
    "daily": N_("the daily close's backup"),
    "close": N_("the backup made when the program closed"),
    "batch": N_("the backup written beside a weekly batch"),
    "manual": N_("a backup a coordinator wrote"),
}


def describe(header: BackupHeader) -> str:
    """What the file is and what it does not hold, in plain words (rich text)."""
    title = tr("Backup of post {code} · {name}", code=header.post_code, name=header.post_name)
    kind = KIND_NAMES.get(header.kind)
    lines = [f"<b>{html.escape(title)}</b>" + (f" ({html.escape(tr(kind))})" if kind else "")]
    lines.append(html.escape(not_held_message(header.created_at, header.timezone)))
    if header.recovered:
        lines.append(
            html.escape(tr("The branch prepared this file: type the one-time code it gave you."))
        )
    return "<br>".join(lines)


class _Stages:
    """The restore's progress in words; from the swap on the restore is decided (its mark is
    written), so Cancel there is no longer heard: stopping would only defer the swap to the
    next start while the dialog said nothing was restored."""

    TEXTS = {
        "check": N_("Checking the backup file…"),
        "code": N_("Opening it with the code…"),
        "decrypt": N_("Decrypting the post's data…"),
        "database": N_("Checking the restored database…"),
        "swap": N_("Putting the restored post in place…"),
    }

    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def step(self, done: int, total: int, text: str = "") -> None:
        label = tr(self.TEXTS[text]) if text in self.TEXTS else ""
        if text == "swap":
            with contextlib.suppress(Cancelled):
                self._progress.step(done, total, label)
            return
        self._progress.step(done, total, label)


class RestoreDialog(QDialog):
    """File, what it is, code, Restore (Enter); Esc cancels. ``before_restore`` lets go of the
    data folder's database (the window's connections) just before the restore replaces it."""

    def __init__(
        self,
        folder: DataFolder,
        before_restore: Callable[[], None] = lambda: None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setProperty("help_topic", "restore")
        self._folder = folder
        self._before_restore = before_restore
        self.header: BackupHeader | None = None
        self.result_value: RestoreResult | None = None
        self.code_dialog: RecoveryCodeDialog | None = None
        self.setWindowTitle(tr("Restore the post from a backup"))
        self.setMinimumWidth(640)

        intro = QLabel(
            tr(
                "Choose the post's newest backup file: on the post's backup stick, or the file "
                "the branch prepared. Then type the recovery code from the sealed envelope, or "
                "the one-time code from the branch."
            )
        )
        intro.setWordWrap(True)
        self.file = QLineEdit()
        self.file.setObjectName("backupFile")
        self.file.setPlaceholderText(tr("e.g. E:\\RP3209A-20261205T090200Z-daily.rpbackup"))
        self.file.editingFinished.connect(self._file_typed)
        self.choose_button = QPushButton(tr("C&hoose…"))
        self.choose_button.setObjectName("chooseFile")
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.choose_button)
        self.about = QLabel()
        self.about.setObjectName("about")
        self.about.setWordWrap(True)
        self.code = QLineEdit()
        self.code.setObjectName("code")
        self.code.setPlaceholderText("7KQ2M-9XD4A-…")
        self.code.setMaxLength(64)
        code_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        code_font.setPointSizeF(max(code_font.pointSizeF(), self.font().pointSizeF()) * 1.2)
        self.code.setFont(code_font)  # each character as wide as the next, as on the sheet
        self.code.returnPressed.connect(self.restore)
        file_label = QLabel(tr("Backup &file:"))
        file_label.setBuddy(self.file)
        code_label = QLabel(tr("&Code:"))
        code_label.setBuddy(self.code)
        # A grid, not a form: the file's description wraps over as many lines as it needs.
        grid = QGridLayout()
        grid.addWidget(file_label, 0, 0)
        grid.addLayout(file_row, 0, 1)
        grid.addWidget(self.about, 1, 1)
        grid.addWidget(code_label, 2, 0)
        grid.addWidget(self.code, 2, 1)
        grid.setColumnStretch(1, 1)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.restore_button = QPushButton(tr("&Restore"))
        self.restore_button.setObjectName("restore")
        self.restore_button.clicked.connect(self.restore)

        self._layout = layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(cancel_and(self, self.restore_button))
        cancel = self.findChild(QPushButton, "cancel")
        if cancel is not None:  # its own Alt+letter: B is the file's, P the restore's
            cancel.setText(tr("C&ancel the restore"))
        self.file.setFocus()

    # --- the file --------------------------------------------------------------------------
    def choose_file(self) -> None:
        start = str(Path(self.file.text()).parent) if self.file.text() else ""
        path, _filter = QFileDialog.getOpenFileName(
            self, tr("Choose the backup file"), start, tr("Rumah Perisai backup (*.rpbackup)")
        )
        if path:
            self.set_file(Path(path))

    def _file_typed(self) -> None:
        text = self.file.text().strip().strip('"')
        if text and (self.header is None or Path(text) != self.header.path):
            self.set_file(Path(text))

    def set_file(self, path: Path) -> bool:
        """Read the file's header and show what it is; a file that is no whole backup is said
        in one line. The code field is next."""
        self.file.setText(str(path))
        self.header = None
        self.about.clear()
        try:
            self.header = read_backup_header(path)
        except UserError as error:
            self.say(error.message(), good=False)
            self.file.setFocus()
            self.file.selectAll()
            return False
        self.about.setText(describe(self.header))
        self._fit()
        self.message.clear()
        self.code.setFocus()
        return True

    # --- the restore -----------------------------------------------------------------------
    def say(self, text: str, *, good: bool) -> None:
        self.message.setStyleSheet(GOOD_STYLE if good else ERROR_STYLE)
        self.message.setText(text)
        self._fit()

    def _fit(self) -> None:
        """Taller when a text grew (the file's description, a refusal): never cut."""
        self._layout.activate()
        wanted = self._layout.totalHeightForWidth(self.width())
        if wanted > self.height():
            self.resize(self.width(), wanted)

    def restore(self) -> None:
        """Enter: restore off the GUI thread; a refusal is one line here and nothing changed."""
        if self.header is None:
            typed = self.file.text().strip().strip('"')
            if not typed:
                self.say(tr("Choose the backup file first."), good=False)
                self.file.setFocus()
                return
            if not self.set_file(Path(typed)):
                return
        assert self.header is not None
        if not self.code.text().strip():
            self.say(tr("Type the recovery code or the branch's one-time code."), good=False)
            self.code.setFocus()
            return
        self._before_restore()
        folder, path, code = self._folder, self.header.path, self.code.text()
        outcome = run_op_in_background(
            self,
            tr("Restoring the post…"),
            lambda progress: restore_backup(folder, path, code, progress=_Stages(progress)),
            success=self._restored,
            failure=self._refused,
            boxed=False,  # one line here; nothing changed
        )
        if outcome.cancelled:
            self.say(tr("Stopped: nothing was restored."), good=False)

    def _refused(self, error: UserError) -> None:
        self.say(error.message(), good=False)
        self.code.setFocus()
        self.code.selectAll()

    def reject(self) -> None:
        """Esc cancels before the restore; once it is done there is nothing left to cancel."""
        if self.result_value is not None:
            self.accept()
            return
        super().reject()

    def _restored(self, restored: RestoreResult) -> None:
        """Said in the dialog with what the backup does not hold; Enter (or Esc) then opens
        the post. After the branch's one-time code, the post's new recovery code first."""
        self.result_value = restored
        self.file.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.code.clear()
        self.code.setEnabled(False)
        self.say(
            tr("Post {code} is restored.", code=restored.post_code) + " " + restored.not_held,
            good=True,
        )
        self.restore_button.clicked.disconnect()
        self.restore_button.clicked.connect(self.accept)
        self.restore_button.setText(tr("&Open the post"))
        cancel = self.findChild(QPushButton, "cancel")
        if cancel is not None:  # nothing left to cancel
            cancel.hide()
        self.restore_button.setFocus()
        if restored.new_recovery_code is None or self.header is None:
            return
        sheet = RecoverySheet(
            post_code=restored.post_code,
            post_name=restored.post_name,
            code=restored.new_recovery_code,
            issued_at=restored.restored_at,
            timezone=self.header.timezone,
            is_demo=self.header.demo,
        )
        intro = tr(
            "The post is restored with the branch's one-time code, which no longer works. "
            "This is the post's new recovery code: the old sheet in the envelope no longer "
            "works either."
        )
        self.code_dialog = RecoveryCodeDialog(sheet, intro, self)
        self.code_dialog.finished.connect(lambda _result: self.restore_button.setFocus())
        self.code_dialog.open()
