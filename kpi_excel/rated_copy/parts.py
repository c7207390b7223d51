"""The package's small parts the rated copy reads or edits: workbook, relationships, styles, tables."""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree

from kpi_excel.excel import ns
from kpi_excel.excel.xmltext import escape, quoteattr
from kpi_excel.present.palette import WORD_SWATCHES, Swatch
from kpi_excel.rated_copy.sheet import CannotEdit, StyleRequests

_REL_NS = f"{{{ns.PACKAGE_RELATIONSHIPS}}}"
_R_ID = ns.clark(ns.RELATIONSHIPS, "id")
_MAIN_NS = f"{{{ns.MAIN}}}"
_TABLE_TYPE = "/table"
MAX_SMALL_PART = 16 << 20


def read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_SMALL_PART:
        raise CannotEdit(f"part {name} is too large to edit")
    return archive.read(name)


def relationships(archive: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """A part's relationships: (id, type, target part name), targets resolved to package paths."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.namelist():
        return []
    found = []
    for rel in ElementTree.fromstring(read_small(archive, rels)).iter(f"{_REL_NS}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        found.append((rel.get("Id", ""), rel.get("Type", ""), path))
    return found


def sheet_parts(archive: zipfile.ZipFile) -> tuple[str, dict[str, str]]:
    """The workbook part and each sheet's part, by sheet name."""
    book = next((path for _, kind, path in relationships(archive, "")
                 if kind.endswith("/officeDocument")), "xl/workbook.xml")
    targets = {rid: path for rid, _, path in relationships(archive, book)}
    root = ElementTree.fromstring(read_small(archive, book))
    sheets = {}
    for sheet in root.iter(f"{_MAIN_NS}sheet"):
        rid = sheet.get(_R_ID, "")
        if rid in targets:
            sheets[sheet.get("name", "")] = targets[rid]
    return book, sheets


def sheet_index(archive: zipfile.ZipFile, book: str, name: str) -> int:
    """The 0-based place of a sheet in the workbook's list, as localSheetId counts it."""
    root = ElementTree.fromstring(read_small(archive, book))
    names = [sheet.get("name", "") for sheet in root.iter(f"{_MAIN_NS}sheet")]
    return names.index(name)


def widen_print_areas(xml: bytes, widenings: list[tuple[int, int, int]]) -> bytes:
    """workbook.xml with each sheet's print area that ends at a table's last column widened to take
    in the added columns: widenings holds (sheet index, last column before, last added column)."""
    from kpi_excel.excel.refs import column_letter

    for index, before, after in widenings:
        pattern = re.compile(rb'(<definedName\b[^>]*?name="_xlnm\.Print_Area"[^>]*?localSheetId="'
                             + str(index).encode() + rb'"[^>]*>)([^<]*)(</definedName>)')
        match = pattern.search(xml) or re.compile(
            rb'(<definedName\b[^>]*?localSheetId="' + str(index).encode()
            + rb'"[^>]*?name="_xlnm\.Print_Area"[^>]*>)([^<]*)(</definedName>)').search(xml)
        if match is None:
            continue
        old = f":${column_letter(before + 1)}$".encode()
        if old not in match.group(2):
            continue
        areas = match.group(2).replace(old, f":${column_letter(after + 1)}$".encode())
        xml = xml[:match.start(2)] + areas + xml[match.end(2):]
    return xml


# --- tables -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A rectangle of cells, 0-based columns and 1-based rows."""

    col1: int
    row1: int
    col2: int
    row2: int

    def meets(self, other: Box) -> bool:
        return not (other.col2 < self.col1 or other.col1 > self.col2
                    or other.row2 < self.row1 or other.row1 > self.row2)


def parse_box(ref: str) -> Box | None:
    match = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?", ref.strip())
    if not match:
        return None
    c1, r1 = column_index(match.group(1)), int(match.group(2))
    c2, r2 = (column_index(match.group(3)), int(match.group(4))) if match.group(3) else (c1, r1)
    return Box(c1, r1, c2, r2)


def column_index(letters: str) -> int:
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 64
    return col - 1


def box_ref(box: Box) -> str:
    from kpi_excel.excel.refs import column_letter

    return f"{column_letter(box.col1 + 1)}{box.row1}:{column_letter(box.col2 + 1)}{box.row2}"


def table_parts(archive: zipfile.ZipFile, sheet_part: str) -> list[str]:
    return [path for _, kind, path in relationships(archive, sheet_part) if kind.endswith(_TABLE_TYPE)]


def grow_table(xml: bytes, box: Box, new_area: Box, names: list[str]) -> bytes | None:
    """The table part grown to take in the new columns, or None when the table lies elsewhere.

    Raises CannotEdit when a table covers part of where the new columns go.
    """
    root = _TABLE_ROOT.search(xml)
    if root is None:
        raise CannotEdit("an Excel table on the sheet is not written as Excel writes one")
    if not box.meets(Box(box.col1, new_area.row1, new_area.col2, new_area.row2)):
        return None  # another table, above, below or to the left
    if box.col2 != new_area.col1 - 1 or box.row1 != new_area.row1 or b'headerRowCount="0"' in root.group(0):
        if box.meets(new_area) or box.col2 >= new_area.col1:
            raise CannotEdit(f"the Excel table at {box_ref(box)} covers where the rated columns go")
        return None
    existing = {n.lower() for n in re.findall(r'<tableColumn\b[^>]*\bname="([^"]*)"', xml.decode("utf-8"))}
    if any(name.lower() in existing for name in names):
        raise CannotEdit("the Excel table already has a column named like a rated column")
    grown = box_ref(Box(box.col1, box.row1, new_area.col2, box.row2)).encode()
    old = box_ref(box).encode()
    xml = re.sub(rb'(<(?:table|autoFilter)\b[^>]*?\bref=")' + re.escape(old) + rb'"',
                 rb"\g<1>" + grown + b'"', xml)
    ids = [int(i) for i in re.findall(rb'<tableColumn\b[^>]*?\sid="(\d+)"', xml)]
    next_id = max(ids, default=0) + 1
    columns = b"".join(f'<tableColumn id="{next_id + i}" name={quoteattr(name)}/>'.encode()
                       for i, name in enumerate(names))
    count = re.search(rb'<tableColumns\b[^>]*?count="(\d+)"', xml)
    if count is None or b"</tableColumns>" not in xml:
        raise CannotEdit("an Excel table on the sheet lists its columns in a way Excel does not")
    xml = xml[:count.start(1)] + str(int(count.group(1)) + len(names)).encode() + xml[count.end(1):]
    return xml.replace(b"</tableColumns>", columns + b"</tableColumns>", 1)


_TABLE_ROOT = re.compile(rb'<table\b[^>]*?\sref="([^"]+)"[^>]*>')


def table_box(xml: bytes) -> Box | None:
    root = _TABLE_ROOT.search(xml)
    return parse_box(root.group(1).decode()) if root else None


# --- styles -------------------------------------------------------------------------------------


class Styles:
    """styles.xml, to which the rated copy appends cell formats, fonts and conditional formats."""

    def __init__(self, xml: bytes) -> None:
        if not re.search(rb"<styleSheet[\s>]", xml):
            raise CannotEdit("its styles part is not written as Excel writes it")
        self.xml = xml
        self.xfs = _children(_block(xml, b"cellXfs"), b"xf")
        self.fonts = _children(_block(xml, b"fonts"), b"font")
        dxfs = _block(xml, b"dxfs", required=False)
        self.dxf_count = len(_children(dxfs, b"dxf")) if dxfs else 0
        self.requests = StyleRequests(len(self.xfs))
        self.dxfs: dict[Swatch, int] = {}

    def dxf_for(self, word: str) -> int:
        """The conditional format (dxf) index for a word's swatch, appended once."""
        swatch = WORD_SWATCHES[word]
        if swatch not in self.dxfs:
            self.dxfs[swatch] = self.dxf_count + len(self.dxfs)
        return self.dxfs[swatch]

    def edited(self) -> bytes:
        xml = self.xml
        new_fonts: list[bytes] = []
        new_xfs = [self._new_xf(kind, copied, new_fonts) for kind, copied in self.requests.made]
        if new_fonts:
            xml = _append(xml, b"fonts", b"font", new_fonts)
        if new_xfs:
            xml = _append(xml, b"cellXfs", b"xf", new_xfs)
        if self.dxfs:
            xml = self._add_dxfs(xml)
        return xml

    def _new_xf(self, kind: str, copied: int, new_fonts: list[bytes]) -> bytes:
        source = self.xfs[copied] if copied < len(self.xfs) else self.xfs[0]
        attrs = _attrs(source)
        font_id = int(attrs.get("fontId", "0"))
        if kind == "header":
            # the header's own look, in italics, so the added columns show as added
            font = self.fonts[font_id] if font_id < len(self.fonts) else self.fonts[0]
            new_fonts.append(_italic(font))
            attrs["fontId"] = str(len(self.fonts) + len(new_fonts) - 1)
            attrs["applyFont"] = "1"
            return _xf(attrs, _inner(source))
        keep: dict[str, str] = {k: attrs[k] for k in ("fontId", "fillId", "borderId", "xfId") if k in attrs}
        keep.update(numFmtId="0", applyFont="1", applyFill="1", applyBorder="1", applyAlignment="1")
        return _xf(keep, b'<alignment horizontal="center" vertical="center"/>')

    def _add_dxfs(self, xml: bytes) -> bytes:
        entries = [_dxf(swatch) for swatch, _ in sorted(self.dxfs.items(), key=lambda item: item[1])]
        if _block(xml, b"dxfs", required=False):
            return _append(xml, b"dxfs", b"dxf", entries)
        block = f'<dxfs count="{len(entries)}">'.encode() + b"".join(entries) + b"</dxfs>"
        empty = re.search(rb"<dxfs\b[^>]*/>", xml)
        if empty:
            return xml[:empty.start()] + block + xml[empty.end():]
        after = xml.index(b"</cellXfs>")
        later = [m.start() for m in re.finditer(rb"<(tableStyles|colors|extLst)[\s>/]|</styleSheet>", xml)
                 if m.start() > after]
        at = min(later)
        cell_styles = xml.find(b"</cellStyles>", after)
        if 0 <= cell_styles < at:
            at = max(at, cell_styles + len(b"</cellStyles>"))
        return xml[:at] + block + xml[at:]


def _block(xml: bytes, name: bytes, required: bool = True) -> bytes:
    match = re.search(rb"<" + name + rb"\b[^>]*?>(.*?)</" + name + rb">", xml, re.S)
    if match is None:
        if required:
            raise CannotEdit(f"its styles part has no {name.decode()} list")
        return b""
    return match.group(1)


def _children(block: bytes, name: bytes) -> list[bytes]:
    return re.findall(rb"<" + name + rb"(?:\s[^>]*?)?/>|<" + name + rb"(?:\s[^>]*?)?>.*?</" + name + rb">",
                      block, re.S)


def _append(xml: bytes, block: bytes, child: bytes, entries: list[bytes]) -> bytes:
    match = re.search(rb"<" + block + rb"\b([^>]*?)>(.*?)</" + block + rb">", xml, re.S)
    assert match is not None
    total = len(_children(match.group(2), child)) + len(entries)
    start_tag = re.sub(rb'count="\d+"', f'count="{total}"'.encode(), xml[match.start():match.start(2)])
    return (xml[:match.start()] + start_tag + match.group(2) + b"".join(entries)
            + xml[match.end(2):])


def _attrs(element: bytes) -> dict[str, str]:
    tag = re.match(rb"<\w+((?:\s+[\w:]+=\"[^\"]*\")*)", element)
    assert tag is not None
    return {k.decode(): v.decode() for k, v in re.findall(rb'([\w:]+)="([^"]*)"', tag.group(1))}


def _inner(element: bytes) -> bytes:
    if element.endswith(b"/>"):
        return b""
    return element[element.index(b">") + 1:element.rindex(b"</")]


def _xf(attrs: dict[str, str], inner: bytes) -> bytes:
    text = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
    return f"<xf {text}>".encode() + inner + b"</xf>" if inner else f"<xf {text}/>".encode()


def _italic(font: bytes) -> bytes:
    if re.search(rb"<i(\s[^>]*)?/>", font):
        return font
    if font.endswith(b"/>"):
        return font[:-2].rstrip() + b"><i/></font>"
    bold = re.search(rb"<b(\s[^>]*)?/>", font)
    at = bold.end() if bold else font.index(b">") + 1
    return font[:at] + b"<i/>" + font[at:]


def _dxf(swatch: Swatch) -> bytes:
    text, fill = "FF" + swatch.text_hex, "FF" + swatch.fill_hex
    return (f'<dxf><font><color rgb="{text}"/></font><fill><patternFill patternType="solid">'
            f'<fgColor rgb="{fill}"/><bgColor rgb="{fill}"/></patternFill></fill></dxf>').encode()


def conditional_formats(ranges: list[tuple[str, tuple[str, ...]]], styles: Styles, priority: int) -> bytes:
    """One <conditionalFormatting> per range, a rule per word: the word's fill and text colour."""
    out = []
    for sqref, words in ranges:
        rules = []
        for word in words:
            priority += 1
            rules.append(f'<cfRule type="cellIs" dxfId="{styles.dxf_for(word)}" priority="{priority}" '
                         f'operator="equal"><formula>{escape(_quoted(word))}</formula></cfRule>')
        out.append(f'<conditionalFormatting sqref="{sqref}">{"".join(rules)}</conditionalFormatting>')
    return "".join(out).encode()


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def highest_priority(tail: bytes) -> int:
    return max((int(p) for p in re.findall(rb'priority="(\d+)"', tail)), default=0)


def validation_boxes(tail: bytes) -> list[Box]:
    """The cells the sheet's own data validations cover."""
    boxes = []
    for sqref in re.findall(rb'<(?:\w+:)?dataValidation\b[^>]*?\bsqref="([^"]*)"', tail):
        boxes += [b for b in (parse_box(part) for part in sqref.decode().split()) if b]
    for sqref in re.findall(rb"<xm:sqref>([^<]*)</xm:sqref>", tail):
        boxes += [b for b in (parse_box(part) for part in sqref.decode().split()) if b]
    return boxes
