"""What a column's heading names: the roles a table's columns play and the words that name them (pure)."""

from __future__ import annotations

import functools
import re
from enum import Enum

from kpi_excel.core.periods import find_period, strip_year_suffix
from kpi_excel.core.values import normalise


class Role(str, Enum):
    """What a table column holds."""

    CODE = "code"
    INDICATOR = "indicator"
    POLARITY = "polarity"
    TARGET = "target"
    FLOOR = "floor"
    TYPE = "type"
    SECTION = "section"
    TOLERANCE = "tolerance"
    LOWER = "lower threshold"
    UPPER = "upper threshold"
    FREQUENCY = "data period"
    UNIT = "unit"
    COMMENTARY = "commentary"
    OWNER = "owner"
    DIRECTORATE = "directorate"  # one workbook holding several directorates' indicators
    VALUE = "value"  # a single value column: Actual, Value, Latest, Outturn
    PERIOD = "period"  # long form: one row per indicator per period
    STATUS = "status"  # the council's own rating, as it stated it: G/A/R, Target met, Off target


_SYNONYMS: dict[Role, tuple[str, ...]] = {
    Role.CODE: ("code", "ref", "piref", "kpiref", "reference", "id", "kpicode", "picode", "kpiid",
                "indicatorcode", "indicatorref", "kpino", "pino", "refno"),
    Role.INDICATOR: ("indicator", "indicatordescription", "description", "measure",
                     "performanceindicator", "indicatorname", "kpiname", "kpidescription",
                     "kpi", "name", "activityindicator", "activity", "measuredescription",
                     "keyperformanceindicator", "indicatortitle", "title"),
    Role.POLARITY: ("polarity", "goodis", "higherorlowerisbetter", "higherorlower",
                    "isbetter", "betteris", "goodperformanceis", "aim", "goodperformance",
                    "whatisgood", "directionofimprovement", "desireddirection", "pol", "hl", "highlow",
                    "higherlower", "hilo", "highorlow"),
    Role.TARGET: ("target", "targets", "kpitarget", "annualtarget", "currenttarget"),
    Role.FLOOR: ("floor", "floorstandard", "minimum", "minimumstandard", "floortarget",
                 "floorlevel"),
    Role.TYPE: ("type", "kpitype", "indicatortype", "kpioractivity", "category"),
    Role.SECTION: ("section", "service", "servicearea", "area", "theme", "division", "priority"),
    Role.TOLERANCE: ("tolerance", "ambertolerance", "amberthreshold", "tolerancepct"),
    Role.LOWER: ("lowerthreshold", "lower", "lowerlimit", "lowerbound", "expectedrangelower",
                 "lowerexpected"),
    Role.UPPER: ("upperthreshold", "upper", "upperlimit", "upperbound", "expectedrangeupper",
                 "upperexpected"),
    Role.FREQUENCY: ("dataperiod", "frequency", "reportingfrequency", "periodicity"),
    Role.UNIT: ("unit", "units", "unitofmeasure"),
    Role.COMMENTARY: ("commentary", "comments", "comment", "notes", "note", "narrative"),
    Role.OWNER: ("owner", "leadofficer", "responsibleofficer", "kpiowner", "lead",
                 "accountableofficer"),
    Role.DIRECTORATE: ("directorate", "department", "dept", "directoratename", "departmentname"),
    Role.VALUE: ("actual", "value", "latest", "outturn", "result", "latestvalue", "actuals",
                 "performance", "latestperformance", "latestresult", "yeartodate", "ytd"),
    Role.PERIOD: ("period", "month", "quarter", "date", "reportingperiod", "periodending"),
    Role.STATUS: ("status", "rag", "ragstatus", "ragrating", "rating", "performancestatus",
                  "targetstatus", "statusagainsttarget", "performanceagainsttarget", "ragagainsttarget",
                  "currentstatus", "latestrag", "latestragstatus", "overallrag", "overallstatus"),
}
_ROLE_OF = {name: role for role, names in _SYNONYMS.items() for name in names}


# Roles whose heading may carry more words after the name: 'Actual Mar-20', 'Target (%)'
_NAME_THEN_MORE = (Role.TARGET, Role.FLOOR, Role.VALUE, Role.TOLERANCE, Role.LOWER, Role.UPPER)

# Matching a heading by its words: a heading names a role when one of its words is that role's
# head word and every other word is a qualifier that any heading may carry ('PI Name', 'Measure
# Title', 'Outturn to date'). A word that is neither (such as 'previous' in 'Previous outturn')
# matches nothing, so an unknown heading stays unrecognised rather than being guessed.
_HEAD_WORDS: dict[Role, frozenset[str]] = {
    Role.CODE: frozenset({"code", "ref", "reference", "id", "no", "number", "identifier"}),
    Role.INDICATOR: frozenset({"indicator", "measure", "name", "title", "description", "kpi", "pi",
                               "metric", "indicators", "measures", "kpis", "pis", "metrics"}),
    Role.POLARITY: frozenset({"polarity", "aim", "good", "better", "improvement"}),
    Role.TARGET: frozenset({"target", "targets"}),
    Role.FLOOR: frozenset({"floor", "minimum"}),
    Role.VALUE: frozenset({"actual", "value", "outturn", "result", "performance", "actuals", "figure",
                           "outcome", "achieved", "achievement", "perf"}),
    Role.COMMENTARY: frozenset({"commentary", "comments", "comment", "notes", "note", "narrative",
                                "explanation"}),
    Role.OWNER: frozenset({"owner", "lead", "officer"}),
    Role.STATUS: frozenset({"status", "rag", "rating"}),
    Role.FREQUENCY: frozenset({"frequency", "periodicity"}),
    Role.UNIT: frozenset({"unit", "units"}),
}
_QUALIFIERS = frozenset({
    "pi", "kpi", "kpis", "indicator", "measure", "performance", "key", "the", "of", "a", "to", "date",
    "ytd", "current", "latest", "this", "period", "is", "our", "council", "overall", "reported",
    "reporting", "cumulative", "year", "corporate", "service", "s", "in", "for", "short", "full",
    "annual", "quarterly", "monthly",
})
# The marker of a note under the table, after a heading: '(i)', '(iii)', '[1]', '*'
_FOOTNOTE = re.compile(r"\s*(?:\((?:i{1,3}|iv|vi{0,3}|ix|x|\d{1,2})\)|\[\d{1,2}\]|\*+)\s*$", re.I)
# A heading asking whether the target was met is the council's rating, not a target: 'Target Met?',
# 'On target?', 'Target achieved'
_TARGET_MET = re.compile(r"^\W*(?:target\s+(?:met|achieved|reached|hit)|on\s+target|met|achieved)\W*$", re.I)


