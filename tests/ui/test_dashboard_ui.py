"""The dashboards window as a coordinator reads it: the promotion's figures and the participants
behind them, the cohorts as a table and a chart, the call list (message, WhatsApp, outcome,
spreadsheet, paper), dues and incentives. Every number shown is the service's. The clock starts
on Tue 20 Oct 2026 and stands at Fri 27 Nov 2026 09:30 WIB when the window opens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.i18n import speaking, tr
from rumah_perisai.services.call_list import call_list, outcome_label
from rumah_perisai.services.dashboard import (
    COHORT_WINDOWS,
    FIGURES,
    cohorts,
    dues_figures,
    promotion_figures,
    promotion_members,
)
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.incentives import post_month
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.dashboard_window import (
    DashboardWindow,
    cohort_cell,
    cohort_label,
    cohort_percent,
    days_shown,
)
from rumah_perisai.ui.main_window import MainWindow
from tests.conftest import FakeClock
from tests.printing.test_cash_summary import _pdf_text

DAY = date(2026, 11, 27)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 10, 20, 2, 30, tzinfo=UTC))  # Tue 20 Oct 2026, 09:30 WIB


def _at(clock: FakeClock, day: date) -> None:
    clock.now = datetime(day.year, day.month, day.day, 2, 30, tzinfo=UTC)


def _pay(app: App, who: int, months: int, actor: Actor) -> None:
    plan = payment_options(app.db, who).plan(months)
    take_payment(
        app.db, who, months, plan.total, actor, expect_months=[m.month for m in plan.months]
    )


@pytest.fixture
def people(
    app: App, clock: FakeClock, add_participant: Callable[..., int], volunteer: Actor
) -> dict[str, int]:
    """A in free cover (pays ahead today), B's ends on 30 Nov, C never paid (arrears),
    E converted and paid up,
    F converted and now in arrears; E and F registered by the volunteer."""
    june, end_sep = date(2026, 6, 10), date(2026, 9, 30)

    def promo(start: date, end: date) -> CoverHistory:
        return CoverHistory(Standing.MEMBER, start, end, frozenset())

    v = volunteer.volunteer_id
    ids = {
        "A": add_participant(registered_on=date(2026, 10, 1), name="Ani Suryani",
                             history=promo(date(2026, 10, 1), date(2027, 1, 31))),
        "B": add_participant(registered_on=date(2026, 8, 3), name="Budi Santoso",
                             history=promo(date(2026, 8, 3), date(2026, 11, 30)),
                             phone="081234567890"),
        "C": add_participant(registered_on=june, name="Cici Paramida",
                             history=promo(june, end_sep), phone="085711112222"),
        "E": add_participant(registered_on=june, name="Eko Prasetyo",
                             history=promo(june, end_sep), registered_by_id=v),
        "F": add_participant(registered_on=june, name="Fajar Nugraha",
                             history=promo(june, end_sep), registered_by_id=v),
    }  # fmt: skip
    _pay(app, ids["E"], 3, volunteer)  # 20 Oct: Oct-Dec
    _at(clock, date(2026, 11, 24))
    _pay(app, ids["F"], 1, volunteer)  # 24 Nov: Oct
    _at(clock, DAY)
    _pay(app, ids["A"], 1, volunteer)  # today, in promotion: Feb 2027
    return ids


def _settle(qtbot: QtBot, window: DashboardWindow) -> None:
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)


def _open(qtbot: QtBot, app: App, actor: Actor) -> tuple[MainWindow, DashboardWindow]:
    main = MainWindow(app, actor)
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main, timeout=2000)
    qtbot.keyClick(main.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    window = main.dashboard_window
    assert window.isVisible()
    _settle(qtbot, window)
    return main, window


def test_promotion_figures_lists_cohorts_and_chart(
    qtbot: QtBot, app: App, coordinator: Actor, volunteer: Actor, people: dict[str, int]
) -> None:
    main, window = _open(qtbot, app, coordinator)
    assert "Memuat" not in window.status.text()
    figures = asdict(promotion_figures(app.db, DAY))
    for figure in FIGURES:
        tile = window.tiles[figure]
        assert tile.value == figures[figure], figure
        assert tile.number.text().startswith(str(figures[figure]))
        assert tile.toolTip()  # says what it counts
    assert (figures["converted"], figures["in_free_cover_now"]) == (2, 2)

    # A click on a figure lists the participants it counts; Enter opens one.
    qtbot.mouseClick(window.tiles["converted"], Qt.MouseButton.LeftButton)
    _settle(qtbot, window)
    members = window.members_dialog
    assert members.isVisible()
    assert members.model.ids == promotion_members(app.db, DAY, "converted")
    assert set(members.model.ids) == {people["E"], people["F"]}
    names = {members.model.index(r, 0).data() for r in range(members.model.rowCount())}
    assert names == {"Eko Prasetyo", "Fajar Nugraha"}
    members.open_row(0)
    assert main.participant_dialog.isVisible()
    main.participant_dialog.close()
    members.close()

    # The cohort table (newest first) and the chart show the service's cohorts.
    def check(by: str) -> None:
        rows = cohorts(app.db, DAY, by)
        table = window.cohort_table
        assert table.rowCount() == len(rows)
        for number, row in enumerate(reversed(rows)):
            item = table.item(number, 0)
            assert item is not None and item.text() == cohort_label(row, by)
            registered = table.item(number, 1)
            assert registered is not None and registered.text() == str(row.registered)
            for window_ in range(len(COHORT_WINDOWS)):
                cell = table.item(number, 2 + window_)
                assert cell is not None and cell.text() == cohort_cell(row, window_)
        assert len(window.chart_sets) == len(COHORT_WINDOWS)
        for window_, bar_set in enumerate(window.chart_sets):
            values = [bar_set.at(i) for i in range(bar_set.count())]
            assert values == [cohort_percent(row, window_) for row in rows]
        assert window.chart.series() == [window.chart_series]

    check("month")
    # Enter on a cohort cell lists who it counts: June's converted within 60 days.
    june_row = [r.start for r in reversed(cohorts(app.db, DAY, "month"))].index(date(2026, 6, 1))
    window.show_cohort_members(june_row, 3)
    _settle(qtbot, window)
    assert set(window.members_dialog.model.ids) == {people["E"], people["F"]}
    window.members_dialog.close()
    june = next(r for r in cohorts(app.db, DAY, "month") if r.start == date(2026, 6, 1))
    assert (june.registered, june.converted_within) == (3, (1, 2, 2))  # C E F; E 20 Oct, F 24 Nov
    assert cohort_cell(june, 0) == "1 (33%)"
    october = next(r for r in cohorts(app.db, DAY, "month") if r.start == date(2026, 10, 1))
    assert cohort_cell(october, 0) == "–"  # A's free cover has not ended yet
    window.by_week.click()
    _settle(qtbot, window)
    check("week")
    window.by_month.click()
    _settle(qtbot, window)
    check("month")

    # Only the volunteer's participants.
    window.promo_volunteer.setCurrentIndex(window.promo_volunteer.findData(volunteer.volunteer_id))
    _settle(qtbot, window)
    mine = promotion_figures(app.db, DAY, volunteer_id=volunteer.volunteer_id)
    assert window.tiles["registered_with_promotion"].value == mine.registered_with_promotion == 2
    assert window.cohort_table.rowCount() == 1


def test_call_list_message_whatsapp_outcome_export_and_print(
    qtbot: QtBot, app: App, coordinator: Actor, people: dict[str, int], tmp_path: Path
) -> None:
    _main, window = _open(qtbot, app, coordinator)
    window.tabs.setCurrentIndex(1)
    _settle(qtbot, window)
    rows = call_list(app.db, DAY, within_days=14)
    model = window.call_model
    assert [r.participant_id for r in model.rows] == [r.participant_id for r in rows]
    shown = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert {"Budi Santoso", "Cici Paramida", "Fajar Nugraha"} <= shown
    assert "Eko Prasetyo" not in shown  # paid to December

    budi = next(i for i, r in enumerate(model.rows) if r.name == "Budi Santoso")
    window.call_table.selectRow(budi)
    assert model.index(budi, 1).data() == "081234567890"
    assert model.index(budi, 5).data() == days_shown(model.rows[budi])
    assert model.rows[budi].days_left == 3  # free cover to 30 Nov
    assert window.message.toPlainText() == rows[budi].message

    qtbot.mouseClick(window.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == rows[budi].message

    opened: list[QUrl] = []
    window.open_url = opened.append
    qtbot.mouseClick(window.whatsapp_button, Qt.MouseButton.LeftButton)
    assert window.last_url == rows[budi].whatsapp_url
    assert opened and opened[0].toString(QUrl.ComponentFormattingOption.FullyEncoded) == (
        rows[budi].whatsapp_url
    )

    qtbot.mouseClick(window.outcome_button, Qt.MouseButton.LeftButton)
    dialog = window.outcome_dialog
    assert dialog.isVisible()
    dialog.buttons["promised"].setChecked(True)
    qtbot.keyClicks(dialog.note, "bayar hari Jumat")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    label = outcome_label("promised")
    assert model.rows[budi].last_outcome == "promised"
    assert model.index(budi, 6).data().startswith(label)
    assert model.rows[budi].last_note == "bayar hari Jumat"
    assert model.index(budi, 6).data(Qt.ItemDataRole.ToolTipRole) == "bayar hari Jumat"
    # shown again next time
    window.refresh()
    _settle(qtbot, window)
    again = next(i for i, r in enumerate(model.rows) if r.name == "Budi Santoso")
    assert model.index(again, 6).data().startswith(label)

    from openpyxl import load_workbook

    path = tmp_path / "telepon.xlsx"
    assert window.export_to(path)
    sheet = load_workbook(path).active
    assert sheet.max_row == 1 + len(rows)
    names = {sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)}
    assert "Budi Santoso" in names

    qtbot.mouseClick(window.print_button, Qt.MouseButton.LeftButton)
    pdf = window.pdf_dialog
    assert pdf.isVisible() and pdf.document.pageCount() >= 1
    assert "Budi Santoso" in _pdf_text(None, pdf.pdf)[0]
    pdf.close()

    window.within.setValue(0)  # only arrears now
    _settle(qtbot, window)
    assert [r.participant_id for r in model.rows] == [
        r.participant_id for r in call_list(app.db, DAY, within_days=0)
    ]


def test_dues_tab(qtbot: QtBot, app: App, coordinator: Actor, people: dict[str, int]) -> None:
    _main, window = _open(qtbot, app, coordinator)
    window.tabs.setCurrentIndex(2)
    _settle(qtbot, window)
    dues = dues_figures(app.db, DAY)
    from rumah_perisai import formats

    cells = {(r, c): window.dues_table.item(r, c) for r in range(4) for c in range(3)}
    texts = {k: (v.text() if v is not None else "") for k, v in cells.items()}
    assert texts[(0, 0)] == f"{formats.money(dues.today.payments_total)} (1)"  # B's payment
    assert texts[(3, 2)] == formats.money(dues.month.collected)
    assert texts[(1, 0)] == "–"  # no voids
    assert window.held.text() == formats.money(dues.cash_held)
    assert dues.cash_held == 50_400 + 16_800 + 16_800  # nothing closed or deposited yet
    assert "20 Okt 2026" in window.open_days.text()  # the days not yet closed
    assert window.cash_button.isVisible()


def test_incentives_tab_and_statement(
    qtbot: QtBot, app: App, coordinator: Actor, volunteer: Actor, people: dict[str, int]
) -> None:
    _main, window = _open(qtbot, app, coordinator)
    window.tabs.setCurrentIndex(3)
    _settle(qtbot, window)
    statements = post_month(app.db, date(2026, 11, 1))
    table = window.incentive_table
    assert table.rowCount() == len(statements)
    ujang = next(i for i, s in enumerate(statements) if s.volunteer_id == volunteer.volunteer_id)
    from rumah_perisai import formats

    mine = statements[ujang]
    assert mine.gross > 0
    for column, expected in ((3, mine.gross), (4, mine.wadah_share), (5, mine.net)):
        item = table.item(ujang, column)
        assert item is not None and item.text() == formats.money(expected)
    assert "Perdir" in window.scheme.text()

    table.selectRow(ujang)
    qtbot.mouseClick(window.statement_button, Qt.MouseButton.LeftButton)
    pdf = window.pdf_dialog
    assert pdf.isVisible()
    [page] = _pdf_text(None, pdf.pdf)
    with speaking("id"):
        gross, net = tr("Gross incentive"), tr("Net to the volunteer")
    assert gross in page and net in page
    for amount in (mine.gross, mine.net):
        assert formats.money(amount) in page
    assert f"− {formats.money(mine.wadah_share)}" in page
    pdf.close()

    # A month with no scheme in force says so.
    window.month.addItem("Desember 2017", date(2017, 12, 1))
    window.month.setCurrentIndex(window.month.count() - 1)
    _settle(qtbot, window)
    assert all(s.no_scheme for s in window.statements)
    assert "2017" in window.scheme.text()
    item = table.item(0, 5)
    assert item is not None and item.text() == formats.money(0)


def test_an_empty_post_shows_zeros_and_a_hint(
    qtbot: QtBot, app: App, coordinator: Actor, post: Any
) -> None:
    _main, window = _open(qtbot, app, coordinator)
    assert all(tile.value == 0 for tile in window.tiles.values())
    assert window.promo_hint.text()
    window.tabs.setCurrentIndex(1)
    _settle(qtbot, window)
    assert window.call_model.rowCount() == 0
    assert window.calls_count.text()
    window.tabs.setCurrentIndex(2)
    _settle(qtbot, window)
    assert window.dues_hint.text()
