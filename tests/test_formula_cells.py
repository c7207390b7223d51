"""The RAG workbook's worksheets skip XlsxWriter's prefixing passes only where they change nothing."""

from __future__ import annotations

import inspect
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from kpi_excel import pipeline
from kpi_excel.workbook import book, write_workbook
from kpi_excel.workbook.formula_cells import PREFIXED_FUNCTIONS, FormulaWorksheet


def test_the_list_of_prefixed_functions_is_the_installed_xlsxwriter_s() -> None:
    source = inspect.getsource(Worksheet._prepare_formula).split("use_future_functions")[0]
    patterns = re.findall(r're\.sub\(r"([^"]+)"', source)
    names = {p.removeprefix("\\b").removeprefix("\\S").replace("\\(", "(") for p in patterns}
    assert len(patterns) > 20 and names == set(PREFIXED_FUNCTIONS)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wb") / "rag.xlsx"
    write_workbook(pipeline.check(pipeline.sample_path()), path)
    return path


def test_every_formula_is_prepared_as_xlsxwriter_prepares_it(written: Path) -> None:
    with zipfile.ZipFile(written) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    formulas = {f for sheet in sheets for f in re.findall(r"<f>([^<]*)</f>", sheet)}
    assert len(formulas) > 100
    examples = ["=XLOOKUP(A1,B:B,C:C)", "=SINGLE(A1)", "{=SORT(A1:A3)}", "=IF(A1>0,FILTER(B:B,C:C),0)",
                "=_xlfn.XLOOKUP(A1,B:B,C:C)", "=ACOT(A1)", "=SUM(A1:A3)"]
    fast, plain = FormulaWorksheet(), Worksheet()
    for formula in sorted(formulas) + [f"={f}" for f in formulas] + examples:
        assert fast._prepare_formula(formula) == plain._prepare_formula(formula), formula
        assert fast._prepare_formula(formula, True) == plain._prepare_formula(formula, True), formula
    fast.use_future_functions = plain.use_future_functions = True
    assert fast._prepare_formula("=ACOT(A1)") == plain._prepare_formula("=ACOT(A1)") == "_xlfn.ACOT(A1)"


def test_the_workbook_is_the_same_bytes_as_with_xlsxwriter_s_own_worksheets(
        written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(book, "FormulaWorkbook", xlsxwriter.Workbook)
    plain = tmp_path / "plain.xlsx"
    write_workbook(pipeline.check(pipeline.sample_path()), plain)
    assert plain.read_bytes() == written.read_bytes()
