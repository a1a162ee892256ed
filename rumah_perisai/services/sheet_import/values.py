"""One cell of an old list as what it means: a NIK, a date, a sex, a phone, yes or no.

Each reader returns the value, or raises ``CellProblem`` with the reason a person fixing the
file needs. What Excel does to such lists is undone where it can be (a date typed as text, kept
as a date, or as a serial number; a phone that lost its leading zero) and said plainly where it
cannot: a NIK Excel turned into a number kept fifteen digits, and the sixteenth is gone.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any

from rumah_perisai.i18n import N_, tr

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's 29 Feb 1900
_MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "pebruari": 2, "february": 2,
    "peb": 2, "mar": 3, "maret": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6, "jul": 7, "juli": 7, "july": 7, "agu": 8, "ags": 8,
    "agt": 8, "agus": 8, "agustus": 8, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oktober": 10, "oct": 10, "october": 10, "nov": 11,
    "nopember": 11, "november": 11, "des": 12, "desember": 12, "dec": 12, "december": 12,
}  # fmt: skip
# Control characters (a bell, a vertical tab pasted in) are no part of a name or an address,
# and a workbook cannot hold them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_EXCEL_TEXT = re.compile(r'="(.*)"')
_SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+")
_NUMERIC_DATE = re.compile(r"([0-9]{1,4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,4})")
_WORD_DATE = re.compile(r"([0-9]{1,2})[\s\-/.]+([A-Za-z]+)[\s\-/.,]+([0-9]{2,4})")

_PROBLEMS = {
    "empty": N_("empty"),
    "nik_mangled": N_(
        "Excel turned the NIK into a number ({shown}): its last digits are lost and cannot be "
        "recovered. Type the NIK from the KTP again, in a column formatted as text"
    ),
    "nik_number": N_(
        "the NIK was kept as a number ({shown}): Excel keeps only 15 digits, so its last digit "
        "may be lost. Check it against the KTP and type it in a column formatted as text"
    ),
    "not_a_date": N_("{shown} is not a date"),
    "ambiguous_date": N_("{shown} may be day-month or month-day: write it as 31-12-1980"),
    "not_a_sex": N_("{shown} is not L or P"),
    "not_yes_no": N_("{shown} is not yes or no"),
    "not_an_amount": N_("{shown} is not an amount in rupiah"),
}


class CellProblem(Exception):
    """A cell that cannot be read as its field: ``reason`` in the user's language."""

    def __init__(self, code: str, shown: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.reason = tr(_PROBLEMS[code], shown=shown)


def text(value: Any) -> str:
    """A cell as the text a person would read: numbers without ``.0``, no leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    tidy = _CONTROL.sub(" ", str(value))
    excel_text = _EXCEL_TEXT.fullmatch(tidy.strip())  # ="0812…": Excel's way to keep text
    if excel_text:
        tidy = excel_text.group(1)
    return " ".join(tidy.split()).lstrip("'‘’`").strip()


def shown(value: Any) -> str:
    """A cell quoted in a reason: short, as the person sees it."""
    if isinstance(value, float) and value >= 1e15:
        return f"{value:.5E}".replace("E+", "E+")
    return text(value)[:40]


def nik(value: Any) -> str:
    """Sixteen digits, or what is left of them for the NIK check to explain. A NIK Excel made a
    number is refused (``nik_mangled`` / ``nik_number``): a wrong NIK is worse than none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellProblem("empty")
    if isinstance(value, float) and (not value.is_integer() or value >= 2**53):
        raise CellProblem("nik_mangled", shown(value))  # beyond 2**53 a float skips integers
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        if len(digits) == 16 and digits.endswith("0"):
            raise CellProblem("nik_number", digits)
        return digits
    tidy = text(value)
    if _SCIENTIFIC.fullmatch(tidy.replace(" ", "")):
        raise CellProblem("nik_mangled", tidy)
    return re.sub(r"[\s.\-]", "", tidy)


def column_order(cells: Any) -> str | None:
    """How a column writes its dates when some of them can only be read one way: ``"dmy"``
    (31/12/1980 is there), ``"mdy"`` (12/31/1980, as a US-made export writes), or None (no
    evidence, or both: a column of mixed hands)."""
    seen: set[str] = set()
    for value in cells:
        if not isinstance(value, str):
            continue
        match = _NUMERIC_DATE.fullmatch(text(value).split(" ")[0])
        if match is None or len(match.group(1)) == 4:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            seen.add("dmy")
        elif second > 12 >= first:
            seen.add("mdy")
    return seen.pop() if len(seen) == 1 else None


def a_date(
    value: Any,
    *,
    hint: date | None = None,
    today: date | None = None,
    order: str | None = None,
) -> date:
    """A date cell, a date typed as text (31-12-1980, 1980-12-31, 31/12/80, 12 Mei 1980), or an
    Excel serial number. A date that reads both ways (03/04/2024) is taken the way that agrees
    with ``hint`` (the NIK's own birth date), else the way its column writes (``order``:
    ``column_order``), else day first when written with dashes or dots, as Indonesia writes;
    with slashes and nothing to tell, it is refused rather than guessed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellProblem("empty")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80_000:  # Excel's serial days (up to the year 2118)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellProblem("not_a_date", shown(value))
    tidy = text(value)
    if re.fullmatch(r"[0-9]{5}", tidy):  # a date cell exported as its serial number
        return _EXCEL_EPOCH + timedelta(days=int(tidy))
    found = _numeric_date(tidy, hint, today, order) or _word_date(tidy, today)
    if found is None:
        raise CellProblem("not_a_date", tidy[:40])
    return found


def _year(number: str, today: date | None) -> int:
    year = int(number)
    if len(number) <= 2:
        now = (today or date.today()).year
        year += 2000 if 2000 + year <= now else 1900
    return year


def _numeric_date(
    tidy: str, hint: date | None, today: date | None, order: str | None
) -> date | None:
    match = _NUMERIC_DATE.fullmatch(tidy.split(" ")[0] if " " in tidy else tidy)
    if match is None:
        return None
    a, b, c = match.groups()
    if len(a) == 4:  # 1980-12-31
        return _make(int(a), int(b), int(c), tidy)
    year = _year(c, today)
    day_first = _make_or_none(year, int(b), int(a))
    month_first = _make_or_none(year, int(a), int(b))
    if day_first and month_first and day_first != month_first:
        if hint in (day_first, month_first):
            return hint
        if order is not None:
            return month_first if order == "mdy" else day_first
        if hint is not None or "/" not in tidy:
            return day_first  # Indonesia writes the day first; the NIK check says a mismatch
        raise CellProblem("ambiguous_date", tidy[:40])
    if day_first or month_first:
        return day_first or month_first
    raise CellProblem("not_a_date", tidy[:40])


def _word_date(tidy: str, today: date | None) -> date | None:
    match = _WORD_DATE.fullmatch(tidy)
    if match is None:
        return None
    day, month_word, year = match.groups()
    month = _MONTHS.get(month_word.casefold())
    if month is None:
        return None
    return _make(_year(year, today), month, int(day), tidy)


def _make(year: int, month: int, day: int, tidy: str) -> date:
    made = _make_or_none(year, month, day)
    if made is None:
        raise CellProblem("not_a_date", tidy[:40])
    return made


def _make_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


_MALE = {"l", "lk", "laki", "lakilaki", "pria", "m", "male", "man"}
_FEMALE = {"p", "pr", "perempuan", "wanita", "w", "f", "female", "woman"}


def sex(value: Any) -> str:
    tidy = re.sub(r"[^a-z]", "", text(value).casefold())
    if not tidy:
        raise CellProblem("empty")
    if tidy in _MALE:
        return "L"
    if tidy in _FEMALE:
        return "P"
    raise CellProblem("not_a_sex", text(value)[:40])


def phone(value: Any) -> str:
    """The phone as the form would take it; a number that lost its leading zero in Excel
    (``812…``) gets it back. What is not a phone is left for the form's own check to refuse."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = text(value)
        return "0" + digits if digits.startswith("8") else digits
    tidy = text(value)
    bare = re.sub(r"[\s\-().]", "", tidy)
    if bare.startswith("8") and bare.isdigit():
        return "0" + bare
    return tidy


_YES = {"y", "ya", "yes", "iya", "1", "true", "benar", "ikut", "v", "x"}
_NO = {"n", "t", "tidak", "tdk", "no", "0", "false", "salah", "tidakikut", "-"}


def yes_no(value: Any) -> bool:
    tidy = re.sub(r"\s", "", text(value).casefold())
    if tidy in _YES:
        return True
    if tidy in _NO or not tidy:
        return False
    raise CellProblem("not_yes_no", text(value)[:40])


def rupiah(value: Any) -> int:
    """``1.500.000``, ``Rp 1,5 juta``, ``1500000``: whole rupiah."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or abs(value) > 10**12:
            raise CellProblem("not_an_amount", shown(value))
        return int(round(value))
    tidy = text(value).casefold().replace("rp", "").strip()
    million = re.fullmatch(r"([0-9]+(?:[.,][0-9]+)?)\s*(juta|jt)", tidy)
    if million:
        return int(round(float(million.group(1).replace(",", ".")) * 1_000_000))
    digits = re.sub(r"[.,\s]", "", tidy.removesuffix(",00").removesuffix(".00"))
    if digits.isdigit():
        return int(digits)
    raise CellProblem("not_an_amount", text(value)[:40])


def rt_rw(value: Any) -> tuple[str, str]:
    """``001/002`` or ``1-2``: RT and RW."""
    parts = re.split(r"[/\-\s.]+", text(value).strip())
    if len(parts) == 2:
        return parts[0], parts[1]
    return text(value), ""


def place_and_date(value: Any) -> tuple[str, Any]:
    """``Cirebon, 12-03-1980``: the birth place and the date's text."""
    tidy = text(value)
    if "," in tidy:
        place, _, rest = tidy.rpartition(",")
        return place.strip(), rest.strip()
    match = re.search(r"[0-9]", tidy)
    if match is None:
        return tidy, ""
    return tidy[: match.start()].strip(" ,"), tidy[match.start() :].strip()
