"""The rated copy of a tracker as finance meets them (rated_cases.write_finance_tracker): two tables on
a sheet, a totals row, whole percentages, hidden columns, banded rows, a print area of whole columns,
a dropdown list, a merged note, a stray note and header pictures; each changed part read with a
namespace-aware parser, and every added cell recalculated by LibreOffice and Gnumeric."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import gnumeric
import pytest
from libreoffice import recalculate_all
from rated_cases import FINANCE_ROWS, QUARTER_ROWS, STRAY_CELL, write_finance_tracker
from test_rated_copy import _check_json, _load, _same
from test_workbook_libreoffice import same_value

from kpi_excel import pipeline
from kpi_excel.core.model import PeriodKind
from kpi_excel.excel import ns
from kpi_excel.rated_copy import make_rated_copy
from kpi_excel.read.layout import added_blocks
from kpi_excel.stamp import RATED_COLUMNS

M = f"{{{ns.MAIN}}}"


@dataclass
class Built:
    source: Path
    copy: Path
    notes: list[str]


def rated(source: Path, copy: Path) -> Built:
    copy.parent.mkdir(parents=True, exist_ok=True)
    made = make_rated_copy(pipeline.check(source), source)
    try:
        assert made.made, [str(n) for n in made.notes]
        made.write(copy)
    finally:
        made.close()
    return Built(source, copy, [str(n) for n in made.notes])


@pytest.fixture(scope="module")
def finance(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("finance")
    return rated(write_finance_tracker(folder / "finance.xlsx"), folder / "out" / "finance-rated.xlsx")


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(name)


def parsed(path: Path, name: str) -> ElementTree.Element:
    """A part parsed with namespaces: an undeclared prefix is an error here, as in Excel."""
    return ElementTree.fromstring(part(path, name))


def blocks(path: Path) -> dict[str, list[tuple[int, int, int, int]]]:
    """The blocks of added columns the copy's mark names: sheet -> (top, left, bottom, right), 0-based."""
    found: dict[str, list[tuple[int, int, int, int]]] = {}
    for name in parsed(path, "xl/workbook.xml").iter(f"{M}definedName"):
        if name.get("name") == RATED_COLUMNS:
            for sheet, block in added_blocks(name.text or ""):
                found.setdefault(sheet, []).append(block)
    return found


def added_cells(path: Path) -> dict[tuple[str, str], tuple[str, Any]]:
    """Each cell under an added header: (sheet, A1) -> (its header, its cached value)."""
    values = _load(path, data_only=True)
    found = {}
    for sheet, boxes in blocks(path).items():
        ws = values[sheet]
        for top, left, bottom, right in boxes:
            for col in range(left + 1, right + 2):
                header = str(ws.cell(top + 1, col).value)
                for row in range(top + 2, bottom + 2):
                    found[(sheet, ws.cell(row, col).coordinate)] = (header, ws.cell(row, col).value)
    return found


def words_by_row(source: Path) -> dict[tuple[str, int], dict[str, Any]]:
    """check --json's words for each indicator, by the sheet and row its cell names."""
    from test_rated_copy import _expected_words

    report = _check_json(source)
    found = {}
    for kpi in report["kpis"] + report.get("activities", []):
        sheet, cell = kpi["cell"].rsplit("!", 1)
        found[(sheet.strip("'"), int(re.sub(r"[A-Z]", "", cell)))] = _expected_words(kpi)
    return found


# --- reading the tables --------------------------------------------------------------------------


def test_the_totals_rows_are_no_kpis_and_the_quarterly_table_has_its_own_headings(finance: Built) -> None:
    report = pipeline.check(finance.source)
    codes = [r.indicator.code for r in report.ratings]
    assert codes == [row[0] for row in FINANCE_ROWS + QUARTER_ROWS]
    quarterly = [r.indicator for r in report.ratings if r.indicator.code.startswith("QT")]
    assert all(o.period.kind is PeriodKind.QUARTER for i in quarterly for o in i.observations)
    assert all(len(i.observations) == 4 for i in quarterly)
    warnings = [str(w) for w in report.warnings]
    assert not any("repeats the header row" in w for w in warnings), warnings
    # the Excel table's totals row goes unsaid; the Average row typed under the quarterly table is named
    assert [w for w in warnings if "totals the table" in w] == [
        "KPIs!A18: row 18 totals the table ('Average'), so it was not read as a KPI"]


