"""The one set of colours every output draws with: RAG fills, their text, chart lines (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from kpi_excel.core.formatting import NO_DATA_WORD, NOT_RATED_WORD, RANGE_WORDS
from kpi_excel.core.model import Rag, RangeStatus

BLACK = "#000000"
WHITE = "#FFFFFF"
# WCAG 2 level AA for normal-size text, which every word on a fill must reach in colour and when
# the page is printed in greyscale.
AA_CONTRAST = 4.5


@dataclass(frozen=True)
class Swatch:
    """A cell's fill and the colour of the word written on it, as #RRGGBB."""

    fill: str
    text: str
    name: str  # how the Guidance names the fill: "dark red"

    @property
    def fill_hex(self) -> str:
        """The fill without its '#', as Word's w:shd and DrawingML want it."""
        return self.fill.lstrip("#")

    @property
    def text_hex(self) -> str:
        return self.text.lstrip("#")


# Red is dark with white text and Green and Amber light with black text, so Red and Green stay
# apart in greyscale and for readers who cannot tell red from green; the Green leans to blue to
# stay apart from Amber. The word is always written on the fill as well.
RAG_SWATCHES = {
    Rag.GREEN: Swatch("#5FC4A0", BLACK, "light green"),
    Rag.AMBER: Swatch("#FFC000", BLACK, "amber"),
    Rag.RED: Swatch("#C00000", WHITE, "dark red"),
}
UNRATED_SWATCH = Swatch("#D9D9D9", BLACK, "light grey")
RANGE_SWATCHES = {
    RangeStatus.ABOVE: Swatch("#9DC3E6", BLACK, "light blue"),
    RangeStatus.BELOW: Swatch("#FFE699", BLACK, "light yellow"),
}
PLAIN = Swatch(WHITE, BLACK, "white")

HEADER_FILL = "#D9D9D9"  # table header rows
CHANGE_FILL = "#FFF2CC"  # a proposal that changes this year's target or floor

# Chart lines: the series solid, the target dashed, the floor dotted, so they differ in greyscale.
VALUE_LINE = "#1F4E79"
TARGET_LINE = "#00703C"
FLOOR_LINE = "#C00000"
RANGE_LINE = "#595959"
RANGE_FILL = "#F1F1F1"  # an activity indicator's expected range, shaded (the range line at 8 % on white)
GRID_LINE = "#D9D9D9"
AXIS_LINE = BLACK


def swatch_for_word(word: str) -> Swatch:
    """The swatch of a cell that reads word: a RAG word, a range word, No data or Not rated."""
    return WORD_SWATCHES.get(word, PLAIN)


WORD_SWATCHES: dict[str, Swatch] = {
    **{rag.word: swatch for rag, swatch in RAG_SWATCHES.items()},
    NO_DATA_WORD: UNRATED_SWATCH,
    NOT_RATED_WORD: UNRATED_SWATCH,
    **{RANGE_WORDS[status]: swatch for status, swatch in RANGE_SWATCHES.items()},
}


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of #RRGGBB."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio between two colours, from 1 to 21."""
    low, high = sorted((relative_luminance(a), relative_luminance(b)))
    return (high + 0.05) / (low + 0.05)


def greyscale(colour: str) -> str:
    """The grey a printer makes of a colour (ITU-R BT.601 luma, as office printing uses)."""
    r, g, b = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    y = round(0.299 * r + 0.587 * g + 0.114 * b)
    return f"#{y:02X}{y:02X}{y:02X}"


def colours_sentence() -> str:
    """How the Guidance of both outputs states the colours chosen."""
    parts = []
    for rag in (Rag.GREEN, Rag.AMBER, Rag.RED):
        swatch = RAG_SWATCHES[rag]
        text = "white" if swatch.text == WHITE else "black"
        parts.append(f"{rag.word}, {text} text on {swatch.name} ({swatch.fill})")
    return (f"Colours: {'; '.join(parts)}. Red is dark and Green light, so they stay apart when "
            f"printed in greyscale, and every word has a contrast of at least {AA_CONTRAST:g}:1 with its "
            "fill, in "
            "colour and in greyscale. The rating is always written as a word as well.")
