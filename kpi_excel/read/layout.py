"""Layout accidents in a KPI table: settings merged over two rows, a header row pasted twice; and
the columns a rated copy added, which a build from it reads past (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kpi_excel.core.model import Warning_
from kpi_excel.core.values import normalise
from kpi_excel.excel.refs import column_letter
from kpi_excel.read.cells import EMPTY, Cell, Merge, ref
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


_BLOCK = re.compile(r"(?:'((?:[^']|'')*)'|([^'!,\s]+))!\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)")


def added_blocks(text: str) -> list[tuple[str, Merge]]:
    """The blocks a rated copy's mark names (stamp.RATED_COLUMNS: 'KPIs!$W$4:$AB$18,...'), each as
    its sheet and (top row, left column, bottom row, right column), 0-based."""
    found = []
    for match in _BLOCK.finditer(text):
        sheet = match.group(1).replace("''", "'") if match.group(1) is not None else match.group(2)
        left, right = _column(match.group(3)), _column(match.group(5))
        top, bottom = int(match.group(4)) - 1, int(match.group(6)) - 1
        found.append((sheet, (min(top, bottom), min(left, right), max(top, bottom), max(left, right))))
    return found


def _column(letters: str) -> int:
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 64
    return col - 1


def without_added_columns(rows: list[list[Cell]], blocks: Sequence[Merge]) -> list[list[Cell]]:
    """The rows with the columns a rated copy added emptied: from each block's header row to its
    last row, and on down through rows pasted under it (the next empty row ends it), so a build from
    the copy reads the department's table as it was and neither its words ("Green") nor its headers
    ("RAG (rule)") are taken for the department's own."""
    if not blocks:
        return rows
    rows = list(rows)
    for top, left, bottom, right in blocks:
        r = top
        while r < len(rows) and (r <= bottom or any(c.value not in (None, "") for c in rows[r])):
            if len(rows[r]) > left:
                row = list(rows[r])
                for c in range(left, min(right, len(row) - 1) + 1):
                    row[c] = EMPTY
                while row and row[-1] is EMPTY:
                    row.pop()
                rows[r] = row
            r += 1
    return rows


# the words of a totals row under a table: its code cell says what it adds up, not a KPI's code
TOTALS_WORDS = frozenset({"total", "totals", "grandtotal", "subtotal", "average", "averages", "mean", "sum",
                          "overall"})


def without_totals_rows(sheet: str, rows: list[list[Cell]], header: Header, totals: frozenset[int],
                        sink: list[Warning_]) -> list[list[Cell]]:
    """The rows with an Excel table's totals row emptied (totals: 0-based rows its totalsRowCount
    covers), and any row whose code cell (the indicator cell, where there is no code column) says
    Total, Average or Sum, each such row noted: a table's totals are not a KPI."""
    code = header.roles.get(Role.CODE, header.roles.get(Role.INDICATOR, 0))
    found = set(r for r in totals if header.row < r < len(rows))
    for r in range(header.row + 1, len(rows)):
        cell = rows[r][code] if code < len(rows[r]) else None
        if cell is not None and isinstance(cell.value, str) and normalise(cell.value) in TOTALS_WORDS:
            found.add(r)
            if r not in totals:
                sink.append(Warning_(f"row {r + 1} totals the table ('{cell.value.strip()}'), so it was "
                                     "not read as a KPI", ref(sheet, r, code)))
    if not found:
        return rows
    return [[] if r in found else row for r, row in enumerate(rows)]
