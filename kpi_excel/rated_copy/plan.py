"""What the rated copy adds to each sheet: its new columns, their formulas and cached results (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kpi_excel.core.formatting import direction_word, percent
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
from kpi_excel.present import formulas
from kpi_excel.rated_copy.text_values import as_formulas_see_it, formula_readings, value_expression

MAX_FORMULA = 8_000  # Excel's limit is 8,192 characters

RAG_HEADER = "RAG"
DIRECTION_HEADER = "Direction of travel"
RANGE_HEADER = "Against range"



@dataclass(frozen=True)
class NewCell:
    """One added cell: a formula (without '=') and the result it is stored with."""

    col: int
    formula: str
    result: str
    kind: str  # "rag", "direction" or "range": which conditional formats apply


@dataclass
class SheetPlan:
    """The columns added to one sheet, and each row's new cells."""

    sheet: str
    header_row: int
    first_col: int
    headers: list[tuple[str, str]]  # (kind, header text), left to right
    rows: dict[int, list[NewCell]] = field(default_factory=dict)
    note: str = ""  # what the header cells' note says

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.headers) - 1

    def col_of(self, kind: str) -> int:
        return self.first_col + [k for k, _ in self.headers].index(kind)

    @property
    def data_rows(self) -> tuple[int, int]:
        return min(self.rows), max(self.rows)


@dataclass(frozen=True)
class Plans:
    """Every sheet's plan, and one line for each sheet or cell the copy cannot rate as check does."""

    sheets: tuple[SheetPlan, ...]
    notes: tuple[Warning_, ...]


def plan_copy(report: Report) -> Plans:
    """The columns, formulas and results to add to each sheet holding indicators."""
    settings_refs = setting_formulas(report.dataset.settings_cells)
    by_sheet: dict[str, list[Rating]] = {}
    for rating in report.ratings:
        if rating.indicator.cells is not None and rating.indicator.sheet:
            by_sheet.setdefault(rating.indicator.sheet, []).append(rating)
    sheets, notes = [], []
    for sheet, ratings in by_sheet.items():
        why = _why_not(ratings, report.dataset.settings.direction)
        if why:
            notes.append(Warning_(f"no rated columns on this sheet: {why}", CellRef(sheet, 1)))
            continue
        plan, sheet_notes = _sheet_plan(sheet, ratings, report.dataset.settings, settings_refs,
                                        report.period)
        notes.extend(sheet_notes)
        if plan is not None:
            sheets.append(plan)
    return Plans(tuple(sheets), tuple(notes))


def copy_summary(report: Report) -> str:
    """What build's rated copy adds, in one sentence: which columns, on which sheets, where."""
    if not report.dataset.source.lower().endswith((".xlsx", ".xlsm")):
        return ""
    plans = plan_copy(report)
    parts = []
    for plan in plans.sheets:
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


def _sheet_plan(sheet: str, ratings: Sequence[Rating], settings: RuleSettings,
                settings_refs: dict[str, str], period: Period | None
                ) -> tuple[SheetPlan | None, list[Warning_]]:
    cells = [r.indicator.cells for r in ratings if r.indicator.cells]
    header_row = cells[0].header_row
    kinds = []
    if any(r.indicator.type is KpiType.KPI for r in ratings):  # activities have neither (rules.py)
        kinds += ["rag", "direction"]
    if any(r.indicator.type is KpiType.ACTIVITY for r in ratings):
        kinds.append("range")
    taken = {normalise(header) for c in cells for header in c.headers}
    headers = [(kind, _unique(name, taken)) for kind, name in
               (("rag", RAG_HEADER), ("direction", DIRECTION_HEADER), ("range", RANGE_HEADER))
               if kind in kinds]
    plan = SheetPlan(sheet, header_row, max(c.last_col for c in cells) + 1, headers)
    plan.note = _note(settings, settings_refs, "range" in kinds)
    notes: list[Warning_] = []
    for rating in ratings:
        if rating.indicator.cells and rating.indicator.cells.long_form:
            from kpi_excel.rated_copy.long_form import long_form_cells

            long_cells, long_notes = long_form_cells(plan, rating, settings, settings_refs, period)
            plan.rows.update(long_cells)
            notes.extend(long_notes)
            continue
        # numbers typed as text in the value cells ("88%") are converted in the formula where it can
        # be done exactly; other such text is a blank to a formula: the cached results are what it gives
        readings = formula_readings(rating.indicator.cells)
        seen, text_notes = as_formulas_see_it(rating, settings, period, readings)
        new = _row_cells(plan, seen, settings, settings_refs, readings is not None)
        if readings is not None and any(len(cell.formula) > MAX_FORMULA for cell in new):
            seen, text_notes = as_formulas_see_it(rating, settings, period, None)  # too long converted
            new = _row_cells(plan, seen, settings, settings_refs, False)
        if any(len(cell.formula) > MAX_FORMULA for cell in new):
            notes.append(Warning_(f"{rating.indicator.label}: its formula would be longer than Excel "
                                  "allows, so this sheet has no rated columns", rating.indicator.ref))
            return None, notes
        plan.rows[rating.indicator.row] = new
        notes.extend(text_notes)
    return plan, notes


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while normalise(candidate) in taken:
        n += 1
        candidate = f"{name} ({'rule' if n == 2 else f'rule {n - 1}'})"
    taken.add(normalise(candidate))
    return candidate


