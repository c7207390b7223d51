"""CSV exports as input: encodings, delimiters, long and wide form, places named by line and column."""

from __future__ import annotations

import csv
import io
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from builders import listed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libreoffice import require_soffice
from typer.testing import CliRunner

from kpi_excel import pipeline
from kpi_excel.cli import app
from kpi_excel.core.formatting import format_value
from kpi_excel.core.model import Report
from kpi_excel.errors import BadValueError, KpiExcelError, NoKpiTableError, UnreadableWorkbookError
from kpi_excel.present.export import report_to_dict
from kpi_excel.read import csvfile

LONG_HEADER = ["Code", "Indicator", "Polarity", "Target", "Floor", "Period", "Value"]


def comparable(report: Report) -> dict[str, Any]:
    """check --json without what names the source and its places (and the table's layout)."""
    data = report_to_dict(report)
    for key in ("source", "sha256", "columns"):
        data.pop(key)
    for kpi in data["kpis"]:
        kpi.pop("cell")
    data["warnings"] = [w["message"] for w in data["warnings"]]
    return data


def write_csv(path: Path, rows: list[list[object]], *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def check_line(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", *args])
    return result.exit_code, result.stderr.strip() if result.exit_code else result.stdout


# --- the bundled sample, exported ----------------------------------------------------------------


def long_form_export(report: Report) -> list[list[object]]:
    """The sample as a performance system exports it: one row per indicator per period, values
    written as the workbook shows them but to full precision (98.4%, 1,386,205), reasons as typed."""
    header = ["PI Ref", "Indicator description", "Section", "Type", "Polarity", "Data period",
              "Target", "Floor Standard", "Lower threshold", "Upper threshold", "Owner", "Commentary",
              "Period", "Actual"]
    # a title above the table, with a character outside ASCII (0x96 in Windows-1252)
    rows: list[list[object]] = [["Strategic and Corporate Services – KPI export"], [], header]
    for ind in report.dataset.indicators:
        def shown(value: float | None, ind: Any = ind) -> str:
            if value is None:
                return ""
            return f"{value * 100:.10g}%" if ind.is_percent else f"{value:,.10g}"
        for obs in ind.observations:
            value = shown(obs.value) if obs.has_value else (obs.missing_reason or "").replace("blank", "")
            rows.append([ind.code, ind.name, ind.section, ind.type.value, ind.polarity.value[0].upper(),
                         ind.frequency, shown(ind.target), shown(ind.floor), shown(ind.lower_threshold),
                         shown(ind.upper_threshold), ind.owner, ind.commentary, obs.period.label, value])
    return rows


@pytest.mark.parametrize(("delimiter", "encoding"), [(",", "utf-8"), (";", "cp1252"), ("\t", "utf-8-sig")])
def test_the_sample_as_a_long_form_export_rates_as_the_workbook(sample: Path, tmp_path: Path,
                                                                delimiter: str, encoding: str) -> None:
    workbook = pipeline.check(sample)
    path = write_csv(tmp_path / "tracker.csv", long_form_export(workbook), delimiter=delimiter,
                     encoding=encoding)
    report = pipeline.check(path)
    assert (report.summary.green, report.summary.amber, report.summary.red) == (21, 3, 1)
    assert comparable(report) == comparable(workbook)
    decoded = csvfile.decode(path.read_bytes(), path.name)
    assert (decoded.encoding, decoded.delimiter) == (encoding, delimiter)


def test_the_sample_through_observations_to_csv_gives_the_same_json(sample: Path, tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    workbook = pipeline.check(sample)
    workbook.observations_to_pandas().to_csv(tmp_path / "long.csv", index=False)
    printed = CliRunner().invoke(app, ["check", str(tmp_path / "long.csv"), "--json"])
    assert printed.exit_code == 0
    assert comparable(pipeline.check(tmp_path / "long.csv")) == comparable(workbook)
    assert printed.stdout.count('"rag": "GREEN"') == 21


def test_a_stale_warning_names_the_csv_line(sample: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tracker.csv", long_form_export(pipeline.check(sample)))
    [warning] = pipeline.check(path).warnings
    line = int(warning.where.split(":")[1])
    assert warning.where == f"tracker.csv:{line}"
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].startswith("ICT01,")


@pytest.fixture(scope="module")
def libreoffice_exports() -> dict[str, Path]:
    """The sample's sheets saved as CSV by LibreOffice: UTF-8 with commas, Windows-1252 with
    semicolons, UTF-8 with tabs; and the UTF-8 one with the byte-order mark Excel writes."""
    exe = require_soffice()
    sample = Path(__file__).resolve().parent.parent / "samples" / "scs-kpi-tracker-2019-20.xlsx"
    out = Path(tempfile.mkdtemp(prefix="kpi-csv-"))
    exports = {}
    variants = (("utf8-comma", "44,34,76"), ("cp1252-semicolon", "59,34,1"), ("utf8-tab", "9,34,76"))
    for name, options in variants:
        folder = out / name
        folder.mkdir()
        # tokens: separator, quote, character set, first line, cell formats, language, quoted as
        # text, detect numbers, save as shown, formulas, trim spaces, sheet (-1: each sheet a file)
        spec = f"csv:Text - txt - csv (StarCalc):{options},1,,0,false,true,true,false,false,-1"
        with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
            subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                            "--convert-to", spec, "--outdir", str(folder), str(sample)],
                           capture_output=True, timeout=180, check=False)
        for sheet in ("KPIs", "Activity"):
            exports[f"{name}/{sheet}"] = folder / f"{sample.stem}-{sheet}.csv"
            assert exports[f"{name}/{sheet}"].is_file(), f"LibreOffice did not export {name}/{sheet}"
    for sheet in ("KPIs", "Activity"):
        bom = out / f"utf8-bom-{sheet}.csv"
        bom.write_bytes(b"\xef\xbb\xbf" + exports[f"utf8-comma/{sheet}"].read_bytes())
        exports[f"utf8-bom/{sheet}"] = bom
    return exports


@pytest.mark.libreoffice
@pytest.mark.parametrize(("variant", "encoding", "delimiter"), [
    ("utf8-comma", "utf-8", ","), ("cp1252-semicolon", "cp1252", ";"), ("utf8-tab", "utf-8", "\t"),
    ("utf8-bom", "utf-8-sig", ",")])
def test_the_sample_saved_as_csv_by_libreoffice_rates_as_the_workbook(
        sample: Path, libreoffice_exports: dict[str, Path], variant: str, encoding: str,
        delimiter: str) -> None:
    workbook = comparable(pipeline.check(sample))
    kpis = pipeline.check(libreoffice_exports[f"{variant}/KPIs"])
    activities = pipeline.check(libreoffice_exports[f"{variant}/Activity"])
    assert (kpis.summary.green, kpis.summary.amber, kpis.summary.red) == (21, 3, 1)
    # wide form, each sheet a file of its own: every KPI and activity indicator as the workbook has it
    assert comparable(kpis)["kpis"] + comparable(activities)["kpis"] == workbook["kpis"]
    assert comparable(kpis)["warnings"] == workbook["warnings"]
    decoded = csvfile.decode(libreoffice_exports[f"{variant}/KPIs"].read_bytes(), "x.csv")
    assert (decoded.encoding, decoded.delimiter) == (encoding, delimiter)
    assert "–" in decoded.text  # the title's en dash, decoded (byte 0x96 in Windows-1252)


# --- places, warnings and errors --------------------------------------------------------------------


def test_an_error_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tracker.csv", [
        ["Adult Social Care: KPI tracker 2019/20"], [],
        LONG_HEADER,
        ["AS01", "Adults assessed", "H", "90%", "80%", "Q3 2019/20", "86%"],
        ["AS02", "Carers' assessments\nmade on time", "H", "75%", "70%", "Q3 2019/20", "72%"],  # two lines
        ["AS02", "Carers' assessments\nmade on time", "H", "high", "70%", "Q4 2019/20", "69%"],
    ])
    code, line = check_line(str(path))
    assert code == 1
    assert line == (f"{path}:7:Target: the target 'high' of AS02 Carers' assessments\nmade on time is not a "
                    "number. Type a number such as 90% or 0.9 (or TBC when there is no target yet)")
    assert path.read_text().splitlines()[6].startswith("AS02,")  # line 7 (a record may span lines)