def header_role(text: object) -> Role | None:
    """The role a header names, ignoring case, spacing, punctuation and a year or period before or
    after it ('Target 2019/20', 'Q2 2023/24 Value'); else by its words (see _HEAD_WORDS)."""
    if not isinstance(text, str):
        return None
    return _text_role(text)


@functools.lru_cache(maxsize=4096)  # the header finder asks of the same texts row after row
def _text_role(text: str) -> Role | None:
    text = _FOOTNOTE.sub("", text) or text  # 'Annual Perf. 2012/13 (i)': a note's marker
    if _TARGET_MET.match(text):
        return Role.STATUS
    key = normalise(strip_year_suffix(text))
    if key in _ROLE_OF:
        return _ROLE_OF[key]
    # 'Actual Mar-20', 'Target (%)', 'Floor standard 19/20': match on the leading word(s)
    words = re.findall(r"[a-z0-9]+", text.lower())
    for size in (3, 2, 1):
        if len(words) >= size and "".join(words[:size]) in _ROLE_OF:
            role = _ROLE_OF["".join(words[:size])]
            if role in _NAME_THEN_MORE:
                return _role_by_words(text) or role  # 'Performance Measure' names the indicator
    rest = _after_leading_period(text)  # 'Q2 2023/24 Value', '2019/20 Outturn'
    if rest is not None:
        after = _text_role(rest)
        return after if after in _NAME_THEN_MORE else None
    return _role_by_words(text)


def _after_leading_period(text: str) -> str | None:
    """What follows a period written first in a heading, or None when it starts with none."""
    found = find_period(text)
    if found is None or text[: found.start].strip(" -–:") or not text[found.end:].strip():
        return None
    return text[found.end:].strip(" -–:")


def _role_by_words(text: str) -> Role | None:
    """The one role whose head word the heading holds, all its other words being qualifiers (a
    year, and a council's own acronym such as 'ALP' in 'ALP Target 2012/13', qualify any heading)."""
    acronyms = {w.lower() for w in re.findall(r"\b[A-Z]{2,5}\b", text)}
    words = [w for w in re.findall(r"[a-z0-9]+", re.sub(r"\(.*?\)", " ", text.lower())) if not w.isdigit()]
    if not words or len(words) > 5:
        return None
    qualifiers = _QUALIFIERS | acronyms
    found = {role for role, heads in _HEAD_WORDS.items()
             if any(w in heads for w in words) and all(w in heads or w in qualifiers for w in words)}
    if len(found) > 1:  # 'KPI Status', 'PI Code': the word that is only a head word rules
        strong = {role for role in found if any(w in _HEAD_WORDS[role] and w not in qualifiers
                                                for w in words)}
        # else the last word, as English puts the noun last: 'Performance Measure'
        found = strong or {role for role in found if words[-1] in _HEAD_WORDS[role]}
    return found.pop() if len(found) == 1 else None


def asks_if_target_met(text: str) -> bool:
    """Whether a heading asks if the target was met ('Target Met?'): Yes and No under it are ratings."""
    return bool(_TARGET_MET.match(text))


_DIRECTION = re.compile(r"\b(?:direction|dot|trend|travel|arrows?)\b", re.I)


def is_direction_heading(text: str) -> bool:
    """A direction-of-travel or trend column ('Direction of Travel', 'Short Trend', 'Long Term DOT
    against 2013/14'): better or worse than before, never the rating against target. The desired
    direction ('PI & Desired Direction of Travel') is a polarity, not a direction of travel."""
    return bool(_DIRECTION.search(text)) and not re.search(r"\b(?:desired|improvement|good)\b", text, re.I)


# What a figure column's heading says of when its figure is from, beside others
_HISTORY = re.compile(r"\b(?:last|previous|prior|baseline|year[\s-]*end|benchmark|comparator|national|"
                      r"england|family|same\s+period|was)\b", re.I)
_CURRENT = re.compile(r"\b(?:current|latest|this|to[\s-]*date|ytd|now|in[\s-]*year)\b", re.I)


def figure_time(text: str) -> str:
    """'current' for this period's figure ('Current Performance', 'Year to date', 'Latest'),
    'history' for an earlier one ('Last Year', 'Previous quarter', 'Baseline', 'Year end'), else ''."""
    if _CURRENT.search(text):
        return "current"
    if _HISTORY.search(text):
        return "history"
    return ""
