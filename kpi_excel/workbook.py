"""The RAG workbook the finance team opens in Excel: the only module that imports xlsxwriter."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from . import __version__, formulas, palette, proposals
from .chartspec import ChartSpec, number_format, report_specs
from .errors import OutputError
from .formatting import (
    NO_DATA_WORD,
    NOT_RATED_WORD,
    POLARITY_WORDS,
    RANGE_WORDS,
    direction_word,
    fit_text,
    format_value,
    rag_word,
    this_and_next_year,
    utf16_length,
)
from .guidance import (
    ACTIVITY_NOTE,
    DIRECTION_METHOD_WORDS,
    KeyEntry,
    rag_key,
    rag_notes,
    range_key,
    report_direction_key,
    rule_name,
)
from .model import (
    DirectionMethod,
    Indicator,
    KpiType,
    Period,
    Polarity,
    Rag,
    RangeStatus,
    Rating,
    Report,
)
from .rules import month_index

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
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def write_workbook(report: Report, path: Path) -> None:
    """Write the RAG workbook for a rated report to path, a new file.

    The same report always gives a byte-identical file: the document's dates come from the
    report period, never from the clock.
    """
    book = xlsxwriter.Workbook(str(path), copy.deepcopy(OPTIONS))  # XlsxWriter changes what it is given
    _calculated_already(book)
    try:
        _Book(book, report).write()
    finally:
        try:
            book.close()
        except FileCreateError as error:
            raise OutputError(f"cannot be written ({error})", file=str(path),
                              fix="Close the file if it is open in Excel, or choose another --out folder",
                              ) from error


EXCEL_CALC_ID = 191029  # the calculation engine of Excel 2019 and Microsoft 365


def _calculated_already(book: xlsxwriter.Workbook) -> None:
    """Mark the workbook as calculated by a current Excel, so opening and closing it untouched does
    not ask "save changes?". Every formula's result is stored with it and tested equal to what
    LibreOffice recalculates (docs/workbook.md): a forced recalculation on load would change
    nothing. Editing a cell still recalculates what depends on it."""
    book.set_calc_mode("auto", calc_id=EXCEL_CALC_ID)
    book.calc_on_load = False  # XlsxWriter otherwise writes fullCalcOnLoad="1"


def clean(value: object, limit: int = MAX_TEXT) -> str:
    """Text as a cell may hold it: control characters removed, within Excel's length limit
    (counted as Excel counts, in UTF-16 units: an emoji is two, and is never cut in half)."""
    return fit_text(_CONTROL.sub("", str(value)), limit)


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


def _print_setup(ws: Worksheet, header_row: int | None, title: str) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
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


# --- the indicator sheets -------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """One column of an indicator sheet: its key (what the writer puts there), header and width."""

    key: str
    header: str
    width: float
    period: Period | None = None
    source: str = ""  # a department column's header as the workbook has it


@dataclass
class _Placed:
    """Where an indicator sheet put things, for the sheets that refer to it."""

    name: str
    first_row: int
    last_row: int
    columns: dict[str, int]
    period_columns: dict[Period, int]
    rows: dict[int, int] = field(default_factory=dict)  # id(rating) -> its row

    def range(self, key: str) -> str:
        col = self.columns[key]
        return (f"{quote_sheetname(self.name)}!${xl_col_to_name(col)}${self.first_row + 1}"
                f":${xl_col_to_name(col)}${self.last_row + 1}")

    def cell(self, rating: Rating, col: int) -> str:
        return f"{quote_sheetname(self.name)}!{xl_rowcol_to_cell(self.rows[id(rating)], col, col_abs=True)}"


class _IndicatorSheet:
    """The KPIs sheet or the Activity sheet: the department's rows with the formula columns."""

    def __init__(self, book: _Book, name: str, ratings: Sequence[Rating], kind: KpiType) -> None:
        self.book = book
        self.report = book.report
        self.settings = book.report.dataset.settings
        self.name = name
        self.ratings = ratings
        self.kind = kind
        self.ws = book.workbook.add_worksheet(name)
        self.periods = sorted({o.period for r in ratings for o in r.indicator.observations})
        self.columns = self._columns()
        self.col = {c.key: i for i, c in enumerate(self.columns)}
        self.period_col = {c.period: i for i, c in enumerate(self.columns) if c.period is not None}
        self.header_of = {c.period: c.header for c in self.columns if c.period is not None}

    # layout

    def _columns(self) -> list[_Column]:
        inds = [r.indicator for r in self.ratings]
        figures = _figure_width(inds)
        cols: list[_Column] = []
        if any(i.section for i in inds):
            cols.append(_Column("section", "Section", 18))
        cols += [_Column("code", "Code", 8), _Column("indicator", "Indicator", 46)]
        if self.kind is KpiType.KPI:
            cols.append(_Column("polarity", "Polarity", 11))
        if any(i.frequency for i in inds):
            cols.append(_Column("frequency", "Data period", 8))
        if any(i.unit for i in inds):
            cols.append(_Column("unit", "Unit", 7))
        if self.kind is KpiType.KPI:
            cols += [_Column("target", "Target", 9), _Column("floor", "Floor standard", 9)]
            if any(i.tolerance is not None for i in inds):
                cols.append(_Column("tolerance", "Amber tolerance", 9))
        else:
            width = max(figures, 10)
            cols += [_Column("lower", "Lower threshold", width), _Column("upper", "Upper threshold", width)]
        cols += [_Column("latest", "Latest value", max(figures, 10)),
                 _Column("latest_period", "Latest period", 9)]
        cols += self._rating_columns()
        cols.append(_Column("trend", "Trend", 14))
        cols += [_Column(f"period{i}", p.label, figures, p) for i, p in enumerate(self.periods)]
        cols.append(_Column("commentary", "Commentary", 60))
        if any(i.owner for i in inds):
            cols.append(_Column("owner", "Owner", 20))
        extras = list(dict.fromkeys(h for i in inds for h, _ in i.extra))
        cols += [_Column(f"extra{n}", h, 14, source=h) for n, h in enumerate(extras)]
        cols.append(_Column("source", "Source row", 12))
        return _unique_headers(cols)

    def _rating_columns(self) -> list[_Column]:
        if self.kind is KpiType.ACTIVITY:
            return [_Column("range", "Range", 10)]
        cols = [_Column("rag", "RAG", 10), _Column("dot", "DoT", 5), _Column("direction", "Direction", 11)]
        if self.settings.direction is DirectionMethod.PREVIOUS:
            cols += [_Column("compared", "Previous value", 10),
                     _Column("compared_period", "Previous period", 9)]
        elif self.settings.direction is DirectionMethod.LAST_YEAR:
            cols += [_Column("compared", "Value a year earlier", 10),
                     _Column("compared_period", "Period a year earlier", 9)]
        return cols

    @property
    def first_row(self) -> int:
        return HEADER_ROW + 1

    @property
    def last_row(self) -> int:
        return HEADER_ROW + len(self.ratings)

    def needs_months(self) -> bool:
        return self.kind is KpiType.KPI and self.settings.direction in (
            DirectionMethod.LAST_YEAR, DirectionMethod.TREND)

    # writing

    def write(self) -> _Placed:
        placed = _Placed(self.name, self.first_row, self.last_row, self.col, self.period_col)
        self._titles()
        for n, rating in enumerate(self.ratings):
            row = self.first_row + n
            placed.rows[id(rating)] = row
            self._row(row, rating)
        self._sparklines()
        self._table()
        self._conditional_formats()
        self._layout()
        return placed

    def _titles(self) -> None:
        styles, ws = self.book.styles, self.ws
        what = "KPIs" if self.kind is KpiType.KPI else "Activity indicators"
        ws.write_string(TITLE_ROW, 0, clean(f"{self.book.title}: {what}, {self.book.period_words}"),
                        styles.get("title"))
        ws.write_string(NOTE_ROW, 0, clean(self._note()), styles.get("subtitle"))
        if self.needs_months():
            ws.write_string(MONTHS_ROW, 0, "Month numbers, used by the direction formulas",
                            styles.get("hidden"))
            for period, col in self.period_col.items():
                ws.write_number(MONTHS_ROW, col, month_index(period), styles.get("hidden"))
            ws.set_row(MONTHS_ROW, None, None, {"hidden": True})

    def _note(self) -> str:
        if self.kind is KpiType.ACTIVITY:
            return ("Latest value, period and range are formulas: type a figure into its period and "
                    "they update. " + ACTIVITY_NOTE)
        return ("Latest value, RAG and direction of travel are formulas: type a late figure into its "
                f"period and they update. Rule: {self.book.rule_name.lower()}. Direction of travel: "
                f"{DIRECTION_METHOD_WORDS[self.settings.direction].lower()}. See the Guidance sheet.")

    def _row(self, row: int, rating: Rating) -> None:
        ind = rating.indicator
        styles = self.book.styles
        fmt = number_format(ind)
        refs = self._refs(row)
        texts = {"section": ind.section, "code": ind.code, "indicator": ind.name,
                 "frequency": ind.frequency, "unit": ind.unit, "commentary": ind.commentary,
                 "owner": ind.owner, "source": f"{ind.sheet} row {ind.row}" if ind.sheet else ""}
        if "polarity" in self.col:
            texts["polarity"] = POLARITY_WORDS[ind.polarity]
        for key, value in texts.items():
            if key in self.col:
                self._text(row, self.col[key], value, "wrap" if key in _WRAPPED else "text")
        figures = (("target", ind.target), ("floor", ind.floor), ("lower", ind.lower_threshold),
                   ("upper", ind.upper_threshold))
        for key, figure in figures:
            if key in self.col:
                self._number(row, self.col[key], figure, styles.get("number", fmt))
        if "tolerance" in self.col:
            self._number(row, self.col["tolerance"], ind.tolerance, styles.get("number", "0%"))
        self._observations(row, ind, fmt)
        self._extras(row, ind)
        self._formulas(row, rating, refs, fmt)
        self._height(row, texts)

    def _text(self, row: int, col: int, value: str, style: str) -> None:
        text = clean(value)
        if text:
            self.ws.write_string(row, col, text, self.book.styles.get(style))
        else:
            self.ws.write_blank(row, col, None, self.book.styles.get(style))

    def _number(self, row: int, col: int, value: float | None, fmt: Format) -> None:
        if value is None:
            self.ws.write_blank(row, col, None, fmt)
        else:
            self.ws.write_number(row, col, value, fmt)

    def _observations(self, row: int, ind: Indicator, fmt: str) -> None:
        styles = self.book.styles
        for obs in ind.observations:
            col = self.period_col[obs.period]
            if obs.value is not None:
                self.ws.write_number(row, col, obs.value, styles.get("number", fmt))
            elif obs.missing_reason and obs.missing_reason != "blank":
                self.ws.write_string(row, col, clean(obs.missing_reason), styles.get("mark"))

    def _extras(self, row: int, ind: Indicator) -> None:
        by_header = dict(ind.extra)
        for column in self.columns:
            if column.source in by_header:
                _write_extra(self.ws, row, self.col[column.key], by_header[column.source],
                             self.book.styles.get("wrap"))

    def _refs(self, row: int) -> formulas.RowRefs:
        def cell(key: str) -> str:
            return xl_rowcol_to_cell(row, self.col[key], col_abs=True) if key in self.col else ""

        upto = self.report.period
        # the periods up to the report period; none of the later ones holds a figure
        shown = [c for p, c in self.period_col.items() if upto is None or p <= upto]
        shown = shown or list(self.period_col.values()) or [0]
        first, last = min(shown), max(shown)

        def span(r: int, row_abs: bool) -> str:
            return (f"{xl_rowcol_to_cell(r, first, row_abs=row_abs, col_abs=True)}:"
                    f"{xl_rowcol_to_cell(r, last, row_abs=row_abs, col_abs=True)}")

        return formulas.RowRefs(
            values=span(row, False), labels=span(HEADER_ROW, True),
            months=span(MONTHS_ROW, True) if self.needs_months() else "",
            latest=cell("latest"), target=cell("target"), floor=cell("floor"),
            tolerance=cell("tolerance"), compared=cell("compared"), lower=cell("lower"),
            upper=cell("upper"),
        )

    def _formulas(self, row: int, rating: Rating, refs: formulas.RowRefs, fmt: str) -> None:
        styles, ws, col = self.book.styles, self.ws, self.col
        latest = rating.latest
        if self.period_col:
            ws.write_array_formula(row, col["latest"], row, col["latest"], formulas.latest_value(refs),
                                   styles.get("number", fmt), latest.value if latest else "")
            ws.write_array_formula(row, col["latest_period"], row, col["latest_period"],
                                   formulas.latest_period(refs), styles.get("centre"),
                                   self.header_of[latest.period] if latest else "")
        if self.kind is KpiType.ACTIVITY:
            ws.write_formula(row, col["range"], formulas.range_status(refs), styles.get("word"),
                             formulas.range_result(rating))
            return
        self._direction_formulas(row, rating, refs, fmt)
        ws.write_formula(row, col["rag"], formulas.rag(rating.indicator, self.settings, refs),
                         styles.get("word"), rag_word(rating))

    def _direction_formulas(self, row: int, rating: Rating, refs: formulas.RowRefs, fmt: str) -> None:
        styles, ws, col, method = self.book.styles, self.ws, self.col, self.settings.direction
        if not self.period_col:  # no figures at all: the RAG formula still reads "No data"
            return
        if "compared" in col:
            compared = rating.compared_with
            ws.write_array_formula(row, col["compared"], row, col["compared"],
                                   formulas.compared_value(refs, method), styles.get("number", fmt),
                                   compared.value if compared else "")
            ws.write_array_formula(row, col["compared_period"], row, col["compared_period"],
                                   formulas.compared_period(refs, method), styles.get("centre"),
                                   self.header_of[compared.period] if compared else "")
        code = formulas.direction_code(rating.indicator, self.settings, refs)
        if method is DirectionMethod.TREND:
            ws.write_array_formula(row, col["dot"], row, col["dot"], code, styles.get("icon"),
                                   formulas.direction_result(rating))
        else:
            ws.write_formula(row, col["dot"], code, styles.get("icon"), formulas.direction_result(rating))
        ws.write_formula(row, col["direction"],
                         formulas.direction_word(xl_rowcol_to_cell(row, col["dot"], col_abs=True)),
                         styles.get("text"), direction_word(rating.direction))

    def _sparklines(self) -> None:
        """One sparkline group for the whole column (one call: XlsxWriter styles each call afresh)."""
        if not self.period_col or not self.ratings:
            return
        first, last = min(self.period_col.values()), max(self.period_col.values())
        rows = range(self.first_row, self.last_row + 1)
        sheet = quote_sheetname(self.name)
        self.ws.add_sparkline(self.first_row, self.col["trend"], {
            "location": [xl_rowcol_to_cell(r, self.col["trend"]) for r in rows],
            "range": [f"{sheet}!{xl_rowcol_to_cell(r, first)}:{xl_rowcol_to_cell(r, last)}" for r in rows],
            "markers": True,
            "series_color": palette.VALUE_LINE, "markers_color": palette.VALUE_LINE,
            "empty_cells": "connect", "weight": 1.25,
        })

    def _height(self, row: int, texts: dict[str, str]) -> None:
        widths = {c.key: c.width for c in self.columns}
        lines = max((_estimate_lines(clean(t), widths[k]) for k, t in texts.items()
                     if k in widths and k in _WRAPPED and t), default=1)
        if lines > 1:
            self.ws.set_row(row, 12.75 * lines + 2)

    def _table(self) -> None:
        header = self.book.styles.get("header")
        what = "KPI" if self.kind is KpiType.KPI else "activity indicator"
        self.ws.add_table(HEADER_ROW, 0, self.last_row, len(self.columns) - 1, {
            "name": f"{self.name.replace(' ', '_')}_table",
            "style": "Table Style Light 1",
            "columns": [{"header": c.header, "header_format": header} for c in self.columns],
            "description": f"One row per {what}, with its figures by period and the formula columns.",
        })
        self.ws.set_row(HEADER_ROW, 27)

    def _conditional_formats(self) -> None:
        styles, ws = self.book.styles, self.ws
        first, last = self.first_row, self.last_row
        if self.kind is KpiType.KPI:
            words = [r.word for r in Rag] + [NO_DATA_WORD, NOT_RATED_WORD]
            key = "rag"
        else:
            words = [RANGE_WORDS[RangeStatus.ABOVE], RANGE_WORDS[RangeStatus.BELOW], NO_DATA_WORD]
            key = "range"
        col = self.col[key]
        for word in words:
            ws.conditional_format(first, col, last, col, {
                "type": "cell", "criteria": "equal to", "value": formulas.text(word),
                "format": styles.conditional(word)})
        if "dot" in self.col:
            col = self.col["dot"]
            arrows = [{"criteria": ">=", "type": "number", "value": 1},
                      {"criteria": ">=", "type": "number", "value": 0}]
            for n, rating in enumerate(self.ratings):  # data only: grey arrows, as neither way is better
                if rating.indicator.polarity is Polarity.NONE:  # added first, so Excel shows these
                    ws.conditional_format(first + n, col, first + n, col, {
                        "type": "icon_set", "icon_style": "3_arrows_gray", "icons_only": True,
                        "icons": arrows})
            ws.conditional_format(first, col, last, col, {
                "type": "icon_set", "icon_style": "3_arrows", "icons_only": True, "icons": arrows})

    def _layout(self) -> None:
        ws = self.ws
        for i, column in enumerate(self.columns):
            ws.set_column(i, i, column.width)
        ws.freeze_panes(self.first_row, self.col["indicator"] + 1)
        _print_setup(ws, HEADER_ROW, self.book.title)
        # rows of different polarity have differently shaped formulas, and say so by design
        last = xl_rowcol_to_cell(self.last_row, len(self.columns) - 1)
        data = f"{xl_rowcol_to_cell(self.first_row, 0)}:{last}"
        ws.ignore_errors({"formula_differs": data, "number_stored_as_text": data})


