"""The Word committee paper: render the .docx template with the report's sentences, tables and charts."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import shutil
import struct
import subprocess
import tempfile
import traceback
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from . import narrative, rules
from .charts import PERIODS_SHOWN, indicator_chart, observations_for, shown_periods  # noqa: F401
from .errors import OutputError, TemplateError
from .formatting import DIRECTION_ARROWS, DIRECTION_WORDS, direction_word, format_value, rag_word, range_word
from .guidance import ACTIVITY_NOTE, direction_key, rag_key, rag_notes, range_key
from .model import Indicator, Observation, Period, Person, Proposal, Rag, Rating, Report

TEMPLATE_NAME = "committee-paper.docx"
RAG_FILLS = {Rag.GREEN: "00B050", Rag.AMBER: "FFC000", Rag.RED: "FF0000"}  # black text on each: AA
NO_FILL = "FFFFFF"
HEADER_FILL = "D9D9D9"
CHANGE_FILL = "FFF2CC"
DASH = "–"  # an empty cell would be read out as nothing: say there is no value
CHART_WIDTH = Cm(16.0)
_NO_DATE = dt.datetime(2000, 1, 1)

ChartFn = Callable[[Rating, Sequence[Observation], str], Any]


# --- The template ---------------------------------------------------------------------------------


def default_template() -> Path:
    """The shipped template, kpi_excel/report_templates/committee-paper.docx."""
    return Path(str(resources.files("kpi_excel") / "report_templates" / TEMPLATE_NAME))


def environment() -> SandboxedEnvironment:
    """The Jinja environment for user-editable templates.

    Sandboxed, so a tag cannot reach Python internals; no loader, so a tag cannot read files;
    StrictUndefined, so a misspelt name stops the build instead of printing nothing; and
    autoescape, so an '&' in a KPI name cannot corrupt the document.
    """
    return _CompiledOnce(undefined=jinja2.StrictUndefined, autoescape=True)


class _CompiledOnce(SandboxedEnvironment):
    """Compiles each template text once per process: a council-wide run renders the same
    template for every directorate, and compiling it took half the time of a short paper."""

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> jinja2.Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        return _compiled(source)


@lru_cache(maxsize=8)
def _compiled(source: str) -> jinja2.Template:
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True).from_string(source)


def _open_template(path: Path) -> DocxTemplate:
    if not path.is_file():
        raise TemplateError("the template file does not exist", file=str(path),
                            fix="Check the path given to --template")
    template = DocxTemplate(str(path))
    try:
        template.init_docx()
    except Exception as error:  # python-docx raises several kinds for a file that is not .docx
        raise TemplateError(f"is not a Word .docx file ({error.__class__.__name__})", file=str(path),
                            fix="Save the template from Word as a .docx document") from error
    return template


# --- The context: every value the template may use ------------------------------------------------


def paper_context(report: Report, chart: ChartFn | None = None, *,
                  show_details: bool = True) -> dict[str, Any]:
    """Everything the template's tags may use (docs/paper.md lists it).

    Without show_details the template leaves out each indicator's page of detail (its chart and
    table of periods): a council-wide report keeps those in each directorate's own paper.
    """
    details = report.dataset.details
    shown = shown_periods(report)
    kpis = [kpi_item(r, report, shown, chart) for r in report.kpis]
    by_label = {r.indicator.label: item for r, item in zip(report.kpis, kpis, strict=True)}
    year = narrative.financial_year(report)
    summary = report.summary
    return {
        "title": paper_subject(report),
        "service": details.service,
        "committee": details.committee,
        "meeting_date": date_text(details.meeting_date),
        "to_line": " – ".join(t for t in (details.committee, date_text(details.meeting_date)) if t),
        "subject": paper_subject(report),
        "classification": details.classification,
        "from_people": [person_item(p, "From:" if i == 0 else "") for i, p in enumerate(details.from_)],
        "summary_intro": narrative.summary_intro(report),
        "summary_headline": narrative.headline(summary, report.dataset.settings.rag_method,
                                               narrative.not_rated_counts(report.kpis)),
        "summary_red": narrative.red_summary(report),
        "recommendation": narrative.recommendation(report),
        "introduction": narrative.introduction(report),
        "dashboard_paragraphs": [{"number": p.number, "text": p.text, "bullets": list(p.bullets)}
                                 for p in narrative.dashboard_paragraphs(report)],
        "author": person_item(details.author),
        "director": person_item(details.director),
        "period": report.period.label if report.period else "",
        "period_end": narrative.month_year(report.period) if report.period else "",
        "financial_year": year,
        "next_year": narrative.next_year(year) if year else "",
        "year_end": narrative.is_year_end(report),
        "counts": {"green": summary.green, "amber": summary.amber, "red": summary.red,
                   "not_rated": summary.not_rated, "total": summary.total},
        "dashboard_title": dashboard_title(report),
        "data_note": data_note(report),
        "summary_table_note": ("Each KPI is rated on its latest value. The RAG rating is written as a "
                               "word as well as shown in colour."),
        "guidance": guidance_context(report),
        "sections": paginate([{"name": name or "Key Performance Indicators",
                               "kpis": [by_label[r.indicator.label] for r in ratings]}
                              for name, ratings in report.sections()]),
        "kpis": kpis,
        "red_kpis": [item for r, item in zip(report.kpis, kpis, strict=True) if r.rag is Rag.RED],
        "activities": _two_a_page([activity_item(r, report, shown, chart) for r in report.activities],
                                  first=1),
        "proposals": proposal_items(report),
        "proposals_intro": proposals_intro(report),
        "directorates": directorate_items(report),
        "directorates_intro": narrative.directorates_intro(report.directorates()),
        "show_details": show_details,
        "source": report.dataset.source,
    }


def directorate_items(report: Report) -> list[dict[str, Any]]:
    """KPI counts for each directorate, when the report spans more than one (else none)."""
    rows = report.directorates()
    if len(rows) < 2:
        return []
    return [{"name": name, "total": s.total, "green": s.green, "amber": s.amber, "red": s.red,
             "not_rated": s.not_rated} for name, s in rows]


def paginate(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark where a page starts so the KPI details fall two to a page, each chart with its table.

    A break before a section's first KPI goes before the section heading instead.
    """
    _two_a_page([kpi for section in sections for kpi in section["kpis"]])
    for section in sections:
        first = section["kpis"][0] if section["kpis"] else {}
        section["break_before"] = first.get("break_before", False)
        if first:
            first["break_before"] = False
    return sections


