"""The RAG workbook the finance team opens in Excel: the only package that imports xlsxwriter."""

from .base import HEADER_ROW, MAX_CHARTS
from .book import write_workbook
from .indicators import table_header

__all__ = ["HEADER_ROW", "MAX_CHARTS", "table_header", "write_workbook"]
