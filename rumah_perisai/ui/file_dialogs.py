"""Choosing a file or a folder: where the dialog starts and which name it suggests.

A save dialog starts in the last folder used for that kind of file (cards, receipts, daily
summaries…), else in the user's Documents — never in the program's own folder, where a
volunteer would not find the file again. The suggested name says which card, receipt or report
it is, by its number or its date (``kartu-RP3209A-000123.pdf``), never by a person's name: file
names show in the Recent list, on the USB stick and in e-mails.

The last folder of each kind is remembered per Windows account (QSettings), not in the post's
database: it is a fact about this computer, not about the post.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

GROUP = "last_folders"

_settings_file: Path | None = None


def use_settings_file(path: Path | None) -> None:
    """Remember folders in the INI file ``path`` (tests; None: the account's own settings)."""
    global _settings_file
    _settings_file = path


def _settings() -> QSettings:
    if _settings_file is not None:
        return QSettings(str(_settings_file), QSettings.Format.IniFormat)
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Rumah Perisai", "file-dialogs"
    )


def documents_folder() -> Path:
    """The user's Documents (the home folder if the system names none)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()


def last_folder(kind: str) -> Path | None:
    """The folder last used for ``kind``, if it is still there (a USB stick may be gone)."""
    value = _settings().value(f"{GROUP}/{kind}")
    if not isinstance(value, str) or not value:
        return None
    folder = Path(value)
    return folder if folder.is_dir() else None


def remember_folder(kind: str, folder: Path) -> None:
    settings = _settings()
    settings.setValue(f"{GROUP}/{kind}", str(folder))
    settings.sync()


def start_folder(kind: str) -> Path:
    """Where a dialog for ``kind`` opens: the last folder used for it, else Documents."""
    return last_folder(kind) or documents_folder()


def _run(dialog: QFileDialog, kind: str) -> Path | None:
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    chosen = Path(dialog.selectedFiles()[0])
    remember_folder(kind, chosen.parent)
    return chosen


def save_dialog(
    parent: QWidget | None, title: str, suggested_name: str, filter_text: str, kind: str
) -> QFileDialog:
    """The save dialog ``save_path`` shows (built apart so its start can be checked)."""
    dialog = QFileDialog(parent, title, str(start_folder(kind) / suggested_name), filter_text)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    suffix = Path(suggested_name).suffix.lstrip(".")
    if suffix:
        dialog.setDefaultSuffix(suffix)  # "kuitansi-1" typed still becomes a PDF
    dialog.selectFile(suggested_name)
    return dialog


def save_path(
    parent: QWidget | None, title: str, suggested_name: str, filter_text: str, kind: str
) -> Path | None:
    """Ask where to save a file of ``kind``; None if the user went back. The dialog asks
    before it replaces an existing file."""
    return _run(save_dialog(parent, title, suggested_name, filter_text, kind), kind)
