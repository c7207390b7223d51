"""The RAG workbook as LibreOffice prints it on A4: no text under 8 pt on any page, and the Dashboard
opening with the KPIs that need attention."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from conftest import SAMPLE
from libreoffice import to_pdf

from kpi_excel import pipeline
from kpi_excel.workbook import write_workbook

pytestmark = pytest.mark.libreoffice

# a word's box in pdftotext -bbox is its font's ascent to descent: 1.14 of the size for Arial and
# its stand-in Liberation Sans (the 14 pt title's words measure 15.99 points)
BOX_PER_POINT = 1.14


def _pdftotext() -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("pdftotext (poppler-utils) is required under CI=true")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return exe


Words = list[tuple[float, str, float]]  # each word's printed size in points, the word, its top


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Words]:
    """Each printed page's words, with the size each prints at and its height on the page, in points."""
    exe = _pdftotext()
    folder = tmp_path_factory.mktemp("print")
    book = folder / "sample-rag.xlsx"
    write_workbook(pipeline.check(SAMPLE), book)
    boxes = subprocess.run([exe, "-bbox", str(to_pdf(book, folder)), "-"], capture_output=True, text=True,
                           check=True).stdout
    word = re.compile(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<')
    return [[((float(bottom) - float(top)) / BOX_PER_POINT, text, float(top))
             for top, bottom, text in word.findall(page)] for page in boxes.split("<page ")[1:]]


def _sheet(words: Words) -> list[str]:
    """The words of a page's footer (the sheet's name among them): the last 50 points of the page."""
    bottom = max(top for *_, top in words)
    return [word for _, word, top in words if top > bottom - 50]


def test_no_text_prints_under_8_points_on_any_page(pages: list[Words]) -> None:
    assert len(pages) > 10
    for n, words in enumerate(pages, start=1):
        smallest = min(words)[:2]
        assert smallest[0] >= 7.95, (n, smallest)


def test_the_kpis_sheet_prints_across_pages_each_naming_its_rows(pages: list[Words]) -> None:
    kpis = [[w for _, w, _ in words] for words in pages if "KPIs" in _sheet(words)]
    assert len(kpis) >= 3
    for words in kpis:  # the code and name of each row on every page of the sheet
        assert "Code" in words and "Indicator" in words
        assert {"CS01", "HR09", "ICT01"} & set(words)


def test_the_dashboard_opens_with_the_red_and_amber_kpis(pages: list[Words]) -> None:
    first = " ".join(w for _, w, _ in pages[0])
    assert first.startswith("Strategic and Corporate Services") and "Red and Amber KPIs, March 2020" in first
    assert "KPIs by RAG rating" not in first.split("Red and Amber KPIs")[0]  # the list comes first
    for code in ("GL02", "CS05", "GL03", "FN11"):  # the Red one, then the Amber ones, with their owners
        assert code in first
    assert first.index("GL02") < first.index("CS05") and "Customer Services" in first
