"""How numbers, ratings and directions are written in every output (pure, one place)."""

from __future__ import annotations

import re

from kpi_excel.core.model import Direction, Indicator, Period, Polarity, RangeStatus, Rating

NO_DATA_WORD = "No data"
NOT_RATED_WORD = "Not rated"

DIRECTION_WORDS = {
    Direction.IMPROVED: "Improved",
    Direction.WORSENED: "Worsened",
    Direction.SAME: "Same",
    Direction.INCREASED: "Increased",
    Direction.DECREASED: "Decreased",
}
DIRECTION_ARROWS = {Direction.IMPROVED: "↑", Direction.WORSENED: "↓", Direction.SAME: "→",
                    Direction.INCREASED: "↑", Direction.DECREASED: "↓"}
POLARITY_WORDS = {
    Polarity.HIGHER: "Higher is better",
    Polarity.LOWER: "Lower is better",
    Polarity.TARGET: "Close to target",
    Polarity.NONE: "Data only",
}
RANGE_WORDS = {
    RangeStatus.ABOVE: "Above",
    RangeStatus.WITHIN: "Within",
    RangeStatus.BELOW: "Below",
}


def decimals_for(indicator: Indicator) -> int:
    """Decimal places to show: from the sheet's own number format where it says, else a guess."""
    fmt = indicator.number_format
    if "." in fmt:
        after = fmt.split(".", 1)[1]
        return len(after) - len(after.lstrip("0#"))
    if fmt not in ("General", ""):
        return 0
    return 1 if indicator.is_percent else 0


def format_value(value: float | None, indicator: Indicator) -> str:
    """A value as the outputs print it: 89.0% for a percentage, 1,234 for a count."""
    if value is None:
        return ""
    places = decimals_for(indicator)
    if indicator.is_percent:
        return f"{value * 100:,.{places}f}%"
    if places == 0 and not float(value).is_integer():
        places = 1 if abs(value) < 100 else 0
    text = f"{value:,.{places}f}"
    sign = next((s for s in "£$€" if s in indicator.number_format), "")  # '"£"#,##0.00': £7,373.55
    if sign:
        text = f"-{sign}{text[1:]}" if text.startswith("-") else f"{sign}{text}"
    return f"{text}{indicator.unit}" if indicator.unit in ("%",) else text


def rag_word(rating: Rating) -> str:
    """Green / Amber / Red, or why there is no rating."""
    if rating.rag is not None:
        return rating.rag.word
    return NO_DATA_WORD if rating.latest is None else NOT_RATED_WORD


def direction_word(direction: Direction | None) -> str:
    return DIRECTION_WORDS[direction] if direction else ""


def range_word(status: RangeStatus | None) -> str:
    return RANGE_WORDS[status] if status else ""


def year_words(financial_year: str, ahead: int = 0) -> str:
    """A financial year as both outputs write it beside another, as the council's papers do:
    2019/20 -> 2019-20, and with ahead=1 the year after it, 2020-21."""
    first = int(financial_year[:4]) + ahead
    return f"{first}-{(first + 1) % 100:02d}"


def this_and_next_year(period: Period | None) -> tuple[str, str]:
    """The report's financial year and the next, as the outputs write them beside each other
    ('2019-20', '2020-21'), or 'this year' and 'next year' when there is no data to date them."""
    if period is None:
        return "this year", "next year"
    return year_words(period.financial_year), year_words(period.financial_year, ahead=1)


# what an XML 1.0 file cannot hold (and DEL): lxml refuses them, so every output drops them
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def without_control_characters(text: str) -> str:
    """text without the control characters no .docx or .xlsx can hold; tabs and line breaks stay."""
    return _CONTROL.sub("", text)


def utf16_length(text: str) -> int:
    """How long Office counts a text: in UTF-16 units, so an emoji counts two."""
    return len(text) + sum(ord(ch) > 0xFFFF for ch in text)


def fit_text(text: str, limit: int) -> str:
    """text cut to at most limit UTF-16 units (Office's limits count those), never halving an
    emoji."""
    if len(text) <= limit // 2 or utf16_length(text) <= limit:
        return text
    return text.encode("utf-16-le")[: 2 * limit].decode("utf-16-le", "ignore")


def percent(fraction: float) -> str:
    """A rule's share as a percentage, with its decimals only where it has some: 5%, 2.5%."""
    return f"{round(fraction * 100, 6):g}%"
