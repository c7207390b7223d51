"""The paper's body rendered about a megabyte of text at a time, never held whole.

docxtpl renders the body to one string, parses it into one tree, fixes its tables and moves it into
the document (lxml's move of a big tree with many namespace declarations is superlinear), where
the paper's own fixes (xmlfix.py) walk it again before python-docx writes it out. For 5,000
indicators the string is 71 MB and the tree 840 MB. Here Jinja's output is cleaned as docxtpl
cleans it, a piece at a time, each piece ending with a whole paragraph or table of the body; each
batch is parsed inside the body's start tag, gets docxtpl's table and drawing-id fixes and the
paper's fixes, is written out and let go. A batch declaring a namespace the document's root
declares is first moved as docxtpl's move would move it (which strips such declarations); the
paper's own drawings declare none (chartxml.inline_chart_xml). python-docx later writes the
document part with those bytes as its body.

It copies docxtpl 0.20.2's render order and its fix_tables loop, so it is used only with the
versions fastdocx.py was checked against; tests/test_fastdocx.py renders papers both ways and
compares the bytes.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import SimpleNamespace
from typing import Any

from docx.oxml.ns import nsmap
from lxml import etree

from kpi_excel.paper import fastdocx

BATCH = 1024  # kB of the rendered body's text parsed and written out at a time
Step = Callable[[Any], None]  # one of the paper's fixes of a document (xmlfix.py), by its body

_MARKER = re.compile(r"\n<w:p([ >])")  # what docxtpl puts before each paragraph to number lines
_OPENING = re.compile(r"<w:p(?: [^>]*)?>")  # a paragraph as docxtpl's resolve_listing finds one
_STREAMED = "_kpi_excel_streamed_body"  # the document part's attribute holding the body's bytes


def render(template: Any, context: dict[str, Any], jinja_env: Any, autoescape: bool,
           steps: Sequence[Step]) -> bool:
    """docxtpl's DocxTemplate.render, the body streamed through `steps` (the paper's fixes, which
    must then not run again). False where it does not apply: then docxtpl's own must run."""
    template.init_docx()
    root = template.docx._element
    if not fastdocx.applies() or jinja_env is None or root.body.nsmap != root.nsmap:
        return False  # a body declaring namespaces of its own would keep them: docxtpl's move strips them
    template.render_init()
    if autoescape:
        jinja_env.autoescape = autoescape
    _stream_body(template, context, jinja_env, steps)
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for rel_key, xml in template.build_headers_footers_xml(context, uri, jinja_env):
            template.map_headers_footers_xml(rel_key, xml)
    template.render_properties(context, jinja_env)
    template.render_footnotes(context, jinja_env)
    template.is_rendered = True
    return True


def document_blob(part: Any) -> bytes:
    """A part's bytes as python-docx writes them; a streamed body's bytes in the document part."""
    chunks = getattr(part, _STREAMED, None)
    blob: bytes = part.blob
    if chunks is None:
        return blob
    body = part.element.body
    start = re.search(rb"<%s:body(?: [^>]*)?>" % body.prefix.encode(), blob)
    end = blob.rfind(b"</%s:body>" % body.prefix.encode())
    if start is None or end < 0:  # an empty body element: <w:body/>
        start = re.search(rb"<%s:body(?: [^>]*)?/>" % body.prefix.encode(), blob)
        assert start is not None
        opened = blob[start.start():start.end() - 2] + b">"
        return blob[:start.start()] + opened + b"".join(chunks) + b"</%s:body>" % body.prefix.encode() + \
            blob[start.end():]
    return blob[:start.end()] + b"".join(chunks) + blob[end:]


def _stream_body(template: Any, context: dict[str, Any], jinja_env: Any, steps: Sequence[Step]) -> None:
    source = _MARKER_BEFORE.sub(r"\n<w:p\1", template.patch_xml(template.get_xml()))
    template.current_rendering_part = template.docx._part
    root = template.docx._element
    declared = {uri for uri in root.nsmap.values()}
    chunks: list[bytes] = []
    sections: list[Any] = []  # what python-docx counts as sections (docxtpl renders footnotes per section)
    parsed: _Parsed | None = None
    for parsed in _batches(_cleaned(template, jinja_env.from_string(source).generate(context)), declared):
        chunks.append(_written(template, root, parsed, steps, sections))
    if parsed is None:
        raise ValueError("the template's body rendered to nothing")
    body = root.makeelement(parsed.w + "body", parsed.attrib)
    root.replace(root.body, body)
    body.extend(sections)  # never written: the streamed bytes take the body's place
    setattr(template.docx._part, _STREAMED, chunks)


