"""Cutting a rendered paper into its appendices, each a .docx of its own with its page layout."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn

from kpi_excel.paper.xmlfix import paragraph_text, save_docx

_APPENDIX = re.compile(r"^\s*Appendix\s+(\d+)\b", re.IGNORECASE)


def appendix_numbers(paper: bytes) -> list[int]:
    """The appendices the paper has, from its 'Appendix N' Heading 1 paragraphs."""
    document = Document(io.BytesIO(paper))
    return [n for n, _index in _appendix_starts(document)]


def _appendix_starts(document: DocumentObject) -> list[tuple[int, int]]:
    starts = []
    for index, element in enumerate(document.element.body):
        if element.tag != qn("w:p"):
            continue
        style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        text = "".join(t.text or "" for t in element.iter(qn("w:t")))
        match = _APPENDIX.match(text)
        if match and style is not None and style.get(qn("w:val")) == "Heading1":
            starts.append((int(match.group(1)), index))
    return starts


def appendix_document(paper: bytes, number: int, when: dt.datetime) -> bytes:
    """Appendix `number` of a rendered paper as a document of its own, with its page layout."""
    document = Document(io.BytesIO(paper))
    body = document.element.body
    starts = _appendix_starts(document)
    bounds = [i for n, i in starts]
    start = dict(starts)[number]
    following = [i for i in bounds if i > start]
    children = list(body)
    end = following[0] if following else len(children)
    body_sect = body.find(qn("w:sectPr"))
    footers = _references(children, body_sect)
    layout = _section_after(children, end, body_sect)
    for child in children[:start] + children[end:]:
        if child is not body_sect:
            body.remove(child)
    if layout is not body_sect:
        body.replace(body_sect, copy.deepcopy(layout))
    _give_footers(body, footers)
    document.core_properties.title = paragraph_text(children[start])
    return save_docx(document, when)


def _section_after(children: Sequence[Any], end: int, body_sect: Any) -> Any:
    """The section properties that lay out the last kept element: the next section break."""
    for child in children[end - 1:]:
        sect = child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") if child.tag == qn("w:p") else None
        if sect is not None:
            return sect
    return body_sect


def _references(children: Sequence[Any], body_sect: Any) -> list[Any]:
    """The header and footer references of the first section (later sections inherit them)."""
    for child in children:
        sect = child if child is body_sect else child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
        if sect is not None:
            refs = [r for r in sect if r.tag in (qn("w:headerReference"), qn("w:footerReference"))]
            if refs:
                return refs
    return []


def _give_footers(body: Any, refs: Sequence[Any]) -> None:
    """A cut-out appendix no longer has the section its footer was inherited from: copy it in."""
    first = next(iter(body.iter(qn("w:sectPr"))), None)
    if first is None or any(r.tag == qn("w:footerReference") for r in first):
        return
    for ref in reversed(refs):
        first.insert(0, copy.deepcopy(ref))


def appendix_files(paper: bytes, when: dt.datetime) -> dict[int, bytes]:
    """Each appendix of a rendered paper as a .docx of its own, by appendix number."""
    return {number: appendix_document(paper, number, when) for number in appendix_numbers(paper)}
