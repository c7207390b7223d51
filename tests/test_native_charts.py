"""The paper's native Word charts against the RAG workbook's charts and the pictures: the same periods,
figures, gaps, axis, colours, dashes and alt text, read back from the files each output wrote."""

from __future__ import annotations

import dataclasses
import io
import posixpath
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from PIL import Image, ImageColor

from kpi_excel import pipeline
from kpi_excel.charts import drawingml
from kpi_excel.core.model import Observation, Report
from kpi_excel.core.rules import rate
from kpi_excel.workbook import write_workbook

NS = {"c": drawingml.C_NS, "a": drawingml.A_NS, "r": drawingml.R_NS,
      "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
      "ct": "http://schemas.openxmlformats.org/package/2006/content-types"}
R_ID = f"{{{drawingml.R_NS}}}id"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"


@dataclasses.dataclass(frozen=True)
class Chart:
    """What a chart part shows, as read from its XML."""

    alt_text: str
    categories: tuple[tuple[str, ...], ...]  # each series' periods
    values: tuple[tuple[float | None, ...], ...]  # each series' cached figures; None: no point
    colours: tuple[str, ...]  # each series' line colour
    dashes: tuple[str, ...]
    axis: tuple[str, str, str]  # min, max, major unit
    blanks: str  # c:dispBlanksAs
    part: str  # where it is in its package


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    xml = etree.fromstring(z.read(f"{folder}/_rels/{name}.rels"))
    return {r.get("Id"): posixpath.normpath(posixpath.join(folder, r.get("Target")))
            for r in xml.iterfind("rel:Relationship", NS)}


def _chart(z: zipfile.ZipFile, part: str, alt_text: str) -> Chart:
    xml = etree.fromstring(z.read(part))
    series = xml.findall(".//c:ser", NS)

    def values(ser: etree._Element) -> tuple[float | None, ...]:
        count = int(ser.find("c:val//c:ptCount", NS).get("val"))
        points = {int(p.get("idx")): float(p.findtext("c:v", namespaces=NS))
                  for p in ser.iterfind("c:val//c:pt", NS)}
        return tuple(points.get(i) for i in range(count))

    scaling = xml.find(".//c:valAx/c:scaling", NS)
    return Chart(
        alt_text=alt_text,
        categories=tuple(tuple(p.findtext("c:v", namespaces=NS) for p in s.iterfind("c:cat//c:pt", NS))
                         for s in series),
        values=tuple(values(s) for s in series),
        colours=tuple(s.find("c:spPr/a:ln//a:srgbClr", NS).get("val") for s in series),
        dashes=tuple(s.find("c:spPr/a:ln/a:prstDash", NS).get("val") for s in series),
        axis=(scaling.find("c:min", NS).get("val"), scaling.find("c:max", NS).get("val"),
              xml.find(".//c:valAx/c:majorUnit", NS).get("val")),
        blanks=xml.find(".//c:dispBlanksAs", NS).get("val"),
        part=part,
    )


def workbook_charts(path: Path) -> dict[str, Chart]:
    """The RAG workbook's charts by alt text."""
    charts = {}
    with zipfile.ZipFile(path) as z:
        for drawing in (n for n in z.namelist() if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)):
            rels = _rels(z, drawing)
            for frame in etree.fromstring(z.read(drawing)).iterfind(".//xdr:graphicFrame", NS):
                alt = frame.find("xdr:nvGraphicFramePr/xdr:cNvPr", NS).get("descr")
                if alt.startswith("Bar chart of KPIs by section"):  # the Dashboard's, not an indicator's
                    continue
                charts[alt] = _chart(z, rels[frame.find(".//c:chart", NS).get(R_ID)], alt)
    return charts


