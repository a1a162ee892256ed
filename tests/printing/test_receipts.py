"""Receipt PDFs made from real payments and voids, read back as a post reads them: the text
(QtPdf), the QR codes (rendered, then scanned) and where everything sits on the paper.

The texts are checked against golden files in ``golden/``; after a deliberate change, rewrite
them with ``UPDATE_GOLDEN=1 .venv/bin/pytest tests/printing/test_receipts.py`` and read the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from rumah_perisai.app import App
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.domain.receipt_qr import read_receipt_qr
from rumah_perisai.keys import load_post_key, public_bytes
from rumah_perisai.printing.receipts import (
    LAYOUT_A5,
    LAYOUT_THERMAL,
    LAYOUTS,
    MIN_TEXT_SIZE,
    receipt_pdf,
    thermal_qr_size,
)
from rumah_perisai.services.dues import (
    ReceiptDoc,
    find_receipt,
    payment_options,
    receipt_document,
    take_payment,
    void_receipt,
)
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor

GOLDEN = Path(__file__).resolve().parent / "golden"
LONG_NAME = (
    "Raden Roro Siti Nur'aini Wulandari Kusumawardhani Purbaningrum Sastrodiningrat binti "
    "Haji Muhammad Abdurrahman"
)[:100]
AddParticipant = Callable[..., int]


class Pdf:
    """A PDF opened with QtPdf; keeps the bytes and buffer alive as long as the document."""

    def __init__(self, data: bytes) -> None:
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument()
        self.document.load(self._buffer)
        assert self.document.status() == QPdfDocument.Status.Ready

    @property
    def pages(self) -> int:
        return int(self.document.pageCount())

    def size(self, page: int = 0) -> tuple[float, float]:
        """The page's width and height in points."""
        size = self.document.pagePointSize(page)
        return size.width(), size.height()

    def text(self, page: int = 0) -> str:
        return str(self.document.getAllText(page).text())

    def words(self, page: int = 0) -> str:
        """The text with all runs of white space made one space: lines broken elsewhere (a
        narrower font) read the same."""
        return " ".join(self.text(page).split())

    def text_boxes(self, page: int = 0) -> Iterator[tuple[float, float, float, float]]:
        """Each text line's left, top, right, bottom in points from the page's top left."""
        for polygon in self.document.getAllText(page).bounds():
            box = polygon.boundingRect()
            yield box.left(), box.top(), box.right(), box.bottom()


@pytest.fixture(autouse=True)
def _qt(qapp: QApplication) -> None:
    """QtPdf renders only with a Qt application running."""


@pytest.fixture
def member(add_participant: AddParticipant) -> Callable[..., int]:
    """A participant who can pay: registered 1 Oct 2026 (the clock says 27 Nov 2026)."""

    def add(**fields: object) -> int:
        history = CoverHistory(Standing.MEMBER, date(2026, 10, 1), date(2027, 1, 31), frozenset())
        values: dict[str, object] = {
            "name": "Siti Nur'aini",
            "registered_on": date(2026, 10, 1),
            "history": history,
        }
        values.update(fields)
        return add_participant(**values)

    return add


