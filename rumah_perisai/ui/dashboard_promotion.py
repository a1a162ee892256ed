"""The dashboards' promotion tab: the free cover's funnel as tiles and its cohorts (issue 7)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from babel.dates import format_date
from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import (
    QMargins,
    Qt,
)
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
)
from PySide6.QtGui import QPainter as _QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.i18n import N_, babel_locale, tr
from rumah_perisai.services.dashboard import (
    COHORT_WINDOWS,
    FIGURE_HELP,
    CohortRow,
    PromotionFigures,
    cohort_members,
    promotion_dashboard,
    promotion_members,
)
from rumah_perisai.ui.dashboard_base import (
    AMOUNT,
    CHART_AXIS_ROOM,
    CHART_COHORTS,
    CHART_LABEL_GAP,
    EXPLAIN,
    HINT_STYLE,
    PROMOTION,
    DashboardBase,
    read_only,
)
from rumah_perisai.ui.dashboard_parts import (
    FigureTile,
    MembersDialog,
    fit_columns,
)

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


def s_values(bar_set: QBarSet) -> list[float]:
    return [bar_set.at(i) for i in range(bar_set.count())]


def _short_month(day: date) -> str:
    """A month on the chart's axis, short but whole: ``Sep 2026`` (never ``Sep 26``, which
    reads as a day)."""
    return format_date(day, format="LLL y", locale=babel_locale())


class PromotionTab(DashboardBase):
    """The promotion tab: the funnel's tiles, the cohorts' table and chart, who is behind a
    figure."""

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
            table.setItem(number, 0, read_only(cohort_label(row, by)))
            table.setItem(number, 1, read_only(formats.number(row.registered), AMOUNT))
            for window, days in enumerate(COHORT_WINDOWS):
                item = read_only(cohort_cell(row, window), AMOUNT)
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
            table.setItem(0, 0, read_only(tr("No new participants with free cover yet")))
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
