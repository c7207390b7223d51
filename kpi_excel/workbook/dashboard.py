"""The RAG workbook's Dashboard: the Red and Amber KPIs first, then the counts by rating, by section
(with a chart) and against range, and what the workbook was made from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from kpi_excel._version import __version__
from kpi_excel.core.formatting import NO_DATA_WORD, NOT_RATED_WORD, RANGE_WORDS, rag_word
from kpi_excel.core.model import Rag, RangeStatus, Rating
from kpi_excel.core.values import encode_excel_escapes
from kpi_excel.present import formulas, palette
from kpi_excel.present.chartspec import number_format
from kpi_excel.present.guidance import DIRECTION_METHOD_WORDS
from kpi_excel.workbook.base import (
    PRINT_HEIGHT_PT,
    PRINT_WIDTH_PT,
    Book,
    _estimate_lines,
    _print_setup,
    clean,
    columns_width_pt,
)
from kpi_excel.workbook.indicators import _Placed, table_header

# the Dashboard's columns: the Red and Amber list uses all seven; the counts the first six
WIDTHS = (40, 14, 11, 11, 11, 20, 52)
ATTENTION_HEADERS = ("KPI", "RAG", "Latest value", "Target", "Floor standard", "Owner", "Commentary")
NOT_RATED_LABEL = "Not rated or no data"
SECTION_WORDS = ((Rag.GREEN.word,), (Rag.AMBER.word,), (Rag.RED.word,), (NO_DATA_WORD, NOT_RATED_WORD))
SECTION_HEADERS = ("Section", "Green", "Amber", "Red", "Not rated", "Total")


ROW_PT = 12.75  # a row's height when none is set (Arial 10)


def _chart_height(sections: int) -> int:
    """The section chart's height in pixels: room for each section's bar, its title and legend."""
    return max(180, 60 + 28 * sections)


class _Dashboard:
    """What finance reads first: the KPIs that need attention, then counts as live formulas."""

    def __init__(self, book: Book, ws: Worksheet, kpis: _Placed | None, activity: _Placed | None):
        self.book, self.ws, self.kpis, self.activity = book, ws, kpis, activity
        self.report = book.report
        self.row = 0
        self.tall: dict[int, float] = {}  # rows given a height of their own, in points

    def write(self) -> None:
        styles = self.book.styles
        self.ws.write_string(0, 0, clean(f"{self.book.title}: dashboard, {self.book.period_words}"),
                             styles.get("title"))
        self.ws.write_string(1, 0, "The counts are formulas over the KPIs and Activity tables: they follow "
                                   "any figure edited there, and count a row added to a table.",
                             styles.get("subtitle"))
        self.row = 3
        self._attention()
        self._keep_counts_on_one_page()
        self._rag_counts()
        self._sections()
        self._activity_counts()
        self._about()
        for col, width in enumerate(WIDTHS):
            self.ws.set_column(col, col, width)
        _print_setup(self.ws, None, self.book.title, WIDTHS)
        self.ws.print_area(0, 0, self.row, len(WIDTHS) - 1)

    def _keep_counts_on_one_page(self) -> None:
        """A page break above the counts where a long Red and Amber list would leave the counts and
        the chart beside them split across two printed pages."""
        scale = min(1.0, PRINT_WIDTH_PT / columns_width_pt(WIDTHS))
        page = PRINT_HEIGHT_PT / scale
        used = sum(self.tall.get(r, ROW_PT) for r in range(self.row))
        sections = len(self.report.sections()) if self.kpis and "section" in self.kpis.columns else 0
        counts = ROW_PT * (14 + sections) + _chart_height(sections) * 0.75
        if used + counts > page and used > page / 3:
            self.ws.set_h_pagebreaks([self.row])

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
        lines = max(_estimate_lines(h, WIDTHS[c] - 1) for c, h in enumerate(headers))
        if lines > 1:  # a header that wraps ("Floor standard") shows whole
            self.ws.set_row(top, 12.75 * lines + 2)
        self.ws.add_table(top, 0, last, len(headers) - 1, {
            "name": name, "style": "Table Style Light 1", "description": description,
            "columns": [{"header": h, "header_format": f} for h, f in zip(headers, formats, strict=True)]})
        self.row = last + 2
        return top + 1, last

    def _string(self, value: str, style: str = "text") -> Callable[[int, int], None]:
        return lambda r, c: self.ws.write_string(r, c, clean(value), self.book.styles.get(style))

    def _formula(self, formula: str, value: float | str, style: str = "count",
                 number: str = "") -> Callable[[int, int], None]:
        # XlsxWriter stores a formula's text result as given: "_x0041_" typed in a commentary is escaped
        # here, or Excel would show "A" until the cell is recalculated
        stored = encode_excel_escapes(value) if isinstance(value, str) else value
        return lambda r, c: self.ws.write_formula(r, c, formula, self.book.styles.get(style, number), stored)

    def _colour(self, first: int, last: int, word: str, col: int = 0, label: str = "") -> None:
        """Cells reading label (or word) take word's fill, as the rated cells do."""
        self.ws.conditional_format(first, col, last, col, {
            "type": "cell", "criteria": "equal to", "value": formulas.text(label or word),
            "format": self.book.styles.conditional(word)})

    # --- the KPIs that need attention ---------------------------------------------------------

    def _attention(self) -> None:
        """The Red and Amber KPIs, Red first, each row following its KPIs row (formulas), so an
        edited figure shows here too; the list itself is the one the workbook was written with."""
        if self.kpis is None:
            return
        listed = ([r for r in self.report.kpis if r.rag is Rag.RED]
                  + [r for r in self.report.kpis if r.rag is Rag.AMBER])
        self._heading(f"Red and Amber KPIs, {self.book.period_words}")
        if not listed:
            self.ws.write_string(self.row, 0, "No KPI is Red or Amber.", self.book.styles.get("text"))
            self.row += 2
            return
        rows = [self._attention_row(rating) for rating in listed]
        first, last = self._table(ATTENTION_HEADERS, rows, "Red_and_Amber",
                                  "The Red and Amber KPIs: owner, latest value against target and floor "
                                  "standard, and commentary.")
        for word in (Rag.RED.word, Rag.AMBER.word, Rag.GREEN.word, NO_DATA_WORD, NOT_RATED_WORD):
            self._colour(first, last, word, col=1)
        for n, rating in enumerate(listed):
            lines = max(_estimate_lines(clean(rating.indicator.commentary), WIDTHS[6]),
                        _estimate_lines(clean(rating.indicator.label), WIDTHS[0]),
                        _estimate_lines(clean(rating.indicator.owner), WIDTHS[5]))
            if lines > 1:
                self.ws.set_row(first + n, 12.75 * lines + 2)
                self.tall[first + n] = 12.75 * lines + 2

    def _attention_row(self, rating: Rating) -> list[Callable[[int, int], None]]:
        assert self.kpis is not None
        kpis, ind = self.kpis, rating.indicator

        def cell(key: str) -> str:
            return kpis.cell(rating, kpis.columns[key])

        def text(key: str, value: str) -> Callable[[int, int], None]:
            if key not in kpis.columns:
                return self._string("", "wrap")
            return self._formula(f"={cell(key)}&\"\"", clean(value), "wrap")

        def figure(key: str, value: float | None) -> Callable[[int, int], None]:
            if key not in kpis.columns:
                return self._string("")
            at = cell(key)
            return self._formula(f'=IF(ISNUMBER({at}),{at},"")', "" if value is None else value, "number",
                                 number_format(ind))

        code, name = clean(ind.code), clean(ind.name)
        label = (f'=IF({cell("code")}="",{cell("indicator")}&"",{cell("code")}&" "&{cell("indicator")})'
                 if "code" in kpis.columns else f'={cell("indicator")}&""')
        return [
            self._formula(label, f"{code} {name}" if code else name, "wrap"),
            self._formula(f"={cell('rag')}", rag_word(rating), "word"),
            figure("latest", rating.latest.value if rating.latest else None),
            figure("target", ind.target),
            figure("floor", ind.floor),
            text("owner", ind.owner),
            text("commentary", ind.commentary),
        ]

    # --- counts ---------------------------------------------------------------------------------

    def _rag_counts(self) -> None:
        summary = self.report.summary
        cells = self.kpis.column("rag") if self.kpis else ""
        entries = [(Rag.GREEN.word, (Rag.GREEN.word,), summary.green),
                   (Rag.AMBER.word, (Rag.AMBER.word,), summary.amber),
                   (Rag.RED.word, (Rag.RED.word,), summary.red),
                   (NOT_RATED_LABEL, (NO_DATA_WORD, NOT_RATED_WORD), summary.not_rated)]
        rows = [[self._string(label, "word"), self._count(cells, words, count)]
                for label, words, count in entries]
        self._heading(f"KPIs by RAG rating, {self.book.period_words}")
        first, last = self._table(("Rating", "KPIs"), rows, "RAG_counts",
                                  "How many KPIs are Green, Amber, Red or not rated.", counts=True)
        for label, _words, _count in entries[:3]:
            self._colour(first, last, label)
        self._colour(first, last, NO_DATA_WORD, label=NOT_RATED_LABEL)  # the same grey as the cells

    def _count(self, cells: str, words: tuple[str, ...], count: int) -> Callable[[int, int], None]:
        if not cells:
            return lambda r, c: self.ws.write_number(r, c, count, self.book.styles.get("count"))
        return self._formula(formulas.count_words(cells, words), count)

    def _sections(self) -> None:
        if not self.kpis or "section" not in self.kpis.columns:
            return
        rag_cells, keys = self.kpis.column("rag"), self.kpis.column("section")
        rows, table = [], []
        for section, ratings in self.report.sections():
            key = clean(section)
            counts = [sum(rag_word(r) in w for r in ratings) for w in SECTION_WORDS]
            table.append(counts)
            cells = [self._string(key or "(No section)")]
            for w, count in zip(SECTION_WORDS, counts, strict=True):
                cells.append(self._section_count(rag_cells, w, keys, bool(key), count))
            cells.append(self._sum_left(len(SECTION_WORDS), sum(counts)))
            rows.append(cells)
        self._heading("KPIs by section")
        top = self.row
        first, last = self._table(SECTION_HEADERS, rows, "Section_counts",
                                  "How many KPIs in each section are Green, Amber, Red or not rated.",
                                  counts=True)
        self._section_chart(top, first, last, table)

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

    def _section_chart(self, header: int, first: int, last: int, counts: list[list[int]]) -> None:
        """A stacked bar per section, in the table's order, coloured as the rated cells are, each
        segment labelled with its count (so the chart reads in greyscale too), beside the table."""
        chart = self.book.workbook.add_chart({"type": "bar", "subtype": "stacked"})
        sheet = self.ws.name
        for col, words in enumerate(SECTION_WORDS, start=1):
            swatch = palette.swatch_for_word(words[0])
            hidden = [{"delete": True} if row[col - 1] == 0 else None for row in counts]  # no "0" labels
            chart.add_series({
                "name": [sheet, header, col], "categories": [sheet, first, 0, last, 0],
                "values": [sheet, first, col, last, col], "gap": 50,
                "fill": {"color": swatch.fill}, "border": {"color": palette.WHITE},
                "data_labels": {"value": True, "custom": hidden,
                                "font": {"color": swatch.text, "size": 10, "bold": True}},
            })
        chart.set_title({"name": "KPIs by section and rating", "name_font": {"size": 11, "bold": True}})
        chart.set_x_axis({"num_font": {"size": 10}, "major_gridlines": {
            "visible": True, "line": {"color": palette.GRID_LINE}}, "min": 0})
        chart.set_y_axis({"num_font": {"size": 10}, "reverse": True})  # the table's order, top down
        chart.set_legend({"position": "bottom", "font": {"size": 10}})
        chart.set_size({"width": 380, "height": _chart_height(last - first + 1)})
        self.ws.insert_chart(header, len(WIDTHS) - 1, chart,
                             {"x_offset": 10, "description": self._chart_text()})

    def _chart_text(self) -> str:
        """The chart's alt text: what it shows, section by section (cut at the 255 characters of a
        description, the table beside says it all)."""
        parts = []
        for section, ratings in self.report.sections():
            counts = [sum(rag_word(r) in w for r in ratings) for w in SECTION_WORDS]
            parts.append(f"{clean(section) or '(No section)'} " + ", ".join(
                f"{n} {h.lower() if h == 'Not rated' else h}" for n, h in zip(counts, SECTION_HEADERS[1:5],
                                                                              strict=True)))
        return clean("Bar chart of KPIs by section and rating: " + "; ".join(parts) + ".", 250)

    def _activity_counts(self) -> None:
        if not self.activity:
            return
        cells = self.activity.column("range")
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
        for word in (RANGE_WORDS[RangeStatus.ABOVE], RANGE_WORDS[RangeStatus.BELOW], NO_DATA_WORD):
            self._colour(first, last, word)

    # --- what the workbook was made from ----------------------------------------------------------

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
