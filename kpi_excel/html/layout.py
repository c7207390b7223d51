"""Each chart spec laid out for inline SVG: where every line, point and label falls (pure).

svg.py writes the elements; this module only measures. Everything drawn comes from
the chart spec (chartspec.py), as the Word chart and the picture do: the periods, the values with
a gap for a period without one, the reference lines with their dashes, the activity range, the
axis and its labels, and the latest value's label on the side the spec chose.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kpi_excel.present.chartspec import DASH_PATTERNS, ChartSpec, Line, runs

WIDTH, HEIGHT = 700.0, 260.0  # the viewBox: SVG units are CSS pixels at 700 px wide
# The labels' size in SVG units: the chart scales with the page, so on a desktop FONT is their
# size in pixels; where the page is narrow (a phone) the stylesheet sets NARROW_FONT, so that
# they stay legible on a chart drawn 300 px wide. Room is left for the larger size.
FONT = 13.0
NARROW_FONT = 24.0
NARROW_PAGE = "30rem"  # the page width up to which the stylesheet uses NARROW_FONT
PT = 4 / 3  # CSS pixels in a point: the spec's line widths are in points
MARGIN = 10.0
TICK = 4.0  # tick marks' length
GAP = 6.0  # between a tick mark or a point and its label
MARKER_RADIUS = 3.5
HALO = 4.0  # the white outline that keeps the latest value's label clear of the lines under it
TOO_LARGE = "The values are too large to chart: see the table."

# Advance widths of Arial (and Liberation Sans, Helvetica) in ems, for the characters of axis,
# period and value labels; any other character counts as a wide letter. Only used to leave room:
# the browser sets the text.
_WIDTHS = {**dict.fromkeys("0123456789$£€abdeghnopqu", 0.556), **dict.fromkeys("ckvxyzsJ", 0.5),
           **dict.fromkeys("fijlt.,/ I", 0.278), **dict.fromkeys("-r()", 0.333), "m": 0.833, "w": 0.722,
           "%": 0.889, "–": 0.556, **dict.fromkeys("ABEKPSVXY", 0.667), **dict.fromkeys("CDHNRU", 0.722),
           **dict.fromkeys("FTZL", 0.611), **dict.fromkeys("GOQ", 0.778), "M": 0.833, "W": 0.944}
_BOLD_FACTOR = 1.08  # bold is a little wider


@dataclass(frozen=True)
class Text:
    """A label: its anchor point, alignment (start, middle or end), which of its edges is at the
    point (dominant-baseline: "auto" the baseline, "central", "hanging" the top), its words,
    whether it is left out where the page is narrow (a period label, when the larger labels
    would overlap) and whether it ends at its point there (where the larger label would run past
    the chart's right edge)."""

    x: float
    y: float
    text: str
    anchor: str = "middle"
    baseline: str = "auto"
    wide_only: bool = False
    end_when_narrow: bool = False


@dataclass(frozen=True)
class Stroke:
    """How a line is drawn: colour, width and dash pattern (SVG units)."""

    colour: str
    width: float
    dasharray: str  # "" for a solid line
    css: str  # a class for forced-colours mode: "value", "target", "floor", "lower", "upper"

    @classmethod
    def of(cls, line: Line) -> Stroke:
        width = round(line.width_pt * PT, 2)
        pattern = DASH_PATTERNS.get(line.dash)
        dashes = " ".join(number(part * width) for part in pattern) if pattern else ""
        return cls(line.colour, width, dashes, line.key)


@dataclass(frozen=True)
class Rule:
    """A line across the plot at one height: a grid line or a reference line."""

    y: float
    stroke: Stroke


@dataclass(frozen=True)
class LegendEntry:
    text: str
    stroke: Stroke
    marker: bool  # the value line's entry shows its marker too


@dataclass(frozen=True)
class ChartDrawing:
    """One chart, measured: every coordinate in the viewBox's units."""

    alt_text: str
    left: float
    top: float
    right: float
    bottom: float
    band: tuple[float, float] | None  # the expected range's top and bottom y, shaded
    grid: tuple[float, ...]  # y of each grid line (one per axis label)
    y_labels: tuple[Text, ...]
    x_ticks: tuple[float, ...]  # x of each period's tick mark
    x_labels: tuple[Text, ...]  # the periods labelled (every k-th where they would overlap)
    references: tuple[Rule, ...]
    runs: tuple[str, ...]  # SVG points of each run of periods with values: a gap between runs
    markers: tuple[tuple[float, float], ...]
    value_stroke: Stroke
    label: Text | None  # the latest value, bold, with a white halo
    legend: tuple[LegendEntry, ...]
    note: Text | None = None  # instead of the plot, when the figures cannot be drawn
    width: float = WIDTH
    height: float = HEIGHT

    @property
    def view_box(self) -> str:
        return f"0 0 {number(self.width)} {number(self.height)}"


@lru_cache(maxsize=1024)  # a report's charts repeat the same period and axis labels
def text_width(text: str, size: float, bold: bool = False) -> float:
    """About how wide text is set in Arial at size (CSS pixels)."""
    ems = sum(_WIDTHS.get(ch, 0.6) for ch in text)
    return ems * size * (_BOLD_FACTOR if bold else 1.0)


def chart_drawing(spec: ChartSpec) -> ChartDrawing:
    """The chart spec measured for an SVG of WIDTH x HEIGHT units."""
    legend = legend_entries(spec)
    value_stroke = Stroke.of(spec.value_line)
    if not spec.chartable:
        note = Text(WIDTH / 2, HEIGHT / 2, TOO_LARGE, baseline="central")
        return ChartDrawing(spec.alt_text, 0, 0, WIDTH, HEIGHT, None, (), (), (), (), (), (), (),
                            value_stroke, None, legend, note=note)
    ticks = spec.axis.ticks()
    tick_labels = spec.tick_labels
    widest = max((text_width(t, NARROW_FONT) for t in tick_labels), default=0.0)
    left = MARGIN + widest + TICK + GAP
    right, top = WIDTH - MARGIN, MARGIN + 2.0
    bottom = HEIGHT - (TICK + GAP + NARROW_FONT + MARGIN / 2)
    plot = _Plot(left, right, top, bottom, len(spec.periods), spec.axis.low, spec.axis.high)

    band = (plot.y(spec.band[1]), plot.y(spec.band[0])) if spec.band is not None else None
    grid = tuple(plot.y(t) for t in ticks)
    y_labels = tuple(Text(left - TICK - GAP / 2, plot.y(t), label, "end", "central")
                     for t, label in zip(ticks, tick_labels, strict=True))
    x_ticks = tuple(plot.x(i) for i in range(len(spec.periods)))
    labels = spec.period_labels
    wide = labelled_periods(labels, plot.step, FONT)
    # where the page is narrow, the latest label may end at its tick: room for half a label more
    flush = bool(labels) and _past_edge(plot.x(len(labels) - 1), labels[-1], NARROW_FONT)
    narrow = set(labelled_periods(labels, plot.step, NARROW_FONT, every_of=_every(labels, plot.step, FONT),
                                  room=1.5 if flush else 1.0))
    x_labels = tuple(_period_label(plot.x(i), bottom + TICK + GAP / 2, labels[i], i not in narrow)
                     for i in wide)
    references = tuple(Rule(plot.y(line.value), Stroke.of(line))
                       for line in spec.lines if line.value is not None)
    points = [(i, v) for i, v in enumerate(spec.values) if v is not None]
    lines = tuple(" ".join(f"{number(plot.x(i))},{number(plot.y(v))}" for i, v in run)
                  for run in runs(points) if len(run) > 1)
    markers = tuple((plot.x(i), plot.y(v)) for i, v in points)
    return ChartDrawing(spec.alt_text, left, top, right, bottom, band, grid, y_labels, x_ticks, x_labels,
                        references, lines, markers, value_stroke, _latest_label(spec, plot), legend)


def legend_entries(spec: ChartSpec) -> tuple[LegendEntry, ...]:
    """The legend as the picture's: each reference line named with its figure, then the values."""
    entries = [LegendEntry(line.legend, Stroke.of(line), False) for line in spec.lines]
    if any(v is not None for v in spec.values):
        entries.append(LegendEntry(spec.value_line.name, Stroke.of(spec.value_line), True))
    return tuple(entries)


def labelled_periods(labels: Sequence[str], step: float, size: float, every_of: int = 1,
                     room: float = 1.0) -> list[int]:
    """The periods to label on the x-axis with labels of this size: all where they fit (with room
    for `room` labels between two ticks), else every k-th (a multiple of every_of) counted back
    from the latest, so the latest period is always named (its figure is the one the paper rates)."""
    every = _every(labels, step, size, room)
    every = -(-every // every_of) * every_of
    last = len(labels) - 1
    return [i for i in range(len(labels)) if (last - i) % every == 0]


def _period_label(x: float, y: float, text: str, wide_only: bool) -> Text:
    """A period's label centred under its tick; where the page is narrow, ending at the tick if
    the larger label would run past the chart's right edge."""
    return Text(x, y, text, "middle", "hanging", wide_only, _past_edge(x, text, NARROW_FONT))


def _past_edge(x: float, text: str, size: float, bold: bool = False) -> bool:
    """Whether text of this size centred on x runs past the chart's right edge."""
    return x + text_width(text, size, bold) / 2 > WIDTH - HALO


def _every(labels: Sequence[str], step: float, size: float, room: float = 1.0) -> int:
    """Every how many periods a label fits, at this size, periods step apart."""
    widest = max((text_width(label, size) for label in labels), default=0.0)
    return max(1, math.ceil((widest * room + GAP / 2) / step)) if step > 0 else 1


@dataclass(frozen=True)
class _Plot:
    left: float
    right: float
    top: float
    bottom: float
    count: int  # periods
    low: float
    high: float

    @property
    def step(self) -> float:
        """The width of one period."""
        return (self.right - self.left) / max(self.count, 1)

    def x(self, index: float) -> float:
        return self.left + (index + 0.5) * self.step

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return self.bottom - (value - self.low) / span * (self.bottom - self.top)


def _latest_label(spec: ChartSpec, plot: _Plot) -> Text | None:
    """The latest value's label on the side of its point the spec chose; one above or below a
    point near the chart's edge is set flush with the point's side, so it stays inside."""
    if spec.label is None:
        return None
    value = spec.values[spec.label.index]
    assert value is not None
    x, y = plot.x(spec.label.index), plot.y(value)
    gap = GAP + MARKER_RADIUS / 2
    text = spec.label.text
    position = spec.label.position
    if position == "left":
        return Text(x - gap, y, text, "end", "central")
    if position == "right":
        return Text(x + gap, y, text, "start", "central")
    anchor = "end" if _past_edge(x, text, FONT, bold=True) else "middle"
    narrow = anchor == "middle" and _past_edge(x, text, NARROW_FONT, bold=True)
    baseline, y = ("auto", y - gap) if position == "above" else ("hanging", y + gap)
    return Text(x + (MARKER_RADIUS if anchor == "end" else 0.0), y, text, anchor, baseline,
                end_when_narrow=narrow)


def number(x: float) -> str:
    """A coordinate as SVG gets it: one decimal, no trailing zero, never '-0'."""
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