_WRAPPED = frozenset({"section", "indicator", "commentary", "owner", "polarity"})


def _figure_width(indicators: Sequence[Indicator]) -> float:
    """A column width that shows every figure of these indicators as the paper prints it."""
    def extremes(indicator: Indicator) -> list[float]:
        values = [o.value for o in indicator.observations if o.value is not None]
        return [max(values), min(values)] if values else []

    # the longest text comes from the largest or the most negative figure
    longest = max((len(format_value(v, i)) for i in indicators for v in extremes(i)), default=6)
    return max(8.0, longest + 2.0)


def _unique_headers(columns: list[_Column]) -> list[_Column]:
    """Excel Tables need distinct headers: a department column named like one of ours gets (2)."""
    seen: set[str] = set()
    result = []
    for column in columns:
        base = table_header(column.header) or "Column"
        header, n = base, 2
        while header.lower() in seen:
            header = f"{base} ({n})"
            n += 1
        seen.add(header.lower())
        result.append(dataclasses.replace(column, header=header))
    return result


_XML_SPACES = re.compile(r"[\t\r\n]+")


def table_header(text: str) -> str:
    """A table column's header, the same in its cell and in the table's definition.

    The definition stores it in an XML attribute, where a Tab or CR reads back as a space while the
    cell keeps it, and Excel then repairs the table: each run of them becomes one space in both.
    """
    return _XML_SPACES.sub(" ", clean(text, 250)).strip()  # Excel allows 255, "(2)" included


