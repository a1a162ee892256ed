"""The list model is a correct Qt model and fetches only what is on screen."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from rumah_perisai.app import App
from rumah_perisai.db.models import Participant
from rumah_perisai.services.participant_search import ParticipantSearch
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.main_window import MainWindow
from rumah_perisai.ui.participant_model import BLOCK, ParticipantTableModel

MANY = 3_000


@pytest.fixture
def many(app: App, post: PostSummary) -> None:
    at = datetime(2026, 1, 15, 2, tzinfo=UTC)
    rows = [
        {
            "post_id": 1, "post_code": post.code, "number": n,
            "registration_no": f"{post.code}-{n:06d}", "nik": f"{3209140101900000 + n}",
            "name": f"Peserta {n:05d}", "birth_place": "Cirebon", "birth_date": date(1990, 1, 1),
            "sex": "L", "street": "Jl. Pantura", "desa_code": "32.09.14.2001",
            "occupation": "Petani", "income": 1_000_000, "with_jht": False, "consent_at": at,
            "registered_on": date(2026, 1, 15), "registered_at": at, "standing": "member",
            "membership_start": date(2026, 1, 15), "rejoin_count": 0, "change_no": 2,
            "promo_until": date(2026, 4, 30), "cover_from": date(2026, 1, 15),
            "cover_until": date(2026, 4, 30), "arrears_until": date(2026, 7, 31),
        }
        for n in range(1, MANY + 1)
    ]  # fmt: skip
    with app.db.engine.begin() as connection:
        connection.execute(insert(Participant), rows)


def test_the_model_passes_qt_model_tester(qtmodeltester: ModelTester, app: App, many: None) -> None:
    model = ParticipantTableModel(app.db, ParticipantSearch(1), lambda: date(2026, 11, 27))
    model.set_query("")
    qtmodeltester.check(model)
    model.set_query("peserta 0001")
    qtmodeltester.check(model)


def test_scrolling_a_page_fetches_a_bounded_number_of_rows(
    qtbot: QtBot, app: App, many: None
) -> None:
    window = MainWindow(app, Actor(label="volunteer:test", name="Dewi"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    model = window.model
    assert model.rowCount() == MANY
    qtbot.waitUntil(lambda: model.rows_fetched > 0)
    first_screen = model.rows_fetched
    assert 0 < first_screen <= 2 * BLOCK
    before = model.rows_fetched
    bar = window.table.verticalScrollBar()
    bar.setValue(bar.value() + bar.pageStep())
    qtbot.wait(50)
    assert model.rows_fetched - before <= 2 * BLOCK
    bar.setValue(bar.maximum())  # jump to the end: one or two blocks there, not all between
    qtbot.wait(50)
    assert model.rows_fetched <= 6 * BLOCK
    assert model.index(MANY - 1, 1).data() == "Peserta 00001"  # newest first: the first is last


def test_a_search_matching_thousands_is_read_page_by_page_in_nik_order(
    qtmodeltester: ModelTester,
    app: App,
    many: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "32" is the start of every NIK in West Java: its matches are paged, never all fetched."""
    from rumah_perisai.ui import participant_model

    monkeypatch.setattr(participant_model, "MATERIALIZE", 500)  # 200,000 at a real post
    model = ParticipantTableModel(app.db, ParticipantSearch(1), lambda: date(2026, 11, 27))
    assert model.set_query("32") == MANY
    assert model.index(0, 1).data() == "Peserta 00001"  # the lowest NIK first
    assert model.index(MANY - 1, 1).data() == f"Peserta {MANY:05d}"
    assert model.rows_fetched <= 2 * BLOCK
    qtmodeltester.check(model)
