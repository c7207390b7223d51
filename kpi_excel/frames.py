"""Reports as pandas DataFrames and DataFrames as datasets: the only module that imports pandas."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from kpi_excel.errors import ExtraNotInstalledError, InputError, MissingColumnError

try:
    import pandas as pd
except ImportError as error:  # the command line never needs pandas: it is an optional extra
    raise ExtraNotInstalledError(
        "pandas is not installed, and DataFrames need it",
        fix='Install the pandas extra: pip install "kpi-excel[pandas]" (with uv: uv run --extra pandas ...)',
    ) from error

from kpi_excel.core.model import (
    Dataset,
    Direction,
    Indicator,
    KpiType,
    Observation,
    Period,
    PeriodKind,
    Polarity,
    Rag,
    RangeStatus,
    Report,
    Warning_,
)
from kpi_excel.present.export import report_to_dict

# worst first, so that sorting puts the Reds at the top
RAG_ORDER = [Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value]
_CATEGORIES: dict[str, tuple[list[str], bool]] = {  # column: (categories, ordered)
    "rag": (RAG_ORDER, True),
    "stated_rag": (RAG_ORDER, True),  # the council's own rating, from a status column
    "dot": ([d.value for d in Direction], False),  # improved/worsened, or a data-only rise or fall
    "range": ([RangeStatus.BELOW.value, RangeStatus.WITHIN.value, RangeStatus.ABOVE.value], True),
    "type": ([t.value for t in KpiType], False),
    "polarity": ([p.value for p in Polarity], False),
}
_FLOATS = ("value", "target", "floor", "tolerance", "lower_threshold", "upper_threshold")
_BOOLS = ("is_percent", "stale")

# the long-form columns, named as docs/input-format.md's headings read them
OBSERVATION_COLUMNS = (
    "code", "indicator", "section", "directorate", "type", "polarity", "target", "floor",
    "tolerance", "lower_threshold", "upper_threshold", "data_period", "unit", "owner", "commentary", "status",
    "period", "period_start", "value", "missing_reason", "is_percent", "number_format",
)


def indicators_frame(report: Report) -> pd.DataFrame:
    """One row per indicator, with the fields (and field names) of `kpi-excel check --json`."""
    records = report_to_dict(report)["kpis"]
    frame = pd.DataFrame.from_records(records)
    _set_dtypes(frame)
    if "period" in frame:
        frame["period"] = _periods(frame["period"], report.dataset.periods)
    return frame


def observations_frame(report: Report) -> pd.DataFrame:
    """One row per indicator per period: the long form `from_pandas` reads back, with each
    indicator's unrecognised columns after the others."""
    extras = list(dict.fromkeys(name for ind in report.dataset.indicators for name, _ in ind.extra))
    records = [_observation_record(ind, obs, extras)
               for ind in report.dataset.indicators for obs in ind.observations]
    frame = pd.DataFrame.from_records(records, columns=[*OBSERVATION_COLUMNS, *extras])
    _set_dtypes(frame)
    frame["period"] = _periods(frame["period"], report.dataset.periods)
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    return frame


def _observation_record(ind: Indicator, obs: Observation, extras: list[str]) -> dict[str, Any]:
    own = dict(ind.extra)
    return {
        "code": ind.code, "indicator": ind.name, "section": ind.section, "directorate": ind.directorate,
        "type": ind.type.value, "polarity": ind.polarity.value, "target": ind.target,
        "floor": ind.floor, "tolerance": ind.tolerance, "lower_threshold": ind.lower_threshold,
        "upper_threshold": ind.upper_threshold, "data_period": ind.frequency, "unit": ind.unit,
        "owner": ind.owner, "commentary": ind.commentary,
        "status": ind.stated.text if ind.stated else "", "period": obs.period.label,
        "period_start": obs.period.start, "value": obs.value,
        "missing_reason": None if obs.has_value else obs.missing_reason,
        "is_percent": ind.is_percent, "number_format": ind.number_format,
        **{name: own.get(name, "") for name in extras},
    }


def _set_dtypes(frame: pd.DataFrame) -> None:
    for column, (categories, ordered) in _CATEGORIES.items():
        if column in frame:
            frame[column] = pd.Categorical(frame[column], categories=categories, ordered=ordered)
    for column in _FLOATS:
        if column in frame:
            frame[column] = frame[column].astype("float64")
    for column in _BOOLS:
        if column in frame:
            frame[column] = frame[column].astype(bool)


def _periods(labels: pd.Series, periods: tuple[Period, ...]) -> pd.Categorical:
    """Period labels (Mar-20, Q4 2019/20) as an ordered categorical: they sort by date."""
    return pd.Categorical(labels, categories=list(dict.fromkeys(p.label for p in periods)), ordered=True)


# --- a DataFrame as a dataset --------------------------------------------------------------------