def _two_a_page(items: list[dict[str, Any]], first: int = 0) -> list[dict[str, Any]]:
    """Set break_before on every second item; `first` items share the first page with what precedes."""
    for index, item in enumerate(items):
        item["break_before"] = index > 0 and (index - first) % 2 == 0 and index >= first
    return items


def paper_subject(report: Report) -> str:
    details = report.dataset.details
    return details.subject or dashboard_title(report)


def dashboard_title(report: Report) -> str:
    service = narrative.without_the(report.dataset.details.service)
    return f"{service} Performance Dashboard" if service else "Performance Dashboard"


def date_text(date: dt.date | None) -> str:
    """29 July 2020."""
    return f"{date.day} {date:%B %Y}" if date else ""


def data_note(report: Report) -> str:
    if report.period is None:
        return "The workbook has no results yet."
    end = narrative.month_year(report.period)
    when = f"year end {report.period.financial_year}" if narrative.is_year_end(report) else \
        report.period.financial_year
    return f"Results to {end} ({when}), from {report.dataset.source}."


def person_item(person: Person | None, label: str = "") -> dict[str, Any]:
    """A person as the template sees them: name, role, team, phone, email and their lines."""
    person = person or Person("")
    line = ", ".join(t for t in (person.name, person.role) if t)
    details = [t for t in (person.role, person.team, person.phone, person.email) if t]
    return {"label": label, "name": person.name, "role": person.role, "team": person.team,
            "phone": person.phone, "email": person.email, "line": line, "details": details}


