"""Working age at registration (DOMAIN.md, "Rules this program follows" > Working age)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from rumah_perisai.domain.errors import RuleDataError, RuleError
from rumah_perisai.domain.working_age import (
    WorkingAgeError,
    age_on,
    check_working_age,
    load_working_age_rules,
)

WriteRules = Callable[[dict[str, object]], Path]  # the write_rules fixture (conftest.py)


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1990, 3, 12), date(2025, 3, 11), 34),
        (date(1990, 3, 12), date(2025, 3, 12), 35),  # the birthday itself counts
        (date(2008, 2, 29), date(2023, 2, 28), 14),  # leap-day birth, non-leap year ...
        (date(2008, 2, 29), date(2023, 3, 1), 15),  # ... one year older on 1 March
        (date(2008, 2, 29), date(2024, 2, 29), 16),
        (date(2000, 12, 31), date(2001, 1, 1), 0),
    ],
)
def test_age_in_completed_years(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age


def test_old_enough_on_the_fifteenth_birthday() -> None:
    check_working_age(date(2010, 3, 12), date(2025, 3, 12))
    with pytest.raises(WorkingAgeError) as caught:
        check_working_age(date(2010, 3, 12), date(2025, 3, 11))
    assert caught.value.code == "too_young"
    assert "14" in str(caught.value) and "15" in str(caught.value)


def test_born_29_february_is_old_enough_on_1_march() -> None:
    with pytest.raises(WorkingAgeError):
        check_working_age(date(2008, 2, 29), date(2023, 2, 28))
    check_working_age(date(2008, 2, 29), date(2023, 3, 1))


def test_no_upper_limit_by_default() -> None:
    check_working_age(date(1930, 1, 1), date(2025, 6, 1))


def test_birth_after_registration_is_refused() -> None:
    with pytest.raises(WorkingAgeError) as caught:
        check_working_age(date(2025, 6, 2), date(2025, 6, 1))
    assert caught.value.code == "birth_in_future"
    assert isinstance(caught.value, RuleError)


def test_a_configured_upper_limit_is_inclusive(write_rules: WriteRules) -> None:
    rules = load_working_age_rules(
        write_rules(
            {
                "rules": [
                    {
                        "valid_from": "2015-07-01",
                        "valid_to": None,
                        "min_age": 15,
                        "max_age": 60,
                        "source": "test",
                    }
                ]
            }
        )
    )
    check_working_age(date(1964, 6, 2), date(2025, 6, 1), rules)  # 60 years old
    with pytest.raises(WorkingAgeError) as caught:
        check_working_age(date(1964, 6, 1), date(2025, 6, 1), rules)  # 61 today
    assert caught.value.code == "too_old"


def test_rules_are_dated(write_rules: WriteRules) -> None:
    row = {"valid_from": "2015-07-01", "min_age": 15, "max_age": None, "source": "t"}
    rules = load_working_age_rules(
        write_rules(
            {
                "rules": [
                    {**row, "valid_to": "2025-12-31"},
                    {**row, "valid_from": "2026-01-01", "valid_to": None, "min_age": 18},
                ]
            }
        )
    )
    check_working_age(date(2009, 1, 1), date(2025, 12, 31), rules)  # 16 under the old rule
    with pytest.raises(WorkingAgeError):
        check_working_age(date(2009, 1, 1), date(2026, 1, 1), rules)  # 17 under the new one


def test_registration_before_any_rule_is_a_data_error() -> None:
    with pytest.raises(RuleDataError) as caught:
        check_working_age(date(1980, 1, 1), date(2015, 6, 30))
    assert caught.value.code == "no_working_age_rule"


def test_incoherent_working_age_file_is_refused(write_rules: WriteRules) -> None:
    row = {"valid_from": "2015-07-01", "valid_to": None, "min_age": 20, "max_age": 18}
    with pytest.raises(RuleDataError, match="batas usia"):
        load_working_age_rules(write_rules({"rules": [{**row, "source": "t"}]}))
