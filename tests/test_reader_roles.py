"""Column roles from the cells as well as the headings, the reading explained, and corrected when wrong."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from builders import Fill, Fmt, write_book
from typer.testing import CliRunner

import kpi_excel as kx
from kpi_excel import pipeline
from kpi_excel.cli import app
from kpi_excel.core import config
from kpi_excel.core.model import Dataset, Indicator, Polarity, Rag, RagMethod, RuleSettings
from kpi_excel.core.rules import green_limit, rag_for
from kpi_excel.core.values import parse_figure, polarity_in_name, relative_target, target_to_do
from kpi_excel.errors import MissingColumnError, SettingsError
from kpi_excel.read import BookReader, Cell
from kpi_excel.read.content import Kind, fill_rating, profile


def read(sheets: dict[str, list[list[object]]], columns: dict[str, str] | None = None) -> Dataset:
    """The sheets read as read_workbook reads them: the Settings sheet first, then the others in order."""
    reader = BookReader(columns_told=dict(columns or {}))
    sheets = dict(sorted(sheets.items(), key=lambda item: item[0] != "Settings"))
    for title, rows in sheets.items():
        reader.add_sheet(title, [[v if isinstance(v, Cell) else Cell(v) for v in row] for row in rows])
    return reader.dataset("tracker.xlsx", "0" * 64, "tracker.xlsx")


def roles(data: Dataset) -> dict[str, str]:
    return {c.heading or c.where: c.role for c in data.columns}


# --- what the cells say -------------------------------------------------------------------------


def test_a_column_of_codes_is_the_code_whatever_its_heading_and_the_text_beside_it_the_name() -> None:
    data = read({"KPIs": [["Indicator", "Description", "Target", "Value Q2 2023/24"],
                          ["NI 191", "Residual household waste per household", 500, 480],
                          ["ASC-3", "Adults in settled accommodation", 80, 84],
                          ["CP/04, CP/05", "Council tax and business rates collected", 97, 96.5]]})
    assert [(i.code, i.name) for i in data.indicators][:2] == [
        ("NI 191", "Residual household waste per household"), ("ASC-3", "Adults in settled accommodation")]
    assert roles(data)["Indicator"] == "code" and roles(data)["Description"] == "name"


def test_a_rating_column_under_any_heading_is_the_stated_rating_and_a_timeliness_status_is_not() -> None:
    data = read({"KPIs": [["Measure", "Target", "Value Q2 2023/24", "Performance", "Status"],
                          ["Calls answered", 90, 92, "Green", "Up to date"],
                          ["Complaints closed", 90, 80, "Red", "Overdue"]]})
    assert [i.stated.rag for i in data.indicators if i.stated] == [Rag.GREEN, Rag.RED]
    assert roles(data)["Performance"] == "stated" and roles(data)["Status"] == "kept"
    assert not any("is not a rating we know" in w.message for w in data.warnings)


@pytest.mark.parametrize(("heading", "cells", "ratings"), [
    ("Target Met?", ["Yes", "No"], [Rag.GREEN, Rag.RED]),
    ("Trend", ["happy face", "Sad face representing not being on target"], [Rag.GREEN, Rag.RED]),
    ("", ["✓", "Red octagon"], [Rag.GREEN, Rag.RED]),
])
def test_ratings_as_yes_no_symbols_and_their_pictures_names(heading: str, cells: list[str],
                                                            ratings: list[Rag]) -> None:
    header = ["Indicator", "Target", "Value Q2 2023/24", heading or None]
    data = read({"KPIs": [header, ["Calls answered", 90, 92, cells[0]],
                          ["Complaints closed", 90, 80, cells[1]]]})
    if heading == "Trend":  # a trend column is never the rating, whatever it holds
        assert all(i.stated is None for i in data.indicators)
        return
    assert [i.stated.rag for i in data.indicators if i.stated] == ratings


def test_colour_only_fills_are_the_stated_rating(tmp_path: Path) -> None:
    path = write_book(tmp_path / "fills.xlsx", {"KPIs": [
        ["Indicator", "Value Q3 2023/24", "Target", "Status"],
        ["Prevention outcomes", Fmt(0.632, "0.0%"), Fmt(0.65, "0%"), Fill("FFC000")],
        ["Households prevented from becoming homeless", 153, 125, Fill("C6EFCE")],  # Excel's pale 'Good'
        ["Relief outcomes", Fmt(0.3, "0.0%"), Fmt(0.4, "0%"), Fill("FF0000")]]})
    report = pipeline.check(path)
    assert [r.indicator.stated.rag for r in report.ratings if r.indicator.stated] == [
        Rag.AMBER, Rag.GREEN, Rag.RED]
    # stated Amber and no floors: the council rates by a tolerance, so 63.2% against 65% is Amber
    assert [r.rag for r in report.ratings] == [Rag.AMBER, Rag.GREEN, Rag.RED]


def test_fill_colours_read_by_hue_and_a_grey_or_blue_is_none() -> None:
    assert [fill_rating(c) for c in ("FF0000", "FFC000", "FFFF00", "00B050", "C6EFCE", "FFC7CE")] == [
        Rag.RED, Rag.AMBER, Rag.AMBER, Rag.GREEN, Rag.GREEN, Rag.RED]
    assert [fill_rating(c) for c in ("D9D9D9", "FFFFFF", "4472C4", "", "nonsense")] == [None] * 5


def test_a_column_of_higher_lower_words_is_the_polarity_and_an_aim_of_figures_the_target() -> None:
    data = read({"KPIs": [["Indicator", "Value", "Aim", "2019/20 Outturn"],
                          ["Missed collections", "Smaller is Better", 50, 42],
                          ["Streets free of litter", "Bigger is better", 90, 88]]})
    assert [(i.polarity, i.target) for i in data.indicators] == [(Polarity.LOWER, 50), (Polarity.HIGHER, 90)]
    assert roles(data)["Value"] == "polarity" and roles(data)["Aim"] == "target"


def test_this_periods_figure_is_chosen_by_what_the_headings_mean() -> None:
    data = read({"KPIs": [["Indicator", "2023/24 Performance", "Target", "Current Performance", "Last Year"],
                          ["Calls answered", 80, 90, 93, 78]]})
    [ind] = data.indicators
    assert [o.value for o in ind.observations] == [93]
    assert roles(data) | {} == {**roles(data), "2023/24 Performance": "history", "Last Year": "history",
                                "Current Performance": "value"}


def test_an_unheaded_figure_column_after_the_dated_ones_is_the_latest() -> None:
    data = read({"KPIs": [["Criteria", "Target", "Year end", "Quarter 1", None, "Target Met"],
                          ["Emergency repairs completed in time", 0.97, 0.991, 0.997, 0.994, "happy face"]]},
                )
    [ind] = data.indicators
    assert ind.observations[-1].value == 0.994 and ind.name == "Emergency repairs completed in time"


def test_a_target_for_a_later_year_than_the_figures_is_not_rated_against() -> None:
    data = read({"KPIs": [["Performance indicator", "2017/18 value", "2018/19 target"],
                          ["Household waste recycled", 0.222, 0.223]]})
    assert data.indicators[0].target is None
    assert any("is for 2018/19, not for the figures' period (2017/18)" in w.message for w in data.warnings)


# --- words a published table uses ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [
    ("27.6 days", 27.6), ("34*", 34), ("512 kg (Q3 time lag)", 512), ("2,382 referred", 2382),
    ("Apr – Dec =1,856. Full year =2,475", 1856)])
def test_figures_written_with_words(text: str, value: float) -> None:
    figure = parse_figure(text)
    assert figure is not None and figure.value == value


@pytest.mark.parametrize("text", ["see note", "Measured twice per year", "Challenge began 05/06", "1 in 5"])
def test_text_that_states_no_one_figure_is_not_read_as_one(text: str) -> None:
    assert parse_figure(text) is None


def test_targets_written_as_a_change_or_as_what_to_do() -> None:
    assert relative_target("Increase the number of disposals by 10%", 1990) == (
        pytest.approx(2189), Polarity.HIGHER)
    assert relative_target("Reduce by 5 percentage points", 0.4) == (pytest.approx(0.35), Polarity.LOWER)
    assert relative_target("Increase by 10%", None) is None
    to_do = target_to_do("To refer 3,000 persons")
    assert to_do is not None and (to_do[0].value, to_do[1]) == (3000, Polarity.HIGHER)


@pytest.mark.parametrize(("name", "polarity"), [
    ("Percentage of homes not meeting the Decent Homes Standard (Lower is better)", Polarity.LOWER),
    ("Reports about non-collection of waste (Minimise)", Polarity.LOWER),
    ("Exclusion rates of children in primary schools (days lost)", Polarity.LOWER),
    ("Average Relet Time (days)", Polarity.LOWER),
    ("Arrears of Council Tax Retrieved (£Millions)", None),
    ("% reduction in number of flytipping incidents", None),
    ("% of complaints responded to within 10 days", None),
    ("% Trading Standards interventions carried out following consumer complaints", None),
])
def test_polarity_from_what_a_name_says_or_means(name: str, polarity: Polarity | None) -> None:
    found = polarity_in_name(name)
    assert (found[0] if found else None) is polarity


# --- corrections --------------------------------------------------------------------------------

TWO_AREAS = [["Indicator", "North", "South", "Target"],
             ["Calls answered", Cell(0.81, "0%"), Cell(0.92, "0%"), Cell(0.9, "0%")]]


def test_the_columns_block_and_the_option_say_which_column_is_which() -> None:
    assert [o.value for o in read({"KPIs": TWO_AREAS}).indicators[0].observations] == [0.81]
    settings = [["Setting", "Value"], ["Columns", "Heading as written"], ["value", "South"]]
    by_sheet = read({"KPIs": TWO_AREAS, "Settings": settings})
    assert [o.value for o in by_sheet.indicators[0].observations] == [0.92]
    assert roles(by_sheet)["South"] == "value" and roles(by_sheet)["North"] == "history"
    by_option = read({"KPIs": TWO_AREAS, "Settings": settings}, columns={"value": "North"})
    assert [o.value for o in by_option.indicators[0].observations] == [0.81]  # the option wins


def test_a_named_heading_that_no_table_has_is_an_error_naming_it() -> None:
    settings = [["Setting", "Value"], ["Columns", "Heading as written"], ["value", "Q3 actual"]]
    with pytest.raises(MissingColumnError) as raised:
        read({"KPIs": TWO_AREAS, "Settings": settings})
    assert "'Q3 actual'" in raised.value.problem and raised.value.where == "Settings!A3"
    with pytest.raises(SettingsError, match="'size' is not a column role we know"):
        config.parse_column_options(["size=North"])


def test_the_python_api_takes_columns(tmp_path: Path) -> None:
    path = write_book(tmp_path / "areas.xlsx", {"KPIs": [
        ["Indicator", "North", "South", "Target"],
        ["Calls answered", Fmt(0.81, "0%"), Fmt(0.92, "0%"), Fmt(0.9, "0%")]]})
    report = kx.check(path, columns={"value": "South"}, period="Q2 2024/25")
    assert (report.ratings[0].value, report.ratings[0].rag) == (0.92, Rag.GREEN)
    with pytest.raises(kx.MissingColumnError, match="'East'"):
        kx.check(path, columns={"value": "East"})


def test_explain_prints_every_column_and_json_carries_them(tmp_path: Path) -> None:
    path = write_book(tmp_path / "areas.xlsx", {"KPIs": [
        ["Indicator", "North", "South", "Target"],
        ["Calls answered", Fmt(0.81, "0%"), Fmt(0.92, "0%"), 0.9]]})
    result = CliRunner().invoke(app, ["check", "--explain", str(path), "--period", "Q2 2024/25"])
    assert result.exit_code == 0
    explained = result.stdout.split("How the columns were read", 1)[1]
    for letter, role in (("A", "name"), ("B", "value"), ("C", "kept"), ("D", "target")):
        assert any(line.split()[:1] == [letter] and role in line.split() for line in explained.splitlines())


# --- the Green band below target ----------------------------------------------------------------


def kpi(polarity: Polarity, target: float, tolerance: float | None = None) -> Indicator:
    return Indicator(name="KPI", polarity=polarity, target=target, tolerance=tolerance)


@pytest.mark.parametrize(("polarity", "value", "rag"), [
    (Polarity.HIGHER, 100, Rag.GREEN), (Polarity.HIGHER, 95, Rag.GREEN), (Polarity.HIGHER, 94.9, Rag.AMBER),
    (Polarity.HIGHER, 90, Rag.AMBER), (Polarity.HIGHER, 89.9, Rag.RED),
    (Polarity.LOWER, 105, Rag.GREEN), (Polarity.LOWER, 106, Rag.AMBER), (Polarity.LOWER, 111, Rag.RED),
])
def test_green_within_5_amber_within_10_red_beyond(polarity: Polarity, value: float, rag: Rag) -> None:
    settings = RuleSettings(rag_method=RagMethod.TOLERANCE, tolerance=0.1, green_within=0.05)
    assert rag_for(value, kpi(polarity, 100), settings) is rag


def test_the_green_band_edge_is_compared_as_a_spreadsheet_compares_it() -> None:
    settings = RuleSettings(rag_method=RagMethod.TOLERANCE, green_within=0.05)
    assert green_limit(kpi(Polarity.HIGHER, 0.9), settings) == pytest.approx(0.855)
    assert rag_for(0.9 - 0.045, kpi(Polarity.HIGHER, 0.9), settings) is Rag.GREEN
    assert rag_for(99, kpi(Polarity.HIGHER, 100), RuleSettings()) is Rag.RED  # no band by default


def test_a_kpis_own_tolerance_wins_over_the_sheets() -> None:
    settings = RuleSettings(rag_method=RagMethod.TOLERANCE, tolerance=0.1)
    assert rag_for(95, kpi(Polarity.HIGHER, 100, tolerance=0.02), settings) is Rag.RED
    assert rag_for(99, kpi(Polarity.HIGHER, 100, tolerance=0.02), settings) is Rag.AMBER


def test_the_green_band_from_the_settings_sheet_the_option_and_the_api(tmp_path: Path) -> None:
    rows = [["Code", "Indicator", "Target", "Q2 2024/25"], ["GB01", "Rent collected", 98, 96]]
    by_sheet = read({"KPIs": rows, "Settings": [["Green within", "5%"]]})
    assert by_sheet.settings.green_within == 0.05
    path = write_book(tmp_path / "band.xlsx", {"KPIs": rows})
    assert pipeline.check(path).ratings[0].rag is Rag.RED
    assert kx.check(path, green_within="5%").ratings[0].rag is Rag.GREEN
    result = CliRunner().invoke(app, ["check", "--json", str(path), "--green-within", "5%"])
    assert '"rag": "GREEN"' in result.stdout


def test_a_key_above_the_table_gives_the_rule_when_the_workbook_names_none() -> None:
    key = [["Key"], [Cell(None, fill="FFC000"), "Target slightly missed (within 10%)"],
           [None, "Green", "On or within 5% of the annual target"]]
    rows = [*key, ["Indicator", "Target", "Value Q2 2023/24"], ["Calls answered", 100, 95],
            ["Complaints closed", 100, 91]]
    data = read({"KPIs": rows})
    assert (data.settings.rag_method, data.settings.tolerance, data.settings.green_within) == (
        RagMethod.TOLERANCE, 0.1, 0.05)
    named = read({"KPIs": rows, "Settings": [["RAG rule", "Floor standard"]]})
    assert named.settings.rag_method is RagMethod.FLOOR and named.settings.green_within == 0


def test_the_guidance_says_what_the_band_means() -> None:
    from kpi_excel.present.guidance import rag_key, rule_name

    settings = dataclasses.replace(RuleSettings(), rag_method=RagMethod.TOLERANCE, green_within=0.05)
    assert rag_key(settings)[0].meaning == ("The target was achieved or exceeded, or missed by no more "
                                            "than 5% of it.")
    assert rule_name(settings) == "Tolerance (10%); Green within 5%"


def test_a_column_profile_tells_figures_names_ratings_and_row_numbers_apart() -> None:
    def kind(*values: object) -> Kind:
        return profile(Cell(v) for v in values).kind

    assert kind(1, 2, 3, 4) is Kind.ROW_NUMBERS
    assert kind(0.9, "TBC", 0.85) is Kind.NUMBERS
    assert kind("Green", "red", "N/A") is Kind.RATINGS
    assert kind("Up to date", "Overdue", "Up to date", "Up to date") is Kind.WORDS
    assert kind("NI 191", "ASC-3", "PM12a") is Kind.CODES
    assert kind("Apr 2024", "Jul 2024") is Kind.PERIODS
