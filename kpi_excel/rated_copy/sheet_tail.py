"""A worksheet's XML after its cells: conditional formats, filters, validations, merges and notes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kpi_excel.excel.refs import column_letter
from kpi_excel.excel.xmltext import quoteattr
from kpi_excel.rated_copy.model import Box, CannotEdit, TablePlan
from kpi_excel.rated_copy.stream import SHEET_DATA_END, TAG, column_index

# what may follow <conditionalFormatting> and <dataValidations> in a worksheet (CT_Worksheet order)
_AFTER_CONDITIONAL = ("dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup",
                      "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
                      "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF",
                      "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
                      "extLst")
_AFTER_VALIDATIONS = _AFTER_CONDITIONAL[1:]
_AFTER_LEGACY_DRAWING = _AFTER_CONDITIONAL[_AFTER_CONDITIONAL.index("legacyDrawingHF"):]
_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?")
_PRIORITY = re.compile(rb"""(<(?:\w+:)?cfRule\b[^>]*?\spriority\s*=\s*["'])(\d+)""")


@dataclass
class SheetAdditions:
    """What goes after the sheet's cells: conditional formats and the header notes."""

    conditional: bytes = b""
    rules: int = 0  # how many rules conditional holds, numbered 1 up: the sheet's own go after them
    validations: list[bytes] = field(default_factory=list)  # <dataValidation> elements
    legacy_drawing: bytes = b""  # the <legacyDrawing> that shows new notes, where the sheet had none
    ours: tuple[bytes, ...] = ()  # the formulas of an earlier build's conditional formats (the words)


def edit_tail(tail: bytes, plans: Sequence[TablePlan], additions: SheetAdditions, said: list[str]) -> bytes:
    blocks = [plan.block for plan in plans]
    old = [plan.refreshed for plan in plans if plan.refreshed is not None]
    if old:
        tail = _without_our_formats(tail, old, additions.ours)
    tail = _widen_auto_filter(tail, plans)
    tail = _narrow_validations(tail, [*blocks, *old], said)
    elements = top_level_elements(tail)
    if additions.legacy_drawing:
        if any(name.split(b":")[-1] == b"legacyDrawing" for name, _, _ in elements):
            raise CannotEdit("it has a drawing for notes that its relationships do not name")
        at = _first_of(elements, _AFTER_LEGACY_DRAWING, len(tail) - len(b"</worksheet>"))
        tail = tail[:at] + additions.legacy_drawing + tail[at:]
        elements = top_level_elements(tail)
    if additions.validations:
        tail = _add_validations(tail, elements, additions.validations)
        elements = top_level_elements(tail)
    if additions.conditional:
        tail = _after_ours(tail, additions.rules)
        elements = top_level_elements(tail)
        at = _first_of(elements, ("conditionalFormatting", *_AFTER_CONDITIONAL),
                       len(tail) - len(b"</worksheet>"))
        tail = tail[:at] + additions.conditional + tail[at:]
    return tail


def _after_ours(tail: bytes, ours: int) -> bytes:
    """tail with the sheet's own conditional formats numbered after ours (1 to ours), in the order
    they had, so a banded row's fill does not hide a rating. Numbered from ours + 1 each time, so
    a build from a rated copy numbers them as the build before did."""
    rank = {p: n for n, p in enumerate(sorted({int(m.group(2)) for m in _PRIORITY.finditer(tail)}),
                                       start=ours + 1)}
    return _PRIORITY.sub(lambda m: m.group(1) + str(rank[int(m.group(2))]).encode(), tail)


def top_level_elements(tail: bytes) -> list[tuple[bytes, int, int]]:
    """The worksheet's child elements in the XML after the cells: (name, start, end)."""
    found: list[tuple[bytes, int, int]] = []
    depth = 0
    start = 0
    pos = tail.find(SHEET_DATA_END) + len(SHEET_DATA_END)
    while True:
        match = TAG.search(tail, pos)
        if match is None:
            return found
        closing, name, _, empty = match.groups()
        if name == b"worksheet":
            return found
        if closing:
            depth -= 1
            if depth == 0:
                found.append((name, start, match.end()))
        elif empty:
            if depth == 0:
                found.append((name, match.start(), match.end()))
        else:
            if depth == 0:
                start = match.start()
            depth += 1
        pos = match.end()


def _first_of(elements: list[tuple[bytes, int, int]], names: tuple[str, ...], default: int) -> int:
    wanted = {n.encode() for n in names}
    return next((start for name, start, _ in elements if name.split(b":")[-1] in wanted), default)


def parse_ranges(sqref: str) -> list[Box]:
    """The boxes of a space-separated list of ranges (A1, $B$2:$D$9); what is not one is left out."""
    boxes = []
    for part in sqref.split():
        match = _REF.fullmatch(part)
        if match:
            c1, r1 = column_index(match.group(1)), int(match.group(2))
            c2, r2 = (column_index(match.group(3)), int(match.group(4))) if match.group(3) else (c1, r1)
            boxes.append(Box(min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)))
    return boxes


