"""What a sheet's XML holds that openpyxl's read-only mode does not give: its merged ranges, and the
rows its Excel tables give to their totals."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from defusedxml import ElementTree

from kpi_excel.excel import ns
from kpi_excel.read.cells import Merge

# [^<>], not [^>]: a search from each "<mergeCell" stops at the next "<", so the time stays in
# step with the part's size even when a comment holds thousands of "<mergeCell" without a ">"
_MERGE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\b[^<>]*?\bref\s*=\s*[\"']"
                    rb"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)[\"']")  # either quote, as XML allows
MAX_MERGES = 10_000  # merged ranges read from one sheet: a KPI table has a few dozen


def merged_ranges(data: bytes, part: str, rows: int) -> tuple[Merge, ...]:
    """The sheet's merged ranges that start in the rows read (read-only openpyxl gives none).

    The list follows the cells in the part, so the part is streamed to its end, a block at a time.
    """
    found: list[Merge] = []
    tail = b""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as stream:
        while block := stream.read(1 << 20):
            chunk = tail + block
            cut = chunk.rfind(b"<")
            for match in _MERGE.finditer(chunk, 0, cut if cut > 0 else len(chunk)):
                top, bottom = int(match.group(2)) - 1, int(match.group(4)) - 1
                if top < rows and len(found) < MAX_MERGES:
                    found.append((top, _column_number(match.group(1)) - 1, bottom,
                                  _column_number(match.group(3)) - 1))
            tail = chunk[cut:] if cut > 0 else b""
    found.extend((int(m.group(2)) - 1, _column_number(m.group(1)) - 1, int(m.group(4)) - 1,
                  _column_number(m.group(3)) - 1) for m in _MERGE.finditer(tail) if int(m.group(2)) <= rows)
    return tuple(found[:MAX_MERGES])


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


_TABLE_RELATIONSHIP = f"{ns.RELATIONSHIPS}/table"
_MAX_TABLE_PART = 1 << 20


def totals_rows(data: bytes, part: str) -> frozenset[int]:
    """The 0-based rows the sheet's Excel tables give to their totals rows (totalsRowCount)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    found: set[int] = set()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if rels not in archive.namelist():
            return frozenset()
        for rel in ElementTree.fromstring(archive.read(rels)):
            if rel.get("Type") != _TABLE_RELATIONSHIP or rel.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
            if target not in archive.namelist() or archive.getinfo(target).file_size > _MAX_TABLE_PART:
                continue
            table = ElementTree.fromstring(archive.read(target))
            count = table.get("totalsRowCount", "0")
            match = re.fullmatch(r"\$?[A-Z]{1,3}\$?(\d+):\$?[A-Z]{1,3}\$?(\d+)", table.get("ref", ""))
            if match and count.isdigit() and int(count) > 0:
                last = int(match.group(2)) - 1
                found.update(range(last - int(count) + 1, last + 1))
    return frozenset(found)
