"""The HTML edition of the paper, read as HTML: the same headings, tables and figures as the Word
paper, charts that draw their chart spec, escaped text, and the files build writes.

tests/test_html_browser.py checks the same pages in a real browser."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import re
import zipfile
from pathlib import Path

import docx
import lxml.html
import pytest
from html_cases import COMMENTARY, COMMITTEE, NAME, SCRIPT, council_run, gappy_report, hostile_report
from lxml import etree
from typer.testing import CliRunner

from kpi_excel import paper, pipeline
from kpi_excel.cli import app
from kpi_excel.core.model import Rag, Report
from kpi_excel.errors import OutputError
from kpi_excel.html import html_parts, render_html
from kpi_excel.html.layout import chart_drawing
from kpi_excel.html.render import mailto, tel
from kpi_excel.html.svg import chart_svg
from kpi_excel.present import palette
from kpi_excel.present.chartspec import DASHED, DOTTED, ChartSpec
from kpi_excel.present.paper import paper_context
from kpi_excel.present.views import derive

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def report() -> Report:
    return pipeline.check(pipeline.sample_path())


@pytest.fixture(scope="module")
def page(report: Report) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(render_html(report))


@pytest.fixture(scope="module")
def word(report: Report) -> bytes:
    return paper.render_paper(report, chart_images_only=True)


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def headings(page: lxml.html.HtmlElement) -> list[tuple[int, str]]:
    return [(int(h.tag[1]), text(h)) for h in page.iter("h1", "h2", "h3", "h4", "h5", "h6")]


def html_tables(page: lxml.html.HtmlElement) -> dict[str, list[list[str]]]:
    """Each table's rows of cell texts, by caption."""
    return {text(t.find("caption")): [[text(c) for c in tr.iterchildren("th", "td")] for tr in t.iter("tr")]
            for t in page.iter("table")}


# --- the same paper as the Word paper -------------------------------------------------------------


def test_the_headings_are_the_word_papers_one_level_down_and_skip_none(page: lxml.html.HtmlElement,
                                                                       word: bytes) -> None:
    document = docx.Document(io.BytesIO(word))
    styled = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    in_word = [(int(name.split()[-1]), " ".join(words.split())) for name, words in styled
               if name.startswith("Heading")]
    found = headings(page)
    assert found[0] == (1, "Strategic and Corporate Services Performance Dashboard")  # the subject
    assert found[1] == (2, "Contents")
    in_html = found[2:]
    assert [t for _, t in in_html] == [t for _, t in in_word]
    # Word's Heading N is an <hN+1>, but for an activity indicator's block, which in Word skips
    # a level (Heading 4 under Heading 2); the HTML never skips one
    assert all(h - 1 == w or (h - 1 == w - 1 and t.startswith("ACT"))
               for (h, t), (w, _) in zip(in_html, in_word, strict=True))
    levels = [level for level, _ in found]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))


def word_tables(data: bytes) -> dict[str, list[list[str]]]:
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    return {t.find(f"{W}tblPr/{W}tblCaption").get(f"{W}val"):
            [["".join(tc.itertext()) for tc in tr.iter(f"{W}tc")] for tr in t.iter(f"{W}tr")]
            for t in body.iter(f"{W}tbl")}


def period_triples(rows: list[list[str]]) -> list[tuple[str, str, str]]:
    """A Word table of periods in rows of six (Period, Value, RAG rows, repeated) as one
    (period, value, word) per period, leaving out the blank cells that fill a short last row."""
    triples = []
    for k in range(0, len(rows), 3):
        labels, values, words = rows[k:k + 3]
        triples += [t for t in zip(labels[1:], values[1:], words[1:], strict=True) if t[0]]
    return triples


def squeeze(rows: list[list[str]]) -> list[list[str]]:
    return [[re.sub(r"\s+", "", cell) for cell in row] for row in rows]


def test_every_table_holds_the_word_papers_cells(page: lxml.html.HtmlElement, word: bytes) -> None:
    in_word, in_html = word_tables(word), html_tables(page)
    assert set(in_html) == set(in_word)
    periods = 0
    for caption, rows in in_word.items():
        if caption.startswith("Values by period: "):
            assert [(a, b, c) for a, b, c in in_html[caption][1:]] == period_triples(rows)
            assert in_html[caption][0][:2] == ["Period", "Value"]
            periods += 1
        else:
            assert squeeze(in_html[caption]) == squeeze(rows), caption
    assert periods == 31


