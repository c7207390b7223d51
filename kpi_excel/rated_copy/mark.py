"""The rated copy's mark: a custom document property saying kpi-excel rated it, added beside the
department's own properties (File > Properties > Custom), so a later build knows the file."""

from __future__ import annotations

import re
import zipfile

from defusedxml import ElementTree

from kpi_excel.excel import ns
from kpi_excel.excel.xmltext import escape, quoteattr
from kpi_excel.rated_copy.model import CannotEdit
from kpi_excel.rated_copy.parts import read_small
from kpi_excel.stamp import PROPERTY, RATED_COPY

CUSTOM_PART = "docProps/custom.xml"
VALUE = RATED_COPY


def marked_parts(archive: zipfile.ZipFile, content_types: bytes) -> dict[str, bytes]:
    """The parts that change to carry the mark: the custom properties (the workbook's own, with
    ours added or refreshed), and where there were none, the content types and the package's
    relationships that name the new part. content_types is the list as edited so far."""
    if CUSTOM_PART in archive.namelist():
        return {CUSTOM_PART: _with_property(read_small(archive, CUSTOM_PART))}
    if b"</Types>" not in content_types:
        raise CannotEdit("its list of content types is not as Excel writes it")
    override = f'<Override PartName="/{CUSTOM_PART}" ContentType="{ns.CUSTOM_PROPERTIES_TYPE}"/>'.encode()
    return {
        CUSTOM_PART: _new_properties(),
        "[Content_Types].xml": content_types.replace(b"</Types>", override + b"</Types>", 1),
        "_rels/.rels": _related(read_small(archive, "_rels/.rels")),
    }


def _property(pid: int) -> str:
    return (f'<property fmtid="{ns.CUSTOM_PROPERTY_FORMAT}" pid="{pid}" name={quoteattr(PROPERTY)}>'
            f"<vt:lpwstr>{escape(VALUE)}</vt:lpwstr></property>")


def _new_properties() -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{ns.CUSTOM_PROPERTIES}" xmlns:vt="{ns.DOC_PROPS_TYPES}">'
            f"{_property(2)}</Properties>").encode()


def _with_property(xml: bytes) -> bytes:
    """The workbook's custom properties with the mark last (a mark already there is kept as it is)."""
    root = ElementTree.fromstring(xml)
    props = root.findall(f"{{{ns.CUSTOM_PROPERTIES}}}property")
    if any(prop.get("name") == PROPERTY for prop in props):
        return xml
    pids = [int(p.get("pid", "0")) for p in props if (p.get("pid") or "").isdigit()]
    end = xml.rfind(b"</")
    if end < 0 or not re.match(rb"</(\w+:)?Properties\s*>", xml[end:]):
        raise CannotEdit("its custom properties are not as Excel writes them")
    tag = re.match(rb"</(\w+:)?", xml[end:])
    prefix = tag.group(1).decode() if tag and tag.group(1) else ""
    vt = _vt_prefix(xml)
    new = _property(max(pids, default=1) + 1).replace("<property ", f"<{prefix}property ")
    new = new.replace("</property>", f"</{prefix}property>").replace("vt:lpwstr", f"{vt}:lpwstr")
    return xml[:end] + new.encode() + xml[end:]


def _vt_prefix(xml: bytes) -> str:
    found = re.search(rb'xmlns:(\w+)="' + re.escape(ns.DOC_PROPS_TYPES.encode()) + rb'"', xml)
    if found is None:
        raise CannotEdit("its custom properties do not declare the property types")
    return found.group(1).decode()


def _related(rels: bytes) -> bytes:
    """The package's relationships with one to the custom properties, under an unused id."""
    taken = set(re.findall(rb'Id="([^"]+)"', rels))
    n = 1
    while f"rId{n}".encode() in taken:
        n += 1
    kind = ns.CUSTOM_PROPERTIES_RELATIONSHIP
    rel = f'<Relationship Id="rId{n}" Type="{kind}" Target="{CUSTOM_PART}"/>'.encode()
    if b"</Relationships>" not in rels:
        raise CannotEdit("its package relationships are not as Excel writes them")
    return rels.replace(b"</Relationships>", rel + b"</Relationships>", 1)
