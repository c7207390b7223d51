"""XlsxWriter's workbook, whose worksheets skip its prefixing passes over a formula that needs none."""

from __future__ import annotations

from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

# The functions XlsxWriter prefixes with "_xlfn." in every formula (Worksheet._prepare_formula,
# before its use_future_functions test), as it matches them: "\SINGLE(" matches any character
# before "INGLE(". A test checks this list against the installed XlsxWriter.
PREFIXED_FUNCTIONS = (
    "ANCHORARRAY(", "BYCOL(", "BYROW(", "CHOOSECOLS(", "CHOOSEROWS(", "DROP(", "EXPAND(", "FILTER(",
    "HSTACK(", "LAMBDA(", "MAKEARRAY(", "MAP(", "RANDARRAY(", "REDUCE(", "SCAN(", "INGLE(", "SEQUENCE(",
    "SORT(", "SORTBY(", "SWITCH(", "TAKE(", "TEXTSPLIT(", "TOCOL(", "TOROW(", "UNIQUE(", "VSTACK(",
    "WRAPCOLS(", "WRAPROWS(", "XLOOKUP(",
)


class FormulaWorksheet(Worksheet):
    """XlsxWriter's worksheet, which hands a formula naming none of PREFIXED_FUNCTIONS straight
    through: XlsxWriter runs 29 regular expressions over every formula, which took half the time
    of writing the sample's RAG workbook (its formulas name none of them). The formula written
    is the same either way."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if (self.use_future_functions or expand_future_functions
                or any(name in formula for name in PREFIXED_FUNCTIONS)):
            return str(super()._prepare_formula(formula, expand_future_functions))
        # what XlsxWriter does before its expressions: array braces and the leading "=" removed
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula


class FormulaWorkbook(xlsxwriter.Workbook):
    """XlsxWriter's workbook, whose worksheets are FormulaWorksheets."""

    worksheet_class: Any = FormulaWorksheet
