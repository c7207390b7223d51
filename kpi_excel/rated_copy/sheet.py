"""Adds cells to a worksheet's XML as it streams through: every byte not edited is copied as it is."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO

from kpi_excel.excel.refs import column_letter
from kpi_excel.excel.xmltext import escape
from kpi_excel.rated_copy.model import NUMBER_KINDS, CannotEdit, NewCell, TablePlan
from kpi_excel.rated_copy.sheet_head import edit_head
from kpi_excel.rated_copy.sheet_tail import SheetAdditions, edit_tail, refuse_merged_cells
from kpi_excel.rated_copy.stream import (
    SHEET_DATA_END,
    Stream,
    cells,
    has_content,
    row_number,
    start_tag,
    style_of,
)

MAX_HEAD_BYTES = 16 << 20  # everything before <sheetData>
MAX_TAIL_BYTES = 64 << 20  # everything after </sheetData>

# the looks the new cells take, each a copy of a department cell's style: the header, a word
# (centred), a period's name (centred), and a figure in the row's number format
HEADER, WORD, FIGURE = "header", "word", "figure"


@dataclass
class StyleRequests:
    """The styles new cells need, asked for by the style index of the cell they copy.

    index() returns the index of a cell format: an existing one that is the same (a build from a
    rated copy finds last month's), or a new one the styles part appends after the existing ones,
    so none of those moves."""

    first_index: int
    made: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, copied index, number format)
    existing: Callable[[str, int, str], int | None] = lambda kind, copied, number_format: None

    given: dict[tuple[str, int, str], int] = field(default_factory=dict)  # asked for already

    def index(self, kind: str, copied: int, number_format: str = "") -> int:
        key = (kind, copied, number_format)
        if key in self.given:
            return self.given[key]
        found = self.existing(kind, copied, number_format)
        if found is None:
            self.made.append(key)
            found = self.first_index + len(self.made) - 1
        self.given[key] = found
        return found


def edit_sheet(source: IO[bytes], target: IO[bytes], plans: Sequence[TablePlan], styles: StyleRequests,
               tail_additions: Callable[[bytes], SheetAdditions]) -> list[str]:
    """Copy a worksheet part from source to target, adding the plans' cells to their rows.

    Reads and writes in chunks, holding one row at a time. tail_additions gets the XML after
    the cells (to read the sheet's own conditional formats and notes) and says what to add there.
    Returns what build says about the sheet (a hidden column shown, a validation narrowed).
    Raises CannotEdit when the sheet is not one this can edit without risk.
    """
    said: list[str] = []
    stream = Stream(source)
    head = stream.until(b"<sheetData", MAX_HEAD_BYTES, "its settings before the cells are too large")
    target.write(edit_head(head, plans, said))
    start = stream.until(b">", 1 << 10, "its cell table does not open properly")
    if start.endswith(b"/>"):
        raise CannotEdit("the sheet holds no cells")
    target.write(start)
    _edit_rows(stream, target, plans, styles)
    tail = stream.rest(MAX_TAIL_BYTES, "its settings after the cells are too large")
    refuse_merged_cells(tail, plans)
    target.write(edit_tail(tail, plans, tail_additions(tail), said))
    return said


def _edit_rows(stream: Stream, target: IO[bytes], plans: Sequence[TablePlan], styles: StyleRequests) -> None:
    """Copy <sheetData>'s rows, adding cells to the rows the plans name."""
    by_row: dict[int, TablePlan] = {}
    for plan in plans:
        box = plan.edited
        for r in range(box.row1, box.row2 + 1):
            by_row[r] = plan
    wanted = {r for plan in plans for r in (*plan.rows, plan.header_row)}
    bottom = max(by_row)
    number = 0
    while True:
        if not wanted and number >= bottom:  # the rest of the rows as they are, unlooked at
            if not stream.copy_until(SHEET_DATA_END, target):
                raise CannotEdit("its cell table does not close")
            break
        row = stream.next_row(target)
        if row is None:
            break
        number = row_number(row, number)
        if number in by_row:
            row = _edit_row(row, number, by_row[number], styles)
            wanted.discard(number)
        target.write(row)
    if wanted:
        raise CannotEdit(f"row {min(wanted)} is not where it was read")


def _edit_row(row: bytes, number: int, plan: TablePlan, styles: StyleRequests) -> bytes:
    """The row with the plan's cells in column order. A cell already in a new column must be empty,
    unless it is in the block of an earlier build, which this one replaces."""
    start = start_tag(row)
    if start.endswith(b"/>"):  # an empty row: open it
        row = start[:-2].rstrip() + b"></row>"
        start = start_tag(row)
    first, last = plan.first_col, plan.last_col
    edited = plan.edited
    old = plan.refreshed
    insert_at = len(start)
    drop: list[tuple[int, int]] = []
    near = b""  # the last cell left of the new ones: they take its look
    for col, begin, end, element in cells(row, len(start)):
        ours = old is not None and old.holds(col, number)
        if col < first and not ours:
            insert_at = end
            near = element
        elif edited.col1 <= col <= edited.col2 and (ours or first <= col <= last):
            if not ours and has_content(element):
                raise CannotEdit(f"cell {column_letter(col + 1)}{number}, where a rated column goes, "
                                 "is not empty")
            drop.append((begin, end))
        elif col < first:
            insert_at = end
    new = _new_cells(plan, number, style_of(near) if near else 0, styles)
    pieces, pos = [], 0
    for begin, end in drop:
        pieces.append(row[pos:begin])
        pos = end
    pieces.append(row[pos:])
    kept = b"".join(pieces)
    insert_at -= sum(end - begin for begin, end in drop if end <= insert_at)
    return _widen_spans(kept[:insert_at] + new + kept[insert_at:], last + 1)


def _new_cells(plan: TablePlan, number: int, style_near: int, styles: StyleRequests) -> bytes:
    if number == plan.header_row:
        style = styles.index(HEADER, style_near)
        return b"".join(
            f'<c r="{column_letter(plan.first_col + i + 1)}{number}" s="{style}" t="inlineStr">'
            f"<is><t>{escape(text)}</t></is></c>".encode()
            for i, (_, text) in enumerate(plan.headers))
    if number not in plan.rows:  # a section heading's band (or a row below), blank in its own style
        if not style_near or number > max(plan.rows):
            return b""
        return b"".join(f'<c r="{column_letter(col + 1)}{number}" s="{style_near}"/>'.encode()
                        for col in range(plan.first_col, plan.last_col + 1))
    return b"".join(_formula_cell(cell, number, _style(cell, style_near, styles))
                    for cell in plan.rows[number])


def _style(cell: NewCell, near: int, styles: StyleRequests) -> int:
    """A figure in the row's number format; a word or a period's name centred."""
    if cell.kind in NUMBER_KINDS:
        return styles.index(FIGURE, near, cell.number_format)
    return styles.index(WORD, near)


def _formula_cell(cell: NewCell, number: int, style: int) -> bytes:
    ref = f"{column_letter(cell.col + 1)}{number}"
    # a lookup over the row is a legacy single-cell array formula, as the RAG workbook writes them
    formula = (f'<f t="array" ref="{ref}">{escape(cell.formula)}</f>' if cell.array
               else f"<f>{escape(cell.formula)}</f>")
    if isinstance(cell.result, str):
        return f'<c r="{ref}" s="{style}" t="str">{formula}<v>{escape(cell.result)}</v></c>'.encode()
    return f'<c r="{ref}" s="{style}">{formula}<v>{cell.result!r}</v></c>'.encode()


def _widen_spans(row: bytes, last: int) -> bytes:
    """The row's spans hint (first:last column), widened to take in the new cells."""
    start = start_tag(row)
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
