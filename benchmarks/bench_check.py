"""Time `check` on the sample and on a 2,000-indicator x 36-month workbook, against a floor.

The floor is measured in the same run on the same file: openpyxl opening it in read-only mode and
touching every cell's value and number format, which any reader of the file must do. The
command-line figures are for a fresh interpreter importing cached bytecode, as an installed
package does (the bytecode cache goes to a temporary folder). Run:

    uv run python benchmarks/bench_check.py [--runs 5]

Aims: check under 0.5 s on the sample and under 3 s on the large workbook, end to end, on a
2-core machine. Wall time on a busy machine overstates both job and floor; the CPU columns and
the job/floor ratio are the steadier figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "scs-kpi-tracker-2019-20.xlsx"
LARGE_INDICATORS, LARGE_MONTHS, PER_SECTION = 2_000, 36, 25

FLOOR_SCRIPT = """
import sys
import openpyxl
book = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
for ws in book.worksheets:
    for row in ws.iter_rows():
        for cell in row:
            cell.value, cell.number_format
book.close()
"""


def make_large(path: Path) -> Path:
    """A tracker with 2,000 KPIs in sections of 25, monthly columns Apr-19 .. Mar-22."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    pct, month = book.add_format({"num_format": "0.0%"}), book.add_format({"num_format": "mmm-yy"})
    ws = book.add_worksheet("KPIs")
    ws.write(0, 0, "Large department - KPI tracker 2019/20 to 2021/22")
    header = ["PI Ref", "Indicator description", "Polarity", "Data period", "Target", "Floor Standard"]
    for c, text in enumerate(header):
        ws.write(2, c, text)
    for m in range(LARGE_MONTHS):
        year, month_index = divmod(3 + m, 12)
        ws.write_datetime(2, len(header) + m, dt.datetime(2019 + year, month_index + 1, 1), month)
    row = 3
    for i in range(LARGE_INDICATORS):
        if i % PER_SECTION == 0:
            ws.write(row, 0, f"Section {i // PER_SECTION + 1}")
            row += 1
        lower = i % 7 == 0
        ws.write_row(row, 0, [f"K{i:04d}", f"Indicator number {i}", "L" if lower else "H", "M"])
        ws.write(row, 4, 0.2 if lower else 0.9, pct)
        ws.write(row, 5, 0.3 if lower else 0.8, pct)
        for m in range(LARGE_MONTHS):
            value = 0.75 + ((i * 37 + m * 11) % 23) / 100
            ws.write(row, len(header) + m, 1 - value if lower else value, pct)
        row += 1
    book.close()
    return path


def cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for: what a busy machine's
    waiting does not inflate (wall time is shown as well)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(job: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    job()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def measure(job: Callable[[], object], floor: Callable[[], object], runs: int) -> list[float]:
    """Medians of [job wall, job CPU, floor wall, floor CPU], the two run in turn so that other
    load on the machine falls on both alike."""
    samples = [timed(job) + timed(floor) for _ in range(runs)]
    return [statistics.median(column) for column in zip(*samples, strict=True)]


def in_process_floor(path: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                cell.value, cell.number_format  # noqa: B018 (touching them is the work)
    book.close()


def process(*args: str, pycache: Path) -> Callable[[], object]:
    """A fresh interpreter running args, importing from cached bytecode as an installed package
    does (kept under pycache, so nothing is written into the project)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)

    def job() -> object:
        return subprocess.run([sys.executable, *args], check=True, capture_output=True, env=env)

    return job


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (the median is shown)")
    runs = parser.parse_args().runs
    from kpi_excel import pipeline

    with tempfile.TemporaryDirectory() as tmp:
        large = make_large(Path(tmp) / "large-tracker.xlsx")
        rows: list[tuple[str, list[float], str]] = []
        for name, path, aim in (("sample", SAMPLE, "0.5"), ("2,000 x 36", large, "3")):
            report = pipeline.check(path)
            assert len(report.kpis) == (25 if path == SAMPLE else LARGE_INDICATORS)
            rows.append((f"pipeline.check, {name}",
                         measure(partial(pipeline.check, path), partial(in_process_floor, path), runs), ""))
            cli = process("-m", "kpi_excel", "check", str(path), "--json", pycache=Path(tmp))
            reader = process("-c", FLOOR_SCRIPT, str(path), pycache=Path(tmp))
            cli(), reader()  # the first run writes the bytecode cache
            rows.append((f"kpi-excel check --json, {name}", measure(cli, reader, runs), aim))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"median of {runs} runs, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load}")
    print(f"{'seconds':<34} {'job wall':>8} {'job CPU':>8} {'floor wall':>10} {'floor CPU':>9} "
          f"{'CPU job/floor':>13} {'aim':>4}")
    for label, (job, job_cpu, base, base_cpu), aim in rows:
        print(f"{label:<34} {job:8.3f} {job_cpu:8.3f} {base:10.3f} {base_cpu:9.3f} "
              f"{job_cpu / base_cpu:13.2f} {aim:>4}")


if __name__ == "__main__":
    main()
