"""Data-quality checks that do not change a rating but an analyst should see (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from kpi_excel.core.commentary import commentary_warnings
from kpi_excel.core.compare import outside_percent_range
from kpi_excel.core.formatting import format_value
from kpi_excel.core.model import Dataset, KpiType, Period, Polarity, Rating, Warning_
from kpi_excel.core.values import frequency_months


def quality_warnings(
    dataset: Dataset, ratings: Sequence[Rating], period: Period | None
) -> Iterator[Warning_]:
    """Every data-quality warning for a rated dataset, in row order."""
    yield from _duplicate_codes(dataset)
    for rating in ratings:
        yield from _row_warnings(rating, period)
        yield from commentary_warnings(rating, dataset.settings.rag_method)


def _duplicate_codes(dataset: Dataset) -> Iterator[Warning_]:
    # one workbook may hold several directorates, each free to number its indicators from 1
    counts = Counter((ind.directorate, ind.code) for ind in dataset.indicators if ind.code)
    for ind in dataset.indicators:
        if counts.get((ind.directorate, ind.code), 0) > 1:
            yield Warning_(f"code {ind.code} is used by more than one indicator", ind.ref)


def _row_warnings(rating: Rating, period: Period | None) -> Iterator[Warning_]:

    ind = rating.indicator
    if ind.type is KpiType.KPI:
        yield from _target_floor_order(rating)
    if ind.is_percent:
        for obs in ind.observations:
            if obs.value is not None and outside_percent_range(obs.value):
                yield Warning_(f"{ind.label}: {obs.value:.1%} is outside 0-100 %", obs.cell)
    yield from _gaps(rating)
    if rating.stale and rating.latest and period:
        yield Warning_(
            f"{ind.label}: latest data is for {rating.latest.period.label}, "
            f"older than the report period {period.label}",
            ind.ref,
        )
    if ind.type is KpiType.KPI and rating.not_rated_reason and ind.polarity is not Polarity.NONE:
        yield Warning_(f"{ind.label}: not rated ({rating.not_rated_reason})", ind.ref)
    if stated_disagrees(rating):
        yield _stated_warning(rating)


def stated_disagrees(rating: Rating) -> bool:
    """Whether the council's own rating (its status column) differs from the rule's."""
    stated = rating.indicator.stated
    return stated is not None and rating.indicator.type is KpiType.KPI and stated.rag != rating.rag


def _stated_warning(rating: Rating) -> Warning_:
    stated = rating.indicator.stated
    assert stated is not None
    said = stated.rag.word if stated.rag else "not rated"
    ours = rating.rag.word if rating.rag else f"not rated ({rating.not_rated_reason})"
    return Warning_(f"{rating.indicator.label}: the workbook states {said} ('{stated.text}'), but the "
                    f"rule gives {ours}", stated.cell or rating.indicator.ref)


def _target_floor_order(rating: Rating) -> Iterator[Warning_]:
    ind = rating.indicator
    if ind.target is None or ind.floor is None or ind.polarity in (Polarity.TARGET, Polarity.NONE):
        return
    wrong = ind.floor > ind.target if ind.polarity is Polarity.HIGHER else ind.floor < ind.target
    if wrong:
        better = "higher" if ind.polarity is Polarity.HIGHER else "lower"
        yield Warning_(
            f"{ind.label}: the floor standard {format_value(ind.floor, ind)} is on the wrong side of "
            f"the target {format_value(ind.target, ind)} ({better} is better)",
            ind.ref,
        )


def _gaps(rating: Rating) -> Iterator[Warning_]:
    """Blank periods between two values, unless the cell says why (Not due, n/a)."""
    obs = rating.indicator.observations
    with_values = [i for i, o in enumerate(obs) if o.value is not None]
    if len(with_values) < 2:
        return
    for o in obs[with_values[0] : with_values[-1]]:
        if o.value is None and o.missing_reason in (None, "blank") and not _expected_gap(rating):
            yield Warning_(f"{rating.indicator.label}: no value for {o.period.label}", o.cell)


def _expected_gap(rating: Rating) -> bool:
    """Quarterly and annual indicators kept in monthly columns leave blanks on purpose."""
    return frequency_months(rating.indicator.frequency) > 1
