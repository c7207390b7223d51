"""The Word committee paper: context, rendering, XML fixes, appendices as files, and PDF."""

from .appendices import appendix_document, appendix_files, appendix_numbers
from .context import (
    CHANGE_FILL,
    DASH,
    HEADER_FILL,
    NO_FILL,
    RAG_FILLS,
    ChartFn,
    fixed_time,
    paper_context,
)
from .images import CHART_WIDTH, ChartDrawingError, DescribedImage, chart_images
from .pdf import LibreOfficeMissingError, soffice_path, write_pdf
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
from .xmlfix import deterministic_docx, drop_empty_last_section, tidy_tables

__all__ = [
    "CHANGE_FILL", "CHART_WIDTH", "DASH", "HEADER_FILL", "NO_FILL", "RAG_FILLS", "TEMPLATE_NAME",
    "ChartDrawingError", "ChartFn", "DescribedImage", "LibreOfficeMissingError", "TemplateCheck",
    "appendix_document", "appendix_files", "appendix_numbers", "chart_images", "check_template",
    "default_template", "deterministic_docx", "drop_empty_last_section", "environment", "fixed_time",
    "paper_context", "provided_names", "render_paper", "set_core_properties", "soffice_path",
    "template_error", "template_lines", "tidy_tables", "write_paper", "write_pdf",
]
