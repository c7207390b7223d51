"""The paper as a tagged, accessible PDF, converted by LibreOffice."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from kpi_excel.errors import OutputError

# LibreOffice's PDF export options (writer_pdf_Export): a tagged PDF with PDF/UA structure (headings,
# tables with header rows, figures with their alt text, the document's language, en-GB), bookmarks
# from the headings, and the document's title, not the file name, in the reader's title bar, as
# the Public Sector Bodies Accessibility Regulations ask of published papers.
PDF_EXPORT_OPTIONS = {
    "UseTaggedPDF": True,
    "PDFUACompliance": True,
    "ExportBookmarks": True,
    "OpenBookmarkLevels": -1,
    "DisplayPDFDocumentTitle": True,
    "ExportFormFields": False,
    "ExportNotes": False,
    "UseLosslessCompression": True,  # the charts stay sharp
}


def pdf_filter() -> str:
    """The --convert-to argument: pdf, the Writer export filter and its options as JSON."""
    options = {name: {"type": "long" if isinstance(value, int) and not isinstance(value, bool) else "boolean",
                      "value": str(value).lower() if isinstance(value, bool) else str(value)}
               for name, value in PDF_EXPORT_OPTIONS.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


class LibreOfficeMissingError(OutputError):
    """--pdf needs LibreOffice, which is not installed."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_pdf_from(data: bytes, stem: str, pdf: Path) -> None:
    """Convert a paper held in memory (.docx bytes) to PDF; stem names the file LibreOffice sees."""
    with tempfile.TemporaryDirectory(prefix="kpi-excel-docx-") as work:
        docx = Path(work) / f"{stem}.docx"
        docx.write_bytes(data)
        write_pdf(docx, pdf)


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
                 "--convert-to", pdf_filter(), "--outdir", work, str(docx)],
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
