"""QR codes for the printed documents: the ``qrcode`` package's symbol, built and masked fast.

``qrcode`` chooses the mask as ISO/IEC 18004 says — it builds the symbol with each of the 8 masks
and keeps the one with the fewest penalty points — but it places and scores every module in pure
Python, which took 80 % of the time of 500 cards (issue 21). Here a symbol is one integer (bit
``row * size + column`` is the module at that row and column): the data is placed once, by one
lookup of its bits, each mask is one XOR, and the four penalty rules are counted with bit
operations on the whole symbol at once. The codewords are ``qrcode``'s encoding with strings of
bits and a Reed-Solomon table; its tables (versions, blocks, the Galois field, function patterns,
masks) are used as they are. The symbol, the mask chosen and each mask's penalty are
``qrcode``'s own: ``tests/printing/test_qr.py`` proves them equal on many texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import itemgetter

import qrcode
from qrcode import util
from qrcode.base import EXP_TABLE, LOG_TABLE, RSBlock, rs_blocks
from qrcode.constants import ERROR_CORRECT_M
from qrcode.exceptions import DataOverflowError

_LEVEL = ERROR_CORRECT_M  # 15 % of the symbol may be lost
_MASKS = range(8)
_PADDING = bytes([util.PAD0, util.PAD1])
# The finder-like pattern of penalty rule 3 (1:1:3:1:1 with 4 light modules on one side), both ways.
_FINDER_LIKE = ("10111010000", "00001011101")


@dataclass(frozen=True)
class _Layout:
    """What a symbol of one version looks like before its data: computed once per version."""

    size: int
    data_bits: int  # the codewords' bits; the data modules after them are light
    place: Callable[[str], tuple[str, ...]]  # the data bits (and a last "0") → modules, last first
    blank: int  # the function patterns, with the format and version areas light (as scored)
    masks: tuple[int, ...]  # each mask's dark modules, among the data modules only
    # Where a window of the penalty rules may start: 5 across, 5 down, 2x2, 11 across, 11 down.
    windows: tuple[int, int, int, int, int]
    starts: tuple[int, int]  # column 0, row 0: where every run starts


def qr_rows(text: str) -> tuple[str, ...]:
    """The QR code of ``text`` at error-correction level M (15 %), smallest version that holds
    it, without its quiet zone: one string of "0" (light) and "1" (dark) a row."""
    return _rows(text)


@lru_cache(maxsize=64)  # a receipt sizes its code, then draws it: the same text twice
def _rows(text: str) -> tuple[str, ...]:
    version, layout, data = placed(text)
    mask = best_mask(layout, data)
    symbol = _with_format(version, mask) | (data ^ layout.masks[mask])
    size = layout.size
    modules = format(symbol, f"0{size * size}b")[::-1]
    return tuple(modules[row * size : (row + 1) * size] for row in range(size))


def placed(text: str) -> tuple[int, _Layout, int]:
    """The version of ``text``'s symbol, its layout, and its data modules before any mask."""
    version, codewords = _codewords(text)
    layout = _layout(version)
    bits = format(int.from_bytes(codewords, "big"), f"0{len(codewords) * 8}b") + "0"
    return version, layout, int("".join(layout.place(bits)), 2)


def qr_modules(text: str) -> list[list[bool]]:
    """:func:`qr_rows` as rows of booleans (dark is ``True``)."""
    return [[module == "1" for module in row] for row in qr_rows(text)]


def dark_runs(row: str) -> list[tuple[int, int]]:
    """(first column, length) of each run of dark modules in a row of :func:`qr_rows`."""
    runs = []
    column = 0
    for piece in row.split("0"):  # faster than a regular expression's matches, here
        if piece:
            runs.append((column, len(piece)))
        column += len(piece) + 1
    return runs


def best_mask(layout: _Layout, data: int) -> int:
    """The mask with the fewest penalty points, the first of equals (as ``qrcode`` chooses)."""
    points = [penalty(layout, layout.blank | (data ^ layout.masks[mask])) for mask in _MASKS]
    return points.index(min(points))


