"""Reading the indicator rows of a located KPI table into indicators (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from kpi_excel.core import config
from kpi_excel.core.formatting import utf16_length
from kpi_excel.core.model import (
    CellMap,
    Indicator,
    KpiType,
    Observation,
    Period,
    Polarity,
    StatedRating,
    Warning_,
)
from kpi_excel.core.periods import parse_period
from kpi_excel.core.values import (
    CellNumber,
    Role,
    clean_text,
    normalise,
    parse_number,
    parse_polarity,
    parse_stated_rag,
    parse_type,
    says_no_target,
    strip_comparison,
)
from kpi_excel.errors import BadValueError, MissingColumnError
from kpi_excel.excel.refs import CellRef
from kpi_excel.read.cells import EMPTY, Cell, Merge, ref
from kpi_excel.read.header import Header, value_heading_period
from kpi_excel.read.layout import repeats_header, spread_merged_settings
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
        for r in range(self.header.row + 1, len(self.rows)):
            row = Row(r, self.rows[r])
            filled = [(c, cell) for c, cell in enumerate(row.cells) if cell.value not in (None, "")]
            if not filled:
                continue
            if repeats_header(row.cells, self.header):
                self.warnings.append(Warning_(
                    f"row {r + 1} repeats the header row (two tables pasted one under the other?), "
                    "so it was skipped", self.where(r, filled[0][0])))
                continue
            if self._is_section_heading(filled):
                section = clean_text(filled[0][1].value)
                continue
            name = clean_text(row.at(self.col(Role.INDICATOR)).value)
            code = clean_text(row.at(self.col(Role.CODE)).value)
            if not name and not code:
                continue
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
        label = f"{code} {name}".strip()
        section = clean_text(row.at(self.col(Role.SECTION)).value) or section
        numbers = Numbers(label, self.warnings)
        hints: list[Polarity] = []  # '< 10' as a target says lower is better
        number_cells = [(c, _comparison_read(row.at(self.col(role)), hints), self.where(r, self.col(role)))
                        for role, c in ((Role.TARGET, "target"), (Role.FLOOR, "floor"),
                                        (Role.LOWER, "lower threshold"),
                                        (Role.UPPER, "upper threshold"))]
        unit = clean_text(row.at(self.col(Role.UNIT)).value)
        scale = PercentScale.of([cell for _, cell, _ in number_cells] + [c for _, c, _ in series], unit)
        target, floor, lower, upper = (numbers.setting(what, cell, where, scale)
                                       for what, cell, where in number_cells)
        observations = tuple(numbers.observation(p, cell, where, scale) for p, cell, where in series)
        if scale.mixed:
            self.warnings.append(Warning_(
                f"{label}: percentages on mixed scales (some cells 0.85, some 85); "
                "plain numbers above 1.5 were taken as whole percentages", self.where(r, 0)))
        self._warn_long_text(row, label)
        polarity = self._polarity(row, target, floor, hints[0] if len(set(hints)) == 1 else None)
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
            commentary=clean_text(row.at(self.col(Role.COMMENTARY)).value),
            commentary_cell=self.where(r, self.col(Role.COMMENTARY)) if self.col(Role.COMMENTARY) is not None
            else "",
            owner=clean_text(row.at(self.col(Role.OWNER)).value),
            directorate=clean_text(row.at(self.col(Role.DIRECTORATE)).value),
            is_percent=scale.percent,
            number_format=display_format([c for _, c, _ in series], [cell for _, cell, _ in number_cells],
                                         scale.percent),
            stated=self._stated(row, label),
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

    def _stated(self, row: Row, label: str) -> StatedRating | None:
        """The council's own rating from its status column, if it has one."""
        col = self.col(Role.STATUS)
        cell = row.at(col)
        stated = parse_stated_rag(cell.value)
        where = self.where(row.index, col)
        if stated is None and clean_text(cell.value):
            self.warnings.append(Warning_(
                f"{label}: the status '{clean_text(cell.value)}' is not a rating we know (such as Green, "
                "A, Target met, Off target or Data only), so it was not compared with ours", where))
        return dataclasses.replace(stated, cell=where) if stated else None

    def _polarity(self, row: Row, target: float | None, floor: float | None,
                  written: Polarity | None = None) -> Polarity:
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
        return written or Polarity.HIGHER

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


def _comparison_read(cell: Cell, hints: list[Polarity]) -> Cell:
    """A setting typed as a comparison or with a note ('>= 95%', '< 10', '90% (national average)')
    as the number it states; the direction it states is added to hints."""
    if not isinstance(cell.value, str) or not cell.number.unreadable:
        return cell
    stripped = strip_comparison(cell.value)
    if stripped is None:
        return cell
    text, direction = stripped
    readable = Cell(text, cell.number_format)
    if readable.number.unreadable or readable.number.value is None:
        return cell
    if direction is not None:
        hints.append(direction)
    return readable