def test_a_bad_period_names_its_line_and_the_period_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [LONG_HEADER, ["A1", "Calls", "H", "5", "4", "Someday", "5"]])
    with pytest.raises(BadValueError) as raised:
        pipeline.check(path)
    assert (raised.value.file, raised.value.where) == (str(path), "2:Period")


def test_warnings_name_the_line_and_the_period_heading(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "wide.csv", [
        ["Ref", "Indicator", "Target", "Floor", "Jan-20", "Feb-20", "Mar-20", "Commentary"],
        ["A1", "Calls", "90%", "80%", "88%", "#DIV/0!", "see note", "Steady"],
        ["A1", "Calls again", "10", "20", "1", "2", "3"],
    ])
    report = pipeline.check(path)
    places = [(w.where, w.message) for w in report.warnings]
    assert any(where == "wide.csv:2:Feb-20" and "#DIV/0!" in text for where, text in places)
    assert any(where == "wide.csv:2:Mar-20" and "see note" in text for where, text in places)
    assert ("wide.csv:2", "code A1 is used by more than one indicator") in places
    assert report.ratings[0].latest is not None and report.ratings[0].latest.cell == "wide.csv:2:Jan-20"
    assert report.ratings[0].indicator.commentary_cell == "wide.csv:2:Commentary"
    printed = CliRunner().invoke(app, ["check", str(path)]).stdout
    assert "wide.csv:2:Feb-20" in printed


