"""Each indicator's chart worked out once for every renderer: periods, lines, axis, label, alt text."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kpi_excel.core import rules
from kpi_excel.core.compare import approx_equal
from kpi_excel.core.english import join_names
from kpi_excel.core.formatting import decimals_for, format_value, rag_word, range_word
from kpi_excel.core.model import (
    Direction,
    Indicator,
    KpiType,
    Observation,
    Period,
    Rating,
    Report,
    RuleSettings,
)
from kpi_excel.present import palette
from kpi_excel.present.narrative import rag_meaning

PERIODS_SHOWN = 12  # the charts and the paper's tables show the last twelve periods
MAX_CHARTED = 1e100  # values beyond this would need a hundred-digit axis label
# No y-axis spans less than this share of the largest value it shows: a 0.4-point dip on an axis
# from 99 % to 100 % would read as a plunge.
MIN_SPAN_SHARE = 0.1
# Room above and below the data for the latest value's label, as a share of the span.
PAD_SHARE = 0.12
# A label's height and its gap from its point, as a share of the y-axis span: 9-point text on a
# plot about 110 points high (the paper's charts; the workbook's are taller).
LABEL_SHARE = 0.1
LABEL_GAP_SHARE = 0.03
TICK_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)  # the values a y-axis step may take, times a power of ten
MAX_Y_INTERVALS = 5

# DrawingML preset dash names (a:prstDash), which Excel, Word and LibreOffice draw alike
SOLID, DASHED, DOTTED = "solid", "dash", "sysDot"
# The dash patterns drawn by a renderer that has no presets (pictures, SVG): dash and gap in
# multiples of the line width, near how Word and Excel draw DASHED and DOTTED
DASH_PATTERNS = {DASHED: (3.7, 1.6), DOTTED: (1.0, 1.65)}


@dataclass(frozen=True)
class Line:
    """A line of a chart: the values, or a reference line across it."""

    key: str  # "value", "target", "floor", "lower", "upper"
    name: str  # "Floor standard"
    colour: str  # #RRGGBB from the palette
    width_pt: float
    dash: str  # SOLID, DASHED or DOTTED
    value: float | None = None  # a reference line's level (None for the value line)
    figure: str = ""  # the level as the outputs write it: "85.0%"

    @property
    def legend(self) -> str:
        """The name with its figure, for a chart whose figures cannot change: "Target (95.0%)".
        The workbook's charts follow edited cells, so they show the name alone."""
        return f"{self.name} ({self.figure})" if self.figure else self.name


@dataclass(frozen=True)
class Axis:
    """The y-axis: its lowest and highest value and the step between its labels."""

    low: float
    high: float
    step: float

    def ticks(self) -> list[float]:
        count = round((self.high - self.low) / self.step)
        return [_tidy(self.low + k * self.step) for k in range(count + 1)]


@dataclass(frozen=True)
class Label:
    """The latest value's label: which point, its text and where it sits beside the point."""

    index: int
    text: str
    position: str  # "above", "below", "left" or "right" of the point


@dataclass(frozen=True)
class ChartSpec:
    """One indicator's chart, as every output draws it."""

    title: str
    periods: tuple[Period, ...]
    values: tuple[float | None, ...]  # one a period; None is a gap, never a zero
    value_line: Line
    lines: tuple[Line, ...]  # reference lines: target and floor, or the expected range
    band: tuple[float, float] | None  # an activity indicator's expected range, shaded
    axis: Axis
    number_format: str  # the Excel number format of the figures and the axis
    label: Label | None
    alt_text: str
    indicator: Indicator  # for writing its figures
    marker_pt: float = 5.0

    @property
    def period_labels(self) -> list[str]:
        return [p.label for p in self.periods]

    @property
    def series(self) -> list[tuple[Line, list[float | None]]]:
        """Every line with a value for each period: the values first, then each reference line."""
        count = len(self.periods)
        return [(self.value_line, list(self.values))] + [(line, [line.value] * count) for line in self.lines]

    @property
    def colours(self) -> list[str]:
        """The colour of each line, in series order."""
        return [line.colour for line, _ in self.series]

    @property
    def chartable(self) -> bool:
        """Whether every figure can be drawn: beyond MAX_CHARTED a renderer says so instead."""
        return all(abs(v) <= MAX_CHARTED for _, values in self.series for v in values if v is not None)

    @property
    def tick_labels(self) -> list[str]:
        """The y-axis labels, written as the figures are."""
        return [format_value(t, self.indicator) for t in self.axis.ticks()]


VALUE_LINE = Line("value", "Value", palette.VALUE_LINE, 2.0, SOLID)


def shown_periods(report: Report) -> list[Period]:
    """The periods every chart and table shows: up to the report period, the last twelve."""
    periods = [p for p in report.dataset.periods if report.period is None or p <= report.period]
    return periods[-PERIODS_SHOWN:]


