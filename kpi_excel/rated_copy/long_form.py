"""A long-form table's rated cells: one rating per row, each row's figure as at its own period (pure)."""

from __future__ import annotations

import dataclasses

from kpi_excel.core import rules
from kpi_excel.core.formatting import NO_DATA_WORD, direction_word
from kpi_excel.core.model import KpiType, Period, Rating, RuleSettings, Warning_
from kpi_excel.excel.refs import CellRef, column_letter
from kpi_excel.present import formulas
from kpi_excel.rated_copy.plan import NewCell, SheetPlan
from kpi_excel.rated_copy.text_values import rating_words, sure_readings, value_expression


def long_form_cells(plan: SheetPlan, rating: Rating, settings: RuleSettings, settings_refs: dict[str, str],
                    period: Period | None) -> tuple[dict[int, list[NewCell]], list[Warning_]]:
    """Each of an indicator's rows in a long-form table, with its RAG (or range) and direction.

    A row is rated as the indicator stood at that row's period: its figure against the target and
    floor of the row the indicator's settings were read from (as rules.py rates), its direction
    against the figure the rules compare it with. The latest row's results are check's.
    """
    indicator = rating.indicator
    cells = indicator.cells
    assert cells is not None and cells.values
    value_col = column_letter(cells.values[0] + 1)

    def fixed(col: int | None) -> str:
        return f"${column_letter(col + 1)}${indicator.row}" if col is not None else ""

    # a figure typed as text is read through the value expression where it can be read for sure;
    # any other text is a blank to the formulas, and the cached results are what they give
    sure, unsure = sure_readings(cells)
    seen = dataclasses.replace(indicator, observations=tuple(
        dataclasses.replace(o, value=sure[o.cell]) if o.cell in sure
        else dataclasses.replace(o, value=None) if o.cell in unsure else o
        for o in indicator.observations))

    def figure(row: int) -> str:
        at = f"${value_col}{row}"
        read = sure.get(CellRef(indicator.sheet, row, cells.values[0] + 1))
        return f"({value_expression(at, cells.whole_percents)})" if read is not None else at

    found: dict[int, list[NewCell]] = {}
    for observation in seen.observations:
        row = _row_of(observation.cell)
        if row is None:
            continue
        value = figure(row)
        then = rules.rate_indicator(seen, observation.period, settings)
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
            new.append(NewCell(plan.col_of("rag"), formulas.rag(indicator, settings, refs)[1:],
                               formulas.rag_result(then) if has_value else NO_DATA_WORD, "rag"))
            code = "(" + formulas.direction_code(indicator, settings, refs)[1:] + ")"
            new.append(NewCell(plan.col_of("direction"), formulas.direction_word_of(code)[1:],
                               direction_word(then.direction) if has_value else "", "direction"))
        else:
            new.append(NewCell(plan.col_of("range"), formulas.range_status(refs)[1:],
                               formulas.range_result(then) if has_value else NO_DATA_WORD, "range"))
        found[row] = new
    latest = rules.rate_indicator(seen, period, settings)
    misread = {o.cell for o, s in zip(indicator.observations, seen.observations, strict=True)
               if o.value != s.value}
    return found, _text_note(rating, latest, misread)


def _text_note(rating: Rating, seen: Rating, misread: set[str]) -> list[Warning_]:
    """A note where text the formulas cannot read as check does makes the latest row's words differ."""
    if rating_words(seen) == rating_words(rating):
        return []
    named = sorted(misread)
    if not named:
        return []
    shows, gives = (" / ".join(w for w in rating_words(r) if w) for r in (seen, rating))
    cells = ", ".join(w.a1 if isinstance(w, CellRef) else w for w in named)
    return [Warning_(f"{rating.indicator.label}: {cells} holds a number typed as text, which the rated "
                     f"copy's formula cannot read as check does, so the rated copy shows {shows} where "
                     f"check gives {gives}; type it as a number", named[0])]


def _row_of(cell: str) -> int | None:
    return cell.row if isinstance(cell, CellRef) else None
