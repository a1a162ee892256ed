"""The branch office's window (issue 9): the posts it knows and importing their weekly batches.

The same program opens this window instead of a post's when the data folder is a branch
(``rumah-perisai --data-dir B branch init``). There is no login: the computer's user is the one
recorded (``branch:<login>``), as on the command line.

* At the top, the branch (a training branch says so) and its fingerprint, which posts compare
  by phone when they install the branch's key file.
* "Import batches…" (Enter) takes the ``.rpb`` files from a post's stick, off the GUI thread with
  progress and Cancel (``branch.import_files``), and lists what became of each: imported
  with its acknowledgement written beside it on the stick and any registration rejected (with
  the reason), already imported, or **held** behind a missing batch (amber, with the number
  still missing). A refused file is said in a message; the files before it stay imported.
* "Import past a gap…" asks why the missing batches are skipped (required), then imports.
* The posts: code, name, grouped fingerprint, the newest batch imported, batches held, how many
  participants, and a suspended post in red with its reason. "Add post key…" registers a post's
  key file and shows its fingerprint to compare by phone; "Suspend post…" (a reason is required)
  refuses its batches until "Resume post".

Every rule is the branch package's (``rumah_perisai.branch``): the window shows its answers and
refusals. Each change is an operation (``ui.operations``): the import off the GUI thread with
progress and Cancel, the rest at once; a refusal is said in one line and changes nothing, a bug
goes to the crash hook. What the posts' list and the conflicts' count show is read again when
the branch announces a change (``ui.changes.listen``), never by hand after an action; the action
shows only its own outcome (the import's report, a post's fingerprint). Its parts: the posts'
list (``posts``), the results of an import (``results``, with ``report``), the NIK conflicts
dialog (``conflicts``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import changes
from rumah_perisai.app import App
from rumah_perisai.branch import (
    AddedPost,
    BranchPost,
    ImportResult,
    add_post,
    branch_keys,
    branch_posts,
    import_files,
    pending_conflicts,
    set_suspended,
)
from rumah_perisai.config import LANGUAGES
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.batchfile import FILE_SUFFIX
from rumah_perisai.i18n import language, set_language, tr
from rumah_perisai.keys import format_fingerprint
from rumah_perisai.keys.files import BRANCH_PUBLIC_FILE
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import Progress
from rumah_perisai.ui.branch.conflicts import ConflictsDialog
from rumah_perisai.ui.branch.posts import COL_STATE, COLUMNS, fill_posts, row_tip
from rumah_perisai.ui.branch.posts import headings as post_headings
from rumah_perisai.ui.branch.report import ImportReport, ImportSteps
from rumah_perisai.ui.branch.results import RES_MESSAGE, RESULT_COLUMNS, fill_results, summary
from rumah_perisai.ui.branch.results import headings as result_headings
from rumah_perisai.ui.changes import listen
from rumah_perisai.ui.file_dialogs import documents_folder
from rumah_perisai.ui.help import open_help, topic_of
from rumah_perisai.ui.keyboard_help import FocusHint, fit_columns
from rumah_perisai.ui.look import (
    ERROR_STYLE,
    GOOD_STYLE,
    LANGUAGE_NAMES,
    remember_geometry,
    restore_geometry,
    show_about,
)
from rumah_perisai.ui.operations import Outcome, run_op, run_op_in_background
from rumah_perisai.ui.qt_texts import apply_qt_locale

T = TypeVar("T")

# What the posts' list shows: the posts themselves (a key added, a post suspended), their
# batches (imported, held, missing; their NIK conflicts) and how many participants each has.
POSTS_TOPICS = (changes.ACCOUNTS, changes.BATCHES, changes.PARTICIPANTS)
# NIK conflicts are found by an import and decided by an officer: both write to the batches'
# tables (``changes.TABLE_TOPICS``).
CONFLICTS_TOPICS = (changes.BATCHES,)


class BranchWindow(QMainWindow):
    """The branch's main window: its posts, and importing their batches."""

    def __init__(self, app: App, actor: Actor) -> None:
        super().__init__()
        self.setObjectName("branchWindow")
        self.setProperty("help_topic", "branch")
        self._app = app
        self.actor = actor
        self.keys = branch_keys(app.folder).public
        self._state = QSettings(str(app.folder.window_state), QSettings.Format.IniFormat)
        self.last_folder = str(
            self._state.value("branch/last_folder", "") or str(documents_folder())
        )
        self.posts: list[BranchPost] = []
        self.report: ImportReport | None = None
        self.message_box: QMessageBox | None = None
        self._note: tuple[Callable[[], str], bool] | None = None
        self._build()
        self._build_menus()
        self.retranslate()
        self.refresh()
        # Whoever changed them (an import, a post's key, a decision on a conflict): shown
        # again by the change notice, never refreshed by hand after an action.
        listen(self, POSTS_TOPICS, self.reload_posts)
        listen(self, CONFLICTS_TOPICS, self.retranslate_conflicts)
        self._restore_geometry()
        self.import_button.setFocus()

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 4)
        self.training_banner = QLabel()
        self.training_banner.setObjectName("trainingBanner")
        self.training_banner.setStyleSheet(
            "#trainingBanner { background: #ffb300; color: #000; font-weight: bold;"
            " padding: 4px 8px; }"
        )
        self.training_banner.setVisible(self.keys.demo)
        layout.addWidget(self.training_banner)

        self.branch_box = QGroupBox()
        self.branch_box.setObjectName("branch")
        self.branch_label = QLabel()
        self.branch_label.setObjectName("branchLabel")
        self.branch_label.setWordWrap(True)
        self.branch_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box_layout = QVBoxLayout(self.branch_box)
        box_layout.setContentsMargins(8, 4, 8, 6)
        box_layout.addWidget(self.branch_label)
        layout.addWidget(self.branch_box)

        self.import_button = self._button("import")
        self.import_button.setDefault(True)  # Enter anywhere in the window (keyPressEvent)
        self.import_button.clicked.connect(lambda: self.ask_import())
        self.gap_button = self._button("importPastGap")
        self.gap_button.clicked.connect(self.ask_import_past_gap)
        self.add_button = self._button("addPost")
        self.add_button.clicked.connect(self.ask_post_key)
        self.suspend_button = self._button("suspend")
        self.suspend_button.clicked.connect(self.toggle_suspended)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.gap_button)
        self.conflicts_button = self._button("conflicts")
        self.conflicts_button.clicked.connect(self.show_conflicts)
        buttons.addWidget(self.conflicts_button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.suspend_button)
        layout.addLayout(buttons)

        self.posts_label = QLabel()
        self.table = QTableWidget(0, COLUMNS)
        self.table.setObjectName("posts")
        self.posts_label.setBuddy(self.table)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Only the state column is narrow enough to wrap: a long suspension reason is read whole.
        self.table.setWordWrap(True)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        rows.setMinimumSectionSize(self.fontMetrics().height() + 8)
        fit_columns(self.table, COL_STATE)  # the state takes what is left, and wraps
        self.table.itemSelectionChanged.connect(self._selected)
        posts = QWidget()
        posts_layout = QVBoxLayout(posts)
        posts_layout.setContentsMargins(0, 0, 0, 0)
        posts_layout.setSpacing(2)
        posts_layout.addWidget(self.posts_label)
        posts_layout.addWidget(self.table, 1)

        self.results_label = QLabel()
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.results = QTreeWidget()
        self.results.setObjectName("results")
        self.results_label.setBuddy(self.results)
        self.results.setColumnCount(RESULT_COLUMNS)
        self.results.setRootIsDecorated(True)
        self.results.setUniformRowHeights(True)
        self.results.setWordWrap(False)
        self.results.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        fit_columns(self.results, RES_MESSAGE)
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.setSpacing(2)
        results_layout.addWidget(self.results_label)
        results_layout.addWidget(self.summary)
        results_layout.addWidget(self.results, 1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(posts)
        splitter.addWidget(results)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)
        # What the focused button's or row's tooltip says, for whoever works by keyboard.
        self.focus_hint = FocusHint(central)
        self.focus_hint.follow(self.table)
        self.focus_hint.follow(self.results)
        layout.addWidget(self.focus_hint)
        self.setCentralWidget(central)

        self.user_label = QLabel()
        self.user_label.setObjectName("user")
        self.folder_label = QLabel()
        self.statusBar().addWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.folder_label)

        self.setTabOrder(self.import_button, self.gap_button)
        self.setTabOrder(self.gap_button, self.conflicts_button)
        self.setTabOrder(self.conflicts_button, self.add_button)
        self.setTabOrder(self.add_button, self.suspend_button)
        self.setTabOrder(self.suspend_button, self.table)
        self.setTabOrder(self.table, self.results)
        self.setMinimumSize(760, 480)

    def _button(self, name: str) -> QPushButton:
        button = QPushButton()
        button.setObjectName(name)
        button.setAutoDefault(True)  # Enter on a button with the focus presses it
        return button

    def _build_menus(self) -> None:
        self.file_menu = self.menuBar().addMenu("")
        self.import_action = QAction(self)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(lambda: self.ask_import())
        self.gap_action = QAction(self)
        self.gap_action.triggered.connect(self.ask_import_past_gap)
        self.add_action = QAction(self)
        self.add_action.triggered.connect(self.ask_post_key)
        self.refresh_action = QAction(self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(self.refresh)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        for action in (self.import_action, self.gap_action, self.add_action):
            self.file_menu.addAction(action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.refresh_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.settings_menu = self.menuBar().addMenu("")
        self.language_menu = self.settings_menu.addMenu("")
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code in LANGUAGES:
            action = QAction(LANGUAGE_NAMES[code], self, checkable=True)
            action.setChecked(code == language())
            action.triggered.connect(lambda _checked=False, c=code: self.change_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action

        self.help_menu = self.menuBar().addMenu("")
        self.guide_action = QAction(self)
        self.guide_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.guide_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # F1 is help.py's
        self.guide_action.triggered.connect(lambda: open_help(topic_of(self.focusWidget()), self))
        self.help_menu.addAction(self.guide_action)
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)

    def retranslate(self) -> None:
        """Every visible text again, in the current language (also after switching it)."""
        keys = self.keys
        title = tr("Rumah Perisai — branch {name} ({code})", name=keys.name, code=keys.code)
        if keys.demo:
            title = tr("{title} — TRAINING", title=title)
        self.setWindowTitle(title)
        self.training_banner.setText(tr("A training branch: it takes demo posts' batches only."))
        self.branch_box.setTitle(tr("This branch"))
        mono = "<span style='font-family: monospace; font-size: 11pt'>{}</span>"
        self.branch_label.setText(
            "<b>"
            + html.escape(tr("Branch: {name} ({code})", name=keys.name, code=keys.code))
            + "</b><br>"
            + html.escape(tr("Fingerprint:"))
            + " "
            + mono.format(html.escape(format_fingerprint(keys.fingerprint)))
            + "<br>"
            + html.escape(
                tr(
                    "Each post installs the branch key file {path} and compares this "
                    "fingerprint with you by phone.",
                    path=str(self._app.folder.keys / BRANCH_PUBLIC_FILE),
                )
            )
        )
        self.import_button.setText(tr("&Import batches…"))
        self.import_button.setToolTip(
            tr(
                "Import the batch files (*{suffix}) from a post's stick (Enter).",
                suffix=FILE_SUFFIX,
            )
        )
        self.gap_button.setText(tr("Import past a &gap…"))
        self.gap_button.setToolTip(
            tr("Import batches although the ones before them never came; a reason is required.")
        )
        self.add_button.setText(tr("&Add post key…"))
        self.retranslate_conflicts()
        self.conflicts_button.setToolTip(
            tr("Two posts' accepted members with the same NIK, waiting for your decision.")
        )
        self.add_button.setToolTip(tr("Register a post by its key file."))
        self.posts_label.setText(tr("P&osts of this branch:"))
        self.table.setHorizontalHeaderLabels(post_headings())
        self.results_label.setText(tr("Resu&lts of the last import:"))
        self.results.setHeaderLabels(result_headings())
        fit_columns(self.table, COL_STATE)  # the headings in the language now chosen
        fit_columns(self.results, RES_MESSAGE)
        self.user_label.setText(
            tr("Recorded as {actor}", actor=self.actor.name or self.actor.label)
        )
        self.folder_label.setText(tr("Data folder: {folder}", folder=str(self._app.folder.root)))
        self.file_menu.setTitle(tr("&File"))
        self.import_action.setText(tr("&Import batches…"))
        self.gap_action.setText(tr("Import past a &gap…"))
        self.add_action.setText(tr("&Add post key…"))
        self.refresh_action.setText(tr("&Refresh"))
        self.quit_action.setText(tr("&Quit"))
        self.settings_menu.setTitle(tr("S&ettings"))
        self.language_menu.setTitle(tr("&Language"))
        self.help_menu.setTitle(tr("&Help"))
        self.guide_action.setText(tr("&Guide"))
        self.about_action.setText(tr("&About Rumah Perisai"))
        if self.posts:
            self.show_posts(self.posts)
        if self.report is not None:
            self.show_report(self.report)
        elif self._note is not None:
            text, good = self._note
            self._say(text(), good=good)
        else:
            self.show_hint()

    # --- the posts ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Everything read again (at start, and Refresh, F5)."""
        self.reload_posts()
        self.retranslate_conflicts()

    def reload_posts(self) -> None:
        self.show_posts(branch_posts(self._app.db))
        if self.report is None and self._note is None:
            self.show_hint()

    def show_hint(self) -> None:
        if not self.posts:
            self.summary.setText(
                tr("No post yet: register a post's key file first (Add post key…).")
            )
        else:
            self.summary.setText(tr("Press Enter to import the batch files from a post's stick."))
        self.summary.setStyleSheet("")

    def show_posts(self, posts: list[BranchPost]) -> None:
        keep = self.selected_post()
        self.posts = posts
        fill_posts(self.table, posts)
        if posts:
            codes = [post.code for post in posts]
            self.table.selectRow(codes.index(keep.code) if keep and keep.code in codes else 0)
        self._selected()

    def row_tip(self, post: BranchPost) -> str:
        """A post's row said in words (its tooltip, and the line under the window)."""
        return row_tip(post)

    def selected_post(self) -> BranchPost | None:
        model = self.table.selectionModel()
        chosen = model.selectedRows() if model is not None else []
        if not chosen or not 0 <= chosen[0].row() < len(self.posts):
            return None
        return self.posts[chosen[0].row()]

    def select_post(self, code: str) -> None:
        codes = [post.code for post in self.posts]
        if code in codes:
            self.table.selectRow(codes.index(code))

    def _selected(self) -> None:
        chosen = self.selected_post()
        self.suspend_button.setEnabled(chosen is not None)
        if chosen is not None and chosen.suspended_reason is not None:
            self.suspend_button.setText(tr("&Resume post"))
            self.suspend_button.setToolTip(
                tr("Take post {code}'s batches again.", code=chosen.code)
            )
        else:
            self.suspend_button.setText(tr("&Suspend post…"))
            self.suspend_button.setToolTip(
                tr(
                    "Refuse post {code}'s batches until it is resumed; a reason is required.",
                    code=chosen.code,
                )
                if chosen is not None
                else tr("Choose a post in the list first.")
            )

    # --- messages ----------------------------------------------------------------------------
    def show_message(
        self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning
    ) -> QMessageBox:
        """A message that does not block (window-modal, opened with ``open``)."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()
        self.message_box = box
        return box

    def act(
        self, work: Callable[[], T], success: Callable[[T], object] | None = None
    ) -> Outcome[T]:
        """A quick change (a post's key, suspending a post) as an operation: ``success`` says
        what it did; a refusal is said in its box (``message_box``) and above the results."""
        outcome = run_op(self, work, success=success, failure=self.refused, wait=False)
        if outcome.box is not None:
            self.message_box = outcome.box
        return outcome

    def refused(self, error: UserError) -> None:
        """Said above the results, in place of the last import's report (the box is the
        operation's)."""
        self.note(error.message, good=False)

    def note(self, text: Callable[[], str], *, good: bool) -> None:
        """Say something above the results (in place of the last import's report)."""
        self._note = (text, good)
        self.report = None
        self.results.clear()
        self._say(text(), good=good)

    def _say(self, text: str, *, good: bool) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet(GOOD_STYLE if good else ERROR_STYLE)

    # --- importing ---------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter that nothing else took (the lists pass it on) presses Import batches."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            self.import_button.click()
            return
        super().keyPressEvent(event)

    def ask_batch_files(self, title: str) -> list[Path]:
        paths, _filter = QFileDialog.getOpenFileNames(
            self,
            title,
            self.last_folder,
            tr("Batch files (*{suffix})", suffix=FILE_SUFFIX),
        )
        if not paths:
            return []
        self.remember_folder(Path(paths[0]).parent)
        return [Path(path) for path in paths]

    def remember_folder(self, folder: Path) -> None:
        self.last_folder = str(folder)
        self._state.setValue("branch/last_folder", self.last_folder)

    def ask_import(self, gap_reason: str | None = None) -> ImportReport | None:
        """Import batches… (Enter): choose the files on the stick, import them."""
        title = (
            tr("Choose the batch files to import past the gap")
            if gap_reason is not None
            else tr("Choose the batch files to import")
        )
        paths = self.ask_batch_files(title)
        if not paths:
            return None
        return self.import_paths(paths, gap_reason=gap_reason)

    def ask_import_past_gap(self) -> ImportReport | None:
        """Import past a gap…: the reason first (required), then the files."""
        reason, ok = QInputDialog.getText(
            self,
            tr("Import past a gap"),
            tr(
                "The batches missing before the chosen files will not be waited for. Why? "
                "(The reason is recorded.)"
            ),
        )
        if not ok:
            return None
        given = self.act(lambda: required_reason(reason))
        if not given or given.value is None:
            return None
        return self.ask_import(gap_reason=given.value)

    def import_paths(self, paths: list[Path], *, gap_reason: str | None = None) -> ImportReport:
        """Import the files off the GUI thread (progress, Cancel) and show what became of each."""
        db, folder, actor = self._app.db, self._app.folder, self.actor
        report = ImportReport(gap_reason=gap_reason, before=branch_posts(db))
        steps: list[ImportSteps] = []

        def work(progress: Progress) -> list[ImportResult]:
            steps.append(ImportSteps(progress))
            return import_files(db, folder, paths, actor, gap_reason=gap_reason, progress=steps[0])

        def refused(error: UserError) -> None:
            report.refusal = error
            report.refused_file = steps[0].current if steps else ""

        # The posts' list follows each batch as it is committed (the change notice); the
        # report says what this press of Import did, whether it ended, was refused or stopped.
        outcome = run_op_in_background(
            self, tr("Importing batches…"), work, failure=refused, wait=False
        )
        report.cancelled = outcome.cancelled
        report.results = outcome.value or []
        report.after = branch_posts(db)  # what got in before a refusal or a stop
        self.show_report(report)
        if outcome.box is not None:
            self.message_box = outcome.box
        if report.results:
            self.select_post(report.results[-1].post_code)
        return report

    def show_report(self, report: ImportReport) -> None:
        self.report = report
        self._note = None
        fill_results(self.results, report)
        text, style = summary(report)
        self.summary.setText(text)
        self.summary.setStyleSheet(style)

    # --- posts' keys and suspending ----------------------------------------------------------
    def ask_post_key(self) -> AddedPost | None:
        path, _filter = QFileDialog.getOpenFileName(
            self, tr("Add a post's key file"), self.last_folder, tr("Key files (*.json)")
        )
        if not path:
            return None
        self.remember_folder(Path(path).parent)
        return self.add_post_key(Path(path))

    def add_post_key(self, path: Path) -> AddedPost | None:
        db, folder, actor = self._app.db, self._app.folder, self.actor
        return self.act(lambda: add_post(db, folder, read_chosen(path), actor), self._added).value

    def _added(self, added: AddedPost) -> None:
        """The fingerprint to compare by phone; the list shows the post already (the notice)."""
        key = added.key

        def text() -> str:
            fp = format_fingerprint(key.fingerprint)
            if added.unchanged:
                head = tr(
                    "Post {code} ({name}) was registered already with this key: {fp}",
                    code=key.code, name=key.name, fp=fp,
                )  # fmt: skip
            else:
                head = tr(
                    "Post {code} ({name}) registered. Fingerprint: {fp}",
                    code=key.code, name=key.name, fp=fp,
                )  # fmt: skip
            return (
                head
                + "\n"
                + tr("Compare the fingerprint with the post by phone before importing its batches.")
            )

        self.note(text, good=True)
        self.select_post(key.code)
        self.show_message(tr("Post key"), text(), QMessageBox.Icon.Information)

    def retranslate_conflicts(self) -> None:
        waiting = len(pending_conflicts(self._app.db))
        self.conflicts_button.setText(
            tr("NIK &conflicts ({count})…", count=waiting) if waiting else tr("NIK &conflicts…")
        )
        bold = QFont(self.conflicts_button.font())
        bold.setBold(bool(waiting))
        self.conflicts_button.setFont(bold)

    def show_conflicts(self) -> None:
        """The NIK conflicts waiting for a decision; the officer keeps one registration."""
        dialog = ConflictsDialog(self._app, self.actor, self)
        dialog.exec()
        if dialog.decided:  # the count and the posts' list follow by the change notice
            self.note(
                lambda: tr("Decision recorded: the other registration is rejected; its post "
                           "hears it in its next acknowledgement."),
                good=True,
            )  # fmt: skip
        dialog.deleteLater()  # and its listener with it

    def toggle_suspended(self) -> None:
        """Suspend post… (asks the reason) or Resume post, for the post chosen in the list."""
        post = self.selected_post()
        if post is None:
            self.note(lambda: tr("Choose a post in the list first."), good=False)
            return
        code, db, actor = post.code, self._app.db, self.actor
        if post.suspended_reason is None:
            reason, ok = QInputDialog.getText(
                self,
                tr("Suspend post {code}", code=code),
                tr(
                    "Why is post {code} suspended? Its batches are refused until it is resumed.",
                    code=code,
                ),
            )
            if not ok:
                return
            done = self.act(
                lambda: set_suspended(db, code, reason, actor),
                lambda _none: self.note(
                    lambda: tr("Post {code} suspended: its batches are refused.", code=code),
                    good=False,
                ),
            )
        else:
            done = self.act(
                lambda: set_suspended(db, code, None, actor),
                lambda _none: self.note(
                    lambda: tr("Post {code} resumed: its batches are taken again.", code=code),
                    good=True,
                ),
            )
        if done:
            self.select_post(code)  # shown again already (the notice); kept chosen

    # --- the window --------------------------------------------------------------------------
    def change_language(self, code: str) -> None:
        """Switch and remember the language; the window is redrawn at once."""
        self._app.settings.language = code
        self._app.settings.save(self._app.folder)
        set_language(code)
        apply_qt_locale()
        self.retranslate()

    def show_about(self) -> None:
        show_about(self, self._app.folder.root)

    def _restore_geometry(self) -> None:
        restore_geometry(self, self._state, "branch/geometry")

    def closeEvent(self, event: QCloseEvent) -> None:
        remember_geometry(self, self._state, "branch/geometry")
        super().closeEvent(event)


def required_reason(reason: str) -> str:
    """The reason typed, in one line; refused when there is none."""
    reason = " ".join(reason.split())
    if not reason:
        raise UserError("reason_needed")
    return reason


def read_chosen(path: Path) -> bytes:
    """A file the officer chose, or the refusal saying why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise UserError("file_unreadable", path=str(path), reason=error.strerror) from error


__all__ = ["BranchWindow"]
