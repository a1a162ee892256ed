"""A receipt's QR text: its number and chain digest, signed by the post, checked offline."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rumah_perisai.domain.receipt_qr import (
    DIGEST_HEX,
    PREFIX,
    ReceiptQr,
    encode_receipt_qr,
    read_receipt_qr,
)
from rumah_perisai.keys import public_bytes

POST = "RP3209A"
NUMBER = "RP3209A-2026-000042"
CHAIN_HASH = hashlib.sha256(b"receipt 42").hexdigest()


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def keys(key: Ed25519PrivateKey) -> dict[str, bytes]:
    return {POST: public_bytes(key)}


@pytest.fixture(scope="module")
def text(key: Ed25519PrivateKey) -> str:
    return encode_receipt_qr(NUMBER, CHAIN_HASH, key)


def test_the_text_reads_back_as_the_genuine_receipt(text: str, keys: dict[str, bytes]) -> None:
    assert read_receipt_qr(text, keys) == ReceiptQr(
        NUMBER, POST, CHAIN_HASH[:DIGEST_HEX], genuine=True
    )


def test_the_text_is_qr_alphanumeric_so_the_code_stays_small(text: str) -> None:
    alphanumeric = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert text.startswith(f"{PREFIX}:{NUMBER}:")
    assert set(text) <= alphanumeric


def _with(text: str, position: int) -> str:
    """``text`` with the character at ``position`` replaced by another valid one."""
    changed = "B" if text[position] == "A" else "A"
    return text[:position] + changed + text[position + 1 :]


def test_an_altered_digest_is_not_genuine(text: str, keys: dict[str, bytes]) -> None:
    digest_start = len(f"{PREFIX}:{NUMBER}:")
    checked = read_receipt_qr(_with(text, digest_start + 5), keys)
    assert checked is not None
    assert checked.number == NUMBER
    assert checked.genuine is False


def test_an_altered_number_is_not_genuine(text: str, keys: dict[str, bytes]) -> None:
    altered = text.replace(NUMBER, "RP3209A-2026-000043")
    checked = read_receipt_qr(altered, keys)
    assert checked is not None
    assert checked.number == "RP3209A-2026-000043"
    assert checked.genuine is False


def test_an_altered_signature_is_not_genuine(text: str, keys: dict[str, bytes]) -> None:
    checked = read_receipt_qr(_with(text, len(text) - 10), keys)
    assert checked is not None and checked.genuine is False


def test_another_posts_key_does_not_verify(text: str) -> None:
    other = {POST: public_bytes(Ed25519PrivateKey.generate())}
    checked = read_receipt_qr(text, other)
    assert checked is not None and checked.genuine is False


def test_a_post_whose_key_is_unknown_gives_no_verdict(text: str) -> None:
    checked = read_receipt_qr(text, {"RP3171B": b"\x00" * 32})
    assert checked == ReceiptQr(NUMBER, POST, CHAIN_HASH[:DIGEST_HEX], genuine=None)


def test_a_scanner_typing_lower_case_and_a_newline_is_accepted(
    text: str, keys: dict[str, bytes]
) -> None:
    checked = read_receipt_qr(f"  {text.lower()}\n", keys)
    assert checked is not None and checked.genuine is True
    assert checked.number == NUMBER


@pytest.mark.parametrize(
    "other",
    [
        "",
        "hello",
        "RPC1:RP3209A:whatever",  # not a receipt
        f"RPR1:{NUMBER}",  # cut short
        f"RPR1:{NUMBER}:{'0' * 32}:{'A' * 102}",  # a signature one character short
        f"RPR2:{NUMBER}:{'0' * 32}:{'A' * 103}",  # an unknown version
        f"RPR1:RP3209A-26-000042:{'0' * 32}:{'A' * 103}",  # a year of two digits
    ],
)
def test_text_that_is_not_a_receipt_qr_gives_none(other: str, keys: dict[str, bytes]) -> None:
    assert read_receipt_qr(other, keys) is None
