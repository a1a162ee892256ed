"""The dashboards' common ground: the constants, table helpers and the base of every tab."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QUrl,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHeaderView,
    QLabel,
    QTableView,
    QTableWidgetItem,
    QTabWidget,
)

from rumah_perisai import formats
from rumah_perisai.app import App
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import as_refusal
from rumah_perisai.i18n import tr
from rumah_perisai.services.dashboard import (
    CohortRow,
    DuesFigures,
    PromotionFigures,
)
from rumah_perisai.services.incentives import IncentiveStatement
from rumah_perisai.services.participant_search import ParticipantSearch
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.dashboard_parts import (
    Loader,
)

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


def table_view(name: str) -> QTableView:
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


def read_only(text: str, align: Qt.AlignmentFlag | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if align is not None:
        item.setTextAlignment(align)
    return item


class DashboardBase(QDialog):
    """What every tab of the dashboards shares: the post, the loader, the status line.

    The window (``dashboard_window.DashboardWindow``) sets these up and is made of one part per
    tab (``dashboard_promotion``, ``dashboard_calls``, ``dashboard_dues``,
    ``dashboard_incentives``), each a mixin on this base."""

    _app: App
    _db: Database
    actor: Actor
    summary: PostSummary
    _search: ParticipantSearch
    loader: Loader
    status: QLabel
    tabs: QTabWidget
    promo_desa: QComboBox
    promo_volunteer: QComboBox
    calls_desa: QComboBox
    calls_volunteer: QComboBox
    figures: PromotionFigures | None
    cohort_rows: list[CohortRow]
    shown_by: str
    dues: DuesFigures | None
    statements: list[IncentiveStatement]
    last_url: str | None
    open_url: Callable[[QUrl], object]

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
