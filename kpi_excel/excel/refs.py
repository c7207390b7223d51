"""Cell references: a sheet's name as a reference writes it, and Excel's column letters."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=64)  # called for every warning and cell reference
def quote_sheet(sheet: str) -> str:
    """A sheet name as a cell reference needs it: KPIs, or 'KPI data' with quotes doubled."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def column_letter(number: int) -> str:
    """Excel's letters for a 1-based column number: 1 -> A, 27 -> AA."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