def _write_extra(ws: Worksheet, row: int, col: int, value: str, fmt: Format) -> None:
    """A department column's cell: a number where the text is one, else the text."""
    text = clean(value)
    try:
        figure = float(text)
    except ValueError:
        figure = None
    if figure is not None and math.isfinite(figure) and _same_text(figure, text):
        ws.write_number(row, col, figure, fmt)
    elif text:
        ws.write_string(row, col, text, fmt)


def _same_text(figure: float, text: str) -> bool:
    as_text = str(int(figure)) if figure.is_integer() else repr(figure)
    return as_text == text




# --- the whole book -------------------------------------------------------------------------


class _Book:
    """Writes every sheet of one workbook from one report."""

    def __init__(self, workbook: xlsxwriter.Workbook, report: Report) -> None:
        self.workbook = workbook
        self.report = report
        self.styles = _Styles(workbook)
        dataset = report.dataset
        self.title = clean(dataset.title or dataset.details.subject or Path(dataset.source).stem or "KPIs")
        self.period_words = report.period.long_label if report.period else "no data yet"
        settings = dataset.settings
        self.rule_name = rule_name(settings)

    def write(self) -> None:
        report = self.report
        dashboard = self.workbook.add_worksheet("Dashboard")
        kpis = _IndicatorSheet(self, "KPIs", report.kpis, KpiType.KPI).write() if report.kpis else None
        activity = (_IndicatorSheet(self, "Activity", report.activities, KpiType.ACTIVITY).write()
                    if report.activities else None)
        charts = self.workbook.add_worksheet("Charts")
        proposals = self.workbook.add_worksheet("Proposals") if report.dataset.proposals else None
        warnings = self.workbook.add_worksheet("Warnings") if report.warnings else None
        guidance = self.workbook.add_worksheet("Guidance")
        charted = self._charted(kpis, activity)
        chart_data = self.workbook.add_worksheet("Chart data") if charted else None
        _Dashboard(self, dashboard, kpis, activity).write()
        from .workbook_charts import Charts  # it builds on this module

        Charts(self, charts, chart_data, charted).write()
        if proposals is not None:
            _Proposals(self, proposals).write()
        if warnings is not None:
            _write_warnings(self, warnings)
        _Guidance(self, guidance).write()
        dashboard.activate()
        self._properties()

    def _charted(self, kpis: _Placed | None,
                 activity: _Placed | None) -> list[tuple[Rating, _Placed, ChartSpec]]:
        """Each indicator with a figure to chart, where its sheet put it, and its chart's spec."""
        if len(self.report.ratings) > MAX_CHARTS:
            return []
        specs = report_specs(self.report)
        pairs = [(r, kpis) for r in self.report.kpis] + [(r, activity) for r in self.report.activities]
        return [(r, p, spec) for r, p in pairs
                if p is not None and p.period_columns and (spec := specs[r.indicator]) is not None]

    def _properties(self) -> None:
        dataset = self.report.dataset
        details = dataset.details
        self.workbook.set_properties({
            "title": clean(f"{self.title}: RAG workbook, {self.period_words}", PROPERTY_LIMIT),
            "subject": clean(details.subject or "KPI performance", PROPERTY_LIMIT),
            "author": clean(details.author.name if details.author else "", PROPERTY_LIMIT),
            "manager": clean(details.director.name if details.director else "", PROPERTY_LIMIT),
            "company": clean(details.service, PROPERTY_LIMIT),
            "category": "KPI dashboard",
            "keywords": "KPI, RAG, performance",
            "comments": clean(f"Rated from {dataset.source} (SHA-256 {dataset.sha256}) by kpi-excel "
                              f"{__version__}.", PROPERTY_LIMIT),
            "created": created_at(self.report),
        })