def paper_charts(path: Path) -> dict[str, Chart]:
    """The paper's native charts by alt text."""
    with zipfile.ZipFile(path) as z:
        rels = _rels(z, "word/document.xml")
        document = etree.fromstring(z.read("word/document.xml"))
        charts = {}
        for inline in document.iterfind(".//wp:inline", NS):
            if inline.find(".//c:chart", NS) is not None:
                alt = inline.find("wp:docPr", NS).get("descr")
                charts[alt] = _chart(z, rels[inline.find(".//c:chart", NS).get(R_ID)], alt)
        return charts


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path, Path]:
    """The sample's workbook and paper, by the default build (the paper on a second process)."""
    out = tmp_path_factory.mktemp("native")
    result = pipeline.build(pipeline.sample_path(), out, jobs=2)
    book = next(p for p in result.outputs if p.name.endswith("-rag.xlsx"))
    paper = next(p for p in result.outputs if p.name.endswith("-paper.docx"))
    return result.report, book, paper


def test_every_indicator_has_a_native_chart_with_its_own_embedded_workbook(
        built: tuple[Report, Path, Path]) -> None:
    report, _book, paper = built
    charts = paper_charts(paper)
    assert len(charts) == len(report.ratings) >= 25
    with zipfile.ZipFile(paper) as z:
        types = etree.fromstring(z.read("[Content_Types].xml"))
        overrides = {o.get("PartName"): o.get("ContentType") for o in types.iterfind("ct:Override", NS)}
        defaults = {d.get("Extension"): d.get("ContentType") for d in types.iterfind("ct:Default", NS)}
        document = etree.fromstring(z.read("word/document.xml"))
        embedded = set()
        for chart in charts.values():
            assert overrides["/" + chart.part] == CHART_TYPE
            [workbook] = _rels(z, chart.part).values()
            assert workbook.startswith("word/embeddings/") and defaults["xlsx"] == XLSX_TYPE
            embedded.add(workbook)
            _embedded_holds_the_cached_figures(z.read(workbook), z.read(chart.part))
    assert len(embedded) == len(charts)  # one workbook each, so "Edit Data" edits that chart alone
    ids = document.xpath("//wp:docPr/@id", namespaces=NS)
    assert len(ids) == len(set(ids))
    assert all(alt.startswith("Line chart of ") for alt in charts)


def _embedded_holds_the_cached_figures(workbook: bytes, chart: bytes) -> None:
    """Each series' name, periods and figures are in the cells its formulas name (a gap: empty)."""
    sheet = openpyxl.load_workbook(io.BytesIO(workbook))[drawingml.DATA_SHEET]
    xml = etree.fromstring(chart)
    for ser in xml.iterfind(".//c:ser", NS):
        for ref, cache in (("c:tx/c:strRef", "c:strCache"), ("c:cat/c:strRef", "c:strCache"),
                           ("c:val/c:numRef", "c:numCache")):
            cells = sheet[ser.find(f"{ref}/c:f", NS).text.split("!")[1].replace("$", "")]
            cells = [c for row in cells for c in row] if isinstance(cells, tuple) else [cells]
            points = {int(p.get("idx")): p.findtext("c:v", namespaces=NS)
                      for p in ser.find(f"{ref}/{cache}", NS).iterfind("c:pt", NS)}
            read = [points.get(i) for i in range(len(cells))]
            if cache == "c:numCache":
                read = [float(v) if v is not None else None for v in read]
            assert [c.value for c in cells] == read


def test_both_outputs_chart_the_same_periods_figures_axis_colours_and_alt_text(
        built: tuple[Report, Path, Path]) -> None:
    _report, book, paper = built
    in_book, in_paper = workbook_charts(book), paper_charts(paper)
    assert set(in_book) == set(in_paper)  # one alt text per chart, the same in both
    for alt, chart in in_paper.items():
        other = in_book[alt]
        assert chart.categories == other.categories and chart.values == other.values, alt
        assert (chart.colours, chart.dashes, chart.axis) == (other.colours, other.dashes, other.axis), alt
        assert chart.blanks == other.blanks == "gap"
    assert len({c.categories for c in in_paper.values()}) == 1  # every chart the same twelve periods


