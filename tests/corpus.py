"""A generated corpus of broken and hostile workbooks, each with the outcome the tool must give.

Every case is a small function that writes one file; nothing binary is committed. Run
`python tests/corpus.py FOLDER` to write the whole corpus somewhere and look at it.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl
from openpyxl.utils import get_column_letter

# --- what a case expects ----------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """The outcome the tool must give: success with words in its output, or one clean error line."""

    ok: bool
    words: tuple[str, ...] = ()  # in the error line, or in `check`'s output on success
    where: str = ""  # the sheet!cell an error names
    fix: str = ""  # words of the advice an error gives


def fails(*words: str, where: str = "", fix: str) -> Expect:
    return Expect(False, words, where, fix)


def passes(*words: str) -> Expect:
    return Expect(True, words)


OutputCheck = Callable[[dict[str, dict[str, bytes]]], None]


@dataclass(frozen=True)
class Case:
    """One file of the corpus: its name, how to write it, and what the tool must do with it."""

    name: str
    filename: str
    make: Callable[[Path], None]
    expect: Expect
    # checks on what a successful build wrote: {"-rag.xlsx": {member: bytes}, "-paper.docx": {...}}
    output_checks: tuple[OutputCheck, ...] = ()

    def write(self, folder: Path) -> Path:
        path = folder / self.filename
        self.make(path)
        return path


CASES: list[Case] = []


def case(expect: Expect, *, filename: str = "",
         output_checks: Sequence[OutputCheck] = ()
         ) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    """Register a function that writes one corpus file (named after the function unless given)."""

    def register(make: Callable[[Path], None]) -> Callable[[Path], None]:
        name = make.__name__
        CASES.append(Case(name, filename or name.replace("_", "-") + ".xlsx", make, expect,
                          tuple(output_checks)))
        return make

    return register


# --- a plain KPI table --------------------------------------------------------------------------

HEADER = ["Code", "Indicator", "Polarity", "Target", "Floor", "Apr-19", "May-19", "Jun-19", "Commentary"]
ROWS = [
    ["KP01", "Calls answered within 20 seconds", "H", 0.9, 0.8, 0.91, 0.92, 0.93, "On track"],
    ["KP02", "Complaints answered on time", "H", 0.85, 0.75, 0.8, 0.78, 0.77, "Short of staff"],
    ["KP03", "Days taken to pay invoices", "L", 20, 30, 18, 22, 35, "Backlog after system change"],
]
SUMMARY = "3 KPIs: 1 Green, 1 Amber, 1 Red"  # what `check` says about ROWS


def table(*changes: tuple[int, int, object], header: Sequence[object] = HEADER,
          rows: Sequence[Sequence[object]] = ROWS) -> list[list[object]]:
    """The header and rows, with (row, column, value) changes; row 0 is the header."""
    result = [list(header)] + [list(r) for r in rows]
    for r, c, value in changes:
        while len(result[r]) <= c:
            result[r].append(None)
        result[r][c] = value
    return result


@dataclass(frozen=True)
class Pct:
    """A number shown as a percentage."""

    value: float


def openpyxl_book(path: Path, sheets: dict[str, Sequence[Sequence[object]]], *,
                  hidden: Iterable[str] = (), hidden_rows: Iterable[int] = (),
                  merged: Iterable[str] = ()) -> None:
    """A workbook written by openpyxl (a library: formulas keep no results)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(r, c, value.value if isinstance(value, Pct) else value)
                if isinstance(value, Pct):
                    cell.number_format = "0%"
                elif isinstance(value, dt.datetime):
                    cell.number_format = "mmm-yy"
    for name in hidden:
        book[name].sheet_state = "hidden"
    first = book.worksheets[0]
    for r in hidden_rows:
        first.row_dimensions[r].hidden = True
    for cells in merged:
        first.merge_cells(cells)
    book.save(path)


def kpi_book(path: Path, rows: Sequence[Sequence[object]], sheet: str = "KPIs") -> None:
    openpyxl_book(path, {sheet: rows})


# --- xlsx parts written by hand, for what no library will write ---------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_WORKBOOK_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class Raw:
    """A cell written as given: the XML inside <c>, and its attributes."""

    inner: str
    attrs: str = ""


@dataclass
class RawSheet:
    """A worksheet part: its XML, or a function that streams it into the zip."""

    name: str
    xml: bytes | Callable[[io.BufferedIOBase], None]
    state: str = "visible"


def cell_xml(ref: str, value: object) -> str:
    if isinstance(value, Raw):
        return f'<c r="{ref}"{value.attrs}>{value.inner}</c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def row_xml(r: int, row: Sequence[object], attrs: str = "", first_col: int = 1) -> str:
    cells = "".join(cell_xml(f"{get_column_letter(c)}{r}", v)
                    for c, v in enumerate(row, start=first_col) if v is not None)
    return f'<row r="{r}"{attrs}>{cells}</row>'


def sheet_xml(rows: Sequence[Sequence[object]], *, prolog: str = "", dimension: str = "",
              row_attrs: dict[int, str] | None = None, after: str = "") -> bytes:
    """A worksheet part holding rows (row 1 first)."""
    attrs = row_attrs or {}
    body = "".join(row_xml(r, row, attrs.get(r, "")) for r, row in enumerate(rows, start=1))
    width = max((len(row) for row in rows), default=1)
    dim = f'<dimension ref="{dimension or f"A1:{get_column_letter(width)}{max(len(rows), 1)}"}"/>'
    return (DECL + prolog.encode() + f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{DOC_REL}">{dim}'
            f"<sheetData>{body}</sheetData>{after}</worksheet>".encode())


