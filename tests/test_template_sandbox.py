"""The paper template's sandbox: plain data in, allow-listed attributes and calls, one budget."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import docx
import jinja2
import pytest

from kpi_excel import pipeline
from kpi_excel.errors import TemplateError
from kpi_excel.paper.render import render_paper
from kpi_excel.paper.sandbox import ChartMarkup, PaperSandbox, TemplateBudgetError, budgeted
from kpi_excel.present.paper import paper_context

PLAIN = (str, int, float, bool, type(None), dt.date)


def plain_data_only(value: Any, where: str = "context") -> list[str]:
    """Every place in a value that holds anything but plain data or a chart's markup."""
    if isinstance(value, dict):
        return [bad for key, item in value.items() for bad in plain_data_only(item, f"{where}.{key}")]
    if isinstance(value, (list, tuple)):
        return [bad for i, item in enumerate(value) for bad in plain_data_only(item, f"{where}[{i}]")]
    return [] if isinstance(value, (*PLAIN, ChartMarkup)) else [f"{where}: {type(value).__name__}"]


@pytest.fixture(scope="module")
def sample_report() -> Any:
    return pipeline.check(pipeline.sample_path())


def test_the_context_handed_to_a_template_is_plain_data(sample_report: Any) -> None:
    made: list[ChartMarkup] = []

    def chart(spec: Any) -> Any:
        made.append(ChartMarkup(lambda: "<chart/>"))
        return made[-1] if spec else ""

    assert plain_data_only(paper_context(sample_report, chart)) == []
    assert made, "the sample's charts were handed over"


def test_a_chart_shows_nothing_but_its_markup() -> None:
    chart = ChartMarkup(lambda: "<w:drawing/>")
    assert [name for name in dir(chart) if not name.startswith("_")] == []
    assert str(chart) == chart.__html__() == "<w:drawing/>"
    with pytest.raises(AttributeError):
        chart.tpl = object()  # type: ignore[attr-defined]


def render(source: str, **context: Any) -> str:
    environment = PaperSandbox(undefined=jinja2.StrictUndefined, autoescape=True)
    with budgeted(items=10):
        return environment.from_string(source).render(**context)


@pytest.mark.parametrize(("source", "expected"), [
    ("{{ name.upper() }}|{{ name|lower }}", "CS01 HOUSING|cs01 housing"),
    ("{% for k in kpis %}{{ loop.index }}{{ loop.cycle('a', 'b') }}{{ k.code }}{% endfor %}", "1aX2bY"),
    ("{% set ns = namespace(n=0) %}{% for k in kpis %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}", "2"),
    ("{{ kpis|map(attribute='code')|join(', ') }}", "X, Y"),
    ("{{ counts.red }} {{ counts['green'] }} {{ kpis[1].code }}", "1 2 Y"),
    ("{% macro cell(k) %}[{{ k.code }}]{% endmacro %}{% for k in kpis %}{{ cell(k) }}{% endfor %}", "[X][Y]"),
])
def test_what_templates_use_still_works(source: str, expected: str) -> None:
    context = {"name": "CS01 Housing", "kpis": [{"code": "X"}, {"code": "Y"}],
               "counts": {"red": 1, "green": 2}}
    assert render(source, **context) == expected


@pytest.mark.parametrize("source", [
    "{{ counts.items() }}",  # a dict's methods are not its fields
    "{{ counts.update({'red': 0}) }}",
    "{{ kpis.append(1) }}",
    "{{ name.format(name) }}",
    "{{ name.center(50) }}",  # not on the list of string methods
    "{{ name.__class__ }}",
    "{{ chart._make() }}",
    "{{ chart.tpl }}",
    "{{ chart|attr('_make') }}",
    "{{ lipsum() }}",
    "{{ range.__call__(3) }}",
])
def test_anything_off_the_allow_lists_is_refused(source: str) -> None:
    context = {"name": "x", "kpis": [], "counts": {"red": 1}, "chart": ChartMarkup(lambda: "")}
    with pytest.raises((jinja2.exceptions.SecurityError, jinja2.UndefinedError)):
        render(source, **context)


def test_a_chart_whose_owner_is_reached_for_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "kept.txt"
    target.write_text("as it was")
    with pytest.raises(jinja2.UndefinedError):
        render("{{ chart.tpl.save(path) }}", chart=ChartMarkup(lambda: ""), path=str(target))
    assert target.read_text() == "as it was"


@pytest.mark.parametrize("source", [
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{% for i in range(100000) %}{{ i }}{% endfor %}{% for i in range(100000) %}{{ i }}{% endfor %}",
    "{{ 'x' * 100000000 }}",
    "{{ [1] * 100000000 }}",
    "{{ 2 ** 100000000 }}",
    "{{ 'ab'|center(1000000000) }}",
    "{{ '%1000000000d'|format(1) }}",
    "{{ '%1000000000d' % 1 }}",
    "{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
])
def test_the_budget_stops_runaway_templates(source: str) -> None:
    with pytest.raises(TemplateBudgetError):
        render(source)


def test_the_budget_is_for_the_whole_render_not_each_loop() -> None:
    """Each loop alone is within the budget for 10 items (102,000 steps); together they are not."""
    one = "{% for i in range(60000) %}{% endfor %}"
    assert render(one) == ""
    with pytest.raises(TemplateBudgetError):
        render(one + one)


def template_with(tmp_path: Path, tag: str) -> Path:
    document = docx.Document()
    document.add_paragraph("Performance report")
    document.add_paragraph(tag)
    path = tmp_path / "council.docx"
    document.save(str(path))
    return path


def test_a_runaway_template_stops_at_once_naming_its_paragraph(sample_report: Any, tmp_path: Path) -> None:
    tag = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
    with pytest.raises(TemplateError) as raised:
        render_paper(sample_report, template_with(tmp_path, tag))
    assert "times in all" in raised.value.problem
    assert raised.value.where.startswith('in the paragraph "{% for i in range(100000)')


def test_the_shipped_template_renders_within_its_budget_with_room_to_spare(sample_report: Any) -> None:
    from kpi_excel.paper import sandbox

    spent: list[sandbox.Budget] = []
    original = sandbox.Budget.for_items

    def recorded(items: int) -> sandbox.Budget:
        spent.append(original(items))
        return spent[-1]

    sandbox.Budget.for_items = recorded  # type: ignore[method-assign]
    try:
        render_paper(sample_report)
    finally:
        sandbox.Budget.for_items = original  # type: ignore[method-assign]
    (budget,) = spent
    assert 0 < budget.steps * 5 <= budget.max_steps
    assert 0 < budget.text * 5 <= budget.max_text
