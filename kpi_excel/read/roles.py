"""Column roles from what the cells hold as well as what the headings say, as a council's own
performance officer reads a table; and a note for every column saying how it was read (pure).

The header finder (header.py) gives each column the role its heading names. Here the cells have
their say: a column of reference codes is the code whatever its heading; a column of rating words,
symbols or colour-only fills is the council's own rating, and a status about something else (the
data's timeliness) is not; of several figure columns, this period's is chosen by what the headings
mean (current, latest, this year's, an unheaded column after the dated ones), the others being
history; a column of Higher/Lower words is the polarity and an 'Aim' of figures is the target; a
target for another period than the figures' is not rated against.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kpi_excel.core.model import Period
from kpi_excel.core.periods import find_period, parse_period
from kpi_excel.read.cells import Cell
from kpi_excel.read.content import CODE_THEN_NAME, Kind, Profile, column_cells, profile
from kpi_excel.read.header import Header, value_heading_period
from kpi_excel.read.headings import Role, asks_if_target_met, figure_time, header_role, is_direction_heading

# The roles as a user names them (--column, the Settings sheet's Columns block, --explain)
ROLE_NAMES: dict[str, Role] = {
    "code": Role.CODE, "name": Role.INDICATOR, "polarity": Role.POLARITY, "target": Role.TARGET,
    "floor": Role.FLOOR, "value": Role.VALUE, "stated": Role.STATUS, "commentary": Role.COMMENTARY,
    "owner": Role.OWNER, "period": Role.PERIOD,
}
_NAME_OF = {role: name for name, role in ROLE_NAMES.items()}
_SETTINGS = (Role.TARGET, Role.FLOOR, Role.TOLERANCE, Role.LOWER, Role.UPPER)


def role_name(role: Role) -> str:
    """A role as --explain names it: 'value', 'stated', 'name', 'data period' ..."""
    return _NAME_OF.get(role, role.value)


@dataclass(frozen=True)
class TargetChoice:
    """A target column set aside because it is for another period than the figures'."""

    col: int
    period: Period
    figures: Period


@dataclass
class _Reading:
    """The roles being decided, and why each column has its own."""

    header: Header
    profiles: dict[int, Profile]
    roles: dict[Role, int]
    extras: dict[int, str]
    why: dict[int, tuple[str, str]]  # col -> (role or 'history' / 'kept' / 'ignored', the reason)

    def text(self, col: int) -> str:
        return self.header.texts.get(col, "")

    def heading(self, col: int) -> str:
        text = self.text(col)
        return f"heading '{text}'" if text else "no heading"

    def role_at(self, col: int) -> Role | None:
        return next((role for role, c in self.roles.items() if c == col), None)

    def give(self, role: Role, col: int, why: str) -> None:
        """Give col the role, taking it from any other column and col from any other role."""
        old = self.roles.get(role)
        if old is not None and old != col and self.text(old):
            self.extras.setdefault(old, self.text(old))
        for other, c in list(self.roles.items()):
            if c == col and other is not role:
                del self.roles[other]
        self.roles[role] = col
        self.extras.pop(col, None)
        self.why[col] = (role_name(role), why)

    def take(self, col: int, label: str, why: str) -> None:
        """Take col's role away: it is history, kept as an unrecognised column, or ignored."""
        for role, c in list(self.roles.items()):
            if c == col:
                del self.roles[role]
        if label != "ignored" and self.text(col):
            self.extras[col] = self.text(col)
        else:
            self.extras.pop(col, None)
        self.why[col] = (label, why)


