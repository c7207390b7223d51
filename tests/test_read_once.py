"""The input is read once and checked once; what a workbook holds beyond its figures is told; rows
stored out of order are read in order; no library's warning reaches the user."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from corpus import SUMMARY, kpi_book, table
from corpus_wild import (
    add_macro_sheet,
    date_beyond_any_calendar,
    edited,
    part_stored_twice,
    part_stored_twice_in_another_letter_case,
    rows_stored_header_last,
    rows_stored_in_reverse,
)

from kpi_excel import pipeline, workers
from kpi_excel.errors import UnreadableWorkbookError
from kpi_excel.read.intake import read_checked


def figures(path: Path, sheet: str = "KPIs") -> list[list[object]]:
    book = openpyxl.load_workbook(path, data_only=True)
    try:
        return [[c.value for c in row] for row in book[sheet].iter_rows(max_col=8)]
    finally:
        book.close()


# --- a part stored twice ---------------------------------------------------------------------------


@pytest.mark.parametrize("make", [part_stored_twice, part_stored_twice_in_another_letter_case])
def test_a_zip_holding_a_part_twice_is_refused_in_one_line(tmp_path: Path, make: object) -> None:
    path = tmp_path / "twice.xlsx"
    make(path)  # type: ignore[operator]
    with zipfile.ZipFile(path) as archive:  # the zip really holds the name twice, with other figures
        names = [n.casefold() for n in archive.namelist()]
        assert names.count("xl/worksheets/sheet1.xml") == 2
    with pytest.raises(UnreadableWorkbookError) as raised:
        pipeline.check(path)
    line = raised.value.line()
    assert line.startswith(f"{path}: part xl/worksheets/") and "is stored twice" in line
    assert "which copy Excel reads is not defined" in line and "\n" not in line


# --- every output from the bytes read ---------------------------------------------------------------


def test_a_file_replaced_during_the_build_does_not_change_the_rated_copy(tmp_path: Path) -> None:
    """The workbook is replaced on disk after it is read, while the outputs are written: the rated
    copy is still the file that was read and rated, not the new one."""
    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    original = source.read_bytes()
    replacement = tmp_path / "other.xlsx"
    kpi_book(replacement, table((1, 5, 0.11), (1, 6, 0.12), (1, 7, 0.13)))
    replaced: list[str] = []

    def progress(message: str) -> None:
        if message.startswith("Writing the RAG workbook"):  # read and rated by now
            source.write_bytes(replacement.read_bytes())
            replaced.append(message)

    result = pipeline.build(source, tmp_path / "out", progress=progress)
    assert replaced and source.read_bytes() == replacement.read_bytes()
    rated = tmp_path / "out" / "tracker-rated.xlsx"
    assert rated in result.outputs
    assert figures(rated)[1][5:8] == [0.91, 0.92, 0.93]  # the figures read, not the new file's
    assert result.report.dataset.sha256 == read_checked_sha(original, tmp_path)
    with zipfile.ZipFile(rated) as copy, zipfile.ZipFile(io.BytesIO(original)) as before:
        assert copy.read("xl/sharedStrings.xml" if "xl/sharedStrings.xml" in before.namelist()
                         else "[Content_Types].xml")  # a whole package
        kept = [n for n in before.namelist() if n.startswith("xl/theme/")]
        assert kept and all(copy.read(n) == before.read(n) for n in kept)


def read_checked_sha(data: bytes, folder: Path) -> str:
    again = folder / "again.xlsx"
    again.write_bytes(data)
    return read_checked(again).sha256


def test_the_rated_copy_is_made_from_the_checked_bytes_not_the_path(tmp_path: Path) -> None:
    """make_rated_copy is given the bytes the reader checked (CheckedFile.file_bytes)."""
    from kpi_excel.rated_copy import make_rated_copy

    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    loaded = pipeline.read_input(source)
    assert loaded.workbook is not None and loaded.workbook.file_bytes == source.read_bytes()
    source.unlink()  # gone from disk: the copy needs nothing but the bytes
    from kpi_excel.core.rules import rate

    copy = make_rated_copy(rate(loaded.dataset), loaded.workbook.file_bytes, name="tracker.xlsx")
    try:
        assert copy.made and copy.sheets == ["KPIs"]
    finally:
        copy.close()


# --- Excel 4.0 macros -------------------------------------------------------------------------------


def test_an_excel4_macro_sheet_is_warned_about_and_the_rated_copy_says_it_keeps_it(tmp_path: Path) -> None:
    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    edited(source, add_macro_sheet)
    report = pipeline.check(source)
    said = [w.message for w in report.warnings if "Excel 4.0" in w.message]
    assert len(said) == 1 and "'Macro1'" in said[0] and "Auto_Open" in said[0] and "not run" in said[0]
    result = pipeline.build(source, tmp_path / "out")
    notes = [w for w in result.warnings if w.startswith("Rated copy:") and "Excel 4.0" in w]
    assert len(notes) == 1 and "may run them when the copy is opened" in notes[0]
    with zipfile.ZipFile(tmp_path / "out" / "tracker-rated.xlsx") as copy:
        assert copy.read("xl/macrosheets/sheet1.xml") == edited_part(source, "xl/macrosheets/sheet1.xml")
    for output in ("tracker-rag.xlsx", "tracker-paper.docx"):
        with zipfile.ZipFile(tmp_path / "out" / output) as package:
            assert not [n for n in package.namelist() if "macro" in n.lower() or "vba" in n.lower()]


def edited_part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def test_a_workbook_without_macro_sheets_has_no_such_warning(tmp_path: Path) -> None:
    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    assert read_checked(source).excel4_macros is None
    assert not [w for w in pipeline.check(source).warnings if "macro" in w.message]


# --- rows out of order --------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [rows_stored_header_last, rows_stored_in_reverse])
def test_rows_stored_out_of_order_are_read_in_row_order(tmp_path: Path, make: object) -> None:
    plain, shuffled = tmp_path / "plain.xlsx", tmp_path / "shuffled.xlsx"
    kpi_book(plain, table())
    make(shuffled)  # type: ignore[operator]
    assert read_checked(shuffled).rows_out_of_order == {"xl/worksheets/sheet1.xml"}
    assert read_checked(plain).rows_out_of_order == frozenset()
    ours, theirs = pipeline.check(plain), pipeline.check(shuffled)
    assert [(r.indicator.code, r.rag, r.latest) for r in theirs.ratings] == [
        (r.indicator.code, r.rag, r.latest) for r in ours.ratings]
    assert ours.summary == theirs.summary


def test_a_hidden_row_stored_out_of_order_is_still_noticed(tmp_path: Path) -> None:
    path = tmp_path / "shuffled.xlsx"
    rows_stored_in_reverse(path)

    def hide_second_row(parts: dict[str, bytes]) -> None:
        xml = parts["xl/worksheets/sheet1.xml"]
        parts["xl/worksheets/sheet1.xml"] = xml.replace(b'<row r="3"', b'<row r="3" hidden="1"', 1)

    edited(path, hide_second_row)
    assert [w.where for w in pipeline.check(path).warnings if "hidden" in w.message] == ["KPIs!A3"]


# --- library warnings -----------------------------------------------------------------------------------


def test_a_library_warning_while_reading_does_not_reach_the_caller(tmp_path: Path) -> None:
    """openpyxl warns as it reads a date cell it cannot convert; the suite turns warnings into errors
    (pyproject's filterwarnings), so a warning that escaped would fail this test."""
    path = tmp_path / "far.xlsx"
    date_beyond_any_calendar(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = pipeline.check(path)
        pipeline.build(path, tmp_path / "out")
    assert report.summary.green == 1 and not caught


def test_no_library_warning_reaches_the_terminal_from_the_command(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    date_beyond_any_calendar(path)
    for args in (["check", str(path)], ["build", str(path), "--out", str(tmp_path / "out"), "--jobs", "2"]):
        run = subprocess.run([sys.executable, "-W", "always", "-m", "kpi_excel", *args], capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0 and run.stderr == "", run.stderr
    assert SUMMARY.split(":")[0] in subprocess.run(
        [sys.executable, "-m", "kpi_excel", "check", str(path)], capture_output=True, text=True,
        timeout=120).stdout


def _warn_in_worker() -> str:
    warnings.warn("a library's warning, in a worker", UserWarning, stacklevel=1)
    return "done"


def test_a_worker_process_prints_no_library_warning(capfd: pytest.CaptureFixture[str]) -> None:
    pool = workers.worker_pool(1)
    try:
        assert workers.submit(pool, _warn_in_worker).result(timeout=120) == "done"
    finally:
        pool.shutdown()
    assert "warning" not in capfd.readouterr().err
