"""Collecting a workbook's sheets, given as plain rows of cells, into a Dataset (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from kpi_excel.core import config
from kpi_excel.core.model import (
    ColumnReading,
    Dataset,
    Indicator,
    PaperDetails,
    Period,
    PeriodSource,
    RuleSettings,
    Warning_,
)
from kpi_excel.core.periods import find_period
from kpi_excel.core.values import clean_text, normalise
from kpi_excel.errors import MissingColumnError, NoKpiTableError
from kpi_excel.excel.refs import CellRef, column_letter, quote_sheet
from kpi_excel.read.cells import Cell, Merge, ref
from kpi_excel.read.content import SAMPLE_ROWS
from kpi_excel.read.header import Header, dated_header, find_header, header_below, next_table
from kpi_excel.read.headings import Role
from kpi_excel.read.layout import without_totals_rows
from kpi_excel.read.period_source import (
    FIX_PERIOD,
    NamedPeriod,
    banner_period,
    banner_series,
    first_named,
    name_period,
    nothing_named,
    title_period,
    undated_value_column,
)
from kpi_excel.read.proposals import read_proposals
from kpi_excel.read.roles import TargetChoice, read_columns, told_columns
from kpi_excel.read.stated_rule import KeyRule, key_rule, rule_from_key, rule_from_stated
from kpi_excel.read.table import TableReader

FIX_TABLE = (
    "Give one sheet a header row (in its first 60 rows) with an 'Indicator' column, a 'Target' "
    "column and one column per period (or a value column), or start from `kpi-excel init`"
)


def sheet_kind(title: str) -> str:
    """What a sheet holds, by its name: 'details', 'settings', 'proposals' or a KPI 'table'."""
    key = normalise(title)
    if "detail" in key or key in {"paper", "report", "reportinfo", "coverreport"}:
        return "details"
    if "setting" in key or key in {"rules", "ragrules", "config", "configuration"}:
        return "settings"
    if "propos" in key or "nextyear" in key:
        return "proposals"
    return "table"


@dataclass
class _UndatedTable:
    """A table whose one value column names no period: read once every sheet is in, since the
    Settings sheet (which may come later) names the period before the table's own surroundings."""

    sheet: str
    rows: list[list[Cell]]
    header: Header
    value_col: int
    hidden_rows: frozenset[int]
    merges: Sequence[Merge]