def guidance_context(report: Report) -> dict[str, Any]:
    """The keys as applied, from guidance.py, so the paper and the workbook say the same."""
    settings = report.dataset.settings
    colours = {rag.word: RAG_FILLS[rag] for rag in Rag}
    arrows = {DIRECTION_WORDS[d]: DIRECTION_ARROWS[d] for d in DIRECTION_WORDS}
    return {
        "rag": [{"label": k.label, "meaning": k.meaning, "fill": colours.get(k.label, NO_FILL)}
                for k in rag_key(settings)],
        "rag_notes": list(rag_notes(settings)),
        "direction": [{"label": k.label, "meaning": k.meaning, "arrow": arrows.get(k.label, "")}
                      for k in direction_key(settings)],
        "range": [{"label": k.label, "meaning": k.meaning} for k in range_key()],
        "activity_note": ACTIVITY_NOTE,
        "table_note": f"In the tables, a dash ({DASH}) means there is no value.",
    }


def _or_dash(text: str) -> str:
    return text or DASH


def kpi_item(rating: Rating, report: Report, shown: Sequence[Period],
             chart: ChartFn | None) -> dict[str, Any]:
    """One KPI as the template sees it: the summary-table cells, facts, period values and chart."""
    ind = rating.indicator
    observations = observations_for(ind, shown)
    description = narrative.chart_description(rating, observations, report)
    direction = direction_word(rating.direction)
    arrow = DIRECTION_ARROWS[rating.direction] if rating.direction else ""
    return {
        "code": _or_dash(ind.code), "name": ind.name, "label": ind.label, "section": ind.section,
        "value": _or_dash(format_value(rating.value, ind)),
        "period": rating.latest.period.label if rating.latest else DASH,
        "target": _or_dash(format_value(ind.target, ind)),
        "floor": _or_dash(format_value(ind.floor, ind)),
        "rag": rag_word(rating), "rag_fill": RAG_FILLS.get(rating.rag, NO_FILL) if rating.rag else NO_FILL,
        "direction": _or_dash(direction), "arrow": arrow,
        "direction_text": f"{arrow} {direction}" if direction else DASH,
        "commentary": ind.commentary,
        "commentary_text": ind.commentary or "No commentary was given in the workbook.",
        "facts": narrative.kpi_facts(rating, report),
        "stale": rating.stale,
        "chart_description": description,
        "chart": chart(rating, observations, description) if chart else "",
        "periods": [_kpi_period(o, ind, report) for o in observations],
    }


def _kpi_period(observation: Observation, ind: Indicator, report: Report) -> dict[str, str]:
    rag = None
    if observation.value is not None and ind.target is not None:
        rag = rules.rag_for(observation.value, ind, report.dataset.settings)
    return {"label": observation.period.label,
            "value": _or_dash(format_value(observation.value, ind)),
            "rag": rag.word if rag else DASH, "rag_fill": RAG_FILLS[rag] if rag else NO_FILL}


def activity_item(rating: Rating, report: Report, shown: Sequence[Period],
                  chart: ChartFn | None) -> dict[str, Any]:
    """One activity indicator: latest value against its expected range, period values and chart."""
    ind = rating.indicator
    observations = observations_for(ind, shown)
    description = narrative.chart_description(rating, observations, report)
    return {
        "code": _or_dash(ind.code), "name": ind.name, "label": ind.label, "section": ind.section,
        "value": _or_dash(format_value(rating.value, ind)),
        "period": rating.latest.period.label if rating.latest else DASH,
        "lower": _or_dash(format_value(ind.lower_threshold, ind)),
        "upper": _or_dash(format_value(ind.upper_threshold, ind)),
        "range": range_word(rating.range_status) or "No range",
        "commentary": ind.commentary,
        "facts": narrative.activity_facts(rating),
        "chart_description": description,
        "chart": chart(rating, observations, description) if chart else "",
        "periods": [_activity_period(o, ind) for o in observations],
    }


def _activity_period(observation: Observation, ind: Indicator) -> dict[str, str]:
    status = rules.range_status(observation.value, ind) if observation.value is not None else None
    return {"label": observation.period.label, "value": _or_dash(format_value(observation.value, ind)),
            "range": range_word(status) or DASH}


