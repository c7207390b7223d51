"""The council's rating rules: RAG, direction of travel and activity ranges (pure, no I/O).

Every comparison here is made the way a spreadsheet makes it, so a rating agrees with what
Excel or LibreOffice shows for the same cells (see `approx_equal`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kpi_excel.core.compare import (
    approx_equal,
    approx_ge,
    approx_le,
    approx_sub,
    is_share,
    outside_percent_range,
)
from kpi_excel.core.model import (
    Dataset,
    Direction,
    DirectionMethod,
    Indicator,
    KpiType,
    Observation,
    Period,
    Polarity,
    Rag,
    RagMethod,
    RangeStatus,
    Rating,
    Report,
    RuleSettings,
)
from kpi_excel.core.quality import quality_warnings
from kpi_excel.core.values import frequency_months

# --- RAG -----------------------------------------------------------------------------------


def applied_tolerance(indicator: Indicator, settings: RuleSettings) -> float | None:
    """The Amber tolerance that applies to an indicator, or None when Amber comes from a floor."""
    if indicator.tolerance is not None:
        return indicator.tolerance
    if settings.rag_method is RagMethod.TOLERANCE:
        return settings.tolerance
    return None


def amber_limit(indicator: Indicator, settings: RuleSettings) -> float | None:
    """The worst value that is still Amber for a higher/lower KPI, or None (Green or Red only).

    Under the floor rule this is the floor standard; a KPI with no floor but a tolerance of its
    own uses the tolerance. Under the tolerance rule it is the target missed by the tolerance.
    """
    target = indicator.target
    if target is None:
        return None
    if settings.rag_method is RagMethod.FLOOR and indicator.floor is not None:
        return indicator.floor
    tolerance = applied_tolerance(indicator, settings)
    if tolerance is None:
        return None
    allowance = abs(target) * tolerance
    if indicator.polarity is Polarity.LOWER:
        return target + allowance
    return approx_sub(target, allowance)


def green_limit(indicator: Indicator, settings: RuleSettings) -> float:
    """The worst value that is still Green for a higher/lower KPI: the target, or with a Green band
    below target ("Green: on target or within 5 % of it"), the target missed by that share of it."""
    target = indicator.target
    assert target is not None, "green_limit needs a target"
    if not settings.green_within:
        return target
    allowance = abs(target) * settings.green_within
    if indicator.polarity is Polarity.LOWER:
        return target + allowance
    return approx_sub(target, allowance)


def goal_post_bands(indicator: Indicator, settings: RuleSettings) -> tuple[float, float | None]:
    """The (Green, Amber) distances from target for a close-to-target KPI.

    Green within the goal-post tolerance of the target (exactly on it when that is 0); Amber
    within the distance from target to floor, or within the Amber tolerance when there is no
    floor; otherwise Red.
    """
    target = indicator.target or 0.0
    green = abs(target) * settings.goal_post_tolerance
    if settings.rag_method is RagMethod.FLOOR and indicator.floor is not None:
        return green, abs(approx_sub(target, indicator.floor))
    tolerance = applied_tolerance(indicator, settings)
    return green, (abs(target) * tolerance if tolerance is not None else None)


def rag_for(value: float, indicator: Indicator, settings: RuleSettings) -> Rag:
    """Rate one value against the indicator's target, floor or tolerance."""
    target = indicator.target
    assert target is not None, "rag_for needs a target"
    if indicator.polarity is Polarity.TARGET:
        green, amber = goal_post_bands(indicator, settings)
        distance = abs(approx_sub(value, target))
        if approx_le(distance, green):
            return Rag.GREEN
        return Rag.AMBER if amber is not None and approx_le(distance, amber) else Rag.RED
    better_or_equal = approx_ge if indicator.polarity is Polarity.HIGHER else approx_le
    if better_or_equal(value, green_limit(indicator, settings)):
        return Rag.GREEN
    limit = amber_limit(indicator, settings)
    return Rag.AMBER if limit is not None and better_or_equal(value, limit) else Rag.RED


# --- Direction of travel ----------------------------------------------------------------------


def compare_direction(latest: float, earlier: float, indicator: Indicator) -> Direction:
    """Whether latest is better, worse or the same as earlier, given the indicator's polarity; for a
    data-only indicator, whether it increased or decreased."""
    if indicator.polarity is Polarity.NONE:
        if approx_equal(latest, earlier):
            return Direction.SAME
        return Direction.INCREASED if latest > earlier else Direction.DECREASED
    if indicator.polarity is Polarity.TARGET:
        target = indicator.target or 0.0
        latest, earlier = -abs(approx_sub(latest, target)), -abs(approx_sub(earlier, target))
    elif indicator.polarity is Polarity.LOWER:
        latest, earlier = -latest, -earlier
    if approx_equal(latest, earlier):
        return Direction.SAME
    return Direction.IMPROVED if latest > earlier else Direction.WORSENED


