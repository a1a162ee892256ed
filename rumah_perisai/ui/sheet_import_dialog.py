"""File › Import from a spreadsheet… (issue 20; coordinators): the lists a post already keeps,
checked before anything is saved.

Three pages, in the order a coordinator works:

1. **The file**: choose an XLSX or CSV (a file that cannot be read is said in one line here,
   nothing else happens), the sheet when the workbook has several (the first with rows is
   chosen), and the columns: the file's headers over a row of combo boxes (the field each
   column fills: the remembered choice for these headers, else the service's guess) over the
   first rows. Required fields no column fills are named in red; "Check" waits for them.
2. **The check** (a dry run off the GUI thread, with progress and Cancel; nothing is saved):
   the counts in words and the service's notes, every row with its status and reason (refused
   first, filterable), "Save the result…" (the XLSX to fix and import again), a line per
   possible duplicate to import anyway with a reason, and the paper-consent confirmation that
   "Import N participants" waits for.
3. **Done**: what the import did, in words. The import is one transaction off the GUI thread;
   Cancel rolls it all back and says so.

Every rule is the service's (``services.sheet_import``); this window shows its answers. The
file's name is never shown in a title nor suggested for the result (it may name a volunteer):
the result file is named by the check's short reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.sheet_import import (
    STATUS_ORDER,
    Checked,
    Imported,
    Mapping,
    RowStatus,
    Sheet,
    check,
    field_label,
    guess_mapping,
    import_checked,
    read_sheet,
    remember_mapping,
    remembered_mapping,
    status_label,
)
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.file_dialogs import remember_folder, save_path, start_folder
from rumah_perisai.ui.look import ERROR_STYLE, GOOD_STYLE
from rumah_perisai.ui.operations import run_op, run_op_in_background
from rumah_perisai.ui.sheet_import_mapping import MappingTable
from rumah_perisai.ui.sheet_import_result import (
    DuplicatesPart,
    ResultTable,
    imported_text,
    summary_text,
)

KIND = "spreadsheets"  # the last folder a spreadsheet was chosen in (``file_dialogs``)
RESULT_KIND = "import_results"
PAGE_FILE, PAGE_CHECKED, PAGE_DONE = range(3)


@dataclass(frozen=True)
class Opened:
    """A file read: its sheets (none for a CSV) and the one shown."""

    path: Path
    names: list[str]
    sheet: Sheet


def open_file(path: Path, chosen: str | None = None) -> Opened:
    """The sheet ``chosen``, else the first with data (the service's choice: a workbook often
    starts with a title sheet); its sheets' names for the choice of another."""
    sheet = read_sheet(path, chosen)  # read once: the sheet and the names of all of them
    return Opened(path, list(sheet.names), sheet)


