"""A departmental tracker as departments keep them, for the rated copy's tests: written with XlsxWriter,
with a native chart, an image, a cell comment, data validation, a defined name, an Excel table, frozen
panes, a hidden sheet, its own conditional formats and (as .xlsm) a macro project."""

from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter
from PIL import Image

MONTHS = ["Apr-19", "May-19", "Jun-19", "Jul-19", "Aug-19", "Sep-19", "Oct-19", "Nov-19", "Dec-19",
          "Jan-20", "Feb-20", "Mar-20"]
HEADER_ROW = 4  # 1-based: the table's header row

# code, indicator, type, polarity, target, floor, lower, upper, monthly values (None is blank), their RAG
ROWS: list[tuple[object, ...]] = [
    ("AS01", "Assessments completed within 28 days", "KPI", "H", 0.9, 0.8, None, None,
     [0.91, 0.92, 0.88, 0.93, 0.9, 0.94, 0.95, 0.9, 0.89, 0.92, 0.93, 0.95], "G"),
    ("AS02", "Reviews completed on time", "KPI", "H", 0.85, 0.75, None, None,
     [0.8, 0.82, 0.79, "81%", 0.83, 0.8, 0.78, 0.8, 0.81, 0.79, 0.8, 0.78], "Green"),  # theirs is wrong
    ("AS03", "Delayed transfers of care (days)", "KPI", "L", 500, 650, None, None,
     [620, 610, 700, 680, 640, 660, 690, 700, 710, 720, 705, 730], "R"),
    ("AS04", "Carers' assessments (count)", "KPI", "H", 1000, 900, None, None,
     [980, 1010, 1020, 990, 1005, 1030, None, None, None, None, None, None], "G"),
    ("AS05", "Service users with a direct payment", "KPI", "T", 0.3, 0.25, None, None,
     [0.29, 0.31, 0.3, 0.28, 0.27, 0.26, 0.31, 0.33, 0.34, 0.3, 0.36, "26%"], ""),  # text: latest
    ("AS06", "Safeguarding enquiries completed", "KPI", "H", None, None, None, None,
     [0.7, 0.72, 0.75, 0.74, 0.73, 0.76, 0.78, 0.77, 0.79, 0.8, 0.81, 0.82], ""),  # no target
    ("AS07", "New indicator, no data yet", "KPI", "H", 0.5, 0.4, None, None, [None] * 12, ""),
    ("AC01", "Contacts to the front door", "Activity", "", None, None, 4000, 5000,
     [4200, 4400, 4100, 4700, 4900, 5100, 5300, 4800, 4600, 4500, 4300, 5200], ""),
    ("AC02", "Referrals accepted", "Activity", "", None, None, 800, 1000,
     [850, 870, 900, 910, 880, 860, 840, 820, 790, 810, 830, 760], ""),
    # figures typed as text: the rated copy's formulas read them as check does (TBC is no figure)
    ("AS08", "Care plans agreed with the service user", "KPI", "H", 0.9, 0.8, None, None,
     [0.86, 0.87, 0.85, 0.88, 0.89, 0.9, 0.91, 0.87, 0.86, "88%", " 92 % ", "TBC"], ""),
    ("AS09", "Home care hours delivered (thousands)", "KPI", "H", 1000, 900, None, None,
     [950, 960, 970, 980, 990, 985, 975, 990, 995, 1005, 980, "1,000"], ""),
    # whole percentages (85 is 85 %): "88%" is 88 to the formulas, as 90 is the target
    ("AS10", "Adults in settled accommodation (%)", "KPI", "H", 90, 80, None, None,
     [85, 86, 87, 88, 89, 90, 91, 92, 91, 90, 91, "88%"], ""),
    # a text the formulas cannot read as check does ("1.2k" is 1,200 to check): build names it
    ("AS11", "Hours of reablement delivered", "KPI", "H", 1000, 900, None, None,
     [950, 960, 970, 980, 990, 985, 975, 990, 995, 1005, 950, "1.2k"], ""),
    # its one figure typed as text: a RAG, and no direction
    ("AS12", "Direct payments reviewed within the year", "KPI", "H", 0.8, 0.7, None, None,
     [*[None] * 11, "75%"], ""),
]
HEADERS = ["Ref", "Indicator", "Type", "Polarity", "Target", "Floor standard", "Lower threshold",
           "Upper threshold", *MONTHS, "RAG", "Commentary"]
