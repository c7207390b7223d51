"""Native Excel charts from the chart specs: the RAG workbook's Charts sheet, and the small workbook
each Word chart carries for "Edit Data" (XlsxWriter, like the rest of this package)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from kpi_excel.charts.drawingml import DATA_SHEET, ChartFiles, chart_xml
from kpi_excel.core.model import Indicator, Rating, Report
from kpi_excel.present import palette
from kpi_excel.present.chartspec import DASHED, DOTTED, SOLID, ChartSpec, Line
from kpi_excel.present.views import ReportView, viewed
from kpi_excel.workbook import base
from kpi_excel.workbook.base import Book, _print_setup, clean, created_at
from kpi_excel.workbook.indicators import _Column, _Placed, _unique_headers

CHART_WIDTH, CHART_HEIGHT, CHART_ROWS, CHART_COLS = 600, 320, 17, 10
# XlsxWriter's names for the spec's DrawingML dashes
_DASH_TYPES = {SOLID: "solid", DASHED: "dash", DOTTED: "round_dot"}


def line_style(line: Line) -> dict[str, Any]:
    return {"color": line.colour, "width": line.width_pt, "dash_type": _DASH_TYPES[line.dash]}


def show_gaps(chart: Any) -> None:
    """Make the chart write <c:dispBlanksAs val="gap"/>.

    XlsxWriter leaves it out because "gap" is its default, but the schema's default is zero, so
    LibreOffice and other viewers would draw a missing month as a drop to 0.
    """
    chart.show_blanks_as("gap")
    chart._write_disp_blanks_as = lambda: chart._xml_empty_tag("c:dispBlanksAs", [("val", "gap")])


def style_chart(chart: Any, spec: ChartSpec) -> None:
    """The title, axes, legend, data label and gaps every native chart of a spec shares."""
    # sizes that print at 8 pt or more when the Charts sheet is fitted to an A4 page's width
    _title_as_text(chart, clean(spec.title, 250), {"size": 11, "bold": True})
    chart.set_y_axis({"num_format": spec.number_format, "min": spec.axis.low, "max": spec.axis.high,
                      "major_unit": spec.axis.step, "num_font": {"size": 10},
                      "major_gridlines": {"visible": True, "line": {"color": palette.GRID_LINE}}})
    chart.set_x_axis({"num_font": {"size": 10}})
    chart.set_legend({"position": "bottom", "font": {"size": 10}})
    show_gaps(chart)


def _title_as_text(chart: Any, title: str, font: dict[str, Any]) -> None:
    """A chart title that shows the text given: XlsxWriter reads a title that looks like
    Sheet!A1 (an indicator named "Sickness (see Data!B7)", or "+cmd|' /C calc'!A0") as a
    reference to fetch it from, so the title is set with a placeholder and given its text after."""
    chart.set_title({"name": "title", "name_font": font})
    chart.title.name = title


def series_options(spec: ChartSpec, line: Line, values: Sequence[float | None]) -> dict[str, Any]:
    """One series' look (and the cached values, empty for a gap): line, marker and latest label."""
    options: dict[str, Any] = {"name": line.name, "line": line_style(line), "values_data": list(values),
                               "smooth": False}
    if line.value is None:
        options["marker"] = {"type": "circle", "size": round(spec.marker_pt),
                             "fill": {"color": line.colour}, "border": {"color": line.colour}}
        if spec.label is not None:
            shown = [{"delete": True}] * len(values)
            shown[spec.label.index] = None  # type: ignore[call-overload]
            options["data_labels"] = {"value": True, "position": spec.label.position, "custom": shown,
                                      "font": {"bold": True, "color": line.colour, "size": 10}}
    else:
        options["marker"] = {"type": "none"}
    return options


