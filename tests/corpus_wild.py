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
    HEADER,
    MAIN_NS,
    ROWS,
    SUMMARY,
    Pct,
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


# --- periods as departments write them -----------------------------------------------------------


@case(passes(SUMMARY, "Jun-19"))
def period_headings_in_two_languages_and_provisional(path: Path) -> None:
    """A Welsh council's bilingual headings, the last month marked provisional: each is read with
    the period finder the titles use."""
    header = [*HEADER[:5], "Ebrill / April 2019", "Mai / May 2019", "Mehefin / June 2019 (provisional)",
              HEADER[8]]
    kpi_book(path, table(header=header))


@case(passes(SUMMARY, "Quarter 5 2019/20", "quarters 1 to 4", "KPIs!I1"))
def impossible_quarter_heading(path: Path) -> None:
    """'Quarter 5 2019/20' beside three real quarters: a warning naming its cell, never a column
    dropped without a word."""
    header = [*HEADER[:5], "Quarter 1 2019/20", "Quarter 2 2019/20", "Quarter 3 2019/20",
              "Quarter 5 2019/20", HEADER[8]]
    rows = [[*row[:8], 0.5, row[8]] for row in ROWS]
    kpi_book(path, table(header=header, rows=rows))


@case(passes(SUMMARY, "Q4 1999/00"))
def two_digit_financial_years(path: Path) -> None:
    """'Q2 99/00' is 1999/00, as Excel pivots two-digit years, never 2099/00."""
    kpi_book(path, table(header=[*HEADER[:5], "Q2 99/00", "Q3 99/00", "Q4 99/00", HEADER[8]]))


@case(passes("not rated", "775.0% is outside 0-100 %", "KPIs!H2"))
def percentage_of_775(path: Path) -> None:
    """77,5 % typed the European way into a percentage cell becomes 775 %: not rated, with a
    warning naming the cell, rather than a Green nobody questions."""
    figures = ((3, 0.9), (4, 0.8), (5, 0.91), (6, 0.92), (7, 7.75))
    kpi_book(path, table(*[(1, c, Pct(v)) for c, v in figures]))


# --- CSV exports as written in the wild ------------------------------------------------------------

SEMICOLON_ROWS = [
    ["Code", "Indicator", "Polarity", "Target", "Floor", "Apr-19", "May-19", "Jun-19", "Commentary"],
    ["KP01", "Calls answered within 20 seconds", "H", "90%", "80%", "91,5%", "92,5%", "93,5%", "On track"],
    ["KP02", "Complaints answered on time", "H", "85%", "75%", "80,5%", "78,5%", "77,5%", "Short of staff"],
    ["KP03", "Days taken to pay invoices", "L", "20", "30", "18,5", "22,25", "35,75", "Backlog; new system"],
]


def semicolon_csv(rows: list[list[str]], *, sep_line: bool = False) -> bytes:
    lines = [";".join(f'"{v}"' if ";" in v else v for v in row) for row in rows]
    lines = ["sep=;", *lines] if sep_line else lines
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@case(passes(SUMMARY, "77.5%", "35.8"), filename="decimal-commas.csv")
def decimal_commas_separated_by_semicolons(path: Path) -> None:
    """A European export: semicolons between fields, commas before decimals. '77,5%' is 77.5 %,
    never 775 %."""
    path.write_bytes(semicolon_csv(SEMICOLON_ROWS))


@case(passes("4 KPIs: 2 Green, 1 Amber, 1 Red", "could be read two ways", "'1.000'",
             "decimal-commas-sep-line.csv:6:Target"), filename="decimal-commas-sep-line.csv")
def sep_line_and_figures_that_read_two_ways(path: Path) -> None:
    """Excel's `sep=;` first line, and counts written '1.050' (a thousand and fifty with the dot as
    thousands separator, or one and five hundredths): read by the convention the file's other
    figures show (decimal commas: the dot separates thousands), and named in a warning."""
    counts = ["KP04", "Contacts answered", "H", "1.000", "900", "1.050", "1.120", "1.090", ""]
    path.write_bytes(semicolon_csv([*SEMICOLON_ROWS, counts], sep_line=True))


MIXED_NAME = "Résumé checks – all teams"


def _no_mojibake(outputs: dict[str, dict[str, bytes]]) -> None:
    for suffix in ("-rag.xlsx", "-paper.docx"):
        text = b"".join(data for name, data in outputs[suffix].items() if name.endswith((".xml", ".rels")))
        decoded = text.decode("utf-8")
        assert MIXED_NAME in decoded and "Café" in decoded, suffix
        assert "Ã" not in decoded and "\ufffd" not in decoded and "â€" not in decoded, suffix


@case(passes(SUMMARY, "two encodings", "mixed-encodings.csv:3"), filename="mixed-encodings.csv",
      output_checks=[_no_mojibake])
def mixed_utf8_and_windows_1252_lines(path: Path) -> None:
    """Rows pasted from two exports: the file is UTF-8 but one line is Windows-1252. Each line is
    read in its own encoding; no 'RÃ©sumÃ©' reaches an output."""
    lines = [",".join(HEADER).encode(),
             "KP01,Café calls answered within 20 seconds,H,0.9,0.8,0.91,0.92,0.93,On track".encode(),
             f"KP02,{MIXED_NAME},H,0.85,0.75,0.8,0.78,0.77,Short of staff".encode("cp1252"),
             b"KP03,Days taken to pay invoices,L,20,30,18,22,35,Backlog"]
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")


@case(passes(SUMMARY, "NUL bytes"), filename="padded-with-nul-bytes.csv")
def utf8_padded_with_nul_bytes(path: Path) -> None:
    """A UTF-8 export padded with NUL bytes at its end (a copy cut short, a preallocated file): not
    UTF-16, whatever its first 4 KB hold."""
    text = "\r\n".join(",".join(str(v) for v in row) for row in table()) + "\r\n"
    path.write_bytes(text.encode("utf-8") + bytes(8192))
