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
from dataclasses import dataclass
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
        # the warning names Auto_Open on the Warnings sheet: as text, never as a defined name
        assert not [n for n, d in outputs[suffix].items()
                    if re.search(rb"<definedName[^>]*Auto_Open", d, re.I) or b"EXEC(" in d], suffix


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


# ==============================================================================================
# Templates carrying live content: each item is left out of the paper with a warning naming it
# ==============================================================================================

SERVER = "fileserver.council.internal"  # where a council's templates and boilerplate live
INTRANET = "intranet.council.internal"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MS_REL = "http://schemas.microsoft.com/office/2006/relationships"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the signature of an OLE compound file (a VBA project's)


def shipped_template() -> Path:
    from kpi_excel.paper.templates import default_template

    return default_template()


def _rels(parts: dict[str, bytes], rels_part: str, *relationships: str) -> None:
    if rels_part not in parts:
        parts[rels_part] = (DECL + b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                            b'relationships"></Relationships>')
    parts[rels_part] = parts[rels_part].replace(b"</Relationships>",
                                                "".join(relationships).encode() + b"</Relationships>")


def _types(parts: dict[str, bytes], *entries: str) -> None:
    types = parts["[Content_Types].xml"]
    parts["[Content_Types].xml"] = types.replace(b"</Types>", "".join(entries).encode() + b"</Types>")


def _body_first(parts: dict[str, bytes], xml: str) -> None:
    """Paragraphs put first in the body (before the template's own)."""
    document = parts["word/document.xml"]
    parts["word/document.xml"] = document.replace(b"<w:body>", b"<w:body>" + xml.encode(), 1)


def _settings(parts: dict[str, bytes], xml: str) -> None:
    settings = parts["word/settings.xml"]
    at = settings.index(b"<w:defaultTabStop")
    parts["word/settings.xml"] = settings[:at] + xml.encode() + settings[at:]


def macros(parts: dict[str, bytes]) -> None:
    """A .docm renamed .docx: a VBA project (with an AutoOpen that reaches the network) and its data."""
    parts["word/vbaProject.bin"] = OLE + b"KPX-MACRO Sub AutoOpen() Shell" + bytes(480)
    parts["word/vbaData.xml"] = (DECL + b'<wne:vbaSuppData xmlns:wne="http://schemas.microsoft.com/office/word/'
                                 b'2006/wordml"><wne:mcds/></wne:vbaSuppData>')
    _rels(parts, "word/_rels/document.xml.rels",
          f'<Relationship Id="rIdVba" Type="{MS_REL}/vbaProject" Target="vbaProject.bin"/>')
    _rels(parts, "word/_rels/vbaProject.bin.rels",
          f'<Relationship Id="rId1" Type="{MS_REL}/wordVbaData" Target="vbaData.xml"/>')
    _types(parts, '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
           '<Override PartName="/word/vbaData.xml" ContentType="application/vnd.ms-word.vbaData+xml"/>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"wordprocessingml.document.main+xml"
    ).replace(b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
              b"application/vnd.ms-word.document.macroEnabled.main+xml")


def attached_template(parts: dict[str, bytes]) -> None:
    """The template it was made from, on the council's network: every paper would point at it."""
    _settings(parts, '<w:attachedTemplate r:id="rIdTpl"/>')
    _rels(parts, "word/_rels/settings.xml.rels",
          f'<Relationship Id="rIdTpl" Type="{REL}/attachedTemplate" '
          f'Target="file:///\\\\{SERVER}\\templates\\Committee%20Report.dotm" TargetMode="External"/>')


def linked_picture(parts: dict[str, bytes]) -> None:
    """A logo linked from the intranet rather than embedded: Word fetches it as the paper opens."""
    drawing = (
        '<w:p><w:r><w:drawing><wp:inline><wp:extent cx="952500" cy="952500"/><wp:docPr id="901" name="Logo"/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData '
        'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.'
        'openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="0" name="logo.png"/>'
        '<pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:link="rIdPic"/><a:stretch><a:fillRect/>'
        '</a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/>'
        '</a:xfrm><a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline>'
        "</w:drawing></w:r></w:p>")
    _body_first(parts, drawing)
    _rels(parts, "word/_rels/document.xml.rels",
          f'<Relationship Id="rIdPic" Type="{REL}/image" Target="http://{INTRANET}/logo.png" '
          'TargetMode="External"/>')


def imported_html(parts: dict[str, bytes]) -> None:
    """An altChunk: HTML that Word imports as the paper opens, script and all."""
    parts["word/afchunk.htm"] = (b"<html><body><p>KPX-ALTCHUNK imported</p><script>fetch('http://"
                                 + INTRANET.encode() + b"/x')</script></body></html>")
    _body_first(parts, '<w:altChunk r:id="rIdChunk"/>')
    _rels(parts, "word/_rels/document.xml.rels",
          f'<Relationship Id="rIdChunk" Type="{REL}/aFChunk" Target="afchunk.htm"/>')
    _types(parts, '<Override PartName="/word/afchunk.htm" ContentType="application/xhtml+xml"/>')


def embedded_object(parts: dict[str, bytes]) -> None:
    """An OLE object (a packaged file) and an ActiveX form control."""
    parts["word/embeddings/oleObject1.bin"] = OLE + b"KPX-OLE payload.exe" + bytes(64)
    parts["word/activeX/activeX1.xml"] = (DECL + b'<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/'
                                          b'activeX" ax:classid="{8BD21D40-EC42-11CE-9E0D-00AA006002F3}" '
                                          b'ax:persistence="persistStreamInit" r:id="rId1" xmlns:r="'
                                          + REL.encode() + b'"/>')
    parts["word/activeX/activeX1.bin"] = b"KPX-ACTIVEX control" + bytes(32)
    _body_first(parts, '<w:p><w:r><w:object><v:shape id="_x0000_i1025" style="width:40pt;height:40pt"/>'
                       '<o:OLEObject Type="Embed" ProgID="Package" ShapeID="_x0000_i1025" DrawAspect="Icon" '
                       'ObjectID="_1700000000" r:id="rIdOle"/></w:object></w:r></w:p>'
                       '<w:p><w:r><w:object><w:control r:id="rIdAx" w:name="CheckBox1"/></w:object></w:r>'
                       "</w:p>")
    _rels(parts, "word/_rels/document.xml.rels",
          f'<Relationship Id="rIdOle" Type="{REL}/oleObject" Target="embeddings/oleObject1.bin"/>',
          f'<Relationship Id="rIdAx" Type="{REL}/control" Target="activeX/activeX1.xml"/>')
    _rels(parts, "word/activeX/_rels/activeX1.xml.rels",
          f'<Relationship Id="rId1" Type="{MS_REL}/activeXControlBinary" Target="activeX1.bin"/>')
    _types(parts, '<Override PartName="/word/embeddings/oleObject1.bin" '
                  'ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>',
           '<Override PartName="/word/activeX/activeX1.xml" '
           'ContentType="application/vnd.ms-office.activeX+xml"/>',
           '<Override PartName="/word/activeX/activeX1.bin" '
           'ContentType="application/vnd.ms-office.activeX"/>')


FETCHED = "KPX-FETCHED-TEXT"  # the text a fetching field last fetched: it goes with the field


def _complex(instruction: str, result: str = FETCHED) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            + "".join(f'<w:r><w:instrText xml:space="preserve">{escape_xml(piece)}</w:instrText></w:r>'
                      for piece in (instruction[:5], instruction[5:]))
            + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            + f"<w:r><w:t>{result}</w:t></w:r>" + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def escape_xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def fetching_fields(parts: dict[str, bytes]) -> None:
    """Fields Word updates by fetching: INCLUDETEXT (simple), INCLUDEPICTURE, LINK and DDEAUTO
    (complex, their instructions cut in two runs), an INCLUDETEXT whose fetched text spans
    paragraphs, and a HYPERLINK field to a file on the network (its text stays, the link goes)."""
    include = r'INCLUDETEXT "\\\\SERVER\\share\\boilerplate.docx"'.replace("SERVER", SERVER)
    picture = f'INCLUDEPICTURE "http://{INTRANET}/chart.png" \\d'
    link = r'LINK Excel.Sheet.12 "\\\\SERVER\\budget.xlsx" Sheet1!R1C1 \a'.replace("SERVER", SERVER)
    dde = r"DDEAUTO excel C:\\budget.xlsx R1C1"
    hyperlink = r'HYPERLINK "file:///\\\\SERVER\\minutes.docx"'.replace("SERVER", SERVER)
    spanning = ('<w:p><w:r><w:t xml:space="preserve">Before </w:t></w:r><w:r>'
                '<w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r><w:instrText xml:space="preserve">{escape_xml(include)}</w:instrText></w:r>'
                f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{FETCHED} 1</w:t></w:r></w:p>'
                f"<w:p><w:r><w:t>{FETCHED} 2</w:t></w:r></w:p>"
                f'<w:p><w:r><w:t>{FETCHED} 3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
                '<w:r><w:t xml:space="preserve"> after.</w:t></w:r></w:p>')
    simple = (f'<w:p><w:fldSimple w:instr="{escape_xml(include)}"><w:r><w:t>{FETCHED}</w:t></w:r>'
              "</w:fldSimple></w:p>")
    complex_ = "".join(f"<w:p>{_complex(instruction)}</w:p>" for instruction in (picture, link, dde))
    _body_first(parts, simple + complex_ + spanning + f'<w:p>{_complex(hyperlink, "the minutes")}</w:p>')


def links_to_files(parts: dict[str, bytes]) -> None:
    """A hyperlink to a workbook on the network (its text stays, the link goes) beside one to the
    council's website (a paper's own kind of link: it stays), and a mail-merge data source."""
    _body_first(parts, '<w:p><w:hyperlink r:id="rIdFile"><w:r><w:t>the budget workbook</w:t></w:r>'
                       "</w:hyperlink>"
                       '<w:r><w:t xml:space="preserve"> and </w:t></w:r><w:hyperlink r:id="rIdWeb"><w:r>'
                       "<w:t>the council's website</w:t></w:r></w:hyperlink></w:p>")
    _rels(parts, "word/_rels/document.xml.rels",
          f'<Relationship Id="rIdFile" Type="{REL}/hyperlink" Target="file:///\\\\{SERVER}\\finance\\'
          'budget.xlsx" TargetMode="External"/>',
          f'<Relationship Id="rIdWeb" Type="{REL}/hyperlink" Target="https://www.kent.gov.uk/" '
          'TargetMode="External"/>')
    _settings(parts, '<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:dataType w:val="odbc"/>'
                     f'<w:connectString w:val="DSN=KPX-MAILMERGE;SERVER={SERVER}"/>'
                     '<w:query w:val="SELECT * FROM staff"/></w:mailMerge>')


EVERYTHING = (macros, attached_template, linked_picture, imported_html, embedded_object, fetching_fields,
              links_to_files)
# text from the hostile items that must be in no output: names on the network, payloads, fetched text
MARKERS = (SERVER, INTRANET, "KPX-MACRO", "KPX-ALTCHUNK", "KPX-OLE", "KPX-ACTIVEX", FETCHED, "KPX-MAILMERGE",
           "vbaProject", "aFChunk", "altChunk", "attachedTemplate", "OLEObject", "INCLUDETEXT",
           "INCLUDEPICTURE", "DDEAUTO", "mailMerge")


def hostile_template(path: Path, *edits: Callable[[dict[str, bytes]], None]) -> Path:
    """The shipped template with the given live content added (every kind by default)."""
    parts = parts_of(shipped_template())
    for edit in edits or EVERYTHING:
        edit(parts)
    write_parts(path, parts)
    return path


@dataclass(frozen=True)
class LiveTemplateCase:
    """A template carrying one kind of live content: the build succeeds, leaving it out of the
    paper, and says so in a warning holding these words."""

    name: str
    edit: Callable[[dict[str, bytes]], None]
    words: tuple[str, ...]

    def write(self, folder: Path) -> Path:
        return hostile_template(folder / f"template-{self.name.replace('_', '-')}.docx", self.edit)


LIVE_TEMPLATE_CASES = [
    LiveTemplateCase("macros_in_a_docm_saved_as_docx", macros, ("macros (VBA)", "word/vbaProject.bin")),
    LiveTemplateCase("attached_template_on_the_network", attached_template,
                     ("template it was made from", SERVER)),
    LiveTemplateCase("linked_picture", linked_picture, ("linked pictures", INTRANET)),
    LiveTemplateCase("imported_html", imported_html, ("imported content (altChunk)", "word/afchunk.htm")),
    LiveTemplateCase("ole_object_and_activex_control", embedded_object,
                     ("embedded objects (OLE)", "form controls (ActiveX)")),
    LiveTemplateCase("fields_that_fetch", fetching_fields,
                     ("fields that fetch", "INCLUDETEXT", "INCLUDEPICTURE", "LINK Excel", "DDEAUTO")),
    LiveTemplateCase("hyperlink_to_a_file_and_a_mail_merge", links_to_files,
                     ("links to files", SERVER, "mail-merge data source", "KPX-MAILMERGE")),
]
