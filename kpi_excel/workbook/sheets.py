"""The Dashboard, Warnings, Proposals and Guidance sheets of the RAG workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from kpi_excel._version import __version__
from kpi_excel.core import proposals
from kpi_excel.core.formatting import (
    NO_DATA_WORD,
    NOT_RATED_WORD,
    POLARITY_WORDS,
    RANGE_WORDS,
    rag_word,
    this_and_next_year,
)
from kpi_excel.core.model import (
    Rag,
    RangeStatus,
)
from kpi_excel.present import formulas, palette
from kpi_excel.present.guidance import (
    ACTIVITY_NOTE,
    DIRECTION_METHOD_WORDS,
    KeyEntry,
    rag_key,
    rag_notes,
    range_key,
    report_direction_key,
)
from kpi_excel.workbook.base import (
    HEADER_ROW,
    NOTE_ROW,
    TITLE_ROW,
    Book,
    _estimate_lines,
    _print_setup,
    clean,
)
from kpi_excel.workbook.indicators import _Placed, table_header


class _Dashboard:
    """Counts by RAG as live formulas, the report period, the source and the rule applied."""

    def __init__(self, book: Book, ws: Worksheet, kpis: _Placed | None, activity: _Placed | None):
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


def _write_warnings(book: Book, ws: Worksheet) -> None:
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

    def __init__(self, book: Book, ws: Worksheet) -> None:
        self.book, self.ws = book, ws
        period = book.report.period
        self.this_year, self.next_year = this_and_next_year(period)

    def write(self) -> None:
        styles, ws = self.book.styles, self.ws
        lines = self.book.view.proposals
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

    def __init__(self, book: Book, ws: Worksheet) -> None:
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

