"""A KPI table given as plain rows (a CSV file, a DataFrame) read by the reader's table finder,
with every place named as its source names it: tracker.csv:14:Target (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from kpi_excel.core.model import Dataset, Period, Warning_
from kpi_excel.core.values import clean_text, normalise
from kpi_excel.errors import KpiExcelError, NoKpiTableError
from kpi_excel.excel.refs import CellRef, LineRef
from kpi_excel.read import BookReader, Cell, Header, find_header
from kpi_excel.read.headings import Role

HOW_TO_READ = {"ispercent": "is_percent", "numberformat": "number_format",
               "missingreason": "missing_reason", "periodstart": "period_start"}
_NUMERIC_ROLES = {Role.VALUE, Role.TARGET, Role.FLOOR, Role.LOWER, Role.UPPER}
_TRUE = {"true", "yes", "y", "1"}
SHEET = "Table"  # what the table finder calls the one sheet; never shown: every place is renamed
EMPTY = Cell(None)


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
                    warnings: Sequence[Warning_] = (), period: Period | None = None,
                    columns: Mapping[str, str] | None = None) -> Dataset:
    """Read rows of plain values (text, numbers, dates; None for a blank) as one sheet holding a
    KPI table. `file` is how errors name the source (the path as given); `period` is the period of
    a value column whose heading names none (the --period option).

    kpi-excel's own long form (what `Report.observations_to_pandas` writes) adds columns that say
    how to read the others: a row's `number_format` (0.0%) and `is_percent` apply to its numbers,
    and `missing_reason` (TBC, Not due) stands for a blank value, as the workbook's cell held it.
    """
    cells = [_cells(row) for row in rows]
    header = find_header(cells)
    if header is not None:
        cells = _read_as_told(cells, header)
    book = BookReader(period=period, warnings=list(warnings), columns_told=dict(columns or {}))
    try:
        book.add_sheet(SHEET, cells)
        dataset = book.dataset(places.name, sha256, file)
    except KpiExcelError as error:
        raise _placed_error(error, places, file) from None
    return _placed(dataset, places)


def _cells(row: Sequence[object]) -> list[Cell]:
    cells = [EMPTY if value is None or value == "" else Cell(value) for value in row]
    while cells and cells[-1] is EMPTY:
        cells.pop()
    return cells


def _read_as_told(rows: list[list[Cell]], header: Header) -> list[list[Cell]]:
    """Rows with the how-to-read columns applied to the others, then emptied (so they are not
    carried as unrecognised columns)."""
    told = {HOW_TO_READ[key]: col for col, text in header.texts.items()
            if (key := normalise(text)) in HOW_TO_READ}
    if not told:
        return rows
    numeric = {c for role, c in header.roles.items() if role in _NUMERIC_ROLES} | set(header.periods)
    value_col = header.roles.get(Role.VALUE)
    below = [_row_as_told(row, told, numeric, value_col) for row in rows[header.row + 1:]]
    return [_without(row, told.values()) for row in rows[:header.row + 1]] + below


def _row_as_told(row: list[Cell], told: dict[str, int], numeric: set[int],
                 value_col: int | None) -> list[Cell]:
    """One row below the header: its numbers in its number format, a blank value as its reason."""
    at = dict(enumerate(row))
    row = list(row)
    fmt = _number_format(at.get(told.get("number_format", -1)), at.get(told.get("is_percent", -1)))
    if fmt:
        for c in numeric & at.keys():
            row[c] = _formatted(row[c], fmt)
    reason = at.get(told.get("missing_reason", -1))
    if value_col is not None and at.get(value_col, EMPTY).value is None and reason is not None:
        text = clean_text(reason.value)
        if text and text.lower() != "blank":
            row += [EMPTY] * (value_col + 1 - len(row))
            row[value_col] = Cell(text)
    return _without(row, told.values())


def _without(row: list[Cell], columns: Iterable[int]) -> list[Cell]:
    """The row with these columns emptied."""
    row = list(row)
    for c in columns:
        if c < len(row):
            row[c] = EMPTY
    return row


def _number_format(fmt_cell: Cell | None, percent_cell: Cell | None) -> str | None:
    fmt = clean_text(fmt_cell.value) if fmt_cell is not None else ""
    percent = percent_cell is not None and normalise(clean_text(percent_cell.value)) in _TRUE
    if percent and "%" not in fmt:
        return "0.0%"
    return fmt or None


def _formatted(cell: Cell, fmt: str) -> Cell:
    """A number (or a number written as text: a CSV holds only text) in the row's number format."""
    value = cell.value
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return cell
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Cell(value, fmt)
    return cell


def rename(where: str, places: Places) -> str:
    """A cell of the one sheet (Table!E14) as the source names the place; others as they are."""
    if isinstance(where, CellRef) and where.sheet == SHEET:
        return places.cell(where.row - 1, where.col - 1)
    return where


def _placed(dataset: Dataset, places: Places) -> Dataset:
    """The dataset with every reference to the one sheet renamed, wherever a field holds one
    (warnings, value cells, a stated rating's cell, the period's source ...)."""
    placed: Dataset = _renamed(dataset, places)
    return dataclasses.replace(placed, indicators=tuple(
        dataclasses.replace(ind, sheet=places.name, row=places.line(ind.row - 1),
                            place=places.cell(ind.row - 1, None))
        for ind in placed.indicators))


def _renamed(value: Any, places: Places) -> Any:
    """value with each cell of the one sheet renamed, through dataclasses and tuples; what holds
    none is returned as it is."""
    if isinstance(value, CellRef):
        return rename(value, places)
    if isinstance(value, tuple):
        items = tuple(_renamed(item, places) for item in value)
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _renamed(old, places)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


def _placed_error(error: KpiExcelError, places: Places, file: str) -> KpiExcelError:
    """The error naming the place as the source does: tracker.csv:14:Target."""
    if isinstance(error, NoKpiTableError) and not error.where:
        error.problem = "it holds no KPI table"
        error.fix = ("Give it a header row (in its first 60 rows) with an 'Indicator' column, a 'Target' "
                     "column and one column per period, or a Period and a Value column (long form)")
    where = rename(error.where, places)
    if isinstance(where, LineRef):  # file:line:column, as compilers name a text file's places
        error.file, error.where = file, where.within
    else:
        error.where = where
        error.file = error.file or file
    error.args = (error.line(),)
    return error