def test_pictures_carry_the_same_alt_text_and_line_colours(built: tuple[Report, Path, Path],
                                                           tmp_path: Path) -> None:
    _report, _book, paper = built
    native = paper_charts(paper)
    result = pipeline.build(pipeline.sample_path(), tmp_path, pipeline.Options(chart_images=True), jobs=1)
    pictures = next(p for p in result.outputs if p.name.endswith("-paper.docx"))
    with zipfile.ZipFile(pictures) as z:
        assert not any(n.startswith("word/charts/") for n in z.namelist())
        rels = _rels(z, "word/document.xml")
        document = etree.fromstring(z.read("word/document.xml"))
        embed = f"{{{drawingml.R_NS}}}embed"
        drawn = {i.find("wp:docPr", NS).get("descr"): z.read(rels[i.find(".//a:blip", NS).get(embed)])
                 for i in document.iterfind(".//wp:inline", NS)}
    assert set(drawn) == set(native)
    for alt, png in drawn.items():
        colours = {c for _n, c in Image.open(io.BytesIO(png)).convert("RGB").getcolors(1 << 16) or []}
        for colour in native[alt].colours:
            assert ImageColor.getrgb(f"#{colour}") in colours, (alt, colour)


def test_a_missing_month_is_a_gap_in_both_outputs(tmp_path: Path) -> None:
    """No cached point and dispBlanksAs gap, and in the workbook a blank cell under the chart:
    LibreOffice draws a cell holding #N/A or "" as zero, a blank one as a gap."""
    dataset = pipeline.load(pipeline.sample_path())
    first = dataset.indicators[0]
    holed = tuple(Observation(o.period, None) if i == 5 else o for i, o in enumerate(first.observations))
    dataset = dataclasses.replace(dataset, indicators=(dataclasses.replace(first, observations=holed),
                                                       *dataset.indicators[1:]))
    report = rate(dataset)
    write_workbook(report, tmp_path / "holed.xlsx")
    from kpi_excel import paper

    (tmp_path / "holed.docx").write_bytes(paper.render_paper(report))
    for charts in (workbook_charts(tmp_path / "holed.xlsx"), paper_charts(tmp_path / "holed.docx")):
        chart = next(c for alt, c in charts.items() if first.label in alt)
        assert chart.values[0][5] is None and chart.values[0][4] is not None and chart.blanks == "gap"
    chart = next(c for alt, c in workbook_charts(tmp_path / "holed.xlsx").items() if first.label in alt)
    with zipfile.ZipFile(tmp_path / "holed.xlsx") as z:
        ref = etree.fromstring(z.read(chart.part)).find(".//c:ser/c:val//c:f", NS).text
    sheet, cells = ref.replace("'", "").split("!")
    with warnings.catch_warnings():  # openpyxl warns that it drops the sparklines it cannot read
        warnings.simplefilter("ignore", UserWarning)
        book = openpyxl.load_workbook(tmp_path / "holed.xlsx")
    [row] = book[sheet][cells.replace("$", "")]
    assert row[5].value is None and str(row[4].value).startswith("=IF(ISNUMBER(")
    book.close()


def test_native_charts_are_byte_identical_from_build_to_build(built: tuple[Report, Path, Path],
                                                              tmp_path: Path) -> None:
    _report, book, paper = built
    again = {p.name: p.read_bytes() for p in pipeline.build(pipeline.sample_path(), tmp_path, jobs=1).outputs}
    assert again[book.name] == book.read_bytes() and again[paper.name] == paper.read_bytes()


@pytest.mark.skipif(shutil.which("openxml-audit") is None and not __import__("os").environ.get("CI"),
                    reason="openxml-audit is not installed")
def test_microsoft_365_rules_find_nothing_wrong_with_the_charts(built: tuple[Report, Path, Path]) -> None:
    _report, book, paper = built
    for path in (book, paper):
        result = subprocess.run(["openxml-audit", "-f", "microsoft365", "-m", "0", str(path)],
                                capture_output=True, text=True, check=False)
        chart_findings = [line for line in result.stdout.splitlines()
                          if re.search(r"/(charts|embeddings|drawings)/", line)]
        assert not chart_findings, result.stdout[-3000:]
        assert "Errors: " in result.stdout
    assert "Errors: 0" in subprocess.run(["openxml-audit", "-f", "microsoft365", "-m", "0", str(book)],
                                         capture_output=True, text=True, check=False).stdout