def read_columns(header: Header, rows: Sequence[Sequence[Cell]],
                 width: int) -> tuple[Header, TargetChoice | None]:
    """The header with each column's role decided by its heading and its cells (`rows`: the table's
    rows under the header), and a note for every column; with the target column set aside when its
    period is not the figures'."""
    # every column the header names has a profile, an empty one where no row reaches it
    columns = max([width - 1, *header.texts, *header.roles.values(), *header.periods], default=-1) + 1
    profiles = {c: profile(column_cells(rows, c)) for c in range(columns)}
    reading = _Reading(header, profiles, dict(header.roles), dict(header.extras), {})
    _direction_columns(reading)
    _stated_rating(reading)
    _polarity_and_aim(reading)
    _code_and_name(reading)
    yearless = dict(header.yearless)
    periods = dict(header.periods)
    _this_periods_figure(reading, periods, yearless)
    _rows_period(reading, periods)
    _commentary(reading)
    set_aside = _target_for_the_figures(reading, periods)
    name_has_code = _codes_in_names(reading)
    _note_the_rest(reading, periods, yearless)
    extras = dict(sorted((c, t) for c, t in reading.extras.items() if c not in periods and c not in yearless))
    read = dataclasses.replace(header, roles=reading.roles, periods=periods, extras=extras, yearless=yearless,
                               notes=dict(sorted(reading.why.items())), name_has_code=name_has_code)
    return read, set_aside


def _direction_columns(reading: _Reading) -> None:
    """A direction of travel or trend column is never the rating, whatever its cells say."""
    for col in sorted(reading.header.texts):
        if is_direction_heading(reading.text(col)) and reading.role_at(col) is not Role.INDICATOR:
            reading.take(col, "kept", "a direction of travel or trend, not the rating against target")


def _stated_rating(reading: _Reading) -> None:
    """The council's own rating: a column of rating words, symbols or colour-only fills, whatever
    its heading; a Status about something else (timeliness, a workflow state) is not one."""
    status = reading.roles.get(Role.STATUS)
    if status is not None:
        kind = reading.profiles[status].kind
        if kind in (Kind.RATINGS, Kind.FILLS):
            reading.why[status] = ("stated", f"{reading.heading(status)}; cells: {_content(reading, status)}")
            return
        if kind in (Kind.WORDS, Kind.PERIODS, Kind.NUMBERS) and not asks_if_target_met(reading.text(status)):
            cells = reading.profiles[status].quoted()
            reading.take(status, "kept", f"{reading.heading(status)}, but its cells ({cells}) are not a "
                                         "rating against target")
    # a rating column under a heading for another role, or for an earlier period ('Last year's
    # RAG'), is not this period's rating
    candidates = [c for c, p in reading.profiles.items() if p.kind in (Kind.RATINGS, Kind.FILLS)
                  and c not in reading.why and reading.role_at(c) in (None, Role.VALUE)
                  and figure_time(reading.text(c)) != "history"]
    if not candidates or Role.STATUS in reading.roles:
        return
    value = reading.roles.get(Role.VALUE, -1)
    # the one whose heading asks for a rating; else the first after the figures it rates
    named = [c for c in candidates if header_role(reading.text(c)) is Role.STATUS]
    after = [c for c in candidates if c > value]
    col = (named or after or candidates)[0]
    reading.give(Role.STATUS, col, f"cells: {_content(reading, col)}" + (
        f", whatever its {reading.heading(col)} says" if reading.text(col) else ""))


def _content(reading: _Reading, col: int) -> str:
    p = reading.profiles[col]
    if p.kind is Kind.FILLS:
        colours = ", ".join(r.word.lower() for r in sorted(p.rags, key=lambda r: "GAR".index(r.value[0])))
        return f"colour-only fills ({colours})"
    return f"{p.kind.value} ({p.quoted()})"


def _polarity_and_aim(reading: _Reading) -> None:
    """A column of Higher/Lower words is the polarity whatever its heading ('Value' over 'Smaller
    is Better'); a polarity heading such as 'Aim' over figures is the target."""
    polarity = reading.roles.get(Role.POLARITY)
    if polarity is not None and reading.profiles[polarity].kind is Kind.NUMBERS:
        if Role.TARGET not in reading.roles:
            reading.give(Role.TARGET, polarity, f"{reading.heading(polarity)} over figures "
                                                f"({reading.profiles[polarity].quoted()}): the target")
        else:
            reading.take(polarity, "kept", f"{reading.heading(polarity)} over figures, beside the target")
    if Role.POLARITY in reading.roles:
        return
    for col, p in reading.profiles.items():
        if p.kind is Kind.POLARITY and col not in reading.why and reading.role_at(col) in (None, Role.VALUE):
            reading.give(Role.POLARITY, col, f"cells: {_content(reading, col)}" + (
                f", whatever its {reading.heading(col)} says" if reading.text(col) else ""))
            return