def dataset_from_frame(frame: pd.DataFrame, source: str = "dataframe",
                       period: Period | None = None) -> Dataset:
    """A long-form (or wide) DataFrame read by the same table finder and rules as a sheet.

    Each column is a table column named by its heading; `is_percent` and `number_format` columns
    say how to read a row's numbers, and `missing_reason` fills a value left blank (as
    `observations_frame` writes them). Places in messages are `row <index label>, <column>`.
    """
    from kpi_excel.read.rows import read_plain_rows

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"from_pandas() needs a pandas DataFrame, not {type(frame).__name__}")
    frame, warnings = _within_limits(frame, source)
    if frame.columns.duplicated().any():
        names = ", ".join(map(str, frame.columns[frame.columns.duplicated()].unique()))
        raise MissingColumnError(f"the DataFrame has more than one column named {names}", file=source,
                                 fix="Give each column a name of its own")
    if frame.empty:
        raise InputError("the DataFrame has no rows", file=source,
                         fix="Give one row per indicator per period")
    header = [str(c) for c in frame.columns]
    rows: list[list[object]] = [list(header)]
    rows += [[_plain(v) for v in values] for values in frame.itertuples(index=False, name=None)]
    places = _FramePlaces(source, header, [str(i) for i in frame.index])
    _check_text_lengths(rows, places, source)
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame.astype(str), index=True).to_numpy().tobytes())
    return read_plain_rows(rows, places, sha256=digest.hexdigest(), file=source, warnings=warnings,
                           period=period)


# A DataFrame has no file size, so its cells are counted instead: a long-form table of 200,000 rows
# (the CSV export's limit) has 7 to 15 columns, and reading 2 million cells takes about 30 s and
# 700 MB (benchmarks/bench_from_pandas.py)
MAX_CELLS = 2_000_000


def _within_limits(frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[Warning_]]:
    """The limits of a CSV export, checked from the frame's shape before any cell is read: rows,
    cells, and columns beyond the 1,000th left out with a warning."""
    from kpi_excel.read.csvfile import MAX_COLUMNS, MAX_ROWS

    rows, columns = frame.shape
    fix = "Give only the KPI table: one row per indicator per period, without data dumps"
    if rows + 1 > MAX_ROWS:  # with its row of headings, as a CSV file's lines are counted
        raise InputError(f"the DataFrame has {rows:,} rows, far more than a KPI table needs (the limit is "
                         f"{MAX_ROWS - 1:,} under the headings, as for a CSV export)", file=source, fix=fix)
    warnings = []
    if columns > MAX_COLUMNS:
        frame = frame.iloc[:, :MAX_COLUMNS]
        warnings.append(Warning_(f"columns beyond the {MAX_COLUMNS:,}th were not read (a KPI table is never "
                                 "that wide)", f"the column headings ({frame.columns[-1]})"))
    if rows * min(columns, MAX_COLUMNS) > MAX_CELLS:
        raise InputError(f"the DataFrame has {rows * min(columns, MAX_COLUMNS):,} cells, far more than a KPI "
                         f"table needs (the limit is {MAX_CELLS:,})", file=source,
                         fix="Give only the KPI table's columns and rows")
    return frame, warnings


def _check_text_lengths(rows: list[list[object]], places: _FramePlaces, source: str) -> None:
    """A text longer than a CSV field may be is refused, naming its cell, as a CSV export's is."""
    from kpi_excel.read.csvfile import MAX_FIELD_CHARS

    for r, row in enumerate(rows[1:], start=1):
        for c, value in enumerate(row):
            if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
                raise InputError(f"a text of {len(value):,} characters is longer than a KPI table's cell "
                                 f"needs (the limit is {MAX_FIELD_CHARS:,}, as for a CSV export)",
                                 file=source, where=places.cell(r, c), fix="Shorten the text")


@dataclass(frozen=True)
class _FramePlaces:
    """Places in a DataFrame: `row <index label>, <column>`."""

    name: str
    header: list[str]
    labels: list[str]

    def cell(self, row: int, col: int | None) -> str:
        if row < 1:
            return f"the column headings ({self.header[col]})" if col is not None else "the column headings"
        at = f"row {self.labels[row - 1]}"
        return f"{at}, {self.header[col]}" if col is not None and col < len(self.header) else at

    def line(self, row: int) -> int:
        return row


def _plain(value: Any) -> object:
    """A DataFrame cell as a sheet's cell would hold it: None for NaN/NA/NaT, Python numbers and
    dates, a pandas Period as its label."""
    if value is None:
        return None
    if isinstance(value, pd.Period):
        return _period_label(value)
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # a list or array in a cell: read as its text
        return str(value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # a numpy number
    if isinstance(value, (int, float, str, bool, dt.date, dt.datetime)):
        return value
    return str(value)


def _period_label(value: pd.Period) -> str:
    """A pandas Period as the reader writes periods: Mar-20, Q4 2019/20, 2019/20."""
    start = value.start_time.date()
    code = value.freqstr.upper()
    if code.startswith("M"):
        return Period(start, PeriodKind.MONTH).label
    if code.startswith("Q"):
        return Period(start, PeriodKind.QUARTER).label
    if code.startswith(("Y", "A")) and start.month == 4:
        return Period(start, PeriodKind.YEAR).label
    return str(value)
