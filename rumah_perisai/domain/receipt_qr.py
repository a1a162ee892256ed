"""What a receipt's QR code says: its number and a digest of it, signed by the post (issue 6).

Anyone holding the post's public key (every post of the branch, the branch itself) can tell a
printed receipt from a forged one offline: the QR text is

    RPR1:<receipt number>:<first 32 hex digits of the receipt's chain hash>:<signature>

upper case, with the Ed25519 signature in Base32 (RFC 4648, no padding) over a context string,
the number and the digest. Every character is in QR's alphanumeric set, so the code stays small
enough for a 58 mm roll. The digest ties the paper to the stored receipt: at the post, the chain
hash of the receipt with that number must start with it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "RPR1"
DIGEST_HEX = 32
SIGNING_CONTEXT = b"rumah-perisai receipt\x00"
_TEXT = re.compile(
    r"RPR1:(?P<number>(?P<post>[A-Z0-9]{3,12})-[0-9]{4}-[0-9]{6,}):(?P<digest>[0-9A-F]{32}):"
    r"(?P<signature>[A-Z2-7]{103})"
)


@dataclass(frozen=True)
class ReceiptQr:
    """What a receipt QR claims; ``genuine`` once its signature was checked against the post."""

    number: str
    post_code: str
    digest: str  # lower-case hex, as chain hashes are stored
    genuine: bool | None  # None: the post's key is not known here


def _signed(number: str, digest: str) -> bytes:
    return SIGNING_CONTEXT + f"{number}\n{digest.lower()}".encode("ascii")


def encode_receipt_qr(number: str, chain_hash: str, key: Ed25519PrivateKey) -> str:
    """The QR text of receipt ``number`` whose stored chain hash is ``chain_hash``."""
    digest = chain_hash[:DIGEST_HEX].lower()
    signature = base64.b32encode(key.sign(_signed(number, digest))).decode("ascii").rstrip("=")
    return f"{PREFIX}:{number}:{digest.upper()}:{signature}"


def read_receipt_qr(text: str, public_keys: Mapping[str, bytes]) -> ReceiptQr | None:
    """The receipt a scanned QR names, its signature checked; None if it is not a receipt QR.

    ``public_keys`` maps post codes to raw 32-byte Ed25519 keys. A receipt QR whose signature
    does not match (altered, or forged) comes back with ``genuine`` False.
    """
    match = _TEXT.fullmatch(text.strip().upper())
    if match is None:
        return None
    number, digest, post = match["number"], match["digest"].lower(), match["post"]
    key = public_keys.get(post)
    if key is None:
        return ReceiptQr(number, post, digest, None)
    try:
        signature = base64.b32decode(match["signature"] + "=")
        Ed25519PublicKey.from_public_bytes(key).verify(signature, _signed(number, digest))
    except (InvalidSignature, binascii.Error, ValueError):
        return ReceiptQr(number, post, digest, False)
    return ReceiptQr(number, post, digest, True)
