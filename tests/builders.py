"""Small builders that write test workbooks: a sheet is a list of rows, row 1 first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.styles import PatternFill


@dataclass(frozen=True)
class Fmt:
    """A cell value with its number format, such as Fmt(0.88, "0.0%")."""

    value: object
    number_format: str


@dataclass(frozen=True)
class Fill:
    """A cell with a solid fill colour (RRGGBB) and, maybe, a value: a rating shown as a colour."""

    colour: str
    value: object = None


@dataclass(frozen=True)
class Formula:
    """A formula with the result a spreadsheet program saved for it (an error as '#DIV/0!')."""

    formula: str
    result: object
    number_format: str | None = None


Rows = Sequence[Sequence[object]]

# Apr-19 .. Mar-20 as date cells, the way most trackers head their monthly columns
MONTHS = [dt.datetime(2019 + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
ABOVE = [["Adult Services - KPI tracker 2019/20"], ["Figures are provisional until year end."], []]
HEADER = ["PI Ref", "Indicator description", "Polarity", "Target", "Floor Standard"]


def write_book(path: Path, sheets: Mapping[str, Rows], *, hidden: Collection[str] = ()) -> Path:
    """Write sheets (name -> rows; None is an empty cell) and return path.

    A Formula anywhere makes the file go through XlsxWriter, which stores each formula's saved
    result as Excel does; otherwise openpyxl writes it (and writes '#DIV/0!' as an error cell).
    """
    has_formula = any(isinstance(v, Formula) for rows in sheets.values() for row in rows for v in row)
    (_with_xlsxwriter if has_formula else _with_openpyxl)(path, sheets, hidden)
    return path


def _with_openpyxl(path: Path, sheets: Mapping[str, Rows], hidden: Collection[str]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        if name in hidden:
            ws.sheet_state = "hidden"
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(r, c, value.value if isinstance(value, (Fmt, Fill)) else value)
                if isinstance(value, Fmt):
                    cell.number_format = value.number_format
                elif isinstance(value, Fill):
                    cell.fill = PatternFill("solid", fgColor=value.colour)
                elif isinstance(value, (dt.date, dt.datetime)):
                    cell.number_format = "mmm-yy"
    book.save(path)


def _with_xlsxwriter(path: Path, sheets: Mapping[str, Rows], hidden: Collection[str]) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    formats: dict[str, object] = {}

    def fmt(number_format: str | None) -> object:
        if number_format is None:
            return None
        return formats.setdefault(number_format, book.add_format({"num_format": number_format}))

    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        if name in hidden:
            ws.hide()
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, Formula):
                    ws.write_formula(r, c, value.formula, fmt(value.number_format), value.result)
                elif isinstance(value, Fmt):
                    ws.write(r, c, value.value, fmt(value.number_format))
                elif isinstance(value, (dt.date, dt.datetime)):
                    ws.write_datetime(r, c, value, fmt("mmm-yy"))
                elif value is not None:
                    ws.write(r, c, value)
    book.close()


def kpi_sheet(header: Sequence[object], *rows: Sequence[object], above: Rows = ABOVE) -> list[list[object]]:
    """A KPI table as analysts lay one out: title and note rows, a blank row, the header, the rows."""
    return [list(r) for r in above] + [list(header)] + [list(r) for r in rows]


def kpi_book(tmp_path: Path, header: Sequence[object], *rows: Sequence[object], sheet: str = "KPIs",
             above: Rows = ABOVE, more: Mapping[str, Rows] | None = None,
             name: str = "tracker.xlsx") -> Path:
    """A workbook whose sheet `sheet` holds one KPI table, plus any `more` sheets."""
    sheets = {sheet: kpi_sheet(header, *rows, above=above), **(more or {})}
    return write_book(tmp_path / name, sheets)


def monthly_header(months: int = 12, header: Sequence[object] = HEADER) -> list[object]:
    """The usual header followed by `months` month columns from Apr-19."""
    return [*header, *MONTHS[:months]]


def listed(folder: Path, *, every: bool = False) -> list[Path]:
    """The files a build wrote in a folder (every=True: in its subfolders too), leaving out the
    folder's record of what kpi-excel wrote there."""
    from kpi_excel.stamp import RECORD

    found = folder.rglob("*") if every else folder.iterdir()
    return sorted(p for p in found if p.is_file() and p.name != RECORD)
