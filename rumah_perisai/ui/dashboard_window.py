"""The dashboards (issue 7): the free-cover promotion, who to call, dues, volunteer incentives.

One window with four tabs, each showing what a service counts (``services.dashboard``,
``services.call_list``, ``services.incentives``) — the window counts nothing itself:

* **Promotion**: the funnel as tiles (a big number, a short label, a tooltip saying exactly what it
  counts; click or Enter lists the participants behind it), filtered by desa and volunteer; the
  cohorts by registration month or week as a table and a bar chart of conversion.
* **Call list**: whose cover ends within N days or who is in arrears, with the ready message
  (copy, or open WhatsApp with it), the last call's outcome and recording a new one; export to a
  spreadsheet and print for calling offline.
* **Dues**: collected today, this week and this month; payments, voids and refunds; cash held.
* **Incentives**: per volunteer for a month under the scheme in force, and the printable
  statement.

Everything is read on worker threads ("Loading…" meanwhile): the window never freezes, even on a
post of 200,000 participants. F5 refreshes the tab shown; showing a tab refreshes it too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QMargins,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QUrl,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QCloseEvent,
    QColor,
    QDesktopServices,
    QFont,
    QFontMetrics,
    QKeySequence,
)
from PySide6.QtGui import QPainter as _QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import areas, formats
from rumah_perisai.app import App
from rumah_perisai.domain.coverage import Status
from rumah_perisai.domain.incentives import PART_NOTE
from rumah_perisai.domain.months import add_months, first_of_month
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError, as_refusal
from rumah_perisai.i18n import N_, babel_locale, speaking, tr
from rumah_perisai.printing.call_list import call_list_pdf
from rumah_perisai.printing.incentives import statement_pdf
from rumah_perisai.services.call_list import (
    DEFAULT_WITHIN_DAYS,
    MAX_WITHIN_DAYS,
    CallRow,
    call_list,
    calls_of,
    export_xlsx,
    record_call,
)
from rumah_perisai.services.dashboard import (
    COHORT_WINDOWS,
    FIGURE_HELP,
    CohortRow,
    DuesFigures,
    DuesPeriod,
    PromotionFigures,
    cohort_members,
    dues_figures,
    promotion_dashboard,
    promotion_members,
)
from rumah_perisai.services.incentives import IncentiveStatement, post_month, volunteer_month
from rumah_perisai.services.participant_search import ParticipantSearch
from rumah_perisai.services.posts import PostSummary, local_post_id, post_summary
from rumah_perisai.services.volunteers import Actor, accounts
from rumah_perisai.ui.dashboard_parts import (
    TILE_STYLE,
    FigureTile,
    Loader,
    MembersDialog,
    OutcomeDialog,
    fit_columns,
)
from rumah_perisai.ui.file_dialogs import remember_folder, start_folder
from rumah_perisai.ui.participant_model import STATUS_COLOURS
from rumah_perisai.ui.pdf_preview import PdfDialog

AnyIndex = QModelIndex | QPersistentModelIndex
AMOUNT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
HINT_STYLE = "color: #8a4b00; font-weight: bold;"
ERROR_STYLE = "color: #b71c1c; font-weight: bold;"
CHART_COHORTS = 12  # at most this many bars groups; fewer when their dates would not fit
RESIZE_SAMPLE = 300  # rows a column's width is measured on (a big post's list is long)
EXPLAIN = "explain"  # a widget property: what the explanation line says when it has focus
EXPLAIN_STYLE = "color: #263238; background: #eef3f7; border-radius: 3px; padding: 2px 4px;"
HELP_TOPIC = "dashboards"
CHART_AXIS_ROOM = 70  # the chart's left axis and margins, in pixels
# Room around a date on the chart's axis: Qt cuts a label well before it touches the next one.
CHART_LABEL_GAP = 32
INCENTIVE_MONTHS = 24  # months to choose from in the incentives tab
PROMOTION, CALLS, DUES, INCENTIVES = "promotion", "calls", "dues", "incentives"
CALL_LIST_FILES = "call_list"  # the kind of file whose last folder is remembered

# The tiles, in rows: what a coordinator reads left to right.
TILE_ROWS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        N_("Now"),
        (
            ("registered_with_promotion", N_("registered with free cover")),
            ("in_free_cover_now", N_("inside their free cover today")),
            ("ending_within_14_days", N_("free cover ends within 14 days")),
            ("registered_without_promotion", N_("registered without free cover")),
        ),
    ),
    (
        N_("Free cover ended"),
        (
            ("ended_total", N_("free cover has ended")),
            ("converted", N_("converted · % of ended")),
            ("ended_in_arrears_not_converted", N_("not paid yet, can still pay")),
            ("ended_lapsed_not_converted", N_("never paid: lapsed")),
            ("ended_other_not_converted", N_("not paid, other (e.g. rejoined)")),
        ),
    ),
    (
        N_("Converted, today"),
        (
            ("converted_active", N_("paid up and covered")),
            ("converted_in_arrears", N_("in arrears, can still pay")),
            ("converted_lapsed", N_("lapsed since")),
            ("converted_other", N_("other status")),
        ),
    ),
)

CALL_COLUMNS = (
    N_("Name"),
    N_("Phone"),
    N_("Desa"),
    N_("Status"),
    N_("Cover ends"),
    N_("Days left"),
    N_("Last call"),
)
INCENTIVE_COLUMNS = (
    N_("Volunteer"),
    N_("New participants"),
    N_("Dues counted"),
    N_("Gross"),
    N_("Wadah share"),
    N_("Net"),
)


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def cohort_label(row: CohortRow, by: str) -> str:
    if by == "week":
        return tr("week of {day}", day=formats.day(row.start))
    return formats.month(row.start)


def cohort_cell(row: CohortRow, window: int) -> str:
    """Converted within ``COHORT_WINDOWS[window]`` days: count and share of the registered, or
    "–" while the window has passed for none of them yet (then nothing can be read from it)."""
    if row.matured[window] == 0:
        return "–"
    count = row.converted_within[window]
    text = f"{formats.number(count)} ({percent(count, row.registered)})"
    return text if row.matured[window] >= row.registered else f"{text} *"


def cohort_percent(row: CohortRow, window: int) -> float:
    """The chart's value: the share converted, 0 while the window has not passed."""
    if row.matured[window] == 0 or not row.registered:
        return 0.0
    return round(100 * row.converted_within[window] / row.registered, 1)