def proposal_items(report: Report) -> list[dict[str, Any]]:
    """Appendix 2's rows: each proposal beside this year's target and floor, then dropped KPIs."""
    if not report.dataset.proposals:
        return []
    indicators = narrative.kpis_by_key(report)
    rows = [_proposal_row(p, indicators) for p in report.dataset.proposals]
    proposed = {key for p in report.dataset.proposals for key in (p.code, p.name) if key}
    coming = narrative.next_year(narrative.financial_year(report)) if report.period else "next year"
    for rating in report.kpis:
        ind = rating.indicator
        if not ({ind.code, ind.name} & proposed):
            rows.append({"code": _or_dash(ind.code), "name": ind.name,
                         "current_target": _or_dash(format_value(ind.target, ind)),
                         "current_floor": _or_dash(format_value(ind.floor, ind)),
                         "target": DASH, "floor": DASH, "change": f"Not proposed for {coming}",
                         "changed": True, "change_fill": CHANGE_FILL})
    return rows


def _proposal_row(proposal: Proposal, indicators: dict[str, Indicator]) -> dict[str, Any]:
    match = indicators.get(proposal.code) or indicators.get(proposal.name)
    shape = match or Indicator(proposal.name, proposal.code, is_percent=proposal.is_percent)
    kinds = narrative.proposal_changes(proposal, indicators)
    current_target, current_floor = proposal.current_target, proposal.current_floor
    if current_target is None and current_floor is None and match and "new" not in kinds:
        current_target, current_floor = match.target, match.floor
    return {
        "code": _or_dash(proposal.code), "name": proposal.name,
        "current_target": _or_dash(format_value(current_target, shape)),
        "current_floor": _or_dash(format_value(current_floor, shape)),
        "target": _or_dash(format_value(proposal.target, shape)),
        "floor": _or_dash(format_value(proposal.floor, shape)),
        "change": narrative.change_note(kinds, proposal, shape),
        "changed": bool(kinds), "change_fill": CHANGE_FILL if kinds else NO_FILL,
    }


def proposals_intro(report: Report) -> str:
    if not report.dataset.proposals:
        return ""
    year = narrative.financial_year(report)
    coming = narrative.next_year(year) if year else "next year"
    this = year or "this year"
    return (f"The proposed target and floor standard for {coming} beside those for {this}; any change "
            "is described, and shaded, in the last column.")


# --- Rendering ------------------------------------------------------------------------------------


class DescribedImage(InlineImage):
    """An inline picture with alt text (docxtpl's InlineImage has no parameter for it).

    The picture is made only when the template places it, so a template without charts
    does not pay for drawing them.
    """

    def __init__(self, tpl: DocxTemplate, image: Callable[[], bytes], description: str,
                 width: Any = CHART_WIDTH) -> None:
        super().__init__(tpl, None, width=width)
        self.image = image
        self.description = description

    def _insert_image(self) -> str:
        try:
            picture = io.BytesIO(self.image())
        except Exception as error:  # our own drawing failed: not the template's fault
            raise ChartDrawingError(f"drawing a chart failed: {error!r}") from error
        inline = self.tpl.current_rendering_part.new_pic_inline(picture, self.width, self.height)
        inline.docPr.set("descr", self.description)
        for properties in inline.xpath(".//pic:cNvPr"):
            properties.set("descr", self.description)
        return f'</w:t></w:r><w:r><w:drawing>{inline.xml}</w:drawing></w:r><w:r><w:t xml:space="preserve">'


class ChartDrawingError(RuntimeError):
    """A chart could not be drawn: a fault in kpi-excel, kept apart from template errors."""


def chart_images(tpl: DocxTemplate, drawn: Mapping[Indicator, bytes] | None = None) -> ChartFn:
    """Chart images for a template: a PNG per indicator with its alt text (drawn already, or now)."""
    def make(rating: Rating, observations: Sequence[Observation], description: str) -> DescribedImage:
        def picture() -> bytes:
            if drawn is not None and rating.indicator in drawn:
                return drawn[rating.indicator]
            return indicator_chart(rating.indicator, observations)
        return DescribedImage(tpl, picture, description)
    return make


