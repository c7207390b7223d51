"""The committee paper of each department variant (department_variants.py), as written (.docx) and as
printed (its tagged PDF): properties that must hold whatever the department's tracker is like.

Each variant's paper is built once, on first use, through the public API. A property the paper does
not have yet is marked xfail (strict) with the defect's reason (issue 20), so that the mark must go
when the defect is fixed.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pikepdf
import pytest
from department_variants import VARIANTS
from libreoffice import require_soffice
from lxml import etree

import kpi_excel as kx

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "c": C, "r": R}
# every variant but three-years, whose paper test_three_years_of_history_make_the_same_paper_as_one finds
# identical to the sample's
ALL = tuple(name for name in VARIANTS if name != "three-years")
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
MAX_AXIS_SPAN = 5.0  # a y-axis spans at most about five times what it must show
ISSUE = "issue 20: "


def variants(names: Iterable[str] = ALL, failing: Mapping[str, str] | None = None) -> list[object]:
    """Variant names as test parameters, those in `failing` marked xfail (strict) with the defect."""
    failing = failing or {}
    assert set(failing) <= set(VARIANTS)
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=ISSUE + failing[name]))
            if name in failing else name for name in names]


def all_failing(reason: str, names: Iterable[str] = ALL, *, but: Iterable[str] = ()) -> dict[str, str]:
    return {name: reason for name in names if name not in set(but)}


def flat(text: str) -> str:
    return " ".join(text.split())


# --- one variant's paper --------------------------------------------------------------------------


@dataclass
class Paper:
    """A variant's workbook, its paper (.docx and PDF) and what `check` and `build` said."""

    name: str
    source: Path
    docx: Path
    pdf: Path
    build_warnings: tuple[str, ...]
    check_warnings: tuple[str, ...]

    def part(self, name: str) -> etree._Element:
        with zipfile.ZipFile(self.docx) as z:
            return etree.fromstring(z.read(name))

    def names(self) -> list[str]:
        with zipfile.ZipFile(self.docx) as z:
            return z.namelist()

    @cached_property
    def body(self) -> etree._Element:
        return self.part("word/document.xml").find("w:body", NS)

    @cached_property
    def pages(self) -> list[str]:
        """The text of each page, as pdftotext lays it out."""
        text = subprocess.run(["pdftotext", "-layout", str(self.pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        return text.split("\f")[:-1]

    @cached_property
    def words(self) -> list[tuple[float, list[tuple[float, str]]]]:
        """Each page's height and its words as (bottom, text), in points."""
        html = subprocess.run(["pdftotext", "-bbox", str(self.pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        pages = []
        for height, body in re.findall(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', html, re.S):
            pages.append((float(height), [(float(bottom), text) for bottom, text in re.findall(
                r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', body)]))
        return pages

    def lines(self, page: int) -> list[str]:
        """A page's lines of text without its footer."""
        return [line.strip() for line in self.pages[page].splitlines()
                if line.strip() and not re.fullmatch(r"Page \d+ of \d+", line.strip())]

    def headings(self) -> list[tuple[int, str]]:
        """The .docx's headings in order, as (level, text)."""
        found = []
        for p in self.body.iter(f"{{{W}}}p"):
            style = p.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS)
            if re.fullmatch(r"Heading\d", style):
                found.append((int(style[-1]), "".join(p.xpath(".//w:t/text()", namespaces=NS))))
        return found

    def paragraphs(self, *, in_tables: bool = False) -> list[str]:
        """The text of each body paragraph (with those in tables, if asked)."""
        xpath = ".//w:p" if in_tables else "./w:p"
        return ["".join(p.xpath(".//w:t/text()", namespaces=NS))
                for p in self.body.xpath(xpath, namespaces=NS)]

    def highlighted(self) -> list[str]:
        return ["".join(r.xpath("w:t/text()", namespaces=NS))
                for r in self.body.xpath(".//w:r[w:rPr/w:highlight]", namespaces=NS)]

    def charts(self) -> Iterator[etree._Element]:
        for name in sorted((n for n in self.names() if re.fullmatch(r"word/charts/chart\d+\.xml", n)),
                           key=lambda n: int(re.findall(r"\d+", n)[0])):
            yield self.part(name)

    def charts_by_label(self) -> dict[str, etree._Element]:
        """Each native chart by the indicator its alt text names ('Line chart of CS01 Callers ...')."""
        rels = {r.get("Id"): r.get("Target") for r in self.part("word/_rels/document.xml.rels")}
        found = {}
        for drawing in self.body.iter(f"{{{W}}}drawing"):
            alt = drawing.xpath("string(.//*[local-name()='docPr']/@descr)")
            rid = drawing.xpath("string(.//c:chart/@r:id)", namespaces=NS)
            label = re.match(r"Line chart of (.+?)(?:, (?:from|for) | with |:)", alt)
            if rid and label:
                found[label.group(1)] = self.part(f"word/{rels[rid]}")
        return found

    def block(self, code: str) -> list[str]:
        """The paragraphs of an indicator's block under KPI details: from its heading to the next."""
        texts, inside = [], False
        for p in self.body.findall("w:p", NS):
            text = "".join(p.xpath(".//w:t/text()", namespaces=NS))
            heading = re.fullmatch(r"Heading\d", p.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS))
            if heading:
                if inside:
                    break
                inside = text.startswith(f"{code} ")
            elif inside:
                texts.append(text)
        return texts

    def appendix_2_row(self, code: str) -> str:
        """A row of Appendix 2 as printed: the line that starts with the code, and the next."""
        start = next(n for n, page in enumerate(self.pages) if page.lstrip().startswith("Appendix 2"))
        for n in range(start, len(self.pages)):
            lines = self.lines(n)
            for i, line in enumerate(lines):
                if line.split()[0] == code:
                    return flat(" ".join(lines[i:i + 2]))
        raise AssertionError(f"no row for {code} in Appendix 2")

    def cover(self) -> str:
        """The cover report's text: the pages before Appendix 1."""
        pages = []
        for page in self.pages:
            if page.lstrip().startswith("Appendix 1"):
                break
            pages.append(page)
        return flat("\n".join(pages))


class Papers:
    """Each variant's paper, built the first time a test asks for it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.built: dict[str, Paper] = {}

    def __getitem__(self, name: str) -> Paper:
        if name not in self.built:
            source = VARIANTS[name](self.root / "workbooks")
            result = kx.build(source, self.root / name, pdf=True)
            [docx] = [p for p in result.outputs if p.name.endswith("-paper.docx")]
            checked = tuple(str(w) for w in kx.check(source).warnings)
            self.built[name] = Paper(name, source, docx, docx.with_suffix(".pdf"), result.warnings, checked)
        return self.built[name]


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> Papers:
    require_soffice()
    return Papers(tmp_path_factory.mktemp("variants"))


# --- the PDF's structure tree ---------------------------------------------------------------------


def structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element, in reading order."""
    found: list[pikepdf.Dictionary] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot.K)
    return found


def standard_type(element: pikepdf.Dictionary, pdf: pikepdf.Pdf) -> str:
    """The element's standard structure type, through the role map ('/Block End' is a '/P')."""
    kind = str(element.S)
    role_map = pdf.Root.StructTreeRoot.get("/RoleMap")
    return str(role_map[kind]) if role_map is not None and kind in role_map else kind


def has_content(element: pikepdf.Dictionary) -> bool:
    kids = element.get("/K")
    return kids is not None and not (isinstance(kids, pikepdf.Array) and len(kids) == 0)


def scope(element: pikepdf.Dictionary) -> str | None:
    attributes = element.get("/A")
    for item in (attributes if isinstance(attributes, pikepdf.Array) else [attributes]):
        if isinstance(item, pikepdf.Dictionary) and "/Scope" in item:
            return str(item.Scope)
    return None


# --- page numbers ---------------------------------------------------------------------------------

NO_FOOTER = "the page-number footer is referenced only by the section that ends before Appendix 2"


@pytest.mark.parametrize("name", variants(failing={"no-proposals": NO_FOOTER}))
def test_every_section_shows_the_page_number_footer(papers: Papers, name: str) -> None:
    paper = papers[name]
    rels = {r.get("Id"): r.get("Target") for r in paper.part("word/_rels/document.xml.rels")}
    inherited = None  # Word's rule: a section without a footer reference keeps the previous one's
    for section in paper.body.xpath(".//w:sectPr", namespaces=NS):
        own = section.xpath("w:footerReference[@w:type='default']/@r:id", namespaces=NS)
        inherited = own[0] if own else inherited
        assert inherited is not None, f"{name}: a section has no footer"
        footer = etree.tostring(paper.part(f"word/{rels[inherited]}")).decode()
        assert "PAGE" in footer and "NUMPAGES" in footer


@pytest.mark.parametrize("name", variants(failing={"no-proposals": NO_FOOTER}))
def test_every_pdf_page_says_page_n_of_m(papers: Papers, name: str) -> None:
    pages = papers[name].pages
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page, f"{name}: page {number} has no page number"


# --- headings -------------------------------------------------------------------------------------

SKIPPED_LEVEL = "Activity indicators is a Heading 2 and each activity indicator a Heading 4"


@pytest.mark.parametrize("name", variants(failing=all_failing(SKIPPED_LEVEL)))
def test_docx_heading_levels_never_skip(papers: Papers, name: str) -> None:
    levels = papers[name].headings()
    assert levels[0][0] == 1
    for (before, text_before), (level, text) in zip(levels, levels[1:], strict=False):
        assert level <= before + 1, f"{name}: '{text}' (H{level}) follows '{text_before}' (H{before})"


@pytest.mark.parametrize("name", variants(failing=all_failing(SKIPPED_LEVEL)))
def test_pdf_heading_levels_never_skip(papers: Papers, name: str) -> None:
    with pikepdf.open(papers[name].pdf) as pdf:
        levels = [int(str(e.S)[2:]) for e in structure(pdf) if re.fullmatch(r"/H\d", str(e.S))]
    assert levels and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels


NO_KEEP = ("LibreOffice leaves '3. Recommendation(s):' alone at the foot of page 1 (keepNext on the "
           "heading is not enough)")


@pytest.mark.parametrize("name", variants(failing={"no-proposals": NO_KEEP}))
def test_no_page_ends_with_a_heading(papers: Papers, name: str) -> None:
    paper = papers[name]
    headings = {flat(text) for _, text in paper.headings()}
    for n in range(len(paper.pages) - 1):
        lines = paper.lines(n)
        assert not lines or flat(lines[-1]) not in headings, f"{name}: page {n + 1} ends with '{lines[-1]}'"


# --- tables ---------------------------------------------------------------------------------------

PERIOD_ROWS = ("each period table repeats its 'Period' row for the second six periods, tagged as data, "
               "under the first six's header row")


@pytest.mark.parametrize("name", variants(failing=all_failing(PERIOD_ROWS, but=("no-proposals",))))
def test_each_table_has_one_header_row_on_top_and_none_inside(papers: Papers, name: str) -> None:
    for table in papers[name].body.iter(f"{{{W}}}tbl"):
        rows = table.findall("w:tr", NS)
        headers = [i for i, row in enumerate(rows) if row.find("w:trPr/w:tblHeader", NS) is not None]
        assert headers == [0]
        firsts = ["".join(row.find("w:tc", NS).itertext()) for row in rows]
        assert firsts[0] not in firsts[1:], f"{name}: a '{firsts[0]}' row inside the table {firsts}"


@pytest.mark.parametrize("name", ALL)
def test_pdf_table_headers_have_a_scope_and_links_are_tagged(papers: Papers, name: str) -> None:
    with pikepdf.open(papers[name].pdf) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True and str(root.Lang) == "en-GB"
        assert b"pdfuaid" in root.Metadata.read_bytes()  # the PDF claims PDF/UA
        elements = structure(pdf)
        headers = [e for e in elements if str(e.S) == "/TH"]
        assert headers and all(scope(e) in ("/Row", "/Column", "/Both") for e in headers)
        links = sum(1 for page in pdf.pages for a in (page.obj.get("/Annots") or [])
                    if a.get("/Subtype") == "/Link")
        assert sum(1 for e in elements if str(e.S) == "/Link") >= links


EMPTY_P = ("each indicator block ends with an empty 'Block End' paragraph and the header block has three "
           "empty spacer paragraphs, each tagged as P")


@pytest.mark.parametrize("name", variants(failing=all_failing(EMPTY_P)))
def test_no_empty_paragraph_is_tagged_in_the_pdf(papers: Papers, name: str) -> None:
    with pikepdf.open(papers[name].pdf) as pdf:
        empty = [str(e.S) for e in structure(pdf) if standard_type(e, pdf) == "/P" and not has_content(e)]
    assert empty == []


# --- pages ----------------------------------------------------------------------------------------


def _half_empty_pages(paper: Paper) -> list[int]:
    """Pages, but the last and those before an appendix, whose text ends above half the page."""
    found = []
    for n, (height, words) in enumerate(paper.words[:-1]):
        if paper.pages[n + 1].lstrip().startswith("Appendix "):
            continue
        bottom = max((b for b, _ in words if b < height - 60), default=0.0)  # above the footer
        if bottom / height < 0.5:
            found.append(n + 1)
    return found


@pytest.mark.parametrize("name", variants(failing={
    "many-reds": "the Red list is kept with the first indicator's block, so page 5 is three-quarters empty",
    "long-commentary": "GL02's 300-word commentary keeps its whole block together, so page 8 is half empty",
}))
def test_no_page_is_more_than_half_empty_unless_an_appendix_follows(papers: Papers, name: str) -> None:
    assert _half_empty_pages(papers[name]) == []


@pytest.mark.parametrize("name", variants(failing={
    "many-reds": "the kept chain from the Red list is longer than a page, so CS01's period table breaks "
                 "and page 7 starts with the repeated Apr-Sep header row above Oct-Mar",
}))
def test_no_page_starts_inside_a_table_of_periods(papers: Papers, name: str) -> None:
    paper = papers[name]
    for n in range(len(paper.pages)):
        lines = paper.lines(n)
        assert not lines or not re.match(r"(Period|Value|RAG|Range)\s", lines[0]), \
            f"{name}: page {n + 1} starts with '{lines[0]}'"


SPLIT_SUMMARY = "KPI summary tables split across pages (Customer Services 4 + 1, ICT 3 + 2)"


def _summary_pages(paper: Paper, codes: Iterable[str]) -> set[int]:
    """The pages on which the KPI Summary lists the codes (as the first word of a table row)."""
    start = next(n for n, page in enumerate(paper.pages) if "KPI Summary" in page)
    found = set()
    for n in range(start, len(paper.pages)):
        for line in paper.lines(n):
            if line in ("Indicators rated Red", "KPI details"):  # the summary ends
                return found
            if line.split()[0] in codes:
                found.add(n)
    return found


@pytest.mark.parametrize("name", variants(failing=all_failing(SPLIT_SUMMARY, but=("no-proposals",))))
def test_a_small_summary_table_is_not_split_across_pages(papers: Papers, name: str) -> None:
    paper = papers[name]
    for section, ratings in kx.check(paper.source).sections():
        codes = {r.indicator.code for r in ratings}
        if len(codes) <= 8:
            assert len(_summary_pages(paper, codes)) == 1, f"{name}: {section} is split across pages"


# --- charts ---------------------------------------------------------------------------------------


def _axis_and_levels(chart: etree._Element) -> tuple[float, float, list[float]]:
    low = float(chart.xpath("string(//c:valAx/c:scaling/c:min/@val)", namespaces=NS))
    high = float(chart.xpath("string(//c:valAx/c:scaling/c:max/@val)", namespaces=NS))
    shown = [float(v) for v in chart.xpath("//c:ser/c:val//c:pt/c:v/text()", namespaces=NS)]
    return low, high, shown


AXIS = ("a y-axis spans at least a tenth of its largest value: 99.3-100% availability is drawn on "
        "87.5-100% (12.5 times the span of the data, target and floor)")


@pytest.mark.parametrize("name", variants(failing=all_failing(AXIS)))
def test_chart_axis_spans_at_most_five_times_the_data_target_and_floor(papers: Papers, name: str) -> None:
    for n, chart in enumerate(papers[name].charts(), start=1):
        low, high, shown = _axis_and_levels(chart)  # the values and each reference line's level
        span = max(shown) - min(shown)
        assert low <= min(shown) and max(shown) <= high
        if span > 0:
            assert (high - low) <= MAX_AXIS_SPAN * span, \
                f"{name}: chart {n} axis {low:g}-{high:g} for values and lines {min(shown):g}-{max(shown):g}"


def _line_look(chart: etree._Element, name: str) -> tuple[str, str]:
    [series] = chart.xpath(f"//c:ser[starts-with(c:tx//c:v, '{name}')]", namespaces=NS)
    colour = series.xpath("string(c:spPr/a:ln/a:solidFill/a:srgbClr/@val)",
                          namespaces={**NS, "a": "http://schemas.openxmlformats.org/drawingml/2006/main"})
    dash = series.xpath("string(c:spPr/a:ln/a:prstDash/@val)",
                        namespaces={**NS, "a": "http://schemas.openxmlformats.org/drawingml/2006/main"})
    return colour, dash


def _grey(colour: str) -> int:
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return round(0.299 * r + 0.587 * g + 0.114 * b)


RANGE_LINES = "the lower and upper thresholds are drawn alike (the same grey, the same dashes)"


@pytest.mark.parametrize("name", variants(("as-shipped", "no-proposals", "activity-indicators"),
                                          failing=all_failing(RANGE_LINES)))
def test_activity_range_lines_can_be_told_apart_in_colour_and_greyscale(papers: Papers, name: str) -> None:
    ranges = [c for c in papers[name].charts() if c.xpath("//c:ser/c:tx//c:v[starts-with(., 'Lower')]",
                                                          namespaces=NS)]
    assert ranges
    for chart in ranges:
        (low, low_dash), (high, high_dash) = _line_look(chart, "Lower"), _line_look(chart, "Upper")
        assert low_dash != high_dash or abs(_grey(low) - _grey(high)) >= 64


@pytest.mark.parametrize("name", variants(("as-shipped", "quarterly-mixed"), failing=all_failing(
    "native charts have no title (autoTitleDeleted): a chart copied out of the paper cannot be identified")))
def test_every_chart_has_a_title(papers: Papers, name: str) -> None:
    charts = list(papers[name].charts())
    assert charts
    for chart in charts:
        assert chart.xpath("string(//c:chart/c:title//a:t)", namespaces={
            **NS, "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}).strip()


@pytest.mark.parametrize("name", variants(("as-shipped", "quarterly-mixed"), failing=all_failing(
    "a quarterly KPI in monthly columns is charted as isolated points among empty months")))
def test_a_quarterly_kpis_chart_joins_its_points(papers: Papers, name: str) -> None:
    paper = papers[name]
    quarterly = [r.indicator.label for r in kx.check(paper.source).kpis if r.indicator.frequency == "Q"]
    charts = paper.charts_by_label()
    assert quarterly and set(quarterly) <= set(charts)
    for label in quarterly:
        chart = charts[label]
        points = [int(i) for i in chart.xpath("//c:ser[1]/c:val//c:pt/@idx", namespaces=NS)]
        joined = chart.xpath("string(//c:dispBlanksAs/@val)", namespaces=NS) == "span"
        assert joined or points == list(range(points[0], points[-1] + 1)), f"{label}: points {points}"


# --- words ----------------------------------------------------------------------------------------

ARROW = "a line breaks between a direction arrow and its word ('Direction of travel: ↓' / 'Worsened')"


@pytest.mark.parametrize("name", variants(("as-shipped", "no-proposals", "many-reds"),
                                          failing=all_failing(ARROW)))
def test_no_line_ends_with_a_direction_arrow(papers: Papers, name: str) -> None:
    paper = papers[name]
    for n in range(len(paper.pages)):
        ends = [line for line in paper.lines(n) if line.endswith(("↑", "↓", "→"))]
        assert not ends, f"{name}: page {n + 1}: {ends}"


@pytest.mark.parametrize("name", variants(("as-shipped", "quarterly-mixed", "no-proposals"), failing={
    "as-shipped": "'the report period is Mar-' / '20.' (ICT01's facts)",
    "quarterly-mixed": "'the report period is Mar-' / '20.' (ICT01's and FN11's facts)"}))
def test_no_period_label_is_broken_across_lines(papers: Papers, name: str) -> None:
    paper = papers[name]
    for n in range(len(paper.pages)):
        broken = [line for line in paper.lines(n) if re.search(rf"\b{MONTH}-$", line)]
        assert not broken, f"{name}: page {n + 1}: {broken}"


@pytest.mark.parametrize("name", variants(("as-shipped", "no-proposals"), failing=all_failing(
    "an unchanged direction reads 'Same compared with Feb-20'")))
def test_an_unchanged_direction_reads_unchanged_from(papers: Papers, name: str) -> None:
    text = flat(" ".join(papers[name].paragraphs()))
    assert "unchanged from" in text and "Same compared with" not in text


@pytest.mark.parametrize("name", variants(("as-shipped", "no-proposals", "polarity-change"), failing={
    "as-shipped": "running text writes 2019/20 and 2020-21 (and 2019-20)",
    "polarity-change": "running text writes 2019/20 and 2020-21 (and 2019-20)"}))
def test_running_text_writes_financial_years_one_way(papers: Papers, name: str) -> None:
    text = " ".join(papers[name].paragraphs())
    styles = {match[4] for match in re.findall(r"\b20\d\d[/-]\d\d\b", text)}
    assert len(styles) == 1, styles


@pytest.mark.parametrize("name", variants(("as-shipped", "no-proposals"), failing=all_failing(
    "the Guidance gives hex codes and contrast ratios and says Red and Green stay apart in greyscale "
    "(Green and Amber are 1.36:1 there)")))
def test_the_guidance_speaks_to_a_reader(papers: Papers, name: str) -> None:
    paragraphs = papers[name].paragraphs()
    guidance = flat(" ".join(paragraphs[paragraphs.index("Guidance Notes"):paragraphs.index("KPI Summary")]))
    assert not re.search(r"#[0-9A-Fa-f]{6}|\d(?:\.\d)?:1\b", guidance)
    assert "greyscale" not in guidance or "stay apart" not in guidance


@pytest.mark.parametrize("name", variants(("as-shipped", "quarterly-mixed", "no-proposals"), failing={
    "as-shipped": "the cover counts ICT01 among the Greens on its February figure without saying so",
    "quarterly-mixed": "the cover counts FN11 (December) and ICT01 (February) without saying so"}))
def test_the_cover_names_each_kpi_rated_on_older_data(papers: Papers, name: str) -> None:
    paper = papers[name]
    stale = [r.indicator.code for r in kx.check(paper.source).kpis if r.stale]
    cover = paper.cover()
    for code in stale:
        assert code in cover, f"{name}: the cover does not say {code}'s latest figure is old"


# --- details and commentary the workbook does not give --------------------------------------------


@pytest.mark.xfail(strict=True, reason=ISSUE + "a blank Paper details sheet loses the service the title row "
                                               "names, and fills 'Unrestricted' silently")
def test_a_blank_details_sheet_takes_the_service_from_the_title_row(papers: Papers) -> None:
    paper = papers["blank-details"]
    cover = paper.cover()
    assert "Subject: Strategic and Corporate Services Performance Dashboard" in cover
    assert "Classification: Unrestricted" not in cover


@pytest.mark.parametrize("name", variants(("blank-details", "partial-details"), failing=all_failing(
    "no placeholder for a missing classification or a contact's phone and email")))
def test_every_missing_detail_is_a_highlighted_placeholder(papers: Papers, name: str) -> None:
    paper = papers[name]
    highlighted = " ".join(paper.highlighted()).lower()
    for detail in ("classification", "phone", "email"):
        assert detail in highlighted, f"{name}: no placeholder for the {detail}"
    assert "classification" in " ".join(paper.build_warnings).lower()


RED_WITHOUT_COMMENTARY = ("GL03", "FN02", "FN08")


@pytest.mark.xfail(strict=True, reason=ISSUE + "a Red KPI without commentary shows nothing in its place")
def test_a_red_kpi_without_commentary_shows_a_highlighted_placeholder(papers: Papers) -> None:
    paper = papers["many-reds"]
    highlighted = [h for h in paper.highlighted() if h.strip()]
    assert "Commentary: Calls rose sharply" in " ".join(paper.block("CS04a"))  # a block as read here
    for code in RED_WITHOUT_COMMENTARY:
        block = paper.block(code)
        assert any(h in text for text in block for h in highlighted), f"{code}: no placeholder in {block}"


# --- warnings -------------------------------------------------------------------------------------


@pytest.mark.xfail(strict=True, reason=ISSUE + "Red and Amber KPIs without commentary pass without a word")
def test_check_warns_for_every_red_and_amber_kpi_without_commentary(papers: Papers) -> None:
    warnings = papers["many-reds"].check_warnings
    for code in (*RED_WITHOUT_COMMENTARY, "CS07"):
        assert any(code in w and "commentary" in w for w in warnings), f"no warning for {code}"


@pytest.mark.xfail(strict=True, reason=ISSUE + "commentary whose direction words ('has fallen steadily', "
                                               "'has improved') the figures contradict passes without a word")
def test_check_warns_when_the_figures_contradict_the_commentarys_direction(papers: Papers) -> None:
    warnings = papers["contradicted-commentary"].check_warnings
    for code, words in (("FN06", "fallen"), ("HR23", "improved")):
        assert any(code in w and words in w for w in warnings), f"no warning for {code}"


def test_check_still_warns_when_the_commentary_claims_a_target_met_that_is_missed(papers: Papers) -> None:
    warnings = papers["contradicted-commentary"].check_warnings
    assert [w for w in warnings if "CS04a" in w and "above target" in w and w.startswith("KPIs!")]
    assert not [w for w in papers["as-shipped"].check_warnings if "commentary" in w]


@pytest.mark.xfail(strict=True, reason=ISSUE + "a proposed polarity change is applied to both years, "
                                               "called 'No change', and FN07's floor on the wrong side is "
                                               "not warned about")
def test_a_proposed_polarity_change_is_a_change_and_checked(papers: Papers) -> None:
    paper = papers["polarity-change"]
    assert any("FN07" in w and "wrong side" in w for w in paper.check_warnings)
    for code in ("FN05", "FN07"):
        row = paper.appendix_2_row(code)
        assert "polarity" in row.lower() and "No change" not in row, row
    assert "polarity" in paper.cover().lower()  # paragraph 2.6


@pytest.mark.xfail(strict=True, reason=ISSUE + "a new KPI's figures typed as 0.9 with no number format print "
                                               "as '0.9' beside every other percentage's '90.0%', unwarned")
def test_a_new_kpis_unformatted_figures_print_as_percentages_or_are_warned_about(papers: Papers) -> None:
    paper = papers["new-and-dropped"]
    cs08 = paper.appendix_2_row("CS08")
    assert paper.appendix_2_row("GL04").count("%") == 2  # a new KPI typed as a percentage prints as one
    printed = bool(re.search(r"90(\.0)?% 80(\.0)?%", cs08))
    warned = any("CS08" in w and "Proposed 2020-21" in w for w in paper.check_warnings)
    assert printed or warned


# --- the same paper, however long the history -----------------------------------------------------


def test_three_years_of_history_make_the_same_paper_as_one(papers: Papers) -> None:
    # the charts and tables show the last twelve periods: older columns change nothing printed
    one, three = papers["as-shipped"], papers["three-years"]
    assert one.pages == three.pages
    assert [_axis_and_levels(c) for c in one.charts()] == [_axis_and_levels(c) for c in three.charts()]


# --- opens in Word with nothing to repair ---------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_the_validator_finds_nothing_to_repair(papers: Papers, name: str) -> None:
    result = subprocess.run(["openxml-audit", "-f", "microsoft365", "-m", "0", "-o", "json",
                             str(papers[name].docx)], capture_output=True, text=True, check=False)
    [report] = json.loads(result.stdout)
    assert report["error_count"] == 0, report["errors"]
