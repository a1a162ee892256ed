"""Who is old enough (or not too old) to register.

DOMAIN.md ("Rules this program follows" > Working age): the limits are dated data, by default at
least 15 years old on the registration date with no upper limit. The rows are in
``resources/rules/working_age.json``.
"""

from __future__ import annotations

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
from rumah_perisai.domain.errors import RuleDataError, RuleError
from rumah_perisai.i18n import tr

WORKING_AGE_FILE = "working_age.json"


class WorkingAgeError(RuleError):
    """The person cannot be registered on that day because of their age."""


@dataclass(frozen=True)
class WorkingAgeRule:
    """Age limits for registrations from ``valid_from`` to ``valid_to`` (both inclusive)."""

    valid_from: date
    valid_to: date | None
    min_age: int
    max_age: int | None


def age_on(birth_date: date, day: date) -> int:
    """Completed years of age on ``day``.

    Someone born on 29 February turns a year older on 1 March in non-leap years: on 28 February
    their birthday has not yet come, because (2, 28) < (2, 29). This is the common reading and
    the one that never makes a person old enough a day early.
    """
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def load_working_age_rules(path: Path | None = None) -> tuple[WorkingAgeRule, ...]:
    """Read and check a working-age file; the shipped one (``path`` None) is cached."""
    return _shipped_rules() if path is None else _read_rules(path)


@cache
def _shipped_rules() -> tuple[WorkingAgeRule, ...]:
    return _read_rules(rules_file(WORKING_AGE_FILE))


def _read_rules(path: Path) -> tuple[WorkingAgeRule, ...]:
    rules = tuple(
        _parse_rule(RowReader(row, f"{path.name} rules[{i}]"))
        for i, row in enumerate(load_rows(path, "rules"))
    )
    check_periods([(str(r.valid_from), r.valid_from, r.valid_to) for r in rules], "Batas usia")
    return rules


def _parse_rule(reader: RowReader) -> WorkingAgeRule:
    min_age, max_age = reader.integer("min_age"), reader.optional_integer("max_age")
    if min_age < 0 or (max_age is not None and max_age < min_age):
        raise reader.fail("batas usia tidak masuk akal")
    reader.text("source")
    return WorkingAgeRule(
        reader.day("valid_from"), reader.optional_day("valid_to"), min_age, max_age
    )


def rule_on(
    registration_date: date, rules: tuple[WorkingAgeRule, ...] | None = None
) -> WorkingAgeRule:
    """The working-age rule in force on ``registration_date``."""
    pool = load_working_age_rules() if rules is None else rules
    for rule in pool:
        if in_period(registration_date, rule.valid_from, rule.valid_to):
            return rule
    raise RuleDataError(
        "no_working_age_rule", f"Tidak ada aturan batas usia untuk tanggal {registration_date}."
    )


def check_working_age(
    birth_date: date,
    registration_date: date,
    rules: tuple[WorkingAgeRule, ...] | None = None,
) -> None:
    """Raise :class:`WorkingAgeError` unless the age on ``registration_date`` is within limits.

    ``max_age`` is inclusive: with max_age 60, a 60-year-old may register, a 61-year-old not.
    """
    if birth_date > registration_date:
        raise WorkingAgeError(
            "birth_in_future", tr("The birth date is after the registration date.")
        )
    rule = rule_on(registration_date, rules)
    age = age_on(birth_date, registration_date)
    if age < rule.min_age:
        raise WorkingAgeError(
            "too_young",
            tr("Age {age}; the youngest who may register is {limit}.", age=age, limit=rule.min_age),
        )
    if rule.max_age is not None and age > rule.max_age:
        raise WorkingAgeError(
            "too_old",
            tr("Age {age}; the oldest who may register is {limit}.", age=age, limit=rule.max_age),
        )
