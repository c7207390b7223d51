"""Chart images for the paper: each indicator's values with its target and floor, or expected range.

Drawn with Pillow, not a plotting library: a chart takes two or three milliseconds instead of a
third of a second, which is what lets a council-wide run draw two thousand of them.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from PIL import Image, ImageColor, ImageDraw, ImageFont

from .formatting import format_value
from .model import Indicator, KpiType, Observation, Period, Report

PERIODS_SHOWN = 12  # the paper's charts and tables show the last twelve periods
DPI = 150  # a 16 cm chart printed at its size on an A4 page: fine lines stay sharp
SMOOTH = 2  # the value line is drawn at twice the size and halved, which smooths its edges
MAX_CHARTED = 1e100  # such values would need a hundred-digit axis label: they get a note
VALUE_COLOUR = "#1F4E79"
TARGET_COLOUR = "#00703C"
FLOOR_COLOUR = "#C00000"
RANGE_COLOUR = "#595959"
RANGE_FILL = "#F1F1F1"  # the range colour at 8 % over white
GRID_COLOUR = "#D9D9D9"
AXIS_COLOUR = "#000000"
CHART_COLOURS = (AXIS_COLOUR, VALUE_COLOUR, TARGET_COLOUR, FLOOR_COLOUR, RANGE_COLOUR, GRID_COLOUR,
                 RANGE_FILL)
FONT_POINTS = 9.0  # no text in the paper below 9 pt, chart labels and keys included
NOTE_POINTS = 9.0
TICK_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)  # the values a y-axis step may take, times a power of ten
MAX_Y_INTERVALS = 5
# Arial where it is installed (Windows, macOS), else a font with Arial's metrics, else DejaVu Sans
_FONT_FILES = (
    ("arial.ttf", "arialbd.ttf"),
    ("Arial.ttf", "Arial Bold.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)

# dash patterns in multiples of the line width, as Word and Excel draw dashed and dotted lines
_DASHED = (3.7, 1.6)
_DOTTED = (1.0, 1.65)


@dataclass(frozen=True)
class _Line:
    """A horizontal reference line, and how the legend shows it."""

    y: float
    colour: str
    width_pt: float
    dash: tuple[float, float]
    label: str = ""


def shown_periods(report: Report) -> list[Period]:
    """The periods the paper's tables and charts show: up to the report period, the last twelve."""
    periods = [p for p in report.dataset.periods if report.period is None or p <= report.period]
    return periods[-PERIODS_SHOWN:]


def observations_for(indicator: Indicator, periods: Sequence[Period]) -> list[Observation]:
    """The indicator's observation for each period shown (an empty one where it has none)."""
    by_period = {o.period: o for o in indicator.observations}
    return [by_period.get(p, Observation(p, None)) for p in periods]


def report_charts(report: Report) -> dict[Indicator, bytes]:
    """Every chart the paper shows, drawn now: a build draws them while another process loads
    the libraries that write the paper."""
    shown = shown_periods(report)
    return {r.indicator: indicator_chart(r.indicator, observations_for(r.indicator, shown))
            for r in report.ratings}


def indicator_chart(indicator: Indicator, observations: Sequence[Observation], *,
                    width_cm: float = 16.0, height_cm: float = 5.3) -> bytes:
    """A PNG line chart of the values over the periods shown, with reference lines.

    KPIs get their target (dashed) and floor standard (dotted); activity indicators get their
    expected range (shaded, between dashed lines). The same input always gives the same bytes.
    """
    canvas = _Canvas(width_cm, height_cm)
    if _chartable(indicator, observations):
        _draw(canvas, indicator, observations)
    else:
        note = "The values are too large to chart: see the table."
        canvas.text((canvas.width / 2, canvas.height / 2), note, NOTE_POINTS, VALUE_COLOUR, anchor="mm")
    return canvas.png()


def _chartable(indicator: Indicator, observations: Sequence[Observation]) -> bool:
    numbers = [o.value for o in observations] + [indicator.target, indicator.floor,
                                                  indicator.lower_threshold, indicator.upper_threshold]
    return all(abs(n) <= MAX_CHARTED for n in numbers if n is not None)