@dataclass
class BookReader:
    """Reads a workbook's sheets one at a time, in tab order, then makes the Dataset.

    `period` is the period given on the command line for value columns that name none.
    """

    period: Period | None = None
    tables: list[list[Indicator] | _UndatedTable] = field(default_factory=list)  # in sheet order
    proposals_sheet: tuple[str, list[list[Cell]]] | None = None
    details: PaperDetails = field(default_factory=PaperDetails)
    settings: RuleSettings = field(default_factory=RuleSettings)
    settings_period: NamedPeriod | None = None
    warnings: list[Warning_] = field(default_factory=list)
    extra_headers: list[str] = field(default_factory=list)
    title: str = ""
    empty_tables: list[str] = field(default_factory=list)  # headers with no rows under them
    hidden_tables: list[str] = field(default_factory=list)  # hidden sheets with a KPI header
    table_errors: list[MissingColumnError] = field(default_factory=list)
    period_source: PeriodSource | None = None  # None: the headings name the periods
    period_unused_noted: bool = False
    settings_cells: tuple[tuple[str, str], ...] = ()  # numeric rule settings, for the rated copy
    rule_given: bool = False  # the Settings sheet names a RAG rule
    columns: list[ColumnReading] = field(default_factory=list)  # how each table's columns were read
    columns_told: dict[str, str] = field(default_factory=dict)  # --column: {role: heading as written}
    sheet_columns: dict[str, tuple[str, str]] = field(default_factory=dict)  # the Settings sheet's
    columns_found: set[str] = field(default_factory=set)  # roles whose named heading a table has
    key: KeyRule | None = None  # the rule a key to the ratings above a table publishes

    def add_sheet(self, title: str, rows: list[list[Cell]], hidden_rows: frozenset[int] = frozenset(),
                  merges: Sequence[Merge] = (), totals_rows: frozenset[int] = frozenset()) -> None:
        """Read one visible sheet; `hidden_rows` are the 1-based rows Excel hides, `merges` its
        merged ranges, `totals_rows` the 0-based rows its Excel tables' totals rows take."""
        kind = sheet_kind(title)
        if kind == "details":
            self.details = config.details_from_rows(list(_key_rows(title, rows)))
        elif kind == "settings":
            key_rows = list(_key_rows(title, rows))
            self.settings = config.settings_from_rows(key_rows)
            self.sheet_columns = config.columns_from_rows(key_rows)
            self.settings_cells = _numeric_setting_cells(title, rows)
            self.rule_given = self.rule_given or any(config.names_rag_rule(key) for key, _, _ in key_rows)
            named = config.period_from_rows(key_rows)
            if named is not None:
                self.settings_period = NamedPeriod(named[0], PeriodSource("settings", named[1], named[2]))
        elif kind == "proposals":
            self.proposals_sheet = (title, rows)
        else:
            try:
                self._add_table_sheet(title, rows, hidden_rows, merges, totals_rows)
            except MissingColumnError as error:
                self.table_errors.append(error)

    def add_hidden_sheet(self, title: str, first_rows: Sequence[Sequence[Cell]]) -> None:
        """A hidden sheet is not read, but a KPI table on one deserves a warning."""
        if find_header(first_rows) is not None:
            name = quote_sheet(title)
            self.hidden_tables.append(name)
            self.warnings.append(Warning_(
                f"sheet {name} is hidden and holds a KPI table, which was not read; unhide it to include it",
                CellRef(title, 1)))

    def _told(self) -> dict[str, tuple[str, str]]:
        """The columns named as roles: the --column options over the Settings sheet's Columns block."""
        told = {role: (heading, f"the Columns block ({where})") for role, (heading, where)
                in self.sheet_columns.items()}
        told.update({role: (heading, f"--column {role}") for role, heading in self.columns_told.items()})
        return told

    def _check_told_columns(self) -> None:
        """A column named as a role that no table has is an error naming it."""
        for role, (heading, source) in self._told().items():
            if role not in self.columns_found:
                where = source[len("the Columns block ("):-1] if source.startswith("the Columns") else ""
                raise MissingColumnError(
                    f"{source} names the column '{heading}' as the {role}, but no KPI table has a column "
                    "headed so", where=where,
                    fix="Write the heading exactly as it is in the header row (or leave the role out)")

    def dataset(self, source: str, sha256: str, file: str) -> Dataset:
        """Everything read, as one Dataset; `file` names the input in errors."""
        indicators = tuple(ind for table in self._read_undated(source) for ind in table)
        self._check_told_columns()
        if not indicators:
            self._no_indicators(file)
        settings = rule_from_key(self.key, self.settings, self.rule_given, self.warnings)
        settings = rule_from_stated(indicators, settings, self.rule_given, self.warnings)
        proposals = read_proposals(self.proposals_sheet, indicators, self.warnings)
        periods = tuple(sorted({o.period for ind in indicators for o in ind.observations}))
        return Dataset(
            source=source,
            sha256=sha256,
            indicators=indicators,
            periods=periods,
            proposals=proposals,
            details=self.details,
            settings=settings,
            warnings=tuple(self.warnings),
            extra_headers=tuple(dict.fromkeys(self.extra_headers)),
            title=self.title,
            period_source=self.period_source,
            settings_cells=self.settings_cells,
            columns=tuple(self.columns),
        )

    def _no_indicators(self, file: str) -> None:
        """Say why no indicator was read, as precisely as we can."""
        if self.table_errors:
            raise self.table_errors[0]
        if self.empty_tables:
            raise NoKpiTableError("the KPI table has a header row but no indicator rows under it",
                                  where=self.empty_tables[0],
                                  fix="Add one row per indicator below the header")
        if self.hidden_tables:
            raise NoKpiTableError(
                f"the only KPI table is on sheet {self.hidden_tables[0]}, which is hidden", file=file,
                fix="Unhide it (right-click a sheet tab > Unhide), save, and retry")
        raise NoKpiTableError("no sheet holds a KPI table", file=file, fix=FIX_TABLE)

    def _add_table_sheet(self, sheet: str, rows: list[list[Cell]], hidden_rows: frozenset[int],
                         merges: Sequence[Merge], totals_rows: frozenset[int]) -> None:
        """Read each table on the sheet: a table of its own under the first (its own title and
        header row, other headings) is read as one, with what stands above it."""
        header = find_header(rows, merges)
        first = True
        while header is not None:
            end, next_header = next_table(rows, header)
            try:
                self._add_table(sheet, rows[:end], header, hidden_rows, merges, totals_rows)
            except MissingColumnError as error:
                if first:
                    raise
                self.warnings.append(Warning_(f"{error.problem}, so its rows were not read", error.where))
            if end >= len(rows):
                return
            first = False
            rows = [[] for _ in range(end)] + rows[end:]  # the next table's rows keep their numbers
            header = find_header(rows, merges, start=end, stop=next_header + 1)

    def _add_table(self, sheet: str, rows: list[list[Cell]], header: Header, hidden_rows: frozenset[int],
                   merges: Sequence[Merge], totals_rows: frozenset[int]) -> None:
        width = max((len(row) for row in rows[header.row:header.row + SAMPLE_ROWS]), default=0)
        header, set_aside = read_columns(header, rows[header.row + 1:], width)
        if told := self._told():
            header, found = told_columns(header, told)
            self.columns_found |= found
            set_aside = None if Role.TARGET in header.roles else set_aside
        if set_aside is not None:
            self.warnings.append(_target_set_aside(sheet, header, set_aside))
        self.columns.extend(ColumnReading(ref(sheet, header.row, c), header.texts.get(c, ""), role, why)
                            for c, (role, why) in header.notes.items())
        if set_aside is None and Role.TARGET not in header.roles and not {Role.LOWER, Role.UPPER} & \
                header.roles.keys():
            raise MissingColumnError(
                "the KPI table has no Target column" + _lower_header_note(rows, header, Role.TARGET),
                where=ref(sheet, header.row, header.roles[Role.INDICATOR]),
                fix="Add a 'Target' column to the header row (or 'Lower threshold'/'Upper threshold' "
                    "for activity indicators)",
            )
        if not header.periods and Role.VALUE not in header.roles and not header.yearless:
            raise MissingColumnError(
                "the KPI table has no values: no period columns (such as Apr-19) and no 'Actual' column"
                + _lower_header_note(rows, header, Role.VALUE),
                where=ref(sheet, header.row, header.roles[Role.INDICATOR]),
                fix="Head each value column with its period (Apr-19, Q1 2019/20) or add an 'Actual' column",
            )
        for c, why in header.impossible.items():
            self.warnings.append(Warning_(f"the heading '{header.texts[c]}' {why}, so the column was not "
                                          "read as figures", ref(sheet, header.row, c)))
        header = banner_series(sheet, rows, header, merges) or header
        rows = without_totals_rows(sheet, rows, header, totals_rows, self.warnings)
        if not self.title:
            self.title = _title_above(rows, header.row)
        if self.key is None:
            self.key = key_rule(rows[:header.row], sheet)
        self.extra_headers.extend(header.extras.values())
        value_col = min(header.yearless) if header.yearless else undated_value_column(header)
        if value_col is not None:
            self.tables.append(_UndatedTable(sheet, rows, header, value_col, hidden_rows, merges))
            return
        self.tables.append(self._read_table(sheet, rows, header, hidden_rows, merges))
        if self.period is not None and not self.period_unused_noted:
            self.period_unused_noted = True
            self.warnings.append(Warning_(
                f"--period {self.period.label} was not used: this table's headings name their periods",
                ref(sheet, header.row, header.roles[Role.INDICATOR])))

    def _read_table(self, sheet: str, rows: list[list[Cell]], header: Header, hidden_rows: frozenset[int],
                    merges: Sequence[Merge], value_period: Period | None = None) -> list[Indicator]:
        table = TableReader(sheet, rows, header, self.warnings, value_period=value_period, merges=merges)
        indicators = table.indicators()
        if not indicators:
            self.empty_tables.append(ref(sheet, header.row, header.roles[Role.INDICATOR]))
        _warn_hidden_rows(indicators, hidden_rows, self.warnings)
        return indicators

    def _read_undated(self, source: str) -> Iterator[list[Indicator]]:
        """Each table's indicators in sheet order, reading the undated ones now that every place
        that may name their period has been read."""
        for table in self.tables:
            if not isinstance(table, _UndatedTable):
                yield table
                continue
            named = self._period_of(table, source)
            if self.period_source is None:
                self.period_source = named.source
            if table.header.yearless and named.source.kind == "none" and len(table.header.yearless) == 1:
                # one column headed 'Quarter 2 Result' and no year anywhere: check rates it as the latest
                roles = {**table.header.roles, Role.VALUE: table.value_col}
                table = dataclasses.replace(table, header=dataclasses.replace(table.header, roles=roles,
                                                                              yearless={}))
            elif table.header.yearless:
                yield self._read_yearless(table, named)
                continue
            indicators = self._read_table(table.sheet, table.rows, table.header, table.hidden_rows,
                                          table.merges, named.period)
            if named.source.kind == "none":
                self.warnings.append(Warning_(
                    f"the value column '{table.header.texts.get(table.value_col, '')}' does not say which "
                    "period it is, and nothing else in the workbook names one, so its figures are rated "
                    f"as the latest; build needs the period. {FIX_PERIOD}", named.source.value_cell))
            yield [dataclasses.replace(ind, observations=tuple(
                dataclasses.replace(o, period=named.period) for o in ind.observations))
                for ind in indicators]

    def _read_yearless(self, table: _UndatedTable, named: NamedPeriod) -> list[Indicator]:
        """A table headed Q1..Q4 or Apr..Mar, in the financial year named elsewhere."""
        if named.source.kind == "none":
            heading = table.header.texts.get(table.value_col, "")
            raise MissingColumnError(
                f"the period columns ('{heading}' ...) do not say which year they are in, and nothing "
                "else in the workbook names one", where=named.source.value_cell,
                fix=FIX_PERIOD.replace("head the column 'Value Q3 2018/19'", "head them 'Q1 2018/19' ..."))
        start = named.period.start
        fy_start = start.year if start.month >= 4 else start.year - 1
        return self._read_table(table.sheet, table.rows, dated_header(table.header, fy_start),
                                table.hidden_rows, table.merges)

    def _period_of(self, table: _UndatedTable, source: str) -> NamedPeriod:
        """Where the period is written, in order: --period, the Settings sheet, a banner over the
        value column, the title rows, the sheet name, the file name (and for yearless quarter or
        month columns, last, the year in the Target heading: 'Target 2023/24')."""
        value_cell = ref(table.sheet, table.header.row, table.value_col)
        option = NamedPeriod(self.period, PeriodSource("--period", "", self.period.label)) if self.period \
            else None
        named = first_named(
            option, self.settings_period,
            banner_period(table.sheet, table.rows, table.header, table.value_col, table.merges),
            title_period(table.sheet, table.rows, table.header),
            name_period("sheet name", table.sheet), name_period("file name", source),
            _target_heading_year(table) if table.header.yearless else None,
        ) or nothing_named(value_cell, table.header.texts.get(table.value_col, ""))
        return NamedPeriod(named.period, dataclasses.replace(named.source, value_cell=value_cell))


