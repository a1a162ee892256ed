"""Monthly dues of a BPU participant.

Rules (DOMAIN.md, "Programmes open to BPU" and "Rules this program follows" > "Dues month"):

* a dues month is a calendar month, priced with the rate table in force on its first day;
* JKK is a percentage of the declared income, JKM a flat amount, JHT a percentage;
* the declared income must be one of the government's brackets (PP 44/2015 Lampiran II, amended);
* each programme's amount is rounded half-up to whole rupiah;
* JKK and JKM are always taken together; JHT only on top of them;
* relief periods (e.g. PP 49/2020) multiply the amounts for the months they cover.

All numbers live in ``resources/rules/dues_rates.json`` as dated rows, never in this code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from rumah_perisai.domain._rules_data import (
    RowReader,
    check_periods,
    in_period,
    load_rows,
    rules_file,
)
from rumah_perisai.domain.errors import RuleDataError, RuleError
from rumah_perisai.domain.months import first_of_month, month_end
from rumah_perisai.formats import money
from rumah_perisai.i18n import N_, tr

JKK, JKM, JHT = "JKK", "JKM", "JHT"
PROGRAMMES = (JKK, JKM, JHT)
RATES_FILE = "dues_rates.json"
# Only reliefs for every BPU participant can be applied: the program does not record a
# participant's sector yet (PP 50/2025 treats transport workers differently).
_AUDIENCE_ALL = "all"

_MESSAGES = {
    "bad_income_type": N_("Declared income must be a whole number of rupiah."),
    "unknown_programme": N_("Unknown programme: {name}. Choose from JKK, JKM, JHT."),
    "no_programme": N_("Choose at least the JKK and JKM programmes."),
    "jkk_jkm_together": N_("JKK and JKM must be taken together."),
    "jht_needs_basic": N_("JHT can only be taken together with JKK and JKM."),
    "no_rate_table": N_("There is no dues table for the month {month}."),
    "income_below_minimum": N_("Declared income must be at least {minimum}."),
    "income_not_a_bracket": N_("{income} is not in the list of BPU income brackets."),
}


class DuesError(RuleError):
    """Dues cannot be computed for what was asked."""

    def __init__(self, code: str, **details: str) -> None:
        super().__init__(code, tr(_MESSAGES[code], **details))


@dataclass(frozen=True)
class DuesBreakdown:
    """One month's dues in whole rupiah; ``rates_version`` names the table and relief used."""

    jkk: int
    jkm: int
    jht: int
    total: int
    rates_version: str


@dataclass(frozen=True)
class RateTable:
    """A base rate table, in force for dues months whose first day is in its period."""

    version: str
    valid_from: date
    valid_to: date | None
    jkk_percent: Decimal
    jkm_flat: int
    jht_percent: Decimal
    minimum_income: int
    income_brackets: tuple[int, ...]


@dataclass(frozen=True)
class Relief:
    """A relief period: each programme's amount is multiplied by its factor (1 = no change)."""

    code: str
    valid_from: date
    valid_to: date | None
    jkk_factor: Decimal
    jkm_factor: Decimal
    jht_factor: Decimal


@dataclass(frozen=True)
class DuesRules:
    """The base tables and the enabled reliefs from one rates file."""

    tables: tuple[RateTable, ...]
    reliefs: tuple[Relief, ...]

    def table_for(self, month: date) -> RateTable:
        day = first_of_month(month)
        for table in self.tables:
            if in_period(day, table.valid_from, table.valid_to):
                return table
        raise DuesError("no_rate_table", month=day.strftime("%m-%Y"))

    def relief_for(self, month: date) -> Relief | None:
        day = first_of_month(month)
        return next((r for r in self.reliefs if in_period(day, r.valid_from, r.valid_to)), None)

    def version_for(self, month: date) -> str:
        relief = self.relief_for(month)
        version = self.table_for(month).version
        return version if relief is None else f"{version}+{relief.code}"


# --- loading -------------------------------------------------------------------------------


def load_dues_rules(path: Path | None = None) -> DuesRules:
    """Read and check a rates file; the shipped one (``path`` None) is read once and cached.

    Relief rows with ``"enabled": false`` are checked for shape and then ignored, so an
    unconfirmed relief never changes what a post charges until the branch enables it.
    """
    return _shipped_rules() if path is None else _read_rules(path)


@cache
def _shipped_rules() -> DuesRules:
    return _read_rules(rules_file(RATES_FILE))


def _read_rules(path: Path) -> DuesRules:
    tables = tuple(
        _parse_table(RowReader(row, f"{path.name} tables[{i}]"))
        for i, row in enumerate(load_rows(path, "tables"))
    )
    reliefs = tuple(
        relief
        for i, row in enumerate(load_rows(path, "reliefs"))
        if (relief := _parse_relief(RowReader(row, f"{path.name} reliefs[{i}]"))) is not None
    )
    if not tables:
        raise RuleDataError("no_rate_tables", f"{path.name}: tidak ada tabel iuran.")
    check_periods([(t.version, t.valid_from, t.valid_to) for t in tables], "Tabel iuran")
    check_periods([(r.code, r.valid_from, r.valid_to) for r in reliefs], "Keringanan iuran")
    return DuesRules(tables=tables, reliefs=reliefs)


