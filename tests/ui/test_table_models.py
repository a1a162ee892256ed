"""Every table model the program defines passes Qt's model tester with real rows (the
participant list's own model is checked in ``test_participant_model.py``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QAbstractItemModel
from pytestqt.modeltest import ModelTester

from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.services.call_list import call_list, record_call
from rumah_perisai.services.participant_search import ParticipantSearch
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.dashboard_calls import CallModel
from rumah_perisai.ui.dashboard_parts import MembersModel

DAY = date(2026, 11, 27)  # the clock's day (conftest)


def _check(tester: ModelTester, model: QAbstractItemModel) -> None:
    """Qt's own tester, then pytest-qt's Python one (it asks more of the data's roles)."""
    tester.check(model)
    tester.check(model, force_py=True)


def _three_to_call(app: App, add_participant: Callable[..., int], volunteer: Actor) -> list[int]:
    """One whose free cover ends in three days, two in arrears (one called, with a note)."""
    june, end_sep = date(2026, 6, 10), date(2026, 9, 30)
    ids = [
        add_participant(
            registered_on=date(2026, 8, 3), name="Budi Santoso", phone="081234567890",
            history=CoverHistory(Standing.MEMBER, date(2026, 8, 3), date(2026, 11, 30),
                                 frozenset()),
        ),
        add_participant(
            registered_on=june, name="Cici Paramida", phone="085711112222",
            history=CoverHistory(Standing.MEMBER, june, end_sep, frozenset()),
        ),
        add_participant(
            registered_on=june, name="Eko Prasetyo",
            history=CoverHistory(Standing.MEMBER, june, end_sep, frozenset()),
        ),
    ]  # fmt: skip
    record_call(app.db, ids[1], "promised", volunteer, "Bayar hari Jumat")
    return ids


def test_the_call_lists_model_passes_qts_model_tester(
    qtmodeltester: ModelTester,
    app: App,
    post: PostSummary,
    add_participant: Callable[..., int],
    volunteer: Actor,
) -> None:
    _three_to_call(app, add_participant, volunteer)
    model = CallModel(post.timezone)
    _check(qtmodeltester, model)  # empty
    rows = call_list(app.db, DAY)
    assert len(rows) == 3
    model.set_rows(rows)
    _check(qtmodeltester, model)
    assert model.rowCount() == 3 and model.index(0, 6).data()  # the call is shown
    model.replace_row(1, rows[2])
    _check(qtmodeltester, model)


def test_the_members_model_passes_qts_model_tester(
    qtmodeltester: ModelTester,
    app: App,
    post: PostSummary,
    add_participant: Callable[..., int],
    volunteer: Actor,
) -> None:
    ids = _three_to_call(app, add_participant, volunteer)
    model = MembersModel(app.db, ParticipantSearch(1), ids, DAY)
    _check(qtmodeltester, model)
    names = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert names == ["Budi Santoso", "Cici Paramida", "Eko Prasetyo"]
    assert MembersModel(app.db, ParticipantSearch(1), [], DAY).rowCount() == 0
    _check(qtmodeltester, MembersModel(app.db, ParticipantSearch(1), [], DAY))
