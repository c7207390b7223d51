"""The command line: parse options, call one api function, turn errors into one line and an exit code."""

from __future__ import annotations

import atexit
import dataclasses
import gc
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kpi_excel import pipeline
from kpi_excel.errors import KpiExcelError

if TYPE_CHECKING:
    from kpi_excel.paper import TemplateCheck

app = typer.Typer(
    name="kpi-excel",
    help="Rate a department's KPI workbook and write the RAG workbook and committee paper.",
    epilog="Each command has --help. Exit codes: 0 done (warnings allowed), 1 a problem with the input, "
           "2 wrong usage, 3 a fault in kpi-excel (run again with --debug), 130 interrupted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: typer's rich help costs half a second at every start
)

EXIT_INPUT = 1
EXIT_INTERNAL = 3  # a fault in kpi-excel, not in the input
EXIT_INTERRUPTED = 130  # Ctrl+C, as shells report it

WorkbookArg = Annotated[Path, typer.Argument(
    help="The department's KPI workbook (.xlsx) or CSV export (.csv).", show_default=False,
    metavar="WORKBOOK")]
_TEXT = "TEXT"  # the metavar of a free-text option (typer's own reads '<str>')
Force = Annotated[bool, typer.Option(
    "--force", help="Replace output files of the same name even if kpi-excel did not write them, or "
                    "they were changed since.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]
Rule = Annotated[str | None, typer.Option(  # noqa: UP007 (typer needs Optional on 3.10)
    "--rule", metavar="RULE",
    help="RAG rule: 'floor' (the default) or 'tolerance'. Overrides the workbook.")]
Tolerance = Annotated[str | None, typer.Option(  # noqa: UP007
    "--tolerance", metavar="PERCENT", help="Amber tolerance for the tolerance rule, such as 10%.")]
DirectionOpt = Annotated[str | None, typer.Option(  # noqa: UP007
    "--direction", metavar="METHOD",
    help="Direction of travel: 'previous' (period), 'last-year' or 'trend'.")]
PeriodOpt = Annotated[str | None, typer.Option(  # noqa: UP007
    "--period", metavar="PERIOD",
    help="The period of a value column whose heading names none, such as \"Q3 2018/19\". "
    "Overrides the workbook.")]
Text = str | None  # noqa: UP007
_PAPER = "Paper details (override the workbook's Paper details sheet)"
Service = Annotated[Text, typer.Option("--service", metavar=_TEXT, rich_help_panel=_PAPER,
                                       help="The service or directorate named in the paper.")]
Committee = Annotated[Text, typer.Option("--committee", metavar=_TEXT, rich_help_panel=_PAPER,
                                         help="The committee the paper goes to.")]
MeetingDate = Annotated[Text, typer.Option("--meeting-date", metavar="DATE", rich_help_panel=_PAPER,
                                           help="The meeting date, such as 29 July 2020.")]
Subject = Annotated[Text, typer.Option("--subject", metavar=_TEXT, rich_help_panel=_PAPER,
                                       help="The paper's subject line.")]
Classification = Annotated[Text, typer.Option("--classification", metavar=_TEXT, rich_help_panel=_PAPER,
                                              help="Such as Unrestricted.")]
Author = Annotated[Text, typer.Option(
    "--author", metavar="PERSON", rich_help_panel=_PAPER,
    help="Report author as 'Name; Role; Team; Phone; Email' (later parts optional).")]
Director = Annotated[Text, typer.Option(
    "--director", metavar="PERSON", rich_help_panel=_PAPER,
    help="Relevant director as 'Name; Role; Team; Phone; Email'.")]
ReportNumber = Annotated[int | None, typer.Option(  # noqa: UP007
    "--report-number", min=1, metavar="N", rich_help_panel=_PAPER,
    help="This report's place in the year, such as 3.")]
ReportsInYear = Annotated[int | None, typer.Option(  # noqa: UP007
    "--reports-in-year", min=1, metavar="N", rich_help_panel=_PAPER,
    help="How many reports the committee gets in the year.")]


Html = Annotated[bool, typer.Option(
    "--html", help="Also write the paper as an accessible HTML page, <name>-paper.html (with "
    "--appendices-separately, each appendix too).")]
ChartImages = Annotated[bool, typer.Option(
    "--chart-images", help="Charts in the paper as pictures, for viewers that cannot show Word charts.")]
Jobs = Annotated[int | None, typer.Option(  # noqa: UP007
    "--jobs", "-j", min=1, metavar="N",
    help="Processes to work on (default: one per processor core; 1 for one).")]


def _jobs(jobs: int | None) -> int:
    """As many processes as asked, else one per core."""
    return jobs or os.cpu_count() or 1


def _fail(error: KpiExcelError, debug: bool) -> None:
    if debug:
        raise error
    typer.echo(error.line(), err=True)
    raise typer.Exit(EXIT_INPUT)


def _options(rule: str | None, tolerance: str | None, direction: str | None,
             details: dict[str, object] | None = None, period: str | None = None) -> pipeline.Options:
    from kpi_excel.core import config

    settings: dict[str, object] = {}
    try:
        given_period = config.parse_period_option(period) if period is not None else None
        if rule is not None:
            settings["rag_method"] = config.parse_rag_method(rule, "--rule")
        if tolerance is not None:
            settings["tolerance"] = config.parse_fraction(tolerance, "--tolerance")
        if direction is not None:
            settings["direction"] = config.parse_direction_method(direction, "--direction")
    except KpiExcelError as error:  # a bad option value is wrong usage (exit 2), not bad input
        raise typer.BadParameter(f"{error.problem}. {error.fix}", param_hint=error.where) from error
    return pipeline.Options(settings=settings, details=details or {}, period=given_period)


def _paper_details(committee: str | None, meeting_date: str | None, subject: str | None,
                   classification: str | None, author: str | None, director: str | None,
                   report_number: int | None, reports_in_year: int | None, *,
                   service: str | None = None) -> dict[str, object]:
    """The paper-detail options as PaperDetails fields; None means 'keep the workbook's'."""
    return {
        "service": service, "committee": committee, "meeting_date": meeting_date, "subject": subject,
        "classification": classification, "author": _person(author), "director": _person(director),
        "report_number": report_number, "reports_in_year": reports_in_year,
    }


@app.command(short_help="Rate a workbook; print the ratings and warnings.")
def check(
    workbook: WorkbookArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the ratings as JSON.")] = False,
    rule: Rule = None,
    tolerance: Tolerance = None,
    direction: DirectionOpt = None,
    period: PeriodOpt = None,
    debug: Debug = False,
) -> None:
    """Read and rate a workbook; print each KPI's rating and any data-quality warnings."""
    try:
        report = pipeline.check(workbook, _options(rule, tolerance, direction, period=period))
    except KpiExcelError as error:
        _fail(error, debug)
        return
    if as_json:
        from kpi_excel.present.export import report_to_dict

        typer.echo(json.dumps(report_to_dict(report), indent=2, ensure_ascii=False))
        return
    from kpi_excel.console import print_report

    print_report(report, workbook)


@app.command(short_help="Write the RAG workbook, rated copy and paper.")
def build(
    workbook: WorkbookArg,
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="DIR", help="Folder for the outputs (created if missing).")] = Path("out"),
    rule: Rule = None,
    tolerance: Tolerance = None,
    direction: DirectionOpt = None,
    period: PeriodOpt = None,
    template: Annotated[Path | None, typer.Option(  # noqa: UP007
        "--template", help="Your own Word template for the paper (see `kpi-excel template check`).",
        metavar="PATH")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write the paper as PDF (needs LibreOffice).")
                   ] = False,
    appendices_separately: Annotated[bool, typer.Option(
        "--appendices-separately", help="Also write each appendix as a .docx of its own.")] = False,
    html: Html = False,
    chart_images: ChartImages = False,
    no_rated_copy: Annotated[bool, typer.Option(
        "--no-rated-copy", help="Do not write <name>-rated.xlsx, the workbook itself with RAG columns added."
    )] = False,
    service: Service = None,
    committee: Committee = None,
    meeting_date: MeetingDate = None,
    subject: Subject = None,
    classification: Classification = None,
    author: Author = None,
    director: Director = None,
    report_number: ReportNumber = None,
    reports_in_year: ReportsInYear = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    jobs: Jobs = None,
    force: Force = False,
    debug: Debug = False,
) -> None:
    """Write the RAG workbook, the rated copy and the committee paper for a department's workbook."""
    details = _paper_details(committee, meeting_date, subject, classification, author, director,
                             report_number, reports_in_year, service=service)
    options = dataclasses.replace(_options(rule, tolerance, direction, details, period), template=template,
                                  pdf=pdf, appendices_separately=appendices_separately,
                                  chart_images=chart_images, rated_copy=not no_rated_copy, html=html,
                                  force=force)
    try:
        if quiet:  # nothing to show: the display library is not even loaded
            result = pipeline.build(workbook, out, options, jobs=_jobs(jobs))
        else:
            from kpi_excel.console import Progress

            with Progress(False) as progress:
                result = pipeline.build(workbook, out, options, progress=_unless_interrupted(progress.step),
                                   jobs=_jobs(jobs))
    except KpiExcelError as error:
        _fail(error, debug)
        return
    if not quiet:
        from kpi_excel.console import print_build

        print_build(result)


