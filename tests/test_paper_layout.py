"""The paper as printed and as Word opens it: read from the .docx and from LibreOffice's PDF of it.

Four papers: the sample (year end, Reds, activity indicators, proposals), a quarterly paper with no
Reds and no activity indicators, a paper whose lower-is-better KPI gets a tougher (lower) target,
and a council-wide paper with none of its details given.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from builders import Fmt, kpi_book
from libreoffice import require_soffice
from lxml import etree

from kpi_excel import council, paper, pipeline
from kpi_excel.core.model import Rag
from kpi_excel.present import palette

pytestmark = pytest.mark.libreoffice

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
MIN_HALF_POINTS = 18  # 9 pt
PERCENT = "0.0%"
DETAILS = [
    ["Detail", "Value", "Role", "Team", "Phone", "Email"],
    ["Service", "Resources"],
    ["Committee", "Resources Cabinet Committee"],
    ["Meeting date", "15 January 2020"],
    ["From", "Jo Smith", "Cabinet Member for Resources"],
    ["Report author", "Ann Analyst", "Chief Analyst", "Performance", "03000 411111", "ann@example.gov.uk"],
    ["Relevant director", "Dee Director", "Director of Resources"],
]


@dataclass(frozen=True)
class Paper:
    """A paper as written (.docx), its tagged PDF, where it came from and what the build said."""

    docx: Path
    pdf: Path
    source: Path | None
    warnings: tuple[str, ...]

    def part(self, name: str) -> etree._Element:
        with zipfile.ZipFile(self.docx) as z:
            return etree.fromstring(z.read(name))

    def names(self) -> list[str]:
        with zipfile.ZipFile(self.docx) as z:
            return z.namelist()

    def pages(self) -> list[str]:
        """The text of each page, as pdftotext lays it out."""
        text = subprocess.run(["pdftotext", "-layout", str(self.pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        return text.split("\f")[:-1]

    def words(self) -> list[list[tuple[float, float, str]]]:
        """Each page's words as (top, height, text), in points, from pdftotext's bounding boxes."""
        html = subprocess.run(["pdftotext", "-bbox", str(self.pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        pages = []
        for body in re.findall(r"<page [^>]*>(.*?)</page>", html, re.S):
            pages.append([(float(y0), float(y1) - float(y0), text) for y0, y1, text in re.findall(
                r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', body)])
        return pages

    def page_heights(self) -> list[float]:
        with pikepdf.open(self.pdf) as pdf:
            return [float(p.mediabox[3]) - float(p.mediabox[1]) for p in pdf.pages]


def _built(path: Path, out: Path) -> Paper:
    result = pipeline.build(path, out, pipeline.Options(pdf=True))
    [docx] = [p for p in result.outputs if p.name.endswith("-paper.docx")]
    return Paper(docx, docx.with_suffix(".pdf"), path, result.warnings)


def quarterly_book(folder: Path) -> Path:
    """Eight quarters, every KPI Green, no activity indicators, no proposals."""
    quarters = [f"Q{q} {y}" for y in ("2018/19", "2019/20") for q in (1, 2, 3, 4)]
    header = ["PI Ref", "Indicator description", "Polarity", "Target", "Floor Standard", *quarters]
    rows = [[f"RS0{n}", f"Resources indicator {n} measured each quarter", "H", Fmt(0.9, PERCENT),
             Fmt(0.8, PERCENT), *(Fmt(0.91 + n / 100 + q / 1000, PERCENT) for q in range(8))]
            for n in range(1, 7)]
    return kpi_book(folder, header, *rows, more={"Paper details": DETAILS}, name="quarterly.xlsx")


def tougher_book(folder: Path) -> Path:
    """A lower-is-better KPI whose target goes from 15% to 12% next year (a tougher target)."""
    months = ["Apr-19", "May-19", "Jun-19", "Jul-19", "Aug-19", "Sep-19", "Oct-19", "Nov-19", "Dec-19",
              "Jan-20", "Feb-20", "Mar-20"]
    header = ["PI Ref", "Indicator description", "Polarity", "Target", "Floor Standard", *months]
    debt = ["FN06", "Sundry debt over 6 months old", "Lower", Fmt(0.15, PERCENT), Fmt(0.2, PERCENT),
            *(Fmt(0.19 - m / 200, PERCENT) for m in range(12))]
    paid = ["FN02", "Retirement benefits paid within 20 working days", "Higher", Fmt(0.9, PERCENT),
            Fmt(0.85, PERCENT), *(Fmt(0.88 + m / 200, PERCENT) for m in range(12))]
    proposals = [["PI Ref", "Indicator description", "Polarity", "Target 2020/21", "Floor 2020/21"],
                 ["FN06", "Sundry debt over 6 months old", "Lower", Fmt(0.12, PERCENT), Fmt(0.2, PERCENT)],
                 ["FN02", "Retirement benefits paid within 20 working days", "Higher", Fmt(0.9, PERCENT),
                  Fmt(0.85, PERCENT)]]
    return kpi_book(folder, header, debt, paid, name="debt-tracker.xlsx",
                    more={"Paper details": DETAILS, "Proposed 2020-21": proposals})


def council_folder(folder: Path) -> Path:
    months = [f"{m}-19" for m in ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")] + \
        [f"{m}-20" for m in ("Jan", "Feb", "Mar")]
    header = ["PI Ref", "Indicator description", "Polarity", "Target", "Floor Standard", *months]
    for stem, latest in (("adults", (95, 85, 70)), ("children", (91, 60, 81))):
        body = [[f"{stem[:2].upper()}0{n}", f"{stem.title()} indicator {n}", "H", 90, 80, *([85] * 11), value]
                for n, value in enumerate(latest, start=1)]
        kpi_book(folder, header, *body, name=f"{stem}.xlsx",
                 more={"Paper details": [["Detail", "Value"], ["Service", stem.title()]]})
    return folder


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Paper]:
    require_soffice()
    root = tmp_path_factory.mktemp("papers")
    made = {
        "sample": _built(pipeline.sample_path(), root / "sample"),
        "quarterly": _built(quarterly_book(root), root / "quarterly"),
        "tougher": _built(tougher_book(root), root / "tougher"),
    }
    (root / "departments").mkdir()
    result = council.run(council_folder(root / "departments"), root / "council", pipeline.Options())
    docx = root / "council" / "council-wide-paper.docx"
    paper.write_pdf(docx, docx.with_suffix(".pdf"))
    made["council"] = Paper(docx, docx.with_suffix(".pdf"), None, result.warnings)
    return made


PAPERS = ("sample", "quarterly", "tougher", "council")


def flat(text: str) -> str:
    return " ".join(text.split())


# --- legible: no text below 9 pt ------------------------------------------------------------------


@pytest.mark.parametrize("name", PAPERS)
def test_no_font_size_below_9_pt_in_the_docx(papers: dict[str, Paper], name: str) -> None:
    doc = papers[name]
    parts = [n for n in doc.names() if re.fullmatch(r"word/(document|styles|footer\d*|header\d*)\.xml", n)]
    sizes = [int(v) for n in parts for v in doc.part(n).xpath("//w:sz/@w:val | //w:szCs/@w:val",
                                                              namespaces=NS)]
    assert sizes and min(sizes) >= MIN_HALF_POINTS, (name, sorted(set(sizes)))
    charts = [n for n in doc.names() if re.fullmatch(r"word/charts/chart\d+\.xml", n)]
    chart_sizes = [int(v) for n in charts for v in doc.part(n).xpath("//@sz")]  # hundredths of a point
    assert all(size >= 900 for size in chart_sizes), (name, sorted(set(chart_sizes)))
    assert bool(chart_sizes) == bool(charts)


def _smallest_word(doc: Paper) -> float:
    # pdftotext's box is the font's ascent to descent: 1.12 times the size for Arial's metrics, so a
    # 9 pt word stands 10 pt tall and the 7.5 pt words the period tables had stood 8.4 pt
    return min(h for page in doc.words() for _top, h, text in page if text.strip())


@pytest.mark.parametrize("name", PAPERS)
def test_no_printed_word_is_smaller_than_9_pt(papers: dict[str, Paper], name: str) -> None:
    # tables, keys, headings and footers (the PDF shows the charts as pictures, drawn at 9 pt, whose
    # words pdftotext does not see: LibreOffice would print a native chart's 9 pt labels at 6.5 pt)
    assert _smallest_word(papers[name]) >= 9.5, name


# --- RAG colours: from the palette, white on dark red, stated in the Guidance ---------------------


def test_red_cells_are_dark_red_with_white_words(papers: dict[str, Paper]) -> None:
    body = papers["sample"].part("word/document.xml")
    red = palette.RAG_SWATCHES[Rag.RED]
    cells = [tc for tc in body.xpath("//w:tc", namespaces=NS)
             if "".join(tc.xpath(".//w:t/text()", namespaces=NS)) == "Red"]
    assert len(cells) >= 3  # the key, the summary and GL02's months
    for tc in cells:
        assert tc.xpath("w:tcPr/w:shd/@w:fill", namespaces=NS) == [red.fill_hex]
        assert set(tc.xpath(".//w:r/w:rPr/w:color/@w:val", namespaces=NS)) == {red.text_hex}
    greens = [tc for tc in body.xpath("//w:tc", namespaces=NS)
              if "".join(tc.xpath(".//w:t/text()", namespaces=NS)) == "Green"]
    assert {tuple(tc.xpath("w:tcPr/w:shd/@w:fill", namespaces=NS)) for tc in greens} == {
        (palette.RAG_SWATCHES[Rag.GREEN].fill_hex,)}
    assert not any(tc.xpath(".//w:color", namespaces=NS) for tc in greens)  # black, the default
    assert flat(palette.colours_sentence()) in flat("".join(papers["sample"].pages()))


# --- pages: none wasted, orientation only where an appendix starts --------------------------------


def _starts_appendix(page: str) -> bool:
    return page.lstrip().startswith("Appendix ")


@pytest.mark.parametrize("name", PAPERS)
def test_no_page_is_more_than_half_empty_unless_an_appendix_follows(papers: dict[str, Paper],
                                                                    name: str) -> None:
    doc = papers[name]
    texts, words, heights = doc.pages(), doc.words(), doc.page_heights()
    for n in range(len(texts) - 1):
        if _starts_appendix(texts[n + 1]):
            continue
        body = [top + h for top, h, text in words[n] if top < heights[n] - 60]  # above the footer
        assert body and max(body) / heights[n] >= 0.5, f"{name}: page {n + 1} is more than half empty"


@pytest.mark.parametrize("name", PAPERS)
def test_orientation_changes_only_where_an_appendix_starts(papers: dict[str, Paper], name: str) -> None:
    with pikepdf.open(papers[name].pdf) as pdf:
        landscape = [float(p.mediabox[2]) > float(p.mediabox[3]) for p in pdf.pages]
    texts = papers[name].pages()
    for n in range(1, len(landscape)):
        if landscape[n] != landscape[n - 1]:
            assert _starts_appendix(texts[n]), f"{name}: page {n + 1} turns without an appendix starting"


def test_red_kpis_are_not_printed_twice(papers: dict[str, Paper]) -> None:
    text = flat("".join(papers["sample"].pages()))
    commentary = "services had less capacity to gather information during the COVID-19 response"
    assert text.count(commentary) == 1
    assert text.count("Indicators rated Red") == 1


def test_no_reds_is_a_sentence_not_a_page(papers: dict[str, Paper]) -> None:
    pages = papers["quarterly"].pages()
    paragraph_2_5 = "No KPIs were RAG rated Red."
    assert flat("".join(pages)).count(paragraph_2_5) == 2  # 2.5, and the KPI Summary says it alike
    page = [p for p in pages if paragraph_2_5 in p][-1]  # the KPI Summary's, after 2.5
    assert len(page.split()) > 60  # it shares its page with the summary tables
    assert "Indicators rated Red" not in "".join(pages)


@pytest.mark.parametrize("name", PAPERS)
def test_no_paragraph_has_stray_spaces(papers: dict[str, Paper], name: str) -> None:
    # a sentence left out (no Red KPI to name) must not leave its space behind
    body = papers[name].part("word/document.xml").find("w:body", NS)
    for paragraph in body.iter(f"{{{W}}}p"):
        text = "".join(t.text or "" for t in paragraph.iter(f"{{{W}}}t"))
        assert text == text.strip(" ") and "  " not in text, repr(text)


# --- keys only for what the paper uses ------------------------------------------------------------


def test_keys_explain_only_what_the_paper_uses(papers: dict[str, Paper]) -> None:
    sample = flat("".join(papers["sample"].pages()))
    quarterly = flat("".join(papers["quarterly"].pages()))
    tougher = flat("".join(papers["tougher"].pages()))
    assert "Activity indicators give context" in sample
    assert "Activity indicators" not in quarterly and "Activity indicators" not in tougher
    # ICT01's latest figure is for Feb-20: only the sample has data older than the report period
    assert "ICT01" in sample and "72.1% (Feb-20)" in sample
    assert "older than the report period are flagged" in sample
    assert "older than the report period are flagged" not in quarterly + tougher
    assert "The RAG rating is for the latest period with data." in quarterly
    assert "Where lower is better" in sample and "Where lower is better" in tougher
    assert "Where lower is better" not in quarterly
    for text in (sample, quarterly, tougher):  # no close-to-target KPI in any of them
        assert "close to target" not in text.lower()


# --- polarity where a reader needs it -------------------------------------------------------------


def test_polarity_is_shown_beside_each_kpi_and_in_appendix_2(papers: dict[str, Paper]) -> None:
    body = papers["tougher"].part("word/document.xml")
    rows = [["".join(tc.xpath(".//w:t/text()", namespaces=NS)) for tc in tr.xpath("w:tc", namespaces=NS)]
            for tr in body.xpath("//w:tr", namespaces=NS)]
    fn06 = [row for row in rows if row and row[0] == "FN06"]
    assert len(fn06) == 2  # the summary and Appendix 2
    assert all(row[2] == "Lower is better" for row in fn06)
    change = fn06[-1][-1]
    assert "tougher" in change.lower(), change


def test_appendix_2_headers_keep_each_year_whole(papers: dict[str, Paper]) -> None:
    for name in ("sample", "tougher"):
        pages = papers[name].pages()
        appendix = "".join(pages[next(i for i, p in enumerate(pages) if "Appendix 2" in p.lstrip()[:12]):])
        assert not re.search(r"\b20\d\d[-/]\s*$", appendix, re.M), name


# --- the body names no file; the properties do ----------------------------------------------------


@pytest.mark.parametrize("name", ("sample", "quarterly", "tougher"))
def test_the_source_file_is_in_the_properties_not_the_body(papers: dict[str, Paper], name: str) -> None:
    doc = papers[name]
    assert doc.source is not None
    text = "".join(doc.pages()) + "".join(doc.part("word/document.xml").xpath("//w:t/text()", namespaces=NS))
    assert doc.source.name not in text and doc.source.stem not in text
    custom = doc.part("docProps/custom.xml")
    values = {p.get("name"): "".join(p.itertext()) for p in custom}
    assert values["Source file"] == doc.source.name
    assert values["Source SHA-256"] == hashlib.sha256(doc.source.read_bytes()).hexdigest()


# --- missing details: a highlighted placeholder and a warning -------------------------------------


def test_missing_details_are_highlighted_placeholders_and_warned_about(papers: dict[str, Paper]) -> None:
    doc = papers["council"]
    runs = doc.part("word/document.xml").xpath("//w:r[w:rPr/w:highlight]", namespaces=NS)
    highlighted = {"".join(r.xpath("w:t/text()", namespaces=NS)) for r in runs}
    assert {"[Committee]", "[Meeting date]", "[Report author]", "[Relevant director]"} <= highlighted
    assert re.search(r"To:\s+\[Committee\] – \[Meeting date\]", "".join(doc.pages()))
    [warning] = doc.warnings
    assert "committee" in warning and "meeting date" in warning and "--committee" in warning
    for name in ("sample", "quarterly", "tougher"):
        assert papers[name].warnings == ()
        assert not papers[name].part("word/document.xml").xpath("//w:highlight", namespaces=NS)


# --- opens in Word with nothing to repair ---------------------------------------------------------


def _audit(path: Path) -> dict[str, object]:
    result = subprocess.run(["openxml-audit", "-f", "microsoft365", "-m", "0", "-o", "json", str(path)],
                            capture_output=True, text=True, check=False)
    [report] = json.loads(result.stdout)
    return report  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", PAPERS)
def test_the_validator_finds_nothing_to_repair(papers: dict[str, Paper], name: str) -> None:
    report = _audit(papers[name].docx)
    assert report["error_count"] == 0, report["errors"]
    assert report["verdict"]["prediction"] == "opens-clean", report["verdict"]  # type: ignore[index]


def test_the_bundled_template_passes_the_validator() -> None:
    report = _audit(paper.default_template())
    assert report["error_count"] == 0, report["errors"]
    assert report["verdict"]["prediction"] == "opens-clean", report["verdict"]  # type: ignore[index]


@pytest.mark.parametrize("name", PAPERS)
def test_no_leftovers_of_python_docx_default_template(papers: dict[str, Paper], name: str) -> None:
    doc = papers[name]
    assert "word/stylesWithEffects.xml" not in doc.names()
    mode = doc.part("word/settings.xml").xpath(
        "//w:compatSetting[@w:name='compatibilityMode']/@w:val", namespaces=NS)
    assert mode == ["15"]
    app = doc.part("docProps/app.xml")
    assert [e.text for e in app if etree.QName(e).localname == "Application"] == ["kpi-excel"]
    assert not [e for e in app if etree.QName(e).localname in ("Pages", "Words", "Template", "AppVersion")]
    with zipfile.ZipFile(doc.docx) as z:
        assert "stylesWithEffects" not in z.read("[Content_Types].xml").decode()
    layouts = doc.part("word/document.xml").xpath("//w:tblPr[count(w:tblLayout) > 1]", namespaces=NS)
    assert layouts == []


# --- a tagged, accessible PDF ---------------------------------------------------------------------


def _figures(node: object, found: list[pikepdf.Dictionary]) -> None:
    if isinstance(node, pikepdf.Array):
        for kid in node:
            _figures(kid, found)
    elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
        if node.S == "/Figure":
            found.append(node)
        if "/K" in node:
            _figures(node.K, found)


@pytest.mark.parametrize("name", ("sample", "quarterly"))
def test_the_pdf_is_tagged_and_accessible(papers: dict[str, Paper], name: str) -> None:
    doc = papers[name]
    info = subprocess.run(["pdfinfo", str(doc.pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    charts = len(doc.part("word/document.xml").xpath("//w:drawing", namespaces=NS))
    with pikepdf.open(doc.pdf) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root and root.MarkInfo.Marked is True
        assert str(root.Lang) == "en-GB"
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert "/Outlines" in root  # bookmarks from the headings
        assert str(pdf.docinfo["/Title"]) == flat(doc.part("docProps/core.xml").xpath(
            "//*[local-name()='title']/text()")[0])
        figures: list[pikepdf.Dictionary] = []
        _figures(root.StructTreeRoot.K, figures)
        assert len(figures) == charts > 0
        assert all(str(f.get("/Alt", "")).startswith("Line chart of ") for f in figures)


def test_docx_parts_are_well_formed_after_highlighting(papers: dict[str, Paper]) -> None:
    # a placeholder split out of its run keeps the run's properties in schema order
    body = papers["council"].part("word/document.xml")
    for r_pr in body.xpath("//w:rPr[w:highlight]", namespaces=NS):
        tags = [etree.QName(c).localname for c in r_pr]
        assert tags.index("highlight") > max((tags.index(t) for t in ("rFonts", "b", "color", "sz")
                                              if t in tags), default=-1)
