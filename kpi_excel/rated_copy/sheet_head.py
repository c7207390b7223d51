"""A worksheet's XML before its cells: the dimension widened, and the new columns' widths."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kpi_excel.excel.refs import column_letter
from kpi_excel.rated_copy.model import COMPARED, DIRECTION, LATEST, PERIOD, RAG, RANGE, CannotEdit, TablePlan
from kpi_excel.rated_copy.stream import TAG, column_index

COLUMN_WIDTH = {LATEST: 10.7109375, PERIOD: 9.7109375, RAG: 11.7109375, DIRECTION: 13.7109375,
                RANGE: 13.7109375, COMPARED: 10.7109375}
_COLS = re.compile(rb"<cols\b[^>]*?(?:/>|>(.*?)</cols>)", re.S)
_COL = re.compile(rb"<col\b[^>]*?/>|<col\b[^>]*?>.*?</col>", re.S)


def edit_head(head: bytes, plans: Sequence[TablePlan], said: list[str]) -> bytes:
    """The sheet's dimension widened, and column widths for the new columns: where no <col> covers
    one, a width of its own; where a hidden range covers some, that range split so they show."""
    if not head.lstrip().startswith(b"<?xml") and b"<worksheet" not in head:
        raise CannotEdit("its XML does not start as a worksheet's does")
    if re.search(rb"<\w+:worksheet[\s>]", head):
        raise CannotEdit("its XML uses a namespace prefix for the worksheet, which Excel never writes")
    declaration = re.match(rb"""<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']""", head)
    if declaration and declaration.group(1).lower() not in (b"utf-8", b"utf8"):
        raise CannotEdit("its XML is not in UTF-8")
    if b"<!DOCTYPE" in head or b"<![CDATA[" in head:
        raise CannotEdit("its XML holds a DTD or CDATA, which Excel never writes")
    head = _widen_dimension(head, max(plan.last_col for plan in plans))
    widths: dict[int, float] = {}
    for plan in plans:
        for i, (kind, text) in enumerate(plan.headers):
            # wide enough for the header on one line, in italics ("Direction of travel")
            width = max(COLUMN_WIDTH[kind], round(len(text) * 1.15 + 2) + 0.7109375)
            widths.setdefault(plan.first_col + i + 1, width)  # 1-based, as <col> counts
    return _with_columns(head, widths, said)


def _widen_dimension(head: bytes, last: int) -> bytes:
    match = re.search(rb"""<dimension\s+ref\s*=\s*["']([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?["']""", head)
    if not match:
        return head
    end_col, end_row = (match.group(3), match.group(4)) if match.group(3) else match.group(1, 2)
    if column_index(end_col) >= last:
        return head
    new = (match.group(1) + match.group(2) + b":" + column_letter(last + 1).encode() + end_row)
    return head[:match.start(1)] + new + head[match.end(4 if match.group(3) else 2):]


def _with_columns(head: bytes, widths: dict[int, float], said: list[str]) -> bytes:
    """head with the <cols> list holding a width for each new column, sorted and never overlapping."""
    found = _COLS.search(head)
    entries = [(_span(m.group(0)), m.group(0)) for m in _COL.finditer(found.group(1) or b"")] if found else []
    shown: list[int] = []
    out: list[tuple[int, int, bytes]] = []
    for (low, high), element in entries:
        hidden = _attr(element, b"hidden") in (b"1", b"true")
        inside = [c for c in widths if low <= c <= high]
        if not inside or not hidden:
            for c in inside:
                widths.pop(c)  # a width the department set stays as it is
            out.append((low, high, element))
            continue
        shown += inside
        start = low  # the hidden range split round the new columns, each piece as it was
        for c in sorted(inside) + [high + 1]:
            if start <= c - 1:
                out.append((start, c - 1, _with_span(element, start, c - 1)))
            start = c + 1
    out += [(c, c, f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>'.encode())
            for c, w in widths.items()]
    if shown:
        letters = ", ".join(column_letter(c) for c in sorted(shown))
        said.append(f"column{'s' if len(shown) > 1 else ''} {letters} {'were' if len(shown) > 1 else 'was'} "
                    "hidden; the rated columns there are shown")
    if not widths and not shown:
        return head
    block = b"<cols>" + b"".join(element for _, _, element in sorted(out, key=lambda e: e[0])) + b"</cols>"
    if found:
        return head[:found.start()] + block + head[found.end():]
    return head + block  # head ends just before <sheetData>


def _span(element: bytes) -> tuple[int, int]:
    low, high = _attr(element, b"min"), _attr(element, b"max")
    if not (low and high and low.isdigit() and high.isdigit()):
        raise CannotEdit("its column widths are not written as Excel writes them")
    return int(low), int(high)


def _attr(element: bytes, name: bytes) -> bytes | None:
    tag = TAG.match(element)
    found = re.search(rb"\s" + name + rb"""\s*=\s*["']([^"']*)["']""", tag.group(3) if tag else b"")
    return found.group(1) if found else None


def _with_span(element: bytes, low: int, high: int) -> bytes:
    element = re.sub(rb"""(\smin\s*=\s*["'])\d+""", rb"\g<1>" + str(low).encode(), element, count=1)
    return re.sub(rb"""(\smax\s*=\s*["'])\d+""", rb"\g<1>" + str(high).encode(), element, count=1)
