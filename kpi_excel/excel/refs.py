"""Cell references: a sheet's name as a reference writes it, and Excel's column letters."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=64)  # called for every warning and cell reference
def quote_sheet(sheet: str) -> str:
    """A sheet name as a cell reference needs it: KPIs, or 'KPI data' with quotes doubled."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def column_letter(number: int) -> str:
    """Excel's letters for a 1-based column number: 1 -> A, 27 -> AA."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class CellRef(str):
    """A workbook cell, written as Excel writes a reference (KPIs!G7, 'KPI data'!G7) and carrying
    its parts, so nothing ever parses a reference kpi-excel made: rows and columns count from 1.

    It is a str, so a message, a JSON report or a sheet of warnings shows it as it is written."""

    __slots__ = ("sheet", "row", "col")
    sheet: str
    row: int
    col: int

    def __new__(cls, sheet: str, row: int, col: int = 1) -> CellRef:
        ref = super().__new__(cls, f"{quote_sheet(sheet)}!{column_letter(col)}{row}")
        ref.sheet, ref.row, ref.col = sheet, row, col
        return ref

    @property
    def a1(self) -> str:
        """The cell on its sheet: G7."""
        return f"{column_letter(self.col)}{self.row}"

    @property
    def absolute(self) -> str:
        """The reference fixed in a formula: KPIs!$G$7."""
        return f"{quote_sheet(self.sheet)}!${column_letter(self.col)}${self.row}"

    def shifted(self, columns: int) -> CellRef:
        """The cell so many columns to the right."""
        return CellRef(self.sheet, self.row, self.col + columns)

    def __reduce__(self) -> tuple[type[CellRef], tuple[str, int, int]]:  # for other processes
        return CellRef, (self.sheet, self.row, self.col)


class LineRef(str):
    """A place in a text source (a CSV file's line, and the column by its heading), written as
    compilers name them, tracker.csv:14:Target, and carrying its parts."""

    __slots__ = ("source", "line", "column")
    source: str
    line: int
    column: str

    def __new__(cls, source: str, line: int, column: str = "") -> LineRef:
        text = f"{source}:{line}:{column}" if column else f"{source}:{line}"
        ref = super().__new__(cls, text)
        ref.source, ref.line, ref.column = source, line, column
        return ref

    @property
    def within(self) -> str:
        """The place without its source's name (14:Target), for a message that names the file."""
        return self[len(self.source) + 1:]

    def __reduce__(self) -> tuple[type[LineRef], tuple[str, int, str]]:
        return LineRef, (self.source, self.line, self.column)


def row_of(place: str) -> tuple[str, int] | None:
    """The sheet (or text source) and row a place is in; None for a place that is not a cell."""
    if isinstance(place, CellRef):
        return place.sheet, place.row
    if isinstance(place, LineRef):
        return place.source, place.line
    return None
