"""Turning header and cell text into meaning: column roles, numbers, no-data marks, polarity (pure)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

from kpi_excel.core.formatting import without_control_characters
from kpi_excel.core.model import KpiType, Polarity, Rag, StatedRating
from kpi_excel.core.periods import find_period, strip_year_suffix


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
                    "whatisgood", "directionofimprovement", "desireddirection"),
    Role.TARGET: ("target", "targets", "kpitarget", "annualtarget", "currenttarget"),
    Role.FLOOR: ("floor", "floorstandard", "minimum", "minimumstandard", "floortarget",
                 "floorlevel"),
    Role.TYPE: ("type", "kpitype", "indicatortype", "kpioractivity", "category"),
    Role.SECTION: ("section", "service", "servicearea", "area", "theme", "division"),
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
                 "performance", "latestperformance", "latestresult"),
    Role.PERIOD: ("period", "month", "quarter", "date", "reportingperiod", "periodending"),
    Role.STATUS: ("status", "rag", "ragstatus", "ragrating", "rating", "performancestatus",
                  "targetstatus", "statusagainsttarget", "performanceagainsttarget", "ragagainsttarget",
                  "currentstatus", "latestrag", "latestragstatus", "overallrag", "overallstatus"),
}
_ROLE_OF = {name: role for role, names in _SYNONYMS.items() for name in names}


def normalise(text: str) -> str:
    """Lower case, letters and digits only: 'Floor Standard ' -> 'floorstandard'."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


# Roles whose heading may carry more words after the name: 'Actual Mar-20', 'Target (%)'
_NAME_THEN_MORE = (Role.TARGET, Role.FLOOR, Role.VALUE, Role.TOLERANCE, Role.LOWER, Role.UPPER)

# Matching a heading by its words: a heading names a role when one of its words is that role's
# head word and every other word is a qualifier that any heading may carry ('PI Name', 'Measure
# Title', 'Outturn to date'). A word that is neither (such as 'previous' in 'Previous outturn')
# matches nothing, so an unknown heading stays unrecognised rather than being guessed.
_HEAD_WORDS: dict[Role, frozenset[str]] = {
    Role.CODE: frozenset({"code", "ref", "reference", "id", "no", "number", "identifier"}),
    Role.INDICATOR: frozenset({"indicator", "measure", "name", "title", "description", "kpi", "pi",
                               "metric"}),
    Role.POLARITY: frozenset({"polarity", "aim", "good", "better", "improvement"}),
    Role.TARGET: frozenset({"target", "targets"}),
    Role.FLOOR: frozenset({"floor", "minimum"}),
    Role.VALUE: frozenset({"actual", "value", "outturn", "result", "performance", "actuals", "figure",
                           "outcome", "achieved", "achievement"}),
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
})


def header_role(text: object) -> Role | None:
    """The role a header names, ignoring case, spacing, punctuation and a year or period before or
    after it ('Target 2019/20', 'Q2 2023/24 Value'); else by its words (see _HEAD_WORDS)."""
    if not isinstance(text, str):
        return None
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
        after = header_role(rest)
        return after if after in _NAME_THEN_MORE else None
    return _role_by_words(text)


def _after_leading_period(text: str) -> str | None:
    """What follows a period written first in a heading, or None when it starts with none."""
    found = find_period(text)
    if found is None or text[: found.start].strip(" -–:") or not text[found.end:].strip():
        return None
    return text[found.end:].strip(" -–:")


def _role_by_words(text: str) -> Role | None:
    """The one role whose head word the heading holds, all its other words being qualifiers."""
    words = re.findall(r"[a-z0-9]+", re.sub(r"\(.*?\)", " ", text.lower()))
    if not words or len(words) > 5:
        return None
    found = {role for role, heads in _HEAD_WORDS.items()
             if any(w in heads for w in words) and all(w in heads or w in _QUALIFIERS for w in words)}
    if len(found) > 1:  # 'KPI Status', 'PI Code': the word that is only a head word rules
        strong = {role for role in found if any(w in _HEAD_WORDS[role] and w not in _QUALIFIERS
                                                for w in words)}
        # else the last word, as English puts the noun last: 'Performance Measure'
        found = strong or {role for role in found if words[-1] in _HEAD_WORDS[role]}
    return found.pop() if len(found) == 1 else None


