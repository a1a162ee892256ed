"""The dashboards window as a coordinator reads it: the promotion's figures and the participants
behind them, the cohorts as a table and a chart, the call list (message, WhatsApp, outcome,
spreadsheet, paper), dues and incentives. Every number shown is the service's. The clock starts
on Tue 20 Oct 2026 and stands at Fri 27 Nov 2026 09:30 WIB when the window opens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCharts import QBarCategoryAxis
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabBar,
    QTableView,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from rumah_perisai import formats
from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.i18n import speaking, tr
from rumah_perisai.services.call_list import call_list, outcome_label
from rumah_perisai.services.dashboard import (
    COHORT_WINDOWS,
    FIGURE_HELP,
    FIGURES,
    cohorts,
    dues_figures,
    promotion_figures,
    promotion_members,
)
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.incentives import post_month
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.dashboard_calls import days_shown
from rumah_perisai.ui.dashboard_parts import OutcomeDialog
from rumah_perisai.ui.dashboard_promotion import (
    cohort_cell,
    cohort_label,
    cohort_percent,
    s_values,
)
from rumah_perisai.ui.dashboard_window import DashboardWindow
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
        ripe = [row for row in rows if row.matured[0]]  # the chart leaves out what can't show
        for window_, bar_set in enumerate(window.chart_sets):
            values = [bar_set.at(i) for i in range(bar_set.count())]
            assert values == [cohort_percent(row, window_) for row in ripe]
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
    window.by.setCurrentIndex(window.by.findData("week"))
    _settle(qtbot, window)
    check("week")
    window.by.setCurrentIndex(window.by.findData("month"))
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


# --- issue 17: a volunteer's day by keyboard, at 1366×768 and 125 % -------------------------------

SMALL_SCREEN = (1093, 592)  # 1366×768 at 125 %, less the taskbar, in logical pixels
ENGLISH_OR_JARGON = ("kohort", "cohort", "perisai-jkk", "spreadsheet", "hover", "tetikus")


def _mnemonic(text: str) -> str | None:
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].lower() if 0 <= at < len(plain) - 1 else None


def _own(window: QWidget) -> list[QWidget]:
    """The window's widgets, not those of the dialogs it opened."""
    return [w for w in window.findChildren(QWidget) if w.window() is window]


def _mnemonics(window: QWidget) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for widget in _own(window):
        if isinstance(widget, QTabBar):
            found += [(_mnemonic(widget.tabText(i)), widget.tabText(i))
                      for i in range(widget.count())]  # fmt: skip
        elif (isinstance(widget, QAbstractButton) and widget.text()) or (
            isinstance(widget, QLabel) and widget.buddy() is not None
        ):
            found.append((_mnemonic(widget.text()), widget.text()))
    return found


def _fields(window: QWidget) -> list[QWidget]:
    kinds = (QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QTextEdit)
    fields = []
    for widget in _own(window):
        if not isinstance(widget, kinds) or isinstance(widget.parent(), kinds):
            continue  # a spin box's or combo box's own line edit is part of it
        if isinstance(widget, QPlainTextEdit | QTextEdit) and widget.isReadOnly():
            continue
        fields.append(widget)
    return fields


def _check_keys(window: QWidget) -> None:
    """Every control's Alt key is its own; every field has a label whose Alt key reaches it."""
    keys = _mnemonics(window)
    missing = [text for key, text in keys if key is None]
    assert not missing, f"no Alt key: {missing}"
    letters = [key for key, _t in keys]
    clashes = {k: [t for kk, t in keys if kk == k] for k in letters if letters.count(k) > 1}
    assert not clashes, f"Alt keys shared: {clashes}"
    buddies = {id(w.buddy()) for w in _own(window) if isinstance(w, QLabel) and w.buddy()}
    lonely = [w.objectName() for w in _fields(window) if id(w) not in buddies]
    assert not lonely, f"fields without a label: {lonely}"