def test_windows_1252_text_is_decoded(tmp_path: Path) -> None:
    rows = [["Indicator", "Target", "Apr-19"], ["Café visits – all", "£1,000", "£1,200"]]
    path = write_csv(tmp_path / "t.csv", rows, encoding="cp1252")
    [rating] = pipeline.check(path).ratings
    assert rating.indicator.name == "Café visits – all"
    assert (rating.indicator.target, rating.value) == (1000, 1200)


def test_semicolons_win_over_commas_inside_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [["Indicator", "Target", "Apr-19", "Commentary"],
                                          ["Calls, all kinds", "1,000", "1,200", "Up, as planned, in April"]],
                     delimiter=";")
    [rating] = pipeline.check(path).ratings
    assert (rating.indicator.name, rating.value, rating.indicator.commentary) == (
        "Calls, all kinds", 1200, "Up, as planned, in April")


@pytest.mark.parametrize(("data", "problem"), [
    (b"", "the file is empty"),
    (b"PK\x03\x04rest of a zip", "this is an Excel workbook, not a CSV file"),
    ("Indicator,Target\n".encode("utf-16"), "UTF-16"),
    (b"Indicator,Target,Apr-19\nCalls \x81\xff,5,6\n", "neither UTF-8 nor Windows-1252"),
    (b"just some text\nwith no table\n", "it holds no KPI table"),
    (b"Indicator,Target,Apr-19\nCalls,5,\"" + b"x" * 200_000 + b"\"\n", "cannot be read as CSV"),
])
def test_a_file_that_is_no_kpi_csv_gets_one_line(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    before = path.read_bytes()
    code, line = check_line(str(path))
    assert code == 1
    assert "\n" not in line and line.startswith(f"{path}: ") and problem in line
    assert path.read_bytes() == before


def test_limits_on_rows_line_length_and_width(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [LONG_HEADER] + [[f"A{i}", "Calls", "H", "5", "4", "Apr-19", "5"] for i in range(50)]
    path = write_csv(tmp_path / "t.csv", rows)
    monkeypatch.setattr(csvfile, "MAX_ROWS", 20)
    with pytest.raises(UnreadableWorkbookError, match="more than 20 rows"):
        pipeline.check(path)
    monkeypatch.setattr(csvfile, "MAX_ROWS", 200_000)
    monkeypatch.setattr(csvfile, "MAX_LINE_CHARS", 40)
    with pytest.raises(UnreadableWorkbookError, match="line 1 is over"):
        pipeline.check(path)
    monkeypatch.setattr(csvfile, "MAX_LINE_CHARS", 2**20)
    monkeypatch.setattr(csvfile, "MAX_COLUMNS", 7)
    wide = write_csv(tmp_path / "w.csv", [[*LONG_HEADER, "Extra"],
                                          ["A1", "Calls", "H", "5", "4", "Apr-19", "5", "x"]])
    report = pipeline.check(wide)
    assert [w.where for w in report.warnings] == ["w.csv:1"]
    assert "not read" in report.warnings[0].message
    monkeypatch.setattr(csvfile, "MAX_CSV_BYTES", 100)
    with pytest.raises(UnreadableWorkbookError, match="MB"):
        pipeline.check(path)


def test_no_table_error_speaks_of_the_file_not_a_sheet(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [["Name", "Score"], ["Calls", "5"]])
    with pytest.raises(NoKpiTableError) as raised:
        pipeline.check(path)
    assert "sheet" not in raised.value.line()


def test_build_and_council_read_a_csv(tmp_path: Path) -> None:
    header = [*LONG_HEADER, "Directorate"]
    path = write_csv(tmp_path / "council.csv", [
        header,
        ["AS01", "Adults assessed", "H", "90%", "80%", "Q3 2019/20", "86%", "Adults"],
        ["AS01", "Adults assessed", "H", "90%", "80%", "Q4 2019/20", "91%", "Adults"],
        ["CS01", "Children seen", "H", "90%", "80%", "Q3 2019/20", "TBC", "Children"],
        ["CS01", "Children seen", "H", "90%", "80%", "Q4 2019/20", "#N/A", "Children"],
    ])
    build = CliRunner().invoke(app, ["build", str(path), "--out", str(tmp_path / "b"), "-q", "-j", "1"])
    assert build.exit_code == 0, build.stderr
    assert sorted(p.name for p in listed(tmp_path / "b")) == ["council-paper.docx", "council-rag.xlsx"]
    run = CliRunner().invoke(app, ["council", str(path), "--out", str(tmp_path / "c"), "-q", "-j", "1"])
    assert run.exit_code == 0, run.stderr
    assert (tmp_path / "c" / "adults" / "adults-rag.xlsx").is_file()
    assert (tmp_path / "c" / "children" / "children-paper.docx").is_file()
    from kpi_excel import council

    parts = dict(council.split_by_directorate(pipeline.load(path)))
    assert [w.where for w in parts["Children"].warnings] == ["council.csv:5:Value"]  # the #N/A
    assert parts["Adults"].warnings == ()


def test_the_displayed_value_follows_the_csv_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [["Indicator", "Target", "Apr-19"], ["Calls", "90.5%", "91.25%"]])
    [rating] = pipeline.check(path).ratings
    assert rating.indicator.is_percent and format_value(rating.value, rating.indicator) == "91.2%"


# --- anything at all ---------------------------------------------------------------------------------

_WORDS = ["Code", "Indicator", "Target", "Floor", "Polarity", "Period", "Value", "Actual Mar-20", "Apr-19",
          "Q1 2019/20", "2019/20", "H", "L", "TBC", "85%", "1,234", "#DIV/0!", "é", "–", "\"", ",", ";", "\t",
          "\n", "\r\n", " ", ""]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from(_WORDS), max_size=80).map(lambda words: "".join(words).encode("utf-8")),
    st.lists(st.sampled_from(_WORDS), max_size=80).map(lambda words: ",".join(words).encode("cp1252")),
))
def test_any_bytes_give_a_result_or_one_clean_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        report = pipeline.check(path)
    except KpiExcelError as error:
        line = error.line()
        assert line and "Traceback" not in line
        assert line.startswith(str(path))
    else:
        assert report.ratings
    assert path.read_bytes() == data


def test_an_undated_value_column_takes_the_period_option_or_the_file_name(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Code", "Indicator", "Target", "Floor", "Value", "Status"],
                                ["A1", "Calls", "90", "80", "85", "Target met"]]
    path = write_csv(tmp_path / "kpis.csv", rows)
    report = pipeline.check(path, pipeline.Options(period="Q3 2018/19"))
    assert report.period is not None and report.period.label == "Q3 2018/19"
    [rating] = report.ratings
    assert rating.indicator.stated is not None and rating.indicator.stated.cell == "kpis.csv:2:Status"
    assert any(w.where == "kpis.csv:2:Status" for w in report.warnings)  # stated Green, rated Amber
    named = pipeline.check(write_csv(tmp_path / "kpis Q2 2019-20.csv", rows))
    assert named.period is not None and named.period.label == "Q2 2019/20"
    assert named.dataset.period_source is not None and named.dataset.period_source.kind == "file name"
    assert named.dataset.period_source.value_cell == "kpis Q2 2019-20.csv:1:Value"
    undated = CliRunner().invoke(app, ["build", str(path), "--out", str(tmp_path / "out"), "-q", "-j", "1"])
    assert undated.exit_code == 1 and "kpis.csv:1:Value" in undated.stderr
