"""Canonical JSON: the exact bytes a signature covers, the same on every computer."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring  # the C one where there is one
from typing import Any

# The exchanged files (key files, acknowledgements) are a few levels deep and hold counts and
# sequence numbers: anything deeper or larger is not one of them. The bound on integers is what
# every database column the numbers go into can hold (PostgreSQL's INTEGER).
MAX_DEPTH = 16
MAX_INT = 2**31 - 1


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: two programs writing the same value write the same bytes.

    The very bytes of ``json.dumps(value, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)``, with a list of plain words (an acknowledgement's ~20,000 NIK prefixes
    a week, signed) written by one join: the standard library's encoder took ~5 ms a week's ACK
    for them, on the import's process (``_words``)."""
    return _compact(value).encode()


def _compact(value: Any) -> str:
    if type(value) is Fixed:
        return value.text("", _compact)
    if isinstance(value, dict) and value and all(type(key) is str for key in value):
        return "{" + ",".join(
            encode_basestring(key) + ":" + _compact(item) for key, item in sorted(value.items())
        ) + "}"  # fmt: skip
    if isinstance(value, list | tuple) and value:
        if (words := _words(value, '","')) is not None:
            return "[" + words + "]"
        if any(type(item) is Fixed for item in value):  # each entry's text kept: joined
            return "[" + ",".join(map(_compact, value)) + "]"
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _words(value: list[Any] | tuple[Any, ...], between: str) -> str | None:
    """A list of text that JSON writes as is between quotes (printable ASCII but the quote and
    the backslash: NIK prefixes are hex), written by one join with ``between`` (the closing
    quote, the separator, the opening quote) between items; None for any other list. Checked on
    the items joined, in C: a look at each item in Python cost more than the join."""
    try:
        joined = "".join(value)
    except TypeError:  # not all text
        return None
    # Only text joins, so no number slips through; an empty item hides in the join: looked for
    # apart (``json`` writes it ``""`` too, but an empty list would then pass as one word).
    if not joined.isascii() or joined.encode("ascii").translate(None, _AS_IS) or "" in value:
        return None
    return '"' + between.join(value) + '"'


# The characters JSON writes as they are inside quotes (what ``translate`` deletes).
_AS_IS = bytes(c for c in range(0x20, 0x7F) if chr(c) not in '"\\')


def indented_json(value: Any) -> str:
    """The very text of ``json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)``
    (how an acknowledgement is written, for people to read), built with joins: the standard
    library writes indented JSON in pure Python, a generator step per value, and a first
    acknowledgement's hundred thousand prefixes took 0.2–0.4 s each. Anything but plain JSON
    values with text keys is left to the standard library."""
    try:
        return _indented(value, "\n")
    except _Unusual:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)


class Fixed(dict[str, Any]):
    """A JSON object made once and only read after, its texts kept once written: an entry
    listed again and again (a post's entry, in every ACK of a run: 400 entries an ACK, ~4 ms of
    writing them each time). Its own keys cannot be changed; what it holds must not be either."""

    __slots__ = ("_texts",)

    def __init__(self, value: dict[str, Any]) -> None:
        super().__init__(value)
        self._texts: dict[str, str] = {}

    def text(self, depth: str, write: Callable[[dict[str, Any]], str]) -> str:
        """Its text at ``depth`` ("": compact), written by ``write`` the first time (given
        as a plain object)."""
        found = self._texts.get(depth)
        if found is None:
            found = self._texts[depth] = write(dict(self))
        return found

    def __reduce__(self) -> tuple[type[Fixed], tuple[dict[str, Any]]]:
        """Copied and pickled as made: from its items (not item by item, which it refuses)."""
        return (Fixed, (dict(self),))

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a Fixed JSON object is never changed")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _refuse
    __ior__ = _refuse


class _Unusual(Exception):
    """A value ``_indented`` leaves to the standard library."""


def _indented(value: Any, newline: str) -> str:
    """``value`` at the depth ``newline`` (a line break and the indentation there) gives."""
    if type(value) is Fixed:
        return value.text(newline, lambda plain: _indented(plain, newline))
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        return int.__repr__(value)
    deeper = newline + " "
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        words = _words(value, '",' + deeper + '"')  # a list of prefixes: one join
        if words is not None:
            return "[" + deeper + words + newline + "]"
        items: Iterable[str]
        if all(type(item) is str for item in value):
            items = map(encode_basestring, value)
        else:
            items = (_indented(item, deeper) for item in value)
        return "[" + deeper + ("," + deeper).join(items) + newline + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(type(key) is str for key in value):
            raise _Unusual
        pairs = (
            encode_basestring(key) + ": " + _indented(item, deeper)
            for key, item in sorted(value.items())
        )
        return "{" + deeper + ("," + deeper).join(pairs) + newline + "}"
    raise _Unusual  # a float (or anything else): as the standard library writes it


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
