"""What a workbook holds besides its figures that its user should be told of: macros (VBA, and
Excel 4.0 macro sheets, which need no VBA project and run from a name such as Auto_Open as the
workbook opens) and links to other workbooks or programs. None is ever run or followed."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from defusedxml import ElementTree

from kpi_excel.core.model import Warning_
from kpi_excel.excel import ns

_MACRO_SHEET_TYPES = ("/xlMacrosheet", "/xlIntlMacrosheet")  # relationship types, Transitional and Strict
_MACRO_SHEET_CONTENT = re.compile(rb"application/vnd\.ms-excel\.(?:intl)?macrosheet\+xml", re.I)
# Excel runs a macro named Auto_Open (or any name starting so) as the workbook opens, and the
# others as it closes or as a sheet is shown
_AUTO_NAMES = re.compile(r"^(?:_xlnm\.)?(auto_(?:open|close|activate|deactivate))", re.I)
_AUTO_SPELLING = {name.lower(): name
                  for name in ("Auto_Open", "Auto_Close", "Auto_Activate", "Auto_Deactivate")}
_SMALL = 4 * 2**20  # the workbook part and its relationships: a few KB in any real workbook


@dataclass(frozen=True)
class Excel4Macros:
    """A workbook's Excel 4.0 macro sheets, by name, and the names that run them by themselves."""

    sheets: tuple[str, ...]
    runs_itself: tuple[str, ...]  # Auto_Open, Auto_Close ...

    def describe(self) -> str:
        """'macro sheet Macro1, run as the workbook opens by the name Auto_Open'."""
        named = ", ".join(f"'{s}'" for s in self.sheets)
        text = f"macro sheet{'s' if len(self.sheets) > 1 else ''} {named}" if self.sheets else "a macro sheet"
        if self.runs_itself:
            text += f", which the name {' and '.join(self.runs_itself)} runs by itself"
        return text


def excel4_macros(archive: zipfile.ZipFile, names: set[str]) -> Excel4Macros | None:
    """The Excel 4.0 macro sheets a workbook holds (a part under xl/macrosheets/, one of their
    content types, or a sheet related as one), or None when it holds none."""
    parts = {n for n in names if n.lower().startswith(("xl/macrosheets/", "xl/intlmacrosheets/"))}
    types = _small(archive, "[Content_Types].xml", names)
    book = _small(archive, "xl/workbook.xml", names)
    rels = _small(archive, "xl/_rels/workbook.xml.rels", names)
    macro_ids = _macro_sheet_ids(rels)
    if not parts and not macro_ids and not _MACRO_SHEET_CONTENT.search(types):
        return None
    sheets, autos = _sheets_and_auto_names(book, macro_ids)
    return Excel4Macros(sheets, autos)


def _small(archive: zipfile.ZipFile, name: str, names: set[str]) -> bytes:
    if name not in names or archive.getinfo(name).file_size > _SMALL:
        return b""
    return archive.read(name)


def _macro_sheet_ids(rels: bytes) -> set[str]:
    if not rels:
        return set()
    try:
        root = ElementTree.fromstring(rels)
    except ElementTree.ParseError:
        return set()
    return {rel.get("Id", "") for rel in root.iter(f"{{{ns.PACKAGE_RELATIONSHIPS}}}Relationship")
            if rel.get("Type", "").endswith(_MACRO_SHEET_TYPES)
            and posixpath.basename(rel.get("Target", ""))}


def _sheets_and_auto_names(book: bytes, macro_ids: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not book:
        return (), ()
    try:
        root = ElementTree.fromstring(book)
    except ElementTree.ParseError:
        return (), ()
    sheets = tuple(sheet.get("name", "") for sheet in root.iter()
                   if sheet.tag.endswith("}sheet") and _rid(sheet) in macro_ids)
    autos = tuple(dict.fromkeys(_AUTO_SPELLING[match.group(1).lower()]
                                for name in root.iter() if name.tag.endswith("}definedName")
                                if (match := _AUTO_NAMES.match(name.get("name", "")))))
    return sheets, autos


def _rid(element: object) -> str:
    attrib = getattr(element, "attrib", {})
    return next((value for key, value in attrib.items() if key.endswith("}id")), "")


def workbook_notes(archive: zipfile.ZipFile, names: set[str],
                   macros: Excel4Macros | None) -> Iterator[Warning_]:
    """The warnings about a workbook's macros and links (the same for check and build)."""
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        yield Warning_("the workbook holds macros (VBA); they were not run, and the outputs hold none")
    if macros is not None:
        yield Warning_(f"the workbook holds Excel 4.0 macros ({macros.describe()}); they were not run, and "
                       "the RAG workbook and the paper hold none")
    links = sorted(n for n in names if n.startswith("xl/externalLinks/") and n.endswith(".xml"))
    live = [n for n in links if _is_dde_link(archive, n)]
    if live:
        yield Warning_("the workbook has a live link to another program (a DDE link); it was not "
                       "followed: the values last saved with the workbook were used, and they may be "
                       "out of date")
    if len(live) < len(links):
        yield Warning_("the workbook links to other workbooks; the values last saved with it were used, "
                       "and they may be out of date")


def _is_dde_link(archive: zipfile.ZipFile, part: str) -> bool:
    """An external link to another program (DDE) rather than to a workbook; such a link has no
    relationships part naming a file."""
    with archive.open(part) as stream:
        return b"ddeLink" in stream.read(2**16)
