"""Council-wide runs: each directorate's workbook and paper, then one summary across them all."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from kpi_excel import pipeline
from kpi_excel.core import config
from kpi_excel.core.model import (
    Dataset,
    Indicator,
    KpiType,
    PaperDetails,
    Rating,
    Report,
    RuleSettings,
    Summary,
    Warning_,
    summarise,
)
from kpi_excel.core.proposals import match_kpi
from kpi_excel.core.values import readable_file_name
from kpi_excel.errors import InputError, KpiExcelError, OutputError
from kpi_excel.excel.refs import row_of
from kpi_excel.outputs import remove_temporary_files
from kpi_excel.workers import stop_now, submit, worker_pool

COUNCIL_SUBJECT = "Council-wide Performance Report"
COUNCIL_SERVICE = "the Council"
COUNCIL_STEM = "council-wide"  # the summary's files: council-wide-rag.xlsx, council-wide-paper.docx
ORIGINAL_SECTION = "Directorate section"  # where the summary keeps each indicator's own section
NO_DIRECTORATE = "No directorate given"

# what is happening, how many steps are done, how many there are
StepFn = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Unit:
    """One directorate's build: a workbook of its own, or its rows of a shared workbook."""

    slug: str  # its folder under the output folder
    source: Path
    dataset: Dataset | None = None  # its rows of a shared workbook; None: read source
    name: str = ""  # known before reading for a shared workbook's directorates


@dataclass(frozen=True)
class DirectorateResult:
    """What one directorate's build wrote, or the one-line reason it could not."""

    name: str
    slug: str
    source: str
    report: Report | None = None
    outputs: tuple[Path, ...] = ()
    error: str = ""

    @property
    def summary(self) -> Summary:
        return self.report.summary if self.report else summarise(())


