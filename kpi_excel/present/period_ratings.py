"""Ratings a writer shows besides the report's own (pure): an indicator as it stood at each of its
periods, and an indicator as a spreadsheet formula reads its cells. The writers read these rather
than calling the rules themselves."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping

from kpi_excel.core import rules
from kpi_excel.core.model import Indicator, Period, Rating, RuleSettings
from kpi_excel.excel.refs import CellRef


def rating_at_each_period(indicator: Indicator, settings: RuleSettings) -> dict[Period, Rating]:
    """The indicator rated as it stood at each of its periods: that period's figure (or the last
    before it) against its target and floor, and its direction against the figure the rules compare
    it with then. At the report period this is the report's own rating."""
    return {o.period: rules.rate_indicator(indicator, o.period, settings) for o in indicator.observations}


def rating_as_read(rating: Rating, period: Period | None, settings: RuleSettings,
                   values: Mapping[str, float | None], blanks: Collection[str] = ()) -> Rating:
    """The rating a formula gives when it reads some cells otherwise than the reader did: each value
    cell in values as the figure given there (None: no figure), and each cell in blanks (a value or
    a setting: target, floor, tolerance, thresholds) as a blank."""
    indicator = rating.indicator
    cells = indicator.cells
    if not values and not blanks:
        return rating

    def kept(value: float | None, col: int | None) -> float | None:
        if col is None or cells is None:
            return value
        return None if CellRef(indicator.sheet, indicator.row, col + 1) in blanks else value

    observations = tuple(
        dataclasses.replace(o, value=values[o.cell]) if o.cell in values
        else dataclasses.replace(o, value=None) if o.cell in blanks else o
        for o in indicator.observations)
    seen = dataclasses.replace(
        indicator, observations=observations,
        target=kept(indicator.target, cells.target if cells else None),
        floor=kept(indicator.floor, cells.floor if cells else None),
        tolerance=kept(indicator.tolerance, cells.tolerance if cells else None),
        lower_threshold=kept(indicator.lower_threshold, cells.lower if cells else None),
        upper_threshold=kept(indicator.upper_threshold, cells.upper if cells else None))
    return rules.rate_indicator(seen, period, settings)

