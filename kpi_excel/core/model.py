"""The domain model: frozen dataclasses shared by the reader, the rules and the writers (no I/O)."""

from __future__ import annotations

import datetime as dt
import importlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from kpi_excel.excel.refs import CellRef


class Polarity(str, Enum):
    """Which way is good for an indicator."""

    HIGHER = "higher"
    LOWER = "lower"
    TARGET = "target"  # goal post: close to the target is good
    NONE = "none"  # data only: neither way is better, so no rating and no better or worse


class KpiType(str, Enum):
    """A rated KPI, or an activity (context) indicator checked against an expected range."""

    KPI = "kpi"
    ACTIVITY = "activity"


class Rag(str, Enum):
    """A RAG rating."""

    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"

    @property
    def word(self) -> str:
        return self.value.title()


class Direction(str, Enum):
    """Direction of travel, already adjusted for polarity; a data-only indicator only rises or falls."""

    IMPROVED = "improved"
    WORSENED = "worsened"
    SAME = "same"
    INCREASED = "increased"  # data only (Polarity.NONE)
    DECREASED = "decreased"  # data only (Polarity.NONE)


class RangeStatus(str, Enum):
    """Where an activity indicator sits against its expected range."""

    ABOVE = "above"
    WITHIN = "within"
    BELOW = "below"


class RagMethod(str, Enum):
    """How Amber is decided."""

    FLOOR = "floor"  # Amber when the floor standard is met but the target is not
    TOLERANCE = "tolerance"  # Amber when the target is missed by no more than a tolerance


class DirectionMethod(str, Enum):
    """What the direction of travel compares."""

    PREVIOUS = "previous"  # the latest value against the period before it that has data
    LAST_YEAR = "last_year"  # the latest value against the same period a year earlier
    TREND = "trend"  # a least-squares trend across every period shown


