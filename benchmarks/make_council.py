"""Write made-up departmental KPI workbooks for council-wide benchmarks.

    uv run python benchmarks/make_council.py OUT_FOLDER [--directorates 40] [--indicators 50] [--months 36]
    uv run python benchmarks/make_council.py OUT.xlsx --shared ...   (one workbook, a Directorate column)

Each directorate's workbook is laid out like the bundled sample: a KPI sheet in sections with
targets, floor standards and monthly values (some missing), an activity sheet with expected
ranges (one indicator in ten), and a Paper details sheet. The figures come from a fixed formula,
so the same arguments always write the same workbooks.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import xlsxwriter

PER_SECTION = 10
DIRECTORATE_NAMES = (
    "Adult Social Care", "Children's Services", "Corporate Services", "Environment", "Finance",
    "Growth and Economy", "Highways", "Housing", "Libraries and Culture", "Public Health",
)


def directorate_name(d: int) -> str:
    """'Adult Social Care', ... then 'Adult Social Care 2' once the names run out."""
    base = DIRECTORATE_NAMES[d % len(DIRECTORATE_NAMES)]
    return base if d < len(DIRECTORATE_NAMES) else f"{base} {d // len(DIRECTORATE_NAMES) + 1}"


def months(count: int) -> list[dt.datetime]:
    """Month starts ending at March, so the last month is a year end: Apr-17 .. Mar-20 for 36."""
    first = (2020 * 12 + 2) - count + 1  # March 2020 is month index 2020*12 + 2
    return [dt.datetime(m // 12, m % 12 + 1, 1) for m in range(first, first + count)]


def value(d: int, i: int, m: int) -> float | None:
    """A value between 0.75 and 0.97, missing now and then."""
    if (d * 7 + i * 3 + m) % 19 == 0:
        return None
    return 0.75 + ((d * 13 + i * 37 + m * 11) % 23) / 100


def kpi_rows(d: int, indicators: int) -> list[tuple[str, list[object]]]:
    """(section, [code, name, polarity, frequency, target, floor, commentary]) for each KPI."""
    rows = []
    for i in range(indicators - indicators // 10):
        lower = i % 7 == 0
        rows.append((f"Section {i // PER_SECTION + 1}",
                     [f"K{i + 1:03d}", f"Indicator {i + 1} of directorate {d + 1}, described in words",
                      "L" if lower else "H", "M", 0.2 if lower else 0.9, 0.3 if lower else 0.8,
                      "Commentary on the latest figure." if i % 4 == 0 else ""]))
    return rows


def write_directorate(path: Path, d: int, indicators: int, month_count: int) -> Path:
    """One directorate's workbook: KPIs, Activity and Paper details sheets."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    pct, month = book.add_format({"num_format": "0.0%"}), book.add_format({"num_format": "mmm-yy"})
    periods = months(month_count)
    _kpi_sheet(book, pct, month, periods, d, indicators, shared=False)
    _activity_sheet(book, month, periods, [(d, indicators)], shared=False)
    details = book.add_worksheet("Paper details")
    for r, (key, text) in enumerate((("Detail", "Value"), ("Service", directorate_name(d)),
                                     ("Committee", f"{directorate_name(d)} Cabinet Committee"))):
        details.write_row(r, 0, [key, text])
    book.close()
    return path


