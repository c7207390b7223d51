"""Periods as departments write them: two-digit years, headings with words around the period."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi_excel.core.model import Dataset, Period, PeriodKind
from kpi_excel.core.periods import find_period, full_year, heading_period, parse_period_text
from kpi_excel.read import BookReader, Cell


def month(year: int, number: int) -> Period:
    return Period(dt.date(year, number, 1))


def quarter(fy_start: int, number: int) -> Period:
    first_month = (4 + 3 * (number - 1) - 1) % 12 + 1
    return Period(dt.date(fy_start + (number == 4), first_month, 1), PeriodKind.QUARTER)


def year(fy_start: int) -> Period:
    return Period(dt.date(fy_start, 4, 1), PeriodKind.YEAR)


# --- two-digit years ---------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "expected"), [("00", 2000), ("19", 2019), ("29", 2029), ("30", 1930),
                                                   ("99", 1999), ("2099", 2099), ("1999", 1999)])
def test_a_two_digit_year_pivots_as_excel_reads_it(written: str, expected: int) -> None:
    assert full_year(written) == expected


@pytest.mark.parametrize(("text", "period"), [
    ("99/00", year(1999)), ("FY99/00", year(1999)), ("Q4 99/00", quarter(1999, 4)), ("1999/00", year(1999)),
    ("Quarter 1 99-00", quarter(1999, 1)), ("Mar-00", month(2000, 3)), ("Apr-99", month(1999, 4)),
    ("29/30", year(2029)), ("19/20", year(2019)),
])
def test_two_digit_years_in_headings(text: str, period: Period) -> None:
    assert parse_period_text(text) == period
    found = find_period(f"Performance report {text}")
    assert found is not None and found.period == period


def test_ninety_nine_slash_double_zero_is_never_2099() -> None:
    for text in ("99/00", "FY 99/00", "Q4 99/00", "KPIs for 99/00"):
        found = find_period(text)
        assert found is not None and found.period.start.year in (1999, 2000), text
    assert parse_period_text("99/00") != parse_period_text("2099/00")


# --- headings with more than a period ------------------------------------------------------------


@pytest.mark.parametrize(("heading", "period"), [
    ("Ebrill / April 2020", month(2020, 4)),
    ("Mawrth / March 2021", month(2021, 3)),
    ("Chwarter 1 | Quarter 1 2019/20", quarter(2019, 1)),
    ("Apr 2020 (provisional)", month(2020, 4)),
    ("Apr 2020 - provisional", month(2020, 4)),
    ("Apr 2020*", month(2020, 4)),
    ("Q1 (April to June 2019)", quarter(2019, 1)),
    ("Quarter 4 (Jan-Mar 2020)", quarter(2019, 4)),
    ("April to June 2023", quarter(2023, 1)),
    ("Oct-Dec 2019", quarter(2019, 3)),
    ("Jan to Mar 2020", quarter(2019, 4)),
    ("April 2019 to March 2020", year(2019)),
])
def test_a_heading_with_words_around_its_period(heading: str, period: Period) -> None:
    found = heading_period(heading)
    assert found is not None and found.period == period and not found.impossible


def test_a_quarter_written_as_its_months_without_a_year() -> None:
    found = heading_period("Quarter 4 - Jan to Mar")
    assert found is not None and found.yearless == (PeriodKind.QUARTER, 4)


@pytest.mark.parametrize(("heading", "why"), [
    ("Quarter 5 2019/20", "quarter 5"), ("Q0 2019/20", "quarter 0"), ("Q1 2019/21", "2019/21"),
    ("Q2 (April to June)", "quarter 1"),
])
def test_a_period_that_cannot_be_says_why(heading: str, why: str) -> None:
    found = heading_period(heading)
    assert found is not None and found.period is None and why in found.impossible


@pytest.mark.parametrize("heading", ["Forecast Apr 2020", "Previous outturn 2018/19",
                                     "Target 2020/21 profile", "Nov to Jan 2020",
                                     "Q1 2019/20 (Q4 2018/19 restated)", "Indicator", "Commentary",
                                     "Change on Apr 2019"])
def test_a_heading_that_says_more_than_a_period_names_none(heading: str) -> None:
    assert heading_period(heading) is None


# --- in a table ---------------------------------------------------------------------------------


def read(rows: list[list[object]]) -> Dataset:
    reader = BookReader()
    reader.add_sheet("KPIs", [[Cell(v) for v in row] for row in rows])
    return reader.dataset("tracker.xlsx", "0" * 64, "tracker.xlsx")


def labels(dataset: Dataset) -> list[str]:
    return [f"{o.period.label}={o.value}" for o in dataset.indicators[0].observations]


def test_welsh_and_provisional_headings_head_period_columns() -> None:
    data = read([["Code", "Indicator", "Polarity", "Target", "Ebrill / April 2020", "Mai / May 2020",
                  "Mehefin / June 2020 (provisional)"],
                 ["KP1", "Calls answered", "H", 0.9, 0.91, 0.92, 0.93]])
    assert labels(data) == ["Apr-20=0.91", "May-20=0.92", "Jun-20=0.93"]


def test_quarters_written_as_their_months_take_the_year_from_elsewhere() -> None:
    data = read([["Performance 2019/20"], [],
                 ["Code", "Indicator", "Polarity", "Target", "Quarter 1 - Apr to Jun",
                  "Quarter 2 - Jul to Sep", "Quarter 3 - Oct to Dec", "Quarter 4 - Jan to Mar"],
                 ["KP1", "Calls answered", "H", 0.9, 0.91, 0.92, 0.93, 0.94]])
    assert labels(data) == ["Q1 2019/20=0.91", "Q2 2019/20=0.92", "Q3 2019/20=0.93", "Q4 2019/20=0.94"]


def test_quarters_with_their_months_in_brackets() -> None:
    data = read([["Code", "Indicator", "Polarity", "Target", "Q1 (April to June 2019)",
                  "Q2 (July to September 2019)"],
                 ["KP1", "Calls answered", "H", 0.9, 0.91, 0.92]])
    assert labels(data) == ["Q1 2019/20=0.91", "Q2 2019/20=0.92"]


def test_an_impossible_period_heading_is_a_warning_naming_its_cell_not_a_silent_column() -> None:
    data = read([["Code", "Indicator", "Polarity", "Target", "Quarter 4 2019/20", "Quarter 5 2019/20"],
                 ["KP1", "Calls answered", "H", 0.9, 0.91, 0.95]])
    assert labels(data) == ["Q4 2019/20=0.91"]
    warned = [w for w in data.warnings if "Quarter 5 2019/20" in w.message]
    assert len(warned) == 1 and warned[0].where == "KPIs!F1", data.warnings
    assert "quarters 1 to 4" in warned[0].message and "not read as figures" in warned[0].message
