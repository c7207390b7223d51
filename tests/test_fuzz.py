"""Random workbooks through check and build: the only outcomes allowed are a result or a clean error."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import openpyxl
from builders import listed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_excel import pipeline
from kpi_excel.errors import KpiExcelError

HEADER_WORDS = ["Code", "Ref", "Indicator", "KPI", "Measure", "Polarity", "Good is", "Target", "Floor",
                "Floor standard", "Tolerance", "Lower threshold", "Upper threshold", "Type", "Unit", "%",
                "Commentary", "Owner", "Section", "Actual", "Outturn 2019/20", "Period", "Value",
                "Data period", "Frequency", "Notes"]
PERIODS: list[object] = ["Apr-19", "May 2019", "Q1 2019/20", "2019/20", "2019-06", "01/07/2019",
                         "Sept 19", "March 2020", "Q5 2019/20", "Feb-30", dt.datetime(2019, 8, 1),
                         dt.datetime(2020, 3, 1)]
WORDS = ["n/a", "TBC", "Not due", "85%", "1,234", "£1.5m", "(12)", "#DIV/0!", "#REF!", "#N/A", "-", "H", "L",
         "T", "Higher is better", "KPI", "Activity", "Q", "Monthly", "Floor standard", "Tolerance", "10%",
         "Previous period", "Trend", "Finance", "Green"]
SHEET_NAMES = ["KPIs", "Activity", "Paper details", "Settings", "Proposed 2020-21", "Data", "Sheet1",
               "Bob's KPIs", "Notes (old)", "Réglages", "KPIs 😀"]

text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=24)
junk = st.one_of(st.none(), st.sampled_from(WORDS), text, st.booleans(),
                 st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)))
number = st.one_of(st.integers(-10**7, 10**7), st.floats(0, 1, allow_nan=False),
                   st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False))
often_number = st.one_of(number, number, junk)  # a period's value: junk there gives a warning
# a target or polarity that is not a number or a known word stops the read: random sheets try
# that; the nearly-right tables use only what reads, so that most of them go all the way through
setting = st.one_of(number, st.none(), st.sampled_from(["TBC", "n/a", "-", "85%", "1,234", "#REF!", "(12)"]))
polarity = st.sampled_from(["H", "L", "T", None, "Higher is better", "lower", "Close to target"])
header_cell = st.one_of(st.sampled_from(HEADER_WORDS), st.sampled_from(PERIODS), text, st.none())


@st.composite
def plausible_sheet(draw: st.DrawFn) -> tuple[list[list[object]], list[object], list[list[object]], bool]:
    """A table that is nearly right: known columns, some periods, mostly numbers, some junk."""
    periods = draw(st.lists(st.sampled_from(PERIODS), min_size=1, max_size=6, unique_by=str))
    optional = draw(st.lists(st.sampled_from(HEADER_WORDS), max_size=3))
    header = ["Code", "Indicator", "Polarity", "Target", "Floor", *optional, *periods]
    width = len(header)
    row = st.tuples(text, text, polarity, setting, setting,
                    st.lists(often_number, min_size=width - 5, max_size=width - 5))
    rows = [[code, name, good_is, target, floor, *values] for code, name, good_is, target, floor, values
            in draw(st.lists(row, min_size=1, max_size=6))]
    above = draw(st.lists(st.lists(junk, max_size=3), max_size=2))
    return above, header, rows, False


random_sheet = st.tuples(
    st.lists(st.lists(junk, max_size=4), max_size=3),  # rows above the table
    st.lists(header_cell, min_size=1, max_size=12),
    st.lists(st.lists(st.one_of(number, junk), max_size=12), max_size=8),
    st.booleans(),  # hidden
)
TABLE_NAMES = ["KPIs", "Activity", "Data", "Sheet1", "Bob's KPIs", "KPIs 😀"]
book = st.lists(st.one_of(st.tuples(st.sampled_from(TABLE_NAMES), plausible_sheet()),
                          st.tuples(st.sampled_from(SHEET_NAMES), random_sheet)),
                min_size=1, max_size=3, unique_by=lambda named: named[0])


def write(path: Path, sheets: list[tuple[str, tuple]]) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, (above, header, rows, hidden) in sheets:
        ws = workbook.create_sheet(name)
        for r, row in enumerate([*above, header, *rows], start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        ws.sheet_state = "hidden" if hidden else "visible"
    workbook.worksheets[0].sheet_state = "visible"  # a workbook shows at least one sheet
    workbook.save(path)


def assert_clean(error: KpiExcelError, path: Path) -> None:
    line = error.line()
    assert "\n" not in line and line.strip() == line, repr(line)
    assert str(path) in line, f"the message does not name the file: {line}"
    assert error.problem and error.fix, line


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book)
def test_check_gives_a_report_or_a_clean_error(sheets: list[tuple[str, tuple]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.xlsx"
        write(path, sheets)
        data = path.read_bytes()
        try:
            report = pipeline.check(path)
        except KpiExcelError as error:
            assert_clean(error, path)
        else:
            assert report.ratings and len(report.ratings) == len(report.dataset.indicators)
        assert path.read_bytes() == data


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book)
def test_build_writes_every_output_or_none(sheets: list[tuple[str, tuple]]) -> None:
    """Build is slower (it draws charts), so it sees fewer examples."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.xlsx"
        write(path, sheets)
        out = Path(folder) / "out"
        try:
            result = pipeline.build(path, out)
        except KpiExcelError as error:
            assert_clean(error, path)
            assert not out.exists() or not list(out.iterdir())
        else:
            assert listed(out) == sorted(result.outputs)
            names = {p.name for p in result.outputs}
            # the rated copy is left out, with a warning, where a sheet cannot be edited safely
            assert {"random-paper.docx", "random-rag.xlsx"} <= names
            assert names <= {"random-paper.docx", "random-rag.xlsx", "random-rated.xlsx"}
