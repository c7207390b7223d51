"""The Word committee paper: rendering, the template's sandbox, XML fixes, appendices as files, PDF.

What the paper says is kpi_excel.present.paper (pure); this package writes it as .docx. Names load
lazily, from the module that defines them, so that importing the package loads python-docx and
docxtpl only when a name that needs them is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "appendices": ("appendix_document", "appendix_files", "appendix_numbers"),
    "images": ("CHART_WIDTH", "ChartDrawingError", "DescribedImage", "chart_images"),
    "pdf": ("LibreOfficeMissingError", "soffice_path", "write_pdf", "write_pdf_from"),
    "render": ("render_paper", "set_core_properties", "write_paper"),
    "templates": ("TEMPLATE_NAME", "TemplateCheck", "check_template", "default_template", "environment",
                  "provided_names", "template_error", "template_lines"),
    "xmlfix": ("deterministic_docx", "drop_empty_last_section", "tidy_package", "tidy_tables"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}
__all__ = [
    "CHART_WIDTH", "ChartDrawingError", "DescribedImage", "LibreOfficeMissingError", "TEMPLATE_NAME",
    "TemplateCheck", "appendix_document", "appendix_files", "appendix_numbers", "chart_images",
    "check_template", "default_template", "deterministic_docx", "drop_empty_last_section", "environment",
    "provided_names", "render_paper", "set_core_properties", "soffice_path", "template_error",
    "template_lines", "tidy_package", "tidy_tables", "write_paper", "write_pdf", "write_pdf_from",
]


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # looked up once
    return value


if TYPE_CHECKING:
    from kpi_excel.paper.appendices import appendix_document, appendix_files, appendix_numbers
    from kpi_excel.paper.images import CHART_WIDTH, ChartDrawingError, DescribedImage, chart_images
    from kpi_excel.paper.pdf import LibreOfficeMissingError, soffice_path, write_pdf, write_pdf_from
    from kpi_excel.paper.render import render_paper, set_core_properties, write_paper
    from kpi_excel.paper.templates import (
        TEMPLATE_NAME,
        TemplateCheck,
        check_template,
        default_template,
        environment,
        provided_names,
        template_error,
        template_lines,
    )
    from kpi_excel.paper.xmlfix import deterministic_docx, drop_empty_last_section, tidy_package, tidy_tables
