"""The added header cells' notes (Excel's legacy comments): a comments part and its VML drawing."""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from kpi_excel.excel import ns
from kpi_excel.excel.refs import column_letter
from kpi_excel.excel.xmltext import escape, quoteattr
from kpi_excel.rated_copy.model import CannotEdit
from kpi_excel.rated_copy.parts import read_small, relationships

_COMMENTS_TYPE, _VML_TYPE = ns.COMMENTS_RELATIONSHIP, ns.VML_RELATIONSHIP
_COMMENTS_CONTENT, _VML_CONTENT = ns.COMMENTS_TYPE, ns.VML_TYPE
AUTHOR = "kpi-excel"
# each shape declares the prefixes it uses: a drawing written by another program may declare them
# on each element rather than once at the top, and a shape appended to it would then leave them undeclared
_VML_NAMESPACES = ('xmlns:v="urn:schemas-microsoft-com:vml" '
                   'xmlns:o="urn:schemas-microsoft-com:office:office" '
                   'xmlns:x="urn:schemas-microsoft-com:office:excel"')

_VML_HEAD = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
             'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
             '<o:idmap v:ext="edit" data="{block}"/></o:shapelayout><v:shapetype id="_x0000_t202" '
             'coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke '
             'joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


@dataclass
class Notes:
    """Every sheet's new notes, and the package parts they add or change."""

    archive: zipfile.ZipFile
    parts: dict[str, bytes] = field(default_factory=dict)  # part name -> its new bytes
    new_parts: list[tuple[str, str]] = field(default_factory=list)  # (part name, content type)
    _blocks: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        for name in self.archive.namelist():
            if name.endswith(".vml"):
                data = read_small(self.archive, name)
                found = re.findall(rb'<[\w.-]+:idmap\b[^>]*\bdata="([\d,]+)"', data)
                self._blocks.update(int(b) for blocks in found for b in blocks.split(b","))

    def snapshot(self) -> tuple[dict[str, bytes], list[tuple[str, str]], set[int]]:
        return dict(self.parts), list(self.new_parts), set(self._blocks)

    def restore(self, saved: tuple[dict[str, bytes], list[tuple[str, str]], set[int]]) -> None:
        self.parts, self.new_parts, self._blocks = dict(saved[0]), list(saved[1]), set(saved[2])

    def add(self, sheet_part: str, cells: list[tuple[int, int, str]], drawing_id: str = "") -> bytes:
        """Notes on cells (0-based column, 1-based row, text) of a sheet whose <legacyDrawing>
        names drawing_id (empty: it has none); returns the element the sheet must gain (a
        <legacyDrawing>), or b"" when it has one already. A note of kpi-excel's on one of the cells
        (an earlier build's) gets the text; a header or footer picture's drawing is never used.
        Raises CannotEdit, with nothing changed, where the notes are kept in a way this does not edit."""
        rels = relationships(self.archive, sheet_part)
        comments = [path for _, kind, path in rels if kind == _COMMENTS_TYPE]
        drawings = {rid: path for rid, kind, path in rels if kind == _VML_TYPE}
        if drawing_id and drawing_id not in drawings:
            raise CannotEdit("its notes' drawing is not among its relationships")
        if comments and drawing_id:
            self._append(comments[0], drawings[drawing_id], cells)
            return b""
        if comments or drawing_id:
            raise CannotEdit("its notes are not stored as Excel stores them")
        comments_part = self._free_name("xl/comments{}.xml")
        vml_part = self._free_name("xl/drawings/vmlDrawing{}.vml")
        block = max(self._blocks, default=0) + 1
        self._blocks.add(block)
        self.parts[comments_part] = _comments(cells)
        self.parts[vml_part] = (_VML_HEAD.format(block=block)
                                + "".join(_shape(block * 1024 + 1 + i, col, row)
                                          for i, (col, row, _) in enumerate(cells)) + "</xml>").encode()
        self.new_parts += [(comments_part, _COMMENTS_CONTENT), (vml_part, _VML_CONTENT)]
        rid = self._add_relationships(sheet_part, rels, vml_part, comments_part)
        return f'<legacyDrawing xmlns:r="{ns.RELATIONSHIPS}" r:id="{rid}"/>'.encode()

    def _append(self, comments_part: str, vml_part: str, cells: list[tuple[int, int, str]]) -> None:
        """Add the notes to the sheet's own comments and drawing (both checked before either changes)."""
        xml = self.parts.get(comments_part) or read_small(self.archive, comments_part)
        vml = self.parts.get(vml_part) or read_small(self.archive, vml_part)
        if b"</authors>" not in xml or b"</commentList>" not in xml:
            raise CannotEdit("its notes are not stored as Excel stores them")
        if not vml.rstrip().endswith(b"</xml>") or b"_x0000_t202" not in vml:
            raise CannotEdit("its notes' drawing is not as Excel writes it")
        authors = re.findall(rb"<author>([^<]*)</author>|<author\s*/>", xml)
        ours = [i for i, name in enumerate(authors) if name == AUTHOR.encode()]
        author = ours[0] if ours else len(authors)
        if not ours:
            xml = xml.replace(b"</authors>", f"<author>{AUTHOR}</author></authors>".encode(), 1)
        noted = dict(_noted(tag) for tag in re.findall(rb"<comment\b[^>]*>", xml))
        new = []
        for col, row, text in cells:
            ref = f"{column_letter(col + 1)}{row}"
            if ref not in noted:
                new.append((col, row, text))
            elif noted[ref] == author:  # an earlier build's note: its text as this build states it
                found = re.search(rb'<comment\b[^>]*?\bref="' + ref.encode() + rb'"[^>]*>.*?</comment>',
                                  xml, re.S)
                if found is not None:
                    stated = _comment(col, row, text, author).encode()
                    xml = xml[:found.start()] + stated + xml[found.end():]
        entries = "".join(_comment(col, row, text, author) for col, row, text in new).encode()
        self.parts[comments_part] = xml.replace(b"</commentList>", entries + b"</commentList>", 1)
        if new:
            first = max((int(n) for n in re.findall(rb"_x0000_s(\d+)", vml)), default=1024) + 1
            shapes = "".join(_shape(first + i, col, row) for i, (col, row, _) in enumerate(new)).encode()
            end = vml.rstrip().rindex(b"</xml>")
            self.parts[vml_part] = vml[:end] + shapes + vml[end:]

    def _free_name(self, pattern: str) -> str:
        taken = set(self.archive.namelist()) | set(self.parts)
        n = 1
        while pattern.format(n) in taken:
            n += 1
        name = pattern.format(n)
        self.parts[name] = b""  # reserved
        return name

    def _add_relationships(self, sheet_part: str, rels: list[tuple[str, str, str]], vml_part: str,
                           comments_part: str) -> str:
        folder, name = posixpath.split(sheet_part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        ids = {rid for rid, _, _ in rels}
        if rels_part in self.archive.namelist():
            xml = read_small(self.archive, rels_part)
            ids |= {i.decode() for i in re.findall(rb'Id="([^"]+)"', xml)}
        else:
            xml = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
                   b'"http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
            self.new_parts.append((rels_part, ""))  # .rels has its Default content type
        vml_id, comments_id = _free_ids(ids, 2)
        entries = (f'<Relationship Id="{vml_id}" Type="{_VML_TYPE}" '
                   f'Target={quoteattr(posixpath.relpath(vml_part, folder))}/>'
                   f'<Relationship Id="{comments_id}" Type="{_COMMENTS_TYPE}" '
                   f'Target={quoteattr(posixpath.relpath(comments_part, folder))}/>').encode()
        self.parts[rels_part] = xml.replace(b"</Relationships>", entries + b"</Relationships>", 1)
        return vml_id

    def content_types(self) -> bytes | None:
        """[Content_Types].xml with the new parts, or None when nothing was added."""
        if not self.new_parts:
            return None
        xml = read_small(self.archive, "[Content_Types].xml")
        added = []
        for part, kind in self.new_parts:
            if kind and kind != _VML_CONTENT:
                added.append(f'<Override PartName="/{part}" ContentType="{kind}"/>')
        if not re.search(rb'<Default\s[^>]*Extension="vml"', xml, re.I):
            added.insert(0, f'<Default Extension="vml" ContentType="{_VML_CONTENT}"/>')
        if b"</Types>" not in xml:
            raise CannotEdit("its list of content types is not as Excel writes it")
        return xml.replace(b"</Types>", "".join(added).encode() + b"</Types>", 1)


def _noted(tag: bytes) -> tuple[str, int]:
    """A note's cell and author, from its <comment> tag."""
    ref = re.search(rb'\sref="([^"]*)"', tag)
    author = re.search(rb'\sauthorId="(\d+)"', tag)
    return (ref.group(1).decode() if ref else ""), (int(author.group(1)) if author else -1)


def _free_ids(taken: set[str], count: int) -> list[str]:
    found: list[str] = []
    n = 1
    while len(found) < count:
        if f"rId{n}" not in taken:
            found.append(f"rId{n}")
        n += 1
    return found


def _comments(cells: list[tuple[int, int, str]]) -> bytes:
    entries = "".join(_comment(col, row, text, 0) for col, row, text in cells)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main"><authors><author>{AUTHOR}</author></authors>'
            f"<commentList>{entries}</commentList></comments>").encode()


def _comment(col: int, row: int, text: str, author: int) -> str:
    ref = f"{column_letter(col + 1)}{row}"
    return (f'<comment ref="{ref}" authorId="{author}"><text><r><rPr><b/><sz val="9"/>'
            f'<rFont val="Tahoma"/><family val="2"/></rPr><t>{AUTHOR}:</t></r><r><rPr><sz val="9"/>'
            f'<rFont val="Tahoma"/><family val="2"/></rPr><t xml:space="preserve">\n{escape(text)}</t></r>'
            "</text></comment>")


def _shape(number: int, col: int, row: int) -> str:
    """A hidden note's box, anchored beside its cell (as Excel draws a new note)."""
    anchor = f"{col + 1}, 15, {max(row - 2, 0)}, 10, {col + 4}, 15, {row + 6}, 4"
    return (f'<v:shape {_VML_NAMESPACES} id="_x0000_s{number}" type="#_x0000_t202" '
            'style="position:absolute;margin-left:0;'
            'margin-top:0;width:216pt;height:110pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
            'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div '
            'style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/>'
            f"<x:SizeWithCells/><x:Anchor>{anchor}</x:Anchor><x:AutoFill>False</x:AutoFill>"
            f"<x:Row>{row - 1}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>")
