"""How the rated copy's formulas read a row's figures as the reader does (pure): figures typed as text
("88%", "1,000") and whole percentages (88.5 beside a target of 90 %), on one scale."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kpi_excel.core.formatting import direction_word
from kpi_excel.core.model import CellMap, Indicator, KpiType, Rating, Warning_
from kpi_excel.excel.refs import CellRef
from kpi_excel.present import formulas

# The value expression turns a text into a number only where it is plain digits, with at most a
# decimal point and a leading minus, once its commas and % signs are dropped and its spaces trimmed:
# VALUE reads the text with "e0" after it, so a date ("1/4"), a time ("9:30"), an exponent ("1e3")
# or a currency is an error, as in every locale, and IFERROR makes it "", as a blank.
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DIGIT = re.compile(r"[0-9]")

# how a text's number is scaled: as typed ("88%" is 88: every figure of the row is a whole
# percentage, compared as typed), by its % sign ("88%" is 0.88, "88" is 88), or always by 100 (a row
# of whole percentages read on the model's scale: "88%" and "88" are both 0.88)
AS_TYPED, BY_SIGN, HUNDREDTHS = "as typed", "by sign", "hundredths"


class Unsure:
    """A text the formula's reading of cannot be told here (VALUE could read it in more than one way)."""


UNSURE = Unsure()


@dataclass(frozen=True)
class RowScale:
    """The scale a row's formulas compare on, and how each of its cells is brought to it.

    On the model's scale (the reader's: 88.5 % is 0.885) unless every figure and setting of the row
    is a whole percentage, when the cells are compared as typed (88.5 against 90) and factor is 100:
    a figure on the model's scale times factor is the figure the formulas give."""

    factor: int = 1
    divisors: tuple[int, ...] = ()  # per value column: 100 where its number is a whole percentage
    texts: str = BY_SIGN
    scaled_settings: frozenset[str] = frozenset()  # setting cells to divide by 100 in the formulas

    @property
    def as_typed(self) -> bool:
        return self.factor != 1


def row_scale(indicator: Indicator) -> RowScale:
    """The row's scale, from the cells the reader divided by 100 (CellMap.scaled)."""
    cells = indicator.cells
    if cells is None or not cells.scaled:
        return RowScale()
    scaled = set(cells.scaled)
    sheet, row = indicator.sheet, indicator.row
    texts = {ref for ref, _ in cells.value_texts}
    numbers = {o.cell for o in indicator.observations if o.value is not None and o.cell not in texts}
    present = [CellRef(sheet, row, col + 1) for col, value in (
        (cells.target, indicator.target), (cells.floor, indicator.floor),
        (cells.lower, indicator.lower_threshold), (cells.upper, indicator.upper_threshold))
        if col is not None and value is not None]
    if all(ref in scaled for ref in present) and numbers <= scaled:
        return RowScale(factor=100, texts=AS_TYPED)
    refs = [CellRef(sheet, row, c + 1) for c in cells.values]
    return RowScale(divisors=_divisors(refs, scaled, numbers), texts=HUNDREDTHS,
                    scaled_settings=frozenset(ref for ref in present if ref in scaled))


def _divisors(refs: Sequence[CellRef], scaled: set[str], numbers: set[str]) -> tuple[int, ...]:
    """100 for each value cell whose number is a whole percentage; an empty cell takes the divisor
    of the nearest figure before it (after it, when none is before), as a figure typed there later
    is most likely on the scale of its neighbours."""
    known = [100 if ref in scaled else 1 if ref in numbers else None for ref in refs]
    out: list[int] = []
    last = next((d for d in known if d is not None), 100)
    for divisor in known:
        last = divisor if divisor is not None else last
        out.append(last)
    return tuple(out)


def numbers_expression(values: str, scale: RowScale, read_text: bool) -> str:
    """The row's value cells as numbers on the row's scale ("" where the cells themselves are):
    each number as it is or divided by its divisor, with read_text each number typed as text read
    as parsing.parse_number reads it, anything else "" (no figure)."""
    divisors = scale.divisors
    if divisors and all(d == 100 for d in divisors):
        number = f"{values}/100"
    elif divisors and any(d != 1 for d in divisors):
        number = f"{values}/{{{','.join(map(str, divisors))}}}"
    else:
        number = values
    if read_text:
        return value_expression(values, scale.texts, number)
    if number == values:
        return ""
    return f'IF(ISNUMBER({values}),{number},"")'  # a blank is no figure, not 0 / 100


def value_expression(values: str, texts: str, number: str = "") -> str:
    """The row's value cells as numbers: each number as number gives it (the cells themselves by
    default), each number typed as text converted as parsing.parse_number reads it and scaled as
    texts says (AS_TYPED, BY_SIGN or HUNDREDTHS), anything else "" (no figure)."""
    text = f'TRIM(SUBSTITUTE(SUBSTITUTE({values},",",""),"%",""))'
    read = f'VALUE({text}&"e0")'
    if texts == BY_SIGN:
        read += f'/100^ISNUMBER(FIND("%",{values}))'
    elif texts == HUNDREDTHS:
        read += "/100"
    return f'IF(ISNUMBER({values}),{number or values},IFERROR({read},""))'


def setting_ref(cell: str, scaled: bool) -> str:
    """A setting cell as the formulas read it: divided by 100 where it is a whole percentage on a
    row compared on the model's scale (a blank stays a blank, so the row is still 'Not rated')."""
    return f'IF(ISNUMBER({cell}),{cell}/100,"")' if scaled else cell


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


def blank_to_formulas(indicator: Indicator, readings: dict[str, float | None]) -> set[str]:
    """The cells holding a number typed as text that a formula reads as a blank: those not read
    through the value expression (a target typed "90%", a value read uncertainly)."""
    cells = indicator.cells
    if cells is None:
        return set()
    return set(cells.text_numbers) - set(readings)


def text_note(rating: Rating, seen: Rating, readings: dict[str, float | None]) -> list[Warning_]:
    """A note where the words a row's formulas give (seen) differ from check's (rating) because of
    numbers typed as text: the cells that cause it, and what to do."""
    indicator = rating.indicator
    cells = indicator.cells
    if cells is None or rating_words(seen) == rating_words(rating):
        return []
    blank = set(cells.text_numbers) - set(readings)
    misread = {o.cell for o in indicator.observations if o.cell in readings and readings[o.cell] != o.value}
    named = sorted((blank | misread) or set(cells.text_numbers))
    if not named:
        return []
    cell = ", ".join(w.a1 if isinstance(w, CellRef) else w for w in named)
    shows, gives = (" / ".join(w for w in rating_words(r) if w) for r in (seen, rating))
    how = ("which a formula takes as blank" if not misread
           else "which the rated copy's formula cannot read as check does")
    return [Warning_(f"{indicator.label}: {cell} holds a number typed as text, {how}, so the rated "
                     f"copy shows {shows} where check gives {gives}; type it as a number", named[0])]


def rating_words(rating: Rating) -> tuple[str, ...]:
    """The words a rated row shows: its RAG, its direction and its place against the range."""
    kpi = rating.indicator.type is KpiType.KPI
    return (formulas.rag_result(rating) if kpi else "", direction_word(rating.direction),
            "" if kpi else formulas.range_result(rating))