def _table_view(name: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    return table


def _read_only(text: str, align: Qt.AlignmentFlag | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if align is not None:
        item.setTextAlignment(align)
    return item


class CallModel(QAbstractTableModel):
    """The call list's rows (the service's, most urgent first)."""

    def __init__(self, zone: str) -> None:
        super().__init__()
        self.rows: list[CallRow] = []
        self.zone = zone  # the post's: a call's day is the post's day, not UTC's

    def set_rows(self, rows: Sequence[CallRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def replace_row(self, number: int, row: CallRow) -> None:
        self.rows[number] = row
        self.dataChanged.emit(self.index(number, 0), self.index(number, len(CALL_COLUMNS) - 1))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CALL_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(CALL_COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return tr(CALL_COLUMNS[section])
        if role == Qt.ItemDataRole.ToolTipRole and section == 5:
            return tr(
                "Days of cover left. In arrears: the days left to pay the missed months before "
                "the membership lapses (today included)."
            )
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            return QBrush(QColor(STATUS_COLOURS[row.status][0]))
        if role == Qt.ItemDataRole.BackgroundRole and column == 3:
            return QBrush(QColor(STATUS_COLOURS[row.status][1]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 5:
            return int(AMOUNT)
        if role == Qt.ItemDataRole.ToolTipRole and column == 6 and row.last_note:
            return row.last_note
        return None

    def _text(self, row: CallRow, column: int) -> str:
        if column == 0:
            return row.name
        if column == 1:
            return row.phone or "—"
        if column == 2:
            return row.desa_name
        if column == 3:
            return row.status_text
        if column == 4:
            return formats.day(row.cover_until)
        if column == 5:
            return days_shown(row)
        if row.last_outcome_text is None:
            return "—"
        if row.last_called_at is None:
            return row.last_outcome_text
        when = formats.day(local_date(row.last_called_at, self.zone))
        return f"{row.last_outcome_text} ({when})"


class DashboardWindow(QDialog):
    """The dashboards; a separate window beside the participant list (not modal)."""

    def __init__(self, app: App, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardWindow")
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._app = app
        self._db = app.db
        self.actor = actor
        summary = post_summary(app.db)
        post_id = local_post_id(app.db)
        if summary is None or post_id is None:
            raise RuntimeError("the dashboards need a post")
        self.summary: PostSummary = summary
        self._search = ParticipantSearch(post_id)
        self.loader = Loader()
        self.figures: PromotionFigures | None = None
        self.cohort_rows: list[CohortRow] = []
        self.shown_by = "month"
        self.dues: DuesFigures | None = None
        self.statements: list[IncentiveStatement] = []
        self.last_url: str | None = None
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.setWindowTitle(tr("Dashboards — {name}", name=self.summary.name))
        self.setProperty("help_topic", HELP_TOPIC)
        self.setStyleSheet(TILE_STYLE)
        self._build()
        self.refresh()

    def today(self) -> date:
        parent_today = getattr(self.parent(), "today", None)
        if callable(parent_today):
            day = parent_today()
            assert isinstance(day, date)
            return day
        return local_date(self._db.clock(), self.summary.timezone)

    @property
    def loading(self) -> bool:
        return self.loader.pending > 0

    # --- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        # One pair of filters for the promotion and the call list: two pairs would share their
        # Alt keys within the window (issue 17).
        self.desa, self.volunteer, self.filter_bar = self._filters()
        self.promo_desa = self.calls_desa = self.desa
        self.promo_volunteer = self.calls_volunteer = self.volunteer
        for combo in (self.desa, self.volunteer):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.addTab(self._promotion_tab(), tr("&Promotion"))
        self.tabs.addTab(self._calls_tab(), tr("Ca&ll list"))
        self.tabs.addTab(self._dues_tab(), tr("D&ues"))
        self.tabs.addTab(self._incentives_tab(), tr("I&ncentives"))
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        self.tabs.currentChanged.connect(self._tab_shown)
        for table in (self.cohort_table, self.call_table, self.dues_table, self.incentive_table):
            table.selectionModel().currentChanged.connect(
                lambda _c, _p, t=table: self._explain(t) if self.focusWidget() is t else None
            )
        self.explain = QLabel()
        self.explain.setObjectName("explain")
        self.explain.setWordWrap(True)
        self.explain.setStyleSheet(EXPLAIN_STYLE)
        self.explain.setMinimumHeight(2 * self.fontMetrics().lineSpacing() + 8)
        self.explain.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.refresh_button = QPushButton(tr("&Refresh (F5)"))
        self.refresh_button.setObjectName("refresh")
        self.refresh_button.setAutoDefault(False)
        self.refresh_button.clicked.connect(self.refresh)
        close = QPushButton(tr("Cl&ose window"))
        close.setObjectName("close")
        close.setAutoDefault(False)
        close.clicked.connect(self.close)
        self.refresh_action = QAction(self)
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.triggered.connect(self.refresh)
        self.addAction(self.refresh_action)
        foot = QHBoxLayout()
        foot.addWidget(self.status, 1)
        foot.addWidget(self.refresh_button)
        foot.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.explain)
        layout.addLayout(foot)
        app = QApplication.instance()
        self._following = isinstance(app, QApplication)
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow_focus)
        self._explain(None)
        screen = self.screen().availableGeometry()
        self.resize(min(1080, int(screen.width() * 0.98)), min(600, int(screen.height() * 0.95)))

    # --- the explanation line: what a tooltip says, for the keyboard too (issue 17) -------------
    def _tab_shown(self, index: int) -> None:
        self.filter_bar.setVisible(index in (0, 1))  # the filters apply to these two only

    def _follow_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and new.window() is self:
            self._explain(new)

    def _explain(self, widget: QWidget | None) -> None:
        text = explanation(widget) if widget is not None else ""
        self.explain.setText(text or tr(
            "Tab moves between the controls, Alt with the underlined letter jumps to one; the "
            "line here explains what has the focus. F1: help."))  # fmt: skip

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.chart_view and event.type() == QEvent.Type.Resize:
            self._draw_chart()  # as many dates as fit the new width
        return super().eventFilter(watched, event)

    def _filters(self) -> tuple[QComboBox, QComboBox, QWidget]:
        desa = QComboBox()
        desa.setObjectName("desa")
        desa.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        desa.addItem(tr("All desa"), None)
        with self._db.reading() as session:
            codes = self._search.desa_in_use(session)
        for code in codes:
            area = areas.area(code)
            desa.addItem(area.name if area else code, code)
        volunteer = QComboBox()
        volunteer.setObjectName("volunteer")
        volunteer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        volunteer.addItem(tr("All volunteers"), None)
        for account in accounts(self._db):
            volunteer.addItem(account.name, account.id)
        desa_label = QLabel(tr("De&sa filter:"))
        desa_label.setBuddy(desa)
        volunteer_label = QLabel(tr("Registered &by:"))
        volunteer_label.setBuddy(volunteer)
        desa.setToolTip(tr("Only the participants of this desa (promotion and call list)."))
        volunteer.setToolTip(tr("Only the participants this volunteer registered."))
        bar = QWidget()
        bar.setObjectName("filters")
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(desa_label)
        row.addWidget(desa)
        row.addWidget(volunteer_label)
        row.addWidget(volunteer)
        row.addStretch(1)
        return desa, volunteer, bar

    def _promotion_tab(self) -> QWidget:
        tab = QWidget()
        self.promo_hint = QLabel()
        self.promo_hint.setObjectName("promoHint")
        self.promo_hint.setStyleSheet(HINT_STYLE)
        self.promo_hint.setWordWrap(True)
        self.promo_hint.hide()
        self.tiles: dict[str, FigureTile] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        for row, (title, tiles) in enumerate(TILE_ROWS):
            heading = QLabel(tr(title))
            heading.setStyleSheet("font-weight: bold; color: #1b5e20;")
            heading.setWordWrap(True)
            grid.addWidget(heading, row, 0)
            for column, (figure, label) in enumerate(tiles, start=1):
                tile = FigureTile(figure, tr(label))
                tile.setToolTip(tr(FIGURE_HELP[figure]))
                tile.setProperty(EXPLAIN, f"{tr(label)}: {tr(FIGURE_HELP[figure])}")
                tile.clicked.connect(lambda _c=False, f=figure: self.show_members(f))
                self.tiles[figure] = tile
                grid.addWidget(tile, row, column)
        grid.setColumnStretch(0, 0)
        for column in range(1, 6):
            grid.setColumnStretch(column, 1)

        # A label with an Alt key reaches the figures from the keyboard; arrows move on.
        figures_label = QLabel(tr("&Figures:"))
        figures_label.setBuddy(self.tiles[TILE_ROWS[0][1][0][0]])
        figures_label.setStyleSheet("font-weight: bold; color: #1b5e20;")
        how = QLabel(
            tr("Tab or the arrow keys move between the figures; the line at the bottom says what "
               "each counts; Enter lists the participants behind it.")
        )  # fmt: skip
        how.setStyleSheet("color: #546e7a;")
        how.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(figures_label)
        top.addWidget(how, 1)
        top.addWidget(self.promo_hint, 1)

        # Peserta baru per bulan / minggu daftar: plain words, not "cohort" (issue 17).
        self.by = QComboBox()
        self.by.setObjectName("groupBy")
        self.by.addItem(tr("month of registration"), "month")
        self.by.addItem(tr("week of registration"), "week")
        self.by.currentIndexChanged.connect(lambda _i: self.refresh_promotion())
        by_label = QLabel(tr("&Group new participants by:"))
        by_label.setBuddy(self.by)
        cohort_bar = QHBoxLayout()
        self.cohort_title = QLabel(tr("New participants with free cover, and who went on pa&ying"))
        self.cohort_title.setStyleSheet("font-weight: bold; color: #1b5e20;")
        cohort_bar.addWidget(self.cohort_title)
        cohort_bar.addStretch(1)
        cohort_bar.addWidget(by_label)
        cohort_bar.addWidget(self.by)
        note = QLabel(
            tr(
                "Went on paying within N days after the free cover ended. –: not that long ago "
                "yet; *: not yet for all of them."
            )  # fmt: skip
        )
        note.setStyleSheet("color: #546e7a;")
        note.setWordWrap(True)

        self.cohort_table = QTableWidget(0, 2 + len(COHORT_WINDOWS))
        self.cohort_table.setObjectName("cohortTable")
        self.cohort_title.setBuddy(self.cohort_table)
        heads = [tr("Registered in"), tr("New participants")]
        heads += [tr("≤ {days} days", days=n) for n in COHORT_WINDOWS]
        self.cohort_table.setHorizontalHeaderLabels(heads)
        tips = [
            tr("The month or week (Monday to Sunday) of registration."),
            tr(
                "Participants registered with free cover in that period (not withdrawn or "
                "rejected)."
            ),  # fmt: skip
        ]
        tips += [
            tr("Converted (a month after the free cover paid, not voided) within {days} days "
               "of their free cover's end, and their share of the registered.", days=n)
            for n in COHORT_WINDOWS
        ]  # fmt: skip
        for column, tip in enumerate(tips):
            header_item = self.cohort_table.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setToolTip(tip)
        self.cohort_table.verticalHeader().setVisible(False)
        self.cohort_table.cellActivated.connect(self.show_cohort_members)
        self.cohort_table.cellDoubleClicked.connect(self.show_cohort_members)
        self.cohort_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cohort_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.cohort_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.cohort_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)

        self.chart = QChart()
        self.chart.setObjectName("cohortChart")
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setMargins(QMargins(2, 2, 2, 2))
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("cohortChartView")
        self.chart_view.setRenderHint(_QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(150)
        self.chart_view.installEventFilter(self)
        self.chart_series = QBarSeries()
        self.chart_sets: list[QBarSet] = []
        self.chart_rows: list[CohortRow] = []
        self._charted: list[date] = []
        self.chart_note = QLabel()
        self.chart_note.setObjectName("chartNote")
        self.chart_note.setWordWrap(True)
        self.chart_note.setStyleSheet("color: #546e7a;")
        chart_box = QWidget()
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.setSpacing(2)
        chart_layout.addWidget(self.chart_note)
        chart_layout.addWidget(self.chart_view, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.cohort_table)
        splitter.addWidget(chart_box)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([430, 620])
        self.cohort_table.setMinimumWidth(360)
        self.chart_view.setMinimumWidth(360)

        layout = QVBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addLayout(cohort_bar)
        layout.addWidget(note)
        layout.addWidget(splitter, 1)
        return tab

    def _calls_tab(self) -> QWidget:
        tab = QWidget()
        filters = QHBoxLayout()
        self.within = QSpinBox()
        self.within.setObjectName("withinDays")
        self.within.setRange(0, MAX_WITHIN_DAYS)
        self.within.setValue(DEFAULT_WITHIN_DAYS)
        self.within.setSuffix(tr(" days"))
        self.within.setToolTip(
            tr(
                "List the participants whose cover ends within this many days; those in "
                "arrears are always listed."
            )  # fmt: skip
        )
        within_label = QLabel(tr("Cover en&ds within:"))
        within_label.setBuddy(self.within)
        filters.addWidget(within_label)
        filters.addWidget(self.within)
        self.calls_count = QLabel()
        self.calls_count.setObjectName("callsCount")
        self.calls_count.setWordWrap(True)  # never wider than the screen
        filters.addWidget(self.calls_count, 1)
        self.within.editingFinished.connect(self.refresh_calls)
        self.within.valueChanged.connect(lambda _v: self.refresh_calls())

        self.call_model = CallModel(self.summary.timezone)
        self.call_table = _table_view("callTable")
        self.call_table.setModel(self.call_model)
        header = self.call_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Sized to the rows read (a sample: a big post lists thousands), never cut (issue 17).
        header.setResizeContentsPrecision(RESIZE_SAMPLE)
        self.call_table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._show_message()
        )
        self.call_table.activated.connect(lambda _i: self.ask_outcome())
        self.message = QPlainTextEdit()
        self.message.setObjectName("message")
        self.message.setReadOnly(True)
        self.message.setMaximumHeight(self.fontMetrics().height() * 3 + 12)
        self.message.setToolTip(tr("The message for the participant chosen, ready to send."))
        message_label = QLabel(tr("Message ready to send:"))
        message_label.setStyleSheet("color: #546e7a;")

        self.copy_button = QPushButton(tr("&Copy the message"))
        self.copy_button.setObjectName("copyMessage")
        self.copy_button.clicked.connect(self.copy_message)
        self.whatsapp_button = QPushButton(tr("Open &WhatsApp"))
        self.whatsapp_button.setObjectName("whatsapp")
        self.whatsapp_button.setToolTip(tr("Opens a WhatsApp chat with the message typed in."))
        self.whatsapp_button.clicked.connect(self.open_whatsapp)
        self.outcome_button = QPushButton(tr("Record the ou&tcome…"))
        self.outcome_button.setObjectName("recordOutcome")
        self.outcome_button.setToolTip(tr("Enter or double-click on a row does the same."))
        self.outcome_button.clicked.connect(self.ask_outcome)
        self.export_button = QPushButton(tr("&Export to a worksheet…"))
        self.export_button.setObjectName("export")
        self.export_button.clicked.connect(self.ask_export)
        self.print_button = QPushButton(tr("Pr&int the list…"))
        self.print_button.setObjectName("printList")
        self.print_button.clicked.connect(self.print_calls)
        self.calls_info = QLabel()
        self.calls_info.setObjectName("callsInfo")
        self.calls_info.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.copy_button, self.whatsapp_button, self.outcome_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addWidget(self.calls_info, 1)
        for button in (self.export_button, self.print_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(filters)
        layout.addWidget(self.call_table, 1)
        layout.addWidget(message_label)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        return tab

    def _dues_tab(self) -> QWidget:
        tab = QWidget()
        self.dues_table = QTableWidget(4, 3)
        self.dues_table.setObjectName("duesTable")
        self.dues_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.dues_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.dues_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.dues_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        rows = [
            (tr("Payments (receipts)"), tr("Dues receipts issued in the period: their total "
                                           "and (in brackets) how many.")),
            (tr("Voided the same day"), tr("Receipts voided while their day was still open: "
                                           "the cash went back at once.")),
            (tr("Refunds"), tr("Receipts of a closed or earlier day voided in the period: "
                               "cash paid back to the participant.")),
            (tr("Collected"), tr("Payments less voids and refunds: the dues the post keeps.")),
        ]  # fmt: skip
        for number, (text, tip) in enumerate(rows):
            item = QTableWidgetItem(text)
            item.setToolTip(tip)
            self.dues_table.setVerticalHeaderItem(number, item)
        self.dues_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.dues_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.held = QLabel()
        self.held.setObjectName("held")
        font = self.held.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.held.setFont(font)
        self.held.setToolTip(
            tr(
                "Cash taken at the post and not yet deposited at the bank: days still open plus "
                "closed days not yet deposited."
            )  # fmt: skip
        )
        self.open_days = QLabel()
        self.open_days.setObjectName("openDays")
        self.open_days.setWordWrap(True)
        self.cash_button = QPushButton(tr("Open the cas&h window…"))
        self.cash_button.setObjectName("openCash")
        self.cash_button.setAutoDefault(False)
        self.cash_button.clicked.connect(self.open_cash)
        self.cash_button.setVisible(callable(getattr(self.parent(), "open_cash", None)))
        self.dues_hint = QLabel()
        self.dues_hint.setObjectName("duesHint")
        self.dues_hint.setStyleSheet(HINT_STYLE)
        cash = QGroupBox(tr("Cash held, not yet deposited"))
        cash_layout = QVBoxLayout(cash)
        held_what = QLabel(tr("Cash taken at the post and not yet deposited at the bank: days "
                              "still open plus closed days not yet deposited."))  # fmt: skip
        held_what.setWordWrap(True)
        held_what.setStyleSheet("color: #546e7a;")
        cash_layout.addWidget(held_what)
        cash_layout.addWidget(self.held)
        cash_layout.addWidget(self.open_days)
        cash_layout.addWidget(self.cash_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        intro = QLabel(tr("Dues by the day of the receipt. Move through the table with the arrow "
                          "keys: the line at the bottom says what each line counts."))  # fmt: skip
        intro.setStyleSheet("color: #546e7a;")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.dues_table)
        layout.addWidget(self.dues_hint)
        layout.addWidget(cash)
        layout.addStretch(1)
        return tab

    def _incentives_tab(self) -> QWidget:
        tab = QWidget()
        self.month = QComboBox()
        self.month.setObjectName("month")
        this_month = first_of_month(self.today())
        for back in range(INCENTIVE_MONTHS):
            month = add_months(this_month, -back)
            self.month.addItem(formats.month(month), month)
        self.month.currentIndexChanged.connect(lambda _i: self.refresh_incentives())
        month_label = QLabel(tr("Incentives &month:"))
        month_label.setBuddy(self.month)
        self.scheme = QLabel()
        self.scheme.setWordWrap(True)
        self.scheme.setObjectName("scheme")
        self.scheme.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(month_label)
        bar.addWidget(self.month)
        bar.addWidget(self.scheme, 1)
        self.incentive_table = QTableWidget(0, len(INCENTIVE_COLUMNS))
        self.incentive_table.setObjectName("incentiveTable")
        self.incentive_table.setHorizontalHeaderLabels([tr(c) for c in INCENTIVE_COLUMNS])
        tips = (
            "",
            tr("Participants the volunteer registered in the month (not withdrawn or "
               "rejected; rejoins not counted)."),
            tr("Dues paid in the month for the participants the volunteer registered, "
               "less voids."),
            tr("The incentive under the scheme, before the wadah's share."),
            tr("The wadah's share of the gross (10% under the current schemes)."),
            tr("What the volunteer receives: gross less the wadah's share."),
        )  # fmt: skip
        for column, tip in enumerate(tips):
            header_item = self.incentive_table.horizontalHeaderItem(column)
            if header_item is not None and tip:
                header_item.setToolTip(tip)
        self.incentive_table.verticalHeader().setVisible(False)
        self.incentive_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.incentive_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.incentive_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.incentive_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.incentive_table.currentCellChanged.connect(lambda *_a: self._show_lines())
        self.incentive_table.cellActivated.connect(lambda *_a: self.print_statement())
        self.lines = QLabel()
        self.lines.setObjectName("lines")
        self.lines.setWordWrap(True)
        self.lines.setTextFormat(Qt.TextFormat.RichText)
        self.lines.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.statement_button = QPushButton(tr("Print the &volunteer's statement…"))
        self.statement_button.setObjectName("statement")
        self.statement_button.setAutoDefault(False)
        self.statement_button.setToolTip(tr("The chosen volunteer's statement, to print."))
        self.statement_button.clicked.connect(self.print_statement)
        foot = QHBoxLayout()
        foot.addWidget(self.lines, 1)
        foot.addWidget(self.statement_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.incentive_table, 1)
        layout.addLayout(foot)
        return tab

    # --- refreshing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """F5: the tab shown, read again."""
        index = self.tabs.currentIndex()
        (self.refresh_promotion, self.refresh_calls, self.refresh_dues,
         self.refresh_incentives)[index]()  # fmt: skip

    def _started(self) -> None:
        self.status.setStyleSheet("")
        self.status.setText(tr("Loading…"))

    def _finished(self, error: BaseException | None) -> bool:
        """After a load: False (and said) if it failed."""
        if error is not None:
            self.status.setStyleSheet(ERROR_STYLE)
            refusal = as_refusal(error)
            if refusal is not None:
                self.status.setText(refusal.message())
            else:
                self.status.setText(tr("Could not read the figures: {reason}", reason=str(error)))
                # A bug in the worker is a bug: the crash path logs its traceback and shows it.
                sys.excepthook(type(error), error, error.__traceback__)
            return False
        if not self.loading:
            self.status.setText(
                tr("Figures on {day}, read at {time}.", day=formats.day(self.today()),
                   time=formats.moment(self._db.clock(), self.summary.timezone).split()[-2])
            )  # fmt: skip
        return True

    def cohort_by(self) -> str:
        return str(self.by.currentData())

    def refresh_promotion(self) -> None:
        db, day, by = self._db, self.today(), self.cohort_by()
        desa, volunteer = self.promo_desa.currentData(), self.promo_volunteer.currentData()

        def work() -> tuple[PromotionFigures, list[CohortRow]]:
            return promotion_dashboard(db, day, by, desa_code=desa, volunteer_id=volunteer)

        self._started()
        self.loader.run(
            PROMOTION, work, lambda value, error: self._show_promotion(value, error, by)
        )

    def _show_promotion(
        self, value: tuple[PromotionFigures, list[CohortRow]] | None, error: Any, by: str
    ) -> None:
        if not self._finished(error) or value is None:
            return
        figures, rows = value
        self.figures, self.cohort_rows, self.shown_by = figures, rows, by
        for figure, tile in self.tiles.items():
            count = int(getattr(figures, figure))
            share = percent(count, figures.ended_total) if figure == "converted" else ""
            tile.show_value(count, share)
        everyone = figures.registered_with_promotion + figures.registered_without_promotion
        if everyone == 0:
            filtered = self.promo_desa.currentData() or self.promo_volunteer.currentData()
            self.promo_hint.setText(
                tr("Nobody matches these filters.") if filtered else
                tr("No participants yet: the figures fill in as participants are registered.")
            )  # fmt: skip
        else:
            self.promo_hint.setText("")
        self.promo_hint.setVisible(bool(self.promo_hint.text()))
        self._show_cohorts(rows, by)

    def _show_cohorts(self, rows: list[CohortRow], by: str) -> None:
        self.cohort_rows, self.shown_by = list(reversed(rows)), by  # as the table shows them
        table = self.cohort_table
        table.setRowCount(len(rows))
        for number, row in enumerate(reversed(rows)):  # newest first
            table.setItem(number, 0, _read_only(cohort_label(row, by)))
            table.setItem(number, 1, _read_only(formats.number(row.registered), AMOUNT))
            for window, days in enumerate(COHORT_WINDOWS):
                item = _read_only(cohort_cell(row, window), AMOUNT)
                item.setToolTip(
                    tr("{matured} of {registered} have had {days} days since their free cover "
                       "ended; {count} of them converted within those days.",
                       matured=formats.number(row.matured[window]),
                       registered=formats.number(row.registered), days=days,
                       count=formats.number(row.converted_within[window]))
                )  # fmt: skip
                table.setItem(number, 2 + window, item)
        if not rows:
            table.setRowCount(1)
            table.setItem(0, 0, _read_only(tr("No new participants with free cover yet")))
        heads = [tr("Month of registration") if by == "month" else tr("Week of registration")]
        table.horizontalHeaderItem(0).setText(heads[0])  # type: ignore[union-attr]
        fit_columns(table, range(table.columnCount()))
        wide = sum(table.columnWidth(c) for c in range(table.columnCount()))
        table.setMinimumWidth(wide + table.verticalScrollBar().sizeHint().width() + 6)
        self.chart_rows = rows
        self._draw_chart()

    def _chart_labels(self, rows: Sequence[CohortRow], by: str) -> list[str]:
        return [formats.day(r.start) if by == "week" else _short_month(r.start) for r in rows]

    def _chart_room(self, labels: list[str], font: QFont) -> int:
        """How many groups of bars fit the chart's width with their dates whole."""
        if not labels:
            return 0
        widest = max(QFontMetrics(font).horizontalAdvance(label) for label in labels)
        plot = self.chart_view.width() - CHART_AXIS_ROOM
        return max(1, min(CHART_COHORTS, plot // (widest + CHART_LABEL_GAP)))

    def _draw_chart(self) -> None:
        """Share that went on paying, per period: only periods whose free cover has ended for
        some (the others have nothing to show yet), as many of the newest as fit (issue 17)."""
        by = self.shown_by
        ripe = [row for row in self.chart_rows if row.matured[0] > 0]
        font = QBarCategoryAxis().labelsFont()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        room = self._chart_room(self._chart_labels(ripe[-CHART_COHORTS:], by), font)
        shown = ripe[-room:] if room else []
        if self.chart_series.count() and [r.start for r in shown] == self._charted:
            return
        self._charted = [r.start for r in shown]
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.chart_series = QBarSeries()
        self.chart_sets = []
        for window, days in enumerate(COHORT_WINDOWS):
            bar_set = QBarSet(tr("within {days} days", days=days))  # short: the legend fits
            bar_set.append([cohort_percent(row, window) for row in shown])
            self.chart_sets.append(bar_set)
            self.chart_series.append(bar_set)
        self.chart.addSeries(self.chart_series)
        self.chart_categories = [cohort_label(row, by) for row in shown]
        x_axis = QBarCategoryAxis()
        x_axis.append(self._chart_labels(shown, by))
        x_axis.setLabelsFont(font)
        y_axis = QValueAxis()
        top = max([v for s in self.chart_sets for v in s_values(s)] + [10.0])
        y_axis.setRange(0, min(100.0, (int(top) // 10 + 1) * 10))
        y_axis.setLabelFormat("%d%%")
        y_axis.setTickCount(3)  # a short chart on a small screen: more ticks are cut to "…"
        y_axis.setLabelsFont(font)
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        self.chart_series.attachAxis(x_axis)
        self.chart_series.attachAxis(y_axis)
        self.chart_note.setText(self._chart_note(len(shown), len(ripe), len(self.chart_rows)))

    def _chart_note(self, shown: int, ripe: int, rows: int) -> str:
        weeks = self.shown_by == "week"
        if not rows:
            return tr("No bars yet: nobody has registered with free cover.")
        if not ripe:
            return (
                tr("No bars yet: the free cover of everyone registered has not ended, so nobody "
                   "could go on paying yet. The weeks appear here once it ends.") if weeks else
                tr("No bars yet: the free cover of everyone registered has not ended, so nobody "
                   "could go on paying yet. The months appear here once it ends.")
            )  # fmt: skip
        if weeks:
            return tr("Share that went on paying (%), the newest {count} weeks of registration "
                      "whose free cover has ended (newer weeks are still in their free cover).",
                      count=shown)  # fmt: skip
        return tr("Share that went on paying (%), the newest {count} months of registration "
                  "whose free cover has ended (newer months are still in their free cover).",
                  count=shown)  # fmt: skip

    def refresh_calls(self) -> None:
        db, day, within = self._db, self.today(), self.within.value()
        desa, volunteer = self.calls_desa.currentData(), self.calls_volunteer.currentData()

        def work() -> list[CallRow]:
            return call_list(db, day, within_days=within, desa_code=desa, volunteer_id=volunteer)

        self._started()
        self.loader.run(CALLS, work, self._show_calls)

    def _show_calls(self, rows: list[CallRow] | None, error: Any) -> None:
        if not self._finished(error) or rows is None:
            return
        chosen = self.selected_call()
        self.call_model.set_rows(rows)
        fit_columns(self.call_table, range(len(CALL_COLUMNS) - 1))  # the last one stretches
        arrears = sum(1 for r in rows if r.status is Status.ARREARS)
        if rows:
            self.calls_count.setText(
                tr("{count} to call ({arrears} in arrears), most urgent first",
                   count=formats.number(len(rows)), arrears=formats.number(arrears))
            )  # fmt: skip
            self.calls_count.setStyleSheet("")
        else:
            self.calls_count.setText(
                tr("Nobody to call: no cover ends within {days} days and nobody is in arrears.",
                   days=self.within.value())
            )  # fmt: skip
            self.calls_count.setStyleSheet(HINT_STYLE)
        ids = [r.participant_id for r in rows]
        again = ids.index(chosen.participant_id) if chosen and chosen.participant_id in ids else 0
        if rows:
            self.call_table.selectRow(again)
        self._show_message()

    def refresh_dues(self) -> None:
        db, day = self._db, self.today()
        self._started()
        self.loader.run(DUES, lambda: dues_figures(db, day), self._show_dues)

    def _show_dues(self, dues: DuesFigures | None, error: Any) -> None:
        if not self._finished(error) or dues is None:
            return
        self.dues = dues
        periods: list[tuple[str, DuesPeriod]] = [
            (tr("Today\n{day}", day=formats.day(dues.today.start)), dues.today),
            (tr("This week\n{start} – {end}", start=formats.day(dues.week.start),
                end=formats.day(dues.week.end)), dues.week),
            (tr("This month\n{start} – {end}", start=formats.day(dues.month.start),
                end=formats.day(dues.month.end)), dues.month),
        ]  # fmt: skip
        self.dues_table.setHorizontalHeaderLabels([title for title, _p in periods])
        for column, (_title, period) in enumerate(periods):
            cells = (
                _count_total(period.payments_count, period.payments_total),
                _count_total(period.voids_count, -period.voids_total),
                _count_total(period.refunds_count, -period.refunds_total),
                formats.money(period.collected),
            )
            for row, text in enumerate(cells):
                item = _read_only(text, AMOUNT)
                if row == 3:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.dues_table.setItem(row, column, item)
        header = self.dues_table.horizontalHeader()
        header.setMinimumHeight(self.fontMetrics().height() * 2 + 10)
        frame = 2 * self.dues_table.frameWidth()
        rows_height = sum(self.dues_table.rowHeight(r) for r in range(4))
        self.dues_table.setFixedHeight(max(header.height(), header.minimumHeight()) + rows_height
                                       + frame + 2)  # fmt: skip
        self.held.setText(formats.money(dues.cash_held))
        if dues.open_days:
            days = ", ".join(formats.day(d) for d in dues.open_days)
            self.open_days.setText(tr("Days not yet closed: {days}.", days=days))
        else:
            self.open_days.setText(
                tr("Every day with receipts is closed; this cash is in closed days not yet taken "
                   "to the bank.") if dues.cash_held else tr("Every day with receipts is closed.")
            )  # fmt: skip
        quiet = dues.month.payments_count + dues.month.voids_count + dues.month.refunds_count
        self.dues_hint.setText("" if quiet else tr("No receipts this month yet."))

    def refresh_incentives(self) -> None:
        db, month = self._db, self.month.currentData()
        self._started()
        self.loader.run(INCENTIVES, lambda: post_month(db, month), self._show_incentives)

    def _show_incentives(self, statements: list[IncentiveStatement] | None, error: Any) -> None:
        if not self._finished(error) or statements is None:
            return
        self.statements = statements
        month = formats.month(self.month.currentData())
        no_scheme = not statements or statements[0].no_scheme
        if statements and no_scheme:
            self.scheme.setText(
                tr("No incentive scheme was in force in {month}: nothing is owed for it.",
                   month=month)
            )  # fmt: skip
            self.scheme.setStyleSheet(HINT_STYLE)
        elif statements:
            self.scheme.setText(
                tr("Scheme in force in {month}: {scheme}.", month=month,
                   scheme=statements[0].scheme_name or "")
            )  # fmt: skip
            self.scheme.setStyleSheet("")
        else:
            self.scheme.setText(tr("No volunteer accounts."))
            self.scheme.setStyleSheet(HINT_STYLE)
        table = self.incentive_table
        table.setRowCount(len(statements))
        for number, s in enumerate(statements):
            cells = (
                s.volunteer_name,
                formats.number(s.new_participants),
                formats.money(s.dues_base),
                formats.money(s.gross),
                formats.money(s.wadah_share),
                formats.money(s.net),
            )
            for column, text in enumerate(cells):
                table.setItem(number, column, _read_only(text, None if column == 0 else AMOUNT))
        if statements:
            table.selectRow(0)
        self._show_lines()

    # --- promotion: the participants behind a figure -------------------------------------
    def show_members(self, figure: str) -> None:
        db, day = self._db, self.today()
        desa, volunteer = self.promo_desa.currentData(), self.promo_volunteer.currentData()
        tile = self.tiles[figure]

        def work() -> list[int]:
            return promotion_members(db, day, figure, desa_code=desa, volunteer_id=volunteer)

        def show(ids: list[int] | None, error: Any) -> None:
            if not self._finished(error) or ids is None:
                return
            dialog = MembersDialog(
                db, self._search, ids, day, tile.caption.text(), tr(FIGURE_HELP[figure]), self
            )
            opener = getattr(self.parent(), "open_participant", None)
            if callable(opener):
                dialog.open_participant.connect(opener)
            self.members_dialog = dialog
            dialog.open()

        self._started()
        self.loader.run(f"members:{figure}", work, show)

    def show_cohort_members(self, row: int, column: int) -> None:
        """Enter or double-click on a cohort cell: who registered, or who converted in time."""
        if not 0 <= row < len(self.cohort_rows):
            return
        cohort, by = self.cohort_rows[row], self.shown_by
        window = column - 2 if column >= 2 else None
        db, day = self._db, self.today()
        desa, volunteer = self.promo_desa.currentData(), self.promo_volunteer.currentData()
        title = cohort_label(cohort, by)
        if window is None:
            what = tr("Registered with free cover in {period}.", period=title)
        else:
            what = tr(
                "Registered with free cover in {period} and converted within {days} days "
                "after their free cover ended.",
                period=title,
                days=COHORT_WINDOWS[window],
            )

        def work() -> list[int]:
            return cohort_members(
                db, day, cohort.start, by, window, desa_code=desa, volunteer_id=volunteer
            )

        def show(ids: list[int] | None, error: Any) -> None:
            if not self._finished(error) or ids is None:
                return
            dialog = MembersDialog(db, self._search, ids, day, title, what, self)
            opener = getattr(self.parent(), "open_participant", None)
            if callable(opener):
                dialog.open_participant.connect(opener)
            self.members_dialog = dialog
            dialog.open()

        self._started()
        self.loader.run(f"cohort:{row}:{column}", work, show)

    # --- call list -------------------------------------------------------------------------
    def selected_call(self) -> CallRow | None:
        index = self.call_table.currentIndex()
        rows = self.call_model.rows
        return rows[index.row()] if index.isValid() and index.row() < len(rows) else None

    def _show_message(self) -> None:
        row = self.selected_call()
        self.message.setPlainText(row.message if row else "")
        for button in (self.copy_button, self.outcome_button):
            button.setEnabled(row is not None)
        self.whatsapp_button.setEnabled(row is not None and row.whatsapp_url is not None)
        has_rows = bool(self.call_model.rows)
        self.export_button.setEnabled(has_rows)
        self.print_button.setEnabled(has_rows)
        said = []
        if row is not None and row.whatsapp_url is None:  # why the button is disabled, in words
            said.append(tr("No phone number: WhatsApp cannot be opened for this participant."))
        if row is not None and row.last_note:
            said.append(tr("Note of the last call: {note}", note=row.last_note))
        self.calls_info.setText(" ".join(said))

    def copy_message(self) -> None:
        row = self.selected_call()
        if row is None:
            return
        QApplication.clipboard().setText(row.message)
        self.calls_info.setText(tr("Message copied: paste it into WhatsApp or an SMS."))

    def open_whatsapp(self) -> None:
        row = self.selected_call()
        if row is None or row.whatsapp_url is None:
            return
        self.last_url = row.whatsapp_url
        self.open_url(QUrl(row.whatsapp_url, QUrl.ParsingMode.StrictMode))

    def ask_outcome(self) -> None:
        row = self.selected_call()
        if row is None:
            return
        dialog = OutcomeDialog(row.name, row.phone, self)
        dialog.accepted.connect(lambda: self.record_outcome(row, dialog.outcome(),
                                                            dialog.note.text()))  # fmt: skip
        self.outcome_dialog = dialog
        dialog.open()

    def record_outcome(self, row: CallRow, outcome: str, note: str = "") -> None:
        """Record how the call went; the row shows it at once (and the list next time)."""
        try:
            record_call(self._db, row.participant_id, outcome, self.actor, note)
        except UserError as error:
            self.calls_info.setText(error.message())
            return
        newest = calls_of(self._db, row.participant_id)[0]
        updated = replace(
            row,
            last_outcome=newest.outcome,
            last_outcome_text=newest.outcome_text,
            last_called_at=newest.called_at,
            last_note=newest.note,
        )
        ids = [r.participant_id for r in self.call_model.rows]
        if row.participant_id in ids:
            self.call_model.replace_row(ids.index(row.participant_id), updated)
        self._show_message()
        self.calls_info.setText(tr("Recorded: {outcome}.", outcome=newest.outcome_text))

    def ask_export(self) -> None:
        name = f"daftar-telepon-{self.summary.code}-{self.today():%Y-%m-%d}.xlsx"
        path, _filter = QFileDialog.getSaveFileName(
            self,
            tr("Export the call list"),
            str(start_folder(CALL_LIST_FILES) / name),  # the last folder used, else Documents
            tr("Spreadsheet (*.xlsx)"),
        )
        if path:
            remember_folder(CALL_LIST_FILES, Path(path).parent)
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        try:
            export_xlsx(self.call_model.rows, path)
        except OSError as error:
            self.calls_info.setText(tr("The file could not be written: {reason}",
                                       reason=str(error)))  # fmt: skip
            return False
        self.calls_info.setText(tr("Saved as {path}.", path=str(path)))
        return True

    def print_calls(self) -> None:
        pdf = call_list_pdf(self.call_model.rows, self.summary.name, self.today())
        dialog = PdfDialog(tr("Call list"), self)
        dialog.show_pdf(pdf, f"daftar-telepon-{self.summary.code}-{self.today():%Y-%m-%d}.pdf")
        self.pdf_dialog = dialog
        dialog.open()

    # --- dues ------------------------------------------------------------------------------
    def open_cash(self) -> None:
        opener = getattr(self.parent(), "open_cash", None)
        if callable(opener):
            opener()

    # --- incentives ------------------------------------------------------------------------
    def selected_statement(self) -> IncentiveStatement | None:
        row = self.incentive_table.currentRow()
        return self.statements[row] if 0 <= row < len(self.statements) else None

    def _show_lines(self) -> None:
        statement = self.selected_statement()
        self.statement_button.setEnabled(statement is not None)
        if statement is None:
            self.lines.setText("")
            return
        parts = [f"<b>{_escape(statement.volunteer_name)}</b>"]
        for line in statement.lines:
            text = _escape(line.text)
            if line.part == PART_NOTE or line.amount is None:
                parts.append(f"<i>{text}</i>")
            else:
                parts.append(f"{text}: {formats.money(line.amount)}")
        self.lines.setText("<br/>".join(parts))

    def print_statement(self) -> None:
        chosen = self.selected_statement()
        if chosen is None:
            return
        with speaking("id"):  # the paper is Indonesian, its lines too
            statement = volunteer_month(self._db, chosen.volunteer_id, chosen.month)
        pdf = statement_pdf(
            statement, self.summary.name, wadah=self.summary.wadah, is_demo=self.summary.is_demo
        )
        dialog = PdfDialog(tr("Incentive statement"), self)
        # Which month and which account, never the volunteer's name (it is personal data).
        code, month = self.summary.code, statement.month
        name = f"insentif-{code}-{month:%Y-%m}-relawan-{statement.volunteer_id}"
        dialog.show_pdf(pdf, f"{name}.pdf")
        self.pdf_dialog = dialog
        dialog.open()

    # --- closing ---------------------------------------------------------------------------
    def _stop(self) -> None:
        self.loader.close()
        app = QApplication.instance()
        if isinstance(app, QApplication) and self._following:
            self._following = False
            app.focusChanged.disconnect(self._follow_focus)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop()
        super().closeEvent(event)

    def done(self, result: int) -> None:  # Esc, Close
        self._stop()
        super().done(result)


def s_values(bar_set: QBarSet) -> list[float]:
    return [bar_set.at(i) for i in range(bar_set.count())]


def days_shown(row: CallRow) -> str:
    """The days column in words: "5 days left", "ends today", "pay within 30 days"."""
    if row.days_to_lapse is not None:
        return tr("pay within {days} days", days=row.days_to_lapse + 1)
    if row.days_left == 0:
        return tr("ends today")
    return tr("{days} days left", days=row.days_left)


def explanation(widget: QWidget) -> str:
    """What the explanation line says for ``widget``: its own words, else its tooltip; in a
    table, what the current row, column and cell say (their tooltips)."""
    own = widget.property(EXPLAIN)
    if own:
        return str(own)
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        index, model = widget.currentIndex(), widget.model()
        if index.isValid():
            tips = (
                model.headerData(index.row(), Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole),
                model.headerData(index.column(), Qt.Orientation.Horizontal,
                                 Qt.ItemDataRole.ToolTipRole),
                index.data(Qt.ItemDataRole.ToolTipRole),
            )  # fmt: skip
            said = " ".join(str(tip) for tip in tips if tip)
            if said:
                return said
    return widget.toolTip()


def _short_month(day: date) -> str:
    """A month on the chart's axis, short but whole: ``Sep 2026`` (never ``Sep 26``, which
    reads as a day)."""
    return format_date(day, format="LLL y", locale=babel_locale())


def _count_total(count: int, total: int) -> str:
    return f"{formats.money(total)} ({formats.number(count)})" if count else "–"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
