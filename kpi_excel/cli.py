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
from kpi_excel.cli_options import (
    DETAILS,
    EDITIONS,
    RULES,
    Debug,
    Force,
    Jobs,
    Quiet,
    WorkbookArg,
    with_groups,
)
from kpi_excel.errors import KpiExcelError
from kpi_excel.quiet import hide_library_warnings

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

def _jobs(jobs: int | None) -> int:
    """As many processes as asked, else one per core."""
    return jobs or os.cpu_count() or 1


def _fail(error: KpiExcelError, debug: bool) -> None:
    if debug:
        raise error
    typer.echo(error.line(), err=True)
    raise typer.Exit(EXIT_INPUT)


OutDir = Annotated[Path, typer.Option(
    "--out", "-o", metavar="DIR", help="Folder for the outputs (created if missing).")]


@app.command(short_help="Rate a workbook; print the ratings and warnings.")
@with_groups(RULES)
def check(
    workbook: WorkbookArg,
    *,
    as_json: Annotated[bool, typer.Option("--json", help="Print the ratings as JSON.")] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Also print how every column of every table was read, and why.")] = False,
    rules: pipeline.Options,
    debug: Debug = False,
) -> None:
    """Read and rate a workbook; print each KPI's rating and any data-quality warnings."""
    try:
        report = pipeline.check(workbook, rules)
    except KpiExcelError as error:
        _fail(error, debug)
        return
    if as_json:
        from kpi_excel.present.export import report_to_dict

        typer.echo(json.dumps(report_to_dict(report), indent=2, ensure_ascii=False))
        return
    from kpi_excel.console import print_columns, print_report

    print_report(report, workbook)
    if explain:
        print_columns(report)


@app.command(short_help="Write the RAG workbook, rated copy and paper.")
@with_groups(RULES, EDITIONS, DETAILS)
def build(
    workbook: WorkbookArg,
    *,
    out: OutDir = Path("out"),
    rules: pipeline.Options,
    editions: dict[str, Any],
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write the paper as PDF (needs LibreOffice).")
                   ] = False,
    appendices_separately: Annotated[bool, typer.Option(
        "--appendices-separately", help="Also write each appendix as a .docx of its own.")] = False,
    no_rated_copy: Annotated[bool, typer.Option(
        "--no-rated-copy", help="Do not write <name>-rated.xlsx, the workbook itself with RAG columns added."
    )] = False,
    details: dict[str, object],
    quiet: Quiet = False,
    jobs: Jobs = None,
    force: Force = False,
    debug: Debug = False,
) -> None:
    """Write the RAG workbook, the rated copy and the committee paper for a department's workbook."""
    options = dataclasses.replace(rules, details=details, pdf=pdf, rated_copy=not no_rated_copy,
                                  appendices_separately=appendices_separately, force=force, **editions)
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
@with_groups(RULES, EDITIONS, DETAILS)
def council(
    source: Annotated[Path, typer.Argument(
        help="A folder of departmental workbooks (.xlsx), or one workbook or CSV export with a "
             "Directorate column.",
        show_default=False, metavar="INPUT")],
    *,
    out: OutDir = Path("council"),
    jobs: Jobs = None,
    rules: pipeline.Options,
    editions: dict[str, Any],
    details: dict[str, object],
    quiet: Quiet = False,
    force: Force = False,
    debug: Debug = False,
) -> None:
    """Write each directorate's RAG workbook and paper (OUT/<directorate>/), then a council-wide
    workbook and paper with the counts for each directorate. A workbook that fails is listed and
    the others are still built; the exit code is then 1. The paper details apply to the
    council-wide paper; each directorate's paper keeps its workbook's own."""
    from kpi_excel import council as council_run
    from kpi_excel.console import StepBar, print_council

    options = dataclasses.replace(rules, details=details, force=force, **editions)
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
    out: OutDir = Path("kpi-excel-demo"),
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
    for dropped in result.dropped:  # nothing live passes from a template into a paper
        typer.echo(f"{dropped[0].upper()}{dropped[1:]}.")
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
    _not_run_again_in_workers()
    signal.signal(signal.SIGINT, _interrupted)
    hide_library_warnings()  # and each worker hides its own (workers.py)
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


def _not_run_again_in_workers() -> None:
    """A spawned worker runs the command's __main__ module again before its task: the console
    script's, which loads this module and typer, needed by no worker. multiprocessing leaves a
    module named like a package's __main__ alone, so the script is given that name."""
    script = sys.modules.get("__main__")
    if script is not None and getattr(script, "__spec__", None) is None:
        import importlib.machinery

        script.__spec__ = importlib.machinery.ModuleSpec("kpi_excel.__main__", None)
