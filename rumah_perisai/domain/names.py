"""Matching people's names across Indonesian spellings, for the duplicate warning at registration.

The caller compares only people who share a birth date, so the matcher may lean towards recall,
but two different people who share a common given name ("Siti Aminah" / "Siti Rahayu") must not
match. The pipeline:

1. ``normalize_name``: fold case and accents, drop apostrophes, titles (H., Hj., Drs., Bapak, Ibu…)
   and degrees (S.Pd., M.Si, SE…), keep only letters and single spaces.
2. ``name_key``: per word, rewrite old spelling to EYD (oe→u, tj→c, dj→j, j→y, sj/sy→s, ch/kh→h,
   dh→d, th→t), fold a few sound pairs field workers mix up (f/p/v, z/s, q/k, final y/i, ae/ai,
   au/o, ia/ya, final -loh/-lah, a final h after a vowel), collapse doubled letters, and map
   given-name variants (Moch./M./Mohammad→Muhammad, Sitti→Siti, Noor/Nurul→Nur, Abd.→Abdul).
3. ``name_similarity``: the two keyed word lists are aligned. Every word of the shorter name must
   find a partner in the longer one (equal, an initial, or a one-letter typo in a long word); if the
   longer name has words left over, at least one partner must be a *distinctive* word, not a common
   given name such as Siti, Muhammad, Asep or Dede. Words written together or apart (Nur Hayati /
   Nurhayati) are merged before aligning.

The score is built so that ``MATCH_THRESHOLD`` (0.8) is exactly the line between "every word of the
shorter name is accounted for" and not: valid alignments score 0.8–1.0 (higher when the longer name
has fewer words left over), all others stay below 0.8 and only serve to order near misses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

MATCH_THRESHOLD = 0.8
# A partner word must be at least this similar: equal (1.0), an initial or an allowed typo (0.9).
_PARTNER_SIM = 0.9
# Names longer than this are garbage input; cutting them keeps every comparison fast.
_MAX_CHARS = 200
# Nobody has more than a handful of names; the cap bounds the word-by-word alignment.
_MAX_WORDS = 12


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VOWELS = frozenset("aeiou")
_APOSTROPHES = str.maketrans("", "", "'`\u2018\u2019\u02bc\u00b4")
_NOT_NAME_CHAR = re.compile(r"[^a-z.,]+")
# Dotted degrees: S.Pd., S.Pd.I, M.Si, A.Md., S.E.
_DOTTED_DEGREE = re.compile(r"^(?:[a-z]{1,2}\.)+[a-z]{1,4}\.?$")
# Undotted degrees, dropped only at the end of a name (they are not Indonesian given names).
_DEGREES = _word_set(
    "spd spdi se sh mm skom st sag ssos sip ssi skep sked sfarm amd amk ama mpd msi mag mkes"
    " mkom mh mt msc bsc"
)
# Titles and forms of address, dropped at the start of a name.
_TITLES = _word_set(
    "h hj haji hajah hajjah kh drs dra dr ir prof bapak bpk bp pak ibu ibuk bu sdr sdri saudara"
    " saudari tn tuan ny nyonya nn nona ust ustad ustadz ustadzah kyai kiai kang akang mang teh"
    " teteh ceu mbak mba mbah"
)

# Old spelling (Van Ophuijsen / Soewandi) to EYD, then sounds field workers write either way.
# Order matters: "ch" goes before "tj"→"c" can create one, "dj" before the lone "j".
_REWRITES = (
    ("oe", "u"),
    ("ch", "h"),
    ("kh", "h"),
    ("tj", "c"),
    ("dj", "j"),
    # A lone j is ambiguous: old-spelling "j" is today's "y" (Jusuf), today's "j" is old "dj".
    # Folding j and y together handles both at the cost of names like Jaja / Yaya.
    ("j", "y"),
    ("sy", "s"),
    ("dh", "d"),
    ("th", "t"),
    ("ph", "f"),
    ("q", "k"),
    ("x", "ks"),
    ("z", "s"),
    # Sundanese speakers write f, p and v alike (Yusuf / Yusup, Fajar / Pajar).
    ("v", "p"),
    ("f", "p"),
    ("ae", "ai"),
    ("au", "o"),
)
# Ci+vowel and Ciy+vowel become Cy+vowel (Supriyadi / Supriadi, Sopian / Sofyan); not after s,
# where "sy" was already folded.
_GLIDE = re.compile(r"([bcdghklmnprtw])iy?(?=[aeou])")
_FINAL_H = re.compile(r"(?<=[aeiou])h$")
_DOUBLES = re.compile(r"(.)\1+")
# Abdul before a "sun letter" is assimilated: Abdul Rahman = Abdur Rahman = Abdurrahman.
_ABDUL = re.compile(r"\babdu(?:l|[dnrst])?\s?(?=[dnrstl])")


@lru_cache(maxsize=8192)
def _spell(word: str) -> str:
    """One word in key form: EYD spelling, folded sound pairs, no doubled letters."""
    for old, new in _REWRITES:
        word = word.replace(old, new)
    if word.endswith("loh"):  # Javanese / Sundanese -lloh for -llah (Saepulloh / Saefullah)
        word = word[:-3] + "lah"
    if word.endswith("y"):  # Rizky / Rizki, Dedy / Dedi
        word = word[:-1] + "i"
    word = _GLIDE.sub(r"\1y", word)
    word = _FINAL_H.sub("", word)  # Fatimah / Fatima
    return _DOUBLES.sub(r"\1", word)


def _variant_map(groups: dict[str, str]) -> dict[str, str]:
    """Keys the variants by the rules names go through, so the table lists them as people write."""
    return {_spell(variant): canonical for variant, canonical in _split_groups(groups)}


def _split_groups(groups: dict[str, str]) -> list[tuple[str, str]]:
    return [(v, canonical) for canonical, vs in groups.items() for v in vs.split()]


_GIVEN_NAME_VARIANTS = _variant_map(
    {
        "muhamad": "muhammad muhamad mohammad mohamad mochammad mochamad muchammad muchamad"
        " mukhammad mohammed mohamed muhammed muhamed moch much moh muh mohd mochd mhd md",
        "siti": "siti sitti sity",
        "nur": "nur noor nor nurul",
        "abdul": "abdul abd abdoel",
        "ahmad": "ahmad achmad akhmad",
        "neng": "neng eneng",
    }
)
# Abbreviations that stand for a given name only as the first of several words (M. Rizki).
_FIRST_WORD_ABBREVIATIONS = {"m": "muhamad", "st": "siti"}
# Given names too common to tell two people apart on their own (keyed form).
_COMMON = frozenset(
    _GIVEN_NAME_VARIANTS.get(k, k)
    for k in map(
        _spell,
        _word_set(
            "muhammad siti nur abdul ahmad sri dewi asep ujang dede ade cecep neneng eneng neng"
            " euis iis ai agus dwi tri eka putri putra raden nyai ratu"
        ),
    )
)


@dataclass(frozen=True)
class NameMatch:
    """A candidate that is likely the same person, with its similarity (0..1)."""

    name: str
    similarity: float


class _Word(NamedTuple):
    key: str  # key form, compared for equality and typos
    plain: str  # normalized spelling, also checked for typos (rewrites can hide a transposition)


@dataclass(frozen=True)
class _Name:
    """A name prepared once for many comparisons (the form re-checks on every keystroke)."""

    words: tuple[_Word, ...]
    key: str
    seams: tuple[str, ...]  # keys of each two neighbouring words written as one


def normalize_name(name: str) -> str:
    """Tidy a name: casefold, no accents, apostrophes, titles or degrees, single spaces."""
    return " ".join(_clean_words(name[:_MAX_CHARS]))


def name_key(name: str) -> str:
    """The spelling-independent key of a whole name, spaces removed (for exact look-ups)."""
    return _prepare(name[:_MAX_CHARS]).key


def name_similarity(a: str, b: str) -> float:
    """How alike two names are, 0..1; at least ``MATCH_THRESHOLD`` means likely the same person."""
    # Cut before the caches see the text, so pasted junk cannot fill memory.
    name_a, name_b = _prepare(a[:_MAX_CHARS]), _prepare(b[:_MAX_CHARS])
    if not name_a.words or not name_b.words:
        return 0.0  # nothing to compare: never raise a duplicate warning on an empty name
    if name_a.key == name_b.key:
        return 1.0
    words_a, words_b = _merge_split_words(name_a, name_b), _merge_split_words(name_b, name_a)
    short, long = sorted((words_a, words_b), key=len)
    pairs = _align(short, long)
    total = sum(sim for sim, _, _ in pairs)
    if _is_valid(pairs, len(short), len(long)):
        return MATCH_THRESHOLD + (1.0 - MATCH_THRESHOLD) * total / len(long)
    # Below the threshold by construction; only orders the near misses.
    return 0.99 * MATCH_THRESHOLD * total / len(long)


def likely_same_person(a: str, b: str) -> bool:
    """The registration decision: similarity at or above ``MATCH_THRESHOLD`` (see module doc)."""
    return name_similarity(a, b) >= MATCH_THRESHOLD


def rank_candidates(name: str, candidates: Iterable[str], limit: int = 5) -> list[NameMatch]:
    """The candidates that are likely the same person as ``name``, best first, at most ``limit``."""
    scored = [NameMatch(c, name_similarity(name, c)) for c in candidates]
    likely = [m for m in scored if m.similarity >= MATCH_THRESHOLD]
    likely.sort(key=lambda m: -m.similarity)  # stable: equal scores keep the caller's order
    return likely[: max(limit, 0)]


@lru_cache(maxsize=4096)
def _clean_words(name: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _NOT_NAME_CHAR.sub(" ", text.translate(_APOSTROPHES))
    parts = text.split(",")
    words = parts[0].split()
    # After a comma come degrees ("Asep, S.Pd.") or, rarely, the given name ("Hidayat, Asep").
    for part in parts[1:]:
        if not all(_is_degree(w) for w in part.split()):
            words += part.split()
    return _strip_titles(_split_dots(words))


def _is_degree(word: str) -> bool:
    return bool(_DOTTED_DEGREE.match(word)) or word.strip(".") in _DEGREES


def _split_dots(words: list[str]) -> list[str]:
    """Splits "M.Rizki" and "H." into letters; drops dotted degrees after the first word."""
    pieces: list[str] = []
    for i, word in enumerate(words):
        if i > 0 and _DOTTED_DEGREE.match(word):
            continue
        pieces += [p for p in word.split(".") if p]
    return pieces


def _strip_titles(words: list[str]) -> tuple[str, ...]:
    # Never strip a name down to nothing: "Ibu" alone stays a (poor) name.
    start, end = 0, len(words)
    while end - start > 1 and words[start] in _TITLES:
        start += 1
    while end - start > 1 and words[end - 1] in _DEGREES:
        end -= 1
    return tuple(words[start:end][:_MAX_WORDS])


@lru_cache(maxsize=4096)
def _prepare(name: str) -> _Name:
    words = _words(name)
    keys = [w.key for w in words]
    seams = tuple(_join(keys[i : i + 2]) for i in range(len(keys) - 1))
    return _Name(words, _join(keys), seams)


def _words(name: str) -> tuple[_Word, ...]:
    plain = _clean_words(name)
    keys = [_GIVEN_NAME_VARIANTS.get(k, k) for k in map(_spell, plain)]
    if len(keys) > 1 and plain[0] in _FIRST_WORD_ABBREVIATIONS:
        keys[0] = _FIRST_WORD_ABBREVIATIONS[plain[0]]
    joined = _ABDUL.sub("abdu", " ".join(keys))
    if joined != " ".join(keys):  # Abdul + Rahman became one word: plain forms no longer line up
        return tuple(_Word(_spell(k), _spell(k)) for k in joined.split())
    return tuple(_Word(k, p) for k, p in zip(keys, plain, strict=True))


def _join(keys: Iterable[str]) -> str:
    # Only doubled letters are collapsed across the seam ("Nur Rahmah" / "Nurrahmah"): re-spelling
    # would apply rewrites across it and make "Agus Yanto" equal "Agus Santo".
    return _DOUBLES.sub(r"\1", "".join(keys))


def _merge_split_words(name: _Name, other: _Name) -> tuple[_Word, ...]:
    """Joins neighbouring words that the other name writes as one (Nur Hayati / Nurhayati)."""
    other_keys = {w.key for w in other.words}
    if other_keys.isdisjoint(name.seams):
        return name.words  # the usual case, kept cheap
    merged = list(name.words)
    i = 0
    while i < len(merged) - 1:
        key = _join((merged[i].key, merged[i + 1].key))
        if key in other_keys:
            merged[i : i + 2] = [_Word(key, merged[i].plain + merged[i + 1].plain)]
        i += 1
    return tuple(merged)


def _align(short: tuple[_Word, ...], long: tuple[_Word, ...]) -> list[tuple[float, _Word, _Word]]:
    """Greedy best-first pairing; names have a handful of words, so this is as good as optimal."""
    scored = sorted(
        ((_word_similarity(s, t), i, j) for i, s in enumerate(short) for j, t in enumerate(long)),
        reverse=True,
    )
    used_short: set[int] = set()
    used_long: set[int] = set()
    pairs: list[tuple[float, _Word, _Word]] = []
    for sim, i, j in scored:
        if i not in used_short and j not in used_long:
            used_short.add(i)
            used_long.add(j)
            pairs.append((sim, short[i], long[j]))
    return pairs


def _is_valid(pairs: list[tuple[float, _Word, _Word]], n_short: int, n_long: int) -> bool:
    if any(sim < _PARTNER_SIM for sim, _, _ in pairs):
        return False
    distinctive = any(
        len(s.key) > 1 and len(t.key) > 1 and s.key not in _COMMON and t.key not in _COMMON
        for _, s, t in pairs
    )
    if distinctive:
        return True
    # Only common names and initials matched: accept a full, exact correspondence only
    # ("Ujang Asep" / "Asep Ujang"), never "Siti" / "Siti Aminah" or "Asep S." / "Asep Sunarya".
    return n_short == n_long and all(sim == 1.0 for sim, _, _ in pairs)


@lru_cache(maxsize=65536)
def _word_similarity(a: _Word, b: _Word) -> float:
    if a.key == b.key:
        return 1.0
    if len(a.key) == 1 or len(b.key) == 1:  # an initial stands for any word with that letter
        return _PARTNER_SIM if a.key[0] == b.key[0] else 0.0
    if _is_typo(a.key, b.key) or _is_typo(a.plain, b.plain):
        return _PARTNER_SIM
    return 0.8 * _dice(a.key, b.key)  # < _PARTNER_SIM: a near miss, for ordering only


def _is_typo(x: str, y: str) -> bool:
    """One slip in a long word: a swapped pair, or a vowel changed, added or dropped.

    Consonant changes and the last letter are left alone: they make different names
    (Rahmat / Rahman, Hermawan / Hernawan, Suryadi / Suryani, Supriatna / Supriatno).
    """
    if x[0] != y[0] or abs(len(x) - len(y)) > 1:
        return False
    if len(x) == len(y):
        return _is_same_length_typo(x, y)
    short, long = (x, y) if len(x) < len(y) else (y, x)
    if len(short) < 7:
        return False
    i = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return i < len(long) - 1 and long[i] in _VOWELS and short[i:] == long[i + 1 :]


def _is_same_length_typo(x: str, y: str) -> bool:
    if len(x) < 6:
        return False
    diffs = [k for k in range(len(x)) if x[k] != y[k]]
    if len(diffs) == 1:
        k = diffs[0]
        return k < len(x) - 1 and x[k] in _VOWELS and y[k] in _VOWELS
    if len(diffs) == 2:
        k, m = diffs
        return m == k + 1 and m < len(x) - 1 and x[k] == y[m] and x[m] == y[k]
    return False


@lru_cache(maxsize=8192)
def _bigrams(word: str) -> frozenset[str]:
    return frozenset(word[i : i + 2] for i in range(len(word) - 1)) or frozenset((word,))


def _dice(x: str, y: str) -> float:
    bx, by = _bigrams(x), _bigrams(y)
    return 2 * len(bx & by) / (len(bx) + len(by))
