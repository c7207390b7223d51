"""The Python API: kx.check/rate/build/from_pandas, the DataFrames, and the CLI never loading pandas."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from builders import Fmt, kpi_book, monthly_header
from typer.testing import CliRunner

import kpi_excel as kx
from kpi_excel import pipeline
from kpi_excel.cli import app
from kpi_excel.core.model import DirectionMethod, RagMethod
from kpi_excel.present.export import report_to_dict

pd = pytest.importorskip("pandas")  # a dev dependency: uv run pytest always has it


def comparable(report: kx.Report) -> dict[str, Any]:
    """check --json without what names the source and places (a DataFrame has no sheet cells)."""
    data = report_to_dict(report)
    for key in ("source", "sha256", "columns"):
        data.pop(key)
    for kpi in data["kpis"]:
        kpi.pop("cell")
    data["warnings"] = [w["message"] for w in data["warnings"]]
    return data


# --- the package ---------------------------------------------------------------------------------


def test_all_lists_names_that_exist_and_dir_shows_them() -> None:
    assert {"check", "rate", "build", "from_pandas", "Report", "Dataset", "KpiExcelError",
            "ExtraNotInstalledError"} <= set(kx.__all__)
    for name in kx.__all__:
        assert getattr(kx, name) is not None, name
    assert set(kx.__all__) <= set(dir(kx))
    with pytest.raises(AttributeError):
        kx.no_such_thing  # noqa: B018


def test_the_errors_are_the_ones_the_cli_prints() -> None:
    from kpi_excel import errors

    for name in kx.__all__:
        if name.endswith("Error"):
            assert getattr(kx, name) is getattr(errors, name)
            assert issubclass(getattr(kx, name), errors.KpiExcelError)


def _modules_after(code: str) -> set[str]:
    """The top-level modules loaded by a fresh interpreter after running code."""
    runner = f"{code}\nimport sys, json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", runner], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_importing_the_package_loads_nothing_heavy() -> None:
    loaded = _modules_after("import kpi_excel")
    assert not loaded & {"pandas", "numpy", "openpyxl", "typer", "xlsxwriter", "docx"}


@pytest.mark.parametrize("args", [["check", "{sample}"], ["check", "{csv}", "--json"],
                                  ["build", "{sample}", "--out", "{out}", "--quiet", "--jobs", "1"]])
def test_the_command_line_never_imports_pandas(args: list[str], sample: Path, tmp_path: Path) -> None:
    csv = tmp_path / "long.csv"
    kx.check(sample).observations_to_pandas().to_csv(csv, index=False)
    argv = [a.format(sample=sample, csv=csv, out=tmp_path / "out") for a in args]
    code = (f"import sys\nsys.argv = ['kpi-excel', *{argv!r}]\nfrom kpi_excel.cli import main\n"
            "try:\n    main()\nexcept SystemExit as stop:\n    assert not stop.code, stop.code\n")
    loaded = _modules_after(code)
    assert "kpi_excel" in loaded and "typer" in loaded  # the runner did run the command line
    assert "pandas" not in loaded
    assert "numpy" not in loaded


# --- check, rate, build ----------------------------------------------------------------------------


def test_check_returns_the_report_the_cli_prints(sample: Path) -> None:
    report = kx.check(str(sample))
    assert isinstance(report, kx.Report)
    printed = json.loads(CliRunner().invoke(app, ["check", str(sample), "--json"]).stdout)
    assert report_to_dict(report) == printed
    assert (report.summary.green, report.summary.amber, report.summary.red) == (21, 3, 1)


def test_check_takes_the_cli_options_as_keywords(sample: Path) -> None:
    report = kx.check(sample, rule="tolerance", tolerance="5%", direction="trend")
    settings = report.dataset.settings
    assert (settings.rag_method, settings.tolerance, settings.direction) == (
        RagMethod.TOLERANCE, 0.05, DirectionMethod.TREND)
    options = pipeline.Options(settings={"rag_method": RagMethod.TOLERANCE, "tolerance": 0.05,
                                    "direction": DirectionMethod.TREND})
    assert report_to_dict(report) == report_to_dict(pipeline.check(sample, options))
    printed = CliRunner().invoke(app, ["check", str(sample), "--json", "--rule", "tolerance",
                                       "--tolerance", "5%", "--direction", "trend"]).stdout
    assert report_to_dict(report) == json.loads(printed)
    assert kx.check(sample, tolerance=0.05).dataset.settings.tolerance == 0.05


def test_a_bad_option_is_a_settings_error(sample: Path) -> None:
    with pytest.raises(kx.SettingsError) as raised:
        kx.check(sample, rule="traffic-lights")
    assert "traffic-lights" in str(raised.value)
    with pytest.raises(kx.SettingsError):
        kx.check(sample, direction="sideways")


def test_rate_applies_options_over_the_dataset(sample: Path) -> None:
    report = kx.check(sample)
    tolerant = kx.rate(report.dataset, rule="tolerance", tolerance="50%")
    assert tolerant.dataset.settings.rag_method is RagMethod.TOLERANCE
    assert tolerant.summary.red == 0  # a 50 % tolerance leaves no KPI of the sample Red
    assert report_to_dict(kx.rate(report.dataset)) == report_to_dict(report)


def test_bad_input_raises_the_named_error_and_prints_nothing(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    book = kpi_book(tmp_path, ["Code", "Indicator", "Target", "Apr-19"], ["A1", "Calls", "high", 5])
    with pytest.raises(kx.BadValueError) as raised:
        kx.check(book)
    assert raised.value.where == "KPIs!C5"  # three rows above the header (builders.ABOVE)
    assert str(raised.value) == raised.value.line()
    with pytest.raises(kx.UnreadableWorkbookError):
        kx.check(tmp_path / "missing.xlsx")
    assert capsys.readouterr() == ("", "")


def test_build_from_a_report_or_a_path_writes_what_the_cli_writes(
        sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = kx.check(sample)
    from_report = kx.build(report, out=tmp_path / "a", committee="Policy and Resources Committee")
    from_path = kx.build(sample, out=tmp_path / "b")
    names = sorted(p.name for p in from_report.outputs)
    assert names == ["scs-kpi-tracker-2019-20-paper.docx", "scs-kpi-tracker-2019-20-rag.xlsx"]
    # from a path, the workbook itself is there to be rated in place too; a report does not carry it
    assert sorted(p.name for p in from_path.outputs) == sorted([*names, "scs-kpi-tracker-2019-20-rated.xlsx"])
    assert from_report.report.dataset.details.committee == "Policy and Resources Committee"
    assert capsys.readouterr() == ("", "")
    cli = CliRunner().invoke(app, ["build", str(sample), "--out", str(tmp_path / "c"), "-q", "-j", "1"])
    assert cli.exit_code == 0
    # the workbook is byte-identical for the same report (fixed timestamps)
    for name in ("scs-kpi-tracker-2019-20-rag.xlsx",):
        assert (tmp_path / "b" / name).read_bytes() == (tmp_path / "c" / name).read_bytes()


def test_build_refuses_unknown_keywords(sample: Path, tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="comittee"):
        kx.build(sample, out=tmp_path, comittee="typo")


def test_build_with_new_rule_options_rates_again(sample: Path, tmp_path: Path) -> None:
    result = kx.build(kx.check(sample), out=tmp_path, rule="tolerance", tolerance="50%")
    assert result.report.summary.red == 0


# --- the DataFrames --------------------------------------------------------------------------------


def test_to_pandas_holds_the_fields_and_values_of_check_json(sample: Path) -> None:
    report = kx.check(sample)
    frame = report.to_pandas()
    printed = json.loads(CliRunner().invoke(app, ["check", str(sample), "--json"]).stdout)["kpis"]
    assert list(frame.columns) == list(printed[0])
    assert len(frame) == len(printed)
    for record, row in zip(printed, frame.to_dict("records"), strict=True):
        for key, value in record.items():
            got = row[key]
            if value is None:
                assert got is None or (isinstance(got, float) and math.isnan(got)), key
            else:
                assert got == value, key


def test_to_pandas_types(sample: Path) -> None:
    report = kx.check(sample)
    frame = report.to_pandas()
    assert isinstance(frame["rag"].dtype, pd.CategoricalDtype) and frame["rag"].cat.ordered
    assert list(frame["rag"].cat.categories) == ["RED", "AMBER", "GREEN"]
    assert frame.sort_values("rag")["code"].iloc[0] == "GL02"  # the one Red sorts first
    for column in ("value", "target", "floor", "lower_threshold", "upper_threshold"):
        assert frame[column].dtype == "float64", column
    assert frame["is_percent"].dtype == bool and frame["stale"].dtype == bool
    assert frame["period"].cat.ordered
    assert list(frame["period"].cat.categories) == [p.label for p in report.dataset.periods]
    assert frame.loc[frame["period"] < "Mar-20", "code"].tolist() == ["ICT01"]  # the stale one
    assert report.observations_to_pandas()["period"].max() == "Mar-20"  # by date: as text, Sep-19
    assert frame["range"].cat.ordered
    # every value the model has is a category: none would turn into NaN
    from kpi_excel.core.model import Direction, KpiType, Polarity, Rag, RangeStatus

    for column, enum in (("rag", Rag), ("dot", Direction), ("range", RangeStatus), ("type", KpiType),
                         ("polarity", Polarity)):
        assert set(frame[column].cat.categories) == {e.value for e in enum}, column


def test_data_only_indicators_keep_their_direction_and_round_trip(tmp_path: Path) -> None:
    header = monthly_header(3, ["Code", "Indicator", "Polarity", "Target"])
    book = kpi_book(tmp_path, header, ["D1", "Contacts", "Data only", None, 10, 12, 15],
                    ["K1", "Calls answered", "H", 5, 4, 5, 6])
    report = kx.check(book)
    frame = report.to_pandas()
    assert frame["dot"].astype(str).tolist() == [r.direction.value for r in report.ratings if r.direction]
    assert comparable(kx.rate(kx.from_pandas(report.observations_to_pandas()))) == comparable(report)


def test_observations_are_every_value_of_every_indicator(sample: Path) -> None:
    report = kx.check(sample)
    frame = report.observations_to_pandas()
    indicators = report.dataset.indicators
    assert len(frame) == sum(len(ind.observations) for ind in indicators)
    for ind in indicators:
        rows = frame[frame["code"] == ind.code]
        assert [None if math.isnan(v) else v for v in rows["value"]] == [o.value for o in ind.observations]
        assert list(rows["period"].astype(str)) == [o.period.label for o in ind.observations]
    assert frame["period_start"].dtype.kind == "M"
    shuffled = frame.sample(frac=1, random_state=1).sort_values("period", kind="stable")
    assert list(shuffled["period_start"]) == sorted(frame["period_start"])


def test_to_pandas_without_pandas_says_which_extra_to_install(sample: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    report = kx.check(sample)
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    monkeypatch.delitem(sys.modules, "kpi_excel.frames", raising=False)
    with pytest.raises(kx.ExtraNotInstalledError) as raised:
        report.to_pandas()
    assert isinstance(raised.value, ImportError)
    assert 'pip install "kpi-excel[pandas]"' in str(raised.value)
    assert "--extra pandas" in str(raised.value)


# --- from_pandas -----------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [{}, {"rule": "tolerance", "tolerance": "2%", "direction": "last-year"}])
def test_from_pandas_round_trip_rates_as_the_workbook_did(sample: Path, options: dict[str, str]) -> None:
    report = kx.check(sample, **options)
    again = kx.rate(kx.from_pandas(report.observations_to_pandas(), **options))
    assert comparable(again) == comparable(report)


def test_from_pandas_round_trip_keeps_reasons_errors_and_odd_scales(tmp_path: Path) -> None:
    header = monthly_header(3, ["Code", "Indicator", "Polarity", "Target", "Floor", "Unit", "Link to plan"])
    book = kpi_book(
        tmp_path, header,
        ["A1", "Calls answered", "H", Fmt(0.9, "0%"), Fmt(0.8, "0%"), "", "P1", 0.85, "TBC", "Not due"],
        ["A2", "Complaints", "L", 10, 15, "", "P2", 12, "#DIV/0!", 11],
        ["A3", "Staff appraisals", "H", 90, 80, "%", "", 85, "see note", 160],
        ["A4", "Reviews", "T", 50, 40, "", "P4", None, None, None],
    )
    report = kx.check(book)
    frame = report.observations_to_pandas()
    assert "Link to plan" in frame.columns
    again = kx.rate(kx.from_pandas(frame))
    assert comparable(again) == comparable(report)
    assert [ind.extra for ind in again.dataset.indicators] == [ind.extra for ind in report.dataset.indicators]


def test_from_pandas_round_trip_keeps_a_stated_rating_and_an_undated_value_column(tmp_path: Path) -> None:
    book = kpi_book(tmp_path, ["Code", "Indicator", "Target", "Floor", "Value", "Status"],
                    ["A1", "Calls", 90, 80, 85, "Target met"], ["A2", "Visits", 10, 5, 12, "G"])
    report = kx.check(book, period="Q3 2018/19")
    assert [r.indicator.stated.text for r in report.ratings if r.indicator.stated] == ["Target met", "G"]
    frame = report.to_pandas()
    assert frame["stated_rag"].astype(str).tolist() == ["GREEN", "GREEN"]
    again = kx.rate(kx.from_pandas(report.observations_to_pandas()))
    assert comparable(again)["kpis"] == comparable(report)["kpis"]
    assert again.period == report.period


def test_from_pandas_reads_a_frame_of_ones_own() -> None:
    frame = pd.DataFrame({
        "PI Ref": ["AS01", "AS01", "SG01", "SG01"],
        "Indicator description": ["Adults assessed"] * 2 + ["Repeat enquiries"] * 2,
        "Polarity": ["H", "H", "L", "L"],
        "Target": [0.9, 0.9, 0.1, 0.1],
        "Floor": [0.8, 0.8, 0.15, 0.15],
        "is_percent": [True] * 4,
        "Month": [pd.Timestamp("2020-02-01"), pd.Timestamp("2020-03-31")] * 2,
        "Actual": [0.88, 0.93, 0.12, 0.16],
    })
    report = kx.rate(kx.from_pandas(frame, source="adults"))
    assert [(r.indicator.code, r.rag.value if r.rag else None) for r in report.ratings] == [
        ("AS01", "GREEN"), ("SG01", "RED")]
    assert report.period is not None and report.period.label == "Mar-20"
    assert all(r.indicator.is_percent for r in report.ratings)
    assert report.dataset.source == "adults"
    quarters = frame.assign(Month=pd.PeriodIndex(["2019Q4", "2020Q1"] * 2, freq="Q-DEC"))
    assert kx.rate(kx.from_pandas(quarters)).period.label == "Q4 2019/20"  # Jan-Mar 2020


def test_from_pandas_names_the_row_and_column_of_a_bad_value() -> None:
    frame = pd.DataFrame({"Indicator": ["Calls", "Calls"], "Target": ["90", "high"],
                          "Period": ["Apr-19", "May-19"], "Value": [1, 2]}, index=[10, 11])
    with pytest.raises(kx.BadValueError) as raised:
        kx.from_pandas(frame, source="calls")
    assert raised.value.where == "row 11, Target"
    assert raised.value.line().startswith("calls: row 11, Target: the target 'high' of Calls")


def test_from_pandas_refuses_what_is_not_a_long_form_frame() -> None:
    with pytest.raises(kx.InputError):
        kx.from_pandas(pd.DataFrame({"Indicator": [], "Target": []}))
    with pytest.raises(kx.MissingColumnError):
        kx.from_pandas(pd.DataFrame({"Indicator": ["Calls"], "Period": ["Apr-19"], "Value": [1]}))
    with pytest.raises(kx.NoKpiTableError):
        kx.from_pandas(pd.DataFrame({"a": [1], "b": [2]}))
    with pytest.raises(TypeError):
        kx.from_pandas([{"Indicator": "Calls"}])  # type: ignore[arg-type]


# --- from_pandas has the CSV path's limits ----------------------------------------------------------------


def test_a_million_row_frame_is_refused_before_a_cell_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi_excel import frames

    def never(_value: object) -> object:
        raise AssertionError("a cell was read")

    monkeypatch.setattr(frames, "_plain", never)
    big = pd.DataFrame({"Indicator": pd.Series(["Calls"]).repeat(1_000_000).to_numpy(), "Target": 1.0})
    with pytest.raises(kx.InputError) as raised:
        kx.from_pandas(big, source="calls")
    assert raised.value.line().startswith("calls: the DataFrame has 1,000,000 rows")
    assert "199,999" in raised.value.line()


def test_a_frame_keeps_the_csv_limits_on_columns_cells_and_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi_excel import frames
    from kpi_excel.read import csvfile

    frame = pd.DataFrame({"Indicator": ["Calls"], "Target": [5], "Period": ["Apr-19"], "Value": [6],
                          "Extra": ["x"]})
    monkeypatch.setattr(csvfile, "MAX_COLUMNS", 4)
    dataset = kx.from_pandas(frame)
    assert [w.message for w in dataset.warnings] == [
        "columns beyond the 4th were not read (a KPI table is never that wide)"]
    assert dataset.indicators[0].extra == ()
    monkeypatch.setattr(csvfile, "MAX_COLUMNS", 1_000)
    monkeypatch.setattr(frames, "MAX_CELLS", 4)
    with pytest.raises(kx.InputError, match="5 cells"):
        kx.from_pandas(frame)
    monkeypatch.setattr(frames, "MAX_CELLS", 2_000_000)
    monkeypatch.setattr(csvfile, "MAX_FIELD_CHARS", 3)
    with pytest.raises(kx.InputError) as raised:
        kx.from_pandas(frame, source="calls")
    assert raised.value.line().startswith("calls: row 0, Indicator: a text of 5 characters")