def _month_period(reader: RowReader) -> tuple[date, date | None]:
    """A period made of whole dues months, so the "first day of the month" rule is unambiguous."""
    valid_from, valid_to = reader.day("valid_from"), reader.optional_day("valid_to")
    if valid_from != first_of_month(valid_from):
        raise reader.fail("'valid_from' harus tanggal 1")
    if valid_to is not None and valid_to != month_end(valid_to):
        raise reader.fail("'valid_to' harus hari terakhir bulan")
    return valid_from, valid_to


def _parse_table(reader: RowReader) -> RateTable:
    valid_from, valid_to = _month_period(reader)
    brackets = reader.integers("income_brackets")
    minimum = reader.integer("minimum_income")
    if not brackets or any(low >= high for low, high in zip(brackets, brackets[1:], strict=False)):
        raise reader.fail("'income_brackets' harus naik dan tidak berulang")
    if brackets[0] != minimum:
        raise reader.fail("penghasilan terendah harus sama dengan 'minimum_income'")
    jkk, jht = reader.decimal("jkk_percent"), reader.decimal("jht_percent")
    jkm = reader.integer("jkm_flat")
    if jkk < 0 or jht < 0 or jkm < 0 or minimum < 0:
        raise reader.fail("tarif dan penghasilan tidak boleh negatif")
    reader.text("source")
    return RateTable(
        version=reader.text("version"),
        valid_from=valid_from,
        valid_to=valid_to,
        jkk_percent=jkk,
        jkm_flat=jkm,
        jht_percent=jht,
        minimum_income=minimum,
        income_brackets=brackets,
    )


def _parse_relief(reader: RowReader) -> Relief | None:
    valid_from, valid_to = _month_period(reader)
    factors = [reader.decimal(f"{name.lower()}_factor") for name in PROGRAMMES]
    if any(not Decimal(0) <= factor <= Decimal(1) for factor in factors):
        raise reader.fail("faktor keringanan harus antara 0 dan 1")
    code, audience = reader.text("code"), reader.text("applies_to")
    reader.text("source")
    reader.flag("verified")
    if not reader.flag("enabled"):
        return None
    if audience != _AUDIENCE_ALL:
        raise reader.fail("keringanan untuk sektor tertentu belum dapat diaktifkan")
    return Relief(code, valid_from, valid_to, *factors)


# --- pricing -------------------------------------------------------------------------------


def monthly_dues(income: int, programmes: Iterable[str], month: date) -> DuesBreakdown:
    """Dues for one month at the declared ``income`` (rupiah) under the shipped rates file.

    ``month`` may be any day of the month; the month is priced with the table in force on its
    first day (DOMAIN.md, "Dues month").
    """
    return price_month(load_dues_rules(), income, programmes, month)


def price_month(
    rules: DuesRules, income: int, programmes: Iterable[str], month: date
) -> DuesBreakdown:
    """:func:`monthly_dues` against an explicit set of rules (tests, what-if screens)."""
    if not isinstance(income, int) or isinstance(income, bool):
        raise DuesError("bad_income_type")
    chosen = _check_programmes(programmes)
    table = rules.table_for(month)
    _check_income(table, income)
    jkk_factor, jkm_factor, jht_factor = _relief_factors(rules.relief_for(month))
    jkk = _rupiah(Decimal(income) * table.jkk_percent / 100 * jkk_factor)
    jkm = _rupiah(table.jkm_flat * jkm_factor)
    jht = _rupiah(Decimal(income) * table.jht_percent / 100 * jht_factor) if JHT in chosen else 0
    return DuesBreakdown(jkk, jkm, jht, jkk + jkm + jht, rules.version_for(month))


def _relief_factors(relief: Relief | None) -> tuple[Decimal, Decimal, Decimal]:
    if relief is None:
        return Decimal(1), Decimal(1), Decimal(1)
    return relief.jkk_factor, relief.jkm_factor, relief.jht_factor


def _rupiah(amount: Decimal) -> int:
    """Round half-up to whole rupiah once, after any relief, so no rounding step compounds."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _check_programmes(programmes: Iterable[str]) -> frozenset[str]:
    if programmes is None:
        raise DuesError("no_programme")
    # A bare "JKK" would otherwise be read letter by letter.
    items: Iterable[object] = [programmes] if isinstance(programmes, str) else programmes
    try:
        names = frozenset(items)
    except TypeError:
        raise DuesError("unknown_programme", name=repr(programmes)) from None
    chosen = frozenset(name for name in PROGRAMMES if name in names)
    unknown = names - chosen
    if unknown:
        raise DuesError("unknown_programme", name=", ".join(sorted(map(repr, unknown))))
    if not chosen:
        raise DuesError("no_programme")
    if (JKK in chosen) != (JKM in chosen):
        raise DuesError("jkk_jkm_together")
    if JKK not in chosen:
        raise DuesError("jht_needs_basic")
    return chosen


def _check_income(table: RateTable, income: int) -> None:
    if income < table.minimum_income:
        raise DuesError("income_below_minimum", minimum=money(table.minimum_income))
    if income not in table.income_brackets:
        raise DuesError("income_not_a_bracket", income=money(income))


# --- look-ups for forms and receipts --------------------------------------------------------


def income_brackets(on: date) -> list[int]:
    """The declared-income choices for the dues month containing ``on``."""
    return list(load_dues_rules().table_for(on).income_brackets)


def rate_table_version(on: date) -> str:
    """What a receipt stores for the month containing ``on``: table version (+ relief code)."""
    return load_dues_rules().version_for(on)
