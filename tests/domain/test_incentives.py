"""Volunteer incentive schemes (DOMAIN.md, "Agent incentives"; "Rules this program follows" >
Incentives), computed from plain inputs. Expected values are worked out by hand in comments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from rumah_perisai.domain.errors import RuleDataError
from rumah_perisai.domain.incentives import (
    PART_NOTE,
    DuesLine,
    NewParticipant,
    load_schemes,
    month_incentive,
    scheme_for_month,
)

WriteRules = Callable[[dict[str, object]], Path]

S2018 = scheme_for_month(date(2020, 6, 1))
S2022 = scheme_for_month(date(2026, 11, 1))


def _new(count: int, with_jht: int = 0, old_nik: int = 0) -> list[NewParticipant]:
    return (
        [NewParticipant(with_jht=True) for _ in range(with_jht)]
        + [NewParticipant(with_jht=False) for _ in range(count - with_jht - old_nik)]
        + [NewParticipant(with_jht=False, nik_new=False) for _ in range(old_nik)]
    )


def test_shipped_schemes_and_their_periods() -> None:
    schemes = load_schemes()
    assert [s.code for s in schemes] == ["PERISAI-2018", "PERDIR-13-2022"]
    assert S2018 is not None and S2018.code == "PERISAI-2018"
    assert S2022 is not None and S2022.code == "PERDIR-13-2022"
    assert scheme_for_month(date(2022, 3, 31)) == S2018
    assert scheme_for_month(date(2022, 4, 1)) == S2022
    assert scheme_for_month(date(2017, 12, 1)) is None


@pytest.mark.parametrize(
    ("count", "registration"),
    # full blocks of 50 × Rp 500,000; the remainder does not carry over
    [(0, 0), (49, 0), (50, 500_000), (99, 500_000), (100, 1_000_000)],
)
def test_2018_blocks_of_fifty(count: int, registration: int) -> None:
    result = month_incentive(S2018, _new(count), [])
    assert result.lines[0].amount == registration
    assert result.gross == registration
    assert result.wadah_share == registration // 10
    assert result.net == registration - registration // 10
    notes = [line for line in result.lines if line.part == PART_NOTE]
    assert len(notes) == (1 if count % 50 else 0)


def test_2018_dues_percent_rounds_half_up() -> None:
    # dues 16,800 + 36,800 + 16,800 − 16,800 (a void) = 53,600; 7.5% = 4,020 exactly
    lines = [DuesLine(16_800, 3), DuesLine(36_800, 40), DuesLine(16_800, 1), DuesLine(-16_800, 1)]
    result = month_incentive(S2018, _new(50), lines)
    assert [line.amount for line in result.lines] == [500_000, 4_020]
    # gross 504,020; wadah 10% = 50,402; net 453,618
    assert (result.gross, result.wadah_share, result.net) == (504_020, 50_402, 453_618)
    # 7.5% of 16,806 = 1,260.45 -> 1,260; of 16,810 = 1,260.75 -> 1,261; 7.5% of 20 = 1.5 -> 2
    assert month_incentive(S2018, [], [DuesLine(16_806, 1)]).gross == 1_260
    assert month_incentive(S2018, [], [DuesLine(16_810, 1)]).gross == 1_261
    assert month_incentive(S2018, [], [DuesLine(20, 1)]).gross == 2
    # the wadah share rounds half-up too: 10% of 1,265 = 126.5 -> 127
    assert month_incentive(S2018, [], [DuesLine(16_866, 1)]).wadah_share == 127  # gross 1,265


@pytest.mark.parametrize(
    ("count", "with_jht", "old_nik", "registration"),
    [
        (24, 0, 0, 0),  # threshold not met
        (25, 0, 0, 250_000),  # 25 × 10,000
        (25, 5, 0, 275_000),  # 20 × 10,000 + 5 × 15,000
        (26, 0, 2, 0),  # only 24 with a new NIK
        (27, 1, 2, 255_000),  # 25 new NIKs: 24 × 10,000 + 1 × 15,000; old NIKs unpaid
    ],
)
def test_2022_threshold_of_25_new_niks(
    count: int, with_jht: int, old_nik: int, registration: int
) -> None:
    result = month_incentive(S2022, _new(count, with_jht, old_nik), [])
    assert sum(line.amount or 0 for line in result.lines if line.part == "registration") == (
        registration
    )
    assert result.gross == registration


def test_2022_membership_month_24_and_25() -> None:
    # 15% of months 1–24: 36,800 (month 24) + 16,800 (month 1) = 53,600 -> 8,040
    # 5% of months 25–60: 36,800 (month 25) + 16,800 (month 60) = 53,600 -> 2,680
    # month 61: nothing
    lines = [
        DuesLine(36_800, 24),
        DuesLine(16_800, 1),
        DuesLine(36_800, 25),
        DuesLine(16_800, 60),
        DuesLine(16_800, 61),
    ]
    result = month_incentive(S2022, _new(3), lines)
    dues = [line.amount for line in result.lines if line.part == "dues"]
    assert dues == [8_040, 2_680]
    # gross 10,720 (no registration part below 25 new); wadah 1,072; net 9,648
    assert (result.gross, result.wadah_share, result.net) == (10_720, 1_072, 9_648)


def test_no_scheme_in_force_is_said() -> None:
    result = month_incentive(None, _new(60), [DuesLine(16_800, 1)])
    assert (result.gross, result.wadah_share, result.net, result.scheme_code) == (0, 0, 0, None)
    assert result.lines[0].part == PART_NOTE and result.lines[0].text


def _document(**changes: object) -> dict[str, object]:
    scheme: dict[str, object] = {
        "code": "X",
        "name": "X",
        "valid_from": "2020-01-01",
        "valid_to": None,
        "registration": {"rule": "per_block", "block_size": 10, "amount_per_block": 1000},
        "dues_bands": [{"from_month": 1, "to_month": None, "percent": 5}],
        "wadah_percent": 10,
        "source": "test",
    }
    scheme.update(changes)
    return {"schemes": [scheme]}


def test_a_file_of_our_own_is_read(write_rules: WriteRules) -> None:
    (scheme,) = load_schemes(write_rules(_document()))
    assert scheme.registration.block_size == 10


@pytest.mark.parametrize(
    "changes",
    [
        {"registration": {"rule": "lottery"}},
        {"registration": {"rule": "per_block", "block_size": 0, "amount_per_block": 1}},
        {"dues_bands": [{"from_month": 1, "to_month": 24, "percent": 150}]},
        {
            "dues_bands": [
                {"from_month": 1, "to_month": 24, "percent": 15},
                {"from_month": 24, "to_month": 60, "percent": 5},
            ]
        },
        {"valid_to": "2019-01-01"},
        {"source": ""},
    ],
)
def test_a_bad_file_is_refused(write_rules: WriteRules, changes: dict[str, object]) -> None:
    with pytest.raises(RuleDataError):
        load_schemes(write_rules(_document(**changes)))
