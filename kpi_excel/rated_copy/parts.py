"""The package's small parts the rated copy reads or edits: the workbook part (its sheets, print
areas and defined names) and relationships."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Mapping, Sequence

from defusedxml import ElementTree

from kpi_excel.excel import ns
from kpi_excel.excel.refs import column_letter, quote_sheet
from kpi_excel.excel.xmltext import escape, quoteattr
from kpi_excel.rated_copy.model import MARK_COMMENT, MARK_NAME, Box, CannotEdit
from kpi_excel.rated_copy.sheet_tail import parse_ranges

_REL_NS = f"{{{ns.PACKAGE_RELATIONSHIPS}}}"
_R_ID = ns.clark(ns.RELATIONSHIPS, "id")
_MAIN_NS = f"{{{ns.MAIN}}}"
MAX_SMALL_PART = 16 << 20
# a reference in a defined name: its sheet (quoted or not), its first cell or column, and its last
_AREA = re.compile(r"((?:'(?:[^']|'')*'|[^'!,()\s]+)!)(\$?[A-Z]{1,3}\$?\d*)(?::(\$?)([A-Z]{1,3})(\$?\d*))?")
# what may follow <definedNames> in a workbook part (CT_Workbook order)
_AFTER_NAMES = rb"<(?:\w+:)?(?:calcPr|oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|" \
               rb"webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b|</(?:\w+:)?workbook>"


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


def workbook_part(archive: zipfile.ZipFile) -> str:
    return next((path for _, kind, path in relationships(archive, "")
                 if kind.endswith("/officeDocument")), "xl/workbook.xml")


def is_strict(xml: bytes) -> bool:
    """Whether a workbook part is Excel's "Strict Open XML Spreadsheet" (namespaces under purl.oclc.org)."""
    return ns.STRICT_MAIN.encode() in xml[:4096] or b"purl.oclc.org/ooxml/spreadsheetml/main" in xml


def sheet_parts(archive: zipfile.ZipFile) -> tuple[str, dict[str, str]]:
    """The workbook part and each sheet's part, by sheet name."""
    book = workbook_part(archive)
    targets = {rid: path for rid, _, path in relationships(archive, book)}
    root = ElementTree.fromstring(read_small(archive, book))
    sheets = {}
    for sheet in root.iter(f"{_MAIN_NS}sheet"):
        rid = sheet.get(_R_ID, "")
        if rid in targets:
            sheets[sheet.get("name", "")] = targets[rid]
    return book, sheets


def sheet_names(xml: bytes) -> list[str]:
    """The sheets in the workbook's order, as localSheetId counts them."""
    return [sheet.get("name", "") for sheet in ElementTree.fromstring(xml).iter(f"{_MAIN_NS}sheet")]


def marked_blocks(xml: bytes) -> dict[str, list[Box]]:
    """The blocks of columns an earlier build added, by sheet: the defined name each sheet's
    rated columns carry (model.MARK_NAME), as Excel has kept it up to date."""
    names = sheet_names(xml)
    found: dict[str, list[Box]] = {}
    for name in ElementTree.fromstring(xml).iter(f"{_MAIN_NS}definedName"):
        index = name.get("localSheetId", "")
        if name.get("name") != MARK_NAME or not index.isdigit() or int(index) >= len(names):
            continue
        sheet = names[int(index)]
        for match in _AREA.finditer(name.text or ""):
            if _unquote(match.group(1)[:-1]) == sheet:
                found.setdefault(sheet, []).extend(parse_ranges(match.group(0).split("!", 1)[1]))
    return found


def _unquote(sheet: str) -> str:
    return sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet


def with_marks(xml: bytes, blocks: Mapping[str, Sequence[Box]]) -> bytes:
    """The workbook part with each sheet's mark naming its blocks of rated columns (replacing the
    mark an earlier build left there)."""
    names = sheet_names(xml)
    for sheet, boxes in blocks.items():
        index = names.index(sheet)
        xml = re.sub(rb'<definedName\b(?=[^>]*\bname="' + MARK_NAME.encode() + rb'")(?=[^>]*\blocalSheetId="'
                     + str(index).encode() + rb'")[^>]*>[^<]*</definedName>', b"", xml)
        refs = ",".join(f"{quote_sheet(sheet)}!${column_letter(b.col1 + 1)}${b.row1}:"
                        f"${column_letter(b.col2 + 1)}${b.row2}" for b in boxes)
        entry = (f'<definedName name="{MARK_NAME}" comment={quoteattr(MARK_COMMENT)} '
                 f'localSheetId="{index}">{escape(refs)}</definedName>').encode()
        if re.search(rb"</definedNames>", xml):
            xml = xml.replace(b"</definedNames>", entry + b"</definedNames>", 1)
        elif re.search(rb"<definedNames\s*/>", xml):
            xml = re.sub(rb"<definedNames\s*/>", b"<definedNames>" + entry + b"</definedNames>", xml, count=1)
        else:
            at = re.search(_AFTER_NAMES, xml)
            if at is None or b"<sheets" not in xml:
                raise CannotEdit("its workbook part is not written as Excel writes it")
            xml = xml[:at.start()] + b"<definedNames>" + entry + b"</definedNames>" + xml[at.start():]
    return xml


def widen_print_areas(xml: bytes, widenings: Sequence[tuple[int, int, int]]) -> bytes:
    """workbook.xml with each sheet's print area that ends at a table's last column widened to take
    in the added columns: widenings holds (sheet index, last column before, last added column).
    A print area of cells ($A$1:$V$20) and one of whole columns ($A:$V) widen alike."""
    for index, before, after in widenings:
        pattern = re.compile(rb'(<definedName\b(?=[^>]*\bname="_xlnm\.Print_Area")(?=[^>]*\blocalSheetId="'
                             + str(index).encode() + rb'")[^>]*>)([^<]*)(</definedName>)')
        match = pattern.search(xml)
        if match is None:
            continue
        old, new = column_letter(before + 1), column_letter(after + 1)

        def widened(area: re.Match[str], old: str = old, new: str = new) -> str:
            if area.group(4) != old:
                return area.group(0)
            return f"{area.group(1)}{area.group(2)}:{area.group(3)}{new}{area.group(5)}"

        areas = _AREA.sub(widened, match.group(2).decode()).encode()
        xml = xml[:match.start(2)] + areas + xml[match.end(2):]
    return xml