def _code_and_name(reading: _Reading) -> None:
    """A column of reference codes is the code, and the text beside it the name; with no name
    heading, the column of names (text on most rows, left of the figures) is the name."""
    for col, p in sorted(reading.profiles.items()):
        if p.kind is Kind.CODES and col not in reading.why and reading.role_at(col) in (None, Role.INDICATOR):
            if Role.CODE in reading.roles and reading.roles[Role.CODE] != col:
                continue
            was_name = reading.role_at(col) is Role.INDICATOR
            reading.give(Role.CODE, col, f"cells: {_content(reading, col)}" + (
                f", whatever its {reading.heading(col)} says" if was_name else ""))
            if was_name:
                beside = next((c for c in range(col + 1, col + 3) if reading.profiles.get(c) is not None
                               and reading.profiles[c].kind in (Kind.PROSE, Kind.TEXTS)), None)
                if beside is not None:
                    reading.give(Role.INDICATOR, beside, "the names beside the codes")
            break
    name = reading.roles.get(Role.INDICATOR)
    if name is not None and reading.profiles[name].kind is not Kind.EMPTY:
        reading.why.setdefault(name, ("name", reading.heading(name)))
        return
    figures = [c for c, p in reading.profiles.items() if p.kind is Kind.NUMBERS]
    first_figure = min(figures, default=max(reading.profiles, default=0) + 1)
    for col, p in sorted(reading.profiles.items()):
        if col < first_figure and p.kind in (Kind.PROSE, Kind.TEXTS) and reading.role_at(col) in (
                None, Role.INDICATOR):
            reading.give(Role.INDICATOR, col, f"cells: names ({p.quoted()})" + (
                f", under the {reading.heading(col)}" if reading.text(col) else ""))
            return


def _this_periods_figure(reading: _Reading, periods: dict[int, Period], yearless: dict[int, Any]) -> None:
    """Of several figure columns, the one holding this period's figure, by what the headings mean:
    'current', 'latest', 'to date' over last year's or a baseline; an unheaded column after the
    dated ones is the latest of them; the others are history. A series of period columns is left
    as it is."""
    if len(yearless) > 1 or Role.PERIOD in reading.roles:
        return
    if len(periods) > 1 and not _to_date_after_series(reading, periods):
        return
    value = reading.roles.get(Role.VALUE)
    figures = [c for c, p in sorted(reading.profiles.items())
               if (p.kind is Kind.NUMBERS or c == value or c in periods or c in yearless)
               and (reading.role_at(c) in (None, Role.VALUE) or c in periods or c in yearless)
               and c not in reading.why and not is_direction_heading(reading.text(c))
               and header_role(reading.text(c)) not in _SETTINGS]
    if len(figures) < 2:
        if value is None and figures and not periods and not yearless:
            value_word = header_role(reading.text(figures[0])) is Role.VALUE
            reading.give(Role.VALUE, figures[0], reading.heading(figures[0]) if value_word else
                         f"{reading.heading(figures[0])}: the only column of figures")
        elif value is not None:
            reading.why.setdefault(value, ("value", reading.heading(value)))
        return
    times = {c: figure_time(reading.text(c)) for c in figures}
    current = [c for c in figures if times[c] == "current"]
    blank_last = [c for c in figures if not reading.text(c) and c == figures[-1]]
    others = [c for c in figures if times[c] != "history" and c not in blank_last]
    if current:
        chosen, why = current[-1], f"{reading.heading(current[-1])}: this period's figure"
    elif blank_last:
        headed = ", ".join(f"'{reading.text(c)}'" for c in figures[:-1] if reading.text(c))
        chosen, why = blank_last[0], f"no heading, after the figures headed {headed}: the latest of them"
    elif value is not None and times[value] != "history":
        chosen, why = value, reading.heading(value)
    elif others:
        chosen = others[0]
        why = f"{reading.heading(chosen)}: the first of the figure columns"
    else:
        chosen, why = figures[-1], f"{reading.heading(figures[-1])}: the last of the figure columns"
    reading.give(Role.VALUE, chosen, why)
    periods.pop(chosen, None)
    chosen_period = value_heading_period(reading.text(chosen))
    for col in figures:
        if col == chosen:
            continue
        periods.pop(col, None)
        yearless.pop(col, None)
        dated = value_heading_period(reading.text(col)) or parse_period(reading.text(col))
        earlier = col < chosen and (bool(current) or bool(blank_last))
        if times[col] == "history" or earlier or dated is not None and (chosen_period is None
                                                                         or dated < chosen_period):
            label = "an earlier figure" + (f" ({dated.label})" if dated else "")
            reading.take(col, "history", f"{reading.heading(col)}: {label}, not this period's")
        else:
            reading.take(col, "kept", f"{reading.heading(col)}: figures beside the value column, not read "
                                      "(name the column with --column value=... to rate these instead)")


