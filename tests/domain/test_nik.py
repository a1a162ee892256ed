"""NIK checks, as a volunteer meets them at the registration form (DOMAIN.md, "Identifiers")."""

from __future__ import annotations

from datetime import date

import pytest

from rumah_perisai.domain.errors import RuleError
from rumah_perisai.domain.nik import InvalidNik, NikInfo, mask_nik, validate_nik

TODAY = date(2026, 1, 15)


# Real-looking NIKs: (nik, province, regency, district, birth date, sex, serial).
REAL_LOOKING = [
    # A woman from Talun, Cirebon, born 12 March 1990: day 12 + 40 = 52.
    ("3209145203900001", "32", "32.09", "32.09.14", date(1990, 3, 12), "P", "0001"),
    # A man from Tebet, Jakarta Selatan, born 17 August 1985.
    ("3174011708850003", "31", "31.74", "31.74.01", date(1985, 8, 17), "L", "0003"),
    # A woman from Tambaksari, Surabaya, born 25 December 1999.
    ("3578106512990002", "35", "35.78", "35.78.10", date(1999, 12, 25), "P", "0002"),
    # A man from Denpasar Selatan born on 1 January 2000.
    ("5171010101000001", "51", "51.71", "51.71.01", date(2000, 1, 1), "L", "0001"),
    # A woman from Aceh Selatan born 1 July 1975: day 41 is the lowest women's day.
    ("1101014107750012", "11", "11.01", "11.01.01", date(1975, 7, 1), "P", "0012"),
    # A woman from Papua Barat Daya (code 96) born 31 December 2005: day 71 is the highest.
    ("9601027112050004", "96", "96.01", "96.01.02", date(2005, 12, 31), "P", "0004"),
    # A man from Balikpapan born 30 June 1960.
    ("6471053006600021", "64", "64.71", "64.71.05", date(1960, 6, 30), "L", "0021"),
    # Born on a leap day: 29 February 2000, a man and a woman.
    ("3201012902000001", "32", "32.01", "32.01.01", date(2000, 2, 29), "L", "0001"),
    ("3201016902009999", "32", "32.01", "32.01.01", date(2000, 2, 29), "P", "9999"),
]


@pytest.mark.parametrize(
    ("nik", "province", "regency", "district", "born", "sex", "serial"), REAL_LOOKING
)
def test_real_looking_niks(
    nik: str, province: str, regency: str, district: str, born: date, sex: str, serial: str
) -> None:
    info = validate_nik(nik, born, sex, today=TODAY)
    assert info == NikInfo(nik, province, regency, district, born, sex, serial)


def test_a_woman_born_12_march_1990_has_day_52() -> None:
    info = validate_nik("3209145203900001", today=TODAY)
    assert (info.birth_date, info.sex) == (date(1990, 3, 12), "P")


@pytest.mark.parametrize(
    "typed",
    ["3209 1452 0390 0001", " 3209145203900001 ", "3209\t1452\t0390\t0001", "320914 520390 0001"],
)
def test_whitespace_typed_between_groups_is_ignored(typed: str) -> None:
    assert validate_nik(typed, today=TODAY).nik == "3209145203900001"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "320914520390000",  # 15 digits
        "32091452039000011",  # 17 digits
        "32091452039O0001",  # letter O for zero
        "3209-1452-0390-0001",
        "3209.1452.0390.0001",
        "٣٢٠٩١٤٥٢٠٣٩٠٠٠٠١",  # Arabic-Indic digits are digits to Python, not to Dukcapil
    ],
)
def test_anything_but_16_digits_is_refused(typed: str) -> None:
    with pytest.raises(InvalidNik) as caught:
        validate_nik(typed, today=TODAY)
    assert caught.value.code == "not_16_digits"
    assert str(caught.value) == "NIK harus 16 angka."
    assert caught.value.info is None


@pytest.mark.parametrize("nik", ["0009145203900001", "9909145203900001", "2009145203900001"])
def test_unknown_province_is_refused(nik: str) -> None:
    with pytest.raises(InvalidNik) as caught:
        validate_nik(nik, today=TODAY)
    assert caught.value.code == "unknown_province"
    assert nik[:2] in str(caught.value)


def test_unknown_regency_or_district_is_accepted() -> None:
    # 32.99.99 is not in the area list; the NIK keeps its code for life, so it is not an error.
    info = validate_nik("3299995203900001", today=TODAY)
    assert (info.regency_code, info.district_code) == ("32.99", "32.99.99")


@pytest.mark.parametrize(
    "ddmmyy",
    [
        "000190",  # day 0
        "320190",  # day 32: neither a man's nor a woman's day
        "400190",  # day 40
        "720190",  # day 72: woman's day 32
        "990190",
        "010090",  # month 0
        "011390",  # month 13
        "310490",  # 31 April
        "710490",  # a woman's 31 April
        "290201",  # 29 February 2001
        "300290",  # 30 February
    ],
)
def test_dates_that_do_not_exist_are_refused(ddmmyy: str) -> None:
    with pytest.raises(InvalidNik) as caught:
        validate_nik(f"320914{ddmmyy}0001", today=TODAY)
    assert caught.value.code == "impossible_date"
    assert ddmmyy in str(caught.value)