@dataclass(frozen=True)
class CouncilResult:
    """Every directorate's result (by name), the council-wide report and what it wrote."""

    directorates: tuple[DirectorateResult, ...]
    report: Report | None
    outputs: tuple[Path, ...]
    warnings: tuple[str, ...] = ()  # about the council-wide paper: placeholders left in it

    @property
    def built(self) -> tuple[DirectorateResult, ...]:
        return tuple(d for d in self.directorates if not d.error)

    @property
    def failures(self) -> tuple[DirectorateResult, ...]:
        return tuple(d for d in self.directorates if d.error)

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file the run wrote, each once: paths that differ only in letter case are one
        file on Windows and macOS."""
        written = [p for d in self.built for p in d.outputs] + list(self.outputs)
        return tuple({str(p).casefold(): p for p in written}.values())


# --- Finding the directorates -------------------------------------------------------------------


def find_workbooks(folder: Path) -> list[Path]:
    """The .xlsx workbooks in a folder, by name: not Excel's lock files (~$...), hidden files or
    anything else."""
    names = [p for p in folder.iterdir()
             if p.is_file() and p.suffix.lower() == ".xlsx" and not p.name.startswith(("~$", "."))]
    return sorted(names, key=lambda p: (p.name.casefold(), p.name))


# names Windows keeps for devices, whatever the extension or letter case: a folder named "con"
# cannot be made there
_RESERVED = frozenset({"con", "prn", "aux", "nul", "clock$", "conin$", "conout$"}
                      | {f"{port}{n}" for port in ("com", "lpt") for n in range(10)})
SLUG_LENGTH = 60  # folder names stay short: paths on Windows are limited to 260 characters


def slug(text: str) -> str:
    """A folder name from a directorate's name: 'Adult Social Care & Health' -> 'adult-social-care-health'.

    Letters lose their accents ('Économie' -> 'economie'); only a-z, 0-9 and '-' remain, so no
    trailing dot or space, no character Windows refuses and no upper case are left; a name
    Windows keeps for a device ('CON', 'LPT1') gets '-directorate' after it ('nul.txt' became
    'nul-txt', which Windows allows).
    """
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", re.sub(r"['’]", "", plain.lower()))
    name = "-".join(words)[:SLUG_LENGTH].strip("-") or "directorate"
    if name in _RESERVED:
        name = f"{name}-directorate"
    return name


def unique_slugs(names: Sequence[str]) -> list[str]:
    """A folder for each name, no two alike even where letter case is ignored (as on Windows and
    macOS): each name keeps its own slug where it can, and the others are numbered -2, -3 ...
    skipping any folder name already taken, so 'Finance', 'finance' and 'Finance 2' get
    'finance', 'finance-3' and 'finance-2'."""
    bases = [slug(name) for name in names]
    taken: set[str] = set()
    chosen: list[str | None] = []
    for base in bases:
        free = base.casefold() not in taken
        chosen.append(base if free else None)
        taken.add(base.casefold())
    slugs = []
    for base, first in zip(bases, chosen, strict=True):
        if first is None:
            n = 2
            while f"{base}-{n}".casefold() in taken:
                n += 1
            first = f"{base}-{n}"
            taken.add(first.casefold())
        slugs.append(first)
    return slugs


def plan(source: Path, options: pipeline.Options | None = None) -> list[Unit]:
    """The directorates to build: a folder's workbooks, or one workbook's directorates."""
    if source.is_dir():
        books = find_workbooks(source)
        if not books:
            raise InputError("the folder holds no .xlsx workbooks", file=str(source),
                             fix="Give a folder of departmental workbooks, or one workbook with a "
                                 "Directorate column")
        slugs = unique_slugs([readable_file_name(b.stem) for b in books])
        return [Unit(s, book) for s, book in zip(slugs, books, strict=True)]
    dataset = pipeline.load(source, options)
    parts = split_by_directorate(dataset)
    return [Unit(s, source, part, name)
            for s, (name, part) in zip(unique_slugs([n for n, _ in parts]), parts, strict=True)]


def split_by_directorate(dataset: Dataset) -> list[tuple[str, Dataset]]:
    """One dataset per directorate named in the Directorate column, by name; the whole dataset
    when no indicator names one."""
    groups: dict[str, list[Indicator]] = {}
    for indicator in dataset.indicators:
        groups.setdefault(indicator.directorate or NO_DIRECTORATE, []).append(indicator)
    if list(groups) == [NO_DIRECTORATE]:
        return [(directorate_name(dataset, Path(dataset.source)), dataset)]
    return [(name, _part(dataset, name, tuple(groups[name])))
            for name in sorted(groups, key=lambda n: (n.casefold(), n))]


def _part(dataset: Dataset, name: str, indicators: tuple[Indicator, ...]) -> Dataset:
    """A directorate's rows of a shared workbook, with the reader's warnings about those rows."""
    rows = {(ind.sheet, ind.row) for ind in indicators}
    kpis = [ind for ind in indicators if ind.type is KpiType.KPI]
    return dataclasses.replace(
        dataset,
        indicators=indicators,
        proposals=tuple(p for p in dataset.proposals if match_kpi(p.code, p.name, kpis)),
        details=dataclasses.replace(dataset.details, service=name, subject=""),
        warnings=tuple(w for w in dataset.warnings if row_of(w.where) in rows),
    )


def directorate_name(dataset: Dataset, source: Path) -> str:
    """What a directorate's own workbook calls it: its one Directorate value, its service, its file."""
    named = {ind.directorate for ind in dataset.indicators if ind.directorate}
    if len(named) == 1:
        return named.pop()
    return dataset.details.service or readable_file_name(source.stem)


# --- Building -----------------------------------------------------------------------------------


def directorate_options(options: pipeline.Options) -> pipeline.Options:
    """A directorate's paper keeps its workbook's own details; the rule options, the template,
    the kind of chart, the HTML edition and --force apply to all."""
    return pipeline.Options(settings=options.settings, template=options.template,
                            chart_images=options.chart_images, html=options.html, force=options.force)


def rate_directorate(unit: Unit, options: pipeline.Options) -> DirectorateResult:
    """Read (unless already read) and rate one directorate; a problem becomes the result's
    one-line error (as `build` prints it), so one bad workbook cannot stop the others."""
    from kpi_excel.core.rules import rate

    # the file's name as the outputs show it (a name unzipped from a Windows archive may hold a
    # byte that is not UTF-8, or a control character)
    shown = Path(readable_file_name(unit.source.name))
    try:
        dataset = unit.dataset if unit.dataset is not None else pipeline.load(unit.source, options)
        report = rate(dataset)
    except KpiExcelError as error:
        error.name_file(unit.source.name)
        return DirectorateResult(unit.name or shown.stem, unit.slug, shown.name, error=error.line())
    except Exception as error:  # a fault in kpi-excel: still build the others, and say which file
        return DirectorateResult(unit.name or shown.stem, unit.slug, shown.name,
                                 error=_fault(unit.source, error))
    return DirectorateResult(unit.name or directorate_name(dataset, unit.source), unit.slug,
                             shown.name, report)