@app.command(short_help="Every directorate's outputs, then the council's.")
def council(
    source: Annotated[Path, typer.Argument(
        help="A folder of departmental workbooks (.xlsx), or one workbook or CSV export with a "
             "Directorate column.",
        show_default=False, metavar="INPUT")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="DIR", help="Folder for the outputs (created if missing).")] = Path("council"),
    jobs: Jobs = None,
    rule: Rule = None,
    tolerance: Tolerance = None,
    direction: DirectionOpt = None,
    period: PeriodOpt = None,
    template: Annotated[Path | None, typer.Option(  # noqa: UP007
        "--template", help="Your own Word template for the papers.", metavar="PATH")] = None,
    html: Annotated[bool, typer.Option(
        "--html", help="Also write every paper as an accessible HTML page.")] = False,
    chart_images: ChartImages = False,
    committee: Committee = None,
    meeting_date: MeetingDate = None,
    subject: Subject = None,
    classification: Classification = None,
    author: Author = None,
    director: Director = None,
    report_number: ReportNumber = None,
    reports_in_year: ReportsInYear = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    force: Force = False,
    debug: Debug = False,
) -> None:
    """Write each directorate's RAG workbook and paper (OUT/<directorate>/), then a council-wide
    workbook and paper with the counts for each directorate. A workbook that fails is listed and
    the others are still built; the exit code is then 1. The paper details apply to the
    council-wide paper; each directorate's paper keeps its workbook's own."""
    from kpi_excel import council as council_run
    from kpi_excel.console import StepBar, print_council

    details = _paper_details(committee, meeting_date, subject, classification, author, director,
                             report_number, reports_in_year)
    options = dataclasses.replace(_options(rule, tolerance, direction, details, period), template=template,
                                  chart_images=chart_images, html=html, force=force)
    try:
        with StepBar(quiet) as bar:
            result = council_run.run(source, out, options, jobs=jobs, step=_unless_interrupted(bar.step))
    except KpiExcelError as error:
        _fail(error, debug)
        return
    print_council(result, quiet=quiet)
    if result.failures:
        raise typer.Exit(EXIT_INPUT)


