"""The printed QR codes are exactly the symbols the ``qrcode`` package makes — the same mask
chosen by the same penalty rules (ISO/IEC 18004) — though built and scored another way
(issue 21)."""

from __future__ import annotations

import random
import string
from datetime import date, timedelta

import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

from rumah_perisai.domain.card_payload import CardPayload, encode_card
from rumah_perisai.domain.receipt_qr import encode_receipt_qr
from rumah_perisai.printing import qr

RANDOM = random.Random(21)
# Fixed keys: Ed25519 signs deterministically, so every run checks the very same texts.
KEYS = [Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32) for seed in range(3)]


def card_text(rng: random.Random) -> str:
    """A card's QR text as the post prints it: post codes of 3 to 12 characters, any number,
    serial and day, signed by one of several posts."""
    post = "".join(
        rng.choice(string.ascii_uppercase + string.digits) for _ in range(rng.randint(3, 12))
    )
    number = f"{post}-{rng.choice([rng.randint(1, 999), rng.randint(1, 2**32 - 1)]):06d}"
    issued = date(2025, 1, 1) + timedelta(days=rng.randint(0, 3000))
    payload = CardPayload(post, number, rng.randint(1, 2**32 - 1), issued)
    return encode_card(payload, rng.choice(KEYS))


def qrcode_symbol(text: str) -> qrcode.QRCode[object]:
    """``qrcode``'s own symbol, made as the cards made it before issue 21."""
    code: qrcode.QRCode[object] = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text, optimize=0)
    code.make(fit=True)
    return code


def same_as_qrcode(text: str) -> None:
    code = qrcode_symbol(text)
    assert qr.qr_modules(text) == [[bool(module) for module in row] for row in code.get_matrix()]


def test_cards_of_every_shape_get_qrcodes_own_symbol_and_mask() -> None:
    chosen = set()
    for text in [card_text(RANDOM) for _ in range(60)]:
        code = qrcode_symbol(text)
        assert qr.qr_modules(text) == [
            [bool(module) for module in row] for row in code.get_matrix()
        ]
        _version, layout, data = qr.placed(text)
        mask = code.best_mask_pattern()
        assert qr.best_mask(layout, data) == mask
        chosen.add(mask)
    assert len(chosen) >= 6  # the choice really varies: a fixed mask would not pass


def test_every_masks_penalty_is_qrcodes_lost_point() -> None:
    """Not only the winner: each of the 8 masks scores what qrcode scores it."""
    for text in [card_text(RANDOM) for _ in range(12)] + ["HELLO WORLD", "x" * 300]:
        code = qrcode_symbol(text)
        _version, layout, data = qr.placed(text)
        for mask in range(8):
            code.makeImpl(True, mask)
            symbol = layout.blank | (data ^ layout.masks[mask])
            assert qr.penalty(layout, symbol) == util.lost_point(code.modules)


@pytest.mark.parametrize("length", [1, 7, 20, 41, 77, 120, 190, 260, 400])
@pytest.mark.parametrize(
    "alphabet",
    [string.digits, string.digits + string.ascii_uppercase + " $%*+-./:", string.printable + "éü—"],
)
def test_numbers_letters_and_bytes_of_many_lengths_and_versions(length: int, alphabet: str) -> None:
    """The three kinds of segment, versions 1 to 16 (7 and up carry version information)."""
    same_as_qrcode("".join(RANDOM.choice(alphabet) for _ in range(length)))


def test_a_receipts_code_is_qrcodes_too() -> None:
    text = encode_receipt_qr("RP3209A-2026-000123", "ab" * 32, KEYS[0])
    same_as_qrcode(text)
    assert qr.qr_modules(text) is not qr.qr_modules(text)  # a fresh list: the caller may change it


def test_a_text_too_long_for_any_qr_code_is_refused() -> None:
    # (qrcode itself trips over its own version check here and raises ValueError.)
    with pytest.raises(qrcode.exceptions.DataOverflowError):
        qr.qr_rows("x" * 2332)  # version 40 at level M holds 2,331 bytes
    assert len(qr.qr_rows("x" * 2331)) == 177
