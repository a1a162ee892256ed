"""Monthly dues: what the post asks a participant to pay (DOMAIN.md, "Programmes open to BPU")."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rumah_perisai.domain.dues import (
    DuesBreakdown,
    DuesError,
    income_brackets,
    load_dues_rules,
    monthly_dues,
    price_month,
    rate_table_version,
)
from rumah_perisai.domain.errors import RuleDataError, RuleError
from rumah_perisai.resources import resource_path

WriteRules = Callable[[dict[str, object]], Path]  # the write_rules fixture (conftest.py)

BASIC = ("JKK", "JKM")
FULL = ("JKK", "JKM", "JHT")
BASE_VERSION = "BPU-PP44-2015"


def table(**changes: object) -> dict[str, object]:
    """A base table row like the shipped one, with ``changes``."""
    row: dict[str, object] = {
        "version": "T1",
        "valid_from": "2015-07-01",
        "valid_to": None,
        "jkk_percent": 1,
        "jkm_flat": 6800,
        "jht_percent": 2,
        "minimum_income": 1_000_000,
        "income_brackets": [1_000_000, 1_500_000, 2_000_000],
        "source": "test",
    }
    row.update(changes)
    return row


def relief(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "code": "R1",
        "enabled": True,
        "verified": True,
        "applies_to": "all",
        "valid_from": "2026-04-01",
        "valid_to": "2026-12-31",
        "jkk_factor": 0.5,
        "jkm_factor": 0.5,
        "jht_factor": 1,
        "source": "test",
    }
    row.update(changes)
    return row


def rules_doc(tables: list[Any], reliefs: list[Any] | None = None) -> dict[str, object]:
    return {"tables": tables, "reliefs": reliefs or []}


# --- the shipped rates ----------------------------------------------------------------------------


def test_basic_package_at_the_minimum_income_is_16800() -> None:
    assert monthly_dues(1_000_000, BASIC, date(2025, 5, 1)) == DuesBreakdown(
        jkk=10_000, jkm=6_800, jht=0, total=16_800, rates_version=BASE_VERSION
    )


def test_with_jht_at_the_minimum_income_is_36800() -> None:
    dues = monthly_dues(1_000_000, FULL, date(2025, 5, 1))
    assert (dues.jkk, dues.jkm, dues.jht, dues.total) == (10_000, 6_800, 20_000, 36_800)


def test_the_highest_bracket() -> None:
    dues = monthly_dues(20_700_000, FULL, date(2025, 5, 1))
    assert (dues.jkk, dues.jkm, dues.jht, dues.total) == (207_000, 6_800, 414_000, 627_800)


def test_jkm_is_flat_whatever_the_income() -> None:
    assert monthly_dues(5_000_000, BASIC, date(2025, 5, 1)).jkm == 6_800


@pytest.mark.parametrize(
    "programmes",
    [
        ["JKK", "JKM"],
        ("JKM", "JKK"),
        {"JKK", "JKM"},
        ["JKK", "JKM", "JKK", "JKM"],
        (name for name in ["JKK", "JKM"]),
    ],
)
def test_any_iterable_of_programmes_with_duplicates(programmes: Iterable[str]) -> None:
    assert monthly_dues(1_000_000, programmes, date(2025, 5, 1)).total == 16_800


def test_any_day_of_the_month_prices_the_whole_month() -> None:
    first = monthly_dues(1_000_000, BASIC, date(2025, 5, 1))
    assert monthly_dues(1_000_000, BASIC, date(2025, 5, 31)) == first


@pytest.mark.parametrize(
    ("programmes", "code"),
    [
        (["JKK"], "jkk_jkm_together"),
        (["JKM"], "jkk_jkm_together"),
        (["JKK", "JHT"], "jkk_jkm_together"),
        (["JKM", "JHT"], "jkk_jkm_together"),
        (["JHT"], "jht_needs_basic"),
        ([], "no_programme"),
        (None, "no_programme"),
        ("JKK", "jkk_jkm_together"),  # a bare string is one programme, not three letters
        (["jkk", "JKM"], "unknown_programme"),  # names are case-sensitive
        (["JKK", "JKM", "JP"], "unknown_programme"),  # pension is not open to BPU
        ([1, 2], "unknown_programme"),
        ([["JKK"]], "unknown_programme"),  # unhashable item: still a DuesError, not TypeError
        (42, "unknown_programme"),
    ],
)
def test_programme_choices_that_are_refused(programmes: Any, code: str) -> None:
    with pytest.raises(DuesError) as caught:
        monthly_dues(1_000_000, programmes, date(2025, 5, 1))
    assert caught.value.code == code


@pytest.mark.parametrize("income", [True, 1_000_000.0, "1000000", Decimal(1_000_000), None])
def test_income_must_be_whole_rupiah(income: Any) -> None:
    with pytest.raises(DuesError) as caught:
        monthly_dues(income, BASIC, date(2025, 5, 1))
    assert caught.value.code == "bad_income_type"


def test_income_below_the_minimum() -> None:
    with pytest.raises(DuesError) as caught:
        monthly_dues(999_999, BASIC, date(2025, 5, 1))
    assert caught.value.code == "income_below_minimum"
    assert "1.000.000" in str(caught.value)


@pytest.mark.parametrize("income", [1_050_000, 20_800_000, 1_000_001])
def test_income_must_be_one_of_the_brackets(income: int) -> None:
    with pytest.raises(DuesError) as caught:
        monthly_dues(income, BASIC, date(2025, 5, 1))
    assert caught.value.code == "income_not_a_bracket"


def test_months_before_the_first_table_have_no_price() -> None:
    with pytest.raises(DuesError) as caught:
        monthly_dues(1_000_000, BASIC, date(2015, 6, 30))
    assert caught.value.code == "no_rate_table"
    assert monthly_dues(1_000_000, BASIC, date(2015, 7, 31)).total == 16_800


def test_dues_errors_are_rule_errors_with_indonesian_text() -> None:
    with pytest.raises(RuleError, match="JKK dan JKM harus diambil bersama"):
        monthly_dues(1_000_000, ["JKK"], date(2025, 5, 1))


# --- relief periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "basic_total"),
    [
        (date(2020, 7, 31), 16_800),  # the month before the COVID relief
        (date(2020, 8, 1), 168),  # first relief month: JKK 100 + JKM 68
        (date(2020, 12, 15), 168),
        (date(2021, 1, 31), 168),  # last relief month
        (date(2021, 2, 1), 16_800),  # back to normal
    ],
)
def test_covid_relief_pp49_2020_cuts_jkk_and_jkm_by_99_percent(
    month: date, basic_total: int
) -> None:
    assert monthly_dues(1_000_000, BASIC, month).total == basic_total


def test_covid_relief_leaves_jht_alone_and_is_named_on_the_receipt() -> None:
    dues = monthly_dues(1_000_000, FULL, date(2020, 9, 1))
    assert (dues.jkk, dues.jkm, dues.jht, dues.total) == (100, 68, 20_000, 20_168)
    assert dues.rates_version == f"{BASE_VERSION}+PP49-2020"


def test_unconfirmed_pp50_2025_relief_does_not_change_what_the_post_charges() -> None:
    # Shipped disabled until the branch confirms it (see resources/rules/dues_rates.json).
    dues = monthly_dues(1_000_000, BASIC, date(2026, 6, 1))
    assert (dues.total, dues.rates_version) == (16_800, BASE_VERSION)


def test_shipped_relief_rows_are_enabled_only_when_verified() -> None:
    document = json.loads(resource_path("rules", "dues_rates.json").read_text(encoding="utf-8"))
    for row in document["reliefs"]:
        assert row["source"] and row["note"]
        assert row["verified"] or not row["enabled"], row["code"]
    for row in document["tables"]:
        assert row["source"] and row["note"]


def test_pp50_relief_once_enabled_halves_jkk_and_jkm_from_april_to_december_2026(
    write_rules: WriteRules,
) -> None:
    shipped = json.loads(resource_path("rules", "dues_rates.json").read_text(encoding="utf-8"))
    for row in shipped["reliefs"]:
        if row["code"] == "PP50-2025":
            row["enabled"] = True
    rules = load_dues_rules(write_rules(shipped))
    assert price_month(rules, 1_000_000, BASIC, date(2026, 3, 31)).total == 16_800
    enabled = price_month(rules, 1_000_000, FULL, date(2026, 4, 1))
    assert (enabled.jkk, enabled.jkm, enabled.jht, enabled.total) == (5_000, 3_400, 20_000, 28_400)
    assert enabled.rates_version == f"{BASE_VERSION}+PP50-2025"
    assert price_month(rules, 1_000_000, BASIC, date(2026, 12, 31)).total == 8_400
    assert price_month(rules, 1_000_000, BASIC, date(2027, 1, 1)).total == 16_800


def test_a_sector_only_relief_cannot_be_enabled(write_rules: WriteRules) -> None:
    path = write_rules(rules_doc([table()], [relief(applies_to="transport")]))
    with pytest.raises(RuleDataError, match="sektor"):
        load_dues_rules(path)


def test_disabled_relief_rows_are_ignored_even_when_they_overlap(write_rules: WriteRules) -> None:
    path = write_rules(rules_doc([table()], [relief(), relief(code="R2", enabled=False)]))
    assert [r.code for r in load_dues_rules(path).reliefs] == ["R1"]


def test_rounding_is_half_up_per_programme_after_relief(write_rules: WriteRules) -> None:
    rules = load_dues_rules(
        write_rules(
            rules_doc(
                [table(jkm_flat=6801, income_brackets=[1_000_000, 1_000_050])],
                [relief(jkk_factor=1, jkm_factor=0.5)],
            )
        )
    )
    dues = price_month(rules, 1_000_050, FULL, date(2026, 4, 1))
    # 10,000.5 -> 10,001; 6,801 x 0.5 = 3,400.5 -> 3,401 (banker's rounding would give 3,400);
    # 20,001 exactly.
    assert (dues.jkk, dues.jkm, dues.jht, dues.total) == (10_001, 3_401, 20_001, 33_403)


# --- dated base tables ----------------------------------------------------------------------------


def test_a_rate_change_month_is_priced_by_its_first_day(write_rules: WriteRules) -> None:
    rules = load_dues_rules(
        write_rules(
            rules_doc(
                [
                    table(version="OLD", valid_to="2030-06-30"),
                    table(version="NEW", valid_from="2030-07-01", jkm_flat=10_000),
                ]
            )
        )
    )
    assert price_month(rules, 1_000_000, BASIC, date(2030, 6, 30)).total == 16_800
    july = price_month(rules, 1_000_000, BASIC, date(2030, 7, 31))
    assert (july.total, july.rates_version) == (20_000, "NEW")
    assert price_month(rules, 1_000_000, BASIC, date(2030, 7, 1)).rates_version == "NEW"


def test_a_gap_between_tables_has_no_price(write_rules: WriteRules) -> None:
    rules = load_dues_rules(
        write_rules(
            rules_doc(
                [
                    table(version="OLD", valid_to="2030-05-31"),
                    table(version="NEW", valid_from="2030-07-01"),
                ]
            )
        )
    )
    with pytest.raises(DuesError) as caught:
        price_month(rules, 1_000_000, BASIC, date(2030, 6, 10))
    assert caught.value.code == "no_rate_table"


def test_shipped_brackets_run_from_1_million_to_20_7_million() -> None:
    brackets = income_brackets(date(2025, 5, 20))
    assert (brackets[0], brackets[-1]) == (1_000_000, 20_700_000)
    assert brackets == sorted(set(brackets))


def test_rate_table_version_names_table_and_relief() -> None:
    assert rate_table_version(date(2025, 5, 20)) == BASE_VERSION
    assert rate_table_version(date(2021, 1, 31)) == f"{BASE_VERSION}+PP49-2020"


def test_shipped_rules_are_read_once() -> None:
    assert load_dues_rules() is load_dues_rules()


# --- broken rate files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tables", "reliefs", "needle"),
    [
        ([table(), table(version="T2", valid_from="2020-01-01")], [], "T1 dan T2"),
        ([table(valid_to="2019-12-31"), table(version="T2", valid_from="2019-12-01")], [], "T2"),
        ([table(income_brackets=[1_000_000, 3_000_000, 2_000_000])], [], "naik"),
        ([table(income_brackets=[1_000_000, 1_000_000])], [], "naik"),
        ([table(income_brackets=[])], [], "naik"),
        ([table(income_brackets=[1_500_000, 2_000_000])], [], "minimum_income"),
        ([table(valid_from="2015-07-02")], [], "tanggal 1"),
        ([table(valid_to="2020-06-15")], [], "hari terakhir"),
        ([table(valid_from="2015-07-01", valid_to="2015-06-30")], [], "berakhir sebelum"),
        ([table(jkm_flat="6800")], [], "jkm_flat"),
        ([table(jkk_percent=True)], [], "jkk_percent"),
        ([table(source="")], [], "source"),
        ([], [], "tidak ada tabel"),
        ([table()], [relief(), relief(code="R2", valid_from="2026-12-01")], "R1 dan R2"),
        ([table()], [relief(jkm_factor=1.5)], "faktor"),
        ([table()], [relief(enabled="yes")], "enabled"),
    ],
)
def test_incoherent_rate_files_are_refused(
    write_rules: WriteRules, tables: list[Any], reliefs: list[Any], needle: str
) -> None:
    with pytest.raises(RuleDataError, match=needle):
        load_dues_rules(write_rules(rules_doc(tables, reliefs)))


def test_missing_or_unreadable_rate_file(tmp_path: Path) -> None:
    with pytest.raises(RuleDataError) as caught:
        load_dues_rules(tmp_path / "nowhere.json")
    assert caught.value.code == "rule_file_missing"
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(RuleDataError) as caught:
        load_dues_rules(broken)
    assert caught.value.code == "rule_file_unreadable"
    wrong_shape = tmp_path / "shape.json"
    wrong_shape.write_text('{"tables": {}}', encoding="utf-8")
    with pytest.raises(RuleDataError) as caught:
        load_dues_rules(wrong_shape)
    assert caught.value.code == "rule_file_shape"