def trend_slope(points: Sequence[tuple[float, float]]) -> float:
    """The least-squares slope of (x, y) points, as the spreadsheet SLOPE function gives it."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return sxy / sxx


def trend_direction(
    observations: Sequence[Observation], indicator: Indicator, settings: RuleSettings
) -> Direction | None:
    """Direction from a straight-line trend across every value shown.

    x is the month number of each period, so gaps are spaced properly. The fitted change over
    the span shown is compared with the average level: when it is no more than
    `settings.trend_threshold` of that level (2 % by default) there is no clear trend (SAME).
    Fewer than three values give no direction.
    """
    points = [(float(o.period.month_number), o.value) for o in observations if o.value is not None]
    if len(points) < 3:
        return None
    slope = trend_slope(points)
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    change = slope * (points[-1][0] - points[0][0])
    if approx_le(abs(change), settings.trend_threshold * abs(mean_y)):
        return Direction.SAME
    # compare the fitted line's end points, so polarity (and goal posts) apply as for two values
    fitted_first = mean_y + slope * (points[0][0] - mean_x)
    return compare_direction(fitted_first + change, fitted_first, indicator)


def comparison_for(
    observations: Sequence[Observation], latest: Observation, method: DirectionMethod
) -> Observation | None:
    """The observation the latest value is compared with, for the previous/last-year methods."""
    earlier = [o for o in observations if o.value is not None and o.period < latest.period]
    if method is DirectionMethod.PREVIOUS:
        return earlier[-1] if earlier else None
    if method is DirectionMethod.LAST_YEAR:
        year_ago = latest.period.month_number - 12
        matches = [o for o in earlier if o.period.month_number == year_ago]
        return matches[0] if matches else None
    return None


# --- Activity ranges ------------------------------------------------------------------------


def range_status(value: float, indicator: Indicator) -> RangeStatus | None:
    """Above, within or below the expected range; a value on a threshold is within it."""
    low, high = indicator.lower_threshold, indicator.upper_threshold
    if low is None and high is None:
        return None
    if high is not None and not approx_le(value, high):
        return RangeStatus.ABOVE
    if low is not None and not approx_ge(value, low):
        return RangeStatus.BELOW
    return RangeStatus.WITHIN


# --- Whole report ---------------------------------------------------------------------------

def allowed_lag(indicator: Indicator) -> int:
    """How many months an indicator's latest value may trail the report period, by its frequency."""
    return frequency_months(indicator.frequency) - 1  # a quarterly figure may be two months behind


def latest_observation(indicator: Indicator, upto: Period | None) -> Observation | None:
    """The latest observation with a value, no later than the report period."""
    candidates = [
        o for o in indicator.observations if o.value is not None and (upto is None or o.period <= upto)
    ]
    return candidates[-1] if candidates else None


def report_period(indicators: Iterable[Indicator]) -> Period | None:
    """The latest period for which any indicator has a value."""
    periods = [o.period for ind in indicators for o in ind.observations if o.value is not None]
    return max(periods) if periods else None


def not_rated_reason(indicator: Indicator, latest: Observation | None) -> str | None:
    """Why a KPI gets no RAG, or None when it can be rated."""
    if latest is None:
        # a reason typed in a cell ('Reported annually') outlasts the blank columns after it
        marks = [o.missing_reason for o in indicator.observations if o.missing_reason]
        typed = [m for m in marks if m != "blank"]
        return f"no data ({(typed or marks)[-1]})" if marks else "no data"
    if indicator.polarity is Polarity.NONE:
        return "data only"
    if indicator.target is None:
        return "no target"
    if is_share(indicator) and latest.value is not None and outside_percent_range(latest.value):
        return f"{latest.value:.1%} is outside 0-100 %"  # a misread figure, or a typing slip
    return None


def rate_indicator(indicator: Indicator, period: Period | None, settings: RuleSettings) -> Rating:
    """Rate one indicator for the report period."""
    latest = latest_observation(indicator, period)
    series = [o for o in indicator.observations if period is None or o.period <= period]
    stale = bool(latest and period and period.months_since(latest.period) > allowed_lag(indicator))
    if indicator.type is KpiType.ACTIVITY:  # context measures: a range, no RAG and no direction
        status = range_status(latest.value, indicator) if latest and latest.value is not None else None
        reason = None if status else ("no data" if latest is None else "no expected range")
        return Rating(indicator, latest, None, None, status, None, reason, stale)
    direction, compared = _direction(series, latest, indicator, settings)
    reason = not_rated_reason(indicator, latest)
    rag = None
    if reason is None and latest is not None and latest.value is not None:
        rag = rag_for(latest.value, indicator, settings)
    return Rating(indicator, latest, rag, direction, None, compared, reason, stale)


def _direction(
    series: Sequence[Observation],
    latest: Observation | None,
    indicator: Indicator,
    settings: RuleSettings,
) -> tuple[Direction | None, Observation | None]:
    if latest is None or latest.value is None:
        return None, None
    if settings.direction is DirectionMethod.TREND:
        return trend_direction(series, indicator, settings), None
    compared = comparison_for(series, latest, settings.direction)
    if compared is None or compared.value is None:
        return None, None
    return compare_direction(latest.value, compared.value, indicator), compared


def rate(dataset: Dataset) -> Report:
    """Rate every indicator in a dataset for its report period, by the dataset's rule settings."""
    period = report_period(dataset.indicators)
    ratings = tuple(rate_indicator(ind, period, dataset.settings) for ind in dataset.indicators)
    warnings = dataset.warnings + tuple(quality_warnings(dataset, ratings, period))
    return Report(dataset=dataset, period=period, ratings=ratings, warnings=warnings)
