"""Volunteer (agent) incentives: dated schemes, and one volunteer's month under a scheme.

DOMAIN.md ("Agent incentives"; "Rules this program follows" > Incentives):

* 2018 scheme: Rp 500,000 for every full 50 new participants, plus 7.5% of dues; a remainder short
  of a full 50 does not carry over to the next month;
* 2022 scheme (Perdir 13/PERDIR.02/042022): Rp 10,000 per new JKK+JKM participant (Rp 15,000 with
  JHT), only in a month with at least 25 new participants whose NIK was never registered before
  (per volunteer per month); 15% of dues in a participant's membership months 1-24, 5% in 25-60;
* both: 10% of the gross goes to the wadah; a statement shows gross, the wadah's share and net.

Decided here: the scheme of a month is the one in force on the month's first day. Only new
participants whose NIK is new are paid under the 2022 scheme (a NIK registered before is not a new
BPU participant). Each statement part (registration part, each dues band, wadah share) is rounded
half-up to whole rupiah on its own. Dues lines are net of voids, so a month in which voids outweigh
payments gives a negative dues part (the earlier month's incentive is clawed back). Dues months
outside every band (after month 60 in 2022) earn nothing.

The numbers live in ``resources/rules/incentives.json``; this module only reads and applies them.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from rumah_perisai.domain.months import first_of_month
from rumah_perisai.formats import money, number
from rumah_perisai.i18n import N_, tr

INCENTIVES_FILE = "incentives.json"
RULE_PER_BLOCK = "per_block"
RULE_PER_PARTICIPANT = "per_participant"

PART_REGISTRATION = "registration"
PART_DUES = "dues"
PART_NOTE = "note"


@dataclass(frozen=True)
class DuesBand:
    """``percent`` of dues paid for membership months ``from_month`` .. ``to_month``."""

    from_month: int
    to_month: int | None
    percent: Decimal

    def holds(self, membership_month: int) -> bool:
        return self.from_month <= membership_month and (
            self.to_month is None or membership_month <= self.to_month
        )


@dataclass(frozen=True)
class RegistrationRule:
    """How new participants are paid: per full block, or per participant above a threshold."""

    rule: str
    block_size: int = 0
    amount_per_block: int = 0
    amount_basic: int = 0
    amount_with_jht: int = 0
    minimum_new_nik: int = 0


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    valid_from: date
    valid_to: date | None
    registration: RegistrationRule
    dues_bands: tuple[DuesBand, ...]
    wadah_percent: Decimal


@dataclass(frozen=True)
class NewParticipant:
    """A participant the volunteer registered in the month (never a rejoin)."""

    with_jht: bool
    nik_new: bool = True  # no earlier registration of the NIK


@dataclass(frozen=True)
class DuesLine:
    """Dues of one dues month paid (positive) or voided (negative), JHT included."""

    amount: int
    membership_month: int  # 1 = the month the membership started in


@dataclass(frozen=True)
class StatementLine:
    part: str  # registration, dues or note (a note has no amount)
    text: str  # in the user's language
    amount: int | None


@dataclass(frozen=True)
class MonthIncentive:
    scheme_code: str | None
    lines: tuple[StatementLine, ...]
    gross: int
    wadah_share: int

    @property
    def net(self) -> int:
        return self.gross - self.wadah_share


# --- the rules file ----------------------------------------------------------------------------


def load_schemes(path: Path | None = None) -> tuple[Scheme, ...]:
    """Read and check an incentives file; the shipped one (``path`` None) is cached."""
    return _shipped_schemes() if path is None else _read_schemes(path)


@cache
def _shipped_schemes() -> tuple[Scheme, ...]:
    return _read_schemes(rules_file(INCENTIVES_FILE))


def _read_schemes(path: Path) -> tuple[Scheme, ...]:
    schemes = tuple(
        _parse_scheme(RowReader(row, f"{path.name} schemes[{i}]"))
        for i, row in enumerate(load_rows(path, "schemes"))
    )
    check_periods([(s.code, s.valid_from, s.valid_to) for s in schemes], "Skema insentif")
    return schemes


def _percent(reader: RowReader, key: str) -> Decimal:
    value = reader.decimal(key)
    if not Decimal(0) <= value <= Decimal(100):
        raise reader.fail(f"'{key}' harus antara 0 dan 100")
    return value


def _positive(reader: RowReader, key: str) -> int:
    value = reader.integer(key)
    if value < 1:
        raise reader.fail(f"'{key}' harus lebih dari 0")
    return value


def _parse_registration(reader: RowReader) -> RegistrationRule:
    raw = reader.row.get("registration")
    if not isinstance(raw, dict):
        raise reader.fail("'registration' harus berupa objek")
    inner = RowReader(raw, f"{reader.where}.registration")
    rule = inner.text("rule")
    if rule == RULE_PER_BLOCK:
        return RegistrationRule(
            rule,
            block_size=_positive(inner, "block_size"),
            amount_per_block=_positive(inner, "amount_per_block"),
        )
    if rule == RULE_PER_PARTICIPANT:
        return RegistrationRule(
            rule,
            amount_basic=_positive(inner, "amount_basic"),
            amount_with_jht=_positive(inner, "amount_with_jht"),
            minimum_new_nik=inner.integer("minimum_new_nik"),
        )
    raise inner.fail(f"'rule' tidak dikenal: {rule}")


def _parse_bands(reader: RowReader) -> tuple[DuesBand, ...]:
    raw = reader.row.get("dues_bands")
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise reader.fail("'dues_bands' harus daftar objek")
    bands = []
    for i, item in enumerate(raw):
        inner = RowReader(item, f"{reader.where}.dues_bands[{i}]")
        band = DuesBand(
            _positive(inner, "from_month"),
            inner.optional_integer("to_month"),
            _percent(inner, "percent"),
        )
        if band.to_month is not None and band.to_month < band.from_month:
            raise inner.fail("'to_month' sebelum 'from_month'")
        bands.append(band)
    ordered = sorted(bands, key=lambda band: band.from_month)
    for band, following in zip(ordered, ordered[1:], strict=False):
        if band.to_month is None or band.to_month >= following.from_month:
            raise reader.fail("rentang bulan 'dues_bands' tumpang tindih")
    return tuple(ordered)


def _parse_scheme(reader: RowReader) -> Scheme:
    reader.text("source")
    reader.flag("verified", False)
    return Scheme(
        code=reader.text("code"),
        name=reader.text("name"),
        valid_from=reader.day("valid_from"),
        valid_to=reader.optional_day("valid_to"),
        registration=_parse_registration(reader),
        dues_bands=_parse_bands(reader),
        wadah_percent=_percent(reader, "wadah_percent"),
    )


def scheme_for_month(month: date, schemes: tuple[Scheme, ...] | None = None) -> Scheme | None:
    """The scheme in force on the first day of ``month``, or None (then nothing is owed)."""
    pool = load_schemes() if schemes is None else schemes
    day = first_of_month(month)
    return next((s for s in pool if in_period(day, s.valid_from, s.valid_to)), None)


# --- one volunteer's month ---------------------------------------------------------------------


def round_half_up(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _percent_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _registration_lines(
    rule: RegistrationRule, new: Sequence[NewParticipant]
) -> list[StatementLine]:
    if rule.rule == RULE_PER_BLOCK:
        blocks, remainder = divmod(len(new), rule.block_size)
        lines = [
            StatementLine(
                PART_REGISTRATION,
                tr(
                    N_("{count} new participants: {blocks} full blocks of {size} × {amount}"),
                    count=number(len(new)),
                    blocks=number(blocks),
                    size=number(rule.block_size),
                    amount=money(rule.amount_per_block),
                ),
                blocks * rule.amount_per_block,
            )
        ]
        if remainder:
            lines.append(
                StatementLine(
                    PART_NOTE,
                    tr(
                        N_("{count} new participants short of a full block do not carry over."),
                        count=number(remainder),
                    ),
                    None,
                )
            )
        return lines
    paid = [p for p in new if p.nik_new]
    with_jht = sum(1 for p in paid if p.with_jht)
    if len(paid) < rule.minimum_new_nik:
        return [
            StatementLine(
                PART_REGISTRATION,
                tr(
                    N_(
                        "{count} new participants with a new NIK, fewer than {minimum}: "
                        "no registration incentive this month"
                    ),
                    count=number(len(paid)),
                    minimum=number(rule.minimum_new_nik),
                ),
                0,
            )
        ]
    basic = len(paid) - with_jht
    return [
        StatementLine(
            PART_REGISTRATION,
            tr(
                N_("{count} new JKK + JKM participants × {amount}"),
                count=number(basic),
                amount=money(rule.amount_basic),
            ),
            basic * rule.amount_basic,
        ),
        StatementLine(
            PART_REGISTRATION,
            tr(
                N_("{count} new participants with JHT × {amount}"),
                count=number(with_jht),
                amount=money(rule.amount_with_jht),
            ),
            with_jht * rule.amount_with_jht,
        ),
    ]


def _band_text(band: DuesBand, base: int) -> str:
    percent = _percent_text(band.percent)
    if band.to_month is None and band.from_month == 1:
        return tr(N_("{percent}% of dues {base}"), percent=percent, base=money(base))
    if band.to_month is None:
        return tr(
            N_("{percent}% of dues in membership months {first} and later {base}"),
            percent=percent,
            first=band.from_month,
            base=money(base),
        )
    return tr(
        N_("{percent}% of dues in membership months {first}–{last} {base}"),
        percent=percent,
        first=band.from_month,
        last=band.to_month,
        base=money(base),
    )


def month_incentive(
    scheme: Scheme | None,
    new_participants: Sequence[NewParticipant],
    dues_lines: Sequence[DuesLine],
) -> MonthIncentive:
    """One volunteer's incentive for one month under ``scheme`` (None: no scheme in force)."""
    if scheme is None:
        note = StatementLine(
            PART_NOTE, tr(N_("No incentive scheme was in force in this month.")), None
        )
        return MonthIncentive(None, (note,), 0, 0)
    lines = _registration_lines(scheme.registration, new_participants)
    for band in scheme.dues_bands:
        base = sum(line.amount for line in dues_lines if band.holds(line.membership_month))
        amount = round_half_up(Decimal(base) * band.percent / 100)
        lines.append(StatementLine(PART_DUES, _band_text(band, base), amount))
    gross = sum(line.amount for line in lines if line.amount is not None)
    wadah = round_half_up(Decimal(gross) * scheme.wadah_percent / 100)
    return MonthIncentive(scheme.code, tuple(lines), gross, wadah)
