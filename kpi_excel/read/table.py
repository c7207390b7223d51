"""Reading the indicator rows of a located KPI table into indicators (pure)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kpi_excel.core import config
from kpi_excel.core.formatting import utf16_length
from kpi_excel.core.model import (
    CellMap,
    Indicator,
    KpiType,
    Period,
    Polarity,
    Rag,
    StatedRating,
    Warning_,
)
from kpi_excel.core.periods import parse_period
from kpi_excel.core.values import (
    clean_text,
    normalise,
    parse_figure,
    parse_number,
    parse_polarity,
    parse_stated_rag,
    parse_type,
    polarity_in_name,
    rating_in_figure,
    relative_target,
    target_to_do,
)
from kpi_excel.errors import BadValueError, MissingColumnError
from kpi_excel.excel.refs import CellRef
from kpi_excel.read.cells import EMPTY, Cell, Merge, ref
from kpi_excel.read.content import CODE_THEN_NAME, fill_rating
from kpi_excel.read.header import Header, is_title_row, value_heading_period
from kpi_excel.read.headings import Role, asks_if_target_met
from kpi_excel.read.layout import repeats_header, spread_merged_settings
from kpi_excel.read.numbers import Numbers, PercentScale, comparison_read, display_format, whole_percent_units
from kpi_excel.read.period_source import FIX_PERIOD

MAX_TEXT = 32_767  # the most characters an Excel cell holds


@dataclass
class Row:
    """One indicator row's cells, by role."""

    index: int
    cells: Sequence[Cell]

    def at(self, col: int | None) -> Cell:
        if col is None or col >= len(self.cells):
            return EMPTY
        return self.cells[col]