class SheetImportDialog(QDialog):
    def __init__(
        self, db: Database, folder: DataFolder, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sheetImportDialog")
        self.setProperty("help_topic", "sheet_import")
        self._db, self._folder, self._actor = db, folder, actor
        self.opened: Opened | None = None
        self.checked: Checked | None = None
        self.imported: Imported | None = None
        self.setWindowTitle(tr("Import from a spreadsheet"))
        self.pages = QStackedWidget()
        self.pages.addWidget(self._file_page())
        self.pages.addWidget(self._checked_page())
        self.pages.addWidget(self._done_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.resize(1040, 580)
        self._show_mapping_state()
        self.file.setFocus()

    # --- page 1: the file and its columns ---------------------------------------------------
    def _file_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        file_label = QLabel(tr("&File:"))
        self.file = QLineEdit()
        self.file.setObjectName("file")
        self.file.setPlaceholderText(tr("An Excel workbook (.xlsx) or a CSV file"))
        self.file.installEventFilter(self)  # Enter here reads the file, never checks it too
        file_label.setBuddy(self.file)
        self.choose_button = QPushButton(tr("C&hoose file…"))
        self.choose_button.setObjectName("chooseFile")
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose_file)
        self.sheet_label = QLabel(tr("Shee&t:"))
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("sheet")
        self.sheet_combo.setMinimumWidth(160)
        self.sheet_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sheet_label.setBuddy(self.sheet_combo)
        self.sheet_combo.activated.connect(self._sheet_chosen)
        row.addWidget(file_label)
        row.addWidget(self.file, 1)
        row.addWidget(self.choose_button)
        row.addWidget(self.sheet_label)
        row.addWidget(self.sheet_combo)
        layout.addLayout(row)
        self.file_message = QLabel()
        self.file_message.setObjectName("fileMessage")
        self.file_message.setWordWrap(True)
        layout.addWidget(self.file_message)
        self.missing = QLabel()
        self.missing.setObjectName("missing")
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.missing)
        self.mapping_hint = QLabel(
            tr(
                "Under each column of the file, choose what it holds (Tab moves to the next "
                "column). The first rows of the file are shown below."
            )
        )
        self.mapping_hint.setWordWrap(True)
        layout.addWidget(self.mapping_hint)
        self.mapping_table = MappingTable()
        self.mapping_table.mapping_changed.connect(self._show_mapping_state)
        layout.addWidget(self.mapping_table, 1)
        buttons = QHBoxLayout()
        close = self.close_columns = QPushButton(tr("&Close"))
        close.setObjectName("close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        self.check_button = QPushButton(tr("Chec&k"))
        self.check_button.setObjectName("check")
        self.check_button.setDefault(True)
        self.check_button.clicked.connect(self.run_check)
        buttons.addWidget(close)
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        layout.addLayout(buttons)
        return page

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            tr("Choose the spreadsheet"),
            str(start_folder(KIND)),
            tr("Spreadsheets (*.xlsx *.csv);;All files (*)"),
        )
        if path:
            remember_folder(KIND, Path(path).parent)
            self.load(Path(path))

    def _file_typed(self) -> None:
        text = self.file.text().strip().strip('"')
        if text:
            self.load(Path(text))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.file and isinstance(event, QKeyEvent):
            keys = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if event.type() == QEvent.Type.KeyPress and event.key() in keys:
                self._file_typed()
                return True
        return super().eventFilter(watched, event)

    def load(self, path: Path, sheet: str | None = None) -> bool:
        """Read the file off the GUI thread (a big workbook takes seconds) and show its columns;
        a file that cannot be read is one line here and nothing else changes."""
        self.file.setText(str(path))
        outcome = run_op_in_background(
            self,
            tr("Reading the spreadsheet…"),
            lambda _progress: open_file(path, sheet),
            failure=self._file_refused,
            cancellable=False,  # reading has no steps to stop at
            boxed=False,
        )
        if outcome.value is not None:
            self._show_opened(outcome.value)
        return outcome.done

    def _file_refused(self, error: UserError) -> None:
        self.opened = None
        self.checked = None
        self.sheet_combo.clear()
        self.mapping_table.setRowCount(0)
        self.mapping_table.setColumnCount(0)
        self.mapping_table.combos = []
        self.file_message.setStyleSheet(ERROR_STYLE)
        self.file_message.setText(error.message())
        self._show_mapping_state()
        self.file.setFocus()
        self.file.selectAll()

    def _show_opened(self, opened: Opened) -> None:
        self.opened = opened
        self.checked = None
        self.sheet_combo.clear()
        self.sheet_combo.addItems(opened.names)
        self.sheet_combo.setCurrentIndex(max(0, self.sheet_combo.findText(opened.sheet.name)))
        several = len(opened.names) > 1
        self.sheet_label.setVisible(several)
        self.sheet_combo.setVisible(several)
        sheet = opened.sheet
        remembered = remembered_mapping(self._folder, sheet)
        self.mapping_table.show_sheet(sheet, remembered or guess_mapping(sheet))
        lines = [tr("{count} rows under the headers.", count=formats.number(len(sheet.rows)))]
        if remembered is not None:
            lines.append(tr("The columns are chosen as last time for these headers."))
        self.file_message.setStyleSheet("")
        self.file_message.setText(" ".join([*lines, *sheet.notes]))
        self._show_mapping_state()
        self._tab_order()
        if self.mapping_table.combos:
            self.mapping_table.combos[0].setFocus()

    def _tab_order(self) -> None:
        """The file, its sheet, the columns left to right, then the buttons (the combo boxes,
        made with each file, would otherwise come last)."""
        chain = [self.file, self.choose_button, self.sheet_combo, *self.mapping_table.combos]
        for before, after in zip(chain, [*chain[1:], self.close_columns], strict=True):
            QWidget.setTabOrder(before, after)
        QWidget.setTabOrder(self.close_columns, self.check_button)

    def _sheet_chosen(self, index: int) -> None:
        if self.opened is not None and 0 <= index < len(self.opened.names):
            name = self.opened.names[index]
            if name != self.opened.sheet.name:
                self.load(self.opened.path, name)

    def _show_mapping_state(self) -> None:
        """Required fields no column fills, in red; "Check" waits until there are none."""
        self.mapping_hint.setVisible(self.opened is not None)
        if self.opened is None:
            self.missing.hide()
            self.sheet_label.hide()
            self.sheet_combo.hide()
            self.check_button.setEnabled(False)
            return
        missing = self.mapping_table.mapping().missing()
        self.missing.setText(
            tr(
                "No column holds: {fields}. Choose them under the columns to go on.",
                fields=", ".join(field_label(f) for f in missing),
            )
            if missing
            else ""
        )
        self.missing.setVisible(bool(missing))
        self.check_button.setEnabled(not missing and bool(self.opened.sheet.rows))

    # --- page 2: the check ------------------------------------------------------------------
    def _checked_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.summary)
        self.notes = QLabel()
        self.notes.setObjectName("notes")
        self.notes.setWordWrap(True)
        layout.addWidget(self.notes)
        row = QHBoxLayout()
        show_label = QLabel(tr("Sho&w:"))
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        show_label.setBuddy(self.status_filter)
        self.status_filter.currentIndexChanged.connect(self._filter)
        self.save_button = QPushButton(tr("&Save the result…"))
        self.save_button.setObjectName("saveResult")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_result)
        row.addWidget(show_label)
        row.addWidget(self.status_filter)
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.result_table = ResultTable()
        layout.addWidget(self.result_table, 1)
        self.duplicates_title = QLabel(
            tr(
                "Possible &duplicates are not imported unless you decide that the row is "
                "another person (Space ticks the box, then type why):"
            )
        )
        self.duplicates_title.setWordWrap(True)
        layout.addWidget(self.duplicates_title)
        self.duplicates = DuplicatesPart()
        self.duplicates.changed.connect(self._show_import_state)
        self.duplicates.setMaximumHeight(140)
        self.duplicates_title.setBuddy(self.duplicates)
        layout.addWidget(self.duplicates)
        self.consent = QCheckBox(tr("The people in this file have signed the consent on &paper"))
        self.consent.setObjectName("consent")
        self.consent.toggled.connect(self._show_import_state)
        layout.addWidget(self.consent)
        self.import_message = QLabel()
        self.import_message.setObjectName("importMessage")
        self.import_message.setWordWrap(True)
        layout.addWidget(self.import_message)
        buttons = QHBoxLayout()
        back = QPushButton(tr("&Back to the columns"))
        back.setObjectName("back")
        back.setAutoDefault(False)
        back.clicked.connect(self.back_to_columns)
        self.import_button = QPushButton()
        self.import_button.setObjectName("import")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.run_import)
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)
        return page

    def run_check(self) -> None:
        """The dry run off the GUI thread; nothing is saved. The columns chosen are remembered
        for the next file with the same headers once the check has run."""
        if self.opened is None or not self.check_button.isEnabled():
            return
        db, folder = self._db, self._folder
        sheet, mapping = self.opened.sheet, self.mapping_table.mapping()
        outcome = run_op_in_background(
            self,
            tr("Checking the rows…"),
            lambda progress: check(db, folder, sheet, mapping, progress=progress),
            success=lambda checked: self._show_checked(checked, mapping),
            failure=self._check_refused,
            boxed=False,
        )
        if outcome.cancelled:
            self.file_message.setStyleSheet(ERROR_STYLE)
            self.file_message.setText(tr("The check was stopped; nothing was saved."))

    def _check_refused(self, error: UserError) -> None:
        self.file_message.setStyleSheet(ERROR_STYLE)
        self.file_message.setText(error.message())

    def _show_checked(self, checked: Checked, mapping: Mapping) -> None:
        assert self.opened is not None
        remember_mapping(self._folder, self.opened.sheet, mapping)
        self.checked = checked
        self.summary.setText(summary_text(checked))
        self.notes.setText("\n".join(checked.notes))
        self.notes.setVisible(bool(checked.notes))
        self.result_table.show_rows(checked)
        counts = checked.summary()
        self.status_filter.blockSignals(True)
        self.status_filter.clear()
        self.status_filter.addItem(
            tr("All rows ({count})", count=formats.number(len(checked.rows))), None
        )
        for status in STATUS_ORDER:
            if counts.get(status.value):
                text = f"{status_label(status)} ({formats.number(counts[status.value])})"
                self.status_filter.addItem(text, status.value)
        self.status_filter.setCurrentIndex(0)
        self.status_filter.blockSignals(False)
        possible = [r for r in checked.rows if r.status is RowStatus.POSSIBLE_DUPLICATE]
        self.duplicates.show_rows(sorted(possible, key=lambda r: r.row))
        self.duplicates_title.setVisible(bool(possible))
        self.duplicates.setVisible(bool(possible))
        self.consent.setChecked(False)  # once per file: a new check asks again
        self.import_message.clear()
        self.pages.setCurrentIndex(PAGE_CHECKED)
        self._show_import_state()
        self.result_table.setFocus()

    def _filter(self, _index: int) -> None:
        value = self.status_filter.currentData()
        self.result_table.show_only(RowStatus(value) if value else None)

    def back_to_columns(self) -> None:
        self.pages.setCurrentIndex(PAGE_FILE)
        if self.mapping_table.combos:
            self.mapping_table.combos[0].setFocus()

    def to_import(self) -> int:
        """Rows the import would bring in: new, updates, and the duplicates decided on."""
        if self.checked is None:
            return 0
        counts = self.checked.summary()
        return (
            counts.get(RowStatus.NEW.value, 0)
            + counts.get(RowStatus.UPDATE.value, 0)
            + len(self.duplicates.decisions())
        )

    def _show_import_state(self) -> None:
        count = self.to_import()
        self.import_button.setText(tr("&Import {count} participants", count=formats.number(count)))
        lacking = self.duplicates.without_reason()
        if lacking:
            self.import_message.setStyleSheet(ERROR_STYLE)
            self.import_message.setText(
                tr(
                    "Give the reason for row {rows}, or untick it.",
                    rows=", ".join(str(r) for r in lacking),
                )
            )
        elif count == 0:
            self.import_message.setStyleSheet("")
            self.import_message.setText(tr("Nothing in this file to import."))
        elif not self.consent.isChecked():
            self.import_message.setStyleSheet("")
            self.import_message.setText(
                tr("Confirm the paper consent to import; nothing is saved before that.")
            )
        else:
            self.import_message.clear()
        self.import_button.setEnabled(count > 0 and not lacking and self.consent.isChecked())

    def save_result(self) -> None:
        """The rows with their status and reason, refused first, to fix and import again. Named
        by the check's reference, never by the file's name (it may name a volunteer)."""
        from rumah_perisai.printing.import_result import write_result

        checked = self.checked
        if checked is None:
            return
        path = save_path(
            self,
            tr("Save the check result"),
            f"hasil-periksa-{checked.ref}.xlsx",
            tr("Excel workbook (*.xlsx)"),
            RESULT_KIND,
        )
        if path is None:
            return
        # The save dialog asked before replacing a file there.
        done = run_op(
            self,
            lambda: write_result(path, checked, replace=True),
            boxed=False,
            failure=self._import_refused,
        )
        if done:
            self.import_message.setStyleSheet(GOOD_STYLE)
            self.import_message.setText(tr("Saved: {path}", path=str(path)))

    def run_import(self) -> None:
        """All or nothing, off the GUI thread; Cancel rolls every row back."""
        checked = self.checked
        if checked is None or not self.import_button.isEnabled():
            return
        db, folder, actor = self._db, self._folder, self._actor
        duplicates = self.duplicates.decisions()
        outcome = run_op_in_background(
            self,
            tr("Importing the participants…"),
            lambda progress: import_checked(
                db,
                folder,
                checked,
                actor,
                consent_confirmed=True,
                duplicates=duplicates,
                progress=progress,
            ),
            success=self._show_imported,
            failure=self._import_refused,
            boxed=False,
        )
        if outcome.cancelled:
            self.import_message.setStyleSheet(ERROR_STYLE)
            self.import_message.setText(tr("Cancelled; nothing was saved."))

    def _import_refused(self, error: UserError) -> None:
        self.import_message.setStyleSheet(ERROR_STYLE)
        self.import_message.setText(error.message())

    # --- page 3: done -----------------------------------------------------------------------
    def _done_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel(tr("The import is done."))
        title.setStyleSheet("font-weight: bold;")
        layout.addWidget(title)
        self.done_text = QLabel()
        self.done_text.setObjectName("doneText")
        self.done_text.setWordWrap(True)
        self.done_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.done_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.done_text, 1)
        buttons = QHBoxLayout()
        self.close_button = QPushButton(tr("&Close"))
        self.close_button.setObjectName("closeDone")
        self.close_button.clicked.connect(self.accept)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        return page

    def _show_imported(self, imported: Imported) -> None:
        self.imported = imported
        self.done_text.setText(imported_text(imported))
        self.pages.setCurrentIndex(PAGE_DONE)
        self.close_button.setDefault(True)
        self.close_button.setFocus()


__all__ = ["Opened", "SheetImportDialog", "open_file"]
