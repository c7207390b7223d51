"""An Excel table (a table part) grown to take in the rated columns, or refreshed where a build from a
rated copy finds them in it already."""

from __future__ import annotations

import re

from kpi_excel.excel.xmltext import quoteattr
from kpi_excel.rated_copy.model import Box, CannotEdit, TablePlan
from kpi_excel.rated_copy.sheet_tail import box_ref, parse_ranges

_TABLE_ROOT = re.compile(rb"<table\b[^>]*>")
_TABLE_COLUMN = re.compile(rb"<tableColumn\b[^>]*?/>|<tableColumn\b[^>]*?>.*?</tableColumn>", re.S)


def table_box(xml: bytes) -> Box | None:
    """The table's range, header row and totals row included."""
    ref = _attribute(_root(xml), b"ref")
    boxes = parse_ranges(ref.decode()) if ref else []
    return boxes[0] if len(boxes) == 1 else None


def totals_rows(xml: bytes) -> int:
    count = _attribute(_root(xml), b"totalsRowCount")
    return int(count) if count and count.isdigit() else 0


def grow_table(xml: bytes, plan: TablePlan) -> bytes | None:
    """The table part with the plan's columns as its last columns, or None when the table lies
    elsewhere (above, below or left of them, or apart from them).

    A table that ends just left of the columns grows to take them in; one that holds an earlier
    build's columns has them renamed (and grown or narrowed to the columns there now). Its filter
    follows its range, less the totals row. Raises CannotEdit when a table covers part of where the
    columns go in any other way."""
    box = table_box(xml)
    if box is None:
        raise CannotEdit("an Excel table on the sheet has no range")
    root = _root(xml)
    area = plan.block
    old = plan.refreshed
    ours_from = area.col1 if old is None else min(area.col1, old.col1)
    if not box.meets(Box(box.col1, area.row1, max(area.col2, box.col2), area.row2)):
        return None  # above or below the rated rows
    if box.col2 < area.col1 - 1 and (old is None or box.col2 < old.col1):
        return None  # to the left, apart from them
    covers = CannotEdit(f"the Excel table at {box_ref(box)} covers where the rated columns go")
    if box.row1 != area.row1 or _attribute(root, b"headerRowCount") == b"0" or box.col1 >= ours_from:
        raise covers
    # only an earlier build's columns, where this build's start, may be in it
    if box.col2 >= ours_from and (old is None or ours_from != area.col1
                                  or box.col2 > max(old.col2, area.col2)):
        raise covers
    if box.row2 - totals_rows(xml) < area.row2:
        raise CannotEdit("the sheet's Excel table stops above its last indicator")
    columns = list(_TABLE_COLUMN.finditer(xml))
    if len(columns) != box.col2 - box.col1 + 1 or b"</tableColumns>" not in xml:
        raise CannotEdit("an Excel table on the sheet lists its columns in a way Excel does not")
    kept = columns[:area.col1 - box.col1]
    names = [text for _, text in plan.headers]
    taken = {(_attribute(c.group(0).split(b">")[0], b"name") or b"").lower() for c in kept}
    if any(quoteattr(name)[1:-1].lower().encode() in taken for name in names):
        raise CannotEdit("the Excel table already has a column named like a rated column")
    ids = [int(i) for c in kept for i in re.findall(rb'<tableColumn\b[^>]*?\sid="(\d+)"', c.group(0))]
    next_id = max(ids, default=0) + 1
    new = b"".join(f'<tableColumn id="{next_id + i}" name={quoteattr(name)}/>'.encode()
                   for i, name in enumerate(names))
    start, end = columns[0].start(), columns[-1].end()
    body = b"".join(c.group(0) for c in kept) + new
    xml = xml[:start] + body + xml[end:]
    xml = re.sub(rb'(<tableColumns\b[^>]*?\scount=")\d+', rb"\g<1>" + str(len(kept) + len(names)).encode(),
                 xml, count=1)
    grown = Box(box.col1, box.row1, area.col2, box.row2)
    xml = _set_attribute(xml, _TABLE_ROOT, b"ref", box_ref(grown).encode())
    filtered = Box(grown.col1, grown.row1, grown.col2, grown.row2 - totals_rows(xml))
    return _set_attribute(xml, re.compile(rb"<autoFilter\b[^>]*>"), b"ref", box_ref(filtered).encode())


def _root(xml: bytes) -> bytes:
    root = _TABLE_ROOT.search(xml)
    if root is None:
        raise CannotEdit("an Excel table on the sheet is not written as Excel writes one")
    return root.group(0)


def _attribute(tag: bytes, name: bytes) -> bytes | None:
    found = re.search(rb"\s" + name + rb"""\s*=\s*["']([^"']*)["']""", tag)
    return found.group(1) if found else None


def _set_attribute(xml: bytes, element: re.Pattern[bytes], name: bytes, value: bytes) -> bytes:
    """xml with the first element's attribute set to value (where the element has it)."""
    match = element.search(xml)
    if match is None:
        return xml
    tag = match.group(0)
    found = re.search(rb"(\s" + name + rb"""\s*=\s*["'])([^"']*)(["'])""", tag)
    if found is None:
        return xml
    new = tag[:found.start(2)] + value + tag[found.end(2):]
    return xml[:match.start()] + new + xml[match.end():]
