"""The main window: the post's participants, one search box, keyboard first, in two languages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTabWidget,
    QWidget,
)
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


# --- issue 17, items 2, 6, 7: keys, visible reasons, kind wording ------------------------------


def _mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).casefold() if found else None


def _mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Every Alt+letter of a window: its menus' titles, buttons, tabs, labels of fields."""
    letters: dict[str, list[str]] = {}
    texts: list[str] = []
    if isinstance(window, QMainWindow):
        texts += [action.text() for action in window.menuBar().actions()]
    for widget in window.findChildren(QWidget):
        button = isinstance(widget, QAbstractButton) and widget.isVisibleTo(window)
        if button or (isinstance(widget, QLabel) and widget.buddy() is not None):
            texts.append(widget.text())
        elif isinstance(widget, QTabWidget):
            texts += [widget.tabText(i) for i in range(widget.count())]
    for text in texts:
        letter = _mnemonic(text)
        if letter:
            letters.setdefault(letter, []).append(text)
    return letters


def _fields_without_buddy(window: QWidget) -> list[str]:
    buddies = {
        id(label.buddy())
        for label in window.findChildren(QLabel)
        if label.buddy() is not None and _mnemonic(label.text())
    }
    return [
        field.objectName()
        for field in window.findChildren(QWidget)
        if isinstance(field, (QLineEdit, QComboBox))
        and field.isVisibleTo(window)
        and not isinstance(field.parent(), QComboBox)
        and id(field) not in buddies
    ]


def _assert_keys_are_unique(window: QWidget) -> None:
    clashes = {k: v for k, v in _mnemonics(window).items() if len(v) > 1}
    assert clashes == {}
    assert _fields_without_buddy(window) == []


def test_no_two_controls_share_an_alt_key_and_every_field_has_one(
    qtbot: QtBot, app: App, add_participant: Callable[..., int]
) -> None:
    """Was: Alt+B both the Berkas menu and "Pendaftaran baru"; the status and desa filters had
    no label; in the participant view Alt+B was "Betulkan data" and "Batalkan pendaftaran"."""
    _fill(add_participant)
    window = _window(qtbot, app)
    window.card_banner.say("x", False)  # its button counts too
    _assert_keys_are_unique(window)
    window.paper_action.setVisible(True)  # shown after a restore
    for menu in window.menuBar().findChildren(QMenu):  # inside each menu, one letter each
        letters = [_mnemonic(a.text()) for a in menu.actions() if a.isVisible() and a.text()]
        assert None not in letters and len(set(letters)) == len(letters), menu.title()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window.search_box, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # Status
    assert window.focusWidget() is window.status_filter
    qtbot.keyClick(window.status_filter, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert window.focusWidget() is window.desa_filter
    window.open_participant(window.model.participant_id(0))
    view = window.participant_dialog
    assert view.property("help_topic") == "participant" and window.property("help_topic") == "main"
    _assert_keys_are_unique(view)


def test_a_new_walk_ins_view_says_when_the_free_cover_ends_and_what_to_pay(
    qtbot: QtBot, app: App, add_participant: Callable[..., int]
) -> None:
    """Was: "Mulai 1 Mar 2027: Menunggak" for someone registered today, and the promotion's
    code PERISAI-JKK-JKM-3BLN as the source of the cover."""
    add_participant(name="Siti Aminah", registered_on=date(2026, 11, 27))
    window = _window(qtbot, app)
    qtbot.keyClicks(window.search_box, "siti")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    view = window.participant_dialog
    status = view.status.text()
    assert "Menunggak" not in status
    assert (
        "Perlindungan gratis berakhir 28 Feb 2027. Agar tetap terlindungi, bayar iuran mulai "
        "Maret 2027: Rp 16.800 per bulan." in status
    )
    assert view.cover.item(0, 3).text() == "Gratis JKK + JKM 3 bulan (Rumah Perisai)"


def test_why_the_void_button_is_off_is_visible_text(
    qtbot: QtBot, app: App, add_participant: Callable[..., int]
) -> None:
    """Was: only in the button's tooltip (a mouse needed)."""
    add_participant(name="Siti Aminah")
    window = MainWindow(app, Actor(label="volunteer:x", role="volunteer", name="Asep"))
    qtbot.addWidget(window)
    window.show()
    window.open_participant(window.model.participant_id(0))
    view = window.participant_dialog
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=2000)
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # Iuran
    assert view.tabs.currentIndex() == view.dues_tab
    assert not view.void_button.isEnabled()
    assert view.void_reason.isVisible()
    assert view.void_reason.text() == "Hanya koordinator yang dapat membatalkan kuitansi."