# --- cell values ------------------------------------------------------------------------------

NO_DATA_MARKS = frozenset(
    {"", "n/a", "na", "n.a.", "-", "–", "—", "tbc", "tba", "not due", "notdue", "nd", "n/d",
     "not available", "no data", "..", "x", "nil return", "not applicable", "awaiting data",
     "due", "not yet due", "nyd"}
)
EXCEL_ERRORS = frozenset(
    {"#div/0!", "#n/a", "#ref!", "#value!", "#name?", "#num!", "#null!", "#getting_data",
     "#spill!", "#calc!", "#field!", "#blocked!", "#connect!", "#busy!", "#unknown!"}
)


@dataclass(frozen=True)
class CellNumber:
    """What a value cell holds: a number, or why it holds none."""

    value: float | None
    percent: bool = False  # the number is a fraction shown as a percentage
    missing: str | None = None  # the no-data mark or error, as written
    is_error: bool = False  # an Excel error value such as #DIV/0!
    unreadable: bool = False  # text that is neither a number nor a no-data mark


_NUMBER_TEXT = re.compile(r"^[(]?[-+−]?[£$€]?\s*[-+−]?(\d[\d,]*\.?\d*|\.\d+)\s*(%|k|m)?[)]?$", re.I)


def parse_number(value: object, number_format: str = "General") -> CellNumber:
    """Read a cell as a number: numbers, % cells, '88%', '1,000', no-data marks, Excel errors."""
    if value is None:
        return CellNumber(None, missing="blank")
    if isinstance(value, bool):
        return CellNumber(None, missing=str(value).upper(), unreadable=True)
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            return CellNumber(None, missing="#NUM!", is_error=True)
        return CellNumber(float(value), percent="%" in (number_format or ""))
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return CellNumber(None, missing=str(value), unreadable=True)
    return _parse_number_text(str(value))


def _parse_number_text(text: str) -> CellNumber:
    cleaned = " ".join(text.replace("\u00a0", " ").split())
    lowered = cleaned.lower()
    if lowered in NO_DATA_MARKS:
        return CellNumber(None, missing=cleaned or "blank")
    if lowered in EXCEL_ERRORS:
        return CellNumber(None, missing=cleaned.upper(), is_error=True)
    match = _NUMBER_TEXT.match(cleaned)
    if not match:
        return CellNumber(None, missing=cleaned, unreadable=True)
    negative = cleaned.startswith("(") and cleaned.endswith(")") or bool(
        re.match(r"^[(]?[£$€]?\s*[-−]", cleaned)
    )
    number = float(match.group(1).replace(",", ""))
    suffix = (match.group(2) or "").lower()
    number *= {"": 1, "%": 0.01, "k": 1_000, "m": 1_000_000}[suffix]
    if suffix == "%":
        number = round(number, 12)  # '88%' is 0.88, not 0.88000000000000001
    return CellNumber(-number if negative else number, percent=suffix == "%")


_COMPARED = re.compile(
    r"^(?P<sign>>=|=>|<=|=<|≥|≤|>|<|at least|not less than|no less than|minimum of|min\.?|above|over|"
    r"more than|greater than|at most|not more than|no more than|maximum of|max\.?|below|under|"
    r"less than|fewer than|up to)\s*(?P<rest>.+)$", re.I)
_LOWER_SIGNS = frozenset({"<=", "=<", "≤", "<", "at most", "not more than", "no more than", "maximum of",
                          "max", "max.", "below", "under", "less than", "fewer than", "up to"})


def strip_comparison(text: str) -> tuple[str, Polarity | None] | None:
    """A target written as a comparison or with a note, as councils write them: '>= 95%' ('95%',
    higher is better), '< 10' ('10', lower), 'at least 90%', '90% (national average)'. None when
    nothing was stripped."""
    cleaned = re.sub(r"\s*[(\[].*[)\]]\s*$", "", " ".join(text.split()))  # a trailing note
    # a unit after the number: '5 days', '12 weeks', '3.5 per cent'
    cleaned = re.sub(r"^([^a-z]*\d[^a-z]*?)\s+(?:days?|weeks?|months?|hours?|mins?|minutes?|"
                     r"pts?|points?|people|cases|households|visits|calls)\.?$", r"\1", cleaned, flags=re.I)
    match = _COMPARED.match(cleaned)
    if match:
        sign = match["sign"].lower()
        return match["rest"].strip(), Polarity.LOWER if sign in _LOWER_SIGNS else Polarity.HIGHER
    return (cleaned, None) if cleaned and cleaned != text.strip() else None


