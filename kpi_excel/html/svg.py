"""A chart's SVG elements, from its layout (layout.py): written here rather than by the page's
template, as a report's charts hold thousands of numbers and Jinja would take ten times as long.

Only numbers formatted here and the spec's texts, each escaped, go into the markup. Colours are
presentation attributes, so a chart keeps them where a page's stylesheet is stripped; the classes
let forced-colours mode recolour it.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from kpi_excel.html.layout import (
    FONT,
    HALO,
    MARKER_RADIUS,
    TICK,
    ChartDrawing,
    LegendEntry,
    Stroke,
    Text,
    number,
)
from kpi_excel.present import palette

FONT_FAMILY = "Arial, 'Liberation Sans', Helvetica, sans-serif"


def chart_svg(d: ChartDrawing) -> Markup:
    """The chart as an <svg> element: an image whose accessible name is its alt text."""
    parts = [f'<svg class="chart" viewBox="{d.view_box}" role="img" aria-label="{escape(d.alt_text)}" '
             f'focusable="false" font-family="{FONT_FAMILY}" font-size="{number(FONT)}">']
    if d.note is not None:
        parts.append(_text(d.note, "note", f' fill="{palette.VALUE_LINE}"'))
    else:
        parts += _plot(d)
    parts.append("</svg>")
    return Markup("\n".join(parts))


def _plot(d: ChartDrawing) -> list[str]:
    left, right, n = d.left, d.right, number
    out = []
    if d.band is not None:
        out.append(f'<rect class="band" x="{n(left)}" y="{n(d.band[0])}" width="{n(right - left)}" '
                   f'height="{n(d.band[1] - d.band[0])}" fill="{palette.RANGE_FILL}"/>')
    out.append(f'<g class="grid" stroke="{palette.GRID_LINE}" stroke-width="0.8">')
    out += [f'<line x1="{n(left)}" y1="{n(y)}" x2="{n(right)}" y2="{n(y)}"/>' for y in d.grid]
    out.append('</g>\n<g class="references" fill="none">')
    out += [f'<line class="{rule.stroke.css}" x1="{n(left)}" y1="{n(rule.y)}" x2="{n(right)}" '
            f'y2="{n(rule.y)}"{_stroke(rule.stroke)}/>' for rule in d.references]
    out.append(f'</g>\n<g class="axis" stroke="{palette.AXIS_LINE}" stroke-width="1">')
    out.append(f'<line x1="{n(left)}" y1="{n(d.top)}" x2="{n(left)}" y2="{n(d.bottom)}"/>')
    out.append(f'<line x1="{n(left)}" y1="{n(d.bottom)}" x2="{n(right)}" y2="{n(d.bottom)}"/>')
    out += [f'<line x1="{n(left - TICK)}" y1="{n(y)}" x2="{n(left)}" y2="{n(y)}"/>' for y in d.grid]
    out += [f'<line x1="{n(x)}" y1="{n(d.bottom)}" x2="{n(x)}" y2="{n(d.bottom + TICK)}"/>'
            for x in d.x_ticks]
    out.append(f'</g>\n<g class="axis-labels" fill="{palette.AXIS_LINE}">')
    out += [_text(t) for t in (*d.y_labels, *d.x_labels)]
    colour = d.value_stroke.colour
    out.append(f'</g>\n<g class="value" stroke="{colour}" fill="{colour}">')
    out += [f'<polyline points="{run}" fill="none" stroke-width="{n(d.value_stroke.width)}" '
            'stroke-linejoin="round" stroke-linecap="round"/>' for run in d.runs]
    out += [f'<circle cx="{n(x)}" cy="{n(y)}" r="{n(MARKER_RADIUS)}" stroke="none"/>' for x, y in d.markers]
    out.append("</g>")
    if d.label is not None:
        halo = (f' font-weight="bold" fill="{colour}" stroke="{palette.WHITE}" stroke-width="{n(HALO)}" '
                'stroke-linejoin="round" paint-order="stroke"')
        out.append(_text(d.label, "label", halo))
    return out


def _text(t: Text, css: str = "", attributes: str = "") -> str:
    flags = ("wide-only" * t.wide_only, "end-when-narrow" * t.end_when_narrow)
    classes = " ".join(c for c in (css, *flags) if c)
    kind = f' class="{classes}"' if classes else ""
    baseline = f' dominant-baseline="{t.baseline}"' if t.baseline != "auto" else ""
    return (f'<text{kind} x="{number(t.x)}" y="{number(t.y)}" text-anchor="{t.anchor}"{baseline}{attributes}>'
            f"{escape(t.text)}</text>")


def _stroke(stroke: Stroke) -> str:
    dashes = f' stroke-dasharray="{stroke.dasharray}"' if stroke.dasharray else ""
    return f' stroke="{stroke.colour}" stroke-width="{number(stroke.width)}"{dashes}'


def legend_key(entry: LegendEntry) -> Markup:
    """A legend entry's sample of its line (and marker), hidden from screen readers: the entry's
    words say it."""
    marker = (f'<circle class="{entry.stroke.css}" cx="16" cy="6" r="{number(MARKER_RADIUS)}" '
              f'fill="{entry.stroke.colour}"/>' if entry.marker else "")
    return Markup(f'<svg class="key" aria-hidden="true" focusable="false" width="32" height="12" '
                  f'viewBox="0 0 32 12"><line class="{entry.stroke.css}" x1="1" y1="6" x2="31" y2="6"'
                  f"{_stroke(entry.stroke)}/>{marker}</svg>")
