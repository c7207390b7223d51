"""Turning cell text into meaning: numbers, no-data marks, polarity and rating words (pure)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kpi_excel.core.formatting import without_control_characters
from kpi_excel.core.model import KpiType, Polarity, Rag, StatedRating


def normalise(text: str) -> str:
    """Lower case, letters and digits only: 'Floor Standard ' -> 'floorstandard'."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


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


# Polarity written into an indicator's name, as councils do without a polarity column:
# '(Lower is better)', '(Minimise)', 'Smaller is better'.
_NAMED_POLARITY = re.compile(
    r"\b(?P<lower>lower|smaller|less|fewer|low)\s+(?:is|=)\s+(?:better|good|best)\b|"
    r"\b(?P<higher>higher|bigger|more|greater|high)\s+(?:is|=)\s+(?:better|good|best)\b|"
    r"\baim\s+to\s+(?:(?P<minimise>minimi[sz]e)|(?P<maximise>maximi[sz]e))\b|"
    r"\((?:(?P<min>minimi[sz]e|reduce|decrease)|(?P<max>maximi[sz]e|increase))\)", re.I)
# What a performance officer knows without being told: fewer of these is better ('Exclusion rates',
# 'Arrears', 'Average relet time', 'Days to process new claims', 'Fire-related deaths') ...
_ADVERSE = re.compile(
    r"\b(?:exclusions?|arrears|missed|overturned|complaints?|incidents?|injur(?:y|ies)|deaths?|"
    r"fatalit(?:y|ies)|casualt(?:y|ies)|fires|collisions?|contamination|backlogs?|delay(?:s|ed)?|"
    r"sickness|absences?|re-?offend\w*|voids?|rough\s+sleep\w*|landfill|emissions|"
    r"falling\s+below|not\s+meeting|below\s+(?:the\s+)?standard|cost\s+per|"
    r"average\s+(?:number\s+of\s+)?(?:days|weeks|hours|minutes|time)|time\s+taken|"
    r"(?:days|weeks|hours)\s+to|relet\s+time|response\s+time|waiting\s+(?:time|list))\b", re.I)
# ... unless the name counts what was done about them ('Arrears retrieved', '% reduction in
# incidents', 'Complaints responded to within 10 days').
_FAVOURABLE = re.compile(
    r"\b(?:reduc\w*|prevent\w*|cleared|resolved|collected|retrieved|recovered|within|on\s+time|in\s+time|"
    r"satisf\w*|completed|achiev\w*|success\w*|responded|attended|enforcement|detected|removed|"
    r"accommodated|housed|supported|helped|closed|handled|dealt|answered|processed|investigated|"
    r"acknowledged)\b", re.I)
# Where the thing counted ends and what qualifies it begins: '% Trading Standards interventions
# carried out | following consumer complaints'
_QUALIFIED = re.compile(r"\s(?:following|involving|in\s+relation\s+to|against|compared|resulting\s+in|"
                        r"as\s+a\s+%\s+of)\s", re.I)


def polarity_in_name(name: str) -> tuple[Polarity, str] | None:
    """Which way is good for an indicator, as its name says or means, with the words that say
    so: '(Lower is better)', '(Minimise)', 'Smaller is better'; else the words naming something
    there should be fewer of ('exclusion', 'arrears', 'average ... time', 'days to'), unless the
    name counts what was done about it ('reduction', 'retrieved', 'within')."""
    if (match := _NAMED_POLARITY.search(name)) is not None:
        lower = match["lower"] or match["minimise"] or match["min"]
        return (Polarity.LOWER if lower else Polarity.HIGHER), match.group(0).strip("() ")
    counted = _QUALIFIED.split(name, maxsplit=1)[0]
    if (match := _ADVERSE.search(counted)) is not None and not _FAVOURABLE.search(counted):
        return Polarity.LOWER, match.group(0)
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