def runs(points: Sequence[tuple[int, float]]) -> list[list[tuple[int, float]]]:
    """(period index, figure) points in runs of consecutive periods: a period without a figure
    breaks the line, in every renderer as in the Word and Excel charts."""
    found: list[list[tuple[int, float]]] = []
    for i, v in points:
        if found and found[-1][-1][0] == i - 1:
            found[-1].append((i, v))
        else:
            found.append([(i, v)])
    return found


def observations_for(indicator: Indicator, periods: Sequence[Period]) -> list[Observation]:
    """The indicator's observation for each period shown (an empty one where it has none)."""
    by_period = {o.period: o for o in indicator.observations}
    return [by_period.get(p, Observation(p, None)) for p in periods]


def chart_spec(rating: Rating, periods: Sequence[Period], settings: RuleSettings) -> ChartSpec | None:
    """The indicator's chart over the periods shown; None when none of them has a figure."""
    ind = rating.indicator
    observations = observations_for(ind, periods)
    values = tuple(o.value for o in observations)
    if all(v is None for v in values):
        return None
    lines = tuple(reference_lines(ind))
    levels = [line.value for line in lines if line.value is not None]
    axis = axis_for([v for v in values if v is not None] + levels, ind.is_percent)
    label = latest_label(values, levels, axis, ind)
    band = None
    if ind.type is KpiType.ACTIVITY and ind.lower_threshold is not None and ind.upper_threshold is not None:
        band = (ind.lower_threshold, ind.upper_threshold)
    return ChartSpec(
        title=ind.label, periods=tuple(periods), values=values, value_line=VALUE_LINE, lines=lines,
        band=band, axis=axis, number_format=number_format(ind),
        label=label,
        alt_text=describe(rating, observations, lines, settings), indicator=ind)


def reference_lines(ind: Indicator) -> list[Line]:
    """Target (dashed) and floor standard (dotted) for a KPI; the expected range's bounds
    (dashed) for an activity indicator. Each is named with its figure."""
    if ind.type is KpiType.ACTIVITY:
        bounds = (("lower", "Lower threshold", ind.lower_threshold),
                  ("upper", "Upper threshold", ind.upper_threshold))
        return [Line(key, name, palette.RANGE_LINE, 1.25, DASHED, value, format_value(value, ind))
                for key, name, value in bounds if value is not None]
    lines = []
    if ind.target is not None:
        lines.append(Line("target", "Target", palette.TARGET_LINE, 1.5, DASHED, ind.target,
                          format_value(ind.target, ind)))
    if ind.floor is not None:
        lines.append(Line("floor", "Floor standard", palette.FLOOR_LINE, 1.75, DOTTED, ind.floor,
                          format_value(ind.floor, ind)))
    return lines


def number_format(indicator: Indicator) -> str:
    """The Excel number format for an indicator's figures: its own, else one from formatting."""
    own = indicator.number_format
    if own and own != "General" and ("%" in own) == indicator.is_percent:
        return own
    places = decimals_for(indicator)
    if indicator.is_percent:
        return f"0{'.' + '0' * places if places else ''}%"
    if places == 0 and any(o.value is not None and not float(o.value).is_integer()
                           for o in indicator.observations):
        places = 1
    return f"#,##0{'.' + '0' * places if places else ''}"


# --- The y-axis ----------------------------------------------------------------------------------


def axis_for(numbers: Iterable[float], is_percent: bool = False) -> Axis:
    """A y-axis that takes in every number given (values and reference lines), with room for the
    latest value's label, round steps, and no span under MIN_SPAN_SHARE of the largest value.

    A percentage axis stays within 0-100 % and an axis of figures that are not negative starts
    no lower than zero, where the figures allow.
    """
    shown = list(numbers) or [0.0]
    low, high = min(shown), max(shown)
    if max(abs(low), abs(high)) > MAX_CHARTED:
        return Axis(low, high, (high - low) or 1.0)
    span = max(high - low, MIN_SPAN_SHARE * max(abs(low), abs(high))) or (0.1 if is_percent else 1.0)
    centre, half = (low + high) / 2, span / 2 + span * PAD_SHARE
    bottom, top = centre - half, centre + half
    if low >= 0 > bottom:
        bottom, top = 0.0, top - bottom
    if is_percent and high <= 1 < top:
        bottom, top = max(0.0, bottom - (top - 1)), 1.0
    step = _round_step((top - bottom) / MAX_Y_INTERVALS)
    low_tick, high_tick = math.floor(bottom / step + 1e-9), math.ceil(top / step - 1e-9)
    return Axis(_tidy(low_tick * step), _tidy(high_tick * step), step)


def _round_step(raw: float) -> float:
    scale = 10 ** math.floor(math.log10(raw))
    return _tidy(next(s * scale for s in TICK_STEPS if s * scale >= raw * (1 - 1e-9)))


def _tidy(x: float) -> float:
    """x without the binary noise of float sums (0.30000000000000004 is 0.3)."""
    return float(f"{x:.12g}")


# --- The latest value's label --------------------------------------------------------------------


