"""The dashboards' dues tab: payments, voids and refunds by period, and the cash held."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.i18n import tr
from rumah_perisai.services.dashboard import (
    DuesFigures,
    DuesPeriod,
    dues_figures,
)
from rumah_perisai.ui.dashboard_base import (
    AMOUNT,
    DUES,
    HINT_STYLE,
    DashboardBase,
    read_only,
)


def _count_total(count: int, total: int) -> str:
    return f"{formats.money(total)} ({formats.number(count)})" if count else "–"


class DuesTab(DashboardBase):
    """The dues tab: collected today, this week and this month; the cash held."""

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
                item = read_only(text, AMOUNT)
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

    # --- dues ------------------------------------------------------------------------------
    def open_cash(self) -> None:
        opener = getattr(self.parent(), "open_cash", None)
        if callable(opener):
            opener()
