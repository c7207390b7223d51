"""Collecting a workbook's sheets, given as plain rows of cells, into a Dataset (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from kpi_excel import config
from kpi_excel.errors import MissingColumnError, NoKpiTableError
from kpi_excel.model import Dataset, Indicator, PaperDetails, RuleSettings, Warning_, quote_sheet
from kpi_excel.parsing import Role, clean_text, normalise

from .cells import Cell, ref
from .header import find_header
from .proposals import read_proposals
from .table import TableReader

FIX_TABLE = (
    "Give one sheet a header row (in its first 20 rows) with an 'Indicator' column, a 'Target' "
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
class BookReader:
    """Reads a workbook's sheets one at a time, in tab order, then makes the Dataset."""

    indicators: list[Indicator] = field(default_factory=list)
    proposals_sheet: tuple[str, list[list[Cell]]] | None = None
    details: PaperDetails = field(default_factory=PaperDetails)
    settings: RuleSettings = field(default_factory=RuleSettings)
    warnings: list[Warning_] = field(default_factory=list)
    extra_headers: list[str] = field(default_factory=list)
    title: str = ""
    empty_tables: list[str] = field(default_factory=list)  # headers with no rows under them
    hidden_tables: list[str] = field(default_factory=list)  # hidden sheets with a KPI header
    table_errors: list[MissingColumnError] = field(default_factory=list)

    def add_sheet(self, title: str, rows: list[list[Cell]],
                  hidden_rows: frozenset[int] = frozenset()) -> None:
        """Read one visible sheet; `hidden_rows` are the 1-based rows Excel hides."""
        kind = sheet_kind(title)
        read_before = len(self.indicators)
        if kind == "details":
            self.details = config.details_from_rows(list(_key_rows(title, rows)))
        elif kind == "settings":
            self.settings = config.settings_from_rows(list(_key_rows(title, rows)))
        elif kind == "proposals":
            self.proposals_sheet = (title, rows)
        else:
            try:
                self._read_table_sheet(title, rows)
            except MissingColumnError as error:
                self.table_errors.append(error)
        _warn_hidden_rows(self.indicators[read_before:], hidden_rows, self.warnings)

    def add_hidden_sheet(self, title: str, first_rows: Sequence[Sequence[Cell]]) -> None:
        """A hidden sheet is not read, but a KPI table on one deserves a warning."""
        if find_header(first_rows) is not None:
            name = quote_sheet(title)
            self.hidden_tables.append(name)
            self.warnings.append(Warning_(
                f"sheet {name} is hidden and holds a KPI table, which was not read; unhide it to include it",
                f"{name}!A1"))

    def dataset(self, source: str, sha256: str, file: str) -> Dataset:
        """Everything read, as one Dataset; `file` names the input in errors."""
        if not self.indicators:
            self._no_indicators(file)
        indicators = tuple(self.indicators)
        proposals = read_proposals(self.proposals_sheet, indicators, self.warnings)
        periods = tuple(sorted({o.period for ind in indicators for o in ind.observations}))
        return Dataset(
            source=source,
            sha256=sha256,
            indicators=indicators,
            periods=periods,
            proposals=proposals,
            details=self.details,
            settings=self.settings,
            warnings=tuple(self.warnings),
            extra_headers=tuple(dict.fromkeys(self.extra_headers)),
            title=self.title,
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

    def _read_table_sheet(self, sheet: str, rows: list[list[Cell]]) -> None:
        header = find_header(rows)
        if header is None:
            return
        if Role.TARGET not in header.roles and not {Role.LOWER, Role.UPPER} & header.roles.keys():
            raise MissingColumnError(
                "the KPI table has no Target column",
                where=ref(sheet, header.row, header.roles[Role.INDICATOR]),
                fix="Add a 'Target' column to the header row (or 'Lower threshold'/'Upper threshold' "
                    "for activity indicators)",
            )
        if not header.periods and Role.VALUE not in header.roles:
            raise MissingColumnError(
                "the KPI table has no values: no period columns (such as Apr-19) and no 'Actual' column",
                where=ref(sheet, header.row, header.roles[Role.INDICATOR]),
                fix="Head each value column with its period (Apr-19, Q1 2019/20) or add an 'Actual' column",
            )
        if not self.title:
            self.title = _title_above(rows, header.row)
        self.extra_headers.extend(header.extras.values())
        table = TableReader(sheet, rows, header, self.warnings)
        indicators = table.indicators()
        if not indicators:
            self.empty_tables.append(ref(sheet, header.row, header.roles[Role.INDICATOR]))
        self.indicators.extend(indicators)


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


def _warn_hidden_rows(indicators: Sequence[Indicator], hidden: frozenset[int], sink: list[Warning_]) -> None:
    for indicator in indicators:
        if indicator.row in hidden:
            sink.append(Warning_(f"{indicator.label}: its row is hidden in Excel; it was read like the "
                                 "others", indicator.ref))
