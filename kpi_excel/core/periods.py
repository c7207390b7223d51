"""Reading reporting periods from header cells: dates, Apr-19, Q1 2019/20, 2019/20 (pure)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kpi_excel.core.model import Period, PeriodKind

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


PIVOT_YEAR = 30  # as Excel reads a two-digit year: 00-29 are 2000-2029, 30-99 are 1930-1999


def full_year(text: str) -> int:
    """A year as written, in full: '19' is 2019 and '99' is 1999, as Excel reads them."""
    year = int(text)
    if year >= 100:
        return year
    return year + (2000 if year < PIVOT_YEAR else 1900)


def _financial_year_start(first: str, second: str) -> int | None:
    """The calendar year a financial year starts in, or None when the two years don't follow."""
    start, end = full_year(first), full_year(second)
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
    if "/" in text and (year := _financial_year(text)) is not None:
        return year  # 2004/05 is a financial year, not May 2004
    return (
        _month_year(text)
        or _numeric_month(text)
        or _quarter(text)
        or _financial_year(text)
        or _written_out(text)
    )


# A year written out: '2016 to 2017' (the months of a quarter are _month_range's, below)
_YEAR_TO_YEAR = re.compile(r"^(?P<first>\d{4})\s*(?:to|–|—)\s*(?P<second>\d{4})$", re.I)


def _written_out(text: str) -> Period | None:
    """A financial year or quarter written in words: '2016 to 2017', 'April to June 2019',
    'Q1 (April to June 2019)'."""
    if match := _YEAR_TO_YEAR.match(text):
        first, second = int(match["first"]), int(match["second"])
        return Period(dt.date(first, 4, 1), PeriodKind.YEAR) if second == first + 1 else None
    heading = _month_range(" ".join(text.replace("(", " ").replace(")", " ").split()))
    return heading.period if heading is not None else None


def _month_year(text: str) -> Period | None:
    match = _MONTH_YEAR.match(text)
    if not match:
        return None
    return Period(dt.date(full_year(match.group(2)), _MONTHS[match.group(1).lower()], 1))


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


# --- a period written inside other words: titles, banners, sheet and file names ----------------

_SEP = r"[\s_\-./']*"
_FY_IN = r"(?<![\d])(?:fy\s*)?(\d{4}|\d{2})\s*[/\-_]\s*(\d{4}|\d{2})(?![\d])"
_QUARTER_WORD = r"(?<![a-z])(?:q|qtr|quarter)[\s_\-.]*([1-4])(?![\d])"
_FINDERS = (  # the most precise first: a quarter, then a day or month, then a year
    ("quarter", re.compile(rf"{_QUARTER_WORD}[\s_\-,]*(?:of\s*)?{_FY_IN}", re.I)),
    ("quarter after", re.compile(rf"{_FY_IN}[\s_\-,]*{_QUARTER_WORD}", re.I)),
    ("day", re.compile(rf"(?<![\d])(\d{{1,2}})(?:st|nd|rd|th)?[\s\-/]+({_MONTH_NAME})(?![a-z])\.?"
                       rf",?[\s\-/]+(\d{{4}})(?![\d])", re.I)),
    ("date", re.compile(r"(?<![\d/])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?![\d/])")),
    ("month", re.compile(rf"(?<![a-z])({_MONTH_NAME})(?![a-z])\.?{_SEP}(\d{{4}}|\d{{2}})(?![\d])", re.I)),
    ("year", re.compile(_FY_IN, re.I)),
)


class FoundPeriod:
    """A period found inside a text, and where it is written in it."""

    def __init__(self, period: Period, start: int, end: int) -> None:
        self.period, self.start, self.end = period, start, end


def find_period(text: str) -> FoundPeriod | None:
    """The most precise period written anywhere in a text: 'Key Performance Indicators – Quarter 3
    2018/19' (Q3 2018/19), 'Performance as at 31 December 2018' (Dec-18), 'Q3 2018-19', 'Dec 19',
    'kpis_2019-20_q2' (Q2 2019/20). A quarter written apart from its year ('2018/19 ... Quarter 3')
    is joined to it. None when the text names no period, or two different ones of the same kind."""
    if not text or len(text) > 400:
        return None
    for kind, pattern in _FINDERS:
        found = [f for f in (_found(kind, m) for m in pattern.finditer(text)) if f is not None]
        if len({f.period for f in found}) > 1:
            return None  # 'Q1 2019/20 to Q3 2019/20': not one period
        if found:
            if kind == "year":
                return _with_quarter_apart(text, found[0])
            return found[0]
    return None