# --- dashboard ------------------------------------------------------------------------------


class _Dashboard:
    """Counts by RAG as live formulas, the report period, the source and the rule applied."""

    def __init__(self, book: _Book, ws: Worksheet, kpis: _Placed | None, activity: _Placed | None):
        self.book, self.ws, self.kpis, self.activity = book, ws, kpis, activity
        self.report = book.report
        self.row = 0

    def write(self) -> None:
        styles = self.book.styles
        self.ws.write_string(0, 0, clean(f"{self.book.title}: dashboard, {self.book.period_words}"),
                             styles.get("title"))
        self.ws.write_string(1, 0, "The counts are formulas over the KPIs and Activity sheets: they "
                                   "follow any figure edited there.", styles.get("subtitle"))
        self.row = 3
        self._about()
        self._rag_counts()
        self._sections()
        self._activity_counts()
        for col, width in enumerate((30, 19, 11, 11, 11, 11, 11)):
            self.ws.set_column(col, col, width)
        _print_setup(self.ws, None, self.book.title)
        self.ws.set_portrait()
        self.ws.print_area(0, 0, self.row, 6)

    def _heading(self, text: str) -> None:
        self.ws.write_string(self.row, 0, text, self.book.styles.get("heading"))
        self.row += 1

    def _table(self, headers: Sequence[str], rows: Sequence[Sequence[Callable[[int, int], None]]],
               name: str, description: str, counts: bool = False) -> tuple[int, int]:
        """Write a table whose cells are writer functions; returns its first and last data rows."""
        styles = self.book.styles
        formats = [styles.get("header_centre" if counts and n else "header") for n in range(len(headers))]
        headers = [table_header(h) for h in headers]
        top = self.row
        for r, cells in enumerate(rows, start=top + 1):
            for c, write in enumerate(cells):
                write(r, c)
        last = top + max(len(rows), 1)
        self.ws.add_table(top, 0, last, len(headers) - 1, {
            "name": name, "style": "Table Style Light 1", "description": description,
            "columns": [{"header": h, "header_format": f} for h, f in zip(headers, formats, strict=True)]})
        self.row = last + 2
        return top + 1, last

    def _string(self, value: str, style: str = "text") -> Callable[[int, int], None]:
        return lambda r, c: self.ws.write_string(r, c, clean(value), self.book.styles.get(style))

    def _formula(self, formula: str, value: float | str, style: str = "count") -> Callable[[int, int], None]:
        return lambda r, c: self.ws.write_formula(r, c, formula, self.book.styles.get(style), value)

    def _about(self) -> None:
        report, dataset = self.report, self.report.dataset
        settings = dataset.settings
        period = report.period
        rows: list[list[Callable[[int, int], None]]] = [
            [self._string("Report period"), self._string(period.long_label if period else "No data")],
        ]
        if period:
            end = dt.datetime(period.end.year, period.end.month, period.end.day)
            rows.append([self._string("Data runs to"),
                         lambda r, c: self.ws.write_datetime(r, c, end, self.book.styles.get("date"))])
        rows += [
            [self._string("Source workbook"), self._string(dataset.source)],
            [self._string("Source SHA-256"), self._string(dataset.sha256)],
            [self._string("RAG rule"), self._string(self.book.rule_name)],
            [self._string("Direction of travel"), self._string(DIRECTION_METHOD_WORDS[settings.direction])],
            [self._string("Data-quality warnings"),
             self._string(f"{len(report.warnings)}, listed on the Warnings sheet" if report.warnings
                          else "None")],
            [self._string("Written by"), self._string(f"kpi-excel {__version__}")],
        ]
        self._heading("About this workbook")
        self._table(("Item", "Detail"), rows, "About_table", "The report period, source file and rules.")

    def _rag_counts(self) -> None:
        summary = self.report.summary
        cells = self.kpis.range("rag") if self.kpis else ""
        entries = [(Rag.GREEN.word, (Rag.GREEN.word,), summary.green),
                   (Rag.AMBER.word, (Rag.AMBER.word,), summary.amber),
                   (Rag.RED.word, (Rag.RED.word,), summary.red),
                   ("Not rated or no data", (NO_DATA_WORD, NOT_RATED_WORD), summary.not_rated)]
        rows = [[self._string(label, "word"), self._count(cells, words, count)]
                for label, words, count in entries]
        self._heading(f"KPIs by RAG rating, {self.book.period_words}")
        first, last = self._table(("Rating", "KPIs"), rows, "RAG_counts",
                                  "How many KPIs are Green, Amber, Red or not rated.", counts=True)
        for label, _words, _count in entries[:3]:
            self._colour(first, last, label)

    def _count(self, cells: str, words: tuple[str, ...], count: int) -> Callable[[int, int], None]:
        if not cells:
            return lambda r, c: self.ws.write_number(r, c, count, self.book.styles.get("count"))
        return self._formula(formulas.count_words(cells, words), count)

    def _colour(self, first: int, last: int, word: str) -> None:
        self.ws.conditional_format(first, 0, last, 0, {
            "type": "cell", "criteria": "equal to", "value": formulas.text(word),
            "format": self.book.styles.conditional(word)})

    def _sections(self) -> None:
        if not self.kpis or "section" not in self.kpis.columns:
            return
        words = [(Rag.GREEN.word,), (Rag.AMBER.word,), (Rag.RED.word,), (NO_DATA_WORD, NOT_RATED_WORD)]
        rag_cells, keys = self.kpis.range("rag"), self.kpis.range("section")
        rows = []
        for section, ratings in self.report.sections():
            key = clean(section)
            counts = [sum(rag_word(r) in w for r in ratings) for w in words]
            cells = [self._string(key or "(No section)")]
            for w, count in zip(words, counts, strict=True):
                cells.append(self._section_count(rag_cells, w, keys, bool(key), count))
            cells.append(self._sum_left(len(words), sum(counts)))
            rows.append(cells)
        self._heading("KPIs by section")
        self._table(("Section", "Green", "Amber", "Red", "Not rated", "Total"), rows,
                    "Section_counts", "How many KPIs in each section are Green, Amber, Red or not rated.",
                    counts=True)

    def _section_count(self, rag_cells: str, words: tuple[str, ...], keys: str, named: bool,
                       count: int) -> Callable[[int, int], None]:
        """A count over the rows of the section named in this row's first cell (the section's
        name is never put into the formula; an unnamed section's rows have an empty cell)."""
        def write(r: int, c: int) -> None:
            key = xl_rowcol_to_cell(r, 0, col_abs=True) if named else '""'
            self.ws.write_array_formula(r, c, r, c, formulas.count_words_where(rag_cells, words, keys, key),
                                        self.book.styles.get("count"), count)
        return write

    def _sum_left(self, width: int, total: int) -> Callable[[int, int], None]:
        def write(r: int, c: int) -> None:
            span = f"{xl_rowcol_to_cell(r, c - width)}:{xl_rowcol_to_cell(r, c - 1)}"
            self.ws.write_formula(r, c, f"=SUM({span})", self.book.styles.get("count"), total)
        return write

    def _activity_counts(self) -> None:
        if not self.activity:
            return
        cells = self.activity.range("range")
        statuses = [RangeStatus.ABOVE, RangeStatus.WITHIN, RangeStatus.BELOW]
        ratings = self.report.activities
        rows = [[self._string(RANGE_WORDS[s], "word"),
                 self._formula(formulas.count_words(cells, (RANGE_WORDS[s],)),
                               sum(r.range_status is s for r in ratings))] for s in statuses]
        rows.append([self._string(NO_DATA_WORD, "word"),
                     self._formula(formulas.count_words(cells, (NO_DATA_WORD,)),
                                   sum(formulas.range_result(r) == NO_DATA_WORD for r in ratings))])
        self._heading("Activity indicators against their expected range")
        first, last = self._table(("Range", "Activity indicators"), rows, "Range_counts",
                                  "How many activity indicators are above, within or below range.",
                                  counts=True)
        for status in (RangeStatus.ABOVE, RangeStatus.BELOW):
            self._colour(first, last, RANGE_WORDS[status])


