"""A KPI table given as plain rows (a CSV file, a DataFrame) read by the reader's table finder,
with every place named as its source names it: tracker.csv:14:Target (pure)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Sequence
from typing import Protocol

from .errors import KpiExcelError, NoKpiTableError
from .model import Dataset, Indicator, Warning_, quote_sheet
from .reader import BookReader, Cell

SHEET = "Table"  # what the table finder calls the one sheet; never shown: every place is renamed
_REF = re.compile(r"(?P<sheet>.+)!(?P<col>[A-Z]{1,3})(?P<row>\d+)")
_EMPTY = Cell(None)


class Places(Protocol):
    """How a source names its places; rows and columns count from 0, as the table finder's do."""

    @property
    def name(self) -> str:
        """The source, as a message names it: tracker.csv."""
        ...

    def cell(self, row: int, col: int | None) -> str:
        """A cell (tracker.csv:14:Target), or with col None a row (tracker.csv:14)."""
        ...

    def line(self, row: int) -> int:
        """The row's number as the source counts rows (a CSV file's line)."""
        ...


def read_plain_rows(rows: Sequence[Sequence[object]], places: Places, *, sha256: str, file: str,
                    number_formats: Sequence[str | None] = (), numeric_columns: Collection[int] = (),
                    warnings: Sequence[Warning_] = ()) -> Dataset:
    """Read rows of plain values (text, numbers, dates; None for a blank) as one sheet holding a
    KPI table. A row's number format (such as 0.0%) applies to its numeric columns. `file` is how
    errors name the source (the path as given)."""
    cells = [_cells(row, number_formats[r] if r < len(number_formats) else None, numeric_columns)
             for r, row in enumerate(rows)]
    book = BookReader(warnings=list(warnings))
    try:
        book.add_sheet(SHEET, cells)
        dataset = book.dataset(places.name, sha256, file)
    except KpiExcelError as error:
        raise _placed_error(error, places, file) from None
    return _placed(dataset, places)


def _cells(row: Sequence[object], number_format: str | None, numeric: Collection[int]) -> list[Cell]:
    cells = [_EMPTY if value is None or value == "" else
             Cell(value, number_format if number_format and c in numeric else "General")
             for c, value in enumerate(row)]
    while cells and cells[-1] is _EMPTY:
        cells.pop()
    return cells


def rename(where: str, places: Places) -> str:
    """A reference to the one sheet (Table!E14) as the source names the place; others as they are."""
    match = _REF.fullmatch(where)
    if not match or match.group("sheet") != quote_sheet(SHEET):
        return where
    col = 0
    for letter in match.group("col"):
        col = col * 26 + ord(letter) - ord("A") + 1
    return places.cell(int(match.group("row")) - 1, col - 1)


def _placed(dataset: Dataset, places: Places) -> Dataset:
    return dataclasses.replace(
        dataset,
        indicators=tuple(_placed_indicator(ind, places) for ind in dataset.indicators),
        warnings=tuple(Warning_(w.message, rename(w.where, places)) for w in dataset.warnings),
    )


def _placed_indicator(ind: Indicator, places: Places) -> Indicator:
    line = places.line(ind.row - 1)
    observations = tuple(dataclasses.replace(o, cell=rename(o.cell, places)) for o in ind.observations)
    return dataclasses.replace(ind, observations=observations, sheet=places.name, row=line,
                               place=places.cell(ind.row - 1, None))


def _placed_error(error: KpiExcelError, places: Places, file: str) -> KpiExcelError:
    """The error naming the place as the source does: tracker.csv:14:Target."""
    if isinstance(error, NoKpiTableError) and not error.where:
        error.problem = f"{places.name} holds no KPI table"
        error.fix = ("Give it a header row (in its first 20 rows) with an 'Indicator' column, a 'Target' "
                     "column and one column per period, or a Period and a Value column (long form)")
    where = rename(error.where, places)
    if where.startswith(places.name + ":"):  # file:line:column, as compilers name a text file's places
        error.file, error.where = file, where[len(places.name) + 1:]
    else:
        error.where = where
        error.file = error.file or file
    error.args = (error.line(),)
    return error
