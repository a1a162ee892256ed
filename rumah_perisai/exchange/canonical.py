"""Canonical JSON: the exact bytes a signature covers, the same on every computer."""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any

# The exchanged files (key files, acknowledgements) are a few levels deep and hold counts and
# sequence numbers: anything deeper or larger is not one of them. The bound on integers is what
# every database column the numbers go into can hold (PostgreSQL's INTEGER).
MAX_DEPTH = 16
MAX_INT = 2**31 - 1


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: two programs writing the same value write the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, length: int | None = None) -> bytes:
    """Base64 text back to bytes; ``ValueError`` for anything else (or the wrong length)."""
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ValueError("not base64 text") from error
    if length is not None and len(data) != length:
        raise ValueError(f"expected {length} bytes, got {len(data)}")
    return data


def load_json(data: bytes) -> Any:
    """The JSON document in ``data``; ``ValueError`` for anything that is not plain, bounded JSON:
    not UTF-8, not JSON, nested deeper than ``MAX_DEPTH``, integers beyond ``MAX_INT``,
    infinities or NaN. A hostile file is then refused as "not JSON" like any damaged one,
    instead of overflowing the parser's stack or a database column later."""
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:  # includes UnicodeDecodeError, digit limits
        raise ValueError("not JSON") from error
    _check_bounds(document)
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _check_bounds(document: Any) -> None:
    # Walked with a list, not by recursion: the check must not itself run out of stack.
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ValueError("nested too deep")
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
        elif not isinstance(value, bool) and _out_of_bounds(value):
            raise ValueError("number too large")


def _out_of_bounds(value: Any) -> bool:
    if isinstance(value, int):
        return abs(value) > MAX_INT
    return isinstance(value, float) and not math.isfinite(value)
