"""Rendering the paper: the template filled with the report's context, tidied and saved as .docx."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from docx.document import Document as DocumentObject

from kpi_excel import stamp
from kpi_excel.core.model import Indicator, Report
from kpi_excel.paper.images import chart_images
from kpi_excel.paper.native_charts import native_charts
from kpi_excel.paper.templates import (
    default_template,
    fit_property,
    open_template,
    render_budgeted,
)
from kpi_excel.paper.xmlfix import (
    colour_text_on_fills,
    drop_empty_last_section,
    highlight_placeholders,
    save_docx,
    set_custom_properties,
    tidy_package,
    tidy_tables,
)
from kpi_excel.present import palette
from kpi_excel.present.paper import ChartFn, dashboard_title, fixed_time, paper_context, paper_subject
from kpi_excel.present.views import ReportView, viewed


def render_paper(rated: Report | ReportView, template: Path | None = None, *, show_details: bool = True,
                 charts: Mapping[Indicator, Any] | None = None, chart_images_only: bool = False) -> bytes:
    """The paper as .docx bytes: the same report and template always give the same bytes.

    Each indicator's chart is a native Word chart, or with chart_images_only a picture.
    show_details=False leaves out each indicator's page of detail and its chart. charts are
    those made already, by another process: pictures (charts.report_charts) with
    chart_images_only, else native charts' files (workbook.charts.report_chart_files); others
    are made here.
    """
    view = viewed(rated)
    report = view.report
    path = template or default_template()
    tpl = open_template(path)
    chart: ChartFn | None = None
    if show_details:
        chart = chart_images(tpl, charts) if chart_images_only else native_charts(tpl, report, charts)
    context = paper_context(view, chart, show_details=show_details)
    text_on = {s.fill_hex: s.text_hex for s in palette.WORD_SWATCHES.values()}
    fixes: list[Callable[[Any], None]] = [
        drop_empty_last_section, tidy_tables, partial(colour_text_on_fills, text_on=text_on),
        partial(highlight_placeholders, placeholders=context["placeholders"])]
    tpl.body_steps = fixes  # made on each part of the body as it is rendered, where that applies
    render_budgeted(tpl, context, path)
    document = tpl.docx
    if tpl.body_steps is None:  # the body was rendered whole
        for fix in fixes:
            fix(document)
    tidy_package(document)
    set_core_properties(document, report)
    source = {"Source file": report.dataset.source, "Source SHA-256": report.dataset.sha256}
    marks = {name: value for name, value in source.items() if value}
    set_custom_properties(document, {**marks, stamp.PROPERTY: "committee paper"})
    return save_docx(document, fixed_time(report))


def write_paper(report: Report | ReportView, path: Path, *, template: Path | None = None,
                show_details: bool = True) -> None:
    """Write the committee paper (.docx) for a report to path."""
    path.write_bytes(render_paper(report, template, show_details=show_details))


def set_core_properties(document: DocumentObject, report: Report) -> None:
    """Title and author for screen readers and search; fixed dates for byte-identical output."""
    props = document.core_properties
    details = report.dataset.details
    author = details.author.name if details.author and details.author.name else details.service
    when = fixed_time(report)
    props.title = fit_property(paper_subject(report))
    props.subject = fit_property(dashboard_title(report))
    props.author = fit_property(author)
    props.last_modified_by = fit_property(author)
    props.language = "en-GB"
    props.comments = "Written by kpi-excel from the department's KPI workbook"
    props.keywords = f"KPI; performance; RAG; {stamp.KEYWORD}"  # the PDF's mark (stamp.py)
    props.revision = 1
    props.created = when
    props.modified = when
    props.last_printed = when