def _row_cells(plan: SheetPlan, rating: Rating, settings: RuleSettings,
               settings_refs: dict[str, str], convert_text: bool) -> list[NewCell]:
    indicator = rating.indicator
    refs = row_refs(rating, settings, settings_refs, convert_text)
    new = []
    if indicator.type is KpiType.KPI:
        new.append(NewCell(plan.col_of("rag"), formulas.rag(indicator, settings, refs)[1:],
                           formulas.rag_result(rating), "rag"))
    if refs.values and indicator.type is KpiType.KPI:
        code = "(" + formulas.direction_code(indicator, settings, refs)[1:] + ")"
        # a row reading text through the value expression has a long code: written once
        word = formulas.direction_word_once if convert_text else formulas.direction_word_of
        new.append(NewCell(plan.col_of("direction"), word(code)[1:],
                           direction_word(rating.direction), "direction"))
    if indicator.type is KpiType.ACTIVITY:
        new.append(NewCell(plan.col_of("range"), formulas.range_status(refs)[1:],
                           formulas.range_result(rating), "range"))
    return new


def row_refs(rating: Rating, settings: RuleSettings, settings_refs: dict[str, str],
             convert_text: bool = False) -> formulas.RowRefs:
    """The department's own cells as the formula builders want them: the latest and compared values
    are the builders' own formulas, written in where the RAG workbook has a cell for them; with
    convert_text, the value cells are read through text_values.value_expression."""
    indicator = rating.indicator
    cells = indicator.cells
    assert cells is not None
    row = indicator.row

    def at(col: int | None) -> str:
        return f"${column_letter(col + 1)}{row}" if col is not None else ""

    if cells.values:
        first, last = cells.values[0], cells.values[-1]
        values = f"${column_letter(first + 1)}{row}:${column_letter(last + 1)}{row}"
        top = cells.header_row
        labels = f"${column_letter(first + 1)}${top}:${column_letter(last + 1)}${top}"
    else:
        values = labels = ""
    months = ""
    if settings.direction is not DirectionMethod.PREVIOUS and cells.values:
        # the periods' month numbers as a constant row: the department's sheet has no row of them
        periods = sorted(o.period for o in indicator.observations)
        months = "{" + ",".join(str(p.start.year * 12 + p.start.month - 1) for p in periods) + "}"
    numbers = value_expression(values, cells.whole_percents) if convert_text and values else ""
    refs = formulas.RowRefs(values=values, labels=labels, months=months, numbers=numbers,
                            target=at(cells.target),
                            floor=at(cells.floor), tolerance=at(cells.tolerance), lower=at(cells.lower),
                            upper=at(cells.upper), whole_percents=cells.whole_percents, **settings_refs)
    if not values:
        return refs
    latest = "(" + formulas.latest_value(refs)[1:] + ")"
    compared = ""
    if settings.direction is not DirectionMethod.TREND:
        compared = "(" + formulas.compared_value(refs, settings.direction)[1:] + ")"
    return formulas.RowRefs(**{**refs.__dict__, "latest": latest, "compared": compared})


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