def raw_xlsx(path: Path, sheets: Sequence[RawSheet], *, shared_strings: bytes | None = None,
             extra: dict[str, bytes] | None = None, workbook_ct: str = WORKBOOK_CT,
             workbook_extra: str = "", extra_rels: str = "", extra_types: str = "",
             compresslevel: int = 6) -> None:
    """An .xlsx with the given worksheet parts, written member by member."""
    rels = [f'<Relationship Id="rId{i}" Type="{DOC_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)]
    types = [f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_CT}"/>'
             for i in range(1, len(sheets) + 1)]
    if shared_strings is not None:
        rels.append(f'<Relationship Id="rIdS" Type="{DOC_REL}/sharedStrings" Target="sharedStrings.xml"/>')
        types.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                     'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    listed = "".join(
        f'<sheet name={quoteattr(s.name)} sheetId="{i}" state="{s.state}" r:id="rId{i}"/>'
        for i, s in enumerate(sheets, start=1))
    parts: dict[str, bytes] = {
        "[Content_Types].xml": DECL + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{workbook_ct}"/>'
            + "".join(types) + extra_types + "</Types>").encode(),
        "_rels/.rels": DECL + (
            f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{DOC_REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>').encode(),
        "xl/workbook.xml": DECL + (
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{DOC_REL}"><sheets>{listed}</sheets>'
            f"{workbook_extra}</workbook>").encode(),
        "xl/_rels/workbook.xml.rels": DECL + (
            f'<Relationships xmlns="{PKG_REL}">' + "".join(rels) + extra_rels + "</Relationships>"
        ).encode(),
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        for i, sheet in enumerate(sheets, start=1):
            if isinstance(sheet.xml, bytes):
                archive.writestr(f"xl/worksheets/sheet{i}.xml", sheet.xml)
            else:
                with archive.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as stream:
                    sheet.xml(stream)  # type: ignore[arg-type]


def raw_book(path: Path, rows: Sequence[Sequence[object]], sheet: str = "KPIs", **kwargs: object) -> None:
    raw_xlsx(path, [RawSheet(sheet, sheet_xml(rows))], **kwargs)  # type: ignore[arg-type]


# --- crafted zips and OLE files -----------------------------------------------------------------

ZERO_CRC_2GIB = 0x4DBDF21C  # zlib.crc32(bytes(2**31)), so the zip bomb is a valid zip


def deflate_repeated(block: bytes, times: int, *, head: bytes = b"", tail: bytes = b"",
                     crc: int | None = None) -> tuple[bytes, int, int]:
    """Raw deflate data for head + block * times + tail, its CRC and its size, made cheaply.

    After a full flush the compressor forgets what came before, so every further copy of the
    block compresses to the same bytes: they are repeated instead of computed. Head and tail go
    in stored blocks, which are byte-aligned and so can be joined to the rest.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    once = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = _stored_block(head, final=False) + once * times + _stored_block(tail, final=True)
    if crc is None:
        crc = zlib.crc32(head)
        for _ in range(times):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(tail, crc)
    return data, crc, len(head) + len(block) * times + len(tail)


def _stored_block(data: bytes, *, final: bool) -> bytes:
    return bytes([final]) + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data


def crafted_zip(path: Path, members: Sequence[tuple[str, bytes, int, int, int]]) -> None:
    """A zip written header by header: (name, deflated data, CRC, stated size, flag bits).

    The stated uncompressed size is what the headers claim; it may be a lie.
    """
    out = bytearray()
    central = bytearray()
    for name, data, crc, size, flags in members:
        offset = len(out)
        encoded = name.encode()
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, 0, 0x21, crc, len(data),
                           min(size, 0xFFFFFFFF), len(encoded), 0) + encoded + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, 8, 0, 0x21, crc,
                               len(data), min(size, 0xFFFFFFFF), len(encoded), 0, 0, 0, 0, 0,
                               offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(out), 0)
    path.write_bytes(bytes(out + central + end))


def stored_parts(build: Callable[[Path], None], folder: Path) -> dict[str, bytes]:
    """The members of a workbook written by build, so a crafted zip can reuse them."""
    scratch = folder / ".scratch.xlsx"
    build(scratch)
    with zipfile.ZipFile(scratch) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    scratch.unlink()
    return parts


def deflated(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data), 0


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END, _FAT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A small but well-formed OLE compound file (what .xls and encrypted workbooks are).

    Streams are padded to 4 KB so they live in ordinary sectors (no mini stream is needed).
    """
    assert len(streams) <= 3, "one directory sector holds the root and three streams"
    datas = [data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0") for data in streams.values()]
    fat = [_FAT, _END]
    starts = []
    for data in datas:
        starts.append(len(fat))
        count = len(data) // 512
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [_END]
    fat += [_FREE] * (128 - len(fat))
    header = (OLE_SIGNATURE + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108)
    entries = [_dir_entry("Root Entry", 5, _END, 0, child=1 if streams else _NONE)]
    for i, (name, data) in enumerate(streams.items(), start=1):
        right = i + 1 if i < len(streams) else _NONE
        entries.append(_dir_entry(name, 2, starts[i - 1], len(data), right=right))
    directory = b"".join(entries).ljust(512, b"\0")
    return header + struct.pack("<128I", *fat) + directory + b"".join(datas)


def _dir_entry(name: str, kind: int, start: int, size: int, *, child: int = _NONE,
               right: int = _NONE) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, _NONE, right, child)
            + bytes(16 + 4 + 16) + struct.pack("<IQ", start, size))


# ==============================================================================================
# The cases
# ==============================================================================================

SAVE_AS_XLSX = "save it as .xlsx"

# --- not a workbook at all --------------------------------------------------------------------


@case(fails("the file is empty", fix="Save the workbook again"))
def empty(path: Path) -> None:
    path.write_bytes(b"")


@case(fails("not an Excel workbook", "it is text", fix="Excel Workbook"))
def plain_text(path: Path) -> None:
    path.write_text("These are the KPIs for Q3. Figures to follow.\n")


@case(fails("not an Excel workbook", "CSV", fix="Excel Workbook"))
def csv_renamed(path: Path) -> None:
    path.write_text("Code,Indicator,Target,Apr-19\nKP01,Calls answered,0.9,0.91\n")


@case(fails("not an Excel workbook", "PDF", fix="Excel Workbook"))
def pdf_renamed(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")


@case(fails("Word document", fix="Excel workbook"))
def word_renamed(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")


@case(fails("not an Excel workbook", fix="the .xlsx file"))
def zip_of_other_files(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "KPI figures are in the other attachment")


@case(fails("legacy .xls", fix=SAVE_AS_XLSX))
def legacy_xls(path: Path) -> None:
    path.write_bytes(ole_file({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" + bytes(200),
                               "\x05SummaryInformation": bytes(64)}))


@case(fails("password", fix="remove the password"))
def password_protected(path: Path) -> None:
    path.write_bytes(ole_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + bytes(200),
                               "EncryptedPackage": bytes(600)}))


@case(fails("password", fix="without the password"))
def zip_encrypted_members(path: Path) -> None:
    parts = stored_parts(lambda p: kpi_book(p, table()), path.parent)
    members = [deflated(name, data) for name, data in parts.items()]
    crafted_zip(path, [(n, d, c, s, 0x1) for n, d, c, s, _ in members])  # bit 0: encrypted


@case(fails(".xlsb", fix=SAVE_AS_XLSX))
def binary_xlsb(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", bytes(64))


# --- damaged ----------------------------------------------------------------------------------


@case(fails("damaged or incomplete", fix="Save it again"))
def truncated(path: Path) -> None:
    kpi_book(path, table())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@case(fails("part xl/worksheets/sheet1.xml is damaged", fix="save it again"))
def corrupt_sheet_data(path: Path) -> None:
    """The zip's directory is whole but the sheet's compressed bytes are damaged."""
    raw_book(path, table(), compresslevel=1)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 20, start + info.compress_size - 10):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


@case(fails("cannot be read", "KPIs", fix="save it again"))
def sheet_xml_not_well_formed(path: Path) -> None:
    xml = sheet_xml(table()).replace(b"</sheetData>", b"<row r='9'><c r='A9'><v>1</v></sheetData>")
    raw_xlsx(path, [RawSheet("KPIs", xml)])


@case(fails("part xl/worksheets/sheet1.xml", "is missing", fix="save it again"))
def sheet_part_missing(path: Path) -> None:
    raw_book(path, table())
    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist() if not n.startswith("xl/worksheets/")}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@case(fails("cannot be read", "KPIs", fix="save it again"))
def shared_string_index_out_of_range(path: Path) -> None:
    rows = table((1, 1, Raw("<v>999</v>", ' t="s"')))
    raw_book(path, rows, shared_strings=DECL + f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1">'
             "<si><t>only one</t></si></sst>".encode())


@case(passes(SUMMARY))
def damaged_hidden_sheet(path: Path) -> None:
    """A hidden sheet is not read, so its damage stops nothing."""
    bad = sheet_xml(table((1, 1, Raw("<v>999</v>", ' t="s"'))))
    raw_xlsx(path, [RawSheet("KPIs", sheet_xml(table())), RawSheet("Old", bad, state="hidden")],
             shared_strings=DECL + f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>x</t></si></sst>'
             .encode())


@case(fails("cannot be read", "KPIs", fix="save it again"))
def control_character_raw_in_xml(path: Path) -> None:
    """XML 1.0 forbids a raw BEL character; no spreadsheet program writes one."""
    xml = sheet_xml(table()).replace(b"On track", b"On\x07track")
    raw_xlsx(path, [RawSheet("KPIs", xml)])


@case(fails("cannot be opened", fix="save it again"))
def deeply_nested_xml(path: Path) -> None:
    """A workbook part nested 100,000 elements deep."""
    nested = "<a>" * 100_000 + "</a>" * 100_000
    raw_xlsx(path, [RawSheet("KPIs", sheet_xml(table()))],
             workbook_extra=f"<extLst><ext uri='x'>{nested}</ext></extLst>")


# --- hostile ----------------------------------------------------------------------------------

_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                     for i in range(1, 10)) + "]>")


@case(fails("entities", "xl/worksheets/sheet1.xml", fix="saved from Excel"))
def billion_laughs_in_sheet(path: Path) -> None:
    rows = table((1, 8, Raw("<is><t>&lol9;</t></is>", ' t="inlineStr"')))
    raw_xlsx(path, [RawSheet("KPIs", sheet_xml(rows, prolog=_LAUGHS))])


@case(fails("entities", "xl/sharedStrings.xml", fix="saved from Excel"))
def billion_laughs_in_shared_strings(path: Path) -> None:
    strings = (DECL + _LAUGHS.encode() + f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1">'
               "<si><t>&lol9;</t></si></sst>".encode())
    raw_book(path, table((1, 8, Raw("<v>0</v>", ' t="s"'))), shared_strings=strings)


