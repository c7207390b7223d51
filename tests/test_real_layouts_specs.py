"""The real-layout corpus is well formed and builds the workbooks it describes.

These tests check the corpus itself (tests/real_layouts/specs), not the reader: every spec names its
public source, its expected rows point at cells that hold the body's figures, and the built .xlsx holds
exactly the spec's cells, fills and merges. How the reader fares on them is tests/real_layouts/diagnose.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from real_layouts.build import NAMED_FILLS, build_workbook, cells_of, load_specs
from xlsxwriter.utility import xl_cell_to_rowcol

SPECS = load_specs()
README = Path(__file__).parent / "real_layouts" / "README.md"
TIERS = {"county", "unitary", "district", "london", "metropolitan", "scottish", "welsh", "fire", "police",
         "housing"}
RAGS = {"GREEN", "AMBER", "RED", None}
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def leading_figure(value: object) -> float | None:
    """A cell's number, or the number text starts with ('512 kg (GREEN)', '34*'), as a reader sees it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        match = NUMBER.match(value.strip())
        return float(match.group().replace(",", "")) if match else None
    return None


def test_the_corpus_has_26_tables_from_15_bodies_of_several_tiers() -> None:
    assert len(SPECS) >= 26
    assert len({s["body"] for s in SPECS.values()}) >= 15
    assert len({s["tier"] for s in SPECS.values()}) >= 9


@pytest.mark.parametrize("name", sorted(SPECS))
def test_a_spec_is_well_formed(name: str) -> None:
    spec = SPECS[name]
    for key in ("body", "tier", "nation", "report", "source", "sheet", "rows", "expected", "notes"):
        assert spec.get(key) not in (None, "", []), key
    assert spec["tier"] in TIERS
    assert spec["source"].startswith(("http://", "https://"))
    assert len(spec["sheet"]) <= 31 and not set(spec["sheet"]) & set("[]:*?/\\")
    rows = spec["rows"]
    assert all(isinstance(v, (str, int, float)) or v is None for row in rows for v in row)
    for ref in [*spec.get("formats", {}), *spec.get("fills", {}), *spec.get("merges", [])]:
        for r, c in cells_of(ref):
            assert r < len(rows) and c < max(len(row) for row in rows), (ref, name)
    for colour in spec.get("fills", {}).values():
        assert colour in NAMED_FILLS or re.fullmatch(r"#[0-9A-Fa-f]{6}", colour), colour


@pytest.mark.parametrize("name", sorted(SPECS))
def test_each_expected_row_holds_its_key_and_the_body_figure(name: str) -> None:
    spec = SPECS[name]
    seen = set()
    for entry in spec["expected"]:
        assert entry["rag"] in RAGS and entry.get("rule_rag") in RAGS
        assert "rule_rag" not in entry or entry["rule_rag"] != entry["rag"], entry  # only where it differs
        assert entry["row"] not in seen
        seen.add(entry["row"])
        row = spec["rows"][entry["row"] - 1]
        assert any(isinstance(v, str) and entry["key"] in v for v in row), entry
        if entry["value"] is None:
            assert "column" not in entry
            continue
        _, col = xl_cell_to_rowcol(f"{entry['column']}1")
        cell = row[col]
        figure = leading_figure(cell)
        if figure is None:  # a figure written inside text, such as 'Apr – Dec =1,856. Full year ...'
            assert isinstance(cell, str) and f"{entry['value']:,.0f}" in cell, (entry, cell)
        else:
            assert entry["value"] in (pytest.approx(figure), pytest.approx(figure * 100)), (entry, cell)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("real-layouts")
    return {name: build_workbook(spec, out / f"{name}.xlsx") for name, spec in SPECS.items()}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_built_workbook_holds_the_spec(built: dict[str, Path], name: str) -> None:
    spec = SPECS[name]
    book = openpyxl.load_workbook(built[name])
    assert book.sheetnames == [spec["sheet"]]
    ws = book[spec["sheet"]]
    merged_away = {cell for m in spec.get("merges", []) for cell in list(cells_of(m))[1:]}
    for r, row in enumerate(spec["rows"]):
        for c, value in enumerate(row):
            if (r, c) in merged_away:
                continue
            assert ws.cell(r + 1, c + 1).value == value, (r + 1, c + 1, value)
    for ref, colour in spec.get("fills", {}).items():
        r, c = xl_cell_to_rowcol(ref)
        fill = ws.cell(r + 1, c + 1).fill
        assert fill.fill_type == "solid"
        assert fill.fgColor.rgb[-6:].upper() == NAMED_FILLS.get(colour, colour)[-6:].upper()
    assert sorted(str(m) for m in ws.merged_cells.ranges) == sorted(spec.get("merges", []))
    wanted: dict[tuple[int, int], str] = {}  # a later range wins over an earlier one, as the spec says
    for ref, num_format in spec.get("formats", {}).items():
        wanted.update(dict.fromkeys(cells_of(ref), num_format))
    for (r, c), num_format in wanted.items():
        if spec["rows"][r][c] is not None and (r, c) not in merged_away:
            assert ws.cell(r + 1, c + 1).number_format == num_format, (r + 1, c + 1, name)


def test_openxml_audit_finds_no_error_in_any_built_workbook(built: dict[str, Path]) -> None:
    folder = next(iter(built.values())).parent
    result = subprocess.run([sys.executable, "-m", "openxml_audit", "-f", "microsoft365", "-m", "0", "-r",
                             str(folder)], capture_output=True, text=True, timeout=600)
    assert result.stdout.count("Errors: 0") == len(built), result.stdout
    assert result.stdout.count("expected to open cleanly") == len(built), result.stdout


def test_the_readme_lists_every_spec_with_its_source() -> None:
    text = README.read_text(encoding="utf-8")
    for name, spec in SPECS.items():
        assert f"{name}.json" in text, name
        assert spec["source"] in text, name
