"""The RAG workbook's formula text, each builder mirroring one rule of rules.py (pure, no I/O)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from kpi_excel.core import proposals as p
from kpi_excel.core import rules
from kpi_excel.core.formatting import (
    DIRECTION_WORDS,
    NO_DATA_WORD,
    NOT_RATED_WORD,
    RANGE_WORDS,
    rag_word,
    range_word,
)
from kpi_excel.core.model import (
    Direction,
    DirectionMethod,
    Indicator,
    Polarity,
    Rag,
    RagMethod,
    RangeStatus,
    Rating,
    RuleSettings,
)

# Every builder takes A1 references and returns formula text that Excel 2010+ and LibreOffice both
# evaluate: nested IF (never IFS), no dynamic arrays; the lookups over a row's period cells are
# legacy single-cell array formulas (the workbook writes them with write_array_formula).
#
# A builder has the same branches as the rules.py function its docstring names, with each
# "is not None" test of a value, target, floor, tolerance or threshold written as ISNUMBER() of its
# cell, so typing a missing figure re-rates the row as the rules would. Spreadsheets compare numbers
# approximately (0.7+0.2 >= 0.9 is TRUE) and subtract with the same "within noise of zero is zero"
# rule as compare.approx_sub, which is why comparisons are written plainly (V>=T) and each
# subtraction in the order rules.py makes it. Settings (the rule, the default tolerance, the
# goal-post tolerance, the trend threshold) are written in as numbers.

MONTHS_IN_YEAR = 12  # rules.comparison_for: "the same period a year earlier" is 12 month numbers back

# The direction of travel as a number, so an icon set can draw its arrow: 1 up, 0 across, -1 down.
# A data-only indicator's rise and fall are 2 and -2: the same arrows, other words.
DIRECTION_CODES = {Direction.IMPROVED: 1, Direction.SAME: 0, Direction.WORSENED: -1,
                   Direction.INCREASED: 2, Direction.DECREASED: -2}


@dataclass(frozen=True)
class RowRefs:
    """Where one indicator row's inputs are, as the A1 references its formulas use.

    `values` is the row's period cells up to the report period and `labels` the period names
    heading them; `months` holds each period's month number (year * 12 + month - 1, as
    Period.month_number), needed only by the last-year and trend directions. A reference left
    empty means the sheet has no such column.
    """

    values: str
    labels: str
    months: str = ""
    latest: str = ""
    target: str = ""
    floor: str = ""
    tolerance: str = ""
    compared: str = ""
    lower: str = ""
    upper: str = ""
    # the row's figures as the formulas read them: an expression over `values` that turns numbers
    # typed as text into numbers (the rated copy's rows holding such text); empty: `values` itself
    numbers: str = ""
    # where the rule's settings are, as formula text (a Settings sheet's cell); empty: written in
    tolerance_setting: str = ""
    green_setting: str = ""
    goal_post_setting: str = ""
    trend_setting: str = ""
    # the row's percentages as its cells hold them: 85 for 85 % (a department's whole percentages),
    # else fractions (0.85), as the RAG workbook writes every percentage
    whole_percents: bool = False


def text(value: str) -> str:
    """A string literal for a formula: "Green", with any quote doubled."""
    return '"' + value.replace('"', '""') + '"'


def number(value: float) -> str:
    """A number literal for a formula, exact to the last bit (repr), with an upper-case exponent."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value)).upper()


def _is_number(ref: str) -> str:
    return f"ISNUMBER({ref})"


def _numbers(row: RowRefs) -> str:
    return row.numbers or row.values


def _last(values: str, result: str) -> str:
    """The entry of result beside the last number in values (LOOKUP skips the #DIV/0! of 1/FALSE)."""
    return f"LOOKUP(2,1/ISNUMBER({values}),{result})"


# --- latest and compared values --------------------------------------------------------------


def latest_value(row: RowRefs) -> str:
    """Mirrors rules.latest_observation: the last number in the row, no later than the report period."""
    numbers = _numbers(row)
    return f'=IF(COUNT({numbers})=0,"",{_last(numbers, numbers)})'


