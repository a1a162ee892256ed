"""The coordinator's backups and recovery code (issue 16): File › Backup and recovery….

* The newest backups: on this laptop (kept at every daily close and when the program closes)
  and off the laptop (the post's backup stick or a second drive), with a plain warning when the
  newest off the laptop is more than a day old or there is none.
* Where the daily close writes its backup off the laptop: set (a folder on the stick or the
  second drive) or cleared.
* "Write a backup now…" (Enter) to any folder, off the GUI thread with progress and Cancel.
* "Issue a new recovery code…": the old code stops working; the new one is shown once with its
  sheet to print.

Esc closes; every refusal is one line in the dialog.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.app import App
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.backup import (
    BackupInfo,
    BackupStatus,
    backup_status,
    set_off_laptop_target,
    write_backup,
)
from rumah_perisai.services.recovery import IssuedCode, reissue_recovery_code
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.file_dialogs import documents_folder
from rumah_perisai.ui.look import ERROR_STYLE, GOOD_STYLE, WARNING_STYLE
from rumah_perisai.ui.operations import run_op, run_op_in_background
from rumah_perisai.ui.recovery_dialog import RecoveryCodeDialog


def backup_when(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return tr("none yet")
    return f"{formats.weekday_moment(moment, timezone)} {timezone}"


class BackupDialog(QDialog):
    def __init__(self, app: App, actor: Actor, timezone: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("backupDialog")
        self.setProperty("help_topic", "backup")
        self._app = app
        self._actor = actor
        self._timezone = timezone
        self.status: BackupStatus | None = None
        self.last_folder = str(documents_folder())  # at first; then the folder chosen last
        self.confirm_box: QMessageBox | None = None
        self.code_dialog: RecoveryCodeDialog | None = None
        self.setWindowTitle(tr("Backup and recovery"))
        self.setMinimumWidth(680)
        layout = QVBoxLayout(self)
        layout.addWidget(self._newest_box())
        layout.addWidget(self._target_box())
        layout.addWidget(self._code_box())
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        layout.addStretch(1)
        close = QPushButton(tr("Close &window"))
        close.setObjectName("close")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        self.write_button = QPushButton(tr("&Write a backup now…"))
        self.write_button.setObjectName("writeNow")
        self.write_button.clicked.connect(self.write_now)
        self.write_button.setDefault(True)
        row = QHBoxLayout()
        row.addWidget(close)
        row.addStretch(1)
        row.addWidget(self.write_button)
        layout.addLayout(row)
        self.refresh()
        self.resize(self.width(), layout.totalHeightForWidth(self.width()))
        self.write_button.setFocus()

    # --- layout ------------------------------------------------------------------------------
    def _newest_box(self) -> QGroupBox:
        box = QGroupBox(tr("Newest backups"))
        self.newest_local = QLabel()
        self.newest_local.setObjectName("newestLocal")
        self.newest_off = QLabel()
        self.newest_off.setObjectName("newestOffLaptop")
        self.newest_off.setWordWrap(True)
        self.stale = QLabel()
        self.stale.setObjectName("stale")
        self.stale.setWordWrap(True)
        self.stale.setStyleSheet(WARNING_STYLE)
        form = QFormLayout(box)
        form.addRow(tr("On this laptop:"), self.newest_local)
        form.addRow(tr("Off the laptop:"), self.newest_off)
        form.addRow(self.stale)
        return box

    def _target_box(self) -> QGroupBox:
        box = QGroupBox(tr("Backup off the laptop at every daily close"))
        self.target = QLabel()
        self.target.setObjectName("target")
        self.target.setWordWrap(True)
        self.target.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.set_target_button = QPushButton(tr("&Set the place…"))
        self.set_target_button.setObjectName("setTarget")
        self.set_target_button.setAutoDefault(False)
        self.set_target_button.clicked.connect(self.choose_target)
        self.clear_target_button = QPushButton(tr("&Clear the place"))
        self.clear_target_button.setObjectName("clearTarget")
        self.clear_target_button.setAutoDefault(False)
        self.clear_target_button.clicked.connect(self.clear_target)
        hint = QLabel(
            tr(
                "A folder on the post's backup stick or on a second drive: keep it plugged in "
                "at the daily close. Keep the stick away from the laptop afterwards."
            )
        )
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.target, 1)
        buttons.addWidget(self.set_target_button)
        buttons.addWidget(self.clear_target_button)
        layout = QVBoxLayout(box)
        layout.addLayout(buttons)
        layout.addWidget(hint)
        return box

    def _code_box(self) -> QGroupBox:
        box = QGroupBox(tr("Recovery code"))
        text = QLabel(
            tr(
                "The code on the sheet in the sealed envelope opens the post's backups. If the "
                "sheet is lost or someone else may have seen it, issue a new code: the old one "
                "stops working at once."
            )
        )
        text.setWordWrap(True)
        self.reissue_button = QPushButton(tr("Issue a &new recovery code…"))
        self.reissue_button.setObjectName("reissue")
        self.reissue_button.setAutoDefault(False)
        self.reissue_button.clicked.connect(self.ask_reissue)
        layout = QHBoxLayout(box)
        layout.addWidget(text, 1)
        layout.addWidget(self.reissue_button, 0, Qt.AlignmentFlag.AlignTop)
        return box

    # --- what is shown -----------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            self.status = status = backup_status(self._app)
        except UserError as error:
            self.say(error.message(), good=False)
            return
        self.newest_local.setText(backup_when(status.newest_local, self._timezone))
        self.newest_off.setText(backup_when(status.newest_off_laptop, self._timezone))
        warning = off_laptop_warning(status, self._timezone)
        self.stale.setText(warning)
        self.stale.setVisible(bool(warning))
        if status.off_laptop_target is None:
            self.target.setText(
                tr("Not set: the daily close keeps its backup on this laptop only.")
            )
        else:
            self.target.setText(str(status.off_laptop_target))
        self.clear_target_button.setEnabled(status.off_laptop_target is not None)

    def say(self, text: str, *, good: bool) -> None:
        self.message.setStyleSheet(GOOD_STYLE if good else ERROR_STYLE)
        self.message.setText(text)

    # --- actions -------------------------------------------------------------------------------
    def _ask_folder(self, title: str) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, title, self.last_folder)
        if not chosen:
            return None
        self.last_folder = chosen
        return Path(chosen)

    def write_now(self) -> None:
        """Enter: a full backup into the folder chosen, read back and checked."""
        out_dir = self._ask_folder(tr("Choose the folder for the backup"))
        if out_dir is None:
            return
        app = self._app
        outcome = run_op_in_background(
            self,
            tr("Writing the backup…"),
            lambda progress: write_backup(app, out_dir, "manual", progress=progress),
            success=self._written,
            failure=self._backup_refused,
            boxed=False,  # in the dialog's own line
        )
        if outcome.cancelled:
            self.refresh()
            self.say(tr("Stopped: no backup was written."), good=False)

    def _backup_refused(self, error: UserError) -> None:
        self.refresh()
        self.say(error.message(), good=False)

    def _written(self, info: BackupInfo) -> None:
        self.refresh()
        self.say(
            tr(
                "Backup written and checked: {path} ({size} MB).",
                path=str(info.path),
                size=formats.number(max(1, round(info.size / 1_000_000))),
            ),
            good=True,
        )

    def choose_target(self) -> None:
        folder = self._ask_folder(tr("Choose the folder off the laptop for the daily backups"))
        if folder is not None:
            self._set_target(folder)

    def clear_target(self) -> None:
        self._set_target(None)

    def _set_target(self, folder: Path | None) -> None:
        run_op(
            self,
            lambda: set_off_laptop_target(self._app, folder, self._actor),
            success=lambda _done: self._target_set(folder),
            failure=lambda error: self.say(error.message(), good=False),
            boxed=False,
        )

    def _target_set(self, folder: Path | None) -> None:
        self.refresh()
        if folder is None:
            self.say(tr("The daily close now keeps its backup on this laptop only."), good=False)
        else:
            self.say(
                tr("The daily close will also write its backup to {path}.", path=str(folder)),
                good=True,
            )

    def ask_reissue(self) -> None:
        """A new code only when asked twice: the old sheet in the envelope stops working."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("Issue a new recovery code"),
            tr(
                "The code on the sheet in the envelope will stop working at once. Issue a new "
                "code and print its sheet now?"
            ),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("confirmReissue")
        issue = box.addButton(tr("Issue a new code"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: self.reissue() if box.clickedButton() is issue else None)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.confirm_box = box
        box.open()

    def reissue(self) -> None:
        run_op(
            self,
            lambda: reissue_recovery_code(self._app, self._actor),
            success=self._reissued,
            failure=lambda error: self.say(error.message(), good=False),
            boxed=False,
        )

    def _reissued(self, issued: IssuedCode) -> None:
        self.say(tr("A new recovery code was issued; the old one no longer works."), good=True)
        intro = tr(
            "This is the post's new recovery code. The old one no longer works: destroy its sheet."
        )
        self.code_dialog = RecoveryCodeDialog(issued.sheet, intro, self)
        self.code_dialog.open()


def off_laptop_warning(status: BackupStatus, timezone: str) -> str:
    """The one line the main window's banner and this dialog say while the newest backup off
    the laptop is more than a day old, or there is none, or no place is set, or the last
    automatic backup failed; else ""."""
    if status.last_error:
        return tr("The last backup failed: {reason}", reason=status.last_error)
    if status.off_laptop_target is None:
        return tr(
            "No place off the laptop is set for backups: if the laptop is lost or broken, the "
            "data goes with it. A coordinator sets it in File › Backup and recovery."
        )
    if status.newest_off_laptop is None:
        return tr(
            "No backup has been written off the laptop yet: plug in the backup stick and close "
            "the day, or write a backup now."
        )
    if status.off_laptop_stale:
        return tr(
            "The newest backup off the laptop is from {when}, more than a day ago: plug in the "
            "backup stick at the daily close.",
            when=backup_when(status.newest_off_laptop, timezone),
        )
    return ""
