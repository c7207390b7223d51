"""Indicators with no polarity (data only): never rated, and they rise or fall rather than improve or
worsen, in the paper, the workbook and the check."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from pathlib import Path

import docx
import openpyxl
import pytest
from builders import kpi_book, monthly_header

from kpi_excel import paper, pipeline
from kpi_excel.core.model import (
    Dataset,
    Direction,
    Indicator,
    Observation,
    PaperDetails,
    Period,
    Polarity,
    Report,
)
from kpi_excel.core.rules import rate
from kpi_excel.core.values import parse_polarity
from kpi_excel.present import narrative
from kpi_excel.present.paper import DASH, paper_context
from kpi_excel.workbook import HEADER_ROW, write_workbook

MONTHS = [Period(dt.date(2019 + (m < 4), m, 1)) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


@pytest.mark.parametrize("word", ["None", "N/A", "Data only", "data-only", "No polarity", "Neither"])
def test_data_only_words(word: str) -> None:
    assert parse_polarity(word) is Polarity.NONE


def test_a_data_only_row_is_read_and_never_rated(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, monthly_header(3),
                    ["D1", "New claims received", "Data only", None, None, 120, 130, 125])
    [rating] = pipeline.check(path).kpis
    assert rating.indicator.polarity is Polarity.NONE
    assert rating.rag is None and rating.not_rated_reason == "data only"
    assert rating.direction is Direction.DECREASED
    assert not any("D1" in w.message for w in pipeline.check(path).warnings)  # data only by design


@pytest.fixture(scope="module")
def mixed() -> Report:
    def kpi(code: str, polarity: Polarity, values: list[float], target: float | None) -> Indicator:
        return Indicator(f"Indicator {code}", code, polarity=polarity, target=target,
                         observations=tuple(Observation(p, v) for p, v in zip(MONTHS, values, strict=False)))
    return rate(Dataset("t.xlsx", "0" * 64, (
        kpi("D1", Polarity.NONE, [100, 120], None),
        kpi("D2", Polarity.NONE, [120, 100], None),
        kpi("L1", Polarity.LOWER, [12, 10], 11),
    ), tuple(MONTHS[:2]), details=PaperDetails(service="Adult Services")))


def test_the_paper_says_increased_and_decreased_for_data_only(mixed: Report) -> None:
    document = docx.Document(io.BytesIO(paper.render_paper(mixed)))
    rows = {}
    for table in document.tables:
        for row in table.rows:
            cells = [c.text for c in row.cells]
            rows.setdefault(cells[0], cells)
    assert rows["D1"][-1] == "↑ Increased" and rows["D2"][-1] == "↓ Decreased"
    assert rows["L1"][-1] == "↑ Improved"  # lower is better: a fall is an improvement
    text = "\n".join(p.text for p in document.paragraphs)
    assert "↑ Increased compared with Apr-19 (100)" in text and "Improved compared with Apr-19 (12)" in text
    assert "Data only (no polarity)" in "\n".join(c.text for t in document.tables for r in t.rows
                                                  for c in r.cells)
    facts = narrative.kpi_facts(mixed.kpis[0], mixed)
    assert "Improved" not in facts and "Worsened" not in facts


def test_the_workbook_says_the_same(mixed: Report, tmp_path: Path) -> None:
    path = tmp_path / "rag.xlsx"
    write_workbook(mixed, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path, data_only=True)["KPIs"]
    header = [c.value for c in ws[HEADER_ROW + 1]]
    rows = {row[header.index("Code")]: row for row in ws.iter_rows(min_row=HEADER_ROW + 2, values_only=True)}
    direction, polarity = header.index("Direction"), header.index("Polarity")
    assert (rows["D1"][direction], rows["D2"][direction], rows["L1"][direction]) == (
        "Increased", "Decreased", "Improved")
    assert rows["D1"][polarity] == "Data only"


def test_the_headline_says_why_data_only_kpis_are_not_rated(mixed: Report) -> None:
    counts = narrative.not_rated_counts(mixed.kpis)
    assert counts == narrative.NotRated(data_only=2)
    assert narrative.headline(mixed.summary, not_rated=counts) == (
        "1 of the 3 KPIs achieved target and was RAG rated Green. 2 were data only (no polarity) and "
        "were not RAG rated.")


def test_a_data_only_kpi_with_a_target_gets_no_colour_in_any_period() -> None:
    ind = Indicator("Claims", "D3", polarity=Polarity.NONE, target=100.0,
                    observations=(Observation(MONTHS[0], 90.0), Observation(MONTHS[1], 110.0)))
    report = rate(Dataset("t.xlsx", "0" * 64, (ind,), tuple(MONTHS[:2])))
    [item] = paper_context(report)["kpis"]
    assert item["rag"] == "Not rated" and item["polarity"] == "Data only"
    assert {p["rag"] for p in item["periods"]} == {DASH}
