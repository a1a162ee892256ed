"""A volunteer's monthly incentive statement on paper: the lines, gross, wadah share and net, in
Indonesian whatever the screen's language; a month with no scheme in force says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.i18n import set_language, speaking, tr
from rumah_perisai.printing.incentives import (
    _GROSS,
    _NET,
    _NO_SCHEME,
    _SIGN_VOLUNTEER,
    _TITLE,
    statement_pdf,
)
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.incentives import volunteer_month
from rumah_perisai.services.volunteers import Actor
from tests.printing.test_cash_summary import _pdf_text

NOVEMBER = date(2026, 11, 1)


def _registered_and_paid(
    app: App, add_participant: Callable[..., int], volunteer: Actor, coordinator: Actor
) -> None:
    start = date(2026, 11, 2)
    history = CoverHistory(Standing.MEMBER, start, date(2027, 2, 28), frozenset())
    first = add_participant(
        registered_on=start, history=history, registered_by_id=volunteer.volunteer_id
    )
    add_participant(registered_on=start, history=history, registered_by_id=volunteer.volunteer_id)
    plan = payment_options(app.db, first).plan(1)  # March 2027: 16,800
    take_payment(app.db, first, 1, plan.total, coordinator)


def test_the_statement_shows_lines_gross_wadah_share_and_net(
    qapp: Any,
    app: App,
    add_participant: Callable[..., int],
    volunteer: Actor,
    coordinator: Actor,
) -> None:
    _registered_and_paid(app, add_participant, volunteer, coordinator)
    assert volunteer.volunteer_id is not None
    set_language("en")  # the screen in English: the paper stays Indonesian
    with speaking("id"):
        statement = volunteer_month(app.db, volunteer.volunteer_id, NOVEMBER)
    # 15% of 16,800 = 2,520; wadah 10% = 252; net 2,268. Two new participants: fewer than 25.
    assert (statement.gross, statement.wadah_share, statement.net) == (2_520, 252, 2_268)
    pdf = statement_pdf(statement, "Rumah Perisai Suranenggala", wadah="Koperasi Mitra Nelayan")
    assert pdf.startswith(b"%PDF")
    [page] = _pdf_text(qapp, pdf)
    with speaking("id"):  # the paper's own words, in Indonesian
        words = [tr(_TITLE), tr(_GROSS), tr(_NET), tr(_SIGN_VOLUNTEER)]
    for word in words:
        assert word in page
    assert "Ujang Hidayat" in page
    assert "November 2026" in page
    assert "Perdir 13/PERDIR.02/042022" in page
    assert "Rp 16.800" in page  # dues counted
    assert "Rp 2.520" in page  # gross
    assert "− Rp 252" in page  # wadah share (10%)
    assert "Rp 2.268" in page  # net
    assert "10%" in page
    assert "Koperasi Mitra Nelayan" in page
    for line in statement.lines:
        assert " ".join(line.text.split()) in page


def test_a_month_without_a_scheme_says_so(qapp: Any, app: App, volunteer: Actor) -> None:
    assert volunteer.volunteer_id is not None
    statement = volunteer_month(app.db, volunteer.volunteer_id, date(2017, 12, 1))
    assert statement.no_scheme
    [page] = _pdf_text(qapp, statement_pdf(statement, "Rumah Perisai Suranenggala", is_demo=True))
    assert "Rp 0" in page
    with speaking("id"):
        assert tr(_NO_SCHEME) in page
    assert "CONTOH" in page
    assert "Desember 2017" in page
