"""The free JKK + JKM promotion for new participants.

DOMAIN.md ("Rules this program follows" > Promotion): each participant keeps the terms in force on
their registration date. The default campaign covers JKK + JKM free from the registration date to
the end of the month in which three months have passed (registered 15 Jan -> covered to 30 Apr).
A rejoining participant never gets a second promotion ("Rejoining"). Campaigns are dated rows in
``resources/rules/promotions.json``.
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
from rumah_perisai.domain.months import add_months, month_end

PROMOTIONS_FILE = "promotions.json"
END_RULE_MONTH_END = "month_end"
# A promotion may only give what dues allow: JKK and JKM together (DOMAIN.md, "Dues month").
_ALLOWED_PROGRAMMES = ("JKK", "JKM")


@dataclass(frozen=True)
class Campaign:
    """A promotion campaign for registrations made between ``valid_from`` and ``valid_to``."""

    code: str
    name: str
    valid_from: date
    valid_to: date | None
    programmes: tuple[str, ...]
    months: int
    end_rule: str

    def cover_end(self, registration_date: date) -> date:
        """Last free day: the end of the month in which ``months`` months have passed."""
        return month_end(add_months(registration_date, self.months))


@dataclass(frozen=True)
class PromotionCover:
    """The free cover one participant got: ``start`` to ``end``, both days included."""

    campaign_code: str
    start: date
    end: date
    programmes: tuple[str, ...]


def load_campaigns(path: Path | None = None) -> tuple[Campaign, ...]:
    """Read and check a campaigns file; the shipped one (``path`` None) is cached."""
    return _shipped_campaigns() if path is None else _read_campaigns(path)


@cache
def _shipped_campaigns() -> tuple[Campaign, ...]:
    return _read_campaigns(rules_file(PROMOTIONS_FILE))


def _read_campaigns(path: Path) -> tuple[Campaign, ...]:
    campaigns = tuple(
        _parse_campaign(RowReader(row, f"{path.name} campaigns[{i}]"))
        for i, row in enumerate(load_rows(path, "campaigns"))
    )
    check_periods([(c.code, c.valid_from, c.valid_to) for c in campaigns], "Kampanye promosi")
    return campaigns


def _parse_campaign(reader: RowReader) -> Campaign:
    programmes = reader.strings("programmes")
    if sorted(programmes) != sorted(_ALLOWED_PROGRAMMES):
        raise reader.fail("promosi harus JKK dan JKM bersama")
    months = reader.integer("months")
    if months < 1:
        raise reader.fail("'months' harus paling sedikit 1")
    end_rule = reader.text("end_rule")
    if end_rule != END_RULE_MONTH_END:
        raise reader.fail(f"'end_rule' tidak dikenal: {end_rule}")
    reader.text("source")
    return Campaign(
        code=reader.text("code"),
        name=reader.text("name"),
        valid_from=reader.day("valid_from"),
        valid_to=reader.optional_day("valid_to"),
        programmes=programmes,
        months=months,
        end_rule=end_rule,
    )


def campaign_on(
    registration_date: date, campaigns: tuple[Campaign, ...] | None = None
) -> Campaign | None:
    """The campaign in force on ``registration_date`` (shipped campaigns unless given)."""
    pool = load_campaigns() if campaigns is None else campaigns
    return next((c for c in pool if in_period(registration_date, c.valid_from, c.valid_to)), None)


def promotion_cover(
    registration_date: date,
    *,
    rejoin: bool = False,
    campaigns: tuple[Campaign, ...] | None = None,
) -> PromotionCover | None:
    """The free cover a registration on ``registration_date`` gets, or None.

    A rejoin never gets a second promotion (DOMAIN.md, "Rejoining").
    """
    if rejoin:
        return None
    campaign = campaign_on(registration_date, campaigns)
    if campaign is None:
        return None
    return PromotionCover(
        campaign_code=campaign.code,
        start=registration_date,
        end=campaign.cover_end(registration_date),
        programmes=campaign.programmes,
    )
