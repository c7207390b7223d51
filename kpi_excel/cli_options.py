"""The command line's options, each declared once, and the groups commands share: the rule options,
the paper details and the paper's editions. A command names a group as one parameter and
receives what the group's options add up to."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from kpi_excel import pipeline
from kpi_excel.errors import KpiExcelError

TEXT = "TEXT"  # the metavar of a free-text option (typer's own reads '<str>')
Text = str | None  # noqa: UP007 (typer needs Optional on 3.10)
PAPER_PANEL = "Paper details (override the workbook's Paper details sheet)"

WorkbookArg = Annotated[Path, typer.Argument(
    help="The department's KPI workbook (.xlsx) or CSV export (.csv).", show_default=False,
    metavar="WORKBOOK")]
Debug = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
Force = Annotated[bool, typer.Option(
    "--force", help="Replace output files of the same name even if kpi-excel did not write them, or "
                    "they were changed since.")]
Jobs = Annotated[int | None, typer.Option(  # noqa: UP007
    "--jobs", "-j", min=1, metavar="N",
    help="Processes to work on (default: one per processor core; 1 for one).")]


@dataclass(frozen=True)
class OptionGroup:
    """Options that travel together: the command takes `key` and receives collect(**values)."""

    key: str
    options: tuple[tuple[str, Any], ...]  # (parameter name, its Annotated type), in help order
    collect: Callable[..., Any]

    def parameters(self) -> list[inspect.Parameter]:
        return [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=_default(kind),
                                  annotation=kind) for name, kind in self.options]


def _default(kind: Any) -> object:
    return False if kind.__origin__ is bool else None


def with_groups(*groups: OptionGroup) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A command whose parameters named like a group's key are that group's options, in their
    place in the help, collected into one value before the command runs."""
    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(command, eval_str=True)  # typer reads the types themselves
        keys = {group.key: group for group in groups}
        parameters: list[inspect.Parameter] = []
        for parameter in signature.parameters.values():
            group = keys.get(parameter.name)
            own = parameter.replace(kind=parameter.KEYWORD_ONLY)
            parameters.extend(group.parameters() if group else [own])

        @functools.wraps(command)
        def run(**given: Any) -> Any:
            for group in groups:
                given[group.key] = group.collect(**{name: given.pop(name) for name, _ in group.options})
            return command(**given)

        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {k: v for k, v in command.__annotations__.items() if k not in keys}
        return run
    return decorate


def usage_error(error: KpiExcelError) -> typer.BadParameter:
    """A bad option value is wrong usage (exit 2), not bad input."""
    return typer.BadParameter(f"{error.problem}. {error.fix}", param_hint=error.where)


# --- the rule options ------------------------------------------------------------------------------

Rule = Annotated[Text, typer.Option(
    "--rule", metavar="RULE",
    help="RAG rule: 'floor' (the default) or 'tolerance'. Overrides the workbook.")]
Tolerance = Annotated[Text, typer.Option(
    "--tolerance", metavar="PERCENT", help="Amber tolerance for the tolerance rule, such as 10%.")]
Direction = Annotated[Text, typer.Option(
    "--direction", metavar="METHOD",
    help="Direction of travel: 'previous' (period), 'last-year' or 'trend'.")]
GreenWithin = Annotated[Text, typer.Option(
    "--green-within", metavar="PERCENT",
    help="A Green band below target: a KPI within this share of its target (such as 5%) is Green.")]
Columns = Annotated[list[str] | None, typer.Option(  # noqa: UP007
    "--column", metavar="ROLE=HEADING",
    help="Read the column headed HEADING (as written) as ROLE: code, name, polarity, target, floor, "
         "value, stated, commentary, owner or period; repeat for several: --column value=\"Q3 actual\".")]
PeriodOpt = Annotated[Text, typer.Option(
    "--period", metavar="PERIOD",
    help="The period of a value column whose heading names none, such as \"Q3 2018/19\". Overrides the "
         "workbook.")]


def _rules(rule: str | None, tolerance: str | None, green_within: str | None, direction: str | None,
           period: str | None, column: list[str] | None) -> pipeline.Options:
    from kpi_excel.core import config

    try:
        settings = config.rule_settings(rule, tolerance, direction, green_within=green_within,
                                        named=lambda name: f"--{name.replace('_', '-')}")
        given = config.parse_period_option(period) if period is not None else None
        named = config.parse_column_options(column or [], "--column")
    except KpiExcelError as error:
        raise usage_error(error) from error
    return pipeline.Options(settings=settings, period=given, columns=named)


RULES = OptionGroup("rules", (("rule", Rule), ("tolerance", Tolerance), ("green_within", GreenWithin),
                              ("direction", Direction), ("period", PeriodOpt), ("column", Columns)), _rules)

# --- the paper details -----------------------------------------------------------------------------

_DETAILS = (
    ("service", Annotated[Text, typer.Option("--service", metavar=TEXT, rich_help_panel=PAPER_PANEL,
                                             help="The service or directorate named in the paper.")]),
    ("committee", Annotated[Text, typer.Option("--committee", metavar=TEXT, rich_help_panel=PAPER_PANEL,
                                               help="The committee the paper goes to.")]),
    ("meeting_date", Annotated[Text, typer.Option(
        "--meeting-date", metavar="DATE", rich_help_panel=PAPER_PANEL,
        help="The meeting date, such as 29 July 2020.")]),
    ("subject", Annotated[Text, typer.Option("--subject", metavar=TEXT, rich_help_panel=PAPER_PANEL,
                                             help="The paper's subject line.")]),
    ("classification", Annotated[Text, typer.Option(
        "--classification", metavar=TEXT, rich_help_panel=PAPER_PANEL, help="Such as Unrestricted.")]),
    ("author", Annotated[Text, typer.Option(
        "--author", metavar="PERSON", rich_help_panel=PAPER_PANEL,
        help="Report author as 'Name; Role; Team; Phone; Email' (later parts optional).")]),
    ("director", Annotated[Text, typer.Option(
        "--director", metavar="PERSON", rich_help_panel=PAPER_PANEL,
        help="Relevant director as 'Name; Role; Team; Phone; Email'.")]),
    ("report_number", Annotated[int | None, typer.Option(  # noqa: UP007
        "--report-number", min=1, metavar="N", rich_help_panel=PAPER_PANEL,
        help="This report's place in the year, such as 3.")]),
    ("reports_in_year", Annotated[int | None, typer.Option(  # noqa: UP007
        "--reports-in-year", min=1, metavar="N", rich_help_panel=PAPER_PANEL,
        help="How many reports the committee gets in the year.")]),
)


def _details(**given: object) -> dict[str, object]:
    from kpi_excel.core import config

    return config.detail_fields(given)


DETAILS = OptionGroup("details", _DETAILS, _details)

# --- the paper's editions --------------------------------------------------------------------------

_EDITIONS = (
    ("template", Annotated[Path | None, typer.Option(  # noqa: UP007
        "--template", metavar="PATH",
        help="Your own Word template for the paper (see `kpi-excel template check`).")]),
    ("html", Annotated[bool, typer.Option(
        "--html", help="Also write the paper as an accessible HTML page, <name>-paper.html (and each "
                       "appendix's page, where the appendices are written separately).")]),
    ("chart_images", Annotated[bool, typer.Option(
        "--chart-images",
        help="Charts in the paper as pictures, for viewers that cannot show Word charts.")]),
)


def _editions(template: Path | None, html: bool, chart_images: bool) -> dict[str, object]:
    return {"template": template, "html": html, "chart_images": chart_images}


EDITIONS = OptionGroup("editions", _EDITIONS, _editions)
