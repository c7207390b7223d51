"""Datasets that exercise every formula of the RAG workbook, with the words the rules give by hand."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from kpi_excel.core.model import (
    Dataset,
    DirectionMethod,
    Indicator,
    KpiType,
    Observation,
    PaperDetails,
    Period,
    Polarity,
    RagMethod,
    RuleSettings,
)

H, L, T, N = Polarity.HIGHER, Polarity.LOWER, Polarity.TARGET, Polarity.NONE
Value = float | str | None  # a figure, a no-data mark such as "TBC", or a blank


def months(first: dt.date, count: int) -> tuple[Period, ...]:
    """count monthly periods from first."""
    result = []
    year, month = first.year, first.month
    for _ in range(count):
        result.append(Period(dt.date(year, month, 1)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(result)


YEAR = months(dt.date(2019, 4, 1), 12)  # Apr-19 .. Mar-20
TWO_YEARS = months(dt.date(2018, 4, 1), 24)  # Apr-18 .. Mar-20


def observations(periods: tuple[Period, ...], values: list[Value]) -> tuple[Observation, ...]:
    """values fill the LAST len(values) periods; earlier periods are blank."""
    padded: list[Value] = [None] * (len(periods) - len(values)) + list(values)
    return tuple(
        Observation(p, v if isinstance(v, float | int) else None, f"KPIs!{i}",
                    v if isinstance(v, str) else ("blank" if v is None else None))
        for i, (p, v) in enumerate(zip(periods, padded, strict=True)))


@dataclass(frozen=True)
class Case:
    """One indicator and what the rules say of it, worked out by hand."""

    code: str
    polarity: Polarity
    target: float | None
    floor: float | None
    values: list[Value]
    rag: str = ""  # the RAG word, or "" for no expectation
    direction: str | None = None  # the direction word ("" for none), or None for no expectation
    tolerance: float | None = None
    percent: bool | None = None  # shown as percentages; by default when every figure is within +-1

    def indicator(self, periods: tuple[Period, ...], section: str) -> Indicator:
        return Indicator(
            name=f"Case {self.code}", code=self.code, section=section, polarity=self.polarity,
            target=self.target, floor=self.floor, tolerance=self.tolerance,
            is_percent=self.percent if self.percent is not None
            else all(abs(v) <= 1 for v in self.values if isinstance(v, float | int)),
            observations=observations(periods, self.values), sheet="KPIs", row=5,
        )


@dataclass(frozen=True)
class Activity:
    """An activity indicator and the range word the rules give, by hand."""

    code: str
    lower: float | None
    upper: float | None
    values: list[Value]
    range: str

    def indicator(self, periods: tuple[Period, ...]) -> Indicator:
        return Indicator(
            name=f"Activity {self.code}", code=self.code, type=KpiType.ACTIVITY,
            lower_threshold=self.lower, upper_threshold=self.upper,
            observations=observations(periods, self.values), sheet="Activity", row=5,
        )


# Floor rule, direction against the previous period with data.
FLOOR_PREVIOUS = [
    Case("H_ABOVE", H, 0.9, 0.8, [0.85, 0.95], "Green", "Improved"),
    Case("H_AT_TARGET", H, 0.9, 0.8, [0.9, 0.9], "Green", "Same"),
    Case("H_AT_FLOOR", H, 0.9, 0.8, [0.85, 0.8], "Amber", "Worsened"),
    Case("H_BELOW_FLOOR", H, 0.9, 0.8, [0.7, 0.79], "Red", "Improved"),
    Case("H_NOISE", H, 0.9, 0.8, [0.9, 0.7 + 0.2], "Green", "Same"),  # 0.8999999999999999
    Case("H_NOISE_FLOOR", H, 0.5, 0.3, [0.7 - 0.4], "Amber", ""),  # 0.29999999999999993
    Case("L_BELOW", L, 0.15, 0.2, [0.16, 0.12], "Green", "Improved"),
    Case("L_AT_TARGET", L, 0.15, 0.2, [0.15], "Green", ""),
    Case("L_AT_FLOOR", L, 0.15, 0.2, [0.18, 0.2], "Amber", "Worsened"),
    Case("L_ABOVE_FLOOR", L, 0.15, 0.2, [0.25, 0.25], "Red", "Same"),
    Case("L_NOISE", L, 0.3, 0.4, [0.1 + 0.2], "Green", ""),  # 0.30000000000000004
    Case("L_NEGATIVE", L, -0.02, 0.0, [-0.01, -0.03], "Green", "Improved"),
    Case("T_ON", T, 0.5, 0.4, [0.45, 0.5], "Green", "Improved"),
    Case("T_INSIDE", T, 0.5, 0.4, [0.55, 0.57], "Amber", "Worsened"),
    Case("T_EDGE", T, 0.5, 0.4, [0.4, 0.6], "Amber", "Same"),
    Case("T_OUTSIDE", T, 0.5, 0.4, [0.3, 0.65], "Red", "Improved"),
    Case("NO_FLOOR_MISS", H, 100, None, [90, 95], "Red", "Improved"),
    Case("NO_FLOOR_MEET", H, 100, None, [100], "Green", ""),
    Case("OWN_TOLERANCE", H, 200, None, [189, 190], "Amber", "Improved", tolerance=0.05),
    Case("OWN_TOLERANCE_FLOOR", H, 200, 150, [170], "Amber", "", tolerance=0.05),
    Case("NO_DATA", H, 0.9, 0.8, ["TBC", None, "n/a"], "No data", ""),
    Case("NO_TARGET", H, None, None, [0.5, 0.6], "Not rated", "Improved"),
    Case("GAP", H, 0.9, 0.8, [0.85, None, "n/a", 0.86], "Amber", "Improved"),
    Case("STALE", H, 0.9, 0.8, [0.91, 0.88, "TBC", None], "Amber", "Worsened"),
    Case("ZERO", H, 0, None, [0, 0], "Green", "Same"),
    Case("BIG", H, 1e6, 9e5, [1234567.5], "Green", ""),
    # a percentage outside 0-100 % (775 % for a misread 77,5 %) is not rated; a figure within the
    # spreadsheet's comparison noise of 100 % is 100 %
    Case("P_OVER", H, 0.9, 0.8, [0.95, 7.75], "Not rated", "Improved", percent=True),
    Case("P_NEGATIVE", H, 0.9, 0.8, [0.9, -0.05], "Not rated", "Worsened", percent=True),
    Case("P_HUNDRED", H, 0.9, 0.8, [0.9, 0.7 + 0.3], "Green", "Improved", percent=True),
    Case("P_CHANGE", L, -0.02, 0.0, [-0.01, -1.5], "Green", "Improved", percent=True),  # not a share
    # data only (no polarity): never rated, and it rises or falls rather than improving or worsening
    Case("D_UP", N, None, None, [0.5, 0.6], "Not rated", "Increased"),
    Case("D_DOWN", N, 0.9, None, [0.6, 0.5], "Not rated", "Decreased"),
    Case("D_SAME", N, None, None, [0.5, 0.5], "Not rated", "Same"),
]
FLOOR_PREVIOUS_ACTIVITIES = [
    Activity("A_ABOVE", 10, 20, [25], "Above"),
    Activity("A_ON_UPPER", 10, 20, [20], "Within"),
    Activity("A_ON_LOWER", 10, 20, [10], "Within"),
    Activity("A_BELOW", 10, 20, [9], "Below"),
    Activity("A_NOISE", 0.3, 0.5, [0.7 - 0.4], "Within"),
    Activity("A_LOWER_ONLY", 10, None, [5], "Below"),
    Activity("A_UPPER_ONLY", None, 10, [15], "Above"),
    Activity("A_NO_RANGE", None, None, [5], ""),
    Activity("A_NO_DATA", 10, 20, ["TBC"], "No data"),
]

# Tolerance rule (10 %), direction against the same period last year; 24 months to Mar-20.
_LAST_YEAR_PAD: list[Value] = [None] * 11
TOLERANCE_LAST_YEAR = [
    Case("TH_AMBER", H, 0.9, 0.8, [0.8] + _LAST_YEAR_PAD + [0.85], "Amber", "Improved"),
    Case("TH_AT_LIMIT", H, 0.9, None, [0.81] + _LAST_YEAR_PAD + [0.81], "Amber", "Same"),
    Case("TH_RED", H, 100, None, ["n/a"] + _LAST_YEAR_PAD + [89], "Red", ""),
    Case("TL_AMBER", L, 20, None, [25] + _LAST_YEAR_PAD + [21.5], "Amber", "Improved"),
    Case("TL_AT_LIMIT", L, 0.15, None, [0.1] + _LAST_YEAR_PAD + [0.165], "Amber", "Worsened"),
    Case("TT_AMBER", T, 50, None, [50] + _LAST_YEAR_PAD + [54], "Amber", "Worsened"),
    Case("TT_GREEN", T, 50, None, [44] + _LAST_YEAR_PAD + [50], "Green", "Improved"),
    Case("TOWN", H, 100, None, [85] + _LAST_YEAR_PAD + [85], "Amber", "Same", tolerance=0.2),
    Case("TOWN_LOWER", L, 100, None, [101] + _LAST_YEAR_PAD + [105], "Red", "Worsened", tolerance=0.02),
    Case("TZERO_TARGET", H, 0, None, [-1], "Red", "", percent=False),  # a count, not a share
    Case("TSTALE", H, 0.9, None, [0.7] + _LAST_YEAR_PAD + [0.95, "TBC"], "Green", "Improved"),
    Case("TNO_DATA", H, 0.9, None, [None], "No data", ""),
]

# Floor rule with a 5 % goal-post Green band, direction from a trend across the year.
FLOOR_TREND = [
    Case("TR_UP", H, 0.9, 0.8, [0.80, 0.82, 0.84, 0.86, 0.88, 0.90], "Green", "Improved"),
    Case("TR_DOWN", H, 0.9, 0.8, [0.95, 0.93, 0.91, 0.89, 0.87, 0.85], "Amber", "Worsened"),
    Case("TR_FLAT", H, 0.9, 0.8, [0.90, 0.91, 0.90, 0.91, 0.90, 0.91], "Green", "Same"),
    Case("TR_FEW", H, 0.9, 0.8, [0.90, 0.95], "Green", ""),
    Case("TR_LOWER_DOWN", L, 10, 12, [14, 13, 12, 11, 10, 9], "Green", "Improved"),
    Case("TR_GAPS", H, 100, 90, [80, None, "n/a", 85, None, 95], "Amber", "Improved"),
    Case("TR_GOAL", T, 50, 40, [70, 65, 60, 55, 52.5], "Green", "Improved"),
    Case("TR_GOAL_AWAY", T, 50, 40, [50, 55, 58, 61], "Red", "Worsened"),
    Case("TR_DATA_DOWN", N, None, None, [14, 13, 12, 11, 10, 9], "Not rated", "Decreased"),
]


# Tolerance rule (10 %) with a Green band of 5 % below target ("Green: on target or within 5 % of it;
# Amber: within 5-10 %; Red: more than 10 % short"), direction against the previous period.
GREEN_BAND = [
    Case("GB_ON", H, 100, None, [100], "Green", ""),
    Case("GB_IN_BAND", H, 100, None, [90, 96], "Green", "Improved"),
    Case("GB_BAND_EDGE", H, 100, None, [95], "Green", ""),  # exactly 5 % short: still Green
    Case("GB_AMBER", H, 100, None, [94], "Amber", ""),
    Case("GB_AMBER_EDGE", H, 100, None, [95, 90], "Amber", "Worsened"),
    Case("GB_RED", H, 100, None, [89.9], "Red", ""),
    Case("GB_LOWER_BAND", L, 20, None, [21], "Green", ""),  # 5 % over a lower-is-better target
    Case("GB_LOWER_AMBER", L, 20, None, [21.5], "Amber", ""),
    Case("GB_LOWER_RED", L, 20, None, [22.5], "Red", ""),
    Case("GB_NOISE", H, 0.9, None, [0.9 - 0.045], "Green", ""),  # the band's edge, computed
    Case("GB_GOAL_POST", T, 50, None, [52.5], "Amber", ""),  # goal posts keep their own Green band
    Case("GB_OWN_TOLERANCE", H, 100, None, [97, 93], "Amber", "Worsened", tolerance=0.08),
    Case("GB_ZERO_TARGET", H, 0, None, [-1], "Red", "", percent=False),  # a net count: 5 % of 0 is 0
]


def _random_cases(seed: int, periods: int, count: int) -> list[Case]:
    """KPIs whose values sit on, beside and around their target and floor, with gaps and marks."""
    rng = random.Random(seed)
    cases = []
    for n in range(count):
        polarity = rng.choice([H, L, T])
        scale = rng.choice([1.0, 100.0, 5000.0])
        target = round(rng.uniform(0.2, 0.9), 2) * scale
        gap = round(rng.uniform(0.01, 0.15), 2) * scale
        floor = {H: target - gap, L: target + gap, T: target - gap}[polarity]
        if rng.random() < 0.15:
            floor = None
        anchors = [target, floor if floor is not None else target, target + gap / 2, target - gap / 2]
        values: list[Value] = []
        for _ in range(periods):
            pick = rng.random()
            if pick < 0.1:
                values.append(None)
            elif pick < 0.15:
                values.append("n/a")
            elif pick < 0.45:
                anchor = rng.choice(anchors)
                values.append(anchor * (1 + rng.choice([0.0, 1e-16, -1e-16, 2e-16])))
            elif pick < 0.6:
                # a figure that is the sum of two parts, as a formula in the source would give
                part = rng.choice(anchors) * rng.uniform(0.2, 0.8)
                values.append(part + (rng.choice(anchors) - part))
            else:
                values.append(rng.uniform(0.5, 1.5) * target)
        tolerance = rng.choice([None, None, 0.05, 0.1])
        cases.append(Case(f"R{n:03d}", polarity, target, floor, values, tolerance=tolerance))
    return cases


def dataset(name: str, cases: list[Case], periods: tuple[Period, ...], settings: RuleSettings,
            activities: list[Activity] | None = None, randoms: int = 60, seed: int = 1) -> Dataset:
    """A dataset of the hand cases, then random ones; the last period always has data."""
    indicators = [c.indicator(periods, "Cases") for c in cases]
    indicators += [c.indicator(periods, "Random") for c in _random_cases(seed, len(periods), randoms)]
    indicators += [a.indicator(periods) for a in activities or []]
    anchor = Case("ANCHOR", H, 1.0, 0.5, [0.75], "Amber", "")
    indicators.append(anchor.indicator(periods, "Cases"))
    return Dataset(source=f"{name}.xlsx", sha256="0" * 64, indicators=tuple(indicators), periods=periods,
                   settings=settings, details=PaperDetails(subject=f"Cases: {name}"), title=f"Cases {name}")


def all_datasets() -> dict[str, tuple[Dataset, list[Case], list[Activity]]]:
    """Every generated dataset by name, with its hand cases."""
    floor_previous = RuleSettings()
    tolerance_last_year = RuleSettings(rag_method=RagMethod.TOLERANCE, tolerance=0.1,
                                       direction=DirectionMethod.LAST_YEAR)
    floor_trend = RuleSettings(goal_post_tolerance=0.05, direction=DirectionMethod.TREND)
    green_band = RuleSettings(rag_method=RagMethod.TOLERANCE, tolerance=0.1, green_within=0.05)
    return {
        "floor-previous": (dataset("floor-previous", FLOOR_PREVIOUS, YEAR, floor_previous,
                                   FLOOR_PREVIOUS_ACTIVITIES, seed=11),
                           FLOOR_PREVIOUS, FLOOR_PREVIOUS_ACTIVITIES),
        "tolerance-last-year": (dataset("tolerance-last-year", TOLERANCE_LAST_YEAR, TWO_YEARS,
                                        tolerance_last_year, seed=12),
                                TOLERANCE_LAST_YEAR, []),
        "floor-trend": (dataset("floor-trend", FLOOR_TREND, YEAR, floor_trend, seed=13), FLOOR_TREND, []),
        "green-band": (dataset("green-band", GREEN_BAND, YEAR, green_band, seed=14), GREEN_BAND, []),
    }
