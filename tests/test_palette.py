"""The palette: every word on a fill is legible in colour and in greyscale."""

import re

import pytest

from kpi_excel.core.model import Rag
from kpi_excel.present import palette

SWATCHES = [*palette.RAG_SWATCHES.values(), palette.UNRATED_SWATCH, *palette.RANGE_SWATCHES.values(),
            palette.PLAIN]


@pytest.mark.parametrize("swatch", SWATCHES, ids=lambda s: s.name)
def test_word_on_fill_meets_aa_in_colour_and_greyscale(swatch: palette.Swatch) -> None:
    assert palette.contrast(swatch.fill, swatch.text) >= palette.AA_CONTRAST
    assert palette.contrast(palette.greyscale(swatch.fill), swatch.text) >= palette.AA_CONTRAST


def test_red_and_green_differ_clearly_in_greyscale() -> None:
    red = palette.greyscale(palette.RAG_SWATCHES[Rag.RED].fill)
    green = palette.greyscale(palette.RAG_SWATCHES[Rag.GREEN].fill)
    assert palette.contrast(red, green) >= 3


def test_contrast_matches_wcag_reference_values() -> None:
    # WCAG's own extremes and a published pair: black on white 21:1, #777777 on white about 4.48:1
    assert palette.contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert palette.contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    # the old paper's black on pure red, printed grey, was the 2.4:1 the committee officer saw
    assert palette.contrast(palette.greyscale("#FF0000"), "#000000") == pytest.approx(2.45, abs=0.05)


def test_colours_sentence_names_every_rag_fill() -> None:
    sentence = palette.colours_sentence()
    for swatch in palette.RAG_SWATCHES.values():
        assert swatch.fill in sentence


def test_colours_sentence_states_the_contrast_every_swatch_is_held_to() -> None:
    stated = re.search(r"contrast of at least ([\d.]+):1", palette.colours_sentence())
    assert stated is not None
    ratio = float(stated.group(1))
    assert ratio == palette.AA_CONTRAST
    assert all(palette.contrast(palette.greyscale(s.fill), s.text) >= ratio for s in SWATCHES)
