"""Numbers compared as a spreadsheet compares them: the rules, the workbook's formulas and the
warnings all agree with what Excel and LibreOffice show (0.7 + 0.2 >= 0.9 is true there)."""

from __future__ import annotations

import math

from kpi_excel.core.model import Indicator

_E48 = 1.0 / (16777216.0 * 16777216.0)  # 2**-48, LibreOffice's relative tolerance
_E44 = _E48 * 16.0
_MAX_EXACT_INT = float(2**53)


def _representable_integer(x: float) -> bool:
    return x <= _MAX_EXACT_INT and x == math.floor(x)


def approx_equal(a: float, b: float) -> bool:
    """Equality as LibreOffice's and Excel's comparison operators see it.

    The two spreadsheets ignore a difference in the last few bits, so that 0.7+0.2 = 0.9 is
    TRUE. This follows LibreOffice's rtl::math::approxEqual, the engine the tests recalculate with.
    """
    if a == b:
        return True
    if a == 0.0 or b == 0.0:
        return False
    d = abs(a - b)
    if not math.isfinite(d):
        return False
    a, b = abs(a), abs(b)
    if d > a * _E44 or d > b * _E44:
        return False
    if _representable_integer(d) and _representable_integer(a) and _representable_integer(b):
        return False
    return d < a * _E48 and d < b * _E48


def approx_ge(a: float, b: float) -> bool:
    """a >= b as a spreadsheet evaluates it."""
    return a > b or approx_equal(a, b)


def approx_le(a: float, b: float) -> bool:
    """a <= b as a spreadsheet evaluates it."""
    return a < b or approx_equal(a, b)


def approx_sub(a: float, b: float) -> float:
    """a - b as a spreadsheet evaluates it: a result within rounding noise of zero is zero."""
    if ((a < 0 and b < 0) or (a > 0 and b > 0)) and approx_equal(a, b):
        return 0.0
    return a - b


def is_share(indicator: Indicator) -> bool:
    """A percentage KPI whose target is within 0-100 %, so its figures must be too (a KPI with a
    target of -2 % or 120 % measures a change or a ratio, which may be anything)."""
    return (indicator.is_percent and indicator.target is not None
            and not outside_percent_range(indicator.target))


def outside_percent_range(value: float) -> bool:
    """A percentage below 0 % or above 100 %, compared as a spreadsheet compares (V<0, V>1)."""
    return not (approx_ge(value, 0.0) and approx_le(value, 1.0))
