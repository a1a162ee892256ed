"""Checking a NIK (Nomor Induk Kependudukan) against what the walk-in says.

A NIK is ``PP KK CC DDMMYY SSSS``: province, regency/city and district where the person was first
registered, the birth date with 40 added to the day for women, and a serial from 0001
(DOMAIN.md, "Identifiers"). The checks and their order follow DOMAIN.md, "Rules this program
follows" (NIK birth year; NIK that disagrees with the KTP).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache

from rumah_perisai import formats
from rumah_perisai.domain.errors import RuleError
from rumah_perisai.i18n import N_, tr
from rumah_perisai.resources import resource_path

SEX_MALE = "L"
SEX_FEMALE = "P"
_FEMALE_DAY_OFFSET = 40

_MESSAGES = {
    "not_16_digits": N_("A NIK has 16 digits."),
    "unknown_province": N_("The NIK's province code ({province}) is unknown."),
    "impossible_date": N_("The birth date in the NIK ({ddmmyy}) is not a real date."),
    "serial_zero": N_("The NIK's serial number cannot be 0000."),
    "birth_date_mismatch": N_(
        "The birth date in the NIK ({nik_date}) differs from the birth date entered ({entered})."
    ),
    "sex_mismatch": N_("The sex in the NIK ({nik_sex}) differs from the one entered ({entered})."),
}


@dataclass(frozen=True)
class NikInfo:
    """What a valid NIK says about its holder. Area codes use Kemendagri's dotted form."""

    nik: str
    province_code: str
    regency_code: str
    district_code: str
    birth_date: date
    sex: str
    serial: str


class InvalidNik(RuleError):
    """A NIK failed a check.

    For ``birth_date_mismatch`` and ``sex_mismatch`` the NIK itself is well formed and ``info``
    holds what it says, so a coordinator can register anyway with a reason (DOMAIN.md, "NIK that
    disagrees with the KTP"); otherwise ``info`` is None.
    """

    def __init__(self, code: str, info: NikInfo | None = None, **details: str) -> None:
        super().__init__(code, tr(_MESSAGES[code], **details))
        self.info = info


def normalize_nik(nik: str) -> str:
    """The NIK without whitespace: KTP numbers are often typed in groups ("3209 1452 ...")."""
    return "".join(nik.split())


@cache
def known_province_codes() -> frozenset[str]:
    """Province codes from ``resources/area/provinces.csv`` (Kemendagri)."""
    with resource_path("area", "provinces.csv").open(encoding="utf-8", newline="") as handle:
        return frozenset(row["code"].strip() for row in csv.DictReader(handle))


def validate_nik(
    nik: str,
    birth_date: date | None = None,
    sex: str | None = None,
    *,
    today: date | None = None,
) -> NikInfo:
    """Check a NIK and return what it says; raise :class:`InvalidNik` on the first failed check.

    Order (DOMAIN.md, "Identifiers"): 16 digits, known province, a real date, serial not 0000,
    then agreement with the entered birth date and sex. An unknown regency or district code is
    accepted: the area list lags behind new regencies, and the NIK keeps the old code for life.
    """
    digits = normalize_nik(nik)
    # isdecimal alone would accept other scripts' digits, e.g. Arabic-Indic ones.
    if len(digits) != 16 or not (digits.isascii() and digits.isdecimal()):
        raise InvalidNik("not_16_digits")
    if digits[:2] not in known_province_codes():
        raise InvalidNik("unknown_province", province=digits[:2])
    nik_sex, nik_date = _read_birth(digits, birth_date, today or date.today())
    if digits[12:] == "0000":
        raise InvalidNik("serial_zero")
    info = NikInfo(
        nik=digits,
        province_code=digits[:2],
        regency_code=f"{digits[:2]}.{digits[2:4]}",
        district_code=f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}",
        birth_date=nik_date,
        sex=nik_sex,
        serial=digits[12:],
    )
    _check_agreement(info, birth_date, sex)
    return info


def _read_birth(digits: str, birth_date: date | None, today: date) -> tuple[str, date]:
    """Sex and birth date encoded in positions 7-12 (``DDMMYY``, day + 40 for women)."""
    ddmmyy = digits[6:12]
    day, month, yy = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    if 1 <= day <= 31:
        nik_sex = SEX_MALE
    elif 1 + _FEMALE_DAY_OFFSET <= day <= 31 + _FEMALE_DAY_OFFSET:
        nik_sex, day = SEX_FEMALE, day - _FEMALE_DAY_OFFSET
    else:
        raise InvalidNik("impossible_date", ddmmyy=ddmmyy)
    try:
        return nik_sex, _birth_date(day, month, yy, birth_date, today)
    except ValueError:
        raise InvalidNik("impossible_date", ddmmyy=ddmmyy) from None


def _birth_date(day: int, month: int, yy: int, entered: date | None, today: date) -> date:
    """The century rule of DOMAIN.md ("NIK birth year").

    With an entered birth date whose last two digits match, its century is used. Otherwise read
    20YY, unless that day is still to come, then 19YY. So ``290200`` is only 29 Feb 2000:
    1900 was not a leap year. Raises ValueError for a day that does not exist.
    """
    if entered is not None and entered.year % 100 == yy:
        return date(entered.year, month, day)
    candidate = date(2000 + yy, month, day)
    return candidate if candidate <= today else date(1900 + yy, month, day)


def _check_agreement(info: NikInfo, birth_date: date | None, sex: str | None) -> None:
    if birth_date is not None and info.birth_date != birth_date:
        raise InvalidNik(
            "birth_date_mismatch",
            info,
            nik_date=formats.day(info.birth_date),  # dates on screen: 12 Mar 1990 (issue 17)
            entered=formats.day(birth_date),
        )
    if sex is None:
        return
    entered_sex = sex.strip().upper()
    if entered_sex not in (SEX_MALE, SEX_FEMALE):
        raise RuleError("bad_sex", tr("Sex must be L (male) or P (female)."))
    if entered_sex != info.sex:
        raise InvalidNik("sex_mismatch", info, nik_sex=info.sex, entered=entered_sex)


def mask_nik(nik: str) -> str:
    """The NIK with all but the first 4 and last 4 digits hidden, for printed cards.

    DOMAIN.md ("Personal data"): a lost card must not disclose the full NIK. A participant
    erased at their request has none (``domain.personal_data.erased_nik``): a dash.
    """
    if nik.startswith("X"):
        return "—"
    digits = normalize_nik(nik)
    if len(digits) != 16 or not (digits.isascii() and digits.isdecimal()):
        raise InvalidNik("not_16_digits")
    return digits[:4] + "*" * 8 + digits[12:]
