"""What a column's cells hold, read as a person glances down it: figures, names, codes, rating words
or colours, polarity words, each row's period (pure)."""

from __future__ import annotations

import colorsys
import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from kpi_excel.core.model import Rag
from kpi_excel.core.periods import find_period, parse_period
from kpi_excel.core.values import (
    NO_DATA_MARKS,
    clean_text,
    parse_figure,
    parse_number,
    parse_polarity,
    parse_stated_rag,
    strip_comparison,
)
from kpi_excel.read.cells import Cell

SAMPLE_ROWS = 100  # rows looked at to tell what a column holds: a person reads a screenful or two


class Kind(str, Enum):
    """What most of a column's cells hold."""

    EMPTY = "empty"
    NUMBERS = "figures"
    ROW_NUMBERS = "row numbers"
    RATINGS = "rating words"
    FILLS = "colour-only fills"
    POLARITY = "polarity words"
    CODES = "reference codes"
    PERIODS = "periods"
    PROSE = "sentences"  # names or commentary: several words on most rows
    TEXTS = "short texts"  # different on every row: short names
    WORDS = "repeated words"  # a few words used again and again: a unit, a frequency, a workflow state
    MIXED = "mixed"


@dataclass(frozen=True)
class Profile:
    """What one column's cells hold, and a few of them to quote."""

    kind: Kind
    filled: int
    examples: tuple[str, ...] = ()
    numbers: int = 0
    rags: frozenset[Rag] = frozenset()

    def quoted(self) -> str:
        """'Green, Red' as an explanation quotes the column."""
        return ", ".join(f"'{e}'" for e in self.examples)


# A reference such as councils give their indicators: NI 191, ASC-3, PM12a, CP/04, SCO1, 3.2.1,
# BV 8; several in one cell ('NI 191, NI 192').
_ONE_CODE = r"[A-Z]{1,6}[ \-/_.]?\d{1,4}[a-z]?(?:[\-/._]\d{1,3}[a-z]?)*"
_CODE = re.compile(rf"^(?:{_ONE_CODE}|\d{{1,2}}(?:\.\d{{1,2}}){{1,3}}[a-z]?)$", re.I)
_CODE_LIST = re.compile(r"\s*(?:[,;&]|\band\b)\s*")
# A code written first in a name's cell: 'PMF-01: Current rent collected ...'
CODE_THEN_NAME = re.compile(rf"^(?P<code>{_ONE_CODE})(?:\s*[:\-–]\s+|\s+(?=[A-Z%]))(?P<name>\S.*)$", re.S)


def is_code(text: str) -> bool:
    """Whether a cell's text is a reference code, or a list of them."""
    parts = [p for p in _CODE_LIST.split(text.strip()) if p]
    return bool(parts) and len(text) <= 40 and all(_CODE.match(p) and re.search(r"\d", p) for p in parts)


def fill_rating(colour: str) -> Rag | None:
    """The rating a fill colour shows: a red, amber (orange or yellow) or green hue, strong enough
    to be a colour rather than a tint of grey; Excel's pale 'Good', 'Neutral' and 'Bad' fills count."""
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", colour or ""):
        return None
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4))
    hue, saturation, value = colorsys.rgb_to_hsv(r, g, b)
    if saturation < 0.15 or value < 0.35:
        return None
    degrees = hue * 360
    if degrees < 15 or degrees >= 330:
        return Rag.RED
    if degrees < 65:
        return Rag.AMBER
    if 75 <= degrees < 170:
        return Rag.GREEN
    return None


def cell_class(cell: Cell) -> str:
    """One cell, as a glance reads it: 'number', 'figure' (a number with words), 'nodata', 'rating',
    'fill', 'polarity', 'code', 'period', 'long' (several words), 'word', 'date' or '' (empty)."""
    value = cell.value
    if value is None or value == "":
        return "fill" if cell.fill and fill_rating(cell.fill) else ""
    if isinstance(value, bool):
        return "word"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (dt.date, dt.datetime)):
        return "period"
    return _text_class(clean_text(value))