def _write_warnings(book: _Book, ws: Worksheet) -> None:
    """The data-quality warnings found when the workbook was written, one a row."""
    styles = book.styles
    warnings = book.report.warnings
    ws.write_string(TITLE_ROW, 0, clean(f"{book.title}: data-quality warnings"), styles.get("title"))
    ws.write_string(NOTE_ROW, 0, "Found in the source workbook when this workbook was written; they do not "
                                 "change a rating.", styles.get("subtitle"))
    for n, warning in enumerate(warnings, start=HEADER_ROW + 1):
        ws.write_string(n, 0, clean(warning.where), styles.get("text"))
        ws.write_string(n, 1, clean(warning.message), styles.get("wrap"))
        lines = _estimate_lines(clean(warning.message), 110)
        if lines > 1:
            ws.set_row(n, 12.75 * lines + 2)
    ws.add_table(HEADER_ROW, 0, HEADER_ROW + len(warnings), 1, {
        "name": "Warnings_table", "style": "Table Style Light 1",
        "description": "Data-quality warnings: where each was found and what it is.",
        "columns": [{"header": h, "header_format": styles.get("header")} for h in ("Where", "Warning")]})
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 110)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    _print_setup(ws, HEADER_ROW, book.title)


# --- proposals ------------------------------------------------------------------------------


