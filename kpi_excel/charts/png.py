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

from kpi_excel.core.model import Indicator, Report
from kpi_excel.present import palette as colours
from kpi_excel.present.chartspec import DASH_PATTERNS, ChartSpec, Line, runs
from kpi_excel.present.views import ReportView, viewed

DPI = 150  # a 16 cm chart printed at its size on an A4 page: fine lines stay sharp
SMOOTH = 2  # the value line is drawn at twice the size and halved, which smooths its edges
FONT_POINTS = 9.0  # no text in the paper below 9 pt, chart labels and keys included
NOTE_POINTS = 9.0
# Arial where it is installed (Windows, macOS), else a font with Arial's metrics, else DejaVu Sans
_FONT_FILES = (
    ("arial.ttf", "arialbd.ttf"),
    ("Arial.ttf", "Arial Bold.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)


RANGE_FILL = colours.RANGE_FILL
CHART_COLOURS = (colours.AXIS_LINE, colours.VALUE_LINE, colours.TARGET_LINE, colours.FLOOR_LINE,
                 colours.RANGE_LINE, colours.GRID_LINE, RANGE_FILL)


def report_charts(rated: Report | ReportView) -> dict[Indicator, bytes]:
    """Every chart picture the paper shows, drawn now (an indicator with no figure has none):
    a build draws them while another process loads the libraries that write the paper."""
    specs = viewed(rated).chart_specs
    return {ind: indicator_chart(spec) for ind, spec in specs.items() if spec is not None}


def indicator_chart(spec: ChartSpec, *, width_cm: float = 16.0, height_cm: float = 5.3) -> bytes:
    """A PNG line chart of a chart spec: the values over the periods shown, its reference lines
    (and an activity indicator's shaded range), its axis and its latest value's label.

    The same spec always gives the same bytes.
    """
    canvas = _Canvas(width_cm, height_cm)
    if spec.chartable:
        _draw(canvas, spec)
    else:
        note = "The values are too large to chart: see the table."
        canvas.text((canvas.width / 2, canvas.height / 2), note, NOTE_POINTS, colours.VALUE_LINE, anchor="mm")
    return canvas.png()


def _draw(canvas: _Canvas, spec: ChartSpec) -> None:
    labels = spec.period_labels
    points = [(i, v) for i, v in enumerate(spec.values) if v is not None]
    ticks = spec.axis.ticks()
    tick_labels = spec.tick_labels
    x_range = (-0.5, max(len(labels) - 0.5, 0.5))
    plot = _Plot.fit(canvas, tick_labels, x_range, (spec.axis.low, spec.axis.high))
    if spec.band is not None:
        plot.band(*spec.band, RANGE_FILL)
    for tick in ticks:
        plot.hline(tick, colours.GRID_LINE, 0.6)
    for line in spec.lines:
        assert line.value is not None
        plot.hline(line.value, line.colour, line.width_pt, DASH_PATTERNS[line.dash])
    value = spec.value_line
    if points:
        plot.series(points, value.colour, value.width_pt, spec.marker_pt * 0.7)
    if spec.label is not None:
        label = spec.label
        y = spec.values[label.index]
        assert y is not None
        plot.value_label(label.index, y, label.text, value.colour, label.position)
    plot.axes(ticks, tick_labels, labels)
    _legend(canvas, plot, spec)


def _legend(canvas: _Canvas, plot: _Plot, spec: ChartSpec) -> None:
    """One row of entries under the axes, centred: a sample of each line, then its name."""
    entries: list[tuple[Line, str]] = [(line, line.legend) for line in spec.lines]
    if any(v is not None for v in spec.values):
        entries.append((spec.value_line, spec.value_line.name))
    em = canvas.px(FONT_POINTS)
    handle, pad, gap = 2.0 * em, 0.8 * em, 2.0 * em
    widths = [handle + pad + canvas.text_width(label, FONT_POINTS) for _, label in entries]
    x = (plot.left + plot.right) / 2 - (sum(widths) + gap * (len(widths) - 1)) / 2
    y = plot.bottom + canvas.px(FONT_POINTS) * 3.3
    for (line, label), width in zip(entries, widths, strict=True):
        if line.value is None:
            canvas.across(x, x + handle, y, line.colour, line.width_pt)
            canvas.dot((x + handle / 2, y), spec.marker_pt * 0.7, line.colour)
        else:
            canvas.dashed(x, x + handle, y, line.colour, line.width_pt, DASH_PATTERNS[line.dash])
        canvas.text((x + handle + pad, y), label, FONT_POINTS, colours.AXIS_LINE, anchor="lm")
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
        """The line through each run of periods with figures (a period without one is a gap, as
        in the Word and Excel charts), and a marker on every point."""
        for run in runs(points):
            if len(run) > 1:
                self.canvas.smooth_line([(self.x(i), self.y(v)) for i, v in run], colour, width_pt)
        xy = [(self.x(i), self.y(v)) for i, v in points]
        for point in xy:
            self.canvas.dot(point, marker_pt, colour)

    def value_label(self, x: float, y: float, text: str, colour: str, position: str) -> None:
        """The latest value in bold beside its point, on the side the spec chose, on white."""
        gap = self.canvas.px(4.5)
        at, anchor = {"above": ((self.x(x), self.y(y) - gap), "ms"),
                      "below": ((self.x(x), self.y(y) + gap), "mt"),
                      "left": ((self.x(x) - gap, self.y(y)), "rm"),
                      "right": ((self.x(x) + gap, self.y(y)), "lm")}[position]
        x0, y0, x1, y1 = self.canvas.text_box(at, text, FONT_POINTS, anchor=anchor, bold=True)
        pad = self.canvas.px(0.8)
        self.canvas.draw.rectangle([x0 - pad, y0 - pad, x1 + pad, y1 + pad], fill="white")
        self.canvas.text(at, text, FONT_POINTS, colour, anchor=anchor, bold=True)

    def axes(self, ticks: Sequence[float], tick_labels: Sequence[str], periods: Sequence[str]) -> None:
        """The left and bottom axis lines, their tick marks and labels."""
        c, tick, gap = self.canvas, self.canvas.px(2), self.canvas.px(3.5)
        c.down(self.left, self.top, self.bottom, colours.AXIS_LINE, 0.8)
        c.across(self.left, self.right, self.bottom, colours.AXIS_LINE, 0.8)
        for value, label in zip(ticks, tick_labels, strict=True):
            y = self.y(value)
            c.across(self.left - tick, self.left, y, colours.AXIS_LINE, 0.8)
            c.text((self.left - gap, y), label, FONT_POINTS, colours.AXIS_LINE, anchor="rm")
        for i, label in enumerate(periods):
            x = self.x(i)
            c.down(x, self.bottom, self.bottom + tick, colours.AXIS_LINE, 0.8)
            c.text((x, self.bottom + gap), label, FONT_POINTS, colours.AXIS_LINE, anchor="mt")


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