def penalty(layout: _Layout, symbol: int) -> int:
    """``qrcode.util.lost_point`` of the symbol, counted with whole-symbol bit operations."""
    size = layout.size
    full = (1 << size * size) - 1
    light = full ^ symbol
    five_across, five_down, block, eleven_across, eleven_down = layout.windows
    column_0, row_0 = layout.starts
    points = 0
    # Rule 1: a run of n >= 5 modules of one colour, in a row or a column, costs n - 2: one point
    # for each 5-module window in it and 2 more once for the run (at the window where it starts).
    for step, windows, first in ((1, five_across, column_0), (size, five_down, row_0)):
        starts = ((symbol ^ (symbol << step)) | first) & full
        for colour in (symbol, light):
            window = _all(colour, step, 5) & windows
            points += window.bit_count() + 2 * (window & starts).bit_count()
    # Rule 2: 3 points for every 2x2 block of one colour.
    for colour in (symbol, light):
        points += 3 * (_all(_all(colour, 1, 2), size, 2) & block).bit_count()
    # Rule 3: 40 points for every 1:1:3:1:1 pattern with 4 light modules on one side.
    for step, windows in ((1, eleven_across), (size, eleven_down)):
        for pattern in _FINDER_LIKE:
            found = windows
            for offset, module in enumerate(pattern):
                found &= (symbol if module == "1" else light) >> (offset * step)
            points += 40 * found.bit_count()
    # Rule 4: 10 points for every whole 5 % the dark modules are away from half.
    percent = float(symbol.bit_count()) / (size**2)
    return points + int(abs(percent * 100 - 50) / 5) * 10


def _all(colour: int, step: int, length: int) -> int:
    """Where ``length`` modules of ``colour`` follow each other ``step`` bits apart."""
    result = colour
    for offset in range(1, length):
        result &= colour >> (offset * step)
    return result


# --- the data codewords -------------------------------------------------------------------


