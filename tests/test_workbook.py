"""The RAG workbook's structure: live formulas, formats, tables, print set-up, safety, determinism."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLE
from workbook_cases import YEAR, Activity, Case, all_datasets, observations

from kpi_excel import pipeline, workbook
from kpi_excel.core.model import (
    Dataset,
    Indicator,
    KpiType,
    PaperDetails,
    Person,
    Polarity,
    RagMethod,
    Report,
    RuleSettings,
)
from kpi_excel.core.rules import rate
from kpi_excel.errors import OutputError
from kpi_excel.present import formulas
from kpi_excel.workbook import HEADER_ROW, write_workbook

# Functions in Excel 2010 and LibreOffice without an _xlfn. prefix.
EXCEL_2010_FUNCTIONS = {"IF", "ISNUMBER", "NOT", "AND", "OR", "LOOKUP", "COUNT", "COUNTIF", "SUMPRODUCT",
                        "COLUMN", "INDEX", "MATCH", "IFERROR", "ABS", "SLOPE", "AVERAGE", "NA", "SUM",
                        "EXACT"}


@pytest.fixture(scope="module")
def sample_report() -> Report:
    return pipeline.check(SAMPLE)


@pytest.fixture(scope="module")
def sample_book(sample_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample-rag.xlsx"
    write_workbook(sample_report, path)
    return path


@pytest.fixture(scope="module")
def case_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A workbook per rule and direction method (without charts, which the sample has)."""
    folder = tmp_path_factory.mktemp("cases")
    paths = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workbook.base, "MAX_CHARTS", 0)
        for name, (dataset, _, _) in all_datasets().items():
            paths[name] = folder / f"{name}.xlsx"
            write_workbook(rate(dataset), paths[name])
    return paths


def load(path: Path, *, data_only: bool = False) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl does not read sparklines and says so
        return openpyxl.load_workbook(path, data_only=data_only)


def header(ws: object) -> dict[str, str]:
    """Header text -> column letter, on an indicator sheet."""
    return {c.value: c.column_letter for c in ws[HEADER_ROW + 1] if c.value}  # type: ignore[index]


def rows_by_code(ws: object) -> dict[str, int]:
    code = header(ws)["Code"]
    return {ws[f"{code}{r}"].value: r  # type: ignore[index]
            for r in range(HEADER_ROW + 2, ws.max_row + 1) if ws[f"{code}{r}"].value}  # type: ignore[attr-defined,index]


def formula_text(cell: object) -> str:
    value = cell.value  # type: ignore[attr-defined]
    return value.text if hasattr(value, "text") else str(value)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def one_kpi_report(**changes: object) -> Report:
    """A one-KPI dataset; changes replace the KPI's fields."""
    indicator = Indicator(name="Calls answered", code="K1", section="Customers", target=0.9, floor=0.8,
                          is_percent=True, observations=observations(YEAR, [0.85, 0.95]), sheet="KPIs", row=5)
    indicator = dataclasses.replace(indicator, **changes)  # type: ignore[arg-type]
    dataset = Dataset(source="one.xlsx", sha256="1" * 64, indicators=(indicator,), periods=YEAR)
    return rate(dataset)


# --- what the finance team relies on -------------------------------------------------------------


def test_two_builds_of_the_same_input_are_byte_identical(sample_report: Report, tmp_path: Path) -> None:
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    write_workbook(pipeline.check(SAMPLE), first)
    write_workbook(pipeline.check(SAMPLE), second)
    assert first.read_bytes() == second.read_bytes()
    # the dates inside come from the data, not the clock, so tomorrow's build is the same too
    core = parts(first)["docProps/core.xml"].decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2020-03-31T00:00:00Z" in core


