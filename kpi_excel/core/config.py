"""Rule settings and paper details from key/value rows or command-line options (pure)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from kpi_excel.core.model import DirectionMethod, PaperDetails, Period, Person, RagMethod, RuleSettings
from kpi_excel.core.periods import find_period, parse_period
from kpi_excel.core.values import clean_text, normalise, parse_number
from kpi_excel.errors import SettingsError
from kpi_excel.excel.refs import CellRef

# A key/value row: the key, then the cells to its right, and where the key is (Sheet!A7).
KeyRow = tuple[str, Sequence[object], str]

Choice = TypeVar("Choice")
_RAG_METHODS = {
    "floor": RagMethod.FLOOR, "floorstandard": RagMethod.FLOOR, "targetandfloor": RagMethod.FLOOR,
    "tolerance": RagMethod.TOLERANCE, "percentagetolerance": RagMethod.TOLERANCE,
    "withintolerance": RagMethod.TOLERANCE,
}
_DIRECTION_METHODS = {
    "previous": DirectionMethod.PREVIOUS, "previousperiod": DirectionMethod.PREVIOUS,
    "previousmonth": DirectionMethod.PREVIOUS, "lastperiod": DirectionMethod.PREVIOUS,
    "previousquarter": DirectionMethod.PREVIOUS,
    "lastyear": DirectionMethod.LAST_YEAR, "sameperiodlastyear": DirectionMethod.LAST_YEAR,
    "yearonyear": DirectionMethod.LAST_YEAR,
    "trend": DirectionMethod.TREND, "regression": DirectionMethod.TREND,
    "trendacrosstheperiodshown": DirectionMethod.TREND, "lineartrend": DirectionMethod.TREND,
}
_SETTING_KEYS = {
    "ragrule": "rag_method", "ragmethod": "rag_method", "rule": "rag_method", "ambermethod": "rag_method",
    "ambertolerance": "tolerance", "tolerance": "tolerance",
    "goalposttolerance": "goal_post_tolerance", "greentolerance": "goal_post_tolerance",
    "directionoftravel": "direction", "direction": "direction", "dot": "direction",
    "trendthreshold": "trend_threshold", "notrendthreshold": "trend_threshold",
    "greenwithin": "green_within", "greenband": "green_within", "greenbelowtarget": "green_within",
    "greenifwithin": "green_within",
}


def names_rag_rule(key: str) -> bool:
    """Whether a Settings-sheet key is the RAG rule's."""
    return _SETTING_KEYS.get(normalise(key)) == "rag_method"


def parse_rag_method(text: str, where: str = "") -> RagMethod:
    """'Floor standard' or 'Tolerance' -> the RAG rule."""
    return _choice(_RAG_METHODS, text, where, "the RAG rule", "'Floor standard' or 'Tolerance'")


def parse_direction_method(text: str, where: str = "") -> DirectionMethod:
    """'Previous period', 'Same period last year' or 'Trend' -> the direction method."""
    return _choice(_DIRECTION_METHODS, text, where, "the direction of travel",
                   "'Previous period', 'Same period last year' or 'Trend'")


def _choice(choices: Mapping[str, Choice], text: str, where: str, what: str, words: str) -> Choice:
    """One of a setting's choices, by its words; an unknown one is a SettingsError saying which."""
    choice = choices.get(normalise(text))
    if choice is None:
        raise SettingsError(f"{what} '{text}' is not one we know", where=where, fix=f"Use {words}")
    return choice


def parse_fraction(value: object, where: str = "", what: str = "tolerance") -> float:
    """10%, 0.1 or 10 -> 0.1: a number above 1 is taken as a percentage."""
    number = parse_number(value)
    if number.value is None or number.value < 0:
        raise SettingsError(
            f"the {what} '{value}' is not a percentage", where=where,
            fix="Type a percentage such as 10%",
        )
    return number.value / 100 if number.value > 1 and not number.percent else number.value


# The roles a column may be told to play (the Columns block, --column, columns={...})
COLUMN_ROLES = ("code", "name", "polarity", "target", "floor", "value", "stated", "commentary", "owner",
                "period")


def column_role(text: str, where: str = "") -> str:
    """A role as a user names it: 'Value', 'stated' ... -> 'value', 'stated'."""
    role = normalise(text)
    if role not in COLUMN_ROLES:
        raise SettingsError(f"'{text}' is not a column role we know", where=where,
                            fix=f"Use one of: {', '.join(COLUMN_ROLES)}")
    return role


