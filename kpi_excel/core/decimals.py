"""Figures written with a decimal comma, as exports separated by semicolons write them ('77,5%',
'1.234,5'), made into the decimal-point text parse_number reads (pure).

A figure's own digits often say which mark is its decimal one: '77,5' (a thousands separator is
followed by three digits), '1.234,5' (the last mark is the decimal one), '1,234,567' (marks every
three digits). '1,234' and '1.234' do not: one mark followed by three digits is a decimal mark in
one convention and a thousands separator in the other. Those are read by the convention the file's
other figures show, and reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class Mark(str, Enum):
    """Which decimal mark a figure's digits show."""

    COMMA = "comma"  # '77,5', '1.234,5', '1.234.567'
    POINT = "point"  # '77.5', '1,234.5', '1,234,567'
    EITHER = "either"  # '1,234', '1.234': one mark, then three digits
    NONE = "none"  # whole digits, or not one figure


_SPACES = "\u00a0\u202f "  # a space, no-break or narrow, between groups of three digits
_FIGURE = re.compile(rf"\d[\d.,{_SPACES}]*\d|\d")
_NOTE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")  # '95% (national average)'
_SPACED = re.compile(rf"^\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?:,\d+)?$")


@dataclass(frozen=True)
class Figure:
    """The one figure in a cell's text: where it is, and the mark its digits show."""

    start: int
    end: int
    digits: str
    mark: Mark


def figure_in(text: str) -> Figure | None:
    """The one figure written in a text ('≥ 77,5 %', '£1.234,50'), or None when it holds none or
    several (a note in brackets after it aside)."""
    body = _NOTE.sub("", text)
    found = list(_FIGURE.finditer(body))
    if len(found) != 1:
        return None
    match = found[0]
    return Figure(match.start(), match.end(), match.group(), mark_of(match.group()))


def mark_of(digits: str) -> Mark:
    """Which decimal mark a run of digits and marks shows (see the module's docstring)."""
    if any(space in digits for space in _SPACES):
        return Mark.COMMA if _SPACED.match(digits) and "," in digits else Mark.NONE
    commas, points = digits.count(","), digits.count(".")
    if commas and points:
        last = max(digits.rfind(","), digits.rfind("."))
        if digits[last] == "," and re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", digits):
            return Mark.COMMA
        if digits[last] == "." and re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d+", digits):
            return Mark.POINT
        return Mark.NONE
    if commas + points == 0:
        return Mark.NONE
    mark, other = (",", Mark.COMMA) if commas else (".", Mark.POINT)
    groups = digits.split(mark)
    if len(groups) > 2:  # '1,234,567': the mark separates thousands, so it is the other convention's
        thousands = all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3
        return (Mark.POINT if mark == "," else Mark.COMMA) if thousands else Mark.NONE
    before, after = groups
    if len(after) == 3 and 1 <= len(before) <= 3 and not before.startswith("0"):
        return Mark.EITHER
    return other


def file_convention(marks: Sequence[Mark]) -> Mark:
    """The decimal mark a file's figures show: COMMA or POINT when its unambiguous figures agree,
    else NONE (none shows one, or they disagree)."""
    shown = {mark for mark in marks if mark in (Mark.COMMA, Mark.POINT)}
    return shown.pop() if len(shown) == 1 else Mark.NONE


def with_decimal_point(text: str, figure: Figure, comma_decimal: bool) -> str:
    """The text with its figure written as parse_number reads it: decimal point, no separators. A
    figure that could be read either way is read with a decimal comma when comma_decimal (the
    file's convention), else as an English figure ('1,234' is 1234), as before."""
    return text[: figure.start] + read_as(figure, comma_decimal) + text[figure.end:]


def read_as(figure: Figure, comma_decimal: bool) -> str:
    """The figure's digits with a decimal point and no separators: '1.234,5' -> '1234.5'."""
    digits = figure.digits
    for space in _SPACES:
        digits = digits.replace(space, "")
    if figure.mark is Mark.COMMA or (figure.mark is Mark.EITHER and comma_decimal):
        return digits.replace(".", "").replace(",", ".")
    return digits.replace(",", "") if figure.mark in (Mark.POINT, Mark.EITHER) else digits
