"""What every output shows of a rated report, derived once after rating (pure).

The rules rate each indicator on its latest figure; the outputs show more than that: the periods
shown, each of those figures rated the same way, each indicator's chart, next year's proposals set
beside this year's. Each of those facts is worked out here, once, and the RAG workbook, the paper,
its HTML edition and the console only read it: no writer calls the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from kpi_excel.core import rules
from kpi_excel.core.model import (
    Indicator,
    Observation,
    Period,
    Rag,
    RangeStatus,
    Rating,
    Report,
    RuleSettings,
)
from kpi_excel.core.proposals import ProposalLine, proposal_lines
from kpi_excel.present.chartspec import ChartSpec, chart_spec, observations_for, shown_periods
from kpi_excel.present.period_ratings import rating_at_each_period


@dataclass(frozen=True)
class PeriodFigure:
    """One period's figure of an indicator, as the outputs' tables show it."""

    observation: Observation  # with value None where the indicator has no figure for the period
    rag: Rag | None = None  # a KPI's figure rated by its rule (None: no figure, or not rated)
    range_status: RangeStatus | None = None  # an activity indicator's figure against its range


class IndicatorView:
    """One indicator as every output shows it. Its figures and chart are worked out when first
    asked for, then kept: a council-wide report of thousands of indicators shows neither."""

    def __init__(self, rating: Rating, shown: Sequence[Period], settings: RuleSettings) -> None:
        self.rating, self.shown, self.settings = rating, tuple(shown), settings

    @cached_property
    def figures(self) -> tuple[PeriodFigure, ...]:
        """One for each period shown, rated as the indicator stood at that period (the one route
        the rated copy's long form takes too: period_ratings.rating_at_each_period)."""
        at = rating_at_each_period(self.rating.indicator, self.settings)
        return tuple(_figure(o, at.get(o.period)) for o in self.observations)

    @cached_property
    def observations(self) -> list[Observation]:
        return observations_for(self.rating.indicator, self.shown)

    @cached_property
    def chart(self) -> ChartSpec | None:
        """The chart's spec; None: no figure to chart."""
        return chart_spec(self.rating, self.shown, self.settings)

    @cached_property
    def amber_limit(self) -> float | None:
        """Where Amber ends under the rule (None: no floor or tolerance sets it)."""
        return rules.amber_limit(self.rating.indicator, self.settings)


@dataclass(frozen=True)
class ReportView:
    """The rated report and everything the outputs show of it."""

    report: Report
    shown: tuple[Period, ...]  # the periods every chart and table shows
    indicators: Mapping[Indicator, IndicatorView]  # in the report's order
    proposals: tuple[ProposalLine, ...]  # Appendix 2's rows

    def of(self, rating: Rating) -> IndicatorView:
        return self.indicators[rating.indicator]

    @property
    def chart_specs(self) -> dict[Indicator, ChartSpec | None]:
        return {indicator: view.chart for indicator, view in self.indicators.items()}


def derive(report: Report) -> ReportView:
    """Everything the outputs show of a report, each worked out once."""
    shown = tuple(shown_periods(report))
    return ReportView(
        report=report,
        shown=shown,
        indicators={r.indicator: IndicatorView(r, shown, report.dataset.settings) for r in report.ratings},
        proposals=tuple(proposal_lines(report)),
    )


def viewed(report: Report | ReportView) -> ReportView:
    """The view of a report (derived now when given the report itself, as tests and the Python
    API may); a view is returned as it is."""
    return report if isinstance(report, ReportView) else derive(report)


def _figure(observation: Observation, rating: Rating | None) -> PeriodFigure:
    if observation.value is None or rating is None:
        return PeriodFigure(observation)
    return PeriodFigure(observation, rating.rag, rating.range_status)
