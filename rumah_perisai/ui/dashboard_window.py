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

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import areas, changes
from rumah_perisai.app import App
from rumah_perisai.i18n import tr
from rumah_perisai.services.dashboard import (
    CohortRow,
    DuesFigures,
    PromotionFigures,
)
from rumah_perisai.services.incentives import IncentiveStatement
from rumah_perisai.services.participant_search import ParticipantSearch
from rumah_perisai.services.posts import PostSummary, local_post_id, post_summary
from rumah_perisai.services.volunteers import Actor, accounts
from rumah_perisai.ui.changes import listen
from rumah_perisai.ui.dashboard_base import (
    EXPLAIN,
    EXPLAIN_STYLE,
    HELP_TOPIC,
)
from rumah_perisai.ui.dashboard_calls import CallsTab
from rumah_perisai.ui.dashboard_dues import DuesTab
from rumah_perisai.ui.dashboard_incentives import IncentivesTab
from rumah_perisai.ui.dashboard_parts import (
    TILE_STYLE,
    Loader,
)
from rumah_perisai.ui.dashboard_promotion import PromotionTab

NOTICE_PAUSE_MS = 300  # after a change notice, before the tab shown is read again


class DashboardWindow(PromotionTab, CallsTab, DuesTab, IncentivesTab):
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
        # A payment, a registration, a card or a day's close elsewhere: the tab shown is read
        # again after a short pause (a burst of notices, one reading), a hidden window's when
        # it is shown. Its own call outcomes update their row themselves (``record_outcome``).
        self._notice_pause = QTimer(self)
        self._notice_pause.setSingleShot(True)
        self._notice_pause.setInterval(NOTICE_PAUSE_MS)
        self._notice_pause.timeout.connect(self.refresh)
        topics = (changes.PARTICIPANTS, changes.RECEIPTS, changes.CARDS, changes.CASH)
        listen(self, topics, self._notice_pause.start)

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

    # --- refreshing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """F5: the tab shown, read again."""
        index = self.tabs.currentIndex()
        (self.refresh_promotion, self.refresh_calls, self.refresh_dues,
         self.refresh_incentives)[index]()  # fmt: skip

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
