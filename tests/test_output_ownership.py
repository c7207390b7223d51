"""A build replaces only files kpi-excel wrote and nobody changed since; --force replaces any."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from typer.testing import CliRunner

from kpi_excel import stamp
from kpi_excel.cli import app

STEM = "scs-kpi-tracker-2019-20"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--jobs", "1", "--quiet"])
    return result.exit_code, result.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(sample: Path, out: Path, *more: str) -> tuple[int, str]:
    return run("build", str(sample), "--out", str(out), *more)


@pytest.fixture
def built(sample: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    assert build(sample, out)[0] == 0
    return out


def another_departments_workbook(path: Path) -> Path:
    """A real workbook of someone else's, saved under the name an output would take."""
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Finance").write_row(0, 0, ["Budget line", "2019/20", "Owner"])
    book.close()
    return path


def test_every_output_carries_the_mark(built: Path) -> None:
    names = sorted(p.name for p in built.iterdir())
    assert names == [stamp.RECORD, f"{STEM}-paper.docx", f"{STEM}-rag.xlsx", f"{STEM}-rated.xlsx"]
    for path in built.iterdir():
        if path.name != stamp.RECORD:
            assert stamp.is_marked(path), path.name
            assert stamp.ownership(path) is stamp.Ownership.OURS
    assert not stamp.is_marked(another_departments_workbook(built.parent / "theirs.xlsx"))


@pytest.mark.parametrize("suffix", ["-rag.xlsx", "-rated.xlsx", "-paper.docx"])
def test_a_file_kpi_excel_did_not_write_is_never_replaced(sample: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    theirs = another_departments_workbook(out / f"{STEM}{suffix}")
    before = digest(theirs)
    code, error = build(sample, out)
    assert code == 1
    assert error.startswith(f"{theirs}: a file of this name is already here and kpi-excel did not write it")
    assert "--force" in error and error.count("\n") == 1
    assert digest(theirs) == before
    assert sorted(p.name for p in out.iterdir()) == [theirs.name], "nothing else written either"


def test_force_replaces_a_file_kpi_excel_did_not_write(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    theirs = another_departments_workbook(out / f"{STEM}-rag.xlsx")
    assert build(sample, out, "--force")[0] == 0
    assert stamp.is_marked(theirs)


def test_a_second_build_replaces_what_the_first_wrote(sample: Path, built: Path) -> None:
    first = {p.name: digest(p) for p in built.iterdir()}
    assert build(sample, built) == (0, "")
    assert {p.name: digest(p) for p in built.iterdir()} == first  # the same input, the same bytes


def edited(path: Path) -> None:
    """The file as a person saves it after changing a figure: the mark kept, other bytes changed."""
    data = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            content = old.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", b"</sheetData>", 1) + b" "
            new.writestr(item, content)
    path.write_bytes(data.getvalue())


@pytest.mark.parametrize("suffix", ["-rag.xlsx", "-rated.xlsx"])
def test_an_output_changed_since_it_was_written_is_not_replaced(sample: Path, built: Path,
                                                                suffix: str) -> None:
    """The department worked in its rated copy (or finance in the RAG workbook) since the last build."""
    worked_in = built / f"{STEM}{suffix}"
    edited(worked_in)
    before = digest(worked_in)
    code, error = build(sample, built)
    assert code == 1
    assert error.startswith(f"{worked_in}: this file was changed after kpi-excel wrote it")
    assert digest(worked_in) == before
    assert build(sample, built, "--force")[0] == 0
    assert digest(worked_in) != before


def test_without_the_folders_record_a_marked_file_is_taken_as_ours(sample: Path, built: Path) -> None:
    (built / stamp.RECORD).unlink()
    edited(built / f"{STEM}-rag.xlsx")
    assert build(sample, built)[0] == 0
    assert stamp.read_record(built)  # written again


def test_a_record_of_someone_elses_is_left_alone(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / stamp.RECORD).write_text('{"mine": true}')
    assert build(sample, out)[0] == 0
    assert (out / stamp.RECORD).read_text() == '{"mine": true}'


def test_the_rated_copy_keeps_the_departments_own_properties(tmp_path: Path) -> None:
    from kpi_excel import pipeline

    source = tmp_path / "tracker.xlsx"
    shutil.copy(pipeline.sample_path(), source)
    with_properties = tmp_path / "with-properties.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(with_properties, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item, old.read(item))
        new.writestr("docProps/custom.xml", CUSTOM)
    _name_custom_part(with_properties)
    out = tmp_path / "out"
    assert build(with_properties, out)[0] == 0
    rated = out / "with-properties-rated.xlsx"
    with zipfile.ZipFile(rated) as package:
        custom = package.read("docProps/custom.xml").decode()
    assert 'name="Cost centre"' in custom and ">R123<" in custom
    assert f'name="{stamp.PROPERTY}"' in custom and 'pid="3"' in custom
    assert stamp.is_marked(rated)


CUSTOM = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
          'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
          '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Cost centre">'
          "<vt:lpwstr>R123</vt:lpwstr></property></Properties>")


def _name_custom_part(path: Path) -> None:
    """Add the custom properties part to the content types and package relationships."""
    data = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            content = old.read(item)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", b'<Override PartName="/docProps/custom.xml" '
                                          b'ContentType="application/vnd.openxmlformats-officedocument.'
                                          b'custom-properties+xml"/></Types>')
            if item.filename == "_rels/.rels":
                content = content.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://'
                                          b"schemas.openxmlformats.org/officeDocument/2006/relationships/"
                                          b'custom-properties" Target="docProps/custom.xml"/>'
                                          b"</Relationships>")
            new.writestr(item, content)
    path.write_bytes(data.getvalue())


@pytest.mark.skipif(shutil.which("openxml-audit") is None and not __import__("os").environ.get("CI"),
                    reason="openxml-audit is not installed")
def test_the_marked_rated_copy_is_valid(built: Path) -> None:
    rated = str(built / f"{STEM}-rated.xlsx")
    result = subprocess.run(["openxml-audit", "-f", "microsoft365", "-m", "0", rated],
                            capture_output=True, text=True, check=False)
    assert "Errors: 0" in result.stdout, result.stdout[-3000:]


@pytest.mark.libreoffice
def test_the_pdf_carries_the_mark_and_is_replaced_by_the_next_build(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(sample, out, "--pdf", "--no-rated-copy")[0] == 0
    pdf = out / f"{STEM}-paper.pdf"
    assert stamp.is_marked(pdf)
    assert build(sample, out, "--pdf", "--no-rated-copy")[0] == 0


def test_a_pdf_or_page_of_someone_elses_is_not_marked(tmp_path: Path) -> None:
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj <</Keywords (budget, finance)>> endobj\n%%EOF")
    page = tmp_path / "x.html"
    page.write_text('<html><head><meta name="generator" content="Word"></head></html>')
    assert not stamp.is_marked(pdf) and not stamp.is_marked(page)
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj <</Keywords <FEFF006B00700069002D0065007800630065006C>>> endobj")
    assert stamp.is_marked(pdf)  # "kpi-excel" in UTF-16, as LibreOffice writes it