class PeriodKind(str, Enum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    LATEST = "latest"  # a single value column whose period nothing names: `check` rates it as "latest"


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period, identified by its first day and its length."""

    start: dt.date
    kind: PeriodKind = PeriodKind.MONTH

    @property
    def month_number(self) -> int:
        """The period's first month as one number (year * 12 + month - 1): the x of trends and of
        last-year lookups, in the rules and in the workbooks' formulas alike."""
        return self.start.year * 12 + self.start.month - 1

    @property
    def last_month_number(self) -> int:
        """The period's last month, numbered as month_number numbers months."""
        return self.end.year * 12 + self.end.month - 1

    @property
    def financial_year(self) -> str:
        """The UK financial year (April to March) the period falls in, written 2019/20."""
        first = self.start.year if self.start.month >= 4 else self.start.year - 1
        return f"{first}/{(first + 1) % 100:02d}"

    @property
    def label(self) -> str:
        """How the period is written in outputs: Mar-20, Q4 2019/20 or 2019/20."""
        if self.kind is PeriodKind.LATEST:
            return "latest"
        if self.kind is PeriodKind.MONTH:
            return self.start.strftime("%b-%y")
        if self.kind is PeriodKind.QUARTER:
            quarter = ((self.start.month - 4) % 12) // 3 + 1
            return f"Q{quarter} {self.financial_year}"
        return self.financial_year

    @property
    def long_label(self) -> str:
        """The period in words, as a sentence uses it: March 2020."""
        if self.kind is PeriodKind.MONTH:
            return self.start.strftime("%B %Y")
        return self.label

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        months = {PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}.get(self.kind, 1)
        year, month = divmod(self.start.month - 1 + months, 12)
        return dt.date(self.start.year + year, month + 1, 1) - dt.timedelta(days=1)

    def months_since(self, other: Period) -> int:
        """Whole months from other's start to this period's start."""
        return (self.start.year - other.start.year) * 12 + self.start.month - other.start.month

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Observation:
    """One value of an indicator for one period, or why there is none."""

    period: Period
    value: float | None
    cell: str = ""  # where it came from, as Sheet!B7
    missing_reason: str | None = None  # "blank", "n/a", "Not due", "#DIV/0!", ...

    @property
    def has_value(self) -> bool:
        return self.value is not None


LATEST = Period(dt.date(1900, 1, 1), PeriodKind.LATEST)


@dataclass(frozen=True)
class StatedRating:
    """The rating the council typed in its own status column, beside the one the rules give."""

    text: str  # as written: 'Target slightly missed (within 10%)'
    rag: Rag | None  # None: stated as not rated ('Data Only')
    cell: str = ""  # Sheet!F7


@dataclass(frozen=True)
class CellMap:
    """Where one indicator's cells are on its sheet, so a copy of the workbook can rate them in
    place: 0-based columns, 1-based rows, None where the table has no such column."""

    header_row: int  # the table's header row (the lower one of a two-row header)
    last_col: int  # the table's last used column
    values: tuple[int, ...] = ()  # the value columns, oldest period first
    target: int | None = None
    floor: int | None = None
    tolerance: int | None = None
    lower: int | None = None
    upper: int | None = None
    long_form: bool = False  # one row per indicator per period
    text_numbers: tuple[str, ...] = ()  # cells read as numbers from text ("88%"), as Sheet!G7
    value_texts: tuple[tuple[str, str], ...] = ()  # value cells holding text: (Sheet!G7, the text)
    whole_percents: bool = False  # a percentage row whose plain numbers are whole percentages (85)
    # the value and setting cells the reader divided by 100 (a whole percentage, 88.5 read as 0.885)
    scaled: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()  # the header row's texts, so added columns get names of their own


@dataclass(frozen=True)
class Indicator:
    """One row of the department's table: a KPI or an activity indicator with its series."""

    name: str
    code: str = ""
    section: str = ""
    type: KpiType = KpiType.KPI
    polarity: Polarity = Polarity.HIGHER
    target: float | None = None
    floor: float | None = None
    tolerance: float | None = None  # a fraction of the target: 0.1 is 10 %
    lower_threshold: float | None = None
    upper_threshold: float | None = None
    unit: str = ""
    frequency: str = ""
    commentary: str = ""
    commentary_cell: str = ""  # where the commentary was read from, as KPIs!K7
    owner: str = ""
    is_percent: bool = False  # values are fractions shown as percentages (0.85 shown as 85%)
    number_format: str = "General"  # the cells' own number format, carried to the outputs
    observations: tuple[Observation, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()  # unrecognised columns: (header, text), in order
    sheet: str = ""
    row: int = 0  # the 1-based row it was read from
    directorate: str = ""  # the directorate or department, when one workbook holds several
    place: str = ""  # where the row is when it is not a sheet's: tracker.csv:14 (a CSV file's line)
    stated: StatedRating | None = None  # the council's own rating, from a status column
    cells: CellMap | None = field(default=None, compare=False)  # where its cells are, as read

    @property
    def label(self) -> str:
        """The code and name, as a message or heading names the indicator."""
        return f"{self.code} {self.name}".strip()

    @property
    def ref(self) -> str:
        """Where the row starts, as Excel writes a cell: KPIs!A7, or 'KPI data'!A7 (or its place)."""
        if self.place:
            return self.place
        return CellRef(self.sheet, self.row) if self.sheet else f"row {self.row}"


@dataclass(frozen=True)
class Proposal:
    """Next year's proposed KPI as the proposals sheet gives it (proposals.py matches it to this year's)."""

    name: str
    code: str = ""
    polarity: Polarity | None = None
    target: float | None = None
    floor: float | None = None
    is_percent: bool = False
    note: str = ""


@dataclass(frozen=True)
class Person:
    """Someone named in the paper's header or contact details."""

    name: str
    role: str = ""
    team: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class PaperDetails:
    """The paper's header block and contacts, from the workbook's details sheet or the CLI."""

    service: str = ""  # "Strategic and Corporate Services"
    committee: str = ""
    meeting_date: dt.date | None = None
    subject: str = ""
    classification: str = "Unrestricted"
    from_: tuple[Person, ...] = ()
    author: Person | None = None
    director: Person | None = None
    report_number: int | None = None  # this report's place in the year: 3
    reports_in_year: int | None = None  # how many the committee gets in the year: 3
    kpis_agreed: str = ""  # when the committee saw this year's KPIs: "May 2019"
    year_end: bool | None = None  # None: decide from the report period


@dataclass(frozen=True)
class RuleSettings:
    """How the council rates: the RAG rule, the direction of travel and their thresholds."""

    rag_method: RagMethod = RagMethod.FLOOR
    tolerance: float = 0.1  # default Amber tolerance for the tolerance rule (10 %)
    # Green below target: a higher/lower KPI missing its target by no more than this share of it is
    # still Green ("Green: on target or within 5 % of it"); 0: Green only at or beyond the target
    green_within: float = 0.0
    goal_post_tolerance: float = 0.0  # goal-post KPIs: Green within this fraction of target
    direction: DirectionMethod = DirectionMethod.PREVIOUS
    trend_threshold: float = 0.02  # trend: no clear trend below 2 % of the average level


@dataclass(frozen=True)
class Warning_:
    """A data-quality warning, with where it was found."""

    message: str
    where: str = ""  # Sheet!Cell

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass(frozen=True)
class Dataset:
    """Everything read from one departmental workbook."""

    source: str  # the file's name
    sha256: str
    indicators: tuple[Indicator, ...]
    periods: tuple[Period, ...]  # every period column, oldest first
    proposals: tuple[Proposal, ...] = ()
    details: PaperDetails = field(default_factory=PaperDetails)
    settings: RuleSettings = field(default_factory=RuleSettings)
    warnings: tuple[Warning_, ...] = ()
    extra_headers: tuple[str, ...] = ()  # unrecognised column headers, in sheet order
    title: str = ""  # the title above the table, when there is one
    period_source: PeriodSource | None = None  # where an undated value column's period came from
    # the Settings sheet's numeric rule settings: (RuleSettings field, its value cell as Settings!B4)
    settings_cells: tuple[tuple[str, str], ...] = ()
    columns: tuple[ColumnReading, ...] = ()  # how every column of every table was read


@dataclass(frozen=True)
class ColumnReading:
    """How one column of a KPI table was read: the role given to it and why (`check --explain`)."""

    where: str  # its heading's cell, as KPIs!D4
    heading: str  # as written ('' for none)
    role: str  # code, name, value, target, stated ...; 'history', 'kept' (carried as it is) or 'ignored'
    why: str  # what decided it: the heading's words, the cells, the place, a colour


@dataclass(frozen=True)
class PeriodSource:
    """Where the period of a value column that names none was found."""

    kind: str  # "--period", "settings", "banner", "title", "sheet name", "file name"; "none"
    where: str = ""  # the cell, sheet or file that named it
    text: str = ""  # the words that named it
    value_cell: str = ""  # the value column's heading cell

    def describe(self) -> str:
        """'the banner above the value column (KPIs!D3: "Q2 2023/24")', for check's header line."""
        words = {"--period": "the --period option", "settings": "the Settings sheet",
                 "banner": "the banner above the value column", "title": "the title above the table",
                 "sheet name": "the sheet name", "file name": "the file name",
                 "headings": "the column headings",
                 "none": "nothing: no period is named anywhere, so the values are rated as the latest"}
        if self.kind == "none":
            return words["none"]
        detail = f"{self.where}: \"{self.text}\"" if self.where and self.text else self.where or self.text
        return f"{words.get(self.kind, self.kind)} ({detail})" if detail else words.get(self.kind, self.kind)


@dataclass(frozen=True)
class Rating:
    """The verdict on one indicator for the report period."""

    indicator: Indicator
    latest: Observation | None
    rag: Rag | None = None
    direction: Direction | None = None
    range_status: RangeStatus | None = None
    compared_with: Observation | None = None  # what the direction compared against
    not_rated_reason: str | None = None
    stale: bool = False

    @property
    def value(self) -> float | None:
        return self.latest.value if self.latest else None


@dataclass(frozen=True)
class Summary:
    """How many KPIs are in each RAG state."""

    green: int
    amber: int
    red: int
    not_rated: int

    @property
    def rated(self) -> int:
        return self.green + self.amber + self.red

    @property
    def total(self) -> int:
        return self.rated + self.not_rated


def summarise(kpis: Iterable[Rating]) -> Summary:
    """How many of these KPIs are Green, Amber, Red and not rated."""
    counts = Counter(r.rag for r in kpis)
    return Summary(green=counts[Rag.GREEN], amber=counts[Rag.AMBER], red=counts[Rag.RED],
                   not_rated=counts[None])


@dataclass(frozen=True)
class Report:
    """A rated dataset: what both writers and the check command present."""

    dataset: Dataset
    period: Period | None  # the report period: the latest period in the workbook
    ratings: tuple[Rating, ...]
    warnings: tuple[Warning_, ...] = ()

    @property
    def kpis(self) -> tuple[Rating, ...]:
        return tuple(r for r in self.ratings if r.indicator.type is KpiType.KPI)

    @property
    def activities(self) -> tuple[Rating, ...]:
        return tuple(r for r in self.ratings if r.indicator.type is KpiType.ACTIVITY)

    @property
    def summary(self) -> Summary:
        return summarise(self.kpis)

    def directorates(self) -> list[tuple[str, Summary]]:
        """Each directorate's KPI counts, in the order the directorates first appear; empty when
        no indicator names a directorate."""
        groups: dict[str, list[Rating]] = {}
        for rating in self.ratings:
            if rating.indicator.directorate:
                groups.setdefault(rating.indicator.directorate, [])
                if rating.indicator.type is KpiType.KPI:
                    groups[rating.indicator.directorate].append(rating)
        return [(name, summarise(ratings)) for name, ratings in groups.items()]

    def to_pandas(self) -> Any:
        """One row per indicator: the fields of `check --json`, as a pandas DataFrame (RAG,
        direction and period as ordered categoricals, values as floats). Needs the pandas extra.
        The same as kx.to_pandas(report)."""
        return _pandas_adapter().indicators_frame(self)

    def observations_to_pandas(self) -> Any:
        """One row per indicator per period (long form, the columns `from_pandas` reads back), as a
        pandas DataFrame. Needs the pandas extra. The same as kx.observations_to_pandas(report)."""
        return _pandas_adapter().observations_frame(self)

    def sections(self) -> list[tuple[str, list[Rating]]]:
        """KPIs grouped by section, in the order the sections first appear."""
        groups: dict[str, list[Rating]] = {}
        for rating in self.kpis:
            groups.setdefault(rating.indicator.section, []).append(rating)
        return list(groups.items())


def _pandas_adapter() -> Any:
    """kpi_excel.frames, which turns reports into DataFrames. It stands above the model (it reads
    datasets too), so the two methods the Python API promised on Report find it by name when
    called, and the model imports nothing above it."""
    return importlib.import_module("kpi_excel.frames")
