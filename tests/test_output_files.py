"""Files the tool writes are ordinary files: readable by others as the user's umask allows."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from builders import listed

from kpi_excel.outputs import write_atomically


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_written_file_follows_the_umask_not_a_private_temp_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = write_atomically(tmp_path / "out.txt", lambda tmp: tmp.write_text("x"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in listed(tmp_path)] == ["out.txt"]  # no temporary file left behind


def test_an_error_while_writing_names_the_output_not_its_temporary_file(tmp_path: Path) -> None:
    from kpi_excel.errors import OutputError
    from kpi_excel.outputs import Outputs

    target = tmp_path / "paper.pdf"

    def fail(tmp: Path) -> None:
        raise OutputError("a PDF needs LibreOffice, which is not installed", file=str(tmp))

    with pytest.raises(OutputError) as caught, Outputs() as outputs:
        outputs.stage(target, fail)
    assert caught.value.line().startswith(f"{target}: a PDF needs LibreOffice")
    assert list(tmp_path.iterdir()) == []


def test_pdf_without_libreoffice_names_the_pdf_asked_for(sample: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from kpi_excel.cli import app
    from kpi_excel.paper import pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda _name: None)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(sample), "--out", str(out), "--pdf", "--jobs", "1",
                                      "--quiet"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{out / 'scs-kpi-tracker-2019-20-paper.pdf'}: a PDF needs LibreOffice")
    assert list(out.iterdir()) == []  # nothing half-written, no temporary file


def test_leftover_temporary_files_are_removed_and_nothing_else(tmp_path: Path) -> None:
    """What a killed worker leaves beside its target goes; the user's own files stay."""
    import tempfile

    from kpi_excel.outputs import remove_temporary_files

    target = tmp_path / "adult-social-care-rag.xlsx"
    fd, left = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=tmp_path)
    os.close(fd)
    kept = [tmp_path / ".adult-social-care-rag-notes.xlsx", tmp_path / "adult-social-care-rag.xlsx",
            tmp_path / ".adult-social-care-rag-abcd1234.docx", tmp_path / ".other-rag-abcd1234.xlsx"]
    for path in kept:
        path.write_bytes(b"mine")
    remove_temporary_files([target, tmp_path / "missing" / "x-paper.docx"])
    assert not Path(left).exists()
    assert all(path.exists() for path in kept)
