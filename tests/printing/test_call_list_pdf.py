"""The call list on paper: everyone to call with their phone number, over as many landscape
pages as it takes, with the last call's outcome; always Indonesian."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.i18n import speaking, tr
from rumah_perisai.printing.call_list import call_list_pdf
from rumah_perisai.services.call_list import call_list, record_call
from rumah_perisai.services.volunteers import Actor

TODAY = date(2026, 11, 27)


def _pdf_pages(qapp: Any, pdf: bytes) -> tuple[list[str], list[tuple[float, float]]]:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument

    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    pages = (document.getAllText(page).text() for page in range(document.pageCount()))
    texts = [" ".join(text.replace("\ufffe", "-").split()) for text in pages]
    sizes = [
        (document.pagePointSize(page).width(), document.pagePointSize(page).height())
        for page in range(document.pageCount())
    ]
    return texts, sizes


def test_the_paper_lists_every_name_and_phone_over_several_landscape_pages(
    qapp: Any, app: App, add_participant: Callable[..., int], volunteer: Actor
) -> None:
    ids = []
    for i in range(40):
        start = date(2026, 8, 10) if i % 2 else date(2026, 6, 10)  # ends 30 Nov / in arrears
        end = date(2026, 11, 30) if i % 2 else date(2026, 9, 30)
        history = CoverHistory(Standing.MEMBER, start, end, frozenset())
        phone = None if i == 7 else f"0812000{i:05d}"
        ids.append(
            add_participant(
                registered_on=start, history=history, name=f"Peserta Nomor {i + 1}", phone=phone
            )
        )
    record_call(app.db, ids[0], "promised", volunteer)
    rows = call_list(app.db, TODAY)
    assert len(rows) == 40
    with speaking("en"):  # the screen's language does not matter
        pages, sizes = _pdf_pages(qapp, call_list_pdf(rows, "Rumah Perisai Suranenggala", TODAY))
    assert len(pages) >= 2
    assert all(width > height for width, height in sizes)  # landscape
    text = " ".join(pages)
    for i in range(40):
        assert f"Peserta Nomor {i + 1} " in text
        if i != 7:
            assert f"0812000{i:05d}" in text
    for row in rows:
        assert row.registration_no in text
    with speaking("id"):
        assert tr("Call outcome") in pages[0] and tr("Call outcome") in pages[1]  # repeated
        assert tr("Promised to pay") in text and tr("no phone") in text
        assert tr("Page {page} of {pages}", page=1, pages=len(pages)) in pages[0]
    assert "Rumah Perisai Suranenggala" in pages[0] and "27 November 2026" in pages[0]
    assert "30 Sep 2026" in text and "31 Des 2026" in text  # cover end, pay by (arrears)


def test_an_empty_list_still_prints(qapp: Any) -> None:
    pages, _sizes = _pdf_pages(qapp, call_list_pdf([], "Rumah Perisai Suranenggala", TODAY))
    with speaking("id"):
        assert len(pages) == 1 and tr("Nobody to call.") in pages[0]