def test_the_receipt_layout_is_chosen_by_its_alt_letter_and_saved_by_enter(
    qtbot: QtBot, app: App, coordinator: Actor
) -> None:
    """Issue 17, item 4. Was: a list in a question with "OK" and "Cancel", a label without a
    key. Now each layout has its letter and the button says what it does."""
    from PySide6.QtCore import QTimer

    from rumah_perisai.services.settings import RECEIPT_LAYOUT, get_setting
    from rumah_perisai.ui.receipt_dialog import ReceiptLayoutDialog

    window = MainWindow(app, coordinator)
    qtbot.addWidget(window)
    window.show()
    seen: dict[str, object] = {}

    def answer() -> None:
        asked = window.last_question
        assert isinstance(asked, ReceiptLayoutDialog)
        seen.update(save=asked.save_button.text())
        asked.activateWindow()  # as the window system does for a dialog it shows
        qtbot.waitUntil(lambda: QApplication.activeWindow() is asked)
        focused = QApplication.focusWidget() or asked
        qtbot.keyClick(focused, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)  # &Gulungan
        qtbot.waitUntil(asked.choices["thermal58"].isChecked)  # Qt's click takes a moment
        qtbot.keyClick(QApplication.focusWidget() or asked, Qt.Key.Key_Return)

    QTimer.singleShot(100, answer)
    window.receipt_layout_action.trigger()
    assert seen["save"] == "&Simpan"
    assert get_setting(app.db, RECEIPT_LAYOUT) == "thermal58"


def test_withdrawing_asks_the_reason_with_the_action_on_its_button_and_kembali(
    qtbot: QtBot, app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    """Was: OK and Cancel (Batal, beside an action that cancels), a label without Alt key."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialogButtonBox

    from rumah_perisai.db.models import Participant

    siti = add_participant(name="Siti Aminah")
    window = MainWindow(app, coordinator)
    qtbot.addWidget(window)
    window.show()
    window.open_participant(siti)
    view = window.participant_dialog
    seen: dict[str, str] = {}

    def answer() -> None:
        question = getattr(view, "withdraw_question", None) or QApplication.activeModalWidget()
        buttons = question.findChild(QDialogButtonBox)
        seen["ok"] = buttons.button(QDialogButtonBox.StandardButton.Ok).text()
        seen["cancel"] = buttons.button(QDialogButtonBox.StandardButton.Cancel).text()
        (label,) = [w for w in question.findChildren(QLabel) if w.buddy() is not None]
        seen["label"] = label.text()
        qtbot.keyClicks(label.buddy(), "daftar dua kali")
        qtbot.keyClick(label.buddy(), Qt.Key.Key_Return)

    QTimer.singleShot(100, answer)
    view.ask_withdraw()
    assert seen == {
        "ok": "&Batalkan pendaftaran",
        "cancel": "Ke&mbali",
        "label": "&Alasan pendaftaran ini dibatalkan:",
    }
    with app.db.reading() as session:
        person = session.get(Participant, siti)
        assert person is not None and person.standing == "withdrawn"
        assert person.standing_reason == "daftar dua kali"


def test_in_english_too_no_two_controls_share_an_alt_key(
    qtbot: QtBot, app: App, add_participant: Callable[..., int]
) -> None:
    """Was: Print &card / &Cover and Card &handed over / &History in the view, &Lock / &Language
    in Settings."""
    _fill(add_participant)
    window = _window(qtbot, app)
    window.language_actions["en"].trigger()
    window.card_banner.say("x", False)
    _assert_keys_are_unique(window)
    window.paper_action.setVisible(True)  # shown after a restore
    for menu in window.menuBar().findChildren(QMenu):
        letters = [_mnemonic(a.text()) for a in menu.actions() if a.isVisible() and a.text()]
        assert None not in letters and len(set(letters)) == len(letters), menu.title()
    window.open_participant(window.model.participant_id(0))
    view = window.participant_dialog
    # The view was built in English: every button, tab and label.
    assert view.tabs.tabText(0) == "&Details"
    _assert_keys_are_unique(view)
