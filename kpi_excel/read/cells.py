"""A cell as the table finder sees it, and Excel-style cell references (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from kpi_excel.core.values import CellNumber, parse_number
from kpi_excel.excel.refs import column_letter, quote_sheet


@dataclass(frozen=True)
class Cell:
    """A cell as read: its value and number format."""

    value: object
    number_format: str = "General"
    is_error: bool = False

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


def ref(sheet: str, row: int, col: int) -> str:
    """A cell reference as Excel writes it: Sheet!B7, or 'KPI data'!B7 when the name needs quotes."""
    return f"{quote_sheet(sheet)}!{column_letter(col + 1)}{row + 1}"
