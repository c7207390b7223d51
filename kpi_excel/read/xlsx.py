"""Loading a department's KPI workbook with openpyxl: the only module that imports it."""

from __future__ import annotations

import gc
import hashlib
import io
import posixpath
import re
import sys
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException, ElementTree

from kpi_excel.core.model import Dataset, Period, Warning_
from kpi_excel.core.values import decode_excel_escapes, readable_file_name
from kpi_excel.errors import KpiExcelError, UnreadableWorkbookError
from kpi_excel.excel.refs import column_letter, quote_sheet
from kpi_excel.read.book import BookReader, sheet_kind
from kpi_excel.read.cells import EMPTY, Cell, Merge, ref
from kpi_excel.read.header import HEADER_SEARCH_ROWS, find_header
from kpi_excel.read.intake import (
    CheckedFile,
    SheetFacts,
    check_whole_parse,
    is_sheet_part,
    read_checked,
    sheet_facts,
)
from kpi_excel.read.layout import added_blocks, without_added_columns
from kpi_excel.stamp import RATED_COLUMNS


def _import_openpyxl_without_numpy() -> None:
    """openpyxl imports numpy only to accept numpy numbers when writing, and Pillow only to write
    images (read-only mode never loads them); reading needs neither, and they cost nearly half a
    second at every start. Hide those not yet loaded while openpyxl loads."""
    hidden = [name for name in ("numpy", "PIL") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import numpy` fail fast
    try:
        import openpyxl  # noqa: F401
    finally:
        for name in hidden:
            del sys.modules[name]


_import_openpyxl_without_numpy()

import openpyxl  # noqa: E402
from openpyxl.cell.text import Text  # noqa: E402
from openpyxl.reader.excel import ExcelReader  # noqa: E402
from openpyxl.worksheet._read_only import ReadOnlyWorksheet  # noqa: E402
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS  # noqa: E402
from openpyxl.xml.functions import iterparse  # noqa: E402  # defused: defusedxml is installed

assert openpyxl.DEFUSEDXML, "defusedxml must be installed: it guards against XML bombs"

MAX_COLUMNS = 1_000  # columns read from any sheet; a KPI table is never wider
MAX_DATA_ROWS = 50_000
BLANK_ROWS_ENDING_SHEET = 1_000  # stop reading after this many empty rows in a row
MAX_SHEET_XML_READ = 8 * 2**20  # openpyxl parses sheets at about 1 MB a second

def read_workbook(path: Path, checked: CheckedFile | None = None, period: Period | None = None) -> Dataset:
    """Read every KPI table, the proposals and the key/value sheets of a workbook.

    The file is read into memory once, checked before any XML is parsed (see container.py;
    pass `checked` when that is done already), and never opened for writing. `period` is the
    period of a value column whose heading names none (the --period option).
    """
    checked = checked or read_checked(path)
    book = _open(path, checked)
    try:
        with _collector_paused():
            return _read_book(book, path, checked, period)
    except KpiExcelError as error:  # a sheet's reader knows the cell, not the file
        error.name_file(str(path))
        raise
    finally:
        book.close()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while reading: a read makes a few objects per cell and
    frees none, so the collector's passes find nothing (a fifth of the time on a large workbook)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _open(path: Path, checked: CheckedFile) -> openpyxl.Workbook:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it skips (data validation, sparklines): not our concern
            warnings.simplefilter("ignore")
            reader = _StreamingReader(io.BytesIO(checked.data), read_only=True, data_only=True,
                                      keep_links=False)  # linked workbooks' caches: never used
            reader.archive = _MeteredArchive(reader.archive, path, checked)
            reader.read()
            reader.archive.loaded = True  # from here on, only sheets are read, row by row
            return reader.wb
    except KpiExcelError:
        raise
    except Exception as error:  # openpyxl raises many types for damaged files
        raise _unreadable("the workbook cannot be opened", error, str(path)) from error


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only sheet that is not sized as it opens: openpyxl would parse a sheet without a
    <dimension> whole to size it, before any budget applies. Its rows are counted as read."""

    def _get_size(self) -> None:
        pass


class _StreamingReader(ExcelReader):
    """openpyxl's reader, listing worksheets to be streamed and nothing else: no sheet is parsed
    at load, nor its relationships, drawings or chart sheets, which the reader never uses; and
    reading shared strings as stored (see _stored_strings)."""

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = _stored_strings(source)

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            ws = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


def _stored_strings(xml_source: Any) -> list[str]:
    """The shared strings as stored, for _cell to decode as Excel does: openpyxl's own reader
    (this, plus `.replace("x005F_", "")`) deletes every x005F_, which leaves Excel's escapes
    ambiguous (a typed "_x0041_", stored "_x005F_x0041_", would then read "A")."""
    strings = []
    for _, node in iterparse(xml_source):
        if node.tag == _STRING_TAG:
            strings.append(Text.from_tree(node).content)
            node.clear()
    return strings


_STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
_FIX_RESAVE = "Open it in Excel, save it again as .xlsx, and retry"


def _unreadable(problem: str, error: BaseException, file: str = "") -> UnreadableWorkbookError:
    """A parser's exception as one clean line: the cause, without the parser's own advice."""
    cause = error.__cause__ or error  # openpyxl wraps the XML error in a ValueError of its own
    if isinstance(cause, DefusedXmlException):
        return UnreadableWorkbookError(
            f"{problem}: it declares XML entities (a DTD), which no spreadsheet program writes, "
            "so it may be an 'XML bomb'", file=file,
            fix="Do not open it; ask the sender for a copy saved from Excel")
    detail = " ".join(f"{type(cause).__name__}: {cause}".split())
    return UnreadableWorkbookError(f"{problem} ({detail[:200]})", file=file, fix=_FIX_RESAVE)


class _MeteredArchive:
    """The zip that openpyxl reads, counting what it unpacks, whatever the parts say of themselves.

    While the workbook loads, every part is parsed whole: a sheet part (which container.py does
    not count) read then is counted like the others. Once loaded, the sheets are streamed, and a
    workbook may make the reader parse at most MAX_SHEET_XML_READ bytes of them, so time stays
    bounded.
    """

    def __init__(self, archive: zipfile.ZipFile, path: Path, checked: CheckedFile) -> None:
        self.archive = archive
        self.path = path
        self.spent = 0
        self.loaded = False
        self.whole_elements = checked.whole_parse_elements
        self.whole_bytes = checked.whole_parse_bytes

    def __getattr__(self, name: str) -> Any:  # namelist, filename, infolist ...
        return getattr(self.archive, name)

    def open(self, name: str, *args: Any, **kwargs: Any) -> _MeteredStream:
        counted = not self.loaded and not is_sheet_part(name)  # container.py counted it
        return _MeteredStream(self.archive.open(name, *args, **kwargs), self, counted)

    def read(self, name: str) -> bytes:
        with self.open(name) as stream:
            return stream.read()

    def charge(self, data: bytes, counted: bool) -> None:
        if counted:
            return
        if not self.loaded:
            self.whole_elements += data.count(b"<") - data.count(b"</")
            self.whole_bytes += len(data)
            check_whole_parse(str(self.path), self.whole_elements, self.whole_bytes)
            return
        self.spent += len(data)
        if self.spent > MAX_SHEET_XML_READ:
            raise UnreadableWorkbookError(
                f"the sheets hold more than {MAX_SHEET_XML_READ // 2**20} MB of cells before their KPI "
                "tables end, far more than KPI tables need", file=str(self.path),
                fix="Copy the KPI sheets to a new workbook, save that, and retry")

    def close(self) -> None:
        self.archive.close()


class _MeteredStream:
    """One part being read, charged to its archive's meter."""

    def __init__(self, stream: Any, meter: _MeteredArchive, counted: bool) -> None:
        self.stream = stream
        self.meter = meter
        self.counted = counted

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.stream.read(size)
        self.meter.charge(data, self.counted)
        return data

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> _MeteredStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- the whole book -------------------------------------------------------------------------


def _read_book(book: openpyxl.Workbook, path: Path, checked: CheckedFile, period: Period | None) -> Dataset:
    reader = BookReader(period=period, warnings=list(checked.warnings))
    added = _rated_columns(book)
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            _note_hidden_table(ws, path, reader)
            continue
        is_table = sheet_kind(ws.title) == "table"
        rows = without_added_columns(_sheet_rows(ws, path, reader.warnings, header_needed=is_table),
                                     added.get(ws.title, []))
        facts = _check_sheet_xml(ws, rows, checked.data)
        part = getattr(ws, "_worksheet_path", None)
        merges = merged_ranges(checked.data, part, len(rows)) if is_table and part and rows else ()
        totals = totals_rows(checked.data, part) if is_table and part and rows else frozenset()
        reader.add_sheet(ws.title, rows, facts.hidden_rows, merges, totals)
    sha = checked.sha256 or hashlib.sha256(checked.data).hexdigest()
    return reader.dataset(readable_file_name(path.name), sha, str(path))


def _rated_columns(book: openpyxl.Workbook) -> dict[str, list[Merge]]:
    """The blocks of columns a rated copy added, by sheet (the defined name stamp.RATED_COLUMNS)."""
    names = [*book.defined_names.values(),
             *(n for ws in book.worksheets for n in getattr(ws, "defined_names", {}).values())]
    found: dict[str, list[Merge]] = {}
    for name in names:
        if name.name == RATED_COLUMNS:
            for sheet, block in added_blocks(name.attr_text or ""):
                found.setdefault(sheet, []).append(block)
    return found


def _note_hidden_table(ws: Any, path: Path, reader: BookReader) -> None:
    """A hidden sheet is not read, but a KPI table on one deserves a warning."""
    try:
        rows = _sheet_rows(ws, path, [], header_needed=True, limit=HEADER_SEARCH_ROWS)
    except UnreadableWorkbookError:  # a damaged sheet that is not read stops nothing
        return
    reader.add_hidden_sheet(ws.title, rows)


def _sheet_rows(ws: Any, path: Path, sink: list[Warning_], *, header_needed: bool = False,
                limit: int | None = None) -> list[list[Cell]]:
    """The sheet's rows as cells, stopping after a long run of empty rows.

    A sheet that could only hold a KPI table is read no further than its first rows when they
    hold no header, so a data dump beside the table costs nothing.
    """
    rows: list[list[Cell]] = []
    blank_run = 0
    cut_at = ""
    for row, cut in _parsed_rows(ws, path):
        if cut and not cut_at:
            cut_at = ref(ws.title, len(rows), MAX_COLUMNS)
        blank = all(c.value in (None, "") for c in row)
        blank_run = blank_run + 1 if blank else 0
        if blank_run >= BLANK_ROWS_ENDING_SHEET:
            break
        rows.append([] if blank else row)
        if len(rows) > MAX_DATA_ROWS:
            raise UnreadableWorkbookError(
                f"sheet {quote_sheet(ws.title)} has more than {MAX_DATA_ROWS:,} rows",
                file=str(path), fix="Keep the KPI table on a sheet of its own, without data dumps",
            )
        if len(rows) == limit or (header_needed and len(rows) == HEADER_SEARCH_ROWS
                                  and find_header(rows) is None):
            break
    while rows and not rows[-1]:
        rows.pop()
    if cut_at:
        sink.append(Warning_(f"cells beyond column {column_letter(MAX_COLUMNS)} were not read "
                             "(a KPI table is never that wide)", cut_at))
    return rows


def _parsed_rows(ws: Any, path: Path) -> Iterator[tuple[list[Cell], bool]]:
    """Each row's first MAX_COLUMNS cells, and whether non-empty cells beyond were cut off.

    A sheet that openpyxl cannot parse gives one clean error that names it.
    """
    ws.reset_dimensions()  # a stale stored size can hide data
    # no max_col: in read-only mode it pads every row with empty cells up to that column
    raws = iter(ws.iter_rows())
    while True:
        try:
            raw = next(raws, None)
            if raw is None:
                return
            row = _trim([_cell(c) for c in raw[:MAX_COLUMNS]])
            cut = len(raw) > MAX_COLUMNS and any(c.value is not None for c in raw[MAX_COLUMNS:])
        except KpiExcelError:
            raise
        except Exception as error:  # openpyxl and the XML parser raise many types for damaged sheets
            raise _unreadable(f"sheet {quote_sheet(ws.title)} cannot be read", error, str(path)) from error
        yield row, cut


# [^<>], not [^>]: a search from each "<mergeCell" stops at the next "<", so the time stays in
# step with the part's size even when a comment holds thousands of "<mergeCell" without a ">"
_MERGE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\b[^<>]*?\bref\s*=\s*[\"']"
                    rb"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)[\"']")  # either quote, as XML allows
MAX_MERGES = 10_000  # merged ranges read from one sheet: a KPI table has a few dozen


def merged_ranges(data: bytes, part: str, rows: int) -> tuple[Merge, ...]:
    """The sheet's merged ranges that start in the rows read (read-only openpyxl gives none).

    The list follows the cells in the part, so the part is streamed to its end, a block at a time.
    """
    found: list[Merge] = []
    tail = b""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as stream:
        while block := stream.read(1 << 20):
            chunk = tail + block
            cut = chunk.rfind(b"<")
            for match in _MERGE.finditer(chunk, 0, cut if cut > 0 else len(chunk)):
                top, bottom = int(match.group(2)) - 1, int(match.group(4)) - 1
                if top < rows and len(found) < MAX_MERGES:
                    found.append((top, _column_number(match.group(1)) - 1, bottom,
                                  _column_number(match.group(3)) - 1))
            tail = chunk[cut:] if cut > 0 else b""
    found.extend((int(m.group(2)) - 1, _column_number(m.group(1)) - 1, int(m.group(4)) - 1,
                  _column_number(m.group(3)) - 1) for m in _MERGE.finditer(tail) if int(m.group(2)) <= rows)
    return tuple(found[:MAX_MERGES])


_TABLE_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
_MAX_TABLE_PART = 1 << 20


def totals_rows(data: bytes, part: str) -> frozenset[int]:
    """The 0-based rows the sheet's Excel tables give to their totals rows (totalsRowCount)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    found: set[int] = set()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if rels not in archive.namelist():
            return frozenset()
        for rel in ElementTree.fromstring(archive.read(rels)):
            if rel.get("Type") != _TABLE_RELATIONSHIP or rel.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
            if target not in archive.namelist() or archive.getinfo(target).file_size > _MAX_TABLE_PART:
                continue
            table = ElementTree.fromstring(archive.read(target))
            count = table.get("totalsRowCount", "0")
            match = re.fullmatch(r"\$?[A-Z]{1,3}\$?(\d+):\$?[A-Z]{1,3}\$?(\d+)", table.get("ref", ""))
            if match and count.isdigit() and int(count) > 0:
                last = int(match.group(2)) - 1
                found.update(range(last - int(count) + 1, last + 1))
    return frozenset(found)


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _check_sheet_xml(ws: Any, rows: Sequence[Sequence[Cell]], data: bytes) -> SheetFacts:
    """What the sheet's XML says about the rows read that openpyxl's values do not.

    Formulas without saved results read as blanks, so they stop the read: a blank is not a value.
    """
    part = getattr(ws, "_worksheet_path", None)
    facts = sheet_facts(data, part, len(rows)) if part else SheetFacts()
    if facts.unsaved_formulas:
        count = len(facts.unsaved_formulas)
        raise UnreadableWorkbookError(
            "formulas in this workbook have no saved results (it was written by a program, not saved "
            f"in Excel), so {count:,} formula cell{'s' if count > 1 else ''} on this sheet, the first "
            "here, would read as blank",
            where=f"{quote_sheet(ws.title)}!{facts.unsaved_formulas[0]}",
            fix="Open it in Excel and save it, then retry")
    return facts



def _trim(row: list[Cell]) -> list[Cell]:
    while row and row[-1] is EMPTY:
        row.pop()
    return row


def _cell(raw: Any) -> Cell:
    value = raw.value  # read-only cells and empty cells both have value, data_type, number_format
    if value is None:
        return EMPTY
    if isinstance(value, str):
        value = decode_excel_escapes(value)
    return Cell(value, raw.number_format or "General", raw.data_type == "e")


