"""Native Word charts: each chart spec as a chart part with its embedded workbook, placed by a tag."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from typing import Any

from docx.opc.packuri import PackURI
from docx.opc.part import Part

from kpi_excel.charts.drawingml import (
    ChartFiles,
    inline_chart_xml,
)
from kpi_excel.core.formatting import without_control_characters
from kpi_excel.core.model import Indicator, Report
from kpi_excel.errors import ChartDrawingError
from kpi_excel.excel import ns
from kpi_excel.paper.sandbox import ChartMarkup
from kpi_excel.present.chartspec import ChartSpec

WIDTH_CM, HEIGHT_CM = 16.0, 5.6
# Shape ids of the charts: far above the template's own drawings, so none is used twice
FIRST_SHAPE_ID = 5000
_NUMBERED = re.compile(r"/word/(?:charts/chart|embeddings/Microsoft_Excel_Worksheet)(\d+)\.\w+")


class WordChart:
    """What a template's {{ kpi.chart }} prints: the chart part is added to the document being
    rendered at that moment, and the tag becomes a w:drawing run that shows it."""

    def __init__(self, tpl: Any, files: Callable[[], ChartFiles], shape_id: int, alt_text: str,
                 number: Callable[[Any], int]) -> None:
        self.tpl, self.files, self.shape_id, self.alt_text = tpl, files, shape_id, alt_text
        self.number = number

    def __html__(self) -> str:
        try:
            files = self.files()
        except Exception as error:  # our own drawing failed: not the template's fault
            raise ChartDrawingError(f"drawing a chart failed: {error!r}") from error
        part = self.tpl.current_rendering_part
        chart = chart_part(files, part.package, self.number(part.package))
        rid = part.relate_to(chart, ns.CHART_RELATIONSHIP)
        alt_text = without_control_characters(self.alt_text)
        drawing = inline_chart_xml(rid, self.shape_id, alt_text, WIDTH_CM, HEIGHT_CM, part.element.nsmap)
        return f'</w:t></w:r><w:r>{drawing}</w:r><w:r><w:t xml:space="preserve">'

    __str__ = __html__


def chart_part(files: ChartFiles, package: Any, number: int) -> Part:
    """A new chart part (word/charts/chartN.xml) and the workbook it embeds for "Edit Data"."""
    data = Part(PackURI(f"/word/embeddings/Microsoft_Excel_Worksheet{number}.xlsx"), ns.WORKBOOK_FILE_TYPE,
                files.workbook, package)
    chart = Part(PackURI(f"/word/charts/chart{number}.xml"), ns.CHART_TYPE, files.chart, package)
    # the chart's XML names its link to the data as rId1: a new part's first relationship
    if chart.relate_to(data, ns.PACKAGE_RELATIONSHIP) != files.data_rid:
        raise ChartDrawingError("the chart's link to its data did not get the expected id")
    return chart


def native_charts(tpl: Any, report: Report,
                  made: Mapping[Indicator, ChartFiles] | None = None) -> Callable[[ChartSpec | None], Any]:
    """The template's chart for each spec: a native chart (its files made already, or now),
    numbered in the order they are made; nothing for an indicator with no figure to chart."""
    ids = itertools.count(FIRST_SHAPE_ID)
    numbers: list[int] = []

    def number(package: Any) -> int:
        """The next chart number, above any a part of the package has (a template may hold charts
        of its own); the package's parts are listed once, not for every chart."""
        if not numbers:
            found = (_NUMBERED.fullmatch(str(p.partname)) for p in package.iter_parts())
            numbers.append(max((int(m.group(1)) for m in found if m), default=0))
        numbers[0] += 1
        return numbers[0]

    def make(spec: ChartSpec | None) -> Any:
        if spec is None:
            return ""

        def files() -> ChartFiles:
            if made is not None and spec.indicator in made:
                return made[spec.indicator]
            # XlsxWriter writes the embedded workbook: loaded only when this process needs it
            from kpi_excel.workbook.charts import chart_files, files_time

            return chart_files(spec, files_time(report))
        # the template sees markup and nothing else: not the chart object, which holds the template
        return ChartMarkup(WordChart(tpl, files, next(ids), spec.alt_text, number).__html__)
    return make