def _found(kind: str, match: re.Match[str]) -> FoundPeriod | None:
    groups = match.groups()
    period: Period | None = None
    if kind in ("quarter", "quarter after"):
        quarter, first, second = groups if kind == "quarter" else (groups[2], groups[0], groups[1])
        fy_start = _financial_year_start(first, second)
        if fy_start is not None:
            period = Period(quarter_start(int(quarter), fy_start), PeriodKind.QUARTER)
    elif kind == "day":
        period = Period(dt.date(int(groups[2]), _MONTHS[groups[1].lower()], 1))
    elif kind == "date":
        month, year = int(groups[1]), int(groups[2])
        period = Period(dt.date(year, month, 1)) if 1 <= month <= 12 and 1900 < year < 2200 else None
    elif kind == "month":
        period = Period(dt.date(full_year(groups[1]), _MONTHS[groups[0].lower()], 1))
    else:
        first, second = groups
        if len(first) == 4 or len(second) == 2:  # 2019/20, 2019-2020, 19/20; not 2/2019
            fy_start = _financial_year_start(first, second)
            if fy_start is not None and 1990 < fy_start < 2100:
                period = Period(dt.date(fy_start, 4, 1), PeriodKind.YEAR)
    return FoundPeriod(period, match.start(), match.end()) if period else None


def _with_quarter_apart(text: str, year: FoundPeriod) -> FoundPeriod:
    quarters = {int(m.group(1)) for m in re.finditer(_QUARTER_WORD, text, re.I)}
    if len(quarters) != 1:
        return year
    return FoundPeriod(Period(quarter_start(quarters.pop(), year.period.start.year), PeriodKind.QUARTER),
                       year.start, year.end)


# --- a period heading a column, as written in the wild -------------------------------------------


@dataclass(frozen=True)
class HeadingPeriod:
    """What a column heading that is not a period in one of the plain forms says of its period."""

    period: Period | None = None  # 'Apr 2020 (provisional)', 'Q1 (April to June 2019)'
    yearless: tuple[PeriodKind, int] | None = None  # 'Quarter 4 - Jan to Mar': (QUARTER, 4)
    impossible: str = ""  # why the heading names no period that can be: 'Quarter 5 2019/20'


# words that may stand beside a period in a heading without changing what the column holds
_HEADING_NOISE = frozenset({"provisional", "draft", "revised", "final", "unaudited", "audited", "actual",
                            "actuals", "outturn", "result", "results", "data", "figures", "p", "r",
                            "prov", "est", "estimate", "estimated", "ytd", "cumulative", "to", "date",
                            "month", "quarter", "qtr", "year", "end", "ending", "as", "at", "of", "the"})
# a heading with one of these is about something other than what happened in the period
_NOT_AN_OUTTURN = re.compile(r"\b(?:forecast|target|budget|plan|planned|profile|projected|projection|"
                             r"benchmark|average|previous|prior|last|baseline|comparator|change|"
                             r"variance|difference|trend|rank|notes?|comments?)\b", re.I)
# a second language beside the first: 'Ebrill / April 2020', 'Chwarter 1 | Quarter 1 2019/20'
_LANGUAGES = re.compile(r"\s*\|\s*|\s+/\s+|(?<=[^\W\d])/(?=[^\W\d])")
_BRACKETED = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_MONTH_RANGE = re.compile(
    rf"^(?:(?:q|qtr|quarter)\s*(?P<quarter>\d+)\b)?[\s:,\-–]*(?P<first>{_MONTH_NAME})\.?\s*(?P<y1>\d{{4}})?"
    rf"\s*(?:-|–|to|until)\s*(?P<last>{_MONTH_NAME})\.?\s*(?P<y2>\d{{4}}|\d{{2}})?$", re.I)
_A_RANGE = re.compile(rf"(?<![a-z])(?:{_MONTH_NAME})\.?\s*(?:\d{{4}}\s*)?(?:-|–|to|until)\s*(?:{_MONTH_NAME})"
                      r"(?![a-z])", re.I)
_QUARTER_WITH_YEAR = re.compile(rf"(?<![a-z])(?:q|qtr|quarter)[\s_\-.]*(\d+)[\s_\-,]*(?:of\s*)?{_FY_IN}",
                                re.I)


def heading_period(text: str) -> HeadingPeriod | None:
    """The period a column heading names when it is not written in one of parse_period_text's
    forms, found as titles' periods are (find_period): 'Ebrill / April 2020', 'Apr 2020
    (provisional)', 'Q1 (April to June 2019)', 'April to June 2023' (a quarter), 'Quarter 4 - Jan
    to Mar' (a quarter without its year); a period that cannot be ('Quarter 5 2019/20', 'Q2 (April
    to June)') says why. None when the heading names no period, or says more than a period (a
    forecast, a target, last year's figure: such a column is not a period's figures)."""
    text = " ".join(text.split())
    if not text or len(text) > 80 or _NOT_AN_OUTTURN.search(text):
        return None
    impossible = _impossible_quarter(text)
    if impossible:
        return HeadingPeriod(impossible=impossible)
    parts = [part for part in _LANGUAGES.split(text) if part.strip()]
    if len(parts) > 1:
        return _bilingual(parts)
    return _heading_in_words(text)