@app.command(short_help="Run build on the bundled sample workbook.")
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Folder for the outputs.")
                   ] = Path("kpi-excel-demo"),
    force: Force = False,
    debug: Debug = False,
) -> None:
    """Run the whole job on the bundled sample workbook and say where the outputs are."""
    from kpi_excel.console import Progress, print_build

    try:
        with Progress(False) as progress:
            result = pipeline.demo(out, progress=_unless_interrupted(progress.step), jobs=_jobs(None),
                                   force=force)
    except KpiExcelError as error:
        _fail(error, debug)
        return
    print_build(result, sample=True)


@app.command(short_help="Write a blank tracker in the expected layout.")
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the blank tracker (.xlsx).", metavar="PATH")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    debug: Debug = False,
) -> None:
    """Write a blank departmental KPI tracker that `check` and `build` accept as it is."""
    try:
        written = pipeline.init(path, force=force)
    except KpiExcelError as error:
        _fail(error, debug)
        return
    typer.echo(f"Wrote {written}")


def _person(text: str | None) -> object:
    """'Name; Role; Team; Phone; Email' as a Person (None when the option was not given)."""
    if text is None:
        return None
    from kpi_excel.core.model import Person

    parts = [part.strip() for part in text.split(";")][:5]
    return Person(*parts)