def pay(app: App, actor: Actor, participant_id: int, months: int, cash: int = 0) -> ReceiptDoc:
    """Take a payment of ``months`` months (cash: the total rounded up to Rp 50.000, unless
    given) and return its receipt as it prints."""
    total = payment_options(app.db, participant_id).plan(months).total
    paid = take_payment(app.db, participant_id, months, cash or -(-total // 50_000) * 50_000, actor)
    return receipt_document(app.db, app.folder.keys, paid.receipt_id)


@pytest.fixture
def payment(app: App, volunteer: Actor, member: Callable[..., int]) -> ReceiptDoc:
    """Three months for Rp 50.400, paid with Rp 60.000, on 27 Nov 2026 09.30 WIB."""
    return pay(app, volunteer, member(), 3, 60_000)


def golden(name: str, pdf: Pdf, doc: ReceiptDoc) -> None:
    """The PDF's text, line by line, against ``golden/<name>.txt`` (the chain hash, which
    changes with the database's ids and keys, written as <hash>)."""
    lines = [" ".join(line.split()) for line in pdf.text().splitlines()]
    text = "\n".join(line for line in lines if line).replace(doc.chain_hash[:16], "<hash>")
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert " ".join(text.split()) == " ".join(expected.split())


def check_inside(pdf: Pdf, *, cut_at: float | None = None) -> None:
    """No text line leaves the page (nor, on the A5 sheet, crosses the cut line)."""
    width, height = pdf.size()
    boxes = list(pdf.text_boxes())
    assert boxes
    for left, top, right, bottom in boxes:
        assert left >= 0 and right <= width
        assert top >= 0 and bottom <= height
    if cut_at is not None:
        crossing = [box for box in boxes if box[1] < cut_at < box[3]]
        assert len(crossing) == 1  # "potong di sini", on the line in the middle
        [(left, _top, right, _bottom)] = crossing
        assert left > width / 3 and right < 2 * width / 3


def verify(app: App, post: PostSummary, text: str) -> tuple[bool | None, str]:
    key = public_bytes(load_post_key(app.folder.keys))
    checked = read_receipt_qr(text, {post.code: key})
    assert checked is not None
    return checked.genuine, checked.number


# --- the text --------------------------------------------------------------------------------


def test_the_a5_receipt_reads_as_its_golden_file(payment: ReceiptDoc) -> None:
    pdf = Pdf(receipt_pdf(payment, LAYOUT_A5))
    golden("receipt_a5_payment", pdf, payment)


def test_the_thermal_receipt_reads_as_its_golden_file(payment: ReceiptDoc) -> None:
    pdf = Pdf(receipt_pdf(payment, LAYOUT_THERMAL))
    golden("receipt_thermal58_payment", pdf, payment)


def test_a5_is_one_a4_page_of_two_complete_halves(payment: ReceiptDoc) -> None:
    pdf = Pdf(receipt_pdf(payment, LAYOUT_A5))
    assert pdf.pages == 1
    assert pdf.size() == pytest.approx(A4, abs=0.1)
    text = pdf.words()
    participant, _, post = text.partition("LEMBAR POS")  # the halves are drawn top first
    assert "LEMBAR PESERTA" in participant
    for half in (participant, post):
        for part in ("TANDA BUKTI PENERIMAAN IURAN", payment.number, "Siti Nur'aini",
                     "Rp 50.400", "Terbilang: lima puluh ribu", "Petugas"):  # fmt: skip
            assert part in half
    check_inside(pdf, cut_at=A4[1] / 2)


def test_the_receipt_says_everything_a_payment_needs(payment: ReceiptDoc) -> None:
    for layout in LAYOUTS:
        text = Pdf(receipt_pdf(payment, layout)).words()
        for part in (
            "TANDA BUKTI PENERIMAAN IURAN",
            "BPJS Ketenagakerjaan — Bukan Penerima Upah",
            "Rumah Perisai Suranenggala",
            "RP3209A",
            "Kabupaten Cirebon",
            "Koperasi Mitra Nelayan",
            "RP3209A-2026-000001",
            "27 November 2026 09.30 WIB",
            "RP3209A-000001",
            "KPJ belum ada",
            "3209 **** **** 0001",
            "Februari – April 2027 (3 bulan)",
            "JKK Kecelakaan Kerja Rp 30.000",
            "JKM Kematian Rp 20.400",
            "TOTAL Rp 50.400",
            "Terbilang: lima puluh ribu empat ratus rupiah",
            "Uang diterima Rp 60.000",
            "Kembalian Rp 9.600",
            "Ujang Hidayat",
            f"Hash: {payment.chain_hash[:16]}",
        ):
            assert part in text, (layout, part)
        assert "JHT" not in text  # no JHT row without JHT
        assert "SALINAN" not in text and "CONTOH" not in text and "DIBATALKAN" not in text


def test_the_thermal_receipt_is_58_mm_wide_and_one_page(payment: ReceiptDoc) -> None:
    pdf = Pdf(receipt_pdf(payment, LAYOUT_THERMAL))
    assert pdf.pages == 1
    width, height = pdf.size()
    assert width == pytest.approx(58 * mm, abs=0.1)
    assert 120 * mm < height < 300 * mm
    for left, _top, right, _bottom in pdf.text_boxes():
        assert 5 * mm - 1 <= left and right <= 53 * mm + 1  # inside the printable 48 mm
    check_inside(pdf)


def test_an_unknown_layout_is_refused(payment: ReceiptDoc) -> None:
    with pytest.raises(ValueError):
        receipt_pdf(payment, "letter")


# --- the QR code --------------------------------------------------------------------------------


def test_the_qr_code_scans_and_verifies(
    app: App, post: PostSummary, payment: ReceiptDoc, read_codes: Callable[[bytes], list[str]]
) -> None:
    """A5: the same code on both halves; the roll: once."""
    for layout, count in ((LAYOUT_A5, 2), (LAYOUT_THERMAL, 1)):
        codes = read_codes(receipt_pdf(payment, layout))
        assert codes == [payment.qr_text] * count
        assert verify(app, post, codes[0]) == (True, payment.number)


def test_the_thermal_qr_code_is_at_least_28_mm_in_whole_printer_dots(payment: ReceiptDoc) -> None:
    size = thermal_qr_size(payment.qr_text)
    assert 28 * mm <= size <= 40 * mm
    dot = 25.4 / 203 * mm
    modules = 45  # version 7 at level M holds the 161 characters
    assert size / modules / dot == pytest.approx(round(size / modules / dot))


def test_marks_do_not_spoil_the_qr_code(
    app: App, post: PostSummary, payment: ReceiptDoc, read_codes: Callable[[bytes], list[str]]
) -> None:
    demo = replace(payment, is_demo=True, voided_by="RP3209A-2026-000002")
    for layout in LAYOUTS:
        [code, *_] = read_codes(receipt_pdf(demo, layout, copy=True))
        assert verify(app, post, code) == (True, payment.number)


# --- marks --------------------------------------------------------------------------------------


def test_a_reprint_says_salinan(payment: ReceiptDoc) -> None:
    for layout in LAYOUTS:
        text = Pdf(receipt_pdf(payment, layout, copy=True)).text()
        assert text.count("SALINAN") >= 2  # beside the title and across the paper
        assert "CONTOH" not in text


def test_a_demo_posts_receipt_says_contoh(payment: ReceiptDoc) -> None:
    demo = replace(payment, is_demo=True)
    for layout in LAYOUTS:
        text = Pdf(receipt_pdf(demo, layout)).words()
        assert "CONTOH — bukan kuitansi sah" in text
        assert text.count("CONTOH") >= 2
        assert "SALINAN" not in text
        both = Pdf(receipt_pdf(demo, layout, copy=True)).words()
        assert "SALINAN" in both and "CONTOH — bukan kuitansi sah" in both


def test_a_void_says_what_it_cancels_and_why(
    app: App, post: PostSummary, payment: ReceiptDoc, coordinator: Actor
) -> None:
    payment_id = find_receipt(app.db, payment.number)
    voided = void_receipt(app.db, payment_id, "Salah nominal", coordinator)
    doc = receipt_document(app.db, app.folder.keys, voided.receipt_id)
    for layout in LAYOUTS:
        pdf = Pdf(receipt_pdf(doc, layout))
        text = pdf.words()
        assert "PEMBATALAN KUITANSI" in text
        assert f"Membatalkan {payment.number}" in text
        assert "Alasan Salah nominal" in text
        assert "JUMLAH DIKEMBALIKAN Rp 50.400" in text
        assert "Terbilang: lima puluh ribu empat ratus rupiah" in text
        assert "Uang diterima" not in text and "Kembalian" not in text
        assert "Dewi Lestari" in text  # the coordinator who voided it
        check_inside(pdf, cut_at=A4[1] / 2 if layout == LAYOUT_A5 else None)
    reprint = receipt_document(app.db, app.folder.keys, payment_id)
    for layout in LAYOUTS:
        text = Pdf(receipt_pdf(reprint, layout, copy=True)).words()
        assert f"DIBATALKAN oleh {voided.number}" in text


def test_a_void_on_another_day_is_a_refund(
    app: App, payment: ReceiptDoc, coordinator: Actor, clock: Any
) -> None:
    clock.advance(days=1)
    voided = void_receipt(app.db, find_receipt(app.db, payment.number), "Dobel bayar", coordinator)
    doc = receipt_document(app.db, app.folder.keys, voided.receipt_id)
    assert doc.refund
    text = Pdf(receipt_pdf(doc, LAYOUT_THERMAL)).words()
    assert "PENGEMBALIAN IURAN" in text and "Alasan Dobel bayar" in text


# --- long receipts and long names ----------------------------------------------------------------


def test_twelve_months_with_jht_fit(
    app: App, volunteer: Actor, member: Callable[..., int], payment: ReceiptDoc
) -> None:
    doc = pay(app, volunteer, member(with_jht=True, name="Ahmad Fauzi"), 12)
    assert len(doc.lines) == 12 and doc.jht > 0
    short = Pdf(receipt_pdf(payment, LAYOUT_THERMAL))
    for layout in LAYOUTS:
        pdf = Pdf(receipt_pdf(doc, layout))
        text = pdf.words()
        assert "JHT Hari Tua Rp 240.000" in text
        assert "(12 bulan)" in text and "Terbilang:" in text
        for month in ("Februari 2027", "Desember 2027", "Januari 2028"):
            assert f"{month} Rp 36.800" in text
        check_inside(pdf, cut_at=A4[1] / 2 if layout == LAYOUT_A5 else None)
    taller = Pdf(receipt_pdf(doc, LAYOUT_THERMAL))
    assert taller.size()[1] > short.size()[1] + 9 * 3 * mm  # nine more month lines


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_long_name_shrinks_or_wraps_and_stays_on_the_paper(
    app: App, volunteer: Actor, member: Callable[..., int], layout: str
) -> None:
    assert len(LONG_NAME) == 100
    doc = pay(app, volunteer, member(name=LONG_NAME, kpj="12345678901"), 12)
    worst = replace(
        doc,
        post_name="Rumah Perisai " + "Desa Sukamaju " * 6,
        wadah="Koperasi " + "Serba Usaha " * 8,
        is_demo=True,
        voided_by="RP3209A-2026-000099",
    )
    pdf = Pdf(receipt_pdf(worst, layout, copy=True))
    check_inside(pdf, cut_at=A4[1] / 2 if layout == LAYOUT_A5 else None)
    text = pdf.words()
    assert "Raden Roro Siti Nur'aini" in text
    assert doc.number in text and "Terbilang:" in text and "Petugas" in text


def test_no_text_is_smaller_than_7_points(
    monkeypatch: pytest.MonkeyPatch,
    app: App,
    volunteer: Actor,
    member: Callable[..., int],
    coordinator: Actor,
) -> None:
    sizes: list[float] = []
    set_font = Canvas.setFont

    def recording(self: Canvas, name: str, size: float, leading: float | None = None) -> None:
        sizes.append(size)
        set_font(self, name, size, leading)

    monkeypatch.setattr(Canvas, "setFont", recording)
    doc = pay(app, volunteer, member(name=LONG_NAME, with_jht=True), 12)
    voided = void_receipt(
        app.db, find_receipt(app.db, doc.number), "sangat panjang " * 30, coordinator
    )
    void = receipt_document(app.db, app.folder.keys, voided.receipt_id)
    for layout in LAYOUTS:
        for each in (replace(doc, is_demo=True, voided_by=voided.number), void):
            receipt_pdf(each, layout, copy=True)
    assert sizes and min(sizes) >= MIN_TEXT_SIZE