def test_serial_0000_is_refused() -> None:
    with pytest.raises(InvalidNik) as caught:
        validate_nik("3209145203900000", today=TODAY)
    assert caught.value.code == "serial_zero"


# --- century rule (DOMAIN.md, "NIK birth year") ---------------------------------------------------


def test_without_birth_date_yy_reads_as_20yy_when_that_is_not_in_the_future() -> None:
    assert validate_nik("3209140101250001", today=TODAY).birth_date == date(2025, 1, 1)


def test_without_birth_date_a_future_20yy_reads_as_19yy() -> None:
    assert validate_nik("3209140101270001", today=TODAY).birth_date == date(1927, 1, 1)


def test_born_today_is_not_in_the_future() -> None:
    assert validate_nik("3209141501260001", today=TODAY).birth_date == date(2026, 1, 15)
    assert validate_nik("3209141601260001", today=TODAY).birth_date == date(1926, 1, 16)


def test_290200_is_valid_only_as_29_february_2000() -> None:
    assert validate_nik("3209142902000001", today=TODAY).birth_date == date(2000, 2, 29)
    # Before 29 Feb 2000 was reached it would read as 1900, which had no 29 February.
    with pytest.raises(InvalidNik) as caught:
        validate_nik("3209142902000001", today=date(1999, 6, 1))
    assert caught.value.code == "impossible_date"
    # An entered birth date in 1900 makes the NIK say 29 Feb 1900: no such day.
    with pytest.raises(InvalidNik) as caught:
        validate_nik("3209142902000001", date(1900, 3, 1), today=TODAY)
    assert caught.value.code == "impossible_date"


def test_entered_birth_date_decides_the_century() -> None:
    # A grandmother born 1 January 1925: read alone, "250101" would be 2025.
    info = validate_nik("3209144101250001", date(1925, 1, 1), "P", today=TODAY)
    assert info.birth_date == date(1925, 1, 1)


def test_today_defaults_to_the_real_date() -> None:
    assert validate_nik("3209145203900001").birth_date == date(1990, 3, 12)


# --- disagreement with what was entered -----------------------------------------------------------


def test_two_digit_year_must_match_the_entered_birth_date() -> None:
    with pytest.raises(InvalidNik) as caught:
        validate_nik("3209145203910001", date(1990, 3, 12), today=TODAY)
    assert caught.value.code == "birth_date_mismatch"
    # The coordinator override needs what the NIK says.
    assert caught.value.info is not None
    assert caught.value.info.birth_date == date(1991, 3, 12)
    assert "12 Mar 1991" in str(caught.value) and "12 Mar 1990" in str(caught.value)


def test_day_or_month_that_differs_from_the_entered_birth_date() -> None:
    with pytest.raises(InvalidNik) as caught:
        validate_nik("3209145303900001", date(1990, 3, 12), today=TODAY)
    assert caught.value.code == "birth_date_mismatch"
    assert caught.value.info is not None and caught.value.info.birth_date == date(1990, 3, 13)


def test_sex_that_differs_from_the_entered_sex() -> None:
    with pytest.raises(InvalidNik) as caught:
        validate_nik("3209145203900001", date(1990, 3, 12), "L", today=TODAY)
    assert caught.value.code == "sex_mismatch"
    assert caught.value.info is not None and caught.value.info.sex == "P"


def test_sex_is_read_case_insensitively() -> None:
    assert validate_nik("3209145203900001", sex=" p ", today=TODAY).sex == "P"


def test_sex_other_than_l_or_p_is_a_rule_error() -> None:
    with pytest.raises(RuleError) as caught:
        validate_nik("3209145203900001", sex="W", today=TODAY)
    assert caught.value.code == "bad_sex"
    assert not isinstance(caught.value, InvalidNik)


@pytest.mark.parametrize(
    ("nik", "born", "sex", "code"),
    [
        # Unknown province is reported before an impossible date.
        ("9909143203900001", None, None, "unknown_province"),
        # An impossible date before a zero serial.
        ("3209143203900000", None, None, "impossible_date"),
        # A zero serial before any disagreement.
        ("3209145203900000", date(1980, 1, 1), "L", "serial_zero"),
        # The birth date is compared before the sex.
        ("3209145203900001", date(1980, 1, 1), "L", "birth_date_mismatch"),
    ],
)
def test_checks_run_in_the_documented_order(
    nik: str, born: date | None, sex: str | None, code: str
) -> None:
    with pytest.raises(InvalidNik) as caught:
        validate_nik(nik, born, sex, today=TODAY)
    assert caught.value.code == code


def test_invalid_nik_is_a_rule_error_and_a_value_error() -> None:
    with pytest.raises(RuleError):
        validate_nik("123", today=TODAY)
    with pytest.raises(ValueError):
        validate_nik("123", today=TODAY)


# --- masking for printed cards --------------------------------------------------------------------


def test_mask_shows_only_the_first_and_last_four_digits() -> None:
    assert mask_nik("3209145203900001") == "3209********0001"
    assert mask_nik("3209 1452 0390 0001") == "3209********0001"


def test_mask_refuses_what_is_not_a_nik() -> None:
    with pytest.raises(InvalidNik):
        mask_nik("12345")