def render_paper(report: Report, template: Path | None = None, *, show_details: bool = True,
                 charts: Mapping[Indicator, bytes] | None = None) -> bytes:
    """The paper as .docx bytes: the same report and template always give the same bytes.

    show_details=False leaves out each indicator's page of detail and draws no charts. charts
    are pictures drawn already (charts.report_charts, by another process); others are drawn here.
    """
    path = template or default_template()
    tpl = _open_template(path)
    pictures = chart_images(tpl, charts) if show_details else None
    context = paper_context(report, pictures, show_details=show_details)
    _render(tpl, context, path)
    document = tpl.docx
    drop_empty_last_section(document)
    tidy_tables(document)
    set_core_properties(document, report)
    return _save(document, fixed_time(report))


# A tag can fail as a Jinja error, or as a TypeError from a value used the wrong way or an
# {% include %} in an environment with no loader: each is the template's problem to report.
_TAG_ERRORS = (jinja2.TemplateError, TypeError, ValueError, ArithmeticError)


def _render(tpl: DocxTemplate, context: dict[str, Any], path: Path) -> None:
    try:
        tpl.render(context, jinja_env=environment(), autoescape=True)
    except _TAG_ERRORS as error:
        raise template_error(error, template_lines(path), path) from error


def write_paper(report: Report, path: Path, *, template: Path | None = None,
                show_details: bool = True) -> None:
    """Write the committee paper (.docx) for a report to path."""
    path.write_bytes(render_paper(report, template, show_details=show_details))


def fixed_time(report: Report) -> dt.datetime:
    """The paper's created/modified time, from the data: the meeting date, else the period's end."""
    details = report.dataset.details
    if details.meeting_date:
        return dt.datetime.combine(details.meeting_date, dt.time())
    if report.period:
        return dt.datetime.combine(report.period.end, dt.time())
    return _NO_DATE


def set_core_properties(document: DocumentObject, report: Report) -> None:
    """Title and author for screen readers and search; fixed dates for byte-identical output."""
    props = document.core_properties
    details = report.dataset.details
    author = details.author.name if details.author and details.author.name else details.service
    when = fixed_time(report)
    props.title = paper_subject(report)
    props.subject = dashboard_title(report)
    props.author = author
    props.last_modified_by = author
    props.language = "en-GB"
    props.comments = f"Written by kpi-excel from {report.dataset.source}"
    props.keywords = "KPI; performance; RAG"
    props.revision = 1
    props.created = when
    props.modified = when
    props.last_printed = when


def drop_empty_last_section(document: DocumentObject) -> None:
    """Remove a last section with nothing in it, which would print as a blank page.

    A template section that ends inside a {%p if %} (so that it vanishes with its content) leaves
    an empty section after it when the content is there.
    """
    body = document.element.body
    children = list(body)
    if len(children) < 2 or children[-1].tag != qn("w:sectPr") or children[-2].tag != qn("w:p"):
        return
    paragraph = children[-2]
    sect = paragraph.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
    if sect is None:
        return
    body.replace(children[-1], sect)  # moves it out of the paragraph
    if not _paragraph_text(paragraph) and paragraph.find(f".//{qn('w:drawing')}") is None:
        body.remove(paragraph)


_TC_ORDER = ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"]
# tag names worked out once, not for each of a paper's thousands of cells
_TC_RANK = {qn(f"w:{name}"): i for i, name in enumerate(_TC_ORDER)}
_TBL, _GRID_COL, _TR, _TC, _TC_PR, _GRID_SPAN, _TC_W, _W, _VAL, _TYPE = (
    qn(f"w:{name}") for name in ("tbl", "gridCol", "tr", "tc", "tcPr", "gridSpan", "tcW", "w", "val", "type"))


