"""What a build is asked to do (Options, from the command line or the Python API) and what it
did (BuildResult): plain values every step and the paper's process share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kpi_excel.core.model import Period, Report


@dataclass(frozen=True)
class Options:
    """What the command line may change: rule settings and paper details win over the workbook."""

    settings: Mapping[str, object] = field(default_factory=dict)  # RuleSettings field -> value
    details: Mapping[str, object] = field(default_factory=dict)  # PaperDetails field -> value
    template: Path | None = None  # a council's own Word template for the paper
    pdf: bool = False  # also write the paper as PDF (needs LibreOffice)
    appendices_separately: bool = False  # also write each appendix as a .docx of its own
    indicator_pages: bool = True  # the paper's page of detail (chart and table) for each indicator
    chart_images: bool = False  # the paper's charts as pictures instead of native Word charts
    period: Period | str | None = None  # the period of a value column whose heading names none
    html: bool = False  # also write the paper as an accessible HTML page (with its appendices, as asked)
    rated_copy: bool = True  # also write the department's own workbook with RAG columns added
    force: bool = False  # replace files of the outputs' names that kpi-excel did not write, or that changed
    # columns to read as the roles named, whatever the reader makes of them: {role: heading as written}
    columns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, and the report it wrote it from."""

    report: Report
    outputs: tuple[Path, ...]
    # about the outputs: placeholders left in the paper, what the rated copy could not do as check does
    warnings: tuple[str, ...] = ()