def _row_with_settings(members: list[tuple[Row, str]], target_col: int | None) -> tuple[Row, str]:
    """In long form, the latest row that gives a target carries the indicator's settings."""
    with_target = [m for m in members if m[0].at(target_col).value not in (None, "")]
    return (with_target or members)[-1]


def display_format(values: Sequence[Cell], settings: Sequence[Cell], percent: bool) -> str:
    """The number format the indicator's figures are shown in: the value cells' own, unless its
    target or floor was written with more care (more decimals, a currency sign: 7,373.55, £1.2m)."""
    own = next((c.number_format for c in reversed(values)
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)), "General")
    written = [f for f in map(_written_format, settings) if f and ("%" in f) == percent]
    richest = max(written, key=lambda f: (_has_currency(f), _decimals(f)), default="General")
    if (_has_currency(richest), _decimals(richest)) > (_has_currency(own), _decimals(own)):
        return richest
    return own


def _written_format(cell: Cell) -> str:
    """A number cell's format, or one that shows a number typed as text the way it was typed."""
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        written = repr(value)
        if cell.number_format in ("General", "") and isinstance(value, float) and "." in written \
                and "e" not in written and not value.is_integer():
            # General shows a number as typed: keep its decimals (7373.55, not 7,374)
            return f"#,##0.{'0' * min(len(written.split('.')[1]), 4)}"
        return cell.number_format or "General"
    if isinstance(value, str) and cell.number.value is not None:
        text = value.strip()
        places = len(text.split(".")[1].rstrip("%km ")) if "." in text else 0
        body = ("#,##0" if "," in text or not places else "0") + ("." + "0" * places if places else "")
        sign = next((s for s in "£$€" if s in text), "")
        return (f'"{sign}"' if sign else "") + body + ("%" if text.endswith("%") else "")
    return ""


def _has_currency(number_format: str) -> bool:
    return any(sign in number_format for sign in "£$€")


def _decimals(number_format: str) -> int:
    if "." not in number_format:
        return 0
    after = number_format.split(".", 1)[1]
    return len(after) - len(after.lstrip("0#"))


@dataclass(frozen=True)
class PercentScale:
    """Whether an indicator is a percentage, and whether its plain numbers are whole percentages."""

    percent: bool
    whole_numbers: bool
    mixed: bool

    @classmethod
    def of(cls, cells: Iterable[Cell], unit: str) -> PercentScale:
        parsed = [c.number for c in cells if c.value is not None]
        numbers = [p for p in parsed if p.value is not None]
        formatted = any(p.percent for p in numbers)
        percent = formatted or unit.strip().lower() in {"%", "percent", "percentage", "pct"}
        whole = percent and any(not p.percent and abs(p.value) > 1.5 for p in numbers if p.value is not None)
        return cls(percent, whole, formatted and whole)

    def scales(self, number: CellNumber) -> bool:
        """Whether apply divides this number by 100 (a whole percentage)."""
        return number.value is not None and self.whole_numbers and not number.percent

    def apply(self, number: CellNumber) -> float | None:
        value = number.value
        return value / 100 if value is not None and self.scales(number) else value


class Numbers:
    """Reads one indicator's number cells, collecting warnings and raising on unusable settings."""

    def __init__(self, label: str, sink: list[Warning_]):
        self.label = label
        self.warnings = sink

    def setting(self, what: str, cell: Cell, where: str, scale: PercentScale) -> float | None:
        number = cell.number
        if number.unreadable and says_no_target(cell.value):
            return None  # 'Data only', 'Monitor', 'Baseline year': none set, so not rated
        if number.unreadable:
            raise BadValueError(
                f"the {what} '{clean_text(cell.value)}' of {self.label} is not a number",
                where=where,
                fix=f"Type a number such as 90% or 0.9 (or TBC when there is no {what} yet)",
            )
        if number.is_error:
            self.warnings.append(Warning_(f"{self.label}: the {what} is the error {number.missing}", where))
        return scale.apply(number)

    def observation(self, period: Period, cell: Cell, where: str, scale: PercentScale) -> Observation:
        number = cell.number
        if number.is_error:
            self.warnings.append(Warning_(
                f"{self.label}: {period.label} is the error {number.missing}, so it is not rated", where))
        elif number.unreadable:
            self.warnings.append(Warning_(
                f"{self.label}: {period.label} holds '{number.missing}', which is not a number; "
                "treated as no data", where))
        return Observation(period, scale.apply(number), where, number.missing)


