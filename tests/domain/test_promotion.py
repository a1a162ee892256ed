"""The free JKK + JKM promotion (DOMAIN.md, "Rules this program follows" > Promotion)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from rumah_perisai.domain.errors import RuleDataError
from rumah_perisai.domain.promotion import (
    PromotionCover,
    campaign_on,
    load_campaigns,
    promotion_cover,
)

WriteRules = Callable[[dict[str, object]], Path]  # the write_rules fixture (conftest.py)
DEFAULT_CODE = "PERISAI-JKK-JKM-3BLN"


def campaign(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "code": "C1",
        "name": "Gratis 3 bulan",
        "valid_from": "2024-01-01",
        "valid_to": "2024-12-31",
        "programmes": ["JKK", "JKM"],
        "months": 3,
        "end_rule": "month_end",
        "source": "test",
    }
    row.update(changes)
    return row


@pytest.mark.parametrize(
    ("registered", "covered_to"),
    [
        (date(2025, 1, 15), date(2025, 4, 30)),  # the DOMAIN.md example
        (date(2025, 1, 31), date(2025, 4, 30)),  # no "31 April": the month end decides
        (date(2025, 1, 1), date(2025, 4, 30)),
        (date(2025, 3, 1), date(2025, 6, 30)),
        (date(2025, 12, 31), date(2026, 3, 31)),  # across the year end
        (date(2027, 11, 30), date(2028, 2, 29)),  # ends on a leap day
        (date(2099, 11, 30), date(2100, 2, 28)),  # 2100 is not a leap year
    ],
)
def test_free_cover_runs_to_the_end_of_the_third_month_after(
    registered: date, covered_to: date
) -> None:
    assert promotion_cover(registered) == PromotionCover(
        campaign_code=DEFAULT_CODE, start=registered, end=covered_to, programmes=("JKK", "JKM")
    )


def test_default_campaign_starts_on_1_january_2024() -> None:
    assert promotion_cover(date(2023, 12, 31)) is None
    cover = promotion_cover(date(2024, 1, 1))
    assert cover is not None and cover.end == date(2024, 4, 30)


def test_default_campaign_has_no_end_date_yet() -> None:
    found = campaign_on(date(2035, 6, 1))
    assert found is not None and found.valid_to is None


def test_rejoining_never_gets_a_second_promotion() -> None:
    assert promotion_cover(date(2025, 9, 1), rejoin=True) is None


def test_a_campaign_applies_to_registrations_through_its_last_day(write_rules: WriteRules) -> None:
    campaigns = load_campaigns(
        write_rules(
            {
                "campaigns": [
                    campaign(),
                    campaign(code="C2", valid_from="2025-02-01", valid_to=None, months=1),
                ]
            }
        )
    )
    last_day = promotion_cover(date(2024, 12, 31), campaigns=campaigns)
    assert last_day is not None and last_day.campaign_code == "C1"
    # Between the campaigns nobody gets a promotion.
    assert promotion_cover(date(2025, 1, 10), campaigns=campaigns) is None
    # Each participant keeps the terms in force on their registration date.
    later = promotion_cover(date(2025, 2, 10), campaigns=campaigns)
    assert later is not None and (later.campaign_code, later.end) == ("C2", date(2025, 3, 31))


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        ([campaign(programmes=["JKK"])], "JKK dan JKM"),
        ([campaign(programmes=["JKK", "JKM", "JHT"])], "JKK dan JKM"),
        ([campaign(end_rule="days")], "end_rule"),
        ([campaign(months=0)], "months"),
        ([campaign(), campaign(code="C2", valid_from="2024-12-31")], "C1 dan C2"),
        (
            [campaign(valid_to=None), campaign(code="C2", valid_from="2030-01-01", valid_to=None)],
            "C1 dan C2",
        ),
        ([campaign(valid_from="1-1-2024")], "valid_from"),
    ],
)
def test_incoherent_campaign_files_are_refused(
    write_rules: WriteRules, rows: list[object], needle: str
) -> None:
    with pytest.raises(RuleDataError, match=needle):
        load_campaigns(write_rules({"campaigns": rows}))


def test_shipped_campaigns_are_read_once() -> None:
    assert load_campaigns() is load_campaigns()
