"""Time writing the RAG workbook for a 2,000-indicator x 36-month report, against a floor.

The floor is measured in the same run: plain XlsxWriter writing the same cells (every text,
number and formula with its cached result, as read back from the workbook just written) with
no formats, tables, conditional formats, sparklines or charts. Run:

    uv run python benchmarks/bench_workbook.py [--runs 3]

Aim (issue): at most 2x the floor. A report of 250 indicators (the most that get a chart each)
is timed the same way, charts included.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import openpyxl
import xlsxwriter

from kpi_excel.core.model import Dataset, Indicator, Observation, Period, Polarity, Report
from kpi_excel.core.rules import rate
from kpi_excel.workbook import MAX_CHARTS, write_workbook

MONTHS, PER_SECTION = 36, 25

Cell = tuple[int, int, object, object, str | None]  # row, col, value or formula, cached result, array ref


def make_report(indicators: int) -> Report:
    """A rated report: KPIs in sections of 25, monthly figures Apr-19 .. Mar-22, some gaps."""
    periods = tuple(Period(dt.date(2019 + (3 + m) // 12, (3 + m) % 12 + 1, 1)) for m in range(MONTHS))
    rows = []
    for i in range(indicators):
        lower = i % 7 == 0
        values = []
        for m, period in enumerate(periods):
            value = 0.75 + ((i * 37 + m * 11) % 23) / 100
            missing = (i + m) % 17 == 0
            values.append(Observation(period, None if missing else (1 - value if lower else value),
                                      f"KPIs!{m}", "TBC" if missing else None))
        rows.append(Indicator(
            name=f"Indicator number {i}, a description of the measure", code=f"K{i:04d}",
            section=f"Section {i // PER_SECTION + 1}", polarity=Polarity.LOWER if lower else Polarity.HIGHER,
            target=0.2 if lower else 0.9, floor=0.3 if lower else 0.8, frequency="M", is_percent=True,
            number_format="0.0%", commentary="Commentary on the latest figure." if i % 3 == 0 else "",
            owner=f"Team {i % 11}", observations=tuple(values), sheet="KPIs", row=4 + i))
    return rate(Dataset(source="large.xlsx", sha256="0" * 64, indicators=tuple(rows), periods=periods))


def cells_of(path: Path) -> dict[str, list[Cell]]:
    """Every cell of a workbook by sheet: its value or formula, the cached result, any array range."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl does not read sparklines and says so
        formulas = openpyxl.load_workbook(path)
        results = openpyxl.load_workbook(path, data_only=True)
    sheets: dict[str, list[Cell]] = {}
    for ws in formulas.worksheets:
        cached = results[ws.title]
        cells = sheets.setdefault(ws.title, [])
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                value = cell.value
                array = getattr(value, "ref", None)
                if array is not None:
                    value = "=" + value.text.lstrip("=")
                cells.append((cell.row - 1, cell.column - 1, value, cached[cell.coordinate].value, array))
    return sheets


def write_plain(path: Path, sheets: dict[str, list[Cell]]) -> None:
    """The floor: the same cells with plain XlsxWriter and nothing else."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "in_memory": True})  # as write_workbook writes
    for name, cells in sheets.items():
        ws = book.add_worksheet(name)
        for row, col, value, result, array in cells:
            if array is not None:
                ws.write_array_formula(row, col, row, col, str(value), None, result)
            elif isinstance(value, str) and value.startswith("="):
                ws.write_formula(row, col, value, None, result)
            elif isinstance(value, dt.datetime):
                ws.write_datetime(row, col, value)
            elif isinstance(value, int | float):
                ws.write_number(row, col, value)
            else:
                ws.write_string(row, col, str(value))
    book.close()


def median_seconds(job: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(indicators: int, folder: Path, runs: int) -> tuple[str, float, float, int]:
    report = make_report(indicators)
    ours, plain = folder / f"ours-{indicators}.xlsx", folder / f"plain-{indicators}.xlsx"
    write_workbook(report, ours)
    sheets = cells_of(ours)
    job = median_seconds(lambda: write_workbook(report, ours), runs)
    floor = median_seconds(lambda: write_plain(plain, sheets), runs)
    charts = "with charts" if indicators <= MAX_CHARTS else "no charts (above the limit)"
    return f"{indicators:,} x {MONTHS}, {charts}", job, floor, sum(len(c) for c in sheets.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is shown)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        rows = [measure(n, Path(tmp), runs) for n in (2_000, MAX_CHARTS)]
    print(f"median of {runs} runs, Python {sys.version.split()[0]}, XlsxWriter {xlsxwriter.__version__}")
    print(f"{'write_workbook':<40} {'cells':>8} {'job s':>7} {'floor s':>8} {'job/floor':>9} {'aim':>5}")
    for name, job, floor, cells in rows:
        print(f"{name:<40} {cells:8,} {job:7.3f} {floor:8.3f} {job / floor:9.2f} {'2.00':>5}")


if __name__ == "__main__":
    main()
