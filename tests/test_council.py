"""Council-wide runs: a folder of departmental workbooks (one broken) and one workbook with a
Directorate column, each giving per-directorate outputs and a council-wide summary."""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import HEADER, MONTHS, kpi_book, kpi_sheet, listed, write_book
from docx import Document
from typer.testing import CliRunner

from kpi_excel import council, pipeline
from kpi_excel.cli import app
from kpi_excel.core.model import Summary

HEADER_12 = [*HEADER, *MONTHS]


def rows(prefix: str, latest: list[float], section: str = "", target: list[float | None] | None = None
         ) -> list[list[object]]:
    """KPI rows (floor 80, higher is better, 85 until the last month) under an optional section row;
    target 90 unless given."""
    body: list[list[object]] = [[section]] if section else []
    for n, value in enumerate(latest, start=1):
        goal = target[n - 1] if target else 90
        body.append([f"{prefix}{n:02d}", f"{prefix} indicator {n}", "H", goal, 80, *year(value)])
    return body


def year(latest: float) -> list[float]:
    return [85.0] * 11 + [latest]


# (file stem, service on the Paper details sheet, KPI rows):
# adults: Green, Amber, Red, Green; children: Green, not rated (no target), Red, Amber
DIRECTORATES = {
    "adults": ("Adult Services", rows("AS", [95, 85, 70, 92], "Care")),
    "children": ("", rows("CS", [91, 95, 60, 81], "Schools", target=[90, None, 90, 90])),
}


def department(folder: Path, stem: str) -> Path:
    service, body = DIRECTORATES[stem]
    more = {"Paper details": [["Detail", "Value"], ["Service", service]]} if service else None
    return kpi_book(folder, HEADER_12, *body, more=more, name=f"{stem}.xlsx")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two good departmental workbooks, one without a Target column, and files to be skipped."""
    folder = tmp_path_factory.mktemp("departments")
    for stem in DIRECTORATES:
        department(folder, stem)
    kpi_book(folder, ["PI Ref", "Indicator description", "Polarity", *MONTHS],
             ["B01", "No target here", "H", *year(50)], name="broken.xlsx")
    (folder / "~$adults.xlsx").write_bytes(b"Excel's lock file")
    (folder / "notes.txt").write_text("not a workbook")
    return folder


@pytest.fixture(scope="module")
def parallel(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """`kpi-excel council FOLDER --jobs 2`, through the command line."""
    out = tmp_path_factory.mktemp("council-parallel")
    result = CliRunner().invoke(app, ["council", str(folder), "--out", str(out), "--jobs", "2", "--quiet"])
    return out, result


def dashboard_counts(path: Path) -> dict[str, list[object]]:
    """The Dashboard's rows by their first cell, as saved (cached) values."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl does not read sparklines and says so
        ws = openpyxl.load_workbook(path, data_only=True)["Dashboard"]
    return {str(r[0]): list(r[1:]) for r in ws.iter_rows(values_only=True) if r[0] is not None}


def test_a_folder_builds_each_directorate_and_the_council_summary(parallel: tuple[Path, object]) -> None:
    out, _ = parallel
    assert sorted(p.relative_to(out).as_posix() for p in listed(out, every=True)) == [
        "adults/adults-paper.docx", "adults/adults-rag.xlsx",
        "children/children-paper.docx", "children/children-rag.xlsx",
        "council-wide-paper.docx", "council-wide-rag.xlsx",
    ]


def test_a_broken_workbook_is_listed_as_build_lists_it_and_the_exit_code_is_1(
        folder: Path, parallel: tuple[Path, object], tmp_path: Path) -> None:
    _, result = parallel
    alone = CliRunner().invoke(app, ["build", str(folder / "broken.xlsx"), "--out", str(tmp_path), "-q"])
    assert alone.exit_code == 1 and alone.stderr.strip()
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr.strip().splitlines() == [alone.stderr.strip()]  # type: ignore[attr-defined]


def test_each_directorates_counts_are_its_own_check(folder: Path) -> None:
    run = council.run(folder, folder.parent / "serial-counts", jobs=1)
    assert [(d.name, d.summary) for d in run.built] == [
        ("Adult Services", pipeline.check(folder / "adults.xlsx").summary),
        ("children", pipeline.check(folder / "children.xlsx").summary),
    ]
    assert [d.source for d in run.failures] == ["broken.xlsx"]


def test_the_combined_dashboard_counts_are_the_sums(folder: Path, parallel: tuple[Path, object]) -> None:
    out, _ = parallel
    own = {name: pipeline.check(folder / f"{stem}.xlsx").summary
           for stem, name in (("adults", "Adult Services"), ("children", "children"))}
    counts = dashboard_counts(out / "council-wide-rag.xlsx")
    total = sum_of(own.values())
    assert [counts[w][0] for w in ("Green", "Amber", "Red", "Not rated or no data")] == [
        total.green, total.amber, total.red, total.not_rated]
    for name, summary in own.items():  # the counts by section are the counts by directorate
        assert counts[name][:5] == [summary.green, summary.amber, summary.red, summary.not_rated,
                                    summary.total]


def sum_of(summaries: object) -> Summary:
    items = list(summaries)  # type: ignore[call-overload]
    return Summary(*(sum(getattr(s, k) for s in items) for k in ("green", "amber", "red", "not_rated")))