def box_ref(box: Box) -> str:
    one = f"{column_letter(box.col1 + 1)}{box.row1}"
    if (box.col1, box.row1) == (box.col2, box.row2):
        return one
    return f"{one}:{column_letter(box.col2 + 1)}{box.row2}"


def subtract(box: Box, hole: Box) -> list[Box]:
    """box without hole: up to four boxes (above, below, left, right of it)."""
    if not box.meets(hole):
        return [box]
    parts = []
    if box.row1 < hole.row1:
        parts.append(Box(box.col1, box.row1, box.col2, hole.row1 - 1))
    if box.row2 > hole.row2:
        parts.append(Box(box.col1, hole.row2 + 1, box.col2, box.row2))
    top, bottom = max(box.row1, hole.row1), min(box.row2, hole.row2)
    if box.col1 < hole.col1:
        parts.append(Box(box.col1, top, hole.col1 - 1, bottom))
    if box.col2 > hole.col2:
        parts.append(Box(hole.col2 + 1, top, box.col2, bottom))
    return parts


def _without_our_formats(tail: bytes, old: list[Box], ours: tuple[bytes, ...]) -> bytes:
    """tail without the conditional formats an earlier build put on its columns: each lies wholly in
    a block it added and colours by the words (a format the department added there stays)."""
    pieces, pos = [], 0
    for name, start, end in top_level_elements(tail):
        if name.split(b":")[-1] != b"conditionalFormatting":
            continue
        element = tail[start:end]
        sqref = re.search(rb"""\ssqref\s*=\s*["']([^"']*)["']""", TAG.match(element).group(0))  # type: ignore[union-attr]
        boxes = parse_ranges(sqref.group(1).decode()) if sqref else []
        formulas = re.findall(rb"<formula>([^<]*)</formula>", element)
        if boxes and formulas and all(any(o.meets(b) and _within(b, o) for o in old) for b in boxes) \
                and all(f in ours for f in formulas):
            pieces.append(tail[pos:start])
            pos = end
    pieces.append(tail[pos:])
    return b"".join(pieces)


def _within(inner: Box, outer: Box) -> bool:
    return (outer.col1 <= inner.col1 and inner.col2 <= outer.col2
            and outer.row1 <= inner.row1 and inner.row2 <= outer.row2)


def _widen_auto_filter(tail: bytes, plans: Sequence[TablePlan]) -> bytes:
    """The sheet's own filter (not a table's), where it heads a table at its edge, widened to take
    in the rated columns, so they can be filtered too."""
    match = re.search(rb"""(<autoFilter\b[^>]*?\sref\s*=\s*["'])([^"']+)(["'])""", tail)
    if match is None:
        return tail
    boxes = parse_ranges(match.group(2).decode())
    if len(boxes) != 1:
        return tail
    box = boxes[0]
    for plan in plans:
        if box.row1 == plan.header_row and plan.first_col - 1 <= box.col2 < plan.last_col \
                and box.col1 < plan.first_col:
            grown = box_ref(Box(box.col1, box.row1, plan.last_col, max(box.row2, max(plan.rows))))
            return tail[:match.start(2)] + grown.encode() + tail[match.end(2):]
    return tail


