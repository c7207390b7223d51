"""What every sheet of the RAG workbook shares: options, limits, text clean-up, styles, print set-up."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from kpi_excel.core.formatting import (
    fit_text,
    utf16_length,
    without_control_characters,
)
from kpi_excel.core.model import (
    Report,
)
from kpi_excel.present import palette
from kpi_excel.present.guidance import rule_name
from kpi_excel.present.views import ReportView

# Commentary that starts with "=" stays text, a URL stays text, and a NaN cannot corrupt the file.
OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
    "in_memory": True,  # no temporary file per part (a chart is three): faster, and nothing left behind
    # Arial named outright: a font tied to the theme ("minor" scheme) would show as Calibri
    "default_format_properties": {"font_name": "Arial", "font_size": 10, "font_scheme": "none"},
}

# Above this many indicators the Charts sheet holds a note instead of a chart each: thousands of
# charts make a workbook slow to open, and every row keeps its sparkline.
MAX_CHARTS = 250

# The one palette of both outputs (palette.py): each word's fill and text colour.
HEADER_FILL = palette.HEADER_FILL


TITLE_ROW, NOTE_ROW, MONTHS_ROW, HEADER_ROW = 0, 1, 2, 3
MAX_TEXT = 32_767  # Excel's limit on the characters in a cell
FOOTER_LIMIT = 255  # Excel's limit on the characters in a page header or footer
PROPERTY_LIMIT = 255  # what Office keeps of a document property (title, author, comments)


def clean(value: object, limit: int = MAX_TEXT) -> str:
    """Text as a cell may hold it: control characters removed, within Excel's length limit
    (counted as Excel counts, in UTF-16 units: an emoji is two, and is never cut in half)."""
    return fit_text(without_control_characters(str(value)), limit)


def created_at(report: Report) -> dt.datetime:
    """The document's creation date: the end of the report period, so rebuilding changes nothing."""
    day = report.period.end if report.period else dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day)


# --- styles ---------------------------------------------------------------------------------

_STYLE_BASES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"italic": True, "font_color": "#404040"},
    "heading": {"bold": True, "font_size": 11},
    "header": {"bold": True, "text_wrap": True, "valign": "top", "bg_color": HEADER_FILL,
               "bottom": 1},
    "header_centre": {"bold": True, "text_wrap": True, "valign": "top", "align": "center",
                      "bg_color": HEADER_FILL, "bottom": 1},
    "icon": {"valign": "vcenter", "align": "center"},
    "text": {"valign": "top"},
    "wrap": {"valign": "top", "text_wrap": True},
    "centre": {"valign": "top", "align": "center"},
    "mark": {"valign": "top", "align": "center", "italic": True, "font_color": "#595959"},
    "word": {"valign": "top", "align": "center", "bold": True, "border": 1, "border_color": "#808080"},
    "number": {"valign": "top"},
    "count": {"valign": "top", "align": "center", "num_format": "0"},
    "date": {"valign": "top", "num_format": "d mmmm yyyy", "align": "left"},
    "note": {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"},
    "hidden": {"font_color": "#808080", "font_size": 8},
}