def parse_column_options(options: Sequence[str], where: str = "--column") -> dict[str, str]:
    """--column ROLE=HEADING options as {role: heading as written}; a later one for a role wins."""
    columns: dict[str, str] = {}
    for option in options:
        role, sep, heading = option.partition("=")
        if not sep or not heading.strip():
            raise SettingsError(f"'{option}' is not ROLE=HEADING", where=where,
                                fix='Write it as --column value="Q3 actual"')
        columns[column_role(role, where)] = heading.strip()
    return columns


def columns_from_rows(rows: Sequence[KeyRow]) -> dict[str, tuple[str, str]]:
    """The Settings sheet's Columns block: a row whose first cell is 'Columns', then one row per role
    (the role, then the heading as written), to the first blank row or another key. Returns
    {role: (heading, where the role is written)}."""
    columns: dict[str, tuple[str, str]] = {}
    inside = False
    for key, cells, where in rows:
        if normalise(key) == "columns":
            inside = True
            continue
        if not inside:
            continue
        heading = next((clean_text(c) for c in cells if c not in (None, "")), "")
        if normalise(key) not in COLUMN_ROLES or not heading:
            if normalise(key) in _SETTING_KEYS or normalise(key) in PERIOD_KEYS or not heading:
                break
            column_role(key, where)  # names a role we do not know: say so
        columns[normalise(key)] = (heading, where)
    return columns


def setting_field(key: str) -> str | None:
    """The RuleSettings field a Settings sheet's key names: 'Amber tolerance' -> 'tolerance'."""
    return _SETTING_KEYS.get(normalise(key))


def settings_from_rows(rows: Sequence[KeyRow], base: RuleSettings | None = None) -> RuleSettings:
    """Rule settings from a Settings sheet's key/value rows; unknown keys are ignored."""
    changes: dict[str, Any] = {}
    for key, cells, where in rows:
        field = _SETTING_KEYS.get(normalise(key))
        value = next((c for c in cells if c not in (None, "")), None)
        if field is None or value is None:
            continue
        changes[field] = _setting_value(field, value, where)
    return dataclasses.replace(base or RuleSettings(), **changes)


# Settings-sheet keys that name the period of a value column whose heading names none
PERIOD_KEYS = frozenset({"period", "reportingperiod", "reportperiod", "quarter", "reportingquarter",
                         "asat", "periodending", "periodended", "month", "reportingmonth"})


def period_from_rows(rows: Sequence[KeyRow]) -> tuple[Period, str, str] | None:
    """The period a Settings sheet names (Period, Reporting period, Quarter, As at), with the
    cell and text that name it; a date is the month it falls in. A value that is no period
    ('Period: Monthly') is passed over."""
    for key, cells, where in rows:
        if normalise(key) not in PERIOD_KEYS:
            continue
        for offset, value in enumerate(cells, start=1):
            if value in (None, ""):
                continue
            text = clean_text(value) if not isinstance(value, (dt.date, dt.datetime)) else str(value)[:10]
            found = find_period(text) if isinstance(value, str) else None
            period = parse_period(value) or (found.period if found else None)
            if period is None:  # 'Period: Monthly' says how often, not which period
                break
            return period, _shifted(where, offset), text
    return None


def parse_period_option(text: str, where: str = "--period") -> Period:
    """The --period option: any period the reader accepts (Q3 2018/19, Dec-18, 2019/20)."""
    found = find_period(text)
    period = parse_period(text.strip()) or (found.period if found else None)
    if period is None:
        raise SettingsError(f"'{text}' is not a period we can read", where=where,
                            fix="Give a period such as \"Q3 2018/19\", Dec-18 or 2019/20")
    return period


def _shifted(where: str, columns: int) -> str:
    """The cell `columns` to the right of a key's cell: where the value beside the key is."""
    return where.shifted(columns) if isinstance(where, CellRef) else where

def _setting_value(field: str, value: object, where: str) -> object:
    if field == "rag_method":
        return parse_rag_method(str(value), where)
    if field == "direction":
        return parse_direction_method(str(value), where)
    return parse_fraction(value, where, what=field.replace("_", " "))