@case(fails("entities", "xl/sharedStrings.xml", fix="saved from Excel"))
def external_entity_reads_a_file(path: Path) -> None:
    strings = (DECL + b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
               + f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>'.encode())
    raw_book(path, table((1, 8, Raw("<v>0</v>", ' t="s"'))), shared_strings=strings)


@case(fails("entities", fix="saved from Excel"))
def billion_laughs_after_long_prolog(path: Path) -> None:
    """The DTD comes after 100 KB of comment, past any quick look at the start of the part."""
    prolog = "<!--" + " " * 100_000 + "-->" + _LAUGHS
    rows = table((1, 8, Raw("<is><t>&lol9;</t></is>", ' t="inlineStr"')))
    raw_xlsx(path, [RawSheet("KPIs", sheet_xml(rows, prolog=prolog))])


@case(fails("unpacks to", "MB", fix="new workbook"))
def zip_bomb_gigabytes(path: Path) -> None:
    """A sheet of 2 GB (of zero bytes) in a 2 MB file: its size alone must stop the reader."""
    parts = stored_parts(lambda p: raw_book(p, table()), path.parent)
    data, crc, size = deflate_repeated(bytes(2**20), 2048, crc=ZERO_CRC_2GIB)
    members = [deflated(n, d) for n, d in parts.items() if n != "xl/worksheets/sheet1.xml"]
    crafted_zip(path, [*members, ("xl/worksheets/sheet1.xml", data, crc, size, 0)])


@case(fails("inflates", "times", fix="new workbook"))
def zip_bomb_ratio(path: Path) -> None:
    """300 MB of spaces inside a sheet's XML, stored in 300 KB."""
    parts = stored_parts(lambda p: raw_book(p, table()), path.parent)
    data, crc, size = deflate_repeated(b" " * 2**20, 300, head=f'<worksheet xmlns="{MAIN_NS}">'
                                       "<sheetData>".encode(), tail=b"</sheetData></worksheet>")
    members = [deflated(n, d) for n, d in parts.items() if n != "xl/worksheets/sheet1.xml"]
    crafted_zip(path, [*members, ("xl/worksheets/sheet1.xml", data, crc, size, 0)])


@case(fails("part xl/worksheets/sheet1.xml is damaged", "CRC", fix="save it again"))
def zip_bomb_lying_sizes(path: Path) -> None:
    """The headers say the sheet is 2 KB; its data inflates to 1 GB."""
    parts = stored_parts(lambda p: raw_book(p, table()), path.parent)
    data, crc, _ = deflate_repeated(b" " * 2**20, 1024, head=f'<worksheet xmlns="{MAIN_NS}">'
                                    "<sheetData>".encode(), crc=0x12345678)
    members = [deflated(n, d) for n, d in parts.items() if n != "xl/worksheets/sheet1.xml"]
    crafted_zip(path, [*members, ("xl/worksheets/sheet1.xml", data, crc, 2048, 0)])


def _text(parts: dict[str, bytes]) -> str:
    """The XML parts' text, entities decoded (images and other binary parts left out)."""
    xml = [data for name, data in parts.items() if name.endswith((".xml", ".rels"))]
    return html.unescape(b"".join(xml).decode("utf-8"))


def _found(pattern: bytes, parts: Iterable[bytes]) -> list[str]:
    return [html.unescape(m.decode()) for xml in parts for m in re.findall(pattern, xml, re.S)]


def _no_live_payload(payloads: Sequence[str]) -> OutputCheck:
    """Each payload is text in the RAG workbook, and in no formula there or field in the paper."""

    def check(outputs: dict[str, dict[str, bytes]]) -> None:
        workbook, paper = outputs["-rag.xlsx"], outputs["-paper.docx"]
        sheets = [xml for name, xml in workbook.items() if name.startswith("xl/worksheets/")]
        formulas = _found(rb"<f[^>]*>(.*?)</f>", sheets)
        fields = _found(rb"<w:instrText[^>]*>(.*?)</w:instrText>", paper.values())
        fields += _found(rb'w:instr="([^"]*)"', paper.values())
        for payload in payloads:
            core = payload.lstrip("=+-@")
            assert not [f for f in formulas if core in f], f"{payload!r} became a formula"
            assert not [f for f in fields if core in f], f"{payload!r} became a Word field"
            assert payload in _text(workbook), f"{payload!r} is not in the RAG workbook as text"

    return check


def _in_paper(text: str) -> OutputCheck:
    def check(outputs: dict[str, dict[str, bytes]]) -> None:
        assert text in _text(outputs["-paper.docx"]), f"{text!r} is not in the paper as written"

    return check


JINJA = "{{ 7*7 }} {% for x in y %} {{ ''.__class__ }}"
INJECTIONS = ['=HYPERLINK("http://example.com/x","Click for details")', "+SUM(1,2)", "-2+3",
              "@SUM(A1:A2)", "=cmd|' /C calc'!A0"]


@case(passes(SUMMARY), output_checks=[_no_live_payload(INJECTIONS)])
def formula_injection_in_text(path: Path) -> None:
    rows = table((1, 8, INJECTIONS[0]), (2, 8, INJECTIONS[1]), (3, 8, INJECTIONS[2]))
    rows[1].append(INJECTIONS[3])
    rows[0].append("Notes")
    rows[2] += [INJECTIONS[4]]
    rows[0].append("Lead officer")
    raw_book(path, rows)  # text cells, as Excel keeps text typed after an apostrophe


@case(passes(SUMMARY), output_checks=[_no_live_payload([JINJA]), _in_paper(JINJA)])
def template_syntax_in_text(path: Path) -> None:
    """Commentary that looks like a template tag stays text: it is never rendered."""
    kpi_book(path, table((1, 8, JINJA)))


@case(passes(SUMMARY, "macros"), filename="macro-enabled.xlsm")
def macro_enabled_xlsm(path: Path) -> None:
    raw_book(path, table(), workbook_ct=MACRO_WORKBOOK_CT,
             extra={"xl/vbaProject.bin": OLE_SIGNATURE + bytes(504)},
             extra_rels='<Relationship Id="rIdV" Type="http://schemas.microsoft.com/office/2006/'
                        'relationships/vbaProject" Target="vbaProject.bin"/>',
             extra_types='<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>')



@case(passes(SUMMARY, "other workbooks"))
def external_links(path: Path) -> None:
    link = DECL + (f'<externalLink xmlns="{MAIN_NS}" xmlns:r="{DOC_REL}"><externalBook r:id="rId1">'
                   '<sheetNames><sheetName val="Data"/></sheetNames><sheetDataSet><sheetData sheetId="0">'
                   '<row r="1"><cell r="A1"><v>0.93</v></cell></row></sheetData></sheetDataSet>'
                   "</externalBook></externalLink>").encode()
    link_rels = DECL + (f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
                        f'Type="{DOC_REL}/externalLinkPath" Target="file:///\\\\finance\\share\\'
                        'secret.xlsx" TargetMode="External"/></Relationships>').encode()
    rows = table((1, 7, Raw("<f>[1]Data!A1</f><v>0.93</v>")))
    raw_book(path, rows, extra={"xl/externalLinks/externalLink1.xml": link,
                                "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels},
             workbook_extra='<externalReferences><externalReference r:id="rIdX"/></externalReferences>',
             extra_rels=f'<Relationship Id="rIdX" Type="{DOC_REL}/externalLink" '
                        'Target="externalLinks/externalLink1.xml"/>',
             extra_types='<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="'
                         'application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>')


@case(passes(SUMMARY))
def zip_member_with_path_traversal(path: Path) -> None:
    """A member named ../../evil.txt: the reader never unpacks files, so nothing is written."""
    raw_book(path, table(), extra={"../../kpi-excel-evil.txt": b"owned", "/tmp/kpi-excel-evil": b"x"})


# --- no usable table --------------------------------------------------------------------------


@case(fails("no sheet holds a KPI table", fix="header row"))
def no_kpi_table(path: Path) -> None:
    kpi_book(path, [["Team lunch rota"], ["Monday", "Sam"], ["Tuesday", "Priya"]], sheet="Rota")


@case(fails("no indicator rows", where="KPIs!B1", fix="one row per indicator"))
def header_without_rows(path: Path) -> None:
    kpi_book(path, table(rows=[]))


@case(fails("no sheet holds a KPI table", fix="header row"))
def header_below_row_sixty(path: Path) -> None:
    kpi_book(path, [["Notes"]] + [[]] * 64 + table())


@case(fails("no Target column", where="KPIs!B1", fix="Target"))
def no_target_column(path: Path) -> None:
    kpi_book(path, [[v for c, v in enumerate(r) if c not in (3, 4)] for r in table()])


@case(fails("no sheet holds a KPI table", fix="header row"))
def no_sheets_listed(path: Path) -> None:
    raw_xlsx(path, [])


@case(fails("hidden", "KPIs", fix="Unhide"))
def only_table_is_hidden(path: Path) -> None:
    openpyxl_book(path, {"Cover": [["KPI return, Q1"]], "KPIs": table()}, hidden=["KPIs"])


# --- bad cells --------------------------------------------------------------------------------


@case(passes("4 KPIs", "KPIs!A5: code KP01 is used by more than one indicator"))
def duplicate_codes(path: Path) -> None:
    rows = table()
    rows.append(["KP01", "Calls answered within 20 seconds (again)", "H", 0.9, 0.8, 0.95, 0.96, 0.97, ""])
    kpi_book(path, rows)


@case(fails("target 'ninety per cent'", "not a number", where="KPIs!D3", fix="Type a number"))
def target_as_word(path: Path) -> None:
    kpi_book(path, table((2, 3, "ninety per cent")))


@case(fails("floor 'about eighty'", "not a number", where="KPIs!E2", fix="Type a number"))
def floor_as_word(path: Path) -> None:
    kpi_book(path, table((1, 4, "about eighty")))


@case(passes("KP01", "wrong side of the target"))
def floor_on_wrong_side(path: Path) -> None:
    kpi_book(path, table((1, 4, 0.95)))


@case(fails("polarity 'sideways'", where="KPIs!C4", fix="H (higher is better)"))
def polarity_unknown(path: Path) -> None:
    kpi_book(path, table((3, 2, "sideways")))


@case(fails("have no saved results", where="KPIs!H2", fix="save it"))
def formulas_without_saved_results(path: Path) -> None:
    """openpyxl writes formulas and no results: no spreadsheet program ever calculated them."""
    kpi_book(path, table((1, 7, "=G2+0.01"), (2, 7, "=G3-0.01"), (3, 7, "=G4+13")))


@case(passes(SUMMARY))
def formulas_with_saved_results(path: Path) -> None:
    """As Excel saves them: each formula with its result, shared formulas too."""
    rows = table((1, 7, Raw("<f>G2+0.01</f><v>0.93</v>")),
                 (2, 7, Raw('<f t="shared" ref="H3:H4" si="0">G3-0.01</f><v>0.77</v>')),
                 (3, 7, Raw('<f t="shared" si="0"/><v>35</v>')))
    raw_book(path, rows)


@case(passes("KP01", "#REF!", "KP02", "#DIV/0!", "target is the error"))
def error_cells(path: Path) -> None:
    """Error values as Excel stores them (t="e"), in values and in a target."""
    rows = table((1, 7, Raw("<f>#REF!+1</f><v>#REF!</v>", ' t="e"')),
                 (2, 7, Raw("<f>G3/0</f><v>#DIV/0!</v>", ' t="e"')),
                 (3, 3, Raw("<v>#N/A</v>", ' t="e"')))
    raw_book(path, rows)


@case(passes("not a number", "TRUE", "1900"))
def booleans_and_dates_as_values(path: Path) -> None:
    kpi_book(path, table((1, 7, True), (2, 7, dt.datetime(1900, 3, 1))))


@case(passes("3 KPIs"))
def extreme_numbers(path: Path) -> None:
    rows = table((1, 3, Raw("<v>1E+308</v>")), (1, 7, Raw("<v>1.7976931348623157E+308</v>")),
                 (2, 7, Raw("<v>1E+400</v>")), (3, 7, Raw("<v>-0</v>")), (3, 6, Raw("<v>5E-324</v>")))
    raw_book(path, rows)


# --- layout -----------------------------------------------------------------------------------


@case(fails("a row of 400,000 cells", "xl/worksheets/sheet2.xml", fix="saved from Excel"))
def row_of_400_thousand_cells(path: Path) -> None:
    """A 30 KB file whose one row would take openpyxl 300 MB and several seconds to parse."""
    def stream(out: io.BufferedIOBase) -> None:
        out.write(DECL + f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1"/><sheetData><row r="1">'.encode())
        out.write(b'<c r="A1"><v>1</v></c>' * 400_000)
        out.write(b"</row></sheetData></worksheet>")
    raw_xlsx(path, [RawSheet("KPIs", sheet_xml(table())), RawSheet("Data", stream)])


@case(passes(SUMMARY))
def unsized_sheet_of_300_thousand_cells(path: Path) -> None:
    """No <dimension>: the sheet is still read row by row, and passed over after 60 rows."""
    def stream(out: io.BufferedIOBase) -> None:
        out.write(DECL + f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
        for base in range(1, 30_001, 10_000):
            out.write("".join(row_xml(r, list(range(10))) for r in range(base, base + 10_000)).encode())
        out.write(b"</sheetData></worksheet>")
    raw_xlsx(path, [RawSheet("KPIs", sheet_xml(table())), RawSheet("Data", stream)], compresslevel=1)


@case(fails("more than 8 MB", fix="new workbook"))
def kpi_sheet_too_large_to_read(path: Path) -> None:
    """A header, then 9 MB of rows: the reader stops at its budget, not at the end."""
    def stream(out: io.BufferedIOBase) -> None:
        out.write(DECL + f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:CV3000"/><sheetData>'.encode())
        out.write(row_xml(1, HEADER).encode())
        for r in range(2, 3_001):
            out.write(row_xml(r, [f"K{r}", f"Indicator {r}", "H", 0.9, 0.8, *range(r, r + 95)]).encode())
        out.write(b"</sheetData></worksheet>")
    raw_xlsx(path, [RawSheet("KPIs", stream)], compresslevel=1)


def _two_row_header() -> list[list[object]]:
    top = ["Code", "Indicator", "Polarity", "Target", "Floor", "Monthly performance 2019/20", None, None,
           "Commentary"]
    bottom = [None, None, None, None, None, "Apr-19", "May-19", "Jun-19", None]
    return [["Corporate KPIs 2019/20"], top, bottom] + [list(r) for r in ROWS]


@case(passes(SUMMARY, "report period Jun-19"))
def merged_header_cells(path: Path) -> None:
    """A two-row header: the fixed columns merged down, the months under a merged banner."""
    merges = ["A1:I1", "F2:H2"] + [f"{c}2:{c}3" for c in "ABCDEI"]
    openpyxl_book(path, {"KPIs": _two_row_header()}, merged=merges)


@case(passes(SUMMARY, "hidden"))
def hidden_sheet_with_old_table(path: Path) -> None:
    old = table((1, 7, 0.1), (2, 7, 0.1), (3, 7, 99))
    openpyxl_book(path, {"KPIs": table(), "Old KPIs 2018": old}, hidden=["Old KPIs 2018"])


@case(passes(SUMMARY, "KPIs!A3", "hidden"))
def hidden_rows(path: Path) -> None:
    openpyxl_book(path, {"KPIs": table()}, hidden_rows=[3])


@case(passes(SUMMARY))
def stale_dimension(path: Path) -> None:
    """The sheet says it is A1:A1 but holds a whole table."""
    raw_xlsx(path, [RawSheet("KPIs", sheet_xml(table(), dimension="A1:A1"))])


def _million_rows(stream: io.BufferedIOBase, first: Sequence[Sequence[object]] = ()) -> None:
    head = f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:D1000000"/><sheetData>'
    stream.write(DECL + head.encode() + "".join(row_xml(r, row) for r, row in
                                                 enumerate(first, start=1)).encode())
    start = len(first) + 1
    chunk = 50_000
    for base in range(start, 1_000_001, chunk):
        stream.write("".join(
            f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r * 7 % 1000}</v></c></row>'
            for r in range(base, min(base + chunk, 1_000_001))).encode())
    stream.write(b"</sheetData></worksheet>")


@case(passes(SUMMARY))
def million_row_data_sheet(path: Path) -> None:
    """A data dump of a million rows beside the KPI sheet: it holds no table and is passed over."""
    raw_xlsx(path, [RawSheet("KPIs", sheet_xml(table())), RawSheet("Raw data", _million_rows)],
             compresslevel=1)


@case(fails("more than", "rows", fix="sheet of its own"))
def million_rows_under_the_header(path: Path) -> None:
    raw_xlsx(path, [RawSheet("KPIs", lambda s: _million_rows(s, [["Code", "Indicator", "Target",
                                                                    "Apr-19"]]))],
             compresslevel=1)


@case(passes(SUMMARY, "column ALL"))
def sixteen_thousand_columns(path: Path) -> None:
    """Every row runs out to column 16,000 (WNP)."""
    def stream(out: io.BufferedIOBase) -> None:
        out.write(DECL + f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:WNP4"/><sheetData>'.encode())
        for r, row in enumerate(table(), start=1):
            filler = "".join(f'<c r="{get_column_letter(c)}{r}"><v>{c}</v></c>' for c in range(12, 16_001))
            out.write(row_xml(r, row).replace("</row>", filler + "</row>").encode())
        out.write(b"</sheetData></worksheet>")
    raw_xlsx(path, [RawSheet("KPIs", stream)])


@case(passes(SUMMARY, "characters"))
def very_long_text(path: Path) -> None:
    long_name = "Calls answered " + "very " * 2_000 + "quickly"
    raw_book(path, table((1, 1, long_name), (2, 8, "Staff shortages. " * 6_000)))


EMOJI_RTL = "Staff 😀👍🏽 تم الرد على المكالمات ‮reversed‬ עברית"


def _text_survives(outputs: dict[str, dict[str, bytes]]) -> None:
    for suffix in ("-rag.xlsx", "-paper.docx"):
        text = _text(outputs[suffix])
        assert "😀👍🏽" in text and "تم الرد على المكالمات" in text and "עברית" in text, suffix
        assert "\x07" not in text and "\x1b" not in text, suffix


@case(passes(SUMMARY, "Calls answered within 20 seconds"), output_checks=[_text_survives])
def control_characters_emoji_rtl(path: Path) -> None:
    """Control characters as Excel escapes them (_x0007_), emoji, Arabic, Hebrew and a bidi override."""
    rows = table((1, 1, "Calls_x0007_ answered_x001B_ within 20 seconds\t"), (2, 8, EMOJI_RTL),
                 (3, 1, "Days taken to pay invoices\u200b\u200d\ufeff"))
    raw_book(path, rows)


@case(fails("target 'high'", where="'Bob''s KPIs [2019]'!D3", fix="Type a number"))
def sheet_name_with_quote_and_brackets(path: Path) -> None:
    """Excel forbids brackets in sheet names, but a file can hold them anyway."""
    raw_book(path, table((2, 3, "high")), sheet="Bob's KPIs [2019]")


@case(passes(SUMMARY, "latest data is for May-19"))
def sheet_name_excel_forbids(path: Path) -> None:
    """Brackets, a slash, a colon and a question mark: no spreadsheet program allows them."""
    raw_book(path, table((2, 7, "n/a")), sheet="[Draft] KPIs: 2019/20?")


@case(passes(SUMMARY))
def sheet_name_with_quotes_only(path: Path) -> None:
    kpi_book(path, table(), sheet="'Q1' KPIs \"final\"")


ODD_DATES = ["April '19", "May 2019", "2019-06", "01/07/2019", "Aug.19", "SEPT-19", "Oct 19", "11/2019",
             "December 2019"]


@case(passes("report period Dec-19", "3 KPIs"))
def dates_as_text_in_odd_forms(path: Path) -> None:
    header = ["Code", "Indicator", "Polarity", "Target", "Floor", *ODD_DATES]
    rows = [r[:5] + [r[5] + i / 1000 for i in range(len(ODD_DATES))] for r in ROWS]
    kpi_book(path, table(header=header, rows=rows))


@case(passes("report period Mar-20", "3 KPIs: 2 Green, 1 Amber"))
def future_periods(path: Path) -> None:
    months = [dt.datetime(2019 + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    future = [dt.datetime(2020 + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    header = ["Code", "Indicator", "Polarity", "Target", "Floor", *months, *future]
    rows = [r[:5] + [r[5]] * 12 + (["Not due", "TBC"] + [None] * 10) for r in ROWS]
    kpi_book(path, table(header=header, rows=rows))


@case(passes("percentages on mixed scales"))
def percentages_on_mixed_scales(path: Path) -> None:
    kpi_book(path, table((1, 3, Pct(0.9)), (1, 4, Pct(0.8)), (1, 5, 91), (1, 6, 92), (1, 7, Pct(0.93))))


@case(passes("not rated"))
def all_values_missing(path: Path) -> None:
    rows = [r[:5] + ["n/a", "TBC", "-"] + r[8:] for r in ROWS]
    kpi_book(path, table(rows=rows))


@case(fails("period 'sometime'", "not a date", where="Data!B3", fix="Apr-19"))
def long_form_with_bad_period(path: Path) -> None:
    rows = [["Code", "Period", "Indicator", "Target", "Value"],
            ["KP01", "Apr-19", "Calls answered", 0.9, 0.91],
            ["KP01", "sometime", "Calls answered", 0.9, 0.92]]
    kpi_book(path, rows, sheet="Data")


# ==============================================================================================
# Hostile and odd inputs, round 2: text that must stay text, Excel's escapes, limits, file names
# ==============================================================================================

_LIVE_PATTERNS = {  # where a text would be live: a formula, a reference, a field or a link
    "cell formula": rb"<f(?:\s[^>]*)?>(.*?)</f>",
    "chart reference": rb"<c:f>(.*?)</c:f>",
    "defined name": rb"<definedName[^>]*>(.*?)</definedName>",
    "conditional format or validation": rb"<(?:x14:|xm:)?formula\d?>(.*?)</(?:x14:|xm:)?formula\d?>",
    "table formula": rb"<calculatedColumnFormula[^>]*>(.*?)</calculatedColumnFormula>",
    "hyperlink": rb'<hyperlink [^>]*(?:location|display)="([^"]*)"',
    "link target": rb'Target="([^"]*)"',
    "Word field": rb"<w:instrText[^>]*>(.*?)</w:instrText>",
    "Word simple field": rb'w:instr="([^"]*)"',
}


def _all_text(parts: dict[str, bytes]) -> str:
    """The XML parts' text as Excel shows it: entities decoded, and Excel's _xHHHH_ escapes in
    the cell text parts (shared strings, sheets) decoded."""
    from kpi_excel.core.values import decode_excel_escapes

    cells = {n: d for n, d in parts.items() if n == "xl/sharedStrings.xml" or n.startswith("xl/worksheets/")}
    rest = {n: d for n, d in parts.items() if n not in cells}
    return decode_excel_escapes(_text(cells)) + _text(rest)


def _with_embedded(parts: dict[str, bytes]) -> dict[str, bytes]:
    """A package's parts and the parts of the workbooks embedded in it (a Word chart's data)."""
    inner = {}
    for name, data in parts.items():
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                inner.update({f"{name}/{n}": archive.read(n) for n in archive.namelist()})
    return {**parts, **inner}


def _payloads_stay_text(payloads: Sequence[str], paper_too: bool = True) -> OutputCheck:
    """Every XML part of both outputs is scanned: no payload is inside a formula, a chart
    reference, a defined name, a conditional format, a table formula, a link or a Word field;
    each is in the RAG workbook (and the paper) exactly as typed."""

    def check(outputs: dict[str, dict[str, bytes]]) -> None:
        for suffix, parts in outputs.items():
            xml = [data for name, data in _with_embedded(parts).items() if name.endswith((".xml", ".rels"))]
            for what, pattern in _LIVE_PATTERNS.items():
                live = _found(pattern, xml)
                for payload in payloads:
                    core = payload.lstrip("=+-@")
                    assert not [t for t in live if core in t], f"{payload!r} is a {what} in {suffix}"
        for payload in payloads:
            assert payload in _all_text(outputs["-rag.xlsx"]), f"{payload!r} is not text in the workbook"
            if paper_too:
                assert payload in _text(outputs["-paper.docx"]), f"{payload!r} is not in the paper as typed"

    return check


def _chart_titles_are(*titles: str) -> OutputCheck:
    """The workbook's charts are titled with these texts, as literal text (no reference)."""

    def check(outputs: dict[str, dict[str, bytes]]) -> None:
        charts = [data for name, data in outputs["-rag.xlsx"].items() if name.startswith("xl/charts/chart")]
        shown = {"".join(_found(rb"<a:t>(.*?)</a:t>", [m.encode()]))
                 for m in _found(rb"<c:title>(.*?)</c:title>", charts)}
        for title in titles:
            assert title in shown, f"no chart titled {title!r}: {sorted(shown)}"

    return check


REFERENCE_LIKE = ["+cmd|' /C calc'!A0", "Sickness absence (see Data!B7)", "=Data!$B$7 staff",
                  "KPIs!A1:B2 & Data!C3"]
TAG_LIKE = "{_{ 7*7 }_} {_% if true %_}yes{_% endif %_} {{ 7*7 }} {% raw %}"


@case(passes(SUMMARY, "Sickness absence (see Data!B7)"),
      output_checks=[_payloads_stay_text(REFERENCE_LIKE), _payloads_stay_text([TAG_LIKE]),
                     _chart_titles_are("KP01 +cmd|' /C calc'!A0", "KP02 Sickness absence (see Data!B7)",
                                       "KP03 =Data!$B$7 staff")])
def text_that_looks_like_a_reference(path: Path) -> None:
    """XlsxWriter takes a chart title that looks like Sheet!A1 for a reference; docxtpl turns
    {_{ into {{ after rendering. Names, a section, a unit, an owner and commentary."""
    header = [*HEADER[:2], "Section", "Owner", *HEADER[2:]]
    rows = [[*r[:2], REFERENCE_LIKE[3], REFERENCE_LIKE[0], *r[2:]] for r in ROWS]
    rows[0][1], rows[1][1], rows[2][1] = REFERENCE_LIKE[0], REFERENCE_LIKE[1], REFERENCE_LIKE[2]
    rows[0][-1] = TAG_LIKE
    raw_book(path, table(header=header, rows=rows))  # text cells, as typed after an apostrophe


def _has_rated_copy(outputs: dict[str, dict[str, bytes]]) -> None:
    assert "-rated.xlsx" in outputs, "no rated copy of the department's workbook was written"


@case(passes(SUMMARY, "Sickness absence (see Data!B7)"),
      output_checks=[_has_rated_copy, _payloads_stay_text(REFERENCE_LIKE[:2] + REFERENCE_LIKE[3:]),
                     _payloads_stay_text([TAG_LIKE])])
def text_that_looks_like_a_reference_in_the_rated_copy(path: Path) -> None:
    """The same text in a workbook as a spreadsheet program saves it, so a rated copy of it is
    written and scanned too (text starting with = would be a formula there: left out)."""
    header = [*HEADER[:2], "Section", "Owner", *HEADER[2:]]
    rows = [[*r[:2], REFERENCE_LIKE[3], REFERENCE_LIKE[0], *r[2:]] for r in ROWS]
    rows[0][1], rows[1][1] = REFERENCE_LIKE[0], REFERENCE_LIKE[1]
    rows[0][-1] = TAG_LIKE
    kpi_book(path, table(header=header, rows=rows))


def _shared(strings: Sequence[str]) -> bytes:
    """A shared strings part as Excel writes it, each string given as stored (escapes and all)."""
    items = "".join(f"<si>{s}</si>" if s.startswith("<r>") else f'<si><t xml:space="preserve">{s}</t></si>'
                    for s in strings)
    return DECL + (f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
                   f"{items}</sst>").encode()


def _s(index: int) -> Raw:
    return Raw(f"<v>{index}</v>", ' t="s"')


ESCAPED = [  # as stored, then as Excel shows it
    ("Typed _x005F_x0041_ stays typed", "Typed _x0041_ stays typed"),
    ("Smile _xD83D__xDE00_ pair", "Smile 😀 pair"),
    ("Lone _xD800_surrogate dropped", "Lone surrogate dropped"),
    ("Line one_x000D__x000A_line two", "Line one\nline two"),
    ("<r><t>Rich </t></r><r><rPr><b/></rPr><t>_x005F_x0042_ runs</t></r>", "Rich _x0042_ runs"),
    ("Adult_x000D_ Services _x005F_x0043_", "Adult\n Services _x0043_"),
]


def _escapes_decoded(outputs: dict[str, dict[str, bytes]]) -> None:
    paper, workbook = _text(outputs["-paper.docx"]), _all_text(outputs["-rag.xlsx"])
    for shown in ("Typed _x0041_ stays typed", "Smile 😀 pair", "Lone surrogate dropped",
                  "Rich _x0042_ runs"):
        assert shown in paper and shown in workbook, shown
    assert "Services _x0043_ Performance" in paper, "the Paper details sheet is decoded like the table"
    assert "_x000D_" not in paper and "_x000D_" not in workbook
    assert "Typed A stays" not in paper + workbook and "Rich B runs" not in paper + workbook


@case(passes(SUMMARY, "Typed _x0041_ stays typed", "Smile 😀 pair", "Lone surrogate dropped"),
      output_checks=[_escapes_decoded])
def excel_escapes_as_excel_saves_them(path: Path) -> None:
    """Shared strings as Excel stores them: a typed _x0041_ (saved _x005F_x0041_), an emoji as an
    escaped surrogate pair, a lone surrogate, CR LF escapes, rich-text runs, and a Paper details
    sheet with escapes too."""
    rows = table((1, 1, _s(0)), (2, 1, _s(1)), (3, 1, _s(2)), (1, 8, _s(3)), (2, 8, _s(4)))
    details = [["Detail", "Value"], ["Service", _s(5)]]
    raw_xlsx(path, [RawSheet("KPIs", sheet_xml(rows)), RawSheet("Paper details", sheet_xml(details))],
             shared_strings=_shared([stored for stored, _ in ESCAPED]))


EMOJI_COMMENT = "😀" * 20_000  # 20,000 characters, but 40,000 as Excel counts (UTF-16 units)


def _cut_to_excel_limit(outputs: dict[str, dict[str, bytes]]) -> None:
    strings = _found(rb"<t[^>]*>(.*?)</t>", [outputs["-rag.xlsx"]["xl/sharedStrings.xml"]])
    emoji = [s for s in strings if s.startswith("😀😀")]
    assert emoji and all(len(s.encode("utf-16-le")) // 2 <= 32_767 for s in emoji)
    assert all(set(s) == {"😀"} for s in emoji), "an emoji was cut in half"
    assert EMOJI_COMMENT in _text(outputs["-paper.docx"]), "the paper keeps the whole text"


@case(passes(SUMMARY, "KPIs!I2", "40,000 characters"), output_checks=[_cut_to_excel_limit])
def emoji_commentary_over_the_cell_limit(path: Path) -> None:
    raw_book(path, table((1, 8, EMOJI_COMMENT)))


LONG_NOTE = "R&D &P &N: " + "These figures are provisional until the year-end audit. " * 6


def _every_sheet_has_its_footer(outputs: dict[str, dict[str, bytes]]) -> None:
    parts = outputs["-rag.xlsx"]
    sheets = {n: x for n, x in parts.items() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)}
    for name, xml in sheets.items():
        footers = _found(rb"<oddFooter>(.*?)</oddFooter>", [xml])
        assert len(footers) == 1, f"{name} has no footer"
        footer = footers[0]
        assert len(footer.encode("utf-16-le")) // 2 <= 255, f"{name}: footer over Excel's limit"
        title = footer.split("&C")[0].removeprefix("&L")
        assert re.sub("&&", "", title).count("&") == 0, f"{name}: the title holds a live & code"
        assert title.replace("&&", "&") in LONG_NOTE, f"{name}: {title!r} is not the note's start"


@case(passes(SUMMARY), output_checks=[_every_sheet_has_its_footer])
def long_note_above_the_table(path: Path) -> None:
    """A 350-character note above the table becomes the title: each sheet's footer shows its
    start (Excel keeps 255 characters of a footer), and its & stays an ampersand."""
    raw_book(path, [[LONG_NOTE], [], *table()])


@case(passes(SUMMARY), filename="k" * 227 + ".xlsx")
def file_name_of_232_characters(path: Path) -> None:
    """Legal on every system; the paper's comments property quotes it (Word keeps 255)."""
    kpi_book(path, table())


@case(passes(SUMMARY, "café KPIs.xlsx"), filename="caf\udce9 KPIs.xlsx")
def file_name_with_a_latin1_byte(path: Path) -> None:
    """The byte E9 (é in Windows-1252), as unzipped from a Windows archive: not UTF-8."""
    kpi_book(path, table())


@case(passes(SUMMARY, "tab and escape[31m KPIs.xlsx"), filename="tab\t and\x01 escape\x1b[31m KPIs.xlsx")
def file_name_with_control_characters(path: Path) -> None:
    kpi_book(path, table())


@case(passes(SUMMARY, "[/] closing [bold]tag", "[red]KPIs[bold].xlsx"), filename="[red]KPIs[bold].xlsx")
def text_that_looks_like_console_markup(path: Path) -> None:
    """Square brackets in a name or a file name are printed as they are, never read as styles."""
    raw_book(path, table((1, 1, "[/] closing [bold]tag")))


# ==============================================================================================
# Round 2 (issue 13): hangs whatever a file claims, messages that name the format, Excel fidelity
# ==============================================================================================

_FILLER_ROW = b"<row>" + b"<c><v>1</v></c>" * 10 + b"</row>"  # no r attributes: the same bytes each time


def _crafted_sheets(path: Path, ends: Sequence[tuple[bytes, bytes]]) -> None:
    """The KPI table, then one data sheet per (head, tail), 650,000 cells in 9.8 MB (under the
    ratio check's 10 MB) deflated cheaply to a few KB: parsed whole, each takes openpyxl 20 s."""
    names = [RawSheet("KPIs", sheet_xml(table()))]
    names += [RawSheet(f"Data {i}", b"") for i in range(1, len(ends) + 1)]
    parts = stored_parts(lambda p: raw_xlsx(p, names), path.parent)
    members = [deflated(n, d) for n, d in parts.items()
               if not n.startswith("xl/worksheets/sheet") or n == "xl/worksheets/sheet1.xml"]
    for i, (head, tail) in enumerate(ends, start=2):
        data, crc, size = deflate_repeated(_FILLER_ROW * 64, 950, head=DECL + head, tail=tail)
        members.append((f"xl/worksheets/sheet{i}.xml", data, crc, size, 0))
    crafted_zip(path, members)


_WS = f'<worksheet xmlns="{MAIN_NS}">'
_DIMENSION_CLAIMS = [
    # what each sheet says of its size before its rows; openpyxl sees no <dimension> in any
    _WS + '<!-- <dimension ref="A1"/> --><sheetData>',
    _WS + '<?kpi <dimension ref="A1"/> ?><sheetData>',
    _WS + '<sheetPr><![CDATA[<dimension ref="A1"/>]]></sheetPr><sheetData>',
    _WS + '<o:dimension xmlns:o="urn:not-spreadsheetml" ref="A1"/><sheetData>',
    _WS + '<dimensionX ref="A1"/><sheetData>',
    _WS + '<dimension xmlns="urn:not-spreadsheetml" ref="A1"/><sheetData>',
]
_TAIL = b"</sheetData></worksheet>"


@case(passes(SUMMARY))
def dimension_claims_that_are_not(path: Path) -> None:
    """Seven data sheets, each hiding or faking its <dimension> (in a comment, a processing
    instruction, CDATA, another namespace by prefix or by default, a longer name, after the
    rows): each would be parsed whole to size it, over two minutes in all, before any budget."""
    ends = [(head.encode(), _TAIL) for head in _DIMENSION_CLAIMS]
    ends.append((_WS.encode() + b"<sheetData>", b'</sheetData><dimension ref="A1"/></worksheet>'))
    _crafted_sheets(path, ends)


@case(fails("XML elements", fix="new workbook"))
def shared_strings_among_the_worksheets(path: Path) -> None:
    """1.2 million elements of shared strings, kept in xl/worksheets/ and claiming a size: parsed
    whole all the same, so counted all the same."""
    strings = (DECL + f'<sst xmlns="{MAIN_NS}"><!-- <dimension ref="A1"/> -->'.encode()
               + b"".join(b"<si><t>%d</t></si>" % i for i in range(600_000)) + b"</sst>")
    raw_book(path, table((1, 8, Raw("<v>0</v>", ' t="s"'))), extra={"xl/worksheets/strings.xml": strings},
             extra_rels=f'<Relationship Id="rIdT" Type="{DOC_REL}/sharedStrings" '
                        'Target="worksheets/strings.xml"/>',
             extra_types='<Override PartName="/xl/worksheets/strings.xml" ContentType="application/vnd.'
                         'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')


@case(fails("a row of 400,000 cells", fix="saved from Excel"))
def wide_row_under_another_prefix(path: Path) -> None:
    """The row's cells carry a prefix the worksheet element does not use."""
    def stream(out: io.BufferedIOBase) -> None:
        out.write(DECL + f'<worksheet xmlns="{MAIN_NS}"><sheetData><y:row xmlns:y = \'{MAIN_NS}\'>'.encode())
        out.write(b"<y:c><y:v>1</y:v></y:c>" * 400_000)
        out.write(b"</y:row></sheetData></worksheet>")
    raw_xlsx(path, [RawSheet("KPIs", sheet_xml(table())), RawSheet("Data", stream)])


_DECOYS = ('<!-- <c r="H2"><f>G2+1</f></c> <row r="3" hidden="1"> ' + "<c <row <v " * 100_000 + " -->"
           '<?decoy <c r="H2"><f>G2+1</f></c> <row r="4" hidden="1"> ?>')


@case(passes(SUMMARY))
def cells_and_rows_in_comments(path: Path) -> None:
    """Row 2 holds a comment and a processing instruction full of what look like cells, formulas
    and hidden rows, and a comment after the rows holds 2 MB of "<mergeCell": they are none of
    these, and scanning them must not take time that grows with the square of their length
    (800 KB of them took minutes)."""
    xml = sheet_xml(table()).replace(b'<row r="2">', b'<row r="2">' + _DECOYS.encode())
    xml = xml.replace(b'<row r="3">', b'<row r="3"><![CDATA[<c r="A3"><f>1</f></c>]]>')
    xml = xml.replace(b"</sheetData>", b"</sheetData><!-- " + b"<mergeCell " * 200_000 + b"-->")
    raw_xlsx(path, [RawSheet("KPIs", xml)])


@case(fails("a row of 400,000 cells", fix="saved from Excel"))
def many_prefixes_for_one_namespace(path: Path) -> None:
    """5,000 prefixes bound to SpreadsheetML on one element: counting each one's tags in every
    piece of the part would take minutes."""
    declared = " ".join(f'xmlns:p{i}="{MAIN_NS}"' for i in range(5_000))

    def stream(out: io.BufferedIOBase) -> None:
        out.write(DECL + f'<worksheet xmlns="{MAIN_NS}" {declared}><sheetData><p4999:row>'.encode())
        out.write(b"<p4999:c/>" * 400_000)
        out.write(b"</p4999:row></sheetData></worksheet>")
    raw_xlsx(path, [RawSheet("KPIs", sheet_xml(table())), RawSheet("Data", stream)])


# --- messages that name what the file is -------------------------------------------------------

STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"


def strict_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> None:
    """A workbook as Excel saves "Strict Open XML Spreadsheet": Strict namespaces and relationship
    types, conformance="strict", and dates as ISO 8601 text (t="d")."""
    iso = [Raw(f"<v>{v.isoformat()}</v>", ' t="d"') if isinstance(v, dt.datetime) else v for v in rows[0]]
    raw_book(path, [iso, *rows[1:]])
    strict_copy(path, path)


def strict_copy(source: Path, target: Path) -> None:
    """A workbook's copy with its SpreadsheetML and relationship namespaces as Strict names them."""
    with zipfile.ZipFile(source) as workbook:
        parts = {n: workbook.read(n) for n in workbook.namelist()}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            data = data.replace(MAIN_NS.encode(), STRICT_MAIN.encode()).replace(DOC_REL.encode(),
                                                                                 STRICT_REL.encode())
            if name == "xl/workbook.xml":
                data = data.replace(b"<workbook ", b'<workbook conformance="strict" ')
            archive.writestr(name, data)


STRICT_HEADER = [*HEADER[:5], dt.datetime(2019, 4, 1), dt.datetime(2019, 5, 1), dt.datetime(2019, 6, 1),
                 HEADER[8]]


@case(passes(SUMMARY, "report period Jun-19"))
def strict_open_xml(path: Path) -> None:
    strict_xlsx(path, table(header=STRICT_HEADER))


def _open_document(path: Path, mimetype: str) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", '<office:document-content xmlns:office="urn:oasis:names:tc:'
                                        'opendocument:xmlns:office:1.0"/>')
        archive.writestr("META-INF/manifest.xml", "<manifest/>")


@case(fails("OpenDocument spreadsheet", fix="save it as an Excel workbook"))
def ods_renamed_xlsx(path: Path) -> None:
    _open_document(path, "application/vnd.oasis.opendocument.spreadsheet")


@case(fails("OpenDocument spreadsheet", fix="save it as an Excel workbook"), filename="kpi-return.ods")
def ods_as_it_is(path: Path) -> None:
    _open_document(path, "application/vnd.oasis.opendocument.spreadsheet")


@case(fails("web page", "HTML", fix="Excel Workbook"), filename="web-export.xls")
def html_table_saved_as_xls(path: Path) -> None:
    """What a web application's "Export to Excel" sends: an HTML table, UTF-8 with a byte-order mark."""
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in table())
    path.write_bytes(b"\xef\xbb\xbf" + f'<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>'
                     f'<meta charset="utf-8"></head><body><table>{rows}</table></body></html>'.encode())


@case(fails("Excel 2003 XML Spreadsheet", fix="Excel Workbook"), filename="xml-2003.xls")
def excel_2003_xml_spreadsheet(path: Path) -> None:
    path.write_text('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook '
                    'xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="KPIs"/>'
                    "</Workbook>\n")


@case(fails("web archive (MHTML)", fix="Excel Workbook"), filename="single-file-web-page.xls")
def mhtml_saved_as_xls(path: Path) -> None:
    path.write_text('MIME-Version: 1.0\nX-Document-Type: Workbook\nContent-Type: multipart/related; '
                    'boundary="----=_NextPart"\n\n------=_NextPart\nContent-Type: text/html\n\n<html/>\n')


@case(fails("flat OpenDocument", fix="Excel Workbook"), filename="flat.fods")
def flat_open_document(path: Path) -> None:
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<office:document xmlns:office="urn:oasis:'
                    'names:tc:opendocument:xmlns:office:1.0" office:mimetype="application/vnd.oasis.'
                    'opendocument.spreadsheet"/>\n')


@case(fails("CSV or text", fix="Excel Workbook"), filename="unicode-text.xlsx")
def unicode_text_export(path: Path) -> None:
    """Excel's "Unicode Text" (tab-separated, UTF-16 with a byte-order mark), renamed .xlsx."""
    path.write_bytes("\n".join("\t".join(str(v) for v in row) for row in table()).encode("utf-16"))


@case(passes(SUMMARY, "DDE"))
def dde_link_without_relationships(path: Path) -> None:
    """A live link to another program: an external-link part with no relationships part."""
    link = DECL + (f'<externalLink xmlns="{MAIN_NS}"><ddeLink ddeService="Excel" ddeTopic="C:\\x.xls">'
                   '<ddeItems><ddeItem name="R1C1" advise="1"><values rows="1" cols="1"><value><val>0.93'
                   "</val></value></values></ddeItem></ddeItems></ddeLink></externalLink>").encode()
    rows = table((1, 7, Raw("<f>[1]!'R1C1'</f><v>0.93</v>")))
    raw_book(path, rows, extra={"xl/externalLinks/externalLink1.xml": link},
             workbook_extra='<externalReferences><externalReference r:id="rIdX"/></externalReferences>',
             extra_rels=f'<Relationship Id="rIdX" Type="{DOC_REL}/externalLink" '
                        'Target="externalLinks/externalLink1.xml"/>',
             extra_types='<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="'
                         'application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>')


# --- Excel fidelity -----------------------------------------------------------------------------


def _table_headers_match_their_cells(outputs: dict[str, dict[str, bytes]]) -> None:
    """Every table's column names are its header cells' text exactly, as XML parsers read both."""
    import xml.etree.ElementTree as ET

    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    parts = outputs["-rag.xlsx"]
    ns = {"m": MAIN_NS}
    strings = ["".join(t.text or "" for t in si.iter(f"{{{MAIN_NS}}}t"))
               for si in ET.fromstring(parts["xl/sharedStrings.xml"]).findall("m:si", ns)]
    rels = {}
    for name, data in parts.items():
        if re.fullmatch(r"xl/worksheets/_rels/sheet\d+\.xml\.rels", name):
            for rel in ET.fromstring(data):
                if rel.get("Target", "").startswith("../tables/"):
                    rels["xl/tables/" + rel.get("Target", "")[10:]] = "xl/worksheets/" + name[20:-5]
    checked = 0
    for table_part, sheet_part in rels.items():
        definition = ET.fromstring(parts[table_part])
        first, _ = definition.get("ref", "").split(":")
        col, row = coordinate_from_string(first)
        cells = {}
        for c in ET.fromstring(parts[sheet_part]).iter(f"{{{MAIN_NS}}}c"):
            letters, number = coordinate_from_string(c.get("r", ""))
            v = c.find("m:v", ns)
            if number == row and v is not None and c.get("t") == "s":
                cells[column_index_from_string(letters)] = strings[int(v.text or 0)]
        for i, column in enumerate(definition.iter(f"{{{MAIN_NS}}}tableColumn")):
            cell = cells.get(column_index_from_string(col) + i)
            assert cell == column.get("name"), (table_part, cell, column.get("name"))
            assert not re.search(r"[\t\r\n]", cell or ""), cell
            checked += 1
    assert checked > 20, "the tables' headers were found"


TABBED_HEADER = ["Code\t", "Indicator\r\nname", "Polarity", "Target", "Floor", "Apr-19", "May-19", "Jun-19",
                 "Commentary", "Lead\tofficer", "Lead officer", "Notes\rto\ncommittee"]


@case(passes(SUMMARY), output_checks=[_table_headers_match_their_cells])
def headers_with_tabs_and_line_breaks(path: Path) -> None:
    """Headers typed with Alt+Enter, pasted with Tabs, and two that differ only by a Tab."""
    rows = [row + ["Ms A", "Mr B", "Noted"] for row in table()[1:]]
    raw_book(path, [TABBED_HEADER, *rows])


# --- hostile and broken Word templates for the paper ---------------------------------------------


@dataclass(frozen=True)
class TemplateCase:
    """A paper template whose one tag must be refused, with the message that names it."""

    name: str
    tag: str
    expect: Expect

    def write(self, folder: Path) -> Path:
        import docx  # only the template cases need python-docx

        document = docx.Document()
        document.add_paragraph("Performance report")
        document.add_paragraph(self.tag)
        path = folder / f"template-{self.name.replace('_', '-')}.docx"
        document.save(str(path))
        return path


def _tag_refused(name: str, tag: str, *words: str, fix: str) -> TemplateCase:
    return TemplateCase(name, tag, fails(*words, where=f'in the paragraph "{tag.strip()}"', fix=fix))


PWNED = "kpi-excel-template-ran-a-command"
TEMPLATE_CASES = [
    _tag_refused("python_internals", "{{ ''.__class__.__mro__[1].__subclasses__() }}",
                 "may not use", "__class__", fix="names listed"),
    _tag_refused("shell_through_globals", f"{{{{ cycler.__init__.__globals__.os.popen('touch {PWNED}') }}}}",
                 "may not use", fix="names listed"),
    _tag_refused("include_a_file", "{% include '/etc/passwd' %}", "another file", fix="Remove the"),
    _tag_refused("open_a_file", "{{ open('/etc/passwd').read() }}", "'open'", fix="remove the tag"),
    _tag_refused("broken_tag", "Committee: {{ committee ", "cannot be read", fix="Check the tag"),
    _tag_refused("unclosed_loop", "{% for kpi in kpis %}{{ kpi.name }}", "never closed", fix="endfor"),
    # the chart a template prints must not lead back to the document being written (it once held
    # the DocxTemplate, whose save() wrote anywhere, the input included)
    _tag_refused("chart_saves_over_the_input", "{{ kpis[0].chart.tpl.save('in/good.xlsx') }}",
                 "'tpl'", "does not provide", fix="remove the tag"),
    _tag_refused("chart_internals", "{{ kpis[0].chart._make() }}", "may not use", fix="names listed"),
    _tag_refused("chart_new_subdoc", "{{ kpis[0].chart.tpl.new_subdoc() }}", "'tpl'", fix="remove the tag"),
    _tag_refused("dict_method_changes_counts", "{{ counts.update({'red': 0}) }}", "'update'",
                 fix="remove the tag"),
    _tag_refused("str_format_reaches_internals", "{{ '{0.__class__}'.format(title) }}",
                 "may not use 'format'", fix="names listed"),
    _tag_refused("attr_filter_reaches_internals", "{{ title|attr('__class__') }}", "may not use",
                 fix="names listed"),
    _tag_refused("loop_of_ten_billion", "{% for i in range(100000) %}{% for j in range(100000) %}x"
                 "{% endfor %}{% endfor %}", "more than", "times in all", fix="Loop over the lists"),
    _tag_refused("macro_calls_itself", "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
                 "calls itself", fix="Remove the macro"),
    _tag_refused("string_of_a_billion", "{{ 'x' * 1000000000 }}", "more than 1,000,000",
                 fix="Remove the tag"),
    _tag_refused("doubling_string", "{% set n = namespace(s='ab') %}{% for i in range(60) %}"
                 "{% set n.s = n.s~n.s %}{% endfor %}", "more than 1,000,000", fix="Remove the tag"),
    _tag_refused("width_of_a_billion", "{{ title|center(1000000000) }}", "above 1,000,000",
                 fix="Remove the tag"),
    _tag_refused("lipsum_is_not_provided", "{{ lipsum(100000) }}", "'lipsum'", fix="remove the tag"),
]


import corpus_wild  # noqa: E402, F401  (round 3 registers its cases in CASES)

# ----------------------------------------------------------------------------------------------


def by_name(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


def write_all(folder: Path, cases: Iterable[Case] = ()) -> Iterator[tuple[Case, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    for one in cases or CASES:
        yield one, one.write(folder)


if __name__ == "__main__":
    import corpus  # this module under its own name, with the cases corpus_wild registered in it

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    for one, written in write_all(target, corpus.CASES):
        print(f"{written.stat().st_size:>12,}  {written.name}  ->  {'ok' if one.expect.ok else 'error'}")