def test_rag_cells_are_formulas_over_the_row_with_conditional_formats(sample_book: Path) -> None:
    ws = load(sample_book)["KPIs"]
    cols, rows = header(ws), rows_by_code(ws)
    assert len(rows) == 25
    for code, r in rows.items():
        rag = formula_text(ws[f"{cols['RAG']}{r}"])
        assert rag.startswith("=IF(NOT(ISNUMBER($" + cols["Latest value"] + str(r)), code
        assert f"${cols['Target']}{r}" in rag and f"${cols['Floor standard']}{r}" in rag
        latest = formula_text(ws[f"{cols['Latest value']}{r}"])
        assert f"${cols['Apr-19']}{r}:${cols['Mar-20']}{r}" in latest
    rag_range = f"{cols['RAG']}{min(rows.values())}:{cols['RAG']}{max(rows.values())}"
    rules = {str(cf.sqref): [rule for rule in cf.rules] for cf in ws.conditional_formatting}
    assert sorted(rule.formula[0] for rule in rules[rag_range]) == sorted(
        ['"Green"', '"Amber"', '"Red"', '"No data"', '"Not rated"'])
    dot_range = rag_range.replace(cols["RAG"], cols["DoT"])
    assert rules[dot_range][0].type == "iconSet"


def test_cached_results_are_the_ratings_kpi_excel_worked_out(sample_book: Path) -> None:
    ws = load(sample_book, data_only=True)["KPIs"]
    cols, rows = header(ws), rows_by_code(ws)
    words = {code: ws[f"{cols['RAG']}{r}"].value for code, r in rows.items()}
    assert sorted(words.values()).count("Green") == 21
    assert words["GL02"] == "Red"
    assert {c for c, w in words.items() if w == "Amber"} == {"CS05", "GL03", "FN11"}
    ict01 = rows["ICT01"]  # March is "TBC": February is its latest figure, compared with January
    assert ws[f"{cols['Latest period']}{ict01}"].value == "Feb-20"
    assert ws[f"{cols['Mar-20']}{ict01}"].value == "TBC"
    assert ws[f"{cols['Previous period']}{ict01}"].value == "Jan-20"


def test_the_dashboard_counts_are_countif_formulas_reading_21_3_1(sample_book: Path) -> None:
    formulas_ws, values_ws = load(sample_book)["Dashboard"], load(sample_book, data_only=True)["Dashboard"]
    counts = {}
    for row in formulas_ws.iter_rows(max_col=2):
        if row[0].value in ("Green", "Amber", "Red"):
            # over the KPIs table's RAG column, so a row added to the table is counted
            assert formula_text(row[1]).startswith("=COUNTIF(KPIs_table[RAG],"), row[1].coordinate
            counts[row[0].value] = values_ws[row[1].coordinate].value
    assert counts == {"Green": 21, "Amber": 3, "Red": 1}
    text = [c.value for row in values_ws.iter_rows(max_col=2) for c in row if isinstance(c.value, str)]
    assert "scs-kpi-tracker-2019-20.xlsx" in text and "March 2020" in text and "Floor standard" in text
    assert any(re.fullmatch(r"[0-9a-f]{64}", t) for t in text)


def test_formulas_use_only_functions_every_excel_since_2010_evaluates(
    sample_book: Path, case_books: dict[str, Path]
) -> None:
    used: set[str] = set()
    for path in [sample_book, *case_books.values()]:
        xml = b"".join(data for name, data in parts(path).items() if name.startswith("xl/worksheets/"))
        assert b"_xlfn." not in xml and b' cm="' not in xml  # no newer functions, no dynamic arrays
        for formula in re.findall(rb"<f[^>]*>(.*?)</f>", xml):
            used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", formula.decode()))
    assert used <= EXCEL_2010_FUNCTIONS, used - EXCEL_2010_FUNCTIONS
    assert {"SLOPE", "IFERROR", "LOOKUP", "COUNTIF", "EXACT"} <= used  # every method was written


def test_text_that_looks_like_a_formula_or_a_link_stays_text(tmp_path: Path) -> None:
    commentary = {"K1": '=HYPERLINK("http://example.com","click")', "K2": "+cmd|' /C calc'!A0",
                  "K3": "See https://example.org/kpis for the method", "K4": "Late\x07 figure\x00"}
    indicators = tuple(dataclasses.replace(one_kpi_report().ratings[0].indicator, code=code, commentary=text)
                       for code, text in commentary.items())
    dataset = Dataset(source="unsafe.xlsx", sha256="2" * 64, indicators=indicators, periods=YEAR)
    path = tmp_path / "unsafe.xlsx"
    write_workbook(rate(dataset), path)
    ws = load(path)["KPIs"]
    cols, rows = header(ws), rows_by_code(ws)
    cells = {code: ws[f"{cols['Commentary']}{rows[code]}"] for code in commentary}
    assert all(cell.data_type == "s" for cell in cells.values())
    assert cells["K1"].value == commentary["K1"] and cells["K3"].value == commentary["K3"]
    assert cells["K4"].value == "Late figure"
    assert not any(name.endswith(".rels") and b"hyperlink" in data
                   for name, data in parts(path).items())


