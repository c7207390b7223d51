"""kpi-excel: rate a council department's KPI workbook and write the RAG workbook and paper."""

__version__ = "0.1.0"
