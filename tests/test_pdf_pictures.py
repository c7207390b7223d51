"""The paper LibreOffice turns into the PDF (paper/pdf_pictures.py): the rendered paper with its native
charts swapped for pictures shows what the paper rendered with pictures shows, drawing by drawing."""

from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

from kpi_excel import paper, pipeline
from kpi_excel.charts.png import report_charts
from kpi_excel.paper.pdf_pictures import PICTURE_WIDTH, report_pictures_for_pdf, with_chart_pictures

NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
      "ct": "http://schemas.openxmlformats.org/package/2006/content-types"}


def _drawings(data: bytes) -> list[tuple[str, str, str, str, bytes]]:
    """Each drawing of the body in order: its alt text, the picture's alt text, its width and height,
    and the picture it shows (read through the body's relationships)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = etree.fromstring(z.read("word/document.xml"))
        listed = etree.fromstring(z.read("word/_rels/document.xml.rels")).iterfind("rel:Relationship", NS)
        rels = {r.get("Id"): posixpath.normpath(posixpath.join("word", r.get("Target"))) for r in listed}
        found = []
        for inline in body.iterfind(".//w:drawing/wp:inline", NS):
            blip = inline.find(".//a:blip", NS)
            picture = z.read(rels[blip.get(f"{{{NS['r']}}}embed")]) if blip is not None else b""
            extent = inline.find("wp:extent", NS)
            found.append((inline.find("wp:docPr", NS).get("descr"),
                          inline.find(".//pic:cNvPr", NS).get("descr") if blip is not None else "",
                          extent.get("cx"), extent.get("cy"), picture))
        return found


def test_the_swapped_paper_shows_what_the_paper_with_pictures_shows() -> None:
    report = pipeline.check(pipeline.sample_path())
    native = paper.render_paper(report)
    swapped = report_pictures_for_pdf(native, report)
    drawn = paper.render_paper(report, charts=report_charts(report), chart_images_only=True)
    ours, theirs = _drawings(swapped), _drawings(drawn)
    assert len(ours) == 31 and all(picture for *_rest, picture in ours)
    assert ours == theirs
    with zipfile.ZipFile(io.BytesIO(swapped)) as z:
        names = z.namelist()
        types = etree.fromstring(z.read("[Content_Types].xml"))
    # no chart, chart relationship or embedded workbook is left over; every part has its type
    assert not [n for n in names if n.startswith(("word/charts/", "word/embeddings/"))]
    overrides = {o.get("PartName").lstrip("/") for o in types.iterfind("ct:Override", NS)}
    assert overrides <= set(names)
    assert "png" in {d.get("Extension") for d in types.iterfind("ct:Default", NS)}


def test_the_pictures_are_as_wide_as_the_paper_s() -> None:
    assert PICTURE_WIDTH == paper.CHART_WIDTH


def test_a_chart_not_made_from_the_report_is_left_as_it_is() -> None:
    report = pipeline.check(pipeline.sample_path())
    native = paper.render_paper(report)
    assert with_chart_pictures(native, [], lambda _spec: b"") == native
