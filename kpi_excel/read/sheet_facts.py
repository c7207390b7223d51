"""What a worksheet's XML says about its rows that the values openpyxl gives do not: formulas
saved without a result, and hidden rows."""

from __future__ import annotations

import contextlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from kpi_excel.excel import ns


@dataclass(frozen=True)
class SheetFacts:
    """What a worksheet's XML says about its rows that the values openpyxl gives do not."""

    unsaved_formulas: tuple[str, ...] = ()  # cells (as A1) whose formula has no saved result
    hidden_rows: frozenset[int] = frozenset()  # 1-based row numbers


_MAIN = f"{{{ns.MAIN}}}"  # Strict is mapped to it
_TEXT_RESULTS = {"str", "inlineStr", "s"}


def sheet_facts(data: bytes, part: str, rows: int, *, in_order: bool = True) -> SheetFacts:
    """The first `rows` rows of a worksheet part: formulas without results, and hidden rows
    (with in_order False, rows stored out of order: the part is read to its end).

    Only rows the reader has already parsed are read again, with an XML parser, so comments,
    CDATA, processing instructions and prefixes mean what they mean to the reader (a pattern
    search over the bytes could be fooled by them, or take time that grows with their square).
    """
    from defusedxml.ElementTree import iterparse

    unsaved: list[str] = []
    hidden: set[int] = set()
    number = 0
    beyond = False  # in a row past those read, stored among them
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as stream, \
            contextlib.suppress(SyntaxError):  # damage past the rows read is not ours to report
        for event, element in iterparse(stream, events=("start", "end")):
            if element.tag == _MAIN + "row":
                if event == "end":
                    element.clear()  # a row's cells are looked at as each ends
                    continue
                number = _row_number(element.get("r"), number)
                beyond = number > rows
                if beyond and in_order:
                    break
                if element.get("hidden") in ("1", "true") and not beyond:
                    hidden.add(number)
            elif event == "end" and element.tag == _MAIN + "c" and not beyond and _unsaved(element):
                unsaved.append(element.get("r") or "?")
    return SheetFacts(tuple(unsaved), frozenset(hidden))


def _row_number(r: str | None, previous: int) -> int:
    """A row's number as the reader counts it: its r attribute, else one more than the last."""
    return int(r) if r and r.isdigit() else previous + 1


def _unsaved(cell: Any) -> bool:
    """A formula without a result: no <v>, or an empty one where no text result is due.

    (A formula whose result is empty text is saved as t="str" with an empty <v>.)
    """
    if cell.find(_MAIN + "f") is None:
        return False
    value = cell.find(_MAIN + "v")
    return value is None or (not (value.text or "").strip() and cell.get("t") not in _TEXT_RESULTS)