class _Proposals:
    """Next year's proposed KPIs and targets beside this year's, with what changed (proposals.py)."""

    def __init__(self, book: _Book, ws: Worksheet) -> None:
        self.book, self.ws = book, ws
        period = book.report.period
        self.this_year, self.next_year = this_and_next_year(period)

    def write(self) -> None:
        styles, ws = self.book.styles, self.ws
        lines = proposals.proposal_lines(self.book.report)
        ws.write_string(TITLE_ROW, 0, clean(f"{self.book.title}: proposed KPIs and targets for "
                                            f"{self.next_year}"), styles.get("title"))
        ws.write_string(NOTE_ROW, 0, "The Change column is a formula: it compares each proposed target "
                                     "and floor with this year's.", styles.get("subtitle"))
        headers = ["Code", "Indicator", "Polarity", f"Target {self.this_year}", f"Floor {self.this_year}",
                   f"Proposed target {self.next_year}", f"Proposed floor {self.next_year}", "Change", "Note"]
        for n, line in enumerate(lines):
            self._row(HEADER_ROW + 1 + n, line)
        last = HEADER_ROW + len(lines)
        ws.add_table(HEADER_ROW, 0, last, len(headers) - 1, {
            "name": "Proposals_table", "style": "Table Style Light 1",
            "description": "Next year's proposed KPIs, targets and floor standards beside this year's.",
            "columns": [{"header": clean(h), "header_format": styles.get("header")} for h in headers]})
        ws.set_row(HEADER_ROW, 27)
        for proposed, current in ((5, 3), (6, 4)):
            ws.conditional_format(HEADER_ROW + 1, proposed, last, proposed, {
                "type": "formula", "format": styles.conditional(Rag.AMBER.word),
                "criteria": f"=NOT({_same_cells(HEADER_ROW + 1, current, proposed)})"})
        for col, width in enumerate((8, 50, 14, 11, 11, 12, 12, 26, 40)):
            ws.set_column(col, col, width)
        ws.freeze_panes(HEADER_ROW + 1, 2)
        _print_setup(ws, HEADER_ROW, self.book.title)

    def _row(self, row: int, line: proposals.ProposalLine) -> None:
        styles, ws = self.book.styles, self.ws
        fmt = styles.get("number", "0.0%" if line.shape.is_percent else "#,##0.##")
        ws.write_string(row, 0, clean(line.code), styles.get("text"))
        ws.write_string(row, 1, clean(line.name), styles.get("wrap"))
        ws.write_string(row, 2, POLARITY_WORDS[line.polarity] if line.polarity else "", styles.get("text"))
        for col, value in ((3, line.current_target), (4, line.current_floor), (5, line.target),
                           (6, line.floor)):
            if value is None:
                ws.write_blank(row, col, None, fmt)
            else:
                ws.write_number(row, col, value, fmt)
        note = proposals.change_note(line, self.next_year)
        if line.is_new or line.is_dropped:
            ws.write_string(row, 7, note, styles.get("wrap"))
        else:
            target, floor, proposed_target, proposed_floor = (xl_rowcol_to_cell(row, c) for c in (3, 4, 5, 6))
            ws.write_formula(row, 7, formulas.proposal_change(target, floor, proposed_target, proposed_floor,
                                                              line.polarity), styles.get("wrap"), note)
        ws.write_string(row, 8, clean(line.note), styles.get("wrap"))
        lines = max(_estimate_lines(clean(line.name), 50), _estimate_lines(clean(line.note), 40),
                    _estimate_lines(note, 26))
        if lines > 1:
            ws.set_row(row, 12.75 * lines + 2)


