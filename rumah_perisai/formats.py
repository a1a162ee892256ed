"""Money, dates and times as the user's language writes them, with Babel (CLDR data).

``Rp 16.800``, ``27 Nov 2026``, ``27 Agu 2026 09.05``: in Bahasa Indonesia and in English as
used in Indonesia (``en_ID``), so amounts look the same on screen, receipts and reports.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from rumah_perisai.domain.timezones import local_time
from rumah_perisai.i18n import babel_locale


def money(amount: int) -> str:
    """Integer rupiah: ``Rp 16.800``."""
    return format_currency(
        amount, "IDR", format="¤ #,##0", locale=babel_locale(), currency_digits=False
    )


def number(value: int) -> str:
    """A count: ``200.000``."""
    return format_decimal(value, locale=babel_locale())


def day(value: date) -> str:
    """A date: ``27 Nov 2026``."""
    return format_date(value, format="d MMM y", locale=babel_locale())


def long_day(value: date) -> str:
    """A date with the month written out: ``27 November 2026``."""
    return format_date(value, format="d MMMM y", locale=babel_locale())


def month(value: date) -> str:
    """A month: ``Maret 2027``."""
    return format_date(value, format="LLLL y", locale=babel_locale())


def moment(value: datetime, zone_name: str) -> str:
    """A stored (UTC) moment shown in the post's time zone: ``27 Nov 2026 09.30 WIB``."""
    shown = local_time(value, zone_name)
    return f"{format_datetime(shown, format='d MMM y HH.mm', locale=babel_locale())} {zone_name}"


def month_range(first: date, last: date) -> str:
    """Months paid, in words: ``Januari – Maret 2027``, ``Desember 2026 – Februari 2027``."""
    if (first.year, first.month) == (last.year, last.month):
        return month(first)
    if first.year == last.year:
        name = format_date(first, format="LLLL", locale=babel_locale())
        return f"{name} – {month(last)}"
    return f"{month(first)} – {month(last)}"


def amount_in_words(amount: int) -> str:
    """Rupiah in Indonesian words (*terbilang*), as receipts state them whatever the screen's
    language: 16.800 → ``enam belas ribu delapan ratus rupiah``."""
    from num2words import num2words

    if amount < 0:
        raise ValueError("an amount in words is never negative")
    words = num2words(amount, lang="id")
    # num2words says "satu juta satu ribu" for 1.001.000; Indonesian says "satu juta seribu"
    # (a thousands group of exactly one is "seribu", as it already is below a million).
    words = _LONE_THOUSAND.sub(r"\1 seribu", words)
    return f"{words} rupiah"


_LONE_THOUSAND = re.compile(r"\b(juta|miliar|triliun) satu ribu\b")


def weekday_moment(value: datetime, zone_name: str) -> str:
    """A stored (UTC) moment with its weekday, in the post's time zone, in words a restore
    uses: ``Sabtu 5 Des 2026 pukul 16.02`` (``Saturday 5 Dec 2026 at 16.02``)."""
    from rumah_perisai.i18n import tr

    shown = local_time(value, zone_name)
    return tr(
        "{day} at {time}",
        day=format_date(shown, format="EEEE d MMM y", locale=babel_locale()),
        time=format_datetime(shown, format="HH.mm", locale=babel_locale()),
    )