def latest_period(row: RowRefs) -> str:
    """Mirrors rules.latest_observation: the period of that last number, as its column is headed."""
    numbers = _numbers(row)
    return f'=IF(COUNT({numbers})=0,"",{_last(numbers, row.labels)})'


def compared_value(row: RowRefs, method: DirectionMethod) -> str:
    """Mirrors rules.comparison_for: the value the latest one is compared with."""
    return _compared(row, method, _numbers(row))


def compared_period(row: RowRefs, method: DirectionMethod) -> str:
    """Mirrors rules.comparison_for: the period of the value compared with."""
    return _compared(row, method, row.labels)


def _compared(row: RowRefs, method: DirectionMethod, result: str) -> str:
    values = _numbers(row)
    if method is DirectionMethod.PREVIOUS:
        # the last number in a column before the latest number's column
        latest_column = _last(values, f"COLUMN({row.values})")
        earlier = f"ISNUMBER({values})*(COLUMN({row.values})<{latest_column})"
        return f'=IF(COUNT({values})<2,"",LOOKUP(2,1/({earlier}),{result}))'
    if method is DirectionMethod.LAST_YEAR:
        year_ago = f"{_last(values, row.months)}-{MONTHS_IN_YEAR}"
        match = f"MATCH(1,({row.months}={year_ago})*ISNUMBER({values}),0)"
        return f'=IF(COUNT({values})=0,"",IFERROR(INDEX({result},1,{match}),""))'
    raise ValueError(f"no single compared value for the {method.value} direction")


# --- RAG ----------------------------------------------------------------------------------


def rag(indicator: Indicator, settings: RuleSettings, row: RowRefs) -> str:
    """Mirrors rules.rag_for, with rules.not_rated_reason and formatting.rag_word for the words.

    No latest value gives "No data", no target (or a share outside 0-100 %) "Not rated";
    otherwise Green when the target is met (or, for a goal post, the value is within the Green
    distance of it), Amber when the Amber limit is met, else Red.
    """
    value, target = row.latest, row.target
    if indicator.polarity is Polarity.NONE:  # rules.not_rated_reason: data only is never rated
        return f"=IF(NOT({_is_number(value)}),{text(NO_DATA_WORD)},{text(NOT_RATED_WORD)})"
    if indicator.polarity is Polarity.TARGET:
        distance = f"ABS({value}-{target})"
        green = f"{distance}<={_goal_post_green(target, settings, row)}"
        amber = _goal_post_amber(distance, indicator, settings, row)
    else:
        better_or_equal = ">=" if indicator.polarity is Polarity.HIGHER else "<="
        green = f"{value}{better_or_equal}{_green_limit(indicator, settings, row)}"
        amber = _amber_test(better_or_equal, indicator, settings, row)
    words = {rag: text(rag.word) for rag in Rag}
    rated = (f"IF({green},{words[Rag.GREEN]},IF({amber},{words[Rag.AMBER]},{words[Rag.RED]}))"
             if amber else f"IF({green},{words[Rag.GREEN]},{words[Rag.RED]})")
    unrated = f"NOT({_is_number(target)})"
    if indicator.is_percent:  # compare.is_share and compare.outside_percent_range
        top = 100 if row.whole_percents else 1
        unrated = f"OR({unrated},AND({target}>=0,{target}<={top},OR({value}<0,{value}>{top})))"
    return (f"=IF(NOT({_is_number(value)}),{text(NO_DATA_WORD)},"
            f"IF({unrated},{text(NOT_RATED_WORD)},{rated}))")


def _green_limit(indicator: Indicator, settings: RuleSettings, row: RowRefs) -> str:
    """Mirrors rules.green_limit: the target, or the target missed by the Green band's share of it."""
    if not settings.green_within and not row.green_setting:
        return row.target
    band = row.green_setting or number(settings.green_within)
    sign = "+" if indicator.polarity is Polarity.LOWER else "-"
    return f"{row.target}{sign}ABS({row.target})*{band}"


