"""The rated copy at the edges of how workbooks keep their parts: notes written by other programs,
notes that cannot be added, a page-header picture's drawing, a sheet's own filter, Strict Open XML,
and the names of the files a build from a rated copy writes."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter
from corpus import strict_copy
from openpyxl.comments import Comment
from rated_cases import _png, write_tracker
from typer.testing import CliRunner

from kpi_excel import pipeline
from kpi_excel.cli import app
from kpi_excel.excel import ns
from kpi_excel.rated_copy import make_rated_copy

M = f"{{{ns.MAIN}}}"
HEADER = ["Ref", "Indicator", "Target", "Floor", "Apr-19", "May-19", "Commentary"]
ROWS = [["K1", "First", 0.9, 0.8, 0.85, 0.95, "Up."], ["K2", "Second", 0.7, 0.6, 0.75, 0.65, "Down."]]


def _copy(source: Path) -> tuple[Path | None, list[str]]:
    made = make_rated_copy(pipeline.check(source), source)
    target = source.with_name(source.stem + "-rated.xlsx")
    try:
        if made.made:
            made.write(target)
    finally:
        made.close()
    return (target if made.made else None), [str(n) for n in made.notes]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {n: package.read(n) for n in package.namelist()}


def _xlsxwriter_book(path: Path, extra: object = None) -> Path:
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("KPIs")
    ws.write_row(0, 0, HEADER)
    for r, row in enumerate(ROWS, start=1):
        ws.write_row(r, 0, row)
    if callable(extra):
        extra(ws)
    book.close()
    return path


def test_notes_added_beside_notes_another_program_wrote_declare_their_prefixes(tmp_path: Path) -> None:
    """openpyxl declares the drawing's prefixes on each element, none at its top: a note appended
    there must declare its own, or a namespace-aware reader (and Excel) cannot read the drawing."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "KPIs"
    for row in [HEADER, *ROWS]:
        ws.append(row)
    ws["B2"].comment = Comment("Agreed in May.", "Finance")
    book.save(tmp_path / "openpyxl.xlsx")
    copy, notes = _copy(tmp_path / "openpyxl.xlsx")
    assert copy is not None, notes
    drawings = {n: d for n, d in _parts(copy).items() if n.endswith(".vml")}
    assert len(drawings) == 1
    vml = ElementTree.fromstring(next(iter(drawings.values())))
    excel = "{urn:schemas-microsoft-com:office:excel}"
    columns = {int(c.findtext(f"{excel}Column", "-1")) for c in vml.iter(f"{excel}ClientData")}
    assert columns == {1, *range(7, 12)}
    ids = [s.get("id") for s in vml.iter("{urn:schemas-microsoft-com:vml}shape")]
    assert len(ids) == len(set(ids)) == 1 + 5  # theirs and ours: Latest value ... Previous value


def test_notes_that_cannot_be_added_leave_the_comments_as_they_were(tmp_path: Path) -> None:
    """A drawing not as Excel writes it takes no notes: the header cells carry their note as an input
    message instead, and the comments part is not touched either."""
    source = _xlsxwriter_book(tmp_path / "odd.xlsx", lambda ws: ws.write_comment("B2", "Agreed in May."))
    parts = _parts(source)
    vml = next(n for n in parts if n.endswith(".vml"))
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data.replace(b"_x0000_t202", b"_x0000_t203") if name == vml else data)
    copy, notes = _copy(source)
    assert copy is not None, notes
    after = _parts(copy)
    comments = next(n for n in parts if "comments" in n)
    assert after[comments] == parts[comments] and after[vml] == _parts(source)[vml]
    sheet = ElementTree.fromstring(after["xl/worksheets/sheet1.xml"])
    prompts = [v.get("sqref") for v in sheet.iter(f"{M}dataValidation") if v.get("showInputMessage") == "1"]
    assert prompts == ["H1", "I1", "J1", "K1", "L1"]


def test_a_page_header_picture_s_drawing_takes_no_notes(tmp_path: Path) -> None:
    source = _xlsxwriter_book(tmp_path / "header.xlsx", lambda ws: ws.set_header(
        "&L&G", {"image_left": "logo.png", "image_data_left": io.BytesIO(_png())}))
    copy, notes = _copy(source)
    assert copy is not None, notes
    before, after = _parts(source), _parts(copy)
    for name in [n for n in before if n.endswith(".vml")]:
        assert after[name] == before[name]
    new = [n for n in after if n.endswith(".vml") and n not in before]
    assert len(new) == 1
    sheet = ElementTree.fromstring(after["xl/worksheets/sheet1.xml"])
    assert sheet.find(f"{M}legacyDrawing") is not None and sheet.find(f"{M}legacyDrawingHF") is not None