def test_department_columns_number_formats_and_commentary_are_carried(
    sample_book: Path, tmp_path: Path
) -> None:
    book = load(sample_book)
    ws = book["KPIs"]
    cols, rows = header(ws), rows_by_code(ws)
    for name in ("Section", "Polarity", "Data period", "Commentary", "Owner", "Trend", "Apr-19", "Mar-20"):
        assert name in cols
    gl02 = rows["GL02"]
    assert ws[f"{cols['Mar-20']}{gl02}"].value == 0.89  # a fraction shown as a percentage
    for column in ("Target", "Floor standard", "Latest value", "Mar-20"):
        assert "%" in ws[f"{cols[column]}{gl02}"].number_format
    assert "floor standard" in ws[f"{cols['Commentary']}{gl02}"].value
    activity = book["Activity"]
    acts = header(activity)
    assert "%" not in activity[f"{acts['Mar-20']}{rows_by_code(activity)['ACT02']}"].number_format
    # a column the tool does not know is carried, numbers as numbers
    report = one_kpi_report(extra=(("Lead member", "Cllr Smith"), ("2018/19", "0.85"), ("Ref", "007")))
    path = tmp_path / "extra.xlsx"
    write_workbook(report, path)
    ws = load(path)["KPIs"]
    cols = header(ws)
    assert ws[f"{cols['Lead member']}{HEADER_ROW + 2}"].value == "Cllr Smith"
    assert ws[f"{cols['2018/19']}{HEADER_ROW + 2}"].value == 0.85
    assert ws[f"{cols['Ref']}{HEADER_ROW + 2}"].value == "007"


def test_a_department_column_named_like_ours_gets_a_distinct_header(tmp_path: Path) -> None:
    report = one_kpi_report(extra=(("RAG", "G"), ("Commentary", "theirs")))
    path = tmp_path / "clash.xlsx"
    write_workbook(report, path)
    cols = header(load(path)["KPIs"])
    assert {"RAG", "RAG (2)", "Commentary", "Commentary (2)"} <= set(cols)


def test_renamed_department_columns_keep_their_values(tmp_path: Path) -> None:
    """A column renamed for its table (a clash, or a Tab or line break made a space) keeps its cells."""
    report = one_kpi_report(extra=(("RAG", "G"), ("Lead\tofficer", "Ms A"),
                                   ("Notes\r\nto\ncommittee", "Noted")))
    path = tmp_path / "renamed.xlsx"
    write_workbook(report, path)
    ws = load(path)["KPIs"]
    cols = header(ws)
    row = HEADER_ROW + 2
    assert ws[f"{cols['RAG (2)']}{row}"].value == "G"
    assert ws[f"{cols['Lead officer']}{row}"].value == "Ms A"
    assert ws[f"{cols['Notes to committee']}{row}"].value == "Noted"


def test_an_untouched_workbook_needs_no_recalculation_on_opening(sample_book: Path) -> None:
    """No fullCalcOnLoad, and a calculation engine no older than current Excel's: opening and
    closing the workbook does not ask to save it (the stored results are right: see
    test_workbook_libreoffice.py)."""
    with zipfile.ZipFile(sample_book) as archive:
        calc = re.search(rb"<calcPr[^>]*>", archive.read("xl/workbook.xml"))
    assert calc is not None
    assert b"fullCalcOnLoad" not in calc.group(0)
    calc_id = re.search(rb'calcId="(\d+)"', calc.group(0))
    assert calc_id is not None and int(calc_id.group(1)) >= 191029


