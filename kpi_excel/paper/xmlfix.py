"""Fixes to what python-docx and docxtpl write: schema order, widths, empty sections, fixed zip stamps."""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from docx.document import Document as DocumentObject
from docx.opc.pkgwriter import _ContentTypesItem
from docx.oxml.ns import qn

from kpi_excel.excel import ns
from kpi_excel.paper.body_stream import document_blob  # a body rendered in parts is written as they were


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
    if not paragraph_text(paragraph) and paragraph.find(f".//{qn('w:drawing')}") is None:
        body.remove(paragraph)


_TC_ORDER = ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"]
# tag names worked out once, not for each of a paper's thousands of cells
_TC_RANK = {qn(f"w:{name}"): i for i, name in enumerate(_TC_ORDER)}
_TBL, _TBL_PR, _TBL_LAYOUT, _GRID_COL, _TR, _TC, _TC_PR, _GRID_SPAN, _TC_W, _W, _VAL, _TYPE = (
    qn(f"w:{name}") for name in ("tbl", "tblPr", "tblLayout", "gridCol", "tr", "tc", "tcPr", "gridSpan",
                                  "tcW", "w", "val", "type"))


def tidy_tables(document: DocumentObject) -> None:
    """Put cell properties in schema order and cell widths on the table grid; one w:tblLayout.

    docxtpl's {% cellbg %} puts w:shd first in w:tcPr, an order Word reports as unreadable
    content; and {%tc %} column loops leave every repeated cell with the template cell's width.
    """
    for table in document.element.body.iter(_TBL):
        # a template built with python-docx may carry w:tblLayout twice (table.autofit writes one)
        tbl_pr = table.find(_TBL_PR)
        for extra in (tbl_pr.findall(_TBL_LAYOUT)[1:] if tbl_pr is not None else []):
            tbl_pr.remove(extra)
        widths = [col.get(_W) for col in table.iter(_GRID_COL)]
        _header_rows_on_top(table)
        for row in table.iter(_TR):
            column = 0
            for cell in row.iterchildren(_TC):
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


def _header_rows_on_top(table: Any) -> None:
    """Only the rows at the top of a table may repeat as its header: a {%tr for %} that repeats a
    header row (the period tables' second row of six) leaves w:tblHeader further down."""
    on_top = True
    for row in table.findall(_TR):
        tr_pr = row.find(qn("w:trPr"))
        header = tr_pr.find(qn("w:tblHeader")) if tr_pr is not None else None
        if header is None:
            on_top = False
        elif not on_top:
            tr_pr.remove(header)


def _order_children(element: Any, rank: dict[str, int]) -> None:
    ranks = [rank.get(tag, len(rank)) for tag in _tags(element)]
    if any(a > b for a, b in itertools.pairwise(ranks)):  # most are in order already
        for child in sorted(element, key=lambda child: rank.get(child.tag, len(rank))):
            element.append(child)


def _tags(element: Any) -> list[str]:
    return [child.tag for child in element]


def save_docx(document: DocumentObject, when: dt.datetime) -> bytes:
    """The document as .docx bytes, written once with fixed stamps (python-docx's own save
    deflates every part, which deterministic_docx would then inflate and deflate again)."""
    package = document.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    members = {"[Content_Types].xml": _ContentTypesItem.from_parts(parts).blob,
               "_rels/.rels": package.rels.xml}
    for part in parts:
        members[part.partname.membername] = document_blob(part)
        if len(part.rels):
            members[part.partname.rels_uri.membername] = part.rels.xml
    return _fixed_zip(members, when)


