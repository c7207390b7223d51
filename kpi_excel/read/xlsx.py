"""Loading a department's KPI workbook with openpyxl: the only module that imports it."""

from __future__ import annotations

import gc
import hashlib
import io
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException

from kpi_excel.core.model import Dataset, Period, Warning_
from kpi_excel.core.values import decode_excel_escapes, readable_file_name
from kpi_excel.errors import KpiExcelError, UnreadableWorkbookError
from kpi_excel.excel.refs import column_letter, quote_sheet
from kpi_excel.read.book import BookReader, sheet_kind
from kpi_excel.read.cells import EMPTY, Cell, Merge, ref
from kpi_excel.read.header import HEADER_SEARCH_ROWS, find_header
from kpi_excel.read.intake import CheckedFile, read_checked
from kpi_excel.read.layout import added_blocks, without_added_columns
from kpi_excel.read.merges import merged_ranges, totals_rows
from kpi_excel.read.metered import MeteredArchive
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
from openpyxl.cell.read_only import ReadOnlyCell  # noqa: E402
from openpyxl.cell.text import Text  # noqa: E402
from openpyxl.reader.excel import ExcelReader  # noqa: E402
from openpyxl.styles.colors import COLOR_INDEX  # noqa: E402
from openpyxl.worksheet._read_only import ReadOnlyWorksheet  # noqa: E402
from openpyxl.worksheet._reader import WorkSheetParser  # noqa: E402
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS  # noqa: E402
from openpyxl.xml.functions import iterparse  # noqa: E402  # defused: defusedxml is installed

assert openpyxl.DEFUSEDXML, "defusedxml must be installed: it guards against XML bombs"

MAX_COLUMNS = 1_000  # columns read from any sheet; a KPI table is never wider
MAX_DATA_ROWS = 50_000
BLANK_ROWS_ENDING_SHEET = 1_000  # stop reading after this many empty rows in a row

def read_workbook(path: Path, checked: CheckedFile | None = None, period: Period | None = None,
                  columns: Mapping[str, str] | None = None) -> Dataset:
    """Read every KPI table, the proposals and the key/value sheets of a workbook.

    The file is read into memory once, checked before any XML is parsed (see container.py;
    pass `checked` when that is done already), and never opened for writing. `period` is the
    period of a value column whose heading names none (the --period option).
    """
    checked = checked or read_checked(path)
    book = _open(path, checked)
    try:
        with _collector_paused():
            return _read_book(book, path, checked, period, columns or {})
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
            reader.archive = MeteredArchive(reader.archive, path, checked)
            reader.read()
            reader.archive.loaded = True  # from here on, only sheets are read, row by row
            return reader.wb
    except KpiExcelError:
        raise
    except Exception as error:  # openpyxl raises many types for damaged files
        raise _unreadable("the workbook cannot be opened", error, str(path)) from error


