"""The documented Python API (`import kpi_excel as kx`): keyword options over pipeline.py; nothing prints."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpi_excel import pipeline
from kpi_excel.core import config
from kpi_excel.core.model import Dataset, DirectionMethod, Period, RagMethod, Report

if TYPE_CHECKING:
    import pandas as pd  # noqa: TID251 (types only: pandas loads in frames.py, when used)

PathLike = str | os.PathLike[str]

# the paper details that build() accepts as keywords, as PaperDetails fields
_DETAIL_KEYWORDS = ("service", "committee", "meeting_date", "subject", "classification", "author",
                    "director", "report_number", "reports_in_year")


def rule_settings(rule: str | RagMethod | None = None, tolerance: str | float | None = None,
                  direction: str | DirectionMethod | None = None,
                  goal_post_tolerance: str | float | None = None,
                  trend_threshold: str | float | None = None,
                  green_within: str | float | None = None) -> dict[str, object]:
    """Rule options as the command line takes them ('tolerance', '10%', 'last-year'), as
    RuleSettings fields; a value that is not valid raises SettingsError."""
    return config.rule_settings(rule, tolerance, direction, goal_post_tolerance, trend_threshold,
                                green_within=green_within)


def check(path: PathLike, *, rule: str | RagMethod | None = None, tolerance: str | float | None = None,
          direction: str | DirectionMethod | None = None, goal_post_tolerance: str | float | None = None,
          trend_threshold: str | float | None = None, period: str | Period | None = None,
          green_within: str | float | None = None, columns: Mapping[str, str] | None = None) -> Report:
    """Read and rate a KPI workbook (.xlsx) or CSV export, as `kpi-excel check` does.

    The rule options override the workbook's Settings sheet, as the command line's do:
    `rule="tolerance"`, `tolerance="5%"` (or 0.05), `green_within="5%"` (a Green band below target),
    `direction="last-year"`; `period="Q3 2018/19"` dates a value column whose heading names no
    period; `columns={"value": "Q3 actual"}` reads the column headed so as this period's figure
    (roles: code, name, polarity, target, floor, value, stated, commentary, owner, period).
    """
    settings = rule_settings(rule, tolerance, direction, goal_post_tolerance, trend_threshold, green_within)
    return pipeline.check(Path(path), pipeline.Options(settings=settings, period=_period(period),
                                                       columns=_columns(columns)))


def rate(dataset: Dataset, *, rule: str | RagMethod | None = None, tolerance: str | float | None = None,
         direction: str | DirectionMethod | None = None, goal_post_tolerance: str | float | None = None,
         trend_threshold: str | float | None = None, green_within: str | float | None = None) -> Report:
    """Rate a dataset (from `from_pandas`, say) by its settings, with any rule options laid over."""
    from kpi_excel.core.rules import rate as rate_dataset

    settings = rule_settings(rule, tolerance, direction, goal_post_tolerance, trend_threshold, green_within)
    return rate_dataset(pipeline.apply_options(dataset, pipeline.Options(settings=settings)))


def from_pandas(frame: pd.DataFrame, *, source: str = "dataframe", rule: str | RagMethod | None = None,
                tolerance: str | float | None = None, direction: str | DirectionMethod | None = None,
                goal_post_tolerance: str | float | None = None,
                trend_threshold: str | float | None = None, period: str | Period | None = None) -> Dataset:
    """A long-form DataFrame (one row per indicator per period, with the long-form columns of
    docs/input-format.md: Code, Indicator, Target, Floor, Period, Value ...) read by the same table
    finder and rules as a workbook. `source` names the outputs that `build` writes."""
    from kpi_excel.frames import dataset_from_frame

    dataset = dataset_from_frame(frame, source, _period(period))
    settings = rule_settings(rule, tolerance, direction, goal_post_tolerance, trend_threshold)
    return pipeline.apply_options(dataset, pipeline.Options(settings=settings))


def to_pandas(report: Report) -> pd.DataFrame:
    """One row per indicator: the fields of `check --json`, as a DataFrame (needs the pandas extra)."""
    from kpi_excel.frames import indicators_frame

    return indicators_frame(report)


def observations_to_pandas(report: Report) -> pd.DataFrame:
    """One row per indicator per period, the long form `from_pandas` reads back (needs pandas)."""
    from kpi_excel.frames import observations_frame

    return observations_frame(report)


def build(report_or_path: Report | PathLike, out: PathLike = "out", *,
          rule: str | RagMethod | None = None, tolerance: str | float | None = None,
          direction: str | DirectionMethod | None = None, period: str | Period | None = None,
          green_within: str | float | None = None, columns: Mapping[str, str] | None = None,
          template: PathLike | None = None, pdf: bool = False, appendices_separately: bool = False,
          indicator_pages: bool = True, chart_images: bool = False, rated_copy: bool = True,
          html: bool = False, force: bool = False, jobs: int = 1, **details: Any) -> pipeline.BuildResult:
    """Write the RAG workbook and the committee paper into `out`, as `kpi-excel build` does, from
    a workbook or CSV path or from a rated report. Returns the report and the paths written.

    Paper details are keywords as on the command line: `committee=`, `meeting_date="29 July 2020"`,
    `author="Name; Role; Team; Phone; Email"` (or a Person) ... `jobs=2` renders the paper on a
    second process (start-up costs make that worthwhile on the command line, rarely in a notebook).
    `chart_images=True` puts the paper's charts in as pictures instead of native Word charts;
    `rated_copy=False` leaves out the workbook's own copy with RAG columns added (written only
    when building from a workbook's path); `html=True` also writes the paper as an HTML page;
    `force=True` replaces files of the outputs' names that kpi-excel did not write, or that were
    changed since it wrote them (without it, such a file stops the build).
    """
    unknown = sorted(set(details) - set(_DETAIL_KEYWORDS))
    if unknown:
        raise TypeError(f"build() got unexpected keyword arguments: {', '.join(unknown)}")
    options = pipeline.Options(settings=rule_settings(rule, tolerance, direction, green_within=green_within),
                          columns=_columns(columns),
                          details=_paper_details(details), template=Path(template) if template else None,
                          pdf=pdf, appendices_separately=appendices_separately,
                          indicator_pages=indicator_pages, chart_images=chart_images,
                          rated_copy=rated_copy, html=html, force=force, period=_period(period))
    out_dir = Path(out)
    if not isinstance(report_or_path, Report):
        return pipeline.build(Path(report_or_path), out_dir, options, jobs=jobs)
    report = report_or_path
    dataset = pipeline.apply_options(report.dataset, options)
    if options.settings:  # new rule options: rate again
        report = rate(dataset)
    elif dataset != report.dataset:
        report = dataclasses.replace(report, dataset=dataset)
    paths = pipeline.output_paths(Path(report.dataset.source), out_dir)
    return pipeline.write_outputs(report, paths, options)


def _columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    """columns={"value": "Q3 actual"} as the reader takes it; a role we do not know raises SettingsError."""
    return {config.column_role(role, "columns"): heading for role, heading in (columns or {}).items()}


def _period(period: str | Period | None) -> Period | None:
    return config.parse_period_option(period, "period") if isinstance(period, str) else period


def _paper_details(details: Mapping[str, Any]) -> dict[str, object]:
    """Paper-detail keywords as PaperDetails fields: people may be given as 'Name; Role; ...'."""
    return config.detail_fields(details)
