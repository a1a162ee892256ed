"""The dashboards' incentives tab: per volunteer for a month, and the printable statement."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.domain.incentives import PART_NOTE
from rumah_perisai.domain.months import add_months, first_of_month
from rumah_perisai.i18n import N_, tr
from rumah_perisai.printing.incentives import PrintedStatement, volunteer_statement
from rumah_perisai.services.incentives import IncentiveStatement, post_month
from rumah_perisai.ui.dashboard_base import (
    AMOUNT,
    HINT_STYLE,
    INCENTIVE_MONTHS,
    INCENTIVES,
    DashboardBase,
    read_only,
)
from rumah_perisai.ui.operations import run_op
from rumah_perisai.ui.pdf_preview import PdfDialog

INCENTIVE_COLUMNS = (
    N_("Volunteer"),
    N_("New participants"),
    N_("Dues counted"),
    N_("Gross"),
    N_("Wadah share"),
    N_("Net"),
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class IncentivesTab(DashboardBase):
    """The incentives tab: each volunteer's month under the scheme, and the statement."""

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
                table.setItem(number, column, read_only(text, None if column == 0 else AMOUNT))
        if statements:
            table.selectRow(0)
        self._show_lines()

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
        # The entry point ``incentives statement`` uses: the same bytes; the file name says
        # which month and which account, never the volunteer's name (it is personal data).
        run_op(
            self,
            lambda: volunteer_statement(self._db, chosen.volunteer_id, chosen.month),
            success=self._show_statement,
        )

    def _show_statement(self, paper: PrintedStatement) -> None:
        dialog = PdfDialog(tr("Incentive statement"), self)
        dialog.show_pdf(paper.pdf, paper.file_name)
        self.pdf_dialog = dialog
        dialog.open()
