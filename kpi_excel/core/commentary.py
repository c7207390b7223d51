"""Commentary that no longer matches the data: quoted figures, periods, standards and ratings (pure).

Commentary is typed by hand for one period and easily left behind when a late or corrected figure
arrives. These checks read it as a committee member would: a figure said to be for a period ("89.0%
in March"), a target or floor standard quoted with its figure ("the 90% floor standard"), and what
it says of the rating ("below the floor standard", "above target", "rated Red"). A warning names the
commentary cell; the commentary itself is never changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kpi_excel.core.formatting import format_value
from kpi_excel.core.model import (
    Indicator,
    KpiType,
    Observation,
    Period,
    PeriodKind,
    Polarity,
    Rag,
    RagMethod,
    Rating,
    Warning_,
)
from kpi_excel.core.periods import full_year

# in English whatever the locale (calendar.month_name follows the locale)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_MONTH_OF = {**{m.lower(): n for n, m in enumerate(_MONTHS, 1)},
             **{m[:3].lower(): n for n, m in enumerate(_MONTHS, 1)}, "sept": 9}
# Month names as written in prose: capitalised (so "may" the verb is not May), full or short.
_MONTH = r"(?P<month>" + "|".join(sorted({m for m in _MONTHS} | {m[:3] for m in _MONTHS} | {"Sept"},
                                          key=len, reverse=True)) + r")\b\.?"
_PERIOD = re.compile(
    rf"(?:{_MONTH}(?:[\s\-']*(?P<year>(?:19|20)\d\d|\d\d)(?![\d/]))?"
    r"|\b(?:Q|Quarter\s?)(?P<quarter>[1-4])\b(?:\s*(?P<fy>(?:19|20)\d\d)\s*[/-]\s*\d\d(?:\d\d)?)?)"
)
# A figure: 89.0%, 89 per cent, 1,386,205; not a part of COVID-19, 20-day or 2019/20.
_NUMBER = (r"(?<![\w.\-/£$])(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
           r"(?P<percent>\s?%|\s?per\s?cent\b)?(?![\w\-/]|\.\d)")
# "89.0% in March", "38,745 calls in March 2020", "92% for Q4"
_FIGURE_FOR_PERIOD = re.compile(
    _NUMBER + r"(?:\s+[a-z]+)?\s+(?:in|for|during|at the end of)\s+(?:the\s+)?(?:month\s+of\s+)?"
    r"(?P<period>" + _PERIOD.pattern.replace("?P<", "?P<p_") + r")"
)
_STANDARD = r"(?P<standard>target|floor(?:\s+standard)?)"
# "the 90% floor standard", "a target of 92%", "floor standard (90%)"
_QUOTED_STANDARD = re.compile(
    _NUMBER + r"\s+" + _STANDARD + r"\b"
    + r"|\b" + _STANDARD.replace("standard>", "standard2>") + r"\s*(?:of|was|is|:|\()\s*"
    + _NUMBER.replace("number>", "number2>").replace("percent>", "percent2>"),
    re.I,
)
# Something compared with, rather than reported: "up from 84.7% in February", "higher than 80%".
_COMPARISON = re.compile(r"\b(?:from|than|compared\s+(?:with|to)|against|since|versus|vs)\b[^.;]{0,12}$",
                         re.I)

# A figure or standard of another year than the one reported: "last year's 85% in March", "a
# target of 95% for 2020/21", "the proposed 92% target".
_OTHER_YEAR = re.compile(r"\b(?:last|previous|prior|next|new|proposed)\s+year|\bproposed\b|\ba\s+year\s+"
                         r"(?:ago|earlier)|\byear\s+earlier|\b(?:for|from|in)\s+(?:19|20)\d\d\s*[/-]\s*\d\d",
                         re.I)


def _around(text: str, match: re.Match[str]) -> str:
    """The words either side of a match, where a sentence says which year it speaks of."""
    return text[max(0, match.start() - 30):match.end() + 30]


_REF = r"\s+(?:the\s+)?(?:[\d.,]+\s*(?:%|per\s*cent)?\s+)?(?:agreed\s+|expected\s+|new\s+)?"
_NEGATION = re.compile(r"\b(?:not|never|no\s+longer|failed\s+to|yet\s+to|n't)\b[^.;,]{0,20}$", re.I)
_CLAIMS = [  # (pattern, which standard, whether it says the standard is met, the word's direction)
    (r"\b(?:met|meets|meeting|meet|achieved|achieves|achieving|achieve|reached|reach|hit|hitting|"
     r"exceeded|exceeds|exceeding|exceed|on)", True, ""),
    (r"\b(?:missed|misses|missing|miss|short\s+of|off|not)", False, ""),
    (r"\b(?:above|over|ahead\s+of|better\s+than)", None, "above"),
    (r"\b(?:below|under|behind|worse\s+than)", None, "below"),
]
_COLOUR = re.compile(r"\b(?:rated|rating\s+of|is|was|remains|remained|stayed|stays|now|back\s+to|"
                     r"returned\s+to|moved\s+to|turned|went)\s+(?P<colour>green|amber|red)\b"
                     r"|\b(?P<colour2>green|amber|red)\s+(?:rating|status)\b", re.I)


@dataclass(frozen=True)
class _Claim:
    """What a phrase says of the rating: a standard met or missed, or a colour."""

    phrase: str
    standard: str = ""  # "target" or "floor"; "" for a colour
    met: bool = False
    colour: Rag | None = None

    def agrees_with(self, rag: Rag) -> bool:
        if self.colour is not None:
            return rag is self.colour
        if self.standard == "target":
            return (rag is Rag.GREEN) == self.met
        return (rag is not Rag.RED) == self.met  # the floor standard


def commentary_warnings(rating: Rating, method: RagMethod) -> Iterator[Warning_]:
    """Every way the indicator's commentary disagrees with its data, each naming the commentary cell."""
    ind = rating.indicator
    text = ind.commentary
    if not text or rating.latest is None:
        return
    where = ind.commentary_cell or ind.ref
    latest = rating.latest.period
    reported: list[Period] = []
    for match in _FIGURE_FOR_PERIOD.finditer(text):
        obs = _observation_for(match, ind, latest)
        if obs is None or obs.value is None or _OTHER_YEAR.search(_around(text, match)):
            continue
        quoted = match.group(0).strip().rstrip(".")
        if not _quotes_value(match.group("number"), bool(match.group("percent")), obs.value, ind):
            yield Warning_(f"{ind.label}: the commentary quotes '{quoted}', but the figure for "
                           f"{obs.period.label} is {format_value(obs.value, ind)}; check the commentary",
                           where)
        if not _COMPARISON.search(text[max(0, match.start() - 40):match.start()]):
            reported.append(obs.period)
    if reported and max(reported) < latest:
        yield Warning_(f"{ind.label}: the commentary reports figures up to {max(reported).label}, but the "
                       f"latest figure is for {latest.label}; check the commentary is up to date", where)
    yield from _quoted_standards(text, ind, where)
    if ind.type is KpiType.KPI and rating.rag is not None:
        claims = _claims(text, ind, method)
        if claims and not any(c.agrees_with(rating.rag) for c in claims):
            yield Warning_(f"{ind.label}: the commentary says '{claims[0].phrase}', but the KPI is rated "
                           f"{rating.rag.word} ({format_value(rating.value, ind)} in {latest.label}); "
                           "check the commentary", where)


