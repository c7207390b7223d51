"""The reader over generated workbooks: one test per layout a council tracker may have."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from builders import ABOVE, HEADER, MONTHS, Fmt, Formula, kpi_book, kpi_sheet, monthly_header, write_book

from kpi_excel.core.model import (
    Dataset,
    DirectionMethod,
    Indicator,
    KpiType,
    PeriodKind,
    Polarity,
    RagMethod,
)
from kpi_excel.core.model import Period as P
from kpi_excel.core.proposals import proposal_lines
from kpi_excel.core.rules import rate
from kpi_excel.errors import BadValueError, MissingColumnError, NoKpiTableError
from kpi_excel.read import read_workbook

APR19, MAY19, JUN19, MAR20 = P(dt.date(2019, 4, 1)), P(dt.date(2019, 5, 1)), P(dt.date(2019, 6, 1)), \
    P(dt.date(2020, 3, 1))
PCT = "0.0%"
# a KPI row under HEADER: code, name, polarity, target, floor, then monthly values
ROW = ["AS01", "Adults assessed within 28 days", "H", Fmt(0.9, "0%"), Fmt(0.8, "0%")]


def read(path: Path) -> Dataset:
    return read_workbook(path)


def only(dataset: Dataset) -> Indicator:
    assert len(dataset.indicators) == 1, [i.label for i in dataset.indicators]
    return dataset.indicators[0]


def values(indicator: Indicator) -> list[float | None]:
    return [o.value for o in indicator.observations]


def pcts(*numbers: float) -> list[Fmt]:
    return [Fmt(n, PCT) for n in numbers]


# --- where the table is -------------------------------------------------------------------------


@pytest.mark.parametrize("rows_above", [0, 3, 12, 19])
def test_header_row_is_found_under_title_and_note_rows(tmp_path: Path, rows_above: int) -> None:
    above: list[list[object]] = [["Adult Services tracker"], ["Notes: provisional", None, "see cover"]]
    above = (above + [[]] * max(rows_above - 2, 0))[:rows_above]
    path = kpi_book(tmp_path, monthly_header(2), [*ROW, *pcts(0.91, 0.78)], above=above)
    ind = only(read(path))
    assert (ind.code, ind.target, values(ind)) == ("AS01", 0.9, [0.91, 0.78])
    assert ind.row == rows_above + 2
    assert ind.observations[1].cell == f"KPIs!G{rows_above + 2}"


def test_header_below_row_60_is_not_looked_for(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, monthly_header(2), [*ROW, 0.91, 0.78], above=[["Title"]] + [[]] * 59)
    with pytest.raises(NoKpiTableError):
        read(path)


def test_title_above_the_table_is_kept(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, monthly_header(1), [*ROW, 0.91])
    assert read(path).title == "Adult Services - KPI tracker 2019/20"


# --- header names ---------------------------------------------------------------------------------

BASE = {"Code": "AS01", "Indicator": "Adults assessed within 28 days", "Polarity": "H", "Target": 10,
        "Floor": 20, "Apr-19": 12, "May-19": 9}

SYNONYMS = [
    # (the standard header it replaces, or None to add a column), header text, cell, attribute, expected
    *[("Code", h, "AS01", "code", "AS01") for h in ("Code", "Ref", "PI Ref", "KPI Ref", "Reference", "ID")],
    *[("Indicator", h, "Adults assessed", "name", "Adults assessed")
      for h in ("Indicator", "Indicator description", "Description", "Measure", "Performance Indicator")],
    *[("Polarity", h, "T", "polarity", Polarity.TARGET)
      for h in ("Polarity", "Good is", "Higher or lower is better")],
    *[("Target", h, 11, "target", 11.0) for h in ("Target", "Target 2019/20")],
    *[("Floor", h, 21, "floor", 21.0) for h in ("Floor", "Floor Standard", "Minimum", "Minimum standard")],
    (None, "Type", "Activity", "type", KpiType.ACTIVITY),
    *[(None, h, "Adult Social Care", "section", "Adult Social Care")
      for h in ("Section", "Service", "Service area")],
    *[(None, h, "5%", "tolerance", 0.05) for h in ("Tolerance", "Amber tolerance")],
    (None, "Lower threshold", 3, "lower_threshold", 3.0),
    (None, "Upper threshold", 30, "upper_threshold", 30.0),
    *[(None, h, "Q", "frequency", "Q") for h in ("Data period", "Frequency")],
    (None, "Unit", "days", "unit", "days"),
    *[(None, h, "Waiting list cleared", "commentary", "Waiting list cleared")
      for h in ("Commentary", "Comments", "Notes")],
    (None, "Owner", "Head of Assessment", "owner", "Head of Assessment"),
    # case, spacing and punctuation do not matter
    ("Code", "PI  REF", "AS01", "code", "AS01"),
    ("Code", "pi-ref.", "AS01", "code", "AS01"),
    ("Floor", "FLOOR_STANDARD", 21, "floor", 21.0),
    ("Floor", " Floor standard: ", 21, "floor", 21.0),
    ("Target", "Target (2019/20)", 11, "target", 11.0),
    ("Target", "TARGET 2019-20", 11, "target", 11.0),
    ("Polarity", "Higher or lower is better?", "T", "polarity", Polarity.TARGET),
    (None, "Data Period ", "Q", "frequency", "Q"),
]


@pytest.mark.parametrize(("replaces", "header", "cell", "attribute", "expected"), SYNONYMS,
                         ids=[f"{s[1]!r}" for s in SYNONYMS])
def test_header_synonyms(tmp_path: Path, replaces: str | None, header: str, cell: object,
                         attribute: str, expected: object) -> None:
    columns = {(header if k == replaces else k): (cell if k == replaces else v) for k, v in BASE.items()}
    if replaces is None:
        columns = {header: cell, **columns}
    path = kpi_book(tmp_path, list(columns), list(columns.values()))
    ind = only(read(path))
    assert getattr(ind, attribute) == expected
    assert values(ind) == [12.0, 9.0]


def test_columns_in_any_order(tmp_path: Path) -> None:
    header = [MONTHS[1], "Floor Standard", "Indicator", MONTHS[0], "Target", "Polarity", "Ref"]
    path = kpi_book(tmp_path, header, [0.78, 0.8, "Adults assessed", 0.91, 0.9, "L", "AS01"])
    ind = only(read(path))
    assert (ind.code, ind.name, ind.polarity, ind.target, ind.floor) == (
        "AS01", "Adults assessed", Polarity.LOWER, 0.9, 0.8)
    assert [(o.period, o.value) for o in ind.observations] == [(APR19, 0.91), (MAY19, 0.78)]


def test_unrecognised_columns_are_kept(tmp_path: Path) -> None:
    header = [*HEADER[:3], "Last year's RAG", *HEADER[3:], "Link to plan", MONTHS[0]]
    path = kpi_book(tmp_path, header, [*ROW[:3], "Amber", *ROW[3:], "Plan 4.2", 0.91],
                    ["AS02", "Carers assessed", "H", "", 0.9, 0.8, None, 0.95])
    data = read(path)
    assert data.extra_headers == ("Last year's RAG", "Link to plan")
    assert data.indicators[0].extra == (("Last year's RAG", "Amber"), ("Link to plan", "Plan 4.2"))
    assert data.indicators[1].extra == (("Last year's RAG", ""), ("Link to plan", ""))


def test_code_column_is_optional(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, ["Indicator", "Target", "Floor", *MONTHS[:2]],
                    ["Adults assessed", 0.9, 0.8, 0.91, 0.78], ["Carers assessed", 0.9, 0.8, 0.95, 0.96])
    data = read(path)
    assert [(i.code, i.name, values(i)) for i in data.indicators] == [
        ("", "Adults assessed", [0.91, 0.78]), ("", "Carers assessed", [0.95, 0.96])]


def test_section_rows_and_blank_rows_inside_the_table(tmp_path: Path) -> None:
    path = kpi_book(
        tmp_path, monthly_header(2),
        ["Assessment"],
        ["AS01", "Adults assessed", "H", 0.9, 0.8, 0.91, 0.78],
        [],
        ["AS02", "Carers assessed", "H", 0.9, 0.8, 0.95, 0.96],
        [],
        [None, "Safeguarding"],  # a heading may sit in the indicator column
        ["SG01", "Enquiries concluded", "H", 0.9, 0.8, 0.85, 0.86],
    )
    data = read(path)
    assert [(i.code, i.section) for i in data.indicators] == [
        ("AS01", "Assessment"), ("AS02", "Assessment"), ("SG01", "Safeguarding")]
    assert values(data.indicators[2]) == [0.85, 0.86]


def test_section_column_wins_over_heading_rows(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, ["Service area", *monthly_header(1)],
                    ["Assessment"], ["Adults", "AS01", "Adults assessed", "H", 0.9, 0.8, 0.91])
    assert only(read(path)).section == "Adults"


# --- periods ----------------------------------------------------------------------------------------

Q1, Q2 = P(dt.date(2019, 4, 1), PeriodKind.QUARTER), P(dt.date(2019, 7, 1), PeriodKind.QUARTER)


@pytest.mark.parametrize(("headers", "expected"), [
    ((dt.datetime(2019, 4, 1), dt.datetime(2019, 5, 1)), (APR19, MAY19)),
    ((dt.datetime(2019, 4, 30), dt.datetime(2019, 5, 31)), (APR19, MAY19)),  # month-end dates
    (("Apr-19", "May-19"), (APR19, MAY19)),
    (("Apr 19", "May 19"), (APR19, MAY19)),
    (("April 2019", "May 2019"), (APR19, MAY19)),
    (("2019-04", "2019-05"), (APR19, MAY19)),
    (("04/2019", "05/2019"), (APR19, MAY19)),
    (("Q1 2019/20", "Q2 2019/20"), (Q1, Q2)),
    (("Quarter 1 2019/20", "Quarter 2 2019/20"), (Q1, Q2)),
    (("Q1 2019-20", "Q2 2019-20"), (Q1, Q2)),
], ids=lambda v: repr(v[0]) if isinstance(v, tuple) else None)
def test_period_columns(tmp_path: Path, headers: tuple[object, object], expected: tuple[P, P]) -> None:
    path = kpi_book(tmp_path, [*HEADER, *headers], [*ROW, 0.91, 0.78])
    ind = only(read(path))
    assert [(o.period, o.value) for o in ind.observations] == list(zip(expected, [0.91, 0.78], strict=True))


def test_quarter_labels_follow_the_uk_financial_year(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, [*HEADER, "Q3 2019/20", "Q4 2019/20"], [*ROW, 0.91, 0.78])
    data = read(path)
    assert [p.label for p in data.periods] == ["Q3 2019/20", "Q4 2019/20"]
    assert [p.start for p in data.periods] == [dt.date(2019, 10, 1), dt.date(2020, 1, 1)]


def test_a_year_column_beside_months_is_kept_not_rated(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, [*HEADER, "2018/19", *MONTHS[:2]], [*ROW, 0.99, 0.91, 0.78])
    ind = only(read(path))
    assert values(ind) == [0.91, 0.78]
    assert ind.extra == (("2018/19", "0.99"),)


@pytest.mark.parametrize(("header", "expected"), [
    ("Actual Mar-20", MAR20),
    ("Value March 2020", MAR20),
    ("Latest Q4 2019/20", P(dt.date(2020, 1, 1), PeriodKind.QUARTER)),
    ("Outturn 2019/20", P(dt.date(2019, 4, 1), PeriodKind.YEAR)),
])
def test_single_value_column(tmp_path: Path, header: str, expected: P) -> None:
    path = kpi_book(tmp_path, [*HEADER, header], [*ROW, Fmt(0.78, PCT)])
    ind = only(read(path))
    assert [(o.period, o.value) for o in ind.observations] == [(expected, 0.78)]


def test_value_column_whose_period_nothing_names_is_rated_as_latest_but_not_built(tmp_path: Path) -> None:
    from kpi_excel import pipeline

    path = kpi_book(tmp_path, [*HEADER, "Actual"], [*ROW, 0.78], above=[["Adult Services"], []])
    ind = only(read(path))
    assert [(o.period.label, o.value) for o in ind.observations] == [("latest", 0.78)]
    assert any(w.where == "KPIs!F3" and "does not say which period" in w.message
               for w in read(path).warnings)
    with pytest.raises(MissingColumnError) as error:
        pipeline.load(path)
    assert error.value.where == "KPIs!F3" and "--period" in error.value.fix


def test_long_form(tmp_path: Path) -> None:
    header = ["Code", "Indicator", "Polarity", "Target", "Floor", "Period", "Value"]
    rows = [
        ["AS01", "Adults assessed", "H", 0.9, 0.8, "May-19", 0.78],
        ["AS01", "Adults assessed", "H", 0.9, 0.8, "Apr-19", 0.91],
        ["DT01", "Delayed transfers", "L", 10, 15, dt.datetime(2019, 4, 1), 12],
        ["DT01", "Delayed transfers", "L", 10, 15, dt.datetime(2019, 5, 1), 9],
        ["AS01", "Adults assessed", "H", 0.9, 0.8, "Jun-19", "n/a"],
    ]
    data = read(kpi_book(tmp_path, header, *rows))
    first, second = data.indicators
    assert [(o.period, o.value) for o in first.observations] == [(APR19, 0.91), (MAY19, 0.78), (JUN19, None)]
    assert first.observations[2].missing_reason == "n/a"
    assert (second.code, second.polarity, second.target, values(second)) == (
        "DT01", Polarity.LOWER, 10.0, [12.0, 9.0])
    assert data.periods == (APR19, MAY19, JUN19)


# --- values ------------------------------------------------------------------------------------------


COUNT_ROW = ["DT01", "Delayed transfers", "L", 1000, 1500]


@pytest.mark.parametrize(("cell", "value", "reason"), [
    (0.78, 0.78, None),
    (Fmt(0.78, "0%"), 0.78, None),
    ("78%", 0.78, None),
    (Formula("=0.7+0.08", 0.78, PCT), 0.78, None),
    (None, None, "blank"),
    ("n/a", None, "n/a"),
    ("N/A", None, "N/A"),
    ("-", None, "-"),
    ("TBC", None, "TBC"),
    ("Not due", None, "Not due"),
    (Formula("=B9/C9", "#DIV/0!"), None, "#DIV/0!"),
])
def test_value_forms(tmp_path: Path, cell: object, value: float | None, reason: str | None) -> None:
    path = kpi_book(tmp_path, monthly_header(2), [*ROW, 0.91, cell])
    data = read(path)
    latest = only(data).observations[1]
    assert (latest.value, latest.missing_reason, latest.cell) == (value, reason, "KPIs!G5")


@pytest.mark.parametrize(("cell", "value"), [
    (1012, 1012.0),
    ("1,012", 1012.0),
    (" 1,012 ", 1012.0),
    (Formula("=SUM(B1:B2)", 1012, "#,##0"), 1012.0),
    ("£1,012", 1012.0),
    ("(1,012)", -1012.0),
    ("1.012k", 1012.0),
])
def test_count_value_forms(tmp_path: Path, cell: object, value: float) -> None:
    path = kpi_book(tmp_path, monthly_header(2), [*COUNT_ROW, 990, cell])
    ind = only(read(path))
    assert (ind.is_percent, values(ind)) == (False, [990.0, value])


def test_excel_error_value_warns_naming_the_cell(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, monthly_header(2), [*ROW, 0.91, "#DIV/0!"])  # openpyxl writes an error cell
    data = read(path)
    assert [(w.where, "#DIV/0!" in w.message) for w in data.warnings] == [("KPIs!G5", True)]


def test_percent_text_and_formats_make_a_percentage_indicator(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, monthly_header(2),
                    ["AS01", "Adults assessed", "H", "90%", "80%", "91%", "78%"],
                    ["AS02", "Carers assessed", "H", 0.9, 0.8, 0.91, 0.78],
                    ["DT01", "Delayed transfers", "L", 10, 15, "1,012", 9])
    a, b, c = read(path).indicators
    assert (a.is_percent, a.target, values(a)) == (True, 0.9, [0.91, 0.78])
    assert (b.is_percent, c.is_percent) == (False, False)
    assert values(c) == [1012.0, 9.0]


def test_no_data_reason_is_kept_when_nothing_can_be_rated(tmp_path: Path) -> None:
    from kpi_excel.core.rules import rate

    path = kpi_book(tmp_path, monthly_header(2), [*ROW, "Not due", "Not due"],
                    ["AS02", "Carers assessed", "H", 0.9, 0.8, 0.91, 0.9])
    rating = rate(read(path)).ratings[0]
    assert rating.rag is None
    assert rating.not_rated_reason is not None and "Not due" in rating.not_rated_reason


def test_text_that_is_not_a_number_is_no_data_with_a_warning(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, monthly_header(2), [*ROW, 0.91, "see note"])
    data = read(path)
    assert only(data).observations[1].value is None
    assert [w.where for w in data.warnings] == ["KPIs!G5"]


@pytest.mark.parametrize(("header", "cell", "where"), [
    ("Target", "high", "KPIs!D5"),
    ("Floor", "about 80", "KPIs!E5"),
])
def test_non_numeric_target_or_floor_is_an_error_naming_the_cell(
        tmp_path: Path, header: str, cell: str, where: str) -> None:
    row = ["AS01", "Adults assessed", "H", 0.9, 0.8, 0.91]
    row[3 if header == "Target" else 4] = cell
    with pytest.raises(BadValueError) as error:
        read(kpi_book(tmp_path, ["Code", "Indicator", "Polarity", "Target", "Floor", MONTHS[0]], row))
    assert error.value.where == where


def test_missing_target_column_is_an_error_naming_the_header_row(tmp_path: Path) -> None:
    with pytest.raises(MissingColumnError) as error:
        read(kpi_book(tmp_path, ["Code", "Indicator", "Floor", *MONTHS[:2]],
                      ["AS01", "Adults", 0.8, 0.9, 0.8]))
    assert error.value.where == "KPIs!B4"
    assert "Target" in error.value.problem


# --- polarity and type ----------------------------------------------------------------------------

POLARITY_WORDS = [
    *[(w, Polarity.HIGHER) for w in ("H", "High", "Higher", "Higher is better", "Higher = better", "Up",
                                     "h", "HIGHER IS BETTER")],
    *[(w, Polarity.LOWER) for w in ("L", "Low", "Lower", "Lower is better", "Lower = better", "Down")],
    *[(w, Polarity.TARGET) for w in ("T", "Target", "Close to target")],
]


@pytest.mark.parametrize(("word", "polarity"), POLARITY_WORDS)
def test_polarity_words(tmp_path: Path, word: str, polarity: Polarity) -> None:
    path = kpi_book(tmp_path, ["Code", "Indicator", "Polarity", "Target", MONTHS[0]],
                    ["AS01", "Adults", word, 5, 4])
    assert only(read(path)).polarity is polarity


def test_unknown_polarity_is_an_error_naming_the_cell(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, ["Code", "Indicator", "Polarity", "Target", MONTHS[0]],
                    ["AS01", "Adults", "Sideways", 5, 4])
    with pytest.raises(BadValueError) as error:
        read(path)
    assert error.value.where == "KPIs!C5"


def test_no_polarity_column_a_floor_above_target_means_lower_is_better(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, ["Indicator", "Target", "Floor", MONTHS[0]],
                    ["Delayed transfers", 10, 15, 12], ["Adults assessed", 0.9, 0.8, 0.91])
    assert [i.polarity for i in read(path).indicators] == [Polarity.LOWER, Polarity.HIGHER]


def test_thresholds_and_no_target_make_an_activity_indicator(tmp_path: Path) -> None:
    header = ["Code", "Indicator", "Target", "Floor", "Lower threshold", "Upper threshold", MONTHS[0]]
    path = kpi_book(tmp_path, header, ["AS01", "Adults assessed", 0.9, 0.8, None, None, 0.91],
                    ["AC01", "Referrals received", None, None, 900, 1100, 1012])
    kpi, activity = read(path).indicators
    assert (kpi.type, activity.type) == (KpiType.KPI, KpiType.ACTIVITY)
    assert (activity.lower_threshold, activity.upper_threshold) == (900.0, 1100.0)


def test_a_sheet_named_activity_holds_activity_indicators(tmp_path: Path) -> None:
    path = write_book(tmp_path / "book.xlsx", {
        "KPIs": kpi_sheet(monthly_header(1), [*ROW, 0.91]),
        "Activity data": kpi_sheet(["Ref", "Activity indicator", "Target", MONTHS[0]],
                                   ["AC01", "Referrals received", 1000, 1012]),
    })
    kpi, activity = read(path).indicators
    assert (kpi.type, activity.type, activity.sheet) == (KpiType.KPI, KpiType.ACTIVITY, "Activity data")


def test_type_column_wins(tmp_path: Path) -> None:
    header = ["Indicator", "Type", "Target", "Lower threshold", "Upper threshold", MONTHS[0]]
    path = kpi_book(tmp_path, header,
                    ["Referrals received", "Activity", None, 900, 1100, 1012],
                    ["Adults assessed", "KPI", 0.9, None, None, 0.91])
    assert [i.type for i in read(path).indicators] == [KpiType.ACTIVITY, KpiType.KPI]


# --- mixed percentage scales ------------------------------------------------------------------------


def test_mixed_percentage_scales_are_read_as_fractions_with_a_warning(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, monthly_header(3), [*ROW, 91, Fmt(0.78, "0%"), "80%"])
    data = read(path)
    ind = only(data)
    assert values(ind) == pytest.approx([0.91, 0.78, 0.80])
    assert (ind.target, ind.floor, ind.is_percent) == (0.9, 0.8, True)
    assert [w.where for w in data.warnings] == ["KPIs!A5"]
    assert "mixed" in data.warnings[0].message


def test_percent_unit_with_whole_numbers_reads_fractions(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, ["Indicator", "Unit", "Target", "Floor", *MONTHS[:2]],
                    ["Adults assessed", "%", 90, 80, 91, 78.5])
    ind = only(read(path))
    assert (ind.is_percent, ind.target, ind.floor) == (True, 0.9, 0.8)
    assert values(ind) == pytest.approx([0.91, 0.785])


# --- other sheets ---------------------------------------------------------------------------------


def test_proposals_sheet(tmp_path: Path) -> None:
    path = write_book(tmp_path / "book.xlsx", {
        "KPIs": kpi_sheet(monthly_header(1), [*ROW, 0.91], ["DT01", "Delayed transfers", "L", 10, 15, 9]),
        "Proposed 2020-21": [
            ["Proposed KPIs and targets for 2020/21"], [],
            ["PI Ref", "Indicator description", "Polarity", "Target 2020/21", "Floor 2020/21", "Notes"],
            ["AS01", "Adults assessed within 28 days", "H", Fmt(0.9, "0%"), Fmt(0.85, "0%"), "Floor raised"],
            ["DT01", "Delayed transfers", "L", 8, 12, None],
            ["NW01", "Reviews completed on time", "H", "95%", "90%", "New for 2020/21"],
        ],
    })
    dataset = read(path)
    first, second, new = dataset.proposals
    assert (first.target, first.floor, first.is_percent, first.note) == (0.9, 0.85, True, "Floor raised")
    assert (second.polarity, second.target) == (Polarity.LOWER, 8.0)
    assert (new.code, new.target, new.floor, new.is_percent) == ("NW01", 0.95, 0.9, True)
    lines = {line.code: line for line in proposal_lines(rate(dataset))}  # matched by the one rule
    assert (lines["AS01"].current_target, lines["AS01"].current_floor) == (0.9, 0.8)
    assert lines["DT01"].current_floor == 15.0
    assert lines["NW01"].is_new and not lines["AS01"].is_new


def test_paper_details_sheet_every_key(tmp_path: Path) -> None:
    path = write_book(tmp_path / "book.xlsx", {
        "KPIs": kpi_sheet(monthly_header(1), [*ROW, 0.91]),
        "Paper details": [
            ["Detail", "Value", "Role", "Team", "Phone", "Email"],
            ["Service", "Adult Social Care"],
            ["Committee", "Adult Social Care Cabinet Committee"],
            ["Meeting date", dt.datetime(2020, 7, 29)],
            ["Subject", "Adult Social Care Performance Dashboard"],
            ["Classification", "Unrestricted"],
            ["From", "Jo Smith", "Cabinet Member for Adult Social Care"],
            ["From", "Sam Jones", "Corporate Director"],
            ["Report author", "Ann Analyst", "Chief Analyst", "Performance", "03000 411111",
             "ann@example.gov.uk"],
            ["Relevant director", "Dee Director", "Director", None, "03000 422222", "dee@example.gov.uk"],
            ["Report number", 3],
            ["Reports in year", 3],
            ["KPIs agreed", "May 2019"],
            ["Year end", "Yes"],
        ],
    })
    d = read(path).details
    assert (d.service, d.committee, d.meeting_date, d.subject, d.classification) == (
        "Adult Social Care", "Adult Social Care Cabinet Committee", dt.date(2020, 7, 29),
        "Adult Social Care Performance Dashboard", "Unrestricted")
    assert [(p.name, p.role) for p in d.from_] == [
        ("Jo Smith", "Cabinet Member for Adult Social Care"), ("Sam Jones", "Corporate Director")]
    assert d.author is not None and (d.author.name, d.author.team, d.author.phone, d.author.email) == (
        "Ann Analyst", "Performance", "03000 411111", "ann@example.gov.uk")
    assert d.director is not None and (d.director.name, d.director.phone) == ("Dee Director", "03000 422222")
    assert (d.report_number, d.reports_in_year, d.kpis_agreed, d.year_end) == (3, 3, "May 2019", True)


def test_settings_sheet_every_key(tmp_path: Path) -> None:
    path = write_book(tmp_path / "book.xlsx", {
        "KPIs": kpi_sheet(monthly_header(1), [*ROW, 0.91]),
        "Settings": [
            ["Setting", "Value", "Notes"],
            ["RAG rule", "Tolerance"],
            ["Direction of travel", "Same period last year"],
            ["Amber tolerance", "5%"],
            ["Goal post tolerance", 0.02],
            ["Trend threshold", 3],
            ["Something else", "ignored"],
        ],
    })
    s = read(path).settings
    assert (s.rag_method, s.direction) == (RagMethod.TOLERANCE, DirectionMethod.LAST_YEAR)
    assert (s.tolerance, s.goal_post_tolerance, s.trend_threshold) == pytest.approx((0.05, 0.02, 0.03))


def test_bad_setting_is_an_error_naming_the_cell(tmp_path: Path) -> None:
    from kpi_excel.errors import SettingsError

    path = write_book(tmp_path / "book.xlsx", {
        "KPIs": kpi_sheet(monthly_header(1), [*ROW, 0.91]),
        "Settings": [["Setting", "Value"], ["RAG rule", "Traffic lights"]],
    })
    with pytest.raises(SettingsError) as error:
        read(path)
    assert error.value.where == "Settings!A2"


@pytest.mark.parametrize(("details", "settings", "proposals"), [
    ("Paper details", "Settings", "Proposed 2020-21"),
    ("Cover report", "RAG rules", "Next year"),
    ("details", "SETTINGS", "Proposals"),
])
def test_other_sheets_are_known_by_their_names(tmp_path: Path, details: str, settings: str,
                                               proposals: str) -> None:
    path = write_book(tmp_path / "book.xlsx", {
        "KPIs": kpi_sheet(monthly_header(1), [*ROW, 0.91]),
        details: [["Committee", "Adult Social Care Cabinet Committee"]],
        settings: [["RAG rule", "Tolerance"]],
        proposals: [["PI Ref", "Indicator", "Target", "Floor"], ["AS01", "Adults assessed", 0.95, 0.85]],
    })
    data = read(path)
    assert data.details.committee == "Adult Social Care Cabinet Committee"
    assert data.settings.rag_method is RagMethod.TOLERANCE
    assert [(p.code, p.target) for p in data.proposals] == [("AS01", 0.95)]
    assert [i.code for i in data.indicators] == ["AS01"]


def test_hidden_sheets_are_ignored(tmp_path: Path) -> None:
    path = write_book(tmp_path / "book.xlsx", {
        "Old KPIs": kpi_sheet(monthly_header(1), ["OLD1", "Retired indicator", "H", 0.5, 0.4, 0.1]),
        "KPIs": kpi_sheet(monthly_header(1), [*ROW, 0.91]),
    }, hidden={"Old KPIs"})
    assert [i.code for i in read(path).indicators] == ["AS01"]


def test_sheets_without_a_table_are_skipped_and_tables_on_several_sheets_read(tmp_path: Path) -> None:
    path = write_book(tmp_path / "book.xlsx", {
        "Cover": [["About this tracker"], ["Kept by the Performance team"]],
        "Adults": kpi_sheet(monthly_header(1), [*ROW, 0.91]),
        "Children": kpi_sheet(monthly_header(1), ["CH01", "Children seen", "H", 0.9, 0.8, 0.95]),
    })
    assert [(i.code, i.sheet) for i in read(path).indicators] == [("AS01", "Adults"), ("CH01", "Children")]


def test_no_kpi_table_anywhere(tmp_path: Path) -> None:
    path = write_book(tmp_path / "book.xlsx", {"Cover": [["About this tracker"], ["Nothing here"]]})
    with pytest.raises(NoKpiTableError):
        read(path)


def test_the_file_is_not_changed(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, monthly_header(2), [*ROW, 0.91, "n/a"], above=ABOVE)
    before = path.read_bytes()
    data = read(path)
    import hashlib

    assert path.read_bytes() == before
    assert data.sha256 == hashlib.sha256(before).hexdigest()
