"""The committee paper as an accessible HTML page, from the same context and chart specs as the
Word paper: one self-contained file, with its charts as inline SVG."""

from __future__ import annotations

from kpi_excel.html.render import PAPER, html_parts, render_html

__all__ = ["PAPER", "html_parts", "render_html"]
