"""The paper's template: open it, the sandboxed Jinja environment, and checking its tags."""

from __future__ import annotations

import html
import io
import re
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from docxtpl import DocxTemplate
from jinja2 import meta

from kpi_excel.core.formatting import fit_text, without_control_characters
from kpi_excel.core.model import Report
from kpi_excel.errors import TemplateError
from kpi_excel.paper import body_stream, fastdocx
from kpi_excel.paper.images import placeholder_images
from kpi_excel.paper.sandbox import PaperSandbox, TemplateBudgetError, budgeted
from kpi_excel.paper.template_cleaning import cleaned_template
from kpi_excel.present.paper import paper_context

TEMPLATE_NAME = "committee-paper.docx"
# A tag can fail as a Jinja error, or as a TypeError from a value used the wrong way or an
# {% include %} in an environment with no loader: each is the template's problem to report.
TAG_ERRORS = (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, RecursionError, MemoryError)


def default_template() -> Path:
    """The shipped template, kpi_excel/report_templates/committee-paper.docx."""
    return Path(str(resources.files("kpi_excel") / "report_templates" / TEMPLATE_NAME))


def environment() -> PaperSandbox:
    """The Jinja environment for user-editable templates.

    Sandboxed to plain data (sandbox.py), so a tag can read the paper's values and nothing else;
    no loader, so a tag cannot read files; StrictUndefined, so a misspelt name stops the build
    instead of printing nothing; and autoescape, so an '&' in a KPI name cannot corrupt the
    document. Render inside render_budgeted, which holds the whole render to one budget.
    """
    return _CompiledOnce(undefined=jinja2.StrictUndefined, autoescape=True, finalize=as_typed)


# After rendering, docxtpl turns {_{ }_} {_% %_} in the document's XML into {{ }} {% %} (its way
# of writing a literal tag in a template). In a value, the underscore of such a pair is written
# as the character reference &#95;, which reads as "_" but which that replacement cannot match.
_TAG_UNDERSCORE = re.compile(r"(?<=[{%])_|_(?=[}%])")


def as_typed(value: Any) -> Any:
    """A value as the paper must show it: escaped for XML, so that docxtpl's clean-up after
    rendering leaves its text exactly as typed (pictures and markup pass unchanged)."""
    if not isinstance(value, str) or hasattr(value, "__html__") or "_" not in value:
        return value  # autoescape escapes it as usual
    return markupsafe.Markup(_TAG_UNDERSCORE.sub("&#95;", str(markupsafe.escape(value))))


def render_budgeted(tpl: DocxTemplate, context: dict[str, Any], path: Path) -> None:
    """Fill the template with the context, within one budget of steps and time for the whole
    render; a broken tag, or one over the budget, is a TemplateError naming its paragraph."""
    items = len(context["kpis"]) + len(context["activities"]) + len(context["proposals"])
    try:
        with budgeted(items):
            tpl.render(context, jinja_env=environment(), autoescape=True)
    except TAG_ERRORS as error:
        raise template_error(error, template_lines(path), path) from error


class _CompiledOnce(PaperSandbox):
    """Compiles each template text once per process: a council-wide run renders the same
    template for every directorate, and compiling it took half the time of a short paper."""

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> jinja2.Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        return _compiled(source)


@lru_cache(maxsize=8)
def _compiled(source: str) -> jinja2.Template:
    return PaperSandbox(undefined=jinja2.StrictUndefined, autoescape=True,
                        finalize=as_typed).from_string(source)


class _PaperTemplate(DocxTemplate):
    """docxtpl's template, whose tags in the document properties (the title, say) render as
    plain text within Word's 255-character limit on a property, and whose parts' XML is
    cleaned for Jinja once per process (prepare_template does it ahead of the first paper)."""

    def patch_xml(self, src_xml: str) -> str:
        patched = _PATCHED.get(src_xml)
        if patched is None:
            if len(_PATCHED) >= 8:  # a few templates at most: keep the memory bounded
                _PATCHED.clear()
            patched = _PATCHED[src_xml] = super().patch_xml(src_xml)
        return patched

    def render_properties(self, context: dict[str, Any], jinja_env: Any = None) -> None:
        props = self.docx.core_properties
        for name in ("author", "comments", "identifier", "language", "subject", "title"):
            initial = getattr(props, name)
            if "{" in initial:
                rendered = (jinja_env or environment()).from_string(initial).render(context)
                setattr(props, name, fit_property(html.unescape(rendered)))

    # the paper's fixes of the rendered body (xmlfix.py), for body_stream.py to run as it streams
    # the body; None: docxtpl renders the body whole (a trial render, a template check)
    body_steps: Sequence[Any] | None = None

    def render(self, context: dict[str, Any], jinja_env: Any = None, autoescape: bool = False) -> None:
        steps = self.body_steps
        if steps is None or not body_stream.render(self, context, jinja_env, autoescape, steps):
            self.body_steps = None  # the body is rendered whole: the fixes are still to be made
            super().render(context, jinja_env, autoescape)

    def resolve_listing(self, xml: str) -> str:
        return super().resolve_listing(xml) if fastdocx.needs_listing(xml) else xml


