"""A chart spec as DrawingML chart XML (c:chartSpace), the chart part a Word document embeds (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kpi_excel.excel import ns
from kpi_excel.excel.refs import column_letter
from kpi_excel.excel.xmltext import escape, quoteattr
from kpi_excel.present import palette
from kpi_excel.present.chartspec import ChartSpec, Line

C_NS, A_NS, R_NS, WP_NS = ns.CHART, ns.DRAWING, ns.RELATIONSHIPS, ns.WORD_DRAWING
CHART_URI = C_NS  # a:graphicData's uri for a chart
DATA_SHEET = "Sheet1"  # the embedded workbook's one sheet
EMU_PER_CM = 360_000
EMU_PER_PT = 12_700
_CAT_AXIS, _VAL_AXIS = 50010, 50020
_LABEL_POSITIONS = {"above": "t", "below": "b", "left": "l", "right": "r"}
FONT = "Arial"


@dataclass(frozen=True)
class ChartFiles:
    """A native chart's two parts: its chart XML and the workbook it embeds."""

    chart: bytes
    workbook: bytes
    data_rid: str = "rId1"  # how the chart XML names its link to the workbook


def data_layout(spec: ChartSpec) -> tuple[str, list[tuple[str, str]]]:
    """Where the embedded workbook holds the chart's figures: the periods down column A from A2,
    then a column per line with its name in row 1. Returns the categories' range and each
    series' name cell and values range."""
    last = len(spec.periods) + 1
    columns = [column_letter(n) for n in range(2, len(spec.series) + 2)]
    return (f"{DATA_SHEET}!$A$2:$A${last}",
            [(f"{DATA_SHEET}!${c}$1", f"{DATA_SHEET}!${c}$2:${c}${last}") for c in columns])


def chart_xml(spec: ChartSpec, data_rid: str) -> bytes:
    """The chart part: a line chart of the spec's series over its periods, with the cached
    figures it shows and a link (data_rid) to the embedded workbook that holds them."""
    categories, cells = data_layout(spec)
    series = "".join(_series(spec, n, line, values, categories, name, ref)
                     for n, ((line, values), (name, ref)) in enumerate(zip(spec.series, cells, strict=True)))
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">'
        '<c:date1904 val="0"/><c:lang val="en-GB"/><c:roundedCorners val="0"/>'
        '<c:chart><c:autoTitleDeleted val="1"/><c:plotArea><c:layout/>'
        f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>{series}'
        f'<c:marker val="1"/><c:axId val="{_CAT_AXIS}"/><c:axId val="{_VAL_AXIS}"/></c:lineChart>'
        f"{_category_axis()}{_value_axis(spec)}"
        '<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr></c:plotArea>'
        f'<c:legend><c:legendPos val="b"/><c:overlay val="0"/>{_text(900)}</c:legend>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        '<c:spPr><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill><a:ln><a:noFill/></a:ln></c:spPr>'
        f'{_text(900)}<c:externalData r:id="{data_rid}"><c:autoUpdate val="0"/></c:externalData>'
        "</c:chartSpace>"
    )
    return xml.encode("utf-8")


def _colour(colour: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{colour.lstrip("#").upper()}"/></a:solidFill>'


def _outline(line: Line) -> str:
    return (f'<a:ln w="{round(line.width_pt * EMU_PER_PT)}" cap="rnd">{_colour(line.colour)}'
            f'<a:prstDash val="{line.dash}"/><a:round/></a:ln>')


def _text(size: int, *, bold: bool = False, colour: str = "") -> str:
    """c:txPr: the font of an axis, legend or label (size in hundredths of a point)."""
    fill = _colour(colour) if colour else ""
    return (f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}" b="{int(bold)}">{fill}'
            f'<a:latin typeface="{FONT}"/><a:cs typeface="{FONT}"/></a:defRPr></a:pPr>'
            '<a:endParaRPr lang="en-GB"/></a:p></c:txPr>')


def _flags(value: bool) -> str:
    return (f'<c:showLegendKey val="0"/><c:showVal val="{int(value)}"/><c:showCatName val="0"/>'
            '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/>')


