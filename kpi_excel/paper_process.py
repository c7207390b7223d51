"""The paper's own process: started first, it loads python-docx, docxtpl and Jinja and prepares
the shipped template while the workbook is read, then renders the paper and its HTML edition while
the first process writes the workbook. Each step here also runs in one process, for --jobs 1."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpi_excel import workers
from kpi_excel.core.model import Indicator, Report
from kpi_excel.options import Options

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from kpi_excel.present.views import ReportView


def charts_made_here(report: ReportView, options: Options) -> Mapping[Indicator, Any] | None:
    """The paper's charts, made by this process while the other one is still loading."""
    if not options.indicator_pages:
        return None
    try:
        if options.chart_images:
            from kpi_excel.charts.png import report_charts

            return report_charts(report)
        from kpi_excel.workbook.charts import report_chart_files

        return report_chart_files(report)
    except Exception as error:  # our own drawing failed: the same fault as in the other process
        from kpi_excel.errors import ChartDrawingError

        raise ChartDrawingError(f"drawing a chart failed: {error!r}") from error


def paper_process(template: Path | None = None, *, html: bool = False) -> ProcessPoolExecutor:
    """One process for rendering papers, loading python-docx, docxtpl and Pillow as it starts,
    then preparing the shipped template unless the paper has one of its own, and with html the
    HTML edition's template."""
    pool = workers.worker_pool(1, partial(_load_paper_libraries, template is None, html))
    workers.submit(pool, int)  # the process starts at the first task: start it now, to load while we read
    return pool


def paper_from(future: Future[bytes], report: ReportView, options: Options) -> bytes:
    """The paper from the second process; rendered here if that process died."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        return paper_bytes(report, options)


def _load_paper_libraries(shipped_template: bool = False, html: bool = False) -> None:
    # the package kpi_excel.paper loads its modules lazily: import the one that renders, which
    # loads python-docx, docxtpl and Jinja, or the first paper would wait for them
    from kpi_excel.paper import render  # noqa: F401

    # while the main process still reads the workbook; only a head start, so a fault here is
    # left for the rendering itself to report
    if shipped_template:
        from kpi_excel.paper.templates import default_template, prepare_template

        with contextlib.suppress(Exception):
            prepare_template(default_template())
    if html:
        from kpi_excel.html.render import template

        with contextlib.suppress(Exception):
            template()


def html_from(future: Future[dict[str, bytes]], report: ReportView,
               options: Options) -> dict[str, bytes]:
    """The HTML pages from the second process; rendered here if that process died."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        return html_pages(report, options)


def html_pages(report: Report | ReportView, options: Options) -> dict[str, bytes]:
    """The paper as HTML, and with appendices_separately each appendix, by output_paths' key."""
    from kpi_excel.html import PAPER, html_parts

    parts = html_parts(report, show_details=options.indicator_pages, appendices=options.appendices_separately)
    return {"html" if part == PAPER else f"appendix-{part}-html": data for part, data in parts.items()}


def paper_bytes(report: Report | ReportView, options: Options,
                charts: Mapping[Indicator, Any] | None = None) -> bytes:
    """The paper's .docx bytes (a function of its own, so another process can run it), with any
    charts made already."""
    from kpi_excel import paper

    return paper.render_paper(report, options.template, show_details=options.indicator_pages, charts=charts,
                              chart_images_only=options.chart_images)