_DETAIL_KEYS = {
    "service": "service", "directorate": "service", "department": "service",
    "committee": "committee", "to": "committee",
    "meetingdate": "meeting_date", "dateofmeeting": "meeting_date", "date": "meeting_date",
    "subject": "subject", "title": "subject",
    "classification": "classification",
    "from": "from_",
    "reportauthor": "author", "author": "author",
    "relevantdirector": "director", "director": "director",
    "reportnumber": "report_number", "reportnumberinyear": "report_number",
    "reportsinyear": "reports_in_year", "reportsayear": "reports_in_year",
    "kpisagreed": "kpis_agreed", "kpisandtargetsagreed": "kpis_agreed",
    "yearend": "year_end", "yearendreport": "year_end",
}


def details_from_rows(rows: Sequence[KeyRow]) -> PaperDetails:
    """Paper details from a details sheet: a key, then a value (or name, role, team, phone, email)."""
    changes: dict[str, Any] = {}
    from_people: list[Person] = []
    for key, cells, where in rows:
        field = _DETAIL_KEYS.get(normalise(key))
        texts = [_text(c) for c in cells]
        if field is None or not any(texts):
            continue
        if field == "from_":
            from_people.append(_person(texts))
        else:
            changes[field] = _detail_value(field, cells[0] if cells else None, texts, where)
    if from_people:
        changes["from_"] = tuple(from_people)
    return dataclasses.replace(PaperDetails(), **changes)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return clean_text(value)


def _person(texts: Sequence[str]) -> Person:
    padded = list(texts) + [""] * 5
    return Person(*padded[:5])


def _detail_value(field: str, raw: object, texts: Sequence[str], where: str) -> object:
    if field in ("author", "director"):
        return _person(texts)
    if field == "meeting_date":
        return parse_date(raw, where)
    if field in ("report_number", "reports_in_year"):
        number = parse_number(raw)
        if number.value is None or not number.value.is_integer() or number.value < 1:
            raise SettingsError(f"'{raw}' is not a whole number", where=where, fix="Type a number such as 3")
        return int(number.value)
    if field == "year_end":
        return normalise(texts[0]) in {"yes", "y", "true", "1"}
    return texts[0]


def parse_date(value: object, where: str = "") -> dt.date:
    """A date cell, or text such as 29 July 2020 / 2020-07-29 / 29/07/2020."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = " ".join(str(value).split())
    for form in ("%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise SettingsError(
        f"'{value}' is not a date we can read", where=where, fix="Type a date such as 29 July 2020"
    )


def apply_overrides(details: PaperDetails, overrides: Mapping[str, object]) -> PaperDetails:
    """Command-line options win over the workbook's details; None means 'not given'."""
    given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    if "meeting_date" in given and not isinstance(given["meeting_date"], dt.date):
        given["meeting_date"] = parse_date(given["meeting_date"], "--meeting-date")
    return dataclasses.replace(details, **given)


def rule_settings(rule: object = None, tolerance: object = None, direction: object = None,
                  goal_post_tolerance: object = None, trend_threshold: object = None, *,
                  green_within: object = None, named: Callable[[str], str] = str) -> dict[str, object]:
    """Rule options, as the command line and the Python API take them ('tolerance', '10%' or 0.1,
    'last-year'), as RuleSettings fields; None means 'keep the workbook's'. A value that cannot
    be read raises SettingsError naming the option as `named` writes it (--tolerance, tolerance)."""
    settings: dict[str, object] = {}
    if rule is not None:
        settings["rag_method"] = (rule if isinstance(rule, RagMethod)
                                  else parse_rag_method(str(rule), named("rule")))
    if direction is not None:
        settings["direction"] = (direction if isinstance(direction, DirectionMethod)
                                 else parse_direction_method(str(direction), named("direction")))
    for name, value, what in (("tolerance", tolerance, "tolerance"),
                              ("goal_post_tolerance", goal_post_tolerance, "goal post tolerance"),
                              ("trend_threshold", trend_threshold, "trend threshold"),
                              ("green_within", green_within, "green band")):
        if value is not None:
            settings[name] = parse_fraction(value, named(name), what)
    return settings


PERSON_PARTS = ("name", "role", "team", "phone", "email")


def parse_person(text: object) -> Person:
    """A contact given as 'Name; Role; Team; Phone; Email' (later parts may be left out)."""
    if isinstance(text, Person):
        return text
    return Person(*[part.strip() for part in str(text).split(";")][:len(PERSON_PARTS)])


def detail_fields(given: Mapping[str, object]) -> dict[str, object]:
    """Paper-detail options as PaperDetails fields, people read from their one-line form; None
    means 'keep the workbook's'."""
    return {name: parse_person(value) if name in ("author", "director") and value is not None else value
            for name, value in given.items()}
