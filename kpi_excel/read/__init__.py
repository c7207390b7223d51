"""Reading a KPI workbook: openpyxl loading (xlsx.py) apart from the pure table finder (book.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kpi_excel.read.book import BookReader, sheet_kind
from kpi_excel.read.cells import Cell, ref
from kpi_excel.read.header import Header, find_header

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from kpi_excel.core.model import Dataset, Period
    from kpi_excel.read.intake import CheckedFile

__all__ = ["BookReader", "Cell", "Header", "find_header", "read_workbook", "ref", "sheet_kind"]


def read_workbook(path: Path, checked: CheckedFile | None = None, period: Period | None = None,
                  columns: Mapping[str, str] | None = None) -> Dataset:
    """Read every KPI table, the proposals and the key/value sheets of a workbook (see xlsx.py).

    openpyxl is imported on the first call, so the pure table finder loads without it.
    """
    from kpi_excel.read.xlsx import read_workbook as read_xlsx

    return read_xlsx(path, checked, period, columns)
