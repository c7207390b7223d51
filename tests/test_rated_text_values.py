"""The rated copy's value expression: figures typed as text read as the reader reads them."""

from __future__ import annotations

import warnings
from pathlib import Path

import gnumeric
import libreoffice
import openpyxl
import pytest
import xlsxwriter

from kpi_excel.core.values import parse_number
from kpi_excel.rated_copy.text_values import AS_TYPED, BY_SIGN, UNSURE, formula_reading, value_expression

# texts departments type in value cells; the first four are the issue's
SURE = ["88%", "1,000", " 92 % ", "TBC", "n/a", "-", "–", "", "   ", "0.5", "-3", "1,234.5", "12.50%",
        "100%", "007", "x", "..", "Not due", "-0.25 %", "2,500,000"]
UNSURE_TEXTS = ["1/4", "9:30", "1e3", "£5", "(5)", "1.2k", "−5", "5.", "+5", "92\u00a0%", "Q3 2019"]


def _as_read(text: str, whole_percents: bool) -> float | None:
    """The figure the reader takes from a value cell holding text, as PercentScale.apply scales it."""
    number = parse_number(text)
    if number.value is None or not whole_percents or number.percent:
        return number.value
    return number.value / 100


@pytest.mark.parametrize("whole_percents", [False, True])
def test_the_texts_read_for_sure_are_read_as_the_reader_reads_them(whole_percents: bool) -> None:
    for text in SURE:
        reading = formula_reading(text, whole_percents)
        assert reading is not UNSURE, text
        assert reading == _as_read(text, whole_percents), text


def test_a_text_the_expression_might_read_otherwise_is_unsure() -> None:
    # a date, a time, an exponent, a currency, brackets, a suffix, a typographic minus, a lone point,
    # a plus sign, a non-breaking space: VALUE may read these in more ways than the reader does
    for text in UNSURE_TEXTS:
        assert formula_reading(text, False) is UNSURE, text


def test_the_row_keeps_its_own_numbers_and_its_percent_scale() -> None:
    expression = value_expression("$G5:$R5", BY_SIGN)
    assert expression.startswith("IF(ISNUMBER($G5:$R5),$G5:$R5,")  # numbers untouched
    assert "100" in expression and "100" not in value_expression("$G5:$R5", AS_TYPED)


@pytest.mark.libreoffice
@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_each_engine_reads_each_text_as_the_expression_is_said_to(tmp_path: Path, engine: str) -> None:
    texts = SURE + UNSURE_TEXTS
    path = tmp_path / "texts.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Texts")
    for r, text in enumerate(texts, start=1):
        ws.write_string(r - 1, 0, text)
        for c, whole in ((1, False), (2, True)):
            mode = AS_TYPED if whole else BY_SIGN
            ws.write_array_formula(r - 1, c, r - 1, c, "{=" + value_expression(f"$A{r}", mode) + "}", None,
                                   "stale")  # a cached value no reading gives: LibreOffice must recalculate
    book.close()
    recalc = (libreoffice if engine == "libreoffice" else gnumeric).recalculate(path, tmp_path / engine)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sheet = openpyxl.load_workbook(recalc, data_only=True)["Texts"]
    for r, text in enumerate(texts, start=1):
        for c, whole in ((2, False), (3, True)):
            got = sheet.cell(r, c).value
            assert got != "stale", text
            reading = formula_reading(text, whole)
            if reading is UNSURE:
                continue
            # the model's scale is the cell's for a fraction row, a hundredth of it for whole percentages
            figure = None if got in (None, "") else (got / 100 if whole else got)
            assert figure == reading, (text, whole, got)
