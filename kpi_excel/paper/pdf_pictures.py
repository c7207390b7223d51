"""What LibreOffice turns into the PDF: the rendered paper with each native chart swapped for its picture.

LibreOffice prints a native Word chart's 9 pt labels at 6.5 pt and leaves the chart's alt text out
of the tagged PDF; a picture keeps both. The swap edits three parts of the rendered package (the
body, its relationships, the content types) instead of rendering the template a second time:
each chart's relationship is pointed at a PNG part, and the drawing that shows the chart shows the
picture, with the same alt text, at the picture's own height.

A chart part is known by its bytes: the chart XML of each chart spec (the same spec always gives
the same bytes, whichever process made it). A chart not made from the report (a template's own) is
left as it is.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Callable, Iterable

from lxml import etree

from kpi_excel.charts.drawingml import ChartFiles, chart_xml
from kpi_excel.core.model import Report
from kpi_excel.excel import ns
from kpi_excel.present.chartspec import ChartSpec
from kpi_excel.present.views import ReportView, viewed

# the pictures' width, 16 cm in EMU, as images.CHART_WIDTH (loading python-docx and docxtpl here,
# in the process that only converts the paper, would cost a tenth of LibreOffice's time)
PICTURE_WIDTH = 5_760_000
EMU_PER_INCH = 914_400
IMAGE_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
_PIC_NS = "http://schemas.openxmlformats.org/drawingml/2006/picture"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BODY, _BODY_RELS, _TYPES = "word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"

_DRAWING = re.compile(rb"<w:drawing>.*?</w:drawing>", re.S)
_CHART_ID = re.compile(rb'<c:chart [^>]*?\w+:id="([^"]+)"')
_EXTENT = re.compile(rb'(<\w+:extent) cx="\d+" cy="\d+"/>')
_GRAPHIC = re.compile(rb"<a:graphic[ >].*</a:graphic>", re.S)
_DESCRIPTION = re.compile(rb'<\w+:docPr [^>]*?descr="([^"]*)"')


def with_chart_pictures(data: bytes, specs: Iterable[ChartSpec], draw: Callable[[ChartSpec], bytes]) -> bytes:
    """The .docx `data` with the native chart of each of `specs` shown as its picture (`draw`)."""
    by_bytes = {chart_xml(spec, ChartFiles(b"", b"").data_rid): spec for spec in specs}
    source = zipfile.ZipFile(io.BytesIO(data))
    names = set(source.namelist())
    rels = etree.fromstring(source.read(_BODY_RELS))
    pictures: dict[bytes, tuple[int, int]] = {}  # relationship id -> the picture's width and height (EMU)
    members: dict[str, bytes] = {}
    dropped: set[str] = set()
    for rel in rels:
        if rel.get("Type") != ns.CHART_RELATIONSHIP or rel.get("TargetMode") == "External":
            continue
        chart = posixpath.normpath(posixpath.join("word", rel.get("Target", "")))
        spec = by_bytes.get(source.read(chart)) if chart in names else None
        if spec is None:
            continue
        png = draw(spec)
        media = f"media/kpi-{posixpath.splitext(posixpath.basename(chart))[0]}.png"
        members[f"word/{media}"] = png
        rel.set("Type", IMAGE_RELATIONSHIP)
        rel.set("Target", media)
        pictures[rel.get("Id", "").encode()] = picture_size(png, PICTURE_WIDTH)
        dropped |= {chart, *_related(source, names, chart)}
    if not pictures:
        return data
    members[_BODY_RELS] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    members[_BODY] = _DRAWING.sub(lambda m: _as_picture(m.group(0), pictures), source.read(_BODY))
    members[_TYPES] = _content_types(source.read(_TYPES), dropped)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in dropped:
                target.writestr(info.filename, members.pop(info.filename, b"") or source.read(info))
        for name, blob in members.items():  # the pictures, stored: PNG is compressed already
            target.writestr(name, blob, zipfile.ZIP_STORED)
    return out.getvalue()


def picture_size(png: bytes, width: int) -> tuple[int, int]:
    """A PNG's size in EMU at `width`, its height in proportion, reckoned as python-docx reckons a
    picture's (its pixels at the dots per inch its pHYs chunk gives, else 72, in whole EMU)."""
    px_width, px_height = struct.unpack(">II", png[16:24])  # IHDR is the first chunk
    dpi = (72, 72)
    at = 8
    while at + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"pHYs":
            per_x, per_y, unit = struct.unpack(">IIB", png[at + 8:at + 17])
            dpi = tuple(int(round(n * 0.0254)) if unit == 1 and n else 72  # type: ignore[assignment]
                        for n in (per_x, per_y))
            break
        if kind == b"IDAT":
            break
        at += 12 + length
    native_width = int(px_width / dpi[0] * EMU_PER_INCH)
    native_height = int(px_height / dpi[1] * EMU_PER_INCH)
    return width, round(native_height * (float(width) / float(native_width)))


def _related(source: zipfile.ZipFile, names: set[str], part: str) -> list[str]:
    """A part's relationships file and the parts it names (a chart's embedded workbook)."""
    folder, name = posixpath.split(part)
    rels_name = f"{folder}/_rels/{name}.rels"
    if rels_name not in names:
        return []
    return [rels_name] + [posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
                          for rel in etree.fromstring(source.read(rels_name))
                          if rel.get("TargetMode") != "External"]


def _as_picture(drawing: bytes, pictures: dict[bytes, tuple[int, int]]) -> bytes:
    """A chart's w:drawing showing its picture instead, if its chart is one swapped."""
    found = _CHART_ID.search(drawing)
    if found is None or found.group(1) not in pictures:
        return drawing
    rel_id = found.group(1).decode()
    cx, cy = pictures[found.group(1)]
    described = _DESCRIPTION.search(drawing)
    descr = f'"{described.group(1).decode()}"' if described else '""'  # as escaped in docPr
    graphic = (
        f'<a:graphic xmlns:a="{_A_NS}"><a:graphicData uri="{_PIC_NS}"><pic:pic xmlns:pic="{_PIC_NS}">'
        f'<pic:nvPicPr><pic:cNvPr id="0" name="chart.png" descr={descr}/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip xmlns:r="{_R_NS}" r:embed="{rel_id}"/><a:stretch><a:fillRect/></a:stretch>'
        f'</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic>'
    ).encode()
    drawing = _EXTENT.sub(lambda m: m.group(1) + f' cx="{cx}" cy="{cy}"/>'.encode(), drawing, count=1)
    return _GRAPHIC.sub(lambda _m: graphic, drawing, count=1)


def _content_types(xml: bytes, dropped: set[str]) -> bytes:
    """The content types without the dropped parts' overrides, with PNG among the defaults."""
    types = etree.fromstring(xml)
    for override in types.findall(f"{{{_TYPES_NS}}}Override"):
        if override.get("PartName", "").lstrip("/") in dropped:
            types.remove(override)
    defaults = {d.get("Extension", "").lower() for d in types.findall(f"{{{_TYPES_NS}}}Default")}
    if "png" not in defaults:
        types.insert(0, types.makeelement(f"{{{_TYPES_NS}}}Default", {"Extension": "png",
                                                                       "ContentType": "image/png"}))
    return etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)


def report_pictures_for_pdf(data: bytes, report: Report | ReportView) -> bytes:
    """The paper `data` of `report` with its native charts shown as the pictures --chart-images draws."""
    from kpi_excel.charts.png import indicator_chart  # Pillow loads only where pictures are drawn

    return with_chart_pictures(data, (s for s in viewed(report).chart_specs.values() if s is not None),
                               indicator_chart)
