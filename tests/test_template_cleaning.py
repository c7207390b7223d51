"""Nothing live passes from a council's Word template into the paper: macros, links to the council's
network, linked pictures, imported content, embedded objects, mail merges and fields that fetch are
left out with a warning naming each, or the template is refused in one line."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from corpus import kpi_book, table
from corpus_wild import (
    FETCHED,
    INTRANET,
    LIVE_TEMPLATE_CASES,
    MARKERS,
    SERVER,
    LiveTemplateCase,
    fetching_fields,
    hostile_template,
    links_to_files,
    macros,
    parts_of,
    shipped_template,
    write_parts,
)
from libreoffice import require_soffice
from live_content import assert_nothing_live, live_content
from typer.testing import CliRunner

from kpi_excel import pipeline
from kpi_excel.cli import app
from kpi_excel.errors import TemplateError
from kpi_excel.paper.template_cleaning import clean_package, cleaned_template


def text_of(data: bytes, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(part).decode()
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


@pytest.mark.parametrize("case", LIVE_TEMPLATE_CASES, ids=lambda case: case.name)
def test_each_kind_of_live_content_is_left_out_and_named(case: LiveTemplateCase, tmp_path: Path) -> None:
    path = case.write(tmp_path)
    assert live_content(parts_of(path)), "the hostile template holds what it should"
    cleaned = clean_package(path.read_bytes(), str(path))
    assert cleaned.dropped and all(line.startswith("left out of the paper: the template's ")
                                   for line in cleaned.dropped)
    for word in case.words:
        assert any(word in line for line in cleaned.dropped), (word, cleaned.dropped)
    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as archive:
        assert archive.testzip() is None
        parts = {name: archive.read(name) for name in archive.namelist()}
    assert live_content(parts) == []
    everything = b"".join(parts.values())
    assert not [m for m in MARKERS if m.encode() in everything]


def test_the_shipped_template_is_left_exactly_as_it_is() -> None:
    data = shipped_template().read_bytes()
    cleaned = clean_package(data, "committee-paper.docx")
    assert cleaned.data is data and cleaned.dropped == ()


def test_a_web_link_stays_and_a_link_to_a_file_keeps_only_its_text(tmp_path: Path) -> None:
    path = hostile_template(tmp_path / "links.docx", links_to_files)
    cleaned = clean_package(path.read_bytes(), str(path))
    text = text_of(cleaned.data)
    assert "the budget workbook and the council's website" in text
    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as archive:
        rels = archive.read("word/_rels/document.xml.rels").decode()
        document = archive.read("word/document.xml").decode()
    assert "https://www.kent.gov.uk/" in rels and SERVER not in rels
    assert document.count("<w:hyperlink ") == 1  # the website's, with its text inside


def test_fields_that_fetch_go_with_what_they_fetched_and_the_text_around_stays(tmp_path: Path) -> None:
    path = hostile_template(tmp_path / "fields.docx", fetching_fields)
    cleaned = clean_package(path.read_bytes(), str(path))
    text = text_of(cleaned.data)
    assert FETCHED not in text
    assert "Before  after." in text  # the paragraphs the field spanned are cut, its neighbours kept
    assert "the minutes" in text  # a HYPERLINK field to a file keeps its text, not its link
    [fields] = cleaned.dropped
    for kind in ("INCLUDETEXT", "INCLUDEPICTURE", "LINK Excel.Sheet.12", "DDEAUTO", "HYPERLINK"):
        assert kind in fields


def test_a_docm_saved_as_docx_renders_without_its_macros(tmp_path: Path) -> None:
    path = hostile_template(tmp_path / "macro.docx", macros)
    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    result = pipeline.build(source, tmp_path / "out", pipeline.Options(template=path))
    assert [w for w in result.warnings if w.startswith("left out of the paper: the template's macros (VBA)")]
    with zipfile.ZipFile(tmp_path / "out" / "tracker-paper.docx") as paper:
        types = paper.read("[Content_Types].xml")
        assert b"macroEnabled" not in types and b"wordprocessingml.document.main+xml" in types
        assert not [n for n in paper.namelist() if "vba" in n.lower()]


def _with_document(path: Path, body: str) -> Path:
    parts = parts_of(shipped_template())
    document = parts["word/document.xml"]
    parts["word/document.xml"] = document.replace(b"<w:body>", b"<w:body>" + body.encode(), 1)
    write_parts(path, parts)
    return path


def test_a_fetching_field_across_table_cells_refuses_the_template_in_one_line(tmp_path: Path) -> None:
    cell = "<w:tc><w:p>{}</w:p></w:tc>"
    begin = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
             '<w:r><w:instrText>INCLUDETEXT "x.docx"</w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
    end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    path = _with_document(tmp_path / "across.docx",
                          f"<w:tbl><w:tr>{cell.format(begin)}{cell.format(end)}</w:tr></w:tbl>")
    with pytest.raises(TemplateError) as raised:
        cleaned_template(path)
    line = raised.value.line()
    assert line.startswith(f"{path}: the field 'INCLUDETEXT \"x.docx\"' runs across table cells")
    assert "\n" not in line and "Open the template in Word" in line


@pytest.mark.parametrize(("edit", "problem"), [
    (lambda parts: parts.update({"word/settings.xml": b'<!DOCTYPE x [<!ENTITY a "b">]>'
                                 + parts["word/settings.xml"].split(b"?>", 1)[1]}), "declares XML entities"),
    (lambda parts: parts.update({"word/Document.xml": parts["word/document.xml"]}), "stored twice"),
])
def test_a_template_that_cannot_be_cleaned_safely_is_refused(tmp_path: Path, edit: object,
                                                              problem: str) -> None:
    parts = parts_of(shipped_template())
    edit(parts)  # type: ignore[operator]
    path = tmp_path / "bad.docx"
    write_parts(path, parts)
    with pytest.raises(TemplateError, match=problem):
        cleaned_template(path)


def test_template_check_lists_what_the_paper_leaves_out(tmp_path: Path) -> None:
    path = hostile_template(tmp_path / "everything.docx")
    printed = CliRunner().invoke(app, ["template", "check", str(path)])
    assert printed.exit_code == 0, printed.output
    left_out = [line for line in printed.output.splitlines() if line.startswith("Left out of the paper: ")]
    assert len(left_out) == 9, printed.output
    for what in ("macros (VBA)", "link to the template it was made from", "linked pictures",
                 "imported content (altChunk)", "embedded objects (OLE)", "form controls (ActiveX)",
                 "links to files", "fields that fetch", "mail-merge data source"):
        assert any(what in line for line in left_out), what
    plain = CliRunner().invoke(app, ["template", "check"])
    assert "Left out" not in plain.output


@pytest.mark.skipif(shutil.which("openxml-audit") is None and not os.environ.get("CI"),
                    reason="openxml-audit is not installed")
def test_a_paper_from_a_cleaned_template_is_valid_office_xml(tmp_path: Path) -> None:
    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    template = hostile_template(tmp_path / "everything.docx")
    pipeline.build(source, tmp_path / "out", pipeline.Options(template=template, rated_copy=False))
    audit = subprocess.run(["openxml-audit", "-f", "microsoft365", "-m", "0",
                            str(tmp_path / "out" / "tracker-paper.docx")], capture_output=True, text=True)
    assert "Errors: 0" in audit.stdout, audit.stdout[-3000:]


@pytest.mark.libreoffice
def test_nothing_live_reaches_the_paper_its_pdf_or_its_html(tmp_path: Path) -> None:
    """Every kind at once, through build with --pdf, --html and --appendices-separately."""
    require_soffice()
    template = hostile_template(tmp_path / "everything.docx")
    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    out = tmp_path / "out"
    result = pipeline.build(source, out, pipeline.Options(template=template, pdf=True, html=True,
                                                          appendices_separately=True), jobs=2)
    assert len([w for w in result.warnings if w.startswith("left out of the paper")]) == 9
    packages = {p.name: parts_of(p) for p in out.iterdir() if p.suffix in (".docx", ".xlsx")}
    assert {"tracker-paper.docx", "tracker-appendix-1.docx", "tracker-rag.xlsx"} <= set(packages)
    assert_nothing_live({name: parts for name, parts in packages.items()})
    everything = b"".join(data for parts in packages.values() for data in parts.values())
    everything += b"".join(p.read_bytes() for p in out.iterdir() if p.suffix == ".html")
    pdf = out / "tracker-paper.pdf"
    everything += subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    assert not [m for m in MARKERS if m.encode() in everything]
    with pikepdf.open(pdf) as document:
        assert "/EmbeddedFiles" not in document.Root.get("/Names", {})
        for page in document.pages:
            for annotation in page.get("/Annots", []):
                action = annotation.get("/A", {})
                assert action.get("/S") not in ("/Launch", "/GoToR", "/ImportData", "/JavaScript")
                uri = str(action.get("/URI", ""))
                assert not uri or re.match(r"(?:https?://|mailto:)", uri), uri
                assert SERVER not in uri and INTRANET not in uri