class _RowsOutOfOrder(Exception):
    """A row is stored after a higher-numbered one (legal, and written so by some exporters)."""


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only sheet that is not sized as it opens: openpyxl would parse a sheet without a
    <dimension> whole to size it, before any budget applies. Its rows are counted as read.

    openpyxl's reader drops a row stored after a higher-numbered one without a word; this one
    raises _RowsOutOfOrder instead, and once told (in_row_order) gives the rows sorted by number.
    """

    in_row_order = False

    facts: _FactNotingParser | None = None  # what the rows' XML says that their values do not

    def _get_size(self) -> None:
        pass

    def _cells_by_row(self, min_col: int, min_row: int, max_col: int | None, max_row: int | None,
                      values_only: bool = False) -> Iterator[tuple[Any, ...]]:
        with self._get_source() as source:
            self.facts = parser = _FactNotingParser(
                source, self._shared_strings, data_only=self.parent.data_only, epoch=self.parent.epoch,
                date_formats=self.parent._date_formats, timedelta_formats=self.parent._timedelta_formats)
            stored: Iterable[tuple[int, list[dict[str, Any]]]] = parser.parse()
            if self.in_row_order:  # the sheet's XML is metered: at most MAX_SHEET_XML_READ of rows
                stored = sorted(stored, key=lambda row: row[0])
            expected = 1
            for number, cells in stored:
                if number < expected:
                    if self.in_row_order:
                        raise UnreadableWorkbookError(
                            f"row {number} of sheet {quote_sheet(self.title)} is stored twice, so which "
                            "figures it holds is not defined", fix=_FIX_RESAVE)
                    raise _RowsOutOfOrder(number)
                while expected < number:  # rows not stored are empty
                    expected += 1
                    yield ()
                expected += 1
                yield self._get_row(cells, min_col, max_col, values_only)


class _FactNotingParser(WorkSheetParser):
    """openpyxl's sheet parser, noting hidden rows and formulas saved without a result as it parses
    (so the sheet's XML is parsed once)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hidden_rows: set[int] = set()
        self.unsaved: list[tuple[int, str]] = []  # (row, cell as A1)

    def parse_row(self, row: Any) -> Any:
        number, cells = super().parse_row(row)
        if row.get("hidden") in ("1", "true"):
            self.hidden_rows.add(number)
        return number, cells

    def parse_cell(self, element: Any) -> Any:
        if element.find(_FORMULA) is not None:
            value = element.find(_VALUE)
            if value is None or (not (value.text or "").strip() and element.get("t") not in _TEXT_RESULTS):
                self.unsaved.append((self.row_counter, element.get("r") or "?"))
        return super().parse_cell(element)


_FORMULA, _VALUE = f"{{{SHEET_MAIN_NS}}}f", f"{{{SHEET_MAIN_NS}}}v"
# a formula whose result is empty text is saved as t="str" with an empty <v>
_TEXT_RESULTS = {"str", "inlineStr", "s"}


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


# --- the whole book -------------------------------------------------------------------------


def _read_book(book: openpyxl.Workbook, path: Path, checked: CheckedFile, period: Period | None,
               columns: Mapping[str, str]) -> Dataset:
    reader = BookReader(period=period, warnings=list(checked.warnings), columns_told=dict(columns))
    fills = style_fills(book)
    added = _rated_columns(book)  # the columns a rated copy of this workbook added: not the department's
    # the Settings sheet first, wherever its tab is: its Columns block says how to read the tables
    visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    settings = [ws for ws in visible if sheet_kind(ws.title) == "settings"]
    for ws in settings:
        ws.in_row_order = getattr(ws, "_worksheet_path", "") in checked.rows_out_of_order
        rows = _sheet_rows(ws, path, reader.warnings, fills)
        reader.add_sheet(ws.title, rows, _check_sheet_xml(ws, rows))
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            _note_hidden_table(ws, path, reader, checked, fills)
            continue
        if ws in settings:
            continue
        is_table = sheet_kind(ws.title) == "table"
        ws.in_row_order = getattr(ws, "_worksheet_path", "") in checked.rows_out_of_order
        rows = without_added_columns(_sheet_rows(ws, path, reader.warnings, fills, header_needed=is_table),
                                     added.get(ws.title, []))
        hidden = _check_sheet_xml(ws, rows)
        part = getattr(ws, "_worksheet_path", None)
        merges = merged_ranges(checked.data, part, len(rows)) if is_table and part and rows else ()
        totals = totals_rows(checked.data, part) if is_table and part and rows else frozenset()
        reader.add_sheet(ws.title, rows, hidden, merges, totals)
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


def _note_hidden_table(ws: Any, path: Path, reader: BookReader, checked: CheckedFile,
                       fills: Sequence[str]) -> None:
    """A hidden sheet is not read, but a KPI table on one deserves a warning."""
    ws.in_row_order = getattr(ws, "_worksheet_path", "") in checked.rows_out_of_order
    try:
        rows = _sheet_rows(ws, path, [], fills, header_needed=True, limit=HEADER_SEARCH_ROWS)
    except UnreadableWorkbookError:  # a damaged sheet that is not read stops nothing
        return
    reader.add_hidden_sheet(ws.title, rows)


def _sheet_rows(ws: Any, path: Path, sink: list[Warning_], fills: Sequence[str], *,
                header_needed: bool = False, limit: int | None = None) -> list[list[Cell]]:
    """The sheet's rows as cells, in the order of their numbers however they are stored."""
    try:
        return _rows_as_stored(ws, path, sink, fills, header_needed=header_needed, limit=limit)
    except _RowsOutOfOrder:
        ws.in_row_order = True
        return _rows_as_stored(ws, path, sink, fills, header_needed=header_needed, limit=limit)


def _rows_as_stored(ws: Any, path: Path, sink: list[Warning_], fills: Sequence[str], *,
                    header_needed: bool = False, limit: int | None = None) -> list[list[Cell]]:
    """The sheet's rows as cells, stopping after a long run of empty rows.

    A sheet that could only hold a KPI table is read no further than its first rows when they
    hold no header, so a data dump beside the table costs nothing.
    """
    rows: list[list[Cell]] = []
    blank_run = 0
    cut_at = ""
    for row, cut in _parsed_rows(ws, path, fills):
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


def _parsed_rows(ws: Any, path: Path, fills: Sequence[str]) -> Iterator[tuple[list[Cell], bool]]:
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
            row = _trim([_cell(c, fills) for c in raw[:MAX_COLUMNS]])
            cut = len(raw) > MAX_COLUMNS and any(c.value is not None for c in raw[MAX_COLUMNS:])
        except (KpiExcelError, _RowsOutOfOrder):
            raise
        except Exception as error:  # openpyxl and the XML parser raise many types for damaged sheets
            raise _unreadable(f"sheet {quote_sheet(ws.title)} cannot be read", error, str(path)) from error
        yield row, cut


def _check_sheet_xml(ws: Any, rows: Sequence[Sequence[Cell]]) -> frozenset[int]:
    """The hidden rows among those read, as the sheet's XML says (openpyxl's values do not).

    Formulas without saved results read as blanks, so they stop the read: a blank is not a value.
    """
    parser: _FactNotingParser | None = getattr(ws, "facts", None)
    if parser is None:
        return frozenset()
    unsaved = [cell for row, cell in parser.unsaved if row <= len(rows)]
    if unsaved:
        raise UnreadableWorkbookError(
            "formulas in this workbook have no saved results (it was written by a program, not saved "
            f"in Excel), so {len(unsaved):,} formula cell{'s' if len(unsaved) > 1 else ''} on this sheet, "
            "the first here, would read as blank",
            where=f"{quote_sheet(ws.title)}!{unsaved[0]}", fix="Open it in Excel and save it, then retry")
    return frozenset(row for row in parser.hidden_rows if row <= len(rows))


def _trim(row: list[Cell]) -> list[Cell]:
    while row and row[-1] is EMPTY:
        row.pop()
    return row


def _cell(raw: Any, fills: Sequence[str]) -> Cell:
    value = raw.value  # read-only cells and empty cells both have value, data_type, number_format
    style = raw._style_id if raw.__class__ is ReadOnlyCell else 0
    fill = fills[style] if 0 < style < len(fills) else ""
    if value is None:
        return Cell(None, fill=fill) if fill else EMPTY
    if isinstance(value, str):
        value = decode_excel_escapes(value)
    return Cell(value, raw.number_format or "General", raw.data_type == "e", fill)


def style_fills(book: openpyxl.Workbook) -> list[str]:
    """The solid fill colour ('FF0000') of each of the workbook's cell styles, '' for none: looked up
    once per workbook, not once per cell. Only
    colours written as RGB or as a legacy palette index are known; a theme colour is left out."""
    fills = []
    for style in getattr(book, "_cell_styles", ()):
        try:
            fill = book._fills[style.fillId]
        except (IndexError, AttributeError):
            fills.append("")
            continue
        fills.append(_solid_colour(fill))
    return fills


def _solid_colour(fill: Any) -> str:
    if getattr(fill, "patternType", None) != "solid":
        return ""
    colour = fill.fgColor
    if colour is None:
        return ""
    if colour.type == "rgb" and isinstance(colour.rgb, str) and len(colour.rgb) in (6, 8):
        return colour.rgb[-6:].upper()
    if colour.type == "indexed" and isinstance(colour.indexed, int) and colour.indexed < len(COLOR_INDEX):
        return COLOR_INDEX[colour.indexed][-6:].upper()
    return ""


