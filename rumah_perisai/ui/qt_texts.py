"""Qt's own words (OK/Cancel of its dialogs, its file dialog, the copy-paste menu of a text
field) in the program's language.

Qt ships no Indonesian catalogue, so without this a volunteer met "Look in:", "File name:" and
"Cancel" in an Indonesian program. The texts go through our gettext catalogue like any other:
one translator, installed once on the application, asks ``tr`` for each of Qt's texts it knows
and leaves the rest to Qt.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from rumah_perisai.i18n import N_, language, tr

# Qt's source texts the program's windows can show, by Qt's translation context. The same
# English word may be a button in one context and a column in another.
QT_TEXTS: dict[str, tuple[str, ...]] = {
    "QPlatformTheme": (
        N_("OK"), N_("Save"), N_("Save All"), N_("Open"), N_("&Yes"), N_("Yes to &All"),
        N_("&No"), N_("N&o to All"), N_("Abort"), N_("Retry"), N_("Ignore"), N_("Close"),
        N_("Cancel"), N_("Discard"), N_("Help"), N_("Apply"), N_("Reset"),
        N_("Restore Defaults"),
    ),
    "QDialogButtonBox": (N_("OK"), N_("Cancel"), N_("Close"), N_("Save"), N_("Open")),
    "QMessageBox": (N_("Show Details..."), N_("Hide Details..."), N_("OK")),
    "QInputDialog": (N_("Enter a value:"),),
    "QFileDialog": (
        N_("Look in:"), N_("&Look in:"), N_("File &name:"), N_("Files of type:"),
        N_("Files of &type:"), N_("&Open"), N_("&Save"),
        N_("&Choose"), N_("Open"), N_("Save"), N_("Cancel"), N_("Back"), N_("Forward"),
        N_("Parent Directory"), N_("Create New Folder"), N_("List View"), N_("Detail View"),
        N_("New Folder"), N_("&New Folder"), N_("&Rename"), N_("&Delete"),
        N_("Show &hidden files"), N_("Directory:"), N_("Directories"), N_("All Files (*)"),
        N_("All Files (*.*)"), N_("Recent Places"), N_("My Computer"), N_("Computer"),
        N_("Find Directory"), N_("Save As"), N_("File Folder"), N_("Folder"), N_("Alias"),
        N_("Shortcut"), N_("Unknown"), N_("Go back"), N_("Go forward"),
        N_("Go to the parent directory"), N_("Create a New Folder"),
        N_("Change to list view mode"), N_("Change to detail view mode"), N_("Sidebar"),
        N_("List of places and bookmarks"), N_("Files"), N_("Remove"), N_("File"),
        N_("Are you sure you want to delete '%1'?"),
        N_("%1 already exists.\nDo you want to replace it?"),
        N_("%1\nFile not found.\nPlease verify the correct file name was given."),
        N_("%1\nDirectory not found.\nPlease verify the correct directory name was given."),
        N_("'%1' is write protected.\nDo you want to delete it anyway?"),
        N_("Could not delete directory."),
    ),
    "QAbstractFileIconProvider": (N_("Drive"), N_("Folder"), N_("File"), N_("Unknown")),
    "QFileSystemModel": (
        N_("Name"), N_("Size"), N_("Kind"), N_("Type"), N_("Date Modified"),
        N_("My Computer"), N_("Computer"),
    ),
    "QLineEdit": (
        N_("&Undo"), N_("&Redo"), N_("Cu&t"), N_("&Copy"), N_("&Paste"), N_("Delete"),
        N_("Select All"),
    ),
    "QWidgetTextControl": (
        N_("&Undo"), N_("&Redo"), N_("Cu&t"), N_("&Copy"), N_("&Paste"), N_("Delete"),
        N_("Select All"), N_("Copy &Link Location"),
    ),
    "QAbstractSpinBox": (N_("&Select All"), N_("&Step up"), N_("Step &down")),
}  # fmt: skip


class QtTexts(QTranslator):
    """Answers Qt's own texts from the program's catalogue, in the language chosen now (a
    change of language in the window takes effect at the next dialog)."""

    def __init__(self) -> None:
        super().__init__()
        self._known = {(context, text) for context, texts in QT_TEXTS.items() for text in texts}

    def translate(
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        del disambiguation, n
        if language() == "en" or (context, source_text) not in self._known:
            return None  # Qt's own text ("" would be a translation: an empty one)
        return tr(source_text)

    def isEmpty(self) -> bool:
        return False


_installed: list[QtTexts] = []  # kept alive: Qt holds only a pointer


def apply_qt_locale() -> None:
    """Qt's own dates and numbers (a file dialog's "Tanggal diubah", a month's name in a date
    field) as the program's language writes them; again after the language is changed."""
    QLocale.setDefault(QLocale(QT_LOCALES.get(language(), "id_ID")))


QT_LOCALES = {"id": "id_ID", "en": "en_ID"}


def install_qt_texts() -> None:
    """Once per application."""
    app = QCoreApplication.instance()
    apply_qt_locale()
    if app is None or _installed:
        return
    translator = QtTexts()
    app.installTranslator(translator)
    _installed.append(translator)
