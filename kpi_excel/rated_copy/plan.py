"""What the rated copy adds to each table: its new columns, their formulas and cached results (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kpi_excel.core.formatting import percent
from kpi_excel.core.model import (
    DirectionMethod,
    KpiType,
    Period,
    RagMethod,
    Rating,
    Report,
    RuleSettings,
    Warning_,
)
from kpi_excel.core.values import normalise
from kpi_excel.excel.refs import CellRef, column_letter, quote_sheet
from kpi_excel.rated_copy.long_form import long_form_cells
from kpi_excel.rated_copy.model import (
    COMPARED,
    DIRECTION,
    LATEST,
    PERIOD,
    RAG,
    RANGE,
    Box,
    Plans,
    TablePlan,
    TableRatings,
)
from kpi_excel.rated_copy.wide import TooLong, wide_row_cells

HEADERS = {LATEST: "Latest value", PERIOD: "Latest period", RAG: "RAG", DIRECTION: "Direction of travel",
           RANGE: "Against range"}
COMPARED_HEADERS = {DirectionMethod.PREVIOUS: "Previous value",
                    DirectionMethod.LAST_YEAR: "Value a year earlier"}

# where a table's columns go: the first column, the block of an earlier build refreshed there (or
# None), and a line where they cannot go right beside the table
Placement = Callable[[TableRatings], tuple[int, Box | None, list[Warning_]]]


def beside(table: TableRatings) -> tuple[int, Box | None, list[Warning_]]:
    """The columns right of the table's last column, as the reader saw it."""
    return table.last_col + 1, None, []


def plan_copy(report: Report, place: Placement = beside) -> Plans:
    """The columns, formulas and results to add to each table holding indicators."""
    tables, notes = rated_tables(report)
    settings_refs = setting_formulas(report.dataset.settings_cells)
    plans = []
    for table in tables:
        first_col, refreshed, placed = place(table)
        notes.extend(placed)
        plan, table_notes = _table_plan(table, first_col, report.dataset.settings, settings_refs,
                                        report.period)
        notes.extend(table_notes)
        if plan is not None:
            plan.refreshed = refreshed
            plans.append(plan)
    return Plans(tuple(plans), tuple(notes))


def rated_tables(report: Report) -> tuple[list[TableRatings], list[Warning_]]:
    """Each table the copy can rate (by sheet and header row, in the workbook's order), with the
    columns it gets; and a line for each table it cannot."""
    settings = report.dataset.settings
    by_table: dict[tuple[str, int], list[Rating]] = {}
    for rating in report.ratings:
        cells = rating.indicator.cells
        if cells is not None and rating.indicator.sheet:
            by_table.setdefault((rating.indicator.sheet, cells.header_row), []).append(rating)
    tables, notes = [], []
    for (sheet, header_row), ratings in by_table.items():
        why = _why_not(ratings, settings.direction)
        if why:
            notes.append(Warning_(f"no rated columns on this table: {why}", CellRef(sheet, header_row)))
            continue
        maps = [r.indicator.cells for r in ratings if r.indicator.cells]
        tables.append(TableRatings(sheet, header_row, tuple(ratings), _headers(ratings, settings),
                                   max(m.last_col for m in maps)))
    return tables, notes


def _headers(ratings: Sequence[Rating], settings: RuleSettings) -> tuple[tuple[str, str], ...]:
    """The added columns' kinds and header texts, named apart from the department's own headers."""
    kpi = any(r.indicator.type is KpiType.KPI for r in ratings)  # activities have neither (rules.py)
    activity = any(r.indicator.type is KpiType.ACTIVITY for r in ratings)
    long_form = any(r.indicator.cells and r.indicator.cells.long_form for r in ratings)
    kinds = [] if long_form else [LATEST, PERIOD]  # a long-form row holds its own period's figure
    kinds += [RAG, DIRECTION] if kpi else []
    kinds += [RANGE] if activity else []
    if kpi and not long_form and settings.direction in COMPARED_HEADERS:
        kinds.append(COMPARED)
    names = {**HEADERS, COMPARED: COMPARED_HEADERS.get(settings.direction, "")}
    taken = {normalise(header) for r in ratings if r.indicator.cells for header in r.indicator.cells.headers}
    return tuple((kind, _unique(names[kind], taken)) for kind in kinds)


