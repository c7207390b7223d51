"""Figures typed as text ("88%", "1,000") in the rated copy: the formula reading them, and its reading."""

from __future__ import annotations

import dataclasses
import re

from kpi_excel.core import rules
from kpi_excel.core.formatting import direction_word
from kpi_excel.core.model import CellMap, KpiType, Period, Rating, RuleSettings, Warning_
from kpi_excel.excel.refs import CellRef
from kpi_excel.present import formulas

# The value expression turns a text into a number only where it is plain digits, with at most a
# decimal point and a leading minus, once its commas and % signs are dropped and its spaces trimmed:
# VALUE reads the text with "e0" after it, so a date ("1/4"), a time ("9:30"), an exponent ("1e3")
# or a currency is an error, as in every locale, and IFERROR makes it "", as a blank.
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DIGIT = re.compile(r"[0-9]")


class Unsure:
    """A text the formula's reading of cannot be told here (VALUE could read it in more than one way)."""


UNSURE = Unsure()


def value_expression(values: str, whole_percents: bool) -> str:
    """The row's value cells as numbers: each number as it is, each number typed as text converted
    as parsing.parse_number reads it, anything else "" (no figure).

    "88%" is 0.88 where the row's figures are fractions shown as percentages, and 88 where its plain
    numbers are whole percentages (the reader then reads 88 and "88%" alike)."""
    text = f'TRIM(SUBSTITUTE(SUBSTITUTE({values},",",""),"%",""))'
    number = f'VALUE({text}&"e0")'
    if not whole_percents:
        number += f'/100^ISNUMBER(FIND("%",{values}))'
    return f'IF(ISNUMBER({values}),{values},IFERROR({number},""))'


def excel_trim(text: str) -> str:
    """TRIM as Excel and LibreOffice do it: spaces (only U+0020) off both ends, inner runs made one."""
    return " ".join(part for part in text.split(" ") if part)


def formula_reading(text: str, whole_percents: bool) -> float | None | Unsure:
    """What value_expression gives for a cell holding text, on the model's scale (as the reader's
    figures are: a whole-percentage row's 88 is 0.88); None for "" (no figure)."""
    plain = excel_trim(text.replace(",", "").replace("%", ""))
    if _PLAIN.fullmatch(plain):
        number = float(plain)
        return number / 100 if "%" in text or whole_percents else number
    return None if not _DIGIT.search(plain) else UNSURE


def formula_readings(cells: CellMap | None) -> dict[str, float | None] | None:
    """Each value cell holding text, as the value expression reads it; None where the row keeps the
    plain formulas: no value cell holds a number as text, or one holds a text read uncertainly."""
    if cells is None or cells.long_form:
        return None
    if not set(cells.text_numbers) & {ref for ref, _ in cells.value_texts}:
        return None
    readings = {ref: formula_reading(text, cells.whole_percents) for ref, text in cells.value_texts}
    if any(isinstance(reading, Unsure) for reading in readings.values()):
        return None
    return {ref: reading for ref, reading in readings.items() if not isinstance(reading, Unsure)}


def sure_readings(cells: CellMap) -> tuple[dict[str, float | None], set[str]]:
    """A long-form table's value cells holding text: those the value expression reads for sure, and
    the others, which its formulas read plainly, as blanks."""
    sure: dict[str, float | None] = {}
    unsure = set()
    for ref, text in cells.value_texts:
        reading = formula_reading(text, cells.whole_percents)
        if isinstance(reading, Unsure):
            unsure.add(ref)
        else:
            sure[ref] = reading
    return sure, unsure


def as_formulas_see_it(rating: Rating, settings: RuleSettings, period: Period | None,
                       readings: dict[str, float | None] | None) -> tuple[Rating, list[Warning_]]:
    """The row rated as its formulas rate it, and a note where that differs from check.

    A value cell in readings counts as the value expression reads it; any other cell holding a
    number as text ("88%") is a blank, as a formula that compares the cell reads it."""
    indicator = rating.indicator
    cells = indicator.cells
    readings = readings or {}
    if cells is None or not cells.text_numbers:
        return rating, []
    blank = set(cells.text_numbers) - set(readings)

    def kept(value: float | None, col: int | None) -> float | None:
        cell = CellRef(indicator.sheet, indicator.row, col + 1) if col is not None else None
        return None if cell in blank else value

    observations = tuple(
        dataclasses.replace(o, value=readings[o.cell]) if o.cell in readings
        else dataclasses.replace(o, value=None) if o.cell in blank else o
        for o in indicator.observations)
    seen_indicator = dataclasses.replace(
        indicator, observations=observations,
        target=kept(indicator.target, cells.target), floor=kept(indicator.floor, cells.floor),
        tolerance=kept(indicator.tolerance, cells.tolerance),
        lower_threshold=kept(indicator.lower_threshold, cells.lower),
        upper_threshold=kept(indicator.upper_threshold, cells.upper))
    seen = rules.rate_indicator(seen_indicator, period, settings)
    if rating_words(seen) == rating_words(rating):
        return rating, []
    misread = {o.cell for o in indicator.observations if o.cell in readings and readings[o.cell] != o.value}
    named = sorted((blank | misread) or set(cells.text_numbers))
    cell = ", ".join(w.a1 if isinstance(w, CellRef) else w for w in named)
    shows, gives = (" / ".join(w for w in rating_words(r) if w) for r in (seen, rating))
    how = ("which a formula takes as blank" if not misread
           else "which the rated copy's formula cannot read as check does")
    return seen, [Warning_(f"{indicator.label}: {cell} holds a number typed as text, {how}, so the rated "
                           f"copy shows {shows} where check gives {gives}; type it as a number", named[0])]


def rating_words(rating: Rating) -> tuple[str, ...]:
    """The words a rated row shows: its RAG, its direction and its place against the range."""
    kpi = rating.indicator.type is KpiType.KPI
    return (formulas.rag_result(rating) if kpi else "", direction_word(rating.direction),
            "" if kpi else formulas.range_result(rating))
