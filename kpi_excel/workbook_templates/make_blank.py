"""Build the blank tracker template: kpi_excel/workbook_templates/blank-kpi-tracker.xlsx.

Run it as ``python kpi_excel/workbook_templates/make_blank.py``; the workbook is written beside
this script. It has the same sheets and header rows as the bundled sample
(samples/scs-kpi-tracker-2019-20.xlsx), for 2026/27, with one example section, one example KPI
and one example activity indicator marked "Example row: replace or delete".

The output is byte-identical on every run (the document's created date is fixed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "blank-kpi-tracker.xlsx"

TITLE = "Your department – KPI tracker 2026/27"
CREATED = dt.datetime(2026, 1, 5, 9, 0)
YEAR, NEXT_YEAR = "2026/27", "2027/28"
EXAMPLE = "Example row: replace or delete"

MONTHS = [dt.datetime(2026 + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]

NOTE = (
    "Replace this line with a note about the data: where it comes from, when it was extracted "
    "and any caveats."
)
LEGEND = (
    "Percentages are the share of cases meeting the standard. Polarity: H = higher is better, "
    "L = lower is better. Data period: M monthly, Q quarterly, R12M rolling 12 months."
)

# Column widths (characters) of the KPIs sheet's wrapped columns.
DESC_W, COMMENT_W, OWNER_W = 56, 60, 30


# Arial advance widths in 1/1000 em (Liberation Sans has the same metrics); others count as 556.
_ARIAL = {
    **dict.fromkeys("ijl'", 222),
    **dict.fromkeys(" ,.:;/!ftI", 278),
    **dict.fromkeys("r-()", 333),
    **dict.fromkeys("cksvxyzJ", 500),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("mM", 833),
    "%": 889,
    "W": 944,
}


def text_lines(text: str, width: float) -> int:
    """How many lines Arial 10 text wraps to in a column `width` characters wide (as Excel draws).

    A column of width w is w * 7 + 5 pixels at Excel's default font; Arial 10 is 13.33 px per
    em at 96 dpi; a few pixels are left for the cell's padding.
    """
    room = width * 7 + 5 - 6
    lines, used = 1, 0.0
    for word in text.split():
        size = sum(_ARIAL.get(ch, 556) for ch in word) * 13.333 / 1000
        space = 278 * 13.333 / 1000 if used else 0.0
        if used and used + space + size > room:
            lines, used = lines + 1, size
        else:
            used += space + size
    return lines


def row_height(*cells: tuple[str, float]) -> float:
    """A row height (points) that shows every wrapped (text, column width) cell in full.

    Spreadsheet files carry no rendered heights and LibreOffice does not refit rows when it
    opens an .xlsx, so wrapped rows get an explicit height from the line count.
    """
    lines = max(text_lines(text, width) if text else 1 for text, width in cells)
    return max(15.0, 12.75 * lines + 2.25)


def build(path: Path = OUTPUT) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties(
        {
            "title": TITLE,
            "subject": f"KPI tracker template {YEAR}",
            "author": "kpi-excel",
            "category": "Performance",
            "keywords": "KPI, RAG, performance dashboard, template",
            "comments": "Blank KPI tracker for kpi-excel: replace the example rows with your own.",
            "created": CREATED,
        }
    )

    base = {"font_name": "Arial", "font_size": 10, "valign": "top"}

    def fmt(**kw: object):
        return wb.add_format({**base, **kw})

    head = dict(
        bold=True,
        bg_color="#1F4E78",
        font_color="#FFFFFF",
        border=1,
        border_color="#BFBFBF",
        valign="vcenter",
    )
    cell = dict(border=1, border_color="#BFBFBF")
    f = {
        "title": fmt(bold=True, font_size=14, valign="vcenter"),
        "note": fmt(italic=True, font_color="#404040"),
        "head": fmt(**head, text_wrap=True),
        "head_c": fmt(**head, text_wrap=True, align="center"),
        "head_date": fmt(**head, align="center", num_format="mmm-yy"),
        "section": fmt(**cell, bold=True, bg_color="#DDEBF7"),
        "code": fmt(**cell),
        "text": fmt(**cell, text_wrap=True),
        "example": fmt(**cell, text_wrap=True, italic=True, font_color="#9C0006"),
        "centre": fmt(**cell, align="center"),
        "0%": fmt(**cell, num_format="0%", bg_color="#F2F2F2"),
        "value": fmt(**cell, num_format="0.0%"),
        "count": fmt(**cell, num_format="#,##0"),
        "threshold": fmt(**cell, num_format="#,##0", bg_color="#F2F2F2"),
        "plain": fmt(),
        "plain_wrap": fmt(text_wrap=True),
        "bold": fmt(bold=True),
        "date_long": fmt(num_format="d mmmm yyyy", align="left"),
        "pct_plain": fmt(num_format="0%", align="left"),
        "int_plain": fmt(num_format="0", align="left"),
    }

    def print_setup(ws, repeat_row: int | None, *, landscape: bool = True, a3: bool = False):
        if landscape:
            ws.set_landscape()
        ws.set_paper(8 if a3 else 9)  # A3 or A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        if repeat_row is not None:
            ws.repeat_rows(repeat_row)
        ws.set_footer("&L&8" + TITLE.replace("&", "&&") + "&R&8Page &P of &N")

    kpis_sheet(wb, f, print_setup)
    activity_sheet(wb, f, print_setup)
    proposed_sheet(wb, f, print_setup)
    details_sheet(wb, f, print_setup)
    settings_sheet(wb, f, print_setup)
    notes_sheet(wb, f, print_setup)
    wb.close()
    return path


def kpis_sheet(wb, f, print_setup) -> None:
    ws = wb.add_worksheet("KPIs")
    first_month, last_month = 6, 6 + len(MONTHS) - 1
    comment_col, owner_col = last_month + 1, last_month + 2

    ws.write_string(0, 0, TITLE, f["title"])
    ws.set_row(0, 22)
    ws.write_string(1, 0, NOTE, f["note"])
    ws.write_string(2, 0, LEGEND, f["note"])

    header = ["PI Ref", "Indicator description", "Polarity", "Data period", f"Target {YEAR}"]
    header.append("Floor Standard")
    for col, text in enumerate(header):
        ws.write_string(4, col, text, f["head_c"] if col >= 2 else f["head"])
    for i, month in enumerate(MONTHS):
        ws.write_datetime(4, first_month + i, month, f["head_date"])
    ws.write_string(4, comment_col, "Commentary", f["head"])
    ws.write_string(4, owner_col, "Owner", f["head"])
    ws.set_row(4, 30)

    # Example section heading: the name in column A only (the reader needs the rest empty), so
    # it is marked as an example with a cell note rather than in the Commentary column.
    ws.write_string(5, 0, "Example section", f["section"])
    for col in range(1, owner_col + 1):
        ws.write_blank(5, col, None, f["section"])
    ws.write_comment(5, 0, EXAMPLE + " (a section heading: its name in column A only).")

    ws.write_string(6, 0, "EX01", f["code"])
    ws.write_string(6, 1, "Example KPI", f["text"])
    ws.write_string(6, 2, "H", f["centre"])
    ws.write_string(6, 3, "M", f["centre"])
    ws.write_number(6, 4, 0.9, f["0%"])
    ws.write_number(6, 5, 0.8, f["0%"])
    values = [0.88, 0.91, 0.93]
    for i in range(len(MONTHS)):
        if i < len(values):
            ws.write_number(6, first_month + i, values[i], f["value"])
        else:
            ws.write_blank(6, first_month + i, None, f["value"])
    ws.write_string(6, comment_col, EXAMPLE, f["example"])
    ws.write_string(6, owner_col, "Example team", f["text"])

    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, DESC_W)
    ws.set_column(2, 3, 8)
    ws.set_column(4, 5, 9)
    ws.set_column(first_month, last_month, 7.5)
    ws.set_column(comment_col, comment_col, COMMENT_W)
    ws.set_column(owner_col, owner_col, OWNER_W)
    ws.freeze_panes(5, 2)
    print_setup(ws, 4, a3=True)
    ws.activate()


def activity_sheet(wb, f, print_setup) -> None:
    ws = wb.add_worksheet("Activity")
    first_month = 5
    comment_col = first_month + len(MONTHS)
    ws.write_string(0, 0, f"Activity indicators {YEAR}", f["title"])
    ws.set_row(0, 22)
    ws.write_string(
        1,
        0,
        "Activity indicators give context: they have no target; the expected range comes from past trends.",
        f["note"],
    )
    for col, text in enumerate(
        ["Ref", "Activity indicator", "Data period", "Lower threshold", "Upper threshold"]
    ):
        ws.write_string(3, col, text, f["head_c"] if col >= 2 else f["head"])
    for i, month in enumerate(MONTHS):
        ws.write_datetime(3, first_month + i, month, f["head_date"])
    ws.write_string(3, comment_col, "Commentary", f["head"])
    ws.set_row(3, 30)

    ws.write_string(4, 0, "EXA1", f["code"])
    ws.write_string(4, 1, "Example activity", f["text"])
    ws.write_string(4, 2, "M", f["centre"])
    ws.write_number(4, 3, 100, f["threshold"])
    ws.write_number(4, 4, 200, f["threshold"])
    values = [140, 155, 210]
    for i in range(len(MONTHS)):
        if i < len(values):
            ws.write_number(4, first_month + i, values[i], f["count"])
        else:
            ws.write_blank(4, first_month + i, None, f["count"])
    ws.write_string(4, comment_col, EXAMPLE, f["example"])

    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 8)
    ws.set_column(3, 4, 11)
    ws.set_column(first_month, comment_col - 1, 10)
    ws.set_column(comment_col, comment_col, 50)
    ws.freeze_panes(4, 2)
    print_setup(ws, 3)


def proposed_sheet(wb, f, print_setup) -> None:
    ws = wb.add_worksheet("Proposed " + NEXT_YEAR.replace("/", "-"))
    ws.write_string(0, 0, f"Proposed KPIs and targets for {NEXT_YEAR}", f["title"])
    ws.set_row(0, 22)
    ws.write_string(1, 0, "EX01 below is an example row: replace or delete it.", f["note"])
    header = ["PI Ref", "Indicator description", "Polarity"]
    header += [f"Target {NEXT_YEAR}", f"Floor {NEXT_YEAR}"]
    for col, text in enumerate(header):
        ws.write_string(2, col, text, f["head_c"] if col >= 2 else f["head"])
    ws.set_row(2, 30)
    ws.write_string(3, 0, "EX01", f["code"])
    ws.write_string(3, 1, "Example KPI", f["text"])
    ws.write_string(3, 2, "H", f["centre"])
    ws.write_number(3, 3, 0.9, f["0%"])
    ws.write_number(3, 4, 0.8, f["0%"])
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 70)
    ws.set_column(2, 4, 10)
    ws.freeze_panes(3, 0)
    print_setup(ws, 2, landscape=False)


def details_sheet(wb, f, print_setup) -> None:
    ws = wb.add_worksheet("Paper details")
    for col, text in enumerate(["Detail", "Value", "Role", "Team", "Phone", "Email"]):
        ws.write_string(0, col, text, f["head"])
    keys = [
        "Service",
        "Committee",
        "Meeting date",
        "Subject",
        "Classification",
        "From",
        "From",
        "Report author",
        "Relevant director",
        "Report number",
        "Reports in year",
        "KPIs agreed",
    ]
    for r, key in enumerate(keys, start=1):
        ws.write_string(r, 0, key, f["bold"])
        if key == "Classification":
            ws.write_string(r, 1, "Unrestricted", f["plain"])
        elif key == "Meeting date":
            ws.write_blank(r, 1, None, f["date_long"])  # a date typed here shows as 29 July 2026
        elif key in ("Report number", "Reports in year"):
            ws.write_blank(r, 1, None, f["int_plain"])
    # Phone numbers are text, so a leading 0 is kept.
    text_format = wb.add_format({"font_name": "Arial", "font_size": 10, "num_format": "@"})
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 50)
    ws.set_column(2, 2, 72)
    ws.set_column(3, 3, 48)
    ws.set_column(4, 4, 14, text_format)
    ws.set_column(5, 5, 30)
    print_setup(ws, 0)


def settings_sheet(wb, f, print_setup) -> None:
    ws = wb.add_worksheet("Settings")
    for col, text in enumerate(["Setting", "Value", "Notes"]):
        ws.write_string(0, col, text, f["head"])
    ws.write_string(1, 0, "RAG rule", f["bold"])
    ws.write_string(1, 1, "Floor standard", f["plain"])
    ws.write_string(
        1,
        2,
        "Green: target met. Amber: floor standard met but not the target. Red: floor standard not met.",
        f["plain_wrap"],
    )
    ws.write_string(2, 0, "Direction of travel", f["bold"])
    ws.write_string(2, 1, "Previous period", f["plain"])
    ws.write_string(2, 2, "The latest value against the previous period that has a value.", f["plain_wrap"])
    ws.write_string(3, 0, "Amber tolerance", f["bold"])
    ws.write_number(3, 1, 0.1, f["pct_plain"])
    ws.write_string(3, 2, "Used only with the Tolerance rule", f["plain_wrap"])
    ws.write_string(4, 0, "Trend threshold", f["bold"])
    ws.write_number(4, 1, 0.02, f["pct_plain"])
    ws.write_string(
        4,
        2,
        "Used only when the direction of travel is a trend: a smaller change counts as no clear trend.",
        f["plain_wrap"],
    )
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 2, 90)
    print_setup(ws, 0)


def notes_sheet(wb, f, print_setup) -> None:
    ws = wb.add_worksheet("Notes")
    lines = [
        ("title", "How to fill in this tracker"),
        ("plain", ""),
        ("bold", "KPIs"),
        ("plain", "One row per KPI under a section heading row (the section name in column A, "
                  "nothing else on the row). Polarity is H or L; targets, floors and values are "
                  "percentages (type 85%) or numbers. Leave a month blank when there is no "
                  "figure. Change the month headings when the year changes: they are dates."),
        ("plain", ""),
        ("bold", "Activity"),
        ("plain", "Context indicators with no target: give the lower and upper thresholds of "
                  "the range you expect from past trends."),
        ("plain", ""),
        ("bold", "Proposed, Paper details, Settings"),
        ("plain", "Next year's proposed targets and floors; the committee paper's header block "
                  "and contacts (one From row per person); how RAG ratings and the direction of "
                  "travel are worked out."),
        ("plain", ""),
        ("bold", "Example rows"),
        ("plain", "Rows marked 'Example row: replace or delete' show the layout. Replace them "
                  "with your own indicators or delete them."),
    ]  # fmt: skip
    for r, (style, text) in enumerate(lines):
        if text:
            ws.write_string(r, 0, text, f["plain_wrap"] if style == "plain" else f[style])
            if style == "plain":
                ws.set_row(r, row_height((text, 85)))
    ws.set_column(0, 0, 85)
    ws.hide_gridlines(2)
    print_setup(ws, None)


if __name__ == "__main__":
    print(build())
