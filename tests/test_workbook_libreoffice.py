"""The RAG workbook recalculated by LibreOffice: every formula gives the result kpi-excel cached."""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLE
from libreoffice import recalculate_all, require_soffice
from workbook_cases import Activity, Case, all_datasets

from kpi_excel import pipeline, workbook
from kpi_excel.core.model import Rag, Report
from kpi_excel.core.rules import rag_for, rate
from kpi_excel.workbook import HEADER_ROW, write_workbook

pytestmark = pytest.mark.libreoffice

CellKey = tuple[str, str]  # (sheet, A1)


class Book:
    """A workbook kpi-excel wrote, the copy LibreOffice recalculated, and the report behind it.

    Each file is read once (openpyxl takes a second or so per read) and its values kept.
    """

    def __init__(self, written: Path, recalculated: Path, report: Report) -> None:
        self.written, self.recalculated, self.report = written, recalculated, report

    @functools.cached_property
    def formulas(self) -> list[CellKey]:
        return list(formula_cells(self.written))

    @functools.cached_property
    def cached(self) -> dict[CellKey, object]:
        return cell_values(self.written)

    @functools.cached_property
    def values(self) -> dict[CellKey, object]:
        return cell_values(self.recalculated)

    def table(self, sheet: str) -> dict[str, dict[str, object]]:
        """The recalculated indicator sheet: code -> header -> value."""
        return indicator_table(self.values, sheet)


# The edits a finance officer makes in the sample's workbook, and what the rules then say.
SAMPLE_EDITS = {("GL02", "Mar-20"): 0.93, ("ICT01", "Mar-20"): 0.6, ("CS05", "Target"): 0.7}


@pytest.fixture(scope="module")  # one LibreOffice run for every workbook: each run costs seconds
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Book]:
    require_soffice()
    folder = tmp_path_factory.mktemp("workbooks")
    reports = {"sample": pipeline.check(SAMPLE)}
    reports.update({name: rate(dataset) for name, (dataset, _, _) in all_datasets().items()})
    written = {}
    for name, report in reports.items():
        written[name] = folder / f"{name}.xlsx"
        with pytest.MonkeyPatch.context() as patch:
            if name != "sample":  # LibreOffice lays out charts slowly: the sample's are enough
                patch.setattr(workbook.base, "MAX_CHARTS", 0)
            write_workbook(report, written[name])
    written["sample-edited"] = edit_copy(written["sample"], folder / "sample-edited.xlsx", SAMPLE_EDITS)
    reports["sample-edited"] = reports["sample"]
    written["sample-added"] = add_row(written["sample"], folder / "sample-added.xlsx")
    reports["sample-added"] = reports["sample"]
    recalculated = recalculate_all(list(written.values()), folder / "recalculated")
    return {name: Book(path, again, reports[name])
            for (name, path), again in zip(written.items(), recalculated, strict=True)}


def load(path: Path, *, data_only: bool) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl does not read sparklines and says so
        return openpyxl.load_workbook(path, data_only=data_only)


def formula_cells(path: Path) -> Iterator[CellKey]:
    book = load(path, data_only=False)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    yield ws.title, cell.coordinate


def cell_values(path: Path) -> dict[CellKey, object]:
    book = load(path, data_only=True)
    return {(ws.title, cell.coordinate): cell.value
            for ws in book.worksheets for row in ws.iter_rows() for cell in row}


def same_value(cached: object, recalculated: object) -> bool:
    """Whether two cell values agree; numbers to the 15 significant digits LibreOffice saves.

    LibreOffice rounds what it saves to 15 digits in its own way, so a number may differ from
    the exact cached one in the 15th digit (57.95190764195445 is saved as 57.9519076419545).
    """
    if cached in (None, "") or recalculated in (None, ""):
        return cached in (None, "") and recalculated in (None, "")
    numbers = (int, float)
    if isinstance(cached, numbers) and isinstance(recalculated, numbers):
        assert not isinstance(cached, bool) and math.isfinite(cached)
        return math.isclose(cached, recalculated, rel_tol=1e-14, abs_tol=0.0)
    return cached == recalculated


def indicator_table(values: dict[CellKey, object], sheet: str) -> dict[str, dict[str, object]]:
    """An indicator sheet's rows by code, each a mapping of header -> value."""
    header_row = HEADER_ROW + 1
    cells: dict[int, dict[str, object]] = {}
    for (name, ref), value in values.items():
        if name == sheet:
            col, row = openpyxl.utils.cell.coordinate_from_string(ref)
            cells.setdefault(row, {})[col] = value
    headers = {col: str(v) for col, v in cells.get(header_row, {}).items() if v is not None}
    table = {}
    for row, by_col in cells.items():
        if row > header_row and by_col.get(_col_of(headers, "Code")):
            table[str(by_col[_col_of(headers, "Code")])] = {h: by_col.get(c) for c, h in headers.items()}
    return table


def _col_of(headers: dict[str, str], header: str) -> str:
    return next(col for col, text in headers.items() if text == header)


def edit_copy(source: Path, target: Path, edits: dict[tuple[str, str], float]) -> Path:
    """A copy of the KPIs sheet with cells replaced: (code, column header) -> new figure."""
    book = load(source, data_only=False)
    ws = book["KPIs"]
    header = {c.value: c.column for c in ws[HEADER_ROW + 1] if c.value is not None}
    code = header["Code"]
    rows = {ws.cell(r, code).value: r for r in range(HEADER_ROW + 2, ws.max_row + 1)}
    for (kpi, column), value in edits.items():
        ws.cell(rows[kpi], header[column]).value = value
    book.save(target)
    return target