def _written(template: Any, root: Any, parsed: _Parsed, steps: Sequence[Step], sections: list[Any]) -> bytes:
    """A batch of the body's children fixed as docxtpl and the paper fix the whole body, and written
    as they would be in the document."""
    w, holder = parsed.w, parsed.wrapper
    for child in holder:
        for table in child.iter(w + "tbl"):
            _fix_table(table, w)
        for doc_pr in child.iter(_DOC_PR):
            template.docx_ids_index += 1
            doc_pr.attrib["id"] = str(template.docx_ids_index)
        if child.tag == w + "sectPr" or child.find(f"{w}pPr/{w}sectPr") is not None:
            sections.append(copy.deepcopy(child))
    if not parsed.settled:
        # a declaration docxtpl's move into the document would strip: moved as it would be, one
        # child at a time (each with a short namespace cache of its own), into an empty body under a
        # root declaring what the document's does (not the document itself: tags still being
        # rendered read it, as python-docx numbers a picture from the ids it holds)
        holder = etree.SubElement(etree.Element(root.tag, nsmap=root.nsmap), w + "body", parsed.attrib)
        holder.text = parsed.wrapper.text
        holder.extend(list(parsed.wrapper))
    stand_in = SimpleNamespace(element=SimpleNamespace(body=holder))  # the steps take a document
    for step in steps:
        step(stand_in)
    return _children_bytes(holder)


_MARKER_BEFORE = re.compile(r"<w:p([ >])")
_BODY_START = re.compile(r"<([\w.-]+:)?body\b[^>]*>")
_DOC_PR = f"{{{nsmap['wp']}}}docPr"


def _cleaned(template: Any, pieces: Iterable[str]) -> Iterator[str]:
    """Jinja's output as docxtpl's render_xml_part leaves it, in pieces that each end with a whole
    paragraph or table of the body: cut at a line mark of docxtpl's ("\\n<w:p") where no element
    but the body is open and no paragraph, as its resolve_listing finds them, runs across; each
    piece then cleans as the whole string would."""
    text = ""
    depth = 0  # elements open where the text begins
    for joined in _joined(pieces, max(1, BATCH * 256)):
        text += joined
        if len(text) < BATCH * 1024:
            continue
        cut = _safe_cut(text, depth)
        if cut > 0:
            depth += _depth_change(text, 0, cut)
            yield _clean(template, text[:cut])
            text = text[cut:]
    yield _clean(template, text)


def _safe_cut(text: str, depth: int) -> int:
    """The last of docxtpl's line marks ("\\n<w:p") in text (which begins with `depth` elements
    open) where only the body is open and the last paragraph opened is closed. -1: none."""
    end = cut = len(text) - 5  # a mark may be cut off at the end
    depth += _depth_change(text, 0, end)  # open at `end`, then at each mark back from there
    while (cut := text.rfind("\n<w:p", 0, cut)) > 0:
        depth -= _depth_change(text, cut, end)
        end = cut
        if depth == 1 and _closed_before(text, cut):
            return cut
    return -1


def _joined(pieces: Iterable[str], size: int) -> Iterator[str]:
    """Jinja's many small pieces, joined about `size` characters at a time (a value may come as
    Markup, which would escape what is added to it: joined as str)."""
    parts: list[str] = []
    length = 0
    for piece in pieces:
        parts.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(parts)
            parts, length = [], 0
    yield "".join(parts)


def _depth_change(text: str, start: int, end: int) -> int:
    """Elements opened less those closed in text[start:end] (text holds no "<" unescaped; a tag
    miscounted makes a piece that does not parse on its own, which _batches then parses with the rest)."""
    count = text.count
    return (count("<", start, end) - 2 * count("</", start, end) - count("<?", start, end)
            - count("<!", start, end) - count("/>", start, end))


def _closed_before(text: str, at: int) -> bool:
    """Whether the last paragraph opened before `at`, as resolve_listing finds them, is closed there."""
    opened = at
    while (opened := text.rfind("<w:p", 0, opened)) >= 0:
        if _OPENING.match(text, opened):
            return text.find("</w:p>", opened, at) >= 0
    return True


def _clean(template: Any, text: str) -> str:
    text = _MARKER.sub(r"<w:p\1", text)
    text = text.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return str(template.resolve_listing(text))


