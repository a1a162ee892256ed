"""The weekly batch page's keys: the branch key installed (its fingerprint compared by phone)
and the post's own key file for the branch. ``KeysPart`` is a part of ``BatchesDialog``."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QPushButton,
)

from rumah_perisai.errors import UserError
from rumah_perisai.exchange.safe_write import write_file
from rumah_perisai.i18n import tr
from rumah_perisai.keys import format_fingerprint
from rumah_perisai.keys.installed import (
    install_branch_key,
    installed_branch_key,
    post_key_file_bytes,
    post_public_key,
)
from rumah_perisai.ui.batch_ack import BatchesPart, read_chosen
from rumah_perisai.ui.look import (
    ERROR_STYLE,
    GOOD_STYLE,
    WARNING_STYLE,
)
from rumah_perisai.ui.operations import run_op


def _mono(text: str) -> str:
    return f"<span style='font-family: monospace'>{html.escape(text)}</span>"


class KeysPart(BatchesPart):
    """The branch key and the post key, for ``BatchesDialog``."""

    key_message: QLabel
    branch_label: QLabel
    post_label: QLabel
    install_button: QPushButton

    def show_keys(self) -> None:
        branch = installed_branch_key(self._db)
        if branch is None:
            self.branch_label.setText(
                tr(
                    "No branch key installed: the weekly batch cannot be written until the "
                    "branch's key file is installed."
                )
            )
            self.branch_label.setStyleSheet(WARNING_STYLE)
            self.install_button.setEnabled(True)
            self.install_button.setToolTip("")
        else:
            self.branch_label.setText(
                "<b>"
                + html.escape(tr("Branch: {name} ({code})", name=branch.name, code=branch.code))
                + "</b><br>"
                + html.escape(tr("Fingerprint:"))
                + " "
                + _mono(format_fingerprint(branch.fingerprint))
            )
            self.branch_label.setStyleSheet("")
            # Replacing the key is the coordinator's (the service refuses anyone else).
            self.install_button.setEnabled(self._actor.is_coordinator)
            self.install_button.setToolTip(
                ""
                if self._actor.is_coordinator
                else tr("Only a coordinator replaces the branch key.")
            )
        post = post_public_key(self._db)
        self.post_label.setText(
            html.escape(tr("This post: {name} ({code})", name=post.name, code=post.code))
            + "<br>"
            + html.escape(tr("Fingerprint:"))
            + " "
            + _mono(format_fingerprint(post.fingerprint))
        )

    # --- keys --------------------------------------------------------------------------------
    def ask_branch_key(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, tr("Install the branch key file"), self.last_folder, tr("Key files (*.json)")
        )
        if path:
            self.last_folder = str(Path(path).parent)
            self.install_key_file(Path(path))

    def install_key_file(self, path: Path) -> None:
        done = run_op(
            self,
            lambda: install_branch_key(self._db, read_chosen(path), self._actor),
            failure=self._key_refused,
            wait=False,
        )
        if done.value is None:
            self.message_box = done.box
            return
        installed = done.value
        key = installed.key
        shown = format_fingerprint(key.fingerprint)
        if installed.unchanged:
            text = tr(
                "This branch key was installed already: {name}, fingerprint {fp}",
                name=key.name,
                fp=shown,
            )
        elif installed.replaced is not None:
            text = tr(
                "Branch key of {name} installed in place of {old}. Fingerprint: {fp}",
                name=key.name,
                old=format_fingerprint(installed.replaced.fingerprint),
                fp=shown,
            )
        else:
            text = tr("Branch key of {name} installed. Fingerprint: {fp}", name=key.name, fp=shown)
        text += "\n" + tr(
            "Compare the fingerprint with the branch by phone before the first batch."
        )
        self.show_key_message(text, good=True)

    def _key_refused(self, error: UserError) -> None:
        self.show_key_message(error.message(), good=False)

    def show_key_message(self, text: str, *, good: bool) -> None:
        self.key_message.setText(text)
        self.key_message.setStyleSheet(GOOD_STYLE if good else ERROR_STYLE)
        self.key_message.show()

    def ask_save_post_key(self) -> None:
        post = post_public_key(self._db)
        start = str(Path(self.last_folder) / f"{post.code}-post-public-key.json")
        path, _filter = QFileDialog.getSaveFileName(
            self, tr("Save the post key file"), start, tr("Key files (*.json)")
        )
        if path:
            self.last_folder = str(Path(path).parent)
            self.save_post_key(Path(path))

    def save_post_key(self, path: Path) -> Path | None:
        done = run_op(
            self,
            lambda: write_file(
                path.parent, path.name, post_key_file_bytes(self._db, self._folder.keys)
            ),
            failure=self._key_refused,
            wait=False,
        )
        if done.value is None:
            self.message_box = done.box
            return None
        written = done.value
        fp = format_fingerprint(post_public_key(self._db).fingerprint)
        self.show_key_message(
            tr(
                "Post key file saved: {path}. Give it to the branch and read them the "
                "fingerprint {fp} by phone.",
                path=str(written),
                fp=fp,
            ),
            good=True,
        )
        return written
