"""A long-form table's rated cells: one rating per row, each row's figure as at its own period (pure)."""

from __future__ import annotations

import re

from kpi_excel import formulas, rules
from kpi_excel.formatting import NO_DATA_WORD, direction_word
from kpi_excel.model import KpiType, Rating, RuleSettings

from .plan import NewCell, SheetPlan, column_letter


def long_form_cells(plan: SheetPlan, rating: Rating, settings: RuleSettings,
                    settings_refs: dict[str, str]) -> dict[int, list[NewCell]]:
    """Each of an indicator's rows in a long-form table, with its RAG (or range) and direction.

    A row is rated as the indicator stood at that row's period: its figure against the target and
    floor of the row the indicator's settings were read from (as rules.py rates), its direction
    against the figure the rules compare it with. The latest row's results are check's.
    """
    indicator = rating.indicator
    cells = indicator.cells
    assert cells is not None and cells.values
    value_col = column_letter(cells.values[0])

    def fixed(col: int | None) -> str:
        return f"${column_letter(col)}${indicator.row}" if col is not None else ""

    found: dict[int, list[NewCell]] = {}
    for observation in indicator.observations:
        row = _row_of(observation.cell)
        if row is None:
            continue
        value = f"${value_col}{row}"
        then = rules.rate_indicator(indicator, observation.period, settings)
        compared = then.compared_with
        compared_row = _row_of(compared.cell) if compared is not None else None
        refs = formulas.RowRefs(
            values=value, labels="", latest=value,
            compared=f"${value_col}{compared_row}" if compared_row else '""',
            target=fixed(cells.target), floor=fixed(cells.floor), tolerance=fixed(cells.tolerance),
            lower=fixed(cells.lower), upper=fixed(cells.upper), **settings_refs)
        has_value = observation.value is not None
        new = []
        if indicator.type is KpiType.KPI:
            new.append(NewCell(plan.col_of("rag"), formulas.rag(indicator, settings, refs)[1:],
                               formulas.rag_result(then) if has_value else NO_DATA_WORD, "rag"))
            code = "(" + formulas.direction_code(indicator, settings, refs)[1:] + ")"
            new.append(NewCell(plan.col_of("direction"), formulas.direction_word_of(code)[1:],
                               direction_word(then.direction) if has_value else "", "direction"))
        else:
            new.append(NewCell(plan.col_of("range"), formulas.range_status(refs)[1:],
                               formulas.range_result(then) if has_value else NO_DATA_WORD, "range"))
        found[row] = new
    return found


def _row_of(cell: str) -> int | None:
    match = re.search(r"!\$?[A-Z]{1,3}\$?(\d+)$", cell)
    return int(match.group(1)) if match else None