class _Styles:
    """Each distinct cell format created once and reused (Excel limits a file to 64,000)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.cache: dict[tuple[str, str, str, str], Format] = {}
        self.fills: dict[str, Format] = {}

    def get(self, base: str, num_format: str = "", fill: str = "", font: str = "") -> Format:
        key = (base, num_format, fill, font)
        if key not in self.cache:
            props = dict(_STYLE_BASES[base])
            if num_format:
                props["num_format"] = num_format
            if fill and fill != palette.WHITE:
                props["bg_color"] = fill
            if font and font != palette.BLACK:
                props["font_color"] = font
            self.cache[key] = self.book.add_format(props)
        return self.cache[key]

    def conditional(self, word: str) -> Format:
        """The fill a conditional format gives a cell that reads word."""
        if word not in self.fills:
            swatch = palette.swatch_for_word(word)
            self.fills[word] = self.book.add_format({"bg_color": swatch.fill, "font_color": swatch.text})
        return self.fills[word]


# Printing: A4 landscape, 0.4 inch side margins, so 784 points across; text is 10 pt (8 pt at
# the least, on the hidden months row), and no text may print under 8 pt.
MIN_PRINT_SCALE = 80  # per cent: 10 pt text prints at 8 pt
PRINT_WIDTH_PT = (297 - 2 * 0.4 * 25.4) / 25.4 * 72
PRINT_HEIGHT_PT = (210 - 2 * 0.6 * 25.4) / 25.4 * 72  # the 0.6 inch top and bottom margins


def columns_width_pt(widths: Sequence[float]) -> float:
    """The printed width of columns of these widths (characters of Arial 10, as Excel counts them:
    seven pixels a character and five of padding, at 0.75 point a pixel)."""
    return sum(int(w * 7 + 5) for w in widths) * 0.75


def _print_setup(ws: Worksheet, header_row: int | None, title: str, widths: Sequence[float] = (),
                 repeat_columns: tuple[int, int] | None = None) -> None:
    """A4 landscape, fitted to the page's width where that leaves its text at 8 pt or more; a sheet
    too wide for that prints at MIN_PRINT_SCALE across several pages, left to right and then
    down, each page repeating repeat_columns (the code and name) and header_row."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if columns_width_pt(widths) * MIN_PRINT_SCALE / 100 <= PRINT_WIDTH_PT:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(MIN_PRINT_SCALE)
        ws.print_across()
        if repeat_columns is not None:
            ws.repeat_columns(*repeat_columns)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if header_row is not None:
        ws.repeat_rows(header_row)
    codes = "&L&C&A&RPage &P of &N"
    # Excel keeps at most 255 characters of a footer (XlsxWriter drops a longer one whole), and
    # reads & as a code: the title is cut to fit, then each & doubled so it prints as itself
    room = FOOTER_LIMIT - len(codes)
    safe = clean(title, room)
    while utf16_length(safe.replace("&", "&&")) > room:
        safe = safe[:-1]
    ws.set_footer(f"&L{safe.replace('&', '&&')}&C&A&RPage &P of &N")


def _estimate_lines(text: str, width: float) -> int:
    """How many lines text wraps to in a column width characters wide (roughly, as Excel does)."""
    per_line = max(int(width * 1.15), 1)
    return sum(max(math.ceil(len(part) / per_line), 1) for part in text.split("\n"))


# --- tables ---------------------------------------------------------------------------------


def table_name(sheet: str) -> str:
    return f"{sheet.replace(' ', '_')}_table"


def structured_reference(table: str, header: str) -> str:
    """Table[Column], with the characters a column name escapes in a reference (' [ ] #) escaped."""
    escaped = "".join("'" + ch if ch in "'[]#" else ch for ch in header)
    return f"{table}[{escaped}]"


_XML_SPACES = re.compile(r"[\t\r\n]+")


def table_header(text: str) -> str:
    """A table column's header, the same in its cell and in the table's definition.

    The definition stores it in an XML attribute, where a Tab or CR reads back as a space while the
    cell keeps it, and Excel then repairs the table: each run of them becomes one space in both.
    """
    return _XML_SPACES.sub(" ", clean(text, 250)).strip()  # Excel allows 255, "(2)" included


class Book:
    """What every sheet of one workbook shares: the workbook, the report's view, the styles, and
    the title and rule as the sheets name them. The sheet writers take it; book.py orchestrates."""

    def __init__(self, workbook: xlsxwriter.Workbook, view: ReportView) -> None:
        self.workbook = workbook
        self.view = view
        self.report = view.report
        self.styles = _Styles(workbook)
        dataset = self.report.dataset
        self.title = clean(dataset.title or dataset.details.subject or Path(dataset.source).stem or "KPIs")
        self.period_words = self.report.period.long_label if self.report.period else "no data yet"
        self.rule_name = rule_name(dataset.settings)
