"""Where a value column that names no period has its period written: the order of places (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from kpi_excel.core.model import LATEST, Period, PeriodSource
from kpi_excel.core.periods import find_period
from kpi_excel.core.values import clean_text
from kpi_excel.excel.refs import quote_sheet
from kpi_excel.read.cells import Cell, Merge, ref
from kpi_excel.read.header import Header, value_heading_period
from kpi_excel.read.headings import Role, header_role

BANNER_ROWS = 2  # how far above the header row a banner over the value column may sit

FIX_PERIOD = ("Give it with --period \"Q3 2018/19\", a 'Period' row on the Settings sheet, a banner "
              "above the value column or the title above the table, or head the column 'Value Q3 2018/19'")


@dataclass(frozen=True)
class NamedPeriod:
    """A period, and where it was written."""

    period: Period
    source: PeriodSource


def undated_value_column(header: Header) -> int | None:
    """The value column of a table whose only figures are in one column naming no period."""
    col = header.roles.get(Role.VALUE)
    if col is None or header.periods or header.long_form:
        return None
    return col if value_heading_period(header.texts.get(col, "")) is None else None


def banner_period(sheet: str, rows: Sequence[Sequence[Cell]], header: Header, value_col: int,
                  merges: Sequence[Merge]) -> NamedPeriod | None:
    """A period in a banner cell over the value column, in the two rows above the header: the cell
    merged across it, the cell right above it, or the nearest filled cell to its left over the
    figures (a banner centred across its columns without merging)."""
    first_data_col = max(header.roles.get(Role.INDICATOR, 0), header.roles.get(Role.CODE, 0)) + 1
    for r in range(header.row - 1, max(header.row - 1 - BANNER_ROWS, -1), -1):
        row = rows[r] if r < len(rows) else []
        col = _banner_col(row, r, value_col, first_data_col, merges)
        if col is None:
            continue
        text = clean_text(row[col].value)
        found = find_period(text)
        if found is not None:
            return NamedPeriod(found.period, PeriodSource("banner", ref(sheet, r, col), text))
    return None


def _banner_col(row: Sequence[Cell], r: int, value_col: int, first_data_col: int,
                merges: Sequence[Merge]) -> int | None:
    for top, left, bottom, right in merges:
        if top <= r <= bottom and left <= value_col <= right:
            return left if left < len(row) and row[left].value not in (None, "") else None
    for col in range(min(value_col, len(row) - 1), first_data_col - 1, -1):
        if row[col].value not in (None, ""):
            return col
    return None


def banner_series(sheet: str, rows: Sequence[Sequence[Cell]], header: Header,
                  merges: Sequence[Merge]) -> Header | None:
    """A header whose value columns repeat under period banners (Q1 2023/24 over Value | Target |
    Status, Q2 2023/24 over the next three) as a header of period columns; the target and status
    read are those of the latest period's group. None when the value columns do not repeat so."""
    value_cols = sorted(c for c, text in header.texts.items() if header_role(text) is Role.VALUE)
    if len(value_cols) < 2 or header.periods or header.long_form:
        return None
    named = [banner_period(sheet, rows, header, c, merges) for c in value_cols]
    periods = {c: n.period for c, n in zip(value_cols, named, strict=True) if n is not None}
    if len(periods) != len(value_cols) or len(set(periods.values())) != len(periods):
        return None
    latest = max(periods, key=lambda c: periods[c])
    roles: dict[Role, int] = {role: c for role, c in header.roles.items() if role is not Role.VALUE}
    group_end = min([c for c in value_cols if c > latest], default=max(header.texts) + 1)
    for c in range(latest + 1, group_end):  # the latest group's own target, floor, status
        role = header_role(header.texts.get(c, ""))
        if role in (Role.TARGET, Role.FLOOR, Role.STATUS):
            roles[role] = c
    grouped = {c for c in range(value_cols[0], group_end)}
    extras = {c: text for c, text in header.extras.items() if c not in grouped}
    return Header(header.row, roles, periods, extras, header.texts)


def title_period(sheet: str, rows: Sequence[Sequence[Cell]], header: Header) -> NamedPeriod | None:
    """A period in the title and note rows above the table, read together ('Key Performance
    Indicators 2018/19' over 'Quarter 3' is Q3 2018/19)."""
    texts: list[tuple[int, str, str]] = []  # (offset in the joined text, cell, text)
    joined = ""
    for r, row in enumerate(rows[:header.row]):
        for c, cell in enumerate(row):
            if isinstance(cell.value, str) and cell.value.strip():
                texts.append((len(joined), ref(sheet, r, c), clean_text(cell.value)))
                joined += clean_text(cell.value) + " | "
    found = find_period(joined)
    if found is None:
        return None
    _, where, text = next(t for t in reversed(texts) if t[0] <= found.start)
    return NamedPeriod(found.period, PeriodSource("title", where, text))


def name_period(kind: str, name: str) -> NamedPeriod | None:
    """A period in a sheet name ('Q3 2018-19', 'Dec 19') or a file name."""
    text = PurePath(name).stem if kind == "file name" else name
    found = find_period(text)
    if found is None:
        return None
    where = quote_sheet(name) if kind == "sheet name" else name
    return NamedPeriod(found.period, PeriodSource(kind, where, text[found.start:found.end]))


def first_named(*candidates: NamedPeriod | None) -> NamedPeriod | None:
    return next((c for c in candidates if c is not None), None)


def nothing_named(value_cell: str, heading: str) -> NamedPeriod:
    """No period anywhere: `check` rates the column as the latest figures, `build` stops."""
    return NamedPeriod(LATEST, PeriodSource("none", text=heading, value_cell=value_cell))
