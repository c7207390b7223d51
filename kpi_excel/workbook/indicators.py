"""The KPIs and Activity sheets: the department's rows with the formula columns."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from kpi_excel.core.formatting import (
    NO_DATA_WORD,
    NOT_RATED_WORD,
    POLARITY_WORDS,
    RANGE_WORDS,
    direction_word,
    format_value,
    rag_word,
)
from kpi_excel.core.model import (
    DirectionMethod,
    Indicator,
    KpiType,
    Period,
    Polarity,
    Rag,
    RangeStatus,
    Rating,
)
from kpi_excel.present import formulas, palette
from kpi_excel.present.chartspec import number_format
from kpi_excel.present.guidance import (
    ACTIVITY_NOTE,
    DIRECTION_METHOD_WORDS,
)
from kpi_excel.workbook.base import (
    HEADER_ROW,
    MONTHS_ROW,
    NOTE_ROW,
    TITLE_ROW,
    Book,
    _estimate_lines,
    _print_setup,
    clean,
    structured_reference,
    table_header,
    table_name,
)


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
    headers: dict[str, str] = field(default_factory=dict)  # column key -> its header in the table

    @property
    def table(self) -> str:
        return table_name(self.name)

    def column(self, key: str) -> str:
        """A structured reference to one column of the sheet's table (KPIs_table[RAG]): it grows
        with the table, so a row added in Excel is counted."""
        return structured_reference(self.table, self.headers[key])

    def range(self, key: str) -> str:
        col = self.columns[key]
        return (f"{quote_sheetname(self.name)}!${xl_col_to_name(col)}${self.first_row + 1}"
                f":${xl_col_to_name(col)}${self.last_row + 1}")

    def cell(self, rating: Rating, col: int) -> str:
        return f"{quote_sheetname(self.name)}!{xl_rowcol_to_cell(self.rows[id(rating)], col, col_abs=True)}"


class _IndicatorSheet:
    """The KPIs sheet or the Activity sheet: the department's rows with the formula columns."""

    def __init__(self, book: Book, name: str, ratings: Sequence[Rating], kind: KpiType) -> None:
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
        placed = _Placed(self.name, self.first_row, self.last_row, self.col, self.period_col,
                         headers={c.key: c.header for c in self.columns})
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
                ws.write_number(MONTHS_ROW, col, period.month_number, styles.get("hidden"))
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
            "name": table_name(self.name),
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
        _print_setup(ws, HEADER_ROW, self.book.title, [c.width for c in self.columns],
                     (self.col.get("code", self.col["indicator"]), self.col["indicator"]))
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
