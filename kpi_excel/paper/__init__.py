"""The Word committee paper: context, rendering, XML fixes, appendices as files, and PDF.

Names load lazily, from the module that defines them, so that importing the pure context
(kpi_excel.paper.context) does not load python-docx and docxtpl.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "appendices": ("appendix_document", "appendix_files", "appendix_numbers"),
    "context": ("CHANGE_FILL", "DASH", "HEADER_FILL", "NO_FILL", "PLACEHOLDERS", "RAG_FILLS", "ChartFn",
                "fixed_time", "missing_details", "paper_context"),
    "images": ("CHART_WIDTH", "ChartDrawingError", "DescribedImage", "chart_images"),
    "pdf": ("LibreOfficeMissingError", "soffice_path", "write_pdf", "write_pdf_from"),
    "render": ("render_paper", "set_core_properties", "write_paper"),
    "templates": ("TEMPLATE_NAME", "TemplateCheck", "check_template", "default_template", "environment",
                  "provided_names", "template_error", "template_lines"),
    "xmlfix": ("deterministic_docx", "drop_empty_last_section", "tidy_package", "tidy_tables"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}
__all__ = [
    "CHANGE_FILL", "CHART_WIDTH", "ChartDrawingError", "ChartFn", "DASH", "DescribedImage", "HEADER_FILL",
    "LibreOfficeMissingError", "NO_FILL", "PLACEHOLDERS", "RAG_FILLS", "TEMPLATE_NAME", "TemplateCheck",
    "appendix_document", "appendix_files", "appendix_numbers", "chart_images", "check_template",
    "default_template", "deterministic_docx", "drop_empty_last_section", "environment", "fixed_time",
    "missing_details", "paper_context", "provided_names", "render_paper", "set_core_properties",
    "soffice_path", "template_error", "template_lines", "tidy_package", "tidy_tables", "write_paper",
    "write_pdf", "write_pdf_from",
]


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # looked up once
    return value


if TYPE_CHECKING:
    from .appendices import appendix_document, appendix_files, appendix_numbers
    from .context import (
        CHANGE_FILL,
        DASH,
        HEADER_FILL,
        NO_FILL,
        PLACEHOLDERS,
        RAG_FILLS,
        ChartFn,
        fixed_time,
        missing_details,
        paper_context,
    )
    from .images import CHART_WIDTH, ChartDrawingError, DescribedImage, chart_images
    from .pdf import LibreOfficeMissingError, soffice_path, write_pdf, write_pdf_from
    from .render import render_paper, set_core_properties, write_paper
    from .templates import (
        TEMPLATE_NAME,
        TemplateCheck,
        check_template,
        default_template,
        environment,
        provided_names,
        template_error,
        template_lines,
    )
    from .xmlfix import deterministic_docx, drop_empty_last_section, tidy_package, tidy_tables
