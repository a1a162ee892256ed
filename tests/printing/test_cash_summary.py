"""The daily cash summary PDF says what the close holds: per volunteer and every receipt, on as
many pages as it takes, and a demo post's summary says CONTOH."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.printing.cash import daily_summary_pdf
from rumah_perisai.services.cash import close_day, close_document, till
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.volunteers import Actor


def _pdf_text(qapp: Any, pdf: bytes) -> list[str]:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument

    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    # A number wrapped at its hyphen comes back with U+FFFE where the line broke.
    pages = (document.getAllText(page).text() for page in range(document.pageCount()))
    return [" ".join(text.replace("\ufffe", "-").split()) for text in pages]


def _day_of_payments(
    app: App, add_participant: Callable[..., int], actors: list[Actor], count: int
) -> list[int]:
    receipts = []
    for i in range(count):
        start = date(2026, 10, 1)
        history = CoverHistory(Standing.MEMBER, start, date(2027, 1, 31), frozenset())
        who = add_participant(registered_on=start, history=history, name=f"Peserta Nomor {i + 1}")
        total = payment_options(app.db, who).plan(1).total
        receipts.append(take_payment(app.db, who, 1, total, actors[i % len(actors)]).receipt_id)
    return receipts


def test_the_summary_lists_volunteers_and_every_receipt_over_several_pages(
    qapp: Any,
    app: App,
    add_participant: Callable[..., int],
    volunteer: Actor,
    coordinator: Actor,
) -> None:
    receipts = _day_of_payments(app, add_participant, [volunteer, coordinator], 70)
    void_receipt(app.db, receipts[0], "Salah input peserta", coordinator)
    today = till(app.db)
    counted = {line.volunteer_key: line.expected for line in today.lines}
    counted[today.lines[0].volunteer_key] -= 2_000
    close_id = close_day(
        app.db, today.day, counted, coordinator, through_seq=today.through_seq, note="Kurang"
    )
    pages = _pdf_text(qapp, daily_summary_pdf(close_document(app.db, close_id)))
    assert len(pages) >= 2
    first, text = pages[0], " ".join(pages)
    assert "REKAP KAS HARIAN" in first and "RP3209A-T00001" in first
    assert "27 November 2026" in first and "Catatan: Kurang" in first
    # 35 + 35 payments of Rp 16.800, one of Ujang's voided; Dewi counted Rp 2.000 short.
    assert "Rp 588.000" in first and "Rp 571.200" in first and "-Rp 2.000" in first
    assert "Rp 1.176.000" in first and "-Rp 16.800" in first
    for number in ("RP3209A-2026-000001", "RP3209A-2026-000070", "RP3209A-2026-000071"):
        assert number in text
    assert "pembatalan RP3209A-2026-000001" in text
    assert f"Halaman 1 dari {len(pages)}" in first
    assert "Kuitansi dalam rantai pos: 71" in text
    assert "CONTOH" not in text


def test_a_demo_posts_summary_says_contoh(
    qapp: Any,
    app: App,
    add_participant: Callable[..., int],
    volunteer: Actor,
    coordinator: Actor,
) -> None:
    from rumah_perisai.db.models import Post

    with app.db.unit_of_work("cli:test") as session:
        post = session.get(Post, 1)
        assert post is not None
        post.is_demo = True
    _day_of_payments(app, add_participant, [volunteer], 1)
    today = till(app.db)
    close_id = close_day(
        app.db,
        today.day,
        {line.volunteer_key: line.expected for line in today.lines},
        coordinator,
        through_seq=today.through_seq,
    )
    (page,) = _pdf_text(qapp, daily_summary_pdf(close_document(app.db, close_id)))
    assert "CONTOH" in page and "Belum disetor ke bank." in page
