"""Where each table's rated columns go: beside the table, past any cell, merge or other table in the
way (a sheet is read once for this, streamed, before it is edited)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

from kpi_excel.core.model import Warning_
from kpi_excel.excel.refs import CellRef, column_letter
from kpi_excel.rated_copy.model import Box, TableRatings
from kpi_excel.rated_copy.sheet_tail import box_ref, merged_boxes
from kpi_excel.rated_copy.stream import SHEET_DATA_END, Stream, cells, has_content, row_number, start_tag

MAX_TAIL_BYTES = 64 << 20
MAX_COLUMN = 16_383  # Excel's last column, 0-based (XFD)


@dataclass
class SheetLayout:
    """What the rows of a sheet's tables hold: the columns with a value or formula in each row,
    the merged ranges, and the Excel tables."""

    filled: dict[int, set[int]] = field(default_factory=dict)  # row -> 0-based columns
    merges: list[Box] = field(default_factory=list)
    tables: list[Box] = field(default_factory=list)


def scan_sheet(source: IO[bytes], rows: range, tables: Sequence[Box] = ()) -> SheetLayout:
    """The filled cells of the given rows, and every merged range: the rows after the last one
    wanted are passed over unparsed."""
    layout = SheetLayout(tables=list(tables))
    stream = Stream(source)
    if stream.find(b"<sheetData", 0, 16 << 20, "") < 0:
        return layout
    number = 0
    while number < rows.stop - 1:
        row = stream.next_row(None)
        if row is None:
            break
        number = row_number(row, number)
        if number in rows:
            layout.filled[number] = {col for col, _, _, cell in cells(row, len(start_tag(row)))
                                     if has_content(cell)}
    stream.copy_until(SHEET_DATA_END, None)
    layout.merges = merged_boxes(stream.rest(MAX_TAIL_BYTES, "its settings after the cells are too large"))
    return layout


def place(table: TableRatings, layout: SheetLayout, earlier: Sequence[Box]
          ) -> tuple[int, Box | None, list[Warning_]]:
    """The first column of the table's rated columns, the block of an earlier build they refresh (or
    None), and a note where they cannot sit right beside the table.

    Beside the table is right of its last heading (a one-column gap between headings is bridged),
    or where an earlier build put them. They move right past any filled cell, merged range or
    other Excel table in the rows they take."""
    top, bottom = table.header_row, max(table.rows)
    refreshed = next((box for box in earlier if box.row1 == top), None)
    if refreshed is not None:
        start = refreshed.col1
        bottom = max(bottom, refreshed.row2)
    else:
        # a note merged across columns beside the header row is no heading
        merged = {c for b in layout.merges if b.row1 <= top <= b.row2 and b.col2 > b.col1
                  for c in range(b.col1, b.col2 + 1)}
        start = _beside(layout.filled.get(top, set()) - merged, table.read_to)
    width = table.width
    obstacles = [b for b in (*layout.merges, *layout.tables)
                 if b.meets(Box(0, top, MAX_COLUMN, bottom)) and not _is_own(b, table)]

    def taken(col: int) -> str:
        """What is in the way in this column: a cell or range, or ''."""
        for row in range(top, bottom + 1):
            if col in layout.filled.get(row, ()) and not (refreshed and refreshed.holds(col, row)):
                return f"{column_letter(col + 1)}{row}"
        return next((box_ref(b) for b in obstacles if b.col1 <= col <= b.col2), "")

    first, blocking = start, []
    while first + width - 1 <= MAX_COLUMN:
        in_way = [what for col in range(first, first + width) if (what := taken(col))]
        if not in_way:
            break
        blocking.append(in_way[-1])
        first = max(first + 1, _column_after(in_way[-1]))
    notes = []
    if first != start:
        where = ", ".join(dict.fromkeys(blocking[:3]))
        notes.append(Warning_(f"the rated columns would cover {where}, so they start at column "
                              f"{column_letter(first + 1)}, not {column_letter(start + 1)}",
                              CellRef(table.sheet, top, start + 1)))
    return first, refreshed, notes


def _beside(header: set[int], read_to: int) -> int:
    """The column right of the table's last heading, reading right from the last column read."""
    last = read_to
    for col in sorted(c for c in header if c > read_to):
        if col > last + 2:
            break
        last = col
    return last + 1


def _is_own(box: Box, table: TableRatings) -> bool:
    """Whether an Excel table is the one the indicators were read from (it may grow to take them)."""
    return box.row1 == table.header_row and box.col1 <= table.read_to


def _column_after(where: str) -> int:
    """The column after a cell (W10) or a range (W5:Z6), 0-based."""
    last = where.split(":")[-1]
    letters = "".join(ch for ch in last if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return col
