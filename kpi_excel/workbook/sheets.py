"""The Dashboard, Warnings, Proposals and Guidance sheets of the RAG workbook."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from kpi_excel.core import proposals
from kpi_excel.core.formatting import (
    NO_DATA_WORD,
    NOT_RATED_WORD,
    POLARITY_WORDS,
    this_and_next_year,
)
from kpi_excel.core.model import (
    Rag,
)
from kpi_excel.present import formulas, palette
from kpi_excel.present.guidance import (
    ACTIVITY_NOTE,
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
        # the key gives No data and Not rated the grey their cells have, as the Dashboard does
        unrated = (KeyEntry(NO_DATA_WORD, "No figure up to the report period (a blank, or a mark such as "
                                          "TBC)."),
                   KeyEntry(NOT_RATED_WORD, "A figure but no target, or a data-only indicator."))
        self._key(rag_key(settings) + unrated, "RAG_key",
                  "What Green, Amber, Red, No data and Not rated mean.", coloured=True)
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

