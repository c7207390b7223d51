"""An indicator's figures as numbers: targets written as comparisons or with units, percentages on
either scale, the number format to show them in (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kpi_excel.core.model import Observation, Period, Polarity, Warning_
from kpi_excel.core.values import (
    CellNumber,
    clean_text,
    parse_figure,
    says_no_target,
    strip_comparison,
)
from kpi_excel.errors import BadValueError
from kpi_excel.read.cells import Cell


def comparison_read(cell: Cell, hints: list[Polarity]) -> Cell:
    """A setting typed as a comparison or with a note or unit ('>= 95%', '< 10', '90% (national
    average)', 'less than 20 days', '640 kg (494kg – Q3 time lag)') as the number it states; the
    direction it states is added to hints."""
    if not isinstance(cell.value, str) or not cell.number.unreadable:
        return cell
    stripped = strip_comparison(cell.value)
    text, direction = stripped if stripped is not None else (cell.value, None)
    readable = Cell(text, cell.number_format)
    if readable.number.unreadable or readable.number.value is None:
        figure = parse_figure(text)
        if figure is None or figure.value is None:
            return cell
        readable = Cell(figure.value, "0%" if figure.percent else cell.number_format)
    if direction is not None:
        hints.append(direction)
    return readable


def display_format(values: Sequence[Cell], settings: Sequence[Cell], percent: bool) -> str:
    """The number format the indicator's figures are shown in: the value cells' own, unless its
    target or floor was written with more care (more decimals, a currency sign: 7,373.55, £1.2m)."""
    own = next((c.number_format for c in reversed(values)
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)), "General")
    written = [f for f in map(_written_format, settings) if f and ("%" in f) == percent]
    richest = max(written, key=lambda f: (_has_currency(f), _decimals(f)), default="General")
    if (_has_currency(richest), _decimals(richest)) > (_has_currency(own), _decimals(own)):
        return richest
    return own


def _written_format(cell: Cell) -> str:
    """A number cell's format, or one that shows a number typed as text the way it was typed."""
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        written = repr(value)
        if cell.number_format in ("General", "") and isinstance(value, float) and "." in written \
                and "e" not in written and not value.is_integer():
            # General shows a number as typed: keep its decimals (7373.55, not 7,374)
            return f"#,##0.{'0' * min(len(written.split('.')[1]), 4)}"
        return cell.number_format or "General"
    if isinstance(value, str) and cell.number.value is not None:
        text = value.strip()
        places = len(text.split(".")[1].rstrip("%km ")) if "." in text else 0
        body = ("#,##0" if "," in text or not places else "0") + ("." + "0" * places if places else "")
        sign = next((s for s in "£$€" if s in text), "")
        return (f'"{sign}"' if sign else "") + body + ("%" if text.endswith("%") else "")
    return ""


def _has_currency(number_format: str) -> bool:
    return any(sign in number_format for sign in "£$€")


def _decimals(number_format: str) -> int:
    if "." not in number_format:
        return 0
    after = number_format.split(".", 1)[1]
    return len(after) - len(after.lstrip("0#"))


@dataclass(frozen=True)
class PercentScale:
    """Whether an indicator is a percentage, and whether its plain numbers are whole percentages."""

    percent: bool
    whole_numbers: bool
    mixed: bool

    @classmethod
    def of(cls, cells: Iterable[Cell], unit: str, table_whole: bool = False) -> PercentScale:
        """The scale of one row's cells; `table_whole`: the table's other rows whose unit says
        percent write whole percentages (85 for 85%), so this row's 0.25 is 0.25 %, not 25 %."""
        parsed = [c.number for c in cells if c.value is not None]
        numbers = [p for p in parsed if p.value is not None]
        formatted = any(p.percent for p in numbers)
        percent = formatted or says_percent(unit)
        whole = percent and any(not p.percent and abs(p.value) > 1.5 for p in numbers if p.value is not None)
        whole = whole or (percent and table_whole and not formatted and bool(numbers))
        return cls(percent, whole, formatted and whole)

    def scales(self, number: CellNumber) -> bool:
        """Whether apply divides this number by 100 (a whole percentage)."""
        return number.value is not None and self.whole_numbers and not number.percent

    def apply(self, number: CellNumber) -> float | None:
        value = number.value
        return value / 100 if value is not None and self.scales(number) else value


def says_percent(unit: str) -> bool:
    """Whether a Unit cell says the figures are percentages."""
    return unit.strip().lower() in {"%", "percent", "percentage", "pct", "per cent"}


def whole_percent_units(rows: Iterable[tuple[str, Sequence[Cell]]]) -> bool:
    """Whether a table's rows whose unit says percent write whole percentages (85 for 85%): then a
    row of small figures (0.25 against a target of 1) is on the same scale as the others."""
    for unit, cells in rows:
        if says_percent(unit) and any(not c.number.percent and c.number.value is not None
                                      and abs(c.number.value) > 1.5 for c in cells):
            return True
    return False


class Numbers:
    """Reads one indicator's number cells, collecting warnings and raising on unusable settings."""

    def __init__(self, label: str, sink: list[Warning_]):
        self.label = label
        self.warnings = sink

    def setting(self, what: str, cell: Cell, where: str, scale: PercentScale) -> float | None:
        number = cell.number
        if number.unreadable and says_no_target(cell.value):
            return None  # 'Data only', 'Monitor', 'Baseline year': none set, so not rated
        if number.unreadable:
            raise BadValueError(
                f"the {what} '{clean_text(cell.value)}' of {self.label} is not a number",
                where=where,
                fix=f"Type a number such as 90% or 0.9 (or TBC when there is no {what} yet)",
            )
        if number.is_error:
            self.warnings.append(Warning_(f"{self.label}: the {what} is the error {number.missing}", where))
        return scale.apply(number)

    def observation(self, period: Period, cell: Cell, where: str, scale: PercentScale) -> Observation:
        number = cell.number
        if number.unreadable and (figure := parse_figure(cell.value)) is not None:
            number = figure  # '27.6 days', '34*' (provisional), '512 kg (Q3 time lag)'
        if number.is_error:
            self.warnings.append(Warning_(
                f"{self.label}: {period.label} is the error {number.missing}, so it is not rated", where))
        elif number.unreadable:
            self.warnings.append(Warning_(
                f"{self.label}: {period.label} holds '{number.missing}', which is not a number; "
                "treated as no data", where))
        return Observation(period, scale.apply(number), where, number.missing)