def _target_set_aside(sheet: str, header: Header, choice: TargetChoice) -> Warning_:
    heading = header.texts.get(choice.col, "")
    return Warning_(f"the only target column ('{heading}') is for {choice.period.label}, not for the "
                    f"figures' period ({choice.figures.label}), so the KPIs are not rated against it",
                    ref(sheet, header.row, choice.col))


def _target_heading_year(table: _UndatedTable) -> NamedPeriod | None:
    col = table.header.roles.get(Role.TARGET)
    text = table.header.texts.get(col, "") if col is not None else ""
    found = find_period(text)
    if found is None or col is None:
        return None
    return NamedPeriod(found.period, PeriodSource("headings", ref(table.sheet, table.header.row, col), text))


def _lower_header_note(rows: Sequence[Sequence[Cell]], header: Header, role: Role) -> str:
    """When a row below the header names the missing column, say so: the header may be that row,
    or its headings may be split over two rows."""
    below = header_below(rows, header, role)
    if below is None:
        return ""
    row, col, text = below
    return (f" in row {header.row + 1}, but {column_letter(col + 1)}{row + 1} below it says '{text}': the "
            f"header row may be row {row + 1}, or its headings are split over two rows (put them all on "
            "one row)")


def _title_above(rows: Sequence[Sequence[Cell]], header_row: int) -> str:
    for row in rows[:header_row]:
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip():
                return clean_text(cell.value)
    return ""