def _observation_for(match: re.Match[str], ind: Indicator, latest: Period) -> Observation | None:
    """The latest observation, up to the latest period, of the period a figure is said to be for."""
    with_values = [o for o in ind.observations if o.value is not None and o.period <= latest]
    if match.group("p_month"):
        month = _MONTH_OF[match.group("p_month").lower().rstrip(".")]
        year = match.group("p_year")
        found = [o for o in with_values if _holds_month(o.period, month, year)]
    else:
        quarter, fy = int(match.group("p_quarter")), match.group("p_fy")
        found = [o for o in with_values if o.period.kind is PeriodKind.QUARTER
                 and _quarter_of(o.period) == quarter and (not fy or o.period.financial_year[:4] == fy)]
    return found[-1] if found else None


def _holds_month(period: Period, month: int, year: str | None) -> bool:
    """Whether a period takes in the named month (of the named year, when one is given)."""
    year_number = None if year is None else full_year(year)
    start, end = period.month_number, period.last_month_number
    return any(m % 12 + 1 == month and (year_number is None or m // 12 == year_number)
               for m in range(start, end + 1))


def _quarter_of(period: Period) -> int:
    return ((period.start.month - 4) % 12) // 3 + 1


def _quotes_value(number: str, percent: bool, value: float, ind: Indicator) -> bool:
    """Whether a quoted figure is the value, to the precision it is quoted to (89% is 0.887 to 0.893)."""
    quoted = float(number.replace(",", ""))
    places = len(number.split(".", 1)[1]) if "." in number else 0
    shown = value * 100 if ind.is_percent or (percent and abs(value) <= 1.5 and quoted > 1.5) else value
    return abs(shown - quoted) <= 0.5 * 10 ** -places + 1e-9


def _quoted_standards(text: str, ind: Indicator, where: str) -> Iterator[Warning_]:
    """A target or floor standard quoted with a figure that is no longer the indicator's."""
    for match in _QUOTED_STANDARD.finditer(text):
        standard = (match.group("standard") or match.group("standard2")).lower()
        number = match.group("number") or match.group("number2")
        percent = bool(match.group("percent") or match.group("percent2"))
        actual = ind.floor if standard.startswith("floor") else ind.target
        if _OTHER_YEAR.search(_around(text, match)):
            continue  # last year's or next year's standard
        if actual is not None and not _quotes_value(number, percent, actual, ind):
            name = "floor standard" if standard.startswith("floor") else "target"
            yield Warning_(f"{ind.label}: the commentary quotes '{match.group(0).strip()}', but the {name} "
                           f"is {format_value(actual, ind)}; check the commentary", where)


def _claims(text: str, ind: Indicator, method: RagMethod) -> list[_Claim]:
    """What the commentary says of the rating, each phrase once, in the order written."""
    claims: list[tuple[int, _Claim]] = []
    standards = [("target", r"target")]
    if method is RagMethod.FLOOR and ind.floor is not None:
        standards.append(("floor", r"floor(?:\s+standard)?"))
    for standard, noun in standards:
        for verb, met, direction in _CLAIMS:
            for match in re.finditer(verb + _REF + noun + r"\b", text, re.I):
                said = met
                if direction:
                    if ind.polarity not in (Polarity.HIGHER, Polarity.LOWER):
                        continue  # above or below a goal post says nothing of the rating
                    said = (direction == "above") == (ind.polarity is Polarity.HIGHER)
                if met is not False and _NEGATION.search(text[max(0, match.start() - 30):match.start()]):
                    said = not said
                claims.append((match.start(), _Claim(match.group(0).strip(), standard, bool(said))))
    for match in _COLOUR.finditer(text):
        colour = (match.group("colour") or match.group("colour2")).upper()
        claims.append((match.start(), _Claim(match.group(0).strip(), colour=Rag(colour))))
    return [claim for _, claim in sorted(claims, key=lambda c: c[0])]
