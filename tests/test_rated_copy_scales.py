"""Figures typed every way a department types a percentage: as a fraction shown as a percentage
(0.885), as a whole percentage (88.5) and as text ("88.5%"), mixed in one row and against targets
typed either way. LibreOffice's recalculation of the rated copy must read each row as check does."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libreoffice import recalculate_all
from rated_cases import MONTHS, Pct
from test_rated_copy import _load, _same
from test_rated_copy_finance import added_cells, rated, words_by_row
from test_workbook_libreoffice import same_value

pytestmark = pytest.mark.libreoffice

HEADERS = ["Ref", "Indicator", "Polarity", "Target", "Floor standard", *MONTHS, "Commentary"]

# a figure as a fraction (0.885); how it is typed in the cell
thousandths = st.integers(min_value=800, max_value=960).map(lambda k: k / 1000)
typed = st.sampled_from(["fraction", "whole", "text", "text-plain", "blank", "tbc"])


@st.composite
def rows(draw: st.DrawFn) -> list[object]:
    target = draw(st.integers(min_value=85, max_value=93)) / 100
    floor = target - draw(st.integers(min_value=2, max_value=8)) / 100
    polarity = draw(st.sampled_from(["H", "L"]))
    if polarity == "L":
        target, floor = floor, target

    def setting(value: float) -> object:
        return Pct(value) if draw(st.booleans()) else round(value * 100, 6)

    figures: list[object] = []
    for _ in MONTHS:
        value, how = draw(thousandths), draw(typed)
        whole = round(value * 100, 6)
        figures.append({"fraction": Pct(value), "whole": whole, "text": f"{whole:g}%",
                        "text-plain": f"{whole:g}", "blank": None, "tbc": "TBC"}[how])
    return [polarity, setting(target), setting(floor), *figures]


def write_mixed(path: Path, table: list[list[object]]) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    pct, plain = book.add_format({"num_format": "0.0%"}), book.add_format({"num_format": "0.0"})
    ws = book.add_worksheet("KPIs")
    ws.write_row(0, 0, HEADERS)
    for r, row in enumerate(table, start=1):
        ws.write_row(r, 0, [f"MX{r:02d}", f"Mixed indicator {r}"])
        for c, value in enumerate(row, start=2):
            if isinstance(value, Pct):
                ws.write_number(r, c, float(value), pct)
            elif isinstance(value, float):
                ws.write_number(r, c, value, plain)
            elif value is not None:
                ws.write_string(r, c, str(value))
    book.close()
    return path


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(rows(), min_size=6, max_size=14))
def test_libreoffice_reads_every_mix_of_percentages_as_check_does(table: list[list[object]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = write_mixed(Path(folder) / "mixed.xlsx", table)
        built = rated(source, Path(folder) / "out" / "mixed-rated.xlsx")
        assert not any("typed as text" in n for n in built.notes), built.notes
        cached = added_cells(built.copy)
        again = _load(recalculate_all([built.copy], Path(folder) / "lo")[0], data_only=True)
        expected = words_by_row(source)
        for (sheet, ref), (header, value) in cached.items():
            recalculated = again[sheet][ref].value
            assert same_value(value, recalculated), (ref, header, value, recalculated)
            words = expected[(sheet, int(re.sub(r"[A-Z]", "", ref)))]
            assert _same(header, recalculated, words), (ref, header, recalculated, words)
