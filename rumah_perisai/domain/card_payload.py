"""What a membership card's QR code says, signed with the post's Ed25519 key (issue 5).

Any post or the branch checks a card offline: the QR text names the post, the participant's
registration number, the card serial and the issue date, and carries the post's signature over
them. It holds no NIK and nothing derived from one: a hash of a NIK whose first and last four digits
are printed on the card leaves 8 digits to guess, a moment's work.

The text is ``RPK`` followed by the bytes in Base32 (RFC 4648, upper case, no padding). Letters
and the digits 2-7 only, so it is a single QR *alphanumeric* segment and nothing a USB scanner
types through a keyboard layout can turn into another character: Caps Lock gives lower case, which
:func:`decode_card` accepts. The byte layout is in ``docs/card-qr-format.md``.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from rumah_perisai.domain.errors import RuleError
from rumah_perisai.i18n import N_, tr

PREFIX = "RPK"  # Rumah Perisai Kartu; letters only, so it survives any keyboard wedge
VERSION = 1
# Signed before the card bytes but never stored: a signature over a card cannot be passed off as
# one over a receipt or a batch, which the same post key signs.
SIGNING_CONTEXT = b"rumah-perisai card\x00"
DAY_ZERO = date(2000, 1, 1)  # issue dates are days since this day, in two bytes (to 2179)
SIGNATURE_SIZE = 64
MAX_NUMBER = 0xFFFFFFFF

_POST_CODE = re.compile(r"[A-Z0-9]{3,12}")
_REGISTRATION_NO = re.compile(r"(?P<post>[A-Z0-9]{3,12})-(?P<number>[0-9]{6,10})")
_FIXED = struct.Struct(">IIH")  # participant number, card serial, issue day
_BASE32_TEXT = re.compile(r"[A-Z2-7]+")
# version, post-code length, shortest post code, the fixed fields, the signature
_MIN_SIZE = 1 + 1 + 3 + _FIXED.size + SIGNATURE_SIZE

_MESSAGES = {
    "not_a_card": N_("This is not the QR code of a Rumah Perisai card."),
    "bad_version": N_(
        "This card's code has format {version}, which this program does not know: "
        "it was made by a newer Rumah Perisai, or altered."
    ),
    "corrupt": N_("This card's code is damaged or altered: it cannot be read."),
}


class CardFormatError(RuleError):
    """QR text that cannot be read as a card: ``not_a_card``, ``bad_version`` or ``corrupt``."""

    def __init__(self, code: str, **details: str) -> None:
        super().__init__(code, tr(_MESSAGES[code], **details))
        self.details = details  # e.g. the unknown format's ``version``, to say it again later


@dataclass(frozen=True)
class CardPayload:
    """What a card's QR code states. ``registration_no`` is ``<post_code>-<number:06d>``."""

    post_code: str
    registration_no: str
    serial: int
    issued_on: date

    @property
    def participant_number(self) -> int:
        """The number part of the registration number (the participant's number at the post)."""
        return _participant_number(self.post_code, self.registration_no)


class CardStatus(StrEnum):
    GENUINE = "genuine"  # signed by the key we know for its post
    UNKNOWN_POST = "unknown_post"  # well formed, but we do not (yet) know that post's key
    ALTERED = "altered"  # forged or altered: the signature fails, or the bytes make no sense


_STATUS_MESSAGES = {
    CardStatus.GENUINE: N_("Genuine card {serial} of {registration_no}, issued by post {post}."),
    CardStatus.UNKNOWN_POST: N_(
        "Card of post {post}, whose key this computer does not have yet: it cannot be checked."
    ),
    CardStatus.ALTERED: N_("This card is forged or altered: its signature does not match."),
}


@dataclass(frozen=True)
class CardCheck:
    """The verdict on a scanned card. ``payload`` is what the code claims (None if unreadable);
    only a GENUINE check makes it trustworthy. Whether the card was since replaced is a question
    for the post's records, not for the code."""

    status: CardStatus
    payload: CardPayload | None

    @property
    def genuine(self) -> bool:
        return self.status is CardStatus.GENUINE

    def message(self) -> str:
        if self.payload is None:
            return tr(_MESSAGES["corrupt"])
        return tr(
            _STATUS_MESSAGES[self.status],
            serial=str(self.payload.serial),
            registration_no=self.payload.registration_no,
            post=self.payload.post_code,
        )


def barcode_text(registration_no: str) -> str:
    """The registration number as the card's Code128 barcode carries it: exactly as printed.

    Upper-case letters, digits and one hyphen, so a scanner types it back unchanged and the search
    box finds the participant by it (a 1-D barcode is too small to carry the signature).
    """
    text = registration_no.strip().upper()
    if not _REGISTRATION_NO.fullmatch(text):
        raise ValueError(f"not a registration number: {registration_no!r}")
    return text


def normalize_card_text(text: str) -> str:
    """What a scanner typed, as the card printed it: no surrounding whitespace, upper case."""
    return "".join(text.split()).upper()