def test_tables_frozen_headers_and_print_setup(sample_book: Path) -> None:
    book = load(sample_book)
    names = [name for ws in book.worksheets for name in ws.tables]
    assert len(names) == len(set(names)) >= 8
    assert book.sheetnames == ["Dashboard", "KPIs", "Activity", "Charts", "Proposals", "Warnings",
                               "Guidance", "Chart data"]
    kpis = book["KPIs"]
    assert kpis.freeze_panes == "D5"  # below the header, right of the indicator's name
    assert kpis.print_title_rows == "$4:$4"
    for ws in book.worksheets:
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        assert ws.page_setup.orientation == "landscape"
        if ws.title in ("KPIs", "Activity"):  # too wide for one page at 8 pt: across pages, names repeated
            assert not ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.scale == 80
            code_and_name = "$B:$C" if ws.title == "KPIs" else "$A:$B"  # Activity has no Section column
            assert ws.print_title_cols == code_and_name and ws.page_setup.pageOrder == "overThenDown"
        else:
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        assert "&P" in ws.oddFooter.right.text
    props = book.properties
    assert props.creator == "Rachel Kennard"
    assert props.subject == "Strategic and Corporate Services Performance Dashboard"
    assert props.created == dt.datetime(2020, 3, 31)


def test_a_line_chart_and_a_sparkline_for_every_indicator(sample_book: Path, sample_report: Report) -> None:
    files = parts(sample_book)
    charts = [name for name in files if re.fullmatch(r"xl/charts/chart\d+\.xml", name)
              and b"<c:lineChart>" in files[name]]
    assert len(charts) == len(sample_report.ratings) == 31
    drawing = b"".join(data for name, data in files.items() if name.startswith("xl/drawings/drawing"))
    alt = [text for text in re.findall(rb'descr="([^"]*)"', drawing) if b"Line chart of " in text]
    assert len(alt) == 31
    assert any(b"GL02" in text and b"rated Red" in text for text in alt)
    kpi_sheet = files["xl/worksheets/sheet2.xml"]
    assert kpi_sheet.count(b"<x14:sparkline>") == 25


def test_above_the_chart_limit_the_charts_sheet_says_so(
    sample_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook.base, "MAX_CHARTS", 30)
    path = tmp_path / "many.xlsx"
    write_workbook(sample_report, path)
    assert not any(b"<c:lineChart>" in data for name, data in parts(path).items()
                   if name.startswith("xl/charts/"))
    book = load(path)
    assert "Chart data" not in book.sheetnames
    assert "up to 30 indicators" in book["Charts"]["A2"].value


def test_proposals_mark_what_changed(sample_book: Path) -> None:
    ws = load(sample_book, data_only=True)["Proposals"]
    change = {row[0].value: row[7].value for row in ws.iter_rows(min_row=HEADER_ROW + 2)}
    # higher is better, and the floors rise from 85 % to 90 %
    assert change["CS04a"] == change["CS04b"] == "Floor standard raised (tougher)"
    assert change["CS01"] == change["GL02"] == "No change"
    assert "=IF(" in formula_text(load(sample_book)["Proposals"][f"H{HEADER_ROW + 2}"])


def test_guidance_states_the_rule_as_applied(sample_book: Path, tmp_path: Path) -> None:
    text = [c.value for row in load(sample_book)["Guidance"].iter_rows() for c in row if c.value]
    assert "Performance did not meet the expected floor standard." in text
    settings = RuleSettings(rag_method=RagMethod.TOLERANCE, tolerance=0.05)
    report = one_kpi_report()
    report = rate(dataclasses.replace(report.dataset, settings=settings))
    path = tmp_path / "tolerance.xlsx"
    write_workbook(report, path)
    text = [c.value for row in load(path)["Guidance"].iter_rows() for c in row if c.value]
    assert any("no more than the agreed tolerance (5% of the target" in str(t) for t in text)


