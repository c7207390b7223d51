"""What the CLI shows on a terminal: the ratings table, warnings, progress and build summary."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kpi_excel.core.formatting import DIRECTION_ARROWS, direction_word, format_value, rag_word, range_word
from kpi_excel.core.model import Rag, Rating, Report
from kpi_excel.core.quality import stated_disagrees
from kpi_excel.excel.refs import CellRef, column_letter, quote_sheet
from kpi_excel.pipeline import BuildResult

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console
    from rich.table import Table

    from kpi_excel.council import CouncilResult

_RAG_STYLE = {Rag.GREEN: "bold green", Rag.AMBER: "bold yellow", Rag.RED: "bold red"}


def _console(stderr: bool = False) -> Console:
    from rich.console import Console  # rich takes a sixth of a second to load: only when used

    console = Console(stderr=stderr, highlight=False, soft_wrap=False)
    if not console.is_terminal:  # piped to a file: do not squeeze the table into 80 columns
        console.width = 160
    return console


def print_report(report: Report, source: Path | None = None) -> None:
    """The check command's output: a table of ratings, the summary, then warnings."""
    console = _console()
    period = report.period.label if report.period else "no data"
    console.print(f"[bold]{_escape(report.dataset.source)}[/bold]  report period {period}  "
                  f"rule: {report.dataset.settings.rag_method.value}, "
                  f"direction: {report.dataset.settings.direction.value.replace('_', ' ')}")
    if report.dataset.period_source is not None:
        console.print(f"The period comes from {report.dataset.period_source.describe()}.", markup=False)
    console.print(_ratings_table(report))
    s = report.summary
    console.print(f"{_count(s.total, 'KPI')}: [green]{s.green} Green[/green], "
                  f"[yellow]{s.amber} Amber[/yellow], [red]{s.red} Red[/red], {s.not_rated} not rated; "
                  f"{_count(len(report.activities), 'activity indicator')}.")
    from kpi_excel.rated_copy import planned
    from kpi_excel.rated_copy.plan import copy_summary

    summary = copy_summary(report, planned(report, source) if source is not None else None)
    if summary:
        console.print(summary[0].upper() + summary[1:], markup=False)
    if report.warnings:
        console.print(f"\n[bold]{_count(len(report.warnings), 'warning')}[/bold]")
        for warning in report.warnings:
            console.print(f"  - {warning}", markup=False)


def print_columns(report: Report) -> None:
    """check --explain: every column of every table, the role given to it and why."""
    console = _console()
    console.print("\n[bold]How the columns were read[/bold]")
    table_of = ""
    for column in report.dataset.columns:
        where = column.where
        table = f"{quote_sheet(where.sheet)}, header row {where.row}" if isinstance(where, CellRef) else ""
        if table and table != table_of:
            console.print(f"  {table}", markup=False)
            table_of = table
        place = column_letter(where.col) if isinstance(where, CellRef) else str(where)
        heading = f"'{column.heading}'" if column.heading else "(no heading)"
        line = f"    {place:<4} {_short(heading, 36):<38} {column.role:<12} {column.why}"
        console.print(line, markup=False, overflow="fold")


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _escape(text: str) -> str:
    """Text from the input as rich prints it: its brackets are never markup ('[/]' in a name
    would stop the command; '[red]' would colour it)."""
    from rich.markup import escape

    return escape(text)


def _plain(text: str) -> Any:
    """A table cell that shows text from the input as it is (no markup, no control codes)."""
    from rich.text import Text

    return Text(text)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _ratings_table(report: Report) -> Table:
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    stated = any(r.indicator.stated for r in report.ratings)  # the council's own status column
    for name in ("Code", "Indicator", "Latest", "Period", "Target", "Floor", "RAG",
                 *(["Stated"] if stated else []), "Direction", "Range"):
        table.add_column(name, overflow="fold", max_width=48 if name == "Indicator" else None)
    for rating in report.ratings:
        row = _row(rating)
        if stated:
            row.insert(7, _stated_text(rating))
        table.add_row(*row)
    return table


def _stated_text(rating: Rating) -> str:
    """The council's own rating beside ours, marked with ≠ where they differ."""
    stated = rating.indicator.stated
    if stated is None:
        return ""
    word = stated.rag.word if stated.rag else "not rated"
    return f"{word} ≠" if stated_disagrees(rating) else word


