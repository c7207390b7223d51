"""The paper as PDF, converted by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from kpi_excel.errors import OutputError


class LibreOfficeMissingError(OutputError):
    """--pdf needs LibreOffice, which is not installed."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_pdf(docx: Path, pdf: Path, *, timeout: int = 300) -> None:
    """Convert the paper to PDF with LibreOffice, headless, with a profile of its own."""
    exe = soffice_path()
    if exe is None:
        raise LibreOfficeMissingError(
            "a PDF needs LibreOffice, which is not installed", file=str(pdf),
            fix="Install LibreOffice (on Debian or Ubuntu: apt-get install libreoffice-writer-nogui; "
                "elsewhere from libreoffice.org), or leave out --pdf and save the .docx as PDF from Word",
        )
    with tempfile.TemporaryDirectory(prefix="kpi-excel-pdf-") as work:
        profile = Path(work) / "profile"
        try:
            result = subprocess.run(
                [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", work, str(docx)],
                capture_output=True, text=True, timeout=timeout, check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise OutputError(f"LibreOffice took more than {timeout} s to convert the paper to PDF",
                              file=str(docx),
                              fix="Close any LibreOffice window and retry, or save the .docx as PDF "
                                  "from Word") from error
        made = Path(work) / f"{docx.stem}.pdf"
        if not made.exists():
            raise OutputError(f"LibreOffice could not convert the paper to PDF ({result.stderr.strip()})",
                              file=str(docx), fix="Open the .docx in Word and save it as PDF")
        shutil.copyfile(made, pdf)