def latest_label(values: Sequence[float | None], levels: Sequence[float], axis: Axis,
                 ind: Indicator) -> Label | None:
    """The latest value's label, on the side of its point where no reference line runs through it.

    Above the point unless the line arrives from above (then below), so the label sits clear of
    its own line too; then the other side; then beside the point, if no line runs at its height.
    None where lines run close on every side: the figure is in the table beside the chart and in
    its alt text, and a label there would hide a line or be hidden by it.
    """
    index = next((i for i in range(len(values) - 1, -1, -1) if values[i] is not None), None)
    if index is None:
        return None
    value = values[index]
    assert value is not None
    span = axis.high - axis.low
    height, gap = span * LABEL_SHARE, span * LABEL_GAP_SHARE
    previous = next((v for v in reversed(values[:index]) if v is not None), None)
    boxes = {"above": (value + gap, value + gap + height), "below": (value - gap - height, value - gap)}
    order = ["below", "above"] if previous is not None and previous > value else ["above", "below"]

    def clear(low: float, high: float) -> bool:
        inside = axis.low <= low and high <= axis.high
        return inside and not any(low - gap / 2 <= level <= high + gap / 2 for level in levels)

    for position in order:
        if clear(*boxes[position]):
            return Label(index, format_value(value, ind), position)
    if clear(value - height / 2, value + height / 2):
        return Label(index, format_value(value, ind), "right" if index < len(values) - 1 else "left")
    return None


# --- Alt text ------------------------------------------------------------------------------------

_DASH_WORDS = {DASHED: "a dashed line", DOTTED: "a dotted line", SOLID: "a line"}
_TREND_WORDS = {Direction.IMPROVED: "improving", Direction.WORSENED: "worsening",
                Direction.INCREASED: "rising", Direction.DECREASED: "falling",
                Direction.SAME: "stable, with no clear trend"}


def describe(rating: Rating, observations: Sequence[Observation], lines: Sequence[Line],
             settings: RuleSettings) -> str:
    """Alt text for an indicator's chart: what is plotted, how it moved and where it ended."""
    ind = rating.indicator
    values = [o for o in observations if o.value is not None]
    subject = f"Line chart of {ind.label}"
    if not values:
        return f"{subject}: there is no data to plot for the periods shown."
    first, last = values[0], values[-1]
    span = (f"from {first.period.label} to {last.period.label}" if len(values) > 1
            else f"for {last.period.label}")
    parts = [f"{subject}, {span}{_lines_words(ind, lines)}."]
    if len(values) > 1:
        parts.append(_movement(values, ind))
        trend = rules.trend_direction(values, ind, settings)
        if trend is not None and ind.type is KpiType.KPI:
            parts.append(f"The trend across the period is {_TREND_WORDS[trend]}.")
    parts.append(_latest_position(rating, settings))
    return " ".join(p for p in parts if p)


def _lines_words(ind: Indicator, lines: Sequence[Line]) -> str:
    if ind.type is KpiType.ACTIVITY:
        if len(lines) == 2:
            low, high = format_value(ind.lower_threshold, ind), format_value(ind.upper_threshold, ind)
            return f", with the expected range ({low} to {high}) marked by {_DASH_WORDS[lines[0].dash][2:]}s"
        return ""
    words = {"target": "the target", "floor": "the floor standard"}
    named = [f"{words[line.key]} ({line.figure}) as {_DASH_WORDS[line.dash]}"
             for line in lines]
    return f", with {join_names(named)}" if named else ""


def _movement(values: Sequence[Observation], ind: Indicator) -> str:
    first, last = values[0], values[-1]
    low = min(values, key=lambda o: o.value or 0.0)
    high = max(values, key=lambda o: o.value or 0.0)
    assert first.value is not None and last.value is not None
    if approx_equal(first.value, last.value):
        moved = (f"The value was {format_value(first.value, ind)} in both {first.period.label} and "
                 f"{last.period.label}")
    else:
        verb = "rose" if last.value > first.value else "fell"
        moved = (f"The value {verb} from {format_value(first.value, ind)} in {first.period.label} to "
                 f"{format_value(last.value, ind)} in {last.period.label}")
    return (f"{moved}; the lowest was {format_value(low.value, ind)} ({low.period.label}) and the highest "
            f"{format_value(high.value, ind)} ({high.period.label}).")


def _latest_position(rating: Rating, settings: RuleSettings) -> str:
    ind = rating.indicator
    if rating.latest is None:
        return ""
    latest = f"The latest value, {format_value(rating.value, ind)} in {rating.latest.period.label},"
    if ind.type is KpiType.ACTIVITY:
        if rating.range_status is None:
            return f"{latest} has no expected range to compare with."
        return f"{latest} is {range_word(rating.range_status).lower()} the expected range."
    if rating.rag is None:
        return f"{latest} is {rag_word(rating).lower()}."
    meaning = rag_meaning(rating.rag, settings.rag_method, settings.green_within)
    return f"{latest} is rated {rating.rag.word}: {meaning}."