def copy_summary(report: Report, plans: Plans | None = None) -> str:
    """What build's rated copy adds, in one sentence: which columns, on which sheets, where (as
    plans places them; beside each table as the reader saw it, without)."""
    if not report.dataset.source.lower().endswith((".xlsx", ".xlsm")):
        return ""
    plans = plans or plan_copy(report)
    parts = []
    for plan in plans.tables:
        cols = (f"columns {column_letter(plan.first_col + 1)}:{column_letter(plan.last_col + 1)}"
                if plan.last_col > plan.first_col else f"column {column_letter(plan.first_col + 1)}")
        parts.append(f"{', '.join(text for _, text in plan.headers)} to {quote_sheet(plan.sheet)} ({cols})")
    if not parts:
        return "build writes no rated copy: no sheet can take the rated columns."
    return f"build's rated copy adds {'; '.join(parts)}, as live formulas."


_SETTING_FIELDS = {"tolerance": "tolerance_setting", "goal_post_tolerance": "goal_post_setting",
                   "trend_threshold": "trend_setting", "green_within": "green_setting"}


def setting_formulas(cells: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """RowRefs' setting fields, each reading its Settings sheet cell as config.parse_fraction reads it
    (a number above 1 is a percentage: 10 is 10 %)."""
    refs = {}
    for name, cell in cells:
        if name in _SETTING_FIELDS and isinstance(cell, CellRef):
            at = cell.absolute
            refs[_SETTING_FIELDS[name]] = f"IF({at}>1,{at}/100,{at})"
    return refs


def _why_not(ratings: Sequence[Rating], direction: DirectionMethod) -> str:
    maps = [r.indicator.cells for r in ratings if r.indicator.cells]
    if any(m.long_form for m in maps) and direction is DirectionMethod.TREND:
        return ("the table has one row per period (long form), and a trend cannot be read from "
                "rows scattered down the sheet")
    for cells in maps:
        values = cells.values
        if values and list(values) != list(range(values[0], values[0] + len(values))):
            return "its period columns are not side by side, oldest first"
    rows = [r.indicator.row for r in ratings]
    if len(set(rows)) != len(rows):
        return "two indicators were read from one row"
    return ""


def _table_plan(table: TableRatings, first_col: int, settings: RuleSettings, settings_refs: dict[str, str],
                period: Period | None) -> tuple[TablePlan | None, list[Warning_]]:
    kinds = [kind for kind, _ in table.headers]
    plan = TablePlan(table.sheet, table.header_row, first_col, list(table.headers))
    plan.note = _note(settings, settings_refs, RANGE in kinds)
    notes: list[Warning_] = []
    for rating in table.ratings:
        if rating.indicator.cells and rating.indicator.cells.long_form:
            long_cells, long_notes = long_form_cells(plan, rating, settings, settings_refs)
            plan.rows.update(long_cells)
            notes.extend(long_notes)
            continue
        try:
            new, row_notes = wide_row_cells(plan, rating, settings, settings_refs, period)
        except TooLong:
            notes.append(Warning_(f"{rating.indicator.label}: its formula would be longer than Excel "
                                  "allows, so this table has no rated columns", rating.indicator.ref))
            return None, notes
        plan.rows[rating.indicator.row] = new
        notes.extend(row_notes)
    if not plan.rows:
        return None, notes
    return plan, notes


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while normalise(candidate) in taken:
        n += 1
        candidate = f"{name} ({'rule' if n == 2 else f'rule {n - 1}'})"
    taken.add(normalise(candidate))
    return candidate


_DIRECTIONS = {
    DirectionMethod.PREVIOUS: "against the previous period with data",
    DirectionMethod.LAST_YEAR: "against the same period a year earlier",
    DirectionMethod.TREND: "by the trend",
}
NOTE_LIMIT = 255  # the most characters Excel keeps in a cell's input message


def rule_words(settings: RuleSettings) -> str:
    """The rule applied, in words short enough for a cell's note."""
    green = "target met" + (f" or within {percent(settings.green_within)}" if settings.green_within else "")
    if settings.rag_method is RagMethod.TOLERANCE:
        rag = (f"Green: {green}. Amber: within {settings.tolerance:.0%} of target (or the row's "
               "own). Red: further off.")
    else:
        rag = f"Green: {green}. Amber: floor standard met. Red: below floor."
    return f"{rag} Direction {_DIRECTIONS[settings.direction]}."


def _note(settings: RuleSettings, settings_refs: dict[str, str], has_range: bool) -> str:
    """The header note: who added the columns and the rule they apply."""
    text = f"Added by kpi-excel, live formulas. {rule_words(settings)}"
    read = []
    if settings.rag_method is RagMethod.TOLERANCE and "tolerance_setting" in settings_refs:
        read.append("tolerance")
    if settings.direction is DirectionMethod.TREND and "trend_setting" in settings_refs:
        read.append("trend threshold")
    if read:
        text += f" {' and '.join(read).capitalize()} from the Settings sheet."
    if has_range:
        text += " Against range: latest vs thresholds."
    assert len(text) <= NOTE_LIMIT, text
    return text