def test_a_report_without_kpis_or_data_still_gives_a_workbook(tmp_path: Path) -> None:
    activity = Activity("A1", 10, 20, [None], "No data").indicator(YEAR)
    empty_kpi = Case("K1", Polarity.HIGHER, 0.9, 0.8, ["TBC"]).indicator(YEAR, "")
    no_periods = dataclasses.replace(empty_kpi, code="K2", observations=())
    for n, indicators in enumerate(((activity,), (empty_kpi,), (no_periods,))):
        dataset = Dataset(source="empty.xlsx", sha256="3" * 64, indicators=indicators, periods=YEAR,
                          details=PaperDetails(author=Person("A. Analyst")))
        report = rate(dataset)
        assert report.period is None
        path = tmp_path / f"empty-{n}.xlsx"
        write_workbook(report, path)
        is_kpi = indicators[0].type is KpiType.KPI
        sheet = "KPIs" if is_kpi else "Activity"
        values = load(path, data_only=True)[sheet]
        cell = f"{header(values)['RAG' if is_kpi else 'Range']}{HEADER_ROW + 2}"
        assert values[cell].value == "No data"
        assert formula_text(load(path)[sheet][cell]).startswith("=IF(")


def test_an_unwritable_target_is_an_output_error(sample_report: Report, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot be written"):
        write_workbook(sample_report, tmp_path / "no such folder" / "out.xlsx")


# --- formula text ---------------------------------------------------------------------------


def test_the_floor_rule_formula_reads_as_the_rule() -> None:
    row = formulas.RowRefs(values="$K7:$V7", labels="$K$4:$V$4", latest="$H7", target="$F7", floor="$G7")
    indicator = Indicator(name="x", polarity=Polarity.HIGHER, target=0.9, floor=0.8)
    assert formulas.rag(indicator, RuleSettings(), row) == (
        '=IF(NOT(ISNUMBER($H7)),"No data",IF(NOT(ISNUMBER($F7)),"Not rated",'
        'IF($H7>=$F7,"Green",IF(AND(ISNUMBER($G7),$H7>=$G7),"Amber","Red"))))')
    lower = dataclasses.replace(indicator, polarity=Polarity.LOWER)
    tolerance = RuleSettings(rag_method=RagMethod.TOLERANCE, tolerance=0.1)
    assert formulas.rag(lower, tolerance, row).endswith(
        'IF($H7<=$F7,"Green",IF($H7<=$F7+ABS($F7)*0.1,"Amber","Red"))))')
    assert formulas.latest_value(row) == '=IF(COUNT($K7:$V7)=0,"",LOOKUP(2,1/ISNUMBER($K7:$V7),$K7:$V7))'


@pytest.mark.parametrize("value", [0.1, 1 / 3, 0.7 + 0.2, 1e-20, 2.5e15, -0.02, 12345678901234567.0, 7.0])
def test_number_literals_are_exact(value: float) -> None:
    text = formulas.number(value)
    assert float(text) == value and "e" not in text


def test_text_literals_double_their_quotes() -> None:
    assert formulas.text('Say "hi"') == '"Say ""hi"""'
    counting = formulas.count_words_where("KPIs!$A$5:$A$9", ("No data",), "KPIs!$B$5:$B$9", "$A12")
    assert counting == '{=SUM(EXACT(KPIs!$B$5:$B$9,$A12)*((KPIs!$A$5:$A$9="No data")))}'


def test_the_formulas_docs_workbook_md_quotes_are_the_sample_s(sample_book: Path) -> None:
    """docs/workbook.md quotes the sample's first KPI row cell by cell: it must be what is written."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "workbook.md").read_text(encoding="utf-8")
    quoted = re.findall(r"^\| [A-Z][\w ]* ([A-Z]+\d+) \| `(\{?=[^`]+)` \|", page, flags=re.M)
    assert len(quoted) >= 6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl does not read sparklines and says so
        sheet = openpyxl.load_workbook(sample_book)["KPIs"]
    for ref, formula in quoted:
        value = sheet[ref].value
        written = value.text if isinstance(value, openpyxl.worksheet.formula.ArrayFormula) else value
        array = formula.startswith("{")
        assert isinstance(value, openpyxl.worksheet.formula.ArrayFormula) is array, ref
        assert written == formula.strip("{}"), ref


def test_docs_workbook_md_lists_the_sample_workbook_s_sheets_in_order(sample_book: Path) -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "workbook.md").read_text(encoding="utf-8")
    table = page.split("## Sheets", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| \*\*([\w ]+)\*\* \|", table, flags=re.M)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl does not read sparklines and says so
        assert openpyxl.load_workbook(sample_book).sheetnames == listed