def _heading_in_words(text: str) -> HeadingPeriod | None:
    """A heading's period with its notes in brackets: the months of a quarter ('Q1 (April to June
    2019)'), a status ('(provisional)'); notes naming another period make it none."""
    notes = " ".join(_BRACKETED.findall(text))
    plain = " ".join(_BRACKETED.sub(" ", text).replace("*", " ").split())
    ranged = _month_range(plain) or (_month_range(f"{plain} {notes}") if notes else None)
    if ranged is not None or _A_RANGE.search(text):
        return ranged  # months that are not one quarter ('Nov to Jan 2020') are not one period
    period = parse_period_text(plain)
    if period is None:
        found = find_period(plain)
        if found is None or not _only_noise(plain[: found.start] + " " + plain[found.end:]):
            return None
        period = found.period
    inner = find_period(notes) if notes else None
    if inner is not None and inner.period != period:
        return None  # 'Q1 2019/20 (Q4 2018/19 restated)': two periods
    return HeadingPeriod(period)


def _bilingual(parts: list[str]) -> HeadingPeriod | None:
    """One heading in two languages: the period of the part that names one, when the others name
    none or the same."""
    found = [heading for part in parts
             if (heading := (_plain_heading(part) or _heading_in_words(part))) is not None]
    periods = {h.period for h in found if h.period is not None}
    if len(periods) == 1:
        return HeadingPeriod(periods.pop())
    yearless = {h.yearless for h in found if h.yearless is not None}
    return HeadingPeriod(yearless=yearless.pop()) if len(yearless) == 1 and not periods else None


def _plain_heading(text: str) -> HeadingPeriod | None:
    period = parse_period_text(text)
    return HeadingPeriod(period) if period else None


def _only_noise(text: str) -> bool:
    """Whether the words beside a period say nothing else (a status, a second-language month)."""
    words = re.findall(r"[^\W\d_]+|\d+", text.lower())
    if any(word.isdigit() for word in words):
        return False
    unknown = [word for word in words if word not in _HEADING_NOISE and word not in _MONTHS]
    # a word that is not a status ('TTAF 2013/14', 'ALP 2013/14': a plan's figures) says what the
    # column holds, so it is not this period's outturn (a second language comes after / or |)
    return not unknown and len(words) <= 4


def _month_range(text: str) -> HeadingPeriod | None:
    """A quarter written as its months: 'April to June 2019', 'Jan-Mar 2020', 'Q4 - Jan to Mar'."""
    match = _MONTH_RANGE.match(" ".join(text.split()))
    if not match:
        return None
    first, last = _MONTHS[match["first"].lower()], _MONTHS[match["last"].lower()]
    span = (last - first) % 12 + 1
    year_text = match["y2"] or match["y1"]
    if span == 12 and first == 4 and year_text:  # April 2019 to March 2020: a financial year
        end_year = full_year(year_text)
        return HeadingPeriod(Period(dt.date(end_year - 1, 4, 1), PeriodKind.YEAR))
    if span != 3 or (first - 4) % 3:
        return None  # not one quarter of a financial year
    quarter = (first - 4) % 12 // 3 + 1
    if match["quarter"] is not None and int(match["quarter"]) != quarter:
        return HeadingPeriod(impossible=f"says quarter {match['quarter']}, but {match['first']} to "
                                        f"{match['last']} is quarter {quarter} of a financial year")
    if not year_text:
        return HeadingPeriod(yearless=(PeriodKind.QUARTER, quarter))
    end_year = full_year(year_text) if match["y2"] else full_year(year_text) + (last < first)
    fy_start = end_year - (1 if last < 4 else 0)
    return HeadingPeriod(Period(quarter_start(quarter, fy_start), PeriodKind.QUARTER))


def _impossible_quarter(text: str) -> str:
    """Why a quarter written with its financial year cannot be: quarter 0 or 5, or two years that
    do not follow each other ('Q1 2019/21')."""
    for match in _QUARTER_WITH_YEAR.finditer(text):
        quarter, first, second = match.groups()
        if not 1 <= int(quarter) <= 4:
            return f"names quarter {int(quarter)}, and a financial year has quarters 1 to 4"
        if (len(first) == 4 or len(second) == 2) and _financial_year_start(first, second) is None:
            return f"names {first}/{second}, which is not one financial year"
    return ""