def _to_date_after_series(reading: _Reading, periods: dict[int, Period]) -> bool:
    """Whether a series of past years' figures ends in this year's figure so far ('Actuals' 2013/14
    .. 2017/18, then 'Year to date 2019/20'): a part year is not one more point of the series, so
    it is read as this period's figure and the years as history."""
    latest = max(periods, key=lambda c: periods[c])
    current = [c for c in periods if figure_time(reading.text(c)) == "current"]
    return current == [latest]


def _rows_period(reading: _Reading, periods: dict[int, Period]) -> None:
    """A column giving each row's period ('Apr 2024', 'Jul 2024'), beside one value column: the
    table is read one row per figure, each dated by its own row."""
    value = reading.roles.get(Role.VALUE)
    if value is None or periods or Role.PERIOD in reading.roles:
        return
    for col, p in sorted(reading.profiles.items()):
        if p.kind is Kind.PERIODS and col not in reading.why and reading.role_at(col) is None \
                and parse_period(reading.text(col)) is None:
            reading.give(Role.PERIOD, col, f"cells: each row's period ({p.quoted()}), for its figure in "
                                           f"'{reading.text(value)}'")
            return


def _commentary(reading: _Reading) -> None:
    """Sentences in an unheaded column after the figures are the commentary."""
    if Role.COMMENTARY in reading.roles:
        return
    name = reading.roles.get(Role.INDICATOR, -1)
    for col, p in sorted(reading.profiles.items()):
        if p.kind is Kind.PROSE and col > name and not reading.text(col) and reading.role_at(col) is None:
            reading.give(Role.COMMENTARY, col, f"no heading; cells: sentences ({p.quoted()})")
            return


def _target_for_the_figures(reading: _Reading, periods: dict[int, Period]) -> TargetChoice | None:
    """Of several target columns, the one for the figures' period ('2014/15 Annual Target' beside
    '2015/16 Annual Target'); a target only for a later period ('2018/19 target' beside '2017/18
    value') is set aside: the figures are not rated against it."""
    targets = [c for c in sorted(reading.header.texts) if header_role(reading.text(c)) is Role.TARGET
               and c not in reading.why or reading.roles.get(Role.TARGET) == c]
    if not targets:
        return None
    figures = _figures_period(reading, periods)
    dated = {c: p for c in targets if (p := _heading_period(reading.text(c))) is not None}
    if figures is None or not dated:
        col = reading.roles.get(Role.TARGET, targets[0])
        reading.why.setdefault(col, ("target", reading.heading(col)))
        return None
    same = [c for c in targets if c in dated and _same_period(dated[c], figures)]
    undated = [c for c in targets if c not in dated]
    for col in targets:
        if col in same[:1] or (not same and col in undated[:1]):
            reading.give(Role.TARGET, col, f"{reading.heading(col)}: the target for {figures.label}, the "
                                           "figures' period" if col in dated else reading.heading(col))
        else:
            reading.take(col, "kept", f"{reading.heading(col)}: a target for {dated[col].label}, not for "
                                      f"the figures' period ({figures.label})" if col in dated
                         else f"{reading.heading(col)}: a second target column")
    if same or undated:
        return None
    col = min(dated, key=lambda c: dated[c])
    return TargetChoice(col, dated[col], figures)