def _same_cells(row: int, current: int, proposed: int) -> str:
    """The proposals' highlight test, relative to the first data row as conditional formats need."""
    return formulas.same_figure_test(xl_rowcol_to_cell(row, current, col_abs=True),
                                     xl_rowcol_to_cell(row, proposed, col_abs=True))


# --- guidance -------------------------------------------------------------------------------


class _Guidance:
    """The RAG, direction and range definitions as applied, and how to edit the workbook."""

    def __init__(self, book: _Book, ws: Worksheet) -> None:
        self.book, self.ws = book, ws
        self.row = 0

    def write(self) -> None:
        styles, ws = self.book.styles, self.ws
        settings = self.book.report.dataset.settings
        ws.write_string(0, 0, clean(f"{self.book.title}: guidance notes"), styles.get("title"))
        self.row = 2
        self._heading("Using this workbook")
        self._paragraphs(_USING)
        self._heading("RAG rating")
        self._key(rag_key(settings), "RAG_key", "What Green, Amber and Red mean.", coloured=True)
        self._paragraphs(rag_notes(settings))
        self._heading("Direction of travel")
        self._key(report_direction_key(self.book.report), "Direction_key",
                  "What the direction-of-travel words mean.")
        self._heading("Activity indicators")
        self._paragraphs((ACTIVITY_NOTE,))
        self._key(range_key(), "Range_key", "What the activity-range words mean.", coloured=True)
        ws.set_column(0, 0, 14)
        ws.set_column(1, 1, 110)
        _print_setup(ws, None, self.book.title)

    def _heading(self, text: str) -> None:
        self.ws.write_string(self.row, 0, text, self.book.styles.get("heading"))
        self.row += 1

    def _paragraphs(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.ws.write_string(self.row, 1, clean(text), self.book.styles.get("wrap"))
            lines = _estimate_lines(text, 110)
            if lines > 1:
                self.ws.set_row(self.row, 12.75 * lines + 2)
            self.row += 1
        self.row += 1

    def _key(self, entries: Sequence[KeyEntry], name: str, description: str, coloured: bool = False) -> None:
        styles, ws = self.book.styles, self.ws
        top = self.row
        for n, entry in enumerate(entries, start=top + 1):
            swatch = palette.swatch_for_word(entry.label) if coloured else palette.PLAIN
            ws.write_string(n, 0, entry.label, styles.get("word", fill=swatch.fill, font=swatch.text))
            ws.write_string(n, 1, clean(entry.meaning), styles.get("wrap"))
        ws.add_table(top, 0, top + len(entries), 1, {
            "name": name, "style": "Table Style Light 1", "description": description,
            "columns": [{"header": h, "header_format": styles.get("header")} for h in ("Label", "Meaning")]})
        self.row = top + len(entries) + 2


_USING = (
    "The KPIs sheet holds the department's figures by period. Its Latest value, Latest period, RAG, "
    "DoT and Direction columns are formulas: type a late figure into its period (or correct one) and "
    "they, the Dashboard counts and the charts update. Each formula cell also holds the result "
    "kpi-excel worked out, so the workbook reads correctly even where nothing recalculates.",
    "Editing a target, floor standard or tolerance re-rates the row in the same way. Polarity, the "
    "RAG rule and the direction-of-travel method are built into each row's formulas: to change "
    "them, change the source workbook and build again.",
    "The latest value is the last figure no later than the report period; text such as TBC or n/a "
    "in a period counts as no figure. Comparisons are made as Excel makes them, so a value typed as "
    "0.9 and one calculated as 0.7+0.2 both meet a target of 90%.",
    palette.colours_sentence(),
)
