"""Checks a workbook file before any XML parser sees it: what kind of file, whole, and how big."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .errors import UnreadableWorkbookError
from .model import Warning_

MAX_FILE_BYTES = 100 * 2**20
MAX_INFLATED_BYTES = 2**30  # every part unpacked, together
MAX_INFLATE_RATIO = 200  # a sheet's XML inflates 5-30 times; a zip bomb, a thousand
RATIO_CHECKED_ABOVE = 10 * 2**20  # small parts may inflate as much as they like
MAX_WHOLE_PARSE_ELEMENTS = 500_000  # in the parts parsed in one go: openpyxl reads ~60,000 a second
MAX_CELLS_IN_A_ROW = 16_384  # Excel's limit: a row with more was made to harm

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 2**18  # small enough that most pieces hold fewer cells than a row may
_FIX_RESAVE = "Open it in Excel, save it again as .xlsx, and retry"
_FIX_SMALLER = "Copy the KPI sheets to a new workbook, save that, and retry"
_FIX_ASK = "Do not open it; ask the sender for a copy saved from Excel"


@dataclass(frozen=True)
class CheckedFile:
    """A workbook's bytes once they pass every check, and what its user should know about it."""

    data: bytes
    warnings: tuple[Warning_, ...] = ()


def read_checked(path: Path) -> CheckedFile:
    """Read a workbook and refuse it, with a message saying why, unless it is a whole, sane .xlsx.

    Nothing is parsed as XML here; every check costs at most one pass over each part's bytes.
    """
    name = str(path)
    data = _read_bytes(path)
    _check_kind(name, data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UnreadableWorkbookError("the file is damaged or incomplete (not a whole .xlsx)",
                                      file=name, fix="Save it again from Excel and retry") from error
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        _check_names(name, names)
        _check_sizes(name, members)
        _check_parts(name, archive, members)
        _check_sheet_parts_present(name, archive, names)
    return CheckedFile(data, tuple(_notes(names)))


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise UnreadableWorkbookError("file not found", file=str(path), fix="Check the path and name")
    if path.is_dir():
        raise UnreadableWorkbookError("this is a folder, not a workbook", file=str(path),
                                      fix="Give the path of an .xlsx file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UnreadableWorkbookError(
            f"the file is {size // 2**20} MB; a KPI tracker is rarely over "
            f"{MAX_FILE_BYTES // 2**20} MB", file=str(path),
            fix="Remove pasted images or data dumps, or copy the KPI sheets to a new workbook",
        )
    try:
        return path.read_bytes()
    except OSError as error:
        raise UnreadableWorkbookError(f"cannot be read ({error.strerror})", file=str(path),
                                      fix="Check it is not open elsewhere and you may read it") from error


# --- what kind of file ------------------------------------------------------------------------


def _check_kind(name: str, data: bytes) -> None:
    if not data:
        raise UnreadableWorkbookError("the file is empty", file=name,
                                      fix="Save the workbook again from Excel, as .xlsx")
    if data.startswith(_OLE_SIGNATURE):
        problem, fix = _office_97_kind(data)
        raise UnreadableWorkbookError(problem, file=name, fix=fix)
    if not data.startswith(b"PK"):
        kind = _guess_kind(data)
        fix = "Give the .xlsx file (in Excel: File > Save As > Excel Workbook)"
        if "CSV" in kind:  # kpi-excel reads CSV exports too, when they are named so
            fix = "If it is a CSV export, name it .csv and retry; else " + fix[0].lower() + fix[1:]
        raise UnreadableWorkbookError(f"this is not an Excel workbook ({kind})", file=name, fix=fix)


def _office_97_kind(data: bytes) -> tuple[str, str]:
    """What an OLE compound file is, from the stream names in its directory."""

    def holds(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if holds("EncryptedPackage") or holds("EncryptionInfo"):
        return ("this workbook is protected by a password (Excel encrypted it)",
                "Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt "
                "with Password, and clear it), save it, and retry")
    if holds("WordDocument"):
        return ("this is an old Word .doc file, not a workbook",
                "Give the Excel workbook that holds the KPIs")
    if holds("Workbook") or holds("Book"):
        return ("this is a legacy .xls workbook (Excel 97-2003)",
                "Open it in Excel and save it as .xlsx (File > Save As > Excel Workbook)")
    return ("this is an Office 97-2003 file, not an .xlsx workbook",
            "Give the .xlsx file (in Excel: File > Save As > Excel Workbook)")


def _guess_kind(data: bytes) -> str:
    head = data[:512].lstrip()
    if head.startswith(b"%PDF"):
        return "it is a PDF"
    if head[:5].lower() in (b"<html", b"<!doc") or head.startswith(b"<?xml"):
        return "it is a web page or XML file"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "its contents are not a workbook"
    return "it looks like a CSV or text file" if ("," in text or "\t" in text) else "it is text"


def _check_names(name: str, names: set[str]) -> None:
    if "word/document.xml" in names:
        raise UnreadableWorkbookError("this is a Word document renamed .xlsx", file=name,
                                      fix="Give the Excel workbook that holds the KPIs")
    if "xl/workbook.bin" in names:
        raise UnreadableWorkbookError("this is a binary .xlsb workbook", file=name,
                                      fix="Open it in Excel and save it as .xlsx (Excel Workbook)")
    if "xl/workbook.xml" not in names:
        raise UnreadableWorkbookError("this zip file is not an Excel workbook", file=name,
                                      fix="Give the .xlsx file that holds the KPIs")


# --- sizes, from the zip's directory, before anything is unpacked --------------------------------


def _check_sizes(name: str, members: Sequence[zipfile.ZipInfo]) -> None:
    if any(m.flag_bits & 0x1 for m in members):
        raise UnreadableWorkbookError(
            "the workbook's zip is locked with a password (by a zip tool, not by Excel)", file=name,
            fix="Unzip it with its password, or ask the sender for the workbook without the password",
        )
    total = sum(m.file_size for m in members)
    if total > MAX_INFLATED_BYTES:
        raise UnreadableWorkbookError(
            f"the workbook unpacks to {total // 2**20:,} MB, far more than a KPI tracker needs "
            f"(the limit is {MAX_INFLATED_BYTES // 2**20:,} MB)", file=name, fix=_FIX_SMALLER,
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_INFLATE_RATIO:
            raise UnreadableWorkbookError(
                f"part {member.filename} inflates {ratio:,.0f} times (a zip bomb, or a sheet of "
                "repeated filler)", file=name, fix=_FIX_SMALLER,
            )


# --- one pass over every part ----------------------------------------------------------------


def _check_parts(name: str, archive: zipfile.ZipFile, members: Sequence[zipfile.ZipInfo]) -> None:
    """Unpack each part once, checking its checksum, DTDs, and what it would cost to parse."""
    whole_parse = 0
    for member in members:
        if member.is_dir():
            continue
        scan = _PartScan(member.filename)
        try:
            with archive.open(member) as stream:
                for chunk in _chunks(stream):
                    scan.feed(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
                NotImplementedError, ValueError) as error:
            raise UnreadableWorkbookError(
                f"part {member.filename} is damaged ({error})", file=name, fix=_FIX_RESAVE,
            ) from error
        if scan.declares_entities:
            raise UnreadableWorkbookError(
                f"part {member.filename} declares XML entities (a DTD), which no spreadsheet "
                "program writes: it may be an 'XML bomb'", file=name, fix=_FIX_ASK,
            )
        if scan.widest_row > MAX_CELLS_IN_A_ROW:
            raise UnreadableWorkbookError(
                f"part {member.filename} has a row of {scan.widest_row:,} cells; Excel allows "
                f"{MAX_CELLS_IN_A_ROW:,}, so the file was not made by a spreadsheet program",
                file=name, fix=_FIX_ASK,
            )
        whole_parse += scan.whole_parse_elements
    if whole_parse > MAX_WHOLE_PARSE_ELEMENTS:
        raise UnreadableWorkbookError(
            f"the workbook's shared strings, styles and unsized sheets hold {whole_parse:,} XML "
            f"elements (the limit is {MAX_WHOLE_PARSE_ELEMENTS:,})", file=name, fix=_FIX_SMALLER,
        )


def _chunks(stream: IO[bytes], boundary: bytes = b"<", carry: bytes = b"") -> Iterator[bytes]:
    """The part in pieces that each end just before a boundary (a tag), so none is cut in two.

    A piece with no boundary in it is passed on whole.
    """
    while chunk := stream.read(_CHUNK):
        data = carry + chunk
        cut = data.rfind(boundary)
        if cut <= 0:
            yield data
            carry = b""
        else:
            yield data[:cut]
            carry = data[cut:]
    if carry:
        yield carry


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?(\w+)[\s>/]")


class _PartScan:
    """What one pass over a part's bytes finds: DTDs, the widest row, the cost of a whole parse.

    openpyxl reads a worksheet row by row, except one without a <dimension>, which it parses
    whole to size it. It parses every other XML part whole.
    """

    def __init__(self, part: str) -> None:
        self.is_xml = part.lower().endswith((".xml", ".rels", ".vml"))
        self.is_sheet = part.startswith("xl/worksheets/") and part.endswith(".xml")
        self.declares_entities = False
        self.widest_row = 0  # exact once a row may be too wide; a lower bound before
        self._elements = 0  # start tags seen (and comments, which are as rare as they are cheap)
        self._prefix: bytes | None = None  # the worksheet's namespace prefix, as b"x:" or b""
        self._in_row = 0  # cells so far in the row the last chunk ended in
        self._sized: bool | None = None  # whether the sheet gives its <dimension> first

    @property
    def whole_parse_elements(self) -> int:
        return self._elements if self.is_xml and (not self.is_sheet or not self._sized) else 0

    def feed(self, chunk: bytes) -> None:
        if not self.is_xml:
            return
        if _DTD.search(chunk):
            self.declares_entities = True
        self._elements += chunk.count(b"<") - chunk.count(b"</")
        if self.is_sheet:
            if self._prefix is None:
                self._prefix = _prefix_of(chunk)
            if self._sized is None:
                self._find_dimension(chunk)
            self._count_cells(chunk)

    def _find_dimension(self, chunk: bytes) -> None:
        assert self._prefix is not None
        data_at = chunk.find(b"<" + self._prefix + b"sheetData")
        dim_at = chunk.find(b"<" + self._prefix + b"dimension")
        if dim_at >= 0 and (data_at < 0 or dim_at < data_at):
            self._sized = True
        elif data_at >= 0:
            self._sized = False

    def _count_cells(self, chunk: bytes) -> None:
        """Track the cells in each row; split the chunk into rows only when one could be too wide."""
        assert self._prefix is not None
        row_tag = b"<" + self._prefix + b"row"
        cell_tags = [b"<" + self._prefix + tail for tail in (b"c ", b"c>", b"c/")]
        if self._in_row + sum(chunk.count(tag) for tag in cell_tags) <= MAX_CELLS_IN_A_ROW:
            last = chunk.rfind(row_tag)
            tail = chunk if last < 0 else chunk[last:]
            self._in_row = (self._in_row if last < 0 else 0) + sum(tail.count(t) for t in cell_tags)
            return
        for i, piece in enumerate(chunk.split(row_tag)):
            if i > 0:  # a new row starts here
                self.widest_row = max(self.widest_row, self._in_row)
                self._in_row = 0
            self._in_row += sum(piece.count(tag) for tag in cell_tags)
        self.widest_row = max(self.widest_row, self._in_row)


def _prefix_of(head: bytes) -> bytes:
    for match in _ROOT.finditer(head):
        if match.group(2) == b"worksheet":
            return match.group(1) or b""
    return b""


def _check_sheet_parts_present(name: str, archive: zipfile.ZipFile, names: set[str]) -> None:
    """Every worksheet the package lists must be in it: openpyxl would skip a missing one."""
    info = archive.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
    if info is None or info.file_size > 4 * 2**20:
        return
    listed = re.findall(rb'PartName="/([^"]+)"', archive.read(info))
    missing = [p.decode("utf-8", "replace") for p in listed
               if p.startswith(b"xl/worksheets/") and p.decode("utf-8", "replace") not in names]
    if missing:
        raise UnreadableWorkbookError(f"part {missing[0]} (a worksheet) is missing: the file is damaged",
                                      file=name, fix=_FIX_RESAVE)


def _notes(names: set[str]) -> Iterator[Warning_]:
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        yield Warning_("the workbook holds macros (VBA); they were not run, and the outputs hold none")
    if any(n.startswith("xl/externalLinks/") for n in names):
        yield Warning_("the workbook links to other workbooks; the values last saved with it were used, "
                       "and they may be out of date")


# --- what a worksheet's XML says that its values do not -----------------------------------------


@dataclass(frozen=True)
class SheetFacts:
    """What a worksheet's XML says about its rows that the values openpyxl gives do not."""

    unsaved_formulas: tuple[str, ...] = ()  # cells (as A1) whose formula has no saved result
    hidden_rows: frozenset[int] = frozenset()  # 1-based row numbers


_ROW_OPEN = re.compile(rb"<(?:[\w.-]+:)?row\b([^>]*)>")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f\b")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v\b[^>]*?(?:/>|>\s*</|>(.))", re.S)  # group 1: not empty
_TEXT_TYPE = re.compile(rb'\bt="(?:str|inlineStr|s)"')
_R_ATTR = re.compile(rb'\br="([A-Z]*\d+)"')
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')


def sheet_facts(data: bytes, part: str, rows: int) -> SheetFacts:
    """Scan the first `rows` rows of a worksheet part for formulas without results and hidden rows.

    Only rows a parser has already read whole are scanned, a row at a time.
    """
    unsaved: list[str] = []
    hidden: set[int] = set()
    number = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as stream:
        head = stream.read(4096)
        for chunk in _chunks(stream, b"<" + _prefix_of(head) + b"row", carry=head):
            opens = list(_ROW_OPEN.finditer(chunk))
            for i, row in enumerate(opens):
                number = _row_number(row.group(1), number)
                if number > rows:
                    return SheetFacts(tuple(unsaved), frozenset(hidden))
                if _HIDDEN.search(row.group(1)):
                    hidden.add(number)
                end = opens[i + 1].start() if i + 1 < len(opens) else len(chunk)
                unsaved.extend(_unsaved_formulas(chunk[row.end():end]))
    return SheetFacts(tuple(unsaved), frozenset(hidden))


def _row_number(attrs: bytes, previous: int) -> int:
    match = re.search(rb'\br="(\d+)"', attrs)
    return int(match.group(1)) if match else previous + 1


def _unsaved_formulas(row: bytes) -> Iterator[str]:
    """Cells with a formula and no result: no <v>, or an empty one where no text result is due.

    (A formula whose result is empty text is saved as t="str" with an empty <v>.)
    """
    for cell in _CELL.finditer(row):
        body = cell.group(2)
        if not body or not _FORMULA.search(body):
            continue
        value = _VALUE.search(body)
        if value is None or (value.group(1) is None and not _TEXT_TYPE.search(cell.group(1))):
            where = _R_ATTR.search(cell.group(1))
            yield where.group(1).decode() if where else "?"