def directorate_paths(unit: Unit, out_dir: Path) -> dict[str, Path]:
    """A directorate's outputs in out_dir/<slug>/: named after its own workbook, or after the
    directorate when it shares one."""
    named = unit.source if unit.dataset is None else Path(f"{unit.slug}.xlsx")
    return pipeline.output_paths(named, out_dir / unit.slug)


def write_directorate(report: Report, paths: dict[str, Path], options: pipeline.Options) -> tuple[Path, ...]:
    """Write one directorate's workbook and paper (in a worker process); what was written."""
    return pipeline.write_outputs(report, paths, options).outputs


def _fault(source: Path, error: Exception) -> str:
    return (f"{source}: could not be built ({type(error).__name__}: {error}). Please report this "
            "with the workbook")


def workers_for(units: int, jobs: int | None = None) -> int:
    """How many processes to build on: `jobs`, else one per core, and never more than the work."""
    return max(1, min(jobs or os.cpu_count() or 1, units))


def process_pool(workers: int) -> ProcessPoolExecutor | None:
    """Worker processes for a parallel run; None to work in this process."""
    if workers < 2:
        return None
    pool = worker_pool(workers)
    submit(pool, int)  # the workers start now, before this process loads the reader: they never need it
    return pool


def _start(pool: ProcessPoolExecutor | None, report: Report, paths: dict[str, Path],
           options: pipeline.Options) -> Future[tuple[Path, ...]]:
    """Write a directorate on the pool, or here and now when there is no pool."""
    if pool is not None:
        return submit(pool, write_directorate, report, paths, options)
    done: Future[tuple[Path, ...]] = Future()
    try:
        done.set_result(write_directorate(report, paths, options))
    except Exception as error:
        done.set_exception(error)
    return done


def _written(result: DirectorateResult, future: Future[tuple[Path, ...]]) -> DirectorateResult:
    """The result with what its build wrote, or why it could not."""
    try:
        return dataclasses.replace(result, outputs=future.result())
    except KpiExcelError as error:
        error.name_file(result.source)
        return dataclasses.replace(result, error=error.line())
    except Exception as error:  # a fault, or the worker process died (out of memory, killed)
        return dataclasses.replace(result, error=_fault(Path(result.source), error))


def unique_names(results: Sequence[DirectorateResult]) -> list[DirectorateResult]:
    """Two workbooks naming the same directorate are told apart by their file names."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result.name] = counts.get(result.name, 0) + 1
    return [dataclasses.replace(r, name=f"{r.name} ({Path(r.source).stem})") if counts[r.name] > 1 else r
            for r in results]


# --- The council-wide summary -------------------------------------------------------------------


def council_report(results: Sequence[DirectorateResult], source: str,
                   details: PaperDetails | None = None) -> Report:
    """One report of every directorate's ratings, as rated in its own build.

    Each indicator's section is its directorate (its own section is kept as an extra column), so
    the workbook's counts by section and the paper's tables group by directorate.
    """
    named = [(r.name, r.report) for r in results if r.report is not None]
    ratings = tuple(_in_directorate(rating, name) for name, report in named for rating in report.ratings)
    reports = [report for _, report in named]
    periods = tuple(sorted({p for report in reports for p in report.dataset.periods}))
    headers = [h for report in reports for h in report.dataset.extra_headers]
    if any(h == ORIGINAL_SECTION for rating in ratings for h, _ in rating.indicator.extra):
        headers.append(ORIGINAL_SECTION)
    digest = hashlib.sha256("".join(report.dataset.sha256 for report in reports).encode()).hexdigest()
    dataset = Dataset(
        source=source, sha256=digest, indicators=tuple(r.indicator for r in ratings), periods=periods,
        details=details or PaperDetails(service=COUNCIL_SERVICE, subject=COUNCIL_SUBJECT),
        settings=reports[0].dataset.settings if reports else RuleSettings(),
        extra_headers=tuple(dict.fromkeys(headers)),
        title=COUNCIL_SUBJECT,
    )
    latest = [report.period for report in reports if report.period is not None]
    return Report(dataset, max(latest) if latest else None, ratings, _council_warnings(results))


def _in_directorate(rating: Rating, name: str) -> Rating:
    ind = rating.indicator
    extra = ind.extra + ((ORIGINAL_SECTION, ind.section),) if ind.section else ind.extra
    return dataclasses.replace(rating, indicator=dataclasses.replace(
        ind, section=name, directorate=name, extra=extra))


def _council_warnings(results: Sequence[DirectorateResult]) -> tuple[Warning_, ...]:
    warnings = [Warning_(f"{r.name} is left out of this report: {r.error}") for r in results if r.error]
    rules = {r.report.dataset.settings for r in results if r.report}
    if len(rules) > 1:
        warnings.append(Warning_(
            "the directorates' workbooks set different rating rules: each directorate is counted as "
            "rated in its own build, and the workbook's formulas use the first directorate's rules; "
            "give --rule, --tolerance and --direction to rate every directorate alike"))
    for r in results:
        if r.report:
            warnings += [Warning_(f"{r.name}: {w.message}", f"{r.source} {w.where}".strip())
                         for w in r.report.warnings]
    return tuple(warnings)


def council_details(options: pipeline.Options) -> PaperDetails:
    """The summary paper's details: a council-wide report, with any details given as options."""
    return config.apply_overrides(PaperDetails(service=COUNCIL_SERVICE, subject=COUNCIL_SUBJECT),
                                  options.details)