def _amber_test(better_or_equal: str, indicator: Indicator, settings: RuleSettings,
                row: RowRefs) -> str | None:
    """Mirrors rules.amber_limit: the floor under the floor rule, else the target less a tolerance."""
    value, target = row.latest, row.target
    sign = "+" if indicator.polarity is Polarity.LOWER else "-"

    def within(tolerance: str) -> str:
        return f"{value}{better_or_equal}{target}{sign}ABS({target})*{tolerance}"

    return _floor_else_tolerance(f"{value}{better_or_equal}{row.floor}",
                                 _tolerance_test(indicator, settings, row, within), settings, row)


def _goal_post_green(target: str, settings: RuleSettings, row: RowRefs) -> str:
    """Mirrors rules.goal_post_bands (Green): the goal-post tolerance times the target's size."""
    if row.goal_post_setting:
        return f"ABS({target})*{row.goal_post_setting}"
    if settings.goal_post_tolerance == 0:
        return "0"
    return f"ABS({target})*{number(settings.goal_post_tolerance)}"


def _goal_post_amber(distance: str, indicator: Indicator, settings: RuleSettings,
                     row: RowRefs) -> str | None:
    """Mirrors rules.goal_post_bands (Amber): the target-to-floor distance, else a tolerance's."""
    target = row.target

    def within(tolerance: str) -> str:
        return f"{distance}<=ABS({target})*{tolerance}"

    return _floor_else_tolerance(f"{distance}<=ABS({target}-{row.floor})",
                                 _tolerance_test(indicator, settings, row, within), settings, row)


def _floor_else_tolerance(by_floor: str, by_tolerance: str | None, settings: RuleSettings,
                          row: RowRefs) -> str | None:
    """Mirrors rules.amber_limit's choice: the floor where the row has one under the floor rule,
    else the tolerance (none under the floor rule without a tolerance)."""
    if settings.rag_method is not RagMethod.FLOOR:
        return by_tolerance
    if by_tolerance is None:
        return f"AND({_is_number(row.floor)},{by_floor})"
    return f"IF({_is_number(row.floor)},{by_floor},{by_tolerance})"


def _tolerance_test(indicator: Indicator, settings: RuleSettings, row: RowRefs,
                    within: Callable[[str], str]) -> str | None:
    """Mirrors rules.applied_tolerance: the row's own tolerance, else the rule's, else none."""
    default = rules.applied_tolerance(dataclasses.replace(indicator, tolerance=None), settings)
    default_text = (row.tolerance_setting or number(default)) if default is not None else ""
    if not row.tolerance:
        return None if default is None else within(default_text)
    own = row.tolerance
    if default is None:
        return f"AND({_is_number(own)},{within(own)})"
    return within(f"IF({_is_number(own)},{own},{default_text})")


# --- direction of travel ------------------------------------------------------------------


def direction_code(indicator: Indicator, settings: RuleSettings, row: RowRefs) -> str:
    """Mirrors rules._direction: 1 improved, 0 same, -1 worsened, "" when there is no direction.

    Previous period and same period last year compare the latest value with the compared value
    (rules.compare_direction); a trend follows rules.trend_direction.
    """
    if settings.direction is DirectionMethod.TREND:
        return "=" + _trend_code(indicator, settings, row)
    latest, compared = row.latest, row.compared
    missing = f"OR(NOT({_is_number(latest)}),NOT({_is_number(compared)}))"
    return f'=IF({missing},"",{_compare(latest, compared, indicator, row.target)})'


def direction_in_words(indicator: Indicator, row: RowRefs) -> str:
    """Mirrors rules._direction with formatting.direction_word, for the previous-period and
    last-year methods: the word for the latest value against the compared value, both in cells of
    their own ("" when either is missing)."""
    latest, compared = row.latest, row.compared
    missing = f"OR(NOT({_is_number(latest)}),NOT({_is_number(compared)}))"
    words = {direction: text(word) for direction, word in DIRECTION_WORDS.items()}
    return f'=IF({missing},"",{_compare(latest, compared, indicator, row.target, words)})'