def tidy_tables(document: DocumentObject) -> None:
    """Put cell properties in schema order and cell widths on the table grid.

    docxtpl's {% cellbg %} puts w:shd first in w:tcPr, an order Word reports as unreadable
    content; and {%tc %} column loops leave every repeated cell with the template cell's width.
    """
    for table in document.element.body.iter(_TBL):
        widths = [col.get(_W) for col in table.iter(_GRID_COL)]
        for row in table.iter(_TR):
            column = 0
            for cell in row.findall(_TC):
                tc_pr = cell.find(_TC_PR)
                if tc_pr is None:
                    column += 1
                    continue
                _order_children(tc_pr, _TC_RANK)
                span = tc_pr.find(_GRID_SPAN)
                columns = int(span.get(_VAL)) if span is not None else 1
                width = tc_pr.find(_TC_W)
                if width is not None and column + columns <= len(widths):
                    total = sum(int(w or 0) for w in widths[column:column + columns])
                    width.set(_W, str(total))
                    width.set(_TYPE, "dxa")
                column += columns


def _order_children(element: Any, rank: dict[str, int]) -> None:
    children = list(element)
    ordered = sorted(children, key=lambda child: rank.get(child.tag, len(rank)))
    if ordered != children:
        for child in ordered:
            element.append(child)


def _save(document: DocumentObject, when: dt.datetime) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return deterministic_docx(buffer.getvalue(), when)