def reference_lines(indicator: Indicator) -> list[_Line]:
    """Target and floor for a KPI; the expected range's bounds for an activity indicator."""
    if indicator.type is KpiType.ACTIVITY:
        return _range_lines(indicator)
    lines = []
    if indicator.target is not None:
        lines.append(_Line(indicator.target, TARGET_COLOUR, 1.3, _DASHED,
                           f"Target ({format_value(indicator.target, indicator)})"))
    if indicator.floor is not None:
        lines.append(_Line(indicator.floor, FLOOR_COLOUR, 1.6, _DOTTED,
                           f"Floor standard ({format_value(indicator.floor, indicator)})"))
    return lines


def _range_lines(indicator: Indicator) -> list[_Line]:
    low, high = indicator.lower_threshold, indicator.upper_threshold
    if low is not None and high is not None:
        label = f"Expected range ({format_value(low, indicator)} to {format_value(high, indicator)})"
        return [_Line(high, RANGE_COLOUR, 1.1, _DASHED, label), _Line(low, RANGE_COLOUR, 1.1, _DASHED)]
    return [_Line(value, RANGE_COLOUR, 1.1, _DASHED, f"{name} ({format_value(value, indicator)})")
            for value, name in ((low, "Lower threshold"), (high, "Upper threshold")) if value is not None]


def y_limits(values: Sequence[float], indicator: Indicator) -> tuple[float, float]:
    """Room for the data and every reference line, with a margin so labels stay inside."""
    lines = [indicator.target, indicator.floor, indicator.lower_threshold, indicator.upper_threshold]
    shown = list(values) + [v for v in lines if v is not None]
    if not shown:
        return 0.0, 1.0
    low, high = min(shown), max(shown)
    margin = (high - low) * 0.15 or abs(high) * 0.05 or 1.0
    return low - margin, high + margin * 1.6


def y_ticks(low: float, high: float) -> list[float]:
    """At most six round values between low and high: steps of 1, 2, 2.5 or 5 times a power of ten."""
    raw = (high - low) / MAX_Y_INTERVALS
    scale = 10 ** math.floor(math.log10(raw))
    step = next(s * scale for s in TICK_STEPS if s * scale >= raw * (1 - 1e-9))
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [k * step for k in range(first, last + 1)]


def _draw(canvas: _Canvas, indicator: Indicator, observations: Sequence[Observation]) -> None:
    labels = [o.period.label for o in observations]
    points = [(i, o.value) for i, o in enumerate(observations) if o.value is not None]
    lines = reference_lines(indicator)
    low, high = y_limits([y for _, y in points], indicator)
    ticks = y_ticks(low, high)
    tick_labels = [format_value(t, indicator) for t in ticks]
    plot = _Plot.fit(canvas, tick_labels, (-0.5, max(len(labels) - 0.5, 0.5)), (low, high))
    if indicator.type is KpiType.ACTIVITY and indicator.lower_threshold is not None \
            and indicator.upper_threshold is not None:
        plot.band(indicator.lower_threshold, indicator.upper_threshold, RANGE_FILL)
    for tick in ticks:
        plot.hline(tick, GRID_COLOUR, 0.6)
    for line in lines:
        plot.hline(line.y, line.colour, line.width_pt, line.dash)
    if points:
        plot.series(points, VALUE_COLOUR, 1.8, 3.5)
        x, y = points[-1]
        plot.value_label(x, y, format_value(y, indicator), VALUE_COLOUR)
    plot.axes(ticks, tick_labels, labels)
    legend = [line for line in lines if line.label]
    _legend(canvas, plot, legend, has_values=bool(points))