_PATCHED: dict[str, str] = {}  # a part's XML -> that XML cleaned for Jinja (patch_xml is a pure function)


def prepare_template(path: Path) -> None:
    """Open a template, clean its body, headers and footers for Jinja and compile their tags, as
    rendering will, so that the first paper rendered in this process finds them done (a paper
    worker does this while it waits for the report)."""
    template = open_template(path)
    _opened[path] = template  # handed to the first paper, which would open the file again
    parts = [template.get_xml()]
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        parts += [template.get_part_xml(part) for _, part in template.get_headers_footers(uri)]
    for xml in parts:
        # as docxtpl's render_xml_part puts each paragraph on a line before compiling
        environment().from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", template.patch_xml(xml)))


PROPERTY_LIMIT = 255  # what Word keeps of a document property


def fit_property(text: str) -> str:
    """A document property as Word keeps it: at most 255 characters, no control characters."""
    return fit_text(without_control_characters(text), PROPERTY_LIMIT)


_opened: dict[Path, DocxTemplate] = {}  # a template opened by prepare_template, not yet rendered


def open_template(path: Path) -> DocxTemplate:
    """The template, with everything live in it left out first (template_cleaning.py); the
    shipped template prepared ahead (prepare_template) is handed over as it was opened."""
    ready = _opened.pop(path, None)
    if ready is not None and path.is_file():
        return ready
    if not path.is_file():
        raise TemplateError("the template file does not exist", file=str(path),
                            fix="Check the path given to --template")
    template = _PaperTemplate(io.BytesIO(cleaned_template(path).data))
    try:
        template.init_docx()
        fastdocx.speed_up(template.docx)
    except Exception as error:  # python-docx raises several kinds for a file that is not .docx
        raise TemplateError(f"is not a Word .docx file ({error.__class__.__name__})", file=str(path),
                            fix="Save the template from Word as a .docx document") from error
    return template


@dataclass(frozen=True)
class TemplateCheck:
    """What `kpi-excel template check` reports about a template."""

    path: Path
    missing: tuple[str, ...]  # names the template uses that kpi-excel does not provide
    unused: tuple[str, ...]  # names kpi-excel provides that the template does not use
    problems: tuple[str, ...]  # broken tags, in plain words
    dropped: tuple[str, ...] = ()  # what the paper leaves out of the template: macros, links, fields

    @property
    def ok(self) -> bool:
        return not self.missing and not self.problems


def template_lines(path: Path) -> list[str]:
    """The template's text as Jinja sees it, one paragraph a line (docxtpl numbers lines so)."""
    tpl = open_template(path)
    xml = tpl.patch_xml(tpl.get_xml())
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _key, part in tpl.get_headers_footers(uri):
            xml += tpl.patch_xml(tpl.get_part_xml(part))
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml).splitlines()


def check_template(path: Path, report: Report) -> TemplateCheck:
    """Missing and unused names, and broken tags, found by reading and trial-rendering the template."""
    lines = template_lines(path)
    dropped = cleaned_template(path).dropped
    provided = set(paper_context(report))
    try:
        parsed = environment().parse("\n".join(lines))
    except jinja2.TemplateSyntaxError as error:
        return TemplateCheck(path, (), (), (_problem_text(template_error(error, lines, path)),), dropped)
    used = meta.find_undeclared_variables(parsed)
    missing = tuple(sorted(used - provided))
    unused = tuple(sorted(provided - used))
    problems: tuple[str, ...] = ()
    if not missing:
        problems = _trial_render(path, report)
    return TemplateCheck(path, missing, unused, problems, dropped)


def _trial_render(path: Path, report: Report) -> tuple[str, ...]:
    tpl = open_template(path)
    context = paper_context(report, placeholder_images(tpl))
    try:
        render_budgeted(tpl, context, path)
    except TemplateError as error:
        return (_problem_text(error),)
    return ()


def _problem_text(error: TemplateError) -> str:
    """Where, what and what to do, without the file name (the check names the file once)."""
    text = f"{error.where}: {error.problem}" if error.where else error.problem
    return f"{text}. {error.fix}" if error.fix else text


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
    if isinstance(error, TemplateBudgetError):
        return f"{message}, more than any paper needs", error.fix
    if isinstance(error, (RecursionError, MemoryError)):
        return ("a tag calls itself without end, or makes a value too large to hold",
                "Remove the macro that calls itself, or the tag that repeats a value")
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
