"""Shared helpers for reading the dated rule files in ``resources/rules/``.

DOMAIN.md asks that every number that may change (rates, reliefs, promotions, working age) be kept
as editable, dated data. These helpers turn a malformed file into a :class:`RuleDataError` naming
the file and the row, instead of a KeyError deep inside a calculation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from rumah_perisai.domain.errors import RuleDataError
from rumah_perisai.resources import resource_path

Row = dict[str, object]


def rules_file(name: str) -> Path:
    """Where a shipped rule file lives."""
    return resource_path("rules", name)


def load_rows(path: Path, key: str) -> list[Row]:
    """The list of objects under ``key`` in the JSON file at ``path``.

    Floats are read as ``Decimal`` so that a percentage such as 0.5 is exact.
    """
    try:
        with path.open(encoding="utf-8") as handle:
            document: object = json.load(handle, parse_float=Decimal)
    except FileNotFoundError as exc:
        raise RuleDataError("rule_file_missing", f"Berkas aturan tidak ditemukan: {path}") from exc
    except (OSError, ValueError) as exc:
        raise RuleDataError("rule_file_unreadable", f"Berkas aturan rusak: {path} ({exc})") from exc
    rows = document.get(key) if isinstance(document, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise RuleDataError("rule_file_shape", f"Berkas {path.name} harus berisi daftar '{key}'.")
    return rows


@dataclass(frozen=True)
class RowReader:
    """Typed access to one row, with errors that say which file and row is wrong."""

    row: Row
    where: str

    def fail(self, what: str) -> RuleDataError:
        return RuleDataError("rule_data_invalid", f"{self.where}: {what}")

    def text(self, key: str) -> str:
        value = self.row.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"'{key}' harus berupa teks")
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        value = self.row.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"'{key}' harus true atau false")
        return value

    def integer(self, key: str) -> int:
        value = self.row.get(key)
        # bool is an int subclass; a stray true must not become 1.
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"'{key}' harus bilangan bulat")
        return value

    def optional_integer(self, key: str) -> int | None:
        return None if self.row.get(key) is None else self.integer(key)

    def decimal(self, key: str) -> Decimal:
        value = self.row.get(key)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.fail(f"'{key}' harus angka")
        return Decimal(value)

    def day(self, key: str) -> date:
        value = self.row.get(key)
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(f"'{key}' harus tanggal YYYY-MM-DD")

    def optional_day(self, key: str) -> date | None:
        return None if self.row.get(key) is None else self.day(key)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.row.get(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(f"'{key}' harus daftar teks")
        return tuple(str(item) for item in value)

    def integers(self, key: str) -> tuple[int, ...]:
        value = self.row.get(key)
        if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        ):
            raise self.fail(f"'{key}' harus daftar bilangan bulat")
        return tuple(int(item) for item in value)


def in_period(day: date, valid_from: date, valid_to: date | None) -> bool:
    """Whether ``day`` lies in the closed period; ``valid_to`` None means still in force."""
    return valid_from <= day and (valid_to is None or day <= valid_to)


def check_periods(periods: Sequence[tuple[str, date, date | None]], what: str) -> None:
    """Reject periods that end before they start or overlap one another.

    Two rows in force on the same day would make the answer depend on file order, so the file is
    refused instead (the branch must end one row before the next begins).
    """
    for name, valid_from, valid_to in periods:
        if valid_to is not None and valid_to < valid_from:
            raise RuleDataError("rule_period_reversed", f"{what} {name}: berakhir sebelum mulai.")
    ordered = sorted(periods, key=lambda period: period[1])
    for (name, _, end), (next_name, next_start, _) in zip(ordered, ordered[1:], strict=False):
        if end is None or end >= next_start:
            raise RuleDataError(
                "rule_period_overlap", f"{what} {name} dan {next_name} berlaku pada hari yang sama."
            )
