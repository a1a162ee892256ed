"""A person's rights over their data (UU PDP, Law 27/2022; docs/personal-data.md).

What an erasure removes, what it keeps and for how long, and how soon a request is answered are
dated data in ``resources/rules/personal_data.json``: the law leaves these choices to the
controller (and to other laws: company documents, BPJS), so the branch can change them without
code. This module reads that file and holds the two pure pieces an erasure needs: the keyed
one-way value that stands in for an erased NIK, and the placeholder kept in the NIK column.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from rumah_perisai.domain._rules_data import (
    RowReader,
    check_periods,
    in_period,
    load_rows,
    rules_file,
)
from rumah_perisai.domain.errors import RuleDataError
from rumah_perisai.i18n import N_, tr

PERSONAL_DATA_FILE = "personal_data.json"

# The participant columns an erasure may name, and what each becomes (the NIK is handled apart).
ERASABLE = frozenset(
    {
        "name",
        "birth_place",
        "street",
        "rt",
        "rw",
        "phone",
        "occupation",
        "heir_name",
        "heir_relation",
        "nik",
    }
)
REDUCIBLE = {"birth_date": frozenset({"year"})}
KEPT_KINDS = frozenset({"receipts", "membership", "requests"})
KEEP_FROM = frozenset({"end_of_year", "end_of_membership"})

# An erased participant's NIK column: "X" and the participant's number, never a NIK (a NIK is
# 16 digits), unique within the post as the column must be.
ERASED_NIK_MARK = "X"


@dataclass(frozen=True)
class Keep:
    """Something an erasure keeps: for ``years`` after ``start`` (a year's or the membership's
    end), because of ``source``."""

    what: str
    years: int
    start: str
    source: str


@dataclass(frozen=True)
class PersonalDataRules:
    version: str
    valid_from: date
    valid_to: date | None
    answer_within_hours: int
    breach_notice_hours: int
    erase: frozenset[str]
    reduce: dict[str, str]
    keep: tuple[Keep, ...]

    def kept(self, what: str) -> Keep:
        return next(k for k in self.keep if k.what == what)


def erased_nik(number: int) -> str:
    """What an erased participant's NIK column holds: ``X`` + the number, 15 digits."""
    return f"{ERASED_NIK_MARK}{number:015d}"


def is_erased_nik(value: str) -> bool:
    return value.startswith(ERASED_NIK_MARK)


def keyed_nik(key: bytes, nik: str) -> str:
    """The one-way value kept for an erased NIK: HMAC-SHA256 under a key of this post (or of
    the branch). A NIK has little entropy (region, birth date, 4 digits), so a plain hash could
    be reversed by trying them all; without the key it cannot be."""
    return hmac.new(key, nik.encode("ascii"), hashlib.sha256).hexdigest()


def personal_data_rules(day: date, path: Path | None = None) -> PersonalDataRules:
    """The rules in force on ``day`` (the day of the request)."""
    for rules in load_personal_data_rules(path):
        if in_period(day, rules.valid_from, rules.valid_to):
            return rules
    raise RuleDataError(
        "rule_missing", f"Tidak ada aturan data pribadi yang berlaku pada {day.isoformat()}."
    )


def load_personal_data_rules(path: Path | None = None) -> tuple[PersonalDataRules, ...]:
    """Read and check a personal-data rules file; the shipped one (``path`` None) is cached."""
    return _shipped() if path is None else _read(path)


@cache
def _shipped() -> tuple[PersonalDataRules, ...]:
    return _read(rules_file(PERSONAL_DATA_FILE))


def _read(path: Path) -> tuple[PersonalDataRules, ...]:
    rules = tuple(
        _parse(RowReader(row, f"{path.name} rules[{i}]"))
        for i, row in enumerate(load_rows(path, "rules"))
    )
    check_periods([(r.version, r.valid_from, r.valid_to) for r in rules], "Aturan data pribadi")
    return rules


def _parse(reader: RowReader) -> PersonalDataRules:
    erase = frozenset(reader.strings("erase"))
    if not erase <= ERASABLE:
        raise reader.fail(f"'erase' hanya boleh berisi {', '.join(sorted(ERASABLE))}")
    if "name" not in erase or "nik" not in erase:
        raise reader.fail("'erase' harus berisi name dan nik")
    raw_reduce = reader.row.get("reduce", {})
    if not isinstance(raw_reduce, dict) or any(
        column not in REDUCIBLE or how not in REDUCIBLE[column]
        for column, how in raw_reduce.items()
    ):
        raise reader.fail('\'reduce\' hanya boleh {"birth_date": "year"}')
    keep = []
    raw_keep = reader.row.get("keep")
    if not isinstance(raw_keep, list):
        raise reader.fail("'keep' harus daftar")
    for index, row in enumerate(raw_keep):
        if not isinstance(row, dict):
            raise reader.fail(f"'keep[{index}]' harus objek")
        item = RowReader(row, f"{reader.where} keep[{index}]")
        what, start = item.text("what"), item.text("from")
        if what not in KEPT_KINDS or start not in KEEP_FROM:
            raise item.fail(f"'what' salah satu dari {', '.join(sorted(KEPT_KINDS))}")
        years = item.integer("years")
        if not 0 < years <= 100:
            raise item.fail("'years' harus 1 sampai 100")
        keep.append(Keep(what, years, start, item.text("source")))
    if {k.what for k in keep} != KEPT_KINDS:
        raise reader.fail(f"'keep' harus menyebut {', '.join(sorted(KEPT_KINDS))}")
    for key in ("answer_source", "breach_source", "erase_source"):
        reader.text(key)
    return PersonalDataRules(
        version=reader.text("version"),
        valid_from=reader.day("valid_from"),
        valid_to=reader.optional_day("valid_to"),
        answer_within_hours=reader.integer("answer_within_hours"),
        breach_notice_hours=reader.integer("breach_notice_hours"),
        erase=erase,
        reduce={str(k): str(v) for k, v in raw_reduce.items()},
        keep=tuple(keep),
    )


# What a list, a receipt or a window shows for a participant erased at their request: their
# name column is empty (it is never empty otherwise: registration requires a name).
ERASED_NAME = N_("erased at their request")


def shown_name(name: str) -> str:
    """A participant's name as shown anywhere: ``ERASED_NAME`` after an erasure."""
    return name or tr(ERASED_NAME)
