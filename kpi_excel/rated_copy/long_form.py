"""A long-form table's rated cells: one rating per row, each row's figure as at its own period (pure)."""

from __future__ import annotations

import dataclasses

from kpi_excel.core.formatting import NO_DATA_WORD, direction_word
from kpi_excel.core.model import KpiType, Rating, RuleSettings, Warning_
from kpi_excel.excel.refs import CellRef, column_letter
from kpi_excel.present import formulas
from kpi_excel.present.period_ratings import rating_at_each_period
from kpi_excel.rated_copy.model import DIRECTION, RAG, RANGE, NewCell, TablePlan
from kpi_excel.rated_copy.text_values import (
    row_scale,
    setting_ref,
    sure_readings,
    text_note,
    value_expression,
)


def long_form_cells(plan: TablePlan, rating: Rating, settings: RuleSettings, settings_refs: dict[str, str]
                    ) -> tuple[dict[int, list[NewCell]], list[Warning_]]:
    """Each of an indicator's rows in a long-form table, with its RAG (or range) and direction.

    A row is rated as the indicator stood at that row's period: its figure against the target and
    floor of the row the indicator's settings were read from (as rules.py rates), its direction
    against the figure the rules compare it with. The latest row's results are check's.
    """
    indicator = rating.indicator
    cells = indicator.cells
    assert cells is not None and cells.values
    value_col = column_letter(cells.values[0] + 1)
    # each row's figure on the model's scale: a whole percentage (88.5 beside a target of 90 %) is
    # divided by 100, as the reader divides it; a row typed as a whole percentage throughout is
    # compared as typed
    scale = row_scale(indicator)
    scaled = set(cells.scaled)

    def fixed(col: int | None) -> str:
        if col is None:
            return ""
        at = f"${column_letter(col + 1)}${indicator.row}"
        return setting_ref(at, CellRef(indicator.sheet, indicator.row, col + 1) in scale.scaled_settings)

    # a figure typed as text is read through the value expression where it can be read for sure;
    # any other text is a blank to the formulas, and the cached results are what they give
    sure, unsure = sure_readings(cells)
    seen = dataclasses.replace(indicator, observations=tuple(
        dataclasses.replace(o, value=sure[o.cell]) if o.cell in sure
        else dataclasses.replace(o, value=None) if o.cell in unsure else o
        for o in indicator.observations))

    def figure(row: int) -> str:
        at = f"${value_col}{row}"
        cell = CellRef(indicator.sheet, row, cells.values[0] + 1)
        if cell in sure:
            return f"({value_expression(at, scale.texts)})"
        if cell in scaled and not scale.as_typed:
            return f"({at}/100)"
        return at

    then_ratings = rating_at_each_period(seen, settings)
    found: dict[int, list[NewCell]] = {}
    for observation in seen.observations:
        row = _row_of(observation.cell)
        if row is None:
            continue
        value = figure(row)
        then = then_ratings[observation.period]
        compared = then.compared_with
        compared_row = _row_of(compared.cell) if compared is not None else None
        refs = formulas.RowRefs(
            values=value, labels="", latest=value,
            compared=figure(compared_row) if compared_row else '""',
            target=fixed(cells.target), floor=fixed(cells.floor), tolerance=fixed(cells.tolerance),
            lower=fixed(cells.lower), upper=fixed(cells.upper), whole_percents=cells.whole_percents,
            **settings_refs)
        has_value = observation.value is not None
        new = []
        if indicator.type is KpiType.KPI:
            new.append(NewCell(plan.col_of(RAG), formulas.rag(indicator, settings, refs)[1:],
                               formulas.rag_result(then) if has_value else NO_DATA_WORD, RAG))
            code = "(" + formulas.direction_code(indicator, settings, refs)[1:] + ")"
            new.append(NewCell(plan.col_of(DIRECTION), formulas.direction_word_of(code)[1:],
                               direction_word(then.direction) if has_value else "", DIRECTION))
        else:
            new.append(NewCell(plan.col_of(RANGE), formulas.range_status(refs)[1:],
                               formulas.range_result(then) if has_value else NO_DATA_WORD, RANGE))
        found[row] = new
    last = max((o.period for o in seen.observations), default=None)
    latest = then_ratings[last] if last is not None else rating  # the report's, as the formulas read it
    return found, text_note(rating, latest, {**sure, **{cell: None for cell in unsure}})


def _row_of(cell: str) -> int | None:
    return cell.row if isinstance(cell, CellRef) else None