class Charts:
    """A native line chart per indicator with a spec, fed by the Chart data sheet."""

    def __init__(self, book: Book, ws: Worksheet, data_ws: Worksheet | None,
                 charted: list[tuple[Rating, _Placed, ChartSpec]]) -> None:
        self.book, self.ws, self.data_ws, self.charted = book, ws, data_ws, charted

    def write(self) -> None:
        styles = self.book.styles
        self.ws.write_string(0, 0, clean(f"{self.book.title}: charts, {self.book.period_words}"),
                             styles.get("title"))
        if not self.charted:
            total = len(self.book.report.ratings)
            limit = base.MAX_CHARTS
            note = (f"Charts are written for workbooks of up to {limit} indicators; this one has "
                    f"{total}. " if total > limit else "No indicator has a figure to chart. ")
            self.ws.write_string(1, 0, note + "The Trend column of the KPIs and Activity sheets shows "
                                 "each indicator's sparkline.", styles.get("subtitle"))
            _print_setup(self.ws, None, self.book.title)
            return
        self.ws.write_string(1, 0, "Each chart plots the figures on the KPIs or Activity sheet (through "
                                   "the Chart data sheet), so it follows any figure edited there; a period "
                                   "that had no figure is a gap until the workbook is built again.",
                             styles.get("subtitle"))
        assert self.data_ws is not None
        data = ChartData(self.book, self.data_ws, self.charted)
        rows = data.write()
        for n, (_rating, _placed, spec) in enumerate(self.charted):
            row = 3 + (n // 2) * CHART_ROWS
            col = (n % 2) * CHART_COLS
            self.ws.insert_chart(row, col, self._chart(spec, rows[n]), {"description": spec.alt_text})
        _print_setup(self.ws, None, self.book.title)
        pages = range(3 + 2 * CHART_ROWS, 3 + ((len(self.charted) + 1) // 2) * CHART_ROWS, 2 * CHART_ROWS)
        self.ws.set_h_pagebreaks(list(pages))

    def _chart(self, spec: ChartSpec, rows: list[int]) -> Any:
        chart = self.book.workbook.add_chart({"type": "line"})
        assert self.data_ws is not None
        name = self.data_ws.get_name()
        first = ChartData.FIRST_PERIOD_COL
        last = first + len(spec.periods) - 1
        for (line, values), row in zip(spec.series, rows, strict=True):
            options = series_options(spec, line, values)
            options.update({"categories": [name, 0, first, 0, last], "values": [name, row, first, row, last]})
            chart.add_series(options)
        style_chart(chart, spec)
        chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
        return chart


class ChartData:
    """Each chart's rows: formulas over the indicator sheets, #N/A where there is no figure."""

    FIRST_PERIOD_COL = 3

    def __init__(self, book: Book, ws: Worksheet, charted: list[tuple[Rating, _Placed, ChartSpec]]) -> None:
        self.book, self.ws, self.charted = book, ws, charted
        self.periods = list(book.view.shown)

    def write(self) -> list[list[int]]:
        """Write every chart's rows; return the row of each line of each chart."""
        styles, ws = self.book.styles, self.ws
        rows_of: list[list[int]] = []
        row = 1
        for rating, placed, spec in self.charted:
            rows: list[int] = []
            fmt = styles.get("number", spec.number_format)
            for line, values in spec.series:
                ws.write_string(row, 0, clean(rating.indicator.code), styles.get("text"))
                ws.write_string(row, 1, clean(rating.indicator.name), styles.get("text"))
                ws.write_string(row, 2, line.name, styles.get("text"))
                cells = zip(self._cells(rating, placed, line), values, strict=True)
                for col, (ref, value) in enumerate(cells, start=self.FIRST_PERIOD_COL):
                    if value is None:
                        # a blank cell is the one gap every viewer draws: LibreOffice draws #N/A
                        # and "" as zero (a figure typed into such a period shows after a rebuild)
                        ws.write_blank(row, col, None, fmt)
                    elif ref is None:
                        ws.write_formula(row, col, "=NA()", fmt, "#N/A")
                    else:
                        ws.write_formula(row, col, f"=IF(ISNUMBER({ref}),{ref},NA())", fmt,
                                         "#N/A" if value is None else value)
                rows.append(row)
                row += 1
            rows_of.append(rows)
        headers = ["Code", "Indicator", "Series"] + [p.label for p in self.periods]
        ws.add_table(0, 0, max(row - 1, 1), len(headers) - 1, {
            "name": "Chart_data", "style": "Table Style Light 1",
            "description": "The figures each chart plots, one row per line.",
            "columns": [{"header": h, "header_format": styles.get("header")}
                        for h in [c.header for c in _unique_headers([_Column("", h, 0) for h in headers])]]})
        ws.set_column(0, 0, 8)
        ws.set_column(1, 1, 40)
        ws.set_column(2, 2, 14)
        ws.set_column(3, 2 + len(self.periods), 8)
        ws.freeze_panes(1, 3)
        ws.ignore_errors({"eval_error": f"D2:{xl_rowcol_to_cell(max(row - 1, 1), 2 + len(self.periods))}"})
        _print_setup(ws, 0, self.book.title)
        return rows_of

    def _cells(self, rating: Rating, placed: _Placed, line: Line) -> list[str | None]:
        """The cell each point of a line follows: the period's figure, or the reference figure's
        cell; None where the sheet has no column for that period."""
        if line.value is not None:
            return [placed.cell(rating, placed.columns[line.key])] * len(self.periods)
        return [placed.cell(rating, placed.period_columns[p]) if p in placed.period_columns else None
                for p in self.periods]


# --- The workbook inside a Word chart -------------------------------------------------------------


def chart_workbook(spec: ChartSpec, when: dt.datetime) -> bytes:
    """The small workbook a Word chart embeds, so Word's "Edit Data" opens its figures: the periods
    down column A, a column per line (row 1 its name), an empty cell for a missing figure: the
    layout chartxml.data_layout gives the chart.

    The same spec and time always give the same bytes.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    ws = book.add_worksheet(DATA_SHEET)
    fmt = book.add_format({"num_format": spec.number_format})
    ws.write_string(0, 0, "Period")
    for col, (line, values) in enumerate(spec.series, start=1):
        ws.write_string(0, col, line.legend)
        for row, value in enumerate(values, start=1):
            if value is not None:
                ws.write_number(row, col, value, fmt)
    for row, label in enumerate(spec.period_labels, start=1):
        ws.write_string(row, 0, label)
    ws.set_column(0, 0, 10)
    ws.set_column(1, len(spec.series), 16)
    book.set_properties({"created": when, "title": clean(spec.title, 250)})
    book.close()
    return buffer.getvalue()


def files_time(report: Report) -> dt.datetime:
    """The embedded workbooks' creation time: the RAG workbook's, from the data, never the clock."""
    return created_at(report)


def chart_files(spec: ChartSpec, when: dt.datetime) -> ChartFiles:
    """A native Word chart's chart XML and embedded workbook."""
    files = ChartFiles(b"", chart_workbook(spec, when))
    return ChartFiles(chart_xml(spec, files.data_rid), files.workbook)


def report_chart_files(rated: Report | ReportView) -> dict[Indicator, ChartFiles]:
    """Every native chart's files for a report's paper, made now: a build makes them while
    another process loads the libraries that write the paper."""
    view = viewed(rated)
    when = files_time(view.report)
    return {ind: chart_files(spec, when) for ind, spec in view.chart_specs.items() if spec is not None}
