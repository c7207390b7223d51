"""A cell as the table finder sees it, and Excel-style cell references (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from kpi_excel.core.values import CellNumber, parse_number
from kpi_excel.excel.refs import CellRef


@dataclass(frozen=True)
class Cell:
    """A cell as read: its value, number format and solid fill colour ('FF0000'; '' for none: a
    council may state a rating by colouring a cell and typing nothing in it)."""

    value: object
    number_format: str = "General"
    is_error: bool = False
    fill: str = ""

    @property
    def number(self) -> CellNumber:
        """The cell read as a number (parsed once: scale detection and reading both need it)."""
        # a plain memo: functools.cached_property takes a lock on every read before Python 3.12
        try:
            return self.__dict__["_number"]
        except KeyError:
            number = self.__dict__["_number"] = parse_number(self.value, self.number_format)
            return number


EMPTY = Cell(None)

Merge = tuple[int, int, int, int]  # a merged range: top row, left column, bottom row, right column (0-based)


def ref(sheet: str, row: int, col: int) -> CellRef:
    """A cell of the sheet, from the table finder's 0-based row and column: Sheet!B7."""
    return CellRef(sheet, row + 1, col + 1)