def deterministic_docx(data: bytes, when: dt.datetime) -> bytes:
    """The same .docx with every zip member stamped `when`, in a fixed order.

    python-docx stamps each member with the current time, so two builds of the same input would
    differ; fixed times and order make them byte-identical.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels", n))
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            # pictures are compressed already: deflating them again costs time and saves nothing
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(name))
    return out.getvalue()


# --- Appendices as files of their own -------------------------------------------------------------

_APPENDIX = re.compile(r"^\s*Appendix\s+(\d+)\b", re.IGNORECASE)


def appendix_numbers(paper: bytes) -> list[int]:
    """The appendices the paper has, from its 'Appendix N' Heading 1 paragraphs."""
    document = Document(io.BytesIO(paper))
    return [n for n, _index in _appendix_starts(document)]


def _appendix_starts(document: DocumentObject) -> list[tuple[int, int]]:
    starts = []
    for index, element in enumerate(document.element.body):
        if element.tag != qn("w:p"):
            continue
        style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        text = "".join(t.text or "" for t in element.iter(qn("w:t")))
        match = _APPENDIX.match(text)
        if match and style is not None and style.get(qn("w:val")) == "Heading1":
            starts.append((int(match.group(1)), index))
    return starts


def appendix_document(paper: bytes, number: int, when: dt.datetime) -> bytes:
    """Appendix `number` of a rendered paper as a document of its own, with its page layout."""
    document = Document(io.BytesIO(paper))
    body = document.element.body
    starts = _appendix_starts(document)
    bounds = [i for n, i in starts]
    start = dict(starts)[number]
    following = [i for i in bounds if i > start]
    children = list(body)
    end = following[0] if following else len(children)
    body_sect = body.find(qn("w:sectPr"))
    footers = _references(children, body_sect)
    layout = _section_after(children, end, body_sect)
    for child in children[:start] + children[end:]:
        if child is not body_sect:
            body.remove(child)
    if layout is not body_sect:
        body.replace(body_sect, copy.deepcopy(layout))
    _give_footers(body, footers)
    document.core_properties.title = _paragraph_text(children[start])
    return _save(document, when)


def _section_after(children: Sequence[Any], end: int, body_sect: Any) -> Any:
    """The section properties that lay out the last kept element: the next section break."""
    for child in children[end - 1:]:
        sect = child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") if child.tag == qn("w:p") else None
        if sect is not None:
            return sect
    return body_sect


def _references(children: Sequence[Any], body_sect: Any) -> list[Any]:
    """The header and footer references of the first section (later sections inherit them)."""
    for child in children:
        sect = child if child is body_sect else child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
        if sect is not None:
            refs = [r for r in sect if r.tag in (qn("w:headerReference"), qn("w:footerReference"))]
            if refs:
                return refs
    return []


def _give_footers(body: Any, refs: Sequence[Any]) -> None:
    """A cut-out appendix no longer has the section its footer was inherited from: copy it in."""
    first = next(iter(body.iter(qn("w:sectPr"))), None)
    if first is None or any(r.tag == qn("w:footerReference") for r in first):
        return
    for ref in reversed(refs):
        first.insert(0, copy.deepcopy(ref))


def _paragraph_text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def appendix_files(paper: bytes, when: dt.datetime) -> dict[int, bytes]:
    """Each appendix of a rendered paper as a .docx of its own, by appendix number."""
    return {number: appendix_document(paper, number, when) for number in appendix_numbers(paper)}


# --- PDF ------------------------------------------------------------------------------------------


class LibreOfficeMissingError(OutputError):
    """--pdf needs LibreOffice, which is not installed."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_pdf(docx: Path, pdf: Path, *, timeout: int = 300) -> None:
    """Convert the paper to PDF with LibreOffice, headless, with a profile of its own."""
    exe = soffice_path()
    if exe is None:
        raise LibreOfficeMissingError(
            "a PDF needs LibreOffice, which is not installed", file=str(pdf),
            fix="Install LibreOffice (on Debian or Ubuntu: apt-get install libreoffice-writer-nogui; "
                "elsewhere from libreoffice.org), or leave out --pdf and save the .docx as PDF from Word",
        )
    with tempfile.TemporaryDirectory(prefix="kpi-excel-pdf-") as work:
        profile = Path(work) / "profile"
        try:
            result = subprocess.run(
                [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", work, str(docx)],
                capture_output=True, text=True, timeout=timeout, check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise OutputError(f"LibreOffice took more than {timeout} s to convert the paper to PDF",
                              file=str(docx),
                              fix="Close any LibreOffice window and retry, or save the .docx as PDF "
                                  "from Word") from error
        made = Path(work) / f"{docx.stem}.pdf"
        if not made.exists():
            raise OutputError(f"LibreOffice could not convert the paper to PDF ({result.stderr.strip()})",
                              file=str(docx), fix="Open the .docx in Word and save it as PDF")
        shutil.copyfile(made, pdf)


# --- Checking a template --------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateCheck:
    """What `kpi-excel template check` reports about a template."""

    path: Path
    missing: tuple[str, ...]  # names the template uses that kpi-excel does not provide
    unused: tuple[str, ...]  # names kpi-excel provides that the template does not use
    problems: tuple[str, ...]  # broken tags, in plain words

    @property
    def ok(self) -> bool:
        return not self.missing and not self.problems


def template_lines(path: Path) -> list[str]:
    """The template's text as Jinja sees it, one paragraph a line (docxtpl numbers lines so)."""
    tpl = _open_template(path)
    xml = tpl.patch_xml(tpl.get_xml())
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _key, part in tpl.get_headers_footers(uri):
            xml += tpl.patch_xml(tpl.get_part_xml(part))
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml).splitlines()


def check_template(path: Path, report: Report) -> TemplateCheck:
    """Missing and unused names, and broken tags, found by reading and trial-rendering the template."""
    lines = template_lines(path)
    provided = set(paper_context(report))
    try:
        parsed = environment().parse("\n".join(lines))
    except jinja2.TemplateSyntaxError as error:
        return TemplateCheck(path, (), (), (_problem_text(template_error(error, lines, path)),))
    used = meta.find_undeclared_variables(parsed)
    missing = tuple(sorted(used - provided))
    unused = tuple(sorted(provided - used))
    problems: tuple[str, ...] = ()
    if not missing:
        problems = _trial_render(path, report)
    return TemplateCheck(path, missing, unused, problems)


def _trial_render(path: Path, report: Report) -> tuple[str, ...]:
    tpl = _open_template(path)
    context = paper_context(report, _placeholder_images(tpl))
    try:
        tpl.render(context, jinja_env=environment(), autoescape=True)
    except _TAG_ERRORS as error:
        return (_problem_text(template_error(error, template_lines(path), path)),)
    return ()


def _problem_text(error: TemplateError) -> str:
    """Where, what and what to do, without the file name (the check names the file once)."""
    text = f"{error.where}: {error.problem}" if error.where else error.problem
    return f"{text}. {error.fix}" if error.fix else text


def _blank_png() -> bytes:
    """A 1 x 1 white PNG: a stand-in for charts when only the template's tags are being checked."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
            + chunk(b"IEND", b""))


def _placeholder_images(tpl: DocxTemplate) -> ChartFn:
    def make(_rating: Rating, _observations: Sequence[Observation], description: str) -> DescribedImage:
        return DescribedImage(tpl, _blank_png, description, width=Cm(1))
    return make


def template_error(error: Exception, lines: Sequence[str], path: Path) -> TemplateError:
    """A Jinja error as a message a template author can act on: where, what is wrong, what to do."""
    lineno = _error_line(error)
    what, fix = _explain(error)
    if isinstance(error, jinja2.TemplateSyntaxError) and "looking for" in str(error.message or ""):
        lineno = _unclosed_block(lines) or lineno
    where = _where(lines, lineno)
    return TemplateError(what, file=str(path), where=where, fix=fix)


def _error_line(error: Exception) -> int | None:
    if getattr(error, "lineno", None):
        return int(error.lineno)  # type: ignore[attr-defined]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<template>"]
    return frames[-1].lineno if frames else None


def _where(lines: Sequence[str], lineno: int | None) -> str:
    if not lineno or lineno > len(lines):
        return ""
    text = " ".join(re.sub(r"<[^>]+>", "", lines[lineno - 1]).split())
    if len(text) > 90:
        text = text[:87] + "..."
    return f'in the paragraph "{text}"' if text else ""


_BLOCK = re.compile(r"{%-?\s*(for|if|endfor|endif)\b")


def _unclosed_block(lines: Sequence[str]) -> int | None:
    """The line of the first {% for %} or {% if %} that is never closed."""
    stack: list[tuple[str, int]] = []
    for number, line in enumerate(lines, 1):
        for word in _BLOCK.findall(re.sub(r"<[^>]+>", "", line)):
            if word in ("for", "if"):
                stack.append((word, number))
            elif stack and stack[-1][0] == word[3:]:
                stack.pop()
    return stack[-1][1] if stack else None


def _explain(error: Exception) -> tuple[str, str]:
    message = str(getattr(error, "message", None) or error)
    if not isinstance(error, jinja2.TemplateError):
        if "no loader" in message:
            return ("a tag tries to bring in another file, which templates may not do",
                    "Remove the {% include %}, {% import %} or {% extends %} tag")
        return (f"a tag uses a value in a way that does not work ({message})",
                "Check the tag against docs/paper.md")
    if isinstance(error, jinja2.exceptions.SecurityError):
        return (f"a tag tries to use something templates may not use ({message})",
                "Use only the names listed in docs/paper.md")
    if isinstance(error, jinja2.UndefinedError):
        name = _undefined_name(message)
        return (f"the tag uses '{name}', which kpi-excel does not provide",
                "Check the spelling against the list in docs/paper.md, or remove the tag")
    if "looking for the following tags" in message:
        block = "endfor" if "endfor" in message else "endif" if "endif" in message else "end"
        return (f"a {{% {block[3:] or 'block'} %}} tag is never closed",
                f"Add {{%p {block} %}} in its own paragraph after the part it covers "
                f"(in a table row, {{%tr {block} %}})")
    if "unknown tag" in message:
        tag = re.search(r"'(\w+)'", message)
        word = tag.group(1) if tag else "?"
        if word.startswith("end") or word in ("else", "elif"):
            return (f"there is a {{% {word} %}} with no {{% for %}} or {{% if %}} before it",
                    "Remove it, or add the opening tag")
        return (f"'{word}' is not a tag templates understand",
                "Tags are {{ name }} for a value and {%p for ... %} / {%p if ... %} for blocks")
    if "unexpected '}'" in message or "unexpected end of print" in message or "expected token" in message:
        return ("a tag is not written properly",
                "Write a value as {{ name }}, with two braces on each side, and a block as {% ... %}")
    return (f"a tag cannot be read ({message})", "Check the tag against docs/paper.md")


def _undefined_name(message: str) -> str:
    attr = re.search(r"has no attribute '([^']+)'", message)
    if attr:
        return attr.group(1)
    name = re.search(r"'([^']+)' is undefined", message)
    return name.group(1) if name else message


def provided_names(report: Report) -> list[str]:
    """The top-level names a template may use."""
    return sorted(paper_context(report))
