"""Rendering the HTML edition: the paper's context through the package's own Jinja template.

The context is the Word paper's (paper/context.py): every sentence, number and table row is the
same, and each chart is its chart spec laid out for SVG (layout.py, svg.py). Jinja escapes every
value; the page is one self-contained file with its stylesheet inline and a
Content-Security-Policy that allows no script and no fetch of anything.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from kpi_excel.core.model import Report
from kpi_excel.html import layout
from kpi_excel.html.svg import chart_svg, legend_key
from kpi_excel.present import palette
from kpi_excel.present.chartspec import ChartSpec
from kpi_excel.present.narrative import NO_RED
from kpi_excel.present.paper import paper_context
from kpi_excel.present.views import ReportView, viewed

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "paper.html.j2"
PAPER = "paper"  # the whole paper; an appendix on its own is its number
Part = str | int

# A mailto: link only for what reads as one address; anything else stays text
_EMAIL = re.compile(r"[^\s@<>\"'():;,\\]+@[^\s@<>\"'():;,\\]+\.[^\s@<>\"'():;,\\]+")
_PHONE = re.compile(r"\+?[\d ()-]{6,}")


def render_html(rated: Report | ReportView, *, show_details: bool = True, part: Part = PAPER) -> str:
    """The paper (or one appendix of it) as an HTML page."""
    view = viewed(rated)
    return _render(paper_context(view, _drawing, show_details=show_details), view.report, part)


def html_parts(rated: Report | ReportView, *, show_details: bool = True,
               appendices: bool = False) -> dict[Part, bytes]:
    """The whole paper, and with appendices each appendix as a page of its own (Appendix 2 only
    when the paper has it), as UTF-8 bytes by part."""
    view = viewed(rated)
    report = view.report
    context = paper_context(view, _drawing, show_details=show_details)
    parts: list[Part] = [PAPER]
    if appendices:
        parts += [1, 2] if context["proposals"] else [1]
    return {part: _render(context, report, part).encode("utf-8") for part in parts}


def _drawing(spec: ChartSpec | None) -> layout.ChartDrawing | str:
    return layout.chart_drawing(spec) if spec is not None else ""


def _render(context: Mapping[str, Any], report: Report, part: Part) -> str:
    anchors = _anchors(context)
    page = {
        **context,
        "part": part,
        "shift": 1 if part == PAPER else 0,
        "page_title": page_title(context, part),
        "anchor": lambda item: anchors[id(item)],
        "sha256": report.dataset.sha256,
        "no_red": NO_RED,
        "placeholder_pattern": _placeholder_pattern(context["placeholders"]),
    }
    return template().render(page)


def page_title(context: Mapping[str, Any], part: Part) -> str:
    """What the browser's tab and a screen reader announce first: the paper and its meeting."""
    paper = f"{context['subject']} – {context['to_line']}"
    if part == 1:
        return f"Appendix 1: {context['dashboard_title']} – {paper}"
    if part == 2:
        return f"Appendix 2: Proposed KPIs and targets for {context['next_year']} – {paper}"
    return paper


def _anchors(context: Mapping[str, Any]) -> dict[int, str]:
    """Each indicator's block's id, by the identity of its item (the same item is in the sections,
    the Red list and the KPI list)."""
    anchors = {id(item): f"kpi-{n}" for n, item in enumerate(context["kpis"], start=1)}
    anchors.update({id(item): f"activity-{n}" for n, item in enumerate(context["activities"], start=1)})
    return anchors


def _placeholder_pattern(placeholders: Sequence[str]) -> re.Pattern[str] | None:
    if not placeholders:
        return None
    return re.compile("(" + "|".join(re.escape(p) for p in placeholders) + ")")


@jinja2.pass_context
def _finalize(context: jinja2.runtime.Context, value: Any) -> Any:
    """Every value written: a placeholder for a detail the workbook does not give is marked, as
    the Word paper highlights it."""
    if isinstance(value, str) and not isinstance(value, Markup) and "[" in value:
        pattern = context.get("placeholder_pattern")
        if pattern is not None:
            return marked(value, pattern)
    return value


def marked(text: str, pattern: re.Pattern[str]) -> Markup:
    """text escaped, with each match of pattern (one group) in <mark>."""
    pieces = pattern.split(text)
    return Markup("").join(Markup("<mark>{}</mark>").format(piece) if i % 2 else escape(piece)
                           for i, piece in enumerate(pieces))


def mailto(address: str) -> str:
    """A mailto: URL for an email address, or "" where the text is not one address."""
    address = address.strip()
    return f"mailto:{quote(address, safe='@.+-_')}" if _EMAIL.fullmatch(address) else ""


def tel(number: str) -> str:
    """A tel: URL for a phone number, or "" where the text is not one."""
    number = number.strip()
    if not _PHONE.fullmatch(number):
        return ""
    return "tel:" + ("+" if number.startswith("+") else "") + re.sub(r"\D", "", number)


def fill_class(word: str) -> str:
    """The class that shades a cell reading word (a RAG or range word), from the palette."""
    return f"fill-{_slug(word)}" if word in palette.WORD_SWATCHES else ""


def _slug(word: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", word.lower()).strip("-")


@cache
def stylesheet() -> str:
    """The page's stylesheet: the layout, then the cell fills of the one palette."""
    # on paper, too, the chart is drawn smaller than on a desktop: its labels at the larger size
    narrow = (f"@media print,(max-width:{layout.NARROW_PAGE}){{"
              f"svg.chart{{font-size:{layout.NARROW_FONT:g}px}}"
              "svg.chart .wide-only{display:none}svg.chart .end-when-narrow{text-anchor:end}}")
    fills = [f".{fill_class(word)}{{background-color:{s.fill};color:{s.text}}}"
             for word, s in palette.WORD_SWATCHES.items()]
    rules = [f"thead th{{background-color:{palette.HEADER_FILL};color:{palette.BLACK}}}",
             f".changed{{background-color:{palette.CHANGE_FILL};color:{palette.BLACK}}}", *fills, narrow]
    css = (TEMPLATES / "paper.css").read_text(encoding="utf-8")
    # the fills come before the forced-colours and print rules, which may override them
    head, _, tail = css.partition("@media (forced-colors:active)")
    return head + "\n".join(rules) + "\n@media (forced-colors:active)" + tail


@cache
def content_security_policy() -> str:
    """No script, no fetch: only the page's own stylesheet, by its hash."""
    digest = base64.b64encode(hashlib.sha256(stylesheet().encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'")


@cache
def environment() -> jinja2.Environment:
    """The package's own templates only, every value escaped, an unknown name an error."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             finalize=_finalize, auto_reload=False)
    env.globals.update({
        "chart_svg": chart_svg, "legend_key": legend_key, "fill_class": fill_class, "mailto": mailto,
        "tel": tel,
        "css": Markup(stylesheet()), "csp": content_security_policy(),
    })
    return env


@cache
def template() -> jinja2.Template:
    return environment().get_template(TEMPLATE_NAME)
