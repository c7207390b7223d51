"""The layouts councils publish: where the period is written, their own words, layout accidents."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from builders import Fmt, write_book
from typer.testing import CliRunner

from kpi_excel import pipeline
from kpi_excel.cli import app
from kpi_excel.core.formatting import format_value
from kpi_excel.core.model import Dataset, Period, Polarity, Rag
from kpi_excel.core.rules import rate
from kpi_excel.core.values import parse_polarity, parse_stated_rag
from kpi_excel.errors import BadValueError, MissingColumnError
from kpi_excel.read import BookReader, Cell
from kpi_excel.read.headings import header_role

HEADER = ["Ref", "Indicator", "Polarity", "Value", "Target", "Status"]
ROWS = [["CS01", "Council tax collected", "H", Fmt(0.81, "0.0%"), Fmt(0.8, "0.0%"), "Target met"],
        ["CS02", "Invoices paid in 30 days", "H", Fmt(0.86, "0.0%"), Fmt(0.9, "0.0%"), "Target not achieved"]]


def cells(*rows: list[object]) -> list[list[Cell]]:
    return [[v if isinstance(v, Cell) else Cell(v.value, v.number_format) if isinstance(v, Fmt) else Cell(v)
             for v in row] for row in rows]


def from_rows(sheets: dict[str, list[list[object]]], source: str = "tracker.xlsx",
              period: Period | None = None) -> Dataset:
    reader = BookReader(period=period)
    for title, rows in sheets.items():
        reader.add_sheet(title, cells(*rows))
    return reader.dataset(source, "0" * 64, source)


def periods(dataset: Dataset) -> set[str]:
    return {o.period.label for ind in dataset.indicators for o in ind.observations}


def merged_book(path: Path, rows: list[list[object]], merges: list[str], sheet: str = "KPIs") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append([v.value if isinstance(v, Fmt) else v for v in row])
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if isinstance(v, Fmt):
                ws.cell(r, c).number_format = v.number_format
    for span in merges:
        ws.merge_cells(span)
    book.save(path)
    return path


# --- where the period is written ---------------------------------------------------------------


def test_a_banner_merged_over_value_target_status_names_the_one_period(tmp_path: Path) -> None:
    rows = [["Corporate performance"], [None, None, None, "Q2 2023/24"], HEADER, *ROWS]
    report = pipeline.check(merged_book(tmp_path / "kpis.xlsx", rows, ["D2:F2"]))
    assert periods(report.dataset) == {"Q2 2023/24"}
    source = report.dataset.period_source
    assert source is not None and (source.kind, source.where) == ("banner", "KPIs!D2")


def test_a_banner_over_the_value_column_without_merging(tmp_path: Path) -> None:
    data = from_rows({"KPIs": [[None, None, None, None, "Quarter 3 2018/19"], HEADER, *ROWS]})
    assert periods(data) == {"Q3 2018/19"}


@pytest.mark.parametrize(("title", "label"), [
    ("Key Performance Indicators – Quarter 3 2018/19", "Q3 2018/19"),
    ("Performance as at 31 December 2018", "Dec-18"),
    ("2018/19 performance report", "2018/19"),
])
def test_the_title_above_the_table_names_the_period(title: str, label: str) -> None:
    data = from_rows({"KPIs": [[title], ["Figures are provisional"], HEADER, *ROWS]})
    assert periods(data) == {label}
    assert data.period_source is not None and data.period_source.kind == "title"


def test_a_quarter_and_year_on_two_title_rows_are_read_together() -> None:
    data = from_rows({"KPIs": [["Key Performance Indicators 2018/19"], ["Quarter 3"], HEADER, *ROWS]})
    assert periods(data) == {"Q3 2018/19"}


@pytest.mark.parametrize(("sheet", "label"), [("Q3 2018-19", "Q3 2018/19"), ("Dec 19", "Dec-19")])
def test_the_sheet_name_names_the_period(sheet: str, label: str) -> None:
    data = from_rows({sheet: [HEADER, *ROWS]})
    assert periods(data) == {label}
    assert data.period_source is not None and data.period_source.kind == "sheet name"


def test_the_file_name_names_the_period_last() -> None:
    data = from_rows({"KPIs": [HEADER, *ROWS]}, source="corporate-kpis-q1-2019-20.xlsx")
    assert periods(data) == {"Q1 2019/20"}
    data = from_rows({"Q2 2019-20": [HEADER, *ROWS]}, source="corporate-kpis-q1-2019-20.xlsx")
    assert periods(data) == {"Q2 2019/20"}  # the sheet name comes first


def test_the_order_of_places_option_settings_banner_title() -> None:
    table = [["Report for Q1 2019/20"], [None, None, None, "Q2 2019/20"], HEADER, *ROWS]
    settings = [["Setting", "Value"], ["Reporting period", "Q3 2019/20"]]
    assert periods(from_rows({"KPIs": table})) == {"Q2 2019/20"}  # banner before title
    assert periods(from_rows({"KPIs": table, "Settings": settings})) == {"Q3 2019/20"}  # after the table
    option = from_rows({"KPIs": table, "Settings": settings},
                       period=pipeline.config.parse_period_option("Q4 2019/20"))
    assert periods(option) == {"Q4 2019/20"}
    assert option.period_source is not None and option.period_source.kind == "--period"


def test_a_settings_value_that_is_no_period_is_passed_over() -> None:
    data = from_rows({"Q1 2019-20": [HEADER, *ROWS], "Settings": [["Period", "Monthly"]]})
    assert periods(data) == {"Q1 2019/20"}


@pytest.mark.parametrize(("heading", "label"), [("Q2 2023/24 Value", "Q2 2023/24"),
                                                 ("2019/20 Outturn", "2019/20"),
                                                 ("Value (Quarter 2 2023/24)", "Q2 2023/24")])
def test_the_period_may_come_before_the_value_word(heading: str, label: str) -> None:
    data = from_rows({"KPIs": [[*HEADER[:3], heading, *HEADER[4:]], *ROWS]})
    assert periods(data) == {label} and data.period_source is None


def test_value_columns_each_naming_a_period_are_a_series() -> None:
    header = ["Ref", "Indicator", "Target", "Q1 2019/20 Value", "Q2 2019/20 Value"]
    data = from_rows({"KPIs": [header, ["A1", "Adults", 10, 8, 11]]})
    [ind] = data.indicators
    assert [(o.period.label, o.value) for o in ind.observations] == [("Q1 2019/20", 8), ("Q2 2019/20", 11)]


def test_check_says_where_the_period_came_from(tmp_path: Path) -> None:
    path = write_book(tmp_path / "tracker.xlsx", {"Q3 2018-19": [HEADER, *ROWS]})
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0 and "The period comes from the sheet name" in result.stdout
    data = json.loads(CliRunner().invoke(app, ["check", str(path), "--json"]).stdout)
    assert data["period_source"] == {"kind": "sheet name", "where": "'Q3 2018-19'", "text": "Q3 2018-19"}
    assert data["period"] == "Q3 2018/19"


def test_nothing_names_the_period_check_rates_latest_build_names_the_ways(tmp_path: Path) -> None:
    path = write_book(tmp_path / "tracker.xlsx", {"KPIs": [HEADER, *ROWS]})
    checked = CliRunner().invoke(app, ["check", str(path), "--json"])
    data = json.loads(checked.stdout)
    assert (checked.exit_code, data["period"], data["financial_year"]) == (0, "latest", None)
    assert [k["rag"] for k in data["kpis"]] == ["GREEN", "RED"]
    assert any("does not say which period" in w["message"] for w in data["warnings"])
    built = CliRunner().invoke(app, ["build", str(path), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert built.exit_code == 1 and not (tmp_path / "out").exists()
    [line] = built.stderr.strip().splitlines()
    assert "KPIs!D1" in line and "--period" in line and "Settings sheet" in line
    again = CliRunner().invoke(app, ["build", str(path), "--out", str(tmp_path / "out"), "--jobs", "1",
                                     "--period", "Q3 2018/19", "--quiet"])
    assert again.exit_code == 0, again.stderr


def test_a_period_option_that_is_no_period_is_wrong_usage(tmp_path: Path) -> None:
    path = write_book(tmp_path / "tracker.xlsx", {"KPIs": [HEADER, *ROWS]})
    result = CliRunner().invoke(app, ["check", str(path), "--period", "soon"])
    assert result.exit_code == 2 and "soon" in result.stderr


def test_a_header_split_over_two_rows_is_read_as_one() -> None:
    rows = [["Ref", "Indicator", "Value Q1 2019/20"], [None, None, None, "Target"], ["A1", "Adults", 5, 6]]
    [ind] = from_rows({"KPIs": rows}).indicators
    assert (ind.code, ind.target, [o.value for o in ind.observations]) == ("A1", 6, [5])


def test_a_lower_row_that_looks_like_the_real_header_is_named_in_the_error() -> None:
    rows = [["Ref", "Indicator", "Value Q1 2019/20"], ["Notes", "", "see below"],
            [None, None, None, "Target"], ["A1", "Adults", 5, 6]]
    with pytest.raises(MissingColumnError) as error:
        from_rows({"KPIs": rows})
    assert "D3 below it says 'Target'" in error.value.problem and error.value.where == "KPIs!B1"


# --- the council's own words -------------------------------------------------------------------


@pytest.mark.parametrize(("heading", "role"), [
    ("PI Name", "indicator"), ("PI Code", "code"), ("Measure Title", "indicator"), ("Aim", "polarity"),
    ("Good is", "polarity"), ("Outturn to date", "value"), ("Performance Measure", "indicator"),
    ("KPI Status", "status"), ("RAG", "status"), ("Year to date actual", "value"),
])
def test_headings_are_matched_by_their_words(heading: str, role: str) -> None:
    found = header_role(heading)
    assert found is not None and found.value == role


@pytest.mark.parametrize("heading", ["Previous outturn", "Direction of travel", "Last year", "Trend",
                                     "Baseline 2018/19"])
def test_headings_with_unknown_words_are_not_guessed(heading: str) -> None:
    assert header_role(heading) is None


def test_a_table_in_a_performance_system_s_words_reads() -> None:
    header = ["PI Code", "PI Name", "Aim", "Outturn to date", "Target"]
    data = from_rows({"Q4 2019-20": [header, ["P1", "Sickness days", "Aim to Minimise", 9.1, 8.5]]})
    [ind] = data.indicators
    assert (ind.code, ind.name, ind.polarity, ind.target) == ("P1", "Sickness days", Polarity.LOWER, 8.5)


@pytest.mark.parametrize(("words", "polarity"), [
    ("Aim to Maximise", Polarity.HIGHER), ("Aim to Minimise", Polarity.LOWER),
    ("Bigger is better", Polarity.HIGHER), ("Smaller is better", Polarity.LOWER),
    ("Good performance: High", Polarity.HIGHER), ("Good performance: Low", Polarity.LOWER),
    ("↑ good", Polarity.HIGHER), ("↓ good", Polarity.LOWER), ("+", Polarity.HIGHER), ("-", Polarity.LOWER),
])
def test_polarity_as_performance_systems_export_it(words: str, polarity: Polarity) -> None:
    assert parse_polarity(words) is polarity


def test_an_unknown_polarity_is_still_an_error() -> None:
    with pytest.raises(BadValueError, match="'sideways' is not one we know"):
        from_rows({"KPIs": [["Indicator", "Polarity", "Target", "Apr-19"], ["Adults", "sideways", 1, 2]]})


@pytest.mark.parametrize(("text", "rag"), [
    ("Target met", Rag.GREEN), ("Target slightly missed (within 10%)", Rag.AMBER),
    ("Target not achieved", Rag.RED), ("Data Only", None), ("G", Rag.GREEN), ("A", Rag.AMBER),
    ("R", Rag.RED), ("On target", Rag.GREEN), ("Off target", Rag.RED),
])
def test_stated_ratings_in_the_council_s_words(text: str, rag: Rag | None) -> None:
    stated = parse_stated_rag(text)
    assert stated is not None and stated.rag is rag and stated.text == text


def test_the_stated_rating_is_shown_beside_ours_and_every_disagreement_warned(tmp_path: Path) -> None:
    rows = [*ROWS, ["CS03", "Calls answered", "H", Fmt(0.95, "0%"), Fmt(0.9, "0%"), "A"],
            ["CS04", "Visits", "H", 5, 4, "purple"]]
    path = write_book(tmp_path / "tracker.xlsx", {"Q2 2023-24": [HEADER, *rows]})
    data = json.loads(CliRunner().invoke(app, ["check", str(path), "--json", "--rule", "floor"]).stdout)
    assert [(k["rag"], k["stated_rag"], k["stated_status"]) for k in data["kpis"]] == [
        ("GREEN", "GREEN", "Target met"), ("RED", "RED", "Target not achieved"), ("GREEN", "AMBER", "A"),
        ("GREEN", None, None)]  # a word we do not know is not compared
    messages = {w["where"]: w["message"] for w in data["warnings"]}
    assert "states Amber ('A'), but the rule gives Green" in messages["'Q2 2023-24'!F4"]
    assert "'purple' is not a rating we know" in messages["'Q2 2023-24'!F5"]
    shown = CliRunner().invoke(app, ["check", str(path), "--rule", "floor"]).stdout
    assert "Stated" in shown and "Amber ≠" in shown


def test_stated_rag_is_null_without_a_status_column(tmp_path: Path) -> None:
    path = write_book(tmp_path / "tracker.xlsx", {"KPIs": [["Indicator", "Target", "Apr-19"], ["A", 1, 2]]})
    [kpi] = json.loads(CliRunner().invoke(app, ["check", str(path), "--json"]).stdout)["kpis"]
    assert kpi["stated_rag"] is None and kpi["stated_status"] is None


def test_a_reason_typed_in_a_value_cell_outlasts_later_blank_columns() -> None:
    header = ["Indicator", "Target", "Q1 2023/24", "Q2 2023/24", "Q3 2023/24", "Q4 2023/24"]
    data = from_rows({"KPIs": [header, ["Adults", 5, "Data not available until 2024", None, None],
                               ["Others", 5, 6, 7, 8]]})
    report = rate(data)
    assert report.ratings[0].not_rated_reason == "no data (Data not available until 2024)"


def test_targets_keep_the_format_they_were_written_in() -> None:
    header = ["Indicator", "Target", "Value 2019/20"]
    data = from_rows({"KPIs": [header, ["Spend per head", Cell(7373.55, "#,##0.00"), 7100],
                               ["Cost", "£1,250.50", 1200], ["Plain", 7373.55, 7000]]})
    first, second, third = data.indicators
    assert format_value(first.target, first) == "7,373.55"
    assert format_value(second.target, second) == "£1,250.50"
    assert format_value(third.target, third) == "7,373.55"


# --- layout accidents --------------------------------------------------------------------------


def test_a_target_merged_over_two_kpi_rows_applies_to_both(tmp_path: Path) -> None:
    rows = [["Ref", "Indicator", "Target", "Floor", "Apr-19"],
            ["A1", "Adults assessed", 10, 8, 11], ["A2", "Adults reviewed", None, 7, 9]]
    report = pipeline.check(merged_book(tmp_path / "t.xlsx", rows, ["C2:C3"]))
    assert [r.indicator.target for r in report.ratings] == [10, 10]
    assert [r.rag for r in report.ratings] == [Rag.GREEN, Rag.AMBER]
    assert any(w.where == "KPIs!C2:C3" and "applies to each" in w.message for w in report.warnings)


def test_a_header_row_repeated_inside_the_table_is_skipped_with_a_warning() -> None:
    header = ["Ref", "Indicator", "Target", "Apr-19"]
    data = from_rows({"KPIs": [header, ["A1", "Adults", 10, 11], [], header, ["A2", "Carers", 5, 6]]})
    assert [i.code for i in data.indicators] == ["A1", "A2"]
    assert any(w.where == "KPIs!A4" and "row 4 repeats the header row" in w.message for w in data.warnings)


def test_value_target_status_repeated_under_period_banners_is_a_series(tmp_path: Path) -> None:
    rows = [[None, None, "Q1 2023/24", None, None, "Q2 2023/24"],
            ["Ref", "Indicator", "Value", "Target", "Status", "Value", "Target", "Status"],
            ["CS01", "Calls answered", Fmt(0.7, "0%"), Fmt(0.8, "0%"), "Off target",
             Fmt(0.85, "0%"), Fmt(0.9, "0%"), "A"]]
    report = pipeline.check(merged_book(tmp_path / "t.xlsx", rows, ["C1:E1", "F1:H1"]))
    [rating] = report.ratings
    assert [(o.period.label, o.value) for o in rating.indicator.observations] == [
        ("Q1 2023/24", 0.7), ("Q2 2023/24", 0.85)]
    # the latest group's target; Amber by the tolerance the council's stated Amber shows
    assert (rating.indicator.target, rating.rag) == (0.9, Rag.AMBER)
    assert rating.indicator.stated is not None and rating.indicator.stated.rag is Rag.AMBER


def test_stated_ambers_without_floors_show_the_council_rates_by_a_tolerance() -> None:
    rows = [["Indicator", "Target", "Value Q2 2023/24", "Status"],
            ["Calls answered", 100, 88, "Target slightly missed (within 15%)"],
            ["Complaints closed", 100, 80, "Off target"]]
    data = from_rows({"KPIs": rows})
    assert (data.settings.rag_method.value, data.settings.tolerance) == ("tolerance", 0.15)
    assert [r.rag for r in rate(data).ratings] == [Rag.AMBER, Rag.RED]
    assert any("within 15% of the target" in w.message and w.where == "KPIs!D2" for w in data.warnings)
    floors = from_rows({"KPIs": [[*rows[0], "Floor"], [*rows[1], 90], [*rows[2], 85]]})
    assert floors.settings.rag_method.value == "floor"  # floors given: the floor rule stands
    settings = from_rows({"KPIs": rows, "Settings": [["RAG rule", "Floor standard"]]})
    assert settings.settings.rag_method.value == "floor"  # the workbook's own rule stands


@pytest.mark.parametrize(("target", "value", "polarity", "rag"), [
    (">= 95%", Fmt(0.96, "0%"), Polarity.HIGHER, Rag.GREEN),
    ("< 10", 12, Polarity.LOWER, Rag.RED),
    ("at least 90%", Fmt(0.91, "0%"), Polarity.HIGHER, Rag.GREEN),
    ("≤ 5 days", 4, Polarity.LOWER, Rag.GREEN),
    ("90% (national average)", Fmt(0.85, "0%"), Polarity.HIGHER, Rag.RED),
])
def test_targets_written_as_comparisons_or_with_a_note(target: str, value: object, polarity: Polarity,
                                                       rag: Rag) -> None:
    data = from_rows({"KPIs": [["Indicator", "Target", "Value 2019/20"], ["Measure", target, value]]})
    [rating] = rate(data).ratings
    assert (rating.indicator.polarity, rating.rag) == (polarity, rag)


def test_a_target_that_is_words_is_still_an_error() -> None:
    with pytest.raises(BadValueError, match="the target 'high'"):
        from_rows({"KPIs": [["Indicator", "Target", "Value 2019/20"], ["Measure", "high", 5]]})


@pytest.mark.parametrize(("above", "sheet", "labels"), [
    ([["Key Performance Indicators 2023/24"]], "KPIs", ["Q1 2023/24", "Q2 2023/24"]),
    ([], "2019-20", ["Q1 2019/20", "Q2 2019/20"]),
])
def test_quarter_columns_without_a_year_take_it_from_where_it_is_written(
        above: list[list[object]], sheet: str, labels: list[str]) -> None:
    header = ["Indicator", "Target", "Q1", "Q2", "Q3", "Q4"]
    data = from_rows({sheet: [*above, header, ["Calls answered", 10, 8, 11]]})
    [ind] = data.indicators
    assert [o.period.label for o in ind.observations if o.value is not None] == labels


def test_month_columns_without_a_year_run_april_to_march() -> None:
    header = ["Indicator", "Target", "Apr", "May", "Jan", "Feb", "Mar"]
    data = from_rows({"KPIs": [["Tracker 2019/20"], header, ["Calls", 10, 1, 2, 3, 4, 5]]})
    assert [o.period.label for o in data.indicators[0].observations] == [
        "Apr-19", "May-19", "Jan-20", "Feb-20", "Mar-20"]


def test_quarter_columns_whose_year_nothing_names_are_an_error() -> None:
    with pytest.raises(MissingColumnError, match="do not say which year") as error:
        from_rows({"KPIs": [["Indicator", "Target", "Q1", "Q2"], ["Calls", 10, 8, 11]]})
    assert error.value.where == "KPIs!C1"


def test_a_two_row_header_with_the_period_merged_over_value_target_status(tmp_path: Path) -> None:
    rows = [["Ref", "Indicator", "Polarity", "Q2 2023/24"],
            [None, None, None, "Value", "Target", "Status"],
            ["CS01", "Calls answered", "H", Fmt(0.93, "0%"), Fmt(0.9, "0%"), "G"]]
    path = merged_book(tmp_path / "t.xlsx", rows, ["A1:A2", "B1:B2", "C1:C2", "D1:F1"])
    report = pipeline.check(path)
    [rating] = report.ratings
    assert [(o.period.label, o.value) for o in rating.indicator.observations] == [("Q2 2023/24", 0.93)]
    stated = rating.indicator.stated
    assert (rating.indicator.target, rating.rag, stated and stated.rag) == (0.9, Rag.GREEN, Rag.GREEN)
    assert report.dataset.period_source is not None and report.dataset.period_source.where == "KPIs!D1"


@pytest.mark.parametrize("words", ["Data only", "Monitor", "Baseline year", "No target set",
                                   "Not applicable"])
def test_words_for_no_target_leave_the_kpi_unrated(words: str) -> None:
    data = from_rows({"KPIs": [["Indicator", "Target", "Value 2019/20"], ["Visitors", words, 950]]})
    [rating] = rate(data).ratings
    assert (rating.indicator.target, rating.rag, rating.not_rated_reason) == (None, None, "no target")


def test_one_quarter_column_without_a_year_is_the_value_column() -> None:
    data = from_rows({"KPIs": [["Performance report 2018/19"], ["Indicator", "Target", "Q3 Actual"],
                               ["Calls", 10, 12]]})
    assert periods(data) == {"Q3 2018/19"}


def test_a_title_row_right_above_the_header_takes_nothing_from_it() -> None:
    rows = [["Key Performance Indicators – Quarter 3 2018/19"],
            ["PI Code", "PI Name", "Value", "Target", "Direction of travel"], ["A1", "Calls", 1, 2, "up"]]
    data = from_rows({"KPIs": rows})
    assert data.extra_headers == ("Direction of travel",) and data.indicators[0].row == 3
