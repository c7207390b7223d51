"""Chart images: the look the paper relies on (dashed target, dotted floor, shaded range) and bytes
that do not change from run to run."""

from __future__ import annotations

import datetime as dt
import io
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageColor

from kpi_excel.charts import png
from kpi_excel.core.model import Indicator, KpiType, Observation, Period, RuleSettings
from kpi_excel.core.rules import rate_indicator
from kpi_excel.present import chartspec, palette

PERIODS = [Period(dt.date(2019 + (m < 4), m, 1)) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def series(values: list[float | None]) -> tuple[Observation, ...]:
    return tuple(Observation(p, v) for p, v in zip(PERIODS, values, strict=True))


KPI = Indicator("Invoices paid on time", "FN01", target=0.9, floor=0.8, is_percent=True,
                number_format="0.0%",
                observations=series([0.85, 0.86, 0.88, 0.91, None, 0.87, 0.9, 0.92, 0.93, 0.9, 0.89, 0.94]))
ACTIVITY = Indicator("Calls received", "AC01", type=KpiType.ACTIVITY, lower_threshold=26_000,
                     upper_threshold=34_000,
                     observations=series([29_800, 31_200, 28_900, 30_400, 27_600, 29_100, 31_800,
                                          30_200, 26_400, 32_500, 30_900, 38_745]))


def chart(indicator: Indicator) -> bytes:
    """The picture of an indicator's chart over PERIODS, drawn from its spec."""
    rating = rate_indicator(indicator, PERIODS[-1], RuleSettings())
    spec = chartspec.chart_spec(rating, PERIODS, RuleSettings())
    assert spec is not None
    return png.indicator_chart(spec)


def pixels(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def runs_of(image: Image.Image, colour: str) -> list[int]:
    """Lengths of the runs of a colour along the image row where that colour is most common."""
    rgb = bytes(ImageColor.getrgb(colour))
    data, width = image.tobytes(), image.width
    rows = [[data[i:i + 3] == rgb for i in range(y * width * 3, (y + 1) * width * 3, 3)]
            for y in range(image.height)]
    best = max(rows, key=sum)
    lengths, run = [], 0
    for hit in best + [False]:
        if hit:
            run += 1
        elif run:
            lengths.append(run)
            run = 0
    return lengths


def count_of(image: Image.Image, colour: str) -> int:
    """How many pixels are exactly this colour."""
    rgb = ImageColor.getrgb(colour)
    return next((n for n, c in image.getcolors(1 << 16) or [] if c == rgb), 0)


def test_a_kpi_chart_has_a_dashed_target_a_dotted_floor_and_the_values() -> None:
    image = pixels(chart(KPI))
    assert image.size == (945, 313)  # 16 x 5.3 cm at 150 dpi
    target, floor = runs_of(image, palette.TARGET_LINE), runs_of(image, palette.FLOOR_LINE)
    assert len(target) > 40 and len(floor) > 60  # broken lines across the plot (and the legend)
    assert max(floor) < min(sorted(target)[2:])  # dots are shorter than dashes
    assert sum(runs_of(image, palette.VALUE_LINE)) > 30


def test_an_activity_chart_shades_the_expected_range_between_dashed_lines() -> None:
    image = pixels(chart(ACTIVITY))
    assert count_of(image, png.RANGE_FILL) > 945 * 313 * 0.12  # a third of the plot, under the grid
    assert len(runs_of(image, palette.RANGE_LINE)) > 40
    assert not runs_of(image, palette.TARGET_LINE) and not runs_of(image, palette.FLOOR_LINE)


def test_the_background_and_every_chart_colour_are_kept_exactly() -> None:
    image = pixels(chart(KPI))
    colours = {colour for _count, colour in image.getcolors(maxcolors=1 << 16) or []}
    assert image.getpixel((2, 2)) == (255, 255, 255)
    for colour in png.CHART_COLOURS[:5]:  # the lines and text (the grid and shading are thin)
        assert ImageColor.getrgb(colour) in colours
    value = ImageColor.getrgb(palette.VALUE_LINE)
    left_of_plot = image.crop((0, 0, image.width // 2, int(image.height * 0.7)))  # no text in blue
    shades = {c for _n, c in left_of_plot.getcolors(1 << 16) or []
              if c not in (value, (255, 255, 255)) and _towards_white(c, value)}
    assert len(shades) >= 4  # the value line's edges are smoothed, not stepped


def _towards_white(colour: tuple[int, int, int], base: tuple[int, int, int]) -> bool:
    """Whether colour lies between base and white (a smoothed edge of a line in base)."""
    ratios = {round((255 - c) / (255 - b), 1) for c, b in zip(colour, base, strict=True) if b < 255}
    return len(ratios) == 1 and 0 < ratios.pop() < 1


@pytest.mark.parametrize("values", [[0.5] + [None] * 11, [0.0] * 12, [-3.0, 5e9] * 6])
def test_sparse_flat_or_wide_series_still_chart(values: list[float | None]) -> None:
    indicator = Indicator("A measure", "X1", target=None, floor=None, observations=series(values))
    assert runs_of(pixels(chart(indicator)), palette.VALUE_LINE)


def test_values_too_large_to_chart_get_a_note_instead() -> None:
    indicator = Indicator("Huge", "H1", target=1e200, observations=series([1e300] * 12))
    image = pixels(chart(indicator))
    assert not runs_of(image, palette.TARGET_LINE)
    assert runs_of(image, palette.VALUE_LINE)  # the note's text


def test_the_same_chart_is_the_same_bytes_in_a_fresh_process() -> None:
    """A fresh process has no cached text, so this also shows the caches do not change a pixel."""
    here = chart(KPI)
    assert chart(KPI) == here
    script = ("import sys, pickle; sys.path.insert(0, 'tests'); import test_charts; "
              "sys.stdout.buffer.write(test_charts.chart(pickle.loads(sys.stdin.buffer.read())))")
    fresh = subprocess.run([sys.executable, "-c", script], input=pickle.dumps(KPI),
                           capture_output=True, check=True, cwd=Path(__file__).parent.parent).stdout
    assert fresh == here


def test_a_period_without_a_figure_is_a_gap_in_the_line() -> None:
    """Midway between two points either side of a missing month the line is drawn; across the
    missing month (between its neighbours' points) it is not."""
    values = [0.85, 0.86, 0.87, 0.88, 0.89, None, None, 0.90, 0.91, 0.92, 0.93, 0.94]
    indicator = Indicator("Gappy", "G1", is_percent=True, observations=series(values))
    image = pixels(chart(indicator))
    blue = ImageColor.getrgb(palette.VALUE_LINE)
    data, width = image.tobytes(), image.width

    def blue_in_column(x: int) -> bool:
        return any(data[(y * width + x) * 3:(y * width + x) * 3 + 3] == bytes(blue)
                   for y in range(int(image.height * 0.7)))
    # the plot spans twelve equal slots; slot k's centre is at left + (k + 0.5) / 12 of the plot
    left, right = image.width * 0.09, image.width * 0.98
    slot = (right - left) / 12
    assert blue_in_column(int(left + 2.0 * slot))  # between Jun and Jul: a line
    assert not blue_in_column(int(left + 6.0 * slot))  # between the two missing months: nothing
