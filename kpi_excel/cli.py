"""The command line: parse options, call one api function, turn errors into one line and an exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from . import api
from .errors import KpiExcelError

app = typer.Typer(
    name="kpi-excel",
    help="Rate a department's KPI workbook and write the RAG workbook and committee paper.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: typer's rich help costs half a second at every start
)

EXIT_INPUT = 1

WorkbookArg = Annotated[Path, typer.Argument(help="The department's KPI workbook (.xlsx).",
                                             show_default=False, metavar="WORKBOOK")]
Debug = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]
Rule = Annotated[str | None, typer.Option(  # noqa: UP007 (typer needs Optional on 3.10)
    "--rule", help="RAG rule: 'floor' (the default) or 'tolerance'. Overrides the workbook.")]
Tolerance = Annotated[str | None, typer.Option(  # noqa: UP007
    "--tolerance", help="Amber tolerance for the tolerance rule, such as 10%.")]
DirectionOpt = Annotated[str | None, typer.Option(  # noqa: UP007
    "--direction", help="Direction of travel: 'previous' (period), 'last-year' or 'trend'.")]


def _fail(error: KpiExcelError, debug: bool) -> None:
    if debug:
        raise error
    typer.echo(error.line(), err=True)
    raise typer.Exit(EXIT_INPUT)


def _options(rule: str | None, tolerance: str | None, direction: str | None,
             details: dict[str, object] | None = None) -> api.Options:
    from . import config

    settings: dict[str, object] = {}
    try:
        if rule is not None:
            settings["rag_method"] = config.parse_rag_method(rule, "--rule")
        if tolerance is not None:
            settings["tolerance"] = config.parse_fraction(tolerance, "--tolerance")
        if direction is not None:
            settings["direction"] = config.parse_direction_method(direction, "--direction")
    except KpiExcelError as error:  # a bad option value is wrong usage (exit 2), not bad input
        raise typer.BadParameter(f"{error.problem}. {error.fix}", param_hint=error.where) from error
    return api.Options(settings=settings, details=details or {})


@app.command()
def check(
    workbook: WorkbookArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the ratings as JSON.")] = False,
    rule: Rule = None,
    tolerance: Tolerance = None,
    direction: DirectionOpt = None,
    debug: Debug = False,
) -> None:
    """Read and rate a workbook; print each KPI's rating and any data-quality warnings."""
    try:
        report = api.check(workbook, _options(rule, tolerance, direction))
    except KpiExcelError as error:
        _fail(error, debug)
        return
    if as_json:
        from .export import report_to_dict

        typer.echo(json.dumps(report_to_dict(report), indent=2, ensure_ascii=False))
        return
    from .console import print_report

    print_report(report)


@app.command()
def build(
    workbook: WorkbookArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs (created if missing).")
                   ] = Path("out"),
    rule: Rule = None,
    tolerance: Tolerance = None,
    direction: DirectionOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    debug: Debug = False,
) -> None:
    """Write the RAG workbook (and committee paper) for a department's workbook."""
    from .console import Progress, print_build

    try:
        with Progress(quiet) as progress:
            result = api.build(workbook, out, _options(rule, tolerance, direction),
                               progress=progress.step)
    except KpiExcelError as error:
        _fail(error, debug)
        return
    if not quiet:
        print_build(result)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")
                   ] = Path("kpi-excel-demo"),
    debug: Debug = False,
) -> None:
    """Run the whole job on the bundled sample workbook and say where the outputs are."""
    from .console import Progress, print_build

    try:
        with Progress(False) as progress:
            result = api.demo(out, progress=progress.step)
    except KpiExcelError as error:
        _fail(error, debug)
        return
    print_build(result, sample=True)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the blank tracker (.xlsx).", metavar="PATH")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    debug: Debug = False,
) -> None:
    """Write a blank departmental KPI tracker that `check` and `build` accept as it is."""
    try:
        written = api.init(path, force=force)
    except KpiExcelError as error:
        _fail(error, debug)
        return
    typer.echo(f"Wrote {written}")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(130)