template_app = typer.Typer(help="Check a Word template for the committee paper.", no_args_is_help=True)
app.add_typer(template_app, name="template")


@template_app.command("check", short_help="List a template's unknown and unused names.")
def template_check(
    path: Annotated[Path | None, typer.Argument(  # noqa: UP007
        help="The template (.docx); the shipped one when left out.", metavar="[PATH]")] = None,
    debug: Debug = False,
) -> None:
    """List the names a template uses that kpi-excel does not provide, the names it leaves unused,
    and any broken tag; exits 1 when the template would not render."""
    try:
        result = pipeline.template_check(path)
    except KpiExcelError as error:
        _fail(error, debug)
        return
    _print_template_check(result)
    if not result.ok:
        raise typer.Exit(EXIT_INPUT)


def _print_template_check(result: TemplateCheck) -> None:
    typer.echo(f"Template: {result.path}")
    for problem in result.problems:
        typer.echo(f"Problem: {problem}")
    if result.missing:
        typer.echo("Used by the template but not provided by kpi-excel (fix the spelling or remove them):")
        typer.echo("".join(f"  {{{{ {name} }}}}\n" for name in result.missing), nl=False)
    if result.unused:
        typer.echo("Provided by kpi-excel but not used by the template (fine if you left them out on "
                   "purpose): " + ", ".join(result.unused))
    typer.echo("The template renders the sample paper." if result.ok else "The template needs fixing.")


class Interrupted(BaseException):
    """Ctrl+C, raised by our own handler: typer would turn a KeyboardInterrupt into "Aborted!" and
    exit 1 before main() could say what happened."""


_interrupt_pending = False  # set by the first Ctrl+C, whether or not its exception got through


def _interrupted(_signum: int, _frame: object) -> None:
    global _interrupt_pending
    _interrupt_pending = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not cut the clean-up short
    raise Interrupted


def _unless_interrupted(step: Callable[..., None]) -> Callable[..., None]:
    """The progress callback, raising Interrupted for a Ctrl+C whose exception Python dropped: a
    handler that raises while a destructor (__del__) runs only has its exception reported."""
    def checked(*args: Any) -> None:
        if _interrupt_pending:
            raise Interrupted
        step(*args)
    return checked


def _quiet_about_dropped_interrupts(default: Callable[[Any], object]) -> Callable[[Any], None]:
    """sys.unraisablehook that says nothing of a dropped Interrupted: the next progress step
    raises it again, and the command prints its one line."""
    def hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, Interrupted):
            default(unraisable)
    return hook


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGINT, _interrupted)
    sys.unraisablehook = _quiet_about_dropped_interrupts(sys.unraisablehook)
    # when the command is done, Python's collections at exit would walk every object of the
    # libraries loaded (a tenth of a second) only to find nothing to free: freeze them first
    atexit.register(gc.freeze)
    try:
        app()
    except (Interrupted, KeyboardInterrupt):
        # the library has stopped its workers and removed its temporary files on the way here
        sys.stderr.write("Interrupted.\n")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:  # a fault in kpi-excel itself: one line, unless --debug
        if "--debug" in sys.argv:
            raise
        sys.stderr.write(
            f"kpi-excel stopped on an internal error ({type(error).__name__}: {error}). No output was "
            "left half-written. Run the same command with --debug and report the traceback.\n"
        )
        sys.exit(EXIT_INTERNAL)
