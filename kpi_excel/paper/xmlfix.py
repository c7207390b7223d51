"""Fixes to what python-docx and docxtpl write: schema order, widths, empty sections, fixed zip stamps."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from docx.document import Document as DocumentObject
from docx.oxml.ns import qn


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
_TBL, _GRID_COL, _TR, _TC, _TC_PR, _GRID_SPAN, _TC_W, _W, _VAL, _TYPE = (
    qn(f"w:{name}") for name in ("tbl", "gridCol", "tr", "tc", "tcPr", "gridSpan", "tcW", "w", "val", "type"))


def tidy_tables(document: DocumentObject) -> None:
    """Put cell properties in schema order and cell widths on the table grid.

    docxtpl's {% cellbg %} puts w:shd first in w:tcPr, an order Word reports as unreadable
    content; and {%tc %} column loops leave every repeated cell with the template cell's width.
    """
    for table in document.element.body.iter(_TBL):
        widths = [col.get(_W) for col in table.iter(_GRID_COL)]
        for row in table.iter(_TR):
            column = 0
            for cell in row.findall(_TC):
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


def _order_children(element: Any, rank: dict[str, int]) -> None:
    children = list(element)
    ordered = sorted(children, key=lambda child: rank.get(child.tag, len(rank)))
    if ordered != children:
        for child in ordered:
            element.append(child)


def save_docx(document: DocumentObject, when: dt.datetime) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return deterministic_docx(buffer.getvalue(), when)


def deterministic_docx(data: bytes, when: dt.datetime) -> bytes:
    """The same .docx with every zip member stamped `when`, in a fixed order.

    python-docx stamps each member with the current time, so two builds of the same input would
    differ; fixed times and order make them byte-identical.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels", n))
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            # pictures are compressed already: deflating them again costs time and saves nothing
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(name))
    return out.getvalue()


def paragraph_text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))
