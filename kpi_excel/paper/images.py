"""Charts in the paper: pictures with alt text, placed where the template's tags ask for them."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage

from kpi_excel.core.model import Indicator
from kpi_excel.errors import ChartDrawingError
from kpi_excel.paper.sandbox import ChartMarkup
from kpi_excel.present.chartspec import ChartSpec
from kpi_excel.present.paper import ChartFn

CHART_WIDTH = Cm(16.0)


class DescribedImage(InlineImage):
    """An inline picture with alt text (docxtpl's InlineImage has no parameter for it).

    The picture is made only when the template places it, so a template without charts
    does not pay for drawing them.
    """

    def __init__(self, tpl: DocxTemplate, image: Callable[[], bytes], description: str,
                 width: Any = CHART_WIDTH) -> None:
        super().__init__(tpl, None, width=width)
        self.image = image
        self.description = description

    def _insert_image(self) -> str:
        try:
            picture = io.BytesIO(self.image())
        except Exception as error:  # our own drawing failed: not the template's fault
            raise ChartDrawingError(f"drawing a chart failed: {error!r}") from error
        inline = self.tpl.current_rendering_part.new_pic_inline(picture, self.width, self.height)
        inline.docPr.set("descr", self.description)
        for properties in inline.xpath(".//pic:cNvPr"):
            properties.set("descr", self.description)
        return f'</w:t></w:r><w:r><w:drawing>{inline.xml}</w:drawing></w:r><w:r><w:t xml:space="preserve">'


def chart_images(tpl: DocxTemplate, drawn: Mapping[Indicator, bytes] | None = None) -> ChartFn:
    """Chart pictures for a template: a PNG per spec with its alt text (drawn already, or now);
    nothing for an indicator with no figure to chart."""
    def make(spec: ChartSpec | None) -> ChartMarkup | str:
        if spec is None:
            return ""

        def picture() -> bytes:
            if drawn is not None and spec.indicator in drawn:
                return drawn[spec.indicator]
            from kpi_excel.charts.png import indicator_chart  # Pillow loads only where pictures are drawn

            return indicator_chart(spec)
        # the template sees markup and nothing else: not the picture object, which holds the template
        return ChartMarkup(DescribedImage(tpl, picture, spec.alt_text).__html__)
    return make


def blank_png() -> bytes:
    """A 1 x 1 white PNG: a stand-in for charts when only the template's tags are being checked."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
            + chunk(b"IEND", b""))


def placeholder_images(tpl: DocxTemplate) -> ChartFn:
    def make(spec: ChartSpec | None) -> ChartMarkup:
        image = DescribedImage(tpl, blank_png, spec.alt_text if spec else "", width=Cm(1))
        return ChartMarkup(image.__html__)
    return make

