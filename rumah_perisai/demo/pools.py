"""What the demo's people are made of: names, streets, villages, birth places, occupations."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rumah_perisai import areas
from rumah_perisai.demo.dice import Dice, Weighted
from rumah_perisai.domain.nik import SEX_FEMALE, SEX_MALE
from rumah_perisai.errors import UserError
from rumah_perisai.resources import resource_path


def _lines(file_name: str) -> list[str]:
    """The non-comment lines of ``resources/demo/<file_name>``."""
    path = resource_path("demo", file_name)
    with path.open(encoding="utf-8") as handle:
        stripped = (line.strip() for line in handle)
        return [line for line in stripped if line and not line.startswith("#")]


@dataclass(frozen=True)
class _NameLists:
    given: dict[str, tuple[str, ...]]  # by sex
    second: dict[str, tuple[str, ...]]  # family / second names fitting each sex
    variants: dict[str, tuple[str, ...]]  # common spelling -> other spellings
    streets: tuple[str, ...]


@cache
def _name_lists() -> _NameLists:
    second: dict[str, list[str]] = {SEX_MALE: [], SEX_FEMALE: []}
    for line in _lines("family_names.txt"):
        name, _, sex = line.partition(" ")
        for key in [sex] if sex else [SEX_MALE, SEX_FEMALE]:
            second[key].append(name)
    variants = {
        words[0]: tuple(words[1:]) for words in map(str.split, _lines("spelling_variants.txt"))
    }
    return _NameLists(
        given={
            SEX_MALE: tuple(_lines("given_names_male.txt")),
            SEX_FEMALE: tuple(_lines("given_names_female.txt")),
        },
        second={sex: tuple(names) for sex, names in second.items()},
        variants=variants,
        streets=tuple(_lines("streets.txt")),
    )


def _short_area_name(name: str) -> str:
    """Kabupaten Cirebon -> Cirebon: how people write their place of birth."""
    for prefix in ("Kabupaten ", "Kota "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@dataclass(frozen=True)
class _AreaPool:
    """Where the demo's people live, were born and got their NIK."""

    home_name: str  # the post's kecamatan
    desa: Weighted[areas.Area]
    districts: tuple[str, ...]  # kecamatan codes of the kabupaten
    birth_places: Weighted[str]

    @classmethod
    def build(cls, rng: Dice, kabupaten: str) -> _AreaPool:
        villages = sorted(
            (
                a
                for a in areas.province_villages(kabupaten[:2]).values()
                if a.parent_code[:5] == kabupaten
            ),
            key=lambda a: a.code,
        )
        districts = tuple(sorted({a.parent_code for a in villages}))
        if not districts:
            raise UserError("demo_no_villages", code=kabupaten)
        home = rng.randrange(len(districts))
        # Kemendagri numbers kecamatan roughly in geographic order, so the codes next to the
        # post's own stand in for its neighbours.
        near = set(districts[max(0, home - 2) : home + 3]) - {districts[home]}
        home_villages = [a for a in villages if a.parent_code == districts[home]]
        busy = {a.code for a in rng.sample(home_villages, min(3, len(home_villages)))}
        weights = [
            (a, 12.0 if a.code in busy else 3.0 if a.parent_code == districts[home] else
             1.0 if a.parent_code in near else 0.05)
            for a in villages
        ]  # fmt: skip
        return cls(
            home_name=_area_name(districts[home]),
            desa=Weighted(weights),
            districts=districts,
            birth_places=_birth_places(kabupaten, districts[home]),
        )


def _area_name(code: str) -> str:
    found = areas.area(code)
    return found.name if found else code


def _birth_places(kabupaten: str, home: str) -> Weighted[str]:
    """Mostly the kabupaten itself; some the kecamatan's name; some another kabupaten nearby."""
    others = sorted(
        _short_area_name(a.name)
        for code, a in areas.regencies().items()
        if a.parent_code == kabupaten[:2] and code != kabupaten
    )
    pairs = [(_short_area_name(_area_name(kabupaten)), 70.0), (_area_name(home), 10.0)]
    pairs += [(name, 20.0 / len(others)) for name in others]
    return Weighted(pairs)


# Occupations of BPU workers (DOMAIN.md, "Who and where"), with rough shares in a coastal and
# farming kabupaten like Cirebon.
_OCCUPATIONS: dict[str, tuple[tuple[str, float], ...]] = {
    SEX_MALE: (
        ("Petani", 16), ("Buruh tani", 12), ("Nelayan", 10), ("Pedagang", 9),
        ("Pengemudi ojek", 9), ("Buruh harian lepas", 12), ("Peternak", 5),
        ("Pengrajin rotan", 5), ("Tukang bangunan", 8), ("Sopir", 3), ("Pedagang keliling", 5),
        ("Montir", 2), ("Pembudidaya ikan", 2), ("Penjahit", 1), ("Guru ngaji", 1),
    ),
    SEX_FEMALE: (
        ("Pedagang", 15), ("Petani", 9), ("Buruh tani", 12), ("Pengrajin batik", 6),
        ("Pengrajin rotan", 5), ("Penjahit", 6), ("Pemilik warung", 12),
        ("Buruh harian lepas", 9), ("Pedagang keliling", 6), ("Peternak", 3),
        ("Pekerja rumah tangga", 5), ("Pengolah ikan", 5), ("Penjual makanan", 7),
        ("Buruh cuci", 3),
    ),
}  # fmt: skip
# Declared incomes above the minimum, with their weight against the minimum's 80: most informal
# workers declare the lowest bracket.
HIGHER_INCOMES = (
    (1_200_000, 2.0), (1_500_000, 5.0), (2_000_000, 5.0), (2_500_000, 3.0), (3_000_000, 3.0),
    (3_500_000, 1.0), (4_000_000, 0.6), (5_000_000, 0.4),
)  # fmt: skip
JHT_SHARE = {True: 0.08, False: 0.45}  # by "declares the minimum income": ~15% in all
PHONE_PREFIXES = (
    "0811", "0812", "0813", "0821", "0822", "0823", "0852", "0853", "0814", "0815", "0816",
    "0855", "0856", "0857", "0858", "0817", "0818", "0819", "0859", "0877", "0878", "0831",
    "0832", "0833", "0838", "0895", "0896", "0897", "0898", "0899", "0881", "0882", "0887",
)  # fmt: skip


def age_weight(age: int) -> float:
    """Working age 15-65, most registrations between 20 and 55."""
    if age < 20:
        return 0.35
    if age < 25:
        return 0.8
    if age <= 45:
        return 1.1 if age >= 30 else 1.0
    if age <= 55:
        return 0.9
    return 0.45 if age <= 60 else 0.25


@dataclass(frozen=True)
class Pools:
    """Everything the generator chooses from, fixed before the first person is made."""

    names: _NameLists
    area: _AreaPool
    occupations: dict[str, Weighted[str]]

    @classmethod
    def build(cls, rng: Dice, kabupaten: str) -> Pools:
        return cls(
            names=_name_lists(),
            area=_AreaPool.build(rng, kabupaten),
            occupations={sex: Weighted(pairs) for sex, pairs in _OCCUPATIONS.items()},
        )