def _key_rows(sheet: str, rows: Sequence[Sequence[Cell]]) -> Iterator[config.KeyRow]:
    for r, row in enumerate(rows):
        if not row or not isinstance(row[0].value, str):
            continue
        yield row[0].value.strip(), [c.value for c in row[1:]], ref(sheet, r, 0)


_FRACTION_SETTINGS = {"tolerance", "goal_post_tolerance", "trend_threshold", "green_within"}


def _numeric_setting_cells(sheet: str, rows: Sequence[Sequence[Cell]]) -> tuple[tuple[str, str], ...]:
    """Where the Settings sheet types each fraction setting as a number, so the rated copy's formulas
    can read it there (a setting typed as text, such as '10%', is written into them instead)."""
    found = []
    for r, row in enumerate(rows):
        if not row or not isinstance(row[0].value, str):
            continue
        field = config.setting_field(row[0].value)
        c, cell = next(((c, cell) for c, cell in enumerate(row[1:], start=1)
                        if cell.value not in (None, "")), (0, None))
        if field in _FRACTION_SETTINGS and cell is not None and isinstance(cell.value, (int, float)) \
                and not isinstance(cell.value, bool):
            found.append((field, ref(sheet, r, c)))
    return tuple(dict(found).items())


def _warn_hidden_rows(indicators: Sequence[Indicator], hidden: frozenset[int], sink: list[Warning_]) -> None:
    for indicator in indicators:
        if indicator.row in hidden:
            sink.append(Warning_(f"{indicator.label}: its row is hidden in Excel; it was read like the "
                                 "others", indicator.ref))
