"""Reports as pandas DataFrames and DataFrames as datasets: the only module that imports pandas."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .errors import ExtraNotInstalledError, InputError, MissingColumnError

try:
    import pandas as pd
except ImportError as error:  # the command line never needs pandas: it is an optional extra
    raise ExtraNotInstalledError(
        "pandas is not installed, and DataFrames need it",
        fix='Install the pandas extra: pip install "kpi-excel[pandas]" (with uv: uv run --extra pandas ...)',
    ) from error

from .export import report_to_dict
from .model import (
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
)

# worst first, so that sorting puts the Reds at the top
RAG_ORDER = [Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value]
_CATEGORIES: dict[str, tuple[list[str], bool]] = {  # column: (categories, ordered)
    "rag": (RAG_ORDER, True),
    "dot": ([Direction.WORSENED.value, Direction.SAME.value, Direction.IMPROVED.value], True),
    "range": ([RangeStatus.BELOW.value, RangeStatus.WITHIN.value, RangeStatus.ABOVE.value], True),
    "type": ([t.value for t in KpiType], False),
    "polarity": ([p.value for p in Polarity], False),
}
_FLOATS = ("value", "target", "floor", "tolerance", "lower_threshold", "upper_threshold")
_BOOLS = ("is_percent", "stale")

# the long-form columns, named as docs/input-format.md's headings read them
OBSERVATION_COLUMNS = (
    "code", "indicator", "section", "directorate", "type", "polarity", "target", "floor",
    "tolerance", "lower_threshold", "upper_threshold", "data_period", "unit", "owner", "commentary",
    "period", "period_start", "value", "missing_reason", "is_percent", "number_format",
)
# columns of observations_frame that are not read as table columns but say how to read the others
_HOW_TO_READ = ("period_start", "missing_reason", "is_percent", "number_format")


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
        "owner": ind.owner, "commentary": ind.commentary, "period": obs.period.label,
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


def dataset_from_frame(frame: pd.DataFrame, source: str = "dataframe") -> Dataset:
    """A long-form (or wide) DataFrame read by the same table finder and rules as a sheet.

    Each column is a table column named by its heading; `is_percent` and `number_format` columns
    say how to read a row's numbers, and `missing_reason` fills a value left blank (as
    `observations_frame` writes them). Places in messages are `row <index label>, <column>`.
    """
    from .plain_rows import read_plain_rows

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"from_pandas() needs a pandas DataFrame, not {type(frame).__name__}")
    if frame.columns.duplicated().any():
        names = ", ".join(map(str, frame.columns[frame.columns.duplicated()].unique()))
        raise MissingColumnError(f"the DataFrame has more than one column named {names}", file=source,
                                 fix="Give each column a name of its own")
    if frame.empty:
        raise InputError("the DataFrame has no rows", file=source,
                         fix="Give one row per indicator per period")
    columns = [c for c in frame.columns if c not in _HOW_TO_READ]
    header = [str(c) for c in columns]
    rows: list[list[object]] = [list(header), *_frame_rows(frame, columns)]
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame.astype(str), index=True).to_numpy().tobytes())
    return read_plain_rows(rows, _FramePlaces(source, header, [str(i) for i in frame.index]),
                           sha256=digest.hexdigest(), file=source,
                           number_formats=[None, *_row_number_formats(frame)],
                           numeric_columns=_numeric(header))


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


def _frame_rows(frame: pd.DataFrame, columns: list[Any]) -> Iterator[list[object]]:
    reasons = frame.get("missing_reason")
    value_at = columns.index("value") if "value" in columns else None
    for i, values in enumerate(frame[columns].itertuples(index=False, name=None)):
        row = [_plain(v) for v in values]
        if value_at is not None and row[value_at] is None and reasons is not None:
            reason = _plain(reasons.iat[i])
            if isinstance(reason, str) and reason.strip().lower() != "blank":
                row[value_at] = reason  # read as the workbook's cell was: TBC, Not due, #DIV/0!
        yield row


def _row_number_formats(frame: pd.DataFrame) -> Iterator[str | None]:
    """Each row's number format: its own, made a percentage format where `is_percent` says so."""
    formats = frame.get("number_format")
    percent = frame.get("is_percent")
    for i in range(len(frame)):
        fmt = _plain(formats.iat[i]) if formats is not None else None
        fmt = fmt if isinstance(fmt, str) and fmt else None
        if percent is not None and _plain(percent.iat[i]) is True and "%" not in (fmt or ""):
            fmt = "0.0%"
        yield fmt


def _numeric(header: list[str]) -> set[int]:
    """The columns whose numbers take the row's number format: values, targets, thresholds."""
    from .parsing import Role, header_role

    numeric_roles = {Role.VALUE, Role.TARGET, Role.FLOOR, Role.LOWER, Role.UPPER}
    return {c for c, text in enumerate(header) if header_role(text) in numeric_roles}


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
