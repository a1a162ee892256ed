"""The window shows which post this is, says so when it is a demo, and keeps its place."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import update

from rumah_perisai.app import App
from rumah_perisai.db.models import Post
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.ui.main_window import MainWindow


def test_the_window_names_the_post(qtbot: QtBot, app: App, post: PostSummary) -> None:
    window = MainWindow(app)
    qtbot.addWidget(window)
    assert window.windowTitle() == "Rumah Perisai — Rumah Perisai Suranenggala (RP3209A)"
    assert "Kabupaten Cirebon" in window.status_text.text()
    assert "0 peserta terdaftar" in window.status_text.text()


def test_a_demo_post_says_so_in_the_title(qtbot: QtBot, app: App, post: PostSummary) -> None:
    with app.db.unit_of_work("cli:test") as session:
        session.execute(update(Post).values(is_demo=True))
    window = MainWindow(app)
    qtbot.addWidget(window)
    assert window.windowTitle().endswith("CONTOH — pos latihan")


def test_without_a_post_the_window_says_how_to_set_one_up(qtbot: QtBot, app: App) -> None:
    window = MainWindow(app)
    qtbot.addWidget(window)
    assert "belum berisi pos" in window.status_text.text()
    assert str(app.folder.root) in window.status_text.text()


def test_window_placement_is_kept_in_the_data_folder(
    qtbot: QtBot, app: App, post: PostSummary
) -> None:
    window = MainWindow(app)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.resize(720, 480)  # the off-screen display is 800x600
    window.close()
    assert app.folder.window_state.exists()
    again = MainWindow(app)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert (again.width(), again.height()) == (720, 480)
