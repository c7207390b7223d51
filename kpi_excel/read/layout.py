"""Layout accidents in a KPI table: settings merged over two rows, a header row pasted twice (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from kpi_excel.core.model import Warning_
from kpi_excel.core.values import normalise
from kpi_excel.excel.refs import column_letter
from kpi_excel.read.cells import Cell, Merge, ref
from kpi_excel.read.header import Header
from kpi_excel.read.headings import Role

# Columns whose cell, merged down over several indicator rows, holds a setting of each of them
SHARED_ROLES = (Role.TARGET, Role.FLOOR, Role.LOWER, Role.UPPER, Role.TOLERANCE, Role.POLARITY,
                Role.UNIT, Role.FREQUENCY, Role.TYPE)
_WORDS = {Role.TARGET: "target", Role.FLOOR: "floor", Role.LOWER: "lower threshold",
          Role.UPPER: "upper threshold", Role.TOLERANCE: "tolerance", Role.POLARITY: "polarity",
          Role.UNIT: "unit", Role.FREQUENCY: "data period", Role.TYPE: "type"}


def spread_merged_settings(sheet: str, rows: list[list[Cell]], header: Header, merges: Sequence[Merge],
                           sink: list[Warning_]) -> list[list[Cell]]:
    """The rows with a target, floor or other setting merged down over several indicator rows
    copied into each of them, as Excel shows it on all; each such merge is noted."""
    by_col = {col: role for role, col in header.roles.items() if role in SHARED_ROLES}
    changed: dict[int, list[Cell]] = {}
    for top, left, bottom, right in merges:
        if top <= header.row or bottom == top or left not in by_col or top >= len(rows):
            continue
        source = rows[top][left] if left < len(rows[top]) else None
        if source is None or source.value in (None, ""):
            continue
        for r in range(top + 1, min(bottom, len(rows) - 1) + 1):
            row = changed.setdefault(r, list(rows[r]))
            row.extend([Cell(None)] * (left + 1 - len(row)))
            row[left] = source
        span = f"{ref(sheet, top, left)}:{column_letter(right + 1)}{bottom + 1}"
        sink.append(Warning_(f"the {_WORDS[by_col[left]]} is one cell merged over rows {top + 1} to "
                             f"{bottom + 1}, so it applies to each of them", span))
    if not changed:
        return rows
    return [changed.get(r, row) for r, row in enumerate(rows)]


def repeats_header(cells: Sequence[Cell], header: Header) -> bool:
    """Whether a row inside the table is its header row again (two blocks pasted one under the
    other): most of the header's named columns hold their own headings."""
    same = 0
    for col in header.roles.values():
        text = header.texts.get(col, "")
        cell = cells[col] if col < len(cells) else None
        if cell is not None and isinstance(cell.value, str) and normalise(cell.value) == normalise(text):
            same += 1
    return same >= 2 and same * 2 >= len(header.roles)
