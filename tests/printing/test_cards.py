"""Card PDFs, read back the way a post reads them: rendered (QtPdf), then scanned (zxing-cpp)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageFilter
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from rumah_perisai.domain.card_payload import (
    CardPayload,
    CardStatus,
    decode_card,
    encode_card,
    verify_card,
)
from rumah_perisai.domain.nik import mask_nik
from rumah_perisai.i18n import set_language
from rumah_perisai.keys import public_bytes
from rumah_perisai.printing.cards import (
    CARD_HEIGHT,
    CARD_WIDTH,
    MIN_TEXT_SIZE,
    QR_SIZE,
    card_origin,
    card_pdf,
    sheet_origin,
)
from rumah_perisai.services.cards import CardFace, programmes_text

POST = "RP3209A"
NIK = "3209145709900003"
KEY = Ed25519PrivateKey.generate()
PUBLIC_KEYS = {POST: public_bytes(KEY)}
LONG_NAME = (
    "Raden Roro Siti Nur'aini Wulandari Kusumawardhani Purbaningrum Sastrodiningrat "
    "binti Haji Muhammad Abdurrahman Sosrokartono"
)


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

    def size_mm(self, page: int) -> tuple[float, float]:
        size = self.document.pagePointSize(page)
        return size.width() / mm, size.height() / mm

    def text(self, page: int) -> str:
        return str(self.document.getAllText(page).text())

    def text_boxes(self, page: int) -> Iterator[tuple[float, float, float, float]]:
        """Each text line's left, top, right, bottom in points from the page's top left."""
        for polygon in self.document.getAllText(page).bounds():
            box = polygon.boundingRect()
            yield box.left(), box.top(), box.right(), box.bottom()

    def image(self, page: int, dpi: float) -> Image.Image:
        size = self.document.pagePointSize(page)
        pixels = QSize(round(size.width() / 72 * dpi), round(size.height() / 72 * dpi))
        rendered = self.document.render(page, pixels)  # transparent where nothing is drawn
        paper = QImage(pixels, QImage.Format.Format_RGB888)
        paper.fill(QColor("white"))
        painter = QPainter(paper)
        painter.drawImage(0, 0, rendered)
        painter.end()
        data = bytes(paper.constBits())[: paper.sizeInBytes()]
        return Image.frombytes(
            "RGB", (paper.width(), paper.height()), data, "raw", "RGB", paper.bytesPerLine()
        )


def face(number: int = 123, *, name: str = "Siti Nur'aini", **fields: Any) -> CardFace:
    registration_no = f"{POST}-{number:06d}"
    payload = CardPayload(POST, registration_no, number + 1000, date(2026, 11, 27))
    values: dict[str, Any] = {
        "name": name,
        "registration_no": registration_no,
        "masked_nik": mask_nik(NIK),
        "programmes": programmes_text(jht=True),
        "cover_start": "15 Jan 2026",
        "post_name": "Rumah Perisai Suranenggala",
        "qr_text": encode_card(payload, KEY),
        "serial": number + 1000,
    }
    values.update(fields)
    return CardFace(**values)


def scan(image: Image.Image) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for result in zxingcpp.read_barcodes(image):
        found.setdefault(result.format.name, []).append(result.text)
    return found


@pytest.fixture(autouse=True)
def _qt(qapp: QApplication) -> None:
    """QtPdf renders only with a Qt application running."""


def test_a_single_card_is_a_cr80_page_followed_by_its_back() -> None:
    pdf = Pdf(card_pdf([face()], sheet=False))
    assert pdf.pages == 2
    for page in range(2):
        width, height = pdf.size_mm(page)
        assert width == pytest.approx(85.6, abs=0.01)
        assert height == pytest.approx(54.0, abs=0.01)
    assert Pdf(card_pdf([face()], sheet=False, backs=False)).pages == 1


@pytest.mark.parametrize(("dpi", "blur"), [(300, 0.0), (150, 0.8)])
def test_the_qr_code_and_the_barcode_scan_back(dpi: int, blur: float) -> None:
    """At 300 dpi, and at 150 dpi blurred (a cheap printer, a cheap scanner)."""
    image = Pdf(card_pdf([face()], sheet=False)).image(0, dpi)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    found = scan(image)
    assert found["Code128"] == ["RP3209A-000123"]
    [text] = found["QRCode"]
    check = verify_card(text, PUBLIC_KEYS)
    assert check.status is CardStatus.GENUINE
    assert check.payload == CardPayload(POST, "RP3209A-000123", 1123, date(2026, 11, 27))


def test_the_scanned_text_typed_in_lower_case_still_verifies() -> None:
    [text] = scan(Pdf(card_pdf([face()], sheet=False)).image(0, 300))["QRCode"]
    assert verify_card(text.lower() + "\n", PUBLIC_KEYS).genuine


def test_a_scanned_card_with_one_character_changed_or_of_an_unknown_post() -> None:
    [text] = scan(Pdf(card_pdf([face()], sheet=False)).image(0, 300))["QRCode"]
    position = len(text) - 20  # inside the signature
    altered = text[:position] + ("A" if text[position] != "A" else "B") + text[position + 1 :]
    assert verify_card(altered, PUBLIC_KEYS).status is CardStatus.ALTERED
    other_post = {"RP3171B": public_bytes(KEY)}
    assert verify_card(text, other_post).status is CardStatus.UNKNOWN_POST


def test_the_qr_code_is_at_least_18_mm_and_of_version_6() -> None:
    assert 18 * mm <= QR_SIZE
    image = Pdf(card_pdf([face()], sheet=False)).image(0, 300)
    [qr] = [r for r in zxingcpp.read_barcodes(image) if r.format.name == "QRCode"]
    corners = [qr.position.top_left, qr.position.top_right, qr.position.bottom_right]
    width_px = max(abs(corners[1].x - corners[0].x), abs(corners[2].y - corners[1].y))
    assert width_px / 300 * 25.4 >= 18
    assert qr.ec_level == "M"
    assert qr.extra["Version"] == "6"  # 41 × 41 modules: 0.51 mm each


def test_the_card_content() -> None:
    """The golden text of a card, in English (the source language of the messages)."""
    set_language("en")
    pdf = Pdf(card_pdf([face(kpj="12345678901")], sheet=False))
    assert pdf.text(0).splitlines() == [
        "BPJS Ketenagakerjaan Participant Card",
        "Non-Wage Earners",
        "Siti Nur'aini",
        "Reg. no. RP3209A-000123",
        "KPJ 12345678901",
        "NIK 3209 **** **** 0003",
        "Programmes JKK + JKM + JHT",
        "Cover from 15 Jan 2026",
        "Post Rumah Perisai Suranenggala",
        "Card no. 1123",
    ]
    back = pdf.text(1)
    for code in ("JKK", "JKM", "JHT"):
        assert code in back
    assert "Contact your BPJS Ketenagakerjaan branch office." in back


def test_the_card_never_shows_the_niks_middle_digits() -> None:
    pdf = Pdf(card_pdf([face(demo=True)], sheet=True))
    shown = "".join(pdf.text(0).split())
    assert NIK not in shown
    assert NIK[4:12] not in shown
    assert "3209********0003" in shown
    with pytest.raises(ValueError):
        face(masked_nik=NIK)


def test_a_demo_card_says_contoh_and_a_real_one_does_not() -> None:
    assert "CONTOH" in Pdf(card_pdf([face()], sheet=False, demo=True)).text(0)
    assert "CONTOH" in Pdf(card_pdf([face(demo=True)], sheet=False)).text(1)
    real = Pdf(card_pdf([face()], sheet=False))
    assert "CONTOH" not in real.text(0) + real.text(1)
    # the mark does not spoil the codes
    found = scan(Pdf(card_pdf([face()], sheet=False, demo=True)).image(0, 300))
    assert verify_card(found["QRCode"][0], PUBLIC_KEYS).genuine
    assert found["Code128"] == ["RP3209A-000123"]


@pytest.mark.parametrize("name", [LONG_NAME, "Ni Luh Putu Ayu Kadek Séptiani", "X" * 90])
def test_a_long_name_shrinks_or_wraps_and_stays_on_the_card(name: str) -> None:
    pdf = Pdf(card_pdf([face(name=name, post_name="Rumah Perisai " + "Desa " * 12)], sheet=False))
    width, height = CARD_WIDTH, CARD_HEIGHT
    qr_left = width - 3.5 * mm - QR_SIZE
    qr_top = (2.5 + 10 + 2.2) * mm  # from the top: the edge, the green band, the quiet zone
    beside_qr = 0
    for left, top, right, bottom in pdf.text_boxes(0):
        assert 2.5 * mm <= left and right <= width - 2.5 * mm
        assert 2.5 * mm <= top and bottom <= height - 2.5 * mm
        if left < qr_left and bottom > qr_top and top < qr_top + QR_SIZE:
            beside_qr += 1
            assert right <= qr_left - 2 * mm  # clear of the QR code's quiet zone
        if left < 3.5 * mm + 50 * mm:  # above the barcode (7 mm tall, 3 mm from the bottom)
            assert bottom <= height - 10.5 * mm
    assert beside_qr >= 5
    text = pdf.text(0)
    first_word = name.split()[0]
    assert first_word[:10] in text
    found = scan(pdf.image(0, 300))
    assert verify_card(found["QRCode"][0], PUBLIC_KEYS).genuine
    assert found["Code128"] == ["RP3209A-000123"]


def test_no_text_is_smaller_than_6_5_points(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[float] = []
    set_font = Canvas.setFont

    def recording(self: Canvas, name: str, size: float, leading: float | None = None) -> None:
        sizes.append(size)
        set_font(self, name, size, leading)

    monkeypatch.setattr(Canvas, "setFont", recording)
    cards = [face(name=LONG_NAME, kpj="12345678901", demo=True), face(branch_contact="x " * 80)]
    card_pdf(cards, sheet=False)
    card_pdf(cards, sheet=True)
    assert sizes and min(sizes) >= MIN_TEXT_SIZE


def _dark(image: Image.Image, x_pt: float, y_pt: float, dpi: float) -> bool:
    """Whether the page is dark near (x, y) in points from the bottom left (±1 pixel)."""
    page_height = A4[1]
    x = round(x_pt / 72 * dpi)
    y = round((page_height - y_pt) / 72 * dpi)
    pixels = [image.getpixel((x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    return min(sum(p) / 3 for p in pixels) < 128  # type: ignore[arg-type,misc]


def _crop_marks_at(image: Image.Image, dx: float, dy: float, dpi: float) -> bool:
    left, bottom = sheet_origin()
    left, bottom = left + dx, bottom + dy
    top = bottom + 5 * CARD_HEIGHT
    right = left + 2 * CARD_WIDTH
    marks = [(left + c * CARD_WIDTH, top + 5 * mm) for c in range(3)]
    marks += [(left + c * CARD_WIDTH, bottom - 5 * mm) for c in range(3)]
    marks += [(left - 5 * mm, bottom + r * CARD_HEIGHT) for r in range(6)]
    marks += [(right + 5 * mm, bottom + r * CARD_HEIGHT) for r in range(6)]
    beside = [(x + 1.5 * mm, y + 1.5 * mm) for x, y in marks]
    return all(_dark(image, x, y, dpi) for x, y in marks) and not any(
        _dark(image, x, y, dpi) for x, y in beside
    )


def test_a_sheet_holds_ten_cards_with_crop_marks_then_their_backs() -> None:
    cards = [face(number) for number in range(1, 13)]
    pdf = Pdf(card_pdf(cards, sheet=True))
    assert pdf.pages == 4  # 10 fronts, their backs, 2 fronts, their backs
    for page in range(4):
        assert pdf.size_mm(page) == pytest.approx((210, 297), abs=0.1)
    image = pdf.image(0, 200)
    found = scan(image)
    assert len(found["QRCode"]) == 10
    registration_numbers = {decode_card(text).registration_no for text in found["QRCode"]}
    assert registration_numbers == {f"{POST}-{n:06d}" for n in range(1, 11)}
    assert all(verify_card(text, PUBLIC_KEYS).genuine for text in found["QRCode"])
    assert sorted(found["Code128"]) == sorted(registration_numbers)
    assert _crop_marks_at(image, 0, 0, 200)
    assert _crop_marks_at(pdf.image(1, 200), 0, 0, 200)
    assert len(scan(pdf.image(2, 200))["QRCode"]) == 2
    assert pdf.text(0).count("RP3209A-0000") == 10


def test_backs_sit_behind_their_fronts_when_flipped_on_the_long_edge() -> None:
    for index in range(10):
        front_x, front_y = card_origin(index)
        back_x, back_y = card_origin(index, back=True)
        assert back_y == front_y
        assert back_x + CARD_WIDTH / 2 == pytest.approx(A4[0] - (front_x + CARD_WIDTH / 2))


def test_the_printer_offset_moves_everything() -> None:
    moved = Pdf(card_pdf([face()], sheet=True, offset_mm=(3, 2)))
    image = moved.image(0, 200)
    assert _crop_marks_at(image, 3 * mm, -2 * mm, 200)
    assert not _crop_marks_at(image, 0, 0, 200)
    assert verify_card(scan(image)["QRCode"][0], PUBLIC_KEYS).genuine


def test_nothing_to_print_is_refused() -> None:
    with pytest.raises(ValueError):
        card_pdf([], sheet=True)


def _boxes_from(pdf: Pdf, page: int, left: float, top: float) -> list[tuple[float, ...]]:
    """The page's text lines, in points from (left, top) — a card's top left corner."""
    return [
        (box[0] - left, box[1] - top, box[2] - left, box[3] - top)
        for box in pdf.text_boxes(page)
        if left <= box[0] < left + CARD_WIDTH and top <= box[1] < top + CARD_HEIGHT
    ]


def _same_places(these: list[tuple[float, ...]], those: list[tuple[float, ...]]) -> bool:
    """The same text lines within a point (QtPdf rounds a small page's boxes to whole points)."""
    near = [
        any(all(abs(a - b) <= 1.2 for a, b in zip(x, y, strict=True)) for y in those) for x in these
    ]
    return len(these) == len(those) and all(near)


def test_each_card_on_a_sheet_is_laid_out_as_it_is_alone() -> None:
    """A sheet draws what cards share once (PDF forms, issue 21): each card's text must still
    stand where the same card printed alone has it, whatever lines its name and values take."""
    cards = [
        face(1),
        face(2, kpj="12345678901"),
        face(3, name=LONG_NAME),
        face(4, post_name="Rumah Perisai " + "Desa " * 8),
        face(5),
        face(6, name=LONG_NAME, kpj="12345678901", demo=True),
    ]
    sheet = Pdf(card_pdf(cards, sheet=True, backs=False))
    alone = Pdf(card_pdf(cards, sheet=False, backs=False))
    for index in range(len(cards)):
        left, bottom = card_origin(index)
        on_sheet = _boxes_from(sheet, 0, left, A4[1] - bottom - CARD_HEIGHT)
        assert len(on_sheet) >= 8
        assert _same_places(on_sheet, _boxes_from(alone, index, 0, 0))


def test_the_contoh_mark_on_a_demo_cards_back_is_light_red_and_the_text_shows_through() -> None:
    """ReportLab's forms drop their transparency: the mark on the back printed solid red."""
    for sheet in (False, True):
        image = Pdf(card_pdf([face(demo=True)], sheet=sheet)).image(1, 150)
        found = image.getcolors(maxcolors=1 << 24) or []
        colours = [colour for _count, colour in found if isinstance(colour, tuple)]
        solid = [(r, g, b) for r, g, b in colours if r > 150 and g < 100 and b < 100]
        light = [(r, g, b) for r, g, b in colours if r > 230 and 150 < g < 215 and abs(g - b) < 8]
        assert light and not solid
