"""The PIN rules of issue 16 in the windows: typed into the login window with the keyboard."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from rumah_perisai import vault
from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    AccountSetup,
    Actor,
    accounts,
    create_account,
    has_coordinator,
    log_in,
)
from rumah_perisai.ui.accounts_dialog import AccountsDialog, NewAccountDialog
from rumah_perisai.ui.login import FirstCoordinatorDialog, LoginDialog
from tests.conftest import FakeClock

PIN = "482913"
WAIT_30 = "Terlalu banyak PIN salah untuk nama ini. Tunggu 30 detik sebelum mencoba lagi."


def _login(qtbot: QtBot, app: App) -> LoginDialog:
    dialog = LoginDialog(app.db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _type(qtbot: QtBot, field: QLineEdit | QComboBox, text: str) -> None:
    target = field.lineEdit() if isinstance(field, QComboBox) else field
    assert target is not None
    target.clear()
    qtbot.keyClicks(target, text)
    qtbot.keyClick(target, Qt.Key.Key_Return)


def test_after_five_wrong_pins_the_window_says_how_long_to_wait(
    qtbot: QtBot, app: App, post: PostSummary, clock: FakeClock
) -> None:
    create_account(app.db, AccountSetup("Dewi Lestari", PIN), ROLE_COORDINATOR, None)
    dialog = _login(qtbot, app)
    _type(qtbot, dialog.name, "dewi lestari")
    assert dialog.focusWidget() is dialog.pin  # Enter in the name: on to the PIN, no try
    for _ in range(4):
        _type(qtbot, dialog.pin, "482914")
        assert dialog.error.text() == "Nama atau PIN salah."
    _type(qtbot, dialog.pin, "482914")
    assert dialog.error.text() == WAIT_30
    _type(qtbot, dialog.pin, PIN)  # the right one, too soon: not even looked at
    assert dialog.actor is None and dialog.isVisible()
    assert dialog.error.text() == WAIT_30
    clock.advance(seconds=18)
    qtbot.waitUntil(lambda: "Tunggu 12 detik" in dialog.error.text(), timeout=3000)
    clock.advance(seconds=12)
    qtbot.waitUntil(lambda: dialog.error.text() == "Sekarang Anda bisa mencoba lagi.")
    _type(qtbot, dialog.pin, PIN)
    assert dialog.actor is not None and dialog.actor.name == "Dewi Lestari"


def test_another_name_ends_the_wait_shown(qtbot: QtBot, app: App, coordinator: Actor) -> None:
    dialog = _login(qtbot, app)
    _type(qtbot, dialog.name, "Dewi Lestari")
    for _ in range(5):
        _type(qtbot, dialog.pin, "482914")
    assert dialog.error.text() == WAIT_30
    dialog.name.lineEdit().setText("Ujang")
    assert dialog.error.text() == ""


def test_an_old_short_pin_chooses_a_new_one_before_the_work_starts(
    qtbot: QtBot, app: App, volunteer: Actor
) -> None:
    """``volunteer`` was made before issue 16, with PIN 2468."""
    dialog = _login(qtbot, app)
    _type(qtbot, dialog.name, "Ujang Hidayat")
    _type(qtbot, dialog.pin, "2468")
    assert dialog.pages.currentIndex() == 1 and dialog.actor is None
    assert dialog.change_intro.text().startswith("Ujang Hidayat, PIN Anda terlalu pendek")
    assert dialog.focusWidget() is dialog.new_pin
    qtbot.keyClicks(dialog.new_pin, "123456")
    _type(qtbot, dialog.new_pin_again, "123456")
    assert dialog.change_error.text().startswith("PIN harus 6–8 angka, dan bukan satu angka")
    qtbot.keyClicks(dialog.new_pin, "570264")
    _type(qtbot, dialog.new_pin_again, "570246")
    assert dialog.change_error.text() == "Kedua PIN baru tidak sama; PIN belum diganti."
    assert dialog.actor is None and dialog.isVisible()
    _type(qtbot, dialog.new_pin_again, "570264")
    assert dialog.actor == volunteer and not dialog.isVisible()
    assert log_in(app.db, "Ujang Hidayat", "570264") == volunteer
    dialog = _login(qtbot, app)
    _type(qtbot, dialog.name, "Ujang Hidayat")
    _type(qtbot, dialog.pin, "2468")
    assert dialog.error.text() == "Nama atau PIN salah."


def test_back_from_the_new_pin_leaves_the_old_one_and_nobody_working(
    qtbot: QtBot, app: App, volunteer: Actor
) -> None:
    dialog = _login(qtbot, app)
    _type(qtbot, dialog.name, "Ujang Hidayat")
    _type(qtbot, dialog.pin, "2468")
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 0 and dialog.actor is None
    assert log_in(app.db, "Ujang Hidayat", "2468") == volunteer


def test_the_demo_post_logs_in_with_the_pins_the_readme_lists(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock
) -> None:
    folder = DataFolder(tmp_path / "demo")
    demo = open_app(folder, folder.sqlite_url, clock=clock)
    try:
        create_demo_post(demo.db, folder, DemoRequest(20, seed=3), "cli:test")
        for name, pin in (("Euis Komalasari", "1357"), ("Warsih", "2468")):
            dialog = _login(qtbot, demo)
            _type(qtbot, dialog.name, name)
            _type(qtbot, dialog.pin, pin)
            assert dialog.actor is not None and dialog.actor.name == name
    finally:
        demo.close()


def test_the_coordinator_sees_who_was_locked_out_and_when(
    qtbot: QtBot, app: App, volunteer: Actor, coordinator: Actor, clock: FakeClock
) -> None:
    dialog = _login(qtbot, app)
    _type(qtbot, dialog.name, "Ujang Hidayat")
    for _ in range(5):
        _type(qtbot, dialog.pin, "482914")
    listing = AccountsDialog(app.db, coordinator)
    qtbot.addWidget(listing)
    table = listing.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["Nama", "Peran", "Keadaan", "PIN salah", "Terakhir dikunci"]
    rows = {
        table.item(r, 0).text(): [table.item(r, c).text() for c in range(1, table.columnCount())]
        for r in range(table.rowCount())
    }
    assert rows["Dewi Lestari"][1:] == ["aktif", "0", "–"]
    assert rows["Ujang Hidayat"][1:] == [
        "menunggu sampai 09.30.30 WIB",
        "5",
        "27 Nov 2026 09.30 WIB (sudah 1 kali)",
    ]
    ujang = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "Ujang Hidayat")
    assert table.item(ujang, 4).toolTip() == (
        "Dikunci karena PIN salah pada:\n27 Nov 2026 09.30 WIB"
    )
    clock.advance(minutes=1)
    listing.refresh()
    assert table.item(ujang, 2).text() == "aktif"


def test_a_new_account_with_a_four_digit_pin_is_refused_saying_what_is_allowed(
    qtbot: QtBot, app: App, coordinator: Actor
) -> None:
    dialog = NewAccountDialog(app.db, coordinator)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name, "Euis Komalasari")
    qtbot.keyClicks(dialog.pin, "1357")
    qtbot.keyClicks(dialog.pin_again, "1357")
    dialog.make()
    assert dialog.error.text() == (
        "PIN harus 6–8 angka, dan bukan satu angka yang diulang (111111), bukan angka berurutan "
        "(123456, 987654), bukan pula kelompok angka yang diulang (121212, 123123)."
    )
    assert [a.name for a in accounts(app.db)] == ["Dewi Lestari"]


def _login_with_folder(qtbot: QtBot, app: App) -> LoginDialog:
    dialog = LoginDialog(app.db, folder=app.folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_coordinator_who_forgot_sets_a_new_pin_with_the_recovery_code(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor, volunteer: Actor
) -> None:
    assert post.recovery_code is not None
    dialog = _login_with_folder(qtbot, app)
    qtbot.mouseClick(dialog.forgot_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 2 and dialog.focusWidget() is dialog.recovery_code
    # Only coordinators can be chosen: a volunteer's PIN is a coordinator's to reset.
    choices = [dialog.reset_name.itemText(i) for i in range(dialog.reset_name.count())]
    assert choices == ["Dewi Lestari"]
    wrong = vault.new_recovery_code()
    qtbot.keyClicks(dialog.recovery_code, wrong)
    qtbot.keyClicks(dialog.reset_pin, "570264")
    _type(qtbot, dialog.reset_pin_again, "570264")
    assert dialog.reset_error.text() == (
        "Itu bukan kode pemulihan pos ini; tidak ada PIN yang diganti."
    )
    assert dialog.focusWidget() is dialog.recovery_code
    qtbot.keyClicks(dialog.recovery_code, post.recovery_code.lower())  # replaces the selection
    _type(qtbot, dialog.reset_pin_again, "570246")
    assert dialog.reset_error.text() == "Kedua PIN baru tidak sama; PIN belum diganti."
    _type(qtbot, dialog.reset_pin_again, "570264")
    assert dialog.pages.currentIndex() == 0
    assert dialog.name.currentText() == "Dewi Lestari"
    assert dialog.error.text() == "PIN Dewi Lestari sudah diganti; masuklah dengan PIN yang baru."
    _type(qtbot, dialog.pin, "570264")
    assert dialog.actor == coordinator


def test_wrong_recovery_codes_in_the_window_make_the_next_try_wait(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor
) -> None:
    dialog = _login_with_folder(qtbot, app)
    qtbot.mouseClick(dialog.forgot_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.reset_pin, "570264")
    qtbot.keyClicks(dialog.reset_pin_again, "570264")
    wrong = vault.new_recovery_code()
    for _ in range(5):
        dialog.recovery_code.setText(wrong)
        qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    assert dialog.reset_error.text() == (
        "Terlalu banyak kode pemulihan yang salah. Tunggu 30 detik sebelum mencoba lagi; "
        "tidak ada PIN yang diganti."
    )
    listing = AccountsDialog(app.db, coordinator)  # the coordinator sees it under the list
    qtbot.addWidget(listing)
    assert listing.recovery_note.text() == (
        "Kode pemulihan salah berturut-turut: 5. Terakhir dikunci: 27 Nov 2026 09.30 WIB "
        "(sudah 1 kali)."
    )
    assert not listing.recovery_note.isHidden()


def test_without_the_data_folder_there_is_no_forgot_pin(qtbot: QtBot, app: App) -> None:
    assert _login(qtbot, app).forgot_button.isHidden()


def test_the_first_coordinator_of_a_new_post_gets_a_pin_by_the_rule(
    qtbot: QtBot, app: App, post: PostSummary
) -> None:
    dialog = FirstCoordinatorDialog(app.db)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name, "Dewi Lestari")
    for weak in ("1357", "123456", "121212"):
        dialog.pin.setText(weak)
        dialog.pin_again.setText(weak)
        dialog.make()
        assert dialog.error.text().startswith("PIN harus 6–8 angka, dan bukan satu angka")
        assert not has_coordinator(app.db) and dialog.actor is None
    dialog.pin.setText(PIN)
    dialog.pin_again.setText(PIN)
    dialog.make()
    assert dialog.actor is not None and dialog.actor.is_coordinator