def test_every_sentence_of_the_word_paper_is_on_the_page(page: lxml.html.HtmlElement, word: bytes) -> None:
    document = docx.Document(io.BytesIO(word))
    html_text = "".join(page.find("body").text_content().split())  # spaces apart, blocks run together
    paragraphs = ["".join(p.text.split()) for p in document.paragraphs]
    assert len([p for p in paragraphs if p]) > 140
    for words in paragraphs:
        assert words in html_text


def test_every_kpi_code_and_rag_count_is_on_the_page(page: lxml.html.HtmlElement, report: Report) -> None:
    body = page.find("body").text_content()
    for rating in report.ratings:
        assert rating.indicator.code in body and rating.indicator.name in body
    summary_cells = [td for table in page.find_class("summary") for td in table.iter("td")]
    for rag, count in ((Rag.GREEN, report.summary.green), (Rag.AMBER, report.summary.amber),
                       (Rag.RED, report.summary.red)):
        assert sum(text(td) == rag.word for td in summary_cells) == count
        assert sum(f"fill-{rag.word.lower()}" in td.get("class", "") for td in summary_cells) == count


# --- charts ---------------------------------------------------------------------------------------


def chart_checks(svg: lxml.html.HtmlElement, spec: ChartSpec) -> None:
    """The SVG draws its spec: the values (a gap where one is missing), the reference lines with
    their colours and dashes on the same scale, the axis labels, the latest value's label."""
    assert svg.get("role") == "img" and svg.get("aria-label") == spec.alt_text
    values = [v for v in spec.values if v is not None]
    markers = [(float(c.get("cx")), float(c.get("cy"))) for c in svg.find_class("value")[0].iter("circle")]
    assert len(markers) == len(values)
    assert [x for x, _ in markers] == sorted(x for x, _ in markers)
    # every value and line on the scale of the axis: y falls in a straight line with the value
    ticks = spec.axis.ticks()
    grid = [float(line.get("y1")) for line in svg.find_class("grid")[0].iter("line")]
    assert len(grid) == len(ticks) and grid == sorted(grid, reverse=True)

    def y_of(value: float) -> float:
        return grid[0] + (value - ticks[0]) * (grid[-1] - grid[0]) / (ticks[-1] - ticks[0])

    assert grid == [pytest.approx(y_of(t), abs=0.15) for t in ticks]
    for value, (_, y) in zip(values, markers, strict=True):
        assert y == pytest.approx(y_of(value), abs=0.15)
    runs, run = [], 0
    for v in [*spec.values, None]:
        if v is None:
            if run > 1:
                runs.append(run)
            run = 0
        else:
            run += 1
    assert [len(p.get("points").split()) for p in svg.iter("polyline")] == runs
    lines = list(svg.find_class("references")[0].iter("line"))
    assert [line.get("stroke") for line in lines] == [line.colour for line in spec.lines]
    for drawn, line in zip(lines, spec.lines, strict=True):
        assert bool(drawn.get("stroke-dasharray")) == (line.dash in (DASHED, DOTTED))
        assert line.value is not None
        assert float(drawn.get("y1")) == pytest.approx(y_of(line.value), abs=0.15)
    labels = svg.find_class("axis-labels")[0]
    assert [text(t) for t in labels.iter("text") if t.get("text-anchor") == "end"] == spec.tick_labels
    periods = [text(t) for t in labels.iter("text") if t.get("text-anchor") != "end"]
    assert set(periods) <= set(spec.period_labels) and periods[-1] == spec.period_labels[-1]
    assert bool(svg.find_class("band")) == (spec.band is not None)
    label = svg.find_class("label")
    assert [text(t) for t in label] == ([spec.label.text] if spec.label else [])


def test_every_chart_draws_its_chart_spec(page: lxml.html.HtmlElement, report: Report) -> None:
    charts = {svg.get("aria-label"): svg for svg in page.iter("svg") if svg.get("role") == "img"}
    specs = [spec for spec in derive(report).chart_specs.values() if spec is not None]
    assert len(charts) == len(specs) == 31
    for spec in specs:
        chart_checks(charts[spec.alt_text], spec)


def test_a_missing_period_is_a_gap_and_an_indicator_without_figures_has_a_table_but_no_chart() -> None:
    report = gappy_report()
    page = lxml.html.document_fromstring(render_html(report))
    specs = derive(report).chart_specs
    first, second = report.ratings[0].indicator, report.ratings[1].indicator
    charts = {svg.get("aria-label"): svg for svg in page.iter("svg") if svg.get("role") == "img"}
    spec = specs[first]
    assert spec is not None
    chart_checks(charts[spec.alt_text], spec)
    assert len(list(charts[spec.alt_text].iter("polyline"))) == 2
    assert specs[second] is None
    block = page.get_element_by_id("kpi-2").getparent()
    assert not [s for s in block.iter("svg")] and text(block.find(".//caption")).endswith(second.code)
    assert all(text(td) == "–" for td in block.iter("td"))