_NO_TARGET = re.compile(
    r"^(?:\W*)(data only|no target|not set|target not set|no target set|monitor(?:ing)?(?: only)?|"
    r"baseline(?: year)?|context(?:ual)?(?: only)?|none|not applicable|n/?a|tbd|to be (?:set|agreed|"
    r"confirmed)|n/?s|no data|information only|for information)(?:\W.*)?$", re.I)


def says_no_target(text: object) -> bool:
    """Words councils put in a Target column for a KPI that has none: 'Data only', 'Monitor',
    'Baseline year', 'No target set', 'Not applicable'."""
    return isinstance(text, str) and bool(_NO_TARGET.match(" ".join(text.split())))


# --- words ---------------------------------------------------------------------------------

_POLARITY_WORDS = {
    Polarity.HIGHER: ("h", "high", "higher", "higherisbetter", "higherbetter", "up", "increase",
                      "moreisbetter", "more", "hib", "highisgood", "higherisgood", "max",
                      "maximise", "bigger", "hi", "greater", "maximum", "maximize", "increasing",
                      "higherthebetter"),
    Polarity.LOWER: ("l", "low", "lower", "lowerisbetter", "lowerbetter", "down", "decrease",
                     "lessisbetter", "less", "lib", "lowisgood", "lowerisgood", "min", "minimise",
                     "smaller", "lo", "fewer", "reduce", "reduction", "minimum", "minimize",
                     "decreasing", "lowerthebetter"),
    Polarity.TARGET: ("t", "target", "closetotarget", "goalpost", "ontarget", "neartarget",
                      "closerisbetter", "c", "range"),
    Polarity.NONE: ("none", "na", "dataonly", "nopolarity", "neither", "notapplicable",
                    "information", "informationonly", "monitoronly", "nodirection"),
}
_POLARITY_OF = {word: pol for pol, words in _POLARITY_WORDS.items() for word in words}
# symbols performance systems export for a direction: '+', '↑ good', '▼'
_POLARITY_SYMBOLS = {"+": "up", "-": "down", "−": "down", "↑": "up", "▲": "up", "⬆": "up", "↓": "down",
                     "▼": "down", "⬇": "down"}
# words around the direction word that say nothing of the direction: 'Aim to Maximise', 'Bigger is
# better', 'Good performance: High', '↑ good'
_POLARITY_FILLER = frozenset({"aim", "to", "is", "are", "good", "better", "best", "performance",
                              "perf", "the", "a", "be", "should", "we", "want", "desired", "direction",
                              "of", "improvement", "preferred", "polarity", "indicates", "means"})


def parse_polarity(text: object) -> Polarity | None:
    """H/High/Higher is better/Up -> HIGHER; L/Lower is better/Down -> LOWER; T/Close to target;
    None/N/A/Data only -> NONE.

    Also as performance systems write them: 'Aim to Maximise', 'Smaller is better', 'Good
    performance: Low', '↑ good', '+' and '-'. Unknown words give None.
    """
    if not isinstance(text, str):
        return None
    key = normalise(text.replace("=", " is "))
    if key in _POLARITY_OF:
        return _POLARITY_OF[key]
    spaced = "".join(f" {_POLARITY_SYMBOLS[ch]} " if ch in _POLARITY_SYMBOLS else ch for ch in text)
    words = [w for w in re.findall(r"[a-z0-9]+", spaced.lower()) if w not in _POLARITY_FILLER]
    if len(words) == 1:
        return _POLARITY_OF.get(words[0])
    return None


# How often an indicator is reported, as its Data period column says; anything else is monthly.
_FREQUENCY_MONTHS = {"q": 3, "quarterly": 3, "quarter": 3, "a": 12, "annual": 12, "annually": 12,
                     "yearly": 12, "y": 12}


def frequency_months(text: str) -> int:
    """How many months one figure covers, from the Data period column: Q -> 3, Annual -> 12, else 1."""
    return _FREQUENCY_MONTHS.get(normalise(text), 1)