def _compare(latest: str, earlier: str, indicator: Indicator, target: str,
             outcomes: dict[Direction, str] | None = None) -> str:
    """Mirrors rules.compare_direction: better, worse or the same, given the polarity, as the
    direction codes (or as outcomes gives each direction).

    rules.py negates both values where lower (or nearer the target) is better and asks which is
    greater; negation is exact, so here the comparison is turned round instead.
    """
    better = ">"
    codes = outcomes or {direction: str(code) for direction, code in DIRECTION_CODES.items()}
    up, down = codes[Direction.IMPROVED], codes[Direction.WORSENED]
    if indicator.polarity is Polarity.NONE:
        up, down = codes[Direction.INCREASED], codes[Direction.DECREASED]
    elif indicator.polarity is Polarity.TARGET:
        latest, earlier = f"ABS({latest}-{target})", f"ABS({earlier}-{target})"
        better = "<"
    elif indicator.polarity is Polarity.LOWER:
        better = "<"
    return f"IF({latest}={earlier},{codes[Direction.SAME]},IF({latest}{better}{earlier},{up},{down}))"


def _trend_code(indicator: Indicator, settings: RuleSettings, row: RowRefs) -> str:
    """Mirrors rules.trend_direction: a least-squares line across every value shown.

    x is each period's month number. The fitted change across the span shown (slope times the
    months from the first value to the last) is no clear trend when it is within the threshold
    of the average value; otherwise the fitted line's end is compared with its start.
    """
    values, months = _numbers(row), row.months
    slope = f"SLOPE({values},{months})"
    first_x = f"INDEX({months},1,MATCH(TRUE,ISNUMBER({values}),0))"
    last_x = _last(values, months)
    mean_y = f"AVERAGE({values})"
    mean_x = f"AVERAGE(IF(ISNUMBER({values}),{months}))"
    change = f"({slope}*({last_x}-{first_x}))"
    start = f"({mean_y}+{slope}*({first_x}-{mean_x}))"
    threshold = row.trend_setting or number(settings.trend_threshold)
    no_clear_trend = f"ABS({change})<={threshold}*ABS({mean_y})"
    direction = _compare(f"({start}+{change})", start, indicator, row.target)
    return f'IF(COUNT({values})<3,"",IF({no_clear_trend},{DIRECTION_CODES[Direction.SAME]},{direction}))'


def direction_word(code: str) -> str:
    """Mirrors formatting.direction_word: the word for a direction code cell."""
    word = text(DIRECTION_WORDS[Direction.SAME])
    for direction, number in DIRECTION_CODES.items():
        if direction is not Direction.SAME:
            word = f"IF({code}={number},{text(DIRECTION_WORDS[direction])},{word})"
    return f'=IF(NOT(ISNUMBER({code})),"",{word})'


def direction_word_of(code: str) -> str:
    """Mirrors formatting.direction_word for a direction code written into the formula rather than
    held in a cell: CHOOSE by the code, so the code is written twice rather than four times."""
    words = ",".join(text(DIRECTION_WORDS[d]) for d in sorted(Direction, key=DIRECTION_CODES.__getitem__))
    low = min(DIRECTION_CODES.values())
    return f'=IF(NOT(ISNUMBER({code})),"",CHOOSE({code}+{1 - low},{words}))'


def direction_word_once(code: str) -> str:
    """direction_word_of with the code written once, for a code too long to write twice: CHOOSE
    errs for "" (no direction) as for an error, and IFERROR makes either "", as ISNUMBER does."""
    words = ",".join(text(DIRECTION_WORDS[d]) for d in sorted(Direction, key=DIRECTION_CODES.__getitem__))
    low = min(DIRECTION_CODES.values())
    return f'=IFERROR(CHOOSE({code}+{1 - low},{words}),"")'


def direction_result(rating: Rating) -> int | str:
    """The value a direction code cell holds for a rating: its code, or "" for no direction."""
    return DIRECTION_CODES[rating.direction] if rating.direction else ""


