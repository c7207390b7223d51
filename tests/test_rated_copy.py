"""The rated copy: the department's own workbook with live RAG columns, everything else as it was."""

from __future__ import annotations

import functools
import json
import math
import re
import subprocess
import sys
import tracemalloc
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from builders import Fmt
from conftest import SAMPLE
from libreoffice import recalculate_all
from openpyxl.worksheet.formula import ArrayFormula
from rated_cases import FAKE_VBA, HEADER_ROW, ROWS, write_tracker
from typer.testing import CliRunner

from kpi_excel import pipeline
from kpi_excel.cli import app
from kpi_excel.rated_copy import make_rated_copy
from kpi_excel.rated_copy.model import NewCell, TablePlan
from kpi_excel.rated_copy.sheet import StyleRequests, edit_sheet
from kpi_excel.rated_copy.sheet_tail import SheetAdditions

CASES = ["sample", "blank", "tracker", "macros", "tolerance", "last-year", "green-band"]
ALL_CASES = [*CASES, "long", "long-text"]  # "long": a long-form table, a rating per row; "long-text": the
# same with its figures typed as text
ADDED_HEADERS = {"Latest value", "Latest period", "RAG", "RAG (rule)", "Direction of travel", "Against range",
                 "Previous value", "Value a year earlier"}
COMPARED = {"Previous value", "Value a year earlier"}  # not in check --json: checked against LibreOffice
# the only parts the rated copy may change: the sheets gaining columns, the styles, the tables, and
# for the header notes the comments, their drawing, the sheet's relationships and the content types
EDITABLE = re.compile(r"xl/worksheets/sheet\d+\.xml|xl/styles\.xml|xl/tables/table\d+\.xml|"
                      r"xl/comments\d+\.xml|xl/drawings/vmlDrawing\d+\.vml|"
                      r"xl/worksheets/_rels/sheet\d+\.xml\.rels|\[Content_Types\]\.xml|"
                      r"xl/workbook\.xml|"  # a print area widened
                      r"docProps/custom\.xml|_rels/\.rels")  # the mark: kpi-excel's custom property


# docs/input-format.md's long-form example: a row per indicator per quarter
LONG_FORM = [["Code", "Indicator", "Polarity", "Target", "Floor", "Period", "Value"]] + [
    [code, name, polarity, Fmt(target, "0%"), Fmt(floor, "0%"), period, Fmt(value, "0%")]
    for period, figures in (("Q3 2019/20", (0.86, 0.12)), ("Q4 2019/20", (0.91, 0.16)))
    for (code, name, polarity, target, floor), value in zip(
        (("AS01", "Adults assessed within 28 days", "H", 0.9, 0.8),
         ("SG01", "Repeat safeguarding enquiries", "L", 0.1, 0.15)), figures, strict=True)]


# LONG_FORM with each figure typed as text, as departments type them
LONG_FORM_TEXT = [row[:6] + [text] for row, text in zip(LONG_FORM, ["Value", "86%", " 12 % ", "91 %", "16%"],
                                                        strict=True)]


