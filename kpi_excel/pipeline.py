"""The library's entry points: check, build, init and demo compose read -> rate -> write."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpi_excel import workers
from kpi_excel.core import config
from kpi_excel.core.model import Dataset, PaperDetails, Report, RuleSettings
from kpi_excel.errors import MissingColumnError, OutputError
from kpi_excel.options import BuildResult, Options
from kpi_excel.outputs import Outputs, make_folder, write_atomically
from kpi_excel.paper_process import (
    charts_made_here,
    html_from,
    html_pages,
    paper_bytes,
    paper_from,
    paper_process,
)
from kpi_excel.quiet import library_warnings_hidden

if TYPE_CHECKING:

    from kpi_excel.paper import TemplateCheck
    from kpi_excel.present.views import ReportView
    from kpi_excel.read.intake import CheckedFile

SAMPLE_NAME = "scs-kpi-tracker-2019-20.xlsx"
BLANK_TEMPLATE = "blank-kpi-tracker.xlsx"

ProgressFn = Callable[[str], None]


@dataclass(frozen=True)
class Loaded:
    """An input as read: its dataset and, for a workbook, the bytes every output is made from."""

    dataset: Dataset
    workbook: CheckedFile | None = None  # read once and checked; None for a CSV export


def load(path: Path, options: Options | None = None, *, rating_only: bool = False) -> Dataset:
    """Read a workbook (or a CSV export) and apply command-line overrides.

    Outputs need the period of every figure: unless `rating_only`, a value column whose period
    nothing names is an error here (`check` rates it as the latest figures, with a warning).
    """
    return read_input(path, options, rating_only=rating_only).dataset


def read_input(path: Path, options: Options | None = None, *, rating_only: bool = False) -> Loaded:
    """load(), keeping a workbook's bytes as read and checked: a build makes every output from
    them, so a file replaced on disk during the build changes nothing it writes."""
    from kpi_excel.read.csvfile import is_csv, read_csv
    from kpi_excel.read.intake import read_checked

    options = options or Options()
    period = config.parse_period_option(options.period) if isinstance(options.period, str) else options.period
    checked = None
    with library_warnings_hidden():
        if is_csv(path):
            dataset = read_csv(path, period, options.columns)
        else:
            checked = read_checked(path)  # a wrong, damaged or hostile file is refused before openpyxl loads
            from kpi_excel.read import read_workbook  # openpyxl is only imported when a workbook is read

            dataset = read_workbook(path, checked, period, options.columns)
    if not rating_only:
        require_period(dataset, str(path))
    return Loaded(apply_options(dataset, options), checked)


def require_period(dataset: Dataset, file: str = "") -> None:
    """Refuse a dataset whose value column's period nothing names: an output must date its figures."""
    source = dataset.period_source
    if source is not None and source.kind == "none":
        from kpi_excel.read.period_source import FIX_PERIOD

        raise MissingColumnError(f"the value column '{source.text}' does not say which period it is, and "
                                 "neither do the Settings sheet, a banner above it, the title, the sheet "
                                 "name or the file name", file=file or dataset.source,
                                 where=source.value_cell, fix=FIX_PERIOD)


def apply_options(dataset: Dataset, options: Options) -> Dataset:
    """The dataset with command-line settings and paper details laid over the workbook's."""
    settings: RuleSettings = dataset.settings
    given: dict[str, Any] = {k: v for k, v in options.settings.items() if v is not None}
    if given:
        settings = dataclasses.replace(settings, **given)
    details: PaperDetails = config.apply_overrides(dataset.details, options.details)
    # a setting given here no longer comes from the Settings sheet's cell
    cells = tuple((name, cell) for name, cell in dataset.settings_cells if name not in given)
    return dataclasses.replace(dataset, settings=settings, details=details, settings_cells=cells)


def check(path: Path, options: Options | None = None) -> Report:
    """Read and rate a workbook: what `kpi-excel check` shows."""
    from kpi_excel.core.rules import rate

    return rate(load(path, options, rating_only=True))


