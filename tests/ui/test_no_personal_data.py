"""No personal data where it does not belong (issue 19, item 5): a participant whose name, NIK
and phone are unmistakable is opened, paid for, reprinted, voided, corrected and carded in the
window; no window title, no suggested file name, no crash report and no "who looked" record
carries any of the three."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import insert, select

from rumah_perisai.app import App
from rumah_perisai.db.models import AccessRecord, AccessSubject, Participant
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.errors import triage
from rumah_perisai.logs import configure_logging, redact
from rumah_perisai.services.access import flush_looks
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.main_window import MainWindow

NAME, NIK, PHONE = "Zulaikha Kembangsari", "3209144509870077", "081299887766"
# Pieces a careless title or file name would show: the name's words, the NIK's and phone's
# digits in part (the masked NIK "3209********0077" on the page is not in a title either).
PIECES = ("Zulaikha", "Kembangsari", NIK, NIK[-4:], NIK[:6], PHONE, PHONE[-6:])


def _clean(text: str) -> bool:
    return not any(piece in text for piece in PIECES)


def _zulaikha(add_participant: Callable[..., int]) -> int:
    start = date(2026, 10, 1)
    return add_participant(
        name=NAME,
        nik=NIK,
        phone=PHONE,
        heir_name="Kembangsari Ayu",
        registered_on=start,
        history=CoverHistory(Standing.MEMBER, start, date(2027, 1, 31), frozenset()),
    )


def _titles() -> list[str]:
    return [w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible()]


def test_no_window_opened_for_a_participant_is_titled_with_their_data(
    qtbot: QtBot,
    app: App,
    coordinator: Actor,
    add_participant: Callable[..., int],
    tmp_path: Path,
) -> None:
    who = _zulaikha(add_participant)
    total = payment_options(app.db, who).plan(1).total
    take_payment(app.db, who, 1, total, coordinator)
    window = MainWindow(app, coordinator)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_participant(who)
    view = window.participant_dialog
    qtbot.waitExposed(view)
    seen: list[str] = []
    names: list[str] = []

    def look(dialog: QWidget) -> None:
        qtbot.waitExposed(dialog)
        seen.extend(_titles())
        dialog.close()

    qtbot.mouseClick(view.pay_button, Qt.MouseButton.LeftButton)
    look(view.payment_dialog)
    view.tabs.setCurrentIndex(view.dues_tab)
    view.receipts.selectRow(0)
    view.reprint()
    names.append(view.receipt_dialog.file_name)
    assert view.receipt_dialog.save_to(tmp_path / "kuitansi.pdf")
    look(view.receipt_dialog)
    view.receipts.selectRow(0)
    view.ask_void()
    look(view.void_dialog)
    qtbot.mouseClick(view.correct_button, Qt.MouseButton.LeftButton)
    look(window.correction_dialog)
    qtbot.mouseClick(view.card_button, Qt.MouseButton.LeftButton)
    names.append(window.card_dialog.file_name)
    qtbot.waitExposed(window.card_dialog)
    seen.extend(_titles())
    window.card_dialog.save_to(tmp_path / "kartu.pdf")
    view.tabs.setCurrentIndex(view.looks_tab)
    seen.extend(_titles())
    assert len(seen) >= 6 and "RP3209A-000001" in seen
    assert all(_clean(title) for title in seen), seen
    assert len(names) == 2 and all(_clean(name) for name in names), names
    # Every look those windows recorded: ids and fixed kinds, nothing of the person
    flush_looks(app.db)
    with app.db.reading() as session:
        stored = repr(
            [tuple(getattr(r, c.key) for c in AccessRecord.__table__.columns)
             for r in session.scalars(select(AccessRecord))]
            + list(session.execute(select(AccessSubject.access_id, AccessSubject.participant_id)))
        )  # fmt: skip
    assert "'view'" in stored and "'card'" in stored and "'receipt'" in stored
    assert _clean(stored)
    view.close()
    window.close()


@pytest.fixture
def crash_log(tmp_path: Path) -> Iterator[Path]:
    """The log file the window and the commands write, crash reports included."""
    log_file = tmp_path / "logs" / "rumah-perisai.log"
    configure_logging(log_file)
    try:
        yield log_file
    finally:
        configure_logging(None)
        logging.getLogger().setLevel(logging.WARNING)


def test_a_crash_while_saving_a_participant_reports_none_of_their_data(
    app: App, post: object, add_participant: Callable[..., int], crash_log: Path
) -> None:
    """A bug that makes the database refuse a row: PostgreSQL quotes the whole failing row
    ("Failing row contains (…, Zulaikha Kembangsari, …)"), SQLAlchemy the statement's values;
    the crash report (what ``sys.excepthook`` logs through ``triage``) keeps neither."""
    who = _zulaikha(add_participant)
    with app.db.reading() as session:
        row = session.get(Participant, who)
        assert row is not None
        values = {c.key: getattr(row, c.key) for c in Participant.__table__.columns}
    values.update(id=None, registration_no=None, number=999)  # NOT NULL broken: a bug
    values.pop("id")
    try:
        with app.db.unit_of_work("cli:test") as session:
            session.execute(insert(Participant), [values])
    except Exception as error:  # the crash hook sees exactly this
        assert triage(error, app.db.engine.url.render_as_string()) is None
    else:
        pytest.fail("the database took a participant without a registration number")
    report = crash_log.read_text(encoding="utf-8")
    assert "internal error" in report and "Traceback" in report
    assert _clean(report), report


def test_the_log_redacts_a_failing_row_and_a_keys_value() -> None:
    """PostgreSQL's DETAIL lines, as a traceback quotes them."""
    text = (
        "DETAIL:  Failing row contains (7, RP3209A, Zulaikha Kembangsari, Jl. Mawar 3).\n"
        "DETAIL:  Key (name, birth_date)=(Zulaikha Kembangsari, 1987-09-05) already exists."
    )
    shown = redact(text)
    assert "Zulaikha" not in shown and "Mawar" not in shown
    assert "Key (name, birth_date)=" in shown
