"""The main window: the post's participants, found with one search box.

Keyboard first: the search box has focus at start and on Ctrl+F; typing searches after a short
pause, Enter (what a barcode scanner sends) searches at once, Down moves into the list, Esc
clears the box. Everything fits 1366×768 at 125% scaling.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import areas, changes, formats
from rumah_perisai.app import App
from rumah_perisai.config import LANGUAGES
from rumah_perisai.domain.card_payload import is_card_text
from rumah_perisai.domain.coverage import Status, status_label
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import language, set_language, tr
from rumah_perisai.services.backup import backup_status, folder_of, local_backup
from rumah_perisai.services.participant_search import ParticipantSearch, SearchKind, parse_query
from rumah_perisai.services.posts import PostSummary, local_post_id, post_summary
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.changes import listen
from rumah_perisai.ui.help import open_help, topic_of
from rumah_perisai.ui.look import LANGUAGE_NAMES, remember_geometry, restore_geometry, show_about
from rumah_perisai.ui.main_cards import CardActions, CardBanner
from rumah_perisai.ui.main_settings import SettingsQuestions
from rumah_perisai.ui.paper_banner import PaperHoldBanner
from rumah_perisai.ui.participant_model import COL_NAME, COL_STATUS, ParticipantTableModel
from rumah_perisai.ui.qt_texts import apply_qt_locale
from rumah_perisai.ui.refusals import refusing
from rumah_perisai.vault import Protection, key_protection

if TYPE_CHECKING:
    from rumah_perisai.ui.participant_dialog import ParticipantDialog

# The dialogs (registration form, participant view, accounts, login) are imported when first
# opened: they pull in the registration rules and name matching, which the start does not need.

log = logging.getLogger(__name__)

BANNER_REFRESH_MS = 10 * 60_000  # the backup banner is looked at again every ten minutes
CLOSE_NOTICE_MS = 8_000  # a failed backup at closing is said this long, then the window closes
SEARCH_PAUSE_MS = 30  # typing pause before searching (a search takes ~10 ms); Enter: at once


def too_broad_while_typing(text: str) -> bool:
    query = parse_query(text)
    if query.kind is SearchKind.NAME:
        return len(query.terms) == 1 and len(query.terms[0]) < 3
    if query.kind is SearchKind.DIGITS:
        return len(query.terms[0]) < 4
    return False


class MainWindow(CardActions, SettingsQuestions):
    language_changed = Signal(str)
    idle_minutes_changed = Signal(int)

    def __init__(self, app: App, actor: Actor, *, backup_at_close: bool = False) -> None:
        super().__init__()
        self._app = app
        self.actor = actor
        self.backup_at_close = backup_at_close  # the program's own window: launch sets it
        self.close_backup_error: str | None = None
        summary = post_summary(app.db)
        post_id = local_post_id(app.db)
        if summary is None or post_id is None:
            raise RuntimeError("the main window needs a post; the first-run screen comes first")
        self.summary: PostSummary = summary
        self._state = QSettings(str(app.folder.window_state), QSettings.Format.IniFormat)
        self.post_id = post_id
        self._search = ParticipantSearch(post_id)
        self.model = ParticipantTableModel(app.db, self._search, self.today)
        self._build()
        self._build_menus()
        self.retranslate()
        self._restore_geometry()
        self.search_now()
        self.refresh_banners()
        self.search_box.setFocus()
        self._listen()

    def _listen(self) -> None:
        """What other windows change reaches the list and the banners by the change notices.
        The list only forgets the rows it drew (they are read again when drawn): a notice never
        reruns a search of 200,000 participants."""
        listen(
            self, (changes.PARTICIPANTS, changes.RECEIPTS, changes.CARDS), self.model.forget_rows
        )
        listen(self, (changes.BACKUPS, changes.SETTINGS), self.refresh_banners)
        listen(self, (changes.RECEIPTS, changes.SETTINGS, changes.BATCHES), self.show_paper_hold)

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 4)
        self.demo_banner = QLabel()
        self.demo_banner.setObjectName("demoBanner")
        self.demo_banner.setStyleSheet(
            "#demoBanner { background: #ffb300; color: #000; font-weight: bold; padding: 4px 8px; }"
        )
        self.demo_banner.setVisible(self.summary.is_demo)
        layout.addWidget(self.demo_banner)
        # Issue 16: a thin line each, over the list, never a dialog in the way of work.
        self.backup_banner = QLabel()
        self.backup_banner.setObjectName("backupBanner")
        self.backup_banner.setWordWrap(True)
        self.backup_banner.setStyleSheet(
            "#backupBanner { background: #fff3cd; color: #5d4037; padding: 3px 8px; }"
        )
        self.backup_banner.hide()
        layout.addWidget(self.backup_banner)
        self.key_banner = QLabel()
        self.key_banner.setObjectName("keyBanner")
        self.key_banner.setWordWrap(True)
        self.key_banner.setStyleSheet(
            "#keyBanner { background: #eceff1; color: #37474f; padding: 3px 8px; }"
        )
        self.key_banner.hide()
        layout.addWidget(self.key_banner)
        # The newest backup off the laptop ages while the window stays open: looked at again.
        self._banner_timer = QTimer(self)
        self._banner_timer.setInterval(BANNER_REFRESH_MS)
        self._banner_timer.timeout.connect(self.refresh_banners)
        self._banner_timer.start()
        # After a restore, until the paper receipts printed after the backup are entered again.
        self.paper_banner = PaperHoldBanner()
        self.paper_banner.open_requested.connect(self.open_paper_receipts)
        layout.addWidget(self.paper_banner)
        # Issue 17: what a scanned card that is not current is, over the list until dismissed
        # (the count beside the search box is rewritten by every search).
        self.card_banner = CardBanner()
        self.card_banner.button.clicked.connect(self.dismiss_card_warning)
        layout.addWidget(self.card_banner)
        self.card_warning: QMessageBox | None = None
        self.last_question: QDialog | None = None  # the question asked last (tests read it)

        bar = QHBoxLayout()
        self.search_label = QLabel()
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setClearButtonEnabled(True)
        self.search_label.setBuddy(self.search_box)
        self.result_count = QLabel()
        self.result_count.setObjectName("resultCount")
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_label = QLabel()
        self.status_label.setBuddy(self.status_filter)
        self.desa_filter = QComboBox()
        self.desa_filter.setObjectName("desaFilter")
        self.desa_filter.setMaximumWidth(220)
        self.desa_label = QLabel()
        self.desa_label.setBuddy(self.desa_filter)
        self.register_button = QPushButton()
        self.register_button.setObjectName("register")
        bar.addWidget(self.search_label)
        bar.addWidget(self.search_box, 1)
        bar.addWidget(self.status_label)
        bar.addWidget(self.status_filter)
        bar.addWidget(self.desa_label)
        bar.addWidget(self.desa_filter)
        bar.addWidget(self.result_count)
        bar.addWidget(self.register_button)
        layout.addLayout(bar)

        self.table = QTableView()
        self.table.setObjectName("participantTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.setCentralWidget(central)

        self.post_label = QLabel()
        self.user_label = QLabel()
        self.user_label.setObjectName("user")
        self.statusBar().addWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.post_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self.search_while_typing)
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_box.returnPressed.connect(self.search_entered)
        self.search_box.installEventFilter(self)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.search_now())
        self.desa_filter.currentIndexChanged.connect(lambda _i: self.search_now())
        self.register_button.clicked.connect(self.register_walk_in)
        # activated: Enter, and a double-click (Qt sends both signals for a double-click).
        self.table.activated.connect(lambda index: self.open_participant_at(index.row()))
        self._fill_filters()
        self.setMinimumSize(760, 480)

    def _build_menus(self) -> None:
        self.file_menu = self.menuBar().addMenu("")
        self.find_action = QAction(self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.focus_search)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.register_action = QAction(self)
        self.register_action.setShortcut(QKeySequence.StandardKey.New)
        self.register_action.triggered.connect(self.register_walk_in)
        self.switch_user_action = QAction(self)
        self.switch_user_action.setShortcut(QKeySequence("Ctrl+L"))
        self.switch_user_action.triggered.connect(self.switch_user)
        self.accounts_action = QAction(self)
        self.accounts_action.triggered.connect(self.manage_accounts)
        self.backup_action = QAction(self)
        self.backup_action.triggered.connect(self.open_backups)
        self.cards_today_action = QAction(self)
        self.cards_today_action.triggered.connect(self.print_cards_of_today)
        self.pay_action = QAction(self)
        self.pay_action.setShortcut(QKeySequence("Ctrl+B"))
        self.pay_action.triggered.connect(self.take_payment_of_selected)
        self.cash_action = QAction(self)
        self.cash_action.setShortcut(QKeySequence("Ctrl+K"))
        self.cash_action.triggered.connect(self.open_cash)
        self.dashboards_action = QAction(self)
        self.dashboards_action.setShortcut(QKeySequence("Ctrl+D"))
        self.dashboards_action.triggered.connect(self.open_dashboards)
        self.batches_action = QAction(self)
        self.batches_action.setShortcut(QKeySequence("Ctrl+M"))
        self.batches_action.triggered.connect(lambda: self.open_batches())
        self.file_menu.addAction(self.register_action)
        self.file_menu.addAction(self.cards_today_action)
        self.file_menu.addAction(self.find_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.pay_action)
        self.file_menu.addAction(self.cash_action)
        self.file_menu.addAction(self.dashboards_action)
        self.file_menu.addAction(self.batches_action)
        self.paper_action = QAction(self)
        self.paper_action.triggered.connect(self.open_paper_receipts)
        self.file_menu.addAction(self.paper_action)
        self.import_sheet_action = QAction(self)
        self.import_sheet_action.triggered.connect(self.open_sheet_import)
        self.file_menu.addAction(self.import_sheet_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.switch_user_action)
        self.file_menu.addAction(self.accounts_action)
        self.file_menu.addAction(self.backup_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.settings_menu = self.menuBar().addMenu("")
        self.language_menu = self.settings_menu.addMenu("")
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code in LANGUAGES:
            # Each language in its own words, its first letter the key (B, E).
            action = QAction("&" + LANGUAGE_NAMES[code], self, checkable=True)
            action.setChecked(code == language())
            action.triggered.connect(lambda _checked=False, c=code: self.change_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action

        self.idle_action = QAction(self)
        self.idle_action.triggered.connect(self.ask_idle_minutes)
        self.settings_menu.addAction(self.idle_action)
        self.offset_action = QAction(self)
        self.offset_action.triggered.connect(self.ask_card_offset)
        self.settings_menu.addAction(self.offset_action)
        self.receipt_layout_action = QAction(self)
        self.receipt_layout_action.triggered.connect(self.ask_receipt_layout)
        self.settings_menu.addAction(self.receipt_layout_action)
        self.branch_key_action = QAction(self)
        self.branch_key_action.triggered.connect(lambda: self.open_batches(keys=True))
        self.settings_menu.addAction(self.branch_key_action)

        # Bantuan: the offline help (F1) is added here by ``ui.help``, before "Tentang"; the
        # window's topic is its "help_topic" property.
        self.setProperty("help_topic", "main")
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
        title = tr(
            "Rumah Perisai — {name} ({code})", name=self.summary.name, code=self.summary.code
        )
        if self.summary.is_demo:
            title = tr("{title} — DEMO", title=title)
        self.setWindowTitle(title)
        self.demo_banner.setText(
            tr("DEMO POST for training: the people and payments here are made up.")
        )
        self.search_label.setText(tr("&Search:"))
        self.status_label.setText(tr("S&tatus:"))
        self.desa_label.setText(tr("&Desa:"))
        self.search_box.setPlaceholderText(
            tr("NIK or its start, name, registration number, KPJ or phone (Ctrl+F)")
        )
        self.post_label.setText(
            tr(
                "Post {code} · {name} · {kabupaten} · {tz}",
                code=self.summary.code,
                name=self.summary.name,
                kabupaten=self.summary.kabupaten_name,
                tz=self.summary.timezone,
            )
        )
        self.file_menu.setTitle(tr("&File"))
        self.register_action.setText(tr("&Register a walk-in…"))
        self.cards_today_action.setText(tr("Print &today's new cards (A4 sheets)…"))
        self.register_button.setText(tr("&New registration (Ctrl+N)"))
        self.switch_user_action.setText(tr("&Switch user…"))
        self.accounts_action.setText(tr("Volunteer &accounts…"))
        self.accounts_action.setVisible(self.actor.is_coordinator)
        self.backup_action.setText(tr("Backu&p and recovery…"))
        self.backup_action.setVisible(self.actor.is_coordinator)
        self.import_sheet_action.setText(tr("&Import from a spreadsheet…"))
        self.import_sheet_action.setVisible(self.actor.is_coordinator)
        role = tr("coordinator") if self.actor.is_coordinator else tr("volunteer")
        self.user_label.setText(tr("Working: {name} ({role})", name=self.actor.name, role=role))
        self._retranslate_filters()
        self.find_action.setText(tr("&Find participant"))
        self.quit_action.setText(tr("&Quit"))
        self.settings_menu.setTitle(tr("S&ettings"))
        self.language_menu.setTitle(tr("&Language"))
        self.idle_action.setText(tr("Lock after &idle time…"))
        self.idle_action.setVisible(self.actor.is_coordinator)
        self.offset_action.setText(tr("Card printer &offset…"))
        self.offset_action.setVisible(self.actor.is_coordinator)
        self.pay_action.setText(tr("Take &dues payment…"))
        self.cash_action.setText(tr("&Cash and daily close…"))
        self.dashboards_action.setText(tr("Dash&boards…"))
        self.batches_action.setText(tr("&Weekly batch…"))
        self.branch_key_action.setText(tr("&Branch key…"))
        self.paper_action.setText(tr("Pap&er receipts after the restore…"))
        self.show_paper_hold()
        self.receipt_layout_action.setText(tr("&Receipt layout…"))
        self.receipt_layout_action.setVisible(self.actor.is_coordinator)
        self.card_banner.retranslate()
        self.help_menu.setTitle(tr("&Help"))
        self.guide_action.setText(tr("&Guide"))
        self.about_action.setText(tr("&About Rumah Perisai"))
        self.model.refresh_texts()
        self.refresh_banners()
        self._size_columns()
        self._show_count(self.model.rowCount())

    def _size_columns(self) -> None:
        """Each column as wide as its header or a typical value, whichever is wider, in this
        language and font (sizing to contents would read all 200,000 rows)."""
        samples = {
            0: f"{self.summary.code}-000000",
            2: "3209********0000",
            3: "Lemahabang Kulon",
            4: max((status_label(s) for s in Status), key=len),
            5: formats.day(date(2027, 12, 28)),
        }
        metrics = self.table.fontMetrics()
        for column, sample in samples.items():
            header = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            width = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(header))
            self.table.setColumnWidth(column, width + 24)

    # --- behaviour ---------------------------------------------------------------------------
    def today(self) -> date:
        return local_date(self._app.db.clock(), self.summary.timezone)

    def search_now(self) -> None:
        self._search_timer.stop()
        status = self.status_filter.currentData()
        desa = self.desa_filter.currentData()
        count = self.model.set_query(
            self.search_box.text(), Status(status) if status else None, desa or None
        )
        self._show_count(count)
        if count:
            self.table.selectRow(0)
            self.table.scrollToTop()

    def search_while_typing(self) -> None:
        """After a pause in typing: search, unless what is typed would match almost everyone
        (one or two letters, a NIK's first three digits) — then wait for more, or for Enter."""
        if too_broad_while_typing(self.search_box.text()):
            self.result_count.setText(tr("Type more, or press Enter"))
            return
        self.search_now()

    def search_entered(self) -> None:
        """Enter in the search box: search now; a scanned or typed code that matches exactly one
        participant opens them (a USB scanner types the code, then Enter). A card's QR code
        opens its participant and says whether the card is genuine and current."""
        if is_card_text(self.search_box.text()):
            self.scan_card(self.search_box.text())
            return
        self.search_now()
        kind = parse_query(self.search_box.text()).kind
        if self.model.rowCount() == 1 and kind is not SearchKind.NAME:
            self.open_participant_at(0)

    def _fill_filters(self) -> None:
        chosen = (self.status_filter.currentData(), self.desa_filter.currentData())
        self.status_filter.blockSignals(True)
        self.status_filter.clear()
        self.status_filter.addItem("", None)
        for status in Status:
            self.status_filter.addItem(status_label(status), status.value)
        self.status_filter.blockSignals(False)
        self.desa_filter.blockSignals(True)
        self.desa_filter.clear()
        self.desa_filter.addItem("", None)
        with self._app.db.reading() as session:
            codes = self._search.desa_in_use(session)
        for code in codes:
            desa = areas.area(code)
            self.desa_filter.addItem(desa.name if desa else code, code)
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData(chosen[0])))
        self.desa_filter.setCurrentIndex(max(0, self.desa_filter.findData(chosen[1])))
        self.desa_filter.blockSignals(False)
        if self.status_filter.count() and self.desa_filter.count():
            self._retranslate_filters()

    def _retranslate_filters(self) -> None:
        self.status_filter.setItemText(0, tr("All statuses"))
        for index, status in enumerate(Status, start=1):
            self.status_filter.setItemText(index, status_label(status))
        self.desa_filter.setItemText(0, tr("All desa"))

    # Dialogs open window-modal without a nested event loop (``open``, not ``exec``): the
    # window keeps painting, and tests drive the open dialog as a volunteer would.
    def register_walk_in(self) -> None:
        from rumah_perisai.ui.registration_form import RegistrationDialog

        dialog = RegistrationDialog(
            self._app.db, self.post_id, self.summary.kabupaten_code, self.actor, self.today, self
        )
        dialog.open_participant.connect(self.open_participant)
        dialog.registered.connect(self._registered)
        self.registration_dialog = dialog
        dialog.open()

    def _registered(self, participant_id: int) -> None:
        """A new registration: show it in the list and open it, ready for the next steps."""
        self._fill_filters()
        self.search_box.clear()
        self.search_now()
        row = self.model.row_of(participant_id)
        if row is not None:
            self.table.selectRow(row)
        self.open_participant(participant_id)

    def open_participant_at(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_participant(self.model.participant_id(row))

    def open_participant(self, participant_id: int) -> None:
        from rumah_perisai.ui.participant_dialog import ParticipantDialog

        dialog = ParticipantDialog(
            self._app.db,
            participant_id,
            self.actor,
            self.today,
            self.summary.timezone,
            self,
            folder=self._app.folder,
        )
        dialog.correct_requested.connect(lambda pid: self.correct_participant(pid, dialog))
        dialog.card_requested.connect(self.print_card)
        self.participant_dialog = dialog
        dialog.open()

    def correct_participant(self, participant_id: int, view: ParticipantDialog) -> None:
        from rumah_perisai.ui.registration_form import RegistrationDialog

        form = RegistrationDialog(
            self._app.db,
            self.post_id,
            self.summary.kabupaten_code,
            self.actor,
            self.today,
            view,
            correcting=participant_id,
        )
        self.correction_dialog = form
        form.open()

    def _close_dialogs(self) -> None:
        """Open forms belong to whoever opened them: a new person starts with none open."""
        for name in (
            "registration_dialog",
            "correction_dialog",
            "participant_dialog",
            "payment_dialog",
            "cash_dialog",
            "batches_dialog",
            "backup_dialog",
            "paper_dialog",
            "sheet_import_dialog",
        ):
            dialog = getattr(self, name, None)
            if dialog is not None:
                dialog.close()
        for child in self.findChildren(QDialog):
            child.close()
        self.dismiss_card_warning()  # the last card was the previous person's business

    def switch_user(self) -> None:
        from rumah_perisai.ui.login import LoginDialog

        self._close_dialogs()
        dialog = LoginDialog(self._app.db, self, folder=self._app.folder)
        if dialog.exec() and dialog.actor is not None:
            self.actor = dialog.actor
            self.retranslate()

    def lock(self) -> None:
        """After a time without use: someone must log in again to go on."""
        from rumah_perisai.ui.login import LoginDialog

        self._close_dialogs()
        dialog = LoginDialog(self._app.db, self, locked=True, folder=self._app.folder)
        while not dialog.exec() or dialog.actor is None:
            pass
        self.actor = dialog.actor
        self.retranslate()

    def take_payment_of_selected(self) -> None:
        """Ctrl+B: dues for the participant selected in the list."""
        from rumah_perisai.ui.payment_dialog import PaymentDialog

        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.result_count.setText(tr("Choose a participant in the list first."))
            return
        participant_id = self.model.participant_id(rows[0].row())
        with refusing(self, wait=False) as refused:
            dialog = PaymentDialog(self._app.db, self._app.folder, self.actor, participant_id, self)
        if refused:
            self.message_box = refused.box
            return
        self.payment_dialog = dialog
        dialog.open()

    def open_cash(self) -> None:
        """Ctrl+K: the cash held, the day's close, bank deposits."""
        from rumah_perisai.ui.cash_dialog import CashDialog

        self.cash_dialog = CashDialog(self._app.db, self._app.folder, self.actor, self.today, self)
        self.cash_dialog.open()

    def open_dashboards(self) -> None:
        """Ctrl+D: the promotion, the call list, dues and incentives (a window of its own)."""
        from rumah_perisai.ui.dashboard_window import DashboardWindow

        current = getattr(self, "dashboard_window", None)
        if current is not None and current.isVisible():
            current.raise_()
            current.activateWindow()
            return
        self.dashboard_window = DashboardWindow(self._app, self.actor, self)
        self.dashboard_window.show()

    def open_backups(self) -> None:
        """File › Backup and recovery… (coordinators): backups now, the place off the laptop,
        a new recovery code. The banner is looked at again when it closes."""
        from rumah_perisai.ui.backup_dialog import BackupDialog

        if not self.actor.is_coordinator:
            return
        dialog = BackupDialog(self._app, self.actor, self.summary.timezone, self)
        self.backup_dialog = dialog
        dialog.open()

    def refresh_banners(self) -> None:
        """The backup off the laptop more than a day old (or none, or no place set), and a
        computer that keeps the database key in a file: each a plain line over the list."""
        from rumah_perisai.ui.backup_dialog import off_laptop_warning

        # Only a post's own (encrypted) database in its data folder is backed up and has a key
        # here; a post kept in PostgreSQL is the server's to protect.
        own = folder_of(self._app.db) is not None
        warning = ""
        if own:
            try:
                warning = off_laptop_warning(backup_status(self._app), self.summary.timezone)
            except UserError as error:
                warning = error.message()
        self.backup_banner.setText(warning)
        self.backup_banner.setVisible(bool(warning))
        less = own and key_protection(self._app.folder) is Protection.FILE
        self.key_banner.setText(
            tr(
                "This computer has no protected key store: the key of the post's data is kept "
                "in a file on this laptop, so the data is less protected if the laptop is stolen."
            )
            if less
            else ""
        )
        self.key_banner.setVisible(less)

    def open_batches(self, keys: bool = False) -> None:
        """Ctrl+M: the weekly batch for the branch; Settings, Branch key…: the same page, its
        keys first."""
        from rumah_perisai.ui.batches_dialog import BatchesDialog

        self.batches_dialog = BatchesDialog(
            self._app.db, self._app.folder, self.actor, self, keys_first=keys
        )
        self.batches_dialog.open()

    def show_paper_hold(self) -> None:
        """The hold after a restore: the banner, and the menu entry for a coordinator."""
        self.paper_banner.show_state(self._app.db, self.actor, self.summary.timezone)
        state = self.paper_banner.state
        restored = state is not None and state.note is not None
        self.paper_action.setVisible(restored and self.actor.is_coordinator)

    def open_paper_receipts(self) -> None:
        """After a restore: the receipts printed after the backup, from their paper halves."""
        from rumah_perisai.ui.paper_receipts_dialog import PaperReceiptsDialog

        if not self.actor.is_coordinator:
            return
        dialog = PaperReceiptsDialog(self._app.db, self.actor, self)
        self.paper_dialog = dialog
        dialog.open()

    def open_sheet_import(self) -> None:
        """File › Import from a spreadsheet… (coordinators): a post's own list, checked first."""
        from rumah_perisai.ui.sheet_import_dialog import SheetImportDialog

        if self.actor.is_coordinator:
            self.sheet_import_dialog = SheetImportDialog(
                self._app.db, self._app.folder, self.actor, self
            )
            self.sheet_import_dialog.open()

    def manage_accounts(self) -> None:
        from rumah_perisai.ui.accounts_dialog import AccountsDialog

        if self.actor.is_coordinator:
            AccountsDialog(self._app.db, self.actor, self).exec()

    def _show_count(self, count: int) -> None:
        if (
            self.search_box.text().strip()
            or self.status_filter.currentData()
            or (self.desa_filter.currentData())
        ):
            text = tr("{count} found", count=formats.number(count))
        else:
            text = tr("{count} participants", count=formats.number(count))
        self.result_count.setText(text)

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_box and isinstance(event, QKeyEvent):
            if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
                self.table.setFocus()
                return True
            if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
                self.search_box.clear()
                self.search_now()
                return True
        return super().eventFilter(watched, event)

    def change_language(self, code: str) -> None:
        """Switch and remember the language; the window is redrawn at once."""
        self._app.settings.language = code
        self._app.settings.save(self._app.folder)
        set_language(code)
        apply_qt_locale()
        self.retranslate()
        self.language_changed.emit(code)

    def show_about(self) -> None:
        show_about(self, self._app.folder.root)

    # --- window state ------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        restore_geometry(self, self._state, "main/geometry")

    def closeEvent(self, event: QCloseEvent) -> None:
        self._search_timer.stop()
        self._banner_timer.stop()
        remember_geometry(self, self._state, "main/geometry")
        if self.backup_at_close:
            self.backup_at_close = False  # once, however the window is closed
            self.back_up_before_closing()
        super().closeEvent(event)

    def back_up_before_closing(self) -> None:
        """A local backup as the window closes, behind a progress bar if it takes more than a
        moment. A failure is said in one line (a few seconds, or until dismissed) and logged;
        it never keeps the window open, and the data stays as it is in the database."""
        from rumah_perisai.ui.tasks import run_with_progress

        app = self._app
        if folder_of(app.db) is None:  # a post in PostgreSQL: the server keeps its copies
            return
        result = run_with_progress(
            self,
            tr("Backing up before closing…"),
            lambda _progress: local_backup(app, "close"),
            cancellable=False,
        )
        if result.error is None:
            return
        if isinstance(result.error, UserError):
            reason = result.error.message()
        else:
            log.error("backup at closing failed", exc_info=result.error)
            reason = str(result.error) or type(result.error).__name__
        self.close_backup_error = tr(
            "The backup at closing failed: {reason} Nothing was lost; the next daily close "
            "makes a backup again.",
            reason=reason,
        )
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            tr("Backup at closing"),
            self.close_backup_error,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("closeBackupFailed")
        QTimer.singleShot(CLOSE_NOTICE_MS, box.accept)
        self.close_backup_box = box
        box.exec()


__all__ = ["COL_STATUS", "MainWindow"]
