"""The figures of a CSV export separated by semicolons, read with the decimal mark they are
written in: '77,5%' is 77.5 %, never 775 % (see core/decimals.py)."""

from __future__ import annotations

from typing import Protocol

from kpi_excel.core.decimals import Mark, figure_in, file_convention, read_as, with_decimal_point
from kpi_excel.core.model import Warning_
from kpi_excel.read.header import Header
from kpi_excel.read.headings import Role

_FIGURE_ROLES = (Role.VALUE, Role.TARGET, Role.FLOOR, Role.TOLERANCE, Role.LOWER, Role.UPPER)


class _Places(Protocol):
    def cell(self, row: int, col: int | None) -> str: ...


def decimal_commas_read(rows: list[list[str | None]], header: Header, places: _Places) -> list[Warning_]:
    """Rewrite the figures below the header (targets, floors, thresholds and values) with a decimal
    point where their digits, or the file's other figures, show a decimal comma; returns a warning
    naming the first figure that could be read either way ('1,234'), and how it was read."""
    columns = sorted({c for role, c in header.roles.items() if role in _FIGURE_ROLES}
                     | set(header.periods) | set(header.yearless))
    found = [(r, c, text, figure) for r in range(header.row + 1, len(rows)) for c in columns
             if c < len(rows[r]) and (text := rows[r][c]) and (figure := figure_in(text)) is not None
             and figure.mark is not Mark.NONE]
    convention = file_convention([figure.mark for *_, figure in found])
    # with no other figure to go by, '1,000' is a thousand, as a UK export writes it
    comma = convention is Mark.COMMA
    either = []
    for r, c, text, figure in found:
        rows[r][c] = with_decimal_point(text, figure, comma)
        if figure.mark is Mark.EITHER:
            either.append((r, c, text, figure))
    if not either or convention is Mark.POINT:
        return []
    r, c, text, figure = either[0]
    others = f" (and {len(either) - 1:,} other figure{'s' if len(either) > 2 else ''} like it)" \
        if len(either) > 1 else ""
    why = ("the file's other figures have decimal commas" if convention is Mark.COMMA
           else "no other figure in the file shows which mark it uses")
    return [Warning_(f"'{text}'{others} could be read two ways, with a decimal comma or a thousands "
                     f"separator; it was read as {read_as(figure, comma)}, since {why}: check it",
                     places.cell(r, c))]