# Symbols a table shows for a rating, as their pictures' alternative text names them ('happy face',
# 'Triangle', 'Red octagon'), or as the characters themselves. A colour named with a symbol wins.
_SYMBOL_CHARACTERS = {"✓": " tick ", "✔": " tick ", "☑": " tick ", "✗": " cross ", "✘": " cross ",
                      "✕": " cross ", "☒": " cross ", "▲": " triangle ", "△": " triangle ",
                      "⚠": " triangle ", "☺": " happy ", "☹": " sad ", "😀": " happy ", "🙂": " happy ",
                      "😐": " neutral ", "🙁": " sad ", "☹️": " sad "}
_SYMBOL_RULES: tuple[tuple[re.Pattern[str], Rag], ...] = tuple(
    (re.compile(pattern), rag) for pattern, rag in (
        (r"\b(green|blue)\b", Rag.GREEN),
        (r"\b(amber|yellow|orange)\b", Rag.AMBER),
        (r"\bred\b", Rag.RED),
        (r"\b(sad|unhappy|frowning|frown|cross|crossed|octagon|thumbs down)\b", Rag.RED),
        (r"\b(neutral|straight face|triangle|exclamation)\b", Rag.AMBER),
        (r"\b(happy|smiling|smiley|smile|tick|ticked|check ?mark|thumbs up)\b", Rag.GREEN),
    )
)
_SYMBOL_WORD = re.compile(r"\b(face|smiley|tick|ticked|cross|triangle|octagon|check ?mark|thumbs|icon|"
                          r"symbol|circle|star|square|diamond|dot)\b")


def parse_stated_rag(value: object) -> StatedRating | None:
    """The rating a status cell states, or None when the cell is blank or its words are not a
    rating we know. 'Target met', 'G', 'On target' -> Green; 'Target slightly missed (within
    10%)', 'A' -> Amber; 'Target not achieved', 'Off target', 'R' -> Red; 'Data Only' -> stated as
    not rated (rag None). A symbol, or the words naming its picture ('happy face', 'Triangle',
    'Red octagon', '✓'), is read as the rating it stands for."""
    text = clean_text(value)
    if not text:
        return None
    lowered = "".join(_SYMBOL_CHARACTERS.get(ch, ch) for ch in text.lower())
    words = " ".join(re.findall(r"[a-z0-9]+", re.sub(r"\(.*?\)|\[.*?\]", " ", lowered)))
    words = words or " ".join(re.findall(r"[a-z0-9]+", lowered))
    if _SYMBOL_WORD.search(words) and not _STATED_RULES[3][0].search(words):
        symbol = next((rag for pattern, rag in _SYMBOL_RULES if pattern.search(words)), None)
        if symbol is not None:
            return StatedRating(text, symbol)
    # a symbol's name alone: 'Tick', 'Triangle'
    alone = next((rag for pattern, rag in _SYMBOL_RULES[3:] if pattern.fullmatch(words)), None)
    if alone is not None:
        return StatedRating(text, alone)
    for pattern, stated in _STATED_RULES:
        if pattern.search(words):
            return StatedRating(text, stated)
    return None


_BRACKETED_RAG = {"green": Rag.GREEN, "g": Rag.GREEN, "amber": Rag.AMBER, "a": Rag.AMBER, "red": Rag.RED,
                  "r": Rag.RED}


_RATED_FIGURE = re.compile(r"^\s*[(]?[-−]?[£$€]?\d[\d,]*(?:\.\d+)?\s*%?\s+(?P<word>red|amber|green|blue)\s*$",
                           re.I)


def rating_in_figure(text: object) -> Rag | None:
    """A rating written inside a figure's cell: in brackets ('512 kg (Q3 time lag) (GREEN)') or
    after the figure ('95.4% Red')."""
    if not isinstance(text, str):
        return None
    if (match := _RATED_FIGURE.match(text)) is not None:
        word = match["word"].lower()
        return Rag.GREEN if word == "blue" else _BRACKETED_RAG[word]
    for inside in re.findall(r"[(\[]([^()\[\]]{1,12})[)\]]", text):
        if (rag := _BRACKETED_RAG.get(normalise(inside))) is not None:
            return rag
    return None


