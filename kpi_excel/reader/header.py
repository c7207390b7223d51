"""Finding a KPI table's header row among plain rows of cells (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kpi_excel.model import Period
from kpi_excel.parsing import Role, clean_text, header_role
from kpi_excel.periods import parse_period

from .cells import EMPTY, Cell

HEADER_SEARCH_ROWS = 20


@dataclass
class Header:
    """A located header row: where each role and each period is."""

    row: int
    roles: dict[Role, int]
    periods: dict[int, Period]
    extras: dict[int, str]
    texts: dict[int, str]

    @property
    def long_form(self) -> bool:
        return Role.PERIOD in self.roles and Role.VALUE in self.roles


def find_header(rows: Sequence[Sequence[Cell]]) -> Header | None:
    """The best header row in the first rows: it names an indicator column and some values."""
    best: tuple[int, Header] | None = None
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for header in (_header_at(r, row), _two_row_header(r, rows)):
            if header is None:
                continue
            score = len(header.roles) + len(header.periods)
            if best is None or score > best[0]:
                best = (score, header)
    return best[1] if best else None


def _two_row_header(r: int, rows: Sequence[Sequence[Cell]]) -> Header | None:
    """A header over two rows, as merged cells make it: the fixed columns (merged down) in the top
    row, the periods in the row below, under an empty cell or a banner such as 'Monthly 2019/20'.

    Read as one row ending at the lower row; only tried when the lower row gives two periods.
    """
    if r + 1 >= len(rows):
        return None
    top, below = rows[r], rows[r + 1]
    merged = list(top) + [EMPTY] * (len(below) - len(top))
    taken = 0
    for c, cell in enumerate(below):
        if parse_period(cell.value) is not None and header_role(merged[c].value) is None:
            merged[c] = cell
            taken += 1
    return _header_at(r + 1, merged) if taken >= 2 else None


def _header_at(r: int, row: Sequence[Cell]) -> Header | None:
    roles: dict[Role, int] = {}
    periods: dict[int, Period] = {}
    extras: dict[int, str] = {}
    texts: dict[int, str] = {}
    for c, cell in enumerate(row):
        if cell.value in (None, ""):
            continue
        text = clean_text(cell.value) if not hasattr(cell.value, "year") else str(cell.value)
        texts[c] = text
        role = header_role(cell.value)
        period = parse_period(cell.value) if role is None else None
        if role is not None and role not in roles:
            roles[role] = c
        elif period is not None:
            periods[c] = period
        elif isinstance(cell.value, str) and text:
            extras[c] = text
    if Role.INDICATOR not in roles:
        return None
    has_values = periods or {Role.TARGET, Role.VALUE, Role.LOWER, Role.UPPER} & roles.keys()
    if not has_values:
        return None
    return Header(r, roles, _one_period_kind(periods, extras, texts), extras, texts)


def _one_period_kind(
    periods: dict[int, Period], extras: dict[int, str], texts: dict[int, str]
) -> dict[int, Period]:
    """Keep the commonest kind of period (months, say); a '2018/19' summary column is carried."""
    if not periods:
        return periods
    kinds = [p.kind for p in periods.values()]
    main = max(set(kinds), key=kinds.count)
    for c, p in list(periods.items()):
        if p.kind is not main:
            extras[c] = texts[c]
            del periods[c]
    return periods