def _figures_period(reading: _Reading, periods: dict[int, Period]) -> Period | None:
    if periods:
        return max(periods.values())
    value = reading.roles.get(Role.VALUE)
    return _heading_period(reading.text(value)) if value is not None else None


def _heading_period(text: str) -> Period | None:
    found = find_period(text)
    return parse_period(text) or value_heading_period(text) or (found.period if found else None)


def _same_period(target: Period, figures: Period) -> bool:
    """Whether a target is for the figures' period: the same period, or the year they fall in."""
    return target == figures or target.end >= figures.end >= target.start and target.kind.value == "year"


def _codes_in_names(reading: _Reading) -> bool:
    """Names written after their code in one cell ('PMF-01: Current rent collected'), with no code
    column: the code is read from the name."""
    name = reading.roles.get(Role.INDICATOR)
    if name is None or Role.CODE in reading.roles:
        return False
    examples = reading.profiles[name].examples
    if examples and all(CODE_THEN_NAME.match(e) for e in examples):
        reading.why[name] = ("name", reading.why.get(name, ("", reading.heading(name)))[1]
                             + "; each cell starts with the indicator's code, read as the code")
        return True
    return False


def _note_the_rest(reading: _Reading, periods: dict[int, Period], yearless: Mapping[int, object]) -> None:
    for role, col in reading.roles.items():
        reading.why.setdefault(col, (role_name(role), reading.heading(col)))
    for col, period in periods.items():
        reading.why.setdefault(col, ("value", f"{reading.heading(col)}: the figures for {period.label}"))
    for col in yearless:
        reading.why.setdefault(col, ("value", f"{reading.heading(col)}: a quarter or month of the year "
                                              "named elsewhere"))
    for col, text in reading.extras.items():
        reading.why.setdefault(col, ("kept", f"heading '{text}' names no column we read: carried to the "
                                             "outputs as it is"))
    for col, p in reading.profiles.items():
        if col in reading.why or p.kind is Kind.EMPTY and not reading.text(col):
            continue
        reason = "row numbers" if p.kind is Kind.ROW_NUMBERS else f"cells: {_content(reading, col)}"
        reading.why[col] = ("ignored", f"{reading.heading(col)}; {reason}")


def told_columns(header: Header, told: Mapping[str, tuple[str, str]]) -> tuple[Header, set[str]]:
    """The header with each column the user named ({role: (heading as written, who said so)})
    given that role, whatever the reading made of it; and the roles whose heading this table has.
    Naming this period's figure makes the table one of a single value column."""
    by_heading = {_key(text): col for col, text in reversed(sorted(header.texts.items()))}
    roles, periods, yearless = dict(header.roles), dict(header.periods), dict(header.yearless)
    extras, notes = dict(header.extras), dict(header.notes)
    found = set()
    for name, (heading, source) in told.items():
        col = by_heading.get(_key(heading))
        if col is None:
            continue
        found.add(name)
        role = ROLE_NAMES[name]
        for other, c in list(roles.items()):
            if c == col or other is role:
                if c != col and header.texts.get(c):
                    extras[c] = header.texts[c]
                    label = "history" if role is Role.VALUE else "kept"
                    notes[c] = (label, f"{_heading(header, c)}: {source} names another column as the {name}")
                del roles[other]
        roles[role] = col
        extras.pop(col, None)
        if role is Role.VALUE:
            for c in [*periods, *yearless]:
                if c != col and header.texts.get(c):
                    extras[c] = header.texts[c]
                    notes[c] = ("history", f"{_heading(header, c)}: {source} names another column as "
                                           "this period's figure")
            periods, yearless = {}, {}
        periods.pop(col, None)
        yearless.pop(col, None)
        notes[col] = (name, f"{_heading(header, col)}: as {source} says")
    read = dataclasses.replace(header, roles=roles, periods=periods, yearless=yearless,
                               extras=dict(sorted(extras.items())), notes=dict(sorted(notes.items())))
    return read, found


def _key(heading: str) -> str:
    return " ".join(heading.lower().split())


def _heading(header: Header, col: int) -> str:
    text = header.texts.get(col, "")
    return f"heading '{text}'" if text else "no heading"