def _codewords(text: str) -> tuple[int, bytes]:
    """The smallest version that holds ``text`` as one segment, and its codewords with their
    error correction interleaved: what ``qrcode``'s ``best_fit`` and ``create_data`` give, but
    the bits are strings and the Reed-Solomon remainder a table lookup a byte."""
    segment = util.QRData(text)  # qrcode's choice of mode: numeric, alphanumeric or bytes
    payload = _payload_bits(segment)
    limits = util.BIT_LIMIT_TABLE[_LEVEL]
    for version in range(1, 41):
        length_bits = util.length_in_bits(segment.mode, version)
        if 4 + length_bits + len(payload) <= limits[version]:
            break
    else:
        raise DataOverflowError()
    limit = limits[version]
    bits = format(segment.mode, "04b") + format(len(segment), f"0{length_bits}b") + payload
    bits += "0" * min(limit - len(bits), 4)  # the terminator
    bits += "0" * (-len(bits) % 8)
    padding = (limit - len(bits)) // 8
    data = int(bits, 2).to_bytes(len(bits) // 8, "big") + (_PADDING * padding)[:padding]
    blocks, corrections = [], []
    start = 0
    for block in _blocks(version):
        blocks.append(data[start : start + block.data_count])
        corrections.append(_correction(blocks[-1], block.total_count - block.data_count))
        start += block.data_count
    return version, _interleaved(blocks) + _interleaved(corrections)


def _payload_bits(segment: util.QRData) -> str:
    """A segment's data as bits (``QRData.write``), as a string of "0" and "1"."""
    data: bytes = segment.data
    if segment.mode == util.MODE_NUMBER:
        return "".join(
            format(int(data[i : i + 3]), f"0{util.NUMBER_LENGTH[len(data[i : i + 3])]}b")
            for i in range(0, len(data), 3)
        )
    if segment.mode == util.MODE_ALPHA_NUM:
        values = [util.ALPHA_NUM.find(bytes([character])) for character in data]
        pairs = [
            format(values[i] * 45 + values[i + 1], "011b") for i in range(0, len(values) - 1, 2)
        ]
        if len(values) % 2:
            pairs.append(format(values[-1], "06b"))
        return "".join(pairs)
    return format(int.from_bytes(data, "big"), f"0{len(data) * 8}b") if data else ""


@cache
def _blocks(version: int) -> tuple[RSBlock, ...]:
    return tuple(rs_blocks(version, _LEVEL))


def _interleaved(blocks: list[bytes]) -> bytes:
    """The first byte of every block, then the second of every block, and so on."""
    longest = max(len(block) for block in blocks)
    return bytes(block[index] for index in range(longest) for block in blocks if index < len(block))


def _correction(block: bytes, count: int) -> bytes:
    """The Reed-Solomon error-correction codewords of ``block``: the remainder of its
    polynomial times x^count divided by the generator, ``count`` bytes held as one integer."""
    products = _generator_products(count)
    top = 8 * (count - 1)
    keep = (1 << 8 * count) - 1
    remainder = 0
    for byte in block:
        remainder = ((remainder << 8) & keep) ^ products[byte ^ (remainder >> top)]
    return remainder.to_bytes(count, "big")


@cache
def _generator_products(count: int) -> tuple[int, ...]:
    """For every byte f, f times the generator polynomial of degree ``count`` without its
    leading 1, its coefficients packed into one integer."""
    generator = [1]
    for power in range(count):
        root = EXP_TABLE[power]
        generator = [
            high ^ _times(low, root)
            for high, low in zip([*generator, 0], [0, *generator], strict=True)
        ]
    return tuple(
        int.from_bytes(bytes(_times(factor, coefficient) for coefficient in generator[1:]), "big")
        for factor in range(256)
    )


def _times(a: int, b: int) -> int:
    """Multiplication in the QR code's Galois field GF(256)."""
    if not a or not b:
        return 0
    return int(EXP_TABLE[(LOG_TABLE[a] + LOG_TABLE[b]) % 255])


# --- the layout of a version ----------------------------------------------------------------


@cache
def _layout(version: int) -> _Layout:
    modules = _function_patterns(version)
    size = len(modules)
    order = _placement_order(modules)
    data_bits = len(order) // 8 * 8  # the few bits left over are light (remainder bits)
    index = {position: number for number, position in enumerate(order[:data_bits])}
    # The string joined from ``place(bits)`` reads from the last module to the first, so that
    # int(…, 2) puts module (row, column) at bit row * size + column.
    lookups = [
        index.get((row, column), data_bits)
        for row in reversed(range(size))
        for column in reversed(range(size))
    ]
    masks = []
    for mask in _MASKS:
        masked = util.mask_func(mask)
        masks.append(_as_int([(row, column) for row, column in order if masked(row, column)], size))
    return _Layout(
        size=size,
        data_bits=data_bits,
        place=itemgetter(*lookups),
        blank=_as_int(_dark(modules), size),
        masks=tuple(masks),
        windows=(
            _window_starts(size, 5, 1),
            _window_starts(size, 1, 5),
            _window_starts(size, 2, 2),
            _window_starts(size, 11, 1),
            _window_starts(size, 1, 11),
        ),
        starts=(_as_int(((row, 0) for row in range(size)), size), (1 << size) - 1),
    )


def _function_patterns(version: int) -> list[list[bool | None]]:
    """``qrcode``'s symbol before its data (``None`` where data goes), format and version
    information light, as ``QRCode.makeImpl`` builds it to score a mask."""
    code: qrcode.QRCode[object] = qrcode.QRCode(version=version, error_correction=_LEVEL)
    size = code.modules_count = version * 4 + 17
    code.modules = [[None] * size for _ in range(size)]
    for row, column in ((0, 0), (size - 7, 0), (0, size - 7)):
        code.setup_position_probe_pattern(row, column)
    code.setup_position_adjust_pattern()
    code.setup_timing_pattern()
    code.setup_type_info(True, 0)
    if version >= 7:
        code.setup_type_number(True)
    return code.modules  # type: ignore[no-any-return]


@cache
def _with_format(version: int, mask: int) -> int:
    """The function patterns with the real format (and version) information of ``mask``."""
    code: qrcode.QRCode[object] = qrcode.QRCode(version=version, error_correction=_LEVEL)
    code.modules_count = version * 4 + 17
    code.modules = _function_patterns(version)
    code.setup_type_info(False, mask)
    if version >= 7:
        code.setup_type_number(False)
    return _as_int(_dark(code.modules), code.modules_count)


def _placement_order(modules: list[list[bool | None]]) -> list[tuple[int, int]]:
    """The data modules in the order the data bits fill them (``QRCode.map_data``'s walk: two
    columns at a time from the right, up then down, skipping the vertical timing pattern)."""
    size = len(modules)
    order = []
    upwards = True
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        rows = range(size - 1, -1, -1) if upwards else range(size)
        for row in rows:
            for column in (right, right - 1):
                if modules[row][column] is None:
                    order.append((row, column))
        upwards = not upwards
    return order


def _dark(modules: list[list[bool | None]]) -> list[tuple[int, int]]:
    return [
        (row, column)
        for row, line in enumerate(modules)
        for column, module in enumerate(line)
        if module
    ]


def _as_int(positions: Iterable[tuple[int, int]], size: int) -> int:
    result = 0
    for row, column in positions:
        result |= 1 << (row * size + column)
    return result


def _window_starts(size: int, across: int, down: int) -> int:
    """The modules where a window ``across`` wide and ``down`` high still fits the symbol."""
    row = (1 << (size - across + 1)) - 1
    return sum(row << (line * size) for line in range(size - down + 1))