def test_the_legend_names_each_line_as_the_picture_does(page: lxml.html.HtmlElement, report: Report) -> None:
    spec = next(s for s in derive(report).chart_specs.values() if s is not None and s.lines)
    block = next(svg for svg in page.iter("svg") if svg.get("aria-label") == spec.alt_text).getparent()
    assert [text(li) for li in block.find_class("legend")[0].iter("li")] == \
        [line.legend for line in spec.lines] + ["Value"]


def test_figures_too_large_to_chart_give_a_note_not_a_drawing(report: Report) -> None:
    spec = next(s for s in derive(report).chart_specs.values() if s is not None)
    huge = dataclasses.replace(spec, values=(1e300,) * len(spec.values))
    svg = lxml.html.fragment_fromstring(str(chart_svg(chart_drawing(huge))))
    assert "too large to chart" in text(svg) and not list(svg.iter("circle"))


# --- escaping, links and the page's policy --------------------------------------------------------


@pytest.fixture(scope="module")
def hostile() -> tuple[str, lxml.html.HtmlElement]:
    html = render_html(hostile_report())
    return html, lxml.html.document_fromstring(html)


def test_hostile_text_stays_text(hostile: tuple[str, lxml.html.HtmlElement], page: lxml.html.HtmlElement
                                 ) -> None:
    html, bad = hostile
    assert not list(bad.iter("script", "iframe", "img", "object", "embed", "base", "form"))
    # the page's own style and meta elements, as many as in the sample's page
    assert [e.tag for e in bad.find("head")] == [e.tag for e in page.find("head")]
    assert not list(bad.find("body").iter("style", "meta", "link"))
    assert not [(e.tag, name) for e in page.iter() if isinstance(e.tag, str) for name in e.attrib
                if name.lower().startswith("on")]
    body = " ".join(bad.find("body").text_content().split())
    for written in (NAME, COMMENTARY, COMMITTEE, SCRIPT):
        assert " ".join(written.split()) in body
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html


def test_only_links_the_page_makes_itself(hostile: tuple[str, lxml.html.HtmlElement]) -> None:
    _, page = hostile
    hrefs = [a.get("href") for a in page.iter("a")]
    assert all(h.startswith("#") or re.fullmatch(r"(mailto:[\w.@+-]+|tel:\+?\d+)", h) for h in hrefs), hrefs
    ids = {e.get("id") for e in page.iter() if isinstance(e.tag, str) and e.get("id")}
    assert {h[1:] for h in hrefs if h.startswith("#")} <= ids
    assert not [h for h in hrefs if h.startswith("mailto:")]  # neither contact has a real address


@pytest.mark.parametrize(("given", "url"), [
    ("rachel.kennard@kent.gov.uk", "mailto:rachel.kennard@kent.gov.uk"),
    (" a.b+c@example.org ", "mailto:a.b+c@example.org"),
    ("javascript:alert(1)", ""), ("x@y.z\" onmouseover=\"a", ""), ("two@a.org, three@b.org", ""),
    ("no address", ""),
])
def test_mailto_links_only_an_address(given: str, url: str) -> None:
    assert mailto(given) == url


def test_tel_links_only_a_number() -> None:
    assert tel("03000 414527") == "tel:03000414527"
    assert tel("+44 (0)300 041 4527") == "tel:+4403000414527"
    assert tel("ext. 4527") == "" and tel("+44 <b>1</b>") == ""


def test_the_policy_allows_the_pages_own_stylesheet_and_nothing_else(page: lxml.html.HtmlElement) -> None:
    [style] = page.iter("style")
    policy = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    digest = base64.b64encode(hashlib.sha256(style.text.encode("utf-8")).digest()).decode()
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives == {"default-src": "'none'", "style-src": f"'sha256-{digest}'", "base-uri": "'none'",
                          "form-action": "'none'"}


def test_every_fill_is_the_palettes_with_its_text_colour(page: lxml.html.HtmlElement) -> None:
    [style] = page.iter("style")
    rules = dict(re.findall(r"\.(fill-[a-z-]+)\{([^}]*)\}", style.text))
    assert len(rules) == len(palette.WORD_SWATCHES)
    for word, swatch in palette.WORD_SWATCHES.items():
        rule = rules[f"fill-{word.lower().replace(' ', '-')}"]
        assert rule == f"background-color:{swatch.fill};color:{swatch.text}"
        assert palette.contrast(swatch.fill, swatch.text) >= palette.AA_CONTRAST