def deterministic_docx(data: bytes, when: dt.datetime) -> bytes:
    """The same .docx with every zip member stamped `when`, in a fixed order.

    python-docx stamps each member with the current time, so two builds of the same input would
    differ; fixed times and order make them byte-identical.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    return _fixed_zip({name: source.read(name) for name in source.namelist()}, when)


def _fixed_zip(members: dict[str, bytes], when: dt.datetime) -> bytes:
    names = sorted(members, key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels", n))
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            # pictures and embedded workbooks are compressed already: deflating them again
            # costs time and saves nothing
            packed = name.endswith((".png", ".xlsx"))
            info.compress_type = zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, members[name])
    return out.getvalue()


def paragraph_text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


# --- The package: what Word checks on opening -----------------------------------------------------

_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_CUSTOM_PROPERTIES = ns.CUSTOM_PROPERTIES_RELATIONSHIP
_CUSTOM_CT = ns.CUSTOM_PROPERTIES_TYPE
_CUSTOM_NS = ns.CUSTOM_PROPERTIES
_VT_NS = ns.DOC_PROPS_TYPES
_EXTENDED_NS = ns.EXTENDED_PROPERTIES
_PROPERTY_FORMAT = ns.CUSTOM_PROPERTY_FORMAT
WORD_2013_AND_LATER = "15"


def tidy_package(document: DocumentObject) -> None:
    """Leave nothing for Word to repair or flag: no stylesWithEffects.xml from python-docx's
    default template (its Calibri/en-US defaults and missing styles disagree with styles.xml),
    compatibility mode 15 (no "[Compatibility Mode]"), and docProps/app.xml that claims no
    application, page or word counts it cannot know."""
    rels = document.part.rels
    for rel_id, rel in list(rels.items()):
        if rel.reltype == _STYLES_WITH_EFFECTS:
            del rels[rel_id]
    set_compatibility_mode(document)
    _write_app_properties(document)


def set_compatibility_mode(document: DocumentObject, mode: str = WORD_2013_AND_LATER) -> None:
    settings = document.settings.element
    compat = settings.find(qn("w:compat"))
    if compat is None:
        compat = settings.makeelement(qn("w:compat"), {})
        settings.append(compat)  # good enough for python-docx's template, which has one already
    for setting in compat.findall(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), mode)
            return
    setting = compat.makeelement(qn("w:compatSetting"), {
        qn("w:name"): "compatibilityMode", qn("w:uri"): "http://schemas.microsoft.com/office/word",
        qn("w:val"): mode})
    compat.append(setting)


def _write_app_properties(document: DocumentObject) -> None:
    """docProps/app.xml naming kpi-excel and nothing else: Word recounts pages and words itself."""
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<Properties xmlns="{_EXTENDED_NS}" xmlns:vt="{_VT_NS}">'
           "<Application>kpi-excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
           "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
           "<HyperlinksChanged>false</HyperlinksChanged></Properties>").encode()
    for part in document.part.package.iter_parts():
        if part.partname == "/docProps/app.xml":
            part._blob = xml  # a plain part: python-docx writes its blob as it is
            return


def set_custom_properties(document: DocumentObject, properties: dict[str, str]) -> None:
    """Named text properties (File > Properties > Custom in Word), kept out of the body: where
    the paper came from is for whoever checks it, not for the committee."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree

    root = etree.Element(f"{{{_CUSTOM_NS}}}Properties", nsmap={None: _CUSTOM_NS, "vt": _VT_NS})
    package = document.part.package
    existing = next((p for p in package.iter_parts() if p.partname == "/docProps/custom.xml"), None)
    if existing is not None:  # a template's own properties are kept, ours replace same-named ones
        for prop in etree.fromstring(existing.blob):
            if prop.get("name") not in properties:
                root.append(prop)
    for name, value in properties.items():
        prop = etree.SubElement(root, f"{{{_CUSTOM_NS}}}property", fmtid=_PROPERTY_FORMAT, name=name)
        etree.SubElement(prop, f"{{{_VT_NS}}}lpwstr").text = value
    for pid, prop in enumerate(root, start=2):  # ids start at 2 by the standard
        prop.set("pid", str(pid))
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if existing is not None:
        existing._blob = blob
        return
    part = Part(PackURI("/docProps/custom.xml"), _CUSTOM_CT, blob, package)
    package.relate_to(part, _CUSTOM_PROPERTIES)


# --- Cells and runs -------------------------------------------------------------------------------

_SHD, _R, _RPR, _COLOR, _HIGHLIGHT, _T = (
    qn(f"w:{name}") for name in ("shd", "r", "rPr", "color", "highlight", "t"))
# the children of w:rPr in schema order (w:color and w:highlight are added among them)
_RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
              "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
              "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
              "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish",
              "oMath"]
_RPR_RANK = {qn(f"w:{name}"): i for i, name in enumerate(_RPR_ORDER)}


def colour_text_on_fills(document: DocumentObject, text_on: dict[str, str]) -> None:
    """Write each shaded cell's words in the colour its fill needs (white on dark red).

    Templates shade cells with {% cellbg %}, which sets only the fill; text_on maps a fill
    (RRGGBB) to its text colour, from the palette.
    """
    wanted = {fill.upper(): text for fill, text in text_on.items() if text.upper() != "000000"}
    if not wanted:
        return
    for shd in document.element.body.iter(_SHD):
        colour = wanted.get((shd.get(qn("w:fill")) or "").upper())
        tc = shd.getparent().getparent()
        if colour is None or tc.tag != _TC:
            continue
        for run in tc.iter(_R):
            _set_run_property(run, _COLOR, colour)


def _set_run_property(run: Any, tag: str, value: str) -> None:
    r_pr = run.find(_RPR)
    if r_pr is None:
        r_pr = run.makeelement(_RPR, {})
        run.insert(0, r_pr)
    element = r_pr.find(tag)
    if element is None:
        element = r_pr.makeelement(tag, {})
        r_pr.append(element)
    element.set(_VAL, value)
    _order_children(r_pr, _RPR_RANK)


def highlight_placeholders(document: DocumentObject, placeholders: Sequence[str]) -> None:
    """Highlight in yellow each run's placeholder text ("[Committee]"), split into a run of its
    own, so a detail the workbook did not give cannot go unnoticed."""
    if not placeholders:
        return
    pattern = re.compile("(" + "|".join(re.escape(p) for p in placeholders) + ")")
    for text in list(document.element.body.iter(_T)):
        run = text.getparent()
        if run.tag != _R or not text.text or not pattern.search(text.text):
            continue
        for piece in reversed([p for p in pattern.split(text.text) if p]):
            new = copy.deepcopy(run)
            for child in list(new):
                if child.tag not in (_RPR,):
                    new.remove(child)
            t = new.makeelement(_T, {})
            t.text = piece
            t.set(qn("xml:space"), "preserve")
            new.append(t)
            if pattern.fullmatch(piece):
                _set_run_property(new, _HIGHLIGHT, "yellow")
            run.addnext(new)
        text.getparent().remove(text)