def _narrow_validations(tail: bytes, holes: list[Box], said: list[str]) -> bytes:
    """The sheet's data validations without the rated columns: a list that covered them would give
    a rated cell a dropdown. A validation left covering nothing is removed."""
    changed: list[str] = []

    def narrowed(sqref: bytes) -> bytes:
        boxes = parse_ranges(sqref.decode())
        if not boxes or len(boxes) != len(sqref.split()) or not any(b.meets(h) for b in boxes for h in holes):
            return sqref
        for hole in holes:
            boxes = [part for b in boxes for part in subtract(b, hole)]
        changed.append(sqref.decode())
        return " ".join(box_ref(b) for b in boxes).encode()

    def one(match: re.Match[bytes]) -> bytes:
        element = match.group(0)
        attr = re.search(rb"""(\ssqref\s*=\s*["'])([^"']*)(["'])""", element)
        if attr is not None:
            new = narrowed(attr.group(2))
            return b"" if not new else element[:attr.start(2)] + new + element[attr.end(2):]
        inner = re.search(rb"(<xm:sqref>)([^<]*)(</xm:sqref>)", element)
        if inner is not None:
            new = narrowed(inner.group(2))
            return b"" if not new else element[:inner.start(2)] + new + element[inner.end(2):]
        return element

    tail = re.sub(rb"<(?:x14:)?dataValidation\b(?:[^>]*/>|.*?</(?:x14:)?dataValidation>)", one, tail,
                  flags=re.S)
    if changed:
        tail = _recount(tail)
        said.append(f"data validation on {', '.join(changed)} no longer covers the rated columns")
    return tail


def _recount(tail: bytes) -> bytes:
    """Each validation list's count as it now holds, and an empty list removed."""
    def fix(match: re.Match[bytes]) -> bytes:
        block = match.group(0)
        count = len(re.findall(rb"<(?:x14:)?dataValidation\b", block))
        if count == 0:
            return b""
        return re.sub(rb"""(\scount\s*=\s*["'])\d+""", rb"\g<1>" + str(count).encode(), block, count=1)

    return re.sub(rb"<(x14:)?dataValidations\b.*?</(?:x14:)?dataValidations>", fix, tail, flags=re.S)


def _add_validations(tail: bytes, elements: list[tuple[bytes, int, int]], new: list[bytes]) -> bytes:
    existing = [(start, end) for name, start, end in elements if name == b"dataValidations"]
    if not existing:
        at = _first_of(elements, _AFTER_VALIDATIONS, len(tail) - len(b"</worksheet>"))
        block = f'<dataValidations count="{len(new)}">'.encode() + b"".join(new) + b"</dataValidations>"
        return tail[:at] + block + tail[at:]
    start, end = existing[0]
    block = tail[start:end]
    count = re.search(rb"""count\s*=\s*["'](\d+)["']""", TAG.match(block).group(0))  # type: ignore[union-attr]
    if block.endswith(b"/>"):
        raise CannotEdit("its data validation list is empty but not closed as Excel writes it")
    if count:
        total = int(count.group(1)) + len(new)
        block = block[:count.start(1)] + str(total).encode() + block[count.end(1):]
    block = block[:-len(b"</dataValidations>")] + b"".join(new) + b"</dataValidations>"
    return tail[:start] + block + tail[end:]


def merged_boxes(tail: bytes) -> list[Box]:
    return [Box(column_index(c1), int(r1), column_index(c2), int(r2)) for c1, r1, c2, r2 in re.findall(
        rb"""<mergeCell\s+ref\s*=\s*["']([A-Z]+)(\d+):([A-Z]+)(\d+)["']""", tail)]


def refuse_merged_cells(tail: bytes, plans: Sequence[TablePlan]) -> None:
    for plan in plans:
        for box in merged_boxes(tail):
            if box.meets(plan.block):
                raise CannotEdit(f"merged cells {box_ref(box)} cover where the rated columns go")


def validation_note(ref: str, title: str, text: str) -> bytes:
    """A header cell's note, as the input message Excel and LibreOffice show when it is selected."""
    return (f'<dataValidation allowBlank="1" showInputMessage="1" promptTitle={quoteattr(title[:32])} '
            f'prompt={quoteattr(text[:255])} sqref="{ref}"/>').encode()


def legacy_drawing_id(tail: bytes) -> str:
    """The relationship id of the drawing the sheet's <legacyDrawing> names ('' where it has none)."""
    element = next((tail[start:end] for name, start, end in top_level_elements(tail)
                    if name.split(b":")[-1] == b"legacyDrawing"), b"")
    found = re.search(rb"""\s[\w.-]+:id\s*=\s*["']([^"']+)["']""", element)
    return found.group(1).decode() if found else ""
