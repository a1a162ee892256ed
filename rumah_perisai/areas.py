"""Indonesia's administrative areas (Kemendagri codes), for type-ahead and code checks.

Data: ``resources/area/`` (idn-area-data 4.0.1, ODbL — see its README for the attribution).
Provinces, kabupaten/kota and kecamatan (about 7,800 rows) load in milliseconds on first use.
The 83,000 desa are split by province and load one province at a time when first asked for, so
a post's type-ahead reads its own province (~6,000 rows) and searches its kabupaten's few
hundred desa, not the whole country.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

from rumah_perisai.resources import resource_path

# Province code -> time zone (WIB UTC+7, WITA UTC+8, WIT UTC+9), by Keppres 41/1987 and the
# provinces split off since; used as the default time zone when a post is set up.
_WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}


class Area(NamedTuple):  # a tuple: 83,000 of them build several times faster than dataclasses
    code: str
    name: str
    parent_code: str  # "" for a province

    @property
    def level(self) -> str:
        return {2: "province", 5: "regency", 8: "district", 13: "village"}[len(self.code)]


def _read(*parts: str) -> dict[str, Area]:
    """``code,parent_code,name`` rows (provinces: ``code,name``); plain csv.reader is 3x faster
    than DictReader on the desa."""
    with resource_path("area", *parts).open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        if len(header) == 2:
            return {code: Area(code, name, "") for code, name in rows}
        return {code: Area(code, name, parent) for code, parent, name in rows}


@cache
def provinces() -> dict[str, Area]:
    return _read("provinces.csv")


@cache
def regencies() -> dict[str, Area]:
    """Kabupaten and kota, by code ``xx.xx``."""
    return _read("regencies.csv")


@cache
def districts() -> dict[str, Area]:
    """Kecamatan, by code ``xx.xx.xx``."""
    return _read("districts.csv")


@cache
def province_villages(province_code: str) -> dict[str, Area]:
    """The desa of one province (files are split by province: a post needs only its own)."""
    if province_code not in provinces():
        return {}
    return _read("villages", f"{province_code}.csv")


def villages() -> dict[str, Area]:
    """Every desa and kelurahan in the country, by code ``xx.xx.xx.xxxx`` (83,000: slow-ish)."""
    everything: dict[str, Area] = {}
    for code in provinces():
        everything.update(province_villages(code))
    return everything


@cache
def _villages_by_regency(province_code: str) -> dict[str, tuple[Area, ...]]:
    grouped: dict[str, list[Area]] = defaultdict(list)
    for village in province_villages(province_code).values():
        grouped[village.code[:5]].append(village)
    return {code: tuple(items) for code, items in grouped.items()}


def area(code: str) -> Area | None:
    """The area with this code, at whatever level the code's length says."""
    if len(code) == 13:
        return province_villages(code[:2]).get(code)
    table = {2: provinces, 5: regencies, 8: districts}.get(len(code))
    return table().get(code) if table else None


def is_known_province(code: str) -> bool:
    return code in provinces()


def default_timezone(code: str) -> str:
    """The time zone of the province that an area code (any level) lies in."""
    province = code[:2]
    if province in _WIT_PROVINCES:
        return "WIT"
    if province in _WITA_PROVINCES:
        return "WITA"
    return "WIB"


def full_name(code: str) -> str:
    """``Desa X, Kec. Y, Kabupaten Z, Province`` — as far up as the code goes."""
    parts: list[str] = []
    current = area(code)
    while current is not None:
        label = current.name
        if current.level == "district":
            label = f"Kec. {label}"
        parts.append(label)
        current = area(current.parent_code) if current.parent_code else None
    return ", ".join(parts)


def _matches(areas: Iterable[Area], query: str, limit: int) -> list[Area]:
    """Names starting with the query first, then names containing it; a code prefix matches too."""
    needle = " ".join(query.casefold().split())
    if not needle:
        return []
    starts: list[Area] = []
    contains: list[Area] = []
    for candidate in areas:
        name = candidate.name.casefold()
        if candidate.code.startswith(needle) or name.startswith(needle):
            starts.append(candidate)
        elif any(word.startswith(needle) for word in name.split()) or needle in name:
            contains.append(candidate)
        if len(starts) >= limit:
            break
    return (starts + contains)[:limit]


def search_regencies(query: str, limit: int = 20) -> list[Area]:
    """Type-ahead for kabupaten/kota: ``cire`` finds Kabupaten Cirebon and Kota Cirebon."""
    return _matches(regencies().values(), query, limit)


def search_villages(query: str, regency_code: str | None = None, limit: int = 20) -> list[Area]:
    """Type-ahead for desa, within one kabupaten when given (the post's own, normally)."""
    pool: Iterable[Area]
    if regency_code:
        pool = _villages_by_regency(regency_code[:2]).get(regency_code, ())
    else:
        pool = villages().values()
    return _matches(pool, query, limit)
