"""The recovery sheet for the envelope: one A4 page with the post, the code in large type, when it
was issued and what to do if the laptop is lost; always Indonesian; nothing about participants."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rumah_perisai.i18n import speaking
from rumah_perisai.printing.recovery_sheet import CODE_FONT, recovery_sheet_pdf
from rumah_perisai.services.recovery import RecoverySheet

SHEET = RecoverySheet(
    post_code="RP3209A",
    post_name="Rumah Perisai Suranenggala",
    code="7KQ2M-9XD4H-JBZW8-C1PQR-T6YVK",
    issued_at=datetime(2026, 12, 5, 9, 2, tzinfo=UTC),  # 16.02 WIB
    timezone="WIB",
)


def _pages(qapp: Any, pdf: bytes) -> tuple[list[str], list[tuple[float, float]]]:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument

    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    texts = [
        " ".join(document.getAllText(page).text().replace("\ufffe", "-").split())
        for page in range(document.pageCount())
    ]
    sizes = [
        (document.pagePointSize(page).width(), document.pagePointSize(page).height())
        for page in range(document.pageCount())
    ]
    return texts, sizes


def test_the_sheet_is_one_a4_page_in_indonesian_with_the_code_and_what_to_do(qapp: Any) -> None:
    with speaking("en"):  # the screen's language does not matter: the paper is Indonesian
        pdf = recovery_sheet_pdf(SHEET)
    pages, sizes = _pages(qapp, pdf)
    assert len(pages) == 1
    assert sizes[0] == (595.0, 842.0) or abs(sizes[0][0] - 595.3) < 1  # A4 portrait
    text = pages[0]
    assert "7KQ2M-9XD4H-JBZW8-C1PQR-T6YVK" in text
    assert "RP3209A" in text and "Rumah Perisai Suranenggala" in text
    assert "Sabtu 5 Des 2026 pukul 16.02 WIB" in text
    assert "KODE PEMULIHAN" in text
    assert "Pulihkan dari cadangan" in text  # the first-run screen's button, by its name
    assert "kode sekali pakai" in text  # the branch's way when the code is lost too
    assert "cabang" in text and "amplop" in text
    assert "Halaman 1 dari 1" in text


def test_the_code_is_in_large_monospace_type(qapp: Any) -> None:
    pdf = recovery_sheet_pdf(SHEET)
    assert CODE_FONT.encode() in pdf  # Courier: each character as wide as the next
    assert b"/FontName /Courier-Bold" in pdf or b"/BaseFont /Courier-Bold" in pdf


def test_a_demo_post_sheet_says_it_opens_only_made_up_data(qapp: Any) -> None:
    from dataclasses import replace

    pages, _sizes = _pages(qapp, recovery_sheet_pdf(replace(SHEET, is_demo=True)))
    assert len(pages) == 1
    assert "CONTOH" in pages[0]