class TableReader:
    """Reads the indicator rows of one located table."""

    def __init__(self, sheet: str, rows: list[list[Cell]], header: Header, sink: list[Warning_], *,
                 value_period: Period | None = None, merges: Sequence[Merge] = ()):
        self.sheet = sheet
        self.rows = spread_merged_settings(sheet, rows, header, merges, sink) if merges else rows
        self.header = header
        self.warnings = sink
        self.value_period = value_period  # for a value column whose heading names no period
        self.default_type = KpiType.ACTIVITY if "activit" in normalise(sheet) else KpiType.KPI
        self.notes_below: dict[int, str] = {}  # 'COMMENTS: ...' rows under an indicator's row
        self._table_whole: bool | None = None

    def col(self, role: Role) -> int | None:
        return self.header.roles.get(role)

    def where(self, row: int, col: int | None) -> CellRef:
        return ref(self.sheet, row, col if col is not None else 0)

    def indicators(self) -> list[Indicator]:
        rows = list(self.indicator_rows())
        if self.header.long_form:
            return self._long_form(rows)
        return [self._indicator(row, section, self._wide_series(row)) for row, section in rows]

    def indicator_rows(self) -> Iterator[tuple[Row, str]]:
        """Each indicator row with its section, skipping blank and section-heading rows."""
        section = ""
        last = -1
        for r in range(self.header.row + 1, len(self.rows)):
            row = Row(r, self.rows[r])
            filled = [(c, cell) for c, cell in enumerate(row.cells) if cell.value not in (None, "")]
            if not filled:
                continue
            if last == r - 1 and len(filled) == 1 and (note := _note_under(filled[0][1].value)):
                self.notes_below[last] = note  # 'COMMENTS: Strong performance ...' under its row
                continue
            below = self.rows[r + 1] if r + 1 < len(self.rows) else []
            if is_title_row(row.cells) and repeats_header(below, self.header):
                continue  # the title of a block whose header row is repeated under it
            if repeats_header(row.cells, self.header):
                self.warnings.append(Warning_(
                    f"row {r + 1} repeats the header row (two tables pasted one under the other?), "
                    "so it was skipped", self.where(r, filled[0][0])))
                continue
            if self._is_section_heading(filled):
                if len(clean_text(filled[0][1].value).split()) <= _SECTION_WORDS:  # else a note
                    section = clean_text(filled[0][1].value)
                continue
            name = clean_text(row.at(self.col(Role.INDICATOR)).value)
            code = clean_text(row.at(self.col(Role.CODE)).value)
            if not name and not code:
                continue
            last = r
            yield row, section

    def _is_section_heading(self, filled: Sequence[tuple[int, Cell]]) -> bool:
        """One text cell near the left of the table, nothing else: a heading such as 'Finance'."""
        if len(filled) != 1:
            return False
        col, cell = filled[0]
        first_cols = sorted(self.header.roles.values())[:3] + [0, 1, 2]
        return isinstance(cell.value, str) and col in first_cols

    def _indicator(self, row: Row, section: str, series: list[tuple[Period, Cell, str]]) -> Indicator:
        r = row.index
        name = clean_text(row.at(self.col(Role.INDICATOR)).value)
        code = clean_text(row.at(self.col(Role.CODE)).value)
        if self.header.name_has_code and (split := CODE_THEN_NAME.match(name)):
            code, name = split["code"], split["name"].strip()
        label = f"{code} {name}".strip()
        section = clean_text(row.at(self.col(Role.SECTION)).value) or section
        numbers = Numbers(label, self.warnings)
        hints: list[Polarity] = []  # '< 10' as a target says lower is better
        written = {Role.TARGET: self._target_in_words(row, series, label, hints)}
        number_cells = [(c, comparison_read(written.get(role) or row.at(self.col(role)), hints),
                         self.where(r, self.col(role)))
                        for role, c in ((Role.TARGET, "target"), (Role.FLOOR, "floor"),
                                        (Role.LOWER, "lower threshold"),
                                        (Role.UPPER, "upper threshold"))]
        unit = clean_text(row.at(self.col(Role.UNIT)).value)
        scale = PercentScale.of([cell for _, cell, _ in number_cells] + [c for _, c, _ in series], unit,
                                self._whole_percent_units())
        target, floor, lower, upper = (numbers.setting(what, cell, where, scale)
                                       for what, cell, where in number_cells)
        observations = tuple(numbers.observation(p, cell, where, scale) for p, cell, where in series)
        if scale.mixed:
            self.warnings.append(Warning_(
                f"{label}: percentages on mixed scales (some cells 0.85, some 85); "
                "plain numbers above 1.5 were taken as whole percentages", self.where(r, 0)))
        self._warn_long_text(row, label)
        polarity = self._polarity(row, target, floor, hints[0] if len(set(hints)) == 1 else None, name)
        kpi_type = self._type(row, target, lower, upper)
        return Indicator(
            name=name or code,
            code=code,
            section=section,
            type=kpi_type,
            polarity=polarity,
            target=target,
            floor=floor,
            tolerance=self._tolerance(row),
            lower_threshold=lower,
            upper_threshold=upper,
            unit=unit,
            frequency=clean_text(row.at(self.col(Role.FREQUENCY)).value),
            commentary=clean_text(row.at(self.col(Role.COMMENTARY)).value) or self.notes_below.get(r, ""),
            commentary_cell=self.where(r, self.col(Role.COMMENTARY)) if self.col(Role.COMMENTARY) is not None
            else self.where(r + 1, self.col(Role.INDICATOR)) if r in self.notes_below else "",
            owner=clean_text(row.at(self.col(Role.OWNER)).value),
            directorate=clean_text(row.at(self.col(Role.DIRECTORATE)).value),
            is_percent=scale.percent,
            number_format=display_format([c for _, c, _ in series], [cell for _, cell, _ in number_cells],
                                         scale.percent),
            stated=self._stated(row, label, series),
            observations=observations,
            extra=tuple((text, clean_text(row.at(c).value)) for c, text in self.header.extras.items()),
            sheet=self.sheet,
            row=r + 1,
            cells=self._cell_map(row, scale.whole_numbers,
                                tuple((where, str(cell.value)) for _, cell, where in series
                                      if isinstance(cell.value, str)),
                                tuple(where for _, cell, where in [*number_cells, *series]
                                      if scale.scales(cell.number))),
        )

    def _cell_map(self, row: Row, whole_percents: bool, value_texts: tuple[tuple[str, str], ...],
                  scaled: tuple[str, ...]) -> CellMap:
        """Where this row's cells are, for the rated copy of the workbook."""
        header = self.header
        if not hasattr(self, "_last_col"):  # the table's last used column, worked out once
            self._last_col = max((len(cells) - 1 for cells in self.rows[header.row:]), default=0)
            self._header_texts = tuple(header.texts.values())
        value_cols = tuple(c for c, _ in sorted(header.periods.items(), key=lambda item: item[1]))
        if not value_cols and Role.VALUE in header.roles:
            value_cols = (header.roles[Role.VALUE],)
        rated = {role: self.col(role) for role in (Role.TARGET, Role.FLOOR, Role.TOLERANCE,
                                                   Role.LOWER, Role.UPPER)}
        used = [c for c in (*value_cols, *rated.values()) if c is not None]
        return CellMap(
            header_row=header.row + 1, last_col=self._last_col, values=value_cols,
            target=rated[Role.TARGET], floor=rated[Role.FLOOR], tolerance=rated[Role.TOLERANCE],
            lower=rated[Role.LOWER], upper=rated[Role.UPPER], long_form=header.long_form,
            # text a formula cannot compare, though this reader takes it as a number ("88%")
            text_numbers=tuple(self.where(row.index, c) for c in used
                               if isinstance(row.at(c).value, str) and row.at(c).number.value is not None),
            value_texts=value_texts,  # the series' cells: on each period's own row in a long-form table
            whole_percents=whole_percents,
            scaled=scaled,
            headers=self._header_texts,
        )

    def _warn_long_text(self, row: Row, label: str) -> None:
        """An Excel cell holds at most MAX_TEXT characters: say so before an output cuts a text."""
        for c, cell in enumerate(row.cells):
            if isinstance(cell.value, str) and utf16_length(cell.value) > MAX_TEXT:
                short = label if len(label) <= 60 else label[:57] + "..."
                self.warnings.append(Warning_(
                    f"{short}: this cell holds {utf16_length(cell.value):,} characters (as Excel "
                    "counts them, an emoji as two); an Excel cell holds "
                    f"{MAX_TEXT:,}, so the RAG workbook cuts it", self.where(row.index, c)))

    def _wide_series(self, row: Row) -> list[tuple[Period, Cell, str]]:
        series = [(p, row.at(c), self.where(row.index, c)) for c, p in self.header.periods.items()]
        if not series and Role.VALUE in self.header.roles:
            c = self.header.roles[Role.VALUE]
            period = value_heading_period(self.header.texts.get(c, "")) or self.value_period
            if period is None:
                raise MissingColumnError(
                    f"the value column '{self.header.texts.get(c, '')}' does not say which period it is",
                    where=self.where(self.header.row, c), fix=FIX_PERIOD)
            series = [(period, row.at(c), self.where(row.index, c))]
        return sorted(series, key=lambda item: item[0])

    def _long_form(self, rows: list[tuple[Row, str]]) -> list[Indicator]:
        """One row per indicator per period: group rows by code (or name), periods in order."""
        groups: dict[str, list[tuple[Row, str]]] = {}
        for row, section in rows:
            key = normalise(clean_text(row.at(self.col(Role.DIRECTORATE)).value)) + "|" + normalise(
                clean_text(row.at(self.col(Role.CODE)).value)
                or clean_text(row.at(self.col(Role.INDICATOR)).value))
            groups.setdefault(key, []).append((row, section))
        indicators = []
        period_col, value_col = self.header.roles[Role.PERIOD], self.header.roles[Role.VALUE]
        for members in groups.values():
            series = []
            for row, _ in members:
                period = parse_period(row.at(period_col).value)
                if period is None:
                    raise BadValueError(
                        f"the period '{clean_text(row.at(period_col).value)}' is not a date or period",
                        where=self.where(row.index, period_col),
                        fix="Write a date or a period such as Apr-19 or Q1 2019/20",
                    )
                series.append((period, row.at(value_col), self.where(row.index, value_col)))
            first_row, section = _row_with_settings(members, self.col(Role.TARGET))
            indicators.append(self._indicator(first_row, section, sorted(series, key=lambda s: s[0])))
        return indicators

    def _target_in_words(self, row: Row, series: Sequence[tuple[Period, Cell, str]], label: str,
                         hints: list[Polarity]) -> Cell:
        """The target cell, a target written in words read as the figure it states: a change from the
        figure before ('Increase ... by 10%' on last year's 1,990: 2,189) or what to do ('To refer
        3,000 persons'); its direction is added to hints."""
        cell = row.at(self.col(Role.TARGET))
        if not isinstance(cell.value, str) or not cell.number.unreadable:
            return cell
        if (to_do := target_to_do(cell.value)) is not None:
            hints.append(to_do[1])
            return Cell(to_do[0].value, "0%" if to_do[0].percent else "General")
        earlier = [(c, figure) for _, c, _ in series[:-1] if (figure := _figure(c)) is not None]
        if not earlier:
            return cell
        base_cell, base = earlier[-1]
        relative = relative_target(cell.value, base)
        if relative is None:
            return cell
        hints.append(relative[1])
        where = self.where(row.index, self.col(Role.TARGET))
        self.warnings.append(Warning_(
            f"{label}: the target '{clean_text(cell.value)}' is read as {relative[0]:,.6g}, the change it "
            f"states from the figure before ({base:,.6g})", where))
        return Cell(relative[0], base_cell.number_format)

    def _whole_percent_units(self) -> bool:
        """Whether the table's percentage rows (by their Unit) write whole percentages."""
        if self._table_whole is None:
            unit_col = self.col(Role.UNIT)
            figures = [c for c in (*self.header.periods, self.col(Role.VALUE), self.col(Role.TARGET))
                       if c is not None]
            self._table_whole = unit_col is not None and whole_percent_units(
                (clean_text(row[unit_col].value) if unit_col < len(row) else "",
                 [row[c] for c in figures if c < len(row)]) for row in self.rows[self.header.row + 1:])
        return self._table_whole

    def _stated(self, row: Row, label: str,
                series: Sequence[tuple[Period, Cell, str]]) -> StatedRating | None:
        """The council's own rating: from its status column (words, symbols, a colour-only fill,
        Yes or No under 'Target met?'), else written in brackets in the figure's cell ('(GREEN)')."""
        col = self.col(Role.STATUS)
        if col is None:
            figures = [(cell, where) for _, cell, where in series if cell.value not in (None, "")]
            if figures and (rag := rating_in_figure(figures[-1][0].value)) is not None:
                return StatedRating(clean_text(figures[-1][0].value), rag, figures[-1][1])
            return None
        cell = row.at(col)
        where = self.where(row.index, col)
        if cell.value in (None, "") and (rag := fill_rating(cell.fill)) is not None:
            return StatedRating(f"{rag.word} (colour only)", rag, where)
        answer = normalise(clean_text(cell.value))
        if answer in ("yes", "no", "y", "n") and asks_if_target_met(self.header.texts.get(col, "")):
            met = Rag.GREEN if answer.startswith("y") else Rag.RED
            return StatedRating(clean_text(cell.value), met, where)
        stated = parse_stated_rag(cell.value)
        if stated is None and clean_text(cell.value):
            self.warnings.append(Warning_(
                f"{label}: the status '{clean_text(cell.value)}' is not a rating we know (such as Green, "
                "A, Target met, Off target or Data only), so it was not compared with ours", where))
        return dataclasses.replace(stated, cell=where) if stated else None

    def _polarity(self, row: Row, target: float | None, floor: float | None,
                  written: Polarity | None = None, name: str = "") -> Polarity:
        col = self.col(Role.POLARITY)
        cell = row.at(col)
        if cell.value not in (None, ""):
            polarity = parse_polarity(cell.value)
            if polarity is None:
                raise BadValueError(
                    f"the polarity '{clean_text(cell.value)}' is not one we know",
                    where=self.where(row.index, col),
                    fix="Write H (higher is better), L (lower is better), T (close to target) or "
                        "None (data only)",
                )
            return polarity
        # no polarity given: a floor above the target can only mean lower is better; a target
        # written '< 10' says so too
        if target is not None and floor is not None and floor > target:
            return Polarity.LOWER
        if written is not None:
            return written
        named = polarity_in_name(name)
        if named is None:
            return Polarity.HIGHER
        if target is not None and normalise(named[1]) not in _SAYS_SO:
            self.warnings.append(Warning_(
                f"{name}: no polarity is given, so lower is taken as better, as the words '{named[1]}' in "
                "its name mean; add a Polarity column (H or L) to say otherwise", self.where(row.index, col)))
        return named[0]

    def _type(self, row: Row, target: float | None, lower: float | None,
              upper: float | None) -> KpiType:
        col = self.col(Role.TYPE)
        cell = row.at(col)
        if cell.value not in (None, ""):
            kpi_type = parse_type(cell.value)
            if kpi_type is None:
                raise BadValueError(
                    f"the type '{clean_text(cell.value)}' is not one we know",
                    where=self.where(row.index, col), fix="Write KPI or Activity",
                )
            return kpi_type
        if target is None and (lower is not None or upper is not None):
            return KpiType.ACTIVITY
        return self.default_type

    def _tolerance(self, row: Row) -> float | None:
        col = self.col(Role.TOLERANCE)
        cell = row.at(col)
        if cell.value in (None, "") or parse_number(cell.value).missing:
            return None
        try:
            return config.parse_fraction(cell.value, self.where(row.index, col), "tolerance")
        except config.SettingsError as error:
            raise BadValueError(error.problem, where=error.where, fix=error.fix) from error