def test_a_detail_the_workbook_does_not_give_is_marked_as_in_the_word_paper() -> None:
    report = gappy_report()
    page = lxml.html.document_fromstring(render_html(report))
    marked = {text(m) for m in page.iter("mark")}
    assert marked == set(paper_context(report)["placeholders"])
    assert "[Committee]" in marked
    # but not in the title or an attribute, where markup would show as text
    assert page.findtext(".//title") == \
        "Strategic and Corporate Services Performance Dashboard – [Committee] – [Meeting date]"
    assert page.xpath("//meta[@name='kpi-excel:source-file']/@content") == ["[Committee] tracker.xlsx"]
    assert not [v for e in page.iter() if isinstance(e.tag, str) for v in e.attrib.values() if "mark>" in v]


def test_the_same_report_gives_the_same_bytes(report: Report) -> None:
    assert html_parts(report, appendices=True) == html_parts(report, appendices=True)


# --- the appendices, the council-wide paper and the files written --------------------------------


def test_each_appendix_page_holds_its_part_of_the_paper(report: Report) -> None:
    parts = html_parts(report, appendices=True)
    assert set(parts) == {"paper", 1, 2}
    whole = headings(lxml.html.document_fromstring(parts["paper"]))
    starts = [i for i, (_, t) in enumerate(whole) if t.startswith("Appendix ")]
    for number, (start, end) in zip((1, 2), zip(starts, [*starts[1:], len(whole)], strict=True), strict=True):
        found = headings(lxml.html.document_fromstring(parts[number]))
        assert found[0][0] == 1 and found[0][1].startswith(f"Appendix {number}:")
        levels = [level for level, _ in found]
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
        assert [(level - 1, t) for level, t in whole[start:end]] == [f for f in found if f[1] != "Contents"]


def test_build_writes_the_html_pages_with_the_other_outputs(sample: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["build", str(sample), "--out", str(tmp_path / "two"), "--html",
                                      "--appendices-separately", "--jobs", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "two").iterdir())
    assert [n for n in names if n.endswith(".html")] == [
        "scs-kpi-tracker-2019-20-appendix-1.html", "scs-kpi-tracker-2019-20-appendix-2.html",
        "scs-kpi-tracker-2019-20-paper.html"]
    both = pipeline.Options(html=True, appendices_separately=True)
    one = pipeline.build(sample, tmp_path / "one", both, jobs=1)
    for path in one.outputs:
        if path.suffix == ".html":  # the second process renders the same pages
            assert path.read_bytes() == (tmp_path / "two" / path.name).read_bytes()


def test_without_html_no_page_is_written_and_a_failed_page_leaves_nothing(
        sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = pipeline.build(sample, tmp_path / "plain", jobs=1)
    assert not [p for p in plain.outputs if p.suffix == ".html"]

    def fail(*_args: object) -> dict[str, bytes]:
        raise OutputError("the disk is full", file="x")

    monkeypatch.setattr(pipeline, "html_pages", fail)
    with pytest.raises(OutputError):
        pipeline.build(sample, tmp_path / "failed", pipeline.Options(html=True), jobs=1)
    assert list((tmp_path / "failed").iterdir()) == []


def test_demo_writes_the_html_edition(tmp_path: Path) -> None:
    result = pipeline.demo(tmp_path, jobs=1)
    assert (tmp_path / "scs-kpi-tracker-2019-20-paper.html") in result.outputs


def test_council_writes_every_paper_in_html_the_council_wide_one_without_indicator_pages(
        tmp_path: Path) -> None:
    result = council_run(tmp_path / "in", tmp_path / "out")
    pages = sorted(p.relative_to(tmp_path / "out").as_posix() for p in result.files if p.suffix == ".html")
    assert pages == ["adults/adults-paper.html", "children/children-paper.html", "council-wide-paper.html"]
    summary = lxml.html.document_fromstring((tmp_path / "out" / "council-wide-paper.html").read_bytes())
    tables = html_tables(summary)
    # 95, 85, 70 and 92 against a target of 90 and a floor of 80: Green, Amber, Red, Green
    assert tables["KPIs by directorate"][1:] == [["adults", "4", "2", "1", "1", "0"],
                                                 ["children", "4", "2", "1", "1", "0"]]
    in_word = word_tables((tmp_path / "out" / "council-wide-paper.docx").read_bytes())
    assert {caption: squeeze(rows) for caption, rows in tables.items()} == \
        {caption: squeeze(rows) for caption, rows in in_word.items()}
    assert "KPI details" not in [t for _, t in headings(summary)] and not list(summary.iter("svg"))
