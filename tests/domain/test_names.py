"""Duplicate-name matching at walk-in registration (issue 4).

The labelled pairs in ``data/name_pairs.csv`` were labelled from knowledge of Indonesian names,
before and independently of the matcher: 1 = the same person written differently, 0 = a different
person (hard cases: same given name, family names one sound apart).
"""

from __future__ import annotations

import csv
import itertools
import time
from pathlib import Path

import pytest

from rumah_perisai.domain.names import (
    MATCH_THRESHOLD,
    NameMatch,
    likely_same_person,
    name_key,
    name_similarity,
    normalize_name,
    rank_candidates,
)

PAIRS_CSV = Path(__file__).parent / "data" / "name_pairs.csv"
MIN_PRECISION = 0.95
MIN_RECALL = 0.95


def _labelled_pairs() -> list[tuple[str, str, bool]]:
    with PAIRS_CSV.open(encoding="utf-8", newline="") as f:
        return [(row["a"], row["b"], row["same"] == "1") for row in csv.DictReader(f)]


# --- the labelled set --------------------------------------------------------------------------


def test_labelled_set_is_big_enough_and_clean() -> None:
    pairs = _labelled_pairs()
    same = [p for p in pairs if p[2]]
    different = [p for p in pairs if not p[2]]
    assert len(same) >= 60
    assert len(different) >= 60
    assert len({(a, b) for a, b, _ in pairs}) == len(pairs), "a pair is listed twice"


def test_precision_and_recall_on_the_labelled_set(capsys: pytest.CaptureFixture[str]) -> None:
    counts = {"TP": 0, "FP": 0, "FN": 0, "TN": 0}
    misses: list[str] = []
    for a, b, same in _labelled_pairs():
        predicted = likely_same_person(a, b)
        outcome = ("T" if predicted == same else "F") + ("P" if predicted else "N")
        counts[outcome] += 1
        if predicted != same:
            misses.append(f"  {outcome}: {a!r} / {b!r} ({name_similarity(a, b):.3f})")
    precision = counts["TP"] / (counts["TP"] + counts["FP"])
    recall = counts["TP"] / (counts["TP"] + counts["FN"])
    with capsys.disabled():  # shown even when pytest captures output
        print(f"\nname matching: precision {precision:.3f}, recall {recall:.3f}, {counts}")
        print("\n".join(misses))
    assert precision >= MIN_PRECISION
    assert recall >= MIN_RECALL


# --- one test per rule -------------------------------------------------------------------------

OLD_SPELLING = [
    ("Soekarno", "Sukarno"),  # oe -> u
    ("Djoko", "Joko"),  # dj -> j
    ("Tjipto", "Cipto"),  # tj -> c
    ("Jusuf", "Yusuf"),  # old j = new y
    ("Njoman", "Nyoman"),  # nj -> ny
    ("Sjarif", "Syarif"),  # sj -> sy
    ("Chairul", "Khairul"),  # ch -> kh
    ("Dharma", "Darma"),  # dh -> d
    ("Thamrin", "Tamrin"),  # th -> t
    ("Tjetjep Soenarja", "Cecep Sunarya"),  # several at once
]

DOUBLED_LETTERS = [("Muhammad", "Muhamad"), ("Abdullah", "Abdulah"), ("Hassan", "Hasan")]

GIVEN_NAME_VARIANTS = [
    *[
        (f"{v} Rizki", "Muhammad Rizki")
        for v in ["Muhamad", "Mohammad", "Mohamad", "Mochammad", "Moch.", "M.", "Muh.", "Mohd"]
    ],
    ("Sity Aminah", "Siti Aminah"),
    ("Sitti Aminah", "Siti Aminah"),
    ("Noor Aini", "Nur Aini"),
    ("Nurul Aini", "Nur Aini"),
    ("Abd. Karim", "Abdul Karim"),
    ("Achmad Fauzi", "Ahmad Fauzi"),
    ("Akhmad Fauzi", "Ahmad Fauzi"),
]

SPACES_AND_PUNCTUATION = [
    ("Nurhayati", "Nur Hayati"),
    ("Abdurrahman", "Abdur Rahman"),
    ("Abdurrahman", "Abdul Rahman"),
    ("Nur-Hayati", "Nurhayati"),
    ("Ma'ruf Amin", "Maruf Amin"),
    ("Ma\u2019ruf Amin", "Maruf Amin"),
    ("ASEP  sunarya", "Asep Sunarya"),
    ("D\u00e9d\u00e9 Kurnia", "Dede Kurnia"),
]