class _Parsed:
    """A batch of the body's children, parsed inside a copy of the body's start tag (`wrapper`);
    `w` is the wordprocessing namespace as {uri}; `settled`: the batch declares no namespace the
    document's root declares, so it is written the same in the wrapper as in the document."""

    def __init__(self, wrapper: Any, settled: bool) -> None:
        self.wrapper, self.settled = wrapper, settled
        self.attrib = dict(wrapper.attrib)
        self.w = "{" + wrapper.nsmap["w"] + "}"


_DECLARATION = re.compile(r"""\bxmlns(:[\w.-]+)?\s*=\s*["']([^"']*)["']""")


def _batches(pieces: Iterable[str], declared: set[str]) -> Iterator[_Parsed]:
    """The body's children, parsed about BATCH kB of text at a time inside the body's own start tag
    (so with its namespaces, those `declared` by the document's root)."""
    start = end = batch = ""
    strict = etree.XMLParser(recover=False)
    whole = False  # a batch did not parse on its own: the rest is parsed as one, as docxtpl does
    for piece in pieces:
        if not start:
            found = _BODY_START.match(piece)
            if found is None:
                raise ValueError("the rendered body does not begin with its start tag")
            start, end, piece = found.group(0), f"</{found.group(1) or ''}body>", piece[found.end():]
        batch += piece
        if whole or len(batch) < BATCH * 1024:
            continue
        try:
            yield _Parsed(etree.fromstring(start + batch + end, strict), _settled(batch, declared))
        except etree.XMLSyntaxError:
            whole = True
            continue
        batch = ""
    # the last batch ends with the body's end tag; parsed as docxtpl parses, recovering from errors
    yield _Parsed(etree.fromstring(start + batch, etree.XMLParser(recover=True)), _settled(batch, declared))


def _settled(text: str, declared: set[str]) -> bool:
    """Whether no element of text declares a namespace the root declares (nor a default one)."""
    return all(prefix and uri not in declared for prefix, uri in _DECLARATION.findall(text))


def _children_bytes(holder: Any) -> bytes:
    """The children of a body-like element, as written inside it."""
    xml = etree.tostring(holder, encoding="UTF-8")
    start = _BODY_START_BYTES.match(xml)
    assert start is not None
    return xml[start.end():xml.rfind(b"</")]


_BODY_START_BYTES = re.compile(rb"<([\w.-]+:)?body\b[^>]*>")


def _fix_table(t: Any, ns: str) -> None:
    """docxtpl 0.20.2's DocxTemplate.fix_tables, for one table (as it loops over each)."""
    tbl_grid = t.find(ns + "tblGrid")
    columns = tbl_grid.findall(ns + "gridCol")
    to_add = 0
    for r in t.iter(ns + "tr"):
        cells = r.findall(ns + "tc")
        if (len(columns) + to_add) < len(cells):
            to_add = len(cells) - len(columns)
    if to_add > 0:
        width = 0.0
        new_average = None
        for c in columns:
            if c.get(ns + "w") is not None:
                width += float(c.get(ns + "w"))
        if width > 0:
            old_average = width / len(columns)
            new_average = width / (len(columns) + to_add)
            for c in columns:
                c.set(ns + "w", str(int(float(c.get(ns + "w")) * new_average / old_average)))
            for _ in range(to_add):
                etree.SubElement(tbl_grid, ns + "gridCol", {ns + "w": str(int(new_average))})
    columns = tbl_grid.findall(ns + "gridCol")
    columns_len = len(columns)
    cells_len_max = 0

    def get_cell_len(total: int, cell: Any) -> int:
        tc_pr = cell.find(ns + "tcPr")
        grid_span = None if tc_pr is None else tc_pr.find(ns + "gridSpan")
        if grid_span is not None:
            return total + int(grid_span.get(ns + "val"))
        return total + 1

    for r in t.iter(ns + "tr"):
        cells = r.findall(ns + "tc")
        cells_len_max = max(cells_len_max, functools.reduce(get_cell_len, cells, 0))
    to_remove = columns_len - cells_len_max
    if to_remove > 0:
        removed_width = 0.0
        for c in columns[-to_remove:]:
            removed_width += float(c.get(ns + "w"))
            tbl_grid.remove(c)
        columns_left = tbl_grid.findall(ns + "gridCol")
        extra_space = 0
        if len(columns_left) > 0:
            extra_space = int(removed_width / len(columns_left))
        for c in columns_left:
            c.set(ns + "w", str(int(float(c.get(ns + "w")) + extra_space)))