def write_shared(path: Path, directorates: int, indicators: int, month_count: int) -> Path:
    """One workbook holding every directorate's indicators, told apart by a Directorate column."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    pct, month = book.add_format({"num_format": "0.0%"}), book.add_format({"num_format": "mmm-yy"})
    periods = months(month_count)
    ws = _kpi_sheet(book, pct, month, periods, None, indicators, shared=True)
    row = 1
    for d in range(directorates):
        row = _kpi_body(ws, pct, periods, d, indicators, row, shared=True)
    _activity_sheet(book, month, periods, [(d, indicators) for d in range(directorates)], shared=True)
    book.close()
    return path


_KPI_HEADER = ["PI Ref", "Indicator description", "Polarity", "Data period", "Target", "Floor Standard",
               "Commentary"]


def _kpi_sheet(book: xlsxwriter.Workbook, pct: object, month: object, periods: list[dt.datetime],
               d: int | None, indicators: int, *, shared: bool) -> object:
    ws = book.add_worksheet("KPIs")
    header = (["Directorate"] if shared else []) + _KPI_HEADER
    ws.write_row(0, 0, header)
    for m, start in enumerate(periods):
        ws.write_datetime(0, len(header) + m, start, month)
    if d is not None:
        _kpi_body(ws, pct, periods, d, indicators, 1, shared=False)
    return ws


def _kpi_body(ws: object, pct: object, periods: list[dt.datetime], d: int, indicators: int, row: int, *,
              shared: bool) -> int:
    """The KPI rows of one directorate from `row`; returns the next free row."""
    section = ""
    lead = [directorate_name(d)] if shared else []
    for i, (name, cells) in enumerate(kpi_rows(d, indicators)):
        if name != section and not shared:  # a shared sheet names sections in no heading rows
            ws.write(row, 0, name)  # type: ignore[attr-defined]
            row, section = row + 1, name
        ws.write_row(row, 0, lead + cells[:4])  # type: ignore[attr-defined]
        ws.write(row, len(lead) + 4, cells[4], pct)  # type: ignore[attr-defined]
        ws.write(row, len(lead) + 5, cells[5], pct)  # type: ignore[attr-defined]
        ws.write(row, len(lead) + 6, cells[6])  # type: ignore[attr-defined]
        lower = cells[2] == "L"
        for m in range(len(periods)):
            v = value(d, i, m)
            column = len(lead) + len(_KPI_HEADER) + m
            if v is None:
                ws.write(row, column, "TBC")  # type: ignore[attr-defined]
            else:
                ws.write(row, column, 1 - v if lower else v, pct)  # type: ignore[attr-defined]
        row += 1
    return row


def _activity_sheet(book: xlsxwriter.Workbook, month: object, periods: list[dt.datetime],
                    directorates: list[tuple[int, int]], *, shared: bool) -> None:
    ws = book.add_worksheet("Activity")
    header = (["Directorate"] if shared else []) + ["Ref", "Activity indicator", "Data period",
                                                     "Lower threshold", "Upper threshold"]
    ws.write_row(0, 0, header)
    for m, start in enumerate(periods):
        ws.write_datetime(0, len(header) + m, start, month)
    row = 1
    for d, indicators in directorates:
        for a in range(indicators // 10):
            lead = [directorate_name(d)] if shared else []
            ws.write_row(row, 0, lead + [f"A{a + 1:02d}", f"Activity {a + 1} of directorate {d + 1}", "M",
                                         2_600, 3_400])
            for m in range(len(periods)):
                ws.write(row, len(header) + m, 2_500 + ((d * 5 + a * 31 + m * 17) % 1_000))
            row += 1


def write_folder(folder: Path, directorates: int, indicators: int, month_count: int) -> list[Path]:
    """A folder of departmental workbooks, one per directorate."""
    folder.mkdir(parents=True, exist_ok=True)
    return [write_directorate(folder / f"{directorate_name(d).lower().replace(' ', '-')}.xlsx", d,
                              indicators, month_count) for d in range(directorates)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a folder (one workbook per directorate) or, with --shared, "
                                               "an .xlsx file")
    parser.add_argument("--directorates", type=int, default=40)
    parser.add_argument("--indicators", type=int, default=50, help="per directorate (one in ten an activity)")
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--shared", action="store_true", help="one workbook with a Directorate column")
    args = parser.parse_args()
    if args.shared:
        write_shared(args.out, args.directorates, args.indicators, args.months)
        print(f"Wrote {args.out}")
    else:
        written = write_folder(args.out, args.directorates, args.indicators, args.months)
        print(f"Wrote {len(written)} workbooks in {args.out}")


if __name__ == "__main__":
    main()
