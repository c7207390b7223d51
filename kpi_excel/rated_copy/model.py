"""What the rated copy adds, as data: the added columns of each table and their cells (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpi_excel.core.model import Rating, Warning_
from kpi_excel.excel.refs import CellRef
from kpi_excel.stamp import RATED_COLUMNS

# The added columns, left to right: the figure a row is rated on and its period, then the words,
# then the figure it is compared with (the RAG and Direction formulas refer to these cells).
LATEST, PERIOD, RAG, DIRECTION, RANGE, COMPARED = "latest", "period", "rag", "direction", "range", "compared"
KINDS = (LATEST, PERIOD, RAG, DIRECTION, RANGE, COMPARED)
WORD_KINDS = (RAG, DIRECTION, RANGE)  # the columns holding words, centred
NUMBER_KINDS = (LATEST, COMPARED)  # the columns holding the row's figures, in its number format

# the defined name (one per sheet, over each table's added block: header row to last row) that
# tells a later build which columns kpi-excel added, so it refreshes them in place; Excel moves it
# with the columns when rows or columns are inserted
MARK_NAME = RATED_COLUMNS
MARK_COMMENT = "Columns added by kpi-excel: a later build from this workbook refreshes them in place"


class CannotEdit(Exception):
    """A part cannot be edited safely; the message says why, in words for the user."""


@dataclass(frozen=True)
class NewCell:
    """One added cell: a formula (without '=') and the result it is stored with."""

    col: int
    formula: str
    result: str | float
    kind: str  # one of KINDS: which conditional formats and look apply
    array: bool = False  # a legacy single-cell array formula (a lookup over the row's period cells)
    number_format: str = ""  # for a figure: the row's number format


@dataclass(frozen=True)
class Box:
    """A rectangle of cells, 0-based columns and 1-based rows."""

    col1: int
    row1: int
    col2: int
    row2: int

    def meets(self, other: Box) -> bool:
        return not (other.col2 < self.col1 or other.col1 > self.col2
                    or other.row2 < self.row1 or other.row1 > self.row2)

    def holds(self, col: int, row: int) -> bool:
        return self.col1 <= col <= self.col2 and self.row1 <= row <= self.row2


@dataclass
class TablePlan:
    """The columns added to one table of a sheet, and each row's new cells."""

    sheet: str
    header_row: int
    first_col: int
    headers: list[tuple[str, str]]  # (kind, header text), left to right
    rows: dict[int, list[NewCell]] = field(default_factory=dict)
    note: str = ""  # what the header cells' note says
    refreshed: Box | None = None  # the block a build from a rated copy found there, refreshed in place

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.headers) - 1

    def col_of(self, kind: str) -> int:
        return self.first_col + [k for k, _ in self.headers].index(kind)

    def has(self, kind: str) -> bool:
        return any(k == kind for k, _ in self.headers)

    @property
    def data_rows(self) -> tuple[int, int]:
        return min(self.rows), max(self.rows)

    @property
    def block(self) -> Box:
        """The added cells, header row to last row."""
        return Box(self.first_col, self.header_row, self.last_col, max(self.rows))

    @property
    def edited(self) -> Box:
        """The cells this edit owns: the new block, and any block of an earlier build it replaces."""
        box = self.block
        if self.refreshed is None:
            return box
        old = self.refreshed
        return Box(min(box.col1, old.col1), min(box.row1, old.row1), max(box.col2, old.col2),
                   max(box.row2, old.row2))


@dataclass(frozen=True)
class TableRatings:
    """One table's indicators, as the reader found them on a sheet, before the columns are placed."""

    sheet: str
    header_row: int
    ratings: tuple[Rating, ...]
    headers: tuple[tuple[str, str], ...]  # (kind, header text)
    last_col: int  # the table's last column as the reader saw it

    @property
    def width(self) -> int:
        return len(self.headers)

    @property
    def rows(self) -> set[int]:
        """The rows that get cells: each indicator's, or in long form each of its periods' rows."""
        found = set()
        for rating in self.ratings:
            indicator = rating.indicator
            if indicator.cells is not None and indicator.cells.long_form:
                found |= {o.cell.row for o in indicator.observations if isinstance(o.cell, CellRef)}
            else:
                found.add(indicator.row)
        return found

    @property
    def read_to(self) -> int:
        """The last column the reader read a figure or a setting from."""
        cols = [c for r in self.ratings if (m := r.indicator.cells) is not None
                for c in (*m.values, m.target, m.floor, m.tolerance, m.lower, m.upper) if c is not None]
        return max(cols, default=0)


@dataclass(frozen=True)
class Plans:
    """Every table's plan, and one line for each sheet or cell the copy cannot rate as check does."""

    tables: tuple[TablePlan, ...]
    notes: tuple[Warning_, ...]
