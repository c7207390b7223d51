"""Reading reporting periods from header cells: dates, Apr-19, Q1 2019/20, 2019/20 (pure)."""

from __future__ import annotations

import datetime as dt
import re

from .model import Period, PeriodKind

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = r"(\d{4}|\d{2})"
_FIN_YEAR = r"(\d{4}|\d{2})\s*[/-]\s*(\d{2}|\d{4})"

_MONTH_YEAR = re.compile(rf"^({_MONTH_NAME})\.?[\s\-/']*{_YEAR}$", re.I)  # Apr-19, April 2019
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?$")  # 2019-04, 2019-04-01
_MONTH_NUM_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")  # 04/2019
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")  # 01/04/2019 (UK order)
_QUARTER = re.compile(rf"^(?:q|qtr|quarter)\s*([1-4])\s*(?:of\s*)?(?:fy\s*)?{_FIN_YEAR}$", re.I)
_QUARTER_AFTER = re.compile(rf"^(?:fy\s*)?{_FIN_YEAR}\s*(?:q|qtr|quarter)\s*([1-4])$", re.I)
_FIN_YEAR_ONLY = re.compile(rf"^(?:fy\s*)?{_FIN_YEAR}$", re.I)
_YEAR_SUFFIX = re.compile(rf"\s*\(?\s*(?:fy\s*)?{_FIN_YEAR}\s*\)?\s*$", re.I)


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _financial_year_start(first: str, second: str) -> int | None:
    """The calendar year a financial year starts in, or None when the two years don't follow."""
    start, end = _full_year(first), _full_year(second)
    return start if end % 100 == (start + 1) % 100 else None


def quarter_start(quarter: int, fy_start: int) -> dt.date:
    """The first day of a UK financial-year quarter: Q1 starts in April."""
    month = 4 + (quarter - 1) * 3
    return dt.date(fy_start + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period_from_date(value: dt.date) -> Period:
    """The month a date falls in."""
    return Period(dt.date(value.year, value.month, 1), PeriodKind.MONTH)


def parse_period(value: object) -> Period | None:
    """A period from a header cell (a date, or text in one of the forms we accept), or None."""
    if isinstance(value, dt.datetime):
        return period_from_date(value.date())
    if isinstance(value, dt.date):
        return period_from_date(value)
    if not isinstance(value, str):
        return None
    return parse_period_text(value)


def parse_period_text(text: str) -> Period | None:
    """Apr-19, April 2019, 2019-04, 04/2019, Q1 2019/20, Quarter 1 2019/20, 2019/20; else None."""
    text = " ".join(text.strip().split())
    if not text or len(text) > 40:
        return None
    return (
        _month_year(text)
        or _numeric_month(text)
        or _quarter(text)
        or _financial_year(text)
    )


def _month_year(text: str) -> Period | None:
    match = _MONTH_YEAR.match(text)
    if not match:
        return None
    return Period(dt.date(_full_year(match.group(2)), _MONTHS[match.group(1).lower()], 1))


def _numeric_month(text: str) -> Period | None:
    if match := _YEAR_MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
    elif match := _MONTH_NUM_YEAR.match(text):
        month, year = int(match.group(1)), int(match.group(2))
    elif match := _DAY_MONTH_YEAR.match(text):
        month, year = int(match.group(2)), int(match.group(3))
    else:
        return None
    return Period(dt.date(year, month, 1)) if 1 <= month <= 12 and 1900 < year < 2200 else None


def _quarter(text: str) -> Period | None:
    if match := _QUARTER.match(text):
        quarter, first, second = match.groups()
    elif match := _QUARTER_AFTER.match(text):
        first, second, quarter = match.groups()
    else:
        return None
    fy_start = _financial_year_start(first, second)
    if fy_start is None:
        return None
    return Period(quarter_start(int(quarter), fy_start), PeriodKind.QUARTER)


def _financial_year(text: str) -> Period | None:
    match = _FIN_YEAR_ONLY.match(text)
    if not match:
        return None
    fy_start = _financial_year_start(*match.groups())
    return Period(dt.date(fy_start, 4, 1), PeriodKind.YEAR) if fy_start else None


def strip_year_suffix(text: str) -> str:
    """'Target 2019/20' -> 'Target', so a header names its column whatever the year."""
    stripped = _YEAR_SUFFIX.sub("", text)
    return stripped if stripped.strip() else text


def year_suffix(text: str) -> str:
    """The financial year a header names, written 2019/20, or '' when it names none."""
    match = _YEAR_SUFFIX.search(text)
    if not match or not match.string[: match.start()].strip():
        return ""
    fy_start = _financial_year_start(match.group(1), match.group(2))
    return f"{fy_start}/{(fy_start + 1) % 100:02d}" if fy_start else ""