def _visible_texts(window: QWidget) -> list[str]:
    texts = [window.windowTitle()]
    for widget in _own(window):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            texts += [str(model.headerData(c, Qt.Orientation.Horizontal) or "")
                      for c in range(model.columnCount())]  # fmt: skip
    return texts


def _cut(window: QWidget) -> list[str]:
    """Texts wider than the widget showing them (labels, buttons, headers, table cells)."""
    cut: list[str] = []
    for widget in _own(window):
        if not widget.isVisible():
            continue
        metrics = widget.fontMetrics()
        if isinstance(widget, QLabel) and not widget.wordWrap() and widget.text():
            plain = widget.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            if widget.textFormat() != Qt.TextFormat.RichText and "<" not in plain:
                widest = max(metrics.horizontalAdvance(line) for line in plain.split("\n"))
                if widest > widget.contentsRect().width():
                    cut.append(plain)
        if isinstance(widget, QPushButton) and widget.text():
            plain = widget.text().replace("&", "")
            if metrics.horizontalAdvance(plain) + 8 > widget.width():
                cut.append(plain)
        if isinstance(widget, QTableView):
            cut += _cut_cells(widget)
    return cut


def _cut_cells(table: QTableView) -> list[str]:
    model, header = table.model(), table.horizontalHeader()
    cut = []
    head_metrics = header.fontMetrics()
    for column in range(model.columnCount()):
        if table.isColumnHidden(column):
            continue
        width = header.sectionSize(column)
        text = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        widest = max((head_metrics.horizontalAdvance(t) for t in text.split("\n")), default=0)
        if widest + 8 > width:
            cut.append(f"header {text!r} in {width}px")
        for row in range(min(model.rowCount(), 50)):
            cell = str(model.index(row, column).data() or "")
            if table.fontMetrics().horizontalAdvance(cell) + 6 > width:
                cut.append(f"{cell!r} in {width}px")
    return cut


@pytest.fixture
def small(qtbot: QtBot, app: App, coordinator: Actor, people: dict[str, int]) -> Any:
    """The dashboards as a post's laptop shows them, maximised on 1366×768 at 125 %."""
    main, window = _open(qtbot, app, coordinator)
    window.resize(*SMALL_SCREEN)
    _settle(qtbot, window)
    return main, window


def _by_week(qtbot: QtBot, window: DashboardWindow) -> None:
    """Group the new participants by week of registration: Alt+O, then the arrow down."""
    window.tabs.setCurrentIndex(0)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    _alt(qtbot, window.tabs, Qt.Key.Key_O)
    assert window.focusWidget() is window.by
    qtbot.keyClick(window.by, Qt.Key.Key_Down)
    assert window.by.currentData() == "week"