def _legend(canvas: _Canvas, plot: _Plot, lines: Sequence[_Line], has_values: bool) -> None:
    """One row of entries under the axes, centred: a sample of each line, then its label."""
    entries: list[tuple[_Line | None, str]] = [(line, line.label) for line in lines]
    if has_values:
        entries.append((None, "Value"))
    if not entries:
        return
    em = canvas.px(FONT_POINTS)
    handle, pad, gap = 2.0 * em, 0.8 * em, 2.0 * em
    widths = [handle + pad + canvas.text_width(label, FONT_POINTS) for _, label in entries]
    x = (plot.left + plot.right) / 2 - (sum(widths) + gap * (len(widths) - 1)) / 2
    y = plot.bottom + canvas.px(FONT_POINTS) * 3.3
    for (line, label), width in zip(entries, widths, strict=True):
        if line is None:
            canvas.across(x, x + handle, y, VALUE_COLOUR, 1.8)
            canvas.dot((x + handle / 2, y), 3.5, VALUE_COLOUR)
        else:
            canvas.dashed(x, x + handle, y, line.colour, line.width_pt, line.dash)
        canvas.text((x + handle + pad, y), label, FONT_POINTS, AXIS_COLOUR, anchor="lm")
        x += width + gap


class _Canvas:
    """A white picture at the chart's print size.

    Lines across and down are drawn whole pixels wide on whole pixels, so they are sharp as they
    are; the value line, which runs at any angle, and the round markers are smoothed.
    """

    def __init__(self, width_cm: float, height_cm: float) -> None:
        self.scale = DPI / 72  # pixels per point
        self.width = round(width_cm / 2.54 * DPI)
        self.height = round(height_cm / 2.54 * DPI)
        self.image = Image.new("RGB", (self.width, self.height), "white")
        self.draw = ImageDraw.Draw(self.image)

    def px(self, points: float) -> float:
        return points * self.scale

    def stroke(self, points: float) -> int:
        return max(1, round(self.px(points)))

    def across(self, x0: float, x1: float, y: float, colour: str, width_pt: float) -> None:
        """A sharp line across, centred on y."""
        width = self.stroke(width_pt)
        top = round(y - width / 2)
        self.draw.rectangle([round(x0), top, round(x1) - 1, top + width - 1], fill=colour)

    def down(self, x: float, y0: float, y1: float, colour: str, width_pt: float) -> None:
        """A sharp line down, centred on x."""
        width = self.stroke(width_pt)
        left = round(x - width / 2)
        self.draw.rectangle([left, round(y0), left + width - 1, round(y1) - 1], fill=colour)

    def dashed(self, x0: float, x1: float, y: float, colour: str, width_pt: float,
               pattern: tuple[float, float]) -> None:
        stroke = self.stroke(width_pt)
        on, off = (max(1, round(self.px(width_pt) * part)) for part in pattern)
        mask = _dash_mask(round(x1 - x0), stroke, on, off)
        self.image.paste(colour, (round(x0), round(y - stroke / 2)), mask)

    def smooth_line(self, xy: Sequence[tuple[float, float]], colour: str, width_pt: float) -> None:
        """A line at any angle, drawn at SMOOTH times the size on a mask of just the space it
        takes, then shrunk: smooth edges for the cost of a small picture."""
        width = self.px(width_pt)
        left, top = math.floor(min(x for x, _ in xy) - width), math.floor(min(y for _, y in xy) - width)
        right, bottom = math.ceil(max(x for x, _ in xy) + width), math.ceil(max(y for _, y in xy) + width)
        mask = Image.new("L", ((right - left + 1) * SMOOTH, (bottom - top + 1) * SMOOTH), 0)
        centre = (SMOOTH - 1) / 2  # the middle of a pixel, at the larger size
        points = [((x - left) * SMOOTH + centre, (y - top) * SMOOTH + centre) for x, y in xy]
        ImageDraw.Draw(mask).line(points, fill=255, width=round(width * SMOOTH), joint="curve")
        self.image.paste(colour, (left, top), mask.reduce(SMOOTH))

    def dot(self, centre: tuple[float, float], diameter_pt: float, colour: str) -> None:
        """A smooth round marker centred on the pixel nearest centre."""
        mask = _dot_mask(round(self.px(diameter_pt) * 4))
        self.image.paste(colour, (round(centre[0]) - mask.width // 2, round(centre[1]) - mask.height // 2),
                         mask)

    def text(self, xy: tuple[float, float], text: str, points: float, colour: str, *,
             anchor: str, bold: bool = False) -> None:
        mask, left, top = _text_mask(text, round(self.px(points)), bold, anchor)
        self.image.paste(colour, (round(xy[0]) + left, round(xy[1]) + top), mask)

    def text_box(self, xy: tuple[float, float], text: str, points: float, *, anchor: str,
                 bold: bool = False) -> tuple[int, int, int, int]:
        mask, left, top = _text_mask(text, round(self.px(points)), bold, anchor)
        x, y = round(xy[0]) + left, round(xy[1]) + top
        return x, y, x + mask.width, y + mask.height

    def text_width(self, text: str, points: float) -> float:
        return _font(round(self.px(points)), False).getlength(text)

    def png(self) -> bytes:
        buffer = io.BytesIO()
        # A palette image: a third of the size of full colour, and quicker to write; fast
        # compression, as a chart is mostly white (about 10 KB). Pillow writes no date or
        # software name, so the same chart is the same bytes (and the same .docx).
        image = self.image.quantize(palette=palette(), dither=Image.Dither.NONE)
        image.save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()


@cache
def palette() -> Image.Image:
    """White, each chart colour, and eight shades of each towards white for smoothed edges.

    Shades within 8 of white are left out: Pillow matches colours in small cubes, and one of
    them beside white would take white's place.
    """
    entries: list[tuple[int, ...]] = [(255, 255, 255)]
    for colour in CHART_COLOURS:
        rgb = ImageColor.getrgb(colour)
        for k in range(1, 9):
            shade = tuple(round(255 - (255 - v) * k / 8) for v in rgb)
            if max(255 - v for v in shade) >= 8 and shade not in entries:
                entries.append(shade)
    image = Image.new("P", (1, 1))
    image.putpalette([v for entry in entries for v in entry])
    return image


@dataclass
class _Plot:
    """The axes: where data values fall on the canvas."""

    canvas: _Canvas
    left: float
    right: float
    top: float
    bottom: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    @classmethod
    def fit(cls, canvas: _Canvas, tick_labels: Sequence[str], x_range: tuple[float, float],
            y_range: tuple[float, float]) -> _Plot:
        """Axes as wide as the y-axis labels allow, with room below for the periods and legend."""
        widest = max((canvas.text_width(t, FONT_POINTS) for t in tick_labels), default=0.0)
        left = min(max(canvas.width * 0.09, widest + canvas.px(FONT_POINTS * 1.2)), canvas.width * 0.5)
        return cls(canvas, left, canvas.width * 0.98, canvas.height * 0.05, canvas.height * 0.7,
                   x_range, y_range)

    def x(self, value: float) -> float:
        low, high = self.x_range
        return self.left + (value - low) / (high - low) * (self.right - self.left)

    def y(self, value: float) -> float:
        low, high = self.y_range
        return self.bottom - (value - low) / (high - low) * (self.bottom - self.top)

    def band(self, low: float, high: float, colour: str) -> None:
        self.canvas.draw.rectangle([self.left, self.y(high), self.right, self.y(low)], fill=colour)

    def hline(self, value: float, colour: str, width_pt: float,
              dash: tuple[float, float] | None = None) -> None:
        y = self.y(value)
        if dash is None:
            self.canvas.across(self.left, self.right, y, colour, width_pt)
        else:
            self.canvas.dashed(self.left, self.right, y, colour, width_pt, dash)

    def series(self, points: Sequence[tuple[int, float]], colour: str, width_pt: float,
               marker_pt: float) -> None:
        xy = [(self.x(i), self.y(v)) for i, v in points]
        if len(xy) > 1:
            self.canvas.smooth_line(xy, colour, width_pt)
        for point in xy:
            self.canvas.dot(point, marker_pt, colour)

    def value_label(self, x: float, y: float, text: str, colour: str) -> None:
        """The latest value in bold just above its point, on white so lines do not cross it."""
        at = (self.x(x), self.y(y) - self.canvas.px(6))
        x0, y0, x1, y1 = self.canvas.text_box(at, text, FONT_POINTS, anchor="ms", bold=True)
        pad = self.canvas.px(0.8)
        self.canvas.draw.rectangle([x0 - pad, y0 - pad, x1 + pad, y1 + pad], fill="white")
        self.canvas.text(at, text, FONT_POINTS, colour, anchor="ms", bold=True)

    def axes(self, ticks: Sequence[float], tick_labels: Sequence[str], periods: Sequence[str]) -> None:
        """The left and bottom axis lines, their tick marks and labels."""
        c, tick, gap = self.canvas, self.canvas.px(2), self.canvas.px(3.5)
        c.down(self.left, self.top, self.bottom, AXIS_COLOUR, 0.8)
        c.across(self.left, self.right, self.bottom, AXIS_COLOUR, 0.8)
        for value, label in zip(ticks, tick_labels, strict=True):
            y = self.y(value)
            c.across(self.left - tick, self.left, y, AXIS_COLOUR, 0.8)
            c.text((self.left - gap, y), label, FONT_POINTS, AXIS_COLOUR, anchor="rm")
        for i, label in enumerate(periods):
            x = self.x(i)
            c.down(x, self.bottom, self.bottom + tick, AXIS_COLOUR, 0.8)
            c.text((x, self.bottom + gap), label, FONT_POINTS, AXIS_COLOUR, anchor="mt")


@lru_cache(maxsize=4096)
def _text_mask(text: str, size_px: int, bold: bool, anchor: str) -> tuple[Image.Image, int, int]:
    """The text's coverage as a mask, and its offset from the anchor point.

    Kept, because a report's charts repeat the same period and axis labels: rendering the text
    was half the cost of a chart. Drawn at a whole-pixel position, so a mask from the cache and
    a fresh one give the same pixels.
    """
    font = _font(size_px, bold)
    left, top, right, bottom = font.getbbox(text, anchor=anchor)
    mask = Image.new("L", (max(1, int(right - left)), max(1, int(bottom - top))), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, fill=255, font=font, anchor=anchor)
    return mask, int(left), int(top)


@lru_cache(maxsize=64)
def _dot_mask(diameter_quarters: int) -> Image.Image:
    """A round marker's coverage (diameter in quarter pixels): drawn four times the size, shrunk.

    An odd number of pixels across, so its middle is a pixel's middle.
    """
    size = math.ceil(diameter_quarters / 4) // 2 * 2 + 1
    big = Image.new("L", (size * 4, size * 4), 0)
    middle, r = size * 2, diameter_quarters / 2
    ImageDraw.Draw(big).ellipse([middle - r, middle - r, middle + r, middle + r], fill=255)
    return big.reduce(4)


@lru_cache(maxsize=256)
def _dash_mask(length: int, stroke: int, on: int, off: int) -> Image.Image:
    """A dashed or dotted horizontal line as a mask: on pixels drawn, off pixels left, repeated."""
    mask = Image.new("L", (max(1, length), stroke), 0)
    draw = ImageDraw.Draw(mask)
    for x in range(0, length, on + off):
        draw.rectangle([x, 0, min(x + on, length) - 1, stroke - 1], fill=255)
    return mask


@cache
def _font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_files()[1 if bold else 0]
    if path:
        return ImageFont.truetype(path, size_px)
    return ImageFont.load_default(size_px)


@cache
def font_files() -> tuple[str, str]:
    """The regular and bold font files charts use: Arial where installed, else the closest found.

    Empty strings when none is installed: Pillow's own sans-serif font is used then.
    """
    for regular, bold in _FONT_FILES:
        try:
            found = ImageFont.truetype(regular, 10), ImageFont.truetype(bold, 10)
        except OSError:
            continue
        return str(found[0].path), str(found[1].path)
    return "", ""
