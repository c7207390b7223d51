"""The RAG workbook recalculated by two engines, Gnumeric and LibreOffice: every formula gives the
result kpi-excel cached, for the sample under each direction rule and a two-year tracker compared
with last year.

(The generated cases of test_workbook_libreoffice hold figures such as 0.7 + 0.2 against a target
of 0.9, which Excel and LibreOffice compare as equal, and so kpi-excel too; Gnumeric compares them
exactly, so they are left to LibreOffice.)"""

from __future__ import annotations

from pathlib import Path

import gnumeric
import pytest
from builders import HEADER, MONTHS, kpi_book
from conftest import SAMPLE
from libreoffice import recalculate_all, require_soffice
from test_workbook_libreoffice import cell_values, formula_cells, load, same_value

from kpi_excel import pipeline, workbook
from kpi_excel.core.model import DirectionMethod
from kpi_excel.workbook import write_workbook

pytestmark = pytest.mark.libreoffice

DIRECTIONS = tuple(DirectionMethod)
NAMES = [f"sample-{d.value}" for d in DIRECTIONS] + ["two-years-last_year"]


def two_year_tracker(folder: Path) -> Path:
    """Twenty KPIs over 24 months (Apr-18 to Mar-20) in whole numbers, some months blank."""
    months = [m.replace(year=m.year - 1) for m in MONTHS] + MONTHS
    rows = []
    for k in range(20):
        values: list[object] = [40 + (k * 13 + m * 7) % 45 for m in range(24)]
        for m in (k % 5, 12 + k % 3):
            values[m] = None
        rows.append([f"TY{k:02d}", f"Two-year indicator {k}", "H" if k % 3 else "L", 60, 50, *values])
    return kpi_book(folder, [*HEADER, *months], *rows, name="two-years.xlsx")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each workbook as kpi-excel writes it (charts only for the sample: engines lay them out slowly)."""
    folder = tmp_path_factory.mktemp("engines")
    reports = {f"sample-{d.value}": pipeline.check(SAMPLE, pipeline.Options(settings={"direction": d}))
               for d in DIRECTIONS}
    last_year = pipeline.Options(settings={"direction": DirectionMethod.LAST_YEAR})
    reports["two-years-last_year"] = pipeline.check(two_year_tracker(folder), last_year)
    assert sum(r.direction is not None for r in reports["two-years-last_year"].ratings) >= 15
    paths = {}
    for name, report in reports.items():
        paths[name] = folder / f"{name}.xlsx"
        with pytest.MonkeyPatch.context() as patch:
            if not name.startswith("sample"):
                patch.setattr(workbook.base, "MAX_CHARTS", 0)
            write_workbook(report, paths[name])
    return paths


@pytest.fixture(scope="module")
def recalculated(written: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
                 ) -> dict[tuple[str, str], Path]:
    """(engine, name) -> the copy that engine saved after recalculating every formula."""
    require_soffice()
    gnumeric.require_ssconvert()
    folder = tmp_path_factory.mktemp("recalculated")
    copies = {("gnumeric", name): gnumeric.recalculate(path, folder / "gnumeric")
              for name, path in written.items()}
    again = recalculate_all(list(written.values()), folder / "libreoffice")
    copies.update({("libreoffice", name): path for name, path in zip(written, again, strict=True)})
    return copies


def _text(value: object) -> object:
    return getattr(value, "text", value)  # an array formula's text


def test_the_direction_rules_change_the_formulas(written: dict[str, Path]) -> None:
    """The three sample builds differ (so each rule's formulas are exercised)."""
    assert len({path.read_bytes() for name, path in written.items() if name.startswith("sample")}) == 3


@pytest.mark.parametrize("engine", ["gnumeric", "libreoffice"])
@pytest.mark.parametrize("name", NAMES)
def test_every_formula_recalculates_to_the_cached_value(
        written: dict[str, Path], recalculated: dict[tuple[str, str], Path], engine: str, name: str
) -> None:
    cells = list(formula_cells(written[name]))
    if engine == "gnumeric":  # Gnumeric reads no structured reference (KPIs_table[RAG]), so neither the
        # Dashboard's counts nor their totals; LibreOffice does, and Excel
        formulas = load(written[name], data_only=False)
        text = {key: str(_text(formulas[key[0]][key[1]].value)) for key in cells}
        cells = [key for key in cells if "_table[" not in text[key]
                 and not (key[0] == "Dashboard" and text[key].startswith("=SUM("))]
    cached, again = cell_values(written[name]), cell_values(recalculated[(engine, name)])
    differ = [(key, cached[key], again.get(key)) for key in cells
              if not same_value(cached[key], again.get(key))]
    assert not differ, f"{engine}: {len(differ)} of {len(cells)} formulas differ, first: {differ[:5]}"
    assert len(cells) > 100