# A target written as a change from the figure before it: 'Increase the number of judicial
# disposals ... by 10%', 'Reduce by 5%', 'Improve by 2 percentage points'
_RELATIVE = re.compile(r"^(?P<verb>increase|raise|improve|grow|reduce|decrease|cut|lower)\b.*?\bby\s+"
                       r"(?P<n>\d{1,3}(?:\.\d+)?)\s*(?P<unit>%|per\s*cent|percentage\s+points?|%\s*pts?)\s*\.?$",
                       re.I | re.S)
# A target written as what to do: 'To refer 3,000 persons', 'To achieve 95%'
_TO_DO = re.compile(r"^to\s+(?P<verb>[a-z]+)\s+(?:at\s+least\s+|no\s+more\s+than\s+|fewer\s+than\s+)?"
                    r"(?P<number>\d[\d,]*(?:\.\d+)?\s*%?)(?:\s+[a-z]+){0,4}\s*\.?$", re.I)
_FEWER = ("reduce", "decrease", "cut", "lower")


def relative_target(text: object, base: float | None) -> tuple[float, Polarity] | None:
    """A target written as a change from the figure before it ('Increase ... by 10%': base + 10 %),
    with the direction it states; None when the text is not one, or there is no figure before it."""
    match = _RELATIVE.match(" ".join(text.split())) if isinstance(text, str) else None
    if match is None or base is None:
        return None
    share = float(match["n"]) / 100
    lower = match["verb"].lower() in _FEWER
    if "point" in match["unit"].lower() or "pt" in match["unit"].lower():
        value = base - share if lower else base + share
    else:
        value = base * (1 - share) if lower else base * (1 + share)
    return value, Polarity.LOWER if lower else Polarity.HIGHER


def target_to_do(text: object) -> tuple[CellNumber, Polarity] | None:
    """A target written as what to do, holding one figure: 'To refer 3,000 persons' (3,000),
    'To reduce to 10' reads no figure of its own here: only 'To <verb> <figure> <words>'."""
    if not isinstance(text, str) or (match := _TO_DO.match(" ".join(text.split()))) is None:
        return None
    number = _parse_number_text(match["number"].replace(" ", ""))
    if number.value is None:
        return None
    return number, Polarity.LOWER if match["verb"].lower() in _FEWER else Polarity.HIGHER


# A figure written with its unit or a note, as published tables print them: '27.6 days', '34*'
# (provisional), '512 kg (Q3 time lag)', '32.7 weeks'; or after a label: 'Apr – Dec =1,856. Full
# year projection=2,475' (the figure the label gives, not the projection after it).
_FIGURE_WITH_WORDS = re.compile(
    r"^(?P<number>[(]?[-−]?[£$€]?\s*\d[\d,]*(?:\.\d+)?\s*%?)\s*(?:\*+|[a-z£$€%]{1,12}\.?)?"
    r"(?:\s*[(\[][^()\[\]]*[)\]])*\s*[.*]?$", re.I)
_LABELLED_FIGURE = re.compile(
    r"^[a-z][a-z\s\-–]{0,24}?\s*[=:]\s*(?P<number>\d[\d,]*(?:\.\d+)?%?)(?:[.;]\s|$)", re.I)


def parse_figure(text: object) -> CellNumber | None:
    """A figure typed with words around it ('27.6 days', '34*', '512 kg (Q3 time lag)', 'Apr – Dec
    =1,856. Full year ...') as the number it states; None when the text states none that way."""
    if not isinstance(text, str):
        return None
    cleaned = " ".join(text.replace("\u00a0", " ").split())
    match = _FIGURE_WITH_WORDS.match(cleaned) or _LABELLED_FIGURE.match(cleaned)
    if match is None:
        return None
    number = _parse_number_text(match.group("number"))
    return number if number.value is not None else None


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
