"""The RAG workbook the finance team opens in Excel: writes every sheet of one workbook."""

from __future__ import annotations

import copy
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from kpi_excel._version import __version__
from kpi_excel.core.model import (
    KpiType,
    Rating,
    Report,
)
from kpi_excel.errors import OutputError
from kpi_excel.present.chartspec import ChartSpec
from kpi_excel.present.views import ReportView, viewed
from kpi_excel.stamp import PROPERTY
from kpi_excel.workbook import base
from kpi_excel.workbook.base import OPTIONS, PROPERTY_LIMIT, clean, created_at
from kpi_excel.workbook.charts import Charts
from kpi_excel.workbook.dashboard import _Dashboard
from kpi_excel.workbook.formula_cells import FormulaWorkbook
from kpi_excel.workbook.indicators import _IndicatorSheet, _Placed
from kpi_excel.workbook.sheets import _Guidance, _Proposals, _write_warnings


def write_workbook(rated: Report | ReportView, path: Path) -> None:
    """Write the RAG workbook for a rated report (or its view) to path, a new file.

    The same report always gives a byte-identical file: the document's dates come from the
    report period, never from the clock.
    """
    book = FormulaWorkbook(str(path), copy.deepcopy(OPTIONS))  # XlsxWriter changes what it is given
    _calculated_already(book)
    _Book(book, viewed(rated)).write()
    # the book is in memory until here: a failed or stopped write (a worker told to stop by Ctrl+C
    # has a second to remove its files) writes nothing, rather than a whole workbook on its way out
    try:
        book.close()
    except FileCreateError as error:
        raise OutputError(f"cannot be written ({error})", file=str(path),
                          fix="Close the file if it is open in Excel, or choose another --out folder",
                          ) from error


EXCEL_CALC_ID = 191029  # the calculation engine of Excel 2019 and Microsoft 365


def _calculated_already(book: xlsxwriter.Workbook) -> None:
    """Mark the workbook as calculated by a current Excel, so opening and closing it untouched does
    not ask "save changes?". Every formula's result is stored with it and tested equal to what
    LibreOffice recalculates (docs/workbook.md): a forced recalculation on load would change
    nothing. Editing a cell still recalculates what depends on it."""
    book.set_calc_mode("auto", calc_id=EXCEL_CALC_ID)
    book.calc_on_load = False  # XlsxWriter otherwise writes fullCalcOnLoad="1"


class _Book(base.Book):
    """Writes every sheet of one workbook from one report's view."""

    def write(self) -> None:
        report = self.report
        dashboard = self.workbook.add_worksheet("Dashboard")
        kpis = _IndicatorSheet(self, "KPIs", report.kpis, KpiType.KPI).write() if report.kpis else None
        activity = (_IndicatorSheet(self, "Activity", report.activities, KpiType.ACTIVITY).write()
                    if report.activities else None)
        charts = self.workbook.add_worksheet("Charts")
        proposals = self.workbook.add_worksheet("Proposals") if report.dataset.proposals else None
        warnings = self.workbook.add_worksheet("Warnings") if report.warnings else None
        guidance = self.workbook.add_worksheet("Guidance")
        charted = self._charted(kpis, activity)
        chart_data = self.workbook.add_worksheet("Chart data") if charted else None
        _Dashboard(self, dashboard, kpis, activity).write()
        Charts(self, charts, chart_data, charted).write()
        if proposals is not None:
            _Proposals(self, proposals).write()
        if warnings is not None:
            _write_warnings(self, warnings)
        _Guidance(self, guidance).write()
        dashboard.activate()
        self._properties()

    def _charted(self, kpis: _Placed | None,
                 activity: _Placed | None) -> list[tuple[Rating, _Placed, ChartSpec]]:
        """Each indicator with a figure to chart, where its sheet put it, and its chart's spec."""
        if len(self.report.ratings) > base.MAX_CHARTS:
            return []
        specs = self.view.chart_specs
        pairs = [(r, kpis) for r in self.report.kpis] + [(r, activity) for r in self.report.activities]
        return [(r, p, spec) for r, p in pairs
                if p is not None and p.period_columns and (spec := specs[r.indicator]) is not None]

    def _properties(self) -> None:
        dataset = self.report.dataset
        details = dataset.details
        self.workbook.set_properties({
            "title": clean(f"{self.title}: RAG workbook, {self.period_words}", PROPERTY_LIMIT),
            "subject": clean(details.subject or "KPI performance", PROPERTY_LIMIT),
            "author": clean(details.author.name if details.author else "", PROPERTY_LIMIT),
            "manager": clean(details.director.name if details.director else "", PROPERTY_LIMIT),
            "company": clean(details.service, PROPERTY_LIMIT),
            "category": "KPI dashboard",
            "keywords": "KPI, RAG, performance",
            "comments": clean(f"Rated from {dataset.source} (SHA-256 {dataset.sha256}) by kpi-excel "
                              f"{__version__}.", PROPERTY_LIMIT),
            "created": created_at(self.report),
        })
        self.workbook.set_custom_property(PROPERTY, "RAG workbook")  # a later build knows it as ours