def add_row(source: Path, target: Path) -> Path:
    """A copy with a KPI typed into the row under the KPIs table, which Excel takes into the table:
    a Red one in the Finance section."""
    book = load(source, data_only=False)
    ws = book["KPIs"]
    table = ws.tables["KPIs_table"]
    header = {c.value: c.column for c in ws[HEADER_ROW + 1] if c.value is not None}
    first, last = table.ref.split(":")
    row = int("".join(ch for ch in last if ch.isdigit())) + 1
    for column, value in (("Section", "Finance"), ("Code", "FN99"), ("Indicator", "Added in Excel"),
                          ("RAG", "Red")):
        ws.cell(row, header[column]).value = value
    table.ref = f"{first}:{''.join(ch for ch in last if ch.isalpha())}{row}"
    table.autoFilter.ref = table.ref
    book.save(target)
    return target


# --- every formula, every workbook -------------------------------------------------------------


@pytest.mark.parametrize("name", ["sample", "floor-previous", "tolerance-last-year", "floor-trend",
                                  "green-band"])
def test_every_formula_recalculates_to_the_cached_value(books: dict[str, Book], name: str) -> None:
    book = books[name]
    cells, cached, recalculated = book.formulas, book.cached, book.values
    differ = [(key, cached[key], recalculated.get(key)) for key in cells
              if not same_value(cached[key], recalculated.get(key))]
    assert not differ, f"{len(differ)} of {len(cells)} formulas differ, first: {differ[:5]}"
    rated = len(book.report.ratings)
    assert len(cells) >= 4 * rated  # latest value, its period and at least RAG/range + direction


def test_the_sample_dashboard_reads_21_3_1_after_recalculation(books: dict[str, Book]) -> None:
    counts = dashboard_counts(books["sample"])
    assert (counts["Green"], counts["Amber"], counts["Red"]) == (21, 3, 1)


def test_a_kpi_row_added_to_the_table_in_excel_is_counted_on_the_dashboard(books: dict[str, Book]) -> None:
    book = books["sample-added"]
    assert dashboard_counts(book) == {"Green": 21, "Amber": 3, "Red": 2, "Not rated or no data": 0}
    values = book.values
    sections = {value: values[("Dashboard", f"D{ref[1:]}")] for (sheet, ref), value in values.items()
                if sheet == "Dashboard" and ref.startswith("A")}
    assert sections["Finance"] == 1 and sections["Governance and Law"] == 1  # the Red column


def dashboard_counts(book: Book) -> dict[object, object]:
    """The Dashboard's KPIs-by-RAG table: rating word -> count, as recalculated."""
    labels = ("Green", "Amber", "Red", "Not rated or no data")
    return {value: book.values[("Dashboard", f"B{ref[1:]}")] for (sheet, ref), value in book.values.items()
            if sheet == "Dashboard" and ref.startswith("A") and value in labels}


# --- the hand-worked cases, through LibreOffice ---------------------------------------------


def hand_cases() -> Iterator[tuple[str, Case | Activity]]:
    for name, (_, cases, activities) in all_datasets().items():
        yield from ((name, case) for case in cases)
        yield from ((name, activity) for activity in activities)


@pytest.mark.parametrize(("name", "case"), list(hand_cases()), ids=lambda v: getattr(v, "code", v))
def test_hand_worked_cases_rate_as_stated_after_recalculation(
    books: dict[str, Book], name: str, case: Case | Activity
) -> None:
    if isinstance(case, Activity):
        row = books[name].table("Activity")[case.code]
        assert (row["Range"] or "") == case.range
        return
    row = books[name].table("KPIs")[case.code]
    assert row["RAG"] == case.rag
    if case.direction is not None:
        assert (row["Direction"] or "") == case.direction


# --- editing figures ------------------------------------------------------------------------


def test_editing_figures_re_rates_rows_as_the_rules_say(books: dict[str, Book]) -> None:
    book = books["sample-edited"]
    table = book.table("KPIs")

    def read(code: str, column: str) -> object:
        return table[code][column]

    assert (read("GL02", "RAG"), read("GL02", "Direction")) == ("Green", "Improved")  # was Red
    assert (read("ICT01", "Latest period"), read("ICT01", "RAG")) == ("Mar-20", "Red")  # TBC -> 60 %
    assert read("CS05", "RAG") == "Green"  # target lowered to its value's side
    assert dashboard_counts(book) == {"Green": 21 + 1 - 1 + 1, "Amber": 3 - 1, "Red": 1 - 1 + 1,
                                                   "Not rated or no data": 0}
    # and each new word is what the rating engine gives for the edited figures
    kpis = {r.indicator.code: r.indicator for r in book.report.ratings}
    settings = book.report.dataset.settings
    assert rag_for(0.93, kpis["GL02"], settings) is Rag.GREEN
    assert rag_for(0.6, kpis["ICT01"], settings) is Rag.RED
    assert rag_for(kpis["CS05"].observations[-1].value or 0, replace(kpis["CS05"], target=0.7),
                   settings) is Rag.GREEN
