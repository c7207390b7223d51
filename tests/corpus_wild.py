"""The hostile corpus, round 3: inputs as written in the wild, and templates carrying live content.

Registered into corpus.CASES (corpus.py imports this module at its end), so every case runs
through check and build in tests/test_robustness.py and is hashed by tests/output_hashes.py.
Templates whose live content must be dropped, not refused, are LIVE_TEMPLATE_CASES.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from corpus import (
    DECL,
    DOC_REL,
    MAIN_NS,
    SUMMARY,
    case,
    crafted_zip,
    deflated,
    fails,
    kpi_book,
    passes,
    stored_parts,
    table,
)

# --- editing a package written by a library -----------------------------------------------------


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_parts(path: Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def edited(path: Path, edit: Callable[[dict[str, bytes]], None]) -> None:
    """Rewrite the package at path with edit applied to its parts (a dict, changed in place)."""
    parts = parts_of(path)
    edit(parts)
    write_parts(path, parts)


# --- the input is read once: a part stored twice ----------------------------------------------


def _twice(path: Path, second_name: str) -> None:
    parts = stored_parts(lambda p: kpi_book(p, table()), path.parent)
    other = stored_parts(lambda p: kpi_book(p, table((1, 7, 0.1), (2, 7, 0.1))), path.parent)
    members = [deflated(name, data) for name, data in parts.items()]
    members.append(deflated(second_name, other["xl/worksheets/sheet1.xml"]))
    crafted_zip(path, members)


@case(fails("part xl/worksheets/sheet1.xml is stored twice", "not defined", fix="ask the sender"))
def part_stored_twice(path: Path) -> None:
    """The zip holds xl/worksheets/sheet1.xml twice, with other figures in the second: Excel may
    show one, Python's zipfile reads the other, so no rating could be trusted."""
    _twice(path, "xl/worksheets/sheet1.xml")


@case(fails("part xl/worksheets/Sheet1.xml is stored twice", fix="ask the sender"))
def part_stored_twice_in_another_letter_case(path: Path) -> None:
    """Package part names ignore letter case: Sheet1.xml and sheet1.xml are one part, twice."""
    _twice(path, "xl/worksheets/Sheet1.xml")


# --- Excel 4.0 macro sheets -----------------------------------------------------------------------

XLM_NS = "http://schemas.microsoft.com/office/excel/2006/main"
MACRO_SHEET = DECL + (
    f'<xm:macrosheet xmlns="{MAIN_NS}" xmlns:r="{DOC_REL}" xmlns:xm="{XLM_NS}"><sheetData>'
    '<row r="1"><c r="A1"><f>EXEC("calc.exe")</f><v>0</v></c></row>'
    '<row r="2"><c r="A2"><f>HALT()</f><v>1</v></c></row></sheetData></xm:macrosheet>').encode()


def add_macro_sheet(parts: dict[str, bytes]) -> None:
    """A very hidden macro sheet, Macro1, that the name Auto_Open runs as the workbook opens."""
    parts["xl/macrosheets/sheet1.xml"] = MACRO_SHEET
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/macrosheets/sheet1.xml" '
                     b'ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdXlm" Type="http://schemas.microsoft.com/office/2006/'
                             b'relationships/xlMacrosheet" Target="macrosheets/sheet1.xml"/></Relationships>')
    book = parts["xl/workbook.xml"].decode()
    book = re.sub(r"(<sheet [^>]*/>)(</sheets>)", r'\1<sheet name="Macro1" sheetId="99" state="veryHidden" '
                  f'xmlns:r="{DOC_REL}" r:id="rIdXlm"/>\\2', book, count=1)
    name = '<definedName name="_xlnm.Auto_Open" hidden="1">Macro1!$A$1</definedName>'
    book = (book.replace("<definedNames>", "<definedNames>" + name) if "<definedNames>" in book
            else book.replace("</sheets>", f"</sheets><definedNames>{name}</definedNames>"))
    parts["xl/workbook.xml"] = book.encode()


def _macro_sheet_kept_in_the_rated_copy_only(outputs: dict[str, dict[str, bytes]]) -> None:
    rated = [parts for suffix, parts in outputs.items() if suffix.startswith("-rated")]
    assert rated and "xl/macrosheets/sheet1.xml" in rated[0], "the rated copy is the department's own file"
    for suffix in ("-rag.xlsx", "-paper.docx"):
        assert not [n for n in outputs[suffix] if "macrosheet" in n.lower()], suffix
        assert not [n for n, d in outputs[suffix].items() if b"Auto_Open" in d or b"EXEC(" in d], suffix


@case(passes(SUMMARY, "Excel 4.0 macros", "Macro1", "Auto_Open", "not run"),
      output_checks=[_macro_sheet_kept_in_the_rated_copy_only])
def excel4_macro_sheet_run_by_auto_open(path: Path) -> None:
    """An Excel 4.0 macro sheet (no VBA project at all) that Auto_Open runs: the old way macros
    reach a council, still opened by Excel. Warned about like VBA, and never run."""
    kpi_book(path, table())
    edited(path, add_macro_sheet)


# --- rows stored out of order ---------------------------------------------------------------------


def _rows_stored(path: Path, order: Callable[[list[bytes]], list[bytes]]) -> None:
    """The plain table, its rows stored in the sheet's XML in another order (each keeps its r)."""
    kpi_book(path, table())

    def reorder(parts: dict[str, bytes]) -> None:
        xml = parts["xl/worksheets/sheet1.xml"]
        rows = re.findall(rb"<row\b.*?</row>", xml, re.S)
        start, end = xml.index(rows[0]), xml.index(rows[-1]) + len(rows[-1])
        parts["xl/worksheets/sheet1.xml"] = xml[:start] + b"".join(order(rows)) + xml[end:]

    edited(path, reorder)


@case(passes(SUMMARY))
def rows_stored_header_last(path: Path) -> None:
    """An exporter that writes the header row after the figures (legal: each row says its number);
    openpyxl's reader drops every row stored after a higher-numbered one, so this once read as
    'no KPI table'."""
    _rows_stored(path, lambda rows: rows[1:] + rows[:1])


@case(passes(SUMMARY))
def rows_stored_in_reverse(path: Path) -> None:
    _rows_stored(path, lambda rows: rows[::-1])


# --- library warnings -----------------------------------------------------------------------------


@case(passes(SUMMARY))
def date_beyond_any_calendar(path: Path) -> None:
    """A date-formatted cell holding serial 10^11 (year 273,790): openpyxl warns as it reads the row,
    and no library's warning may reach the terminal."""
    rows = table((0, 9, "Last updated"), (1, 9, dt.datetime(2019, 7, 1)))
    kpi_book(path, rows)

    def far_future(parts: dict[str, bytes]) -> None:
        xml = parts["xl/worksheets/sheet1.xml"]
        parts["xl/worksheets/sheet1.xml"] = re.sub(rb'(<c r="J2"[^>]*><v>)[^<]*', rb"\g<1>99999999999", xml)

    edited(path, far_future)
