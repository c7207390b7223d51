"""A wide table's row (one row per indicator, a column per period): its added cells (pure).

The Latest value and Latest period cells look the row's figures up (single-cell array formulas, as
every engine computes a lookup over a row alike); the RAG, Direction and range cells are plain
formulas over those cells and the row's own target, floor and thresholds."""

from __future__ import annotations

from kpi_excel.core.formatting import direction_word
from kpi_excel.core.model import DirectionMethod, KpiType, Observation, Period, Rating, RuleSettings, Warning_
from kpi_excel.excel.refs import CellRef, column_letter
from kpi_excel.present import formulas
from kpi_excel.present.chartspec import number_format
from kpi_excel.present.period_ratings import rating_as_read
from kpi_excel.rated_copy.model import COMPARED, DIRECTION, LATEST, PERIOD, RAG, RANGE, NewCell, TablePlan
from kpi_excel.rated_copy.text_values import (
    RowScale,
    blank_to_formulas,
    formula_readings,
    numbers_expression,
    row_scale,
    setting_ref,
    text_note,
)

MAX_FORMULA = 8_000  # Excel's limit is 8,192 characters


class TooLong(Exception):
    """A row's formula would be longer than Excel allows."""


def wide_row_cells(plan: TablePlan, rating: Rating, settings: RuleSettings, settings_refs: dict[str, str],
                   period: Period | None) -> tuple[list[NewCell], list[Warning_]]:
    """The row's added cells, and a note where they cannot give check's words.

    Numbers typed as text in the value cells ("88%") are read in the formula where it can be done
    for sure; other such text is a blank to a formula, and the cached results are what it gives.
    Raises TooLong where even the plain formulas would be longer than Excel allows."""
    readings = formula_readings(rating.indicator.cells)
    new, notes = _row_cells(plan, rating, settings, settings_refs, period, readings)
    if readings is not None and _too_long(new):  # read plainly, the texts as blanks
        new, notes = _row_cells(plan, rating, settings, settings_refs, period, None)
    if _too_long(new):
        raise TooLong(rating.indicator.label)
    return new, notes


def _too_long(cells: list[NewCell]) -> bool:
    return any(len(cell.formula) > MAX_FORMULA for cell in cells)


def _row_cells(plan: TablePlan, rating: Rating, settings: RuleSettings, settings_refs: dict[str, str],
               period: Period | None, readings: dict[str, float | None] | None
               ) -> tuple[list[NewCell], list[Warning_]]:
    indicator = rating.indicator
    scale = row_scale(indicator)
    read = readings or {}
    seen = rating_as_read(rating, period, settings, read, blank_to_formulas(indicator, read))
    refs = row_refs(plan, rating, settings, settings_refs, scale, readings is not None)
    kpi = indicator.type is KpiType.KPI
    fmt = indicator.number_format if scale.as_typed else number_format(indicator)
    new = []
    if refs.values:
        latest = seen.latest
        new += [NewCell(plan.col_of(LATEST), formulas.latest_value(refs)[1:], _figure(latest, scale), LATEST,
                        array=True, number_format=fmt),
                NewCell(plan.col_of(PERIOD), formulas.latest_period(refs)[1:],
                        latest.period.label if latest else "", PERIOD, array=True)]
    if kpi:
        new.append(NewCell(plan.col_of(RAG), formulas.rag(indicator, settings, refs)[1:],
                           formulas.rag_result(seen), RAG))
    if kpi and refs.values:
        new.append(_direction(plan, seen, settings, refs))
        if plan.has(COMPARED):
            new.append(NewCell(plan.col_of(COMPARED), formulas.compared_value(refs, settings.direction)[1:],
                               _figure(seen.compared_with, scale), COMPARED, array=True, number_format=fmt))
    if not kpi:
        new.append(NewCell(plan.col_of(RANGE), formulas.range_status(refs)[1:], formulas.range_result(seen),
                           RANGE))
    return sorted(new, key=lambda cell: cell.col), text_note(rating, seen, read)


def _direction(plan: TablePlan, seen: Rating, settings: RuleSettings, refs: formulas.RowRefs) -> NewCell:
    word = direction_word(seen.direction)
    if settings.direction is DirectionMethod.TREND:  # a fit over the row's figures: one array formula
        code = "(" + formulas.direction_code(seen.indicator, settings, refs)[1:] + ")"
        return NewCell(plan.col_of(DIRECTION), formulas.direction_word_once(code)[1:], word, DIRECTION,
                       array=True)
    return NewCell(plan.col_of(DIRECTION), formulas.direction_in_words(seen.indicator, refs)[1:], word,
                   DIRECTION)


def _figure(observation: Observation | None, scale: RowScale) -> str | float:
    """A figure as a formula of the row gives it: on the row's scale, to the 15 digits a
    spreadsheet keeps (88.5, not 88.50000000000001, for a whole percentage read as 0.885)."""
    if observation is None or observation.value is None:
        return ""
    if not scale.as_typed:
        return observation.value
    return float(f"{observation.value * scale.factor:.15g}")


def row_refs(plan: TablePlan, rating: Rating, settings: RuleSettings, settings_refs: dict[str, str],
             scale: RowScale, read_text: bool) -> formulas.RowRefs:
    """The department's own cells and the added ones, as the formula builders want them."""
    indicator = rating.indicator
    cells = indicator.cells
    assert cells is not None
    row = indicator.row

    def at(col: int | None) -> str:
        return f"${column_letter(col + 1)}{row}" if col is not None else ""

    def setting(col: int | None) -> str:
        scaled = col is not None and CellRef(indicator.sheet, row, col + 1) in scale.scaled_settings
        return setting_ref(at(col), scaled) if col is not None else ""

    values = labels = months = ""
    if cells.values:
        first, last = cells.values[0], cells.values[-1]
        values = f"${column_letter(first + 1)}{row}:${column_letter(last + 1)}{row}"
        periods = sorted(o.period for o in indicator.observations)
        # the periods' names and month numbers as constants: the department's headings may be dates
        labels = "{" + ",".join(formulas.text(p.label) for p in periods) + "}"
        if settings.direction is not DirectionMethod.PREVIOUS:
            months = "{" + ",".join(str(p.month_number) for p in periods) + "}"
    numbers = numbers_expression(values, scale, read_text) if values else ""
    return formulas.RowRefs(
        values=values, labels=labels, months=months, numbers=numbers,
        latest=at(plan.col_of(LATEST)) if plan.has(LATEST) else "",
        compared=at(plan.col_of(COMPARED)) if plan.has(COMPARED) else "",
        target=setting(cells.target), floor=setting(cells.floor), tolerance=at(cells.tolerance),
        lower=setting(cells.lower), upper=setting(cells.upper), whole_percents=scale.as_typed,
        **settings_refs)