def _write_long_form(path: Path, rows: list[list[Any]] = LONG_FORM) -> Path:
    """LONG_FORM written as Excel would write it (XlsxWriter: the openpyxl builders' fonts are not
    in schema order, which openxml-audit rightly reports in the input already)."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Data")
    pct = book.add_format({"num_format": "0%"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, Fmt):
                ws.write_number(r, c, value.value, pct)  # type: ignore[arg-type]
            else:
                ws.write(r, c, value)
    book.close()
    return path


@dataclass
class Case:
    source: Path
    copy: Path
    notes: list[str]


def _rated(source: Path, out: Path) -> Case:
    report = pipeline.check(source)
    copy = make_rated_copy(report, source)
    target = out / pipeline.output_paths(source, out)["rated"].name
    try:
        assert copy.made, [str(n) for n in copy.notes]
        copy.write(target)
    finally:
        copy.close()
    return Case(source, target, [str(n) for n in copy.notes])


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    folder = tmp_path_factory.mktemp("rated")
    blank = pipeline.init(folder / "blank-tracker.xlsx")
    tracker = write_tracker(folder / "tracker.xlsx")
    macro = write_tracker(folder / "macro-tracker.xlsm", macros=True)
    tolerance = write_tracker(folder / "tolerance-tracker.xlsx", rule="Tolerance", direction="Trend")
    last_year = write_tracker(folder / "last-year-tracker.xlsx", direction="Same period last year")
    green_band = write_tracker(folder / "green-band-tracker.xlsx", rule="Tolerance", green_within=0.05)
    long = _write_long_form(folder / "long.xlsx")
    long_text = _write_long_form(folder / "long-text.xlsx", LONG_FORM_TEXT)
    out = folder / "out"
    out.mkdir()
    return {name: _rated(path, out) for name, path in
            (("sample", SAMPLE), ("blank", blank), ("tracker", tracker), ("macros", macro),
             ("tolerance", tolerance), ("last-year", last_year), ("green-band", green_band), ("long", long),
             ("long-text", long_text))}


def _load(path: Path, **kwargs: Any) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns of extensions it does not read
        return openpyxl.load_workbook(path, **kwargs)


def _style(cell: Any) -> tuple[str, ...]:
    """A cell's look, as text: openpyxl's style proxies do not compare equal even to themselves."""
    return (cell.number_format, *(repr(part) for part in (cell.font, cell.fill, cell.border,
                                                          cell.alignment, cell.protection)))


def added_cells(source: Path, copy: Path) -> dict[tuple[str, str], tuple[str, object]]:
    """Every cell under a header the copy added: (sheet, A1) -> (header, cached value)."""
    original, book, values = _load(source), _load(copy), _load(copy, data_only=True)
    found = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in ADDED_HEADERS and original[ws.title][cell.coordinate].value is None:
                    for (below,) in ws.iter_rows(min_row=cell.row + 1, min_col=cell.column,
                                                 max_col=cell.column):
                        if below.value is not None:
                            found[(ws.title, below.coordinate)] = (
                                str(cell.value), values[ws.title][below.coordinate].value)
    return found


# --- what the issue asks of the demo -----------------------------------------------------------


def test_demo_writes_the_rated_copy_with_25_rag_formulas_21_green_3_amber_1_red(tmp_path: Path) -> None:
    result = pipeline.demo(tmp_path)
    copy = tmp_path / "scs-kpi-tracker-2019-20-rated.xlsx"
    assert copy in result.outputs and copy.exists()
    ws = _load(copy)["KPIs"]
    column = next(c.column for c in ws[5] if c.value == "RAG")
    # plain formulas over the row's Latest value cell (no array formula: every engine reads them alike)
    formulas = [c for (c,) in ws.iter_rows(min_row=6, min_col=column, max_col=column)
                if isinstance(c.value, str) and c.value.startswith("=IF(NOT(ISNUMBER(")]
    values = _load(copy, data_only=True)["KPIs"]
    words = [values[c.coordinate].value for c in formulas]
    assert len(formulas) == 25
    assert (words.count("Green"), words.count("Amber"), words.count("Red")) == (21, 3, 1)


# --- everything else stays exactly as it was ----------------------------------------------------


@pytest.mark.parametrize("name", ALL_CASES)
def test_every_other_part_is_byte_for_byte_the_same(cases: dict[str, Case], name: str) -> None:
    case = cases[name]
    with zipfile.ZipFile(case.source) as before, zipfile.ZipFile(case.copy) as after:
        original = before.namelist()
        assert after.namelist()[:len(original)] == original
        added = after.namelist()[len(original):]
        changed = [n for n in original if before.read(n) != after.read(n)]
    assert changed, "the copy holds no new columns"
    assert all(EDITABLE.fullmatch(n) for n in changed + added), changed + added
    assert "xl/styles.xml" in changed
    assert "docProps/custom.xml" in changed + added


def test_the_macro_enabled_copy_keeps_its_macros(cases: dict[str, Case]) -> None:
    case = cases["macros"]
    assert case.copy.suffix == ".xlsm"
    with zipfile.ZipFile(case.copy) as copy:
        assert copy.read("xl/vbaProject.bin") == FAKE_VBA
        assert b"macroEnabled" in copy.read("[Content_Types].xml")


@pytest.mark.parametrize("name", ALL_CASES)
def test_every_original_cell_keeps_its_value_formula_and_style(cases: dict[str, Case], name: str) -> None:
    case = cases[name]
    for data_only in (False, True):
        before, after = _load(case.source, data_only=data_only), _load(case.copy, data_only=data_only)
        assert before.sheetnames == after.sheetnames
        for ws in before.worksheets:
            other = after[ws.title]
            assert (ws.sheet_state, ws.freeze_panes) == (other.sheet_state, other.freeze_panes)
            for row in ws.iter_rows():
                for cell in row:
                    copied = other[cell.coordinate]
                    assert copied.value == cell.value, (ws.title, cell.coordinate)
                    assert _style(copied) == _style(cell), (ws.title, cell.coordinate)
            assert len(other.conditional_formatting) > len(ws.conditional_formatting)  or ws.title not in (
                "KPIs", "Activity")
        assert [(n, d.attr_text) for n, d in before.defined_names.items()] == [
            (n, d.attr_text) for n, d in after.defined_names.items()]


@pytest.mark.parametrize("name", ALL_CASES)
def test_each_added_header_has_a_note_saying_so_and_the_rule(cases: dict[str, Case], name: str) -> None:
    case = cases[name]
    original, copy = _load(case.source), _load(case.copy)
    headers = [(ws.title, c) for ws in copy.worksheets for row in ws.iter_rows() for c in row
               if c.value in ADDED_HEADERS and original[ws.title][c.coordinate].value is None]
    assert headers
    rule = {"tolerance": "within 10% of target",
            "green-band": "Green: target met or within 5%. Amber: within 10% of target"}.get(
        name, "floor standard met")
    for sheet, cell in headers:
        assert cell.comment is not None, (sheet, cell.coordinate)
        assert "Added by kpi-excel" in cell.comment.text and rule in cell.comment.text
        assert cell.font.i and not original[sheet].cell(cell.row, cell.column - 1).font.i
    for ws in original.worksheets:  # the department's own notes are all still there
        for row in ws.iter_rows():
            for c in row:
                if c.comment is not None:
                    assert copy[ws.title][c.coordinate].comment.text == c.comment.text


def test_the_tracker_keeps_its_chart_image_comment_validation_and_table(cases: dict[str, Case]) -> None:
    copy = _load(cases["tracker"].copy)
    ws = copy["KPIs"]
    assert ws["B5"].comment is not None and "Definitions" in ws["B5"].comment.text
    assert any(dv.sqref and "D5" in str(dv.sqref) for dv in ws.data_validations.dataValidation)
    table = ws.tables["KPITable"]
    headers = [c.name for c in table.tableColumns]
    assert headers[-6:] == ["Latest value", "Latest period", "RAG (rule)", "Direction of travel",
                            "Against range", "Previous value"]
    first, last = table.ref.split(":")
    assert [ws[f"{re.sub(r'[0-9]', '', last)}4"].value] == ["Previous value"]
    assert [ws.cell(4, c).value for c in range(1, len(headers) + 1)] == headers
    assert copy["Lookups"].sheet_state == "hidden"
    last = HEADER_ROW + len(ROWS)  # the last indicator's row
    assert ws.print_area == [f"'KPIs'!$A$1:$AB${last}"] or str(ws.print_area).endswith(f"$AB${last}")
    with zipfile.ZipFile(cases["tracker"].copy) as package:
        names = package.namelist()
    assert any(n.startswith("xl/charts/chart") for n in names)
    assert any(n.startswith("xl/media/") for n in names)


# --- the formulas against LibreOffice and check --------------------------------------------------


def _check_json(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _expected_words(kpi: dict[str, Any]) -> dict[str, Any]:
    """What the added columns should read for one indicator of check --json."""
    no_value = kpi["value"] is None
    latest = {"Latest value": kpi["value"], "Latest period": kpi["period"] or ""}
    if kpi["type"] == "activity":
        return {**latest, "Against range": "No data" if no_value else (kpi["range"] or "").title()}
    rag = kpi["rag"].title() if kpi["rag"] else ("No data" if no_value else "Not rated")
    return {**latest, "RAG": rag, "Direction of travel": (kpi["dot"] or "").title()}


def _same(header: str, cached: object, expected: dict[str, Any]) -> bool:
    """Whether an added cell reads what check --json says (a row typed in whole percentages shows
    its latest figure as typed, 88.5 for check's 0.885)."""
    header = "RAG" if header.startswith("RAG") else header
    if header in COMPARED:
        return True
    want = expected.get(header, "")
    if header == "Latest value" and isinstance(cached, (int, float)) and want is not None:
        return math.isclose(cached, want, rel_tol=1e-12) or math.isclose(cached, want * 100, rel_tol=1e-12)
    return (cached if cached is not None else "") == (want if want is not None else "")


def _edited_copy(case: Case, target: Path, part: str, cell: str, old: str, new: str) -> Path:
    """A rated copy with one figure changed, as a user would type it in (that cell's value in the
    sheet's XML, nothing else)."""
    with zipfile.ZipFile(case.copy) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                data, count = re.subn(f'(<c r="{cell}"[^>]*>)<v>{old}</v>'.encode(),
                                      rb"\1<v>" + new.encode() + b"</v>", data)
                assert count == 1
            out.writestr(info, data)
    return target


@pytest.fixture(scope="module")
def recalculated(cases: dict[str, Case], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("recalculated")
    # AS01's March figure (T5) from 95% to 50%; the Settings sheet's tolerance (B4) from 10% to 50%
    edited = _edited_copy(cases["tracker"], folder / "edited-tracker-rated.xlsx",
                          "xl/worksheets/sheet1.xml", "T5", "0.95", "0.5")
    settings = _edited_copy(cases["tolerance"], folder / "settings-tracker-rated.xlsx",
                            "xl/worksheets/sheet2.xml", "B4", "0.1", "0.5")
    names = [*cases, "edited", "settings"]
    sources = [cases[n].copy for n in cases] + [edited, settings]
    return dict(zip(names, recalculate_all(sources, folder / "lo"), strict=True))


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", CASES)
def test_libreoffice_gives_the_cached_results_and_they_are_checks(
        cases: dict[str, Case], recalculated: dict[str, Path], name: str) -> None:
    case = cases[name]
    cached = added_cells(case.source, case.copy)
    assert cached
    recalc = _load(recalculated[name], data_only=True)
    for (sheet, ref), (_, value) in cached.items():
        assert (recalc[sheet][ref].value or "") == (value or ""), (sheet, ref)
    expected = _rows_by_code(case.source, _check_json(case.source))
    assert expected
    # a number typed as text is a blank to a formula: build names each row where that changes the words
    differing = {code for code, _ in expected.values()
                 if any(f": {code} " in n and "typed as text" in n for n in case.notes)}
    assert not differing or name not in ("sample", "blank")
    agree: dict[str, bool] = {}
    for (sheet, ref), (header, value) in cached.items():
        row = int(re.sub(r"[A-Z]", "", ref))
        code, words = expected[(sheet, row)]
        same = _same(header, value, words)
        agree[code] = agree.get(code, True) and same
        if code not in differing:
            assert same, (sheet, ref, code, value, words)
    assert all(not agree[code] for code in differing), "a row named as differing agrees with check"


def _rows_by_code(source: Path, report: dict[str, Any]) -> dict[tuple[str, int], tuple[str, dict[str, str]]]:
    """check --json's words for each indicator, by the sheet and row its code is on."""
    codes = {k["code"]: k for k in report["kpis"] + report.get("activities", [])}
    rows = {}
    for ws in _load(source).worksheets:
        for row in ws.iter_rows():
            for cell in row[:2]:
                if isinstance(cell.value, str) and cell.value in codes:
                    rows[(ws.title, cell.row)] = (cell.value, _expected_words(codes[cell.value]))
    return rows


@pytest.mark.libreoffice
def test_a_long_form_table_gets_a_rating_per_row_the_latest_being_checks(
        cases: dict[str, Case], recalculated: dict[str, Path]) -> None:
    case = cases["long"]
    cached = added_cells(case.source, case.copy)
    recalc = _load(recalculated["long"], data_only=True)
    words = {row: {} for row in range(2, 6)}  # type: dict[int, dict[str, object]]
    for (sheet, ref), (header, value) in cached.items():
        assert (recalc[sheet][ref].value or "") == (value or ""), ref
        words[int(ref[1:])][header] = value or ""
    # check's words for the latest quarter, as docs/input-format.md reads the example
    assert words[4] == {"RAG": "Green", "Direction of travel": "Improved"}  # AS01 Q4
    assert words[5] == {"RAG": "Red", "Direction of travel": "Worsened"}  # SG01 Q4
    expected = {k["code"]: _expected_words(k) for k in _check_json(case.source)["kpis"]}
    words_of = ("RAG", "Direction of travel")  # a long-form table has no Latest value: each row is its own
    assert [{k: expected[code][k] for k in words_of} for code in ("AS01", "SG01")] == [words[4], words[5]]
    # the earlier quarter rated as it stood then: 86 % against 90 % and 80 %; no earlier figure
    assert words[2] == {"RAG": "Amber", "Direction of travel": ""}


@pytest.mark.libreoffice
def test_a_long_form_table_s_figures_typed_as_text_rate_as_its_numbers_do(
        cases: dict[str, Case], recalculated: dict[str, Path]) -> None:
    as_text, as_numbers = cases["long-text"], cases["long"]
    assert not any("typed as text" in n for n in as_text.notes), as_text.notes
    cached = added_cells(as_text.source, as_text.copy)
    recalc = _load(recalculated["long-text"], data_only=True)
    numbers = added_cells(as_numbers.source, as_numbers.copy)
    assert cached and cached == numbers
    for (sheet, ref), (_, value) in cached.items():
        assert (recalc[sheet][ref].value or "") == (value or ""), ref
    words = [{k["code"]: (k["value"], _expected_words(k)) for k in _check_json(path)["kpis"]}
             for path in (as_text.source, as_numbers.source)]
    assert words[0] == words[1]  # check reads the texts as the numbers, and so do the formulas


@pytest.mark.libreoffice
def test_editing_the_settings_sheet_tolerance_re_rates_the_copy(recalculated: dict[str, Path]) -> None:
    before = _load(recalculated["tolerance"], data_only=True)["KPIs"]
    after = _load(recalculated["settings"], data_only=True)["KPIs"]
    # AS03: lower is better, target 500, March 730: 46 % over the target, Amber only within 50 %
    assert (before["Y7"].value, after["Y7"].value) == ("Red", "Amber")  # W and X: Latest value and period


@pytest.mark.libreoffice
def test_editing_a_figure_in_the_copy_re_rates_the_row(recalculated: dict[str, Path]) -> None:
    before = _load(recalculated["tracker"], data_only=True)["KPIs"]
    after = _load(recalculated["edited"], data_only=True)["KPIs"]
    # right of Commentary (V): Latest value, Latest period, RAG, Direction of travel
    latest, rag, direction = "W5", "Y5", "Z5"
    assert (before[latest].value, before[rag].value, before[direction].value) == (0.95, "Green", "Improved")
    assert (after[latest].value, after[rag].value, after[direction].value) == (0.5, "Red", "Worsened")


@pytest.mark.parametrize("name", ALL_CASES)
def test_openxml_audit_finds_no_error_and_no_repair(cases: dict[str, Case], name: str) -> None:
    result = subprocess.run([sys.executable, "-m", "openxml_audit", "-f", "microsoft365", "-m", "0",
                             str(cases[name].copy)], capture_output=True, text=True, timeout=300)
    assert "Errors: 0" in result.stdout, result.stdout
    assert "expected to open cleanly" in result.stdout, result.stdout


# --- what build says ------------------------------------------------------------------------------


def test_a_manual_rag_that_disagrees_with_the_rule_is_kept_and_named(cases: dict[str, Case]) -> None:
    source, copy = cases["tracker"].source, cases["tracker"].copy
    warnings_ = [str(w) for w in pipeline.check(source).warnings]
    assert any("AS02" in w and "states Green" in w and "gives Amber" in w for w in warnings_), warnings_
    assert not any("AS01" in w or "AS03" in w for w in warnings_)  # theirs agree (G, R)
    ws = _load(copy, data_only=True)["KPIs"]
    header = [c.value for c in ws[4]]
    theirs, ours = header.index("RAG"), header.index("RAG (rule)")
    assert ours > theirs
    assert (ws.cell(6, theirs + 1).value, ws.cell(6, ours + 1).value) == ("Green", "Amber")  # AS02


TEXT_ROWS = ("AS02", "AS05", "AS08", "AS09", "AS10", "AS12")  # figures typed as text the formulas read


@pytest.mark.parametrize("name", ["tracker", "tolerance", "last-year"])
def test_only_a_number_typed_as_text_the_formulas_cannot_read_is_named(cases: dict[str, Case],
                                                                       name: str) -> None:
    notes = cases[name].notes
    named = [n for n in notes if "typed as text" in n]
    # AS11's "1.2k" is 1,200 to check and a blank to the formulas, which leaves it Amber, not Green
    assert len(named) == 1 and named[0].startswith("KPIs!T17: AS11 "), notes
    assert "shows Amber" in named[0] and "check gives Green" in named[0]


def test_only_rows_holding_text_read_their_figures_through_the_value_expression(
        cases: dict[str, Case]) -> None:
    case = cases["tracker"]
    sheet = _load(case.copy)["KPIs"]
    codes = {sheet.cell(r, 1).value: r for r in range(HEADER_ROW + 1, HEADER_ROW + len(ROWS) + 1)}
    for code, row in codes.items():
        formulas = [c.value.text for c in sheet[row] if isinstance(c.value, ArrayFormula)]
        assert formulas, code
        reads_text = any("VALUE(" in f for f in formulas)
        assert reads_text == (code in TEXT_ROWS), code


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["tracker", "tolerance", "last-year"])
def test_figures_typed_as_text_rate_as_check_rates_them_in_libreoffice_too(
        cases: dict[str, Case], recalculated: dict[str, Path], name: str) -> None:
    case = cases[name]
    cached = added_cells(case.source, case.copy)
    recalc = _load(recalculated[name], data_only=True)
    expected = _rows_by_code(case.source, _check_json(case.source))
    seen: dict[str, dict[str, object]] = {}
    for (sheet, ref), (header, value) in cached.items():
        code, words = expected[(sheet, int(re.sub(r"[A-Z]", "", ref)))]
        header = "RAG" if header.startswith("RAG") else header
        seen.setdefault(code, {})[header] = (value or "", recalc[sheet][ref].value or "")
        if code in TEXT_ROWS:
            assert (value or "") == (recalc[sheet][ref].value or "") and _same(header, value, words), (
                code, header, value, recalc[sheet][ref].value, words)
    assert set(TEXT_ROWS) <= set(seen)
    # the rows read through the value expression are rated as their figures say, not as blanks
    assert seen["AS08"]["RAG"] == ("Green", "Green") and seen["AS10"]["RAG"] == ("Amber", "Amber")
    assert seen["AS12"].get("Direction of travel", ("", "")) == ("", "")


def test_check_says_what_the_rated_copy_adds_and_where(cases: dict[str, Case]) -> None:
    copy = _load(cases["sample"].copy)
    added = {ws.title: [c for c in next(ws.iter_rows(min_row=row, max_row=row)) if c.value in ADDED_HEADERS]
             for ws, row in ((copy["KPIs"], 5), (copy["Activity"], 4))}
    expected = "adds " + "; ".join(
        f"{', '.join(str(c.value) for c in cells)} to {sheet} (columns {cells[0].column_letter}:"
        f"{cells[-1].column_letter})" for sheet, cells in added.items()) + ", as live formulas"
    result = CliRunner().invoke(app, ["check", str(SAMPLE)], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert expected in " ".join(result.stdout.split()), result.stdout


def test_no_rated_copy_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["build", str(SAMPLE), "--out", str(tmp_path), "--no-rated-copy",
                                      "--quiet", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert not list(tmp_path.glob("*-rated.*"))
    assert list(tmp_path.glob("*-rag.xlsx"))


def test_a_table_that_cannot_take_the_columns_gets_none_and_one_line_why(tmp_path: Path) -> None:
    path = tmp_path / "apart.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("KPIs")
    ws.write_row(0, 0, ["Ref", "Indicator", "Apr-19", "Target", "May-19", "Floor", "Commentary"])
    ws.write_row(1, 0, ["K1", "First", 0.85, 0.9, 0.95, 0.8])
    book.close()
    copy = make_rated_copy(pipeline.check(path), path)
    assert not copy.made
    assert len(copy.notes) == 1 and "period columns are not side by side" in str(copy.notes[0])


def test_a_merged_block_right_of_the_table_moves_the_columns_past_it(tmp_path: Path) -> None:
    path = tmp_path / "merged.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("KPIs")
    ws.write_row(0, 0, ["Ref", "Indicator", "Target", "Floor", "Apr-19", "May-19", "Commentary"])
    ws.write_row(1, 0, ["K1", "First", 0.9, 0.8, 0.85, 0.95])
    ws.merge_range(1, 7, 1, 9, "A note merged across the next columns")
    book.close()
    copy = make_rated_copy(pipeline.check(path), path)
    try:
        assert copy.made
        copy.write(tmp_path / "merged-rated.xlsx")
    finally:
        copy.close()
    assert [str(n) for n in copy.notes] == [
        "KPIs!H1: the rated columns would cover H2:J2, so they start at column K, not H"]
    sheet = _load(tmp_path / "merged-rated.xlsx")["KPIs"]
    assert [c.value for c in sheet[1]][7:] == [None, None, None, "Latest value", "Latest period", "RAG",
                                              "Direction of travel", "Previous value"]


# --- memory ---------------------------------------------------------------------------------------


class _BigSheet:
    """A worksheet's XML of size rows, made as it is read, so the test itself holds none of it."""

    def __init__(self, rows: int) -> None:
        self.parts = self._parts(rows)
        self.pending: list[bytes] = []
        self.size = 0

    @staticmethod
    def _parts(rows: int) -> Any:
        cells = "".join(f'<c r="{col}{{r}}" s="1"><v>{n * 7 % 1000}</v></c>'
                        for n, col in enumerate("BCDEFGHIJKL"))
        yield (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><dimension ref="A1:N2"/><sheetData>')
        for r in range(1, rows + 1):
            yield (f'<row r="{r}" spans="1:12"><c r="A{r}"><v>{r}</v></c>' + cells.format(r=r)
                   + "</row>").encode()
        yield b"</sheetData></worksheet>"

    def read(self, size: int = -1) -> bytes:
        while self.size < size:
            part = next(self.parts, None)
            if part is None:
                break
            self.pending.append(part)
            self.size += len(part)
        data = b"".join(self.pending)
        rest = data[size:]
        self.pending, self.size = [rest], len(rest)
        return data[:size]


class _Counter:
    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


@functools.lru_cache(maxsize=1)
def _plan() -> TablePlan:
    plan = TablePlan("KPIs", 1, 12, [("rag", "RAG")])
    plan.rows = {r: [NewCell(12, f"IF(A{r}>1,\"Green\",\"Red\")", "Green", "rag")]
                 for r in range(2, 200)}
    return plan


@pytest.mark.slow
def test_a_large_sheet_streams_through_in_flat_memory() -> None:
    sizes = {}
    for rows in (10_000, 100_000):  # about 4 MB and 40 MB of XML
        sink = _Counter()
        tracemalloc.start()
        edit_sheet(_BigSheet(rows), sink, [_plan()], StyleRequests(10),  # type: ignore[arg-type]
                   lambda tail: SheetAdditions())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        sizes[rows] = (sink.size, peak)
    (small, small_peak), (large, large_peak) = sizes[10_000], sizes[100_000]
    assert large > 9 * small
    assert large_peak < 2 * small_peak + (1 << 20), sizes  # ten times the sheet, not ten times the memory
    assert large_peak < large / 4


def test_the_formulas_docs_workbook_md_quotes_are_the_sample_rated_copy_s(cases: dict[str, Case]) -> None:
    """docs/workbook.md quotes the sample's first KPI row of its rated copy cell by cell ("..." for
    the period names left out): it must be what is written."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "workbook.md").read_text(encoding="utf-8")
    quoted = re.findall(r"^([A-Z]+\d+) [A-Z][A-Za-z]*(?: [a-z]+)? +(\{?=.+)$", page, flags=re.M)
    assert len(quoted) == 5
    sheet = _load(cases["sample"].copy)["KPIs"]
    for ref, formula in quoted:
        value = sheet[ref].value
        written = value.text if isinstance(value, ArrayFormula) else value
        assert isinstance(value, ArrayFormula) is formula.startswith("{"), ref
        pattern = re.escape(formula.strip("{}").lstrip("=")).replace(re.escape("..."), ".*")
        assert re.fullmatch(pattern, written.lstrip("=")), (ref, written)