def _row(rating: Rating) -> list[Any]:
    ind = rating.indicator
    rag = rag_word(rating) if ind.type.value == "kpi" else ""
    style = _RAG_STYLE.get(rating.rag) if rating.rag else None
    arrow = DIRECTION_ARROWS.get(rating.direction) if rating.direction else ""
    stale = " (old)" if rating.stale else ""
    return [
        _plain(ind.code),
        _plain(ind.name),
        format_value(rating.value, ind),
        (rating.latest.period.label + stale) if rating.latest else "",
        format_value(ind.target, ind),
        format_value(ind.floor, ind),
        f"[{style}]{rag}[/{style}]" if style else rag,
        f"{arrow} {direction_word(rating.direction)}".strip(),
        _range_text(rating),
    ]


def _range_text(rating: Rating) -> str:
    ind = rating.indicator
    if rating.range_status is None:
        return ""
    low, high = format_value(ind.lower_threshold, ind), format_value(ind.upper_threshold, ind)
    return f"{range_word(rating.range_status)} ({low}–{high})"


class Progress:
    """A one-line status on stderr for steps that take a moment, on a terminal; silent with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._status: Any = None

    def __enter__(self) -> Progress:
        if not self.quiet and sys.stderr.isatty():  # a spinner in a log file would be noise
            self._status = _console(stderr=True).status("Starting")
            self._status.__enter__()
        return self

    def step(self, message: str) -> None:
        if self._status is not None:
            self._status.update(_escape(message))  # messages name the workbook

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._status is not None:
            self._status.__exit__(kind, error, tb)


def print_build(result: BuildResult, *, sample: bool = False) -> None:
    """One line per output written, then the counts and the number of warnings (plain lines)."""
    lines = ["Ran the whole job on the bundled sample workbook (illustrative Strategic and Corporate "
             "Services data, 2019/20)."] if sample else []
    lines += [f"Wrote {path}" for path in result.outputs]
    s = result.report.summary
    period = result.report.period.label if result.report.period else "no data"
    warnings = len(result.report.warnings)
    lines.append(f"{period}: {_count(s.total, 'KPI')}, {s.green} Green, {s.amber} Amber, {s.red} Red, "
                 f"{s.not_rated} not rated; {_count(warnings, 'warning')}"
                 + (" (run `kpi-excel check` to list them)." if warnings else "."))
    lines += [f"Warning: {warning}." for warning in result.warnings]
    sys.stdout.write("".join(line + "\n" for line in lines))


class StepBar:
    """A progress bar on stderr for work in counted steps (directorates built), on a terminal;
    silent with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> StepBar:
        if not self.quiet and sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=_console(stderr=True),
                                 transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("Starting", total=None)
        return self

    def step(self, message: str, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=message, completed=done, total=total)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, error, tb)


def print_council(result: CouncilResult, *, quiet: bool = False) -> None:
    """Each directorate's counts, the failures (on stderr), then one line: what was written and
    the totals. With quiet, only the failures."""
    errors = _console(stderr=True)
    for failed in result.failures:
        errors.print(failed.error, markup=False, soft_wrap=True)  # one line, as `build` prints it
    if quiet:
        return
    console = _console()
    if result.built:
        console.print(_directorates_table(result))
    for path in result.outputs:
        console.print(f"Wrote {path}", markup=False)
    console.print(council_line(result), markup=False)
    for warning in result.warnings:
        console.print(f"Warning: {warning}.", markup=False, soft_wrap=True)


def _directorates_table(result: CouncilResult) -> Table:
    from rich.table import Table

    table = Table(header_style="bold")
    for name in ("Directorate", "Folder", "KPIs", "Green", "Amber", "Red", "Not rated", "Warnings"):
        table.add_column(name, justify="left" if name in ("Directorate", "Folder") else "right")
    for d in result.built:
        s = d.summary
        warnings = len(d.report.warnings) if d.report else 0
        counts = (s.total, s.green, s.amber, s.red, s.not_rated, warnings)
        table.add_row(_plain(d.name), d.slug, *(str(n) for n in counts))
    return table


def council_line(result: CouncilResult) -> str:
    """'Built 3 of 4 directorates (12 files) ...; 75 KPIs: 60 Green, ...; 5 warnings; 1 failed.'"""
    built, total = len(result.built), len(result.directorates)
    files = len(result.files)
    text = f"Built {built} of {_count(total, 'directorate')} ({_count(files, 'file')} written)"
    if result.report is not None:
        s = result.report.summary
        text += (f"; {_count(s.total, 'KPI')}: {s.green} Green, {s.amber} Amber, {s.red} Red, "
                 f"{s.not_rated} not rated; {_count(len(result.report.warnings), 'warning')}")
    if result.failures:
        text += f"; {len(result.failures)} failed (listed above)"
    return text + "."
