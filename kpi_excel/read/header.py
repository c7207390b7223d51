"""Finding a KPI table's header row among plain rows of cells (pure)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kpi_excel.core.model import Period, PeriodKind
from kpi_excel.core.periods import find_period, heading_period, parse_period, parse_period_text, quarter_start
from kpi_excel.core.values import clean_text
from kpi_excel.read.cells import EMPTY, Cell, Merge
from kpi_excel.read.content import Kind, column_cells, profile
from kpi_excel.read.headings import Role, header_role

HEADER_SEARCH_ROWS = 60  # a key to the ratings and a summary may stand above the table
_NAME_SAMPLE = 10  # rows under a header row looked at for a column of names
_FIRST_ROWS = 20  # rows where a header row may hold figures too (a year typed as a number)


@dataclass
class Header:
    """A located header row: where each role and each period is."""

    row: int
    roles: dict[Role, int]
    periods: dict[int, Period]
    extras: dict[int, str]
    texts: dict[int, str]
    # columns headed by a quarter or month without its year ('Q1', 'Apr'): (kind, number)
    yearless: dict[int, tuple[PeriodKind, int]] = field(default_factory=dict)
    # columns whose heading names a period that cannot be ('Quarter 5 2019/20'): why
    impossible: dict[int, str] = field(default_factory=dict)
    # how each column was read (roles.py): col -> (role, why)
    notes: dict[int, tuple[str, str]] = field(default_factory=dict)
    name_has_code: bool = False  # each name starts with its code: 'PMF-01: Current rent collected'

    @property
    def long_form(self) -> bool:
        return Role.PERIOD in self.roles and Role.VALUE in self.roles


def find_header(rows: Sequence[Sequence[Cell]], merges: Sequence[Merge] = (), start: int = 0,
                stop: int | None = None) -> Header | None:
    """The best header row in the first rows (from row `start`, before row `stop`): it names an
    indicator column (or stands over a column of names) and some values."""
    best: tuple[tuple[int, int], Header] | None = None
    for r in range(start, min(len(rows), start + HEADER_SEARCH_ROWS, stop or len(rows))):
        row = rows[r]
        if r - start >= _FIRST_ROWS and sum(_is_number(c) for c in row) > 1:
            continue  # deep in the sheet, a row of figures is data, not a header
        below = rows[r + 1:r + 1 + _NAME_SAMPLE]
        for header in (_header_at(r, row, below), _two_row_header(r, rows, merges)):
            if header is None:
                continue
            # every column whose heading is known counts ('Targets 2006/07' beside 'Targets 2005/06'
            # too); on a tie, the row with more headings: a title row above the header adds nothing
            named = sum(1 for text in header.extras.values() if header_role(text) is not None)
            score = (len(header.roles) + len(header.periods) + len(header.yearless) + named,
                     len(header.texts))
            if best is None or score > best[0]:
                best = (score, header)
    return best[1] if best else None


def next_table(rows: Sequence[Sequence[Cell]], header: Header) -> tuple[int, int]:
    """Where the next table on the sheet starts, and its header row: its title rows above a header
    row of its own (other headings than this table's: 'Performance Indicator | 2016 to 2017 | 2017
    to 2018' under a table of quarters). A header row repeated as it is continues this table.
    (len(rows), len(rows)) when there is none."""
    for r in range(header.row + 1, len(rows)):
        row = rows[r]
        if len(row) < 2 or any(_is_number(c) for c in row):
            continue  # a row of figures: data, not a header (the test most rows stop at)
        texts = [c for c in row if isinstance(c.value, str) and c.value.strip()]
        if len(texts) < 2 or _same_headings(row, header):
            continue
        found = _header_at(r, row, rows[r + 1:r + 1 + _NAME_SAMPLE])
        if found is None or len(found.roles) + len(found.periods) + len(found.yearless) < 3 or \
                found.roles.get(Role.INDICATOR) != header.roles.get(Role.INDICATOR):
            continue
        start = r
        while start - 1 > header.row and is_title_row(rows[start - 1]):
            start -= 1
        return start, r
    return len(rows), len(rows)


def is_title_row(row: Sequence[Cell]) -> bool:
    """A row over a table rather than in it: no figure, at most two cells ('Empty Properties' |
    'January 2018'), or none."""
    filled = [c for c in row if c.value not in (None, "")]
    return len(filled) <= 2 and not any(_is_number(c) for c in filled)


def _is_number(cell: Cell) -> bool:
    return isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)


def _same_headings(row: Sequence[Cell], header: Header) -> bool:
    """Whether a row holds this header's headings again, as they are."""
    filled = {c: clean_text(cell.value) for c, cell in enumerate(row) if cell.value not in (None, "")}
    return bool(filled) and all(header.texts.get(c, "").lower() == text.lower() for c, text in filled.items())


def _two_row_header(r: int, rows: Sequence[Sequence[Cell]], merges: Sequence[Merge] = ()) -> Header | None:
    """A header over two rows, as merged cells make it: the fixed columns (merged down) in the top
    row, and in the row below either the periods (under an empty cell or a banner such as 'Monthly
    2019/20') or the headings of the figures (Value | Target | Status under a banner that names
    their period, such as 'Q2 2023/24'). Periods under a banner naming what they are ('Targets'
    over 2005/06 | 2006/07, 'Actuals' over years, 'Aim' over 2019/20) are read as that banner for
    each period: 'Targets 2006/07'.

    Read as one row ending at the lower row. Periods are taken from the lower row only when it
    gives two or more (a data row may hold a date); headings only when the lower row is all text.
    """
    if r + 1 >= len(rows):
        return None
    top, below = rows[r], rows[r + 1]
    merged = list(top) + [EMPTY] * (len(below) - len(top))
    if sum(1 for cell in top if cell.value not in (None, "")) == 1:
        # a title alone on its row is not a heading merged down over an empty cell below it
        for c, cell in enumerate(top):
            if cell.value not in (None, "") and (c >= len(below) or below[c].value in (None, "")) \
                    and not any(t <= r < b and left <= c <= right for t, left, b, right in merges):
                merged[c] = EMPTY
    periods: list[int] = []
    headings: list[int] = []
    for c, cell in enumerate(below):
        if cell.value in (None, ""):
            continue
        banner = _banner_text(top, r, c, merges)
        named = header_role(banner) if banner else None
        if parse_period(cell.value) is not None and named in _BANNER_ROLES:
            merged[c] = Cell(f"{banner} {parse_period(cell.value)}")  # 'Targets 2006/07'
            periods.append(c)
            continue
        if header_role(merged[c].value) is not None:
            continue
        if column_period(cell.value) is not None:
            periods.append(c)
        elif isinstance(cell.value, str) and (header_role(cell.value) or yearless_heading(cell.value)):
            headings.append(c)
    text_only = all(cell.value is None or isinstance(cell.value, str) for cell in below)
    take = [c for c in periods if not merged[c].value or parse_period(merged[c].value) is None
            and header_role(merged[c].value) is None] if len(periods) >= 2 else []
    if headings and text_only:  # the lower row is headings: take all of them, known or not
        take = sorted(set(take) | {c for c, cell in enumerate(below) if cell.value not in (None, "")
                                   and header_role(merged[c].value) is None})
    if not take and len(periods) < 2:
        return None
    for c in take:
        merged[c] = below[c]
    return _header_at(r + 1, merged, rows[r + 2:r + 2 + _NAME_SAMPLE])


# banners that say what the periods under them hold
_BANNER_ROLES = (Role.TARGET, Role.VALUE, Role.POLARITY, Role.FLOOR)


def _banner_text(top: Sequence[Cell], r: int, c: int, merges: Sequence[Merge]) -> str:
    """The text over column c in the top row of a two-row header: its own cell, or the cell a merged
    banner across it starts in."""
    own = top[c].value if c < len(top) else None
    if isinstance(own, str) and own.strip():
        return clean_text(own)
    for first, left, last, right in merges:
        if first <= r <= last and left <= c <= right and left < len(top):
            value = top[left].value
            return clean_text(value) if isinstance(value, str) else ""
    return ""


def _header_at(r: int, row: Sequence[Cell], below: Sequence[Sequence[Cell]] = ()) -> Header | None:
    roles: dict[Role, int] = {}
    periods: dict[int, Period] = {}
    extras: dict[int, str] = {}
    texts: dict[int, str] = {}
    dated_values: dict[int, Period] = {}  # 'Actual Feb-20', 'Q2 2023/24 Value': value columns with a period
    yearless: dict[int, tuple[PeriodKind, int]] = {}
    impossible: dict[int, str] = {}
    for c, cell in enumerate(row):
        if cell.value in (None, ""):
            continue
        text = clean_text(cell.value) if not hasattr(cell.value, "year") else str(cell.value)
        texts[c] = text
        role = header_role(cell.value)
        period = parse_period(cell.value) if role is None else None
        heading = heading_period(text) if role is None and period is None and isinstance(cell.value, str) \
            else None
        if heading is not None:
            period = heading.period
            if heading.impossible:
                impossible[c] = heading.impossible
        if role is Role.VALUE and (named := value_heading_period(text)) is not None:
            dated_values[c] = named
        if role is not None and role not in roles:
            roles[role] = c
        elif period is not None:
            periods[c] = period
        elif role is None and period is None and (found := yearless_heading(text)) is not None:
            yearless[c] = found
        elif isinstance(cell.value, str) and text and not (role is Role.VALUE and c in dated_values):
            extras[c] = text
    if Role.INDICATOR not in roles:
        name = _name_column(row, below, roles, periods) if roles or periods or yearless else None
        if name is None:
            return None
        roles[Role.INDICATOR] = name
        extras.pop(name, None)
    if periods or not yearless or len({kind for kind, _ in yearless.values()}) > 1 or (
            len(yearless) == 1 and Role.VALUE in roles):
        extras.update({c: texts[c] for c in yearless})  # not a series of quarters or months
        extras = dict(sorted(extras.items()))
        yearless = {}
    if len(set(dated_values.values())) > 1 and not periods:
        # several value columns, each naming its period: a time series, not one value column
        del roles[Role.VALUE]
        periods = dict(dated_values)
    has_values = periods or yearless or {Role.TARGET, Role.VALUE, Role.LOWER, Role.UPPER} & roles.keys()
    if not has_values:
        return None
    return Header(r, roles, _one_period_kind(periods, extras, texts), extras, texts, yearless, impossible)


def column_period(value: object) -> Period | None:
    """The period a column heading names: a date, a period in one of the plain forms, or one
    written with other words around it, as titles' periods are found ('Apr 2020 (provisional)')."""
    period = parse_period(value)
    if period is None and isinstance(value, str) and (heading := heading_period(value)) is not None:
        period = heading.period
    return period


def _name_column(row: Sequence[Cell], below: Sequence[Sequence[Cell]], roles: dict[Role, int],
                 periods: dict[int, Period]) -> int | None:
    """The column of indicator names under a header row whose headings name none ('Criteria', a
    blank cell): the leftmost column of names in the rows below, left of the figures. A row holding
    a number is not a header row."""
    if not below or any(isinstance(c.value, (int, float)) and not isinstance(c.value, bool) for c in row):
        return None
    taken = set(roles.values()) | set(periods)
    width = max((len(r) for r in below), default=0)
    first_figure = min((c for c in range(width) if c not in taken
                        and profile(column_cells(below, c)).kind is Kind.NUMBERS), default=width)
    for c in range(min(first_figure, width)):
        if c in taken or header_role(row[c].value if c < len(row) else None) is not None:
            continue
        if profile(column_cells(below, c)).kind in (Kind.PROSE, Kind.TEXTS):
            return c
    return None


def _one_period_kind(
    periods: dict[int, Period], extras: dict[int, str], texts: dict[int, str]
) -> dict[int, Period]:
    """Keep the commonest kind of period (months, say); a '2018/19' summary column is carried."""
    if not periods:
        return periods
    kinds = [p.kind for p in periods.values()]
    # the commonest kind; on a tie, the kind of the latest period ('2022/23 Outturn | Q2 2023/24')
    main = max(set(kinds), key=lambda kind: (kinds.count(kind), max(p for p in periods.values()
                                                                     if p.kind is kind)))
    for c, p in list(periods.items()):
        if p.kind is not main:
            extras[c] = texts[c]
            del periods[c]
    return periods


def value_heading_period(heading: str) -> Period | None:
    """The period a value column's heading names: 'Actual Mar-20', 'Outturn 2019/20', 'Q2 2023/24
    Value', 'Value (Quarter 2 2023/24)'; None for 'Value' alone."""
    words = heading.split(maxsplit=1)
    rest = words[1] if len(words) > 1 else ""
    found = find_period(heading)
    return parse_period_text(rest) or parse_period_text(heading) or (found.period if found else None)


def header_below(rows: Sequence[Sequence[Cell]], header: Header, role: Role) -> tuple[int, int, str] | None:
    """The first cell in the three rows under a header row that names `role`: (row, column, text)."""
    for r in range(header.row + 1, min(header.row + 4, len(rows))):
        for c, cell in enumerate(rows[r]):
            if isinstance(cell.value, str) and header_role(cell.value) is role:
                return r, c, clean_text(cell.value)
    return None


_MONTH_NUMBERS = {name: n for n, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], start=1) for name in names}
_VALUE_WORD = r"(?:\s+(?:actual|actuals|value|outturn|result|performance|figure))?"
_YEARLESS_QUARTER = re.compile(rf"^(?:q|qtr|quarter)\s*([1-4]){_VALUE_WORD}$", re.I)
_YEARLESS_MONTH = re.compile(rf"^([a-z]+)\.?{_VALUE_WORD}$", re.I)


def yearless_heading(text: str) -> tuple[PeriodKind, int] | None:
    """A quarter or month heading without its year: 'Q1', 'Quarter 2 Actual', 'Apr', 'June'."""
    text = " ".join(text.split())
    if match := _YEARLESS_QUARTER.match(text):
        return PeriodKind.QUARTER, int(match.group(1))
    if (match := _YEARLESS_MONTH.match(text)) and match.group(1).lower() in _MONTH_NUMBERS:
        return PeriodKind.MONTH, _MONTH_NUMBERS[match.group(1).lower()]
    heading = heading_period(text)  # 'Quarter 4 - Jan to Mar'
    return heading.yearless if heading is not None else None


def dated_header(header: Header, fy_start: int) -> Header:
    """A header of yearless quarters or months as period columns of the financial year starting
    in April `fy_start` (a period of any kind named elsewhere gives its financial year)."""
    periods: dict[int, Period] = {}
    for c, (kind, number) in header.yearless.items():
        if kind is PeriodKind.QUARTER:
            periods[c] = Period(quarter_start(number, fy_start), PeriodKind.QUARTER)
        else:
            periods[c] = Period(dt.date(fy_start + (number < 4), number, 1))
    return Header(header.row, header.roles, periods, header.extras, header.texts)
