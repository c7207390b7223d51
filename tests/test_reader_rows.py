"""The pure table finder over plain rows of cells: no files, and no openpyxl."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from builders import kpi_book

from kpi_excel.core.model import Dataset
from kpi_excel.errors import MissingColumnError
from kpi_excel.excel.refs import column_letter
from kpi_excel.read import BookReader, Cell, read_workbook
from kpi_excel.read.cells import ref


def rows_of(*rows: list[object]) -> list[list[Cell]]:
    return [[v if isinstance(v, Cell) else Cell(v) for v in row] for row in rows]


def dataset_of(rows: list[list[Cell]], sheet: str = "KPIs") -> Dataset:
    reader = BookReader()
    reader.add_sheet(sheet, rows)
    return reader.dataset("rows", "0" * 64, "rows")


def test_rows_read_without_a_file_give_the_same_indicators_as_the_workbook(tmp_path: Path) -> None:
    header = ["Code", "Indicator", "Polarity", "Target", "Floor", "Apr-19", "May-19"]
    row = ["AS01", "Adults assessed", "H", 0.9, 0.8, 0.91, 0.78]
    from_rows = dataset_of(rows_of(["Adult Services"], header, row))
    from_file = read_workbook(kpi_book(tmp_path, header, row, above=[["Adult Services"]]))
    assert from_rows.indicators == from_file.indicators
    assert from_rows.title == from_file.title == "Adult Services"


def test_a_missing_target_column_is_named_at_its_header_cell() -> None:
    with pytest.raises(MissingColumnError) as error:
        dataset_of(rows_of([], ["Code", "Indicator", "Apr-19"], ["A1", "Adults", 3]), sheet="KPI data")
    assert error.value.where == "'KPI data'!B2"


@pytest.mark.parametrize(("col", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (702, "ZZ"), (703, "AAA")])
def test_column_letters_follow_excel(col: int, letters: str) -> None:
    assert column_letter(col) == letters
    assert ref("S", 0, col - 1) == f"S!{letters}1"


def test_the_table_finder_loads_without_openpyxl() -> None:
    code = "import sys, kpi_excel.read; print('openpyxl' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