def is_card_text(text: str) -> bool:
    """Whether ``text`` (e.g. typed into the search box by a scanner) looks like a card's QR code.

    True for anything with the card prefix and a Base32 body long enough to hold a card, even if
    altered: the search box then reports on the card instead of searching for the text.
    """
    normal = normalize_card_text(text)
    body = normal[len(PREFIX) :]
    return (
        normal.startswith(PREFIX)
        and len(body) * 5 // 8 >= _MIN_SIZE
        and _BASE32_TEXT.fullmatch(body) is not None
    )


def signed_bytes(payload: CardPayload) -> bytes:
    """The card bytes the signature follows (version byte first), see docs/card-qr-format.md."""
    code = payload.post_code
    if not _POST_CODE.fullmatch(code):
        raise ValueError(f"a post code is 3-12 capital letters or digits: {code!r}")
    number = _participant_number(code, payload.registration_no)
    if not 0 <= payload.serial <= MAX_NUMBER or number > MAX_NUMBER:
        raise ValueError("the card serial and participant number must fit in 32 bits")
    days = (payload.issued_on - DAY_ZERO).days
    if not 0 <= days <= 0xFFFF:
        raise ValueError(f"issue date out of range: {payload.issued_on}")
    head = bytes([VERSION, len(code)]) + code.encode("ascii")
    return head + _FIXED.pack(number, payload.serial, days)


def encode_card(payload: CardPayload, private_key: Ed25519PrivateKey) -> str:
    """The QR text of a card: ``RPK`` + Base32 of the card bytes and their signature."""
    body = signed_bytes(payload)
    signature = private_key.sign(SIGNING_CONTEXT + body)
    return PREFIX + _b32(body + signature)


def decode_card(text: str) -> CardPayload:
    """What a card's QR text claims, without checking the signature (see :func:`verify_card`).

    Accepts lower case and surrounding whitespace (a scanner with Caps Lock on); raises
    :class:`CardFormatError` ``not_a_card``, ``bad_version`` or ``corrupt``.
    """
    payload, _body, _signature = _split(text)
    return payload


def verify_card(text: str, public_keys: Mapping[str, bytes]) -> CardCheck:
    """Check a card's QR text against the known posts' keys (post code → raw 32-byte key).

    Text that is not a card, or a card format this program does not know, raises
    :class:`CardFormatError`; a card whose bytes are damaged, or whose signature does not match,
    is ALTERED; a card of a post whose key is not known is UNKNOWN_POST.
    """
    try:
        payload, body, signature = _split(text)
    except CardFormatError as error:
        if error.code == "corrupt":
            return CardCheck(CardStatus.ALTERED, None)
        raise
    key = public_keys.get(payload.post_code)
    if key is None:
        return CardCheck(CardStatus.UNKNOWN_POST, payload)
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, SIGNING_CONTEXT + body)
    except InvalidSignature:
        return CardCheck(CardStatus.ALTERED, payload)
    return CardCheck(CardStatus.GENUINE, payload)


def _participant_number(post_code: str, registration_no: str) -> int:
    match = _REGISTRATION_NO.fullmatch(registration_no)
    if match is None or match["post"] != post_code:
        raise ValueError(f"{registration_no!r} is not a registration number of post {post_code}")
    number = int(match["number"])
    if registration_no != f"{post_code}-{number:06d}":  # the card could not say it back as is
        raise ValueError(f"{registration_no!r} is not written as <post>-<number:06d>")
    return number


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _split(text: str) -> tuple[CardPayload, bytes, bytes]:
    normal = normalize_card_text(text)
    if not normal.startswith(PREFIX):
        raise CardFormatError("not_a_card")
    body_text = normal[len(PREFIX) :]
    if not _BASE32_TEXT.fullmatch(body_text):
        raise CardFormatError("corrupt")
    try:
        data = base64.b32decode(body_text + "=" * (-len(body_text) % 8))
    except binascii.Error:
        raise CardFormatError("corrupt") from None
    # Base32 leaves a few spare bits in the last character: a text that differs there decodes
    # to the same bytes, and must not pass as the card that was printed.
    if _b32(data) != body_text:
        raise CardFormatError("corrupt")
    if data[0] != VERSION:
        raise CardFormatError("bad_version", version=str(data[0]))
    return _parse_v1(data)


def _parse_v1(data: bytes) -> tuple[CardPayload, bytes, bytes]:
    if len(data) < _MIN_SIZE:
        raise CardFormatError("corrupt")
    length = data[1]
    end = 2 + length + _FIXED.size
    if len(data) != end + SIGNATURE_SIZE:
        raise CardFormatError("corrupt")
    code = data[2 : 2 + length].decode("ascii", errors="replace")
    if not _POST_CODE.fullmatch(code):
        raise CardFormatError("corrupt")
    number, serial, days = _FIXED.unpack(data[2 + length : end])
    payload = CardPayload(
        post_code=code,
        registration_no=f"{code}-{number:06d}",
        serial=serial,
        issued_on=DAY_ZERO + timedelta(days=days),
    )
    return payload, data[:end], data[end:]