# A file name holds at most 255 bytes (Linux, macOS) or 255 UTF-16 units (Windows); the longest
# name written is the temporary file of an appendix, ".<stem>-appendix-1-XXXXXXXX.docx"
MAX_OUTPUT_STEM = 255 - len(".-appendix-1-XXXXXXXX.docx")


def output_stem(stem: str) -> str:
    """The input's name as the outputs' names begin: cut where a long one would make an output's
    name longer than a file system allows (never inside a character; no trailing dot or space)."""
    if len(stem) <= MAX_OUTPUT_STEM // 4:
        return stem
    cut = stem
    while (len(cut.encode("utf-8", "surrogateescape")) > MAX_OUTPUT_STEM
           or len(cut.encode("utf-16-le", "surrogatepass")) // 2 > MAX_OUTPUT_STEM):
        cut = cut[:-1]
    return cut if cut == stem else cut.rstrip(". ")


RATED_SUFFIX = "-rated"


def output_paths(source: Path, out_dir: Path) -> dict[str, Path]:
    """Where a build writes each output, named after the input workbook.

    A rated copy the department has worked in (tracker-rated.xlsx) names its outputs as the tracker
    it came from did (tracker-rag.xlsx, tracker-rated.xlsx ...), not tracker-rated-rated.xlsx."""
    from kpi_excel.stamp import is_rated_copy

    stem = source.stem
    if stem.endswith(RATED_SUFFIX) and len(stem) > len(RATED_SUFFIX) and is_rated_copy(source):
        stem = stem[:-len(RATED_SUFFIX)]
    stem = output_stem(stem)
    return {
        "workbook": out_dir / f"{stem}-rag.xlsx",
        # the department's own workbook, rated: .xlsm keeps a macro-enabled workbook's macros
        "rated": out_dir / f"{stem}-rated{'.xlsm' if source.suffix.lower() == '.xlsm' else '.xlsx'}",
        "paper": out_dir / f"{stem}-paper.docx",
        "pdf": out_dir / f"{stem}-paper.pdf",
        "appendix-1": out_dir / f"{stem}-appendix-1.docx",  # with --appendices-separately
        "appendix-2": out_dir / f"{stem}-appendix-2.docx",
        "html": out_dir / f"{stem}-paper.html",  # with --html
        "appendix-1-html": out_dir / f"{stem}-appendix-1.html",  # with --html --appendices-separately
        "appendix-2-html": out_dir / f"{stem}-appendix-2.html",
    }


def build(
    path: Path,
    out_dir: Path,
    options: Options | None = None,
    *,
    progress: ProgressFn | None = None,
    jobs: int = 1,
) -> BuildResult:
    """Read, rate and write the RAG workbook and the paper into out_dir (created when missing).

    Every output is written to a temporary file first and all are moved into place together, so
    a build that fails leaves the folder as it was. Returns the report and what was written.
    With jobs=2 the paper is rendered by a second process while this one writes the workbook;
    that process starts first, so it loads the paper's libraries while the workbook is read.
    """
    opts = options or Options()
    helper = paper_process(opts.template, html=opts.html) if jobs > 1 else None
    try:
        if progress:
            progress(f"Reading {path.name}")
        from kpi_excel.core.rules import rate
        from kpi_excel.present.views import derive

        loaded = read_input(path, options)
        view = derive(rate(loaded.dataset))  # what every output shows, worked out once
        paths = output_paths(path, out_dir)
        _refuse_to_overwrite_input(path, paths.values())
        paper_data = html_data = None
        if helper is not None:
            opts = options or Options()
            future = workers.submit(helper, paper_bytes, view, opts, charts_made_here(view, opts))
            paper_data = partial(paper_from, future, view, opts)
            if opts.html:  # after the paper, in the process that has Jinja loaded already
                html_future = workers.submit(helper, html_pages, view, opts)
                html_data = partial(html_from, html_future, view, opts)
        result = write_outputs(view, paths, options, progress=progress, paper_data=paper_data,
                               html_data=html_data, source=path,
                               workbook=loaded.workbook)
    except Exception:
        if helper is not None:
            # wait for the worker to stop: a pool left running when the process exits can print
            # a traceback from its manager thread, after the one-line error
            helper.shutdown(wait=True, cancel_futures=True)
        raise
    except BaseException:  # Ctrl+C: stop the worker now, without waiting for the paper
        if helper is not None:
            workers.stop_now(helper)
        raise
    if helper is not None:
        helper.shutdown()
    return result


def write_outputs(rated: Report | ReportView, paths: Mapping[str, Path], options: Options | None = None, *,
                  progress: ProgressFn | None = None,
                  paper_data: Callable[[], bytes] | None = None,
                  html_data: Callable[[], dict[str, bytes]] | None = None,
                  source: Path | None = None, workbook: CheckedFile | None = None) -> BuildResult:
    """Write the RAG workbook and the paper for a rated report to paths (as output_paths names them),
    and with source (the department's workbook) its rated copy, unless the options say not to: made
    from `workbook`, the bytes the report was read from (read and checked again when not given).

    Every output is written to a temporary file first and all are moved into place together.
    paper_data gives the paper's bytes, and html_data its HTML pages, when they are being rendered
    elsewhere (on another core, while this process writes the workbook).
    """
    say = progress or (lambda _message: None)
    dropped = template_left_out((options or Options()).template)  # a template refused stops us here
    make_folder(paths["workbook"].parent)
    from kpi_excel.present.views import viewed
    from kpi_excel.workbook import write_workbook

    view = viewed(rated)
    report = view.report
    with Outputs(force=(options or Options()).force) as outputs, library_warnings_hidden():
        say("Writing the RAG workbook")
        outputs.stage(paths["workbook"], lambda tmp: write_workbook(view, tmp))
        notes = _write_rated_copy(report, source, workbook, paths, options or Options(), say, outputs)
        _write_paper(view, paths, options or Options(), say, outputs, paper_data)
        if (options or Options()).html:
            say("Writing the paper as HTML")
            for key, page in (html_data() if html_data else html_pages(view, options or Options())).items():
                outputs.stage(paths[key], _bytes_writer(page))
        written = outputs.commit()
    from kpi_excel.present.paper import missing_details_warning

    warning = missing_details_warning(report)
    return BuildResult(report, tuple(written), ((warning,) if warning else ()) + dropped + notes)


def template_left_out(template: Path | None) -> tuple[str, ...]:
    """What the paper leaves out of a council's template (macros, links, fetching fields), a line
    each; the shipped template holds none."""
    if template is None:
        return ()
    from kpi_excel.paper.template_cleaning import cleaned_template

    return cleaned_template(template).dropped


def _write_rated_copy(report: Report, source: Path | None, workbook: CheckedFile | None,
                      paths: Mapping[str, Path], options: Options, say: ProgressFn,
                      outputs: Outputs) -> tuple[str, ...]:
    """The department's own workbook with RAG columns added, where it can be edited safely; returns
    a line for each sheet or cell where the copy cannot do what check does."""
    if source is None or not options.rated_copy or source.suffix.lower() not in (".xlsx", ".xlsm"):
        return ()  # a CSV file has no workbook to rate in place
    say("Writing the rated copy of the workbook")
    from kpi_excel.rated_copy import make_rated_copy
    from kpi_excel.read.intake import read_checked

    workbook = workbook or read_checked(source)
    copy = make_rated_copy(report, workbook.file_bytes, name=source.name)
    try:
        if copy.made:
            outputs.stage(paths["rated"], copy.write)
    finally:
        copy.close()
    notes = [str(note) for note in copy.notes]
    if copy.made and workbook.excel4_macros is not None:
        macros = workbook.excel4_macros.describe()
        notes.append(f"the workbook's Excel 4.0 macros ({macros}) are in the rated copy as they were, and "
                     "Excel may run them when the copy is opened: open it only if you trust the workbook")
    return tuple(f"Rated copy: {note}" for note in notes)


def _write_paper(view: ReportView, paths: Mapping[str, Path], options: Options, say: ProgressFn,
                 outputs: Outputs, paper_data: Callable[[], bytes] | None = None) -> None:
    """The committee paper, and as asked its appendices as files of their own and a PDF."""
    say("Writing the committee paper")
    data = paper_data() if paper_data else paper_bytes(view, options)
    staged_paper = outputs.stage(paths["paper"], _bytes_writer(data))
    if not (options.appendices_separately or options.pdf):
        return
    from kpi_excel import paper  # python-docx and docxtpl load here only when this process needs them

    if options.appendices_separately:
        from kpi_excel.present.paper import fixed_time

        for number, appendix in paper.appendix_files(data, fixed_time(view.report)).items():
            name = paths["paper"].name.replace("-paper.docx", f"-appendix-{number}.docx")
            outputs.stage(paths["paper"].with_name(name), _bytes_writer(appendix))
    if options.pdf:
        say("Converting the paper to PDF with LibreOffice")
        if options.indicator_pages and not options.chart_images:
            # LibreOffice prints a native Word chart's labels shrunk (9 pt as 6.5 pt) and leaves its
            # alt text out of the tagged PDF: the PDF is made from the paper with chart pictures
            from kpi_excel.paper.pdf_pictures import report_pictures_for_pdf

            pictures = report_pictures_for_pdf(data, view)
            outputs.stage(paths["pdf"], lambda tmp: paper.write_pdf_from(pictures, staged_paper.stem, tmp))
        else:
            outputs.stage(paths["pdf"], lambda tmp: paper.write_pdf(staged_paper, tmp))


def _bytes_writer(data: bytes) -> Callable[[Path], None]:
    def write(target: Path) -> None:
        target.write_bytes(data)
    return write


def _refuse_to_overwrite_input(source: Path, targets: object) -> None:
    for target in targets:  # type: ignore[attr-defined]
        if target.exists() and target.resolve() == source.resolve():
            from kpi_excel.stamp import is_rated_copy

            if is_rated_copy(source):
                raise OutputError(
                    "this is the rated copy being built from, and kpi-excel never writes over its input",
                    file=str(target), fix="Build into another --out folder: a folder per month keeps "
                    "each month's rated copy, RAG workbook and paper together")
            raise OutputError("the output would overwrite the input workbook", file=str(target),
                              fix="Choose another --out folder")


def sample_path() -> Path:
    """The bundled sample workbook, from the installed package or from a checkout."""
    packaged = resources.files("kpi_excel") / "samples" / SAMPLE_NAME
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "samples" / SAMPLE_NAME


def blank_template_path() -> Path:
    """The blank departmental tracker that `kpi-excel init` copies."""
    return Path(str(resources.files("kpi_excel") / "workbook_templates" / BLANK_TEMPLATE))


def init(target: Path, *, force: bool = False) -> Path:
    """Write the blank departmental workbook to target (a file, or a folder to put it in)."""
    if target.is_dir():
        target = target / BLANK_TEMPLATE
    if target.suffix.lower() != ".xlsx":
        target = target.with_suffix(".xlsx")
    if target.exists() and not force:
        raise OutputError("the file already exists", file=str(target),
                          fix="Choose another name, or add --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = blank_template_path()
    write_atomically(target, lambda tmp: _copy(source, tmp), force=force)
    return target


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)


def template_check(template: Path | None = None) -> TemplateCheck:
    """Check a paper template (the shipped one when None) by trial-rendering the bundled sample."""
    from kpi_excel import paper

    return paper.check_template(template or paper.default_template(), check(sample_path()))


def demo(out_dir: Path, *, progress: ProgressFn | None = None, jobs: int = 1,
         force: bool = False) -> BuildResult:
    """Run the main job on the bundled sample, the paper's HTML edition included."""
    return build(sample_path(), out_dir, Options(html=True, force=force), progress=progress, jobs=jobs)