def _series(spec: ChartSpec, index: int, line: Line, values: list[float | None], categories: str,
            name_ref: str, values_ref: str) -> str:
    if line.value is None:
        marker = (f'<c:marker><c:symbol val="circle"/><c:size val="{round(spec.marker_pt)}"/>'
                  f'<c:spPr>{_colour(line.colour)}<a:ln w="9525">{_colour(line.colour)}</a:ln></c:spPr>'
                  "</c:marker>")
    else:
        marker = '<c:marker><c:symbol val="none"/></c:marker>'
    labels = ""
    if line.value is None and spec.label is not None:
        labels = (f'<c:dLbls><c:dLbl><c:idx val="{spec.label.index}"/>'
                  f'<c:numFmt formatCode={quoteattr(spec.number_format)} sourceLinked="0"/>'
                  f'<c:spPr><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></c:spPr>'
                  f'{_text(900, bold=True, colour=line.colour)}'
                  f'<c:dLblPos val="{_LABEL_POSITIONS[spec.label.position]}"/>{_flags(True)}</c:dLbl>'
                  f"{_flags(False)}</c:dLbls>")
    # a missing figure has no cached point at all: a gap, never a zero
    points = "".join(f'<c:pt idx="{i}"><c:v>{v!r}</c:v></c:pt>'
                     for i, v in enumerate(values) if v is not None)
    period_points = "".join(f'<c:pt idx="{i}"><c:v>{escape(label)}</c:v></c:pt>'
                            for i, label in enumerate(spec.period_labels))
    count = len(values)
    return (
        f'<c:ser><c:idx val="{index}"/><c:order val="{index}"/>'
        f'<c:tx><c:strRef><c:f>{name_ref}</c:f><c:strCache><c:ptCount val="1"/>'
        f'<c:pt idx="0"><c:v>{escape(line.legend)}</c:v></c:pt></c:strCache></c:strRef></c:tx>'
        f"<c:spPr>{_outline(line)}</c:spPr>{marker}{labels}"
        f'<c:cat><c:strRef><c:f>{categories}</c:f><c:strCache><c:ptCount val="{count}"/>{period_points}'
        "</c:strCache></c:strRef></c:cat>"
        f'<c:val><c:numRef><c:f>{values_ref}</c:f><c:numCache>'
        f'<c:formatCode>{escape(spec.number_format)}</c:formatCode><c:ptCount val="{count}"/>{points}'
        '</c:numCache></c:numRef></c:val><c:smooth val="0"/></c:ser>'
    )


_AXIS_LINE = f'<c:spPr><a:ln w="9525">{_colour(palette.AXIS_LINE)}</a:ln></c:spPr>'


def _category_axis() -> str:
    return (f'<c:catAx><c:axId val="{_CAT_AXIS}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
            '<c:delete val="0"/><c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="1"/>'
            '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="low"/>'
            f'{_AXIS_LINE}{_text(900)}<c:crossAx val="{_VAL_AXIS}"/><c:crosses val="autoZero"/>'
            '<c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/>'
            "</c:catAx>")


def _value_axis(spec: ChartSpec) -> str:
    axis = spec.axis
    grid = (f'<c:majorGridlines><c:spPr><a:ln w="6350">{_colour(palette.GRID_LINE)}</a:ln></c:spPr>'
            "</c:majorGridlines>")
    return (f'<c:valAx><c:axId val="{_VAL_AXIS}"/><c:scaling><c:orientation val="minMax"/>'
            f'<c:max val="{axis.high!r}"/><c:min val="{axis.low!r}"/></c:scaling>'
            f'<c:delete val="0"/><c:axPos val="l"/>{grid}'
            f'<c:numFmt formatCode={quoteattr(spec.number_format)} sourceLinked="0"/>'
            '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
            f'{_AXIS_LINE}{_text(900)}<c:crossAx val="{_CAT_AXIS}"/><c:crosses val="min"/>'
            f'<c:crossBetween val="between"/><c:majorUnit val="{axis.step!r}"/></c:valAx>')


def inline_chart_xml(rid: str, shape_id: int, description: str, width_cm: float, height_cm: float,
                     in_scope: Mapping[str, str] | None = None) -> str:
    """The w:drawing that places a chart part (related as rid) in the text, with its alt text.
    A namespace in_scope already (prefix -> URI, as the document's root declares them) is not
    declared again: docxtpl would strip the declaration when it moves the body into the document."""
    cx, cy = round(width_cm * EMU_PER_CM), round(height_cm * EMU_PER_CM)
    declared = in_scope or {}

    def xmlns(prefix: str, uri: str) -> str:
        return "" if declared.get(prefix) == uri else f' xmlns:{prefix}="{uri}"'
    return (
        '<w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"'
        f'{xmlns("wp", WP_NS)}>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="Chart {shape_id}" descr={quoteattr(description)}/>'
        "<wp:cNvGraphicFramePr/>"
        f'<a:graphic{xmlns("a", A_NS)}><a:graphicData uri="{CHART_URI}">'
        f'<c:chart{xmlns("c", C_NS)}{xmlns("r", R_NS)} r:id="{rid}"/>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing>"
    )