def council_paths(out_dir: Path) -> dict[str, Path]:
    """Where the council-wide summary is written."""
    return pipeline.output_paths(Path(f"{COUNCIL_STEM}.xlsx"), out_dir)


# --- The whole run ------------------------------------------------------------------------------


def run(source: Path, out_dir: Path, options: pipeline.Options | None = None, *, jobs: int | None = None,
        step: StepFn | None = None) -> CouncilResult:
    """Build each directorate's workbook and paper in out_dir/<directorate>/, and the council-wide
    workbook and paper in out_dir, from a folder of workbooks or one workbook with a Directorate
    column. A directorate that fails is listed in the result (and the summary's warnings); the
    others are built regardless.

    This process reads and rates every directorate, handing each to a worker process to write as
    soon as it is rated (reading is quick, so the workers are never kept waiting), then writes
    the council-wide pair once the workers have finished and left: the pair's memory (a workbook
    and a paper of every indicator) then never adds to theirs, and it costs one core a few seconds.
    """
    options = options or pipeline.Options()
    say = step or (lambda _text, _done, _total: None)
    _refuse_input_folder(source, out_dir)
    details = council_details(options)  # a bad --meeting-date stops the run before any build
    say(f"Reading {source.name}", 0, 1)
    units = plan(source, options)
    total = 2 * len(units) + 1  # each directorate read, each written, then the summary
    pool = process_pool(workers_for(len(units), jobs))
    writing: dict[str, Future[tuple[Path, ...]]] = {}
    targets: list[Path] = []  # every directorate output a worker may be writing
    try:
        rated: list[DirectorateResult] = []
        for unit in units:
            say(f"Reading {unit.source.name}", len(rated), total)
            result = rate_directorate(unit, options)
            if result.report is not None:
                paths = directorate_paths(unit, out_dir)
                targets += paths.values()
                writing[unit.slug] = _start(pool, result.report, paths, directorate_options(options))
            rated.append(result)
        done = len(units)
        for _ in as_completed(writing.values()):
            done += 1
            say("Writing each directorate's workbook and paper", done, total)
        if pool is not None:
            pool.shutdown()
        results = sorted(unique_names(rated), key=lambda r: (r.name.casefold(), r.name, r.slug))
        report: Report | None = None
        written: tuple[Path, ...] = ()
        warnings: tuple[str, ...] = ()
        if writing:
            say("Writing the council-wide workbook and paper", done, total)
            report = council_report(results, source.name, details)
            summary = pipeline.write_outputs(report, council_paths(out_dir), summary_options(options))
            written, warnings = summary.outputs, summary.warnings
        results = [_written(r, writing[r.slug]) if r.slug in writing else r for r in results]
    except BaseException as error:
        if pool is not None:
            if isinstance(error, Exception):
                pool.shutdown(cancel_futures=True)
            else:  # Ctrl+C: stop the workers now, each removing the file it was writing
                stop_now(pool)
                # a worker that could not stop within its second was killed: its files go too
                remove_temporary_files(targets)
        raise
    if pool is not None:
        pool.shutdown(cancel_futures=True)
    return CouncilResult(tuple(results), report, tuple(written), warnings)


def summary_options(options: pipeline.Options) -> pipeline.Options:
    """The council-wide paper leaves out each indicator's page: the directorates' papers have them."""
    return dataclasses.replace(options, indicator_pages=False)


def _refuse_input_folder(source: Path, out_dir: Path) -> None:
    if source.is_dir() and out_dir.exists() and out_dir.resolve() == source.resolve():
        raise OutputError("the outputs would go among the input workbooks", file=str(out_dir),
                          fix="Choose another --out folder")