SUNDANESE_AND_COMMON_SPELLINGS = [
    ("Yusup", "Yusuf"),  # f / p
    ("Saepul", "Saiful"),  # ae / ai with f / p
    ("Faizal", "Faisal"),  # z / s
    ("Rizky", "Rizki"),  # final y / i
    ("Supriyadi", "Supriadi"),  # iy / i before a vowel
    ("Sofyan", "Sopian"),  # y / i after a consonant
    ("Syamsul", "Samsul"),  # sy / s
    ("Fatimah", "Fatima"),  # a final h after a vowel
    ("Saepulloh", "Saefullah"),  # -lloh / -llah
]


@pytest.mark.parametrize(
    ("a", "b"),
    OLD_SPELLING + DOUBLED_LETTERS + GIVEN_NAME_VARIANTS + SUNDANESE_AND_COMMON_SPELLINGS,
)
def test_spelling_variants_share_one_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)
    assert name_similarity(a, b) == 1.0
    assert likely_same_person(a, b)


@pytest.mark.parametrize(("a", "b"), SPACES_AND_PUNCTUATION)
def test_spaces_hyphens_apostrophes_case_and_accents_do_not_matter(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)
    assert likely_same_person(a, b)


@pytest.mark.parametrize(
    ("raw", "tidy"),
    [
        ("H. Ahmad Dahlan", "ahmad dahlan"),
        ("Hj. Siti Aminah", "siti aminah"),
        ("Drs. H. Yayat Supriatna", "yayat supriatna"),
        ("Ir. Bambang Hermawan", "bambang hermawan"),
        ("Bapak Ujang Hidayat", "ujang hidayat"),
        ("Ibu Iis Rahmawati", "iis rahmawati"),
        ("Neneng Rahayu, S.Pd.", "neneng rahayu"),
        ("Dede Rosyid, S.Pd.I, M.Pd.", "dede rosyid"),
        ("Ade Irawan SE", "ade irawan"),
        ("Asep Hidayat S.Pd M.Si", "asep hidayat"),
        ("  Nur-Hayati  ", "nur hayati"),
        ("Ma'ruf", "maruf"),
        ("M.Rizki", "m rizki"),
        ("Hidayat, Asep", "hidayat asep"),  # after a comma but not a degree: kept
        ("Ibu", "ibu"),  # a title alone is not stripped to nothing
    ],
)
def test_normalize_name_drops_titles_degrees_and_punctuation(raw: str, tidy: str) -> None:
    assert normalize_name(raw) == tidy


def test_titles_do_not_stop_a_match() -> None:
    assert likely_same_person("H. Dede Rosyid, S.Pd.I", "Dede Rosyid")
    assert likely_same_person("Hj. Siti Aminah", "Siti Aminah")


def test_an_added_name_still_matches_when_a_distinctive_name_agrees() -> None:
    assert likely_same_person("Siti Aminah", "Siti Aminah Lestari")
    assert likely_same_person("Muhammad Rizki", "Muhammad Rizki Pratama")
    assert likely_same_person("Siti Rahayu", "Rahayu")
    assert likely_same_person("Dede S. Hidayat", "Dede Sunarya Hidayat")  # an initial


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Siti Aminah", "Siti Rahayu"),
        ("Siti Aminah", "Siti Aisyah"),
        ("Siti", "Siti Aminah"),  # only the common given name agrees
        ("Muhammad", "Muhammad Rizki"),
        ("Asep S.", "Asep Sunarya"),  # a common name and an initial are not enough
        ("Siti Aminah Lestari", "Siti Aminah Rahayu"),  # both have a name the other lacks
        ("Asep Saepudin", "Ujang Saepudin"),
    ],
)
def test_a_shared_common_given_name_is_not_enough(a: str, b: str) -> None:
    assert not likely_same_person(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kurniawan", "Kurniawen"),  # a vowel changed
        ("Kurniawan", "Kurnaiwan"),  # two letters swapped
        ("Rahmawati", "Rahmwati"),  # a vowel dropped
        ("Setiawan", "Setiawen"),
    ],
)
def test_a_one_letter_typo_in_a_long_name_matches(a: str, b: str) -> None:
    assert likely_same_person(f"Asep {a}", f"Asep {b}")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Rizki", "Rifki"),  # short names: one letter makes another name
        ("Ilham", "Ilhan"),
        ("Rahmat", "Rahman"),  # the last letter
        ("Suryadi", "Suryani"),
        ("Supriatna", "Supriatno"),
        ("Hermawan", "Hernawan"),  # a consonant
        ("Herawati", "Hermawati"),
        ("Suhendar", "Suhendra"),  # a swap at the end
    ],
)
def test_one_letter_that_makes_another_name_does_not_match(a: str, b: str) -> None:
    assert not likely_same_person(f"Muhammad {a}", f"Muhammad {b}")


