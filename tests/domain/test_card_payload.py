"""The card's QR text: compact, signed, readable back through a scanner that types it."""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rumah_perisai.domain.card_payload import (
    PREFIX,
    CardFormatError,
    CardPayload,
    CardStatus,
    barcode_text,
    decode_card,
    encode_card,
    is_card_text,
    signed_bytes,
    verify_card,
)
from rumah_perisai.keys import public_bytes

CARD = CardPayload("RP3209A", "RP3209A-000123", 7, date(2026, 11, 27))


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def text(key: Ed25519PrivateKey) -> str:
    return encode_card(CARD, key)


@pytest.fixture(scope="module")
def keys(key: Ed25519PrivateKey) -> dict[str, bytes]:
    return {"RP3209A": public_bytes(key)}


def test_the_text_is_qr_alphanumeric_and_keyboard_safe(text: str) -> None:
    assert text.startswith(PREFIX)
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    # 1 + 1 + 7 + 10 card bytes and a 64-byte signature, 8 bits in every 5 characters
    assert len(text) == len(PREFIX) + 133 == 136
    assert is_card_text(text)


def test_round_trip(text: str, keys: dict[str, bytes]) -> None:
    assert decode_card(text) == CARD
    assert CARD.participant_number == 123
    check = verify_card(text, keys)
    assert check.status is CardStatus.GENUINE and check.genuine
    assert check.payload == CARD
    assert "RP3209A-000123" in check.message()


def test_the_signed_bytes_are_the_documented_layout() -> None:
    # docs/card-qr-format.md: version, post-code length, post code, number, serial, days
    assert signed_bytes(CARD) == bytes.fromhex("01 07 525033323039 41 0000007b 00000007 2663")


def test_what_a_scanner_types_with_caps_lock_or_extra_whitespace_still_verifies(
    text: str, keys: dict[str, bytes]
) -> None:
    assert verify_card(text.lower(), keys).genuine
    assert verify_card(f"  {text.swapcase()}\r\n", keys).genuine
    assert is_card_text(text.lower())


def test_the_text_holds_no_nik(key: Ed25519PrivateKey) -> None:
    nik = "3171014506880002"  # what the card's printed side shows: 3171********0002
    card = CardPayload("RP3209A", "RP3209A-000001", 1, date(2026, 1, 15))
    raw = base64.b32decode(encode_card(card, key)[len(PREFIX) :] + "===")
    body = raw[:-64]
    assert len(body) == 1 + 1 + 7 + 4 + 4 + 2  # nothing but the documented fields
    for piece in (nik, nik[:4], nik[-4:], nik[4:12]):
        assert piece.encode() not in raw
        assert int(piece).to_bytes(8, "big").lstrip(b"\0") not in body


def test_every_changed_character_is_caught(text: str, keys: dict[str, bytes]) -> None:
    body = len(PREFIX)
    for position in range(body, len(text)):
        replacement = "B" if text[position] != "B" else "C"
        altered = text[:position] + replacement + text[position + 1 :]
        try:
            check = verify_card(altered, keys)
        except CardFormatError as error:
            assert position < body + 2, position  # the characters holding the version byte
            assert error.code == "bad_version"
            continue
        assert not check.genuine, position
        if check.payload is not None and check.payload.post_code != "RP3209A":
            # a changed post code names a post whose key is not known here
            assert check.status is CardStatus.UNKNOWN_POST, position
            assert position < body + (2 + 7) * 8 // 5 + 1, position
        else:
            assert check.status is CardStatus.ALTERED, position


