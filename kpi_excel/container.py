"""Checks a workbook file before any XML parser sees it: what kind of file, whole, and how big."""

from __future__ import annotations

import hashlib
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
MAX_WHOLE_PARSE_BYTES = 64 * 2**20  # of those parts: shared strings of long commentary reach a few MB
MAX_CELLS_IN_A_ROW = 16_384  # Excel's limit: a row with more was made to harm

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 2**18  # small enough that most pieces hold fewer cells than a row may
_FIX_RESAVE = "Open it in Excel, save it again as .xlsx, and retry"
_FIX_SMALLER = "Copy the KPI sheets to a new workbook, save that, and retry"
_FIX_ASK = "Do not open it; ask the sender for a copy saved from Excel"


@dataclass(frozen=True)
class CheckedFile:
    """A workbook's bytes once they pass every check, and what its user should know about it."""

    data: bytes  # what the reader parses (a Strict Open XML workbook's, mapped to the usual names)
    warnings: tuple[Warning_, ...] = ()
    sha256: str = ""  # of the file as it is on disk
    whole_parse_elements: int = 0  # in the parts parsed whole, so the reader can go on counting
    whole_parse_bytes: int = 0


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
        _check_names(name, archive, names)
        _check_sizes(name, members)
        elements, size = _check_parts(name, archive, members)
        _check_sheet_parts_present(name, archive, names)
        parsed = _as_transitional(archive) if _is_strict(archive) else data
        notes = tuple(_notes(archive, names))
    return CheckedFile(parsed, notes, hashlib.sha256(data).hexdigest(), elements, size)


def _read_bytes(path: Path) -> bytes:
    return read_input_bytes(
        path, MAX_FILE_BYTES, not_a="a workbook", give="an .xlsx file", rarely_over="a KPI tracker",
        smaller="Remove pasted images or data dumps, or copy the KPI sheets to a new workbook")


def read_input_bytes(path: Path, limit: int, *, not_a: str, give: str, rarely_over: str,
                     smaller: str) -> bytes:
    """An input file's bytes, refused in one line when it is missing, a folder, over limit bytes
    or unreadable: not_a and give name the kind of file expected ("a workbook", "an .xlsx
    file"), rarely_over what a file of that kind is, smaller how to make one smaller."""
    if not path.exists():
        raise UnreadableWorkbookError("file not found", file=str(path), fix="Check the path and name")
    if path.is_dir():
        raise UnreadableWorkbookError(f"this is a folder, not {not_a}", file=str(path),
                                      fix=f"Give the path of {give}")
    size = path.stat().st_size
    if size > limit:
        raise UnreadableWorkbookError(
            f"the file is {size // 2**20} MB; {rarely_over} is rarely over {limit // 2**20} MB",
            file=str(path), fix=smaller)
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
        elif any(word in kind for word in ("web", "2003", "2.x", "OpenDocument")):  # Excel opens them
            fix = "Open it in Excel, save it as an Excel Workbook (.xlsx), and retry"
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


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _guess_kind(data: bytes) -> str:
    """What a file that is not a zip seems to be, from its first bytes (after any byte-order mark)."""
    if data[:2] in (b"\x09\x00", b"\x09\x02", b"\x09\x04") and data[3:4] == b"\x00":  # a BIFF2-4 BOF
        return "it is an Excel 2.x-4.x workbook"
    text = _head_text(data)
    if text is None:
        return "its contents are not a workbook"
    head = text.lstrip().lower()
    if head.startswith("%pdf"):
        return "it is a PDF"
    if "urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "it is an Excel 2003 XML Spreadsheet"
    if "urn:oasis:names:tc:opendocument" in head:
        return "it is a flat OpenDocument file (.fods)"
    if head.startswith("mime-version:"):
        return "it is a web archive (MHTML), as Excel's Single File Web Page is saved"
    if head.startswith(("<html", "<!doctype html", "<table", "<meta", "<head", "<body")) or (
            head.startswith("<") and "<html" in head):
        return "it is a web page: an HTML table saved with a spreadsheet name, as web exports are"
    if head.startswith("<"):
        return "it is an XML file"
    return "it looks like a CSV or text file" if ("," in head or "\t" in head) else "it is text"


def _head_text(data: bytes) -> str | None:
    """The file's first characters as text (UTF-8, or UTF-16 when it says so), or None."""
    head = data[:2048]
    for bom, encoding in zip(_BOMS, ("utf-8", "utf-16-le", "utf-16-be"), strict=True):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, "ignore")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as error:
        return head[:error.start].decode("utf-8") if error.start > len(head) - 4 else None


_OPEN_DOCUMENT = {
    b"application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (.ods)",
    b"application/vnd.oasis.opendocument.text": "an OpenDocument text document (.odt)",
}
_SAVE_ODS_AS_XLSX = ("Open it in LibreOffice Calc (or Excel) and save it as an Excel workbook "
                     "(File > Save As, file type Excel 2007-365 .xlsx), and retry")