# --- the score and the ranking -----------------------------------------------------------------


def test_similarity_is_symmetric_and_bounded() -> None:
    names = [a for a, _, _ in _labelled_pairs()[::7]] + ["", "Siti"]
    for a, b in itertools.product(names, repeat=2):
        score = name_similarity(a, b)
        assert 0.0 <= score <= 1.0
        assert score == pytest.approx(name_similarity(b, a))
        assert likely_same_person(a, b) == (score >= MATCH_THRESHOLD)


def test_fewer_leftover_words_score_higher() -> None:
    assert name_similarity("Siti Aminah", "Siti Aminah Lestari") > name_similarity(
        "Siti Aminah", "Siti Aminah Lestari Rahayu"
    )


def test_rank_candidates_keeps_likely_matches_best_first() -> None:
    candidates = [
        "Siti Rahayu",
        "Siti Aminah Lestari",
        "Sitti Aminah",
        "Asep Sunarya",
        "Siti Aisyah",
    ]
    ranked = rank_candidates("Hj. Siti Aminah", candidates)
    assert ranked == [NameMatch("Sitti Aminah", 1.0), ranked[1]]
    assert ranked[1].name == "Siti Aminah Lestari"
    assert ranked[1].similarity >= MATCH_THRESHOLD


def test_rank_candidates_respects_the_limit() -> None:
    candidates = ["Asep Sunarya", "Asep Sunarja", "ASEP SUNARYA", "Asep Soenarja"]
    assert len(rank_candidates("Asep Sunarya", candidates, limit=2)) == 2
    assert rank_candidates("Asep Sunarya", candidates, limit=0) == []
    assert rank_candidates("Asep Sunarya", []) == []


# --- odd input ---------------------------------------------------------------------------------

ODD_TEXT = [
    "",
    "   ",
    ",,,",
    "...",
    "'; DROP TABLE participants; --",
    'Robert"); DELETE FROM peserta WHERE 1=1; --',
    "Siti \U0001f600 Aminah \U0001f469\u200d\U0001f33e",
    "\u0633\u064a\u062a\u064a",  # Arabic script
    "\u0000\t\n\r",
    "x" * 100_000,
    "Siti " * 10_000,
    "H. Hj. Drs. Ir. Bapak Ibu",
    "S.Pd., M.Pd.",
    "M.",
    "\ufb01tri \u2160",  # ligature and Roman numeral
    "123 456",
]


@pytest.mark.parametrize("odd", ODD_TEXT)
def test_odd_text_never_crashes(odd: str) -> None:
    tidy = normalize_name(odd)
    assert set(tidy) <= set("abcdefghijklmnopqrstuvwxyz ")
    assert isinstance(name_key(odd), str)
    for other in ["Siti Aminah", odd, ""]:
        assert 0.0 <= name_similarity(odd, other) <= 1.0
        likely_same_person(other, odd)
    assert isinstance(rank_candidates(odd, ODD_TEXT), list)


def test_empty_names_never_match() -> None:
    assert not likely_same_person("", "")
    assert not likely_same_person("   ", "Siti Aminah")
    assert name_similarity("\U0001f600", "\U0001f600") == 0.0


# --- speed -------------------------------------------------------------------------------------


def test_one_comparison_is_fast(capsys: pytest.CaptureFixture[str]) -> None:
    """The form re-checks while typing against the 10-50 people who share a birth date."""
    names = sorted({n for a, b, _ in _labelled_pairs() for n in (a, b)})
    pairs = list(itertools.combinations(names, 2))
    started = time.perf_counter()
    for a, b in pairs:  # the first sight of each name also prepares it
        name_similarity(a, b)
    cold = (time.perf_counter() - started) / len(pairs)
    started = time.perf_counter()
    for a, b in pairs:
        name_similarity(a, b)
    warm = (time.perf_counter() - started) / len(pairs)
    with capsys.disabled():
        print(f"\nname_similarity: {cold * 1e6:.1f} us first pass, {warm * 1e6:.1f} us warm")
    # Generous bound (typical is ~10 us): this catches an accidental quadratic, not a slow CI.
    assert warm < 50e-6
