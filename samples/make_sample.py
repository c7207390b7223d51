"""Build the bundled sample tracker: samples/scs-kpi-tracker-2019-20.xlsx.

Run it as ``python samples/make_sample.py``; the workbook is written beside this script.

The sample is ILLUSTRATIVE. The KPI set is modelled on Kent County Council's Strategic and
Corporate Services indicators and the outcome reproduces the 2019/20 year-end paper (21 Green,
3 Amber, 1 Red: GL02), but every target, floor and monthly value is made up.

The output is byte-identical on every run (fixed document dates, no timestamps from the clock),
so the file can be committed and checked in tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "scs-kpi-tracker-2019-20.xlsx"

TEAM = "Strategic Commissioning – Performance & Analytics"
TITLE = "Strategic and Corporate Services – KPI tracker 2019/20"
CREATED = dt.datetime(2020, 4, 20, 9, 0)

MONTHS = [dt.datetime(2019 + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def pct(p: float | None) -> float | None:
    """A percentage as typed (98.4) to the fraction Excel stores when you type 98.4% (0.984)."""
    return None if p is None else float(Decimal(str(p)) / 100)


IRT = "Information Resilience & Transparency"

# Monthly values Apr-19 .. Mar-20 as percentages. None is a blank cell; a str is written as text.
# fmt: off
SECTIONS: list[tuple[str, list[dict]]] = [
    ("Customer Services", [
        dict(code="CS01", name="Callers who rate the advisors in Contact Point as good",
             pol="H", period="M", target=97, floor=90, owner="Customer Services",
             values=[97.6, 98.1, 97.9, 98.4, 97.2, 98.0, 98.3, 97.8, 98.5, 98.2, 97.9, 98.4]),
        dict(code="CS04a", name="Daytime calls to Contact Point answered",
             pol="H", period="M", target=95, floor=85, owner="Customer Services",
             values=[96.8, 95.9, 97.1, 96.4, 95.2, 96.0, 97.3, 96.5, 95.8, 96.9, 96.2, 95.4],
             comment="The answer rate dipped in March as COVID-19 enquiries pushed call volumes "
                     "up, but stayed above target."),
        dict(code="CS04b", name="Out of hours calls to Contact Point answered",
             pol="H", period="M", target=95, floor=85, owner="Customer Services",
             values=[97.5, 96.2, 98.0, 97.4, 96.8, 97.9, 96.5, 97.1, 95.8, 97.6, 98.1, 98.1]),
        dict(code="CS05", name="Calls to Contact Point answered in 40 seconds",
             pol="H", period="M", target=80, floor=70, owner="Customer Services",
             values=[82.4, 79.6, 81.2, 78.5, 80.3, 77.9, 79.8, 76.4, 81.0, 78.8, 77.2, 73.6],
             comment="Fell to 73.6% in March as call volumes rose sharply with COVID-19 "
                     "enquiries while advisers moved to home working. Extra advisers are being "
                     "trained and a call-back option has been added to the phone menu."),
        dict(code="CS07", name="Complaints responded to within timescale",
             pol="H", period="M", target=85, floor=80, owner="Customer Feedback Team",
             values=[86.2, 84.1, 87.5, 85.9, 83.7, 86.4, "88%", 87.1, 85.2, 86.8, 88.3, 89.0],
             comment="Above target every month since October, after weekly reviews of open "
                     "complaints were introduced."),
    ]),
    ("Governance and Law", [
        dict(code="GL01", name="Council and Committee papers published at least five clear "
                               "days before meetings",
             pol="H", period="M", target=100, floor=96, owner="Democratic Services",
             values=[100, 100, 98.5, 100, 100, 100, 97.9, 100, 100, 100, 100, 100]),
        dict(code="GL02", name="Freedom of Information Act requests completed within 20 "
                               "working days",
             pol="H", period="M", target=92, floor=90, owner=IRT,
             values=[93.1, 91.4, 92.6, 90.8, 92.2, 91.7, 90.5, 91.9, 89.6, 90.7, 90.3, 89.0],
             comment="89.0% in March, below the 90% floor standard: services had less capacity "
                     "to gather information during the COVID-19 response. Overdue requests are "
                     "now reviewed weekly and directorate FOI coordinators are being given a "
                     "refresher on the 20-day deadline."),
        dict(code="GL03", name="Data Protection Act Subject Access requests completed within "
                               "statutory timescales",
             pol="H", period="M", target=90, floor=85, owner=IRT,
             values=[86.7, 88.2, 91.3, 84.9, 87.6, 90.4, 89.1, 86.3, 88.8, 83.5, 86.0, 85.0],
             comment="Met the floor standard but not the target: several complex requests for "
                     "large volumes of social care records took longer to redact. A temporary "
                     "officer has joined the team to clear the backlog."),
    ]),
    ("Finance", [
        dict(code="FN01", name="Pension correspondence processed within 15 working days",
             pol="H", period="M", target=98, floor=95, owner="Pensions Administration",
             values=[99.1, 98.7, 99.4, 98.9, 99.2, 98.5, 99.0, 99.3, 98.8, 99.5, 99.1, 99.4]),
        dict(code="FN02", name="Retirement benefits paid within 20 working days",
             pol="H", period="M", target=90, floor=85, owner="Pensions Administration",
             values=[92.3, 94.1, 91.8, 93.5, 95.0, 92.7, 94.4, 93.1, 91.2, 94.8, 93.6, 95.2]),
        dict(code="FN05", name="Sundry debt due to KCC under 60 days old",
             pol="H", period="M", target=75, floor=57, owner="Income & Debt Recovery",
             values=[71.2, 68.4, 76.5, 73.9, 78.1, 74.6, 77.3, 79.8, 72.4, 76.9, 80.2, 77.5]),
        dict(code="FN06", name="Sundry debt due to KCC over 6 months old",
             pol="L", period="R12M", target=15, floor=20, owner="Income & Debt Recovery",
             values=[18.4, 17.9, 17.2, 16.8, 16.1, 15.9, 15.4, 15.0, 14.6, 14.1, 13.8, 13.5],
             comment="Rolling 12 months. Older debt has fallen steadily since the debt recovery "
                     "review in summer 2019."),
        dict(code="FN07", name="Invoices received by Accounts Payable within 30 days of KCC "
                               "received date",
             pol="H", period="M", target=90, floor=85, owner="Accounts Payable",
             values=[88.6, 89.9, 91.2, 90.4, 92.0, 91.5, 90.8, 92.3, 89.7, 91.1, 92.6, 91.8]),
        dict(code="FN08", name="Invoices received on time by Accounts Payable processed "
                               "within 30 days",
             pol="H", period="M", target=98, floor=95, owner="Accounts Payable",
             values=[98.6, 98.9, 99.1, 98.4, 98.8, 99.0, 98.7, 99.2, 98.5, 98.9, 99.0, 99.0]),
        dict(code="FN11", name="Financial assessments fully completed within 15 days of "
                               "referral",
             pol="H", period="M", target=90, floor=85, owner="Client Financial Services",
             values=[88.4, 90.7, 86.9, 89.2, 91.0, 87.5, 85.8, 88.1, 90.3, 86.4, 84.7, 87.3],
             comment="Up from 84.7% in February but still below target. Assessments are held "
                     "up when clients return financial information late; the team now sends "
                     "reminders on day 5 and day 10."),
    ]),
    ("People and Communications", [
        dict(code="HR09", name="Training evaluated by participants as having delivered stated "
                               "learning outcomes",
             pol="H", period="Q", target=95, floor=90, owner="Learning & Development",
             values=[None, None, 96.2, None, None, 95.8, None, None, 97.1, None, None, 96.5],
             comment="Reported quarterly from the end-of-course evaluation survey."),
        dict(code="HR23", name="Staff who have completed all 3 mandatory learning events",
             pol="H", period="M", target=90, floor=80, owner="Learning & Development",
             values=[84.1, 84.9, 85.6, 86.2, 86.8, 87.5, 88.1, 88.9, 89.4, 90.2, 90.8, 91.3]),
        dict(code="HR25", name="New starters who completed induction within 3 months",
             pol="H", period="M", target=90, floor=80, owner="HR & Organisational Development",
             values=[88.5, 91.2, 89.7, 92.4, 90.1, 93.0, 91.6, 89.3, 92.8, 94.1, 91.9, 93.5]),
    ]),
    ("ICT", [
        dict(code="ICT01", name="Calls to ICT Help Desk resolved at the first point of contact",
             pol="H", period="M", target=70, floor=65, owner="ICT Service Desk",
             values=[68.9, 70.4, 71.2, 69.8, 72.5, 71.9, 70.6, 72.8, 73.4, 71.5, 72.1, "TBC"],
             comment="March figure not yet received from the ICT service provider; February "
                     "is the latest available."),
        dict(code="ICT02", name="Positive feedback rating with the ICT help desk",
             pol="H", period="M", target=95, floor=90, owner="ICT Service Desk",
             values=[97.2, 96.8, 97.5, 96.9, 97.8, 97.1, 96.4, 97.3, 97.0, 97.6, 96.9, 96.9]),
        dict(code="ICT03", name="Working hours where Kent Public Sector Network is available "
                                "to staff",
             pol="H", period="M", target=99.8, floor=99.0, owner="ICT Infrastructure", dp=1,
             values=[100, 99.9, 100, 99.7, 100, 99.9, 100, 99.6, 99.9, 100, 100, 99.8]),
        dict(code="ICT04", name="Working hours where ICT Service is available to staff",
             pol="H", period="M", target=99.0, floor=98.0, owner="ICT Infrastructure", dp=1,
             values=[99.6, 99.8, 99.4, 99.7, 99.9, 99.5, 99.3, 99.8, 99.6, 99.7, 99.9, 99.5]),
        dict(code="ICT05", name="Working hours where email is available to staff",
             pol="H", period="M", target=99.0, floor=98.0, owner="ICT Infrastructure", dp=1,
             values=[99.9, 100, 99.8, 99.9, 100, 99.7, 99.9, 100, 99.9, 99.8, 99.9, 100]),
    ]),
    ("Property", [
        dict(code="PI01", name="Rent due to KCC outstanding over 60 days",
             pol="L", period="M", target=3, floor=5, owner="Property Estates",
             values=[3.4, 2.9, 3.1, 2.7, 2.5, 2.8, 3.2, 2.6, 2.4, 2.9, 2.2, 2.6]),
        dict(code="PI04", name="Reactive tasks completed within service level standards",
             pol="H", period="M", target=90, floor=80, owner="Facilities Management",
             values=[87.9, 89.4, 91.2, 90.6, 92.3, 91.8, 90.1, 88.7, 91.4, 92.9, 93.5, 92.2]),
    ]),
]

# (ref, name, period, lower, upper, values Apr-19 .. Mar-20, commentary)
ACTIVITY: list[tuple[str, str, str, int, int, list[int], str]] = [
    ("ACT01", "Number of phone calls responded to by Contact Point", "M", 26_000, 34_000,
     [29_840, 31_215, 28_930, 30_412, 27_685, 29_104, 31_876, 30_233, 26_418, 32_507, 30_962,
      38_745],
     "Calls rose sharply in the second half of March with COVID-19 enquiries."),
    ("ACT02", "Visits to the council website", "M", 950_000, 1_250_000,
     [1_083_412, 1_127_560, 1_048_933, 1_102_876, 1_011_245, 1_096_310, 1_154_728, 1_120_391,
      1_002_163, 1_189_402, 1_131_877, 1_386_205],
     "Visits peaked in March as residents looked for updates on services during COVID-19."),
    ("ACT03", "Freedom of Information requests received", "M", 150, 210,
     [176, 189, 168, 183, 157, 192, 201, 178, 151, 196, 184, 139],
     "Fewer requests were received as the COVID-19 lockdown began."),
    ("ACT04", "Current change activities supported by HR", "M", 32, 48,
     [38, 40, 43, 41, 39, 42, 44, 46, 43, 40, 42, 41], ""),
    ("ACT05", "Current people management cases supported", "M", 130, 170,
     [148, 152, 145, 157, 161, 154, 149, 158, 163, 151, 155, 156], ""),
    ("ACT06", "Registered users of the staff rewards scheme", "M", 23_500, 26_500,
     [24_120, 24_285, 24_410, 24_538, 24_702, 24_865, 25_013, 25_190, 25_344, 25_508, 25_687,
      25_912], ""),
]
# fmt: on

# Column widths (characters) of the KPIs sheet's wrapped columns.
DESC_W, COMMENT_W, OWNER_W = 56, 60, 30

# Next year's floors where they differ from this year's (2020/21 proposals).
NEW_FLOORS = {"CS04a": 90, "CS04b": 90}
PROPOSALS_NOTE = (
    "Unchanged from 2019/20 except the floor standards for CS04a and CS04b, which rise from 85% to 90%."
)

# The Paper details sheet: a key, then a value (or name, role, team, phone and email).
DETAILS: list[tuple] = [
    ("Service", "Strategic and Corporate Services"),
    ("Committee", "Policy and Resources Cabinet Committee"),
    ("Meeting date", dt.datetime(2020, 7, 29)),
    ("Subject", "Strategic and Corporate Services Performance Dashboard"),
    ("Classification", "Unrestricted"),
    ("From", "Roger Gough", "Leader of Kent County Council"),
    (
        "From",
        "Peter Oakford",
        "Deputy Leader and Cabinet Member for Finance, Corporate and Traded Services",
    ),
    (
        "From",
        "Shellina Prendergast",
        "Cabinet Member for Communications, Engagement and People",
    ),
    ("From", "David Cockburn", "Corporate Director for Strategic and Corporate Services"),
    (
        "Report author",
        "Rachel Kennard",
        "Chief Analyst",
        TEAM,
        "03000 414527",
        "rachel.kennard@kent.gov.uk",
    ),
    (
        "Relevant director",
        "Vincent Godfrey",
        "Strategic Commissioner",
        "",
        "03000 421995",
        "vincent.godfrey@kent.gov.uk",
    ),
    ("Report number", 3),
    ("Reports in year", 3),
    ("KPIs agreed", "May 2019"),
]


def proposal_rows(
    sections: Sequence[tuple[str, Sequence[dict]]] = SECTIONS, new_floors: dict[str, float] = NEW_FLOORS
) -> list[dict]:
    """Next year's KPIs as the proposals sheet lists them: this year's, with the floors of new_floors.

    A row may also say `percent=False`: its target and floor are written as typed, with no number
    format (as a department types a new KPI's figures).
    """
    return [dict(k, floor=new_floors.get(k["code"], k["floor"])) for _section, kpis in sections for k in kpis]


@dataclass(frozen=True)
class Tracker:
    """What the tracker holds: the sample's, unless a test derives a department's variant from it."""

    title: str = TITLE
    months: Sequence[dt.datetime] = tuple(MONTHS)
    sections: Sequence[tuple[str, Sequence[dict]]] = tuple(SECTIONS)
    activity: Sequence[tuple] = tuple(ACTIVITY)
    proposals: Sequence[dict] | None = tuple(proposal_rows())  # None: no proposals sheet
    proposals_note: str = PROPOSALS_NOTE
    details: Sequence[tuple] | None = tuple(DETAILS)  # None: no Paper details sheet; (): only its header


SAMPLE = Tracker()

ILLUSTRATIVE_NOTE = (
    "ILLUSTRATIVE DATA: the KPI set is modelled on Kent County Council's Strategic and "
    "Corporate Services indicators, but every target, floor standard and value here is made up."
)
LEGEND = (
    "Percentages are the share of cases meeting the standard. Polarity: H = higher is better, "
    "L = lower is better. Data period: M monthly, Q quarterly, R12M rolling 12 months."
)


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


def percent_format(kpi: dict) -> str:
    """The target and floor format: 0%, or 0.0% for KPIs set to a decimal place (99.8%)."""
    return "0.0%" if kpi.get("dp") else "0%"


def build(path: Path = OUTPUT, tracker: Tracker = SAMPLE) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties(
        {
            "title": tracker.title,
            "subject": "KPI tracker 2019/20 (illustrative data)",
            "author": TEAM,
            "manager": "Strategic Commissioning",
            "category": "Performance",
            "keywords": "KPI, RAG, performance dashboard, illustrative",
            "comments": ILLUSTRATIVE_NOTE,
            "created": CREATED,
        }
    )
    wb.set_calc_mode("auto")

    base = {"font_name": "Arial", "font_size": 10, "valign": "top"}

    def fmt(**kw: object):
        return wb.add_format({**base, **kw})

    f = {
        "title": fmt(bold=True, font_size=14, valign="vcenter"),
        "note": fmt(italic=True, font_color="#404040"),
        "warn": fmt(bold=True, italic=True, font_color="#9C0006"),
        "warn_wrap": fmt(bold=True, italic=True, font_color="#9C0006", text_wrap=True),
        "head": fmt(
            bold=True,
            text_wrap=True,
            bg_color="#1F4E78",
            font_color="#FFFFFF",
            border=1,
            border_color="#BFBFBF",
            valign="vcenter",
        ),
        "head_c": fmt(
            bold=True,
            text_wrap=True,
            bg_color="#1F4E78",
            font_color="#FFFFFF",
            border=1,
            border_color="#BFBFBF",
            valign="vcenter",
            align="center",
        ),
        "head_date": fmt(
            bold=True,
            bg_color="#1F4E78",
            font_color="#FFFFFF",
            border=1,
            border_color="#BFBFBF",
            valign="vcenter",
            align="center",
            num_format="mmm-yy",
        ),
        "section": fmt(bold=True, bg_color="#DDEBF7", border=1, border_color="#BFBFBF"),
        "code": fmt(border=1, border_color="#BFBFBF"),
        "text": fmt(text_wrap=True, border=1, border_color="#BFBFBF"),
        "centre": fmt(align="center", border=1, border_color="#BFBFBF"),
        "0%": fmt(num_format="0%", border=1, border_color="#BFBFBF", bg_color="#F2F2F2"),
        "0.0%": fmt(num_format="0.0%", border=1, border_color="#BFBFBF", bg_color="#F2F2F2"),
        "value": fmt(num_format="0.0%", border=1, border_color="#BFBFBF"),
        "value_text": fmt(align="right", border=1, border_color="#BFBFBF"),
        "count": fmt(num_format="#,##0", border=1, border_color="#BFBFBF"),
        "threshold": fmt(num_format="#,##0", border=1, border_color="#BFBFBF", bg_color="#F2F2F2"),
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
        ws.set_footer("&L&8Illustrative data – " + tracker.title.replace("&", "&&") + "&R&8Page &P of &N")

    kpis_sheet(wb, f, print_setup, tracker)
    activity_sheet(wb, f, print_setup, tracker)
    if tracker.proposals is not None:
        proposed_sheet(wb, f, print_setup, tracker)
    if tracker.details is not None:
        details_sheet(wb, f, print_setup, tracker.details)
    settings_sheet(wb, f, print_setup)
    notes_sheet(wb, f, print_setup)
    wb.close()
    return path


def kpis_sheet(wb, f, print_setup, tracker: Tracker) -> None:
    ws = wb.add_worksheet("KPIs")
    first_month, last_month = 6, 6 + len(tracker.months) - 1
    comment_col, owner_col = last_month + 1, last_month + 2

    ws.write_string(0, 0, tracker.title, f["title"])
    ws.set_row(0, 22)
    ws.write_string(1, 0, ILLUSTRATIVE_NOTE, f["warn"])
    ws.write_string(2, 0, LEGEND, f["note"])

    header = [
        "PI Ref",
        "Indicator description",
        "Polarity",
        "Data period",
        "Target 2019/20",
        "Floor Standard",
    ]
    for col, text in enumerate(header):
        ws.write_string(4, col, text, f["head_c"] if col >= 2 else f["head"])
    for i, month in enumerate(tracker.months):
        ws.write_datetime(4, first_month + i, month, f["head_date"])
    ws.write_string(4, comment_col, "Commentary", f["head"])
    ws.write_string(4, owner_col, "Owner", f["head"])
    ws.set_row(4, 30)

    row = 5
    for section, kpis in tracker.sections:
        if section == "Finance":
            row += 1  # a completely blank row, as analysts leave them
        ws.write_string(row, 0, section, f["section"])
        for col in range(1, owner_col + 1):
            ws.write_blank(row, col, None, f["section"])
        row += 1
        for k in kpis:
            ws.write_string(row, 0, k["code"], f["code"])
            ws.write_string(row, 1, k["name"], f["text"])
            ws.write_string(row, 2, k["pol"], f["centre"])
            ws.write_string(row, 3, k["period"], f["centre"])
            for col, key in ((4, "target"), (5, "floor")):
                ws.write_number(row, col, pct(k[key]), f[percent_format(k)])
            for i, value in enumerate(k["values"]):
                col = first_month + i
                if value is None:
                    ws.write_blank(row, col, None, f["value"])
                elif isinstance(value, str):
                    ws.write_string(row, col, value, f["value_text"])
                else:
                    ws.write_number(row, col, pct(value), f["value"])
            comment = k.get("comment", "")
            if comment:
                ws.write_string(row, comment_col, comment, f["text"])
            else:
                ws.write_blank(row, comment_col, None, f["text"])
            ws.write_string(row, owner_col, k["owner"], f["text"])
            ws.set_row(row, row_height((k["name"], DESC_W), (comment, COMMENT_W), (k["owner"], OWNER_W)))
            row += 1

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


def activity_sheet(wb, f, print_setup, tracker: Tracker) -> None:
    ws = wb.add_worksheet("Activity")
    first_month = 5
    comment_col = first_month + len(tracker.months)
    ws.write_string(0, 0, "Activity indicators 2019/20", f["title"])
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
    for i, month in enumerate(tracker.months):
        ws.write_datetime(3, first_month + i, month, f["head_date"])
    ws.write_string(3, comment_col, "Commentary", f["head"])
    ws.set_row(3, 30)

    for r, (ref, name, period, low, high, values, comment) in enumerate(tracker.activity, start=4):
        ws.write_string(r, 0, ref, f["code"])
        ws.write_string(r, 1, name, f["text"])
        ws.write_string(r, 2, period, f["centre"])
        ws.write_number(r, 3, low, f["threshold"])
        ws.write_number(r, 4, high, f["threshold"])
        for i, value in enumerate(values):
            if value is None:  # a month not reported yet
                ws.write_blank(r, first_month + i, None, f["count"])
            else:
                ws.write_number(r, first_month + i, value, f["count"])
        if comment:
            ws.write_string(r, comment_col, comment, f["text"])
        else:
            ws.write_blank(r, comment_col, None, f["text"])
        ws.set_row(r, row_height((name, 40), (comment, 50)))

    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 8)
    ws.set_column(3, 4, 11)
    ws.set_column(first_month, comment_col - 1, 10)
    ws.set_column(comment_col, comment_col, 50)
    ws.freeze_panes(4, 2)
    print_setup(ws, 3)


def proposed_sheet(wb, f, print_setup, tracker: Tracker) -> None:
    ws = wb.add_worksheet("Proposed 2020-21")
    ws.write_string(0, 0, "Proposed KPIs and targets for 2020/21", f["title"])
    ws.set_row(0, 22)
    ws.write_string(
        1,
        0,
        tracker.proposals_note,
        f["note"],
    )
    header = ["PI Ref", "Indicator description", "Polarity", "Target 2020/21", "Floor 2020/21"]
    for col, text in enumerate(header):
        ws.write_string(2, col, text, f["head_c"] if col >= 2 else f["head"])
    ws.set_row(2, 30)
    row = 3
    for k in tracker.proposals or ():
        percent = k.get("percent", True)
        figure_format = f[percent_format(k)] if percent else f["code"]  # "code": a border, no number format
        ws.write_string(row, 0, k["code"], f["code"])
        ws.write_string(row, 1, k["name"], f["text"])
        ws.write_string(row, 2, k["pol"], f["centre"])
        for col, key in ((3, "target"), (4, "floor")):
            if k[key] is not None:
                ws.write_number(row, col, pct(k[key]) if percent else k[key], figure_format)
        ws.set_row(row, row_height((k["name"], 70)))
        row += 1
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 70)
    ws.set_column(2, 4, 10)
    ws.freeze_panes(3, 0)
    print_setup(ws, 2, landscape=False)


def details_sheet(wb, f, print_setup, rows: Sequence[tuple] = DETAILS) -> None:
    ws = wb.add_worksheet("Paper details")
    for col, text in enumerate(["Detail", "Value", "Role", "Team", "Phone", "Email"]):
        ws.write_string(0, col, text, f["head"])
    for r, cells in enumerate(rows, start=1):
        ws.write_string(r, 0, cells[0], f["bold"])
        for col, value in enumerate(cells[1:], start=1):
            if isinstance(value, dt.datetime):
                ws.write_datetime(r, col, value, f["date_long"])
            elif isinstance(value, int):
                ws.write_number(r, col, value, f["int_plain"])
            elif value:
                ws.write_string(r, col, value, f["plain_wrap"])
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 50)
    ws.set_column(2, 2, 72)
    ws.set_column(3, 3, 48)
    ws.set_column(4, 4, 14)
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
        ("title", "About this tracker"),
        ("plain", ""),
        ("bold", "What it is"),
        (
            "plain",
            "The monthly KPI tracker for Strategic and Corporate Services, 2019/20. It "
            "holds the 25 KPIs reported to the Policy and Resources Cabinet Committee, "
            "with their targets and floor standards, and the activity indicators that "
            "give them context.",
        ),
        ("plain", ""),
        ("bold", "Illustrative data"),
        ("warn_wrap", ILLUSTRATIVE_NOTE),
        (
            "plain",
            "It reproduces the outcome of the published 2019/20 year-end paper (21 KPIs "
            "Green, 3 Amber, 1 Red) so the tool's outputs can be compared with it.",
        ),
        ("plain", ""),
        ("bold", "Sheets"),
        (
            "plain",
            "KPIs – one row per KPI, grouped by section; monthly values April 2019 to March 2020.",
        ),
        (
            "plain",
            "Activity – activity indicators with the lower and upper thresholds of the expected range.",
        ),
        (
            "plain",
            "Proposed 2020-21 – the KPIs, targets and floor standards proposed for next year.",
        ),
        ("plain", "Paper details – the committee paper's header block and contact details."),
        ("plain", "Settings – how RAG ratings and the direction of travel are worked out."),
        ("plain", ""),
        ("bold", "RAG ratings"),
        (
            "plain",
            "Green: target achieved. Amber: floor standard achieved but target not met. "
            "Red: floor standard not achieved. KPIs are rated on the latest month with "
            "data.",
        ),
        ("plain", ""),
        ("bold", "Who keeps it"),
        (
            "plain",
            TEAM + ". Figures are supplied by each service's performance lead by the "
            "tenth working day of the month.",
        ),
    ]
    for r, (style, text) in enumerate(lines):
        if text:
            ws.write_string(r, 0, text, f["plain_wrap"] if style == "plain" else f[style])
            if style in ("plain", "warn_wrap"):
                ws.set_row(r, row_height((text, 85)))
    ws.set_column(0, 0, 85)
    ws.hide_gridlines(2)
    print_setup(ws, None)


if __name__ == "__main__":
    print(build())
