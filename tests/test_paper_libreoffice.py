"""The sample's paper as LibreOffice prints it, and the command line that writes it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from libreoffice import require_soffice, to_pdf
from typer.testing import CliRunner

from kpi_excel import paper, pipeline
from kpi_excel.cli import app

SUMMARY = (
    "21 of the 25 KPIs achieved target and were RAG rated Green, 3 were below target but did achieve "
    "the floor standard (Amber) and 1 did not achieve the floor standard (Red). The Red indicator is "
    "Freedom of Information Act requests completed within 20 working days (GL02)."
)

pytestmark = pytest.mark.libreoffice


def pdf_text(pdf: Path) -> str:
    result = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True)
    return result.stdout


def pdf_pages(pdf: Path) -> int:
    result = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", result.stdout, re.MULTILINE).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`kpi-excel build` on the sample with the paper's options, as a user would run it."""
    require_soffice()
    out = tmp_path_factory.mktemp("build")
    result = CliRunner().invoke(app, ["build", str(pipeline.sample_path()), "--out", str(out), "--pdf",
                                      "--appendices-separately", "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def test_build_writes_the_paper_its_appendices_and_a_pdf(built: Path) -> None:
    stem = "scs-kpi-tracker-2019-20"
    for name in ("paper.docx", "paper.pdf", "appendix-1.docx", "appendix-2.docx"):
        assert (built / f"{stem}-{name}").stat().st_size > 1000, name


def test_the_pdf_reads_as_the_committee_paper(built: Path) -> None:
    pdf = built / "scs-kpi-tracker-2019-20-paper.pdf"
    assert 20 <= pdf_pages(pdf) <= 30
    text = pdf_text(pdf)
    flat = " ".join(text.split())
    for line in ("From: Roger Gough, Leader of Kent County Council",
                 "To: Policy and Resources Cabinet Committee – 29 July 2020",
                 "Subject: Strategic and Corporate Services Performance Dashboard",
                 "Classification: Unrestricted"):
        assert " ".join(line.split()) in flat, line
    assert SUMMARY in flat
    assert "except for tougher (raised) floor standards for two indicators (CS04a and CS04b)." in flat
    for heading in ("Appendix 1: Strategic and Corporate Services Performance Dashboard", "Guidance Notes",
                    "KPI Summary", "Indicators rated Red", "Activity indicators",
                    "Appendix 2: Proposed KPIs and targets for 2020-21"):
        assert heading in flat, heading
    assert re.search(r"Page 1 of \d+", flat)
    assert "{{" not in flat and "{%" not in flat


def test_a_separate_appendix_prints_on_its_own(built: Path, tmp_path: Path) -> None:
    pdf = to_pdf(built / "scs-kpi-tracker-2019-20-appendix-2.docx", tmp_path)
    flat = " ".join(pdf_text(pdf).split())
    assert flat.startswith("Appendix 2: Proposed KPIs and targets for 2020-21")
    assert "Summary:" not in flat and pdf_pages(pdf) <= 2
    assert "Page 1 of" in flat


def test_build_paper_details_from_the_command_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [
        "build", str(pipeline.sample_path()), "--out", str(tmp_path), "--quiet",
        "--committee", "Scrutiny Committee", "--meeting-date", "3 March 2021",
        "--author", "Sam Jones; Performance Officer; ; 01234 567890; sam.jones@example.gov.uk"])
    assert result.exit_code == 0, result.output
    import docx

    document = docx.Document(str(tmp_path / "scs-kpi-tracker-2019-20-paper.docx"))
    texts = [p.text for p in document.paragraphs]
    assert "To:\tScrutiny Committee – 3 March 2021" in texts
    assert "Report Author: Sam Jones" in texts and "01234 567890" in texts
    assert document.core_properties.author == "Sam Jones"


def test_template_check_command(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["template", "check"])
    assert ok.exit_code == 0 and "renders the sample paper" in ok.output
    import docx

    broken = docx.Document()
    broken.add_paragraph("Dear {{ committe }},")
    broken.add_paragraph("Subject: {{ subject }")
    path = tmp_path / "ours.docx"
    broken.save(str(path))
    result = runner.invoke(app, ["template", "check", str(path)])
    assert result.exit_code == 1
    assert 'in the paragraph "Subject: {{ subject }"' in result.output
    assert "two braces on each side" in result.output


def test_a_missing_template_is_an_input_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["build", str(pipeline.sample_path()), "--out", str(tmp_path),
                                      "--template", str(tmp_path / "none.docx")])
    assert result.exit_code == 1
    assert "the template file does not exist" in result.output
    assert not (tmp_path / "scs-kpi-tracker-2019-20-paper.docx").exists()


def test_the_shipped_template_is_what_its_script_builds() -> None:
    from kpi_excel.report_templates import make_template

    assert make_template.build() == paper.default_template().read_bytes()


def test_libreoffice_draws_every_native_chart(built: Path, tmp_path: Path) -> None:
    """Each chart's legend ("Target (92.0%)") is text only the chart parts hold, so finding it in
    LibreOffice's PDF of the .docx shows that each chart was drawn. (--pdf itself is made from
    the paper with chart pictures: LibreOffice shrinks a native chart's text.)"""
    import zipfile

    paper_file = built / "scs-kpi-tracker-2019-20-paper.docx"
    with zipfile.ZipFile(paper_file) as z:
        assert "Target (" not in z.read("word/document.xml").decode()
        charts = [n for n in z.namelist() if re.fullmatch(r"word/charts/chart\d+\.xml", n)]
    text = pdf_text(to_pdf(paper_file, tmp_path))
    kpi_charts, activity_charts = text.count("Target ("), text.count("Lower threshold (")
    assert kpi_charts == 25 and activity_charts == 6 and kpi_charts + activity_charts == len(charts)