FIRST_MONTH_COL = HEADERS.index("Apr-19")  # 0-based
FAKE_VBA = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # an OLE header: only its bytes matter here


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (31, 78, 121)).save(out, "PNG")
    return out.getvalue()


def write_tracker(path: Path, *, macros: bool = False, rule: str = "Floor standard",
                  direction: str = "Previous period", green_within: float | None = None) -> Path:
    """The tracker; path should end .xlsm when macros is True. rule and direction are what its
    Settings sheet says; its Amber tolerance (Settings!B4) is 10 %; green_within, a Green band below
    target (Settings!B6)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    book.set_properties({"created": __import__("datetime").datetime(2020, 4, 1)})
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF",
                              "text_wrap": True, "border": 1})
    pct = book.add_format({"num_format": "0.0%"})
    count = book.add_format({"num_format": "#,##0"})
    ws = book.add_worksheet("KPIs")
    ws.write(0, 0, "Adult Social Care - performance tracker 2019/20", title)
    ws.write(1, 0, "Figures are provisional until year end.")
    data = []
    for code, name, kind, polarity, target, floor, lower, upper, values, theirs in ROWS:
        data.append([code, name, kind, polarity, target, floor, lower, upper, *values, theirs,
                     f"Commentary on {code}."])
    last_row = HEADER_ROW + len(data) - 1  # 0-based row of the last indicator
    ws.add_table(HEADER_ROW - 1, 0, last_row, len(HEADERS) - 1, {
        "name": "KPITable", "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": header} for h in HEADERS], "data": data})
    for r, row in enumerate(ROWS, start=HEADER_ROW):  # number formats the table's data cannot carry
        is_pct = isinstance(row[4], float) or any(isinstance(v, float) for v in row[8])  # type: ignore[union-attr]
        for c, value in enumerate(row[8], start=FIRST_MONTH_COL):  # type: ignore[arg-type]
            if isinstance(value, (int, float)):
                ws.write_number(r, c, value, pct if is_pct and value < 2 else count)
        for c in (4, 5, 6, 7):
            if isinstance(row[c], (int, float)):
                ws.write_number(r, c, row[c], pct if isinstance(row[c], float) else count)  # type: ignore[arg-type]
    ws.freeze_panes(HEADER_ROW, 2)
    ws.print_area(0, 0, last_row, len(HEADERS) - 1)
    ws.set_column(1, 1, 40)
    ws.write_comment(HEADER_ROW, 1, "Definitions agreed with the directorate in May 2019.")
    ws.data_validation(HEADER_ROW, 3, last_row, 3, {"validate": "list", "source": ["H", "L", "T"]})
    ws.conditional_format(HEADER_ROW, FIRST_MONTH_COL, last_row, FIRST_MONTH_COL + 11,
                          {"type": "cell", "criteria": "<", "value": 0, "format": book.add_format(
                              {"font_color": "#9C0006"})})
    ws.insert_image(last_row + 3, 1, "logo.png", {"image_data": io.BytesIO(_png())})
    chart = book.add_chart({"type": "line"})
    chart.add_series({"name": "AS01", "categories": ["KPIs", HEADER_ROW - 1, FIRST_MONTH_COL,
                                                     HEADER_ROW - 1, FIRST_MONTH_COL + 11],
                      "values": ["KPIs", HEADER_ROW, FIRST_MONTH_COL, HEADER_ROW, FIRST_MONTH_COL + 11]})
    ws.insert_chart(last_row + 6, 1, chart)
    book.define_name("Targets", f"=KPIs!$E${HEADER_ROW + 1}:$E${last_row + 1}")

    settings = book.add_worksheet("Settings")
    band = [("Green within", green_within)] if green_within is not None else []
    for r, (key, value) in enumerate([("Setting", "Value"), ("RAG rule", rule),
                                      ("Direction of travel", direction),
                                      ("Amber tolerance", 0.1), ("Trend threshold", 0.02), *band]):
        settings.write(r, 0, key)
        settings.write(r, 1, value)
    lookups = book.add_worksheet("Lookups")
    for r, value in enumerate(["H", "L", "T"]):
        lookups.write(r, 0, value)
    lookups.hide()
    if macros:
        vba = path.with_name("vbaProject.bin")
        vba.write_bytes(FAKE_VBA)
        book.add_vba_project(str(vba))
    book.close()
    return path


# --- a tracker with each feature finance meets in departments' workbooks ----------------------------

QUARTERS = ["Q1 2019/20", "Q2 2019/20", "Q3 2019/20", "Q4 2019/20"]
FINANCE_HEADERS = ["Ref", "Indicator", "Owner", "Polarity", "Target", "Floor standard", *MONTHS, "RAG",
                   "Commentary"]
QUARTER_HEADERS = ["Ref", "Indicator", "Owner", "Polarity", "Target", "Floor standard", *QUARTERS,
                   "Commentary"]
FINANCE_HEADER_ROW = 4  # 1-based, the monthly table's header row


class Pct(float):
    """A figure written as a fraction in a % number format (0.885 shown as 88.5%)."""


# code, polarity, target, floor, monthly figures (float: plain; Pct: % format; str: typed as text)
FINANCE_ROWS: list[tuple[str, str, object, object, list[object]]] = [
    ("FN01", "H", Pct(0.9), Pct(0.8), [Pct(v) for v in (0.91, 0.9, 0.92, 0.89, 0.93, 0.94, 0.9, 0.91, 0.92,
                                                         0.95, 0.93, 0.96)]),
    # whole percentages beside a target formatted as a percentage: 88.5 is 88.5 %
    ("FN02", "H", Pct(0.9), Pct(0.8), [86.0, 87.5, 88.0, 89.5, 90.0, 91.0, 89.0, 88.0, 87.0, 88.5, 89.5,
                                       88.5]),
    # the three ways of typing 88.5 % in one row
    ("FN03", "H", Pct(0.9), Pct(0.85), [Pct(0.87), 88.0, "86.5%", Pct(0.9), 91.0, "92%", None, None, Pct(0.9),
                                        89.0, "88.5%", Pct(0.885)]),
    # whole percentages throughout, target too: compared as typed
    ("FN04", "L", 10.0, 15.0, [12.0, 11.5, 11.0, 10.5, 9.5, 9.0, 10.0, 10.5, 11.0, 12.5, 13.0, 12.0]),
    # a whole-percentage target over figures typed both ways
    ("FN05", "H", 95.0, 90.0, [Pct(0.96), 95.5, Pct(0.94), 93.0, Pct(0.95), 96.0, 94.5, Pct(0.97), 92.0,
                               Pct(0.91), 90.5, Pct(0.93)]),
    ("FN06", "H", 1000.0, 900.0, [980.0, 1010.0, 990.0, 995.0, 1005.0, 1020.0, 1001.0, 999.0, 1003.0,
                                  1011.0, 987.0, 950.0]),
]
# code, polarity, target, floor, quarterly figures
QUARTER_ROWS: list[tuple[str, str, object, object, list[object]]] = [
    ("QT01", "H", Pct(0.75), Pct(0.7), [Pct(0.72), Pct(0.74), Pct(0.77), Pct(0.71)]),
    ("QT02", "L", 30.0, 40.0, [35.0, 32.0, 28.0, 29.0]),
    ("QT03", "H", Pct(0.6), Pct(0.5), [55.0, 58.5, 61.0, 62.5]),
]
STRAY_CELL = "AZ10"  # a note far right of the monthly table, in one of its rows


def write_finance_tracker(path: Path) -> Path:
    """A tracker as finance meets them: a monthly Excel table with a totals row; a quarterly table
    under it with headings of its own, a sheet filter and an "Average" row; figures typed as
    fractions, whole percentages and text; a hidden column range where the rated columns go; a
    banded conditional format across them; a print area of whole columns; a dropdown list over
    the cells right of the table; a merged note right of the quarterly table; a note far to the
    right; cell notes and a picture in the page header."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    book.set_properties({"created": __import__("datetime").datetime(2020, 4, 1)})
    header = book.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF",
                              "text_wrap": True})
    pct = book.add_format({"num_format": "0.0%"})
    plain = book.add_format({"num_format": "0.0"})
    band = book.add_format({"bg_color": "#F2F2F2"})
    ws = book.add_worksheet("KPIs")
    ws.write(0, 0, "Finance and corporate services - KPI tracker 2019/20", book.add_format({"bold": True}))
    ws.write(1, 0, "Figures are provisional until the year-end audit.")

    def cell(r: int, c: int, value: object) -> None:
        if isinstance(value, Pct):
            ws.write_number(r, c, float(value), pct)
        elif isinstance(value, float):
            ws.write_number(r, c, value, plain)
        elif isinstance(value, str):
            ws.write_string(r, c, value)

    top = FINANCE_HEADER_ROW - 1  # 0-based
    columns = [{"header": h, "header_format": header} for h in FINANCE_HEADERS]
    columns[0]["total_string"] = "Total"
    last = top + len(FINANCE_ROWS)
    ws.add_table(top, 0, last + 1, len(FINANCE_HEADERS) - 1, {
        "name": "Monthly", "style": "Table Style Medium 2", "total_row": True, "columns": columns})
    for r, (code, polarity, target, floor, values) in enumerate(FINANCE_ROWS, start=top + 1):
        ws.write_string(r, 0, code)
        ws.write_string(r, 1, f"Finance indicator {code}")
        ws.write_string(r, 2, "Head of Finance")
        ws.write_string(r, 3, polarity)
        cell(r, 4, target)
        cell(r, 5, floor)
        for c, value in enumerate(values, start=6):
            cell(r, c, value)
        ws.write_string(r, 18, "G")
        ws.write_string(r, 19, f"Commentary on {code}.")
    q_header = last + 4  # 0-based: two blank rows under the totals row
    ws.write_row(q_header, 0, QUARTER_HEADERS, header)
    for r, (code, polarity, target, floor, values) in enumerate(QUARTER_ROWS, start=q_header + 1):
        ws.write_string(r, 0, code)
        ws.write_string(r, 1, f"Quarterly indicator {code}")
        ws.write_string(r, 2, "Head of Audit")
        ws.write_string(r, 3, polarity)
        cell(r, 4, target)
        cell(r, 5, floor)
        for c, value in enumerate(values, start=6):
            cell(r, c, value)
        ws.write_string(r, 10, f"Commentary on {code}.")
    q_last = q_header + len(QUARTER_ROWS)
    ws.write_string(q_last + 1, 0, "Average")  # a totals row typed under the table: not a KPI
    ws.write_formula(q_last + 1, 6, f"=AVERAGE(G{q_header + 2}:G{q_last + 1})", None, 30.24)
    ws.autofilter(q_header, 0, q_last, len(QUARTER_HEADERS) - 1)
    note = book.add_format({"text_wrap": True})
    ws.merge_range(q_header, 11, q_header + 1, 13, "Audit committee note", note)
    ws.write(STRAY_CELL, "checked by JB")
    ws.set_column(1, 1, 36)
    ws.set_column(20, 31, None, None, {"hidden": True})  # helper columns, hidden and empty
    ws.conditional_format(top + 1, 0, q_last + 1, 31, {"type": "formula", "criteria": "=MOD(ROW(),2)=0",
                                                       "format": band})
    ws.data_validation(top + 1, 18, last, 25, {"validate": "list", "source": ["G", "A", "R"]})
    ws.print_area(0, 0, 1_048_575, len(FINANCE_HEADERS) - 1)  # whole columns: $A:$T
    ws.write_comment(top, 1, "Indicators agreed by the Policy and Resources Committee.")
    ws.set_header("&L&G&CKPI tracker", {"image_left": "logo.png", "image_data_left": io.BytesIO(_png())})
    settings = book.add_worksheet("Settings")
    for r, (key, value) in enumerate([("Setting", "Value"), ("RAG rule", "Floor standard"),
                                      ("Direction of travel", "Previous period")]):
        settings.write(r, 0, key)
        settings.write(r, 1, value)
    book.close()
    return path
