"""Adds cells to a worksheet's XML as it streams through: every byte not edited is copied as it is."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from kpi_excel.excel.refs import column_letter
from kpi_excel.excel.xmltext import escape, quoteattr
from kpi_excel.rated_copy.plan import NewCell, SheetPlan

CHUNK = 1 << 20
MAX_ROW_BYTES = 16 << 20  # one row's XML; a KPI row is a few kilobytes
MAX_HEAD_BYTES = 16 << 20  # everything before <sheetData>
MAX_TAIL_BYTES = 64 << 20  # everything after </sheetData>

_TAG = re.compile(rb"""<(/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>""")
_ROW_OR_END = re.compile(rb"<row[\s/>]|</sheetData>")
_CELL_START = re.compile(rb"<c[\s/>]")
_SHEET_DATA_END = b"</sheetData>"
_ATTR_R = re.compile(rb"""\sr\s*=\s*["']([A-Z]{0,3})(\d+)["']""")
_ATTR_S = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")

# what may follow <conditionalFormatting> and <dataValidations> in a worksheet (CT_Worksheet order)
_AFTER_CONDITIONAL = ("dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup",
                      "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
                      "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF",
                      "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
                      "extLst")
_AFTER_VALIDATIONS = _AFTER_CONDITIONAL[1:]
_AFTER_LEGACY_DRAWING = _AFTER_CONDITIONAL[_AFTER_CONDITIONAL.index("legacyDrawingHF"):]


class CannotEdit(Exception):
    """The sheet cannot be edited safely; the message says why, in words for the user."""


@dataclass
class StyleRequests:
    """The styles new cells need, asked for by the style index of the cell they copy.

    header(s) and body(s) return the index of a new cell format; the styles part appends them
    after the existing ones, so none of those moves.
    """

    first_index: int
    made: list[tuple[str, int]] = field(default_factory=list)  # (kind, copied index) in order

    def index(self, kind: str, copied: int) -> int:
        key = (kind, copied)
        if key not in self.made:
            self.made.append(key)
        return self.first_index + self.made.index(key)


@dataclass
class SheetAdditions:
    """What goes after the sheet's cells: conditional formats and the header notes."""

    conditional: bytes = b""
    validations: list[bytes] = field(default_factory=list)  # <dataValidation> elements
    legacy_drawing: bytes = b""  # the <legacyDrawing> that shows new notes, where the sheet had none


def edit_sheet(source: IO[bytes], target: IO[bytes], plan: SheetPlan, styles: StyleRequests,
               tail_additions: Callable[[bytes], SheetAdditions]) -> None:
    """Copy a worksheet part from source to target, adding the plan's cells to their rows.

    Reads and writes in chunks, holding one row at a time. tail_additions gets the XML after
    the cells (to read the sheet's own conditional-format priorities) and says what to add there.
    Raises CannotEdit when the sheet is not one this can edit without risk.
    """
    stream = _Stream(source)
    head = stream.until(b"<sheetData", MAX_HEAD_BYTES, "its settings before the cells are too large")
    target.write(_edit_head(head, plan))
    start = stream.until(b">", 1 << 10, "its cell table does not open properly")
    if start.endswith(b"/>"):
        raise CannotEdit("the sheet holds no cells")
    target.write(start)
    _edit_rows(stream, target, plan, styles)
    tail = stream.rest(MAX_TAIL_BYTES, "its settings after the cells are too large")
    _refuse_merged_cells(tail, plan)
    target.write(_edit_tail(tail, plan, tail_additions(tail)))


class _Stream:
    """The part's bytes, read a chunk at a time; positions count from the first byte not yet taken."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.data = b""
        self.pos = 0  # bytes of data already taken
        self.done = False

    def fill(self) -> bool:
        if self.done:
            return False
        chunk = self.source.read(CHUNK)
        if not chunk:
            self.done = True
            return False
        self.data = self.data[self.pos:] + chunk  # the taken bytes are dropped only here
        self.pos = 0
        return True

    def find(self, pattern: re.Pattern[bytes] | bytes, start: int, limit: int, why: str) -> int:
        """Where pattern next starts, counted from the first byte not taken (reading more as needed),
        or -1 at the end of the part."""
        while True:
            if isinstance(pattern, bytes):
                at = self.data.find(pattern, self.pos + start)
            else:
                match = pattern.search(self.data, self.pos + start)
                at = match.start() if match else -1
            if at >= 0:
                return at - self.pos
            if len(self.data) - self.pos > limit:
                raise CannotEdit(why)
            if not self.fill():
                return -1

    def at(self, start: int, end: int) -> bytes:
        return self.data[self.pos + start:self.pos + end]

    def until(self, marker: bytes, limit: int, why: str) -> bytes:
        """Take everything before marker (through it, when marker is '>')."""
        at = self.find(marker, 0, limit, why)
        if at < 0:
            raise CannotEdit(why)
        return self.take(at + len(marker) if marker == b">" else at)

    def take(self, end: int) -> bytes:
        taken = self.data[self.pos:self.pos + end]
        self.pos += end
        return taken

    def copy_until(self, marker: bytes, target: IO[bytes]) -> bool:
        """Write everything before marker to target a chunk at a time; False when there is none."""
        while True:
            at = self.data.find(marker, self.pos)
            if at >= 0:
                target.write(self.take(at - self.pos))
                return True
            keep = len(marker) - 1  # the marker may begin at the chunk's end
            if len(self.data) - self.pos > keep:
                target.write(self.take(len(self.data) - self.pos - keep))
            if not self.fill():
                return False

    def rest(self, limit: int, why: str) -> bytes:
        while self.fill():
            if len(self.data) - self.pos > limit:
                raise CannotEdit(why)
        return self.take(len(self.data) - self.pos)


def _edit_rows(stream: _Stream, target: IO[bytes], plan: SheetPlan, styles: StyleRequests) -> None:
    """Copy <sheetData>'s rows, adding cells to the rows the plan names."""
    wanted = set(plan.rows) | {plan.header_row}
    bottom = max(plan.rows)
    # rows inside the table that rate nothing (section headings): the new cells carry on their look
    banded = set(range(plan.header_row + 1, bottom)) - wanted
    row_number = 0
    while True:
        if not wanted and row_number >= bottom:  # the rest of the rows as they are, unlooked at
            if not stream.copy_until(_SHEET_DATA_END, target):
                raise CannotEdit("its cell table does not close")
            break
        at = stream.find(_ROW_OR_END, 0, MAX_ROW_BYTES, "a row of the sheet is too large")
        if at < 0:
            raise CannotEdit("its cell table does not close")
        if stream.at(at, at + 2) == b"</":
            target.write(stream.take(at))
            break
        target.write(stream.take(at))
        row = _take_element(stream, b"row")
        r = _ATTR_R.search(_start_tag(row))
        row_number = int(r.group(2)) if r else row_number + 1
        if row_number in wanted or row_number in banded:
            row = _edit_row(row, row_number, plan, styles)
            wanted.discard(row_number)
        target.write(row)
    if wanted:
        raise CannotEdit(f"row {min(wanted)} is not where it was read")


def _take_element(stream: _Stream, name: bytes) -> bytes:
    """The element starting the buffer, whole: its start tag, content and end tag."""
    tag_end = stream.find(b">", 0, MAX_ROW_BYTES, "a row of the sheet is too large")
    if tag_end < 0:
        raise CannotEdit("the sheet ends inside a row")
    if stream.at(tag_end - 1, tag_end) == b"/":
        return stream.take(tag_end + 1)
    close = b"</" + name + b">"
    end = stream.find(close, tag_end, MAX_ROW_BYTES, "a row of the sheet is too large")
    if end < 0:
        raise CannotEdit("the sheet ends inside a row")
    return stream.take(end + len(close))


def _start_tag(element: bytes) -> bytes:
    match = _TAG.match(element)
    if match is None:
        raise CannotEdit("a row's XML is not as Excel writes it")
    return match.group(0)


def _edit_row(row: bytes, number: int, plan: SheetPlan, styles: StyleRequests) -> bytes:
    """The row with the plan's cells in column order; a cell already in a new column must be empty."""
    start = _start_tag(row)
    if start.endswith(b"/>"):  # an empty row: open it
        row = start[:-2].rstrip() + b"></row>"
        start = _start_tag(row)
    cells = _cells(row, len(start))
    first, last = plan.first_col, plan.last_col
    insert_at = len(start)
    drop: list[tuple[int, int]] = []
    style_near = 0
    for col, begin, end, element in cells:
        if col < first:
            insert_at = end
            style_near = _style(element)
        elif col <= last:
            if re.search(rb"<(v|f|is)[\s>/]", element):
                raise CannotEdit(f"cell {column_letter(col + 1)}{number}, where a rated column goes, "
                                 "is not empty")
            drop.append((begin, end))
    new = _new_cells(plan, number, style_near, styles)
    pieces, pos = [], 0
    for begin, end in drop:
        pieces.append(row[pos:begin])
        pos = end
    pieces.append(row[pos:])
    kept = b"".join(pieces)
    shift = sum(end - begin for begin, end in drop if end <= insert_at)
    insert_at -= shift
    edited = kept[:insert_at] + new + kept[insert_at:]
    return _widen_spans(edited, last + 1)


def _cells(row: bytes, offset: int) -> list[tuple[int, int, int, bytes]]:
    """Each cell of a row: its 0-based column, where it begins and ends, and its XML."""
    found: list[tuple[int, int, int, bytes]] = []
    col = -1
    pos = offset
    while True:
        match = _CELL_START.search(row, pos)
        if match is None:
            return found
        begin = match.start()
        tag = _TAG.match(row, begin)
        if tag is None:
            raise CannotEdit("a cell's XML is not as Excel writes it")
        if tag.group(4):
            end = tag.end()
        else:
            close = row.find(b"</c>", tag.end())
            if close < 0:
                raise CannotEdit("a cell's XML is not as Excel writes it")
            end = close + 4
        ref = _ATTR_R.search(tag.group(0))
        col = _column_index(ref.group(1)) if ref and ref.group(1) else col + 1
        found.append((col, begin, end, row[begin:end]))
        pos = end


def _column_index(letters: bytes) -> int:
    col = 0
    for letter in letters:
        col = col * 26 + letter - 64
    return col - 1


def _style(element: bytes) -> int:
    match = _ATTR_S.search(_TAG.match(element).group(0))  # type: ignore[union-attr]
    return int(match.group(1)) if match else 0


def _new_cells(plan: SheetPlan, number: int, style_near: int, styles: StyleRequests) -> bytes:
    if number == plan.header_row:
        style = styles.index("header", style_near)
        return b"".join(
            f'<c r="{column_letter(plan.first_col + i + 1)}{number}" s="{style}" t="inlineStr">'
            f"<is><t>{escape(text)}</t></is></c>".encode()
            for i, (_, text) in enumerate(plan.headers))
    if number not in plan.rows:  # a section heading's band, as blank cells in its own style
        if not style_near:
            return b""
        return b"".join(f'<c r="{column_letter(col + 1)}{number}" s="{style_near}"/>'.encode()
                        for col in range(plan.first_col, plan.last_col + 1))
    style = styles.index("body", style_near)
    return b"".join(_formula_cell(cell, number, style) for cell in plan.rows[number])


def _formula_cell(cell: NewCell, number: int, style: int) -> bytes:
    ref = f"{column_letter(cell.col + 1)}{number}"
    # a legacy single-cell array formula, as the RAG workbook writes its lookups over a row
    return (f'<c r="{ref}" s="{style}" t="str"><f t="array" ref="{ref}">{escape(cell.formula)}</f>'
            f"<v>{escape(cell.result)}</v></c>").encode()


def _widen_spans(row: bytes, last: int) -> bytes:
    """The row's spans hint (first:last column), widened to take in the new cells."""
    start = _start_tag(row)
    match = re.search(rb"""\sspans\s*=\s*["']([\d: ]*)["']""", start)
    if not match:
        return row
    spans = match.group(1).split()
    if not spans:
        return row
    low, _, high = spans[-1].partition(b":")
    if high and int(high) < last:
        spans[-1] = low + b":" + str(last).encode()
    new_start = start[:match.start(1)] + b" ".join(spans) + start[match.end(1):]
    return new_start + row[len(start):]


# --- before and after the cells -------------------------------------------------------------


def _edit_head(head: bytes, plan: SheetPlan) -> bytes:
    """The sheet's dimension widened, and column widths for the new columns where none is set."""
    if not head.lstrip().startswith(b"<?xml") and b"<worksheet" not in head:
        raise CannotEdit("its XML does not start as a worksheet's does")
    if re.search(rb"<\w+:worksheet[\s>]", head):
        raise CannotEdit("its XML uses a namespace prefix for the worksheet, which Excel never writes")
    declaration = re.match(rb"""<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']""", head)
    if declaration and declaration.group(1).lower() not in (b"utf-8", b"utf8"):
        raise CannotEdit("its XML is not in UTF-8")
    if b"<!DOCTYPE" in head or b"<![CDATA[" in head:
        raise CannotEdit("its XML holds a DTD or CDATA, which Excel never writes")
    head = _widen_dimension(head, plan.last_col)
    return _add_widths(head, plan)


def _widen_dimension(head: bytes, last: int) -> bytes:
    match = re.search(rb"""<dimension\s+ref\s*=\s*["']([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?["']""", head)
    if not match:
        return head
    end_col, end_row = (match.group(3), match.group(4)) if match.group(3) else match.group(1, 2)
    if _column_index(end_col) >= last:
        return head
    new = (match.group(1) + match.group(2) + b":" + column_letter(last + 1).encode() + end_row)
    return head[:match.start(1)] + new + head[match.end(4 if match.group(3) else 2):]


COLUMN_WIDTH = {"rag": 11.7109375, "direction": 13.7109375, "range": 13.7109375}


def _add_widths(head: bytes, plan: SheetPlan) -> bytes:
    """A <col> for each new column that no existing <col> covers."""
    spans = [(int(a), int(b)) for a, b in re.findall(
        rb"""<col\s[^>]*?min\s*=\s*["'](\d+)["'][^>]*?max\s*=\s*["'](\d+)["']""", head)]
    new = b"".join(
        f'<col min="{plan.first_col + i + 1}" max="{plan.first_col + i + 1}" '
        f'width="{COLUMN_WIDTH[kind]}" customWidth="1"/>'.encode()
        for i, (kind, _) in enumerate(plan.headers)
        if not any(low <= plan.first_col + i + 1 <= high for low, high in spans))
    if not new:
        return head
    if b"</cols>" in head:
        return head.replace(b"</cols>", new + b"</cols>", 1)
    if re.search(rb"<cols\s*/>", head):
        return re.sub(rb"<cols\s*/>", b"<cols>" + new + b"</cols>", head, count=1)
    return head + b"<cols>" + new + b"</cols>"  # head ends just before <sheetData>


def _edit_tail(tail: bytes, plan: SheetPlan, additions: SheetAdditions) -> bytes:
    elements = top_level_elements(tail)
    if additions.legacy_drawing:
        if any(name.split(b":")[-1] == b"legacyDrawing" for name, _, _ in elements):
            raise CannotEdit("it has a drawing for notes that its relationships do not name")
        at = _first_of(elements, _AFTER_LEGACY_DRAWING, len(tail) - len(b"</worksheet>"))
        tail = tail[:at] + additions.legacy_drawing + tail[at:]
        elements = top_level_elements(tail)
    if additions.validations:
        tail = _add_validations(tail, elements, additions.validations)
        elements = top_level_elements(tail)
    if additions.conditional:
        at = _first_of(elements, _AFTER_CONDITIONAL, len(tail) - len(b"</worksheet>"))
        tail = tail[:at] + additions.conditional + tail[at:]
    return tail


def top_level_elements(tail: bytes) -> list[tuple[bytes, int, int]]:
    """The worksheet's child elements in the XML after the cells: (name, start, end)."""
    found: list[tuple[bytes, int, int]] = []
    depth = 0
    start = 0
    pos = tail.find(_SHEET_DATA_END) + len(_SHEET_DATA_END)
    while True:
        match = _TAG.search(tail, pos)
        if match is None:
            return found
        closing, name, _, empty = match.groups()
        if name == b"worksheet":
            return found
        if closing:
            depth -= 1
            if depth == 0:
                found.append((name, start, match.end()))
        elif empty:
            if depth == 0:
                found.append((name, match.start(), match.end()))
        else:
            if depth == 0:
                start = match.start()
            depth += 1
        pos = match.end()


def _first_of(elements: list[tuple[bytes, int, int]], names: tuple[str, ...], default: int) -> int:
    wanted = {n.encode() for n in names}
    return next((start for name, start, _ in elements if name.split(b":")[-1] in wanted), default)


def _add_validations(tail: bytes, elements: list[tuple[bytes, int, int]], new: list[bytes]) -> bytes:
    existing = [(start, end) for name, start, end in elements if name == b"dataValidations"]
    if not existing:
        at = _first_of(elements, _AFTER_VALIDATIONS, len(tail) - len(b"</worksheet>"))
        block = f'<dataValidations count="{len(new)}">'.encode() + b"".join(new) + b"</dataValidations>"
        return tail[:at] + block + tail[at:]
    start, end = existing[0]
    block = tail[start:end]
    count = re.search(rb"""count\s*=\s*["'](\d+)["']""", _TAG.match(block).group(0))  # type: ignore[union-attr]
    if block.endswith(b"/>"):
        raise CannotEdit("its data validation list is empty but not closed as Excel writes it")
    if count:
        total = int(count.group(1)) + len(new)
        block = block[:count.start(1)] + str(total).encode() + block[count.end(1):]
    block = block[:-len(b"</dataValidations>")] + b"".join(new) + b"</dataValidations>"
    return tail[:start] + block + tail[end:]


def _refuse_merged_cells(tail: bytes, plan: SheetPlan) -> None:
    top, bottom = plan.header_row, max(plan.rows)
    for ref in re.findall(rb"""<mergeCell\s+ref\s*=\s*["']([A-Z]+)(\d+):([A-Z]+)(\d+)["']""", tail):
        c1, r1, c2, r2 = _column_index(ref[0]), int(ref[1]), _column_index(ref[2]), int(ref[3])
        if c2 >= plan.first_col and c1 <= plan.last_col and r2 >= top and r1 <= bottom:
            raise CannotEdit(f"merged cells {ref[0].decode()}{r1}:{ref[2].decode()}{r2} cover "
                             "where the rated columns go")


def validation_note(ref: str, title: str, text: str) -> bytes:
    """A header cell's note, as the input message Excel and LibreOffice show when it is selected."""
    return (f'<dataValidation allowBlank="1" showInputMessage="1" promptTitle={quoteattr(title[:32])} '
            f'prompt={quoteattr(text[:255])} sqref="{ref}"/>').encode()
