"""The reader's regression suite: every published table in tests/real_layouts read as its body reads it.

For each expected row of each spec, `check` must find the indicator on that row, read the body's
figure for the period from the column the spec names, read the body's own rating where it published
one (from words, a symbol's name, a colour-only fill or the figure's cell), and rate the row as the
body did. Where the body's rating contradicts its own target, or it published none, the spec's
`rule_rag` is the rating its printed target gives by its own rule, worked out by hand, and the
README says why (tests/real_layouts/README.md).
"""

from __future__ import annotations

import math

import pytest
from real_layouts.build import build_workbook, load_specs
from xlsxwriter.utility import xl_cell_to_rowcol

from kpi_excel import pipeline
from kpi_excel.core.model import Rating, Report
from kpi_excel.excel.refs import CellRef

SPECS = load_specs()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    out = tmp_path_factory.mktemp("real-layouts-read")
    return {name: pipeline.check(build_workbook(spec, out / f"{name}.xlsx")) for name, spec in SPECS.items()}


def rating_on_row(report: Report, row: int) -> Rating:
    found = [r for r in report.ratings if r.indicator.row == row]
    assert len(found) == 1, f"row {row}: {len(found)} indicators read there"
    return found[0]


def same_figure(read: float | None, body: float | None, percent: bool) -> bool:
    """The body's figure, on the cell's scale; a percentage is read as a fraction (85 % is 0.85)."""
    if body is None or read is None:
        return body is read
    return math.isclose(read, body, rel_tol=1e-9, abs_tol=1e-12) or percent and math.isclose(
        read * 100, body, rel_tol=1e-9)


def expected_rows() -> list[tuple[str, dict[str, object]]]:
    return [(name, entry) for name, spec in SPECS.items() for entry in spec["expected"]]


@pytest.mark.parametrize(("name", "entry"), expected_rows(),
                         ids=[f"{name}-row{entry['row']}" for name, entry in expected_rows()])
def test_each_row_is_read_and_rated_as_its_body_reads_it(reports: dict[str, Report], name: str,
                                                         entry: dict[str, object]) -> None:
    rating = rating_on_row(reports[name], int(entry["row"]))  # type: ignore[call-overload]
    ind = rating.indicator
    assert same_figure(rating.value, entry["value"], ind.is_percent), (rating.value, entry["value"])  # type: ignore[arg-type]
    if entry["value"] is not None:
        assert rating.latest is not None and isinstance(rating.latest.cell, CellRef)
        _, col = xl_cell_to_rowcol(f"{entry['column']}1")
        assert rating.latest.cell.col == col + 1, (rating.latest.cell, entry["column"])
    expected = entry["rule_rag"] if "rule_rag" in entry else entry["rag"]
    assert (rating.rag.value if rating.rag else None) == expected, rating.not_rated_reason
    if entry["rag"] is not None:  # the body's own rating is read, whatever form the table gives it in
        assert ind.stated is not None and ind.stated.rag is not None
        assert ind.stated.rag.value == entry["rag"], ind.stated


@pytest.mark.parametrize("name", sorted(SPECS))
def test_no_indicator_is_read_that_the_table_does_not_hold(reports: dict[str, Report], name: str) -> None:
    """Every indicator read is one the spec expects: no title, key, summary or header row is read as one."""
    rows = {entry["row"] for entry in SPECS[name]["expected"]}
    assert sorted(r.indicator.row for r in reports[name].ratings) == sorted(rows)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_column_is_explained(reports: dict[str, Report], name: str) -> None:
    """check --explain names every column with a heading or content, each with a role and a reason."""
    columns = reports[name].dataset.columns
    assert columns and all(c.role and c.why for c in columns)
    roles = [c.role for c in columns]
    assert roles.count("name") >= 1 and roles.count("value") + roles.count("period") >= 1


def test_the_corpus_reads_its_tables_right() -> None:
    """The corpus as the issue asks for it: tables from councils of every tier in England, Scotland
    and Wales, and police, fire and housing bodies."""
    nations = {spec["nation"] for spec in SPECS.values()}
    tiers = {spec["tier"] for spec in SPECS.values()}
    assert {"England", "Scotland", "Wales"} <= nations
    assert {"county", "district", "unitary", "london", "metropolitan", "police", "fire", "housing"} <= tiers
