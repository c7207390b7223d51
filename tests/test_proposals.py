"""Next year's proposals: matched once, worded for every polarity, and the same in the paper and the
workbook (LibreOffice recalculates the workbook's Change formulas)."""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from pathlib import Path

import docx
import openpyxl
import pytest
from libreoffice import recalculate

from kpi_excel import paper
from kpi_excel.core import proposals
from kpi_excel.core.model import (
    Dataset,
    Indicator,
    Observation,
    PaperDetails,
    Period,
    Polarity,
    Proposal,
    Report,
)
from kpi_excel.core.proposals import EASIER, TOUGHER
from kpi_excel.core.rules import rate
from kpi_excel.present import narrative
from kpi_excel.present.paper import paper_context
from kpi_excel.workbook import HEADER_ROW, write_workbook

MONTHS = [Period(dt.date(2019 + (m < 4), m, 1)) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def kpi(code: str, polarity: Polarity, target: float | None, floor: float | None,
        name: str = "") -> Indicator:
    return Indicator(name or f"Indicator {code}", code, polarity=polarity, target=target, floor=floor,
                     is_percent=True, number_format="0.0%",
                     observations=tuple(Observation(p, 0.5) for p in MONTHS))


def report_of(indicators: list[Indicator], proposed: list[Proposal]) -> Report:
    return rate(Dataset("test.xlsx", "0" * 64, tuple(indicators), tuple(MONTHS), proposals=tuple(proposed),
                        details=PaperDetails(service="Adult Services", committee="Adult Cabinet Committee")))


def proposal(code: str, target: float | None, floor: float | None, name: str = "") -> Proposal:
    return Proposal(name or f"Indicator {code}", code, target=target, floor=floor, is_percent=True)


# A report with every kind of change, for both polarities: what a committee must be told.
MIXED = report_of(
    [kpi("L1", Polarity.LOWER, 0.15, 0.20), kpi("L2", Polarity.LOWER, 0.15, 0.20),
     kpi("H1", Polarity.HIGHER, 0.90, 0.80), kpi("H2", Polarity.HIGHER, 0.90, None),
     kpi("G1", Polarity.TARGET, 0.50, 0.10), kpi("D1", Polarity.HIGHER, 0.90, 0.80),
     kpi("S1", Polarity.HIGHER, 0.90, 0.80)],
    [proposal("L1", 0.12, 0.20), proposal("L2", 0.18, 0.15), proposal("h1", 0.85, 0.85),
     proposal("H2", 0.90, 0.85), proposal("G1", 0.55, 0.10), proposal("S1", 0.7 + 0.2, 0.80),
     proposal("N1", 0.5, None)],
)


# --- what a change means ------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "polarity", "sense"), [
    # higher is better: a higher target or floor is harder to reach
    (proposals.TARGET_UP, Polarity.HIGHER, TOUGHER), (proposals.TARGET_DOWN, Polarity.HIGHER, EASIER),
    (proposals.FLOOR_UP, Polarity.HIGHER, TOUGHER), (proposals.FLOOR_DOWN, Polarity.HIGHER, EASIER),
    # lower is better: a lower target or floor is harder to reach
    (proposals.TARGET_DOWN, Polarity.LOWER, TOUGHER), (proposals.TARGET_UP, Polarity.LOWER, EASIER),
    (proposals.FLOOR_DOWN, Polarity.LOWER, TOUGHER), (proposals.FLOOR_UP, Polarity.LOWER, EASIER),
    # a goal post moved, or a standard added, is neither
    (proposals.TARGET_UP, Polarity.TARGET, ""), (proposals.FLOOR_ADDED, Polarity.HIGHER, ""),
    (proposals.TARGET_UP, None, ""),
])
def test_tougher_or_easier_follows_the_polarity(kind: str, polarity: Polarity | None, sense: str) -> None:
    assert proposals.tougher_or_easier(kind, polarity) == sense


def test_each_proposal_is_matched_once_and_each_dropped_kpi_listed_once() -> None:
    lines = proposals.proposal_lines(MIXED)
    assert [line.code for line in lines] == ["L1", "L2", "h1", "H2", "G1", "S1", "N1", "D1"]
    kinds = {line.code: line.kinds for line in lines}
    assert kinds["h1"] == (proposals.TARGET_DOWN, proposals.FLOOR_UP)  # matched to H1, case aside
    assert kinds["S1"] == ()  # 0.7 + 0.2 is 90 %, as a spreadsheet compares
    assert kinds["N1"] == (proposals.NEW,) and kinds["D1"] == (proposals.DROPPED,)
    assert kinds["H2"] == (proposals.FLOOR_ADDED,)


