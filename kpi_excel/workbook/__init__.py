"""The RAG workbook the finance team opens in Excel: the only package that imports xlsxwriter."""

from kpi_excel.workbook.base import HEADER_ROW, MAX_CHARTS
from kpi_excel.workbook.book import write_workbook
from kpi_excel.workbook.indicators import table_header

__all__ = ["HEADER_ROW", "MAX_CHARTS", "table_header", "write_workbook"]