def test_the_council_paper_has_a_counts_table_and_no_page_per_indicator(
        parallel: tuple[Path, object]) -> None:
    out, _ = parallel
    document = Document(str(out / "council-wide-paper.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Council-wide Performance Report" in text
    assert "The Council Performance Dashboard" in text and "The the Council" not in text
    assert "the 8 KPIs of two directorates" in text
    assert text.count("The 2 KPIs RAG rated Red are in Adult Services (1) and children (1); each is "
                      "listed with its commentary under Indicators rated Red.") == 2  # summary and 2.5
    assert "AS03 AS indicator 3 (Adult Services)" in text  # a Red KPI's heading names its directorate
    [table] = [t for t in document.tables if t.rows[0].cells[0].text == "Directorate"]
    assert [[c.text for c in row.cells] for row in table.rows[1:]] == [
        ["Adult Services", "4", "2", "1", "1", "0"], ["children", "4", "1", "1", "1", "1"]]
    assert "KPI details" not in text and not document.inline_shapes  # each directorate's paper has them
    directorate = Document(str(out / "adults" / "adults-paper.docx"))
    assert len(directorate.inline_shapes) == 4  # a chart per KPI


def test_parallel_and_serial_runs_write_identical_files(folder: Path, parallel: tuple[Path, object],
                                                        tmp_path: Path) -> None:
    out, _ = parallel
    serial = council.run(folder, tmp_path, jobs=1)
    assert serial.failures and serial.outputs
    files = sorted(p.relative_to(out) for p in listed(out, every=True))
    assert files == sorted(p.relative_to(tmp_path) for p in listed(tmp_path, every=True))
    for name in files:
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_one_workbook_with_a_directorate_column_splits_into_directorates(tmp_path: Path) -> None:
    adults, children = rows("AS", [95, 85, 70]), rows("AS", [91, 60])  # the same codes in each
    shared_rows = [["Adult Services", *r] for r in adults] + [["Children's Services", *r] for r in children]
    shared = kpi_book(tmp_path, ["Directorate", *HEADER_12], *shared_rows, name="council.xlsx")
    alone = {"Adult Services": kpi_book(tmp_path, HEADER_12, *adults, name="a.xlsx"),
             "Children's Services": kpi_book(tmp_path, HEADER_12, *children, name="c.xlsx")}
    run = council.run(shared, tmp_path / "out", jobs=2)
    assert [(d.name, d.slug, d.summary) for d in run.built] == [
        (name, council.slug(name), pipeline.check(path).summary) for name, path in alone.items()]
    assert (tmp_path / "out" / "childrens-services" / "childrens-services-paper.docx").is_file()
    assert run.report is not None and run.report.summary == sum_of(d.summary for d in run.built)
    assert not any("more than one indicator" in str(w) for w in run.report.warnings)


def test_the_directorate_heading_is_read_under_its_synonyms(tmp_path: Path) -> None:
    for heading in ("Directorate", "Department", "Dept."):
        path = write_book(tmp_path / "one.xlsx", {"KPIs": kpi_sheet(
            [heading, *HEADER_12], ["Finance", "F1", "Invoices", "H", 90, 80, *year(95)])})
        [indicator] = pipeline.load(path).indicators
        assert indicator.directorate == "Finance"


def test_workbooks_in_a_folder_are_taken_by_name_skipping_lock_and_other_files(folder: Path) -> None:
    assert [p.name for p in council.find_workbooks(folder)] == ["adults.xlsx", "broken.xlsx", "children.xlsx"]


@pytest.mark.parametrize(("names", "slugs"), [
    (["Adult Social Care & Health", "Children's Services"],
     ["adult-social-care-health", "childrens-services"]),
    (["Finance", "finance", "FINANCE!"], ["finance", "finance-2", "finance-3"]),
    (["***"], ["directorate"]),
])
def test_directorate_folders_are_safe_and_distinct(names: list[str], slugs: list[str]) -> None:
    assert council.unique_slugs(names) == slugs


def test_an_output_folder_that_is_the_input_folder_is_refused(folder: Path) -> None:
    result = CliRunner().invoke(app, ["council", str(folder), "--out", str(folder), "-q"])
    assert result.exit_code == 1 and "among the input workbooks" in result.stderr


def test_a_build_on_two_processes_writes_the_same_files_as_on_one(sample: Path, tmp_path: Path) -> None:
    one = pipeline.build(sample, tmp_path / "one", jobs=1)
    two = pipeline.build(sample, tmp_path / "two", jobs=2)  # the paper is rendered by a second process
    assert [p.name for p in one.outputs] == [p.name for p in two.outputs]
    for a, b in zip(one.outputs, two.outputs, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_chart_images_reach_every_directorate_s_paper(folder: Path, parallel: tuple[Path, object],
                                                      tmp_path: Path) -> None:
    """`council --chart-images`: each directorate's paper has pictures where the default run's has
    native charts, with the same alt text."""
    result = CliRunner().invoke(app, ["council", str(folder), "--out", str(tmp_path), "--jobs", "1", "-q",
                                      "--chart-images"])
    assert result.exit_code == 1  # broken.xlsx, as in the default run
    native, out = parallel[0] / "adults" / "adults-paper.docx", tmp_path / "adults" / "adults-paper.docx"
    with zipfile.ZipFile(native) as charts, zipfile.ZipFile(out) as pictures:
        assert sum(n.startswith("word/charts/chart") for n in charts.namelist()) == 4
        assert not any(n.startswith("word/charts/") for n in pictures.namelist())
        assert sum(n.startswith("word/media/") for n in pictures.namelist()) == 4
        alt = [re.findall(rb'<wp:docPr [^>]*descr="([^"]*)"', z.read("word/document.xml"))
               for z in (charts, pictures)]
    assert alt[0] == alt[1] and len(alt[0]) == 4
