"""The main window: the post's participants, one search box, keyboard first, in two languages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from rumah_perisai.app import App
from rumah_perisai.db.models import Post
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.main_window import COL_STATUS, MainWindow
from rumah_perisai.ui.participant_model import COL_NAME

WORKER = Actor(label="volunteer:test", role="coordinator", name="Dewi")


def _window(qtbot: QtBot, app: App) -> MainWindow:
    window = MainWindow(app, WORKER)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    return window


def _shown_names(window: MainWindow) -> list[str]:
    model = window.model
    return [model.index(r, COL_NAME).data() for r in range(model.rowCount())]


def _fill(add_participant: Callable[..., int]) -> None:
    add_participant(name="Siti Aminah", nik="3209145203900001", phone="081234567890")
    add_participant(name="Muhammad Rizki", nik="3209151204990003")
    add_participant(name="Dede Sunarya", nik="3210010505800004", registered_on=date(2026, 9, 1))


def test_the_list_shows_everyone_with_status_in_words(
    qtbot: QtBot, app: App, add_participant: Callable[..., int]
) -> None:
    _fill(add_participant)
    window = _window(qtbot, app)
    assert _shown_names(window) == ["Dede Sunarya", "Muhammad Rizki", "Siti Aminah"]  # newest
    assert window.result_count.text() == "3 peserta"
    # 27 Nov 2026: registered 1 Sep → free cover to 31 Dec; registered 15 Jan → lapsed.
    assert window.model.index(0, COL_STATUS).data() == "Masa promosi"
    assert window.model.index(1, COL_STATUS).data() == "Nonaktif"
    assert window.model.index(0, 2).data() == "3210********0004"
    assert window.model.index(0, 5).data() == "31 Des 2026"


def test_typing_a_name_fragment_and_enter_finds_the_participant(
    qtbot: QtBot, app: App, add_participant: Callable[..., int]
) -> None:
    _fill(add_participant)
    window = _window(qtbot, app)
    assert window.focusWidget() is window.search_box  # where typing goes at start
    qtbot.keyClicks(window.search_box, "amin")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert _shown_names(window) == ["Siti Aminah"]
    assert window.result_count.text() == "1 ditemukan"
    qtbot.keyClick(window.search_box, Qt.Key.Key_Escape)
    assert window.search_box.text() == ""
    assert window.model.rowCount() == 3


def test_a_pause_in_typing_searches_without_enter(
    qtbot: QtBot, app: App, add_participant: Callable[..., int]
) -> None:
    _fill(add_participant)
    window = _window(qtbot, app)
    qtbot.keyClicks(window.search_box, "3209 15")
    qtbot.waitUntil(lambda: _shown_names(window) == ["Muhammad Rizki"], timeout=2000)


def test_down_arrow_moves_from_the_search_box_into_the_list(
    qtbot: QtBot, app: App, add_participant: Callable[..., int]
) -> None:
    _fill(add_participant)
    window = _window(qtbot, app)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    assert window.focusWidget() is window.table
    assert window.table.currentIndex().row() == 0


def test_a_demo_post_says_so_in_the_title_and_a_banner(
    qtbot: QtBot, app: App, post: PostSummary
) -> None:
    with app.db.unit_of_work("cli:test") as session:
        session.execute(update(Post).values(is_demo=True))
    window = _window(qtbot, app)
    assert window.windowTitle().endswith("— CONTOH")
    assert window.demo_banner.isVisible()
    assert "CONTOH" in window.demo_banner.text()


def test_a_real_post_has_no_demo_banner(qtbot: QtBot, app: App, post: PostSummary) -> None:
    window = _window(qtbot, app)
    assert window.windowTitle() == "Rumah Perisai — Rumah Perisai Suranenggala (RP3209A)"
    assert not window.demo_banner.isVisible()


def test_english_can_be_chosen_in_the_app_and_is_remembered(
    qtbot: QtBot, app: App, add_participant: Callable[..., int]
) -> None:
    _fill(add_participant)
    window = _window(qtbot, app)
    window.language_actions["en"].trigger()
    assert window.result_count.text() == "3 participants"
    assert window.model.headerData(1, Qt.Orientation.Horizontal) == "Name"
    assert window.model.index(0, COL_STATUS).data() == "Free cover (promotion)"
    assert window.model.index(0, 5).data() == "31 Dec 2026"
    assert '"language": "en"' in app.folder.settings_file.read_text()


def test_window_placement_is_kept_in_the_data_folder(
    qtbot: QtBot, app: App, post: PostSummary
) -> None:
    window = _window(qtbot, app)
    window.resize(780, 500)  # the off-screen display is 800x600
    window.close()
    assert app.folder.window_state.exists()
    again = _window(qtbot, app)
    assert (again.width(), again.height()) == (780, 500)


def test_a_coordinator_sets_the_idle_lock_time(qtbot: QtBot, app: App, coordinator: Actor) -> None:
    from rumah_perisai.services.settings import IDLE_MINUTES, get_setting

    window = MainWindow(app, coordinator)
    qtbot.addWidget(window)
    assert get_setting(app.db, IDLE_MINUTES) == 15
    with qtbot.waitSignal(window.idle_minutes_changed):
        window.set_idle_minutes(5)
    assert get_setting(app.db, IDLE_MINUTES) == 5
    assert window.idle_action.isVisible() or not window.isVisible()


def test_sql_in_the_search_box_is_only_text(
    qtbot: QtBot, app: App, add_participant: Callable[..., int]
) -> None:
    _fill(add_participant)
    window = _window(qtbot, app)
    for attack in ("'; DROP TABLE participants; --", '" OR 1=1 --', "%_%", "siti' OR '1'='1"):
        window.search_box.setText(attack)
        window.search_now()
        assert window.model.rowCount() == 0, attack
    window.search_box.clear()
    window.search_now()
    assert window.model.rowCount() == 3


def test_a_name_is_found_without_its_apostrophe_or_with_a_curly_one(
    qtbot: QtBot, app: App, add_participant: Callable[..., int]
) -> None:
    """Issue 17, item 9. Was: "maruf" and "Ma’ruf" found nobody."""
    _fill(add_participant)
    add_participant(name="Ma'ruf Hidayat", nik="3209140101900011")
    window = _window(qtbot, app)
    for before, mark in (("maruf", ""), ("Ma", "\u2019")):
        window.search_box.clear()
        qtbot.keyClicks(window.search_box, before)
        if mark:  # QTest types Latin-1 only: the curly apostrophe comes as a paste would
            window.search_box.insert(mark)
            qtbot.keyClicks(window.search_box, "ruf")
        qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
        assert _shown_names(window) == ["Ma'ruf Hidayat"], window.search_box.text()