def _alt(qtbot: QtBot, widget: QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(widget, key, Qt.KeyboardModifier.AltModifier)


def test_each_alt_key_does_one_thing_and_every_field_has_its_label(
    qtbot: QtBot, small: Any
) -> None:
    """Issue 17 item 2: Alt+I was Iuran, Insentif and Salin pesan; Alt+M per minggu and Muat
    ulang."""
    _main, window = small
    _check_keys(window)
    _alt(qtbot, window.tabs, Qt.Key.Key_I)  # Iuran
    assert window.tabs.currentIndex() == 2
    _alt(qtbot, window.tabs, Qt.Key.Key_N)  # Insentif
    assert window.tabs.currentIndex() == 3
    _alt(qtbot, window.tabs, Qt.Key.Key_T)  # Daftar telepon
    assert window.tabs.currentIndex() == 1
    _settle(qtbot, window)
    _alt(qtbot, window.tabs, Qt.Key.Key_G)  # Yang berakhir dalam
    assert window.focusWidget() is window.within or window.within.isAncestorOf(window.focusWidget())
    # The dialogs it opens: the participants behind a figure, and a call's outcome.
    window.call_table.setFocus()
    qtbot.keyClick(window.call_table, Qt.Key.Key_Return)
    _check_keys(window.outcome_dialog)
    qtbot.waitExposed(window.outcome_dialog)
    assert not _cut(window.outcome_dialog)
    window.outcome_dialog.reject()
    window.tabs.setCurrentIndex(0)
    _settle(qtbot, window)
    window.tiles["converted"].setFocus()
    qtbot.keyClick(window.tiles["converted"], Qt.Key.Key_Return)
    _settle(qtbot, window)
    _check_keys(window.members_dialog)
    window.members_dialog.close()


def test_alt_keys_are_their_own_in_english_too(
    qtbot: QtBot, app: App, coordinator: Actor, post: Any
) -> None:
    with speaking("en"):
        window = DashboardWindow(app, coordinator)
        qtbot.addWidget(window)
        _settle(qtbot, window)
        _check_keys(window)
        _check_keys(OutcomeDialog("Budi", None, window))
    window.close()


def test_nothing_is_cut_at_125_percent_on_a_small_screen(
    qtbot: QtBot, small: Any, add_participant: Callable[..., int]
) -> None:
    """Issue 17 item 5: the call list's columns, the drill-down list and the weekly chart's dates
    were cut ("erlindungan berakhi", "bayar dalam 26 …", "5 O…")."""
    _main, window = small
    june = date(2026, 6, 10)
    add_participant(
        registered_on=june,
        name="Aan Hidayatullah Nurhasanah Prasetyo",
        history=CoverHistory(Standing.MEMBER, june, date(2026, 9, 30), frozenset()),
    )
    window.refresh()  # fmt: skip
    for index in range(4):
        window.tabs.setCurrentIndex(index)
        _settle(qtbot, window)
        qtbot.wait(10)
        if index == 1:
            assert any(r.days_to_lapse for r in window.call_model.rows)  # "pay within N days"
        assert not _cut(window), window.tabs.tabText(index)
    window.tabs.setCurrentIndex(0)
    _settle(qtbot, window)
    window.tiles["registered_with_promotion"].setFocus()
    qtbot.keyClick(window.tiles["registered_with_promotion"], Qt.Key.Key_Return)
    _settle(qtbot, window)
    members = window.members_dialog
    qtbot.waitExposed(members)
    assert not _cut(members)
    members.close()
    _by_week(qtbot, window)
    _settle(qtbot, window)
    qtbot.wait(10)
    _check_chart_labels_fit(window)


def _check_chart_labels_fit(window: DashboardWindow) -> None:
    [x_axis] = window.chart.axes(Qt.Orientation.Horizontal)
    assert isinstance(x_axis, QBarCategoryAxis)
    labels = x_axis.categories()
    assert labels
    room = window.chart.plotArea().width() / len(labels)
    metrics = QFontMetrics(x_axis.labelsFont())
    for label in labels:
        assert metrics.horizontalAdvance(label) + 24 <= room, (label, room)  # Qt cuts early


def test_what_a_tooltip_says_is_on_screen_by_keyboard_too(qtbot: QtBot, small: Any) -> None:
    """Issue 17 item 6: tooltips were the only explanation; an explanation line now follows the
    keyboard's focus, and F1 finds the help topic."""
    _main, window = small
    assert window.property("help_topic") == "dashboards"
    _alt(qtbot, window.tabs, Qt.Key.Key_A)  # the figures
    first = window.tiles["registered_with_promotion"]
    assert window.focusWidget() is first
    assert tr(FIGURE_HELP["registered_with_promotion"]) in window.explain.text()
    qtbot.keyClick(first, Qt.Key.Key_Right)
    assert window.focusWidget() is window.tiles["in_free_cover_now"]
    assert tr(FIGURE_HELP["in_free_cover_now"]) in window.explain.text()
    # A cohort cell: what its column counts and its own figures.
    _alt(qtbot, window.tabs, Qt.Key.Key_L)
    assert window.focusWidget() is window.cohort_table
    window.cohort_table.setCurrentCell(0, 2)
    assert "30" in window.explain.text() and window.explain.text()
    # The call list's days column, and the dues' lines.
    _alt(qtbot, window.tabs, Qt.Key.Key_T)
    _settle(qtbot, window)
    window.call_table.setFocus()
    window.call_table.setCurrentIndex(window.call_model.index(0, 5))
    assert (
        tr(
            "Days of cover left. In arrears: the days left to pay the missed months before "
            "the membership lapses (today included)."
        )
        in window.explain.text()
    )
    # A participant without a phone: why "Buka WhatsApp" is disabled, in words beside it.
    fajar = next(i for i, r in enumerate(window.call_model.rows) if r.phone is None)
    qtbot.keyClick(window.call_table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _step in range(fajar):
        qtbot.keyClick(window.call_table, Qt.Key.Key_Down)
    assert not window.whatsapp_button.isEnabled()
    assert tr("No phone number: WhatsApp cannot be opened for this participant.") in (
        window.calls_info.text()
    )
    _alt(qtbot, window.tabs, Qt.Key.Key_I)
    _settle(qtbot, window)
    window.dues_table.setFocus()
    window.dues_table.setCurrentCell(3, 0)
    assert tr("Payments less voids and refunds: the dues the post keeps.") in (
        window.explain.text()
    )
    window.call_table.setFocus()


def test_plain_words_and_one_date_format(
    qtbot: QtBot, small: Any, monkeypatch: pytest.MonkeyPatch, app: App
) -> None:
    """Issue 17 item 7: no "Kohort", no English or codes, dates as 27 Nov 2026 only; file names
    say what and which day, never whose."""
    _main, window = small
    for index in range(4):
        window.tabs.setCurrentIndex(index)
        _settle(qtbot, window)
        texts = " ".join(_visible_texts(window)).lower()
        for word in ENGLISH_OR_JARGON:
            assert word not in texts, (index, word)
        assert formats.long_day(DAY) not in " ".join(_visible_texts(window))  # one format
    assert formats.day(DAY) in window.status.text()
    offered: list[str] = []

    def save_dialog(_parent: Any, _title: str, name: str, _filter: str) -> tuple[str, str]:
        offered.append(name)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    window.tabs.setCurrentIndex(1)
    _settle(qtbot, window)
    qtbot.mouseClick(window.export_button, Qt.MouseButton.LeftButton)
    (suggested,) = map(Path, offered)
    assert suggested.name == f"daftar-telepon-{window.summary.code}-2026-11-27.xlsx"
    assert suggested.parent != Path.cwd()  # Documents or the last folder, not the program's
    window.tabs.setCurrentIndex(3)
    _settle(qtbot, window)
    window.incentive_table.selectRow(0)
    qtbot.mouseClick(window.statement_button, Qt.MouseButton.LeftButton)
    name = window.pdf_dialog.file_name
    assert window.statements[0].volunteer_name.split()[0].lower() not in name.lower()
    assert name.startswith(f"insentif-{window.summary.code}-2026-11-")
    window.pdf_dialog.close()


def test_the_weekly_chart_shows_the_weeks_that_have_something_to_show(
    qtbot: QtBot, app: App, coordinator: Actor, people: dict[str, int],
    add_participant: Callable[..., int],
) -> None:  # fmt: skip
    """Issue 17 item 10: when the newest weeks are all still in their free cover the weekly
    chart was empty; it now shows the newest weeks whose free cover has ended."""
    for week in range(14):  # one walk-in a week for 14 weeks: all still in free cover
        day = date.fromordinal(DAY.toordinal() - 7 * week)
        add_participant(registered_on=day, name=f"Baru {week}",
                        history=CoverHistory(Standing.MEMBER, day, date(2027, 3, 31),
                                             frozenset()))  # fmt: skip
    for week in range(9):  # June and July: free cover ended on 30 Sep (June) or 31 Oct
        add_participant(registered_on=date(2026, 6, 1) + timedelta(days=7 * week))
    _main, window = _open(qtbot, app, coordinator)
    window.resize(*SMALL_SCREEN)
    _by_week(qtbot, window)
    _settle(qtbot, window)
    qtbot.wait(10)
    _check_chart_labels_fit(window)  # as many weeks as fit whole ("5 O…" before)
    values = [v for bar_set in window.chart_sets for v in s_values(bar_set)]
    assert any(values)  # June's weeks, whose free cover ended on 30 Sep
    [x_axis] = window.chart.axes(Qt.Orientation.Horizontal)
    assert formats.day(date(2026, 6, 29)) in x_axis.categories()  # the newest with 30 days past
    assert window.chart_note.text()  # says the newer weeks are left out and why


def test_an_empty_chart_says_why(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    day = date(2026, 11, 2)
    add_participant(
        registered_on=day,
        name="Baru",
        history=CoverHistory(Standing.MEMBER, day, date(2027, 2, 28), frozenset()),
    )
    _main, window = _open(qtbot, app, coordinator)
    _by_week(qtbot, window)
    _settle(qtbot, window)
    assert window.chart_note.isVisible()
    with speaking("id"):
        assert "belum" in window.chart_note.text()


def _xlsx_parts(data: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {n: book.read(n) for n in book.namelist() if n != "docProps/core.xml"}


def test_the_call_list_and_statement_are_the_command_lines_documents(
    qtbot: QtBot, app: App, coordinator: Actor, volunteer: Actor, people: dict[str, int],
    tmp_path: Path,
) -> None:  # fmt: skip
    """Export…, Print… and the statement are made by the entry points ``calls --out`` and
    ``incentives statement`` use (issue 18): the same names, the same spreadsheet bytes and
    the same pages."""
    from rumah_perisai.printing.call_list import call_list_file
    from rumah_perisai.printing.incentives import volunteer_statement

    _main, window = _open(qtbot, app, coordinator)
    window.tabs.setCurrentIndex(1)
    _settle(qtbot, window)
    window.within.setValue(60)
    _settle(qtbot, window)
    path = tmp_path / "telepon.xlsx"
    path.write_bytes(b"an older list")  # the save dialog has asked: replaced
    assert window.export_to(path)
    made = call_list_file(app.db, DAY, "xlsx", within_days=60).data
    # openpyxl stamps the moment of saving, to the second, in docProps/core.xml: the rest
    # of the workbook is compared byte for byte
    assert _xlsx_parts(path.read_bytes()) == _xlsx_parts(made)
    qtbot.mouseClick(window.print_button, Qt.MouseButton.LeftButton)
    paper = call_list_file(app.db, DAY, "pdf", within_days=60)
    assert window.pdf_dialog.file_name == paper.file_name
    # ReportLab stamps each PDF with its moment and an id: the pages' text is compared
    assert _pdf_text(None, window.pdf_dialog.pdf) == _pdf_text(None, paper.data)
    window.pdf_dialog.close()

    window.tabs.setCurrentIndex(3)
    _settle(qtbot, window)
    mine = next(i for i, s in enumerate(window.statements)
                if s.volunteer_id == volunteer.volunteer_id)  # fmt: skip
    window.incentive_table.selectRow(mine)
    qtbot.mouseClick(window.statement_button, Qt.MouseButton.LeftButton)
    assert volunteer.volunteer_id is not None
    statement = volunteer_statement(app.db, volunteer.volunteer_id, window.statements[mine].month)
    shown = window.pdf_dialog
    assert shown.file_name == statement.file_name
    assert _pdf_text(None, shown.pdf) == _pdf_text(None, statement.pdf)
    shown.close()


def test_a_call_list_that_cannot_be_written_is_said_in_the_tab(
    qtbot: QtBot, app: App, coordinator: Actor, people: dict[str, int], tmp_path: Path
) -> None:
    _main, window = _open(qtbot, app, coordinator)
    window.tabs.setCurrentIndex(1)
    _settle(qtbot, window)
    missing = tmp_path / "gone" / "telepon.xlsx"
    assert not window.export_to(missing)
    assert window.calls_info.text() and "\n" not in window.calls_info.text()
    assert not missing.parent.exists()