def test_each_table_gets_headed_columns_beside_it_and_build_says_what_moved(finance: Built) -> None:
    assert blocks(finance.copy) == {"KPIs": [(3, 20, 9, 24), (13, 14, 16, 18)]}  # U4:Y10 and O14:S17
    sheet = _load(finance.copy)["KPIs"]
    headers = ["Latest value", "Latest period", "RAG (rule)", "Direction of travel", "Previous value"]
    assert [sheet.cell(4, c).value for c in range(21, 26)] == headers
    assert [sheet.cell(14, c).value for c in range(15, 20)] == [h.replace(" (rule)", "") for h in headers]
    assert sheet[STRAY_CELL].value == "checked by JB"
    assert finance.notes == [
        "KPIs!L14: the rated columns would cover L14:N15, so they start at column O, not L",
        "KPIs!U4: columns U, V, W, X, Y were hidden; the rated columns there are shown",
        "KPIs!U4: data validation on S5:Z10 no longer covers the rated columns"]


# --- the engines --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rebuilt(finance: Built, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """The department edits FN06's March figure (R10: 950 -> 1,050) in its rated copy, builds from
    it, and builds again from that."""
    folder = tmp_path_factory.mktemp("rebuilt")
    edited = folder / "1" / "finance-rated.xlsx"
    edited.parent.mkdir()
    with zipfile.ZipFile(finance.copy) as source, zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'(<c r="R10"[^>]*>)<v>950</v>', rb"\g<1><v>1050</v>", data)
                assert count == 1
            out.writestr(info, data)
    second = rated(edited, folder / "2" / "finance-rated.xlsx")
    third = rated(second.copy, folder / "3" / "finance-rated.xlsx")
    return {"edited": Built(finance.source, edited, []), "second": second, "third": third}


@pytest.fixture(scope="module")
def engines(finance: Built, rebuilt: dict[str, Built], tmp_path_factory: pytest.TempPathFactory
            ) -> dict[tuple[str, str], Path]:
    """(engine, name) -> the copy that engine saved after recalculating every formula."""
    folder = tmp_path_factory.mktemp("engines")
    copies = {"first": finance.copy, "second": rebuilt["second"].copy}
    (folder / "second").mkdir()
    renamed = folder / "second" / "finance-second.xlsx"  # LibreOffice names its outputs by their stems
    renamed.write_bytes(copies["second"].read_bytes())
    found = dict(zip([("libreoffice", n) for n in copies],
                     recalculate_all([copies["first"], renamed], folder / "lo"), strict=True))
    found.update({("gnumeric", n): gnumeric.recalculate(p, folder / f"gnumeric-{n}")
                  for n, p in copies.items()})
    return found


@pytest.mark.libreoffice
@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_every_added_cell_recalculates_to_its_cached_result_and_check_s(
        finance: Built, engines: dict[tuple[str, str], Path], engine: str) -> None:
    cached = added_cells(finance.copy)
    assert len(cached) == 5 * 6 + 5 * 3
    recalculated = _load(engines[(engine, "first")], data_only=True)
    expected = words_by_row(finance.source)
    for (sheet, ref), (header, value) in cached.items():
        again = recalculated[sheet][ref].value
        assert same_value(value, again), (ref, header, value, again)
        words = expected[(sheet, int(re.sub(r"[A-Z]", "", ref)))]
        assert _same(header, value, words), (ref, header, value, words)


# --- building again from the rated copy ---------------------------------------------------------


def test_a_build_from_the_rated_copy_refreshes_its_columns_in_place(finance: Built,
                                                                    rebuilt: dict[str, Built]) -> None:
    edited, second, third = rebuilt["edited"].copy, rebuilt["second"].copy, rebuilt["third"].copy
    assert blocks(second) == blocks(finance.copy)  # the same columns: none added twice
    assert rebuilt["second"].notes == []  # the columns stay where the first build put them, and say so once
    with zipfile.ZipFile(edited) as before, zipfile.ZipFile(second) as after:
        assert before.namelist() == after.namelist()
        changed = [n for n in before.namelist() if before.read(n) != after.read(n)]
    assert changed == ["xl/worksheets/sheet1.xml"]  # styles, notes, table, names: as they were
    old, new = _load(edited), _load(second)
    differ = {c.coordinate for row in old["KPIs"].iter_rows() for c in row
              if _text(new["KPIs"][c.coordinate].value) != _text(c.value)}
    assert not differ  # the same formulas everywhere
    old, new = _load(edited, data_only=True)["KPIs"], _load(second, data_only=True)["KPIs"]
    differ = {c.coordinate for row in old.iter_rows() for c in row if new[c.coordinate].value != c.value}
    assert differ == {"U10", "W10", "X10"}  # FN06's latest value, RAG and direction
    assert (new["U10"].value, new["W10"].value, new["X10"].value) == (1050, "Green", "Improved")
    assert second.read_bytes() == third.read_bytes()  # a third build changes nothing


def _text(value: object) -> object:
    return getattr(value, "text", value)  # an array formula's text (openpyxl's objects compare by identity)


def test_a_build_from_the_rated_copy_reads_no_stated_rating_from_its_columns(
        rebuilt: dict[str, Built]) -> None:
    report = pipeline.check(rebuilt["edited"].copy)
    stated = {r.indicator.code: r.indicator.stated.cell for r in report.ratings if r.indicator.stated}
    assert set(stated.values()) <= {f"KPIs!S{row}" for row in range(5, 11)}  # the department's own RAG
    assert len(report.ratings) == len(FINANCE_ROWS) + len(QUARTER_ROWS)
    ours = ("KPIs!U", "KPIs!V", "KPIs!W", "KPIs!X", "KPIs!Y")
    assert not any(w.where.startswith(ours) for w in report.warnings)


@pytest.mark.libreoffice
@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_the_refreshed_copy_recalculates_to_check_of_the_edited_copy(
        rebuilt: dict[str, Built], engines: dict[tuple[str, str], Path], engine: str) -> None:
    second = rebuilt["second"].copy
    recalculated = _load(engines[(engine, "second")], data_only=True)
    expected = words_by_row(rebuilt["edited"].copy)
    for (sheet, ref), (header, value) in added_cells(second).items():
        assert same_value(value, recalculated[sheet][ref].value), (ref, header)
        assert _same(header, value, expected[(sheet, int(re.sub(r"[A-Z]", "", ref)))]), (ref, header, value)


# --- the structure Excel needs, read with namespaces -----------------------------------------------


def test_the_grown_table_keeps_its_filter_in_step_less_the_totals_row(finance: Built) -> None:
    table = parsed(finance.copy, "xl/tables/table1.xml")
    assert (table.get("ref"), table.get("totalsRowCount")) == ("A4:Y11", "1")
    assert table.find(f"{M}autoFilter").get("ref") == "A4:Y10"  # type: ignore[union-attr]
    columns = table.find(f"{M}tableColumns")
    assert columns is not None and columns.get("count") == str(len(columns)) == "25"
    sheet = _load(finance.copy)["KPIs"]
    assert [c.get("name") for c in columns] == [sheet.cell(4, col).value for col in range(1, 26)]
    assert len({c.get("id") for c in columns}) == 25


def test_column_widths_stay_sorted_apart_and_the_rated_columns_show(finance: Built) -> None:
    cols = parsed(finance.copy, "xl/worksheets/sheet1.xml").find(f"{M}cols")
    assert cols is not None
    spans = [(int(c.get("min", 0)), int(c.get("max", 0)), c.get("hidden") in ("1", "true")) for c in cols]
    assert spans == sorted(spans) and all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))
    hidden = {col for low, high, hide in spans if hide for col in range(low, high + 1)}
    assert not hidden & set(range(21, 26)) and set(range(26, 33)) <= hidden  # U:Y shown, Z:AF still hidden


def test_the_rated_colours_outrank_the_sheet_s_banding(finance: Built) -> None:
    sheet = parsed(finance.copy, "xl/worksheets/sheet1.xml")
    rules = [(cf.get("sqref"), rule.get("type"), int(rule.get("priority", 0)))
             for cf in sheet.iter(f"{M}conditionalFormatting") for rule in cf]
    ours = [p for sqref, kind, p in rules if kind == "cellIs"]
    theirs = [p for sqref, kind, p in rules if kind != "cellIs"]
    assert sorted(ours) == list(range(1, len(ours) + 1)) and ours
    assert theirs and min(theirs) > len(ours)
    assert len({p for *_, p in rules}) == len(rules)


def test_a_print_area_of_whole_columns_widens_and_no_dropdown_covers_a_rated_cell(finance: Built) -> None:
    book = parsed(finance.copy, "xl/workbook.xml")
    areas = [n.text for n in book.iter(f"{M}definedName") if n.get("name") == "_xlnm.Print_Area"]
    assert areas == ["KPIs!$A:$Y"]
    sheet = parsed(finance.copy, "xl/worksheets/sheet1.xml")
    covered = " ".join(v.get("sqref", "") for v in sheet.iter(f"{M}dataValidation"))
    rated = {f"{col}{row}" for col in "UVWXY" for row in range(4, 11)}
    for box in covered.split():
        for cell in rated:
            assert not _in_range(cell, box), (cell, box)
    assert "S5:T10" in covered and "Z5:Z10" in covered  # the department's own cells keep their list


def _in_range(cell: str, box: str) -> bool:
    from openpyxl.utils.cell import range_boundaries

    low_col, low_row, high_col, high_row = range_boundaries(box)
    col, row = range_boundaries(cell)[:2]
    return low_col <= col <= high_col and low_row <= row <= high_row


def _drawing(path: Path, element: str) -> str:
    """The part the sheet's <legacyDrawing> (or <legacyDrawingHF>) names."""
    sheet = parsed(path, "xl/worksheets/sheet1.xml")
    rid = sheet.find(f"{M}{element}").get(ns.clark(ns.RELATIONSHIPS, "id"))  # type: ignore[union-attr]
    rels = parsed(path, "xl/worksheets/_rels/sheet1.xml.rels")
    target = next(r.get("Target", "") for r in rels if r.get("Id") == rid)
    return "xl/" + target.replace("../", "")