def test_a_change_in_the_spare_bits_of_the_last_character_is_caught(
    text: str, keys: dict[str, bytes]
) -> None:
    # 133 characters carry 665 bits for 664: the last character has one spare bit.
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".index(text[-1])
    altered = text[:-1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[last ^ 1]
    check = verify_card(altered, keys)
    assert check.status is CardStatus.ALTERED and check.payload is None


def test_another_posts_key_or_an_unknown_post(text: str, key: Ed25519PrivateKey) -> None:
    other = public_bytes(Ed25519PrivateKey.generate())
    assert verify_card(text, {"RP3209A": other}).status is CardStatus.ALTERED
    unknown = verify_card(text, {"RP3171B": public_bytes(key)})
    assert unknown.status is CardStatus.UNKNOWN_POST
    assert unknown.payload == CARD
    assert "RP3209A" in unknown.message()


def test_a_card_signed_by_another_key_under_this_posts_code_is_forged(
    keys: dict[str, bytes],
) -> None:
    forged = encode_card(CARD, Ed25519PrivateKey.generate())
    assert decode_card(forged) == CARD
    assert verify_card(forged, keys).status is CardStatus.ALTERED


def test_a_changed_field_with_the_old_signature_is_altered(
    text: str, keys: dict[str, bytes]
) -> None:
    raw = bytearray(base64.b32decode(text[len(PREFIX) :] + "==="))
    raw[2 + 7 + 3] ^= 0x01  # participant 123 -> 122
    altered = PREFIX + base64.b32encode(bytes(raw)).decode().rstrip("=")
    assert decode_card(altered).registration_no == "RP3209A-000122"
    assert verify_card(altered, keys).status is CardStatus.ALTERED


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "not_a_card"),
        ("Siti Aminah", "not_a_card"),
        ("3209140101900001", "not_a_card"),
        ("RP3209A-000123", "not_a_card"),
        ("RPK", "corrupt"),
        ("RPK0189", "corrupt"),
        ("RPKAEDVEUBTGIYDSQ", "corrupt"),
        ("RPKAI" + "A" * 131, "bad_version"),  # version 2
    ],
)
def test_text_that_is_not_a_readable_card(typed: str, code: str) -> None:
    with pytest.raises(CardFormatError) as refused:
        decode_card(typed)
    assert refused.value.code == code
    assert str(refused.value)


def test_verify_reports_a_foreign_text_or_a_newer_format_instead_of_judging_it(
    keys: dict[str, bytes],
) -> None:
    with pytest.raises(CardFormatError) as foreign:
        verify_card("Siti Aminah", keys)
    assert foreign.value.code == "not_a_card"
    assert not is_card_text("Siti Aminah")
    assert not is_card_text("RPK")
    with pytest.raises(CardFormatError) as newer:
        verify_card("RPKAI" + "A" * 131, keys)
    assert newer.value.code == "bad_version"
    assert verify_card("RPKAEDVEUBTGIYDSQ", keys).status is CardStatus.ALTERED


def test_post_codes_of_any_allowed_length_fit_a_version_6_qr(key: Ed25519PrivateKey) -> None:
    for code in ("ABC", "RP3209A", "ABCDEFGHIJ12"):
        card = CardPayload(code, f"{code}-4294967295", 4_294_967_295, date(2179, 6, 6))
        text = encode_card(card, key)
        assert len(text) <= 154  # alphanumeric capacity of a version-6 QR at level M
        assert decode_card(text) == card


@pytest.mark.parametrize(
    "card",
    [
        CardPayload("rp3209a", "rp3209a-000001", 1, date(2026, 1, 1)),
        CardPayload("RP", "RP-000001", 1, date(2026, 1, 1)),
        CardPayload("RP3209A", "RP3171B-000001", 1, date(2026, 1, 1)),
        CardPayload("RP3209A", "RP3209A-0000001", 1, date(2026, 1, 1)),
        CardPayload("RP3209A", "RP3209A-000001", -1, date(2026, 1, 1)),
        CardPayload("RP3209A", "RP3209A-000001", 1, date(1999, 12, 31)),
    ],
)
def test_a_card_that_cannot_be_said_in_the_format_is_refused(
    card: CardPayload, key: Ed25519PrivateKey
) -> None:
    with pytest.raises(ValueError):
        encode_card(card, key)


def test_the_barcode_carries_the_plain_registration_number() -> None:
    assert barcode_text("RP3209A-000123") == "RP3209A-000123"
    assert barcode_text(" rp3209a-000123 ") == "RP3209A-000123"
    with pytest.raises(ValueError):
        barcode_text("3209140101900001")


def test_the_documented_example_is_what_the_code_makes() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "card-qr-format.md").read_text("utf-8")
    [text] = re.findall(r"^RPK[A-Z2-7]+$", doc, flags=re.M)
    [public_hex] = re.findall(r"^[0-9a-f]{64}$", doc, flags=re.M)
    example_key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    assert public_bytes(example_key).hex() == public_hex
    assert encode_card(CARD, example_key) == text
    assert verify_card(text, {"RP3209A": bytes.fromhex(public_hex)}).genuine
    assert signed_bytes(CARD).hex(" ") in doc