def parse_type(text: object) -> KpiType | None:
    """KPI / Activity (also 'Context', 'Data only') -> the indicator type, or None."""
    if not isinstance(text, str):
        return None
    key = normalise(text)
    if key in {"kpi", "keyperformanceindicator", "performanceindicator", "pi", "kpis"}:
        return KpiType.KPI
    if key in {"activity", "activityindicator", "context", "contextual", "dataonly", "demand",
               "contextindicator", "a", "activities"}:
        return KpiType.ACTIVITY
    return None


# The council's own rating, in the words performance systems and committee papers use. Matched
# on the words left after dropping brackets ('Target slightly missed (within 10%)'), in order:
# the first rule that matches wins, so 'not met' is Red before 'met' is Green.
_STATED_RULES: tuple[tuple[re.Pattern[str], Rag | None], ...] = tuple(
    (re.compile(pattern), rag) for pattern, rag in (
        (r"^(g|green|ok|on target|on track|achieved|met|exceeded|good|blue|completed?)$", Rag.GREEN),
        (r"^(a|amber|y|yellow|warning|at risk|near target|within tolerance|close to target)$",
         Rag.AMBER),
        (r"^(r|red|alert|off target|off track|missed|not met|not achieved|failed|poor)$", Rag.RED),
        (r"\b(data only|no target|not rated|n ?a|not applicable|baseline|monitor(ing)? only|"
         r"context(ual)?|unknown|no data|not due|tbc)\b", None),
        (r"\b(slightly|narrowly|marginally|just|partially|nearly|almost)\b.*\b(miss|below|not|under|"
         r"behind)|\bwithin tolerance\b|\bamber\b", Rag.AMBER),
        (r"\b(not|off|missed|miss|below|behind|failed|fail|worse)\b|\bred\b", Rag.RED),
        (r"\b(met|achieved|exceeded|on target|on track|ahead|better|green)\b", Rag.GREEN),
    )
)


def parse_stated_rag(value: object) -> StatedRating | None:
    """The rating a status cell states, or None when the cell is blank or its words are not a
    rating we know. 'Target met', 'G', 'On target' -> Green; 'Target slightly missed (within
    10%)', 'A' -> Amber; 'Target not achieved', 'Off target', 'R' -> Red; 'Data Only' -> stated as
    not rated (rag None)."""
    text = clean_text(value)
    if not text:
        return None
    words = " ".join(re.findall(r"[a-z0-9]+", re.sub(r"\(.*?\)|\[.*?\]", " ", text.lower())))
    words = words or " ".join(re.findall(r"[a-z0-9]+", text.lower()))
    for pattern, rag in _STATED_RULES:
        if pattern.search(words):
            return StatedRating(text, rag)
    return None


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how Excel stores a character XML cannot hold


def decode_excel_escapes(text: str) -> str:
    """A cell's stored text as Excel shows it: each _xHHHH_ is one UTF-16 code unit, decoded in
    one left-to-right pass (Excel saves a typed "_x0041_" as "_x005F_x0041_", so it stays as
    typed); an escaped surrogate pair makes one character, and a lone surrogate, which no file
    can hold, is dropped."""
    if "_x" not in text:
        return text
    decoded = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    if not any("\ud800" <= ch <= "\udfff" for ch in decoded):
        return decoded
    # pairs join and lone halves drop when the UTF-16 units are decoded again
    return decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")


def encode_excel_escapes(text: str) -> str:
    """Text as Excel stores it where XlsxWriter does not escape it (a formula's cached text): a
    typed "_x0041_" saved as "_x005F_x0041_", so it reads back as typed."""
    return _ESCAPED.sub(lambda m: "_x005F" + m.group(0), text) if "_x" in text else text


def clean_text(value: object) -> str:
    """A cell's text, tidy: line breaks made \\n, control characters removed (the reader has
    decoded Excel's _xHHHH_ escapes already)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return without_control_characters(text).strip()


def readable_file_name(name: str) -> str:
    """A file name as outputs may show it: bytes that are not UTF-8 (as unzipped from a Windows
    archive) read as Windows-1252, control characters (line breaks and tabs too) removed."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate in a Windows file name
        raw = name.encode("utf-8", "replace")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", "replace")
    return _NAME_CONTROL.sub("", text)


_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
