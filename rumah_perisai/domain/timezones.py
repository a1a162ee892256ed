"""The post's time zone. Indonesia has three, none with daylight saving (DOMAIN.md, "Time").

Times are stored in UTC and shown, and dated (business day, receipt year), in the post's zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

ZONES: dict[str, timezone] = {
    "WIB": timezone(timedelta(hours=7), "WIB"),
    "WITA": timezone(timedelta(hours=8), "WITA"),
    "WIT": timezone(timedelta(hours=9), "WIT"),
}


def zone(name: str) -> timezone:
    return ZONES[name]


def local_time(moment: datetime, zone_name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(ZONES[zone_name])


def local_date(moment: datetime, zone_name: str) -> date:
    """The post's calendar day at ``moment`` (what a receipt or registration is dated)."""
    return local_time(moment, zone_name).date()