def test_notes_go_into_the_drawing_the_sheet_names_with_every_prefix_declared(finance: Built) -> None:
    with zipfile.ZipFile(finance.copy) as copy:
        for name in [n for n in copy.namelist() if n.endswith(".vml")]:
            ElementTree.fromstring(copy.read(name))  # every prefix bound, or this raises
    header_picture = _drawing(finance.copy, "legacyDrawingHF")
    assert part(finance.copy, header_picture) == part(finance.source, header_picture)
    vml = parsed(finance.copy, _drawing(finance.copy, "legacyDrawing"))
    excel = "{urn:schemas-microsoft-com:office:excel}"
    rows_cols = {(int(c.findtext(f"{excel}Row", "-1")), int(c.findtext(f"{excel}Column", "-1")))
                 for c in vml.iter(f"{excel}ClientData")}
    ours = {(3, c) for c in range(20, 25)} | {(13, c) for c in range(14, 19)}  # U4:Y4 and O14:S14
    assert rows_cols == ours | {(3, 1)}  # and the department's own note on B4
    comments = parsed(finance.copy, "xl/comments1.xml")
    refs = [c.get("ref", "") for c in comments.iter(f"{M}comment")]
    assert sorted(refs) == sorted(["B4", *(f"{c}4" for c in "UVWXY"), *(f"{c}14" for c in "OPQRS")])


@pytest.mark.parametrize("name", ["[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml",
                                  "xl/worksheets/sheet1.xml", "xl/tables/table1.xml", "docProps/custom.xml"])
def test_each_changed_part_reads_back_with_its_namespaces(finance: Built, name: str) -> None:
    with zipfile.ZipFile(finance.source) as source:
        before = source.read(name) if name in source.namelist() else b""
    assert part(finance.copy, name) != before
    assert parsed(finance.copy, name) is not None


def test_openxml_audit_finds_no_error_and_no_repair(finance: Built) -> None:
    result = subprocess.run([sys.executable, "-m", "openxml_audit", "-f", "microsoft365", "-m", "0",
                             str(finance.copy)], capture_output=True, text=True, timeout=300)
    assert "Errors: 0" in result.stdout, result.stdout
    assert "expected to open cleanly" in result.stdout, result.stdout


def test_check_says_where_build_puts_the_columns(finance: Built) -> None:
    from typer.testing import CliRunner

    from kpi_excel.cli import app

    result = CliRunner().invoke(app, ["check", str(finance.source)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "Previous value to KPIs (columns U:Y); Latest value" in said  # not beyond the note in AZ10
    assert "Previous value to KPIs (columns O:S), as live formulas" in said  # past the merged note
