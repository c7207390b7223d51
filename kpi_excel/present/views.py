"""What every output shows of a rated report, derived once after rating (pure).

The rules rate each indicator on its latest figure; the outputs show more than that: the periods
shown, each of those figures rated the same way, each indicator's chart, next year's proposals set
beside this year's. Each of those facts is worked out here, once, and the RAG workbook, the paper,
its HTML edition and the console only read it: no writer calls the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kpi_excel.core import rules
from kpi_excel.core.model import Indicator, Observation, Period, Rag, RangeStatus, Rating, Report
from kpi_excel.core.proposals import ProposalLine, proposal_lines
from kpi_excel.present.chartspec import ChartSpec, chart_spec, observations_for, shown_periods


@dataclass(frozen=True)
class PeriodFigure:
    """One period's figure of an indicator, as the outputs' tables show it."""

    observation: Observation  # with value None where the indicator has no figure for the period
    rag: Rag | None = None  # a KPI's figure rated by its rule (None: no figure, or not rated)
    range_status: RangeStatus | None = None  # an activity indicator's figure against its range


@dataclass(frozen=True)
class IndicatorView:
    """One indicator as every output shows it."""

    rating: Rating
    figures: tuple[PeriodFigure, ...]  # one for each period shown
    chart: ChartSpec | None  # None: no figure to chart
    amber_limit: float | None  # where Amber ends under the rule (None: no floor or tolerance sets it)

    @property
    def observations(self) -> list[Observation]:
        return [figure.observation for figure in self.figures]


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
        indicators={r.indicator: _indicator_view(r, shown, report) for r in report.ratings},
        proposals=tuple(proposal_lines(report)),
    )


def viewed(report: Report | ReportView) -> ReportView:
    """The view of a report (derived now when given the report itself, as tests and the Python
    API may); a view is returned as it is."""
    return report if isinstance(report, ReportView) else derive(report)


def _indicator_view(rating: Rating, shown: Sequence[Period], report: Report) -> IndicatorView:
    indicator, settings = rating.indicator, report.dataset.settings
    observations = observations_for(indicator, shown)
    return IndicatorView(
        rating=rating,
        figures=tuple(_figure(o, indicator, report) for o in observations),
        chart=chart_spec(rating, shown, settings),
        amber_limit=rules.amber_limit(indicator, settings),
    )


def _figure(observation: Observation, indicator: Indicator, report: Report) -> PeriodFigure:
    if observation.value is None:
        return PeriodFigure(observation)
    rag = None
    if rules.not_rated_reason(indicator, observation) is None:
        rag = rules.rag_for(observation.value, indicator, report.dataset.settings)
    return PeriodFigure(observation, rag, rules.range_status(observation.value, indicator))
