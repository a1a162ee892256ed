"""Amounts in Indonesian words (*terbilang*) on receipts: ``formats.amount_in_words`` (num2words)
against hand-checked examples and against a small independent speller of the Indonesian rules
(se- for one hundred and one thousand, belas for 11-19, ribu/juta/miliar groups)."""

from __future__ import annotations

import random

import pytest

from rumah_perisai.formats import amount_in_words
from rumah_perisai.i18n import set_language

_UNITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words.append("seratus" if hundreds == 1 else f"{_UNITS[hundreds]} ratus")
    if rest >= 20:
        tens, units = divmod(rest, 10)
        words.append(f"{_UNITS[tens]} puluh")
        if units:
            words.append(_UNITS[units])
    elif rest >= 12:
        words.append(f"{_UNITS[rest - 10]} belas")
    elif rest == 11:
        words.append("sebelas")
    elif rest == 10:
        words.append("sepuluh")
    elif rest:
        words.append(_UNITS[rest])
    return words


def reference_words(n: int) -> str:
    if n == 0:
        return "nol rupiah"
    words: list[str] = []
    for scale, name in ((10**9, "miliar"), (10**6, "juta"), (10**3, "ribu"), (1, "")):
        group, n = divmod(n, scale)
        if not group:
            continue
        if scale == 1000 and group == 1:
            words.append("seribu")
        else:
            words += _below_thousand(group)
            if name:
                words.append(name)
    return " ".join(words + ["rupiah"])


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (16_800, "enam belas ribu delapan ratus rupiah"),
        (36_800, "tiga puluh enam ribu delapan ratus rupiah"),
        (50_400, "lima puluh ribu empat ratus rupiah"),
        (201_600, "dua ratus satu ribu enam ratus rupiah"),
        (1_000, "seribu rupiah"),
        (111_111, "seratus sebelas ribu seratus sebelas rupiah"),
        (1_100_000, "satu juta seratus ribu rupiah"),
        (20_168, "dua puluh ribu seratus enam puluh delapan rupiah"),
        (1_001_000, "satu juta seribu rupiah"),  # num2words alone says "satu juta satu ribu"
        (3_201_000, "tiga juta dua ratus satu ribu rupiah"),
        (0, "nol rupiah"),
    ],
)
def test_hand_checked_amounts(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


def test_a_range_of_amounts_agrees_with_the_reference_speller() -> None:
    rng = random.Random(3)
    amounts = list(range(0, 2_000_001, 100)) + [rng.randrange(10**10) for _ in range(5_000)]
    wrong = [a for a in amounts if amount_in_words(a) != reference_words(a)]
    assert wrong == []


def test_receipts_speak_indonesian_whatever_the_screen_language() -> None:
    set_language("en")
    assert amount_in_words(16_800) == "enam belas ribu delapan ratus rupiah"


def test_a_negative_amount_is_a_bug() -> None:
    with pytest.raises(ValueError):
        amount_in_words(-1)