def test_the_sheet_s_own_filter_takes_in_the_rated_columns(tmp_path: Path) -> None:
    source = _xlsxwriter_book(tmp_path / "filter.xlsx", lambda ws: ws.autofilter(0, 0, 2, 6))
    copy, notes = _copy(source)
    assert copy is not None, notes
    sheet = ElementTree.fromstring(_parts(copy)["xl/worksheets/sheet1.xml"])
    assert sheet.find(f"{M}autoFilter").get("ref") == "A1:L3"  # type: ignore[union-attr]


def test_a_strict_open_xml_workbook_is_told_why_it_gets_no_rated_copy(tmp_path: Path) -> None:
    source = _xlsxwriter_book(tmp_path / "plain.xlsx")
    strict_copy(source, tmp_path / "strict.xlsx")
    copy, notes = _copy(tmp_path / "strict.xlsx")
    assert copy is None
    assert len(notes) == 1 and "Strict Open XML" in notes[0] and "Excel Workbook (*.xlsx)" in notes[0]


# --- month to month -------------------------------------------------------------------------------


def test_a_build_from_a_rated_copy_names_its_outputs_after_the_tracker(tmp_path: Path) -> None:
    tracker = write_tracker(tmp_path / "tracker.xlsx")
    runner = CliRunner()
    first = runner.invoke(app, ["build", str(tracker), "--out", str(tmp_path / "2020-03"), "--quiet",
                                "--jobs", "1"])
    assert first.exit_code == 0, first.output
    rated = tmp_path / "2020-03" / "tracker-rated.xlsx"
    second = runner.invoke(app, ["build", str(rated), "--out", str(tmp_path / "2020-04"), "--quiet",
                                 "--jobs", "1"])
    assert second.exit_code == 0, second.output
    assert sorted(p.name for p in (tmp_path / "2020-04").glob("tracker*")) == [
        "tracker-paper.docx", "tracker-rag.xlsx", "tracker-rated.xlsx"]
    # a workbook that only happens to be named like one is named as it is
    plain = tmp_path / "survey-rated.xlsx"
    plain.write_bytes(tracker.read_bytes())
    assert pipeline.output_paths(plain, tmp_path)["rated"].name == "survey-rated-rated.xlsx"


def test_a_build_never_writes_over_the_rated_copy_it_reads(tmp_path: Path) -> None:
    tracker = write_tracker(tmp_path / "tracker.xlsx")
    runner = CliRunner()
    assert runner.invoke(app, ["build", str(tracker), "--out", str(tmp_path), "--quiet", "--jobs", "1"]
                         ).exit_code == 0
    rated = tmp_path / "tracker-rated.xlsx"
    before = rated.read_bytes()
    result = runner.invoke(app, ["build", str(rated), "--out", str(tmp_path), "--quiet", "--jobs", "1"],
                           env={"COLUMNS": "300"})
    assert result.exit_code == 1
    line = " ".join(result.output.split())
    assert "this is the rated copy being built from, and kpi-excel never writes over its input" in line
    assert "a folder per month" in line and "Traceback" not in result.output
    assert rated.read_bytes() == before


@pytest.mark.parametrize("edited", [False, True])
def test_the_department_s_own_rag_column_stays_the_stated_rating(tmp_path: Path, edited: bool) -> None:
    """A build from the rated copy compares the rule with the department's RAG column only, never with
    the rated copy's own (RAG (rule)), whatever the copy's cached words say."""
    tracker = write_tracker(tmp_path / "tracker.xlsx")
    copy, _ = _copy(tracker)
    assert copy is not None
    if edited:  # the rated copy's words typed over by hand: still not a stated rating
        parts = _parts(copy)
        sheet = re.sub(rb'(<c r="Y\d+"[^>]*t="str">.*?<v>)(?:Green|Amber|Red)(</v>)', rb"\1Red\2",
                       parts["xl/worksheets/sheet1.xml"])
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in parts.items():
                out.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else data)
    original = [str(w) for w in pipeline.check(tracker).warnings]
    again = [str(w) for w in pipeline.check(copy).warnings]
    assert again == original