@functools.lru_cache(maxsize=8192)  # a column's words repeat down it ('H', 'Monthly', 'Up to date')
def _text_class(text: str) -> str:
    if not text:
        return ""
    lowered = " ".join(text.lower().split())
    if lowered in NO_DATA_MARKS:
        return "nodata"
    number = parse_number(text)
    if number.value is not None:
        return "number"
    if number.is_error:
        return "nodata"
    compared = strip_comparison(text)  # 'less than 20 days'
    if parse_figure(compared[0] if compared else text) is not None:
        return "figure"
    words = len(text.split())
    if words <= 4 and parse_polarity(text) is not None:
        return "polarity"
    stated = parse_stated_rag(text)
    if stated is not None and (words <= 5 or stated.rag is not None and _names_a_symbol(lowered)):
        return "rating" if stated.rag is not None else "nodata"
    if parse_period(text) is not None or _only_a_period(text):
        return "period"
    if is_code(text):
        return "code"
    return "long" if words >= 4 or len(text) >= 25 else "word"


def _names_a_symbol(text: str) -> bool:
    return bool(re.search(r"\b(face|tick|cross|triangle|octagon|smiley|star|circle|thumbs)\b", text))


def _only_a_period(text: str) -> bool:
    found = find_period(text)
    return found is not None and len(text) - (found.end - found.start) <= 3


def profile(cells: Iterable[Cell]) -> Profile:
    """What a column's cells hold (its cells in the table's rows, the header row left out)."""
    classes: Counter[str] = Counter()
    texts: list[str] = []
    integers: list[int] = []
    rags: set[Rag] = set()
    for cell in cells:
        kind = cell_class(cell)
        if not kind:
            continue
        classes[kind] += 1
        if kind == "number" and isinstance(cell.value, int) and not isinstance(cell.value, bool):
            integers.append(cell.value)
        if kind == "rating" and (stated := parse_stated_rag(cell.value)) is not None and stated.rag:
            rags.add(stated.rag)
        if kind == "fill" and (rag := fill_rating(cell.fill)) is not None:
            rags.add(rag)
        shown = clean_text(cell.value) if cell.value is not None else f"{cell.fill} fill"
        if shown and shown not in texts:
            texts.append(shown)
    filled = sum(classes.values())
    kind = _kind(classes, filled, integers, texts)
    examples = tuple(t if len(t) <= 40 else t[:37] + "..." for t in texts[:3])
    return Profile(kind, filled, examples, classes["number"] + classes["figure"], frozenset(rags))


def _kind(classes: Counter[str], filled: int, integers: list[int], texts: list[str]) -> Kind:
    if not filled:
        return Kind.EMPTY
    nodata = classes["nodata"]
    meaningful = filled - nodata
    numbers = classes["number"] + classes["figure"]
    if classes["fill"] and classes["fill"] + classes["rating"] + nodata == filled:
        return Kind.FILLS if classes["fill"] >= classes["rating"] else Kind.RATINGS
    if classes["rating"] and classes["rating"] * 2 >= meaningful and \
            classes["rating"] + nodata + classes["word"] >= 0.8 * filled:
        return Kind.RATINGS
    if classes["polarity"] and classes["polarity"] + nodata >= 0.8 * filled and meaningful:
        return Kind.POLARITY
    if classes["code"] and classes["code"] >= 0.8 * meaningful:
        return Kind.CODES
    if numbers and numbers + nodata >= 0.6 * filled:
        if len(integers) == filled >= 2 and integers == list(range(integers[0], integers[0] + filled)):
            return Kind.ROW_NUMBERS
        return Kind.NUMBERS
    if classes["period"] and classes["period"] + nodata >= 0.8 * filled:
        return Kind.PERIODS
    if not meaningful:
        return Kind.EMPTY
    if classes["long"] * 2 >= meaningful:
        return Kind.PROSE
    if classes["word"] + classes["code"] >= 0.8 * meaningful:
        distinct = len({t.lower() for t in texts})
        return Kind.TEXTS if distinct > max(3, meaningful // 2) else Kind.WORDS
    return Kind.MIXED


def column_cells(rows: Sequence[Sequence[Cell]], col: int) -> list[Cell]:
    """A column's cells in the given rows (an empty cell where a row is short)."""
    return [row[col] if col < len(row) else _EMPTY for row in rows[:SAMPLE_ROWS]]


_EMPTY = Cell(None)