# --- activity ranges ------------------------------------------------------------------------


def range_status(row: RowRefs) -> str:
    """Mirrors rules.range_status: above, within or below the expected range (a threshold is within).

    No latest value gives "No data"; no thresholds at all give "".
    """
    value, low, high = row.latest, row.lower, row.upper
    above = f"AND({_is_number(high)},NOT({value}<={high}))"
    below = f"AND({_is_number(low)},NOT({value}>={low}))"
    no_range = f"AND(NOT({_is_number(low)}),NOT({_is_number(high)}))"
    words = {status: text(RANGE_WORDS[status]) for status in RangeStatus}
    return (f"=IF(NOT({_is_number(value)}),{text(NO_DATA_WORD)},IF({no_range},\"\","
            f"IF({above},{words[RangeStatus.ABOVE]},IF({below},{words[RangeStatus.BELOW]},"
            f"{words[RangeStatus.WITHIN]}))))")


def range_result(rating: Rating) -> str:
    """The value a range cell holds for a rating: the word, "No data", or "" with no range."""
    return NO_DATA_WORD if rating.latest is None else range_word(rating.range_status)


def rag_result(rating: Rating) -> str:
    """The value a RAG cell holds for a rating (formatting.rag_word)."""
    return rag_word(rating)


# --- dashboard counts -------------------------------------------------------------------------


def count_words(cells: str, words: tuple[str, ...]) -> str:
    """How many of cells read one of words: COUNTIF per word (the words hold no wildcards)."""
    return "=" + "+".join(f"COUNTIF({cells},{text(word)})" for word in words)


def count_words_where(cells: str, words: tuple[str, ...], keys: str, key: str) -> str:
    """How many of cells read one of words on rows whose key cell holds exactly the text of
    key (a cell reference, or "" for rows with an empty key cell), letter case included.

    An array formula (write it as one) rather than COUNTIFS, which would read a section named
    with * or ? or starting with < as a pattern or a comparison; EXACT rather than =, which
    ignores case, so "Finance" and "finance" are counted apart after any recalculation; SUM
    over an array rather than SUMPRODUCT, inside which Gnumeric gives EXACT no array.
    """
    match = "+".join(f"({cells}={text(word)})" for word in words)
    return f"{{=SUM(EXACT({keys},{key})*({match}))}}"


# --- next year's proposals ------------------------------------------------------------------


def proposal_change(current_target: str, current_floor: str, target: str, floor: str,
                    polarity: Polarity | None) -> str:
    """Mirrors proposals.change_note for a continued KPI, with its words: what changed from this
    year's target and floor, and whether that is tougher or easier for the row's polarity."""
    def part(now: str, proposed: str, kinds: tuple[str, str, str, str]) -> str:
        up, down, added, removed = (text(p.change_words(kind, polarity)) for kind in kinds)
        return (f'IF({same_figure_test(now, proposed)},"",IF(NOT(ISNUMBER({now})),{added},'
                f"IF(NOT(ISNUMBER({proposed})),{removed},IF({proposed}>{now},{up},{down}))))")

    target_same = same_figure_test(current_target, target)
    floor_same = same_figure_test(current_floor, floor)
    target_part = part(current_target, target, (p.TARGET_UP, p.TARGET_DOWN, p.TARGET_ADDED, p.TARGET_REMOVED))
    floor_part = part(current_floor, floor, (p.FLOOR_UP, p.FLOOR_DOWN, p.FLOOR_ADDED, p.FLOOR_REMOVED))
    return (f"=IF(AND({target_same},{floor_same}),{text(p.NO_CHANGE)},"
            f'{target_part}&IF(OR({target_same},{floor_same}),"","; ")&{floor_part})')


def same_figure_test(a: str, b: str) -> str:
    """Mirrors proposals.same_figure: both cells hold no number, or the same number."""
    return f"IF(ISNUMBER({a}),AND(ISNUMBER({b}),{a}={b}),NOT(ISNUMBER({b})))"