def test_a_name_matches_when_there_is_no_code() -> None:
    report = report_of([kpi("A1", Polarity.HIGHER, 0.9, 0.8, name="Rent collected")],
                       [Proposal("rent  collected", "", target=0.95, floor=0.8, is_percent=True)])
    [line] = proposals.proposal_lines(report)
    assert line.kinds == (proposals.TARGET_UP,) and line.current_target == 0.9


def test_the_paragraph_says_what_each_change_means() -> None:
    text = narrative.proposals_paragraph(MIXED)
    for phrase in ("a tougher (lowered) target for one indicator (L1)",
                   "an easier (raised) target for one indicator (L2)",
                   "an easier (lowered) target for one indicator (h1)",
                   "a raised target for one indicator (G1)",
                   "a tougher (raised) floor standard for one indicator (h1)",
                   "a tougher (lowered) floor standard for one indicator (L2)",
                   "a new floor standard for one indicator (H2)",
                   "one new indicator (N1)", "the removal of one indicator (D1)"):
        assert phrase in text, phrase
    assert "reduction" not in text and "increase" not in text


# --- the paper and the workbook agree -----------------------------------------------------------


def appendix_2(report: Report) -> dict[str, list[str]]:
    document = docx.Document(io.BytesIO(paper.render_paper(report)))
    [table] = [t for t in document.tables if t.rows[0].cells[-1].text == "Change"]
    header = [" ".join(c.text.split()) for c in table.rows[0].cells]
    figures = ["Target 2019-20", "Floor 2019-20", "Target 2020-21", "Floor 2020-21"]  # one year format
    assert header[-5:-1] == figures
    return {row.cells[0].text: [c.text for c in row.cells][-5:] for row in table.rows[1:]}


def proposals_sheet(path: Path) -> dict[str, list[object]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path, data_only=True)["Proposals"]
    return {str(row[0]): list(row) for row in ws.iter_rows(min_row=HEADER_ROW + 2, values_only=True)}


def test_the_paper_reads_the_tightened_lower_is_better_target_as_tougher() -> None:
    rows = appendix_2(MIXED)
    assert rows["L1"] == ["15.0%", "20.0%", "12.0%", "20.0%", "Target lowered (tougher)"]
    assert rows["L2"][-1] == "Target raised (easier); Floor standard lowered (tougher)"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(paper.render_paper(MIXED))).paragraphs)
    assert "a tougher (lowered) target for one indicator (L1)" in text
    assert "reduction in target" not in text and "Target lowered to" not in text


@pytest.mark.libreoffice
def test_appendix_2_and_the_proposals_sheet_list_the_same_changes(tmp_path: Path) -> None:
    written = tmp_path / "mixed.xlsx"
    write_workbook(MIXED, written)
    sheet = proposals_sheet(recalculate(written, tmp_path / "recalculated"))
    rows = appendix_2(MIXED)
    assert list(sheet) == [code if code != "–" else "" for code in rows]
    for code, row in rows.items():
        assert sheet[code][7] == row[-1], code
    cached = proposals_sheet(written)
    assert {code: r[7] for code, r in cached.items()} == {code: r[7] for code, r in sheet.items()}


def test_every_part_of_the_paper_names_next_year_alike() -> None:
    document = docx.Document(io.BytesIO(paper.render_paper(MIXED)))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    assert "NOTE the performance position for Adult Services, and proposed KPIs for 2020-21." in text
    assert "The proposed KPIs and targets for 2020-21 are attached in Appendix 2." in text
    assert "Appendix 2: Proposed KPIs and targets for 2020-21" in text
    assert "Not proposed for 2020-21" in cells  # D1, this year's KPI no proposal continues
    assert "Target\n2019-20" in cells and "Target\n2020-21" in cells
    assert "2020/21" not in text and "2020-2021" not in text


def test_without_a_report_period_the_years_are_named_in_words() -> None:
    undated = Dataset("test.xlsx", "0" * 64, (), (), proposals=(proposal("N1", 0.5, None),))
    report = rate(undated)
    assert proposals.proposals_paragraph(report).startswith(
        "The proposed KPIs and targets for next year are attached in Appendix 2.")
    intro = paper_context(report)["proposals_intro"]
    assert "for next year beside those for this year;" in intro


def test_appendix_2_opens_with_a_sentence() -> None:
    document = docx.Document(io.BytesIO(paper.render_paper(MIXED)))
    texts = [p.text for p in document.paragraphs]
    intro = texts[texts.index("Appendix 2: Proposed KPIs and targets for 2020-21") + 1]
    first = intro.split(";")[0]
    # a clause with its verb ('The table below sets ...'), not a bare noun phrase before the semicolon
    assert re.search(r"\b(sets|shows|gives|lists)\b", first), intro
    assert "for 2020-21 beside those for 2019-20" in first
