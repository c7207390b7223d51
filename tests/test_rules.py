"""The rating rules as the council states them: RAG, direction of travel, activity ranges, staleness."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kpi_excel.core.compare import approx_equal
from kpi_excel.core.model import (
    Dataset,
    Direction,
    DirectionMethod,
    Indicator,
    KpiType,
    Observation,
    Period,
    PeriodKind,
    Polarity,
    Rag,
    RagMethod,
    RangeStatus,
    Report,
    RuleSettings,
)
from kpi_excel.core.rules import (
    compare_direction,
    comparison_for,
    rag_for,
    range_status,
    rate,
    rate_indicator,
    report_period,
    trend_direction,
)

G, A, R = Rag.GREEN, Rag.AMBER, Rag.RED
H, L, T = Polarity.HIGHER, Polarity.LOWER, Polarity.TARGET
FLOOR_RULE = RuleSettings()
TOLERANCE_RULE = RuleSettings(rag_method=RagMethod.TOLERANCE, tolerance=0.1)


def kpi(polarity: Polarity = H, target: float | None = 90, floor: float | None = None,
        **kw: Any) -> Indicator:
    return Indicator(name="Test KPI", code="T01", polarity=polarity, target=target, floor=floor, **kw)


def month(n: int) -> Period:
    """Month n counted from Apr-19 (0)."""
    year, m = divmod(3 + n, 12)
    return Period(dt.date(2019 + year, m + 1, 1))


def series(*values: float | None, start: int = 0) -> tuple[Observation, ...]:
    return tuple(Observation(month(start + i), v, f"KPIs!{chr(70 + i)}5", None if v is not None else "blank")
                 for i, v in enumerate(values))


# --- RAG: the floor rule (the default) -----------------------------------------------------------


@pytest.mark.parametrize(("value", "rag"), [
    (95, G), (90, G),  # at or above target: Green (equal to target is Green)
    (85, A), (80, A),  # below target, at or above floor: Amber (equal to floor is Amber)
    (79.9, R), (0, R),
])
def test_floor_rule_higher_is_better(value: float, rag: Rag) -> None:
    assert rag_for(value, kpi(H, 90, 80), FLOOR_RULE) is rag


@pytest.mark.parametrize(("value", "rag"), [(9, G), (10, G), (12, A), (15, A), (15.1, R), (40, R)])
def test_floor_rule_lower_is_better_is_mirrored(value: float, rag: Rag) -> None:
    assert rag_for(value, kpi(L, 10, 15), FLOOR_RULE) is rag


@pytest.mark.parametrize(("polarity", "value", "rag"), [(H, 90, G), (H, 89.99, R), (L, 90, G), (L, 90.01, R)])
def test_no_floor_and_no_tolerance_is_green_or_red(polarity: Polarity, value: float, rag: Rag) -> None:
    assert rag_for(value, kpi(polarity, 90, None), FLOOR_RULE) is rag


def test_floating_point_noise_does_not_flip_a_rating() -> None:
    # a spreadsheet says =0.7+0.2>=0.9 is TRUE, so the KPI is Green, as the sheet would show
    assert 0.7 + 0.2 < 0.9
    assert rag_for(0.7 + 0.2, kpi(H, 0.9, 0.8), FLOOR_RULE) is G
    assert rag_for(0.1 + 0.2, kpi(L, 0.3, 0.4), FLOOR_RULE) is G  # 0.30000000000000004 <= 0.3
    assert rag_for(0.1 + 0.2, kpi(H, 0.5, 0.3), FLOOR_RULE) is A  # equal to the floor
    assert rag_for(0.8999, kpi(H, 0.9, 0.8), FLOOR_RULE) is A  # a real shortfall still counts


# --- RAG: the tolerance rule ----------------------------------------------------------------------


@pytest.mark.parametrize(("polarity", "value", "rag"), [
    (H, 100, G), (H, 95, A), (H, 90, A), (H, 89.9, R),  # missed by no more than 10 %: Amber
    (L, 100, G), (L, 105, A), (L, 110, A), (L, 110.1, R),
])
def test_tolerance_rule(polarity: Polarity, value: float, rag: Rag) -> None:
    assert rag_for(value, kpi(polarity, 100, None), TOLERANCE_RULE) is rag


def test_tolerance_rule_ignores_the_floor() -> None:
    assert rag_for(95, kpi(H, 100, 99), TOLERANCE_RULE) is A  # 5 % short: within 10 %, though under floor
    assert rag_for(85, kpi(H, 100, 80), TOLERANCE_RULE) is R  # 15 % short: Red, though over floor


def test_tolerance_boundary_computed_in_floats_is_amber() -> None:
    # 0.9 missed by 10 % is 0.81 (0.9 - 0.09 is 0.8100000000000001 in floating point)
    assert rag_for(0.81, kpi(H, 0.9, None), TOLERANCE_RULE) is A
    assert rag_for(0.8099, kpi(H, 0.9, None), TOLERANCE_RULE) is R


def test_per_kpi_tolerance_wins_over_the_workbook_tolerance() -> None:
    own = kpi(H, 100, None, tolerance=0.05)
    assert rag_for(95, own, TOLERANCE_RULE) is A
    assert rag_for(94, own, TOLERANCE_RULE) is R  # within the workbook's 10 % but not its own 5 %


def test_per_kpi_tolerance_gives_amber_under_the_floor_rule_when_there_is_no_floor() -> None:
    own = kpi(L, 20, None, tolerance=0.1)
    assert [rag_for(v, own, FLOOR_RULE) for v in (20, 22, 22.1)] == [G, A, R]


# --- RAG: goal posts and a target of 0 ----------------------------------------------------------


@pytest.mark.parametrize(("value", "rag"), [
    (100, G), (105, A), (110, A), (95, A), (90, A), (110.5, R), (89, R),
])
def test_goal_post_with_a_floor_bands_both_sides_of_the_target(value: float, rag: Rag) -> None:
    assert rag_for(value, kpi(T, 100, 90), FLOOR_RULE) is rag


@pytest.mark.parametrize(("value", "rag"), [(102, G), (98, G), (103, A), (91, A), (111, R)])
def test_goal_post_with_a_green_band_and_tolerance(value: float, rag: Rag) -> None:
    rule = dataclasses.replace(TOLERANCE_RULE, goal_post_tolerance=0.02)
    assert rag_for(value, kpi(T, 100, None), rule) is rag


def test_goal_post_without_floor_or_tolerance_is_green_only_on_target() -> None:
    assert [rag_for(v, kpi(T, 100, None), FLOOR_RULE) for v in (100, 100.5, 99.5)] == [G, R, R]


@pytest.mark.parametrize(("indicator", "rule", "ratings"), [
    (kpi(L, 0, 2), FLOOR_RULE, {0: G, 1: A, 2: A, 3: R}),  # e.g. serious data breaches
    (kpi(L, 0, None), TOLERANCE_RULE, {0: G, 0.001: R}),  # 10 % of 0 is 0: any miss is Red
    (kpi(H, 0, -5), FLOOR_RULE, {0: G, 1: G, -5: A, -6: R}),  # net change
    (kpi(T, 0, None), TOLERANCE_RULE, {0: G, 0.1: R, -0.1: R}),
])
def test_target_of_zero(indicator: Indicator, rule: RuleSettings, ratings: dict[float, Rag]) -> None:
    assert {v: rag_for(v, indicator, rule) for v in ratings} == ratings


# --- RAG: properties ------------------------------------------------------------------------------

RANK = {R: 0, A: 1, G: 2}
numbers = st.one_of(
    st.integers(-10_000, 10_000).map(float),
    st.integers(-100_000, 100_000).map(lambda n: n / 1000),  # 3-decimal values like 0.875
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)
tolerances = st.integers(0, 50).map(lambda p: p / 100)
rules = st.one_of(st.just(FLOOR_RULE), tolerances.map(lambda t: RuleSettings(RagMethod.TOLERANCE, t)))


@st.composite
def indicators(draw: st.DrawFn, polarity: Polarity | None = None) -> Indicator:
    """A KPI with its floor (if any) on the right side of its target, as councils set them."""
    pol = draw(st.sampled_from([H, L, T])) if polarity is None else polarity
    target = draw(numbers)
    gap = draw(st.one_of(st.none(), numbers.map(abs)))
    floor = None if gap is None else (target + gap if pol is L else target - gap)
    tolerance = draw(st.one_of(st.none(), tolerances))
    return kpi(pol, target, floor, tolerance=tolerance)


@settings(max_examples=300, deadline=None)
@given(indicators(), rules, numbers, numbers)
def test_a_better_value_never_gets_a_worse_rag(
        ind: Indicator, rule: RuleSettings, a: float, b: float) -> None:
    assert ind.target is not None
    if ind.polarity is H:
        worse, better = sorted((a, b))
    elif ind.polarity is L:
        better, worse = sorted((a, b))
    else:
        better, worse = sorted((a, b), key=lambda v: abs(v - ind.target))  # type: ignore[operator]
    assert RANK[rag_for(better, ind, rule)] >= RANK[rag_for(worse, ind, rule)]


@settings(max_examples=300, deadline=None)
@given(indicators(), rules, numbers)
def test_negating_everything_and_flipping_polarity_gives_the_same_rag(
        ind: Indicator, rule: RuleSettings, value: float) -> None:
    assert ind.target is not None
    flipped = {H: L, L: H, T: T}[ind.polarity]
    mirror = dataclasses.replace(ind, polarity=flipped, target=-ind.target,
                                 floor=None if ind.floor is None else -ind.floor)
    assert rag_for(-value, mirror, rule) is rag_for(value, ind, rule)


@settings(max_examples=200, deadline=None)
@given(indicators(), rules)
def test_a_value_equal_to_the_target_is_green(ind: Indicator, rule: RuleSettings) -> None:
    assert ind.target is not None
    assert rag_for(ind.target, ind, rule) is G


@settings(max_examples=200, deadline=None)
@given(st.one_of(indicators(H), indicators(L)))
def test_a_value_equal_to_the_floor_is_amber(ind: Indicator) -> None:
    assert ind.target is not None
    # a floor a spreadsheet cannot tell from the target is the target: the value is Green then
    assume(ind.floor is not None and not approx_equal(ind.floor, ind.target))
    assert ind.floor is not None
    assert rag_for(ind.floor, ind, FLOOR_RULE) is A


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 10_000), st.sampled_from([H, L, T]))
def test_a_sum_of_typed_decimals_that_equals_the_target_is_green(a: int, b: int, polarity: Polarity) -> None:
    # as in a sheet: a cell =A1+B1 of two values typed with two decimals, against the typed total
    total = float((Decimal(a) + Decimal(b)) / 100)
    assert rag_for(a / 100 + b / 100, kpi(polarity, total, None), FLOOR_RULE) is G


# --- direction of travel ---------------------------------------------------------------------------


@pytest.mark.parametrize(("polarity", "latest", "earlier", "direction"), [
    (H, 0.9, 0.8, Direction.IMPROVED), (H, 0.8, 0.9, Direction.WORSENED), (H, 0.9, 0.9, Direction.SAME),
    (L, 0.9, 0.8, Direction.WORSENED), (L, 0.8, 0.9, Direction.IMPROVED), (L, 5, 5, Direction.SAME),
    (H, 0.7 + 0.2, 0.9, Direction.SAME),  # noise is not a change
    (T, 98, 95, Direction.IMPROVED), (T, 103, 98, Direction.WORSENED), (T, 102, 98, Direction.SAME),
])
def test_direction_is_polarity_aware(polarity: Polarity, latest: float, earlier: float,
                                     direction: Direction) -> None:
    assert compare_direction(latest, earlier, kpi(polarity, 100)) is direction


def test_previous_period_is_the_last_earlier_period_with_data() -> None:
    obs = series(0.8, None, 0.7, None, 0.9)
    assert comparison_for(obs, obs[4], DirectionMethod.PREVIOUS) == obs[2]
    assert comparison_for(obs, obs[0], DirectionMethod.PREVIOUS) is None


def test_same_period_last_year() -> None:
    obs = series(*[0.5 + i / 100 for i in range(24)])  # Apr-19 .. Mar-21
    compared = comparison_for(obs, obs[23], DirectionMethod.LAST_YEAR)
    assert compared is not None and compared.period.label == "Mar-20"
    gap = tuple(dataclasses.replace(o, value=None) if o.period.label == "Mar-20" else o for o in obs)
    assert comparison_for(gap, gap[23], DirectionMethod.LAST_YEAR) is None  # not the nearest month


def test_same_quarter_last_year() -> None:
    q = [Period(dt.date(2018 + (m < 4), m, 1), PeriodKind.QUARTER) for m in (4, 7, 10, 1)]
    q += [Period(dt.date(2019 + (m < 4), m, 1), PeriodKind.QUARTER) for m in (4, 7, 10, 1)]
    obs = tuple(Observation(p, float(i)) for i, p in enumerate(q))
    compared = comparison_for(obs, obs[-1], DirectionMethod.LAST_YEAR)
    assert compared is not None and compared.period.label == "Q4 2018/19"


@pytest.mark.parametrize(("polarity", "values", "direction"), [
    (H, (1, 2, 3), Direction.IMPROVED),
    (H, (3, 2, 1), Direction.WORSENED),
    (L, (3, 2, 1), Direction.IMPROVED),
    (L, (1, 2, 3), Direction.WORSENED),
    # fitted change over the span: 2; 2 % of the average level 101 is 2.02: no clear trend
    (H, (100, 101, 102), Direction.SAME),
    # fitted change 4 > 2 % of 102 = 2.04: a trend
    (H, (100, 102, 104), Direction.IMPROVED),
    (H, (100, 102, 98, 101, 99), Direction.SAME),  # slope -0.3: change -1.2 over 4 months, under 2
    (T, (90, 95, 99), Direction.IMPROVED),  # towards the target of 100
    (T, (100, 105, 110), Direction.WORSENED),  # away from it
])
def test_trend_direction(polarity: Polarity, values: tuple[float, ...], direction: Direction) -> None:
    assert trend_direction(series(*values), kpi(polarity, 100), FLOOR_RULE) is direction


def test_trend_needs_three_values_and_spaces_gaps_by_month() -> None:
    assert trend_direction(series(1, None, 2), kpi(H, 100), FLOOR_RULE) is None
    # 10, 11 then a gap of 9 months then 10: the late value pulls the line down
    obs = series(10, 11, *[None] * 9, 10)
    assert trend_direction(obs, kpi(H, 100), FLOOR_RULE) is Direction.WORSENED


def test_trend_threshold_is_a_setting() -> None:
    wide = dataclasses.replace(FLOOR_RULE, trend_threshold=0.05)
    assert trend_direction(series(100, 102, 104), kpi(H, 100), wide) is Direction.SAME


# --- activity ranges ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "status"), [
    (21, RangeStatus.ABOVE), (20, RangeStatus.WITHIN), (15, RangeStatus.WITHIN),
    (10, RangeStatus.WITHIN), (9.99, RangeStatus.BELOW),
])
def test_activity_range_a_value_on_a_threshold_is_within(value: float, status: RangeStatus) -> None:
    ind = Indicator("Referrals", type=KpiType.ACTIVITY, lower_threshold=10, upper_threshold=20)
    assert range_status(value, ind) is status


def test_activity_range_with_one_threshold_or_none() -> None:
    only_low = Indicator("Referrals", type=KpiType.ACTIVITY, lower_threshold=10)
    only_high = Indicator("Referrals", type=KpiType.ACTIVITY, upper_threshold=0.3)
    assert (range_status(5, only_low), range_status(500, only_low)) == (RangeStatus.BELOW, RangeStatus.WITHIN)
    assert range_status(0.1 + 0.2, only_high) is RangeStatus.WITHIN
    assert range_status(5, Indicator("Referrals", type=KpiType.ACTIVITY)) is None


def test_activity_indicators_get_no_rag_and_no_direction() -> None:
    ind = Indicator("Referrals", type=KpiType.ACTIVITY, lower_threshold=10, upper_threshold=20,
                    target=15, observations=series(12, 25))
    rating = rate_indicator(ind, month(1), FLOOR_RULE)
    assert (rating.rag, rating.direction, rating.range_status) == (None, None, RangeStatus.ABOVE)


# --- the report ---------------------------------------------------------------------------------


def dataset(*indicators: Indicator, rule: RuleSettings = FLOOR_RULE) -> Dataset:
    return Dataset("t.xlsx", "0", indicators, (), settings=rule)


def test_report_period_is_the_latest_period_with_data() -> None:
    a = kpi(observations=series(91, 92, None, None))  # columns run to Jul-19, data to Jun-19 at most
    b = kpi(observations=series(91, 92, 93, None))
    assert report_period([a, b]) == month(2)
    assert report_period([kpi(observations=series(None, None))]) is None


def test_rag_is_on_the_latest_period_with_data_and_old_data_is_flagged() -> None:
    lagging = kpi(H, 90, 80, observations=series(95, 85, None))  # Jun blank: rated on May
    current = kpi(H, 90, 80, observations=series(95, 85, 91))
    report = rate(dataset(lagging, current))
    late, now = report.ratings
    assert report.period == month(2)
    assert (late.latest.period if late.latest else None, late.rag, late.stale) == (month(1), A, True)
    assert (now.rag, now.stale, now.direction) == (G, False, Direction.IMPROVED)
    assert [w.where for w in report.warnings if "older than the report period" in w.message] == [lagging.ref]


@pytest.mark.parametrize(("frequency", "months_behind", "stale"), [
    ("M", 1, True), ("", 1, True), ("M", 0, False),
    ("Q", 2, False), ("Q", 3, True), ("Quarterly", 2, False),
    ("A", 11, False), ("A", 12, True),
])
def test_stale_allowance_by_data_period(frequency: str, months_behind: int, stale: bool) -> None:
    ind = kpi(frequency=frequency, observations=series(95, *[None] * months_behind))
    other = kpi(observations=series(*[95] * (months_behind + 1)))
    report = rate(dataset(ind, other))
    assert report.ratings[0].stale is stale


def test_quarterly_columns_a_quarter_behind_is_stale() -> None:
    q1, q2 = (Period(dt.date(2019, m, 1), PeriodKind.QUARTER) for m in (4, 7))
    late = kpi(observations=(Observation(q1, 95), Observation(q2, None)))
    current = kpi(observations=(Observation(q1, 95), Observation(q2, 96)))
    assert [r.stale for r in rate(dataset(late, current)).ratings] == [True, False]


def test_not_rated_reasons() -> None:
    no_target = kpi(target=None, observations=series(95))
    marked = kpi(observations=(Observation(month(0), None, "KPIs!F5", "Not due"),))
    report = rate(dataset(no_target, marked, kpi(observations=series(95))))
    assert [r.not_rated_reason for r in report.ratings] == ["no target", "no data (Not due)", None]
    assert (report.summary.not_rated, report.summary.green) == (2, 1)


def test_direction_method_from_settings() -> None:
    obs = series(*[90] * 12, *[80] * 11, 85)  # Mar-21 85: up on Feb-21, down on Mar-20
    previous = rate(dataset(kpi(observations=obs))).ratings[0]
    last_year = rate(dataset(kpi(observations=obs),
                             rule=RuleSettings(direction=DirectionMethod.LAST_YEAR))).ratings[0]
    assert (previous.direction, last_year.direction) == (Direction.IMPROVED, Direction.WORSENED)
    assert last_year.compared_with is not None and last_year.compared_with.period.label == "Mar-20"


def test_summary_counts_kpis_not_activity() -> None:
    ratings = [kpi(H, 90, 80, observations=series(v)) for v in (95, 90, 85, 70)]
    activity = Indicator("Referrals", type=KpiType.ACTIVITY, lower_threshold=1, observations=series(5))
    s = rate(dataset(*ratings, activity)).summary
    assert (s.green, s.amber, s.red, s.not_rated, s.total) == (2, 1, 1, 0, 4)


# --- data-quality warnings ------------------------------------------------------------------


def warnings_about(report: Report, text: str) -> list[str]:
    return [w.where for w in report.warnings if text in w.message]


def test_floor_on_the_wrong_side_of_the_target_is_warned() -> None:
    wrong_high = kpi(H, 80, 90, observations=series(85), sheet="KPIs", row=5)
    wrong_low = kpi(L, 15, 10, observations=series(12), sheet="KPIs", row=6)
    fine = kpi(H, 90, 80, observations=series(85), sheet="KPIs", row=7)
    report = rate(dataset(wrong_high, wrong_low, fine))
    assert warnings_about(report, "wrong side of the target") == ["KPIs!A5", "KPIs!A6"]


def test_percentage_outside_0_to_100_is_warned_at_its_cell_and_not_rated() -> None:
    ind = kpi(H, 0.9, 0.8, is_percent=True, observations=series(0.95, 1.2, -0.1))
    report = rate(dataset(ind))
    assert warnings_about(report, "is outside 0-100 %") == ["KPIs!G5", "KPIs!H5", ind.ref]
    [rating] = report.ratings
    assert rating.rag is None and rating.not_rated_reason == "-10.0% is outside 0-100 %"


@pytest.mark.parametrize(("value", "rated"), [(1.0, True), (0.0, True), (1 + 2**-52, True), (1.0001, False),
                                              (-1e-12, False), (7.75, False)])
def test_a_share_is_rated_only_within_0_to_100(value: float, rated: bool) -> None:
    """As the RAG formula's OR(V<0,V>1) sees it: a spreadsheet's comparison ignores the last bits."""
    [rating] = rate(dataset(kpi(H, 0.9, 0.8, is_percent=True, observations=series(value)))).ratings
    assert (rating.rag is not None) is rated


def test_a_percentage_whose_target_is_outside_0_to_100_is_rated_whatever_its_figures() -> None:
    """A change (-2 %) or a ratio (120 %) is no share of a whole: its figures may be anything."""
    change = kpi(L, -0.02, 0.0, is_percent=True, observations=series(-0.01, -1.5))
    ratio = kpi(H, 1.2, 1.1, is_percent=True, observations=series(1.3))
    assert [r.rag for r in rate(dataset(change, ratio)).ratings] == [Rag.GREEN, Rag.GREEN]


def test_gaps_are_warned_unless_marked_or_expected() -> None:
    gap = kpi(observations=series(91, None, 93))
    not_due = Observation(month(1), None, "KPIs!G5", "Not due")
    marked = kpi(observations=(*series(91), not_due, *series(93, start=2)))
    quarterly = kpi(frequency="Q", observations=series(91, None, 93))
    report = rate(dataset(gap, marked, quarterly))
    assert warnings_about(report, "no value for May-19") == ["KPIs!G5"]


def test_duplicate_codes_are_warned_on_each_row() -> None:
    report = rate(dataset(kpi(sheet="KPIs", row=5, observations=series(91)),
                          kpi(sheet="KPIs", row=9, observations=series(92))))
    assert warnings_about(report, "used by more than one indicator") == ["KPIs!A5", "KPIs!A9"]