def _check_names(name: str, archive: zipfile.ZipFile, names: set[str]) -> None:
    if "word/document.xml" in names:
        raise UnreadableWorkbookError("this is a Word document renamed .xlsx", file=name,
                                      fix="Give the Excel workbook that holds the KPIs")
    if "xl/workbook.bin" in names:
        raise UnreadableWorkbookError("this is an Excel Binary Workbook (.xlsb), not an .xlsx",
                                      file=name, fix="Open it in Excel and save it as .xlsx "
                                                     "(File > Save As > Excel Workbook)")
    if "xl/workbook.xml" not in names and ("mimetype" in names or "content.xml" in names):
        kind = _open_document_kind(archive, names)
        if kind:
            spreadsheet = "spreadsheet" in kind
            raise UnreadableWorkbookError(
                f"this is {kind}, not an Excel workbook", file=name,
                fix=_SAVE_ODS_AS_XLSX if spreadsheet else "Give the Excel workbook that holds the KPIs")
    if "xl/workbook.xml" not in names:
        raise UnreadableWorkbookError("this zip file is not an Excel workbook", file=name,
                                      fix="Give the .xlsx file that holds the KPIs")


def _open_document_kind(archive: zipfile.ZipFile, names: set[str]) -> str:
    """What an OpenDocument package is, from its mimetype member (an OpenDocument file of
    another kind when that is missing but its content.xml is there)."""
    mimetype = b""
    if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
        try:
            mimetype = archive.read("mimetype").strip()
        except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, NotImplementedError, ValueError):
            mimetype = b""
    for prefix, kind in _OPEN_DOCUMENT.items():
        if mimetype.startswith(prefix):
            return kind
    if mimetype.startswith(b"application/vnd.oasis.opendocument") or "content.xml" in names:
        return "an OpenDocument file"
    return ""


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


def _check_parts(name: str, archive: zipfile.ZipFile, members: Sequence[zipfile.ZipInfo]
                 ) -> tuple[int, int]:
    """Unpack each part once, checking its checksum, DTDs, and what it would cost to parse;
    returns the elements and bytes of the parts parsed whole."""
    whole_parse = whole_bytes = 0
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
        whole_bytes += scan.whole_parse_bytes
    check_whole_parse(name, whole_parse, whole_bytes)
    return whole_parse, whole_bytes


def check_whole_parse(name: str, elements: int, size: int) -> None:
    """Refuse a workbook whose parts parsed whole (all but the worksheets) would take too long."""
    if elements > MAX_WHOLE_PARSE_ELEMENTS:
        raise UnreadableWorkbookError(
            "the workbook's shared strings, styles and other parts read whole hold more than "
            f"{MAX_WHOLE_PARSE_ELEMENTS:,} XML elements, far more than a KPI tracker needs", file=name,
            fix=_FIX_SMALLER,
        )
    if size > MAX_WHOLE_PARSE_BYTES:
        raise UnreadableWorkbookError(
            "the workbook's shared strings, styles and other parts read whole hold more than "
            f"{MAX_WHOLE_PARSE_BYTES // 2**20} MB of XML, far more than a KPI tracker needs",
            file=name, fix=_FIX_SMALLER,
        )


