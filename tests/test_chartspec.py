"""The chart spec every output draws from: periods, gaps, y-axis, the latest value's label, alt text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from kpi_excel import pipeline
from kpi_excel.core.model import Indicator, KpiType, Observation, Period, Report, RuleSettings
from kpi_excel.core.rules import rate_indicator
from kpi_excel.present import chartspec, palette
from kpi_excel.present.views import derive

PERIODS = [Period(dt.date(2019 + (m < 4), m, 1)) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def spec_of(indicator: Indicator, periods: list[Period] = PERIODS) -> chartspec.ChartSpec | None:
    rating = rate_indicator(indicator, periods[-1], RuleSettings())
    return chartspec.chart_spec(rating, periods, RuleSettings())


def kpi(values: list[float | None], **fields: object) -> Indicator:
    observations = tuple(Observation(p, v) for p, v in zip(PERIODS, values, strict=True))
    return Indicator("Invoices paid on time", "FN01", observations=observations, **fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def sample_report() -> Report:
    return pipeline.check(pipeline.sample_path())


def test_a_missing_month_is_a_gap_and_a_kpi_with_no_figure_has_no_chart() -> None:
    spec = spec_of(kpi([0.9, None, 0.92] + [0.91] * 9, target=0.9, is_percent=True))
    assert spec is not None and spec.values[1] is None and len(spec.values) == len(PERIODS)
    assert [values[1] for _line, values in spec.series][0] is None
    assert spec_of(kpi([None] * 12, target=0.9)) is None


def test_a_small_dip_near_100_percent_is_not_drawn_as_a_plunge() -> None:
    spec = spec_of(kpi([1.0] * 11 + [0.996], target=0.99, floor=0.985, is_percent=True))
    assert spec is not None
    axis = spec.axis
    assert axis.high - axis.low >= chartspec.MIN_SPAN_SHARE * 1.0
    assert (1.0 - 0.996) / (axis.high - axis.low) < 0.05  # the dip is under a twentieth of the height
    assert axis.high <= 1.0  # a percentage axis stops at 100 % when no figure is above it


@pytest.mark.parametrize(("values", "target", "floor"), [
    ([50.0] * 12, 80.0, 10.0), ([5.0, 6.0] * 6, 2.0, 9.0), ([-3.0, 4.0] * 6, None, None),
    ([0.0] * 12, None, None),
])
def test_the_axis_takes_in_values_target_and_floor_on_round_steps(values: list[float], target: float | None,
                                                                   floor: float | None) -> None:
    spec = spec_of(kpi(values, target=target, floor=floor))  # type: ignore[arg-type]
    assert spec is not None
    numbers = values + [n for n in (target, floor) if n is not None]
    assert spec.axis.low <= min(numbers) and max(numbers) <= spec.axis.high
    assert spec.axis.low >= 0 or min(numbers) < 0  # counts do not dip below zero
    ticks = spec.axis.ticks()
    assert ticks[0] == spec.axis.low and ticks[-1] == spec.axis.high and len(ticks) <= 8


def _label_box(spec: chartspec.ChartSpec) -> tuple[float, float]:
    """Where the latest value's label sits, in figures, as the spec's own shares describe it."""
    assert spec.label is not None
    value = spec.values[spec.label.index]
    assert value is not None
    span = spec.axis.high - spec.axis.low
    height, gap = span * chartspec.LABEL_SHARE, span * chartspec.LABEL_GAP_SHARE
    return {"above": (value + gap, value + gap + height), "below": (value - gap - height, value - gap),
            "left": (value - height / 2, value + height / 2),
            "right": (value - height / 2, value + height / 2)}[spec.label.position]


def test_the_latest_label_never_sits_on_a_reference_line() -> None:
    chosen: list[str] = []
    rng = random.Random(7)
    for _ in range(600):
        level = rng.uniform(0.5, 0.99)
        values = [min(1.0, max(0.0, level + rng.gauss(0, 0.02))) for _ in range(12)]
        target = values[-1] + rng.choice([-1, 1]) * rng.uniform(0, 0.02)
        floor = values[-1] + rng.choice([-1, 1]) * rng.uniform(0, 0.03)
        spec = spec_of(kpi(values, target=target, floor=floor, is_percent=True))  # type: ignore[arg-type]
        assert spec is not None
        if spec.label is None:  # lines close on every side: no label rather than one on a line
            chosen.append("none")
            continue
        low, high = _label_box(spec)
        assert spec.axis.low <= low and high <= spec.axis.high
        assert not any(low <= line.value <= high for line in spec.lines if line.value is not None), spec
        chosen.append(spec.label.position)
    assert {"above", "below", "left"} <= set(chosen)
    assert chosen.count("none") < len(chosen) / 5  # though both lines are within 3 points of it


def test_reference_lines_differ_in_dash_as_well_as_colour() -> None:
    spec = spec_of(kpi([0.9] * 12, target=0.95, floor=0.85, is_percent=True))
    assert spec is not None
    target, floor = spec.lines
    assert (target.colour, target.dash) == (palette.TARGET_LINE, chartspec.DASHED)
    assert (floor.colour, floor.dash) == (palette.FLOOR_LINE, chartspec.DOTTED)
    assert spec.value_line.colour == palette.VALUE_LINE and target.legend == "Target (95.0%)"
    activity = spec_of(dataclasses.replace(kpi([30.0] * 12), type=KpiType.ACTIVITY, lower_threshold=20.0,
                                           upper_threshold=40.0))
    assert activity is not None and activity.band == (20.0, 40.0)
    assert {line.colour for line in activity.lines} == {palette.RANGE_LINE}


def test_every_chart_shows_the_periods_the_paper_tables_show(sample_report: Report) -> None:
    specs = derive(sample_report).chart_specs
    shown = list(derive(sample_report).shown)
    assert len(shown) == chartspec.PERIODS_SHOWN and shown[-1] == sample_report.period
    assert all(spec is not None and list(spec.periods) == shown for spec in specs.values())


def test_chart_alt_text_describes_lines_trend_and_latest(sample_report: Report) -> None:
    specs = {ind.code: spec for ind, spec in derive(sample_report).chart_specs.items()}
    text = specs["GL02"].alt_text  # type: ignore[union-attr]
    assert text.startswith("Line chart of GL02 Freedom of Information Act requests completed within 20 "
                           "working days, from Apr-19 to Mar-20")
    assert "the target (92.0%) as a dashed line" in text and "floor standard (90.0%) as a dotted line" in text
    assert "The value fell from 93.1% in Apr-19 to 89.0% in Mar-20" in text
    assert "The trend across the period is worsening." in text
    assert text.endswith("is rated Red: performance did not meet the expected floor standard.")
    act = specs["ACT03"].alt_text  # type: ignore[union-attr]
    assert "expected range (150 to 210) marked by dashed lines" in act
    assert act.endswith("is below the expected range.")