def _figure(cell: Cell) -> float | None:
    """A cell's figure: a number, or one written with its unit ('2,382 referred')."""
    if cell.number.value is not None:
        return cell.number.value
    figure = parse_figure(cell.value)
    return figure.value if figure is not None else None


_SECTION_WORDS = 12  # a longer single cell inside the table is a note, not a section heading
_SAYS_SO = {"lowerisbetter", "smallerisbetter", "lessisbetter", "fewerisbetter", "minimise", "minimize",
            "aimtominimise", "aimtominimize", "reduce", "decrease", "higherisbetter", "biggerisbetter",
            "maximise", "maximize", "aimtomaximise", "aimtomaximize", "increase"}
_NOTE_UNDER = re.compile(r"^\s*(?:comments?|commentary|actions?|notes?|narrative)\s*:\s*(?P<note>\S.*)$",
                         re.I | re.S)


def _note_under(value: object) -> str:
    """The commentary in a row of its own under an indicator's row: 'COMMENTS: Strong performance'."""
    match = _NOTE_UNDER.match(value) if isinstance(value, str) else None
    return clean_text(match["note"]) if match else ""


def _row_with_settings(members: list[tuple[Row, str]], target_col: int | None) -> tuple[Row, str]:
    """In long form, the latest row that gives a target carries the indicator's settings."""
    with_target = [m for m in members if m[0].at(target_col).value not in (None, "")]
    return (with_target or members)[-1]