def _chunks(stream: IO[bytes], boundary: bytes = b"<") -> Iterator[bytes]:
    """The part in pieces that each end just before a boundary (a tag), so none is cut in two.

    A piece with no boundary in it is passed on whole.
    """
    carry = b""
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
# a namespace declaration, however spaced or quoted: the prefixes a sheet's cells may carry
_XMLNS = re.compile(rb"""xmlns(?::([\w.-]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
SHEET_NAMESPACES = (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                    b"http://purl.oclc.org/ooxml/spreadsheetml/main")


def is_sheet_part(part: str) -> bool:
    """A part that the reader streams row by row (every other XML part is parsed whole)."""
    return part.startswith("xl/worksheets/") and part.endswith(".xml") and part.count("/") == 2


class _PartScan:
    """What one pass over a part's bytes finds: DTDs, the widest row, the cost of a whole parse.

    The reader streams worksheets row by row and never sizes them first; every other XML part is
    parsed whole. Nothing a part says about itself (a <dimension>, prefixes, comments) changes what
    is counted: every "<" counts as an element (comments, processing instructions and CDATA too,
    which only over-counts), and a cell is any element named c, whatever its prefix.
    """

    def __init__(self, part: str) -> None:
        self.is_xml = part.lower().endswith((".xml", ".rels", ".vml"))
        self.is_sheet = is_sheet_part(part)
        self.declares_entities = False
        self.widest_row = 0  # exact once a row may be too wide; a lower bound before
        self.bytes = 0
        self._elements = 0  # start tags seen (and comments, which are as rare as they are cheap)
        self._prefixes: set[bytes] = {b""}  # prefixes bound to a sheet namespace, as b"x:"
        self._in_row = 0  # cells so far in the row the last chunk ended in

    @property
    def whole_parse_elements(self) -> int:
        return self._elements if self.is_xml and not self.is_sheet else 0

    @property
    def whole_parse_bytes(self) -> int:
        return self.bytes if self.is_xml and not self.is_sheet else 0

    def feed(self, chunk: bytes) -> None:
        if not self.is_xml:
            return
        self.bytes += len(chunk)
        if _DTD.search(chunk):
            self.declares_entities = True
        self._elements += chunk.count(b"<") - chunk.count(b"</")
        if self.is_sheet:
            if b"xmlns" in chunk:
                self._prefixes |= {(m.group(1) + b":") if m.group(1) else b""
                                   for m in _XMLNS.finditer(chunk)
                                   if (m.group(2) or m.group(3) or b"") in SHEET_NAMESPACES}
            self._count_cells(chunk)

    def _count_cells(self, chunk: bytes) -> None:
        """Track the cells in each row; split the chunk into rows only when one could be too wide."""
        if self._in_row + self._cells_in(chunk) <= MAX_CELLS_IN_A_ROW:
            starts = self._row_starts(chunk)
            last = starts[-1] if starts else -1
            tail = chunk if last < 0 else chunk[last:]
            self._in_row = (self._in_row if last < 0 else 0) + self._cells_in(tail)
            return
        starts = self._row_starts(chunk)
        for i, (start, end) in enumerate(zip([0, *starts], [*starts, len(chunk)], strict=True)):
            if i > 0:  # a new row starts here
                self.widest_row = max(self.widest_row, self._in_row)
                self._in_row = 0
            self._in_row += self._cells_in(chunk[start:end])
        self.widest_row = max(self.widest_row, self._in_row)

    def _cells_in(self, data: bytes) -> int:
        if len(self._prefixes) > _FEW_PREFIXES:  # counting each prefix's tags would take too long
            return len(_ANY_CELL.findall(data))
        return sum(data.count(b"<" + prefix + b"c" + end) for prefix in self._prefixes for end in _ENDS)

    def _row_starts(self, data: bytes) -> list[int]:
        if len(self._prefixes) > _FEW_PREFIXES:
            return [match.start() for match in _ANY_ROW.finditer(data)]
        tags = [re.escape(b"<" + prefix + b"row" + end) for prefix in self._prefixes for end in _ENDS]
        return [match.start() for match in re.finditer(b"|".join(tags), data)]


_ENDS = (b" ", b">", b"/", b"\t", b"\n", b"\r")  # what may follow an element's name
_FEW_PREFIXES = 3  # beyond, cells and rows are counted under any prefix (which only over-counts)
_ANY_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
_ANY_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")


# --- Strict Open XML -------------------------------------------------------------------------

_STRICT = re.compile(rb"""(=\s*["'])http://purl\.oclc\.org/ooxml/([\w-]+)/([\w-]+)((?:/[\w-]+)*)(?=["'])""")
_STRICT_NAMES = {b"extendedProperties": b"extended-properties", b"customProperties": b"custom-properties"}


def _is_strict(archive: zipfile.ZipFile) -> bool:
    """Whether the workbook was saved as Excel's "Strict Open XML Spreadsheet"."""
    return b"purl.oclc.org/ooxml/spreadsheetml/main" in archive.read("xl/workbook.xml")  # size checked


def _as_transitional(archive: zipfile.ZipFile) -> bytes:
    """A Strict workbook with its namespaces and relationship types named as in every other .xlsx
    (http://purl.oclc.org/ooxml/spreadsheetml/main -> http://schemas.openxmlformats.org/
    spreadsheetml/2006/main), which is all the parser needs to read it. The parts are already
    checked; only quoted names (attribute values) change, never a cell's text."""

    def transitional(match: re.Match[bytes]) -> bytes:
        quote, area, name, rest = match.groups()
        if rest:
            head, _, last = rest.rpartition(b"/")
            rest = head + b"/" + _STRICT_NAMES.get(last, last)
        return (quote + b"http://schemas.openxmlformats.org/" + area + b"/2006/"
                + _STRICT_NAMES.get(name, name) + rest)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
        for member in archive.infolist():
            data = archive.read(member)
            if member.filename.lower().endswith((".xml", ".rels")):
                data = _STRICT.sub(transitional, data)
            copy.writestr(member.filename, data)
    return out.getvalue()


def _check_sheet_parts_present(name: str, archive: zipfile.ZipFile, names: set[str]) -> None:
    """Every worksheet the package lists must be in it: openpyxl would skip a missing one."""
    info = archive.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
    if info is None or info.file_size > 4 * 2**20:
        return
    listed = re.findall(rb"""PartName\s*=\s*["']/([^"']+)["']""", archive.read(info))
    missing = [p.decode("utf-8", "replace") for p in listed
               if p.startswith(b"xl/worksheets/") and p.decode("utf-8", "replace") not in names]
    if missing:
        raise UnreadableWorkbookError(f"part {missing[0]} (a worksheet) is missing: the file is damaged",
                                      file=name, fix=_FIX_RESAVE)


def _notes(archive: zipfile.ZipFile, names: set[str]) -> Iterator[Warning_]:
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        yield Warning_("the workbook holds macros (VBA); they were not run, and the outputs hold none")
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
